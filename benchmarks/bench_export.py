"""Export every partner x 6 fields from the cost-model double: odoo_async's strategies and the peers.

The double runs in its own process with the threaded or the prefork cost model
(``--cost``, what a real Odoo 17 charges: see bench_calibration), directly on
loopback or behind the harness's remote-like front (TLS + a round trip). Each
run starts a fresh client (the login is cached server-side by a warm-up, as it
would be on a server in use). Prints seconds and rows/s per strategy, and the
two ratios of the goals: against the best peer (OdooRPC and aio-odoorpc both
send one ``search_read`` of everything) and against odoo_async sending that same
single ``search_read``.

    python -m benchmarks.bench_export [--partners 20450] [--profiles threaded,prefork]
        [--settings direct,remote] [--repeat 3] [--scale 1.0] [--rtt 0.04]
        [--order name] [--only adaptive]
    ODOO_PASSWORD=... python -m benchmarks.bench_export --url http://127.0.0.1:8069 --db odoo17

``--url`` measures a real Odoo instead of the double (odoo_async's strategies
only; the password comes from ``ODOO_PASSWORD`` and is never printed).
``--order`` is the order of odoo_async's adaptive stream and await (``id``, the
default, walks id windows; any other order, offset pages); ``--only`` keeps the
strategies whose name holds one of its comma-separated words.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

from benchmarks._support import remote_front, save, served_double, table

FIELDS = ["name", "email", "phone", "city", "country_id", "is_company"]
PASSWORD = "admin"
LOGIN = {"db": "odoo", "username": "admin", "password": PASSWORD}  # --url changes it

Run = Callable[[str, str | None], Awaitable[int]]


def _client(url: str, ca: str | None, **options: Any) -> Any:
    from odoo_async import AsyncOdoo

    return AsyncOdoo(url, **LOGIN, verify=ca or True, **options)


PLANS: dict[str, dict[str, Any]] = {}
ADAPTIVE: dict[str, Any] = {}  # the options of the adaptive stream and await (--order)


def _stream(**options: Any) -> Run:
    async def run(url: str, ca: str | None) -> int:
        async with _client(url, ca) as odoo:
            rows = 0
            chosen = options or ADAPTIVE
            pager = odoo.model("res.partner").search_read([], FIELDS, **chosen)
            async for _row in pager:
                rows += 1
            PLANS["stream" if not options else f"stream {options}"] = pager.plan
            return rows

    return run


async def _awaited(url: str, ca: str | None) -> int:
    async with _client(url, ca) as odoo:
        pager = odoo.model("res.partner").search_read([], FIELDS, **ADAPTIVE)
        rows = len(await pager)
        PLANS["await"] = pager.plan
        return rows


async def _single(url: str, ca: str | None) -> int:
    """odoo_async sending what the peers send: one search_read of everything."""
    import msgspec

    async with _client(url, ca) as odoo:
        raw = await odoo.execute_kw_raw("res.partner", "search_read", [[]], {"fields": FIELDS})
        return len(msgspec.json.decode(raw, type=list[dict[str, Any]]))


def _peer(module: str) -> Run:
    async def run(url: str, ca: str | None) -> int:
        import importlib

        from benchmarks.contenders._base import Target

        contender = importlib.import_module(f"benchmarks.contenders.{module}")
        target = Target(url=url, db="odoo", user="admin", ca=ca)
        if asyncio.iscoroutinefunction(contender.export):
            result = await contender.export(target, FIELDS)
        else:
            result = await asyncio.to_thread(contender.export, target, FIELDS)
        return int(result["rows"])

    return run


PEERS = {"OdooRPC": _peer("odoorpc_client"), "aio-odoorpc": _peer("aio_odoorpc_client")}
OURS = {
    "odoo_async stream (adaptive)": _stream(),
    "odoo_async await (adaptive)": _awaited,
    "odoo_async one search_read": _single,
    "odoo_async stream, 1 in flight": _stream(max_in_flight=1),
    "odoo_async stream, 2 in flight": _stream(max_in_flight=2),
    "odoo_async keyset, one at a time": _stream(keyset=True, page_size=5_000),
    "odoo_async offset pages of 500 (the old default)": _stream(order="name", page_size=500),
}


@contextlib.contextmanager
def _server(
    profile: str, setting: str, args: argparse.Namespace
) -> Iterator[tuple[str, str | None]]:
    extra = ["--cost", profile, "--cost-scale", str(args.scale)]
    with served_double(partners=args.partners, extra=extra) as url:
        if setting == "direct":
            yield url, None
            return
        with (
            tempfile.TemporaryDirectory() as certs,
            remote_front(url, rtt=args.rtt, certs=Path(certs)) as (front, ca),
        ):
            os.environ["SSL_CERT_FILE"] = str(ca)  # for OdooRPC, which takes no CA of its own
            try:
                yield front, str(ca)
            finally:
                del os.environ["SSL_CERT_FILE"]


async def _time(run: Run, url: str, ca: str | None, repeat: int) -> tuple[float, int]:
    best, rows = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        rows = await run(url, ca)
        best = min(best, time.perf_counter() - started)
    return best, rows


def report(
    timed: dict[str, tuple[float, int]], against: dict[str, float], profile: str, setting: str
) -> list[dict[str, Any]]:
    """A line per strategy: seconds, rows/s and each ratio ``against`` (name: seconds)."""
    lines = []
    for name, (seconds, rows) in timed.items():
        line: dict[str, Any] = {
            "profile": profile,
            "setting": setting,
            "strategy": name,
            "rows": rows,
            "seconds": round(seconds, 3),
            "rows_per_s": round(rows / seconds),
        }
        line.update({ratio: f"{base / seconds:.2f}x" for ratio, base in against.items()})
        lines.append(line)
    return lines


def arguments(repeat: int = 1) -> argparse.Namespace:
    """The command line of this benchmark and of those built on it (bench_read)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--partners", type=int, default=20_450, help="~95 %% of them active")
    parser.add_argument("--profiles", default="threaded,prefork")
    parser.add_argument("--settings", default="direct,remote")
    parser.add_argument("--repeat", type=int, default=repeat, help="best of N")
    parser.add_argument("--scale", type=float, default=1.0, help="cost model scale")
    parser.add_argument("--rtt", type=float, default=0.04, help="remote-like round trip, s")
    parser.add_argument("--url", help="a real Odoo instead of the double (ODOO_PASSWORD)")
    parser.add_argument("--db", default="odoo17", help="with --url")
    parser.add_argument("--user", default="admin", help="with --url")
    parser.add_argument("--order", default="id", help="of the adaptive stream and await")
    parser.add_argument("--only", help="strategies whose name holds one of these words")
    args = parser.parse_args()
    if args.order != "id":
        ADAPTIVE["order"] = args.order
    os.environ.setdefault("BENCH_ODOO_PASSWORD", PASSWORD)
    return args


def _chosen(args: argparse.Namespace, strategies: dict[str, Run]) -> dict[str, Run]:
    """The ``strategies`` that ``--only`` keeps (every one without it)."""
    if not args.only:
        return strategies
    words = args.only.split(",")
    return {name: run for name, run in strategies.items() if any(w in name for w in words)}


def _plans(order: str) -> None:
    for name in ("stream", "await"):
        if name in PLANS:
            print(f"  plan of the adaptive {name} ({order} order): {PLANS[name]}")


def _ratios(timed: dict[str, tuple[float, int]]) -> dict[str, float]:
    """The baselines measured this run: the best peer, odoo_async's one search_read."""
    against = {}
    peers = [timed[name][0] for name in PEERS if name in timed]
    if peers:
        against["vs best peer"] = min(peers)
    if "odoo_async one search_read" in timed:
        against["vs one search_read"] = timed["odoo_async one search_read"][0]
    return against


def _real(args: argparse.Namespace) -> list[dict[str, Any]]:
    """odoo_async's strategies against a real Odoo (``--url``), best of ``--repeat``."""
    LOGIN.update(db=args.db, username=args.user, password=os.environ.get("ODOO_PASSWORD", ""))
    asyncio.run(_time(_single, args.url, None, 1))  # warm-up: the login is cached
    timed = {
        name: asyncio.run(_time(run, args.url, None, args.repeat))
        for name, run in _chosen(args, OURS).items()
    }
    against = _ratios(timed)
    lines = report(timed, against, "real", args.url)
    print(f"\nexport, real Odoo at {args.url} (load average {os.getloadavg()[0]:.1f}):")
    print(table(lines, ["strategy", "rows", "seconds", "rows_per_s", *against]))
    _plans(args.order)
    return lines


def main() -> None:
    args = arguments()
    if args.url:
        print(f"written to {save('export_real', _real(args))}")
        return
    results: list[dict[str, Any]] = []
    for profile in args.profiles.split(","):
        for setting in args.settings.split(","):
            with _server(profile, setting, args) as (url, ca):
                asyncio.run(_time(_single, url, ca, 1))  # warm-up: the login is cached
                timed = {
                    name: asyncio.run(_time(run, url, ca, args.repeat))
                    for name, run in _chosen(args, {**PEERS, **OURS}).items()
                }
            against = _ratios(timed)
            lines = report(timed, against, profile, setting)
            results.extend(lines)
            print(f"\nexport, {profile} cost model, {setting} (scale {args.scale:g}):")
            print(table(lines, ["strategy", "rows", "seconds", "rows_per_s", *against]))
            _plans(args.order)
    print(f"\nwritten to {save('export', results)}")


if __name__ == "__main__":
    main()
