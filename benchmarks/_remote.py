"""A remote-like front for a local server: TLS with a throwaway CA, and a round trip.

    python -m benchmarks._remote --upstream 127.0.0.1:8069 --rtt 0.04 --certs DIR

prints ``https://localhost:PORT`` on its first line and serves until killed.
Clients must trust ``DIR/ca.pem`` (written by :func:`make_ca`).

Two stages in one process, like a client far from an nginx in front of Odoo:

1. a TCP relay on the public port delays every chunk by ``rtt / 2`` in each
   direction (the bytes keep their order and the pipe its bandwidth), so the
   TLS handshake and every request pay the round trip as they would over a
   network;
2. behind it, a TLS terminator (certificate for ``localhost`` and
   ``127.0.0.1`` signed by the throwaway CA) relays plain HTTP to the upstream.

What it does not model: the round trip of the TCP handshake itself, packet
loss, and bandwidth limits.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ssl
import sys
import time
from pathlib import Path

_CHUNK = 256 * 1024


def make_ca(directory: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate for localhost/127.0.0.1 (trustme).

    Returns ``(ca.pem, server.pem, server.key)``.
    """
    import trustme

    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name="odoo_async benchmarks (throwaway)")
    server = ca.issue_cert("localhost", "127.0.0.1")
    ca_path = directory / "ca.pem"
    cert_path = directory / "server.pem"
    key_path = directory / "server.key"
    ca.cert_pem.write_to_path(str(ca_path))
    server.cert_chain_pems[0].write_to_path(str(cert_path))
    for extra in server.cert_chain_pems[1:]:
        extra.write_to_path(str(cert_path), append=True)
    server.private_key_pem.write_to_path(str(key_path))
    return ca_path, cert_path, key_path


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    """Copy ``reader`` to ``writer``, each chunk arriving ``delay`` seconds after it was read."""
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def deliver() -> None:
        while True:
            due, data = await queue.get()
            if not data:
                break
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()

    delivering = asyncio.ensure_future(deliver())
    try:
        while True:
            data = await reader.read(_CHUNK)
            queue.put_nowait((time.monotonic() + delay, data))
            if not data:
                break
        await delivering
    except (ConnectionError, OSError):
        pass
    finally:
        delivering.cancel()
        with contextlib.suppress(BaseException):
            await delivering
        with contextlib.suppress(Exception):
            writer.close()


def _relay(host: str, port: int, delay: float, ssl_context: ssl.SSLContext | None = None):  # type: ignore[no-untyped-def]
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(host, port, ssl=ssl_context)
        except OSError:
            writer.close()
            return
        await asyncio.gather(
            _pipe(reader, up_writer, delay), _pipe(up_reader, writer, delay), return_exceptions=True
        )

    return handle


async def serve(upstream: str, rtt: float, certs: Path) -> None:
    up_host, _, up_port = upstream.rpartition(":")
    _ca, cert, key = make_ca(certs)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(str(cert), str(key))
    # stage 2: TLS terminated here, plain HTTP to the upstream, no delay
    terminator = await asyncio.start_server(
        _relay(up_host, int(up_port), 0.0), "127.0.0.1", 0, ssl=tls, backlog=4096
    )
    inner_port = terminator.sockets[0].getsockname()[1]
    # stage 1: the public port, raw bytes delayed by half the round trip each way
    front = await asyncio.start_server(
        _relay("127.0.0.1", inner_port, rtt / 2), "127.0.0.1", 0, backlog=4096
    )
    port = front.sockets[0].getsockname()[1]
    print(f"https://localhost:{port}", flush=True)
    async with terminator, front:
        await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="host:port of the plain HTTP server")
    parser.add_argument("--rtt", type=float, default=0.04, help="round trip added, in seconds")
    parser.add_argument("--certs", type=Path, required=True, help="where to write the CA")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.upstream, args.rtt, args.certs))


if __name__ == "__main__":
    sys.exit(main())
