"""The import's updates: records whose changes differ, written by ``load`` or a ``write`` each.

    python -m benchmarks.bench_update [--rows 2000] [--cost threaded|prefork]
        [--url URL --db DB --user USER]   (the password from ODOO_PASSWORD)

Creates ``--rows`` contacts with ``upsert`` (one ``create`` per batch), then
imports them again with a new email each (every record changed, each its own
value), with ``load=True`` (the default: Odoo's ``load``, one call a batch)
and ``load=False`` (a ``write`` a record, as before), and prints rows per
second of each against the create's. The double runs in its own process with
the cost model of a real Odoo 17 (``--cost``), or give a real server; the
records made are deleted at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from typing import Any

from benchmarks._support import served_double, table
from odoo_async import AsyncOdoo
from odoo_async.jobs import upsert


def _rows(n: int, tag: str, email: str) -> list[dict[str, Any]]:
    return [
        {"ref": f"UPD-{tag}-{i:06d}", "name": f"Update {i}", "email": f"{email}{i}@example.com"}
        for i in range(n)
    ]


async def _run(url: str, db: str, user: str, password: str, n: int) -> list[dict[str, Any]]:
    tag = str(int(time.time()))
    out = []
    async with AsyncOdoo(url, db=db, username=user, password=password) as odoo:
        partners = odoo.model("res.partner")
        await odoo.authenticate()
        try:
            for what, load, email in [
                ("create", True, "a"),
                ("update, load", True, "b"),
                ("update, a write each", False, "c"),
            ]:
                started = time.perf_counter()
                report = await upsert(partners, _rows(n, tag, email), key="ref", load=load)
                seconds = time.perf_counter() - started
                assert not report.failed, report.failed[:3]
                out.append({"what": what, "rows": n, "seconds": round(seconds, 2),
                            "rows_per_s": round(n / seconds)})  # fmt: skip
        finally:
            ids = await partners.search([["ref", "=like", f"UPD-{tag}-%"]])
            for start in range(0, len(ids), 1000):
                await partners.unlink(ids[start : start + 1000])
    create = out[0]["rows_per_s"]
    for row in out:
        row["of_create"] = f"{row['rows_per_s'] / create:.2f}x"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--cost", choices=["threaded", "prefork"], default="threaded")
    parser.add_argument("--url")
    parser.add_argument("--db", default="odoo")
    parser.add_argument("--user", default="admin")
    args = parser.parse_args()
    if args.url:
        password = os.environ.get("ODOO_PASSWORD", "admin")
        rows = asyncio.run(_run(args.url, args.db, args.user, password, args.rows))
        where = args.url
    else:
        with served_double(partners=100, extra=["--cost", args.cost]) as url:
            rows = asyncio.run(_run(url, "odoo", "admin", "admin", args.rows))
        where = f"the double, cost model {args.cost}"
    print(f"import of {args.rows:,} records against {where}")
    print(table(rows, ["what", "rows", "seconds", "rows_per_s", "of_create"]))


if __name__ == "__main__":
    main()
