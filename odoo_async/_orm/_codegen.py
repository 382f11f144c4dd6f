"""A module of typed record classes, written from the ``fields_get`` of several models.

::

    source = models_source_from_fields_get(
        {"res.partner": partner_spec, "res.country": country_spec},
        server_version="17.0",
        static_selections={"res.partner": ["type"]},
    )

What :func:`models_source_from_fields_get` writes, and why:

- One :class:`Record` subclass per model, named from the model (``res.partner``
  -> ``ResPartner``; ``names=`` to choose), fields sorted by name, each with its
  label, Odoo type and flags as an attribute docstring (shown by editors).
- A many2one to a model of the module is typed with an alias named after the
  class (``ResPartnerRef = Many2one``, ``parent_id: ResPartnerRef | None``):
  Odoo sends ``[id, "name"]`` or ``false``, decoded to a :class:`Many2one` or
  ``None``. A many2one to any other model is a plain ``Many2one``; x2many
  fields are ``list[int]`` (ids), their docstring naming the related class.
- A *stored* required field is typed without ``None`` and has no default: a
  record read from Odoo always has it, and a record built for ``create`` must
  give it. Every other field may be empty, which Odoo says with ``false``:
  ``X | None = None``; booleans, numbers and x2many keep ``False``, ``0`` and
  ``[]``, as Odoo sends them. A required field that is not stored (a related
  or company-dependent one) stays optional: Odoo computes it and may send
  ``false``.
- A field Odoo marks ``exportable: false`` (account.move's ``tax_totals`` and
  other data for its own screens: dicts declared ``binary``, one of which Odoo
  cannot even send) is left out, and the module's docstring names it; named
  in ``fields=``, it is typed ``Any``. ``json`` and ``properties`` are ``Any``.
- A selection is a ``Literal`` alias (``ResPartnerType``, its values and labels
  in its docstring) only when it is named in ``static_selections``: a
  selection computed at run time (languages; time zones before Odoo 18)
  changes with the server's data, and a ``Literal`` would refuse tomorrow's
  rows. Other
  selections, and those of more than :data:`MAX_LITERAL_VALUES` values, are
  ``str``. Installing a module that adds values to a ``Literal`` selection
  makes decoding fail loudly (a ``RecordDecodeError`` naming the field): then
  generate the module again.
- Lines fit in 88 columns and the module passes ``ruff check``, ``ruff format
  --check`` and ``mypy --strict`` as it is written.
"""

from __future__ import annotations

import json
import keyword
import re
import textwrap
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from ._records_gen import _attribute, _class_name

__all__ = ["MAX_LITERAL_VALUES", "models_source_from_fields_get"]

#: A selection with more values than this is typed ``str`` (a wall of a Literal helps no one).
MAX_LITERAL_VALUES = 100

_WIDTH = 88  # ruff's and black's default line length
_MAX_ALIAS = 48  # longer selection aliases are named after their field alone

#: Odoo field type -> (annotation, empty default). ``None`` default: ``X | None = None``.
_PLAIN: dict[str, tuple[str, str | None]] = {
    "boolean": ("bool", "False"),
    "char": ("str", None),
    "text": ("str", None),
    "html": ("str", None),
    "selection": ("str", None),
    "reference": ("str", None),
    "integer": ("int", "0"),
    "float": ("float", "0.0"),
    "monetary": ("float", "0.0"),
    "date": ("dt.date", None),
    "datetime": ("dt.datetime", None),
    "many2one": ("Many2one", None),
    "one2many": ("list[int]", "msgspec.field(default_factory=list)"),
    "many2many": ("list[int]", "msgspec.field(default_factory=list)"),
    "binary": ("bytes", None),
    "image": ("bytes", None),
    "many2one_reference": ("int", None),
}
_ANY: tuple[str, str | None] = ("Any", None)  # json, properties and types yet to come


@dataclass
class _Alias:
    name: str
    value: str
    doc: str


@dataclass
class _Line:
    attr: str
    annotation: str
    default: str | None  # None: no default (a required field)
    odoo: str
    doc: str


def _docstring(text: str, indent: str) -> list[str]:
    """A docstring wrapped to the line length; never ends with a quote."""
    text = " ".join(text.replace("\\", "/").replace('"""', "'''").split())
    if not text.endswith("."):
        text += "."
    width = _WIDTH - len(indent) - 3
    lines = textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False)
    if len(lines) == 1 and len(lines[0]) + 3 <= width:
        return [f'{indent}"""{lines[0]}"""']
    return [f'{indent}"""{lines[0]}', *(f"{indent}{line}" for line in lines[1:]), f'{indent}"""']


def _wrap(text: str, taken: int) -> list[str]:
    """``text`` on lines of the line length, the first ``taken`` columns shorter."""
    text = " ".join(text.replace("\\", "/").replace('"""', "'''").split())
    lines = textwrap.wrap(
        text, width=_WIDTH - taken, break_long_words=False, break_on_hyphens=False
    )
    return lines or [""]


def _camel(name: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[\W_]+", name) if p)


def _literal_alias(name: str, values: list[str], doc: str) -> _Alias:
    return _Alias(name, f"Literal[{', '.join(json.dumps(v) for v in values)}]", doc)


def _alias_lines(alias: _Alias) -> list[str]:
    """``Name: TypeAlias = Literal[...]`` as ruff formats it, then its docstring."""
    head = f"{alias.name}: TypeAlias = "
    one = head + alias.value
    if len(one) <= _WIDTH:
        lines = [one]
    else:
        opening, _, inner = alias.value.partition("[")
        inner = inner[:-1]
        if len(inner) + 4 <= _WIDTH:
            lines = [f"{head}{opening}[", f"    {inner}", "]"]
        else:
            items = inner.split(", ")
            lines = [f"{head}{opening}[", *(f"    {item}," for item in items), "]"]
    return [*lines, *_docstring(alias.doc, "")]


def _field_lines(line: _Line) -> list[str]:
    """One field as ruff formats it, then its docstring."""
    default = line.default
    if line.attr != line.odoo:
        name = json.dumps(line.odoo)
        if default is None:
            default = f"msgspec.field(name={name})"
        elif default.startswith("msgspec.field("):
            default = f"msgspec.field(default_factory=list, name={name})"
        else:
            default = f"msgspec.field(default={default}, name={name})"
    text = f"    {line.attr}: {line.annotation}"
    out: list[str]
    if default is None:
        out = [text]
    elif len(f"{text} = {default}") <= _WIDTH:
        out = [f"{text} = {default}"]
    elif default.startswith("msgspec.field(") and len(f"{text} = msgspec.field(") <= _WIDTH:
        args = default[len("msgspec.field(") : -1]
        if len(args) + 8 <= _WIDTH:
            out = [f"{text} = msgspec.field(", f"        {args}", "    )"]
        else:
            parts = args.split(", ")
            out = [f"{text} = msgspec.field(", *(f"        {p}," for p in parts), "    )"]
    elif len(f"{text} = (") <= _WIDTH:  # ruff wraps the value in parentheses
        out = [f"{text} = (", f"        {default}", "    )"]
    else:  # and when that is not enough, the annotation
        out = ["    " + f"{line.attr}: (", f"        {line.annotation}", f"    ) = {default}"]
    return [*out, *_docstring(line.doc, "    ")]


def _label(description: Mapping[str, Any]) -> str:
    return " ".join(str(description.get("string") or "").split())


class _Writer:
    """Everything the module will hold, gathered model by model."""

    def __init__(
        self,
        specs: Mapping[str, Mapping[str, Mapping[str, Any]]],
        *,
        names: Mapping[str, str],
        fields: Mapping[str, Collection[str]],
        static_selections: Mapping[str, Collection[str]],
    ) -> None:
        unknown = sorted(set(names) - set(specs)) + sorted(set(fields) - set(specs))
        if unknown:
            raise ValueError(f"names= or fields= name a model not generated: {unknown[0]!r}")
        self.specs = specs
        self.fields = fields
        self.static = static_selections
        self.classes: dict[str, str] = {}
        for model in specs:
            cls = names.get(model) or _class_name(model)
            if not cls.isidentifier() or keyword.iskeyword(cls):
                raise ValueError(f"{model}: class name {cls!r} is not a Python identifier")
            if cls in self.classes.values():
                other = next(m for m, c in self.classes.items() if c == cls)
                raise ValueError(
                    f"{model} and {other} would both be class {cls}: name one with names="
                )
            self.classes[model] = cls
        self.taken = set(self.classes.values())
        self.refs: dict[str, str] = {}  # model -> its many2one alias
        for model in sorted(specs, key=self.classes.__getitem__):
            self.refs[model] = self._name(f"{self.classes[model]}Ref")
        self.selections: list[_Alias] = []
        self.left_out: list[str] = []  # model.field, not exportable

    def _name(self, wanted: str) -> str:
        while wanted in self.taken:
            wanted += "_"
        self.taken.add(wanted)
        return wanted

    def lines_of(self, model: str) -> list[_Line]:
        spec = self.specs[model]
        wanted = self.fields.get(model)
        if wanted is not None:
            missing = [name for name in wanted if name not in spec]
            if missing:
                raise ValueError(f"{model} has no field(s) {', '.join(map(repr, missing))}")
        if wanted is None:
            hidden = sorted(n for n, d in spec.items() if d.get("exportable") is False)
            self.left_out += [f"{model}.{n}" for n in hidden]
            names = sorted(n for n in spec if n != "id" and n not in hidden)
        else:
            names = sorted(n for n in set(wanted) if n != "id")
        taken = {"id"}
        out = []
        for name in names:
            attr = _attribute(name)
            while attr in taken:
                attr += "_"
            taken.add(attr)
            out.append(self._line(model, name, attr, spec[name]))
        return out

    def _line(self, model: str, name: str, attr: str, description: Mapping[str, Any]) -> _Line:
        odoo_type = str(description.get("type"))
        annotation, empty = _PLAIN.get(odoo_type, _ANY)
        if description.get("exportable") is False:  # widget data: dicts, whatever the type
            annotation, empty, odoo_type = "Any", None, f"{odoo_type} not exportable"
        relation = description.get("relation")
        target = self.classes.get(relation) if isinstance(relation, str) else None
        notes = [odoo_type]
        if odoo_type == "many2one" and isinstance(relation, str):
            if target is not None:
                annotation = self.refs[relation]
                notes = [f"many2one to {target}"]
            else:
                notes = [f"many2one to {relation}"]
        elif odoo_type in ("one2many", "many2many") and isinstance(relation, str):
            notes = [f"{odoo_type}: ids of {target or relation}"]
        elif odoo_type == "selection":
            annotation, note = self._selection(model, name, description)
            notes = [note]
        elif annotation == "Any":
            notes = [f"{odoo_type}, not typed"]
        stored = description.get("store", True) is not False
        required = bool(description.get("required"))
        if required:
            notes.append("required" if stored else "required, not stored: may be empty")
        if description.get("readonly"):
            notes.append("readonly")
        doc = f"{_label(description) or name} ({'; '.join(notes)})"
        if required and stored and annotation != "Any":
            return _Line(attr, annotation, None, name, doc)
        if empty is None:
            default = "None"
            if annotation != "Any":
                annotation += " | None"
        else:
            default = empty
        return _Line(attr, annotation, default, name, doc)

    def _selection(self, model: str, name: str, description: Mapping[str, Any]) -> tuple[str, str]:
        items = description.get("selection")
        pairs = [
            (item[0], " ".join(str(item[1]).split()))
            for item in (items if isinstance(items, list) else [])
            if isinstance(item, (list, tuple)) and len(item) == 2
        ]
        if not all(isinstance(value, str) for value, _ in pairs):
            return "Any", "selection with values that are not text, not typed"
        if name not in self.static.get(model, ()) or not pairs:
            return "str", "selection, values not known to be fixed: str"
        if len(pairs) > MAX_LITERAL_VALUES:
            return "str", f"selection of {len(pairs)} values: str"
        wanted = f"{self.classes[model]}{_camel(name)}"
        if len(wanted) > _MAX_ALIAS:  # keeps the lines that use it short
            wanted = _camel(name)[:_MAX_ALIAS]
        alias = self._name(wanted)
        shown = ", ".join(f"{json.dumps(value)} {label}".rstrip() for value, label in pairs)
        doc = f"{model}.{name}: {shown}"
        self.selections.append(_literal_alias(alias, [value for value, _ in pairs], doc))
        return alias, f"selection, see {alias}"


def models_source_from_fields_get(
    fields_gets: Mapping[str, Mapping[str, Mapping[str, Any]]],
    *,
    server_version: str | None = None,
    generated_at: str | None = None,
    static_selections: Mapping[str, Collection[str]] | None = None,
    fields: Mapping[str, Collection[str]] | None = None,
    names: Mapping[str, str] | None = None,
    header: str | None = None,
) -> str:
    """Python source of a module with one :class:`Record` class per model.

    ``fields_gets`` maps each model to its ``fields_get`` answer (with the
    ``type``, ``string``, ``relation``, ``required``, ``readonly``, ``store``
    and ``selection`` attributes). ``static_selections`` names, per model, the
    selection fields whose values are fixed in code (typed ``Literal``);
    ``fields`` keeps only some fields of a model; ``names`` chooses class names.
    ``server_version``, ``generated_at`` and ``header`` (more lines, such as the
    command that made it) go into the module's docstring. Raises ``ValueError``
    for an unknown field, two models with one class name, or a bad name.
    """
    if not fields_gets:
        raise ValueError("no model to generate")
    writer = _Writer(
        fields_gets,
        names=names or {},
        fields=fields or {},
        static_selections=static_selections or {},
    )
    bodies: list[tuple[str, str, list[_Line]]] = [
        (writer.classes[model], model, writer.lines_of(model))
        for model in sorted(fields_gets, key=writer.classes.__getitem__)
    ]
    code: list[str] = []
    for model, ref in writer.refs.items():
        doc = f"A many2one to {model} ({writer.classes[model]}): [id, name] from Odoo"
        code += ["", *_alias_lines(_Alias(ref, "Many2one", doc))]
    for alias in writer.selections:
        code += ["", *_alias_lines(alias)]
    for cls, model, lines in bodies:
        bases = f"Record, model={json.dumps(model)}"
        if len(f"class {cls}({bases}):") <= _WIDTH:
            code += ["", "", f"class {cls}({bases}):"]
        else:
            code += ["", "", f"class {cls}(", f"    {bases}", "):"]
        about_class = f"{model}, {len(lines)} field{'' if len(lines) == 1 else 's'}."
        class_doc = _docstring(about_class, "    ")
        if len(class_doc) > 1:  # a summary on one line, then the rest
            wrapped = [f"    {text}" for text in _wrap(about_class, 4)]
            class_doc = ['    """The records of an Odoo model.', "", *wrapped, '    """']
        code += class_doc
        for line in lines:
            code += ["", *_field_lines(line)]
    text = "\n".join(code)

    count = f"{len(fields_gets)} Odoo models" if len(fields_gets) > 1 else "an Odoo model"
    title = f"Typed records for {count}"
    if server_version:
        title += f", from Odoo {server_version}"
    about = [
        f"Models: {', '.join(sorted(fields_gets))}.",
        "Generated by odoo_async from the server's fields_get"
        + (f" on {generated_at}" if generated_at else "")
        + "; generate it again rather than edit it (see odoo_async's docs, docs/pages/records.md).",
    ]
    if writer.left_out:
        about.append(
            "Left out: fields Odoo marks not exportable (data for its own screens, not "
            f"of their declared type; name them in fields= to have them as Any): "
            f"{', '.join(writer.left_out)}."
        )
    if header:  # paragraphs apart by blank lines
        about += [p for p in re.split(r"\n\s*\n", header) if p.strip()]
    doc_lines = ['"""' + title + "."]
    for paragraph in about:
        doc_lines += ["", *_wrap(paragraph, 0)]
    doc_lines.append('"""')

    typing_names = [n for n in ("Any", "Literal") if re.search(rf"\b{n}\b", text)]
    typing_names.append("TypeAlias")
    imports = ["from __future__ import annotations", ""]
    if "dt." in text:
        imports.append("import datetime as dt")
    imports.append(f"from typing import {', '.join(typing_names)}")
    imports.append("")
    if "msgspec." in text:
        imports.append("import msgspec")
    imports.append("from odoo_async import Many2one, Record")
    exported = sorted([*writer.classes.values(), *writer.refs.values()])
    exported += sorted(a.name for a in writer.selections)
    all_lines = _all(sorted(exported))
    return "\n".join([*doc_lines, "", *imports, "", *all_lines, text]) + "\n"


def _all(names: list[str]) -> list[str]:
    one = f"__all__ = [{', '.join(json.dumps(n) for n in names)}]"
    if len(one) <= _WIDTH:
        return [one]
    return ["__all__ = [", *(f"    {json.dumps(n)}," for n in names), "]"]
