"""``api-key create``: make an API key for the logged-in user (AsyncOdoo.create_api_key).

The key goes to stdout once, alone on its line (or in ``--json``), so that
``export ODOO_API_KEY=$(odoo-async api-key create bot)`` works; what it is and
that it is shown once goes to stderr. It is never logged.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import click

from ._main import CliError, Connection, connection_options, run

__all__ = ["COMMANDS", "parse_expires"]

_DAYS = re.compile(r"(\d+)d")


def parse_expires(text: str, *, now: dt.datetime) -> dt.datetime:
    """``--expires``: ``90d`` (days from ``now``), or an ISO date or date-time
    (``2027-03-01``, ``2027-03-01T12:00``; without a zone, UTC)."""
    days = _DAYS.fullmatch(text.strip())
    if days is not None:
        if int(days.group(1)) < 1:
            raise CliError(f"--expires {text!r}: give at least 1 day")
        return now + dt.timedelta(days=int(days.group(1)))
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise CliError(
            f"--expires {text!r}: give a number of days such as 90d, or a date such as "
            "2027-03-01 (or 2027-03-01T12:00, UTC unless a zone is given)"
        ) from None
    return when


@click.group("api-key")
def api_key() -> None:
    """Make API keys (JSON-2 on Odoo 19+ takes nothing else)."""


@api_key.command("create")
@connection_options
@click.argument("name")
@click.option(
    "--expires",
    metavar="DAYS|DATE",
    help="when the key stops working: 90d, or 2027-03-01 (UTC); Odoo 18+ only. "
    "Default: never, which Odoo allows administrators only",
)
@click.option("--json", "as_json", is_flag=True, help="print name, login, expires and key as JSON")
def create(conn: Connection, name: str, expires: str | None, as_json: bool) -> None:
    """Make an API key named NAME for --user, and print it once.

    Needs the user's password (ODOO_PASSWORD or the prompt): Odoo re-checks it
    before it makes a key. Example:

        export ODOO_API_KEY=$(odoo-async api-key create "nightly sync" --expires 90d)
    """

    async def job() -> None:
        when = parse_expires(expires, now=dt.datetime.now(dt.timezone.utc)) if expires else None
        async with conn.client() as odoo:
            made = await odoo.create_api_key(name, expires=when)
        shown = made.expires.strftime("%Y-%m-%d %H:%M:%S UTC") if made.expires else "never"
        if as_json:
            info = {
                "name": made.name,
                "login": made.login,
                "expires": made.expires.isoformat() if made.expires else None,
                "key": made.key,
            }
            click.echo(json.dumps(info))
        else:
            click.echo(made.key)
        click.echo(
            f"API key {made.name!r} for {made.login} on {conn.db} (expires: {shown}); "
            "Odoo shows it this once: store it now",
            err=True,
        )

    run(job)


COMMANDS = [api_key]
