"""Odoo 19's JSON-2 API in the test double: ``POST /json/2/<model>/<method>``.

Shaped like the replies captured from a real Odoo 19 (``odoo19-wire``). Order of
checks, as there:

1. the database (``X-Odoo-Database``, missing or unknown): 404 ``text/html``;
2. the HTTP method (anything but POST): 404 ``werkzeug.exceptions.NotFound``;
3. the content type of a non-empty body (not ``application/json``): 415 ``text/html``;
4. the ``Authorization: bearer <key>`` header: 401 ``werkzeug.exceptions.Unauthorized``
   (with ``WWW-Authenticate: Bearer``), "Invalid apikey" for a key nobody has;
5. the JSON (400 ``BadRequest``); a body that is no object counts as ``{}``;
6. the model (404 ``NotFound``), the method: private (403 ``AccessError``) or unknown
   (404 ``NotFound``); ``ids`` on an ``@api.model`` method, a missing or unexpected
   argument (422 ``UnprocessableEntity``);
7. the call: faults by class -- 403 AccessError, 404 MissingError, 409 concurrency,
   422 UserError and ValidationError, 500 anything else (``builtins.ValueError``).

Success is HTTP 200 and the bare value; a created record comes back as its ids, a
list even for one ``vals`` dict. Errors are ``{name, message, arguments, context,
debug}``. ``GET /web/version`` and ``/json/version`` give the version, and
``GET /doc-bearer/<model>.json`` the parameters of every method of a model.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final

import msgspec

from . import _wire
from ._apikeys import MODELS as API_KEY_MODELS
from ._apikeys import masked
from ._calls import Call
from ._exceptions import Fault
from ._faults import (
    HTTP_FAULTS,
    SERIALIZATION_FAILURE,
    SERIALIZATION_MESSAGE,
    FaultRule,
    http_fault_reply,
)

if TYPE_CHECKING:
    from ._host import Host
    from ._orm import Database, Signature
    from ._wire import Reply

__all__ = ["Json2", "status_of"]

NOT_FOUND: Final = "werkzeug.exceptions.NotFound"
UNAUTHORIZED: Final = "werkzeug.exceptions.Unauthorized"
UNPROCESSABLE: Final = "werkzeug.exceptions.UnprocessableEntity"
BAD_REQUEST: Final = "werkzeug.exceptions.BadRequest"
NOT_AUTHENTICATED: Final = (
    "User not authenticated, use an API Key with a Bearer Authorization header."
)
POST_ONLY: Final = "Did you mean POST /json/2/<model>/<method>?"
_STATUS: Final = {
    "odoo.exceptions.AccessError": 403,
    "odoo.exceptions.AccessDenied": 403,
    "odoo.exceptions.MissingError": 404,
    "odoo.exceptions.UserError": 422,
    "odoo.exceptions.ValidationError": 422,
    "odoo.exceptions.RedirectWarning": 422,
    "odoo.exceptions.LockError": 409,
    "odoo.exceptions.ConcurrencyError": 409,
    SERIALIZATION_FAILURE: 409,
    NOT_FOUND: 404,
    UNAUTHORIZED: 401,
    UNPROCESSABLE: 422,
    BAD_REQUEST: 400,
}
NO_DATABASE_PAGE: Final = (
    b"<!DOCTYPE html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
    b"<p>No database is selected and the requested URL was not found in the server-wide "
    b"controllers.</p>\n<p>Please verify the hostname, <a href=/web/login>login</a> and try "
    b"again.</p>\n\n<!-- Alternatively, use the X-Odoo-Database header. -->\n"
)
UNSUPPORTED_MEDIA_PAGE: Final = (
    b"<!doctype html>\n<html lang=en>\n<title>415 Unsupported Media Type</title>\n"
    b"<h1>Unsupported Media Type</h1>\n<p>Request inferred type is compatible with "
    b"[&#39;http&#39;] but &#39;/json/2/&lt;__model__&gt;/&lt;__method__&gt;&#39; is "
    b"type=&#39;json2&#39;.<br><br>Please verify the Content-Type request header and try "
    b"again.</p>\n"
)
REDIRECT_PAGE: Final = (
    b"<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n"
    b'<p>You should be redirected automatically to the target URL: <a href="/web/database/'
    b'selector">/web/database/selector</a>. If not, click the link.\n'
)
_encoder: Final = msgspec.json.Encoder()
_decoder: Final = msgspec.json.Decoder()


def status_of(name: str) -> int:
    """The HTTP status JSON-2 answers a fault named ``name`` with."""
    return _STATUS.get(name, 500)


class _Refused(Exception):
    """A JSON-2 error reply: ``(status, name, message)``."""

    def __init__(self, status: int, name: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.name = name
        self.message = message


def error_reply(name: str, message: str, arguments: list[Any] | None = None) -> Reply:
    """A JSON-2 error: the fault's class decides the status."""
    status = status_of(name)
    if arguments is None:
        arguments = [message, status] if name.startswith("werkzeug.") else [message]
    body = _encoder.encode(
        {
            "name": name,
            "message": message,
            "arguments": arguments,
            "context": {},
            "debug": _wire.traceback_text(name, message, where="web_json_2_rpc"),
        }
    )
    headers = _wire.json_headers(body, nosniff=False)
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer "))
    return status, headers, body


def _ok(value: Any) -> Reply:
    body = _encoder.encode(value)
    return 200, _wire.json_headers(body), body


def _html(status: int, page: bytes) -> Reply:
    return status, _wire.html_headers(page), page


class Json2:
    """The JSON-2 endpoints of one :class:`~odoo_async.testing.FakeOdoo`."""

    def __init__(self, host: Host) -> None:
        self._host = host

    @property
    def _db(self) -> Database:
        return self._host.odoo.database

    def version(self, http_method: str) -> Reply:
        """``/web/version`` and ``/json/version``: GET only (a POST is redirected)."""
        if http_method != "GET":
            headers = [*_wire.html_headers(REDIRECT_PAGE), (b"location", b"/web/database/selector")]
            return 303, headers, REDIRECT_PAGE
        info = self._db.version_info
        return _ok({"version_info": info, "version": f"{info[0]}.{info[1]}"})

    async def handle(
        self,
        http_method: str,
        path: str,
        content_type: str,
        authorization: str,
        database: str,
        body: bytes,
        *,
        over: bool,
    ) -> Reply | None:
        host = self._host
        if database != host.odoo.db:
            return _html(404, NO_DATABASE_PAGE)
        doc = path.startswith("/doc-bearer/")
        model, method = "", ""
        if not doc:
            _, _, rest = path.partition("/json/2/")
            model, _, method = rest.partition("/")
        payload: Any = {}
        call: Call | None = None
        try:
            if not doc and (http_method != "POST" or not model or not method or "/" in method):
                raise _Refused(404, NOT_FOUND, POST_ONLY)
            if (
                not doc
                and body
                and content_type.partition(";")[0].strip().lower() != ("application/json")
            ):
                return _html(415, UNSUPPORTED_MEDIA_PAGE)
            uid = self._uid(authorization)
            if doc:
                return self._doc(path, uid)
            payload = _parse(body)
            call = self._describe(model, method, payload, uid)
        except _Refused as refused:
            return error_reply(refused.name, refused.message)
        rule = host.admit(call, over)
        reply = self._reply(rule, over, uid, model, method, payload)
        await host.pause(rule.delay if rule is not None else 0.0, over)
        return reply

    def _reply(
        self,
        rule: FaultRule | None,
        over: bool,
        uid: int,
        model: str,
        method: str,
        payload: dict[str, Any],
    ) -> Reply | None:
        if over:
            return _html(500, _wire.INTERNAL_SERVER_ERROR_PAGE)
        if rule is not None and rule.kind in HTTP_FAULTS:
            return http_fault_reply(rule)
        if rule is not None and rule.kind == "drop":
            return None
        if rule is not None and rule.kind == "concurrency":
            return error_reply(SERIALIZATION_FAILURE, SERIALIZATION_MESSAGE)
        try:
            done = _ok(self._run(uid, model, method, payload))
            return None if rule is not None and rule.kind == "lost" else done
        except _Refused as refused:
            return error_reply(refused.name, refused.message)
        except Fault as fault:
            return error_reply(fault.name, fault.message, fault.arguments)
        except Exception as exc:  # what Odoo would serialize as a builtins.* error
            return error_reply(*_wire.describe_exception(exc))

    def _uid(self, authorization: str) -> int:
        scheme, _, key = authorization.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise _Refused(401, UNAUTHORIZED, NOT_AUTHENTICATED)
        with self._host.db_lock:
            uid = self._db.uid_for_api_key(key.strip())
        if uid is None:
            raise _Refused(401, UNAUTHORIZED, "Invalid apikey")
        return uid

    def _describe(self, model: str, method: str, payload: dict[str, Any], uid: int) -> Call:
        kwargs = {k: v for k, v in payload.items() if k != "ids"}
        ids = payload.get("ids")
        args = [ids] if "ids" in payload else []
        args, kwargs = masked(model, args, kwargs)
        return Call("/json/2", None, model, method, args, kwargs, uid)

    def _run(self, uid: int, model: str, method: str, payload: dict[str, Any]) -> Any:
        db = self._db
        if model in API_KEY_MODELS:  # a bearer request is an HTTP one, with no session kept
            kwargs = dict(payload)
            args = [kwargs.pop("ids")] if "ids" in kwargs else []
            with self._host.db_lock:
                result = db.api_key_wizards.call(
                    uid, model, method, args, kwargs, session=None, over_http=True
                )
            return [result] if method == "create" and isinstance(result, int) else result
        if not db.has_model(model):
            raise _Refused(404, NOT_FOUND, f"the model {model!r} does not exist")
        if db.is_private(method):
            raise Fault(
                "odoo.exceptions.AccessError",
                f"Private methods (such as '{model}.{method}') cannot be called remotely.",
            )
        signature = db.signature(method)
        if signature is None:
            raise _Refused(404, NOT_FOUND, f"The method '{model}.{method}' does not exist")
        kwargs = dict(payload)
        ids = kwargs.pop("ids", None)
        if ids is not None and not signature.records:
            raise _Refused(422, UNPROCESSABLE, f"cannot call {model}.{method} with ids")
        context = kwargs.pop("context", None)
        _bind(signature, kwargs)
        if context is not None:
            kwargs["context"] = context
        args = [ids if ids is not None else []] if signature.records else []
        with self._host.db_lock:
            result = db.execute_kw(uid, model, method, args, kwargs)
        if method == "create" and isinstance(result, int):
            return [result]  # the recordset's ids, even for one vals dict
        return result

    def _doc(self, path: str, uid: int) -> Reply:
        """``/doc-bearer/<model>.json``: the model's fields and its methods' parameters."""
        name = path[len("/doc-bearer/") :].removesuffix(".json")
        db = self._db
        if not db.has_model(name):
            return error_reply(NOT_FOUND, f"the model {name!r} does not exist")
        with self._host.db_lock:
            fields = db.execute_kw(uid, name, "fields_get", [], {"attributes": ["string", "type"]})
        methods = {method: _describe_method(sig) for method, sig in db.signatures().items()}
        return _ok({"model": name, "name": name, "doc": None, "fields": fields, "methods": methods})


def _parse(body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    try:
        payload = _decoder.decode(body)
    except msgspec.DecodeError:
        try:
            json.loads(body)
        except ValueError as exc:  # Python's wording, as Odoo reports it
            raise _Refused(400, BAD_REQUEST, f"could not parse the body as json: {exc}") from None
        payload = json.loads(body)
    return payload if isinstance(payload, dict) else {}


def _bind(signature: Signature, kwargs: dict[str, Any]) -> None:
    """Check the named arguments as ``inspect.Signature.bind`` does, worded as it words it."""
    for name in signature.params[: signature.required]:
        if name not in kwargs:
            raise _Refused(422, UNPROCESSABLE, f"missing a required argument: {name!r}")
    if not signature.varkw:
        for key in kwargs:
            if key not in signature.params:
                raise _Refused(422, UNPROCESSABLE, f"got an unexpected keyword argument {key!r}")


def _describe_method(signature: Signature) -> dict[str, Any]:
    optional = dict(zip(signature.params[signature.required :], signature.defaults, strict=True))
    parameters: dict[str, Any] = {
        name: ({"default": _jsonable(optional[name])} if name in optional else {})
        for name in signature.params
    }
    if signature.varkw:
        parameters["kwargs"] = {"kind": "VAR_KEYWORD"}
    shown = ", ".join(
        f"{name}={optional[name]!r}" if name in optional else name for name in signature.params
    )
    described: dict[str, Any] = {"signature": f"({shown})", "parameters": parameters}
    if not signature.records:
        described["api"] = ["model"]
    return described


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
