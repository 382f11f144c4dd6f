"""One event loop in a background thread: where a blocking client's calls run.

A blocking :class:`~odoo_async.Odoo` runs the async client, unchanged, on an
event loop of its own in a daemon thread. A call from any thread hands its
coroutine to that loop (``asyncio.run_coroutine_threadsafe``) and waits for
the result, so every thread's calls share one pool, one login, the limits and
the ``get()`` batching, exactly as concurrent tasks do in async code.

Measured (``python -m benchmarks.bench_blocking --portal``): handing a call
over this way costs 30-40 us; ``asyncio.run_coroutine_threadsafe`` 40-50 us and
anyio's ``BlockingPortal.call`` 80-90 us on the same machine, for the same work.
Calls handed over while the loop is busy are started together, in one wake-up.

- The thread starts at the first call and is a daemon: a script that never
  closes its client still exits. At exit (``atexit``) the loop is stopped and
  the client's pool closed first, so nothing is left half-written and no
  "unclosed" warning or traceback is printed.
- After ``os.fork()`` (Celery's prefork pool, gunicorn) the child has no such
  thread: the next call there starts a new loop, and the owner makes a new
  async client for it (``on_fork``), so the child never uses the parent's sockets.
- A call made from the loop's own thread (a callback of the client calling the
  blocking client) would wait for itself: it raises ``RuntimeError`` instead.
"""

from __future__ import annotations

import asyncio
import atexit
import contextvars
import os
import threading
import weakref
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Generic, TypeVar

from odoo_async import _telemetry

__all__ = ["LoopThread"]

T = TypeVar("T")

#: Every loop thread alive in this process, stopped at exit.
_LIVE: weakref.WeakSet[LoopThread] = weakref.WeakSet()


class LoopThread:
    """A daemon thread running one asyncio event loop, started on first use.

    ``close`` is awaited on the loop before it stops (at :meth:`stop` or at
    the interpreter's exit): the owner closes its async client there.
    """

    def __init__(self, name: str, close: Callable[[], Awaitable[Any]] | None = None) -> None:
        self._name = name
        self._close = close
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        # Calls handed over, started by the loop in one go (one wake-up for many).
        self._queue: deque[_Call[Any]] = deque()
        self._draining = False
        #: Counts the loops this object has started in a new process (after a fork).
        self.generation = 0

    @property
    def running(self) -> bool:
        return self._loop is not None and self._pid == os.getpid()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the loop and return its result (or raise its error).

        If the waiting thread is interrupted (``KeyboardInterrupt``), the call
        is cancelled on the loop before the interruption goes on.
        """
        loop = self._ready()
        if threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError(
                "a blocking odoo_async call was made from the client's own event loop "
                "thread (it would wait for itself); await the async client there instead"
            )
        call: _Call[T] = _Call(coro)
        self._queue.append(call)
        if not self._draining:  # else the loop takes it with the others
            self._draining = True
            loop.call_soon_threadsafe(self._drain)
        try:
            return call.result()
        except BaseException:
            if not call.finished:
                loop.call_soon_threadsafe(call.cancel)
            raise

    def _drain(self) -> None:
        """On the loop: start every call handed over since the last drain."""
        self._draining = False  # before taking: a call added after this schedules anew
        queue = self._queue
        loop = self._loop
        assert loop is not None
        while queue:
            queue.popleft().start(loop)

    def adopt(self) -> int:
        """:attr:`generation`, after taking over in a forked child (the parent's
        thread and loop are not in this process: forget them)."""
        if self._pid != os.getpid():
            # Not the parent's lock: another thread may have held it at the fork.
            self._lock = threading.Lock()
            self._pid = os.getpid()
            self._loop = self._thread = None
            self._queue = deque()
            self._draining = False
            self.generation += 1
        return self.generation

    def _ready(self) -> asyncio.AbstractEventLoop:
        loop = self._loop
        if loop is not None and self._pid == os.getpid():
            return loop
        self.adopt()
        with self._lock:
            if self._loop is None:
                self._start()
            assert self._loop is not None
            return self._loop

    def _start(self) -> None:
        loop = asyncio.new_event_loop()
        started = threading.Event()

        def main() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(started.set)
            try:
                loop.run_forever()
            finally:
                loop.close()

        thread = threading.Thread(target=main, name=self._name, daemon=True)
        thread.start()
        started.wait()
        self._loop, self._thread = loop, thread
        _LIVE.add(self)

    def stop(self) -> None:
        """Close the owner's client on the loop, then stop the loop and its thread."""
        with self._lock:
            loop, thread = self._loop, self._thread
            if loop is None or thread is None or self._pid != os.getpid():
                return
            self._loop = self._thread = None
        close = self._close
        if close is not None and thread is not threading.current_thread():

            async def closing() -> None:
                await close()

            asyncio.run_coroutine_threadsafe(closing(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        if thread is not threading.current_thread():
            thread.join()


class _Call(Generic[T]):
    """One coroutine handed to the loop; its caller waits on a lock the loop releases."""

    __slots__ = ("_context", "_coro", "_done", "_error", "_result", "_task", "finished")

    def __init__(self, coro: Coroutine[Any, Any, T]) -> None:
        self._coro = coro
        # With traces on, the call runs in the caller's context, so its span is a
        # child of the caller's current span (the loop thread has its own context).
        self._context = None if _telemetry.active is None else contextvars.copy_context()
        self._done = threading.Lock()
        self._done.acquire()
        self._task: asyncio.Task[T] | None = None
        self._result: T | None = None
        self._error: BaseException | None = None
        self.finished = False

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        if self.finished:  # cancelled before it started
            self._coro.close()
            return
        if self._context is None:
            task = self._task = loop.create_task(self._coro)
        else:  # a task copies the context it is created in (create_task(context=) is 3.11+)
            task = self._task = self._context.run(loop.create_task, self._coro)
        task.add_done_callback(self._end)

    def _end(self, task: asyncio.Task[T]) -> None:
        if task.cancelled():
            self._error = asyncio.CancelledError()
        else:
            self._error = task.exception()
            if self._error is None:
                self._result = task.result()
        self.finished = True
        self._done.release()

    def cancel(self) -> None:
        """On the loop: the caller stopped waiting."""
        if self._task is not None:
            self._task.cancel()
        elif not self.finished:
            self.finished = True  # start() will close the coroutine
            self._done.release()

    def result(self) -> T:
        self._done.acquire()
        error = self._error
        if error is not None:
            self._error = None  # no cycle through the traceback
            raise error
        return self._result  # type: ignore[return-value]


def _adopt_all() -> None:
    for thread in list(_LIVE):
        thread.adopt()


if hasattr(os, "register_at_fork"):  # not on Windows
    os.register_at_fork(after_in_child=_adopt_all)


@atexit.register
def _stop_all() -> None:
    for thread in list(_LIVE):
        try:
            thread.stop()
        except Exception:  # at exit, a failed close must not stop the others
            pass
