"""What uploading and downloading a big file costs the client in memory.

The test double runs in another process; each operation runs in a fresh client
process, which reports its peak RSS above what it held before the operation and
tracemalloc's peak of Python allocations during it. The file is 50 MB of random
bytes unless a size in MB is given.

    python -m benchmarks.bench_files [MB]
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from benchmarks._support import child_json, peak_rss_mib, save, served_double, table

KEY = "bench-files-key"


async def _run(url: str, operation: str, credentials: str, arg: str, folder: str) -> dict[str, Any]:
    from odoo_async import AsyncOdoo

    secret = {"api_key": KEY} if credentials == "api_key" else {"password": "admin"}
    async with AsyncOdoo(url, db="odoo", username="admin", **secret) as odoo:
        await odoo.authenticate()
        await odoo.version()
        baseline = peak_rss_mib()
        tracemalloc.start()
        started = time.perf_counter()
        result: Any = None
        if operation == "upload":
            result = await odoo.attachments.upload("res.partner", 1, arg, name="big.bin")
        elif operation == "download to file":
            await odoo.attachments.download(int(arg), Path(folder) / f"copy-{credentials}.bin")
        else:
            data = await odoo.attachments.download(int(arg))
            assert len(data) > 0
        elapsed = time.perf_counter() - started
        traced = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return {
        "result": result,
        "seconds": round(elapsed, 2),
        "rss_before_mib": round(baseline, 1),
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "rss_added_mib": round(peak_rss_mib() - baseline, 1),
        "tracemalloc_peak_mib": round(traced / 2**20, 1),
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        url, operation, credentials, arg, folder = sys.argv[2:7]
        print(json.dumps(asyncio.run(_run(url, operation, credentials, arg, folder))))
        return
    size_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "big.bin"
        with source.open("wb") as file:
            for _ in range(size_mb):
                file.write(os.urandom(1 << 20))
        with served_double(partners=10, extra=["--api-key", f"2:{KEY}"]) as url:

            def child(operation: str, credentials: str, arg: str) -> dict[str, Any]:
                figures = child_json(
                    "benchmarks.bench_files", "--child", url, operation, credentials, arg, folder
                )
                how = {
                    ("upload", "password"): "RPC create (base64)",
                    ("upload", "api_key"): "RPC create (base64)",
                }.get((operation, credentials))
                if how is None:
                    how = (
                        "/web/content streamed"
                        if credentials == "password"
                        else "RPC read (base64)"
                    )
                rows.append({"operation": operation, "credentials": credentials, "route": how,
                             **figures})  # fmt: skip
                return figures

            uploaded = child("upload", "password", str(source))["result"]
            child("upload", "api_key", str(source))
            for credentials in ("password", "api_key"):
                child("download to file", credentials, str(uploaded))
                child("download as bytes", credentials, str(uploaded))
    print(f"Files of {size_mb} MB, client process only (double in another process):")
    columns = ["operation", "credentials", "route", "seconds", "rss_before_mib",
               "rss_added_mib", "tracemalloc_peak_mib"]  # fmt: skip
    print(table(rows, columns))
    print(f"written to {save('files', rows)}")


if __name__ == "__main__":
    main()
