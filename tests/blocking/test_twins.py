"""Every public method of the async API has its blocking twin: same name (less the
``a`` of ``aclose``), same parameters, the same return type less the awaitable."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest

from odoo_async import (
    AsyncAttachments,
    AsyncModel,
    AsyncOdoo,
    Attachments,
    Model,
    Odoo,
    SearchReadPager,
    SearchReadRows,
)

#: async name -> blocking name, where they differ
RENAMED = {"aclose": "close", "__aenter__": "__enter__", "__aexit__": "__exit__"}
#: What a repository needs of a client (``ModelClient``): plumbing, not the user's API.
PLUMBING = {"caches", "options_key", "reserve_slot", "sleep"}
#: Types named in annotations, async -> blocking.
TYPES = {
    "AsyncOdoo": "Odoo",
    "AsyncModel": "Model",
    "AsyncAttachments": "Attachments",
    "SearchReadPager": "SearchReadRows",
}
#: Constructor parameters naming the client an object belongs to (``core``: the
#: async attachments are made by their client, with its insides).
OWNER = {"odoo", "core"}


def public(cls: type) -> dict[str, Any]:
    names = {}
    for name, value in vars(cls).items():
        dunder = name in RENAMED or name in RENAMED.values() or name == "__init__"
        if name.startswith("_") and not dunder:
            continue
        if name in PLUMBING:
            continue
        names[RENAMED.get(name, name)] = value
    return names


def blocking_text(annotation: str) -> str:
    for old, new in TYPES.items():
        annotation = re.sub(rf"\b{old}\b", new, annotation)
    return annotation


def shape(function: Any, *, translate: bool) -> list[tuple[str, Any, Any, str]]:
    params = []
    for param in inspect.signature(function).parameters.values():
        annotation = str(param.annotation)
        if translate:
            annotation = blocking_text(annotation)
        params.append((param.name, param.kind, param.default, annotation))
    return params


@pytest.mark.parametrize(
    ("async_cls", "blocking_cls"),
    [(AsyncOdoo, Odoo), (AsyncModel, Model), (AsyncAttachments, Attachments)],
)
def test_every_public_method_has_its_blocking_twin(async_cls: type, blocking_cls: type) -> None:
    theirs = public(async_cls)
    ours = public(blocking_cls)
    missing = sorted(set(theirs) - set(ours))
    assert missing == [], f"{blocking_cls.__name__} lacks {missing}"
    for name, value in theirs.items():
        twin = ours[name]
        if isinstance(value, property):
            assert isinstance(twin, property), name
            assert (value.fset is None) == (twin.fset is None), f"{name}: settable in one only"
            continue
        function = value.__func__ if isinstance(value, classmethod) else value
        twin_function = twin.__func__ if isinstance(twin, classmethod) else twin
        mine = shape(twin_function, translate=False)
        if name == "__init__":
            mine = [p for p in mine if p[0] not in OWNER]
            expected = [p for p in shape(function, translate=True) if p[0] not in OWNER]
        else:
            expected = shape(function, translate=True)
        assert mine == expected, f"{blocking_cls.__name__}.{name} parameters differ"
        if name in ("__enter__", "__exit__", "__init__"):
            continue
        returned = blocking_text(str(inspect.signature(function).return_annotation))
        assert str(inspect.signature(twin_function).return_annotation) == returned, name
        assert inspect.iscoroutinefunction(function) or not inspect.iscoroutinefunction(
            twin_function
        ), f"{name}: the twin must not be async"
        assert not inspect.iscoroutinefunction(twin_function), name


def test_the_pager_and_its_twin_share_the_reading_methods() -> None:
    assert hasattr(SearchReadRows, "pages")
    assert hasattr(SearchReadPager, "pages")
    assert isinstance(vars(SearchReadRows)["plan"], property)
