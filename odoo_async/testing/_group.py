"""``read_group`` of the Odoo test double, shaped as Odoo 17 returns it.

One row per group: the groupby value (a many2one as ``[id, name]``, a date
bucket as its label such as ``"November 2026"``), ``<field>_count`` (or
``__count`` when not lazy), the aggregates (``amount_total:sum`` is reported
under ``amount_total``), ``__domain`` (the search domain AND the group's own
terms) and, for date buckets, ``__range``; ``__context`` carries the
remaining groupbys of a lazy call.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ._domain import and_domains
from ._exceptions import Fault, value_error
from ._fields import X2MANY, Field, Row, is_numeric

if TYPE_CHECKING:
    from ._store import Store

__all__ = ["read_group"]

_AGGREGATES = frozenset(
    {"sum", "avg", "max", "min", "count", "count_distinct", "array_agg", "bool_and", "bool_or"}
)
_GRANULARITIES = ("day", "week", "month", "quarter", "year")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class _GroupBy:
    def __init__(self, store: Store, model: str, spec: str) -> None:
        self.spec = spec
        fname, _, granularity = spec.partition(":")
        fields = store.models[model].fields
        if fname not in fields:
            raise value_error(f"Invalid field {fname!r} on model {model!r}")
        f = fields[fname]
        self.field: Field = f
        self.name = fname
        self.granularity = granularity or ("month" if f.type in ("date", "datetime") else "")
        if self.granularity and (
            f.type not in ("date", "datetime") or self.granularity not in _GRANULARITIES
        ):
            raise value_error(f"Invalid groupby {spec!r} on model {model!r}")
        self.key = spec if granularity or f.type not in ("date", "datetime") else fname
        get = store.getter(model, fname)
        self.values: Callable[[Row], list[Any]]
        if f.type in X2MANY:
            self.values = lambda row: list(get(row)) or [None]
        elif self.granularity:
            bucket = self.granularity
            self.values = lambda row: [None if (v := get(row)) is None else _bucket(v, bucket)]
        else:
            self.values = lambda row: [get(row)]
        self.names = store.name_cache(f.relation) if f.relation else None
        self.rank = store.rank(f.relation) if f.relation else None

    def sort_key(self, value: Any) -> Any:
        if self.rank is not None:
            return self.rank.get(value, -1)
        return value

    def label(self, value: Any) -> Any:
        if value is None:
            return False
        if self.names is not None:
            return [value, self.names[value]]
        if self.granularity:
            return _label(value, self.granularity)
        return value

    def domain(self, value: Any) -> list[Any]:
        if value is None or not self.granularity:
            return [(self.name, "=", False if value is None else value)]
        start, stop = self.bounds(value)
        return ["&", (self.name, ">=", start), (self.name, "<", stop)]

    def bounds(self, value: date) -> tuple[str, str]:
        stop = _next(value, self.granularity)
        if self.field.type == "datetime":
            return f"{value} 00:00:00", f"{stop} 00:00:00"
        return value.isoformat(), stop.isoformat()


def read_group(
    store: Store,
    model: str,
    rows: Sequence[Row],
    domain: Any,
    fields: Any,
    groupby: Any,
    *,
    offset: int = 0,
    limit: int | None = None,
    orderby: Any = False,
    lazy: bool = True,
) -> list[dict[str, Any]]:
    try:  # Odoo makes a list of it: a number or true is a TypeError there
        specs = [groupby] if isinstance(groupby, str) else list(groupby or [])
    except TypeError:
        raise Fault(
            "builtins.TypeError", f"'{type(groupby).__name__}' object is not iterable"
        ) from None
    if not all(isinstance(spec, str) for spec in specs):
        raise value_error(f"Invalid groupby {groupby!r}")
    used = specs[:1] if lazy else specs
    groupbys = [_GroupBy(store, model, spec) for spec in used]
    aggregates = _aggregates(store, model, fields or [], {g.name for g in groupbys})
    count_key = f"{groupbys[0].name}_count" if lazy and groupbys else "__count"

    groups: dict[tuple[Any, ...], list[Row]] = {}
    for row in rows:
        keys: list[tuple[Any, ...]] = [()]
        for g in groupbys:
            keys = [(*key, value) for key in keys for value in g.values(row)]
        for key in keys:
            groups.setdefault(key, []).append(row)

    result = []
    base = domain if isinstance(domain, list) else list(domain or [])
    for key, members in groups.items():
        entry: dict[str, Any] = {}
        group_domain = list(base)
        ranges: dict[str, Any] = {}
        for g, value in zip(groupbys, key, strict=True):
            entry[g.key] = g.label(value)
            group_domain = and_domains(group_domain, g.domain(value))
            if g.granularity and value is not None:
                start, stop = g.bounds(value)
                ranges[g.key] = {"from": start, "to": stop}
        entry[count_key] = len(members)
        for name, func, get in aggregates:
            entry[name] = _aggregate(func, [get(row) for row in members])
        entry["__domain"] = _as_json(group_domain)
        if ranges:
            entry["__range"] = ranges
        if lazy and len(specs) > 1:
            entry["__context"] = {"group_by": specs[1:]}
        result.append((key, entry))

    ordered = _order(result, groupbys, orderby, count_key)
    end = None if not limit else offset + limit
    return ordered[offset:end]


def _aggregates(
    store: Store, model: str, fields: Any, grouped: set[str]
) -> list[tuple[str, str, Callable[[Row], Any]]]:
    spec = store.models[model]
    out = []
    for item in fields if isinstance(fields, (list, tuple)) else [fields]:
        if not isinstance(item, str):
            raise value_error(f"Invalid field specification {item!r}")
        alias, _, func = item.partition(":")
        fname = alias
        if "(" in func and func.endswith(")"):
            func, _, inner = func[:-1].partition("(")
            fname = inner
        if fname == "__count":
            continue
        f = spec.fields.get(fname)
        if f is None:
            raise value_error(f"Invalid field {fname!r} on model {model!r}")
        if fname in grouped or not f.store:
            continue
        if not func:
            if not is_numeric(f.type) or fname == "id":
                continue
            func = "sum"
        if func not in _AGGREGATES:
            raise value_error(f"Invalid aggregate function {func!r}.")
        out.append((alias, func, store.getter(model, fname)))
    return out


def _aggregate(func: str, values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    if func == "count":
        return len(present)
    if func == "count_distinct":
        return len({tuple(v) if isinstance(v, list) else v for v in present})
    if func == "array_agg":
        return [v if v is not None else False for v in values]
    if func == "bool_and":
        return all(present)
    if func == "bool_or":
        return any(present)
    if func == "sum":
        if all(isinstance(v, int) for v in present):
            return sum(present)
        return round(math.fsum(present), 8)
    if not present:
        return False
    if func == "avg":
        return round(math.fsum(present) / len(present), 8)
    return max(present) if func == "max" else min(present)


def _order(
    result: list[tuple[tuple[Any, ...], dict[str, Any]]],
    groupbys: list[_GroupBy],
    orderby: Any,
    count_key: str,
) -> list[dict[str, Any]]:
    terms: list[tuple[str, bool]] = []
    if orderby:
        if not isinstance(orderby, str):
            raise value_error(f"Invalid orderby {orderby!r}")
        for term in orderby.split(","):
            words = term.split()
            if (
                not words
                or len(words) > 2
                or (len(words) == 2 and words[1].lower() not in ("asc", "desc"))
            ):
                raise Fault(
                    "odoo.exceptions.UserError",
                    f'Invalid "order" specified ({orderby}). A valid "order" specification is a '
                    "comma-separated list of valid field names (optionally followed by "
                    "asc/desc for the direction)",
                )
            terms.append((words[0], len(words) == 2 and words[1].lower() == "desc"))
    else:
        terms = [(g.key, False) for g in groupbys]
    by_key: dict[str, tuple[int, _GroupBy]] = {}
    for index, g in enumerate(groupbys):
        by_key[g.key] = by_key[g.name] = (index, g)
    for name, desc in reversed(terms):
        get = _group_getter(by_key[name]) if name in by_key else _entry_getter(name)
        present = [item for item in result if get(item) is not None]
        absent = [item for item in result if get(item) is None]
        present.sort(key=get, reverse=desc)
        result = absent + present if desc else present + absent
    return [entry for _key, entry in result]


_Item = tuple[tuple[Any, ...], dict[str, Any]]


def _group_getter(found: tuple[int, _GroupBy]) -> Callable[[_Item], Any]:
    index, g = found
    return lambda item: None if item[0][index] is None else g.sort_key(item[0][index])


def _entry_getter(name: str) -> Callable[[_Item], Any]:
    def get(item: _Item) -> Any:
        value = item[1].get(name)
        return None if value is False or isinstance(value, list) else value

    return get


def _bucket(value: str, granularity: str) -> date:
    day = date.fromisoformat(value[:10])
    if granularity == "day":
        return day
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    if granularity == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


def _next(start: date, granularity: str) -> date:
    if granularity == "day":
        return start + timedelta(days=1)
    if granularity == "week":
        return start + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[granularity]
    total = start.month - 1 + months
    return date(start.year + total // 12, total % 12 + 1, 1)


def _label(start: date, granularity: str) -> str:
    if granularity == "day":
        return f"{start.day:02d} {_MONTHS[start.month - 1][:3]} {start.year}"
    if granularity == "week":
        year, week, _ = start.isocalendar()
        return f"W{week} {year}"
    if granularity == "month":
        return f"{_MONTHS[start.month - 1]} {start.year}"
    if granularity == "quarter":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return str(start.year)


def _as_json(domain: list[Any]) -> list[Any]:
    return [list(term) if isinstance(term, tuple) else term for term in domain]
