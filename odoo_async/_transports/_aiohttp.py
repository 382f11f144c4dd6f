"""The default transport: aiohttp's connection pool under httpx, via ``httpx-aiohttp``.

Measured in one run against httpx's own pool (httpcore) and odoo_async's
:class:`~odoo_async.PooledTransport` (README, "The HTTP transport"), aiohttp's
pool with its C HTTP parser is the fastest kept library at 32 calls in
flight, and ours was not 1.3 times faster where it would matter (remote-like,
32 in flight), so the kept library is the default.

:class:`AiohttpTransport` is ``httpx_aiohttp.AiohttpTransport`` with two things
the client relies on:

- aiohttp's errors become the httpx errors httpcore raises for the same
  failure (httpx-aiohttp maps every ``ClientConnectionError``, a dropped
  connection included, to ``ConnectTimeout``, which would make a lost reply
  look like a request that never left): refused or TLS failures are
  ``ConnectError``, a connection closed before the reply is
  ``RemoteProtocolError("Server disconnected without sending a response.")``,
  a reset is ``ReadError``, a connect or pool wait over its limit is
  ``ConnectTimeout`` or ``PoolTimeout`` (told apart by whether a connection
  was being opened), a slow reply is ``ReadTimeout``; the same while the
  body is read (the transport reads each reply whole);
- the httpcore trace events the client uses to tell a stale keep-alive
  connection (closed under the write: the request never ran) from a dropped
  request: a new connection reports ``CONNECTING``, every request
  ``HEADERS_SENDING`` and, once aiohttp has written its body, ``BODY_SENT``
  (:mod:`~odoo_async._transports._trace`).

A request carrying the :data:`STREAMED` extension (a report, a file) gets its
reply with the body unread, for its reader to stream.
"""

from __future__ import annotations

import asyncio
import contextvars
import ssl
from typing import Any

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport as _Base

from odoo_async._config import LIMITS

from ._proxy import Proxy
from ._trace import BODY_SENT, CONNECTING, HEADERS_SENDING, Trace

__all__ = ["STREAMED", "AiohttpTransport"]

#: The request extension that asks for the reply's body unread (a download).
STREAMED = "odoo_async.streamed"

_NO_RESPONSE = "Server disconnected without sending a response."


class _State:
    """What aiohttp's trace callbacks learn about the request in flight."""

    __slots__ = ("connecting", "sent", "trace")

    def __init__(self, trace: Trace | None) -> None:
        self.trace = trace
        self.connecting = False  # a new connection was started (not waiting for the pool)
        self.sent = False  # the body is written (reported once)


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


async def _emit(name: str) -> None:
    state = _state.get()
    if state is not None and state.trace is not None:
        await state.trace(name, {})


async def _on_connect(*_args: Any) -> None:
    state = _state.get()
    if state is not None:
        state.connecting = True
    await _emit(CONNECTING)


async def _on_headers_sent(*_args: Any) -> None:
    await _emit(HEADERS_SENDING)


async def _on_request_end(*_args: Any) -> None:
    state = _state.get()
    if state is not None and not state.sent:  # once, not for every chunk
        state.sent = True
        await _emit(BODY_SENT)


def _trace_config() -> aiohttp.TraceConfig:
    config = aiohttp.TraceConfig()
    config.on_connection_create_start.append(_on_connect)
    config.on_request_headers_sent.append(_on_headers_sent)
    config.on_request_chunk_sent.append(_on_request_end)
    config.on_response_chunk_received.append(_on_request_end)
    return config


class AiohttpTransport(_Base):
    """``httpx_aiohttp.AiohttpTransport`` with httpcore's errors and trace events.

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

    def _session(self) -> aiohttp.ClientSession:
        limit = self.limits.max_connections
        connector = aiohttp.TCPConnector(
            limit=limit if limit is not None else 0,
            keepalive_timeout=self.limits.keepalive_expiry or 0,
            ssl=self.ssl_context,
        )
        return aiohttp.ClientSession(
            connector=connector, trace_configs=[_trace_config()], auto_decompress=False
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        state = _State(request.extensions.get("trace"))
        token = _state.set(state)
        headers = request.headers
        # aiohttp copies the headers it is given key by key, and each lookup in
        # an httpx.Headers scans them all: the pairs, once, are what it needs.
        forwarded = self._forwarded if request.url.scheme == "http" else []
        # A body sent in pieces keeps httpx's headers: httpx-aiohttp edits them.
        if isinstance(request.stream, httpx.ByteStream):
            request.headers = headers.multi_items() + forwarded  # type: ignore[assignment]
        elif forwarded:
            request.headers = httpx.Headers([*headers.multi_items(), *forwarded])
        try:
            response = await super().handle_async_request(request)
            if request.extensions.get(STREAMED):
                return response  # a file: its reader streams the body
            # Read whole here (a JSON-RPC reply is used whole), so the reply's
            # read errors are mapped in this one place too.
            stream = response.stream
            try:
                body = b"".join([chunk async for chunk in stream])  # type: ignore[union-attr]
            finally:
                await stream.aclose()  # type: ignore[union-attr]
        except (httpx.TransportError, aiohttp.ClientError, asyncio.TimeoutError) as exc:
            original = _original(exc)
            mapped = _mapped(original, request)
            if mapped is None:
                raise
            if isinstance(mapped, httpx.ConnectTimeout) and not state.connecting:
                # aiohttp's connect limit also covers the wait for a pooled
                # connection: no connection was being opened, so it was that
                mapped = httpx.PoolTimeout(str(mapped), request=request)
            raise mapped from original
        finally:
            request.headers = headers
            _state.reset(token)
        response.stream = httpx.ByteStream(body)
        response.read()  # the body is here: read it the cheap, synchronous way
        return response

    async def aclose(self) -> None:
        session = self.client
        if isinstance(session, aiohttp.ClientSession):
            await session.close()
            # let aiohttp's transports finish closing (its documented graceful shutdown)
            await asyncio.sleep(0)
