"""odoo-client-lib (``odoolib``) as its README shows it:
``get_connection(hostname, protocol="jsonrpc", ...)``, ``get_model()``. Blocking:
concurrency is threads sharing one connection (it posts with ``httpx.post``,
a new connection per call)."""

from __future__ import annotations

from importlib.metadata import version as _version
from typing import Any

from benchmarks.contenders._base import DOMAIN, MODEL, Target, run_threads, thread_map

NAME = "odoo-client-lib"
#: imported before the clock starts (cold scenarios time the client, not imports)
IMPORTS = ("odoolib",)
CONCURRENCY = 32


def version() -> str:
    return _version("odoo-client-lib")


def _model(t: Target) -> Any:
    import odoolib

    # TLS trusts the throwaway CA through SSL_CERT_FILE (httpx honours it).
    connection = odoolib.get_connection(
        hostname=t.host,
        protocol="jsonrpcs" if t.tls else "jsonrpc",
        port=t.port,
        database=t.db,
        login=t.user,
        password=t.password,
    )
    connection.check_login()
    return connection.get_model(MODEL)


def per_call(t: Target, calls: int, concurrency: int) -> dict[str, Any]:
    partners = _model(t)

    def one() -> Any:
        return partners.search_count(DOMAIN)

    run_threads(concurrency, concurrency * 2, one)
    return {"seconds": run_threads(concurrency, calls, one)}


def single_reads(t: Target, ids: list[int], fields: list[str]) -> dict[str, Any]:
    partners = _model(t)
    rows = thread_map(CONCURRENCY, ids, lambda i: partners.read([i], fields))
    assert len(rows) == len(ids)
    return {"rpcs": len(ids) + 1}


def export(t: Target, fields: list[str]) -> dict[str, Any]:
    """Its ``search_read`` is a ``search`` then one ``read`` of every id."""
    rows = _model(t).search_read([], fields)
    return {"rows": len(rows), "rpcs": 3}


def bulk_create(t: Target, values: list[dict[str, Any]]) -> dict[str, Any]:
    ids = _model(t).create(values)
    return {"created": len(ids)}
