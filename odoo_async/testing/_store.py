"""In-memory tables and the generic ORM operations of the Odoo test double.

:class:`Store` holds one ``{id: row}`` table per model and implements what
every Odoo model shares: search (with ``active`` filtering and ``order``),
read, create, write, unlink, x2many commands and ``ondelete`` rules. What is
particular to one model (partner names, invoice totals, users) lives in
:mod:`._business`, called through a few hooks.

Every mutation goes through :meth:`Store.touch` / :meth:`Store.insert` /
:meth:`Store.delete`, which journal the previous state, so that a call that
fails half-way is rolled back as Odoo's transaction would be.

Queries are memoized: :meth:`Store.matching_ids` and :meth:`Store.search_ids`
keep the full list of matching ids (in table order, and per ``order``) for the
last :data:`QUERY_CACHE_SIZE` queries, keyed by model, domain, ``active_test``
and the record rule's scope. Paging a search is then a slice of that list.
Every change to any table (and every rollback) bumps :attr:`Store.version`,
which empties these caches and the compiled readers: a dotted path or a
related field makes one model's results depend on another model's rows.
"""

from __future__ import annotations

import operator as op
import re
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from . import _business as business
from ._domain import Predicate, compile_domain, normalize_domain
from ._exceptions import USER_ERROR, Fault, missing_error, value_error
from ._fields import (
    X2MANY,
    Field,
    ModelSpec,
    Row,
    foreign_key,
    not_null,
    to_store,
)
from ._models import MODELS
from ._read import NameMap, compile_reader

__all__ = ["LOG_FIELDS", "QUERY_CACHE_SIZE", "Store", "utc_now"]

#: Fields Odoo fills in itself; values sent for them are ignored.
LOG_FIELDS = frozenset({"id", "create_date", "create_uid", "write_date", "write_uid"})
#: Orders by id alone, sorted without reading rows.
_ID_ORDERS = {"id": "asc", "id asc": "asc", "id ASC": "asc", "id desc": "desc", "id DESC": "desc"}
_ORDER_TERM = re.compile(
    r'\s*(?P<field>[a-z0-9:_]+|"[a-z0-9:_]+")(?P<dir>\s+(?:desc|asc))?'
    r"(?P<nulls>\s+nulls\s+(?:first|last))?\s*\Z",
    re.IGNORECASE,
)
SortKey = tuple[Callable[[Row], Any], bool, bool]
Reader = Callable[[Row], dict[str, Any]]

#: How many query results (lists of ids) one store keeps, least recently used first out.
QUERY_CACHE_SIZE = 64


def utc_now() -> str:
    """The current UTC time as Odoo writes datetimes."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


class Store:
    """The tables of one database and the ORM operations over them."""

    def __init__(
        self, *, clock: Callable[[], str] = utc_now, models: Mapping[str, ModelSpec] = MODELS
    ) -> None:
        self.models: Mapping[str, ModelSpec] = models
        self.tables: dict[str, dict[int, Row]] = {name: {} for name in models}
        self.next_id: dict[str, int] = dict.fromkeys(models, 1)
        self.clock = clock
        self._generation: dict[str, int] = dict.fromkeys(models, 0)
        self._cache: dict[tuple[str, ...], tuple[int, Any]] = {}
        self._journal: list[tuple[str, int, Row | None]] | None = None
        self._touched: set[tuple[str, int]] = set()
        #: Bumped by every change to any table; results memoized under another version are gone.
        self.version = 0
        self._memo_version = 0
        self._queries: OrderedDict[Hashable, list[int]] = OrderedDict()
        self._readers: OrderedDict[Hashable, Reader] = OrderedDict()
        self._names: dict[str, NameMap] = {}

    # -- transactions -----------------------------------------------------------

    def begin(self) -> None:
        self._journal = []
        self._touched = set()

    def commit(self) -> None:
        if self._journal:
            # Rows are changed in place after touch(): forget what was memoized meanwhile.
            self.version += 1
        self._journal = None
        self._touched = set()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """What is changed inside is undone if it raises; the transaction goes on."""
        journal = self._journal
        mark = len(journal) if journal is not None else 0
        touched = set(self._touched)
        try:
            yield
        except BaseException:
            if journal is not None:
                self._undo(journal[mark:])
                del journal[mark:]
                self._touched = touched
                self.version += 1
            raise

    def _undo(self, entries: list[tuple[str, int, Row | None]]) -> None:
        """Put back what the journal ``entries`` changed, newest first."""
        for model, rid, old in reversed(entries):
            table = self.tables[model]
            if old is None:
                table.pop(rid, None)
            else:
                table[rid] = old
            self._generation[model] += 1

    def invalidate(self) -> None:
        """Forget memoized queries, readers and names (for changes made behind the store's back)."""
        self.version += 1

    def rollback(self) -> None:
        journal, self._journal = self._journal or [], None
        self._undo(journal)
        self._touched = set()
        self.version += 1

    def touch(self, model: str, rid: int) -> Row:
        """The row of ``rid``, journaled so that it can be changed in place."""
        row = self.tables[model][rid]
        self._generation[model] += 1
        self.version += 1
        if self._journal is not None and (model, rid) not in self._touched:
            self._touched.add((model, rid))
            self._journal.append((model, rid, dict(row)))
        return row

    def insert(self, model: str, row: Row) -> int:
        rid = row.get("id") or self.next_id[model]
        self.next_id[model] = max(self.next_id[model], rid + 1)
        row["id"] = rid
        self.tables[model][rid] = row
        self._generation[model] += 1
        self.version += 1
        if self._journal is not None:
            self._touched.add((model, rid))
            self._journal.append((model, rid, None))
        return rid

    def delete(self, model: str, rid: int) -> None:
        row = self.tables[model].pop(rid)
        self._generation[model] += 1
        self.version += 1
        if self._journal is not None:
            self._journal.append((model, rid, row))

    # -- what the domain compiler needs ----------------------------------------------

    def spec(self, model: str) -> ModelSpec:
        return self.models[model]

    def rows(self, model: str) -> Mapping[int, Row]:
        return self.tables[model]

    def getter(self, model: str, fname: str) -> Callable[[Row], Any]:
        f = self.models[model].fields[fname]
        if f.type == "one2many":
            assert f.relation
            assert f.relation_field
            index = self.inverse_index(f.relation, f.relation_field)
            return lambda row: index.get(row["id"], ())
        if f.type == "many2many" and f.inverse:
            assert f.relation
            index = self.inverse_index(f.relation, f.inverse)
            return lambda row: index.get(row["id"], ())
        if f.type == "many2many":
            return lambda row: row.get(fname) or ()
        if f.related:
            return self._related_getter(model, f.related)
        return op.methodcaller("get", fname)

    def _related_getter(self, model: str, path: str) -> Callable[[Row], Any]:
        head, _, tail = path.partition(".")
        comodel = self.models[model].fields[head].relation
        assert comodel is not None
        target = self.tables[comodel]
        inner = self.getter(comodel, tail)

        def get(row: Row) -> Any:
            linked = target.get(row.get(head))  # type: ignore[arg-type]
            return None if linked is None else inner(linked)

        return get

    def children(self, model: str) -> Mapping[int, Sequence[int]]:
        parent = self.models[model].parent_name
        return self.inverse_index(model, parent) if parent else {}

    def search_set(self, model: str, domain: Any, active_test: bool) -> set[int]:
        rows = self.filter(model, domain, active_test=active_test)
        return {row["id"] for row in rows}

    def inverse_index(self, model: str, fname: str) -> dict[int, list[int]]:
        """Target id -> ids of ``model`` rows whose ``fname`` (many2one or many2many) holds it."""
        key = ("inverse", model, fname)
        generation = self._generation[model]
        hit = self._cache.get(key)
        if hit is not None and hit[0] == generation:
            index: dict[int, list[int]] = hit[1]
            return index
        index = {}
        for rid, row in self.tables[model].items():
            value = row.get(fname)
            if value is None:
                continue
            for target in value if isinstance(value, tuple) else (value,):
                bucket = index.get(target)
                if bucket is None:
                    index[target] = [rid]
                else:
                    bucket.append(rid)
        self._cache[key] = (generation, index)
        return index

    # -- search -----------------------------------------------------------------

    def predicate(self, model: str, domain: Any, *, active_test: bool = True) -> Predicate:
        pred = compile_domain(self, model, domain, active_test=active_test)
        spec = self.models[model]
        if not (active_test and spec.has_active) or _mentions_active(domain):
            return pred
        return lambda row: row.get("active") is True and pred(row)

    def filter(
        self,
        model: str,
        domain: Any,
        *,
        active_test: bool = True,
        allowed: Callable[[Row], bool] | None = None,
    ) -> list[Row]:
        pred = self.predicate(model, domain, active_test=active_test)
        rows = self.tables[model].values()
        if allowed is not None:
            return [row for row in rows if allowed(row) and pred(row)]
        return [row for row in rows if pred(row)]

    def matching_ids(
        self,
        model: str,
        domain: Any,
        *,
        active_test: bool = True,
        allowed: Callable[[Row], bool] | None = None,
        scope: Hashable = None,
    ) -> list[int]:
        """Ids of the rows matching ``domain`` (and ``allowed``), in table order; memoized.

        ``scope`` names what ``allowed`` depends on (the user of a record rule); two
        calls with the same scope must pass equivalent ``allowed`` predicates. The
        list returned is shared with the cache: callers must not change it.
        """
        key = _query_key(model, domain, active_test, scope)
        if key is None:
            rows = self.filter(model, domain, active_test=active_test, allowed=allowed)
            return [row["id"] for row in rows]
        return self._matching(model, domain, key, active_test, allowed)

    def search_ids(
        self,
        model: str,
        domain: Any,
        order: Any,
        *,
        active_test: bool = True,
        allowed: Callable[[Row], bool] | None = None,
        scope: Hashable = None,
    ) -> list[int]:
        """Ids matching ``domain`` sorted by ``order`` (the model's if falsy); memoized.

        Domain faults come before ``order`` faults, as in Odoo. The list returned is
        shared with the cache: callers slice it, they must not change it.
        """
        order = order or None
        key = _query_key(model, domain, active_test, scope)
        if key is None or not (order is None or isinstance(order, str)):
            rows = self.filter(model, domain, active_test=active_test, allowed=allowed)
            return [row["id"] for row in self.sort(model, rows, _check_order(order))]
        queries = self._memo()
        sorted_key = (key, order)
        ids = queries.get(sorted_key)
        if ids is not None:
            queries.move_to_end(sorted_key)
            return ids
        matching = self._matching(model, domain, key, active_test, allowed)
        by_id = _ID_ORDERS.get(" ".join(order.split())) if order else None
        if by_id is not None:  # ids are ints, unique: no rows to look at (Odoo's index on id)
            ids = sorted(matching, reverse=by_id == "desc")
        else:
            table = self.tables[model]
            rows = [table[rid] for rid in matching]
            ids = [row["id"] for row in self.sort(model, rows, order)]
        self._remember(sorted_key, ids)
        return ids

    def _matching(
        self,
        model: str,
        domain: Any,
        key: Hashable,
        active_test: bool,
        allowed: Callable[[Row], bool] | None,
    ) -> list[int]:
        queries = self._memo()
        ids = queries.get(key)
        if ids is not None:
            queries.move_to_end(key)
            return ids
        rows = self.filter(model, domain, active_test=active_test, allowed=allowed)
        ids = [row["id"] for row in rows]
        self._remember(key, ids)
        return ids

    def _memo(self) -> OrderedDict[Hashable, list[int]]:
        """The query cache, emptied (with readers and names) if anything changed since."""
        if self._memo_version != self.version:
            self._queries.clear()
            self._readers.clear()
            self._names.clear()
            self._memo_version = self.version
        return self._queries

    def _remember(self, key: Hashable, ids: list[int]) -> None:
        self._queries[key] = ids
        if len(self._queries) > QUERY_CACHE_SIZE:
            self._queries.popitem(last=False)

    def sort(self, model: str, rows: list[Row], order: str | None) -> list[Row]:
        for get, desc, nulls_first in reversed(self.order_keys(model, order)):
            present = [row for row in rows if get(row) is not None]
            if len(present) == len(rows):
                rows = sorted(rows, key=get, reverse=desc)
                continue
            absent = [row for row in rows if get(row) is None]
            present.sort(key=get, reverse=desc)
            rows = absent + present if nulls_first else present + absent
        return rows

    def order_keys(self, model: str, order: str | None) -> list[SortKey]:
        spec = self.models[model]
        text = order or spec.order
        keys: list[SortKey] = []
        for term in text.split(","):
            match = _ORDER_TERM.match(term)
            if match is None:
                raise Fault(
                    USER_ERROR,
                    f'Invalid "order" specified ({text}). A valid "order" specification is a '
                    "comma-separated list of valid field names (optionally followed by "
                    "asc/desc for the direction)",
                )
            fname = match["field"].strip('"')
            f = spec.fields.get(fname)
            if f is None:
                raise value_error(f"Invalid field {fname!r} on model {model!r}")
            if not f.sortable:
                continue
            desc = (match["dir"] or "").strip().lower() == "desc"
            nulls = (match["nulls"] or "").lower()
            nulls_first = "first" in nulls if nulls else desc
            keys.append((self.sort_getter(model, f), desc, nulls_first))
        return keys

    def sort_getter(self, model: str, f: Field) -> Callable[[Row], Any]:
        get = self.getter(model, f.name)
        if f.type != "many2one" or f.relation is None:
            return get
        rank = self.rank(f.relation)
        return lambda row: rank.get(get(row))

    def rank(self, model: str) -> dict[int, int]:
        """Id -> position of the record in ``model``'s default order (active or not)."""
        key = ("rank", model)
        generation = self._generation[model]
        hit = self._cache.get(key)
        if hit is not None and hit[0] == generation:
            ranks: dict[int, int] = hit[1]
            return ranks
        ordered = self.sort(model, list(self.tables[model].values()), None)
        ranks = {row["id"]: position for position, row in enumerate(ordered)}
        self._cache[key] = (generation, ranks)
        return ranks

    # -- read -------------------------------------------------------------------

    def check_fields(self, model: str, fields: Iterable[str]) -> None:
        known = self.models[model].fields
        for fname in fields:
            if fname not in known:
                raise value_error(f"Invalid field {fname!r} on model {model!r}")

    def read_rows(
        self,
        model: str,
        rows: Sequence[Row],
        fields: Sequence[str] | None,
        *,
        load: str | None = "_classic_read",
        active_test: bool = True,
    ) -> list[dict[str, Any]]:
        """``read``'s dicts for rows (``id`` first, then ``fields`` or every field)."""
        spec = self.models[model]
        names = tuple(f for f in (fields or spec.fields) if f != "id")
        self.check_fields(model, names)
        read_row = self.reader(model, names, load=load, active_test=active_test)
        return [read_row(row) for row in rows]

    def reader(self, model: str, names: tuple[str, ...], *, load: Any, active_test: bool) -> Reader:
        """The compiled ``read`` function for these fields, kept until the next change."""
        self._memo()
        # compile_reader only asks whether load is "_classic_read".
        key = (model, names, load == "_classic_read", active_test)
        readers = self._readers
        read_row = readers.get(key)
        if read_row is None:
            read_row = compile_reader(self, model, names, load=load, active_test=active_test)
            readers[key] = read_row
            if len(readers) > QUERY_CACHE_SIZE:
                readers.popitem(last=False)
        else:
            readers.move_to_end(key)
        return read_row

    def name_cache(self, model: str) -> NameMap:
        """Id -> display name of ``model``'s records, computed on first use, kept until a change."""
        self._memo()
        names = self._names.get(model)
        if names is None:
            names = self._names[model] = NameMap(self, model)
        return names

    # -- create / write / unlink ------------------------------------------------------

    def existing(self, model: str, ids: Sequence[int], uid: int) -> list[int]:
        """``ids`` if they all exist, else Odoo's MissingError naming the missing ones."""
        table = self.tables[model]
        missing = [rid for rid in dict.fromkeys(ids) if rid not in table]
        if missing:
            raise missing_error(model, missing, uid)
        return list(dict.fromkeys(ids))

    def create(self, model: str, vals: Any, uid: int) -> int:
        spec = self.models[model]
        if not isinstance(vals, dict):
            raise Fault(
                "builtins.AttributeError",
                f"'{type(vals).__name__}' object has no attribute 'items'",
            )
        row: Row = {}
        later: dict[str, Any] = {}
        for fname, value in vals.items():
            f = spec.fields.get(fname)
            if f is None or fname in LOG_FIELDS or fname == "display_name":
                continue  # Odoo ignores (and logs) unknown fields on create
            if f.type in X2MANY or f.related:
                later[fname] = value
            elif f.store:
                row[fname] = to_store(spec, f, value)
        for fname, f in spec.fields.items():
            if fname not in row and f.store and f.default is not None and fname not in later:
                row[fname] = f.default
        self.check_targets(spec, row)
        business.before_create(self, model, row, later, uid)
        self.check_required(spec, row)
        now = self.clock()
        row.update(create_date=now, write_date=now, create_uid=uid, write_uid=uid)
        rid = self.insert(model, row)
        self.write_later(model, [rid], later, uid)
        business.after_change(self, model, [rid], set(row) | set(later), uid, created=True)
        return rid

    def write(self, model: str, ids: Sequence[int], vals: Any, uid: int) -> None:
        spec = self.models[model]
        if not isinstance(vals, dict):
            raise Fault(
                "builtins.AttributeError",
                f"'{type(vals).__name__}' object has no attribute 'items'",
            )
        self.check_fields(model, vals)
        ids = self.existing(model, ids, uid)
        changes: Row = {}
        later: dict[str, Any] = {}
        for fname, value in vals.items():
            f = spec.fields[fname]
            if fname in LOG_FIELDS or fname == "display_name":
                continue
            if f.type in X2MANY or f.related:
                later[fname] = value
            elif f.store:
                changes[fname] = to_store(spec, f, value)
        self.check_targets(spec, changes)
        business.before_write(self, model, ids, changes, uid)
        for fname, value in changes.items():
            if value is None and spec.fields[fname].required:
                raise not_null(spec, spec.fields[fname])
        now = self.clock()
        for rid in ids:
            row = self.touch(model, rid)
            row.update(changes)
            row["write_date"] = now
            row["write_uid"] = uid
        self.write_later(model, ids, later, uid)
        business.after_change(self, model, ids, set(changes) | set(later), uid)

    def write_later(self, model: str, ids: list[int], later: dict[str, Any], uid: int) -> None:
        """Apply x2many commands and related fields once the rows exist."""
        spec = self.models[model]
        for fname, value in later.items():
            f = spec.fields[fname]
            if f.related:
                head, _, tail = f.related.partition(".")
                comodel = spec.fields[head].relation
                assert comodel is not None
                targets = [t for rid in ids if (t := self.tables[model][rid].get(head))]
                if targets:
                    self.write(comodel, targets, {tail: value}, uid)
                continue
            for rid in ids:
                self.apply_commands(model, rid, f, value, uid)

    def check_targets(self, spec: ModelSpec, values: Row) -> None:
        """A many2one must point at an existing record (PostgreSQL's foreign key)."""
        for fname, value in values.items():
            f = spec.fields[fname]
            if (
                f.type == "many2one"
                and value is not None
                and f.relation in self.tables
                and value not in self.tables[f.relation]
            ):
                raise foreign_key(spec, f)

    def check_required(self, spec: ModelSpec, row: Row) -> None:
        for fname, f in spec.fields.items():
            if f.required and f.store and row.get(fname) is None:
                raise not_null(spec, f)

    def unlink(self, model: str, ids: Sequence[int], uid: int) -> None:
        ids = self.existing(model, ids, uid)
        business.before_unlink(self, model, ids, uid)
        doomed = set(ids)
        rows = [self.tables[model][rid] for rid in ids]
        for rid in ids:
            self.delete(model, rid)
        self.clean_references(model, doomed, uid)
        business.after_unlink(self, model, rows, uid)

    def clean_references(self, model: str, doomed: set[int], uid: int) -> None:
        """Apply ``ondelete`` to rows pointing at deleted records."""
        for other, spec in self.models.items():
            for f in spec.fields.values():
                if f.relation != model or f.store is False:
                    continue
                if f.type == "many2many" and not f.inverse:
                    for rid, row in list(self.tables[other].items()):
                        linked = row.get(f.name)
                        if linked and not doomed.isdisjoint(linked):
                            kept = tuple(i for i in linked if i not in doomed)
                            self.touch(other, rid)[f.name] = kept
                elif f.type == "many2one" and f.name not in ("create_uid", "write_uid"):
                    self._ondelete(other, spec, f, doomed, uid)

    def _ondelete(self, other: str, spec: ModelSpec, f: Field, doomed: set[int], uid: int) -> None:
        hits = [rid for rid, row in self.tables[other].items() if row.get(f.name) in doomed]
        if not hits:
            return
        if f.ondelete == "restrict":
            raise foreign_key(spec, f)
        if f.ondelete == "cascade":
            self.unlink(other, [rid for rid in hits if rid in self.tables[other]], uid)
            return
        for rid in hits:
            self.touch(other, rid)[f.name] = None
        business.after_change(self, other, hits, {f.name}, uid)

    # -- x2many commands --------------------------------------------------------------

    def apply_commands(self, model: str, rid: int, f: Field, value: Any, uid: int) -> None:
        """Odoo's x2many commands 0..6 (or a plain list of ids, or False) on one record."""
        assert f.relation
        comodel = f.relation
        for command in _commands(model, f, value):
            code = command[0]
            if code == 0:
                vals = dict(command[2] or {}) if len(command) > 2 else {}
                if f.type == "one2many":
                    assert f.relation_field
                    vals[f.relation_field] = rid
                    self.create(comodel, vals, uid)
                else:
                    self.link(model, rid, f, [self.create(comodel, vals, uid)], uid)
            elif code == 1:
                self.write(comodel, [_command_id(command)], command[2] or {}, uid)
            elif code == 2:
                self.unlink(comodel, [_command_id(command)], uid)
            elif code == 3:
                self.unlink_link(model, rid, f, [_command_id(command)], uid)
            elif code == 4:
                self.link(model, rid, f, [_command_id(command)], uid)
            elif code == 5:
                current = list(self.getter(model, f.name)(self.tables[model][rid]))
                self.unlink_link(model, rid, f, current, uid)
            elif code == 6:
                wanted = [int(i) for i in (command[2] or [])]
                current = list(self.getter(model, f.name)(self.tables[model][rid]))
                self.unlink_link(model, rid, f, [i for i in current if i not in wanted], uid)
                self.link(model, rid, f, wanted, uid)

    def link(self, model: str, rid: int, f: Field, ids: list[int], uid: int) -> None:
        assert f.relation
        ids = self.existing(f.relation, ids, uid)
        if f.type == "one2many":
            assert f.relation_field
            self.write(f.relation, ids, {f.relation_field: rid}, uid)
        elif f.inverse:
            for target in ids:
                row = self.touch(f.relation, target)
                linked = row.get(f.inverse) or ()
                if rid not in linked:
                    row[f.inverse] = (*linked, rid)
        else:
            row = self.touch(model, rid)
            linked = row.get(f.name) or ()
            row[f.name] = (*linked, *(i for i in dict.fromkeys(ids) if i not in linked))

    def unlink_link(self, model: str, rid: int, f: Field, ids: list[int], uid: int) -> None:
        assert f.relation
        if not ids:
            return
        if f.type == "one2many":
            assert f.relation_field
            inverse = self.models[f.relation].fields[f.relation_field]
            present = [i for i in ids if i in self.tables[f.relation]]
            if inverse.ondelete == "cascade" or inverse.required:
                self.unlink(f.relation, present, uid)
            else:
                self.write(f.relation, present, {f.relation_field: False}, uid)
        elif f.inverse:
            for target in ids:
                if target in self.tables[f.relation]:
                    row = self.touch(f.relation, target)
                    row[f.inverse] = tuple(i for i in row.get(f.inverse) or () if i != rid)
        else:
            row = self.touch(model, rid)
            row[f.name] = tuple(i for i in row.get(f.name) or () if i not in ids)


class _Unhashable(Exception):
    """A domain holding a value the query cache cannot key on."""


def _query_key(model: str, domain: Any, active_test: bool, scope: Hashable) -> Hashable | None:
    """What a search's result depends on besides the data, or None if it cannot be a key."""
    if not isinstance(domain, (list, tuple)) and domain:
        return None  # not a domain: let the compiler word the fault
    try:
        canonical = _canonical(normalize_domain(domain)) if domain else ()
        hash(scope)
    except (_Unhashable, TypeError, Fault):
        return None
    return (model, canonical, active_test, scope)


def _canonical(value: Any) -> Hashable:
    """A hashable form of a domain value that keeps ``True``, ``1`` and ``1.0`` apart.

    Python finds ``True == 1 == 1.0`` but a domain does not (``('name', '=', 1.0)``
    compares with ``'1.0'``), and lists and tuples do not hash; each atom is tagged
    with its type, and a type the cache does not know makes the domain uncachable.
    """
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return (kind, value)
    if kind is float:
        return (kind, repr(value))
    if kind is list or kind is tuple:
        if all(type(item) is int for item in value):
            return (kind, int, tuple(value))
        if all(type(item) is str for item in value):
            return (kind, str, tuple(value))
        return (kind, None, tuple(_canonical(item) for item in value))
    raise _Unhashable


def _check_order(order: Any) -> str | None:
    if not order:
        return None
    if not isinstance(order, str):
        raise Fault(USER_ERROR, f'Invalid "order" specified ({order}).')
    return order


def _mentions_active(domain: Any) -> bool:
    if not isinstance(domain, (list, tuple)):
        return False
    return any(
        isinstance(item, (list, tuple)) and len(item) > 0 and item[0] == "active" for item in domain
    )


def _commands(model: str, f: Field, value: Any) -> list[Sequence[Any]]:
    if value is False or value is None:
        return [(5,)]
    if not isinstance(value, (list, tuple)):
        raise value_error(f"Wrong value for {model}.{f.name}: {value!r}")
    if all(isinstance(item, int) and not isinstance(item, bool) for item in value):
        return [(6, 0, list(value))]
    commands: list[Sequence[Any]] = []
    for command in value:
        if (
            not isinstance(command, (list, tuple))
            or not command
            or command[0] not in (0, 1, 2, 3, 4, 5, 6)
            or (command[0] != 5 and len(command) < 2)
            or (command[0] in (0, 1, 6) and len(command) < 3)
        ):
            raise value_error(f"Wrong value for {model}.{f.name}: {value!r}")
        commands.append(command)
    return commands


def _command_id(command: Sequence[Any]) -> int:
    rid = command[1]
    if isinstance(rid, bool) or not isinstance(rid, int):
        raise value_error(f"Invalid record id {rid!r} in x2many command {list(command)!r}")
    return rid
