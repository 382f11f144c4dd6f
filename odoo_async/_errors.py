"""Errors raised by odoo_async.

Every error the library raises on purpose descends from one root::

    OdooError
    ├── AuthenticationError            login refused (authenticate returned false)
    ├── BudgetUnavailable              the shared budget's Redis is unreachable or slow
    ├── TransportError                 HTTP/network layer
    │   ├── ConnectError               the request never reached the server
    │   │   └── ProxyError             the HTTP proxy is unreachable or refused (.proxy)
    │   │       └── ProxyAuthenticationError  407: the proxy refused the credentials
    │   ├── RequestTimeout             a time limit fired (.limit names which one)
    │   ├── ConnectionDropped          closed before a full reply was read (.stale_connection)
    │   └── HTTPStatusError            .status_code, .body (first bytes)
    │       └── RateLimited            429; .retry_after
    ├── ProtocolError                  reply is not a JSON-RPC envelope (HTML page, text, bad JSON)
    ├── RPCError                       server fault: .name .message .arguments .debug
    │                                    .code .model .method
    │   ├── DatabaseNotFound           db= names no database on the server (.db .url)
    │   ├── AccessDenied               (odoo.exceptions.AccessDenied)
    │   ├── AccessError                (odoo.exceptions.AccessError)
    │   ├── UserError                  (odoo.exceptions.UserError)
    │   │   ├── ValidationError
    │   │   └── MissingError
    │   ├── SessionExpired             (code 100, odoo.http.SessionExpiredException)
    │   └── ConcurrencyError           (psycopg2 SerializationFailure / LockNotAvailable / ...)
    ├── RecordDecodeError              a row does not fit its Record class (model, id, field)
    ├── ReportNotFound                 no report of that name (.report .ids)
    ├── WebSessionRequired             the route needs a web session, opened by a password
    └── DomainError(OdooError, ValueError)  a malformed domain

Misuse of the API is not an Odoo problem and stays outside the root:
``ClientClosedError(RuntimeError)`` is raised when a closed client is used,
``WrongEventLoopError(RuntimeError)`` when a client is used from an event loop
other than the one that opened it (misuse, outside the ``OdooError`` tree).

Server faults are mapped by the fault's ``data.name`` through one table,
:data:`FAULT_CLASSES`; a name the table does not know becomes a plain
:class:`RPCError`. The JSON-RPC ``code`` is not used for mapping (Odoo 17 and 18
send 200, Odoo 19's ``/jsonrpc`` sends 0) except for 100, the session-expired code.

No message produced here ever echoes a password or an API key. What can echo
the request (a traceback in ``debug``, the ``context``, a reply's body, a URL)
has every occurrence of the client's secret masked (:func:`redact`). Odoo's own
sentence (``message``, ``arguments``) is masked the same way, except that a
secret which is also a word is masked only where it is echoed as a value,
quoted or in markup (:func:`redact_echo`): with the password ``admin``, "You
can not remove the admin user" stays as Odoo wrote it, while ``Invalid value
'admin'`` shows ``'***'``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ._secret import SecretLike, reveal

__all__ = [
    "FAULT_CLASSES",
    "AccessDenied",
    "AccessError",
    "AuthenticationError",
    "BudgetUnavailable",
    "ClientClosedError",
    "ConcurrencyError",
    "ConnectError",
    "ConnectionDropped",
    "DatabaseNotFound",
    "DomainError",
    "HTTPStatusError",
    "MissingError",
    "OdooError",
    "ProtocolError",
    "ProxyAuthenticationError",
    "ProxyError",
    "RPCError",
    "RateLimited",
    "RecordDecodeError",
    "ReportNotFound",
    "RequestTimeout",
    "SessionExpired",
    "TransportError",
    "UserError",
    "ValidationError",
    "WebSessionRequired",
    "WrongEventLoopError",
    "database_not_found",
    "fault_to_error",
    "redact",
    "redact_echo",
]

REDACTED = "***"


def redact(text: str, *secrets: SecretLike) -> str:
    """Return ``text`` with every occurrence of each non-empty secret masked."""
    for secret in secrets:
        plain = reveal(secret)
        if plain and plain in text:
            text = text.replace(plain, REDACTED)
    return text


#: Where a value echoed into a sentence starts and ends: a quote, markup
#: (``<string>admin</string>``), ``key=value``. Not a space: a secret that is
#: also a word (``admin``) stays in Odoo's own sentence.
_ECHO_BEFORE = "'\"`>="
_ECHO_AFTER = "'\"`<&"


def redact_echo(text: str, *secrets: SecretLike) -> str:
    """``text`` (Odoo's own sentence) with each secret masked wherever it can be an echo.

    A secret made of letters only (``admin``) can also be one of the
    sentence's words ("You can not remove the admin user"): there it is masked
    only where it stands as a value, between quotes or markup (``'admin'``,
    ``"admin"``, ``>admin<``, ``password=admin``), the forms in which Odoo,
    Python's ``repr``, JSON and XML-RPC write a value taken from the request.
    Any other secret (digits, signs: every API key) is no word of Odoo's and is
    masked wherever it appears. Use :func:`redact` for what echoes the request
    whole (a traceback, a body, a URL).
    """
    for secret in secrets:
        plain = reveal(secret)
        if not plain or plain not in text:
            continue
        if text == plain or not plain.isalpha():
            text = text.replace(plain, REDACTED)
            continue
        pattern = (
            f"(?<=[{re.escape(_ECHO_BEFORE)}]){re.escape(plain)}"
            f"(?=[{re.escape(_ECHO_AFTER)}]|\\s|$)"
        )
        text = re.sub(pattern, REDACTED, text)
    return text


def _where(model: str | None, method: str | None) -> str:
    if model and method:
        return f"{model}.{method}"
    return model or method or ""


def _located(message: str, model: str | None, method: str | None) -> str:
    """``message [model.method]`` on one line (PostgreSQL's texts end with a newline)."""
    where = _where(model, method)
    text = message.rstrip()
    return f"{text} [{where}]" if where else text


class OdooError(Exception):
    """Root of every error odoo_async raises about Odoo or the way to it."""

    #: Set on the error a list ``create()`` raises when some of its chunks went
    #: in: the id created for each record given, in order, or ``None`` where its
    #: chunk failed (a chunk is one transaction: all or nothing). Empty otherwise.
    created_ids: Sequence[int | None] = ()


class AuthenticationError(OdooError):
    """Odoo refused the login: ``authenticate`` returned ``false``."""

    def __init__(self, message: str, *, db: str, login: str) -> None:
        super().__init__(message)
        self.db = db
        self.login = login


class BudgetUnavailable(OdooError):
    """The shared budget (``budget=RedisBudget(...)``) could not be asked.

    Its Redis is unreachable, refused the command or did not answer in time;
    no request was sent to Odoo. ``key`` names the budget, ``url`` its Redis
    (password masked).
    """

    def __init__(self, message: str, *, key: str, url: str) -> None:
        super().__init__(message)
        self.key = key
        self.url = url


class TransportError(OdooError):
    """The HTTP or network layer failed; no valid reply from Odoo was read."""

    def __init__(
        self,
        message: str,
        *,
        model: str | None = None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(_located(message, model, method))
        self.model = model
        self.method = method
        self.url = url


class ConnectError(TransportError):
    """The connection could not be opened, so the request never reached Odoo.

    ``plain_http`` is true when the URL says ``https://`` and the port speaks
    plain HTTP: a mistake in the URL, which no retry mends. ``certificate_refused``
    is true when the TLS handshake refused the server's certificate (unknown CA,
    wrong name, expired): no retry mends that either.
    """

    plain_http: bool = False
    certificate_refused: bool = False


class ProxyError(ConnectError):
    """The HTTP proxy could not be reached, or would not carry the request to Odoo.

    ``proxy`` is the proxy's URL as shown in messages: ``http://host:port``,
    never its credentials.
    """

    def __init__(
        self,
        message: str,
        *,
        proxy: str,
        model: str | None = None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message, model=model, method=method, url=url)
        self.proxy = proxy


class ProxyAuthenticationError(ProxyError):
    """HTTP 407: the proxy refused the credentials in its URL, or wants some. Never retried."""


class RequestTimeout(TransportError):
    """A time limit fired. ``limit`` is ``"connect"``, ``"read"``, ``"write"`` or ``"pool"``."""

    def __init__(
        self,
        message: str,
        *,
        limit: str,
        seconds: float | None = None,
        model: str | None = None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message, model=model, method=method, url=url)
        self.limit = limit
        self.seconds = seconds


class ConnectionDropped(TransportError):
    """The connection closed before a complete reply was read.

    ``stale_connection`` is true when the connection came from the pool and
    failed while the request was being written: the server had closed the idle
    keep-alive socket, so the request was not accepted and cannot have run.
    """

    def __init__(
        self,
        message: str,
        *,
        stale_connection: bool = False,
        model: str | None = None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message, model=model, method=method, url=url)
        self.stale_connection = stale_connection


class HTTPStatusError(TransportError):
    """Odoo (or a proxy in front of it) answered with an HTTP error status.

    ``body`` holds the first bytes of the reply, for diagnosis.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: bytes = b"",
        model: str | None = None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message, model=model, method=method, url=url)
        self.status_code = status_code
        self.body = body


class RateLimited(HTTPStatusError):
    """HTTP 429. ``retry_after`` is the server's wish in seconds, or ``None``."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None,
        status_code: int = 429,
        body: bytes = b"",
        model: str | None = None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(
            message, status_code=status_code, body=body, model=model, method=method, url=url
        )
        self.retry_after = retry_after


class ProtocolError(OdooError):
    """The reply is not what the protocol promises: an HTML page, plain text, bad JSON."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        content_type: str | None = None,
        body: bytes = b"",
        model: str | None = None,
        method: str | None = None,
    ) -> None:
        super().__init__(_located(message, model, method))
        self.status_code = status_code
        self.content_type = content_type
        self.body = body
        self.model = model
        self.method = method


class RPCError(OdooError):
    """Odoo raised an exception while serving the call.

    ``name`` is the server-side exception's dotted name (``data.name``),
    ``message`` its text, ``arguments`` its args, ``debug`` the server
    traceback (kept out of ``str()``), ``code`` the JSON-RPC error code.
    """

    def __init__(
        self,
        message: str,
        *,
        name: str = "",
        arguments: list[Any] | None = None,
        debug: str = "",
        code: int | None = None,
        model: str | None = None,
        method: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(_located(message, model, method))
        self.message = message
        self.name = name
        self.arguments = list(arguments) if arguments is not None else []
        self.debug = debug
        self.code = code
        self.model = model
        self.method = method
        self.context = dict(context) if context else {}

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(name={self.name!r}, message={self.message!r}, "
            f"model={self.model!r}, method={self.method!r})"
        )


class DatabaseNotFound(RPCError):
    """The database that ``db=`` names does not exist on the server at ``url``.

    Odoo says it in a different way on each protocol: PostgreSQL's own
    ``psycopg2.OperationalError`` (JSON-RPC, XML-RPC), an ``AccessError``
    "Database not found." (the web session), an HTML 404 "No database is
    selected" (JSON-2). The message names the database and the URL, never the
    server's internals (its PostgreSQL socket or host); ``debug`` keeps Odoo's
    traceback. It is never retried.
    """

    def __init__(
        self,
        *,
        db: str,
        url: str,
        name: str = "",
        debug: str = "",
        code: int | None = None,
        model: str | None = None,
        method: str | None = None,
    ) -> None:
        super().__init__(
            f"database {db!r} does not exist on {url}: check db= (ODOO_DB), the name of a "
            "database on that server (its login page's database selector lists them)",
            name=name,
            debug=debug,
            code=code,
            model=model,
            method=method,
        )
        self.db = db
        self.url = url


class AccessDenied(RPCError):
    """Wrong credentials for this call (``odoo.exceptions.AccessDenied``)."""


class AccessError(RPCError):
    """The user may not do this (``odoo.exceptions.AccessError``)."""


class UserError(RPCError):
    """A business rule refused the operation (``odoo.exceptions.UserError``)."""


class ValidationError(UserError):
    """A constraint failed (``odoo.exceptions.ValidationError``)."""


class MissingError(UserError):
    """A record does not exist or was deleted (``odoo.exceptions.MissingError``)."""


class SessionExpired(RPCError):
    """The web session is gone (code 100, ``odoo.http.SessionExpiredException``)."""


class ConcurrencyError(RPCError):
    """PostgreSQL refused to serialize the transaction; Odoo rolled it back.

    Because the transaction was rolled back, replaying the call is safe, even
    for writes.
    """


class RecordDecodeError(OdooError, ValueError):
    """A row from Odoo does not fit the Record class it is decoded into."""

    def __init__(
        self,
        message: str,
        *,
        model: str | None = None,
        record_id: int | None = None,
        field: str | None = None,
        value: Any = None,
    ) -> None:
        super().__init__(message)
        self.model = model
        self.record_id = record_id
        self.field = field
        self.value = value


class ReportNotFound(OdooError):
    """No report of that ``report_name`` on the server: ``.report``, ``.ids``.

    A missing record or one the user may not read is the :class:`MissingError` or
    :class:`AccessError` it is everywhere, with the report and ids in its message.
    """

    def __init__(self, message: str, *, report: str, ids: Sequence[int]) -> None:
        super().__init__(message)
        self.report = report
        self.ids = list(ids)


class WebSessionRequired(OdooError):
    """What was asked is served only to a web session, which Odoo opens with a
    password, never an API key (reports, on Odoo 17, 18 and 19)."""


class DomainError(OdooError, ValueError):
    """A domain is malformed; raised before anything is sent."""


class ClientClosedError(RuntimeError):
    """The client was closed (``aclose()`` or the end of ``async with``) and used again."""


class WrongEventLoopError(RuntimeError):
    """The client was used from an event loop other than the one that opened it.

    Its connections, its login in progress and its limits belong to that loop.
    """


#: Fault ``data.name`` -> exception class. The most specific class wins; a name
#: not listed here becomes a plain :class:`RPCError`.
FAULT_CLASSES: Mapping[str, type[RPCError]] = {
    "odoo.exceptions.AccessDenied": AccessDenied,
    "odoo.exceptions.AccessError": AccessError,
    "odoo.exceptions.UserError": UserError,
    "odoo.exceptions.RedirectWarning": UserError,
    "odoo.exceptions.Warning": UserError,
    "odoo.exceptions.except_orm": UserError,
    "odoo.exceptions.ValidationError": ValidationError,
    "odoo.exceptions.MissingError": MissingError,
    "odoo.http.SessionExpiredException": SessionExpired,
    "odoo.exceptions.ConcurrencyError": ConcurrencyError,
    "odoo.exceptions.LockError": ConcurrencyError,
    "psycopg2.errors.SerializationFailure": ConcurrencyError,
    "psycopg2.errors.LockNotAvailable": ConcurrencyError,
    "psycopg2.errors.DeadlockDetected": ConcurrencyError,
    "psycopg2.extensions.TransactionRollbackError": ConcurrencyError,
    "psycopg2.errors.TransactionRollback": ConcurrencyError,
    # Odoo 19 JSON-2 refuses a missing or wrong API key with this name (HTTP 401).
    "werkzeug.exceptions.Unauthorized": AccessDenied,
}

SESSION_EXPIRED_CODE = 100


def fault_to_error(
    data: Mapping[str, Any] | None,
    *,
    code: int | None = None,
    message: str | None = None,
    model: str | None = None,
    method: str | None = None,
    secrets: tuple[SecretLike, ...] = (),
    default: type[RPCError] | None = None,
) -> RPCError:
    """Build the exception for a server fault (a JSON-RPC ``error`` object's parts).

    ``data`` is the envelope's ``error.data`` (``name``, ``message``,
    ``arguments``, ``debug``, ``context``); ``message`` is ``error.message``,
    used when ``data`` carries none. A name :data:`FAULT_CLASSES` does not know
    gets ``default`` when given (JSON-2 picks it by HTTP status). Secrets are
    masked in every text: everywhere in ``debug`` and ``context``, and where it is
    echoed as a value in ``message`` and ``arguments`` (:func:`redact_echo`).
    """
    data = data or {}
    name = str(data.get("name") or "")
    text = data.get("message")
    if not isinstance(text, str) or not text:
        text = message or name or "Odoo server error"
    cls = FAULT_CLASSES.get(name) or default
    if cls is None:
        cls = SessionExpired if code == SESSION_EXPIRED_CODE else RPCError
    arguments = data.get("arguments")
    if not isinstance(arguments, list):
        arguments = [] if arguments is None else [arguments]
    debug = data.get("debug")
    context = data.get("context")
    return cls(
        redact_echo(text, *secrets),
        name=name,
        arguments=[_redact_value(a, secrets, echo=True) for a in arguments],
        debug=redact(debug, *secrets) if isinstance(debug, str) else "",
        code=code,
        model=model,
        method=method,
        context=_redact_value(context, secrets) if isinstance(context, Mapping) else None,
    )


def _redact_value(value: Any, secrets: tuple[SecretLike, ...], *, echo: bool = False) -> Any:
    """``value`` with every secret masked in its strings, nested ones included.

    ``echo``: ``value`` holds Odoo's own words (a fault's arguments): a string
    that is the secret itself is masked, in a longer one only echoed values
    (:func:`redact_echo`).
    """
    if isinstance(value, str):
        return redact_echo(value, *secrets) if echo else redact(value, *secrets)
    if not any(secrets):
        return value
    if isinstance(value, Mapping):
        return {
            _redact_value(k, secrets, echo=echo): _redact_value(v, secrets, echo=echo)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_redact_value(item, secrets, echo=echo) for item in value]
    return value


def database_not_found(error: OdooError, *, db: str, url: str) -> DatabaseNotFound | None:
    """``error`` as :class:`DatabaseNotFound` when it says ``db`` does not exist, else ``None``.

    The faults Odoo answers a login or a call with on a database it does not
    have: ``psycopg2.OperationalError`` ``FATAL: database "<db>" does not exist``
    (JSON-RPC, XML-RPC), ``odoo.exceptions.AccessError`` ``Database not found.``
    (``/web/session/authenticate``).
    """
    if isinstance(error, DatabaseNotFound) or not isinstance(error, RPCError):
        return None
    missing = (
        error.name == "psycopg2.OperationalError"
        and f'database "{db}" does not exist' in error.message
    ) or (error.name == "odoo.exceptions.AccessError" and error.message.strip() == _NO_DATABASE)
    if not missing:
        return None
    return DatabaseNotFound(
        db=db,
        url=url,
        name=error.name,
        debug=error.debug,
        code=error.code,
        model=error.model,
        method=error.method,
    )


_NO_DATABASE = "Database not found."
