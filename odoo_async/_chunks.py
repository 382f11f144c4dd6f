"""A long ``read()``: chunk size and requests in flight, decided from what the server shows.

The ids are known, so the chunks are exact; what adapts is how large they are
and how many go out at once, with the same pure decisions as the export engine
(``_adaptive.py``):

1. the first and the last ``first_page`` ids are read at the same moment; how
   the two replies come back tells a server that runs requests side by side
   from one that runs them one at a time (:func:`measure_server`);
2. the ids between are cut into chunks of :func:`page_size_for` (on a serial
   server as large as ``serial_page_size``: there a call only adds its fixed
   cost, and every row is kept anyway);
3. a serial server gets one chunk at a time; otherwise four go out, then one
   more while rows/s grows (:func:`start_concurrency`, :func:`next_in_flight`).

A failure cancels the chunks still in flight, waits for them to end, and is raised as is.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from ._adaptive import (
    ExportTuning,
    Timing,
    after_page,
    measure_alone,
    measure_server,
    page_size_for,
    start_concurrency,
)
from ._paging import chunked

__all__ = ["read_adaptively"]

Row = TypeVar("Row")


async def read_adaptively(
    read: Callable[[list[int]], Awaitable[list[Row]]],
    ids: list[int],
    *,
    tuning: ExportTuning | None = None,
    ready: Callable[[], Awaitable[Any]] | None = None,
    clock: Callable[[], float] = time.monotonic,
    plan: dict[str, Any] | None = None,
) -> list[list[Row]]:
    """The replies of reading ``ids`` in chunks, in the order of ``ids`` (see the module docstring).

    ``read`` reads one chunk; ``ready`` is awaited before the two chunks that
    time the server (the login). ``tuning.max_in_flight`` fixes the requests
    in flight (``1``: the last chunk waits for the first). ``plan``, when
    given, is filled with what was chosen (as ``SearchReadPager.plan``).
    """
    plan = {} if plan is None else plan
    tuning = tuning or ExportTuning()
    size = tuning.page_size or tuning.first_page
    if len(ids) <= size:
        return [await read(ids)]
    if ready is not None:
        await ready()

    async def timed(chunk: list[int]) -> tuple[list[Row], Timing]:
        sent = clock()
        rows = await read(chunk)
        return rows, Timing(len(chunk), sent, clock())

    head, rest = ids[:size], ids[size:]
    tail = rest[-size:]
    middle = rest[: len(rest) - len(tail)]
    alone = tuning.max_in_flight == 1
    tasks: set[asyncio.Task[Any]] = set()

    def start(coro: Awaitable[Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return task

    try:
        first = start(timed(head))
        last = None if alone else start(timed(tail))
        head_rows, head_time = await first
        if last is None:
            last = start(timed(tail))
        tail_rows, tail_time = await last
        if not middle:
            return [head_rows, tail_rows]
        if alone:
            shape = measure_alone(head_time, tuning)
        else:
            shape = measure_server(head_time, tail_time, tuning)
        chunk_size = page_size_for(
            shape.fixed,
            shape.per_row,
            tuning,
            rows_left=len(middle),
            serial=shape.serial,
            keep_all=True,
        )
        chunks = chunked(middle, chunk_size)
        state = start_concurrency(shape, chunk_size, tuning.in_flight_cap, tuning)
        plan.update(serial=shape.serial, chunk_size=chunk_size, levels=[state.in_flight])
        replies: list[list[Row]] = [[] for _ in chunks]
        running: set[asyncio.Task[tuple[int, int, list[Row], Timing]]] = set()
        issued = 0

        async def one(index: int, level: int) -> tuple[int, int, list[Row], Timing]:
            rows, timing = await timed(chunks[index])
            return index, level, rows, timing

        while issued < len(chunks) or running:
            while issued < len(chunks) and len(running) < state.in_flight:
                running.add(start(one(issued, state.in_flight)))
                issued += 1
            done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                index, level, rows, timing = task.result()
                replies[index] = rows
                if level == state.current.in_flight:
                    state = after_page(state, timing, tuning.in_flight_cap, tuning)
                    plan["levels"].append(state.in_flight)
        return [head_rows, *replies, tail_rows]
    finally:
        leftover = list(tasks)
        for task in leftover:
            task.cancel()
        if leftover:  # no request of this read goes on after it returned or raised
            await asyncio.gather(*leftover, return_exceptions=True)
