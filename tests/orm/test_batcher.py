"""ReadBatcher on its own: ids asked for while the login is under way join one read."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from conftest import settle

from odoo_async import AsyncOdoo, ReadBatcher
from odoo_async.testing import FakeOdoo


async def test_ids_asked_for_during_the_login_join_the_first_read() -> None:
    logged_in = asyncio.Event()
    reads: list[list[int]] = []

    async def ready() -> None:
        await logged_in.wait()

    async def read_ids(ids: list[int]) -> list[dict[str, int]]:
        reads.append(ids)
        return [{"id": i} for i in ids]

    batcher: ReadBatcher[dict[str, int]] = ReadBatcher(read_ids, model="m", ready=ready)
    first = [asyncio.ensure_future(batcher.load(i)) for i in (1, 2)]
    await asyncio.sleep(0)  # a later tick: a batch would have been cut here without ready
    later = [asyncio.ensure_future(batcher.load(i)) for i in (3, 4)]
    await asyncio.sleep(0)
    assert reads == []
    logged_in.set()
    rows = await asyncio.gather(*first, *later)
    assert [row["id"] for row in rows] == [1, 2, 3, 4]
    assert reads == [[1, 2, 3, 4]]
    # once ready, batches are cut as before, each tick
    assert (await batcher.load(5))["id"] == 5
    assert reads[-1] == [5]


async def test_a_failed_login_fails_the_waiting_ids_and_the_next_batch_tries_again() -> None:
    attempts = 0

    async def ready() -> None:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise ConnectionError("down")

    async def read_ids(ids: list[int]) -> list[dict[str, int]]:
        return [{"id": i} for i in ids]

    batcher: ReadBatcher[dict[str, int]] = ReadBatcher(read_ids, model="m", ready=ready)
    with pytest.raises(ConnectionError):
        await asyncio.gather(batcher.load(1), batcher.load(2))
    assert (await batcher.load(1))["id"] == 1
    assert attempts == 2
    assert batcher.idle


async def test_a_burst_of_gets_at_a_clients_start_is_one_login_and_one_read() -> None:
    fake = FakeOdoo(partners=50)
    async with AsyncOdoo(
        "http://odoo.test",
        db=fake.db,
        username="admin",
        password="admin",
        transport=fake.transport(),
    ) as odoo:
        partners = odoo.model("res.partner")
        with fake.hold() as held:
            gets = [asyncio.ensure_future(partners.get(i, ["name"])) for i in range(1, 11)]
            await held.requests(1)  # the login is at the server, held
            gets += [asyncio.ensure_future(partners.get(i, ["name"])) for i in range(11, 21)]
            await asyncio.sleep(0)
        rows = await asyncio.gather(*gets)
    assert [row["id"] for row in rows] == list(range(1, 21))
    assert fake.requests == 2  # the login and one read


async def test_ids_asked_for_while_a_read_is_on_its_way_go_together_after_it() -> None:
    first_back = asyncio.Event()
    reads: list[list[int]] = []

    async def read_ids(ids: list[int]) -> list[dict[str, int]]:
        reads.append(ids)
        if len(reads) == 1:
            await first_back.wait()
        return [{"id": i} for i in ids]

    batcher: ReadBatcher[dict[str, int]] = ReadBatcher(read_ids, model="m")
    first = asyncio.ensure_future(batcher.load(1))
    await settle(lambda: bool(reads))
    assert reads == [[1]]  # no read on its way: it went at once
    later = []
    for i in (2, 3, 4):  # each in its own moment, while the first read is out
        later.append(asyncio.ensure_future(batcher.load(i)))
        await asyncio.sleep(0)
    assert reads == [[1]]
    first_back.set()
    rows = await asyncio.gather(first, *later)
    assert [row["id"] for row in rows] == [1, 2, 3, 4]
    assert reads == [[1], [2, 3, 4]]
    assert batcher.idle


class _Slot:
    """A one-slot stand-in for the client's limiter: closed until opened."""

    def __init__(self) -> None:
        self.free = asyncio.Event()
        self.entered = 0

    @contextlib.asynccontextmanager
    async def __call__(self) -> AsyncIterator[None]:
        self.entered += 1
        await self.free.wait()
        yield


async def test_a_batch_is_cut_only_once_its_slot_is_free() -> None:
    reads: list[list[int]] = []

    async def read_ids(ids: list[int]) -> list[dict[str, int]]:
        reads.append(ids)
        return [{"id": i} for i in ids]

    slot = _Slot()
    batcher: ReadBatcher[dict[str, int]] = ReadBatcher(read_ids, model="m", batch_size=4, slot=slot)
    gets = [asyncio.ensure_future(batcher.load(i)) for i in range(1, 4)]
    await settle(lambda: slot.entered == 1)
    gets += [asyncio.ensure_future(batcher.load(i)) for i in range(4, 11)]  # later ticks
    await settle(lambda: batcher.pending == 10)
    assert reads == []
    slot.free.set()
    rows = await asyncio.gather(*gets)
    assert [row["id"] for row in rows] == list(range(1, 11))
    assert reads == [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]  # oldest first, batch_size each
    assert batcher.batches == 3


async def test_no_slot_fails_only_the_ids_that_read_would_have_taken() -> None:
    reads: list[list[int]] = []

    async def read_ids(ids: list[int]) -> list[dict[str, int]]:
        reads.append(ids)
        return [{"id": i} for i in ids]

    refusals = [RuntimeError("no slot")]

    @contextlib.asynccontextmanager
    async def slot() -> AsyncIterator[None]:
        if refusals:
            raise refusals.pop()
        yield

    batcher: ReadBatcher[dict[str, int]] = ReadBatcher(read_ids, model="m", batch_size=2, slot=slot)
    outcomes = await asyncio.gather(*(batcher.load(i) for i in (1, 2, 3)), return_exceptions=True)
    assert [str(o) for o in outcomes[:2]] == ["no slot", "no slot"]
    assert outcomes[2] == {"id": 3}
    assert reads == [[3]]
    assert batcher.idle
