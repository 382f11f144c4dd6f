"""The blocking client: the async client on an event loop of its own, from any thread."""

from __future__ import annotations

import asyncio
import collections
import os
import select
import signal
import subprocess
import sys
import textwrap
import threading
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from odoo_async import (
    AsyncOdoo,
    ClientClosedError,
    MissingError,
    Model,
    Odoo,
    OdooError,
    Record,
    RetryPolicy,
    RPCError,
    SearchReadRows,
)
from odoo_async.testing import FakeOdoo


class Partner(Record, model="res.partner"):
    name: str
    email: str | None = None


def make(fake: FakeOdoo, **options: Any) -> Odoo:
    return Odoo(
        "http://odoo.test",
        db=fake.db,
        username="admin",
        password="admin",
        transport=fake.transport(),
        **options,
    )


@pytest.fixture
def fake() -> FakeOdoo:
    return FakeOdoo(partners=200)


@pytest.fixture
def odoo(fake: FakeOdoo) -> Iterator[Odoo]:
    with make(fake) as client:
        yield client


def test_calls_return_values(fake: FakeOdoo, odoo: Odoo) -> None:
    assert odoo.version()["server_version"] == "17.0"
    assert odoo.server_version()[:2] == (17, 0)
    assert odoo.authenticate() == 2
    assert odoo.uid == 2
    count = odoo.execute_kw("res.partner", "search_count", [[]])
    assert count >= 200
    assert odoo.execute_kw("res.partner", "search_count", [[]], result_type=int) == count
    assert bytes(odoo.execute_kw_raw("res.partner", "search_count", [[]])) == str(count).encode()
    assert odoo.stats.calls == 3
    assert "admin'" not in repr(odoo).replace("username='admin'", "")
    assert repr(odoo).startswith("<Odoo url='http://odoo.test'")


def test_the_repository_is_the_async_ones(odoo: Odoo) -> None:
    partners = odoo.model("res.partner")
    assert isinstance(partners, Model)
    assert partners.name == "res.partner"
    ids = partners.search([("is_company", "=", True)], limit=3, order="id")
    assert len(ids) == 3
    assert [row["id"] for row in partners.read(ids, ["name"])] == ids
    assert partners.get(ids[0], ["name"])["id"] == ids[0]
    with pytest.raises(MissingError, match="999999"):
        partners.get(999_999)
    assert partners.exists([ids[0], 999_999]) == [ids[0]]
    assert partners.search_count([("id", "in", ids)]) == 3
    assert "name" in partners.fields_get(["name"])
    new = partners.create({"name": "Blocking"})
    assert partners.write([new], {"email": "b@example.com"})
    assert partners.read([new], ["email"]) == [{"id": new, "email": "b@example.com"}]
    assert partners.call("search", [("id", "=", new)]) == [new]
    assert partners.unlink([new])
    assert partners.exists([new]) == []
    assert partners.name_search("Blocking") == []


def test_typed_repositories_give_the_same_records(odoo: Odoo) -> None:
    partners = odoo.model(Partner)
    assert partners.record_type is Partner
    rows = partners.read([1, 2])
    assert [type(row) for row in rows] == [Partner, Partner]
    assert [(row.id, row.name) for row in rows] == [(1, "YourCompany"), (2, "OdooBot")]
    assert partners.get(1) == rows[0]


def test_search_read_is_a_list_when_used_as_one(odoo: Odoo) -> None:
    rows = odoo.model("res.partner").search_read([], ["name"], limit=5, order="id")
    assert isinstance(rows, SearchReadRows)
    assert len(rows) == 5
    assert rows[0] == {"id": 1, "name": "YourCompany"}
    assert rows[1:3] == [rows[1], rows[2]]
    assert list(rows) == rows[:]
    assert rows == rows[:]


def test_search_read_streams_pages_when_iterated(fake: FakeOdoo, odoo: Odoo) -> None:
    partners = odoo.model("res.partner")
    everything = partners.search([], order="id")
    fake.clear_calls()
    streamed = partners.search_read([], ["name"], page_size=50)
    assert [row["id"] for row in streamed] == everything
    assert fake.count("res.partner", "search_read") >= len(everything) // 50
    pages = list(partners.search_read([], ["name"], page_size=50).pages())
    assert all(len(page) <= 50 for page in pages)
    assert sum(len(page) for page in pages) == len(everything)
    assert streamed.plan  # how the walk fetched


def test_a_stream_left_early_sends_nothing_more(fake: FakeOdoo, odoo: Odoo) -> None:
    partners = odoo.model("res.partner")
    partners.search_count([])
    for row in partners.search_read([], ["name"], page_size=20, prefetch=0):
        assert row["id"]
        break
    fake.clear_calls()
    odoo.execute_kw("res.partner", "search_count", [[]])  # the loop goes on
    assert fake.count("res.partner", "search_read") == 0


def test_views_share_the_login_and_send_their_own_context(fake: FakeOdoo, odoo: Odoo) -> None:
    french = odoo.with_context(lang="fr_FR")
    assert french.context == {"lang": "fr_FR"}
    assert odoo.context == {}
    french.execute_kw("res.partner", "search_count", [[]])
    odoo.execute_kw("res.partner", "search_count", [[]])
    assert odoo.stats.authentications == 1
    assert fake.calls[-2].kwargs.get("context") == {"lang": "fr_FR"}
    patient = odoo.with_options(retry=RetryPolicy(max_retries=5), timeout=3)
    assert patient.retry.max_retries == 5
    assert odoo.model("res.partner").with_context(active_test=False).search_count([]) >= 200


def test_errors_are_the_async_clients(odoo: Odoo) -> None:
    with pytest.raises(RPCError, match=r"Wrong value for res\.partner\.type"):
        odoo.model("res.partner").create({"name": "X", "type": "bogus"})
    with pytest.raises(TypeError, match="model"):
        odoo.model(7)  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="transport"):
        Odoo("http://x", db="d", username="u", password="p", transport="smoke")
    with pytest.raises(ValueError, match="give exactly one of password= and api_key="):
        Odoo("http://x", db="d", username="u")


def test_a_partial_create_says_which_records_went_in(odoo: Odoo) -> None:
    partners = odoo.model("res.partner")
    partners.batch_size = 1
    with pytest.raises(OdooError) as caught:
        partners.create([{"name": "A"}, {"name": "B", "type": "bogus"}])
    created = caught.value.created_ids
    assert len(created) == 2
    assert created[1] is None
    assert isinstance(created[0], int)


def test_a_closed_client_says_so(fake: FakeOdoo) -> None:
    odoo = make(fake)
    odoo.execute_kw("res.partner", "search_count", [[]])
    view = odoo.with_context(lang="fr_FR")
    odoo.close()
    assert odoo.closed
    assert view.closed
    with pytest.raises(ClientClosedError, match="closed"):
        view.execute_kw("res.partner", "search_count", [[]])
    odoo.close()  # twice is harmless
    unused = make(fake)
    unused.close()  # never used: nothing to close, and no thread was started
    assert unused.closed


def test_from_env(fake: FakeOdoo) -> None:
    env = {
        "ODOO_URL": "http://odoo.test",
        "ODOO_DB": fake.db,
        "ODOO_USERNAME": "admin",
        "ODOO_PASSWORD": "admin",
    }
    with Odoo.from_env(env, transport=fake.transport()) as odoo:
        assert odoo.authenticate() == 2
    with pytest.raises(ValueError, match="ODOO_URL"):
        Odoo.from_env({})


def test_jobs_run_from_blocking_code(fake: FakeOdoo, odoo: Odoo, tmp_path: Any) -> None:
    from odoo_async.jobs import export

    target = tmp_path / "partners.jsonl"
    report = odoo.run(export(odoo.model("res.partner").aio, [], ["name"], target))
    assert report.rows == len(target.read_text().splitlines())
    assert report.rows >= 200


# -- many threads, one client ----------------------------------------------------------


def test_gets_from_100_threads_at_once_are_one_login_and_one_read(fake: FakeOdoo) -> None:
    odoo = make(fake)
    partners = odoo.model("res.partner")
    handed = threading.Semaphore(0)

    class Counted(collections.deque):  # type: ignore[type-arg]
        def append(self, call: Any) -> None:
            super().append(call)
            handed.release()

    odoo._shared.loop._queue = Counted()  # see every call handed to the client's loop
    results: dict[int, Any] = {}

    def one(record_id: int) -> None:
        results[record_id] = partners.get(record_id, ["name"])

    threads = [threading.Thread(target=one, args=(i,)) for i in range(1, 101)]
    with fake.hold():
        for thread in threads:
            thread.start()
        for _ in threads:  # every get() has been handed to the client's loop
            assert handed.acquire(timeout=60)
        odoo.run(asyncio.sleep(0))  # ... and has run up to joining the batch
    for thread in threads:
        thread.join()
    assert sorted(results) == list(range(1, 101))
    assert all(results[i]["id"] == i for i in results)
    assert fake.requests == 2  # one login, one read
    odoo.close()


def test_limits_hold_across_threads(fake: FakeOdoo) -> None:
    odoo = make(fake, max_concurrency=2)
    odoo.authenticate()
    counts: list[int] = []

    def one() -> None:
        counts.append(odoo.execute_kw("res.partner", "search_count", [[]]))

    threads = [threading.Thread(target=one) for _ in range(8)]
    with fake.hold() as held:
        for thread in threads:
            thread.start()
        asyncio.run(held.requests(2))  # two at the server: the cap
    for thread in threads:
        thread.join()
    assert len(counts) == 8
    assert fake.peak_requests == 2
    assert odoo.stats.peak_in_flight == 2
    odoo.close()


# -- where blocking code runs -------------------------------------------------------------


async def test_inside_a_running_event_loop(fake: FakeOdoo) -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.ensure_future(ticker())
    await asyncio.sleep(0)
    with make(fake) as odoo:
        assert odoo.execute_kw("res.partner", "search_count", [[]]) > 0  # a notebook cell
    before = ticks
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert ticks > before  # the caller's loop goes on
    task.cancel()


def test_a_blocking_call_from_the_clients_own_loop_is_refused(odoo: Odoo) -> None:
    async def inside() -> int:
        return odoo.execute_kw("res.partner", "search_count", [[]])  # type: ignore[no-any-return]

    with pytest.raises(RuntimeError, match="wait for itself"):
        odoo.run(inside())


def test_a_script_exits_without_close(tmp_path: Any) -> None:
    script = tmp_path / "script.py"
    script.write_text(
        textwrap.dedent(
            """
            from odoo_async import Odoo
            from odoo_async.testing import FakeOdoo

            fake = FakeOdoo(partners=10)
            odoo = Odoo("http://odoo.test", db=fake.db, username="admin", password="admin",
                        transport=fake.transport())
            print(odoo.model("res.partner").search_count([]))
            """
        )
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", str(script)],
        capture_output=True,
        text=True,
        timeout=120,  # guards against a hang only
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 0
    assert done.stderr == ""


def test_a_script_over_tcp_exits_without_close(tmp_path: Any) -> None:
    script = tmp_path / "script.py"
    script.write_text(
        textwrap.dedent(
            """
            import sys
            from odoo_async import Odoo

            odoo = Odoo(sys.argv[1], db="odoo", username="admin", password="admin")
            print(odoo.execute_kw("res.partner", "search_count", [[]]))
            """
        )
    )
    from odoo_async.testing._serve import LoopbackServer

    server = LoopbackServer(FakeOdoo(partners=10))
    server.start()
    try:
        done = subprocess.run(
            [sys.executable, "-W", "error", str(script), server.url],
            capture_output=True,
            text=True,
            timeout=120,  # guards against a hang only
        )
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork() is POSIX only")
def test_a_client_made_before_a_fork_works_in_the_child_on_its_own_connections() -> None:
    from odoo_async.testing._serve import LoopbackServer

    fake = FakeOdoo(partners=10)
    server = LoopbackServer(fake)
    server.start()
    try:
        odoo = Odoo(server.url, db=fake.db, username="admin", password="admin")
        expected = odoo.execute_kw("res.partner", "search_count", [[]])
        opened = fake.connections
        read, write = os.pipe()
        with warnings.catch_warnings():  # Python 3.12+: forking a process with threads
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the child: answer through the pipe, never return into pytest
            try:
                count = odoo.execute_kw("res.partner", "search_count", [[]])
                os.write(write, f"{count} {odoo.uid}".encode())
            finally:
                os._exit(0)
        os.close(write)
        ready, _, _ = select.select([read], [], [], 60)  # the timeout only guards a hang
        if not ready:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        answer = os.read(read, 100).decode() if ready else "(the child hung)"
        os.close(read)
        assert os.waitstatus_to_exitcode(status) == 0
        assert answer == f"{expected} 2"
        assert fake.connections > opened  # the child opened its own connection
        # the parent's client goes on, on its own connections
        assert odoo.execute_kw("res.partner", "search_count", [[]]) == expected
        odoo.close()
    finally:
        server.stop()


def test_the_async_client_behind_is_reachable(odoo: Odoo) -> None:
    assert isinstance(odoo.aio, AsyncOdoo)
    assert odoo.model("res.partner").aio.name == "res.partner"


def test_the_blocking_pytest_fixture(fake_odoo_url_blocking: str) -> None:
    with Odoo(fake_odoo_url_blocking, db="odoo", username="admin", password="admin") as odoo:
        assert odoo.model("res.partner").search_count([]) > 0
