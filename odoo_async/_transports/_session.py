"""The HTTP layer: one pooled ``httpx.AsyncClient``, errors mapped to ours.

Everything below the wire protocol goes through :class:`HTTPSession.post`:
it sends one request, counts bytes, and turns every httpx failure and every
HTTP error status into an :mod:`odoo_async._errors` exception raised ``from``
the original. It does not retry; the client's retry loop decides that.
"""

from __future__ import annotations

import os
import re
import ssl
import urllib.request
from collections.abc import Mapping
from typing import Any

import httpx

from odoo_async._errors import (
    REDACTED,
    ClientClosedError,
    ConnectError,
    ConnectionDropped,
    HTTPStatusError,
    ProtocolError,
    RateLimited,
    RequestTimeout,
    TransportError,
    redact,
)
from odoo_async._secret import SecretLike, reveal
from odoo_async._stats import ClientStats

from ._retry_after import parse_retry_after
from ._tls import ssl_context

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_TIMEOUT",
    "TRANSPORTS",
    "HTTPSession",
    "describe_body",
    "make_transport",
    "redact_bytes",
    "ssl_context",
]

#: Odoo's prefork workers close idle keep-alive sockets after about 2 seconds,
#: so pooled connections are dropped after 1 second idle. The pool size is one
#: a stock Odoo (``db_maxconn=64``, threaded server) survives.
DEFAULT_LIMITS = httpx.Limits(
    max_connections=32, max_keepalive_connections=32, keepalive_expiry=1.0
)
DEFAULT_TIMEOUT = httpx.Timeout(120.0, connect=10.0, pool=None)

_BODY_KEEP = 2048
_TITLE_RE = re.compile(rb"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")

_USER_AGENT = "odoo_async"


def redact_bytes(body: bytes, secrets: tuple[SecretLike, ...]) -> bytes:
    """``body`` with every secret masked."""
    for secret in secrets:
        plain = reveal(secret)
        if plain:
            body = body.replace(plain.encode(), REDACTED.encode())
    return body


def describe_body(body: bytes, limit: int = 160) -> str:
    """A short, one-line text of a reply body for an error message.

    An HTML page is reduced to its ``<title>`` (or its text); anything else to
    its first characters.
    """
    match = _TITLE_RE.search(body[:_BODY_KEEP])
    if match:
        text = match.group(1).decode("utf-8", "replace")
    else:
        text = _TAG_RE.sub(" ", body[:_BODY_KEEP].decode("utf-8", "replace"))
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text or "(empty body)"


#: ``AsyncOdoo(transport=...)`` by name; ``None`` is the default, ``"aiohttp"``.
TRANSPORTS = ("aiohttp", "httpx", "pooled")


def make_transport(
    transport: httpx.AsyncBaseTransport | str | None,
    *,
    verify: bool | str | os.PathLike[str] | ssl.SSLContext,
    http2: bool,
    limits: httpx.Limits,
) -> httpx.AsyncBaseTransport:
    """The transport ``AsyncOdoo(transport=...)`` names, configured from ``verify``,
    ``http2`` and ``limits``; a transport instance is used as it is.

    ``None`` (the default) and ``"aiohttp"``: aiohttp's pool through
    httpx-aiohttp (:class:`~odoo_async._transports._aiohttp.AiohttpTransport`), except with
    ``http2=True``, which aiohttp does not speak: httpx's own then. ``"httpx"``:
    httpx's own pool (httpcore). ``"pooled"``: :class:`~odoo_async.PooledTransport`.
    """
    if isinstance(transport, httpx.AsyncBaseTransport):
        return transport
    name = transport or ("httpx" if http2 else "aiohttp")
    context = ssl_context(verify)
    if name == "aiohttp":
        if http2:
            raise ValueError("transport='aiohttp' speaks HTTP/1.1 only; http2=True needs 'httpx'")
        from ._aiohttp import AiohttpTransport

        return AiohttpTransport(verify=context, limits=limits)
    if name == "httpx":
        return httpx.AsyncHTTPTransport(verify=context, http2=http2, limits=limits)
    if name == "pooled":
        if http2:
            raise ValueError("transport='pooled' speaks HTTP/1.1 only; http2=True needs 'httpx'")
        from ._pooled import PooledTransport

        return PooledTransport(
            max_connections=limits.max_connections or 32,
            keepalive_expiry=limits.keepalive_expiry or 0.0,
            verify=context,
        )
    raise ValueError(
        f"transport must be one of {', '.join(map(repr, TRANSPORTS))}, None or an httpx "
        f"transport, got {transport!r}"
    )


class _Trace:
    """Remembers whether a request opened a new connection and how far it got."""

    __slots__ = ("accepted", "connected", "sending")

    def __init__(self) -> None:
        self.connected = False
        self.sending = False
        self.accepted = False

    async def __call__(self, name: str, info: Mapping[str, Any]) -> None:
        if name == "connection.connect_tcp.started":
            self.connected = True
        elif name == "http11.send_request_headers.started":
            self.sending = True
        elif name == "http11.send_request_body.complete":
            self.accepted = True

    @property
    def stale(self) -> bool:
        """A pooled HTTP/1.1 connection failed while the request was being written.

        The server had closed it, so the request was not accepted and cannot
        have run. (httpcore already drops pooled connections whose socket shows
        end-of-file before reusing them; this catches the close that races
        with the write.) An end-of-file while waiting for the reply is not
        stale: the request may have run. httpcore's transport and
        :class:`~odoo_async.PooledTransport` report these events; with any
        other transport nothing is called stale.
        """
        return self.sending and not self.connected and not self.accepted


class HTTPSession:
    """One ``httpx.AsyncClient`` shared by a client and all its views."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float | httpx.Timeout | None,
        limits: httpx.Limits,
        http2: bool,
        verify: bool | str | os.PathLike[str] | ssl.SSLContext,
        transport: httpx.AsyncBaseTransport | str | None,
        headers: Mapping[str, str] | None,
        stats: ClientStats,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._limits = limits
        self._http2 = http2
        self._verify = verify
        self._transport = transport
        self._headers = {"User-Agent": _USER_AGENT, **(headers or {})}
        self._client: httpx.AsyncClient | None = None
        # What post() sends on: the transport itself, when no proxy is set in
        # the environment (httpx would mount one per URL); else the client.
        self._send: httpx.AsyncBaseTransport | None = None
        self._urls: dict[str, httpx.URL] = {}
        self._headers_cache: dict[tuple[tuple[str, str], ...], httpx.Headers] = {}
        self._closed = False
        self.stats = stats
        #: Masked in every text and body kept from a reply (set by the client).
        self.secrets: tuple[SecretLike, ...] = ()

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def client(self) -> httpx.AsyncClient:
        """The pooled client, created on first use."""
        if self._closed:
            raise ClientClosedError("this AsyncOdoo client is closed; create a new one")
        if self._client is None:
            transport = make_transport(
                self._transport, verify=self._verify, http2=self._http2, limits=self._limits
            )
            self._client = httpx.AsyncClient(
                base_url=self.base_url,
                timeout=self.timeout,
                transport=transport,
                headers=self._headers,
                follow_redirects=False,
            )
            if not urllib.request.getproxies():
                self._send = transport
        return self._client

    def abandon(self) -> None:
        """Closed, without closing the pool: its event loop is gone, and its sockets with it."""
        self._closed = True
        self._client = None

    async def aclose(self) -> None:
        self._closed = True
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    def _url(self, path: str) -> httpx.URL:
        url = self._urls.get(path)
        if url is None:
            url = self._urls[path] = httpx.URL(self.base_url + path)
        return url

    def _merged_headers(
        self, client: httpx.AsyncClient, headers: Mapping[str, str] | None
    ) -> httpx.Headers:
        """The client's headers with ``headers`` on top, built once per distinct set.

        Building the request by hand (rather than ``client.post``) skips
        httpx's URL and header merging, a good share of a call's cost.
        """
        key = tuple(headers.items()) if headers else ()
        merged = self._headers_cache.get(key)
        if merged is None:
            merged = httpx.Headers(client.headers)
            merged.update(headers or {})
            if len(self._headers_cache) > 64:  # per-call headers (a session cookie)
                self._headers_cache.clear()
            self._headers_cache[key] = merged
        return merged

    async def post(
        self,
        path: str,
        content: bytes,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
        model: str | None = None,
        method: str | None = None,
        check_status: bool = True,
    ) -> httpx.Response:
        """POST ``content`` to ``path``; return a 2xx response or raise.

        With ``check_status=False`` a reply of any status is returned, for a
        protocol that reads its errors from the body (JSON-2); it calls
        :meth:`status_error` for the replies it does not understand.
        """
        return await self.send(
            "POST",
            path,
            content,
            headers=headers,
            timeout=timeout,
            model=model,
            method=method,
            check_status=check_status,
        )

    async def send(
        self,
        http_method: str,
        path: str,
        content: bytes = b"",
        *,
        headers: Mapping[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
        model: str | None = None,
        method: str | None = None,
        check_status: bool = True,
    ) -> httpx.Response:
        """Send one ``http_method`` request to ``path``; see :meth:`post`."""
        client = self.client
        trace = _Trace()
        stats = self.stats
        stats.requests += 1
        stats.bytes_out += len(content)
        request = httpx.Request(
            http_method,
            self._url(path),
            headers=self._merged_headers(client, headers),
            content=content,
            extensions={"trace": trace, "timeout": (timeout or self.timeout).as_dict()},
        )
        response: httpx.Response | None = None
        try:
            # Streamed, then read here, so a body that cannot be decoded still
            # leaves us the response's status (httpx's own send does the same).
            # Straight to the transport when we can: the client's send would
            # only add cookie-jar, auth and redirect handling, which a JSON-RPC
            # call does not use (README, "Where a call's time goes").
            send = self._send
            if send is not None:
                response = await send.handle_async_request(request)
                response.request = request
            else:
                response = await client.send(request, stream=True)
            try:
                await response.aread()
            except BaseException:
                await response.aclose()
                raise
        except httpx.TimeoutException as exc:
            stats.errors += 1
            raise self._timeout_error(exc, timeout, model, method) from exc
        except httpx.ConnectError as exc:
            stats.errors += 1
            raise ConnectError(
                f"cannot connect to {self.base_url}: {self._text(exc)}",
                model=model,
                method=method,
                url=self.base_url,
            ) from exc
        except (httpx.LocalProtocolError, httpx.UnsupportedProtocol) as exc:
            # Our own request is unsendable (a bad header, a bad URL scheme): it
            # would fail the same way again, so it must never be retried. A
            # ProtocolError without a status is never retried; the client's
            # retry loop counts it in stats.errors.
            raise ProtocolError(
                f"the request to {self.base_url}{path} cannot be sent: "
                f"{type(exc).__name__}: {self._text(exc)}",
                model=model,
                method=method,
            ) from exc
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            stats.errors += 1
            stale = trace.stale
            raise ConnectionDropped(
                f"the connection to {self.base_url} was closed before a reply was read "
                f"({self._text(exc)})",
                stale_connection=stale,
                model=model,
                method=method,
                url=self.base_url,
            ) from exc
        except httpx.TransportError as exc:
            stats.errors += 1
            raise TransportError(
                f"HTTP transport error talking to {self.base_url}: "
                f"{type(exc).__name__}({self._text(exc)!r})",
                model=model,
                method=method,
                url=self.base_url,
            ) from exc
        except httpx.DecodingError as exc:
            # A body that does not match its Content-Encoding (a proxy's page
            # labelled gzip). Counted in stats.errors by the client's retry loop,
            # like every error that is not a TransportError.
            status = response.status_code if response is not None else None
            headers = response.headers if response is not None else httpx.Headers()
            encoding = headers.get("content-encoding", "?")
            raise ProtocolError(
                f"the reply from {self.base_url}{path} (HTTP {status or '?'}, "
                f"Content-Encoding: {encoding}) cannot be decoded: {self._text(exc)}",
                status_code=status,
                content_type=headers.get("content-type"),
                model=model,
                method=method,
            ) from exc
        except httpx.RequestError as exc:
            stats.errors += 1
            raise TransportError(
                f"HTTP request error talking to {self.base_url}: "
                f"{type(exc).__name__}({self._text(exc)!r})",
                model=model,
                method=method,
                url=self.base_url,
            ) from exc
        body = response.content
        stats.bytes_in += len(body)
        if check_status and response.status_code >= 300:
            raise self.status_error(response, model=model, method=method)
        return response

    def status_error(
        self, response: httpx.Response, *, model: str | None = None, method: str | None = None
    ) -> HTTPStatusError:
        """The error for an HTTP error reply (counted in ``stats.errors``), secrets masked."""
        self.stats.errors += 1
        return self._status_error(response, response.content, model, method)

    def _text(self, exc: Exception) -> str:
        """``str(exc)`` with the secrets masked (a bad header may echo one)."""
        return redact(str(exc), *self.secrets)

    def _timeout_error(
        self,
        exc: httpx.TimeoutException,
        timeout: httpx.Timeout | None,
        model: str | None,
        method: str | None,
    ) -> RequestTimeout:
        limit = {
            httpx.ConnectTimeout: "connect",
            httpx.ReadTimeout: "read",
            httpx.WriteTimeout: "write",
            httpx.PoolTimeout: "pool",
        }.get(type(exc), "read")
        effective = timeout or self.timeout
        seconds: float | None = getattr(effective, limit, None)
        shown = f"{seconds:g} s" if seconds is not None else "no limit"
        return RequestTimeout(
            f"{limit} timeout ({shown}) talking to {self.base_url}",
            limit=limit,
            seconds=seconds,
            model=model,
            method=method,
            url=self.base_url,
        )

    def _status_error(
        self, response: httpx.Response, body: bytes, model: str | None, method: str | None
    ) -> HTTPStatusError:
        status = response.status_code
        phrase = response.reason_phrase or ""
        body = redact_bytes(body[:_BODY_KEEP], self.secrets)
        text = redact(describe_body(body), *self.secrets)
        message = f"HTTP {status} {phrase} from {self.base_url}{response.request.url.path}: {text}"
        if 300 <= status < 400:
            location = response.headers.get("location", "?")
            message = (
                f"HTTP {status} redirect from {self.base_url}{response.request.url.path} to "
                f"{location}: check the URL (scheme, host, path)"
            )
        if status == 429:
            return RateLimited(
                message,
                retry_after=parse_retry_after(response.headers.get("retry-after")),
                body=body[:_BODY_KEEP],
                model=model,
                method=method,
                url=self.base_url,
            )
        return HTTPStatusError(
            message,
            status_code=status,
            body=body[:_BODY_KEEP],
            model=model,
            method=method,
            url=self.base_url,
        )
