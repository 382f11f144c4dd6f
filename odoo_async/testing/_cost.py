"""What a call costs a real Odoo 17: the test double's cost model.

Without a cost model the double answers as fast as Python can build the reply,
and from a query cache: every speed decision made against it would be tuned to a
server that does not exist. With ``FakeOdoo(cost=ServerCost.odoo17())`` each
reply waits as long as a real Odoo 17 takes to give it, as measured in
``odoo17-wire/TIMINGS.md``:

- every HTTP request pays ``request`` (routing, JSON, the reply);
- every ``execute_kw`` adds ``call`` (environment, access rights, transaction);
  a ``search``/``search_read`` adds ``search``, plus ``per_id`` for each id it
  returns and ``per_offset`` for each row an OFFSET skips; ``search_count`` adds
  ``count``;
- each row read (``read``, ``search_read``) costs ``per_row``, ``per_field`` for
  each plain field and ``per_relational`` for each relational one (a many2one
  reads its display name); ``read`` of given ids adds ``per_read_row`` a row
  (it checks the ids first: TIMINGS.md has it slower than ``search_read``);
- ``create`` adds ``create`` a call and ``per_create`` a record; ``write`` and
  ``unlink`` add ``per_write`` a record; ``load`` (Odoo's import method)
  ``per_load_row`` a row;
- a login pays ``login`` (Odoo hashes the password or key) the first time the
  server sees those credentials; after that they are cached, as Odoo caches them.

The cost is reckoned from the request and the size of the reply, never from what
the double itself did, so its query cache cannot make the cost vanish.

Several requests at once (``_schedule.py`` does the sharing). ``workers=0`` is
Odoo's threaded server: one process, a thread a request; the Python part of the
requests it holds shares the GIL (each slowed by the others' work, the first come
favoured a little, ``contention`` lost to the fight), while their waits outside
Python -- the share ``1 - contended`` of the fixed costs and ``overlapped`` of
the work (PostgreSQL reading the rows) -- overlap. ``workers=N`` is the prefork
server: N requests run at once, each holding its worker from start to end, the
others queue; the ``contended`` share of each request's fixed cost is still done
one at a time (which is why small calls top out at 40-50 a second whatever the
concurrency) and the work of the running workers shares ``cores`` processors
(the 2 cores also run PostgreSQL and the client). The split is calibrated on
TIMINGS.md's "Several requests at once" (benchmarks/bench_calibration.py prints
it beside the model).

Everything here is arithmetic, with no clock of its own, so it is tested with
tables. ``scale`` multiplies every cost (0.1 runs ten times faster, keeping the
shape).
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import anyio

from ._schedule import Charge, Schedule

__all__ = ["Charge", "CostMeter", "Schedule", "ServerCost", "read_shape"]

_MS: Final = 1e-3
_US: Final = 1e-6
RELATIONAL: Final = frozenset({"many2one", "one2many", "many2many"})


@dataclass(frozen=True, slots=True)
class ServerCost:
    """How long a real Odoo takes to answer; durations in seconds (see the module docstring).

    Build it with :meth:`odoo17`; the other fields are there to tune a profile
    (``dataclasses.replace(cost, login=0.0)``).
    """

    workers: int = 0
    scale: float = 1.0
    request: float = 0.0
    call: float = 0.0
    search: float = 0.0
    count: float = 0.0
    per_id: float = 0.0
    per_offset: float = 0.0
    per_row: float = 0.0
    per_field: float = 0.0
    per_relational: float = 0.0
    per_read_row: float = 0.0
    create: float = 0.0
    per_create: float = 0.0
    per_write: float = 0.0
    per_load_row: float = 0.0
    login: float = 0.0
    contended: float = 1.0
    contention: float = 0.0
    overlapped: float = 0.0
    favour: float = 1.0
    cores: float = math.inf

    def __post_init__(self) -> None:
        if isinstance(self.workers, bool) or not isinstance(self.workers, int):
            raise TypeError(f"ServerCost: workers must be an int, got {self.workers!r}")
        if self.workers < 0:
            raise ValueError(f"ServerCost: workers must be >= 0, got {self.workers}")
        if not self.scale > 0:
            raise ValueError(f"ServerCost: scale must be > 0, got {self.scale!r}")
        for name in _DURATIONS:
            if getattr(self, name) < 0:
                raise ValueError(f"ServerCost: {name} must be >= 0, got {getattr(self, name)!r}")
        if self.contention < 0:
            raise ValueError(f"ServerCost: contention must be >= 0, got {self.contention!r}")
        if not 0.0 <= self.overlapped <= 1.0:
            raise ValueError(f"ServerCost: overlapped must be in [0, 1], got {self.overlapped!r}")
        if not 0.0 <= self.favour <= 1.0:
            raise ValueError(f"ServerCost: favour must be in [0, 1], got {self.favour!r}")
        if not self.cores > 0:
            raise ValueError(f"ServerCost: cores must be > 0, got {self.cores!r}")
        if not 0.0 <= self.contended <= 1.0:
            raise ValueError(f"ServerCost: contended must be in [0, 1], got {self.contended!r}")

    @classmethod
    def odoo17(cls, workers: int = 0, scale: float = 1.0) -> ServerCost:
        """Odoo 17 on 2 cores as TIMINGS.md measured it: threaded (``workers=0``) or prefork.

        The threaded and prefork figures differ a little (the prefork server sat behind
        nginx); ``workers >= 1`` takes the prefork ones.
        """
        base = _PREFORK if workers else _THREADED
        return dataclasses.replace(base, workers=workers, scale=scale)

    @property
    def profile(self) -> str:
        return "threaded" if self.workers == 0 else f"prefork, {self.workers} workers"

    def __repr__(self) -> str:
        return f"ServerCost(workers={self.workers}, scale={self.scale:g}) [{self.profile}]"

    def schedule(self) -> Schedule:
        """A fresh :class:`Schedule` for this server's workers."""
        if self.workers:
            return Schedule(self.workers, favour=self.favour, cores=self.cores)
        return Schedule(0, contention=self.contention, favour=self.favour)

    # -- what one request costs -------------------------------------------------------

    def charge_request(self) -> Charge:
        """A request that runs no ORM method (``version``, a failed route...)."""
        return self._fixed(self.request)

    def charge_login(self) -> Charge:
        """Checking credentials the server has not cached yet (password hashing)."""
        return Charge(0.0, self.login * self.scale)

    def charge_call(
        self,
        method: str,
        *,
        ids: int = 0,
        offset: int = 0,
        rows: int = 0,
        fields: int = 0,
        relational: int = 0,
        records: int = 0,
    ) -> Charge:
        """One ``execute_kw`` of ``method``, from what it did (on top of :meth:`charge_request`).

        ``ids``: ids a search returned; ``offset``: rows its OFFSET skipped; ``rows``:
        rows read, each with ``fields`` plain and ``relational`` relational fields;
        ``records``: records created, written or deleted.
        """
        fixed = self.call
        work = 0.0
        if method == "search_count":
            fixed += self.count
        elif method in ("search", "search_read"):
            fixed += self.search
            work += ids * self.per_id + offset * self.per_offset
        work += rows * (self.per_row + fields * self.per_field + relational * self.per_relational)
        if method == "read":
            work += rows * self.per_read_row
        elif method == "create":
            fixed += self.create
            work += records * self.per_create
        elif method in ("write", "unlink"):
            work += records * self.per_write
        elif method == "load":
            work += records * self.per_load_row
        return self._fixed(fixed) + self._work(work)

    def _fixed(self, seconds: float) -> Charge:
        seconds *= self.scale
        return Charge(seconds * self.contended, seconds * (1.0 - self.contended))

    def _work(self, seconds: float) -> Charge:
        seconds *= self.scale
        return Charge(parallel=seconds * self.overlapped, work=seconds * (1.0 - self.overlapped))


_DURATIONS: Final = tuple(
    f.name
    for f in dataclasses.fields(ServerCost)
    if f.name
    not in ("workers", "scale", "contended", "contention", "overlapped", "favour", "cores")
)

# Fitted to TIMINGS.md (6 fields, one many2one: 100 us a row); benchmarks/bench_calibration.py
# prints the model beside every row of it.
_THREADED: Final = ServerCost(
    workers=0,
    request=14 * _MS,
    call=8 * _MS,
    search=0.0,
    count=15 * _MS,
    per_id=5 * _US,
    per_offset=3.5 * _US,
    per_row=1 * _US,
    per_field=10 * _US,
    per_relational=30 * _US,
    per_read_row=23 * _US,
    create=35 * _MS,
    per_create=4.65 * _MS,
    per_write=48 * _MS,
    # load (Odoo's import) of 300 partners' email on the testbed's 17: 2.26 s threaded
    per_load_row=7.5 * _MS,
    login=795 * _MS,
    contended=0.64,
    contention=0.05,
    overlapped=0.1,
    favour=0.9,
)
_PREFORK: Final = ServerCost(
    workers=2,
    request=19.5 * _MS,
    call=14 * _MS,
    search=0.0,
    count=6 * _MS,
    per_id=3.3 * _US,
    per_offset=0.4 * _US,
    per_row=12 * _US,
    per_field=10 * _US,
    per_relational=30 * _US,
    per_read_row=10 * _US,
    create=16 * _MS,
    per_create=4.15 * _MS,
    per_write=33.5 * _MS,
    per_load_row=6.4 * _MS,  # the same load: 1.92 s on prefork
    login=770 * _MS,
    contended=0.59,
    overlapped=0.1,
    favour=0.0,
    cores=1.7,
)


def read_shape(rows: Sequence[Any], field_types: Mapping[str, str]) -> tuple[int, int, int]:
    """``(rows, plain fields, relational fields)`` of a ``read``/``search_read`` reply."""
    if not rows or not isinstance(rows[0], Mapping):
        return len(rows), 0, 0
    names = [name for name in rows[0] if name != "id"]
    relational = sum(1 for name in names if field_types.get(name) in RELATIONAL)
    return len(rows), len(names) - relational, relational


Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class CostMeter:
    """The cost model at work in one :class:`~odoo_async.testing.FakeOdoo`.

    Remembers the credentials already checked (the first check pays ``login``),
    books each request on a :class:`Schedule` at its arrival time and sleeps until
    its reply is due. ``clock`` and ``sleep`` are injected so tests need no wall time.
    """

    def __init__(
        self, cost: ServerCost, *, clock: Clock = time.monotonic, sleep: Sleep = anyio.sleep
    ) -> None:
        self.cost = cost
        self.clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()  # the loopback server books from its own thread
        self._schedule = cost.schedule()
        self._open: list[float] = []  # arrivals of the requests not booked yet
        self._known: set[str] = set()

    def reset(self) -> None:
        """Forget cached credentials and bookings, as a restarted server would."""
        with self._lock:
            self._schedule = self.cost.schedule()
            self._open.clear()
            self._known.clear()

    def credentials(self, *parts: Any, accepted: bool = True) -> Charge:
        """The charge for checking credentials: ``login`` unless already accepted once.

        Refused credentials are not cached: every try pays the hashing again.
        """
        key = self._key(parts)
        with self._lock:
            if key in self._known:
                return Charge()
            if accepted:
                self._known.add(key)
        return self.cost.charge_login()

    def remember(self, *parts: Any) -> None:
        """Cache credentials checked some other way (a login caches its uid's password too)."""
        with self._lock:
            self._known.add(self._key(parts))

    @staticmethod
    def _key(parts: tuple[Any, ...]) -> str:
        return hashlib.sha256(repr(parts).encode()).hexdigest()

    def arrive(self) -> float:
        """A request arrives: its arrival time (the past before it stays open until it leaves)."""
        with self._lock:
            now = self.clock()
            self._open.append(now)
            return now

    def leave(self, arrival: float) -> None:
        """A request that arrived at ``arrival`` will book nothing more (it is booked or failed)."""
        with self._lock:
            if arrival in self._open:  # not if the meter was reset meanwhile
                self._open.remove(arrival)
            self._schedule.settle(min([self.clock(), *self._open]))

    async def wait(self, arrival: float, charge: Charge) -> None:
        """Book a request that arrived at ``arrival`` and sleep until its reply is due.

        Requests booked meanwhile can only delay it (they take a share of the
        server): it sleeps until the reply is due as far as it knows, then asks again.
        """
        with self._lock:
            key = self._schedule.add(arrival, charge)
        self.leave(arrival)
        waited = self.clock()
        while True:
            with self._lock:
                due = self._schedule.due(key)
            now = max(waited, self.clock())
            if due <= now:
                with self._lock:
                    self._schedule.forget(key)
                return
            await self._sleep(due - now)
            waited = max(due, self.clock())
