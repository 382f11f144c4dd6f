"""``SearchReadPager``: ``search_read`` fetched page by page.

The pager is what ``model.search_read(...)`` returns. It is

- awaitable: ``rows = await pager`` reads every page. It asks for the first
  page and the total (``search_count``) at once, then fetches the remaining
  pages concurrently (the client's ``max_concurrency`` bounds them);
- a coroutine: ``asyncio.create_task(pager)``, ``asyncio.wait_for(pager, 5)``
  and ``TaskGroup.create_task(pager)`` work as they do with a coroutine;
- async-iterable: ``async for row in pager`` streams rows, keeping at most
  ``prefetch`` pages fetched ahead; ``async for page in pager.pages()`` yields
  the pages as lists.

Offset pagination (the default) sorts by the caller's order plus ``id`` so
that each row appears once; rows inserted or deleted during the walk can
shift the pages (a row may be skipped or seen twice). ``keyset=True`` pages
with ``id > last id`` instead, in ``id`` order: it stays exact while the
table changes, at the price of fetching pages one after another.
"""

from __future__ import annotations

import asyncio
import collections.abc
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from typing import Any, Generic, TypeVar

from ._check import check_bool, check_callable, check_int, check_limit, check_offset, check_str
from ._domain import as_single_term
from ._gather import gather_or_cancel
from ._paging import is_id_order, plan_pages, stable_order

__all__ = ["SearchReadPager"]

Row = TypeVar("Row")

#: fetch(domain, offset, limit, order) -> rows
FetchPage = Callable[[list[Any], int, int, str], Awaitable[list[Row]]]
Count = Callable[[list[Any]], Awaitable[int]]


class SearchReadPager(collections.abc.Coroutine[Any, Any, list[Row]], Generic[Row]):
    """All rows of a ``search_read``, fetched in pages (see the module docstring)."""

    def __init__(
        self,
        fetch: FetchPage[Row],
        count: Count,
        domain: list[Any],
        *,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        page_size: int = 500,
        keyset: bool = False,
        prefetch: int = 2,
        row_id: Callable[[Row], int],
    ) -> None:
        check_callable("fetch", fetch, "an async function (domain, offset, limit, order)")
        check_callable("count", count, "an async function (domain)")
        check_int("page_size", page_size, minimum=1)
        check_offset(offset)
        if check_limit(limit) == 0:
            limit = None  # as in Odoo: limit=0 means no limit
        check_str("order", order, accepted="an order such as 'name desc' or None", none=True)
        check_bool("keyset", keyset)
        check_int("prefetch", prefetch, minimum=0)
        check_callable("row_id", row_id, "a function giving a row's id")
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
        self.keyset = keyset
        self.prefetch = prefetch
        self._row_id = row_id
        self._coro: collections.abc.Coroutine[Any, Any, list[Row]] | None = None

    def __repr__(self) -> str:
        return (
            f"<SearchReadPager domain={self.domain!r} order={self.order!r} "
            f"page_size={self.page_size} limit={self.limit} keyset={self.keyset}>"
        )

    # -- awaiting: every row ----------------------------------------------------

    async def all(self) -> list[Row]:
        """Every row (what ``await pager`` returns)."""
        if self.keyset:
            return [row async for row in self]
        first_limit = self.page_size if self.limit is None else min(self.page_size, self.limit)
        first_task = asyncio.ensure_future(
            self._fetch(self.domain, self.offset, first_limit, self.order)
        )
        try:
            if self.limit is not None and self.limit <= self.page_size:
                return await first_task
            total = await self._count(self.domain)
            first = await first_task
        except BaseException:
            first_task.cancel()
            raise
        if len(first) < first_limit:
            return first
        rest = plan_pages(total, offset=self.offset, limit=self.limit, page_size=self.page_size)[1:]
        pages = await gather_or_cancel(
            self._fetch(self.domain, off, lim, self.order) for off, lim in rest
        )
        rows = first
        for page in pages:
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
        async for page in self.pages():
            for row in page:
                yield row

    async def pages(self) -> AsyncIterator[list[Row]]:
        """The pages, in order, as lists of rows; at most ``prefetch`` fetched ahead."""
        if self.keyset:
            async for page in self._keyset_pages():
                yield page
            return
        ahead: deque[tuple[asyncio.Future[list[Row]], int]] = deque()
        next_offset = self.offset
        remaining = self.limit

        def schedule() -> bool:
            nonlocal next_offset, remaining
            size = self.page_size if remaining is None else min(self.page_size, remaining)
            if size <= 0:
                return False
            fetch = self._fetch(self.domain, next_offset, size, self.order)
            ahead.append((asyncio.ensure_future(fetch), size))
            next_offset += size
            if remaining is not None:
                remaining -= size
            return True

        try:
            schedule()
            while ahead:
                while len(ahead) <= self.prefetch and schedule():
                    pass
                future, size = ahead.popleft()
                page = await future
                if page:
                    yield page
                if len(page) < size:
                    return  # a short page is the last one
        finally:
            for future, _ in ahead:
                future.cancel()

    async def _keyset_pages(self) -> AsyncIterator[list[Row]]:
        last_id: int | None = None
        remaining = self.limit
        offset = self.offset
        while remaining is None or remaining > 0:
            size = self.page_size if remaining is None else min(self.page_size, remaining)
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
