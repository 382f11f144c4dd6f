"""A FastAPI app that reads Odoo: one AsyncOdoo for the app's lifetime, opened in its lifespan.

Run it against your Odoo (``uvicorn --factory examples.fastapi_app:create_app``) with ``ODOO_URL``,
``ODOO_DB``, ``ODOO_USERNAME`` and ``ODOO_API_KEY`` (or ``ODOO_PASSWORD``) set.
Every request awaits the same client: one connection pool, one login, and the
``get()``\\ s of requests that arrive together read in one ``read``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException, Request

from odoo_async import AsyncOdoo, MissingError


def create_app(connect: Callable[[], AsyncOdoo] = AsyncOdoo.from_env) -> FastAPI:
    """The app; ``connect()`` makes its client (from the environment by default)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with connect() as odoo:  # opened in the app's event loop
            app.state.odoo = odoo
            yield  # the app serves requests; the client is closed when it stops

    app = FastAPI(lifespan=lifespan)

    @app.get("/partners/{partner_id}")
    async def partner(partner_id: int, request: Request) -> dict[str, Any]:
        odoo: AsyncOdoo = request.app.state.odoo
        try:  # get()s of concurrent requests share reads
            row: dict[str, Any] = await odoo.model("res.partner").get(partner_id, ["name", "email"])
        except MissingError:
            raise HTTPException(404, f"no partner {partner_id}") from None
        return row

    @app.get("/companies")
    async def companies(request: Request, lang: str = "en_US") -> dict[str, Any]:
        odoo: AsyncOdoo = request.app.state.odoo
        partners = odoo.with_context(lang=lang).model("res.partner")  # a view: costs nothing
        rows = await partners.search_read([("is_company", "=", True)], ["name"], order="name")
        return {"companies": [row["name"] for row in rows]}

    return app
