"""What the routes of the test double may use of the FakeOdoo that serves them.

``FakeOdoo`` (``_server.py``) owns the state; the routes (``_routes_*.py``, ``_json2.py``)
get it through one :class:`Host`: the double's public settings, the lock around its
database, its web :class:`Sessions`, its cost :class:`~._metering.Metering`, and the
two controls every route goes through -- ``admit`` (log the call, apply the
concurrency cap and the injected faults) and ``pause`` (added latency, held replies).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ._calls import Call
    from ._faults import FaultRule
    from ._metering import Metering
    from ._orm import Database

__all__ = ["Host", "Sessions", "Settings"]


class Settings(Protocol):
    """The public attributes of the double that the routes read."""

    @property
    def db(self) -> str: ...

    @property
    def version(self) -> str: ...

    @property
    def major(self) -> int: ...
    @property
    def version_info(self) -> Mapping[str, Any]: ...

    @property
    def fault_code(self) -> int: ...

    @property
    def json2(self) -> bool: ...

    @property
    def database(self) -> Database: ...


class Sessions:
    """The web sessions: the value of the ``session_id`` cookie to the uid logged in."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._uids: dict[str, int] = {}

    def uid(self, sid: str) -> int | None:
        return self._uids.get(sid)

    def open(self, uid: int, *, replacing: str | None) -> str:
        """A new session for ``uid`` in place of ``replacing``; returns its id."""
        sid = secrets.token_hex(20)
        with self._lock:
            if replacing is not None:
                self._uids.pop(replacing, None)
            self._uids[sid] = uid
        return sid

    def close(self, sid: str | None) -> None:
        with self._lock:
            if sid is not None:
                self._uids.pop(sid, None)

    def clear(self) -> None:
        with self._lock:
            self._uids.clear()


@dataclass(frozen=True, slots=True)
class Host:
    """What a route may use of the double that serves it, and nothing else."""

    odoo: Settings
    #: held around every use of ``odoo.database``: the ORM core is not thread-safe
    db_lock: threading.Lock
    sessions: Sessions
    metering: Metering
    #: ``admit(call, over)``: log the call (None: nothing to log) and decide its fate:
    #: the concurrency cap when ``over``, else an injected fault, or None to run it
    admit: Callable[[Call | None, bool], FaultRule | None]
    #: ``pause(extra, over)``: the added latency plus ``extra`` seconds; a held reply
    #: (not one refused by the cap) waits for its release
    pause: Callable[[float, bool], Awaitable[None]]
