"""Export and import of 20,000 records with the ``odoo-async`` command: rows/s and peak RSS.

The test double runs in its own process (``python -m odoo_async.testing``);
each job is one run of the installed ``odoo-async`` command, whose peak RSS
is read from the kernel when it exits (``wait4``). Rows per second are the
command's own figure (``--json``), the login and the file's set-up left out.

    python -m benchmarks.bench_jobs [--rows 20000] [--cost none|threaded|prefork]
        [--page-size N] [--jobs export,import]

``--cost`` gives the double a cost model (what a real Odoo 17 charges);
``--page-size`` is passed to the export (default: the engine adapts).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks._support import save, served_double, table


def _run(url: str, *args: str) -> dict[str, Any]:
    exe = shutil.which("odoo-async", path=str(Path(sys.executable).parent))
    if exe is None:
        raise SystemExit("odoo-async is not installed (pip install -e '.[dev]')")
    env = {**os.environ, "ODOO_URL": url, "ODOO_DB": "odoo", "ODOO_USERNAME": "admin"}
    env["ODOO_PASSWORD"] = "admin"
    proc = subprocess.Popen(
        [exe, *args, "--json"], env=env, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 3):
        raise SystemExit(f"odoo-async {' '.join(args)} failed ({proc.returncode})")
    report: dict[str, Any] = json.loads(out)
    report["peak_rss_mib"] = round(usage.ru_maxrss / 1024, 1)
    return report


def _contacts(path: Path, n: int) -> None:
    with open(path, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["ref", "name", "email", "city", "customer_rank"])
        for i in range(n):
            out.writerow([f"B{i:06d}", f"Bench Contact {i}", f"b{i}@example.com", "Ghent", 1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--cost", choices=["none", "threaded", "prefork"], default="none")
    parser.add_argument("--page-size", type=int, help="fix the export's pages")
    parser.add_argument("--jobs", default="export,import")
    args = parser.parse_args()
    fields = "name,email,ref,phone,street,city,country_id,category_id,is_company,write_date"
    extra = [] if args.cost == "none" else ["--cost", args.cost]
    paging = [] if args.page_size is None else ["--page-size", str(args.page_size)]
    jobs = args.jobs.split(",")
    results = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        served_double(partners=args.rows, extra=extra) as url,
    ):
        work = Path(tmp)
        for suffix in ("jsonl", "csv") if "export" in jobs else ():
            out = work / f"partners.{suffix}"
            report = _run(url, "export", "res.partner", "--fields", fields, "-o", str(out), *paging)
            results.append(
                {
                    "job": f"export {suffix}",
                    "rows": report["rows"],
                    "seconds": report["elapsed"],
                    "rows_per_s": round(report["rows_per_second"]),
                    "peak_rss_mib": report["peak_rss_mib"],
                }
            )
        source = work / "contacts.csv"
        _contacts(source, args.rows)
        for label in ("import (creates)", "import again (unchanged)") if "import" in jobs else ():
            report = _run(url, "import", "res.partner", str(source), "--key", "ref")
            results.append(
                {
                    "job": label,
                    "rows": report["total"],
                    "seconds": report["elapsed"],
                    "rows_per_s": round(report["rows_per_second"]),
                    "peak_rss_mib": report["peak_rss_mib"],
                }
            )
    cost = "no cost model" if args.cost == "none" else f"{args.cost} cost model"
    print(f"odoo-async jobs, {args.rows:,} res.partner rows, double in another process ({cost}):")
    print(table(results, ["job", "rows", "seconds", "rows_per_s", "peak_rss_mib"]))
    print(f"written to {save('jobs', results)}")


if __name__ == "__main__":
    main()
