"""Serving the Odoo test double: in-process as an httpx transport, or over real TCP.

:class:`InProcessTransport` calls the core handler directly. :class:`LoopbackServer`
runs uvicorn on loopback in a thread; its ASGI app wraps the same core handler. A uvicorn
protocol subclass counts open connections (see :func:`_count_peer_closes`) and lets the
app close one without a reply (the ``"drop"`` fault): the client then sees the socket
closed before any byte of a response, which httpx reports as
``httpx.RemoteProtocolError("Server disconnected without sending a response.")``, the
same as the in-process transport.

uvicorn is imported only here, so the rest of ``odoo_async.testing`` works without it.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any, Final, Protocol, cast

import anyio
import httpx

from ._wire import Reply

__all__ = ["InProcessTransport", "LoopbackServer", "Served"]


class Served(Protocol):
    """What the transports need of the server they serve (``FakeOdoo``): its core
    handler and the counters of requests and connections."""

    def _enter(self) -> bool:
        """Count a request in; True when it is over the concurrency cap."""

    def _leave(self) -> None:
        """Count a request out."""

    async def _handle(
        self,
        http_method: str,
        path: str,
        content_type: str,
        cookie: str,
        body: bytes,
        *,
        over: bool,
        authorization: str = "",
        database: str = "",
    ) -> Reply | None:
        """The reply ``(status, headers, body)``, or None: close without replying."""

    def _connection_opened(self) -> None:
        """Count a TCP connection in."""

    def _connection_closed(self) -> None:
        """Count a TCP connection out."""


_TIMED_OUT: Final[Any] = object()

_START_TIMEOUT: Final = 30.0
_CLOSE: Final = (b"connection", b"close")
_PEEK: Final = socket.MSG_PEEK | getattr(socket, "MSG_DONTWAIT", 0)


def _peer_closed(transport: asyncio.BaseTransport) -> bool:
    """Whether the peer's close (FIN or RST) has arrived on ``transport``'s socket,
    whether or not the event loop has read it yet. Peeks; consumes nothing."""
    fd = transport.get_extra_info("socket").fileno()
    if fd == -1:
        return True
    probe = socket.socket(fileno=fd)  # borrows the descriptor; detach() gives it back
    try:
        return probe.recv(1, _PEEK) == b""
    except (BlockingIOError, InterruptedError):
        return False  # nothing to read: still open
    except OSError:
        return True  # reset by the peer
    finally:
        probe.detach()


def _count_peer_closes(fake: Served, transports: dict[Any, asyncio.Transport]) -> None:
    """Count as closed now every connection whose peer has closed it, before a new one
    is counted. asyncio learns of a close an iteration or more after the FIN arrives
    and may accept the next connection first: a client that closes a connection and
    then opens its replacement would otherwise be seen holding both at once."""
    for client, transport in list(transports.items()):
        if _peer_closed(transport):
            del transports[client]  # connection_lost will not count it again
            fake._connection_closed()


class InProcessTransport(httpx.AsyncBaseTransport):
    """Calls the core handler directly and builds the ``httpx.Response`` itself (no sockets).

    The request's read timeout is honoured (``httpx.ReadTimeout``); a dropped connection
    is ``httpx.RemoteProtocolError``, as httpx reports it over TCP.
    """

    def __init__(self, fake: Served) -> None:
        self._fake = fake

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        headers = request.headers
        fake = self._fake
        timeout = request.extensions.get("timeout", {}).get("read")
        over = fake._enter()
        try:
            handling = fake._handle(
                request.method,
                request.url.path,
                headers.get("content-type", ""),
                headers.get("cookie", ""),
                body,
                over=over,
                authorization=headers.get("authorization", ""),
                database=headers.get("x-odoo-database", ""),
            )
            if timeout is None:
                reply = await handling
            else:
                reply = _TIMED_OUT
                with anyio.move_on_after(timeout):
                    reply = await handling
                if reply is _TIMED_OUT:
                    raise httpx.ReadTimeout("timed out", request=request)
        finally:
            fake._leave()
        if reply is None:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        status, reply_headers, content = reply
        return httpx.Response(status, headers=reply_headers, content=content, request=request)


class _App:
    """The ASGI application: read the body, call the core handler, send the reply."""

    def __init__(self, fake: Served, transports: dict[Any, asyncio.Transport], *, close: bool):
        self._fake = fake
        self._transports = transports
        self._close = close

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        fake = self._fake
        over = fake._enter()
        try:
            chunks = []
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    break
            content_type = cookie = authorization = database = ""
            for name, value in scope["headers"]:
                if name == b"content-type":
                    content_type = value.decode("latin-1")
                elif name == b"authorization":
                    authorization = value.decode("latin-1")
                elif name == b"x-odoo-database":
                    database = value.decode("latin-1")
                elif name == b"cookie":
                    text = value.decode("latin-1")
                    cookie = f"{cookie}; {text}" if cookie else text
            reply = await fake._handle(
                scope["method"],
                scope["path"],
                content_type,
                cookie,
                b"".join(chunks),
                over=over,
                authorization=authorization,
                database=database,
            )
            if reply is None:
                await self._drop(scope, receive)
                return
            status, headers, body = reply
            if self._close:
                headers = [*headers, _CLOSE]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
        finally:
            fake._leave()

    async def _drop(self, scope: Any, receive: Any) -> None:
        """Close the connection before any byte of a reply, then wait for uvicorn to notice."""
        transport = self._transports.get(scope["client"])
        if transport is not None:
            transport.close()
            await receive()  # returns http.disconnect once the connection is gone


def _protocol_class(fake: Served, transports: dict[Any, asyncio.Transport]) -> type[Any]:
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class CountingH11Protocol(H11Protocol):
        """uvicorn's h11 protocol, counting connections and indexing them by peer address."""

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)  # type: ignore[arg-type]
            _count_peer_closes(fake, transports)
            transports[self.client] = transport  # type: ignore[assignment]
            fake._connection_opened()

        def connection_lost(self, exc: Exception | None) -> None:
            if transports.pop(self.client, None) is not None:
                fake._connection_closed()
            super().connection_lost(exc)

    return CountingH11Protocol


class LoopbackServer:
    """uvicorn serving one FakeOdoo (any :class:`Served`) on ``host``, in a background
    thread with its own loop.

    :meth:`start` and :meth:`stop` block; the async ``FakeOdoo.serve()`` runs them in a
    worker thread.
    """

    def __init__(
        self,
        fake: Served,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        keep_alive: bool = True,
        keep_alive_timeout: float = 5.0,
    ) -> None:
        import uvicorn

        # IPPROTO_TCP, so that asyncio sets TCP_NODELAY on accepted connections (no Nagle delays)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        bound_host, bound_port = self._socket.getsockname()[:2]
        self.url = f"http://{bound_host}:{bound_port}"
        transports: dict[Any, asyncio.Transport] = {}
        config = uvicorn.Config(
            _App(fake, transports, close=not keep_alive),
            http=_protocol_class(fake, transports),
            loop="asyncio",
            ws="none",
            lifespan="off",
            log_config=None,
            log_level="warning",
            access_log=False,
            server_header=False,
            timeout_keep_alive=cast(int, keep_alive_timeout),  # any number works
            timeout_graceful_shutdown=1,
            backlog=4096,
        )
        self._ready = threading.Event()
        ready = self._ready

        class _Server(uvicorn.Server):
            async def startup(self, sockets: list[socket.socket] | None = None) -> None:
                await super().startup(sockets=sockets)
                ready.set()

            async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
                await super().shutdown(sockets=sockets)
                # A request that came in while uvicorn was shutting down can leave
                # its connection open, unanswered, after the server is gone: the
                # client would wait out its read timeout. A stopped Odoo's sockets
                # close with its process: so do these.
                for transport in list(transports.values()):
                    transport.abort()
                transports.clear()

        self._server = _Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name=f"FakeOdoo {self.url}",
            daemon=True,
        )

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not self._ready.wait(0.01):
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self._server.should_exit = True
                self._thread.join(_START_TIMEOUT)
                self._socket.close()
                raise RuntimeError(f"the test server did not start on {self.url}")

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join()
        self._socket.close()
