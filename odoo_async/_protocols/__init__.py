"""The wire protocols: the public base type, one module per protocol, and the registry.

``AsyncOdoo(protocol=...)`` takes a name from :data:`PROTOCOLS` or any
:class:`WireProtocol`. A new protocol is one module here and one row in the
registry; every message that lists the choices is made from it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from ._auto import AutoProtocol
from ._base import WireProtocol
from ._json2 import Json2Protocol
from ._jsonrpc import JsonRpcProtocol
from ._websession import WebSessionProtocol
from ._xmlrpc import XmlRpcProtocol

__all__ = ["ACCEPTED", "PROTOCOLS", "make_protocol"]

_REGISTRY: Final[dict[str, Callable[[], WireProtocol]]] = {
    "jsonrpc": JsonRpcProtocol,
    "xmlrpc": XmlRpcProtocol,
    "json2": Json2Protocol,
    "web": WebSessionProtocol,
    "auto": AutoProtocol,
}

#: The names ``protocol=`` takes.
PROTOCOLS: Final = tuple(_REGISTRY)
#: What ``protocol=`` accepts, for messages.
ACCEPTED: Final = ", ".join(map(repr, PROTOCOLS)) + " or a WireProtocol"


def make_protocol(name: str) -> WireProtocol:
    """A new protocol object for ``name`` (one of :data:`PROTOCOLS`)."""
    make = _REGISTRY.get(name)
    if make is None:
        raise ValueError(f"protocol must be one of {ACCEPTED}, got {name!r}")
    return make()
