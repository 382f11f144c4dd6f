"""Model-specific behaviour of the Odoo test double: names, computed fields, constraints.

The generic :class:`~._store.Store` calls these hooks around create, write
and unlink. They reproduce what a client can observe of Odoo 17's business
code: a contact's ``complete_name`` (``"Azure Interior, Brandon Freeman"``),
the commercial partner, the ``check_name`` constraint, recursion checks on
parent fields, the admin user that cannot be deleted, invoice totals
computed from their lines, calendar event stop times.
"""

from __future__ import annotations

import re
from collections import deque
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ._exceptions import USER_ERROR, VALIDATION_ERROR, Fault
from ._fields import Row, Tables, not_null

if TYPE_CHECKING:
    from ._store import Store

__all__ = [
    "after_change",
    "after_unlink",
    "before_create",
    "before_unlink",
    "before_write",
    "commercial_of",
    "copy_defaults",
    "display_name",
    "name_create_values",
    "partner_names",
]

ADMIN_UIDS = frozenset({1, 2})
_DT = "%Y-%m-%d %H:%M:%S"
_RECURSION = {
    "res.partner": "You cannot create recursive Partner hierarchies.",
    "res.partner.category": "You can not create recursive tags.",
    "res.company": "You cannot create recursive companies.",
}
_PARTNER_NAME_FIELDS = frozenset({"name", "parent_id", "is_company", "type", "company_name"})
_LINE_AMOUNT_FIELDS = frozenset({"quantity", "price_unit", "discount", "move_id"})
_MOVE_TO_LINES = frozenset({"name", "date", "state", "company_id"})
_DRAFT_NAMES = {
    "out_invoice": "Draft Invoice",
    "out_refund": "Draft Credit Note",
    "in_invoice": "Draft Bill",
    "in_refund": "Draft Vendor Credit Note",
    "out_receipt": "Draft Sales Receipt",
    "in_receipt": "Draft Purchase Receipt",
    "entry": "Draft Entry",
}
_PARTNER_TYPES = {
    "invoice": "Invoice Address",
    "delivery": "Delivery Address",
    "other": "Other Address",
}


def copy_defaults(model: str, row: Row, default: dict[str, Any]) -> dict[str, Any]:
    """The ``default`` of a ``copy``, completed as the model's ``copy`` does: a contact's
    copy is named ``"<name> (copy)"`` unless a name is given."""
    if model == "res.partner" and not default.get("name"):
        return {**default, "name": f"{row.get('name') or ''} (copy)"}
    return default


def name_create_values(model: str, rec_name: str, name: Any) -> dict[str, Any]:
    """The values ``name_create(name)`` creates: the name in the record's name field,
    or, for a contact written ``"Name <email>"`` (or a bare address), name and email."""
    if model == "res.partner" and isinstance(name, str):
        text = name.strip()
        if found := _NAME_AND_EMAIL.fullmatch(text):
            person, email = found.group(1).strip().strip('"'), found.group(2)
            return {rec_name: person or email, "email": email}
        if _EMAIL.fullmatch(text):
            return {rec_name: text, "email": text}
    return {rec_name: name}


_EMAIL = re.compile(r"[^<>@\s]+@[^<>@\s]+")
_NAME_AND_EMAIL = re.compile(rf"([^<>]*)<({_EMAIL.pattern})>")


def display_name(store: Tables, model: str, row: Row) -> str:
    """``display_name`` of a row, computed as Odoo 17 computes it for that model."""
    if model == "res.partner":
        return str(row.get("complete_name") or "")
    if model == "res.partner.category":
        names: list[str] = []
        table = store.tables[model]
        current: Row | None = row
        while current is not None and len(names) < 100:
            names.append(current.get("name") or "")
            current = table.get(current.get("parent_id"))  # type: ignore[arg-type]
        return " / ".join(reversed(names))
    if model == "res.users":
        partner = store.tables["res.partner"].get(row.get("partner_id"))  # type: ignore[arg-type]
        return str(partner.get("name") or "") if partner else ""
    if model == "account.move":
        return _move_name(row)
    if model == "account.move.line":
        parts = (row.get("move_name"), row.get("name"))
        return " ".join(part for part in parts if part)
    spec = store.models[model]
    value = row.get(spec.rec_name)
    return str(value) if value else f"{model},{row['id']}"


def _move_name(row: Row) -> str:
    name = ""
    if row.get("state") == "draft":
        name = _DRAFT_NAMES.get(row.get("move_type") or "entry", "Draft Entry") + " "
    number = row.get("name")
    name += f"(* {row['id']})" if not number or number == "/" else number
    ref = row.get("ref")
    return f"{name} ({ref})" if ref else name


# -- hooks ------------------------------------------------------------------------


def before_create(store: Store, model: str, row: Row, later: dict[str, Any], uid: int) -> None:
    if model == "res.partner":
        _check_partner_name(row)
    elif model == "res.users":
        if row.get("login") is None:
            spec = store.models[model]
            raise not_null(spec, spec.fields["login"])
        _check_login(store, row["login"], [])
        if row.get("partner_id") is None:
            partner = {"name": later.pop("name", None), "company_id": row.get("company_id")}
            if "email" in later:
                partner["email"] = later.pop("email")
            row["partner_id"] = store.create("res.partner", partner, uid)
    elif model == "account.move":
        if row.get("date") is None:
            row["date"] = row.get("invoice_date") or store.clock()[:10]
    elif model == "account.move.line":
        move = store.tables["account.move"].get(row.get("move_id"))  # type: ignore[arg-type]
        if move is not None:
            row.setdefault("partner_id", move.get("partner_id"))
            if row.get("currency_id") is None:
                row["currency_id"] = move.get("currency_id")
            _copy_move_fields(move, row)
        _line_amounts(row, move)
    elif model == "calendar.event":
        _event_times(row)
    elif model == "ir.model.data":
        _check_xmlid(store, row)


def before_write(store: Store, model: str, ids: list[int], changes: Row, uid: int) -> None:
    spec = store.models[model]
    parent = spec.parent_name
    if parent and changes.get(parent) is not None:
        _check_recursion(store, model, ids, changes[parent])
    if model == "res.partner" and "name" in changes and changes["name"] is None:
        for rid in ids:
            _check_partner_name({**store.tables[model][rid], **changes})
    elif model == "res.users":
        if changes.get("active") is False and uid in ids:
            raise Fault(USER_ERROR, "You cannot deactivate the user you're currently logged in as.")
        if changes.get("login") is not None:
            _check_login(store, changes["login"], ids)


def before_unlink(store: Store, model: str, ids: list[int], uid: int) -> None:
    if model == "res.users" and not ADMIN_UIDS.isdisjoint(ids):
        raise Fault(
            USER_ERROR,
            "You cannot delete the admin user because it is utilized in various places "
            "(such as security configurations,...). Instead, archive it.",
        )


def after_change(
    store: Store, model: str, ids: list[int], fnames: set[str], uid: int, *, created: bool = False
) -> None:
    """Recompute what depends on the changed fields of ``ids`` (``created``: rows just made)."""
    if model == "res.partner" and not _PARTNER_NAME_FIELDS.isdisjoint(fnames):
        # A partner just created has no children unless the create gave it some.
        _recompute_partners(store, ids, children=not created or "child_ids" in fnames)
    elif model == "account.move.line" and not _LINE_AMOUNT_FIELDS.isdisjoint(fnames):
        moves = store.tables["account.move"]
        for rid in ids:
            row = store.tables[model].get(rid)
            if row is not None:
                _set(store, model, rid, _line_amounts(dict(row), moves.get(row["move_id"])))
        _recompute_moves(store, {store.tables[model][rid]["move_id"] for rid in ids})
    elif model == "account.move" and not _MOVE_TO_LINES.isdisjoint(fnames | {"payment_state"}):
        lines = store.inverse_index("account.move.line", "move_id")
        for rid in ids:
            move = store.tables[model][rid]
            for line_id in lines.get(rid, ()):
                values: Row = {}
                _copy_move_fields(move, values)
                _set(store, "account.move.line", line_id, values)
        _recompute_moves(store, set(ids))


def after_unlink(store: Store, model: str, rows: list[Row], uid: int) -> None:
    if model == "account.move.line":
        moves = {row["move_id"] for row in rows} & set(store.tables["account.move"])
        _recompute_moves(store, moves)
    if model != "ir.model.data" and store.tables["ir.model.data"]:
        # Odoo deletes the external ids of the records it deletes.
        gone = {row["id"] for row in rows}
        data = store.tables["ir.model.data"]
        for rid in [r for r, d in data.items() if d["model"] == model and d["res_id"] in gone]:
            store.delete("ir.model.data", rid)


# -- helpers ------------------------------------------------------------------------


def _set(store: Store, model: str, rid: int, values: Row) -> None:
    """Write computed values, touching the row only if something changes."""
    row = store.tables[model][rid]
    if any(row.get(key) != value for key, value in values.items()):
        store.touch(model, rid).update(values)


def _check_login(store: Store, login: str, ids: list[int]) -> None:
    """Odoo's ``res_users_login_key`` unique constraint."""
    taken = any(
        row.get("login") == login and rid not in ids
        for rid, row in store.tables["res.users"].items()
    )
    if taken or len(ids) > 1:
        raise Fault(
            VALIDATION_ERROR,
            "The operation cannot be completed: You can not have two users with the same login !",
        )


def _check_xmlid(store: Store, row: Row) -> None:
    """External ids: no spaces, and (module, name) unique (a unique index in Odoo)."""
    name, module = row.get("name") or "", row.get("module") or ""
    if " " in name:
        raise Fault(VALIDATION_ERROR, "External IDs cannot contain spaces")
    for other in store.tables["ir.model.data"].values():
        if other["name"] == name and other.get("module") == module:
            raise Fault(
                VALIDATION_ERROR,
                "The operation cannot be completed: duplicate key value violates unique "
                'constraint "ir_model_data_module_name_uniq_index"\n'
                f"DETAIL:  Key (module, name)=({module}, {name}) already exists.",
            )


def _check_partner_name(row: Row) -> None:
    if (row.get("type") or "contact") == "contact" and row.get("name") is None:
        raise Fault(VALIDATION_ERROR, "The operation cannot be completed: Contacts require a name")


def _check_recursion(store: Store, model: str, ids: list[int], new_parent: int) -> None:
    table = store.tables[model]
    parent_field = store.models[model].parent_name
    assert parent_field is not None
    seen: set[int] = set()
    current: int | None = new_parent
    while current is not None and current not in seen:
        if current in ids:
            raise Fault(VALIDATION_ERROR, _RECURSION.get(model, "Recursion Detected."))
        seen.add(current)
        row = table.get(current)
        current = row.get(parent_field) if row is not None else None


def partner_names(row: Row, parent: Row | None, commercial: Row | None) -> Row:
    """complete_name, commercial_partner_id and commercial_company_name of a partner."""
    name = row.get("name") or ""
    company_name = row.get("company_name")
    if commercial is not None and commercial.get("is_company"):
        company_name = commercial.get("name")
    if row.get("company_name") or parent is not None:
        if not name and row.get("type") in _PARTNER_TYPES:
            name = _PARTNER_TYPES[row["type"]]
        if not row.get("is_company"):
            prefix = company_name or (parent.get("name") if parent else None)
            name = f"{prefix or ''}, {name}"
    return {
        "complete_name": name.strip(),
        "commercial_partner_id": commercial["id"] if commercial else row["id"],
        "commercial_company_name": company_name or None,
    }


def commercial_of(table: dict[int, Row], row: Row) -> Row:
    """The commercial entity: the first company up the parents, or the top parent."""
    current = row
    seen = set()
    while not current.get("is_company") and current.get("parent_id") in table:
        if current["id"] in seen:
            break
        seen.add(current["id"])
        current = table[current["parent_id"]]
    return current


def _recompute_partners(store: Store, ids: list[int], *, children: bool = True) -> None:
    """Names and commercial entity of ``ids`` and, with ``children``, of their descendants."""
    table = store.tables["res.partner"]
    # The inverse index costs a scan of the table: skip it where no row can have children.
    below = store.children("res.partner") if children else {}
    todo = deque(rid for rid in ids if rid in table)
    done: set[int] = set()
    while todo:
        rid = todo.popleft()
        if rid in done:
            continue
        done.add(rid)
        row = table[rid]
        parent = table.get(row.get("parent_id"))  # type: ignore[arg-type]
        _set(store, "res.partner", rid, partner_names(row, parent, commercial_of(table, row)))
        todo.extend(below.get(rid, ()))


def _copy_move_fields(move: Row, line: Row) -> None:
    line["date"] = move.get("date")
    line["move_name"] = move.get("name")
    line["parent_state"] = move.get("state")
    line["company_id"] = move.get("company_id")


def _line_amounts(row: Row, move: Row | None) -> Row:
    quantity = row.get("quantity") or 0.0
    subtotal = round(
        quantity * (row.get("price_unit") or 0.0) * (1 - (row.get("discount") or 0.0) / 100), 2
    )
    outgoing = bool(move) and str(move.get("move_type") or "").startswith("out")  # type: ignore[union-attr]
    values = {
        "price_subtotal": subtotal,
        "price_total": subtotal,
        "debit": 0.0 if outgoing else subtotal,
        "credit": subtotal if outgoing else 0.0,
        "balance": -subtotal if outgoing else subtotal,
    }
    row.update(values)
    return values


def _recompute_moves(store: Store, move_ids: set[int]) -> None:
    lines = store.inverse_index("account.move.line", "move_id")
    line_table = store.tables["account.move.line"]
    for move_id in move_ids:
        move = store.tables["account.move"].get(move_id)
        if move is None:
            continue
        total = round(
            sum(line_table[i].get("price_subtotal") or 0.0 for i in lines.get(move_id, ())), 2
        )
        paid = move.get("payment_state") in ("paid", "in_payment", "reversed")
        _set(
            store,
            "account.move",
            move_id,
            {
                "amount_untaxed": total,
                "amount_tax": 0.0,
                "amount_total": total,
                "amount_residual": 0.0 if paid else total,
            },
        )


def _event_times(row: Row) -> None:
    start = row.get("start")
    if start is None:
        return
    begin = datetime.strptime(start, _DT)
    if row.get("stop") is None:
        hours = row.get("duration") or 1.0
        row["stop"] = (begin + timedelta(hours=hours)).strftime(_DT)
    if row.get("duration") is None:
        end = datetime.strptime(row["stop"], _DT)
        row["duration"] = round((end - begin).total_seconds() / 3600, 2)
    if row.get("allday"):
        row.setdefault("start_date", start[:10])
        row.setdefault("stop_date", row["stop"][:10])
