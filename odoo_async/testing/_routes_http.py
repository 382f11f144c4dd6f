"""The ``type="http"`` routes of the test double that serve files: reports and contents.

- ``GET /report/pdf/<report_name>/<ids>`` (``auth="user"``): the report as a PDF
  (a small valid one naming the report and the ids); ``/report/html/...`` and
  ``/report/text/...`` as a page and as text. Without a web session, a 303
  to ``/web/login?redirect=...``; an unknown report, 500 with Werkzeug's page (the
  real server says no more); a missing record, 400 with Odoo's error page, whose
  ``<pre>`` holds "Record does not exist or has been deleted."; a record the user
  may not read, 403 with the access error's text in the ``<pre>``.
- ``GET /web/content/<id>[/<filename>]`` and
  ``/web/content/<model>/<id>/<field>[/<filename>]`` (``auth="public"``): an
  attachment's bytes, or a binary field's, with its ``Content-Type`` and
  ``Content-Disposition: inline``. A record that does not exist, that the user may
  not read, or a field that is no binary field: 404, as Odoo answers all three;
  without a session the public user reads nothing, so 404 too.

These shapes are those of Odoo 17, 18 and 19 (captured by hand; see the README's
"Reports and files"). One difference: the real web layout previews render whatever
the ids; the double checks the records of every report.
"""

from __future__ import annotations

import base64
import binascii
import html
import urllib.parse
from typing import TYPE_CHECKING, Any, Final

from . import _wire
from ._exceptions import ACCESS_ERROR, Fault

if TYPE_CHECKING:
    from ._host import Host
    from ._wire import Reply

__all__ = ["handle", "minimal_pdf"]

_REPORT: Final = "/report/"
#: What ``/report/<converter>/...`` answers with, by converter.
_CONVERTERS: Final = {
    "pdf": b"application/pdf",
    "html": b"text/html; charset=utf-8",
    "text": b"text/plain",
}
_CONTENT: Final = "/web/content/"


def handle(host: Host, http_method: str, path: str, uid: int | None) -> Reply | None:
    """The reply of a file route, or None when ``path`` is none of them."""
    if path.startswith(_REPORT):
        return _report(host, path, uid)
    if path.startswith(_CONTENT):
        return _content(host, path, uid)
    return None


# -- reports ---------------------------------------------------------------------------


def _report(host: Host, path: str, uid: int | None) -> Reply:
    parts = path[len(_REPORT) :].split("/")
    if len(parts) not in (2, 3) or not all(parts[:2]):
        return _not_found()
    if uid is None:
        return _login_redirect(path)
    converter, report_name = parts[0], parts[1]
    ids = [int(i) for i in parts[2].split(",") if i.isdigit()] if len(parts) == 3 else []
    database = host.odoo.database
    with host.db_lock:
        reports = database.execute_kw(
            2,
            "ir.actions.report",
            "search_read",
            [[["report_name", "=", report_name]]],
            {"fields": ["model"], "limit": 1},
        )
        if converter not in _CONVERTERS or not reports:
            page = _wire.INTERNAL_SERVER_ERROR_PAGE
            return 500, _wire.html_headers(page), page
        model = reports[0]["model"]
        try:
            found = database.execute_kw(uid, model, "read", [ids], {"fields": ["id"]})
        except Fault as fault:
            if fault.name == ACCESS_ERROR:
                return _error_page(403, "FORBIDDEN", fault.message)
            raise
    missing = sorted(set(ids) - {row["id"] for row in found})
    if missing:
        shown = ", ".join(str(i) for i in missing)
        message = (
            f"Record does not exist or has been deleted.\n(Record: {model}({shown},), User: {uid})"
        )
        return _error_page(400, "BAD REQUEST", message)
    text = f"{report_name} {','.join(str(i) for i in ids)}"
    if converter == "html":
        body = (
            f"<!DOCTYPE html>\n<html><body><main>{html.escape(text)}</main></body></html>".encode()
        )
    else:
        body = minimal_pdf(text) if converter == "pdf" else text.encode()
    headers: _wire.Headers = [
        (b"content-type", _CONVERTERS[converter]),
        (b"content-length", str(len(body)).encode()),
        (b"x-content-type-options", b"nosniff"),
    ]
    return 200, headers, body


def _login_redirect(path: str) -> Reply:
    target = "/web/login?redirect=" + urllib.parse.quote(path + "?", safe="")
    body = _wire.werkzeug_page(
        303,
        "Redirecting...",
        f"You should be redirected automatically to the target URL: "
        f'<a href="{html.escape(target)}">{html.escape(target)}</a>. If not, click the link.',
    )
    headers = _wire.html_headers(body)
    headers.append((b"location", target.encode()))
    return 303, headers, body


def _error_page(status: int, reason: str, message: str) -> Reply:
    """Odoo's HTML error page for an exception raised by an ``http`` route."""
    body = (
        "<!DOCTYPE html>\n<html>\n<head><title>Odoo</title></head>\n<body>\n"
        f"<h1>{status} {reason.title()}</h1>\n"
        "<p>Take a look at the error message below.</p>\n"
        f"<strong>Error message:</strong>\n<pre>{html.escape(message)}</pre>\n"
        "</body>\n</html>\n"
    ).encode()
    return status, _wire.html_headers(body), body


def minimal_pdf(text: str) -> bytes:
    """A small, valid one-page PDF showing ``text`` (ASCII; other characters become ``?``)."""
    safe = text.encode("ascii", "replace").decode().replace("\\", "\\\\")
    safe = safe.replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 12 Tf 72 720 Td ({safe}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# -- contents --------------------------------------------------------------------------


def _content(host: Host, path: str, uid: int | None) -> Reply:
    parts = path[len(_CONTENT) :].split("/")
    if parts and parts[0].isdigit() and len(parts) in (1, 2):
        model, rid, field = "ir.attachment", int(parts[0]), "datas"
    elif len(parts) in (3, 4) and parts[1].isdigit():
        model, rid, field = parts[0], int(parts[1]), parts[2]
        field = "datas" if (model, field) == ("ir.attachment", "raw") else field
    else:
        return _not_found()
    if uid is None:
        return _not_found()
    database = host.odoo.database
    with host.db_lock:
        if not database.has_model(model):
            return _not_found()
        if database.field_type(model, field) != "binary":
            return _not_found()
        names = [field, "name", "mimetype"] if model == "ir.attachment" else [field]
        try:
            rows: list[dict[str, Any]] = database.execute_kw(
                uid, model, "read", [[rid]], {"fields": names}
            )
        except Fault:
            return _not_found()
    if not rows:
        return _not_found()
    row = rows[0]
    try:
        data = base64.b64decode(row[field] or b"", validate=False)
    except (binascii.Error, ValueError):
        data = b""
    name = row.get("name") or f"{model.replace('.', '_')}-{rid}-{field}"
    mimetype = row.get("mimetype") or "application/octet-stream"
    headers: _wire.Headers = [
        (b"content-disposition", b"inline; filename=" + urllib.parse.quote(name).encode()),
        (b"content-type", mimetype.encode()),
        (b"content-length", str(len(data)).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"content-security-policy", b"default-src 'none'"),
    ]
    return 200, headers, data


def _not_found() -> Reply:
    page = _wire.NOT_FOUND_PAGE  # Odoo 17's page; 18 and 19 word theirs as Werkzeug 2.2 does
    return 404, _wire.html_headers(page), page
