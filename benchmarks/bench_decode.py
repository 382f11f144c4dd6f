"""Decode a 2,000-row ``res.partner`` ``search_read`` reply three ways.

    python benchmarks/bench_decode.py [--rows 2000] [--repeat 15]

(a) dicts with the standard library's ``json.loads``, (b) dicts with
``msgspec.json.decode``, (c) typed :class:`~odoo_async._orm._records.Record` objects
with :func:`~odoo_async._orm._records.decode_records` (Odoo's ``false`` turned into
``None``, datetimes parsed as aware UTC, many2one values as ``Many2one``). A
fourth line is not a contender: it shows the row-by-row path a batch takes
when the fast path refuses it (one row Odoo sent oddly), before the odd row
itself is converted field by field.

The reply has the shape of Odoo 17's (``json.dumps`` separators, ``false`` for
empty values, ``[id, "Name"]`` many2one values, ``"YYYY-MM-DD HH:MM:SS"``
datetimes) and 18 fields a row; binary fields are left out so that base64 text
does not dominate. Times are the best of ``--repeat`` runs of ``timeit``, with
the garbage collector off (timeit's default) and on; contenders take turns. Results go to
``benchmarks/results/decode.json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import random
import sys
import timeit
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import msgspec

from odoo_async._orm._records import Many2one, Record, _codec, _decode_slowly, decode_records

RESULTS = Path(__file__).resolve().parent / "results" / "decode.json"


class Partner(Record, model="res.partner"):
    name: str
    email: str | None = None
    phone: str | None = None
    is_company: bool = False
    parent_id: Many2one | None = None
    country_id: Many2one | None = None
    category_id: list[int] = msgspec.field(default_factory=list)
    child_ids: list[int] = msgspec.field(default_factory=list)
    type: str | None = None
    street: str | None = None
    city: str | None = None
    active: bool = True
    create_date: datetime | None = None
    write_date: datetime | None = None
    birthday: date | None = msgspec.field(default=None, name="date")
    credit_limit: float = 0.0
    user_id: Many2one | None = None


def build_reply(rows: int, seed: int = 17) -> bytes:
    """A search_read result as Odoo 17 sends it, with a realistic share of ``false``."""
    rnd = random.Random(seed)
    countries = [[233, "United States"], [75, "France"], [21, "Belgium"], [81, "Germany"]]
    users = [[2, "Mitchell Admin"], [6, "Marc Demo"]]
    created = datetime(2026, 11, 22, 18, 58, 57)
    out: list[dict[str, Any]] = []
    for rid in range(1, rows + 1):
        company = rnd.random() < 0.3
        out.append(
            {
                "id": rid,
                "name": f"Partner {rid} {rnd.choice(['Azure', 'Deco', 'Gemini', 'Ready'])}",
                "email": f"contact{rid}@example.com" if rnd.random() < 0.8 else False,
                "phone": f"(870)-931-{rid % 10000:04d}" if rnd.random() < 0.7 else False,
                "is_company": company,
                "parent_id": False
                if company or rnd.random() < 0.4
                else [rnd.randint(1, rows), "Azure Interior"],
                "country_id": rnd.choice(countries) if rnd.random() < 0.9 else False,
                "category_id": rnd.sample(range(1, 20), rnd.randint(0, 3)),
                "child_ids": rnd.sample(range(1, rows), rnd.randint(0, 4)) if company else [],
                "type": rnd.choice(["contact", "invoice", "delivery", "other"]),
                "street": f"{rid} De Silva St" if rnd.random() < 0.8 else False,
                "city": rnd.choice(["Fremont", "Paris", "Brussels"])
                if rnd.random() < 0.8
                else False,
                "active": True,
                "create_date": (created + timedelta(seconds=rid)).strftime("%Y-%m-%d %H:%M:%S"),
                "write_date": (created + timedelta(minutes=rid)).strftime("%Y-%m-%d %H:%M:%S"),
                "date": f"2026-11-{rnd.randint(1, 28):02d}" if rnd.random() < 0.2 else False,
                "credit_limit": 0.0 if rnd.random() < 0.7 else round(rnd.random() * 1000, 2),
                "user_id": rnd.choice(users) if rnd.random() < 0.3 else False,
            }
        )
    return json.dumps(out).encode()


def measure(
    contenders: dict[str, Callable[[], object]], *, repeat: int, gc_on: bool
) -> dict[str, float]:
    """Best time of one call per contender, in ms.

    The contenders take turns, ``repeat`` rounds of ``timeit`` each, so that a
    burst of load on a shared machine does not land on one contender only.
    """
    number = 5
    setup = "import gc; gc.enable()" if gc_on else "pass"
    best = dict.fromkeys(contenders, float("inf"))
    for _ in range(repeat):
        for name, fn in contenders.items():
            elapsed = timeit.timeit(fn, setup=setup, number=number) / number
            best[name] = min(best[name], elapsed)
    return {name: seconds * 1e3 for name, seconds in best.items()}


def check(data: bytes) -> None:
    """The typed rows say the same as the dicts (so the race is fair)."""
    dicts = json.loads(data)
    records = decode_records(Partner, data)
    assert len(records) == len(dicts)
    for row, rec in zip(dicts, records, strict=True):
        assert type(rec) is Partner
        assert rec.id == row["id"]
        assert rec.email == (row["email"] or None)
        assert (rec.parent_id.id if rec.parent_id else False) == (row["parent_id"] or [False])[0]
        assert rec.create_date is not None
        assert rec.create_date.tzinfo == timezone.utc
    assert records == _decode_slowly(_codec(Partner), data)


def run(*, rows: int = 2000, repeat: int = 15) -> dict[str, Any]:
    """Measure every contender; the report written to ``results/decode.json``."""
    data = build_reply(rows)
    check(data)
    fields = len(json.loads(data)[0])
    contenders: dict[str, Callable[[], object]] = {
        "dicts, json.loads": lambda: json.loads(data),
        "dicts, msgspec.json.decode": lambda: msgspec.json.decode(data),
        "records, decode_records": lambda: decode_records(Partner, data),
        "records, row by row (fallback)": lambda: _decode_slowly(_codec(Partner), data),
    }
    gc_off = measure(contenders, repeat=repeat, gc_on=False)
    gc_on = measure(contenders, repeat=repeat, gc_on=True)
    gc.enable()
    results = {name: {"gc_off_ms": gc_off[name], "gc_on_ms": gc_on[name]} for name in contenders}
    base = results["dicts, json.loads"]
    for r in results.values():
        r["speedup_vs_json_gc_off"] = base["gc_off_ms"] / r["gc_off_ms"]
        r["speedup_vs_json_gc_on"] = base["gc_on_ms"] / r["gc_on_ms"]
    report = {
        "benchmark": "decode res.partner search_read reply",
        "rows": rows,
        "fields": fields,
        "bytes": len(data),
        "repeat": repeat,
        "python": sys.version.split()[0],
        "msgspec": msgspec.__version__,
        "machine": platform.machine(),
        "results": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    report = run(rows=args.rows, repeat=args.repeat)
    print(
        f"{report['rows']} rows x {report['fields']} fields, {report['bytes'] / 1e6:.2f} MB of JSON"
    )
    print(f"{'contender':30} {'gc off ms':>10} {'vs json':>8} {'gc on ms':>10} {'vs json':>8}")
    for name, r in report["results"].items():
        print(
            f"{name:30} {r['gc_off_ms']:10.2f} {r['speedup_vs_json_gc_off']:7.2f}x"
            f" {r['gc_on_ms']:10.2f} {r['speedup_vs_json_gc_on']:7.2f}x"
        )
    print(f"results written to {RESULTS}")


if __name__ == "__main__":
    main()
