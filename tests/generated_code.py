"""Checks of a generated module, as its user would run them: ruff and mypy in a
subprocess, in a folder of its own (so no project configuration applies), then
an import of the module."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

TIMEOUT = 300
#: This project's own rule set plus docstring layout, at ruff's default line length.
STRICT_RULES = "E,F,W,I,B,UP,RUF,SIM,C4,PIE,RET,D2,D3,D4"
STRICT_IGNORE = "D203,D213,D400,D415"


def _run(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"{args[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def check_module(*paths: Path) -> None:
    """``ruff check`` (default and strict rules), ``ruff format --check`` and
    ``mypy --strict`` pass on the modules as they were written."""
    cwd = paths[0].parent
    files = [str(p) for p in paths]
    _run("ruff", "check", "--isolated", "--no-cache", *files, cwd=cwd)
    _run(
        "ruff",
        "check",
        "--isolated",
        "--no-cache",
        "--target-version",
        "py310",
        "--select",
        STRICT_RULES,
        "--ignore",
        STRICT_IGNORE,
        *files,
        cwd=cwd,
    )
    _run("ruff", "format", "--isolated", "--no-cache", "--check", *files, cwd=cwd)
    _run("mypy", "--strict", "--cache-dir", str(cwd / ".mypy_cache"), *files, cwd=cwd)


def load_module(path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """Import ``path`` under its own name (msgspec resolves the annotations in
    ``sys.modules``), for the length of the test."""
    name = f"generated_{path.stem}_{abs(hash(path))}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, name, module)
    spec.loader.exec_module(module)
    return module
