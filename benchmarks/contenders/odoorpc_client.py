"""OdooRPC as its documentation shows it: ``ODOO(host, protocol, port)``,
``login()``, then ``odoo.env[model]`` methods. Blocking: concurrency is threads
sharing one logged-in ``ODOO`` (urllib opens a connection per request)."""

from __future__ import annotations

from importlib.metadata import version as _version
from typing import Any

from benchmarks.contenders._base import DOMAIN, MODEL, Target, run_threads, thread_map

NAME = "OdooRPC"
#: imported before the clock starts (cold scenarios time the client, not imports)
IMPORTS = ("odoorpc",)
CONCURRENCY = 32


def version() -> str:
    return _version("odoorpc")


def _login(t: Target) -> Any:
    import odoorpc

    # TLS trusts the throwaway CA through SSL_CERT_FILE (urllib's default context).
    protocol = "jsonrpc+ssl" if t.tls else "jsonrpc"
    odoo = odoorpc.ODOO(t.host, protocol=protocol, port=t.port, timeout=600)
    odoo.login(t.db, t.user, t.password)
    return odoo


def per_call(t: Target, calls: int, concurrency: int) -> dict[str, Any]:
    partners = _login(t).env[MODEL]

    def one() -> Any:
        return partners.search_count(DOMAIN)

    run_threads(concurrency, concurrency * 2, one)
    return {"seconds": run_threads(concurrency, calls, one)}


def single_reads(t: Target, ids: list[int], fields: list[str]) -> dict[str, Any]:
    partners = _login(t).env[MODEL]
    rows = thread_map(CONCURRENCY, ids, lambda i: partners.read([i], fields))
    assert len(rows) == len(ids)
    return {"rpcs": len(ids) + 1}


def export(t: Target, fields: list[str]) -> dict[str, Any]:
    rows = _login(t).env[MODEL].search_read([], fields)
    return {"rows": len(rows)}


def bulk_create(t: Target, values: list[dict[str, Any]]) -> dict[str, Any]:
    ids = _login(t).env[MODEL].create(values)
    return {"created": len(ids)}
