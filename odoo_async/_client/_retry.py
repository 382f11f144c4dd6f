"""When to retry a failed call, and how long to wait first.

Everything here is pure: no I/O, no clock, no event loop. The client runs the
loop (send, fail, :func:`retry_decision`, sleep, send again); this module only
answers the questions, so the answers can be checked with tables.

What is retried, and why::

    failure                                        read-only / idempotent   other methods
    ---------------------------------------------  -----------------------  -------------
    NOT_SENT: connect error, connect/pool timeout  retried                  retried
    STALE_CONNECTION: reused socket closed before  retried (once at once,   retried (same)
      any byte of the request was accepted          then as NOT_SENT)
    CONCURRENCY: ConcurrencyError fault            retried, longer backoff  retried, longer backoff
    RATE_LIMITED: HTTP 429 (Retry-After honoured)  retried                  not retried
    UNAVAILABLE: HTTP 502, 503, 504                retried                  not retried
    OVERLOADED: HTTP 500 with a non-JSON body      retried                  not retried
    TIMEOUT: read or write timeout                 retried                  not retried
    DROPPED: connection lost after sending         retried                  not retried
    everything else (faults, other 4xx/5xx, auth,  not retried              not retried
      session expired, protocol errors)

The first three cannot have changed anything on the server: the request never
reached Odoo, or Odoo rolled the transaction back. The next five may have
reached Odoo and done their work before the reply was lost, so only a call
that is harmless to replay (a read-only method, or one the caller marks
``idempotent``) is sent again. Authentication failures are never replayed:
Odoo locks an address out after a few failed logins.

Delays follow openai-python's shape: ``min(initial_delay * 2**n, max_delay)``
(from :func:`backoff.expo`), shortened by up to ``jitter`` of itself; a
server's ``Retry-After`` wins, capped at ``max_retry_after``.
"""

from __future__ import annotations

import dataclasses
import enum
import itertools
import math
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import backoff

from odoo_async._check import check_bool, check_instance, check_int, check_number
from odoo_async._config import (
    CONCURRENCY_DELAY_FACTOR,
    INITIAL_DELAY,
    JITTER,
    MAX_DELAY,
    MAX_RETRIES,
    MAX_RETRY_AFTER,
)
from odoo_async._errors import (
    AccessDenied,
    AuthenticationError,
    ConcurrencyError,
    ConnectError,
    HTTPStatusError,
    ProtocolError,
    ProxyAuthenticationError,
    RequestTimeout,
    RPCError,
    SessionExpired,
    TransportError,
)

__all__ = [
    "READ_ONLY_METHODS",
    "RETRY_RULES",
    "Decision",
    "FailureKind",
    "RetryPolicy",
    "When",
    "check_retry",
    "classify",
    "compute_delay",
    "is_read_only",
    "retry_decision",
]

#: Methods that change nothing on the server, so a call whose reply was lost
#: may be sent again. ORM reads of Odoo 16 to 19 (some exist only in some
#: versions; an absent name costs nothing), access checks that only raise,
#: and the ``common`` service's ``version``. ``name_create``, ``onchange``,
#: ``copy`` and every custom method are left out: mark such calls idempotent.
READ_ONLY_METHODS: frozenset[str] = frozenset(
    {
        # ORM reads
        "search",
        "search_count",
        "search_read",
        "search_fetch",
        "read",
        "fetch",
        "read_group",
        "formatted_read_group",
        "name_search",
        "name_get",
        "exists",
        "fields_get",
        "default_get",
        "get_views",
        "fields_view_get",
        "load_views",
        "get_metadata",
        "copy_data",
        # web client reads
        "web_read",
        "web_search_read",
        "web_read_group",
        "read_progress_bar",
        # access checks (raise or return, never write)
        "check_access_rights",
        "check_access_rule",
        "check_access",
        "has_access",
        "check_field_access_rights",
        # res.users / common service
        "context_get",
        "version",
    }
)


def is_read_only(method: str) -> bool:
    """Whether ``method`` is in :data:`READ_ONLY_METHODS` (exact, case-sensitive)."""
    return method in READ_ONLY_METHODS


# --------------------------------------------------------------------------- policy


@dataclass(frozen=True, kw_only=True, slots=True)
class RetryPolicy:
    """How often and how patiently a failed call is retried.

    ``max_retries`` is the number of retries after the first attempt (so at most
    ``max_retries + 1`` requests). Durations are seconds. ``jitter`` is the
    fraction (0 to 1) by which a delay may be shortened at random, so that many
    clients failing together do not come back together. ``max_retry_after`` caps
    a server's ``Retry-After``. ``ConcurrencyError`` faults wait
    ``concurrency_delay_factor`` times longer (Odoo already retried those five
    times itself). ``idempotent=True`` marks the calls it applies to as safe to
    replay even when they are not read-only.
    """

    max_retries: int = MAX_RETRIES
    initial_delay: float = INITIAL_DELAY
    max_delay: float = MAX_DELAY
    jitter: float = JITTER
    max_retry_after: float = MAX_RETRY_AFTER
    concurrency_delay_factor: float = CONCURRENCY_DELAY_FACTOR
    idempotent: bool = False

    #: No retries at all (still, see :class:`FailureKind` ``STALE_CONNECTION``).
    NONE: ClassVar[RetryPolicy]

    def __post_init__(self) -> None:
        where = "RetryPolicy"
        check_int("max_retries", self.max_retries, minimum=0, where=where)
        for name in ("initial_delay", "max_delay", "max_retry_after"):
            check_number(name, getattr(self, name), where=where)
        check_number("jitter", self.jitter, maximum=1.0, where=where)
        check_number(
            "concurrency_delay_factor", self.concurrency_delay_factor, minimum=1, where=where
        )
        check_bool("idempotent", self.idempotent, where=where)

    def replace(self, **changes: Any) -> RetryPolicy:
        """Return a copy with ``changes`` applied (validated like the constructor)."""
        return dataclasses.replace(self, **changes)

    def delay(self, attempt: int, *, rand: Callable[[], float] = random.random) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (0-based), with jitter."""
        return compute_delay(self, attempt, rand=rand)


RetryPolicy.NONE = RetryPolicy(max_retries=0)


def check_retry(value: Any, *, name: str = "retry", where: str | None = None) -> Any:
    """A :class:`RetryPolicy`, or ``None`` (no retries)."""
    accepted = "a RetryPolicy (such as RetryPolicy(max_retries=5)) or None"
    return check_instance(name, value, RetryPolicy, accepted, none=True, where=where)


# --------------------------------------------------------------------------- delays


def _expo(initial: float, cap: float, attempt: int) -> float:
    """``min(initial * 2**attempt, cap)``, as :func:`backoff.expo` yields it."""
    if initial <= 0 or cap <= 0:
        return 0.0
    # Past this index backoff.expo only repeats the cap; don't walk further.
    last = math.ceil(math.log2(cap) - math.log2(initial)) + 1 if cap > initial else 0
    gen = backoff.expo(base=2, factor=initial, max_value=cap)
    next(gen)  # backoff's generators yield None first (for .send())
    try:
        value = next(itertools.islice(gen, min(attempt, last), None))
    except OverflowError:  # a sub-normal initial delay and a huge cap
        return cap
    return float(value)


def compute_delay(
    policy: RetryPolicy,
    attempt: int,
    *,
    retry_after: float | None = None,
    concurrency: bool = False,
    rand: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before retrying after failed attempt number ``attempt`` (0-based).

    Without ``retry_after``: ``min(initial_delay * 2**attempt, max_delay)``
    (both scaled by ``concurrency_delay_factor`` when ``concurrency``),
    multiplied by ``1 - jitter * rand()``. With ``retry_after`` (seconds, as
    :func:`parse_retry_after` gives): that value, clamped to
    ``[0, max_retry_after]``, without jitter; NaN is ignored. Never negative.
    """
    check_int("attempt", attempt, minimum=0)
    if retry_after is not None and not math.isnan(retry_after):
        return min(max(retry_after, 0.0), policy.max_retry_after)
    factor = policy.concurrency_delay_factor if concurrency else 1.0
    cap = min(policy.max_delay * factor, sys.float_info.max)
    delay = _expo(policy.initial_delay * factor, cap, attempt)
    shortening = policy.jitter * min(max(rand(), 0.0), 1.0)
    return max(delay * (1.0 - shortening), 0.0)


# --------------------------------------------------------------------------- decision


class When(enum.Enum):
    """Which calls a failure kind is retried for."""

    ALWAYS = "always"
    IF_SAFE = "read-only or idempotent calls only"
    NEVER = "never"


class FailureKind(enum.Enum):
    """What went wrong, as far as retrying is concerned (see the module docstring)."""

    NOT_SENT = "the request cannot have reached Odoo"
    WRONG_SCHEME = "https:// to a port that speaks plain HTTP (the URL is wrong)"
    CERTIFICATE = "the server's TLS certificate was refused (a private CA not given?)"
    STALE_CONNECTION = "a reused keep-alive connection was closed before the request was accepted"
    CONCURRENCY = "Odoo rolled the transaction back (concurrent update)"
    RATE_LIMITED = "HTTP 429"
    UNAVAILABLE = "HTTP 502/503/504"
    OVERLOADED = "HTTP 500 with a non-JSON body (e.g. Odoo's connection pool is full)"
    TIMEOUT = "read or write timeout: the request may have been processed"
    DROPPED = "the connection was lost after the request was sent"
    SESSION_EXPIRED = "the web session expired (re-authenticate, do not retry)"
    AUTHENTICATION = "login or credentials refused"
    FAULT = "Odoo raised an error while serving the call"
    HTTP_ERROR = "another HTTP error status"
    PROTOCOL = "the reply is not a valid JSON-RPC reply"
    OTHER = "not an Odoo error"

    @classmethod
    def of(cls, error: BaseException) -> FailureKind:
        """What ``error`` (raised by a call) is, for retrying: :func:`classify`."""
        return classify(error)


#: Failure kind -> which calls it is retried for.
RETRY_RULES: dict[FailureKind, When] = {
    FailureKind.NOT_SENT: When.ALWAYS,
    FailureKind.WRONG_SCHEME: When.NEVER,
    FailureKind.CERTIFICATE: When.NEVER,
    FailureKind.STALE_CONNECTION: When.ALWAYS,
    FailureKind.CONCURRENCY: When.ALWAYS,
    FailureKind.RATE_LIMITED: When.IF_SAFE,
    FailureKind.UNAVAILABLE: When.IF_SAFE,
    FailureKind.OVERLOADED: When.IF_SAFE,
    FailureKind.TIMEOUT: When.IF_SAFE,
    FailureKind.DROPPED: When.IF_SAFE,
    FailureKind.SESSION_EXPIRED: When.NEVER,
    FailureKind.AUTHENTICATION: When.NEVER,
    FailureKind.FAULT: When.NEVER,
    FailureKind.HTTP_ERROR: When.NEVER,
    FailureKind.PROTOCOL: When.NEVER,
    FailureKind.OTHER: When.NEVER,
}

_UNAVAILABLE_STATUSES = frozenset({502, 503, 504})
_NOT_SENT_LIMITS = frozenset({"connect", "pool"})


def _is_json(body: bytes) -> bool:
    head = body.lstrip()[:1]
    return head in (b"{", b"[")


def _classify_status(status: int | None, body: bytes) -> FailureKind | None:
    if status == 429:
        return FailureKind.RATE_LIMITED
    if status in _UNAVAILABLE_STATUSES:
        return FailureKind.UNAVAILABLE
    if status == 500 and not _is_json(body):
        return FailureKind.OVERLOADED
    return None


def classify(error: BaseException, *, stale_connection: bool = False) -> FailureKind:
    """Map an exception to a :class:`FailureKind`.

    ``stale_connection`` says that a plain :class:`TransportError` (not a
    status, timeout or connect error) happened on a reused keep-alive
    connection before any byte of the request was accepted. An error may say
    so itself with a true ``stale_connection`` attribute; an error with a false
    ``request_sent`` attribute counts as never sent.
    """
    if isinstance(error, ProxyAuthenticationError):
        return FailureKind.AUTHENTICATION
    if isinstance(error, ConnectError):
        if error.plain_http:
            return FailureKind.WRONG_SCHEME
        if error.certificate_refused:
            return FailureKind.CERTIFICATE
        return FailureKind.NOT_SENT
    if isinstance(error, RequestTimeout):
        return FailureKind.NOT_SENT if error.limit in _NOT_SENT_LIMITS else FailureKind.TIMEOUT
    if isinstance(error, HTTPStatusError):
        kind = _classify_status(error.status_code, error.body)
        return kind if kind is not None else FailureKind.HTTP_ERROR
    if isinstance(error, TransportError):
        if stale_connection or getattr(error, "stale_connection", False) is True:
            return FailureKind.STALE_CONNECTION
        if getattr(error, "request_sent", None) is False:
            return FailureKind.NOT_SENT
        return FailureKind.DROPPED
    if isinstance(error, ProtocolError):
        # A 200 reply that isn't JSON-RPC is a real answer: never replay it. A
        # proxy's error page that reached us as a ProtocolError counts by status.
        kind = None if error.status_code == 200 else _classify_status(error.status_code, b"")
        return kind if kind is not None else FailureKind.PROTOCOL
    if isinstance(error, ConcurrencyError):
        return FailureKind.CONCURRENCY
    if isinstance(error, SessionExpired):
        return FailureKind.SESSION_EXPIRED
    if isinstance(error, (AuthenticationError, AccessDenied)):
        return FailureKind.AUTHENTICATION
    if isinstance(error, RPCError):
        return FailureKind.FAULT
    return FailureKind.OTHER


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer of :func:`retry_decision`.

    ``retry``: send the call again after sleeping ``delay`` seconds. ``free``:
    this retry does not count against ``max_retries`` (the one immediate retry
    after a stale keep-alive connection); the caller then passes
    ``stale_retried=True`` next time instead of increasing ``attempt``.
    ``reason`` is a short text for logs.
    """

    retry: bool
    delay: float
    kind: FailureKind
    reason: str
    free: bool = False


def retry_decision(
    error: BaseException,
    *,
    method: str,
    idempotent: bool,
    attempt: int,
    policy: RetryPolicy,
    stale_connection: bool = False,
    stale_retried: bool = False,
    rand: Callable[[], float] = random.random,
) -> Decision:
    """Decide whether a call that failed with ``error`` is sent again, and when.

    ``attempt`` is the 0-based number of the attempt that just failed (0 for the
    first request); retries remain while ``attempt < policy.max_retries``. The
    call is safe to replay when ``method`` is read-only, or ``idempotent`` or
    ``policy.idempotent`` is true.

    A stale keep-alive connection gets one immediate retry that does not count
    (``free``), even under :attr:`RetryPolicy.NONE`: the request never reached
    Odoo, so sending it on a fresh connection is reconnecting, not retrying.
    A second stale connection in the same call counts as ``NOT_SENT``.
    """
    check_int("attempt", attempt, minimum=0)
    kind = classify(error, stale_connection=stale_connection)
    when = RETRY_RULES[kind]
    if when is When.NEVER:
        return Decision(False, 0.0, kind, f"not retried: {kind.value}")
    if kind is FailureKind.STALE_CONNECTION and not stale_retried:
        return Decision(True, 0.0, kind, "retried at once on a new connection", free=True)
    safe = idempotent or policy.idempotent or is_read_only(method)
    if when is When.IF_SAFE and not safe:
        return Decision(
            False,
            0.0,
            kind,
            f"not retried: {kind.value}, and {method!r} is not read-only "
            "and the call is not marked idempotent",
        )
    if attempt >= policy.max_retries:
        return Decision(
            False, 0.0, kind, f"not retried: {policy.max_retries} retries used ({kind.value})"
        )
    retry_after = getattr(error, "retry_after", None)
    if not isinstance(retry_after, (int, float)) or isinstance(retry_after, bool):
        retry_after = None
    delay = compute_delay(
        policy,
        attempt,
        retry_after=retry_after,
        concurrency=kind is FailureKind.CONCURRENCY,
        rand=rand,
    )
    return Decision(True, delay, kind, f"retry {attempt + 1} of {policy.max_retries}: {kind.value}")
