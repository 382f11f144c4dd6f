"""``report``, ``upload`` and ``download``: reports and files, one screen over the library.

``report`` and ``download`` write to ``-o PATH`` (``-o -``: standard output, for a
pipe) and print what they wrote to standard error; ``upload`` prints the new
attachment's id.
"""

from __future__ import annotations

import os
import sys
from typing import IO

import click

from odoo_async import REPORT_FORMATS

from ._main import CliError, Connection, connection_options, run
from ._paths import STDIO, check_input, check_output

__all__ = ["COMMANDS"]


def _ids(text: str) -> list[int]:
    try:
        ids = [int(part) for part in text.split(",")]
    except ValueError:
        raise CliError(
            f"IDS {text!r}: give record ids separated by commas, such as 7 or 7,8"
        ) from None
    if any(i < 1 for i in ids):
        raise CliError(f"IDS {text!r}: record ids are integers >= 1")
    return ids


class _Counted:
    """Standard output's bytes, counted as they are written."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return self.out.write(data)


def _written(what: str, output: str, size: int) -> None:
    where = "stdout" if output == STDIO else output
    click.echo(f"wrote {what} ({size:,} bytes) to {where}", err=True)


@click.command("report")
@connection_options
@click.argument("report_name")
@click.argument("ids")
@click.option("-o", "--output", required=True, help="file to write, or - for standard output")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(REPORT_FORMATS),
    default="pdf",
    show_default=True,
    help="what Odoo renders",
)
def report_command(conn: Connection, report_name: str, ids: str, output: str, fmt: str) -> None:
    """Render the report REPORT_NAME of the records IDS (comma-separated) and write it.

    Odoo serves reports to a web session only: give a password (ODOO_PASSWORD),
    not an API key.

    Example: odoo-async report account.report_invoice 7 -o invoice.pdf
    """
    out = _Counted(sys.stdout.buffer)

    async def job() -> None:
        wanted = _ids(ids)
        check_output(output, "-o")
        async with conn.client() as odoo:
            await odoo.report(
                report_name, wanted, format=fmt, to=out if output == STDIO else output
            )
        sys.stdout.buffer.flush()

    run(job)
    _written(
        f"{report_name} {ids}", output, out.size if output == STDIO else os.path.getsize(output)
    )


@click.command("upload")
@connection_options
@click.argument("model")
@click.argument("record_id", type=click.IntRange(1))
@click.argument("path")
@click.option("--name", help="the attachment's file name (default: the file's)")
@click.option("--mimetype", help="its MIME type (default: guessed from the name)")
def upload_command(
    conn: Connection, model: str, record_id: int, path: str, name: str | None, mimetype: str | None
) -> None:
    """Attach the file PATH to the record RECORD_ID of MODEL; print the attachment's id.

    Example: odoo-async upload res.partner 7 contract.pdf
    """
    given = name or os.path.basename(path)

    async def job() -> None:
        check_input(path, "PATH")
        if path == STDIO and not name:
            raise CliError("PATH -: give --name for what standard input holds")
        source = sys.stdin.buffer if path == STDIO else path
        async with conn.client() as odoo:
            new_id = await odoo.attachments.upload(
                model, record_id, source, name=given, mimetype=mimetype
            )
        click.echo(new_id)

    run(job)


@click.command("download")
@connection_options
@click.argument("attachment_id", type=click.IntRange(1))
@click.option("-o", "--output", required=True, help="file to write, or - for standard output")
def download_command(conn: Connection, attachment_id: int, output: str) -> None:
    """Write the content of the attachment ATTACHMENT_ID.

    Example: odoo-async download 42 -o contract.pdf
    """
    out = _Counted(sys.stdout.buffer)

    async def job() -> None:
        check_output(output, "-o")
        async with conn.client() as odoo:
            await odoo.attachments.download(attachment_id, out if output == STDIO else output)
        sys.stdout.buffer.flush()

    run(job)
    size = out.size if output == STDIO else os.path.getsize(output)
    _written(f"attachment {attachment_id}", output, size)


COMMANDS = [report_command, upload_command, download_command]
