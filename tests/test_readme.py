"""The README's programs run as written (against the test double when no ODOO_URL is set).

Most of the guide moved from the README to the documentation site's pages
(``docs/pages/``); a section is looked up by its title in the README first, then
in the pages, whatever its heading level there.
"""

from __future__ import annotations

import re
import runpy
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
#: Sections whose title changed when they moved to a page.
RENAMED = {"Typed records": "Generated from the server"}


def documents() -> list[str]:
    """The README, then every page of the documentation site."""
    pages = sorted((ROOT / "docs" / "pages").rglob("*.md"))
    return [README.read_text(encoding="utf-8")] + [p.read_text(encoding="utf-8") for p in pages]


def section(heading: str) -> tuple[str, int]:
    """The document that has ``heading`` (``"### Title"``, at any level), and where."""
    title = heading.lstrip("#").strip()
    title = RENAMED.get(title, title)
    pattern = re.compile(rf"^#+ {re.escape(title)}$", re.M)
    for text in documents():
        found = pattern.search(text)
        if found is not None:
            return text, found.start()
    raise AssertionError(f"no section {title!r} in the README or docs/pages")


def python_block_after(heading: str) -> str:
    text, start = section(heading)
    match = re.compile(r"```python\n(.*?)```", re.S).search(text, start)
    assert match is not None, f"no python block after {heading!r}"
    return match.group(1)


def test_the_tour_is_a_program_that_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.delenv("ODOO_URL", raising=False)
    source = python_block_after("## A quick tour")
    assert "asyncio.run(main())" in source
    program = tmp_path / "tour.py"
    program.write_text(source, encoding="utf-8")
    runpy.run_path(str(program), run_name="__main__")
    out = capsys.readouterr().out
    assert "Odoo 17.0" in out
    assert "companies" in out


def test_the_blocking_program_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.delenv("ODOO_URL", raising=False)
    source = python_block_after("### From synchronous code")
    assert "with connect() as odoo:" in source
    program = tmp_path / "blocking.py"
    program.write_text(source, encoding="utf-8")
    runpy.run_path(str(program), run_name="__main__")
    out = capsys.readouterr().out
    assert "companies" in out
    assert "YourCompany" in out


def test_the_reports_and_files_program_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.delenv("ODOO_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    source = python_block_after("## Reports and files")
    program = tmp_path / "files.py"
    program.write_text(source, encoding="utf-8")
    runpy.run_path(str(program), run_name="__main__")
    out = capsys.readouterr().out
    assert "starting b'%PDF-'" in out
    assert "b'Dear customer, ...'" in out
    assert (tmp_path / "preview.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "letter.txt").read_bytes() == b"Dear customer, ..."


async def test_the_protocol_of_your_own_runs(capsys: pytest.CaptureFixture[str]) -> None:
    from odoo_async import AsyncOdoo
    from odoo_async.testing import FakeOdoo

    namespace: dict[str, object] = {}
    exec(python_block_after("## How the code is laid out"), namespace)
    fake = FakeOdoo(partners=5)
    async with AsyncOdoo(
        "http://odoo.test",
        db=fake.db,
        username="admin",
        password="admin",
        transport=fake.transport(),
        protocol=namespace["Logged"](),  # type: ignore[operator]
    ) as odoo:
        assert await odoo.model("res.partner").search_count([]) > 0
        assert odoo.protocol == "logged"
    assert "-> res.partner.search_count" in capsys.readouterr().out


def test_the_bench_example_stays_below_the_limit_the_readme_gives() -> None:
    text = "\n".join(documents())
    limit = re.search(r"past about (\d+) simultaneous requests", text)
    assert limit is not None
    ramps = [int(n) for n in re.findall(r"odoo-async bench .*?--ramp (\d+)", text)]
    concurrency = [int(n) for n in re.findall(r"odoo-async bench .*?-c (\d+)", text)]
    assert ramps, "no bench example with --ramp"
    assert max(ramps + concurrency) < int(limit.group(1))


def test_the_api_key_program_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.delenv("ODOO_URL", raising=False)
    program = tmp_path / "api_key.py"
    program.write_text(python_block_after("### API keys: getting one"), encoding="utf-8")
    runpy.run_path(str(program), run_name="__main__")
    out = capsys.readouterr().out
    assert "key='***'" in out
    assert out.splitlines()[-1] == "2 json2"


async def test_the_proxy_sample_goes_through_the_proxy() -> None:
    from forward_proxy import serve_site

    from odoo_async.testing import FakeOdoo

    namespace: dict[str, object] = {}
    exec(python_block_after("### Through a proxy"), namespace)
    count_partners = namespace["count_partners"]
    async for site in serve_site(FakeOdoo(db="odoo"), credentials=("user", "secret")):
        proxy = site.proxy.url.replace("http://", "http://user:secret@")
        assert await count_partners(site.url, proxy) > 0  # type: ignore[operator]
        assert site.proxy.requests >= 2
        assert site.door.connections == 0


@pytest.mark.parametrize("version", ["17.0", "18.0", "19.0"])
async def test_the_version_aware_calls_run_on_every_version(version: str) -> None:
    from odoo_async import AsyncOdoo
    from odoo_async.testing import FakeOdoo

    namespace: dict[str, Any] = {}
    exec(python_block_after("### Odoo 17, 18 and 19"), namespace)
    fake = FakeOdoo(version=version)
    async with AsyncOdoo(
        "http://odoo.test",
        db=fake.db,
        username="admin",
        password="admin",
        transport=fake.transport(),
    ) as odoo:
        names, allowed, groups = await namespace["versions_demo"](odoo)
    assert names == [(1, "YourCompany")]
    assert allowed is True
    assert groups
    assert all("country_id_count" in group and "__domain" in group for group in groups)


def test_the_codegen_program_runs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from generated_code import check_module

    source = python_block_after("### Typed records")
    program = tmp_path / "codegen.py"
    program.write_text(source, encoding="utf-8")
    runpy.run_path(str(program), run_name="__main__")
    out = capsys.readouterr().out
    assert 'class ResPartner(Record, model="res.partner"):' in out
    assert "    country_id: ResCountryRef | None = None\n" in out
    module = tmp_path / "models.py"
    module.write_text(out.removesuffix("\n"), encoding="utf-8")  # print() adds one
    check_module(module)


def test_the_observability_program_prints_what_the_readme_shows(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from odoo_async import otel

    heading = "## Observability: logs, traces and metrics"
    program = tmp_path / "traces.py"
    program.write_text(python_block_after(heading), encoding="utf-8")
    try:
        runpy.run_path(str(program), run_name="__main__")
    finally:
        otel.uninstrument()
    text, start = section(heading)
    shown = re.compile(r"prints\n\n```\n(.*?)```", re.S).search(text, start)
    assert shown is not None
    assert capsys.readouterr().out == shown.group(1)
    assert not otel.is_instrumented()
