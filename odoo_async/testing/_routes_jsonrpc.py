"""The JSON-RPC routes of the test double: ``POST /jsonrpc`` (the services of
``_services.py``) and the way every ``type="json"`` route is answered, the web
routes of ``_routes_web.py`` included.

Order of checks, as in Odoo: route (404), content type of JSON routes (400 HTML),
a route's own check of the body (Odoo 18's ``/web/dataset/call_kw``), session of
``auth="user"`` routes (code-100 fault with ``id: null``), JSON syntax
(400 ``Invalid JSON data``), envelope (400 ``Invalid JSON-RPC data``), parameters
(``TypeError`` fault), then the call. In front of all that sit the controls for tests:
the concurrency cap (HTTP 500 Werkzeug page), injected faults and added latency.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import msgspec

from . import _services as services
from . import _wire
from ._calls import Call
from ._exceptions import Fault
from ._faults import HTTP_FAULTS, SERIALIZATION_FAILURE, SERIALIZATION_MESSAGE, http_fault_reply
from ._host import Host

if TYPE_CHECKING:
    from ._wire import Reply

__all__ = ["INVALID", "JSONRPC", "Handler", "Precheck", "Route", "handle", "require", "session_id"]

_JSON_MIMETYPES: Final = frozenset({"application/json", "application/json-rpc"})

#: a controller: ``(host, params, session id, uid)`` to ``(result, cookies to set)``
Handler = Callable[[Host, dict[str, Any], str | None, int | None], tuple[Any, _wire.Headers]]
#: the call log's entry of a call: ``(params, uid)`` to a :class:`Call`
Describe = Callable[[dict[str, Any], int | None], Call]
#: a check Odoo runs on the body before the session's (``readonly=`` of a route):
#: ``(host, payload or INVALID, body)`` to the fault's reply, or None to go on
Precheck = Callable[[Host, Any, bytes], "Reply | None"]
#: the payload of a body that is not JSON
INVALID: Final = object()


@dataclass(frozen=True, slots=True)
class Route:
    """One ``type="json"`` route."""

    pattern: str  # the route as Odoo declares it (shown in its 400 page)
    auth_user: bool  # needs a web session
    handler: Handler
    describe: Describe
    where: str  # function name in the debug traceback
    precheck: Precheck | None = None


async def handle(
    host: Host, route: Route, content_type: str, cookie: str, body: bytes, over: bool
) -> Reply | None:
    """The reply to a request on ``route``, or None: close without replying."""
    if content_type.partition(";")[0].strip().lower() not in _JSON_MIMETYPES:
        page = _wire.bad_request_page(route.pattern, major=host.odoo.major)
        return 400, _wire.html_headers(page), page
    try:
        payload = _wire.decode_json(body)
    except msgspec.DecodeError:
        payload = INVALID
    sid = session_id(cookie) if cookie else None
    uid = host.sessions.uid(sid) if sid else None
    call = None
    if isinstance(payload, dict):
        params = payload.get("params")
        call = route.describe(params if isinstance(params, dict) else {}, uid)
    rule = host.admit(call, over)
    if over:
        page = _wire.error_page(500, major=host.odoo.major)
        reply: Reply | None = (500, _wire.html_headers(page), page)
    elif rule is not None and rule.kind in HTTP_FAULTS:
        reply = http_fault_reply(rule)
    elif rule is not None and rule.kind == "drop":
        reply = None
    elif route.precheck is not None and (early := route.precheck(host, payload, body)):
        reply = early
    elif route.auth_user and uid is None:
        data = _wire.error_body(
            None,
            "odoo.http.SessionExpiredException",
            "Session expired",
            code=_wire.SESSION_EXPIRED_CODE,
            where="_authenticate",
        )
        reply = 200, _wire.json_headers(data, nosniff=False), data
    elif payload is INVALID:
        reply = 400, _wire.html_headers(_wire.INVALID_JSON, nosniff=True), _wire.INVALID_JSON
    elif not isinstance(payload, dict):
        data = _wire.INVALID_JSON_RPC
        reply = 400, _wire.html_headers(data, nosniff=True), data
    elif rule is not None and rule.kind == "concurrency":
        data = _wire.error_body(
            payload.get("id"),
            SERIALIZATION_FAILURE,
            SERIALIZATION_MESSAGE,
            code=host.odoo.fault_code,
            where="execute",
        )
        reply = 200, _wire.json_headers(data, nosniff=False), data
    else:
        reply = _run(host, route, payload, sid, uid)
        if rule is not None and rule.kind == "lost":
            reply = None  # it ran; the reply is lost on the way
    await host.pause(rule.delay if rule is not None else 0.0, over)
    return reply


def _run(
    host: Host, route: Route, payload: dict[str, Any], sid: str | None, uid: int | None
) -> Reply:
    request_id = payload.get("id")
    try:
        params = dict(payload.get("params", {}))
        result, cookies = route.handler(host, params, sid, uid)
        data = _wire.result_body(request_id, result)
    except Fault as fault:
        data = _wire.error_body(
            request_id,
            fault.name,
            fault.message,
            fault.arguments,
            code=host.odoo.fault_code,
            where=route.where,
        )
        return 200, _wire.json_headers(data, nosniff=False), data
    except Exception as exc:  # what Odoo would serialize as a builtins.* fault
        name, message, arguments = _wire.describe_exception(exc)
        data = _wire.error_body(
            request_id, name, message, arguments, code=host.odoo.fault_code, where=route.where
        )
        return 200, _wire.json_headers(data, nosniff=False), data
    headers = _wire.json_headers(data)
    if cookies:
        headers.extend(cookies)
    return 200, headers, data


def require(params: Mapping[str, Any], func: str, names: Sequence[str]) -> None:
    """Odoo calls a controller with the JSON params as keywords: missing ones are a TypeError."""
    missing = [name for name in names if name not in params]
    if missing:
        raise Fault("builtins.TypeError", _wire.missing_message(func, missing))


def session_id(cookie: str) -> str | None:
    for part in cookie.split(";"):
        name, _, value = part.strip().partition("=")
        if name == "session_id":
            return value
    return None


# -- POST /jsonrpc -----------------------------------------------------------------


def _jsonrpc(
    host: Host, params: dict[str, Any], sid: str | None, uid: int | None
) -> tuple[Any, _wire.Headers]:
    require(params, "RPC.jsonrpc", ("service", "method", "args"))
    return services.dispatch(host, params["service"], params["method"], params["args"]), []


def _describe_jsonrpc(params: dict[str, Any], uid: int | None) -> Call:
    return services.describe(
        "/jsonrpc", params.get("service"), params.get("method"), params.get("args")
    )


JSONRPC: Final = Route("/jsonrpc", False, _jsonrpc, _describe_jsonrpc, "jsonrpc")
