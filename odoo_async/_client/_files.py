"""Reports and files: ``AsyncOdoo.report()`` and ``AsyncOdoo.attachments``.

Odoo 17, 18 and 19 serve a report only on the web client's ``http`` route
``GET /report/<format>/<report_name>/<ids>`` (``auth="user"``: a web session, opened
by ``/web/session/authenticate`` with a password; no API key, no bearer). Its
renderer ``_render_qweb_pdf`` is private, so no RPC (JSON-RPC, XML-RPC, JSON-2)
reaches it. Files are streamed from ``GET /web/content/...`` under the same session
when the client has a password; with an API key they travel as base64 in an RPC
``read``. An upload is always an RPC ``create`` of an ``ir.attachment`` (what every
protocol and both kinds of credentials can do).

The web session is the client's own when ``protocol="web"``; otherwise one is
opened, once, next to the client's protocol, with the same password.
"""

from __future__ import annotations

import html
import mimetypes
import os
import re
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any, Final, TypeVar, overload

import httpx
import msgspec

from odoo_async._binary import (
    b64_json_string,
    b64decode_into,
    b64encode_source,
    check_sink,
    check_source,
    open_sink,
)
from odoo_async._check import check_choice, check_int, check_str
from odoo_async._errors import (
    AccessError,
    AuthenticationError,
    MissingError,
    OdooError,
    ReportNotFound,
    WebSessionRequired,
)
from odoo_async._protocols._websession import WebSessionProtocol
from odoo_async._transports._session import HttpxSession

from ._core import single_flight

if TYPE_CHECKING:
    from ._client import AsyncOdoo
    from ._core import Core

__all__ = ["REPORT_FORMATS", "AsyncAttachments", "fetch_report"]

#: The formats ``/report/<format>/...`` serves.
REPORT_FORMATS: Final = ("pdf", "html", "text")
#: Protocols whose body is msgspec's JSON, which takes a ``msgspec.Raw`` as it is.
_JSON_PROTOCOLS: Final = frozenset({"jsonrpc", "web", "json2"})
_PRE: Final = re.compile(rb"<pre>(.*?)</pre>", re.DOTALL)

PathOrFile = TypeVar("PathOrFile")
_BACKSLASH: Final = re.compile(rb"\\")


_rows_decoder: Final = msgspec.json.Decoder(list[dict[str, msgspec.Raw]])


def _web_session(core: Core, what: str) -> WebSessionProtocol:
    """The web session for ``http`` routes: the client's own, or one made for them."""
    if isinstance(core.protocol, WebSessionProtocol):
        return core.protocol
    if core.credentials.kind != "password":
        raise WebSessionRequired(
            f"{what}: Odoo serves it only to a web session (/web/session/authenticate), "
            "which takes a password, never an API key, and no RPC can render it "
            "(ir.actions.report's renderer is private): create the client with password="
        )
    if core.web is None:
        core.web = WebSessionProtocol()
    return core.web


async def _login(core: Core, web: WebSessionProtocol, timeout: httpx.Timeout | None) -> None:
    creds = core.credentials
    uid = await web.authenticate(core.http, creds, timeout=timeout)
    if uid is None:
        raise AuthenticationError(
            f"Odoo refused the web session login {creds.login!r} on database {creds.db!r}",
            db=creds.db,
            login=creds.login,
        )


async def _get(
    core: Core, path: str, sink: IO[bytes], *, what: str, timeout: httpx.Timeout | None
) -> httpx.Response | None:
    """Stream ``GET path`` under the web session into ``sink``.

    None once the body is written; an error reply (its body read) otherwise. A
    redirect to the login page (the session expired) logs in again, once.
    """
    web = _web_session(core, what)
    http = core.http
    assert isinstance(http, HttpxSession)
    core.open()
    if not web.logged_in:  # concurrent first calls share one login
        await single_flight(core, "web_login_task", lambda: _login(core, web, timeout))
    for attempt in range(2):
        permit = await core.budgets.acquire((timeout or http.timeout).pool)
        try:
            async with http.stream(path, headers=web.cookie(), timeout=timeout) as response:
                if response.status_code == 200:
                    async for chunk in response.aiter_bytes():
                        sink.write(chunk)
                        core.stats.bytes_in += len(chunk)
                    return None
                await response.aread()
        finally:
            core.budgets.release(permit)
        location = response.headers.get("location", "")
        if response.is_redirect and "/web/login" in location and attempt == 0:
            await single_flight(core, "web_login_task", lambda: _login(core, web, timeout))
            continue
        return response
    return response


def _pre_text(body: bytes) -> str:
    """The text of the ``<pre>`` of Odoo's error page (the exception's message)."""
    match = _PRE.search(body)
    return html.unescape(match.group(1).decode("utf-8", "replace")).strip() if match else ""


async def fetch_report(
    odoo: AsyncOdoo,
    core: Core,
    report_name: str,
    ids: int | Iterable[int],
    *,
    format: str,
    to: Any,
    timeout: httpx.Timeout | None,
) -> Any:
    """What :meth:`AsyncOdoo.report` does."""
    check_str("report_name", report_name, accepted="a report name such as 'account.report_invoice'")
    check_choice("format", format, REPORT_FORMATS, accepted=", ".join(map(repr, REPORT_FORMATS)))
    check_sink("to", to)
    wanted = _ids(ids, where=f"report {report_name!r}")
    shown = f"report {report_name!r} for ids {wanted}"
    path = f"/report/{format}/{report_name}/{','.join(map(str, wanted))}"
    with open_sink(to) as sink:
        failed = await _get(core, path, sink.file, what=shown, timeout=timeout)
        if failed is None:
            return sink.result()
        status, body = failed.status_code, failed.content
        if status == 403:
            raise AccessError(f"{shown}: {_pre_text(body)}", name="odoo.exceptions.AccessError")
        if status == 400 and b"does not exist" in body:
            raise MissingError(f"{shown}: {_pre_text(body)}", name="odoo.exceptions.MissingError")
        if status == 500:
            found = await odoo.execute_kw(
                "ir.actions.report", "search_count", [[["report_name", "=", report_name]]]
            )
            if not found:
                raise ReportNotFound(
                    f"no report named {report_name!r} on the server (asked for ids {wanted}); "
                    "list them with ir.actions.report search_read",
                    report=report_name,
                    ids=wanted,
                )
            raise OdooError(f"{shown}: the server failed to render it (HTTP 500; its log says why)")
        raise _status_error(core, failed, shown)


def _status_error(core: Core, response: httpx.Response, shown: str) -> OdooError:
    if response.is_redirect:
        return AuthenticationError(
            f"{shown}: the server sent the web session to its login page again",
            db=core.credentials.db,
            login=core.credentials.login,
        )
    text = _pre_text(response.content) or core.http.describe(response.content)
    return OdooError(f"{shown}: HTTP {response.status_code} from the server: {text}")


def _ids(ids: int | Iterable[int], *, where: str) -> list[int]:
    if isinstance(ids, int) and not isinstance(ids, bool):
        ids = [ids]
    if isinstance(ids, (str, bytes)) or not isinstance(ids, Iterable):
        raise TypeError(f"{where}: ids must be a record id or an iterable of ids, got {ids!r}")
    wanted = list(ids)
    for rid in wanted:
        check_int("ids", rid, minimum=1, where=where)
    if not wanted:
        raise ValueError(f"{where}: ids is empty; give at least one record id")
    return wanted


class AsyncAttachments:
    """Files in Odoo: ``ir.attachment`` records and binary fields (``odoo.attachments``).

    Memory, as measured for a 50 MB file (``benchmarks/bench_files.py``, peak of
    Python allocations during the call):

    * a download with a password is streamed from ``/web/content``: it holds one
      piece of what the network delivers (under 1 MiB to a file), plus the file
      itself when it is returned as bytes;
    * a download with an API key is the base64 of an RPC ``read`` (Odoo offers no
      other way): the reply, 4/3 of the file, is held, and held twice for a moment
      while the transport joins its pieces (2.7 times the file); it is decoded a
      768 KiB chunk at a time, never as a whole string;
    * an upload is an RPC ``create`` whose base64 is encoded a chunk at a time into
      one buffer made at its final size, passed as it is to the JSON encoder (no
      string is made of it, except for XML-RPC); the request body is encoded from
      it: 4.7 times the file at peak (the base64, the body, the encoder's copy).
    """

    def __init__(self, odoo: AsyncOdoo, core: Core) -> None:
        self._odoo = odoo
        self._core = core

    def __repr__(self) -> str:
        return f"<AsyncAttachments of {self._odoo!r}>"

    async def upload(
        self,
        model: str,
        record_id: int,
        content: bytes | str | os.PathLike[str] | IO[bytes],
        *,
        name: str,
        mimetype: str | None = None,
    ) -> int:
        """Attach ``content`` to the record ``record_id`` of ``model``; the attachment's id.

        **Parameters:**

        * **model** - The record's model, such as ``"res.partner"``.
        * **record_id** - The record's id (an int ``>= 1``).
        * **content** - The file: bytes, a path, or a binary file object (read from
          where it stands to its end).
        * **name** - The attachment's file name, such as ``"contract.pdf"``.
        * **mimetype** - *(optional)* Its MIME type; default: guessed from ``name``,
          else left to Odoo (which guesses from the content).
        """
        check_str("model", model, accepted="a model name such as 'res.partner'")
        check_int("record_id", record_id, minimum=1, where=f"{model} upload")
        check_source("content", content)
        check_str("name", name, accepted="the attachment's file name (a non-empty string)")
        check_str("mimetype", mimetype, accepted="a MIME type or None", none=True)
        values: dict[str, Any] = {"name": name, "res_model": model, "res_id": record_id}
        guessed = mimetype or mimetypes.guess_type(name)[0]
        if guessed:
            values["mimetype"] = guessed
        await self._odoo.authenticate()  # "auto" has chosen its protocol from here on
        if self._core.protocol.name in _JSON_PROTOCOLS:
            # The JSON text as it goes in the body: no str, no second copy.
            values["datas"] = msgspec.Raw(b64_json_string(content))
        else:
            values["datas"] = b64encode_source(content)
        new_id = await self._odoo.execute_kw("ir.attachment", "create", [values])
        return int(new_id[0] if isinstance(new_id, list) else new_id)

    @overload
    async def download(self, attachment_id: int, to: None = None) -> bytes: ...

    @overload
    async def download(self, attachment_id: int, to: PathOrFile) -> PathOrFile: ...

    async def download(self, attachment_id: int, to: Any = None) -> Any:
        """The content of the attachment ``attachment_id``: bytes, or written to ``to``.

        **Parameters:**

        * **attachment_id** - The ``ir.attachment`` id.
        * **to** - *(optional)* A path (the file is created or replaced; removed
          again if the download fails) or a binary file object; it is returned.
          Default ``None``: the bytes are returned.
        """
        check_int("attachment_id", attachment_id, minimum=1)
        return await self.read_field("ir.attachment", attachment_id, "datas", to=to)

    async def read_field(self, model: str, record_id: int, field: str, to: Any = None) -> Any:
        """The content of the binary or image field ``field`` of a record (see
        :meth:`AsyncModel.read_binary`)."""
        check_str("model", model, accepted="a model name such as 'res.partner'")
        check_int("record_id", record_id, minimum=1, where=f"{model}.read_binary")
        check_str("field", field, accepted="a binary field's name such as 'image_1920'")
        check_sink("to", to)
        with open_sink(to) as sink:
            if self._core.credentials.kind == "password":
                await self._stream(model, record_id, field, sink.file)
            else:
                await self._rpc(model, record_id, field, sink.file)
            return sink.result()

    async def _stream(self, model: str, record_id: int, field: str, sink: IO[bytes]) -> None:
        path = (
            f"/web/content/{record_id}"
            if (model, field) == ("ir.attachment", "datas")
            else f"/web/content/{model}/{record_id}/{field}"
        )
        what = f"{model} {record_id} field {field!r}"
        failed = await _get(self._core, path, sink, what=what, timeout=None)
        if failed is None:
            return
        if failed.status_code == 404:
            # Odoo answers 404 alike for a missing record, one the user may not read
            # and a field that is no file: a read says which, in Odoo's own words.
            await self._read(model, record_id, field)
            raise OdooError(
                f"{model} {record_id}: Odoo serves no file from field {field!r} (HTTP 404): "
                "is it a binary or image field?"
            )
        raise _status_error(self._core, failed, f"{model} {record_id} field {field!r}")

    async def _read(self, model: str, record_id: int, field: str) -> msgspec.Raw:
        """The JSON text of ``field`` of the record, from an RPC ``read``."""
        raw = await self._odoo.with_context(bin_size=False).execute_kw_raw(
            model, "read", [[record_id], [field]]
        )
        rows = _rows_decoder.decode(raw)
        if not rows:
            raise MissingError(
                f"{model} {record_id} does not exist or has been deleted",
                name="odoo.exceptions.MissingError",
            )
        value = rows[0].get(field)
        return value if value is not None else msgspec.Raw(b"false")

    async def _rpc(self, model: str, record_id: int, field: str, sink: IO[bytes]) -> None:
        raw = await self._read(model, record_id, field)
        view = memoryview(raw).cast("B")
        if bytes(view[:1]) != b'"':
            return  # false: an empty field
        if _BACKSLASH.search(view):  # an escaped string (never seen from Odoo): decode it first
            text = msgspec.json.decode(view).encode("ascii")
            b64decode_into(text, sink)
            return
        b64decode_into(view[1:-1], sink)
