"""What every view of one client shares, and the loop every call runs through.

:class:`Core` holds one client's HTTP session, protocol, credentials, login
state, limits and caches; :meth:`Core.attempts` sends a call under the limits
and retries it as the pure rules of :mod:`._retry` decide, logging each failed
attempt, and reporting the call to :mod:`odoo_async.otel` when traces and
metrics are on (the one place every RPC passes). :func:`single_flight` lets
concurrent first callers share one login or one version request.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
import weakref
from collections import Counter
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, TypeVar

import httpx
import msgspec

from odoo_async import _telemetry
from odoo_async._errors import (
    AuthenticationError,
    ClientClosedError,
    OdooError,
    WrongEventLoopError,
    database_not_found,
)
from odoo_async._orm._cache import ClientCaches
from odoo_async._protocols._base import Credentials, WireProtocol
from odoo_async._protocols._websession import WebSessionProtocol
from odoo_async._stats import ClientStats
from odoo_async._transports._session import HttpxSession

from ._limits import Budget, Budgets, ConcurrencyLimiter, LocalBudget, TokenBucket
from ._retry import RetryPolicy, retry_decision

__all__ = ["Core", "Reservation", "decoder_for", "single_flight"]

T = TypeVar("T")

logger = logging.getLogger("odoo_async")

_decoders: dict[Any, msgspec.json.Decoder[Any]] = {}


def decoder_for(result_type: Any) -> msgspec.json.Decoder[Any]:
    """One cached msgspec decoder per result type."""
    decoder = _decoders.get(result_type)
    if decoder is None:
        decoder = _decoders[result_type] = msgspec.json.Decoder(result_type)
    return decoder


class Reservation:
    """A permit of the client's limits taken before the call that will use it.

    ``async with core.reserve(timeout):`` waits for a permit (the rate, a slot
    under ``max_concurrency``, the shared budget), then the first HTTP attempt
    that the block (or a task it starts) makes uses it instead of queueing
    again. Unused, it is given back when the block ends. The ``get()`` batcher
    uses it to close its batch only once its read can go: every id asked for
    while it waited for a slot is in that read.
    """

    __slots__ = ("_core", "_permit", "_taken", "_timeout", "_token")

    def __init__(self, core: Core, timeout: float | None) -> None:
        self._core = core
        self._timeout = timeout
        self._taken = False  # the permit is waiting for its attempt
        self._permit: Any = None
        self._token: contextvars.Token[Reservation | None] | None = None

    async def __aenter__(self) -> None:
        self._permit = await self._core.budgets.acquire(self._timeout, hold=False)
        self._taken = True
        self._token = _RESERVED.set(self)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._token is not None
        _RESERVED.reset(self._token)
        if self._taken:
            self._taken = False
            self._core.budgets.release(self._permit, held=False)

    def _use(self, core: Core) -> tuple[bool, Any]:
        """(True, the permit) once, for the first attempt of the same core."""
        if self._taken and core is self._core:
            self._taken = False
            return True, self._permit
        return False, None


_RESERVED: contextvars.ContextVar[Reservation | None] = contextvars.ContextVar(
    "odoo_async_reserved", default=None
)


class Core:
    """What every view of one client shares."""

    def __init__(
        self,
        *,
        http: HttpxSession,
        protocol: WireProtocol,
        credentials: Credentials,
        limiter: ConcurrencyLimiter,
        bucket: TokenBucket | None,
        budget: Budget | None,
        stats: ClientStats,
        sleep: Callable[[float], Awaitable[Any]],
    ) -> None:
        self.http = http
        self.sleep = sleep
        self.protocol = protocol
        self.credentials = credentials
        self.limiter = limiter
        self.bucket = bucket
        self.budgets = Budgets(LocalBudget(bucket, limiter), budget)
        self.stats = stats
        self.uid: int | None = None
        self.auth_refused: AuthenticationError | None = None
        #: Whether the login looked for a deprecated endpoint (warned once per client).
        self.deprecation_checked = False
        self.auth_task: asyncio.Future[Any] | None = None
        self.version: dict[str, Any] | None = None
        self.version_task: asyncio.Future[Any] | None = None
        self.caches = ClientCaches()
        #: The web session of reports and downloads when the protocol is not "web".
        self.web: WebSessionProtocol | None = None
        self.web_login_task: asyncio.Future[Any] | None = None
        #: The event loop that opened the client (a weak reference), set on first use.
        self.loop: weakref.ref[asyncio.AbstractEventLoop] | None = None

    def open(self) -> Core:
        """This core, if the client is open and used from the loop that opened it."""
        if self.http.closed:
            raise ClientClosedError("this AsyncOdoo client is closed; create a new one")
        loop = asyncio.get_running_loop()
        if self.loop is None:
            self.loop = weakref.ref(loop)
        elif self.loop() is not loop:
            raise WrongEventLoopError(
                "this AsyncOdoo client belongs to the event loop that opened it and was used "
                "from another one (each asyncio.run() makes a new loop): its connections and "
                "limits live in that loop. Create the client inside the loop that uses it: "
                "one per asyncio.run(), in the app's lifespan, or in a fixture with the same "
                "loop scope as the tests that use it"
            )
        return self

    def reserve(self, timeout: float | None) -> Reservation:
        """A permit for the call to come (see :class:`Reservation`)."""
        return Reservation(self, timeout)

    def attempts(
        self,
        send: Callable[[httpx.Timeout | None], Awaitable[T]],
        *,
        model: str | None,
        method: str,
        idempotent: bool,
        timeout: httpx.Timeout | None,
        retry: RetryPolicy,
    ) -> Awaitable[T]:
        """Run ``send(timeout)`` under the limits, retrying as ``retry`` says.

        ``timeout`` ``None`` means the client's default. With traces and
        metrics on (:mod:`odoo_async.otel`), the call is one span and its
        attempts, waits and errors are counted; off, the only cost is the
        read of :data:`odoo_async._telemetry.active`.
        """
        telemetry = _telemetry.active
        if telemetry is None:
            return self._attempts(send, model, method, idempotent, timeout, retry, None)
        return self._reported(telemetry, send, model, method, idempotent, timeout, retry)

    async def _reported(
        self,
        telemetry: _telemetry.Telemetry,
        send: Callable[[httpx.Timeout | None], Awaitable[T]],
        model: str | None,
        method: str,
        idempotent: bool,
        timeout: httpx.Timeout | None,
        retry: RetryPolicy,
    ) -> T:
        record = telemetry.call(
            model=model,
            method=method,
            protocol=self.protocol.name,
            url=self.http.base_url,
            db=self.credentials.db,
        )
        with record:
            return await self._attempts(send, model, method, idempotent, timeout, retry, record)

    async def _attempts(
        self,
        send: Callable[[httpx.Timeout | None], Awaitable[T]],
        model: str | None,
        method: str,
        idempotent: bool,
        timeout: httpx.Timeout | None,
        retry: RetryPolicy,
        record: _telemetry.CallRecord | None,
    ) -> T:
        core = self
        policy = retry
        idempotent = idempotent or policy.idempotent
        stats = core.stats
        attempt = 0
        stale_retried = False
        retried: list[str] = []  # the error class of each attempt retried, for the logs
        first_started = time.perf_counter()
        reservation = _RESERVED.get()
        while True:
            reserved, permit = (False, None) if reservation is None else reservation._use(core)
            reservation = None
            if not reserved:
                permit = await core.budgets.acquire(
                    (timeout or core.http.timeout).pool, None if record is None else record.waited
                )
            if core.bucket is not None:
                stats.rate_limit_wait = core.bucket.wall_waited
            stats.budget_wait = core.budgets.shared_wait
            started = time.perf_counter()
            try:
                stats.in_flight += 1
                stats.peak_in_flight = max(stats.peak_in_flight, stats.in_flight)
                try:
                    result = await send(timeout)
                finally:
                    stats.in_flight -= 1
                    core.budgets.release(permit, held=not reserved)
            except OdooError as exc:
                stats.errors += 1
                missing = database_not_found(exc, db=core.credentials.db, url=core.http.base_url)
                if missing is not None:
                    if record is not None:
                        record.failed(missing, retried=False)
                    raise missing from exc
                decision = retry_decision(
                    exc,
                    method=method,
                    idempotent=idempotent,
                    attempt=attempt,
                    policy=policy,
                    stale_retried=stale_retried,
                )
                where = f"{model or 'common'}.{method}"
                if record is not None:
                    record.failed(exc, retried=decision.retry)
                if not decision.retry:
                    if logger.isEnabledFor(logging.DEBUG):
                        logger.debug(
                            "%s attempt %d failed after %.1f ms: %s: %s (%s)",
                            where,
                            attempt + 1 + stale_retried,
                            (time.perf_counter() - started) * 1000,
                            type(exc).__name__,
                            exc,
                            decision.reason,
                        )
                    if retried:
                        _log_summary(where, retried, first_started, failed=exc)
                    raise
                # Each retry at INFO, so that production logs show the client retrying.
                logger.info(
                    "%s attempt %d failed (%s: %s); %s, in %.2f s",
                    where,
                    attempt + 1 + stale_retried,
                    type(exc).__name__,
                    exc,
                    decision.reason,
                    decision.delay,
                )
                retried.append(type(exc).__name__)
                stats.retries += 1
                if decision.free:
                    stale_retried = True
                else:
                    attempt += 1
                await core.sleep(decision.delay)
                continue
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug(
                    "%s.%s ok in %.1f ms (attempt %d)",
                    model or "common",
                    method,
                    (time.perf_counter() - started) * 1000,
                    attempt + 1,
                )
            if retried:
                _log_summary(f"{model or 'common'}.{method}", retried, first_started)
            return result


def _log_summary(
    where: str, retried: list[str], started: float, *, failed: BaseException | None = None
) -> None:
    """One line for a call that was retried: WARNING past one retry, else INFO.

    The record carries ``odoo_async_failed`` (the call's error, or None) for
    handlers that report a failure their own way, as the command does.
    """
    kinds = Counter(retried)
    shown = ", ".join(f"{count} x {name}" for name, count in kinds.items())
    outcome = (
        f"then failed ({type(failed).__name__}: {failed})"
        if failed is not None
        else "then succeeded"
    )
    level = logging.WARNING if len(retried) > 1 else logging.INFO
    logger.log(
        level,
        "%s needed %d %s (%s) over %.1f s, %s",
        where,
        len(retried),
        "retries" if len(retried) > 1 else "retry",
        shown,
        time.perf_counter() - started,
        outcome,
        extra={"odoo_async_failed": failed},
    )


async def single_flight(core: Core, slot: str, run: Callable[[], Awaitable[T]]) -> T:
    """Run ``run()`` once for every concurrent caller; each awaits the same outcome.

    The work runs in its own task, so a caller that is cancelled does not
    cancel it for the others. When it ends, the slot is freed: a failure is
    not cached here, the next call tries again.
    """
    task: asyncio.Future[T] | None = getattr(core, slot)
    if task is None:
        task = asyncio.ensure_future(run())
        setattr(core, slot, task)

        def done(finished: asyncio.Future[T]) -> None:
            if getattr(core, slot) is finished:
                setattr(core, slot, None)
            if not finished.cancelled():
                finished.exception()  # retrieved: every caller may have gone

        task.add_done_callback(done)
    return await asyncio.shield(task)
