"""A remote-like front for a local server: TLS with a throwaway CA, and a round trip.

    python -m benchmarks._remote --upstream 127.0.0.1:8069 --rtt 0.04 --certs DIR

prints ``https://localhost:PORT`` on its first line and serves until killed.
Clients must trust ``DIR/ca.pem`` (written by :func:`make_ca`).

Two stages in one process, like a client far from an nginx in front of Odoo:

1. a TCP relay on the public port delays every chunk by ``rtt / 2`` in each
   direction (the bytes keep their order and the pipe its bandwidth), so the
   TLS handshake and every request pay the round trip as they would over a
   network;
2. behind it, an HTTP/1.1 reverse proxy as nginx is in front of Odoo: it
   terminates TLS (certificate for ``localhost`` and ``127.0.0.1`` signed by
   the throwaway CA), keeps the client's connection alive, and sends each
   request to the upstream on a connection of its own, with
   ``Connection: close`` (nginx's default ``proxy_http_version 1.0``). A
   threaded Odoo closes its connection after every reply; behind nginx the
   client never sees that, so its connections and TLS sessions are reused.

What it does not model: the round trip of the TCP handshake itself, packet
loss, and bandwidth limits.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ssl
import time
from pathlib import Path
from typing import Any

import h11

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


def _relay(host: str, port: int, delay: float):  # type: ignore[no-untyped-def]
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(host, port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(
            _pipe(reader, up_writer, delay), _pipe(up_reader, writer, delay), return_exceptions=True
        )

    return handle


_HANDLERS: set[asyncio.Task[None]] = set()

_HOP_BY_HOP = frozenset(
    {b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer", b"upgrade"}
)


async def _next_event(conn: h11.Connection, reader: asyncio.StreamReader) -> Any:
    while True:
        event = conn.next_event()
        if event is not h11.NEED_DATA:
            return event
        conn.receive_data(await reader.read(_CHUNK))


async def _read_message(
    conn: h11.Connection, reader: asyncio.StreamReader
) -> tuple[Any, bytes] | None:
    """The head (``h11.Request``/``h11.Response``) and the whole body, or None at the end."""
    head = await _next_event(conn, reader)
    if isinstance(head, h11.ConnectionClosed):
        return None
    body = bytearray()
    while True:
        event = await _next_event(conn, reader)
        if isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, h11.EndOfMessage):
            return head, bytes(body)
        else:
            raise h11.ProtocolError(f"unexpected {type(event).__name__}")


def _headers(head: Any, body: bytes, extra: list[tuple[bytes, bytes]]) -> list[Any]:
    kept = [
        (name, value)
        for name, value in head.headers
        if name not in _HOP_BY_HOP and name not in (b"content-length", b"transfer-encoding")
    ]
    return [*kept, (b"content-length", str(len(body)).encode()), *extra]


async def _forward(request: Any, body: bytes, host: str, port: int) -> tuple[Any, bytes]:
    """One request to the upstream on a connection of its own, its whole reply back."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        upstream = h11.Connection(h11.CLIENT)
        headers = _headers(request, body, [(b"connection", b"close")])
        out = upstream.send(
            h11.Request(method=request.method, target=request.target, headers=headers)
        )
        writer.write(out + upstream.send(h11.Data(data=body)) + upstream.send(h11.EndOfMessage()))
        await writer.drain()
        reply = await _read_message(upstream, reader)
        if reply is None:
            raise ConnectionError("the upstream closed without a reply")
        return reply
    finally:
        writer.close()


def _proxy(host: str, port: int):  # type: ignore[no-untyped-def]
    """Serve one client connection: its requests one after another, the connection kept alive."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        client = h11.Connection(h11.SERVER)
        task = asyncio.current_task()
        if task is not None:  # held until it ends: asyncio may drop a pending handler
            _HANDLERS.add(task)
        try:
            while True:
                message = await _read_message(client, reader)
                if message is None:
                    return
                request, body = message
                try:
                    response, reply = await _forward(request, body, host, port)
                except (OSError, h11.ProtocolError):
                    response, reply = h11.Response(status_code=502, headers=[]), b"bad gateway"
                head = h11.Response(
                    status_code=response.status_code,
                    headers=_headers(response, reply, []),
                    reason=response.reason,
                )
                writer.write(
                    client.send(head)
                    + client.send(h11.Data(data=reply))
                    + client.send(h11.EndOfMessage())
                )
                await writer.drain()
                if client.our_state is not h11.DONE or client.their_state is not h11.DONE:
                    return  # the client asked to close
                client.start_next_cycle()
        except (ConnectionError, OSError, h11.ProtocolError):
            pass
        finally:
            _HANDLERS.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    return handle


class Front:
    """The two stages, running in this event loop: ``url`` to send to, ``accepted`` connections."""

    def __init__(self, proxy: asyncio.Server, front: asyncio.Server, accepted: list[int]) -> None:
        self._servers = (proxy, front)
        self._accepted = accepted
        self.url = f"https://localhost:{front.sockets[0].getsockname()[1]}"

    @property
    def accepted(self) -> int:
        """Client connections accepted on the public port so far."""
        return self._accepted[0]

    async def aclose(self) -> None:
        for server in self._servers:
            server.close()
        for server in self._servers:
            await server.wait_closed()


async def start(upstream: str, rtt: float, certs: Path) -> Front:
    """Start the front for ``upstream`` (``host:port``); the CA is written to ``certs``."""
    up_host, _, up_port = upstream.rpartition(":")
    _ca, cert, key = make_ca(certs)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(str(cert), str(key))
    # stage 2: nginx: TLS terminated here, plain HTTP to the upstream, no delay
    proxy = await asyncio.start_server(
        _proxy(up_host, int(up_port)), "127.0.0.1", 0, ssl=tls, backlog=4096
    )
    inner_port = proxy.sockets[0].getsockname()[1]
    # stage 1: the public port, raw bytes delayed by half the round trip each way
    accepted = [0]
    relay = _relay("127.0.0.1", inner_port, rtt / 2)

    async def counted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted[0] += 1
        await relay(reader, writer)

    front = await asyncio.start_server(counted, "127.0.0.1", 0, backlog=4096)
    return Front(proxy, front, accepted)


async def serve(upstream: str, rtt: float, certs: Path) -> None:
    front = await start(upstream, rtt, certs)
    print(front.url, flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await front.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True, help="host:port of the plain HTTP server")
    parser.add_argument("--rtt", type=float, default=0.04, help="round trip added, in seconds")
    parser.add_argument("--certs", type=Path, required=True, help="where to write the CA")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.upstream, args.rtt, args.certs))


if __name__ == "__main__":
    main()
