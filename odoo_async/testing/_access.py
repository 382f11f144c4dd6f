"""Access rights of the Odoo test double's users, with Odoo 17's error texts.

Three kinds of users, as on the captured server:

- administrators (uid 1 and 2, ``admin``): everything;
- internal users (``demo``, uid 6): no access to ``ir.config_parameter``; may
  not create, modify or delete companies, countries and currencies, nor
  users other than themselves;
- portal users (``portal``, uid 7): read-only, and only on contacts they own
  (their partner and its commercial entity's tree), on themselves as a user,
  and on countries, currencies and companies.

Model-level refusals (ACLs) are the "You are not allowed to ..." AccessError;
record-level refusals (record rules) are the "Uh-oh! ..." one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ._business import commercial_of
from ._exceptions import ACCESS_ERROR, Fault
from ._fields import Row

if TYPE_CHECKING:
    from ._store import Store

__all__ = ["OPERATIONS", "Access"]

OPERATIONS = ("read", "write", "create", "unlink")
_VERBS = {"read": "access", "write": "modify", "create": "create", "unlink": "delete"}
_SETTINGS = "Administration/Settings"
_ACCESS_RIGHTS = "Administration/Access Rights"
_INTERNAL = "User types/Internal User"
_MODIFY_GROUPS = {
    "ir.config_parameter": _SETTINGS,
    "ir.model.data": _SETTINGS,
    "res.company": _ACCESS_RIGHTS,
    "res.users": _ACCESS_RIGHTS,
    "res.country": _SETTINGS,
    "res.currency": _SETTINGS,
    "res.partner": "Extra Rights/Contact Creation",
}
_INTERNAL_DENIED = frozenset(
    {"ir.config_parameter", "ir.model.data", "res.company", "res.country", "res.currency"}
)
_PORTAL_READABLE = frozenset(
    {"res.partner", "res.users", "res.country", "res.currency", "res.company"}
)


class Access:
    """Access checks of one user on one store."""

    def __init__(self, store: Store, uid: int) -> None:
        self.store = store
        self.uid = uid
        row = store.tables["res.users"].get(uid, {})
        self.admin = uid in (1, 2)
        self.portal = bool(row.get("share")) and not self.admin
        self.partner_id: int | None = row.get("partner_id")

    def denied_group(self, model: str, operation: str) -> str | None:
        """The group Odoo would name when refusing ``operation`` on ``model``, or None."""
        if self.admin:
            return None
        if model == "ir.config_parameter":
            return _SETTINGS
        if operation == "read":
            if self.portal and model not in _PORTAL_READABLE:
                return _INTERNAL
            return None
        if self.portal and model != "res.users":
            return _MODIFY_GROUPS.get(model, _INTERNAL)
        if model in _INTERNAL_DENIED or (model == "res.users" and operation != "write"):
            return _MODIFY_GROUPS[model]
        return None

    def check_model(self, model: str, operation: str, ids: list[int] | None = None) -> None:
        """Refuse, as Odoo's ACLs do, ``operation`` on ``model`` (``ids`` for writes on users)."""
        group = self.denied_group(model, operation)
        if group is None and model == "res.users" and operation == "write" and not self.admin:
            # Users may only change their own preferences.
            group = _ACCESS_RIGHTS if any(rid != self.uid for rid in ids or ()) else None
        if group is None:
            return
        description = self.store.models[model].description
        raise Fault(
            ACCESS_ERROR,
            f"You are not allowed to {_VERBS[operation]} '{description}' ({model}) records.\n\n"
            f"This operation is allowed for the following groups:\n\t- {group}\n\n"
            "Contact your administrator to request access if necessary.",
        )

    def rule(self, model: str, operation: str) -> Callable[[Row], bool] | None:
        """A record rule restricting ``model`` for this user, or None if all rows are visible."""
        if self.admin:
            return None
        if model == "res.users" and self.portal:
            uid = self.uid
            return lambda row: row["id"] == uid
        if model == "res.partner" and self.portal:
            visible = self.visible_partners()
            return lambda row: row["id"] in visible
        return None

    def visible_partners(self) -> set[int]:
        table = self.store.tables["res.partner"]
        own = table.get(self.partner_id)  # type: ignore[arg-type]
        if own is None:
            return set()
        top = commercial_of(table, own)["id"]
        visible = {own["id"], top}
        children = self.store.children("res.partner")
        todo = [top]
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in visible:
                    visible.add(child)
                    todo.append(child)
        return visible

    def check_rows(self, model: str, operation: str, ids: list[int]) -> None:
        """Refuse, as Odoo's record rules do, ids that exist but that this user may not touch."""
        rule = self.rule(model, operation)
        if rule is None:
            return
        table = self.store.tables[model]
        if all(rule(table[rid]) for rid in ids if rid in table):
            return
        user = self.store.tables["res.users"][self.uid]
        partner = self.store.tables["res.partner"].get(user["partner_id"], {})
        description = self.store.models[model].description
        raise Fault(
            ACCESS_ERROR,
            "Uh-oh! Looks like you have stumbled upon some top-secret records.\n\n"
            f"Sorry, {partner.get('name') or ''} (id={self.uid}) doesn't have '{operation}' "
            f"access to:\n- {description} ({model})\n\n"
            "If you really, really need access, perhaps you can win over your friendly "
            "administrator with a batch of freshly baked cookies.",
        )
