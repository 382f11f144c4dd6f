"""A long ``read()`` of every partner id x 6 fields on the cost-model double: adaptive chunks or fixed.

    python -m benchmarks.bench_read [--partners 20450] [--profiles threaded,prefork]
        [--settings direct,remote] [--repeat 2] [--scale 1.0] [--rtt 0.04]

Strategies: odoo_async's ``read()`` as it adapts; ``read()`` in fixed chunks of
500 sent at once (the default before, still what ``batch_size=500`` gives);
one ``read`` of every id (what OdooRPC and aio-odoorpc send for
``read(ids)``). The ids are searched once, outside the clock; each run starts
a fresh client (the login is cached server-side by a warm-up).
"""

from __future__ import annotations

import asyncio
from typing import Any

from benchmarks._support import save, table
from benchmarks.bench_export import FIELDS, _client, _server, _time, arguments, report

IDS: list[int] = []


PLAN: dict[str, Any] = {}


async def _adaptive(url: str, ca: str | None) -> int:
    async with _client(url, ca) as odoo:
        return len(await odoo.model("res.partner").read(IDS, FIELDS))


async def _plan(url: str, ca: str | None) -> None:
    """The adaptive read once more, outside the clock, to show what it chose."""
    from odoo_async._orm._chunks import in_chunks

    async with _client(url, ca) as odoo:
        model = odoo.model("res.partner")
        PLAN.clear()
        await in_chunks(
            lambda ids: model.read_chunk(ids, FIELDS), IDS, ready=odoo.authenticate, plan=PLAN
        )


async def _fixed(url: str, ca: str | None) -> int:
    async with _client(url, ca) as odoo:
        model = odoo.model("res.partner")
        model.batch_size = 500
        return len(await model.read(IDS, FIELDS))


async def _single(url: str, ca: str | None) -> int:
    import msgspec

    async with _client(url, ca) as odoo:
        raw = await odoo.execute_kw_raw("res.partner", "read", [IDS], {"fields": FIELDS})
        return len(msgspec.json.decode(raw, type=list[dict[str, Any]]))


async def _ids(url: str, ca: str | None) -> int:
    async with _client(url, ca) as odoo:
        IDS[:] = await odoo.model("res.partner").search([])
        return len(IDS)


STRATEGIES = {
    "odoo_async read() (adaptive)": _adaptive,
    "odoo_async read(), chunks of 500 at once": _fixed,
    "one read of every id": _single,
}


def main() -> None:
    args = arguments(repeat=2)
    results: list[dict[str, Any]] = []
    for profile in args.profiles.split(","):
        for setting in args.settings.split(","):
            with _server(profile, setting, args) as (url, ca):
                asyncio.run(_ids(url, ca))  # and the login is cached
                timed = {
                    name: asyncio.run(_time(run, url, ca, args.repeat))
                    for name, run in STRATEGIES.items()
                }
                asyncio.run(_plan(url, ca))
            single = timed["one read of every id"][0]
            lines = report(timed, {"vs one read": single}, profile, setting)
            results.extend(lines)
            print(f"\nread every id, {profile} cost model, {setting} (scale {args.scale:g}):")
            print(table(lines, ["strategy", "rows", "seconds", "rows_per_s", "vs one read"]))
            print(f"  plan of the adaptive read (one more run): {PLAN}")
    print(f"\nwritten to {save('read', results)}")


if __name__ == "__main__":
    main()
