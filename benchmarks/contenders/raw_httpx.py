"""The floor with httpx: pre-encoded JSON-RPC bodies posted on one pooled
``httpx.AsyncClient``; replies read whole, decoded only where rows are counted."""

from __future__ import annotations

from importlib.metadata import version as _version
from typing import Any

from benchmarks.contenders._base import DOMAIN, MODEL, Target, run_tasks
from benchmarks.contenders._raw import body, login_body, result

NAME = "raw httpx"
#: imported before the clock starts (cold scenarios time the client, not imports)
IMPORTS = ("httpx",)
CONCURRENCY = 32
HEADERS = {"Content-Type": "application/json"}


def version() -> str:
    return _version("httpx")


def _client(t: Target) -> Any:
    import httpx

    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    return httpx.AsyncClient(
        verify=t.ca or True, limits=limits, headers=HEADERS, timeout=httpx.Timeout(600.0)
    )


async def _login(client: Any, url: str, t: Target) -> int:
    reply = await client.post(url, content=login_body(t))
    return int(result(reply.content))


async def per_call(t: Target, calls: int, concurrency: int) -> dict[str, Any]:
    url = t.url + "/jsonrpc"
    async with _client(t) as client:
        uid = await _login(client, url, t)
        payload = body(t, uid, MODEL, "search_count", [DOMAIN])

        async def one() -> None:
            reply = await client.post(url, content=payload)
            assert reply.status_code == 200

        await run_tasks(concurrency, concurrency * 2, one)
        return {"seconds": await run_tasks(concurrency, calls, one)}


async def single_reads(t: Target, ids: list[int], fields: list[str]) -> dict[str, Any]:
    """Not 1,000 reads: the floor the batching client is held to, one login and
    one ``read`` of all the ids."""
    url = t.url + "/jsonrpc"
    async with _client(t) as client:
        uid = await _login(client, url, t)
        reply = await client.post(url, content=body(t, uid, MODEL, "read", [ids, fields]))
        assert len(result(reply.content)) == len(ids)
        return {"rpcs": 2, "note": "floor: 1 login + 1 read of all ids"}


async def export(t: Target, fields: list[str]) -> dict[str, Any]:
    """One un-paginated ``search_read`` of everything."""
    url = t.url + "/jsonrpc"
    async with _client(t) as client:
        uid = await _login(client, url, t)
        payload = body(t, uid, MODEL, "search_read", [[]], {"fields": fields})
        reply = await client.post(url, content=payload)
        return {"rows": len(result(reply.content)), "rpcs": 2}


async def bulk_create(t: Target, values: list[dict[str, Any]]) -> dict[str, Any]:
    """One ``create`` call with every record."""
    url = t.url + "/jsonrpc"
    async with _client(t) as client:
        uid = await _login(client, url, t)
        reply = await client.post(url, content=body(t, uid, MODEL, "create", [values]))
        return {"created": len(result(reply.content)), "rpcs": 2}
