"""The HTTP layer: the transports, and the session the wire protocols send through.

- :mod:`._session`: :class:`HTTPSession` (the public type a protocol is written
  against) and :class:`HttpxSession` (one pooled ``httpx.AsyncClient``);
- :mod:`._mapping`: httpx's errors to odoo_async's, as one table;
- :mod:`._trace`: httpcore's trace events, named once;
- the transports ``transport=`` names: :mod:`._aiohttp` (the default),
  httpx's own, :mod:`._pooled` (:class:`~odoo_async.PooledTransport`);
- :mod:`._proxy` (``proxy=``, ``trust_env=``: which proxy, if any), :mod:`._tls`
  (``verify=``) and :mod:`._retry_after`.
"""

from __future__ import annotations

import os
import ssl
from typing import Final

import httpx

from odoo_async._config import MAX_CONNECTIONS

from ._proxy import Proxy
from ._tls import ssl_context

__all__ = ["ACCEPTED", "TRANSPORTS", "make_transport"]

#: ``AsyncOdoo(transport=...)`` by name; ``None`` is the default, ``"aiohttp"``.
TRANSPORTS: Final = ("aiohttp", "httpx", "pooled")
#: What ``transport=`` accepts, for messages.
ACCEPTED: Final = ", ".join(map(repr, TRANSPORTS)) + ", None or an httpx transport"


def make_transport(
    transport: httpx.AsyncBaseTransport | str | None,
    *,
    verify: bool | str | os.PathLike[str] | ssl.SSLContext,
    http2: bool,
    limits: httpx.Limits,
    proxy: Proxy | None = None,
) -> httpx.AsyncBaseTransport:
    """The transport ``AsyncOdoo(transport=...)`` names, configured from ``verify``,
    ``http2``, ``limits`` and ``proxy`` (every request through that HTTP proxy:
    forwarded for ``http://``, in a ``CONNECT`` tunnel for ``https://``); a
    transport instance is used as it is.

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

        return AiohttpTransport(verify=context, limits=limits, proxy=proxy)
    if name == "httpx":
        return httpx.AsyncHTTPTransport(
            verify=context,
            http2=http2,
            limits=limits,
            proxy=proxy.httpx_proxy() if proxy is not None else None,
        )
    if name == "pooled":
        if http2:
            raise ValueError("transport='pooled' speaks HTTP/1.1 only; http2=True needs 'httpx'")
        from ._pooled import PooledTransport

        return PooledTransport(
            max_connections=limits.max_connections or MAX_CONNECTIONS,
            keepalive_expiry=limits.keepalive_expiry or 0.0,
            verify=context,
            proxy=proxy,
        )
    raise ValueError(f"transport must be {ACCEPTED}, got {transport!r}")
