"""The transports ``AsyncOdoo(transport=...)`` names, over real loopback sockets.

The default (``"aiohttp"``, aiohttp's pool through httpx-aiohttp), httpx's own
(``"httpx"``) and ``"pooled"`` (PooledTransport, whose pool itself is tested in
test_transport.py) pass the same checks: TLS with SNI and verification,
timeouts, refused and dropped connections, cancellation, and the trace events
that tell a stale connection.
"""

from __future__ import annotations

import asyncio
import gzip
import random
import ssl
import sys
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest
from conftest import (
    REPLY,
    RawServer,
    cancel_at_random,
    keep_alive,
    read_request,
    reply,
    settle,
)

from odoo_async import (
    AsyncOdoo,
    ConnectError,
    ConnectionDropped,
    FailureKind,
    RequestTimeout,
    RetryPolicy,
)
from odoo_async._config import LIMITS as DEFAULT_LIMITS
from odoo_async._stats import ClientStats
from odoo_async._transports import make_transport
from odoo_async._transports._aiohttp import AiohttpTransport
from odoo_async._transports._session import HttpxSession
from odoo_async._transports._trace import RequestTrace
from odoo_async.testing import FakeOdoo

NAMES = ["aiohttp", "httpx", "pooled"]


def connect(url: str, name: str, **options: Any) -> AsyncOdoo:
    return AsyncOdoo(url, db="odoo", username="admin", password="admin", transport=name, **options)


@pytest.fixture
def fake() -> FakeOdoo:
    return FakeOdoo(db="odoo", partners=20)


def test_the_default_is_aiohttp_and_httpx_is_one_keyword_away() -> None:
    default = make_transport(None, verify=True, http2=False, limits=DEFAULT_LIMITS)
    assert isinstance(default, AiohttpTransport)
    own = make_transport("httpx", verify=True, http2=False, limits=DEFAULT_LIMITS)
    assert type(own) is httpx.AsyncHTTPTransport
    h2 = make_transport(None, verify=True, http2=True, limits=DEFAULT_LIMITS)
    assert type(h2) is httpx.AsyncHTTPTransport, "aiohttp has no HTTP/2"
    with pytest.raises(ValueError, match="transport must be"):
        AsyncOdoo("http://odoo", db="d", username="u", password="p", transport="curl")


@pytest.mark.parametrize("name", NAMES)
async def test_sequential_calls_reuse_one_connection(name: str) -> None:
    transport = make_transport(name, verify=True, http2=False, limits=DEFAULT_LIMITS)
    async with RawServer(keep_alive) as server, httpx.AsyncClient(transport=transport) as http:
        for _ in range(5):
            assert (await http.post(server.url, content=b"{}")).content == REPLY
    assert server.connections == 1


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("verify", ["path", "context", "off"])
async def test_tls_with_sni(certificate: tuple[Path, Path], verify: str, name: str) -> None:
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    names: list[str | None] = []
    server_context.sni_callback = lambda _sock, name, _ctx: names.append(name)  # type: ignore[assignment,func-returns-value]
    option: bool | str | ssl.SSLContext = {
        "path": str(cert),
        "context": ssl.create_default_context(cafile=str(cert)),
        "off": False,
    }[verify]
    transport = make_transport(name, verify=option, http2=False, limits=DEFAULT_LIMITS)
    async with (
        RawServer(keep_alive, ssl_context=server_context) as server,
        httpx.AsyncClient(transport=transport, timeout=5.0) as http,
    ):
        url = server.url.replace("127.0.0.1", "localhost")
        for _ in range(3):
            assert (await http.post(url, content=b"{}")).content == REPLY
    assert names == ["localhost"], "one handshake, with the host name as SNI"
    assert server.connections == 1


@pytest.mark.parametrize("name", NAMES)
async def test_tls_with_an_unknown_certificate_is_a_connect_error(
    certificate: tuple[Path, Path], name: str
) -> None:
    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    async with (
        RawServer(keep_alive, ssl_context=server_context) as server,
        connect(server.url, name, retry=RetryPolicy.NONE) as odoo,
    ):
        with pytest.raises(ConnectError, match="CERTIFICATE_VERIFY_FAILED") as info:
            await odoo.authenticate()
    assert "give verify= the path of that CA's file, or set SSL_CERT_FILE" in str(info.value)
    assert info.value.certificate_refused
    assert FailureKind.of(info.value) is FailureKind.CERTIFICATE


async def test_a_refused_certificate_is_not_retried_nor_waited_for_by_a_job(
    certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    """The same handshake would fail the same way: the client's default policy and a
    job's outage allowance both give up at once (no sleep is asked for)."""
    from odoo_async.jobs import export

    cert, key = certificate
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert, key)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async with (
        RawServer(keep_alive, ssl_context=server_context) as server,
        AsyncOdoo(server.url, db="odoo", username="admin", password="admin", sleep=sleep) as odoo,
    ):
        with pytest.raises(ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await export(odoo.model("res.partner"), None, ["name"], tmp_path / "out.jsonl")
        assert (odoo.stats.requests, odoo.stats.retries) == (1, 0)
    assert slept == []


@pytest.mark.parametrize("name", NAMES)
async def test_read_timeout(fake: FakeOdoo, name: str) -> None:
    async with fake.serve() as url, connect(url, name, retry=RetryPolicy.NONE) as odoo:
        n = await odoo.model("res.partner").search_count([])
        fake.inject("slow", times=1, method="search_count", delay=5.0)
        with pytest.raises(RequestTimeout) as info:
            await odoo.with_options(timeout=0.2).model("res.partner").search_count([])
        assert info.value.limit == "read"
        assert await odoo.model("res.partner").search_count([]) == n


@pytest.mark.parametrize("name", NAMES)
async def test_a_gzipped_reply_is_decoded(name: str) -> None:
    """aiohttp decodes nothing (auto_decompress is off): httpx's decoders do, on every transport."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(reply(gzip.compress(REPLY), extra=b"Content-Encoding: gzip\r\n"))
        await writer.drain()

    async with RawServer(handler) as server:
        http = HttpxSession(
            server.url,
            timeout=5.0,
            limits=DEFAULT_LIMITS,
            http2=False,
            verify=True,
            transport=name,
            headers=None,
            stats=ClientStats(),
        )
        try:
            response = await http.post("/jsonrpc", b"{}")
        finally:
            await http.aclose()
    assert response.content == REPLY


@pytest.mark.parametrize("name", NAMES)
async def test_pool_timeout(name: str) -> None:
    release = asyncio.Event()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await release.wait()
        writer.write(reply())
        await writer.drain()

    limits = httpx.Limits(max_connections=1)
    transport = make_transport(name, verify=True, http2=False, limits=limits)
    timeout = httpx.Timeout(5.0, pool=0.1)
    async with (
        RawServer(handler) as server,
        httpx.AsyncClient(transport=transport, timeout=timeout) as http,
    ):
        busy = asyncio.ensure_future(http.post(server.url, content=b"{}"))
        await settle(lambda: server.connections == 1)
        with pytest.raises(httpx.PoolTimeout):
            await http.post(server.url, content=b"{}")
        release.set()
        assert (await busy).content == REPLY


@pytest.mark.parametrize("name", NAMES)
async def test_a_refused_connection_is_a_connect_error(name: str) -> None:
    async with RawServer(keep_alive) as server:
        url = server.url
    async with connect(url, name, retry=RetryPolicy.NONE) as odoo:
        with pytest.raises(ConnectError):
            await odoo.authenticate()


@pytest.mark.parametrize("name", NAMES)
async def test_a_dropped_connection_is_connection_dropped(fake: FakeOdoo, name: str) -> None:
    async with fake.serve() as url, connect(url, name, retry=RetryPolicy.NONE) as odoo:
        n = await odoo.model("res.partner").search_count([])
        fake.inject("drop", times=1, method="write")
        with pytest.raises(ConnectionDropped) as info:
            await odoo.model("res.partner").write([1], {"comment": "x"})
        assert info.value.stale_connection is False, "the request was sent: it may have run"
        assert isinstance(info.value.__cause__, httpx.RemoteProtocolError)
        assert str(info.value.__cause__) == "Server disconnected without sending a response."
        assert await odoo.model("res.partner").search_count([]) == n


@pytest.mark.parametrize("name", NAMES)
async def test_cancelling_500_calls_leaves_the_client_usable(fake: FakeOdoo, name: str) -> None:
    fake.latency = 0.001
    rng = random.Random(7)
    async with fake.serve() as url, connect(url, name, max_concurrency=None) as odoo:
        n = await odoo.execute_kw("res.partner", "search_count", [[]])
        tasks = [
            asyncio.ensure_future(odoo.execute_kw("res.partner", "search_count", [[]]))
            for _ in range(500)
        ]
        spared = tasks[::10]  # left to finish among the cancelled ones
        outcomes = await cancel_at_random([t for t in tasks if t not in spared], rng, max_ticks=300)
        assert any(isinstance(o, asyncio.CancelledError) for o in outcomes)
        assert await asyncio.gather(*spared) == [n] * len(spared)
        results = await asyncio.gather(
            *(odoo.execute_kw("res.partner", "search_count", [[]]) for _ in range(100))
        )
        assert results == [n] * 100


class _ClosedUnderTheWrite(AiohttpTransport):
    """The default transport whose pooled connection is closed once the headers are queued.

    A test hook only: aiohttp's trace events, which the transport itself no
    longer uses, reach into the one connection in use (aiohttp internals).
    """

    armed = False

    def _session(self) -> aiohttp.ClientSession:
        session = super()._session()

        async def close(*_args: Any) -> None:
            if self.armed:
                (protocol,) = session.connector._acquired  # type: ignore[union-attr]
                protocol.transport.close()

        config = aiohttp.TraceConfig()
        config.on_request_headers_sent.append(close)
        config.freeze()
        session._trace_configs.append(config)
        return session


async def test_aiohttp_a_pooled_connection_closed_under_the_write() -> None:
    transport = _ClosedUnderTheWrite()
    async with (
        RawServer(keep_alive) as server,
        httpx.AsyncClient(transport=transport, timeout=5.0) as http,
    ):
        await http.post(server.url, content=b"{}")
        transport.armed = True
        trace = RequestTrace()
        with pytest.raises(httpx.TransportError) as info:
            await http.post(server.url, content=b"{}", extensions={"trace": trace})
        transport.armed = False
        assert (await http.post(server.url, content=b"{}")).content == REPLY
    if isinstance(info.value, httpx.WriteError):
        # aiohttp refused the write: nothing was sent, the request may be replayed
        assert trace.stale
    else:
        # the close was seen before the write was tried: the connection looks
        # dropped under the request, which is never replayed blindly
        assert isinstance(info.value, httpx.RemoteProtocolError)
        assert not trace.stale
    if sys.version_info >= (3, 12):  # aiohttp writes the body at once (an eager task)
        assert isinstance(info.value, httpx.WriteError)


async def test_aiohttp_a_connection_that_takes_too_long_is_a_connect_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not a pool timeout: the transport knows a connection was being opened.

    It learns so from aiohttp's connector (``_create_connection``, aiohttp's own
    since 3.0); were that renamed, this would say ``PoolTimeout``.
    """
    never = asyncio.Event()

    async def hang(*_args: Any) -> Any:
        await never.wait()

    monkeypatch.setattr(aiohttp.TCPConnector, "_create_connection", hang)
    timeout = httpx.Timeout(5.0, connect=0.05, pool=0.05)
    async with httpx.AsyncClient(transport=AiohttpTransport(), timeout=timeout) as http:
        with pytest.raises(httpx.ConnectTimeout):
            await http.post("http://127.0.0.1:9/", content=b"{}")


async def test_aiohttp_errors_while_the_body_is_read_are_httpx_errors() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"{" * 10)
        await writer.drain()
        writer.close()

    async with (
        RawServer(handler) as server,
        httpx.AsyncClient(transport=AiohttpTransport(), timeout=5.0) as http,
    ):
        with pytest.raises(httpx.RemoteProtocolError):
            await http.post(server.url, content=b"{}")
