"""The client keeps its promises: closed means closed, one event loop, own rows,
bounded caches, and a rate-limit wait that is wall time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from odoo_async import (
    AsyncModel,
    AsyncOdoo,
    ClientClosedError,
    Record,
    RetryPolicy,
    WrongEventLoopError,
)
from odoo_async._client._limits import TokenBucket
from odoo_async.testing import FakeOdoo


class Partner(Record, model="res.partner"):
    name: str = ""
    category_id: list[int] = []


def connect(fake: FakeOdoo, **options: Any) -> AsyncOdoo:
    options.setdefault("retry", RetryPolicy.NONE)
    return AsyncOdoo(
        "http://odoo.test",
        db=fake.db,
        username="admin",
        password="admin",
        transport=fake.transport(),
        **options,
    )


# --------------------------------------------------------------------------- closed


Use = Callable[[AsyncOdoo], Awaitable[Any]]

PUBLIC_CALLS: list[tuple[str, Use]] = [
    ("version", lambda o: o.version()),
    ("server_version", lambda o: o.server_version()),
    ("authenticate", lambda o: o.authenticate()),
    ("execute_kw", lambda o: o.execute_kw("res.partner", "search_count", [[]])),
    ("execute_kw_raw", lambda o: o.execute_kw_raw("res.partner", "search_count", [[]])),
    ("search", lambda o: o.model("res.partner").search([])),
    ("search_count", lambda o: o.model("res.partner").search_count([])),
    ("read", lambda o: o.model("res.partner").read([1])),
    ("get", lambda o: o.model("res.partner").get(1)),
    ("typed get", lambda o: o.model(Partner).get(1)),
    ("search_read", lambda o: o.model("res.partner").search_read([], ["name"]).all()),
    ("fields_get", lambda o: o.model("res.partner").fields_get(attributes=["type"])),
    ("name_search", lambda o: o.model("res.partner").name_search("a")),
    ("read_group", lambda o: o.model("res.partner").read_group([], ["id"], ["is_company"])),
    ("create", lambda o: o.model("res.partner").create({"name": "x"})),
    ("write", lambda o: o.model("res.partner").write([1], {"name": "x"})),
    ("exists", lambda o: o.model("res.partner").exists([1])),
    ("view", lambda o: o.with_context(lang="fr_FR").execute_kw("res.partner", "search", [[]])),
]


@pytest.mark.parametrize("use", [pytest.param(use, id=label) for label, use in PUBLIC_CALLS])
async def test_every_public_call_on_a_closed_client_raises(use: Use) -> None:
    fake = FakeOdoo(db="odoo", partners=5)
    odoo = connect(fake)
    async with odoo:
        # fill every cache first: a closed client must not answer from them
        await use(odoo)
        await odoo.version()
        await odoo.model("res.partner").fields_get(attributes=["type"])
    sent = fake.count()
    with pytest.raises(ClientClosedError, match="closed"):
        await use(odoo)
    assert fake.count() == sent


# --------------------------------------------------------------------------- event loops


def test_a_client_used_from_a_second_event_loop_says_which_loop_owns_it() -> None:
    fake = FakeOdoo(db="odoo", partners=5)
    odoo = connect(fake)

    async def count() -> int:
        return int(await odoo.execute_kw("res.partner", "search_count", [[]]))

    assert asyncio.run(count()) > 0
    with pytest.raises(WrongEventLoopError, match="event loop that opened it") as info:
        asyncio.run(count())
    assert isinstance(info.value, RuntimeError)
    with pytest.raises(WrongEventLoopError):
        asyncio.run(odoo.version())

    async def close() -> None:
        await odoo.aclose()

    asyncio.run(close())  # closing from another loop is allowed: it forgets the pool
    assert odoo.closed


# --------------------------------------------------------------------------- own rows


@pytest.mark.parametrize("typed", [False, True], ids=["dict", "record"])
async def test_concurrent_gets_of_one_id_give_each_caller_its_own_row(typed: bool) -> None:
    fake = FakeOdoo(db="odoo", partners=5)
    async with connect(fake) as odoo:
        repo: AsyncModel[Any] = odoo.model(Partner) if typed else odoo.model("res.partner")
        fields = None if typed else ["name", "category_id"]
        first, second, third = await asyncio.gather(
            repo.get(1, fields), repo.get(1, fields), repo.get(1, fields)
        )
        assert fake.count(method="read") == 1
        assert first == second == third
        assert first is not second
        assert second is not third
        if typed:
            first.name = "changed"
            first.category_id.append(99)
            assert second.name != "changed"
            assert 99 not in second.category_id
        else:
            first["name"] = "changed"
            first["category_id"].append(99)
            assert second["name"] != "changed"
            assert 99 not in second["category_id"]


# --------------------------------------------------------------------------- bounded caches


async def test_idle_batchers_go_away() -> None:
    fake = FakeOdoo(db="odoo", partners=5)
    async with connect(fake) as odoo:
        for n in range(300):
            view = odoo.with_context(request_id=n)
            await view.model("res.partner").get(1, ["name"])
        assert len(odoo.caches.batchers) == 0
        # a batcher in use is kept while it is busy
        pending = asyncio.ensure_future(odoo.model("res.partner").get(1, ["name"]))
        await asyncio.sleep(0)
        assert len(odoo.caches.batchers) == 1
        await pending
        assert len(odoo.caches.batchers) == 0


async def test_the_fields_get_cache_has_a_size_limit() -> None:
    fake = FakeOdoo(db="odoo", partners=5)
    async with connect(fake) as odoo:
        limit = odoo.caches.fields_get.max_size
        for n in range(limit + 50):
            await odoo.with_context(request_id=n).model("res.partner").fields_get(["name"])
        assert len(odoo.caches.fields_get) == limit
        # the most recent entries are the ones kept
        calls = fake.count(method="fields_get")
        await odoo.with_context(request_id=limit + 49).model("res.partner").fields_get(["name"])
        assert fake.count(method="fields_get") == calls
        await odoo.with_context(request_id=0).model("res.partner").fields_get(["name"])
        assert fake.count(method="fields_get") == calls + 1


# --------------------------------------------------------------------------- rate limit wait


async def test_rate_limit_wait_is_wall_time_not_a_sum_over_tasks() -> None:
    now = [0.0]

    async def sleep(seconds: float) -> None:
        await asyncio.sleep(0)
        now[0] = max(now[0], wake_at[0])

    wake_at = [0.0]
    bucket = TokenBucket(10, burst=1, clock=lambda: now[0], sleep=sleep)
    await bucket.acquire()  # the one token of the burst
    # ten tasks wait together: the last one is due 1 s from now
    wake_at[0] = 1.0
    await asyncio.gather(*(bucket.acquire() for _ in range(10)))
    assert bucket.waited == pytest.approx(10.0)  # summed over the ten callers
    assert bucket.wall_waited == pytest.approx(1.0)  # what the clock saw


async def test_stats_rate_limit_wait_reports_wall_time() -> None:
    fake = FakeOdoo(db="odoo", partners=5)
    async with connect(fake, rate_limit=1000, burst=1) as odoo:
        await asyncio.gather(*(odoo.execute_kw("res.partner", "search", [[]]) for _ in range(5)))
        bucket = odoo._core.bucket
        assert bucket is not None
        assert odoo.stats.rate_limit_wait == bucket.wall_waited
        assert odoo.stats.rate_limit_wait <= bucket.waited
