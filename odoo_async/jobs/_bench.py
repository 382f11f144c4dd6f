"""``bench`` and ``ramp``: load-test one Odoo method, as ``wrk`` and locust report it.

``bench`` runs ``model.method(*args, **kwargs)`` from ``concurrency`` workers,
optionally paced to ``rate`` calls per second, for ``duration`` seconds or
``calls`` calls, and reports calls per second, latency percentiles of the
calls that succeeded, and the errors by kind (``HTTP 503``, the Odoo fault's
name, ``RequestTimeout(read)``...). Calls are sent without retries, so every
failure the server gives is counted, and the first message of each kind is
kept. ``ramp`` runs ``bench`` at growing concurrency and says which step was
best (most calls/s with errors under the threshold) and where errors start.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from odoo_async import AsyncOdoo, HTTPStatusError, OdooError, RequestTimeout, RPCError

from ._progress import Meter, ProgressCallback

__all__ = [
    "BenchResult",
    "RampResult",
    "bench",
    "best_step",
    "error_kind",
    "percentile",
    "ramp",
    "ramp_levels",
    "saturation_point",
]


def percentile(ordered: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of sorted values, nearest rank; 0.0 when empty.

    **Parameters:**

    * **ordered** - The values, sorted in ascending order (not checked).
    * **q** - The percentile, from 0 to 100.

    >>> percentile([1.0, 2.0, 3.0, 4.0], 50)
    2.0
    >>> percentile([1.0, 2.0, 3.0, 4.0], 99)
    4.0
    """
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def error_message(exc: BaseException, limit: int = 200) -> str:
    """The first line of ``exc``'s message, at most ``limit`` characters (the
    client's messages never hold a secret)."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return first if len(first) <= limit else first[: limit - 3] + "..."


def error_kind(exc: BaseException) -> str:
    """A short label grouping failures of the same kind.

    ``"HTTP 503"`` for an HTTP status, ``"RequestTimeout(read)"`` for a
    timeout (with the limit that ran out), the fault's name for an Odoo fault
    (such as ``"odoo.exceptions.AccessError"``), else the exception's class
    name.

    **Parameters:**

    * **exc** - The exception.
    """
    if isinstance(exc, HTTPStatusError):
        return f"HTTP {exc.status_code}"
    if isinstance(exc, RequestTimeout):
        return f"RequestTimeout({exc.limit})"
    if isinstance(exc, RPCError):
        return exc.name or type(exc).__name__
    return type(exc).__name__


@dataclass(frozen=True)
class BenchResult:
    """One load-test run. Latencies are seconds, over the calls that succeeded
    (0.0 when none did: :attr:`ok` is 0, and :meth:`to_dict` gives ``None``).
    ``messages`` holds the first message of each error kind."""

    model: str
    method: str
    concurrency: int
    rate: float | None
    calls: int
    ok: int
    errors: dict[str, int]
    elapsed: float
    p50: float
    p95: float
    p99: float
    max: float
    messages: dict[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return self.calls - self.ok

    @property
    def calls_per_second(self) -> float:
        return self.calls / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def error_rate(self) -> float:
        return self.failed / self.calls if self.calls else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "method": self.method,
            "concurrency": self.concurrency,
            "rate": self.rate,
            "calls": self.calls,
            "ok": self.ok,
            "failed": self.failed,
            "errors": dict(self.errors),
            "error_messages": dict(self.messages),
            "elapsed_s": round(self.elapsed, 3),
            "calls_per_s": round(self.calls_per_second, 1),
            "latency_ms": {
                name: round(value * 1000, 2) if self.ok else None
                for name, value in (
                    ("p50", self.p50),
                    ("p95", self.p95),
                    ("p99", self.p99),
                    ("max", self.max),
                )
            },
        }


async def bench(
    odoo: AsyncOdoo,
    model: str,
    method: str,
    args: Sequence[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
    *,
    concurrency: int = 8,
    rate: float | None = None,
    duration: float | None = None,
    calls: int | None = None,
    progress: ProgressCallback | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> BenchResult:
    """Load-test ``model.method``; stops after ``duration`` seconds or ``calls`` calls.

    The client's own ``max_concurrency`` must be at least ``concurrency``
    for the workers to really be concurrent. The calls are sent without
    retries, through a view of ``odoo`` (its timeout applies), after a login
    that is not measured. A failure that is an :class:`OdooError` is counted
    by :func:`error_kind`; any other exception is raised. Latencies count
    from the call to its reply, waits for the client's own limits included.

    **Parameters:**

    * **odoo** - The client to call through.
    * **model** - The model's name, such as ``"res.partner"``.
    * **method** - The method's name, such as ``"search_read"``.
    * **args** - *(optional)* The method's positional arguments, a sequence.
      Default: none.
    * **kwargs** - *(optional)* The method's keyword arguments, a mapping.
      Default: none.
    * **concurrency** - *(optional)* Workers, each making one call after
      another, an int ``>= 1``. Default 8.
    * **rate** - *(optional)* Calls per second for all workers together (a
      number ``> 0``): call ``n`` goes at ``n / rate`` seconds from the start,
      or at once when the workers are behind. ``None`` (the default): as fast
      as the workers go.
    * **duration** - *(optional)* Seconds after which no new call starts (calls
      in flight then finish and count).
    * **calls** - *(optional)* The number of calls to make. At least one of
      ``duration`` and ``calls`` is needed; with both, the first reached ends
      the run.
    * **progress** - *(optional)* A function called with a :class:`Progress`
      after each call (``total`` is ``calls``).
    * **clock** - *(optional)* Seconds of a monotonic clock, for the latencies,
      ``duration`` and ``rate``. Default ``time.perf_counter``.
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    if rate is not None and rate <= 0:
        raise ValueError(f"rate must be positive, got {rate}")
    if duration is None and calls is None:
        raise ValueError("give duration= (seconds) or calls= (a number of calls)")
    client = odoo.with_options(retry=None)
    await client.authenticate()  # the login is not part of the measure
    call_args, call_kwargs = list(args), dict(kwargs or {})
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    messages: dict[str, str] = {}
    meter = Meter("bench", progress, total=calls)
    started = clock()
    deadline = None if duration is None else started + duration
    issued = 0

    async def worker() -> None:
        nonlocal issued
        while True:
            if calls is not None and issued >= calls:
                return
            now = clock()
            if deadline is not None and now >= deadline:
                return
            index = issued
            issued += 1
            if rate is not None:
                wait = started + index / rate - now
                if wait > 0:
                    await asyncio.sleep(wait)
            t0 = clock()
            try:
                await client.execute_kw(model, method, call_args, call_kwargs)
            except OdooError as exc:
                kind = error_kind(exc)
                errors[kind] += 1
                messages.setdefault(kind, error_message(exc))
            else:
                latencies.append(clock() - t0)
            meter.add(1)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = clock() - started
    latencies.sort()
    done = len(latencies) + sum(errors.values())
    return BenchResult(
        model,
        method,
        concurrency,
        rate,
        done,
        len(latencies),
        dict(errors.most_common()),
        elapsed,
        percentile(latencies, 50),
        percentile(latencies, 95),
        percentile(latencies, 99),
        latencies[-1] if latencies else 0.0,
        {kind: messages[kind] for kind in errors},
    )


@dataclass(frozen=True)
class RampResult:
    """The steps of a ramp; ``breaking_point`` is the first step whose error rate
    went over the threshold (``None``: the server held at every step), and
    :attr:`best` the step with the most calls/s among those under it."""

    steps: list[BenchResult] = field(default_factory=list)
    threshold: float = 0.01
    breaking_point: BenchResult | None = None

    @property
    def saturation_point(self) -> BenchResult | None:
        """The first step past which more concurrency did not buy 10 % more
        throughput (a plateau, which may not be the best step: see :attr:`best`)."""
        return saturation_point(self.steps)

    @property
    def best(self) -> BenchResult | None:
        """The step with the most calls/s whose error rate stayed within the threshold."""
        return best_step(self.steps, self.threshold)

    def to_dict(self) -> dict[str, Any]:
        saturated = self.saturation_point
        best = self.best
        return {
            "threshold": self.threshold,
            "steps": [s.to_dict() for s in self.steps],
            "best_concurrency": best.concurrency if best else None,
            "best_calls_per_s": round(best.calls_per_second, 1) if best else None,
            "errors_start_at_concurrency": (
                self.breaking_point.concurrency if self.breaking_point else None
            ),
            "throughput_stops_growing_at_concurrency": (
                saturated.concurrency if saturated else None
            ),
        }


def saturation_point(steps: Sequence[BenchResult], gain: float = 0.1) -> BenchResult | None:
    """The last step whose successor gained less than ``gain`` (10 %) in calls/s,
    or ``None`` while every step still gains.

    **Parameters:**

    * **steps** - The steps of a ramp, in order.
    * **gain** - *(optional)* The least growth in calls per second, as a
      fraction, that counts as a gain. Default 0.1.
    """
    for before, after in itertools.pairwise(steps):
        if after.calls_per_second < before.calls_per_second * (1 + gain):
            return before
    return None


def best_step(
    steps: Sequence[BenchResult], threshold: float = 0.01, margin: float = 0.1
) -> BenchResult | None:
    """The step to run at: the lowest concurrency whose calls per second come
    within ``margin`` of the most any step reached, among the steps whose error
    rate is at most ``threshold``; ``None`` when no step is.

    Past that step more concurrency buys little throughput and costs latency:
    on a prefork Odoo 17 with two workers, 48 in flight gave 50.3 calls/s at a
    p99 of 7.9 s where 4 gave 49.0 at 123 ms; this names 4.

    **Parameters:**

    * **steps** - The steps of a ramp, in any order.
    * **threshold** - *(optional)* The highest error rate (0 to 1) a step may
      have to count. Default 0.01.
    * **margin** - *(optional)* How far below the highest rate (a fraction of
      it) a step may be and still count as as fast. Default 0.1.
    """
    held = [s for s in steps if s.ok and s.error_rate <= threshold]
    if not held:
        return None
    top = max(s.calls_per_second for s in held)
    fast = [s for s in held if s.calls_per_second >= top * (1 - margin)]
    return min(fast, key=lambda s: s.concurrency)


def ramp_levels(start: int, stop: int, factor: float = 2.0) -> list[int]:
    """Concurrency levels from ``start`` to ``stop``, multiplied by ``factor`` each step.

    Raises :class:`ValueError` unless ``1 <= start <= stop`` and ``factor > 1``.

    **Parameters:**

    * **start** - The first level, an int ``>= 1``.
    * **stop** - The last level, always included.
    * **factor** - *(optional)* What each level is multiplied by (rounded down;
      a level equal to the previous one is skipped). Default 2.0.

    >>> ramp_levels(1, 20)
    [1, 2, 4, 8, 16, 20]
    """
    if start < 1 or stop < start or factor <= 1:
        raise ValueError("a ramp needs 1 <= start <= stop and factor > 1")
    levels: list[int] = []
    level = float(start)
    while int(level) < stop:
        if not levels or int(level) > levels[-1]:
            levels.append(int(level))
        level *= factor
    levels.append(stop)
    return levels


async def ramp(
    odoo: AsyncOdoo,
    model: str,
    method: str,
    args: Sequence[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
    *,
    start: int = 1,
    stop: int = 64,
    factor: float = 2.0,
    step_duration: float | None = None,
    step_calls: int | None = None,
    threshold: float = 0.01,
    on_step: Callable[[BenchResult], None] | None = None,
) -> RampResult:
    """``bench`` at each level of :func:`ramp_levels`, stopping at the first step
    whose error rate exceeds ``threshold``.

    Each step is a :func:`bench` run without ``rate`` or ``progress``.

    **Parameters:**

    * **odoo** - The client to call through.
    * **model** - The model's name, such as ``"res.partner"``.
    * **method** - The method's name.
    * **args** - *(optional)* The method's positional arguments. Default: none.
    * **kwargs** - *(optional)* The method's keyword arguments. Default: none.
    * **start** - *(optional)* The first concurrency level. Default 1.
    * **stop** - *(optional)* The last concurrency level. Default 64.
    * **factor** - *(optional)* What each level is multiplied by, a number
      ``> 1``. Default 2.0.
    * **step_duration** - *(optional)* Seconds each step runs.
    * **step_calls** - *(optional)* Calls each step makes. At least one of
      ``step_duration`` and ``step_calls`` is needed (the first step raises
      :class:`ValueError` otherwise).
    * **threshold** - *(optional)* The error rate (0 to 1) a step must exceed
      to end the ramp as its breaking point. Default 0.01.
    * **on_step** - *(optional)* A function called with each step's
      :class:`BenchResult` as it ends.
    """
    steps: list[BenchResult] = []
    for level in ramp_levels(start, stop, factor):
        result = await bench(
            odoo,
            model,
            method,
            args,
            kwargs,
            concurrency=level,
            duration=step_duration,
            calls=step_calls,
        )
        steps.append(result)
        if on_step is not None:
            on_step(result)
        if result.error_rate > threshold:
            return RampResult(steps, threshold, result)
    return RampResult(steps, threshold, None)
