"""Helpers shared by the test modules.

- :class:`Sleeps`: an injected sleep that records the delays and does not wait;
- :func:`connect`: a client for the test double's admin on the database ``odoo``;
- :func:`settle`: let the event loop run, without a wall-clock wait, until a condition holds;
- :func:`cancel_at_random`: cancel tasks after a random number of loop ticks each.

Hypothesis runs without its wall-clock checks (no per-example deadline, no "data
generation is too slow" health check): on a machine shared with other work they
fail for reasons that have nothing to do with the code under test.

Test modules import them (``from conftest import connect``): pytest puts this
directory on ``sys.path``. The double's own fixtures (``fake_odoo``,
``fake_odoo_url``) come from ``odoo_async.testing.pytest_plugin``.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Sequence
from typing import Any

import anyio
from hypothesis import HealthCheck, settings

from odoo_async import AsyncOdoo

settings.register_profile("odoo_async", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("odoo_async")


class Sleeps:
    """An injected sleep that records the delays and returns at once (or, with
    ``scale``, waits that share of them, so that backoff still spreads a herd)."""

    def __init__(self, scale: float = 0.0) -> None:
        self.delays: list[float] = []
        self.scale = scale

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await anyio.sleep(delay * self.scale)


def connect(url: str = "http://odoo", **options: Any) -> AsyncOdoo:
    """A client logging in as ``admin`` to the double's database ``odoo`` at ``url``.

    Waits between retries go through an instant :class:`Sleeps` unless ``sleep=``
    is given, so that no test waits for backoff in real time.
    """
    options.setdefault("sleep", Sleeps())
    return AsyncOdoo(url, db="odoo", username="admin", password="admin", **options)


async def settle(condition: Callable[[], bool], *, ticks: int = 1000) -> None:
    """Let the event loop run (no wall-clock wait) until ``condition`` holds."""
    for _ in range(ticks):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError(f"the condition did not hold within {ticks} loop ticks")


async def cancel_at_random(
    tasks: Sequence[asyncio.Future[Any]], rng: random.Random, *, max_ticks: int
) -> list[Any]:
    """Cancel each task after a number of loop ticks drawn from ``range(max_ticks)``;
    return the outcomes (results, exceptions, ``CancelledError``) in order."""

    async def cancel_later(task: asyncio.Future[Any], ticks: int) -> None:
        for _ in range(ticks):
            await asyncio.sleep(0)
        task.cancel()

    await asyncio.gather(*(cancel_later(t, rng.randrange(0, max_ticks)) for t in tasks))
    return await asyncio.gather(*tasks, return_exceptions=True)
