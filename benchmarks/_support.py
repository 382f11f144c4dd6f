"""Shared pieces of the benchmarks: a test double in a subprocess, RSS, tables."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"


@contextlib.contextmanager
def served_double(
    *, partners: int, latency: float = 0.0, extra: Sequence[str] = ()
) -> Iterator[str]:
    """Run ``python -m odoo_async.testing`` in a subprocess; yield its URL.

    In its own process the double does not share the GIL with the client, so
    the figures are the client's. ``extra`` goes to its command line
    (``--inject ...``, ``--cost threaded``).
    """
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "odoo_async.testing",
            "--partners",
            str(partners),
            "--latency",
            str(latency),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        if not url.startswith("http"):
            raise RuntimeError(f"the test double did not start (printed {url!r})")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@contextlib.contextmanager
def remote_front(url: str, *, rtt: float, certs: Path) -> Iterator[tuple[str, Path]]:
    """Put :mod:`benchmarks._remote` (TLS + ``rtt`` round trip) in front of ``url``.

    Yields the front's URL and the throwaway CA to trust.
    """
    upstream = url.split("://", 1)[1].rstrip("/")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "benchmarks._remote",
            "--upstream",
            upstream,
            "--rtt",
            str(rtt),
            "--certs",
            str(certs),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
    )
    try:
        assert proc.stdout is not None
        front = proc.stdout.readline().strip()
        if not front.startswith("https://"):
            raise RuntimeError(f"the remote-like front did not start (printed {front!r})")
        yield front, certs / "ca.pem"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def peak_rss_mib() -> float:
    """This process's peak resident set size, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_json(module: str, *args: str) -> dict[str, Any]:
    """Run ``python -m module args`` and parse the JSON it prints last."""
    out = subprocess.run(
        [sys.executable, "-m", module, *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def table(rows: list[dict[str, Any]], columns: Sequence[str]) -> str:
    """A plain text table."""
    cells = [[str(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join([line, rule, *body])


def save(name: str, data: Any) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path
