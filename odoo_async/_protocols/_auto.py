"""``protocol="auto"``: JSON-2 on Odoo 19+ when an API key is given, else JSON-RPC.

The choice is made once, at the login: with an API key, ``GET /web/version``
(which only Odoo 19+ answers) tells the version; on 19 or later JSON-2 is
tried, and a server whose JSON-2 API is switched off (an HTML 404 for
``/json/2``) falls back to ``/jsonrpc``. With a password, or on an older
server, it is JSON-RPC. After the choice :attr:`name` is the chosen
protocol's name (``AsyncOdoo.protocol`` shows it), and every call goes to it.
"""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import msgspec

from odoo_async._errors import HTTPStatusError, ProtocolError
from odoo_async._transports._session import HTTPSession

from ._base import Credentials, WireProtocol, parse_server_version
from ._json2 import JSON2_SINCE, Json2Protocol
from ._jsonrpc import JsonRpcProtocol

__all__ = ["JSON2_SINCE", "AutoProtocol"]


class AutoProtocol(WireProtocol):
    """Chooses JSON-2 or JSON-RPC at the first login; then behaves as the chosen one."""

    def __init__(self) -> None:
        self.name = "auto"
        #: The protocol chosen, once the client has logged in.
        self.chosen: WireProtocol | None = None
        self._lock: anyio.Lock | None = None
        self._web_version: msgspec.Raw | None = None
        self._probed = False

    async def _probe(self, http: HTTPSession, timeout: httpx.Timeout | None) -> msgspec.Raw | None:
        """``GET /web/version`` (Odoo 19+), once; ``None`` when the server does not have it."""
        if not self._probed:
            try:
                self._web_version = await Json2Protocol().version(http, timeout=timeout)
            except (HTTPStatusError, ProtocolError):
                self._web_version = None
            self._probed = True
        return self._web_version

    async def version(self, http: HTTPSession, *, timeout: httpx.Timeout | None) -> msgspec.Raw:
        if self.chosen is not None:
            return await self.chosen.version(http, timeout=timeout)
        raw = await self._probe(http, timeout)
        if raw is not None:
            return raw
        return await JsonRpcProtocol().version(http, timeout=timeout)

    async def authenticate(
        self, http: HTTPSession, credentials: Credentials, *, timeout: httpx.Timeout | None
    ) -> int | None:
        if self.chosen is not None:
            return await self.chosen.authenticate(http, credentials, timeout=timeout)
        if self._lock is None:
            self._lock = anyio.Lock()
        async with self._lock:
            chosen = self._current()  # another login may have chosen while this one waited
            if chosen is None:
                uid, chosen = await self._pick(http, credentials, timeout)
                self.chosen = chosen
                self.name = chosen.name
                return uid
        return await chosen.authenticate(http, credentials, timeout=timeout)

    def _current(self) -> WireProtocol | None:
        return self.chosen

    async def _pick(
        self, http: HTTPSession, credentials: Credentials, timeout: httpx.Timeout | None
    ) -> tuple[int | None, WireProtocol]:
        if credentials.kind == "api_key":
            raw = await self._probe(http, timeout)
            info = msgspec.json.decode(raw) if raw is not None else {}
            version = parse_server_version(info) if isinstance(info, dict) else ()
            major = version[0] if version else 0
            if major >= JSON2_SINCE:
                json2 = Json2Protocol()
                try:
                    return await json2.authenticate(http, credentials, timeout=timeout), json2
                except HTTPStatusError as exc:
                    if exc.status_code != 404:  # 404: JSON-2 is switched off on this server
                        raise
        jsonrpc = JsonRpcProtocol()
        return await jsonrpc.authenticate(http, credentials, timeout=timeout), jsonrpc

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
        if self.chosen is None:  # the client logs in before any call; this is a fallback
            await self.authenticate(http, credentials, timeout=timeout)
        assert self.chosen is not None
        return await self.chosen.execute_kw(
            http, credentials, uid, model, method, args, kwargs, timeout=timeout
        )
