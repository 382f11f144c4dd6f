"""The FastAPI example (``examples/fastapi_app.py``), its lifespan included, against the double."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx

from odoo_async import AsyncOdoo
from odoo_async.testing import FakeOdoo

sys.path.insert(0, str(Path(__file__).parents[1] / "examples"))

import fastapi_app


async def test_the_fastapi_app_opens_one_client_in_its_lifespan_and_closes_it() -> None:
    fake = FakeOdoo(partners=30)
    made: list[AsyncOdoo] = []

    def connect() -> AsyncOdoo:
        odoo = AsyncOdoo(
            "http://odoo.test", db=fake.db, username="admin", password="admin",
            transport=fake.transport(),
        )  # fmt: skip
        made.append(odoo)
        return odoo

    app = fastapi_app.create_app(connect)
    # the app's lifespan, as a server runs it; the requests through httpx's ASGI transport
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://app") as web,
    ):
        answer = await web.get("/partners/1")
        assert answer.status_code == 200
        assert answer.json()["name"] == "YourCompany"
        assert (await web.get("/partners/999999")).status_code == 404
        companies = (await web.get("/companies", params={"lang": "en_US"})).json()["companies"]
        assert companies == sorted(companies)
        assert "YourCompany" in companies
    assert len(made) == 1  # one client for every request
    assert made[0].closed
