"""``SearchReadPager``: ``search_read`` fetched page by page.

The pager is what ``model.search_read(...)`` returns. It is

- awaitable: ``rows = await pager`` reads every page (every row is kept, so
  pages may grow up to 50,000 rows where one request at a time pays);
- a coroutine: ``asyncio.create_task(pager)``, ``asyncio.wait_for(pager, 5)``
  and ``TaskGroup.create_task(pager)`` work as they do with a coroutine;
- async-iterable: ``async for row in pager`` streams rows, keeping at most
  ``prefetch`` pages fetched ahead; ``async for page in pager.pages()`` yields
  the pages as lists.

How it fetches (the engine is ``_engine.py``, its decisions ``_adaptive.py``):

- in ``id`` order (the default order), **id windows**: after the login, the
  first ``first_page`` rows alone (and the highest id, one row, beside them).
  The page gives the cost of a row, hence the page size (500..10,000 rows, so
  that the fixed cost of a call is ~3 % of a page); the ids after it are cut
  into windows ``low < id <= high`` holding about a page each. One window goes
  out alone, then two together, then four...: each level is kept only if its
  rows/s beat the level below by 15 %, else the engine goes back and stays. On
  a server where one at a time pays (a threaded Odoo), the windows then grow as
  large as allowed (50,000 rows when awaited). Windows are disjoint, so every
  row comes once and in order, and rows changed during the walk shift nothing;
- in any other order, **offset pages** sorted by the caller's order plus ``id``
  so that each row appears once, through the same engine: the first page alone
  (with a ``search_count`` beside it when the page size adapts: what is left
  sizes the pages), then ``(offset, limit)`` pages following each other, as
  large and as many at once as the engine decides; the first short page is the
  end. Rows inserted or deleted during the walk can shift the pages (a row may
  be skipped or seen twice);
- ``keyset=True``: pages by ``id > last id``, one after another: exact while
  the table changes, never more than one request in flight.

``page_size`` fixes the page size (else it adapts), ``max_in_flight`` the
requests in flight (else they adapt, within the client's ``max_concurrency``),
for id windows and offset pages alike;
``prefetch`` bounds the pages held ahead of a stream (memory stays bounded:
at most ``max_in_flight + prefetch`` pages).
"""

from __future__ import annotations

import asyncio
import collections.abc
import contextlib
import math
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Generator
from typing import Any, Generic, TypeVar

from odoo_async._check import (
    check_bool,
    check_callable,
    check_int,
    check_limit,
    check_offset,
    check_str,
)
from odoo_async._config import PREFETCH

from ._adaptive import ExportTuning, Timing, Window, id_windows
from ._domain import as_single_term
from ._engine import run
from ._order import is_id_order, stable_order

__all__ = ["SearchReadPager"]


Row = TypeVar("Row")

#: fetch(domain, offset, limit, order) -> rows
FetchPage = Callable[[list[Any], int, int, str], Awaitable[list[Row]]]
Count = Callable[[list[Any]], Awaitable[int]]


class SearchReadPager(collections.abc.Coroutine[Any, Any, list[Row]], Generic[Row]):
    """All rows of a ``search_read``, fetched in pages (see the module docstring).

    :meth:`AsyncModel.search_read` makes one; nothing is sent until it is
    awaited (:meth:`all`) or iterated (``async for row in pager``,
    :meth:`pages`). Each walk starts anew, and :attr:`plan` then tells how it
    fetched (the strategy, the page size, the requests in flight). The
    arguments are checked at once.

    **Parameters:**

    * **fetch** - An async function ``(domain, offset, limit, order)`` returning
      one page of rows: one ``search_read`` call.
    * **count** - An async function ``(domain)`` returning how many rows match:
      a ``search_count``, sent beside the first page of an offset walk whose
      page size adapts (an estimate of the rows left; the end is a short page).
    * **domain** - The domain, already in Odoo's JSON form (as
      :func:`normalize_domain` gives it).
    * **offset** - *(optional)* Matching rows to skip first, an int ``>= 0``.
      Default 0.
    * **limit** - *(optional)* The most rows, an int ``>= 0``, or ``None`` (the
      default) for all; ``0`` means no limit, as in Odoo.
    * **order** - *(optional)* Odoo's sort specification, or ``None`` (the
      default) for ``id``; ``id`` is added as the last key unless the order
      sorts by id already. ``id`` (ascending) is walked by id windows, any
      other order by offset pages.
    * **page_size** - *(optional)* Rows per request, an int ``>= 1``, or
      ``None`` (the default): id windows and offset pages then adapt (500 to
      10,000 rows, 50,000 when awaited; the first page 1,000), keyset pages
      take 1,000.
    * **keyset** - *(optional)* ``True`` pages by ``id > last id``, one request
      at a time: exact while the table changes. Needs ``id`` order (else
      :class:`ValueError`). Default ``False``.
    * **prefetch** - *(optional)* Pages fetched ahead of a consumer that
      iterates, an int ``>= 0``. Default 2. An awaited walk does not use it.
    * **max_in_flight** - *(optional)* Requests in flight in an id-window or
      offset walk, an int ``>= 1`` (more than 8 counts as 8), or ``None`` (the
      default) to adapt: one, then two, four, eight while each level's rows per
      second beat the level below's by 15 %. With 1, the one-row call for the
      highest id waits for the first page (an offset walk sends no
      ``search_count``). Keyset walks do not use it; the client's
      ``max_concurrency`` bounds them all.
    * **row_id** - A function giving a row's id (a dict's ``["id"]``, a
      Record's ``.id``).
    * **ready** - *(optional)* An async function of no arguments awaited before
      the first page, that times the server (the login), or ``None`` (the
      default).
    * **clock** - *(optional)* Seconds of a monotonic clock, that times the
      replies. Default ``time.monotonic``; tests replace it.
    """

    def __init__(
        self,
        fetch: FetchPage[Row],
        count: Count,
        domain: list[Any],
        *,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        page_size: int | None = None,
        keyset: bool = False,
        prefetch: int = PREFETCH,
        max_in_flight: int | None = None,
        row_id: Callable[[Row], int],
        ready: Callable[[], Awaitable[Any]] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        check_callable("fetch", fetch, "an async function (domain, offset, limit, order)")
        check_callable("count", count, "an async function (domain)")
        check_int("page_size", page_size, minimum=1, none=True)
        check_int("max_in_flight", max_in_flight, minimum=1, none=True)
        check_offset(offset)
        if check_limit(limit) == 0:
            limit = None  # as in Odoo: limit=0 means no limit
        check_str("order", order, accepted="an order such as 'name desc' or None", none=True)
        check_bool("keyset", keyset)
        check_int("prefetch", prefetch, minimum=0)
        check_callable("row_id", row_id, "a function giving a row's id")
        if ready is not None:
            check_callable("ready", ready, "an async function of no arguments (the login)")
        if keyset and not is_id_order(order):
            raise ValueError(
                f"keyset pagination walks by id; it cannot follow order={order!r} "
                "(drop the order, or use offset pagination)"
            )
        self._fetch = fetch
        self._count = count
        self.domain = domain
        self.offset = offset
        self.limit = limit
        self.order = stable_order(order)
        self.page_size = page_size
        self.max_in_flight = max_in_flight
        self.tuning = ExportTuning(page_size=page_size, max_in_flight=max_in_flight)
        self._clock = clock
        #: How the last walk fetched: strategy, page size, requests in flight.
        self.plan: dict[str, Any] = {}
        self.keyset = keyset
        self.prefetch = prefetch
        self._row_id = row_id
        self._ready = ready
        self._coro: collections.abc.Coroutine[Any, Any, list[Row]] | None = None

    def __repr__(self) -> str:
        return (
            f"<SearchReadPager domain={self.domain!r} order={self.order!r} "
            f"page_size={self.page_size} limit={self.limit} keyset={self.keyset}>"
        )

    # -- awaiting: every row ----------------------------------------------------

    async def all(self) -> list[Row]:
        """Every row (what ``await pager`` returns).

        Every row is kept anyway, so on a server that serves one request at a
        time the pages grow up to 50,000 rows (id windows and offset pages alike).
        """
        rows: list[Row] = []
        walk = self._pages(ahead=self.tuning.in_flight_cap * 4, keep_all=True)
        async with contextlib.aclosing(walk) as pages:
            async for page in pages:
                rows.extend(page)
        return rows

    def _coroutine(self) -> collections.abc.Coroutine[Any, Any, list[Row]]:
        if self._coro is None:
            self._coro = self.all()
        return self._coro

    def __await__(self) -> Generator[Any, None, list[Row]]:
        # A fresh walk each time: a pager can be awaited again to read anew.
        return self.all().__await__()

    def send(self, value: Any) -> Any:
        return self._coroutine().send(value)

    def throw(self, *args: Any) -> Any:
        return self._coroutine().throw(*args)

    def close(self) -> None:
        if self._coro is not None:
            self._coro.close()

    # -- streaming --------------------------------------------------------------

    def __aiter__(self) -> AsyncIterator[Row]:
        return self._rows()

    async def _rows(self) -> AsyncIterator[Row]:
        async with contextlib.aclosing(self.pages()) as pages:
            async for page in pages:
                for row in page:
                    yield row

    async def pages(self) -> AsyncGenerator[list[Row], None]:
        """The pages, in order, as lists of rows; at most ``prefetch`` fetched ahead.

        An empty page is never yielded.
        """
        # each layer closes the one below as it is closed: a walk left early (a
        # ``break``) cancels its requests then, not when the garbage is collected
        async with contextlib.aclosing(self._pages(ahead=self.prefetch)) as pages:
            async for page in pages:
                yield page

    async def _pages(
        self, *, ahead: int, keep_all: bool = False
    ) -> AsyncGenerator[list[Row], None]:
        if self.keyset:
            self.plan = {"strategy": "keyset"}
            pages = self._keyset_pages()
        elif is_id_order(self.order):
            self.plan = {"strategy": "id windows"}
            pages = self._window_pages(ahead, keep_all=keep_all)
        else:
            self.plan = {"strategy": "offset"}
            pages = self._offset_pages(ahead, keep_all=keep_all)
        async with contextlib.aclosing(pages):
            async for page in pages:
                yield page

    async def _offset_pages(
        self, ahead: int, *, keep_all: bool = False
    ) -> AsyncGenerator[list[Row], None]:
        """Offset pages fetched by the engine, in the caller's order (see the module docstring).

        The first page goes out alone and measures a row; beside it, when the page
        size adapts and more than one request may be in flight, a ``search_count``
        tells the engine about how many rows are left (to size the pages so that
        there are levels to measure). The walk ends at the first short page.
        """
        tuning = self.tuning
        first_size = tuning.page_size or tuning.first_page
        if self.limit is not None:
            first_size = min(first_size, self.limit)
        if self._ready is not None:
            await self._ready()  # the login, before the page that measures a row
        first = self._timed(self.domain, self.offset, first_size, self.order)
        count_task: asyncio.Future[int] | None = None
        more = self.limit is None or self.limit > first_size
        if more and tuning.page_size is None and tuning.max_in_flight != 1:
            count_task = asyncio.ensure_future(self._count(self.domain))
        try:
            got = await first
            page = got.rows
            if len(page) < first_size or not more:
                if page:
                    yield page
                return
            yield page
            total = None if count_task is None else await count_task
            offsets = _Offsets(
                self,
                start=self.offset + len(page),
                end=None if self.limit is None else self.offset + self.limit,
                total=total,
            )
            engine = self._engine(offsets, got, ahead=ahead, keep_all=keep_all)
            async with contextlib.aclosing(engine) as units:
                async for (_offset, limit), rows in units:
                    if rows:
                        yield rows
                    if len(rows) < limit:
                        return  # a short page is the last one
        finally:
            _drop(first, count_task)

    async def _keyset_pages(self) -> AsyncGenerator[list[Row], None]:
        last_id: int | None = None
        remaining = self.limit
        offset = self.offset
        page_size = self.page_size or self.tuning.first_page
        while remaining is None or remaining > 0:
            size = page_size if remaining is None else min(page_size, remaining)
            domain = (
                self.domain
                if last_id is None
                else ["&", ["id", ">", last_id], *as_single_term(self.domain)]
            )
            page = await self._fetch(domain, offset, size, "id")
            offset = 0
            if not page:
                return
            yield page
            if remaining is not None:
                remaining -= len(page)
            if len(page) < size:
                return
            last_id = self._row_id(page[-1])

    # -- id windows -------------------------------------------------------------

    def _engine(
        self, feed: Any, first: _Timed[Row], *, ahead: int, keep_all: bool
    ) -> AsyncGenerator[tuple[Any, list[Row]], None]:
        """The engine's walk over ``feed``, after ``first`` (the page sent alone)."""
        return run(
            feed,
            Timing(len(first.rows), first.sent, first.received),
            tuning=self.tuning,
            ahead=ahead,
            keep_all=keep_all,
            clock=self._clock,
            plan=self.plan,
        )

    def _timed(
        self, domain: list[Any], offset: int, limit: int, order: str
    ) -> asyncio.Task[_Timed[Row]]:
        async def run() -> _Timed[Row]:
            sent = self._clock()
            rows = await self._fetch(domain, offset, limit, order)
            return _Timed(rows, sent, self._clock())

        return asyncio.ensure_future(run())

    def _in_window(self, window: Window) -> list[Any]:
        terms: list[Any] = [["id", ">", window.low]]
        if window.high is not None:
            terms.append(["id", "<=", window.high])
        rest = as_single_term(self.domain) if self.domain else []  # one term, in prefix form
        return ["&"] * (len(terms) - 1 + bool(rest)) + terms + rest

    async def _window_pages(
        self, ahead: int, *, keep_all: bool = False
    ) -> AsyncGenerator[list[Row], None]:
        """Id windows fetched by the engine, yielded in id order (see the module docstring).

        ``keep_all``: the caller keeps every row (``await pager``), so once one
        request at a time is what pays, pages need not stay small.
        """
        tuning = self.tuning
        remaining = self.limit
        first_size = tuning.page_size or tuning.first_page
        if remaining is not None:
            first_size = min(first_size, remaining)
        if self._ready is not None:
            await self._ready()  # the login, before the page that measures a row
        # The first page, alone, and the highest id (one row, id desc) beside it: a
        # one-row call costs the server next to nothing. The page measures a row; the
        # highest id bounds the windows. With one request in flight allowed, it waits.
        alone = tuning.max_in_flight == 1
        first = self._timed(self.domain, self.offset, first_size, "id")
        top_task: asyncio.Task[_Timed[Row]] | None = None
        if not alone and (remaining is None or remaining > first_size):
            top_task = self._timed(self.domain, 0, 1, "id desc")
        try:
            got = await first
            page = got.rows
            if remaining is not None:
                remaining -= len(page)
            if len(page) < first_size or remaining == 0:
                if page:
                    yield page
                return
            if top_task is None:
                top_task = self._timed(self.domain, 0, 1, "id desc")
            yield page
            end = await top_task
            if not end.rows or self._row_id(end.rows[0]) <= self._row_id(page[-1]):
                return  # nothing after the first page (the rows went while the walk started)
            windows = _Windows(
                self,
                low=self._row_id(page[0]),
                last=self._row_id(page[-1]),
                top=self._row_id(end.rows[0]),
                seen=len(page),
                fill=tuning.window_fill,
            )
            engine = self._engine(windows, got, ahead=ahead, keep_all=keep_all)
            async with contextlib.aclosing(engine) as units:
                async for _window, rows in units:
                    if remaining is not None:
                        rows = rows[:remaining]
                        remaining -= len(rows)
                    if rows:
                        yield rows
                    if remaining == 0:
                        return
        finally:
            _drop(first, top_task)


def _drop(*tasks: asyncio.Future[Any] | None) -> None:
    """Tasks the walk no longer needs: cancelled, and a failure they ended with (the
    server went away under several at once) taken, so that asyncio does not log it
    as never retrieved; the walk has raised its own."""
    for task in tasks:
        if task is None:
            continue
        if task.done():
            if not task.cancelled():
                task.exception()
        else:
            task.cancel()
            task.add_done_callback(_retrieved)


def _retrieved(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()


class _Windows(Generic[Row]):
    """The id axis after the first page, cut into windows for the engine (a ``Feed``).

    Windows ``low < id <= high`` cover ``last < id <= top``, the last one closed at
    ``top``; their width follows the density of ids seen so far. Once one request
    at a time is what pays, the rest is one window up to ``top``, asked a page
    at a time (each full page's rest next): as few calls as the page size allows.
    """

    def __init__(
        self, pager: SearchReadPager[Row], *, low: int, last: int, top: int, seen: int, fill: float
    ) -> None:
        self.pager = pager
        self.cursor: int | None = last
        self.top = top
        self.seen_rows, self.seen_span = seen, max(1, last - low + 1)
        self.fill = fill

    def left(self) -> float | None:
        if self.cursor is None:
            return 0.0
        return (self.top - self.cursor) * self.seen_rows / self.seen_span

    def cut(self, size: int, *, alone: bool = False) -> Window | None:
        if self.cursor is None:
            return None
        if alone:
            # One at a time: no window is guessed from the density seen so far (ids
            # thin out where records were deleted). Everything up to ``top`` is asked,
            # ``size`` rows a call; a full page has its rest sent next (``rest``).
            window, self.cursor = Window(self.cursor, self.top), None
            return window
        density = self.seen_rows / self.seen_span
        left = (self.top - self.cursor) * density
        # windows of one size, as many as pages of ``fill`` take: none left small at
        # the end, running alone while the other workers wait
        full = size * self.fill
        rows = max(1, math.ceil(min(full, left / max(1, math.ceil(left / full)))))
        high = id_windows(self.cursor, self.top, density, rows)[0].high
        if high is None or (self.top - high) * density < rows / 4:
            high = self.top  # what is left would be a small window, alone at the end
        window = Window(self.cursor, high)
        self.cursor = high if high < self.top else None
        return window

    def send(self, unit: Window, size: int) -> Awaitable[list[Row]]:
        return self.pager._fetch(self.pager._in_window(unit), 0, size, "id")

    def moved(self, unit: Window, result: list[Row]) -> int:
        return len(result)

    def rest(self, unit: Window, result: list[Row], size: int) -> Window | None:
        assert unit.high is not None
        self.seen_rows += len(result)
        self.seen_span += unit.high - unit.low
        last = self.pager._row_id(result[-1]) if result else unit.high
        if len(result) >= size and last != unit.high:
            return Window(last, unit.high)  # a dense window: its rest comes next
        return None


class _Offsets(Generic[Row]):
    """The rows after the first page, in the caller's order, cut into ``(offset, limit)``
    pages for the engine (a ``Feed``).

    Pages follow each other whatever size the engine asks of each: the next one
    starts where the last one cut ends. ``end``: the offset the caller's limit
    stops at; ``total``: what ``search_count`` said, an estimate (rows may come
    and go during the walk). A page that comes back short marks the end: no
    page is cut after it.
    """

    def __init__(
        self, pager: SearchReadPager[Row], *, start: int, end: int | None, total: int | None
    ) -> None:
        self.pager = pager
        self.cursor = start
        self.end = end
        self.total = total

    def left(self) -> float | None:
        known = [] if self.end is None else [self.end - self.cursor]
        if self.total is not None:
            known.append(self.total - self.cursor)
        return float(max(0, min(known))) if known else None

    def cut(self, size: int, *, alone: bool = False) -> tuple[int, int] | None:
        if self.end is not None and self.cursor >= self.end:
            return None
        if self.total is not None:
            # pages of one size, the last one asking one row more than counted: it
            # comes back short, and no call is spent to learn that the walk is over
            left = self.total + 1 - self.cursor
            if left > 0:
                size = -(-left // -(-left // size))  # ceil(left / ceil(left / size))
        if self.end is not None:
            size = min(size, self.end - self.cursor)
        page = (self.cursor, size)
        self.cursor += size
        return page

    async def send(self, unit: tuple[int, int], size: int) -> list[Row]:
        offset, limit = unit
        pager = self.pager
        rows = await pager._fetch(pager.domain, offset, limit, pager.order)
        if len(rows) < limit:  # the end: nothing after it is cut
            last = offset + len(rows)
            self.end = last if self.end is None else min(self.end, last)
        return rows

    def moved(self, unit: tuple[int, int], result: list[Row]) -> int:
        return len(result)

    def rest(self, unit: tuple[int, int], result: list[Row], size: int) -> None:
        return None  # a plain offset/limit search_read returns fewer rows only at the end


class _Timed(Generic[Row]):
    """A page and when its request was sent and answered (on the pager's clock)."""

    __slots__ = ("received", "rows", "sent")

    def __init__(self, rows: list[Row], sent: float, received: float) -> None:
        self.rows = rows
        self.sent = sent
        self.received = received

    @property
    def seconds(self) -> float:
        return self.received - self.sent
