"""What the command prints: a progress bar on stderr, summaries, one JSON object."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from odoo_async.jobs import Progress as JobProgress
from odoo_async.jobs import ProgressCallback

__all__ = ["emit_json", "progress_bar", "stderr", "stdout", "table"]

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def emit_json(data: Any, *, err: bool = False) -> None:
    """The one JSON object of ``--json`` (on stderr when stdout carries the rows)."""
    click.echo(json.dumps(data, ensure_ascii=False), err=err)


@contextmanager
def progress_bar(label: str, *, enabled: bool) -> Iterator[ProgressCallback | None]:
    """A progress callback drawing a bar (records, rate, ETA) on stderr, when it
    is a terminal and ``enabled``; otherwise ``None`` (no progress)."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:>9,.0f} rows/s"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=stderr,
        transient=False,
    )
    task: TaskID | None = None

    def update(p: JobProgress) -> None:
        nonlocal task
        if task is None:
            task = bar.add_task(label, total=p.total, rate=0.0)
        bar.update(task, completed=p.done, total=p.total, rate=p.rate)

    with bar:
        yield update


def table(
    title: str, columns: list[str], rows: list[list[Any]], *, text: tuple[int, ...] = (0, -1)
) -> None:
    """A small table on stdout; the columns at the ``text`` positions are left-aligned."""
    out = Table(title=title, title_justify="left", show_edge=False)
    left = {i % len(columns) for i in text}
    for i, name in enumerate(columns):
        out.add_column(name, justify="left" if i in left else "right")
    for row in rows:
        out.add_row(*(f"{v:,}" if isinstance(v, int) else str(v) for v in row))
    stdout.print(out)
