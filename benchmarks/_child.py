"""Run one contender on one scenario in this (fresh) process; print one JSON line.

    BENCH_ODOO_PASSWORD=... python -m benchmarks._child --contender odoo_async \\
        --scenario per_call --url http://127.0.0.1:8069 --db odoo --user admin \\
        --params '{"calls": 2000, "concurrency": 32}'

The harness starts one of these per measurement, so each client has its own
process (its own GIL and its own peak RSS) and imports nothing of the others.
The password is read from the environment and scrubbed from any error text.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import inspect
import json
import os
import sys
import time
from typing import Any

from benchmarks._support import peak_rss_mib
from benchmarks.contenders import load
from benchmarks.contenders._base import MODEL, Target
from benchmarks.contenders._raw import body, login_body, result

#: Six fields, one of them a many2one, as TIMINGS.md's export rows.
EXPORT_FIELDS = ["name", "email", "phone", "city", "country_id", "is_company"]
UNITS = {
    "per_call": "calls/s",
    "single_reads": "reads/s",
    "export": "rows/s",
    "bulk_create": "records/s",
}


def _first_ids(t: Target, n: int) -> list[int]:
    """``n`` partner ids, fetched with plain httpx before the clock starts."""
    import httpx

    headers = {"Content-Type": "application/json"}
    with httpx.Client(verify=t.ca or True, timeout=600, headers=headers) as client:
        url = t.url + "/jsonrpc"
        uid = result(client.post(url, content=login_body(t)).content)
        payload = body(t, uid, MODEL, "search", [[]], {"limit": n, "order": "id"})
        ids: list[int] = result(client.post(url, content=payload).content)
    if len(ids) < n:
        raise SystemExit(f"the server has only {len(ids)} partners, {n} wanted")
    return ids


def _values(n: int) -> list[dict[str, Any]]:
    stamp = int(time.time())
    return [
        {"name": f"Bench {stamp}-{i}", "email": f"bench{i}@example.com", "is_company": False}
        for i in range(n)
    ]


def _call(fn: Any, *args: Any) -> dict[str, Any]:
    if inspect.iscoroutinefunction(fn):
        out: dict[str, Any] = asyncio.run(fn(*args))
        return out
    out = fn(*args)
    return out


def run(contender: str, scenario: str, t: Target, params: dict[str, Any]) -> dict[str, Any]:
    module = load(contender)
    for name in getattr(module, "IMPORTS", ()):
        importlib.import_module(name)  # module import time is not the client's speed
    fn = getattr(module, scenario, None)
    row: dict[str, Any] = {"version": module.version()}
    if fn is None:
        return {**row, "error": "n/a"}
    if scenario == "per_call":
        out = _call(fn, t, params["calls"], params["concurrency"])
        count = params["calls"]
    elif scenario == "single_reads":
        ids = _first_ids(t, params["reads"])
        started = time.perf_counter()
        out = _call(fn, t, ids, EXPORT_FIELDS[:2])
        out.setdefault("seconds", time.perf_counter() - started)
        count = len(ids)
    elif scenario == "export":
        started = time.perf_counter()
        out = _call(fn, t, EXPORT_FIELDS)
        out.setdefault("seconds", time.perf_counter() - started)
        count = out["rows"]
    elif scenario == "bulk_create":
        values = _values(params["creates"])
        started = time.perf_counter()
        out = _call(fn, t, values)
        out.setdefault("seconds", time.perf_counter() - started)
        count = out["created"]
        if count != len(values):
            raise RuntimeError(f"created {count} of {len(values)} records")
    else:
        raise SystemExit(f"unknown scenario {scenario!r}")
    seconds = out["seconds"]
    return {
        **row,
        **out,
        "count": count,
        "rate": count / seconds if seconds else None,
        "unit": UNITS[scenario],
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contender", required=True)
    parser.add_argument("--scenario", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--ca", default=None)
    parser.add_argument("--params", default="{}")
    args = parser.parse_args()
    variant = args.contender.partition(":")[2]
    t = Target(url=args.url, db=args.db, user=args.user, ca=args.ca, variant=variant)
    try:
        row = run(args.contender, args.scenario, t, json.loads(args.params))
    except Exception as exc:  # reported in the table, not raised: the other runs go on
        secret = os.environ.get("BENCH_ODOO_PASSWORD") or "\0"
        text = f"{type(exc).__name__}: {exc}".replace(secret, "***")
        row = {"error": text[:300]}
    print(json.dumps(row), flush=True)


if __name__ == "__main__":
    sys.exit(main())
