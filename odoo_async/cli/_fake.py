"""``serve-fake`` (the test double as a server) and ``demo`` (every job against it)."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import errno
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import click

from odoo_async import AsyncOdoo
from odoo_async.jobs import export, read_rows, sync, upsert

from ._data import write_rejects
from ._main import CliError, run
from ._output import emit_json, progress_bar, stderr, stdout, table

__all__ = ["COMMANDS"]

_FAULTS = "429, 502, 503, 504, html_500, drop, lost, slow, concurrency"


def _parse_inject(spec: str) -> tuple[str, float | None, str | None]:
    kind, _, rest = spec.partition(":")
    rate_text, _, method = rest.partition(":")
    try:
        rate = float(rate_text) if rate_text else None
    except ValueError:
        raise CliError(f"--inject {spec}: the rate must be a number such as 0.05") from None
    return kind, rate, method or None


@click.command("serve-fake")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8069,
    show_default=True,
    help="0 picks a free port",
)
@click.option(
    "--partners", type=click.IntRange(0), default=1000, show_default=True, help="generated contacts"
)
@click.option("--db", default="odoo", show_default=True)
@click.option(
    "--latency", type=click.FloatRange(0), default=0.0, help="seconds added to every reply"
)
@click.option(
    "--cost",
    type=click.Choice(["none", "threaded", "prefork"]),
    default="none",
    show_default=True,
    help="answer as slowly as a real Odoo 17 (threaded: one process, a connection per "
    "request; prefork: --workers processes)",
)
@click.option(
    "--workers", type=click.IntRange(1), default=2, show_default=True, help="prefork workers"
)
@click.option(
    "--inject",
    multiple=True,
    metavar="KIND[:RATE[:METHOD]]",
    help=f"inject faults ({_FAULTS}), e.g. 503:0.05",
)
@click.option(
    "--odoo-version",
    type=click.Choice(["17.0", "18.0", "19.0"]),
    default="17.0",
    show_default=True,
    help="the Odoo it answers as (its methods, faults and pages)",
)
def serve_fake(
    host: str,
    port: int,
    partners: int,
    db: str,
    latency: float,
    cost: str,
    workers: int,
    inject: tuple[str, ...],
    odoo_version: str,
) -> None:
    """Serve the built-in Odoo test double (login admin/admin) until interrupted.

    The first line on stdout is its URL. With --cost it answers as slowly as a
    real Odoo 17 (odoo_async.testing.ServerCost).
    """
    from odoo_async.testing import FakeOdoo, ServerCost

    async def job() -> None:
        model = (
            None
            if cost == "none"
            else ServerCost.odoo17(workers=0 if cost == "threaded" else workers)
        )
        fake = FakeOdoo(db=db, partners=partners, latency=latency, cost=model, version=odoo_version)
        for spec in inject:
            kind, rate, method = _parse_inject(spec)
            fake.inject(kind, rate=rate, method=method)  # type: ignore[arg-type]
        # Odoo's bare threaded server closes the connection after each reply
        keep_alive = model is None or model.workers > 0
        async with contextlib.AsyncExitStack() as stack:
            try:
                serving = fake.serve(host=host, port=port, keep_alive=keep_alive)
                url = await stack.enter_async_context(serving)
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE:
                    raise
                raise CliError(
                    f"port {port} on {host} is in use (a running Odoo?): give another "
                    "--port, or --port 0 for a free one"
                ) from None
            click.echo(url)
            costs = "" if model is None else f", costs of {model!r}"
            click.echo(
                f"FakeOdoo as Odoo {odoo_version}: database {db!r}, {partners:,} partners,"
                f" login admin/admin{costs}",
                err=True,
            )
            await asyncio.Event().wait()

    run(job)


# -- demo ---------------------------------------------------------------------------


def _contacts_file(path: Path, n: int, country: int) -> list[int]:
    """``n`` contacts to import, three of them bad; returns the bad ones' lines."""
    bad = {n // 4: "name", n // 2: "country_id", (3 * n) // 4: "customer_rank"}
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["ref", "name", "email", "city", "country_id", "customer_rank"])
        for i in range(n):
            row: list[Any] = [
                f"DEMO{i:05d}",
                f"Demo Contact {i}",
                f"demo{i}@example.com",
                "Ghent",
                country,
                1,
            ]
            if bad.get(i) == "name":
                row[1] = ""  # Odoo refuses a contact without a name
            elif bad.get(i) == "country_id":
                row[4] = 999_999  # no such country
            elif bad.get(i) == "customer_rank":
                row[5] = "many"  # not an integer
            out.writerow(row)
    return sorted(i + 2 for i in bad)  # line numbers, after the header


async def _demo(directory: Path, partners: int, contacts: int, as_json: bool) -> dict[str, Any]:
    from odoo_async.testing import FakeOdoo

    steps: list[dict[str, Any]] = []

    def step(name: str, rows: int, seconds: float, what: str) -> None:
        steps.append({"step": name, "rows": rows, "seconds": round(seconds, 3), "what": what})

    fields = ["name", "email", "ref", "city", "country_id", "category_id", "write_date"]
    started = time.perf_counter()
    fake = FakeOdoo(partners=partners)
    async with fake.serve() as url:
        if not as_json:
            stderr.print(
                f"test double on {url} with {partners:,} generated contacts; files in {directory}"
            )
        async with AsyncOdoo(url, db="odoo", username="admin", password="admin") as odoo:
            model = odoo.model("res.partner")
            out = directory / "partners.jsonl"
            with progress_bar("export", enabled=not as_json) as progress:
                exported = await export(model, [], fields, out, progress=progress)
            in_odoo = await model.search_count([])
            step("export", exported.rows, exported.elapsed, f"every contact to {out.name}")

            state = directory / "partners.state"
            first = await sync(model, [], fields, directory / "sync-1.jsonl", state=state)
            step("sync (first run)", first.changed, first.elapsed, "everything: no state yet")
            ids = sorted(await model.search([], limit=40))
            await model.write(ids[:25], {"city": "Leuven"})
            await model.create([{"name": f"New {i}"} for i in range(10)])
            await model.unlink(ids[30:35])
            second = await sync(model, [], fields, directory / "sync-2.jsonl", state=state)
            step(
                "sync (second run)",
                second.changed + second.deleted,
                second.elapsed,
                f"{second.changed} changed (25 written, 10 created), {second.deleted} deleted",
            )

            source = directory / "contacts.csv"
            belgium = (await odoo.model("res.country").search([["code", "=", "BE"]]))[0]
            bad_lines = _contacts_file(source, contacts, belgium)
            rejects = directory / "rejects.jsonl"
            with progress_bar("import", enabled=not as_json) as progress:
                report = await upsert(
                    model, read_rows(source), key="ref", progress=progress, total=contacts
                )
            write_rejects(str(rejects), report)
            step(
                "import by ref",
                report.total,
                report.elapsed,
                f"{report.created:,} created, {len(report.failed)} rejected with their "
                f"reasons (lines {', '.join(str(f.line) for f in report.failed[:5])}) "
                f"-> {rejects.name}",
            )
            again = await upsert(model, read_rows(source), key="ref")
            step(
                "import again",
                again.total,
                again.elapsed,
                f"{again.unchanged:,} unchanged, {again.created + again.updated} written",
            )
    checks = {
        "export_rows_match": exported.rows == in_odoo,
        "second_sync_exact": (second.changed, second.deleted) == (35, 5),
        "rejected_lines": [f.line for f in report.failed] == bad_lines,
        "second_import_unchanged": again.unchanged == contacts - len(bad_lines),
    }
    return {
        "directory": str(directory),
        "partners": partners,
        "steps": steps,
        "checks": checks,
        "elapsed": round(time.perf_counter() - started, 3),
    }


@click.command("demo")
@click.option(
    "--partners",
    type=click.IntRange(1),
    default=20_000,
    show_default=True,
    help="contacts in the double",
)
@click.option(
    "--contacts",
    type=click.IntRange(8),
    default=2_000,
    show_default=True,
    help="contacts to import",
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False),
    help="where to write the files (default: a new temporary directory)",
)
@click.option("--json", "as_json", is_flag=True, help="print one JSON object, no progress")
def demo(partners: int, contacts: int, directory: str | None, as_json: bool) -> None:
    """Start the built-in Odoo test double and run a real export, sync and
    import against it over TCP; print what was done and how fast."""

    async def job() -> int:
        where = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="odoo-async-demo-"))
        where.mkdir(parents=True, exist_ok=True)
        summary = await _demo(where, partners, contacts, as_json)
        ok = all(summary["checks"].values())
        if as_json:
            emit_json(summary)
        else:
            table(
                "odoo-async demo: res.partner on the built-in test double, over TCP",
                ["step", "rows", "seconds", "rows/s", "what happened"],
                [
                    [
                        s["step"],
                        s["rows"],
                        f"{s['seconds']:.2f}",
                        f"{s['rows'] / s['seconds']:,.0f}" if s["seconds"] else "-",
                        s["what"],
                    ]
                    for s in summary["steps"]
                ],
            )
            failed = [name for name, passed in summary["checks"].items() if not passed]
            verdict = "all checks passed" if ok else f"CHECKS FAILED: {', '.join(failed)}"
            stdout.print(f"done in {summary['elapsed']:.1f} s; {verdict}; files in {where}")
        if not ok and not as_json:
            click.echo(json.dumps(summary["checks"]), err=True)
        return 0 if ok else 1

    run(job)


COMMANDS = [serve_fake, demo]
