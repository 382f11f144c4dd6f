"""Run every benchmark: ``python -m benchmarks`` (or ``nox -s bench``).

Each prints a table and writes ``benchmarks/results/<name>.json``.
"""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = [
    ("typed decoding", ["benchmarks/bench_decode.py"]),
    ("streaming memory", ["-m", "benchmarks.bench_stream_memory"]),
    ("load with injected 503s", ["-m", "benchmarks.bench_load"]),
    ("HTTP transports", ["-m", "benchmarks.bench_transport"]),
]


def main() -> int:
    failed = 0
    for title, args in BENCHMARKS:
        print(f"\n=== {title}", flush=True)
        failed += subprocess.run([sys.executable, *args], check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
