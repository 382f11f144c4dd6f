"""A job as one span (``odoo_async.otel``): the RPCs and pages it makes are its children.

Switched off, a job pays one check (:func:`odoo_async.otel.is_instrumented`).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, ParamSpec, TypeVar

from odoo_async import otel

__all__ = ["traced"]

P = ParamSpec("P")
R = TypeVar("R")


def traced(
    kind: str, summary: Callable[[R], Mapping[str, int]]
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Coroutine[Any, Any, R]]]:
    """Run the job (its first argument, or ``repo=``, the repository) in a span
    ``odoo_async.<kind> <model>`` when traces are on.

    The span holds ``odoo.job``, ``odoo.model`` and what ``summary`` makes of
    the result (counts only: never a row).
    """

    def wrap(job: Callable[P, Awaitable[R]]) -> Callable[P, Coroutine[Any, Any, R]]:
        @functools.wraps(job)
        async def run(*args: P.args, **kwargs: P.kwargs) -> R:
            if not otel.is_instrumented():
                return await job(*args, **kwargs)
            repo = args[0] if args else kwargs.get("repo")
            name = str(getattr(repo, "name", "?"))
            attributes = {"odoo.job": kind, "odoo.model": name}
            with otel.span(f"odoo_async.{kind} {name}", attributes) as span:
                result = await job(*args, **kwargs)
                for key, value in summary(result).items():
                    span.set_attribute(key, value)
                return result

        return run

    return wrap
