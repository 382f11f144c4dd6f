"""Developer tasks: ``nox -s tests lint typecheck`` (and ``lowest``, ``docs``, ``bench``)."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = False

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
# What the test suite needs: the test extra, and the cli extra for the odoo-async
# command it runs (tests/cli/test_cli.py, tests/redis_budget/test_many_workers.py).
TEST_EXTRAS = ".[test,cli]"


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the test suite."""
    session.install("-e", TEST_EXTRAS)
    session.run("pytest", *session.posargs)


@nox.session(venv_backend="uv")
def lowest(session: nox.Session) -> None:
    """The test suite on the lowest versions pyproject.toml allows for the direct
    dependencies (uv's ``--resolution lowest-direct``), on the Python that runs nox:
    a floor that no longer works fails here before a user finds it."""
    session.install("--resolution", "lowest-direct", "-e", TEST_EXTRAS)
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint and formatting."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy, strict on the package (the cli extra too: odoo_async.cli imports click and rich)."""
    session.install("-e", TEST_EXTRAS, "mypy>=1.11")
    session.run("mypy")


@nox.session(venv_backend="uv")
def docs(session: nox.Session) -> None:
    """Build the documentation site from ``docs/`` into ``site/``: MkDocs, strict,
    so a broken reference or a warning of the docstrings' reader fails it."""
    session.install("-e", ".[docs]")
    session.run(
        "mkdocs", "build", "--strict", "-f", "docs/mkdocs.yml", env={"NO_MKDOCS_2_WARNING": "1"}
    )


@nox.session
def bench(session: nox.Session) -> None:
    """Run the benchmarks; they print tables and write benchmarks/results/*.json."""
    session.install("-e", ".[bench]")
    session.run("python", "-m", "benchmarks", *session.posargs)
