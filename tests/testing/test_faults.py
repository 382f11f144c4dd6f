"""Fault injection, the concurrency cap, the call log and reset(), in-process and over loopback."""

from __future__ import annotations

import asyncio
import xmlrpc.client
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx
import pytest

from odoo_async.testing import FakeOdoo, FaultRule

DB = "odoo"
WERKZEUG_500 = (
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">\n'
    "<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n"
    "<p>The server encountered an internal error and was unable to complete your request."
    " Either the server is overloaded or there is an error in the application.</p>\n"
)


def envelope(service: str, method: str, *args: Any) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {"service": service, "method": method, "args": list(args)},
        "id": 1,
    }


def kw(model: str, method: str, *args: Any, password: str = "admin") -> dict[str, Any]:
    return envelope("object", "execute_kw", DB, 2, password, model, method, *args)


COUNT = kw("res.partner", "search_count", [[]])
CREATE = kw("res.partner", "create", [{"name": "Injected"}])


async def count_partners(http: httpx.AsyncClient) -> int:
    reply = await http.post("/jsonrpc", json=COUNT)
    result = reply.json()["result"]
    assert isinstance(result, int)
    return result


@pytest.fixture
async def http(fake_odoo: FakeOdoo) -> AsyncIterator[httpx.AsyncClient]:
    transport = fake_odoo.transport()
    async with httpx.AsyncClient(transport=transport, base_url="http://odoo.test") as client:
        yield client


@pytest.fixture
async def tcp(fake_odoo_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=fake_odoo_url) as client:
        yield client


# --- HTTP-level faults ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "status", "title"),
    [
        ("429", 429, "429 Too Many Requests"),
        ("502", 502, "502 Bad Gateway"),
        ("503", 503, "503 Service Temporarily Unavailable"),
        ("504", 504, "504 Gateway Time-out"),
    ],
)
async def test_proxy_statuses(
    fake_odoo: FakeOdoo, http: httpx.AsyncClient, kind: Any, status: int, title: str
) -> None:
    before = await count_partners(http)
    rule = fake_odoo.inject(kind, times=1)

    reply = await http.post("/jsonrpc", json=CREATE)

    assert reply.status_code == status
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    assert f"<title>{title}</title>" in reply.text
    assert "retry-after" not in reply.headers
    assert rule.hits == 1
    assert fake_odoo.calls[-1].fault == kind
    assert await count_partners(http) == before  # the create did not run


@pytest.mark.parametrize(
    ("retry_after", "header"),
    [(3, "3"), (0.5, "0.5"), ("Wed, 21 Oct 2026 07:28:00 GMT", "Wed, 21 Oct 2026 07:28:00 GMT")],
)
async def test_429_retry_after(
    fake_odoo: FakeOdoo, http: httpx.AsyncClient, retry_after: float | str, header: str
) -> None:
    fake_odoo.inject("429", retry_after=retry_after)

    reply = await http.post("/jsonrpc", json=COUNT)

    assert reply.status_code == 429
    assert reply.headers["retry-after"] == header


async def test_html_500(fake_odoo: FakeOdoo, http: httpx.AsyncClient) -> None:
    fake_odoo.inject("html_500", times=1)

    reply = await http.post("/jsonrpc", json=COUNT)
    again = await http.post("/jsonrpc", json=COUNT)

    assert reply.status_code == 500
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    assert reply.text == WERKZEUG_500
    assert again.status_code == 200


async def test_drop_in_process(fake_odoo: FakeOdoo, http: httpx.AsyncClient) -> None:
    before = await count_partners(http)
    fake_odoo.inject("drop", times=1, method="create")

    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        await http.post("/jsonrpc", json=CREATE)

    assert await count_partners(http) == before  # dropped before it ran
    assert [call.fault for call in fake_odoo.calls if call.method == "create"] == ["drop"]


async def test_lost_runs_the_call_then_closes_without_a_reply(
    fake_odoo: FakeOdoo, http: httpx.AsyncClient
) -> None:
    before = await count_partners(http)
    fake_odoo.inject("lost", times=1, method="create")

    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        await http.post("/jsonrpc", json=CREATE)

    assert await count_partners(http) == before + 1  # it ran: only the reply was lost
    assert [call.fault for call in fake_odoo.calls if call.method == "create"] == ["lost"]


async def test_lost_over_loopback(fake_odoo: FakeOdoo, tcp: httpx.AsyncClient) -> None:
    before = fake_odoo.database.execute_kw(2, "res.partner", "search_count", [[]], {})
    fake_odoo.inject("lost", times=1, method="create")

    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        await tcp.post("/jsonrpc", json=CREATE)

    after = fake_odoo.database.execute_kw(2, "res.partner", "search_count", [[]], {})
    assert after == before + 1


async def test_slow_reply_runs_the_call_then_waits(
    fake_odoo: FakeOdoo, http: httpx.AsyncClient
) -> None:
    before = await count_partners(http)
    fake_odoo.inject("slow", delay=30.0, method="create")

    with pytest.raises(httpx.ReadTimeout):
        await http.post("/jsonrpc", json=CREATE, timeout=httpx.Timeout(5.0, read=0.01))

    assert await count_partners(http) == before + 1  # the write happened, the reply was late
    assert fake_odoo.current_requests == 0


async def test_slow_reply_arrives(fake_odoo: FakeOdoo, http: httpx.AsyncClient) -> None:
    fake_odoo.inject("slow", delay=0.01, times=1)

    reply = await http.post("/jsonrpc", json=COUNT)

    assert reply.status_code == 200
    assert isinstance(reply.json()["result"], int)


async def test_concurrency_fault_json(fake_odoo: FakeOdoo, http: httpx.AsyncClient) -> None:
    before = await count_partners(http)
    fake_odoo.inject("concurrency", times=1, model="res.partner", method="create")

    reply = await http.post("/jsonrpc", json=CREATE)

    assert reply.status_code == 200
    error = reply.json()["error"]
    assert error["code"] == 200
    assert error["data"]["name"] == "psycopg2.errors.SerializationFailure"
    assert error["data"]["message"] == "could not serialize access due to concurrent update\n"
    assert error["data"]["debug"].endswith(
        "psycopg2.errors.SerializationFailure: could not serialize access due to concurrent"
        " update\n\n"
    )
    assert await count_partners(http) == before  # rolled back


async def test_concurrency_fault_xmlrpc(fake_odoo: FakeOdoo, http: httpx.AsyncClient) -> None:
    fake_odoo.inject("concurrency", times=1)
    body = xmlrpc.client.dumps((DB, 2, "admin", "res.partner", "search_count", [[]]), "execute_kw")

    reply = await http.post("/xmlrpc/2/object", content=body, headers={"content-type": "text/xml"})

    with pytest.raises(xmlrpc.client.Fault) as caught:
        xmlrpc.client.loads(reply.content)
    assert caught.value.faultCode == 1
    assert "SerializationFailure: could not serialize access" in caught.value.faultString


async def test_concurrency_fault_web_session(fake_odoo: FakeOdoo, http: httpx.AsyncClient) -> None:
    auth = {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {"db": DB, "login": "admin", "password": "admin"},
        "id": 1,
    }
    assert (await http.post("/web/session/authenticate", json=auth)).json()["result"]["uid"] == 2
    fake_odoo.inject("concurrency", method="write")
    params = {"model": "res.partner", "method": "write", "args": [[1], {"name": "x"}], "kwargs": {}}

    reply = await http.post(
        "/web/dataset/call_kw/res.partner/write",
        json={"jsonrpc": "2.0", "method": "call", "params": params, "id": 9},
    )

    assert reply.json()["id"] == 9
    assert reply.json()["error"]["data"]["name"] == "psycopg2.errors.SerializationFailure"


# --- which calls a rule hits -----------------------------------------------------------


async def test_times_then_normal(fake_odoo: FakeOdoo, http: httpx.AsyncClient) -> None:
    rule = fake_odoo.inject("503", times=2)

    statuses = [(await http.post("/jsonrpc", json=COUNT)).status_code for _ in range(4)]

    assert statuses == [503, 503, 200, 200]
    assert rule.hits == 2
    assert rule.exhausted


async def test_filters_by_model_and_method(fake_odoo: FakeOdoo, http: httpx.AsyncClient) -> None:
    fake_odoo.inject("503", model="res.partner", method="create")

    assert (await http.post("/jsonrpc", json=COUNT)).status_code == 200
    assert (await http.post("/jsonrpc", json=kw("res.users", "create", [{}]))).status_code == 200
    assert (await http.post("/jsonrpc", json=CREATE)).status_code == 503


async def test_method_filter_matches_service_methods(
    fake_odoo: FakeOdoo, http: httpx.AsyncClient
) -> None:
    fake_odoo.inject("502", method="authenticate")

    login = await http.post(
        "/jsonrpc", json=envelope("common", "authenticate", DB, "admin", "admin", {})
    )
    version = await http.post("/jsonrpc", json=envelope("common", "version"))

    assert login.status_code == 502
    assert version.status_code == 200


async def test_first_matching_rule_wins(fake_odoo: FakeOdoo, http: httpx.AsyncClient) -> None:
    fake_odoo.inject("502", times=1)
    fake_odoo.inject("504", times=1)

    statuses = [(await http.post("/jsonrpc", json=COUNT)).status_code for _ in range(3)]

    assert statuses == [502, 504, 200]


async def statuses_with_rate(seed: int, n: int) -> list[int]:
    fake = FakeOdoo(seed=seed)
    fake.inject("503", rate=0.3)
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://odoo.test") as http:
        return [(await http.post("/jsonrpc", json=COUNT)).status_code for _ in range(n)]


async def test_rate_is_a_share_and_repeatable() -> None:
    first = await statuses_with_rate(seed=7, n=200)
    second = await statuses_with_rate(seed=7, n=200)

    assert first == second
    assert set(first) == {200, 503}
    assert 20 <= first.count(503) <= 100


def test_rule_validation() -> None:
    fake = FakeOdoo()
    with pytest.raises(ValueError, match="unknown fault kind"):
        fake.inject("418")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rate"):
        fake.inject("503", rate=1.5)
    with pytest.raises(ValueError, match="delay"):
        fake.inject("slow")
    assert fake.faults == []
    rule = fake.inject("429", times=3, retry_after=2)
    assert isinstance(rule, FaultRule)
    assert repr(rule) == "FaultRule('429', times=3, retry_after=2, hits=0)"


async def test_clear_faults(fake_odoo: FakeOdoo, http: httpx.AsyncClient) -> None:
    fake_odoo.inject("503")
    fake_odoo.clear_faults()

    assert (await http.post("/jsonrpc", json=COUNT)).status_code == 200


# --- the concurrency cap ----------------------------------------------------------------


async def fire(http: httpx.AsyncClient, n: int) -> list[int]:
    statuses: list[int] = []

    async def one() -> None:
        statuses.append((await http.post("/jsonrpc", json=COUNT)).status_code)

    async with anyio.create_task_group() as group:
        for _ in range(n):
            group.start_soon(one)
    return sorted(statuses)


async def test_concurrency_cap_in_process() -> None:
    fake = FakeOdoo(max_concurrent_requests=2, latency=0.2)
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://odoo.test") as http:
        statuses = await fire(http, 5)
        overload = await http.post("/jsonrpc", json=COUNT)

    assert statuses == [200, 200, 500, 500, 500]
    assert fake.rejected_requests == 3
    assert fake.peak_requests == 5
    assert fake.current_requests == 0
    assert overload.status_code == 200
    assert [call.fault for call in fake.calls].count("overloaded") == 3


async def fire_held(fake: FakeOdoo, http: httpx.AsyncClient, n: int) -> list[int]:
    """``n`` requests in flight at once for sure: the double holds its replies until all arrived."""
    with fake.hold() as held:
        calls = [asyncio.ensure_future(http.post("/jsonrpc", json=COUNT)) for _ in range(n)]
        await held.requests(n)
    return sorted(reply.status_code for reply in await asyncio.gather(*calls))


async def test_concurrency_cap_page() -> None:
    fake = FakeOdoo(max_concurrent_requests=1)
    transport = fake.transport()
    async with httpx.AsyncClient(transport=transport, base_url="http://odoo.test") as http:
        with fake.hold() as held:
            first = asyncio.ensure_future(http.post("/jsonrpc", json=COUNT))
            await held.requests(1)
            reply = await http.post("/jsonrpc", json=COUNT)
        assert (await first).status_code == 200

    assert reply.status_code == 500
    assert reply.text == WERKZEUG_500


# --- over loopback ---------------------------------------------------------------------


async def test_drop_over_loopback(fake_odoo: FakeOdoo, tcp: httpx.AsyncClient) -> None:
    fake_odoo.inject("drop", times=1)

    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        await tcp.post("/jsonrpc", json=COUNT)
    reply = await tcp.post("/jsonrpc", json=COUNT)

    assert reply.status_code == 200
    assert fake_odoo.connections == 2  # the dropped connection was not reused


async def test_429_over_loopback(fake_odoo: FakeOdoo, tcp: httpx.AsyncClient) -> None:
    fake_odoo.inject("429", times=1, retry_after=7)

    reply = await tcp.post("/jsonrpc", json=COUNT)

    assert reply.status_code == 429
    assert reply.headers["retry-after"] == "7"
    assert reply.headers["content-type"] == "text/html; charset=utf-8"


async def test_html_500_over_loopback(fake_odoo: FakeOdoo, tcp: httpx.AsyncClient) -> None:
    fake_odoo.inject("html_500", times=1)

    reply = await tcp.post("/jsonrpc", json=COUNT)

    assert reply.status_code == 500
    assert reply.text == WERKZEUG_500


async def test_concurrency_cap_over_loopback() -> None:
    fake = FakeOdoo(max_concurrent_requests=2)
    async with fake.serve() as url, httpx.AsyncClient(base_url=url) as http:
        statuses = await fire_held(fake, http, 6)

    assert statuses == [200, 200, 500, 500, 500, 500]
    assert fake.rejected_requests == 4
    assert fake.peak_connections == 6


async def test_concurrency_fault_over_loopback(fake_odoo: FakeOdoo, tcp: httpx.AsyncClient) -> None:
    fake_odoo.inject("concurrency", times=1)

    reply = await tcp.post("/jsonrpc", json=COUNT)

    assert reply.json()["error"]["data"]["name"] == "psycopg2.errors.SerializationFailure"


# --- the call log and reset ------------------------------------------------------------


async def test_call_log(fake_odoo: FakeOdoo, http: httpx.AsyncClient) -> None:
    fake_odoo.add_api_key(2, "k3y-S3cret")
    await http.post(
        "/jsonrpc", json=envelope("common", "authenticate", DB, "admin", "k3y-S3cret", {})
    )
    await http.post(
        "/jsonrpc",
        json=kw(
            "res.partner",
            "search_read",
            [[]],
            {"fields": ["name"], "limit": 2},
            password="k3y-S3cret",
        ),
    )
    await http.post("/jsonrpc", json=kw("res.partner", "search_count", [[]], password="k3y-S3cret"))

    login, search_read, search_count = fake_odoo.calls
    assert login.endpoint == "/jsonrpc"
    assert login.service == "common"
    assert login.method == "authenticate"
    assert login.args == [DB, "admin", "***", {}]
    assert search_read.service == "object"
    assert (search_read.model, search_read.method, search_read.uid) == (
        "res.partner",
        "search_read",
        2,
    )
    assert search_read.args == [[]]
    assert search_read.kwargs == {"fields": ["name"], "limit": 2}
    assert search_count.fault is None
    assert "k3y-S3cret" not in repr(fake_odoo.calls)
    assert fake_odoo.count() == 3
    assert fake_odoo.count(model="res.partner") == 2
    assert fake_odoo.count("res.partner", "search_read") == 1
    assert fake_odoo.count(method="authenticate") == 1


async def test_call_log_of_web_and_xmlrpc_calls(
    fake_odoo: FakeOdoo, http: httpx.AsyncClient
) -> None:
    auth = {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {"db": DB, "login": "admin", "password": "admin"},
        "id": 1,
    }
    await http.post("/web/session/authenticate", json=auth)
    params = {"model": "res.partner", "method": "read", "args": [[1], ["name"]], "kwargs": {}}
    await http.post(
        "/web/dataset/call_kw/res.partner/read",
        json={"jsonrpc": "2.0", "method": "call", "params": params, "id": 2},
    )
    body = xmlrpc.client.dumps((DB, 2, "admin", "res.partner", "search_count", [[]]), "execute_kw")
    await http.post("/xmlrpc/2/object", content=body, headers={"content-type": "text/xml"})

    web_login, call_kw, xml_call = fake_odoo.calls
    assert (web_login.endpoint, web_login.method, web_login.args) == (
        "/web/session/authenticate",
        "authenticate",
        [DB, "admin", "***"],
    )
    assert (call_kw.endpoint, call_kw.model, call_kw.method, call_kw.uid) == (
        "/web/dataset/call_kw",
        "res.partner",
        "read",
        2,
    )
    assert call_kw.args == [[1], ["name"]]
    assert (xml_call.endpoint, xml_call.service, xml_call.method) == (
        "/xmlrpc/2/object",
        "object",
        "search_count",
    )


async def test_reset(fake_odoo: FakeOdoo, http: httpx.AsyncClient) -> None:
    before = await count_partners(http)
    await http.post("/jsonrpc", json=CREATE)
    fake_odoo.inject("503", method="unlink")
    assert await count_partners(http) == before + 1

    fake_odoo.reset()

    assert fake_odoo.calls == []
    assert fake_odoo.faults == []
    assert fake_odoo.requests == 0
    assert fake_odoo.peak_requests == 0
    assert await count_partners(http) == before
    assert (await http.post("/jsonrpc", json=kw("res.partner", "unlink", [[]]))).status_code == 200


async def test_reset_keeps_api_keys_and_drops_sessions(
    fake_odoo: FakeOdoo, http: httpx.AsyncClient
) -> None:
    fake_odoo.add_api_key(2, "k3y-S3cret")
    auth = {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {"db": DB, "login": "admin", "password": "admin"},
        "id": 1,
    }
    await http.post("/web/session/authenticate", json=auth)

    fake_odoo.reset()

    info = await http.post(
        "/web/session/get_session_info",
        json={"jsonrpc": "2.0", "method": "call", "params": {}, "id": 1},
    )
    assert info.json()["error"]["code"] == 100
    login = await http.post("/jsonrpc", json=envelope("common", "login", DB, "admin", "k3y-S3cret"))
    assert login.json()["result"] == 2


async def test_expire_sessions(fake_odoo: FakeOdoo, http: httpx.AsyncClient) -> None:
    auth = {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {"db": DB, "login": "admin", "password": "admin"},
        "id": 1,
    }
    await http.post("/web/session/authenticate", json=auth)
    call = {"jsonrpc": "2.0", "method": "call", "params": {}, "id": 1}
    assert "result" in (await http.post("/web/session/get_session_info", json=call)).json()

    fake_odoo.expire_sessions()

    expired = (await http.post("/web/session/get_session_info", json=call)).json()
    assert expired["error"]["data"]["name"] == "odoo.http.SessionExpiredException"
    assert expired["id"] is None
