"""Random valid domains: the evaluator never fails on them, and counts agree with searches.

Domains are drawn over res.partner's field types (char, integer, float,
boolean, selection, date, many2one, one2many, many2many, dotted paths, any /
not any, child_of / parent_of, TRUE/FALSE leaves) and combined with ``&``,
``|``, ``!`` and implicit ``&``. Besides ``search_count(d) == len(search(d))``,
``|`` must be the union and ``&`` the intersection of what each side finds.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo_async.testing._orm import Database

NO_ARCHIVE_FILTER = {"context": {"active_test": False}}

_text = st.sampled_from(["", "a", "Az", "azure", "%", "_", "Brussels", "x%y", "Jones", "ex"])
_int = st.integers(min_value=-3, max_value=60)
_ids = st.integers(min_value=0, max_value=120)
_false = st.just(False)

_SCALAR_OPS = ["=", "!=", "<", "<=", ">", ">=", "=?"]
_LIKE_OPS = ["like", "not like", "ilike", "not ilike", "=like", "=ilike"]
_IN_OPS = ["in", "not in"]


def _leaf(
    field: str, operators: list[str], value: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    scalar = st.tuples(st.just(field), st.sampled_from(operators), value | _false)
    listed = st.tuples(
        st.just(field), st.sampled_from(_IN_OPS), st.lists(value | _false, max_size=3)
    )
    return (scalar | listed).map(list)


def _relational(field: str, *, names: bool = True) -> st.SearchStrategy[Any]:
    values = _ids | _false | st.lists(_ids | _false, max_size=3)
    operators = ["=", "!=", "in", "not in", "child_of", "parent_of"]
    if names:  # a string is looked up by name on the comodel
        values |= _text
        operators += ["ilike", "not ilike"]

    def fix(leaf: list[Any]) -> list[Any]:
        field_, operator, value = leaf
        if operator in _IN_OPS and not isinstance(value, list):
            value = [value]
        if operator in ("=", "!=") and isinstance(value, list):
            operator = "in" if operator == "=" else "not in"
        if operator in ("child_of", "parent_of") and value is False:
            value = []
        if operator in ("ilike", "not ilike") and not isinstance(value, str):
            value = "a"
        return [field_, operator, value]

    return st.tuples(st.just(field), st.sampled_from(operators), values).map(lambda t: fix(list(t)))


LEAVES = st.one_of(
    _leaf("name", _SCALAR_OPS + _LIKE_OPS, _text),
    _leaf("email", _SCALAR_OPS + _LIKE_OPS, _text),
    _leaf("city", ["=", "!=", "ilike", "=like"], _text),
    _leaf("color", _SCALAR_OPS, _int),
    _leaf("customer_rank", _SCALAR_OPS, _int),
    _leaf("partner_latitude", _SCALAR_OPS, st.floats(-90, 90, allow_nan=False)),
    _leaf("is_company", ["=", "!="], st.booleans()),
    _leaf("active", ["=", "!="], st.booleans()),
    _leaf("type", ["=", "!="], st.sampled_from(["contact", "invoice", "delivery", "other"])),
    _leaf("date", _SCALAR_OPS, st.sampled_from(["2026-01-15", "2025-12-31", "2026-06-01"])),
    _leaf("create_date", ["<", ">=", "="], st.sampled_from(["2026-11-22", "2026-11-22 18:58:57"])),
    _leaf("id", _SCALAR_OPS, _ids),
    _leaf(
        "country_id.code", ["=", "!=", "ilike", "not ilike"], st.sampled_from(["US", "BE", "FR"])
    ),
    _leaf("parent_id.name", ["=", "ilike", "!=", "not ilike"], _text),
    _leaf("category_id.name", ["=", "ilike", "!=", "not ilike"], _text),
    _leaf("child_ids.email", ["ilike", "not ilike", "="], _text),
    _relational("parent_id"),
    _relational("country_id"),
    _relational("category_id"),
    _relational("child_ids"),
    _relational("id", names=False),
    st.sampled_from([[1, "=", 1], [0, "=", 1]]),
)


def _trees(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    def extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return (
            st.tuples(st.sampled_from(["&", "|"]), children, children)
            | st.tuples(st.just("!"), children)
            | st.tuples(
                st.sampled_from(["parent_id", "child_ids", "category_id"]),
                st.sampled_from(["any", "not any"]),
                children,
            ).map(lambda t: ("any", t[0], t[1], t[2]))
        )

    return st.recursive(leaves.map(lambda leaf: ("leaf", leaf)), extend, max_leaves=6)


def _prefix(tree: Any) -> list[Any]:
    kind = tree[0]
    if kind == "leaf":
        return [tree[1]]
    if kind == "any":
        _, field, operator, child = tree
        if field == "category_id":
            return [[field, operator, [["name", "ilike", "a"]]]]
        return [[field, operator, _prefix(child)]]
    if kind == "!":
        return ["!", *_prefix(tree[1])]
    return [kind, *_prefix(tree[1]), *_prefix(tree[2])]


DOMAINS = _trees(LEAVES).map(_prefix)
IMPLICIT_AND = st.lists(DOMAINS, min_size=0, max_size=3).map(
    lambda parts: [t for p in parts for t in p]
)


@pytest.fixture(scope="module")
def db() -> Database:
    database = Database("property", partners=60, seed=7)
    # a few archived records and some hierarchy beyond the demo data
    database.execute_kw(2, "res.partner", "write", [[41, 42], {"parent_id": 14}], {})
    database.execute_kw(2, "res.partner", "write", [[43], {"parent_id": 41, "active": False}], {})
    return database


def _search(db: Database, domain: list[Any], **kwargs: Any) -> list[int]:
    result: list[int] = db.execute_kw(2, "res.partner", "search", [domain], kwargs)
    return result


_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(domain=IMPLICIT_AND)
def test_count_matches_search_and_never_crashes(db: Database, domain: list[Any]) -> None:
    ids = _search(db, domain)
    assert len(set(ids)) == len(ids)
    assert db.execute_kw(2, "res.partner", "search_count", [domain], {}) == len(ids)
    every = _search(db, domain, **NO_ARCHIVE_FILTER)
    assert db.execute_kw(2, "res.partner", "search_count", [domain], NO_ARCHIVE_FILTER) == len(
        every
    )


@_SETTINGS
@given(left=DOMAINS, right=DOMAINS)
def test_or_is_union_and_and_is_intersection(
    db: Database, left: list[Any], right: list[Any]
) -> None:
    found_left = set(_search(db, left, **NO_ARCHIVE_FILTER))
    found_right = set(_search(db, right, **NO_ARCHIVE_FILTER))
    assert set(_search(db, ["|", *left, *right], **NO_ARCHIVE_FILTER)) == found_left | found_right
    assert set(_search(db, ["&", *left, *right], **NO_ARCHIVE_FILTER)) == found_left & found_right
    assert set(_search(db, [*left, *right], **NO_ARCHIVE_FILTER)) == found_left & found_right


@_SETTINGS
@given(domain=DOMAINS, offset=st.integers(0, 30), limit=st.integers(1, 30))
def test_pages_are_slices_of_the_full_search(
    db: Database, domain: list[Any], offset: int, limit: int
) -> None:
    full = _search(db, domain)
    assert _search(db, domain, offset=offset, limit=limit) == full[offset : offset + limit]
