"""Record classes from ``fields_get``: made at run time, or written out as source.

::

    spec = await odoo.model("res.partner").fields_get(attributes=["string", "type", "selection"])
    Partner = record_class_from_fields_get("res.partner", spec, fields=["name", "email"])
    print(record_source_from_fields_get("res.partner", spec, fields=["name", "email"]))

Odoo field types map to annotations as below. Every field is optional with a
default (so that a record can be built with only the fields to ``create``);
``required`` is shown as a comment in the source, not enforced, because rows
written before a field became required may still hold ``false``.

==============================  =================================
Odoo type                       annotation (default)
==============================  =================================
boolean                         ``bool`` (``False``)
char, text, html, selection,    ``str | None`` (``None``)
reference
integer                         ``int`` (``0``)
float, monetary                 ``float`` (``0.0``)
date / datetime                 ``date | None`` / ``datetime | None``
many2one                        ``Many2one | None``
one2many, many2many             ``list[int]`` (``[]``)
binary, image                   ``bytes | None`` (base64 decoded)
many2one_reference              ``int | None``
anything else (json...)         ``Any`` (``None``)
==============================  =================================

Selections stay ``str``: modules add values to selections, and a ``Literal``
written today would refuse tomorrow's rows. A field whose name is not a Python
identifier (``__last_update``) or is a keyword gets a safe attribute name and
keeps its Odoo name through ``msgspec.field(name=...)``.
"""

from __future__ import annotations

import json
import keyword
import re
import types
from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import Any

import msgspec

from ._records import Many2one, Record

__all__ = ["record_class_from_fields_get", "record_source_from_fields_get"]

#: Odoo field type -> (annotation, annotation as source, default as source).
_TYPES: dict[str, tuple[Any, str, str]] = {
    "boolean": (bool, "bool", "False"),
    "char": (str | None, "str | None", "None"),
    "text": (str | None, "str | None", "None"),
    "html": (str | None, "str | None", "None"),
    "selection": (str | None, "str | None", "None"),
    "reference": (str | None, "str | None", "None"),
    "integer": (int, "int", "0"),
    "float": (float, "float", "0.0"),
    "monetary": (float, "float", "0.0"),
    "date": (date | None, "dt.date | None", "None"),
    "datetime": (datetime | None, "dt.datetime | None", "None"),
    "many2one": (Many2one | None, "Many2one | None", "None"),
    "one2many": (list[int], "list[int]", "msgspec.field(default_factory=list)"),
    "many2many": (list[int], "list[int]", "msgspec.field(default_factory=list)"),
    "binary": (bytes | None, "bytes | None", "None"),
    "image": (bytes | None, "bytes | None", "None"),
    "many2one_reference": (int | None, "int | None", "None"),
}
_OTHER: tuple[Any, str, str] = (Any, "Any", "None")
_DEFAULTS: dict[str, Any] = {"False": False, "None": None, "0": 0, "0.0": 0.0}


def _attribute(name: str) -> str:
    """A Python attribute name for an Odoo field name."""
    attr = re.sub(r"\W", "_", name).strip("_") or "field"
    if attr[0].isdigit():
        attr = f"f_{attr}"
    if keyword.iskeyword(attr) or attr == "id":
        attr += "_"
    return attr


def _class_name(model: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[._]", model) if part) or "Model"


def _select(
    spec: Mapping[str, Mapping[str, Any]], fields: Collection[str] | None
) -> list[tuple[str, str, Mapping[str, Any]]]:
    """``(attribute, odoo name, description)`` of the fields to keep, ``id`` left out."""
    if fields is not None:
        missing = [name for name in fields if name not in spec]
        if missing:
            raise ValueError(f"fields_get has no field(s) {', '.join(map(repr, missing))}")
    names = [n for n in (spec if fields is None else fields) if n != "id"]
    chosen = []
    taken: set[str] = set()
    for name in names:
        attr = _attribute(name)
        while attr in taken:
            attr += "_"
        taken.add(attr)
        chosen.append((attr, name, spec[name]))
    return chosen


def record_class_from_fields_get(
    model: str,
    fields_get: Mapping[str, Mapping[str, Any]],
    *,
    fields: Collection[str] | None = None,
    name: str | None = None,
) -> type[Record]:
    """A :class:`Record` subclass for ``model`` built from its ``fields_get`` result.

    ``fields`` picks the fields to keep (all of them by default; ``id`` is
    always there). Each description needs its ``type``.
    """
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__annotations__": annotations, "__module__": __name__}
    for attr, odoo_name, description in _select(fields_get, fields):
        annotation, _, default = _TYPES.get(str(description.get("type")), _OTHER)
        annotations[attr] = annotation
        if default.startswith("msgspec.field"):
            namespace[attr] = msgspec.field(default_factory=list, name=odoo_name)
        else:
            namespace[attr] = msgspec.field(default=_DEFAULTS[default], name=odoo_name)
    cls = types.new_class(
        name or _class_name(model),
        (Record,),
        {"model": model},
        lambda ns: ns.update(namespace),
    )
    return cls


def record_source_from_fields_get(
    model: str,
    fields_get: Mapping[str, Mapping[str, Any]],
    *,
    fields: Collection[str] | None = None,
    name: str | None = None,
) -> str:
    """Python source of a :class:`Record` subclass for ``model``, to paste into a project.

    The same class as :func:`record_class_from_fields_get`, with each field's
    label, Odoo type, relation and ``required``/``readonly`` as a comment.
    """
    body: list[str] = []
    chosen = _select(fields_get, fields)
    for attr, odoo_name, description in chosen:
        odoo_type = str(description.get("type"))
        _, annotation, default = _TYPES.get(odoo_type, _OTHER)
        if attr != odoo_name:
            if default.startswith("msgspec.field"):
                default = f"msgspec.field(default_factory=list, name={json.dumps(odoo_name)})"
            else:
                default = f"msgspec.field(default={default}, name={json.dumps(odoo_name)})"
        notes = [odoo_type]
        if description.get("relation"):
            notes.append(f"-> {description['relation']}")
        notes += [flag for flag in ("required", "readonly") if description.get(flag)]
        label = " ".join(str(description.get("string") or "").split())
        comment = f"{label} ({', '.join(notes)})" if label else ", ".join(notes)
        body.append(f"    {attr}: {annotation} = {default}  # {comment}")
    code = "\n".join(body)
    imports = ["from __future__ import annotations", ""]
    if "dt." in code:
        imports.append("import datetime as dt")
    if ": Any" in code:
        imports.append("from typing import Any")
    if "msgspec." in code:
        imports += ["", "import msgspec"]
    names = "Many2one, Record" if "Many2one" in code else "Record"
    lines = [
        f'"""Record class for {model}, generated by odoo_async from fields_get."""',
        "",
        *imports,
        "",
        f"from odoo_async import {names}",
        "",
        "",
        f"class {name or _class_name(model)}(Record, model={json.dumps(model)}):",
        *(body or ["    pass"]),
    ]
    return "\n".join(lines) + "\n"
