"""Per protocol: the cost of one call and of an export, against the test double.

For each protocol (``jsonrpc``, ``xmlrpc`` and ``web`` against the double as
Odoo 17; ``json2``, and ``jsonrpc`` again for comparison, against it as Odoo
19) a fresh process runs:

- ``per_call``: ``search_count`` calls after the login, one at a time and 32 in
  flight; calls/s and the bytes each call puts on the wire;
- ``export``: every ``res.partner`` row (6 fields) through the repository's
  ``search_read`` pager; rows/s.

The double runs in its own process without a cost model, so the figures are
the client's own cost per protocol (encoding, decoding, HTTP), not Odoo's.

    python -m benchmarks.bench_protocols [--calls 2000] [--partners 20000]
    python -m benchmarks --scenarios protocols      # the same, from the harness
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from typing import Any

from benchmarks._support import child_json, save, served_double, table

#: (protocol, Odoo version of the double)
RUNS = [
    ("jsonrpc", "17.0"),
    ("xmlrpc", "17.0"),
    ("web", "17.0"),
    ("jsonrpc", "19.0"),
    ("json2", "19.0"),
]
FIELDS = ["name", "email", "phone", "city", "country_id", "is_company"]
#: A throwaway key of the double's admin, for JSON-2 (never a real secret).
API_KEY = "bench-protocols-key"


async def _per_call(odoo: Any, calls: int, concurrency: int) -> float:
    left = calls

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await odoo.execute_kw("res.partner", "search_count", [[["is_company", "=", True]]])

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


async def _run(url: str, protocol: str, calls: int) -> dict[str, Any]:
    from odoo_async import AsyncOdoo

    credentials = {"api_key": API_KEY} if protocol == "json2" else {"password": "admin"}
    out: dict[str, Any] = {}
    async with AsyncOdoo(
        url, db="odoo", username="admin", protocol=protocol, max_concurrency=32, **credentials
    ) as odoo:
        await odoo.authenticate()
        await _per_call(odoo, 64, 32)  # warm the pool (and JSON-2's doc page)
        for concurrency in (1, 32):
            stats = odoo.stats
            before = (stats.bytes_out, stats.bytes_in)
            seconds = await _per_call(odoo, calls, concurrency)
            out[f"calls_per_s_{concurrency}"] = round(calls / seconds)
            out["bytes_per_call"] = round(
                (stats.bytes_out - before[0] + stats.bytes_in - before[1]) / calls
            )
    async with AsyncOdoo(
        url, db="odoo", username="admin", protocol=protocol, **credentials
    ) as odoo:
        started = time.perf_counter()
        rows = 0
        async for _row in odoo.model("res.partner").search_read([], FIELDS):
            rows += 1
        seconds = time.perf_counter() - started
        out.update(
            export_rows=rows,
            export_s=round(seconds, 2),
            export_rows_per_s=round(rows / seconds),
            export_mib_in=round(odoo.stats.bytes_in / 2**20, 1),
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_protocols")
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--partners", type=int, default=20_000)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--protocol", default="jsonrpc", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(asyncio.run(_run(args.child, args.protocol, args.calls))))
        return 0
    rows = []
    for protocol, version in RUNS:
        extra = ["--odoo-version", version, "--api-key", f"2:{API_KEY}"]
        with served_double(partners=args.partners, extra=extra) as url:
            result = child_json(
                "benchmarks.bench_protocols",
                *("--calls", str(args.calls), "--protocol", protocol, "--child", url),
            )
        rows.append({"protocol": protocol, "odoo": version, **result})
    print(
        f"per protocol: {args.calls:,} search_count calls (1 and 32 in flight) and an export of "
        f"{args.partners + 40:,} partners x {len(FIELDS)} fields; test double in another "
        f"process, no cost model; load average {os.getloadavg()[0]:.1f}"
    )
    print(
        table(
            rows,
            [
                "protocol",
                "odoo",
                "calls_per_s_1",
                "calls_per_s_32",
                "bytes_per_call",
                "export_rows",
                "export_s",
                "export_rows_per_s",
                "export_mib_in",
            ],
        )
    )
    print(f"written to {save('protocols', rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
