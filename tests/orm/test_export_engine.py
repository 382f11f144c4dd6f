"""The fetch engine of the pager (id windows, offset pages), against the double and a
virtual server: every row once, in order, bounded."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import math
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from odoo_async import AsyncOdoo
from odoo_async.testing import FakeOdoo, ServerCost

FIELDS = ["name", "country_id"]


def connect(fake: FakeOdoo, **options: Any) -> AsyncOdoo:
    return AsyncOdoo(
        "http://odoo.test",
        db="odoo",
        username="admin",
        password="admin",
        transport=fake.transport(),
        **options,
    )


@pytest.fixture(scope="module")
def fakes() -> dict[str, FakeOdoo]:
    return {
        "no cost": FakeOdoo(partners=3_000),
        "threaded": FakeOdoo(partners=3_000, cost=ServerCost.odoo17(workers=0, scale=1e-3)),
        "prefork": FakeOdoo(partners=3_000, cost=ServerCost.odoo17(workers=2, scale=1e-3)),
    }


@pytest.fixture(params=["no cost", "threaded", "prefork"])
async def odoo(
    request: pytest.FixtureRequest, fakes: dict[str, FakeOdoo]
) -> AsyncIterator[AsyncOdoo]:
    async with connect(fakes[request.param]) as client:
        yield client


@pytest.mark.parametrize(
    "domain",
    [[], [("is_company", "=", False)], ["|", ("id", "<", 30), ("name", "ilike", "a")]],
)
@pytest.mark.parametrize("page_size", [None, 250])
async def test_every_row_once_in_id_order(
    odoo: AsyncOdoo, domain: list[Any], page_size: int | None
) -> None:
    partners = odoo.model("res.partner")
    expected = await partners.search(domain, order="id")
    pager = partners.search_read(domain, FIELDS, page_size=page_size)
    assert [row["id"] async for row in pager] == expected
    assert pager.plan["strategy"] == "id windows"
    awaited = await partners.search_read(domain, FIELDS, page_size=page_size)
    assert [row["id"] for row in awaited] == expected


@pytest.mark.parametrize(("offset", "limit"), [(0, 5), (7, 1_500), (2_900, None), (10, 0)])
async def test_offset_and_limit_in_id_order(
    odoo: AsyncOdoo, offset: int, limit: int | None
) -> None:
    partners = odoo.model("res.partner")
    everything = await partners.search([], order="id")
    expected = everything[offset : offset + limit if limit else None]
    streamed = [
        row["id"] async for row in partners.search_read([], FIELDS, offset=offset, limit=limit)
    ]
    assert streamed == expected
    awaited = await partners.search_read([], FIELDS, offset=offset, limit=limit, page_size=100)
    assert [row["id"] for row in awaited] == expected


async def test_uneven_ids_widen_and_split_windows() -> None:
    """Sparse ids widen the windows; a dense run overflows one, and its rest comes next."""
    fake = FakeOdoo(partners=200)
    async with connect(fake) as odoo:
        partners = odoo.model("res.partner")
        await partners.create([{"name": f"Gap {i}"} for i in range(2_000)])
        await partners.create([{"name": f"Dense {i}"} for i in range(1_000)])
        domain = ["|", ("id", "<", 120), ("name", "=like", "Dense %")]
        expected = await partners.search(domain, order="id")
        fake.clear_calls()
        pager = partners.search_read(domain, ["name"], page_size=50)
        pages = [page async for page in pager.pages()]
        assert [row["id"] for page in pages for row in page] == expected
        assert all(0 < len(page) <= 50 for page in pages)
    windows = [call.args[0] for call in fake.calls if call.method == "search_read"]
    assert len(windows) < len(expected)  # the empty stretch did not cost a call per page


async def test_one_in_flight_means_one() -> None:
    fake = FakeOdoo(partners=2_000)
    async with connect(fake) as odoo:
        await odoo.authenticate()
        rows = await odoo.model("res.partner").search_read([], ["name"], max_in_flight=1)
    assert len(rows) > 1_900
    assert fake.peak_requests == 1


async def test_a_stream_holds_a_bounded_number_of_pages() -> None:
    fake = FakeOdoo(partners=3_000)
    async with connect(fake) as odoo:
        pager = odoo.model("res.partner").search_read(
            [], ["name"], page_size=100, prefetch=1, max_in_flight=2
        )
        consumed = 0
        async for _page in pager.pages():
            consumed += 1
            fetched = fake.count(model="res.partner", method="search_read") - 1  # the last page
            assert fetched <= consumed + 2 + 1  # in flight + prefetched
    assert consumed > 25


async def test_fixed_page_size_and_in_flight_are_kept() -> None:
    fake = FakeOdoo(partners=1_000)
    async with connect(fake) as odoo:
        pager = odoo.model("res.partner").search_read([], ["name"], page_size=100, max_in_flight=3)
        await pager
    limits = {call.kwargs["limit"] for call in fake.calls if call.method == "search_read"}
    assert limits == {100, 1}  # the first page and the windows; the highest id, one row
    assert pager.plan["in_flight"] == 3
    assert fake.peak_requests <= 3


class VirtualServer:
    """A table of ids behind ``search_read``, on a virtual clock (no wall time).

    Each request costs ``fixed + rows * per_row`` virtual seconds. ``workers=1``
    runs them one at a time (a threaded Odoo); more run side by side. The pager's
    clock reads the virtual time of the task it runs in: when its reply came, once
    it came (a context variable), else when the latest reply came.
    """

    def __init__(self, ids: list[int], *, workers: int) -> None:
        import contextvars

        self.ids = ids
        self.workers = workers
        self.now: contextvars.ContextVar[float] = contextvars.ContextVar("now")
        self.latest = 0.0
        self.free = [0.0] * workers  # when each worker is free again
        self.in_flight = 0
        self.peak_after_pair = 0
        self.calls: list[tuple[str, int]] = []
        self.asked: list[tuple[str, int, int]] = []  # order, offset, limit of each request
        self.counts = 0
        self.by_name: list[int] | None = None

    @staticmethod
    def name(i: int) -> int:
        """A row's "name": a scramble of its id, so that name order is not id order."""
        return (i * 7_919) % 10_007

    async def count(self, domain: list[Any]) -> int:
        self.counts += 1
        return len(self.ids)

    def clock(self) -> float:
        return self.now.get(self.latest)

    async def fetch(
        self, domain: list[Any], offset: int, limit: int, order: str
    ) -> list[dict[str, int]]:
        arrival = self.clock()
        low, high = float("-inf"), float("inf")
        for term in domain:
            if isinstance(term, list) and term[0] == "id":
                if term[1] == ">":
                    low = term[2]
                elif term[1] == "<=":
                    high = term[2]
        rows = [i for i in self.ids if low < i <= high]
        if order == "id desc":
            rows.reverse()
        elif order == "name, id":
            if self.by_name is None:
                self.by_name = sorted(self.ids, key=lambda i: (self.name(i), i))
            rows = self.by_name
        else:
            assert order == "id", order
        rows = rows[offset : offset + limit]
        self.calls.append((order, len(rows)))
        self.asked.append((order, offset, limit))
        self.in_flight += 1
        if len(self.calls) > 2:
            self.peak_after_pair = max(self.peak_after_pair, self.in_flight)
        due = self.book(arrival, len(rows), offset)
        try:
            await asyncio.sleep(0)  # let the other requests of this moment be sent too
        finally:
            self.in_flight -= 1
        finish = due()
        self.now.set(finish)
        self.latest = max(self.latest, finish)
        return [{"id": i} for i in rows]

    def book(self, arrival: float, rows: int, offset: int = 0) -> Callable[[], float]:
        """When the reply is ready, asked once the requests of this moment are sent."""

        def due() -> float:
            worker = min(range(self.workers), key=self.free.__getitem__)
            start = max(arrival, self.free[worker])
            self.free[worker] = start + 0.025 + rows * 100e-6
            return self.free[worker]

        return due


class ModelServer(VirtualServer):
    """The same table, timed by the double's cost model of a real Odoo 17, in virtual time.

    Threaded: the requests held at once share the server's time (processor
    sharing), so two sent together come back together; prefork: two workers.
    """

    def __init__(self, ids: list[int], cost: ServerCost) -> None:
        super().__init__(ids, workers=1)
        self.cost = cost
        self.schedule = cost.schedule()

    def book(self, arrival: float, rows: int, offset: int = 0) -> Callable[[], float]:
        shape = {"ids": rows, "offset": offset, "rows": rows, "fields": 5, "relational": 1}
        charge = self.cost.charge_request() + self.cost.charge_call("search_read", **shape)
        key = self.schedule.add(arrival, charge)
        return lambda: self.schedule.due(key)


async def count_unused(domain: list[Any]) -> int:
    raise AssertionError("id windows need no search_count")


@pytest.mark.parametrize(("workers", "alone"), [(1, True), (2, False), (4, False)])
@pytest.mark.parametrize("awaited", [True, False])
async def test_requests_in_flight_follow_rows_per_second(
    workers: int, alone: bool, awaited: bool
) -> None:
    from odoo_async import SearchReadPager

    ids = [i for i in range(1, 60_000) if i % 3]  # 39,999 rows, a third of the ids missing
    server = VirtualServer(ids, workers=workers)
    pager: SearchReadPager[dict[str, int]] = SearchReadPager(
        server.fetch, count_unused, [], row_id=lambda row: row["id"], clock=server.clock
    )
    got = [row async for row in pager] if not awaited else await pager
    assert [row["id"] for row in got] == ids
    # the first page and the highest id, at the same moment
    assert server.calls[:2] == [("id", 1_000), ("id desc", 1)]
    assert pager.plan["steps"][0].startswith("1: ")  # one alone, measured first
    if alone:  # two at once did not beat one: one at a time, pages as large as allowed
        assert server.peak_after_pair == 2
        assert pager.plan["in_flight"] == 1
        assert pager.plan["page_size"] == (50_000 if awaited else 10_000)
    else:
        assert "try 4" in pager.plan["steps"][1]
        assert server.peak_after_pair >= 3


@pytest.mark.parametrize("awaited", [True, False])
async def test_one_at_a_time_the_rest_goes_by_rows_not_by_id_span(awaited: bool) -> None:
    """Ids dense, then sparse (records deleted): once one request at a time is what
    pays, windows no longer guess the rows from the density seen so far; each
    call asks for a full page from where the last one stopped (no near-empty
    windows at the end, as a real Odoo 17 with deleted partners showed)."""
    from odoo_async import SearchReadPager

    ids = list(range(1, 20_001)) + list(range(20_001, 60_001, 40))  # 1,000 in the tail
    server = VirtualServer(ids, workers=1)
    pager: SearchReadPager[dict[str, int]] = SearchReadPager(
        server.fetch, count_unused, [], row_id=lambda row: row["id"], clock=server.clock
    )
    got = [row async for row in pager] if not awaited else await pager
    assert [row["id"] for row in got] == ids
    assert pager.plan["in_flight"] == 1
    # the first page and the highest id, one page alone, two at once (no gain);
    # then the rest by pages as large as allowed, each full but the last
    settled = server.asked[5:]
    size = 50_000 if awaited else 10_000
    assert all(limit == size for _order, _offset, limit in settled)
    rows = [n for _order, n in server.calls[5:]]
    assert len(rows) == math.ceil(sum(rows) / size)
    assert all(n == size for n in rows[:-1])


@pytest.mark.parametrize(("workers", "in_flight"), [(0, 1), (2, 2)])
async def test_on_the_cost_model_threaded_is_one_call_at_a_time_prefork_two(
    workers: int, in_flight: int
) -> None:
    from odoo_async import SearchReadPager

    ids = list(range(1, 100_001))  # enough for four at once to be measured
    server = ModelServer(ids, ServerCost.odoo17(workers=workers))
    pager: SearchReadPager[dict[str, int]] = SearchReadPager(
        server.fetch, count_unused, [], row_id=lambda row: row["id"], clock=server.clock
    )
    assert [row["id"] for row in await pager] == ids
    assert pager.plan["in_flight"] == in_flight
    if workers == 0:  # two at once did not pay: the rest in one call
        assert pager.plan["page_size"] == 50_000
        assert "back to 1" in pager.plan["steps"][1]
    else:  # two paid, four did not
        assert [step.rsplit("; ", 1)[1] for step in pager.plan["steps"]] == [
            "try 2",
            "try 4",
            "back to 2",
        ]


async def test_a_small_table_overlapping_the_last_page_yields_each_row_once() -> None:
    from odoo_async import SearchReadPager

    for size in (1_001, 1_500, 1_999, 2_000, 2_001):
        ids = list(range(10, 10 + size))
        server = VirtualServer(ids, workers=2)
        pager: SearchReadPager[dict[str, int]] = SearchReadPager(
            server.fetch, count_unused, [], row_id=lambda row: row["id"], clock=server.clock
        )
        assert [row["id"] for row in await pager] == ids, size
        assert len(server.calls) <= 3, size


async def test_a_failed_window_ends_the_walk_and_sends_nothing_more() -> None:
    from odoo_async import SearchReadPager

    class Failing(VirtualServer):
        async def fetch(
            self, domain: list[Any], offset: int, limit: int, order: str
        ) -> list[dict[str, int]]:
            if len(self.calls) == 4:  # the second of the two windows sent together
                self.calls.append(("failed", 0))
                raise RuntimeError("boom")
            return await super().fetch(domain, offset, limit, order)

    server = Failing(list(range(1, 100_001)), workers=1)
    pager: SearchReadPager[dict[str, int]] = SearchReadPager(
        server.fetch, count_unused, [], row_id=lambda row: row["id"], clock=server.clock
    )
    seen: list[int] = []

    async def walk() -> None:
        async for page in pager.pages():
            seen.extend(row["id"] for row in page)

    with pytest.raises(RuntimeError, match="boom"):
        await walk()
    assert len(seen) > 1_000  # the first page, the first window
    assert seen == list(range(1, len(seen) + 1))
    assert server.calls[-1] == ("failed", 0)  # nothing was sent after the failure


async def test_the_plan_is_logged_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    from odoo_async import SearchReadPager

    server = VirtualServer(list(range(1, 20_001)), workers=1)
    pager: SearchReadPager[dict[str, int]] = SearchReadPager(
        server.fetch, count_unused, [], row_id=lambda row: row["id"], clock=server.clock
    )
    with caplog.at_level("DEBUG", logger="odoo_async"):
        assert len(await pager) == 20_000
    messages = [record.getMessage() for record in caplog.records]
    assert f"fetch plan: {pager.plan}" in messages
    assert any(m.startswith("fetch engine: 2: ") and "back to 1" in m for m in messages)


# -- offset pages (any order but id's) -------------------------------------------------


def name_pager(server: VirtualServer, **options: Any) -> Any:
    from odoo_async import SearchReadPager

    return SearchReadPager(
        server.fetch,
        server.count,
        [],
        order="name",
        row_id=lambda row: row["id"],
        clock=server.clock,
        **options,
    )


def in_name_order(ids: list[int]) -> list[int]:
    return sorted(ids, key=lambda i: (VirtualServer.name(i), i))


async def walked(pager: Any, how: str) -> list[int]:
    if how == "awaited":
        return [row["id"] for row in await pager]
    if how == "pages":
        return [row["id"] async for page in pager.pages() for row in page]
    return [row["id"] async for row in pager]


@pytest.mark.parametrize("how", ["awaited", "streamed", "pages"])
@pytest.mark.parametrize(
    ("offset", "limit"),
    [
        (0, None),
        (7, None),
        (0, 999),
        (0, 1_000),
        (0, 1_001),
        (1_234, 5_000),
        (3, 25_000),
        (29_990, None),
        (30_000, None),
        (40_000, 10),
    ],
)
@pytest.mark.parametrize("workers", [1, 2])
async def test_offset_pages_keep_the_order_and_each_row_once(
    workers: int, offset: int, limit: int | None, how: str
) -> None:
    ids = [i for i in range(1, 45_000) if i % 3]  # 29,999 rows
    server = VirtualServer(ids, workers=workers)
    pager = name_pager(server, offset=offset, limit=limit)
    expected = in_name_order(ids)[offset : offset + limit if limit else None]
    assert await walked(pager, how) == expected
    assert pager.plan["strategy"] == "offset"
    assert {order for order, _, _ in server.asked} == {"name, id"}
    assert server.asked[0] == ("name, id", offset, min(1_000, limit or 1_000))  # alone
    # each row asked once: the pages are consecutive, none past the limit
    starts = [(off, off + lim) for _, off, lim in sorted(server.asked, key=lambda a: a[1])]
    assert all(end == nxt for (_, end), (nxt, _) in itertools.pairwise(starts))
    if limit:
        assert starts[-1][1] <= offset + limit
    assert server.in_flight == 0  # nothing left running


@pytest.mark.parametrize("how", ["awaited", "streamed"])
async def test_offset_pages_keep_a_fixed_page_size_and_in_flight(how: str) -> None:
    ids = list(range(1, 20_001))
    server = VirtualServer(ids, workers=4)
    pager = name_pager(server, page_size=700, max_in_flight=3, offset=50)
    assert await walked(pager, how) == in_name_order(ids)[50:]
    assert {limit for _, _, limit in server.asked} == {700}
    offsets = [offset for _, offset, _ in server.asked]
    assert offsets == list(range(50, 50 + 700 * len(offsets), 700))
    assert len(offsets) <= 29 + 2  # 19,950 rows; the end is not known before it comes
    assert pager.plan["in_flight"] == 3
    assert pager.plan["page_size"] == 700
    assert server.peak_after_pair <= 3
    assert server.counts == 0  # the page size is fixed: nothing to size by the total


async def test_offset_pages_with_one_in_flight_send_one_at_a_time() -> None:
    ids = list(range(1, 30_001))
    server = VirtualServer(ids, workers=4)
    pager = name_pager(server, max_in_flight=1)
    assert await walked(pager, "awaited") == in_name_order(ids)
    assert server.peak_after_pair == 1
    assert pager.plan["in_flight"] == 1


async def test_a_streamed_offset_walk_holds_a_bounded_number_of_pages() -> None:
    ids = list(range(1, 20_001))
    server = VirtualServer(ids, workers=4)
    pager = name_pager(server, page_size=100, prefetch=1, max_in_flight=2)
    consumed = 0
    async with contextlib.aclosing(pager.pages()) as pages:
        async for _page in pages:
            consumed += 1
            assert len(server.asked) <= consumed + 2 + 1  # in flight, prefetched
            if consumed == 20:
                break
    assert server.in_flight == 0  # closing the walk cancelled what it had sent


async def test_a_failed_offset_page_ends_the_walk_and_cancels_the_others() -> None:
    class Failing(VirtualServer):
        """The second of the four pages sent together fails; the three others never end."""

        cancelled = 0

        async def fetch(
            self, domain: list[Any], offset: int, limit: int, order: str
        ) -> list[dict[str, int]]:
            if not self.asked:
                return await super().fetch(domain, offset, limit, order)
            self.asked.append((order, offset, limit))
            if len(self.asked) == 3:
                await asyncio.sleep(0)
                raise RuntimeError("boom")
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                self.cancelled += 1
                raise
            raise AssertionError("unreachable")

    ids = list(range(1, 100_001))
    server = Failing(ids, workers=4)
    pager = name_pager(server, page_size=1_000, max_in_flight=4)
    seen: list[int] = []

    async def walk() -> None:
        async for page in pager.pages():
            seen.extend(row["id"] for row in page)

    with pytest.raises(RuntimeError, match="boom"):
        await walk()
    assert seen == in_name_order(ids)[:1_000]  # the first page
    assert [offset for _, offset, _ in server.asked] == [0, 1_000, 2_000, 3_000, 4_000]
    assert server.cancelled == 3  # the others were cancelled, and nothing more was sent


@pytest.mark.parametrize(("workers", "in_flight"), [(0, 1), (2, 2)])
async def test_on_the_cost_model_awaited_offset_pages_are_one_at_a_time_threaded_two_prefork(
    workers: int, in_flight: int
) -> None:
    ids = list(range(1, 100_001))
    server = ModelServer(ids, ServerCost.odoo17(workers=workers))
    pager = name_pager(server)
    assert await walked(pager, "awaited") == in_name_order(ids)
    assert pager.plan["strategy"] == "offset"
    assert pager.plan["in_flight"] == in_flight
    assert pager.plan["steps"][0].startswith("1: ")  # one alone, measured first
    limits = [limit for _, _, limit in server.asked]
    if workers == 0:  # two at once did not pay: the rest in pages as large as allowed
        assert "back to 1" in pager.plan["steps"][1]
        assert pager.plan["page_size"] == 50_000
        assert max(limits) > 10_000  # the rest, in even pages of up to 50,000
    else:  # two paid, four did not
        assert [step.rsplit("; ", 1)[1] for step in pager.plan["steps"]] == [
            "try 2",
            "try 4",
            "back to 2",
        ]
        assert max(limits) <= 10_000


async def test_on_the_cost_model_a_streamed_offset_walk_keeps_pages_bounded() -> None:
    ids = list(range(1, 60_001))
    server = ModelServer(ids, ServerCost.odoo17(workers=0))
    pager = name_pager(server)
    assert await walked(pager, "streamed") == in_name_order(ids)
    assert pager.plan["in_flight"] == 1
    assert pager.plan["page_size"] == 10_000
    assert max(limit for _, _, limit in server.asked) <= 10_000


@pytest.mark.parametrize("page_size", [None, 250])
async def test_offset_pages_against_the_double(odoo: AsyncOdoo, page_size: int | None) -> None:
    partners = odoo.model("res.partner")
    domain = [("is_company", "=", False)]
    expected = await partners.search(domain, order="name desc, id")
    pager = partners.search_read(domain, FIELDS, order="name desc", page_size=page_size)
    assert [row["id"] async for row in pager] == expected
    assert pager.plan["strategy"] == "offset"
    awaited = await partners.search_read(domain, FIELDS, order="name desc", page_size=page_size)
    assert [row["id"] for row in awaited] == expected
