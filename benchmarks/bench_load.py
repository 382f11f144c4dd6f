"""Load: 10,000 concurrent search_count calls with 5% injected 503s, over loopback.

The test double runs in another process (so the figures are the client's) and
answers 5% of the calls with HTTP 503; the client runs 10,000 tasks at once
through ``max_concurrency=32``, on httpx's default transport and on
:class:`~odoo_async.PooledTransport`. Prints calls/s, retries and the client's
peak RSS.

    python -m benchmarks.bench_load [--calls 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from benchmarks._support import child_json, peak_rss_mib, save, served_double, table


async def _run(url: str, calls: int, transport: str) -> dict[str, float]:
    from odoo_async import AsyncOdoo, PooledTransport, RetryPolicy

    async with AsyncOdoo(
        url,
        db="odoo",
        username="admin",
        password="admin",
        max_concurrency=32,
        retry=RetryPolicy(max_retries=6),
        transport=PooledTransport() if transport == "pooled" else None,
    ) as odoo:
        await odoo.authenticate()
        started = time.perf_counter()
        results = await asyncio.gather(
            *(odoo.execute_kw("res.partner", "search_count", [[]]) for _ in range(calls))
        )
        elapsed = time.perf_counter() - started
        stats = odoo.stats
    assert len(results) == calls
    return {
        "calls": calls,
        "seconds": round(elapsed, 2),
        "calls_per_s": round(calls / elapsed),
        "http_requests": stats.requests,
        "retries": stats.retries,
        "peak_in_flight": stats.peak_in_flight,
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--child", default=None)
    parser.add_argument("--transport", default="httpx", choices=["httpx", "pooled"])
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(_run(args.child, args.calls, args.transport))))
        return
    rows = []
    for transport in ("httpx", "pooled"):
        for fault_rate in ("0", "0.05"):
            extra = ["--inject", f"503:{fault_rate}:search_count"]
            with served_double(partners=100, extra=extra) as url:
                result = child_json(
                    "benchmarks.bench_load",
                    *("--calls", str(args.calls), "--transport", transport, "--child", url),
                )
            rows.append({"transport": transport, "503_rate": fault_rate, **result})
    print(
        f"{args.calls:,} concurrent search_count calls, max_concurrency=32, double in another process:"
    )
    print(
        table(
            rows,
            [
                "transport",
                "503_rate",
                "calls",
                "seconds",
                "calls_per_s",
                "http_requests",
                "retries",
                "peak_in_flight",
                "peak_rss_mib",
            ],
        )
    )
    print(f"written to {save('load', rows)}")


if __name__ == "__main__":
    sys.exit(main())
