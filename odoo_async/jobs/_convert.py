"""Field values between Odoo's ``read`` shapes and files: pure functions, no I/O.

Export (``read`` value -> file value):

=============  ==========================  ============================
type           JSON Lines                  CSV cells
=============  ==========================  ============================
many2one       ``{"id": 3, "name": "BE"}`` ``f`` = ``3``, ``f.name`` = ``BE``
x2many         ``[1, 2]``                  ``1,2``
datetime       ``"2024-05-01T10:00:00+00:00"`` (Odoo stores UTC)
date           ``"2024-05-01"``
boolean        ``true`` / ``false``        ``true`` / ``false``
empty          ``null``                    empty cell
=============  ==========================  ============================

Import (file value -> ``create``/``write`` value) accepts what export writes
(and Odoo's own shapes: ``[3, "BE"]``, ``"2024-05-01 10:00:00"``), so an
exported file imports back unchanged. :func:`same_value` compares a file
value with what ``read`` returns, to write only what changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from odoo_async import Command

__all__ = [
    "NOT_IMPORTED",
    "FieldInfo",
    "ValueProblem",
    "csv_columns",
    "csv_row",
    "export_row",
    "import_value",
    "load_cell",
    "load_column",
    "same_value",
]

X2MANY = frozenset({"one2many", "many2many"})
#: Fields Odoo fills in itself: never written by an import.
NOT_IMPORTED = frozenset(
    {"id", "display_name", "create_date", "create_uid", "write_date", "write_uid", "__last_update"}
)
_TRUE = frozenset({"1", "true", "yes", "y", "t"})
_FALSE = frozenset({"", "0", "false", "no", "n", "f"})

FieldInfo = Mapping[str, Any]  # one entry of fields_get: {"type": ..., "readonly": ...}


class ValueProblem(ValueError):
    """A file value that does not fit its field (the message names both)."""


# -- export -------------------------------------------------------------------------


def _iso_datetime(value: str) -> str:
    # Odoo sends "YYYY-MM-DD HH:MM:SS" in UTC.
    return value.replace(" ", "T", 1) + "+00:00" if len(value) == 19 else value


def export_value(ftype: str, value: Any) -> Any:
    """One ``read`` value as it goes into a JSON Lines row."""
    if ftype == "boolean":
        return bool(value)
    if ftype == "many2one":
        if not value:
            return None
        return {"id": value[0], "name": value[1]} if isinstance(value, list) else {"id": value}
    if ftype in X2MANY:
        return list(value or [])
    if value is False or value is None:
        return None
    if ftype == "datetime" and isinstance(value, str):
        return _iso_datetime(value)
    return value


def export_row(
    row: Mapping[str, Any], fields: list[str], types: Mapping[str, str]
) -> dict[str, Any]:
    """A ``read`` row as a JSON Lines object with the keys of ``fields``, in order."""
    return {f: export_value(types.get(f, "char"), row.get(f)) for f in fields}


def csv_columns(fields: list[str], types: Mapping[str, str]) -> list[str]:
    """The CSV header: each many2one adds a ``<field>.name`` column after its id."""
    out: list[str] = []
    for f in fields:
        out.append(f)
        if types.get(f) == "many2one":
            out.append(f"{f}.name")
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def csv_row(row: Mapping[str, Any], fields: list[str], types: Mapping[str, str]) -> list[str]:
    """An exported (JSON Lines) row as the cells of :func:`csv_columns`."""
    out: list[str] = []
    for f in fields:
        value = row.get(f)
        ftype = types.get(f)
        if ftype == "many2one":
            out.append("" if value is None else str(value["id"]))
            out.append("" if value is None else _cell(value.get("name")))
        elif ftype in X2MANY:
            out.append(",".join(str(i) for i in value or ()))
        else:
            out.append(_cell(value))
    return out


# -- import -------------------------------------------------------------------------


def _odoo_datetime(field: str, value: str) -> str:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueProblem(f"{field}: {value!r} is not a date and time") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed.strftime("%Y-%m-%d %H:%M:%S")


def _ids(field: str, value: Any) -> list[int]:
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",") if p.strip()]
        try:
            return [int(p) for p in parts]
        except ValueError:
            raise ValueProblem(f"{field}: {value!r} is not a list of ids") from None
    if isinstance(value, list) and all(
        isinstance(i, int) and not isinstance(i, bool) for i in value
    ):
        return list(value)
    raise ValueProblem(f"{field}: {value!r} is not a list of ids")


def import_value(field: str, info: FieldInfo, value: Any) -> Any:
    """A file value (JSON or a CSV cell) as Odoo takes it in ``create``/``write``.

    Raises :class:`ValueProblem` when it does not fit the field's type.
    """
    ftype = info.get("type", "char")
    if value is None or (value == "" and ftype != "boolean"):
        return [] if ftype in X2MANY else False
    if ftype == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise ValueProblem(f"{field}: {value!r} is not true or false")
    if ftype == "integer":
        if isinstance(value, bool):
            raise ValueProblem(f"{field}: {value!r} is not an integer")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ValueProblem(f"{field}: {value!r} is not an integer") from None
    if ftype in ("float", "monetary"):
        if isinstance(value, bool):
            raise ValueProblem(f"{field}: {value!r} is not a number")
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ValueProblem(f"{field}: {value!r} is not a number") from None
    if ftype == "many2one":
        if isinstance(value, Mapping):
            value = value.get("id")
        elif isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, bool):
            raise ValueProblem(f"{field}: {value!r} is not a record id")
        try:
            return int(value) or False
        except (TypeError, ValueError):
            raise ValueProblem(f"{field}: {value!r} is not a record id") from None
    if ftype in X2MANY:
        return _ids(field, value)
    if ftype == "datetime":
        if not isinstance(value, str):
            raise ValueProblem(f"{field}: {value!r} is not a date and time")
        return _odoo_datetime(field, value)
    if ftype == "date":
        if not isinstance(value, str) or len(value) < 10:
            raise ValueProblem(f"{field}: {value!r} is not a date")
        return value[:10]
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ValueProblem(f"{field}: {value!r} is not text")
    return str(value)


def write_value(info: FieldInfo, value: Any) -> Any:
    """An imported value as sent on the wire (x2many become ``Command.set``)."""
    if info.get("type") in X2MANY:
        return [Command.set(value)]
    return value


def same_value(info: FieldInfo, wanted: Any, current: Any) -> bool:
    """True when the imported value ``wanted`` equals what ``read`` returned."""
    ftype = info.get("type", "char")
    if ftype == "many2one":
        current_id = current[0] if isinstance(current, list) and current else current or False
        return bool(wanted == current_id)
    if ftype in X2MANY:
        return set(wanted or ()) == set(current or ())
    if ftype == "boolean":
        return bool(wanted) == bool(current)
    if ftype in ("float", "monetary"):
        return abs(float(wanted or 0.0) - float(current or 0.0)) < 1e-9
    if ftype == "integer":
        return int(wanted or 0) == int(current or 0)
    # text-like: Odoo reads an empty value as False
    return (wanted or False) == (current or False)


#: Field types whose imported values ``load`` reads from text as ``write`` takes
#: them: ``load_cell`` writes them. Others (binary, reference, properties, json,
#: one2many...) are written with ``write``.
_LOADABLE = frozenset(
    {
        "char", "text", "html", "selection", "boolean", "integer", "float", "monetary",
        "date", "datetime", "many2one", "many2many",
    }
)  # fmt: skip


def load_column(field: str, info: FieldInfo) -> str | None:
    """The column ``load`` takes ``field`` under (``country_id/.id`` for a
    relation, by database id), or ``None`` when its type is not loadable."""
    ftype = info.get("type", "char")
    if ftype not in _LOADABLE:
        return None
    return f"{field}/.id" if ftype in ("many2one", "many2many") else field


def load_cell(info: FieldInfo, value: Any) -> str:
    """An imported value (what :func:`import_value` returned) as ``load`` reads it.

    Booleans are ``"1"``/``"0"``, numbers their ``repr``, a many2many its ids
    joined by commas (the links are replaced, as ``Command.set``), an empty
    value ``""``. Datetimes are UTC, as ``write`` takes them: ``load`` must be
    called with ``tz`` ``"UTC"`` in its context, or it reads them in the user's
    timezone.
    """
    ftype = info.get("type", "char")
    if ftype == "boolean":
        return "1" if value else "0"
    if ftype in X2MANY:
        return ",".join(str(int(i)) for i in value or ())
    if value is False or value is None:
        return ""
    if ftype in ("float", "monetary"):
        return repr(float(value))
    return str(value)
