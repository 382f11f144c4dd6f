"""``export`` and ``sync``: stream records of one model to a JSON Lines or CSV file.

``export`` walks the matching records in ``id`` order through the repository's
export engine (``search_read``'s id windows: pages sized and fetched as the
server allows, yielded in id order, a bounded number held). After each page
is written and on disk it records a checkpoint next
to the file (the query, the fields, the last id written and the file's size):
``resume=True`` cuts the file back to that size and goes on after that id, so
a killed export ends with every row exactly once. A server that goes away
for a while (a restart) is waited for, up to ``outage`` seconds (see
:mod:`._outage`): the walk then goes on after the last id written, in the
same run.

``sync`` exports what changed since its last run, by ``write_date``. Odoo
stores ``write_date`` with microseconds but reads and compares it as
``YYYY-MM-DD HH:MM:SS``, so the walk takes whole seconds as its unit: pages
of rows in ``(write_date, id)`` order give the seconds that are complete,
and the rows of the last second of a page are then read by ``id`` (keyset),
whatever their count. Rows sharing a timestamp are neither skipped nor
repeated, and a row written during the walk moves to the end, where the
walk meets it. The state file holds the last second reached (the watermark)
and a digest of each row exported within ``overlap`` seconds of it: the next
run reads those seconds again and exports only the rows that are new there
or whose values differ, so a row written again within the watermark's
second, or committed late by a long transaction (Odoo stamps ``write_date``
when the transaction starts), is not lost, and an unchanged row is not
repeated. The state is written only once the output file is complete and
on disk; a run that dies leaves the state as it was, and the next run
exports those rows again. With ``deletes=True`` the rows that left the query
since the last run (deleted or archived) are written as
``{"id": n, "_deleted": true}``.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import json
import logging
import os
from collections.abc import AsyncGenerator, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec

from odoo_async import AsyncModel, Domain, DomainLike, OdooError, normalize_domain, otel

from ._convert import export_row
from ._errors import CheckpointError, JobError
from ._files import STDOUT, Format, RowSink, file_format
from ._outage import DEFAULT_OUTAGE, Patience, check_outage
from ._progress import Meter, ProgressCallback
from ._shard import Shard, as_shard
from ._traced import traced

logger = logging.getLogger("odoo_async")

__all__ = [
    "DEFAULT_EXPORT_PAGE_SIZE",
    "DEFAULT_SYNC_OVERLAP",
    "ExportResult",
    "SyncResult",
    "export",
    "sync",
]

DEFAULT_EXPORT_PAGE_SIZE = 1000
_CHECKPOINT_VERSION = 1
#: seconds before the watermark that the next sync reads again (late commits)
DEFAULT_SYNC_OVERLAP = 60.0
_ODOO_DATETIME = "%Y-%m-%d %H:%M:%S"
_ENCODER = msgspec.json.Encoder()
#: field types not exported unless asked for by name (large, or not data)
_SKIPPED_BY_DEFAULT = frozenset({"binary", "one2many"})


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: ``rows`` in the file (``resumed_from`` of them before this run).

    ``plan``: how the rows were fetched (``SearchReadPager.plan``: the page size,
    the requests in flight, the steps the engine took and why).
    """

    model: str
    path: str
    rows: int
    resumed_from: int
    elapsed: float
    complete: bool = True
    plan: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Rows per second written by this run."""
        return (self.rows - self.resumed_from) / self.elapsed if self.elapsed > 0 else 0.0


@dataclass(frozen=True)
class SyncResult:
    """What one sync run wrote: ``changed`` rows and ``deleted`` tombstones."""

    model: str
    path: str
    changed: int
    deleted: int
    second: str | None
    elapsed: float

    @property
    def rate(self) -> float:
        return self.changed / self.elapsed if self.elapsed > 0 else 0.0


def _exported(done: ExportResult) -> dict[str, int]:
    return {"odoo.job.rows": done.rows}


def _synced(done: SyncResult) -> dict[str, int]:
    return {"odoo.job.changed": done.changed, "odoo.job.deleted": done.deleted}


async def field_types(
    repo: AsyncModel[Any], fields: Sequence[str] | None
) -> tuple[list[str], dict[str, str]]:
    """The fields to export (``id`` first) and their types, checked against ``fields_get``."""
    meta = await repo.fields_get(attributes=["type", "store"])
    if fields is None:
        chosen = [
            name
            for name, info in meta.items()
            if info.get("store", True) and info.get("type") not in _SKIPPED_BY_DEFAULT
        ]
    else:
        if isinstance(fields, str):
            raise TypeError("fields must be a list of names, not a string")
        unknown = [f for f in fields if f not in meta and f != "id"]
        if unknown:
            raise JobError(f"{repo.name} has no field {', '.join(map(repr, unknown))}")
        chosen = list(dict.fromkeys(fields))
    chosen = ["id", *(f for f in chosen if f != "id")]
    types = {name: str(meta.get(name, {}).get("type", "integer")) for name in chosen}
    return chosen, types


def _and(domain: list[Any], extra: list[Any]) -> list[Any]:
    if not extra:
        return domain
    if not domain:
        return extra
    return (Domain(extra) & Domain(domain)).to_list()


def id_range_domain(id_range: tuple[int | None, int | None] | None) -> list[Any]:
    """``[lo, hi)`` as a domain on ``id`` (either end may be open)."""
    if id_range is None:
        return []
    lo, hi = id_range
    terms: list[Any] = []
    if lo is not None:
        terms.append(["id", ">=", lo])
    if hi is not None:
        terms.append(["id", "<", hi])
    return terms


def _write_json_atomic(path: Path, data: Mapping[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"{path}: cannot read the {what} ({exc})") from None
    if not isinstance(data, dict) or data.get("version") != _CHECKPOINT_VERSION:
        raise CheckpointError(f"{path}: not an odoo_async {what}")
    return data


def _differences(saved: Mapping[str, Any], identity: Mapping[str, Any]) -> str:
    """What differs between a saved checkpoint or state and this job, as
    ``key was X, now Y`` parts (``""`` when nothing does)."""
    now = json.loads(json.dumps(identity))  # tuples as lists, as they were saved
    parts = [
        f"{key} was {json.dumps(saved.get(key))}, now {json.dumps(value)}"
        for key, value in now.items()
        if saved.get(key) != value
    ]
    return "; ".join(parts)


def checkpoint_path(path: str | os.PathLike[str]) -> Path:
    """Where an export to ``path`` keeps its checkpoint: ``<path>.checkpoint``.

    **Parameters:**

    * **path** - The path of the export's file.
    """
    p = Path(path)
    return p.with_name(p.name + ".checkpoint")


def _resume_state(
    ckpt: Path, identity: Mapping[str, Any], sink: str | os.PathLike[str]
) -> dict[str, Any]:
    if not ckpt.exists():
        raise CheckpointError(f"{ckpt}: no checkpoint to resume from (start without resume)")
    state = _read_json(ckpt, "export checkpoint")
    differences = _differences(state, identity)
    if differences:
        raise CheckpointError(
            f"{ckpt} was made by another export: {differences}; to go on with it, resume "
            "with what it was made with (each 'was' above); to start over, export "
            f"without resume (it rewrites {os.fspath(sink)} and the checkpoint) or delete {ckpt}"
        )
    if not Path(sink).exists():
        raise CheckpointError(f"{os.fspath(sink)}: the file of the checkpoint is gone")
    return state


def _sync_state(
    path: Path, identity: Mapping[str, Any]
) -> tuple[str | None, dict[str, list[str]], set[int]]:
    """The last second reached, the digests of its rows, and the ids present last time."""
    if not path.exists():
        return None, {}, set()
    saved = _read_json(path, "sync state")
    differences = _differences(saved, identity)
    if differences:
        raise CheckpointError(
            f"{path} was made by another sync: {differences}; to start over, delete {path} "
            "(the next run exports every row) or give another state file"
        )
    second = saved.get("second")
    seen = {
        str(key): [str(v) for v in value]
        for key, value in (saved.get("seen") or {}).items()
        if isinstance(value, list) and len(value) == 2
    }
    return (str(second) if second else None), seen, ranges_to_ids(saved.get("ids") or [])


@traced("export", _exported)
async def export(
    repo: AsyncModel[Any],
    domain: DomainLike,
    fields: Sequence[str] | None,
    sink: str | os.PathLike[str],
    *,
    format: Format | None = None,
    resume: bool = False,
    checkpoint: str | os.PathLike[str] | None = None,
    id_range: tuple[int | None, int | None] | None = None,
    page_size: int | None = None,
    progress: ProgressCallback | None = None,
    shard: Shard | str | tuple[int, int] | None = None,
    outage: float = DEFAULT_OUTAGE,
) -> ExportResult:
    """Write every record of ``repo`` matching ``domain`` to the file ``sink``.

    The rows go out in ``id`` order, ``id`` first. After each page is written
    and on disk, the checkpoint records how far the export got; with
    ``resume=True`` the export continues from it. A sharded export (``shard``)
    reads the matching ids first (one ``search``), then reads its own rows
    ``page_size`` at a time, one page after another.

    **Parameters:**

    * **repo** - The repository to export, one whose rows are dicts
      (``odoo.model("res.partner")``, not a :class:`Record` class).
    * **domain** - Which records: a :class:`Domain`, a raw Odoo domain, or
      ``None`` for all.
    * **fields** - The field names to write, or ``None`` for every stored field
      but binary and one2many ones. A name the model does not have raises
      :class:`JobError`.
    * **sink** - The path of the file to write; it is created or overwritten
      (with ``resume``, cut back to the checkpoint and appended to). ``"-"``
      writes to standard output (JSON Lines unless ``format`` says otherwise),
      with no checkpoint unless ``checkpoint`` is given, and no ``resume``.
    * **format** - *(optional)* ``"jsonl"`` or ``"csv"``, or ``None`` (the
      default) for the format the file's suffix names (``.jsonl``,
      ``.ndjson``, ``.csv``; another suffix raises :class:`FileFormatError`).
    * **resume** - *(optional)* ``True`` goes on from the checkpoint: the file
      is cut back to what the checkpoint holds and the export resumes after
      its last id; a checkpoint of a finished export returns at once. Raises
      :class:`CheckpointError` when there is no checkpoint, when it was made
      by another export (model, domain, ``id_range``, fields, format or
      shard), or when the file is gone. Default ``False``.
    * **checkpoint** - *(optional)* The checkpoint's path, or ``None`` (the
      default) for ``<sink>.checkpoint``.
    * **id_range** - *(optional)* ``(lo, hi)`` keeps the records with
      ``lo <= id < hi`` (either end ``None`` for open), to split one export
      among workers; ``None`` (the default) for every id.
    * **page_size** - *(optional)* Rows per request, an int ``>= 1``, or
      ``None`` (the default): the export engine sizes the pages and the
      requests in flight from what the server shows (see the README,
      "Exports"); a sharded export then reads 1,000 ids at a time
      (:data:`DEFAULT_EXPORT_PAGE_SIZE`).
    * **progress** - *(optional)* A function called with a :class:`Progress`
      once at the start and after each page written.
    * **shard** - *(optional)* ``"I/N"``, ``(I, N)`` or a :class:`Shard`
      (``1 <= I <= N``), or ``None`` (the default) for the whole job. Shard
      ``I`` of ``N`` writes only the records with ``id % N == I - 1``: N
      workers, each given its I and its own file (and so its own checkpoint),
      write every record once between them.
    * **outage** - *(optional)* Seconds to wait for a server that refuses
      connections, resets them or answers 502/503/504 (a restart), on top of
      the client's own retries: the export tries again with backoff and goes
      on after the last row written. Past that it raises the client's error,
      the checkpoint holding every row written. ``0`` stops at once. Default
      60 (:data:`DEFAULT_OUTAGE`).
    """
    part = as_shard(shard)
    patience = Patience(repo.odoo, check_outage(outage), f"export {repo.name}")
    fmt = file_format(sink, format)
    to_stdout = os.fspath(sink) == STDOUT
    if to_stdout and resume:
        raise JobError("an export to standard output ('-') keeps no checkpoint to resume from")
    query = _and(normalize_domain(domain), id_range_domain(id_range))
    names, types = await patience.call(lambda: field_types(repo, fields))
    ckpt: Path | None
    if checkpoint is not None:
        ckpt = Path(checkpoint)
    else:
        ckpt = None if to_stdout else checkpoint_path(sink)
    identity = {"model": repo.name, "domain": query, "fields": names, "format": fmt}
    if part is not None:
        identity["shard"] = str(part)
    last_id: int | None = None
    done = 0
    truncate_at: int | None = None
    if resume:
        assert ckpt is not None
        state = _resume_state(ckpt, identity, sink)
        if state.get("complete"):
            rows = int(state["rows"])
            return ExportResult(repo.name, os.fspath(sink), rows, rows, 0.0)
        last_id, done, truncate_at = state["last_id"], int(state["rows"]), int(state["bytes"])
    walk = query if last_id is None else _and(query, [["id", ">", last_id]])
    mine: list[int] = []
    pagers: list[Any] = []  # each walk's pager (a walk after an outage plans anew)
    if part is None:
        total = done + await patience.call(lambda: repo.search_count(walk))
    else:
        found = await patience.call(lambda: repo.search(walk, order="id"))
        mine = [i for i in found if part.owns_id(i)]
        total = done + len(mine)

    def pages_after(after: int | None) -> AsyncGenerator[list[Any], None]:
        """The pages of the rows after the id ``after`` (all of them for ``None``)."""
        if part is None:
            rest = query if after is None else _and(query, [["id", ">", after]])
            pager = repo.search_read(rest, names, page_size=page_size)
            pagers.append(pager)
            return pager.pages()
        left = mine if after is None else mine[bisect.bisect_right(mine, after) :]
        return _read_pages(repo, left, names, page_size or DEFAULT_EXPORT_PAGE_SIZE)

    meter = Meter("export", progress, total=total, done=done)
    meter.report()
    with RowSink(sink, names, types, format=fmt, truncate_at=truncate_at) as out:

        def save(complete: bool) -> None:
            size = out.sync()
            if ckpt is None:
                return
            _write_json_atomic(
                ckpt,
                {
                    "version": _CHECKPOINT_VERSION,
                    **identity,
                    "last_id": last_id,
                    "rows": meter.done,
                    "bytes": size,
                    "complete": complete,
                },
            )

        if truncate_at is None:
            save(False)  # the header is out: a resume can start from here
        wait = patience.wait()
        while True:
            try:
                async with aclosing(pages_after(last_id)) as pages:
                    async for page in pages:
                        patience.back()
                        out.write([export_row(row, names, types) for row in page])
                        last_id = int(page[-1]["id"])
                        meter.done += len(page)
                        save(False)
                        meter.report()
                break
            except OdooError as exc:
                await wait(exc)  # the server went away: wait, then go on after last_id
        save(True)
    plan: dict[str, Any]
    if part is None:
        plan = dict(pagers[-1].plan) if pagers else {}  # each walk writes it when it begins
        if len(pagers) > 1:
            plan["walks"] = len(pagers)  # the server went away and the export went on
    else:
        size = page_size or DEFAULT_EXPORT_PAGE_SIZE
        plan = {"strategy": "the shard's ids, read in pages", "page_size": size}
    logger.debug("export %s: plan %s", repo.name, plan)
    return ExportResult(repo.name, os.fspath(sink), meter.done, done, meter.elapsed, plan=plan)


async def _read_pages(
    repo: AsyncModel[Any], ids: list[int], names: list[str], page_size: int
) -> AsyncGenerator[list[Any], None]:
    """The rows of ``ids`` (ascending), ``page_size`` at a time; ids gone since are skipped."""
    for start in range(0, len(ids), page_size):
        page: dict[str, str | int] = {
            "odoo.model": repo.name,
            "odoo.page.offset": start,
            "odoo.page.limit": page_size,
        }
        with otel.span(f"{repo.name} page", page) as span:
            rows = await repo.read(ids[start : start + page_size], names)
            span.set_attribute("odoo.page.rows", len(rows))
        if rows:
            yield rows


# -- sync ---------------------------------------------------------------------------


def ids_to_ranges(ids: set[int]) -> list[list[int]]:
    """``{1, 2, 3, 7}`` as ``[[1, 3], [7, 7]]``: a compact id set for a state file."""
    out: list[list[int]] = []
    for i in sorted(ids):
        if out and out[-1][1] == i - 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


def ranges_to_ids(ranges: list[list[int]]) -> set[int]:
    return {i for lo, hi in ranges for i in range(lo, hi + 1)}


def _shift(second: str, seconds: float) -> str:
    moment = datetime.strptime(second, _ODOO_DATETIME) + timedelta(seconds=seconds)
    return moment.strftime(_ODOO_DATETIME)


def _next_second(second: str) -> str:
    return _shift(second, 1)


def in_window(first: str, last: str) -> list[Any]:
    """Rows whose ``write_date`` falls in the seconds ``first`` to ``last``, both
    included (Odoo stores microseconds: a second is ``[s, s + 1)``)."""
    return ["&", ["write_date", ">=", first], ["write_date", "<", _next_second(last)]]


def _row_hash(row: Mapping[str, Any]) -> str:
    return hashlib.blake2b(_ENCODER.encode(row), digest_size=8).hexdigest()


#: id -> [write_date, digest of the exported row]: what a run exported near its watermark
Seen = dict[str, list[str]]


class _SyncWalk:
    """One run of ``sync``: see the module docstring."""

    def __init__(
        self,
        repo: AsyncModel[Any],
        query: list[Any],
        names: list[str],
        types: Mapping[str, str],
        out: RowSink,
        meter: Meter,
        page_size: int,
        seen: Seen,
        patience: Patience,
    ) -> None:
        self.repo = repo
        self.patience = patience
        self.query = query
        self.names = names
        self.types = types
        self.read_fields = names if "write_date" in names else [*names, "write_date"]
        self.out = out
        self.meter = meter
        self.page_size = page_size
        self.seen = seen
        self.floor = ""  # rows written before this need no digest kept
        self.changed = 0
        self.written: set[int] = set()

    def advance(self, second: str, overlap: float) -> None:
        """The watermark is at least ``second``: forget digests the next run cannot need."""
        self.floor = _shift(second, -overlap)
        for key in [k for k, (written, _) in self.seen.items() if written < self.floor]:
            del self.seen[key]

    def emit(self, rows: Sequence[Mapping[str, Any]]) -> None:
        batch = []
        for row in rows:
            exported = export_row(row, self.names, self.types)
            key, written = str(row["id"]), str(row["write_date"])
            before = self.seen.get(key)
            if before is not None or written >= self.floor:
                digest = _row_hash(exported)
                if written >= self.floor:
                    self.seen[key] = [written, digest]
                else:
                    del self.seen[key]
                if before is not None and before[1] == digest:
                    continue  # exported by an earlier run, unchanged since
            batch.append(exported)
            self.written.add(int(row["id"]))
        self.out.write(batch)
        self.changed += len(batch)
        self.meter.add(len(rows))  # rows looked at: the total counts the overlap too

    async def finish(self, first: str, last: str) -> None:
        """Every row written in the seconds ``first`` to ``last`` and not exported
        as it is now, in id order (keyset: however many share a second)."""
        window = _and(self.query, in_window(first, last))
        after: int | None = None  # the last id emitted: a walk cut by an outage goes on there
        wait = self.patience.wait()
        while True:
            rest = window if after is None else _and(window, [["id", ">", after]])
            pager = self.repo.search_read(
                rest, self.read_fields, keyset=True, page_size=self.page_size
            )
            try:
                async with aclosing(pager.pages()) as pages:
                    async for page in pages:
                        self.patience.back()
                        self.emit(page)
                        after = int(page[-1]["id"])
                return
            except OdooError as exc:
                await wait(exc)

    async def run(self, second: str | None, overlap: float) -> str | None:
        if second is not None:
            self.advance(second, overlap)
            await self.finish(_shift(second, -overlap), second)
        while True:
            after = [] if second is None else [["write_date", ">=", _next_second(second)]]
            domain = _and(self.query, after)
            page = await self.patience.call(
                lambda domain=domain: self.repo.search_read(  # type: ignore[misc]
                    domain,
                    self.read_fields,
                    limit=self.page_size,
                    order="write_date asc, id asc",
                    page_size=self.page_size,  # one request: the page, no count
                )
            )
            if not page:
                return second
            second = str(page[-1]["write_date"])
            self.advance(second, overlap)
            # rows of the seconds before the last one are all in the page
            self.emit([row for row in page if str(row["write_date"]) < second])
            await self.finish(second, second)
            if len(page) < self.page_size:
                return second


@traced("sync", _synced)
async def sync(
    repo: AsyncModel[Any],
    domain: DomainLike,
    fields: Sequence[str] | None,
    sink: str | os.PathLike[str],
    *,
    state: str | os.PathLike[str],
    format: Format | None = None,
    deletes: bool = True,
    overlap: float = DEFAULT_SYNC_OVERLAP,
    page_size: int = DEFAULT_EXPORT_PAGE_SIZE,
    progress: ProgressCallback | None = None,
    outage: float = DEFAULT_OUTAGE,
) -> SyncResult:
    """Write the records that changed since the last run (by ``state``) to ``sink``.

    The first run (no state file yet) exports everything. ``sink`` is
    written anew each run. ``overlap`` seconds before the last watermark
    are read again (rows unchanged since they were exported are skipped by
    their digest): Odoo stamps ``write_date`` when a transaction starts, so a
    transaction that commits later than that lands behind the watermark.
    The state is written only once ``sink`` is complete and on disk.
    See the module docstring for the guarantees.

    **Parameters:**

    * **repo** - The repository to sync, one whose rows are dicts
      (``odoo.model("res.partner")``).
    * **domain** - Which records: a :class:`Domain`, a raw Odoo domain, or
      ``None`` for all.
    * **fields** - The field names to write, or ``None`` for every stored field
      but binary and one2many ones; an unknown name raises :class:`JobError`.
      ``id`` always comes first. ``write_date`` is read in any case, and
      written only when named.
    * **sink** - The path of the file to write, overwritten each run; ``"-"``
      for standard output.
    * **state** - The path of the state file: read at the start (none yet: a
      first run) and replaced at the end. One made by another sync (model,
      domain or fields) raises :class:`CheckpointError`.
    * **format** - *(optional)* ``"jsonl"`` or ``"csv"``, or ``None`` (the
      default) for the format the file's suffix names (``.jsonl``,
      ``.ndjson``, ``.csv``; another suffix raises :class:`FileFormatError`).
    * **deletes** - *(optional)* ``True`` (the default) writes a tombstone,
      ``{"id": n, "_deleted": true}``, for each record that left the query
      since the last run (deleted, archived or no longer matching); a CSV
      file gets an extra ``_deleted`` column. It costs a ``search`` of every
      matching id each run, and the ids are kept in the state. A run after one
      without ``deletes`` (or the first run) reports none.
    * **overlap** - *(optional)* Seconds before the last watermark read again,
      a number ``>= 0``. Default 60 (:data:`DEFAULT_SYNC_OVERLAP`).
    * **page_size** - *(optional)* Rows per request, an int ``>= 1``. Default
      1,000 (:data:`DEFAULT_EXPORT_PAGE_SIZE`).
    * **progress** - *(optional)* A function called with a :class:`Progress`
      once at the start and after each page; ``done`` counts the rows looked
      at, those of the overlap included.
    * **outage** - *(optional)* Seconds to wait for a server that refuses
      connections, resets them or answers 502/503/504 (a restart), on top of
      the client's own retries: the walk tries again with backoff and goes on
      where it was. Past that it raises the client's error and the state stays
      as it was. ``0`` stops at once. Default 60 (:data:`DEFAULT_OUTAGE`).
    """
    patience = Patience(repo.odoo, check_outage(outage), f"sync {repo.name}")
    if overlap < 0:
        raise ValueError(f"overlap must be >= 0 seconds, got {overlap}")
    fmt = file_format(sink, format)
    state_path = Path(state)
    if not state_path.parent.is_dir():  # checked before any work, not after it
        raise JobError(
            f"state file {state_path}: the folder {state_path.parent} does not exist; create it "
            "or give a state file in a folder that exists"
        )
    query = normalize_domain(domain)
    names, types = await patience.call(lambda: field_types(repo, fields))
    identity = {"model": repo.name, "domain": query, "fields": names}
    second, seen, known = _sync_state(state_path, identity)
    present = set(await patience.call(lambda: repo.search(query))) if deletes else set()
    pending = [] if second is None else [["write_date", ">=", _shift(second, -overlap)]]
    total = await patience.call(lambda: repo.search_count(_and(query, pending)))
    meter = Meter("sync", progress, total=total)
    meter.report()
    extra = ["_deleted"] if deletes else []
    types_out = {**types, "_deleted": "boolean"}
    with RowSink(sink, names, types_out, format=fmt, extra_columns=extra) as out:
        walk = _SyncWalk(repo, query, names, types, out, meter, page_size, seen, patience)
        second = await walk.run(second, overlap)
        gone = sorted(known - present - walk.written) if deletes else []
        if gone:
            out.write([{"id": i, "_deleted": True} for i in gone])
        out.sync()
    _write_json_atomic(
        state_path,
        {
            "version": _CHECKPOINT_VERSION,
            **identity,
            "second": second,
            "seen": walk.seen,
            "ids": ids_to_ranges(present | walk.written) if deletes else None,
        },
    )
    return SyncResult(repo.name, os.fspath(sink), walk.changed, len(gone), second, meter.elapsed)
