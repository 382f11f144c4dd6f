"""The protocols by name: what ``AsyncOdoo(protocol=...)`` accepts."""

from __future__ import annotations

from ._base import WireProtocol

__all__ = ["PROTOCOLS", "make_protocol"]

#: The names ``protocol=`` takes.
PROTOCOLS = ("jsonrpc", "xmlrpc", "json2", "web", "auto")


def make_protocol(name: str) -> WireProtocol:
    """A new protocol object for ``name`` (one of :data:`PROTOCOLS`)."""
    if name == "jsonrpc":
        from ._jsonrpc import JsonRpcProtocol

        return JsonRpcProtocol()
    if name == "xmlrpc":
        from ._xmlrpc import XmlRpcProtocol

        return XmlRpcProtocol()
    if name == "json2":
        from ._json2 import Json2Protocol

        return Json2Protocol()
    if name == "auto":
        from ._auto import AutoProtocol

        return AutoProtocol()
    if name == "web":
        from ._websession import WebSessionProtocol

        return WebSessionProtocol()
    choices = ", ".join(repr(p) for p in PROTOCOLS)
    raise ValueError(f"protocol must be one of {choices} or a WireProtocol, got {name!r}")
