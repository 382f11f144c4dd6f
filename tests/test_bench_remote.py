"""The benchmarks' remote-like front (``benchmarks/_remote.py``) behaves as nginx in front of Odoo."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("trustme")
pytest.importorskip("h11")

from benchmarks._remote import start
from odoo_async import AsyncOdoo
from odoo_async.testing import FakeOdoo


async def test_the_client_keeps_one_connection_while_the_server_closes_each(
    tmp_path: Path,
) -> None:
    """A threaded Odoo closes its connection after each reply; behind the front the client
    never sees it: one TLS connection carries every call, and the replies come through whole."""
    fake = FakeOdoo(partners=300)
    async with fake.serve(keep_alive=False) as url:
        front = await start(url.removeprefix("http://"), 0.0, tmp_path)
        try:
            async with AsyncOdoo(
                front.url,
                db="odoo",
                username="admin",
                password="admin",
                verify=str(tmp_path / "ca.pem"),
            ) as odoo:
                partners = odoo.model("res.partner")
                counts = [await partners.search_count([]) for _ in range(5)]
                rows = await partners.search_read([], ["name"], limit=250)
        finally:
            await front.aclose()
    assert counts == [counts[0]] * 5
    assert counts[0] > 250
    assert len(rows) == 250
    assert fake.connections >= 7  # the login, five counts, the rows: one connection each
    assert front.accepted == 1
