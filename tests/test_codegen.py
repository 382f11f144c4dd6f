"""``generate_models`` against the test double, in-process: the module it writes
passes ruff and ``mypy --strict``, and its classes decode the double's rows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from generated_code import check_module, load_module

from odoo_async import AsyncOdoo, Many2one, UserError, generate_models
from odoo_async.testing import FakeOdoo

MODELS = ["res.partner", "account.move", "res.country", "res.partner.category"]


@pytest.fixture
def fake() -> FakeOdoo:
    return FakeOdoo(partners=300)


@pytest.fixture
async def odoo(fake: FakeOdoo) -> AsyncIterator[AsyncOdoo]:
    async with AsyncOdoo(
        "http://odoo.test",
        db=fake.db,
        username="admin",
        password="admin",
        transport=fake.transport(),
    ) as client:
        yield client


def answer_selections_as_odoo(fake: FakeOdoo) -> list[list[Any]]:
    """The double serves no ``ir.model.fields``: answer its one ``search_read`` as
    Odoo 17 does (a selection fixed in code has values in ``selection_ids``, one
    computed at run time, such as ``lang`` and ``tz``, has none)."""
    original = fake.database.execute_kw
    domains: list[list[Any]] = []

    def execute_kw(uid: int, model: str, method: str, args: list[Any], kwargs: Any) -> Any:
        if model != "ir.model.fields":
            return original(uid, model, method, args, kwargs)
        assert method == "search_read"
        domains.append(args[0])
        models = next(c[2] for c in args[0] if c[0] == "model")
        rows = []
        for name in models:
            spec = original(uid, name, "fields_get", [], {"attributes": ["type"]})
            for field, info in spec.items():
                if info["type"] == "selection":
                    static = [1, 2] if field not in ("lang", "tz") else []
                    rows.append({"model": name, "name": field, "selection_ids": static})
        return rows

    fake.database.execute_kw = execute_kw  # type: ignore[method-assign]
    return domains


async def test_a_module_from_the_double_type_checks_and_decodes_its_rows(
    fake: FakeOdoo, odoo: AsyncOdoo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    domains = answer_selections_as_odoo(fake)
    source = await generate_models(odoo, MODELS, header="Made by: a test")
    assert domains == [[["model", "in", MODELS], ["ttype", "=", "selection"]]]
    assert source.startswith('"""Typed records for 4 Odoo models, from Odoo 17.0.\n')
    assert f"on {datetime.now().year}-" in source
    assert "\nMade by: a test\n" in source
    assert 'ResPartnerType: TypeAlias = Literal["contact", "invoice"' in source
    assert "    type: ResPartnerType | None = None\n" in source
    assert "    lang: str | None = None\n" in source  # computed at run time in Odoo
    assert "    state: AccountMoveState\n" in source  # required and stored
    assert "    country_id: ResCountryRef | None = None\n" in source
    path = tmp_path / "models.py"
    path.write_text(source)
    check_module(path)
    models = load_module(path, monkeypatch)

    partners = await odoo.model(models.ResPartner).search_read([])  # every page
    assert len(partners) == fake.database.execute_kw(2, "res.partner", "search_count", [[]], {})
    assert all(type(p) is models.ResPartner for p in partners)
    assert all(p.country_id is None or isinstance(p.country_id, Many2one) for p in partners)
    assert any(p.country_id is not None and p.country_id.name for p in partners)
    assert {p.type for p in partners} <= {"contact", "invoice", "delivery", "other", None}
    assert any(p.category_id for p in partners)
    moves = await odoo.model(models.AccountMove).search_read([])
    assert moves
    assert {m.state for m in moves} <= {"draft", "posted", "cancel"}
    countries = await odoo.model(models.ResCountry).search_read([], limit=10)
    assert countries
    assert all(c.name for c in countries)


async def test_selections_are_str_when_the_server_will_not_say_which_are_fixed(
    odoo: AsyncOdoo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = await generate_models(odoo, ["res.partner"], fields={"res.partner": ["type"]})
    said = " ".join(source.split('"""')[1].split())
    assert "Every selection is typed str: the server did not say which are fixed" in said
    assert "(ir.model.fields: UserError)" in said
    assert "    type: str | None = None\n" in source
    assert "Literal" not in source


async def test_literals_false_asks_nothing_of_ir_model_fields(
    fake: FakeOdoo, odoo: AsyncOdoo
) -> None:
    domains = answer_selections_as_odoo(fake)
    source = await generate_models(
        odoo,
        ["res.partner"],
        fields={"res.partner": ["type", "name"]},
        names={"res.partner": "Partner"},
        literals=False,
    )
    assert domains == []
    assert "    type: str | None = None\n" in source
    assert 'class Partner(Record, model="res.partner"):' in source


async def test_an_unknown_model_is_the_servers_error(odoo: AsyncOdoo) -> None:
    with pytest.raises(UserError, match=r"no\.such"):
        await generate_models(odoo, ["res.partner", "no.such"])


@pytest.mark.parametrize("models", [[], [""], [" res.partner"], [3]])
async def test_bad_model_names_are_refused_before_any_call(
    fake: FakeOdoo, odoo: AsyncOdoo, models: Any
) -> None:
    with pytest.raises(ValueError, match="generate_models"):
        await generate_models(odoo, models)
    assert fake.count() == 0
