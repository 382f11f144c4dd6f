"""``verify=`` as the HTTP layers want it: written once for httpx and ``PooledTransport``."""

from __future__ import annotations

import os
import ssl

__all__ = ["ssl_context"]


def ssl_context(verify: bool | str | os.PathLike[str] | ssl.SSLContext) -> bool | ssl.SSLContext:
    """``verify`` as httpx 0.28 wants it: a CA bundle path becomes an ``SSLContext``.

    A file is loaded as ``cafile``, a directory as ``capath`` (httpx deprecates
    passing the path itself). Booleans and contexts pass through unchanged.
    """
    if isinstance(verify, (bool, ssl.SSLContext)):
        return verify
    path = os.fspath(verify)
    if os.path.isdir(path):
        return ssl.create_default_context(capath=path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"verify={path!r}: no such CA bundle file or directory")
    return ssl.create_default_context(cafile=path)
