"""``load`` on the double: Odoo's import method, all rows or none, as the real Odoo 17 answered."""

from __future__ import annotations

from typing import Any

import pytest

from odoo_async.testing import FakeOdoo


@pytest.fixture
def fake() -> FakeOdoo:
    return FakeOdoo(partners=10)


def call(fake: FakeOdoo, method: str, *args: Any) -> Any:
    return fake.database.execute_kw(2, "res.partner", method, list(args), {})


def ids_of(fake: FakeOdoo, n: int) -> list[int]:
    ids: list[int] = call(fake, "search", [("is_company", "=", False)])
    return ids[:n]


def test_rows_with_an_id_update_those_records_others_create(fake: FakeOdoo) -> None:
    a, b = ids_of(fake, 2)
    country = fake.database.execute_kw(2, "res.country", "search", [[]], {"limit": 1})[0]
    header = [".id", "name", "email", "country_id/.id", "category_id/.id", "is_company", "color"]
    answer = call(
        fake, "load", header,
        [[str(a), "A", "a@example.com", str(country), "1,2", "1", "3"],
         [str(b), "B", "", "", "", "0", ""],
         ["", "New", "new@example.com", "", "", "false", "7"]],
    )  # fmt: skip
    assert answer["messages"] == []
    assert answer["nextrow"] == 0
    assert answer["ids"][:2] == [a, b]
    rows = call(
        fake,
        "read",
        answer["ids"],
        ["name", "email", "country_id", "category_id", "is_company", "color"],
    )
    assert [r["email"] for r in rows] == ["a@example.com", False, "new@example.com"]
    assert rows[0]["country_id"][0] == country
    assert rows[0]["category_id"] == [1, 2]
    assert rows[1]["country_id"] is False
    assert rows[1]["category_id"] == []
    assert [r["is_company"] for r in rows] == [True, False, False]
    assert [r["color"] for r in rows] == [3, 0, 7]


def test_one_bad_row_keeps_nothing_and_each_failure_names_its_row(fake: FakeOdoo) -> None:
    a, b, c = ids_of(fake, 3)
    before = call(fake, "read", [a, b, c], ["email"])
    answer = call(
        fake, "load", [".id", "email", "is_company", "name"],
        [[str(a), "a@example.com", "maybe", "A"],
         [str(b), "b@example.com", "1", ""],
         ["99999999", "x@example.com", "0", "X"],
         [str(c), "c@example.com", "1", "C"]],
    )  # fmt: skip
    assert answer["ids"] is False
    conversion, unknown, refused = answer["messages"]
    assert conversion == {
        "rows": {"from": 0, "to": 0}, "type": "error", "record": 0, "field": "is_company",
        "message": "Unknown value 'maybe' for boolean field 'Is a Company'",
        "moreinfo": "Use '1' for yes and '0' for no", "field_name": "Is a Company",
    }  # fmt: skip
    assert unknown == {
        "rows": {"from": 2, "to": 2}, "type": "error", "record": 2, "field": ".id",
        "message": "Unknown database identifier '99999999'",
    }  # fmt: skip
    assert refused["record"] == 1
    assert refused["rows"] == {"from": 1, "to": 1}
    assert "name" in refused["message"]
    assert call(fake, "read", [a, b, c], ["email"]) == before  # nothing kept, c neither


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("color", "abc", "'abc' does not seem to be an integer for field 'Color Index'"),
        ("date", "31/01/2024", "'31/01/2024' does not seem to be a valid date for field 'Date'"),
        ("type", "nosuchtype", "Value 'nosuchtype' not found in selection field 'Address Type'"),
        ("country_id/.id", "abc", "Invalid database id 'abc' for the field 'Country'"),
        (
            "country_id/.id",
            "999999",
            "No matching record found for database id '999999' in field 'Country'",
        ),
    ],
)
def test_values_that_do_not_convert_are_odoo_s_messages(
    fake: FakeOdoo, field: str, text: str, message: str
) -> None:
    (a,) = ids_of(fake, 1)
    answer = call(fake, "load", [".id", field], [[str(a), text]])
    assert answer["ids"] is False
    assert [m["message"] for m in answer["messages"]] == [message]
