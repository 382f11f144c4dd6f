"""JSON-RPC 2.0 over ``/jsonrpc``: Odoo's ``common`` and ``object`` services.

Requests and replies go through one reused msgspec encoder and decoder. The
reply's ``result`` is kept as ``msgspec.Raw`` so the layer above decodes it
once, straight into the type it wants.
"""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import msgspec

from odoo_async._errors import ProtocolError, RPCError, fault_to_error
from odoo_async._secret import MaskedBody, Secret, SecretLike
from odoo_async._transports._session import HTTPSession, describe_body, redact_bytes

from ._base import Credentials, WireProtocol, user_id

__all__ = ["JsonRpcProtocol", "decode_reply", "encode_request"]

_NULL = msgspec.Raw(b"null")
_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


class _Request(msgspec.Struct, array_like=False):
    params: dict[str, Any]
    id: int
    jsonrpc: str = "2.0"
    method: str = "call"


class _Reply(msgspec.Struct):
    jsonrpc: Any = None
    id: Any = None
    result: msgspec.Raw = msgspec.Raw()
    error: Any = None  # rare: decoded generically, checked by hand


def _enc_hook(obj: Any) -> Any:
    if isinstance(obj, (set, frozenset)):
        return list(obj)
    if isinstance(obj, Secret):  # the one place a password or key is unwrapped
        return obj.reveal()
    raise NotImplementedError(
        f"cannot send a value of type {type(obj).__name__!r} to Odoo: {obj!r} "
        "(send str, int, float, bool, None, lists and dicts of them)"
    )


_encoder = msgspec.json.Encoder(enc_hook=_enc_hook)
_decoder = msgspec.json.Decoder(_Reply)
_ids = itertools.count(1)


def encode_request(params: dict[str, Any]) -> bytes:
    """One JSON-RPC ``call`` request with the next id from the counter."""
    try:
        return MaskedBody(_encoder.encode(_Request(params=params, id=next(_ids))))
    except (NotImplementedError, TypeError, OverflowError) as exc:
        raise TypeError(f"cannot encode the call's arguments as JSON: {exc}") from None


def decode_reply(
    response: httpx.Response,
    *,
    model: str | None = None,
    method: str | None = None,
    secrets: tuple[SecretLike, ...] = (),
) -> msgspec.Raw:
    """The ``result`` of a JSON-RPC reply, or the error its ``error`` describes."""
    body = response.content
    try:
        reply = _decoder.decode(body)
    except msgspec.DecodeError as exc:
        raise _not_an_envelope(
            response, f"is not a JSON-RPC envelope ({exc})", model, method, secrets
        ) from None
    error = reply.error
    if error is not None:
        raise _error_from(error, model=model, method=method, secrets=secrets)
    result = reply.result
    if len(result):
        return result
    if reply.jsonrpc == "2.0":
        # A JSON-RPC reply to a call that returned nothing: Odoo leaves out
        # ``result`` (``/web/session/destroy`` answers ``{"jsonrpc": "2.0", "id": 1}``).
        return _NULL
    # A JSON object that is no JSON-RPC reply at all: a proxy's or another
    # service's answer (``{"status": "ok"}``). Never take it for ``null``.
    raise _not_an_envelope(
        response, "is a JSON object without jsonrpc, result or error", model, method, secrets
    )


def _not_an_envelope(
    response: httpx.Response,
    what: str,
    model: str | None,
    method: str | None,
    secrets: tuple[SecretLike, ...],
) -> ProtocolError:
    """The error for a reply that is not JSON-RPC, showing its (masked) first bytes."""
    content_type = response.headers.get("content-type", "")
    kept = redact_bytes(response.content[:2048], tuple(s for s in secrets if s))
    return ProtocolError(
        f"Odoo's reply {what} (HTTP {response.status_code}, "
        f"{content_type or 'no content type'}): {describe_body(kept)}",
        status_code=response.status_code,
        content_type=content_type,
        body=kept,
        model=model,
        method=method,
    )


def _error_from(
    error: Any,
    *,
    model: str | None,
    method: str | None,
    secrets: tuple[SecretLike, ...],
) -> RPCError:
    if not isinstance(error, dict):
        error = {"message": str(error)}
    data = error.get("data")
    code = error.get("code")
    message = error.get("message")
    return fault_to_error(
        data if isinstance(data, dict) else None,
        code=code if isinstance(code, int) and not isinstance(code, bool) else None,
        message=message if isinstance(message, str) else None,
        model=model,
        method=method,
        secrets=secrets,
    )


class JsonRpcProtocol(WireProtocol):
    """Odoo's ``/jsonrpc`` endpoint: ``common.version``, ``common.authenticate``,
    ``object.execute_kw``."""

    name = "jsonrpc"

    def __init__(self, path: str = "/jsonrpc") -> None:
        self.path = path

    async def _call(
        self,
        http: HTTPSession,
        service: str,
        method: str,
        args: list[Any],
        *,
        timeout: httpx.Timeout | None,
        model: str | None = None,
        odoo_method: str | None = None,
        secrets: tuple[SecretLike, ...] = (),
    ) -> msgspec.Raw:
        content = encode_request({"service": service, "method": method, "args": args})
        response = await http.post(
            self.path,
            content,
            headers=_HEADERS,
            timeout=timeout,
            model=model,
            method=odoo_method or method,
        )
        return decode_reply(response, model=model, method=odoo_method or method, secrets=secrets)

    async def version(self, http: HTTPSession, *, timeout: httpx.Timeout | None) -> msgspec.Raw:
        return await self._call(http, "common", "version", [], timeout=timeout)

    async def authenticate(
        self, http: HTTPSession, credentials: Credentials, *, timeout: httpx.Timeout | None
    ) -> int | None:
        raw = await self._call(
            http,
            "common",
            "authenticate",
            [credentials.db, credentials.login, credentials.secret, {}],
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
            [credentials.db, uid, credentials.secret, model, method, args, kwargs],
            timeout=timeout,
            model=model,
            odoo_method=method,
            secrets=(credentials.secret,),
        )
