"""The jobs' tests: a client on each test's ``fake`` (a ``FakeOdoo`` fixture of the module)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from odoo_async import AsyncOdoo
from odoo_async.testing import FakeOdoo


@pytest.fixture
async def odoo(fake: FakeOdoo) -> AsyncIterator[AsyncOdoo]:
    """An ``AsyncOdoo`` on the module's ``fake``, in process."""
    async with AsyncOdoo(
        "http://odoo", db="odoo", username="admin", password="admin", transport=fake.transport()
    ) as client:
        yield client
