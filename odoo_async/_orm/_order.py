"""Paging arithmetic and order strings: pure functions, no I/O.

Offset pagination is only exact when the order is total, so every paged
query sorts by the caller's order with ``id`` added as the last key (``id``
alone when no order is given).
"""

from __future__ import annotations

import math
import re
from typing import TypeVar

from odoo_async._check import check_int, check_offset

__all__ = ["chunked", "plan_pages", "stable_order"]

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


def plan_pages(
    total: int, *, offset: int = 0, limit: int | None = None, page_size: int
) -> list[tuple[int, int]]:
    """The ``(offset, limit)`` of each page needed to read rows ``offset..`` of ``total``.

    ``total`` counts every matching row; ``limit`` caps how many are read.

    >>> plan_pages(10, page_size=4)
    [(0, 4), (4, 4), (8, 2)]
    >>> plan_pages(10, offset=3, limit=5, page_size=4)
    [(3, 4), (7, 1)]
    """
    check_int("page_size", page_size, minimum=1)
    check_offset(offset)
    wanted = max(0, total - offset)
    if limit is not None:
        wanted = min(wanted, limit)
    pages = []
    for index in range(math.ceil(wanted / page_size)):
        start = offset + index * page_size
        pages.append((start, min(page_size, offset + wanted - start)))
    return pages


def chunked(items: list[T], size: int) -> list[list[T]]:
    """``items`` cut into lists of at most ``size``."""
    check_int("size", size, minimum=1)
    return [items[i : i + size] for i in range(0, len(items), size)]
