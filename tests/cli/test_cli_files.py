"""The command's files: ``--format``, ``-`` for stdout and stdin, paths checked
before any work, what Ctrl-C and kill leave, and checkpoints made by another job.
Each runs the installed entry point in a subprocess against the double over TCP."""

from __future__ import annotations

import asyncio
import csv
import fcntl
import io
import json
import shlex
import signal
import struct
import subprocess
import termios
from collections.abc import Iterator
from pathlib import Path

import pytest

from odoo_async.testing import FakeOdoo

from .test_cli import EXE, TIMEOUT, Served, _serve, hold_on_call, jsonl, ok, truth, write


@pytest.fixture
def small() -> Iterator[Served]:
    yield from _serve(FakeOdoo(partners=2_000))


# -- --format, -o -, import - --------------------------------------------------------


def test_export_to_stdout_as_csv(small: Served) -> None:
    result = small.run("export", "res.partner", "--fields", "name", "-o", "-", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(ok(result))))
    assert [int(r["id"]) for r in rows] == sorted(truth(small))
    assert "exported" in result.stderr  # the summary leaves stdout to the rows


def test_export_to_stdout_is_jsonl_by_default_and_json_goes_to_stderr(small: Served) -> None:
    result = small.run("export", "res.partner", "--fields", "name", "-o", "-", "--json")
    rows = [json.loads(line) for line in ok(result).splitlines()]
    assert [r["id"] for r in rows] == sorted(truth(small))
    told = small.run("export", "res.partner", "--fields", "name", "-o", "-")
    assert told.stderr.startswith(f"exported {len(rows):,} res.partner rows to stdout in ")
    summary = json.loads(result.stderr)
    assert (summary["rows"], summary["format"], summary["output"]) == (len(rows), "jsonl", "-")


def test_format_wins_over_the_name(small: Served, tmp_path: Path) -> None:
    out = tmp_path / "partners.txt"
    ok(small.run("export", "res.partner", "--fields", "name", "-o", str(out), "--format", "csv"))
    assert out.read_text().splitlines()[0] == "id,name"
    resumed = small.run(
        "export", "res.partner", "--fields", "name", "-o", str(out), "--format", "csv",
        "--resume", "--json",
    )  # fmt: skip
    assert json.loads(ok(resumed))["rows"] == len(truth(small))


def test_a_name_without_a_format_names_the_option(small: Served, tmp_path: Path) -> None:
    result = small.run("export", "res.partner", "-o", str(tmp_path / "partners.txt"))
    assert result.returncode == 1
    assert result.stderr == (
        f"error: {tmp_path / 'partners.txt'}: cannot tell the format from the name; "
        "name it .jsonl, .ndjson or .csv, or give --format jsonl or --format csv\n"
    )


def test_resume_to_stdout_is_refused(small: Served) -> None:
    result = small.run("export", "res.partner", "-o", "-", "--resume")
    assert result.returncode == 1
    assert "--resume needs a file" in result.stderr


def test_sync_to_stdout(small: Served, tmp_path: Path) -> None:
    state = tmp_path / "state"
    args = ("sync", "res.partner", "--fields", "name", "--state", str(state), "-o", "-")
    first = ok(small.run(*args))
    assert len(first.splitlines()) == len(truth(small))
    ids = sorted(truth(small))[:3]
    small.odoo("res.partner", "write", ids, {"name": "Renamed"})
    second = [json.loads(line) for line in ok(small.run(*args, "--format", "jsonl")).splitlines()]
    assert [(r["id"], r["name"]) for r in second] == [(i, "Renamed") for i in ids]


def test_import_from_stdin(small: Served, tmp_path: Path) -> None:
    data = "ref,name\nSTDIN-1,From Stdin 1\nSTDIN-2,From Stdin 2\n"
    args = ("import", "res.partner", "-", "--format", "csv", "--key", "ref", "--json")
    report = json.loads(ok(small.run(*args, input=data)))
    assert (report["created"], report["failed"]) == (2, 0)
    assert small.odoo("res.partner", "search_count", [["ref", "=like", "STDIN-%"]]) == 2
    lines = "\n".join(json.dumps({"ref": f"STDIN-{i}", "name": f"S {i}"}) for i in (1, 2))
    again = json.loads(ok(small.run(*args[:3], "--key", "ref", "--json", input=lines)))
    assert (again["created"], again["updated"]) == (0, 2)  # jsonl by default on stdin
    # CSV on stdin without --format: the error names stdin, not a temporary copy, and the fix
    told = small.run(*args[:3], "--key", "ref", input=data)
    assert told.returncode == 1
    assert told.stderr.startswith("error: stdin: not a JSON Lines file"), told.stderr
    assert told.stderr.rstrip().endswith(
        "(stdin is read as JSON Lines: give --format csv for CSV)"
    ), told.stderr
    assert "odoo-async-" not in told.stderr


# -- every path checked before any work ---------------------------------------------

PATHS = [
    ("sync state in a missing folder",
     lambda d: ["sync", "res.partner", "--state", str(d / "nowhere" / "p.state"), "-o", str(d / "p.jsonl")],
     "--state {d}/nowhere/p.state: the folder {d}/nowhere does not exist; create it first"),
    ("export to a missing folder",
     lambda d: ["export", "res.partner", "-o", str(d / "nowhere" / "p.jsonl")],
     "-o {d}/nowhere/p.jsonl: the folder {d}/nowhere does not exist; create it first"),
    ("sync output in a missing folder",
     lambda d: ["sync", "res.partner", "--state", str(d / "s"), "-o", str(d / "nowhere" / "p.csv")],
     "-o {d}/nowhere/p.csv: the folder {d}/nowhere does not exist; create it first"),
    ("reject file in a missing folder",
     lambda d: ["import", "res.partner", write(d / "in.csv", "ref,name\nA,B\n"), "--key", "ref",
                "--reject", str(d / "nowhere" / "r.jsonl")],
     "--reject {d}/nowhere/r.jsonl: the folder {d}/nowhere does not exist; create it first"),
    ("resume without a checkpoint",
     lambda d: ["export", "res.partner", "-o", str(d / "p2.jsonl"), "--resume"],
     "--resume: no checkpoint {d}/p2.jsonl.checkpoint to resume from; run without --resume to start"),
    ("missing input",
     lambda d: ["import", "res.partner", str(d / "none.csv"), "--key", "ref"],
     "FILE {d}/none.csv: no such file"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "argv", "says"), PATHS, ids=[case[0] for case in PATHS])
def test_paths_are_checked_before_any_request(
    small: Served, tmp_path: Path, name: str, argv: object, says: str
) -> None:
    assert callable(argv)
    result = small.run(*argv(tmp_path))
    assert result.returncode == 1, result.stderr
    assert result.stderr == f"error: {says.format(d=tmp_path)}\n"
    assert small.fake.calls == []  # not a login, not a row
    assert not (tmp_path / "p.jsonl").exists()


def test_a_folder_for_a_file_is_a_usage_error(small: Served, tmp_path: Path) -> None:
    for argv in (
        ["export", "res.partner", "-o", str(tmp_path)],
        ["import", "res.partner", str(tmp_path), "--key", "ref"],
    ):
        result = small.run(*argv)
        assert result.returncode == 2, result.stderr  # click's own check, before the job
        assert f"'{tmp_path}' is a directory" in result.stderr
    assert small.fake.calls == []


# -- Ctrl-C and kill ----------------------------------------------------------------


def stop_when_held(
    served: Served, argv: list[str], method: str, number: int, sig: signal.Signals
) -> subprocess.CompletedProcess[str]:
    """Run the command, send ``sig`` once the double holds its ``number``-th
    ``method`` call (the job is mid-way for sure), and return what it left."""
    arrived, let_go = hold_on_call(served.fake, method, number)
    proc = served.popen(*argv)
    try:
        assert arrived.wait(TIMEOUT), f"the job never made its {method} call {number}"
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        let_go()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def command_in(message: str, after: str) -> list[str]:
    """The command the message says to run (after ``after``), runnable here."""
    argv = shlex.split(message.split(after, 1)[1].strip())
    assert argv[0] == "odoo-async"
    assert EXE is not None
    return [EXE, *argv[1:]]


STOPS = [(signal.SIGINT, "Ctrl-C", 130), (signal.SIGTERM, "SIGTERM", 143)]


@pytest.mark.parametrize(("sig", "said", "status"), STOPS, ids=["SIGINT", "SIGTERM"])
def test_a_stopped_export_says_what_is_safe_and_how_to_resume(
    small: Served, tmp_path: Path, sig: signal.Signals, said: str, status: int
) -> None:
    out = tmp_path / "partners.jsonl"
    argv = ["export", "res.partner", "--fields", "name", "-o", str(out), "--page-size", "300"]
    # the first and last pages go at once, then the windows: the 3rd comes once
    # the first page is on disk
    stopped = stop_when_held(small, argv, "search_read", 3, sig)
    assert stopped.returncode == status, stopped.stderr
    message = stopped.stderr.strip()
    assert message.startswith(
        f"interrupted ({said}); 300 rows are safe in {out} (checkpoint {out}.checkpoint); "
        "to go on from there: odoo-async export res.partner"
    ), message
    assert [r["id"] for r in jsonl(out)] == sorted(truth(small))[:300]

    resumed = subprocess.run(
        command_in(message, "to go on from there:"),
        env=small.env(), capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )  # fmt: skip
    assert "(300 before the resume)" in ok(resumed)
    assert [r["id"] for r in jsonl(out)] == sorted(truth(small))


def test_a_job_stopped_during_its_login_says_so_in_one_line(small: Served, tmp_path: Path) -> None:
    out = tmp_path / "p.jsonl"
    argv = ["export", "res.partner", "--fields", "name", "-o", str(out)]
    with small.fake.hold() as held:
        proc = small.popen(*argv)
        try:
            asyncio.run(held.requests(1))  # the login has arrived, and waits
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=TIMEOUT)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert proc.returncode == 143
    assert err == (
        f"interrupted (SIGTERM); nothing was exported yet; to start: odoo-async export "
        f"res.partner --fields name -o {out}\n"
    )  # and no "Task exception was never retrieved" from the requests cut short
    assert not out.exists()


def test_a_killed_sync_says_the_state_is_unchanged(small: Served, tmp_path: Path) -> None:
    state, out = tmp_path / "p.state", tmp_path / "p.jsonl"
    argv = ["sync", "res.partner", "--fields", "name", "--state", str(state), "-o", str(out),
            "--page-size", "300"]  # fmt: skip
    stopped = stop_when_held(small, argv, "search_read", 2, signal.SIGTERM)
    assert stopped.returncode == 143, stopped.stderr
    message = stopped.stderr.strip()
    assert message.startswith(
        f"interrupted (SIGTERM); no state file was written ({state}), so no change is lost: "
        f"the next run exports again the rows written to {out} so far; to go on: odoo-async sync"
    ), message
    assert not state.exists()
    again = subprocess.run(
        [*command_in(message, "to go on:"), "--json"],
        env=small.env(), capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )  # fmt: skip
    assert json.loads(ok(again))["changed"] == len(truth(small))


def test_an_interrupted_import_says_what_is_settled(small: Served, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("ref,name\n" + "".join(f"INT-{i},Name {i}\n" for i in range(500)))
    argv = ["import", "res.partner", str(source), "--key", "ref", "--batch-size", "100",
            "--concurrency", "1"]  # fmt: skip
    stopped = stop_when_held(small, argv, "create", 2, signal.SIGINT)
    assert stopped.returncode == 130, stopped.stderr
    message = stopped.stderr.strip()
    assert message.startswith(
        f"interrupted (Ctrl-C); 100 records of {source} settled in Odoo so far (created, "
        "updated or found unchanged), 100 more were in flight and may have landed (the next "
        "run finds those); to go on, run the same command again (the settled ones are found "
        "unchanged): odoo-async import"
    ), message
    again = subprocess.run(
        [*command_in(message, "found unchanged):"), "--json"],
        env=small.env(), capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )  # fmt: skip
    report = json.loads(ok(again))
    created = small.odoo("res.partner", "search_count", [["ref", "=like", "INT-%"]])
    assert created == 500
    assert report["unchanged"] >= 100
    assert report["created"] + report["unchanged"] == 500


# -- a checkpoint or state of another job -------------------------------------------


def test_a_checkpoint_of_another_export_says_what_differs(small: Served, tmp_path: Path) -> None:
    out = tmp_path / "p.jsonl"
    ok(small.run("export", "res.partner", "--fields", "name", "-o", str(out)))
    result = small.run(
        "export", "res.partner", "--fields", "name,email", "-o", str(out), "--resume",
        "--domain", '[["is_company", "=", true]]',
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == (
        f"error: {out}.checkpoint was made by another export: "
        'domain was [], now [["is_company", "=", true]]; '
        'fields was ["id", "name"], now ["id", "name", "email"]; '
        "to go on with it, resume with what it was made with (each 'was' above); "
        f"to start over, export without resume (it rewrites {out} and the checkpoint) "
        f"or delete {out}.checkpoint\n"
    )


def test_a_state_of_another_sync_says_what_differs(small: Served, tmp_path: Path) -> None:
    state, out = tmp_path / "p.state", tmp_path / "p.jsonl"
    base = ("sync", "--fields", "name", "--state", str(state), "-o", str(out))
    ok(small.run(*base, "res.partner"))
    result = small.run(*base, "res.country")
    assert result.returncode == 1
    assert result.stderr == (
        f'error: {state} was made by another sync: model was "res.partner", '
        f'now "res.country"; to start over, delete {state} (the next run exports every row) '
        "or give another state file\n"
    )


def _bytes_waiting(pipe: io.BufferedReader | io.TextIOWrapper) -> int:
    return int(struct.unpack("i", fcntl.ioctl(pipe.fileno(), termios.FIONREAD, b"\0" * 4))[0])


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_export_to_a_full_pipe_stopped_mid_page_prints_whole_lines(
    small: Served, sig: signal.Signals
) -> None:
    # Pages of 500 rows are ~100 KB each: more than a pipe holds, so the first
    # page's write blocks until the reader reads, and the signal lands in it.
    proc = small.popen("export", "res.partner", "-o", "-", "--page-size", "500")
    try:
        assert proc.stdout is not None
        filled = 0
        while proc.poll() is None and filled < 65536:  # the pipe is full: the write blocks
            filled = _bytes_waiting(proc.stdout)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert out.endswith("\n")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == sorted(truth(small))[: len(rows)]
    if proc.returncode == 0:  # the pages left were on their way: the export finished
        assert len(rows) == len(truth(small)), err
    else:
        assert proc.returncode in (130, 143), err
        assert "the rows printed so far are whole lines" in err, err


def test_an_export_stopped_by_a_server_error_says_what_is_safe_and_how_to_resume(
    small: Served, tmp_path: Path
) -> None:
    out = tmp_path / "partners.jsonl"
    # --outage 0: an HTML 500 page counts as the server going away, and is not waited for
    argv = ["export", "res.partner", "--fields", "name", "-o", str(out), "--page-size", "300",
            "--outage", "0"]  # fmt: skip
    arrived, let_go = hold_on_call(small.fake, "search_read", 3)
    proc = small.popen(*argv)
    try:
        assert arrived.wait(TIMEOUT), "the export never made its 3rd search_read"
        small.fake.inject("html_500", method="search_read")  # every later page fails
        let_go()
        _, err = proc.communicate(timeout=TIMEOUT)
    finally:
        let_go()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 1
    message = err.strip().splitlines()[-1]  # after the job's warnings
    assert message.startswith("error: HTTP 500"), err
    safe = len(jsonl(out))
    assert safe > 0
    assert (
        f"; {safe:,} rows are safe in {out} (checkpoint {out}.checkpoint); to go on from "
        "there once the server answers: odoo-async export res.partner"
    ) in message

    small.fake.clear_faults()
    resumed = subprocess.run(
        command_in(message, "once the server answers:"),
        env=small.env(), capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )  # fmt: skip
    assert f"({safe:,} before the resume)" in ok(resumed)
    assert [r["id"] for r in jsonl(out)] == sorted(truth(small))


def test_an_export_to_a_reader_that_goes_away_stops_quietly(small: Served) -> None:
    proc = small.popen("export", "res.partner", "-o", "-")  # ~400 KB: more than a pipe holds
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        proc.stdout.close()  # as `| head -1` does
        _, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert json.loads(first)["id"] == min(truth(small))
    assert (proc.returncode, err) == (141, "")
