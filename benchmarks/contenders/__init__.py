"""One module per contender; see :mod:`benchmarks.contenders._base` for what each provides."""

from __future__ import annotations

import importlib
from types import ModuleType

#: name on the command line -> module
MODULES = {
    "odoo_async": "odoo_async_client",
    "raw-httpx": "raw_httpx",
    "raw-aiohttp": "raw_aiohttp",
    "odoorpc": "odoorpc_client",
    "xmlrpc": "xmlrpc_client",
    "odoolib": "odoolib_client",
    "aio-odoorpc": "aio_odoorpc_client",
}


def load(name: str) -> ModuleType:
    """The contender module for ``name`` (``odoo_async:pooled`` names a variant)."""
    base = name.partition(":")[0]
    if base not in MODULES:
        raise SystemExit(f"unknown contender {name!r}; known: {', '.join(MODULES)}")
    return importlib.import_module(f"benchmarks.contenders.{MODULES[base]}")
