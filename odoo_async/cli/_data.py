"""``export``, ``sync`` and ``import``: the data jobs of odoo_async.jobs from a shell."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import click

from odoo_async import DomainError, normalize_domain
from odoo_async.jobs import (
    DEFAULT_EXPORT_PAGE_SIZE,
    DEFAULT_SYNC_OVERLAP,
    DEFAULT_UPSERT_BATCH_SIZE,
    Shard,
    UpsertReport,
    check_columns,
    export,
    first_columns,
    read_rows,
    sync,
    upsert,
)

from ._main import EXIT_SOME_FAILED, CliError, Connection, connection_options, parse_json, run
from ._output import emit_json, progress_bar, stdout

__all__ = ["COMMANDS"]

F = TypeVar("F", bound=Callable[..., Any])


def parse_domain(text: str | None) -> list[Any]:
    domain = parse_json(text, "--domain", [])
    try:
        return normalize_domain(domain)
    except (DomainError, TypeError) as exc:
        raise CliError(f"--domain: {exc}") from None


def parse_fields(text: str | None) -> list[str] | None:
    if text is None:
        return None
    fields = [f.strip() for f in text.split(",") if f.strip()]
    if not fields:
        raise CliError("--fields: give field names separated by commas, such as name,email")
    return fields


class ShardType(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.2 on
    """``--shard I/N``: this worker's part of N, counted from 1."""

    name = "I/N"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Shard:
        if isinstance(value, Shard):
            return value
        try:
            return Shard.parse(value)
        except (TypeError, ValueError) as exc:
            self.fail(str(exc), param, ctx)


def _shard_option(what: str) -> Callable[[F], F]:
    return click.option("--shard", type=ShardType(), help=f"do part I of N (from 1): {what}")


def _rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f} rows/s" if seconds > 0 else "-"


@click.command("export")
@connection_options
@click.argument("model")
@click.option("--domain", help='a JSON domain, e.g. \'[["is_company", "=", true]]\'')
@click.option("--fields", help="comma-separated field names (default: every stored field)")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), required=True, help="file.jsonl or file.csv"
)
@click.option("--resume", is_flag=True, help="continue a killed export from its checkpoint")
@click.option(
    "--page-size",
    type=click.IntRange(1),
    default=None,
    help="rows a page  [default: adapts to the server]",
)
@_shard_option("the records with id % N == I - 1, to this worker's own -o file")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object, no progress")
def export_command(
    conn: Connection,
    model: str,
    domain: str | None,
    fields: str | None,
    output: str,
    resume: bool,
    page_size: int | None,
    shard: Shard | None,
    as_json: bool,
) -> None:
    """Write every MODEL record matching --domain to a JSON Lines or CSV file.

    A checkpoint (OUTPUT.checkpoint) is kept after every page: after a kill,
    the same command with --resume continues without duplicates or gaps.
    """

    async def job() -> None:
        query, names = parse_domain(domain), parse_fields(fields)
        async with conn.client() as odoo:
            with progress_bar(f"export {model}", enabled=not as_json) as progress:
                result = await export(
                    odoo.model(model),
                    query,
                    names,
                    output,
                    resume=resume,
                    page_size=page_size,
                    progress=progress,
                    shard=shard,
                )
        if as_json:
            emit_json(
                {
                    "model": model,
                    "output": output,
                    "shard": str(shard) if shard else None,
                    "rows": result.rows,
                    "resumed_from": result.resumed_from,
                    "elapsed": round(result.elapsed, 3),
                    "rows_per_second": round(result.rate, 1),
                }
            )
        else:
            resumed = f" ({result.resumed_from:,} before the resume)" if result.resumed_from else ""
            rate = _rate(result.rows - result.resumed_from, result.elapsed)
            stdout.print(
                f"exported {result.rows:,} {model} rows to {output}{resumed} "
                f"in {result.elapsed:.2f} s ({rate})"
            )

    run(job)


@click.command("sync")
@connection_options
@click.argument("model")
@click.option(
    "--state",
    type=click.Path(dir_okay=False),
    required=True,
    help="the state file (created on the first run)",
)
@click.option("--domain", help="a JSON domain")
@click.option("--fields", help="comma-separated field names")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    required=True,
    help="file.jsonl or file.csv (written anew)",
)
@click.option(
    "--overlap",
    type=click.FloatRange(0),
    default=DEFAULT_SYNC_OVERLAP,
    show_default=True,
    help="seconds before the watermark read again (transactions that commit late)",
)
@click.option(
    "--deletes/--no-deletes",
    default=True,
    show_default=True,
    help="report rows that left the query",
)
@click.option(
    "--page-size", type=click.IntRange(1), default=DEFAULT_EXPORT_PAGE_SIZE, show_default=True
)
@click.option("--json", "as_json", is_flag=True, help="print one JSON object, no progress")
def sync_command(
    conn: Connection,
    model: str,
    state: str,
    domain: str | None,
    fields: str | None,
    output: str,
    overlap: float,
    deletes: bool,
    page_size: int,
    as_json: bool,
) -> None:
    """Write the MODEL records changed since the last run (by write_date) to a file.

    Deleted or archived records are written as {"id": n, "_deleted": true}.
    The state file is updated only once the output file is complete.
    """

    async def job() -> None:
        query, names = parse_domain(domain), parse_fields(fields)
        async with conn.client() as odoo:
            with progress_bar(f"sync {model}", enabled=not as_json) as progress:
                result = await sync(
                    odoo.model(model),
                    query,
                    names,
                    output,
                    state=state,
                    deletes=deletes,
                    overlap=overlap,
                    page_size=page_size,
                    progress=progress,
                )
        if as_json:
            emit_json(
                {
                    "model": model,
                    "output": output,
                    "changed": result.changed,
                    "deleted": result.deleted,
                    "watermark": result.second,
                    "elapsed": round(result.elapsed, 3),
                }
            )
        else:
            stdout.print(
                f"synced {model}: {result.changed:,} changed, {result.deleted:,} deleted "
                f"-> {output} in {result.elapsed:.2f} s (watermark {result.second})"
            )

    run(job)


def write_rejects(path: str, report: UpsertReport) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for failed in report.failed:
            handle.write(json.dumps(failed.to_dict(), ensure_ascii=False, default=str) + "\n")


def _count_lines(path: str) -> int | None:
    try:
        with open(path, "rb") as handle:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    except OSError:
        return None
    return max(0, lines - 1) if path.lower().endswith(".csv") else lines


def print_report(report: UpsertReport, reject: str | None) -> None:
    stdout.print(
        f"imported {report.total:,} {report.model} records by {report.key} "
        f"in {report.elapsed:.2f} s ({_rate(report.total, report.elapsed)}): "
        f"{report.created:,} created, {report.updated:,} updated, "
        f"{report.unchanged:,} unchanged, {len(report.failed):,} failed"
    )
    if report.ignored_columns:
        stdout.print(f"columns not written: {', '.join(report.ignored_columns)}")
    if report.failed:
        where = f"all in {reject}" if reject else "use --reject FILE to keep them all"
        click.echo(f"{len(report.failed):,} records failed ({where}):", err=True)
        for failed in report.failed[:10]:
            reason = failed.reason.splitlines()[0] if failed.reason else ""
            click.echo(f"  line {failed.line} ({failed.key}): {reason}", err=True)
        if len(report.failed) > 10:
            click.echo(f"  ... and {len(report.failed) - 10:,} more", err=True)


@click.command("import")
@connection_options
@click.argument("model")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--key", required=True, help="ref, email, id, any field, or xmlid (module.name)")
@click.option(
    "--reject",
    type=click.Path(dir_okay=False),
    help="write every failed record here, with its reason (JSONL)",
)
@click.option(
    "--batch-size", type=click.IntRange(1), default=DEFAULT_UPSERT_BATCH_SIZE, show_default=True
)
@click.option(
    "--concurrency", type=click.IntRange(1), default=4, show_default=True, help="batches in flight"
)
@_shard_option("the records whose key hashes to I - 1, of the whole FILE")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object, no progress")
def import_command(
    conn: Connection,
    model: str,
    file: str,
    key: str,
    reject: str | None,
    batch_size: int,
    concurrency: int,
    shard: Shard | None,
    as_json: bool,
) -> None:
    """Create or update MODEL records from a JSON Lines or CSV FILE, by --key.

    Only changed fields are written; a second run of the same file changes
    nothing. A record Odoo refuses does not stop the job: it is reported,
    and written to --reject with the reason. Exit status 3 when some failed.
    """

    async def job() -> int:
        columns = first_columns(file)
        async with conn.client() as odoo:
            repo = odoo.model(model)
            await check_columns(repo, columns, key)
            with progress_bar(f"import {model}", enabled=not as_json) as progress:
                report = await upsert(
                    repo,
                    read_rows(file),
                    key=key,
                    batch_size=batch_size,
                    concurrency=concurrency,
                    total=_count_lines(file) if progress and not shard else None,
                    progress=progress,
                    shard=shard,
                )
        if reject:
            write_rejects(reject, report)
        if as_json:
            emit_json(
                {**report.to_dict(), "reject": reject, "shard": str(shard) if shard else None}
            )
        else:
            print_report(report, reject)
        return EXIT_SOME_FAILED if report.failed else 0

    run(job)


COMMANDS = [export_command, sync_command, import_command]
