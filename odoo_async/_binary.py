"""Bytes in and out of files without holding them twice: the pure part of reports and files.

Where a file comes from (:func:`read_source`: bytes, a path, a binary file object),
where it goes (:func:`open_sink`: bytes returned, a path, a binary file object), and
base64 in chunks (:func:`b64encode_source`, :func:`b64decode_into`), as Odoo's RPC
carries a binary field as one base64 string.
"""

from __future__ import annotations

import binascii
import contextlib
import io
import os
from collections.abc import Iterator
from typing import IO, Any, Final

__all__ = [
    "CHUNK",
    "Sink",
    "b64_json_string",
    "b64decode_into",
    "b64encode_source",
    "check_sink",
    "check_source",
    "open_sink",
]

#: Bytes read, or base64 characters decoded, at a time: a multiple of 3 and of 4.
CHUNK: Final = 3 * 4 * 65536  # 768 KiB

SOURCE_ACCEPTED: Final = "bytes, a path (str or os.PathLike) or a binary file object"
SINK_ACCEPTED: Final = (
    "None (return the bytes), a path (str or os.PathLike) or a binary file object"
)


def check_source(name: str, content: Any) -> None:
    """A :class:`TypeError` naming ``name`` unless ``content`` is bytes, a path or a file."""
    if isinstance(content, (bytes, bytearray, memoryview, str, os.PathLike)):
        return
    if callable(getattr(content, "read", None)):
        return
    raise TypeError(f"{name} must be {SOURCE_ACCEPTED}, got {type(content).__name__}")


def check_sink(name: str, to: Any) -> None:
    """A :class:`TypeError` naming ``name`` unless ``to`` is None, a path or a writable file."""
    if to is None or isinstance(to, (str, os.PathLike)):
        return
    if callable(getattr(to, "write", None)):
        return
    raise TypeError(f"{name} must be {SINK_ACCEPTED}, got {type(to).__name__}")


def _chunks(content: Any) -> Iterator[bytes | memoryview]:
    if isinstance(content, (bytes, bytearray, memoryview)):
        view = memoryview(content).cast("B")
        for start in range(0, len(view), CHUNK):
            yield view[start : start + CHUNK]
        return
    if isinstance(content, (str, os.PathLike)):
        with open(content, "rb") as file:
            yield from _file_chunks(file)
        return
    yield from _file_chunks(content)


def _file_chunks(file: IO[bytes]) -> Iterator[bytes]:
    pending = b""
    while True:
        block: Any = file.read(CHUNK - len(pending))
        if not block:
            if pending:
                yield pending
            return
        if not isinstance(block, (bytes, bytearray)):
            raise TypeError(
                f"the file object gives {type(block).__name__}, not bytes: open it in "
                "binary mode ('rb')"
            )
        pending += block
        if len(pending) == CHUNK:  # whole chunks keep the base64 free of padding
            yield pending
            pending = b""


def _size(content: Any) -> int | None:
    """The bytes left to read from ``content``, when that can be known without reading."""
    if isinstance(content, (bytes, bytearray, memoryview)):
        return memoryview(content).nbytes
    if isinstance(content, (str, os.PathLike)):
        return os.path.getsize(content)
    try:
        left: int = os.fstat(content.fileno()).st_size - content.tell()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None
    return left


def b64_json_string(content: Any) -> bytearray:
    """The base64 of ``content`` (bytes, a path or a binary file object) as a JSON
    string, quotes included, encoded a chunk at a time into one buffer made at its
    final size when the size is known: what is held is that text and one chunk."""
    size = _size(content)
    if size is None:
        out = bytearray(b'"')
        for chunk in _chunks(content):
            out += binascii.b2a_base64(chunk, newline=False)
        out += b'"'
        return out
    out = bytearray(4 * ((size + 2) // 3) + 2)
    view = memoryview(out)
    view[0] = view[-1] = ord('"')
    at = 1
    for chunk in _chunks(content):
        piece = binascii.b2a_base64(chunk, newline=False)
        if at + len(piece) > len(out) - 1:
            raise ValueError("the file grew while it was read")
        view[at : at + len(piece)] = piece
        at += len(piece)
    if at != len(out) - 1:
        raise ValueError("the file shrank while it was read")
    return out


def b64encode_source(content: Any) -> str:
    """The base64 text of ``content`` (bytes, a path or a binary file object)."""
    text = b64_json_string(content)
    return memoryview(text)[1:-1].tobytes().decode("ascii")


def b64decode_into(text: bytes | memoryview, sink: IO[bytes]) -> int:
    """Decode the base64 ``text`` into ``sink`` chunk by chunk; the bytes written.

    ``text`` is the bare base64, without quotes. Newlines (which XML-RPC may put in)
    are skipped by the decoder, so chunks are cut on multiples of 4 characters of
    a text with none; a text with some is decoded whole.
    """
    view = memoryview(text).cast("B")
    written = 0
    if b"\n" in bytes(view[:80]):
        data = binascii.a2b_base64(view)
        sink.write(data)
        return len(data)
    for start in range(0, len(view), CHUNK):
        data = binascii.a2b_base64(view[start : start + CHUNK])
        sink.write(data)
        written += len(data)
    return written


class Sink:
    """Where downloaded bytes go: :attr:`file` to write to, :meth:`result` once done."""

    def __init__(self, to: Any, file: IO[bytes]) -> None:
        self._to = to
        self.file = file

    def result(self) -> Any:
        """The bytes (for ``to=None``), else ``to`` itself."""
        if self._to is None:
            assert isinstance(self.file, io.BytesIO)
            return self.file.getvalue()
        return self._to


@contextlib.contextmanager
def open_sink(to: Any) -> Iterator[Sink]:
    """A :class:`Sink` for ``to``; a file opened from a path is closed, and removed
    if the download fails (a partial file is worse than none)."""
    if to is None:
        yield Sink(None, io.BytesIO())
    elif isinstance(to, (str, os.PathLike)):
        with open(to, "wb") as file:
            try:
                yield Sink(to, file)
            except BaseException:
                file.close()
                with contextlib.suppress(OSError):
                    os.remove(to)
                raise
    else:
        yield Sink(to, to)
