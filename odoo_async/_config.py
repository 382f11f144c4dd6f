"""Every default of the library, in one place.

Each value is written here once and imported where it is used, so a default
read in the docs, a signature and a message is always the same number. The
jobs' own defaults (page sizes of an export, an import's batch size) are public
names of :mod:`odoo_async.jobs` and live there; the export engine's tuning is
the :class:`~odoo_async._orm._adaptive.ExportTuning` dataclass's defaults.
"""

from __future__ import annotations

from typing import Final

import httpx

# -- HTTP ---------------------------------------------------------------------

#: Connections in the pool. A stock Odoo 17 (threaded, ``db_maxconn=64``)
#: answers HTTP 500 past about 60 simultaneous requests; 32 stays well below.
MAX_CONNECTIONS: Final = 32
#: Odoo's prefork workers close idle keep-alive sockets after about 2 seconds,
#: so pooled connections are dropped after 1 second idle.
KEEPALIVE_EXPIRY: Final = 1.0
#: ``AsyncOdoo(limits=...)``.
LIMITS: Final = httpx.Limits(
    max_connections=MAX_CONNECTIONS,
    max_keepalive_connections=MAX_CONNECTIONS,
    keepalive_expiry=KEEPALIVE_EXPIRY,
)
#: ``AsyncOdoo(timeout=...)``: a long ``search_read`` may take minutes on a big
#: table; a server that does not accept the connection fails in 10 s; waiting for
#: a pooled connection (behind ``max_concurrency``) is not limited.
TIMEOUT: Final = httpx.Timeout(120.0, connect=10.0, pool=None)
#: The ``User-Agent`` header.
USER_AGENT: Final = "odoo_async"
#: Bytes of an error reply kept on the exception (``body``) and shown from.
ERROR_BODY_KEPT: Final = 2048

# -- the client -----------------------------------------------------------------

#: ``AsyncOdoo(max_concurrency=...)``: calls in flight per client, as many as
#: the pool has connections.
MAX_CONCURRENCY: Final = MAX_CONNECTIONS

# -- retries (``RetryPolicy``) ------------------------------------------------------

MAX_RETRIES: Final = 2
INITIAL_DELAY: Final = 0.5
MAX_DELAY: Final = 8.0
JITTER: Final = 0.25
MAX_RETRY_AFTER: Final = 60.0
#: Odoo already retried a serialization failure five times itself.
CONCURRENCY_DELAY_FACTOR: Final = 4.0

# -- repositories ----------------------------------------------------------------

#: Records per ``create`` call of a list ``create()`` (and ids per chunk of a
#: long ``read()`` when a ``batch_size`` is set).
BATCH_SIZE: Final = 500
#: Ids of the read behind a batch of ``get()`` calls when no ``batch_size`` is
#: given: one login plus one read serves 1,000 ``get()``s issued at once.
GET_BATCH_SIZE: Final = 1_000
#: How long ``get()`` waits for more ids before its read goes (0: the next turn
#: of the event loop).
BATCH_WINDOW: Final = 0.0
#: Pages a streamed ``search_read`` fetches ahead of the consumer.
PREFETCH: Final = 2
#: ``fields_get`` answers kept per client (per model, arguments and context).
MAX_FIELDS_GET: Final = 256

# -- the shared budget (``odoo_async.redis.RedisBudget``) --------------------------

#: How long a slot taken from the shared budget is held by a process that died.
LEASE_SECONDS: Final = 30.0
#: How long one Redis round trip may take.
REDIS_TIMEOUT: Final = 2.0
#: How often an unavailable Redis is tried again (with ``fallback="local"``).
REDIS_RETRY_SECONDS: Final = 1.0
