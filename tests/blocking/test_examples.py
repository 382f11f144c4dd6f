"""The examples of blocking code, run against the test double."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from odoo_async import Odoo
from odoo_async.testing import FakeOdoo

sys.path.insert(0, str(Path(__file__).parents[2] / "examples"))

import celery_tasks
import flask_app


@pytest.fixture
def fake() -> FakeOdoo:
    return FakeOdoo(partners=30)


@pytest.fixture
def odoo(fake: FakeOdoo) -> Iterator[Odoo]:
    with Odoo(
        "http://odoo.test",
        db=fake.db,
        username="admin",
        password="admin",
        transport=fake.transport(),
    ) as client:
        yield client


def test_the_flask_app(odoo: Odoo) -> None:
    app = flask_app.create_app(odoo)
    web = app.test_client()
    answer = web.get("/partners/1")
    assert answer.status_code == 200
    assert answer.get_json()["name"] == "YourCompany"
    assert web.get("/partners/999999").status_code == 404
    companies = web.get("/companies").get_json()["companies"]
    assert companies == sorted(companies)
    assert "YourCompany" in companies


def test_the_celery_task(odoo: Odoo) -> None:
    celery_tasks.app.conf.task_always_eager = True
    celery_tasks.use(odoo)
    first = celery_tasks.upsert_contact.delay("EX-1", "Example", "ex@example.com").get()
    again = celery_tasks.upsert_contact.delay("EX-1", "Example Ltd").get()
    assert first == again
    row = odoo.model("res.partner").read([first], ["name", "email", "ref"])[0]
    assert row == {"id": first, "name": "Example Ltd", "email": False, "ref": "EX-1"}
