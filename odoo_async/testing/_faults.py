"""Fault injection for the Odoo test double: which calls fail, and how.

A :class:`FaultRule` hits the calls that match its ``model`` / ``method`` filters,
for its first ``times`` matches (or forever), each with probability ``rate`` (or
always). The draws come from a ``random.Random`` seeded by the server's seed, so a
run is repeatable. Kinds:

=================  ==========================================================
``"429"``          HTTP 429 from the proxy, with ``Retry-After`` when given
``"502"``          HTTP 502 Bad Gateway (proxy page, ``text/html``)
``"503"``          HTTP 503 Service Unavailable (proxy page)
``"504"``          HTTP 504 Gateway Timeout (proxy page)
``"html_500"``     HTTP 500 with Werkzeug's "Internal Server Error" page
``"drop"``         the connection is closed without a reply; the call is not run
``"lost"``         the call runs, then the connection is closed without a reply
``"slow"``         the call runs, then the reply waits ``delay`` seconds
``"concurrency"``  a ``psycopg2.errors.SerializationFailure`` fault (rolled back)
=================  ==========================================================
"""

from __future__ import annotations

import random
from typing import Final, Literal, get_args

from . import _wire

__all__ = ["FAULT_KINDS", "HTTP_FAULTS", "FaultKind", "FaultRule", "Injector", "http_fault_reply"]

FaultKind = Literal["429", "502", "503", "504", "html_500", "drop", "lost", "slow", "concurrency"]
FAULT_KINDS: Final[frozenset[str]] = frozenset(get_args(FaultKind))
#: the kinds answered by :func:`http_fault_reply`, whatever the protocol
HTTP_FAULTS: Final[frozenset[str]] = frozenset({"429", "502", "503", "504", "html_500"})

SERIALIZATION_FAILURE: Final = "psycopg2.errors.SerializationFailure"
SERIALIZATION_MESSAGE: Final = "could not serialize access due to concurrent update\n"

_PROXY_REASONS: Final = {
    "429": (429, "Too Many Requests"),
    "502": (502, "Bad Gateway"),
    "503": (503, "Service Temporarily Unavailable"),
    "504": (504, "Gateway Time-out"),
}


class FaultRule:
    """One injected fault; ``hits`` counts the calls it has hit so far."""

    __slots__ = ("delay", "hits", "kind", "method", "model", "rate", "retry_after", "times")

    def __init__(
        self,
        kind: FaultKind,
        *,
        times: int | None = None,
        rate: float | None = None,
        model: str | None = None,
        method: str | None = None,
        retry_after: float | str | None = None,
        delay: float = 0.0,
    ) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(FAULT_KINDS)}")
        if times is not None and times < 0:
            raise ValueError("times must be >= 0")
        if rate is not None and not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0.0 and 1.0")
        if delay < 0:
            raise ValueError("delay must be >= 0")
        if kind == "slow" and not delay:
            raise ValueError('a "slow" fault needs delay= (seconds)')
        self.kind: FaultKind = kind
        self.times = times
        self.rate = rate
        self.model = model
        self.method = method
        self.retry_after = retry_after
        self.delay = float(delay)
        self.hits = 0

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    def matches(self, model: str | None, method: str | None) -> bool:
        return (self.model is None or self.model == model) and (
            self.method is None or self.method == method
        )

    def __repr__(self) -> str:
        parts = [repr(self.kind)]
        for name in ("times", "rate", "model", "method", "retry_after"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={value!r}")
        if self.delay:
            parts.append(f"delay={self.delay!r}")
        parts.append(f"hits={self.hits}")
        return f"FaultRule({', '.join(parts)})"


class Injector:
    """The active rules, first match wins. Not thread-safe: the server locks around it."""

    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._random = random.Random(seed)
        self.rules: list[FaultRule] = []

    def add(self, rule: FaultRule) -> FaultRule:
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()
        self._random.seed(self._seed)

    def pick(self, model: str | None, method: str | None) -> FaultRule | None:
        """The rule hitting this call, if any (and count the hit)."""
        for rule in self.rules:
            if rule.exhausted or not rule.matches(model, method):
                continue
            if rule.rate is not None and self._random.random() >= rule.rate:
                continue
            rule.hits += 1
            return rule
        return None


def _retry_after_value(value: float | str) -> bytes:
    if isinstance(value, str):
        return value.encode()
    if float(value).is_integer():
        return str(int(value)).encode()
    return repr(float(value)).encode()


def http_fault_reply(rule: FaultRule) -> tuple[int, _wire.Headers, bytes]:
    """The HTTP reply of an HTTP-level fault (``429``, ``502``..``504``, ``html_500``)."""
    if rule.kind == "html_500":
        body = _wire.INTERNAL_SERVER_ERROR_PAGE
        return 500, _wire.html_headers(body), body
    status, reason = _PROXY_REASONS[rule.kind]
    body = _wire.proxy_page(status, reason)
    headers = _wire.html_headers(body)
    if rule.retry_after is not None:
        headers.append((b"retry-after", _retry_after_value(rule.retry_after)))
    return status, headers, body
