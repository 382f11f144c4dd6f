"""Several worker processes, each with its own client, share one RedisBudget;
sharded jobs run by several processes add up.

The double runs in its own process and counts what it receives.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from odoo_async import AsyncOdoo
from odoo_async.jobs import checkpoint_path

from ._support import DoubleProcess

HERE = Path(__file__).parent
WORKERS = 4


def run_workers(
    double: DoubleProcess, *options: str, workers: int = WORKERS
) -> tuple[list[dict[str, Any]], int]:
    """Start ``workers`` processes, wait until each has logged in, start them together.

    Returns what each worker printed and the requests the double received
    from the start on.
    """
    processes = [
        subprocess.Popen(
            [sys.executable, str(HERE / "_budget_worker.py"), "calls", *options],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(workers)
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == "ready"
        before = double.stats()["requests"]  # the logins
        # half a second from now: the logins' permits are back in the bucket by then
        start = f"{time.time() + 0.5}\n"
        for process in processes:
            assert process.stdin is not None
            process.stdin.write(start)
            process.stdin.flush()
        results = []
        for process in processes:
            out, _ = process.communicate(timeout=120)
            assert process.returncode == 0
            results.append(json.loads(out))
        return results, double.stats()["requests"] - before
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def test_four_processes_share_rate_limit_50_for_10_s(
    redis_url: str, budget_key: str, double_process: DoubleProcess
) -> None:
    rate, burst, seconds = 50, 50, 10
    results, received = run_workers(
        double_process, "--url", double_process.url, "--redis", redis_url, "--key", budget_key,
        "--rate-limit", str(rate), "--tasks", "16", "--duration", str(seconds),
    )  # fmt: skip
    assert all(result["errors"] == {} for result in results), results
    # every attempt drew a permit (one cut off at the end may not have arrived)
    assert sum(r["stats"]["requests"] - 1 for r in results) >= received
    assert received <= rate * seconds + burst, received
    assert received >= 0.9 * (rate * seconds + burst), received
    assert all(r["calls"] > 0 for r in results), results  # every worker got a share


@pytest.mark.double_args("--latency", "0.05", "--max-concurrent-requests", "8")
def test_four_processes_share_max_concurrency_8(
    redis_url: str, budget_key: str, double_process: DoubleProcess
) -> None:
    results, _ = run_workers(
        double_process, "--url", double_process.url, "--redis", redis_url, "--key", budget_key,
        "--max-concurrency", "8", "--tasks", "8", "--duration", "1",
    )  # fmt: skip
    seen = double_process.stats()
    assert seen["peak_requests"] <= 8  # counted at the double
    assert seen["rejected_requests"] == 0
    assert all(result["errors"] == {} for result in results), results
    assert all(r["calls"] > 0 for r in results)
    # 32 tasks wanted to send: the cap was what held them back
    assert sum(r["stats"]["peak_in_flight"] for r in results) > 8


ODOO_CLI = shutil.which("odoo-async", path=str(Path(sys.executable).parent))


def run_cli(double: DoubleProcess, *commands: list[str]) -> list[dict[str, Any]]:
    """Run each ``odoo-async`` command line at once, in its own process; their JSON."""
    assert ODOO_CLI is not None, "odoo-async is not installed next to this Python"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ODOO_")}
    env.update(ODOO_URL=double.url, ODOO_DB="odoo", ODOO_USERNAME="admin", ODOO_PASSWORD="admin")
    processes = [
        subprocess.Popen(
            [ODOO_CLI, *command, "--json"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    outputs = []
    try:
        for process in processes:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
            outputs.append(json.loads(out))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    return outputs


async def partner_ids(double: DoubleProcess, domain: list[Any]) -> list[int]:
    async with AsyncOdoo(double.url, db="odoo", username="admin", password="admin") as odoo:
        return sorted(await odoo.model("res.partner").search(domain))


@pytest.mark.double_args("--partners", "3000")
async def test_export_and_import_shard_i_of_4_by_4_processes_add_up(
    double_process: DoubleProcess, tmp_path: Path
) -> None:
    parts = [tmp_path / f"partners-{i}of4.jsonl" for i in range(1, 5)]
    exports = run_cli(
        double_process,
        *(
            ["export", "res.partner", "--fields", "name,email", "-o", str(part),
             "--shard", f"{i}/4", "--page-size", "200"]
            for i, part in enumerate(parts, 1)
        ),
    )  # fmt: skip
    ids = [json.loads(line)["id"] for part in parts for line in part.read_text().splitlines()]
    assert sorted(ids) == await partner_ids(double_process, [])  # every row exactly once
    assert [e["rows"] for e in exports] == [len(p.read_text().splitlines()) for p in parts]
    assert all(e["rows"] > 0 for e in exports)
    assert all(checkpoint_path(p).exists() for p in parts)  # each its own

    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "ref,name\n" + "".join(f"SH{i:05d},Contact {i}\n" for i in range(800)), encoding="utf-8"
    )
    imports = run_cli(
        double_process,
        *(["import", "res.partner", str(contacts), "--key", "ref", "--shard", f"{i}/4"]
          for i in range(1, 5)),
    )  # fmt: skip
    assert sum(r["created"] for r in imports) == 800
    assert all(r["failed"] == 0 and r["created"] > 0 for r in imports)
    assert len(await partner_ids(double_process, [["ref", "=like", "SH%"]])) == 800
