"""The web client's protocol: a cookie session and ``/web/dataset/call_kw``.

``POST /web/session/authenticate`` logs in and sets the ``session_id``
cookie; calls go to ``/web/dataset/call_kw/<model>/<method>``. When the
session expires (a code-100 ``SessionExpired`` reply) the protocol logs in
again, once, and replays the call: the expired session ran nothing.

Odoo 17 accepts only passwords here, not API keys (they are for the RPC
endpoints); give ``password=`` to a client that uses this protocol.
"""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import msgspec

from odoo_async._errors import AccessDenied, SessionExpired
from odoo_async._secret import SecretLike
from odoo_async._transports._session import HTTPSession

from ._base import Credentials, WireProtocol, user_id
from ._jsonrpc import decode_reply, encode_request

__all__ = ["WebSessionProtocol"]

_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
_COOKIE = "session_id"


class WebSessionProtocol(WireProtocol):
    """``/web/session/authenticate`` + ``/web/dataset/call_kw``, re-logging in on expiry."""

    name = "web"
    #: Odoo's web session login is interactive: it takes a password, never an API key.
    takes_api_key = False

    def __init__(self) -> None:
        self._session_id: str | None = None
        self._generation = 0
        self._lock: anyio.Lock | None = None
        #: How many times the session was renewed after expiring.
        self.renewals = 0

    @property
    def logged_in(self) -> bool:
        """Whether a login has given this protocol a session."""
        return self._session_id is not None

    def cookie(self) -> dict[str, str]:
        """The ``Cookie`` header of the session, for the web client's ``http`` routes
        (``/report/...``, ``/web/content/...``); empty before the first login."""
        return {} if self._session_id is None else {"Cookie": f"{_COOKIE}={self._session_id}"}

    def _headers(self) -> dict[str, str]:
        if self._session_id is None:
            return _HEADERS
        return {**_HEADERS, "Cookie": f"{_COOKIE}={self._session_id}"}

    async def _post(
        self,
        http: HTTPSession,
        path: str,
        params: dict[str, Any],
        *,
        timeout: httpx.Timeout | None,
        model: str | None,
        method: str,
        secrets: tuple[SecretLike, ...] = (),
    ) -> tuple[msgspec.Raw, httpx.Response]:
        response = await http.post(
            path,
            encode_request(params),
            headers=self._headers(),
            timeout=timeout,
            model=model,
            method=method,
        )
        return decode_reply(response, model=model, method=method, secrets=secrets), response

    async def version(self, http: HTTPSession, *, timeout: httpx.Timeout | None) -> msgspec.Raw:
        raw, _ = await self._post(
            http, "/web/webclient/version_info", {}, timeout=timeout, model=None, method="version"
        )
        return raw

    async def authenticate(
        self, http: HTTPSession, credentials: Credentials, *, timeout: httpx.Timeout | None
    ) -> int | None:
        params = {"db": credentials.db, "login": credentials.login, "password": credentials.secret}
        try:
            raw, response = await self._post(
                http,
                "/web/session/authenticate",
                params,
                timeout=timeout,
                model=None,
                method="authenticate",
                secrets=(credentials.secret,),
            )
        except AccessDenied:
            return None  # a refused login: an AccessDenied fault here, false on /jsonrpc
        info = msgspec.json.decode(raw)
        uid = user_id(info.get("uid") if isinstance(info, dict) else None)
        if uid is None:
            return None
        session_id = response.cookies.get(_COOKIE)
        if session_id:
            self._session_id = session_id
            self._generation += 1
        return uid

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
        params = {"model": model, "method": method, "args": args, "kwargs": kwargs}
        path = f"/web/dataset/call_kw/{model}/{method}"
        generation = self._generation
        secrets = (credentials.secret,)  # the identity check sends the password as an argument
        try:
            raw, _ = await self._post(
                http, path, params, timeout=timeout, model=model, method=method, secrets=secrets
            )
        except SessionExpired:
            await self._renew(http, credentials, generation, timeout=timeout)
            raw, _ = await self._post(
                http, path, params, timeout=timeout, model=model, method=method, secrets=secrets
            )
        return raw

    async def _renew(
        self,
        http: HTTPSession,
        credentials: Credentials,
        generation: int,
        *,
        timeout: httpx.Timeout | None,
    ) -> None:
        """Log in again, once for all the calls that found the same session expired."""
        if self._lock is None:
            self._lock = anyio.Lock()
        async with self._lock:
            if self._generation != generation:
                return  # another call already renewed the session
            uid = await self.authenticate(http, credentials, timeout=timeout)
            if uid is None:
                raise SessionExpired(
                    f"the web session expired and Odoo refused the new login {credentials.login!r} "
                    f"on database {credentials.db!r}",
                    name="odoo.http.SessionExpiredException",
                    code=100,
                )
            self.renewals += 1
