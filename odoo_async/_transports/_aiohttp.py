"""The default transport: aiohttp's connection pool under httpx, via ``httpx-aiohttp``.

Measured in one run against httpx's own pool (httpcore) and odoo_async's
:class:`~odoo_async.PooledTransport` (docs: client.md, "The HTTP transport"),
aiohttp's pool with its C HTTP parser is the fastest kept library at 32 calls
in flight, and ours was not 1.3 times faster where it would matter
(remote-like, 32 in flight), so the kept library is the default.

:class:`AiohttpTransport` is ``httpx_aiohttp.AiohttpTransport`` with three
things the client relies on:

- aiohttp's errors become the httpx errors httpcore raises for the same
  failure (httpx-aiohttp maps every ``ClientConnectionError``, a dropped
  connection included, to ``ConnectTimeout``, which would make a lost reply
  look like a request that never left): refused or TLS failures are
  ``ConnectError``, a connection closed before the reply is
  ``RemoteProtocolError("Server disconnected without sending a response.")``,
  a reset is ``ReadError``, a write aiohttp refused (its connection was
  closing) is ``WriteError``, a connect or pool wait over its limit is
  ``ConnectTimeout`` or ``PoolTimeout`` (told apart by whether a connection
  was being opened), a slow reply is ``ReadTimeout``; the same while the
  body is read (the transport reads each reply whole);
- what the client needs to tell a request that never left (safe to replay)
  from one whose reply was lost: a refused write reports the httpcore trace
  events ``HEADERS_SENDING`` (and ``CONNECTING`` on a new connection) and no
  ``BODY_SENT`` (:mod:`~odoo_async._transports._trace`). Read from the
  failure, not from aiohttp's trace callbacks: those cost every call about
  15 us, and aiohttp reports a body chunk as sent before it writes it;
- a request whose body is bytes goes to aiohttp directly and its reply is read
  whole, not through httpx-aiohttp's reply stream.

A request carrying the :data:`STREAMED` extension (a report, a file) gets its
reply with the body unread, for its reader to stream.
"""

from __future__ import annotations

import asyncio
import contextvars
import ssl
from collections.abc import Mapping
from typing import Any

import aiohttp
import httpx
from aiohttp import hdrs
from httpx_aiohttp import AiohttpTransport as _Base

from odoo_async._config import LIMITS

from ._proxy import Proxy
from ._trace import CONNECTING, HEADERS_SENDING, Trace

__all__ = ["STREAMED", "AiohttpTransport"]

#: The request extension that asks for the reply's body unread (a download).
STREAMED = "odoo_async.streamed"

_NO_RESPONSE = "Server disconnected without sending a response."
_REFUSED = "nothing of the request was sent: the connection was closing"
#: aiohttp's refusal to write to a closing connection: its own error (3.10.x on), or
#: before it a bare ``ConnectionResetError`` with this text (3.10.0).
_RESET: type[BaseException] | None = getattr(aiohttp, "ClientConnectionResetError", None)
_CLOSING = "Cannot write to closing transport"


class _State:
    """What is known of the request in flight before it fails."""

    __slots__ = ("connecting",)

    def __init__(self) -> None:
        self.connecting = False  # a new connection was started (not waiting for the pool)


_state: contextvars.ContextVar[_State | None] = contextvars.ContextVar(
    "odoo_async_aiohttp_request", default=None
)


def _mapped(exc: BaseException, request: httpx.Request) -> httpx.TransportError | None:
    """The httpx error httpcore raises for the failure ``exc`` (aiohttp's) describes."""
    text = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError(_NO_RESPONSE, request=request)
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(text, request=request)
    if isinstance(exc, (aiohttp.ServerTimeoutError, asyncio.TimeoutError)):  # socket read
        return httpx.ReadTimeout(text, request=request)
    if isinstance(exc, aiohttp.ClientConnectorError):  # refused, DNS, TLS verification
        return httpx.ConnectError(text, request=request)
    if isinstance(exc, aiohttp.ClientHttpProxyError):  # the proxy refused the CONNECT
        return httpx.ProxyError(f"{exc.status} {exc.message}", request=request)
    if isinstance(exc, aiohttp.ClientPayloadError):
        return httpx.RemoteProtocolError(text, request=request)
    if isinstance(exc, aiohttp.ClientResponseError):  # a reply aiohttp cannot parse
        return httpx.RemoteProtocolError(text, request=request)
    if isinstance(exc, aiohttp.InvalidURL):
        return httpx.UnsupportedProtocol(text, request=request)
    if isinstance(exc, (aiohttp.ClientOSError, ConnectionError)):  # reset, broken pipe
        return httpx.ReadError(text, request=request)
    if isinstance(exc, aiohttp.ClientError):
        return httpx.NetworkError(text, request=request)
    return None


def _original(exc: BaseException) -> BaseException:
    """The aiohttp error behind httpx-aiohttp's mapped one (it chains it as the cause)."""
    cause = exc.__cause__
    if isinstance(exc, httpx.TransportError) and isinstance(
        cause, (aiohttp.ClientError, asyncio.TimeoutError)
    ):
        return cause
    return exc


def _refused_write(exc: BaseException) -> bool:
    """Whether aiohttp refused to write the request: its connection was closing.

    aiohttp's writer raises ``ClientConnectionResetError`` (a bare
    ``ConnectionResetError`` in aiohttp 3.10.0) before it hands a closing
    transport any byte, so then nothing, or a request without its body (the
    body's write refused), reached the server: it cannot have run. The error may come as the
    cause of the ``ClientOSError`` the body's writer reports it with.
    """
    seen: BaseException | None = exc
    for _ in range(4):  # the chain is short: the error, the writer's, its cause
        if seen is None:
            return False
        if (_RESET is not None and isinstance(seen, _RESET)) or (
            type(seen) is ConnectionResetError and str(seen) == _CLOSING
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


async def _report_unsent(request: httpx.Request, state: _State) -> None:
    """Tell the request's trace what httpcore would have: it was being written, no further."""
    trace: Trace | None = request.extensions.get("trace")
    if trace is not None:
        if state.connecting:
            await trace(CONNECTING, {})
        await trace(HEADERS_SENDING, {})


class _Connector(aiohttp.TCPConnector):
    """aiohttp's connector, telling the request in flight that it opened a connection.

    That is all that is known of a request before it fails that the failure
    does not say itself (a connect limit over: waiting for the pool, or
    connecting?). One override, called for new connections only; aiohttp's
    trace events would cost every call about 15 us.
    """

    async def _create_connection(self, req: Any, traces: Any, timeout: Any) -> Any:
        state = _state.get()
        if state is not None:
            state.connecting = True
        return await super()._create_connection(req, traces, timeout)


class AiohttpTransport(_Base):
    """``httpx_aiohttp.AiohttpTransport`` with httpcore's errors and a short path for whole replies.

    ``verify`` is a bool or an ``ssl.SSLContext``; ``limits.max_connections``
    caps the pool and ``limits.keepalive_expiry`` is how long an idle
    connection is kept; ``proxy``, the HTTP proxy every request goes through
    (its credentials as a ``Proxy-Authorization`` header: aiohttp deprecates
    its ``proxy_auth``). aiohttp's own ``trust_env`` stays off: odoo_async reads
    the environment itself, the same way for every transport. asyncio only (aiohttp).
    """

    def __init__(
        self,
        *,
        verify: bool | ssl.SSLContext = True,
        limits: httpx.Limits = LIMITS,
        proxy: Proxy | None = None,
    ) -> None:
        super().__init__(
            verify=verify,
            limits=limits,
            client=self._session,
            proxy=proxy.httpx_proxy() if proxy is not None else None,
        )
        # aiohttp sends proxy headers on a CONNECT only: a plain-HTTP request the
        # proxy forwards carries them itself.
        self._forwarded = list(proxy.headers.items()) if proxy is not None else []
        self._timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}

    def _session(self) -> aiohttp.ClientSession:
        limit = self.limits.max_connections
        connector = _Connector(
            limit=limit if limit is not None else 0,
            keepalive_timeout=self.limits.keepalive_expiry or 0,
            ssl=self.ssl_context,
        )
        return aiohttp.ClientSession(connector=connector, auto_decompress=False)

    def _timeout(self, limits: Mapping[str, float | None]) -> aiohttp.ClientTimeout:
        """httpx's timeouts as aiohttp's (as httpx-aiohttp maps them), made once per set."""
        key = (limits.get("connect"), limits.get("read"), limits.get("pool"))
        timeout = self._timeouts.get(key)
        if timeout is None:
            if len(self._timeouts) > 16:  # per-call timeouts: a handful in practice
                self._timeouts.clear()
            connect, read, pool = key
            timeout = aiohttp.ClientTimeout(sock_connect=connect, sock_read=read, connect=pool)
            self._timeouts[key] = timeout
        return timeout

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        state = _State()
        token = _state.set(state)
        try:
            if request.extensions.get(STREAMED) or not isinstance(request.stream, httpx.ByteStream):
                return await self._streamed(request)
            return await self._whole(request)
        except (httpx.TransportError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
            original = _original(exc)
            mapped = _mapped(original, request)
            if mapped is None:
                raise
            if isinstance(mapped, httpx.ConnectTimeout) and not state.connecting:
                # aiohttp's connect limit also covers the wait for a pooled
                # connection: no connection was being opened, so it was that
                mapped = httpx.PoolTimeout(str(mapped), request=request)
            if _refused_write(original):  # what httpcore raises when its write fails
                mapped = httpx.WriteError(_REFUSED, request=request)
                await _report_unsent(request, state)
            raise mapped from original
        finally:
            _state.reset(token)

    async def _whole(self, request: httpx.Request) -> httpx.Response:
        """A request whose body is bytes, its reply read whole: aiohttp, called directly.

        httpx-aiohttp's path (a reply stream read in 16 KiB pieces through an
        async generator, a context manager mapping errors around each) left
        the default transport at 0.84x raw aiohttp's calls/s, 0.73x at 32 in
        flight (docs: client.md, "The HTTP transport"); this is the same
        request, made the short way.
        """
        session = self.client
        if not isinstance(session, aiohttp.ClientSession):
            session = self.client = self.get_client()
        url = request.url
        headers: list[tuple[str, str]] = request.headers.multi_items()
        if url.scheme == "http" and self._forwarded:
            # aiohttp sends proxy headers on a CONNECT only: a plain-HTTP
            # request the proxy forwards carries them itself.
            headers += self._forwarded
        proxy = self.proxy
        async with session.request(
            request.method,
            str(url),
            headers=headers,
            data=request.read() or None,
            allow_redirects=False,
            timeout=self._timeout(request.extensions.get("timeout", {})),
            server_hostname=request.extensions.get("sni_hostname"),
            proxy=str(proxy.url) if proxy is not None else None,
            proxy_headers=proxy.headers if proxy is not None else None,
        ) as reply:
            body = await reply.read()
            status, raw = reply.status, reply.raw_headers
            reason = reply.reason
            encoded = hdrs.CONTENT_ENCODING in reply.headers
        extensions: dict[str, Any] = {"http_version": b"HTTP/1.1"}
        if reason:
            extensions["reason_phrase"] = reason.encode()
        response = httpx.Response(
            status, headers=raw, stream=httpx.ByteStream(body), extensions=extensions
        )
        if not encoded:
            # Read: what httpx's read() stores, without the trip through its
            # decoders that costs 4 times the rest of making the response. A
            # gzipped body (aiohttp decodes nothing) is left to them.
            response._content = body
        return response

    async def _streamed(self, request: httpx.Request) -> httpx.Response:
        """A body sent in pieces, or a reply its reader streams: httpx-aiohttp's path."""
        headers = request.headers
        if self._forwarded and request.url.scheme == "http":
            request.headers = httpx.Headers([*headers.multi_items(), *self._forwarded])
        try:
            response = await super().handle_async_request(request)
        finally:
            request.headers = headers
        if request.extensions.get(STREAMED):
            return response  # a file: its reader streams the body
        stream = response.stream
        try:
            body = b"".join([chunk async for chunk in stream])  # type: ignore[union-attr]
        finally:
            await stream.aclose()  # type: ignore[union-attr]
        response.stream = httpx.ByteStream(body)
        response.read()
        return response

    async def aclose(self) -> None:
        session = self.client
        if isinstance(session, aiohttp.ClientSession):
            await session.close()
            # let aiohttp's transports finish closing (its documented graceful shutdown)
            await asyncio.sleep(0)
