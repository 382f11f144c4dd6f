"""The JSON-2 protocol: named arguments, the doc page cache, errors by name then status.

Error bodies and statuses are those captured from Odoo 19 (``odoo19-wire``), copied here.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import respx
from conftest import Sleeps

from odoo_async import (
    AccessDenied,
    AccessError,
    AsyncOdoo,
    AuthenticationError,
    ConcurrencyError,
    HTTPStatusError,
    MissingError,
    OdooError,
    RateLimited,
    RetryPolicy,
    RPCError,
    UserError,
    ValidationError,
)
from odoo_async._protocols._base import Credentials
from odoo_async._protocols._json2 import KNOWN_METHODS, MethodParams, json2_error, named_arguments
from odoo_async.testing import FakeOdoo

URL = "http://odoo.test"
KEY = "s3cr3t-api-key"
CREDS = Credentials(db="odoo19", login="admin", secret=KEY, kind="api_key")


def error_reply(status: int, name: str, message: str, **extra: Any) -> httpx.Response:
    body = {
        "name": name,
        "message": message,
        "arguments": [message, status] if name.startswith("werkzeug") else [message],
        "context": {},
        "debug": f"Traceback (most recent call last):\n{name}: {message}\n",
    }
    return httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/json; charset=utf-8", **extra},
    )


ERRORS: list[tuple[int, str, str, type[OdooError]]] = [
    # (status, name, message, class) -- the captured cases
    (401, "werkzeug.exceptions.Unauthorized", "Invalid apikey", AuthenticationError),
    (
        401,
        "werkzeug.exceptions.Unauthorized",
        "User not authenticated, use an API Key with a Bearer Authorization header.",
        AuthenticationError,
    ),
    (404, "werkzeug.exceptions.NotFound", "the model 'no.such.model' does not exist", RPCError),
    (
        404,
        "werkzeug.exceptions.NotFound",
        "The method 'res.partner.no_such_method' does not exist",
        RPCError,
    ),
    (
        403,
        "odoo.exceptions.AccessError",
        "Private methods (such as 'res.partner.exists') cannot be called remotely.",
        AccessError,
    ),
    (403, "odoo.exceptions.AccessDenied", "Access Denied", AccessDenied),
    (
        422,
        "werkzeug.exceptions.UnprocessableEntity",
        "missing a required argument: 'domain'",
        RPCError,
    ),
    (
        422,
        "odoo.exceptions.ValidationError",
        "You cannot create recursive Partner hierarchies.",
        ValidationError,
    ),
    (422, "odoo.exceptions.UserError", "You cannot delete the admin user", UserError),
    (
        404,
        "odoo.exceptions.MissingError",
        "Record does not exist or has been deleted.\n(Record: res.partner(55,), User: 2)",
        MissingError,
    ),
    (500, "builtins.ValueError", "Wrong value for res.partner.type: 'bogus'", RPCError),
    (
        400,
        "werkzeug.exceptions.BadRequest",
        "could not parse the body as json: Expecting value: line 1 column 13 (char 12)",
        RPCError,
    ),
    (409, "odoo.exceptions.LockError", "could not obtain lock", ConcurrencyError),
    # names the table does not know: the status decides
    (403, "odoo.addons.custom.Forbidden", "no", AccessError),
    (409, "odoo.addons.custom.Conflict", "busy", ConcurrencyError),
    (422, "odoo.addons.custom.Invalid", "bad", UserError),
    (500, "odoo.addons.custom.Boom", "boom", RPCError),
]


@pytest.mark.parametrize(("status", "name", "message", "cls"), ERRORS)
def test_errors_map_by_name_then_status(
    status: int, name: str, message: str, cls: type[OdooError]
) -> None:
    error = json2_error(error_reply(status, name, message), CREDS, model="res.partner", method="m")
    assert type(error) is cls
    if isinstance(error, RPCError):
        assert (error.name, error.message) == (name, message)
        assert (error.model, error.method) == ("res.partner", "m")
        assert "Traceback" not in str(error)
        assert error.debug.startswith("Traceback")
    else:
        assert isinstance(error, AuthenticationError)
        assert (error.db, error.login) == ("odoo19", "admin")
        assert message in str(error)


def test_an_html_page_is_no_json2_error() -> None:
    page = httpx.Response(415, text="<title>415 Unsupported Media Type</title>")
    assert json2_error(page, CREDS, model=None, method=None) is None
    proxy = httpx.Response(502, json={"message": "no name"})
    assert json2_error(proxy, CREDS, model=None, method=None) is None


def test_the_key_never_reaches_an_error() -> None:
    reply = error_reply(422, "odoo.exceptions.UserError", f"bad key {KEY}")
    error = json2_error(reply, CREDS, model="res.partner", method="write")
    assert error is not None
    assert KEY not in str(error)
    assert KEY not in repr(error)
    assert isinstance(error, RPCError)
    assert all(KEY not in str(a) for a in error.arguments)


SEARCH = KNOWN_METHODS["search"]
READ = KNOWN_METHODS["read"]
WRITE = KNOWN_METHODS["write"]

NAMED: list[tuple[str, MethodParams, list[Any], dict[str, Any], dict[str, Any]]] = [
    ("search", SEARCH, [[["a", "=", 1]]], {"limit": 3}, {"domain": [["a", "=", 1]], "limit": 3}),
    ("search", SEARCH, [[], 5, 10], {}, {"domain": [], "offset": 5, "limit": 10}),
    ("read", READ, [[1, 2]], {"fields": ["name"]}, {"ids": [1, 2], "fields": ["name"]}),
    ("read", READ, [7, ["name"]], {}, {"ids": [7], "fields": ["name"]}),
    ("write", WRITE, [[1], {"x": 1}], {}, {"ids": [1], "vals": {"x": 1}}),
    ("unlink", KNOWN_METHODS["unlink"], [[3]], {}, {"ids": [3]}),
    ("create", KNOWN_METHODS["create"], [{"n": 1}], {}, {"vals_list": {"n": 1}}),
    (
        "search",
        SEARCH,
        [],
        {"domain": [], "context": {"lang": "fr_FR"}},
        {"domain": [], "context": {"lang": "fr_FR"}},
    ),
]


@pytest.mark.parametrize(("method", "params", "args", "kwargs", "body"), NAMED)
def test_positional_arguments_get_their_names(
    method: str,
    params: MethodParams,
    args: list[Any],
    kwargs: dict[str, Any],
    body: dict[str, Any],
) -> None:
    assert named_arguments("res.partner", method, params, args, kwargs) == body


@pytest.mark.parametrize(
    ("params", "args", "kwargs", "match"),
    [
        (SEARCH, [[], 0, 1, "id", "extra"], {}, "takes 4 positional"),
        (SEARCH, [[]], {"domain": []}, "multiple values for argument 'domain'"),
        (None, [[]], {}, "pass them in kwargs"),
    ],
)
def test_arguments_that_cannot_be_named_are_a_type_error(
    params: MethodParams | None, args: list[Any], kwargs: dict[str, Any], match: str
) -> None:
    with pytest.raises(TypeError, match=match):
        named_arguments("res.partner", "search", params, args, kwargs)


def fake19(**options: Any) -> FakeOdoo:
    return FakeOdoo(db="odoo19", version="19.0", api_keys={2: KEY, 5: "demo-key"}, **options)


def connect(fake: FakeOdoo | None = None, **options: Any) -> AsyncOdoo:
    if fake is not None:
        options["transport"] = fake.transport()
    options.setdefault("transport", "httpx")  # respx mocks httpx's own transport
    options.setdefault("retry", RetryPolicy.NONE)
    return AsyncOdoo(
        URL,
        db="odoo19",
        username="admin",
        api_key=options.pop("api_key", KEY),
        protocol="json2",
        **options,
    )


async def test_calls_against_the_double_as_odoo_19() -> None:
    fake = fake19()
    async with connect(fake) as odoo:
        assert odoo.protocol == "json2"
        assert await odoo.authenticate() == 2
        assert (await odoo.version())["server_version_info"][0] == 19
        assert (await odoo.server_version())[:2] == (19, 0)
        new_id = await odoo.execute_kw("res.partner", "create", [{"name": "One"}])
        assert isinstance(new_id, int)  # the id, as over /jsonrpc, not JSON-2's [id]
        assert await odoo.execute_kw("res.partner", "create", [[{"name": "A"}, {"name": "B"}]])
        rows = await odoo.execute_kw("res.partner", "read", [[new_id], ["name"]])
        assert rows == [{"id": new_id, "name": "One"}]
        with pytest.raises(MissingError):
            await odoo.execute_kw("res.partner", "write", [[987654], {"name": "x"}])
        with pytest.raises(AccessError, match="Private methods"):
            await odoo.execute_kw("res.partner", "exists", [[1]])
        with pytest.raises(RPCError, match="does not exist") as unknown:
            await odoo.execute_kw("res.partner", "no_such_method", [[1], "positional"])
        assert unknown.value.name == "werkzeug.exceptions.NotFound"
    calls = [c for c in fake.calls if c.method == "read"]
    assert calls[-1].args == [[new_id]]
    assert calls[-1].kwargs == {"fields": ["name"]}


async def test_the_doc_page_is_fetched_once_per_model_for_concurrent_calls() -> None:
    fake = fake19()
    async with connect(fake) as odoo:
        await odoo.authenticate()
        await asyncio.gather(*(odoo.execute_kw("res.partner", "search", [[]]) for _ in range(20)))
        await odoo.execute_kw("res.partner", "read", [[1], ["name"]])
        await odoo.execute_kw("res.country", "search", [[]], {"limit": 1})
        await odoo.execute_kw("res.country", "search_count", [], {"domain": []})  # named: no doc
        assert odoo._core.protocol.doc_fetches == 2  # type: ignore[attr-defined]
    assert fake.count(method="search") == 21


@respx.mock
async def test_without_a_doc_page_the_built_in_table_names_the_arguments() -> None:
    respx.post(f"{URL}/json/2/res.users/context_get").respond(200, json={"uid": 2})
    doc = respx.get(f"{URL}/doc-bearer/res.partner.json").respond(404, text="<title>404</title>")
    search = respx.post(f"{URL}/json/2/res.partner/search").respond(200, json=[1, 2])
    async with connect() as odoo:
        assert await odoo.execute_kw("res.partner", "search", [[["a", "=", 1]], 0, 5]) == [1, 2]
        assert await odoo.execute_kw("res.partner", "search", [[]]) == [1, 2]
        with pytest.raises(TypeError, match="pass them in kwargs"):
            await odoo.execute_kw("res.partner", "message_post", [[1], "hello"])
    assert doc.call_count == 1  # the absence is cached too
    sent = json.loads(search.calls[0].request.content)
    assert sent == {"domain": [["a", "=", 1]], "offset": 0, "limit": 5}
    request = search.calls[0].request
    assert request.headers["authorization"] == f"bearer {KEY}"
    assert request.headers["x-odoo-database"] == "odoo19"
    assert request.headers["content-type"] == "application/json"


@respx.mock
async def test_proxy_errors_are_http_errors_and_reads_are_retried() -> None:
    respx.post(f"{URL}/json/2/res.users/context_get").respond(200, json={"uid": 2})
    route = respx.post(f"{URL}/json/2/res.partner/search_count")
    route.side_effect = [
        httpx.Response(429, headers={"Retry-After": "0"}, text="slow down"),
        httpx.Response(502, text="<title>502 Bad Gateway</title>"),
        httpx.Response(200, json=41),
    ]
    sleeps = Sleeps()
    async with connect(retry=RetryPolicy(max_retries=2), sleep=sleeps) as odoo:
        assert await odoo.execute_kw("res.partner", "search_count", [], {"domain": []}) == 41
        assert odoo.stats.retries == 2
    respx.post(f"{URL}/json/2/res.partner/write").respond(
        415, text="<title>415 Unsupported Media Type</title>", headers={"Content-Type": "text/html"}
    )
    async with connect() as odoo:
        with pytest.raises(HTTPStatusError) as caught:
            await odoo.execute_kw("res.partner", "write", [], {"ids": [1], "vals": {}})
    assert caught.value.status_code == 415
    assert not isinstance(caught.value, RateLimited)


async def test_a_wrong_key_is_an_authentication_error_without_the_key() -> None:
    fake = fake19()
    async with connect(fake, api_key="not-the-key") as odoo:
        with pytest.raises(AuthenticationError) as caught:
            await odoo.execute_kw("res.partner", "search_count", [], {"domain": []})
        assert "not-the-key" not in str(caught.value)
        assert "not-the-key" not in repr(odoo)


async def test_a_key_revoked_after_login_is_an_authentication_error() -> None:
    fake = fake19()
    async with connect(fake) as odoo:
        await odoo.authenticate()
        fake.database._api_keys.clear()  # the key is revoked on the server
        with pytest.raises(AuthenticationError, match="Invalid apikey"):
            await odoo.execute_kw("res.partner", "search_count", [], {"domain": []})


def test_json2_needs_an_api_key() -> None:
    with pytest.raises(ValueError, match="api_key"):
        AsyncOdoo(URL, db="odoo19", username="admin", password="admin", protocol="json2")


async def test_over_loopback_tcp() -> None:
    fake = fake19()
    async with (
        fake.serve() as url,
        AsyncOdoo(url, db="odoo19", username="admin", api_key=KEY, protocol="json2") as odoo,
    ):
        partners = odoo.model("res.partner")
        total = await partners.search_count([])
        rows = [row async for row in partners.search_read([], ["name"], page_size=25)]
        assert len(rows) == total
