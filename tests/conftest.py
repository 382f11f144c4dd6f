"""Helpers shared by the test modules.

- :class:`Sleeps`: an injected sleep that records the delays and does not wait;
- :func:`connect`: a client for the test double's admin on the database ``odoo``;
- :func:`settle`: let the event loop run, without a wall-clock wait, until a condition holds;
- :func:`cancel_at_random`: cancel tasks after a random number of loop ticks each;
- :class:`RawServer` and its handlers (:func:`keep_alive`, :func:`read_request`,
  :func:`reply`): a small asyncio HTTP server for what the double cannot do on demand;
  :class:`Recorder`, a trace callback; the ``certificate`` fixture for TLS tests;
- no proxy from the environment (``HTTP_PROXY``...): clients go through
  one only where a test says so (``tests/transports/test_proxy.py``).

Hypothesis runs without its wall-clock checks (no per-example deadline, no "data
generation is too slow" health check): on a machine shared with other work they
fail for reasons that have nothing to do with the code under test.

Test modules import them (``from conftest import connect``): pytest puts this
directory on ``sys.path``. The double's own fixtures (``fake_odoo``,
``fake_odoo_url``) come from ``odoo_async.testing.pytest_plugin``.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import ssl
import subprocess
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, settings

from odoo_async import AsyncOdoo

settings.register_profile("odoo_async", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("odoo_async")


@pytest.fixture(autouse=True, scope="session")
def _no_proxy_from_the_environment() -> Iterator[None]:
    """The suite's clients talk to loopback doubles: a proxy set in the developer's
    environment (``AsyncOdoo`` reads it, as httpx does) must not stand in between."""
    names = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
    with pytest.MonkeyPatch.context() as patch:
        for name in names:
            patch.delenv(name, raising=False)
            patch.delenv(name.upper(), raising=False)
        yield


class Sleeps:
    """An injected sleep that records the delays and returns at once (or, with
    ``scale``, waits that share of them, so that backoff still spreads a herd)."""

    def __init__(self, scale: float = 0.0) -> None:
        self.delays: list[float] = []
        self.scale = scale

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await anyio.sleep(delay * self.scale)


def connect(url: str = "http://odoo", **options: Any) -> AsyncOdoo:
    """A client logging in as ``admin`` to the double's database ``odoo`` at ``url``.

    Waits between retries go through an instant :class:`Sleeps` unless ``sleep=``
    is given, so that no test waits for backoff in real time.
    """
    options.setdefault("sleep", Sleeps())
    return AsyncOdoo(url, db="odoo", username="admin", password="admin", **options)


async def settle(condition: Callable[[], bool], *, ticks: int = 1000) -> None:
    """Let the event loop run (no wall-clock wait) until ``condition`` holds."""
    for _ in range(ticks):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError(f"the condition did not hold within {ticks} loop ticks")


async def cancel_at_random(
    tasks: Sequence[asyncio.Future[Any]], rng: random.Random, *, max_ticks: int
) -> list[Any]:
    """Cancel each task after a number of loop ticks drawn from ``range(max_ticks)``;
    return the outcomes (results, exceptions, ``CancelledError``) in order."""

    async def cancel_later(task: asyncio.Future[Any], ticks: int) -> None:
        for _ in range(ticks):
            await asyncio.sleep(0)
        task.cancel()

    await asyncio.gather(*(cancel_later(t, rng.randrange(0, max_ticks)) for t in tasks))
    return await asyncio.gather(*tasks, return_exceptions=True)


# -- a raw HTTP server on loopback ----------------------------------------------------------

REPLY = b'{"jsonrpc": "2.0", "id": 1, "result": true}'

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def read_request(reader: asyncio.StreamReader) -> bytes:
    """One request off the wire (Content-Length framing); b"" at end-of-file."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return b""
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return head + await reader.readexactly(length)


def reply(body: bytes = REPLY, *, extra: bytes = b"") -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + extra
        + b"Content-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )


class RawServer:
    """An asyncio TCP server on loopback running ``handler`` per connection."""

    def __init__(self, handler: Handler, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self.handler = handler
        self.ssl_context = ssl_context
        self.connections = 0
        self.url = ""
        self._server: asyncio.Server | None = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            await self.handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(
            self._handle, "127.0.0.1", 0, ssl=self.ssl_context
        )
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"{'https' if self.ssl_context else 'http'}://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()


async def keep_alive(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answer every request on the connection until the client closes it."""
    while await read_request(reader):
        writer.write(reply())
        await writer.drain()


class Recorder:
    def __init__(self, then: Callable[[str], None] | None = None) -> None:
        self.names: list[str] = []
        self.then = then

    async def __call__(self, name: str, info: Mapping[str, Any]) -> None:
        self.names.append(name)
        if self.then is not None:
            self.then(name)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1 (made by the openssl CLI)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("needs the openssl command to make a certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    made = subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        capture_output=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip(f"openssl could not make a certificate: {made.stderr.decode()[-200:]}")
    return cert, key


# -- a server that goes away and comes back on the same port -------------------------------


class Restartable:
    """The double served on one loopback port, stopped (connections refused) and served
    again on the same port, as a restarted Odoo is. Its data lives on in ``fake``.

    While it is stopped, :meth:`reset_connections` makes the port accept connections
    and reset each one (RST) once its request has arrived, until :meth:`start`.
    """

    def __init__(self, fake: Any) -> None:
        from odoo_async.testing._serve import LoopbackServer

        self.fake = fake
        self._server: Any = LoopbackServer(fake)
        self.url = self._server.url
        self.port = int(self.url.rsplit(":", 1)[1])
        self._resetter: Resetter | None = None
        self.up = False
        self.stops = 0
        self.starts = 0

    def start(self) -> None:
        from odoo_async.testing._serve import LoopbackServer

        if self.up:
            return
        if self._resetter is not None:
            self._resetter.close()
            self._resetter = None
        if self.starts:
            self._server = LoopbackServer(self.fake, port=self.port)
        self._server.start()
        self.starts += 1
        self.up = True

    def stop(self) -> None:
        if self.up:
            self._server.stop()
            self.stops += 1
            self.up = False

    def reset_connections(self) -> Resetter:
        self.stop()
        self._resetter = Resetter(self.port)
        return self._resetter

    def close(self) -> None:
        self.stop()
        if self._resetter is not None:
            self._resetter.close()
            self._resetter = None


class Resetter:
    """A listener on ``port`` that reads what each connection sends, then resets it."""

    def __init__(self, port: int) -> None:
        import socket
        import threading

        self.resets = 0
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", port))
        self._socket.listen(128)
        self._thread = threading.Thread(target=self._serve, name="Resetter", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        import socket
        import struct

        while True:
            try:
                conn, _ = self._socket.accept()
            except OSError:
                return  # closed
            with conn:
                conn.settimeout(5.0)
                try:
                    conn.recv(65536)  # the request has arrived: it may have run, for the client
                except OSError:
                    pass
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.resets += 1

    def close(self) -> None:
        import socket

        try:
            self._socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._socket.close()
        self._thread.join(10)
