"""A real HTTP forward proxy on loopback that counts what it carries, and its helpers.

- :class:`ForwardProxy`: absolute-URL requests (``GET http://host:port/path``),
  forwarded one by one (counted in ``requests``), and ``CONNECT host:port``
  tunnels (counted in ``tunnels``); with ``credentials``, a request without the
  right ``Proxy-Authorization: Basic`` gets ``407`` (counted in ``refused``).
  ``routes`` sends a connection for one port to another (see :class:`Door`).
- :class:`Door`: a TCP relay that counts the connections through it. The client
  is given the door's URL; the proxy is routed past it, straight to the server,
  so ``door.connections == 0`` says that nothing went direct.
- :class:`TlsFront`: TLS ended in front of a plain server (the double), for
  ``https://`` through a ``CONNECT`` tunnel.

- :func:`serve_site`: the double behind a door, a proxy routed past it (a :class:`Site`).

asyncio streams only, no sleeps: every wait is on a socket.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ssl
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h11
import httpx

from odoo_async.testing import FakeOdoo

_HOP_BY_HOP = {b"proxy-authorization", b"proxy-connection", b"connection", b"keep-alive"}


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def _splice(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    up_reader: asyncio.StreamReader,
    up_writer: asyncio.StreamWriter,
) -> None:
    await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))


class _Server:
    """An asyncio server on 127.0.0.1 that closes every connection it handled."""

    def __init__(self) -> None:
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        try:
            await self.handle(reader, writer)
        except (ConnectionError, OSError, asyncio.IncompleteReadError, h11.ProtocolError):
            pass
        finally:
            self._writers.discard(writer)
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def start(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=ssl_context)
        self.port = self._server.sockets[0].getsockname()[1]

    async def aclose(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()


class ForwardProxy(_Server):
    """An HTTP/1.1 forward proxy: absolute-URL requests and ``CONNECT`` tunnels."""

    def __init__(
        self,
        *,
        credentials: tuple[str, str] | None = None,
        routes: Mapping[int, int] | None = None,
    ) -> None:
        super().__init__()
        self.credentials = credentials
        self.routes = dict(routes or {})
        self.requests = 0  # absolute-URL requests forwarded
        self.tunnels = 0  # CONNECT tunnels opened
        self.refused = 0  # 407 replies
        #: the Proxy-Authorization values received (None: the request had none)
        self.authorizations: list[str | None] = []
        #: the requests' targets (absolute URLs, or host:port of a CONNECT)
        self.targets: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _allowed(self, headers: list[tuple[bytes, bytes]]) -> bool:
        given = next((v.decode() for k, v in headers if k.lower() == b"proxy-authorization"), None)
        self.authorizations.append(given)
        if self.credentials is None:
            return True
        user, password = self.credentials
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        return given == f"Basic {token}"

    async def _upstream(
        self, host: str, port: int
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection(host, self.routes.get(port, port))

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = h11.Connection(h11.SERVER)
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter, h11.Connection] | None = None
        try:
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    data = await reader.read(65536)
                    conn.receive_data(data)
                    if not data and conn.their_state is h11.IDLE:
                        return
                    continue
                if isinstance(event, h11.ConnectionClosed):
                    return
                assert isinstance(event, h11.Request), event
                target = event.target.decode()
                self.targets.append(target)
                if not self._allowed(event.headers):
                    self.refused += 1
                    await self._reply_407(conn, reader, writer, event)
                    return
                if event.method == b"CONNECT":
                    host, _, port = target.rpartition(":")
                    try:
                        up_reader, up_writer = await self._upstream(host.strip("[]"), int(port))
                    except OSError:
                        writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                        await writer.drain()
                        return
                    self.tunnels += 1
                    writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    await writer.drain()
                    rest = conn.trailing_data[0]
                    if rest:
                        up_writer.write(rest)
                    await _splice(reader, writer, up_reader, up_writer)
                    return
                body = await self._body(conn, reader)
                url = h11_url(target)
                if upstream is None:
                    up_reader, up_writer = await self._upstream(url[0], url[1])
                    upstream = (up_reader, up_writer, h11.Connection(h11.CLIENT))
                self.requests += 1
                if not await self._forward(event, url, body, upstream, conn, writer):
                    upstream[1].close()  # the server closes it: the next request opens another
                    upstream = None
                if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
                    return
                conn.start_next_cycle()
        finally:
            if upstream is not None:
                upstream[1].close()

    async def _body(self, conn: h11.Connection, reader: asyncio.StreamReader) -> bytes:
        chunks = []
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                conn.receive_data(await reader.read(65536))
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                return b"".join(chunks)

    async def _reply_407(
        self,
        conn: h11.Connection,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        request: h11.Request,
    ) -> None:
        if request.method != b"CONNECT":
            await self._body(conn, reader)
        body = b"proxy authentication required"
        writer.write(
            conn.send(
                h11.Response(
                    status_code=407,
                    reason=b"Proxy Authentication Required",
                    headers=[
                        (b"Proxy-Authenticate", b'Basic realm="test"'),
                        (b"Content-Length", str(len(body)).encode()),
                        (b"Connection", b"close"),
                    ],
                )
            )
            + conn.send(h11.Data(data=body))
            + conn.send(h11.EndOfMessage())
        )
        await writer.drain()

    async def _forward(
        self,
        request: h11.Request,
        url: tuple[str, int, bytes],
        body: bytes,
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter, h11.Connection],
        conn: h11.Connection,
        writer: asyncio.StreamWriter,
    ) -> bool:
        """Forward one request and its reply; whether the upstream connection stays open."""
        up_reader, up_writer, up = upstream
        headers = [(k, v) for k, v in request.headers if k.lower() not in _HOP_BY_HOP]
        up_writer.write(
            up.send(h11.Request(method=request.method, target=url[2], headers=headers))
            + up.send(h11.Data(data=body))
            + up.send(h11.EndOfMessage())
        )
        await up_writer.drain()
        chunks = []
        response: h11.Response | None = None
        while True:
            event = up.next_event()
            if event is h11.NEED_DATA:
                up.receive_data(await up_reader.read(65536))
            elif isinstance(event, h11.Response):
                response = event
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                break
        assert response is not None
        reply = b"".join(chunks)
        headers = [
            (k, v)
            for k, v in response.headers
            if k.lower() not in _HOP_BY_HOP | {b"transfer-encoding", b"content-length"}
        ]
        headers.append((b"Content-Length", str(len(reply)).encode()))
        writer.write(
            conn.send(h11.Response(status_code=response.status_code, headers=headers))
            + conn.send(h11.Data(data=reply))
            + conn.send(h11.EndOfMessage())
        )
        await writer.drain()
        if up.our_state is not h11.DONE or up.their_state is not h11.DONE:
            return False
        up.start_next_cycle()
        return True


def h11_url(target: str) -> tuple[str, int, bytes]:
    """``http://host:port/path?q`` as host, port and the origin-form target."""
    scheme, _, rest = target.partition("://")
    assert scheme == "http", target
    authority, slash, path = rest.partition("/")
    host, _, port = authority.rpartition(":")
    return host.strip("[]"), int(port or 80), (slash + path or "/").encode()


class Door(_Server):
    """A TCP relay to ``127.0.0.1:target`` that counts the connections through it."""

    def __init__(self, target: int) -> None:
        super().__init__()
        self.target = target
        self.connections = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        await _splice(reader, writer, up_reader, up_writer)


class TlsFront(_Server):
    """TLS ended here, the plain bytes relayed to ``127.0.0.1:target``."""

    def __init__(self, target: int) -> None:
        super().__init__()
        self.target = target

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        await _splice(reader, writer, up_reader, up_writer)


@dataclass
class Site:
    """The double behind a door, and a proxy routed past the door."""

    fake: FakeOdoo
    door: Door
    proxy: ForwardProxy
    url: str  # the door's URL: what the client is given
    verify: Any = True


async def serve_site(
    fake: FakeOdoo,
    *,
    credentials: tuple[str, str] | None = None,
    certificate: tuple[Path, Path] | None = None,
) -> AsyncIterator[Site]:
    """``fake`` served over TCP behind a :class:`Door`, a :class:`ForwardProxy` routed
    past the door (with ``credentials``, if given) and, with ``certificate``, TLS
    ended by a :class:`TlsFront` between the door and the double."""
    async with fake.serve() as served:
        port = httpx.URL(served).port
        assert port is not None
        front = None
        if certificate is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*map(str, certificate))
            front = TlsFront(port)
            await front.start(context)
            port = front.port
        door = Door(port)
        await door.start()
        proxy = ForwardProxy(credentials=credentials, routes={door.port: port})
        await proxy.start()
        scheme = "https" if certificate is not None else "http"
        try:
            yield Site(
                fake,
                door,
                proxy,
                f"{scheme}://127.0.0.1:{door.port}",
                verify=str(certificate[0]) if certificate is not None else True,
            )
        finally:
            await proxy.aclose()
            await door.aclose()
            if front is not None:
                await front.aclose()
