"""The README's web-app example as a bare ASGI app, served by uvicorn (run by ``bench_batching``).

    python benchmarks/_batching_app.py --odoo URL --port PORT [--max-concurrency 16]

One :class:`AsyncOdoo` opened in the lifespan; ``GET /partners/{id}`` answers
``odoo.model("res.partner").get(id, ["name", "email"])`` (404 on
:class:`MissingError`; with ``--search``, a ``search_count`` of the same
request runs beside it and takes a slot too); ``GET /stats`` answers the client's ``calls`` and the
reads that were on their way (sent, not answered) when a partner request
arrived: a request cannot join those. Run as a script
(not ``-m``) so that ``PYTHONPATH`` can point at another checkout's
``odoo_async``: the first line printed names the one imported.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

import httpx
import uvicorn

import odoo_async
from odoo_async import AsyncOdoo, MissingError

ARGS: argparse.Namespace
STATE: dict[str, Any] = {}


class Counting(httpx.AsyncBaseTransport):
    """httpx's own transport, counting the ``read`` RPCs and noting which are on their way."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.on_their_way: set[int] = set()
        self.seen: set[int] = set()  # on their way when a partner request arrived
        self.reads = 0  # ``read`` RPCs sent
        self.first = self.last = 0.0  # when the first and the last partner request arrived
        self.arrived: dict[int, float] = {}  # partner id: when its request arrived
        self.sent: list[tuple[float, list[int]]] = []  # each read: when it was sent, its ids

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content or b"{}")
        if body.get("params", {}).get("args", [None] * 5)[4:5] != ["read"]:
            return await self._send(request)
        self.reads += 1
        serial = self.reads
        self.sent.append((time.perf_counter(), list(body["params"]["args"][5][0])))
        self.on_their_way.add(serial)
        try:
            return await self._send(request)
        finally:
            self.on_their_way.discard(serial)

    async def _send(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        await response.aread()
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def _left_behind(transport: Counting) -> int:
    """Requests that had arrived when a read went without them (they went in a later one)."""
    went = {i: at for at, ids in transport.sent for i in ids}
    sends = sorted(at for at, _ in transport.sent)
    return sum(
        1
        for i, arrived in transport.arrived.items()
        if i in went and any(arrived < at < went[i] for at in sends)
    )


async def _reply(send: Any, status: int, body: Any) -> None:
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await receive()  # startup
        odoo = AsyncOdoo(
            ARGS.odoo,
            db="odoo",
            username="admin",
            password="admin",
            max_concurrency=ARGS.max_concurrency,
            transport=STATE.setdefault("transport", Counting()),
        )
        await odoo.__aenter__()
        STATE["odoo"] = odoo
        await send({"type": "lifespan.startup.complete"})
        await receive()  # shutdown
        await odoo.aclose()
        await send({"type": "lifespan.shutdown.complete"})
        return
    odoo: AsyncOdoo = STATE["odoo"]
    path: str = scope["path"]
    transport: Counting = STATE["transport"]
    if path == "/stats":
        stats = {
            "reads": transport.reads,
            "in_flight_seen": len(transport.seen),
            "arrivals_ms": (transport.last - transport.first) * 1000,
            "left_behind": _left_behind(transport),
        }
        await _reply(send, 200, stats)
        return
    if path == "/reset":
        transport.seen.clear()
        transport.first = 0.0
        transport.arrived.clear()
        transport.sent.clear()
        await _reply(send, 200, {})
        return
    partner_id = int(path.rsplit("/", 1)[1])
    transport.seen |= transport.on_their_way
    transport.last = time.perf_counter()
    transport.first = transport.first or transport.last
    transport.arrived[partner_id] = transport.last
    if ARGS.batch_window:
        partners = odoo.model("res.partner", batch_window=ARGS.batch_window)
    else:  # as main's code can
        partners = odoo.model("res.partner")
    try:
        if ARGS.search:  # another call of the same request, at the same time
            row, _ = await asyncio.gather(
                partners.get(partner_id, ["name", "email"]),
                partners.search_count([("id", "=", partner_id)]),
            )
        else:
            row = await partners.get(partner_id, ["name", "email"])
    except MissingError:
        await _reply(send, 404, {"detail": f"no partner {partner_id}"})
        return
    await _reply(send, 200, row)


def main() -> None:
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--odoo", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--max-concurrency", type=int, default=16)
    parser.add_argument("--batch-window", type=float, default=0.0)
    parser.add_argument("--search", action="store_true", help="each request also a search_count")
    ARGS = parser.parse_args()
    print(odoo_async.__file__, flush=True)
    uvicorn.run(app, host="127.0.0.1", port=ARGS.port, log_level="warning", backlog=4096)


if __name__ == "__main__":
    main()
