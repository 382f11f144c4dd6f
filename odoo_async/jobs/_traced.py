"""A job as one span (``odoo_async.otel``): the RPCs and pages it makes are its children.

Switched off, a job pays one check (:func:`odoo_async.otel.is_instrumented`).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, Concatenate, ParamSpec, TypeVar

from odoo_async import AsyncModel, otel

__all__ = ["traced"]

P = ParamSpec("P")
R = TypeVar("R")


def traced(
    kind: str, summary: Callable[[R], Mapping[str, int]]
) -> Callable[
    [Callable[Concatenate[AsyncModel[Any], P], Awaitable[R]]],
    Callable[Concatenate[AsyncModel[Any], P], Coroutine[Any, Any, R]],
]:
    """Run the job in a span ``odoo_async.<kind> <model>`` when traces are on.

    The span holds ``odoo.job``, ``odoo.model`` and what ``summary`` makes of
    the result (counts only: never a row).
    """

    def wrap(
        job: Callable[Concatenate[AsyncModel[Any], P], Awaitable[R]],
    ) -> Callable[Concatenate[AsyncModel[Any], P], Coroutine[Any, Any, R]]:
        @functools.wraps(job)
        async def run(repo: AsyncModel[Any], /, *args: P.args, **kwargs: P.kwargs) -> R:
            if not otel.is_instrumented():
                return await job(repo, *args, **kwargs)
            name = getattr(repo, "name", "?")
            attributes = {"odoo.job": kind, "odoo.model": name}
            with otel.span(f"odoo_async.{kind} {name}", attributes) as span:
                result = await job(repo, *args, **kwargs)
                for key, value in summary(result).items():
                    span.set_attribute(key, value)
                return result

        return run

    return wrap
