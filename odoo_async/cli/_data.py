"""``export``, ``sync`` and ``import``: the data jobs of odoo_async.jobs from a shell."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from odoo_async import DomainError, normalize_domain
from odoo_async.jobs import (
    DEFAULT_EXPORT_PAGE_SIZE,
    DEFAULT_OUTAGE,
    DEFAULT_SYNC_OVERLAP,
    DEFAULT_UPSERT_BATCH_SIZE,
    FailedRecord,
    FileFormatError,
    Progress,
    ProgressCallback,
    Shard,
    UpsertReport,
    check_columns,
    checkpoint_path,
    export,
    first_columns,
    read_rows,
    sync,
    upsert,
)

from ._main import (
    EXIT_SOME_FAILED,
    CliError,
    Connection,
    connection_options,
    parse_json,
    resume_command,
    run,
)
from ._output import emit_json, progress_bar, stderr, stdout
from ._paths import STDIO, check_input, check_output, format_of

__all__ = ["COMMANDS"]

F = TypeVar("F", bound=Callable[..., Any])


def parse_domain(text: str | None) -> list[Any]:
    domain = parse_json(text, "--domain", [], domain=True)
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


def _outage_option(what: str) -> Callable[[F], F]:
    return click.option(
        "--outage",
        type=click.FloatRange(0),
        default=DEFAULT_OUTAGE,
        show_default=True,
        help=f"seconds to wait for a server that went away (a restart), {what}; 0: stop at once",
    )


def _format_option(what: str) -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["jsonl", "csv"]),
        help=f"{what} [default: from the file's name; jsonl for -]",
    )


class Tally:
    """The last progress a job reported (``None`` before its first report),
    passed on to the progress bar if there is one."""

    def __init__(self) -> None:
        self.done: int | None = None
        self.pending = 0

    def watch(self, bar: ProgressCallback | None) -> ProgressCallback:
        def update(p: Progress) -> None:
            self.done = p.done
            self.pending = p.pending
            if bar is not None:
                bar(p)

        return update


def _rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f} rows/s" if seconds > 0 else "-"


@click.command("export")
@connection_options
@click.argument("model")
@click.option("--domain", help='a JSON domain, e.g. \'[["is_company", "=", true]]\'')
@click.option("--fields", help="comma-separated field names (default: every stored field)")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    required=True,
    help="file.jsonl or file.csv, or - for stdout (no checkpoint)",
)
@_format_option("jsonl or csv")
@click.option("--resume", is_flag=True, help="continue a killed export from its checkpoint")
@click.option(
    "--page-size",
    type=click.IntRange(1),
    default=None,
    help="rows a page  [default: adapts to the server]",
)
@_shard_option("the records with id % N == I - 1, to this worker's own -o file")
@_outage_option("then go on after the last row written")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object, no progress")
def export_command(
    conn: Connection,
    model: str,
    domain: str | None,
    fields: str | None,
    output: str,
    fmt: str | None,
    resume: bool,
    page_size: int | None,
    shard: Shard | None,
    outage: float,
    as_json: bool,
) -> None:
    """Write every MODEL record matching --domain to a JSON Lines or CSV file.

    A checkpoint (OUTPUT.checkpoint) is kept after every page: after a kill,
    the same command with --resume continues without duplicates or gaps.
    A server that goes away (a restart) is waited for, up to --outage seconds.
    With -o - the rows go to stdout (and the summary to stderr).
    """
    tally = Tally()

    async def job() -> None:
        check_output(output, "-o")
        file_fmt = format_of(output, fmt)
        if resume and output == STDIO:
            raise CliError("--resume needs a file: an export to -o - keeps no checkpoint")
        if resume and not checkpoint_path(output).is_file():
            raise CliError(
                f"--resume: no checkpoint {checkpoint_path(output)} to resume from; "
                "run without --resume to start"
            )
        query, names = parse_domain(domain), parse_fields(fields)
        async with conn.client() as odoo:
            with progress_bar(f"export {model}", enabled=not as_json) as bar:
                result = await export(
                    odoo.model(model),
                    query,
                    names,
                    output,
                    format=file_fmt,
                    resume=resume,
                    page_size=page_size,
                    progress=tally.watch(bar),
                    shard=shard,
                    outage=outage,
                )
        to_stderr = output == STDIO
        if as_json:
            emit_json(
                {
                    "model": model,
                    "output": output,
                    "format": file_fmt,
                    "shard": str(shard) if shard else None,
                    "rows": result.rows,
                    "resumed_from": result.resumed_from,
                    "elapsed": round(result.elapsed, 3),
                    "rows_per_second": round(result.rate, 1),
                    "plan": result.plan,
                },
                err=to_stderr,
            )
        else:
            resumed = f" ({result.resumed_from:,} before the resume)" if result.resumed_from else ""
            rate = _rate(result.rows - result.resumed_from, result.elapsed)
            (stderr if to_stderr else stdout).print(
                f"exported {result.rows:,} {model} rows to {_shown(output)}{resumed} "
                f"in {result.elapsed:.2f} s ({rate})"
            )

    def interrupted() -> str:
        if output == STDIO:
            return (
                "the rows printed so far are whole lines; an export to stdout keeps no "
                f"checkpoint: to start over, run {resume_command()}"
            )
        if tally.done is None:
            if resume:
                return f"the checkpoint is as it was; to go on: {resume_command()}"
            return f"nothing was exported yet; to start: {resume_command()}"
        return (
            f"{tally.done:,} rows are safe in {output} (checkpoint {output}.checkpoint); "
            f"to go on from there: {resume_command(add='--resume')}"
        )

    def failed() -> str:
        if output == STDIO or tally.done is None:
            return ""
        return (
            f"{tally.done:,} rows are safe in {output} (checkpoint {output}.checkpoint); "
            f"to go on from there once the server answers: {resume_command(add='--resume')}"
        )

    run(job, interrupted=interrupted, failed=failed)


@click.command("sync")
@connection_options
@click.argument("model")
@click.option(
    "--state",
    type=click.Path(dir_okay=False),
    required=True,
    help="the state file (created on the first run; its folder must exist)",
)
@click.option("--domain", help="a JSON domain")
@click.option("--fields", help="comma-separated field names")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    required=True,
    help="file.jsonl or file.csv (written anew), or - for stdout",
)
@_format_option("jsonl or csv")
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
@_outage_option("then go on where it was")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object, no progress")
def sync_command(
    conn: Connection,
    model: str,
    state: str,
    domain: str | None,
    fields: str | None,
    output: str,
    fmt: str | None,
    overlap: float,
    deletes: bool,
    page_size: int,
    outage: float,
    as_json: bool,
) -> None:
    """Write the MODEL records changed since the last run (by write_date) to a file.

    Deleted or archived records are written as {"id": n, "_deleted": true}.
    The state file is updated only once the output file is complete.
    With -o - the rows go to stdout (and the summary to stderr).
    """
    had_state = Path(state).exists()
    tally = Tally()

    async def job() -> None:
        check_output(output, "-o")
        check_output(state, "--state")
        file_fmt = format_of(output, fmt)
        query, names = parse_domain(domain), parse_fields(fields)
        async with conn.client() as odoo:
            with progress_bar(f"sync {model}", enabled=not as_json) as progress:
                result = await sync(
                    odoo.model(model),
                    query,
                    names,
                    output,
                    state=state,
                    format=file_fmt,
                    deletes=deletes,
                    overlap=overlap,
                    page_size=page_size,
                    progress=tally.watch(progress),
                    outage=outage,
                )
        to_stderr = output == STDIO
        if as_json:
            emit_json(
                {
                    "model": model,
                    "output": output,
                    "format": file_fmt,
                    "changed": result.changed,
                    "deleted": result.deleted,
                    "watermark": result.second,
                    "elapsed": round(result.elapsed, 3),
                },
                err=to_stderr,
            )
        else:
            (stderr if to_stderr else stdout).print(
                f"synced {model}: {result.changed:,} changed, {result.deleted:,} deleted "
                f"-> {_shown(output)} in {result.elapsed:.2f} s (watermark {result.second})"
            )

    def interrupted() -> str:
        before = (
            f"the state file {state} is as it was"
            if had_state
            else f"no state file was written ({state})"
        )
        written = (
            f"the rows written to {output} so far"
            if output != STDIO and Path(output).exists()
            else "the rows it had exported"
        )
        return (
            f"{before}, so no change is lost: the next run exports again {written}; "
            f"to go on: {resume_command()}"
        )

    def failed() -> str:
        if tally.done is None:  # stopped before the walk: nothing to say about the state
            return ""
        before = (
            f"the state file {state} is as it was"
            if had_state
            else f"no state file was written ({state})"
        )
        return f"{before}, so no change is lost; once the server answers: {resume_command()}"

    run(job, interrupted=interrupted, failed=failed)


def _shown(output: str) -> str:
    """An output path as a summary names it (``-`` is standard output)."""
    return "stdout" if output == STDIO else output


class Rejects:
    """The --reject file, written as the job goes: each failed record appended and
    flushed as soon as it is known (a job killed midway leaves those so far), then
    rewritten in input order once the job ends."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.handle = open(path, "w", encoding="utf-8") if path else None  # noqa: SIM115

    def add(self, failed: FailedRecord) -> None:
        if self.handle is not None:
            self.handle.write(_reject_line(failed))
            self.handle.flush()

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()

    def finish(self, report: UpsertReport) -> None:
        """All of ``report.failed``, in input order, in place of what was appended."""
        self.close()
        if self.path is not None:
            write_rejects(self.path, report)


def write_rejects(path: str, report: UpsertReport) -> None:
    """``report.failed``, in input order, to ``path`` (replaced whole, atomically)."""
    tmp = Path(path + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.writelines(_reject_line(failed) for failed in report.failed)
    tmp.replace(path)


def _reject_line(failed: FailedRecord) -> str:
    return json.dumps(failed.to_dict(), ensure_ascii=False, default=str) + "\n"


def _count_lines(path: str, fmt: str) -> int | None:
    try:
        with open(path, "rb") as handle:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    except OSError:
        return None
    return max(0, lines - 1) if fmt == "csv" else lines


@contextmanager
def readable(path: str, fmt: str) -> Iterator[str]:
    """``path``, or for ``-`` a temporary copy of stdin (read twice: the columns
    are checked first), removed afterwards."""
    if path != STDIO:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="odoo-async-") as folder:
        copy = Path(folder) / f"stdin.{fmt}"
        with open(copy, "wb") as handle:
            shutil.copyfileobj(sys.stdin.buffer, handle)
        yield str(copy)


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
        count = len(report.failed)
        click.echo(f"{count:,} record{'' if count == 1 else 's'} failed ({where}):", err=True)
        for failed in report.failed[:10]:
            reason = failed.reason.splitlines()[0] if failed.reason else ""
            click.echo(f"  line {failed.line} ({failed.key}): {reason}", err=True)
        if len(report.failed) > 10:
            click.echo(f"  ... and {len(report.failed) - 10:,} more", err=True)


@click.command("import")
@connection_options
@click.argument("model")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@_format_option("FILE's format")
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
@_outage_option("then settle what was in flight (never replayed blindly)")
@click.option(
    "--load/--no-load",
    default=True,
    show_default=True,
    help="write records whose changes differ together through Odoo's import method "
    "(load); --no-load sends one write per record",
)
@click.option("--json", "as_json", is_flag=True, help="print one JSON object, no progress")
def import_command(
    conn: Connection,
    model: str,
    file: str,
    fmt: str | None,
    key: str,
    reject: str | None,
    batch_size: int,
    concurrency: int,
    shard: Shard | None,
    outage: float,
    load: bool,
    as_json: bool,
) -> None:
    """Create or update MODEL records from a JSON Lines or CSV FILE, by --key.

    Only changed fields are written; a second run of the same file changes
    nothing. A record Odoo refuses does not stop the job: it is reported,
    and written to --reject with the reason (as the job goes). Exit status 3
    when some failed. A server that goes away (a restart) is waited for, up to
    --outage seconds. FILE - reads stdin.
    """
    tally = Tally()

    async def job() -> int:
        check_input(file, "FILE")
        if reject is not None:
            check_output(reject, "--reject")
        file_fmt = format_of(file, fmt)
        with readable(file, file_fmt) as path:
            try:
                columns = first_columns(path, file_fmt)
            except FileFormatError as exc:
                if file != STDIO:
                    raise
                hint = "" if fmt else " (stdin is read as JSON Lines: give --format csv for CSV)"
                raise CliError(str(exc).replace(path, "stdin") + hint) from None
            async with conn.client() as odoo:
                repo = odoo.model(model)
                await check_columns(repo, columns, key, outage=outage)
                rejects = Rejects(reject)
                try:
                    with progress_bar(f"import {model}", enabled=not as_json) as bar:
                        report = await upsert(
                            repo,
                            read_rows(path, file_fmt),
                            key=key,
                            batch_size=batch_size,
                            concurrency=concurrency,
                            total=_count_lines(path, file_fmt) if bar and not shard else None,
                            progress=tally.watch(bar),
                            shard=shard,
                            outage=outage,
                            on_failed=rejects.add,
                            load=load,
                        )
                finally:
                    rejects.close()
                rejects.finish(report)
        if as_json:
            emit_json(
                {**report.to_dict(), "reject": reject, "shard": str(shard) if shard else None}
            )
        else:
            print_report(report, reject)
        return EXIT_SOME_FAILED if report.failed else 0

    def settled() -> str:
        done = f"{tally.done:,} records" if tally.done else "no record"
        source = "stdin" if file == STDIO else file
        text = (
            f"{done} of {source} settled in Odoo so far (created, updated or found unchanged"
            f"{', or failed' if reject else ''})"
        )
        if tally.pending:
            text += (
                f", {tally.pending:,} more were in flight and may have landed "
                "(the next run finds those)"
            )
        return text

    def interrupted() -> str:
        again = "give it the same input again" if file == STDIO else "run the same command again"
        return (
            f"{settled()}; to go on, {again} (the settled ones are found unchanged): "
            f"{resume_command()}"
        )

    def failed() -> str:
        if tally.done is None:
            return ""
        again = "give it the same input again" if file == STDIO else "run the same command again"
        return (
            f"{settled()}; once the server answers, {again} (the settled ones are found "
            f"unchanged): {resume_command()}"
        )

    run(job, interrupted=interrupted, failed=failed)


COMMANDS = [export_command, sync_command, import_command]
