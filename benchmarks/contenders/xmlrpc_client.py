"""``xmlrpc.client`` as Odoo's External API documentation uses it:
``common.authenticate`` on ``/xmlrpc/2/common``, then ``models.execute_kw`` on
``/xmlrpc/2/object``. Blocking, and a ``ServerProxy`` is not thread-safe, so
concurrency is threads with one proxy each (one login shared)."""

from __future__ import annotations

import platform
import ssl
import threading
import xmlrpc.client
from typing import Any

from benchmarks.contenders._base import DOMAIN, MODEL, Target, run_threads, thread_map

NAME = "xmlrpc.client"
#: imported before the clock starts (cold scenarios time the client, not imports)
IMPORTS = ("xmlrpc.client",)
CONCURRENCY = 32


def version() -> str:
    return f"stdlib (Python {platform.python_version()})"


class _Models:
    def __init__(self, t: Target) -> None:
        self.t = t
        self.context = ssl.create_default_context(cafile=t.ca) if t.ca else None
        common = xmlrpc.client.ServerProxy(f"{t.url}/xmlrpc/2/common", context=self.context)
        self.uid = common.authenticate(t.db, t.user, t.password, {})
        self.local = threading.local()

    def execute_kw(self, method: str, args: list[Any], kwargs: dict[str, Any] | None = None) -> Any:
        models = getattr(self.local, "models", None)
        if models is None:
            models = self.local.models = xmlrpc.client.ServerProxy(
                f"{self.t.url}/xmlrpc/2/object", context=self.context, allow_none=True
            )
        t = self.t
        return models.execute_kw(t.db, self.uid, t.password, MODEL, method, args, kwargs or {})


def per_call(t: Target, calls: int, concurrency: int) -> dict[str, Any]:
    models = _Models(t)

    def one() -> Any:
        return models.execute_kw("search_count", [DOMAIN])

    run_threads(concurrency, concurrency * 2, one)
    return {"seconds": run_threads(concurrency, calls, one)}


def single_reads(t: Target, ids: list[int], fields: list[str]) -> dict[str, Any]:
    models = _Models(t)
    rows = thread_map(
        CONCURRENCY, ids, lambda i: models.execute_kw("read", [[i]], {"fields": fields})
    )
    assert len(rows) == len(ids)
    return {"rpcs": len(ids) + 1}


def export(t: Target, fields: list[str]) -> dict[str, Any]:
    rows = _Models(t).execute_kw("search_read", [[]], {"fields": fields})
    return {"rows": len(rows)}


def bulk_create(t: Target, values: list[dict[str, Any]]) -> dict[str, Any]:
    ids = _Models(t).execute_kw("create", [values])
    return {"created": len(ids)}
