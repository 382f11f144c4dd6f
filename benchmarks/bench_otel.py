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

A second table repeats the calls in-process, on an ``httpx.MockTransport``
that answers at once (``--inproc-calls``, default 20,000): no socket and no
other process, so the client's CPU per call is measured with less noise and a
few microseconds show.

``--baseline DIR`` adds ``base``: the ``off`` run with the ``odoo_async`` of
another checkout (``DIR``, e.g. one from before the hooks existed), to see what
the hooks cost when off.

Each run reports calls/s (wall time) and the client process's CPU time per
call, which a machine shared with other work disturbs less. The modes take
turns, ``--repeat`` rounds; the best run of each is kept.

    python -m benchmarks.bench_otel [--calls 3000] [--repeat 3] [--baseline DIR]
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
    if mode in ("off", "base"):
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


def _answer(request: Any) -> Any:
    import httpx

    return httpx.Response(200, json={"jsonrpc": "2.0", "id": 1, "result": 2})


async def _run(url: str, mode: str, calls: int) -> dict[str, Any]:
    import httpx

    from odoo_async import AsyncOdoo

    kept = _instrument(mode)
    options: dict[str, Any] = {}
    if url == "inproc":
        options["transport"] = httpx.MockTransport(_answer)
        url = "http://odoo.test"
    async with AsyncOdoo(url, db="odoo", username="admin", password="admin", **options) as odoo:
        await odoo.authenticate()
        for _ in range(200):  # warm the pool and the caches
            await odoo.execute_kw("res.partner", "search_count", [[]])
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(calls):
            await odoo.execute_kw("res.partner", "search_count", [[]])
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
    out: dict[str, Any] = {"calls_per_s": round(calls / seconds), "cpu_per_call": cpu / calls}
    if kept is not None:
        spans, _ = kept
        out["spans"] = len(spans.get_finished_spans())
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_otel")
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--inproc-calls", type=int, default=20_000)
    parser.add_argument("--baseline", default=None, metavar="DIR")
    parser.add_argument("--mode", default="off", choices=[*MODES, "base"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        if args.mode == "base":
            sys.path.insert(0, args.baseline)  # that checkout's odoo_async, not this one's
        print(json.dumps(asyncio.run(_run(args.child, args.mode, args.calls))))
        return 0
    modes = MODES if args.baseline is None else ["base", *MODES]
    baseline = () if args.baseline is None else ("--baseline", os.path.abspath(args.baseline))
    with served_double(partners=100) as url:
        double = _measure(url, args.calls, args.repeat, modes, baseline)
    inproc = _measure("inproc", args.inproc_calls, args.repeat, modes, baseline)
    print(
        f"traces and metrics: {args.calls:,} search_count calls one at a time, best of "
        f"{args.repeat} fresh processes per mode; test double in another process, no cost "
        f"model; load average {os.getloadavg()[0]:.1f}"
    )
    columns = ["mode", "calls/s", "client CPU us/call", "vs off", "spans"]
    print(table(double, columns))
    print(f"\nthe same, {args.inproc_calls:,} calls in-process (httpx.MockTransport)")
    print(table(inproc, columns))
    print(f"written to {save('otel', {'double': double, 'inproc': inproc})}")
    return 0


def _measure(
    url: str, calls: int, repeat: int, modes: list[str], baseline: tuple[str, ...]
) -> list[dict[str, Any]]:
    """The best of ``repeat`` fresh processes per mode, the modes taking turns."""
    wall: dict[str, int] = {}
    cpu: dict[str, float] = {}
    spans: dict[str, int] = {}
    for _ in range(repeat):
        for mode in modes:
            result = child_json(
                "benchmarks.bench_otel",
                *("--calls", str(calls), "--mode", mode, "--child", url, *baseline),
            )
            wall[mode] = max(wall.get(mode, 0), result["calls_per_s"])
            cpu[mode] = min(cpu.get(mode, float("inf")), result["cpu_per_call"])
            spans[mode] = result.get("spans", 0)
    return [
        {
            "mode": mode,
            "calls/s": wall[mode],
            "client CPU us/call": f"{cpu[mode] * 1e6:.1f}",
            "vs off": f"{(cpu[mode] - cpu['off']) * 1e6:+.1f} us",
            "spans": spans[mode] or "",
        }
        for mode in modes
    ]


if __name__ == "__main__":
    sys.exit(main())
