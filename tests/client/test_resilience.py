"""Retries, limits, timeouts, cancellation and session renewal, against the test double.

Faults are injected at the double and attempts are counted where they land, at
the double. Waits between attempts go through an injected sleep, so nothing
here waits for backoff in real time.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest
from conftest import Sleeps, cancel_at_random, connect

from odoo_async import (
    AsyncOdoo,
    ConcurrencyError,
    ConnectionDropped,
    HTTPStatusError,
    OdooError,
    PooledTransport,
    RateLimited,
    RequestTimeout,
    RetryPolicy,
)
from odoo_async.testing import FakeOdoo


@pytest.fixture
def fake() -> FakeOdoo:
    return FakeOdoo(db="odoo", partners=20)


@pytest.fixture
async def url(fake: FakeOdoo) -> AsyncIterator[str]:
    async with fake.serve() as base_url:
        yield base_url


READ = ("search_count", lambda m: m.search_count([]))
WRITE = ("write", lambda m: m.write([1], {"comment": "hello"}))

# kind, method, attempts the double sees, outcome (None: success)
FAULT_TABLE: list[tuple[str, tuple[str, Any], int, type[OdooError] | None]] = [
    ("429", READ, 2, None),
    ("429", WRITE, 1, RateLimited),
    ("502", READ, 2, None),
    ("502", WRITE, 1, HTTPStatusError),
    ("503", READ, 2, None),
    ("503", WRITE, 1, HTTPStatusError),
    ("504", READ, 2, None),
    ("504", WRITE, 1, HTTPStatusError),
    ("html_500", READ, 2, None),
    ("html_500", WRITE, 1, HTTPStatusError),
    ("drop", READ, 2, None),
    ("drop", WRITE, 1, ConnectionDropped),
    ("concurrency", READ, 2, None),
    ("concurrency", WRITE, 2, None),  # Odoo rolled back: replaying a write is safe
]


@pytest.mark.parametrize(("kind", "call", "attempts", "outcome"), FAULT_TABLE)
async def test_fault_kinds_over_loopback(
    fake: FakeOdoo,
    url: str,
    kind: str,
    call: tuple[str, Any],
    attempts: int,
    outcome: type[OdooError] | None,
) -> None:
    method, run = call
    sleeps = Sleeps()
    async with connect(url, sleep=sleeps) as odoo:
        partners = odoo.model("res.partner")
        await odoo.authenticate()
        fake.inject(
            kind,
            times=1,
            model="res.partner",
            method=method,
            retry_after=3 if kind == "429" else None,
        )  # type: ignore[arg-type]
        if outcome is None:
            await run(partners)
        else:
            with pytest.raises(outcome) as info:
                await run(partners)
            assert info.value.model == "res.partner"  # type: ignore[attr-defined]
            assert info.value.method == method  # type: ignore[attr-defined]
    received = [c for c in fake.calls if c.model == "res.partner" and c.method == method]
    assert len(received) == attempts
    assert received[0].fault == kind
    assert len(sleeps.delays) == attempts - 1
    if method == "write":
        ran = [c for c in received if c.fault is None]
        assert len(ran) <= 1, "a write is never run twice"
    if kind == "429" and outcome is None:
        assert sleeps.delays == [3.0], "Retry-After is honoured"
    if kind == "concurrency":
        assert sleeps.delays[0] >= 0.5 * 4 * 0.75, "concurrency faults back off longer"


@pytest.mark.parametrize("kind", ["429", "503", "html_500", "drop"])
async def test_writes_marked_idempotent_are_retried(fake: FakeOdoo, url: str, kind: str) -> None:
    async with connect(url) as odoo:
        await odoo.authenticate()
        fake.inject(kind, times=1, method="write")  # type: ignore[arg-type]
        assert await odoo.execute_kw(
            "res.partner", "write", [[1], {"comment": "x"}], idempotent=True
        )
    assert fake.count(model="res.partner", method="write") == 2


async def test_retries_give_up_after_max_retries(fake: FakeOdoo, url: str) -> None:
    sleeps = Sleeps()
    async with connect(url, sleep=sleeps, retry=RetryPolicy(max_retries=3)) as odoo:
        await odoo.authenticate()
        fake.inject("503", method="search_count")
        with pytest.raises(HTTPStatusError) as info:
            await odoo.model("res.partner").search_count([])
        assert odoo.stats.retries == 3
    assert info.value.status_code == 503
    assert fake.count(method="search_count") == 4
    assert len(sleeps.delays) == 3
    assert sleeps.delays[0] < sleeps.delays[1] < sleeps.delays[2] <= 8.0


async def test_per_call_retry_policy(fake: FakeOdoo, url: str) -> None:
    async with connect(url) as odoo:
        await odoo.authenticate()
        fake.inject("503", times=1, method="search_count")
        with pytest.raises(HTTPStatusError):
            await odoo.with_options(retry=RetryPolicy.NONE).model("res.partner").search_count([])
        fake.inject("503", times=1, method="search_count")
        with pytest.raises(HTTPStatusError):
            await odoo.execute_kw("res.partner", "search_count", [[]], retry=RetryPolicy.NONE)
        assert await odoo.execute_kw("res.partner", "search_count", [[]]) > 0


async def test_slow_reply_times_out_with_a_clear_error(fake: FakeOdoo, url: str) -> None:
    sleeps = Sleeps()
    async with connect(url, sleep=sleeps, timeout=30) as odoo:
        await odoo.authenticate()
        fake.inject("slow", times=2, method="write", delay=5.0)
        with pytest.raises(RequestTimeout) as info:
            await odoo.execute_kw("res.partner", "write", [[1], {"comment": "x"}], timeout=0.2)
        err = info.value
        assert (err.model, err.method, err.limit, err.seconds) == (
            "res.partner",
            "write",
            "read",
            0.2,
        )
        assert "read timeout (0.2 s)" in str(err)
        assert "res.partner.write" in str(err)
        assert sleeps.delays == [], "a write that timed out may have run: not replayed"
        # the retry must answer within the same timeout: 2 s, so that a loaded machine does
        fake.inject("slow", times=1, method="search_count", delay=60.0)
        assert await odoo.with_options(timeout=2.0).model("res.partner").search_count([]) > 0
        assert len(sleeps.delays) == 1, "a read that timed out is retried"


async def test_overloaded_odoo_survives_default_settings(fake: FakeOdoo) -> None:
    """1,000 concurrent reads, an Odoo that refuses more than 60 at once (HTML 500)."""
    fake.max_concurrent_requests = 60
    fake.latency = 0.002
    async with fake.serve() as url, connect(url) as odoo:
        partners = odoo.model("res.partner")
        ids = await partners.search([])
        results = await asyncio.gather(
            *(
                odoo.execute_kw("res.partner", "read", [[ids[i % len(ids)]], ["name"]])
                for i in range(1000)
            )
        )
    assert len(results) == 1000
    assert all(len(r) == 1 for r in results)
    assert fake.rejected_requests == 0
    assert fake.peak_requests <= 32


async def test_overload_without_a_cap_is_retried_not_crashed(fake: FakeOdoo) -> None:
    """No client-side cap: the double refuses with HTML 500 pages; reads retry until done."""
    fake.max_concurrent_requests = 10
    fake.latency = 0.002
    sleeps = Sleeps(scale=0.01)
    async with connect(
        "http://odoo",
        sleep=sleeps,
        transport=fake.transport(),
        max_concurrency=None,
        retry=RetryPolicy(max_retries=50),
    ) as odoo:
        await odoo.authenticate()
        results = await asyncio.gather(
            *(odoo.execute_kw("res.partner", "search_count", [[]]) for _ in range(100))
        )
    assert len(results) == 100
    assert fake.rejected_requests > 0
    assert odoo.stats.retries == fake.rejected_requests


@pytest.mark.parametrize("transport", ["default", "pooled"])
async def test_load_with_injected_503s_stays_within_the_pool(
    fake: FakeOdoo, transport: str
) -> None:
    """10,000 concurrent search_count tasks, max_concurrency=32, 5% 503s, over loopback.

    With 2 retries (the default) one call in 8,000 would see three 503s in a row;
    a bulk job raises max_retries.

    Sockets are counted for PooledTransport only: it frees a slot once the socket is
    closed. aiohttp's pool (the default) frees it when it starts closing a socket,
    which asyncio closes one loop iteration later, so on a slow run (an idle
    connection expiring, a new one opened in its place) the OS can briefly hold
    max_connections + 1 sockets, and the double rightly counts them.
    """
    policy = RetryPolicy(max_retries=6)
    pooled = {"transport": PooledTransport()} if transport == "pooled" else {}
    async with (
        fake.serve() as url,
        connect(url, max_concurrency=32, retry=policy, **pooled) as odoo,
    ):
        await odoo.authenticate()
        fake.inject("503", rate=0.05, method="search_count")
        results = await asyncio.gather(
            *(odoo.execute_kw("res.partner", "search_count", [[]]) for _ in range(10_000))
        )
        stats = odoo.stats
    assert len(results) == 10_000
    assert len(set(results)) == 1
    assert stats.retries > 0
    assert stats.peak_in_flight <= 32
    assert fake.peak_requests <= 32
    if transport == "pooled":
        assert pooled["transport"].peak_connections <= 32
        assert fake.peak_connections <= 32, "a socket is closed before its replacement opens"


async def test_cancelling_a_thousand_calls_leaves_the_client_healthy(fake: FakeOdoo) -> None:
    fake.latency = 0.001
    rng = random.Random(7)
    async with fake.serve() as url, connect(url) as odoo:
        await odoo.authenticate()
        tasks = [
            asyncio.ensure_future(odoo.execute_kw("res.partner", "search_count", [[]]))
            for _ in range(1000)
        ]
        outcomes = await cancel_at_random(tasks, rng, max_ticks=200)
        cancelled = sum(isinstance(o, asyncio.CancelledError) for o in outcomes)
        assert cancelled > 0
        assert odoo.stats.in_flight == 0
        results = await asyncio.gather(
            *(odoo.execute_kw("res.partner", "search_count", [[]]) for _ in range(100))
        )
        assert len(results) == 100
        assert odoo._core.limiter.in_flight == 0


async def test_cancelling_with_anyio_cancel_scopes(fake: FakeOdoo, url: str) -> None:
    fake.latency = 0.05
    async with connect(url) as odoo:
        await odoo.authenticate()
        with anyio.move_on_after(0.01) as scope:
            async with anyio.create_task_group() as tg:
                for _ in range(50):
                    tg.start_soon(odoo.execute_kw, "res.partner", "search_count", [[]])
        assert scope.cancelled_caught
        fake.latency = 0
        assert await odoo.execute_kw("res.partner", "search_count", [[]]) > 0
        assert odoo.stats.in_flight == 0


async def test_rate_limit_spaces_calls(fake: FakeOdoo) -> None:
    async with connect("http://odoo", transport=fake.transport(), rate_limit=500, burst=5) as odoo:
        await asyncio.gather(
            *(odoo.execute_kw("res.partner", "search_count", [[]]) for _ in range(30))
        )
        assert odoo.stats.rate_limit_wait > 0
        assert odoo._core.bucket is not None
        assert odoo._core.bucket.acquired == 31  # the login counts too


async def test_authentication_is_never_retried(fake: FakeOdoo, url: str) -> None:
    fake.inject("503", times=1, method="authenticate")
    async with connect(url) as odoo:
        with pytest.raises(HTTPStatusError):
            await odoo.authenticate()
    assert fake.count(method="authenticate") == 1


async def test_web_session_is_renewed_once_when_it_expires(fake: FakeOdoo, url: str) -> None:
    async with connect(url, protocol="web") as odoo:
        partners = odoo.model("res.partner")
        n = await partners.search_count([])
        fake.expire_sessions()
        results = await asyncio.gather(*(partners.search_count([]) for _ in range(20)))
        assert results == [n] * 20
        assert odoo._core.protocol.renewals == 1  # type: ignore[attr-defined]
    logins = [c for c in fake.calls if c.method == "authenticate"]
    assert len(logins) == 2
    assert all(c.endpoint.startswith("/web/") for c in fake.calls)


async def test_concurrency_faults_exhaust_retries(fake: FakeOdoo, url: str) -> None:
    async with connect(url, retry=RetryPolicy(max_retries=1)) as odoo:
        await odoo.authenticate()
        fake.inject("concurrency", times=2, method="write")
        with pytest.raises(ConcurrencyError):
            await odoo.model("res.partner").write([1], {"comment": "x"})
    assert fake.count(method="write") == 2


# -- retries are logged: each at INFO, a call retried more than once at WARNING --------

LOG_SECRET = "hunter2-S3CRET"


def _records(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "odoo_async" and r.levelno == level]


async def test_each_retry_is_logged_at_info(
    fake: FakeOdoo, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="odoo_async")
    async with connect(url) as odoo:
        await odoo.authenticate()
        fake.inject("429", times=1, method="search_count", retry_after=3)
        await odoo.model("res.partner").search_count([])
    infos = _records(caplog, logging.INFO)
    assert len(infos) == 2, infos
    retry, summary = infos
    assert retry.startswith("res.partner.search_count attempt 1 failed (RateLimited: HTTP 429")
    assert retry.endswith("; retry 1 of 2: HTTP 429, in 3.00 s")
    assert summary.startswith("res.partner.search_count needed 1 retry (1 x RateLimited) over ")
    assert summary.endswith(" s, then succeeded")
    assert _records(caplog, logging.WARNING) == []


async def test_a_call_retried_more_than_once_is_summed_up_at_warning(
    fake: FakeOdoo, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="odoo_async")
    async with connect(url) as odoo:
        await odoo.authenticate()
        fake.inject("503", times=1, method="search_count")
        fake.inject("drop", times=1, method="search_count")
        await odoo.model("res.partner").search_count([])
    infos = _records(caplog, logging.INFO)
    assert [m.split(" (")[0] for m in infos] == [
        "res.partner.search_count attempt 1 failed",
        "res.partner.search_count attempt 2 failed",
    ]
    assert "HTTPStatusError: HTTP 503" in infos[0]
    assert "ConnectionDropped" in infos[1]
    (warning,) = _records(caplog, logging.WARNING)
    assert warning.startswith(
        "res.partner.search_count needed 2 retries (1 x HTTPStatusError, 1 x ConnectionDropped)"
    )
    assert warning.endswith(", then succeeded")


async def test_a_call_that_gives_up_says_so_at_warning(
    fake: FakeOdoo, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="odoo_async")
    async with connect(url, retry=RetryPolicy(max_retries=2)) as odoo:
        await odoo.authenticate()
        fake.inject("503", method="search_count")
        with pytest.raises(HTTPStatusError):
            await odoo.model("res.partner").search_count([])
    assert len(_records(caplog, logging.INFO)) == 2
    (warning,) = _records(caplog, logging.WARNING)
    assert "needed 2 retries (2 x HTTPStatusError)" in warning
    assert ", then failed (HTTPStatusError: HTTP 503 " in warning


async def test_a_call_that_is_not_retried_logs_nothing_above_debug(
    fake: FakeOdoo, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="odoo_async")
    async with connect(url) as odoo:
        await odoo.authenticate()
        fake.inject("503", times=1, method="write")
        with pytest.raises(HTTPStatusError):
            await odoo.model("res.partner").write([1], {"comment": "x"})
    assert _records(caplog, logging.INFO) + _records(caplog, logging.WARNING) == []


@pytest.mark.parametrize("protocol", ["jsonrpc", "xmlrpc"])
async def test_retry_logs_never_hold_the_secret(
    fake: FakeOdoo, url: str, caplog: pytest.LogCaptureFixture, protocol: str
) -> None:
    caplog.set_level(logging.DEBUG, logger="odoo_async")
    fake.add_api_key(2, LOG_SECRET)
    odoo = AsyncOdoo(
        url, db="odoo", username="admin", api_key=LOG_SECRET, protocol=protocol, sleep=Sleeps()
    )
    async with odoo:
        await odoo.authenticate()
        for kind in ("429", "503", "drop", "html_500"):
            fake.inject(kind, times=1, method="search_count")  # type: ignore[arg-type]
        with pytest.raises(OdooError):
            await odoo.model("res.partner").search_count([])
    assert len(_records(caplog, logging.INFO)) == 2
    assert len(_records(caplog, logging.WARNING)) == 1
    assert LOG_SECRET not in caplog.text
