"""XML-RPC over ``/xmlrpc/2/common`` and ``/xmlrpc/2/object``, on the pooled client.

Bodies are made and read by the standard library (:func:`xmlrpc.client.dumps`
and :func:`xmlrpc.client.loads`); the request travels on the same
:class:`~odoo_async._transports._session.HTTPSession` as every other protocol, so it is async,
pooled, limited and retried like them (``xmlrpc.client``'s own blocking
transport is not used).

The result is handed up as JSON text (``msgspec.Raw``) shaped as ``/jsonrpc``
would have sent it, so everything above the protocol is the same:

- ``<base64>`` values become base64 text, ``<dateTime.iso8601>`` values Odoo's
  ``"YYYY-MM-DD HH:MM:SS"`` (Odoo itself sends both as strings);
- going out, dates and datetimes become Odoo's strings and bytes base64 text,
  as :func:`~odoo_async._values.to_odoo` makes them for JSON; ``None`` is
  allowed (``<nil/>``).

Faults carry a number, not a class name (see ``odoo17-wire``): 3 is
``AccessDenied``, 4 ``AccessError``, 2 every ``UserError`` (``ValidationError``
and ``MissingError`` cannot be told apart, so they arrive as
:class:`~odoo_async.UserError`), and 1 anything else, whose ``faultString`` is
the server's traceback: the exception's name is read from its last line. The
legacy ``/xmlrpc/*`` string codes (``warning -- MissingError\\n\\n<message>``)
are understood too.
"""

from __future__ import annotations

import base64
import re
import xmlrpc.client
from datetime import date, datetime
from typing import Any, Final
from xml.parsers.expat import ExpatError

import httpx
import msgspec

from odoo_async._errors import ProtocolError, RPCError, fault_to_error
from odoo_async._secret import MaskedBody, Secret, SecretLike
from odoo_async._transports._session import HTTPSession, describe_body, redact_bytes
from odoo_async._values import to_odoo

from ._base import Credentials, WireProtocol, user_id

__all__ = ["XmlRpcProtocol", "decode_response", "encode_call", "fault_error"]

_HEADERS: Final = {"Content-Type": "text/xml", "Accept": "text/xml"}
_XMLRPC_DATETIME: Final = "%Y%m%dT%H:%M:%S"

#: faultCode -> the Odoo exception it stands for (``/xmlrpc/2``).
FAULT_CODES: Final = {
    2: "odoo.exceptions.UserError",
    3: "odoo.exceptions.AccessDenied",
    4: "odoo.exceptions.AccessError",
}
_EXCEPTION_NAME: Final = re.compile(r"[A-Za-z_][\w.]*")
_LEGACY_WARNING: Final = re.compile(r"warning -- (\w+)\n\n", re.DOTALL)


def _outgoing(value: Any) -> Any:
    """``value`` as XML-RPC can carry it and as Odoo reads it."""
    if isinstance(value, (str, bool, int, float)) or value is None:
        return value
    if isinstance(value, (dict, list)):
        # Containers are walked: a date or bytes may sit in a domain or vals.
        if isinstance(value, dict):
            return {k: _outgoing(v) for k, v in value.items()}
        return [_outgoing(v) for v in value]
    if isinstance(value, (datetime, date, bytes, bytearray, memoryview)):
        return to_odoo(value)
    if isinstance(value, tuple):
        return [_outgoing(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return _outgoing(to_odoo(value))  # sorted, when its items compare
    if isinstance(value, Secret):  # unwrapped only as the body is written
        return value.reveal()
    return value  # anything else: xmlrpc.client says whether it can be sent


def encode_call(method: str, params: tuple[Any, ...]) -> bytes:
    """One ``<methodCall>``; a value XML-RPC cannot carry is a ``TypeError``."""
    try:
        text = xmlrpc.client.dumps(tuple(_outgoing(list(params))), method, allow_none=True)
    except (TypeError, OverflowError) as exc:
        raise TypeError(f"cannot encode the call's arguments as XML-RPC: {exc}") from None
    return MaskedBody(text.encode())


def _json_hook(obj: Any) -> Any:
    if isinstance(obj, xmlrpc.client.Binary):
        return base64.b64encode(obj.data).decode("ascii")
    if isinstance(obj, xmlrpc.client.DateTime):
        try:
            return datetime.strptime(obj.value, _XMLRPC_DATETIME).isoformat(sep=" ")
        except ValueError:
            return obj.value
    raise NotImplementedError(f"an XML-RPC {type(obj).__name__} has no JSON form")


_encoder: Final = msgspec.json.Encoder(enc_hook=_json_hook)


def decode_response(
    response: httpx.Response,
    *,
    model: str | None = None,
    method: str | None = None,
    secrets: tuple[SecretLike, ...] = (),
) -> msgspec.Raw:
    """The result of a ``<methodResponse>`` as JSON text, or the error of its fault."""
    try:
        params, _ = xmlrpc.client.loads(response.content, use_datetime=False)
    except xmlrpc.client.Fault as fault:
        raise fault_error(
            fault.faultCode, fault.faultString, model=model, method=method, secrets=secrets
        ) from None
    except (ExpatError, xmlrpc.client.ResponseError, ValueError, TypeError) as exc:
        content_type = response.headers.get("content-type", "")
        kept = redact_bytes(response.content[:2048], tuple(s for s in secrets if s))
        raise ProtocolError(
            f"Odoo's reply is not an XML-RPC response ({type(exc).__name__}: {exc}) "
            f"(HTTP {response.status_code}, {content_type or 'no content type'}): "
            f"{describe_body(kept)}",
            status_code=response.status_code,
            content_type=content_type,
            body=kept,
            model=model,
            method=method,
        ) from None
    if len(params) != 1:
        raise ProtocolError(
            f"an XML-RPC response holds one value, this one {len(params)}",
            status_code=response.status_code,
            model=model,
            method=method,
        )
    return msgspec.Raw(_encoder.encode(params[0]))


def fault_error(
    code: Any,
    string: Any,
    *,
    model: str | None = None,
    method: str | None = None,
    secrets: tuple[SecretLike, ...] = (),
) -> RPCError:
    """The exception for an XML-RPC fault ``(faultCode, faultString)``."""
    text = string if isinstance(string, str) else str(string)
    name, message, debug = "", text, ""
    if isinstance(code, int) and not isinstance(code, bool) and code in FAULT_CODES:
        name = FAULT_CODES[code]
    elif code == 1 or (isinstance(code, str) and text.startswith("Traceback")):
        name, message = _last_exception(text)
        debug = text
    elif isinstance(code, str):
        # The legacy /xmlrpc/* endpoints: the class in the code, or the message.
        match = _LEGACY_WARNING.match(code)
        if match:
            name, message = f"odoo.exceptions.{match.group(1)}", code[match.end() :]
        elif code == "AccessDenied":
            name = "odoo.exceptions.AccessDenied"
        else:
            message = code or text
    return fault_to_error(
        {"name": name, "message": message, "debug": debug, "arguments": [message]},
        code=code if isinstance(code, int) and not isinstance(code, bool) else None,
        model=model,
        method=method,
        secrets=secrets,
    )


def _last_exception(traceback: str) -> tuple[str, str]:
    """``(dotted name, message)`` of the exception a traceback ends with.

    The exception's text follows the last indented line (the frames); a
    built-in's name gets ``builtins.`` as in JSON-RPC's ``data.name``.
    """
    lines = traceback.rstrip("\n").split("\n")
    last_frame = max((i for i, line in enumerate(lines) if line.startswith(" ")), default=-1)
    tail = "\n".join(lines[last_frame + 1 :]).strip("\n")
    head, sep, message = tail.partition(": ")
    if not _EXCEPTION_NAME.fullmatch(head):
        return "", tail or traceback
    if not sep:
        message = ""
    name = head if "." in head else f"builtins.{head}"
    return name, message or head


class XmlRpcProtocol(WireProtocol):
    """Odoo's ``/xmlrpc/2/common`` and ``/xmlrpc/2/object`` (deprecated from Odoo 19)."""

    name = "xmlrpc"

    def __init__(self, path: str = "/xmlrpc/2") -> None:
        self.path = path.rstrip("/")

    async def _call(
        self,
        http: HTTPSession,
        service: str,
        method: str,
        params: tuple[Any, ...],
        *,
        timeout: httpx.Timeout | None,
        model: str | None = None,
        odoo_method: str | None = None,
        secrets: tuple[SecretLike, ...] = (),
    ) -> msgspec.Raw:
        where = odoo_method or method
        response = await http.post(
            f"{self.path}/{service}",
            encode_call(method, params),
            headers=_HEADERS,
            timeout=timeout,
            model=model,
            method=where,
        )
        return decode_response(response, model=model, method=where, secrets=secrets)

    async def version(self, http: HTTPSession, *, timeout: httpx.Timeout | None) -> msgspec.Raw:
        return await self._call(http, "common", "version", (), timeout=timeout)

    async def authenticate(
        self, http: HTTPSession, credentials: Credentials, *, timeout: httpx.Timeout | None
    ) -> int | None:
        raw = await self._call(
            http,
            "common",
            "authenticate",
            (credentials.db, credentials.login, credentials.secret, {}),
            timeout=timeout,
            secrets=(credentials.secret,),
        )
        return user_id(msgspec.json.decode(raw))

    async def execute_kw(
        self,
        http: HTTPSession,
        credentials: Credentials,
        uid: int,
        model: str,
        method: str,
        args: list[Any],
        kwargs: dict[str, Any],
        *,
        timeout: httpx.Timeout | None,
    ) -> msgspec.Raw:
        return await self._call(
            http,
            "object",
            "execute_kw",
            (credentials.db, uid, credentials.secret, model, method, args, kwargs),
            timeout=timeout,
            model=model,
            odoo_method=method,
            secrets=(credentials.secret,),
        )
