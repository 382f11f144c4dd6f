"""Order strings and chunking: pure functions, no I/O.

Offset pagination is only exact when the order is total, so every paged
query sorts by the caller's order with ``id`` added as the last key (``id``
alone when no order is given).
"""

from __future__ import annotations

import re
from typing import TypeVar

from odoo_async._check import check_int

__all__ = ["chunked", "stable_order"]

T = TypeVar("T")

_ORDER_TERM = re.compile(
    r"^\s*([A-Za-z_][\w.]*)(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?\s*$", re.I
)


def stable_order(order: str | None) -> str:
    """``order`` with ``id`` appended as the last key unless it already sorts by id.

    >>> stable_order(None)
    'id'
    >>> stable_order("name desc")
    'name desc, id'
    >>> stable_order("id desc")
    'id desc'
    """
    if order is None or not order.strip():
        return "id"
    terms = [term.strip() for term in order.split(",")]
    for term in terms:
        match = _ORDER_TERM.match(term)
        if match is None:
            raise ValueError(
                f"invalid order {order!r}: each term must be 'field', 'field asc' or 'field desc'"
            )
        if match.group(1) == "id":
            return ", ".join(terms)
    return ", ".join([*terms, "id"])


def is_id_order(order: str | None) -> bool:
    """True when ``order`` sorts by ``id`` ascending only (what keyset paging needs)."""
    if order is None:
        return True
    return " ".join(order.lower().split()) in ("id", "id asc")


def chunked(items: list[T], size: int) -> list[list[T]]:
    """``items`` cut into lists of at most ``size``."""
    check_int("size", size, minimum=1)
    return [items[i : i + size] for i in range(0, len(items), size)]
