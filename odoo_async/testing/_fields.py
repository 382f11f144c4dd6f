"""Field types and model schemas of the Odoo test double.

A :class:`Field` carries what ``fields_get`` reports (type, string, required,
readonly, store, relation, selection) and what the double needs to store and
search values. Values are kept the way PostgreSQL keeps them: ``None`` is
NULL, a many2one is the target id, a stored many2many a list of ids. Reading
turns NULL into what Odoo sends (``false``, ``0``, ``0.0``); writing turns
what a client sends into the stored form, or raises the :class:`Fault` Odoo
raises for that value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from ._exceptions import VALIDATION_ERROR, Fault, value_error

__all__ = [
    "RELATIONAL",
    "X2MANY",
    "Field",
    "ModelSpec",
    "Row",
    "Tables",
    "foreign_key",
    "make_model",
    "not_null",
    "read_empty",
    "to_store",
]

Row = dict[str, Any]

X2MANY = frozenset({"one2many", "many2many"})
RELATIONAL = frozenset({"many2one", "one2many", "many2many"})
_NUMERIC = frozenset({"integer", "float", "monetary"})
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_DATETIME_RE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\Z")


@dataclass(frozen=True)
class Field:
    """One field of a model.

    ``relation_field`` names the many2one on the comodel behind a one2many;
    ``inverse`` names the comodel's many2many that stores the links of a
    many2many kept on the other side; ``related`` is a dotted path read
    (and written) through a many2one, as in ``partner_id.name``.
    """

    type: str
    string: str
    required: bool = False
    readonly: bool = False
    store: bool = True
    relation: str | None = None
    relation_field: str | None = None
    inverse: str | None = None
    related: str | None = None
    selection: tuple[tuple[str, str], ...] | None = None
    default: Any = None
    ondelete: str = "set null"
    help: str | None = None
    name: str = ""

    @property
    def searchable(self) -> bool:
        return self.store or self.related is not None or self.name == "display_name"

    @property
    def sortable(self) -> bool:
        return (self.store and self.type not in X2MANY and self.type != "binary") or (
            self.related is not None
        )

    def describe(self) -> dict[str, Any]:
        """Every attribute ``fields_get`` reports for this field, as Odoo 17 names them."""
        info: dict[str, Any] = {
            "change_default": False,
            "company_dependent": False,
            "depends": [],
            "groupable": self.store and self.type not in X2MANY,
            "manual": False,
            "name": self.name,
            "readonly": self.readonly,
            "required": self.required,
            "searchable": self.searchable,
            "sortable": self.sortable,
            "store": self.store,
            "string": self.string,
            "type": self.type,
        }
        if self.help:
            info["help"] = self.help
        if self.related:
            info["related"] = self.related
        if self.relation:
            info["relation"] = self.relation
            info["context"] = {}
            info["domain"] = []
        if self.relation_field:
            info["relation_field"] = self.relation_field
        if self.selection is not None:
            info["selection"] = [list(item) for item in self.selection]
        return info


@dataclass
class ModelSpec:
    """A model: its name, ``_description``, ``_order``, fields and hierarchy."""

    name: str
    description: str
    fields: dict[str, Field]
    order: str = "id"
    rec_name: str = "name"
    rec_names_search: tuple[str, ...] = ()
    parent_name: str | None = None
    selection_values: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def has_active(self) -> bool:
        return "active" in self.fields


def _magic() -> dict[str, Field]:
    return {
        "id": Field("integer", "ID", readonly=True),
        "display_name": Field("char", "Display Name", readonly=True, store=False),
        "create_date": Field("datetime", "Created on", readonly=True),
        "create_uid": Field("many2one", "Created by", readonly=True, relation="res.users"),
        "write_date": Field("datetime", "Last Updated on", readonly=True),
        "write_uid": Field("many2one", "Last Updated by", readonly=True, relation="res.users"),
    }


class Tables(Protocol):
    """The data of one database: each model's schema and its rows by id (a ``Store``)."""

    @property
    def models(self) -> Mapping[str, ModelSpec]: ...

    @property
    def tables(self) -> Mapping[str, Mapping[int, Row]]: ...


def make_model(
    name: str,
    description: str,
    fields: dict[str, Field],
    **options: Any,
) -> ModelSpec:
    """Build a :class:`ModelSpec`: name every field and add Odoo's magic fields."""
    merged = {**fields, **_magic()}
    named = {fname: replace(f, name=fname) for fname, f in merged.items()}
    spec = ModelSpec(name, description, named, **options)
    spec.rec_names_search = spec.rec_names_search or (spec.rec_name,)
    spec.selection_values = {
        fname: frozenset(key for key, _label in f.selection)
        for fname, f in named.items()
        if f.selection is not None
    }
    return spec


def read_empty(ftype: str) -> Any:
    """What ``read`` sends for a NULL value of this type."""
    if ftype == "integer":
        return 0
    if ftype in ("float", "monetary"):
        return 0.0
    if ftype in X2MANY:
        return []
    return False


def to_store(spec: ModelSpec, f: Field, value: Any) -> Any:
    """Convert a client value for a scalar or many2one field to its stored form."""
    ftype = f.type
    if ftype == "boolean":
        return bool(value)
    if ftype == "integer":
        return _number(spec, f, value, int)
    if ftype in ("float", "monetary"):
        return _number(spec, f, value, float)
    if value is False or value is None:
        return None
    if ftype == "many2one":
        if isinstance(value, int) and not isinstance(value, bool):
            return value or None
        raise _wrong_value(spec, f, value)
    if ftype == "selection":
        if value not in spec.selection_values[f.name]:
            raise _wrong_value(spec, f, value)
        return value
    if ftype == "date":
        text = str(value)[:10]
        if not _DATE_RE.match(text):
            raise value_error(f"time data {text!r} does not match format '%Y-%m-%d'")
        return text
    if ftype == "datetime":
        text = str(value)[:19]
        if len(text) == 10:
            text += " 00:00:00"
        if not _DATETIME_RE.match(text):
            raise value_error(f"time data {text!r} does not match format '%Y-%m-%d %H:%M:%S'")
        return text
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        raise _wrong_value(spec, f, value)
    return str(value)


def _number(spec: ModelSpec, f: Field, value: Any, kind: type[Any]) -> Any:
    if value is None or value is False:
        return kind(0)
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise _wrong_value(spec, f, value) from None


def _wrong_value(spec: ModelSpec, f: Field, value: Any) -> Exception:
    return value_error(f"Wrong value for {spec.name}.{f.name}: {value!r}")


def is_numeric(ftype: str) -> bool:
    """True for integer, float and monetary fields."""
    return ftype in _NUMERIC


def not_null(spec: ModelSpec, f: Field) -> Fault:
    """The ValidationError Odoo makes of PostgreSQL's NOT NULL violation."""
    return Fault(
        VALIDATION_ERROR,
        "The operation cannot be completed:\n"
        "- Create/update: a mandatory field is not set.\n"
        "- Delete: another model requires the record being deleted. "
        "If possible, archive it instead.\n\n"
        f"Model: {spec.description} ({spec.name})\n"
        f"Field: {f.string} ({f.name})\n",
    )


def foreign_key(spec: ModelSpec, f: Field) -> Fault:
    """The ValidationError Odoo makes of PostgreSQL's foreign key violation."""
    return Fault(
        VALIDATION_ERROR,
        "The operation cannot be completed: another model requires the record being "
        "deleted. If possible, archive it instead.\n\n"
        f"Model: {spec.description} ({spec.name})\n"
        f"Constraint: {spec.name.replace('.', '_')}_{f.name}_fkey\n",
    )
