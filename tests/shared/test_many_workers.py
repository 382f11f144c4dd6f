"""Several worker processes, each with its own client, share one RedisBudget.

The double runs in its own process and counts what it receives.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import DoubleProcess

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
    assert all(result["errors"] == {} for result in results)
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
    assert all(result["errors"] == {} for result in results)
    assert all(r["calls"] > 0 for r in results)
    # 32 tasks wanted to send: the cap was what held them back
    assert sum(r["stats"]["peak_in_flight"] for r in results) > 8
