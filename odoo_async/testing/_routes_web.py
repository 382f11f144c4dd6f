"""The web routes of the test double, as Odoo's web client calls them (cookie
``session_id``): ``/web/session/authenticate``, ``/web/session/get_session_info``,
``/web/session/destroy``, ``/web/webclient/version_info`` and
``/web/dataset/call_kw[/<model>/<method>]``.

They are ``type="json"`` routes, answered by ``_routes_jsonrpc.handle``; the ones
declared ``auth="user"`` need the session that ``authenticate`` opens.
"""

from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING, Any, Final

from . import _services as services
from . import _wire
from ._apikeys import MODELS as API_KEY_MODELS
from ._apikeys import masked
from ._calls import MASK, Call
from ._exceptions import Fault
from ._host import Host
from ._routes_jsonrpc import INVALID, Handler, Route, require

if TYPE_CHECKING:
    from ._wire import Reply

__all__ = ["CALL_KW", "ROUTES"]


def _authenticate(
    host: Host, params: dict[str, Any], sid: str | None, uid: int | None
) -> tuple[Any, _wire.Headers]:
    require(params, "Session.authenticate", ("db", "login", "password"))
    if host.odoo.major >= 18 and params["db"] != host.odoo.db:
        # the testbeds of 18 and 19 filter databases (dbfilter): Odoo checks that first
        raise Fault("odoo.exceptions.AccessError", "Database not found.")
    services.check_db(host, params["db"])
    with host.db_lock:
        new_uid = host.odoo.database.authenticate(
            params["login"], params["password"], interactive=True
        )
    host.metering.login(host.odoo.db, params["login"], params["password"], new_uid)
    if new_uid is False or new_uid is None:
        raise Fault("odoo.exceptions.AccessDenied", "Access Denied")
    new_sid = host.sessions.open(new_uid, replacing=sid)
    return _session_info(host, new_uid), [_wire.session_cookie(new_sid)]


def _get_session_info(
    host: Host, params: dict[str, Any], sid: str | None, uid: int | None
) -> tuple[Any, _wire.Headers]:
    assert sid is not None  # auth="user"
    assert uid is not None
    return _session_info(host, uid), [_wire.session_cookie(sid)]


def _session_info(host: Host, uid: int) -> dict[str, Any]:
    with host.db_lock:
        info = dict(host.odoo.database.user_info(uid))
    info.setdefault("db", host.odoo.db)
    return info


def _destroy(
    host: Host, params: dict[str, Any], sid: str | None, uid: int | None
) -> tuple[Any, _wire.Headers]:
    host.sessions.close(sid)
    return None, [_wire.clear_cids_cookie(), _wire.session_cookie(secrets.token_hex(20))]


def _version_info(
    host: Host, params: dict[str, Any], sid: str | None, uid: int | None
) -> tuple[Any, _wire.Headers]:
    cookies = [] if uid is not None else [_wire.session_cookie(secrets.token_hex(20))]
    return dict(host.odoo.version_info), cookies


def _call_kw(
    host: Host, params: dict[str, Any], sid: str | None, uid: int | None
) -> tuple[Any, _wire.Headers]:
    assert uid is not None  # auth="user"
    require(params, "DataSet.call_kw", ("model", "method", "args", "kwargs"))
    model, kwargs = params["model"], params["kwargs"]
    known = host.odoo.database.has_model(model) or model in API_KEY_MODELS
    if not isinstance(model, str) or not known:
        # Through the web client an unknown model is the registry's KeyError.
        raise Fault("builtins.KeyError", str(model), [model])
    if kwargs and not isinstance(kwargs, dict):
        raise Fault(
            "builtins.TypeError",
            f"call_kw() argument after ** must be a mapping, not {type(kwargs).__name__}",
        )
    args = services.star_args("call_kw", params["args"])
    method = params["method"]
    return services.execute(host, uid, model, method, args, kwargs or None, session=sid), []


def _call_kw_readonly(host: Host, payload: Any, body: bytes) -> Reply | None:
    """From Odoo 18 on, ``call_kw`` decides whether its transaction is read-only
    before the session is checked: it reads the body's ``params`` and looks the model
    up. A body that is not JSON is then a ``JSONDecodeError`` fault and an unknown
    model a 404 fault, both with ``id: null``, session or not
    (``addons/web/controllers/dataset.py``, ``DataSet._call_kw_readonly``)."""
    if host.odoo.major < 18:
        return None
    if payload is INVALID:
        try:
            json.loads(body)
        except ValueError as exc:
            message = str(exc)
        else:  # JSON to Python, not to the double's decoder: its plain 400
            return None
        data = _wire.error_body(
            None,
            "json.decoder.JSONDecodeError",
            message,
            code=host.odoo.fault_code,
            where="_call_kw_readonly",
        )
        return 200, _wire.json_headers(data, nosniff=False), data
    params = payload.get("params") if isinstance(payload, dict) else None
    model = params.get("model") if isinstance(params, dict) else None
    if isinstance(params, dict) and not (
        isinstance(model, str) and (host.odoo.database.has_model(model) or model in API_KEY_MODELS)
    ):
        data = _wire.error_body(None, "werkzeug.exceptions.NotFound", _NOT_FOUND, [], code=404)
        return 200, _wire.json_headers(data, nosniff=False), data
    return None


_NOT_FOUND: Final = (
    "404 Not Found: The requested URL was not found on the server. If you entered the URL"
    " manually please check your spelling and try again."
)


# -- call descriptions for the log -------------------------------------------------


def _describe_call_kw(params: dict[str, Any], uid: int | None) -> Call:
    model, method = params.get("model"), params.get("method")
    args, kwargs = params.get("args"), params.get("kwargs")
    args, kwargs = masked(
        model, args if isinstance(args, list) else [], kwargs if isinstance(kwargs, dict) else {}
    )
    return Call(
        "/web/dataset/call_kw",
        None,
        model if isinstance(model, str) else None,
        method if isinstance(method, str) else None,
        args,
        kwargs,
        uid,
    )


def _describe_authenticate(params: dict[str, Any], uid: int | None) -> Call:
    args = [params.get("db"), params.get("login"), MASK]
    return Call("/web/session/authenticate", None, None, "authenticate", args, {}, None)


def _route(pattern: str, handler: Handler, *, auth_user: bool) -> Route:
    """A route whose call is logged under its own name, without arguments."""
    method = pattern.rpartition("/")[2]

    def describe(params: dict[str, Any], uid: int | None) -> Call:
        return Call(pattern, None, None, method, [], {}, uid)

    return Route(pattern, auth_user, handler, describe, method)


#: ``/web/dataset/call_kw``, also under ``/web/dataset/call_kw/<model>/<method>``
CALL_KW: Final = Route(
    "/web/dataset/call_kw", True, _call_kw, _describe_call_kw, "call_kw", _call_kw_readonly
)
ROUTES: Final[dict[str, Route]] = {
    "/web/session/authenticate": Route(
        "/web/session/authenticate", False, _authenticate, _describe_authenticate, "authenticate"
    ),
    "/web/session/get_session_info": _route(
        "/web/session/get_session_info", _get_session_info, auth_user=True
    ),
    "/web/session/destroy": _route("/web/session/destroy", _destroy, auth_user=True),
    "/web/webclient/version_info": _route(
        "/web/webclient/version_info", _version_info, auth_user=False
    ),
    "/web/dataset/call_kw": CALL_KW,
}
