"""Long ``read()``s and ``create()``s: chunks sized and sent as the server allows."""

from __future__ import annotations

import asyncio
import contextvars
import random
from typing import Any

import pytest
from conftest import connect

from odoo_async._orm._adaptive import ExportTuning
from odoo_async._orm._chunks import in_chunks
from odoo_async.testing import FakeOdoo, ServerCost


class VirtualReads:
    """``read`` of ids on a virtual clock: ``fixed + ids * per_row`` a call, ``workers`` at once."""

    def __init__(self, workers: int, *, fail_at: int | None = None) -> None:
        self.workers = workers
        self.free = [0.0] * workers
        self.now: contextvars.ContextVar[float] = contextvars.ContextVar("now")
        self.latest = 0.0
        self.sizes: list[int] = []
        self.in_flight = 0
        self.peak = 0
        self.cancelled = 0
        self.fail_at = fail_at

    def clock(self) -> float:
        return self.now.get(self.latest)

    async def read(self, ids: list[int]) -> list[dict[str, int]]:
        arrival = self.clock()
        self.sizes.append(len(ids))
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            number = len(self.sizes)
            await asyncio.sleep(0)  # the other requests of this moment go out too
            if number == self.fail_at:
                raise RuntimeError("boom")
            if self.fail_at is not None and number > 2:
                await asyncio.Event().wait()  # never answered: only a cancel ends it
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        finally:
            self.in_flight -= 1
        worker = min(range(self.workers), key=self.free.__getitem__)
        self.free[worker] = max(arrival, self.free[worker]) + 0.025 + len(ids) * 100e-6
        self.now.set(self.free[worker])
        self.latest = max(self.latest, self.free[worker])
        return [{"id": i} for i in ids]


IDS = random.Random(7).sample(range(1, 200_000), 40_000)  # any order: read keeps it


@pytest.mark.parametrize("workers", [1, 2, 4])
async def test_rows_come_back_in_the_order_of_the_ids(workers: int) -> None:
    server = VirtualReads(workers)
    plan: dict[str, Any] = {}
    replies = await in_chunks(server.read, IDS, clock=server.clock, plan=plan)
    assert [row["id"] for _chunk, reply in replies for row in reply] == IDS
    assert [i for chunk, _reply in replies for i in chunk] == IDS  # each chunk with its reply
    assert server.sizes[0] == 1_000  # the first chunk, alone, measures an id
    if workers == 1:  # two at once did not pay: one at a time, the rest in one call
        assert plan["in_flight"] == 1
        assert server.peak == 2
        assert server.sizes[-1] > 10_000
    else:  # two at once paid
        assert plan["in_flight"] >= 2
        assert "try 4" in plan["steps"][1]


async def test_short_lists_are_one_call() -> None:
    server = VirtualReads(2)
    assert await in_chunks(server.read, [3, 1, 2], clock=server.clock) == [
        ([3, 1, 2], [{"id": 3}, {"id": 1}, {"id": 2}])
    ]
    replies = await in_chunks(server.read, list(range(1_500)), clock=server.clock)
    assert [len(reply) for _chunk, reply in replies] == [1_000, 500]


async def test_one_in_flight_means_one() -> None:
    server = VirtualReads(4)
    tuning = ExportTuning(max_in_flight=1)
    replies = await in_chunks(server.read, IDS, tuning=tuning, clock=server.clock)
    assert sum(len(reply) for _chunk, reply in replies) == len(IDS)
    assert server.peak == 1


async def test_a_failed_chunk_cancels_the_others_and_is_raised() -> None:
    server = VirtualReads(4, fail_at=4)  # the second of the two sent together
    with pytest.raises(RuntimeError, match="boom"):
        await in_chunks(server.read, IDS, clock=server.clock)
    assert server.in_flight == 0
    assert server.cancelled == 1  # the chunk sent with it, which would never end


async def test_read_adapts_unless_batch_size_is_given() -> None:
    fake = FakeOdoo(partners=5_000, cost=ServerCost.odoo17(workers=0, scale=1e-3))
    async with connect(transport=fake.transport()) as odoo:
        partners = odoo.model("res.partner")
        ids = await partners.search([])
        fake.clear_calls()
        rows = await partners.read(ids, ["name"])
        assert [row["id"] for row in rows] == ids
        adaptive = fake.count(model="res.partner", method="read")
        fixed: Any = odoo.model("res.partner")
        fixed.batch_size = 400
        fake.clear_calls()
        await fixed.read(ids, ["name"])
    assert adaptive < len(ids) / 500  # not the 500-id chunks of the get() batches
    assert fake.count(model="res.partner", method="read") == -(-len(ids) // 400)


async def test_fixed_chunks_keep_their_size_and_adapt_the_requests_in_flight() -> None:
    for workers, peak in ((1, 2), (2, 4)):
        server = VirtualReads(workers)
        tuning = ExportTuning(page_size=500)
        replies = await in_chunks(server.read, IDS[:10_000], tuning=tuning, clock=server.clock)
        assert [len(chunk) for chunk, _reply in replies] == [500] * 20
        uneven = await in_chunks(server.read, IDS[:1_234], tuning=tuning, clock=server.clock)
        assert [chunk for chunk, _reply in uneven] == [IDS[:500], IDS[500:1000], IDS[1000:1234]]
        assert server.peak == peak  # one server: two tried; two workers: four tried


@pytest.mark.parametrize("workers", [0, 2])
async def test_create_keeps_its_chunks_and_their_order(workers: int) -> None:
    fake = FakeOdoo(partners=10, cost=ServerCost.odoo17(workers=workers, scale=0.1))
    async with connect(transport=fake.transport()) as odoo:
        partners = odoo.model("res.partner")
        partners.batch_size = 50
        await odoo.authenticate()
        fake.clear_calls()
        ids = await partners.create([{"name": f"Bulk {i}"} for i in range(500)])
        peak = fake.peak_requests
        names = [row["name"] for row in await partners.read(ids, ["name"])]
    assert names == [f"Bulk {i}" for i in range(500)]
    sizes = [len(call.args[0]) for call in fake.calls if call.method == "create"]
    assert sizes == [50] * 10
    assert peak >= 2  # one alone, then two tried (what they showed is wall time: not tested)
