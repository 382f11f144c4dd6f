"""The data jobs (odoo_async.jobs) against the test double, in-process."""

from __future__ import annotations

import csv
import dataclasses
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from odoo_async import AsyncOdoo, ConnectionDropped
from odoo_async.jobs import (
    BenchResult,
    CheckpointError,
    FileFormatError,
    InputRow,
    JobError,
    Progress,
    bench,
    best_step,
    checkpoint_path,
    error_kind,
    export,
    percentile,
    ramp,
    ramp_levels,
    read_rows,
    saturation_point,
    sync,
    upsert,
)
from odoo_async.jobs._convert import export_value, import_value, same_value
from odoo_async.testing import FakeOdoo

FIELDS = ["name", "email", "ref", "country_id", "category_id", "date", "write_date", "is_company"]


@pytest.fixture
def fake() -> FakeOdoo:
    return FakeOdoo(partners=1_200)


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


async def all_partner_ids(odoo: AsyncOdoo, domain: list[Any] | None = None) -> list[int]:
    return sorted(await odoo.model("res.partner").search(domain or []))


# -- values -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ftype", "value", "expected"),
    [
        ("many2one", [3, "Belgium"], {"id": 3, "name": "Belgium"}),
        ("many2one", False, None),
        ("many2many", [1, 2], [1, 2]),
        ("one2many", [], []),
        ("datetime", "2024-05-01 10:00:00", "2024-05-01T10:00:00+00:00"),
        ("date", "2024-05-01", "2024-05-01"),
        ("date", False, None),
        ("char", False, None),
        ("boolean", False, False),
        ("integer", 0, 0),
    ],
)
def test_export_value(ftype: str, value: Any, expected: Any) -> None:
    assert export_value(ftype, value) == expected


@pytest.mark.parametrize(
    ("ftype", "value", "expected"),
    [
        ("many2one", {"id": 3, "name": "Belgium"}, 3),
        ("many2one", "3", 3),
        ("many2one", [3, "Belgium"], 3),
        ("many2one", "", False),
        ("many2many", "1,2", [1, 2]),
        ("many2many", [4], [4]),
        ("datetime", "2024-05-01T10:00:00+00:00", "2024-05-01 10:00:00"),
        ("datetime", "2024-05-01T12:00:00+02:00", "2024-05-01 10:00:00"),
        ("datetime", "2024-05-01 10:00:00", "2024-05-01 10:00:00"),
        ("boolean", "true", True),
        ("boolean", "", False),
        ("boolean", "0", False),
        ("integer", "42", 42),
        ("float", "1.5", 1.5),
        ("char", "", False),
        ("char", None, False),
    ],
)
def test_import_value(ftype: str, value: Any, expected: Any) -> None:
    assert import_value("f", {"type": ftype}, value) == expected


@pytest.mark.parametrize(
    ("ftype", "value"),
    [
        ("integer", "forty"),
        ("integer", True),
        ("float", "x"),
        ("boolean", "perhaps"),
        ("many2one", "BE"),
        ("many2many", "1,a"),
        ("datetime", "yesterday"),
        ("char", {"a": 1}),
    ],
)
def test_import_value_refuses_what_does_not_fit(ftype: str, value: Any) -> None:
    with pytest.raises(ValueError, match=r"^f: "):
        import_value("f", {"type": ftype}, value)


@pytest.mark.parametrize(
    ("ftype", "wanted", "current", "same"),
    [
        ("many2one", 3, [3, "Belgium"], True),
        ("many2one", False, False, True),
        ("many2one", 4, [3, "Belgium"], False),
        ("many2many", [2, 1], [1, 2], True),
        ("char", False, False, True),
        ("char", "a", False, False),
        ("float", 1.0, 1, True),
        ("boolean", False, False, True),
    ],
)
def test_same_value(ftype: str, wanted: Any, current: Any, same: bool) -> None:
    assert same_value({"type": ftype}, wanted, current) is same


# -- export -------------------------------------------------------------------------


async def test_export_jsonl_every_row_once_in_id_order(odoo: AsyncOdoo, tmp_path: Path) -> None:
    out = tmp_path / "p.jsonl"
    seen: list[Progress] = []
    result = await export(
        odoo.model("res.partner"), [], FIELDS, out, page_size=250, progress=seen.append
    )
    rows = jsonl(out)
    assert [r["id"] for r in rows] == await all_partner_ids(odoo)
    assert result.rows == len(rows)
    assert list(rows[0]) == ["id", *FIELDS]
    with_country = next(r for r in rows if r["country_id"])
    assert set(with_country["country_id"]) == {"id", "name"}
    assert isinstance(with_country["category_id"], list)
    assert with_country["write_date"].endswith("+00:00")
    assert seen[-1].done == seen[-1].total == len(rows)
    assert json.loads(checkpoint_path(out).read_text())["complete"] is True


async def test_export_csv_has_a_name_column_per_many2one(odoo: AsyncOdoo, tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    await export(odoo.model("res.partner"), [["is_company", "=", True]], FIELDS, out)
    rows = csv_rows(out)
    assert list(rows[0]) == ["id", *FIELDS[:3], "country_id", "country_id.name", *FIELDS[4:]]
    assert [int(r["id"]) for r in rows] == await all_partner_ids(odoo, [["is_company", "=", True]])
    truth = {
        r["id"]: r
        for r in await odoo.model("res.partner").search_read(
            [["is_company", "=", True]], ["country_id", "category_id"]
        )
    }
    for row in rows:
        want = truth[int(row["id"])]
        assert row["country_id"] == (str(want["country_id"][0]) if want["country_id"] else "")
        assert row["category_id"] == ",".join(map(str, want["category_id"]))


async def test_export_unknown_field_is_a_clear_error(odoo: AsyncOdoo, tmp_path: Path) -> None:
    with pytest.raises(JobError, match=r"res\.partner has no field 'nope'"):
        await export(odoo.model("res.partner"), [], ["name", "nope"], tmp_path / "p.jsonl")


async def test_export_needs_a_known_format(odoo: AsyncOdoo, tmp_path: Path) -> None:
    with pytest.raises(
        FileFormatError, match=r"name it \.jsonl, \.ndjson or \.csv, or pass format="
    ):
        await export(odoo.model("res.partner"), [], ["name"], tmp_path / "p.xlsx")


class Killed(Exception):
    pass


def die_after(pages: int) -> Callable[[Progress], None]:
    calls = 0

    def callback(progress: Progress) -> None:
        nonlocal calls
        calls += 1
        if calls > pages:  # the first report is before any page
            raise Killed

    return callback


@pytest.mark.parametrize("name", ["p.jsonl", "p.csv"])
async def test_export_resumes_without_duplicates_or_gaps(
    odoo: AsyncOdoo, tmp_path: Path, name: str
) -> None:
    out = tmp_path / name
    partners = odoo.model("res.partner")
    with pytest.raises(Killed):
        await export(partners, [], ["name", "ref"], out, page_size=100, progress=die_after(3))
    written = json.loads(checkpoint_path(out).read_text())["rows"]  # three pages
    # a kill between writing a page and saving its checkpoint leaves a partial tail
    out.write_bytes(out.read_bytes() + b'{"id": 999999, "name": "half a ro')
    result = await export(partners, [], ["name", "ref"], out, page_size=100, resume=True)
    assert 200 < written <= 300
    assert result.resumed_from == written
    if name.endswith(".jsonl"):
        ids = [r["id"] for r in jsonl(out)]
    else:
        ids = [int(r["id"]) for r in csv_rows(out)]
    assert ids == await all_partner_ids(odoo)


async def test_resume_refuses_a_checkpoint_of_another_query(
    odoo: AsyncOdoo, tmp_path: Path
) -> None:
    out = tmp_path / "p.jsonl"
    partners = odoo.model("res.partner")
    with pytest.raises(Killed):
        await export(partners, [], ["name"], out, page_size=100, progress=die_after(1))
    with pytest.raises(
        CheckpointError,
        match=r'another export: fields was \["id", "name"\], now \["id", "name", "email"\]; '
        r"to go on with it, resume with what it was made with \(each 'was' above\); "
        "to start over, export without resume",
    ):
        await export(partners, [], ["name", "email"], out, resume=True)
    with pytest.raises(CheckpointError, match="no checkpoint"):
        await export(partners, [], ["name"], tmp_path / "other.jsonl", resume=True)


async def test_resume_of_a_finished_export_writes_nothing(
    odoo: AsyncOdoo, fake: FakeOdoo, tmp_path: Path
) -> None:
    out = tmp_path / "p.jsonl"
    first = await export(odoo.model("res.partner"), [], ["name"], out)
    fake.clear_calls()
    again = await export(odoo.model("res.partner"), [], ["name"], out, resume=True)
    assert again.rows == first.rows
    assert fake.count(method="search_read") == 0


async def test_export_id_range_splits_the_work(odoo: AsyncOdoo, tmp_path: Path) -> None:
    partners = odoo.model("res.partner")
    parts = []
    for i, bounds in enumerate([(None, 500), (500, 900), (900, None)]):
        out = tmp_path / f"part{i}.jsonl"
        await export(partners, [], ["name"], out, id_range=bounds)
        parts.extend(r["id"] for r in jsonl(out))
    assert parts == await all_partner_ids(odoo)


# -- sync ---------------------------------------------------------------------------


async def test_sync_exports_exactly_what_changed(odoo: AsyncOdoo, tmp_path: Path) -> None:
    partners = odoo.model("res.partner")
    state = tmp_path / "state.json"
    out = tmp_path / "changes.jsonl"
    # demo partners share one write_date: small pages cut through the ties
    first = await sync(partners, [], ["name", "email"], out, state=state, page_size=7)
    ids = [r["id"] for r in jsonl(out)]
    assert sorted(ids) == await all_partner_ids(odoo)
    assert len(ids) == len(set(ids)) == first.changed

    second = await sync(partners, [], ["name", "email"], out, state=state, page_size=7)
    assert (second.changed, second.deleted, jsonl(out)) == (0, 0, [])

    await partners.write([10, 20], {"email": "changed@example.com"})
    new = await partners.create([{"name": "New A"}, {"name": "New B"}])
    await partners.unlink([30, 31])
    await partners.write([40], {"active": False})  # leaves the query: reported as gone
    third = await sync(partners, [], ["name", "email"], out, state=state, page_size=7)
    rows = jsonl(out)
    assert sorted(r["id"] for r in rows if not r.get("_deleted")) == sorted([10, 20, *new])
    assert sorted(r["id"] for r in rows if r.get("_deleted")) == [30, 31, 40]
    assert (third.changed, third.deleted) == (4, 3)


async def test_sync_meets_rows_written_during_the_walk(
    odoo: AsyncOdoo, fake: FakeOdoo, tmp_path: Path
) -> None:
    partners = odoo.model("res.partner")
    state = tmp_path / "state.json"
    out = tmp_path / "changes.jsonl"
    await sync(partners, [], ["name"], out, state=state)
    await partners.write([10, 11, 12], {"name": "Before"})

    original = fake.database.execute_kw

    def during(uid: int, model: str, method: str, args: list[Any], kwargs: Any) -> Any:
        if method == "search_read" and ["id", ">", 11] in args[0]:
            # the walk is past 10 and 11: write 10 again, behind it
            fake.database.execute_kw = original  # type: ignore[method-assign]
            original(2, "res.partner", "write", [[10], {"name": "During"}], {})
        return original(uid, model, method, args, kwargs)

    fake.database.execute_kw = during  # type: ignore[method-assign]
    await sync(partners, [], ["name"], out, state=state, page_size=1)
    assert fake.database.execute_kw == original
    rows = [(r["id"], r["name"]) for r in jsonl(out)]
    assert rows[:3] == [(10, "Before"), (11, "Before"), (12, "Before")]
    # met again in the same walk, or else by the next run: never lost
    await sync(partners, [], ["name"], out, state=state)
    rows += [(r["id"], r["name"]) for r in jsonl(out)]
    assert rows[3:] == [(10, "During")]
    await sync(partners, [], ["name"], out, state=state)
    assert jsonl(out) == []


async def test_sync_pages_through_a_second_shared_by_many_rows(
    odoo: AsyncOdoo, tmp_path: Path
) -> None:
    partners = odoo.model("res.partner")
    state = tmp_path / "state.json"
    out = tmp_path / "changes.jsonl"
    await sync(partners, [], ["name"], out, state=state)
    ids = (await all_partner_ids(odoo))[:300]
    await partners.write(ids, {"name": "Bulk"})  # 300 rows, one write_date
    result = await sync(partners, [], ["name"], out, state=state, page_size=40)
    assert [r["id"] for r in jsonl(out)] == ids
    assert result.changed == 300


def backdate(fake: FakeOdoo, rid: int, seconds: int) -> None:
    """Make a row look written by a transaction that started ``seconds`` ago."""
    store = fake.database._store
    row = store.tables["res.partner"][rid]
    moment = datetime.strptime(row["write_date"], "%Y-%m-%d %H:%M:%S")
    row["write_date"] = (moment - timedelta(seconds=seconds)).strftime("%Y-%m-%d %H:%M:%S")
    store.invalidate()


@pytest.mark.parametrize(("overlap", "found"), [(60.0, True), (0.0, False)])
async def test_sync_overlap_meets_a_late_commit(
    odoo: AsyncOdoo, fake: FakeOdoo, tmp_path: Path, overlap: float, found: bool
) -> None:
    partners = odoo.model("res.partner")
    state, out = tmp_path / "state.json", tmp_path / "changes.jsonl"
    await partners.write([10], {"name": "Watermark"})
    await sync(partners, [], ["name"], out, state=state, overlap=overlap)
    await partners.write([11], {"name": "Committed late"})
    backdate(fake, 11, 30)  # stamped 30 s before the watermark, committed after the sync
    await sync(partners, [], ["name"], out, state=state, overlap=overlap)
    assert ([r["id"] for r in jsonl(out)] == [11]) is found
    await sync(partners, [], ["name"], out, state=state, overlap=overlap)
    assert jsonl(out) == []


async def test_sync_progress_ends_at_its_total(odoo: AsyncOdoo, tmp_path: Path) -> None:
    partners = odoo.model("res.partner")
    state = tmp_path / "state.json"
    await sync(partners, [], ["name"], tmp_path / "a.jsonl", state=state)
    await partners.write([10], {"name": "Ten"})
    seen: list[Progress] = []
    result = await sync(
        partners, [], ["name"], tmp_path / "a.jsonl", state=state, progress=seen.append
    )
    assert result.changed == 1
    assert seen[-1].done == seen[-1].total  # the overlap's unchanged rows count as done


async def test_sync_state_keeps_only_the_overlap_digests(odoo: AsyncOdoo, tmp_path: Path) -> None:
    partners = odoo.model("res.partner")
    state = tmp_path / "state.json"
    await sync(partners, [], ["name"], tmp_path / "a.jsonl", state=state)
    await partners.write([10, 11, 12], {"name": "Recent"})
    await sync(partners, [], ["name"], tmp_path / "a.jsonl", state=state)
    assert sorted(json.loads(state.read_text())["seen"]) == ["10", "11", "12"]


async def test_sync_refuses_the_state_of_another_query(odoo: AsyncOdoo, tmp_path: Path) -> None:
    partners = odoo.model("res.partner")
    state = tmp_path / "state.json"
    await sync(partners, [], ["name"], tmp_path / "a.jsonl", state=state)
    with pytest.raises(
        CheckpointError, match=r'another sync: fields was \["id", "name"\], now \["id", "email"\]'
    ):
        await sync(partners, [], ["email"], tmp_path / "a.jsonl", state=state)


async def test_sync_checks_the_state_folder_before_any_call(
    odoo: AsyncOdoo, fake: FakeOdoo, tmp_path: Path
) -> None:
    fake.clear_calls()
    with pytest.raises(JobError, match=r"the folder .*nowhere does not exist"):
        await sync(
            odoo.model("res.partner"), [], ["name"], tmp_path / "a.jsonl",
            state=tmp_path / "nowhere" / "s",
        )  # fmt: skip
    assert fake.calls == []
    assert not (tmp_path / "a.jsonl").exists()


# -- upsert -------------------------------------------------------------------------


def contacts(n: int, *, prefix: str = "C") -> list[dict[str, Any]]:
    return [
        {"ref": f"{prefix}{i:05d}", "name": f"Contact {i}", "email": f"c{i}@example.com"}
        for i in range(n)
    ]


async def test_upsert_creates_then_reports_unchanged(odoo: AsyncOdoo, fake: FakeOdoo) -> None:
    partners = odoo.model("res.partner")
    report = await upsert(partners, contacts(450), key="ref", batch_size=100)
    assert (report.created, report.updated, report.unchanged, report.failed) == (450, 0, 0, [])
    assert await partners.search_count([["ref", "=like", "C%"]]) == 450
    fake.clear_calls()
    again = await upsert(partners, contacts(450), key="ref", batch_size=100)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 450)
    assert fake.count(method="create") == fake.count(method="write") == 0


async def test_upsert_writes_only_changed_fields_grouped(odoo: AsyncOdoo, fake: FakeOdoo) -> None:
    partners = odoo.model("res.partner")
    await upsert(partners, contacts(300), key="ref")
    changed = contacts(300)
    for row in changed[:120]:
        row["email"] = "same@example.com"  # one write for all 120
    changed[200]["name"] = "Renamed"
    fake.clear_calls()
    report = await upsert(partners, changed, key="ref", batch_size=500)
    assert (report.updated, report.unchanged) == (121, 179)
    writes = [c for c in fake.calls if c.method == "write"]
    assert sorted(len(c.args[0]) for c in writes) == [1, 120]
    assert sorted(json.dumps(c.args[1]) for c in writes) == [
        '{"email": "same@example.com"}',
        '{"name": "Renamed"}',
    ]


async def test_upsert_isolates_bad_rows_and_lands_the_rest(odoo: AsyncOdoo, fake: FakeOdoo) -> None:
    partners = odoo.model("res.partner")
    rows: list[Any] = contacts(1000)
    rows[10]["name"] = ""  # Odoo: contacts require a name
    rows[250]["country_id"] = 999_999  # Odoo: no such country
    rows[600]["customer_rank"] = "lots"  # caught before sending
    rows[601]["ref"] = ""  # no key
    rows[999] = InputRow(1000, None, "not valid JSON")
    rows.append(dict(rows[5]))  # the same key twice
    report = await upsert(partners, rows, key="ref", batch_size=200)
    assert report.created == 995
    assert [f.line for f in report.failed] == [11, 251, 601, 602, 1000, 1001]
    reasons = {f.line: f.reason for f in report.failed}
    assert "require a name" in reasons[11]
    assert "country" in reasons[251].lower() or "constraint" in reasons[251].lower()
    assert reasons[601] == "customer_rank: 'lots' is not an integer"
    assert reasons[602] == "no value for the key 'ref'"
    assert reasons[1000] == "not valid JSON"
    assert reasons[1001] == "duplicate key: line 6 has the same ref"
    assert await partners.search_count([["ref", "=like", "C%"]]) == 995


async def test_upsert_never_replays_a_create_that_may_have_happened(
    odoo: AsyncOdoo, fake: FakeOdoo
) -> None:
    partners = odoo.model("res.partner")
    fake.inject("drop", times=1, method="create")
    # outage=0: the job stops at once rather than look the keys up when the server is back
    with pytest.raises(ConnectionDropped):
        await upsert(partners, contacts(50), key="ref", outage=0)
    assert fake.count(method="create") == 1
    # running it again settles it
    again = await upsert(partners, contacts(50), key="ref")
    assert (again.created, again.failed) == (50, [])


async def test_upsert_reports_a_create_timed_out_as_of_unknown_outcome(
    odoo: AsyncOdoo, fake: FakeOdoo
) -> None:
    partners = odoo.with_options(timeout=0.05).model("res.partner")
    fake.inject("slow", delay=30.0, times=1, method="create")
    report = await upsert(partners, contacts(50), key="ref")
    assert fake.count(method="create") == 1  # a read timeout is no outage: not replayed
    assert len(report.failed) == 50
    assert all(f.reason.startswith("outcome unknown, not replayed") for f in report.failed)


async def test_upsert_by_external_id(odoo: AsyncOdoo, fake: FakeOdoo) -> None:
    partners = odoo.model("res.partner")
    rows = [{"xmlid": f"crm.contact_{i}", "name": f"X {i}"} for i in range(30)]
    report = await upsert(partners, rows, key="xmlid", batch_size=10)
    assert (report.created, report.failed) == (30, [])
    data = await odoo.model("ir.model.data").search_read(
        [["module", "=", "crm"]], ["name", "model", "res_id"]
    )
    assert len(data) == 30
    assert {d["model"] for d in data} == {"res.partner"}
    rows[3]["name"] = "Changed"
    again = await upsert(partners, rows, key="xmlid", batch_size=10)
    assert (again.created, again.updated, again.unchanged) == (0, 1, 29)
    res_id = next(d["res_id"] for d in data if d["name"] == "contact_3")
    assert (await partners.read([res_id], ["name"]))[0]["name"] == "Changed"


async def test_upsert_by_id_fails_unknown_ids(odoo: AsyncOdoo) -> None:
    partners = odoo.model("res.partner")
    report = await upsert(
        partners, [{"id": 10, "name": "Ten"}, {"id": 10**7, "name": "None"}], key="id"
    )
    assert report.updated == 1
    assert [f.reason for f in report.failed] == ["no res.partner record with id 10000000"]


async def test_upsert_unknown_key_is_a_job_error(odoo: AsyncOdoo) -> None:
    with pytest.raises(JobError, match="no field 'nope' to use as the key"):
        await upsert(odoo.model("res.partner"), [], key="nope")
    with pytest.raises(JobError, match="is a many2one field"):
        await upsert(odoo.model("res.partner"), [], key="country_id")


async def test_exported_file_imports_back_unchanged(odoo: AsyncOdoo, tmp_path: Path) -> None:
    partners = odoo.model("res.partner")
    out = tmp_path / "p.csv"
    await export(partners, [["id", "<", 200]], FIELDS, out)
    report = await upsert(partners, read_rows(out), key="id")
    assert report.unchanged == len(list(read_rows(out)))
    assert (report.created, report.updated, report.failed) == (0, 0, [])
    assert "write_date" in report.ignored_columns
    assert "country_id.name" in report.ignored_columns


async def test_exported_jsonl_imports_back_unchanged(odoo: AsyncOdoo, tmp_path: Path) -> None:
    partners = odoo.model("res.partner")
    out = tmp_path / "p.jsonl"
    await export(partners, [["id", "<", 200]], FIELDS, out)
    report = await upsert(partners, read_rows(out), key="id")
    assert (report.unchanged, report.created, report.updated) == (len(jsonl(out)), 0, 0)
    assert report.failed == []


async def test_sync_asks_one_request_per_page(
    odoo: AsyncOdoo, fake: FakeOdoo, tmp_path: Path
) -> None:
    await sync(odoo.model("res.partner"), [], ["name"], tmp_path / "a.jsonl", state=tmp_path / "s")
    fake.clear_calls()
    await odoo.model("res.partner").write([10], {"name": "Ten"})
    await sync(odoo.model("res.partner"), [], ["name"], tmp_path / "a.jsonl", state=tmp_path / "s")
    # search (ids present), search_count (total), the last second again, one page, its second
    assert [c.method for c in fake.calls if c.method != "write"].count("search_count") == 1


# -- files --------------------------------------------------------------------------


def test_read_rows_refuses_a_file_that_is_not_jsonl(tmp_path: Path) -> None:
    bad = tmp_path / "p.jsonl"
    bad.write_text("id,name\n1,A\n")
    with pytest.raises(FileFormatError, match="not a JSON Lines file: line 1"):
        list(read_rows(bad))
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    with pytest.raises(FileFormatError, match=r"not a UTF-8 text file|not a CSV file"):
        list(read_rows(binary))


def test_read_rows_keeps_a_bad_line_with_its_reason(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"ref": "a"}\n{"ref": \n[1]\n')
    rows = list(read_rows(path))
    assert [(r.line, r.error is None) for r in rows] == [(1, True), (2, False), (3, False)]
    short = tmp_path / "p.csv"
    short.write_text("ref,name\na,A\nb\n")
    assert [r.error for r in read_rows(short)] == [None, "1 cells where the header has 2"]


# -- bench --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([], 50, 0.0),
        ([5.0], 99, 5.0),
        ([1.0, 2.0, 3.0, 4.0], 50, 2.0),
        ([1.0, 2.0, 3.0, 4.0], 95, 4.0),
    ],
)
def test_percentile(values: list[float], q: float, expected: float) -> None:
    assert percentile(values, q) == expected


def _step(concurrency: int, calls_per_second: float) -> BenchResult:
    return BenchResult(
        "m",
        "f",
        concurrency,
        None,
        int(calls_per_second),
        int(calls_per_second),
        {},
        1.0,
        0,
        0,
        0,
        0,
    )


@pytest.mark.parametrize(
    ("rates", "expected"),
    [
        ([22.7, 42.1, 42.4, 42.5], 2),  # two workers: flat after 2
        ([10.0, 20.0, 40.0], None),  # still growing
        ([10.0, 10.5], 1),
        ([10.0], None),
    ],
)
def test_saturation_point(rates: list[float], expected: int | None) -> None:
    steps = [_step(2**i, rate) for i, rate in enumerate(rates)]
    found = saturation_point(steps)
    assert (found.concurrency if found else None) == expected


@pytest.mark.parametrize(
    ("levels", "rates", "failed", "expected"),
    [
        # the issue's ramp: the first plateau is at 2, the best step at 8
        ([2, 4, 8, 16], [40.7, 37.3, 47.2, 45.7], [0, 0, 0, 0], 8),
        ([1, 2, 4], [10.0, 20.0, 40.0], [0, 0, 0], 4),
        ([1, 2, 4], [10.0, 20.0, 90.0], [0, 0, 5], 2),  # fastest, but over the threshold
        ([1], [10.0], [10], None),  # every call failed
        # prefork 17, two workers: 48 is hardly faster than 4, at a p99 of 7.9 s
        ([4, 8, 16, 32, 48], [49.0, 48.1, 47.5, 49.6, 50.3], [0, 0, 0, 0, 0], 4),
        ([1, 2, 4, 8], [10.0, 20.0, 40.0, 43.0], [0, 0, 0, 0], 4),  # 8 within 10 % of 4
    ],
)
def test_best_step(
    levels: list[int], rates: list[float], failed: list[int], expected: int | None
) -> None:
    steps = [
        dataclasses.replace(_step(level, rate), ok=int(rate) - n)
        for level, rate, n in zip(levels, rates, failed, strict=True)
    ]
    found = best_step(steps, threshold=0.01)
    assert (found.concurrency if found else None) == expected


async def test_bench_keeps_the_first_message_of_each_kind(odoo: AsyncOdoo) -> None:
    result = await bench(
        odoo, "res.partner", "search_count", [[["nofield", "=", 1]]], concurrency=2, calls=6
    )
    assert result.ok == 0
    assert result.errors == {"builtins.ValueError": 6}
    assert result.messages["builtins.ValueError"].startswith("Invalid field res.partner.nofield")
    assert result.to_dict()["latency_ms"] == {"p50": None, "p95": None, "p99": None, "max": None}


def test_ramp_levels() -> None:
    assert ramp_levels(1, 20) == [1, 2, 4, 8, 16, 20]
    assert ramp_levels(4, 4) == [4]
    with pytest.raises(ValueError, match="ramp"):
        ramp_levels(0, 4)


async def test_bench_counts_errors_by_kind(odoo: AsyncOdoo, fake: FakeOdoo) -> None:
    fake.inject("503", rate=0.2, method="search_count")
    result = await bench(odoo, "res.partner", "search_count", [[]], concurrency=4, calls=200)
    assert result.calls == 200
    assert set(result.errors) == {"HTTP 503"}
    assert result.ok + result.errors["HTTP 503"] == 200
    assert fake.count(method="search_count") == 200  # no retries hide a failure
    assert 0 < result.p50 <= result.p95 <= result.p99 <= result.max


async def test_ramp_says_where_errors_start(odoo: AsyncOdoo, fake: FakeOdoo) -> None:
    fake.max_concurrent_requests = 3  # above 3 at once, HTTP 500 like a full database pool
    fake.latency = 0.002
    result = await ramp(odoo, "res.partner", "search_count", [[]], start=1, stop=16, step_calls=64)
    assert result.breaking_point is not None
    assert result.breaking_point.concurrency > 3
    assert all(step.failed == 0 for step in result.steps[:-1])
    assert error_kind(Exception()) == "Exception"
