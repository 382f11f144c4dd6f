"""Domains evaluated by the Odoo test double, on a small fixed set of partners.

Each case is a domain (as JSON sends it: leaves are lists) and the partners it
must find, by letter. Only the partners made here are looked at, so Odoo's demo
partners in the same database do not change the answers. ``"@X"`` in a domain
stands for the id of record ``X``.

    A  Alpha Corp     company  Brussels/BE  tags Gold           color 1  2026-01-15
    B  Beta Ltd       company  Paris/FR     no email            color 2
    C  Carol Smith    of A     Brussels/BE  tags Silver         color 3  2026-03-01
    D  Dave Jones     of A     no city/country, Gold+Silver     color 0  invoice address
    E  Eve 100% Real  -        New York/US  tags VIP            no color 2025-12-31
    F  frank lower    of C     ghent/BE                         color 4
    G  Ghost Archived archived Paris/FR                         color 5
    H  Hank           of B     US, no email, phone +32 555      color 6
"""

from __future__ import annotations

from typing import Any

import pytest

from odoo_async.testing._orm import Database, Fault

ALL = set("ABCDEFH")

PARTNERS: dict[str, dict[str, Any]] = {
    "A": {"name": "Alpha Corp", "is_company": True, "email": "info@alpha.example",
          "city": "Brussels", "country_id": 20, "category_id": ["@Gold"], "color": 1,
          "date": "2026-01-15", "customer_rank": 5, "partner_latitude": 50.8},
    "B": {"name": "Beta Ltd", "is_company": True, "city": "Paris", "country_id": 75,
          "color": 2, "customer_rank": 0, "partner_latitude": 48.9},
    "C": {"name": "Carol Smith", "parent_id": "@A", "email": "carol@alpha.example",
          "city": "Brussels", "country_id": 20, "category_id": ["@Silver"], "color": 3,
          "date": "2026-03-01", "customer_rank": 1},
    "D": {"name": "Dave Jones", "parent_id": "@A", "email": "dave@example.com",
          "category_id": ["@Gold", "@Silver"], "color": 0, "type": "invoice"},
    "E": {"name": "Eve 100% Real", "email": "eve_1@x.org", "city": "New York",
          "country_id": 233, "category_id": ["@VIP"], "date": "2025-12-31", "customer_rank": 2,
          "partner_latitude": 40.7},
    "F": {"name": "frank lower", "parent_id": "@C", "email": "FRANK@EXAMPLE.COM",
          "city": "ghent", "country_id": 20, "color": 4},
    "G": {"name": "Ghost Archived", "active": False, "email": "ghost@example.com",
          "city": "Paris", "country_id": 75, "color": 5},
    "H": {"name": "Hank", "parent_id": "@B", "country_id": 233, "color": 6,
          "phone": "+32 555"},
}  # fmt: skip

CASES: list[tuple[list[Any], set[str]]] = [
    ([], ALL),
    # = and != on char, with False meaning NULL
    ([["name", "=", "Alpha Corp"]], {"A"}),
    ([["name", "!=", "Alpha Corp"]], ALL - {"A"}),
    ([["email", "=", False]], {"B", "H"}),
    ([["email", "!=", False]], {"A", "C", "D", "E", "F"}),
    ([["name", "in", ["Alpha Corp", "Nobody"]]], {"A"}),
    # integers: NULL is not 0; != with a falsy value keeps NULL out, with a truthy one lets it in
    ([["color", "=", False]], {"E"}),
    ([["color", "=", 0]], {"D"}),
    ([["color", "!=", 0]], {"A", "B", "C", "F", "H"}),
    ([["color", "!=", 2]], {"A", "C", "D", "E", "F", "H"}),
    ([["color", ">", 2]], {"C", "F", "H"}),
    ([["color", "<", 2]], {"A", "D"}),
    ([["color", ">=", 4]], {"F", "H"}),
    ([["color", "<=", 1]], {"A", "D"}),
    ([["customer_rank", ">", 0]], {"A", "C", "E"}),
    ([["partner_latitude", ">", 45]], {"A", "B"}),
    # dates and datetimes
    ([["date", "<", "2026-01-01"]], {"E"}),
    ([["date", ">=", "2026-01-15"]], {"A", "C"}),
    ([["date", "=", False]], {"B", "D", "F", "H"}),
    ([["date", "in", ["2026-01-15"]]], {"A"}),
    ([["create_date", ">=", "2000-01-01"]], ALL),
    # string order is code-point order (LC_COLLATE 'C')
    ([["name", "<", "B"]], {"A"}),
    ([["name", ">=", "f"]], {"F"}),
    # like family: like/ilike wrap in %, =like/=ilike do not, % and _ are wildcards
    ([["name", "like", "Corp"]], {"A"}),
    ([["name", "like", "corp"]], set()),
    ([["name", "ilike", "corp"]], {"A"}),
    ([["name", "not ilike", "o"]], {"B", "E", "H"}),
    ([["name", "=like", "Alpha%"]], {"A"}),
    ([["name", "=like", "alpha%"]], set()),
    ([["name", "=ilike", "alpha%"]], {"A"}),
    ([["name", "=ilike", "_ve 100% real"]], {"E"}),
    ([["name", "ilike", "100%"]], {"E"}),
    ([["name", "like", "1_0"]], {"E"}),
    ([["name", "ilike", ""]], ALL),
    ([["name", "not ilike", ""]], set()),
    ([["email", "ilike", "example"]], {"A", "C", "D", "F"}),
    ([["email", "not ilike", "example"]], {"B", "E", "H"}),
    ([["email", "like", "EXAMPLE"]], {"F"}),
    ([["email", "=ilike", "frank@example.com"]], {"F"}),
    ([["phone", "=like", "+32%"]], {"H"}),
    # in / not in, with False standing for NULL
    ([["city", "in", ["Brussels", "Paris"]]], {"A", "B", "C"}),
    ([["city", "in", ["Brussels", False]]], {"A", "C", "D", "H"}),
    ([["city", "not in", ["Brussels"]]], {"B", "D", "E", "F", "H"}),
    ([["city", "not in", ["Brussels", False]]], {"B", "E", "F"}),
    ([["id", "in", []]], set()),
    ([["id", "not in", []]], ALL),
    ([["id", "=", "@A"]], {"A"}),
    # booleans and selections
    ([["is_company", "=", True]], {"A", "B"}),
    ([["is_company", "=", False]], {"C", "D", "E", "F", "H"}),
    ([["is_company", "!=", True]], {"C", "D", "E", "F", "H"}),
    ([["type", "=", "invoice"]], {"D"}),
    ([["type", "!=", "contact"]], {"D"}),
    # =? is TRUE for a false value
    ([["email", "=?", False]], ALL),
    ([["email", "=?", "dave@example.com"]], {"D"}),
    # many2one: by id, by name, NULL
    ([["parent_id", "=", False]], {"A", "B", "E"}),
    ([["parent_id", "!=", False]], {"C", "D", "F", "H"}),
    ([["parent_id", "=", "@A"]], {"C", "D"}),
    ([["parent_id", "!=", "@A"]], {"A", "B", "E", "F", "H"}),
    ([["parent_id", "in", ["@A", "@B"]]], {"C", "D", "H"}),
    ([["parent_id", "=", "Alpha Corp"]], {"C", "D"}),
    ([["parent_id", "ilike", "alpha"]], {"C", "D", "F"}),
    ([["parent_id", "not ilike", "alpha"]], {"A", "B", "E", "H"}),
    ([["country_id", "=", 20]], {"A", "C", "F"}),
    ([["country_id", "=", "Belgium"]], {"A", "C", "F"}),
    ([["country_id", "in", [20, 75]]], {"A", "B", "C", "F"}),
    ([["country_id", "not in", [20]]], {"B", "D", "E", "H"}),
    ([["country_id", "=", False]], {"D"}),
    ([["parent_id", "any", [["is_company", "=", True]]]], {"C", "D", "H"}),
    ([["parent_id", "not any", [["is_company", "=", True]]]], {"A", "B", "E", "F"}),
    # dotted paths through many2one (an "any" on the first step)
    ([["parent_id.name", "=", "Alpha Corp"]], {"C", "D"}),
    ([["parent_id.city", "=", "Brussels"]], {"C", "D", "F"}),
    ([["parent_id.parent_id.name", "=", "Alpha Corp"]], {"F"}),
    ([["country_id.code", "=", "BE"]], {"A", "C", "F"}),
    ([["country_id.code", "!=", "BE"]], {"B", "E", "H"}),
    ([["parent_id.email", "=", False]], {"H"}),
    (["!", ["parent_id.email", "=", False]], {"C", "D", "F"}),
    # x2many: many2many and one2many
    ([["category_id", "=", "@Gold"]], {"A", "D"}),
    ([["category_id", "in", ["@Gold", "@VIP"]]], {"A", "D", "E"}),
    ([["category_id", "in", ["@VIP", False]]], {"B", "E", "F", "H"}),
    ([["category_id", "=", False]], {"B", "F", "H"}),
    ([["category_id", "!=", False]], {"A", "C", "D", "E"}),
    ([["category_id", "!=", "@Gold"]], {"B", "C", "E", "F", "H"}),
    ([["category_id", "not in", ["@Gold", "@Silver"]]], {"B", "E", "F", "H"}),
    ([["category_id", "ilike", "silver tier"]], {"C", "D"}),
    ([["category_id.name", "=", "Gold Tier"]], {"A", "D"}),
    ([["category_id", "any", [["name", "like", "S%"]]]], {"C", "D"}),
    ([["category_id", "not any", [["name", "=", "Gold Tier"]]]], {"B", "C", "E", "F", "H"}),
    ([["child_ids", "!=", False]], {"A", "B", "C"}),
    ([["child_ids", "=", False]], {"D", "E", "F", "H"}),
    ([["child_ids", "in", ["@C"]]], {"A"}),
    ([["child_ids", "not in", ["@C", "@H"]]], {"C", "D", "E", "F", "H"}),
    ([["child_ids.email", "ilike", "frank"]], {"C"}),
    ([["child_ids", "any", [["is_company", "=", False]]]], {"A", "B", "C"}),
    # hierarchies
    ([["id", "child_of", "@A"]], {"A", "C", "D", "F"}),
    ([["id", "child_of", ["@B", "@E"]]], {"B", "E", "H"}),
    ([["id", "child_of", "Alpha Corp"]], {"A", "C", "D", "F"}),
    ([["id", "parent_of", "@F"]], {"A", "C", "F"}),
    ([["parent_id", "child_of", "@A"]], {"C", "D", "F"}),
    # display_name searches the model's names
    ([["display_name", "ilike", "carol"]], {"C"}),
    ([["display_name", "=", "Alpha Corp, Carol Smith"]], {"C"}),
    # prefix operators, implicit &, nesting, negation
    (["|", ["name", "=", "Alpha Corp"], ["name", "=", "Beta Ltd"]], {"A", "B"}),
    (["!", ["name", "=", "Alpha Corp"]], ALL - {"A"}),
    (["!", ["email", "=like", "%example%"]], {"E", "F"}),
    (["!", ["email", "ilike", "example"]], {"B", "E", "H"}),
    ([["is_company", "=", False], ["country_id.code", "=", "BE"]], {"C", "F"}),
    (
        [
            "|",
            "&",
            ["is_company", "=", True],
            ["city", "=", "Paris"],
            "!",
            ["parent_id", "=", False],
        ],
        {"B", "C", "D", "F", "H"},
    ),
    (["&", "|", ["color", "=", 1], ["color", "=", 2], ["country_id", "=", 75]], {"B"}),
    (["!", "|", ["color", "<", 3], ["color", "=", False]], {"C", "F", "H"}),
    # TRUE and FALSE leaves
    ([[1, "=", 1]], ALL),
    ([[0, "=", 1]], set()),
    (["!", [0, "=", 1]], ALL),
    # active: archived records only when the domain names "active"
    ([["active", "=", False]], {"G"}),
    ([["active", "in", [True, False]]], ALL | {"G"}),
    ([["city", "=", "Paris"]], {"B"}),
]

ERRORS: list[tuple[list[Any], str, str]] = [
    ([["no_such_field", "=", 1]], "builtins.ValueError",
     "Invalid field res.partner.no_such_field in leaf ('no_such_field', '=', 1)"),
    ([["name", "bogus_op", "x"]], "builtins.ValueError", "Invalid leaf ('name', 'bogus_op', 'x')"),
    ([["name", "="]], "builtins.ValueError", "Invalid leaf ('name', '=')"),
    ([[5, "=", 1]], "builtins.ValueError", "Invalid leaf (5, '=', 1)"),
    (["foo"], "builtins.ValueError", "Invalid leaf 'foo'"),
    (["&", ["name", "=", "x"]], "builtins.ValueError",
     "Domain ['&', ['name', '=', 'x']] is syntactically not correct."),
    ([["country_id.nope", "=", 1]], "builtins.ValueError",
     "Invalid field res.country.nope in leaf ('nope', '=', 1)"),
    ([["name.foo", "=", 1]], "builtins.ValueError",
     "Invalid field res.partner.name.foo in leaf ('name.foo', '=', 1)"),
    ([["credit_limit", "=", 0]], "builtins.ValueError",
     "Non-stored field res.partner.credit_limit cannot be searched."),
    ([["id", "in", 5]], "builtins.ValueError", "Invalid domain term ('id', 'in', 5)"),
    ([["name", "any", []]], "builtins.ValueError", "Invalid leaf ('name', 'any', [])"),
    ([["color", "<", "abc"]], "psycopg2.errors.InvalidTextRepresentation",
     'invalid input syntax for type integer: "abc"\n'),
]  # fmt: skip


def _resolve(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str) and value.startswith("@"):
        return ids[value[1:]]
    if isinstance(value, list):
        return [_resolve(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: _resolve(item, ids) for key, item in value.items()}
    return value


@pytest.fixture(scope="module")
def data() -> tuple[Database, dict[str, int]]:
    db = Database("domains", partners=0)
    ids: dict[str, int] = {}
    for tag, name in (("Gold", "Gold Tier"), ("Silver", "Silver Tier"), ("VIP", "VIP")):
        ids[tag] = db.execute_kw(2, "res.partner.category", "create", [{"name": name}], {})
    for key, vals in PARTNERS.items():
        ids[key] = db.execute_kw(2, "res.partner", "create", [_resolve(vals, ids)], {})
    return db, ids


def _found(
    data: tuple[Database, dict[str, int]], domain: list[Any], context: dict[str, Any] | None = None
) -> set[str]:
    db, ids = data
    letters = {rid: key for key, rid in ids.items() if key in PARTNERS}
    found = db.execute_kw(
        2, "res.partner", "search", [_resolve(domain, ids)], {"context": context or {}}
    )
    return {letters[rid] for rid in found if rid in letters}


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize(("domain", "expected"), CASES, ids=[repr(d) for d, _ in CASES])
def test_domain(
    data: tuple[Database, dict[str, int]], domain: list[Any], expected: set[str]
) -> None:
    assert _found(data, domain) == expected


@pytest.mark.parametrize(("domain", "expected"), CASES[:40], ids=[repr(d) for d, _ in CASES[:40]])
def test_search_count_agrees(
    data: tuple[Database, dict[str, int]], domain: list[Any], expected: set[str]
) -> None:
    db, ids = data
    mine = [["id", "in", [ids[key] for key in PARTNERS]]]
    count = db.execute_kw(
        2, "res.partner", "search_count", [[*mine, *_resolve(domain, ids)] if domain else mine], {}
    )
    assert count == len(expected)


def test_active_test_false_in_context_shows_archived(data: tuple[Database, dict[str, int]]) -> None:
    assert _found(data, [["city", "=", "Paris"]], {"active_test": False}) == {"B", "G"}


def test_operators_are_case_insensitive_and_aliases_work(
    data: tuple[Database, dict[str, int]],
) -> None:
    assert _found(data, [["name", "ILIKE", "corp"]]) == {"A"}
    assert _found(data, [["name", "<>", "Alpha Corp"]]) == ALL - {"A"}
    assert _found(data, [["name", "==", "Alpha Corp"]]) == {"A"}


def test_tuples_work_as_well_as_lists(data: tuple[Database, dict[str, int]]) -> None:
    assert _found(data, [("name", "=", "Alpha Corp")]) == {"A"}


@pytest.mark.parametrize(("domain", "name", "message"), ERRORS, ids=[m for _, _, m in ERRORS])
def test_bad_domain(
    data: tuple[Database, dict[str, int]], domain: list[Any], name: str, message: str
) -> None:
    db, _ = data
    with pytest.raises(Fault) as caught:
        db.execute_kw(2, "res.partner", "search", [domain], {})
    assert (caught.value.name, caught.value.message) == (name, message)
    assert caught.value.arguments == [message]
