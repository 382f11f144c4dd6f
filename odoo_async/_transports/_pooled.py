"""A lean HTTP/1.1 transport: a keep-alive pool over asyncio protocols and h11.

httpx's default transport (httpcore's pool) rescans every connection against
every queued request on each event, with a ``poll()`` and a ``getpeername()``
per idle connection; with 1,000 calls queued on 32 connections that scan is the
client's bottleneck. :class:`PooledTransport` does a constant amount of
bookkeeping per request:

- idle connections wait in one deque per origin and are taken LIFO, most
  recently used first (see :class:`PooledTransport`);
- requests that find every connection busy wait FIFO, each on an asyncio
  future; a released connection, or its slot, goes to the first of them;
- a connection learns that the server closed it from its protocol callbacks
  (``eof_received``, ``connection_lost``), so nothing is polled: an idle
  connection the server closed leaves the pool at once, one idle longer than
  ``keepalive_expiry`` is closed when the pool next looks at it.

Opt in with ``AsyncOdoo(url, ..., transport=PooledTransport())``. It runs on
asyncio only (not trio), speaks HTTP/1.1 only and reads every reply whole (no
streaming), which is what JSON-RPC replies need. It reports the httpcore trace
events the client uses to tell a stale keep-alive connection from a dropped
request, and raises the httpx exceptions httpcore's pool raises.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from collections.abc import Mapping
from typing import Any, Final, cast

import anyio
import h11
import httpx

from odoo_async._check import check_int, check_number
from odoo_async._config import KEEPALIVE_EXPIRY, MAX_CONNECTIONS
from odoo_async._errors import ClientClosedError

from ._proxy import Proxy, ProxyInput, parse_proxy
from ._tls import ssl_context
from ._trace import BODY_SENT, CONNECTING, HEADERS_SENDING, Trace

__all__ = ["PooledTransport"]

Origin = tuple[str, str, int]

_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
_NO_RESPONSE: Final = "Server disconnected without sending a response."
_EXPIRED: Final[Any] = object()
_MAX_HEAD: Final = 100 * 1024  # the longest reply head accepted, as httpcore


def _expire(waiter: asyncio.Future[Any]) -> None:
    """A timer's callback: wake ``waiter`` with ``_EXPIRED`` unless it was woken already."""
    if not waiter.done():
        waiter.set_result(_EXPIRED)


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection: the asyncio protocol and h11's state machine.

    The protocol callbacks only record what happened (bytes in ``chunks``,
    ``eof``, ``lost``, ``error``) and wake the task waiting on it; the task
    feeds the bytes to h11.
    """

    __slots__ = (
        "_paused",
        "_proxy_headers",
        "_reader",
        "_writer",
        "chunks",
        "closed_waiter",
        "eof",
        "error",
        "frees_slot",
        "h11",
        "idle",
        "idle_since",
        "loop",
        "lost",
        "origin",
        "pool",
        "transport",
    )

    def __init__(
        self, pool: PooledTransport, origin: Origin, loop: asyncio.AbstractEventLoop
    ) -> None:
        self.pool = pool
        self.origin = origin
        self.loop = loop
        self.transport: asyncio.Transport | None = None
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=_MAX_HEAD)
        self.chunks: list[bytes] = []
        self.eof = False
        self.lost = False
        self.error: Exception | None = None
        self.idle = False
        self.idle_since = 0.0
        self.closed_waiter: asyncio.Future[None] | None = None
        #: closed by the pool, which gives its slot away once the socket is closed
        self.frees_slot = False
        self._reader: asyncio.Future[Any] | None = None
        self._writer: asyncio.Future[Any] | None = None
        self._paused = False
        #: through a proxy that forwards plain HTTP: its headers, sent with each request
        self._proxy_headers: list[tuple[bytes, bytes]] | None = None

    # -- protocol callbacks -------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self.idle:
            # bytes nobody asked for (a "408 Request Timeout" before a close): unusable
            self.pool._forget_idle(self)
            return
        self.chunks.append(data)
        self._wake(self._reader)

    def eof_received(self) -> bool | None:
        self.eof = True
        self._gone()
        return None  # let the transport close itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if exc is not None:
            self.error = exc
        self._gone()
        self._wake(self._writer)
        if self.closed_waiter is not None:
            self._wake(self.closed_waiter)
        if self.frees_slot:
            self.frees_slot = False
            self.pool._free_slot()

    def pause_writing(self) -> None:
        self._paused = True

    def resume_writing(self) -> None:
        self._paused = False
        self._wake(self._writer)

    def _gone(self) -> None:
        if self.idle:
            self.pool._forget_idle(self)
        self._wake(self._reader)

    @staticmethod
    def _wake(waiter: asyncio.Future[Any] | None) -> None:
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # -- state ---------------------------------------------------------------------

    @property
    def usable(self) -> bool:
        """Open, with nothing unread: another request can go on it."""
        transport = self.transport
        return (
            not self.eof
            and not self.lost
            and not self.chunks
            and transport is not None
            and not transport.is_closing()
        )

    @property
    def reusable(self) -> bool:
        """The exchange is over and both sides keep the connection alive."""
        state = self.h11
        return (
            state.our_state is h11.DONE
            and state.their_state is h11.DONE
            and not state.trailing_data[0]
            and self.usable
        )

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()

    # -- one request ---------------------------------------------------------------

    async def exchange(
        self,
        request: httpx.Request,
        body: bytes,
        timeouts: Mapping[str, float | None],
        trace: Trace | None,
    ) -> httpx.Response:
        """Send ``request`` and read the whole reply; the caller decides the connection's fate."""
        state = self.h11
        transport = self.transport
        assert transport is not None
        if trace is not None:
            await trace(HEADERS_SENDING, {"request": request})
        target = request.url.raw_path
        headers = request.headers.raw
        if self._proxy_headers is not None:  # to a forward proxy: the absolute URL
            target = str(request.url).encode("ascii")
            headers = [*headers, *self._proxy_headers]
        try:
            data = state.send(h11.Request(method=request.method, target=target, headers=headers))
            if body:
                data += state.send(h11.Data(data=body))
            data += state.send(h11.EndOfMessage())
        except h11.LocalProtocolError as exc:
            raise httpx.LocalProtocolError(str(exc), request=request) from exc
        if self.lost or transport.is_closing():
            raise httpx.WriteError(
                "the connection closed before the request was sent", request=request
            )
        transport.write(data)
        if transport.is_closing():  # the send failed: the transport closes itself
            raise httpx.WriteError(
                "the connection closed while the request was sent", request=request
            )
        if self._paused:
            await self._drain(timeouts.get("write"), request)
        if trace is not None:
            await trace(BODY_SENT, {"request": request})

        read_timeout = timeouts.get("read")
        try:
            while True:
                event = state.next_event()
                if event is h11.NEED_DATA:
                    await self._receive(read_timeout, request)
                elif isinstance(event, h11.Response):
                    head = event
                    break
                # an informational (1xx) response: the real one follows
            chunks: list[bytes] = []
            while True:
                part = state.next_event()
                if part is h11.NEED_DATA:
                    await self._receive(read_timeout, request)
                elif isinstance(part, h11.Data):
                    chunks.append(part.data)
                elif isinstance(part, h11.EndOfMessage):
                    break
        except h11.RemoteProtocolError as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from exc
        return httpx.Response(
            head.status_code,
            headers=head.headers.raw_items(),
            content=b"".join(chunks),
            request=request,
            extensions={
                "http_version": b"HTTP/" + head.http_version,
                "reason_phrase": head.reason,
            },
        )

    async def tunnel(
        self,
        host: str,
        port: int,
        headers: Mapping[str, str],
        request: httpx.Request,
    ) -> None:
        """Ask the proxy this connection is open to for a ``CONNECT`` tunnel to ``host:port``.

        Raises ``httpx.ProxyError`` when the proxy answers other than 2xx (its
        status line: "407 Proxy Authentication Required"); the caller bounds the wait.
        """
        transport = self.transport
        assert transport is not None
        authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        transport.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        head = b""
        while b"\r\n\r\n" not in head:
            if not self.chunks and not self.eof and not self.lost:
                waiter = self._reader = self.loop.create_future()
                try:
                    await waiter
                finally:
                    self._reader = None
            if self.chunks:
                head += b"".join(self.chunks)
                self.chunks.clear()
            elif self.eof or self.lost:
                raise httpx.ProxyError(
                    "the proxy closed the connection instead of a tunnel", request=request
                )
            if len(head) > _MAX_HEAD:
                raise httpx.ProxyError("the proxy's answer to CONNECT is too long", request=request)
        status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
            raise httpx.ProxyError(
                f"the proxy answered CONNECT with {status_line[:80]!r}", request=request
            )
        if not 200 <= int(parts[1]) < 300:
            raise httpx.ProxyError(" ".join(parts[1:]), request=request)

    async def _receive(self, timeout: float | None, request: httpx.Request) -> None:
        """Feed h11 the next bytes, waiting at most ``timeout`` seconds for them."""
        if not self.chunks and not self.eof and not self.lost:
            waiter = self._reader = self.loop.create_future()
            timer = None if timeout is None else self.loop.call_later(timeout, _expire, waiter)
            try:
                await waiter
            finally:
                self._reader = None
                if timer is not None:
                    timer.cancel()
        chunks = self.chunks
        if chunks:
            data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
            chunks.clear()
        elif self.error is not None:
            raise httpx.ReadError(str(self.error) or repr(self.error), request=request)
        elif self.eof or self.lost:
            if self.h11.their_state is h11.SEND_RESPONSE:
                raise httpx.RemoteProtocolError(_NO_RESPONSE, request=request)
            data = b""  # h11 decides: the end of an HTTP/1.0 body, or a truncated one
        else:
            raise httpx.ReadTimeout(f"no reply within {timeout} s", request=request)
        self.h11.receive_data(data)

    async def _drain(self, timeout: float | None, request: httpx.Request) -> None:
        """Wait until the transport's write buffer drains below its high-water mark."""
        while self._paused and not self.lost:
            waiter = self._writer = self.loop.create_future()
            timer = None if timeout is None else self.loop.call_later(timeout, _expire, waiter)
            try:
                result = await waiter
            finally:
                self._writer = None
                if timer is not None:
                    timer.cancel()
            if result is _EXPIRED:
                raise httpx.WriteTimeout(f"request not sent within {timeout:g} s", request=request)
        if self.lost:
            raise httpx.WriteError(
                "the connection closed while the request was sent", request=request
            )


class PooledTransport(httpx.AsyncBaseTransport):
    """An HTTP/1.1 keep-alive connection pool for ``httpx.AsyncClient`` (asyncio only).

    ``max_connections`` caps the connections open at once (across origins);
    requests beyond it wait, first come first served, for at most the request's
    ``pool`` timeout. A connection idle for more than ``keepalive_expiry``
    seconds is closed instead of reused (Odoo's prefork workers close idle
    sockets after about 2 s). ``verify`` is a bool, a CA bundle path or an
    ``ssl.SSLContext``, as for httpx. The request's ``timeout`` extension
    (which ``httpx.AsyncClient`` always sets) gives the connect, read, write and
    pool limits; ``connect_timeout`` applies only to requests without one.

    Idle connections are reused LIFO. The most recently used connection is the
    one least likely to have reached the server's idle timeout, so a request
    rarely races a server-side close; and when load drops, the connections at
    the cold end stop being used and expire, so the pool shrinks to what the
    load needs instead of keeping every socket barely alive (FIFO would).

    ``proxy`` (an ``http://`` URL) sends every request through that HTTP proxy:
    plain HTTP as absolute-URL requests it forwards, HTTPS in a ``CONNECT``
    tunnel; credentials in its URL go as ``Proxy-Authorization``.

    ``connections_opened`` counts the connections opened so far and
    ``peak_connections`` the most open at once.
    """

    def __init__(
        self,
        *,
        max_connections: int = MAX_CONNECTIONS,
        keepalive_expiry: float = KEEPALIVE_EXPIRY,
        verify: bool | str | ssl.SSLContext = True,
        connect_timeout: float | None = None,
        proxy: ProxyInput | Proxy | None = None,
    ) -> None:
        check_int("max_connections", max_connections, minimum=1)
        check_number("keepalive_expiry", keepalive_expiry, accepted="seconds (a number >= 0)")
        self.max_connections = max_connections
        self.keepalive_expiry = keepalive_expiry
        self.connect_timeout = connect_timeout
        self._verify = verify
        #: the HTTP proxy every connection goes through, or ``None``
        self.proxy = proxy if isinstance(proxy, Proxy) or proxy is None else parse_proxy(proxy)
        self._ssl_context: ssl.SSLContext | None = None
        self._idle: dict[Origin, deque[_Connection]] = {}
        self._idle_count = 0
        #: connections open, being opened, or closed but with their socket not closed yet;
        #: never above max_connections
        self._slots = 0
        #: requests waiting for a connection: (origin, future of a connection or None for a slot)
        self._waiters: deque[tuple[Origin, asyncio.Future[Any]]] = deque()
        self._connections: set[_Connection] = set()
        self._closed = False
        self.connections_opened = 0
        self.peak_connections = 0

    def __repr__(self) -> str:
        proxy = f", proxy={self.proxy.url!r}" if self.proxy is not None else ""
        return (
            f"PooledTransport(max_connections={self.max_connections}, "
            f"keepalive_expiry={self.keepalive_expiry}, open={len(self._connections)}, "
            f"idle={self._idle_count}{proxy})"
        )

    @property
    def open_connections(self) -> int:
        """Connections open now, busy or idle."""
        return len(self._connections)

    @property
    def idle_connections(self) -> int:
        """Connections open and waiting in the pool for a request."""
        return self._idle_count

    # -- httpx.AsyncBaseTransport -------------------------------------------------------

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise ClientClosedError("this PooledTransport is closed")
        url = request.url
        scheme = url.scheme
        if scheme not in _DEFAULT_PORTS:
            raise httpx.UnsupportedProtocol(
                f"PooledTransport speaks http and https, not {scheme!r}", request=request
            )
        origin = (scheme, url.host, url.port or _DEFAULT_PORTS[scheme])
        extensions = request.extensions
        timeouts: Mapping[str, float | None] = extensions.get("timeout") or {
            "connect": self.connect_timeout
        }
        trace: Trace | None = extensions.get("trace")
        body = await request.aread()
        conn = await self._acquire(origin, timeouts.get("pool"), request)
        try:
            if conn is None:
                conn = await self._connect(origin, timeouts.get("connect"), request, trace)
            response = await conn.exchange(request, body, timeouts, trace)
        except BaseException:
            if conn is None:
                self._free_slot()  # no socket was opened in it
            else:
                self._retire(conn)  # a half-written request or half-read reply: never reused
            raise
        self._release(conn)
        return response

    async def aclose(self) -> None:
        """Close every connection; requests still waiting for one get ``ClientClosedError``."""
        self._closed = True
        while self._waiters:
            _, waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(ClientClosedError("this PooledTransport was closed"))
        for idle in self._idle.values():
            for conn in idle:
                conn.idle = False
        self._idle.clear()
        self._idle_count = 0
        closing = list(self._connections)
        self._connections.clear()
        for conn in closing:
            if not conn.lost:
                conn.closed_waiter = conn.loop.create_future()
            conn.abort()
        for conn in closing:
            if conn.closed_waiter is not None:
                await conn.closed_waiter  # connection_lost: the socket is closed

    # -- the pool --------------------------------------------------------------------------

    async def _acquire(
        self, origin: Origin, timeout: float | None, request: httpx.Request
    ) -> _Connection | None:
        """A pooled connection to ``origin``, or ``None``: a slot to open a new one in."""
        idle = self._idle.get(origin)
        if idle:
            oldest_kept = asyncio.get_running_loop().time() - self.keepalive_expiry
            while idle and idle[0].idle_since < oldest_kept:  # the cold end (left) expires first
                self._retire(self._unidle(idle.popleft()))
            if idle:
                return self._unidle(idle.pop())
        if self._slots < self.max_connections:
            self._slots += 1
            return None
        if self._idle_count:  # every slot held, some by idle connections to another origin
            for other in self._idle.values():
                if other:
                    self._retire(self._unidle(other.popleft()))
                    break
            if self._slots < self.max_connections:  # its socket closed at once
                self._slots += 1
                return None
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        front = False
        while True:
            granted = await self._wait(origin, deadline, front=front)
            if granted is _EXPIRED:
                raise httpx.PoolTimeout(
                    f"no connection free within {timeout:g} s "
                    f"(max_connections={self.max_connections})",
                    request=request,
                )
            if granted is None or granted.usable:
                return cast("_Connection | None", granted)
            # closed while handed over: its slot comes back once the socket is closed
            self._retire(granted)
            if self._slots < self.max_connections:
                self._slots += 1
                return None
            front = True

    async def _wait(self, origin: Origin, deadline: float | None, *, front: bool) -> Any:
        """Queue for a connection to ``origin`` or a slot: a connection, ``None``, or
        ``_EXPIRED`` at ``deadline``. ``front`` queues first (a waiter served a dud)."""
        waiter = asyncio.get_running_loop().create_future()
        if front:
            self._waiters.appendleft((origin, waiter))
        else:
            self._waiters.append((origin, waiter))
        timer = None if deadline is None else waiter.get_loop().call_at(deadline, _expire, waiter)
        try:
            granted = await waiter
        except BaseException:
            if (
                waiter.done()
                and not waiter.cancelled()
                and waiter.exception() is None
                and waiter.result() is not _EXPIRED
            ):
                self._give_back(waiter.result())  # handed over just as we were cancelled
            else:
                waiter.cancel()
            raise
        finally:
            if timer is not None:
                timer.cancel()
        return granted

    async def _connect(
        self,
        origin: Origin,
        timeout: float | None,
        request: httpx.Request,
        trace: Trace | None,
    ) -> _Connection:
        scheme, host, port = origin
        if trace is not None:
            await trace(CONNECTING, {"host": host, "port": port, "timeout": timeout})
        loop = asyncio.get_running_loop()
        context = self._ssl() if scheme == "https" else None
        sni = (request.extensions.get("sni_hostname") or host) if context is not None else None
        proxy = self.proxy
        try:
            with anyio.fail_after(timeout):
                if proxy is None:
                    _, conn = await loop.create_connection(
                        lambda: _Connection(self, origin, loop),
                        host,
                        port,
                        ssl=context,
                        server_hostname=sni,
                    )
                else:
                    conn = await self._through(proxy, origin, context, sni, request)
        except TimeoutError as exc:
            where = f"{host}:{port}" if proxy is None else f"the proxy {proxy.url}"
            raise httpx.ConnectTimeout(
                f"no connection to {where} within {timeout:g} s"
                if timeout is not None
                else str(exc),
                request=request,
            ) from exc
        except OSError as exc:  # refused, unreachable, DNS, TLS handshake (ssl.SSLError)
            raise httpx.ConnectError(str(exc) or repr(exc), request=request) from exc
        self._connections.add(conn)
        self.connections_opened += 1
        self.peak_connections = max(self.peak_connections, len(self._connections))
        return conn

    async def _through(
        self,
        proxy: Proxy,
        origin: Origin,
        context: ssl.SSLContext | None,
        sni: str | None,
        request: httpx.Request,
    ) -> _Connection:
        """A connection to ``origin`` through ``proxy``: a ``CONNECT`` tunnel with TLS
        inside for ``https``, else one the proxy forwards each request on."""
        loop = asyncio.get_running_loop()
        _, conn = await loop.create_connection(
            lambda: _Connection(self, origin, loop), proxy.host, proxy.port
        )
        try:
            if context is None:
                conn._proxy_headers = [(k.encode(), v.encode()) for k, v in proxy.headers.items()]
                return conn
            _, host, port = origin
            await conn.tunnel(host, port, proxy.headers, request)
            assert conn.transport is not None
            tls = await loop.start_tls(conn.transport, conn, context, server_hostname=sni)
            if tls is None:  # pragma: no cover - the loop closed under us
                raise httpx.ConnectError("the TLS tunnel closed at once", request=request)
            conn.transport = tls
            return conn
        except BaseException:
            if not conn.lost:
                conn.closed_waiter = loop.create_future()
                conn.abort()
                with anyio.CancelScope(shield=True):
                    await conn.closed_waiter  # its socket is closed before the slot is free
            raise

    def _ssl(self) -> ssl.SSLContext:
        context = self._ssl_context
        if context is None:
            verify = ssl_context(self._verify)
            if isinstance(verify, ssl.SSLContext):
                context = verify
            else:
                context = httpx.create_ssl_context(verify=verify)
            self._ssl_context = context
        return context

    def _release(self, conn: _Connection) -> None:
        """``conn`` finished its exchange: to the first waiter, to the pool, or closed."""
        if self._closed or not conn.reusable:
            self._retire(conn)
            return
        conn.h11.start_next_cycle()
        self._recycle(conn)

    def _recycle(self, conn: _Connection) -> None:
        """``conn`` is ready for a request: to the first waiter, else to the idle pool."""
        waiters = self._waiters
        while waiters:
            origin, waiter = waiters.popleft()
            if waiter.done():  # cancelled or timed out while queued
                continue
            if origin == conn.origin:
                waiter.set_result(conn)
            else:  # its slot goes to this waiter once the socket is closed
                waiters.appendleft((origin, waiter))
                self._retire(conn)
            return
        conn.idle = True
        conn.idle_since = conn.loop.time()
        idle = self._idle.get(conn.origin)
        if idle is None:
            idle = self._idle[conn.origin] = deque()
        idle.append(conn)
        self._idle_count += 1

    def _free_slot(self) -> None:
        """A connection slot is free: to the first waiter, else counted free."""
        waiters = self._waiters
        while waiters:
            _, waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._slots -= 1

    def _give_back(self, granted: _Connection | None) -> None:
        """A waiter was cancelled just as it was handed ``granted``: pass it on."""
        if granted is None:
            self._free_slot()
        elif self._closed or not granted.usable:
            self._retire(granted)
        else:
            self._recycle(granted)

    def _unidle(self, conn: _Connection) -> _Connection:
        conn.idle = False
        self._idle_count -= 1
        return conn

    def _forget_idle(self, conn: _Connection) -> None:
        """An idle connection was closed by the server (or sent unasked bytes): drop it."""
        idle = self._idle.get(conn.origin)
        if idle is not None:
            idle.remove(conn)  # once per closed connection, never per request
        self._retire(self._unidle(conn))

    def _retire(self, conn: _Connection) -> None:
        """Close ``conn``; its slot is free once its socket is closed, not before, so
        that a successor never opens while the socket it replaces is still open (asyncio
        closes an aborted transport's socket one loop iteration later)."""
        self._connections.discard(conn)
        conn.abort()
        if conn.lost:
            self._free_slot()
        else:
            conn.frees_slot = True
