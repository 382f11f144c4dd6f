"""The caches one client keeps for its repositories, each with a bound.

A long-lived client (a web app's, for hours) makes views per request
(``with_context(request_id=...)``); what it caches per view must not grow
with them. Read batchers are kept only while they are busy (idle ones go
away), and ``fields_get`` answers are kept in a least-recently-used cache of
``max_fields_get`` entries.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Any, Generic, TypeVar

from odoo_async._check import check_int
from odoo_async._config import MAX_FIELDS_GET

__all__ = ["ClientCaches", "LRUCache"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    """At most ``max_size`` entries; the least recently used one goes first."""

    def __init__(self, max_size: int) -> None:
        check_int("max_size", max_size, minimum=1)
        self.max_size = max_size
        self._entries: OrderedDict[K, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def get(self, key: K) -> V | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_size:
            self._entries.popitem(last=False)


class ClientCaches:
    """What one client caches for its repositories, shared by all its views."""

    def __init__(self, *, max_fields_get: int = MAX_FIELDS_GET) -> None:
        #: Read batchers by what their reads share; only busy ones are kept.
        self.batchers: dict[Hashable, Any] = {}
        #: ``fields_get`` answers (futures, shared by concurrent callers).
        self.fields_get: LRUCache[Hashable, Any] = LRUCache(max_fields_get)
