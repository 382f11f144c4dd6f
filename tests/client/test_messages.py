"""Messages that say what happened and what to do: an unknown database, JSON-2 on Odoo 17.

Odoo says "no such database" differently on each protocol; the shapes below are
the real servers' (17, 18, 19): PostgreSQL's ``psycopg2.OperationalError``
naming its socket or host, the web session's ``AccessError`` "Database not
found." (with a ``dbfilter``), JSON-2's HTML 404 "No database is selected".
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from odoo_async import (
    AsyncOdoo,
    DatabaseNotFound,
    HTTPStatusError,
    OdooError,
    RetryPolicy,
    RPCError,
)
from odoo_async._errors import database_not_found, fault_to_error
from odoo_async.testing import FakeOdoo

KEY = "k-0123456789"


def expected(db: str, url: str, where: str) -> str:
    return (
        f"database {db!r} does not exist on {url}: check db= (ODOO_DB), the name of a "
        f"database on that server (its login page's database selector lists them) [{where}]"
    )


@pytest.mark.parametrize(
    ("name", "message", "found"),
    [
        (
            "psycopg2.OperationalError",
            'connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: '
            'FATAL:  database "odoo71" does not exist\n',
            True,
        ),
        (
            "psycopg2.OperationalError",
            'connection to server at "127.0.0.1", port 5432 failed: '
            'FATAL:  database "odoo71" does not exist\n',
            True,
        ),
        ("odoo.exceptions.AccessError", "Database not found.", True),
        ("psycopg2.OperationalError", 'FATAL:  database "other" does not exist', False),
        ("psycopg2.OperationalError", "connection refused", False),
        ("odoo.exceptions.AccessError", "You are not allowed to read res.partner", False),
        ("builtins.ValueError", 'database "odoo71" does not exist', False),
    ],
)
def test_database_not_found_reads_every_shape_odoo_sends(
    name: str, message: str, found: bool
) -> None:
    fault = fault_to_error({"name": name, "message": message, "debug": "Traceback ..."})
    error = database_not_found(fault, db="odoo71", url="http://odoo.test")
    if not found:
        assert error is None
        return
    assert isinstance(error, DatabaseNotFound)
    assert isinstance(error, RPCError)
    assert (error.db, error.url, error.name, error.debug) == (
        "odoo71",
        "http://odoo.test",
        name,
        "Traceback ...",
    )
    assert "5432" not in str(error)
    assert "socket" not in str(error)


def connect(fake: FakeOdoo, url: str, protocol: str, db: str = "odoo71", **kw: Any) -> AsyncOdoo:
    secret: dict[str, Any] = (
        {"api_key": KEY} if protocol in ("json2", "auto") else {"password": "admin"}
    )
    return AsyncOdoo(
        url, db=db, username="admin", protocol=protocol, retry=RetryPolicy.NONE, **secret, **kw
    )


# Odoo 17 has no JSON-2: see test_json2_on_odoo_17_says_so.
CASES = [
    (version, protocol)
    for version in ("17.0", "19.0")
    for protocol in ("jsonrpc", "xmlrpc", "web", "json2", "auto")
    if (version, protocol) != ("17.0", "json2")
]


@pytest.mark.parametrize(("version", "protocol"), CASES)
@pytest.mark.parametrize("over", ["in-process", "loopback"])
async def test_an_unknown_database_is_database_not_found(
    version: str, protocol: str, over: str
) -> None:
    fake = FakeOdoo(db="odoo", partners=1, version=version)
    fake.add_api_key(2, KEY)
    if over == "in-process":
        url = "http://odoo.test"
        odoo = connect(fake, url, protocol, transport=fake.transport())
        async with odoo:
            with pytest.raises(OdooError) as info:
                await odoo.model("res.partner").search_count([])
    else:
        async with fake.serve() as url, connect(fake, url, protocol) as odoo:
            with pytest.raises(OdooError) as info:
                await odoo.model("res.partner").search_count([])
    error = info.value
    assert isinstance(error, DatabaseNotFound), repr(error)
    assert (error.db, error.url) == ("odoo71", url)
    json2 = protocol == "json2" or (protocol == "auto" and version == "19.0")
    assert str(error) == expected(
        "odoo71", url, "res.users.context_get" if json2 else "authenticate"
    )
    assert "5432" not in str(error)
    assert fake.count(method="search_count") == 0


async def test_json2_on_odoo_17_says_so() -> None:
    fake = FakeOdoo(db="odoo", partners=1, version="17.0")
    fake.add_api_key(2, KEY)
    async with fake.serve() as url, connect(fake, url, "json2", db="odoo") as odoo:
        with pytest.raises(HTTPStatusError) as info:
            await odoo.authenticate()
    assert info.value.status_code == 404
    assert str(info.value) == (
        f"this server (17.0) has no JSON-2 API (Odoo 19+; {url}/json/2 answered HTTP 404): "
        "use protocol='jsonrpc' (ODOO_PROTOCOL=jsonrpc), which takes the same API key, or "
        "protocol='auto', which picks JSON-2 where the server has it [res.users.context_get]"
    )


REDIRECT = httpx.Response(
    303, headers={"location": "/web/login?redirect=%2Fjson%2F2%2Fres.users%2Fcontext_get%3F"}
)
NOT_FOUND = httpx.Response(404, html="<html><title>Odoo</title></html>")
VERSION_18 = {
    "jsonrpc": "2.0",
    "id": 1,
    "result": {
        "server_version": "18.0",
        "server_version_info": [18, 0, 0, "final", 0, ""],
        "server_serie": "18.0",
        "protocol_version": 1,
    },
}


@respx.mock
async def test_json2_on_odoo_18_says_so() -> None:
    # Odoo 18 redirects /json/2 to its login page, and has no GET /web/version.
    respx.post("http://odoo.test/json/2/res.users/context_get").mock(return_value=REDIRECT)
    respx.get("http://odoo.test/web/version").mock(return_value=NOT_FOUND)
    respx.post("http://odoo.test/jsonrpc").mock(return_value=httpx.Response(200, json=VERSION_18))
    odoo = AsyncOdoo(
        "http://odoo.test", db="odoo", username="admin", api_key=KEY, protocol="json2",
        transport="httpx", retry=RetryPolicy.NONE,
    )  # fmt: skip
    async with odoo:
        with pytest.raises(HTTPStatusError) as info:
            await odoo.authenticate()
    assert info.value.status_code == 303
    assert str(info.value).startswith(
        "this server (18.0) has no JSON-2 API (Odoo 19+; http://odoo.test/json/2 answered "
        "HTTP 303): use protocol='jsonrpc'"
    )


@respx.mock
async def test_json2_404_on_odoo_19_keeps_the_404() -> None:
    # JSON-2 switched off on a 19: the version does not explain it; the 404 stays.
    respx.post("http://odoo.test/json/2/res.users/context_get").mock(return_value=NOT_FOUND)
    respx.get("http://odoo.test/web/version").mock(
        return_value=httpx.Response(200, json={"version_info": [19, 0], "version": "19.0"})
    )
    odoo = AsyncOdoo(
        "http://odoo.test", db="odoo", username="admin", api_key=KEY, protocol="json2",
        transport="httpx", retry=RetryPolicy.NONE,
    )  # fmt: skip
    async with odoo:
        with pytest.raises(HTTPStatusError) as info:
            await odoo.authenticate()
    assert str(info.value).startswith("HTTP 404 Not Found from http://odoo.test/json/2/")
