"""Running a few awaitables concurrently, failing like a plain ``await``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import TypeVar

__all__ = ["gather_or_cancel"]

T = TypeVar("T")


async def gather_or_cancel(awaitables: Iterable[Awaitable[T]]) -> list[T]:
    """The results, in order; the first failure cancels the others and is raised as is.

    Unlike ``asyncio.gather`` the siblings of a failure do not go on sending
    requests, and unlike a task group the error is not wrapped in an
    ``ExceptionGroup``, so ``except AccessError`` still works for the caller.
    """
    tasks = [asyncio.ensure_future(a) for a in awaitables]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        raise
