"""Reading and writing the files of the jobs: JSON Lines and CSV.

A :class:`RowSink` appends pages of rows to a file and makes them durable
(``flush`` + ``fsync``) before the job records that they were written, so a
checkpoint never claims a row the disk does not hold. :func:`read_rows`
reads a JSON Lines or CSV file as :class:`InputRow` values, one per line,
a line that cannot be read kept with its reason instead of stopping the job.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

import msgspec

from ._convert import csv_columns, csv_row
from ._errors import FileFormatError

__all__ = ["STDOUT", "Format", "InputRow", "RowSink", "file_format", "read_rows"]

Format = Literal["jsonl", "csv"]
#: the path that means standard output (for a :class:`RowSink`)
STDOUT = "-"
_SUFFIXES: dict[str, Format] = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
_ENCODER = msgspec.json.Encoder()


def file_format(path: str | os.PathLike[str], format: Format | None = None) -> Format:
    """``format`` if given, else the format named by the file's suffix.

    Raises :class:`FileFormatError` for an unknown ``format`` or suffix.

    **Parameters:**

    * **path** - The file's path; its suffix names the format: ``.jsonl`` or
      ``.ndjson`` for JSON Lines, ``.csv`` for CSV (in any case).
    * **format** - *(optional)* ``"jsonl"`` or ``"csv"``, which wins over the
      suffix; ``None`` (the default) to go by the suffix (``"-"``, standard
      output, has none: JSON Lines).
    """
    if format is not None:
        if format not in ("jsonl", "csv"):
            raise FileFormatError(f"unknown format {format!r}: use 'jsonl' or 'csv'")
        return format
    if os.fspath(path) == STDOUT:
        return "jsonl"
    suffix = Path(path).suffix.lower()
    found = _SUFFIXES.get(suffix)
    if found is None:
        raise FileFormatError(
            f"{os.fspath(path)}: cannot tell the format from the name; "
            "name it .jsonl, .ndjson or .csv, or pass format='jsonl' or format='csv'"
        )
    return found


class RowSink:
    """Appends exported rows to a JSON Lines or CSV file, page by page.

    ``truncate_at`` (bytes) reopens an existing file and cuts it there: what a
    killed job wrote after its last checkpoint is dropped before going on.
    The path ``"-"`` (:data:`STDOUT`) writes to standard output, flushed after
    each page and never closed (nor cut back: ``truncate_at`` is refused).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        fields: list[str],
        types: Mapping[str, str],
        *,
        format: Format | None = None,
        truncate_at: int | None = None,
        extra_columns: Sequence[str] = (),
    ) -> None:
        self.path = Path(path)
        self.format = file_format(path, format)
        self.fields = fields
        self.types = types
        self._columns = [*fields, *extra_columns]
        self._stdout = os.fspath(path) == STDOUT
        self._written = 0
        self._file: IO[bytes]
        if self._stdout:
            if truncate_at is not None:
                raise FileFormatError("standard output cannot be cut back to resume")
            sys.stdout.flush()
            self._file = sys.stdout.buffer
            self._file.flush()
            if self.format == "csv":
                self._write_csv([csv_columns(self._columns, types)])
        elif truncate_at is None:
            self._file = open(self.path, "wb")  # noqa: SIM115 - closed by close()
            if self.format == "csv":
                self._write_csv([csv_columns(self._columns, types)])
        else:
            self._file = open(self.path, "r+b")  # noqa: SIM115
            self._file.truncate(truncate_at)
            self._file.seek(truncate_at)

    def write(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Append exported rows (as :func:`~._convert.export_row` makes them)."""
        if self.format == "jsonl":
            self._put(b"".join(_ENCODER.encode(row) + b"\n" for row in rows))
        else:
            self._write_csv([csv_row(row, self._columns, self.types) for row in rows])

    def _write_csv(self, lines: list[list[str]]) -> None:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(lines)
        self._put(buffer.getvalue().encode())

    def _put(self, data: bytes) -> None:
        if self._stdout:
            _write_all(self._file.fileno(), data)
        else:
            self._file.write(data)
        self._written += len(data)

    def sync(self) -> int:
        """Make everything written so far durable; returns the file's size in bytes
        (on standard output: flushed, and the bytes written)."""
        self._file.flush()
        if self._stdout:
            return self._written
        os.fsync(self._file.fileno())
        return self._file.tell()

    def close(self) -> None:
        if self._stdout:
            self._file.flush()
        elif not self._file.closed:
            self.sync()
            self._file.close()

    def __enter__(self) -> RowSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _write_all(fd: int, data: bytes) -> None:
    """Write ``data`` whole to ``fd``, past partial writes.

    Standard output is written this way, not through ``sys.stdout.buffer``: a
    signal (Ctrl-C) that lands while a write blocks on a full pipe makes the
    kernel return a partial count, and Python's buffered writer then returned
    with the rest of the page never written (measured: 131,072 of 451,470
    bytes, the last row cut). Here the write goes on after the handler runs, so
    the rows printed are whole lines when the job stops.
    """
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


@dataclass(frozen=True)
class InputRow:
    """One line of an input file: its values, or why it could not be read."""

    line: int
    values: dict[str, Any] | None
    error: str | None = None


def read_rows(path: str | os.PathLike[str], format: Format | None = None) -> Iterator[InputRow]:
    """The rows of a JSON Lines or CSV file, lazily, with their line numbers.

    Raises :class:`FileFormatError` when the file is missing or is not what its
    name says (its first row does not parse); a later line that does not parse
    is yielded with ``error`` set, so that the job reports it and goes on.
    Being a generator, it opens the file, and raises, on the first ``next()``,
    not when called. Blank lines are skipped. A CSV file's first line names
    the columns, and its values are text; a JSON Lines line is an object.

    **Parameters:**

    * **path** - The file's path.
    * **format** - *(optional)* ``"jsonl"`` or ``"csv"``, or ``None`` (the
      default) for the format the suffix names (``.jsonl``, ``.ndjson``,
      ``.csv``).
    """
    fmt = file_format(path, format)
    try:
        handle = open(path, encoding="utf-8", newline="")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise FileFormatError(f"{os.fspath(path)}: {exc.strerror}") from None
    with contextlib.closing(handle):
        try:
            if fmt == "jsonl":
                yield from _jsonl_rows(path, handle)
            else:
                yield from _csv_rows(path, handle)
        except UnicodeDecodeError as exc:
            raise FileFormatError(
                f"{os.fspath(path)}: not a UTF-8 text file ({exc.reason})"
            ) from None


def _jsonl_rows(path: str | os.PathLike[str], handle: IO[str]) -> Iterator[InputRow]:
    first = True
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
            error = None if isinstance(value, dict) else "not a JSON object"
        except json.JSONDecodeError as exc:
            value, error = None, f"not valid JSON ({exc.msg} at column {exc.colno})"
        if error is not None and first:
            raise FileFormatError(
                f"{os.fspath(path)}: not a JSON Lines file: line {number} is {error}"
            )
        first = False
        yield InputRow(number, value if error is None else None, error)


def _csv_rows(path: str | os.PathLike[str], handle: IO[str]) -> Iterator[InputRow]:
    reader = csv.reader(handle)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise FileFormatError(f"{os.fspath(path)}: not a CSV file ({exc})") from None
    if not header or not any(h.strip() for h in header):
        raise FileFormatError(f"{os.fspath(path)}: not a CSV file: no header line")
    names = [h.strip() for h in header]
    if len(set(names)) != len(names):
        raise FileFormatError(f"{os.fspath(path)}: the CSV header repeats a column")
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield InputRow(reader.line_num, None, f"not a CSV row ({exc})")
            continue
        if not cells:
            continue
        if len(cells) != len(names):
            yield InputRow(
                reader.line_num, None, f"{len(cells)} cells where the header has {len(names)}"
            )
            continue
        yield InputRow(reader.line_num, dict(zip(names, cells, strict=True)))


def first_columns(path: str | os.PathLike[str], format: Format | None = None) -> list[str]:
    """The columns of the file's first row (for checks before a job starts).

    The first row that can be read counts; ``[]`` when there is none.

    **Parameters:**

    * **path** - The file's path.
    * **format** - *(optional)* ``"jsonl"`` or ``"csv"``, or ``None`` (the
      default) for the format the suffix names.
    """
    for row in read_rows(path, format):
        if row.values is not None:
            return list(row.values)
    return []
