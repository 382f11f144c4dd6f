"""What Odoo 17 puts on the wire, as bytes: JSON-RPC replies, fault envelopes, HTML pages.

Everything here is stateless and cheap. The shapes follow replies captured from a
real Odoo 17 server (threaded server behind Werkzeug 2.0):

- a JSON-RPC reply is ``{"jsonrpc": "2.0", "id": ..., "result": ...}``, in that key
  order; a ``None`` result leaves the ``result`` key out (``/web/session/destroy``);
- a fault is HTTP 200 with ``{"jsonrpc", "id", "error": {"code", "message", "data":
  {"name", "debug", "message", "arguments", "context"}}}``, ``code`` 200 ("Odoo Server
  Error") or 100 ("Odoo Session Expired");
- replies Odoo builds outside the JSON-RPC layer are ``text/html``: ``Invalid JSON
  data`` (400), Werkzeug's HTML pages (400, 404, 405, 500), and, in front of Odoo, a
  proxy's pages (429, 502, 503, 504).

The ``debug`` traceback is our own short text with the shape of Odoo's: it starts with
``Traceback (most recent call last):`` and its last line is ``<Class>: <message>``.
"""

from __future__ import annotations

import email.utils
import html
import time
from collections.abc import Sequence
from typing import Any, Final

import msgspec

__all__ = [
    "HTML",
    "JSON",
    "SERVER_ERROR_CODE",
    "SESSION_EXPIRED_CODE",
    "XML",
    "Headers",
    "Reply",
    "bad_request_page",
    "decode_json",
    "error_body",
    "error_page",
    "html_headers",
    "json_headers",
    "proxy_page",
    "traceback_text",
    "werkzeug_page",
]

Headers = list[tuple[bytes, bytes]]
Reply = tuple[int, Headers, bytes]
"""``(status, headers, body)``; the handler returns ``None`` to drop the connection."""

JSON: Final = b"application/json; charset=utf-8"
HTML: Final = b"text/html; charset=utf-8"
XML: Final = b"text/xml; charset=utf-8"
_NOSNIFF: Final = (b"x-content-type-options", b"nosniff")

SERVER_ERROR_CODE: Final = 200
SESSION_EXPIRED_CODE: Final = 100
_CODE_MESSAGES: Final = {
    SERVER_ERROR_CODE: "Odoo Server Error",
    SESSION_EXPIRED_CODE: "Odoo Session Expired",
    404: "404: Not Found",
}

_encoder: Final = msgspec.json.Encoder()
_decoder: Final = msgspec.json.Decoder()


def decode_json(body: bytes) -> Any:
    """Decode a request body; raises :class:`msgspec.DecodeError` on invalid JSON."""
    return _decoder.decode(body)


def encode_json(value: Any) -> bytes:
    return _encoder.encode(value)


def json_headers(body: bytes, *, nosniff: bool = True) -> Headers:
    """Headers of a JSON reply. Odoo adds ``nosniff`` to results but not to faults."""
    headers = [(b"content-type", JSON), (b"content-length", str(len(body)).encode())]
    if nosniff:
        headers.append(_NOSNIFF)
    return headers


def html_headers(body: bytes, *, nosniff: bool = False) -> Headers:
    headers = [(b"content-type", HTML), (b"content-length", str(len(body)).encode())]
    if nosniff:
        headers.append(_NOSNIFF)
    return headers


def xml_headers(body: bytes, *, nosniff: bool) -> Headers:
    headers = [(b"content-type", XML), (b"content-length", str(len(body)).encode())]
    if nosniff:
        headers.append(_NOSNIFF)
    return headers


def result_body(request_id: Any, result: Any) -> bytes:
    """A JSON-RPC success reply; Odoo leaves out ``result`` when it is ``None``."""
    if result is None:
        return _encoder.encode({"jsonrpc": "2.0", "id": request_id})
    return _encoder.encode({"jsonrpc": "2.0", "id": request_id, "result": result})


def error_body(
    request_id: Any,
    name: str,
    message: str,
    arguments: list[Any] | None = None,
    *,
    code: int = SERVER_ERROR_CODE,
    where: str = "dispatch",
) -> bytes:
    """A JSON-RPC fault envelope, shaped like Odoo 17's."""
    return _encoder.encode(
        {
            "jsonrpc": "2.0",
            "id": request_id,
            "error": {
                "code": code,
                "message": _CODE_MESSAGES.get(code, "Odoo Server Error"),
                "data": {
                    "name": name,
                    "debug": traceback_text(name, message, where=where),
                    "message": message,
                    "arguments": [message] if arguments is None else arguments,
                    "context": {},
                },
            },
        }
    )


def traceback_text(name: str, message: str, *, where: str = "dispatch") -> str:
    """A short traceback whose last line is ``<Class>: <message>`` as Python prints it.

    Built-in exceptions lose their ``builtins.`` prefix and a ``KeyError`` shows the
    repr of its key, exactly as in Odoo's ``debug`` text.
    """
    short = name[len("builtins.") :] if name.startswith("builtins.") else name
    shown = repr(message) if short == "KeyError" else message
    return (
        "Traceback (most recent call last):\n"
        '  File "odoo_async/testing/_server.py", line 1, in '
        f"{where}\n"
        "    raise exception\n"
        f"{short}: {shown}\n"
    )


_DOCTYPE: Final = '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n'
#: Werkzeug 2.1 and later (Odoo 18 and 19 on Python 3.11 and up run 2.2.2 or 3.0.1)
_DOCTYPE_22: Final = "<!doctype html>\n<html lang=en>\n"


def werkzeug_page(status: int, title: str, description: str, *, major: int = 17) -> bytes:
    """The HTML error page Werkzeug renders (``description`` is already escaped):
    Werkzeug 2.0's under Odoo 17, 2.2's from Odoo 18 on."""
    doctype = _DOCTYPE if major < 18 else _DOCTYPE_22
    return (
        f"{doctype}<title>{status} {title}</title>\n<h1>{title}</h1>\n<p>{description}</p>\n"
    ).encode()


def bad_request_page(route: str, *, major: int = 17) -> bytes:
    """Odoo's 400 page for a JSON route reached without a JSON content type (or by GET).

    Werkzeug 2.0 escapes a quote as ``&#x27;``, 2.2 (markupsafe) as ``&#39;``.
    """
    text = html.escape(
        f"Request inferred type is compatible with ['http'] but {route!r} is type='json'."
    )
    if major >= 18:
        text = text.replace("&#x27;", "&#39;")
    return werkzeug_page(400, "Bad Request", text, major=major)


_PAGES: Final = {
    404: (
        "Not Found",
        "The requested URL was not found on the server. If you entered the URL manually please"
        " check your spelling and try again.",
    ),
    405: ("Method Not Allowed", "The method is not allowed for the requested URL."),
    500: (
        "Internal Server Error",
        "The server encountered an internal error and was unable to complete your request."
        " Either the server is overloaded or there is an error in the application.",
    ),
}


def error_page(status: int, *, major: int = 17) -> bytes:
    """Werkzeug's page for HTTP ``status`` (404, 405 or 500) under Odoo ``major``."""
    return werkzeug_page(status, *_PAGES[status], major=major)


NOT_FOUND_PAGE: Final = error_page(404)
METHOD_NOT_ALLOWED_PAGE: Final = error_page(405)
INTERNAL_SERVER_ERROR_PAGE: Final = error_page(500)
INVALID_JSON: Final = b"Invalid JSON data"
INVALID_JSON_RPC: Final = b"Invalid JSON-RPC data"


def proxy_page(status: int, reason: str) -> bytes:
    """The error page a reverse proxy (nginx) in front of Odoo answers with."""
    return (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    ).encode()


SESSION_MAX_AGE: Final = 7 * 24 * 3600


def session_cookie(session_id: str) -> tuple[bytes, bytes]:
    """The ``Set-Cookie`` header Odoo sends with a (new or refreshed) session."""
    expires = email.utils.formatdate(time.time() + 365 * 24 * 3600, usegmt=True)
    value = (
        f"session_id={session_id}; Expires={expires}; Max-Age={SESSION_MAX_AGE}; HttpOnly; Path=/"
    )
    return (b"set-cookie", value.encode())


def clear_cids_cookie() -> tuple[bytes, bytes]:
    expires = email.utils.formatdate(time.time() + 365 * 24 * 3600, usegmt=True)
    return (b"set-cookie", f"cids=; Expires={expires}; Max-Age=0; Path=/".encode())


def describe_exception(exc: BaseException) -> tuple[str, str, list[Any]]:
    """``(name, message, arguments)`` of an unexpected exception, as Odoo serializes it."""
    cls = type(exc)
    name = f"{cls.__module__}.{cls.__qualname__}"
    arguments = [
        a if isinstance(a, (str, int, float, bool)) or a is None else str(a) for a in exc.args
    ]
    message = "\n".join(str(a) for a in exc.args) if exc.args else str(exc)
    return name, message, arguments


def _quoted(names: Sequence[str]) -> str:
    quoted = [f"'{name}'" for name in names]
    if len(quoted) == 1:
        return quoted[0]
    if len(quoted) == 2:
        return f"{quoted[0]} and {quoted[1]}"
    return ", ".join(quoted[:-1]) + f", and {quoted[-1]}"


def missing_message(func: str, missing: Sequence[str]) -> str:
    """Python's ``TypeError`` text for missing arguments."""
    plural = "s" if len(missing) > 1 else ""
    return (
        f"{func}() missing {len(missing)} required positional argument{plural}: {_quoted(missing)}"
    )


def arity_message(
    func: str, names: Sequence[str], required: int, given: int, *, varargs: bool = False
) -> str | None:
    """Python's ``TypeError`` text for ``func(*args)`` with ``given`` arguments, or None if fine.

    ``names`` are the positional parameters, the first ``required`` of them mandatory.
    """
    if given < required:
        return missing_message(func, names[given:required])
    if not varargs and given > len(names):
        takes = str(required) if required == len(names) else f"from {required} to {len(names)}"
        plural = "" if required == len(names) == 1 else "s"
        was = "was" if given == 1 else "were"
        return f"{func}() takes {takes} positional argument{plural} but {given} {was} given"
    return None
