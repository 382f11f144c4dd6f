"""``odoo-async codegen``: the installed entry point in a subprocess against the
double over loopback TCP; the module it writes passes ruff and ``mypy --strict``
and decodes the double's rows."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from generated_code import check_module, load_module

from odoo_async import AsyncOdoo, Many2one
from odoo_async.testing import FakeOdoo

from .test_cli import Served, _serve, ok


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    yield from _serve(FakeOdoo(partners=200))


async def test_codegen_writes_a_module_that_type_checks_and_decodes(
    served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "models.py"
    result = served.run(
        "codegen",
        "res.partner",
        "account.move",
        "--fields",
        "res.partner:name,country_id,type",
        "--fields",
        "res.partner:email,parent_id",
        "--name",
        "res.partner=Partner",
        "-o",
        str(path),
    )
    assert ok(result) == ""
    assert result.stderr == f"wrote {path}: 2 record classes\n"
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # as any new file, not mkstemp's 0o600
    source = path.read_text()
    said = " ".join(source.split('"""')[1].split())
    assert "from Odoo 17.0" in said
    made_by = (
        "Made by: odoo-async codegen res.partner account.move --fields "
        "res.partner:name,country_id,type --fields res.partner:email,parent_id "
        f"--name res.partner=Partner -o {path}"
    )
    assert made_by in said
    assert "--url" not in source
    assert served.url not in source
    assert 'class Partner(Record, model="res.partner"):' in source
    assert "    parent_id: PartnerRef | None = None\n" in source
    assert "    type: str | None = None\n" in source  # the double says no selection is fixed
    check_module(path)
    models = load_module(path, monkeypatch)
    assert models.Partner.__struct_fields__ == (
        "id",
        "country_id",
        "email",
        "name",
        "parent_id",
        "type",
    )

    async with AsyncOdoo(served.url, db="odoo", username="admin", password="admin") as odoo:
        partners = await odoo.model(models.Partner).search_read([], limit=100)
        moves = await odoo.model(models.AccountMove).search_read([], limit=20)
    assert len(partners) == 100
    assert any(isinstance(p.country_id, Many2one) and p.country_id.name for p in partners)
    assert any(p.parent_id is not None for p in partners)
    assert moves
    assert all(isinstance(m.currency_id, Many2one) for m in moves)


def test_codegen_to_stdout(served: Served) -> None:
    result = served.run(
        "codegen", "res.country", "--fields", "name,code", "--str-selections", "-o", "-"
    )
    source = ok(result)
    assert result.stderr == ""
    assert source.startswith('"""Typed records for an Odoo model, from Odoo 17.0.\n')
    assert "--str-selections -o -" in " ".join(source.split())
    assert 'class ResCountry(Record, model="res.country"):' in source
    assert "    code: str\n" in source  # required
    compile(source, "<stdout>", "exec")


def test_a_failed_codegen_leaves_the_old_module_as_it_was(served: Served, tmp_path: Path) -> None:
    path = tmp_path / "models.py"
    path.write_text("# my models\n")
    path.chmod(0o640)
    result = served.run("codegen", "res.partner", "no.such", "-o", str(path))
    assert result.returncode == 1
    assert "error: Object no.such doesn't exist" in result.stderr
    assert path.read_text() == "# my models\n"
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind
    ok(served.run("codegen", "res.partner", "--fields", "name", "-o", str(path)))
    assert "class ResPartner(" in path.read_text()
    assert path.stat().st_mode & 0o777 == 0o640  # a replaced file keeps its permissions


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["res.partner", "res.country", "--fields", "name"],
            "--fields name: with several models, say whose fields: --fields res.partner:name",
        ),
        (["res.partner", "--fields", "res.users:login"], "res.users is not one of the models"),
        (["res.partner", "--fields", "res.partner:"], "no field names"),
        (["res.partner", "--fields", "nope"], "res.partner has no field(s) 'nope'"),
        (["res.partner", "--name", "Partner"], "give MODEL=ClassName"),
        (["res.partner", "--name", "res.users=User"], "res.users is not one of the models"),
        (["res.partner", "--name", "res.partner=class"], "'class' is not a Python identifier"),
        (["res.partner", "-o", "/no/such/folder/models.py"], "does not exist"),
    ],
)
def test_codegen_mistakes_are_one_line(served: Served, args: list[str], message: str) -> None:
    if "-o" not in args:
        args = [*args, "-o", "-"]
    result = served.run("codegen", *args)
    assert result.returncode == 1, result.stdout
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1
