"""``bench``: load-test a method of an Odoo server (odoo_async.jobs.bench and ramp)."""

from __future__ import annotations

import click

from odoo_async.jobs import BenchResult, bench, ramp

from ._main import (
    EXIT_SOME_FAILED,
    CliError,
    Connection,
    connection_options,
    parse_call_args,
    run,
)
from ._output import emit_json, progress_bar, stdout, table

__all__ = ["COMMANDS"]


def _ms(seconds: float, result: BenchResult) -> str:
    """A latency in ms; ``-`` when no call of the step succeeded (nothing to measure)."""
    return f"{seconds * 1000:,.1f}" if result.ok else "-"


def _row(result: BenchResult) -> list[object]:
    return [
        result.concurrency,
        result.calls,
        f"{result.calls_per_second:,.1f}",
        _ms(result.p50, result),
        _ms(result.p95, result),
        _ms(result.p99, result),
        _ms(result.max, result),
        f"{result.error_rate:.1%}",
    ]


def _errors(results: list[BenchResult]) -> None:
    """Each step's errors by kind, with the first message of each kind."""
    for result in results:
        if result.errors:
            stdout.print(f"errors at concurrency {result.concurrency}:")
            for kind, n in result.errors.items():
                message = result.messages.get(kind)
                first = f": first was {message}" if message else ""
                stdout.print(f"  {kind} x {n:,}{first}", markup=False, soft_wrap=True)


def _nothing_measured(results: list[BenchResult]) -> int:
    """The exit status: 3 (and a line on stderr) when not one call succeeded."""
    if any(result.ok for result in results):
        return 0
    calls = sum(result.calls for result in results)
    click.echo(f"error: every call failed ({calls:,} of {calls:,}): nothing was measured", err=True)
    return EXIT_SOME_FAILED


_COLUMNS = [
    "conc.",
    "calls",
    "calls/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "max ms",
    "errors",
]


@click.command("bench")
@connection_options
@click.argument("model")
@click.argument("method")
@click.argument("args_json", required=False)
@click.argument("kwargs_json", required=False)
@click.option(
    "-c",
    "--concurrency",
    type=click.IntRange(1),
    default=8,
    show_default=True,
    help="calls in flight",
)
@click.option(
    "--rate",
    type=click.FloatRange(min=0, min_open=True),
    help="calls per second to aim at (default: as fast as it goes)",
)
@click.option(
    "-d",
    "--duration",
    type=click.FloatRange(min=0, min_open=True),
    help="seconds to run (each ramp step)",
)
@click.option("-n", "--calls", type=click.IntRange(1), help="number of calls (each ramp step)")
@click.option(
    "--ramp",
    "ramp_to",
    type=click.IntRange(1),
    help="step the concurrency from --concurrency up to this, doubling",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=0.01,
    show_default=True,
    help="ramp: error rate that counts as failing",
)
@click.option("--json", "as_json", is_flag=True, help="print one JSON object, no progress")
def bench_command(
    conn: Connection,
    model: str,
    method: str,
    args_json: str | None,
    kwargs_json: str | None,
    concurrency: int,
    rate: float | None,
    duration: float | None,
    calls: int | None,
    ramp_to: int | None,
    threshold: float,
    as_json: bool,
) -> None:
    """Call MODEL.METHOD(*ARGS_JSON, **KWARGS_JSON) under load; print calls/s,
    latency percentiles and errors by kind (calls are not retried).

    Example: odoo-async bench res.partner search_count '[[]]' -c 4 -d 10 --ramp 48
    """

    async def job() -> int:
        args, kwargs = parse_call_args(args_json, kwargs_json)
        if duration is None and calls is None:
            raise CliError("give --duration SECONDS or --calls N")
        if ramp_to is not None and ramp_to < concurrency:
            raise CliError("--ramp must be at least --concurrency")
        top = ramp_to or concurrency
        async with conn.client(max_concurrency=top) as odoo:
            if ramp_to is None:
                with progress_bar(
                    f"bench {model}.{method}", enabled=not as_json and calls is not None
                ) as progress:
                    result = await bench(
                        odoo, model, method, args, kwargs,
                        concurrency=concurrency, rate=rate, duration=duration, calls=calls,
                        progress=progress,
                    )  # fmt: skip
                if as_json:
                    emit_json(result.to_dict())
                else:
                    table(f"{model}.{method}", _COLUMNS, [_row(result)], text=())
                    _errors([result])
                return _nothing_measured([result])

            def step(result: BenchResult) -> None:
                if not as_json:
                    stdout.print(
                        f"  concurrency {result.concurrency:>4}: "
                        f"{result.calls_per_second:>9,.1f} calls/s, "
                        f"p99 {_ms(result.p99, result)}{' ms' if result.ok else ''}, "
                        f"errors {result.error_rate:.1%}"
                    )

            outcome = await ramp(
                odoo, model, method, args, kwargs,
                start=concurrency, stop=ramp_to, step_duration=duration, step_calls=calls,
                threshold=threshold, on_step=step,
            )  # fmt: skip
        if as_json:
            emit_json(outcome.to_dict())
            return _nothing_measured(outcome.steps)
        table(f"{model}.{method}: ramp", _COLUMNS, [_row(s) for s in outcome.steps], text=())
        _errors(outcome.steps)
        best = outcome.best
        if best is None:
            stdout.print(f"no step stayed within {threshold:.1%} errors")
        else:
            stdout.print(
                f"best step: concurrency {best.concurrency} "
                f"({best.calls_per_second:,.1f} calls/s, p99 {_ms(best.p99, best)} ms)"
            )
        if outcome.breaking_point is None:
            stdout.print(f"no step went over {threshold:.1%} errors (up to concurrency {ramp_to})")
        else:
            stdout.print(
                f"errors start at concurrency {outcome.breaking_point.concurrency} "
                f"({outcome.breaking_point.error_rate:.1%} > {threshold:.1%})"
            )
        return _nothing_measured(outcome.steps)

    run(job)


COMMANDS = [bench_command]
