"""The Odoo test double in its own process, for tests with several client processes.

Prints its URL, then answers each ``stats`` line on stdin with one JSON line of
its counters; exits when stdin closes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

import anyio

from odoo_async.testing import FakeOdoo


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--max-concurrent-requests", type=int, default=None)
    parser.add_argument("--partners", type=int, default=50)
    args = parser.parse_args()
    fake = FakeOdoo(
        latency=args.latency,
        max_concurrent_requests=args.max_concurrent_requests,
        partners=args.partners,
    )
    async with fake.serve() as url:
        print(url, flush=True)
        while True:
            line = await anyio.to_thread.run_sync(sys.stdin.readline)
            if not line:
                return
            if line.strip() == "stats":
                counters = {
                    "requests": fake.requests,
                    "peak_requests": fake.peak_requests,
                    "rejected_requests": fake.rejected_requests,
                }
                print(json.dumps(counters), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
