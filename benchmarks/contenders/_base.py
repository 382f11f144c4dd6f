"""What every contender module gets: the target server and the workload helpers.

A contender module names itself (``NAME``), lists the modules it uses
(``IMPORTS``, imported before any clock starts), says its version (``version()``)
and implements the scenarios it can run, each as a function (``async def``
for the asyncio clients) taking a :class:`Target` and the scenario's inputs:

- ``per_call(t, calls, concurrency) -> dict``: ``calls`` ``search_count`` calls,
  ``concurrency`` at a time, after the login; returns ``{"seconds": ...}``
  for the calls alone.
- ``single_reads(t, ids, fields) -> dict``: ``read`` each id on its own, all
  issued at once, from a cold client (the login included).
- ``export(t, fields) -> dict``: every ``res.partner`` row, cold; ``{"rows": n}``.
- ``bulk_create(t, values) -> dict``: create every dict of ``values``; ``{"created": n}``.

The runner times the cold scenarios itself. A scenario a contender cannot
run is simply absent from its module.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

#: The small-domain search_count every per-call contender sends.
DOMAIN: list[Any] = [["is_company", "=", True]]
MODEL = "res.partner"


@dataclasses.dataclass(frozen=True)
class Target:
    """A server to run against. The password comes from the environment, never argv."""

    url: str
    db: str
    user: str
    ca: str | None = None  # a CA bundle to trust (remote-like setting)
    variant: str = ""  # contender-specific (the transport of odoo_async)

    @property
    def password(self) -> str:
        return os.environ["BENCH_ODOO_PASSWORD"]

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (443 if parts.scheme == "https" else 80)

    @property
    def tls(self) -> bool:
        return self.url.startswith("https://")


async def run_tasks(concurrency: int, calls: int, one: Callable[[], Awaitable[Any]]) -> float:
    """``calls`` awaits of ``one()``, by ``concurrency`` tasks; the seconds it took."""
    left = calls

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await one()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started


def run_threads(concurrency: int, calls: int, one: Callable[[], Any]) -> float:
    """``calls`` calls of ``one()``, by ``concurrency`` threads (what a user of a
    blocking client does for concurrency); the seconds it took."""
    if concurrency == 1:
        started = time.perf_counter()
        for _ in range(calls):
            one()
        return time.perf_counter() - started
    lock = threading.Lock()
    left = calls

    def worker() -> None:
        nonlocal left
        while True:
            with lock:
                if left <= 0:
                    return
                left -= 1
            one()

    with ThreadPoolExecutor(concurrency) as pool:
        started = time.perf_counter()
        for future in [pool.submit(worker) for _ in range(concurrency)]:
            future.result()
        return time.perf_counter() - started


def thread_map(concurrency: int, items: list[Any], one: Callable[[Any], Any]) -> list[Any]:
    """``one(item)`` for every item, ``concurrency`` threads at a time, results in order."""
    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(one, items))
