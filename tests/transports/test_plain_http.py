"""``https://`` to a port that speaks plain HTTP: the message says to use ``http://``.

Two kinds of plain-HTTP servers are met over loopback, on each transport: one
that answers the TLS ClientHello with text (Odoo's prefork server, uvicorn:
the TLS error names the record), and one that closes the connection without a
word (Odoo's threaded server: the client then asks the port in plain HTTP).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest

from odoo_async import AsyncOdoo, ConnectError, RetryPolicy
from odoo_async._transports._plain import closed_in_handshake, tls_met_plain_text
from odoo_async.testing import FakeOdoo

TRANSPORTS = ["aiohttp", "httpx", "pooled"]
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _silent_on_tls(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Werkzeug's threaded server: a TLS hello is dropped unanswered, HTTP is answered."""
    first = await reader.read(1)
    if first and first != b"\x16":
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.0 404 NOT FOUND\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
    writer.close()
    await writer.wait_closed()


async def _silent_always(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Not an HTTP server at all: every connection is closed unanswered."""
    await reader.read(1)
    writer.close()
    await writer.wait_closed()


@asynccontextmanager
async def serve(handler: Handler) -> AsyncIterator[int]:
    """A loopback TCP server running ``handler``; yields its port."""
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


async def _login_error(url: str, transport: str) -> ConnectError:
    odoo = AsyncOdoo(
        url, db="odoo", username="admin", password="admin", transport=transport,
        retry=RetryPolicy.NONE,
    )  # fmt: skip
    async with odoo:
        with pytest.raises(ConnectError) as info:
            await odoo.authenticate()
    return info.value


def hint(port: int) -> str:
    return (
        f"; the server at 127.0.0.1:{port} answers in plain HTTP, not TLS: "
        f"use 'http://127.0.0.1:{port}' (or its TLS port) [authenticate]"
    )


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_https_to_a_server_that_answers_text_says_use_http(transport: str) -> None:
    async with FakeOdoo(db="odoo", partners=1).serve() as url:
        port = int(url.rsplit(":", 1)[1])
        error = await _login_error(url.replace("http://", "https://"), transport)
    message = str(error)
    assert message.startswith(f"cannot connect to https://127.0.0.1:{port}: ")
    assert message.endswith(hint(port))


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_https_to_a_server_that_drops_the_hello_says_use_http(transport: str) -> None:
    async with serve(_silent_on_tls) as port:
        error = await _login_error(f"https://127.0.0.1:{port}", transport)
    assert str(error).endswith(hint(port)), str(error)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_server_that_drops_everything_gets_no_http_hint(transport: str) -> None:
    async with serve(_silent_always) as port:
        error = await _login_error(f"https://127.0.0.1:{port}", transport)
    assert "plain HTTP" not in str(error)
    assert str(error).startswith(f"cannot connect to https://127.0.0.1:{port}: ")


@pytest.mark.parametrize(
    ("error", "plain", "closed"),
    [
        (ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"), True, False),
        (ssl.SSLError(1, "[SSL: RECORD_LAYER_FAILURE] record layer failure"), True, False),
        (ssl.SSLEOFError(8, "EOF occurred in violation of protocol"), False, True),
        (ConnectionResetError(), False, True),
        (ssl.SSLCertVerificationError(1, "certificate verify failed"), False, False),
        (ConnectionRefusedError(), False, False),
    ],
)
def test_tls_failures_are_told_apart(error: BaseException, plain: bool, closed: bool) -> None:
    wrapped = OSError("outer")
    wrapped.__cause__ = error
    assert tls_met_plain_text(wrapped) is plain
    assert closed_in_handshake(wrapped) is closed


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_https_to_plain_http_is_not_retried_but_a_silent_server_is(transport: str) -> None:
    """The wrong scheme is a mistake in the URL: retrying cannot mend it."""
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async def login(url: str) -> ConnectError:
        odoo = AsyncOdoo(
            url, db="odoo", username="admin", password="admin", transport=transport,
            sleep=sleep, retry=RetryPolicy(max_retries=2),
        )  # fmt: skip
        async with odoo:
            with pytest.raises(ConnectError) as info:
                await odoo.authenticate()
        return info.value

    async with serve(_silent_on_tls) as port:
        error = await login(f"https://127.0.0.1:{port}")
    assert error.plain_http
    assert waits == []
    async with serve(_silent_always) as port:
        error = await login(f"https://127.0.0.1:{port}")
    assert not error.plain_http
    assert len(waits) == 2  # a server going down: retried
