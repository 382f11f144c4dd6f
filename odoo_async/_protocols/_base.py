"""The wire protocol: the one replaceable piece under the client.

A protocol turns the three things a client needs -- ``version``,
``authenticate`` and ``execute_kw`` -- into HTTP requests on an
:class:`~odoo_async._transports._session.HTTPSession` and turns the replies back into JSON
text (``msgspec.Raw``), or raises the error the reply describes. The client
above it owns authentication state, retries, limits and decoding into Python
types; a protocol owns only the shape of the wire.

:class:`~odoo_async._protocols._jsonrpc.JsonRpcProtocol` (``/jsonrpc``) is the default;
the web session (``/web/dataset/call_kw``), XML-RPC and Odoo 19's JSON-2 API
plug in here behind the same interface.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Mapping
from typing import Any

import httpx
import msgspec

from odoo_async._secret import Secret
from odoo_async._transports._session import HTTPSession

__all__ = ["Credentials", "WireProtocol", "parse_server_version", "user_id"]

_NUMBER = re.compile(r"\d+")


class Credentials:
    """Who the client logs in as. The secret is kept out of ``repr``."""

    __slots__ = ("_secret", "db", "kind", "login")

    def __init__(self, *, db: str, login: str, secret: str | Secret, kind: str) -> None:
        self.db = db
        self.login = login
        self.kind = kind  # "password" or "api_key"
        self._secret = Secret(secret) if isinstance(secret, str) else secret

    @property
    def secret(self) -> Secret:
        """The password or key, wrapped: the encoders unwrap it into the request body."""
        return self._secret

    def __repr__(self) -> str:
        return f"Credentials(db={self.db!r}, login={self.login!r}, {self.kind}='***')"


class WireProtocol(abc.ABC):
    """How calls travel to Odoo. Subclasses are stateless or keep their own state."""

    #: A short name used in logs and reprs.
    name: str = "?"

    @abc.abstractmethod
    async def version(self, http: HTTPSession, *, timeout: httpx.Timeout | None) -> msgspec.Raw:
        """The server's version information (no authentication)."""

    @abc.abstractmethod
    async def authenticate(
        self, http: HTTPSession, credentials: Credentials, *, timeout: httpx.Timeout | None
    ) -> int | None:
        """Log in; the user id, or ``None`` when Odoo refused the login."""

    @abc.abstractmethod
    async def execute_kw(
        self,
        http: HTTPSession,
        credentials: Credentials,
        uid: int,
        model: str,
        method: str,
        args: list[Any],
        kwargs: dict[str, Any],
        *,
        timeout: httpx.Timeout | None,
    ) -> msgspec.Raw:
        """Call ``model.method(*args, **kwargs)``; the JSON text of its result."""


def user_id(value: Any) -> int | None:
    """The user id in a login's answer, or ``None`` (Odoo answers ``false`` to a refused login)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def parse_server_version(info: Mapping[str, Any]) -> tuple[int, ...]:
    """``(major, minor, ...)`` from ``common.version()``'s answer.

    Odoo Online reports ``server_version_info`` as ``["saas~19", 2, ...]`` and
    ``server_serie`` as ``"saas~19.2"``; the numbers are read from either.
    """
    numbers: list[int] = []
    for part in info.get("server_version_info") or []:
        if isinstance(part, int) and not isinstance(part, bool):
            numbers.append(part)
        elif isinstance(part, str) and not numbers:
            match = _NUMBER.search(part)
            if match is None:
                break
            numbers.append(int(match.group()))
        else:
            break
    if not numbers:
        text = str(info.get("server_serie") or info.get("server_version") or "")
        numbers = [int(n) for n in _NUMBER.findall(text)[:2]]
    return tuple(numbers)
