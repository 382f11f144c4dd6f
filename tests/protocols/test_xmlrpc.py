"""The XML-RPC protocol: bodies, values, and faults mapped to our error classes.

Fault codes and strings are those captured from Odoo 17 (``odoo17-wire``), copied here.
"""

from __future__ import annotations

import xmlrpc.client
from datetime import date, datetime, timezone
from typing import Any

import httpx
import pytest
import respx

from odoo_async import (
    AccessDenied,
    AccessError,
    AsyncOdoo,
    AuthenticationError,
    MissingError,
    ProtocolError,
    RetryPolicy,
    RPCError,
    UserError,
)
from odoo_async._protocols._xmlrpc import encode_call, fault_error
from odoo_async.testing import FakeOdoo

URL = "http://odoo.test"

TRACEBACK_VALUE_ERROR = (
    "Traceback (most recent call last):\n"
    '  File "/opt/odoo/server/odoo/osv/expression.py", line 379, in _anyfy_leaves\n'
    '    raise ValueError(f"Invalid field {model._name}.{path[0]} in leaf {item}")\n'
    "ValueError: Invalid field res.partner.no_such_field in leaf ('no_such_field', '=', 1)\n"
)
TRACEBACK_NO_DB = (
    "Traceback (most recent call last):\n"
    '  File "/opt/odoo/venv/lib/python3.11/site-packages/psycopg2/__init__.py", line 122\n'
    "    conn = _connect(dsn, connection_factory=connection_factory, **kwasync)\n"
    "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
    'psycopg2.OperationalError: connection to server at "127.0.0.1", port 5433 failed: '
    'FATAL:  database "no_such_db_xyz" does not exist\n\n'
)
TRACEBACK_EXPAT = (
    "Traceback (most recent call last):\n"
    '  File "/usr/lib/python3.11/xmlrpc/client.py", line 460, in close\n'
    '    parser.Parse(b"", True) # end of data\n'
    "    ^^^^^^^^^^^^^^^^^^^^^^^\n"
    "xml.parsers.expat.ExpatError: no element found: line 1, column 45\n"
)
MISSING = "Record does not exist or has been deleted.\n(Record: res.partner(20047,), User: 2)"
CONFIG_DENIED = (
    "You are not allowed to access 'System Parameter' (ir.config_parameter) records.\n\n"
    "This operation is allowed for the following groups:\n\t- Administration/Settings\n\n"
    "Contact your administrator to request access if necessary."
)

FAULTS: list[tuple[Any, str, type[RPCError], str, str]] = [
    # (faultCode, faultString, class, name, message)
    (3, "Access Denied", AccessDenied, "odoo.exceptions.AccessDenied", "Access Denied"),
    (
        2,
        "Object no.such.model doesn't exist",
        UserError,
        "odoo.exceptions.UserError",
        "Object no.such.model doesn't exist",
    ),
    (
        2,
        "You cannot create recursive Partner hierarchies.",
        UserError,
        "odoo.exceptions.UserError",
        "You cannot create recursive Partner hierarchies.",
    ),
    (2, MISSING, UserError, "odoo.exceptions.UserError", MISSING),
    (4, CONFIG_DENIED, AccessError, "odoo.exceptions.AccessError", CONFIG_DENIED),
    (
        1,
        TRACEBACK_VALUE_ERROR,
        RPCError,
        "builtins.ValueError",
        "Invalid field res.partner.no_such_field in leaf ('no_such_field', '=', 1)",
    ),
    (
        1,
        TRACEBACK_NO_DB,
        RPCError,
        "psycopg2.OperationalError",
        'connection to server at "127.0.0.1", port 5433 failed: '
        'FATAL:  database "no_such_db_xyz" does not exist',
    ),
    (
        1,
        TRACEBACK_EXPAT,
        RPCError,
        "xml.parsers.expat.ExpatError",
        "no element found: line 1, column 45",
    ),
    # the legacy /xmlrpc/* endpoints
    (
        "AccessDenied",
        "Access Denied",
        AccessDenied,
        "odoo.exceptions.AccessDenied",
        "Access Denied",
    ),
    (
        f"warning -- MissingError\n\n{MISSING}",
        "",
        MissingError,
        "odoo.exceptions.MissingError",
        MISSING,
    ),
    (
        "warning -- UserError\n\nObject no.such.model doesn't exist",
        "",
        UserError,
        "odoo.exceptions.UserError",
        "Object no.such.model doesn't exist",
    ),
    (
        "The method 'res.partner.no_such_method' does not exist",
        'Traceback (most recent call last):\n  File "x.py", line 1, in f\n    raise\n'
        "AttributeError: The method 'res.partner.no_such_method' does not exist\n",
        RPCError,
        "builtins.AttributeError",
        "The method 'res.partner.no_such_method' does not exist",
    ),
]


@pytest.mark.parametrize(("code", "string", "cls", "name", "message"), FAULTS)
def test_fault_codes_map_to_the_closest_class(
    code: Any, string: str, cls: type[RPCError], name: str, message: str
) -> None:
    error = fault_error(code, string, model="res.partner", method="write")
    assert type(error) is cls
    assert (error.name, error.message) == (name, message)
    assert (error.model, error.method) == ("res.partner", "write")
    if code == 1:
        assert error.debug == string  # the traceback is kept, out of str()
        assert "Traceback" not in str(error)


def test_a_traceback_without_an_exception_line_keeps_its_text() -> None:
    error = fault_error(1, "something odd happened")
    assert type(error) is RPCError
    assert error.message == "something odd happened"


def test_secrets_are_masked_in_faults() -> None:
    error = fault_error(2, "bad password s3cr3t-key", secrets=("s3cr3t-key",))
    assert "s3cr3t-key" not in str(error)
    assert "s3cr3t-key" not in repr(error)


def test_outgoing_values_are_odoo_values() -> None:
    body = encode_call(
        "execute_kw",
        (
            "db",
            2,
            "pw",
            "res.partner",
            "write",
            [[1], {"date": date(2024, 3, 1), "file": b"%PDF", "none": None}],
            {"context": {"stamp": datetime(2024, 3, 1, 14, 30, tzinfo=timezone.utc)}},
        ),
    )
    params, method = xmlrpc.client.loads(body)
    assert method == "execute_kw"
    assert params[5] == [[1], {"date": "2024-03-01", "file": "JVBERg==", "none": None}]
    assert params[6] == {"context": {"stamp": "2024-03-01 14:30:00"}}


def test_a_value_xml_rpc_cannot_carry_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="XML-RPC"):
        encode_call("execute_kw", (2**40,))


def reply(value: Any) -> httpx.Response:
    body = xmlrpc.client.dumps((value,), methodresponse=True, allow_none=True)
    return httpx.Response(200, content=body.encode(), headers={"Content-Type": "text/xml"})


def client(**options: Any) -> AsyncOdoo:
    options.setdefault("transport", "httpx")  # respx mocks httpx's own transport
    return AsyncOdoo(
        URL,
        db="odoo",
        username="admin",
        password=options.pop("password", "admin"),
        protocol="xmlrpc",
        retry=RetryPolicy.NONE,
        **options,
    )


@respx.mock
async def test_binary_and_dates_arrive_as_they_would_over_json() -> None:
    respx.post(f"{URL}/xmlrpc/2/common").mock(return_value=reply(2))
    respx.post(f"{URL}/xmlrpc/2/object").mock(
        return_value=reply(
            [
                {
                    "id": 1,
                    "datas": xmlrpc.client.Binary(b"%PDF"),
                    "stamp": xmlrpc.client.DateTime("20240301T14:30:00"),
                    "nothing": None,
                }
            ]
        )
    )
    async with client() as odoo:
        rows = await odoo.execute_kw("ir.attachment", "read", [[1]])
    assert rows == [{"id": 1, "datas": "JVBERg==", "stamp": "2024-03-01 14:30:00", "nothing": None}]


@respx.mock
async def test_an_html_page_is_a_protocol_error_with_the_secret_masked() -> None:
    respx.post(f"{URL}/xmlrpc/2/common").mock(return_value=reply(2))
    respx.post(f"{URL}/xmlrpc/2/object").mock(
        return_value=httpx.Response(
            200,
            text="<html><title>Login s3cr3t</title></html>",
            headers={"Content-Type": "text/html"},
        )
    )
    async with client(password="s3cr3t") as odoo:
        with pytest.raises(ProtocolError, match="not an XML-RPC response") as caught:
            await odoo.execute_kw("res.partner", "search", [[]])
    assert "s3cr3t" not in str(caught.value)
    assert b"s3cr3t" not in caught.value.body


async def test_against_the_double() -> None:
    fake = FakeOdoo(db="odoo")
    async with client(transport=fake.transport()) as odoo:
        assert (await odoo.version())["server_serie"] == "17.0"
        partners = odoo.model("res.partner")
        assert await partners.search_count([]) > 0
        with pytest.raises(AccessError, match="Private methods"):
            await partners.call("_get_complete_name", [1])
        with pytest.raises(UserError, match="does not exist or has been deleted"):
            await partners.write([987654], {"name": "x"})
        with pytest.raises(RPCError) as caught:
            await partners.search([("no_such_field", "=", 1)])
        assert caught.value.name == "builtins.ValueError"
    assert {call.endpoint for call in fake.calls} == {"/xmlrpc/2/common", "/xmlrpc/2/object"}


async def test_a_refused_login_is_an_authentication_error() -> None:
    fake = FakeOdoo(db="odoo")
    async with client(transport=fake.transport(), password="wrong") as odoo:
        with pytest.raises(AuthenticationError):
            await odoo.authenticate()
        assert "wrong" not in repr(odoo)
