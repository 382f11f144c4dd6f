"""Shards: N workers, each given its I, do disjoint parts of one job that add up to the whole.

A shard is ``I/N``, counted from 1 (``1/4`` ... ``4/4``), as in ``--shard``.
Which part a record belongs to depends on the record alone, never on when a
worker starts or what it has seen, so workers started at different moments
still split the work exactly:

- an export shard owns the records whose ``id % N == I - 1`` (Odoo's ids are
  sequential, so the parts come out even);
- an import shard owns the input records whose key, as text, hashes to
  ``I - 1`` modulo ``N`` (BLAKE2b, the same on every machine and run). Rows
  with one key all go to one shard, so two workers never race to create the
  same record. A row without a key goes by its line number.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Shard", "as_shard"]

_SHARD = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


@dataclass(frozen=True)
class Shard:
    """Part ``index`` of ``count``, ``1 <= index <= count``."""

    index: int
    count: int

    def __post_init__(self) -> None:
        for name in ("index", "count"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"shard {name} must be an int, not {type(value).__name__}")
        if self.count < 1:
            raise ValueError(f"a shard count must be at least 1, got {self.count}")
        if not 1 <= self.index <= self.count:
            raise ValueError(
                f"shard {self.index}/{self.count}: I counts from 1 to N "
                "(a 0-based worker index, such as Kubernetes' JOB_COMPLETION_INDEX, needs + 1)"
            )

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"2/4"`` as ``Shard(2, 4)``."""
        match = _SHARD.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            raise ValueError(f"a shard is written I/N, such as 2/4; got {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    def owns_id(self, record_id: int) -> bool:
        """Whether the record ``record_id`` is this shard's to export."""
        return record_id % self.count == self.index - 1

    def owns_key(self, key: Any, line: int) -> bool:
        """Whether the input record with ``key`` (on ``line``) is this shard's to import."""
        if self.count == 1:
            return True
        if key is None or key == "" or key is False:
            return line % self.count == self.index - 1
        digest = hashlib.blake2b(str(key).strip().encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") % self.count == self.index - 1


def as_shard(shard: Shard | str | tuple[int, int] | None) -> Shard | None:
    """``shard=`` as the jobs take it: a :class:`Shard`, ``"I/N"``, ``(I, N)`` or ``None``."""
    if shard is None or isinstance(shard, Shard):
        return shard
    if isinstance(shard, str):
        return Shard.parse(shard)
    if isinstance(shard, tuple) and len(shard) == 2:
        return Shard(*shard)
    raise TypeError(f"shard must be 'I/N', (I, N) or a Shard, got {shard!r}")
