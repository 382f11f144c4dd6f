"""Progress reports: a small immutable value handed to a callback."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Progress", "ProgressCallback"]


@dataclass(frozen=True)
class Progress:
    """How far a job is: ``done`` records of ``total`` (``None`` when unknown).

    ``rate`` is records per second since the job started (records already done
    when it resumed are not counted in the rate); ``elapsed`` is in seconds.
    ``pending`` counts the records sent to Odoo whose outcome is not known yet
    (an import's batches in flight); ``done`` counts only what Odoo confirmed.
    """

    job: str
    done: int
    total: int | None
    elapsed: float
    rate: float
    pending: int = 0

    @property
    def eta(self) -> float | None:
        """Seconds left at the current rate, when the total is known."""
        if self.total is None or self.rate <= 0:
            return None
        return max(0.0, (self.total - self.done) / self.rate)


ProgressCallback = Callable[[Progress], None]


class Meter:
    """Counts records and reports them to an optional callback."""

    def __init__(
        self,
        job: str,
        callback: ProgressCallback | None,
        *,
        total: int | None = None,
        done: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.job = job
        self.callback = callback
        self.total = total
        self.done = done
        self.pending = 0
        self._start_done = done
        self._clock = clock
        self._start = clock()

    @property
    def elapsed(self) -> float:
        return self._clock() - self._start

    @property
    def rate(self) -> float:
        elapsed = self.elapsed
        return (self.done - self._start_done) / elapsed if elapsed > 0 else 0.0

    def add(self, n: int) -> None:
        self.done += n
        self.report()

    def report(self) -> None:
        if self.callback is not None:
            self.callback(
                Progress(self.job, self.done, self.total, self.elapsed, self.rate, self.pending)
            )
