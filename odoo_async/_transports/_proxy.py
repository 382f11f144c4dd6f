"""Which HTTP proxy a client goes through, if any: pure, no I/O.

A client talks to one server, so the choice is made once, when the client is
made (:func:`choose_proxy`), and every transport is handed the same answer:
they agree by construction on ``NO_PROXY``, on upper- and lower-case names and
on ``localhost``, where httpx and aiohttp each have rules of their own.

- ``proxy=`` given: it is used for every request (``NO_PROXY`` does not apply,
  as with httpx's ``proxy=``).
- else, with ``trust_env=True``: ``HTTPS_PROXY`` for an ``https://`` server,
  ``HTTP_PROXY`` for an ``http://`` one, else ``ALL_PROXY``; the lower-case
  name wins over the upper-case one, an empty value counts as unset, and
  ``HTTP_PROXY`` in upper case is ignored when ``REQUEST_METHOD`` is set (a
  CGI script, where any client could set it: "httpoxy"), as in
  ``urllib.request``. ``NO_PROXY`` (:func:`bypasses`) then may say to go direct.
  ``localhost`` and ``127.0.0.1`` are not special: as with httpx (0.28 and
  0.29), a proxy in the environment is used for them unless ``NO_PROXY``
  names them.

Only ``http://`` proxies are spoken to (a TLS connection to the server goes
through a ``CONNECT`` tunnel). Credentials in the proxy's URL
(``http://user:secret@proxy:3128``) become a ``Proxy-Authorization: Basic``
header kept in a :class:`~odoo_async._secret.Secret`; :attr:`Proxy.url`, the
form shown in every message and ``repr``, has none.
"""

from __future__ import annotations

import base64
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import unquote

import httpx

from odoo_async._secret import Secret

__all__ = ["Proxy", "ProxyInput", "bypasses", "choose_proxy", "parse_proxy"]

#: What ``proxy=`` accepts.
ProxyInput = str | httpx.URL | httpx.Proxy
ACCEPTED: Final = "an http:// proxy URL (a str, an httpx.URL or an httpx.Proxy) or None"
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


@dataclass(frozen=True, repr=False)
class Proxy:
    """The proxy a client goes through: where it is, and the header that logs in to it."""

    #: ``http://host:port``, without credentials: the form shown in messages.
    url: str
    host: str
    port: int
    #: The ``Proxy-Authorization`` value (``Basic ...``), or ``None``.
    authorization: Secret | None = None
    #: The password, masked in every message (``None`` without one).
    password: Secret | None = None
    #: Where it came from: ``"proxy="`` or the environment variable's name.
    source: str = "proxy="

    def __repr__(self) -> str:
        login = ", with credentials" if self.authorization is not None else ""
        return f"<Proxy {self.url} from {self.source}{login}>"

    @property
    def headers(self) -> dict[str, str]:
        """The headers the proxy is sent (on a ``CONNECT``, or on each forwarded request)."""
        if self.authorization is None:
            return {}
        return {"Proxy-Authorization": self.authorization.reveal()}

    def httpx_proxy(self) -> httpx.Proxy:
        """This proxy for httpx's transport and httpx-aiohttp's (credentials as the header)."""
        return httpx.Proxy(self.url, headers=self.headers)


def _refuse(source: str, shown: str, why: str) -> ValueError:
    return ValueError(f"{source} must be {ACCEPTED}; {shown!r} {why}")


def parse_proxy(value: ProxyInput, *, source: str = "proxy=") -> Proxy:
    """``value`` (a URL, ``host:port``, or an ``httpx.Proxy``) as a :class:`Proxy`.

    A ``ValueError`` names ``source`` and shows the URL without its credentials.
    """
    headers: Mapping[str, str] = {}
    auth: tuple[str, str] | None = None
    if isinstance(value, httpx.Proxy):
        url, auth, headers = value.url, value.auth, value.headers
    else:
        text = str(value).strip()
        if "://" not in text:
            text = "http://" + text  # "proxy:3128", as httpx and curl read it
        try:
            url = httpx.URL(text)
        except httpx.InvalidURL:
            raise _refuse(source, "(not shown)", "is not a URL") from None
        if url.userinfo:
            user, _, password = url.userinfo.decode("ascii").partition(":")
            auth = (unquote(user), unquote(password))
    if url.scheme not in _DEFAULT_PORTS or not url.host:
        shown = str(url.copy_with(username=None, password=None)) if url.host else url.scheme
        raise _refuse(source, shown, "is not an http:// proxy with a host")
    if url.scheme == "https":
        raise _refuse(
            source,
            str(url.copy_with(username=None, password=None)),
            "is a TLS proxy: only http:// proxies are supported "
            "(an https:// server is still reached over TLS, through a CONNECT tunnel)",
        )
    port = url.port or _DEFAULT_PORTS[url.scheme]
    host = url.host
    shown = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    authorization = headers.get("Proxy-Authorization")
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
        authorization = f"Basic {token}"
    return Proxy(
        url=shown,
        host=host,
        port=port,
        authorization=Secret(authorization) if authorization else None,
        password=Secret(auth[1]) if auth is not None and auth[1] else None,
        source=source,
    )


def _env(environ: Mapping[str, str], name: str) -> tuple[str, str] | None:
    """The value of ``name`` (lower case first), and the spelling it came from."""
    for spelling in (name.lower(), name.upper()):
        if spelling == "HTTP_PROXY" and "REQUEST_METHOD" in environ:
            continue
        value = environ.get(spelling, "").strip()
        if value:
            return value, spelling
    return None


def bypasses(no_proxy: str, host: str, port: int) -> bool:
    """Whether ``NO_PROXY``'s value says to reach ``host:port`` directly (curl's rules).

    Comma-separated entries: ``*`` (every host), a name (that host and its
    subdomains: ``example.com`` covers ``erp.example.com``; a leading ``.`` is
    dropped), an IP address, a network (``10.0.0.0/8``), each with an optional
    ``:port``. Case does not matter.
    """
    host = host.strip("[]").lower().rstrip(".")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    for raw in no_proxy.split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry == "*":
            return True
        entry = entry.split("://", 1)[-1]
        name, wanted = entry, None
        if entry.startswith("["):  # [::1]:8069
            name, _, rest = entry[1:].partition("]")
            wanted = rest[1:] if rest.startswith(":") else None
        elif entry.count(":") == 1:
            name, _, wanted = entry.partition(":")
        if wanted is not None and wanted != str(port):
            continue
        name = name.lstrip(".").rstrip(".")
        if address is not None and ("/" in name or _is_ip(name)):
            try:
                if address in ipaddress.ip_network(name, strict=False):
                    return True
            except ValueError:
                continue
        elif host == name or host.endswith("." + name):
            return True
    return False


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def choose_proxy(
    base_url: str,
    *,
    proxy: ProxyInput | None,
    trust_env: bool,
    environ: Mapping[str, str] | None = None,
) -> Proxy | None:
    """The proxy the client for ``base_url`` goes through, or ``None`` to go direct.

    ``environ`` defaults to ``os.environ`` (read only with ``trust_env``).
    """
    if proxy is not None:
        return parse_proxy(proxy)
    if not trust_env:
        return None
    env = os.environ if environ is None else environ
    url = httpx.URL(base_url)
    found = _env(env, f"{url.scheme}_proxy") or _env(env, "all_proxy")
    if found is None:
        return None
    no_proxy = _env(env, "no_proxy")
    port = url.port or _DEFAULT_PORTS.get(url.scheme, 80)
    if no_proxy is not None and bypasses(no_proxy[0], url.host, port):
        return None
    value, name = found
    return parse_proxy(value, source=name)
