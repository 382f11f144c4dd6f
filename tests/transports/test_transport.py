"""PooledTransport: the keep-alive pool, framing, timeouts, cancellation and TLS.

Pool behaviour is checked against the test double over loopback TCP; framing
and server-side closes that the double cannot produce on demand (chunked
replies, HTTP/1.0, a socket closed while idle) against small asyncio servers
written here.
"""

from __future__ import annotations

import asyncio
import gzip
import random
import ssl
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import (
    REPLY,
    RawServer,
    Recorder,
    cancel_at_random,
    connect,
    keep_alive,
    read_request,
    reply,
    settle,
)

from odoo_async import (
    ClientClosedError,
    ConnectError,
    ConnectionDropped,
    RequestTimeout,
    RetryPolicy,
)
from odoo_async._transports._pooled import PooledTransport
from odoo_async._transports._trace import RequestTrace
from odoo_async.testing import FakeOdoo


@pytest.fixture
def fake() -> FakeOdoo:
    return FakeOdoo(db="odoo", partners=20)


@pytest.fixture
async def client() -> AsyncIterator[tuple[httpx.AsyncClient, PooledTransport]]:
    transport = PooledTransport()
    async with httpx.AsyncClient(transport=transport, timeout=5.0) as http:
        yield http, transport


# --------------------------------------------------------------------------- the pool


async def test_concurrent_calls_never_exceed_max_connections(fake: FakeOdoo) -> None:
    fake.latency = 0.002
    transport = PooledTransport(max_connections=8)
    async with fake.serve() as url, connect(url, transport=transport, max_concurrency=None) as odoo:
        await odoo.authenticate()
        results = await asyncio.gather(
            *(odoo.execute_kw("res.partner", "read", [[1], ["name"]]) for _ in range(200))
        )
        assert fake.peak_requests <= 8
    assert len(results) == 200
    assert transport.peak_connections == 8
    assert transport.connections_opened == 8, "keep-alive: no connection was opened twice"
    assert fake.peak_connections <= 8


async def test_sequential_calls_reuse_one_connection(fake: FakeOdoo) -> None:
    transport = PooledTransport()
    async with fake.serve() as url, connect(url, transport=transport) as odoo:
        n = await odoo.execute_kw("res.partner", "search_count", [[]])
        for _ in range(199):
            assert await odoo.execute_kw("res.partner", "search_count", [[]]) == n
        assert transport.idle_connections == transport.open_connections == 1
    assert transport.connections_opened == 1
    assert fake.connections == 1
    assert transport.open_connections == 0, "aclose() closed it"


async def test_a_connection_idle_past_keepalive_expiry_is_not_reused(fake: FakeOdoo) -> None:
    transport = PooledTransport(keepalive_expiry=0.0)
    async with fake.serve() as url, connect(url, transport=transport) as odoo:
        for _ in range(5):
            await odoo.execute_kw("res.partner", "search_count", [[]])
            assert transport.open_connections == 1, "the expired connection was closed"
    # authenticate, then five calls: each found the previous connection expired
    assert transport.connections_opened == 6


async def test_connection_close_replies_close_the_connection(fake: FakeOdoo) -> None:
    """``serve(keep_alive=False)``: every reply says ``Connection: close``."""
    transport = PooledTransport()
    async with fake.serve(keep_alive=False) as url, connect(url, transport=transport) as odoo:
        n = await odoo.execute_kw("res.partner", "search_count", [[]])
        for _ in range(4):
            assert await odoo.execute_kw("res.partner", "search_count", [[]]) == n
            assert transport.open_connections == transport.idle_connections == 0
        assert odoo.stats.errors == 0
    assert transport.connections_opened == 6


@pytest.mark.parametrize(
    "parting",
    [
        pytest.param(b"", id="close"),
        # some servers say why before closing an idle keep-alive socket
        pytest.param(b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n", id="408"),
    ],
)
async def test_a_connection_the_server_closed_while_idle_leaves_the_pool(
    client: tuple[httpx.AsyncClient, PooledTransport], parting: bytes
) -> None:
    http, transport = client
    closed = asyncio.Event()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(reply(extra=b"Connection: keep-alive\r\n"))
        await writer.drain()
        await closed.wait()  # the test says when the idle timeout strikes
        writer.write(parting)
        await writer.drain()

    async with RawServer(handler) as server:
        assert (await http.post(server.url, content=b"{}")).content == REPLY
        assert transport.idle_connections == 1
        closed.set()
        await settle(lambda: transport.open_connections == 0)
        assert transport.idle_connections == 0
        assert (await http.post(server.url, content=b"{}")).content == REPLY
    assert server.connections == 2
    assert transport.connections_opened == 2


async def test_waiters_are_served_first_come_first_served() -> None:
    transport = PooledTransport(max_connections=1)
    order: list[int] = []
    async with (
        RawServer(keep_alive) as server,
        httpx.AsyncClient(transport=transport, timeout=5.0) as one,
    ):

        async def call(n: int) -> None:
            await one.post(server.url, content=b"{}")
            order.append(n)

        await asyncio.gather(*(call(n) for n in range(20)))
    assert order == list(range(20))
    assert transport.connections_opened == 1


async def test_connections_to_another_origin_make_room() -> None:
    transport = PooledTransport(max_connections=1)
    async with (
        RawServer(keep_alive) as first,
        RawServer(keep_alive) as second,
        httpx.AsyncClient(transport=transport, timeout=5.0) as http,
    ):
        for url in (first.url, second.url, first.url):
            assert (await http.post(url, content=b"{}")).content == REPLY
            assert transport.open_connections == 1
    assert transport.connections_opened == 3


class SocketsAtConnect:
    """Wraps the running loop's ``create_connection``: how many sockets it opened
    earlier are still open (not yet closed at the OS level) each time it is called."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        loop = asyncio.get_running_loop()
        self._real = loop.create_connection
        self._opened: list[asyncio.BaseTransport] = []
        self.open_at_connect: list[int] = []
        monkeypatch.setattr(loop, "create_connection", self._create_connection)

    async def _create_connection(self, *args: Any, **kwargs: Any) -> Any:
        still_open = sum(t.get_extra_info("socket").fileno() != -1 for t in self._opened)
        self.open_at_connect.append(still_open)
        transport, protocol = await self._real(*args, **kwargs)
        self._opened.append(transport)
        return transport, protocol


@pytest.mark.parametrize("case", ["expired", "connection-close", "another-origin"])
async def test_a_replaced_connection_is_closed_before_its_successor_opens(
    fake: FakeOdoo, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    """``max_connections`` holds for sockets, not just for the pool's books: the
    socket a connection is replaced for is closed before the next one is opened."""
    sockets = SocketsAtConnect(monkeypatch)
    expiry = 0.0 if case == "expired" else 1.0
    transport = PooledTransport(max_connections=1, keepalive_expiry=expiry)
    other = FakeOdoo(db="odoo")
    async with (
        fake.serve(keep_alive=case != "connection-close") as url,
        other.serve() as other_url,
        connect(url, transport=transport) as odoo,
        connect(other_url, transport=transport) as elsewhere,
    ):
        for _ in range(5):
            await odoo.execute_kw("res.partner", "search_count", [[]])
            if case == "another-origin":
                await elsewhere.execute_kw("res.partner", "search_count", [[]])
    assert len(sockets.open_at_connect) >= 6
    assert set(sockets.open_at_connect) == {0}
    assert fake.peak_connections == 1, "the double saw each close before the next connection"
    assert other.peak_connections <= 1


# --------------------------------------------------------------------------- framing


async def test_a_chunked_reply_is_read_whole(
    client: tuple[httpx.AsyncClient, PooledTransport],
) -> None:
    http, transport = client
    parts = [REPLY[:10], REPLY[10:11], REPLY[11:]]

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await read_request(reader):
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n"
            )
            for part in parts:
                await writer.drain()
                writer.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            writer.write(b"0\r\n\r\n")
            await writer.drain()

    async with RawServer(handler) as server:
        for _ in range(3):
            response = await http.post(server.url, content=b"{}")
            assert response.content == REPLY
            assert response.json() == {"jsonrpc": "2.0", "id": 1, "result": True}
    assert transport.connections_opened == 1, "a chunked reply keeps the connection alive"


async def test_http_1_0_reply_read_to_end_of_file_then_closed(
    client: tuple[httpx.AsyncClient, PooledTransport],
) -> None:
    http, transport = client

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + REPLY)
        await writer.drain()

    async with RawServer(handler) as server:
        for _ in range(2):
            response = await http.post(server.url, content=b"{}")
            assert response.content == REPLY
            assert response.http_version == "HTTP/1.0"
            assert transport.open_connections == 0
    assert server.connections == 2


async def test_a_gzip_reply_is_decoded(client: tuple[httpx.AsyncClient, PooledTransport]) -> None:
    http, _ = client

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(reply(gzip.compress(REPLY), extra=b"Content-Encoding: gzip\r\n"))
        await writer.drain()

    async with RawServer(handler) as server:
        response = await http.post(server.url, content=b"{}")
    assert response.content == REPLY
    assert response.reason_phrase == "OK"


# --------------------------------------------------------------------------- trace events


async def test_trace_events_tell_new_connections_from_pooled_ones(
    client: tuple[httpx.AsyncClient, PooledTransport],
) -> None:
    http, _ = client
    async with RawServer(keep_alive) as server:
        first, second = Recorder(), Recorder()
        await http.post(server.url, content=b"{}", extensions={"trace": first})
        await http.post(server.url, content=b"{}", extensions={"trace": second})
    written = ["http11.send_request_headers.started", "http11.send_request_body.complete"]
    assert first.names == ["connection.connect_tcp.started", *written]
    assert second.names == written


async def test_a_pooled_connection_closed_under_the_write_is_stale(
    client: tuple[httpx.AsyncClient, PooledTransport],
) -> None:
    """The close races the write: the request was not sent, the client may replay it."""
    http, transport = client
    async with RawServer(keep_alive) as server:
        await http.post(server.url, content=b"{}")
        (pooled,) = transport._connections

        def close_now(name: str) -> None:
            if name == "http11.send_request_headers.started":
                pooled.abort()

        trace = RequestTrace()
        recorder = Recorder(then=close_now)

        async def both(name: str, info: Mapping[str, Any]) -> None:
            await recorder(name, info)
            await trace(name, info)

        with pytest.raises(httpx.WriteError):
            await http.post(server.url, content=b"{}", extensions={"trace": both})
        assert trace.stale
        assert transport.open_connections == 0
        assert (await http.post(server.url, content=b"{}")).content == REPLY


# --------------------------------------------------------------------------- errors


async def test_read_timeout(fake: FakeOdoo) -> None:
    transport = PooledTransport()
    async with (
        fake.serve() as url,
        connect(url, transport=transport, retry=RetryPolicy.NONE) as odoo,
    ):
        n = await odoo.model("res.partner").search_count([])
        fake.inject("slow", times=1, method="search_count", delay=5.0)
        with pytest.raises(RequestTimeout) as info:
            await odoo.with_options(timeout=0.2).model("res.partner").search_count([])
        assert info.value.limit == "read"
        assert transport.open_connections == 0, "the half-read connection was closed"
        assert await odoo.model("res.partner").search_count([]) == n


async def test_pool_timeout() -> None:
    release = asyncio.Event()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await release.wait()
        writer.write(reply())
        await writer.drain()

    transport = PooledTransport(max_connections=1)
    async with (
        RawServer(handler) as server,
        httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(5.0, pool=0.1)) as http,
    ):
        busy = asyncio.ensure_future(http.post(server.url, content=b"{}"))
        await settle(lambda: transport.open_connections == 1)
        with pytest.raises(httpx.PoolTimeout):
            await http.post(server.url, content=b"{}")
        release.set()
        assert (await busy).content == REPLY
        assert not transport._waiters, "the timed-out waiter was skipped and dropped"


async def test_a_refused_connection_is_a_connect_error() -> None:
    async with RawServer(keep_alive) as server:
        url = server.url
    transport = PooledTransport()
    async with connect(url, transport=transport, retry=RetryPolicy.NONE) as odoo:
        with pytest.raises(ConnectError):
            await odoo.authenticate()
        assert transport._slots == 0, "the slot was given back"


async def test_a_dropped_connection_is_connection_dropped(fake: FakeOdoo) -> None:
    transport = PooledTransport()
    async with (
        fake.serve() as url,
        connect(url, transport=transport, retry=RetryPolicy.NONE) as odoo,
    ):
        n = await odoo.model("res.partner").search_count([])
        fake.inject("drop", times=1, method="write")
        with pytest.raises(ConnectionDropped) as info:
            await odoo.model("res.partner").write([1], {"comment": "x"})
        assert info.value.stale_connection is False, "the request was sent: it may have run"
        assert isinstance(info.value.__cause__, httpx.RemoteProtocolError)
        assert str(info.value.__cause__) == "Server disconnected without sending a response."
        assert await odoo.model("res.partner").search_count([]) == n


async def test_cancelling_500_calls_leaves_the_pool_usable(fake: FakeOdoo) -> None:
    fake.latency = 0.001
    rng = random.Random(7)
    transport = PooledTransport()
    async with fake.serve() as url, connect(url, transport=transport, max_concurrency=None) as odoo:
        n = await odoo.execute_kw("res.partner", "search_count", [[]])
        tasks = [
            asyncio.ensure_future(odoo.execute_kw("res.partner", "search_count", [[]]))
            for _ in range(500)
        ]
        spared = tasks[::10]  # left to finish among the cancelled ones
        outcomes = await cancel_at_random([t for t in tasks if t not in spared], rng, max_ticks=300)
        assert any(isinstance(o, asyncio.CancelledError) for o in outcomes)
        assert await asyncio.gather(*spared) == [n] * len(spared)
        assert transport.connections_opened > 32, "some connections were cancelled mid-call"
        # nothing busy, no slot or waiter leaked
        assert transport.open_connections == transport.idle_connections
        assert transport._slots == transport.open_connections
        assert all(waiter.done() for _, waiter in transport._waiters)
        results = await asyncio.gather(
            *(odoo.execute_kw("res.partner", "search_count", [[]]) for _ in range(100))
        )
        assert results == [n] * 100
    assert transport.peak_connections <= 32


async def test_a_connection_handed_to_a_waiter_cancelled_meanwhile_is_passed_on() -> None:
    """The handover and the cancel land in the same loop iteration: nothing is lost."""
    transport = PooledTransport(max_connections=1)
    async with (
        RawServer(keep_alive) as server,
        httpx.AsyncClient(transport=transport, timeout=5.0) as http,
    ):
        await http.post(server.url, content=b"{}")
        request = httpx.Request("POST", server.url)
        origin = ("http", "127.0.0.1", request.url.port or 80)
        conn = await transport._acquire(origin, None, request)  # the pooled connection
        assert conn is not None
        cancelled = asyncio.ensure_future(transport._acquire(origin, None, request))
        served = asyncio.ensure_future(http.post(server.url, content=b"{}"))
        await settle(lambda: len(transport._waiters) == 2)
        transport._recycle(conn)  # handed to the first waiter...
        cancelled.cancel()  # ...which is cancelled before it runs
        with pytest.raises(asyncio.CancelledError):
            await cancelled
        assert (await served).content == REPLY, "the connection went on to the next waiter"
        assert transport.connections_opened == 1
        assert transport.idle_connections == transport.open_connections == transport._slots == 1


async def test_a_closed_transport_refuses_requests() -> None:
    transport = PooledTransport()
    async with RawServer(keep_alive) as server:
        async with httpx.AsyncClient(transport=transport) as http:
            await http.post(server.url, content=b"{}")
            assert transport.open_connections == 1
        assert transport.open_connections == 0
        request = httpx.Request("POST", server.url, content=b"{}")
        with pytest.raises(ClientClosedError):
            await transport.handle_async_request(request)


def test_config_is_checked() -> None:
    with pytest.raises(ValueError, match="max_connections"):
        PooledTransport(max_connections=0)
    with pytest.raises(ValueError, match="keepalive_expiry"):
        PooledTransport(keepalive_expiry=-1)
    assert "max_connections=32" in repr(PooledTransport())


# --------------------------------------------------------------------------- TLS


# TLS with SNI and an unknown certificate: tests/transports/test_default_transport.py, on every transport.


def test_pooled_transport_turns_a_ca_path_into_a_context_as_httpx_does(tmp_path: Path) -> None:
    import certifi

    from_file = PooledTransport(verify=certifi.where())._ssl()
    assert from_file.cert_store_stats()["x509_ca"] > 0
    assert PooledTransport(verify=str(tmp_path))._ssl().verify_mode == ssl.CERT_REQUIRED
    with pytest.raises(FileNotFoundError, match=r"nope\.pem"):
        PooledTransport(verify=str(tmp_path / "nope.pem"))._ssl()
    assert PooledTransport(verify=False)._ssl().verify_mode == ssl.CERT_NONE
