"""Riding through an outage: a job waits for a server that went away, up to ``outage`` seconds.

Odoo restarts on every deploy: for a few seconds it refuses connections, resets
them, or (behind a proxy) answers 502/503/504. The client retries such calls
by its :class:`~odoo_async.RetryPolicy` (a couple of times, within seconds);
a job adds this allowance on top: it waits with backoff and tries again until
the server answers, or until the server has been unreachable for ``outage``
seconds, and then stops with the error the client raised.

What a job may do again depends on how far the failed call got (the client's
:meth:`FailureKind.of <odoo_async.FailureKind.of>` tells, from the transport's trace)::

    failure (after the client's own retries)      kind        a read    a create / write
    --------------------------------------------  ----------  --------  -------------------------
    connection refused, connect timeout,          NOT_SENT    again     again (it never ran)
      stale keep-alive connection
    HTTP 502, 503, 504, an HTML 500 page (a      UNKNOWN     again     settled: look up what
      server stopping, a full pool); connection                         landed, then do the rest
      reset or closed after the request was sent
    anything else (faults, timeouts, 4xx...)      NONE        raised    raised

The time is the server's: it counts from the first failure any call of the job
saw, and ends with the first call that succeeds. With an injected ``sleep``
(tests) the time slept counts too, so that an outage can be longer than the
allowance without waiting for it.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio

from odoo_async import AsyncOdoo, FailureKind, OdooError, RetryPolicy

__all__ = ["DEFAULT_OUTAGE", "Outage", "Patience", "check_outage", "outage_kind"]

T = TypeVar("T")

#: Seconds a job waits for a server that went away before it stops.
DEFAULT_OUTAGE = 60.0
#: The shape of the waits between tries: 0.5 s, doubling, at most 5 s (a server
#: that is back is noticed within 5 s), shortened by up to a quarter at random.
_WAITS = RetryPolicy(initial_delay=0.5, max_delay=5.0, jitter=0.25)

logger = logging.getLogger("odoo_async.jobs")


class Outage(enum.Enum):
    """What a failed call says about the server, for a job (see the module docstring)."""

    NOT_SENT = "the server is unreachable; the call never reached Odoo"
    UNKNOWN = "the server went away with the call sent; it may have run"
    NONE = "not an outage"


_KINDS: dict[FailureKind, Outage] = {
    FailureKind.NOT_SENT: Outage.NOT_SENT,
    FailureKind.STALE_CONNECTION: Outage.NOT_SENT,
    FailureKind.UNAVAILABLE: Outage.UNKNOWN,
    FailureKind.OVERLOADED: Outage.UNKNOWN,
    FailureKind.DROPPED: Outage.UNKNOWN,
}


def outage_kind(error: BaseException) -> Outage:
    """Whether ``error`` (raised by the client) means the server is away, and how far
    the call got. Pure: a table of the client's failure kinds."""
    return _KINDS.get(FailureKind.of(error), Outage.NONE)


def check_outage(outage: float) -> float:
    """``outage=`` as the jobs take it: seconds, a number ``>= 0``."""
    if isinstance(outage, bool) or not isinstance(outage, (int, float)):
        raise TypeError(f"outage must be a number of seconds, not {type(outage).__name__}")
    if not outage >= 0:  # NaN too
        raise ValueError(f"outage must be >= 0 seconds, got {outage}")
    return float(outage)


def _sleep_of(odoo: Any) -> Callable[[float], Awaitable[Any]]:
    """The client's ``sleep=`` (a test's fake one), so that a job waits as its client does."""
    if isinstance(odoo, AsyncOdoo):
        return odoo.sleep
    return anyio.sleep


class Patience:
    """One job's allowance for outages: how long it waits, and the log of its waits.

    ``what`` names the job in the log (``"export res.partner"``). Shared by the
    job's concurrent calls; each call keeps its own count of tries (:class:`Wait`).
    """

    def __init__(
        self,
        odoo: Any,
        outage: float,
        what: str,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.outage = check_outage(outage)
        self.what = what
        self.sleep = _sleep_of(odoo)
        self.clock = clock
        self.down_since: float | None = None
        #: Counts the outages, so that a call's tries start again with each one.
        self.episode = 0
        #: The longest any call has slept in this outage (the time with a fake sleep).
        self.slept = 0.0
        #: The error the job stopped on, once the allowance was spent.
        self.gave_up: BaseException | None = None

    def down_for(self) -> float:
        if self.down_since is None:
            return 0.0
        return max(self.clock() - self.down_since, self.slept)

    def wait(self) -> Wait:
        """A fresh count of tries, for one call that may have to wait."""
        return Wait(self)

    def back(self) -> None:
        """A call succeeded: the outage, if there was one, is over."""
        if self.down_since is None:
            return
        logger.warning(
            "%s: the server answers again after %.1f s; the job goes on", self.what, self.down_for()
        )
        self.down_since = None
        self.slept = 0.0
        self.episode += 1

    async def call(self, send: Callable[[], Awaitable[T]]) -> T:
        """``await send()``, sent again after each outage failure while the allowance lasts.

        For calls that are safe to send again: reads. A write tells
        :attr:`Outage.NOT_SENT` from :attr:`Outage.UNKNOWN` with its own
        :meth:`wait` (what :class:`Wait` returns) and settles the second.
        """
        wait = self.wait()
        while True:
            try:
                result = await send()
            except OdooError as exc:
                await wait(exc)
                continue
            self.back()
            return result


class Wait:
    """The tries of one call: ``await wait(error)`` sleeps before the next one, or raises
    ``error`` when it is no outage or the job's allowance is spent."""

    __slots__ = ("attempt", "episode", "patience", "slept")

    def __init__(self, patience: Patience) -> None:
        self.patience = patience
        self.episode = patience.episode
        self.attempt = 0
        self.slept = 0.0

    async def __call__(self, error: BaseException) -> Outage:
        kind = outage_kind(error)
        if kind is Outage.NONE:
            raise error
        p = self.patience
        if p.down_since is None:
            p.down_since = p.clock()
            p.slept = 0.0
            logger.warning(
                "%s: the server is unreachable (%s: %s); waiting up to %g s for it (outage)",
                p.what,
                type(error).__name__,
                error,
                p.outage,
            )
        if self.episode != p.episode:  # an outage since this call's last one
            self.episode, self.attempt, self.slept = p.episode, 0, 0.0
        waited = max(p.down_for(), self.slept)
        left = p.outage - waited
        if left <= 0:
            if p.gave_up is None:
                p.gave_up = error
                logger.warning(
                    "%s: the server is still unreachable after %.1f s (outage %g s); stopping",
                    p.what,
                    waited,
                    p.outage,
                )
            raise error
        delay = min(_WAITS.delay(self.attempt), left)
        logger.info(
            "%s: the server is unreachable for %.1f s (%s); trying again in %.2f s",
            p.what,
            waited,
            type(error).__name__,
            delay,
        )
        self.attempt += 1
        await p.sleep(delay)
        self.slept += delay
        p.slept = max(p.slept, self.slept)
        return kind
