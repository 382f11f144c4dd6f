"""When the replies of requests held at once are ready: the cost model's time-sharing, pure.

A request's :class:`~._cost.Charge` has three parts: ``serial`` and ``work``
are Python work, ``parallel`` waits outside Python (PostgreSQL, the socket)
that overlap with everything. How the Python work of several requests held at
once is shared depends on the server:

- **threaded** (``workers=0``, one process, a thread a request): the GIL is
  shared among the requests in their Python part (processor sharing: with k of
  them each goes at 1/k, so two replies sent together come back together, each
  late by the other's work). Threads fighting over the GIL waste some of it:
  with more than one, the whole goes ``1 + contention`` times slower. The GIL
  is not a fair scheduler either: the thread that holds it tends to keep it, so
  each later request gets ``favour`` times the share of the one before it (1.0:
  all equal); that spreads the replies of a batch, as TIMINGS.md measured.
  Then the request waits its ``parallel`` part.
- **prefork** (``workers=N``): N requests run at once, the others queue for a
  worker in arrival order. A running request does its ``serial`` part on a
  resource shared by every worker (what the 2 cores, PostgreSQL and the proxy
  cannot do side by side), its ``work`` on ``cores`` processors shared among the
  running workers (each at most one), then its ``parallel`` wait.

:class:`Schedule` is the arithmetic, event by event in virtual time with no
clock of its own: :meth:`Schedule.add` a request (its arrival and charge),
:meth:`Schedule.due` tells when its reply is ready given the requests known so
far. A request added later can only delay the others (it takes a share), never
hasten them, so a caller may sleep until ``due`` and ask again.
:meth:`Schedule.settle` forgets the past up to a time before which no request
can still arrive, keeping the state of the requests still running.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

__all__ = ["Charge", "Schedule"]

_EPS: Final = 1e-12
_GIL, _LOCK, _CORES, _WAIT = "gil", "lock", "cores", "wait"


@dataclass(frozen=True, slots=True)
class Charge:
    """The server time of one request, in seconds, in three parts.

    ``serial``: the share of the fixed cost done one request at a time whatever the
    workers; ``work``: the Python work on ids and rows (sharing the GIL on a threaded
    server, in the request's own worker on prefork); ``parallel``: waits that
    overlap with other requests.
    """

    serial: float = 0.0
    parallel: float = 0.0
    work: float = 0.0

    @property
    def total(self) -> float:
        """The time the request takes on an idle server."""
        return self.serial + self.parallel + self.work

    def __add__(self, other: Charge) -> Charge:
        return Charge(
            self.serial + other.serial, self.parallel + other.parallel, self.work + other.work
        )


@dataclass(slots=True)
class _Job:
    """A request and how far it got: ``phases`` to do, ``left`` of the current one."""

    key: int
    arrival: float
    phases: list[tuple[str, float]]
    phase: int = 0
    left: float = 0.0
    admitted: bool = False
    finish: float | None = None

    def start(self) -> None:
        self.phase = -1
        self.next_phase(0.0)

    def next_phase(self, now: float) -> None:
        self.phase += 1
        while self.phase < len(self.phases) and self.phases[self.phase][1] <= _EPS:
            self.phase += 1
        if self.phase >= len(self.phases):
            self.finish = now
        else:
            self.left = self.phases[self.phase][1]

    @property
    def pool(self) -> str:
        return self.phases[self.phase][0]

    def copy(self) -> _Job:
        return _Job(
            self.key, self.arrival, self.phases, self.phase, self.left, self.admitted, self.finish
        )


class Schedule:
    """Requests held at once by a threaded (``workers=0``) or prefork server, shared in time.

    ``contention``, ``favour``: how a threaded server's GIL is shared; ``cores``:
    how many processors a prefork server's running workers share (``inf``: each
    its own). See the module docstring.
    """

    def __init__(
        self,
        workers: int,
        *,
        contention: float = 0.0,
        favour: float = 1.0,
        cores: float = math.inf,
    ) -> None:
        self.workers = workers
        self.contention = contention
        self.favour = favour
        self.cores = cores
        self._origin = -math.inf  # the past before it is settled
        self._jobs: list[_Job] = []  # unfinished at the origin, or arriving after it
        self._done: dict[int, float] = {}  # finished before the origin: until forgotten
        self._count = 0

    def __len__(self) -> int:
        return len(self._jobs)

    def add(self, arrival: float, charge: Charge) -> int:
        """Take in a request arriving at ``arrival`` (not before the settled past); its key."""
        if self.workers:
            phases = [(_LOCK, charge.serial), (_CORES, charge.work), (_WAIT, charge.parallel)]
        else:
            phases = [(_GIL, charge.serial + charge.work), (_WAIT, charge.parallel)]
        self._count += 1
        self._jobs.append(_Job(self._count, max(arrival, self._origin), phases))
        return self._count

    def due(self, key: int) -> float:
        """When the reply to request ``key`` is ready, given the requests known so far."""
        if key in self._done:
            return self._done[key]
        if all(job.key != key for job in self._jobs):
            raise KeyError(f"Schedule: no request {key} (forgotten, or never added)")
        finish = next(job.finish for job in self._run(until=None, key=key) if job.key == key)
        assert finish is not None
        return finish

    def book(self, arrival: float, charge: Charge) -> float:
        """:meth:`add`, then :meth:`due`: when its reply is ready, given the requests so far."""
        return self.due(self.add(arrival, charge))

    def settle(self, until: float) -> None:
        """Forget the past before ``until``: no request will be added arriving before it."""
        if until <= self._origin:
            return
        jobs = self._run(until=until, key=None)
        self._jobs = [job for job in jobs if job.finish is None or job.finish > until]
        self._done.update((job.key, job.finish) for job in jobs if job.finish is not None)
        for job in self._jobs:
            self._done.pop(job.key, None)
        self._origin = until

    def forget(self, key: int) -> None:
        """Forget request ``key`` once its reply left (its time is no longer asked)."""
        self._done.pop(key, None)

    # -- the simulation ------------------------------------------------------------

    def _run(self, *, until: float | None, key: int | None) -> list[_Job]:
        """Run the requests from the origin to ``until``, or until ``key`` has its reply."""
        jobs = sorted((job.copy() for job in self._jobs), key=lambda j: (j.arrival, j.key))
        arrivals = sorted(job.arrival for job in jobs if not job.admitted)
        now = self._origin if self._origin > -math.inf or not arrivals else arrivals[0]
        index = 0
        while True:
            while index < len(arrivals) and arrivals[index] <= now + _EPS:
                index += 1
            self._admit(jobs, now)
            if key is not None and any(j.key == key and j.finish is not None for j in jobs):
                return jobs
            if until is not None and now >= until:
                return jobs
            rates = self._rates(jobs)
            step = arrivals[index] - now if index < len(arrivals) else math.inf
            for job, rate in rates:
                if rate > 0:
                    step = min(step, job.left / rate)
            if until is not None:
                step = min(step, until - now)
            if step == math.inf:
                return jobs
            now += step
            for job, rate in rates:
                job.left -= rate * step
                if job.left <= _EPS:
                    job.next_phase(now)

    def _admit(self, jobs: list[_Job], now: float) -> None:
        """Start the requests that arrived by ``now`` (on prefork, as workers free up)."""
        running = sum(1 for job in jobs if job.admitted and job.finish is None)
        for job in jobs:
            if job.admitted or job.arrival > now + _EPS:
                continue
            if self.workers and running >= self.workers:
                break
            job.admitted = True
            job.start()
            if job.finish is None:
                running += 1

    def _rates(self, jobs: list[_Job]) -> list[tuple[_Job, float]]:
        """How fast each running request does its current part, at ``now``."""
        active = [job for job in jobs if job.admitted and job.finish is None]
        out: list[tuple[_Job, float]] = []
        for pool in (_GIL, _LOCK):
            sharing = [job for job in active if job.pool == pool]
            if not sharing:
                continue
            weights = [1.0, *(self.favour**rank for rank in range(1, len(sharing)))]
            total = sum(weights)
            speed = 1.0 / (1.0 + self.contention) if len(sharing) > 1 else 1.0
            out += [(job, speed * w / total) for job, w in zip(sharing, weights, strict=True)]
        on_cores = [job for job in active if job.pool == _CORES]
        if on_cores:
            rate = min(1.0, self.cores / len(on_cores))
            out += [(job, rate) for job in on_cores]
        out += [(job, 1.0) for job in active if job.pool == _WAIT]
        return out
