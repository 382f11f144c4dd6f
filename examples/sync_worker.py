"""A worker of your own on odoo_async.jobs: what the ``odoo-async`` command does, in code.

Each run exports the contacts changed since the last run, then creates or
updates contacts from a CSV file by their reference, and logs every record
Odoo refused::

    export ODOO_URL=https://acme.odoo.com ODOO_DB=acme ODOO_USERNAME=bot ODOO_API_KEY=...
    python examples/sync_worker.py contacts.csv --state partners.state --out changes.jsonl
"""

from __future__ import annotations

import argparse
import asyncio
import logging

from odoo_async import AsyncOdoo
from odoo_async.jobs import Progress, read_rows, sync, upsert

log = logging.getLogger("sync_worker")


def show(progress: Progress) -> None:
    log.debug(
        "%s: %s of %s (%.0f rows/s)", progress.job, progress.done, progress.total, progress.rate
    )


async def main(args: argparse.Namespace) -> int:
    async with AsyncOdoo.from_env() as odoo:
        partners = odoo.model("res.partner")
        changed = await sync(
            partners, [], ["name", "email", "ref"], args.out, state=args.state, progress=show
        )
        log.info(
            "%d contacts changed, %d deleted -> %s", changed.changed, changed.deleted, args.out
        )
        report = await upsert(partners, read_rows(args.contacts), key="ref", progress=show)
        log.info("%s", report.to_dict())
        for failed in report.failed:
            log.warning("line %d (%s): %s", failed.line, failed.key, failed.reason.splitlines()[0])
        return 1 if report.failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("contacts", help="a CSV or JSON Lines file with a ref column")
    parser.add_argument("--state", default="partners.state")
    parser.add_argument("--out", default="changes.jsonl")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    raise SystemExit(asyncio.run(main(parser.parse_args())))
