"""AsyncOdoo against respx: the JSON-RPC envelope, errors, login, context, secrets."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import anyio
import httpx
import pytest
import respx

from odoo_async import (
    AccessDenied,
    AccessError,
    AsyncOdoo,
    AuthenticationError,
    ClientClosedError,
    ConcurrencyError,
    ConnectError,
    HTTPStatusError,
    MissingError,
    Odoo,
    OdooError,
    ProtocolError,
    RateLimited,
    RetryPolicy,
    RPCError,
    SessionExpired,
    UserError,
    ValidationError,
)

URL = "http://odoo.test"
SECRET = "s3cr3t-Pa55word"


def client(**options: Any) -> AsyncOdoo:
    options.setdefault("retry", RetryPolicy.NONE)
    # respx mocks httpx's own transport (httpcore), not the default aiohttp one
    options.setdefault("transport", "httpx")
    return AsyncOdoo(URL, db="odoo17", username="admin", password=SECRET, **options)


def ok(result: Any, rid: Any = 1) -> httpx.Response:
    return httpx.Response(200, json={"jsonrpc": "2.0", "id": rid, "result": result})


def fault(name: str, message: str, code: int = 200, debug: str = "Traceback...") -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "jsonrpc": "2.0",
            "id": 1,
            "error": {
                "code": code,
                "message": "Odoo Server Error" if code != 100 else "Odoo Session Expired",
                "data": {
                    "name": name,
                    "debug": debug,
                    "message": message,
                    "arguments": [message],
                    "context": {},
                },
            },
        },
    )


def rpc_router(*, uid: Any = 2, result: Any = 7) -> tuple[respx.MockRouter, list[dict[str, Any]]]:
    """A router that answers authenticate with ``uid`` and execute_kw with ``result``."""
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append(body)
        params = body["params"]
        if params["service"] == "common" and params["method"] == "authenticate":
            return ok(uid, body["id"])
        if params["service"] == "common" and params["method"] == "version":
            return ok({"server_version": "17.0", "server_version_info": [17, 0, 0, "final", 0, ""]})
        return ok(result, body["id"])

    router = respx.mock(assert_all_called=False)
    router.post(f"{URL}/jsonrpc").mock(side_effect=handler)
    return router, seen


async def test_execute_kw_sends_the_envelope_and_decodes_the_result() -> None:
    router, seen = rpc_router(result=[{"id": 14, "name": "Azure Interior"}])
    with router:
        async with client() as odoo:
            rows = await odoo.execute_kw(
                "res.partner",
                "search_read",
                [[["is_company", "=", True]]],
                {"fields": ["name"], "limit": 1},
            )
    assert rows == [{"id": 14, "name": "Azure Interior"}]
    auth, call = seen
    assert auth["jsonrpc"] == "2.0"
    assert auth["method"] == "call"
    assert auth["params"] == {
        "service": "common",
        "method": "authenticate",
        "args": ["odoo17", "admin", SECRET, {}],
    }
    assert call["params"] == {
        "service": "object",
        "method": "execute_kw",
        "args": [
            "odoo17",
            2,
            SECRET,
            "res.partner",
            "search_read",
            [[["is_company", "=", True]]],
            {"fields": ["name"], "limit": 1},
        ],
    }
    assert isinstance(auth["id"], int)
    assert call["id"] > auth["id"], "request ids come from a counter"


async def test_result_type_decodes_with_msgspec() -> None:
    router, _ = rpc_router(result=[3, 1, 2])
    with router:
        async with client() as odoo:
            ids = await odoo.execute_kw("res.partner", "search", [[]], result_type=list[int])
            with pytest.raises(OdooError, match=r"res.partner.search"):
                await odoo.execute_kw("res.partner", "search", [[]], result_type=list[str])
    assert ids == [3, 1, 2]


async def test_version_needs_no_login_and_is_cached() -> None:
    router, seen = rpc_router()
    with router:
        async with client() as odoo:
            info = await odoo.version()
            assert await odoo.server_version() == (17, 0, 0)
    assert info["server_version"] == "17.0"
    assert [body["params"]["method"] for body in seen] == ["version"]


# Every fault envelope captured from a real Odoo 17 (name, code, message), and the
# class odoo_async must raise for it.
CAPTURED_FAULTS = [
    (
        "odoo.exceptions.AccessError",
        200,
        "You are not allowed to access 'System Parameter' (ir.config_parameter) records.",
        AccessError,
    ),
    (
        "odoo.exceptions.AccessError",
        200,
        "You are not allowed to modify 'Companies' (res.company) records.",
        AccessError,
    ),
    (
        "odoo.exceptions.AccessError",
        200,
        "Uh-oh! Looks like you have stumbled upon some top-secret records.",
        AccessError,
    ),
    (
        "odoo.exceptions.AccessError",
        200,
        "Private methods (such as 'res.partner._get_complete_name') cannot be called remotely.",
        AccessError,
    ),
    ("builtins.ValueError", 200, "invalid literal for int() with base 10: 'abc'", RPCError),
    ("odoo.exceptions.AccessDenied", 200, "Access Denied", AccessDenied),
    (
        "odoo.exceptions.MissingError",
        200,
        "Record does not exist or has been deleted.\n(Record: res.users(999,), User: 999)",
        MissingError,
    ),
    (
        "odoo.exceptions.MissingError",
        200,
        "Record does not exist or has been deleted.\n(Record: res.partner(20047,), User: 2)",
        MissingError,
    ),
    ("builtins.ValueError", 200, "Invalid leaf ('name', 'bogus_op', 'x')", RPCError),
    (
        "builtins.TypeError",
        200,
        "RPC.jsonrpc() missing 3 required positional arguments: 'service', 'method', and 'args'",
        RPCError,
    ),
    (
        "psycopg2.OperationalError",
        200,
        'connection to server at "127.0.0.1", port 5433 failed: FATAL:  database "no_such_db_xyz" does not exist\n',
        RPCError,
    ),
    ("builtins.NameError", 200, "Method not available nosuchmethod", RPCError),
    (
        "builtins.TypeError",
        200,
        "BaseModel.read() takes from 1 to 3 positional arguments but 4 were given",
        RPCError,
    ),
    ("builtins.Exception", 200, "Method not found: nosuchmethod", RPCError),
    (
        "builtins.ValueError",
        200,
        "Invalid field res.partner.no_such_field in leaf ('no_such_field', '=', 1)",
        RPCError,
    ),
    ("builtins.ValueError", 200, "Invalid field 'no_such_field' on model 'res.partner'", RPCError),
    (
        "builtins.AttributeError",
        200,
        "The method 'res.partner.no_such_method' does not exist",
        RPCError,
    ),
    ("odoo.exceptions.UserError", 200, "Object no.such.model doesn't exist", UserError),
    ("builtins.KeyError", 200, "nosuchservice", RPCError),
    ("builtins.KeyError", 200, "no.such.model", RPCError),
    (
        "odoo.exceptions.UserError",
        200,
        "You cannot deactivate the user you're currently logged in as.",
        UserError,
    ),
    (
        "odoo.exceptions.ValidationError",
        200,
        "You cannot create recursive Partner hierarchies.",
        ValidationError,
    ),
    ("builtins.ValueError", 200, "Wrong value for res.partner.type: 'bogus'", RPCError),
    ("odoo.http.SessionExpiredException", 100, "Session expired", SessionExpired),
    (
        "psycopg2.errors.SerializationFailure",
        200,
        "could not serialize access due to concurrent update",
        ConcurrencyError,
    ),
    ("odoo.exceptions.SomethingNew", 0, "an Odoo 18 fault with code 0", RPCError),
]


@pytest.mark.parametrize(("name", "code", "message", "cls"), CAPTURED_FAULTS)
async def test_captured_faults_map_to_their_class(
    name: str, code: int, message: str, cls: type[RPCError]
) -> None:
    router = respx.mock()
    router.post(f"{URL}/jsonrpc").mock(
        side_effect=[
            ok(2),
            fault(name, message, code, debug="Traceback (most recent call last):\n  boom"),
        ]
    )
    with router:
        async with client() as odoo:
            with pytest.raises(RPCError) as info:
                await odoo.execute_kw("res.partner", "read", [[14]])
    err = info.value
    assert type(err) is cls
    assert err.name == name
    assert err.message == message
    assert err.code == code
    assert err.arguments == [message]
    assert (err.model, err.method) == ("res.partner", "read")
    assert f"{message.rstrip()} [res.partner.read]" in str(err)  # one line
    assert "res.partner.read" in str(err)
    assert "Traceback" not in str(err)
    assert err.debug.startswith("Traceback")


@pytest.mark.parametrize(
    ("response", "cls", "fragment"),
    [
        # Odoo 17's own plain-text 400 replies
        (
            httpx.Response(
                400, text="Invalid JSON data", headers={"content-type": "text/html; charset=utf-8"}
            ),
            HTTPStatusError,
            "Invalid JSON data",
        ),
        (
            httpx.Response(
                400,
                text="Invalid JSON-RPC data",
                headers={"content-type": "text/html; charset=utf-8"},
            ),
            HTTPStatusError,
            "Invalid JSON-RPC data",
        ),
        # Werkzeug's 400 page (GET or wrong content type)
        (
            httpx.Response(
                400,
                text='<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n<title>400 Bad Request</title>\n<h1>Bad Request</h1>',
                headers={"content-type": "text/html; charset=utf-8"},
            ),
            HTTPStatusError,
            "400 Bad Request",
        ),
        # The database pool is full: Werkzeug's 500 page, no envelope
        (
            httpx.Response(
                500,
                text="<!doctype html>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>",
                headers={"content-type": "text/html; charset=utf-8"},
            ),
            HTTPStatusError,
            "500 Internal Server Error",
        ),
        (
            httpx.Response(502, text="<html><head><title>502 Bad Gateway</title></head></html>"),
            HTTPStatusError,
            "502 Bad Gateway",
        ),
        (
            httpx.Response(429, text="slow down", headers={"retry-after": "7"}),
            RateLimited,
            "slow down",
        ),
        # A proxy's login page with HTTP 200, plain text, JSON that is no envelope
        (
            httpx.Response(
                200,
                text="<html><title>Sign in</title></html>",
                headers={"content-type": "text/html"},
            ),
            ProtocolError,
            "Sign in",
        ),
        (httpx.Response(200, text="upstream says hello"), ProtocolError, "upstream says hello"),
        (httpx.Response(200, json=[1, 2, 3]), ProtocolError, "not a JSON-RPC envelope"),
        (
            httpx.Response(302, headers={"location": "https://odoo.test/web/login"}),
            HTTPStatusError,
            "check the URL",
        ),
    ],
)
async def test_non_envelope_replies(
    response: httpx.Response, cls: type[OdooError], fragment: str
) -> None:
    router = respx.mock()
    router.post(f"{URL}/jsonrpc").mock(side_effect=[ok(2), response])
    with router:
        async with client() as odoo:
            with pytest.raises(OdooError) as info:
                await odoo.execute_kw("res.partner", "search_count", [[]])
    assert type(info.value) is cls
    assert fragment in str(info.value)
    assert "res.partner.search_count" in str(info.value)
    if isinstance(info.value, HTTPStatusError):
        assert info.value.status_code == response.status_code
        assert info.value.body == response.content[:2048]
    if isinstance(info.value, RateLimited):
        assert info.value.retry_after == 7.0


async def test_session_destroy_reply_without_result_is_none() -> None:
    router = respx.mock()
    router.post(f"{URL}/jsonrpc").mock(
        side_effect=[ok(2), httpx.Response(200, text='{"jsonrpc": "2.0", "id": 1}')]
    )
    with router:
        async with client() as odoo:
            assert await odoo.execute_kw("res.partner", "anything") is None


async def test_refused_login_raises_authentication_error_without_the_secret() -> None:
    router, _ = rpc_router(uid=False)
    with router:
        async with client() as odoo:
            with pytest.raises(AuthenticationError) as info:
                await odoo.execute_kw("res.partner", "search_count", [[]])
    message = str(info.value)
    assert "'admin'" in message
    assert "'odoo17'" in message
    assert SECRET not in message
    assert (info.value.db, info.value.login) == ("odoo17", "admin")


async def test_a_refused_login_is_asked_once_and_remembered() -> None:
    router, seen = rpc_router(uid=False)
    with router:
        async with client() as odoo:
            async with anyio.create_task_group() as tg:
                for _ in range(20):
                    tg.start_soon(_expect_refusal, odoo)
            await _expect_refusal(odoo)
    assert [body["params"]["method"] for body in seen] == ["authenticate"]


async def _expect_refusal(odoo: AsyncOdoo) -> None:
    with pytest.raises(AuthenticationError):
        await odoo.execute_kw("res.partner", "search_count", [[]])


async def test_one_authenticate_for_a_hundred_concurrent_first_calls() -> None:
    router, seen = rpc_router()
    with router:
        async with client() as odoo:
            async with anyio.create_task_group() as tg:
                for _ in range(100):
                    tg.start_soon(odoo.execute_kw, "res.partner", "search_count", [[]])
            assert odoo.uid == 2
    methods = [body["params"]["method"] for body in seen]
    assert methods.count("authenticate") == 1
    assert methods.count("execute_kw") == 100
    assert odoo.stats.authentications == 1


async def test_authenticate_is_cached() -> None:
    router, seen = rpc_router(uid=6)
    with router:
        async with client() as odoo:
            assert await odoo.authenticate() == 6
            assert await odoo.authenticate() == 6
    assert len(seen) == 1


async def test_with_context_merges_and_shares_the_login() -> None:
    router, seen = rpc_router()
    with router:
        async with client(context={"lang": "en_US", "tz": "UTC"}) as odoo:
            fr = odoo.with_context(lang="fr_FR")
            await fr.execute_kw("res.partner", "read", [[1]], {"context": {"active_test": False}})
            await odoo.execute_kw("res.partner", "read", [[1]])
            await fr.with_context({"tz": "Europe/Brussels"}).execute_kw(
                "res.partner", "read", [[1]]
            )
            assert fr.uid == odoo.uid == 2
            assert fr.stats is odoo.stats
    contexts = [body["params"]["args"][6].get("context") for body in seen[1:]]
    assert contexts == [
        {"lang": "fr_FR", "tz": "UTC", "active_test": False},
        {"lang": "en_US", "tz": "UTC"},
        {"lang": "fr_FR", "tz": "Europe/Brussels"},
    ]
    assert [body["params"]["method"] for body in seen].count("authenticate") == 1


async def test_no_context_key_when_there_is_no_context() -> None:
    router, seen = rpc_router()
    with router:
        async with client() as odoo:
            await odoo.execute_kw("res.partner", "read", [[1]], {"fields": ["name"]})
    assert seen[-1]["params"]["args"][6] == {"fields": ["name"]}


async def test_closed_client_raises_a_clear_error() -> None:
    router, _ = rpc_router()
    with router:
        odoo = client()
        async with odoo:
            await odoo.execute_kw("res.partner", "search_count", [[]])
        assert odoo.closed
        with pytest.raises(ClientClosedError, match="closed"):
            await odoo.execute_kw("res.partner", "search_count", [[]])
        with pytest.raises(ClientClosedError):
            await odoo.with_context(lang="fr_FR").version()
        with pytest.raises(ClientClosedError):
            async with odoo:
                pass
    assert issubclass(ClientClosedError, RuntimeError)
    assert not issubclass(ClientClosedError, OdooError)


async def test_secret_is_absent_from_repr_errors_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    echo = f"Access Denied for password {SECRET}"
    router = respx.mock()
    router.post(f"{URL}/jsonrpc").mock(
        side_effect=[
            ok(2),
            ok(5),
            fault("odoo.exceptions.AccessDenied", echo, debug=f"Traceback {SECRET}"),
        ]
    )
    with router:
        async with client() as odoo:
            assert SECRET not in repr(odoo)
            assert SECRET not in repr(odoo._core.credentials)
            await odoo.execute_kw("res.partner", "search_count", [[]])
            with pytest.raises(AccessDenied) as info:
                await odoo.execute_kw("res.partner", "search_count", [[]])
    err = info.value
    for text in (str(err), repr(err), err.message, err.debug, *map(str, err.arguments)):
        assert SECRET not in text
    assert "***" in err.message
    records = [r.getMessage() for r in caplog.records]
    assert any("res.partner.search_count" in r for r in records), records
    assert all(SECRET not in r for r in records)


async def test_api_key_is_sent_in_place_of_the_password() -> None:
    router, seen = rpc_router()
    with router:
        async with AsyncOdoo(
            URL, db="odoo17", username="bot", api_key="KEY-123", transport="httpx"
        ) as odoo:
            await odoo.execute_kw("res.partner", "search_count", [[]])
            assert "KEY-123" not in repr(odoo)
    assert seen[0]["params"]["args"][2] == "KEY-123"
    assert seen[1]["params"]["args"][2] == "KEY-123"


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"password": "a", "api_key": "b"}, "exactly one"),
        ({}, "exactly one"),
        ({"password": "a", "max_concurrency": 0}, "max_concurrency"),
        ({"password": "a", "rate_limit": -1}, "rate_limit"),
    ],
)
def test_bad_configuration(kwargs: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        AsyncOdoo(URL, db="x", username="u", **kwargs)


def test_bad_url() -> None:
    with pytest.raises(ValueError, match="http"):
        AsyncOdoo("odoo.test", db="x", username="u", password="p")


def test_from_env() -> None:
    env = {"ODOO_URL": URL, "ODOO_DB": "odoo17", "ODOO_USERNAME": "bot", "ODOO_API_KEY": "K"}
    odoo = AsyncOdoo.from_env(env, max_concurrency=4)
    assert (odoo.url, odoo.db, odoo.username) == (URL, "odoo17", "bot")
    assert odoo._core.credentials.kind == "api_key"
    with pytest.raises(ValueError, match="ODOO_PASSWORD or ODOO_API_KEY"):
        AsyncOdoo.from_env({"ODOO_URL": URL, "ODOO_DB": "d", "ODOO_USERNAME": "u"})
    with pytest.raises(ValueError, match="ODOO_DB"):
        AsyncOdoo.from_env({"ODOO_URL": URL, "ODOO_USERNAME": "u", "ODOO_PASSWORD": "p"})


def test_from_env_reads_odoo_protocol() -> None:
    env = {"ODOO_URL": URL, "ODOO_DB": "d", "ODOO_USERNAME": "u", "ODOO_API_KEY": "K"}
    assert AsyncOdoo.from_env({**env, "ODOO_PROTOCOL": "json2"}).protocol == "json2"
    assert AsyncOdoo.from_env({**env, "ODOO_PROTOCOL": "xmlrpc"}).protocol == "xmlrpc"
    # protocol= given to from_env wins over the variable
    chosen = AsyncOdoo.from_env({**env, "ODOO_PROTOCOL": "json2"}, protocol="jsonrpc")
    assert chosen.protocol == "jsonrpc"
    with pytest.raises(ValueError, match=r"ODOO_PROTOCOL='bogus' is no protocol: use one of"):
        AsyncOdoo.from_env({**env, "ODOO_PROTOCOL": "bogus"})
    blocking = Odoo.from_env({**env, "ODOO_PROTOCOL": "xmlrpc"})
    assert blocking.protocol == "xmlrpc"
    blocking.close()


async def test_stats_count_requests_and_bytes() -> None:
    router, _ = rpc_router()
    with router:
        async with client() as odoo:
            await odoo.execute_kw("res.partner", "search_count", [[]])
            stats = odoo.stats
    assert stats.calls == 1
    assert stats.requests == 2
    assert stats.bytes_out > 0
    assert stats.bytes_in > 0
    assert stats.errors == 0


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(502, text=f"<html><title>Bad Gateway</title>echo: password={SECRET}</html>"),
        httpx.Response(200, text=f"<html><title>Proxy</title>echo: password={SECRET}</html>"),
    ],
)
async def test_secret_echoed_by_a_proxy_is_masked(response: httpx.Response) -> None:
    router = respx.mock()
    router.post(f"{URL}/jsonrpc").mock(side_effect=[ok(2), response])
    with router:
        async with client() as odoo:
            with pytest.raises(OdooError) as info:
                await odoo.execute_kw("res.partner", "search_count", [[]])
    assert SECRET not in str(info.value)
    assert SECRET.encode() not in info.value.body  # type: ignore[attr-defined]
    assert b"password=***" in info.value.body  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ({"server_version_info": [17, 0, 0, "final", 0, ""], "server_serie": "17.0"}, (17, 0, 0)),
        ({"server_version_info": [19, 0, 0, "final", 0, ""], "server_serie": "19.0"}, (19, 0, 0)),
        (
            {"server_version_info": ["saas~19", 2, 0, "final", 0, ""], "server_serie": "saas~19.2"},
            (19, 2, 0),
        ),
        ({"server_version": "saas~18.3+e", "server_serie": "saas~18.3"}, (18, 3)),
        ({"server_version": "16.0"}, (16, 0)),
        ({}, ()),
    ],
)
def test_parse_server_version(info: dict[str, Any], expected: tuple[int, ...]) -> None:
    from odoo_async._protocols._base import parse_server_version

    assert parse_server_version(info) == expected


async def test_concurrent_first_calls_share_one_failed_login() -> None:
    """The server is down: twenty first calls wait for one login attempt, not twenty."""
    router = respx.mock()
    route = router.post(f"{URL}/jsonrpc").mock(side_effect=httpx.ConnectError("refused"))
    with router:
        async with client() as odoo:
            results = await asyncio.gather(
                *(odoo.execute_kw("res.partner", "search_count", [[]]) for _ in range(20)),
                return_exceptions=True,
            )
            assert all(isinstance(r, ConnectError) for r in results)
            assert route.call_count == 1
            await asyncio.gather(odoo.version(), odoo.version(), return_exceptions=True)
            assert route.call_count == 2, "two concurrent version() calls share one request"
            with pytest.raises(ConnectError):
                await odoo.authenticate()
            assert route.call_count == 3, "a failure is not cached: the next call tries again"


async def test_execute_kw_none_means_no_timeout_and_no_retries() -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        body = json.loads(request.content)
        answers = {"authenticate": 2, "version": {"server_version": "17.0"}}
        return ok(answers.get(body["params"]["method"], 5), body["id"])

    router = respx.mock()
    router.post(f"{URL}/jsonrpc").mock(side_effect=handler)
    with router:
        async with AsyncOdoo(
            URL, db="d", username="u", password="p", timeout=5, transport="httpx"
        ) as odoo:
            await odoo.execute_kw("res.partner", "search_count", [[]], timeout=None)
            await odoo.with_options(timeout=2).version()
            await odoo.execute_kw("res.partner", "search_count", [[]])
    assert seen[1]["read"] is None, "timeout=None: no limit, as in httpx"
    assert seen[2]["read"] == 2.0, "version() follows the view's timeout"
    assert seen[3]["read"] == 5.0


def test_a_fault_message_ending_in_a_newline_reads_on_one_line() -> None:
    error = ConcurrencyError(
        "could not serialize access due to concurrent update\n",
        name="psycopg2.errors.SerializationFailure",
        model="res.partner",
        method="write",
    )
    assert str(error) == "could not serialize access due to concurrent update [res.partner.write]"
    assert error.message.startswith("could not serialize")


class _Opaque:
    pass


@pytest.mark.parametrize(
    ("value", "type_name"), [(object(), "object"), (_Opaque(), "_Opaque"), (1j, "complex")]
)
def test_a_value_json_cannot_carry_is_named_by_its_type(value: object, type_name: str) -> None:
    from odoo_async._protocols._jsonrpc import encode_request

    with pytest.raises(TypeError) as info:
        encode_request({"args": [value]})
    assert f"cannot send a value of type {type_name!r} to Odoo" in str(info.value)
