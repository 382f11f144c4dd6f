"""upsert's updates of records whose changes differ: together through Odoo's ``load``."""

from __future__ import annotations

from typing import Any

import pytest

from odoo_async import AsyncOdoo
from odoo_async.jobs import upsert
from odoo_async.testing import FakeOdoo


@pytest.fixture
def fake() -> FakeOdoo:
    return FakeOdoo(partners=50)


def contacts(n: int) -> list[dict[str, Any]]:
    return [
        {"ref": f"L{i:04d}", "name": f"Contact {i}", "email": f"c{i}@example.com"} for i in range(n)
    ]


async def landed(odoo: AsyncOdoo, n: int) -> list[dict[str, Any]]:
    rows = await odoo.model("res.partner").search_read(
        [["ref", "=like", "L%"]], ["ref", "name", "email", "is_company", "color"], order="ref"
    )
    assert len(rows) == n
    return rows


async def test_records_whose_changes_differ_are_one_load(odoo: AsyncOdoo, fake: FakeOdoo) -> None:
    partners = odoo.model("res.partner")
    await upsert(partners, contacts(300), key="ref")
    changed = contacts(300)
    for i, row in enumerate(changed):
        row["email"] = f"new{i}@example.com"  # each its own value
        if i % 3 == 0:
            row["is_company"] = True
            row["color"] = i % 11
    fake.clear_calls()
    report = await upsert(partners, changed, key="ref", batch_size=200)
    assert (report.updated, report.unchanged, report.failed) == (300, 0, [])
    assert fake.count(method="write") == 0
    loads = [c for c in fake.calls if c.method == "load"]
    # per batch of 200 input rows, one load for each set of fields that changed:
    # (email), (email, is_company) when the colour stays 0, and all three
    assert sum(len(c.args[1]) for c in loads) == 300
    assert len(loads) == 6
    assert {tuple(c.args[0]) for c in loads} == {
        (".id", "email"),
        (".id", "email", "is_company"),
        (".id", "color", "email", "is_company"),
    }
    rows = await landed(odoo, 300)
    assert [r["email"] for r in rows] == [f"new{i}@example.com" for i in range(300)]
    assert [r["is_company"] for r in rows] == [i % 3 == 0 for i in range(300)]
    assert [r["color"] for r in rows] == [i % 11 if i % 3 == 0 else 0 for i in range(300)]


async def test_rows_odoo_refuses_are_reported_and_the_others_land(
    odoo: AsyncOdoo, fake: FakeOdoo
) -> None:
    partners = odoo.model("res.partner")
    await upsert(partners, contacts(40), key="ref")
    country = (await odoo.model("res.country").search([], limit=1))[0]
    changed = contacts(40)
    for i, row in enumerate(changed):
        row["email"] = f"new{i}@example.com"
        row["name"] = f"Contact {i} (new)"
    changed[3]["name"] = ""  # Odoo: contacts require a name
    for row in changed[5:10]:
        row["country_id"] = country
    changed[7]["country_id"] = 999_999  # Odoo: no such country
    fake.clear_calls()
    report = await upsert(partners, changed, key="ref")
    assert report.updated == 38
    assert [f.line for f in report.failed] == [4, 8]
    reasons = {f.line: f.reason for f in report.failed}
    assert "name" in reasons[4].lower()
    assert reasons[8] == (
        "country_id: No matching record found for database id '999999' in field 'Country'"
    )
    # a load is refused whole (it keeps nothing), then the rest lands in a second one
    loads = sorted(len(c.args[1]) for c in fake.calls if c.method == "load")
    assert loads == [4, 5, 34, 35]
    assert fake.count(method="write") == 0
    rows = await landed(odoo, 40)
    assert [r["email"] for r in rows] == [
        f"c{i}@example.com" if i in (3, 7) else f"new{i}@example.com" for i in range(40)
    ]


async def test_load_false_writes_each_record(odoo: AsyncOdoo, fake: FakeOdoo) -> None:
    partners = odoo.model("res.partner")
    await upsert(partners, contacts(20), key="ref")
    changed = [dict(row, email=f"w{i}@example.com") for i, row in enumerate(contacts(20))]
    fake.clear_calls()
    report = await upsert(partners, changed, key="ref", load=False)
    assert report.updated == 20
    assert fake.count(method="load") == 0
    assert fake.count(method="write") == 20


async def test_a_load_whose_reply_was_lost_is_settled_not_replayed(
    odoo: AsyncOdoo, fake: FakeOdoo
) -> None:
    partners = odoo.model("res.partner")
    await upsert(partners, contacts(30), key="ref")
    changed = [dict(row, email=f"x{i}@example.com") for i, row in enumerate(contacts(30))]
    fake.clear_calls()
    fake.inject("lost", times=1, method="load")  # it ran; the reply never came
    report = await upsert(partners, changed, key="ref", outage=5)
    assert (report.updated, report.failed) == (30, [])
    assert fake.count(method="load") == 1  # not sent again
    assert fake.count(method="write") == 0  # every record was found holding its values
    assert [r["email"] for r in await landed(odoo, 30)] == [f"x{i}@example.com" for i in range(30)]
