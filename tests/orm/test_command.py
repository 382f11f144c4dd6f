"""x2many command builders: Odoo's triplets, as lists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from odoo_async._orm._command import Command
from odoo_async._values import to_odoo_values

CASES: list[tuple[str, Callable[[], list[Any]], list[Any]]] = [
    ("create", lambda: Command.create({"name": "A"}), [0, 0, {"name": "A"}]),
    (
        "create converts vals",
        lambda: Command.create({"date": date(2024, 1, 2), "parent_id": None, "tags": {2, 1}}),
        [0, 0, {"date": "2024-01-02", "parent_id": False, "tags": [1, 2]}],
    ),
    ("create empty", lambda: Command.create({}), [0, 0, {}]),
    ("update", lambda: Command.update(7, {"qty": 5}), [1, 7, {"qty": 5}]),
    ("update converts", lambda: Command.update(7, {"d": None}), [1, 7, {"d": False}]),
    ("delete", lambda: Command.delete(7), [2, 7, 0]),
    ("unlink", lambda: Command.unlink(7), [3, 7, 0]),
    ("link", lambda: Command.link(7), [4, 7, 0]),
    ("clear", lambda: Command.clear(), [5, 0, 0]),
    ("set list", lambda: Command.set([3, 1, 2]), [6, 0, [3, 1, 2]]),
    ("set tuple", lambda: Command.set((4,)), [6, 0, [4]]),
    ("set generator", lambda: Command.set(i for i in (9, 8)), [6, 0, [9, 8]]),
    ("set of a set is sorted", lambda: Command.set({30, 10, 20}), [6, 0, [10, 20, 30]]),
    ("set empty", lambda: Command.set([]), [6, 0, []]),
]


@pytest.mark.parametrize(("build", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_commands(build: Callable[[], list[Any]], expected: list[Any]) -> None:
    out = build()
    assert out == expected
    assert type(out) is list


def test_constants() -> None:
    assert (
        Command.CREATE,
        Command.UPDATE,
        Command.DELETE,
        Command.UNLINK,
        Command.LINK,
        Command.CLEAR,
        Command.SET,
    ) == (0, 1, 2, 3, 4, 5, 6)


def test_each_call_gives_a_new_list() -> None:
    first = Command.clear()
    first.append("x")
    assert Command.clear() == [5, 0, 0]


def test_create_does_not_change_the_given_vals() -> None:
    vals = {"d": date(2024, 1, 2)}
    Command.create(vals)
    assert vals == {"d": date(2024, 1, 2)}


BAD_IDS: list[tuple[str, Callable[[], object], type[Exception], str]] = [
    (
        "update str",
        lambda: Command.update("7", {}),  # type: ignore[arg-type]
        TypeError,
        "Command.update: a record id is an int, got str",
    ),
    (
        "delete bool",
        lambda: Command.delete(True),
        TypeError,
        "Command.delete: a record id is an int, got bool",
    ),
    (
        "unlink float",
        lambda: Command.unlink(1.0),  # type: ignore[arg-type]
        TypeError,
        "Command.unlink: a record id is an int, got float",
    ),
    (
        "link None",
        lambda: Command.link(None),  # type: ignore[arg-type]
        TypeError,
        "Command.link: a record id is an int, got NoneType",
    ),
    (
        "link zero",
        lambda: Command.link(0),
        ValueError,
        "Command.link: a record id is positive, got 0",
    ),
    (
        "delete negative",
        lambda: Command.delete(-3),
        ValueError,
        "Command.delete: a record id is positive, got -3",
    ),
    (
        "set str item",
        lambda: Command.set([1, "2"]),  # type: ignore[list-item]
        TypeError,
        "Command.set: a record id is an int, got str",
    ),
    (
        "set a str",
        lambda: Command.set("12"),  # type: ignore[arg-type]
        TypeError,
        "Command.set: ids are an iterable of int, got str",
    ),
    (
        "set an int",
        lambda: Command.set(5),  # type: ignore[arg-type]
        TypeError,
        "Command.set: ids are an iterable of int, got int",
    ),
    (
        "create a list",
        lambda: Command.create([("name", "A")]),  # type: ignore[arg-type]
        TypeError,
        "field values must be a mapping",
    ),
    (
        "update None vals",
        lambda: Command.update(1, None),  # type: ignore[arg-type]
        TypeError,
        "field values must be a mapping",
    ),
]


@pytest.mark.parametrize(
    ("build", "error", "message"), [c[1:] for c in BAD_IDS], ids=[c[0] for c in BAD_IDS]
)
def test_bad_arguments(build: Callable[[], object], error: type[Exception], message: str) -> None:
    with pytest.raises(error) as info:
        build()
    assert str(info.value).startswith(message)


def test_commands_inside_write_values() -> None:
    vals = {
        "order_line": [
            Command.create({"product_id": 3, "product_uom_qty": 2}),
            Command.update(41, {"product_uom_qty": 5}),
            Command.delete(42),
        ],
        "tag_ids": [Command.set([1, 2])],
    }
    assert to_odoo_values(vals) == {
        "order_line": [
            [0, 0, {"product_id": 3, "product_uom_qty": 2}],
            [1, 41, {"product_uom_qty": 5}],
            [2, 42, 0],
        ],
        "tag_ids": [[6, 0, [1, 2]]],
    }
