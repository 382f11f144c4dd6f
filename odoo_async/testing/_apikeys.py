"""API keys made as Odoo's Preferences > Account Security > New API Key makes them.

The models a client drives for it, with what Odoo 17, 18 and 19 do (read in
``odoo/addons/base/models/res_users.py`` and checked on real servers):

* ``res.users.apikeys.description``: ``create`` (``name``; from 18 on also
  ``duration``, days as a string, ``"-1"`` for the custom ``expiration_date``,
  ``"0"`` for none) and ``make_key``;
* ``res.users.identitycheck``: ``write`` (its ``password``, 17 and 18) and
  ``run_check`` (the password from ``context["password"]`` on 19).

``make_key`` and ``run_check`` need an HTTP request (the web session or
JSON-2): over ``/jsonrpc`` and ``/xmlrpc`` Odoo has none and refuses them.
Until the session re-checked the password, ``make_key`` answers the identity
check wizard's action; once it did, the key, in ``context["default_key"]``.
Refusals as Odoo words them: a wrong password, a portal user, a missing or too
distant expiry (administrators may make keys that never expire; internal users
may give up to 90 days, others 1). The double does not time out the check
(Odoo trusts it 10 minutes) nor expire the keys it makes.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from ._exceptions import ACCESS_ERROR, USER_ERROR, VALIDATION_ERROR, Fault, missing_error

if TYPE_CHECKING:
    from ._orm import Database

__all__ = ["MODELS", "ApiKeyWizards", "masked"]

DESCRIPTION: Final = "res.users.apikeys.description"
IDENTITY_CHECK: Final = "res.users.identitycheck"
MODELS: Final = frozenset({DESCRIPTION, IDENTITY_CHECK})

_DURATIONS: Final = ("1", "7", "30", "90", "180", "365")
_PERSISTENT, _CUSTOM = "0", "-1"
_INTERNAL_DAYS, _OTHER_DAYS = 90.0, 1.0
_ONLY_HTTP: Final = "This method can only be accessed over HTTP"
_WRONG_PASSWORD: Final = (
    "Incorrect Password, try again or click on Forgot Password to reset your password."
)
_DT = "%Y-%m-%d %H:%M:%S"


@dataclass
class _Description:
    uid: int
    name: str
    expiration: dt.datetime | None


@dataclass
class _Check:
    uid: int
    description: int
    password: Any = False


class ApiKeyWizards:
    """The two wizards behind New API Key, for one double's database."""

    def __init__(self, database: Database) -> None:
        self._db = database
        self._descriptions: dict[int, _Description] = {}
        self._checks: dict[int, _Check] = {}
        self._checked_sessions: set[str] = set()
        self._next_id = 1

    @property
    def _major(self) -> int:
        return self._db.major

    def call(
        self,
        uid: int,
        model: str,
        method: str,
        args: list[Any],
        kwargs: dict[str, Any] | None,
        *,
        session: str | None,
        over_http: bool,
    ) -> Any:
        """``model.method(*args, **kwargs)`` as ``uid``; ``session`` is the web
        session's id (None over JSON-2), ``over_http`` False over ``/jsonrpc`` and
        ``/xmlrpc``."""
        keywords = dict(kwargs or {})
        context = keywords.pop("context", None) or {}
        key = (model, method)
        if key == (DESCRIPTION, "create"):
            return self._create(uid, *args, **keywords)
        if key in ((DESCRIPTION, "make_key"), (IDENTITY_CHECK, "run_check")) and not over_http:
            if method == "run_check":
                raise Fault("builtins.AssertionError", _ONLY_HTTP)
            raise Fault(USER_ERROR, _ONLY_HTTP)
        ids = _ids(args)
        if key == (DESCRIPTION, "make_key"):
            return self._make_key(uid, ids, checked=session in self._checked_sessions)
        if key == (IDENTITY_CHECK, "write"):
            vals = args[1] if len(args) > 1 else keywords.get("vals")
            for check in self._owned(self._checks, IDENTITY_CHECK, ids, uid):
                if isinstance(vals, dict) and "password" in vals and self._major < 19:
                    check.password = vals["password"]
            return True
        if key == (IDENTITY_CHECK, "run_check"):
            return self._run_check(uid, ids, context, session)
        raise Fault("builtins.AttributeError", f"The method '{model}.{method}' does not exist")

    # -- res.users.apikeys.description ---------------------------------------------

    def _create(self, uid: int, vals_list: Any = None, **extra: Any) -> int | list[int]:
        if extra:
            unexpected = next(iter(extra))
            raise Fault("builtins.TypeError", f"create() got an unexpected keyword {unexpected!r}")
        single = isinstance(vals_list, dict)
        rows = [vals_list] if single else list(vals_list or [])
        made = [self._create_one(uid, vals) for vals in rows]
        return made[0] if single else made

    def _create_one(self, uid: int, vals: Any) -> int:
        if not isinstance(vals, dict):
            raise Fault("builtins.ValueError", f"Invalid values for {DESCRIPTION}: {vals!r}")
        allowed = {"name"} if self._major < 18 else {"name", "duration", "expiration_date"}
        for field in vals:
            if field not in allowed:
                raise Fault(
                    "builtins.ValueError", f"Invalid field {field!r} on model {DESCRIPTION!r}"
                )
        name = vals.get("name")
        if not isinstance(name, str) or not name:
            raise Fault(
                VALIDATION_ERROR, "Missing required value for the field 'Description' (name)"
            )
        expiration = None
        if self._major >= 18:
            offered = self._durations(uid)
            duration = vals.get("duration", offered[0])
            if duration not in offered:
                raise Fault(
                    "builtins.ValueError",
                    f"Wrong value for {DESCRIPTION}.duration: {duration!r}",
                )
            if duration != _CUSTOM:
                days = int(duration)
                today = dt.datetime.combine(dt.date.today(), dt.time())
                expiration = today + dt.timedelta(days=days) if days else None
            else:
                expiration = _datetime(vals.get("expiration_date"))
            self._check_expiration(uid, expiration)
        new_id = self._next_id
        self._next_id += 1
        self._descriptions[new_id] = _Description(uid, name, expiration)
        return new_id

    def _durations(self, uid: int) -> list[str]:
        if self._db.is_system(uid):
            return [*_DURATIONS, _PERSISTENT, _CUSTOM]
        most = self._max_days(uid)
        return [d for d in _DURATIONS if int(d) <= most] + [_CUSTOM]

    def _max_days(self, uid: int) -> float:
        return _INTERNAL_DAYS if self._db.is_internal(uid) else _OTHER_DAYS

    def _check_expiration(self, uid: int, expiration: dt.datetime | None) -> None:
        if self._db.is_system(uid):
            return
        if expiration is None:
            raise Fault(VALIDATION_ERROR, "The API key must have an expiration date")
        most = self._max_days(uid)
        if expiration > dt.datetime.now() + dt.timedelta(days=most):
            raise Fault(VALIDATION_ERROR, f"You cannot exceed {most} days.")

    def _make_key(self, uid: int, ids: list[int], *, checked: bool) -> dict[str, Any]:
        self._owned(self._descriptions, DESCRIPTION, ids, uid)
        if not checked:
            check_id = self._next_id
            self._next_id += 1
            self._checks[check_id] = _Check(uid, ids[0] if ids else 0)
            action: dict[str, Any] = {
                "type": "ir.actions.act_window",
                "res_model": IDENTITY_CHECK,
                "res_id": check_id,
                "name": "Access Control" if self._major >= 19 else "Security Control",
                "target": "new",
                "views": [[False, "form"]],
            }
            if self._major >= 19:
                action["context"] = {"dialog_size": "medium"}
            return action
        if not self._db.is_internal(uid):
            raise Fault(ACCESS_ERROR, "Only internal users can create API keys")
        key = secrets.token_hex(20)
        self._db.add_api_key(uid, key)
        for description_id in ids:
            self._descriptions.pop(description_id, None)
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.users.apikeys.show",
            "name": "API Key Ready",
            "views": [[False, "form"]],
            "target": "new",
            "context": {"default_key": key},
        }

    # -- res.users.identitycheck ------------------------------------------------------

    def _run_check(
        self, uid: int, ids: list[int], context: Any, session: str | None
    ) -> dict[str, Any]:
        [check] = self._owned(self._checks, IDENTITY_CHECK, ids[:1], uid)
        if self._major >= 19:
            password = context.get("password") if isinstance(context, dict) else None
        else:
            password = check.password
        if self._major < 18:
            check.password = False  # 17 forgets it whatever the outcome
        if not self._db.check_password(uid, password):
            raise Fault(USER_ERROR, _WRONG_PASSWORD)
        check.password = False
        if session is not None:
            self._checked_sessions.add(session)
        # This request is checked now, whether or not a session keeps it (JSON-2).
        return self._make_key(uid, [check.description], checked=True)

    def _owned(self, table: dict[int, Any], model: str, ids: list[int], uid: int) -> list[Any]:
        """Transient records are their creator's alone: others' ids are missing."""
        found = [table.get(i) for i in ids]
        missing = [i for i, row in zip(ids, found, strict=True) if row is None or row.uid != uid]
        if missing:
            raise missing_error(model, missing, uid)
        return found


def masked(model: Any, args: list[Any], kwargs: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """The identity check's password masked in a call, as the call log shows it."""
    if model != IDENTITY_CHECK:
        return args, kwargs
    args = [
        {**a, "password": "***"} if isinstance(a, dict) and "password" in a else a for a in args
    ]
    context = kwargs.get("context")
    if isinstance(context, dict) and "password" in context:
        kwargs = {**kwargs, "context": {**context, "password": "***"}}
    return args, kwargs


def _ids(args: list[Any]) -> list[int]:
    ids = args[0] if args else []
    return [ids] if isinstance(ids, int) else [i for i in ids if isinstance(i, int)]


def _datetime(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.strptime(str(value), _DT)
    except ValueError:
        try:
            return dt.datetime.combine(dt.date.fromisoformat(str(value)), dt.time())
        except ValueError:
            raise Fault(
                "builtins.ValueError",
                f"time data {value!r} does not match format '{_DT}'",
            ) from None
