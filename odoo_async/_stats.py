"""Counters a client keeps about its own traffic (``AsyncOdoo.stats``)."""

from __future__ import annotations

import dataclasses

__all__ = ["ClientStats"]


@dataclasses.dataclass
class ClientStats:
    """What one client (and every view made from it) has done so far.

    ``requests`` counts HTTP attempts, retries included; ``calls`` counts the
    RPCs the caller asked for. ``rate_limit_wait`` is the wall time, in
    seconds, during which at least one call was waiting for the rate limiter
    (ten calls waiting the same second count one second); ``budget_wait`` the
    same for the shared budget (``budget=``; Redis round trips included).
    """

    calls: int = 0
    requests: int = 0
    errors: int = 0
    retries: int = 0
    bytes_out: int = 0
    bytes_in: int = 0
    in_flight: int = 0
    peak_in_flight: int = 0
    rate_limit_wait: float = 0.0
    budget_wait: float = 0.0
    authentications: int = 0

    def snapshot(self) -> dict[str, float]:
        """A plain dict copy, for printing or JSON."""
        return dataclasses.asdict(self)
