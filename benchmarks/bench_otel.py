"""What traces and metrics cost a call: off, on with no-op providers, on with the SDK.

The test double runs in its own process with no cost model; each measurement is
a fresh client process making ``--calls`` ``search_count`` calls one at a time
after the login and a warm-up, so the figures are the client's own cost per
call. The modes:

- ``off``: ``odoo_async.otel`` not instrumented (the default);
- ``noop``: ``instrument()`` with OpenTelemetry's no-op tracer and meter
  providers (what an application gets with the API but no SDK configured);
- ``sdk``: ``instrument()`` with the SDK's providers, every span kept
  (``SimpleSpanProcessor`` into an ``InMemorySpanExporter``) and the metrics
  read by an ``InMemoryMetricReader``: the most a call can cost here short of
  an exporter's own I/O.

The modes take turns, ``--repeat`` rounds; the best run of each is kept.

    python -m benchmarks.bench_otel [--calls 3000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from typing import Any

from benchmarks._support import child_json, save, served_double, table

MODES = ["off", "noop", "sdk"]


def _instrument(mode: str) -> Any:
    """Switch the mode on; returns what must stay alive (the exporter) or ``None``."""
    if mode == "off":
        return None
    from odoo_async import otel

    if mode == "noop":
        from opentelemetry.metrics import NoOpMeterProvider
        from opentelemetry.trace import NoOpTracerProvider

        otel.instrument(tracer_provider=NoOpTracerProvider(), meter_provider=NoOpMeterProvider())
        return None
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    otel.instrument(
        tracer_provider=tracer_provider, meter_provider=MeterProvider(metric_readers=[reader])
    )
    return spans, reader


async def _run(url: str, mode: str, calls: int) -> dict[str, Any]:
    from odoo_async import AsyncOdoo

    kept = _instrument(mode)
    async with AsyncOdoo(url, db="odoo", username="admin", password="admin") as odoo:
        await odoo.authenticate()
        for _ in range(200):  # warm the pool and the caches
            await odoo.execute_kw("res.partner", "search_count", [[]])
        started = time.perf_counter()
        for _ in range(calls):
            await odoo.execute_kw("res.partner", "search_count", [[]])
        seconds = time.perf_counter() - started
    out: dict[str, Any] = {"calls_per_s": round(calls / seconds), "us_per_call": seconds / calls}
    if kept is not None:
        spans, _ = kept
        out["spans"] = len(spans.get_finished_spans())
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_otel")
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="off", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(asyncio.run(_run(args.child, args.mode, args.calls))))
        return 0
    best: dict[str, dict[str, Any]] = {}
    with served_double(partners=100) as url:
        for _ in range(args.repeat):
            for mode in MODES:
                result = child_json(
                    "benchmarks.bench_otel",
                    *("--calls", str(args.calls), "--mode", mode, "--child", url),
                )
                if mode not in best or result["calls_per_s"] > best[mode]["calls_per_s"]:
                    best[mode] = result
    base = best["off"]["us_per_call"]
    rows = [
        {
            "mode": mode,
            "calls/s": best[mode]["calls_per_s"],
            "us/call": f"{best[mode]['us_per_call'] * 1e6:.1f}",
            "vs off": f"{(best[mode]['us_per_call'] - base) * 1e6:+.1f} us",
            "spans": best[mode].get("spans", ""),
        }
        for mode in MODES
    ]
    print(
        f"traces and metrics: {args.calls:,} search_count calls one at a time, best of "
        f"{args.repeat} fresh processes per mode; test double in another process, no cost "
        f"model; load average {os.getloadavg()[0]:.1f}"
    )
    print(table(rows, ["mode", "calls/s", "us/call", "vs off", "spans"]))
    print(f"written to {save('otel', rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
