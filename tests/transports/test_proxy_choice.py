"""Which proxy a client goes through (``_proxy``): pure, table-tested, no event loop."""

from __future__ import annotations

import httpx
import pytest

from odoo_async import AsyncOdoo
from odoo_async._transports._proxy import bypasses, choose_proxy, parse_proxy

P = "http://proxy:3128"
Q = "http://other:8080"


@pytest.mark.parametrize(
    ("url", "env", "chosen", "source"),
    [
        ("http://odoo:8069", {}, None, None),
        ("http://odoo:8069", {"HTTP_PROXY": P}, P, "HTTP_PROXY"),
        ("http://odoo:8069", {"http_proxy": P, "HTTP_PROXY": Q}, P, "http_proxy"),
        ("http://odoo:8069", {"HTTPS_PROXY": P}, None, None),
        ("https://odoo", {"HTTPS_PROXY": P, "HTTP_PROXY": Q}, P, "HTTPS_PROXY"),
        ("https://odoo", {"ALL_PROXY": P}, P, "ALL_PROXY"),
        ("https://odoo", {"all_proxy": P, "HTTPS_PROXY": Q}, Q, "HTTPS_PROXY"),
        ("http://odoo", {"HTTP_PROXY": "", "ALL_PROXY": P}, P, "ALL_PROXY"),
        ("http://odoo", {"HTTP_PROXY": "proxy:3128"}, P, "HTTP_PROXY"),
        ("http://odoo", {"HTTP_PROXY": "http://proxy"}, "http://proxy:80", "HTTP_PROXY"),
        # a CGI script: HTTP_PROXY may come from a request header ("httpoxy")
        ("http://odoo", {"HTTP_PROXY": P, "REQUEST_METHOD": "GET"}, None, None),
        ("http://odoo", {"http_proxy": P, "REQUEST_METHOD": "GET"}, P, "http_proxy"),
        # NO_PROXY
        ("http://odoo:8069", {"HTTP_PROXY": P, "NO_PROXY": "odoo"}, None, None),
        ("http://odoo:8069", {"HTTP_PROXY": P, "no_proxy": "*"}, None, None),
        ("http://127.0.0.1:8069", {"HTTP_PROXY": P}, P, "HTTP_PROXY"),  # localhost too
        ("http://localhost:8069", {"HTTP_PROXY": P}, P, "HTTP_PROXY"),
        ("http://localhost:8069", {"HTTP_PROXY": P, "NO_PROXY": "localhost"}, None, None),
    ],
)
def test_the_environment_s_proxy(
    url: str, env: dict[str, str], chosen: str | None, source: str | None
) -> None:
    proxy = choose_proxy(url, proxy=None, trust_env=True, environ=env)
    assert (proxy.url if proxy else None, proxy.source if proxy else None) == (chosen, source)
    assert choose_proxy(url, proxy=None, trust_env=False, environ=env) is None


def test_proxy_given_wins_and_ignores_no_proxy() -> None:
    env = {"HTTP_PROXY": Q, "NO_PROXY": "*"}
    proxy = choose_proxy("http://odoo", proxy=P, trust_env=True, environ=env)
    assert proxy is not None
    assert (proxy.url, proxy.source) == (P, "proxy=")
    assert choose_proxy("http://odoo", proxy=P, trust_env=False, environ=env) is not None


@pytest.mark.parametrize(
    ("no_proxy", "host", "port", "bypassed"),
    [
        ("", "odoo", 80, False),
        ("*", "odoo", 80, True),
        ("odoo", "odoo", 80, True),
        ("ODOO", "odoo", 80, True),
        ("example.com", "erp.example.com", 443, True),
        (".example.com", "erp.example.com", 443, True),
        (".example.com", "example.com", 443, True),
        ("example.com", "badexample.com", 443, False),
        ("erp.example.com", "example.com", 443, False),
        ("a, b ,odoo", "odoo", 80, True),
        ("odoo:8069", "odoo", 8069, True),
        ("odoo:8069", "odoo", 8070, False),
        ("127.0.0.1", "127.0.0.1", 8069, True),
        ("127.0.0.1", "127.0.0.2", 8069, False),
        ("10.0.0.0/8", "10.1.2.3", 80, True),
        ("10.0.0.0/8", "11.1.2.3", 80, False),
        ("10.0.0.0/8", "ten.example", 80, False),
        ("::1", "::1", 80, True),
        ("[::1]:8069", "[::1]", 8069, True),
        ("[::1]:8069", "::1", 80, False),
        ("http://odoo", "odoo", 80, True),
    ],
)
def test_no_proxy(no_proxy: str, host: str, port: int, bypassed: bool) -> None:
    assert bypasses(no_proxy, host, port) is bypassed


def test_credentials_become_a_masked_header() -> None:
    proxy = parse_proxy("http://us%40er:p%3Ass@proxy:3128")
    assert proxy.url == P
    assert proxy.headers == {"Proxy-Authorization": "Basic dXNAZXI6cDpzcw=="}  # us@er:p:ss
    assert "p:ss" not in repr(proxy)
    assert "dXNAZXI" not in repr(proxy)
    assert repr(proxy) == "<Proxy http://proxy:3128 from proxy=, with credentials>"
    assert proxy.password is not None
    assert proxy.password.reveal() == "p:ss"


def test_an_httpx_proxy_is_accepted() -> None:
    proxy = parse_proxy(httpx.Proxy("http://u:s@proxy:3128"))
    assert proxy.url == P
    assert proxy.headers == {"Proxy-Authorization": "Basic dTpz"}
    headers = {"Proxy-Authorization": "Bearer t0ken"}
    assert parse_proxy(httpx.Proxy(P, headers=headers)).headers == headers


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("socks5://u:secret@proxy:1080", r"'socks5://proxy:1080' is not an http:// proxy"),
        ("https://u:secret@proxy:443", r"'https://proxy' is a TLS proxy"),
        ("http://", r"is not an http:// proxy with a host"),
        ("http://u:secret@[::1", r"is not a URL"),
    ],
)
def test_a_bad_proxy_is_refused_without_its_credentials(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        parse_proxy(value)
    assert "secret" not in str(caught.value)


def test_a_bad_proxy_in_the_environment_names_the_variable() -> None:
    env = {"HTTPS_PROXY": "socks5://u:secret@proxy:1080"}
    with pytest.raises(ValueError, match=r"^HTTPS_PROXY must be") as caught:
        choose_proxy("https://odoo", proxy=None, trust_env=True, environ=env)
    assert "secret" not in str(caught.value)


def test_the_client_checks_proxy_and_trust_env() -> None:
    login = {"db": "d", "username": "u", "password": "p"}
    with pytest.raises(TypeError, match=r"^proxy must be .*, got a bytes$"):
        AsyncOdoo("http://odoo", proxy=b"http://u:secret@proxy", **login)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="trust_env"):
        AsyncOdoo("http://odoo", trust_env="no", **login)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="proxy= does not apply to a transport instance"):
        AsyncOdoo("http://odoo", proxy=P, transport=httpx.AsyncHTTPTransport(), **login)
    odoo = AsyncOdoo("http://odoo", proxy="http://u:secret@proxy:3128", **login)
    assert repr(odoo).endswith("proxy='http://proxy:3128'>")
