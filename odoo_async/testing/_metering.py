"""What one request to the test double costs under its cost model (``_cost.py``).

:meth:`Metering.request` goes around the handling of each request: it opens a bill
(held in a context variable, so that requests handled at once keep theirs apart),
the routes add to it what they do -- a credentials check, an ``execute_kw`` priced
by :func:`call_charge` from its arguments and its reply -- and at the end the
request's entry in the call log gets the bill's total and the request sleeps until
the cost model says its reply is due. Without a cost model every method does nothing.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from ._calls import Call
from ._cost import Charge, CostMeter, ServerCost, read_shape
from ._models import MODELS

__all__ = ["Metering", "call_charge"]


@dataclass(slots=True)
class _Bill:
    """What one request costs so far, under the cost model."""

    arrival: float
    charges: list[Charge] = dataclasses.field(default_factory=list)
    logged: Call | None = None


_BILL: Final[contextvars.ContextVar[_Bill | None]] = contextvars.ContextVar(
    "fake_odoo_bill", default=None
)


class Metering:
    """The cost model at work around each request (``meter`` is None without one)."""

    def __init__(self, meter: CostMeter | None) -> None:
        self.meter = meter

    def reset(self) -> None:
        if self.meter is not None:
            self.meter.reset()

    @contextlib.asynccontextmanager
    async def request(self, priced: Callable[[Call, float], None]) -> AsyncIterator[None]:
        """Around the handling of one request: charge what the cost model says it costs.

        ``priced(call, cost)`` then writes the cost on the call the request logged.
        """
        meter = self.meter
        if meter is None:
            yield
            return
        bill = _Bill(meter.arrive())
        token = _BILL.set(bill)
        try:
            yield
        except BaseException:
            meter.leave(bill.arrival)
            raise
        finally:
            _BILL.reset(token)
        charge = sum(bill.charges, meter.cost.charge_request())
        if bill.logged is not None:
            priced(bill.logged, charge.total)
        await meter.wait(bill.arrival, charge)

    @staticmethod
    def logged(call: Call) -> None:
        """Note the call log's entry of the request being handled."""
        bill = _BILL.get()
        if bill is not None:
            bill.logged = call

    def credentials(self, *parts: Any, accepted: bool) -> None:
        """A credentials check: hashing, the first time these credentials are seen."""
        if self.meter is not None:
            _bill(self.meter.credentials(*parts, accepted=accepted))

    def login(self, db: str, login: Any, password: Any, uid: int | bool | None) -> None:
        """A login hashes the password the first time these credentials are seen."""
        accepted = isinstance(uid, int) and not isinstance(uid, bool)
        self.credentials("login", db, login, password, accepted=accepted)
        if accepted and self.meter is not None:
            # Odoo caches the uid's credentials too: the next execute_kw will not hash
            self.meter.remember("uid", db, uid, password)

    def call(
        self, model: Any, method: Any, args: list[Any], kwargs: dict[str, Any], result: Any
    ) -> None:
        """An ``execute_kw`` that returned ``result``."""
        if self.meter is not None:
            _bill(call_charge(self.meter.cost, model, method, args, kwargs, result))

    def failed_call(self, method: Any) -> None:
        """An ``execute_kw`` that raised."""
        if self.meter is not None:
            _bill(self.meter.cost.charge_call(str(method)))


def _bill(charge: Charge) -> None:
    """Add to the cost of the request being handled."""
    bill = _BILL.get()
    if bill is not None:
        bill.charges.append(charge)


def call_charge(
    cost: ServerCost, model: str, method: str, args: list[Any], kwargs: dict[str, Any], result: Any
) -> Charge:
    """What an ``execute_kw`` that returned ``result`` costs, from its arguments and reply."""
    if method in ("search", "search_read"):
        # search(domain, offset, ...) and search_read(domain, fields, offset, ...)
        position = 1 if method == "search" else 2
        offset = kwargs.get("offset", args[position] if len(args) > position else 0)
        skipped = offset if _is_int(offset) and offset > 0 else 0
        if method == "search":
            return cost.charge_call(method, ids=len(result), offset=skipped)
        rows, fields, relational = read_shape(result, _field_types(model))
        return cost.charge_call(
            method, ids=rows, offset=skipped, rows=rows, fields=fields, relational=relational
        )
    if method == "read":
        rows, fields, relational = read_shape(result, _field_types(model))
        return cost.charge_call(method, rows=rows, fields=fields, relational=relational)
    if method == "create":
        return cost.charge_call(method, records=len(result) if isinstance(result, list) else 1)
    if method in ("write", "unlink"):
        ids = args[0] if args else []
        return cost.charge_call(method, records=len(ids) if isinstance(ids, list) else 1)
    if method == "load":
        data = args[1] if len(args) > 1 else kwargs.get("data", [])
        return cost.charge_call(method, records=len(data) if isinstance(data, list) else 0)
    return cost.charge_call(method)


@functools.lru_cache(maxsize=64)
def _field_types(model: str) -> Mapping[str, str]:
    spec = MODELS.get(model)
    return {} if spec is None else {name: f.type for name, f in spec.fields.items()}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
