"""The module of typed records written from ``fields_get``: what each field
becomes, that the module passes ruff and ``mypy --strict`` as written, and that
it decodes rows as a real Odoo 17 sent them."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from generated_code import check_module, load_module

from odoo_async import Many2one, RecordDecodeError, models_source_from_fields_get
from odoo_async._orm._codegen import MAX_LITERAL_VALUES
from odoo_async._orm._records import decode_records

from .test_records import MOVE_ROWS, PARTNER_FIELDS_GET, PARTNER_ROWS

UTC = timezone.utc

# fmt: off
#: account.move's fields as Odoo 17's fields_get describes them (those of MOVE_ROWS).
MOVE_FIELDS_GET: dict[str, dict[str, Any]] = {
    "id": {"type": "integer", "string": "ID", "store": True, "readonly": True},
    "name": {"type": "char", "string": "Number", "store": True, "readonly": False, "required": False},
    "partner_id": {"type": "many2one", "string": "Partner", "relation": "res.partner", "store": True},
    "invoice_date": {"type": "date", "string": "Invoice/Bill Date", "store": True},
    "invoice_date_due": {"type": "date", "string": "Due Date", "store": True},
    "amount_total": {"type": "monetary", "string": "Total", "store": True, "readonly": True},
    "amount_residual": {"type": "monetary", "string": "Amount Due", "store": True, "readonly": True},
    "state": {"type": "selection", "string": "Status", "store": True, "required": True, "readonly": True, "selection": [["draft", "Draft"], ["posted", "Posted"], ["cancel", "Cancelled"]]},
    "payment_state": {"type": "selection", "string": "Payment Status", "store": True, "readonly": True, "selection": [["not_paid", "Not Paid"], ["in_payment", "In Payment"], ["paid", "Paid"], ["partial", "Partially Paid"], ["reversed", "Reversed"], ["invoicing_legacy", "Invoicing App Legacy"]]},
    "invoice_line_ids": {"type": "one2many", "string": "Invoice lines", "relation": "account.move.line", "store": True},
    "move_type": {"type": "selection", "string": "Type", "store": True, "required": True, "readonly": True, "selection": [["entry", "Journal Entry"], ["out_invoice", "Customer Invoice"], ["out_refund", "Customer Credit Note"], ["in_invoice", "Vendor Bill"], ["in_refund", "Vendor Credit Note"], ["out_receipt", "Sales Receipt"], ["in_receipt", "Purchase Receipt"]]},
    "currency_id": {"type": "many2one", "string": "Currency", "relation": "res.currency", "store": True, "required": True},
    "tax_totals": {"type": "binary", "string": "Invoice Totals", "store": False, "readonly": True, "exportable": False},
}
# fmt: on
STATIC = {"res.partner": ["type"], "account.move": ["state", "payment_state", "move_type"]}


def source_of(spec: dict[str, Any], **options: Any) -> str:
    return models_source_from_fields_get({"x.thing": {"f": spec}}, **options)


def field_lines(source: str) -> list[str]:
    """The lines of field ``f`` (its declaration, without its docstring)."""
    lines = source.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("    f:"))
    end = next(i for i in range(start, len(lines)) if '"""' in lines[i])
    return lines[start:end]


SEL = [["a", "A"], ["b", "B"]]


@pytest.mark.parametrize(
    ("spec", "static", "expected", "doc"),
    [
        ({"type": "char", "string": "Name"}, False, "f: str | None = None", "Name (char)."),
        ({"type": "char", "required": True, "store": True}, False, "f: str", "(char; required)."),
        (
            {"type": "char", "required": True, "store": False, "readonly": True},
            False,
            "f: str | None = None",
            "(char; required, not stored: may be empty; readonly).",
        ),
        ({"type": "text"}, False, "f: str | None = None", "(text)."),
        ({"type": "html"}, False, "f: str | None = None", "(html)."),
        ({"type": "boolean"}, False, "f: bool = False", "(boolean)."),
        ({"type": "integer"}, False, "f: int = 0", "(integer)."),
        ({"type": "float"}, False, "f: float = 0.0", "(float)."),
        ({"type": "monetary"}, False, "f: float = 0.0", "(monetary)."),
        ({"type": "date"}, False, "f: dt.date | None = None", "(date)."),
        ({"type": "datetime"}, False, "f: dt.datetime | None = None", "(datetime)."),
        ({"type": "date", "required": True}, False, "f: dt.date", "(date; required)."),
        (
            {"type": "many2one", "relation": "res.country"},
            False,
            "f: Many2one | None = None",
            "(many2one to res.country).",
        ),
        (
            {"type": "many2one", "relation": "x.thing", "required": True},
            False,
            "f: XThingRef",
            "(many2one to XThing; required).",
        ),
        (
            {"type": "one2many", "relation": "x.thing"},
            False,
            "f: list[int] = msgspec.field(default_factory=list)",
            "(one2many: ids of XThing).",
        ),
        (
            {"type": "many2many", "relation": "res.users"},
            False,
            "f: list[int] = msgspec.field(default_factory=list)",
            "(many2many: ids of res.users).",
        ),
        ({"type": "binary"}, False, "f: bytes | None = None", "(binary)."),
        ({"type": "many2one_reference"}, False, "f: int | None = None", "(many2one_reference)."),
        ({"type": "reference"}, False, "f: str | None = None", "(reference)."),
        ({"type": "json"}, False, "f: Any = None", "(json, not typed)."),
        ({"type": "properties"}, False, "f: Any = None", "(properties, not typed)."),
        (
            {"type": "selection", "selection": SEL},
            True,
            "f: XThingF | None = None",
            "(selection, see XThingF).",
        ),
        (
            {"type": "selection", "selection": SEL, "required": True},
            True,
            "f: XThingF",
            "(selection, see XThingF; required).",
        ),
        (
            {"type": "selection", "selection": SEL},
            False,
            "f: str | None = None",
            "(selection, values not known to be fixed: str).",
        ),
        (
            {"type": "selection", "selection": [[1, "One"], [2, "Two"]]},
            True,
            "f: Any = None",
            "(selection with values that are not text, not typed).",
        ),
        (
            {"type": "selection", "selection": [[str(i), str(i)] for i in range(101)]},
            True,
            "f: str | None = None",
            f"(selection of {MAX_LITERAL_VALUES + 1} values: str).",
        ),
    ],
)
def test_what_each_field_becomes(
    spec: dict[str, Any], static: bool, expected: str, doc: str
) -> None:
    source = source_of(spec, static_selections={"x.thing": ["f"]} if static else None)
    assert field_lines(source) == [f"    {expected}"]
    after = source.split(f"    {expected}\n", 1)[1]
    assert after.startswith('    """')
    assert doc in after.split('"""')[1]


def test_a_literal_alias_lists_the_values_and_their_labels() -> None:
    source = source_of(
        {"type": "selection", "selection": SEL}, static_selections={"x.thing": ["f"]}
    )
    assert 'XThingF: TypeAlias = Literal["a", "b"]\n"""x.thing.f: "a" A, "b" B."""' in source
    assert "from typing import Literal, TypeAlias" in source


def test_the_docstring_names_the_models_the_server_and_the_date() -> None:
    source = models_source_from_fields_get(
        {"res.partner": PARTNER_FIELDS_GET, "account.move": MOVE_FIELDS_GET},
        server_version="17.0",
        generated_at="2026-12-07 14:00 UTC",
        header="Made by: odoo-async codegen ...\n\nA second paragraph.",
    )
    assert source.startswith('"""Typed records for 2 Odoo models, from Odoo 17.0.\n\n')
    assert "Models: account.move, res.partner.\n" in source
    assert "on 2026-12-07 14:00 UTC;" in source
    assert "\n\nMade by: odoo-async codegen ...\n\nA second paragraph.\n" in source
    assert "account.move.tax_totals." in source.split('"""')[1]  # left out, and said so
    assert "    tax_totals" not in source
    assert 'class AccountMove(Record, model="account.move"):' in source
    assert 'class ResPartner(Record, model="res.partner"):' in source
    assert source.index("class AccountMove(") < source.index("class ResPartner(")
    # a many2one to a generated model names it; to another model, plain Many2one
    assert "    partner_id: ResPartnerRef | None = None\n" in source
    assert "    currency_id: Many2one\n" in source
    assert "    parent_id: ResPartnerRef | None = None\n" in source


def test_a_field_not_exportable_is_kept_when_named() -> None:
    source = models_source_from_fields_get(
        {"account.move": MOVE_FIELDS_GET}, fields={"account.move": ["name", "tax_totals"]}
    )
    assert "    tax_totals: Any = None\n" in source
    assert "(binary not exportable, not typed" in source
    assert "Left out" not in source


def test_generated_from_odoo17_it_type_checks_and_decodes_odoo17_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = models_source_from_fields_get(
        {"res.partner": PARTNER_FIELDS_GET, "account.move": MOVE_FIELDS_GET},
        server_version="17.0",
        static_selections=STATIC,
        names={"res.partner": "Partner"},
    )
    path = tmp_path / "models.py"
    path.write_text(source)
    check_module(path)
    models = load_module(path, monkeypatch)

    azure, brandon, _ = decode_records(models.Partner, json.dumps(PARTNER_ROWS))
    assert type(azure) is models.Partner
    assert azure.country_id == Many2one(233, "United States")
    assert azure.parent_id is None
    assert brandon.parent_id == Many2one(14, "Azure Interior")
    assert azure.create_date == datetime(2026, 11, 22, 18, 58, 57, tzinfo=UTC)
    assert azure.type == "contact"
    assert azure.comment is None
    assert azure.child_ids == [26, 33, 27]

    posted, draft = decode_records(models.AccountMove, json.dumps(MOVE_ROWS))
    assert posted.state == "posted"
    assert posted.move_type == "in_refund"
    assert posted.invoice_date == date(2026, 11, 1)
    assert draft.partner_id is None
    assert draft.invoice_date is None
    assert draft.name == "/"
    assert draft.currency_id == Many2one(1, "USD")

    odd = [{**MOVE_ROWS[0], "state": "to_approve"}]  # a value a later module adds
    with pytest.raises(RecordDecodeError, match="'state'"):
        decode_records(models.AccountMove, json.dumps(odd))


def test_long_names_are_laid_out_as_ruff_formats_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    long = "x_studio_a_rather_long_field_name_for_the_rounding_method"
    many = [[f"value_number_{i}", f"Value {i}"] for i in range(40)]
    spec: dict[str, dict[str, Any]] = {
        long: {"type": "selection", "selection": SEL, "string": "A " * 60},
        "tax_calculation_rounding_method": {"type": "selection", "selection": SEL},
        "short_but_many": {"type": "selection", "selection": many},
        "middling": {"type": "selection", "selection": [[f"v{i}", ""] for i in range(12)]},
        "__last_update": {"type": "datetime", "string": 'Ends in a quote "'},
        "x-odd": {"type": "many2many", "relation": "res.partner"},
        "class": {"type": "char", "required": True},
        "x_a_long_reference_to_the_generated_model_itself_id": {
            "type": "many2one",
            "relation": "account.move.line.with.a.long.name",
        },
        "weird_label": {"type": "char", "string": 'back\\slash """ quotes'},
    }
    many_models = {f"x.model.number{i:02}": {"name": {"type": "char"}} for i in range(12)}
    many_models["x.a.model.whose.name.pushes.the.class.line.past"] = {}
    source = models_source_from_fields_get(
        {"account.move.line.with.a.long.name": spec, **many_models},
        static_selections={"account.move.line.with.a.long.name": list(spec)},
    )
    path = tmp_path / "long_names.py"
    path.write_text(source)
    check_module(path)
    models = load_module(path, monkeypatch)
    cls = models.AccountMoveLineWithALongName
    row = {
        "id": 1,
        long: "a",
        "tax_calculation_rounding_method": False,
        "short_but_many": "value_number_39",
        "middling": "v3",
        "__last_update": "2026-11-22 18:58:57",
        "x-odd": [3],
        "class": "c",
        "x_a_long_reference_to_the_generated_model_itself_id": [1, "One"],
        "weird_label": False,
    }
    (record,) = decode_records(cls, json.dumps([row]))
    assert record.class_ == "c"
    assert record.x_odd == [3]
    assert record.short_but_many.endswith("39")
    assert record.tax_calculation_rounding_method is None


@pytest.mark.parametrize(
    ("specs", "options", "message"),
    [
        ({}, {}, "no model to generate"),
        (
            {"res.partner": {"name": {"type": "char"}}},
            {"fields": {"res.partner": ["nope"]}},
            "'nope'",
        ),
        (
            {"a.b_c": {}, "a_b.c": {}},
            {},
            "a_b.c and a.b_c would both be class ABC: name one with names=",
        ),
        ({"res.partner": {}}, {"names": {"res.partner": "class"}}, "'class' is not a Python"),
        ({"res.partner": {}}, {"names": {"res.users": "User"}}, "'res.users'"),
    ],
)
def test_mistakes_are_named(specs: Any, options: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        models_source_from_fields_get(specs, **options)
