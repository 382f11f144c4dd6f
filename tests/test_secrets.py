"""The password or API key never shows in a repr, a message or a traceback's locals.

Error reporters (Sentry's default, ``traceback.TracebackException(...,
capture_locals=True)``) print the ``repr`` of every local of every frame; the
secret is kept in a :class:`Secret` whose ``repr`` is masked, and revealed only
by the encoder that writes the request body.
"""

from __future__ import annotations

import pickle
import traceback
from typing import Any

import httpx
import pytest

from odoo_async import AsyncOdoo, OdooError, RetryPolicy
from odoo_async._secret import Secret
from odoo_async.testing import FakeOdoo

SECRET = "hunter2-S3CRET"


def formatted(error: BaseException) -> str:
    exc = traceback.TracebackException.from_exception(error, capture_locals=True)
    return "".join(exc.format())


def test_secret_is_masked_until_revealed() -> None:
    secret = Secret(SECRET)
    assert SECRET not in repr(secret)
    assert SECRET not in str(secret)
    assert SECRET not in f"{secret}"
    assert SECRET not in repr([secret, {"password": secret}])
    assert secret.reveal() == SECRET
    assert Secret(SECRET) == secret
    with pytest.raises(TypeError, match="pickle"):
        pickle.dumps(secret)


def connect(fake: FakeOdoo, protocol: str, **options: Any) -> AsyncOdoo:
    return AsyncOdoo(
        "http://odoo.test",
        db=fake.db,
        username="admin",
        transport=fake.transport(),
        protocol=protocol,
        retry=RetryPolicy.NONE,
        **options,
    )


@pytest.mark.parametrize(
    ("protocol", "kind"),
    [
        *[(p, k) for p in ("jsonrpc", "xmlrpc", "web") for k in ("password", "api_key")],
        ("json2", "api_key"),
    ],
)
async def test_a_fault_traceback_with_locals_does_not_hold_the_secret(
    protocol: str, kind: str
) -> None:
    fake = FakeOdoo(db="odoo", partners=3, version="19.0" if protocol == "json2" else "17.0")
    fake.add_api_key(2, SECRET)  # Odoo takes an API key wherever it takes a password
    async with connect(fake, protocol, **{kind: SECRET}) as odoo:
        with pytest.raises(OdooError) as info:
            await odoo.execute_kw("res.partner", "no_such_method", [], {"domain": []})
        assert SECRET not in formatted(info.value)
        assert SECRET not in repr(odoo)


@pytest.mark.parametrize("protocol", ["jsonrpc", "xmlrpc", "web"])
async def test_a_refused_login_traceback_does_not_hold_the_secret(protocol: str) -> None:
    fake = FakeOdoo(db="odoo", partners=3)
    async with connect(fake, protocol, password=SECRET) as odoo:
        with pytest.raises(OdooError) as info:
            await odoo.execute_kw("res.partner", "search", [[]])
        assert SECRET not in formatted(info.value)


@pytest.mark.parametrize("protocol", ["jsonrpc", "xmlrpc", "web", "json2"])
async def test_a_connect_error_traceback_does_not_hold_the_secret(protocol: str) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    odoo = AsyncOdoo(
        "http://odoo.test",
        db="odoo",
        username="admin",
        api_key=SECRET,
        transport=httpx.MockTransport(refuse),
        protocol=protocol,
        retry=RetryPolicy.NONE,
    )
    async with odoo:
        with pytest.raises(OdooError) as info:
            await odoo.execute_kw("res.partner", "search", [[]])
        assert SECRET not in formatted(info.value)
        assert SECRET not in str(info.value)
