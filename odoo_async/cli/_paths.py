"""The command's files, checked before any work: each path the user gave, and
the format of each file read or written.

A job that finds at its end that it cannot write its state has done its work
for nothing; these checks run before the first request, and each failure
names the option, the path and what is wrong with it.
"""

from __future__ import annotations

import os
from pathlib import Path

from odoo_async.jobs import STDOUT, FileFormatError, Format, file_format

from ._main import CliError

__all__ = ["STDIO", "check_input", "check_output", "format_of"]

#: ``-o -`` is standard output, ``import -`` standard input
STDIO = STDOUT


def check_output(path: str, what: str) -> None:
    """``path`` can be created or replaced: its folder exists and is writable,
    and it is not itself a folder. ``what`` names it (``"-o"``, ``"--state"``)."""
    if path == STDIO:
        return
    target = Path(path)
    folder = target.parent
    if target.is_dir():
        raise CliError(f"{what} {path}: is a folder; give a file name")
    if not folder.exists():
        raise CliError(f"{what} {path}: the folder {folder} does not exist; create it first")
    if not folder.is_dir():
        raise CliError(f"{what} {path}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CliError(f"{what} {path}: cannot write in the folder {folder} (permission denied)")
    if target.exists() and not os.access(target, os.W_OK):
        raise CliError(f"{what} {path}: the file is not writable (permission denied)")


def check_input(path: str, what: str) -> None:
    """``path`` is a file that can be read."""
    if path == STDIO:
        return
    target = Path(path)
    if not target.exists():
        raise CliError(f"{what} {path}: no such file")
    if target.is_dir():
        raise CliError(f"{what} {path}: is a folder; give a file")
    if not os.access(target, os.R_OK):
        raise CliError(f"{what} {path}: cannot read it (permission denied)")


def format_of(path: str, given: str | None) -> Format:
    """The file's format: ``--format`` if given, else its name's suffix, else
    (``-``, standard input or output) JSON Lines."""
    if given is not None:
        return "csv" if given == "csv" else "jsonl"
    try:
        return file_format(path)
    except FileFormatError:
        raise CliError(
            f"{path}: cannot tell the format from the name; name it .jsonl, .ndjson or .csv, "
            "or give --format jsonl or --format csv"
        ) from None
