"""Failures below JSON-RPC: undecodable bodies, unsendable requests, odd envelopes, TLS setup."""

from __future__ import annotations

import json
import os
import ssl
import warnings
from pathlib import Path
from typing import Any

import certifi
import httpx
import msgspec
import pytest
import respx
from conftest import Sleeps

from odoo_async import (
    AsyncOdoo,
    ConnectionDropped,
    HTTPStatusError,
    OdooError,
    ProtocolError,
    RetryPolicy,
    RPCError,
    TransportError,
)
from odoo_async._errors import fault_to_error
from odoo_async._protocols._jsonrpc import decode_reply
from odoo_async._transports._tls import ssl_context
from odoo_async.testing import FakeOdoo

URL = "http://odoo.test"
SECRET = "s3cr3t-Pa55word"


def client(**options: Any) -> AsyncOdoo:
    # respx mocks httpx's own transport (httpcore), not the default aiohttp one
    options.setdefault("transport", "httpx")
    return AsyncOdoo(URL, db="odoo17", username="admin", password=SECRET, **options)


def router(reply: Any) -> tuple[respx.MockRouter, list[str]]:
    """Authenticate answers uid 2; every ``execute_kw`` gets ``reply`` (a response or an error).

    Returns the router and the list of the ``execute_kw`` methods sent.
    """
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        params = body["params"]
        if params["method"] == "authenticate":
            return httpx.Response(200, json={"jsonrpc": "2.0", "id": body["id"], "result": 2})
        calls.append(params["args"][4])
        if isinstance(reply, Exception):
            raise reply
        return reply

    mock = respx.mock(assert_all_called=False)
    mock.post(f"{URL}/jsonrpc").mock(side_effect=handler)
    return mock, calls


def bad_gzip(status: int = 200) -> httpx.Response:
    return httpx.Response(
        status,
        headers={"Content-Encoding": "gzip", "Content-Type": "text/html"},
        stream=httpx.ByteStream(b"<html><title>Bad gateway</title></html>"),
    )


# -- a body that does not match its Content-Encoding ---------------------------


async def test_a_body_that_is_not_gzip_is_a_protocol_error_sent_once() -> None:
    sleeps = Sleeps()
    mock, calls = router(bad_gzip())
    with mock:
        async with client(sleep=sleeps) as odoo:  # the default retry policy
            await odoo.authenticate()
            before = odoo.stats.snapshot()
            with pytest.raises(ProtocolError, match=r"cannot be decoded") as info:
                await odoo.execute_kw("res.partner", "read", [[1]], {"fields": ["name"]})
            after = odoo.stats.snapshot()
    error = info.value
    assert isinstance(error, OdooError)
    assert isinstance(error.__cause__, httpx.DecodingError)
    assert (error.model, error.method) == ("res.partner", "read")
    assert calls == ["read"], "a reply that cannot be decoded is never replayed"
    assert sleeps.delays == []
    assert after["requests"] - before["requests"] == 1
    assert after["errors"] - before["errors"] == 1


class BadGzipTransport(httpx.AsyncBaseTransport):
    """Authenticate answers uid 2; every other call gets a body that is not gzip.

    (respx reads the body inside its transport, so the status is lost there;
    a transport that streams, like httpx's own, keeps it.)
    """

    def __init__(self, status: int) -> None:
        self.status = status
        self.calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body["params"]["method"] == "authenticate":
            return httpx.Response(200, json={"jsonrpc": "2.0", "id": body["id"], "result": 2})
        self.calls += 1
        return bad_gzip(self.status)


async def test_an_undecodable_200_reply_keeps_its_status_and_is_sent_once() -> None:
    transport = BadGzipTransport(200)
    sleeps = Sleeps()
    async with client(transport=transport, sleep=sleeps) as odoo:  # the default policy
        await odoo.authenticate()
        errors = odoo.stats.errors
        with pytest.raises(ProtocolError) as info:
            await odoo.execute_kw("res.partner", "read", [[1]])
        assert odoo.stats.errors == errors + 1
    error = info.value
    assert error.status_code == 200
    assert error.content_type == "text/html"
    assert "HTTP 200, Content-Encoding: gzip" in str(error)
    assert transport.calls == 1
    assert sleeps.delays == []


async def test_an_undecodable_error_page_keeps_its_status() -> None:
    transport = BadGzipTransport(502)
    async with client(transport=transport, retry=RetryPolicy.NONE) as odoo:
        with pytest.raises(ProtocolError) as info:
            await odoo.execute_kw("res.partner", "read", [[1]])
    assert info.value.status_code == 502
    assert "HTTP 502" in str(info.value)
    assert transport.calls == 1


# -- requests httpx refuses to send ----------------------------------------------


@pytest.mark.parametrize(
    "exc",
    [
        httpx.LocalProtocolError(f"Illegal header value b'{SECRET}\\n'"),
        httpx.UnsupportedProtocol("Request URL has an unsupported protocol 'ftp://'."),
    ],
    ids=["LocalProtocolError", "UnsupportedProtocol"],
)
async def test_an_unsendable_request_is_a_protocol_error_never_retried(exc: Exception) -> None:
    sleeps = Sleeps()
    mock, calls = router(exc)
    with mock:
        async with client(sleep=sleeps) as odoo:  # the default retry policy
            await odoo.authenticate()
            before = odoo.stats.snapshot()
            with pytest.raises(ProtocolError, match=type(exc).__name__) as info:
                await odoo.execute_kw("res.partner", "read", [[1]])
            after = odoo.stats.snapshot()
    error = info.value
    assert not isinstance(error, TransportError)
    assert error.__cause__ is exc
    assert error.status_code is None
    assert SECRET not in str(error)
    assert calls == ["read"], "the same request would fail the same way again"
    assert sleeps.delays == []
    assert after["requests"] - before["requests"] == 1
    assert after["errors"] - before["errors"] == 1


async def test_remote_protocol_errors_stay_dropped_connections() -> None:
    mock, _ = router(httpx.RemoteProtocolError("Server disconnected without sending a response."))
    with mock:
        async with client(retry=RetryPolicy.NONE) as odoo:
            with pytest.raises(ConnectionDropped) as info:
                await odoo.execute_kw("res.partner", "read", [[1]])
    assert isinstance(info.value.__cause__, httpx.RemoteProtocolError)


async def test_any_other_httpx_request_error_becomes_a_transport_error() -> None:
    mock, _ = router(httpx.RequestError("something httpx-shaped"))
    with mock:
        async with client(retry=RetryPolicy.NONE) as odoo:
            await odoo.authenticate()
            errors = odoo.stats.errors
            with pytest.raises(TransportError, match="something httpx-shaped") as info:
                await odoo.execute_kw("res.partner", "read", [[1]])
            assert odoo.stats.errors == errors + 1
    assert type(info.value.__cause__) is httpx.RequestError


# -- JSON objects without result or error ------------------------------------------


async def test_a_json_object_that_is_no_jsonrpc_reply_is_a_protocol_error() -> None:
    mock, calls = router(httpx.Response(200, json={"status": "ok"}))
    with mock:
        async with client() as odoo:
            with pytest.raises(ProtocolError, match=r'\{"status":"ok"\}') as info:
                await odoo.execute_kw("res.partner", "search", [[]])
    assert info.value.status_code == 200
    assert info.value.body == b'{"status":"ok"}'
    assert calls == ["search"], "a 200 reply is a real answer: never replayed"


async def test_a_jsonrpc_reply_without_result_is_none() -> None:
    # What Odoo sends for a call that returns nothing (web/session/destroy).
    mock, _ = router(httpx.Response(200, json={"jsonrpc": "2.0", "id": 1}))
    with mock:
        async with client(retry=RetryPolicy.NONE) as odoo:
            assert await odoo.execute_kw("res.partner", "write", [[1], {"name": "x"}]) is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"jsonrpc": "2.0", "id": 1}', b"null"),
        (b'{"jsonrpc": "2.0", "id": 1, "result": null}', b"null"),
        (b'{"jsonrpc": "2.0", "id": 1, "result": [1, 2]}', b"[1, 2]"),
        (b'{"result": false}', b"false"),
    ],
)
def test_decode_reply_returns_the_raw_result(body: bytes, expected: bytes) -> None:
    raw = decode_reply(httpx.Response(200, content=body))
    assert isinstance(raw, msgspec.Raw)
    assert bytes(raw) == expected


@pytest.mark.parametrize("body", [b"{}", b'{"status": "ok"}', b'{"id": 1, "error": null}'])
def test_decode_reply_refuses_objects_without_jsonrpc_result_or_error(body: bytes) -> None:
    with pytest.raises(ProtocolError, match="without jsonrpc, result or error"):
        decode_reply(httpx.Response(200, content=body), model="m", method="f")


def test_decode_reply_masks_secrets_in_what_came_back() -> None:
    body = json.dumps({"echo": SECRET}).encode()
    with pytest.raises(ProtocolError) as info:
        decode_reply(httpx.Response(200, content=body), secrets=(SECRET,))
    assert SECRET not in str(info.value)
    assert SECRET.encode() not in info.value.body


# -- secrets in a fault's context ----------------------------------------------------


async def test_a_fault_context_is_redacted() -> None:
    fault = {
        "jsonrpc": "2.0",
        "id": 1,
        "error": {
            "code": 200,
            "message": "Odoo Server Error",
            "data": {
                "name": "odoo.exceptions.UserError",
                "message": f"bad '{SECRET}'",
                "arguments": [f"bad '{SECRET}'", [SECRET]],
                "debug": f"Traceback {SECRET}",
                "context": {
                    "echo": SECRET,
                    "nested": {"deeper": [f"x{SECRET}x", 3, {"k": SECRET}]},
                    "lang": "en_US",
                    "uid": 2,
                },
            },
        },
    }
    mock, _ = router(httpx.Response(200, json=fault))
    with mock:
        async with client(retry=RetryPolicy.NONE) as odoo:
            with pytest.raises(RPCError) as info:
                await odoo.execute_kw("res.partner", "write", [[1], {"name": "x"}])
    error = info.value
    assert error.context == {
        "echo": "***",
        "nested": {"deeper": ["x***x", 3, {"k": "***"}]},
        "lang": "en_US",
        "uid": 2,
    }
    assert error.arguments == ["bad '***'", ["***"]]
    blob = " ".join(map(str, [error, repr(error), error.debug, error.arguments, error.context]))
    assert SECRET not in blob


def test_fault_to_error_keeps_the_context_without_secrets() -> None:
    context = {"lang": "en_US", "tz": "Europe/Brussels", "allowed_company_ids": [1]}
    error = fault_to_error({"name": "x.Y", "context": context})
    assert error.context == context


# -- verify= as a CA bundle path --------------------------------------------------------


async def test_verify_given_a_ca_file_path_builds_an_ssl_context_without_warning() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with client(verify=certifi.where()) as odoo:
            http_client = odoo._core.http.client
            assert isinstance(http_client, httpx.AsyncClient)
    assert [str(w.message) for w in caught] == []


def test_ssl_context_from_a_file_a_directory_or_a_path(tmp_path: Path) -> None:
    from_file = ssl_context(certifi.where())
    assert isinstance(from_file, ssl.SSLContext)
    assert from_file.verify_mode == ssl.CERT_REQUIRED
    assert from_file.cert_store_stats()["x509_ca"] > 0
    from_path = ssl_context(Path(certifi.where()))
    assert isinstance(from_path, ssl.SSLContext)
    assert from_path.cert_store_stats()["x509_ca"] > 0
    from_dir = ssl_context(str(tmp_path))  # capath: certificates are loaded on demand
    assert isinstance(from_dir, ssl.SSLContext)
    assert from_dir.verify_mode == ssl.CERT_REQUIRED


def test_ssl_context_passes_booleans_and_contexts_through() -> None:
    context = ssl.create_default_context()
    assert ssl_context(context) is context
    assert ssl_context(True) is True
    assert ssl_context(False) is False


def test_a_missing_ca_path_is_named_in_the_error(tmp_path: Path) -> None:
    missing = os.path.join(tmp_path, "nope.pem")
    odoo = client(verify=missing)
    with pytest.raises(FileNotFoundError, match=r"nope\.pem"):
        odoo._core.http.client  # noqa: B018


# -- a 404: the URL as sent, once, and what to do ---------------------------------------

NOT_FOUND_PAGE = (
    b"<!DOCTYPE html><html><head><title>Qu\xe1\xba\xa3n l\xc3\xbd kho</title></head></html>"
)


@pytest.mark.parametrize(
    ("base", "hint"),
    [
        (
            "http://odoo.test/erp",
            "; the URL given has a path (/erp): give the server's base URL, such as "
            "'http://odoo.test', unless Odoo is served under that path",
        ),
        ("http://odoo.test", ""),
    ],
)
async def test_a_404_names_the_url_as_sent_and_not_the_page_title(base: str, hint: str) -> None:
    with respx.mock(assert_all_called=False) as mock:
        mock.post(f"{base}/jsonrpc").mock(
            return_value=httpx.Response(
                404, content=NOT_FOUND_PAGE, headers={"content-type": "text/html; charset=utf-8"}
            )
        )
        odoo = AsyncOdoo(
            base, db="odoo", username="admin", password="admin", transport="httpx",
            retry=RetryPolicy.NONE,
        )  # fmt: skip
        async with odoo:
            with pytest.raises(HTTPStatusError) as info:
                await odoo.authenticate()
    assert str(info.value) == (
        f"HTTP 404 Not Found from {base}/jsonrpc: the server has no such endpoint "
        f"(it answered with an HTML page){hint} [authenticate]"
    )


@pytest.mark.parametrize("protocol", ["jsonrpc", "xmlrpc", "web"])
async def test_a_prefix_the_double_does_not_serve_gets_the_hint(protocol: str) -> None:
    fake = FakeOdoo(db="odoo", partners=1)
    async with fake.serve() as url:
        odoo = AsyncOdoo(
            url + "/erp", db="odoo", username="admin", password="admin", protocol=protocol,
            retry=RetryPolicy.NONE,
        )  # fmt: skip
        async with odoo:
            with pytest.raises(HTTPStatusError) as info:
                await odoo.authenticate()
    message = str(info.value)
    assert message.upper().startswith(f"HTTP 404 NOT FOUND FROM {url.upper()}/ERP/")
    assert message.count("/erp") == 2  # the URL as sent, and the hint
    assert f"give the server's base URL, such as {url!r}" in message


async def test_plain_http_to_a_tls_port_says_to_use_https() -> None:
    """nginx answers HTTP 400 to plain HTTP on its TLS port: the error says what to give."""
    page = (
        b"<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>"
        b"\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n"
        b"<center>The plain HTTP request was sent to HTTPS port</center>\r\n</body>\r\n</html>\r\n"
    )
    with respx.mock(assert_all_called=False) as mock:
        mock.post(f"{URL}/jsonrpc").mock(
            return_value=httpx.Response(400, content=page, headers={"Content-Type": "text/html"})
        )
        async with client() as odoo:
            with pytest.raises(HTTPStatusError) as info:
                await odoo.execute_kw("res.partner", "search_count", [[]])
    assert info.value.status_code == 400
    assert str(info.value).endswith(
        "the server speaks HTTPS on that port: use 'https://odoo.test' [authenticate]"
    ), str(info.value)


async def test_a_host_header_given_is_sent_once() -> None:
    seen: list[list[str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get_list("host"))
        body = json.loads(request.content)
        return httpx.Response(200, json={"jsonrpc": "2.0", "id": body["id"], "result": 2})

    with respx.mock(assert_all_called=False) as mock:
        mock.post(f"{URL}/jsonrpc").mock(side_effect=handler)
        async with client() as odoo:
            await odoo.execute_kw("res.partner", "search_count", [[]])
        async with client(headers={"Host": "odoo.internal"}) as odoo:
            await odoo.execute_kw("res.partner", "search_count", [[]])
    assert seen[:2] == [["odoo.test"], ["odoo.test"]]
    assert seen[2:] == [["odoo.internal"], ["odoo.internal"]]
