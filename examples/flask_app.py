"""A Flask app that reads Odoo: one blocking client for the whole app, shared by its threads.

Run it against your Odoo (``flask --app examples/flask_app run``) with ``ODOO_URL``,
``ODOO_DB``, ``ODOO_USERNAME`` and ``ODOO_API_KEY`` (or ``ODOO_PASSWORD``) set.
Every request thread calls the same :class:`odoo_async.Odoo`: its calls share one
connection pool and one login, ``max_concurrency`` holds across the threads, and
``get()``\\ s of requests that arrive together are read in one ``read``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, abort

from odoo_async import MissingError, Odoo, Record


class Partner(Record, model="res.partner"):
    name: str
    email: str | None = None


def create_app(odoo: Odoo | None = None) -> Flask:
    """The app; ``odoo`` defaults to a client configured from the environment."""
    app = Flask(__name__)
    client = odoo if odoo is not None else Odoo.from_env()
    partners = client.model(Partner)

    @app.get("/partners/<int:partner_id>")
    def partner(partner_id: int) -> dict[str, Any]:
        try:
            found = partners.get(partner_id)
        except MissingError:
            abort(404)
        return {"id": found.id, "name": found.name, "email": found.email}

    @app.get("/companies")
    def companies() -> dict[str, Any]:
        rows = client.model("res.partner").search_read(
            [("is_company", "=", True)], ["name"], limit=20, order="name"
        )
        return {"companies": [row["name"] for row in rows]}

    return app
