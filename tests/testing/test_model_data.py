"""External ids in the test double: ``ir.model.data`` as Odoo 17 keeps it."""

from __future__ import annotations

from typing import Any

import pytest

from odoo_async.testing._orm import Database, Fault

ADMIN, DEMO = 2, 6


@pytest.fixture
def db() -> Database:
    return Database("odoo", partners=5)


def call(db: Database, model: str, method: str, *args: Any, uid: int = ADMIN) -> Any:
    return db.execute_kw(uid, model, method, list(args), {})


def test_an_external_id_names_a_record(db: Database) -> None:
    pid = call(db, "res.partner", "create", {"name": "Acme"})
    call(
        db,
        "ir.model.data",
        "create",
        {"module": "crm", "name": "acme", "model": "res.partner", "res_id": pid},
    )
    found = call(
        db,
        "ir.model.data",
        "search_read",
        [["module", "=", "crm"], ["name", "=", "acme"]],
        ["model", "res_id"],
    )
    assert [(r["model"], r["res_id"]) for r in found] == [("res.partner", pid)]


def test_module_and_name_are_unique(db: Database) -> None:
    vals = {"module": "crm", "name": "acme", "model": "res.partner", "res_id": 1}
    call(db, "ir.model.data", "create", vals)
    with pytest.raises(Fault, match="ir_model_data_module_name_uniq_index") as caught:
        call(db, "ir.model.data", "create", dict(vals, res_id=3))
    assert caught.value.name == "odoo.exceptions.ValidationError"


def test_deleting_a_record_deletes_its_external_ids(db: Database) -> None:
    pid = call(db, "res.partner", "create", {"name": "Gone"})
    call(
        db,
        "ir.model.data",
        "create",
        {"module": "x", "name": "gone", "model": "res.partner", "res_id": pid},
    )
    call(db, "res.partner", "unlink", [pid])
    assert call(db, "ir.model.data", "search_count", [["module", "=", "x"]]) == 0


def test_internal_users_read_but_do_not_write_external_ids(db: Database) -> None:
    call(db, "ir.model.data", "search", [], uid=DEMO)
    with pytest.raises(Fault, match="Administration/Settings"):
        call(
            db,
            "ir.model.data",
            "create",
            {"module": "x", "name": "y", "model": "res.partner", "res_id": 1},
            uid=DEMO,
        )
