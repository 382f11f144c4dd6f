"""FakeOdoo served over loopback TCP (uvicorn in a thread) and in-process; connection counting."""

from __future__ import annotations

import asyncio
import functools
import json
import select
import socket
import xmlrpc.client
from typing import Any

import anyio
import httpx
import pytest
from conftest import settle
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo_async.testing import FakeOdoo
from odoo_async.testing._serve import _peer_closed

DB = "odoo"
VERSION = {
    "jsonrpc": "2.0",
    "method": "call",
    "params": {"service": "common", "method": "version", "args": []},
    "id": 1,
}
AUTH = {
    "jsonrpc": "2.0",
    "method": "call",
    "params": {"db": DB, "login": "admin", "password": "admin"},
    "id": 1,
}


def call_kw(model: str, method: str, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    params = {"model": model, "method": method, "args": args, "kwargs": kwargs}
    return {"jsonrpc": "2.0", "method": "call", "params": params, "id": 3}


async def test_serve_answers_plain_httpx() -> None:
    fake = FakeOdoo()
    async with fake.serve() as url:
        assert url.startswith("http://127.0.0.1:")
        async with httpx.AsyncClient(base_url=url) as http:
            reply = await http.post("/jsonrpc", json=VERSION)

    assert reply.status_code == 200
    assert reply.http_version == "HTTP/1.1"
    assert reply.headers["content-type"] == "application/json; charset=utf-8"
    assert reply.json()["result"]["server_version"] == "17.0"
    assert fake.current_connections == 0  # closed when the server stopped


async def test_web_session_cookie_over_tcp(fake_odoo_url: str) -> None:
    async with httpx.AsyncClient(base_url=fake_odoo_url) as http:
        expired = await http.post(
            "/web/dataset/call_kw", json=call_kw("res.partner", "search_count", [[]], {})
        )
        login = await http.post("/web/session/authenticate", json=AUTH)
        count = await http.post(
            "/web/dataset/call_kw/res.partner/search_count",
            json=call_kw("res.partner", "search_count", [[]], {}),
        )

    assert expired.json()["error"]["code"] == 100
    assert login.json()["result"]["uid"] == 2
    assert "session_id" in login.cookies
    assert count.json()["id"] == 3
    assert isinstance(count.json()["result"], int)


async def test_web_login_refuses_an_api_key_as_odoo_17_does() -> None:
    """/web/session/authenticate is an interactive login: the password only, as in Odoo 17."""
    fake = FakeOdoo(api_keys={2: "0123456789abcdef"})
    transport = fake.transport()
    with_key = {**AUTH, "params": {**AUTH["params"], "password": "0123456789abcdef"}}
    async with httpx.AsyncClient(transport=transport, base_url="http://odoo.test") as http:
        refused = (await http.post("/web/session/authenticate", json=with_key)).json()
        by_rpc = (await http.post("/jsonrpc", json={**with_key, "params": {
            "service": "common", "method": "login", "args": [DB, "admin", "0123456789abcdef"]
        }})).json()  # fmt: skip
        logged_in = (await http.post("/web/session/authenticate", json=AUTH)).json()

    assert refused["error"]["data"]["name"] == "odoo.exceptions.AccessDenied"
    assert refused["error"]["data"]["message"] == "Access Denied"
    assert by_rpc["result"] == 2, "an RPC login still takes the key"
    assert logged_in["result"]["uid"] == 2


async def test_xmlrpc_over_tcp(fake_odoo_url: str) -> None:
    body = xmlrpc.client.dumps((DB, "admin", "admin", {}), "authenticate")
    async with httpx.AsyncClient(base_url=fake_odoo_url) as http:
        reply = await http.post("/xmlrpc/2/common", content=body)

    assert xmlrpc.client.loads(reply.content)[0] == (2,)


async def test_large_request_body_over_tcp(fake_odoo: FakeOdoo, fake_odoo_url: str) -> None:
    ids = list(range(1, 50_001))
    body = {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": [DB, 2, "admin", "res.partner", "read", [ids], {"fields": ["name"]}],
        },
        "id": 1,
    }
    async with httpx.AsyncClient(base_url=fake_odoo_url) as http:
        reply = await http.post("/jsonrpc", json=body)

    assert reply.status_code == 200
    assert isinstance(reply.json()["result"], list)
    assert fake_odoo.calls[-1].args == [ids]


async def test_peak_connections_count_concurrent_requests() -> None:
    fake = FakeOdoo()
    async with fake.serve() as url, httpx.AsyncClient(base_url=url) as http:

        async def one() -> None:
            assert (await http.post("/jsonrpc", json=VERSION)).status_code == 200

        with fake.hold() as held:  # the five are in flight at once
            calls = [asyncio.ensure_future(one()) for _ in range(5)]
            await held.requests(5)
        await asyncio.gather(*calls)
        await one()  # reuses a kept-alive connection
        peak, opened, current = fake.peak_connections, fake.connections, fake.current_connections

    assert peak == 5
    assert opened == 5
    assert current == 5
    assert fake.peak_requests == 5


async def test_pool_limit_bounds_connections() -> None:
    fake = FakeOdoo()
    limits = httpx.Limits(max_connections=3)
    async with fake.serve() as url, httpx.AsyncClient(base_url=url, limits=limits) as http:

        async def one() -> None:
            assert (await http.post("/jsonrpc", json=VERSION)).status_code == 200

        with fake.hold() as held:  # three in flight, nine waiting for a connection
            calls = [asyncio.ensure_future(one()) for _ in range(12)]
            await held.requests(3)
            assert held.arrived == 3
        await asyncio.gather(*calls)

    assert fake.requests == 12
    assert fake.peak_connections == 3
    assert fake.peak_requests == 3


async def test_without_keep_alive_each_reply_closes() -> None:
    fake = FakeOdoo()
    async with fake.serve(keep_alive=False) as url, httpx.AsyncClient(base_url=url) as http:
        for _ in range(3):
            reply = await http.post("/jsonrpc", json=VERSION)
            assert reply.headers["connection"] == "close"

    assert fake.connections == 3
    assert fake.peak_connections == 1


async def test_a_close_the_event_loop_has_not_read_yet_counts() -> None:
    """The connection count sees a peer's close as soon as the FIN is in the socket,
    before the event loop reads it: a replacement opened right after is not counted
    alongside the connection it replaces."""
    accepted: list[asyncio.BaseTransport] = []

    class Keep(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            accepted.append(transport)

    server = await asyncio.get_running_loop().create_server(Keep, "127.0.0.1", 0)
    async with server:
        client = socket.create_connection(server.sockets[0].getsockname()[:2])
        await settle(lambda: bool(accepted))
        (transport,) = accepted
        assert not _peer_closed(transport)
        client.close()
        fd = transport.get_extra_info("socket").fileno()
        assert select.select([fd], [], [], 10.0)[0] == [fd], "the FIN reached the socket"
        # no await since the close: the loop has not read the end of file
        assert not transport.is_closing()
        assert _peer_closed(transport)


async def test_two_servers_at_once() -> None:
    first, second = FakeOdoo(db="one"), FakeOdoo(db="two")
    list_dbs = {**VERSION, "params": {"service": "db", "method": "list", "args": []}}
    async with first.serve() as url1, second.serve() as url2, httpx.AsyncClient() as http:
        one = await http.post(f"{url1}/jsonrpc", json=list_dbs)
        two = await http.post(f"{url2}/jsonrpc", json=list_dbs)

    assert url1 != url2
    assert one.json()["result"] == ["one"]
    assert two.json()["result"] == ["two"]


@pytest.mark.parametrize("over_tcp", [False, True])
async def test_pages_outside_json_rpc(fake_odoo: FakeOdoo, over_tcp: bool) -> None:
    if over_tcp:
        async with fake_odoo.serve() as url, httpx.AsyncClient(base_url=url) as http:
            missing = await http.get("/web/nothing/here")
            get_xmlrpc = await http.get("/xmlrpc/2/common")
    else:
        transport = fake_odoo.transport()
        async with httpx.AsyncClient(transport=transport, base_url="http://odoo.test") as http:
            missing = await http.get("/web/nothing/here")
            get_xmlrpc = await http.get("/xmlrpc/2/common")

    assert missing.status_code == 404
    assert "<title>404 Not Found</title>" in missing.text
    assert get_xmlrpc.status_code == 405
    assert get_xmlrpc.headers["allow"] == "POST"
    assert fake_odoo.calls == []


async def test_same_bytes_in_process_and_over_tcp(fake_odoo: FakeOdoo) -> None:
    body = {
        "jsonrpc": "2.0",
        "method": "call",
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": [DB, 2, "admin", "res.partner", "search_read", [[]], {"limit": 3}],
        },
        "id": 5,
    }
    transport = fake_odoo.transport()
    async with httpx.AsyncClient(transport=transport, base_url="http://odoo.test") as http:
        local = await http.post("/jsonrpc", json=body)
    async with fake_odoo.serve() as url, httpx.AsyncClient(base_url=url) as http:
        remote = await http.post("/jsonrpc", json=body)

    assert local.content == remote.content
    assert local.headers["content-length"] == remote.headers["content-length"]


async def test_in_process_transport_needs_no_server(fake_odoo: FakeOdoo) -> None:
    transport = fake_odoo.transport()
    async with httpx.AsyncClient(transport=transport, base_url="http://odoo.test") as http:
        replies = [await http.post("/jsonrpc", json=VERSION) for _ in range(3)]

    assert [reply.status_code for reply in replies] == [200, 200, 200]
    assert fake_odoo.requests == 3
    assert fake_odoo.connections == 0
    assert fake_odoo.peak_requests == 1


async def test_cancelled_request_leaves_counters_clean() -> None:
    fake = FakeOdoo(latency=30.0)
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://odoo.test") as http:
        with anyio.move_on_after(0.01):
            await http.post("/jsonrpc", json=VERSION)

    assert fake.current_requests == 0
    assert fake.peak_requests == 1


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
XML_VALUES = st.recursive(
    st.booleans()
    | st.integers(-(2**31), 2**31 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
SERVICES = st.sampled_from(["common", "object", "db", "nosuch"]) | st.text(max_size=4)
METHODS = st.sampled_from(
    ["version", "login", "authenticate", "execute_kw", "execute", "list", "server_version", "drop"]
)
ARGS = st.lists(
    st.sampled_from(["odoo", 2, "admin", "res.partner", "search_read", [[]], {}]) | JSON_VALUES,
    max_size=8,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.sampled_from(["/jsonrpc", "/web/dataset/call_kw", "/web/session/authenticate"]),
    params=st.fixed_dictionaries(
        {}, optional={"service": SERVICES, "method": METHODS, "args": ARGS}
    )
    | JSON_VALUES,
    request_id=JSON_VALUES,
)
def test_random_json_rpc_bodies_get_an_odoo_reply(path: str, params: Any, request_id: Any) -> None:
    """Whatever the params, the double answers with a JSON-RPC reply and never crashes."""
    fake = FakeOdoo()
    body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params, "id": request_id})
    handle = functools.partial(fake._handle, over=False)

    reply = anyio.run(handle, "POST", path, "application/json", "", body.encode())

    assert reply is not None
    status, _, content = reply
    assert status == 200
    envelope = json.loads(content)
    assert ("result" in envelope) or (envelope["error"]["data"]["name"])


@settings(max_examples=60, deadline=None)
@given(params=st.lists(XML_VALUES, max_size=6), method=METHODS | st.text(max_size=6))
def test_random_xmlrpc_calls_get_an_xmlrpc_reply(params: list[Any], method: str) -> None:
    fake = FakeOdoo()
    body = xmlrpc.client.dumps(tuple(params), method, allow_none=True).encode()
    handle = functools.partial(fake._handle, over=False)

    reply = anyio.run(handle, "POST", "/xmlrpc/2/object", "text/xml", "", body)

    assert reply is not None
    assert reply[0] == 200
    if b"<fault>" in reply[2]:
        with pytest.raises(xmlrpc.client.Fault) as caught:
            xmlrpc.client.loads(reply[2])
        assert caught.value.faultCode in (1, 2, 3, 4)
    else:
        assert len(xmlrpc.client.loads(reply[2])[0]) == 1
