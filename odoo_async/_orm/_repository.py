"""``AsyncModel``: one Odoo model, in Odoo's own vocabulary.

``odoo.model("res.partner")`` returns rows as dicts; ``odoo.model(Partner)``
(a :class:`~odoo_async.Record` class) returns typed records decoded straight
from the reply bytes. Domains are validated and their values converted before
anything is sent; ``search_read`` is paged; ``get`` is batched.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar, overload

import msgspec

from odoo_async import _telemetry
from odoo_async._check import (
    check_bool,
    check_choice,
    check_ids,
    check_instance,
    check_int,
    check_limit,
    check_mapping,
    check_names,
    check_number,
    check_offset,
    check_str,
)
from odoo_async._config import BATCH_SIZE, BATCH_WINDOW, GET_BATCH_SIZE, PREFETCH
from odoo_async._errors import (
    AccessError,
    OdooError,
    ProtocolError,
    RecordDecodeError,
    RPCError,
)
from odoo_async._values import to_odoo_values

from ._adaptive import ExportTuning
from ._batcher import ReadBatcher, RowError, row_id
from ._caller import ModelClient
from ._chunks import in_chunks
from ._domain import DomainLike, as_single_term, normalize_domain
from ._gather import gather_or_cancel
from ._order import chunked
from ._pager import SearchReadPager
from ._records import (
    Record,
    decode_record,
    decode_records,
    encode_create,
    encode_write,
    model_of,
    record_fields,
)

__all__ = ["AsyncModel"]

Row = TypeVar("Row")
PathOrFile = TypeVar("PathOrFile")


#: Odoo's XML-RPC marshaller on a None result (the method ran)
_NO_NONE = "cannot marshal None unless allow_none is enabled"
#: What Odoo's access checks take as ``operation``.
_OPERATIONS = ("read", "write", "create", "unlink")
_ROWS = msgspec.json.Decoder(list[dict[str, Any]])
_IDS = msgspec.json.Decoder(list[int])
_RAW_ROWS = msgspec.json.Decoder(list[msgspec.Raw])


class AsyncModel(Generic[Row]):
    """A repository for one model. Creating it sends nothing.

    :meth:`AsyncOdoo.model` makes one with the defaults; make one yourself to
    set ``batch_size`` or ``batch_window``.

    **Parameters:**

    * **odoo** - The client whose calls it makes: an :class:`AsyncOdoo`, a view
      of one (``with_context()``, ``with_options()``), or any
      :class:`ModelClient`.
    * **model** - A model name such as ``"res.partner"`` (rows come back as
      dicts), or a :class:`Record` class (rows come back as instances of it,
      and its fields are what is read unless ``fields`` says otherwise).
    * **batch_size** - *(optional)* An int ``>= 1``, or ``None`` (the default).
      It bounds the records of one ``create`` RPC (500 when ``None``); given, it
      also bounds the ``read`` that serves a batch of :meth:`get` calls (1,000
      ids when ``None``) and fixes the chunks of a long :meth:`read`, which
      otherwise adapt to the server. The :attr:`batch_size` property changes it
      later.
    * **batch_window** - *(optional)* Seconds :meth:`get` waits to collect more
      ids before their ``read`` goes (a number ``>= 0``). Default 0: the next
      turn of the event loop.
    """

    def __init__(
        self,
        odoo: ModelClient,
        model: str | type[Record],
        *,
        batch_size: int | None = None,
        batch_window: float = BATCH_WINDOW,
    ) -> None:
        self.record_type: type[Record] | None = None
        if isinstance(model, type) and issubclass(model, Record):
            self.name = model_of(model)
            self.record_type = model
        else:
            accepted = "a model name such as 'res.partner' or a Record class"
            self.name = check_str("model", model, accepted=accepted)
        check_int("batch_size", batch_size, minimum=1, none=True, where=self.name)
        accepted = "seconds, a number >= 0 (such as 0.002)"
        check_number("batch_window", batch_window, accepted=accepted, where=self.name)
        self.odoo = odoo
        self._batch_size = batch_size
        self.batch_window = batch_window

    @property
    def batch_size(self) -> int:
        """Records of one ``create`` RPC (500 unless given)."""
        return BATCH_SIZE if self._batch_size is None else self._batch_size

    @batch_size.setter
    def batch_size(self, value: int) -> None:
        check_int("batch_size", value, minimum=1)
        self._batch_size = value

    @property
    def _get_batch_size(self) -> int:
        return GET_BATCH_SIZE if self._batch_size is None else self._batch_size

    def __repr__(self) -> str:
        typed = f" as {self.record_type.__name__}" if self.record_type else ""
        return f"<AsyncModel {self.name!r}{typed}>"

    def with_context(
        self, context: Mapping[str, Any] | None = None, /, **ctx: Any
    ) -> AsyncModel[Row]:
        """The same repository, sending a context merged with ``context`` and ``ctx``.

        As :meth:`AsyncOdoo.with_context`: keys of ``ctx`` win over those of
        ``context``, which win over the client's. ``batch_size`` and
        ``batch_window`` are kept.

        **Parameters:**

        * **context** - *(optional, positional only)* A dict with string keys, or
          ``None``.
        * **ctx** - *(optional)* Context keys as keyword arguments, such as
          ``active_test=False``.
        """
        check_mapping("context", context, where=self.name)
        other: AsyncModel[Row] = AsyncModel(
            self.odoo.with_context(context, **ctx),
            self.record_type or self.name,
            batch_size=self._batch_size,
            batch_window=self.batch_window,
        )
        return other

    # -- plumbing -----------------------------------------------------------------

    async def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call any public method of the model: ``model.method(*args, **kwargs)``.

        The result comes back as plain JSON values, not decoded into a Record.

        **Parameters:**

        * **method** - The method's name, such as ``"action_archive"``.
        * **args** - *(optional)* The method's positional arguments (for a
          method on records, the ids first).
        * **kwargs** - *(optional)* The method's keyword arguments (one named
          ``method`` cannot be passed this way: use :meth:`AsyncOdoo.execute_kw`).
        """
        check_str("method", method, accepted="a method name such as 'action_archive'")
        return await self.odoo.execute_kw(self.name, method, list(args), kwargs)

    def _fields(self, fields: Sequence[str] | None) -> list[str] | None:
        if fields is not None:
            return check_names("fields", fields, where=self.name)
        if self.record_type is not None:
            return record_fields(self.record_type)
        return None

    def _decode_rows(self, raw: msgspec.Raw, method: str) -> list[Row]:
        if self.record_type is not None:
            return decode_records(self.record_type, raw)  # type: ignore[return-value]
        try:
            return _ROWS.decode(raw)  # type: ignore[return-value]
        except msgspec.ValidationError as exc:
            raise RecordDecodeError(
                f"{self.name}.{method} did not return a list of rows: {exc}", model=self.name
            ) from exc

    def _decode_ids(self, raw: msgspec.Raw, method: str) -> list[int]:
        try:
            return _IDS.decode(raw)
        except msgspec.ValidationError as exc:
            raise ProtocolError(
                f"{self.name}.{method} returned {bytes(raw)[:200]!r}, not a list of ids ({exc})",
                model=self.name,
                method=method,
            ) from exc

    # -- reading ------------------------------------------------------------------

    async def search(
        self,
        domain: DomainLike = None,
        *,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
    ) -> list[int]:
        """Ids of the records matching ``domain``.

        **Parameters:**

        * **domain** - *(optional)* A :class:`Domain`, a raw Odoo domain (a list
          of ``[field, operator, value]`` leaves and ``"&"``, ``"|"``, ``"!"``),
          or ``None`` for every record. Checked, and its values converted,
          before anything is sent (:class:`DomainError`).
        * **offset** - *(optional)* Matching records to skip first, an int
          ``>= 0``. Default 0.
        * **limit** - *(optional)* The most ids to return, an int ``>= 0``, or
          ``None`` (the default) for all; ``0`` means no limit, as in Odoo.
        * **order** - *(optional)* Odoo's sort specification, such as
          ``"name desc, id"``, or ``None`` (the default) for the model's order.
        """
        where = f"{self.name}.search"
        check_offset(offset, where=where)
        check_limit(limit, where=where)
        check_str("order", order, accepted="an order such as 'name desc' or None", none=True)
        kwargs: dict[str, Any] = {"offset": offset} if offset else {}
        if limit is not None:
            kwargs["limit"] = limit
        if order is not None:
            kwargs["order"] = order
        raw = await self.odoo.execute_kw_raw(
            self.name, "search", [normalize_domain(domain)], kwargs
        )
        return self._decode_ids(raw, "search")

    async def search_count(self, domain: DomainLike = None, *, limit: int | None = None) -> int:
        """How many records match ``domain``.

        **Parameters:**

        * **domain** - *(optional)* A :class:`Domain`, a raw Odoo domain (a list
          of ``[field, operator, value]`` leaves and ``"&"``, ``"|"``, ``"!"``),
          or ``None`` for every record. Checked, and its values converted,
          before anything is sent (:class:`DomainError`).
        * **limit** - *(optional)* An int ``>= 0`` passed to Odoo's
          ``search_count``, which stops counting there; ``None`` (the default)
          counts every match.
        """
        check_limit(limit, where=f"{self.name}.search_count")
        kwargs = {"limit": limit} if limit is not None else {}
        return int(
            await self.odoo.execute_kw(
                self.name, "search_count", [normalize_domain(domain)], kwargs
            )
        )

    async def read_chunk(self, ids: list[int], fields: Sequence[str] | None = None) -> list[Row]:
        """One ``read`` RPC, exactly as Odoo answers it (missing ids left out).

        **Parameters:**

        * **ids** - A record id or an iterable of ids (ints).
        * **fields** - *(optional)* The field names to read, or ``None``: every
          field for a dict repository, the :class:`Record` class's fields for a
          typed one.
        """
        wanted = check_ids(ids, where=f"{self.name}.read_chunk")
        return self._decode_rows(await self._read_raw(wanted, self._fields(fields)), "read")

    async def _read_raw(self, ids: list[int], fields: list[str] | None) -> msgspec.Raw:
        kwargs = {} if fields is None else {"fields": fields}
        return await self.odoo.execute_kw_raw(self.name, "read", [ids], kwargs)

    async def read(self, ids: Iterable[int], fields: Sequence[str] | None = None) -> list[Row]:
        """The rows of ``ids``, in the order of ``ids``.

        Long lists are read in chunks that adapt to the server: the first and
        the last 1,000 ids at once tell a server that runs requests side by side
        from one that runs them one at a time; then chunks as large as its fixed
        cost per call asks, as many in flight as it serves (see the README,
        "Exports"). A ``batch_size`` given to the repository fixes the chunks
        instead (sent concurrently). Duplicate ids are read once (and returned
        once per occurrence). As in
        Odoo, ids that do not exist are left out, not reported: use
        :meth:`get` to fail on a missing id.

        **Parameters:**

        * **ids** - A record id or an iterable of ids (ints).
        * **fields** - *(optional)* The field names to read, or ``None``: every
          field for a dict repository, the :class:`Record` class's fields for a
          typed one.
        """
        wanted = check_ids(ids, where=f"{self.name}.read")
        names = self._fields(fields)
        unique = list(dict.fromkeys(wanted))
        if not unique:
            return []
        if self._batch_size is None:  # adapt to the server (see _chunks.py)
            replies = await in_chunks(
                lambda chunk: self.read_chunk(chunk, names), unique, ready=self.odoo.authenticate
            )
            results = [rows for _chunk, rows in replies]
        else:
            chunks = chunked(unique, self._batch_size)
            results = await gather_or_cancel(self.read_chunk(chunk, names) for chunk in chunks)
        rows = [row for result in results for row in result]
        by_id = {row_id(row): row for row in rows}
        return [by_id[i] for i in wanted if i in by_id]

    def _batcher(self, fields: list[str] | None) -> ReadBatcher[Row]:
        key = (
            "batcher",
            self.name,
            self.record_type,
            tuple(fields) if fields is not None else None,
            self.odoo.options_key,
            self._get_batch_size,
            self.batch_window,
        )
        batchers = self.odoo.caches.batchers
        batcher: ReadBatcher[Row] | None = batchers.get(key)
        if batcher is None:

            def forget() -> None:  # an idle batcher goes away
                if batchers.get(key) is new:
                    del batchers[key]

            new = batcher = ReadBatcher(
                lambda ids: self._read_for_batcher(ids, fields),
                model=self.name,
                batch_size=self._get_batch_size,
                window=self.batch_window,
                on_idle=forget,
                ready=self.odoo.authenticate,
                slot=getattr(self.odoo, "reserve_slot", None),
            )
            batchers[key] = batcher
        return batcher

    async def _read_for_batcher(
        self, ids: list[int], fields: list[str] | None
    ) -> Sequence[Row | RowError]:
        """One ``read`` for the batcher; with Records, a row that does not decode
        fails only its own caller."""
        raw = await self._read_raw(ids, fields)
        try:
            return self._decode_rows(raw, "read")
        except RecordDecodeError:
            if self.record_type is None:
                raise
        out: list[Row | RowError] = []
        for item in _RAW_ROWS.decode(raw):
            try:
                out.append(decode_record(self.record_type, item))  # type: ignore[arg-type]
            except RecordDecodeError as exc:
                out.append(RowError(exc.record_id if exc.record_id is not None else -1, exc))
        return out

    async def get(self, record_id: int, fields: Sequence[str] | None = None) -> Row:
        """One record by id, batched with every other ``get`` of this moment.

        The ``get`` calls made within ``batch_window`` (the same turn of the
        event loop by default) with the same ``fields`` through the same view
        share one ``read`` (several beyond ``batch_size`` ids). Each caller gets
        its own copy of its row. Raises :class:`MissingError` naming the id when
        it does not exist.

        **Parameters:**

        * **record_id** - The record's id (an int).
        * **fields** - *(optional)* The field names to read, or ``None``: every
          field for a dict repository, the :class:`Record` class's fields for a
          typed one.
        """
        check_int("record_id", record_id, where=f"{self.name}.get")
        return await self._batcher(self._fields(fields)).load(record_id)

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
    ) -> SearchReadPager[Row]:
        """Rows matching ``domain``, paged: await it or iterate it (:class:`SearchReadPager`).

        Nothing is sent until the pager is awaited or iterated; the domain and
        the arguments are checked at once. ``page_size`` and ``max_in_flight``
        fix what they name; left to ``None`` they adapt to what the server
        shows in ``id`` order (see the README, "Exports").

        **Parameters:**

        * **domain** - *(optional)* A :class:`Domain`, a raw Odoo domain (a list
          of ``[field, operator, value]`` leaves and ``"&"``, ``"|"``, ``"!"``),
          or ``None`` for every record. Checked, and its values converted,
          before anything is sent (:class:`DomainError`).
        * **fields** - *(optional)* The field names to read, or ``None``: every
          field for a dict repository, the :class:`Record` class's fields for a
          typed one.
        * **offset** - *(optional)* Matching rows to skip first, an int ``>= 0``.
          Default 0.
        * **limit** - *(optional)* The most rows, an int ``>= 0``, or ``None``
          (the default) for all; ``0`` means no limit, as in Odoo.
        * **order** - *(optional)* Odoo's sort specification, or ``None`` (the
          default) for ``id``. ``id`` is added as the last key unless the order
          sorts by id already. In ``id`` order the pager walks id windows;
          in any other, offset pages (see :class:`SearchReadPager`).
        * **page_size** - *(optional)* Rows per request, an int ``>= 1``, or
          ``None`` (the default): id windows adapt, offset pages take 2,000 and
          keyset pages 1,000.
        * **keyset** - *(optional)* ``True`` pages by ``id > last id``, one
          request at a time: exact while the table changes. Needs ``id``
          order. Default ``False``.
        * **prefetch** - *(optional)* Pages fetched ahead of a consumer that
          iterates, an int ``>= 0``. Default 2.
        * **max_in_flight** - *(optional)* Requests in flight for the id-window
          walk, an int ``>= 1`` (at most 8), or ``None`` (the default) to
          adapt. Offset and keyset pages do not use it.
        """
        normalized = normalize_domain(domain)
        wanted = self._fields(fields)

        async def fetch(dom: list[Any], off: int, lim: int, ord_: str) -> list[Row]:
            kwargs: dict[str, Any] = {"offset": off, "limit": lim, "order": ord_}
            if wanted is not None:
                kwargs["fields"] = wanted
            telemetry = _telemetry.active
            if telemetry is None:
                raw = await self.odoo.execute_kw_raw(self.name, "search_read", [dom], kwargs)
                return self._decode_rows(raw, "search_read")
            page: dict[str, _telemetry.AttributeValue] = {
                "odoo.model": self.name,
                "odoo.page.offset": off,
                "odoo.page.limit": lim,
            }
            with telemetry.span(f"{self.name} page", page) as span:
                raw = await self.odoo.execute_kw_raw(self.name, "search_read", [dom], kwargs)
                rows = self._decode_rows(raw, "search_read")
                span.set_attribute("odoo.page.rows", len(rows))
                return rows

        async def count(dom: list[Any]) -> int:
            return int(await self.odoo.execute_kw(self.name, "search_count", [dom]))

        return SearchReadPager(
            fetch,
            count,
            normalized,
            offset=offset,
            limit=limit,
            order=order,
            page_size=page_size,
            keyset=keyset,
            prefetch=prefetch,
            max_in_flight=max_in_flight,
            row_id=row_id,
            ready=self.odoo.authenticate,
        )

    async def exists(self, ids: Iterable[int]) -> list[int]:
        """The ids among ``ids`` that still exist, archived ones included.

        Sent as a ``search`` on ``id`` (``exists`` itself is private in Odoo 19).
        The ids come back in the order given, each once.

        **Parameters:**

        * **ids** - A record id or an iterable of ids (ints).
        """
        wanted = check_ids(ids, where=f"{self.name}.exists")
        if not wanted:
            return []
        found = set(
            await self.with_context(active_test=False).search(
                [("id", "in", list(dict.fromkeys(wanted)))]
            )
        )
        return [i for i in dict.fromkeys(wanted) if i in found]

    async def name_get(self, ids: Iterable[int]) -> list[tuple[int, str]]:
        """``[(id, display_name), ...]`` of the records that exist, in the order given.

        Odoo 17's ``name_get``, on every version: sent as a ``read`` of the field
        ``display_name``, which is what ``name_get`` does on 17 (where it is
        deprecated and logs a warning) and what replaces it on 18 and 19 (where it
        is gone). Records that no longer exist are left out, as ``read`` does.

        **Parameters:**

        * **ids** - A record id or an iterable of ids (ints).
        """
        wanted = check_ids(ids, where=f"{self.name}.name_get")
        if not wanted:
            return []
        rows = await self.odoo.execute_kw(self.name, "read", [wanted, ["display_name"]])
        return [(int(row["id"]), str(row["display_name"])) for row in rows]

    async def has_access(self, operation: str, ids: Iterable[int] | None = None) -> bool:
        """Whether the user may ``operation`` the model (and, given ``ids``, those records).

        Odoo 18 and 19 answer it with ``has_access``; Odoo 17, which has no such
        method, with ``check_access_rights(operation, raise_exception=False)`` and
        then ``check_access_rule`` on the ids (the server's version is asked once
        per client, then cached).

        **Parameters:**

        * **operation** - ``"read"``, ``"write"``, ``"create"`` or ``"unlink"``.
        * **ids** - *(optional)* Record ids whose record rules are checked too;
          ``None`` (the default) checks the model's access rights only.
        """
        operation, wanted = self._access_args("has_access", operation, ids)
        if await self._major() >= 18:
            return bool(await self.odoo.execute_kw(self.name, "has_access", [wanted, operation]))
        allowed = await self.odoo.execute_kw(
            self.name, "check_access_rights", [operation], {"raise_exception": False}
        )
        if not allowed or not wanted:
            return bool(allowed)
        try:
            await self._returning_none("check_access_rule", [wanted, operation])
        except AccessError:
            return False
        return True

    async def check_access(self, operation: str, ids: Iterable[int] | None = None) -> None:
        """Raise :class:`AccessError` (Odoo's own) unless the user may ``operation``
        the model (and, given ``ids``, those records).

        Odoo 18 answers it with ``check_access``; Odoo 17 with ``check_access_rights``
        then ``check_access_rule``; Odoo 19, where ``check_access`` is private, with
        ``has_access``, and, when that says no, asks the deprecated
        ``check_access_rights``/``check_access_rule`` for Odoo's message.

        **Parameters:**

        * **operation** - ``"read"``, ``"write"``, ``"create"`` or ``"unlink"``.
        * **ids** - *(optional)* Record ids whose record rules are checked too;
          ``None`` (the default) checks the model's access rights only.
        """
        operation, wanted = self._access_args("check_access", operation, ids)
        major = await self._major()
        if major == 18:
            await self._returning_none("check_access", [wanted, operation])
            return
        if major >= 19 and await self.odoo.execute_kw(self.name, "has_access", [wanted, operation]):
            return
        await self._returning_none("check_access_rights", [operation])  # None from 18 on
        if wanted:
            await self._returning_none("check_access_rule", [wanted, operation])
        if major >= 19:  # has_access said no, yet neither check raised
            raise AccessError(
                f"Odoo refuses {operation!r} on {self.name} {wanted} (has_access)",
                name="odoo.exceptions.AccessError",
                model=self.name,
                method="has_access",
            )

    async def _returning_none(self, method: str, args: list[Any]) -> None:
        """Call a method that returns None. Over XML-RPC Odoo cannot send None: the
        method runs, then the reply is a fault "cannot marshal None", read as None."""
        try:
            await self.odoo.execute_kw(self.name, method, args)
        except RPCError as exc:
            if type(exc) is not RPCError or _NO_NONE not in exc.message:
                raise

    def _access_args(
        self, method: str, operation: Any, ids: Iterable[int] | None
    ) -> tuple[str, list[int]]:
        where = f"{self.name}.{method}"
        checked = check_choice("operation", operation, _OPERATIONS, where=where)
        return checked, [] if ids is None else check_ids(ids, where=where)

    async def _major(self) -> int:
        """The server's major version (asked once per client, then cached)."""
        return (await self.odoo.server_version() or (0,))[0]

    async def fields_get(
        self, allfields: Sequence[str] | None = None, attributes: Sequence[str] | None = None
    ) -> dict[str, dict[str, Any]]:
        """Field definitions, cached per client (and per arguments and context).

        Each caller gets its own copy: changing it changes no one else's.
        Concurrent first callers share one request; a failure is not cached.

        **Parameters:**

        * **allfields** - *(optional)* The names of the fields to describe, or
          ``None`` (the default) for every field.
        * **attributes** - *(optional)* The attributes to return for each field,
          such as ``["type", "string"]``, or ``None`` (the default) for all.
        """
        check_names("allfields", allfields, where=f"{self.name}.fields_get")
        check_names("attributes", attributes, where=f"{self.name}.fields_get")
        return copy.deepcopy(await self._fields_get(allfields, attributes))

    async def _fields_get(
        self, allfields: Sequence[str] | None, attributes: Sequence[str] | None
    ) -> dict[str, dict[str, Any]]:
        """The cached answer itself, shared: read it, never change it."""
        key = (
            "fields_get",
            self.name,
            tuple(allfields or ()),
            tuple(attributes or ()),
            msgspec.json.encode(self.odoo.context),
        )
        cache = self.odoo.caches.fields_get
        kwargs: dict[str, Any] = {}
        if allfields is not None:
            kwargs["allfields"] = list(allfields)
        if attributes is not None:
            kwargs["attributes"] = list(attributes)
        pending: asyncio.Future[Any] | None = cache.get(key)
        if pending is None or (pending.done() and pending.exception() is not None):
            # one request for every concurrent caller; a failure is not kept
            pending = asyncio.ensure_future(
                self.odoo.execute_kw(self.name, "fields_get", [], kwargs)
            )
            # retrieved even when every caller was cancelled meanwhile (no "never retrieved")
            pending.add_done_callback(lambda done: done.cancelled() or done.exception())
            cache.put(key, pending)
        result: dict[str, dict[str, Any]] = await asyncio.shield(pending)
        return result

    async def name_search(
        self,
        name: str = "",
        domain: DomainLike = None,
        *,
        operator: str = "ilike",
        limit: int = 100,
    ) -> list[tuple[int, str]]:
        """``[(id, display_name), ...]`` of records whose name matches ``name``.

        The domain is sent as ``args`` to Odoo 17/18 and as ``domain`` to Odoo 19+
        (the server's version is asked once per client, then cached).

        **Parameters:**

        * **name** - *(optional)* The text to match; ``""`` (the default)
          matches every name.
        * **domain** - *(optional)* A further condition on the records, as for
          :meth:`search`; ``None`` (the default) for none.
        * **operator** - *(optional)* How ``name`` is compared, such as
          ``"ilike"`` (the default), ``"="`` or ``"=like"``; passed to Odoo
          unchecked.
        * **limit** - *(optional)* The most pairs to return, an int ``>= 0``.
          Default 100.
        """
        where = f"{self.name}.name_search"
        check_str("name", name, accepted="a string", empty=True, where=where)
        check_str("operator", operator, accepted="an operator such as 'ilike'", where=where)
        check_limit(limit, where=where)
        normalized = normalize_domain(domain)
        key = "domain" if await self._major() >= 19 else "args"
        result = await self.odoo.execute_kw(
            self.name,
            "name_search",
            [],
            {"name": name, key: normalized, "operator": operator, "limit": limit},
        )
        return [(int(i), str(n)) for i, n in result]

    async def read_group(
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
        """Grouped aggregates, as Odoo 17's ``read_group`` returns them.

        ``fields`` are ``"name"`` or ``"name:aggregate"`` (``sum``, ``avg``,
        ``min``, ``max``, ``count``...). On Odoo 19, where ``read_group`` gives
        way to ``formatted_read_group``, the call is translated and the groups
        come back in the same shape: ``<groupby>_count`` (lazy) or
        ``__count``, the aggregates under the field's name, and ``__domain``.

        **Parameters:**

        * **domain** - A :class:`Domain`, a raw Odoo domain (a list
          of ``[field, operator, value]`` leaves and ``"&"``, ``"|"``, ``"!"``),
          ``None`` or ``[]`` for every record. Checked, and its values converted,
          before anything is sent (:class:`DomainError`).
        * **fields** - The fields to aggregate, ``"name"`` or
          ``"name:aggregate"``. On Odoo 19 a field without an aggregate is
          summed, and the grouped fields are left out.
        * **groupby** - A field to group by, or a list of them; a date field
          may name its granularity (``"date:month"``).
        * **offset** - *(optional)* Groups to skip first, an int ``>= 0``.
          Default 0.
        * **limit** - *(optional)* The most groups, an int ``>= 0``, or ``None``
          (the default) for all.
        * **orderby** - *(optional)* How the groups are sorted, such as
          ``"name desc"``, or ``None`` (the default) for Odoo's order.
        * **lazy** - *(optional)* ``True`` (the default) groups by the first
          ``groupby`` field only, as Odoo does; ``False`` by all of them at once.
        """
        where = f"{self.name}.read_group"
        fields = check_names("fields", fields, none=False, where=where) or []
        if isinstance(groupby, str):
            groupby_list = [check_str("groupby", groupby, where=where)]
        else:
            groupby_list = check_names("groupby", groupby, none=False, where=where) or []
        check_offset(offset, where=where)
        check_limit(limit, where=where)
        check_str("orderby", orderby, accepted="an order such as 'name desc' or None", none=True)
        check_bool("lazy", lazy, where=where)
        normalized = normalize_domain(domain)
        if await self._major() >= 19:
            return await self._formatted_read_group(
                normalized,
                list(fields),
                groupby_list,
                offset=offset,
                limit=limit,
                orderby=orderby,
                lazy=lazy,
            )
        kwargs: dict[str, Any] = {
            "domain": normalized,
            "fields": list(fields),
            "groupby": groupby_list,
            "offset": offset,
            "lazy": lazy,
        }
        if limit is not None:
            kwargs["limit"] = limit
        if orderby is not None:
            kwargs["orderby"] = orderby
        result: list[dict[str, Any]] = await self.odoo.execute_kw(
            self.name, "read_group", [], kwargs
        )
        return result

    async def _formatted_read_group(
        self,
        domain: list[Any],
        fields: list[str],
        groupby: list[str],
        *,
        offset: int,
        limit: int | None,
        orderby: str | None,
        lazy: bool,
    ) -> list[dict[str, Any]]:
        if lazy:
            groupby = groupby[:1]
        grouped = {spec.split(":")[0] for spec in groupby}
        aggregates = ["__count"]
        names: dict[str, str] = {}  # aggregate spec -> key in the old shape
        for spec in fields:
            name, _, how = spec.partition(":")
            if name in grouped or name == "__count":
                continue
            agg = f"{name}:{how or 'sum'}"
            aggregates.append(agg)
            names[agg] = name
        kwargs: dict[str, Any] = {
            "domain": domain,
            "groupby": groupby,
            "aggregates": aggregates,
            "offset": offset,
        }
        if limit is not None:
            kwargs["limit"] = limit
        if orderby is not None:
            kwargs["order"] = orderby
        groups: list[dict[str, Any]] = await self.odoo.execute_kw(
            self.name, "formatted_read_group", [], kwargs
        )
        count_key = f"{groupby[0].split(':')[0]}_count" if lazy and groupby else "__count"
        out = []
        for group in groups:
            row = {key: value for key, value in group.items() if not key.startswith("__")}
            for agg, name in names.items():
                if agg in row:
                    row[name] = row.pop(agg)
            row[count_key] = group.get("__count", 0)
            extra = group.get("__extra_domain") or []
            if domain and extra:
                row["__domain"] = ["&", *as_single_term(domain), *as_single_term(extra)]
            else:
                row["__domain"] = list(domain or extra)
            out.append(row)
        return out

    # -- writing ------------------------------------------------------------------

    @overload
    async def create(self, values: Mapping[str, Any] | Record) -> int: ...

    @overload
    async def create(self, values: Sequence[Mapping[str, Any] | Record]) -> list[int]: ...

    async def create(
        self, values: Mapping[str, Any] | Record | Sequence[Mapping[str, Any] | Record]
    ) -> int | list[int]:
        """Create one record (a dict or Record: its id) or many (a list: their ids, in order).

        A list is sent in chunks of ``batch_size``: the first and the last at
        once, then one at a time on a server that runs one request at a time
        (a threaded Odoo; concurrent creates only slow it down), several on
        one that runs them side by side. If a chunk fails, other chunks may
        have been created: the first error is raised with
        :attr:`OdooError.created_ids <odoo_async.OdooError.created_ids>`, a list
        as long as ``values`` holding the id created for each of them or ``None``,
        so a sync job can tell exactly which records went in. (A failure that is
        no :class:`OdooError`, such as a value JSON cannot carry, comes as an
        ``OdooError`` raised from it once some records went in.)

        **Parameters:**

        * **values** - One record or a list of them. A record is a dict of field
          name to value (converted: dates and datetimes to Odoo's text, in
          UTC, ``None`` to ``False``, bytes to base64...) or a :class:`Record`,
          which sends the fields whose value differs from the class's default,
          leaving out ``id`` and the fields Odoo marks read-only (known from a
          :meth:`fields_get`, cached).
        """
        if isinstance(values, (Mapping, Record)):
            encoded = await self._encode_create(values)
            return int(await self.odoo.execute_kw(self.name, "create", [encoded]))
        where = f"{self.name}.create"
        given: Any = values
        if isinstance(given, (str, bytes)) or not isinstance(given, Iterable):
            accepted = "a dict, a Record or a list of them"
            check_instance("values", given, (), accepted, where=where)
        items = list(given)
        for item in items:
            accepted = "a dict or a Record"
            check_instance("every item of values", item, (Mapping, Record), accepted, where=where)
        batch = [await self._encode_create(v) for v in items]
        if not batch:
            return []

        async def one(chunk: list[dict[str, Any]]) -> list[int] | BaseException:
            try:
                raw = await self.odoo.execute_kw_raw(self.name, "create", [chunk])
                return self._decode_ids(raw, "create")
            except Exception as exc:
                return exc

        # chunks of batch_size, as many in flight as the server serves (see _chunks.py)
        tuning = ExportTuning(page_size=self.batch_size)
        replies = await in_chunks(one, batch, tuning=tuning, ready=self.odoo.authenticate)
        chunks = [chunk for chunk, _result in replies]
        results = [result for _chunk, result in replies]
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            created: list[int | None] = []
            for chunk, result in zip(chunks, results, strict=True):
                created.extend(result if isinstance(result, list) else [None] * len(chunk))
            raise _partial_create_error(self.name, failures[0], created)
        return [i for result in results if isinstance(result, list) for i in result]

    async def _encode_create(self, values: Mapping[str, Any] | Record) -> dict[str, Any]:
        if isinstance(values, Record):
            readonly = await self._readonly_fields()
            return encode_create(values, readonly=readonly)
        check_mapping("values", values, none=False, where=f"{self.name}.create")
        return to_odoo_values(values)

    async def _readonly_fields(self) -> frozenset[str]:
        meta = await self._fields_get(None, ["readonly"])
        return frozenset(name for name, attrs in meta.items() if attrs.get("readonly"))

    async def write(self, ids: Iterable[int], values: Mapping[str, Any]) -> bool:
        """Write ``values`` on every record of ``ids``; ``True`` when Odoo did.

        **Parameters:**

        * **ids** - A record id or an iterable of ids (ints).
        * **values** - A dict of field name to value, converted as for
          :meth:`create`. In a typed repository the keys may be the
          :class:`Record`'s attribute names or Odoo's field names; a field the
          class does not have, or ``id``, raises :class:`ValueError`.
        """
        wanted = check_ids(ids, where=f"{self.name}.write")
        check_mapping("values", values, none=False, where=f"{self.name}.write")
        if self.record_type is not None:
            # Only the given changes, converted; Odoo decides what may be written.
            encoded = encode_write(self.record_type, values)
        else:
            encoded = to_odoo_values(values)
        return bool(await self.odoo.execute_kw(self.name, "write", [wanted, encoded]))

    async def unlink(self, ids: Iterable[int]) -> bool:
        """Delete the records of ``ids``; ``True`` when Odoo did.

        **Parameters:**

        * **ids** - A record id or an iterable of ids (ints).
        """
        wanted = check_ids(ids, where=f"{self.name}.unlink")
        return bool(await self.odoo.execute_kw(self.name, "unlink", [wanted]))

    @overload
    async def read_binary(self, record_id: int, field: str, to: None = None) -> bytes: ...

    @overload
    async def read_binary(self, record_id: int, field: str, to: PathOrFile) -> PathOrFile: ...

    async def read_binary(self, record_id: int, field: str, to: Any = None) -> Any:
        """The content of the binary or image field ``field`` of record ``record_id``.

        With a password it is streamed from ``/web/content/<model>/<id>/<field>``
        (memory: one piece of it, plus the file when returned as bytes); with an API
        key it is the base64 of an RPC ``read``, decoded a chunk at a time (memory:
        the reply's base64 text, 4/3 of the file, plus the file when returned as
        bytes). An empty field gives ``b""``.

        **Parameters:**

        * **record_id** - The record's id.
        * **field** - The field's name, such as ``"image_1920"``.
        * **to** - *(optional)* A path (created or replaced; removed again if the
          download fails) or a binary file object, written and returned. Default
          ``None``: the bytes are returned.
        """
        return await self.odoo.attachments.read_field(self.name, record_id, field, to)


def _partial_create_error(
    model: str, failure: BaseException, created: list[int | None]
) -> BaseException:
    """The error a list ``create()`` raises, telling which records went in."""
    done = sum(i is not None for i in created)
    note = f"{done} of {len(created)} {model} records were created (.created_ids)"
    if isinstance(failure, OdooError):
        error = failure
    elif not done:
        return failure
    else:
        error = OdooError(f"{model}.create: {note}; then {type(failure).__name__}: {failure}")
        error.__cause__ = failure
    error.created_ids = created
    add_note = getattr(error, "add_note", None)  # Python 3.11+
    if add_note is not None:
        add_note(note)
    return error
