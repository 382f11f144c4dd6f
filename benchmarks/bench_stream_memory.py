"""Streaming search_read keeps the client's memory bounded.

Streams N res.partner rows (page_size 500) from the test double running in
another process, in a fresh client process per N, and reports that client's
peak RSS. The figure must not grow with N.

    python -m benchmarks.bench_stream_memory
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from benchmarks._support import child_json, peak_rss_mib, save, served_double, table

FIELDS = ["name", "email", "phone", "street", "city", "country_id", "is_company", "create_date"]


async def _stream(url: str) -> dict[str, float]:
    from odoo_async import AsyncOdoo

    async with AsyncOdoo(url, db="odoo", username="admin", password="admin") as odoo:
        partners = odoo.model("res.partner").with_context(active_test=False)
        baseline = peak_rss_mib()
        started = time.perf_counter()
        rows = 0
        async for _row in partners.search_read([], FIELDS, page_size=500):
            rows += 1
        elapsed = time.perf_counter() - started
    return {
        "rows": rows,
        "seconds": round(elapsed, 2),
        "rows_per_s": round(rows / elapsed),
        "rss_before_mib": round(baseline, 1),
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(asyncio.run(_stream(sys.argv[2]))))
        return
    results = []
    for n in (10_000, 100_000):
        with served_double(partners=n) as url:
            result = child_json("benchmarks.bench_stream_memory", "--child", url)
        results.append({"N": f"{n:,}", **result})
    print("Streaming search_read, client process only (double in another process):")
    print(table(results, ["N", "rows", "seconds", "rows_per_s", "rss_before_mib", "peak_rss_mib"]))
    print(f"written to {save('stream_memory', results)}")


if __name__ == "__main__":
    main()
