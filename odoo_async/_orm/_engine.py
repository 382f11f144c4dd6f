"""The fetch engine: one place that sizes, measures and schedules long fetches.

Its feeders: the id windows and the offset pages of ``search_read``
(``_pager.py``), long ``read()``s and list ``create()``s (``_chunks.py``). A
feeder cuts its work into units of a given number of rows and sends one (a
:class:`Feed`); the engine decides how large the units are and how many go out
at once, from what the replies show (the decisions are ``_adaptive.py``'s, pure and table-tested):

1. the feeder's first page, sent alone, gives the cost of a row
   (:func:`measure_alone`), hence the page size (:func:`page_size_for`);
2. one page goes out alone, then two together, then four...: each level must
   beat the rows/s of the one below by ``margin`` to be kept
   (:func:`next_in_flight`); when it does not, the engine goes back and stays;
3. once one request at a time is what the server pays for (a threaded Odoo
   shares its time among the requests it holds), pages grow to the largest the
   memory bound allows: the export ends up as few calls as it can be.

Units are yielded in the order they were cut, each once: a unit that came back
with rows still to fetch (an id window denser than expected) has its rest sent
next, before the later ones. At most ``in_flight + ahead`` units are held. How
the walk went is written to ``plan`` and logged at DEBUG on ``odoo_async``.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from ._adaptive import (
    Climb,
    ExportTuning,
    Timing,
    after_page,
    alone_rate,
    measure_alone,
    page_size_for,
    start_climb,
)

__all__ = ["Feed", "run"]

logger = logging.getLogger("odoo_async")

Unit = TypeVar("Unit")
Result = TypeVar("Result")


class Feed(Protocol[Unit, Result]):
    """What the engine needs of a feeder."""

    def cut(self, size: int, *, alone: bool = False) -> Unit | None:
        """The next unit of about ``size`` rows, or ``None`` when everything is cut.

        ``alone``: one request at a time is what the server pays for; a unit
        may then be cut by rows rather than guessed (see ``rest``).
        """

    def left(self) -> float | None:
        """The rows still to cut, as far as known (``None``: unknown)."""

    def send(self, unit: Unit, size: int) -> Awaitable[Result]:
        """Fetch (or write) one unit; ``size`` is the most rows it may return."""

    def moved(self, unit: Unit, result: Result) -> int:
        """Rows the unit moved (what rows per second count)."""

    def rest(self, unit: Unit, result: Result, size: int) -> Unit | None:
        """Take in ``result``; what of ``unit`` is still to fetch (sent next), or ``None``."""


@dataclass(slots=True)
class _Slot(Generic[Unit, Result]):
    unit: Unit
    size: int
    epoch: int  # the measure it counts in (-1: none)
    task: asyncio.Task[tuple[Result, float, float]]


async def run(
    feed: Feed[Unit, Result],
    first: Timing,
    *,
    tuning: ExportTuning,
    ahead: int,
    keep_all: bool,
    clock: Callable[[], float],
    plan: dict[str, Any],
) -> AsyncGenerator[tuple[Unit, Result], None]:
    """Every unit of ``feed`` with its result, in order (see the module docstring).

    ``first``: how the feeder's first page, sent alone, went; ``ahead``: units
    held beyond those in flight (a stream's prefetch); ``keep_all``: the caller
    keeps every row anyway, so pages may grow past ``max_page_size``.
    """
    shape = measure_alone(first, tuning)
    page_size = page_size_for(shape.fixed, shape.per_row, tuning, rows_left=feed.left())
    cap = tuning.in_flight_cap
    climb = start_climb(cap, tuning)
    epoch, sent = 0, 0  # the current measure, and the pages sent in it
    steps: list[str] = []
    plan.update(
        first_page=first.rows,
        row_us=round(shape.per_row * 1e6, 1),
        page_size=page_size,
        in_flight=climb.in_flight,
        steps=steps,
    )
    slots: deque[_Slot[Unit, Result]] = deque()
    closed = exhausted = False

    async def timed(unit: Unit, size: int) -> tuple[Result, float, float]:
        started = clock()
        result = await feed.send(unit, size)
        return result, started, clock()

    def issue(unit: Unit, size: int, mark: int, *, front: bool = False) -> None:
        task = asyncio.ensure_future(timed(unit, size))
        slot = _Slot(unit, size, mark, task)
        slots.appendleft(slot) if front else slots.append(slot)
        task.add_done_callback(refill)

    def refill(task: asyncio.Task[Any]) -> None:
        if not task.cancelled() and task.exception() is None:
            fill()  # after a failure, nothing more is sent: the walk ends

    def fill() -> None:
        # called as each reply arrives, so that the server is not left idle while
        # the caller is busy with a page (within ``ahead`` units held)
        nonlocal exhausted, sent
        while (
            not closed
            and not exhausted
            and sum(not slot.task.done() for slot in slots) < climb.in_flight
            and len(slots) < climb.in_flight + ahead
            and (climb.settled or sent < tuning.samples * climb.in_flight)
        ):
            unit = feed.cut(page_size, alone=climb.settled and climb.in_flight == 1)
            if unit is None:
                exhausted = True
                return
            issue(unit, page_size, epoch)
            sent += 1

    try:
        fill()
        while slots:
            slot = slots[0]
            await _first_or_failure(slot.task, slots)
            result, started, received = slot.task.result()
            slots.popleft()
            if slot.epoch == epoch:
                timing = Timing(feed.moved(slot.unit, result), started, received)
                left = feed.left()
                decided = after_page(
                    climb,
                    timing,
                    cap,
                    tuning,
                    pages_left=None if left is None else left / max(page_size, 1),
                    alone_rate=alone_rate(shape, tuning, rows_left=left, keep_all=keep_all),
                )
                climb = _decided(decided, climb, steps)
                if climb.current.pages == 0:  # a new measure begins
                    epoch, sent = epoch + 1, 0
                    if climb.settled and climb.in_flight == 1:
                        page_size = page_size_for(
                            shape.fixed, shape.per_row, tuning, alone=True, keep_all=keep_all
                        )
                    plan.update(page_size=page_size, in_flight=climb.in_flight)
            rest = feed.rest(slot.unit, result, slot.size)
            if rest is not None:  # the rest of a dense window comes next
                issue(rest, slot.size, -1, front=True)
            fill()
            yield slot.unit, result
        logger.debug("fetch plan: %s", plan)
    finally:
        closed = True
        leftover = [slot.task for slot in slots]
        for task in leftover:
            task.cancel()
        if leftover:  # no request goes on after the walk ended
            await asyncio.gather(*leftover, return_exceptions=True)


async def _first_or_failure(task: asyncio.Task[Any], slots: deque[_Slot[Any, Any]]) -> None:
    """Wait for ``task``, or raise at once the failure of any other unit in flight."""
    while not task.done():
        await asyncio.wait([slot.task for slot in slots], return_when=asyncio.FIRST_COMPLETED)
        for slot in slots:
            if slot.task.done() and not slot.task.cancelled() and slot.task.exception():
                slot.task.result()  # raises it


def _decided(new: Climb, old: Climb, steps: list[str]) -> Climb:
    """Note in ``steps`` (and the log) a decision that moved the climb; log the others."""
    if new.current.pages == 0 and new.note:
        if (new.in_flight, new.settled) != (old.in_flight, old.settled):
            steps.append(new.note)
        logger.debug("fetch engine: %s", new.note)
    return new
