"""Table tests for the domain builder (F, Domain) and the validator (normalize_domain)."""

from __future__ import annotations

import copy
import enum
import pickle
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from odoo_async._errors import DomainError, OdooError
from odoo_async._orm._domain import OPERATORS, Domain, F, Field, normalize_domain

A = ("a", "=", 1)
B = ("b", "=", 2)
C = ("c", "=", 3)
LA = ["a", "=", 1]
LB = ["b", "=", 2]
LC = ["c", "=", 3]


class Color(enum.Enum):
    RED = "red"


# --------------------------------------------------------------------------- raw: valid

VALID_RAW: list[tuple[str, Any, list[Any]]] = [
    ("none", None, []),
    ("empty list", [], []),
    ("empty tuple", (), []),
    ("one tuple leaf", [("name", "=", "x")], [["name", "=", "x"]]),
    ("tuple domain", (("name", "=", "x"),), [["name", "=", "x"]]),
    ("list leaf", [["name", "=", "x"]], [["name", "=", "x"]]),
    ("implicit and kept", [A, B, C], [LA, LB, LC]),
    ("or", ["|", A, B], ["|", LA, LB]),
    ("not", ["!", A], ["!", LA]),
    ("nested prefix", ["&", "|", A, B, "!", C], ["&", "|", LA, LB, "!", LC]),
    ("ops then implicit and", ["|", A, B, C], ["|", LA, LB, LC]),
    ("double not", ["!", "!", A], ["!", "!", LA]),
    ("true leaf", [(1, "=", 1)], [[1, "=", 1]]),
    ("false leaf", [(0, "=", 1)], [[0, "=", 1]]),
    ("<> is sent as !=", [("a", "<>", 1)], [["a", "!=", 1]]),
    ("in tuple to list", [("a", "in", (1, 2))], [["a", "in", [1, 2]]]),
    ("in set sorted", [("a", "in", {3, 1, 2})], [["a", "in", [1, 2, 3]]]),
    ("not in frozenset", [("a", "not in", frozenset({"b", "a"}))], [["a", "not in", ["a", "b"]]]),
    ("in empty list", [("a", "in", [])], [["a", "in", []]]),
    ("in with None", [("a", "in", [None, 3])], [["a", "in", [False, 3]]]),
    ("date value", [("d", "=", date(2024, 3, 1))], [["d", "=", "2024-03-01"]]),
    (
        "aware datetime to UTC",
        [("d", ">=", datetime(2024, 3, 1, 1, 0, tzinfo=timezone(timedelta(hours=2))))],
        [["d", ">=", "2024-02-29 23:00:00"]],
    ),
    (
        "naive datetime as UTC",
        [("d", "<", datetime(2024, 3, 1, 14, 30, 5, 999))],
        [["d", "<", "2024-03-01 14:30:05"]],
    ),
    ("None to False", [("parent_id", "=", None)], [["parent_id", "=", False]]),
    ("enum value", [("color", "=", Color.RED)], [["color", "=", "red"]]),
    ("= with list kept", [("a", "=", [1, 2])], [["a", "=", [1, 2]]]),
    (
        "dotted path",
        [("partner_id.country_id.code", "=", "BE")],
        [["partner_id.country_id.code", "=", "BE"]],
    ),
    ("child_of int", [("parent_id", "child_of", 3)], [["parent_id", "child_of", 3]]),
    ("parent_of list", [("parent_id", "parent_of", (3, 4))], [["parent_id", "parent_of", [3, 4]]]),
    ("=? with False", [("user_id", "=?", False)], [["user_id", "=?", False]]),
    (
        "any",
        [("partner_id", "any", [("name", "ilike", "x")])],
        [["partner_id", "any", [["name", "ilike", "x"]]]],
    ),
    ("not any empty", [("tag_ids", "not any", [])], [["tag_ids", "not any", []]]),
    (
        "any in any, values converted",
        [("a", "any", [("b", "any", (("d", "=", date(2020, 1, 2)),))])],
        [["a", "any", [["b", "any", [["d", "=", "2020-01-02"]]]]]],
    ),
    ("any with a Domain", [("p", "any", F.name == "x")], [["p", "any", [["name", "=", "x"]]]]),
    ("Domain item spliced", ["|", F.a == 1, B], ["|", LA, LB]),
    ("empty Domain item is TRUE", ["|", Domain.TRUE, B], ["|", [1, "=", 1], LB]),
    ("Domain given whole", (F.a == 1) | (F.b == 2), ["|", LA, LB]),
]


@pytest.mark.parametrize(
    ("raw", "expected"), [c[1:] for c in VALID_RAW], ids=[c[0] for c in VALID_RAW]
)
def test_normalize_valid(raw: Any, expected: list[Any]) -> None:
    assert normalize_domain(raw) == expected


@pytest.mark.parametrize("operator", sorted(OPERATORS))
def test_every_odoo17_operator_is_accepted(operator: str) -> None:
    value: Any = [1] if operator in ("in", "not in") else [] if "any" in operator else 1
    expected_op = "!=" if operator == "<>" else operator
    assert normalize_domain([("f", operator, value)]) == [["f", expected_op, value]]


def test_normalize_returns_fresh_lists_and_leaves_input_alone() -> None:
    values = [1, 2]
    raw = [("a", "in", values), ["b", "=", {"k": (1,)}]]
    out = normalize_domain(raw)
    assert out == [["a", "in", [1, 2]], ["b", "=", {"k": [1]}]]
    out[0][2].append(3)
    assert values == [1, 2]
    assert raw[1] == ["b", "=", {"k": (1,)}]


def test_operators_go_out_as_plain_str() -> None:
    class Op(str, enum.Enum):
        EQ = "="

    out = normalize_domain([("a", Op.EQ, 1)])
    assert out == [["a", "=", 1]]
    assert type(out[0][1]) is str


# --------------------------------------------------------------------------- raw: invalid

INVALID_RAW: list[tuple[str, Any, str]] = [
    ("and missing one", ["&", A], "domain[0]: '&' needs 2 operands, got 1"),
    ("or alone", ["|"], "domain[0]: '|' needs 2 operands, got 0"),
    ("not alone", ["!"], "domain[0]: '!' needs 1 operand, got 0"),
    ("inner operator short", ["&", A, "|", B], "domain[2]: '|' needs 2 operands, got 1"),
    ("trailing operator", [A, "&"], "domain[1]: '&' needs 2 operands, got 0"),
    ("innermost reported", ["|", "&", A], "domain[1]: '&' needs 2 operands, got 1"),
    ("not not", ["!", "!"], "domain[1]: '!' needs 1 operand, got 0"),
    (
        "unknown operator",
        [("name", "bogus", "x")],
        "domain[0]: unknown operator 'bogus' in ('name', 'bogus', 'x')",
    ),
    (
        "unknown operator at 2",
        [A, B, ("name", "bogus", "x")],
        "domain[2]: unknown operator 'bogus' in ('name', 'bogus', 'x')",
    ),
    (
        "upper case",
        [("name", "ILIKE", "x")],
        "domain[0]: unknown operator 'ILIKE' in ('name', 'ILIKE', 'x')"
        " (operators are lower case: 'ilike')",
    ),
    ("python ==", [("a", "==", 1)], "domain[0]: unknown operator '==' in ('a', '==', 1)"),
    (
        "logic op in leaf",
        [("a", "&", 1)],
        "domain[0]: unknown operator '&' in ('a', '&', 1) ('&' goes before its operands",
    ),
    ("operator not str", [("a", 5, 1)], "domain[0]: unknown operator 5 in ('a', 5, 1)"),
    ("operator None", [("a", None, 1)], "domain[0]: unknown operator None"),
    ("Odoo 18 any!", [("a", "any!", [])], "domain[0]: unknown operator 'any!'"),
    (
        "two items",
        [("a", "=")],
        "domain[0]: a leaf has 3 items (field, operator, value), got 2 in ('a', '=')",
    ),
    (
        "four items",
        [A, ("a", "=", 1, 2)],
        "domain[1]: a leaf has 3 items (field, operator, value), got 4",
    ),
    ("empty leaf", [()], "domain[0]: a leaf has 3 items (field, operator, value), got 0 in ()"),
    ("empty field", [("", "=", 1)], "domain[0]: the field name is empty in ('', '=', 1)"),
    ("empty part", [("a..b", "=", 1)], "domain[0]: empty part in field path 'a..b'"),
    ("trailing dot", [("a.", "=", 1)], "domain[0]: empty part in field path 'a.'"),
    ("leading dot", [(".a", "=", 1)], "domain[0]: empty part in field path '.a'"),
    ("tab in path", [("a.\tb", "=", 1)], "domain[0]: whitespace in field path 'a.\\tb'"),
    ("whitespace", [("name ", "=", 1)], "domain[0]: whitespace in field path 'name '"),
    ("field int", [(2, "=", 1)], "domain[0]: the field of a leaf is a str, got int in (2, '=', 1)"),
    ("not the true leaf", [(1, "=", 0)], "domain[0]: the field of a leaf is a str, got int"),
    (
        "bool is not the true leaf",
        [(True, "=", 1)],
        "domain[0]: the field of a leaf is a str, got bool",
    ),
    ("field None", [(None, "=", 1)], "domain[0]: the field of a leaf is a str, got NoneType"),
    (
        "unknown word",
        ["and", A, B],
        "domain[0]: expected a leaf [field, operator, value] or one of '&', '|', '!', got 'and'",
    ),
    (
        "int item",
        [A, 42],
        "domain[1]: expected a leaf [field, operator, value] or one of '&', '|', '!', got int 42",
    ),
    (
        "dict item",
        [{"a": 1}],
        "domain[0]: expected a leaf [field, operator, value] or one of '&', '|', '!', got dict",
    ),
    ("bool item", [True], "domain[0]: expected a leaf"),
    ("str domain", "name", "domain: a domain is a list of leaves"),
    (
        "dict domain",
        {"name": "x"},
        "domain: a domain is a list of leaves [field, operator, value] and '&', '|', '!', got dict",
    ),
    ("int domain", 5, "domain: a domain is a list"),
    (
        "bare leaf",
        ("name", "=", "x"),
        "domain[0]: expected a leaf [field, operator, value] or one of '&', '|', '!', got 'name'"
        " (a single leaf goes inside a list: [('name', '=', 'x')])",
    ),
    (
        "in str",
        [("a", "in", "xyz")],
        "domain[0]: 'in' takes a list of values, got str in ('a', 'in', 'xyz')",
    ),
    ("not in int", [("a", "not in", 5)], "domain[0]: 'not in' takes a list of values, got int"),
    ("in None", [("a", "in", None)], "domain[0]: 'in' takes a list of values, got NoneType"),
    ("in bool", [("a", "in", True)], "domain[0]: 'in' takes a list of values, got bool"),
    ("any str", [("p", "any", "x")], "domain[0]: 'any' takes a domain as its value, got str"),
    (
        "not any dict",
        [("p", "not any", {})],
        "domain[0]: 'not any' takes a domain as its value, got dict",
    ),
    (
        "any bad op",
        [("p", "any", [("x", "bogus", 1)])],
        "domain[0][2][0]: unknown operator 'bogus' in ('x', 'bogus', 1)",
    ),
    (
        "not any short",
        [A, ("p", "not any", ["&", B])],
        "domain[1][2][0]: '&' needs 2 operands, got 1",
    ),
    (
        "any in any",
        [("a", "any", [("b", "any", [C, ("x", "=")])])],
        "domain[0][2][0][2][1]: a leaf has 3 items",
    ),
    (
        "field as value",
        [("a", "=", F.b)],
        "domain[0]: a leaf compares a field with a value; Field F('b') is not a value",
    ),
    (
        "Domain as value",
        [("a", "=", F.b == 1)],
        "domain[0]: a leaf compares a field with a value; Domain",
    ),
]


@pytest.mark.parametrize(
    ("raw", "message"), [c[1:] for c in INVALID_RAW], ids=[c[0] for c in INVALID_RAW]
)
def test_normalize_invalid(raw: Any, message: str) -> None:
    with pytest.raises(DomainError) as info:
        normalize_domain(raw)
    assert str(info.value).startswith(message)
    # Raw domains are checked the same way when building a Domain from them.
    with pytest.raises(DomainError) as again:
        Domain(raw)
    assert str(again.value) == str(info.value)


def test_domain_error_is_an_odoo_error_and_a_value_error() -> None:
    with pytest.raises(DomainError) as info:
        normalize_domain([("a", "bogus", 1)])
    assert isinstance(info.value, OdooError)
    assert isinstance(info.value, ValueError)


def test_long_values_are_shortened_in_messages() -> None:
    with pytest.raises(DomainError) as info:
        normalize_domain([("a", "bogus", list(range(10_000)))])
    assert len(str(info.value)) < 200
    assert "..." in str(info.value)


def test_deep_domains_do_not_recurse() -> None:
    n = 5_000
    raw: list[Any] = ["|"] * (n - 1) + [("id", "=", i) for i in range(n)]
    out = normalize_domain(raw)
    assert len(out) == 2 * n - 1
    assert len(Domain(raw)) == 2 * n - 1


# --------------------------------------------------------------------------- builder: valid

BUILT: list[tuple[str, Callable[[], Any], list[Any]]] = [
    ("eq True", lambda: F.is_company == True, [["is_company", "=", True]]),  # noqa: E712
    ("eq False", lambda: F.active == False, [["active", "=", False]]),  # noqa: E712
    ("eq None", lambda: F.parent_id == None, [["parent_id", "=", False]]),  # noqa: E711
    ("ne", lambda: F.state != "draft", [["state", "!=", "draft"]]),
    ("lt", lambda: F.amount < 10, [["amount", "<", 10]]),
    ("le", lambda: F.amount <= 10.5, [["amount", "<=", 10.5]]),
    ("gt", lambda: F.amount > 0, [["amount", ">", 0]]),
    ("ge date", lambda: F.date >= date(2024, 1, 31), [["date", ">=", "2024-01-31"]]),
    ("reflected", lambda: 5 < F.amount, [["amount", ">", 5]]),  # noqa: SIM300
    ("reflected eq", lambda: True == F.active, [["active", "=", True]]),  # noqa: E712, SIM300
    (
        "call with dots",
        lambda: F("country_id.code").in_(["BE", "FR"]),
        [["country_id.code", "in", ["BE", "FR"]]],
    ),
    (
        "attribute chain",
        lambda: F.partner_id.country_id.code == "BE",
        [["partner_id.country_id.code", "=", "BE"]],
    ),
    ("like", lambda: F.name.like("Az"), [["name", "like", "Az"]]),
    ("ilike", lambda: F.name.ilike("azure"), [["name", "ilike", "azure"]]),
    ("not_like", lambda: F.name.not_like("x"), [["name", "not like", "x"]]),
    ("not_ilike", lambda: F.name.not_ilike("x"), [["name", "not ilike", "x"]]),
    ("eq_like", lambda: F.code.eq_like("A%"), [["code", "=like", "A%"]]),
    ("eq_ilike", lambda: F.code.eq_ilike("a%"), [["code", "=ilike", "a%"]]),
    ("eq_or_ignore", lambda: F.user_id.eq_or_ignore(False), [["user_id", "=?", False]]),
    ("in_ tuple", lambda: F.id.in_((1, 2)), [["id", "in", [1, 2]]]),
    ("in_ generator", lambda: F.id.in_(i * 2 for i in range(3)), [["id", "in", [0, 2, 4]]]),
    ("in_ set sorted", lambda: F.id.in_({5, 3, 4}), [["id", "in", [3, 4, 5]]]),
    ("in_ dict keys", lambda: F.id.in_({2: "b", 1: "a"}.keys()), [["id", "in", [1, 2]]]),
    ("in_ range", lambda: F.id.in_(range(3)), [["id", "in", [0, 1, 2]]]),
    ("in_ empty", lambda: F.id.in_([]), [["id", "in", []]]),
    ("not_in dates", lambda: F.d.not_in([date(2024, 1, 1)]), [["d", "not in", ["2024-01-01"]]]),
    ("child_of", lambda: F.parent_id.child_of(3), [["parent_id", "child_of", 3]]),
    ("parent_of", lambda: F.parent_id.parent_of([3, 4]), [["parent_id", "parent_of", [3, 4]]]),
    (
        "any builder",
        lambda: F.partner_id.any(F.name.ilike("x")),
        [["partner_id", "any", [["name", "ilike", "x"]]]],
    ),
    (
        "any raw",
        lambda: F.partner_id.any([("name", "=", "x"), ("a", "=", 1)]),
        [["partner_id", "any", [["name", "=", "x"], ["a", "=", 1]]]],
    ),
    (
        "not_any",
        lambda: F.tag_ids.not_any(F.name == "VIP"),
        [["tag_ids", "not any", [["name", "=", "VIP"]]]],
    ),
    ("any None", lambda: F.tag_ids.any(None), [["tag_ids", "any", []]]),
    ("and", lambda: (F.a == 1) & (F.b == 2), ["&", LA, LB]),
    ("or", lambda: (F.a == 1) | (F.b == 2), ["|", LA, LB]),
    ("not", lambda: ~(F.a == 1), ["!", LA]),
    ("not not", lambda: ~~(F.a == 1), [LA]),
    ("not of and", lambda: ~((F.a == 1) & (F.b == 2)), ["!", "&", LA, LB]),
    ("and chain", lambda: (F.a == 1) & (F.b == 2) & (F.c == 3), ["&", "&", LA, LB, LC]),
    ("and of or", lambda: ((F.a == 1) | (F.b == 2)) & (F.c == 3), ["&", "|", LA, LB, LC]),
    ("or of and", lambda: (F.a == 1) | ((F.b == 2) & (F.c == 3)), ["|", LA, "&", LB, LC]),
    ("and raw list", lambda: (F.a == 1) & [B], ["&", LA, LB]),
    ("raw list and", lambda: [A] & (F.b == 2), ["&", LA, LB]),
    ("raw implicit and", lambda: [A, B] & (F.c == 3), ["&", "&", LA, LB, LC]),
    ("raw tuple or", lambda: (A,) | (F.b == 2), ["|", LA, LB]),
    ("TRUE and", lambda: Domain.TRUE & (F.a == 1), [LA]),
    ("and TRUE", lambda: (F.a == 1) & Domain.TRUE, [LA]),
    ("and empty list", lambda: (F.a == 1) & [], [LA]),
    ("TRUE or", lambda: Domain.TRUE | (F.a == 1), []),
    ("not TRUE", lambda: ~Domain.TRUE, [[0, "=", 1]]),
    ("FALSE", lambda: Domain.FALSE, [[0, "=", 1]]),
    ("Domain() is TRUE", lambda: Domain(), []),
    ("Domain raw made explicit", lambda: Domain([A, B, C]), ["&", "&", LA, LB, LC]),
    ("Domain raw explicit kept", lambda: Domain(["|", A, B]), ["|", LA, LB]),
    ("Domain of Domain", lambda: Domain(F.a == 1), [LA]),
    (
        "underscore path by call",
        lambda: F("__last_update") > "2024-01-01 00:00:00",
        [["__last_update", ">", "2024-01-01 00:00:00"]],
    ),
    ("method name as field", lambda: F("any") == 1, [["any", "=", 1]]),
]


@pytest.mark.parametrize(("build", "expected"), [c[1:] for c in BUILT], ids=[c[0] for c in BUILT])
def test_builder(build: Callable[[], Any], expected: list[Any]) -> None:
    domain = build()
    assert isinstance(domain, Domain)
    assert domain.to_list() == expected
    assert list(domain) == expected
    assert normalize_domain(domain) == expected
    assert len(domain) == len(expected)
    # The output is itself a valid raw domain that gives the same Domain back.
    assert Domain(expected) == domain


# --------------------------------------------------------------------------- builder: invalid

BUILT_INVALID: list[tuple[str, Callable[[], object], str]] = [
    ("in_ str", lambda: F.a.in_("abc"), "F('a').in_(): takes an iterable of values, got str 'abc'"),
    ("in_ int", lambda: F.a.in_(5), "F('a').in_(): takes an iterable of values, got int 5"),  # type: ignore[arg-type]
    (
        "not_in None",
        lambda: F.a.not_in(None),  # type: ignore[arg-type]
        "F('a').not_in(): takes an iterable of values, got NoneType",
    ),
    ("in_ Field", lambda: F.a.in_(F.b), "F('a').in_(): takes an iterable of values, got Field"),  # type: ignore[arg-type]
    (
        "field eq field",
        lambda: F.a == F.b,
        "F('a'): a leaf compares a field with a value; Field F('b')",
    ),
    (
        "field lt field",
        lambda: F.a < F.b.c,
        "F('a'): a leaf compares a field with a value; Field F('b.c')",
    ),
    ("empty path", lambda: F(""), "F(''): the field name is empty"),
    ("empty part", lambda: F("a..b"), "F('a..b'): empty part in field path 'a..b'"),
    ("path not str", lambda: F(3), "F(): a field path is a str, got int"),  # type: ignore[arg-type]
    (
        "any bad op",
        lambda: F.p.any([("x", "bogus", 1)]),
        "F('p').any()[0]: unknown operator 'bogus' in ('x', 'bogus', 1)",
    ),
    (
        "not_any short",
        lambda: F.p.not_any(["|", A]),
        "F('p').not_any()[0]: '|' needs 2 operands, got 1",
    ),
    ("any not a domain", lambda: F.p.any("x"), "F('p').any(): a domain is a list"),
    (
        "and bad raw",
        lambda: (F.a == 1) & [("x", "bogus", 1)],
        "domain[0]: unknown operator 'bogus'",
    ),
]


@pytest.mark.parametrize(
    ("build", "message"), [c[1:] for c in BUILT_INVALID], ids=[c[0] for c in BUILT_INVALID]
)
def test_builder_invalid(build: Callable[[], object], message: str) -> None:
    with pytest.raises(DomainError) as info:
        build()
    assert str(info.value).startswith(message)


# --------------------------------------------------------------------------- misuse and protocol


def test_and_keyword_is_refused() -> None:
    with pytest.raises(TypeError, match=r"combine conditions with &, \|, ~"):
        (F.a == 1) and (F.b == 2)  # noqa: B018


def test_bool_of_a_domain_is_refused() -> None:
    for domain in (F.a == 1, Domain.TRUE, (F.a == 1) | (F.b == 2)):
        with pytest.raises(TypeError, match="has no truth value"):
            bool(domain)


def test_membership_with_in_is_refused() -> None:
    with pytest.raises(TypeError, match=r"F\.x\.in_"):
        F.a in [1, 2]  # noqa: B015


def test_bool_of_a_field_is_refused() -> None:
    with pytest.raises(
        TypeError,
        match=r"F\('active'\) has no truth value: write a condition such as F\('active'\) == True",
    ):
        bool(F.active)


def test_field_is_not_hashable() -> None:
    with pytest.raises(TypeError, match="unhashable"):
        hash(F.a)


def test_private_attributes_are_not_fields() -> None:
    with pytest.raises(AttributeError):
        F._private  # noqa: B018
    with pytest.raises(AttributeError):
        F.a._private  # noqa: B018
    assert not hasattr(F, "__array__")


def test_field_repr_and_str() -> None:
    assert repr(F.partner_id.country_id) == "F('partner_id.country_id')"
    assert str(F.partner_id.country_id) == "partner_id.country_id"
    assert str(F("a.b").c) == "a.b.c"
    assert repr(F) == "F"


def test_field_and_domain_are_immutable() -> None:
    field = F.a
    with pytest.raises(AttributeError):
        field.b = 1
    domain = F.a == 1
    with pytest.raises(AttributeError, match="immutable"):
        domain._items = ()


def test_to_list_gives_a_copy() -> None:
    domain = F.a.in_([1, 2]) & (F.b == {"k": [1]})
    out = domain.to_list()
    out[1][2].append(3)
    out[2][2]["k"].append(2)
    out.append("!")
    assert domain.to_list() == ["&", ["a", "in", [1, 2]], ["b", "=", {"k": [1]}]]


def test_equality_and_hash() -> None:
    one = (F.a == 1) & F.b.in_([1, 2])
    two = Domain([("a", "=", 1), ("b", "in", (1, 2))])
    assert one == two
    assert hash(one) == hash(two)
    assert len({one, two, F.a == 1}) == 2
    assert (F.a == 1) != (F.a == 2)
    assert (F.a == 1) != ["a", "=", 1]
    assert (F.x == {"k": 1, "j": 2}) == (F.x == {"j": 2, "k": 1})
    assert hash(F.x == {"k": 1, "j": 2}) == hash(F.x == {"j": 2, "k": 1})
    # a dict value is not the list of its items
    assert (F.x == {"k": 1}) != (F.x == [["k", 1]])
    assert hash(Domain.TRUE) == hash(Domain())


def test_repr() -> None:
    assert repr(F.a == 1) == "Domain([['a', '=', 1]])"
    assert repr(Domain.TRUE) == "Domain.TRUE"


def test_pickle_and_copy() -> None:
    domain = (F.a == date(2024, 1, 1)) | F.p.any(F.b.in_([1]))
    assert pickle.loads(pickle.dumps(domain)) == domain
    assert copy.copy(domain) == domain
    assert copy.deepcopy(domain) == domain


def test_combining_with_other_types_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        (F.a == 1) & 5  # type: ignore[operator]
    with pytest.raises(TypeError):
        None | (F.a == 1)


def test_field_class_is_exported() -> None:
    assert isinstance(F.a, Field)
    assert repr(Field("a.b")) == "F('a.b')"


# ------------------------------------------------------------ property: & | ~ keep their meaning


def _evaluate(domain: list[Any], row: dict[str, int]) -> bool:
    """A tiny evaluator of prefix domains with '=' leaves and implicit and."""

    def term(pos: int) -> tuple[bool, int]:
        item = domain[pos]
        if item == "!":
            value, pos = term(pos + 1)
            return not value, pos
        if item in ("&", "|"):
            left, pos = term(pos + 1)
            right, pos = term(pos)
            return (left and right) if item == "&" else (left or right), pos
        field, operator, value = item
        assert operator == "="
        if field in (0, 1):  # TRUE_LEAF / FALSE_LEAF
            return field == 1, pos + 1
        return row[field] == value, pos + 1

    result, pos = True, 0
    while pos < len(domain):
        value, pos = term(pos)
        result = result and value
    return result


def _trees() -> Any:
    fields = st.sampled_from(["x", "y"])
    leaf = st.builds(lambda f, v: ("leaf", f, v), fields, st.integers(0, 2))
    constant = st.sampled_from([("true",), ("false",)])
    return st.recursive(
        leaf | constant,
        lambda inner: (
            st.tuples(st.just("and"), inner, inner)
            | st.tuples(st.just("or"), inner, inner)
            | st.tuples(st.just("not"), inner)
        ),
        max_leaves=12,
    )


def _build(tree: Any) -> Domain:
    kind = tree[0]
    if kind == "leaf":
        condition: Domain = F(tree[1]) == tree[2]
        return condition
    if kind == "true":
        return Domain.TRUE
    if kind == "false":
        return Domain.FALSE
    if kind == "not":
        return ~_build(tree[1])
    left, right = _build(tree[1]), _build(tree[2])
    return left & right if kind == "and" else left | right


def _truth(tree: Any, row: dict[str, int]) -> bool:
    kind = tree[0]
    if kind == "leaf":
        return bool(row[tree[1]] == tree[2])
    if kind in ("true", "false"):
        return bool(kind == "true")
    if kind == "not":
        return not _truth(tree[1], row)
    if kind == "and":
        return _truth(tree[1], row) and _truth(tree[2], row)
    return _truth(tree[1], row) or _truth(tree[2], row)


ROWS = [{"x": x, "y": y} for x in range(3) for y in range(3)]


@settings(max_examples=300, deadline=None)
@given(_trees())
def test_combinations_keep_their_meaning(tree: Any) -> None:
    domain = _build(tree)
    raw = domain.to_list()
    assert normalize_domain(raw) == raw
    assert Domain(raw) == domain
    for row in ROWS:
        assert _evaluate(raw, row) == _truth(tree, row), (tree, raw, row)


@pytest.mark.parametrize(
    "raw",
    [[A, B, C], ["|", A, B, C], [A, "!", B], ["&", A, B, "|", B, C]],
    ids=["three leaves", "or then leaf", "leaf then not", "two terms"],
)
def test_implicit_and_made_explicit_keeps_meaning(raw: list[Any]) -> None:
    explicit = Domain(raw).to_list()
    rows = [{"a": a, "b": b, "c": c} for a in (0, 1) for b in (1, 2) for c in (2, 3)]
    for row in rows:
        assert _evaluate(explicit, row) == _evaluate(normalize_domain(raw), row)


# --------------------------------------------------------------------------- values a user holds


def test_a_many2one_or_a_record_in_a_domain_is_its_id() -> None:
    from odoo_async import Many2one, Record

    class Country(Record, model="res.country"):
        name: str = ""

    belgium = Many2one(21, "Belgium")
    assert (F.country_id == belgium).to_list() == [["country_id", "=", 21]]
    assert (F.country_id == Country(id=21)).to_list() == [["country_id", "=", 21]]
    assert F.country_id.in_([belgium, Country(id=3)]).to_list() == [["country_id", "in", [21, 3]]]
    assert normalize_domain([("country_id", "=", belgium)]) == [["country_id", "=", 21]]
    assert normalize_domain([("country_id", "in", (belgium,))]) == [["country_id", "in", [21]]]


@pytest.mark.parametrize(
    "build",
    [
        lambda: F.is_company == True & F.active == True,  # noqa: E712
        lambda: F.is_company == 1 | F.active == 1,
        lambda: (F.a == 1) & F.b,
        lambda: F.a & (F.b == 1),
        lambda: ~F.active,
    ],
    ids=["and", "or", "domain-and-field", "field-and-domain", "invert"],
)
def test_a_field_combined_without_its_comparison_says_to_add_parentheses(
    build: Callable[[], object],
) -> None:
    with pytest.raises(TypeError, match="parentheses") as info:
        build()
    assert "(F." in str(info.value)
