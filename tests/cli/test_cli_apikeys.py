"""``odoo-async api-key create``: in a subprocess, against the double over loopback TCP."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest

from odoo_async.cli._apikeys import parse_expires
from odoo_async.cli._main import CliError
from odoo_async.testing import FakeOdoo

from .test_cli import Served, _serve, ok

NOW = dt.datetime(2026, 12, 7, 14, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("90d", NOW + dt.timedelta(days=90)),
        (" 1d ", NOW + dt.timedelta(days=1)),
        ("2027-03-01", dt.datetime(2027, 3, 1)),
        ("2027-03-01T12:30", dt.datetime(2027, 3, 1, 12, 30)),
        (
            "2027-03-01T12:30+01:00",
            dt.datetime(2027, 3, 1, 12, 30, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        ),
    ],
)
def test_parse_expires(text: str, when: dt.datetime) -> None:
    assert parse_expires(text, now=NOW) == when


@pytest.mark.parametrize("text", ["0d", "soon", "90 days", "-1d", ""])
def test_parse_expires_refuses(text: str) -> None:
    with pytest.raises(CliError, match="--expires"):
        parse_expires(text, now=NOW)


@pytest.fixture(params=["17.0", "19.0"])
def served(request: pytest.FixtureRequest) -> Iterator[Served]:
    yield from _serve(FakeOdoo(version=request.param))


def test_create_prints_the_key_once_and_it_works(served: Served) -> None:
    result = served.run("api-key", "create", "nightly sync")
    key = ok(result).strip()
    assert len(key) == 40
    assert "shown" not in result.stdout
    assert "'nightly sync' for admin on odoo (expires: never)" in result.stderr
    assert key not in result.stderr
    env = served.env(ODOO_PASSWORD="", ODOO_API_KEY=key, ODOO_PROTOCOL="auto")
    out = ok(served.run("call", "res.users", "context_get", env=env))
    assert json.loads(out)["uid"] == 2


def test_create_json_and_expires(served: Served) -> None:
    result = served.run("api-key", "create", "month", "--expires", "30d", "--json")
    if served.fake.version == "17.0":
        assert result.returncode == 1
        assert "error: Odoo 17's API keys do not expire" in result.stderr
        return
    info = json.loads(ok(result))
    assert info["name"] == "month"
    assert info["login"] == "admin"
    assert len(info["key"]) == 40
    expires = dt.datetime.fromisoformat(info["expires"])
    assert dt.timedelta(days=29) < expires - dt.datetime.now() < dt.timedelta(days=31)


def test_create_refusals_are_one_line(served: Served) -> None:
    bad = served.run("api-key", "create", "x", "--expires", "soon")
    assert bad.returncode == 1
    assert bad.stderr.startswith("error: --expires 'soon'")
    keyed = served.env(ODOO_PASSWORD="", ODOO_API_KEY="k" * 40)
    refused = served.run("api-key", "create", "x", env=keyed)
    assert refused.returncode == 1
    assert "needs a client made with ODOO_PASSWORD" in refused.stderr
    portal = served.env(ODOO_USERNAME="portal", ODOO_PASSWORD="portal")
    denied = served.run("api-key", "create", "x", env=portal)
    assert denied.returncode == 1
    assert denied.stderr.count("\n") == 1
    assert "Only internal users" in denied.stderr or "expiration date" in denied.stderr
