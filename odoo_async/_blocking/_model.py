"""``Model``: the blocking twin of :class:`~odoo_async.AsyncModel`, and of its pager.

Each method runs the same method of the :class:`AsyncModel` behind it on the
client's event loop. ``search_read`` returns :class:`SearchReadRows`: the list
of rows when used as a list, a stream of pages through the export engine when
iterated first.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from odoo_async._config import BATCH_WINDOW, PREFETCH
from odoo_async._orm._domain import DomainLike
from odoo_async._orm._pager import SearchReadPager
from odoo_async._orm._records import Record
from odoo_async._orm._repository import AsyncModel

if TYPE_CHECKING:
    from ._client import Odoo

__all__ = ["Model", "SearchReadRows"]

Row = TypeVar("Row")
PathOrFile = TypeVar("PathOrFile")


class Model(Generic[Row]):
    """One Odoo model, from blocking code: :class:`AsyncModel`'s methods, returning values.

    ``odoo.model("res.partner")`` gives rows as dicts, ``odoo.model(Partner)``
    the same :class:`Record` instances the async repository gives.
    """

    def __init__(
        self,
        odoo: Odoo,
        model: str | type[Record],
        *,
        batch_size: int | None = None,
        batch_window: float = BATCH_WINDOW,
    ) -> None:
        self.odoo = odoo
        self._model = model
        self._batch_size = batch_size
        self._batch_window = batch_window
        self._made: AsyncModel[Row] | None = None
        self._made_for: Any = None
        self.aio  # noqa: B018 - checks the arguments now, where they are given

    @property
    def aio(self) -> AsyncModel[Row]:
        """The async repository behind this one (this process's client)."""
        client = self.odoo.aio
        if self._made_for is not client:
            made: AsyncModel[Row] = AsyncModel(
                client, self._model, batch_size=self._batch_size, batch_window=self._batch_window
            )
            self._made, self._made_for = made, client
        assert self._made is not None
        return self._made

    @property
    def name(self) -> str:
        """The model's name, such as ``"res.partner"``."""
        return self.aio.name

    @property
    def record_type(self) -> type[Record] | None:
        """The :class:`Record` class rows are decoded into, or ``None`` for dicts."""
        return self.aio.record_type

    @property
    def batch_size(self) -> int:
        """Records of one ``create`` RPC (see :attr:`AsyncModel.batch_size`)."""
        return self.aio.batch_size

    @batch_size.setter
    def batch_size(self, value: int) -> None:
        self.aio.batch_size = value  # checked there
        self._batch_size = value

    def __repr__(self) -> str:
        return "<Model" + repr(self.aio).removeprefix("<AsyncModel")

    def with_context(self, context: Mapping[str, Any] | None = None, /, **ctx: Any) -> Model[Row]:
        """The same repository, sending a context merged with ``ctx``."""
        self.aio.with_context(context, **ctx)  # checked now
        return Model(
            self.odoo.with_context(context, **ctx),
            self._model,
            batch_size=self._batch_size,
            batch_window=self._batch_window,
        )

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call any public method of the model (see :meth:`AsyncModel.call`)."""
        return self.odoo.run(self.aio.call(method, *args, **kwargs))

    def search(
        self,
        domain: DomainLike = None,
        *,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
    ) -> list[int]:
        """The ids of the records matching ``domain`` (see :meth:`AsyncModel.search`)."""
        return self.odoo.run(self.aio.search(domain, offset=offset, limit=limit, order=order))

    def search_count(self, domain: DomainLike = None, *, limit: int | None = None) -> int:
        """How many records match ``domain``."""
        return self.odoo.run(self.aio.search_count(domain, limit=limit))

    def read_chunk(self, ids: list[int], fields: Sequence[str] | None = None) -> list[Row]:
        """One ``read`` RPC, exactly as Odoo answers it (see :meth:`AsyncModel.read_chunk`)."""
        return self.odoo.run(self.aio.read_chunk(ids, fields))

    def read(self, ids: Iterable[int], fields: Sequence[str] | None = None) -> list[Row]:
        """The rows of ``ids``, in the order of ``ids`` (see :meth:`AsyncModel.read`)."""
        return self.odoo.run(self.aio.read(ids, fields))

    def get(self, record_id: int, fields: Sequence[str] | None = None) -> Row:
        """One record by id, batched with every other ``get`` of this moment, from
        any thread (see :meth:`AsyncModel.get`)."""
        return self.odoo.run(self.aio.get(record_id, fields))

    def search_read(
        self,
        domain: DomainLike = None,
        fields: Sequence[str] | None = None,
        *,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        page_size: int | None = None,
        keyset: bool = False,
        prefetch: int = PREFETCH,
        max_in_flight: int | None = None,
    ) -> SearchReadRows[Row]:
        """The matching rows: a list when used as one, a stream when iterated first
        (see :class:`SearchReadRows` and :meth:`AsyncModel.search_read`)."""
        pager = self.aio.search_read(
            domain,
            fields,
            offset=offset,
            limit=limit,
            order=order,
            page_size=page_size,
            keyset=keyset,
            prefetch=prefetch,
            max_in_flight=max_in_flight,
        )
        return SearchReadRows(self.odoo, pager)

    def exists(self, ids: Iterable[int]) -> list[int]:
        """The ids among ``ids`` that still exist (see :meth:`AsyncModel.exists`)."""
        return self.odoo.run(self.aio.exists(ids))

    def fields_get(
        self, allfields: Sequence[str] | None = None, attributes: Sequence[str] | None = None
    ) -> dict[str, dict[str, Any]]:
        """The model's fields (see :meth:`AsyncModel.fields_get`)."""
        return self.odoo.run(self.aio.fields_get(allfields, attributes))

    def name_get(self, ids: Iterable[int]) -> list[tuple[int, str]]:
        """``(id, display name)`` pairs of ``ids`` (see :meth:`AsyncModel.name_get`)."""
        return self.odoo.run(self.aio.name_get(ids))

    def has_access(self, operation: str, ids: Iterable[int] | None = None) -> bool:
        """Whether the user may ``operation`` (see :meth:`AsyncModel.has_access`)."""
        return self.odoo.run(self.aio.has_access(operation, ids))

    def check_access(self, operation: str, ids: Iterable[int] | None = None) -> None:
        """Raise unless the user may ``operation`` (see :meth:`AsyncModel.check_access`)."""
        self.odoo.run(self.aio.check_access(operation, ids))

    def name_search(
        self,
        name: str = "",
        domain: DomainLike = None,
        *,
        operator: str = "ilike",
        limit: int = 100,
    ) -> list[tuple[int, str]]:
        """``(id, display name)`` pairs matching ``name`` (see :meth:`AsyncModel.name_search`)."""
        return self.odoo.run(self.aio.name_search(name, domain, operator=operator, limit=limit))

    def read_group(
        self,
        domain: DomainLike,
        fields: Sequence[str],
        groupby: Sequence[str] | str,
        *,
        offset: int = 0,
        limit: int | None = None,
        orderby: str | None = None,
        lazy: bool = True,
    ) -> list[dict[str, Any]]:
        """Groups of records (see :meth:`AsyncModel.read_group`)."""
        return self.odoo.run(
            self.aio.read_group(
                domain, fields, groupby, offset=offset, limit=limit, orderby=orderby, lazy=lazy
            )
        )

    @overload
    def create(self, values: Mapping[str, Any] | Record) -> int: ...

    @overload
    def create(self, values: Sequence[Mapping[str, Any] | Record]) -> list[int]: ...

    def create(
        self, values: Mapping[str, Any] | Record | Sequence[Mapping[str, Any] | Record]
    ) -> int | list[int]:
        """Create one record (its id) or many (their ids, in order); see
        :meth:`AsyncModel.create`, and ``OdooError.created_ids`` after a partial failure."""
        if isinstance(values, (Mapping, Record)):
            return self.odoo.run(self.aio.create(values))
        return self.odoo.run(self.aio.create(values))

    def write(self, ids: Iterable[int], values: Mapping[str, Any]) -> bool:
        """Write ``values`` on every record of ``ids``."""
        return self.odoo.run(self.aio.write(ids, values))

    def unlink(self, ids: Iterable[int]) -> bool:
        """Delete the records of ``ids``."""
        return self.odoo.run(self.aio.unlink(ids))

    @overload
    def read_binary(self, record_id: int, field: str, to: None = None) -> bytes: ...

    @overload
    def read_binary(self, record_id: int, field: str, to: PathOrFile) -> PathOrFile: ...

    def read_binary(self, record_id: int, field: str, to: Any = None) -> Any:
        """The content of a binary or image field, as bytes or written to ``to``
        (see :meth:`AsyncModel.read_binary`)."""
        return self.odoo.run(self.aio.read_binary(record_id, field, to))


class SearchReadRows(Sequence[Row]):
    """The rows of a ``search_read``, fetched when first needed.

    - Used as a list (``len``, an index, a slice, ``==``, ``list(...)`` after a
      first use): every row is fetched at once, as ``await pager`` fetches
      them, and kept.
    - Iterated before any such use: rows come page by page through the
      export engine (:class:`SearchReadPager`), and are not kept, so a walk over
      a whole table holds a few pages at a time. Iterate again to read anew.
    - :meth:`pages` gives the pages themselves; :attr:`plan` how the last walk
      fetched (strategy, page size, requests in flight).
    """

    def __init__(self, odoo: Odoo, pager: SearchReadPager[Row]) -> None:
        self._odoo = odoo
        self.pager = pager
        self._rows: list[Row] | None = None

    def _all(self) -> list[Row]:
        if self._rows is None:
            self._rows = self._odoo.run(self.pager.all())
        return self._rows

    def __len__(self) -> int:
        return len(self._all())

    @overload
    def __getitem__(self, index: int) -> Row: ...

    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...

    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        return self._all()[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SearchReadRows):
            other = other._all()
        return self._all() == other

    __hash__ = None  # type: ignore[assignment]  # a list's equality, a list's hash

    def __repr__(self) -> str:
        if self._rows is None:
            return (
                f"<SearchReadRows not fetched yet (list(), len() or an index fetches them): "
                f"{self.pager!r}>"
            )
        return f"<SearchReadRows {len(self._rows)} rows>"

    def __iter__(self) -> Iterator[Row]:
        if self._rows is not None:
            yield from self._rows
            return
        for page in self.pages():
            yield from page

    def pages(self) -> Iterator[list[Row]]:
        """The rows page by page, as the export engine fetches them."""
        run = self._odoo.run
        walk: AsyncIterator[list[Row]] = self.pager.pages()
        try:
            while True:
                try:
                    page = run(_next(walk))
                except StopAsyncIteration:
                    return
                yield page
        finally:
            run(_close(walk))

    @property
    def plan(self) -> dict[str, Any]:
        """How the last walk fetched (see :attr:`SearchReadPager.plan`)."""
        return self.pager.plan


async def _next(walk: AsyncIterator[list[Row]]) -> list[Row]:
    return await walk.__anext__()


async def _close(walk: AsyncIterator[list[Row]]) -> None:
    close = getattr(walk, "aclose", None)
    if close is not None:
        await close()
