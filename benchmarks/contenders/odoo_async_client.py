"""odoo_async, as its README shows it: one ``AsyncOdoo``, the repository layer.

``Target.variant`` picks the HTTP transport under it: ``""`` the default,
``httpx`` httpx's own pool (httpcore), ``aiohttp`` the ``httpx-aiohttp``
transport, ``pooled`` odoo_async's :class:`~odoo_async.PooledTransport`.
"""

from __future__ import annotations

from importlib.metadata import version as _version
from typing import Any

from benchmarks.contenders._base import DOMAIN, MODEL, Target, run_tasks

NAME = "odoo_async"
#: imported before the clock starts (cold scenarios time the client, not imports)
IMPORTS = ("odoo_async", "odoo_async._transports._aiohttp", "httpx_aiohttp")
CONCURRENCY = 32


def version() -> str:
    return _version("odoo_async")


def _transport(t: Target) -> Any:
    import httpx

    from odoo_async import PooledTransport

    verify: Any = t.ca or True
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    if t.variant == "pooled":
        return PooledTransport(max_connections=CONCURRENCY, verify=verify)
    if t.variant == "aiohttp":
        from httpx_aiohttp import AiohttpTransport

        return AiohttpTransport(verify=verify, limits=limits)
    if t.variant == "httpx":
        return httpx.AsyncHTTPTransport(verify=verify, limits=limits)
    if t.variant:
        raise ValueError(f"unknown odoo_async transport {t.variant!r}")
    return None  # the client's default


def _client(t: Target) -> Any:
    from odoo_async import AsyncOdoo

    return AsyncOdoo(
        t.url,
        db=t.db,
        username=t.user,
        password=t.password,
        verify=t.ca or True,
        transport=_transport(t),
        max_concurrency=CONCURRENCY,
    )


async def per_call(t: Target, calls: int, concurrency: int) -> dict[str, Any]:
    async with _client(t) as odoo:
        await odoo.authenticate()

        async def one() -> Any:
            return await odoo.execute_kw(MODEL, "search_count", [DOMAIN])

        await run_tasks(concurrency, concurrency * 2, one)  # warm the pool
        seconds = await run_tasks(concurrency, calls, one)
        return {"seconds": seconds, "rpcs": odoo.stats.requests}


async def single_reads(t: Target, ids: list[int], fields: list[str]) -> dict[str, Any]:
    import asyncio

    async with _client(t) as odoo:
        partners = odoo.model(MODEL)
        rows = await asyncio.gather(*(partners.get(i, fields=fields) for i in ids))
        assert len(rows) == len(ids)
        return {"rpcs": odoo.stats.requests}


async def export(t: Target, fields: list[str]) -> dict[str, Any]:
    async with _client(t) as odoo:
        rows = 0
        async for _row in odoo.model(MODEL).search_read([], fields):
            rows += 1
        return {"rows": rows, "rpcs": odoo.stats.requests}


async def bulk_create(t: Target, values: list[dict[str, Any]]) -> dict[str, Any]:
    async with _client(t) as odoo:
        ids = await odoo.model(MODEL).create(values)
        return {"created": len(ids), "rpcs": odoo.stats.requests}
