"""Where odoo_async spends its time per call: CPU per call, and a profile by part.

    python -m benchmarks.profile_call [--calls 2000] [--concurrency 32] [--transport default]
        [--pyinstrument]

The test double runs in another process (no cost model), so everything
measured here is the client. Three figures, from three runs of ``--calls``
``search_count`` calls, ``--concurrency`` at a time:

- calls/s (wall clock; on a shared machine it moves with the load);
- client CPU per call in microseconds (``time.process_time``: this process
  only, so it holds still while other processes load the machine), for
  odoo_async and for raw aiohttp posting pre-encoded bodies on the same server;
- a cProfile of the odoo_async run, its own time summed by the part of the
  stack each function belongs to (encode, limiter, retry loop, logging,
  decode, httpx, httpcore/h11, event loop, ...), then the top functions.
  ``--pyinstrument`` prints pyinstrument's call tree instead.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import sys
import time
from typing import Any

from benchmarks._support import save, served_double, table
from benchmarks.contenders._base import DOMAIN, MODEL

#: (part, substrings of cProfile's "file:line(function)") in the order they are tried
PARTS: list[tuple[str, tuple[str, ...]]] = [
    ("encode (msgspec, request body)", ("encode_request", "'encode' of 'msgspec")),
    ("decode (msgspec, reply)", ("decode_reply", "'decode' of 'msgspec", "_jsonrpc.py")),
    ("limiter", ("_limits.py", "anyio/")),
    ("retry loop / client", ("_client.py", "_retry.py", "_stats.py", "_caller.py")),
    ("HTTP session (ours)", ("_http.py",)),
    ("PooledTransport", ("_transport.py",)),
    ("logging", ("logging/",)),
    ("httpx", ("httpx/",)),
    ("httpx-aiohttp", ("httpx_aiohttp/",)),
    ("aiohttp", ("aiohttp/", "multidict", "yarl/")),
    ("httpcore", ("httpcore/",)),
    ("h11", ("h11/",)),
    ("TLS", ("ssl.py", "SSLObject", "_ssl.")),
    ("event loop (asyncio, selectors, sockets)", ("asyncio/", "selectors.py", "socket")),
]


def _part(key: tuple[str, int, str]) -> str:
    filename, _line, function = key
    text = f"{filename}:{function}"
    for part, needles in PARTS:
        if any(n in text for n in needles):
            return part
    return "other"


def _transport(name: str) -> Any:
    from odoo_async import PooledTransport

    if name == "pooled":
        return PooledTransport(max_connections=32)
    if name == "aiohttp":
        from httpx_aiohttp import AiohttpTransport

        return AiohttpTransport()
    if name == "httpx":
        import httpx

        return httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=32))
    return None


async def _odoo_async(
    url: str, calls: int, concurrency: int, transport: str
) -> tuple[float, float]:
    from benchmarks.contenders._base import run_tasks
    from odoo_async import AsyncOdoo

    async with AsyncOdoo(
        url, db="odoo", username="admin", password="admin", transport=_transport(transport)
    ) as odoo:
        await odoo.authenticate()

        async def one() -> Any:
            return await odoo.execute_kw(MODEL, "search_count", [DOMAIN])

        await run_tasks(concurrency, concurrency * 2, one)
        cpu = time.process_time()
        seconds = await run_tasks(concurrency, calls, one)
        return seconds, time.process_time() - cpu


async def _raw_aiohttp(url: str, calls: int, concurrency: int) -> tuple[float, float]:
    import aiohttp

    from benchmarks.contenders._base import run_tasks

    headers = {"Content-Type": "application/json"}
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=32), headers=headers
    ) as session:

        async def post(payload: bytes) -> bytes:
            async with session.post(url + "/jsonrpc", data=payload) as reply:
                return bytes(await reply.read())

        login = {
            "service": "common",
            "method": "authenticate",
            "args": ["odoo", "admin", "admin", {}],
        }
        uid = json.loads(
            await post(
                json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": login}).encode()
            )
        )["result"]
        params = {
            "service": "object",
            "method": "execute_kw",
            "args": ["odoo", uid, "admin", MODEL, "search_count", [DOMAIN], {}],
        }
        payload = json.dumps(
            {"jsonrpc": "2.0", "method": "call", "id": 2, "params": params}
        ).encode()

        async def one() -> None:
            await post(payload)

        await run_tasks(concurrency, concurrency * 2, one)
        cpu = time.process_time()
        seconds = await run_tasks(concurrency, calls, one)
        return seconds, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--transport", default="default", choices=["default", "httpx", "aiohttp", "pooled"]
    )
    parser.add_argument("--rounds", type=int, default=3, help="best of N for the timed runs")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--pyinstrument", action="store_true")
    args = parser.parse_args()
    n, c = args.calls, args.concurrency
    with served_double(partners=1000) as url:
        ours = raw = (float("inf"), float("inf"))
        for _ in range(args.rounds):  # taking turns, so a burst of load hits both
            ours = min(ours, asyncio.run(_odoo_async(url, n, c, args.transport)))
            raw = min(raw, asyncio.run(_raw_aiohttp(url, n, c)))
        if args.pyinstrument:
            from pyinstrument import Profiler

            with Profiler(async_mode="disabled") as profiler:
                asyncio.run(_odoo_async(url, n, c, args.transport))
            print(profiler.output_text(unicode=True, color=False, show_all=False))
            return
        profile = cProfile.Profile()
        profile.enable()
        asyncio.run(_odoo_async(url, n, c, args.transport))
        profile.disable()
    stats = pstats.Stats(profile)
    raw_stats: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    by_part: dict[str, float] = {}
    total = 0.0
    for key, (_cc, _nc, tottime, _cum, _callers) in raw_stats.items():
        by_part[_part(key)] = by_part.get(_part(key), 0.0) + tottime
        total += tottime
    rows = [
        {
            "part": part,
            "us_per_call": f"{seconds / n * 1e6:.1f}",
            "share": f"{seconds / total:.0%}",
        }
        for part, seconds in sorted(by_part.items(), key=lambda kv: -kv[1])
    ]
    summary = {
        "calls": n,
        "concurrency": c,
        "transport": args.transport,
        "odoo_async_calls_per_s": round(n / ours[0]),
        "odoo_async_cpu_us_per_call": round(ours[1] / n * 1e6),
        "raw_aiohttp_calls_per_s": round(n / raw[0]),
        "raw_aiohttp_cpu_us_per_call": round(raw[1] / n * 1e6),
        "ratio_calls_per_s": round(raw[0] / ours[0], 2),
        "profile_us_per_call": {r["part"]: float(r["us_per_call"]) for r in rows},
    }
    print(
        f"{n} search_count, {c} in flight, transport {args.transport}, double in another "
        f"process (machine shared: CPU per call is the steadier figure), best of {args.rounds}:"
    )
    print(
        table(
            [
                {
                    "client": "odoo_async",
                    "calls_per_s": summary["odoo_async_calls_per_s"],
                    "cpu_us_per_call": summary["odoo_async_cpu_us_per_call"],
                },
                {
                    "client": "raw aiohttp",
                    "calls_per_s": summary["raw_aiohttp_calls_per_s"],
                    "cpu_us_per_call": summary["raw_aiohttp_cpu_us_per_call"],
                },
            ],
            ["client", "calls_per_s", "cpu_us_per_call"],
        )
    )
    print(f"odoo_async / raw aiohttp calls/s: {summary['ratio_calls_per_s']:.2f}x")
    print("\ncProfile of the odoo_async run, own time by part (profiler overhead included):")
    print(table(rows, ["part", "us_per_call", "share"]))
    print()
    stats.sort_stats("tottime").print_stats(args.top)
    print(f"written to {save(f'profile_call_{args.transport}_{c}', summary)}")


if __name__ == "__main__":
    sys.exit(main())
