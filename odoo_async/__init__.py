"""odoo_async: an asyncio client for Odoo's external API.

Everything a user needs is importable from here; the modules behind it are
private.
"""

from ._client import DEFAULT_MAX_CONCURRENCY, AsyncOdoo
from ._errors import (
    AccessDenied,
    AccessError,
    AuthenticationError,
    ClientClosedError,
    ConcurrencyError,
    ConnectError,
    ConnectionDropped,
    DomainError,
    HTTPStatusError,
    MissingError,
    OdooError,
    ProtocolError,
    RateLimited,
    RecordDecodeError,
    RequestTimeout,
    RPCError,
    SessionExpired,
    TransportError,
    UserError,
    ValidationError,
)
from ._jsonrpc import JsonRpcProtocol
from ._limits import ConcurrencyLimiter, TokenBucket
from ._protocol import WireProtocol
from ._retry import READ_ONLY_METHODS, RetryPolicy, parse_retry_after
from ._stats import ClientStats

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_MAX_CONCURRENCY",
    "READ_ONLY_METHODS",
    "AccessDenied",
    "AccessError",
    "AsyncOdoo",
    "AuthenticationError",
    "ClientClosedError",
    "ClientStats",
    "ConcurrencyError",
    "ConcurrencyLimiter",
    "ConnectError",
    "ConnectionDropped",
    "DomainError",
    "HTTPStatusError",
    "JsonRpcProtocol",
    "MissingError",
    "OdooError",
    "ProtocolError",
    "RPCError",
    "RateLimited",
    "RecordDecodeError",
    "RequestTimeout",
    "RetryPolicy",
    "SessionExpired",
    "TokenBucket",
    "TransportError",
    "UserError",
    "ValidationError",
    "WireProtocol",
    "__version__",
    "parse_retry_after",
]
