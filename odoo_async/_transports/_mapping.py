"""httpx's errors to odoo_async's, as one table.

Every failure of a request below the wire protocol is an httpx
``RequestError``; :func:`map_request_error` turns it into the
:class:`~odoo_async.OdooError` the retry rules and the user see, raised
``from`` the original. The table is read top down and the first class that
matches wins, so a subclass stands above its base (``ConnectError`` above
``TransportError``), as in httpx's own mapping of httpcore's errors.

==============================================  =============================  ==========
httpx                                           odoo_async                     replayable
==============================================  =============================  ==========
``TimeoutException`` (connect/read/write/pool)  ``RequestTimeout``             by method
``ConnectError``                                ``ConnectError``               yes
``LocalProtocolError``, ``UnsupportedProtocol``  ``ProtocolError`` (unsendable)  never
``RemoteProtocolError``, ``ReadError``,          ``ConnectionDropped``          if stale
``WriteError``
other ``TransportError``                        ``TransportError``             by method
``DecodingError``                               ``ProtocolError``              never
other ``RequestError``                          ``TransportError``             by method
==============================================  =============================  ==========
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import httpx

from odoo_async._errors import (
    ConnectError,
    ConnectionDropped,
    OdooError,
    ProtocolError,
    RequestTimeout,
    TransportError,
)

from ._plain import certificate_refused, root_cause

__all__ = ["Failure", "map_request_error"]


@dataclasses.dataclass(frozen=True)
class Failure:
    """What the mapping needs to know about the request that failed."""

    base_url: str
    path: str
    #: ``str(exc)`` with the secrets masked (a bad header may echo one).
    text: str
    model: str | None
    method: str | None
    #: The timeout the request ran under.
    timeout: httpx.Timeout
    #: Whether the request failed on a pooled connection while being written.
    stale: bool
    #: The reply, when one arrived (a body that could not be decoded).
    response: httpx.Response | None
    #: What to do, added to a connect error's message ("use 'http://...'").
    hint: str = ""


def _timeout(exc: httpx.RequestError, f: Failure) -> OdooError:
    limit = _TIMEOUT_LIMITS.get(type(exc), "read")
    seconds: float | None = getattr(f.timeout, limit, None)
    shown = f"{seconds:g} s" if seconds is not None else "no limit"
    return RequestTimeout(
        f"{limit} timeout ({shown}) talking to {f.base_url}",
        limit=limit,
        seconds=seconds,
        model=f.model,
        method=f.method,
        url=f.base_url,
    )


def _connect(exc: httpx.RequestError, f: Failure) -> OdooError:
    hint = f.hint
    if not hint and certificate_refused(exc):
        hint = (
            "; if the server's certificate comes from a private CA, give verify= the path of "
            "that CA's file, or set SSL_CERT_FILE to it"
        )
    error = ConnectError(
        f"cannot connect to {f.base_url}: {f.text or root_cause(exc)}{hint}",
        model=f.model,
        method=f.method,
        url=f.base_url,
    )
    error.plain_http = bool(f.hint)  # the only hint: https:// to a plain-HTTP port
    error.certificate_refused = not f.hint and certificate_refused(exc)
    return error


def _unsendable(exc: httpx.RequestError, f: Failure) -> OdooError:
    # Our own request is unsendable (a bad header, a bad URL scheme): it would
    # fail the same way again, so it must never be retried (a ProtocolError
    # without a status never is).
    return ProtocolError(
        f"the request to {f.base_url}{f.path} cannot be sent: {type(exc).__name__}: {f.text}",
        model=f.model,
        method=f.method,
    )


def _dropped(exc: httpx.RequestError, f: Failure) -> OdooError:
    when = "before the request was written" if f.stale else "before a reply was read"
    return ConnectionDropped(
        f"the connection to {f.base_url} was closed {when} ({f.text})",
        stale_connection=f.stale,
        model=f.model,
        method=f.method,
        url=f.base_url,
    )


def _undecodable(exc: httpx.RequestError, f: Failure) -> OdooError:
    # A body that does not match its Content-Encoding (a proxy's page labelled gzip).
    response = f.response
    status = response.status_code if response is not None else None
    headers = response.headers if response is not None else httpx.Headers()
    encoding = headers.get("content-encoding", "?")
    return ProtocolError(
        f"the reply from {f.base_url}{f.path} (HTTP {status or '?'}, "
        f"Content-Encoding: {encoding}) cannot be decoded: {f.text}",
        status_code=status,
        content_type=headers.get("content-type"),
        model=f.model,
        method=f.method,
    )


def _other(what: str) -> Callable[[httpx.RequestError, Failure], OdooError]:
    def other(exc: httpx.RequestError, f: Failure) -> OdooError:
        return TransportError(
            f"HTTP {what} error talking to {f.base_url}: {type(exc).__name__}({f.text!r})",
            model=f.model,
            method=f.method,
            url=f.base_url,
        )

    return other


_TIMEOUT_LIMITS: dict[type[Exception], str] = {
    httpx.ConnectTimeout: "connect",
    httpx.ReadTimeout: "read",
    httpx.WriteTimeout: "write",
    httpx.PoolTimeout: "pool",
}

#: The table: the first row whose classes match the error makes ours.
REQUEST_ERRORS: tuple[
    tuple[tuple[type[httpx.RequestError], ...], Callable[[httpx.RequestError, Failure], OdooError]],
    ...,
] = (
    ((httpx.TimeoutException,), _timeout),
    ((httpx.ConnectError,), _connect),
    ((httpx.LocalProtocolError, httpx.UnsupportedProtocol), _unsendable),
    ((httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError), _dropped),
    ((httpx.TransportError,), _other("transport")),
    ((httpx.DecodingError,), _undecodable),
    ((httpx.RequestError,), _other("request")),
)


def map_request_error(exc: httpx.RequestError, failure: Failure) -> OdooError:
    """The odoo_async error for ``exc`` (the caller raises it ``from exc``)."""
    for classes, make in REQUEST_ERRORS:
        if isinstance(exc, classes):
            return make(exc, failure)
    raise AssertionError("httpx.RequestError is the last row")  # pragma: no cover
