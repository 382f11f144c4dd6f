"""``Odoo``: the blocking twin of :class:`~odoo_async.AsyncOdoo`, for synchronous code.

It is a face, not a second client: every method hands the same call of an
:class:`~odoo_async.AsyncOdoo` to the event loop the client keeps in a
background thread (:mod:`._loop`) and waits for its result. Batching, the
export engine, retries, limits, typed records and errors are the async
client's own.
"""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, overload

import anyio
import httpx
import msgspec

from odoo_async._client._apikeys import ApiKey
from odoo_async._client._client import _UNSET, DEFAULT_MAX_CONCURRENCY, AsyncOdoo, env_options
from odoo_async._client._limits import Budget
from odoo_async._client._retry import RetryPolicy
from odoo_async._config import BATCH_WINDOW, LIMITS, TIMEOUT
from odoo_async._errors import ClientClosedError
from odoo_async._protocols._base import WireProtocol
from odoo_async._stats import ClientStats

from ._attachments import Attachments
from ._loop import LoopThread

if TYPE_CHECKING:
    from odoo_async._orm._records import Record

    from ._model import Model

__all__ = ["Odoo"]

T = TypeVar("T")
R = TypeVar("R", bound="Record")
PathOrFile = TypeVar("PathOrFile")


class _Shared:
    """What every view of one blocking client shares: the loop thread and the
    async client it runs (made anew in a forked child)."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        self.root = AsyncOdoo(**options)
        self.closed = False
        self.loop = LoopThread("odoo_async", close=self._aclose)
        self.generation = self.loop.generation

    async def _aclose(self) -> None:
        await self.root.aclose()

    def current(self) -> AsyncOdoo:
        """The async client of this process (a fork gets its own, sharing no socket)."""
        generation = self.loop.adopt()
        if generation != self.generation:
            self.root = AsyncOdoo(**self.options)
            self.generation = generation
        return self.root


class Odoo:
    """A blocking client for one Odoo database, as one user: :class:`AsyncOdoo`'s
    methods and names, returning values instead of awaitables.

    ::

        with Odoo("https://acme.odoo.com", db="acme", username="bot", api_key="...") as odoo:
            n = odoo.execute_kw("res.partner", "search_count", [[]])
            rows = odoo.model("res.partner").search_read([], ["name"])

    The parameters are :class:`AsyncOdoo`'s, with the same defaults and checks.
    One ``Odoo`` may be shared by every thread of a program (a Django or Flask
    app's request threads): their calls run side by side on the client's own
    event loop (a daemon thread started at the first call), so ``get()``\\ s of
    different threads are batched into one read and ``max_concurrency``,
    ``rate_limit`` and ``budget`` hold across all of them. It works inside a
    running event loop too (a notebook): the call blocks the calling thread
    only for its own time. After ``os.fork()`` the child starts its own loop
    and connections at its first call. Close it with :meth:`close` or ``with``;
    at the interpreter's exit an unclosed client is closed for you.
    """

    _shared: _Shared
    _derive: Callable[[AsyncOdoo], AsyncOdoo]
    _view: AsyncOdoo
    _view_of: AsyncOdoo | None

    def __init__(
        self,
        url: str,
        *,
        db: str,
        username: str,
        password: str | None = None,
        api_key: str | None = None,
        context: Mapping[str, Any] | None = None,
        timeout: float | httpx.Timeout | None = TIMEOUT,
        limits: httpx.Limits = LIMITS,
        http2: bool = False,
        verify: bool | str | ssl.SSLContext = True,
        transport: httpx.AsyncBaseTransport | str | None = None,
        proxy: str | httpx.URL | httpx.Proxy | None = None,
        trust_env: bool = True,
        headers: Mapping[str, str] | None = None,
        protocol: WireProtocol | str = "jsonrpc",
        retry: RetryPolicy | None = None,
        max_concurrency: int | None = DEFAULT_MAX_CONCURRENCY,
        rate_limit: float | None = None,
        burst: float | None = None,
        budget: Budget | None = None,
        sleep: Callable[[float], Awaitable[Any]] = anyio.sleep,
    ) -> None:
        options = {
            "url": url,
            "db": db,
            "username": username,
            "password": password,
            "api_key": api_key,
            "context": context,
            "timeout": timeout,
            "limits": limits,
            "http2": http2,
            "verify": verify,
            "transport": transport,
            "proxy": proxy,
            "trust_env": trust_env,
            "headers": headers,
            "protocol": protocol,
            "retry": retry,
            "max_concurrency": max_concurrency,
            "rate_limit": rate_limit,
            "burst": burst,
            "budget": budget,
            "sleep": sleep,
        }
        self._shared = _Shared(options)  # checks every argument, as AsyncOdoo does
        self._derive = _same
        self._view_of = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **options: Any) -> Odoo:
        """A client configured from ``ODOO_URL``, ``ODOO_DB``, ``ODOO_USERNAME`` and
        ``ODOO_PASSWORD`` or ``ODOO_API_KEY``, and ``ODOO_PROTOCOL`` if set (as
        :meth:`AsyncOdoo.from_env`); ``options`` go to the constructor."""
        url, credentials = env_options(env)
        return cls(url, **{**credentials, **options})

    # -- views ------------------------------------------------------------------

    @property
    def aio(self) -> AsyncOdoo:
        """The async client behind this one (this process's; the same view)."""
        shared = self._shared
        root = shared.current()
        if self._view_of is not root:
            self._view = self._derive(root)
            self._view_of = root
        return self._view

    def _derived(self, change: Callable[[AsyncOdoo], AsyncOdoo]) -> Odoo:
        view = object.__new__(type(self))
        view._shared = self._shared
        parent = self._derive
        view._derive = lambda root: change(parent(root))
        view._view_of = None
        return view

    def with_context(self, context: Mapping[str, Any] | None = None, /, **ctx: Any) -> Odoo:
        """A view that sends this client's context merged with ``ctx`` (see
        :meth:`AsyncOdoo.with_context`); it shares the pool, login and limits."""
        self.aio.with_context(context, **ctx)  # checked now, where it is called
        return self._derived(lambda odoo: odoo.with_context(context, **ctx))

    def with_options(
        self,
        *,
        retry: RetryPolicy | None = _UNSET,
        timeout: float | httpx.Timeout | None = _UNSET,
    ) -> Odoo:
        """A view with another retry policy or timeout (see :meth:`AsyncOdoo.with_options`)."""
        options: dict[str, Any] = {}
        if retry is not _UNSET:
            options["retry"] = retry
        if timeout is not _UNSET:
            options["timeout"] = timeout
        self.aio.with_options(**options)  # checked now
        return self._derived(lambda odoo: odoo.with_options(**options))

    # -- properties ---------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.aio.url

    @property
    def db(self) -> str:
        return self.aio.db

    @property
    def username(self) -> str:
        return self.aio.username

    @property
    def uid(self) -> int | None:
        """The user id once authenticated, else ``None``."""
        return self.aio.uid

    @property
    def context(self) -> dict[str, Any]:
        return self.aio.context

    @property
    def retry(self) -> RetryPolicy:
        return self.aio.retry

    @property
    def stats(self) -> ClientStats:
        return self.aio.stats

    @property
    def closed(self) -> bool:
        return self._shared.closed or self.aio.closed

    @property
    def protocol(self) -> str:
        """The name of the protocol that carries the calls (see :attr:`AsyncOdoo.protocol`)."""
        return self.aio.protocol

    def __repr__(self) -> str:
        return "<Odoo" + repr(self.aio).removeprefix("<AsyncOdoo")

    # -- lifecycle ----------------------------------------------------------------

    def __enter__(self) -> Odoo:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the pool and the shared budget, and stop the client's loop thread.

        Every view of this client is closed with it.
        """
        shared = self._shared
        shared.closed = True
        shared.loop.stop()  # closes the async client first, if its loop ever ran here

    def run(self, awaitable: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on this client's event loop and return its result.

        For what only has an async form, such as the jobs::

            from odoo_async.jobs import export

            report = odoo.run(export(odoo.model("res.partner").aio, "partners.jsonl"))
        """
        if self._shared.closed:
            awaitable.close()
            raise ClientClosedError("this Odoo client is closed; create a new one")
        return self._shared.loop.run(awaitable)

    # -- calls ----------------------------------------------------------------------

    @overload
    def report(
        self,
        report_name: str,
        ids: int | Iterable[int],
        *,
        format: str = ...,
        to: None = ...,
    ) -> bytes: ...

    @overload
    def report(
        self,
        report_name: str,
        ids: int | Iterable[int],
        *,
        format: str = ...,
        to: PathOrFile,
    ) -> PathOrFile: ...

    def report(
        self,
        report_name: str,
        ids: int | Iterable[int],
        *,
        format: str = "pdf",
        to: Any = None,
    ) -> Any:
        """A report of the records ``ids``, as bytes or written to ``to`` (see
        :meth:`AsyncOdoo.report`)."""
        return self.run(self.aio.report(report_name, ids, format=format, to=to))

    @property
    def attachments(self) -> Attachments:
        """Files: upload to and download from ``ir.attachment``, read binary fields."""
        return Attachments(self)

    def version(self) -> dict[str, Any]:
        """``common.version()`` (see :meth:`AsyncOdoo.version`)."""
        return self.run(self.aio.version())

    def server_version(self) -> tuple[int, ...]:
        """The numeric version, e.g. ``(17, 0)`` (see :meth:`AsyncOdoo.server_version`)."""
        return self.run(self.aio.server_version())

    def authenticate(self) -> int:
        """Log in (once; the uid is cached) and return the user id."""
        return self.run(self.aio.authenticate())

    def create_api_key(self, name: str, *, expires: dt.datetime | None = None) -> ApiKey:
        """Make an API key for the logged-in user (see :meth:`AsyncOdoo.create_api_key`)."""
        return self.run(self.aio.create_api_key(name, expires=expires))

    @overload
    def execute_kw(
        self,
        model: str,
        method: str,
        args: list[Any] | tuple[Any, ...] | None = ...,
        kwargs: Mapping[str, Any] | None = ...,
        *,
        result_type: type[T],
        timeout: float | httpx.Timeout | None = ...,
        retry: RetryPolicy | None = ...,
        idempotent: bool = ...,
    ) -> T: ...

    @overload
    def execute_kw(
        self,
        model: str,
        method: str,
        args: list[Any] | tuple[Any, ...] | None = ...,
        kwargs: Mapping[str, Any] | None = ...,
        *,
        timeout: float | httpx.Timeout | None = ...,
        retry: RetryPolicy | None = ...,
        idempotent: bool = ...,
    ) -> Any: ...

    def execute_kw(
        self,
        model: str,
        method: str,
        args: list[Any] | tuple[Any, ...] | None = None,
        kwargs: Mapping[str, Any] | None = None,
        *,
        result_type: Any = Any,
        timeout: float | httpx.Timeout | None = _UNSET,
        retry: RetryPolicy | None = _UNSET,
        idempotent: bool = False,
    ) -> Any:
        """Call ``model.method(*args, **kwargs)`` (see :meth:`AsyncOdoo.execute_kw`)."""
        options = _given(timeout=timeout, retry=retry)
        return self.run(
            self.aio.execute_kw(
                model,
                method,
                args,
                kwargs,
                result_type=result_type,
                idempotent=idempotent,
                **options,
            )
        )

    def execute_kw_raw(
        self,
        model: str,
        method: str,
        args: list[Any] | tuple[Any, ...] | None = None,
        kwargs: Mapping[str, Any] | None = None,
        *,
        timeout: float | httpx.Timeout | None = _UNSET,
        retry: RetryPolicy | None = _UNSET,
        idempotent: bool = False,
    ) -> msgspec.Raw:
        """Like :meth:`execute_kw`, the result left as JSON text (``msgspec.Raw``)."""
        options = _given(timeout=timeout, retry=retry)
        return self.run(
            self.aio.execute_kw_raw(model, method, args, kwargs, idempotent=idempotent, **options)
        )

    # -- repositories ---------------------------------------------------------------

    @overload
    def model(
        self, model: str, *, batch_size: int | None = None, batch_window: float = BATCH_WINDOW
    ) -> Model[dict[str, Any]]: ...

    @overload
    def model(
        self, model: type[R], *, batch_size: int | None = None, batch_window: float = BATCH_WINDOW
    ) -> Model[R]: ...

    def model(
        self,
        model: str | type[Record],
        *,
        batch_size: int | None = None,
        batch_window: float = BATCH_WINDOW,
    ) -> Model[Any]:
        """A blocking repository for ``model`` (a name, or a :class:`Record` class).

        **Parameters:** as :meth:`AsyncOdoo.model`: **model**, and the optional
        **batch_size** (an int ``>= 1`` or ``None``) and **batch_window**
        (seconds ``>= 0`` that ``get()`` waits to collect more ids; default 0).
        """
        from ._model import Model

        return Model(self, model, batch_size=batch_size, batch_window=batch_window)


def _same(odoo: AsyncOdoo) -> AsyncOdoo:
    return odoo


def _given(**options: Any) -> dict[str, Any]:
    """The options the caller gave (the others keep the view's own)."""
    return {name: value for name, value in options.items() if value is not _UNSET}
