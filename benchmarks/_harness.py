"""The benchmark harness: every contender, on every server, setting and scenario.

    python -m benchmarks --quick                  # a few minutes on 2 cores
    python -m benchmarks                          # the full run (see README for how long)
    python -m benchmarks --servers nocost --settings direct --scenarios per_call
    python -m benchmarks --url https://odoo.example --db prod --user bench   # a real server

Servers: the test double in its own process with no cost model (``nocost``: the
clients' own CPU), with the threaded and the prefork cost model (``threaded``,
``prefork``: what a real Odoo 17 charges, TIMINGS.md); or a real server given
with ``--url/--db/--user`` (password from ``$ODOO_PASSWORD`` or a prompt; it
is never printed). Settings: ``direct`` (plain HTTP on loopback) and
``remote`` (TLS with a throwaway CA, and a relay adding ``--rtt`` seconds of
round trip, :mod:`benchmarks._remote`).

Every measurement runs in a fresh process (:mod:`benchmarks._child`), the
contenders taking turns, best of ``--repeat``. Results: a table per scenario
on stdout, ``benchmarks/results/harness.json`` and ``harness.png``.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks._support import RESULTS, remote_front, served_double, table
from benchmarks.contenders import MODULES

ROOT = Path(__file__).resolve().parent.parent

PEERS = ["odoorpc", "xmlrpc", "odoolib", "aio-odoorpc"]
FLOORS = ["raw-httpx", "raw-aiohttp"]
#: odoo_async on each transport it can run on (the per-call scenario, no-cost server)
TRANSPORTS = ["odoo_async:httpx", "odoo_async:aiohttp", "odoo_async:pooled"]
SCENARIOS = [
    "per_call",
    "single_reads",
    "export",
    "bulk_create",
    "decode",
    "load",
    "stream_memory",
    "protocols",
]
#: scenarios that are a module of their own, run as they are (own table and JSON)
MODULE_SCENARIOS = {
    "load": ("benchmarks.bench_load", ["--calls", "{load_calls}"]),
    "stream_memory": ("benchmarks.bench_stream_memory", []),
    "protocols": ("benchmarks.bench_protocols", ["--calls", "{calls}", "--partners", "{partners}"]),
}
SERVERS = ["nocost", "threaded", "prefork"]
SETTINGS = ["direct", "remote"]

FULL = {
    "calls": 2000,
    "reads": 1000,
    "partners": 100_000,
    "creates": 10_000,
    "repeat": 1,
    "load_calls": 10_000,
}
QUICK = {
    "calls": 200,
    "reads": 200,
    "partners": 10_000,
    "creates": 500,
    "repeat": 1,
    "load_calls": 2000,
}


RUNNER_SCENARIOS = ["per_call", "single_reads", "export", "bulk_create"]


def _contenders(scenario: str, server: str, chosen: list[str] | None) -> list[str]:
    names = ["odoo_async", *FLOORS, *PEERS]
    if scenario == "per_call" and server == "nocost":
        names[1:1] = TRANSPORTS
    if chosen:
        names = [n for n in names if n in chosen or n.partition(":")[0] in chosen]
    return names


def _cost_flags() -> dict[str, list[str]]:
    """The double's command-line flags for each server, as far as it supports them."""
    help_text = subprocess.run(
        [sys.executable, "-m", "odoo_async.testing", "--help"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    flags: dict[str, list[str]] = {"nocost": []}
    if "--cost" in help_text:
        flags["threaded"] = ["--cost", "threaded"]
        flags["prefork"] = ["--cost", "prefork"]
    return flags


@contextlib.contextmanager
def _server(
    kind: str, args: argparse.Namespace, flags: dict[str, list[str]]
) -> Iterator[dict[str, Any]]:
    """Start ``kind`` (and its remote-like front); yield ``{setting: (url, ca)}``."""
    with contextlib.ExitStack() as stack:
        if kind == "real":
            direct = args.url.rstrip("/")
            urls: dict[str, Any] = {"direct": (direct, None)}
        else:
            extra = list(flags[kind])
            if args.scale is not None and extra:
                extra += ["--cost-scale", str(args.scale)]
            direct = stack.enter_context(served_double(partners=args.partners, extra=extra))
            urls = {"direct": (direct, None)}
        if "remote" in args.settings and not direct.startswith("https://"):
            certs = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-ca-")))
            urls["remote"] = stack.enter_context(remote_front(direct, rtt=args.rtt, certs=certs))
        yield urls


def _child(
    contender: str, scenario: str, url: str, ca: Any, params: dict[str, Any], args: Any
) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "benchmarks._child",
        *("--contender", contender, "--scenario", scenario, "--url", url),
        *("--db", args.db, "--user", args.user, "--params", json.dumps(params)),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BENCH_ODOO_PASSWORD": args.password}
    if ca is not None:
        command += ["--ca", str(ca)]
        env["SSL_CERT_FILE"] = str(ca)  # for the clients that take no CA of their own
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, timeout=args.timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {args.timeout:g} s"}
    lines = done.stdout.strip().splitlines()
    if not lines:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        return {"error": tail[0].replace(args.password, "***")[:300]}
    out: dict[str, Any] = json.loads(lines[-1])
    return out


def _runs(scenario: str, args: argparse.Namespace) -> list[tuple[str, dict[str, Any]]]:
    """(label, params) of each measurement a scenario makes."""
    if scenario == "per_call":
        return [
            (f"{args.calls} search_count, {c} in flight", {"calls": args.calls, "concurrency": c})
            for c in (1, 32)
        ]
    if scenario == "single_reads":
        return [(f"{args.reads} single reads at once", {"reads": args.reads})]
    if scenario == "export":
        return [("export every partner x 6 fields", {})]
    if scenario == "bulk_create":
        return [(f"create {args.creates} partners", {"creates": args.creates})]
    raise ValueError(scenario)


def _best(rows: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in rows if "error" not in r]
    if not ok:
        return rows[-1]
    return min(ok, key=lambda r: r["seconds"])


def _annotate(rows: list[dict[str, Any]], scenario: str) -> None:
    """Ratios measured in the same run: against the best peer and against the floor."""
    rate = {r["contender"]: r.get("rate") for r in rows if r.get("rate")}
    peers = [rate[p] for p in PEERS if p in rate]
    floor = rate.get("raw-aiohttp") or rate.get("raw-httpx")
    for row in rows:
        mine = row.get("rate")
        if not mine:
            continue
        if peers and row["contender"] not in PEERS:
            row["vs_best_peer"] = f"{mine / max(peers):.2f}x"
        if floor and scenario == "per_call":
            row["vs_raw_aiohttp"] = f"{mine / floor:.2f}x"
        if scenario == "single_reads" and "raw-httpx" in rate:
            # the floor is one login + one read of all the ids
            row["vs_floor_time"] = f"{rate['raw-httpx'] / mine:.2f}x"


def _decode_rows(quick: bool) -> list[dict[str, Any]]:
    from benchmarks.bench_decode import run as run_decode

    report = run_decode(rows=2000, repeat=3 if quick else 15)
    names = {
        "dicts, json.loads": "json.loads (dicts, what the peers return)",
        "dicts, msgspec.json.decode": "msgspec (dicts)",
        "records, decode_records": "odoo_async typed Records",
    }
    rows = []
    for name, r in report["results"].items():
        if name not in names:
            continue
        rows.append(
            {
                "contender": names[name],
                "seconds": round(r["gc_on_ms"] / 1000, 4),
                "rate": round(report["rows"] / (r["gc_on_ms"] / 1000)),
                "unit": "rows/s",
                "vs_json_loads": f"{r['speedup_vs_json_gc_on']:.2f}x",
            }
        )
    return rows


def _print_group(title: str, rows: list[dict[str, Any]]) -> None:
    shown = []
    for r in rows:
        shown.append(
            {
                **r,
                "seconds": f"{r['seconds']:.3f}" if "seconds" in r else "",
                "rate": f"{r['rate']:,.0f}" if r.get("rate") else "",
                "error": r.get("error", ""),
            }
        )
    columns = ["contender", "version", "seconds", "rate", "unit"]
    for extra in ("vs_best_peer", "vs_raw_aiohttp", "vs_floor_time", "vs_json_loads", "rpcs"):
        if any(extra in r for r in rows):
            columns.append(extra)
    columns += ["peak_rss_mib", "error"]
    print(f"\n## {title}", flush=True)
    print(table(shown, columns), flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="small counts: minutes, not hours")
    parser.add_argument("--servers", default=",".join(SERVERS), help="nocost,threaded,prefork")
    parser.add_argument("--settings", default=",".join(SETTINGS), help="direct,remote")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--contenders", default="", help=f"subset of {','.join(MODULES)}")
    parser.add_argument("--calls", type=int, help="search_count calls (2000; quick 200)")
    parser.add_argument("--reads", type=int, help="single reads (1000; quick 200)")
    parser.add_argument("--partners", type=int, help="partners in the double (100000; quick 10000)")
    parser.add_argument("--creates", type=int, help="records created (10000; quick 500)")
    parser.add_argument("--repeat", type=int, help="best of N, contenders taking turns (1)")
    parser.add_argument("--load-calls", type=int, help="calls of the load scenario (10000)")
    parser.add_argument("--rtt", type=float, default=0.04, help="remote-like round trip, s")
    parser.add_argument("--scale", type=float, default=None, help="cost model scale (1 = real)")
    parser.add_argument("--timeout", type=float, default=1800, help="per measurement, s")
    parser.add_argument("--url", help="a real Odoo server instead of the double")
    parser.add_argument("--db", default="odoo")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--output", default="harness", help="name of the JSON/PNG under results/")
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else FULL
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.servers = ["real"] if args.url else args.servers.split(",")
    args.settings = args.settings.split(",")
    args.scenarios = args.scenarios.split(",")
    args.contenders = [c for c in args.contenders.split(",") if c]
    if args.url:
        args.password = os.environ.get("ODOO_PASSWORD") or getpass.getpass("Odoo password: ")
    else:
        args.password = "admin"  # the double's login
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    flags = _cost_flags() if not args.url else {}
    load_before = os.getloadavg()
    print(
        f"odoo_async benchmark harness: {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} cores, load average "
        f"{load_before[0]:.1f} at start (the machine is shared: read ratios within a group)",
        flush=True,
    )
    groups: list[dict[str, Any]] = []
    for server in args.servers:
        if server != "real" and server not in flags:
            print(f"\n(skipping server {server!r}: this test double has no --cost option yet)")
            continue
        with _server(server, args, flags) as urls:
            for scenario in [s for s in args.scenarios if s in RUNNER_SCENARIOS]:
                for setting in [s for s in args.settings if s in urls]:
                    url, ca = urls[setting]
                    for label, params in _runs(scenario, args):
                        names = _contenders(scenario, server, args.contenders)
                        tries: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
                        for _ in range(args.repeat):
                            for name in names:
                                row = _child(name, scenario, url, ca, params, args)
                                tries[name].append(row)
                        rows = [{"contender": n, **_best(tries[n])} for n in names]
                        _annotate(rows, scenario)
                        group = {
                            "server": server,
                            "setting": setting,
                            "scenario": scenario,
                            "label": label,
                            "params": params,
                            "rows": rows,
                            "load_average": os.getloadavg()[0],
                        }
                        groups.append(group)
                        _print_group(
                            f"{label} | server {server} | {setting} "
                            f"(load average {group['load_average']:.1f})",
                            rows,
                        )
    if "decode" in args.scenarios:
        rows = _decode_rows(args.quick)
        groups.append(
            {
                "server": "none",
                "setting": "in-process",
                "scenario": "decode",
                "label": "typed decode of a 2,000-row search_read reply",
                "params": {"rows": 2000},
                "rows": rows,
                "load_average": os.getloadavg()[0],
            }
        )
        _print_group("typed decode of a 2,000-row search_read reply (client CPU only)", rows)
    for scenario in [s for s in args.scenarios if s in MODULE_SCENARIOS]:
        module, extra = MODULE_SCENARIOS[scenario]
        print(f"\n## {scenario} ({module}, its own table and JSON)", flush=True)
        extra = [
            e.format(load_calls=args.load_calls, calls=args.calls, partners=args.partners)
            for e in extra
        ]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        subprocess.run([sys.executable, "-m", module, *extra], check=False, env=env)
    elapsed = time.monotonic() - started
    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": platform.python_version(),
        "cores": os.cpu_count(),
        "load_average_start": load_before[0],
        "load_average_end": os.getloadavg()[0],
        "quick": args.quick,
        "settings": {"rtt_s": args.rtt, "partners": args.partners, "scale": args.scale},
        "seconds": round(elapsed),
        "groups": groups,
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{args.output}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwritten to {path} in {elapsed / 60:.1f} min", flush=True)
    try:
        from benchmarks._chart import chart
    except ImportError:  # matplotlib is in the bench extra
        print("(no chart: matplotlib is not installed)")
    else:
        print(f"chart: {chart(report, RESULTS / f'{args.output}.png')}")
    return 0
