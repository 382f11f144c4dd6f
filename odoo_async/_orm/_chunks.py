"""Long ``read()``s and ``create()``s: chunks fed to the fetch engine (``_engine.py``).

The items (ids to read, records to create) are known, so the chunks are exact;
what adapts is how large they are (unless fixed: a ``create`` keeps chunks of
``batch_size``) and how many go out at once, as for the export's id windows:

1. the first chunk (``first_page`` items) goes out alone and measures an item;
2. the engine cuts the rest into chunks of :func:`page_size_for`, sends one
   alone, then two together, four...: each level kept only if its items/s beat
   the level below by 15 %; where one at a time pays (a threaded Odoo), the
   chunks grow to ``serial_page_size`` (every row is kept anyway).

A failure cancels the chunks still in flight, waits for them to end, and is raised as is.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from ._adaptive import ExportTuning, Timing
from ._engine import run

__all__ = ["in_chunks"]

Item = TypeVar("Item")
Result = TypeVar("Result")


async def in_chunks(
    call: Callable[[list[Item]], Awaitable[Result]],
    items: list[Item],
    *,
    tuning: ExportTuning | None = None,
    ready: Callable[[], Awaitable[Any]] | None = None,
    clock: Callable[[], float] = time.monotonic,
    plan: dict[str, Any] | None = None,
) -> list[tuple[list[Item], Result]]:
    """Each chunk of ``items`` with what ``call`` gave for it, in the order of ``items``.

    ``call`` sends one chunk (see the module docstring); an exception it raises
    cancels the chunks in flight and is raised (a caller that must go on, like
    ``create``, returns its errors instead). ``ready`` is awaited before the
    first chunk, that times the server (the login). ``tuning.page_size`` fixes
    the chunks, ``tuning.max_in_flight`` the requests in flight. ``plan``, when
    given, is filled with what was chosen (as ``SearchReadPager.plan``).
    """
    plan = {} if plan is None else plan
    tuning = tuning or ExportTuning()
    size = tuning.page_size or tuning.first_page
    if len(items) <= size:
        return [(items, await call(items))]
    if ready is not None:
        await ready()
    head = items[:size]

    async def timed() -> tuple[Result, Timing]:
        sent = clock()
        result = await call(head)
        return result, Timing(len(head), sent, clock())

    head_result, first = await asyncio.ensure_future(timed())  # a task, as the others
    feed = _Slices(call, items[size:], even=tuning.page_size is None)
    replies = [(head, head_result)]
    engine = run(feed, first, tuning=tuning, ahead=0, keep_all=True, clock=clock, plan=plan)
    async with contextlib.aclosing(engine) as chunks:
        async for chunk, result in chunks:
            replies.append((chunk, result))
    return replies


class _Slices(Generic[Item, Result]):
    """The items after the first chunk, cut into consecutive chunks (a ``Feed``).

    ``even``: chunks of one size, none left small at the end (else fixed chunks,
    the last one maybe short).
    """

    def __init__(
        self, call: Callable[[list[Item]], Awaitable[Result]], items: list[Item], *, even: bool
    ) -> None:
        self.call = call
        self.items = items
        self.start = 0
        self.even = even

    def left(self) -> float | None:
        return float(len(self.items) - self.start)

    def cut(self, size: int, *, alone: bool = False) -> list[Item] | None:
        left = len(self.items) - self.start
        if left <= 0:
            return None
        if self.even:
            size = -(-left // -(-left // size))  # ceil(left / ceil(left / size))
        chunk = self.items[self.start : self.start + size]
        self.start += len(chunk)
        return chunk

    def send(self, unit: list[Item], size: int) -> Awaitable[Result]:
        return self.call(unit)

    def moved(self, unit: list[Item], result: Result) -> int:
        return len(unit)

    def rest(self, unit: list[Item], result: Result, size: int) -> list[Item] | None:
        return None
