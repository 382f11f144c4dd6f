"""RedisBudget against a real redis-server: rate, slots, leases, outages, the client."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel
import pytest
import redis.asyncio as aioredis
from anyio.streams.buffered import BufferedByteReceiveStream

from odoo_async import AsyncOdoo, Budget, BudgetUnavailable, OdooError, RequestTimeout
from odoo_async.redis import RedisBudget
from odoo_async.testing import FakeOdoo

HERE = Path(__file__).parent


def client(fake: FakeOdoo, budget: RedisBudget, **options: Any) -> AsyncOdoo:
    return AsyncOdoo(
        "http://odoo",
        db="odoo",
        username="admin",
        password="admin",
        transport=fake.transport(),
        budget=budget,
        **options,
    )


# -- configuration ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"url": "http://x", "key": "k", "rate_limit": 1}, ValueError, "redis://"),
        ({"key": "", "rate_limit": 1}, ValueError, "key"),
        ({"key": 7, "rate_limit": 1}, TypeError, "key"),
        ({"key": "k"}, ValueError, "rate_limit=, max_concurrency="),
        ({"key": "k", "rate_limit": 0}, ValueError, "rate_limit"),
        ({"key": "k", "rate_limit": float("inf")}, ValueError, "rate_limit"),
        ({"key": "k", "rate_limit": "5"}, TypeError, "rate_limit"),
        ({"key": "k", "rate_limit": 5, "burst": 0.5}, ValueError, "burst"),
        ({"key": "k", "burst": 5, "max_concurrency": 1}, ValueError, "burst needs rate_limit"),
        ({"key": "k", "max_concurrency": 0}, ValueError, "max_concurrency"),
        ({"key": "k", "max_concurrency": 2.5}, TypeError, "max_concurrency"),
        ({"key": "k", "max_concurrency": True}, TypeError, "max_concurrency"),
        ({"key": "k", "max_concurrency": 1, "lease_seconds": 0}, ValueError, "lease_seconds"),
        ({"key": "k", "max_concurrency": 1, "fallback": "none"}, ValueError, "fallback"),
        ({"key": "k", "max_concurrency": 1, "timeout": -1}, ValueError, "timeout"),
    ],
)
def test_bad_configuration_is_refused(options: dict[str, Any], error: type, message: str) -> None:
    url = options.pop("url", "redis://127.0.0.1:1/0")
    with pytest.raises(error, match=message):
        RedisBudget(url, **options)


def test_repr_masks_the_password_and_is_a_budget() -> None:
    budget = RedisBudget(
        "redis://worker:s3cret@cache:6380/2", key="odoo:acme", rate_limit=40, max_concurrency=8
    )
    assert "s3cret" not in repr(budget)
    assert repr(budget) == (
        "RedisBudget('redis://worker:***@cache:6380/2', key='odoo:acme', rate_limit=40.0, "
        "burst=40.0, max_concurrency=8, lease_seconds=30.0)"
    )
    assert isinstance(budget, Budget)


# -- rate -------------------------------------------------------------------------------


async def test_the_burst_goes_at_once_then_a_permit_that_cannot_come_in_time_times_out(
    redis_url: str, budget_key: str
) -> None:
    async with RedisBudget(redis_url, key=budget_key, rate_limit=0.5, burst=3) as budget:
        for _ in range(3):
            budget.release(await budget.acquire(5))
        # the next permit is 2 s away: a 0.1 s pool timeout cannot wait for it
        with pytest.raises(RequestTimeout, match="no permit from the shared budget") as caught:
            await budget.acquire(0.1)
        assert caught.value.limit == "pool"


async def test_two_budget_objects_on_one_key_share_the_rate(
    redis_url: str, budget_key: str
) -> None:
    first = RedisBudget(redis_url, key=budget_key, rate_limit=0.5, burst=2)
    second = RedisBudget(redis_url, key=budget_key, rate_limit=0.5, burst=2)
    try:
        await first.acquire(5)
        await second.acquire(5)
        with pytest.raises(RequestTimeout):
            await first.acquire(0.1)
        with pytest.raises(RequestTimeout):
            await second.acquire(0.1)
    finally:
        await first.aclose()
        await second.aclose()


async def test_a_waiter_cancelled_gives_its_permit_back(redis_url: str, budget_key: str) -> None:
    async with RedisBudget(redis_url, key=budget_key, rate_limit=0.2, burst=1) as budget:
        await budget.acquire(None)  # the burst
        with anyio.move_on_after(0.2):
            await budget.acquire(None)  # reserved 5 s ahead, then cancelled
        await anyio.wait_all_tasks_blocked()
        async with aioredis.Redis.from_url(redis_url) as r:
            # the refund runs in the background; wait for it through Redis itself
            for _ in range(100):
                tat = int(await r.get(f"{{{budget_key}}}:rate"))
                now = await r.time()
                if tat - (now[0] * 1_000_000 + now[1]) <= 5_000_000:
                    break
                await anyio.sleep(0.01)
            assert tat - (now[0] * 1_000_000 + now[1]) <= 5_000_000  # one interval owed, not two


# -- slots ------------------------------------------------------------------------------


async def test_slots_are_capped_and_come_back_on_release(redis_url: str, budget_key: str) -> None:
    async with RedisBudget(redis_url, key=budget_key, max_concurrency=2) as budget:
        first = await budget.acquire(5)
        second = await budget.acquire(5)
        assert budget.held == 2
        with pytest.raises(RequestTimeout, match="pool timeout"):
            await budget.acquire(0.2)
        budget.release(first)
        third = await budget.acquire(5)
        budget.release(second)
        budget.release(third)
        assert budget.held == 0


async def test_a_local_release_wakes_the_waiter(redis_url: str, budget_key: str) -> None:
    async with RedisBudget(redis_url, key=budget_key, max_concurrency=1) as budget:
        permit = await budget.acquire(5)
        got: list[Any] = []

        async def wait() -> None:
            got.append(await budget.acquire(30))

        async with anyio.create_task_group() as tg:
            tg.start_soon(wait)
            await anyio.wait_all_tasks_blocked()
            assert got == []
            budget.release(permit)
        assert len(got) == 1
        budget.release(got[0])


async def test_a_long_call_renews_its_lease(redis_url: str, budget_key: str) -> None:
    holder = RedisBudget(redis_url, key=budget_key, max_concurrency=1, lease_seconds=1.0)
    other = RedisBudget(redis_url, key=budget_key, max_concurrency=1, lease_seconds=1.0)
    try:
        permit = await holder.acquire(5)
        # 2.5 lease periods: without renewal the slot would have expired twice over
        with pytest.raises(RequestTimeout):
            await other.acquire(2.5)
        holder.release(permit)
        other.release(await other.acquire(10))
    finally:
        await holder.aclose()
        await other.aclose()


async def test_a_killed_holder_gives_its_slots_back_within_lease_seconds(
    redis_url: str, budget_key: str
) -> None:
    lease = 2.0
    command = [
        sys.executable, str(HERE / "_budget_worker.py"), "hold", "--redis", redis_url,
        "--key", budget_key, "--max-concurrency", "3", "--slots", "3",
        "--lease-seconds", str(lease),
    ]  # fmt: skip
    async with await anyio.open_process(command) as worker:
        assert worker.stdout is not None
        try:
            line = await BufferedByteReceiveStream(worker.stdout).receive_until(b"\n", 100)
            assert line == b"held"
        finally:
            worker.kill()  # SIGKILL: no chance to give anything back
            await worker.wait()
        async with aioredis.Redis.from_url(redis_url) as r:
            seconds, micros = await r.time()
            killed_at = seconds * 1_000_000 + micros
            leases = await r.zrange(f"{{{budget_key}}}:slots", 0, -1, withscores=True)
        assert len(leases) == 3
        # every lease ends at most lease_seconds after the kill (Redis' clock) ...
        assert all(expiry <= killed_at + lease * 1_000_000 for _, expiry in leases)
        async with RedisBudget(redis_url, key=budget_key, max_concurrency=3) as budget:
            with pytest.raises(RequestTimeout):
                await budget.acquire(0.0)  # ... and is held until then
            # ... after which all three slots can be taken again
            permits = [await budget.acquire(lease * 5) for _ in range(3)]
            async with aioredis.Redis.from_url(redis_url) as r:
                mine = await r.zrange(f"{{{budget_key}}}:slots", 0, -1)
            assert sorted(mine) == sorted(p.encode() for p in permits)


# -- Redis unavailable -------------------------------------------------------------------


async def test_redis_stopped_mid_run_raises_budget_unavailable(
    own_redis: Any, budget_key: str
) -> None:
    fake = FakeOdoo()
    budget = RedisBudget(own_redis.url, key=budget_key, rate_limit=1000, max_concurrency=4)
    async with client(fake, budget) as odoo:
        assert await odoo.execute_kw("res.partner", "search_count", [[]]) > 0
        own_redis.stop()
        before = fake.requests
        with pytest.raises(BudgetUnavailable) as caught:
            await odoo.execute_kw("res.partner", "search_count", [[]])
        assert isinstance(caught.value, OdooError)
        assert caught.value.key == budget_key
        assert f"shared budget {budget_key!r}" in str(caught.value)
        assert "is unavailable" in str(caught.value)
        assert fake.requests == before  # nothing went to Odoo


async def test_redis_stopped_mid_run_falls_back_to_local_limits_with_one_warning(
    own_redis: Any, budget_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeOdoo()
    budget = RedisBudget(
        own_redis.url, key=budget_key, rate_limit=1000, max_concurrency=4, fallback="local"
    )
    async with client(fake, budget) as odoo:
        await odoo.execute_kw("res.partner", "search_count", [[]])
        own_redis.stop()
        with caplog.at_level(logging.WARNING, logger="odoo_async.redis"):
            for _ in range(5):
                assert await odoo.execute_kw("res.partner", "search_count", [[]]) > 0
        warnings = [r for r in caplog.records if "local limits only" in r.getMessage()]
        assert len(warnings) == 1
        assert budget_key in warnings[0].getMessage()


async def test_a_redis_that_does_not_answer_is_unavailable_not_a_hang(
    own_redis: Any, budget_key: str
) -> None:
    fake = FakeOdoo()
    budget = RedisBudget(own_redis.url, key=budget_key, max_concurrency=4, timeout=0.3)
    async with client(fake, budget) as odoo:
        await odoo.execute_kw("res.partner", "search_count", [[]])
        own_redis.pause()
        try:
            with pytest.raises(BudgetUnavailable, match=r"no answer within 0\.3 s"):
                await odoo.execute_kw("res.partner", "search_count", [[]])
        finally:
            own_redis.resume()


def test_a_password_in_the_url_stays_out_of_errors() -> None:
    async def run() -> None:
        budget = RedisBudget("redis://:hunter2@127.0.0.1:1/0", key="k", max_concurrency=1)
        try:
            with pytest.raises(BudgetUnavailable) as caught:
                await budget.acquire(5)
            assert "hunter2" not in str(caught.value)
            assert "hunter2" not in caught.value.url
        finally:
            await budget.aclose()

    anyio.run(run)


# -- through the client -----------------------------------------------------------------


async def test_the_client_draws_every_attempt_from_the_budget_and_counts_the_wait(
    redis_url: str, budget_key: str
) -> None:
    fake = FakeOdoo()
    fake.inject("503", times=2, method="search_count")
    budget = RedisBudget(redis_url, key=budget_key, rate_limit=20, burst=1, max_concurrency=2)
    async with client(fake, budget, sleep=lambda _: anyio.lowlevel.checkpoint()) as odoo:
        await odoo.execute_kw("res.partner", "search_count", [[]], idempotent=True)
        assert fake.requests == 4  # the login, two 503s and the answer
        assert odoo.stats.requests == 4
        assert odoo.stats.budget_wait > 0.1  # three permits 50 ms apart after the first
        assert budget.held == 0
    async with aioredis.Redis.from_url(redis_url) as r:
        assert await r.zcard(f"{{{budget_key}}}:slots") == 0  # aclose gave everything back


def test_the_client_refuses_a_budget_that_is_not_one() -> None:
    with pytest.raises(TypeError, match="budget"):
        AsyncOdoo("http://odoo", db="odoo", username="admin", password="admin", budget=object())
