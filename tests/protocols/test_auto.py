"""``protocol="auto"``: JSON-2 on Odoo 19+ with an API key, JSON-RPC otherwise."""

from __future__ import annotations

from typing import Any

import pytest

from odoo_async import AsyncOdoo, AuthenticationError, RetryPolicy
from odoo_async.testing import FakeOdoo

KEY = "auto-api-key"


def connect(fake: FakeOdoo, **credentials: Any) -> AsyncOdoo:
    return AsyncOdoo(
        "http://odoo.test",
        db=fake.db,
        username="admin",
        transport=fake.transport(),
        protocol="auto",
        retry=RetryPolicy.NONE,
        **credentials,
    )


@pytest.mark.parametrize(
    ("version", "json2", "credentials", "chosen", "endpoint"),
    [
        ("17.0", None, {"api_key": KEY}, "jsonrpc", "/jsonrpc"),
        ("17.0", None, {"password": "admin"}, "jsonrpc", "/jsonrpc"),
        ("19.0", None, {"api_key": KEY}, "json2", "/json/2"),
        ("19.0", None, {"password": "admin"}, "jsonrpc", "/jsonrpc"),
        ("19.0", False, {"api_key": KEY}, "jsonrpc", "/jsonrpc"),  # JSON-2 switched off
    ],
)
async def test_auto_picks_and_says_which(
    version: str, json2: bool | None, credentials: dict[str, str], chosen: str, endpoint: str
) -> None:
    fake = FakeOdoo(version=version, json2=json2, api_keys={2: KEY})
    async with connect(fake, **credentials) as odoo:
        assert odoo.protocol == "auto"  # nothing asked yet
        assert await odoo.execute_kw("res.partner", "search_count", [[]]) > 0
        assert odoo.protocol == chosen
        assert f"protocol={chosen!r}" in repr(odoo)
        assert (await odoo.server_version())[0] == int(version[:2])
        partners = odoo.model("res.partner")
        assert len(await partners.name_search("Azure", limit=3)) == 3
    ormcalls = [c for c in fake.calls if c.model == "res.partner"]
    assert {c.endpoint for c in ormcalls} == {endpoint}


async def test_version_before_login_does_not_choose() -> None:
    fake = FakeOdoo(version="19.0", api_keys={2: KEY})
    async with connect(fake, api_key=KEY) as odoo:
        assert (await odoo.version())["server_version"] == "19.0"
        assert odoo.protocol == "auto"
        await odoo.authenticate()
        assert odoo.protocol == "json2"


async def test_a_refused_key_is_refused_through_the_chosen_protocol() -> None:
    fake = FakeOdoo(version="19.0", api_keys={2: KEY})
    async with connect(fake, api_key="wrong-key") as odoo:
        with pytest.raises(AuthenticationError) as caught:
            await odoo.authenticate()
        assert odoo.protocol == "json2"
        assert "wrong-key" not in str(caught.value)
