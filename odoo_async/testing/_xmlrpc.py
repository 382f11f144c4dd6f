"""XML-RPC bodies for ``/xmlrpc/2/<service>`` and the legacy ``/xmlrpc/<service>``.

Odoo marshals with the standard library (``xmlrpc.client.dumps`` / ``loads``), so we
do too. Faults carry Odoo's codes:

==========  ===============================================================
faultCode   when
==========  ===============================================================
1           anything else; ``faultString`` is the traceback
2           UserError, ValidationError, MissingError, RedirectWarning: the message
3           AccessDenied: ``Access Denied``
4           AccessError (private methods too): the message
==========  ===============================================================

The legacy endpoints put ``warning -- <Class>\\n\\n<message>`` in a *string*
``faultCode`` (empty ``faultString``), ``AccessDenied`` as ``("AccessDenied",
message)``, and for anything else the message as code and the traceback as string.
"""

from __future__ import annotations

import xmlrpc.client
from typing import Any, Final, cast

__all__ = ["fault_body", "legacy_fault", "modern_fault", "parse_call", "result_body"]

_USER_ERRORS: Final = frozenset(
    {
        "odoo.exceptions.UserError",
        "odoo.exceptions.ValidationError",
        "odoo.exceptions.MissingError",
        "odoo.exceptions.RedirectWarning",
        "odoo.exceptions.CacheMiss",
    }
)
_LEGACY_WARNINGS: Final = {
    "odoo.exceptions.RedirectWarning": "Warning",
    "odoo.exceptions.MissingError": "MissingError",
    "odoo.exceptions.AccessError": "AccessError",
    "odoo.exceptions.UserError": "UserError",
    "odoo.exceptions.ValidationError": "UserError",
    "odoo.exceptions.CacheMiss": "UserError",
}
_NIL: Final = "<value><nil/></value>"


def parse_call(body: bytes) -> tuple[list[Any], str | None]:
    """Return ``(params, method_name)``; raises ``xml.parsers.expat.ExpatError`` and friends."""
    params, method = xmlrpc.client.loads(body)
    return list(params), method


def result_body(result: Any) -> bytes:
    """A method response. Odoo 17, 18 and 19 marshal without ``allow_none``: a ``None``
    anywhere in the result (``check_access_rule``, 18's ``check_access``...) raises the
    marshaller's ``TypeError``, which goes out as a fault although the method ran."""
    text = xmlrpc.client.dumps((result,), methodresponse=True, allow_none=True)
    if _NIL in text:
        raise TypeError("cannot marshal None unless allow_none is enabled")
    return text.encode()


def fault_body(code: int | str, string: str) -> bytes:
    # The legacy endpoints send a string faultCode, which the stub's ``int`` does not allow.
    fault = xmlrpc.client.Fault(cast(Any, code), string)
    return xmlrpc.client.dumps(fault, allow_none=True).encode()


def modern_fault(name: str, message: str, traceback: str) -> tuple[int, str]:
    """``(faultCode, faultString)`` as ``/xmlrpc/2/*`` sends them."""
    if name == "odoo.exceptions.AccessError":
        return 4, message
    if name == "odoo.exceptions.AccessDenied":
        return 3, message
    if name in _USER_ERRORS:
        return 2, message
    return 1, traceback


def legacy_fault(name: str, message: str, traceback: str) -> tuple[str, str]:
    """``(faultCode, faultString)`` as the legacy ``/xmlrpc/*`` sends them."""
    if name == "odoo.exceptions.AccessDenied":
        return "AccessDenied", message
    warning = _LEGACY_WARNINGS.get(name)
    if warning is not None:
        return f"warning -- {warning}\n\n{message}", ""
    return message, traceback
