"""The HTTP layer: stale keep-alive connections, the trace that detects them."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import msgspec
import pytest
from conftest import Sleeps

from odoo_async import AsyncOdoo, ConnectionDropped, RetryPolicy
from odoo_async._protocols._base import Credentials
from odoo_async._protocols._jsonrpc import JsonRpcProtocol
from odoo_async._transports._trace import RequestTrace

REPLY = b'{"jsonrpc": "2.0", "id": 1, "result": {"server_version": "17.0"}}'


async def test_a_connection_the_server_closed_while_idle_is_not_an_error() -> None:
    """Like an Odoo prefork worker closing an idle keep-alive socket."""
    closed = asyncio.Event()
    connections = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
        await reader.readexactly(length)
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: keep-alive\r\n"
            b"Content-Length: " + str(len(REPLY)).encode() + b"\r\n\r\n" + REPLY
        )
        await writer.drain()
        writer.close()  # idle timeout: the server closes the kept-alive socket
        await writer.wait_closed()
        closed.set()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with (
        server,
        AsyncOdoo(
            f"http://127.0.0.1:{port}", db="d", username="u", password="p", retry=RetryPolicy.NONE
        ) as odoo,
    ):
        assert (await odoo.version())["server_version"] == "17.0"
        await closed.wait()
        closed.clear()
        # version() is cached: ask again through the protocol, on the pooled connection
        raw = await odoo._core.protocol.version(odoo._core.http, timeout=None)
        assert msgspec.json.decode(raw) == {"server_version": "17.0"}
        assert odoo.stats.errors == 0
    assert connections == 2


class _StaleOnce(JsonRpcProtocol):
    """Fails the first execute_kw as a pooled connection closed under the write would."""

    def __init__(self) -> None:
        super().__init__()
        self.attempts = 0

    async def execute_kw(
        self,
        http: Any,
        credentials: Credentials,
        uid: int,
        model: str,
        method: str,
        args: list[Any],
        kwargs: dict[str, Any],
        *,
        timeout: httpx.Timeout | None,
    ) -> msgspec.Raw:
        self.attempts += 1
        if self.attempts == 1:
            raise ConnectionDropped(
                "closed while writing", stale_connection=True, model=model, method=method
            )
        return msgspec.Raw(b"true")

    async def authenticate(
        self, http: Any, credentials: Credentials, *, timeout: httpx.Timeout | None
    ) -> int:
        return 2


@pytest.mark.parametrize("policy", [RetryPolicy(), RetryPolicy.NONE])
async def test_a_stale_connection_is_retried_once_even_for_writes(policy: RetryPolicy) -> None:
    protocol = _StaleOnce()
    sleeps = Sleeps()
    async with AsyncOdoo(
        "http://odoo.test",
        db="d",
        username="u",
        password="p",
        protocol=protocol,
        retry=policy,
        sleep=sleeps,
    ) as odoo:
        assert await odoo.execute_kw("res.partner", "write", [[1], {"name": "x"}]) is True
    assert protocol.attempts == 2
    assert sleeps.delays == [0.0]


@pytest.mark.parametrize(
    ("events", "stale"),
    [
        # a pooled connection, the write fails: the request was not accepted
        (["http11.send_request_headers.started"], True),
        # a pooled connection, request written, then end-of-file: it may have run
        (["http11.send_request_headers.started", "http11.send_request_body.complete"], False),
        # a new connection is never stale
        (["connection.connect_tcp.started", "http11.send_request_headers.started"], False),
        # no events at all (another transport): nothing is known
        ([], False),
    ],
)
async def test_trace_decides_what_is_stale(events: list[str], stale: bool) -> None:
    trace = RequestTrace()
    for name in events:
        await trace(name, {})
    assert trace.stale is stale
