"""Model methods that differ between Odoo 17, 18 and 19, as the double answers them.

Each row is what the real Odoo 17, 18 and 19 of the testbed answered over JSON-RPC
(checked by hand, admin on each): a result, or the fault's ``data.name`` and the start
of its message. The Odoo source that shows each difference is named beside it.
"""

from __future__ import annotations

import json
import xmlrpc.client
from typing import Any

import httpx
import pytest

from odoo_async.testing import FakeOdoo

MISSING = "builtins.AttributeError"
PRIVATE = "odoo.exceptions.AccessError"
TYPE = "builtins.TypeError"
ABSENT = object()  # Odoo leaves out a None result


def fault(name: str) -> tuple[str, str]:
    return ("fault", name)


def is_ids(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(i, int) for i in value)


#: (model, method, args, kwargs, {major: expected}); expected is a value, ABSENT,
#: a check (a callable) or fault(name)
CASES: list[tuple[str, str, list[Any], dict[str, Any], dict[int, Any]]] = [
    # odoo/models.py: name_get deprecated in 17.0, gone in 18.0
    ("res.partner", "name_get", [[1]], {}, {17: [[1, "YourCompany"]], 18: fault(MISSING)}),
    # odoo/models.py 18.0: check_access_rights is check_access underneath
    ("res.partner", "check_access_rights", ["read"], {}, {17: True, 18: ABSENT}),
    (
        "res.partner",
        "check_access_rights",
        ["write"],
        {"raise_exception": False},
        {17: True, 18: True},
    ),
    ("res.partner", "check_access_rule", [[1], "read"], {}, {17: ABSENT, 18: ABSENT}),
    # odoo/models.py 18.0 adds check_access and has_access; odoo/orm/models.py 19.0
    # makes check_access @api.private
    (
        "res.partner",
        "check_access",
        [[1], "read"],
        {},
        {17: fault(MISSING), 18: ABSENT, 19: fault(PRIVATE)},
    ),
    ("res.partner", "has_access", [[1], "read"], {}, {17: fault(MISSING), 18: True}),
    # odoo/orm/models.py 19.0: exists is @api.private
    ("res.partner", "exists", [[1, 99999999]], {}, {17: [1], 19: fault(PRIVATE)}),
    # odoo/orm/models.py 19.0: name_search(name, domain, ...) instead of args
    ("res.partner", "name_search", ["Azure"], {"args": [], "limit": 1}, {17: list, 19: TYPE}),
    ("res.partner", "name_search", ["Azure"], {"domain": [], "limit": 1}, {17: TYPE, 19: list}),
    # addons/web/models/models.py 19.0 adds formatted_read_group
    (
        "res.partner",
        "formatted_read_group",
        [[], ["country_id"], ["__count"]],
        {"limit": 1},
        {17: fault(MISSING), 19: list},
    ),
    # odoo/orm/models.py 19.0: default_get(fields) instead of fields_list
    ("res.partner", "default_get", [], {"fields": ["type"]}, {17: TYPE, 19: {"type": "contact"}}),
    # odoo/addons/base/models/res_partner.py 18.0 has no date field
    ("res.partner", "fields_get", [["date"]], {"attributes": ["type"]}, {17: dict, 18: {}}),
    # odoo/models.py 18.0: copy is @api.returns('self'), the ids of the copies
    ("res.partner", "copy", [[1]], {}, {17: int, 18: is_ids}),
]


def expected_on(table: dict[int, Any], major: int) -> Any:
    """The entry of ``table`` for ``major``: the latest version at or before it."""
    return table[max(v for v in table if v <= major)]


PARAMS = [
    pytest.param(
        major, model, method, args, kwargs, expected_on(table, major), id=f"{major}-{method}"
    )
    for major in (17, 18, 19)
    for model, method, args, kwargs, table in CASES
    if not (method == "check_access_rule" and major == 19)
]


@pytest.mark.parametrize(("major", "model", "method", "args", "kwargs", "expected"), PARAMS)
async def test_method_by_version(
    major: int, model: str, method: str, args: list[Any], kwargs: dict[str, Any], expected: Any
) -> None:
    fake = FakeOdoo(db="odoo", version=f"{major}.0")
    body = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 1,
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": ["odoo", 2, "admin", model, method, args, kwargs],
        },
    }
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://odoo.test") as http:
        reply = (await http.post("/jsonrpc", json=body)).json()
    if isinstance(expected, str) or (isinstance(expected, tuple) and expected[:1] == ("fault",)):
        name = expected if isinstance(expected, str) else expected[1]
        assert reply["error"]["data"]["name"] == name, reply
        if name == MISSING:
            assert reply["error"]["data"]["message"] == (
                f"The method '{model}.{method}' does not exist"
            )
        return
    assert "error" not in reply, reply["error"]["data"]["message"]
    if expected is ABSENT:
        assert list(reply) == ["jsonrpc", "id"]
    elif isinstance(expected, type):
        assert type(reply["result"]) is expected
    elif callable(expected):
        assert expected(reply["result"]), reply["result"]
    else:
        assert reply["result"] == expected
    json.dumps(reply)


@pytest.mark.parametrize("major", [17, 18, 19])
async def test_xmlrpc_cannot_send_none(major: int) -> None:
    """A method that returns None is a fault over XML-RPC, as the real 17, 18, 19 answer."""
    fake = FakeOdoo(db="odoo", version=f"{major}.0")
    body = xmlrpc.client.dumps(
        ("odoo", 2, "admin", "res.partner", "check_access_rule", [[1], "read"]), "execute_kw"
    )
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://odoo.test") as http:
        reply = await http.post("/xmlrpc/2/object", content=body.encode())
    with pytest.raises(xmlrpc.client.Fault) as caught:
        xmlrpc.client.loads(reply.content)
    assert caught.value.faultCode == 1
    assert caught.value.faultString.endswith(
        "\nTypeError: cannot marshal None unless allow_none is enabled\n"
    )
