"""``upsert``: create or update records by a key, reporting every record it could not write.

The input is read in batches of ``batch_size``; up to ``concurrency`` batches
are in flight. For each batch:

1. values are converted by field type (a value that does not fit fails its
   record, with the reason, before anything is sent);
2. the keys are looked up in one ``search_read`` (archived records included),
   or for external ids (``key="xmlid"``, values ``module.name``) in
   ``ir.model.data`` and then a ``read``;
3. records found are compared field by field with what Odoo holds: equal
   ones are *unchanged*, the others are written with only the fields that
   differ, records needing the same values sharing one ``write``; records
   whose changes differ are written together by Odoo's import method
   (``load``: a header of the fields and a row of text per record), grouped by
   the fields that changed, up to ``batch_size`` a call, unless ``load=False``
   or a field cannot be loaded as text (binary, reference, properties...),
   which get one ``write`` each;
4. missing ones are created in one ``create`` of the whole list.

``load`` is all or nothing: when Odoo refuses some rows, nothing is kept and
each refused row comes back with Odoo's message; those are reported failed
(line and reason) and the others are loaded again. A ``load`` Odoo refuses
as a whole (a fault) falls back to one ``write`` per record.

When Odoo refuses a ``create`` or ``write`` (a fault: the transaction was
rolled back, nothing was written) the list is split in halves, and again,
until the records Odoo refuses are alone: the others land, and each refused
record is reported with Odoo's message.

A server that goes away (a restart: connections refused or reset, 502/503)
is waited for, up to ``outage`` seconds (see :mod:`._outage`). A call that
never reached it is sent again. A ``create`` or ``write`` whose reply was
lost is never replayed blindly: once the server answers, the records are
looked up again (by key for a ``create``, by id for a ``write``), those that
landed are counted, and only the rest is sent. Past the allowance the job
stops with the client's error; running the same input again is safe,
because records that did land are then found by their key and left
unchanged. Other failures of unknown outcome (a read timeout) are reported
as failed, with that reason.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec

from odoo_async import (
    AccessDenied,
    AccessError,
    AsyncModel,
    AuthenticationError,
    OdooError,
    RPCError,
)

from ._convert import (
    NOT_IMPORTED,
    FieldInfo,
    ValueProblem,
    import_value,
    load_cell,
    load_column,
    same_value,
    write_value,
)
from ._errors import JobError
from ._files import InputRow
from ._outage import DEFAULT_OUTAGE, Outage, Patience, Wait, check_outage
from ._progress import Meter, ProgressCallback
from ._shard import Shard, as_shard
from ._traced import traced

__all__ = ["DEFAULT_UPSERT_BATCH_SIZE", "XMLID", "FailedRecord", "UpsertReport", "upsert"]

DEFAULT_UPSERT_BATCH_SIZE = 200
#: the ``key`` naming external ids (``module.name``, through ``ir.model.data``)
XMLID = "xmlid"
_DEFAULT_MODULE = "__import__"  # where Odoo's own import puts ids without a module
#: field types that can identify a record
_KEY_TYPES = frozenset({"char", "text", "integer", "selection", "date", "datetime"})
#: faults that are about the caller, not about one record: splitting would not help
_NOT_PER_RECORD = (AccessError, AccessDenied, AuthenticationError)

logger = logging.getLogger("odoo_async.jobs")


@dataclass(frozen=True)
class FailedRecord:
    """A record that was not written: its line in the input, key, values and the reason."""

    line: int
    key: Any
    values: Mapping[str, Any] | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "key": self.key, "reason": self.reason, "record": self.values}


@dataclass
class UpsertReport:
    """What an upsert did. ``failed`` holds every record not written, with its reason."""

    model: str
    key: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[FailedRecord] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.failed)

    @property
    def rate(self) -> float:
        return self.total / self.elapsed if self.elapsed > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "key": self.key,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": len(self.failed),
            "total": self.total,
            "ignored_columns": self.ignored_columns,
            "elapsed": round(self.elapsed, 3),
            "rows_per_second": round(self.rate, 1),
        }


@dataclass
class _Pending:
    line: int
    key: Any
    source: Mapping[str, Any]
    values: dict[str, Any]  # converted, key included unless it is an external id
    record_id: int | None = None


def _failure_reason(exc: BaseException) -> str:
    if isinstance(exc, RPCError):
        return exc.message.strip() or str(exc)
    return str(exc)


def _outcome_unknown(exc: BaseException, what: str) -> str:
    return (
        f"outcome unknown, not replayed: the {what} may have happened "
        f"({type(exc).__name__}: {exc}); run the import again to settle it"
    )


def _split_xmlid(value: str) -> tuple[str, str]:
    module, dot, name = value.partition(".")
    return (module, name) if dot else (_DEFAULT_MODULE, value)


class _Upsert:
    def __init__(
        self,
        repo: AsyncModel[Any],
        key: str,
        meta: Mapping[str, FieldInfo],
        report: UpsertReport,
        meter: Meter,
        batch_size: int,
        patience: Patience,
        on_failed: Callable[[FailedRecord], None] | None,
        use_load: bool = True,
    ) -> None:
        self.repo = repo.with_context(active_test=False)
        # load reads datetimes in the user's timezone unless told otherwise; write takes UTC
        self.loader = self.repo.with_context(tz="UTC")
        self.use_load = use_load
        self.key = key
        self.meta = meta
        self.report = report
        self.meter = meter
        self.batch_size = batch_size
        self.patience = patience
        self.on_failed = on_failed
        self.seen_keys: dict[Any, int] = {}
        self.ignored: set[str] = set()

    def fail(self, line: int, key: Any, values: Mapping[str, Any] | None, reason: str) -> None:
        failed = FailedRecord(line, key, values, reason)
        self.report.failed.append(failed)
        self.meter.pending -= 1
        self.meter.done += 1
        if self.on_failed is not None:
            self.on_failed(failed)

    def confirmed(self, what: str, n: int) -> None:
        """``n`` records Odoo confirmed as ``what`` (``created``, ``updated``, ``unchanged``)."""
        setattr(self.report, what, getattr(self.report, what) + n)
        self.meter.pending -= n
        self.meter.add(n)

    # -- preparing ------------------------------------------------------------------

    def prepare(self, row: InputRow) -> _Pending | None:
        if row.values is None:
            self.fail(row.line, None, None, row.error or "unreadable row")
            return None
        source = row.values
        raw_key = source.get(self.key)
        if raw_key is None or (isinstance(raw_key, str) and not raw_key.strip()):
            self.fail(row.line, None, source, f"no value for the key {self.key!r}")
            return None
        values: dict[str, Any] = {}
        try:
            if self.key == XMLID:
                if not isinstance(raw_key, str):
                    raise ValueProblem(f"{XMLID}: {raw_key!r} is not an external id")
                key: Any = _split_xmlid(raw_key.strip())
            else:
                key = import_value(self.key, self.meta[self.key], raw_key)
            for name, value in source.items():
                if name == self.key and self.key in (XMLID, "id"):
                    continue
                info = self.meta.get(name)
                if info is None:
                    if "." in name or name == "_deleted":
                        self.ignored.add(name)  # exported extras (``country_id.name``)
                        continue
                    raise ValueProblem(f"{self.repo.name} has no field {name!r}")
                if name in NOT_IMPORTED or info.get("readonly") or info.get("type") == "one2many":
                    self.ignored.add(name)
                    continue
                values[name] = import_value(name, info, value)
        except ValueProblem as exc:
            self.fail(row.line, raw_key, source, str(exc))
            return None
        first = self.seen_keys.setdefault(key, row.line)
        if first != row.line:
            self.fail(
                row.line, raw_key, source, f"duplicate key: line {first} has the same {self.key}"
            )
            return None
        return _Pending(row.line, raw_key, source, values)

    # -- one batch ------------------------------------------------------------------

    async def run_batch(self, rows: list[InputRow]) -> None:
        pending = [p for p in (self.prepare(row) for row in rows) if p is not None]
        if pending:
            try:
                current = await self.patience.call(lambda: self.lookup(pending))
            except OdooError as exc:
                if self.patience.gave_up is not None:
                    raise
                for p in pending:
                    self.fail(p.line, p.key, p.source, f"key lookup failed: {_failure_reason(exc)}")
            else:
                await self.apply(pending, current)
        self.meter.report()

    async def lookup(self, pending: list[_Pending]) -> dict[int, dict[str, Any]]:
        """Sets ``record_id`` on the records that exist; returns their current values."""
        columns = sorted({name for p in pending for name in p.values} - {"id"})
        if self.key == XMLID:
            return await self._lookup_xmlids(pending, columns)
        keys = [p.values.get(self.key, p.key) if self.key != "id" else int(p.key) for p in pending]
        rows = await self.repo.search_read(
            [[self.key, "in", list(dict.fromkeys(keys))]],
            sorted({*columns, self.key}),
            page_size=max(self.batch_size, 1),
        )
        by_key: dict[Any, list[dict[str, Any]]] = {}
        for row in rows:
            by_key.setdefault(row[self.key], []).append(row)
        current: dict[int, dict[str, Any]] = {}
        for p, k in zip(pending, keys, strict=True):
            found = by_key.get(k, [])
            if len(found) > 1:
                ids = ", ".join(str(r["id"]) for r in found[:5])
                p.record_id = -1  # not written: reported below
                self.fail(
                    p.line,
                    p.key,
                    p.source,
                    f"{len(found)} {self.repo.name} records have {self.key} {k!r} (ids {ids})",
                )
            elif found:
                p.record_id = int(found[0]["id"])
                current[p.record_id] = found[0]
            elif self.key == "id":
                p.record_id = -1
                self.fail(p.line, p.key, p.source, f"no {self.repo.name} record with id {k}")
        return current

    async def _lookup_xmlids(
        self, pending: list[_Pending], columns: list[str]
    ) -> dict[int, dict[str, Any]]:
        pairs = {_split_xmlid(str(p.key).strip()) for p in pending}
        data: AsyncModel[dict[str, Any]] = AsyncModel(self.repo.odoo, "ir.model.data")
        found = await data.search_read(
            [
                ["model", "=", self.repo.name],
                ["module", "in", sorted({m for m, _ in pairs})],
                ["name", "in", sorted({n for _, n in pairs})],
            ],
            ["module", "name", "res_id"],
        )
        res_ids = {(r["module"], r["name"]): int(r["res_id"]) for r in found}
        rows = await self.repo.read(list(set(res_ids.values())), columns or ["id"])
        current = {int(r["id"]): r for r in rows}
        for p in pending:
            rid = res_ids.get(_split_xmlid(str(p.key).strip()))
            if rid is None:
                continue
            if rid not in current:
                p.record_id = -1
                self.fail(
                    p.line,
                    p.key,
                    p.source,
                    f"external id {p.key} points at {self.repo.name} {rid}, which no longer exists",
                )
            else:
                p.record_id = rid
        return current

    async def apply(self, pending: list[_Pending], current: dict[int, dict[str, Any]]) -> None:
        to_create = [p for p in pending if p.record_id is None]
        groups: dict[bytes, tuple[dict[str, Any], list[_Pending]]] = {}
        for p in pending:
            if p.record_id is None or p.record_id < 0:
                continue
            now = current[p.record_id]
            changes = {
                name: value
                for name, value in p.values.items()
                if name != "id" and not same_value(self.meta[name], value, now.get(name))
            }
            if not changes:
                self.confirmed("unchanged", 1)
                continue
            signature = msgspec.json.encode(sorted(changes.items(), key=lambda kv: kv[0]))
            groups.setdefault(signature, (changes, []))[1].append(p)
        jobs = [self.create(to_create)] if to_create else []
        # Records alone with their changes: together through load, by the fields that changed.
        loads: dict[tuple[str, ...], list[tuple[_Pending, dict[str, Any]]]] = {}
        for changes, members in groups.values():
            names = tuple(sorted(changes))
            if len(members) == 1 and self.use_load and self._loadable(names):
                loads.setdefault(names, []).append((members[0], changes))
                continue
            for start in range(0, len(members), self.batch_size):
                jobs.append(self.write(members[start : start + self.batch_size], changes))
        for names, items in loads.items():
            if len(items) == 1:  # one record: a write says the same in fewer bytes
                ((p, changes),) = items
                jobs.append(self.write([p], changes))
                continue
            for start in range(0, len(items), self.batch_size):
                jobs.append(self.load(items[start : start + self.batch_size], names))
        if jobs:
            await asyncio.gather(*jobs)

    def _loadable(self, names: tuple[str, ...]) -> bool:
        return all(load_column(n, self.meta[n]) is not None for n in names)

    # -- writing, splitting what Odoo refuses ------------------------------------------

    async def refused(
        self,
        pending: list[_Pending],
        exc: RPCError,
        again: Callable[[list[_Pending]], Awaitable[None]],
    ) -> None:
        """Odoo refused ``pending`` as a whole (rolled back): each alone fails with the
        reason, else each half goes ``again``, until the refused records are alone."""
        if len(pending) == 1 or isinstance(exc, _NOT_PER_RECORD):
            for p in pending:
                self.fail(p.line, p.key, p.source, _failure_reason(exc))
            return
        half = len(pending) // 2
        await again(pending[:half])
        await again(pending[half:])

    async def create(self, pending: list[_Pending]) -> None:
        vals_list = [
            {n: write_value(self.meta[n], v) for n, v in p.values.items()} for p in pending
        ]
        wait = self.patience.wait()
        while True:
            try:
                ids = await self.repo.call("create", vals_list)
            except RPCError as exc:
                await self.refused(pending, exc, self.create)
                return
            except OdooError as exc:
                kind = await self.waited(wait, exc, pending, "create")
                if kind is Outage.NOT_SENT:
                    continue  # it never reached Odoo: send it again
                if kind is Outage.UNKNOWN and self.key != XMLID:
                    await self.settle_create(pending)
                elif kind is Outage.UNKNOWN:
                    for p in pending:  # an external id cannot be looked up before it is stored
                        self.fail(p.line, p.key, p.source, _outcome_unknown(exc, "create"))
                return
            break
        self.patience.back()
        if self.key == XMLID:
            await self._record_xmlids(pending, [int(i) for i in ids])
        else:
            self.confirmed("created", len(pending))

    async def waited(
        self, wait: Wait, exc: OdooError, pending: list[_Pending], what: str
    ) -> Outage | None:
        """After a ``create`` or ``write`` failed with ``exc``: wait for the server
        if it went away and say how far the call got; ``None`` (the records are
        reported failed) when it is no outage. Raises once the allowance is spent."""
        try:
            return await wait(exc)
        except OdooError:
            if self.patience.gave_up is not None:
                raise
        for p in pending:
            self.fail(p.line, p.key, p.source, _outcome_unknown(exc, what))
        return None

    async def settle_create(self, pending: list[_Pending]) -> None:
        """A ``create`` whose reply was lost: look the keys up again (the server
        answers by now) and create only the records that did not land."""
        try:
            await self.patience.call(lambda: self.lookup(pending))
        except OdooError as exc:
            if self.patience.gave_up is not None:
                raise
            for p in pending:
                self.fail(p.line, p.key, p.source, _outcome_unknown(exc, "create"))
            return
        landed = sum(1 for p in pending if p.record_id is not None and p.record_id > 0)
        missing = [p for p in pending if p.record_id is None]
        logger.info(
            "import %s: a create of %d records lost its reply; %d had landed, %d are created now",
            self.repo.name,
            len(pending),
            landed,
            len(missing),
        )
        if landed:
            self.confirmed("created", landed)
        if missing:
            await self.create(missing)

    async def _record_xmlids(self, pending: list[_Pending], ids: list[int]) -> None:
        data: AsyncModel[dict[str, Any]] = AsyncModel(self.repo.odoo, "ir.model.data")
        rows = []
        for p, rid in zip(pending, ids, strict=True):
            module, name = _split_xmlid(str(p.key).strip())
            rows.append({"module": module, "name": name, "model": self.repo.name, "res_id": rid})
        try:
            await data.call("create", rows)
        except OdooError as exc:
            for p, rid in zip(pending, ids, strict=True):
                self.fail(
                    p.line,
                    p.key,
                    p.source,
                    f"created as {self.repo.name} {rid}, but its external id was not stored: "
                    f"{_failure_reason(exc)}",
                )
            return
        self.confirmed("created", len(pending))

    async def write(self, pending: list[_Pending], changes: dict[str, Any]) -> None:
        ids = [p.record_id for p in pending]
        wire = {name: write_value(self.meta[name], value) for name, value in changes.items()}
        wait = self.patience.wait()
        while True:
            try:
                await self.repo.call("write", ids, wire)
            except RPCError as exc:
                await self.refused(pending, exc, lambda part: self.write(part, changes))
                return
            except OdooError as exc:
                kind = await self.waited(wait, exc, pending, "write")
                if kind is Outage.NOT_SENT:
                    continue
                if kind is Outage.UNKNOWN:
                    await self.settle_write(pending, changes)
                return
            break
        self.patience.back()
        self.confirmed("updated", len(pending))

    async def load(
        self, items: list[tuple[_Pending, dict[str, Any]]], names: tuple[str, ...]
    ) -> None:
        """Write records whose changes differ in one ``load`` call: a row of text each.

        Rows Odoo refuses are reported (line, Odoo's message) and the others
        loaded again; a ``load`` refused as a whole falls back to ``write``.
        """
        columns = [".id", *(str(load_column(n, self.meta[n])) for n in names)]
        rows = [
            [str(p.record_id), *(load_cell(self.meta[n], changes[n]) for n in names)]
            for p, changes in items
        ]
        pending = [p for p, _ in items]
        wait = self.patience.wait()
        while True:
            try:
                answer = await self.loader.call("load", columns, rows)
            except RPCError:
                # load refused as a whole (not allowed, not there): a write each
                await asyncio.gather(*(self.write([p], changes) for p, changes in items))
                return
            except OdooError as exc:
                kind = await self.waited(wait, exc, pending, "write")
                if kind is Outage.NOT_SENT:
                    continue
                if kind is Outage.UNKNOWN:  # one transaction: all rows landed, or none
                    await asyncio.gather(*(self.settle_write([p], c) for p, c in items))
                return
            break
        self.patience.back()
        if isinstance(answer, dict) and isinstance(answer.get("ids"), list):
            self.confirmed("updated", len(items))
            return
        messages = answer.get("messages", []) if isinstance(answer, dict) else []
        refused: dict[int, list[str]] = {}
        for message in messages:
            index = message.get("record") if isinstance(message, dict) else None
            if isinstance(index, int) and 0 <= index < len(items):
                refused.setdefault(index, []).append(_load_reason(message))
        if not refused:  # nothing names a row: a write each says which
            await asyncio.gather(*(self.write([p], changes) for p, changes in items))
            return
        for index, reasons in sorted(refused.items()):
            p = items[index][0]
            self.fail(p.line, p.key, p.source, "; ".join(reasons))
        rest = [item for i, item in enumerate(items) if i not in refused]
        if rest:
            await self.load(rest, names)

    async def settle_write(self, pending: list[_Pending], changes: dict[str, Any]) -> None:
        """A ``write`` whose reply was lost: read the records again (the server
        answers by now) and write only those that do not hold the values yet."""
        ids = [int(p.record_id or 0) for p in pending]
        try:
            rows = await self.patience.call(lambda: self.repo.read(ids, sorted(changes)))
        except OdooError as exc:
            if self.patience.gave_up is not None:
                raise
            for p in pending:
                self.fail(p.line, p.key, p.source, _outcome_unknown(exc, "write"))
            return
        now = {int(row["id"]): row for row in rows}
        missing = [
            p
            for p in pending
            if not all(
                same_value(self.meta[name], value, now.get(int(p.record_id or 0), {}).get(name))
                for name, value in changes.items()
            )
        ]
        if len(missing) < len(pending):
            self.confirmed("updated", len(pending) - len(missing))
        if missing:
            await self.write(missing, changes)


def _taken(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()


def _load_reason(message: Mapping[str, Any]) -> str:
    """One of ``load``'s messages as a reason: the field, then Odoo's words."""
    text = str(message.get("message") or "refused by Odoo").strip()
    if len(text) > 1 and text[0] == text[-1] == "'":  # a refused write comes quoted
        text = text[1:-1]
    field = message.get("field")
    return f"{field}: {text}" if isinstance(field, str) and field != ".id" else text


def _owned(part: Shard, row: InputRow, key: str) -> bool:
    value = row.values.get(key) if row.values is not None else None
    if key == XMLID and isinstance(value, str) and value.strip():
        value = ".".join(_split_xmlid(value.strip()))
    return part.owns_key(value, row.line)


def _as_input(item: Mapping[str, Any] | InputRow, index: int) -> InputRow:
    if isinstance(item, InputRow):
        return item
    return InputRow(index + 1, dict(item))


def _upserted(done: UpsertReport) -> dict[str, int]:
    return {
        "odoo.job.created": done.created,
        "odoo.job.updated": done.updated,
        "odoo.job.unchanged": done.unchanged,
        "odoo.job.failed": len(done.failed),
    }


@traced("upsert", _upserted)
async def upsert(
    repo: AsyncModel[Any],
    records: Iterable[Mapping[str, Any] | InputRow] | AsyncIterable[Mapping[str, Any] | InputRow],
    *,
    key: str,
    batch_size: int = DEFAULT_UPSERT_BATCH_SIZE,
    concurrency: int = 4,
    total: int | None = None,
    progress: ProgressCallback | None = None,
    shard: Shard | str | tuple[int, int] | None = None,
    outage: float = DEFAULT_OUTAGE,
    on_failed: Callable[[FailedRecord], None] | None = None,
    load: bool = True,
) -> UpsertReport:
    """Create or update the ``records`` of ``repo`` by ``key``; see the module docstring.

    Columns Odoo fills itself, read-only fields, one2many fields and exported
    extras (``country_id.name``) are not written; they are listed in
    ``report.ignored_columns``. A record whose values do not fit, whose key
    is missing or repeated, or that Odoo refuses is reported in
    ``report.failed``, with the reason; the job never stops for a record. A
    column that names no field of the model fails every record that has it
    (:func:`check_columns` refuses such a file beforehand). Keys are looked up
    among archived records too.

    **Parameters:**

    * **repo** - The repository to write, one whose rows are dicts
      (``odoo.model("res.partner")``).
    * **records** - An iterable or async iterable of mappings of field name to
      value (text from a CSV file is converted by field type), or of
      :class:`InputRow` values as :func:`read_rows` gives them (a row it
      could not read is reported failed). A mapping's line is its position in
      ``records``, from 1.
    * **key** - What identifies a record: a field of type char, text,
      integer, selection, date or datetime (``"ref"``, ``"email"``); ``"id"``
      to update by database id (a missing id fails its record, nothing is
      created); or ``"xmlid"`` for external ids ``module.name`` (a name
      without a module goes to ``__import__``). Anything else raises
      :class:`JobError`.
    * **batch_size** - *(optional)* Records per batch, an int ``>= 1``: a
      batch's keys are looked up together, its new records created in one
      ``create``, and its changes written in ``write`` calls of at most that
      many records. Default 200 (:data:`DEFAULT_UPSERT_BATCH_SIZE`).
    * **concurrency** - *(optional)* Batches in flight at once, an int
      ``>= 1``. Default 4.
    * **total** - *(optional)* How many records to expect, only for the
      progress reports' ``total``; ``None`` (the default) for unknown.
    * **progress** - *(optional)* A function called with a :class:`Progress`
      once at the start and after each batch; ``done`` counts the input
      records of this shard.
    * **shard** - *(optional)* ``"I/N"``, ``(I, N)`` or a :class:`Shard`
      (``1 <= I <= N``), or ``None`` (the default) for the whole job. A
      worker writes only its part of ``records``: N workers given the same
      input and each its I write every record once between them, the rows of
      one key always in one part (see :mod:`._shard`).
    * **outage** - *(optional)* Seconds to wait for a server that refuses
      connections, resets them or answers 502/503/504 (a restart), on top of
      the client's own retries (see the module docstring: nothing is replayed
      blindly). Past that it raises the client's error; what landed so far
      stays. ``0`` stops at once. Default 60 (:data:`DEFAULT_OUTAGE`).
    * **on_failed** - *(optional)* A function called with each
      :class:`FailedRecord` as soon as it is known (to write a reject file as
      the job goes); ``report.failed`` holds them all in the end.
    * **load** - *(optional)* ``True`` (the default) writes records whose
      changes differ together through Odoo's ``load`` (see the module
      docstring); ``False`` sends one ``write`` per such record, as before.
    """
    patience = Patience(repo.odoo, check_outage(outage), f"import {repo.name}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    part = as_shard(shard)
    meta = await patience.call(
        lambda: repo.fields_get(attributes=["type", "readonly", "relation", "required"])
    )
    if key != XMLID and key not in meta:
        raise JobError(f"{repo.name} has no field {key!r} to use as the key")
    if key != XMLID and meta[key].get("type") not in _KEY_TYPES:
        raise JobError(
            f"{repo.name}.{key} is a {meta[key].get('type')} field; a key is text or a number "
            "(ref, email, id...) or xmlid"
        )
    report = UpsertReport(repo.name, key)
    meter = Meter("import", progress, total=total)
    meter.report()
    job = _Upsert(repo, key, meta, report, meter, batch_size, patience, on_failed, load)
    running: set[asyncio.Task[None]] = set()

    async def launch(batch: list[InputRow]) -> None:
        while len(running) >= concurrency:
            done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            running.difference_update(done)
            failures = [t.exception() for t in done if not t.cancelled()]
            for failure in failures:  # a bug or the server gone for good, not a record
                if failure is not None:
                    raise failure
        meter.pending += len(batch)
        meter.report()
        running.add(asyncio.ensure_future(job.run_batch(batch)))

    try:
        batch: list[InputRow] = []
        index = 0
        if isinstance(records, AsyncIterable):
            async for item in records:
                row = _as_input(item, index)
                index += 1
                if part is not None and not _owned(part, row, key):
                    continue
                batch.append(row)
                if len(batch) >= batch_size:
                    await launch(batch)
                    batch = []
        else:
            for item in records:
                row = _as_input(item, index)
                index += 1
                if part is not None and not _owned(part, row, key):
                    continue
                batch.append(row)
                if len(batch) >= batch_size:
                    await launch(batch)
                    batch = []
        if batch:
            await launch(batch)
        if running:
            await asyncio.gather(*running)
    except BaseException:
        for task in running:  # the others stop; what they failed with is taken, not logged
            if task.done():
                if not task.cancelled():
                    task.exception()
            else:
                task.cancel()
                task.add_done_callback(_taken)
        raise
    report.failed.sort(key=lambda f: f.line)
    report.ignored_columns = sorted(job.ignored)
    report.elapsed = meter.elapsed
    return report


async def check_columns(
    repo: AsyncModel[Any], columns: Sequence[str], key: str, *, outage: float = DEFAULT_OUTAGE
) -> None:
    """Refuse, before anything is written, a file whose columns cannot be imported by ``key``.

    Raises :class:`JobError` when the key column is missing or a column names
    no field of the model (exported extras such as ``country_id.name`` pass).

    **Parameters:**

    * **repo** - The repository the file is for.
    * **columns** - The file's column names (:func:`first_columns` gives them).
    * **key** - The ``key`` of the :func:`upsert` to come.
    * **outage** - *(optional)* Seconds to wait for a server that went away
      (see :func:`upsert`). Default 60.
    """
    if key not in columns:
        shown = ", ".join(columns[:8]) + (", ..." if len(columns) > 8 else "")
        raise JobError(
            f"the file has no {key!r} column to import by (its columns: {shown or 'none'})"
        )
    patience = Patience(repo.odoo, check_outage(outage), f"import {repo.name}")
    meta = await patience.call(lambda: repo.fields_get(attributes=["type"]))
    unknown = [
        c for c in columns if c not in meta and c not in (key, "id", "_deleted") and "." not in c
    ]
    if unknown:
        raise JobError(f"{repo.name} has no field {', '.join(map(repr, unknown))} (a file column)")
