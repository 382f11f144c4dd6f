"""``generate_models``: a module of typed records, from what a live server says.

It asks the server three things, then hands them to the pure
:func:`~odoo_async._orm._codegen.models_source_from_fields_get`:

- ``version()``, for the module's docstring;
- ``fields_get`` of each model (concurrently);
- which selection fields have their values fixed in code: Odoo keeps those
  values in ``ir.model.fields.selection``, and a field whose selection is
  computed at run time (``lang``, and ``tz`` before Odoo 18) has none there.
  One ``search_read`` of ``ir.model.fields``. A server that refuses it (a user
  without access to ``ir.model.fields``) gets ``str`` for every selection, and
  the module's docstring says so.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from ._client._client import AsyncOdoo
from ._errors import OdooError
from ._orm._codegen import models_source_from_fields_get

__all__ = ["FIELDS_GET_ATTRIBUTES", "generate_models"]

#: What ``generate_models`` asks ``fields_get`` for each field.
FIELDS_GET_ATTRIBUTES = (
    "string",
    "type",
    "relation",
    "required",
    "readonly",
    "store",
    "selection",
    "exportable",
)


def _check_models(models: Sequence[str]) -> list[str]:
    if isinstance(models, str):
        models = [models]
    wanted = list(dict.fromkeys(models))
    if not wanted:
        raise ValueError("generate_models: name at least one model, such as 'res.partner'")
    for model in wanted:
        if not isinstance(model, str) or not model or model != model.strip():
            raise ValueError(f"generate_models: {model!r} is not an Odoo model name")
    return wanted


async def static_selections(odoo: AsyncOdoo, models: Sequence[str]) -> dict[str, list[str]]:
    """Per model, the selection fields whose values are fixed in code.

    Raises the server's error (an :class:`OdooError`) when it will not say.
    """
    rows = await odoo.execute_kw(  # one call: a pager would ask for a second page
        "ir.model.fields",
        "search_read",
        [[("model", "in", list(models)), ("ttype", "=", "selection")]],
        {"fields": ["model", "name", "selection_ids"]},
    )
    static: dict[str, list[str]] = {}
    for row in rows:
        if row.get("selection_ids"):
            static.setdefault(str(row["model"]), []).append(str(row["name"]))
    return static


async def generate_models(
    odoo: AsyncOdoo,
    models: Sequence[str],
    *,
    fields: Mapping[str, Collection[str]] | None = None,
    names: Mapping[str, str] | None = None,
    literals: bool = True,
    header: str | None = None,
) -> str:
    """Python source of a module with a typed :class:`Record` class per model.

    The module passes ``mypy --strict``, ``ruff check`` and ``ruff format
    --check`` as written; its docstring names the server's version and the
    date. ``fields`` keeps only some fields of a model (``{"res.partner":
    ["name", "email"]}``); ``names`` chooses class names (``{"res.partner":
    "Partner"}``; by default ``ResPartner``); ``literals=False`` types every
    selection ``str``; ``header`` adds a paragraph to the docstring.

    Raises the server's error for an unknown model (a :class:`UserError`) and
    ``ValueError`` for an unknown field or a clash of class names.
    """
    wanted = _check_models(models)
    info, *specs = await asyncio.gather(
        odoo.version(),
        *(odoo.model(m).fields_get(attributes=list(FIELDS_GET_ATTRIBUTES)) for m in wanted),
    )
    static: dict[str, list[str]] = {}
    notes = [header] if header else []
    if literals:
        try:
            static = await static_selections(odoo, wanted)
        except OdooError as exc:
            notes.insert(
                0,
                "Every selection is typed str: the server did not say which are fixed "
                f"(ir.model.fields: {type(exc).__name__}).",
            )
    version: Any = info.get("server_version") if isinstance(info, dict) else None
    return models_source_from_fields_get(
        dict(zip(wanted, specs, strict=True)),
        server_version=str(version) if version else None,
        generated_at=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        static_selections=static,
        fields=fields,
        names=names,
        header="\n\n".join(notes) or None,
    )
