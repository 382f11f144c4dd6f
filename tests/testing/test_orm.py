"""The ORM core of the Odoo test double (``odoo_async.testing._orm``), without HTTP.

Expected values quoted "as captured" come from a real Odoo 17 server with demo
data (the wire captures this project was built from); they are embedded here.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from odoo_async.testing._demo import build
from odoo_async.testing._orm import Database, Fault
from odoo_async.testing._store import QUERY_CACHE_SIZE, Store

ADMIN, DEMO, PORTAL = 2, 6, 7


@pytest.fixture
def db() -> Database:
    return Database("odoo17", partners=20, seed=1)


def call(db: Database, model: str, method: str, *args: Any, uid: int = ADMIN, **kwargs: Any) -> Any:
    return db.execute_kw(uid, model, method, list(args), kwargs)


def fault(
    db: Database, model: str, method: str, *args: Any, uid: int = ADMIN, **kwargs: Any
) -> Fault:
    with pytest.raises(Fault) as caught:
        db.execute_kw(uid, model, method, list(args), kwargs)
    assert caught.value.arguments == [caught.value.message]
    return caught.value


def names(db: Database, ids: list[int]) -> list[str]:
    return [row["name"] for row in call(db, "res.partner", "read", ids, ["name"])]


# -- credentials ---------------------------------------------------------------------------


def test_authenticate(db: Database) -> None:
    assert db.authenticate("admin", "admin") == ADMIN
    assert db.authenticate("demo", "demo") == DEMO
    assert db.authenticate("portal", "portal") == PORTAL
    assert db.authenticate("admin", "wrong-password") is False
    assert db.authenticate("nosuchuser", "x") is False
    assert db.authenticate("__system__", "") is False


def test_api_key_stands_for_the_password_and_survives_reset(db: Database) -> None:
    db.add_api_key(ADMIN, "0123456789abcdef")
    db.reset()
    assert db.authenticate("admin", "0123456789abcdef") == ADMIN
    assert db.check(ADMIN, "0123456789abcdef") == ADMIN
    assert db.authenticate("demo", "0123456789abcdef") is False


@pytest.mark.parametrize(
    ("uid", "password", "name", "message"),
    [
        ("abc", "admin", "builtins.ValueError", "invalid literal for int() with base 10: 'abc'"),
        (999, "admin", "odoo.exceptions.MissingError",
         "Record does not exist or has been deleted.\n(Record: res.users(999,), User: 999)"),
        (ADMIN, "wrong-password", "odoo.exceptions.AccessDenied", "Access Denied"),
        (DEMO, "admin", "odoo.exceptions.AccessDenied", "Access Denied"),
        (1, "", "odoo.exceptions.AccessDenied", "Access Denied"),
        (None, "admin", "builtins.TypeError",
         "int() argument must be a string, a bytes-like object or a real number, not 'NoneType'"),
    ],
)  # fmt: skip
def test_check_faults(db: Database, uid: Any, password: Any, name: str, message: str) -> None:
    with pytest.raises(Fault) as caught:
        db.check(uid, password)
    assert (caught.value.name, caught.value.message) == (name, message)


def test_an_interactive_login_takes_the_password_only(db: Database) -> None:
    """Odoo 17 checks API keys on RPC logins only (``_check_credentials``)."""
    db.add_api_key(ADMIN, "0123456789abcdef")
    assert db.authenticate("admin", "0123456789abcdef", interactive=True) is False
    assert db.authenticate("admin", "admin", interactive=True) == ADMIN
    assert db.authenticate("admin", "0123456789abcdef") == ADMIN


def test_check_returns_the_int_uid(db: Database) -> None:
    assert db.check("2", "admin") == ADMIN


def test_password_written_on_a_user_is_used_for_login(db: Database) -> None:
    uid = call(db, "res.users", "create", {"name": "New", "login": "new", "password": "s3cret"})
    assert db.authenticate("new", "s3cret") == uid
    call(db, "res.users", "write", [uid], {"password": "other"})
    assert db.authenticate("new", "s3cret") is False
    assert db.authenticate("new", "other") == uid
    assert "password" not in call(db, "res.users", "read", [uid])[0]


def test_user_info(db: Database) -> None:
    info = db.user_info(ADMIN)
    assert info["uid"] == ADMIN
    assert info["name"] == "Mitchell Admin"
    assert info["username"] == "admin"
    assert info["partner_id"] == 3
    assert info["partner_display_name"] == "YourCompany, Mitchell Admin"
    assert info["user_context"] == {"lang": "en_US", "tz": "Europe/Brussels", "uid": ADMIN}
    assert info["db"] == "odoo17"
    assert info["server_version"] == "17.0"
    assert info["server_version_info"] == [17, 0, 0, "final", 0, ""]
    assert (info["is_admin"], info["is_system"], info["is_internal_user"]) == (True, True, True)
    assert db.user_info(PORTAL)["is_internal_user"] is False
    assert db.user_info(DEMO)["is_admin"] is False


# -- dispatch faults -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "method", "args", "kwargs", "name", "message"),
    [
        ("no.such.model", "search_read", [[]], {}, "odoo.exceptions.UserError",
         "Object no.such.model doesn't exist"),
        ("res.partner", "no_such_method", [[]], {}, "builtins.AttributeError",
         "The method 'res.partner.no_such_method' does not exist"),
        ("res.partner", "_get_complete_name", [[14]], {}, "odoo.exceptions.AccessError",
         "Private methods (such as 'res.partner._get_complete_name') cannot be called remotely."),
        ("no.such.model", "_private", [], {}, "odoo.exceptions.AccessError",
         "Private methods (such as 'no.such.model._private') cannot be called remotely."),
        ("res.partner", "read", [[14], ["name"], "extra", "extra2"], {}, "builtins.TypeError",
         "BaseModel.read() takes from 1 to 3 positional arguments but 4 were given"),
        ("res.partner", "search", [], {}, "builtins.TypeError",
         "BaseModel.search() missing 1 required positional argument: 'domain'"),
        ("res.partner", "read_group", [[]], {}, "builtins.TypeError",
         "BaseModel.read_group() missing 2 required positional arguments: 'fields' and 'groupby'"),
        ("res.partner", "search", [[]], {"bogus": 1}, "builtins.TypeError",
         "BaseModel.search() got an unexpected keyword argument 'bogus'"),
        ("res.partner", "search", [[]], {"domain": []}, "builtins.TypeError",
         "BaseModel.search() got multiple values for argument 'domain'"),
        ("res.partner", "unlink", [[14], 1], {}, "builtins.TypeError",
         "BaseModel.unlink() takes 1 positional argument but 2 were given"),
        ("res.partner", "write", [[14], {}, 1], {}, "builtins.TypeError",
         "BaseModel.write() takes 2 positional arguments but 3 were given"),
        ("res.partner", "read", [], {}, "builtins.IndexError", "list index out of range"),
        ("res.partner", "search_read", [[]], {"bogus": 1}, "builtins.TypeError",
         "BaseModel._read_format() got an unexpected keyword argument 'bogus'"),
        ("res.partner", "search_read", [[]], {"fields": ["no_such_field"], "limit": 1},
         "builtins.ValueError", "Invalid field 'no_such_field' on model 'res.partner'"),
        ("res.partner", "read", [[14], ["name", "nope"]], {}, "builtins.ValueError",
         "Invalid field 'nope' on model 'res.partner'"),
        ("res.partner", "search", [[]], {"order": "nope desc"}, "builtins.ValueError",
         "Invalid field 'nope' on model 'res.partner'"),
        ("res.partner", "search", [[]], {"order": "name sideways"}, "odoo.exceptions.UserError",
         'Invalid "order" specified (name sideways). A valid "order" specification is a '
         "comma-separated list of valid field names (optionally followed by asc/desc for the "
         "direction)"),
        ("res.partner", "check_access_rights", ["fly"], {}, "builtins.AssertionError",
         "Invalid access mode"),
    ],
)  # fmt: skip
def test_dispatch_faults(
    db: Database,
    model: str,
    method: str,
    args: list[Any],
    kwargs: dict[str, Any],
    name: str,
    message: str,
) -> None:
    with pytest.raises(Fault) as caught:
        db.execute_kw(ADMIN, model, method, args, kwargs)
    assert (caught.value.name, caught.value.message) == (name, message)


def test_context_is_accepted_by_every_method(db: Database) -> None:
    context = {"lang": "en_US", "tz": "Europe/Brussels"}
    assert call(db, "res.partner", "search", [], limit=1, context=context)
    assert call(db, "res.partner", "read", [14], ["name"], context=context)
    assert call(db, "res.partner", "fields_get", ["name"], context=context)
    assert call(db, "res.partner", "check_access_rights", "read", context=context) is True


# -- search ----------------------------------------------------------------------------------


def test_search_read_as_captured(db: Database) -> None:
    result = call(
        db,
        "res.partner",
        "search_read",
        [["is_company", "=", True]],
        fields=["name", "email"],
        limit=5,
    )
    assert result == [
        {"id": 14, "name": "Azure Interior", "email": "azure.Interior24@example.com"},
        {"id": 10, "name": "Deco Addict", "email": "deco_addict@yourcompany.example.com"},
        {
            "id": 11,
            "name": "Gemini Furniture",
            "email": "gemini_furniture@fake.geminifurniture.com",
        },
        {"id": 15, "name": "Lumber Inc", "email": "lumber-inv92@example.com"},
        {"id": 12, "name": "Ready Mat", "email": "ready.mat28@example.com"},
    ]
    assert call(db, "res.partner", "search_count", [["is_company", "=", True]]) == 8
    assert call(db, "res.partner", "search_read", [["id", "=", 20047]], fields=["name"]) == []


def test_demo_partners_without_generated_ones_count_as_captured() -> None:
    assert call(Database(partners=0), "res.partner", "search_count", []) == 36


def test_default_order_is_complete_name_then_id_desc(db: Database) -> None:
    first = call(db, "res.partner", "create", {"name": "Zz Twin"})
    second = call(db, "res.partner", "create", {"name": "Zz Twin"})
    ids = call(db, "res.partner", "search", [["name", "=", "Zz Twin"]])
    assert ids == [second, first]
    everything = call(db, "res.partner", "search_read", [], fields=["complete_name"])
    keys = [row["complete_name"] for row in everything]
    assert keys == sorted(keys)


def test_order_offset_limit(db: Database) -> None:
    domain = [["is_company", "=", True]]
    by_name = call(db, "res.partner", "search", domain, order="name desc")
    assert names(db, by_name) == sorted(names(db, by_name), reverse=True)
    assert call(db, "res.partner", "search", domain, order="id") == sorted(by_name)
    assert (
        call(db, "res.partner", "search", domain, offset=2, limit=3, order="id")
        == sorted(by_name)[2:5]
    )
    assert call(db, "res.partner", "search", domain, 2, 3, "id") == sorted(by_name)[2:5]
    assert call(db, "res.partner", "search", domain, limit=0, order="id") == sorted(by_name)
    assert call(db, "res.partner", "search", domain, offset=100) == []


def test_order_on_several_keys_and_nulls(db: Database) -> None:
    ids = call(
        db, "res.partner", "search", [["parent_id", "in", [1, 14]]], order="parent_id, name desc"
    )
    rows = call(db, "res.partner", "read", ids, ["parent_id", "name"])
    # parent ordered by the comodel's order (complete_name): Azure Interior before YourCompany
    assert [row["parent_id"][0] for row in rows] == [14, 14, 14, 1, 1]
    assert [row["name"] for row in rows[:3]] == ["Nicole Ford", "Colleen Diaz", "Brandon Freeman"]
    dated = call(db, "res.partner", "search_read", [["id", "in", [14, 41, 42]]], fields=["date"],
                 order="date desc, id")  # fmt: skip
    # PostgreSQL puts NULLs first in a descending order
    assert dated[0]["date"] is False or all(row["date"] for row in dated)
    explicit = call(
        db, "res.partner", "search_read", [], fields=["date"], order="date asc nulls first"
    )
    assert explicit[0]["date"] is False


LIMIT_ERROR = ("psycopg2.errors.InvalidRowCountInLimitClause", "LIMIT must not be negative\n")
OFFSET_ERROR = (
    "psycopg2.errors.InvalidRowCountInResultOffsetClause",
    "OFFSET must not be negative\n",
)


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "expected"),
    [
        ("search", [[]], {"limit": -1}, LIMIT_ERROR),
        ("search", [[]], {"offset": -2}, OFFSET_ERROR),
        (
            "search",
            [[]],
            {"offset": -2, "limit": -1},
            OFFSET_ERROR,
        ),  # PostgreSQL checks OFFSET first
        ("search_count", [[]], {"limit": -1}, LIMIT_ERROR),
        ("search_read", [[]], {"fields": ["name"], "limit": -5}, LIMIT_ERROR),
        ("search_read", [[]], {"fields": ["name"], "offset": -1}, OFFSET_ERROR),
        ("name_search", [], {"name": "a", "limit": -1}, LIMIT_ERROR),
        ("read_group", [[], ["name"], ["is_company"]], {"limit": -1}, LIMIT_ERROR),
        ("read_group", [[], ["name"], ["is_company"]], {"offset": -1}, OFFSET_ERROR),
    ],
)
def test_negative_limit_or_offset_is_refused_as_postgresql_refuses_it(
    db: Database, method: str, args: list[Any], kwargs: dict[str, Any], expected: tuple[str, str]
) -> None:
    """Odoo hands limit and offset to PostgreSQL, which refuses negative ones."""
    error = fault(db, "res.partner", method, *args, **kwargs)
    assert (error.name, error.message) == expected


def test_search_count_limit(db: Database) -> None:
    assert call(db, "res.partner", "search_count", [], limit=3) == 3
    assert call(db, "res.partner", "search_count", [["is_company", "=", True]], limit=100) == 8


# -- read ------------------------------------------------------------------------------------


def test_read_as_captured(db: Database) -> None:
    rows = call(
        db,
        "res.partner",
        "read",
        [14],
        ["name", "parent_id", "country_id", "category_id", "write_date"],
    )
    assert rows == [
        {"id": 14, "name": "Azure Interior", "parent_id": False, "country_id": [233, "United States"],
         "category_id": [5], "write_date": "2026-11-22 18:59:15"},
    ]  # fmt: skip
    azure = call(
        db, "res.partner", "read", [14], ["child_ids", "type", "comment", "credit_limit", "date"]
    )
    assert azure == [
        {"id": 14, "child_ids": [26, 33, 27], "type": "contact", "comment": False,
         "credit_limit": 0.0, "date": False},
    ]  # fmt: skip
    contact = call(db, "res.partner", "read", [26], ["parent_id", "is_company", "display_name"])
    assert contact == [
        {"id": 26, "parent_id": [14, "Azure Interior"], "is_company": False,
         "display_name": "Azure Interior, Brandon Freeman"},
    ]  # fmt: skip


def test_read_drops_missing_ids_and_keeps_the_given_order(db: Database) -> None:
    assert call(db, "res.partner", "read", [20047], ["name"]) == []
    assert call(db, "res.partner", "read", [14, 20047], ["name"]) == [
        {"id": 14, "name": "Azure Interior"}
    ]
    assert [row["id"] for row in call(db, "res.partner", "read", [26, 14, 3], ["name"])] == [
        26,
        14,
        3,
    ]


def test_read_without_fields_gives_every_field(db: Database) -> None:
    row = call(db, "res.partner", "read", [14])[0]
    assert set(row) == set(call(db, "res.partner", "fields_get"))
    assert row["display_name"] == "Azure Interior"
    assert "None" not in repr(row)


def test_read_empty_values_and_load(db: Database) -> None:
    partner = call(db, "res.partner", "create", {"name": "Empty"})
    row = call(db, "res.partner", "read", [partner], ["email", "color", "partner_latitude", "parent_id",
                                                      "category_id", "is_company", "date"])[0]  # fmt: skip
    assert row == {"id": partner, "email": False, "color": 0, "partner_latitude": 0.0, "parent_id": False,
                   "category_id": [], "is_company": False, "date": False}  # fmt: skip
    raw = call(db, "res.partner", "read", [26], ["parent_id", "country_id"], load=None)
    assert raw == [{"id": 26, "parent_id": 14, "country_id": 233}]


def test_read_of_other_models_as_captured(db: Database) -> None:
    fields = ["name", "partner_id", "invoice_date", "invoice_date_due", "amount_total", "amount_residual",
              "state", "payment_state", "invoice_line_ids", "move_type", "currency_id"]  # fmt: skip
    moves = call(db, "account.move", "read", [10, 5, 6], fields)
    assert moves == [
        {"id": 10, "name": "RBILL/2026/11/0001", "partner_id": [14, "Azure Interior"],
         "invoice_date": "2026-11-01", "invoice_date_due": "2026-11-22", "amount_total": 34.5,
         "amount_residual": 34.5, "state": "posted", "payment_state": "not_paid",
         "invoice_line_ids": [18, 19], "move_type": "in_refund", "currency_id": [1, "USD"]},
        {"id": 5, "name": "BILL/2026/11/0001", "partner_id": [14, "Azure Interior"],
         "invoice_date": "2026-11-01", "invoice_date_due": "2026-12-31", "amount_total": 34.5,
         "amount_residual": 34.5, "state": "posted", "payment_state": "not_paid",
         "invoice_line_ids": [13, 14], "move_type": "in_invoice", "currency_id": [1, "USD"]},
        {"id": 6, "name": "/", "partner_id": False, "invoice_date": False,
         "invoice_date_due": "2026-11-22", "amount_total": 0.0, "amount_residual": 0.0,
         "state": "draft", "payment_state": "not_paid", "invoice_line_ids": [],
         "move_type": "in_invoice", "currency_id": [1, "USD"]},
    ]  # fmt: skip
    events = call(db, "calendar.event", "search_read", [["id", "in", [4, 5, 6]]],
                  fields=["name", "start", "stop", "allday", "partner_ids", "user_id", "duration"])  # fmt: skip
    assert events == [
        {"id": 5, "name": "Changes in Designing", "start": "2026-11-22 00:00:00",
         "stop": "2026-11-22 00:00:00", "allday": True, "partner_ids": [14, 3],
         "user_id": [2, "Mitchell Admin"], "duration": 0.0},
        {"id": 4, "name": "Requirements review", "start": "2026-11-20 08:00:00",
         "stop": "2026-11-20 10:30:00", "allday": False, "partner_ids": [9, 7],
         "user_id": [6, "Marc Demo"], "duration": 2.5},
        {"id": 6, "name": "Presentation for new Services", "start": "2026-11-18 02:00:00",
         "stop": "2026-11-18 10:30:00", "allday": False, "partner_ids": [14, 12, 9],
         "user_id": [6, "Marc Demo"], "duration": 8.5},
    ]  # fmt: skip
    draft = call(db, "account.move", "read", [6], ["display_name"])
    assert draft == [{"id": 6, "display_name": "Draft Bill (* 6)"}]


# -- create / write / unlink -------------------------------------------------------------------


def test_create_one_or_many(db: Database) -> None:
    one = call(db, "res.partner", "create", {"name": "One", "email": "one@example.com"})
    many = call(db, "res.partner", "create", [{"name": "Two"}, {"name": "Three", "parent_id": 14}])
    assert isinstance(one, int)
    assert len(many) == 2
    assert call(db, "res.partner", "create", []) == []
    row = call(
        db,
        "res.partner",
        "read",
        [many[1]],
        ["display_name", "commercial_partner_id", "create_uid"],
    )[0]
    assert row["display_name"] == "Azure Interior, Three"
    assert row["commercial_partner_id"] == [14, "Azure Interior"]
    assert row["create_uid"] == [2, "Mitchell Admin"]
    # unknown fields are ignored on create (Odoo logs a warning)
    assert call(db, "res.partner", "create", {"name": "Four", "no_such_field": 1})


def test_create_with_children_names_them_under_the_new_company(db: Database) -> None:
    # The create path skips the children index unless the create itself gives children.
    company = call(
        db,
        "res.partner",
        "create",
        {"name": "Acme", "is_company": True, "child_ids": [[0, 0, {"name": "Kid"}]]},
    )
    [kid] = call(db, "res.partner", "search_read", [["parent_id", "=", company]], ["display_name"])
    assert kid["display_name"] == "Acme, Kid"
    call(db, "res.partner", "write", [company], {"name": "Acme Corp"})
    assert names_of(db, [kid["id"]]) == ["Acme Corp, Kid"]


def names_of(db: Database, ids: list[int]) -> list[str]:
    rows = call(db, "res.partner", "read", ids, ["display_name"])
    return [row["display_name"] for row in rows]


@pytest.mark.parametrize(
    ("model", "vals", "name", "message"),
    [
        ("res.users", {"name": "no login user"}, "odoo.exceptions.ValidationError",
         "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n"
         "- Delete: another model requires the record being deleted. If possible, archive it instead."
         "\n\nModel: User (res.users)\nField: Login (login)\n"),
        ("res.partner", {"name": "x", "type": "bogus"}, "builtins.ValueError",
         "Wrong value for res.partner.type: 'bogus'"),
        ("res.partner", {"email": "nameless@example.com"}, "odoo.exceptions.ValidationError",
         "The operation cannot be completed: Contacts require a name"),
        ("res.partner", {"name": "x", "country_id": 99999}, "odoo.exceptions.ValidationError",
         "The operation cannot be completed: another model requires the record being deleted. "
         "If possible, archive it instead.\n\nModel: Contact (res.partner)\n"
         "Constraint: res_partner_country_id_fkey\n"),
        ("res.partner", {"name": "x", "date": "yesterday"}, "builtins.ValueError",
         "time data 'yesterday' does not match format '%Y-%m-%d'"),
        ("res.partner", {"name": "x", "color": "red"}, "builtins.ValueError",
         "Wrong value for res.partner.color: 'red'"),
        ("res.partner", {"name": "x", "category_id": "vip"}, "builtins.ValueError",
         "Wrong value for res.partner.category_id: 'vip'"),
        ("res.partner.category", {"color": 1}, "odoo.exceptions.ValidationError",
         "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n"
         "- Delete: another model requires the record being deleted. If possible, archive it instead."
         "\n\nModel: Partner Tags (res.partner.category)\nField: Tag Name (name)\n"),
    ],
)  # fmt: skip
def test_create_faults(
    db: Database, model: str, vals: dict[str, Any], name: str, message: str
) -> None:
    before = db.snapshot_counts()
    caught = fault(db, model, "create", vals)
    assert (caught.name, caught.message) == (name, message)
    assert db.snapshot_counts() == before


def test_create_list_is_all_or_nothing(db: Database) -> None:
    before = db.snapshot_counts()
    fault(db, "res.partner", "create", [{"name": "fine"}, {"name": "x", "type": "bogus"}])
    assert db.snapshot_counts() == before


def test_write(db: Database) -> None:
    assert call(db, "res.partner", "write", [14], {"name": "Azure Exterior", "color": 3}) is True
    assert call(db, "res.partner", "read", [26], ["display_name"]) == [
        {"id": 26, "display_name": "Azure Exterior, Brandon Freeman"}
    ]
    row = call(db, "res.partner", "read", [14], ["color", "write_uid"])[0]
    assert row["color"] == 3
    assert row["write_uid"] == [2, "Mitchell Admin"]


@pytest.mark.parametrize(
    ("model", "ids", "vals", "name", "message"),
    [
        ("res.partner", [20047], {"name": "x"}, "odoo.exceptions.MissingError",
         "Record does not exist or has been deleted.\n(Record: res.partner(20047,), User: 2)"),
        ("res.partner", [14, 20047, 20048], {"name": "x"}, "odoo.exceptions.MissingError",
         "Record does not exist or has been deleted.\n(Record: res.partner(20047, 20048), User: 2)"),
        ("res.partner", [14], {"parent_id": 14}, "odoo.exceptions.ValidationError",
         "You cannot create recursive Partner hierarchies."),
        ("res.partner", [14], {"parent_id": 33}, "odoo.exceptions.ValidationError",
         "You cannot create recursive Partner hierarchies."),
        ("res.partner.category", [2], {"parent_id": 3}, "odoo.exceptions.ValidationError",
         "You can not create recursive tags."),
        ("res.users", [2], {"active": False}, "odoo.exceptions.UserError",
         "You cannot deactivate the user you're currently logged in as."),
        ("res.partner", [14], {"no_such_field": 1}, "builtins.ValueError",
         "Invalid field 'no_such_field' on model 'res.partner'"),
        ("res.users", [6], {"login": False}, "odoo.exceptions.ValidationError",
         "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n"
         "- Delete: another model requires the record being deleted. If possible, archive it instead."
         "\n\nModel: User (res.users)\nField: Login (login)\n"),
    ],
)  # fmt: skip
def test_write_faults(
    db: Database, model: str, ids: list[int], vals: dict[str, Any], name: str, message: str
) -> None:
    before = call(db, model, "read", ids, list(vals) if "no_such_field" not in vals else ["name"])
    caught = fault(db, model, "write", ids, vals)
    assert (caught.name, caught.message) == (name, message)
    assert (
        call(db, model, "read", ids, list(vals) if "no_such_field" not in vals else ["name"])
        == before
    )


def test_logins_are_unique(db: Database) -> None:
    message = "The operation cannot be completed: You can not have two users with the same login !"
    assert fault(db, "res.users", "create", {"name": "Twin", "login": "demo"}).message == message
    assert fault(db, "res.users", "write", [DEMO], {"login": "admin"}).message == message
    assert call(db, "res.users", "write", [DEMO], {"login": "demo"}) is True


def test_a_failing_write_is_rolled_back(db: Database) -> None:
    commands = [[0, 0, {"name": "New child"}], [1, 20047, {"name": "gone"}]]
    fault(db, "res.partner", "write", [14], {"name": "Renamed", "child_ids": commands})
    assert names(db, [14]) == ["Azure Interior"]
    assert call(db, "res.partner", "search", [["name", "=", "New child"]]) == []


def test_unlink(db: Database) -> None:
    partner = call(db, "res.partner", "create", {"name": "Doomed"})
    assert call(db, "res.partner", "unlink", [partner]) is True
    assert call(db, "res.partner", "read", [partner], ["name"]) == []
    assert call(db, "res.partner", "exists", [partner, 14]) == [14]


@pytest.mark.parametrize(
    ("model", "ids", "name", "message"),
    [
        ("res.partner", [20047], "odoo.exceptions.MissingError",
         "Record does not exist or has been deleted.\n(Record: res.partner(20047,), User: 2)"),
        ("res.users", [2], "odoo.exceptions.UserError",
         "You cannot delete the admin user because it is utilized in various places (such as "
         "security configurations,...). Instead, archive it."),
        ("res.partner", [3], "odoo.exceptions.ValidationError",
         "The operation cannot be completed: another model requires the record being deleted. "
         "If possible, archive it instead.\n\nModel: User (res.users)\n"
         "Constraint: res_users_partner_id_fkey\n"),
    ],
)  # fmt: skip
def test_unlink_faults(db: Database, model: str, ids: list[int], name: str, message: str) -> None:
    before = db.snapshot_counts()
    caught = fault(db, model, "unlink", ids)
    assert (caught.name, caught.message) == (name, message)
    assert db.snapshot_counts() == before


def test_unlink_cascades_and_sets_null(db: Database) -> None:
    lines = call(db, "account.move", "read", [5], ["line_ids"])[0]["line_ids"]
    call(db, "account.move", "unlink", [5])
    assert call(db, "account.move.line", "exists", lines) == []
    company = call(db, "res.partner", "create", {"name": "Parent Co", "is_company": True})
    child = call(db, "res.partner", "create", {"name": "Kid", "parent_id": company})
    call(db, "res.partner", "unlink", [company])
    assert call(db, "res.partner", "read", [child], ["parent_id", "display_name"]) == [
        {"id": child, "parent_id": False, "display_name": "Kid"}
    ]


# -- x2many commands ------------------------------------------------------------------------------


def tags(db: Database, partner: int) -> list[int]:
    result: list[int] = call(db, "res.partner", "read", [partner], ["category_id"])[0][
        "category_id"
    ]
    return result


def test_many2many_commands(db: Database) -> None:
    partner = call(db, "res.partner", "create", {"name": "Tagged", "category_id": [[6, 0, [1, 2]]]})
    assert tags(db, partner) == [1, 2]  # in the comodel's order: name ("Wholesale Q4" < "Services")
    call(db, "res.partner", "write", [partner], {"category_id": [[4, 7]]})
    assert set(tags(db, partner)) == {1, 2, 7}
    call(db, "res.partner", "write", [partner], {"category_id": [[3, 1]]})
    assert set(tags(db, partner)) == {2, 7}
    call(db, "res.partner", "write", [partner], {"category_id": [[0, 0, {"name": "Fresh"}]]})
    fresh = call(db, "res.partner.category", "search", [["name", "=", "Fresh"]])
    assert set(tags(db, partner)) == {2, 7, *fresh}
    call(
        db, "res.partner", "write", [partner], {"category_id": [[1, fresh[0], {"name": "Renamed"}]]}
    )
    assert call(db, "res.partner.category", "read", fresh, ["name"]) == [
        {"id": fresh[0], "name": "Renamed"}
    ]
    call(db, "res.partner", "write", [partner], {"category_id": [[2, fresh[0]]]})
    assert call(db, "res.partner.category", "exists", fresh) == []
    assert set(tags(db, partner)) == {2, 7}
    call(db, "res.partner", "write", [partner], {"category_id": [[5]]})
    assert tags(db, partner) == []
    call(db, "res.partner", "write", [partner], {"category_id": [3, 4]})
    assert set(tags(db, partner)) == {3, 4}
    call(db, "res.partner", "write", [partner], {"category_id": False})
    assert tags(db, partner) == []


def test_many2many_both_sides(db: Database) -> None:
    partner = call(db, "res.partner", "create", {"name": "Linked", "category_id": [[4, 3]]})
    assert (
        partner in call(db, "res.partner.category", "read", [3], ["partner_ids"])[0]["partner_ids"]
    )
    call(db, "res.partner.category", "write", [3], {"partner_ids": [[3, partner]]})
    assert tags(db, partner) == []
    call(db, "res.partner.category", "write", [4], {"partner_ids": [[4, partner]]})
    assert tags(db, partner) == [4]
    assert call(db, "res.partner", "search", [["category_id", "=", 4], ["id", "=", partner]]) == [
        partner
    ]


def test_one2many_commands(db: Database) -> None:
    company = call(db, "res.partner", "create", {
        "name": "Holding", "is_company": True,
        "child_ids": [[0, 0, {"name": "Ann"}], [0, 0, {"name": "Bob"}]],
    })  # fmt: skip

    def children() -> list[str]:
        kids = call(db, "res.partner", "read", [company], ["child_ids"])[0]["child_ids"]
        return names(db, kids)

    assert children() == ["Ann", "Bob"]
    ann, bob = call(db, "res.partner", "search", [["parent_id", "=", company]], order="name")
    call(
        db, "res.partner", "write", [company], {"child_ids": [[1, ann, {"name": "Anna"}], [3, bob]]}
    )
    assert children() == ["Anna"]
    assert call(db, "res.partner", "read", [bob], ["parent_id"]) == [
        {"id": bob, "parent_id": False}
    ]
    call(db, "res.partner", "write", [company], {"child_ids": [[4, bob]]})
    assert children() == ["Anna", "Bob"]
    assert (
        call(db, "res.partner", "read", [bob], ["display_name"])[0]["display_name"]
        == "Holding, Bob"
    )
    call(db, "res.partner", "write", [company], {"child_ids": [[6, 0, [bob]]]})
    assert children() == ["Bob"]
    call(db, "res.partner", "write", [company], {"child_ids": [[2, bob]]})
    assert call(db, "res.partner", "exists", [bob]) == []
    call(db, "res.partner", "write", [company], {"child_ids": [[4, ann]]})
    call(db, "res.partner", "write", [company], {"child_ids": [[5]]})
    assert children() == []


def test_bad_command(db: Database) -> None:
    caught = fault(db, "res.partner", "write", [14], {"category_id": [[9, 1]]})
    assert caught.name == "builtins.ValueError"


def test_invoice_totals_follow_their_lines(db: Database) -> None:
    move = call(db, "account.move", "create", {
        "move_type": "out_invoice", "partner_id": 14,
        "invoice_line_ids": [[0, 0, {"name": "Desk", "quantity": 2, "price_unit": 100.0}],
                             [0, 0, {"name": "Chair", "quantity": 1, "price_unit": 50.0, "discount": 10}]],
    })  # fmt: skip
    row = call(
        db,
        "account.move",
        "read",
        [move],
        ["amount_total", "amount_residual", "state", "date", "name"],
    )[0]
    assert (row["amount_total"], row["amount_residual"], row["state"], row["name"]) == (
        245.0,
        245.0,
        "draft",
        "/",
    )
    assert row["date"]
    lines = call(db, "account.move", "read", [move], ["invoice_line_ids"])[0]["invoice_line_ids"]
    call(db, "account.move.line", "unlink", [lines[0]])
    assert call(db, "account.move", "read", [move], ["amount_total"])[0]["amount_total"] in (
        45.0,
        200.0,
    )
    line = call(
        db, "account.move.line", "read", [lines[1]], ["move_id", "currency_id", "partner_id"]
    )[0]
    assert line["move_id"][0] == move
    assert line["currency_id"] == [1, "USD"]
    assert line["partner_id"] == [14, "Azure Interior"]


def test_calendar_event_stop_from_duration(db: Database) -> None:
    event = call(
        db,
        "calendar.event",
        "create",
        {"name": "Call", "start": "2026-12-01 09:00:00", "duration": 1.5},
    )
    row = call(
        db, "calendar.event", "read", [event], ["stop", "privacy", "show_as", "partner_ids"]
    )[0]
    assert row == {"id": event, "stop": "2026-12-01 10:30:00", "privacy": "public", "show_as": "busy",
                   "partner_ids": []}  # fmt: skip


# -- active ----------------------------------------------------------------------------------


def test_archived_records_are_hidden_from_search_only(db: Database) -> None:
    call(db, "res.partner", "write", [26], {"active": False})
    assert 26 not in call(db, "res.partner", "search", [["parent_id", "=", 14]])
    assert 26 in call(
        db, "res.partner", "search", [["parent_id", "=", 14]], context={"active_test": False}
    )
    assert call(db, "res.partner", "search", [["active", "=", False], ["id", "=", 26]]) == [26]
    assert names(db, [26]) == ["Brandon Freeman"]
    # archived children are left out of one2many values too
    assert call(db, "res.partner", "read", [14], ["child_ids"])[0]["child_ids"] == [33, 27]
    assert 4 not in call(db, "res.partner", "name_search", "Public")
    assert call(db, "res.users", "search", [["login", "=", "__system__"]]) == []


# -- access ------------------------------------------------------------------------------------

CONFIG_DENIED = (
    "You are not allowed to access 'System Parameter' (ir.config_parameter) records.\n\n"
    "This operation is allowed for the following groups:\n\t- Administration/Settings\n\n"
    "Contact your administrator to request access if necessary."
)
COMPANY_DENIED = (
    "You are not allowed to modify 'Companies' (res.company) records.\n\n"
    "This operation is allowed for the following groups:\n\t- Administration/Access Rights\n\n"
    "Contact your administrator to request access if necessary."
)
PORTAL_DENIED = (
    "Uh-oh! Looks like you have stumbled upon some top-secret records.\n\n"
    "Sorry, Joel Willis (id=7) doesn't have 'read' access to:\n- Contact (res.partner)\n\n"
    "If you really, really need access, perhaps you can win over your friendly administrator "
    "with a batch of freshly baked cookies."
)


def test_demo_user_access(db: Database) -> None:
    caught = fault(db, "ir.config_parameter", "search_read", [], uid=DEMO, fields=["key"])
    assert (caught.name, caught.message) == ("odoo.exceptions.AccessError", CONFIG_DENIED)
    caught = fault(db, "res.company", "write", [1], {"name": "hacked"}, uid=DEMO)
    assert (caught.name, caught.message) == ("odoo.exceptions.AccessError", COMPANY_DENIED)
    caught = fault(db, "ir.config_parameter", "create", {"key": "k", "value": "v"}, uid=DEMO)
    assert caught.message.startswith("You are not allowed to create 'System Parameter'")
    assert call(db, "res.company", "read", [1], ["name"], uid=DEMO) == [
        {"id": 1, "name": "YourCompany"}
    ]
    assert call(db, "res.partner", "write", [14], {"color": 2}, uid=DEMO) is True
    assert call(db, "res.users", "write", [DEMO], {"signature": "<p>Marc</p>"}, uid=DEMO) is True
    caught = fault(db, "res.users", "write", [ADMIN], {"signature": "x"}, uid=DEMO)
    assert caught.message.startswith("You are not allowed to modify 'User' (res.users) records.")
    assert call(db, "ir.config_parameter", "search_count", []) == 5


def test_portal_user_access(db: Database) -> None:
    caught = fault(db, "res.partner", "read", [14], uid=PORTAL, fields=["name"])
    assert (caught.name, caught.message) == ("odoo.exceptions.AccessError", PORTAL_DENIED)
    assert call(db, "res.partner", "search", [], uid=PORTAL) == [8]
    assert call(db, "res.partner", "read", [8], ["name"], uid=PORTAL) == [
        {"id": 8, "name": "Joel Willis"}
    ]
    assert call(db, "res.partner", "read", [20047], ["name"], uid=PORTAL) == []
    caught = fault(db, "calendar.event", "search", [], uid=PORTAL)
    assert caught.message.startswith(
        "You are not allowed to access 'Calendar Event' (calendar.event)"
    )
    assert "User types/Internal User" in caught.message
    caught = fault(db, "res.partner", "write", [8], {"name": "x"}, uid=PORTAL)
    assert caught.message.startswith(
        "You are not allowed to modify 'Contact' (res.partner) records."
    )
    assert call(db, "res.users", "search", [], uid=PORTAL) == [PORTAL]
    assert call(db, "res.country", "search_count", [["code", "=", "US"]], uid=PORTAL) == 1


def test_check_access_rights(db: Database) -> None:
    assert call(db, "ir.config_parameter", "check_access_rights", "read") is True
    assert call(db, "ir.config_parameter", "check_access_rights", "read", False, uid=DEMO) is False
    assert (
        call(
            db,
            "ir.config_parameter",
            "check_access_rights",
            "write",
            raise_exception=False,
            uid=DEMO,
        )
        is False
    )
    caught = fault(db, "ir.config_parameter", "check_access_rights", "read", uid=DEMO)
    assert caught.message == CONFIG_DENIED
    assert call(db, "res.partner", "check_access_rights", "read", uid=PORTAL) is True
    assert (
        call(db, "res.partner", "check_access_rights", "create", raise_exception=False, uid=PORTAL)
        is False
    )


# -- fields_get, name_search, read_group, default_get ------------------------------------------------


def test_fields_get_shaped_like_the_capture(db: Database) -> None:
    attributes = [
        "string",
        "type",
        "relation",
        "required",
        "readonly",
        "selection",
        "store",
        "relation_field",
    ]
    got = call(db, "res.partner", "fields_get", ["name", "type", "country_id", "child_ids", "category_id",
                                                 "credit_limit", "display_name", "nope"], attributes)  # fmt: skip
    assert got == {
        "name": {"readonly": False, "required": False, "store": True, "string": "Name", "type": "char"},
        "type": {"readonly": False, "required": False, "selection": [["contact", "Contact"],
                 ["invoice", "Invoice Address"], ["delivery", "Delivery Address"],
                 ["other", "Other Address"]], "store": True, "string": "Address Type",
                 "type": "selection"},
        "country_id": {"readonly": False, "relation": "res.country", "required": False, "store": True,
                       "string": "Country", "type": "many2one"},
        "child_ids": {"readonly": False, "relation": "res.partner", "relation_field": "parent_id",
                      "required": False, "store": True, "string": "Contact", "type": "one2many"},
        "category_id": {"readonly": False, "relation": "res.partner.category", "required": False,
                        "store": True, "string": "Tags", "type": "many2many"},
        "credit_limit": {"readonly": False, "required": False, "store": False,
                         "string": "Credit Limit", "type": "float"},
        "display_name": {"readonly": True, "required": False, "store": False,
                         "string": "Display Name", "type": "char"},
    }  # fmt: skip
    users = call(db, "res.users", "fields_get", ["login", "partner_id"], attributes=attributes)
    assert users["login"] == {
        "readonly": False,
        "required": True,
        "store": True,
        "string": "Login",
        "type": "char",
    }
    full = call(db, "res.partner", "fields_get")
    assert {"name", "id", "display_name", "create_date", "write_date", "active"} <= set(full)
    assert full["name"]["type"] == "char"
    assert full["name"]["searchable"] is True
    assert {row["type"] for model in ("res.partner", "res.country", "account.move") for row in
            call(db, model, "fields_get", attributes=["type"]).values()} >= {
        "char", "text", "html", "integer", "float", "monetary", "boolean", "selection", "date",
        "datetime", "many2one", "one2many", "many2many", "binary",
    }  # fmt: skip


def test_name_search(db: Database) -> None:
    assert call(db, "res.partner", "name_search", "Azure") == [
        [14, "Azure Interior"],
        [26, "Azure Interior, Brandon Freeman"],
        [33, "Azure Interior, Colleen Diaz"],
        [27, "Azure Interior, Nicole Ford"],
    ]
    assert call(db, "res.partner", "name_search", "Azure", limit=2) == [[14, "Azure Interior"],
                                                                       [26, "Azure Interior, Brandon Freeman"]]  # fmt: skip
    assert call(db, "res.partner", "name_search", "Azure Interior", operator="=") == [
        [14, "Azure Interior"]
    ]
    assert call(db, "res.partner", "name_search", "Azure", [["is_company", "=", False]])[0][0] == 26
    assert call(db, "res.country", "name_search", "BE") == [[20, "Belgium"]]
    assert len(call(db, "res.partner", "name_search", limit=7)) == 7


def test_read_group_as_captured(db: Database) -> None:
    assert call(db, "account.move", "read_group", [], ["amount_total:sum"], ["state"]) == [
        {"state": "draft", "state_count": 1, "amount_total": 0.0, "__domain": [["state", "=", "draft"]]},
        {"state": "posted", "state_count": 23, "amount_total": 302673.57,
         "__domain": [["state", "=", "posted"]]},
    ]  # fmt: skip


def test_read_group_shapes(db: Database) -> None:
    groups = call(db, "res.partner", "read_group", [["is_company", "=", True]], ["color"], ["country_id"],
                  lazy=False)  # fmt: skip
    assert groups == [{"country_id": [233, "United States"], "__count": 8, "color": 0,
                       "__domain": ["&", ["is_company", "=", True], ["country_id", "=", 233]]}]  # fmt: skip
    by_month = call(db, "account.move", "read_group", [["state", "=", "posted"]], ["amount_total"],
                    ["invoice_date:month", "partner_id"])  # fmt: skip
    assert [g["invoice_date:month"] for g in by_month] == ["October 2026", "November 2026"]
    assert by_month[0]["__range"] == {
        "invoice_date:month": {"from": "2026-10-01", "to": "2026-11-01"}
    }
    assert by_month[0]["__context"] == {"group_by": ["partner_id"]}
    assert by_month[0]["invoice_date_count"] + by_month[1]["invoice_date_count"] == 23
    assert by_month[1]["__domain"] == [
        "&",
        ["state", "=", "posted"],
        "&",
        ["invoice_date", ">=", "2026-11-01"],
        ["invoice_date", "<", "2026-12-01"],
    ]
    biggest = call(db, "account.move", "read_group", [], ["amount_total:max"], ["partner_id"],
                   orderby="partner_id_count desc", limit=2)  # fmt: skip
    assert len(biggest) == 2
    assert biggest[0]["partner_id_count"] >= biggest[1]["partner_id_count"]
    by_tag = call(db, "res.partner", "read_group", [["id", "in", [9, 12, 14]]], [], ["category_id"])
    assert {tuple(g["category_id"]): g["category_id_count"] for g in by_tag} == {
        (5, "Desk Manufacturers"): 3, (6, "Office Supplies"): 1,
    }  # fmt: skip


def test_copy(db: Database) -> None:
    source = call(db, "res.partner", "read", [26], ["name", "email", "parent_id", "category_id"])[0]
    new_id = call(db, "res.partner", "copy", [26])
    assert isinstance(new_id, int)
    assert new_id not in (26,)
    copied = call(db, "res.partner", "read", [new_id], ["name", "email", "parent_id"])[0]
    assert copied["name"] == f"{source['name']} (copy)"
    assert (copied["email"], copied["parent_id"]) == (source["email"], source["parent_id"])
    renamed = call(db, "res.partner", "copy", [26], {"name": "Someone else", "email": False})
    assert call(db, "res.partner", "read", [renamed], ["name", "email"])[0] == {
        "id": renamed, "name": "Someone else", "email": False,
    }  # fmt: skip
    tag = call(db, "res.partner.category", "copy", [5])
    assert (
        call(db, "res.partner.category", "read", [tag], ["name"])[0]["name"] == "Desk Manufacturers"
    )


@pytest.mark.parametrize(
    ("ids", "name", "message"),
    [
        ([1, 3], "builtins.ValueError", "Expected singleton: res.partner(1, 3)"),
        ([], "builtins.ValueError", "Expected singleton: res.partner()"),
        ([999_999], "odoo.exceptions.MissingError", "Record does not exist or has been deleted."),
    ],
)
def test_copy_faults(db: Database, ids: list[int], name: str, message: str) -> None:
    error = fault(db, "res.partner", "copy", ids)
    assert error.name == name
    assert error.message.startswith(message)


def test_name_create(db: Database) -> None:
    new_id, display = call(db, "res.partner", "name_create", "Ada Lovelace")
    assert display == "Ada Lovelace"
    assert call(db, "res.partner", "read", [new_id], ["name", "email"])[0] == {
        "id": new_id, "name": "Ada Lovelace", "email": False,
    }  # fmt: skip
    # res.partner parses "Name <email>", as Odoo's contact fields do
    other, display = call(db, "res.partner", "name_create", "Alan Turing <alan@example.com>")
    assert display == "Alan Turing"
    assert call(db, "res.partner", "read", [other], ["email"])[0]["email"] == "alan@example.com"
    tag_id, tag_name = call(db, "res.partner.category", "name_create", "Wholesale Q4")
    assert call(db, "res.partner.category", "search", [["name", "=", "Wholesale Q4"]]) == [tag_id]
    assert tag_name == "Wholesale Q4"


def test_name_create_needs_write_access_to_create(db: Database) -> None:
    assert (
        fault(db, "res.partner", "name_create", "X", uid=PORTAL).name
        == "odoo.exceptions.AccessError"
    )


def test_default_get(db: Database) -> None:
    assert call(db, "res.partner", "default_get", ["type", "active", "name"]) == {
        "type": "contact",
        "active": True,
    }


def test_context_get_is_the_users_context_on_res_users_only(db: Database) -> None:
    # OdooRPC calls it after every login
    assert call(db, "res.users", "context_get") == {
        "lang": "en_US",
        "tz": "Europe/Brussels",
        "uid": 2,
    }
    assert "does not exist" in fault(db, "res.partner", "context_get").message


# -- query cache ---------------------------------------------------------------------------------


@pytest.fixture
def filters(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The models the store filtered row by row (a cached query filters nothing)."""
    seen: list[str] = []
    original = Store.filter

    def counting(self: Store, model: str, domain: Any, **kwargs: Any) -> list[Any]:
        seen.append(model)
        return original(self, model, domain, **kwargs)

    monkeypatch.setattr(Store, "filter", counting)
    return seen


def page(db: Database, domain: list[Any], offset: int, limit: int, **kwargs: Any) -> list[Any]:
    return call(db, "res.partner", "search_read", domain, ["name"], offset, limit, "id", **kwargs)


def test_pages_of_one_search_filter_once(db: Database, filters: list[str]) -> None:
    everything = call(db, "res.partner", "search_read", [], ["name"], order="id")
    assert filters == ["res.partner"]
    pages = [page(db, [], offset, 7) for offset in range(0, len(everything), 7)]
    assert [row for rows in pages for row in rows] == everything
    assert call(db, "res.partner", "search", [], order="id") == [r["id"] for r in everything]
    assert call(db, "res.partner", "search_count", []) == len(everything)
    assert call(db, "res.partner", "search_count", [], 5) == 5
    assert filters == ["res.partner"]  # every page, the ids and the count came from the cache
    call(db, "res.partner", "search", [], order="name desc")  # another order: a sort, no filter
    assert filters == ["res.partner"]


QUERIES: list[tuple[list[Any], str | None, dict[str, Any]]] = [
    ([], None, {}),
    ([], "id desc", {}),
    ([], "name", {"context": {"active_test": False}}),
    ([["is_company", "=", True]], "id", {}),
    (["|", ["name", "ilike", "a"], ["email", "ilike", "example"]], "name desc, id", {}),
    ([["country_id.name", "=", "Belgium"]], None, {}),
    ([["id", "in", [14, 26, 8, 3]]], "id", {}),
    ([["parent_id", "child_of", 14]], None, {"context": {"active_test": False}}),
    ([["category_id", "!=", False]], "country_id, id", {}),
]


@pytest.mark.parametrize(("domain", "order", "kwargs"), QUERIES)
def test_cached_results_equal_uncached_ones(
    db: Database, domain: list[Any], order: str | None, kwargs: dict[str, Any]
) -> None:
    fresh = Database("odoo17", partners=20, seed=1)
    for offset, limit in [(0, None), (0, 3), (2, 5), (100, 5)]:
        first = call(db, "res.partner", "search", domain, offset, limit, order, **kwargs)
        again = call(db, "res.partner", "search", domain, offset, limit, order, **kwargs)
        assert first == again == call(fresh, "res.partner", "search", domain, offset, limit, order,
                                      **kwargs)  # fmt: skip
        fields = ["name", "country_id", "category_id", "child_ids"]
        read = call(
            db, "res.partner", "search_read", domain, fields, offset, limit, order, **kwargs
        )
        assert read == call(fresh, "res.partner", "search_read", domain, fields, offset, limit,
                            order, **kwargs)  # fmt: skip
    assert call(db, "res.partner", "search_count", domain, **kwargs) == call(
        fresh, "res.partner", "search_count", domain, **kwargs
    )
    grouped = call(db, "res.partner", "read_group", domain, ["color"], ["country_id"], **kwargs)
    assert grouped == call(fresh, "res.partner", "read_group", domain, ["color"], ["country_id"],
                           **kwargs)  # fmt: skip


def test_create_write_unlink_invalidate_the_cache(db: Database) -> None:
    domain = [["name", "ilike", "zebra"]]
    assert call(db, "res.partner", "search", domain) == []
    zebra = call(db, "res.partner", "create", {"name": "Zebra Crossing"})
    assert call(db, "res.partner", "search", domain) == [zebra]
    assert call(db, "res.partner", "search_count", domain) == 1
    call(db, "res.partner", "write", [14], {"name": "Azure Zebra"})
    assert call(db, "res.partner", "search", domain, order="id") == [14, zebra]
    assert page(db, domain, 1, 1) == [{"id": zebra, "name": "Zebra Crossing"}]
    call(db, "res.partner", "unlink", [zebra])
    assert call(db, "res.partner", "search", domain, order="id") == [14]
    assert page(db, domain, 1, 1) == []
    assert 14 in [rid for rid, _name in call(db, "res.partner", "name_search", "zebra")]
    call(db, "res.partner", "write", [14], {"active": False})
    assert call(db, "res.partner", "search", domain) == []
    found = call(db, "res.partner", "name_search", "zebra")  # its contacts' names hold its name
    assert found
    assert all(name.startswith("Azure Zebra, ") for _rid, name in found)


def test_changes_to_a_related_model_invalidate_the_cache(db: Database) -> None:
    belgians = call(db, "res.partner", "search", [["country_id.name", "=", "Belgium"]])
    assert len(belgians) == 4
    by_code = [["country_id.code", "=", "BQ"]]
    assert call(db, "res.partner", "search_count", by_code) == 0
    before = call(db, "res.partner", "search_read", [["id", "in", belgians]], ["country_id"])
    assert {tuple(r["country_id"]) for r in before} == {(20, "Belgium")}
    call(db, "res.country", "write", [20], {"name": "Belgique", "code": "BQ"})
    assert call(db, "res.partner", "search", [["country_id.name", "=", "Belgium"]]) == []
    assert call(db, "res.partner", "search", [["country_id.name", "=", "Belgique"]]) == belgians
    assert call(db, "res.partner", "search", [["country_id", "=", "Belgique"]]) == belgians
    assert call(db, "res.partner", "search_count", by_code) == 4
    after = call(db, "res.partner", "search_read", [["id", "in", belgians]], ["country_id"])
    assert {tuple(r["country_id"]) for r in after} == {(20, "Belgique")}
    # deleting a partner changes the result of a search through a related model
    call(db, "res.partner", "unlink", [belgians[0]])
    assert call(db, "res.partner", "search", [["country_id.name", "=", "Belgique"]]) == belgians[1:]


def test_a_related_field_follows_its_target(db: Database) -> None:
    demo = [["name", "=", "Marc Demo"]]
    assert call(db, "res.users", "search", demo) == [DEMO]
    assert call(db, "res.users", "search_read", demo, ["name"]) == [
        {"id": DEMO, "name": "Marc Demo"}
    ]
    partner = call(db, "res.users", "read", [DEMO], ["partner_id"], load=None)[0]["partner_id"]
    call(db, "res.partner", "write", [partner], {"name": "Marc Renamed"})
    assert call(db, "res.users", "search", demo) == []
    assert call(db, "res.users", "search_read", [["name", "=", "Marc Renamed"]], ["name"]) == [
        {"id": DEMO, "name": "Marc Renamed"}
    ]


def test_a_failed_call_leaves_no_stale_result(db: Database) -> None:
    domain = [["name", "=like", "Rolled back%"]]
    assert call(db, "res.partner", "search", domain) == []
    # the first record is created, then the second fails: the call is rolled back
    fault(db, "res.partner", "create", [{"name": "Rolled back"}, {"name": "x", "parent_id": 99999}])
    assert call(db, "res.partner", "search", domain) == []
    assert call(db, "res.partner", "search_count", domain) == 0


def test_a_result_memoized_inside_a_rolled_back_transaction_is_forgotten(db: Database) -> None:
    store = db._store
    domain = [("name", "=", "Inside")]
    assert store.search_ids("res.partner", domain, "id") == []
    store.begin()
    rid = store.create("res.partner", {"name": "Inside"}, ADMIN)
    assert store.search_ids("res.partner", domain, "id") == [rid]
    assert store.matching_ids("res.partner", domain) == [rid]
    store.rollback()
    assert store.search_ids("res.partner", domain, "id") == []
    assert store.matching_ids("res.partner", domain) == []


def test_rows_changed_in_place_after_touch_are_seen_after_commit(db: Database) -> None:
    store = db._store
    domain = [("name", "=", "Changed in place")]
    store.begin()
    row = store.touch("res.partner", 14)
    assert store.search_ids("res.partner", domain, None) == []  # memoized mid-change
    row["name"] = "Changed in place"
    store.commit()
    assert store.search_ids("res.partner", domain, None) == [14]


def test_every_low_level_change_empties_the_cache(db: Database) -> None:
    store = db._store
    domain = [("name", "=", "Low level")]
    assert store.search_ids("res.partner", domain, None) == []
    rid = store.insert("res.partner", {"name": "Low level", "active": True, "type": "contact"})
    assert store.search_ids("res.partner", domain, None) == [rid]
    assert store.matching_ids("res.partner", domain) == [rid]
    store.touch("res.partner", 14)["name"] = "Low level"
    assert store.search_ids("res.partner", domain, "id") == [14, rid]
    store.delete("res.partner", rid)
    assert store.search_ids("res.partner", domain, "id") == [14]
    assert store.matching_ids("res.partner", domain) == [14]
    store.tables["res.partner"][14]["name"] = "Behind its back"
    store.invalidate()
    assert store.search_ids("res.partner", domain, "id") == []


def test_reset_forgets_cached_results(db: Database) -> None:
    created = call(db, "res.partner", "create", {"name": "Ephemeral"})
    assert call(db, "res.partner", "search", [["name", "=", "Ephemeral"]]) == [created]
    db.reset()
    assert call(db, "res.partner", "search", [["name", "=", "Ephemeral"]]) == []
    assert call(db, "res.partner", "search_count", []) == 55


@pytest.mark.parametrize("first", [ADMIN, PORTAL])
def test_record_rules_are_part_of_the_key(db: Database, first: int) -> None:
    order = [first, PORTAL if first == ADMIN else ADMIN, DEMO, first]
    seen = {uid: call(db, "res.partner", "search", [], uid=uid) for uid in order}
    assert seen[PORTAL] == [8]
    assert len(seen[ADMIN]) == 55
    assert seen[DEMO] == seen[ADMIN]
    assert call(db, "res.partner", "search_count", [], uid=PORTAL) == 1
    assert page(db, [], 0, 5, uid=PORTAL) == [{"id": 8, "name": "Joel Willis"}]
    assert len(page(db, [], 0, 5, uid=ADMIN)) == 5
    # the rule follows the data: a new contact of the portal user's company becomes visible
    child = call(db, "res.partner", "create", {"name": "Colleague", "parent_id": 8})
    assert call(db, "res.partner", "search", [], order="id", uid=PORTAL) == [8, child]


def test_active_test_is_part_of_the_key(db: Database) -> None:
    everything = {"context": {"active_test": False}}
    active = call(db, "res.partner", "search", [])
    archived_too = call(db, "res.partner", "search", [], **everything)
    assert (len(active), len(archived_too)) == (55, 60)
    assert call(db, "res.partner", "search", []) == active
    assert call(db, "res.partner", "search_count", [], **everything) == 60
    assert call(db, "res.partner", "search_count", []) == 55
    children = call(db, "res.partner", "read", [14], ["child_ids"])[0]["child_ids"]
    assert sorted(children) == [26, 27, 33]
    call(db, "res.partner", "write", [26], {"active": False})
    assert call(db, "res.partner", "read", [14], ["child_ids"])[0]["child_ids"] == [33, 27]
    assert call(db, "res.partner", "read", [14], ["child_ids"], **everything)[0]["child_ids"] == (
        children
    )
    assert call(db, "res.partner", "search_count", []) == 54
    assert call(db, "res.partner", "search_count", [], **everything) == 60


def test_domain_values_of_different_types_are_different_keys(db: Database) -> None:
    ids = call(db, "res.partner", "create", [{"name": "1"}, {"name": "1.0"}, {"name": "True"}])
    assert call(db, "res.partner", "search", [["name", "=", 1]]) == [ids[0]]
    assert call(db, "res.partner", "search", [["name", "=", 1.0]]) == [ids[1]]
    assert call(db, "res.partner", "search", [["name", "=", True]]) == [ids[2]]
    assert call(db, "res.partner", "search", [["name", "in", [1]]]) == [ids[0]]
    assert call(db, "res.partner", "search", [["name", "in", [True]]]) == [ids[2]]
    # [a, b] and ['&', a, b] are the same normalized domain
    both = [["name", "=", "1"], ["id", "=", ids[0]]]
    assert call(db, "res.partner", "search", both) == [ids[0]]
    assert call(db, "res.partner", "search", ["&", *both]) == [ids[0]]


def test_unhashable_domain_values_are_searched_without_the_cache(
    db: Database, filters: list[str]
) -> None:
    companies = call(db, "res.partner", "search", [["is_company", "=", False]])
    filters.clear()
    for _ in range(2):
        assert call(db, "res.partner", "search", [["is_company", "=", {}]]) == companies
        assert call(db, "res.partner", "search_count", [["is_company", "=", {}]]) == len(companies)
    assert filters == ["res.partner"] * 4
    caught = fault(db, "res.partner", "search", [["name", "=", {"a": 1}]])
    assert caught.name == "builtins.ValueError"
    caught = fault(db, "res.partner", "search", [], order=["name"])
    assert caught.message == "Invalid \"order\" specified (['name'])."


def test_faults_are_not_cached(db: Database) -> None:
    for _ in range(2):
        assert fault(db, "res.partner", "search", [["nope", "=", 1]]).name == "builtins.ValueError"
        caught = fault(db, "res.partner", "search", [], order="nope")
        assert caught.message == "Invalid field 'nope' on model 'res.partner'"
    # a domain fault comes before an order fault, cached filter or not
    assert call(db, "res.partner", "search_count", [["name", "=", "x"]]) == 0
    caught = fault(db, "res.partner", "search", [["name", "=", "x"]], order="nope")
    assert caught.message == "Invalid field 'nope' on model 'res.partner'"
    caught = fault(db, "res.partner", "search", [["nope", "=", 1]], order="nope")
    assert caught.message.startswith("Invalid field res.partner.nope")


def test_the_cache_is_bounded(db: Database) -> None:
    store = db._store
    for rid in range(1, 3 * QUERY_CACHE_SIZE):
        call(db, "res.partner", "search", [["id", "=", rid]], order="id")
        assert len(store._queries) <= QUERY_CACHE_SIZE
    assert call(db, "res.partner", "search", [["id", "=", 14]]) == [14]
    assert call(db, "res.partner", "search", [["id", "=", 3 * QUERY_CACHE_SIZE - 1]]) == []


_CACHE_DOMAINS = st.sampled_from(
    [[], [["is_company", "=", True]], [["name", "ilike", "e"]], [["country_id.name", "=", "Belgium"]],
     [["country_id", "=", "France"]], [["parent_id", "!=", False]], [["category_id", "!=", False]],
     ["|", ["active", "=", False], ["color", ">", 3]], [["display_name", "ilike", "a"]]]
)  # fmt: skip
_CACHE_STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("query"), _CACHE_DOMAINS, st.sampled_from([None, "id desc", "name"]),
                  st.integers(0, 10), st.sampled_from([None, 1, 4]),
                  st.sampled_from([ADMIN, PORTAL]), st.booleans()),
        st.tuples(st.just("write"), st.sampled_from([3, 8, 14, 26, 41, 45]),
                  st.fixed_dictionaries({}, optional={
                      "name": st.sampled_from(["Eve", "Bob", "Zed"]),
                      "active": st.booleans(), "is_company": st.booleans(),
                      "country_id": st.sampled_from([False, 20, 75]),
                      "parent_id": st.sampled_from([False, 8, 14]),
                      "color": st.integers(0, 6)})),
        st.tuples(st.just("rename"), st.sampled_from([20, 75]),
                  st.sampled_from(["Belgium", "France", "Elsewhere"])),
        st.tuples(st.just("create"), st.sampled_from(["Eve", "Ann"]), st.sampled_from([20, 75])),
        st.tuples(st.just("unlink"), st.sampled_from([41, 42, 43])),
    ),
    max_size=12,
)  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(steps=_CACHE_STEPS)
def test_cached_and_uncached_databases_agree(steps: list[tuple[Any, ...]]) -> None:
    cached = Database("odoo17", partners=20, seed=1)
    reference = Database("odoo17", partners=20, seed=1)

    def both(model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        reference._store.invalidate()  # the reference never answers from its cache
        results = []
        for db in (cached, reference):
            try:
                results.append(call(db, model, method, *args, **kwargs))
            except Fault as caught:
                results.append((caught.name, caught.message))
        assert results[0] == results[1]
        return results[0]

    for step in steps:
        if step[0] == "query":
            _, domain, order, offset, limit, uid, active_test = step
            context = {"active_test": active_test}
            fields = ["name", "country_id", "child_ids"]
            both("res.partner", "search_read", domain, fields, offset, limit, order,
                 uid=uid, context=context)  # fmt: skip
            both("res.partner", "search_count", domain, uid=uid, context=context)
        elif step[0] == "write":
            both("res.partner", "write", [step[1]], step[2])
        elif step[0] == "rename":
            both("res.country", "write", [step[1]], {"name": step[2]})
        elif step[0] == "create":
            both("res.partner", "create", {"name": step[1], "country_id": step[2]})
        else:
            both("res.partner", "unlink", [step[1]])


# -- reset -------------------------------------------------------------------------------------


def test_reset_and_determinism(db: Database) -> None:
    counts = db.snapshot_counts()
    call(db, "res.partner", "create", {"name": "Temporary"})
    call(db, "res.partner", "unlink", [40])
    call(db, "res.partner", "write", [14], {"name": "Changed"})
    db.reset()
    assert db.snapshot_counts() == counts
    assert names(db, [14, 40]) == ["Azure Interior", "Dwayne Newman"]
    assert call(db, "res.partner", "search", [["name", "=", "Temporary"]]) == []
    same = Database("odoo17", partners=20, seed=1)
    other = Database("odoo17", partners=20, seed=2)
    fields = ["name", "email", "country_id", "category_id"]
    mine = call(db, "res.partner", "read", list(range(41, 61)), fields)
    assert mine == call(same, "res.partner", "read", list(range(41, 61)), fields)
    assert mine != call(other, "res.partner", "read", list(range(41, 61)), fields)
    assert counts["res.partner"] == 60


# -- garbage in ---------------------------------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 50) | st.floats(allow_nan=False)
    | st.sampled_from(["", "name", "id", "=", "in", "ilike", "a", "&", "|", "!", "child_ids",
                       "country_id.code", "state", "amount_total:sum", "desc"]),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(["name", "fields", "limit", "order", "parent_id",
                                       "category_id", "type", "child_ids", "color"]), inner, max_size=3),
    max_leaves=10,
)  # fmt: skip
_KWARGS = st.dictionaries(
    st.sampled_from(["fields", "limit", "offset", "order", "context", "load", "lazy", "orderby",
                     "attributes", "allfields", "raise_exception", "operator", "name", "groupby"]),
    _JSON,
    max_size=3,
)  # fmt: skip
_GARBAGE_DB = Database("garbage", partners=10)


def _state(db: Database) -> Any:
    everything = {"context": {"active_test": False}}
    return db.snapshot_counts(), db.execute_kw(
        ADMIN, "res.partner", "search_read", [[]], everything
    )


@settings(max_examples=200, deadline=None)
@given(
    uid=st.sampled_from([ADMIN, DEMO, PORTAL]),
    model=st.sampled_from(["res.partner", "res.users", "account.move", "res.partner.category"]),
    method=st.sampled_from(["search", "search_count", "search_read", "read", "create", "write",
                            "unlink", "exists", "fields_get", "name_search", "read_group",
                            "check_access_rights", "default_get"]),
    args=st.lists(_JSON, max_size=4),
    kwargs=_KWARGS,
)  # fmt: skip
def test_any_arguments_give_a_result_or_a_fault(
    uid: int, model: str, method: str, args: list[Any], kwargs: dict[str, Any]
) -> None:
    db = _GARBAGE_DB
    before = _state(db)
    failure: Fault | None = None
    try:
        db.execute_kw(uid, model, method, args, kwargs)
    except Fault as caught:
        failure = caught
    if failure is not None:
        assert failure.name
        assert _state(db) == before  # a failed call changes nothing


# -- demo dates ------------------------------------------------------------------------------


def _timestamps(store: Store) -> list[str]:
    return [
        row[fname]
        for table in store.tables.values()
        for row in table.values()
        for fname in ("create_date", "write_date")
        if row.get(fname)
    ]


def test_demo_dates_are_as_captured_once_the_capture_date_is_past() -> None:
    store = Store()
    build(store, partners=5, seed=0, today=datetime(2026, 12, 1, tzinfo=timezone.utc))
    assert store.tables["res.partner"][14]["create_date"] == "2026-11-22 18:58:57"
    assert store.tables["account.move"][10]["name"] == "RBILL/2026/11/0001"


@pytest.mark.parametrize(
    "today",
    [
        datetime(2025, 3, 1, tzinfo=timezone.utc),
        datetime(2026, 11, 22, 18, 59, tzinfo=timezone.utc),  # in the middle of the capture
        datetime(2024, 2, 29, tzinfo=timezone.utc),
    ],
)
def test_demo_records_are_never_created_in_the_future(today: datetime) -> None:
    """On a machine whose clock is before the capture, the demo data moves back whole
    years, so that no record was created or written after now."""
    store = Store()
    build(store, partners=50, seed=0, today=today)
    now = today.strftime("%Y-%m-%d %H:%M:%S")
    assert max(_timestamps(store)) <= now
    azure = store.tables["res.partner"][14]
    years = 2026 - int(azure["create_date"][:4])
    assert azure["create_date"] == f"{2026 - years}-11-22 18:58:57"
    refund = store.tables["account.move"][10]  # dates and names move together
    assert refund["invoice_date"] == f"{2026 - years}-11-01"
    assert refund["name"] == f"RBILL/{2026 - years}/11/0001"
    event = store.tables["calendar.event"][5]
    assert event["start"] == f"{2026 - years}-11-22 00:00:00"
    assert event["start_date"] == f"{2026 - years}-11-22"


def test_a_database_built_now_has_no_record_from_the_future() -> None:
    db = Database("odoo17", partners=20)
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    assert max(_timestamps(db._store)) <= now


def test_moved_back_journal_items_keep_their_entry_names() -> None:
    store = Store()
    build(store, partners=0, seed=0, today=datetime(2025, 6, 1, tzinfo=timezone.utc))
    moves = store.tables["account.move"]
    for line in store.tables["account.move.line"].values():
        assert line["move_name"] == moves[line["move_id"]]["name"]
        assert "2026" not in line["move_name"]


@pytest.mark.parametrize("order", ["id", "id asc", "id  DESC", "id desc"])
def test_id_orders_sort_without_rows_as_the_general_sort_does(db: Database, order: str) -> None:
    store = db._store
    domain = [["is_company", "=", False]]
    fast = store.search_ids("res.partner", domain, order)
    rows = store.filter("res.partner", domain)
    assert fast == [row["id"] for row in store.sort("res.partner", rows, order)]
    with pytest.raises(Fault, match="Invalid"):
        store.search_ids("res.partner", domain, "ID desc")  # field names are case-sensitive
