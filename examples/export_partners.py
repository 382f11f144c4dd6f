"""Export every partner of an Odoo database page by page, and say what it took.

With no arguments it runs against odoo_async's built-in Odoo test double,
served over real TCP on 127.0.0.1::

    python examples/export_partners.py                    # 10,000 demo partners
    python examples/export_partners.py --partners 100000 --page-size 1000

Against a real server, set ODOO_URL, ODOO_DB, ODOO_USERNAME and ODOO_PASSWORD
(or ODOO_API_KEY) and pass ``--env``. Rows are written as JSON lines.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import msgspec

from odoo_async import AsyncOdoo

FIELDS = ["name", "email", "phone", "is_company", "country_id", "create_date"]


@contextlib.asynccontextmanager
async def odoo_client(args: argparse.Namespace) -> AsyncIterator[AsyncOdoo]:
    if args.env:
        async with AsyncOdoo.from_env() as odoo:
            yield odoo
        return
    from odoo_async.testing import FakeOdoo

    started = time.perf_counter()
    fake = FakeOdoo(db="demo", partners=args.partners)
    built = time.perf_counter() - started
    print(f"built the test double with {args.partners:,} partners in {built:.2f} s")
    async with (
        fake.serve() as url,
        AsyncOdoo(url, db="demo", username="admin", password="admin") as odoo,
    ):
        print(f"serving it on {url}")
        yield odoo


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=10_000, help="demo partners (test double)")
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--output", type=Path, default=Path("partners.jsonl"))
    parser.add_argument("--env", action="store_true", help="use ODOO_* variables, not the double")
    args = parser.parse_args(argv)

    encoder = msgspec.json.Encoder()
    async with odoo_client(args) as odoo:
        partners = odoo.model("res.partner")
        total = await partners.search_count([])
        started = time.perf_counter()
        rows = pages = 0
        with args.output.open("wb") as out:
            async for page in partners.search_read([], FIELDS, page_size=args.page_size).pages():
                pages += 1
                rows += len(page)
                out.write(b"\n".join(encoder.encode(row) for row in page) + b"\n")
        elapsed = time.perf_counter() - started
        stats = odoo.stats
    print(
        f"exported {rows:,} of {total:,} partners in {pages} pages of {args.page_size} "
        f"to {args.output} in {elapsed:.2f} s ({rows / elapsed:,.0f} rows/s)"
    )
    print(
        f"RPC: {stats.requests} HTTP requests, {stats.retries} retries, {stats.errors} errors, "
        f"{stats.bytes_out:,} bytes out, {stats.bytes_in:,} bytes in"
    )
    if rows != total:
        print(f"error: expected {total} rows, got {rows}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
