"""``proxy=`` and the environment's proxies, through a real forward proxy on loopback.

The double is served over TCP; the client is given a :class:`~forward_proxy.Door`
to it (a relay counting connections) and the proxy is routed past the door, so
``door.connections == 0`` says nothing went direct, and the proxy's counters say
what went through it. Every transport, every protocol, plain HTTP (the proxy
forwards each request) and HTTPS (a ``CONNECT`` tunnel to a TLS front).
"""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from forward_proxy import Site, serve_site

from odoo_async import (
    AsyncOdoo,
    ConnectError,
    Odoo,
    ProxyAuthenticationError,
    ProxyError,
    RetryPolicy,
)
from odoo_async._transports import TRANSPORTS
from odoo_async.testing import FakeOdoo

#: protocol -> the Odoo version of the double that has it
VERSIONS = {"jsonrpc": "17.0", "xmlrpc": "17.0", "web": "17.0", "json2": "19.0"}
KEYS = {2: "admin-key"}


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    async for served in serve_site(FakeOdoo()):
        yield served


def client(site: Site, protocol: str = "jsonrpc", **options: Any) -> AsyncOdoo:
    secret = {"api_key": "admin-key"} if protocol == "json2" else {"password": "admin"}
    options.setdefault("retry", RetryPolicy.NONE)
    return AsyncOdoo(
        site.url,
        db="odoo",
        username="admin",
        protocol=protocol,
        verify=site.verify,
        **secret,
        **options,
    )


async def calls(odoo: AsyncOdoo) -> int:
    """A few calls (login included); the number of partners."""
    partners = odoo.model("res.partner")
    await partners.search_read([], ["name"], limit=3)
    return await partners.search_count([])


# -- every transport, every protocol -----------------------------------------------


@pytest.mark.parametrize("protocol", list(VERSIONS))
@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
async def test_every_request_goes_through_the_proxy(
    transport: str, protocol: str, tls: bool, certificate: tuple[Path, Path]
) -> None:
    fake = FakeOdoo(version=VERSIONS[protocol], api_keys=KEYS)
    async for site in serve_site(fake, certificate=certificate if tls else None):
        async with client(site, protocol, transport=transport, proxy=site.proxy.url) as odoo:
            assert await calls(odoo) > 0
            sent = odoo.stats.requests
        assert site.door.connections == 0  # nothing direct
        if tls:
            assert site.proxy.tunnels >= 1
            assert site.proxy.requests == 0
            assert site.proxy.targets[0] == f"127.0.0.1:{site.door.port}"
        else:
            assert site.proxy.requests == sent > 0
            assert site.proxy.tunnels == 0
            assert site.proxy.targets[0].startswith(site.url + "/")


async def test_the_environment_s_proxy_is_used(
    site: Site, transport: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", site.proxy.url)
    async with client(site, transport=transport) as odoo:
        assert await calls(odoo) > 0
        assert repr(odoo).endswith(f"proxy={site.proxy.url!r}>")
    assert site.proxy.requests > 0
    assert site.door.connections == 0


@pytest.mark.parametrize(
    "env",
    [
        {"HTTP_PROXY": "{proxy}", "NO_PROXY": "127.0.0.1"},
        {"http_proxy": "{proxy}", "no_proxy": "localhost,127.0.0.0/8"},
        {"ALL_PROXY": "{proxy}", "NO_PROXY": "*"},
        {"HTTP_PROXY": "{proxy}", "NO_PROXY": "127.0.0.1:{port}"},
    ],
)
async def test_no_proxy_goes_direct(
    site: Site, transport: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    port = str(httpx.URL(site.url).port)
    for name, value in env.items():
        monkeypatch.setenv(name, value.format(proxy=site.proxy.url, port=port))
    async with client(site, transport=transport) as odoo:
        assert await calls(odoo) > 0
    assert site.proxy.requests == site.proxy.tunnels == 0
    assert site.door.connections > 0


async def test_trust_env_false_goes_direct(
    site: Site, transport: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", site.proxy.url)
    monkeypatch.setenv("ALL_PROXY", site.proxy.url)
    async with client(site, transport=transport, trust_env=False) as odoo:
        assert await calls(odoo) > 0
        assert "proxy" not in repr(odoo)
    assert site.proxy.requests == site.proxy.tunnels == 0
    assert site.door.connections > 0


# -- credentials -----------------------------------------------------------------------

USER, PASSWORD = "squid-user", "pr0xy-s3cret"
TOKEN = "c3F1aWQtdXNlcjpwcjB4eS1zM2NyZXQ="  # base64 of USER:PASSWORD


@pytest.fixture
async def guarded() -> AsyncIterator[Site]:
    async for served in serve_site(FakeOdoo(), credentials=(USER, PASSWORD)):
        yield served


def with_login(proxy_url: str, user: str = USER, password: str = PASSWORD) -> str:
    return proxy_url.replace("http://", f"http://{user}:{password}@")


async def test_credentials_are_sent_as_proxy_authorization(guarded: Site, transport: str) -> None:
    proxy = with_login(guarded.proxy.url)
    async with client(guarded, transport=transport, proxy=proxy) as odoo:
        assert await calls(odoo) > 0
        assert PASSWORD not in repr(odoo)
    assert guarded.proxy.refused == 0
    assert guarded.proxy.requests > 0
    assert set(guarded.proxy.authorizations) == {f"Basic {TOKEN}"}


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
async def test_a_407_is_a_proxy_authentication_error_without_the_credentials(
    transport: str, tls: bool, certificate: tuple[Path, Path]
) -> None:
    fake = FakeOdoo()
    async for site in serve_site(
        fake, credentials=(USER, "another"), certificate=certificate if tls else None
    ):
        proxy = with_login(site.proxy.url)
        retries = RetryPolicy()  # on: a 407 is still never retried
        with pytest.raises(ProxyAuthenticationError) as caught:
            async with client(site, transport=transport, proxy=proxy, retry=retries) as odoo:
                await calls(odoo)
        error = caught.value
        assert f"the proxy {site.proxy.url} (from proxy=) refused the credentials" in str(error)
        assert error.proxy == site.proxy.url
        assert isinstance(error, ProxyError)
        assert site.proxy.refused == 1  # never retried, even with retries on
        assert site.door.connections == 0
        for text in (str(error), repr(error), str(error.__cause__), repr(error.__cause__)):
            assert PASSWORD not in text
            assert TOKEN not in text


async def test_a_407_without_credentials_says_to_give_them(guarded: Site, transport: str) -> None:
    with pytest.raises(ProxyAuthenticationError, match="wants credentials and none were given"):
        async with client(guarded, transport=transport, proxy=guarded.proxy.url) as odoo:
            await calls(odoo)


async def test_an_unreachable_proxy_names_the_proxy(
    site: Site, transport: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    await site.proxy.aclose()  # its port is closed now
    monkeypatch.setenv("HTTP_PROXY", with_login(site.proxy.url))
    with pytest.raises(ProxyError) as caught:
        async with client(site, transport=transport) as odoo:
            await calls(odoo)
    message = str(caught.value)
    assert message.startswith(f"cannot reach the proxy {site.proxy.url} (from HTTP_PROXY): ")
    assert isinstance(caught.value, ConnectError)
    assert PASSWORD not in message
    assert site.door.connections == 0


# -- the blocking face ---------------------------------------------------------------


async def test_the_blocking_client_takes_proxy_and_trust_env(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # port 9: nobody there

    def blocking() -> None:
        login = {"db": "odoo", "username": "admin", "password": "admin"}
        with Odoo(site.url, proxy=site.proxy.url, **login) as odoo:
            assert odoo.model("res.partner").search_count([]) > 0
        with Odoo(site.url, trust_env=False, **login) as odoo:
            assert odoo.model("res.partner").search_count([]) > 0

    await asyncio.to_thread(blocking)  # the proxy runs on this loop meanwhile
    assert site.proxy.requests > 0
    assert site.door.connections > 0


def formatted(error: BaseException) -> str:
    """As an error reporter prints it: every frame's locals, causes included."""
    exc = traceback.TracebackException.from_exception(error, capture_locals=True)
    return "".join(exc.format())


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
async def test_no_traceback_local_shows_the_credentials(
    transport: str, tls: bool, certificate: tuple[Path, Path]
) -> None:
    fake = FakeOdoo()
    async for site in serve_site(
        fake, credentials=(USER, "another"), certificate=certificate if tls else None
    ):
        with pytest.raises(ProxyAuthenticationError) as caught:
            async with client(site, transport=transport, proxy=with_login(site.proxy.url)) as odoo:
                await calls(odoo)
        text = formatted(caught.value)
        assert "ProxyAuthenticationError" in text
        assert PASSWORD not in text
        assert TOKEN not in text


async def test_https_to_a_plain_port_through_the_proxy_never_probes_directly(
    site: Site, transport: str
) -> None:
    plain = site.url.replace("http://", "https://")
    with pytest.raises(ConnectError) as caught:
        async with AsyncOdoo(
            plain,
            db="odoo",
            username="admin",
            password="admin",
            transport=transport,
            proxy=site.proxy.url,
            retry=RetryPolicy.NONE,
        ) as odoo:
            await calls(odoo)
    assert not isinstance(caught.value, ProxyError)  # the server's TLS, not the proxy
    assert site.proxy.tunnels == 1
    assert site.door.connections == 0  # no HEAD probe around the proxy
    assert f"answers in plain HTTP, not TLS: use {site.url!r}" in str(caught.value)


async def test_a_tunnel_the_proxy_cannot_open_names_the_proxy(
    site: Site, transport: str, certificate: tuple[Path, Path]
) -> None:
    await site.door.aclose()
    site.proxy.routes.clear()  # to the door's port, closed now
    url = site.url.replace("http://", "https://")
    with pytest.raises(ProxyError) as caught:
        async with AsyncOdoo(
            url,
            db="odoo",
            username="admin",
            password="admin",
            transport=transport,
            proxy=site.proxy.url,
            verify=str(certificate[0]),
            retry=RetryPolicy.NONE,
        ) as odoo:
            await calls(odoo)
    port = httpx.URL(url).port
    assert str(caught.value).startswith(
        f"the proxy {site.proxy.url} (from proxy=) would not open a tunnel to "
        f"127.0.0.1:{port}: 502 Bad Gateway"
    )
