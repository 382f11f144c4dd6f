"""The call log of the test double: one :class:`Call` per call it received."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

__all__ = ["MASK", "Call"]

MASK: Final = "***"


@dataclass(frozen=True, slots=True)
class Call:
    """One call the double received (passwords masked as ``***``).

    ``endpoint`` is the route (``"/jsonrpc"``, ``"/web/dataset/call_kw"``,
    ``"/xmlrpc/2/object"``...); ``service`` the JSON-RPC/XML-RPC service; ``model``
    and ``method`` the ORM call (or the service method, e.g. ``"authenticate"``);
    ``args``/``kwargs`` the model method's arguments; ``uid`` who called, when known.
    ``fault`` names what was done instead of running the call: an injected fault
    kind, or ``"overloaded"`` when the concurrency cap refused it. ``cost`` is the
    server time, in seconds, the cost model charged for the request (``None``
    without a cost model).
    """

    endpoint: str
    service: str | None
    model: str | None
    method: str | None
    args: list[Any]
    kwargs: dict[str, Any]
    uid: int | None
    fault: str | None = None
    cost: float | None = None
