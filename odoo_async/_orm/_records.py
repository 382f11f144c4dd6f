"""Typed records: msgspec Structs that understand Odoo's values.

A :class:`Record` subclass names an Odoo model and the fields to read::

    class Partner(Record, model="res.partner"):
        name: str
        email: str | None = None                # Odoo false -> None
        is_company: bool = False                # a real boolean stays a boolean
        country_id: Many2one | None = None      # [233, "United States"] -> Many2one(233, ...)
        category_id: list[int] = []             # x2many -> ids
        create_date: datetime | None = None     # "2025-10-05 10:00:00" -> aware UTC datetime
        birthday: date | None = None
        studio: str | None = msgspec.field(default=None, name="x_studio_foo")

Every record has ``id: int`` (``0`` for a record not saved yet). The ``fields``
asked of Odoo are the class's fields by their encoded names, ``id`` first
(:func:`record_fields`).

Decoding Odoo's values
----------------------

Odoo says "empty" with ``false`` for every field type but numbers (``0`` and
``0.0``), booleans and x2many (``[]``). How ``false`` is read depends on the
annotation:

==================================  ===============================  ==========================
annotation                          Odoo sends                       the record holds
==================================  ===============================  ==========================
``bool``                            ``true`` / ``false``             ``True`` / ``False``
``X | None`` (any X but ``bool``)   ``false``                        ``None``
``str`` (not optional)              ``false``                        ``""``
``bytes`` (binary)                  base64 text / ``false``          bytes / ``b""``
``int`` / ``float``                 ``false`` (not seen from Odoo)   ``0`` / ``0.0``
``list[int]`` (x2many)              ``[1, 2]`` / ``false``           ``[1, 2]`` / ``[]``
``datetime``                        ``"2025-10-05 10:00:00"``        aware datetime, UTC
``date``                            ``"2025-10-05"``                 ``date(2025, 10, 5)``
``Many2one``                        ``[7, "Name"]``                  ``Many2one(7, "Name")``
``Many2one``                        ``7`` (``_classic_write``)       ``Many2one(7, "")``
``Literal[...]``, ``Enum``          ``"draft"``                      the value / member
==================================  ===============================  ==========================

A ``false`` for a non-optional field with no natural empty value (a
``datetime``, ``date``, ``Many2one``, ``Literal``, ``Enum``...) is a
:class:`~odoo_async._errors.RecordDecodeError`: declare it ``X | None``. So is
any value of the wrong type; the error names the model, the record id, the
field and what Odoo sent.

How it is fast
~~~~~~~~~~~~~~

msgspec decodes the reply bytes straight into Structs, in C, with one cached
decoder per class. It has no hook to turn ``false`` into ``None`` (a
``dec_hook`` only runs for custom types, and must return an instance of that
type), so each Record class gets a private *wire* subclass, with the same slots,
whose field types also accept ``false`` (``str | Literal[False] | None``,
datetimes as text). After the C decoder has built the rows, a small function
generated for the class (as dataclasses generates ``__init__``) replaces the
``false`` values, parses the datetimes as UTC, and sets each row's
``__class__`` to the Record class. Only the fields that can hold ``false``
are looked at.

The fast path is strict: anything unexpected in a batch (a ``[7, false]``
many2one, a ``false`` number, a wrong type) sends that batch through a
row-by-row path, where each row the fast decoder refuses is converted field by
field, and either succeeds or raises a :class:`RecordDecodeError` naming the
row and the field.

Encoding back
-------------

:func:`encode_create` sends the fields whose value differs from the class
default (a field without a default is always sent): Structs do not record which
arguments were given, and comparing with the default also works for records
made by ``msgspec.structs.replace`` or decoded from Odoo. A value equal to the
class default is therefore not sent and Odoo applies its own default; name such
fields in ``include=`` to send them anyway. ``id`` and read-only fields (named
by the caller, who knows them from ``fields_get``) are never sent.
:func:`encode_write` sends exactly the given changes. Values are converted as
everywhere else in odoo_async (:mod:`odoo_async._values`): ``None`` is
``false``, datetimes are UTC strings, bytes base64; a :class:`Many2one` is
sent as its id and a list of ids as ``Command.set``.
"""

from __future__ import annotations

import enum
import keyword
import types
import typing
from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any, Literal, TypeVar, Union, cast

import msgspec

from odoo_async._check import check_instance, check_mapping, check_names
from odoo_async._errors import RecordDecodeError
from odoo_async._values import to_odoo

from ._command import Command

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**kwargs: Any) -> Callable[[Any], Any]:
        return lambda cls: cls


__all__ = [
    "Many2one",
    "Record",
    "RecordMeta",
    "decode_record",
    "decode_records",
    "encode_create",
    "encode_write",
    "model_of",
    "record_fields",
]

R = TypeVar("R", bound="Record")

_UTC = timezone.utc
_NONE_TYPE = type(None)
_MAX_SHOWN = 120


class Many2one(msgspec.Struct, array_like=True, frozen=True):
    """A many2one value: the record's ``id`` and its display ``name``.

    Odoo sends it as ``[id, "Name"]``; it is sent back as its ``id``.
    ``name`` is ``""`` when Odoo gave none (``load="_classic_write"`` sends only
    the id). Frozen, so it can be a dict key or a set member.
    """

    id: int
    name: str = ""

    def __int__(self) -> int:
        return self.id

    def __odoo_value__(self) -> int:
        """Sent to Odoo (in a domain, a create or a write) as its id."""
        return self.id


class RecordMeta(msgspec.StructMeta):
    """The metaclass of :class:`Record`: takes the ``model=`` class keyword.

    Every other class keyword goes to msgspec (``frozen=True``, ``rename=``...).
    Fields are always keyword-only: ``id`` (with its default) comes first, and
    a record has too many fields for positions to be readable.
    """

    __odoo_model__: str | None

    def __new__(
        mcls,
        name: str,
        bases: tuple[type, ...],
        namespace: dict[str, Any],
        /,
        *,
        model: str | None = None,
        **struct_config: Any,
    ) -> RecordMeta:
        if model is not None and (not isinstance(model, str) or not model):
            raise TypeError(f"{name}: model= must be an Odoo model name such as 'res.partner'")
        if struct_config.get("array_like"):
            raise TypeError(f"{name}: Odoo rows are JSON objects, a Record cannot be array_like")
        if not struct_config.setdefault("kw_only", True):
            raise TypeError(f"{name}: the fields of a Record are keyword-only, kw_only=False")
        cls = super().__new__(mcls, name, bases, namespace, **struct_config)
        if model is not None:
            cls.__odoo_model__ = model
        elif not hasattr(cls, "__odoo_model__"):
            cls.__odoo_model__ = None
        return cls


@dataclass_transform(kw_only_default=True, field_specifiers=(msgspec.field,))
class Record(msgspec.Struct, metaclass=RecordMeta, kw_only=True):
    """Base of typed Odoo records; subclass it with ``model="res.partner"``.

    Records are *not* frozen. A record is a snapshot of what Odoo sent, and
    changing it changes nothing in Odoo until it goes through ``create`` or
    ``write``; being mutable lets a record be built up before ``create``, lets
    the decoder fix Odoo's ``false`` values in place (the fast path), and costs
    nothing that frozen would give back: most models have x2many lists, which
    make a frozen record unhashable anyway. Pass ``frozen=True`` to a subclass
    to get immutability; decoding works the same (type checkers flag a frozen
    subclass of a non-frozen dataclass, msgspec does not: ``# type: ignore[misc]``).

    ``__post_init__`` runs after Odoo's values have been converted.
    """

    if TYPE_CHECKING:

        def __init_subclass__(cls, *, model: str | None = None, **config: Any) -> None: ...

    id: int = 0

    def __odoo_value__(self) -> int:
        """Sent to Odoo (in a domain, a create or a write) as its id."""
        if not self.id:
            raise ValueError(
                f"{type(self).__name__} has no id yet (id=0): create it first, "
                "then use the record Odoo returns, or its id"
            )
        return self.id


# --------------------------------------------------------------------------
# Field analysis


def _probe_bool_literal() -> Any:
    """``Literal[False]`` when this msgspec decodes it (and refuses ``true``), else ``bool``."""
    try:
        decoder = msgspec.json.Decoder(Literal[False])
        decoder.decode(b"true")
    except msgspec.ValidationError:
        return Literal[False]
    except (TypeError, msgspec.DecodeError):
        pass
    return bool


#: The type that accepts Odoo's ``false`` in a wire field type. With an older
#: msgspec that has no bool literals, ``bool`` (the generated code then refuses
#: a ``true``).
_FALSE: Any = _probe_bool_literal()

_BOOL = "bool"  # a real boolean
_TEXT = "text"  # str, Literal[str...], Enum: false -> None / ""
_BYTES = "bytes"  # binary (base64 text)
_DATE = "date"
_DATETIME = "datetime"  # text on the wire, parsed as UTC
_MANY2ONE = "many2one"
_NUMBER = "number"  # Odoo sends 0 for empty numbers: strict on the fast path
_LIST = "list"  # x2many ids; Odoo sends []: strict on the fast path
_OTHER = "other"  # anything else: strict, msgspec.convert on the slow path


class _Field(msgspec.Struct, frozen=True):
    name: str  # attribute name
    odoo: str  # Odoo field name (the encoded name)
    type: Any  # the annotation
    kind: str
    optional: bool
    wire: Any  # the type the fast decoder reads; ``type`` when not widened
    empty: Callable[[], Any] | None  # value for Odoo's false when not optional
    default: Any  # the class default (called factory), or msgspec.NODEFAULT
    many2one: type[Many2one] | None


def _union_args(tp: Any) -> tuple[Any, ...]:
    origin = typing.get_origin(tp)
    if origin is Union or origin is types.UnionType:
        return typing.get_args(tp)
    return (tp,)


def _strip_annotated(tp: Any) -> Any:
    return typing.get_args(tp)[0] if typing.get_origin(tp) is typing.Annotated else tp


def _is_text(tp: Any) -> bool:
    if tp is str or (isinstance(tp, type) and issubclass(tp, enum.Enum)):
        return True
    return typing.get_origin(tp) is Literal and all(isinstance(v, str) for v in typing.get_args(tp))


def _classify(args: tuple[Any, ...]) -> tuple[str, Callable[[], Any] | None]:
    """Kind of a field from its union members (``None`` removed), and its empty value."""
    bases = [_strip_annotated(a) for a in args]
    if len(bases) == 1:
        base = bases[0]
        if base is bool:
            return _BOOL, None
        if base is datetime and args[0] is datetime:
            return _DATETIME, None
        if base is date:
            return _DATE, None
        if isinstance(base, type) and issubclass(base, Many2one):
            return _MANY2ONE, None
        if base is bytes:
            return _BYTES, bytes
        if _is_text(base):
            return _TEXT, str if base is str else None
        origin = typing.get_origin(base) or base
        if origin in (list, tuple, set, frozenset):
            return _LIST, origin
    if bases and all(b in (int, float) for b in bases):
        return _NUMBER, (float if float in bases else int)
    return _OTHER, None


def _wire_type(kind: str, args: tuple[Any, ...], optional: bool) -> Any:
    if kind in (_TEXT, _BYTES, _DATE):
        members = (*args, _FALSE)
    elif kind == _DATETIME:
        members = (str, _FALSE)
    elif kind == _MANY2ONE:
        members = (*args, int, _FALSE)
    else:
        return None
    if optional:
        members = (*members, _NONE_TYPE)
    return Union[members]  # noqa: UP007  (a runtime union built from a tuple)


def _analyse(info: msgspec.structs.FieldInfo) -> _Field:
    members = _union_args(info.type)
    optional = _NONE_TYPE in members
    args = tuple(a for a in members if a is not _NONE_TYPE)
    kind, empty = _classify(args)
    wire = _wire_type(kind, args, optional)
    if wire is not None:
        try:
            msgspec.json.Decoder(wire)
        except TypeError:  # a union msgspec cannot decode: keep the field strict
            wire = None
    if info.default is not msgspec.NODEFAULT:
        default = info.default
    elif info.default_factory is not msgspec.NODEFAULT:
        default = info.default_factory()
    else:
        default = msgspec.NODEFAULT
    return _Field(
        name=info.name,
        odoo=info.encode_name,
        type=info.type,
        kind=kind,
        optional=optional,
        wire=info.type if wire is None else wire,
        empty=empty,
        default=default,
        many2one=_strip_annotated(args[0]) if kind == _MANY2ONE else None,
    )


# --------------------------------------------------------------------------
# The per-class codec


class _Fallback(Exception):
    """Raised by the generated fast-path code: take the slow path for this batch."""


class _Codec:
    """Everything odoo_async knows about one Record class, built once."""

    def __init__(self, cls: type[Record]) -> None:
        self.cls = cls
        self.model: str | None = cls.__odoo_model__
        self.label = self.model or cls.__name__
        self.fields = tuple(_analyse(info) for info in msgspec.structs.fields(cls))
        self.odoo_names = [f.odoo for f in self.fields]
        self.by_name: dict[str, _Field] = {f.odoo: f for f in self.fields}
        self.by_name.update({f.name: f for f in self.fields})
        wire: Any = self._wire_class()
        self.many = msgspec.json.Decoder(list[wire])
        self.one = msgspec.json.Decoder(wire)
        self.rows = msgspec.json.Decoder(list[msgspec.Raw])
        self.fix = self._compile_fix()

    def _wire_class(self) -> type[Record]:
        cls = self.cls
        annotations: dict[str, Any] = {}
        namespace: dict[str, Any] = {"__annotations__": annotations}
        for f, info in zip(self.fields, msgspec.structs.fields(cls), strict=True):
            if f.wire is f.type:
                continue
            annotations[f.name] = f.wire
            if info.default is not msgspec.NODEFAULT:
                namespace[f.name] = msgspec.field(default=info.default, name=f.odoo)
            elif info.default_factory is not msgspec.NODEFAULT:
                namespace[f.name] = msgspec.field(default_factory=info.default_factory, name=f.odoo)
            else:
                namespace[f.name] = msgspec.field(name=f.odoo)
        if hasattr(cls, "__post_init__"):  # run it on the converted record instead
            namespace["__post_init__"] = _no_post_init
        wire = cast(
            "type[Record]",
            types.new_class(
                f"{cls.__name__}Wire",
                (cls,),
                {"frozen": False},
                lambda ns: ns.update(namespace),
            ),
        )
        if wire.__struct_fields__ != cls.__struct_fields__ or (
            wire.__basicsize__ != cls.__basicsize__
        ):
            raise TypeError(f"{cls.__name__}: cannot build its wire type (layout differs)")
        return wire

    def _compile_fix(self) -> Callable[[list[Any]], None]:
        """Generate the function that turns wire rows into records, in place.

        For each field that can hold Odoo's ``false`` it reads the value once
        and replaces it when needed; anything unexpected raises ``_Fallback``.
        The source is kept as ``__source__`` on the function, for debugging.
        """
        cells: dict[str, Any] = {"_cls": self.cls, "_fromiso": datetime.fromisoformat}
        cells["_Fallback"] = _Fallback
        refuse_true = _FALSE is bool  # an old msgspec lets ``true`` through as well
        body: list[str] = []  # the loop body, indented by 0
        for i, f in enumerate(self.fields):
            if f.wire is f.type:
                continue
            if not f.name.isidentifier() or keyword.iskeyword(f.name):
                raise TypeError(f"{self.cls.__name__}: field name {f.name!r} is not an identifier")
            attr = f"r.{f.name}"
            if f.optional:
                on_false = f"{attr} = None"
            elif f.empty is not None:
                on_false = f"{attr} = {f.empty()!r}"
            else:
                on_false = "raise _Fallback"
            body.append(f"v = {attr}")
            if f.kind == _MANY2ONE:
                cells[f"_m{i}"] = f.many2one
                body += [
                    f"if v.__class__ is not _m{i}:",
                    "    if v is False:",
                    f"        {on_false}",
                    "    elif v.__class__ is int:",
                    f"        {attr} = _m{i}(v)",
                    "    elif v is not None:",
                    "        raise _Fallback",
                ]
                continue
            body += ["if v is False:", f"    {on_false}"]
            if refuse_true:
                body += ["elif v is True:", "    raise _Fallback"]
            if f.kind == _DATETIME:  # a date alone would parse, and stay naive
                body += [
                    "elif v is not None:",
                    "    v = _fromiso(v + '+00:00')",
                    "    if v.tzinfo is None:",
                    "        raise _Fallback",
                    f"    {attr} = v",
                ]
        body.append("r.__class__ = _cls")
        if hasattr(self.cls, "__post_init__"):
            body.append("r.__post_init__()")
        # A factory, so that the constants are closure cells rather than globals.
        source = "\n".join(
            [
                f"def make({', '.join(cells)}):",
                "    def fix(rows):",
                "        for r in rows:",
                *[f"            {line}" for line in body],
                "    return fix",
            ]
        )
        namespace: dict[str, Any] = {}
        exec(source, namespace)
        fix = namespace["make"](**cells)
        fix.__source__ = source
        return cast("Callable[[list[Any]], None]", fix)


def _no_post_init(self: Any) -> None:
    """Stands in for a Record's ``__post_init__`` while the wire row is built."""


def _codec(cls: type[Record]) -> _Codec:
    """The codec of ``cls``, built on first use and kept on the class itself.

    Kept on the class (not in a module-level registry) so that Record classes
    made at run time are freed with their codec.
    """
    try:
        return cast("_Codec", cls.__dict__["__odoo_codec__"])
    except (KeyError, AttributeError):
        pass
    if not (isinstance(cls, type) and issubclass(cls, Record)):
        raise TypeError(f"expected a Record subclass, got {cls!r}")
    codec = _Codec(cls)
    type.__setattr__(cls, "__odoo_codec__", codec)
    return codec


# --------------------------------------------------------------------------
# Public helpers


def model_of(cls: type[Record] | Record) -> str:
    """The Odoo model name of a Record class (or of a record)."""
    if not isinstance(cls, type):
        cls = type(cls)
    model = getattr(cls, "__odoo_model__", None)
    if not isinstance(model, str):
        raise TypeError(
            f"{cls.__name__} names no Odoo model: declare it as "
            f'class {cls.__name__}(Record, model="res.partner")'
        )
    return model


def record_fields(cls: type[Record]) -> list[str]:
    """The Odoo field names to read for ``cls``: ``id`` first, then its fields.

    ``id`` is always in the list, so that a class with no other field never
    asks Odoo for every field (what an empty ``fields`` means to Odoo).
    """
    return list(_codec(cls).odoo_names)


# --------------------------------------------------------------------------
# Decoding

Data = Union[bytes, bytearray, memoryview, msgspec.Raw, str]  # noqa: UP007


def decode_records(cls: type[R], data: Data) -> list[R]:
    """Decode the JSON text of a list of rows (a ``read``/``search_read`` result).

    Raises :class:`~odoo_async._errors.RecordDecodeError` naming the model,
    record id and field when a row does not fit ``cls``.
    """
    codec = _codec(cls)
    try:
        rows = codec.many.decode(data)
        codec.fix(rows)
    except (msgspec.DecodeError, ValueError, TypeError, _Fallback):
        return cast("list[R]", _decode_slowly(codec, data))
    return cast("list[R]", rows)


def decode_record(cls: type[R], data: Data) -> R:
    """Decode the JSON text of one row (a JSON object) into ``cls``."""
    codec = _codec(cls)
    try:
        row = codec.one.decode(data)
        codec.fix([row])
    except (msgspec.DecodeError, ValueError, TypeError, _Fallback):
        return cast("R", _decode_row_slowly(codec, data))
    return cast("R", row)


def _decode_slowly(codec: _Codec, data: Data) -> list[Record]:
    """Row by row: the fast decoder first, then field by field for rows it refuses."""
    try:
        raws = codec.rows.decode(data)
    except msgspec.DecodeError as exc:
        raise RecordDecodeError(
            f"{codec.label}: expected a JSON list of records: {exc}", model=codec.model
        ) from None
    out: list[Record] = []
    for raw in raws:
        try:
            row = codec.one.decode(raw)
            codec.fix([row])
        except (msgspec.DecodeError, ValueError, TypeError, _Fallback):
            row = _decode_row_slowly(codec, raw)
        out.append(row)
    return out


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def _type_name(tp: Any) -> str:
    """``str | None``, ``Many2one``, ``list[int]``: an annotation as it was written."""
    members = _union_args(tp)
    if len(members) > 1:
        return " | ".join(_type_name(m) for m in members)
    if tp is _NONE_TYPE:
        return "None"
    if isinstance(tp, type) and typing.get_origin(tp) is None:
        return tp.__name__
    return repr(tp).replace("typing.", "")


def _decode_row_slowly(codec: _Codec, data: Data) -> Record:
    try:
        obj = msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        raise RecordDecodeError(
            f"{codec.label}: a record is not valid JSON: {exc}", model=codec.model
        ) from None
    if not isinstance(obj, dict):
        raise RecordDecodeError(
            f"{codec.label}: expected a record (a JSON object), Odoo sent {_show(obj)}",
            model=codec.model,
            value=obj,
        )
    record_id = obj.get("id")
    if isinstance(record_id, bool) or not isinstance(record_id, int):
        record_id = None
    values: dict[str, Any] = {}
    for f in codec.fields:
        if f.odoo not in obj:
            if f.default is msgspec.NODEFAULT:
                raise RecordDecodeError(
                    f"cannot decode {codec.label} record id={record_id}: "
                    f"Odoo did not send field {f.odoo!r}",
                    model=codec.model,
                    record_id=record_id,
                    field=f.odoo,
                )
            continue
        value = obj[f.odoo]
        try:
            values[f.name] = _convert(f, value)
        except (msgspec.ValidationError, ValueError, TypeError) as exc:
            raise RecordDecodeError(
                f"cannot decode {codec.label} record id={record_id}: field {f.odoo!r} "
                f"expects {_type_name(f.type)}, Odoo sent {_show(value)} ({exc})",
                model=codec.model,
                record_id=record_id,
                field=f.odoo,
                value=value,
            ) from None
    try:
        return codec.cls(**values)
    except (ValueError, TypeError) as exc:  # raised by the class's __post_init__
        raise RecordDecodeError(
            f"cannot decode {codec.label} record id={record_id}: {exc}",
            model=codec.model,
            record_id=record_id,
        ) from exc


def _convert(f: _Field, value: Any) -> Any:
    """One value from Odoo to the field's type (the slow path)."""
    if value is False and f.kind != _BOOL:
        if f.optional:
            return None
        if f.empty is not None:
            return f.empty()
        if f.kind == _OTHER:
            return msgspec.convert(value, f.type)
        raise ValueError("Odoo's false (empty) for a field that is not optional; declare X | None")
    if value is None and f.optional:
        return None
    if f.kind == _DATETIME:
        parsed = msgspec.convert(value, datetime)
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=_UTC)
        return parsed.astimezone(_UTC)
    if f.kind == _MANY2ONE and f.many2one is not None:
        if isinstance(value, list) and len(value) == 2 and value[1] is False:
            value = [value[0], ""]
        elif type(value) is int:
            value = [value]
        return msgspec.convert(value, f.many2one)
    return msgspec.convert(value, f.type)


# --------------------------------------------------------------------------
# Encoding


def _names(names: Collection[str], name: str) -> frozenset[str]:
    if isinstance(names, str):  # a lone name, not its letters
        return frozenset((names,))
    return frozenset(check_names(name, names, none=False) or ())


def _is_default(value: Any, default: Any) -> bool:
    return value is default or (type(value) is type(default) and value == default)


def _to_odoo_value(f: _Field, value: Any) -> Any:
    if isinstance(value, Many2one):
        return value.id
    if f.kind == _LIST and isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
        if all(isinstance(i, (list, tuple)) for i in items) and items:
            return to_odoo(items)  # already commands
        ids = [i.id if isinstance(i, Many2one) else i for i in items]
        return [Command.set(set(ids) if isinstance(value, (set, frozenset)) else ids)]
    return to_odoo(value)


def encode_create(
    record: Record,
    *,
    readonly: Collection[str] = (),
    include: Collection[str] = (),
) -> dict[str, Any]:
    """The values of ``create`` for ``record``, by Odoo field name.

    Sends the fields whose value differs from the class default, plus those
    named in ``include``; never ``id`` nor a field named in ``readonly`` (Odoo
    names, or attribute names).
    """
    check_instance("record", record, Record, "a Record instance")
    codec = _codec(type(record))
    skip = _names(readonly, "readonly")
    force = _names(include, "include")
    for name in force:
        if name not in codec.by_name:
            raise ValueError(f"{codec.label}: include= names unknown field {name!r}")
    vals: dict[str, Any] = {}
    for f in codec.fields:
        if f.name == "id" or f.odoo in skip or f.name in skip:
            continue
        value = getattr(record, f.name)
        if (
            f.default is not msgspec.NODEFAULT
            and _is_default(value, f.default)
            and f.odoo not in force
            and f.name not in force
        ):
            continue
        vals[f.odoo] = _to_odoo_value(f, value)
    return vals


def encode_write(
    cls: type[Record],
    changes: Mapping[str, Any],
    *,
    readonly: Collection[str] = (),
) -> dict[str, Any]:
    """The values of ``write`` for ``changes`` (keys: attribute or Odoo field names).

    Raises ``ValueError`` for a field ``cls`` does not have, for ``id``, and
    for a field named in ``readonly`` (rather than dropping it silently).
    """
    codec = _codec(cls)
    check_mapping("changes", changes, none=False, where=codec.label)
    skip = _names(readonly, "readonly")
    vals: dict[str, Any] = {}
    for key, value in changes.items():
        f = codec.by_name.get(key)
        if f is None:
            known = ", ".join(sorted(codec.odoo_names))
            raise ValueError(f"{codec.label}: {cls.__name__} has no field {key!r} (known: {known})")
        if f.name == "id":
            raise ValueError(f"{codec.label}: the id of a record cannot be written")
        if f.odoo in skip or f.name in skip:
            raise ValueError(f"{codec.label}: field {f.odoo!r} is read-only")
        vals[f.odoo] = _to_odoo_value(f, value)
    return vals
