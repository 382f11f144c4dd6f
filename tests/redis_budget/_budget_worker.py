"""One worker process for the shared-budget tests.

``calls``: logs in, prints ``ready``, reads a start time (a time.time() value) from
stdin, and from then on for ``--duration`` seconds
``--tasks`` tasks call the double as fast as the shared budget lets them; then
prints one JSON line: calls made, errors by class, the client's stats.

``hold``: takes ``--slots`` slots from the budget, prints ``held``, and waits
to be killed.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import sys
import time

import anyio

from odoo_async import AsyncOdoo, OdooError
from odoo_async.redis import RedisBudget


def budget_from(args: argparse.Namespace) -> RedisBudget:
    return RedisBudget(
        args.redis,
        key=args.key,
        rate_limit=args.rate_limit,
        burst=args.burst,
        max_concurrency=args.max_concurrency,
        lease_seconds=args.lease_seconds,
    )


async def calls(args: argparse.Namespace) -> None:
    errors: collections.Counter[str] = collections.Counter()
    done = 0
    odoo = AsyncOdoo(
        args.url,
        db="odoo",
        username="admin",
        password="admin",
        budget=budget_from(args),
        max_concurrency=None,
    )

    async def loop() -> None:
        nonlocal done
        while True:
            try:
                await odoo.execute_kw("res.partner", "search_count", [[]])
                done += 1
            except OdooError as exc:
                errors[type(exc).__name__] += 1

    async with odoo:
        start = args.start
        if not start:  # log in, say we are ready, then wait for the common start time
            await odoo.authenticate()
            print("ready", flush=True)
            start = float(await anyio.to_thread.run_sync(sys.stdin.readline))
        await anyio.sleep(max(0.0, start - time.time()))
        with anyio.move_on_after(start + args.duration - time.time()):
            async with anyio.create_task_group() as tg:
                for _ in range(args.tasks):
                    tg.start_soon(loop)
    print(json.dumps({"calls": done, "errors": dict(errors), "stats": odoo.stats.snapshot()}))


async def hold(args: argparse.Namespace) -> None:
    budget = budget_from(args)
    for _ in range(args.slots):
        await budget.acquire(None)
    print("held", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["calls", "hold"])
    parser.add_argument("--url")
    parser.add_argument("--redis", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--rate-limit", type=float)
    parser.add_argument("--burst", type=float)
    parser.add_argument("--max-concurrency", type=int)
    parser.add_argument("--lease-seconds", type=float, default=30.0)
    parser.add_argument("--tasks", type=int, default=16)
    parser.add_argument("--start", type=float, default=0.0, help="else read from stdin")
    parser.add_argument("--duration", type=float, default=1.0)
    parser.add_argument("--slots", type=int, default=1)
    args = parser.parse_args()
    asyncio.run(calls(args) if args.mode == "calls" else hold(args))


if __name__ == "__main__":
    main()
