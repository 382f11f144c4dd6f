"""API keys made over RPC (``create_api_key``), the deprecation warning for passwords on
Odoo 19+, and JSON-2's fallbacks when ``/doc-bearer`` refuses or a key's scope does.

The flow and the refusals are Odoo 17/18/19's, read in their ``res_users.py`` and
checked by hand on real servers; the double reproduces them (``testing/_apikeys.py``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import pickle
from typing import Any

import httpx
import pytest
import respx

from odoo_async import (
    AccessError,
    ApiKey,
    AsyncOdoo,
    AuthenticationError,
    Odoo,
    ProtocolError,
    UserError,
    ValidationError,
)
from odoo_async._client._apikeys import description_values, next_step
from odoo_async.testing import FakeOdoo

URL = "http://odoo.test"
VERSIONS = ["17.0", "18.0", "19.0"]
PASSWORDS = {"admin": "admin", "demo": "demo", "portal": "portal"}


def connect(fake: FakeOdoo, login: str = "admin", **options: Any) -> AsyncOdoo:
    options.setdefault("password", PASSWORDS[login])
    return AsyncOdoo(URL, db="odoo", username=login, transport=fake.transport(), **options)


# -- the pure steps --------------------------------------------------------------------

IN_TWO_DAYS = dt.datetime(2030, 1, 2, 3, 4, 5)
CET = dt.timezone(dt.timedelta(hours=1))


@pytest.mark.parametrize(
    ("major", "expires", "values"),
    [
        (17, None, {"name": "bot"}),
        (18, None, {"name": "bot", "duration": "-1", "expiration_date": False}),
        (
            19,
            IN_TWO_DAYS,
            {"name": "bot", "duration": "-1", "expiration_date": "2030-01-02 03:04:05"},
        ),
        (
            19,
            IN_TWO_DAYS.replace(tzinfo=CET, microsecond=7),
            {"name": "bot", "duration": "-1", "expiration_date": "2030-01-02 02:04:05"},
        ),
    ],
)
def test_description_values(
    major: int, expires: dt.datetime | None, values: dict[str, Any]
) -> None:
    assert description_values(major, "bot", expires) == values


def test_odoo_17_keys_do_not_expire() -> None:
    with pytest.raises(ValueError, match="Odoo 17's API keys do not expire"):
        description_values(17, "bot", IN_TWO_DAYS)


KEY_ACTION = {
    "type": "ir.actions.act_window",
    "res_model": "res.users.apikeys.show",
    "context": {"default_key": "k" * 40},
}
CHECK_ACTION = {
    "type": "ir.actions.act_window",
    "res_model": "res.users.identitycheck",
    "res_id": 7,
}


@pytest.mark.parametrize(
    ("answer", "step"),
    [(KEY_ACTION, ("key", "k" * 40)), (CHECK_ACTION, ("check", 7))],
)
def test_next_step(answer: Any, step: tuple[str, Any]) -> None:
    assert next_step(answer, model="m", method="make_key") == step


@pytest.mark.parametrize(
    "answer",
    [True, None, {"res_model": "res.users.identitycheck"}, {"context": {"default_key": ""}}],
)
def test_anything_else_is_a_protocol_error(answer: Any) -> None:
    with pytest.raises(ProtocolError, match="neither an API key nor"):
        next_step(answer, model="m", method="make_key")


def test_an_api_key_never_shows_its_key() -> None:
    key = ApiKey(name="bot", key="0123456789abcdef" * 2, login="admin", expires=None)
    assert key.key == "0123456789abcdef" * 2
    for shown in (repr(key), str(key), f"{key}", repr([key])):
        assert "0123456789abcdef" not in shown
        assert "key='***'" in shown
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(key)


# -- against the double ---------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("protocol", ["jsonrpc", "xmlrpc", "web"])
async def test_a_key_is_made_and_works(version: str, protocol: str) -> None:
    fake = FakeOdoo(version=version)
    async with connect(fake, protocol=protocol) as odoo:
        made = await odoo.create_api_key("nightly sync")
    assert made.name == "nightly sync"
    assert made.login == "admin"
    assert made.expires is None
    assert len(made.key) == 40
    async with connect(fake, password=None, api_key=made.key, protocol="auto") as keyed:
        assert await keyed.authenticate() == 2
        assert keyed.protocol == ("json2" if version == "19.0" else "jsonrpc")
    steps = [(c.endpoint, c.model, c.method) for c in fake.calls if c.model and "users." in c.model]
    assert steps == [
        ("/web/dataset/call_kw", "res.users.apikeys.description", "create"),
        ("/web/dataset/call_kw", "res.users.apikeys.description", "make_key"),
        *(
            [("/web/dataset/call_kw", "res.users.identitycheck", "write")]
            if version != "19.0"
            else []
        ),
        ("/web/dataset/call_kw", "res.users.identitycheck", "run_check"),
    ]
    logged = repr([(c.args, c.kwargs) for c in fake.calls])
    assert "'admin'" not in logged.replace("'admin', '***'", "")  # the password is masked


@pytest.mark.parametrize("version", ["18.0", "19.0"])
async def test_an_expiry_is_sent_in_utc(version: str) -> None:
    fake = FakeOdoo(version=version)
    expires = dt.datetime.now(CET).replace(microsecond=0) + dt.timedelta(days=30)
    async with connect(fake, "demo") as odoo:
        made = await odoo.create_api_key("month", expires=expires)
    assert made.expires == expires.astimezone(dt.timezone.utc).replace(tzinfo=None)
    [create] = [c for c in fake.calls if c.method == "create"]
    assert create.args[0]["expiration_date"] == made.expires.strftime("%Y-%m-%d %H:%M:%S")


async def test_odoo_17_refuses_an_expiry_before_any_call() -> None:
    fake = FakeOdoo(version="17.0")
    async with connect(fake) as odoo:
        with pytest.raises(ValueError, match="do not expire"):
            await odoo.create_api_key("x", expires=IN_TWO_DAYS)
    assert not [c for c in fake.calls if c.model and "apikeys" in c.model]


LATER = dt.datetime.now() + dt.timedelta(days=30)


@pytest.mark.parametrize(
    ("version", "login", "expires", "error", "message"),
    [
        ("17.0", "portal", None, AccessError, "Only internal users can create API keys"),
        ("18.0", "demo", None, ValidationError, "The API key must have an expiration date"),
        ("19.0", "demo", None, ValidationError, "The API key must have an expiration date"),
        ("18.0", "portal", LATER, ValidationError, "You cannot exceed 1.0 days."),
        ("19.0", "portal", LATER, ValidationError, "You cannot exceed 1.0 days."),
        ("19.0", "demo", LATER + dt.timedelta(days=90), ValidationError, "exceed 90.0 days"),
    ],
)
async def test_odoo_refusals_come_back_typed(
    version: str, login: str, expires: dt.datetime | None, error: type[Exception], message: str
) -> None:
    async with connect(FakeOdoo(version=version), login) as odoo:
        with pytest.raises(error, match=message):
            await odoo.create_api_key("x", expires=expires)


async def test_a_client_with_an_api_key_cannot_make_one() -> None:
    fake = FakeOdoo(version="19.0", api_keys={2: "k" * 40})
    async with connect(fake, password=None, api_key="k" * 40, protocol="json2") as odoo:
        with pytest.raises(ValueError, match="needs a client made with password="):
            await odoo.create_api_key("x")
    assert fake.calls == []


@pytest.mark.parametrize("version", VERSIONS)
async def test_the_identity_check_is_refused_over_jsonrpc_as_odoo_refuses_it(version: str) -> None:
    async with connect(FakeOdoo(version=version)) as odoo:
        description = await odoo.execute_kw(
            "res.users.apikeys.description", "create", [{"name": "x"}]
        )
        with pytest.raises(UserError, match="This method can only be accessed over HTTP"):
            await odoo.execute_kw("res.users.apikeys.description", "make_key", [[description]])


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_wrong_password_fails_the_identity_check(version: str) -> None:
    fake = FakeOdoo(version=version)
    async with connect(fake, protocol="web") as odoo:
        description = await odoo.execute_kw(
            "res.users.apikeys.description", "create", [{"name": "x"}]
        )
        action = await odoo.execute_kw("res.users.apikeys.description", "make_key", [[description]])
        check = [[action["res_id"]]]
        kwargs: dict[str, Any] = {}
        if version == "19.0":
            kwargs = {"context": {"password": "x"}}
        else:
            await odoo.execute_kw("res.users.identitycheck", "write", [*check, {"password": "x"}])
        with pytest.raises(UserError, match="Incorrect Password"):
            await odoo.execute_kw("res.users.identitycheck", "run_check", check, kwargs)


async def test_a_web_session_checked_once_gets_the_key_at_once() -> None:
    fake = FakeOdoo(version="18.0")
    async with connect(fake, protocol="web") as odoo:
        await odoo.create_api_key("first")  # its own session: not this one's
        ids = [
            await odoo.execute_kw("res.users.apikeys.description", "create", [{"name": n}])
            for n in "ab"
        ]
        action = await odoo.execute_kw("res.users.apikeys.description", "make_key", [ids[:1]])
        await odoo.execute_kw(
            "res.users.identitycheck", "write", [[action["res_id"]], {"password": "admin"}]
        )
        first = await odoo.execute_kw("res.users.identitycheck", "run_check", [[action["res_id"]]])
        second = await odoo.execute_kw("res.users.apikeys.description", "make_key", [ids[1:]])
    assert next_step(first, model="m", method="x")[0] == "key"
    assert next_step(second, model="m", method="x")[0] == "key"


async def test_over_loopback_tcp_and_blocking() -> None:
    fake = FakeOdoo(version="19.0")
    async with (
        fake.serve() as url,
        AsyncOdoo(url, db="odoo", username="admin", password="admin") as odoo,
    ):
        made = await odoo.create_api_key("tcp")
        async with AsyncOdoo(
            url, db="odoo", username="admin", api_key=made.key, protocol="json2"
        ) as keyed:
            assert (await keyed.execute_kw("res.users", "context_get"))["uid"] == 2


def test_the_blocking_client_makes_keys_too() -> None:
    fake = FakeOdoo(version="18.0")
    with Odoo(
        URL, db="odoo", username="admin", password="admin", transport=fake.transport()
    ) as odoo:
        made = odoo.create_api_key("blocking")
    assert len(made.key) == 40


async def test_the_key_reaches_no_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake = FakeOdoo(version="19.0")
    async with connect(fake) as odoo:
        made = await odoo.create_api_key("quiet")
    assert made.key not in caplog.text
    assert "admin" not in "".join(str(c.kwargs) for c in fake.calls if c.method == "run_check")


# -- the deprecation warning --------------------------------------------------------

WARNED = "An API key switches it to JSON-2"


@pytest.mark.parametrize(
    ("version", "protocol", "warned"),
    [
        ("19.0", "jsonrpc", 1),
        ("19.0", "xmlrpc", 1),
        ("19.0", "auto", 1),
        ("19.0", "web", 0),
        ("18.0", "jsonrpc", 0),
        ("17.0", "xmlrpc", 0),
    ],
)
async def test_a_password_on_19_warns_once_per_client(
    version: str, protocol: str, warned: int, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeOdoo(version=version)
    for _ in range(2):  # two clients: once each
        caplog.clear()
        async with connect(fake, protocol=protocol) as odoo:
            await odoo.authenticate()
            await odoo.server_version()
            await odoo.execute_kw("res.partner", "search_count", [[]])
            await odoo.version()
        found = [r for r in caplog.records if WARNED in r.getMessage()]
        assert len(found) == warned
        if warned:
            assert found[0].levelno == logging.WARNING
            assert "deprecates /" in found[0].getMessage()
            assert "admin" not in found[0].getMessage()


async def test_an_api_key_on_19_does_not_warn(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeOdoo(version="19.0", api_keys={2: "k" * 40})
    async with connect(fake, password=None, api_key="k" * 40, protocol="jsonrpc") as odoo:
        await odoo.authenticate()
        await odoo.server_version()
    assert WARNED not in caplog.text


# -- JSON-2 when /doc-bearer refuses, and a key's scope -------------------------------

KEY = "s3cr3t-api-key"


def json2_client() -> AsyncOdoo:
    return AsyncOdoo(
        URL, db="odoo19", username="admin", api_key=KEY, protocol="json2", transport="httpx"
    )


def error(status: int, name: str, message: str) -> httpx.Response:
    body = {"name": name, "message": message, "arguments": [message], "context": {}, "debug": ""}
    return httpx.Response(
        status, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )


NOT_ALLOWED = "This page is only accessible to Technical Documentation users."  # real 19, demo


@pytest.mark.parametrize(
    "refusal",
    [
        error(403, "odoo.exceptions.AccessError", NOT_ALLOWED),  # api_doc's group_allow_doc
        httpx.Response(404, text="<title>404 Not Found</title>"),  # api_doc not installed
        error(404, "werkzeug.exceptions.NotFound", "404 Not Found"),  # the route moved
    ],
)
@respx.mock
async def test_json2_falls_back_to_the_table_when_the_doc_page_is_refused(
    refusal: httpx.Response,
) -> None:
    respx.post(f"{URL}/json/2/res.users/context_get").respond(200, json={"uid": 2})
    doc = respx.get(f"{URL}/doc-bearer/res.partner.json").mock(return_value=refusal)
    read = respx.post(f"{URL}/json/2/res.partner/read").respond(200, json=[{"id": 1}])
    async with json2_client() as odoo:
        assert await odoo.execute_kw("res.partner", "read", [[1], ["name"]]) == [{"id": 1}]
        with pytest.raises(TypeError, match=r"names of 'message_post'.*pass them in kwargs"):
            await odoo.execute_kw("res.partner", "message_post", [[1], "hello"])
    assert json.loads(read.calls[0].request.content) == {"ids": [1], "fields": ["name"]}
    assert doc.call_count == 1


@respx.mock
async def test_a_refusal_by_the_keys_scope_says_so() -> None:
    respx.post(f"{URL}/json/2/res.users/context_get").respond(200, json={"uid": 2})
    respx.post(f"{URL}/json/2/account.move/search").mock(
        return_value=error(
            403, "odoo.exceptions.AccessError", "This API key's scope does not cover account.move"
        )
    )
    async with json2_client() as odoo:
        with pytest.raises(AccessError, match="the API key's scope does not allow it") as refused:
            await odoo.execute_kw("account.move", "search", [], {"domain": []})
    assert refused.value.model == "account.move"
    assert KEY not in str(refused.value)


@respx.mock
async def test_a_refused_key_names_scope_among_the_causes() -> None:
    respx.post(f"{URL}/json/2/res.users/context_get").mock(
        return_value=error(401, "werkzeug.exceptions.Unauthorized", "Invalid apikey")
    )
    async with json2_client() as odoo:
        with pytest.raises(AuthenticationError, match="scope other than RPC"):
            await odoo.authenticate()


# -- no `db` service (gone from RPC in Odoo 20) ---------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("protocol", ["jsonrpc", "xmlrpc", "web", "auto"])
async def test_no_flow_uses_the_db_service(version: str, protocol: str) -> None:
    fake = FakeOdoo(version=version, api_keys={2: "k" * 40})
    async with connect(fake, protocol=protocol) as odoo:
        await odoo.version()
        await odoo.server_version()
        partners = odoo.model("res.partner")
        assert [row async for row in partners.search_read([], ["name"], page_size=20)]
        await odoo.create_api_key("no db service")
    async with connect(fake, password=None, api_key="k" * 40, protocol="auto") as keyed:
        await keyed.server_version()
        assert await keyed.model("res.partner").search_count([])
    assert fake.calls  # the double logged the flow, and no call of it went to `db`
    assert [c for c in fake.calls if c.service == "db"] == []
