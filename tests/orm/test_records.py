"""Typed records: decoding Odoo's values into Structs, and encoding them back.

The payloads are rows as a real Odoo 17 sent them (res.partner, calendar.event,
account.move from ``odoo17-wire/samples.json``; images shortened to a few bytes).
"""

from __future__ import annotations

import base64
import enum
import json
import types
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any, Literal

import msgspec
import pytest

from odoo_async._errors import OdooError, RecordDecodeError
from odoo_async._orm import _records
from odoo_async._orm._records import (
    Many2one,
    Record,
    decode_record,
    decode_records,
    encode_create,
    encode_write,
    model_of,
    record_fields,
)

UTC = timezone.utc
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()  # "iVBORw0KGgo="
JPEG = base64.b64encode(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01").decode()

# fmt: off
PARTNER_ROWS = [
    {"id": 14, "name": "Azure Interior", "email": "azure.Interior24@example.com", "phone": "(870)-931-0505", "is_company": True, "parent_id": False, "country_id": [233, "United States"], "category_id": [5], "child_ids": [26, 33, 27], "type": "contact", "street": "4557 De Silva St", "city": "Fremont", "zip": "94538", "active": True, "create_date": "2026-11-22 18:58:57", "write_date": "2026-11-22 18:59:15", "comment": False, "company_id": False, "user_id": False, "image_128": PNG, "credit_limit": 0.0, "date": False},
    {"id": 26, "name": "Brandon Freeman", "email": "brandon.freeman55@example.com", "phone": "(355)-687-3262", "is_company": False, "parent_id": [14, "Azure Interior"], "country_id": [233, "United States"], "category_id": [], "child_ids": [], "type": "contact", "street": "4557 De Silva St", "city": "Fremont", "zip": "94538", "active": True, "create_date": "2026-11-22 18:58:57", "write_date": "2026-11-22 18:59:15", "comment": False, "company_id": False, "user_id": False, "image_128": JPEG, "credit_limit": 0.0, "date": False},
    {"id": 3, "name": "Mitchell Admin", "email": "admin@yourcompany.example.com", "phone": "+1 555-555-5555", "is_company": False, "parent_id": False, "country_id": [233, "United States"], "category_id": [], "child_ids": [], "type": "contact", "street": "215 Vine St", "city": "Scranton", "zip": "18503", "active": True, "create_date": "2026-11-22 18:58:57", "write_date": "2026-11-22 18:59:19", "comment": False, "company_id": [1, "YourCompany"], "user_id": False, "image_128": PNG, "credit_limit": 0.0, "date": False},
]
EVENT_ROWS = [
    {"id": 5, "name": "Changes in Designing", "start": "2026-11-22 00:00:00", "stop": "2026-11-22 00:00:00", "allday": True, "partner_ids": [14, 3], "user_id": [2, "Mitchell Admin"], "description": False, "location": False, "duration": 0.0, "start_date": "2026-11-22", "stop_date": "2026-11-22"},
    {"id": 4, "name": "Requirements review", "start": "2026-11-20 08:00:00", "stop": "2026-11-20 10:30:00", "allday": False, "partner_ids": [9, 7], "user_id": [6, "Marc Demo"], "description": False, "location": False, "duration": 2.5, "start_date": False, "stop_date": False},
]
MOVE_ROWS = [
    {"id": 10, "name": "RBILL/2026/11/0001", "partner_id": [14, "Azure Interior"], "invoice_date": "2026-11-01", "invoice_date_due": "2026-11-22", "amount_total": 34.5, "amount_residual": 34.5, "state": "posted", "payment_state": "not_paid", "invoice_line_ids": [18, 19], "move_type": "in_refund", "currency_id": [1, "USD"]},
    {"id": 6, "name": "/", "partner_id": False, "invoice_date": False, "invoice_date_due": "2026-11-22", "amount_total": 0.0, "amount_residual": 0.0, "state": "draft", "payment_state": "not_paid", "invoice_line_ids": [], "move_type": "in_invoice", "currency_id": [1, "USD"]},
]
# fmt: on


def dumps(value: Any) -> bytes:
    """JSON as Odoo writes it (``json.dumps`` separators)."""
    return json.dumps(value).encode()


class Partner(Record, model="res.partner"):
    name: str
    email: str | None = None
    phone: str | None = None
    is_company: bool = False
    parent_id: Many2one | None = None
    country_id: Many2one | None = None
    category_id: list[int] = msgspec.field(default_factory=list)
    child_ids: list[int] = msgspec.field(default_factory=list)
    type: Literal["contact", "invoice", "delivery", "other"] | None = None
    street: str | None = None
    city: str | None = None
    zip: str = ""
    active: bool = True
    create_date: datetime | None = None
    write_date: datetime | None = None
    comment: str | None = None
    company_id: Many2one | None = None
    user_id: Many2one | None = None
    image: bytes | None = msgspec.field(default=None, name="image_128")
    credit_limit: float = 0.0
    birthday: date | None = msgspec.field(default=None, name="date")


class Event(Record, model="calendar.event"):
    name: str
    start: datetime
    stop: datetime
    allday: bool = False
    partner_ids: list[int] = msgspec.field(default_factory=list)
    user_id: Many2one | None = None
    description: str | None = None
    location: str = ""
    duration: float = 0.0
    start_date: date | None = None
    stop_date: date | None = None


class MoveState(enum.Enum):
    DRAFT = "draft"
    POSTED = "posted"
    CANCEL = "cancel"


class Move(Record, model="account.move"):
    name: str
    partner_id: Many2one | None = None
    invoice_date: date | None = None
    invoice_date_due: date | None = None
    amount_total: float = 0.0
    amount_residual: float = 0.0
    state: MoveState = MoveState.DRAFT
    payment_state: str | None = None
    invoice_line_ids: tuple[int, ...] = ()
    move_type: Literal["entry", "out_invoice", "out_refund", "in_invoice", "in_refund"]
    currency_id: Many2one


def record_classes(cls: type[Any] = Record) -> list[type[Any]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *record_classes(sub)]
    return found


@pytest.fixture(params=["literal", "old-msgspec"])
def false_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with ``Literal[False]`` wire types, and as with an msgspec without them."""
    for cls in record_classes():  # forget the codecs built so far; monkeypatch restores them
        if "__odoo_codec__" in vars(cls):
            monkeypatch.delattr(cls, "__odoo_codec__")
    if request.param == "old-msgspec":
        monkeypatch.setattr(_records, "_FALSE", bool)
    return str(request.param)


def slow(cls: type[Record], data: bytes) -> list[Any]:
    """Every row through the field-by-field path, bypassing the fast decoder."""
    codec = _records._codec(cls)
    return [_records._decode_row_slowly(codec, dumps(row)) for row in json.loads(data)]


# -- the class -----------------------------------------------------------------------


def test_the_example_of_the_issue() -> None:
    class Partner(Record, model="res.partner"):
        name: str
        email: str | None = None
        is_company: bool = False
        country_id: Many2one | None = None
        category_id: list[int] = []
        create_date: datetime | None = None
        birthday: date | None = None

    (p,) = decode_records(Partner, dumps([{**PARTNER_ROWS[0], "birthday": "1990-05-17"}]))
    assert p == Partner(
        id=14,
        name="Azure Interior",
        email="azure.Interior24@example.com",
        is_company=True,
        country_id=Many2one(id=233, name="United States"),
        category_id=[5],
        create_date=datetime(2026, 11, 22, 18, 58, 57, tzinfo=UTC),
        birthday=date(1990, 5, 17),
    )
    assert record_fields(Partner) == [
        "id",
        "name",
        "email",
        "is_company",
        "country_id",
        "category_id",
        "create_date",
        "birthday",
    ]
    assert Partner(name="A").category_id is not Partner(name="B").category_id
    assert encode_create(Partner(name="A", country_id=p.country_id, email=None)) == {
        "name": "A",
        "country_id": 233,
    }


def test_model_keyword_and_fields() -> None:
    assert Partner.__odoo_model__ == "res.partner"
    assert model_of(Partner) == "res.partner"
    assert model_of(Partner(name="A")) == "res.partner"
    fields = record_fields(Partner)
    assert fields[0] == "id"
    assert "image_128" in fields
    assert "date" in fields
    assert "image" not in fields
    assert "birthday" not in fields
    assert len(fields) == len(set(fields)) == 22


def test_record_fields_returns_a_new_list() -> None:
    record_fields(Partner).append("oops")
    assert "oops" not in record_fields(Partner)


def test_id_defaults_to_zero_and_fields_are_keyword_only() -> None:
    p = Partner(name="A")
    assert p.id == 0
    assert Partner.__struct_fields__[0] == "id"
    with pytest.raises(TypeError):
        Partner("A")  # type: ignore[call-arg, arg-type]


def test_records_are_mutable_by_default_and_can_be_frozen() -> None:
    p = Partner(name="A")
    p.email = "a@example.com"
    assert p.email == "a@example.com"

    # type checkers refuse a frozen subclass of a non-frozen dataclass; msgspec does not
    class Tag(Record, model="res.partner.category", frozen=True):  # type: ignore[misc]
        name: str

    tag = Tag(id=1, name="VIP")
    with pytest.raises(AttributeError):
        tag.name = "x"  # type: ignore[misc]
    assert hash(tag) == hash(Tag(id=1, name="VIP"))


def test_subclass_inherits_the_model() -> None:
    class Company(Partner):
        vat: str | None = None

    assert model_of(Company) == "res.partner"
    rows = decode_records(Company, dumps([{**PARTNER_ROWS[0], "vat": "BE0477472701"}]))
    assert type(rows[0]) is Company
    assert rows[0].vat == "BE0477472701"
    assert rows[0].country_id == Many2one(233, "United States")


def test_class_without_model() -> None:
    class Named(Record):
        name: str | None = None

    assert Named.__odoo_model__ is None
    with pytest.raises(TypeError, match="names no Odoo model"):
        model_of(Named)
    assert decode_records(Named, b'[{"id": 1, "name": false}]') == [Named(id=1)]


@pytest.mark.parametrize("model", ["", 3])
def test_bad_model_keyword(model: Any) -> None:
    with pytest.raises(TypeError, match="model="):

        class Bad(Record, model=model):
            pass


def test_positional_fields_are_refused() -> None:
    with pytest.raises(TypeError, match="keyword-only"):

        class Bad(Record, model="res.partner", kw_only=False):
            pass


def test_array_like_is_refused() -> None:
    with pytest.raises(TypeError, match="array_like"):

        class Bad(Record, model="res.partner", array_like=True):
            pass


def test_not_a_record_class() -> None:
    class Plain(msgspec.Struct):
        a: int = 0

    with pytest.raises(TypeError, match="Record subclass"):
        record_fields(Plain)  # type: ignore[arg-type]


# -- decoding real rows ----------------------------------------------------------------


def test_decode_partner_rows(false_mode: str) -> None:
    data = dumps(PARTNER_ROWS)
    azure, brandon, mitchell = decode_records(Partner, data)

    assert type(azure) is Partner
    assert azure.id == 14
    assert azure.name == "Azure Interior"
    assert azure.email == "azure.Interior24@example.com"
    assert azure.is_company is True
    assert azure.parent_id is None  # false
    assert azure.country_id == Many2one(id=233, name="United States")
    assert azure.category_id == [5]
    assert azure.child_ids == [26, 33, 27]
    assert azure.type == "contact"
    assert azure.zip == "94538"
    assert azure.active is True
    assert azure.create_date == datetime(2026, 11, 22, 18, 58, 57, tzinfo=UTC)
    assert azure.create_date.utcoffset() == timedelta(0)
    assert azure.write_date == datetime(2026, 11, 22, 18, 59, 15, tzinfo=UTC)
    assert azure.comment is None  # html false
    assert azure.company_id is None
    assert azure.user_id is None
    assert azure.image == b"\x89PNG\r\n\x1a\n"
    assert azure.credit_limit == 0.0
    assert azure.birthday is None  # date false

    assert brandon.is_company is False
    assert brandon.parent_id == Many2one(14, "Azure Interior")
    assert brandon.category_id == []
    assert brandon.image is not None
    assert brandon.image.startswith(b"\xff\xd8")
    assert mitchell.company_id == Many2one(1, "YourCompany")

    source = _records._codec(Partner).fix.__source__  # type: ignore[attr-defined]
    assert ("v is True" in source) is (false_mode == "old-msgspec")


def test_decode_calendar_events(false_mode: str) -> None:
    allday, review = decode_records(Event, dumps(EVENT_ROWS))
    assert allday.allday is True
    assert allday.start == datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
    assert allday.start_date == date(2026, 11, 22)
    assert allday.partner_ids == [14, 3]
    assert allday.user_id == Many2one(2, "Mitchell Admin")
    assert allday.description is None
    assert allday.location == ""  # a non-optional str: false is ""
    assert review.stop - review.start == timedelta(hours=2, minutes=30)
    assert review.duration == 2.5
    assert review.start_date is None


def test_decode_account_moves(false_mode: str) -> None:
    refund, draft = decode_records(Move, dumps(MOVE_ROWS))
    assert refund.state is MoveState.POSTED
    assert refund.move_type == "in_refund"
    assert refund.invoice_date == date(2026, 11, 1)
    assert refund.invoice_line_ids == (18, 19)
    assert refund.amount_total == 34.5
    assert refund.currency_id == Many2one(1, "USD")
    assert draft.state is MoveState.DRAFT
    assert draft.partner_id is None
    assert draft.invoice_date is None
    assert draft.invoice_line_ids == ()
    assert draft.amount_total == 0.0


@pytest.mark.parametrize(
    ("cls", "rows"), [(Partner, PARTNER_ROWS), (Event, EVENT_ROWS), (Move, MOVE_ROWS)]
)
def test_fast_and_slow_paths_agree(cls: type[Record], rows: list[Any], false_mode: str) -> None:
    data = dumps(rows)
    fast = decode_records(cls, data)
    assert fast == slow(cls, data)
    assert fast == _records._decode_slowly(_records._codec(cls), data)
    assert [type(r) for r in fast] == [cls] * len(rows)


def test_decode_record_one_row(false_mode: str) -> None:
    p = decode_record(Partner, dumps(PARTNER_ROWS[1]))
    assert type(p) is Partner
    assert p.parent_id == Many2one(14, "Azure Interior")
    odd = decode_record(Partner, dumps({**PARTNER_ROWS[1], "parent_id": [14, False]}))
    assert odd.parent_id == Many2one(14, "")


@pytest.mark.parametrize("kind", ["bytes", "bytearray", "memoryview", "str", "raw"])
def test_input_types(kind: str) -> None:
    data = dumps(PARTNER_ROWS)
    envelope = msgspec.json.decode(
        b'{"jsonrpc": "2.0", "id": 1, "result": ' + data + b"}", type=dict[str, msgspec.Raw]
    )
    given: Any = {
        "bytes": data,
        "bytearray": bytearray(data),
        "memoryview": memoryview(data),
        "str": data.decode(),
        "raw": envelope["result"],
    }[kind]
    assert decode_records(Partner, given) == decode_records(Partner, data)


def test_empty_list() -> None:
    assert decode_records(Partner, b"[]") == []


def test_extra_fields_are_ignored() -> None:
    row = {**PARTNER_ROWS[0], "display_name": "Azure Interior", "__last_update": False}
    assert decode_records(Partner, dumps([row])) == decode_records(Partner, dumps(PARTNER_ROWS[:1]))


# -- false everywhere ------------------------------------------------------------------


class Empty(Record, model="x.empty"):
    text: str | None = "default"
    text_required: str = "default"
    selection: Literal["a", "b"] | None = "a"
    html: str | None = None
    binary: bytes | None = b"x"
    binary_required: bytes = b"x"
    when: datetime | None = None
    day: date | None = None
    partner: Many2one | None = None
    number: int | None = 1
    integer: int = 1
    amount: float = 1.5
    tags: list[int] = msgspec.field(default_factory=lambda: [1])
    flag: bool = True
    anything: Any = "default"


EMPTY_EXPECTED: dict[str, Any] = {
    "text": None,
    "text_required": "",
    "selection": None,
    "html": None,
    "binary": None,
    "binary_required": b"",
    "when": None,
    "day": None,
    "partner": None,
    "number": None,
    "integer": 0,
    "amount": 0.0,
    "tags": [],
    "flag": False,
    "anything": False,
}


def test_false_everywhere(false_mode: str) -> None:
    row: dict[str, Any] = dict.fromkeys(record_fields(Empty), False)
    row["id"] = 9
    (record,) = decode_records(Empty, dumps([row]))
    assert record.id == 9
    for name, expected in EMPTY_EXPECTED.items():
        got = getattr(record, name)
        assert got == expected, name
        assert type(got) is type(expected), name
    assert [record] == slow(Empty, dumps([row]))


def test_null_for_an_optional_field_is_none(false_mode: str) -> None:
    (record,) = decode_records(Empty, b'[{"id": 1, "text": null, "when": null, "partner": null}]')
    assert record.text is None
    assert record.when is None
    assert record.partner is None


@pytest.mark.parametrize(
    ("annotation", "wire_value"),
    [
        (datetime, False),
        (date, False),
        (Many2one, False),
        (Literal["a", "b"], False),
        (MoveState, False),
        (str, True),
        (str | None, True),
        (date | None, True),
        (Many2one | None, True),
        (int, True),
        (float, "1.5"),
        (list[int], True),
        (datetime, "2026-11-22"),
        (datetime | None, "22/11/2026 10:00"),
        (bool, "yes"),
        (bool, None),
    ],
)
def test_values_a_field_cannot_hold(annotation: Any, wire_value: Any, false_mode: str) -> None:
    cls: Any = types.new_class(
        "Strict", (Record,), {}, lambda ns: ns.update({"__annotations__": {"value": annotation}})
    )
    with pytest.raises(RecordDecodeError) as info:
        decode_records(cls, dumps([{"id": 4, "value": wire_value}]))
    assert info.value.record_id == 4
    assert info.value.field == "value"
    assert info.value.value == wire_value


# -- odd values Odoo may send -------------------------------------------------------------


def test_many2one_variants(false_mode: str) -> None:
    rows = [
        {**PARTNER_ROWS[1], "parent_id": 14},  # load="_classic_write"
        {**PARTNER_ROWS[1], "parent_id": [14, False]},  # a record without a display name
        {**PARTNER_ROWS[1], "parent_id": [14]},
    ]
    decoded = decode_records(Partner, dumps(rows))
    assert [p.parent_id for p in decoded] == [Many2one(14, "")] * 3
    assert decoded == slow(Partner, dumps(rows))


def test_one_odd_row_does_not_spoil_the_batch(false_mode: str) -> None:
    rows = [*PARTNER_ROWS, {**PARTNER_ROWS[0], "id": 99, "country_id": [233, False]}]
    decoded = decode_records(Partner, dumps(rows))
    assert [p.id for p in decoded] == [14, 26, 3, 99]
    assert decoded[3].country_id == Many2one(233, "")
    assert decoded[:3] == decode_records(Partner, dumps(PARTNER_ROWS))


def test_false_numbers_and_lists_take_the_slow_path(false_mode: str) -> None:
    row = {**PARTNER_ROWS[0], "credit_limit": False, "category_id": False}
    (p,) = decode_records(Partner, dumps([row]))
    assert p.credit_limit == 0.0
    assert p.category_id == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-22 18:58:57", datetime(2026, 11, 22, 18, 58, 57, tzinfo=UTC)),
        ("2026-11-22T18:58:57", datetime(2026, 11, 22, 18, 58, 57, tzinfo=UTC)),
        ("2026-11-22 18:58:57.250000", datetime(2026, 11, 22, 18, 58, 57, 250000, tzinfo=UTC)),
        ("2026-11-22T18:58:57Z", datetime(2026, 11, 22, 18, 58, 57, tzinfo=UTC)),
        ("2026-11-22 20:58:57+02:00", datetime(2026, 11, 22, 18, 58, 57, tzinfo=UTC)),
    ],
)
def test_datetime_texts(text: str, expected: datetime, false_mode: str) -> None:
    row = {**EVENT_ROWS[0], "start": text}
    (event,) = decode_records(Event, dumps([row]))
    assert event.start == expected
    assert event.start.utcoffset() == timedelta(0)


def test_selection_as_enum_and_annotated_constraints(false_mode: str) -> None:
    class Short(Record, model="x.short"):
        code: Annotated[str, msgspec.Meta(max_length=3)] | None = None

    assert decode_records(Short, b'[{"id": 1, "code": false}, {"id": 2, "code": "abc"}]') == [
        Short(id=1),
        Short(id=2, code="abc"),
    ]
    with pytest.raises(RecordDecodeError, match="'code'") as info:
        decode_records(Short, b'[{"id": 3, "code": "abcd"}]')
    assert info.value.record_id == 3


@pytest.mark.parametrize(
    "options",
    [
        {"frozen": True},
        {"gc": False},
        {"weakref": True, "eq": False},
        {"dict": True, "order": True, "repr_omit_defaults": True},
        {"forbid_unknown_fields": False, "omit_defaults": True, "cache_hash": False},
    ],
)
def test_struct_options_survive_decoding(options: dict[str, Any], false_mode: str) -> None:
    def body(ns: dict[str, Any]) -> None:
        ns["__annotations__"] = {"name": str, "email": "str | None", "country_id": Any}
        ns.update(email=None, country_id=None)

    cls: Any = types.new_class("Options", (Record,), {"model": "res.partner", **options}, body)
    (p,) = decode_records(cls, dumps(PARTNER_ROWS[:1]))
    assert type(p) is cls
    if options.get("eq", True):
        assert p == cls(
            id=14,
            name="Azure Interior",
            email="azure.Interior24@example.com",
            country_id=[233, "United States"],
        )
    if options.get("frozen"):
        with pytest.raises(AttributeError):
            p.name = "x"


def test_post_init_sees_converted_values(false_mode: str) -> None:
    seen: list[Any] = []

    class Checked(Record, model="res.partner"):
        name: str
        email: str | None = None

        def __post_init__(self) -> None:
            seen.append(self.email)
            if self.name == "refused":
                raise ValueError("a name Checked refuses")

    rows = [{"id": 1, "name": "a", "email": False}, {"id": 2, "name": "b", "email": "b@x"}]
    assert [c.id for c in decode_records(Checked, dumps(rows))] == [1, 2]
    assert seen == [None, "b@x"]
    with pytest.raises(RecordDecodeError, match="a name Checked refuses") as info:
        decode_records(Checked, dumps([*rows, {"id": 3, "name": "refused"}]))
    assert info.value.record_id == 3


# -- decode errors ---------------------------------------------------------------------------


def test_error_names_model_id_field_and_value(false_mode: str) -> None:
    rows = [*PARTNER_ROWS, {**PARTNER_ROWS[0], "id": 41, "country_id": "United States"}]
    with pytest.raises(RecordDecodeError) as info:
        decode_records(Partner, dumps(rows))
    error = info.value
    assert isinstance(error, OdooError)
    assert isinstance(error, ValueError)
    assert error.model == "res.partner"
    assert error.record_id == 41
    assert error.field == "country_id"
    assert error.value == "United States"
    message = str(error)
    assert "res.partner" in message
    assert "id=41" in message
    assert "'country_id'" in message
    assert "Many2one | None" in message
    assert "'United States'" in message


def test_error_for_a_renamed_field_uses_the_odoo_name() -> None:
    with pytest.raises(RecordDecodeError, match="'date'") as info:
        decode_records(Partner, dumps([{**PARTNER_ROWS[0], "date": "22/11/2026"}]))
    assert info.value.field == "date"


def test_error_message_shortens_big_values() -> None:
    row = {**PARTNER_ROWS[0], "image_128": "A" * 5000 + "!"}
    with pytest.raises(RecordDecodeError) as info:
        decode_records(Partner, dumps([row]))
    assert info.value.field == "image_128"
    assert len(str(info.value)) < 400
    assert "..." in str(info.value)


def test_missing_required_field() -> None:
    with pytest.raises(RecordDecodeError, match="did not send field 'name'") as info:
        decode_records(Partner, b'[{"id": 8}]')
    assert info.value.record_id == 8
    assert info.value.field == "name"


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b'{"id": 1}', "expected a JSON list"),
        (b"[1]", "expected a record"),
        (b"[{", "expected a JSON list"),
        (b"false", "expected a JSON list"),
    ],
)
def test_not_a_list_of_rows(data: bytes, match: str) -> None:
    with pytest.raises(RecordDecodeError, match=match) as info:
        decode_records(Partner, data)
    assert info.value.model == "res.partner"
    assert info.value.record_id is None


def test_decode_record_errors() -> None:
    with pytest.raises(RecordDecodeError, match="expected a record"):
        decode_record(Partner, b"[]")
    with pytest.raises(RecordDecodeError, match="not valid JSON"):
        decode_record(Partner, b"{")
    with pytest.raises(RecordDecodeError) as info:
        decode_record(Partner, b'{"id": 5, "name": 7}')
    assert (info.value.record_id, info.value.field, info.value.value) == (5, "name", 7)


# -- encoding ----------------------------------------------------------------------------


def test_encode_create_sends_what_was_set() -> None:
    p = Partner(name="Deco Addict", email="deco@example.com")
    assert encode_create(p) == {"name": "Deco Addict", "email": "deco@example.com"}


def test_encode_create_converts_values() -> None:
    p = Partner(
        id=77,
        name="A",
        is_company=True,
        country_id=Many2one(233, "United States"),
        parent_id=Many2one(14),
        category_id=[5, 3],
        type=None,  # equal to the default: not sent
        create_date=datetime(2026, 1, 2, 12, 0, tzinfo=timezone(timedelta(hours=2))),
        write_date=datetime(2026, 1, 2, 12, 0, 30, 999),
        birthday=date(1990, 5, 17),
        image=b"\x89PNG\r\n\x1a\n",
        credit_limit=150.5,
    )
    assert encode_create(p) == {
        "name": "A",
        "is_company": True,
        "country_id": 233,
        "parent_id": 14,
        "category_id": [[6, 0, [5, 3]]],
        "create_date": "2026-01-02 10:00:00",
        "write_date": "2026-01-02 12:00:30",
        "date": "1990-05-17",
        "image_128": PNG,
        "credit_limit": 150.5,
    }


def test_encode_create_none_is_false() -> None:
    class Contact(Record, model="res.partner"):
        name: str
        type: str | None = "contact"
        parent_id: Many2one | None = Many2one(1, "YourCompany")

    assert encode_create(Contact(name="A", type=None, parent_id=None)) == {
        "name": "A",
        "type": False,
        "parent_id": False,
    }


def test_encode_create_skips_readonly_and_id() -> None:
    (p,) = decode_records(Partner, dumps(PARTNER_ROWS[:1]))
    vals = encode_create(p, readonly={"create_date", "write_date", "image_128", "child_ids"})
    assert "id" not in vals
    assert not {"create_date", "write_date", "image_128", "child_ids"} & vals.keys()
    assert vals["country_id"] == 233
    assert vals["category_id"] == [[6, 0, [5]]]
    # attribute names are accepted too
    assert "image_128" not in encode_create(p, readonly=["image"])
    assert "email" not in encode_create(p, readonly="email")


def test_encode_create_include_forces_defaults() -> None:
    p = Partner(name="A")
    assert encode_create(p, include=["is_company", "birthday", "category_id"]) == {
        "name": "A",
        "is_company": False,
        "date": False,
        "category_id": [[6, 0, []]],
    }
    with pytest.raises(ValueError, match="nope"):
        encode_create(p, include=["nope"])


def test_encode_create_frozen_record_and_renamed_class() -> None:
    class Tag(  # type: ignore[misc]
        Record, model="res.partner.category", frozen=True, rename={"label": "name"}
    ):
        label: str
        color: int = 0

    assert record_fields(Tag) == ["id", "name", "color"]
    assert encode_create(Tag(label="VIP", color=3)) == {"name": "VIP", "color": 3}
    assert decode_records(Tag, b'[{"id": 2, "name": "VIP", "color": 0}]') == [
        Tag(id=2, label="VIP")
    ]


def test_encode_create_passes_commands_through() -> None:
    p = Partner(name="A", category_id=[[4, 5, 0], [3, 6, 0]])  # type: ignore[list-item]
    assert encode_create(p)["category_id"] == [[4, 5, 0], [3, 6, 0]]


def test_encode_write() -> None:
    vals = encode_write(
        Partner,
        {
            "email": None,
            "country_id": Many2one(75, "France"),
            "parent_id": 14,
            "category_id": [Many2one(1, "VIP"), 2],
            "birthday": date(1990, 1, 1),
            "write_date": datetime(2026, 1, 1, 9, 30),
            "image_128": b"\x89PNG\r\n\x1a\n",
            "type": "invoice",
            "child_ids": [],
        },
    )
    assert vals == {
        "email": False,
        "country_id": 75,
        "parent_id": 14,
        "category_id": [[6, 0, [1, 2]]],
        "date": "1990-01-01",
        "write_date": "2026-01-01 09:30:00",
        "image_128": PNG,
        "type": "invoice",
        "child_ids": [[6, 0, []]],
    }


def test_encode_write_refuses_unknown_id_and_readonly() -> None:
    with pytest.raises(ValueError, match=r"res\.partner.*'nmae'"):
        encode_write(Partner, {"nmae": "x"})
    with pytest.raises(ValueError, match="id"):
        encode_write(Partner, {"id": 3})
    with pytest.raises(ValueError, match="'create_date' is read-only"):
        encode_write(Partner, {"create_date": datetime(2026, 1, 1)}, readonly={"create_date"})
    assert encode_write(Partner, {}) == {}


def test_round_trip_through_odoo_shaped_rows() -> None:
    """What create sends, stored and read back as Odoo would, decodes to the same record."""
    names = {233: "United States", 14: "Azure Interior"}
    sent = Partner(
        name="Round Trip",
        email="rt@example.com",
        country_id=Many2one(233, "United States"),
        parent_id=Many2one(14, "Azure Interior"),
        category_id=[5],
        birthday=date(2001, 2, 3),
        type="invoice",
    )
    vals = encode_create(sent)
    stored: dict[str, Any] = dict.fromkeys(record_fields(Partner), False)
    stored.update(vals, id=101, active=True, is_company=False, credit_limit=0.0, zip=False)
    stored["category_id"] = vals["category_id"][0][2]  # Command.set
    stored["child_ids"] = []
    for field in ("country_id", "parent_id"):
        stored[field] = [vals[field], names[vals[field]]]
    (back,) = decode_records(Partner, dumps([stored]))
    assert back == msgspec.structs.replace(sent, id=101)


# -- record classes from fields_get ---------------------------------------------------------

# fmt: off
PARTNER_FIELDS_GET: dict[str, dict[str, Any]] = {
    "name": {"readonly": False, "required": False, "string": "Name", "type": "char"},
    "email": {"readonly": False, "required": False, "string": "Email", "type": "char"},
    "phone": {"readonly": False, "required": False, "string": "Phone", "type": "char"},
    "is_company": {"readonly": False, "required": False, "string": "Is a Company", "type": "boolean"},
    "parent_id": {"readonly": False, "relation": "res.partner", "required": False, "string": "Related Company", "type": "many2one"},
    "country_id": {"readonly": False, "relation": "res.country", "required": False, "string": "Country", "type": "many2one"},
    "category_id": {"readonly": False, "relation": "res.partner.category", "required": False, "string": "Tags", "type": "many2many"},
    "child_ids": {"readonly": False, "relation": "res.partner", "required": False, "string": "Contact", "type": "one2many"},
    "type": {"readonly": False, "required": False, "string": "Address Type", "type": "selection", "selection": [["contact", "Contact"], ["invoice", "Invoice Address"]]},
    "street": {"readonly": False, "required": False, "string": "Street", "type": "char"},
    "city": {"readonly": False, "required": False, "string": "City", "type": "char"},
    "zip": {"readonly": False, "required": False, "string": "Zip", "type": "char"},
    "active": {"readonly": False, "required": False, "string": "Active", "type": "boolean"},
    "create_date": {"readonly": True, "required": False, "string": "Created on", "type": "datetime"},
    "write_date": {"readonly": True, "required": False, "string": "Last Updated on", "type": "datetime"},
    "comment": {"readonly": False, "required": False, "string": "Notes", "type": "html"},
    "company_id": {"readonly": False, "relation": "res.company", "required": False, "string": "Company", "type": "many2one"},
    "user_id": {"readonly": False, "relation": "res.users", "required": False, "string": "Salesperson", "type": "many2one"},
    "image_128": {"readonly": True, "required": False, "string": "Image 128", "type": "binary"},
    "credit_limit": {"readonly": False, "required": False, "string": "Credit Limit", "type": "float"},
    "date": {"readonly": False, "required": False, "string": "Date", "type": "date"},
    "color": {"readonly": False, "required": False, "string": "Color Index", "type": "integer"},
    "id": {"readonly": True, "required": False, "string": "ID", "type": "integer"},
}
# fmt: on


def check_generated_partners(cls: Any) -> None:
    assert model_of(cls) == "res.partner"
    rows = [{**row, "color": 0} for row in PARTNER_ROWS]
    azure, brandon, _ = decode_records(cls, dumps(rows))
    assert type(azure) is cls
    assert azure.country_id == Many2one(233, "United States")
    assert azure.parent_id is None
    assert azure.create_date == datetime(2026, 11, 22, 18, 58, 57, tzinfo=UTC)
    assert azure.date is None
    assert azure.image_128 == b"\x89PNG\r\n\x1a\n"
    assert azure.child_ids == [26, 33, 27]
    assert azure.comment is None
    assert brandon.parent_id == Many2one(14, "Azure Interior")
    assert encode_create(cls(name="New", category_id=[5])) == {
        "name": "New",
        "category_id": [[6, 0, [5]]],
    }


def test_record_class_from_fields_get() -> None:
    from odoo_async._orm._records_gen import record_class_from_fields_get

    cls = record_class_from_fields_get("res.partner", PARTNER_FIELDS_GET)
    assert cls.__name__ == "ResPartner"
    assert record_fields(cls) == ["id", *[n for n in PARTNER_FIELDS_GET if n != "id"]]
    check_generated_partners(cls)

    small = record_class_from_fields_get(
        "res.partner", PARTNER_FIELDS_GET, fields=["name", "country_id"], name="Small"
    )
    assert small.__name__ == "Small"
    assert record_fields(small) == ["id", "name", "country_id"]


def test_record_source_from_fields_get(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    import odoo_async
    from odoo_async._orm._records_gen import record_source_from_fields_get

    # The generated code imports the public names, which odoo_async/__init__ re-exports.
    monkeypatch.setattr(odoo_async, "Record", Record, raising=False)
    monkeypatch.setattr(odoo_async, "Many2one", Many2one, raising=False)
    source = record_source_from_fields_get("res.partner", PARTNER_FIELDS_GET)
    assert 'class ResPartner(Record, model="res.partner"):' in source
    assert "    date: dt.date | None = None  # Date (date)" in source
    assert "  # Created on (datetime, readonly)" in source
    assert "  # Country (many2one, -> res.country)" in source
    module = types.ModuleType("generated_partner")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(source, "<generated>", "exec"), module.__dict__)
    check_generated_partners(module.ResPartner)


def test_fields_get_names_that_are_not_identifiers(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    import odoo_async
    from odoo_async._orm._records_gen import (
        record_class_from_fields_get,
        record_source_from_fields_get,
    )

    spec = {
        "__last_update": {"type": "datetime", "string": "Last Modified on"},
        "class": {"type": "char"},
        "x_studio_2fa": {"type": "boolean"},
        "x-odd": {"type": "json"},
        "tags": {"type": "many2many", "string": "Tags\nwith a newline"},
    }
    cls = record_class_from_fields_get("x.odd", spec)
    assert record_fields(cls) == ["id", "__last_update", "class", "x_studio_2fa", "x-odd", "tags"]
    assert cls.__struct_fields__ == ("id", "last_update", "class_", "x_studio_2fa", "x_odd", "tags")
    row = {
        "id": 1,
        "__last_update": "2026-11-22 18:58:57",
        "class": False,
        "x_studio_2fa": True,
        "x-odd": {"a": [1]},
        "tags": [],
    }
    (record,) = decode_records(cls, dumps([row]))
    assert record.last_update == datetime(2026, 11, 22, 18, 58, 57, tzinfo=UTC)  # type: ignore[attr-defined]
    assert record.class_ is None  # type: ignore[attr-defined]
    assert record.x_odd == {"a": [1]}  # type: ignore[attr-defined]

    monkeypatch.setattr(odoo_async, "Record", Record, raising=False)
    monkeypatch.setattr(odoo_async, "Many2one", Many2one, raising=False)
    source = record_source_from_fields_get("x.odd", spec)
    assert 'msgspec.field(default=None, name="__last_update")' in source
    assert "Tags with a newline" in source
    module = types.ModuleType("generated_odd")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(source, "<generated>", "exec"), module.__dict__)
    assert decode_records(module.XOdd, dumps([row])) == [
        module.XOdd(**{f: getattr(record, f) for f in cls.__struct_fields__})
    ]

    with pytest.raises(ValueError, match="'nope'"):
        record_class_from_fields_get("x.odd", spec, fields=["class", "nope"])
