"""Jobs ride through a server restart: export, sync and import against the double over
loopback TCP, stopped and served again on the same port mid-job (connections refused),
answering 503 for a while, or resetting connections. No wall-clock waits: the server
goes away from the job's progress callback and comes back from the client's injected
sleep, once the job has been seen backing off."""

from __future__ import annotations

import itertools
import json
import logging
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from conftest import Restartable, Sleeps

from odoo_async import (
    AsyncOdoo,
    ConnectError,
    ConnectionDropped,
    HTTPStatusError,
    OdooError,
    ProtocolError,
    RequestTimeout,
    RetryPolicy,
    RPCError,
)
from odoo_async.jobs import (
    DEFAULT_OUTAGE,
    FailedRecord,
    Progress,
    check_columns,
    export,
    sync,
    upsert,
)
from odoo_async.jobs._outage import Outage, Patience, check_outage, outage_kind
from odoo_async.testing import FakeOdoo

# -- the decision, pure -------------------------------------------------------------------


def _status(code: int) -> HTTPStatusError:
    return HTTPStatusError(f"HTTP {code}", status_code=code, body=b"<html>")


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (ConnectError("refused"), Outage.NOT_SENT),
        (RequestTimeout("connect", limit="connect"), Outage.NOT_SENT),
        (ConnectionDropped("closed", stale_connection=True), Outage.NOT_SENT),
        (ConnectionDropped("reset after sending"), Outage.UNKNOWN),
        (_status(502), Outage.UNKNOWN),
        (_status(503), Outage.UNKNOWN),
        (_status(504), Outage.UNKNOWN),
        (ProtocolError("proxy page", status_code=503), Outage.UNKNOWN),
        (RequestTimeout("read", limit="read"), Outage.NONE),
        (_status(500), Outage.UNKNOWN),  # an HTML page: a server stopping, a full pool
        (HTTPStatusError("HTTP 500", status_code=500, body=b'{"jsonrpc"'), Outage.NONE),
        (_status(429), Outage.NONE),
        (_status(404), Outage.NONE),
        (RPCError("fault", name="odoo.exceptions.UserError"), Outage.NONE),
        (ValueError("not ours"), Outage.NONE),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else v.name,
)
def test_outage_kind(error: BaseException, kind: Outage) -> None:
    assert outage_kind(error) is kind


@pytest.mark.parametrize(
    ("value", "error"),
    [(-1, ValueError), (float("nan"), ValueError), ("60", TypeError), (True, TypeError)],
)
def test_outage_must_be_seconds(value: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="outage"):
        check_outage(value)


def test_default_outage_is_a_minute() -> None:
    assert DEFAULT_OUTAGE == 60.0


async def test_an_outage_is_waited_for_up_to_the_allowance() -> None:
    sleeps = Sleeps()
    async with AsyncOdoo("http://odoo", db="odoo", username="a", password="b", sleep=sleeps) as o:
        patience = Patience(o, 10.0, "export res.partner", clock=lambda: 0.0)
        tries = 0

        async def down() -> None:
            nonlocal tries
            tries += 1
            raise ConnectError("cannot connect")

        with pytest.raises(ConnectError):
            await patience.call(down)
    assert sum(sleeps.delays) == pytest.approx(10.0)  # the last wait ends at the allowance
    assert tries == len(sleeps.delays) + 1
    assert all(d <= 5.0 for d in sleeps.delays)
    assert patience.gave_up is not None


async def test_outage_zero_stops_at_once_and_other_errors_are_not_waited_for() -> None:
    sleeps = Sleeps()
    async with AsyncOdoo("http://odoo", db="odoo", username="a", password="b", sleep=sleeps) as o:
        for outage, error in [(0.0, ConnectError("refused")), (60.0, _status(404))]:
            patience = Patience(o, outage, "import res.partner")

            async def fail(error: Exception = error) -> None:
                raise error

            with pytest.raises(type(error)):
                await patience.call(fail)
    assert sleeps.delays == []


# -- against the double over TCP, stopped and served again --------------------------------


@pytest.fixture
def fake() -> FakeOdoo:
    return FakeOdoo(partners=1_000)


@pytest.fixture
def served(fake: FakeOdoo) -> Iterator[Restartable]:
    server = Restartable(fake)
    server.start()
    try:
        yield server
    finally:
        server.close()


class Comeback(Sleeps):
    """The client's sleep: records each wait and, while ``away`` says the server is
    gone, brings it back (``back``) once the job has waited ``after`` times for it
    (the job's "trying again" log lines, counted by :meth:`handler`), so that the
    job, not only the client's own retries, is seen waiting."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.after = after
        self.away: Callable[[], bool] = lambda: False
        self.back: Callable[[], Any] = lambda: None
        self.job_waits = 0
        self.returns = 0

    def handler(self) -> logging.Handler:
        comeback = self

        class JobWaits(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                if "trying again in" in record.getMessage():
                    comeback.job_waits += 1

        return JobWaits(logging.INFO)

    async def __call__(self, delay: float) -> None:
        await super().__call__(delay)
        if self.away() and self.job_waits >= self.after:
            # Blocking, on purpose: the call backing off here may be cancelled (a
            # pager drops its other fetches when one fails), and the server must be
            # back, once, all the same.
            self.back()
            self.returns += 1
            self.job_waits = 0


@pytest.fixture
def comeback() -> Iterator[Comeback]:
    sleep = Comeback(after=2)
    jobs = logging.getLogger("odoo_async.jobs")
    handler, level = sleep.handler(), jobs.level
    jobs.addHandler(handler)
    jobs.setLevel(logging.INFO)
    try:
        yield sleep
    finally:
        jobs.removeHandler(handler)
        jobs.setLevel(level)


@pytest.fixture
async def client(
    served: Restartable, comeback: Comeback
) -> AsyncIterator[tuple[AsyncOdoo, Comeback]]:
    sleep = comeback
    async with AsyncOdoo(
        served.url, db="odoo", username="admin", password="admin", sleep=sleep
    ) as odoo:
        yield odoo, sleep


def truth(fake: FakeOdoo, domain: list[Any] | None = None) -> list[int]:
    return sorted(fake.database.execute_kw(2, "res.partner", "search", [domain or []], {}))


def ids_in(path: Path) -> list[int]:
    return [json.loads(line)["id"] for line in path.read_text().splitlines()]


def after_pages(n: int, then: Callable[[], Any]) -> Callable[[Progress], None]:
    """A progress callback that calls ``then()`` once, when ``n`` reports have come."""
    seen = 0

    def progress(p: Progress) -> None:
        nonlocal seen
        seen += 1
        if seen == n:
            then()

    return progress


OUTAGES = ["refused", "503", "reset"]


def go_away(how: str, served: Restartable, sleep: Comeback) -> Callable[[], None]:
    """What makes the server go away (called from the job), and sets how it comes back."""

    def away() -> None:
        sleep.job_waits = 0
        if how == "503":
            served.fake.inject("503")
            sleep.away = lambda: bool(served.fake.faults)
            sleep.back = served.fake.clear_faults
        elif how == "reset":
            served.reset_connections()
            sleep.away = lambda: not served.up
            sleep.back = served.start
        else:
            served.stop()
            sleep.away = lambda: not served.up
            sleep.back = served.start

    return away


async def export_until_away(
    odoo: AsyncOdoo,
    served: Restartable,
    sleep: Comeback,
    out: Path,
    *,
    how: str = "refused",
    **options: Any,
) -> Any:
    """The export of every partner's name, 100 rows a page, during which the server
    goes away ``how`` after three pages (see :func:`go_away`)."""
    return await export(
        odoo.model("res.partner"),
        None,
        ["name"],
        out,
        page_size=100,
        progress=after_pages(3, go_away(how, served, sleep)),
        **options,
    )


@pytest.mark.parametrize("how", OUTAGES)
async def test_an_export_rides_through_a_restart(
    served: Restartable,
    client: tuple[AsyncOdoo, Comeback],
    tmp_path: Path,
    how: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    odoo, sleep = client
    out = tmp_path / "partners.jsonl"
    caplog.set_level(logging.INFO, logger="odoo_async.jobs")
    result = await export_until_away(odoo, served, sleep, out, how=how)
    assert sleep.returns == 1  # it was away, and the job waited for it
    assert ids_in(out) == truth(served.fake)  # every row once, in order
    assert result.rows == len(truth(served.fake))
    assert result.complete
    said = caplog.text
    assert "export res.partner: the server is unreachable" in said
    assert "waiting up to 60 s" in said
    assert "export res.partner: the server answers again after" in said


async def test_a_sharded_export_rides_through_a_restart(
    served: Restartable, client: tuple[AsyncOdoo, Comeback], tmp_path: Path
) -> None:
    odoo, sleep = client
    out = tmp_path / "part.jsonl"
    await export(
        odoo.model("res.partner"),
        None,
        ["name"],
        out,
        page_size=50,
        shard="2/3",
        progress=after_pages(3, go_away("refused", served, sleep)),
    )
    assert sleep.returns == 1
    assert ids_in(out) == [i for i in truth(served.fake) if i % 3 == 1]


async def test_an_outage_longer_than_allowed_stops_the_export_and_resume_finishes_it(
    served: Restartable, client: tuple[AsyncOdoo, Comeback], tmp_path: Path
) -> None:
    odoo, sleep = client
    sleep.after = 10**9  # it does not come back while the job waits
    out = tmp_path / "partners.jsonl"
    with pytest.raises(ConnectError):
        await export_until_away(odoo, served, sleep, out, outage=30.0)
    waited = sum(sleep.delays)
    assert waited >= 30.0  # the client's retries and the job's waits, to the allowance
    safe = ids_in(out)
    assert safe
    assert safe == truth(served.fake)[: len(safe)]
    await anyio.to_thread.run_sync(served.start)
    result = await export(odoo.model("res.partner"), None, ["name"], out, resume=True)
    assert ids_in(out) == truth(served.fake)
    assert result.resumed_from == len(safe)


async def test_outage_zero_stops_the_export_at_once(
    served: Restartable,
    client: tuple[AsyncOdoo, Comeback],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    odoo, sleep = client
    sleep.after = 10**9
    caplog.set_level(logging.INFO, logger="odoo_async.jobs")
    out = tmp_path / "partners.jsonl"
    with pytest.raises(ConnectError):
        await export_until_away(odoo, served, sleep, out, outage=0)
    said = caplog.text
    assert "trying again" not in said  # the job did not wait: only the client retried
    assert "still unreachable after 0.0 s (outage 0 s); stopping" in said
    safe = ids_in(out)
    assert safe
    assert safe == truth(served.fake)[: len(safe)]


async def test_a_users_retry_policy_is_kept(
    served: Restartable, comeback: Comeback, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="odoo_async")
    sleep = comeback
    async with AsyncOdoo(
        served.url,
        db="odoo",
        username="admin",
        password="admin",
        sleep=sleep,
        retry=RetryPolicy.NONE,
    ) as odoo:
        out = tmp_path / "partners.jsonl"
        await export_until_away(odoo, served, sleep, out)
        assert odoo.retry is RetryPolicy.NONE
        # The client retried nothing but requests that never left (a pooled connection
        # the stopped server had closed, sent again at once on a new one): the job waited.
        retried = [r.getMessage() for r in caplog.records if " failed (" in r.getMessage()]
        reconnected = [
            m for m in retried if m.endswith("retried at once on a new connection, in 0.00 s")
        ]
        assert odoo.stats.retries == len(reconnected)
        assert all("before the request was written" in m for m in reconnected)
    assert sleep.returns == 1
    assert ids_in(out) == truth(served.fake)


async def test_a_sync_rides_through_a_restart(
    served: Restartable, client: tuple[AsyncOdoo, Comeback], tmp_path: Path
) -> None:
    odoo, sleep = client
    out, state = tmp_path / "changes.jsonl", tmp_path / "p.state"
    result = await sync(
        odoo.model("res.partner"),
        None,
        ["name"],
        out,
        state=state,
        page_size=100,
        progress=after_pages(3, go_away("refused", served, sleep)),
    )
    assert sleep.returns == 1
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["id"] for r in rows) == truth(served.fake)  # each once
    assert result.changed == len(rows)
    again = await sync(odoo.model("res.partner"), None, ["name"], out, state=state)
    assert again.changed == 0


def contacts(n: int) -> list[dict[str, Any]]:
    return [{"ref": f"RT{i:05d}", "name": f"Restart {i}"} for i in range(n)]


def landed(fake: FakeOdoo) -> Counter[str]:
    rows = fake.database.execute_kw(
        2, "res.partner", "search_read", [[["ref", "=like", "RT%"]], ["ref"]], {}
    )
    return Counter(r["ref"] for r in rows)


@pytest.mark.parametrize("how", OUTAGES)
async def test_an_import_rides_through_a_restart(
    served: Restartable, client: tuple[AsyncOdoo, Comeback], how: str
) -> None:
    odoo, sleep = client
    seen: list[FailedRecord] = []
    report = await upsert(
        odoo.model("res.partner"),
        contacts(600),
        key="ref",
        batch_size=50,
        concurrency=3,
        progress=after_pages(3, go_away(how, served, sleep)),
        on_failed=seen.append,
    )
    assert sleep.returns == 1
    assert (report.created, report.updated, report.failed, seen) == (600, 0, [], [])
    count = landed(served.fake)
    assert len(count) == 600
    assert set(count.values()) == {1}


@pytest.mark.parametrize("fault", ["drop", "lost"])
async def test_a_create_whose_reply_is_lost_is_settled_by_key(
    served: Restartable, client: tuple[AsyncOdoo, Comeback], fault: str
) -> None:
    odoo, _ = client
    served.fake.inject(fault, times=1, method="create")  # type: ignore[arg-type]
    report = await upsert(odoo.model("res.partner"), contacts(120), key="ref", batch_size=40)
    assert (report.created, report.failed) == (120, [])
    count = landed(served.fake)
    assert len(count) == 120
    assert set(count.values()) == {1}
    # "drop" did not run: the 40 are created again; "lost" ran: they are only found
    assert served.fake.count(method="create") == (4 if fault == "drop" else 3)


async def test_a_write_whose_reply_is_lost_is_settled_by_reading(
    served: Restartable, client: tuple[AsyncOdoo, Comeback]
) -> None:
    odoo, _ = client
    partners = odoo.model("res.partner")
    await upsert(partners, contacts(60), key="ref")
    renamed = [{**row, "name": row["name"] + " (renamed)"} for row in contacts(60)]
    served.fake.clear_calls()
    served.fake.inject("lost", times=1, method="write")
    report = await upsert(partners, renamed, key="ref", load=False)  # a write each
    assert (report.updated, report.failed) == (60, [])
    assert served.fake.count(method="write") == 60  # one each: the lost one not sent again
    names = await partners.search_read([["ref", "=like", "RT%"]], ["name"])
    assert all(n["name"].endswith("(renamed)") for n in names)


async def test_an_import_past_the_allowance_stops_and_a_second_run_settles_it(
    served: Restartable, client: tuple[AsyncOdoo, Comeback]
) -> None:
    odoo, sleep = client
    sleep.after = 10**9
    done: list[Progress] = []
    gone: list[bool] = []
    away = go_away("reset", served, sleep)

    def progress(p: Progress) -> None:
        done.append(p)
        if p.done >= 50 and not gone:
            gone.append(True)
            away()

    with pytest.raises(OdooError):
        await upsert(
            odoo.model("res.partner"),
            contacts(600),
            key="ref",
            batch_size=50,
            concurrency=3,
            outage=5.0,
            progress=progress,
        )
    last = done[-1]
    assert last.done >= 50
    assert last.done + last.pending <= 600
    await anyio.to_thread.run_sync(served.start)
    again = await upsert(odoo.model("res.partner"), contacts(600), key="ref")
    assert again.failed == []
    assert again.created + again.unchanged == 600
    assert again.unchanged >= last.done  # what was confirmed had landed
    count = landed(served.fake)
    assert len(count) == 600
    assert set(count.values()) == {1}


async def test_an_interrupted_import_counts_only_what_odoo_confirmed(
    fake: FakeOdoo,
) -> None:
    reports: list[Progress] = []
    async with AsyncOdoo(
        "http://odoo", db="odoo", username="admin", password="admin", transport=fake.transport()
    ) as odoo:
        await upsert(
            odoo.model("res.partner"),
            contacts(300),
            key="ref",
            batch_size=50,
            concurrency=3,
            progress=reports.append,
        )
    assert reports[-1].done == 300
    assert reports[-1].pending == 0
    # on the way, confirmed + in flight never over what was read, and confirmed never falls
    assert all(a.done <= b.done for a, b in itertools.pairwise(reports))
    assert max(r.pending for r in reports) > 0
    assert all(r.done + r.pending <= 300 for r in reports)


async def test_a_job_started_while_the_server_is_away_waits_for_it(
    served: Restartable, client: tuple[AsyncOdoo, Comeback], tmp_path: Path
) -> None:
    odoo, sleep = client
    go_away("503", served, sleep)()  # before the login
    partners = odoo.model("res.partner")
    await check_columns(partners, ["ref", "name"], "ref")
    assert sleep.returns == 1
    go_away("refused", served, sleep)()
    report = await upsert(partners, contacts(30), key="ref")
    assert sleep.returns == 2
    assert report.created == 30
    go_away("reset", served, sleep)()
    out = tmp_path / "partners.jsonl"
    await export(partners, None, ["name"], out)
    assert sleep.returns == 3
    assert ids_in(out) == truth(served.fake)
