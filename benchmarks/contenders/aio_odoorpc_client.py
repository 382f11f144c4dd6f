"""aio-odoorpc as its README shows it: ``AsyncOdooRPC`` over a shared
``httpx.AsyncClient`` (pool widened to 32 connections, the concurrency every
contender gets). The endpoint goes in ``url_jsonrpc_endpoint``: the README's
``base_url=".../jsonrpc"`` posts to ``/jsonrpc/`` on httpx 0.28, a 404."""

from __future__ import annotations

from importlib.metadata import version as _version
from typing import Any

from benchmarks.contenders._base import DOMAIN, MODEL, Target, run_tasks

NAME = "aio-odoorpc"
#: imported before the clock starts (cold scenarios time the client, not imports)
IMPORTS = ("aio_odoorpc", "httpx")
CONCURRENCY = 32


def version() -> str:
    return _version("aio-odoorpc")


def _session(t: Target) -> Any:
    import httpx

    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    return httpx.AsyncClient(verify=t.ca or True, limits=limits, timeout=600)


async def _login(t: Target, session: Any) -> Any:
    from aio_odoorpc import AsyncOdooRPC

    odoo = AsyncOdooRPC(
        database=t.db,
        username_or_uid=t.user,
        password=t.password,
        http_client=session,
        url_jsonrpc_endpoint=t.url + "/jsonrpc",
        default_model_name=MODEL,
    )
    await odoo.login()
    return odoo


async def per_call(t: Target, calls: int, concurrency: int) -> dict[str, Any]:
    async with _session(t) as session:
        odoo = await _login(t, session)

        async def one() -> Any:
            return await odoo.search_count(DOMAIN)

        await run_tasks(concurrency, concurrency * 2, one)
        return {"seconds": await run_tasks(concurrency, calls, one)}


async def single_reads(t: Target, ids: list[int], fields: list[str]) -> dict[str, Any]:
    import asyncio

    async with _session(t) as session:
        odoo = await _login(t, session)
        rows = await asyncio.gather(*(odoo.read(i, fields=fields) for i in ids))
        assert len(rows) == len(ids)
        return {"rpcs": len(ids) + 1}


async def export(t: Target, fields: list[str]) -> dict[str, Any]:
    async with _session(t) as session:
        odoo = await _login(t, session)
        rows = await odoo.search_read([], fields=fields)
        return {"rows": len(rows), "rpcs": 2}


async def bulk_create(t: Target, values: list[dict[str, Any]]) -> dict[str, Any]:
    """No create helper: its generic ``execute_kw`` (which wraps ``args`` in a list)."""
    async with _session(t) as session:
        odoo = await _login(t, session)
        ids = await odoo.execute_kw("create", values)
        return {"created": len(ids), "rpcs": 2}
