"""Token bucket and concurrency limiter, on a fake clock: no real time passes."""

from __future__ import annotations

import heapq
import itertools
import math
import random

import anyio
import pytest

from odoo_async._client._limits import ConcurrencyLimiter, TokenBucket

EPSILON = 1e-9


class JumpTime:
    """A clock whose sleep() just moves time forward (for one task at a time)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class SteppedTime:
    """A clock moved by the test; sleepers wake when it passes their deadline."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._queue: list[tuple[float, int, anyio.Event]] = []
        self._seq = itertools.count()

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        event = anyio.Event()
        heapq.heappush(self._queue, (self.now + seconds, next(self._seq), event))
        await event.wait()

    async def advance(self, seconds: float) -> None:
        self.now += seconds
        while self._queue and self._queue[0][0] <= self.now + EPSILON:
            heapq.heappop(self._queue)[2].set()
        await anyio.wait_all_tasks_blocked()


def _within_rate(bucket: TokenBucket, now: float) -> bool:
    """Never more tokens handed out than the burst plus what the rate refilled."""
    return bucket.acquired <= bucket.burst + bucket.rate * now + EPSILON


# --------------------------------------------------------------------------- TokenBucket config


@pytest.mark.parametrize(("rate", "burst"), [(10, 10.0), (0.5, 1.0), (1, 1.0), (250.5, 250.5)])
def test_burst_defaults_to_one_second(rate: float, burst: float) -> None:
    bucket = TokenBucket(rate)
    assert bucket.burst == burst
    assert bucket.rate == float(rate)
    assert bucket.tokens == burst  # starts full


def test_bucket_repr_and_counters_start_at_zero() -> None:
    bucket = TokenBucket(5, burst=2)
    assert repr(bucket) == "TokenBucket(rate=5.0, burst=2.0)"
    assert (bucket.acquired, bucket.waited, bucket.waiting) == (0, 0.0, 0)


@pytest.mark.parametrize(
    ("rate", "burst", "error", "name"),
    [
        (0, None, ValueError, "rate"),
        (-1, None, ValueError, "rate"),
        (math.inf, None, ValueError, "rate"),
        (math.nan, None, ValueError, "rate"),
        (True, None, TypeError, "rate"),
        ("10", None, TypeError, "rate"),
        (10, 0.5, ValueError, "burst"),
        (10, 0, ValueError, "burst"),
        (10, math.inf, ValueError, "burst"),
        (10, "2", TypeError, "burst"),
    ],
)
def test_bucket_validation(rate: object, burst: object, error: type[Exception], name: str) -> None:
    with pytest.raises(error, match=name):
        TokenBucket(rate, burst=burst)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- rate math


async def test_burst_is_immediate_then_one_token_per_interval() -> None:
    t = JumpTime()
    bucket = TokenBucket(4, clock=t.clock, sleep=t.sleep)
    for _ in range(4):
        await bucket.acquire()
    assert t.sleeps == []
    assert t.now == 0.0
    for _ in range(8):
        await bucket.acquire()
    assert t.sleeps == [0.25] * 8
    assert t.now == 2.0  # (12 - 4 burst) / 4 per second
    assert bucket.acquired == 12
    assert bucket.waited == 2.0
    assert _within_rate(bucket, t.now)


@pytest.mark.parametrize(("rate", "burst", "calls"), [(10, 1, 31), (3, 5, 20), (0.5, 2, 6)])
async def test_total_time_follows_rate(rate: float, burst: float, calls: int) -> None:
    t = JumpTime()
    bucket = TokenBucket(rate, burst=burst, clock=t.clock, sleep=t.sleep)
    for _ in range(calls):
        await bucket.acquire()
    assert t.now == pytest.approx((calls - burst) / rate)
    assert bucket.waited == pytest.approx(t.now)
    assert len(t.sleeps) == calls - burst


async def test_refill_is_capped_at_burst() -> None:
    t = JumpTime()
    bucket = TokenBucket(4, burst=2, clock=t.clock, sleep=t.sleep)
    await bucket.acquire()
    await bucket.acquire()
    assert bucket.tokens == 0.0
    t.now += 100.0  # a long quiet spell refills only up to the burst
    assert bucket.tokens == 2.0
    await bucket.acquire()
    await bucket.acquire()
    assert t.sleeps == []
    await bucket.acquire()
    assert t.sleeps == [0.25]


async def test_partial_refill_shortens_the_wait() -> None:
    t = JumpTime()
    bucket = TokenBucket(4, burst=1, clock=t.clock, sleep=t.sleep)
    await bucket.acquire()
    t.now += 0.125  # half a token
    assert bucket.tokens == 0.5
    await bucket.acquire()
    assert t.sleeps == [0.125]
    assert t.now == 0.25


async def test_clock_going_backwards_adds_nothing() -> None:
    t = JumpTime()
    t.now = 10.0
    bucket = TokenBucket(4, burst=1, clock=t.clock, sleep=t.sleep)
    await bucket.acquire()
    t.now = 5.0
    assert bucket.tokens == 0.0


# --------------------------------------------------------------------------- concurrent waiters


async def test_waiters_are_served_in_arrival_order_each_woken_once() -> None:
    t = SteppedTime()
    bucket = TokenBucket(4, burst=1, clock=t.clock, sleep=t.sleep)
    order: list[int] = []

    async def take(n: int) -> None:
        await bucket.acquire()
        order.append(n)

    async with anyio.create_task_group() as tg:
        for n in range(6):
            tg.start_soon(take, n)
            await anyio.wait_all_tasks_blocked()
        assert order == [0]
        assert bucket.waiting == 5
        assert bucket.tokens == -5.0
        assert t.sleeps == [0.25, 0.5, 0.75, 1.0, 1.25]
        for step in range(1, 6):
            await t.advance(0.25)
            assert order == list(range(step + 1))
            assert _within_rate(bucket, t.now)
    assert bucket.acquired == 6
    assert bucket.waiting == 0
    assert len(t.sleeps) == 5  # nobody slept twice
    assert bucket.waited == pytest.approx(0.25 + 0.5 + 0.75 + 1.0 + 1.25)


async def test_cancelled_waiter_gives_its_token_back() -> None:
    t = SteppedTime()
    bucket = TokenBucket(4, burst=1, clock=t.clock, sleep=t.sleep)
    await bucket.acquire()  # bucket empty at t=0
    got: list[str] = []
    scopes: dict[str, anyio.CancelScope] = {}

    async def take(name: str) -> None:
        with anyio.CancelScope() as scope:
            scopes[name] = scope
            await bucket.acquire()
            got.append(name)

    async with anyio.create_task_group() as tg:
        for name in ("a", "b", "c"):  # due at 0.25, 0.5, 0.75
            tg.start_soon(take, name)
            await anyio.wait_all_tasks_blocked()
        assert bucket.tokens == -3.0
        scopes["b"].cancel()
        await anyio.wait_all_tasks_blocked()
        assert bucket.waiting == 2
        assert bucket.tokens == -2.0  # b's reservation returned

        await t.advance(0.25)
        assert got == ["a"]
        await t.advance(0.25)
        # b's slot at 0.5 goes unused; the returned token is the one due at 0.75
        assert got == ["a"]
        assert bucket.tokens == 0.0
        tg.start_soon(take, "d")
        await anyio.wait_all_tasks_blocked()
        assert got == ["a"]
        assert t.sleeps[-1] == 0.25
        await t.advance(0.25)
        assert got == ["a", "c", "d"]
        assert bucket.acquired == 4  # 1 burst + 0.75 s * 4/s: the rate is not exceeded
        assert _within_rate(bucket, t.now)
    assert bucket.waiting == 0


async def test_newcomer_may_overtake_after_cancellations_but_rate_holds() -> None:
    t = SteppedTime()
    bucket = TokenBucket(4, burst=1, clock=t.clock, sleep=t.sleep)
    await bucket.acquire()
    got: list[str] = []
    scopes: dict[str, anyio.CancelScope] = {}

    async def take(name: str) -> None:
        with anyio.CancelScope() as scope:
            scopes[name] = scope
            await bucket.acquire()
            got.append(name)

    async with anyio.create_task_group() as tg:
        for name in ("a", "b", "c"):  # due at 0.25, 0.5, 0.75
            tg.start_soon(take, name)
            await anyio.wait_all_tasks_blocked()
        scopes["a"].cancel()
        scopes["b"].cancel()
        tg.start_soon(take, "d")  # reserves the token due at 0.5
        await anyio.wait_all_tasks_blocked()
        await t.advance(0.25)
        assert got == []
        await t.advance(0.25)
        assert got == ["d"]
        await t.advance(0.25)
        assert got == ["d", "c"]
        assert _within_rate(bucket, t.now)


async def test_cancelling_every_waiter_restores_the_bucket() -> None:
    t = SteppedTime()
    bucket = TokenBucket(4, burst=2, clock=t.clock, sleep=t.sleep)
    await bucket.acquire()
    await bucket.acquire()

    async with anyio.create_task_group() as tg:
        for _ in range(10):
            tg.start_soon(bucket.acquire)
        await anyio.wait_all_tasks_blocked()
        assert bucket.waiting == 10
        assert bucket.tokens == -10.0
        tg.cancel_scope.cancel()
    assert bucket.waiting == 0
    assert bucket.acquired == 2
    assert bucket.tokens == 0.0  # as if the waiters had never come
    t.now += 0.25
    await bucket.acquire()  # one token refilled: no wait
    assert bucket.acquired == 3
    assert bucket.waited == 0.0  # no fake time passed while they waited


async def test_cancelled_waiter_time_is_counted_and_refund_is_capped() -> None:
    t = SteppedTime()
    bucket = TokenBucket(4, burst=1, clock=t.clock, sleep=t.sleep)
    await bucket.acquire()
    async with anyio.create_task_group() as tg:
        tg.start_soon(bucket.acquire)
        await anyio.wait_all_tasks_blocked()
        t.now += 10.0  # far past its turn, but not yet woken
        tg.cancel_scope.cancel()
    assert bucket.waited == 10.0
    assert bucket.tokens == 1.0  # refilled and refunded, still no more than the burst


async def test_many_waiters_random_cancellations_keep_the_bucket_consistent() -> None:
    rng = random.Random(4)
    t = SteppedTime()
    bucket = TokenBucket(8, burst=4, clock=t.clock, sleep=t.sleep)
    done: list[int] = []
    cancelled: list[int] = []
    scopes: list[anyio.CancelScope] = []

    async def take(n: int) -> None:
        with anyio.CancelScope() as scope:
            scopes.append(scope)
            await bucket.acquire()
            done.append(n)
            return
        cancelled.append(n)

    async with anyio.create_task_group() as tg:
        for n in range(200):
            tg.start_soon(take, n)
        await anyio.wait_all_tasks_blocked()
        for step in range(80):
            for scope in rng.sample(scopes, 3):
                scope.cancel()
            await anyio.wait_all_tasks_blocked()
            await t.advance(rng.choice([0.0625, 0.125, 0.5]))
            assert _within_rate(bucket, t.now), step
            assert bucket.waiting == 200 - len(done) - len(cancelled)
        await t.advance(1000.0)
    assert len(done) + len(cancelled) == 200
    assert bucket.acquired == len(done)
    assert cancelled  # the test did cancel some
    # Waiters that were never cancelled got through in arrival order.
    assert done == sorted(done)
    t.now += 1000.0
    assert bucket.tokens == bucket.burst


# --------------------------------------------------------------------------- ConcurrencyLimiter


@pytest.mark.parametrize(
    ("value", "error"), [(0, ValueError), (-1, ValueError), (1.5, TypeError), (True, TypeError)]
)
def test_limiter_validation(value: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="max_concurrency"):
        ConcurrencyLimiter(value)  # type: ignore[arg-type]


def test_limiter_made_outside_the_event_loop() -> None:
    limiter = ConcurrencyLimiter(3)
    assert repr(limiter) == "ConcurrencyLimiter(max_concurrency=3)"
    assert (limiter.max_concurrency, limiter.in_flight, limiter.peak_in_flight) == (3, 0, 0)
    assert limiter.waiting == 0


@pytest.mark.parametrize(("cap", "tasks", "peak"), [(3, 10, 3), (1, 4, 1), (None, 10, 10)])
async def test_limiter_caps_in_flight_and_records_peak(
    cap: int | None, tasks: int, peak: int
) -> None:
    limiter = ConcurrencyLimiter(cap)
    gate = anyio.Event()
    seen: list[int] = []

    async def work() -> None:
        async with limiter:
            seen.append(limiter.in_flight)
            await gate.wait()

    async with anyio.create_task_group() as tg:
        for _ in range(tasks):
            tg.start_soon(work)
        await anyio.wait_all_tasks_blocked()
        assert limiter.in_flight == peak
        assert limiter.waiting == tasks - peak
        gate.set()
    assert len(seen) == tasks
    assert max(seen) == peak
    assert limiter.peak_in_flight == peak
    assert limiter.in_flight == 0
    assert limiter.waiting == 0


async def test_limiter_survives_cancellation_while_waiting_and_holding() -> None:
    limiter = ConcurrencyLimiter(1)
    release = anyio.Event()
    holder_scope = anyio.CancelScope()
    waiter_scope = anyio.CancelScope()
    entered: list[str] = []

    async def hold(name: str, scope: anyio.CancelScope) -> None:
        with scope:
            async with limiter:
                entered.append(name)
                await release.wait()

    async with anyio.create_task_group() as tg:
        tg.start_soon(hold, "holder", holder_scope)
        await anyio.wait_all_tasks_blocked()
        tg.start_soon(hold, "waiter", waiter_scope)
        await anyio.wait_all_tasks_blocked()
        assert (limiter.in_flight, limiter.waiting) == (1, 1)

        waiter_scope.cancel()  # cancelled while waiting for a slot
        await anyio.wait_all_tasks_blocked()
        assert (limiter.in_flight, limiter.waiting) == (1, 0)
        assert entered == ["holder"]

        holder_scope.cancel()  # cancelled while holding the slot
        await anyio.wait_all_tasks_blocked()
        assert limiter.in_flight == 0

    async with limiter:  # the slot is free again
        assert limiter.in_flight == 1
    assert limiter.peak_in_flight == 1


async def test_limiter_releases_on_error() -> None:
    limiter = ConcurrencyLimiter(1)
    with pytest.raises(ZeroDivisionError):
        async with limiter:
            1 / 0  # noqa: B018
    assert limiter.in_flight == 0
    entered: list[int] = []

    async def enter() -> None:
        async with limiter:
            entered.append(limiter.in_flight)

    async with anyio.create_task_group() as tg:
        tg.start_soon(enter)
        await anyio.wait_all_tasks_blocked()
        assert entered == [1], "the slot leaked"


@pytest.mark.parametrize("cap", [1, 2])
async def test_limiter_refuses_reentry_from_the_same_task(cap: int) -> None:
    limiter = ConcurrencyLimiter(cap)
    async with limiter:
        with pytest.raises(RuntimeError):
            async with limiter:
                pass  # pragma: no cover
        assert limiter.in_flight == 1
    assert limiter.in_flight == 0
