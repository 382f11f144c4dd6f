"""JSON-RPC bodies for the raw-HTTP floors, encoded before the clock starts."""

from __future__ import annotations

from typing import Any

import msgspec

from benchmarks.contenders._base import Target


def login_body(t: Target) -> bytes:
    return msgspec.json.encode(
        {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "service": "common",
                "method": "authenticate",
                "args": [t.db, t.user, t.password, {}],
            },
        }
    )


def body(
    t: Target,
    uid: int,
    model: str,
    method: str,
    args: list[Any],
    kwargs: dict[str, Any] | None = None,
) -> bytes:
    return msgspec.json.encode(
        {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 2,
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [t.db, uid, t.password, model, method, args, kwargs or {}],
            },
        }
    )


def result(content: bytes) -> Any:
    reply = msgspec.json.decode(content)
    if reply.get("error"):
        raise RuntimeError(f"the server answered an error: {reply['error'].get('message')}")
    return reply["result"]
