"""``ReadBatcher``: many concurrent single-record reads merged into few ``read`` RPCs.

A DataLoader for Odoo: every :meth:`ReadBatcher.load` made in the same moment
(one event-loop tick, or ``window`` seconds) is collected, the ids are
de-duplicated and read in chunks of at most ``batch_size``, the chunks sent
concurrently. Each caller gets its own row (callers of the same id get
copies, so that one caller's change does not show in another's), or its own
:class:`MissingError` when Odoo returned nothing for its id (``read``
silently drops missing ids).
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Generic, TypeVar

from odoo_async._check import check_int, check_number
from odoo_async._config import BATCH_SIZE, BATCH_WINDOW
from odoo_async._errors import MissingError

__all__ = ["ReadBatcher", "RowError", "row_id"]

Row = TypeVar("Row")


class RowError:
    """What ``read_ids`` returns in place of a row that it could not turn into one
    (a Record that does not decode): only that id's callers get ``error``."""

    __slots__ = ("error", "id")

    def __init__(self, record_id: int, error: BaseException) -> None:
        self.id = record_id
        self.error = error


def row_id(row: Any) -> int:
    """The ``id`` of a row: a dict's ``["id"]`` or a Record's ``.id``."""
    if isinstance(row, dict):
        return int(row["id"])
    return int(row.id)


class ReadBatcher(Generic[Row]):
    r"""Collects ids and reads them in batches with ``read_ids``.

    ``read_ids(ids)`` performs one ``read`` RPC and returns the rows Odoo
    sent (any order, missing ids absent, a :class:`RowError` for a row that
    could not be decoded). It is usable on its own, for
    example by a command-line sync job::

        batcher = ReadBatcher(lambda ids: partners.read_chunk(ids, ["name"]), model="res.partner")
        rows = await asyncio.gather(*(batcher.load(i) for i in ids))

    ``on_idle()`` is called each time the batcher has nothing left to do (a
    cache of batchers uses it to let idle ones go).

    While a read is on its way, the ids asked for meanwhile wait for it and go
    together in the next read, when it is back, instead of a read each moment:
    under load (many tasks, or many threads of a blocking client, asking while
    reads are slow) the reads stay few and large, one after the other. An id
    asked for when no read is on its way goes at once. ``ready()`` (the client's
    login) is awaited before the first batch is cut: every id asked for while
    the login is under way joins that first read, so a burst of ``get()``\ s
    at a client's start is one login and one read (until ``ready()`` has once
    succeeded; a failed one fails the ids waiting, and the next batch tries again).

    ``slot()`` (the client's :meth:`~odoo_async.AsyncOdoo.reserve_slot`) is
    entered before a batch is cut: when the client's ``max_concurrency`` slots
    are all taken, the read waits for one, and every id asked for meanwhile
    is in it (up to ``batch_size``, oldest first; the rest go in the next
    read, which waits for the next slot). The read then uses that slot.
    """

    def __init__(
        self,
        read_ids: Callable[[list[int]], Awaitable[Sequence[Row | RowError]]],
        *,
        model: str,
        batch_size: int = BATCH_SIZE,
        window: float = BATCH_WINDOW,
        on_idle: Callable[[], object] | None = None,
        ready: Callable[[], Awaitable[object]] | None = None,
        slot: Callable[[], AbstractAsyncContextManager[object]] | None = None,
    ) -> None:
        check_int("batch_size", batch_size, minimum=1)
        check_number("window", window, accepted="seconds (a number >= 0)")
        self._read_ids = read_ids
        self.model = model
        self.batch_size = batch_size
        self.window = window
        self._pending: dict[int, list[asyncio.Future[Row]]] = {}
        self._scheduled = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._on_idle = on_idle
        self._ready = ready
        self._was_ready = ready is None
        self._reading = 0  # reads on their way
        self._waiting_for_read = False  # a batch is held until the read in flight is back
        self._slot = slot
        self._cutting = 0  # reads waiting for a slot, their ids not taken yet
        #: RPCs sent so far, for observability and tests.
        self.batches = 0

    async def load(self, record_id: int) -> Row:
        """The row of ``record_id``, read together with the other ids of this moment."""
        check_int("record_id", record_id, where=self.model)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Row] = loop.create_future()
        self._pending.setdefault(record_id, []).append(future)
        if not self._scheduled:
            self._scheduled = True
            if self.window:
                loop.call_later(self.window, self._flush)
            else:
                loop.call_soon(self._flush)
        return await future

    def _flush(self) -> None:
        if not self._was_ready:
            task = asyncio.get_running_loop().create_task(self._flush_when_ready())
            self._tasks.add(task)
            task.add_done_callback(self._done)
            return
        if self._reading:  # the ids join the next read, cut when this one is back
            self._waiting_for_read = True
            return
        self._start_cut()

    def _start_cut(self) -> None:
        """A read that waits for its slot, then takes the ids waiting by then."""
        task = asyncio.get_running_loop().create_task(self._cut_and_read())
        self._reading += 1
        self._cutting += 1
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _cut(self) -> dict[int, list[asyncio.Future[Row]]]:
        """Up to ``batch_size`` ids still wanted, oldest first, taken out of the pending ones.

        What is left goes in the next read: another one waiting for a slot
        takes it, or one is started.
        """
        self._cutting -= 1
        pending = self._pending
        waiting: dict[int, list[asyncio.Future[Row]]] = {}
        for record_id in list(pending):
            if len(waiting) == self.batch_size:
                break
            futures = pending.pop(record_id)
            if not all(f.done() for f in futures):  # every caller of it gave up
                waiting[record_id] = futures
        if not pending:
            self._scheduled = False
        elif not self._cutting:
            self._start_cut()
        return waiting

    async def _cut_and_read(self) -> None:
        try:
            if self._slot is None:
                await self._read_and_answer(self._cut())
            else:
                try:
                    slot = self._slot()
                    await slot.__aenter__()
                except BaseException as exc:  # no slot: the ids this read would take fail
                    _fail(self._cut(), exc)
                    if not isinstance(exc, Exception):
                        raise
                    return
                try:
                    await self._read_and_answer(self._cut())
                except BaseException as exc:
                    if not await slot.__aexit__(type(exc), exc, exc.__traceback__):
                        raise
                else:
                    await slot.__aexit__(None, None, None)
        finally:
            self._reading -= 1
            if not self._reading and self._waiting_for_read:
                self._waiting_for_read = False
                self._flush()
            # Said before the callers resume, so that a cache sees it idle at once.
            self._tasks.discard(asyncio.current_task())
            if self._on_idle is not None and self.idle:
                self._on_idle()

    async def _flush_when_ready(self) -> None:
        """Wait for ``ready()``, ids still joining the batch, then cut it."""
        assert self._ready is not None
        try:
            await self._ready()
        except BaseException as exc:
            self._scheduled = False
            pending, self._pending = self._pending, {}
            _fail(pending, exc)
            if not isinstance(exc, Exception):
                raise
            return
        self._was_ready = True
        self._flush()

    @property
    def pending(self) -> int:
        """Ids asked for and not yet taken into a read."""
        return len(self._pending)

    @property
    def idle(self) -> bool:
        """Nothing waiting, nothing scheduled, nothing being read."""
        return not self._pending and not self._scheduled and not self._tasks

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if self._on_idle is not None and self.idle:
            self._on_idle()

    async def _read_and_answer(self, waiting: dict[int, list[asyncio.Future[Row]]]) -> None:
        chunk = list(waiting)
        if all(f.done() for futures in waiting.values() for f in futures):
            return  # every caller gave up: nothing to read
        self.batches += 1
        try:
            rows = await self._read_ids(chunk)
        except BaseException as exc:
            _fail(waiting, exc)
            if not isinstance(exc, Exception):
                raise
            return
        found: dict[int, Row | RowError] = {row_id(row): row for row in rows}
        for record_id, futures in waiting.items():
            row = found.get(record_id)
            shared = False
            for future in futures:
                if future.done():
                    continue
                if isinstance(row, RowError):
                    future.set_exception(row.error)
                elif row is None:
                    future.set_exception(
                        MissingError(
                            "Record does not exist or has been deleted: "
                            f"{self.model}({record_id},)",
                            name="odoo.exceptions.MissingError",
                            model=self.model,
                            method="read",
                        )
                    )
                else:
                    future.set_result(copy.deepcopy(row) if shared else row)
                    shared = True


def _fail(waiting: dict[int, list[asyncio.Future[Any]]], exc: BaseException) -> None:
    """Every caller still waiting gets ``exc`` (a cancellation cancels them)."""
    for futures in waiting.values():
        for future in futures:
            if not future.done():
                if isinstance(exc, asyncio.CancelledError):
                    future.cancel()
                else:
                    future.set_exception(exc)
