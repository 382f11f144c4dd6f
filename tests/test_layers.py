"""The layers of the package: every module imports only its own floor and those below.

Read from the source (every ``import``, at the top or inside a function), not
from what happens to be loaded, so a lazy import that climbs a floor is caught
as surely as a top-level one.
"""

from __future__ import annotations

import ast
import importlib
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

import odoo_async

PACKAGE = Path(odoo_async.__file__).parent

#: Lowest first. A module's floor is the first entry whose name is the module's
#: or one of its packages'.
FLOORS: list[tuple[str, ...]] = [
    (
        "odoo_async._config",
        "odoo_async._binary",
        "odoo_async._check",
        "odoo_async._errors",
        "odoo_async._secret",
        "odoo_async._stats",
        "odoo_async._telemetry",
        "odoo_async._values",
        "odoo_async._versions",
    ),
    ("odoo_async._transports",),
    ("odoo_async._protocols",),
    ("odoo_async._orm",),
    ("odoo_async._client",),
    (
        "odoo_async",
        "odoo_async._blocking",
        "odoo_async._opentelemetry",
        "odoo_async.otel",
        "odoo_async.redis",
        "odoo_async.shared",
    ),
    ("odoo_async.jobs",),
    ("odoo_async.cli",),
]
#: The test double: an oracle that must not agree with the client by sharing its code.
ORACLE = "odoo_async.testing"
#: What jobs/ and cli/ may import of the package besides their own modules.
PUBLIC = (
    "odoo_async",
    "odoo_async.jobs",
    "odoo_async.otel",
    "odoo_async.redis",
    "odoo_async.testing",
)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield module_name(path), path


def imports(name: str, path: Path) -> Iterator[tuple[str, str | None, int]]:
    """``(module, imported name or None, line)`` for every import of odoo_async."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "odoo_async":
                    yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "odoo_async":
                continue
            for alias in node.names:
                # ``from odoo_async import _x`` imports the module odoo_async._x
                submodule = f"{target}.{alias.name}"
                if (PACKAGE.parent / submodule.replace(".", "/")).with_suffix(".py").exists() or (
                    PACKAGE.parent / submodule.replace(".", "/") / "__init__.py"
                ).exists():
                    yield submodule, None, node.lineno
                else:
                    yield target, alias.name, node.lineno


def floor(name: str) -> int | None:
    best: tuple[int, int] | None = None  # (length of the match, floor)
    for level, names in enumerate(FLOORS):
        for prefix in names:
            inside = name == prefix or name.startswith(prefix + ".")
            if inside and (best is None or len(prefix) > best[0]):
                best = (len(prefix), level)
    return best[1] if best else None


def test_every_module_has_a_floor() -> None:
    placed = [name for name, _ in modules() if not name.startswith(ORACLE)]
    assert [name for name in placed if floor(name) is None] == []


def test_no_module_imports_a_higher_floor() -> None:
    climbs = []
    for name, path in modules():
        if name.startswith(ORACLE):
            continue
        own = floor(name)
        assert own is not None
        for target, _, line in imports(name, path):
            if target.startswith(ORACLE):
                continue  # the double is public, and below nothing
            theirs = floor(target)
            if theirs is None or theirs > own:
                climbs.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}")
    assert climbs == []


@pytest.mark.parametrize("top", ["odoo_async.jobs", "odoo_async.cli"])
def test_jobs_and_the_command_use_public_names_only(top: str) -> None:
    private = []
    for name, path in modules():
        if not name.startswith(top):
            continue
        for target, imported, line in imports(name, path):
            own = target == top or target.startswith(top + ".")
            where = f"{path.relative_to(PACKAGE.parent)}:{line}"
            if not own and target not in PUBLIC:
                private.append(f"{where} imports the module {target}")
            elif not own and imported is not None and _private(imported):
                private.append(f"{where} imports {target}.{imported}")
    assert private == []


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def test_the_double_imports_nothing_of_the_client() -> None:
    shared = [
        f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}"
        for name, path in modules()
        if name.startswith(ORACLE)
        for target, _, line in imports(name, path)
        if not target.startswith(ORACLE)
    ]
    assert shared == []


def test_every_module_imports() -> None:
    for name, _ in modules():
        if name == "odoo_async.shared" or name.endswith("__main__"):
            continue
        importlib.import_module(name)


@pytest.mark.parametrize("public", ["odoo_async", "odoo_async.testing", "odoo_async.jobs"])
def test_public_names_report_the_public_module(public: str) -> None:
    module = importlib.import_module(public)
    for name in module.__all__:
        value = getattr(module, name)
        if isinstance(value, type):
            assert value.__module__ == public, name


def test_the_old_shared_module_still_imports_with_a_warning() -> None:
    import sys

    sys.modules.pop("odoo_async.shared", None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from odoo_async.shared import RedisBudget
    from odoo_async.redis import RedisBudget as moved

    assert RedisBudget is moved
    assert [w.category for w in caught] == [DeprecationWarning]
    assert "odoo_async.redis" in str(caught[0].message)
