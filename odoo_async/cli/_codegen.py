"""``codegen``: a module of typed record classes for the models a user names."""

from __future__ import annotations

import os
import shlex
import sys
import tempfile
from pathlib import Path

import click

from odoo_async import generate_models

from ._main import CliError, Connection, connection_options, run
from ._paths import STDIO, check_output

__all__ = ["COMMANDS", "parse_fields", "parse_names"]


def parse_fields(specs: tuple[str, ...], models: list[str]) -> dict[str, list[str]]:
    """``--fields MODEL:a,b`` (or ``a,b`` when one MODEL is given), by model."""
    out: dict[str, list[str]] = {}
    for spec in specs:
        model, colon, names = spec.rpartition(":")
        if not colon:
            if len(models) != 1:
                raise CliError(
                    f"--fields {spec}: with several models, say whose fields: "
                    f"--fields {models[0]}:{spec}"
                )
            model = models[0]
        if model not in models:
            raise CliError(f"--fields {spec}: {model} is not one of the models to generate")
        wanted = [n.strip() for n in names.split(",") if n.strip()]
        if not wanted:
            raise CliError(f"--fields {spec}: no field names (give a,b,c)")
        out.setdefault(model, []).extend(n for n in wanted if n not in out.get(model, []))
    return out


def parse_names(specs: tuple[str, ...], models: list[str]) -> dict[str, str]:
    """``--name MODEL=Class``, by model."""
    out: dict[str, str] = {}
    for spec in specs:
        model, equals, name = spec.partition("=")
        if not equals or not name:
            raise CliError(f"--name {spec}: give MODEL=ClassName, such as res.partner=Partner")
        if model not in models:
            raise CliError(f"--name {spec}: {model} is not one of the models to generate")
        out[model] = name
    return out


def _write(path: str, text: str) -> None:
    """Write ``path`` whole or not at all: a failed run leaves the old module as it was."""
    target = Path(path)
    try:
        mode = target.stat().st_mode & 0o777  # keep the old file's permissions
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask  # a new file's usual permissions (mkstemp's are 0o600)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


@click.command("codegen")
@connection_options
@click.argument("models", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    required=True,
    help="the module to write (models.py), or - for stdout",
)
@click.option(
    "--fields",
    "field_specs",
    multiple=True,
    metavar="[MODEL:]F1,F2",
    help="only these fields of MODEL (repeatable; no MODEL: when one model is given)",
)
@click.option(
    "--name",
    "name_specs",
    multiple=True,
    metavar="MODEL=CLASS",
    help="the class name of MODEL (repeatable)  [default: res.partner -> ResPartner]",
)
@click.option(
    "--str-selections",
    is_flag=True,
    help="type every selection str (default: Literal when its values are fixed in code)",
)
def codegen_command(
    conn: Connection,
    models: tuple[str, ...],
    output: str,
    field_specs: tuple[str, ...],
    name_specs: tuple[str, ...],
    str_selections: bool,
) -> None:
    """Write typed Record classes for MODEL... from the server's fields_get.

    The module passes mypy --strict, ruff check and ruff format as written.

    Example: odoo-async codegen res.partner sale.order -o models.py
    """
    wanted = list(dict.fromkeys(models))
    made_by = ["odoo-async", "codegen", *wanted]
    for spec in field_specs:
        made_by += ["--fields", spec]
    for spec in name_specs:
        made_by += ["--name", spec]
    if str_selections:
        made_by.append("--str-selections")
    made_by += ["-o", output]

    async def job() -> None:
        fields = parse_fields(field_specs, wanted)  # mistakes first, before any request
        names = parse_names(name_specs, wanted)
        check_output(output, "-o")
        async with conn.client() as odoo:
            source = await generate_models(
                odoo,
                wanted,
                fields=fields,
                names=names,
                literals=not str_selections,
                header=f"Made by: {shlex.join(made_by)}",
            )
        if output == STDIO:
            sys.stdout.write(source)
            sys.stdout.flush()
            return
        _write(output, source)
        classes = sum(1 for line in source.splitlines() if line.startswith("class "))
        what = "record class" if classes == 1 else "record classes"
        click.echo(f"wrote {output}: {classes} {what}", err=True)

    run(job)


COMMANDS = [codegen_command]
