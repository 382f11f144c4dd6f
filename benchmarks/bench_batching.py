"""The README's web-app claim under load: how many ``read``s serve 500 concurrent ``get()``s.

    python -m benchmarks.bench_batching [--requests 500] [--rounds 3] [--max-concurrency 16]
        [--latency 0.0] [--search] [--sender aiohttp|httpx] [--code /work/main]
        [--batch-window 0.002]

The shape of the README's FastAPI example: one :class:`AsyncOdoo` opened in an
ASGI app's lifespan (``benchmarks/_batching_app.py``, a bare ASGI app, served
by uvicorn in its own process), each ``GET /partners/{id}`` answered with
``get(id, ["name", "email"])``. The test double serves Odoo over loopback TCP
in a third process. An ``httpx.AsyncClient`` (on aiohttp's pool by default:
httpcore's pool scans its 500 connections for each request, and the requests
then reach the app over seconds) opens its connections, then sends
``--requests`` requests at once (distinct ids), ``--rounds`` times, after one
warm-up request (the login). The app counts the ``read`` RPCs its client sends.

The goal, per round: at most ``ceil(requests / batch limit)`` reads (the
batch limit of ``get()`` is 1,000 ids) plus the reads in flight when the
requests arrived (``in_flight``: the reads that were sent and not yet answered
when one of the requests reached the app; a request cannot join those).
``arrivals_ms`` is the time from the first request's arrival to the last's. ``--code DIR`` runs the app with another checkout's ``odoo_async``
(``PYTHONPATH=DIR``), e.g. ``--code /work/main`` for the figures before a
change. Results go to ``benchmarks/results/batching.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import platform
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from benchmarks._support import save, served_double, table
from odoo_async._config import GET_BATCH_SIZE
from odoo_async._transports._aiohttp import AiohttpTransport

APP = Path(__file__).with_name("_batching_app.py")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _wait_up(http: httpx.AsyncClient, proc: subprocess.Popen[str]) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with code {proc.returncode}")
        try:
            await http.get("/stats")
            return
        except httpx.TransportError:
            await asyncio.sleep(0.05)
    raise RuntimeError("the app did not start within 30 s")


async def _run(args: argparse.Namespace, code: str | None, window: float) -> dict[str, Any]:
    with served_double(partners=max(1000, args.requests), latency=args.latency) as odoo_url:
        port = _free_port()
        env = dict(os.environ)
        if code:
            env["PYTHONPATH"] = code
        command = [sys.executable, str(APP), "--odoo", odoo_url, "--port", str(port)]
        command += ["--max-concurrency", str(args.max_concurrency)]
        if window:
            command += ["--batch-window", str(window)]
        if args.search:
            command.append("--search")
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)  # noqa: ASYNC220
        try:
            assert proc.stdout is not None
            library = proc.stdout.readline().strip()
            limits = httpx.Limits(max_connections=args.requests + 10)
            base = f"http://127.0.0.1:{port}"
            transport = (
                AiohttpTransport(limits=limits)
                if args.sender == "aiohttp"
                else httpx.AsyncHTTPTransport(limits=limits)
            )
            async with httpx.AsyncClient(base_url=base, transport=transport, timeout=120) as http:
                await _wait_up(http, proc)
                (await http.get("/partners/1")).raise_for_status()  # the login, outside
                # every connection open before the burst: it is not paced by the handshakes
                await asyncio.gather(*(http.get("/stats") for _ in range(args.requests)))
                rounds = []
                for _ in range(args.rounds):
                    reads_before = (await http.get("/stats")).json()["reads"]
                    (await http.get("/reset")).raise_for_status()
                    replies = await asyncio.gather(
                        *(http.get(f"/partners/{i}") for i in range(1, args.requests + 1))
                    )
                    failed = sum(1 for r in replies if r.status_code != 200)
                    stats = (await http.get("/stats")).json()
                    reads = stats["reads"] - reads_before
                    in_flight = stats["in_flight_seen"]
                    goal = math.ceil(args.requests / GET_BATCH_SIZE) + in_flight
                    rounds.append(
                        {
                            "reads": reads,
                            "in_flight": in_flight,
                            "goal": goal,
                            "failed": failed,
                            "arrivals_ms": round(stats["arrivals_ms"], 1),
                            "left_behind": stats["left_behind"],
                        }
                    )
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    label = code or "this checkout"
    if window:
        label += f", batch_window={window}"
    return {"code": label, "library": library, "rounds": rounds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-concurrency", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.0, help="the double's, seconds")
    parser.add_argument(
        "--search",
        action="store_true",
        help="each request also sends a search_count beside its get(): the slots are all "
        "taken and the get()s queue behind max_concurrency",
    )
    parser.add_argument(
        "--sender",
        choices=["aiohttp", "httpx"],
        default="aiohttp",
        help="the pool under the sending httpx.AsyncClient (httpcore's scans its 500 connections "
        "for each request: the requests then reach the app over seconds)",
    )
    parser.add_argument("--code", action="append", default=[], help="another checkout (repeat)")
    parser.add_argument(
        "--batch-window",
        type=float,
        action="append",
        default=[],
        help="also run this checkout with odoo.model(..., batch_window=W) (repeat)",
    )
    args = parser.parse_args()
    runs = [asyncio.run(_run(args, code, 0.0)) for code in [*args.code, None]]
    runs += [asyncio.run(_run(args, None, window)) for window in args.batch_window]
    lines = []
    for run in runs:
        for n, r in enumerate(run["rounds"], 1):
            met = "yes" if r["reads"] <= r["goal"] else "no"
            lines.append({"code": run["code"], "round": n, **r, "met": met})
    print(
        f"{args.requests} concurrent requests through uvicorn, max_concurrency="
        f"{args.max_concurrency}, batch limit {GET_BATCH_SIZE}, double latency {args.latency} s"
        + (", each request also a search_count" if args.search else "")
    )
    columns = ["code", "round", "reads", "in_flight", "goal", "met", "left_behind", "failed"]
    columns.append("arrivals_ms")
    print(table(lines, columns))
    for run in runs:
        print(f"{run['code']}: odoo_async from {run['library']}")
    data = {"python": platform.python_version(), "args": vars(args), "runs": runs}
    print(f"\nwritten to {save('batching', data)}")


if __name__ == "__main__":
    main()
