"""The floor with aiohttp: pre-encoded JSON-RPC bodies posted on one
``aiohttp.ClientSession``; replies read whole, decoded only where rows are counted."""

from __future__ import annotations

import ssl
from importlib.metadata import version as _version
from typing import Any

from benchmarks.contenders._base import DOMAIN, MODEL, Target, run_tasks
from benchmarks.contenders._raw import body, login_body, result

NAME = "raw aiohttp"
#: imported before the clock starts (cold scenarios time the client, not imports)
IMPORTS = ("aiohttp",)
CONCURRENCY = 32
HEADERS = {"Content-Type": "application/json"}


def version() -> str:
    return _version("aiohttp")


def _session(t: Target) -> Any:
    import aiohttp

    context = ssl.create_default_context(cafile=t.ca) if t.ca else True
    connector = aiohttp.TCPConnector(limit=CONCURRENCY, ssl=context)
    return aiohttp.ClientSession(
        connector=connector, headers=HEADERS, timeout=aiohttp.ClientTimeout(total=600)
    )


async def _post(session: Any, url: str, payload: bytes) -> bytes:
    async with session.post(url, data=payload) as reply:
        assert reply.status == 200
        return bytes(await reply.read())


async def per_call(t: Target, calls: int, concurrency: int) -> dict[str, Any]:
    url = t.url + "/jsonrpc"
    async with _session(t) as session:
        uid = int(result(await _post(session, url, login_body(t))))
        payload = body(t, uid, MODEL, "search_count", [DOMAIN])

        async def one() -> None:
            await _post(session, url, payload)

        await run_tasks(concurrency, concurrency * 2, one)
        return {"seconds": await run_tasks(concurrency, calls, one)}


async def export(t: Target, fields: list[str]) -> dict[str, Any]:
    """One un-paginated ``search_read`` of everything."""
    url = t.url + "/jsonrpc"
    async with _session(t) as session:
        uid = int(result(await _post(session, url, login_body(t))))
        payload = body(t, uid, MODEL, "search_read", [[]], {"fields": fields})
        return {"rows": len(result(await _post(session, url, payload))), "rpcs": 2}
