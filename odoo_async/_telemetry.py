"""The switch under traces and metrics, and the hooks the client calls when it is on.

:data:`active` is ``None`` until :func:`odoo_async.otel.instrument` sets it, and
``None`` again after :func:`odoo_async.otel.uninstrument`. Every place that
reports (the retry loop in :mod:`odoo_async._client._core`, the HTTP session,
the pager, the blocking client's hand-over, the jobs) reads it once and does
nothing more when it is ``None``: switched off, the cost is that one read.

This module imports nothing of OpenTelemetry: the hooks are an interface,
implemented in :mod:`odoo_async.otel`, so the layers below need not know it.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, MutableMapping
from types import TracebackType
from typing import Any

__all__ = ["NULL_SPAN", "AttributeValue", "CallRecord", "NullSpan", "Telemetry", "active"]

#: What a span attribute may hold.
AttributeValue = str | bool | int | float


class NullSpan:
    """What :meth:`Telemetry.span` stands for when nothing is recorded."""

    __slots__ = ()

    def set_attribute(self, key: str, value: AttributeValue) -> None:
        """Does nothing."""

    def __enter__(self) -> NullSpan:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


NULL_SPAN = NullSpan()


class CallRecord(abc.ABC):
    """One RPC as it goes: a context manager around the whole call, retries included.

    Entering makes the call's span current (so the HTTP session can put its
    ``traceparent`` on every attempt); leaving ends it with the outcome.
    """

    @abc.abstractmethod
    def __enter__(self) -> CallRecord: ...

    @abc.abstractmethod
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    @abc.abstractmethod
    def waited(self, local: float, shared: float | None) -> None:
        """An attempt got its permits after ``local`` seconds in the client's own
        limits and ``shared`` seconds in a shared budget (``None``: the client has none)."""

    @abc.abstractmethod
    def failed(self, exc: BaseException, *, retried: bool) -> None:
        """An attempt failed with ``exc``; ``retried``: another attempt follows."""


class Telemetry(abc.ABC):
    """What the client reports to, when it reports."""

    @abc.abstractmethod
    def call(
        self, *, model: str | None, method: str, protocol: str, url: str, db: str
    ) -> CallRecord:
        """The record of one RPC (``model`` ``None``: a ``common`` call such as the login)."""

    @abc.abstractmethod
    def span(self, name: str, attributes: Mapping[str, AttributeValue] | None = None) -> Any:
        """A context manager: a span around a job or a page, current inside it.

        It gives an object with ``set_attribute(key, value)``.
        """

    @abc.abstractmethod
    def inject(self, headers: MutableMapping[str, str]) -> None:
        """Put the current trace context in an HTTP request's headers (``traceparent``)."""


#: The hooks in force, or ``None``: nothing is recorded.
active: Telemetry | None = None
