"""FakeOdoo: an in-memory Odoo 17 that answers on the wire as the real one does.

:class:`FakeOdoo` is the facade: its settings, the controls for tests (injected
faults, latency, the concurrency cap, held replies), the call log and the counters.
Its core handler turns ``(HTTP method, path, content type, cookie, body)`` into a
reply ``(status, headers, body)``, or ``None`` for "close the connection without a
reply": it meters the request (``_metering.py``) and hands it to the router
(``_router.py``, which lists the endpoints), whose routes see the double through a
:class:`~._host.Host` only. Two adapters feed the core handler:
:meth:`FakeOdoo.transport` (an httpx transport, no sockets) and :meth:`FakeOdoo.serve`
(uvicorn on loopback, see ``_serve.py``). The database is ``_orm.py``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any, Final

import anyio
import httpx

from . import _wire
from ._calls import Call
from ._cost import CostMeter, ServerCost
from ._faults import FaultKind, FaultRule, Injector
from ._hold import Hold
from ._host import Host, Sessions
from ._metering import Metering
from ._orm import Database
from ._router import Router
from ._serve import InProcessTransport, LoopbackServer

__all__ = ["SERVER_VERSION_INFO", "Call", "FakeOdoo", "Reply"]

Reply = _wire.Reply

SERVER_VERSION: Final = "17.0"
SERVER_VERSION_INFO: Final[Mapping[str, Any]] = {
    "server_version": SERVER_VERSION,
    "server_version_info": [17, 0, 0, "final", 0, ""],
    "server_serie": SERVER_VERSION,
    "protocol_version": 1,
}
OVERLOADED: Final = "overloaded"


class FakeOdoo:
    """An in-memory Odoo 17 server for tests and benchmarks.

    ``db`` names the one database; requests naming another fail as Odoo fails them
    (``psycopg2.OperationalError``). ``partners`` and ``seed`` shape the generated
    demo data. ``api_keys`` maps uids to API keys accepted in place of passwords.
    ``latency`` seconds are added to every reply; above ``max_concurrent_requests``
    simultaneous requests the server answers HTTP 500 with Werkzeug's page, as a
    stock Odoo does when its database pool is full. ``cost`` (a
    :class:`~odoo_async.testing.ServerCost`) makes every reply take as long as a
    real Odoo takes; without it the double answers as fast as it can.

    ``version`` is the Odoo it presents as: ``"17.0"`` (the default) or ``"19.0"``
    (its version endpoints, JSON-RPC fault ``code`` 0 instead of 200, ``demo`` as
    uid 5 and ``portal`` as uid 6, Odoo 19's method signatures, and the JSON-2 API
    unless ``json2=False``). JSON-2 takes the ``api_keys`` as bearer keys.
    """

    def __init__(
        self,
        *,
        db: str = "odoo",
        partners: int = 50,
        seed: int = 0,
        api_keys: Mapping[int, str] | None = None,
        latency: float = 0.0,
        max_concurrent_requests: int | None = None,
        version: str = "17.0",
        json2: bool | None = None,
        cost: ServerCost | None = None,
    ) -> None:
        if cost is not None and not isinstance(cost, ServerCost):
            raise TypeError(f"cost must be a ServerCost or None, got {cost!r}")
        major = int(version.partition(".")[0]) if version.partition(".")[0].isdigit() else 0
        if major not in (17, 18, 19):
            raise ValueError(f"version must be '17.0', '18.0' or '19.0', got {version!r}")
        if json2 and major < 19:
            raise ValueError("JSON-2 exists from Odoo 19 on: json2=True needs version='19.0'")
        if latency < 0:
            raise ValueError("latency must be >= 0")
        if max_concurrent_requests is not None and max_concurrent_requests < 1:
            raise ValueError("max_concurrent_requests must be >= 1")
        self.db = db
        self.version = f"{major}.0"
        #: the major version, 17, 18 or 19
        self.major = major
        self.json2 = major >= 19 if json2 is None else json2
        self.version_info: Mapping[str, Any] = {
            **SERVER_VERSION_INFO,
            "server_version": self.version,
            "server_version_info": [major, 0, 0, "final", 0, ""],
            "server_serie": self.version,
        }
        #: JSON-RPC fault ``code``: 200 ("Odoo Server Error") on 17 and 18, 0 on 19.
        self.fault_code = _wire.SERVER_ERROR_CODE if major < 19 else 0
        self.database = Database(db, partners=partners, seed=seed, major=major)
        self.latency = latency
        self.max_concurrent_requests = max_concurrent_requests
        self.cost = cost
        self._metering = Metering(CostMeter(cost) if cost is not None else None)
        self._api_keys = dict(api_keys or {})
        for uid, key in self._api_keys.items():
            self.database.add_api_key(uid, key)
        self._lock = threading.Lock()  # call log, counters, injector
        self._hold: Hold | None = None
        self._db_lock = threading.Lock()  # the ORM core is not thread-safe
        self._injector = Injector(seed)
        self._sessions = Sessions()
        self._calls: list[Call] = []
        self._requests = 0
        self._current_requests = 0
        self._peak_requests = 0
        self._rejected_requests = 0
        self._current_connections = 0
        self._peak_connections = 0
        self._connections = 0
        self._host = Host(
            self, self._db_lock, self._sessions, self._metering, self._admit, self._pause
        )
        self._router = Router(self._host)

    def __repr__(self) -> str:
        cost = "" if self.cost is None else f", cost={self.cost!r}"
        return f"FakeOdoo(db={self.db!r}, version={self.version!r}, latency={self.latency!r}{cost})"

    # -- control -------------------------------------------------------------------

    def inject(
        self,
        kind: FaultKind,
        *,
        times: int | None = None,
        rate: float | None = None,
        model: str | None = None,
        method: str | None = None,
        retry_after: float | str | None = None,
        delay: float = 0.0,
    ) -> FaultRule:
        """Make matching calls fail: the first ``times`` of them, or a ``rate`` share, or all.

        ``model``/``method`` filter the calls (``method`` also matches service methods
        such as ``"authenticate"``); ``retry_after`` (seconds or an HTTP date) goes in
        the ``Retry-After`` header of a ``"429"``; ``delay`` is the wait of a
        ``"slow"`` reply. The first matching rule wins. Returns the rule, whose
        ``hits`` counts the calls it hit. ``"drop"`` closes the connection before
        the call runs; ``"lost"`` runs it, then closes the connection without a
        reply (a server killed after its commit).
        """
        rule = FaultRule(
            kind,
            times=times,
            rate=rate,
            model=model,
            method=method,
            retry_after=retry_after,
            delay=delay,
        )
        with self._lock:
            return self._injector.add(rule)

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        with self._lock:
            self._injector.clear()

    @property
    def faults(self) -> list[FaultRule]:
        with self._lock:
            return list(self._injector.rules)

    def add_api_key(self, uid: int, key: str) -> None:
        """Accept ``key`` in place of user ``uid``'s password (kept across :meth:`reset`)."""
        self._api_keys[uid] = key
        with self._db_lock:
            self.database.add_api_key(uid, key)

    def expire_sessions(self) -> None:
        """Forget every web session: the next cookie call gets "Odoo Session Expired"."""
        self._sessions.clear()

    def reset(self) -> None:
        """Back to the initial state: data, faults, sessions, call log and counters."""
        with self._db_lock:
            self.database.reset()
            for uid, key in self._api_keys.items():
                self.database.add_api_key(uid, key)
        self._metering.reset()
        self._sessions.clear()
        with self._lock:
            self._injector.clear()
            self._calls.clear()
            self._requests = 0
            self._rejected_requests = 0
            self._peak_requests = self._current_requests
            self._peak_connections = self._current_connections
            self._connections = self._current_connections

    # -- observation ---------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """The calls received so far, oldest first (a copy)."""
        with self._lock:
            return list(self._calls)

    def count(self, model: str | None = None, method: str | None = None) -> int:
        """How many received calls match ``model`` and ``method`` (``None`` matches all)."""
        with self._lock:
            return sum(
                1
                for call in self._calls
                if (model is None or call.model == model)
                and (method is None or call.method == method)
            )

    def clear_calls(self) -> None:
        with self._lock:
            self._calls.clear()

    @property
    def requests(self) -> int:
        """HTTP requests received (every endpoint, every outcome)."""
        return self._requests

    @property
    def current_requests(self) -> int:
        return self._current_requests

    @property
    def peak_requests(self) -> int:
        """Most simultaneous requests seen, those refused by the cap included."""
        return self._peak_requests

    @property
    def rejected_requests(self) -> int:
        """Requests answered HTTP 500 because of ``max_concurrent_requests``."""
        return self._rejected_requests

    @property
    def current_connections(self) -> int:
        """Open TCP connections (over :meth:`serve` only)."""
        return self._current_connections

    @property
    def peak_connections(self) -> int:
        """Most TCP connections open at once (over :meth:`serve` only)."""
        return self._peak_connections

    @property
    def connections(self) -> int:
        """TCP connections accepted (over :meth:`serve` only)."""
        return self._connections

    # -- serving -------------------------------------------------------------------

    def transport(self) -> httpx.AsyncBaseTransport:
        """An httpx transport that calls the double in-process (no sockets).

        ``httpx.AsyncClient(transport=fake.transport(), base_url="http://odoo")``.
        The read timeout of the request is honoured (``httpx.ReadTimeout``); a
        ``"drop"`` fault raises ``httpx.RemoteProtocolError``.
        """
        return InProcessTransport(self)

    @contextlib.asynccontextmanager
    async def serve(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        keep_alive: bool = True,
        keep_alive_timeout: float = 5.0,
    ) -> AsyncIterator[str]:
        """Serve over real TCP (uvicorn in a thread); yields the base URL.

        ``port=0`` picks a free port. With ``keep_alive=False`` every reply closes its
        connection, like Odoo's bare threaded server; ``keep_alive_timeout`` is how
        long an idle connection stays open (Odoo's prefork workers: about 2 s).
        """
        server = LoopbackServer(
            self,
            host=host,
            port=port,
            keep_alive=keep_alive,
            keep_alive_timeout=keep_alive_timeout,
        )
        await anyio.to_thread.run_sync(server.start)
        try:
            yield server.url
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(server.stop)

    @contextlib.contextmanager
    def hold(self) -> Iterator[Hold]:
        """Hold every reply until the block ends (see ``_hold.py``)::

        with fake.hold() as held:
            calls = [asyncio.ensure_future(...) for _ in range(6)]
            await held.requests(6)  # all six are in flight at once
        await asyncio.gather(*calls)
        """
        held = self._hold = Hold()
        try:
            yield held
        finally:
            self._hold = None
            held.release()

    # -- bookkeeping shared with the adapters --------------------------------------

    def _enter(self) -> bool:
        """Count a request in; returns True when it is over the concurrency cap."""
        if (held := self._hold) is not None:
            held._arrive()
        with self._lock:
            self._requests += 1
            current = self._current_requests = self._current_requests + 1
            if current > self._peak_requests:
                self._peak_requests = current
            cap = self.max_concurrent_requests
            return cap is not None and current > cap

    def _leave(self) -> None:
        with self._lock:
            self._current_requests -= 1

    def _connection_opened(self) -> None:
        with self._lock:
            self._connections += 1
            current = self._current_connections = self._current_connections + 1
            if current > self._peak_connections:
                self._peak_connections = current

    def _connection_closed(self) -> None:
        with self._lock:
            self._current_connections -= 1

    # -- the controls the routes go through (their Host: admit, pause) -------------

    def _admit(self, call: Call | None, overloaded: bool) -> FaultRule | None:
        """Log the call and decide its fate: the cap, an injected fault, or None."""
        with self._lock:
            rule = None
            if overloaded:
                self._rejected_requests += 1
                label: str | None = OVERLOADED
            else:
                if self._injector.rules:
                    rule = self._injector.pick(
                        call.model if call else None, call.method if call else None
                    )
                label = rule.kind if rule is not None else None
            if call is not None:
                entry = call if label is None else dataclasses.replace(call, fault=label)
                self._calls.append(entry)
                self._metering.logged(entry)
            return rule

    def _priced(self, logged: Call, cost: float) -> None:
        """Write the cost model's charge on the call a request logged."""
        with self._lock:
            for index in range(len(self._calls) - 1, -1, -1):
                if self._calls[index] is logged:
                    self._calls[index] = dataclasses.replace(logged, cost=cost)
                    break

    async def _pause(self, extra: float, over: bool) -> None:
        """The added latency; a held call (not one refused by the cap) waits for its release."""
        if (held := self._hold) is not None and not over:
            await held._wait()
        delay = self.latency + extra
        if delay > 0:
            await anyio.sleep(delay)

    # -- the core handler ----------------------------------------------------------

    async def _handle(
        self,
        http_method: str,
        path: str,
        content_type: str,
        cookie: str,
        body: bytes,
        *,
        over: bool,
        authorization: str = "",
        database: str = "",
    ) -> Reply | None:
        """The reply ``(status, headers, body)`` to a request, or None: close without one."""
        async with self._metering.request(self._priced):
            return await self._router.handle(
                http_method,
                path,
                content_type,
                cookie,
                body,
                over=over,
                authorization=authorization,
                database=database,
            )
