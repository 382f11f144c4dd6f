"""``ModelClient``: what a repository needs from a client, and nothing more.

:class:`~odoo_async.AsyncModel` is written against this small interface, not
against :class:`~odoo_async.AsyncOdoo`'s insides, so the repository does not
import the client (the client imports the repository to hand one out from
``model()``), and a test or a user's own client can stand in for it.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any, Protocol

import msgspec

from ._cache import ClientCaches

__all__ = ["FileClient", "ModelClient"]


class FileClient(Protocol):
    """What :meth:`AsyncModel.read_binary` needs: a client's ``attachments``."""

    async def read_field(self, model: str, record_id: int, field: str, to: Any = None) -> Any: ...


class ModelClient(Protocol):
    """The calls, the context and the per-client caches a repository uses.

    Optional: ``reserve_slot()``, an async context manager that waits for a
    permit of the client's limits and lends it to the first call made inside
    it (:meth:`AsyncOdoo.reserve_slot`). When the client has it, a batch of
    ``get()`` calls is cut only once its read can go.
    """

    @property
    def context(self) -> dict[str, Any]: ...

    @property
    def caches(self) -> ClientCaches:
        """Caches kept once per client and shared by all its views (raises
        ``ClientClosedError`` once the client is closed)."""
        ...

    @property
    def attachments(self) -> FileClient:
        """Files: what :meth:`AsyncModel.read_binary` reads binary fields with."""
        ...

    @property
    def options_key(self) -> Hashable:
        """What sets this view's calls apart: its context, retry policy and timeout."""
        ...

    def with_context(
        self, context: Mapping[str, Any] | None = None, /, **ctx: Any
    ) -> ModelClient: ...

    async def execute_kw(
        self,
        model: str,
        method: str,
        args: list[Any] | tuple[Any, ...] | None = None,
        kwargs: Mapping[str, Any] | None = None,
    ) -> Any: ...

    async def execute_kw_raw(
        self,
        model: str,
        method: str,
        args: list[Any] | tuple[Any, ...] | None = None,
        kwargs: Mapping[str, Any] | None = None,
    ) -> msgspec.Raw: ...

    async def server_version(self) -> tuple[int, ...]: ...

    async def authenticate(self) -> int:
        """Log in once (later calls return the cached uid)."""
        ...
