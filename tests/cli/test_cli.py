"""The ``odoo-async`` command: the installed entry point, in a subprocess, against
the test double served over loopback TCP from this process."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from odoo_async import __version__
from odoo_async.testing import FakeOdoo
from odoo_async.testing._serve import LoopbackServer

EXE = shutil.which("odoo-async", path=str(Path(sys.executable).parent))
TIMEOUT = 120
FIELDS = "name,email,ref,country_id,category_id,is_company,write_date"


def test_the_entry_point_is_installed() -> None:
    assert EXE is not None, "odoo-async is not installed next to this Python"


class Served:
    """A FakeOdoo on loopback, and the command run against it."""

    def __init__(self, fake: FakeOdoo, url: str) -> None:
        self.fake = fake
        self.url = url

    def env(self, **changes: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ODOO_")}
        env.update(ODOO_URL=self.url, ODOO_DB="odoo", ODOO_USERNAME="admin", ODOO_PASSWORD="admin")
        env.update(changes)
        return env

    def run(
        self, *args: str, env: dict[str, str] | None = None, input: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        assert EXE is not None
        return subprocess.run(
            [EXE, *args],
            env=env or self.env(),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            input=input,
            stdin=subprocess.DEVNULL if input is None else None,
            check=False,
        )

    def popen(self, *args: str) -> subprocess.Popen[str]:
        assert EXE is not None
        return subprocess.Popen(
            [EXE, *args],
            env=self.env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def odoo(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        """A call straight into the double's database, as admin (no HTTP)."""
        return self.fake.database.execute_kw(2, model, method, list(args), kwargs)


@pytest.fixture(scope="module")
def big() -> Iterator[Served]:
    """20,000 generated partners, read-only for the tests that use it."""
    yield from _serve(FakeOdoo(partners=20_000))


@pytest.fixture(scope="module")
def shared() -> Iterator[Served]:
    """2,000 generated partners, for the tests that change nothing."""
    yield from _serve(FakeOdoo(partners=2_000))


@pytest.fixture
def small() -> Iterator[Served]:
    """2,000 generated partners, for one test."""
    yield from _serve(FakeOdoo(partners=2_000))


def _serve(fake: FakeOdoo) -> Iterator[Served]:
    server = LoopbackServer(fake)
    server.start()
    try:
        yield Served(fake, server.url)
    finally:
        server.stop()


def ok(result: subprocess.CompletedProcess[str], status: int = 0) -> str:
    assert result.returncode == status, result.stderr
    return result.stdout


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def truth(served: Served, domain: list[Any] | None = None) -> dict[int, dict[str, Any]]:
    rows = served.odoo("res.partner", "search_read", domain or [], FIELDS.split(","))
    return {row["id"]: row for row in rows}


# -- version, call ------------------------------------------------------------------


def test_version(shared: Served) -> None:
    assert __version__ in ok(shared.run("version"))
    assert json.loads(ok(shared.run("version", "--json")))["odoo_async"] == __version__


def test_call_prints_json(shared: Served) -> None:
    out = ok(shared.run("call", "res.partner", "search_count", '[[["is_company", "=", true]]]'))
    assert json.loads(out) == shared.odoo(
        "res.partner", "search_count", [["is_company", "=", True]]
    )


API_KEY = "k-cli-0123456789"
ENDPOINTS = {
    "jsonrpc": {"/jsonrpc"},
    "xmlrpc": {"/xmlrpc/2/common", "/xmlrpc/2/object"},
    "web": {"/web/session/authenticate", "/web/dataset/call_kw"},
    "json2": {"/json/2"},
}


@pytest.fixture(scope="module")
def odoo19() -> Iterator[Served]:
    """An Odoo 19 double (JSON-2 on) with an API key for admin."""
    yield from _serve(FakeOdoo(partners=300, version="19.0", api_keys={2: API_KEY}))


def _secret_for(protocol: str) -> dict[str, str]:
    return {"ODOO_API_KEY": API_KEY, "ODOO_PASSWORD": ""} if protocol == "json2" else {}


@pytest.mark.parametrize("protocol", sorted(ENDPOINTS))
def test_call_speaks_the_protocol_asked_for(odoo19: Served, protocol: str) -> None:
    odoo19.fake.clear_calls()
    out = ok(
        odoo19.run(
            "call", "--protocol", protocol, "res.partner", "search_count", "[[]]",
            env=odoo19.env(**_secret_for(protocol)),
        )
    )  # fmt: skip
    assert json.loads(out) == odoo19.odoo("res.partner", "search_count", [])
    assert {c.endpoint for c in odoo19.fake.calls} == ENDPOINTS[protocol]


@pytest.mark.parametrize("protocol", sorted(ENDPOINTS))
def test_every_command_takes_odoo_protocol(odoo19: Served, tmp_path: Path, protocol: str) -> None:
    env = odoo19.env(ODOO_PROTOCOL=protocol, **_secret_for(protocol))
    source = write(tmp_path / "in.csv", "ref,name\nPROTO-1,Proto One\n")
    commands = [
        ["export", "res.partner", "--fields", "name", "-o", str(tmp_path / "e.jsonl")],
        ["sync", "res.partner", "--fields", "name", "--state", str(tmp_path / "s"),
         "-o", str(tmp_path / "s.jsonl")],
        ["import", "res.partner", source, "--key", "ref"],
        ["bench", "res.partner", "search_count", "[[]]", "-c", "2", "-n", "4"],
    ]  # fmt: skip
    for argv in commands:
        odoo19.fake.clear_calls()
        ok(odoo19.run(*argv, env=env))
        assert {c.endpoint for c in odoo19.fake.calls} == ENDPOINTS[protocol], argv[0]


def test_json2_with_a_password_is_refused(odoo19: Served, tmp_path: Path) -> None:
    odoo19.fake.clear_calls()
    for argv in (
        ["call", "--protocol", "json2", "res.partner", "search_count", "[[]]"],
        ["export", "res.partner", "-o", str(tmp_path / "x.jsonl")],
    ):
        result = odoo19.run(*argv, env=odoo19.env(ODOO_PROTOCOL="json2"))
        assert result.returncode == 1, result.stderr
        # the library's hint, spelled as the command takes it
        assert result.stderr.startswith("error: --protocol json2 needs ODOO_API_KEY:")
        assert "set ODOO_API_KEY, not ODOO_PASSWORD" in result.stderr
    assert odoo19.fake.calls == []  # refused before a single request


def test_retries_are_warned_of_and_logged_with_v(small: Served) -> None:
    argv = ["call", "res.partner", "search_count", "[[]]"]
    small.fake.inject("429", times=2, method="search_count", retry_after=0)
    quiet = small.run(*argv)
    count = str(small.odoo("res.partner", "search_count", []))
    assert ok(quiet).strip() == count
    # two retries: one warning line, the summary; the retries themselves are INFO
    assert quiet.stderr.count("warning: ") == 1, quiet.stderr
    assert "res.partner.search_count" in quiet.stderr
    assert "info: " not in quiet.stderr

    small.fake.inject("429", times=2, method="search_count", retry_after=0)
    told = small.run("-v", *argv)
    assert ok(told).strip() == count
    lines = told.stderr.splitlines()
    assert sum(line.startswith("info: res.partner.search_count attempt") for line in lines) == 2
    assert "admin" not in told.stderr  # no secret in the log

    every = small.run("-vv", *argv)
    assert "debug: res.partner.search_count ok in" in ok(every) + every.stderr


def test_messages_name_the_command_s_options_not_the_library_s() -> None:
    from odoo_async.cli._main import as_typed

    assert as_typed("use protocol='jsonrpc' (ODOO_PROTOCOL=jsonrpc)") == (
        "use --protocol jsonrpc (ODOO_PROTOCOL=jsonrpc)"
    )
    assert as_typed("check db= (ODOO_DB), the name") == "check --db (ODOO_DB), the name"
    assert as_typed("pass username= and password= or api_key= instead") == (
        "pass --user and ODOO_PASSWORD or ODOO_API_KEY instead"
    )
    assert as_typed("You can not remove the admin user") == "You can not remove the admin user"
    assert as_typed(
        "...; if the server's certificate comes from a private CA, give verify= the path of "
        "that CA's file, or set SSL_CERT_FILE to it"
    ) == (
        "...; if the server's certificate comes from a private CA, set SSL_CERT_FILE to the "
        "path of that CA's file"
    )
    assert as_typed("cannot reach the proxy http://h:3128 (from proxy=)") == (
        "cannot reach the proxy http://h:3128 (from --proxy)"
    )


# -- export -------------------------------------------------------------------------


def test_export_20000_rows_to_jsonl(big: Served, tmp_path: Path) -> None:
    out = tmp_path / "partners.jsonl"
    report = json.loads(
        ok(big.run("export", "res.partner", "--fields", FIELDS, "-o", str(out), "--json"))
    )
    expected = truth(big)
    rows = jsonl(out)
    assert report["rows"] == len(rows) == len(expected) >= 19_000
    assert [r["id"] for r in rows] == sorted(expected)
    # the plan the engine followed: one page alone, then what rows/s decided
    plan = report["plan"]
    assert (plan["strategy"], plan["first_page"]) == ("id windows", 1_000)
    assert plan["in_flight"] >= 1
    assert plan["page_size"] >= 500
    assert plan["steps"][0].startswith("1: ")
    for row in rows:
        want = expected[row["id"]]
        assert row["name"] == (want["name"] or None)
        assert row["email"] == (want["email"] or None)
        assert row["ref"] == (want["ref"] or None)
        assert row["is_company"] is want["is_company"]
        country = want["country_id"]
        assert row["country_id"] == ({"id": country[0], "name": country[1]} if country else None)
        assert row["category_id"] == want["category_id"]
        assert row["write_date"] == want["write_date"].replace(" ", "T") + "+00:00"


def test_export_20000_rows_to_csv(big: Served, tmp_path: Path) -> None:
    out = tmp_path / "partners.csv"
    ok(big.run("export", "res.partner", "--fields", FIELDS, "-o", str(out)))
    expected = truth(big)
    with open(out, newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == [
            "id", "name", "email", "ref", "country_id", "country_id.name",
            "category_id", "is_company", "write_date",
        ]  # fmt: skip
        rows = list(reader)
    assert [int(r["id"]) for r in rows] == sorted(expected)
    for row in rows:
        want = expected[int(row["id"])]
        assert row["name"] == (want["name"] or "")
        assert row["email"] == (want["email"] or "")
        assert row["is_company"] == ("true" if want["is_company"] else "false")
        country = want["country_id"]
        assert (row["country_id"], row["country_id.name"]) == (
            (str(country[0]), country[1]) if country else ("", "")
        )
        assert row["category_id"] == ",".join(map(str, want["category_id"]))


def test_progress_bar_on_a_terminal_and_none_with_json(shared: Served, tmp_path: Path) -> None:
    import pty

    assert EXE is not None
    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:  # a pty's buffer is small: keep reading until the writer is gone
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        result = subprocess.run(
            [EXE, "export", "res.partner", "--fields", "name", "-o", str(tmp_path / "p.jsonl")],
            env=shared.env(COLUMNS="120"),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=slave,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    finally:
        os.close(slave)
        reader.join(TIMEOUT)
        os.close(master)
    terminal = b"".join(chunks).decode(errors="replace")
    assert result.returncode == 0
    assert "export res.partner" in terminal
    assert "rows/s" in terminal
    assert "exported" in result.stdout  # the summary on stdout, the bar on the terminal
    quiet = shared.run(
        "export", "res.partner", "--fields", "name", "-o", str(tmp_path / "q.jsonl"), "--json"
    )
    assert ok(quiet).count("\n") == 1
    assert quiet.stderr == ""


def hold_on_call(
    fake: FakeOdoo, method: str, number: int
) -> tuple[threading.Event, Callable[[], None]]:
    """Make the double stop before answering its ``number``-th ``method`` call.

    Returns an event set when that call has arrived, and a function that lets it go.
    """
    arrived, release = threading.Event(), threading.Event()
    original = fake.database.execute_kw
    seen = 0

    def gated(uid: int, model: str, name: str, args: list[Any], kwargs: Any) -> Any:
        nonlocal seen
        if name == method:
            seen += 1
            if seen == number:
                arrived.set()
                release.wait(TIMEOUT)
        return original(uid, model, name, args, kwargs)

    fake.database.execute_kw = gated  # type: ignore[method-assign]

    def let_go() -> None:
        release.set()
        fake.database.execute_kw = original  # type: ignore[method-assign]

    return arrived, let_go


def test_a_killed_export_resumes_without_duplicates_or_gaps(small: Served, tmp_path: Path) -> None:
    out = tmp_path / "partners.jsonl"
    # The engine sends the first and the last page at once, writes the first, then
    # sends the windows between: the 3rd search_read comes once the first page is out.
    arrived, let_go = hold_on_call(small.fake, "search_read", 3)
    proc = small.popen(
        "export", "res.partner", "--fields", "name", "-o", str(out), "--page-size", "300"
    )
    try:
        assert arrived.wait(TIMEOUT), "the export never asked for its first window"
        proc.send_signal(signal.SIGKILL)  # the first page is out; killed waiting for more
        proc.wait(TIMEOUT)
    finally:
        let_go()
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert [r["id"] for r in jsonl(out)] == sorted(truth(small))[:300]

    report = json.loads(
        ok(
            small.run(
                "export",
                "res.partner",
                "--fields",
                "name",
                "-o",
                str(out),
                "--page-size",
                "300",
                "--resume",
                "--json",
            )
        )
    )
    assert report["resumed_from"] == 300
    assert [r["id"] for r in jsonl(out)] == sorted(truth(small))


# -- sync ---------------------------------------------------------------------------


def test_sync_exports_exactly_the_changed_rows(small: Served, tmp_path: Path) -> None:
    state, out = tmp_path / "state.json", tmp_path / "changes.jsonl"
    args = (
        "sync",
        "res.partner",
        "--fields",
        "name,email",
        "--state",
        str(state),
        "-o",
        str(out),
        "--json",
    )
    first = json.loads(ok(small.run(*args)))
    assert first["changed"] == len(truth(small))

    ids = sorted(truth(small))
    small.odoo("res.partner", "write", ids[100:110], {"email": "moved@example.com"})
    created = small.odoo("res.partner", "create", [{"name": "Fresh 1"}, {"name": "Fresh 2"}])
    small.odoo("res.partner", "unlink", ids[200:203])
    second = json.loads(ok(small.run(*args)))
    rows = jsonl(out)
    assert sorted(r["id"] for r in rows if not r.get("_deleted")) == sorted(
        [*ids[100:110], *created]
    )
    assert sorted(r["id"] for r in rows if r.get("_deleted")) == ids[200:203]
    assert all(r["email"] == "moved@example.com" for r in rows if r["id"] in ids[100:110])
    assert (second["changed"], second["deleted"]) == (12, 3)

    third = json.loads(ok(small.run(*args)))
    assert (third["changed"], third["deleted"], jsonl(out)) == (0, 0, [])


# -- import -------------------------------------------------------------------------


def contacts_csv(path: Path, n: int, bad: dict[int, tuple[str, str]], country: int) -> None:
    with open(path, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["ref", "name", "email", "country_id", "customer_rank"])
        for i in range(n):
            row = {"ref": f"IMP{i:05d}", "name": f"Imported {i}", "email": f"i{i}@example.com",
                   "country_id": str(country), "customer_rank": "1"}  # fmt: skip
            if i in bad:
                column, value = bad[i]
                row[column] = value
            out.writerow(row.values())


def test_import_lands_the_good_rows_and_rejects_the_bad(small: Served, tmp_path: Path) -> None:
    source, rejects = tmp_path / "contacts.csv", tmp_path / "rejects.jsonl"
    country = small.odoo("res.country", "search", [["code", "=", "BE"]])[0]
    bad = {
        7: ("name", ""),  # Odoo: contacts require a name
        1500: ("country_id", "999999"),  # Odoo: no such country
        2500: ("customer_rank", "many"),  # not an integer: refused before sending
        3500: ("ref", "IMP00010"),  # the key of line 12 again
        4999: ("country_id", "BE"),  # not a record id
    }
    contacts_csv(source, 5_000, bad, country)
    args = (
        "import",
        "res.partner",
        str(source),
        "--key",
        "ref",
        "--reject",
        str(rejects),
        "--json",
    )
    report = json.loads(ok(small.run(*args), status=3))
    assert (report["created"], report["updated"], report["unchanged"], report["failed"]) == (
        4995,
        0,
        0,
        5,
    )
    assert small.odoo("res.partner", "search_count", [["ref", "=like", "IMP%"]]) == 4995
    rejected = jsonl(rejects)
    assert [r["line"] for r in rejected] == sorted(i + 2 for i in bad)
    reasons = [r["reason"] for r in rejected]
    assert "require a name" in reasons[0]
    assert "country_id" in reasons[1]
    assert reasons[2] == "customer_rank: 'many' is not an integer"
    assert reasons[3] == "duplicate key: line 12 has the same ref"
    assert reasons[4] == "country_id: 'BE' is not a record id"
    assert rejected[2]["record"]["ref"] == "IMP02500"

    again = json.loads(ok(small.run(*args), status=3))
    assert (again["created"], again["updated"], again["unchanged"], again["failed"]) == (
        0,
        0,
        4995,
        5,
    )
    told = small.run(*args[:-1])  # without --json: what a person reads
    assert told.returncode == 3
    assert f"5 records failed (all in {rejects}):" in told.stderr, told.stderr
    one_bad = tmp_path / "one.csv"
    contacts_csv(one_bad, 2, {1: ("name", "")}, country)
    told = small.run("import", "res.partner", str(one_bad), "--key", "ref")
    assert "1 record failed (" in told.stderr, told.stderr


@pytest.mark.parametrize("load", [True, False])
def test_import_writes_changed_records_by_load_or_one_write_each(
    small: Served, tmp_path: Path, load: bool
) -> None:
    source = tmp_path / "contacts.jsonl"
    rows = [{"ref": f"LD{i:03d}", "name": f"Load {i}"} for i in range(40)]
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    ok(small.run("import", "res.partner", str(source), "--key", "ref"))
    changed = [{**r, "email": f"load{i}@example.com"} for i, r in enumerate(rows)]
    source.write_text("".join(json.dumps(r) + "\n" for r in changed))
    small.fake.clear_calls()
    flag = "--load" if load else "--no-load"
    report = json.loads(
        ok(small.run("import", "res.partner", str(source), "--key", "ref", flag, "--json"))
    )
    assert report["updated"] == 40
    assert small.fake.count("res.partner", "load") == (1 if load else 0)
    assert small.fake.count("res.partner", "write") == (0 if load else 40)
    emails = small.odoo("res.partner", "search_read", [["ref", "=like", "LD%"]], fields=["email"])
    assert sorted(r["email"] for r in emails) == sorted(r["email"] for r in changed)


# -- bench --------------------------------------------------------------------------


def test_bench_reports_injected_503s_as_errors_by_kind(small: Served) -> None:
    small.fake.inject("503", rate=0.05, method="search_count")
    out = ok(
        small.run("bench", "res.partner", "search_count", "[[]]", "-c", "4", "-n", "600", "--json")
    )
    result = json.loads(out)
    assert result["calls"] == 600
    assert set(result["errors"]) == {"HTTP 503"}
    assert result["errors"]["HTTP 503"] == result["failed"] > 0
    assert result["ok"] + result["failed"] == 600
    latency = result["latency_ms"]
    assert 0 < latency["p50"] <= latency["p95"] <= latency["p99"] <= latency["max"]
    assert small.fake.count(method="search_count") == 600  # not retried


def test_bench_where_every_call_fails_exits_3(small: Served) -> None:
    args = ("bench", "res.partner", "search_count", '[[["nofield", "=", 1]]]', "-n", "4")
    told = small.run(*args)
    assert told.returncode == 3, told.stderr
    assert "error: every call failed (4 of 4): nothing was measured" in told.stderr
    assert json.loads(ok(small.run(*args, "--json"), status=3))["ok"] == 0
    assert ok(small.run("bench", "res.partner", "search_count", "[[]]", "-n", "4"))


def test_bench_ramp_says_where_errors_start(small: Served) -> None:
    small.fake.max_concurrent_requests = 2  # more at once: HTTP 500, as a full database pool
    small.fake.latency = 0.005
    out = ok(
        small.run(
            "bench",
            "res.partner",
            "search_count",
            "[[]]",
            "-c",
            "1",
            "-n",
            "40",
            "--ramp",
            "16",
            "--json",
        )
    )
    ramp = json.loads(out)
    assert ramp["errors_start_at_concurrency"] in (4, 8, 16)
    first_failing = ramp["steps"][-1]
    assert first_failing["concurrency"] == ramp["errors_start_at_concurrency"]
    assert set(first_failing["errors"]) == {"HTTP 500"}
    assert first_failing["error_messages"]["HTTP 500"].startswith("HTTP 500")
    assert all(step["failed"] == 0 for step in ramp["steps"][:-1])
    held = [s for s in ramp["steps"] if s["failed"] / s["calls"] <= ramp["threshold"]]
    best = max(held, key=lambda s: s["calls_per_s"])  # the best step, not the first plateau
    assert ramp["best_concurrency"] == best["concurrency"]
    assert ramp["best_calls_per_s"] == best["calls_per_s"]


def test_bench_ramp_shows_each_error_kind_first_message_and_no_latency_without_success(
    small: Served,
) -> None:
    told = small.run(
        "bench", "res.partner", "search_count", '[[["nofield", "=", 1]]]',
        "-c", "1", "-n", "5", "--ramp", "4",
    )  # fmt: skip
    out = ok(told, status=3)  # not one call succeeded: nothing was measured
    assert "every call failed (5 of 5): nothing was measured" in told.stderr
    lines = out.splitlines()
    step = next(line for line in lines if line.strip().startswith("concurrency    1:"))
    assert "p99 -, errors 100.0%" in step
    row = next(line for line in lines if line.split("│")[0].strip() == "1")
    assert [cell.strip() for cell in row.split("│")[3:7]] == ["-", "-", "-", "-"]
    assert "0.0" not in row.split("│")[3]
    assert (
        "  builtins.ValueError x 5: first was Invalid field res.partner.nofield in leaf "
        "('nofield', '=', 1) [res.partner.search_count]"
    ) in lines
    assert "no step stayed within 1.0% errors" in lines
    assert "errors start at concurrency 1 (100.0% > 1.0%)" in lines


# -- bad input: one line, non-zero, no traceback ------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


BAD_INPUT: list[tuple[str, Callable[[Path], list[str]], dict[str, str], str]] = [
    ("unknown model", lambda d: ["export", "res.nothing", "-o", str(d / "x.jsonl")], {}, "res.nothing"),
    ("bad JSON domain", lambda d: ["export", "res.partner", "--domain", "[[", "-o", str(d / "x.jsonl")], {}, "--domain is not valid JSON"),
    ("Python domain", lambda d: ["export", "res.partner", "--domain", "[('is_company','=',True)]", "-o", str(d / "x.jsonl")], {}, """--domain is not valid JSON: Expecting value (column 2); this looks like Python: JSON takes double quotes and true/false/null, so write '[["is_company", "=", true]]'"""),
    ("Python leaf", lambda d: ["export", "res.partner", "--domain", "('is_company','=',True)", "-o", str(d / "x.jsonl")], {}, """so write '[["is_company", "=", true]]'"""),
    ("a URL of the web client", lambda d: ["call", "res.partner", "search_count", "[[]]"], {"ODOO_URL": "http://127.0.0.1:8069/odoo/contacts"}, "has a path of Odoo's own (/odoo)"),
    ("bad domain", lambda d: ["export", "res.partner", "--domain", '[["name"]]', "-o", str(d / "x.jsonl")], {}, "--domain"),
    ("not JSONL", lambda d: ["import", "res.partner", write(d / "x.jsonl", "ref,name\na,b\n"), "--key", "ref"], {}, "not a JSON Lines file"),
    ("unknown format", lambda d: ["import", "res.partner", write(d / "x.txt", "ref\n"), "--key", "ref"], {}, "--format jsonl or --format csv"),
    ("missing key column", lambda d: ["import", "res.partner", write(d / "x.csv", "name,email\na,b\n"), "--key", "ref"], {}, "no 'ref' column"),
    ("unknown column", lambda d: ["import", "res.partner", write(d / "x.csv", "ref,colour\na,b\n"), "--key", "ref"], {}, "no field 'colour'"),
    ("missing file", lambda d: ["import", "res.partner", str(d / "none.csv"), "--key", "ref"], {}, "none.csv"),
    ("wrong credentials", lambda d: ["call", "res.partner", "search_count", "[[]]"], {"ODOO_PASSWORD": "s3cret-wrong"}, "admin"),
    ("no secret", lambda d: ["call", "res.partner", "search_count", "[[]]"], {"ODOO_PASSWORD": ""}, "ODOO_PASSWORD"),
    ("unreachable", lambda d: ["call", "res.partner", "search_count", "[[]]"], {"ODOO_URL": f"http://127.0.0.1:{closed_port()}"}, "127.0.0.1"),
    ("bad call args", lambda d: ["call", "res.partner", "search_count", "{}"], {}, "ARGS_JSON must be a JSON list"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "argv", "env", "says"), BAD_INPUT, ids=[case[0] for case in BAD_INPUT]
)
def test_bad_input_is_one_clear_line(
    shared: Served,
    tmp_path: Path,
    name: str,
    argv: Callable[[Path], list[str]],
    env: dict[str, str],
    says: str,
) -> None:
    result = shared.run(*argv(tmp_path), env=shared.env(**env))
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert says in lines[0]
    assert "s3cret-wrong" not in result.stderr + result.stdout


def test_debug_shows_the_traceback(shared: Served, tmp_path: Path) -> None:
    result = shared.run(
        "--debug", "export", "res.partner", "--domain", "[[", "-o", str(tmp_path / "x.jsonl")
    )
    assert result.returncode == 1
    assert "Traceback" in result.stderr


# -- the double as a server, the demo -----------------------------------------------


@pytest.mark.parametrize("cost", ["none", "threaded", "prefork"])
def test_serve_fake_serves_until_stopped(shared: Served, cost: str) -> None:
    assert EXE is not None
    proc = subprocess.Popen(
        [EXE, "serve-fake", "--port", "0", "--partners", "10", "--cost", cost],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        out = ok(
            shared.run("call", "res.partner", "search_count", "[[]]", env=shared.env(ODOO_URL=url))
        )
        assert json.loads(out) == 10 + 36  # the generated ones and Odoo's active demo partners
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=TIMEOUT)
    assert ("costs of ServerCost" in err) is (cost != "none")


@pytest.mark.parametrize("version", ["18.0", "19.0"])
def test_serve_fake_answers_as_the_odoo_version_asked(shared: Served, version: str) -> None:
    assert EXE is not None
    proc = subprocess.Popen(
        [EXE, "serve-fake", "--port", "0", "--partners", "10", "--odoo-version", version],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        env = shared.env(ODOO_URL=proc.stdout.readline().strip())
        has_access = shared.run("call", "res.partner", "has_access", '[[1], "read"]', env=env)
        assert json.loads(ok(has_access)) is True  # from 18 on
        gone = shared.run("call", "res.partner", "name_get", "[[1]]", env=env)  # gone in 18
        assert gone.returncode == 1
        assert "name_get" in gone.stderr
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=TIMEOUT)
    assert f"FakeOdoo as Odoo {version}:" in err


def test_serve_fake_on_a_port_in_use_names_it() -> None:
    assert EXE is not None
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [EXE, "serve-fake", "--port", str(port), "--partners", "10"],
            capture_output=True, text=True, timeout=TIMEOUT, check=False,
        )  # fmt: skip
    assert (result.returncode, result.stderr) == (
        1,
        f"error: port {port} on 127.0.0.1 is in use (a running Odoo?): give another --port, "
        "or --port 0 for a free one\n",
    )


def test_the_worker_example_runs(small: Served, tmp_path: Path) -> None:
    example = Path(__file__).parents[2] / "examples" / "sync_worker.py"
    source = tmp_path / "contacts.csv"
    source.write_text("ref,name\nW1,Worker One\nW2,\n")
    result = subprocess.run(
        [
            sys.executable,
            str(example),
            str(source),
            "--state",
            str(tmp_path / "s"),
            "--out",
            str(tmp_path / "c.jsonl"),
        ],
        env=small.env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 1, result.stderr  # one contact refused
    assert "'created': 1" in result.stderr
    assert "line 3 (W2)" in result.stderr
    assert small.odoo("res.partner", "search_count", [["ref", "=", "W1"]]) == 1


def test_demo_runs_every_job_and_checks_itself(tmp_path: Path) -> None:
    assert EXE is not None
    result = subprocess.run(
        [EXE, "demo", "--partners", "1500", "--contacts", "300", "--dir", str(tmp_path), "--json"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    summary = json.loads(ok(result))
    assert all(summary["checks"].values()), summary["checks"]
    assert [s["step"] for s in summary["steps"]] == [
        "export", "sync (first run)", "sync (second run)", "import by ref", "import again",
    ]  # fmt: skip
    assert len(jsonl(tmp_path / "rejects.jsonl")) == 3
