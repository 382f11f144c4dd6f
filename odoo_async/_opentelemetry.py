"""The hooks of :mod:`odoo_async._telemetry` on OpenTelemetry's API.

Imported by :func:`odoo_async.otel.instrument` only, so that importing
:mod:`odoo_async.otel` (and the jobs, which use it) does not import
OpenTelemetry. See :mod:`odoo_async.otel` for what is recorded.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, MutableMapping
from types import TracebackType
from typing import Any, Final
from urllib.parse import urlsplit

from opentelemetry import context as otel_context
from opentelemetry import metrics, propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from odoo_async import __version__
from odoo_async._telemetry import AttributeValue, CallRecord, Telemetry

__all__ = ["SCOPE", "OpenTelemetry", "error_type"]

#: The instrumentation scope's name (the tracer's and the meter's).
SCOPE: Final = "odoo_async"

#: ``rpc.system`` by protocol: the two JSON-RPC envelopes are "jsonrpc", as the
#: conventions name it; a protocol not listed is its own name.
_SYSTEMS: Final = {
    "jsonrpc": "jsonrpc",
    "web": "jsonrpc",
    "xmlrpc": "xmlrpc",
    "json2": "odoo_json2",
}

#: Seconds: the buckets OpenTelemetry's conventions advise for call durations.
_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)


def error_type(exc: BaseException) -> str:
    """An error's class, as ``error.type`` holds it: fully qualified, builtins bare."""
    cls = type(exc)
    if cls.__module__ == "builtins":
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


def _server(url: str) -> dict[str, AttributeValue]:
    """``server.address`` and ``server.port`` of a base URL (never its user or password)."""
    parts = urlsplit(url)
    found: dict[str, AttributeValue] = {}
    if parts.hostname:
        found["server.address"] = parts.hostname
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    if port is not None:
        found["server.port"] = port
    return found


class OpenTelemetry(Telemetry):
    """The hooks, reporting to one tracer and one meter."""

    def __init__(self, tracer_provider: Any, meter_provider: Any) -> None:
        if tracer_provider is not None and not isinstance(tracer_provider, trace.TracerProvider):
            raise TypeError(
                "tracer_provider must be an opentelemetry.trace.TracerProvider or None, "
                f"got {type(tracer_provider).__name__}"
            )
        if meter_provider is not None and not isinstance(meter_provider, metrics.MeterProvider):
            raise TypeError(
                "meter_provider must be an opentelemetry.metrics.MeterProvider or None, "
                f"got {type(meter_provider).__name__}"
            )
        self.tracer = trace.get_tracer(SCOPE, __version__, tracer_provider)
        meter = metrics.get_meter(SCOPE, __version__, meter_provider)
        self.duration = meter.create_histogram(
            "rpc.client.call.duration",
            unit="s",
            description="Duration of an Odoo call, retries and waits included.",
            explicit_bucket_boundaries_advisory=_BUCKETS,
        )
        self.retries = meter.create_counter(
            "odoo_async.client.retries", unit="{retry}", description="Attempts retried."
        )
        self.errors = meter.create_counter(
            "odoo_async.client.errors", unit="{error}", description="Attempts that failed."
        )
        self.limiter_wait = meter.create_histogram(
            "odoo_async.client.limiter.wait",
            unit="s",
            description="Time an attempt waited for the client's rate limit and concurrency.",
            explicit_bucket_boundaries_advisory=_BUCKETS,
        )
        self.budget_wait = meter.create_histogram(
            "odoo_async.client.budget.wait",
            unit="s",
            description="Time an attempt waited for a shared budget (RedisBudget).",
            explicit_bucket_boundaries_advisory=_BUCKETS,
        )
        self._kinds: dict[tuple[str | None, str, str, str, str], _Kind] = {}

    def call(
        self, *, model: str | None, method: str, protocol: str, url: str, db: str
    ) -> CallRecord:
        key = (model, method, protocol, url, db)
        kind = self._kinds.get(key)
        if kind is None:
            if len(self._kinds) > 4096:  # many models or servers: start again
                self._kinds.clear()
            kind = self._kinds[key] = _Kind(model, method, protocol, url, db)
        return _Call(self, kind)

    def span(self, name: str, attributes: Mapping[str, AttributeValue] | None = None) -> Any:
        return _Span(self.tracer, name, attributes)

    def inject(self, headers: MutableMapping[str, str]) -> None:
        propagate.inject(headers)


class _Kind:
    """What every call of one model, method, protocol, server and database shares:
    its span's name and attributes and its measurements' attributes, made once."""

    __slots__ = ("common", "name", "ok", "span")

    def __init__(self, model: str | None, method: str, protocol: str, url: str, db: str) -> None:
        service = model or "common"
        system = _SYSTEMS.get(protocol, protocol)
        self.name = f"{service}/{method}"
        #: The measurements' attributes (no database: one series per server and call).
        self.common: dict[str, AttributeValue] = {
            "rpc.system": system,
            "rpc.service": service,
            "rpc.method": method,
            "odoo.protocol": protocol,
            **_server(url),
        }
        self.ok: dict[str, AttributeValue] = {**self.common, "odoo.outcome": "ok"}
        self.span: dict[str, AttributeValue] = {**self.common, "odoo.db": db}
        if system == "jsonrpc":
            self.span["rpc.jsonrpc.version"] = "2.0"


class _Call(CallRecord):
    """One RPC's span and measurements."""

    __slots__ = ("_attempts", "_kind", "_otel", "_span", "_started", "_token")

    def __init__(self, otel: OpenTelemetry, kind: _Kind) -> None:
        self._otel = otel
        self._kind = kind
        self._attempts = 0

    def __enter__(self) -> _Call:
        kind = self._kind
        self._span = self._otel.tracer.start_span(
            kind.name, kind=SpanKind.CLIENT, attributes=kind.span
        )
        self._token = otel_context.attach(trace.set_span_in_context(self._span))
        self._started = time.perf_counter()
        return self

    def waited(self, local: float, shared: float | None) -> None:
        self._attempts += 1
        common = self._kind.common
        self._otel.limiter_wait.record(local, common)
        if shared is not None:
            self._otel.budget_wait.record(shared, common)

    def failed(self, exc: BaseException, *, retried: bool) -> None:
        kind = error_type(exc)
        measured = {**self._kind.common, "error.type": kind}
        self._otel.errors.add(1, measured)
        if retried:
            self._otel.retries.add(1, measured)
            self._span.add_event("odoo.retry", {"error.type": kind, "odoo.attempt": self._attempts})

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        elapsed = time.perf_counter() - self._started
        span = self._span
        span.set_attribute("odoo.attempts", self._attempts)
        measured = self._kind.ok
        if exc is not None:
            kind = error_type(exc)
            measured = {**self._kind.common, "odoo.outcome": "error", "error.type": kind}
            span.set_attribute("error.type", kind)
            span.set_status(Status(StatusCode.ERROR, kind))
        span.end()
        otel_context.detach(self._token)
        self._otel.duration.record(elapsed, measured)


class _Span:
    """A job's or a page's span, current inside the block; an error is its class only."""

    __slots__ = ("_attributes", "_name", "_span", "_token", "_tracer")

    def __init__(
        self, tracer: Any, name: str, attributes: Mapping[str, AttributeValue] | None
    ) -> None:
        self._tracer = tracer
        self._name = name
        self._attributes = attributes

    def __enter__(self) -> Any:
        self._span = self._tracer.start_span(self._name, attributes=self._attributes)
        self._token = otel_context.attach(trace.set_span_in_context(self._span))
        return self._span

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is not None:
            kind = error_type(exc)
            self._span.set_attribute("error.type", kind)
            self._span.set_status(Status(StatusCode.ERROR, kind))
        self._span.end()
        otel_context.detach(self._token)
