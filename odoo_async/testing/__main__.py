"""Serve the Odoo test double on a TCP port until interrupted.

::

    python -m odoo_async.testing --port 8069 --partners 100000
    python -m odoo_async.testing --cost prefork --workers 2

The first line printed is the base URL, so a script can start it as a
subprocess and read where to connect. The login is ``admin``/``admin``.
``--cost threaded|prefork`` makes every reply take as long as a real Odoo 17
takes (:class:`~odoo_async.testing.ServerCost`); the threaded profile also closes
the connection after each reply, as Odoo's bare threaded server does.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from typing import Any

from ._cost import ServerCost
from ._faults import FaultRule
from ._server import FakeOdoo


def server_cost(profile: str | None, *, workers: int = 2, scale: float = 1.0) -> ServerCost | None:
    """The cost model a ``--cost`` option names: ``threaded``, ``prefork`` or none."""
    if profile is None or profile == "none":
        return None
    if profile == "threaded":
        return ServerCost.odoo17(workers=0, scale=scale)
    if profile == "prefork":
        if workers < 1:
            raise ValueError(f"a prefork server needs --workers >= 1, got {workers}")
        return ServerCost.odoo17(workers=workers, scale=scale)
    raise ValueError(f"unknown cost profile {profile!r}: use threaded, prefork or none")


async def _serve(args: argparse.Namespace) -> None:
    cost = server_cost(args.cost, workers=args.workers, scale=args.cost_scale)
    fake = FakeOdoo(
        cost=cost,
        db=args.db,
        partners=args.partners,
        seed=args.seed,
        latency=args.latency,
        max_concurrent_requests=args.max_concurrent_requests,
        version=args.odoo_version,
        api_keys=dict(_api_key(spec) for spec in args.api_key),
    )
    for kind, options in args.inject:
        fake.inject(kind, **options)
    keep_alive = cost is None or cost.workers > 0
    async with fake.serve(host=args.host, port=args.port, keep_alive=keep_alive) as url:
        print(url, flush=True)
        costs = "" if cost is None else f", costs of {cost!r}"
        print(
            f"FakeOdoo: database {args.db!r}, {args.partners:,} partners, login admin/admin{costs}",
            file=sys.stderr,
            flush=True,
        )
        await asyncio.Event().wait()


def _api_key(spec: str) -> tuple[int, str]:
    uid, sep, key = spec.partition(":")
    if not sep or not uid.isdigit() or not key:
        raise SystemExit(f"--api-key wants UID:KEY, got {spec.partition(':')[0]!r}:...")
    return int(uid), key


def _fault(spec: str) -> tuple[str, dict[str, Any]]:
    """``KIND[:RATE[:METHOD]]`` checked as ``FaultRule`` checks it; argparse reports the error."""
    kind, _, rest = spec.partition(":")
    rate_text, _, method = rest.partition(":")
    try:
        rate = float(rate_text) if rate_text else None
    except ValueError:
        raise argparse.ArgumentTypeError(f"the rate in {spec!r} is not a number") from None
    options: dict[str, Any] = {"rate": rate, "method": method or None}
    try:
        FaultRule(kind, **options)  # type: ignore[arg-type]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{spec!r}: {exc}") from None
    return kind, options


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m odoo_async.testing", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--db", default="odoo")
    parser.add_argument("--partners", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per call")
    parser.add_argument("--max-concurrent-requests", type=int, default=None)
    parser.add_argument(
        "--odoo-version",
        default="17.0",
        choices=["17.0", "18.0", "19.0"],
        help="the Odoo it presents as (19.0 has JSON-2)",
    )
    parser.add_argument(
        "--api-key",
        action="append",
        default=[],
        metavar="UID:KEY",
        help="accept KEY as user UID's API key (JSON-2's bearer key); repeatable",
    )
    parser.add_argument(
        "--inject",
        action="append",
        default=[],
        type=_fault,
        metavar="KIND[:RATE[:METHOD]]",
        help="inject a fault (429, 502, 503, 504, html_500, drop, concurrency) "
        "into a share of the calls, e.g. 503:0.05:search_count; repeatable",
    )
    parser.add_argument(
        "--cost",
        choices=["none", "threaded", "prefork"],
        default="none",
        help="answer as slowly as a real Odoo 17: threaded (one process, the GIL) or prefork",
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="workers of the prefork profile (default 2)"
    )
    parser.add_argument(
        "--cost-scale", type=float, default=1.0, help="multiply every cost (0.1: ten times faster)"
    )
    args = parser.parse_args(argv)
    try:
        server_cost(args.cost, workers=args.workers, scale=args.cost_scale)
    except ValueError as exc:
        parser.error(str(exc))
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
