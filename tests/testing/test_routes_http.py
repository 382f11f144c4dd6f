"""The double's file routes answer as Odoo 17, 18 and 19 do (captured by hand from the
real servers): ``/report/pdf/...`` and ``/web/content/...``, statuses, headers, bodies."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import httpx
import pytest

from odoo_async.testing import FakeOdoo

VERSIONS = ["17.0", "18.0", "19.0"]


@pytest.fixture(params=VERSIONS)
async def web(request: pytest.FixtureRequest) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    fake = FakeOdoo(version=request.param)
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://odoo") as client:
        sid = await _login(client, "admin")
        yield client, sid


async def _login(client: httpx.AsyncClient, login: str) -> str:
    reply = await client.post(
        "/web/session/authenticate",
        json={"jsonrpc": "2.0", "params": {"db": "odoo", "login": login, "password": login}},
    )
    client.cookies.clear()  # each request below says whether it carries the session
    return reply.cookies["session_id"]


def _cookie(sid: str) -> dict[str, str]:
    return {"Cookie": f"session_id={sid}"}


async def test_a_report_is_a_pdf(web: tuple[httpx.AsyncClient, str]) -> None:
    client, sid = web
    reply = await client.get("/report/pdf/account.report_invoice/1,2", headers=_cookie(sid))
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/pdf"
    assert int(reply.headers["content-length"]) == len(reply.content)
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.content.startswith(b"%PDF-1.4\n")
    assert reply.content.endswith(b"%%EOF\n")
    xref = int(reply.content.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert reply.content[xref:].startswith(b"xref\n")  # the offsets point where they say


async def test_without_a_session_a_report_redirects_to_the_login(
    web: tuple[httpx.AsyncClient, str],
) -> None:
    client, _ = web
    reply = await client.get("/report/pdf/account.report_invoice/1")
    assert reply.status_code == 303
    assert reply.headers["location"] == (
        "/web/login?redirect=%2Freport%2Fpdf%2Faccount.report_invoice%2F1%3F"
    )


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        ("/report/pdf/no.such_report/1", 500, b"<title>500 Internal Server Error</title>"),
        (
            "/report/pdf/account.report_invoice/99999",
            400,
            b"<pre>Record does not exist or has been deleted.\n"
            b"(Record: account.move(99999,), User: ",
        ),
    ],
)
async def test_report_errors(
    web: tuple[httpx.AsyncClient, str], path: str, status: int, text: bytes
) -> None:
    client, sid = web
    reply = await client.get(path, headers=_cookie(sid))
    assert reply.status_code == status
    assert reply.headers["content-type"].startswith("text/html")
    assert text in reply.content


async def test_a_record_the_user_may_not_read_is_403_with_the_reason() -> None:
    fake = FakeOdoo()
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://odoo") as client:
        sid = await _login(client, "portal")
        reply = await client.get("/report/pdf/account.report_invoice/1", headers=_cookie(sid))
    assert reply.status_code == 403
    assert b"<pre>You are not allowed to access &#x27;Journal Entry&#x27;" in reply.content


async def test_contents_are_served_with_their_type_and_name(
    web: tuple[httpx.AsyncClient, str],
) -> None:
    client, sid = web
    created = await client.post(
        "/web/dataset/call_kw",
        headers=_cookie(sid),
        json={
            "jsonrpc": "2.0",
            "params": {
                "model": "ir.attachment",
                "method": "create",
                "args": [
                    {
                        "name": "probe.txt",
                        "mimetype": "text/plain",
                        "datas": base64.b64encode(b"hello world\n").decode(),
                    }
                ],
                "kwargs": {},
            },
        },
    )
    attachment_id = created.json()["result"]
    reply = await client.get(f"/web/content/{attachment_id}", headers=_cookie(sid))
    assert reply.status_code == 200
    assert reply.content == b"hello world\n"
    assert reply.headers["content-disposition"] == "inline; filename=probe.txt"
    assert reply.headers["content-type"] == "text/plain"
    public = await client.get(f"/web/content/{attachment_id}")
    assert public.status_code == 404  # the public user reads no private attachment


@pytest.mark.parametrize(
    "path",
    ["/web/content/99999", "/web/content/res.partner/99999/image_1920",
     "/web/content/res.partner/3/name", "/web/content/no.model/1/datas"],
)  # fmt: skip
async def test_what_cannot_be_served_is_404(web: tuple[httpx.AsyncClient, str], path: str) -> None:
    client, sid = web
    reply = await client.get(path, headers=_cookie(sid))
    assert reply.status_code == 404
    assert b"<title>404 Not Found</title>" in reply.content
