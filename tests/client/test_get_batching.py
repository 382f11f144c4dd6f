"""``get()``s that wait for a ``max_concurrency`` slot join the read that goes when it frees.

The double holds the reply of a call that takes the only slot; the ``get()``s
asked for meanwhile queue behind it. When the hold ends, they are read in
``ceil(N / batch_size)`` reads, counted in the double's call log: in-process
and over loopback TCP, each caller with its own row or its own error.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator

import pytest
from conftest import settle

from odoo_async import AsyncOdoo, MissingError, ReadBatcher
from odoo_async.testing import FakeOdoo

N = 10
LIMIT = 4


@pytest.fixture(params=["in-process", "tcp"])
async def odoo_and_fake(
    request: pytest.FixtureRequest,
) -> AsyncIterator[tuple[AsyncOdoo, FakeOdoo]]:
    fake = FakeOdoo(partners=50)
    if request.param == "in-process":
        async with AsyncOdoo(
            "http://odoo.test",
            db=fake.db,
            username="admin",
            password="admin",
            transport=fake.transport(),
            max_concurrency=1,
        ) as odoo:
            yield odoo, fake
    else:
        async with (
            fake.serve() as url,
            AsyncOdoo(
                url, db=fake.db, username="admin", password="admin", max_concurrency=1
            ) as odoo,
        ):
            yield odoo, fake


def _batcher(odoo: AsyncOdoo) -> ReadBatcher[object]:
    (batcher,) = odoo.caches.batchers.values()
    return batcher


async def _queued_behind_a_held_call(
    odoo: AsyncOdoo, fake: FakeOdoo, ids: list[int]
) -> tuple[list[asyncio.Future[dict[str, object]]], asyncio.Future[int]]:
    """``get()``s of ``ids`` asked for while another call holds the only slot."""
    partners = odoo.model("res.partner", batch_size=LIMIT)
    await odoo.authenticate()
    fake.clear_calls()
    with fake.hold() as held:
        busy = asyncio.ensure_future(odoo.model("res.partner").search_count([]))
        await held.requests(1)  # it holds the only slot, its reply held
        gets = []
        for record_id in ids:  # one per tick: each arrives after the last was queued
            gets.append(asyncio.ensure_future(partners.get(record_id, ["name"])))
            await asyncio.sleep(0)
        await settle(lambda: _batcher(odoo).pending == len(set(ids)))
        assert fake.count("res.partner", "read") == 0  # nothing left while the slot was taken
    return gets, busy


async def test_gets_queued_behind_max_concurrency_become_ceil_n_over_limit_reads(
    odoo_and_fake: tuple[AsyncOdoo, FakeOdoo],
) -> None:
    odoo, fake = odoo_and_fake
    gets, busy = await _queued_behind_a_held_call(odoo, fake, list(range(1, N + 1)))
    rows = await asyncio.gather(*gets)
    assert await busy >= 50
    assert [row["id"] for row in rows] == list(range(1, N + 1))
    reads = [call.args[0] for call in fake.calls if call.method == "read"]
    assert len(reads) == math.ceil(N / LIMIT) == 3
    assert reads == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]  # oldest first, the rest in the next
    assert odoo.stats.peak_in_flight == 1


async def test_a_missing_id_fails_only_its_own_get(
    odoo_and_fake: tuple[AsyncOdoo, FakeOdoo],
) -> None:
    odoo, fake = odoo_and_fake
    gets, busy = await _queued_behind_a_held_call(odoo, fake, [1, 2, 999, 3])
    outcomes = await asyncio.gather(*gets, return_exceptions=True)
    await busy
    assert [o["id"] for o in outcomes if isinstance(o, dict)] == [1, 2, 3]
    error = outcomes[2]
    assert isinstance(error, MissingError)
    assert "res.partner(999,)" in str(error)
    assert fake.count("res.partner", "read") == 1


async def test_one_cancelled_get_does_not_cancel_the_others_nor_go_in_the_read(
    odoo_and_fake: tuple[AsyncOdoo, FakeOdoo],
) -> None:
    odoo, fake = odoo_and_fake
    gets, busy = await _queued_behind_a_held_call(odoo, fake, [1, 2, 3, 4, 5])
    gets[1].cancel()
    outcomes = await asyncio.gather(*gets, return_exceptions=True)
    await busy
    assert isinstance(outcomes[1], asyncio.CancelledError)
    assert [o["id"] for o in outcomes if isinstance(o, dict)] == [1, 3, 4, 5]
    reads = [call.args[0] for call in fake.calls if call.method == "read"]
    assert reads == [[1, 3, 4, 5]]  # the cancelled id left room for the next


async def test_an_unused_reservation_gives_its_slot_back() -> None:
    fake = FakeOdoo(partners=5)
    async with AsyncOdoo(
        "http://odoo.test",
        db=fake.db,
        username="admin",
        password="admin",
        transport=fake.transport(),
        max_concurrency=1,
    ) as odoo:
        limiter = odoo._core.limiter
        async with odoo.reserve_slot():
            assert limiter.in_flight == 1
        assert limiter.in_flight == 0
        async with odoo.reserve_slot():  # used by the call made inside: no second slot needed
            assert limiter.in_flight == 1
            assert await odoo.model("res.partner").search_count([]) >= 5
            assert limiter.in_flight == 0  # given back by that call
        assert limiter.in_flight == 0
        assert limiter.waiting == 0
        assert limiter.peak_in_flight == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"batch_window": -1}, "res.partner: batch_window must be seconds, a number >= 0"),
        ({"batch_window": "0.01"}, "res.partner: batch_window must be seconds, a number >= 0"),
        ({"batch_window": float("inf")}, "batch_window must be seconds"),
        ({"batch_size": 0}, "res.partner: batch_size must be an int >= 1 or None, got 0"),
    ],
)
def test_model_refuses_a_bad_batch_option(options: dict[str, object], message: str) -> None:
    odoo = AsyncOdoo("http://odoo.test", db="db", username="admin", password="admin")
    with pytest.raises((TypeError, ValueError), match=message.replace("(", r"\(")):
        odoo.model("res.partner", **options)  # type: ignore[arg-type]


async def test_model_batch_window_collects_gets_of_later_ticks() -> None:
    fake = FakeOdoo(partners=20)
    async with AsyncOdoo(
        "http://odoo.test",
        db=fake.db,
        username="admin",
        password="admin",
        transport=fake.transport(),
    ) as odoo:
        partners = odoo.model("res.partner", batch_window=3600)  # only the last get() ends it
        assert partners.batch_window == 3600
        await odoo.authenticate()
        gets = []
        for record_id in range(1, 6):
            gets.append(asyncio.ensure_future(partners.get(record_id, ["name"])))
            await asyncio.sleep(0)
        assert fake.count("res.partner", "read") == 0
        for future in gets:
            future.cancel()
        await asyncio.gather(*gets, return_exceptions=True)
        assert fake.count("res.partner", "read") == 0
