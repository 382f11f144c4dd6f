"""The ``odoo-async`` command: the data jobs and the load test from a shell.

It only parses arguments and prints results; every job is a function of
:mod:`odoo_async.jobs`. It needs the ``cli`` extra (click and rich):
``pip install 'odoo_async[cli]'``.
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> None:
    """The console entry point."""
    try:
        from ._commands import cli
    except ImportError as exc:  # click or rich missing
        print(
            f"odoo-async needs the 'cli' extra ({exc.name} is missing): "
            "pip install 'odoo_async[cli]'",
            file=sys.stderr,
        )
        raise SystemExit(2) from None
    cli(prog_name="odoo-async")
