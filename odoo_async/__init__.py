"""odoo_async: an asyncio client for Odoo's external API.

Everything a user needs is importable from here; the modules behind it are
private, one subpackage per layer, each importing only the layers below it::

    _config, _check, _errors, _secret, _stats, _values   defaults, checks, errors, wire values
    _transports/   the HTTP session (public type HTTPSession) and the transports
    _protocols/    the wire protocols (public type WireProtocol) and their registry
    _orm/          repositories, domains, commands, records, the fetch engine
    _client/       AsyncOdoo, its retry loop and rules, its limits
    _blocking/     Odoo and Model: the same client for blocking code
    _codegen       generate_models: typed record classes from a live server
    redis          RedisBudget (the ``redis`` extra)
    jobs/, cli/    export, sync, import, bench and the command: public names only
    testing/       the Odoo test double: imports nothing of the client

Public names report ``odoo_async`` as their module, as in tracebacks and docs.
"""

import logging as _logging

from ._blocking._attachments import Attachments
from ._blocking._client import Odoo
from ._blocking._model import Model, SearchReadRows
from ._client._apikeys import ApiKey
from ._client._client import DEFAULT_MAX_CONCURRENCY, AsyncOdoo
from ._client._files import REPORT_FORMATS, AsyncAttachments
from ._client._limits import Budget, ConcurrencyLimiter, TokenBucket
from ._client._retry import READ_ONLY_METHODS, FailureKind, RetryPolicy
from ._codegen import generate_models
from ._errors import (
    AccessDenied,
    AccessError,
    AuthenticationError,
    BudgetUnavailable,
    ClientClosedError,
    ConcurrencyError,
    ConnectError,
    ConnectionDropped,
    DatabaseNotFound,
    DomainError,
    HTTPStatusError,
    MissingError,
    OdooError,
    ProtocolError,
    ProxyAuthenticationError,
    ProxyError,
    RateLimited,
    RecordDecodeError,
    ReportNotFound,
    RequestTimeout,
    RPCError,
    SessionExpired,
    TransportError,
    UserError,
    ValidationError,
    WebSessionRequired,
    WrongEventLoopError,
)
from ._orm._batcher import ReadBatcher, RowError
from ._orm._caller import ModelClient
from ._orm._codegen import models_source_from_fields_get
from ._orm._command import Command
from ._orm._domain import Domain, DomainLike, F, Field, normalize_domain
from ._orm._pager import SearchReadPager
from ._orm._records import Many2one, Record
from ._orm._records_gen import record_class_from_fields_get, record_source_from_fields_get
from ._orm._repository import AsyncModel
from ._protocols import PROTOCOLS
from ._protocols._auto import AutoProtocol
from ._protocols._base import Credentials, WireProtocol
from ._protocols._json2 import Json2Protocol
from ._protocols._jsonrpc import JsonRpcProtocol
from ._protocols._websession import WebSessionProtocol
from ._protocols._xmlrpc import XmlRpcProtocol
from ._secret import Secret
from ._stats import ClientStats
from ._transports._pooled import PooledTransport
from ._transports._retry_after import parse_retry_after
from ._transports._session import HTTPSession
from ._values import to_odoo, to_odoo_values

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_MAX_CONCURRENCY",
    "PROTOCOLS",
    "READ_ONLY_METHODS",
    "REPORT_FORMATS",
    "AccessDenied",
    "AccessError",
    "ApiKey",
    "AsyncAttachments",
    "AsyncModel",
    "AsyncOdoo",
    "Attachments",
    "AuthenticationError",
    "AutoProtocol",
    "Budget",
    "BudgetUnavailable",
    "ClientClosedError",
    "ClientStats",
    "Command",
    "ConcurrencyError",
    "ConcurrencyLimiter",
    "ConnectError",
    "ConnectionDropped",
    "Credentials",
    "DatabaseNotFound",
    "Domain",
    "DomainError",
    "DomainLike",
    "F",
    "FailureKind",
    "Field",
    "HTTPSession",
    "HTTPStatusError",
    "Json2Protocol",
    "JsonRpcProtocol",
    "Many2one",
    "MissingError",
    "Model",
    "ModelClient",
    "Odoo",
    "OdooError",
    "PooledTransport",
    "ProtocolError",
    "ProxyAuthenticationError",
    "ProxyError",
    "RPCError",
    "RateLimited",
    "ReadBatcher",
    "Record",
    "RecordDecodeError",
    "ReportNotFound",
    "RequestTimeout",
    "RetryPolicy",
    "RowError",
    "SearchReadPager",
    "SearchReadRows",
    "Secret",
    "SessionExpired",
    "TokenBucket",
    "TransportError",
    "UserError",
    "ValidationError",
    "WebSessionProtocol",
    "WebSessionRequired",
    "WireProtocol",
    "WrongEventLoopError",
    "XmlRpcProtocol",
    "__version__",
    "generate_models",
    "models_source_from_fields_get",
    "normalize_domain",
    "parse_retry_after",
    "record_class_from_fields_get",
    "record_source_from_fields_get",
    "to_odoo",
    "to_odoo_values",
]

# Public names report the public path (tracebacks, reprs, docs), as httpx's do.
for _name in __all__:
    _value = globals()[_name]
    if isinstance(_value, type) or (callable(_value) and hasattr(_value, "__code__")):
        _value.__module__ = __name__
del _name, _value

# A library logs and the application shows: without the application's own
# logging set up, the retry WARNINGs are not printed on stderr by Python's
# last-resort handler (as urllib3 does).
_logging.getLogger(__name__).addHandler(_logging.NullHandler())
