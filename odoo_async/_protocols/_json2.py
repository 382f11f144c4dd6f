"""Odoo 19's JSON-2 API: ``POST /json/2/<model>/<method>`` with a bearer API key.

Each call is one POST whose body is a JSON object of *named* arguments, plus
``ids`` (for methods on records) and ``context``; the headers carry
``Authorization: bearer <api key>`` and ``X-Odoo-Database``. A success is HTTP
200 and the bare return value; an error is an HTTP status with a JSON body
``{name, message, arguments, context, debug}`` (or an HTML page for a wrong
content type or database).

Positional arguments, as :meth:`AsyncOdoo.execute_kw` takes them, are given
their names from ``GET /doc-bearer/<model>.json`` (fetched once per model and
cached; its ``api: ["model"]`` marks the methods that take no ``ids``), with
:data:`KNOWN_METHODS` as the fallback when the server has no such page or
refuses it (Odoo 19's ``api_doc`` answers 403 outside its Technical
Documentation group, 404 when not installed). For a
method on records the first positional argument is the ``ids``, as over
``/jsonrpc``.

Errors are mapped by the body's ``name`` first (the same table as JSON-RPC,
:data:`~odoo_async._errors.FAULT_CLASSES`), the status second
(:data:`STATUS_CLASSES`); 401 is :class:`~odoo_async.AuthenticationError`. An
access refusal whose message names the scope says it is the API key's scope's.
Replies that are no JSON-2 error (a proxy's 502, a 429, an HTML page) become
the same :class:`~odoo_async.HTTPStatusError` as over every protocol, so the
retry rules, which depend on the method and the failure only, do not change.

One difference from ``/jsonrpc`` is smoothed over: JSON-2 returns a created
record as its ids, a list even for one ``vals`` dict, where ``/jsonrpc``
returns the id; ``create`` with a dict returns the id here too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import anyio
import httpx
import msgspec

from odoo_async._errors import (
    AccessError,
    AuthenticationError,
    ConcurrencyError,
    DatabaseNotFound,
    HTTPStatusError,
    OdooError,
    ProtocolError,
    RPCError,
    TransportError,
    UserError,
    fault_to_error,
    redact_echo,
)
from odoo_async._secret import Secret
from odoo_async._transports._session import HTTPSession, describe_body, redact_bytes

from ._base import Credentials, WireProtocol, parse_server_version, user_id
from ._jsonrpc import JsonRpcProtocol

__all__ = ["KNOWN_METHODS", "STATUS_CLASSES", "Json2Protocol", "MethodParams", "json2_error"]

UNAUTHORIZED: Final = "werkzeug.exceptions.Unauthorized"

#: An access refusal whose message has this word is said to be the API key's scope's.
_SCOPE_WORD: Final = "scope"
#: The class of an error whose name :data:`FAULT_CLASSES` does not know, by status.
STATUS_CLASSES: Final[Mapping[int, type[RPCError]]] = {
    403: AccessError,
    409: ConcurrencyError,
    422: UserError,
}
#: Werkzeug's errors for a malformed call (an unknown model or method, a missing
#: or unexpected argument, bad JSON) are the plain :class:`RPCError`, as the
#: same mistakes are over ``/jsonrpc`` (``TypeError``, ``AttributeError``), not
#: what their status would make them.
_CALL_ERRORS: Final = frozenset(
    {
        "werkzeug.exceptions.BadRequest",
        "werkzeug.exceptions.NotFound",
        "werkzeug.exceptions.UnprocessableEntity",
    }
)


@dataclass(frozen=True, slots=True)
class MethodParams:
    """How a method's positional arguments are named: ``names`` in order, and
    ``on_records``: whether the first positional argument is the ``ids``."""

    names: tuple[str, ...]
    on_records: bool


def _model(*names: str) -> MethodParams:
    return MethodParams(names, on_records=False)


def _records(*names: str) -> MethodParams:
    return MethodParams(names, on_records=True)


#: The parameters of the common methods as Odoo 19 names them: the fallback
#: when ``/doc-bearer/<model>.json`` cannot be read.
KNOWN_METHODS: Final[Mapping[str, MethodParams]] = {
    "search": _model("domain", "offset", "limit", "order"),
    "search_count": _model("domain", "limit"),
    "search_read": _model("domain", "fields", "offset", "limit", "order"),
    "read": _records("fields", "load"),
    "create": _model("vals_list"),
    "write": _records("vals"),
    "unlink": _records(),
    "copy": _records("default"),
    "fields_get": _model("allfields", "attributes"),
    "name_search": _model("name", "domain", "operator", "limit"),
    "name_create": _model("name"),
    "load": _model("fields", "data"),
    "formatted_read_group": _model(
        "domain", "groupby", "aggregates", "having", "offset", "limit", "order"
    ),
    "read_group": _model("domain", "fields", "groupby", "offset", "limit", "orderby", "lazy"),
    "default_get": _model("fields"),
    "context_get": _model(),
    "action_archive": _records(),
    "action_unarchive": _records(),
    "has_access": _records("operation"),
    "onchange": _records("values", "field_names", "fields_spec"),
    "get_views": _model("views", "options"),
}


class _Parameter(msgspec.Struct):
    kind: str = "POSITIONAL_OR_KEYWORD"


class _Method(msgspec.Struct):
    parameters: dict[str, _Parameter] = {}
    api: list[str] = []


class _Doc(msgspec.Struct):
    methods: dict[str, _Method] = {}


class _ErrorBody(msgspec.Struct):
    name: str
    message: Any = None
    arguments: Any = None
    context: Any = None
    debug: Any = None


_doc_decoder: Final = msgspec.json.Decoder(_Doc)
_error_decoder: Final = msgspec.json.Decoder(_ErrorBody)
_any_decoder: Final = msgspec.json.Decoder()


def _enc_hook(obj: Any) -> Any:
    if isinstance(obj, (set, frozenset)):
        return list(obj)
    raise NotImplementedError(f"cannot send a {type(obj).__name__} to Odoo: {obj!r}")


_encoder: Final = msgspec.json.Encoder(enc_hook=_enc_hook)
_NAMED: Final = frozenset({"POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD"})


def params_from_doc(doc: bytes) -> dict[str, MethodParams]:
    """Every method's :class:`MethodParams` from a ``/doc-bearer/<model>.json`` page."""
    methods = _doc_decoder.decode(doc).methods
    return {
        name: MethodParams(
            tuple(p for p, spec in method.parameters.items() if spec.kind in _NAMED),
            on_records="model" not in method.api,
        )
        for name, method in methods.items()
    }


def named_arguments(
    model: str,
    method: str,
    params: MethodParams | None,
    args: list[Any],
    kwargs: Mapping[str, Any],
) -> dict[str, Any]:
    """The JSON-2 body of ``model.method(*args, **kwargs)``.

    A ``TypeError`` says why when the positional arguments cannot be named.
    """
    if not args:
        return dict(kwargs)
    if params is None:
        raise TypeError(
            f"{model}.{method}: JSON-2 takes named arguments only, and the names of "
            f"{method!r}'s parameters are unknown (/doc-bearer/{model}.json could not be read: "
            "the server has none or refuses it to this user, as Odoo 19 does outside the "
            "Technical Documentation group; and the built-in table does not list the method): "
            "pass them in kwargs"
        )
    body: dict[str, Any] = {}
    rest = args
    if params.on_records:
        ids, rest = args[0], args[1:]
        body["ids"] = [ids] if isinstance(ids, int) and not isinstance(ids, bool) else ids
    if len(rest) > len(params.names):
        raise TypeError(
            f"{model}.{method} takes {len(params.names)} positional argument(s) "
            f"({', '.join(params.names) or 'none'}) after the ids, got {len(rest)}"
            if params.on_records
            else f"{model}.{method} takes {len(params.names)} positional argument(s) "
            f"({', '.join(params.names) or 'none'}), got {len(rest)}"
        )
    for name, value in zip(params.names, rest, strict=False):
        if name in kwargs:
            raise TypeError(f"{model}.{method} got multiple values for argument {name!r}")
        body[name] = value
    body.update(kwargs)
    return body


def json2_error(
    response: httpx.Response,
    credentials: Credentials,
    *,
    model: str | None,
    method: str | None,
) -> OdooError | None:
    """The error a JSON-2 error reply describes, or ``None`` when it is no JSON-2 error."""
    if "json" not in response.headers.get("content-type", ""):
        return None
    try:
        body = _error_decoder.decode(response.content)
    except msgspec.DecodeError:
        return None
    secret = credentials.secret
    status = response.status_code
    if status == 401 or body.name == UNAUTHORIZED:
        text = body.message if isinstance(body.message, str) else "Unauthorized"
        return AuthenticationError(
            f"Odoo refused the API key of {credentials.login!r} on database "
            f"{credentials.db!r} (HTTP {status}: {redact_echo(text, secret)}); Odoo 17-19 "
            "refuse so a wrong, expired or revoked key, and one bound to a scope other than RPC",
            db=credentials.db,
            login=credentials.login,
        )
    data = {
        "name": body.name,
        "message": body.message,
        "arguments": body.arguments,
        "context": body.context,
        "debug": body.debug,
    }
    error = fault_to_error(
        data,
        model=model,
        method=method,
        secrets=(secret,),
        default=RPCError if body.name in _CALL_ERRORS else STATUS_CLASSES.get(status, RPCError),
    )
    if isinstance(error, AccessError) and _SCOPE_WORD in error.message.lower():
        return AccessError(
            f"Odoo refused the call: the API key's scope does not allow it ({error.message})",
            name=error.name,
            arguments=error.arguments,
            debug=error.debug,
            model=model,
            method=method,
            context=error.context,
        )
    return error


#: The first Odoo major version with the JSON-2 API.
JSON2_SINCE: Final = 19
#: What Odoo 19 answers (an HTML 404) for ``/json/2`` when ``X-Odoo-Database``
#: names a database it does not have.
NO_DATABASE_PAGE: Final = b"No database is selected"


class Json2Protocol(WireProtocol):
    """Odoo 19's JSON-2 API (``/json/2``): an API key, named arguments, HTTP status errors."""

    name = "json2"
    #: JSON-2 takes API keys only (``Authorization: bearer``), never passwords.
    needs_api_key = True

    def __init__(self, path: str = "/json/2") -> None:
        self.path = path.rstrip("/")
        self._docs: dict[str, dict[str, MethodParams]] = {}
        self._doc_locks: dict[str, anyio.Lock] = {}
        self._headers: dict[tuple[str, Secret], httpx.Headers] = {}
        #: How many ``/doc-bearer`` pages were fetched.
        self.doc_fetches = 0

    def _headers_for(self, credentials: Credentials) -> httpx.Headers:
        # httpx.Headers, whose repr masks Authorization: these sit in frame locals.
        key = (credentials.db, credentials.secret)
        headers = self._headers.get(key)
        if headers is None:
            headers = self._headers[key] = httpx.Headers(
                {
                    "Authorization": f"bearer {credentials.secret.reveal()}",
                    "X-Odoo-Database": credentials.db,
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                }
            )
        return headers

    async def _post(
        self,
        http: HTTPSession,
        credentials: Credentials,
        model: str,
        method: str,
        body: dict[str, Any],
        *,
        timeout: httpx.Timeout | None,
    ) -> msgspec.Raw:
        try:
            content = _encoder.encode(body)
        except (NotImplementedError, TypeError, OverflowError) as exc:
            raise TypeError(f"cannot encode the call's arguments as JSON: {exc}") from None
        response = await http.post(
            f"{self.path}/{model}/{method}",
            content,
            headers=self._headers_for(credentials),
            timeout=timeout,
            model=model,
            method=method,
            check_status=False,
        )
        if response.status_code < 300:
            return _result(response, credentials, model, method)
        error = json2_error(response, credentials, model=model, method=method)
        if error is None:
            if response.status_code == 404 and NO_DATABASE_PAGE in response.content:
                raise DatabaseNotFound(
                    db=credentials.db, url=http.base_url, model=model, method=method
                )
            raise http.status_error(response, model=model, method=method)
        raise error

    async def version(self, http: HTTPSession, *, timeout: httpx.Timeout | None) -> msgspec.Raw:
        """``GET /web/version``, in the shape of ``common.version()``."""
        response = await http.send("GET", "/web/version", timeout=timeout, method="version")
        try:
            info = _any_decoder.decode(response.content)
        except msgspec.DecodeError:
            info = None
        if not isinstance(info, dict) or not isinstance(info.get("version_info"), list):
            raise ProtocolError(
                f"GET /web/version did not answer a version: {describe_body(response.content)}",
                status_code=response.status_code,
                content_type=response.headers.get("content-type"),
                method="version",
            )
        version = str(info.get("version") or "")
        return msgspec.Raw(
            _encoder.encode(
                {
                    "server_version": version,
                    "server_version_info": info["version_info"],
                    "server_serie": version,
                    "protocol_version": 1,
                }
            )
        )

    async def authenticate(
        self, http: HTTPSession, credentials: Credentials, *, timeout: httpx.Timeout | None
    ) -> int | None:
        """Check the API key with ``res.users.context_get()``; its ``uid`` is the user id."""
        try:
            raw = await self._post(
                http, credentials, "res.users", "context_get", {}, timeout=timeout
            )
        except AuthenticationError:
            return None
        except HTTPStatusError as exc:
            # Odoo 17 answers a 404 page for /json/2, Odoo 18 a redirect to its login.
            if exc.status_code == 404 or 300 <= exc.status_code < 400:
                raise await self._no_json2(http, exc, timeout) from exc
            raise
        context = _any_decoder.decode(raw)
        uid = user_id(context.get("uid") if isinstance(context, dict) else None)
        if uid is None:
            raise ProtocolError(
                f"res.users.context_get() returned no uid: {bytes(raw)[:200]!r}",
                model="res.users",
                method="context_get",
            )
        return uid

    async def _no_json2(
        self, http: HTTPSession, exc: HTTPStatusError, timeout: httpx.Timeout | None
    ) -> HTTPStatusError:
        """``exc``, said as "no JSON-2 on this version" when the server is older than 19."""
        try:
            try:
                raw = await self.version(http, timeout=timeout)  # GET /web/version: 19+
            except (HTTPStatusError, ProtocolError):
                raw = await JsonRpcProtocol().version(http, timeout=timeout)
            info = _any_decoder.decode(raw)
        except (OdooError, msgspec.DecodeError):
            return exc
        version = parse_server_version(info) if isinstance(info, dict) else ()
        if not version or version[0] >= JSON2_SINCE:
            return exc
        shown = str(info.get("server_serie") or ".".join(map(str, version[:2])))
        return HTTPStatusError(
            f"this server ({shown}) has no JSON-2 API (Odoo {JSON2_SINCE}+; "
            f"{http.base_url}/json/2 answered HTTP {exc.status_code}): use protocol='jsonrpc' "
            "(ODOO_PROTOCOL=jsonrpc), which takes the same API key, or protocol='auto', "
            "which picks JSON-2 where the server has it",
            status_code=exc.status_code,
            body=exc.body,
            model=exc.model,
            method=exc.method,
            url=exc.url,
        )

    async def execute_kw(
        self,
        http: HTTPSession,
        credentials: Credentials,
        uid: int,
        model: str,
        method: str,
        args: list[Any],
        kwargs: dict[str, Any],
        *,
        timeout: httpx.Timeout | None,
    ) -> msgspec.Raw:
        params = None
        if args:
            params = await self.method_params(http, credentials, model, method, timeout)
            if params is None and self._docs.get(model):
                # The model's page lists every public method, and not this one: it is
                # private or does not exist. Sent as it is, Odoo refuses it (403 or
                # 404) as it refuses it over every protocol.
                params = MethodParams((), on_records=True)
                args = args[:1]
        body = named_arguments(model, method, params, args, kwargs)
        raw = await self._post(http, credentials, model, method, body, timeout=timeout)
        if method == "create" and isinstance(body.get("vals_list"), Mapping):
            ids = _any_decoder.decode(raw)
            if isinstance(ids, list) and len(ids) == 1:
                return msgspec.Raw(_encoder.encode(ids[0]))  # the id, as /jsonrpc gives it
        return raw

    async def method_params(
        self,
        http: HTTPSession,
        credentials: Credentials,
        model: str,
        method: str,
        timeout: httpx.Timeout | None = None,
    ) -> MethodParams | None:
        """The names of ``model.method``'s parameters: from the model's doc page, else the table."""
        docs = self._docs.get(model)
        if docs is None:
            lock = self._doc_locks.setdefault(model, anyio.Lock())
            async with lock:
                docs = self._docs.get(model)
                if docs is None:
                    docs = await self._fetch_doc(http, credentials, model, timeout)
        found = docs.get(method)
        return found if found is not None else KNOWN_METHODS.get(method)

    async def _fetch_doc(
        self,
        http: HTTPSession,
        credentials: Credentials,
        model: str,
        timeout: httpx.Timeout | None,
    ) -> dict[str, MethodParams]:
        """``/doc-bearer/<model>.json``, cached; ``{}`` (and cached) when the server has none."""
        headers = self._headers_for(credentials)
        try:
            response = await http.send(
                "GET",
                f"/doc-bearer/{model}.json",
                headers=httpx.Headers(
                    {"Authorization": headers["Authorization"], "X-Odoo-Database": credentials.db}
                ),
                timeout=timeout,
                model=model,
                method="doc-bearer",
                check_status=False,
            )
        except TransportError:
            return {}  # not cached: the table serves this call, the next one asks again
        self.doc_fetches += 1
        docs: dict[str, MethodParams] = {}
        if response.status_code == 200:
            try:
                docs = params_from_doc(response.content)
            except msgspec.DecodeError:
                docs = {}
        elif response.status_code == 401:
            error = json2_error(response, credentials, model=model, method="doc-bearer")
            if error is not None:
                raise error
        self._docs[model] = docs
        return docs


def _result(
    response: httpx.Response, credentials: Credentials, model: str, method: str
) -> msgspec.Raw:
    content = response.content
    if content and "json" in response.headers.get("content-type", ""):
        return msgspec.Raw(content)
    kept = redact_bytes(content[:2048], (credentials.secret,))
    raise ProtocolError(
        f"Odoo's reply is not JSON (HTTP {response.status_code}, "
        f"{response.headers.get('content-type') or 'no content type'}): {describe_body(kept)}",
        status_code=response.status_code,
        content_type=response.headers.get("content-type"),
        body=kept,
        model=model,
        method=method,
    )
