"""Holding the test double's replies, so that a test makes requests overlap for sure.

A test that needs N requests in flight at once (to hit a concurrency cap, to
count connections) cannot rely on latency: on a loaded machine the first
replies may leave before the last requests arrive. Under
``with fake.hold() as held:`` every call the double runs waits before it
replies; ``await held.requests(n)`` returns once ``n`` requests have arrived
(the ones refused by the cap have been answered by then), and leaving the
block lets the waiting replies go. The double runs in another thread when it
serves over TCP, hence the thread-safe condition.
"""

from __future__ import annotations

import threading

import anyio

__all__ = ["Hold"]


class Hold:
    """Replies held until :meth:`release`; counts the requests that arrived meanwhile."""

    def __init__(self) -> None:
        self._arrived = threading.Condition()
        self._count = 0
        self._released = threading.Event()

    def __repr__(self) -> str:
        state = "released" if self._released.is_set() else "holding"
        return f"<Hold {state}, {self._count} requests arrived>"

    @property
    def arrived(self) -> int:
        """Requests that arrived at the double while held."""
        return self._count

    async def requests(self, n: int, *, timeout: float = 60.0) -> None:
        """Return once ``n`` requests have arrived; ``timeout`` only guards against a hang."""

        def wait() -> bool:
            with self._arrived:
                return self._arrived.wait_for(lambda: self._count >= n, timeout)

        if not await anyio.to_thread.run_sync(wait):
            raise AssertionError(f"{self._count} requests arrived at the double, not {n}")

    def release(self) -> None:
        """Let every held reply go (and the ones to come)."""
        self._released.set()

    def _arrive(self) -> None:
        with self._arrived:
            self._count += 1
            self._arrived.notify_all()

    async def _wait(self) -> None:
        if not self._released.is_set():
            await anyio.to_thread.run_sync(self._released.wait)
