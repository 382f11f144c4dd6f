"""``AsyncOdoo``: the client.

One :class:`AsyncOdoo` owns one pooled ``httpx.AsyncClient`` (through
:class:`~odoo_async._transports._session.HTTPSession`), one wire protocol, the login state
and the limits. ``with_context()`` and ``with_options()`` return views that
share all of that and differ only in what they send.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import ssl
from collections.abc import Awaitable, Callable, Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, TypeVar, overload

import anyio
import httpx
import msgspec

from odoo_async._check import (
    check_bool,
    check_callable,
    check_choice,
    check_instance,
    check_int,
    check_mapping,
    check_number,
    check_str,
    check_timeout,
    check_url,
)
from odoo_async._config import BATCH_WINDOW, LIMITS, MAX_CONCURRENCY, TIMEOUT
from odoo_async._errors import (
    AuthenticationError,
    OdooError,
    ProtocolError,
    RPCError,
)
from odoo_async._orm._cache import ClientCaches
from odoo_async._orm._repository import AsyncModel
from odoo_async._protocols import ACCEPTED as PROTOCOLS_ACCEPTED
from odoo_async._protocols import PROTOCOLS, make_protocol
from odoo_async._protocols._base import Credentials, WireProtocol, parse_server_version
from odoo_async._protocols._json2 import JSON2_SINCE
from odoo_async._protocols._websession import WebSessionProtocol
from odoo_async._secret import Secret
from odoo_async._stats import ClientStats
from odoo_async._transports import ACCEPTED as TRANSPORTS_ACCEPTED
from odoo_async._transports import TRANSPORTS
from odoo_async._transports._proxy import ACCEPTED as PROXY_ACCEPTED
from odoo_async._transports._proxy import choose_proxy
from odoo_async._transports._session import HttpxSession
from odoo_async._versions import MOVED, RENAMED, version_hint, with_hint

from ._apikeys import ApiKey, create_api_key
from ._core import Core, Reservation, decoder_for, single_flight
from ._files import AsyncAttachments, fetch_report
from ._limits import Budget, ConcurrencyLimiter, TokenBucket
from ._retry import RetryPolicy, check_retry

if TYPE_CHECKING:
    from odoo_async._orm._records import Record

__all__ = ["DEFAULT_MAX_CONCURRENCY", "AsyncOdoo"]

T = TypeVar("T")
PathOrFile = TypeVar("PathOrFile")
R = TypeVar("R", bound="Record")

logger = logging.getLogger("odoo_async")

#: The protocols Odoo 19 deprecates (it logs a warning on every call to them).
DEPRECATED_ENDPOINTS: Final = {"jsonrpc": "/jsonrpc", "xmlrpc": "/xmlrpc/2"}


#: In-flight calls per client. A stock Odoo 17 (threaded, ``db_maxconn=64``)
#: answers HTTP 500 past about 60 simultaneous requests; 32 stays well below.
DEFAULT_MAX_CONCURRENCY = MAX_CONCURRENCY

_UNSET: Any = object()
_VERIFY = (bool, str, os.PathLike, ssl.SSLContext)


class AsyncOdoo:
    """An asyncio client for one Odoo database, as one user.

    ::

        async with AsyncOdoo("https://acme.odoo.com", db="acme", username="bot",
                             api_key="...") as odoo:
            n = await odoo.execute_kw("res.partner", "search_count", [[]])

    Exactly one of ``password`` and ``api_key`` is given; Odoo accepts an API
    key wherever it accepts a password. Authentication happens on the first
    call that needs it, once, however many tasks call at the same moment.

    ``timeout``, ``limits``, ``http2`` and ``verify`` configure the pooled
    transport ``transport`` names. A transport instance you pass owns its own
    pool, so ``limits``, ``http2`` and ``verify`` do not apply to it. The pool
    is opened on first use (``async with`` or the first call): a transport that
    cannot be made (``http2=True`` with ``"aiohttp"``, a CA bundle path that
    does not exist) fails then, not here. ``max_concurrency``, ``rate_limit``
    and ``budget`` count every HTTP attempt, retries and the login included;
    the local limits are drawn from first, then ``budget``.

    **Parameters:**

    * **url** - The server, an ``http://`` or ``https://`` URL such as
      ``"https://acme.odoo.com"`` (a trailing ``/`` is dropped). A URL that
      carries credentials (``user:password@``) is refused.
    * **db** - The name of the Odoo database (a non-empty string).
    * **username** - The Odoo login (a non-empty string).
    * **password** - *(optional)* The user's password; give it or ``api_key``.
    * **api_key** - *(optional)* An API key of the user, in place of ``password``.
      ``protocol="json2"`` needs one, and ``"auto"`` picks JSON-2 only with one.
    * **context** - *(optional)* A dict with string keys sent as the ``context``
      of every :meth:`execute_kw` call, merged under the call's own (whose keys
      win); not sent with the login. Default: none.
    * **timeout** - *(optional)* Seconds (a number ``>= 0``, for connect, read,
      write and pool alike), an ``httpx.Timeout``, or ``None`` for no limit.
      Default ``httpx.Timeout(120.0, connect=10.0, pool=None)``: 120 s to send or
      read, 10 s to connect, no limit on the wait for a pooled connection. The
      ``pool`` part also bounds the waits for ``budget``.
    * **limits** - *(optional)* An ``httpx.Limits`` for the pool. Default
      ``httpx.Limits(max_connections=32, max_keepalive_connections=32,
      keepalive_expiry=1.0)``: Odoo's prefork workers close idle keep-alive
      sockets after about 2 s. The ``"aiohttp"`` and ``"pooled"`` transports
      read only ``max_connections`` and ``keepalive_expiry``.
    * **http2** - *(optional)* ``True`` to speak HTTP/2, which needs the ``h2``
      package (the ``http2`` extra) and httpx's own pool: the default transport
      then is ``"httpx"``, and ``"aiohttp"`` and ``"pooled"`` refuse it.
      Default ``False``.
    * **verify** - *(optional)* TLS certificate checks: ``True`` (the default:
      check them), ``False`` (don't), the path of a CA bundle file or
      directory, or an ``ssl.SSLContext``.
    * **transport** - *(optional)* The HTTP pool: ``None`` (the default:
      aiohttp's pool through httpx-aiohttp, or httpx's own with ``http2=True``),
      ``"aiohttp"``, ``"httpx"`` (httpx's own pool), ``"pooled"``
      (:class:`PooledTransport`), or an ``httpx.AsyncBaseTransport`` instance,
      used as it is.
    * **proxy** - *(optional)* An HTTP proxy every request goes through, on
      every transport and protocol: an ``http://`` URL (``"http://proxy:3128"``,
      with credentials ``"http://user:secret@proxy:3128"``, sent as
      ``Proxy-Authorization: Basic`` and never shown), or an ``httpx.Proxy``.
      An ``https://`` server is reached through a ``CONNECT`` tunnel. ``NO_PROXY``
      does not apply to it. Not with a transport instance (configure that
      instead). Default ``None``: the environment's, see ``trust_env``.
    * **trust_env** - *(optional)* Without ``proxy``, read the proxy from the
      environment as httpx does: ``HTTPS_PROXY`` (for an ``https://`` URL) or
      ``HTTP_PROXY``, else ``ALL_PROXY``, unless ``NO_PROXY`` names the host
      (lower-case names too; ``localhost`` is not special). Read once, here.
      ``False`` to go direct whatever the environment says. Default ``True``.
    * **headers** - *(optional)* A dict of header names to string values, sent
      with every request on top of ``User-Agent: odoo_async``, which a
      ``"User-Agent"`` key replaces (spelled otherwise, such as
      ``"user-agent"``, both are sent). Default: none.
    * **protocol** - *(optional)* The wire protocol: ``"jsonrpc"`` (``/jsonrpc``,
      the default), ``"xmlrpc"`` (``/xmlrpc/2``), ``"json2"`` (Odoo 19's JSON-2
      API; needs ``api_key``), ``"web"`` (the web client's cookie session,
      renewed when it expires), ``"auto"`` (JSON-2 on Odoo 19+ with an API key,
      else JSON-RPC, chosen at the first login) or any :class:`WireProtocol`.
      :attr:`protocol` names the one in use.
    * **retry** - *(optional)* The :class:`RetryPolicy` of every call. ``None``
      (the default) means ``RetryPolicy()``: 2 retries, after
      ``min(0.5 * 2**n, 8.0)`` seconds shortened by up to 25 % at random, a
      server's ``Retry-After`` honoured up to 60 s. (Here ``None`` is the
      default policy; to :meth:`with_options` and :meth:`execute_kw` it means
      no retries.)
    * **max_concurrency** - *(optional)* HTTP attempts in flight at once, an int
      ``>= 1``, or ``None`` for no cap. Default 32
      (:data:`DEFAULT_MAX_CONCURRENCY`, the default pool's size): a stock
      threaded Odoo 17 (``db_maxconn=64``) answers HTTP 500 past about 60
      simultaneous requests. The wait for a free slot has no time limit.
    * **rate_limit** - *(optional)* HTTP attempts per second, on average (a
      number ``> 0``; a token bucket), or ``None`` (the default) for no limit.
    * **burst** - *(optional)* The most attempts let through at once after a
      quiet spell (a number ``>= 1``). Default: one second's worth,
      ``max(1, rate_limit)``. Ignored without ``rate_limit``.
    * **budget** - *(optional)* A limit shared with other clients and processes,
      a :class:`Budget` such as :class:`odoo_async.redis.RedisBudget`, drawn
      from after the local limits; its wait is bounded by what the local wait
      left of the call's ``pool`` timeout. :meth:`aclose` closes it. Default
      ``None``.
    * **sleep** - *(optional)* An async function taking seconds, awaited between
      a failed attempt and its retry (tests inject a fake one). Default
      ``anyio.sleep``. The waits of ``rate_limit`` do not go through it.
    """

    _core: Core
    _context: dict[str, Any]
    _retry: RetryPolicy
    _timeout: httpx.Timeout | None

    def __init__(
        self,
        url: str,
        *,
        db: str,
        username: str,
        password: str | None = None,
        api_key: str | None = None,
        context: Mapping[str, Any] | None = None,
        timeout: float | httpx.Timeout | None = TIMEOUT,
        limits: httpx.Limits = LIMITS,
        http2: bool = False,
        verify: bool | str | ssl.SSLContext = True,
        transport: httpx.AsyncBaseTransport | str | None = None,
        proxy: str | httpx.URL | httpx.Proxy | None = None,
        trust_env: bool = True,
        headers: Mapping[str, str] | None = None,
        protocol: WireProtocol | str = "jsonrpc",
        retry: RetryPolicy | None = None,
        max_concurrency: int | None = DEFAULT_MAX_CONCURRENCY,
        rate_limit: float | None = None,
        burst: float | None = None,
        budget: Budget | None = None,
        sleep: Callable[[float], Awaitable[Any]] = anyio.sleep,
    ) -> None:
        check_url(url)
        check_str("db", db, accepted="the name of the Odoo database (a non-empty string)")
        check_str("username", username, accepted="the Odoo login (a non-empty string)")
        check_str("password", password, accepted="a string or None", none=True, secret=True)
        check_str("api_key", api_key, accepted="a string or None", none=True, secret=True)
        if (password is None) == (api_key is None):
            raise ValueError("give exactly one of password= and api_key=")
        given = password if password is not None else api_key
        assert given is not None
        secret = Secret(given)
        check_mapping("context", context)
        check_timeout(timeout)
        check_instance("limits", limits, httpx.Limits, "an httpx.Limits")
        check_bool("http2", http2)
        check_instance("verify", verify, _VERIFY, "True, False, a CA bundle path or an SSLContext")
        if isinstance(transport, str):
            check_choice("transport", transport, TRANSPORTS, accepted=TRANSPORTS_ACCEPTED)
        else:
            accepted = TRANSPORTS_ACCEPTED
            check_instance("transport", transport, httpx.AsyncBaseTransport, accepted, none=True)
        if proxy is not None and not isinstance(proxy, (str, httpx.URL, httpx.Proxy)):
            # its type only: a proxy URL may carry a password
            raise TypeError(f"proxy must be {PROXY_ACCEPTED}, got a {type(proxy).__name__}")
        check_bool("trust_env", trust_env)
        if proxy is not None and isinstance(transport, httpx.AsyncBaseTransport):
            raise ValueError(
                "proxy= does not apply to a transport instance: give the proxy to the "
                "transport, or name a transport (transport='httpx', 'aiohttp', 'pooled')"
            )
        route = choose_proxy(url, proxy=proxy, trust_env=trust_env)
        if isinstance(transport, httpx.AsyncBaseTransport):
            route = None  # an instance is used as it is, as for limits and verify
        check_mapping("headers", headers, values=str)
        if isinstance(protocol, str):
            check_choice("protocol", protocol, PROTOCOLS, accepted=PROTOCOLS_ACCEPTED)
        else:
            check_instance("protocol", protocol, WireProtocol, PROTOCOLS_ACCEPTED)
        check_retry(retry)
        check_int("max_concurrency", max_concurrency, minimum=1, none=True)
        check_number("rate_limit", rate_limit, above=True, none=True)
        check_number("burst", burst, minimum=1, none=True)
        check_instance("budget", budget, Budget, "a shared budget such as RedisBudget", none=True)
        check_callable("sleep", sleep, "an async function taking seconds, such as anyio.sleep")
        stats = ClientStats()
        http = HttpxSession(
            url,
            timeout=timeout,
            limits=limits,
            http2=http2,
            verify=verify,
            transport=transport,
            headers=headers,
            stats=stats,
            proxy=route,
        )
        http.secrets = (secret,)
        if route is not None:
            http.secrets += tuple(s for s in (route.password, route.authorization) if s)
        wire = protocol if isinstance(protocol, WireProtocol) else make_protocol(protocol)
        if api_key is None and getattr(wire, "needs_api_key", False):
            raise ValueError(
                f"protocol={wire.name!r} needs api_key=: Odoo's JSON-2 API takes API keys, "
                "not passwords"
            )
        self._core = Core(
            http=http,
            protocol=wire,
            credentials=Credentials(
                db=db,
                login=username,
                secret=secret,
                kind="password" if password is not None else "api_key",
            ),
            limiter=ConcurrencyLimiter(max_concurrency),
            bucket=TokenBucket(rate_limit, burst=burst) if rate_limit else None,
            budget=budget,
            stats=stats,
            sleep=sleep,
        )
        self._context = dict(context or {})
        self._retry = retry if retry is not None else RetryPolicy()
        self._timeout = None

    # -- construction ---------------------------------------------------------

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **options: Any) -> AsyncOdoo:
        """A client configured from environment variables.

        ``ODOO_URL``, ``ODOO_DB`` and ``ODOO_USERNAME`` must be set, and exactly
        one of ``ODOO_PASSWORD`` and ``ODOO_API_KEY``; ``ODOO_PROTOCOL``, if
        set, picks the protocol (``protocol=`` given here wins). An empty
        variable counts as unset. Otherwise :class:`ValueError` names what is
        missing or wrong.

        **Parameters:**

        * **env** - *(optional)* The mapping to read the variables from. Default
          ``os.environ``.
        * **options** - *(optional)* Keyword arguments for the constructor
          (``timeout=``, ``protocol=``...), except those read from the
          environment (``db``, ``username``, ``password``, ``api_key``).
        """
        url, credentials = env_options(env)
        return cls(url, **{**credentials, **options})

    def _view(self, **changes: Any) -> AsyncOdoo:
        view = object.__new__(type(self))
        view._core = self._core
        view._context = changes.get("context", self._context)
        view._retry = changes.get("retry", self._retry)
        view._timeout = changes.get("timeout", self._timeout)
        return view

    def with_context(self, context: Mapping[str, Any] | None = None, /, **ctx: Any) -> AsyncOdoo:
        """A view that sends this client's context merged with ``context`` and ``ctx``.

        It shares the pool, the login and the limits with this client. Keys of
        ``ctx`` win over those of ``context``, which win over the client's.

        **Parameters:**

        * **context** - *(optional, positional only)* A dict with string keys, or
          ``None``.
        * **ctx** - *(optional)* Context keys as keyword arguments, such as
          ``lang="fr_FR"`` or ``active_test=False``.
        """
        check_mapping("context", context)
        return self._view(context={**self._context, **(context or {}), **ctx})

    def with_options(
        self,
        *,
        retry: RetryPolicy | None = _UNSET,
        timeout: float | httpx.Timeout | None = _UNSET,
    ) -> AsyncOdoo:
        """A view with another retry policy or timeout, sharing everything else.

        A parameter left out keeps this client's setting. The view's settings
        apply to every call made through it, and to the login or ``version()``
        request such a call starts.

        **Parameters:**

        * **retry** - *(optional)* A :class:`RetryPolicy`, or ``None`` for no
          retries.
        * **timeout** - *(optional)* Seconds (a number ``>= 0``, for connect,
          read, write and pool alike: it replaces the default's 10 s connect
          limit and unlimited pool wait too), an ``httpx.Timeout``, or ``None``
          for no time limit (as in httpx).
        """
        changes: dict[str, Any] = {}
        if retry is not _UNSET:
            check_retry(retry)
            changes["retry"] = retry if retry is not None else RetryPolicy.NONE
        if timeout is not _UNSET:
            changes["timeout"] = _as_timeout(check_timeout(timeout))
        return self._view(**changes)

    # -- properties -----------------------------------------------------------

    @property
    def url(self) -> str:
        return self._core.http.base_url

    @property
    def db(self) -> str:
        return self._core.credentials.db

    @property
    def username(self) -> str:
        return self._core.credentials.login

    @property
    def uid(self) -> int | None:
        """The user id once authenticated, else ``None``."""
        return self._core.uid

    @property
    def context(self) -> dict[str, Any]:
        return dict(self._context)

    @property
    def retry(self) -> RetryPolicy:
        return self._retry

    @property
    def stats(self) -> ClientStats:
        return self._core.stats

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` as the client waits between retries: through its ``sleep=``.

        The jobs wait through it for a server that went away (a test's fake
        sleep returns at once).
        """
        await self._core.sleep(seconds)

    @property
    def closed(self) -> bool:
        return self._core.http.closed

    @property
    def protocol(self) -> str:
        """The name of the protocol that carries the calls: ``"jsonrpc"``, ``"xmlrpc"``,
        ``"json2"``, ``"web"``... With ``protocol="auto"`` it is ``"auto"`` until the
        first login has made the choice."""
        return self._core.protocol.name

    def __repr__(self) -> str:
        ctx = f", context={self._context!r}" if self._context else ""
        proxy = self._core.http.proxy
        via = f" proxy={proxy.url!r}" if proxy is not None else ""
        return (
            f"<AsyncOdoo url={self.url!r} db={self.db!r} username={self.username!r} "
            f"protocol={self._core.protocol.name!r}{via}{ctx}>"
        )

    # -- lifecycle ------------------------------------------------------------

    async def __aenter__(self) -> AsyncOdoo:
        self._core.open().http.client  # noqa: B018 - opens the pool, or raises if closed
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the pool and the shared budget. Every view of this client is closed with it.

        From an event loop other than the one that opened the client (that
        loop is gone, with the connections in it), the pool is only dropped.
        """
        core = self._core
        owner = core.loop() if core.loop is not None else None
        if owner is not None and owner is not asyncio.get_running_loop():
            core.http.abandon()
        else:
            await core.http.aclose()
            if core.budgets.shared is not None:
                await core.budgets.shared.aclose()
        core.caches = ClientCaches()

    # -- calls ----------------------------------------------------------------

    async def version(self) -> dict[str, Any]:
        """``common.version()``: the server's version; no login needed. Cached.

        Concurrent first calls share one request.
        """
        core = self._core.open()
        if core.version is None:
            core.version = await single_flight(core, "version_task", self._fetch_version)
            self._warn_if_deprecated()
        return dict(core.version)

    async def _fetch_version(self) -> dict[str, Any]:
        core = self._core
        raw = await self._core.attempts(
            lambda timeout: core.protocol.version(core.http, timeout=timeout),
            model=None,
            method="version",
            idempotent=True,
            timeout=self._timeout,
            retry=self._retry,
        )
        info = msgspec.json.decode(raw)
        if not isinstance(info, dict):
            raise ProtocolError(f"common.version() returned {info!r}, not an object")
        return info

    async def server_version(self) -> tuple[int, ...]:
        """The numeric version, e.g. ``(17, 0)``; ``(19, 2)`` for Odoo Online's ``saas~19.2``."""
        return parse_server_version(await self.version())

    def reserve_slot(self) -> Reservation:
        """Wait for a permit of the client's limits before knowing the call.

        ``async with odoo.reserve_slot():`` waits as a call would (the rate,
        a ``max_concurrency`` slot, the shared budget), then the first HTTP
        attempt made inside the block uses that permit instead of waiting
        again; unused, it is given back when the block ends. :meth:`AsyncModel.get`
        uses it to decide which ids go in a read only once the read can go.
        """
        core = self._core.open()
        return core.reserve((self._timeout or core.http.timeout).pool)

    async def authenticate(self) -> int:
        """Log in (once; the uid is cached) and return the user id.

        Concurrent first calls share one login. Raises
        :class:`AuthenticationError` when Odoo refuses the login. A refusal is
        remembered: later calls raise it again without asking Odoo, because
        Odoo locks an address out after a few failed logins. Any other failure
        (the server down, a timeout) goes to every caller waiting for that
        login, and the next call tries again.
        """
        core = self._core.open()
        if core.uid is not None:
            return core.uid
        refused = core.auth_refused
        if refused is not None:  # a fresh exception each time
            raise AuthenticationError(str(refused), db=refused.db, login=refused.login)
        uid: int = await single_flight(core, "auth_task", self._login)
        return uid

    async def _login(self) -> int:
        core = self._core
        creds = core.credentials
        # A login is replayed only when it cannot have reached Odoo, whatever
        # the view's policy says about idempotence.
        policy = self._retry.replace(idempotent=False) if self._retry.idempotent else self._retry
        uid = await self._core.attempts(
            lambda timeout: core.protocol.authenticate(core.http, creds, timeout=timeout),
            model=None,
            method="authenticate",
            idempotent=False,
            timeout=self._timeout,
            retry=policy,
        )
        core.stats.authentications += 1
        if uid is None:
            why = (
                "wrong, expired or revoked API key, a key bound to a scope other than RPC, "
                "unknown login or inactive user"
                if creds.kind == "api_key"
                else "wrong password, unknown login or inactive user"
            )
            if creds.kind == "api_key" and not getattr(core.protocol, "takes_api_key", True):
                why = (
                    "Odoo's web session login takes a password, never an API key: give "
                    "password=, or use the key with protocol='jsonrpc' or protocol='xmlrpc'"
                )
            core.auth_refused = AuthenticationError(
                f"Odoo refused the login {creds.login!r} on database {creds.db!r} ({why})",
                db=creds.db,
                login=creds.login,
            )
            raise AuthenticationError(str(core.auth_refused), db=creds.db, login=creds.login)
        core.uid = uid
        self._warn_if_deprecated()
        return uid

    def _warn_if_deprecated(self) -> None:
        """Say once per client, through ``logging``, that a password keeps it on an
        endpoint Odoo 19 deprecates, and what would move it to JSON-2.

        Said as soon as both are known, the login and the version (from
        :meth:`version`, which ``protocol="auto"``, :meth:`create_api_key` and the
        repositories' version-dependent methods ask for); no request is made for it.
        """
        core = self._core
        if core.deprecation_checked or core.uid is None or core.version is None:
            return
        core.deprecation_checked = True
        wire = core.protocol
        name = getattr(getattr(wire, "chosen", None), "name", wire.name)
        endpoint = DEPRECATED_ENDPOINTS.get(name)
        version = parse_server_version(core.version)
        if core.credentials.kind != "password" or endpoint is None:
            return
        if not version or version[0] < JSON2_SINCE:
            return
        logger.warning(
            "Odoo %s deprecates %s, which this client uses because it logs in with a password "
            "(the server logs a warning on every call and has announced the endpoint's removal). "
            "An API key switches it to JSON-2: make one with odoo.create_api_key() or "
            "`odoo-async api-key create`, then give api_key= with protocol='auto' or 'json2'.",
            ".".join(map(str, version[:2])),
            endpoint,
        )

    @overload
    async def execute_kw(
        self,
        model: str,
        method: str,
        args: list[Any] | tuple[Any, ...] | None = ...,
        kwargs: Mapping[str, Any] | None = ...,
        *,
        result_type: type[T],
        timeout: float | httpx.Timeout | None = ...,
        retry: RetryPolicy | None = ...,
        idempotent: bool = ...,
    ) -> T: ...

    @overload
    async def execute_kw(
        self,
        model: str,
        method: str,
        args: list[Any] | tuple[Any, ...] | None = ...,
        kwargs: Mapping[str, Any] | None = ...,
        *,
        timeout: float | httpx.Timeout | None = ...,
        retry: RetryPolicy | None = ...,
        idempotent: bool = ...,
    ) -> Any: ...

    async def execute_kw(
        self,
        model: str,
        method: str,
        args: list[Any] | tuple[Any, ...] | None = None,
        kwargs: Mapping[str, Any] | None = None,
        *,
        result_type: Any = Any,
        timeout: float | httpx.Timeout | None = _UNSET,
        retry: RetryPolicy | None = _UNSET,
        idempotent: bool = False,
    ) -> Any:
        """Call ``model.method(*args, **kwargs)`` on the server.

        Logs in first if no call has yet (the login runs with the view's own
        timeout and retry policy, not this call's). The client's context is
        merged under ``kwargs["context"]``, the call's own keys winning. A
        failure after which the call may have run on the server (a read
        timeout, a dropped connection, HTTP 429 or 502-504...) is retried only
        for a call that is harmless to replay: a read-only method
        (:data:`READ_ONLY_METHODS`) or an ``idempotent`` one.

        **Parameters:**

        * **model** - The model's name, such as ``"res.partner"``.
        * **method** - The method's name, such as ``"search_read"``.
        * **args** - *(optional)* The positional arguments, a list or tuple.
          Default: none.
        * **kwargs** - *(optional)* The keyword arguments, a dict with string
          keys. Default: none.
        * **result_type** - *(optional)* The type msgspec decodes the result
          into (``list[int]``, a ``msgspec.Struct``...); a result that does not
          fit raises :class:`OdooError`. Default: plain JSON values.
        * **timeout** - *(optional)* This call's timeout: seconds (for connect,
          read, write and pool alike), an ``httpx.Timeout``, or ``None`` for no
          limit. Default: the client's.
        * **retry** - *(optional)* This call's :class:`RetryPolicy`, or ``None``
          for no retries. Default: the client's.
        * **idempotent** - *(optional)* ``True`` marks a call that is safe to
          replay, so that it is retried like a read. Default ``False``.
        """
        raw = await self.execute_kw_raw(
            model, method, args, kwargs, timeout=timeout, retry=retry, idempotent=idempotent
        )
        if result_type is Any:
            return msgspec.json.decode(raw)
        try:
            return decoder_for(result_type).decode(raw)
        except msgspec.ValidationError as exc:
            raise OdooError(
                f"the result of {model}.{method} does not fit {result_type!r}: {exc}"
            ) from exc

    async def execute_kw_raw(
        self,
        model: str,
        method: str,
        args: list[Any] | tuple[Any, ...] | None = None,
        kwargs: Mapping[str, Any] | None = None,
        *,
        timeout: float | httpx.Timeout | None = _UNSET,
        retry: RetryPolicy | None = _UNSET,
        idempotent: bool = False,
    ) -> msgspec.Raw:
        """Like :meth:`execute_kw`, but the result stays JSON text (``msgspec.Raw``).

        **Parameters:**

        * **model** - The model's name, such as ``"res.partner"``.
        * **method** - The method's name, such as ``"read"``.
        * **args** - *(optional)* The positional arguments, a list or tuple.
          Default: none.
        * **kwargs** - *(optional)* The keyword arguments, a dict with string
          keys; the client's context is merged under ``kwargs["context"]``.
          Default: none.
        * **timeout** - *(optional)* This call's timeout: seconds, an
          ``httpx.Timeout``, or ``None`` for no limit. Default: the client's.
        * **retry** - *(optional)* This call's :class:`RetryPolicy`, or ``None``
          for no retries. Default: the client's.
        * **idempotent** - *(optional)* ``True`` marks a call that is safe to
          replay, so that it is retried like a read. Default ``False``.
        """
        check_str("model", model, accepted="a model name such as 'res.partner'")
        check_str("method", method, accepted="a method name such as 'read'")
        where = f"{model}.{method}"
        accepted = "a list of positional arguments or None"
        check_instance("args", args, (list, tuple), accepted, none=True, where=where)
        check_mapping("kwargs", kwargs, where=where)
        if timeout is not _UNSET:
            check_timeout(timeout, where=where)
        if retry is not _UNSET:
            check_retry(retry, where=where)
        check_bool("idempotent", idempotent, where=where)
        call_args = list(args) if args is not None else []
        call_kwargs = dict(kwargs) if kwargs else {}
        if self._context:
            given = call_kwargs.get("context")
            call_kwargs["context"] = {**self._context, **given} if given else dict(self._context)
        core = self._core.open()
        core.stats.calls += 1
        uid = core.uid if core.uid is not None else await self.authenticate()
        creds = core.credentials
        try:
            return await self._core.attempts(
                lambda t: core.protocol.execute_kw(
                    core.http, creds, uid, model, method, call_args, call_kwargs, timeout=t
                ),
                model=model,
                method=method,
                idempotent=idempotent,
                timeout=_as_timeout(timeout) if timeout is not _UNSET else self._timeout,
                retry=self._retry if retry is _UNSET else (retry or RetryPolicy.NONE),
            )
        except RPCError as exc:
            hinted = await self._version_hint(exc, method)
            if hinted is None:
                raise
            raise hinted from exc

    async def _version_hint(self, error: RPCError, method: str) -> RPCError | None:
        """``error`` saying which Odoo versions have ``method`` (or its keyword), when
        this server's version is why it was refused; None otherwise."""
        if method not in MOVED and all(r.method != method for r in RENAMED):
            return None
        try:
            major = (await self.server_version() or (0,))[0]
        except OdooError:
            return None
        hint = version_hint(error, method, major)
        return None if hint is None else with_hint(error, hint)

    # -- API keys -------------------------------------------------------------

    async def create_api_key(self, name: str, *, expires: dt.datetime | None = None) -> ApiKey:
        """Make an API key for the logged-in user, as Preferences > Account
        Security > New API Key does in Odoo's web client; return it as an :class:`ApiKey`.

        The key is in the answer once and nowhere else (Odoo keeps its hash
        only): store ``.key`` where your secrets live. It opens every RPC door
        (JSON-2, ``/jsonrpc``, ``/xmlrpc``) as the user, and the web login not at all.

        Odoo makes keys only in a web session whose password was re-checked, so
        this logs in a web session of its own with the client's password (the
        client needs ``password=``, whatever its protocol), answers Odoo's
        identity check with it, and drops the session. Works on Odoo 17, 18 and 19.

        **Parameters:**

        * **name** - What the key is for, as shown in the user's list of keys
          (a non-empty string).
        * **expires** - *(optional)* When the key stops working: a
          ``datetime`` (naive means UTC). ``None`` (the default) makes a key that
          never expires, which Odoo 18+ allows administrators only (others get a
          :class:`ValidationError`, as they get one for a date past what their
          groups allow: 1 day by default). Odoo 17's keys never expire: giving it
          there is a :class:`ValueError`.
        """
        check_str("name", name, accepted="what the key is for (a non-empty string)")
        check_instance("expires", expires, dt.datetime, "a datetime or None", none=True)
        core = self._core.open()
        creds = core.credentials
        if creds.kind != "password":
            raise ValueError(
                "create_api_key() needs a client made with password=: Odoo re-checks the "
                "user's password before it makes a key, and takes it in a web session only"
            )
        major = (await self.server_version() or (0,))[0]
        web = WebSessionProtocol()
        uid = await core.attempts(
            lambda timeout: web.authenticate(core.http, creds, timeout=timeout),
            model=None,
            method="authenticate",
            idempotent=False,
            timeout=self._timeout,
            retry=self._retry.replace(idempotent=False),
        )
        if uid is None:
            raise AuthenticationError(
                f"Odoo refused the web login {creds.login!r} on database {creds.db!r}, "
                "which making an API key needs (wrong password, or two-factor "
                "authentication on the account)",
                db=creds.db,
                login=creds.login,
            )

        async def call(model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
            raw = await core.attempts(
                lambda timeout: web.execute_kw(
                    core.http, creds, uid, model, method, args, kwargs, timeout=timeout
                ),
                model=model,
                method=method,
                idempotent=False,
                timeout=self._timeout,
                retry=self._retry.replace(idempotent=False),
            )
            return msgspec.json.decode(raw)

        return await create_api_key(
            call, major=major, password=creds.secret, login=creds.login, name=name, expires=expires
        )

    # -- reports and files ----------------------------------------------------

    @overload
    async def report(
        self,
        report_name: str,
        ids: int | Iterable[int],
        *,
        format: str = ...,
        to: None = ...,
    ) -> bytes: ...

    @overload
    async def report(
        self,
        report_name: str,
        ids: int | Iterable[int],
        *,
        format: str = ...,
        to: PathOrFile,
    ) -> PathOrFile: ...

    async def report(
        self,
        report_name: str,
        ids: int | Iterable[int],
        *,
        format: str = "pdf",
        to: Any = None,
    ) -> Any:
        """The report ``report_name`` of the records ``ids``, as Odoo renders it.

        Odoo 17, 18 and 19 serve reports only to a web session
        (``GET /report/<format>/<report_name>/<ids>``), which Odoo opens with a
        password: a client made with ``api_key=`` raises
        :class:`WebSessionRequired`. With another protocol than ``"web"``, the
        client opens that session once, next to its own, with the same password.
        The body is streamed into ``to``: memory holds one piece of it, plus the
        report itself when it is returned as bytes.

        An unknown report raises :class:`ReportNotFound`; a record that does not
        exist, :class:`MissingError`; one the user may not read,
        :class:`AccessError`; each names the report and the ids.

        **Parameters:**

        * **report_name** - The report's technical name (``ir.actions.report``'s
          ``report_name``), such as ``"account.report_invoice"``.
        * **ids** - A record id or an iterable of ids (one report for them all).
        * **format** - *(optional)* ``"pdf"`` (the default), ``"html"`` or ``"text"``.
        * **to** - *(optional)* A path (created or replaced; removed again if the
          download fails) or a binary file object, written and returned. Default
          ``None``: the bytes are returned.
        """
        return await fetch_report(
            self, self._core, report_name, ids, format=format, to=to, timeout=self._timeout
        )

    @property
    def attachments(self) -> AsyncAttachments:
        """Files: upload to and download from ``ir.attachment``, read binary fields."""
        return AsyncAttachments(self, self._core)

    # -- repositories ---------------------------------------------------------

    @overload
    def model(
        self, model: str, *, batch_size: int | None = None, batch_window: float = BATCH_WINDOW
    ) -> AsyncModel[dict[str, Any]]: ...

    @overload
    def model(
        self, model: type[R], *, batch_size: int | None = None, batch_window: float = BATCH_WINDOW
    ) -> AsyncModel[R]: ...

    def model(
        self,
        model: str | type[Record],
        *,
        batch_size: int | None = None,
        batch_window: float = BATCH_WINDOW,
    ) -> AsyncModel[Any]:
        """A repository for ``model``. No RPC yet.

        **Parameters:**

        * **model** - A model name such as ``"res.partner"`` (rows come back as
          dicts), or a :class:`Record` class (rows come back as its instances).
        * **batch_size** - *(optional)* An int ``>= 1``, or ``None`` (the
          default): the most ids in the ``read`` behind a batch of
          :meth:`~AsyncModel.get` calls (1,000 when ``None``), and the records
          of one ``create`` RPC (500 when ``None``); see :class:`AsyncModel`.
        * **batch_window** - *(optional)* Seconds :meth:`~AsyncModel.get` waits
          to collect more ids before their ``read`` goes (a number ``>= 0``).
          Default 0: the next turn of the event loop. Under a stream of
          requests, a few milliseconds merge the ``get()`` calls that arrive
          one by one into fewer reads, each ``get()`` waiting that long more.
        """
        return AsyncModel(self, model, batch_size=batch_size, batch_window=batch_window)

    # -- what a repository needs (``ModelClient``) --------------------------

    @property
    def caches(self) -> ClientCaches:
        """The caches this client keeps for its repositories (``get()`` batchers,
        ``fields_get`` answers), shared by all its views; bounded. Raises
        :class:`ClientClosedError` once the client is closed."""
        return self._core.open().caches

    @property
    def options_key(self) -> tuple[Any, ...]:
        """What sets this view's calls apart (its context, retry policy and
        timeout): reads batched together share it."""
        return (msgspec.json.encode(self._context), self._retry, repr(self._timeout))


def env_options(env: Mapping[str, str] | None = None) -> tuple[str, dict[str, Any]]:
    """The URL and the login options that ``from_env`` reads from ``env``
    (default ``os.environ``); :class:`ValueError` names what is missing."""
    env = os.environ if env is None else env
    missing = [name for name in ("ODOO_URL", "ODOO_DB", "ODOO_USERNAME") if not env.get(name)]
    if not env.get("ODOO_PASSWORD") and not env.get("ODOO_API_KEY"):
        missing.append("ODOO_PASSWORD or ODOO_API_KEY")
    if missing:
        raise ValueError("missing environment variables: " + ", ".join(missing))
    if env.get("ODOO_PASSWORD") and env.get("ODOO_API_KEY"):
        raise ValueError("set only one of ODOO_PASSWORD and ODOO_API_KEY")
    options: dict[str, Any] = {
        "db": env["ODOO_DB"],
        "username": env["ODOO_USERNAME"],
        "password": env.get("ODOO_PASSWORD") or None,
        "api_key": env.get("ODOO_API_KEY") or None,
    }
    protocol = env.get("ODOO_PROTOCOL")
    if protocol:
        if protocol not in PROTOCOLS:
            raise ValueError(
                f"ODOO_PROTOCOL={protocol!r} is no protocol: use one of {', '.join(PROTOCOLS)}"
            )
        options["protocol"] = protocol
    return env["ODOO_URL"], options


def _as_timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout:
    """A timeout given by the caller; ``None`` means no limit, as in httpx."""
    if isinstance(timeout, httpx.Timeout):
        return timeout
    return httpx.Timeout(timeout)
