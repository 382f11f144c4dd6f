"""pytest fixtures for the Odoo test double (registered as the ``odoo_async`` plugin).

- ``fake_odoo``: a fresh :class:`~odoo_async.testing.FakeOdoo` for each test;
- ``fake_odoo_url``: that double served over loopback TCP; the value is its base URL;
- ``fake_odoo_url_blocking``: the same for blocking tests (a plain fixture, whether or
  not pytest-asyncio is installed), for the blocking client :class:`odoo_async.Odoo`.

``fake_odoo_url`` is an async fixture when pytest-asyncio is installed (it works with
``asyncio_mode = "auto"`` and in strict mode); without pytest-asyncio it is a plain
fixture that starts and stops the server thread itself. Override ``fake_odoo`` in a
``conftest.py`` to change the double's options (``partners=``, ``latency=``...).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from odoo_async.testing import FakeOdoo

__all__ = ["fake_odoo", "fake_odoo_url", "fake_odoo_url_blocking"]


@pytest.fixture
def fake_odoo() -> FakeOdoo:
    """A fresh in-memory Odoo 17 (database ``odoo``, admin/admin, demo/demo, portal/portal)."""
    from odoo_async.testing import FakeOdoo

    return FakeOdoo()


@pytest.fixture
def fake_odoo_url_blocking(fake_odoo: FakeOdoo) -> Iterator[str]:
    """``fake_odoo`` served over loopback TCP (uvicorn in a thread), for blocking tests;
    yields its URL::

        def test_names(fake_odoo_url_blocking):
            with Odoo(fake_odoo_url_blocking, db="odoo", username="admin",
                      password="admin") as odoo:
                assert odoo.model("res.partner").search_count([]) > 0
    """
    from odoo_async.testing._serve import LoopbackServer

    server = LoopbackServer(fake_odoo)
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - exercised only without pytest-asyncio

    @pytest.fixture
    def fake_odoo_url(fake_odoo: FakeOdoo) -> Iterator[str]:
        """``fake_odoo`` served over loopback TCP (uvicorn in a thread); yields its URL."""
        from odoo_async.testing._serve import LoopbackServer

        server = LoopbackServer(fake_odoo)
        server.start()
        try:
            yield server.url
        finally:
            server.stop()

else:

    @pytest_asyncio.fixture
    async def fake_odoo_url(fake_odoo: FakeOdoo) -> AsyncIterator[str]:  # type: ignore[misc]
        """``fake_odoo`` served over loopback TCP (uvicorn in a thread); yields its URL."""
        async with fake_odoo.serve() as url:
            yield url
