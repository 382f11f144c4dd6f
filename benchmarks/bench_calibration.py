"""Calibration: the double's cost model beside what TIMINGS.md measured on a real Odoo 17.

For every row of ``odoo17-wire/TIMINGS.md`` (answer times, small-call throughput,
export strategies) it prints the real server's figure, what the cost model
computes for it (pure arithmetic: :class:`~odoo_async.testing._cost.Schedule` in
virtual time), and, unless ``--model-only``, what the double with that cost model
takes when asked the same thing with raw httpx over loopback (double in its own
process, threaded profile without keep-alive, as Odoo's bare server). ``ok``
means within 25 % of TIMINGS.md.

    python -m benchmarks.bench_calibration [--model-only] [--scale 0.5] [--profile threaded]

``--scale`` runs the double faster and divides its times back; on a loaded
machine the measured column reads high, the model column does not move.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from benchmarks._support import save, served_double, table
from odoo_async.testing import ServerCost
from odoo_async.testing._cost import Charge

DB = "odoo"
PARTNERS = 20_450  # with the 5 % archived: ~19,470 active, as in TIMINGS.md
TOTAL = 19_470
FIELDS = ["name", "email", "phone", "city", "country_id", "is_company"]  # one many2one
PLAIN, RELATIONAL = 5, 1
TOLERANCE = 0.25


@dataclass(frozen=True)
class Rpc:
    """One JSON-RPC request, and what the model charges for it."""

    service: str
    method: str
    args: Callable[[list[int]], list[Any]]  # built from the partner ids
    charge: Callable[[ServerCost], Charge]


def _kw(model: str, method: str, args: Any, kwargs: dict[str, Any], **shape: int) -> Rpc:
    def build(ids: list[int]) -> list[Any]:
        real = args(ids) if callable(args) else args
        return [DB, 2, "admin", model, method, real, kwargs]

    return Rpc("object", "execute_kw", build, lambda c: c.charge_call(method, **shape))


def version() -> Rpc:
    return Rpc("common", "version", lambda ids: [], lambda c: Charge())


def login(user: str) -> Rpc:
    return Rpc("common", "authenticate", lambda ids: [DB, user, user, {}], _login_charge)


def _login_charge(cost: ServerCost) -> Charge:
    return cost.charge_login()


def search_count() -> Rpc:
    return _kw("res.partner", "search_count", [[["is_company", "=", True]]], {})


def search_ids() -> Rpc:
    return _kw("res.partner", "search", [[]], {}, ids=TOTAL)


def read(start: int, n: int, fields: Sequence[str] = FIELDS) -> Rpc:
    plain = sum(1 for f in fields if f != "country_id")
    return _kw(
        "res.partner",
        "read",
        lambda ids: [ids[start : start + n]],
        {"fields": list(fields)},
        rows=min(n, TOTAL - start),
        fields=plain,
        relational=len(fields) - plain,
    )


def search_read(offset: int, limit: int | None) -> Rpc:
    kwargs: dict[str, Any] = {"fields": FIELDS, "offset": offset, "order": "id"}
    if limit is not None:
        kwargs["limit"] = limit
    rows = min(limit or TOTAL, TOTAL - offset)
    shape = {"ids": rows, "offset": offset, "rows": rows, "fields": PLAIN}
    return _kw("res.partner", "search_read", [[]], kwargs, relational=RELATIONAL, **shape)


def window(start: int, n: int) -> Rpc:
    """``search_read`` of the ``n`` consecutive ids from the ``start``-th, by an id range."""

    def domain(ids: list[int]) -> list[Any]:
        last = min(start + n, len(ids)) - 1  # 4 x 5,000 is more than the active rows
        return [[["id", ">=", ids[start]], ["id", "<=", ids[last]]]]

    kwargs = {"fields": FIELDS, "order": "id"}
    shape = {"ids": n, "rows": n, "fields": PLAIN, "relational": RELATIONAL}
    return _kw("res.partner", "search_read", domain, kwargs, **shape)


@dataclass(frozen=True)
class AtOnce:
    """A row of TIMINGS.md's "Several requests at once": k windows sent together."""

    profile: str
    window: int
    k: int
    finished: tuple[float, ...]  # ms, sorted
    gain: float  # rows/s against one window alone

    def rpcs(self) -> list[Rpc]:
        return [window(i * self.window, self.window) for i in range(self.k)]


AT_ONCE = [
    AtOnce("threaded", 1000, 1, (130,), 1.00),
    AtOnce("threaded", 1000, 2, (201, 206), 1.26),
    AtOnce("threaded", 1000, 4, (298, 360, 398, 409), 1.27),
    AtOnce("threaded", 5000, 1, (431,), 1.00),
    AtOnce("threaded", 5000, 2, (795, 924), 0.93),
    AtOnce("threaded", 5000, 4, (1634, 1796, 1827, 1917), 0.90),
    AtOnce("prefork", 1000, 2, (121, 128), 1.20),
    AtOnce("prefork", 5000, 1, (462,), 1.00),
    AtOnce("prefork", 5000, 2, (570, 596), 1.55),
    AtOnce("prefork", 5000, 4, (839, 962, 1702, 1777), 1.04),
]


def create(n: int) -> Rpc:
    values = [{"name": f"Calibration {i}"} for i in range(n)]
    return _kw("res.partner", "create", [values], {}, records=n)


def write() -> Rpc:
    return _kw("res.partner", "write", lambda ids: [ids[:1], {"phone": "+32 2 000"}], {}, records=1)


Step = tuple[list[Rpc], int]  # requests, how many in flight


@dataclass(frozen=True)
class Row:
    table: str
    what: str
    threaded: float  # TIMINGS.md, ms (or calls/s for the throughput table)
    prefork: float
    steps: list[Step]
    unit: str = "ms"
    calls: int = 1  # for calls/s


def _pages(size: int) -> list[Rpc]:
    return [search_read(off, size) for off in range(0, TOTAL, size)]


def _chunks(size: int) -> list[Rpc]:
    return [read(start, size) for start in range(0, TOTAL, size)]


def rows() -> list[Row]:
    answer = "answer times"
    out = [
        Row(answer, "login, password", 840, 765, [([login("admin")], 1)]),
        Row(answer, "login, another user (TIMINGS: API key)", 785, 814, [([login("demo")], 1)]),
        Row(answer, "first execute_kw after that login", 40, 40, [([search_count()], 1)]),
        Row(answer, "common.version", 17, 17, [([version()], 1)]),
        Row(answer, "search_count, small domain", 36, 39, [([search_count()], 1)]),
        Row(answer, "read 1 id, 1 field", 24, 28, [([read(0, 1, ["name"])], 1)]),
        Row(answer, "search all ids", 125, 98, [([search_ids()], 1)]),
    ]
    for n, t, p in [(100, 38, 47), (500, 81, 77), (2000, 219, 213), (5000, 680, 666)]:
        out.append(Row(answer, f"read {n:,} ids x 6 fields", t, p, [([read(0, n)], 1)]))
    out.append(Row(answer, "read 19,470 ids x 6 fields", 2219, 2223, [([read(0, TOTAL)], 1)]))
    for off, t, p in [(0, 55, 89), (5000, 84, 80), (10000, 88, 73), (18000, 109, 114)]:
        out.append(
            Row(
                answer,
                f"search_read limit 500 at offset {off:,}",
                t,
                p,
                [([search_read(off, 500)], 1)],
            )
        )
    out.append(Row(answer, "search_read all, one call", 1578, 2035, [([search_read(0, None)], 1)]))
    throughput = "calls/s, 64 search_count"
    for k, t, p in [(1, 28, 25), (2, 37, 37), (4, 41, 43), (8, 46, 44), (16, 49, 44), (32, 42, 47)]:
        steps: list[Step] = [([search_count() for _ in range(64)], k)]
        out.append(Row(throughput, f"{k} in flight", t, p, steps, unit="calls/s", calls=64))
    export = "export 19,470 x 6 fields"
    ids = ([search_ids()], 1)
    out += [
        Row(export, "one search_read of everything", 1578, 2035, [([search_read(0, None)], 1)]),
        Row(export, "offset pages of 500, one at a time", 3496, 3435, [(_pages(500), 1)]),
        Row(export, "offset pages of 5,000, one at a time", 2344, 2220, [(_pages(5000), 1)]),
        Row(
            export,
            "ids, then read chunks of 500, 1 at a time",
            3063,
            3462,
            [ids, (_chunks(500), 1)],
        ),
        Row(
            export, "ids, then chunks of 5,000, 1 at a time", 1890, 2267, [ids, (_chunks(5000), 1)]
        ),
        Row(
            export, "ids, then chunks of 5,000, 2 at a time", 2523, 1209, [ids, (_chunks(5000), 2)]
        ),
        Row(
            export, "ids, then chunks of 5,000, 4 at a time", 2541, 1367, [ids, (_chunks(5000), 4)]
        ),
        Row(
            export, "ids, then chunks of 2,500, 4 at a time", 2458, 1488, [ids, (_chunks(2500), 4)]
        ),
    ]
    # writes last: they change the table the reads above count on
    out += [
        Row(answer, "create 100 partners in one call", 522, 466, [([create(100)], 1)]),
        Row(answer, "create 1 partner a call", 62, 54, [([create(1)], 1)]),
        Row(answer, "write 1 record, 1 field", 70, 67, [([write()], 1)]),
    ]
    return out


# -- the model, in virtual time ---------------------------------------------------


def simulate(cost: ServerCost, steps: Sequence[Step]) -> float:
    """Seconds the steps take on the model: each step's requests with k in flight.

    A request sent later can delay the ones already running (it takes a share of
    the server), never the ones already done: the next one goes when the
    earliest running one is done, as far as the requests sent so far tell.
    """
    schedule = cost.schedule()
    now = 0.0
    for requests, in_flight in steps:
        running: list[int] = []
        for rpc in requests:
            if len(running) >= in_flight:
                done = min(running, key=schedule.due)
                now = max(now, schedule.due(done))
                running.remove(done)
            running.append(schedule.add(now, cost.charge_request() + rpc.charge(cost)))
        now = max([now, *(schedule.due(key) for key in running)])
    return now


def at_once(cost: ServerCost, rpcs: Sequence[Rpc]) -> list[float]:
    """When each of the requests sent together is done on the model, sorted (seconds)."""
    schedule = cost.schedule()
    keys = [schedule.add(0.0, cost.charge_request() + rpc.charge(cost)) for rpc in rpcs]
    return sorted(schedule.due(key) for key in keys)


def at_once_lines(
    cost: ServerCost, profile: str, measured: dict[AtOnce, list[float]]
) -> tuple[list[dict[str, str]], float]:
    """TIMINGS.md's "Several requests at once" beside the model (and the double): lines, worst."""
    lines, worst = [], 0.0
    for row in (r for r in AT_ONCE if r.profile == profile):
        model = [s * 1000 for s in at_once(cost, row.rpcs())]
        alone = at_once(cost, row.rpcs()[:1])[0] * 1000
        gain = row.k * alone / model[-1]
        errors = [m / r - 1 for m, r in zip(model, row.finished, strict=True)]
        errors.append(gain / row.gain - 1)
        error = max(errors, key=abs)
        worst = max(worst, abs(error))
        line = {
            "window": f"{row.window:,}",
            "at once": str(row.k),
            "Odoo 17: each finished at": ", ".join(f"{x:,.0f}" for x in row.finished),
            "model": ", ".join(f"{x:,.0f}" for x in model),
            "rows/s vs one: Odoo": f"{row.gain:.2f}x",
            "model ": f"{gain:.2f}x",
            "worst": f"{error:+.0%}",
            "ok": "ok" if abs(error) <= TOLERANCE else "OFF",
        }
        if row in measured:
            line["double"] = ", ".join(f"{x:,.0f}" for x in measured[row])
        lines.append(line)
    return lines, worst


# -- the double, over loopback ----------------------------------------------------


async def _measure(
    url: str, steps: Sequence[Step], ids: list[int], http: httpx.AsyncClient
) -> float:
    counter = 0

    async def send(rpc: Rpc) -> None:
        nonlocal counter
        counter += 1
        params = {"service": rpc.service, "method": rpc.method, "args": rpc.args(ids)}
        body = {"jsonrpc": "2.0", "method": "call", "params": params, "id": counter}
        reply = await http.post("/jsonrpc", json=body)
        data = reply.json()
        if "error" in data:
            raise RuntimeError(f"{rpc.method}: {data['error']['data']['message']}")

    started = time.perf_counter()
    for requests, in_flight in steps:
        gate = asyncio.Semaphore(in_flight)

        async def one(rpc: Rpc, gate: asyncio.Semaphore = gate) -> None:
            async with gate:
                await send(rpc)

        await asyncio.gather(*(one(rpc) for rpc in requests))
    return time.perf_counter() - started


#: Every partner's id, in order (a JSON-RPC body, as admin).
IDS_BODY = {
    "jsonrpc": "2.0",
    "method": "call",
    "params": {
        "service": "object",
        "method": "execute_kw",
        "args": [DB, 2, "admin", "res.partner", "search", [[]], {"order": "id"}],
    },
    "id": 0,
}


async def _measure_all(url: str, all_rows: list[Row], scale: float) -> list[float]:
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120) as http:
        out = []
        ids: list[int] = []
        for row in all_rows:
            repeats = 1 if "login" in row.what or row.table != "answer times" else 3
            if row.what.startswith("first"):
                repeats = 1
            times = [await _measure(url, row.steps, ids, http) / scale for _ in range(repeats)]
            out.append(statistics.median(times))
            if not ids and row.what.startswith("first"):  # logins are measured cold, then ids
                ids = (await http.post("/jsonrpc", json=IDS_BODY)).json()["result"]
        return out


async def _measure_at_once(url: str, scale: float) -> dict[AtOnce, list[float]]:
    """Each row of AT_ONCE on the double: when each reply came back (ms, sorted, medians of 3)."""
    out: dict[AtOnce, list[float]] = {}
    limits = httpx.Limits(max_connections=8, max_keepalive_connections=8)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120) as http:
        ids = (await http.post("/jsonrpc", json=IDS_BODY)).json()["result"]

        async def one(rpc: Rpc, started: float) -> float:
            params = {"service": rpc.service, "method": rpc.method, "args": rpc.args(ids)}
            body = {"jsonrpc": "2.0", "method": "call", "params": params, "id": 1}
            (await http.post("/jsonrpc", json=body)).raise_for_status()
            return (time.perf_counter() - started) * 1000 / scale

        for row in AT_ONCE:
            runs = []
            for _ in range(3):
                started = time.perf_counter()
                runs.append(sorted(await asyncio.gather(*(one(r, started) for r in row.rpcs()))))
            out[row] = [statistics.median(col) for col in zip(*runs, strict=True)]
    return out


def _figure(row: Row, seconds: float) -> float:
    return row.calls / seconds if row.unit == "calls/s" else seconds * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-only", action="store_true", help="print the arithmetic only")
    parser.add_argument("--scale", type=float, default=1.0, help="run the double this much faster")
    parser.add_argument("--profile", choices=["threaded", "prefork", "both"], default="both")
    args = parser.parse_args()
    all_rows = rows()
    profiles = ["threaded", "prefork"] if args.profile == "both" else [args.profile]
    results: list[dict[str, Any]] = []
    worst = 0.0
    for profile in profiles:
        cost = ServerCost.odoo17(workers=0 if profile == "threaded" else 2)
        measured: list[float | None] = [None] * len(all_rows)
        several: dict[AtOnce, list[float]] = {}
        if not args.model_only:
            extra = ["--cost", profile, "--cost-scale", str(args.scale)]
            with served_double(partners=PARTNERS, extra=extra) as url:
                measured = list(asyncio.run(_measure_all(url, all_rows, args.scale)))
            with served_double(partners=PARTNERS, extra=extra) as url:
                several = asyncio.run(_measure_at_once(url, args.scale))
        lines = []
        for row, seconds in zip(all_rows, measured, strict=True):
            real = row.threaded if profile == "threaded" else row.prefork
            model = _figure(row, simulate(cost, row.steps))
            error = model / real - 1
            worst = max(worst, abs(error))
            line = {
                "table": row.table,
                "what": row.what,
                "unit": row.unit,
                "Odoo 17": f"{real:,.0f}",
                "model": f"{model:,.0f}",
                "model vs Odoo": f"{error:+.0%}",
                "ok": "ok" if abs(error) <= TOLERANCE else "OFF",
            }
            if seconds is not None:
                double = _figure(row, seconds)
                line["double"] = f"{double:,.0f}"
                line["double vs Odoo"] = f"{double / real - 1:+.0%}"
            lines.append(line)
            results.append({"profile": profile, **line})
        print(f"\n{cost!r}:")
        columns = ["table", "what", "unit", "Odoo 17", "model", "model vs Odoo", "ok"]
        if not args.model_only:
            columns += ["double", "double vs Odoo"]
        print(table(lines, columns))
        at_lines, at_worst = at_once_lines(cost, profile, several)
        worst = max(worst, at_worst)
        results += [{"profile": profile, "table": "several at once", **x} for x in at_lines]
        print(f"\nSeveral requests at once (TIMINGS.md), {cost!r}: ms, sorted")
        print(table(at_lines, list(at_lines[0])))
    print(f"\nworst model row: {worst:.0%} off (tolerance {TOLERANCE:.0%})")
    print(f"written to {save('calibration', results)}")


if __name__ == "__main__":
    main()
