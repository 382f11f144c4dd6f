"""Python values to the values Odoo's external API expects on the wire.

Used for domain values (``[field, operator, value]``) and for the values of
``create``/``write`` (and the ``vals`` of x2many commands)::

    date(2024, 3, 1)                        -> "2024-03-01"
    datetime(2024, 3, 1, 14, 30, tzinfo=X)  -> "2024-03-01 13:30:00"   (in UTC)
    datetime(2024, 3, 1, 14, 30)            -> "2024-03-01 14:30:00"   (naive: taken as UTC)
    Color.RED (an Enum)                     -> Color.RED.value, converted in turn
    Decimal("1.10")                         -> 1.1
    None                                    -> False
    b"%PDF..." (bytes, bytearray, memoryview) -> "JVBERi4uLg==" (base64 text)
    tuple, list, set, frozenset, range      -> list, items converted
    dict (any Mapping)                      -> dict, values converted (keys kept)
    Many2one(7, "Belgium"), a Record         -> 7, its id (``__odoo_value__``)
    str, int, float, bool, anything else    -> unchanged

The choices, and why:

- **Datetimes are UTC.** Odoo stores datetimes as naive UTC and reads the
  strings it is sent as UTC, whatever the user's timezone. An aware datetime is
  converted to UTC. A naive datetime is *taken to be UTC already* (it is not
  shifted by the machine's local timezone), which is what Odoo itself does with
  naive values. Microseconds are dropped, as Odoo's own format has none.
- **None is False.** Odoo has no null for a field value: an empty many2one,
  char, date... is ``false`` on the wire, and a domain compares with ``False``
  to mean "is not set". This holds inside containers too (``[1, None]`` becomes
  ``[1, False]``), so a json field cannot be sent a ``null``.
- **Bytes are file contents.** Binary fields take their content as base64 text,
  so bytes are encoded. Pass a ``str`` if you already hold base64 text.
- **Sets are sorted** when their items can be compared, so that the same set
  always gives the same request (for ``in`` values and ``Command.set`` ids the
  order means nothing to Odoo).
- **Decimals become floats**, the only number type of Odoo's float and monetary
  fields on the wire.
- **A value that knows its wire form says it**: a class with an
  ``__odoo_value__(self)`` method is sent as what it returns. ``Many2one`` and
  ``Record`` return their id, so a value read from Odoo can go straight back
  into a domain or a write (this module does not import them).

The common case (str, int, float, bool) is a single exact-type check.
"""

from __future__ import annotations

import base64
import enum
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

__all__ = ["to_odoo", "to_odoo_values"]

#: Types sent as they are. Exact types only: subclasses (an ``IntEnum`` is an
#: ``int``) take the slow path so that enums give their plain value.
_PLAIN: frozenset[type] = frozenset({str, int, float, bool})


def _datetime_to_odoo(value: datetime) -> str:
    offset = value.utcoffset()
    if offset is not None:
        value = value.astimezone(timezone.utc)
    return value.replace(microsecond=0, tzinfo=None).isoformat(sep=" ")


def _date_to_odoo(value: date) -> str:
    return value.isoformat()


def _sequence_to_odoo(value: Any) -> list[Any]:
    plain = _PLAIN
    for item in value:  # a type check per item is cheaper than a call per item
        if type(item) not in plain:
            return [to_odoo(item) for item in value]
    return list(value)


def _set_to_odoo(value: Any) -> list[Any]:
    items = _sequence_to_odoo(value)
    try:
        items.sort()
    except TypeError:  # items of mixed types: keep them as they came
        pass
    return items


def _mapping_to_odoo(value: Mapping[Any, Any]) -> dict[Any, Any]:
    return {key: to_odoo(item) for key, item in value.items()}


def _bytes_to_odoo(value: bytes | bytearray | memoryview) -> str:
    return base64.b64encode(value).decode("ascii")


def _none_to_odoo(value: None) -> bool:
    return False


def _decimal_to_odoo(value: Decimal) -> float:
    return float(value)


_CONVERTERS: dict[type, Callable[[Any], Any]] = {
    type(None): _none_to_odoo,
    datetime: _datetime_to_odoo,
    date: _date_to_odoo,
    list: _sequence_to_odoo,
    tuple: _sequence_to_odoo,
    set: _set_to_odoo,
    frozenset: _set_to_odoo,
    dict: _mapping_to_odoo,
    Decimal: _decimal_to_odoo,
    bytes: _bytes_to_odoo,
    bytearray: _bytes_to_odoo,
    memoryview: _bytes_to_odoo,
    range: _sequence_to_odoo,
}


def _convert_other(value: Any) -> Any:
    """Subclasses of the known types, enums, and everything else."""
    own = getattr(type(value), "__odoo_value__", None)
    if own is not None:  # Many2one and Record: their id
        return own(value)
    if isinstance(value, enum.Enum):  # before int/str: IntEnum and StrEnum are both
        return to_odoo(value.value)
    if isinstance(value, (str, int, float)):  # bool is an int
        return value
    if isinstance(value, datetime):  # before date: a datetime is a date
        return _datetime_to_odoo(value)
    if isinstance(value, date):
        return _date_to_odoo(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Mapping):
        return _mapping_to_odoo(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _bytes_to_odoo(value)
    if isinstance(value, AbstractSet):
        return _set_to_odoo(value)
    if isinstance(value, Sequence):  # str and bytes were handled above
        return _sequence_to_odoo(value)
    return value


def to_odoo(value: Any) -> Any:
    """Return ``value`` as Odoo expects it on the wire (see the module docstring).

    Containers are copied, never changed in place.
    """
    cls = type(value)
    if cls in _PLAIN:
        return value
    converter = _CONVERTERS.get(cls)
    if converter is not None:
        return converter(value)
    return _convert_other(value)


def to_odoo_values(vals: Mapping[str, Any]) -> dict[str, Any]:
    """Return the field values of a ``create`` or ``write`` as Odoo expects them.

    A new dict: field names are kept, each value goes through :func:`to_odoo`.
    """
    if not isinstance(vals, Mapping):
        raise TypeError(
            f"field values must be a mapping of field name to value, got {type(vals).__name__}"
        )
    plain = _PLAIN
    return {name: value if type(value) in plain else to_odoo(value) for name, value in vals.items()}
