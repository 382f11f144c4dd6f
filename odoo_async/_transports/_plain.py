"""``https://`` to a port that speaks plain HTTP: telling it apart from other TLS failures.

A TLS client that meets a plain-HTTP server fails in one of two ways, and the
error alone does not say which server it met:

- the server answers the TLS ClientHello with bytes (an HTTP status line, an
  HTML page: Odoo's prefork server): OpenSSL reads them as a TLS record header
  and refuses its version (``WRONG_VERSION_NUMBER`` and the like). That is
  plain text where TLS was expected: :func:`tls_met_plain_text` says so from
  the error alone.
- the server closes or resets the connection without a word (Odoo's threaded
  server, Werkzeug): the error is a reset or an EOF during the handshake, as
  from a server that is going down. :func:`answers_plain_http` then asks the
  port once, in plain HTTP (``HEAD /``), whether it answers ``HTTP/``.

Either way, the message then says to use ``http://``. Through a proxy, only
the first way is used: the probe would open a direct connection to the server,
which is what a network that requires a proxy forbids (and it would tell about
the proxy's route, not the client's).
"""

from __future__ import annotations

import ssl

import anyio

__all__ = [
    "answers_plain_http",
    "closed_in_handshake",
    "root_cause",
    "tls_failed",
    "tls_met_plain_text",
]

#: OpenSSL's reasons for a first record that is not TLS (plain text read as a
#: record header), across OpenSSL 1.1 and 3.
_NOT_TLS_REASONS = frozenset(
    {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG", "HTTP_REQUEST"}
)
#: How long the plain-HTTP question may take at most, in seconds.
PROBE_SECONDS = 3.0


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
        if current is None and seen[-1].args:
            # aiohttp keeps the OS error in its arguments, not as a cause.
            nested = [a for a in seen[-1].args if isinstance(a, BaseException)]
            current = nested[0] if nested else None
    return seen


def root_cause(exc: BaseException) -> str:
    """The first error under ``exc`` that says something, for a message (``SSLEOFError: ...``)."""
    for error in reversed(_chain(exc)):
        if str(error):
            return f"{type(error).__name__}: {error}"
    return type(exc).__name__


def tls_met_plain_text(exc: BaseException) -> bool:
    """Whether the TLS handshake under ``exc`` read plain text where a TLS record belongs."""
    for error in _chain(exc):
        if isinstance(error, ssl.SSLError) and (
            getattr(error, "reason", None) in _NOT_TLS_REASONS
            or any(reason in str(error) for reason in _NOT_TLS_REASONS)
        ):
            return True
    return False


def tls_failed(exc: BaseException) -> bool:
    """Whether a TLS error is under ``exc`` (not a refused or unreachable connection)."""
    return any(isinstance(error, ssl.SSLError) for error in _chain(exc))


def certificate_refused(exc: BaseException) -> bool:
    """Whether the TLS handshake under ``exc`` refused the server's certificate."""
    return any(isinstance(e, ssl.SSLCertVerificationError) for e in _chain(exc))


def closed_in_handshake(exc: BaseException) -> bool:
    """Whether the server closed or reset the connection without a TLS answer.

    A certificate refused, a name mismatch or a refused connection is not this.
    """
    chain = _chain(exc)
    if any(isinstance(e, (ssl.SSLCertVerificationError, ConnectionRefusedError)) for e in chain):
        return False
    return any(
        isinstance(e, (ConnectionResetError, ssl.SSLEOFError, ssl.SSLZeroReturnError))
        or type(e).__name__ in ("EndOfStream", "BrokenResourceError")
        for e in chain
    )


async def answers_plain_http(host: str, port: int, *, seconds: float = PROBE_SECONDS) -> bool:
    """Whether ``host:port`` answers ``HEAD /`` in plain HTTP (its reply starts ``HTTP/``)."""
    with anyio.move_on_after(seconds):
        try:
            async with await anyio.connect_tcp(host, port) as stream:
                request = f"HEAD / HTTP/1.0\r\nHost: {host}:{port}\r\n\r\n"
                await stream.send(request.encode("ascii", "replace"))
                head = b""
                while len(head) < 5:
                    head += await stream.receive(5 - len(head))
                return head.startswith(b"HTTP/")
        except (OSError, anyio.EndOfStream, anyio.BrokenResourceError):
            return False
    return False
