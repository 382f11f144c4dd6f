"""Methods whose parameters changed between Odoo versions follow the server's version."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx

from odoo_async import AccessError, AsyncOdoo, RPCError
from odoo_async.testing import FakeOdoo

URL = "http://odoo.test"


def router_for(
    version: int, answers: dict[str, Any]
) -> tuple[respx.MockRouter, list[dict[str, Any]]]:
    calls: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        params = body["params"]
        if params["method"] == "version":
            result: Any = {
                "server_version": f"{version}.0",
                "server_version_info": [version, 0, 0, "final", 0, ""],
            }
        elif params["method"] == "authenticate":
            result = 2
        else:
            calls.append(
                {
                    "method": params["args"][4],
                    "args": params["args"][5],
                    "kwargs": params["args"][6],
                }
            )
            result = answers[params["args"][4]]
        return httpx.Response(200, json={"jsonrpc": "2.0", "id": body["id"], "result": result})

    router = respx.mock()
    router.post(f"{URL}/jsonrpc").mock(side_effect=handler)
    return router, calls


@pytest.mark.parametrize(("version", "key"), [(17, "args"), (18, "args"), (19, "domain")])
async def test_name_search_names_its_domain_by_version(version: int, key: str) -> None:
    router, calls = router_for(version, {"name_search": [[15, "Azure Interior"]]})
    with router:
        async with AsyncOdoo(URL, db="d", username="u", password="p", transport="httpx") as odoo:
            found = await odoo.model("res.partner").name_search(
                "Azure", [("is_company", "=", True)], limit=5
            )
    assert found == [(15, "Azure Interior")]
    assert calls[0]["kwargs"] == {
        "name": "Azure",
        key: [["is_company", "=", True]],
        "operator": "ilike",
        "limit": 5,
    }


async def test_read_group_on_odoo_17_is_read_group() -> None:
    groups = [{"country_id": [233, "United States"], "country_id_count": 8, "__domain": []}]
    router, calls = router_for(17, {"read_group": groups})
    with router:
        async with AsyncOdoo(URL, db="d", username="u", password="p", transport="httpx") as odoo:
            result = await odoo.model("res.partner").read_group([], ["country_id"], ["country_id"])
    assert result == groups
    assert calls[0]["method"] == "read_group"


async def test_read_group_on_odoo_19_uses_formatted_read_group() -> None:
    # the reply captured from a real Odoo 19 (json2_formatted_read_group_ok)
    reply = [
        {
            "country_id": [128, "Liechtenstein"],
            "__extra_domain": [["country_id", "=", 128]],
            "__count": 1,
            "credit_limit:sum": 5.0,
        },
        {
            "country_id": [233, "United States"],
            "__extra_domain": [["country_id", "=", 233]],
            "__count": 8,
            "credit_limit:sum": 0.0,
        },
    ]
    router, calls = router_for(19, {"formatted_read_group": reply})
    with router:
        async with AsyncOdoo(URL, db="d", username="u", password="p", transport="httpx") as odoo:
            result = await odoo.model("res.partner").read_group(
                [("is_company", "=", True)],
                ["country_id", "credit_limit:sum"],
                ["country_id"],
                limit=5,
            )
    assert calls[0]["method"] == "formatted_read_group"
    assert calls[0]["kwargs"] == {
        "domain": [["is_company", "=", True]],
        "groupby": ["country_id"],
        "aggregates": ["__count", "credit_limit:sum"],
        "offset": 0,
        "limit": 5,
    }
    # the shape Odoo 17's read_group gives (json2_read_group_deprecated)
    assert result == [
        {
            "country_id": [128, "Liechtenstein"],
            "credit_limit": 5.0,
            "country_id_count": 1,
            "__domain": ["&", ["is_company", "=", True], ["country_id", "=", 128]],
        },
        {
            "country_id": [233, "United States"],
            "credit_limit": 0.0,
            "country_id_count": 8,
            "__domain": ["&", ["is_company", "=", True], ["country_id", "=", 233]],
        },
    ]


# -- against the double as each version ---------------------------------------------


@pytest.fixture(params=["17.0", "18.0", "19.0"])
def versioned(request: pytest.FixtureRequest) -> FakeOdoo:
    return FakeOdoo(db="odoo", version=request.param)


def client(fake: FakeOdoo, user: str = "admin", protocol: str = "jsonrpc") -> AsyncOdoo:
    return AsyncOdoo(
        "http://odoo.test",
        db="odoo",
        username=user,
        password=user,
        transport=fake.transport(),
        protocol=protocol,
    )


def sent(fake: FakeOdoo) -> list[str]:
    return [c.method for c in fake.calls if c.model is not None and c.method is not None]


async def test_name_get_reads_display_name_on_every_version(versioned: FakeOdoo) -> None:
    async with client(versioned) as odoo:
        pairs = await odoo.model("res.partner").name_get([3, 987654, 1])
    assert pairs == [(3, "YourCompany, Mitchell Admin"), (1, "YourCompany")]
    assert sent(versioned) == ["read"]


@pytest.mark.parametrize(
    ("user", "model", "operation", "ids", "allowed"),
    [
        ("admin", "res.partner", "write", None, True),
        ("demo", "ir.config_parameter", "read", None, False),
        ("demo", "res.company", "write", [1], False),
        ("demo", "res.partner", "read", [1, 3], True),
        ("portal", "res.partner", "read", None, True),
        ("portal", "res.partner", "read", [1], False),  # a record rule
    ],
)
@pytest.mark.parametrize("protocol", ["jsonrpc", "xmlrpc", "web"])
async def test_access_checks_give_the_same_answer_on_every_version(
    versioned: FakeOdoo,
    protocol: str,
    user: str,
    model: str,
    operation: str,
    ids: list[int] | None,
    allowed: bool,
) -> None:
    async with client(versioned, user, protocol) as odoo:
        repo = odoo.model(model)
        assert await repo.has_access(operation, ids) is allowed
        if allowed:
            assert await repo.check_access(operation, ids) is None
        else:
            with pytest.raises(AccessError) as caught:
                await repo.check_access(operation, ids)
            assert caught.value.name == "odoo.exceptions.AccessError"
            assert caught.value.message.startswith(("You are not allowed", "Uh-oh"))
    methods = set(sent(versioned))
    major = int(versioned.version[:2])
    assert ("has_access" in methods) is (major >= 18)
    assert ("check_access" in methods) is (major == 18)


async def test_an_access_check_names_a_bad_operation() -> None:
    async with client(FakeOdoo(db="odoo")) as odoo:
        with pytest.raises(ValueError, match="'read', 'write', 'create', 'unlink'"):
            await odoo.model("res.partner").has_access("delete")


@pytest.mark.parametrize(
    ("version", "method", "args", "kwargs", "hint"),
    [
        (
            "18.0",
            "name_get",
            [[1]],
            {},
            "name_get can be called on Odoo 17 only, not on this Odoo 18",
        ),
        ("19.0", "name_get", [[1]], {}, "read the field 'display_name'"),
        (
            "17.0",
            "has_access",
            [[1], "read"],
            {},
            "has_access can be called on Odoo 18 and Odoo 19",
        ),
        ("19.0", "check_access", [[1], "read"], {}, "check_access can be called on Odoo 18 only"),
        ("18.0", "formatted_read_group", [[], ["country_id"]], {}, "read_group"),
        ("19.0", "exists", [[1]], {}, "search([('id', 'in', ids)])"),
        ("19.0", "name_search", ["Azure"], {"args": []}, "takes domain= from Odoo 19 on"),
        ("17.0", "name_search", ["Azure"], {"domain": []}, "takes args= before Odoo 19"),
    ],
)
async def test_a_method_of_another_version_says_which_have_it(
    version: str, method: str, args: list[Any], kwargs: dict[str, Any], hint: str
) -> None:
    async with client(FakeOdoo(db="odoo", version=version)) as odoo:
        with pytest.raises(RPCError) as caught:
            await odoo.execute_kw("res.partner", method, args, kwargs)
    assert hint in str(caught.value)
    assert caught.value.message.startswith(("The method", "Private methods", "BaseModel."))
    assert isinstance(caught.value.__cause__, RPCError)


async def test_a_method_missing_everywhere_gets_no_hint() -> None:
    async with client(FakeOdoo(db="odoo", version="18.0")) as odoo:
        with pytest.raises(RPCError) as caught:
            await odoo.model("res.partner").call("no_such_method")
    assert caught.value.message == "The method 'res.partner.no_such_method' does not exist"
    assert caught.value.__cause__ is None
