"""Client-side limits: calls per second (a token bucket) and calls in flight.

Both are applied per HTTP attempt, retries included, so a retry storm cannot
exceed them. Both belong to one event loop and are not thread-safe.

The client sees every limit through one small interface, :class:`Budget`:
``acquire(timeout)`` before each HTTP attempt returns a permit, ``release(permit)``
after it. :class:`LocalBudget` is the client's own limits (the two classes
below); :class:`odoo_async.redis.RedisBudget` is one shared by every worker
that names the same Redis key. :class:`Budgets` is what one client draws from:
its local budget, then the shared one if any.

- :class:`TokenBucket` lets ``rate`` calls a second through on average, with
  bursts of up to ``burst`` calls after a quiet spell. Waiters are served in
  the order they arrived, each sleeping exactly until its own turn: nobody
  polls and nobody is woken for nothing.
- :class:`ConcurrencyLimiter` caps the calls in flight, first come first
  served, and records the peak it saw. A free slot is taken without a trip
  through the event loop (``anyio.CapacityLimiter`` yields once per acquire,
  a few per cent of a small call's CPU in the client; see README).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Protocol, runtime_checkable

import anyio

from odoo_async._check import check_int, check_number

__all__ = ["Budget", "Budgets", "ConcurrencyLimiter", "LocalBudget", "TokenBucket"]


@runtime_checkable
class Budget(Protocol):
    """What the client asks before each HTTP attempt, retries included.

    ``await acquire(timeout)`` waits for a permit and returns it; the client
    passes it to ``release(permit)`` when the attempt is over, however it
    ended. ``timeout`` is the longest the caller will wait (the call's
    ``pool`` timeout, ``None`` for no limit); a budget that cannot grant a
    permit in time raises :class:`~odoo_async.RequestTimeout`. ``aclose()``
    gives back what the budget holds; the client calls it when it is closed.
    """

    async def acquire(self, timeout: float | None) -> Any: ...

    def release(self, permit: Any) -> None: ...

    async def aclose(self) -> None: ...


class TokenBucket:
    """Allow ``rate`` acquisitions per second on average, ``burst`` at once.

    The bucket starts full with ``burst`` tokens (default: one second's
    worth, ``max(1, rate)``) and refills continuously at ``rate`` tokens a
    second up to ``burst``. :meth:`acquire` takes a token, sleeping first when
    none is left.

    Fairness: a caller that finds the bucket empty *reserves* the next token
    at once (the balance goes below zero) and sleeps exactly until that token
    has been refilled, so waiters get through in arrival order and each is
    woken once, at its own time.

    Cancellation: a waiter cancelled while it sleeps gives its reserved token
    back, so no token is lost and the rate is never exceeded. The waiters
    already queued keep their wake-up times (nobody is woken early); the
    returned token goes to the next caller to arrive, who may therefore be
    served before a waiter that came earlier.

    ``clock`` (seconds, monotonic) and ``sleep`` can be replaced for tests.
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = anyio.sleep,
    ) -> None:
        check_number("rate", rate, above=True)
        check_number("burst", burst, minimum=1, none=True)
        if burst is None:
            burst = max(1.0, float(rate))
        self._rate = float(rate)
        self._burst = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._tokens = self._burst
        self._stamp = clock()
        self._waiting = 0
        self._acquired = 0
        self._waited = 0.0
        self._wall_waited = 0.0
        self._wall_since = 0.0

    def __repr__(self) -> str:
        return f"{type(self).__name__}(rate={self._rate!r}, burst={self._burst!r})"

    @property
    def rate(self) -> float:
        """Tokens added per second."""
        return self._rate

    @property
    def burst(self) -> float:
        """Capacity of the bucket."""
        return self._burst

    @property
    def tokens(self) -> float:
        """Tokens available now; below zero, the tokens owed to sleeping waiters."""
        return self._refill()[1]

    @property
    def waiting(self) -> int:
        """Callers sleeping in :meth:`acquire` right now."""
        return self._waiting

    @property
    def acquired(self) -> int:
        """Tokens handed out so far."""
        return self._acquired

    @property
    def waited(self) -> float:
        """Seconds spent sleeping in :meth:`acquire`, summed over callers (cancelled ones too)."""
        return self._waited

    @property
    def wall_waited(self) -> float:
        """Seconds of the clock during which at least one caller was waiting.

        Ten tasks waiting the same second count one second here and ten in
        :attr:`waited`.
        """
        return self._wall_waited

    def _refill(self) -> tuple[float, float]:
        now = self._clock()
        elapsed = now - self._stamp
        if elapsed > 0:
            self._tokens = min(self._burst, self._tokens + elapsed * self._rate)
            self._stamp = now
        return now, self._tokens

    async def acquire(self) -> None:
        """Take one token, sleeping until it is due if the bucket is empty."""
        start, tokens = self._refill()
        self._tokens = tokens - 1.0
        if self._tokens >= 0:
            self._acquired += 1
            return
        if not self._waiting:
            self._wall_since = start
        self._waiting += 1
        try:
            await self._sleep(-self._tokens / self._rate)
        except BaseException:
            # Cancelled (or the sleep failed): the reserved token was never used.
            _, tokens = self._refill()
            self._tokens = min(self._burst, tokens + 1.0)
            raise
        finally:
            self._waiting -= 1
            end = self._clock()
            self._waited += max(end - start, 0.0)
            if not self._waiting:
                self._wall_waited += max(end - self._wall_since, 0.0)
        self._acquired += 1


class ConcurrencyLimiter:
    """At most ``max_concurrency`` holders at once; ``None`` means no limit.

    Use as ``async with limiter:`` around each HTTP attempt. Waiters are
    served in arrival order, each on a future of its own; a released slot goes
    straight to the first of them. Waiting is cancellation-safe: a waiter
    cancelled before its turn leaves the queue, one cancelled just after it
    was handed a slot passes the slot on. Taking a free slot does not yield to
    the event loop. A task may hold one slot at a time: entering again from
    inside its own ``async with`` raises :class:`RuntimeError` (rather than
    deadlocking). ``in_flight`` and ``peak_in_flight`` are counted with or
    without a limit. asyncio only, like the client.
    """

    def __init__(self, max_concurrency: int | None) -> None:
        check_int("max_concurrency", max_concurrency, minimum=1, none=True)
        self._max = max_concurrency
        self._taken = 0  # slots held, or handed to a waiter that has not resumed yet
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._holders: set[asyncio.Task[Any] | None] = set()
        self._in_flight = 0
        self._peak = 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}(max_concurrency={self._max!r})"

    @property
    def max_concurrency(self) -> int | None:
        """The cap, or ``None`` for no limit."""
        return self._max

    @property
    def in_flight(self) -> int:
        """Holders right now."""
        return self._in_flight

    @property
    def peak_in_flight(self) -> int:
        """The most holders seen at once."""
        return self._peak

    @property
    def waiting(self) -> int:
        """Tasks waiting for a slot right now."""
        return len(self._waiters)

    async def acquire(self, *, hold: bool = True) -> None:
        """Take a slot, waiting for one if ``max_concurrency`` are taken.

        ``hold=False`` takes it for no task in particular (a slot reserved for
        a call to come, perhaps made by another task): give it back with
        ``release(held=False)``.
        """
        if self._max is not None:
            task = asyncio.current_task()
            if hold and task in self._holders:
                raise RuntimeError(
                    "this task already holds a slot of this ConcurrencyLimiter "
                    "(a call made from inside another call's attempt would deadlock)"
                )
            if self._taken < self._max and not self._waiters:
                self._taken += 1
            else:
                waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
                self._waiters.append(waiter)
                try:
                    await waiter
                except BaseException:
                    if waiter.done() and not waiter.cancelled():
                        self._release_slot()  # handed a slot, then cancelled: pass it on
                    elif waiter in self._waiters:  # a releaser may have dropped it already
                        self._waiters.remove(waiter)
                    raise
                # the releaser handed its slot over: _taken is unchanged
            if hold:
                self._holders.add(task)
        self._in_flight += 1
        if self._in_flight > self._peak:
            self._peak = self._in_flight

    def release(self, *, held: bool = True) -> None:
        """Give the slot taken by :meth:`acquire` back (from the task that took
        it; any task for one taken with ``hold=False``, passing ``held=False``)."""
        self._in_flight -= 1
        if self._max is not None:
            if held:
                self._holders.discard(asyncio.current_task())
            self._release_slot()

    def _release_slot(self) -> None:
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._taken -= 1

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


class LocalBudget:
    """One client's own limits as a :class:`Budget`: a rate, then a slot.

    Either part may be ``None``. Waits are in-process and not bounded by
    ``timeout``: the rate's wait is known in advance and a slot is freed by a
    call of this same client.
    """

    __slots__ = ("bucket", "limiter")

    def __init__(self, bucket: TokenBucket | None, limiter: ConcurrencyLimiter | None) -> None:
        self.bucket = bucket
        self.limiter = limiter

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.bucket!r}, {self.limiter!r})"

    async def acquire(self, timeout: float | None, *, hold: bool = True) -> None:
        if self.bucket is not None:
            await self.bucket.acquire()
        if self.limiter is not None:
            await self.limiter.acquire(hold=hold)

    def release(self, permit: None, *, held: bool = True) -> None:
        if self.limiter is not None:
            self.limiter.release(held=held)

    async def aclose(self) -> None:
        pass


class Budgets:
    """What one client draws from: its :class:`LocalBudget`, then a shared :class:`Budget`.

    ``shared_wait`` is the wall time, in seconds, during which at least one
    call of this client was in the shared budget's ``acquire`` (Redis round
    trips and waits).
    """

    __slots__ = ("_in_shared", "_since", "_wall", "local", "shared")

    def __init__(self, local: LocalBudget, shared: Budget | None = None) -> None:
        self.local = local
        self.shared = shared
        self._in_shared = 0
        self._since = 0.0
        self._wall = 0.0

    @property
    def shared_wait(self) -> float:
        if self._in_shared:
            return self._wall + (time.perf_counter() - self._since)
        return self._wall

    async def acquire(
        self,
        timeout: float | None,
        waited: Callable[[float, float | None], object] | None = None,
        *,
        hold: bool = True,
    ) -> Any:
        """Both permits; the shared one is returned (the local one needs no token).

        ``waited``, if given, is told the seconds spent in the local limits and
        in the shared budget (``None`` without one) once the permits are held
        (traces and metrics). ``hold=False``: a permit for a call to come,
        perhaps in another task (see :meth:`ConcurrencyLimiter.acquire`);
        release it with ``held=False``.
        """
        shared = self.shared
        if shared is None and waited is None:
            await self.local.acquire(timeout, hold=hold)
            return None
        started = time.perf_counter()
        await self.local.acquire(timeout, hold=hold)
        local_done = time.perf_counter()
        if shared is None:
            assert waited is not None
            waited(local_done - started, None)
            return None
        if timeout is not None:  # what the local wait left of it
            timeout = max(0.0, timeout - (local_done - started))
        if not self._in_shared:
            self._since = time.perf_counter()
        self._in_shared += 1
        try:
            permit = await shared.acquire(timeout)
        except BaseException:
            self.local.release(None, held=hold)
            raise
        finally:
            self._in_shared -= 1
            if not self._in_shared:
                self._wall += time.perf_counter() - self._since
        if waited is not None:
            waited(local_done - started, time.perf_counter() - local_done)
        return permit

    def release(self, permit: Any, *, held: bool = True) -> None:
        try:
            if self.shared is not None:
                self.shared.release(permit)
        finally:
            self.local.release(None, held=held)
