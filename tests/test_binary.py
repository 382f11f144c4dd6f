"""The pure part of files: sources, sinks and base64 in chunks."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import pytest

from odoo_async._binary import (
    CHUNK,
    b64_json_string,
    b64decode_into,
    b64encode_source,
    check_sink,
    check_source,
    open_sink,
)

SIZES = [0, 1, 2, 3, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 5]


@pytest.mark.parametrize("size", SIZES)
def test_chunked_base64_is_the_standard_base64(size: int, tmp_path: Path) -> None:
    data = bytes(i % 251 for i in range(size))
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    expected = base64.b64encode(data).decode()
    assert b64encode_source(data) == expected
    assert b64encode_source(path) == expected
    assert b64encode_source(str(path)) == expected
    with path.open("rb") as file:
        assert b64encode_source(file) == expected


class _Trickle(io.RawIOBase):
    """A file object that returns fewer bytes than asked, as a socket or a pipe may."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        piece, self._data = self._data[:1000], self._data[1000:]
        return piece


def test_a_file_is_read_from_where_it_stands(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"header" + bytes(range(200)))
    with path.open("rb") as file:
        file.seek(6)
        assert b64encode_source(file) == base64.b64encode(bytes(range(200))).decode()


def test_the_json_string_is_quoted_base64() -> None:
    assert b64_json_string(b"hi!") == bytearray(b'"aGkh"')
    assert b64_json_string(b"") == bytearray(b'""')


def test_a_file_that_returns_short_reads_still_encodes_right() -> None:
    data = bytes(i % 7 for i in range(CHUNK + 12_345))
    assert b64encode_source(_Trickle(data)) == base64.b64encode(data).decode()


@pytest.mark.parametrize("size", SIZES)
def test_chunked_decoding_gives_the_bytes_back(size: int) -> None:
    data = bytes(i % 253 for i in range(size))
    sink = io.BytesIO()
    assert b64decode_into(base64.b64encode(data), sink) == size
    assert sink.getvalue() == data


def test_base64_with_newlines_is_decoded_whole() -> None:
    data = bytes(range(256)) * 1000
    sink = io.BytesIO()
    b64decode_into(base64.encodebytes(data), sink)  # lines of 76 characters
    assert sink.getvalue() == data


def test_a_text_file_is_refused_with_how_to_open_it() -> None:
    with pytest.raises(TypeError, match=r"binary mode \('rb'\)"):
        b64encode_source(io.StringIO("text"))


@pytest.mark.parametrize(
    ("value", "ok"),
    [(b"x", True), (bytearray(b"x"), True), ("a/path", True), (Path("p"), True),
     (io.BytesIO(), True), (42, False), (None, False), ([b"x"], False)],
)  # fmt: skip
def test_check_source(value: Any, ok: bool) -> None:
    if ok:
        check_source("content", value)
    else:
        with pytest.raises(TypeError, match="content must be bytes, a path"):
            check_source("content", value)


@pytest.mark.parametrize(
    ("value", "ok"),
    [(None, True), ("a/path", True), (Path("p"), True), (io.BytesIO(), True),
     (b"x", False), (42, False)],
)  # fmt: skip
def test_check_sink(value: Any, ok: bool) -> None:
    if ok:
        check_sink("to", value)
    else:
        with pytest.raises(TypeError, match="to must be None"):
            check_sink("to", value)


def test_sinks_return_the_bytes_or_what_was_given(tmp_path: Path) -> None:
    with open_sink(None) as sink:
        sink.file.write(b"abc")
    assert sink.result() == b"abc"
    buffer = io.BytesIO()
    with open_sink(buffer) as sink:
        sink.file.write(b"abc")
    assert sink.result() is buffer
    path = tmp_path / "out.bin"
    with open_sink(path) as sink:
        sink.file.write(b"abc")
    assert sink.result() == path
    assert path.read_bytes() == b"abc"


def _fail_half_way(to: Any) -> None:
    with open_sink(to) as sink:
        sink.file.write(b"half")
        raise RuntimeError("the connection dropped")


def test_a_failed_download_to_a_path_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "out.bin"
    with pytest.raises(RuntimeError):
        _fail_half_way(path)
    assert not path.exists()


def test_a_failed_download_to_a_file_object_leaves_it_to_its_owner() -> None:
    buffer = io.BytesIO()
    with pytest.raises(RuntimeError):
        _fail_half_way(buffer)
    assert buffer.getvalue() == b"half"
    assert not buffer.closed
