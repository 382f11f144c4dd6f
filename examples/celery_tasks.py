"""Celery tasks that write to Odoo: one blocking client per worker process.

Start a worker with your broker (``celery -A examples.celery_tasks worker``) and
``ODOO_URL``, ``ODOO_DB``, ``ODOO_USERNAME`` and ``ODOO_API_KEY`` set. The client
is made once, at import: Celery's prefork pool forks the worker after that, and
each child makes its own connections at its first call (a client is safe to
carry across ``os.fork()``).
"""

from __future__ import annotations

import os

from celery import Celery

from odoo_async import Odoo

app = Celery("odoo_tasks", broker=os.environ.get("CELERY_BROKER_URL", "memory://"))

_odoo: Odoo | None = None


def odoo() -> Odoo:
    """The worker's client, made at the first task (or set by tests)."""
    global _odoo
    if _odoo is None:
        _odoo = Odoo.from_env()
    return _odoo


def use(client: Odoo) -> None:
    """Use ``client`` for the tasks (tests give one on the test double)."""
    global _odoo
    _odoo = client


@app.task(bind=True, max_retries=3, default_retry_delay=10)
def upsert_contact(self: object, ref: str, name: str, email: str | None = None) -> int:
    """Create or update the contact whose reference is ``ref``; its id."""
    partners = odoo().model("res.partner")
    found = partners.search([("ref", "=", ref)], limit=1)
    values = {"name": name, "email": email or False}
    if found:
        partners.write(found, values)
        return found[0]
    return partners.create({"ref": ref, **values})
