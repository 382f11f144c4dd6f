"""The client's behaviour against the test double, in-process and over loopback TCP.

The same tests run twice: through ``fake.transport()`` (no sockets) and through
uvicorn on 127.0.0.1 (the ``fake_odoo_url`` fixture of the pytest plugin).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import anyio
import pytest

from odoo_async import (
    AccessDenied,
    AccessError,
    AsyncOdoo,
    AuthenticationError,
    MissingError,
    RetryPolicy,
    RPCError,
    UserError,
    ValidationError,
)
from odoo_async.testing import FakeOdoo

Connect = Callable[..., AsyncOdoo]


@pytest.fixture(params=["in-process", "loopback"])
def connect(request: pytest.FixtureRequest, fake_odoo: FakeOdoo) -> Iterator[Connect]:
    if request.param == "in-process":

        def make(**options: Any) -> AsyncOdoo:
            options.setdefault("password", "admin")
            return AsyncOdoo(
                "http://odoo",
                db="odoo",
                username=options.pop("username", "admin"),
                transport=fake_odoo.transport(),
                retry=RetryPolicy.NONE,
                **options,
            )

        yield make
    else:
        url = request.getfixturevalue("fake_odoo_url")

        def make(**options: Any) -> AsyncOdoo:
            options.setdefault("password", "admin")
            return AsyncOdoo(
                url,
                db="odoo",
                username=options.pop("username", "admin"),
                retry=RetryPolicy.NONE,
                **options,
            )

        yield make


async def test_version_and_authenticate(connect: Connect, fake_odoo: FakeOdoo) -> None:
    async with connect() as odoo:
        info = await odoo.version()
        assert info["server_version"] == "17.0"
        assert await odoo.server_version() == (17, 0, 0)
        assert await odoo.authenticate() == 2
    assert fake_odoo.count(method="authenticate") == 1


async def test_hundred_concurrent_first_calls_log_in_once(
    connect: Connect, fake_odoo: FakeOdoo
) -> None:
    async with connect() as odoo:
        results: list[int] = []

        async def count() -> None:
            results.append(await odoo.execute_kw("res.partner", "search_count", [[]]))

        async with anyio.create_task_group() as tg:
            for _ in range(100):
                tg.start_soon(count)
    assert len(set(results)) == 1
    assert fake_odoo.count(method="authenticate") == 1
    assert fake_odoo.count(method="search_count") == 100


@pytest.mark.parametrize(
    ("login", "password"), [("admin", "Wr0ng-Pa55"), ("nobody", "Pa55-nobody")]
)
async def test_refused_login(connect: Connect, login: str, password: str) -> None:
    async with connect(username=login, password=password) as odoo:
        with pytest.raises(AuthenticationError) as info:
            await odoo.model("res.partner").search_count([])
    assert password not in str(info.value)
    assert repr(login) in str(info.value)


async def test_api_key_in_place_of_the_password(connect: Connect, fake_odoo: FakeOdoo) -> None:
    fake_odoo.add_api_key(2, "0123456789abcdef")
    async with connect(password=None, api_key="0123456789abcdef") as odoo:
        assert await odoo.authenticate() == 2
        assert await odoo.model("res.partner").search_count([]) > 0
    assert all("0123456789abcdef" not in repr(c) for c in fake_odoo.calls)


@pytest.mark.parametrize(
    ("model", "method", "args", "kwargs", "error", "fragment"),
    [
        ("no.such.model", "search", [[]], {}, UserError, "Object no.such.model doesn't exist"),
        (
            "res.partner",
            "no_such_method",
            [],
            {},
            RPCError,
            "'res.partner.no_such_method' does not exist",
        ),
        ("res.partner", "_get_complete_name", [], {}, AccessError, "Private methods"),
        (
            "res.partner",
            "search",
            [[("no_such_field", "=", 1)]],
            {},
            RPCError,
            "Invalid field res.partner.no_such_field",
        ),
        (
            "res.partner",
            "read",
            [[1]],
            {"fields": ["no_such_field"]},
            RPCError,
            "Invalid field 'no_such_field'",
        ),
        (
            "res.partner",
            "write",
            [[999_999], {"name": "x"}],
            {},
            MissingError,
            "Record does not exist",
        ),
        (
            "res.partner",
            "create",
            [{"name": "x", "type": "bogus"}],
            {},
            RPCError,
            "Wrong value for res.partner.type",
        ),
        # (the password "admin" is also a word: Odoo's own sentence keeps it)
        ("res.users", "unlink", [[2]], {}, UserError, "You cannot delete the admin user"),
    ],
)
async def test_faults_are_typed(
    connect: Connect,
    model: str,
    method: str,
    args: list[Any],
    kwargs: dict[str, Any],
    error: type[RPCError],
    fragment: str,
) -> None:
    async with connect() as odoo:
        with pytest.raises(error) as info:
            await odoo.execute_kw(model, method, args, kwargs)
    assert type(info.value) is error
    assert fragment in str(info.value)
    assert f"[{model}.{method}]" in str(info.value)
    assert info.value.debug.startswith("Traceback")


async def test_recursive_parent_is_a_validation_error(connect: Connect) -> None:
    async with connect() as odoo:
        partners = odoo.model("res.partner")
        parent = await partners.create({"name": "Parent"})
        child = await partners.create({"name": "Child", "parent_id": parent})
        with pytest.raises(ValidationError, match="recursive"):
            await partners.write([parent], {"parent_id": child})


@pytest.mark.parametrize(("protocol", "accepted"), [("web", False), ("jsonrpc", True)])
async def test_an_api_key_logs_in_over_rpc_not_over_a_web_session(
    protocol: str, accepted: bool
) -> None:
    """As Odoo 17: an API key stands for the password on RPC logins, never on the
    interactive login that opens a web session."""
    fake = FakeOdoo(api_keys={2: "0123456789abcdef"})
    odoo = AsyncOdoo(
        "http://odoo",
        db="odoo",
        username="admin",
        api_key="0123456789abcdef",
        protocol=protocol,
        transport=fake.transport(),
    )
    async with odoo:
        if accepted:
            assert await odoo.model("res.partner").search_count([]) > 0
        else:
            with pytest.raises(
                AuthenticationError,
                match=r"refused the login 'admin' on database 'odoo' \(Odoo's web session "
                r"login takes a password, never an API key: give password=, or use the key "
                r"with protocol='jsonrpc' or protocol='xmlrpc'\)",
            ):
                await odoo.model("res.partner").search_count([])


async def test_demo_and_portal_users(connect: Connect) -> None:
    async with connect(username="demo", password="demo") as demo:
        with pytest.raises(AccessError, match=r"ir\.config_parameter"):
            await demo.model("ir.config_parameter").search_read([], ["key"])
        with pytest.raises(AccessError, match=r"res\.company"):
            await demo.model("res.company").write([1], {"name": "Nope"})
    async with connect(username="portal", password="portal") as portal:
        with pytest.raises(AccessError):
            await portal.model("res.partner").read([14], ["name"])


async def test_wrong_password_after_login_is_access_denied(
    connect: Connect, fake_odoo: FakeOdoo
) -> None:
    async with connect() as odoo:
        await odoo.authenticate()
        odoo._core.credentials._secret = "changed-password"
        with pytest.raises(AccessDenied) as info:
            await odoo.execute_kw("res.partner", "search_count", [[]])
    assert "changed-password" not in str(info.value)


async def test_with_context_reaches_odoo(connect: Connect, fake_odoo: FakeOdoo) -> None:
    async with connect(context={"lang": "en_US"}) as odoo:
        archived = await odoo.model("res.partner").create({"name": "Old", "active": False})
        visible = await odoo.with_context(active_test=False).model("res.partner").search([])
        assert archived in visible
        assert archived not in await odoo.model("res.partner").search([])
    contexts = [c.kwargs.get("context") for c in fake_odoo.calls if c.method == "search"]
    assert contexts == [{"lang": "en_US", "active_test": False}, {"lang": "en_US"}]


async def test_debug_log_has_one_line_per_call_and_no_secret(
    connect: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="odoo_async")
    async with connect() as odoo:
        await odoo.execute_kw("res.partner", "search_count", [[]])
    lines = [r.getMessage() for r in caplog.records if r.name == "odoo_async"]
    assert any(line.startswith("res.partner.search_count ok") for line in lines), lines
    assert all("admin" not in line.split(" ok ")[0] or "common" in line for line in lines)
    assert not any("'admin'" in line for line in lines)


async def test_web_session_protocol(connect: Connect, fake_odoo: FakeOdoo) -> None:
    async with connect(protocol="web") as odoo:
        assert (await odoo.version())["server_version"] == "17.0"
        rows = await odoo.model("res.partner").search_read(
            [("is_company", "=", True)], ["name"], limit=5
        )
        assert len(rows) == 5
    assert {c.endpoint for c in fake_odoo.calls} >= {"/web/session/authenticate"}
    assert all(c.endpoint.startswith("/web/") for c in fake_odoo.calls)


async def test_web_session_wrong_password_is_a_refused_login(
    connect: Connect, fake_odoo: FakeOdoo
) -> None:
    async with connect(protocol="web", password="Wr0ng-Pa55") as odoo:
        for _ in range(3):
            with pytest.raises(AuthenticationError):
                await odoo.model("res.partner").search_count([])
    assert fake_odoo.count(method="authenticate") == 1
