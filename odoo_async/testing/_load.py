"""``load(fields, data)`` of the Odoo test double: Odoo's import method, as Odoo 17 answers it.

Odoo's own import (the web client's CSV import) calls ``model.load``: a header of
field paths and rows of strings. A row with a ``.id`` (a database id) updates
that record; one without creates a record. The values are strings converted
per field type (``"1"``/``"0"`` for a boolean, ``YYYY-MM-DD`` for a date, a
database id for ``field/.id``, ids separated by commas for a many2many's
``/.id``, which replaces its links); an empty string empties the field.

The answer is ``{"ids": [...], "messages": [], "nextrow": 0}``. It is all or
nothing: if any row fails (a value that does not convert, an id that does not
exist, a write Odoo refuses), nothing is kept, ``ids`` is ``False`` and each
failure is a message naming its row (``rows.from``/``to``, ``record``), its
field where there is one, and Odoo's words: what the real Odoo 17 answered
when asked (``odoo17-wire`` has no capture of it; these were seen on the
testbed's server). Conversion failures come first, then the rows whose write
failed, each tried alone in a savepoint as Odoo does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ._exceptions import Fault

if TYPE_CHECKING:
    from ._fields import Field
    from ._store import Store

__all__ = ["LoadFailed", "load"]

_TRUE = frozenset({"1", "true", "yes"})
_FALSE = frozenset({"0", "false", "no", ""})
#: Past this many failed writes, and one in ten rows, Odoo stops trying the rest.
_MANY_ERRORS = 10


class _Refused(Exception):
    """A value of a row that does not convert: one message."""

    def __init__(self, field: str, message: str, label: str | None, **extra: Any) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.label = label
        self.extra = extra


def load(store: Store, model: str, uid: int, fields: Any, data: Any) -> dict[str, Any]:
    """Odoo's ``load``, against ``store`` (inside the call's transaction)."""
    spec = store.models[model]
    paths = [_path(spec, model, f) for f in _strings(fields, "fields")]
    rows = [list(_strings(row, "a row of data")) for row in _rows(data)]
    messages: list[dict[str, Any]] = []
    converted: list[tuple[int, int | None, dict[str, Any]]] = []
    for index, row in enumerate(rows):
        try:
            record_id, values = _convert(store, spec, model, paths, row)
        except _Refused as refused:
            message: dict[str, Any] = {
                "rows": {"from": index, "to": index},
                "type": "error",
                "record": index,
                "field": refused.field,
                "message": refused.message,
                **refused.extra,
            }
            if refused.label is not None:
                message["field_name"] = refused.label
            messages.append(message)
            continue
        converted.append((index, record_id, values))
    ids: list[int] = []
    errors = 0
    for index, record_id, values in converted:
        try:
            with store.savepoint():
                if record_id is None:
                    ids.append(store.create(model, values, uid))
                else:
                    store.write(model, [record_id], values, uid)
                    ids.append(record_id)
        except Fault as fault:
            errors += 1
            messages.append(
                {
                    "rows": {"from": index, "to": index},
                    "record": index,
                    "type": "error",
                    "message": f"'{fault.message}'",
                }
            )
            if errors >= _MANY_ERRORS and errors >= (index + 1) / 10:
                messages.append(
                    {
                        "type": "warning",
                        "message": "Found more than 10 errors and more than one error per 10 "
                        "records, interrupted to avoid showing too many errors.",
                    }
                )
                break
    if messages:
        raise LoadFailed(messages)
    return {"ids": ids, "messages": [], "nextrow": 0}


class LoadFailed(Exception):
    """Some row failed: the caller rolls the transaction back and answers ``answer``."""

    def __init__(self, messages: list[dict[str, Any]]) -> None:
        super().__init__("load failed")
        self.answer = {"ids": False, "messages": messages, "nextrow": 0}


def _strings(value: Any, what: str) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise Fault("builtins.TypeError", f"{what} must be a list of strings")
    return list(value)


def _rows(data: Any) -> list[Any]:
    if not isinstance(data, list | tuple):
        raise Fault("builtins.TypeError", "data must be a list of rows")
    return list(data)


def _path(spec: Any, model: str, path: str) -> tuple[str, str | None]:
    """``(field, None)``, ``(field, ".id")`` or ``(".id", None)``; an unknown field is
    Odoo's KeyError, named by the field."""
    if path == ".id":
        return ".id", None
    name, _, rest = path.partition("/")
    field = spec.fields.get(name)
    if field is None:
        raise Fault("builtins.KeyError", name)
    if rest not in ("", ".id") or (rest == ".id" and field.relation is None):
        raise Fault("builtins.KeyError", rest or name)
    return name, rest or None


def _convert(
    store: Store, spec: Any, model: str, paths: list[tuple[str, str | None]], row: list[str]
) -> tuple[int | None, dict[str, Any]]:
    record_id: int | None = None
    values: dict[str, Any] = {}
    for (name, sub), text in zip(paths, row, strict=False):
        if name == ".id":
            if text:
                if not text.isdigit() or int(text) not in store.tables[model]:
                    raise _Refused(".id", f"Unknown database identifier '{text}'", None)
                record_id = int(text)
            continue
        field: Field = spec.fields[name]
        values[name] = _value(store, field, name, sub, text)
    return record_id, values


def _value(store: Store, field: Field, name: str, sub: str | None, text: str) -> Any:
    label = field.string
    kind = field.type
    if sub == ".id":
        if kind == "many2one":
            if not text:
                return False
            return _existing(store, field, name, text)
        if not text:
            return [(6, 0, [])]
        return [(6, 0, [_existing(store, field, name, part) for part in text.split(",")])]
    if kind == "boolean":
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise _Refused(
            name,
            f"Unknown value '{text}' for boolean field '{label}'",
            label,
            moreinfo="Use '1' for yes and '0' for no",
        )
    parsed = _PARSED.get(kind)
    if parsed is not None:
        empty, parse, what = parsed
        if not text:
            return empty
        try:
            return parse(text)
        except ValueError:
            raise _Refused(
                name, f"'{text}' does not seem to be {what} for field '{label}'", label
            ) from None
    if kind == "selection":
        if not text:
            return False
        for key, shown in field.selection or ():
            if text in (key, shown):
                return key
        raise _Refused(name, f"Value '{text}' not found in selection field '{label}'", label)
    if kind in ("many2one", "many2many", "one2many"):
        # by name or external id: not what the client sends; refused as Odoo does an unknown name
        raise _Refused(
            name, f"No matching record found for name '{text}' in field '{label}'", label
        )
    return text or False


def _integer(text: str) -> int:
    if not re.fullmatch(r"[-+]?\d+", text.strip()):
        raise ValueError(text)
    return int(text)


#: Field type: (an empty cell's value, the parser, what Odoo calls a good value).
_PARSED: dict[str, tuple[Any, Callable[[str], Any], str]] = {
    "integer": (0, _integer, "an integer"),
    "float": (0.0, float, "a number"),
    "monetary": (0.0, float, "a number"),
    "date": (False, lambda text: date.fromisoformat(text).isoformat(), "a valid date"),
    "datetime": (
        False,
        lambda text: datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M:%S"),
        "a valid datetime",
    ),
}


def _existing(store: Store, field: Field, name: str, text: str) -> int:
    assert field.relation is not None
    if not text.strip().isdigit():
        raise _Refused(
            name, f"Invalid database id '{text}' for the field '{field.string}'", field.string
        )
    rid = int(text)
    if rid not in store.tables.get(field.relation, {}):
        raise _Refused(
            name,
            f"No matching record found for database id '{text}' in field '{field.string}'",
            field.string,
        )
    return rid
