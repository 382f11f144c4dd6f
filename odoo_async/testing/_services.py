"""The RPC services of the test double: ``common``, ``object`` and ``db``.

``POST /jsonrpc`` (``_routes_jsonrpc.py``) and ``POST /xmlrpc[/2]/<service>``
(``_routes_xmlrpc.py``) both call :func:`dispatch`; the web routes (``_routes_web.py``)
use :func:`check_db` and :func:`execute`. As Odoo's ``exp_*`` functions, the services
check their arguments (a ``TypeError`` fault worded as Python words it) and answer
what goes wrong with a :class:`~._exceptions.Fault`. :func:`describe` gives the call
log's entry of a service call, passwords masked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from . import _wire
from ._apikeys import MODELS as API_KEY_MODELS
from ._apikeys import masked
from ._calls import MASK, Call
from ._exceptions import Fault

if TYPE_CHECKING:
    from ._host import Host

__all__ = ["DB_ADMIN_METHODS", "check_db", "describe", "dispatch", "execute", "star_args"]

DB_ADMIN_METHODS: Final = frozenset(
    {
        "create_database",
        "duplicate_database",
        "drop",
        "dump",
        "restore",
        "rename",
        "change_admin_password",
        "migrate_databases",
    }
)


def dispatch(host: Host, service: Any, method: Any, args: Any) -> Any:
    """Call ``service.method(*args)``, as ``odoo.http.dispatch_rpc`` does."""
    if service == "common":
        return _common(host, method, star_args("dispatch", args))
    if service == "object":
        return _object(host, method, star_args("dispatch", args))
    if service == "db":
        return _db_service(host, method, star_args("dispatch", args))
    raise Fault("builtins.KeyError", str(service), [service])


def _common(host: Host, method: Any, args: list[Any]) -> Any:
    if method == "version":
        _arity("exp_version", (), 0, args)
        return dict(host.odoo.version_info)
    if method == "about":
        _arity("exp_about", ("extended",), 0, args)
        info = "See http://openerp.com"
        return [info, host.odoo.version] if args and args[0] else info
    if method == "login":
        _arity("exp_login", ("db", "login", "password"), 3, args)
        return _authenticate(host, args[0], args[1], args[2])
    if method == "authenticate":
        _arity("exp_authenticate", ("db", "login", "password", "user_agent_env"), 4, args)
        return _authenticate(host, args[0], args[1], args[2])
    raise Fault("builtins.Exception", f"Method not found: {method}")


def _authenticate(host: Host, db: Any, login: Any, password: Any) -> int | bool:
    check_db(host, db)
    with host.db_lock:
        uid = host.odoo.database.authenticate(login, password)
    host.metering.login(host.odoo.db, login, password, uid)
    return uid


def _object(host: Host, method: Any, args: list[Any]) -> Any:
    if len(args) < 3:
        raise Fault("builtins.IndexError", "list index out of range")
    try:
        uid = int(args[1])
    except (TypeError, ValueError) as exc:
        raise Fault(f"builtins.{type(exc).__name__}", str(exc)) from None
    check_db(host, args[0])
    try:
        with host.db_lock:
            uid = host.odoo.database.check(uid, args[2])
    except Fault:
        host.metering.credentials("uid", host.odoo.db, uid, args[2], accepted=False)
        raise
    host.metering.credentials("uid", host.odoo.db, uid, args[2], accepted=True)
    rest = args[3:]
    if method == "execute_kw":
        names = ("db", "uid", "obj", "method", "args", "kw")
        _arity("execute_kw", names, 5, [None, None, *rest])
        model, orm_method, model_args = rest[0], rest[1], rest[2]
        kwargs = rest[3] if len(rest) > 3 else None
        if kwargs and not isinstance(kwargs, dict):
            raise Fault(
                "builtins.TypeError",
                f"execute() argument after ** must be a mapping, not {type(kwargs).__name__}",
            )
        model_args = star_args("execute", model_args)
        return execute(host, uid, model, orm_method, model_args, kwargs or None)
    if method == "execute":
        _arity("execute", ("db", "uid", "obj", "method"), 4, [None, None, *rest], varargs=True)
        return execute(host, uid, rest[0], rest[1], list(rest[2:]), None)
    raise Fault("builtins.NameError", f"Method not available {method}")


def execute(
    host: Host,
    uid: int,
    model: Any,
    method: Any,
    args: list[Any],
    kwargs: dict[str, Any] | None,
    *,
    session: str | None = None,
) -> Any:
    """Run ``model.method(*args, **kwargs)`` as ``uid``, and bill it. ``session`` is the
    web session's id: only there (an HTTP request) may API keys be made."""
    try:
        with host.db_lock:
            database = host.odoo.database
            if model in API_KEY_MODELS:
                result = database.api_key_wizards.call(
                    uid, model, method, args, kwargs, session=session, over_http=session is not None
                )
            else:
                result = database.execute_kw(uid, model, method, args, kwargs)
    except BaseException:
        host.metering.failed_call(method)
        raise
    host.metering.call(model, method, args, kwargs or {}, result)
    return result


def _db_service(host: Host, method: Any, args: list[Any]) -> Any:
    if method == "list":
        _arity("exp_list", ("document",), 0, args)
        return [host.odoo.db]
    if method == "server_version":
        _arity("exp_server_version", (), 0, args)
        return host.odoo.version
    if method == "db_exist":
        _arity("exp_db_exist", ("db_name",), 1, args)
        return args[0] == host.odoo.db
    if method == "list_lang":
        _arity("exp_list_lang", (), 0, args)
        return [["en_US", "English (US)"]]
    if method in DB_ADMIN_METHODS:
        # check_super(): nobody knows the master password of the double
        raise Fault("odoo.exceptions.AccessDenied", "Access Denied")
    raise Fault("builtins.KeyError", f"Method not found: {method}")


def check_db(host: Host, db: Any) -> None:
    """The database must be the double's one, as a real Odoo fails to connect to another."""
    if db != host.odoo.db:
        raise Fault(
            "psycopg2.OperationalError",
            'connection to server at "127.0.0.1", port 5432 failed: '
            f'FATAL:  database "{db}" does not exist\n',
        )


def describe(endpoint: str, service: Any, method: Any, args: Any) -> Call:
    """The call log's entry of ``service.method(*args)`` received on ``endpoint``."""
    args = args if isinstance(args, list) else []
    if service == "object":
        uid = args[1] if len(args) > 1 and _is_int(args[1]) else None
        model = args[3] if len(args) > 3 and isinstance(args[3], str) else None
        orm_method = args[4] if len(args) > 4 and isinstance(args[4], str) else None
        if method == "execute_kw":
            model_args = args[5] if len(args) > 5 and isinstance(args[5], list) else []
            kwargs = args[6] if len(args) > 6 and isinstance(args[6], dict) else {}
        else:
            model_args, kwargs = args[5:], {}
        model_args, kwargs = masked(model, model_args, kwargs)
        return Call(endpoint, "object", model, orm_method, model_args, kwargs, uid)
    secret = None
    if service == "common" and method in ("login", "authenticate"):
        secret = 2
    elif service == "db" and method in DB_ADMIN_METHODS:
        secret = 0
    if secret is not None and len(args) > secret:
        args = [*args[:secret], MASK, *args[secret + 1 :]]
    return Call(
        endpoint,
        service if isinstance(service, str) else None,
        None,
        method if isinstance(method, str) else None,
        args,
        {},
        None,
    )


def star_args(func: str, args: Any) -> list[Any]:
    """``f(*args)``: a list stays, an iterable is listed, anything else is a TypeError."""
    if isinstance(args, list):
        return args
    if isinstance(args, (str, dict, tuple)):
        return list(args)
    raise Fault(
        "builtins.TypeError",
        f"{func}() argument after * must be an iterable, not {type(args).__name__}",
    )


def _arity(
    func: str, names: Sequence[str], required: int, args: Sequence[Any], *, varargs: bool = False
) -> None:
    message = _wire.arity_message(func, names, required, len(args), varargs=varargs)
    if message is not None:
        raise Fault("builtins.TypeError", message)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
