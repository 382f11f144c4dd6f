"""Transport: httpx's default pool (httpcore) against PooledTransport, over loopback.

The test double runs in another process (so the figures are the client's); the
client makes ``--calls`` calls of ``read([1], ["name"])``, one after another and
then 32 at a time (``max_concurrency=32``, 32 pooled connections), once with
httpx's default transport and once with ``PooledTransport``. Prints calls/s
and the ratio.

    python -m benchmarks.bench_transport [--calls 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any

from benchmarks._support import save, served_double, table

CONCURRENCY = 32


async def _run(url: str, *, transport: str, calls: int, concurrency: int) -> dict[str, Any]:
    from odoo_async import AsyncOdoo, PooledTransport

    pooled = PooledTransport(max_connections=CONCURRENCY) if transport == "pooled" else None
    async with AsyncOdoo(
        url,
        db="odoo",
        username="admin",
        password="admin",
        max_concurrency=CONCURRENCY,
        transport=pooled,
    ) as odoo:
        await odoo.authenticate()

        async def read() -> Any:
            return await odoo.execute_kw("res.partner", "read", [[1], ["name"]])

        await asyncio.gather(*(read() for _ in range(CONCURRENCY)))  # warm the pool
        started = time.perf_counter()
        if concurrency == 1:
            for _ in range(calls):
                await read()
        else:
            semaphore = asyncio.Semaphore(concurrency)

            async def bounded() -> Any:
                async with semaphore:
                    return await read()

            results = await asyncio.gather(*(bounded() for _ in range(calls)))
            assert len(results) == calls
        elapsed = time.perf_counter() - started
    row: dict[str, Any] = {
        "transport": transport,
        "concurrency": concurrency,
        "calls": calls,
        "seconds": round(elapsed, 2),
        "calls_per_s": round(calls / elapsed),
    }
    if pooled is not None:
        row["connections_opened"] = pooled.connections_opened
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=3_000)
    args = parser.parse_args()
    rows = []
    with served_double(partners=100) as url:
        for concurrency in (1, CONCURRENCY):
            for transport in ("httpx", "pooled"):
                rows.append(
                    asyncio.run(
                        _run(url, transport=transport, calls=args.calls, concurrency=concurrency)
                    )
                )
    for concurrency in (1, CONCURRENCY):
        default, pooled = (r for r in rows if r["concurrency"] == concurrency)
        pooled["ratio"] = f"{pooled['calls_per_s'] / default['calls_per_s']:.2f}x"
    print(
        f"{args.calls:,} read([1], ['name']) calls, double in another process, "
        f"httpx default transport vs PooledTransport:"
    )
    print(
        table(
            rows,
            [
                "transport",
                "concurrency",
                "calls",
                "seconds",
                "calls_per_s",
                "ratio",
                "connections_opened",
            ],
        )
    )
    print(f"written to {save('transport', rows)}")


if __name__ == "__main__":
    sys.exit(main())
