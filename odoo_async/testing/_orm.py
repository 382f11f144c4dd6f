"""The ORM core of the Odoo test double: one in-memory Odoo 17 database, no HTTP.

:class:`Database` answers what Odoo's ``common`` and ``object`` services
answer: :meth:`~Database.authenticate`, :meth:`~Database.check` (the
credential check of every ``execute_kw``) and :meth:`~Database.execute_kw`,
which dispatches a model method as ``odoo.api.call_kw`` does, with the same
faults: private methods, unknown models and methods, wrong arguments (worded
as Python words them), access rights, missing records, bad domains.

Every ``execute_kw`` call is one transaction: when it raises a
:class:`Fault`, what it changed is rolled back. Values returned are ready for
JSON: lists, dicts, strings, numbers and booleans, ``false`` for empty values.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from . import _business as business
from ._access import OPERATIONS, Access
from ._apikeys import ApiKeyWizards
from ._demo import build, passwords
from ._domain import and_domains
from ._exceptions import (
    ACCESS_DENIED,
    ACCESS_ERROR,
    USER_ERROR,
    Fault,
    missing_error,
    value_error,
)
from ._group import read_group
from ._load import LoadFailed, load
from ._models import models_for
from ._store import LOG_FIELDS, Store

__all__ = ["SERVER_VERSION_INFO", "Database", "Fault", "Signature"]

SERVER_VERSION = "17.0"
SERVER_VERSION_INFO = [17, 0, 0, "final", 0, ""]


@dataclass(frozen=True)
class Signature:
    """A model method's Python signature after ``self`` (and its ids)."""

    params: tuple[str, ...]
    required: int = 0
    defaults: tuple[Any, ...] = ()
    records: bool = False
    varkw: bool = False


_SIGNATURES: dict[str, Signature] = {
    "search": Signature(("domain", "offset", "limit", "order"), 1, (0, None, None)),
    "search_count": Signature(("domain", "limit"), 1, (None,)),
    "search_read": Signature(
        ("domain", "fields", "offset", "limit", "order"), 0, (None, None, 0, None, None), varkw=True
    ),
    "read": Signature(("fields", "load"), 0, (None, "_classic_read"), records=True),
    "create": Signature(("vals_list",), 1),
    "write": Signature(("vals",), 1, records=True),
    "unlink": Signature((), records=True),
    "exists": Signature((), records=True),
    "fields_get": Signature(("allfields", "attributes"), 0, (None, None)),
    "name_search": Signature(("name", "args", "operator", "limit"), 0, ("", None, "ilike", 100)),
    "read_group": Signature(
        ("domain", "fields", "groupby", "offset", "limit", "orderby", "lazy"),
        3,
        (0, None, False, True),
    ),
    "check_access_rights": Signature(("operation", "raise_exception"), 1, (True,)),
    "check_access_rule": Signature(("operation",), 1, records=True),
    "name_get": Signature((), records=True),  # deprecated in 17, gone in 18
    "default_get": Signature(("fields_list",), 1),
    "copy": Signature(("default",), 0, (None,), records=True),
    "name_create": Signature(("name",), 1),
    "load": Signature(("fields", "data"), 2),
    # res.users only; OdooRPC calls it right after every login
    "context_get": Signature(()),
}

#: What changed in Odoo 18 (``odoo/models.py``): ``name_get`` is gone, ``check_access``
#: and ``has_access`` arrive (``check_access_rights``/``check_access_rule`` stay, deprecated).
_SIGNATURES_18: dict[str, Signature] = {
    **{k: v for k, v in _SIGNATURES.items() if k != "name_get"},
    "check_access": Signature(("operation",), 1, records=True),
    "has_access": Signature(("operation",), 1, records=True),
}
#: What changed in Odoo 19 (``odoo/orm/models.py``, ``addons/web/models/models.py``):
#: ``name_search`` names its domain ``domain``, ``formatted_read_group`` arrives
#: (``read_group`` stays, deprecated), ``default_get`` takes ``fields``.
_SIGNATURES_19: dict[str, Signature] = {
    **_SIGNATURES_18,
    "name_search": Signature(("name", "domain", "operator", "limit"), 0, ("", None, "ilike", 100)),
    "formatted_read_group": Signature(
        ("domain", "groupby", "aggregates", "having", "offset", "limit", "order"),
        1,
        ((), (), (), 0, None, None),
    ),
    "default_get": Signature(("fields",), 1),
}
#: psycopg2's exceptions for PostgreSQL's SQLSTATE 2201W and 2201X, as Odoo names them.
_PG_LIMIT_ERROR = "psycopg2.errors.InvalidRowCountInLimitClause"
_PG_OFFSET_ERROR = "psycopg2.errors.InvalidRowCountInResultOffsetClause"
#: Public in Odoo 17 and 18, private (``@api.private``) in Odoo 19; ``check_access_rights``
#: stays public (deprecated), as a real Odoo 19 answers it.
_PRIVATE_19 = frozenset({"exists", "search_fetch", "fetch", "check_access"})
#: Odoo 19's wording of messages the double words as Odoo 17 does.
_REWORDED_19 = (
    (re.compile(r"^Invalid field (\S+) in leaf "), r"Invalid field \1 in condition "),
    (
        re.compile(r"^Invalid leaf (\(.*, .*, .*\))$", re.DOTALL),
        r"Invalid operator in condition \1",
    ),
    (re.compile(r"^Invalid field ('[^']*') on model "), r"Invalid field \1 on "),
    (re.compile(r"Administration/Settings"), "Role / Administrator"),
)


@dataclass
class _Call:
    """One model method call: who, on what, with which context."""

    uid: int
    model: str
    access: Access
    context: dict[str, Any]

    @property
    def active_test(self) -> bool:
        return self.context.get("active_test", True) is not False


class Database:
    """One in-memory Odoo 17 (or 19) database with Odoo's demo users and generated data.

    ``partners`` is the number of contacts generated after Odoo's 40 demo
    partners, from ``seed``. Users: ``admin``/``admin`` (uid 2), ``demo``/``demo``
    (uid 6, internal), ``portal``/``portal`` (uid 7); on Odoo 19 (``major=19``)
    ``demo`` is uid 5 and ``portal`` uid 6, and methods take Odoo 19's
    parameters (:meth:`signature`).
    """

    def __init__(
        self, name: str = "odoo", *, partners: int = 50, seed: int = 0, major: int = 17
    ) -> None:
        self.name = name
        self.major = major
        self.version_info = [major, 0, 0, "final", 0, ""]
        self._signatures = (
            _SIGNATURES_19 if major >= 19 else _SIGNATURES_18 if major >= 18 else _SIGNATURES
        )
        self._partners = partners
        self._seed = seed
        self._api_keys: dict[int, set[str]] = {}
        self._lock = threading.RLock()  # one transaction at a time, like one database cursor
        self._store = Store(models=models_for(major))
        self._passwords: dict[int, str] = {}
        self.reset()

    def __repr__(self) -> str:
        return f"Database(name={self.name!r}, partners={self._partners}, seed={self._seed})"

    def reset(self) -> None:
        """Go back to the freshly generated data. API keys added so far are kept."""
        store = Store(models=models_for(self.major))
        build(store, partners=self._partners, seed=self._seed, major=self.major)
        with self._lock:
            self._store = store
            #: New API Key's wizards (``_apikeys.py``); the keys they made stay, as added ones do.
            self.api_key_wizards = ApiKeyWizards(self)
            self._passwords = {
                uid: password for uid, (_login, password) in passwords(self.major).items()
            }

    def snapshot_counts(self) -> dict[str, int]:
        """Number of records (archived ones included) per model."""
        return {model: len(table) for model, table in self._store.tables.items()}

    def has_model(self, model: str) -> bool:
        return model in self._store.models

    def field_type(self, model: str, field: str) -> str | None:
        """The type of ``model``'s field ``field``, or None if it has no such field."""
        spec = self._store.models[model].fields.get(field)
        return spec.type if spec is not None else None

    def is_private(self, method: str) -> bool:
        """Whether ``method`` cannot be called remotely."""
        return method.startswith("_") or (self.major >= 19 and method in _PRIVATE_19)

    def signatures(self) -> dict[str, Signature]:
        """Every public model method and its parameters (a copy)."""
        return dict(self._signatures)

    def uid_for_api_key(self, key: str) -> int | None:
        """The active user whose API key ``key`` is, or ``None``."""
        for uid, keys in self._api_keys.items():
            row = self._store.tables["res.users"].get(uid)
            if key in keys and row is not None and row.get("active") is True:
                return uid
        return None

    def signature(self, method: str) -> Signature | None:
        """The parameters of a public model method, or ``None`` when there is no such method."""
        return self._signatures.get(method)

    # -- credentials ----------------------------------------------------------------

    def add_api_key(self, uid: int, key: str) -> None:
        """Let ``key`` stand for the password of ``uid`` (as an Odoo API key does)."""
        self._api_keys.setdefault(uid, set()).add(key)

    def _password_ok(self, uid: int, password: Any, *, interactive: bool = False) -> bool:
        if not isinstance(password, str) or not password:
            return False
        if password == self._passwords.get(uid):
            return True
        # Odoo 17 checks API keys on RPC logins only, not on interactive (web) ones
        return not interactive and password in self._api_keys.get(uid, ())

    def check_password(self, uid: int, password: Any) -> bool:
        """Whether ``password`` is the user's password (not an API key), as Odoo's
        identity check wants it."""
        return self._password_ok(uid, password, interactive=True)

    def is_internal(self, uid: int) -> bool:
        """Whether the user is an internal one (not portal)."""
        row = self._store.tables["res.users"].get(uid)
        return row is not None and not row.get("share")

    def is_system(self, uid: int) -> bool:
        """Whether the user is an administrator (Settings)."""
        return uid in business.ADMIN_UIDS

    def authenticate(
        self, login: str, password: str, *, interactive: bool = False
    ) -> int | Literal[False]:
        """The uid for a login and a password or API key; False (not a fault) if refused.

        ``interactive`` (a web session login) takes the password only, as Odoo does.
        """
        for uid, row in self._store.tables["res.users"].items():
            if row.get("login") == login and row.get("active") is True:
                return uid if self._password_ok(uid, password, interactive=interactive) else False
        return False

    def check(self, uid: Any, password: Any) -> int:
        """Check the credentials of an ``execute_kw`` call as Odoo does; return the int uid."""
        try:
            user_id = int(uid)
        except (TypeError, ValueError) as exc:
            raise Fault(f"builtins.{type(exc).__name__}", str(exc)) from None
        row = self._store.tables["res.users"].get(user_id)
        if row is None:
            raise missing_error("res.users", [user_id], user_id)
        if row.get("active") is not True or not self._password_ok(user_id, password):
            raise Fault(ACCESS_DENIED, "Access Denied")
        return user_id

    def user_info(self, uid: int) -> dict[str, Any]:
        """What ``/web/session/authenticate`` and ``get_session_info`` report about a user."""
        store = self._store
        user = store.tables["res.users"][uid]
        partner = store.tables["res.partner"][user["partner_id"]]
        company = store.tables["res.company"][user.get("company_id") or 1]
        admin = uid in (1, 2)
        currencies = {
            str(cid): {"symbol": row["symbol"], "position": row["position"], "digits": [69, 2]}
            for cid, row in store.tables["res.currency"].items()
            if row.get("active")
        }
        params = {row["key"]: row["value"] for row in store.tables["ir.config_parameter"].values()}
        return {
            "uid": uid,
            "is_system": admin,
            "is_admin": admin,
            "is_public": False,
            "is_internal_user": not user.get("share"),
            "user_context": {
                "lang": partner.get("lang") or "en_US",
                "tz": partner.get("tz") or "Europe/Brussels",
                "uid": uid,
            },
            "db": self.name,
            "server_version": f"{self.major}.0",
            "server_version_info": list(self.version_info),
            "support_url": "https://www.odoo.com/buy",
            "name": partner.get("name") or "",
            "username": user["login"],
            "partner_display_name": partner.get("complete_name") or "",
            "partner_id": partner["id"],
            "web.base.url": params.get("web.base.url", "http://localhost:8069"),
            "active_ids_limit": 20000,
            "max_file_upload_size": 134217728,
            "home_action_id": False,
            "currencies": currencies,
            "bundle_params": {"lang": partner.get("lang") or "en_US"},
            "user_companies": {
                "current_company": company["id"],
                "allowed_companies": {
                    str(company["id"]): {
                        "id": company["id"],
                        "name": company["name"],
                        "sequence": company.get("sequence") or 0,
                        "child_ids": [],
                        "parent_id": False,
                    }
                },
                "disallowed_ancestor_companies": {},
            },
            "show_effect": True,
            "display_switch_company_menu": False,
            **(
                self._session_info_18(partner)
                if self.major >= 18
                else {
                    "user_id": [uid],
                    "notification_type": user.get("notification_type") or "email",
                }
            ),
        }

    @staticmethod
    def _session_info_18(partner: dict[str, Any]) -> dict[str, Any]:
        """Keys Odoo 18 adds to the session info (it drops ``user_id``, ``notification_type``)."""
        return {
            "partner_write_date": partner.get("write_date") or False,
            "test_mode": False,
            "tour_enabled": False,
            "current_tour": None,
            "can_insert_in_spreadsheet": False,
        }

    # -- execute_kw -----------------------------------------------------------------

    def execute_kw(
        self,
        uid: int,
        model: str,
        method: str,
        args: list[Any],
        kwargs: dict[str, Any] | None,
    ) -> Any:
        """Call ``model.method(*args, **kwargs)`` for an already checked ``uid``."""
        if not isinstance(method, str):
            raise Fault(
                "builtins.AttributeError",
                f"'{type(method).__name__}' object has no attribute 'startswith'",
            )
        if self.is_private(method):
            raise Fault(
                ACCESS_ERROR,
                f"Private methods (such as '{model}.{method}') cannot be called remotely.",
            )
        if not isinstance(model, str) or model not in self._store.models:
            raise Fault(USER_ERROR, f"Object {model} doesn't exist")
        signature = self._signatures.get(method)
        if signature is None:
            raise Fault("builtins.AttributeError", f"The method '{model}.{method}' does not exist")
        if kwargs is not None and not isinstance(kwargs, dict):
            raise _type_error(
                "odoo.service.model.execute() argument after ** must be a mapping, "
                f"not {type(kwargs).__name__}"
            )
        positional = list(args or [])
        keywords = dict(kwargs or {})
        context = keywords.pop("context", None)
        ids: list[int] = []
        if signature.records:
            if not positional:
                raise Fault("builtins.IndexError", "list index out of range")
            ids = _browse(positional.pop(0))
        bound, extra = _bind(method, signature, positional, keywords)
        handler: Callable[..., Any] = getattr(self, f"_{method}")
        with self._lock:
            store = self._store
            call = _Call(
                uid, model, Access(store, uid), dict(context) if isinstance(context, dict) else {}
            )
            store.begin()
            try:
                if signature.records:
                    result = handler(call, ids, **bound, **extra)
                else:
                    result = handler(call, **bound, **extra)
            except Fault as fault:
                store.rollback()
                if self.major >= 19:
                    raise _reworded(fault) from None
                raise
            except BaseException:
                store.rollback()
                raise
            store.commit()
        return result

    # -- model methods ------------------------------------------------------------------

    def _ids(
        self, call: _Call, domain: Any, order: Any = None, *, ordered: bool = True
    ) -> list[int]:
        """Ids the user may read that match ``domain``, sorted by ``order`` if ``ordered``.

        The list is the store's memoized result: slice it, do not change it.
        """
        call.access.check_model(call.model, "read")
        rule = call.access.rule(call.model, "read")
        store = self._store
        # A record rule depends on its user only (and on the data, which the cache follows).
        scope = None if rule is None else call.uid
        if not ordered:
            return store.matching_ids(
                call.model, domain, active_test=call.active_test, allowed=rule, scope=scope
            )
        return store.search_ids(
            call.model, domain, order, active_test=call.active_test, allowed=rule, scope=scope
        )

    def _search(self, call: _Call, domain: Any, offset: Any, limit: Any, order: Any) -> list[int]:
        return _page(self._ids(call, domain, order), offset, limit)

    def _search_count(self, call: _Call, domain: Any, limit: Any) -> int:
        cap = _sql_limit(limit)
        count = len(self._ids(call, domain, ordered=False))
        return count if cap is None else min(count, cap)

    def _search_read(
        self,
        call: _Call,
        domain: Any,
        fields: Any,
        offset: Any,
        limit: Any,
        order: Any,
        **read_kwargs: Any,
    ) -> list[dict[str, Any]]:
        load = _read_kwargs(read_kwargs)
        names = _field_list(fields)
        store = self._store
        store.check_fields(call.model, names or ())
        ids = _page(self._ids(call, domain or [], order), offset, limit)
        table = store.tables[call.model]
        rows = [table[rid] for rid in ids]
        return store.read_rows(call.model, rows, names, load=load, active_test=call.active_test)

    def _read(self, call: _Call, ids: list[int], fields: Any, load: Any) -> list[dict[str, Any]]:
        names = _field_list(fields)
        call.access.check_model(call.model, "read")
        self._store.check_fields(call.model, names or ())
        call.access.check_rows(call.model, "read", ids)
        table = self._store.tables[call.model]
        rows = [table[rid] for rid in ids if rid in table]
        return self._store.read_rows(
            call.model, rows, names, load=load, active_test=call.active_test
        )

    def _create(self, call: _Call, vals_list: Any) -> int | list[int]:
        call.access.check_model(call.model, "create")
        single = isinstance(vals_list, dict)
        ids = []
        for item in [vals_list] if single else _as_list(vals_list):
            vals, password = _split_password(call.model, item)
            rid = self._store.create(call.model, vals, call.uid)
            if password is not None:
                self._passwords[rid] = password
            ids.append(rid)
        return ids[0] if single else ids

    def _write(self, call: _Call, ids: list[int], vals: Any) -> bool:
        call.access.check_model(call.model, "write", ids)
        call.access.check_rows(call.model, "write", ids)
        vals, password = _split_password(call.model, vals)
        self._store.write(call.model, ids, vals, call.uid)
        if password is not None:
            self._passwords.update(dict.fromkeys(ids, password))
        return True

    def _unlink(self, call: _Call, ids: list[int]) -> bool:
        call.access.check_model(call.model, "unlink")
        call.access.check_rows(call.model, "unlink", ids)
        self._store.unlink(call.model, ids, call.uid)
        return True

    def _exists(self, call: _Call, ids: list[int]) -> list[int]:
        table = self._store.tables[call.model]
        return [rid for rid in ids if rid in table]

    def _fields_get(self, call: _Call, allfields: Any, attributes: Any) -> dict[str, Any]:
        spec = self._store.models[call.model]
        wanted = set(_field_list(allfields) or spec.fields)
        keep = None
        if attributes and isinstance(attributes, (list, tuple)):
            keep = {a for a in attributes if isinstance(a, str)}
        result = {}
        for fname, f in spec.fields.items():
            if fname not in wanted:
                continue
            info = f.describe()
            result[fname] = info if keep is None else {k: v for k, v in info.items() if k in keep}
        return result

    def _name_search(
        self,
        call: _Call,
        name: Any,
        operator: Any,
        limit: Any,
        args: Any = None,
        domain: Any = None,
    ) -> list[list[Any]]:
        domain = (args if domain is None else domain) or []
        if not (name == "" and operator in ("like", "ilike")):
            domain = and_domains(domain, [("display_name", operator, name)])
        ids = _page(self._ids(call, domain), 0, limit)
        names = self._store.name_cache(call.model)
        return [[rid, names[rid]] for rid in ids]

    def _read_group(
        self,
        call: _Call,
        domain: Any,
        fields: Any,
        groupby: Any,
        offset: Any,
        limit: Any,
        orderby: Any,
        lazy: Any,
    ) -> list[dict[str, Any]]:
        table = self._store.tables[call.model]
        rows = [table[rid] for rid in self._ids(call, domain, ordered=False)]
        return read_group(
            self._store,
            call.model,
            rows,
            domain,
            fields,
            groupby,
            offset=_sql_offset(offset),
            limit=_sql_limit(limit),
            orderby=orderby,
            lazy=bool(lazy),
        )

    def _formatted_read_group(
        self,
        call: _Call,
        domain: Any,
        groupby: Any,
        aggregates: Any,
        having: Any,
        offset: Any,
        limit: Any,
        order: Any,
    ) -> list[dict[str, Any]]:
        """Odoo 19's grouping: ``"field:agg"`` keys, ``__extra_domain``, ``__count``."""
        if having:
            raise Fault("builtins.NotImplementedError", "the test double has no 'having'")
        wanted = [a for a in _as_list(aggregates) if isinstance(a, str)]
        specs = [a for a in wanted if a != "__count"]
        table = self._store.tables[call.model]
        rows = [table[rid] for rid in self._ids(call, domain, ordered=False)]
        groups = read_group(
            self._store,
            call.model,
            rows,
            [],  # so that __domain holds the group's own terms only
            specs,
            _as_list(groupby),
            offset=_sql_offset(offset),
            limit=_sql_limit(limit),
            orderby=order or False,
            lazy=False,
        )
        named = {spec.partition(":")[0]: spec for spec in specs}
        out = []
        for group in groups:
            row: dict[str, Any] = {}
            for key, value in group.items():
                if not key.startswith("__"):
                    row[named.get(key, key)] = value
            row["__extra_domain"] = group["__domain"]
            if "__count" in wanted:
                row["__count"] = group["__count"]
            out.append(row)
        return out

    def _load(self, call: _Call, fields: Any, data: Any) -> dict[str, Any]:
        """Odoo's import method (see ``_load``): all rows or none."""
        call.access.check_model(call.model, "write")
        try:
            return load(self._store, call.model, call.uid, fields, data)
        except LoadFailed as failed:  # an answer, not a fault: nothing is kept
            self._store.rollback()
            self._store.begin()
            return failed.answer

    def _copy(self, call: _Call, ids: list[int], default: Any) -> int | list[int]:
        """Copies of the records (stored simple fields, many2one, many2many; no one2many).

        Odoo 17 copies one record and returns its id; Odoo 18 and 19 copy each
        record and return their ids (``copy`` is ``@api.returns('self')`` from 18 on).
        """
        if self.major < 18 and len(ids) != 1:
            raise value_error(f"Expected singleton: {call.model}{tuple(ids)!r}")
        call.access.check_model(call.model, "create")
        spec = self._store.models[call.model]
        table = self._store.tables[call.model]
        new_ids = []
        for rid in ids:
            row = table.get(rid)
            if row is None:
                raise missing_error(call.model, [rid], call.uid)
            vals: dict[str, Any] = {}
            for fname, f in spec.fields.items():
                if fname in LOG_FIELDS or not f.store or f.readonly or f.related:
                    continue
                value = row.get(fname)
                if f.type == "many2many":
                    vals[fname] = [(6, 0, list(value or ()))]
                elif f.type != "one2many" and value is not None:
                    vals[fname] = value
            vals.update(business.copy_defaults(call.model, row, dict(default or {})))
            vals, password = _split_password(call.model, vals)
            new_id = self._store.create(call.model, vals, call.uid)
            if password is not None:
                self._passwords[new_id] = password
            new_ids.append(new_id)
        return new_ids if self.major >= 18 else new_ids[0]

    def _name_create(self, call: _Call, name: Any) -> list[Any]:
        call.access.check_model(call.model, "create")
        rec_name = self._store.models[call.model].rec_name
        values = business.name_create_values(call.model, rec_name, name)
        rid = self._store.create(call.model, values, call.uid)
        return [rid, self._store.name_cache(call.model)[rid]]

    def _check_access_rights(
        self, call: _Call, operation: Any, raise_exception: Any
    ) -> bool | None:
        """Odoo 17 answers True when allowed; from 18 on, with ``raise_exception``,
        it is ``check_access`` underneath and answers None."""
        if operation not in OPERATIONS:
            raise Fault("builtins.AssertionError", "Invalid access mode")
        if call.access.denied_group(call.model, operation) is None:
            return None if raise_exception and self.major >= 18 else True
        if raise_exception:
            call.access.check_model(call.model, operation)
        return False

    def _check_access_rule(self, call: _Call, ids: list[int], operation: Any) -> None:
        if operation not in OPERATIONS:
            raise Fault("builtins.AssertionError", "Invalid access mode")
        if self.major >= 18:  # check_access underneath: the model's rights first
            call.access.check_model(call.model, operation)
        call.access.check_rows(call.model, operation, ids)

    def _check_access(self, call: _Call, ids: list[int], operation: Any) -> None:
        """Odoo 18: the model's rights, then the record rules on ``ids``."""
        if operation not in OPERATIONS:
            raise Fault("builtins.AssertionError", "Invalid access mode")
        call.access.check_model(call.model, operation)
        call.access.check_rows(call.model, operation, ids)

    def _has_access(self, call: _Call, ids: list[int], operation: Any) -> bool:
        """``check_access`` as a bool (Odoo 18 and 19)."""
        try:
            self._check_access(call, ids, operation)
        except Fault as fault:
            if fault.name != ACCESS_ERROR:
                raise
            return False
        return True

    def _name_get(self, call: _Call, ids: list[int]) -> list[list[Any]]:
        """Odoo 17: ``[(id, display_name)]`` of the records that exist."""
        rows = self._read(call, ids, ["display_name"], "_classic_read")
        return [[row["id"], row["display_name"]] for row in rows]

    def _context_get(self, call: _Call) -> dict[str, Any]:
        if call.model != "res.users":
            raise Fault(
                "builtins.AttributeError", f"The method '{call.model}.context_get' does not exist"
            )
        context: dict[str, Any] = self.user_info(call.uid)["user_context"]
        return context

    def _default_get(
        self, call: _Call, fields_list: Any = None, fields: Any = None
    ) -> dict[str, Any]:
        """``fields_list`` on Odoo 17 and 18, ``fields`` on 19 (the signature says which)."""
        spec = self._store.models[call.model]
        names = _field_list(fields_list if fields is None else fields) or []
        return {
            name: spec.fields[name].default
            for name in names
            if name in spec.fields and spec.fields[name].default is not None
        }


# -- argument handling ---------------------------------------------------------------


def _bind(
    method: str, signature: Signature, args: list[Any], kwargs: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Bind arguments as CPython would, with CPython's TypeError messages."""
    qualname = f"BaseModel.{method}()"
    params = signature.params
    bound = dict(zip(params, args, strict=False))
    extra: dict[str, Any] = {}
    for key, value in kwargs.items():
        if key not in params:
            if not signature.varkw:
                raise _type_error(f"{qualname} got an unexpected keyword argument {key!r}")
            extra[key] = value
        elif key in bound:
            raise _type_error(f"{qualname} got multiple values for argument {key!r}")
        else:
            bound[key] = value
    if len(args) > len(params):
        low, high, given = signature.required + 1, len(params) + 1, len(args) + 1
        takes = (
            f"from {low} to {high} positional arguments"
            if low != high
            else (f"{high} positional argument{'s' if high != 1 else ''}")
        )
        raise _type_error(f"{qualname} takes {takes} but {given} were given")
    missing = [p for p in params[: signature.required] if p not in bound]
    if missing:
        names = [repr(p) for p in missing]
        listed = (
            names[0]
            if len(names) == 1
            else (
                f"{names[0]} and {names[1]}"
                if len(names) == 2
                else f"{', '.join(names[:-1])}, and {names[-1]}"
            )
        )
        plural = "s" if len(missing) > 1 else ""
        raise _type_error(
            f"{qualname} missing {len(missing)} required positional argument{plural}: {listed}"
        )
    optional = params[signature.required :]
    for param, default in zip(optional, signature.defaults, strict=True):
        bound.setdefault(param, default)
    return bound, extra


def _reworded(fault: Fault) -> Fault:
    """``fault`` worded as Odoo 19 words it."""
    message = fault.message
    for pattern, replacement in _REWORDED_19:
        message = pattern.sub(replacement, message)
    if message == fault.message:
        return fault
    arguments = [message if a == fault.message else a for a in fault.arguments]
    return Fault(fault.name, message, arguments)


def _type_error(message: str) -> Fault:
    return Fault("builtins.TypeError", message)


def _browse(ids: Any) -> list[int]:
    if ids is False or ids is None:
        return []
    items = ids if isinstance(ids, (list, tuple)) else [ids]
    try:
        return [int(item) for item in items]
    except (TypeError, ValueError, OverflowError) as exc:
        raise Fault(f"builtins.{type(exc).__name__}", str(exc)) from None


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    raise Fault("builtins.TypeError", f"'{type(value).__name__}' object is not iterable")


def _field_list(fields: Any) -> list[str] | None:
    if not fields:
        return None
    if isinstance(fields, str):
        return [fields]
    if not isinstance(fields, (list, tuple)) or not all(isinstance(f, str) for f in fields):
        raise Fault("builtins.ValueError", f"Invalid field list {fields!r}")
    return list(fields)


def _read_kwargs(read_kwargs: dict[str, Any]) -> Any:
    for key in read_kwargs:
        if key != "load":
            raise _type_error(
                f"BaseModel._read_format() got an unexpected keyword argument {key!r}"
            )
    return read_kwargs.get("load", "_classic_read")


def _as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise Fault(f"builtins.{type(exc).__name__}", str(exc)) from None


def _sql_offset(offset: Any) -> int:
    """``offset`` as Odoo hands it to PostgreSQL, which refuses a negative one."""
    start = _as_int(offset or 0)
    if start < 0:
        raise Fault(_PG_OFFSET_ERROR, "OFFSET must not be negative\n")
    return start


def _sql_limit(limit: Any) -> int | None:
    """``limit`` as Odoo hands it to PostgreSQL (a false one is no limit); PostgreSQL
    refuses a negative one, and checks the offset first."""
    if not limit:
        return None
    count = _as_int(limit)
    if count < 0:
        raise Fault(_PG_LIMIT_ERROR, "LIMIT must not be negative\n")
    return count


def _page(rows: list[Any], offset: Any, limit: Any) -> list[Any]:
    start = _sql_offset(offset)
    count = _sql_limit(limit)
    return rows[start:] if count is None else rows[start : start + count]


def _split_password(model: str, vals: Any) -> tuple[Any, str | None]:
    """Passwords are kept apart from the rows (they are never read back)."""
    if model != "res.users" or not isinstance(vals, dict) or "password" not in vals:
        return vals, None
    vals = dict(vals)
    password = vals.pop("password")
    return vals, password if isinstance(password, str) and password else None
