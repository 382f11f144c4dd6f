"""An in-memory Odoo 17 for tests, benchmarks and demos: :class:`FakeOdoo`.

::

    fake = FakeOdoo(db="odoo", partners=1_000)
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://odoo") as http:
        ...                                   # in-process, no sockets
    async with fake.serve() as url:           # real TCP on 127.0.0.1 (needs uvicorn)
        ...

It answers Odoo 17's endpoints with Odoo 17's envelopes, status codes and fault
names; ``fake.inject(...)`` adds HTTP errors, dropped connections, slow replies and
concurrency faults; ``fake.calls`` logs what it received; ``with fake.hold() as held``
keeps its replies until the block ends, so that a test has requests in flight at
once. ``FakeOdoo(cost=ServerCost.odoo17(workers=0))`` makes it take as long as a
real Odoo 17 takes (threaded; ``workers=2`` for prefork). With pytest, the fixtures
``fake_odoo`` and ``fake_odoo_url`` come from ``odoo_async.testing.pytest_plugin``.

Names are imported on first use, so loading the pytest plugin stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._calls import Call
    from ._cost import ServerCost
    from ._faults import FAULT_KINDS, FaultKind, FaultRule
    from ._hold import Hold
    from ._server import FakeOdoo

__all__ = ["FAULT_KINDS", "Call", "FakeOdoo", "FaultKind", "FaultRule", "Hold", "ServerCost"]

_WHERE = {
    "FAULT_KINDS": "._faults",
    "FaultKind": "._faults",
    "FaultRule": "._faults",
    "Call": "._calls",
    "FakeOdoo": "._server",
    "Hold": "._hold",
    "ServerCost": "._cost",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    if isinstance(value, type):
        value.__module__ = __name__  # the public path, in tracebacks and docs
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
