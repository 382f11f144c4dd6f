"""Traces and metrics with OpenTelemetry: :func:`instrument` switches them on.

Needs the ``odoo_async[otel]`` extra (``opentelemetry-api``); this module
imports without it, and :func:`instrument` then says what to install. The
shape is OpenTelemetry's own instrumentors' (``opentelemetry-instrumentation-httpx``):
``instrument(tracer_provider=, meter_provider=)`` (the global providers by
default), ``uninstrument()``. It covers every client in the process, async and
blocking, made before or after.

On:

- every RPC is a ``CLIENT`` span named ``model/method`` (``common/authenticate``
  for the login), retries included, with the attributes of OpenTelemetry's RPC
  conventions (``rpc.system``, ``rpc.service`` = the model, ``rpc.method``,
  ``server.address``, ``server.port``, ``error.type``) and ``odoo.db``,
  ``odoo.protocol``, ``odoo.attempts``; each retry is an ``odoo.retry`` event;
- each HTTP request carries the span's ``traceparent`` (W3C trace context, through
  :func:`opentelemetry.propagate.inject`), so a server that reads it can join the trace;
- jobs (``export``, ``sync``, ``upsert``) and the pages of ``search_read`` are
  spans around the RPCs they make;
- metrics: ``rpc.client.call.duration`` (seconds, a histogram; by model, method,
  protocol, server and ``odoo.outcome``, with ``error.type`` on failures),
  ``odoo_async.client.retries`` and ``odoo_async.client.errors`` (counters of
  attempts, by ``error.type``), ``odoo_async.client.limiter.wait`` and
  ``odoo_async.client.budget.wait`` (seconds an attempt waited for the client's
  own limits and for a shared budget, histograms).

Never recorded: a password or key, the arguments of a call, a domain's values,
a record's values, an error's message (it may quote a value): an error is its
class only.

Off (the default, and after :func:`uninstrument`), every hook is one read of a
module attribute that is ``None``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, MutableMapping
from types import TracebackType
from typing import Any, Final
from urllib.parse import urlsplit

from odoo_async import __version__, _telemetry
from odoo_async._check import check_str
from odoo_async._telemetry import NULL_SPAN, AttributeValue, CallRecord, Telemetry

try:
    from opentelemetry import context as otel_context
    from opentelemetry import metrics, propagate, trace
    from opentelemetry.trace import SpanKind, Status, StatusCode
except ImportError as exc:  # without the extra: instrument() says what to install
    _MISSING: ImportError | None = exc
else:
    _MISSING = None

__all__ = ["instrument", "is_instrumented", "span", "uninstrument"]

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


def instrument(*, tracer_provider: Any = None, meter_provider: Any = None) -> None:
    """Switch traces and metrics on for every client of this process.

    ``tracer_provider``, ``meter_provider``: where spans and measurements go;
    ``None`` (the default) takes OpenTelemetry's global providers. Calling it
    again replaces the providers.
    """
    if _MISSING is not None:
        raise ImportError(
            "odoo_async.otel.instrument() needs OpenTelemetry, which is not installed: "
            "pip install 'odoo_async[otel]'"
        ) from _MISSING
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
    _telemetry.active = _OpenTelemetry(tracer_provider, meter_provider)


def uninstrument() -> None:
    """Switch traces and metrics off: nothing more is recorded (calls under way end their spans)."""
    _telemetry.active = None


def is_instrumented() -> bool:
    """Whether :func:`instrument` is in force."""
    return _telemetry.active is not None


def span(name: str, attributes: Mapping[str, AttributeValue] | None = None) -> Any:
    """A context manager: a span named ``name`` around the block when instrumented,
    current inside it (the RPCs made there are its children); nothing otherwise.

    It gives an object with ``set_attribute(key, value)``. The jobs use it; a
    worker may too, without importing OpenTelemetry itself.
    """
    check_str("name", name, accepted="a span name such as 'nightly export'")
    telemetry = _telemetry.active
    if telemetry is None:
        return NULL_SPAN
    return telemetry.span(name, attributes)


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


class _OpenTelemetry(Telemetry):
    """The hooks, reporting to one tracer and one meter."""

    def __init__(self, tracer_provider: Any, meter_provider: Any) -> None:
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

    def __init__(self, otel: _OpenTelemetry, kind: _Kind) -> None:
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
