"""httpcore's trace events, named once: how far a request got before it failed.

httpx hands every request a ``trace`` extension; httpcore calls it with event
names as the request goes. odoo_async's transports that are not httpcore
(:class:`~odoo_async._transports._aiohttp.AiohttpTransport`,
:class:`~odoo_async.PooledTransport`) report the same three events, so one
:class:`RequestTrace` tells a stale keep-alive connection (closed under the
write: the request never ran, safe to replay) from a request whose reply was
lost (it may have run: never replayed blindly).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

__all__ = ["BODY_SENT", "CONNECTING", "HEADERS_SENDING", "RequestTrace", "Trace"]

#: A new connection is being opened (not one taken from the pool).
CONNECTING: Final = "connection.connect_tcp.started"
#: The request's headers are being written.
HEADERS_SENDING: Final = "http11.send_request_headers.started"
#: The request's body is written: from here on the server may run it.
BODY_SENT: Final = "http11.send_request_body.complete"

#: The callable a transport calls with each event.
Trace = Callable[[str, Mapping[str, Any]], Awaitable[None]]


class RequestTrace:
    """Remembers whether a request opened a new connection and how far it got."""

    __slots__ = ("accepted", "connected", "sending")

    def __init__(self) -> None:
        self.connected = False
        self.sending = False
        self.accepted = False

    async def __call__(self, name: str, info: Mapping[str, Any]) -> None:
        if name == CONNECTING:
            self.connected = True
        elif name == HEADERS_SENDING:
            self.sending = True
        elif name == BODY_SENT:
            self.accepted = True

    @property
    def stale(self) -> bool:
        """A pooled HTTP/1.1 connection failed while the request was being written.

        The server had closed it, so the request was not accepted and cannot
        have run. (httpcore already drops pooled connections whose socket shows
        end-of-file before reusing them; this catches the close that races
        with the write.) An end-of-file while waiting for the reply is not
        stale: the request may have run. httpcore's transport,
        :class:`~odoo_async._transports._aiohttp.AiohttpTransport` and
        :class:`~odoo_async.PooledTransport` report these events; with any
        other transport nothing is called stale.
        """
        return self.sending and not self.connected and not self.accepted
