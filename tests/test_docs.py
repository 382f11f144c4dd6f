"""The documentation site: every public name in its reference, every sample run.

The site is built by ``nox -s docs`` (``mkdocs build --strict``, in CI). Here,
without MkDocs: each page's Python samples run in order against the test
double, as a notebook runs its cells, with ``odoo`` (an :class:`AsyncOdoo` on a
:class:`FakeOdoo` in-process) and ``fake`` given, and top-level ``await``
allowed. A sample that is a whole program (it calls ``asyncio.run``) runs as
one, with no ``ODOO_URL`` (it makes its own double, as the README's do). For the
others, the double is also served over loopback TCP, its address in ``ODOO_URL``,
``ODOO_DB``, ``ODOO_USERNAME`` and ``ODOO_PASSWORD`` (for ``from_env()``), and a
real Redis server's in ``REDIS_URL``, as a user's environment would give them.
A sample that includes a file of ``examples/`` (``--8<-- "examples/..."``)
shows a file that ``tests/test_examples.py`` or ``tests/blocking/test_examples.py``
runs.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import logging
import re
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from redis_budget._support import RedisServer

import odoo_async
import odoo_async.jobs
import odoo_async.otel
import odoo_async.redis
import odoo_async.testing
from odoo_async import AsyncOdoo, otel
from odoo_async.testing import FakeOdoo
from odoo_async.testing._serve import LoopbackServer

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "docs" / "pages"
BLOCK = re.compile(r"^```python[^\n]*\n(.*?)^```", re.S | re.M)
INCLUDE = re.compile(r'^--8<-- "([^"]+)"$')


def _documented() -> set[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in (PAGES / "reference").glob("*.md"))
    return set(re.findall(r"^::: ([\w.]+)$", text, re.M))


@pytest.mark.parametrize(
    "module", [odoo_async, odoo_async.jobs, odoo_async.otel, odoo_async.testing, odoo_async.redis]
)
def test_every_public_name_is_in_the_reference(module: Any) -> None:
    documented = _documented()
    missing = [n for n in module.__all__ if f"{module.__name__}.{n}" not in documented]
    assert not missing, f"not in docs/pages/reference/: {missing}"


@pytest.mark.parametrize(
    "module", [odoo_async, odoo_async.jobs, odoo_async.otel, odoo_async.testing, odoo_async.redis]
)
def test_every_public_class_and_function_has_a_docstring(module: Any) -> None:
    bare = [
        name
        for name in module.__all__
        if isinstance(value := getattr(module, name), type) or inspect.isfunction(value)
        if not (value.__doc__ or "").strip()
    ]
    assert not bare, f"no docstring: {bare}"


def test_the_reference_names_only_what_exists() -> None:
    for name in _documented():
        module_name, _, attribute = name.rpartition(".")
        module = __import__(module_name, fromlist=[attribute])
        assert hasattr(module, attribute), name


@pytest.fixture(scope="module")
def environment() -> Iterator[dict[str, str]]:
    """A served double and a Redis server, as ``ODOO_*`` and ``REDIS_URL``."""
    server = LoopbackServer(FakeOdoo(partners=200))
    redis = RedisServer()
    server.start()
    try:
        redis.start()
        try:
            yield {
                "ODOO_URL": server.url,
                "ODOO_DB": "odoo",
                "ODOO_USERNAME": "admin",
                "ODOO_PASSWORD": "admin",
                "REDIS_URL": redis.url,
            }
        finally:
            redis.stop()
    finally:
        server.stop()


def _pages() -> Iterator[Path]:
    yield from sorted(PAGES.rglob("*.md"))


def _samples(page: Path) -> list[str]:
    return BLOCK.findall(page.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "page", [p for p in _pages() if _samples(p)], ids=lambda p: str(p.relative_to(PAGES))
)
def test_the_samples_of_a_page_run(
    page: Path, environment: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("ODOO_API_KEY", "ODOO_PROTOCOL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # a sample that writes a file writes it here
    loop = asyncio.new_event_loop()
    fake = FakeOdoo(partners=200)
    odoo = AsyncOdoo(
        "http://odoo.test", db=fake.db, username="admin", password="admin",
        transport=fake.transport(),
    )  # fmt: skip
    # The samples run in a module of their own, as a program's do: typed records
    # resolve their annotations in it.
    module = types.ModuleType(f"docs_samples_{page.stem}")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    namespace = module.__dict__
    namespace.update(odoo=odoo, fake=fake)
    logger = logging.getLogger("odoo_async")
    level = logger.level  # a sample may set it: put back in the end
    try:
        for number, source in enumerate(_samples(page), 1):
            where = f"{page.relative_to(PAGES)}, sample {number}"
            included = [INCLUDE.match(line.strip()) for line in source.strip().splitlines()]
            if included and all(included):
                for match in included:
                    assert match is not None
                    assert (ROOT / match.group(1)).is_file(), f"{where}: no {match.group(1)}"
                continue
            code = compile(source, where, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
            if "asyncio.run(" in source:  # a whole program, with its own event loop
                with monkeypatch.context() as alone:  # on its own double, as in the README
                    for name in environment:
                        alone.delenv(name)
                    exec(code, {"__name__": "__main__"})
                continue
            result = eval(code, namespace)
            if asyncio.iscoroutine(result):
                loop.run_until_complete(result)
    finally:
        otel.uninstrument()  # a sample may switch traces on
        logger.setLevel(level)
        loop.run_until_complete(odoo.aclose())
        loop.close()
