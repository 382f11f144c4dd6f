"""The same API and the same errors over every protocol, against the test double."""

from __future__ import annotations

from typing import Any

import pytest

from odoo_async import (
    AccessError,
    AsyncOdoo,
    AuthenticationError,
    MissingError,
    RetryPolicy,
    RPCError,
    SessionExpired,
    UserError,
    ValidationError,
)
from odoo_async.testing import FakeOdoo

#: (protocol, Odoo version of the double): every protocol on every version that has it
TARGETS = [
    *(
        (protocol, version)
        for version in ("17.0", "18.0", "19.0")
        for protocol in ("jsonrpc", "xmlrpc", "web")
    ),
    ("json2", "19.0"),
    ("auto", "19.0"),
]
KEYS = {2: "admin-key", 5: "demo-key", 6: "demo-key-17"}


def connect(fake: FakeOdoo, protocol: str, user: str = "admin", **options: Any) -> AsyncOdoo:
    secret = {"api_key": f"{user}-key"} if protocol in ("json2", "auto") else {"password": user}
    secret.update(options.pop("secret", {}))
    return AsyncOdoo(
        "http://odoo.test",
        db="odoo",
        username=user,
        transport=fake.transport(),
        protocol=protocol,
        retry=RetryPolicy.NONE,
        **secret,
        **options,
    )


@pytest.fixture(params=TARGETS, ids=[f"{p}-{v[:2]}" for p, v in TARGETS])
def target(request: pytest.FixtureRequest) -> tuple[str, str]:
    protocol, version = request.param
    return protocol, version


@pytest.fixture
def protocol(target: tuple[str, str]) -> str:
    return target[0]


@pytest.fixture
def fake(target: tuple[str, str]) -> FakeOdoo:
    return FakeOdoo(db="odoo", version=target[1], api_keys=KEYS)


async def test_the_same_errors_over_every_protocol(fake: FakeOdoo, protocol: str) -> None:
    xmlrpc = protocol == "xmlrpc"  # faultCode 2 is every UserError
    async with connect(fake, protocol) as odoo:
        partners = odoo.model("res.partner")
        with pytest.raises(AccessError, match="Private methods"):
            await partners.call("_get_complete_name", [1])
        with pytest.raises(UserError if xmlrpc else MissingError):
            await partners.write([987654], {"name": "gone"})
        parent = await partners.create({"name": "Parent"})
        child = await partners.create({"name": "Child", "parent_id": parent})
        with pytest.raises(UserError if xmlrpc else ValidationError, match="recursive"):
            await partners.write([parent], {"parent_id": child})
        with pytest.raises(RPCError) as caught:
            await partners.search([("no_such_field", "=", 1)])
        assert caught.value.name == "builtins.ValueError"
        assert type(caught.value) is RPCError
        assert caught.value.model == "res.partner"
    async with connect(fake, protocol, "demo") as demo:
        with pytest.raises(AccessError):
            await demo.model("ir.config_parameter").search_read([], ["key"])


async def test_a_refused_login_over_every_protocol(fake: FakeOdoo, protocol: str) -> None:
    wrong = {"api_key": "wrong-secret"} if protocol in ("json2", "auto") else {}
    wrong = wrong or {"password": "wrong-secret"}
    async with connect(fake, protocol, secret=wrong) as odoo:
        with pytest.raises(AuthenticationError) as caught:
            await odoo.model("res.partner").search_count([])
        assert "wrong-secret" not in str(caught.value)
        assert "wrong-secret" not in repr(odoo)


async def test_a_web_session_that_cannot_be_renewed_fails_once() -> None:
    fake = FakeOdoo(db="odoo")
    async with connect(fake, "web") as odoo:
        partners = odoo.model("res.partner")
        await partners.search_count([])
        fake.expire_sessions()
        fake.database._passwords[2] = "changed"  # the re-login is refused
        with pytest.raises(SessionExpired, match="refused the new login"):
            await partners.search_count([])
    logins = [c for c in fake.calls if c.method == "authenticate"]
    assert len(logins) == 2  # the first login and one renewal attempt, no loop


def test_an_unknown_protocol_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="'jsonrpc', 'xmlrpc', 'json2', 'web', 'auto'"):
        AsyncOdoo("http://odoo.test", db="odoo", username="u", password="p", protocol="soap")


async def test_every_protocol_over_loopback_tcp(fake: FakeOdoo, protocol: str) -> None:
    async with fake.serve(keep_alive=False) as url:  # Odoo's bare server closes every reply
        secret = (
            {"api_key": "admin-key"} if protocol in ("json2", "auto") else {"password": "admin"}
        )
        async with AsyncOdoo(url, db="odoo", username="admin", protocol=protocol, **secret) as odoo:
            partners = odoo.model("res.partner")
            total = await partners.search_count([])
            rows = [row async for row in partners.search_read([], ["name"], page_size=20)]
            assert len(rows) == total
            assert len({row["id"] for row in rows}) == total
            assert odoo.protocol == ("json2" if protocol == "auto" else protocol)
