"""The id-window engine of the pager, against the double: every row once, in order, bounded."""

from __future__ import annotations

from collections.abc import AsyncIterator
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
            fetched = fake.count(model="res.partner", method="search_read") - 1  # the probe
            assert fetched <= consumed + 2 + 1  # in flight + prefetched
    assert consumed > 25


async def test_fixed_page_size_and_in_flight_are_kept() -> None:
    fake = FakeOdoo(partners=1_000)
    async with connect(fake) as odoo:
        pager = odoo.model("res.partner").search_read([], ["name"], page_size=100, max_in_flight=3)
        await pager
    limits = {call.kwargs["limit"] for call in fake.calls if call.method == "search_read"}
    assert limits == {1, 100}  # the probe for the top id, and the pages
    assert pager.plan["in_flight"] == 3
    assert fake.peak_requests <= 3
