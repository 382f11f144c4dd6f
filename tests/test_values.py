"""Table tests for the conversion of Python values to Odoo's wire values."""

from __future__ import annotations

import enum
from collections import OrderedDict
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import pytest

from odoo_async._values import to_odoo, to_odoo_values


class Color(enum.Enum):
    RED = "red"
    WHEN = date(2024, 5, 6)
    PAIR = (1, 2)


class Level(enum.IntEnum):
    HIGH = 3


class State(str, enum.Enum):
    DRAFT = "draft"


class MyDate(date):
    pass


class MyDateTime(datetime):
    pass


class MyStr(str):
    pass


PLUS2 = timezone(timedelta(hours=2))
MINUS5 = timezone(timedelta(hours=-5, minutes=-30))

CASES: list[tuple[str, Any, Any]] = [
    ("str", "abc", "abc"),
    ("empty str", "", ""),
    ("int", 7, 7),
    ("float", 1.5, 1.5),
    ("True", True, True),
    ("False", False, False),
    ("None is False", None, False),
    ("date", date(2024, 3, 1), "2024-03-01"),
    ("date year 5 padded", date(5, 1, 2), "0005-01-02"),
    ("naive datetime is UTC", datetime(2024, 3, 1, 14, 30), "2024-03-01 14:30:00"),
    ("microseconds dropped", datetime(2024, 3, 1, 14, 30, 5, 999_999), "2024-03-01 14:30:05"),
    ("aware UTC", datetime(2024, 3, 1, 14, 30, tzinfo=timezone.utc), "2024-03-01 14:30:00"),
    ("aware +02:00", datetime(2024, 3, 1, 14, 30, tzinfo=PLUS2), "2024-03-01 12:30:00"),
    ("aware crosses a day", datetime(2024, 3, 1, 1, 0, tzinfo=PLUS2), "2024-02-29 23:00:00"),
    ("aware -05:30", datetime(2024, 12, 31, 20, 0, tzinfo=MINUS5), "2025-01-01 01:30:00"),
    ("date subclass", MyDate(2024, 1, 2), "2024-01-02"),
    ("datetime subclass", MyDateTime(2024, 1, 2, 3, 4, 5, tzinfo=PLUS2), "2024-01-02 01:04:05"),
    ("enum", Color.RED, "red"),
    ("enum of a date", Color.WHEN, "2024-05-06"),
    ("enum of a tuple", Color.PAIR, [1, 2]),
    ("IntEnum", Level.HIGH, 3),
    ("str enum", State.DRAFT, "draft"),
    ("Decimal", Decimal("1.10"), 1.1),
    ("Decimal int", Decimal(3), 3.0),
    ("tuple", (1, "a"), [1, "a"]),
    ("empty tuple", (), []),
    ("set sorted", {3, 1, 2}, [1, 2, 3]),
    ("frozenset sorted", frozenset({"b", "a"}), ["a", "b"]),
    ("range", range(3), [0, 1, 2]),
    ("list converted", [None, date(2024, 1, 1), (1,)], [False, "2024-01-01", [1]]),
    ("dict values", {"a": None, "b": {1, 2}}, {"a": False, "b": [1, 2]}),
    ("OrderedDict", OrderedDict(a=date(2024, 1, 1)), {"a": "2024-01-01"}),
    ("mapping proxy", MappingProxyType({"a": (1,)}), {"a": [1]}),
    (
        "nested commands",
        [(0, 0, {"d": date(2024, 1, 1), "tag_ids": [(6, 0, {2, 1})]})],
        [[0, 0, {"d": "2024-01-01", "tag_ids": [[6, 0, [1, 2]]]}]],
    ),
    ("bytes base64", b"%PDF-1.4", "JVBERi0xLjQ="),
    ("empty bytes", b"", ""),
    ("bytearray", bytearray(b"\x00\xff"), "AP8="),
    ("memoryview", memoryview(b"abc"), "YWJj"),
]


@pytest.mark.parametrize(("value", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_to_odoo(value: Any, expected: Any) -> None:
    out = to_odoo(value)
    assert out == expected
    assert type(out) is type(expected)


@pytest.mark.parametrize("value", ["x", 3, 2.5, True], ids=["str", "int", "float", "bool"])
def test_plain_values_pass_through_unchanged(value: Any) -> None:
    assert to_odoo(value) is value


def test_str_subclass_is_kept() -> None:
    value = MyStr("x")
    assert to_odoo(value) is value


def test_unknown_types_are_left_alone() -> None:
    marker = object()
    assert to_odoo(marker) is marker
    assert to_odoo([marker]) == [marker]


def test_set_of_mixed_types_keeps_every_item() -> None:
    out = to_odoo({1, "a", None})
    assert isinstance(out, list)
    assert sorted(map(repr, out)) == sorted(map(repr, [1, "a", False]))


def test_containers_are_copied_not_changed() -> None:
    inner = [(1, 2)]
    outer = {"k": inner}
    out = to_odoo(outer)
    assert out == {"k": [[1, 2]]}
    assert out is not outer
    assert out["k"] is not inner
    assert inner == [(1, 2)]
    listed = [1, 2]
    assert to_odoo(listed) is not listed


def test_to_odoo_values() -> None:
    vals = {
        "name": "A",
        "active": True,
        "parent_id": None,
        "date": date(2024, 3, 1),
        "write_date": datetime(2024, 3, 1, 10, 0, tzinfo=PLUS2),
        "state": State.DRAFT,
        "amount": Decimal("12.50"),
        "category_id": [(6, 0, {3, 1})],
        "image_1920": b"\x89PNG",
    }
    assert to_odoo_values(vals) == {
        "name": "A",
        "active": True,
        "parent_id": False,
        "date": "2024-03-01",
        "write_date": "2024-03-01 08:00:00",
        "state": "draft",
        "amount": 12.5,
        "category_id": [[6, 0, [1, 3]]],
        "image_1920": "iVBORw==",
    }
    assert vals["parent_id"] is None  # the input is untouched


def test_to_odoo_values_accepts_any_mapping() -> None:
    assert to_odoo_values(MappingProxyType({"a": None})) == {"a": False}
    assert to_odoo_values({}) == {}


@pytest.mark.parametrize("vals", [[("name", "A")], "name", None], ids=["list", "str", "None"])
def test_to_odoo_values_refuses_a_non_mapping(vals: Any) -> None:
    with pytest.raises(TypeError, match="field values must be a mapping"):
        to_odoo_values(vals)


# --------------------------------------------------------------------------- values a user holds


def test_a_many2one_and_a_record_become_their_ids() -> None:
    from odoo_async import Many2one, Record

    class Country(Record, model="res.country"):
        name: str = ""

    belgium = Many2one(21, "Belgium")
    assert to_odoo(belgium) == 21
    assert to_odoo(Country(id=21, name="Belgium")) == 21
    assert to_odoo([belgium, Country(id=3)]) == [21, 3]
    assert to_odoo({belgium, Many2one(3)}) == [3, 21]
    assert to_odoo_values({"country_id": belgium, "parent_id": Country(id=9)}) == {
        "country_id": 21,
        "parent_id": 9,
    }
    with pytest.raises(ValueError, match="no id"):
        to_odoo(Country(name="not created yet"))
