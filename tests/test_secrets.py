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

from odoo_async import AsyncOdoo, OdooError, RetryPolicy, UserError
from odoo_async._errors import fault_to_error, redact, redact_echo
from odoo_async._protocols._xmlrpc import fault_error as xmlrpc_fault_error
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


# -- Odoo's own words are kept; echoed values are masked -------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("You can not remove the admin user", "You can not remove the admin user"),
        ("admin", "***"),
        ("Invalid value 'admin' for field", "Invalid value '***' for field"),
        ('{"args": ["odoo", 2, "admin", "res.users"]}', '{"args": ["odoo", 2, "***", "res.users"]}'),
        ("<value><string>admin</string></value>", "<value><string>***</string></value>"),
        ("?password=admin&db=odoo", "?password=***&db=odoo"),
        ("password=admin used", "password=*** used"),
        ("administrator", "administrator"),
        ("'administrator'", "'administrator'"),
    ],
)  # fmt: skip
def test_redact_echo_masks_a_word_secret_only_where_it_is_echoed(text: str, shown: str) -> None:
    assert redact_echo(text, Secret("admin")) == shown


def test_redact_echo_masks_a_secret_that_is_no_word_everywhere() -> None:
    assert redact_echo(f"bad key {SECRET} here", Secret(SECRET)) == "bad key *** here"
    assert redact_echo("the admin2 user", "admin2") == "the *** user"


def test_redact_masks_every_occurrence() -> None:
    assert redact("the admin user: admin", Secret("admin")) == "the *** user: ***"


@pytest.mark.parametrize("protocol", ["jsonrpc", "xmlrpc", "web"])
async def test_odoo_s_own_words_keep_a_secret_that_is_a_word(protocol: str) -> None:
    fake = FakeOdoo(db="odoo", partners=3)
    async with connect(fake, protocol, password="admin") as odoo:
        with pytest.raises(UserError) as info:
            await odoo.execute_kw("res.users", "unlink", [[2]])
    assert "You cannot delete the admin user" in str(info.value)
    assert "You cannot delete the admin user" in info.value.message


@pytest.mark.parametrize("protocol", ["jsonrpc", "xmlrpc"])
def test_a_request_echoed_in_a_fault_is_masked_everywhere(protocol: str) -> None:
    echoed = f"Traceback ...\nValueError: bad call ['odoo', 2, '{SECRET}', 'res.partner']\n"
    if protocol == "jsonrpc":
        error = fault_to_error(
            {
                "name": "builtins.ValueError",
                "message": f"bad call ['odoo', 2, '{SECRET}', 'res.partner']",
                "arguments": [f"bad call ['odoo', 2, '{SECRET}']", SECRET],
                "debug": echoed + f"password {SECRET} in a local",
            },
            secrets=(Secret(SECRET),),
        )
    else:
        error = xmlrpc_fault_error(1, echoed, secrets=(Secret(SECRET),))
    blob = " ".join(map(str, [error, repr(error), error.message, error.debug, error.arguments]))
    assert SECRET not in blob
    assert "bad call ['odoo', 2, '***'" in error.message
