"""``--outage``: the command rides through a server restart. The installed entry point
runs in a subprocess against the double over loopback TCP; the double goes away when
the job makes its Nth call (stopped: connections refused; or answering 503), and comes
back once the job has said on stderr that it is waiting. No wall-clock waits."""

from __future__ import annotations

import json
import subprocess
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Restartable

from odoo_async.testing import FakeOdoo

from .test_cli import EXE, TIMEOUT, Served, hold_on_call, jsonl
from .test_cli_files import command_in

WAITING = "waiting up to"


class Outage(Served):
    """The double on a port that can stop and start again (:class:`Restartable`)."""

    def __init__(self, fake: FakeOdoo) -> None:
        self.server = Restartable(fake)
        super().__init__(fake, self.server.url)
        self._stopping: threading.Thread | None = None

    def stop_soon(self) -> None:
        """Stop serving, from a call the double is answering (so, not waiting for it)."""
        self._stopping = threading.Thread(target=self.server.stop)
        self._stopping.start()

    def start(self) -> None:
        if self._stopping is not None:
            self._stopping.join(TIMEOUT)
        self.server.start()

    def when(
        self, argv: list[str], said: str, then: Callable[[], Any]
    ) -> subprocess.CompletedProcess[str]:
        """Run the command; call ``then()`` once a line of its stderr has ``said``."""
        assert EXE is not None
        lines: list[str] = []
        done = False
        with self.popen(*argv) as proc:
            assert proc.stderr is not None
            assert proc.stdout is not None
            try:
                for line in proc.stderr:
                    lines.append(line)
                    if not done and said in line:
                        done = True
                        then()
                out = proc.stdout.read()
                proc.wait(TIMEOUT)
            finally:
                if proc.poll() is None:
                    proc.kill()
        return subprocess.CompletedProcess(argv, proc.returncode, out, "".join(lines))


@pytest.fixture
def served() -> Iterator[Outage]:
    outage = Outage(FakeOdoo(partners=5_000))
    outage.server.start()
    try:
        yield outage
    finally:
        if outage._stopping is not None:
            outage._stopping.join(TIMEOUT)
        outage.server.close()


def on_call(fake: FakeOdoo, method: str, number: int, then: Callable[[], Any]) -> None:
    """Call ``then()`` when the double gets its ``number``-th ``method`` call (which
    is answered)."""
    original = fake.database.execute_kw
    seen = 0

    def gated(uid: int, model: str, name: str, args: list[Any], kwargs: Any) -> Any:
        nonlocal seen
        if name == method:
            seen += 1
            if seen == number:
                then()
        return original(uid, model, name, args, kwargs)

    fake.database.execute_kw = gated  # type: ignore[method-assign]


def all_ids(served: Served) -> list[int]:
    return sorted(served.odoo("res.partner", "search", []))


def export_argv(out: Path, *more: str) -> list[str]:
    return ["export", "res.partner", "--fields", "name", "-o", str(out), "--page-size", "100",
            *more]  # fmt: skip


@pytest.mark.parametrize("how", ["refused", "503"])
def test_an_export_rides_through_a_restart(served: Outage, tmp_path: Path, how: str) -> None:
    out = tmp_path / "partners.jsonl"
    if how == "503":
        on_call(served.fake, "search_read", 5, lambda: served.fake.inject("503"))
        back: Callable[[], Any] = served.fake.clear_faults
    else:
        on_call(served.fake, "search_read", 5, served.stop_soon)
        back = served.start
    result = served.when(export_argv(out, "--outage", "60"), WAITING, back)
    assert result.returncode == 0, result.stderr
    assert [r["id"] for r in jsonl(out)] == all_ids(served)  # every row once
    assert "warning: export res.partner: the server is unreachable" in result.stderr
    assert "warning: export res.partner: the server answers again after" in result.stderr
    assert f"exported {len(all_ids(served)):,} res.partner rows" in result.stdout


def test_outage_zero_stops_at_once_with_the_message_and_resume_finishes(
    served: Outage, tmp_path: Path
) -> None:
    out = tmp_path / "partners.jsonl"
    on_call(served.fake, "search_read", 5, lambda: served.fake.inject("503"))
    result = served.run(*export_argv(out, "--outage", "0"))
    assert result.returncode == 1, result.stderr
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("error: "), result.stderr
    assert "503" in error
    assert "(outage 0 s); stopping" in result.stderr
    assert f"rows are safe in {out} (checkpoint {out}.checkpoint)" in error
    safe = [r["id"] for r in jsonl(out)]
    assert safe == all_ids(served)[: len(safe)]
    served.fake.clear_faults()
    resumed = subprocess.run(
        command_in(error, "once the server answers:"),
        env=served.env(), capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    assert [r["id"] for r in jsonl(out)] == all_ids(served)


def test_an_outage_longer_than_allowed_stops_and_resume_finishes(
    served: Outage, tmp_path: Path
) -> None:
    out = tmp_path / "partners.jsonl"
    on_call(served.fake, "search_read", 5, served.stop_soon)
    result = served.run(*export_argv(out, "--outage", "1.5"))  # it stays down
    assert result.returncode == 1, result.stderr
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith("error: cannot connect to"), result.stderr
    assert "(outage 1.5 s); stopping" in result.stderr
    safe = [r["id"] for r in jsonl(out)]
    assert safe == all_ids(served)[: len(safe)]
    served.start()
    resumed = subprocess.run(
        command_in(error, "once the server answers:"),
        env=served.env(), capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    assert f"({len(safe):,} before the resume)" in resumed.stdout
    assert [r["id"] for r in jsonl(out)] == all_ids(served)


def test_a_sync_rides_through_a_restart(served: Outage, tmp_path: Path) -> None:
    out, state = tmp_path / "changes.jsonl", tmp_path / "p.state"
    on_call(served.fake, "search_read", 5, served.stop_soon)
    argv = ["sync", "res.partner", "--fields", "name", "--state", str(state), "-o", str(out),
            "--page-size", "200", "--outage", "60", "--json"]  # fmt: skip
    result = served.when(argv, WAITING, served.start)
    assert result.returncode == 0, result.stderr
    assert sorted(r["id"] for r in jsonl(out)) == all_ids(served)
    assert json.loads(result.stdout)["changed"] == len(all_ids(served))


def write_contacts(path: Path, n: int, bad: frozenset[int] = frozenset()) -> Path:
    """``n`` contacts by ref; those at ``bad`` have no ref (refused before sending)."""
    lines = ["ref,name"] + [f"{'' if i in bad else f'RS{i:05d}'},Restart {i}" for i in range(n)]
    path.write_text("\n".join(lines) + "\n")
    return path


def landed(served: Served) -> Counter[str]:
    rows = served.odoo("res.partner", "search_read", [["ref", "=like", "RS%"]], ["ref"])
    return Counter(r["ref"] for r in rows)


def test_an_import_rides_through_a_restart(served: Outage, tmp_path: Path) -> None:
    source = write_contacts(tmp_path / "in.csv", 2_000, bad=frozenset({3, 1_500}))
    rejects = tmp_path / "rejects.jsonl"
    on_call(served.fake, "create", 3, served.stop_soon)
    argv = ["import", "res.partner", str(source), "--key", "ref", "--batch-size", "100",
            "--reject", str(rejects), "--outage", "60", "--json"]  # fmt: skip
    result = served.when(argv, WAITING, served.start)
    assert result.returncode == 3, result.stderr  # the two bad rows
    report = json.loads(result.stdout)
    assert (report["created"], report["failed"]) == (1_998, 2), {
        r["reason"] for r in jsonl(rejects)
    }
    count = landed(served)
    assert len(count) == 1_998
    assert set(count.values()) == {1}  # each record once
    assert [r["line"] for r in jsonl(rejects)] == [5, 1_502]


def test_an_import_stopped_past_the_outage_says_what_is_settled(
    served: Outage, tmp_path: Path
) -> None:
    source = write_contacts(tmp_path / "in.csv", 2_000)
    on_call(served.fake, "create", 3, lambda: served.fake.inject("503"))
    argv = ["import", "res.partner", str(source), "--key", "ref", "--batch-size", "100",
            "--outage", "1"]  # fmt: skip
    result = served.run(*argv)
    assert result.returncode == 1, result.stderr
    error = result.stderr.strip().splitlines()[-1]
    assert "503" in error, result.stderr
    assert "settled in Odoo so far" in error
    served.fake.clear_faults()
    again = subprocess.run(
        [*command_in(error, "found unchanged):"), "--json"],
        env=served.env(), capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    count = landed(served)
    assert len(count) == 2_000
    assert set(count.values()) == {1}


def test_the_reject_file_is_written_as_the_job_goes(served: Outage, tmp_path: Path) -> None:
    source = write_contacts(tmp_path / "in.csv", 400, bad=frozenset({1, 2, 250}))
    rejects = tmp_path / "rejects.jsonl"
    arrived, let_go = hold_on_call(served.fake, "create", 2)  # batch 1 is settled by then
    argv = ["import", "res.partner", str(source), "--key", "ref", "--batch-size", "100",
            "--concurrency", "1", "--reject", str(rejects)]  # fmt: skip
    proc = served.popen(*argv)
    try:
        assert arrived.wait(TIMEOUT), "the import never made its 2nd create"
        so_far = jsonl(rejects)  # while the job runs
        proc.kill()
        proc.communicate(timeout=TIMEOUT)
    finally:
        let_go()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert sorted(r["line"] for r in so_far) == [3, 4]  # the bad rows of the first batch
    assert sorted(r["line"] for r in jsonl(rejects)) == [3, 4]  # left by the killed job
