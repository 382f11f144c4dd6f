"""The blocking client's reports and files: the async ones, run on its loop."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from odoo_async import Odoo, ReportNotFound


def test_reports_and_files_work_the_same_blocking(
    fake_odoo_url_blocking: str, tmp_path: Path
) -> None:
    with Odoo(fake_odoo_url_blocking, db="odoo", username="admin", password="admin") as odoo:
        target = tmp_path / "invoice.pdf"
        assert odoo.report("account.report_invoice", [1], to=target) == target
        assert target.read_bytes().startswith(b"%PDF")
        with pytest.raises(ReportNotFound):
            odoo.report("no.such_report", 1)
        attachment_id = odoo.attachments.upload("res.partner", 1, b"blocking", name="b.txt")
        buffer = io.BytesIO()
        assert odoo.attachments.download(attachment_id, buffer) is buffer
        assert odoo.model("ir.attachment").read_binary(attachment_id, "datas") == b"blocking"
    assert buffer.getvalue() == b"blocking"
