"""The XML-RPC routes of the test double: ``POST /xmlrpc/2/<service>`` and the legacy
``POST /xmlrpc/<service>``, answered by the services of ``_services.py``.

Order of checks: the path (404), the HTTP method (405 with ``Allow: POST``), the
controls for tests (the concurrency cap, injected faults), the XML (malformed: a
fault with the parser's traceback), then the call. Bodies and fault codes, modern
and legacy, come from ``_xmlrpc.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _services as services
from . import _wire, _xmlrpc
from ._exceptions import Fault
from ._faults import HTTP_FAULTS, SERIALIZATION_FAILURE, SERIALIZATION_MESSAGE, http_fault_reply

if TYPE_CHECKING:
    from ._host import Host
    from ._wire import Reply

__all__ = ["handle"]


async def handle(host: Host, http_method: str, path: str, body: bytes, over: bool) -> Reply | None:
    """The reply to a request on ``/xmlrpc/...``, or None: close without replying."""
    legacy = not path.startswith("/xmlrpc/2/")
    service = path[len("/xmlrpc/") if legacy else len("/xmlrpc/2/") :]
    if not service or "/" in service:
        page = _wire.error_page(404, major=host.odoo.major)
        return 404, _wire.html_headers(page), page
    if http_method != "POST":
        page = _wire.error_page(405, major=host.odoo.major)
        return 405, [*_wire.html_headers(page), (b"allow", b"POST")], page
    error: Exception | None = None
    try:
        params, method = _xmlrpc.parse_call(body)
    except Exception as exc:  # malformed XML: a fault with the parser's traceback
        error, params, method = exc, [], None
    call = None if error else services.describe(path, service, method, params)
    rule = host.admit(call, over)
    reply: Reply | None
    if over:
        page = _wire.error_page(500, major=host.odoo.major)
        reply = 500, _wire.html_headers(page), page
    elif rule is not None and rule.kind in HTTP_FAULTS:
        reply = http_fault_reply(rule)
    elif rule is not None and rule.kind == "drop":
        reply = None
    elif error is not None:
        reply = _fault(*_wire.describe_exception(error), legacy=legacy)
    elif rule is not None and rule.kind == "concurrency":
        reply = _fault(SERIALIZATION_FAILURE, SERIALIZATION_MESSAGE, [], legacy=legacy)
    else:
        reply = _run(host, service, method, params, legacy=legacy)
        if rule is not None and rule.kind == "lost":
            reply = None  # it ran; the reply is lost on the way
    await host.pause(rule.delay if rule is not None else 0.0, over)
    return reply


def _run(host: Host, service: str, method: Any, params: list[Any], *, legacy: bool) -> Reply:
    try:
        data = _xmlrpc.result_body(services.dispatch(host, service, method, params))
    except Fault as fault:
        return _fault(fault.name, fault.message, fault.arguments, legacy=legacy)
    except Exception as exc:
        return _fault(*_wire.describe_exception(exc), legacy=legacy)
    return 200, _wire.xml_headers(data, nosniff=True), data


def _fault(name: str, message: str, arguments: list[Any], *, legacy: bool) -> Reply:
    traceback = _wire.traceback_text(name, message, where="xmlrpc")
    if legacy:
        data = _xmlrpc.fault_body(*_xmlrpc.legacy_fault(name, message, traceback))
    else:
        data = _xmlrpc.fault_body(*_xmlrpc.modern_fault(name, message, traceback))
    return 200, _wire.xml_headers(data, nosniff=False), data
