"""Reports and files against the test double: every protocol, both kinds of
credentials, in-process and over loopback TCP; the errors, typed and named."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from odoo_async import (
    AccessError,
    AsyncOdoo,
    MissingError,
    OdooError,
    ReportNotFound,
    RetryPolicy,
    WebSessionRequired,
)
from odoo_async.testing import FakeOdoo

Connect = Callable[..., AsyncOdoo]
KEY = "files-test-key"
#: (protocol, credentials) pairs Odoo accepts: the web session takes no API key.
LOGINS = [
    ("jsonrpc", "password"),
    ("jsonrpc", "api_key"),
    ("xmlrpc", "password"),
    ("xmlrpc", "api_key"),
    ("web", "password"),
]


@pytest.fixture
def fake() -> FakeOdoo:
    return FakeOdoo(api_keys={2: KEY})


@pytest.fixture(params=["in-process", "loopback"])
def connect(request: pytest.FixtureRequest, fake: FakeOdoo) -> Connect:
    url = "http://odoo"
    transport: Any = None
    if request.param == "in-process":
        transport = fake.transport()
    else:
        url = request.getfixturevalue("served")

    def make(
        protocol: str = "jsonrpc", credentials: str = "password", username: str = "admin"
    ) -> AsyncOdoo:
        secret = {"api_key": KEY} if credentials == "api_key" else {"password": username}
        return AsyncOdoo(
            url,
            db="odoo",
            username=username,
            protocol=protocol,
            transport=transport,
            retry=RetryPolicy.NONE,
            **secret,
        )

    return make


@pytest.fixture
async def served(fake: FakeOdoo) -> Any:
    async with fake.serve() as url:
        yield url


# -- reports -------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", ["jsonrpc", "xmlrpc", "web"])
async def test_a_report_comes_back_as_pdf_bytes(connect: Connect, protocol: str) -> None:
    async with connect(protocol) as odoo:
        pdf = await odoo.report("account.report_invoice", [1, 2])
    assert pdf.startswith(b"%PDF-1.4")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert b"account.report_invoice 1,2" in pdf


@pytest.mark.parametrize(("fmt", "start"), [("html", b"<!DOCTYPE html>"), ("text", b"account")])
async def test_a_report_comes_in_the_format_asked(connect: Connect, fmt: str, start: bytes) -> None:
    async with connect() as odoo:
        body = await odoo.report("account.report_invoice", 1, format=fmt)
    assert body.startswith(start)
    assert b"account.report_invoice 1" in body


async def test_a_report_is_written_to_a_path_or_a_file(connect: Connect, tmp_path: Path) -> None:
    target = tmp_path / "invoice.pdf"
    buffer = io.BytesIO()
    async with connect() as odoo:
        assert await odoo.report("account.report_invoice", 1, to=target) == target
        assert await odoo.report("account.report_invoice", 1, to=buffer) is buffer
        as_bytes = await odoo.report("account.report_invoice", 1)
    assert target.read_bytes() == buffer.getvalue() == as_bytes


async def test_an_unknown_report_names_itself_and_the_ids(connect: Connect) -> None:
    async with connect() as odoo:
        with pytest.raises(ReportNotFound) as caught:
            await odoo.report("no.such_report", [3, 4])
    assert (caught.value.report, caught.value.ids) == ("no.such_report", [3, 4])
    assert "'no.such_report'" in str(caught.value)
    assert "[3, 4]" in str(caught.value)


async def test_a_missing_record_is_a_missing_error_naming_the_report(connect: Connect) -> None:
    async with connect("web") as odoo:
        with pytest.raises(MissingError) as caught:
            await odoo.report("account.report_invoice", [1, 99999])
    text = str(caught.value)
    assert "report 'account.report_invoice' for ids [1, 99999]" in text
    assert "Record does not exist or has been deleted" in text
    assert "account.move(99999,)" in text


async def test_a_record_the_user_may_not_read_is_an_access_error(connect: Connect) -> None:
    async with connect(username="portal") as odoo:
        with pytest.raises(AccessError) as caught:
            await odoo.report("account.report_invoice", [1])
    assert "report 'account.report_invoice' for ids [1]" in str(caught.value)
    assert "You are not allowed to access 'Journal Entry'" in str(caught.value)


@pytest.mark.parametrize("protocol", ["jsonrpc", "xmlrpc"])
async def test_an_api_key_cannot_open_the_web_session_reports_need(
    connect: Connect, fake: FakeOdoo, protocol: str
) -> None:
    async with connect(protocol, "api_key") as odoo:
        with pytest.raises(WebSessionRequired) as caught:
            await odoo.report("account.report_invoice", [1])
    message = str(caught.value)
    assert "report 'account.report_invoice' for ids [1]" in message
    assert "password=" in message
    assert KEY not in message
    assert fake.requests == 0  # refused before anything is sent


async def test_an_expired_session_is_renewed_once(connect: Connect, fake: FakeOdoo) -> None:
    async with connect() as odoo:
        first = await odoo.report("account.report_invoice", 1)
        fake.expire_sessions()
        assert await odoo.report("account.report_invoice", 1) == first
    logins = [c for c in fake.calls if c.endpoint == "/web/session/authenticate"]
    assert len(logins) == 2  # the web session's login, then its renewal


async def test_concurrent_first_reports_share_one_web_login(
    connect: Connect, fake: FakeOdoo
) -> None:
    async with connect() as odoo:
        pdfs = await asyncio.gather(*(odoo.report("account.report_invoice", i) for i in (1, 2, 3)))
    for record_id, pdf in enumerate(pdfs, 1):
        assert b"account.report_invoice %d" % record_id in pdf
    assert len([c for c in fake.calls if c.endpoint == "/web/session/authenticate"]) == 1


async def test_the_web_protocol_shares_its_session_with_reports(
    connect: Connect, fake: FakeOdoo
) -> None:
    async with connect("web") as odoo:
        await odoo.model("res.partner").search_count([])
        await odoo.report("account.report_invoice", 1)
    assert len([c for c in fake.calls if c.endpoint == "/web/session/authenticate"]) == 1


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "text"),
    [
        (("", [1]), {}, ValueError, "report_name"),
        (("account.report_invoice", []), {}, ValueError, "ids is empty"),
        (("account.report_invoice", "7"), {}, TypeError, "ids must be"),
        (("account.report_invoice", [0]), {}, ValueError, "ids"),
        (("account.report_invoice", [1]), {"format": "docx"}, ValueError, "format"),
        (("account.report_invoice", [1]), {"to": 3}, TypeError, "to must be"),
    ],
)
async def test_bad_report_arguments_are_refused_by_name(
    fake: FakeOdoo, args: tuple[Any, ...], kwargs: dict[str, Any], error: type, text: str
) -> None:
    async with AsyncOdoo(
        "http://odoo", db="odoo", username="admin", password="admin", transport=fake.transport()
    ) as odoo:
        with pytest.raises(error, match=text):
            await odoo.report(*args, **kwargs)
    assert fake.requests == 0


# -- files ---------------------------------------------------------------------------


@pytest.mark.parametrize(("protocol", "credentials"), LOGINS)
async def test_upload_then_download_gives_the_same_bytes(
    connect: Connect, protocol: str, credentials: str
) -> None:
    payload = os.urandom(200_001)  # not a multiple of 3: the base64 ends padded
    async with connect(protocol, credentials) as odoo:
        attachment_id = await odoo.attachments.upload("res.partner", 1, payload, name="blob.bin")
        assert await odoo.attachments.download(attachment_id) == payload
        row = await odoo.model("ir.attachment").get(
            attachment_id, ["name", "res_model", "res_id", "mimetype"]
        )
    assert (row["name"], row["res_model"], row["res_id"]) == ("blob.bin", "res.partner", 1)


async def test_upload_takes_a_path_or_a_file_and_download_writes_to_either(
    connect: Connect, tmp_path: Path
) -> None:
    source = tmp_path / "contract.pdf"
    source.write_bytes(b"%PDF-1.4 contract" * 100_000)
    async with connect() as odoo:
        from_path = await odoo.attachments.upload("res.partner", 1, source, name="contract.pdf")
        with source.open("rb") as file:
            from_file = await odoo.attachments.upload("res.partner", 1, file, name="c.pdf")
        copy = tmp_path / "copy.pdf"
        assert await odoo.attachments.download(from_path, copy) == copy
        buffer = io.BytesIO()
        assert await odoo.attachments.download(from_file, buffer) is buffer
        mimetype = (await odoo.model("ir.attachment").get(from_path, ["mimetype"]))["mimetype"]
    assert copy.read_bytes() == buffer.getvalue() == source.read_bytes()
    assert mimetype == "application/pdf"  # guessed from the name


@pytest.mark.parametrize("credentials", ["password", "api_key"])
async def test_read_binary_reads_a_binary_field(
    connect: Connect, credentials: str, tmp_path: Path
) -> None:
    image = os.urandom(5_000)
    async with connect(credentials=credentials) as odoo:
        partners = odoo.model("res.partner")
        await partners.write([3], {"image_1920": base64.b64encode(image).decode()})
        assert await partners.read_binary(3, "image_1920") == image
        assert await partners.read_binary(3, "image_1920", tmp_path / "i.png") == tmp_path / "i.png"
        assert await partners.read_binary(4, "image_1920") == b""  # an empty field
    assert (tmp_path / "i.png").read_bytes() == image


@pytest.mark.parametrize("credentials", ["password", "api_key"])
async def test_a_missing_attachment_is_a_missing_error(
    connect: Connect, credentials: str, tmp_path: Path
) -> None:
    target = tmp_path / "never.bin"
    async with connect(credentials=credentials) as odoo:
        with pytest.raises(MissingError, match="99999"):
            await odoo.attachments.download(99999, target)
    assert not target.exists()  # no half-written file is left


async def test_a_field_that_is_no_file_is_said_so(connect: Connect) -> None:
    async with connect() as odoo:
        with pytest.raises(OdooError, match=r"'name'.*binary or image field"):
            await odoo.model("res.partner").read_binary(3, "name")


async def test_a_portal_user_cannot_read_an_attachment_of_an_invoice(connect: Connect) -> None:
    async with connect() as admin:
        attachment_id = await admin.attachments.upload("account.move", 1, b"x", name="x.txt")
    async with connect(username="portal") as odoo:
        with pytest.raises(AccessError, match="Attachment"):
            await odoo.attachments.download(attachment_id)


@pytest.mark.parametrize(
    ("call", "error", "text"),
    [
        (lambda a: a.upload("res.partner", 1, 42, name="x"), TypeError, "content must be"),
        (lambda a: a.upload("res.partner", 0, b"x", name="x"), ValueError, "record_id"),
        (lambda a: a.upload("res.partner", 1, b"x", name=""), ValueError, "name"),
        (lambda a: a.upload("", 1, b"x", name="x"), ValueError, "model"),
        (lambda a: a.download(0), ValueError, "attachment_id"),
        (lambda a: a.download(1, to=object()), TypeError, "to must be"),
        (lambda a: a.upload("res.partner", 1, io.StringIO("t"), name="x"), TypeError, "binary"),
    ],
)
async def test_bad_file_arguments_are_refused_by_name(
    fake: FakeOdoo, call: Callable[[Any], Any], error: type, text: str
) -> None:
    async with AsyncOdoo(
        "http://odoo", db="odoo", username="admin", password="admin", transport=fake.transport()
    ) as odoo:
        with pytest.raises(error, match=text):
            await call(odoo.attachments)
    assert fake.count("ir.attachment") == 0


async def test_tens_of_megabytes_go_through_the_streamed_route_over_tcp(
    fake: FakeOdoo, served: str, tmp_path: Path
) -> None:
    source = tmp_path / "big.bin"
    block = os.urandom(1 << 20)
    with source.open("wb") as file:
        for _ in range(24):
            file.write(block)
    async with AsyncOdoo(served, db="odoo", username="admin", password="admin") as odoo:
        attachment_id = await odoo.attachments.upload("res.partner", 1, source, name="big.bin")
        copy = await odoo.attachments.download(attachment_id, tmp_path / "copy.bin")
    assert _digest(copy) == _digest(source)
    assert [c.method for c in fake.calls if c.model == "ir.attachment"] == ["create"]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- Odoo 19 ---------------------------------------------------------------------------


async def test_on_odoo_19_json2_moves_files_but_cannot_render_a_report() -> None:
    fake = FakeOdoo(version="19.0", api_keys={2: KEY})
    async with AsyncOdoo(
        "http://odoo", db="odoo", username="admin", api_key=KEY, protocol="json2",
        transport=fake.transport(),
    ) as odoo:  # fmt: skip
        attachment_id = await odoo.attachments.upload("res.partner", 1, b"x" * 70_000, name="x")
        assert await odoo.attachments.download(attachment_id) == b"x" * 70_000
        with pytest.raises(WebSessionRequired):
            await odoo.report("web.preview_internalreport", 1)


async def test_on_odoo_19_a_password_gets_the_report() -> None:
    fake = FakeOdoo(version="19.0")
    async with AsyncOdoo(
        "http://odoo", db="odoo", username="admin", password="admin", transport=fake.transport()
    ) as odoo:
        pdf = await odoo.report("web.preview_internalreport", 1)
    assert pdf.startswith(b"%PDF")
