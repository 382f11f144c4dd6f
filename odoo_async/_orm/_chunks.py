"""Long ``read()``s and ``create()``s: chunks and requests in flight, fitted to the server.

The items (ids to read, records to create) are known, so the chunks are exact;
what adapts is how large they are (unless fixed: a ``create`` keeps chunks of
``batch_size``) and how many go out at once, with the same pure decisions as
the export engine (``_adaptive.py``):

1. the first and the last chunk (``first_page`` items) go out at the same moment; how
   the two replies come back tells a server that runs requests side by side
   from one that runs them one at a time (:func:`measure_server`);
2. the items between are cut into chunks of :func:`page_size_for` (on a serial
   server as large as ``serial_page_size``: there a call only adds its fixed
   cost, and every row is kept anyway);
3. a serial server gets one chunk at a time; otherwise four go out, then one
   more while rows/s grows (:func:`start_concurrency`, :func:`next_in_flight`).

A failure cancels the chunks still in flight, waits for them to end, and is raised as is.
"""

from __future__ import annotations

import asyncio
import math
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
from ._order import chunked

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
    ``create``, returns its errors instead). ``ready`` is awaited before the two
    chunks that time the server (the login). ``tuning.page_size`` fixes the
    chunks, ``tuning.max_in_flight`` the requests in flight (``1``: the last
    chunk waits for the first). ``plan``, when given, is filled with what was
    chosen (as ``SearchReadPager.plan``).
    """
    plan = {} if plan is None else plan
    tuning = tuning or ExportTuning()
    size = tuning.page_size or tuning.first_page
    if len(items) <= size:
        return [(items, await call(items))]
    if ready is not None:
        await ready()

    async def timed(chunk: list[Item]) -> tuple[Result, Timing]:
        sent = clock()
        result = await call(chunk)
        return result, Timing(len(chunk), sent, clock())

    head, rest = items[:size], items[size:]
    # fixed chunks are consecutive slices from the start, the last one maybe short;
    # else the last chunk is as long as the first, so the two time alike
    tail = rest[-size:] if tuning.page_size is None else rest[(len(rest) - 1) // size * size :]
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
        head_result, head_time = await first
        if last is None:
            last = start(timed(tail))
        tail_result, tail_time = await last
        if not middle:
            return [(head, head_result), (tail, tail_result)]
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
        if tuning.page_size is None:  # chunks of one size: none left small at the end
            chunk_size = math.ceil(len(middle) / math.ceil(len(middle) / chunk_size))
        chunks = chunked(middle, chunk_size)
        state = start_concurrency(shape, chunk_size, tuning.in_flight_cap, tuning)
        plan.update(serial=shape.serial, chunk_size=chunk_size, levels=[state.in_flight])
        replies: dict[int, Result] = {}
        running: set[asyncio.Task[tuple[int, int, Result, Timing]]] = set()
        issued = 0

        async def one(index: int, level: int) -> tuple[int, int, Result, Timing]:
            result, timing = await timed(chunks[index])
            return index, level, result, timing

        while issued < len(chunks) or running:
            while issued < len(chunks) and len(running) < state.in_flight:
                running.add(start(one(issued, state.in_flight)))
                issued += 1
            done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                index, level, result, timing = task.result()
                replies[index] = result
                if level == state.current.in_flight:
                    state = after_page(state, timing, tuning.in_flight_cap, tuning)
                    plan["levels"].append(state.in_flight)
        done_chunks = [(chunk, replies[index]) for index, chunk in enumerate(chunks)]
        return [(head, head_result), *done_chunks, (tail, tail_result)]
    finally:
        leftover = list(tasks)
        for task in leftover:
            task.cancel()
        if leftover:  # no request goes on after this returned or raised
            await asyncio.gather(*leftover, return_exceptions=True)
