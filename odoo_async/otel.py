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
module attribute that is ``None``; OpenTelemetry is imported by :func:`instrument`
only (:mod:`odoo_async._opentelemetry`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from odoo_async import _telemetry
from odoo_async._check import check_str
from odoo_async._telemetry import NULL_SPAN, AttributeValue

__all__ = ["instrument", "is_instrumented", "span", "uninstrument"]


def instrument(*, tracer_provider: Any = None, meter_provider: Any = None) -> None:
    """Switch traces and metrics on for every client of this process.

    ``tracer_provider``, ``meter_provider``: where spans and measurements go;
    ``None`` (the default) takes OpenTelemetry's global providers. Calling it
    again replaces the providers.
    """
    try:
        from odoo_async._opentelemetry import OpenTelemetry
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] != "opentelemetry":
            raise
        raise ImportError(
            "odoo_async.otel.instrument() needs OpenTelemetry, which is not installed: "
            "pip install 'odoo_async[otel]'"
        ) from exc
    _telemetry.active = OpenTelemetry(tracer_provider, meter_provider)


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
