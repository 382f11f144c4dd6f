"""``odoo-async report``, ``upload`` and ``download``: every option, in a subprocess
running the installed entry point against the double over TCP."""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from odoo_async.testing import FakeOdoo

from .test_cli import EXE, TIMEOUT, Served, _serve, ok

KEY = "cli-files-key"


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    yield from _serve(FakeOdoo(partners=10, api_keys={2: KEY}))


def run_bytes(served: Served, *args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    """The command with its standard output as bytes (a PDF on ``-o -``)."""
    assert EXE is not None
    return subprocess.run(
        [EXE, *args],
        env=served.env(**env),
        capture_output=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def test_report_writes_the_pdf_to_a_file(served: Served, tmp_path: Path) -> None:
    out = tmp_path / "invoice.pdf"
    result = served.run("report", "account.report_invoice", "1", "-o", str(out))
    ok(result)
    assert out.read_bytes().startswith(b"%PDF-1.4")
    assert f"wrote account.report_invoice 1 ({out.stat().st_size:,} bytes) to {out}" in (
        result.stderr
    )


def test_report_to_stdout_is_the_pdf_alone(served: Served) -> None:
    result = run_bytes(served, "report", "account.report_invoice", "1,2", "-o", "-")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"%PDF-1.4")
    assert b"account.report_invoice 1,2" in result.stdout
    assert b"to stdout" in result.stderr


def test_report_format_asks_odoo_for_that_format(served: Served) -> None:
    result = served.run("report", "account.report_invoice", "1", "-o", "-", "--format", "docx")
    assert result.returncode == 2
    assert "'docx' is not one of 'pdf', 'html', 'text'" in result.stderr


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["no.such_report", "1"], {}, "no report named 'no.such_report'"),
        (["account.report_invoice", "99999"], {}, "Record does not exist"),
        (["account.report_invoice", "x"], {}, "IDS 'x': give record ids"),
        (["account.report_invoice", "0"], {}, "record ids are integers >= 1"),
        (
            ["account.report_invoice", "1"],
            {"ODOO_PASSWORD": "", "ODOO_API_KEY": KEY},
            "create the client with ODOO_PASSWORD",
        ),
    ],
)
def test_report_errors_are_one_line(
    served: Served, tmp_path: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    out = tmp_path / "r.pdf"
    result = served.run("report", *args, "-o", str(out), env=served.env(**env))
    assert result.returncode == 1
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert KEY not in result.stderr
    assert not out.exists()


def test_report_checks_the_output_before_any_request(served: Served, tmp_path: Path) -> None:
    before = served.fake.requests
    result = served.run("report", "account.report_invoice", "1", "-o", str(tmp_path / "no/x.pdf"))
    assert served.fake.requests == before
    assert result.returncode == 1
    assert result.stderr.startswith("error: -o ")
    assert "the folder" in result.stderr
    assert "does not exist" in result.stderr


def test_upload_then_download(served: Served, tmp_path: Path) -> None:
    source = tmp_path / "contract.pdf"
    source.write_bytes(b"%PDF-1.4 " + bytes(range(256)) * 4000)
    attachment_id = int(ok(served.run("upload", "res.partner", "3", str(source))))
    row = served.odoo("ir.attachment", "read", [attachment_id], ["name", "res_id", "mimetype"])[0]
    assert (row["name"], row["res_id"], row["mimetype"]) == ("contract.pdf", 3, "application/pdf")
    copy = tmp_path / "copy.pdf"
    result = served.run("download", str(attachment_id), "-o", str(copy))
    ok(result)
    assert copy.read_bytes() == source.read_bytes()
    assert f"wrote attachment {attachment_id}" in result.stderr
    piped = run_bytes(served, "download", str(attachment_id), "-o", "-")
    assert piped.stdout == source.read_bytes()


def test_upload_name_and_mimetype_and_stdin(served: Served) -> None:
    assert EXE is not None
    result = subprocess.run(
        [EXE, "upload", "res.partner", "3", "-", "--name", "notes", "--mimetype", "text/x-notes"],
        env=served.env(),
        input=b"from stdin",
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    attachment_id = int(result.stdout)
    row = served.odoo("ir.attachment", "read", [attachment_id], ["name", "mimetype", "datas"])[0]
    assert (row["name"], row["mimetype"]) == ("notes", "text/x-notes")
    assert base64.b64decode(row["datas"]) == b"from stdin"


def test_upload_from_stdin_needs_a_name(served: Served) -> None:
    result = served.run("upload", "res.partner", "3", "-", input="x")
    assert result.returncode == 1
    assert "give --name" in result.stderr


def test_download_of_a_missing_attachment(served: Served, tmp_path: Path) -> None:
    out = tmp_path / "never.bin"
    result = served.run("download", "99999", "-o", str(out))
    assert result.returncode == 1
    assert "99999" in result.stderr
    assert not out.exists()
