"""The HTTP session under the wire protocols: its public type, and the one odoo_async uses.

:class:`HTTPSession` is what a wire protocol sends its requests through: the
seam a third-party :class:`~odoo_async.WireProtocol` is written against. It
sends bytes, returns the reply, and masks the client's secrets in what it keeps
of a reply. :class:`HttpxSession` is the implementation every client uses: one
pooled ``httpx.AsyncClient`` on the transport ``AsyncOdoo(transport=...)``
names. It counts the bytes and requests (``stats.requests``, ``bytes_out``,
``bytes_in``) and turns every httpx failure and every HTTP error status into an
odoo_async exception raised ``from`` the original (the table in
:mod:`~odoo_async._transports._mapping`). It does not retry, and does not count
errors: the client's retry loop decides and counts.
"""

from __future__ import annotations

import abc
import contextlib
import os
import re
import ssl
from collections.abc import AsyncIterator, Mapping

import httpx

from odoo_async import _telemetry
from odoo_async._config import ERROR_BODY_KEPT, USER_AGENT
from odoo_async._errors import (
    REDACTED,
    ClientClosedError,
    HTTPStatusError,
    OdooError,
    ProxyAuthenticationError,
    ProxyError,
    RateLimited,
    redact,
)
from odoo_async._secret import SecretLike, reveal
from odoo_async._stats import ClientStats

from . import make_transport
from ._aiohttp import STREAMED
from ._mapping import Failure, map_request_error
from ._plain import (
    answers_plain_http,
    closed_in_handshake,
    root_cause,
    tls_failed,
    tls_met_plain_text,
)
from ._proxy import Proxy
from ._retry_after import parse_retry_after
from ._trace import RequestTrace

__all__ = ["HTTPSession", "HttpxSession", "describe_body", "redact_bytes"]

#: Request bodies longer than this are sent in pieces of this size (aiohttp warns
#: about, and writes in one go, a body given whole past 1 MiB).
LARGE_BODY = 1 << 20
#: What nginx answers (HTTP 400) to plain HTTP sent to its TLS port.
_PLAIN_TO_TLS = b"The plain HTTP request was sent to HTTPS port"
#: The methods httpx gives a ``Content-Length`` even when the body is empty.
_SENDS_LENGTH = frozenset({"POST", "PUT", "PATCH"})


async def _pieces(content: bytes) -> AsyncIterator[bytes]:
    view = memoryview(content)
    for start in range(0, len(view), LARGE_BODY):
        yield bytes(view[start : start + LARGE_BODY])


_TITLE_RE = re.compile(rb"<title>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")


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
    match = _TITLE_RE.search(body[:ERROR_BODY_KEPT])
    if match:
        text = match.group(1).decode("utf-8", "replace")
    else:
        text = _TAG_RE.sub(" ", body[:ERROR_BODY_KEPT].decode("utf-8", "replace"))
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text or "(empty body)"


class HTTPSession(abc.ABC):
    """What a wire protocol sends its requests through (public: the seam of
    :class:`~odoo_async.WireProtocol`).

    A protocol calls :meth:`post` (or :meth:`send` for another HTTP method)
    with the path and the body's bytes, and gets the reply: a 2xx response,
    or, with ``check_status=False``, any response, for a protocol that reads its
    errors from the body. Failures arrive as odoo_async errors
    (:class:`~odoo_async.TransportError` and its subclasses,
    :class:`~odoo_async.HTTPStatusError`). What a protocol keeps of a reply for a
    message goes through :meth:`redact` and :meth:`describe`, so the client's
    password or API key never shows.
    """

    #: The server's URL, without a trailing slash.
    base_url: str
    #: The client's default timeout (a call's own timeout overrides it).
    timeout: httpx.Timeout
    #: The secrets masked in every text and body kept from a reply.
    secrets: tuple[SecretLike, ...] = ()

    @abc.abstractmethod
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
        """Send one request to ``path`` (below :attr:`base_url`) and read its reply whole.

        Parameters:

        - ``http_method``: ``"POST"``, ``"GET"``...
        - ``path``: the path, from ``/``.
        - ``content``: the body.
        - ``headers``: added to the client's own.
        - ``timeout``: this request's timeout, ``None`` for the client's.
        - ``model``, ``method``: the Odoo call it carries, named in errors.
        - ``check_status``: raise :class:`~odoo_async.HTTPStatusError` for a
          status of 300 or more (``False``: return every reply).
        """

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
        """POST ``content`` to ``path``; see :meth:`send`."""
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

    def redact(self, body: bytes, *secrets: SecretLike) -> bytes:
        """``body`` with :attr:`secrets` (and ``secrets``) masked."""
        return redact_bytes(body, (*self.secrets, *secrets))

    def describe(self, body: bytes) -> str:
        """A short one-line text of a reply body for a message, secrets masked: an
        HTML page's ``<title>`` (or its text), else the body's first characters."""
        return redact(describe_body(self.redact(body[:ERROR_BODY_KEPT])), *self.secrets)

    def status_error(
        self, response: httpx.Response, *, model: str | None = None, method: str | None = None
    ) -> HTTPStatusError:
        """The error for an HTTP error reply (a redirect, 4xx, 5xx), secrets masked.

        HTTP 429 is :class:`~odoo_async.RateLimited`, with the server's ``Retry-After``.
        """
        status = response.status_code
        phrase = response.reason_phrase or ""
        body = self.redact(response.content[:ERROR_BODY_KEPT])
        # The URL as sent (base URL and path once), without its query.
        where = redact(str(response.request.url.copy_with(query=None)), *self.secrets)
        reason = self._not_found(response) if status == 404 else self.describe(body)
        if status == 400 and _PLAIN_TO_TLS in body and self.base_url.startswith("http://"):
            # nginx's answer to plain HTTP on its TLS port
            secure = "https://" + self.base_url.removeprefix("http://")
            reason += (
                f"; the server speaks HTTPS on that port: use {redact(secure, *self.secrets)!r}"
            )
        message = f"HTTP {status} {phrase} from {where}: {reason}"
        if 300 <= status < 400:
            location = response.headers.get("location", "?")
            message = (
                f"HTTP {status} redirect from {where} to {location}: "
                "check the URL (scheme, host, path)"
            )
        if status == 429:
            return RateLimited(
                message,
                retry_after=parse_retry_after(response.headers.get("retry-after")),
                body=body,
                model=model,
                method=method,
                url=self.base_url,
            )
        return HTTPStatusError(
            message, status_code=status, body=body, model=model, method=method, url=self.base_url
        )

    def _not_found(self, response: httpx.Response) -> str:
        """What a 404 says: no such endpoint here, and why when the URL has a path.

        An HTML 404 page's title is the site's name, not a reason: it is not shown.
        """
        if "html" in response.headers.get("content-type", ""):
            text = "the server has no such endpoint (it answered with an HTML page)"
        else:
            text = self.describe(self.redact(response.content[:ERROR_BODY_KEPT]))
        base = httpx.URL(self.base_url)
        prefix = base.path.rstrip("/")
        if prefix:
            root = str(base.copy_with(path="/")).rstrip("/")
            text += (
                f"; the URL given has a path ({prefix}): give the server's base URL, "
                f"such as {root!r}, unless Odoo is served under that path"
            )
        return text


class HttpxSession(HTTPSession):
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
        proxy: Proxy | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._limits_dict = self.timeout.as_dict()  # the request extension, made once
        self._limits = limits
        self._http2 = http2
        self._verify = verify
        self._transport = transport
        self._headers = {"User-Agent": USER_AGENT, **(headers or {})}
        #: The HTTP proxy every request goes through (made by the transport), or ``None``.
        self.proxy = proxy
        self._client: httpx.AsyncClient | None = None
        # What post() sends on: the transport itself (the client's own proxy
        # handling is off: the transport goes through ``proxy``).
        self._send: httpx.AsyncBaseTransport | None = None
        self._urls: dict[str, httpx.URL] = {}
        self._host = httpx.URL(self.base_url).netloc
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
                self._transport,
                verify=self._verify,
                http2=self._http2,
                limits=self._limits,
                proxy=self.proxy,
            )
            self._client = httpx.AsyncClient(
                base_url=self.base_url,
                timeout=self.timeout,
                transport=transport,
                headers=self._headers,
                follow_redirects=False,
                trust_env=False,  # the environment's proxies are read once, in ``proxy``
            )
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

    async def _plain_http_hint(self, exc: httpx.RequestError) -> str:
        """For ``https://`` to a port that speaks plain HTTP: say so, and what to use."""
        if not isinstance(exc, httpx.ConnectError):
            return ""
        url = httpx.URL(self.base_url)
        if url.scheme != "https":
            return ""
        port = url.port or 443
        plain = tls_met_plain_text(exc) or (
            self.proxy is None  # the probe would go around the proxy: see _plain
            and closed_in_handshake(exc)
            and await answers_plain_http(url.host, port)
        )
        if not plain:
            return ""
        shown = str(url.copy_with(scheme="http", port=port)).rstrip("/")
        return (
            f"; the server at {url.host}:{port} answers in plain HTTP, not TLS: "
            f"use {shown!r} (or its TLS port)"
        )

    def _bare(self, exc: httpx.RequestError) -> httpx.RequestError:
        """``exc`` without its traceback or causes, its text masked.

        With proxy credentials: the frames under a transport's error hold the
        ``CONNECT`` request's headers in their locals, which an error reporter
        printing locals (Sentry's default) would show.
        """
        bare = type(exc)(redact(str(exc), *self.secrets))
        bare.__suppress_context__ = True
        return bare

    def _proxy_error(
        self, exc: httpx.RequestError, model: str | None, method: str | None
    ) -> ProxyError | None:
        """The proxy's part in ``exc``, when it is the proxy's: unreachable, or a
        ``CONNECT`` refused (407: the credentials). ``None`` for anything else."""
        proxy = self.proxy
        if proxy is None:
            return None
        if isinstance(exc, httpx.ProxyError):
            text = redact(str(exc), *self.secrets)
            if text.startswith("407"):
                return self._proxy_refused_login(model, method)
            target = httpx.URL(self.base_url)
            message = (
                f"the proxy {proxy.url} (from {proxy.source}) would not open a tunnel to "
                f"{target.host}:{target.port or 443}: {text}"
            )
        elif (
            isinstance(exc, httpx.ConnectError)
            and not tls_failed(exc)
            and not closed_in_handshake(exc)  # the server, through the tunnel
        ):
            cause = redact(root_cause(exc), *self.secrets)
            message = f"cannot reach the proxy {proxy.url} (from {proxy.source}): {cause}"
        else:
            return None
        return ProxyError(message, proxy=proxy.url, model=model, method=method, url=self.base_url)

    def _proxy_refused_login(
        self, model: str | None, method: str | None
    ) -> ProxyAuthenticationError:
        proxy = self.proxy
        assert proxy is not None
        if proxy.authorization is None:
            what = (
                "wants credentials and none were given: put them in the proxy's URL, "
                "http://USER:PASSWORD@host:port"
            )
        else:
            what = "refused the credentials given in its URL"
        return ProxyAuthenticationError(
            f"the proxy {proxy.url} (from {proxy.source}) {what} "
            "(HTTP 407 Proxy Authentication Required)",
            proxy=proxy.url,
            model=model,
            method=method,
            url=self.base_url,
        )

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
            if "host" not in merged:  # first, as httpx puts it
                merged = httpx.Headers([(b"Host", self._host), *merged.raw])
            merged.update(headers or {})
            if len(self._headers_cache) > 64:  # per-call headers (a session cookie)
                self._headers_cache.clear()
            self._headers_cache[key] = merged
        return merged

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
        trace = RequestTrace()
        stats = self.stats
        stats.requests += 1
        stats.bytes_out += len(content)
        # The headers httpx would add (Host, Content-Length) are added here, and
        # the body given as a stream httpx takes as it is: building the request
        # costs half as much (5 us a call instead of 12, timeit).
        template = self._merged_headers(client, headers)
        # a copy; its encoding told, not worked out again on each use
        merged = httpx.Headers(template, encoding=template.encoding)
        if content or http_method in _SENDS_LENGTH:
            merged["Content-Length"] = str(len(content))
        limits = self._limits_dict if timeout is None else timeout.as_dict()
        extensions = {"trace": trace, "timeout": limits}
        if len(content) > LARGE_BODY:
            # A large body (a file's base64) goes in pieces, its length said up front
            # (no chunked encoding, which Odoo's WSGI server may not read).
            request = httpx.Request(
                http_method,
                self._url(path),
                headers=merged,
                content=_pieces(content),
                extensions=extensions,
            )
        else:
            request = httpx.Request(
                http_method,
                self._url(path),
                headers=merged,
                stream=httpx.ByteStream(content),
                extensions=extensions,
            )
            request.read()  # the body is bytes: read, as httpx reads one given whole
        telemetry = _telemetry.active
        if telemetry is not None:  # the request's own headers: a copy of the merged ones
            telemetry.inject(request.headers)
        response: httpx.Response | None = None
        bare: tuple[OdooError, httpx.RequestError] | None = None
        try:
            # Streamed, then read here, so a body that cannot be decoded still
            # leaves us the response's status (httpx's own send does the same).
            # Straight to the transport when we can: the client's send would
            # only add cookie-jar, auth and redirect handling, which a JSON-RPC
            # call does not use (docs: client.md, "The HTTP transport").
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
        except httpx.RequestError as exc:
            error: OdooError | None = self._proxy_error(exc, model, method)
            if error is None:
                failure = Failure(
                    base_url=self.base_url,
                    path=path,
                    text=redact(str(exc), *self.secrets),
                    model=model,
                    method=method,
                    timeout=timeout or self.timeout,
                    stale=trace.stale,
                    response=response,
                    hint=await self._plain_http_hint(exc),
                )
                error = map_request_error(exc, failure)
            if self.proxy is None or self.proxy.authorization is None:
                raise error from exc
            bare = (error, self._bare(exc))
        if bare is not None:  # raised here, the original is not even its context
            raise bare[0] from bare[1]
        assert response is not None
        body = response.content
        stats.bytes_in += len(body)
        if response.status_code == 407 and self.proxy is not None:
            raise self._proxy_refused_login(model, method)
        if check_status and response.status_code >= 300:
            raise self.status_error(response, model=model, method=method)
        return response

    @contextlib.asynccontextmanager
    async def stream(
        self,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: httpx.Timeout | None = None,
        method: str | None = None,
    ) -> AsyncIterator[httpx.Response]:
        """``GET path`` with its reply's body left unread, for the caller to stream.

        Any status comes back (the caller reads what an error page says). A failure
        while connecting or while the body is read inside the block is mapped to an
        odoo_async error, as in :meth:`send`. The bytes read are not counted in
        ``stats.bytes_in`` unless the caller counts them.
        """
        client = self.client
        self.stats.requests += 1
        request = httpx.Request(
            "GET",
            self._url(path),
            headers=self._merged_headers(client, headers),
            extensions={"timeout": (timeout or self.timeout).as_dict(), STREAMED: True},
        )
        response: httpx.Response | None = None
        try:
            response = await client.send(request, stream=True)
            try:
                yield response
            finally:
                await response.aclose()
        except httpx.RequestError as exc:
            failure = Failure(
                base_url=self.base_url,
                path=path,
                text=redact(str(exc), *self.secrets),
                model=None,
                method=method,
                timeout=timeout or self.timeout,
                stale=False,
                response=response,
                hint=await self._plain_http_hint(exc),
            )
            raise map_request_error(exc, failure) from exc
