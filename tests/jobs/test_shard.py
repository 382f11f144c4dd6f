"""Sharded jobs: N workers, each its I, do disjoint parts that add up to the whole."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from odoo_async import AsyncOdoo
from odoo_async.jobs import CheckpointError, InputRow, Shard, checkpoint_path, export, upsert
from odoo_async.jobs._shard import as_shard
from odoo_async.testing import FakeOdoo


@pytest.fixture
def fake() -> FakeOdoo:
    return FakeOdoo(partners=1_000)


def jsonl_ids(path: Path) -> list[int]:
    return [json.loads(line)["id"] for line in path.read_text().splitlines()]


# -- the split itself (pure) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2/4", Shard(2, 4)),
        (" 1 / 1 ", Shard(1, 1)),
        ("4/4", Shard(4, 4)),
        ((3, 8), Shard(3, 8)),
        (Shard(1, 2), Shard(1, 2)),
        (None, None),
    ],
)
def test_a_shard_is_written_i_of_n(given: Any, expected: Shard | None) -> None:
    assert as_shard(given) == expected


@pytest.mark.parametrize(
    ("given", "error", "message"),
    [
        ("0/4", ValueError, "counts from 1"),
        ("5/4", ValueError, "counts from 1"),
        ("1/0", ValueError, "at least 1"),
        ("2", ValueError, "written I/N"),
        ("a/b", ValueError, "written I/N"),
        ("-1/4", ValueError, "written I/N"),
        ((True, 2), TypeError, "int"),
        ([1, 2], TypeError, "shard must be"),
    ],
)
def test_a_bad_shard_is_refused(given: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        as_shard(given)


def test_ids_split_into_disjoint_even_parts() -> None:
    shards = [Shard(i, 4) for i in range(1, 5)]
    owners = {
        record_id: [s for s in shards if s.owns_id(record_id)] for record_id in range(1, 1001)
    }
    assert all(len(found) == 1 for found in owners.values())
    assert [sum(s.owns_id(i) for i in range(1, 1001)) for s in shards] == [250] * 4


def test_keys_split_into_disjoint_parts_whatever_the_line() -> None:
    shards = [Shard(i, 4) for i in range(1, 5)]
    keys = [f"C{i:05d}" for i in range(4000)]
    counts = [0] * 4
    for line, key in enumerate(keys, 1):
        owners = [n for n, s in enumerate(shards) if s.owns_key(key, line)]
        assert len(owners) == 1
        assert owners == [n for n, s in enumerate(shards) if s.owns_key(key, line + 7)]
        counts[owners[0]] += 1
    assert all(900 < count < 1100 for count in counts)  # BLAKE2b spreads them
    # a row without a key goes by its line
    assert [s.owns_key(None, 5) for s in shards] == [False, True, False, False]
    assert [s.owns_key("", 7) for s in shards] == [False, False, False, True]


# -- export --------------------------------------------------------------------------------


async def test_four_export_shards_hold_every_row_exactly_once(
    odoo: AsyncOdoo, tmp_path: Path
) -> None:
    partners = odoo.model("res.partner")
    parts = []
    for i in range(1, 5):
        out = tmp_path / f"partners-{i}of4.jsonl"
        result = await export(partners, [], ["name"], out, shard=f"{i}/4", page_size=60)
        ids = jsonl_ids(out)
        assert result.rows == len(ids)
        assert all(record_id % 4 == i - 1 for record_id in ids)
        parts.extend(ids)
        assert json.loads(checkpoint_path(out).read_text())["shard"] == f"{i}/4"
    assert sorted(parts) == sorted(await partners.search([]))
    assert len(parts) == len(set(parts))


async def test_an_export_shard_resumes_from_its_own_checkpoint(
    odoo: AsyncOdoo, tmp_path: Path
) -> None:
    partners = odoo.model("res.partner")
    out = tmp_path / "part.jsonl"

    class Killed(Exception):
        pass

    def die_after_two_pages(progress: Any) -> None:
        if progress.done >= 100:
            raise Killed

    with pytest.raises(Killed):
        await export(
            partners, [], ["name"], out, shard="3/4", page_size=50, progress=die_after_two_pages
        )
    with pytest.raises(CheckpointError, match="another export"):
        await export(partners, [], ["name"], out, shard="2/4", resume=True)
    result = await export(partners, [], ["name"], out, shard="3/4", page_size=50, resume=True)
    assert result.resumed_from == 100
    expected = [i for i in sorted(await partners.search([])) if i % 4 == 2]
    assert jsonl_ids(out) == expected


# -- import ----------------------------------------------------------------------------------


def contacts(n: int) -> list[dict[str, Any]]:
    return [{"ref": f"S{i:05d}", "name": f"Contact {i}"} for i in range(n)]


async def test_four_import_shards_write_every_record_once(odoo: AsyncOdoo, fake: FakeOdoo) -> None:
    partners = odoo.model("res.partner")
    reports = [
        await upsert(partners, contacts(400), key="ref", shard=(i, 4), batch_size=40)
        for i in range(1, 5)
    ]
    assert sum(r.created for r in reports) == 400
    assert all(r.failed == [] and r.created > 0 for r in reports)
    refs = [r["ref"] for r in await partners.search_read([["ref", "=like", "S%"]], ["ref"])]
    assert sorted(refs) == sorted(c["ref"] for c in contacts(400))


async def test_a_duplicated_key_lands_in_one_shard_and_is_reported_there(
    odoo: AsyncOdoo,
) -> None:
    rows = [*contacts(40), {"ref": "S00007", "name": "Again"}, InputRow(42, None, "bad JSON")]
    reports = [
        await upsert(odoo.model("res.partner"), rows, key="ref", shard=(i, 4)) for i in range(1, 5)
    ]
    assert sum(r.created for r in reports) == 40
    failed = sorted((f.line, f.reason) for r in reports for f in r.failed)
    assert [line for line, _ in failed] == [41, 42]  # each reported once, by one shard
    assert "duplicate key" in failed[0][1]
