"""The double's cost model: its arithmetic, the worker semantics and its use by FakeOdoo.

No wall time anywhere: the arithmetic is pure, and the double's meter is given a
frozen clock and a sleep that records what it was asked to wait.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from odoo_async.testing import FakeOdoo, ServerCost
from odoo_async.testing.__main__ import main as serve_main
from odoo_async.testing.__main__ import server_cost
from odoo_async.testing._cost import Charge, CostMeter, Schedule, read_shape

MS = 1e-3
US = 1e-6
DB = "odoo"

#: Round figures, so that the expected charges below can be read off.
COST = ServerCost(
    workers=0,
    request=10 * MS,
    call=5 * MS,
    search=2 * MS,
    count=3 * MS,
    per_id=1 * US,
    per_offset=0.5 * US,
    per_row=10 * US,
    per_field=2 * US,
    per_relational=20 * US,
    per_read_row=4 * US,
    create=30 * MS,
    per_create=4 * MS,
    per_write=40 * MS,
    login=800 * MS,
    contended=0.5,
)


def approx(charge: Charge) -> Any:
    return pytest.approx((charge.serial, charge.work, charge.parallel))


def parts(charge: Charge) -> tuple[float, float, float]:
    return charge.serial, charge.work, charge.parallel


# -- arithmetic ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "shape", "serial", "work", "parallel"),
    [
        # fixed: call (+ search or count), half of it contended
        ("fields_get", {}, 2.5 * MS, 0.0, 2.5 * MS),
        ("search_count", {"ids": 999}, 4 * MS, 0.0, 4 * MS),
        # 1000 ids returned at 1 us, 4000 rows skipped at 0.5 us
        ("search", {"ids": 1000, "offset": 4000}, 3.5 * MS, 3 * MS, 3.5 * MS),
        # 100 rows x (10 + 3 x 2 + 1 x 20) us, plus the 4 us a row of read()
        ("read", {"rows": 100, "fields": 3, "relational": 1}, 2.5 * MS, 4 * MS, 2.5 * MS),
        # search_read: the search part and the rows, no read() surcharge
        (
            "search_read",
            {"ids": 100, "offset": 0, "rows": 100, "fields": 3, "relational": 1},
            3.5 * MS,
            3.7 * MS,
            3.5 * MS,
        ),
        ("create", {"records": 10}, 17.5 * MS, 40 * MS, 17.5 * MS),
        ("write", {"records": 2}, 2.5 * MS, 80 * MS, 2.5 * MS),
        ("unlink", {"records": 3}, 2.5 * MS, 120 * MS, 2.5 * MS),
    ],
)
def test_charge_call(
    method: str, shape: dict[str, int], serial: float, work: float, parallel: float
) -> None:
    assert parts(COST.charge_call(method, **shape)) == pytest.approx((serial, work, parallel))


def test_request_and_login_charges() -> None:
    assert parts(COST.charge_request()) == pytest.approx((5 * MS, 0.0, 5 * MS))
    # hashing a password is a wait: it does not hold the GIL
    assert parts(COST.charge_login()) == pytest.approx((0.0, 0.0, 800 * MS))


def test_scale_multiplies_every_part() -> None:
    fast = dataclasses.replace(COST, scale=0.1)
    full = COST.charge_call("read", rows=100, fields=3, relational=1)
    tenth = fast.charge_call("read", rows=100, fields=3, relational=1)
    assert parts(tenth) == pytest.approx(tuple(0.1 * x for x in parts(full)))
    assert fast.charge_login().total == pytest.approx(0.08)


def test_odoo17_profiles() -> None:
    threaded = ServerCost.odoo17()
    prefork = ServerCost.odoo17(workers=2, scale=0.5)
    assert (threaded.workers, threaded.scale, threaded.profile) == (0, 1.0, "threaded")
    assert (prefork.workers, prefork.scale) == (2, 0.5)
    assert prefork.profile == "prefork, 2 workers"
    assert repr(prefork) == "ServerCost(workers=2, scale=0.5) [prefork, 2 workers]"
    # TIMINGS.md's orders of magnitude: a login ~0.8 s, a call 20-40 ms, a row ~0.1 ms
    for cost in (threaded, ServerCost.odoo17(workers=2)):
        assert 0.7 < cost.charge_login().total < 0.9
        call = cost.charge_request() + cost.charge_call("search_count")
        assert 0.02 < call.total < 0.045
        row = cost.charge_call("search_read", ids=1, rows=1, fields=5, relational=1)
        assert 50 * US < row.work < 150 * US


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"workers": -1}, "workers must be >= 0"),
        ({"workers": 1.5}, "workers must be an int"),
        ({"scale": 0}, "scale must be > 0"),
        ({"per_row": -1.0}, "per_row must be >= 0"),
        ({"contended": 1.5}, "contended must be in"),
        ({"contention": -0.1}, "contention must be >= 0"),
    ],
)
def test_bad_cost_is_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises((ValueError, TypeError), match=message):
        ServerCost(**kwargs)


def test_read_shape_counts_plain_and_relational_fields() -> None:
    types = {"name": "char", "country_id": "many2one", "category_id": "many2many"}
    rows = [{"id": 1, "name": "A", "country_id": [1, "BE"], "category_id": []}] * 3
    assert read_shape(rows, types) == (3, 1, 2)
    assert read_shape([], types) == (0, 0, 0)


# -- worker semantics ---------------------------------------------------------------

W = Charge(work=100.0)  # pure Python work
S = Charge(serial=10.0, parallel=5.0)  # a small call: contended then waiting


LOCK = {"favour": 0.0}  # the first request takes it all: one after another


@pytest.mark.parametrize(
    ("workers", "options", "bookings", "finishes"),
    [
        # threaded: the GIL is shared; three together come back together
        (0, {}, [(0, W), (0, W), (0, W)], [300, 300, 300]),
        # ... where a lock would give one after another
        (0, LOCK, [(0, W), (0, W), (0, W)], [100, 200, 300]),
        # threads fighting for the GIL waste some of it
        (0, {"contention": 0.5}, [(0, W), (0, W)], [300, 300]),
        # a late one shares from its arrival: 50 alone, then 50 at half speed
        (0, {}, [(0, W), (50, W)], [150, 200]),
        # the earlier request gets twice the share of the later one
        (0, {"favour": 0.5}, [(0, W), (0, W)], [150, 200]),
        # small calls: their Python parts share, their waits overlap
        (0, {}, [(0, S), (0, S), (0, S)], [35, 35, 35]),
        # an idle server: each request alone
        (0, {"contention": 0.5}, [(0, W), (100, W), (200, W)], [100, 200, 300]),
        # prefork, 2 workers: two at once, the third waits for a worker
        (2, {}, [(0, W), (0, W), (0, W), (0, W)], [100, 100, 200, 200]),
        # a worker frees up at 100: the late one starts then, not at 0
        (2, {}, [(0, W), (0, W), (50, W)], [100, 100, 200]),
        # prefork small calls: the contended share still goes one at a time
        (2, LOCK, [(0, S), (0, S), (0, S)], [15, 25, 35]),
        # one worker: strictly one after the other
        (1, LOCK, [(0, S), (0, W), (0, S)], [15, 115, 130]),
        # two workers on one core: each at half speed
        (2, {"cores": 1.0}, [(0, W), (0, W)], [200, 200]),
    ],
)
def test_schedule(
    workers: int,
    options: dict[str, float],
    bookings: list[tuple[float, Charge]],
    finishes: list[float],
) -> None:
    schedule = Schedule(workers, **options)
    keys = [schedule.add(at, charge) for at, charge in bookings]
    assert [schedule.due(key) for key in keys] == pytest.approx(finishes)


@pytest.mark.parametrize(
    ("workers", "options"), [(0, {}), (0, {"favour": 0.7, "contention": 0.1}), (2, {"cores": 1.5})]
)
def test_a_later_request_only_delays_the_others(workers: int, options: dict[str, float]) -> None:
    schedule = Schedule(workers, **options)
    known: dict[int, float] = {}
    for at, charge in [(0, W), (10, S), (20, W), (20, S), (150, W)]:
        known[schedule.add(at, charge)] = math.inf
        for key in known:
            due = schedule.due(key)
            assert due >= min(known[key], due)  # never earlier than told before
            known[key] = due


def test_settling_the_past_keeps_the_future() -> None:
    bookings = [(0, W), (10, S), (20, W), (130, S), (140, W)]
    whole = Schedule(0, contention=0.2, favour=0.8)
    expected = [whole.due(key) for key in [whole.add(at, charge) for at, charge in bookings]]
    settled = Schedule(0, contention=0.2, favour=0.8)
    keys = []
    for at, charge in bookings:
        settled.settle(at)  # nothing arrives before now any more
        keys.append(settled.add(at, charge))
    assert [settled.due(key) for key in keys] == pytest.approx(expected)
    assert len(settled) < len(bookings)  # the requests done by 140 are forgotten
    assert settled.due(keys[1]) == pytest.approx(expected[1])  # done, still told
    settled.forget(keys[1])
    with pytest.raises(KeyError, match="no request 2"):
        settled.due(keys[1])


def test_threaded_and_prefork_schedules() -> None:
    cost = dataclasses.replace(COST, contention=0.5, favour=0.9)
    assert (cost.schedule().contention, cost.schedule().favour) == (0.5, 0.9)
    prefork = dataclasses.replace(cost, workers=2, cores=1.5).schedule()
    assert (prefork.workers, prefork.contention, prefork.cores) == (2, 0.0, 1.5)


async def test_meter_never_sleeps_a_negative_delay() -> None:
    ticks = iter(range(0, 10_000, 7))  # a clock that moves on at every reading
    asked: list[float] = []

    async def sleep(seconds: float) -> None:
        asked.append(seconds)

    meter = CostMeter(COST, clock=lambda: float(next(ticks)), sleep=sleep)
    arrival = meter.arrive()
    # due at 20; the clock reads 14 when the wait begins, 21 just after: no sleep of -1
    await meter.wait(arrival, Charge(work=20.0))
    assert asked == []


def test_meter_caches_accepted_credentials_only() -> None:
    meter = CostMeter(COST)
    login = COST.charge_login()
    assert meter.credentials("admin", "admin") == login
    assert meter.credentials("admin", "admin") == Charge()
    assert meter.credentials("demo", "wrong", accepted=False) == login
    assert meter.credentials("demo", "wrong", accepted=False) == login
    meter.reset()
    assert meter.credentials("admin", "admin") == login


# -- in the double ------------------------------------------------------------------


class FrozenTime:
    """A clock that does not move and a sleep that records what it was asked."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self.by_task: dict[object, float] = {}  # what each request slept in all

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        task = asyncio.current_task()
        self.by_task[task] = self.by_task.get(task, 0.0) + seconds
        await asyncio.sleep(0)


def metered(cost: ServerCost, time: FrozenTime, **options: Any) -> FakeOdoo:
    fake = FakeOdoo(cost=cost, **options)
    fake._metering.meter = CostMeter(cost, clock=time.clock, sleep=time.sleep)
    return fake


def rpc(service: str, method: str, *args: Any) -> dict[str, Any]:
    params = {"service": service, "method": method, "args": list(args)}
    return {"jsonrpc": "2.0", "method": "call", "params": params, "id": 1}


def kw(model: str, method: str, args: list[Any], kwargs: dict[str, Any] | None = None) -> Any:
    return rpc("object", "execute_kw", DB, 2, "admin", model, method, args, kwargs or {})


@pytest.fixture
def time() -> FrozenTime:
    return FrozenTime()


@pytest.fixture
def fake(time: FrozenTime) -> FakeOdoo:
    return metered(COST, time, partners=200)


@pytest.fixture
async def http(fake: FakeOdoo) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://odoo") as client:
        yield client


async def post(http: httpx.AsyncClient, body: dict[str, Any]) -> Any:
    data = (await http.post("/jsonrpc", json=body)).json()
    assert "error" not in data, data
    return data["result"]


def costs(fake: FakeOdoo) -> list[float | None]:
    return [call.cost for call in fake.calls]


async def test_no_cost_model_by_default() -> None:
    fake = FakeOdoo()
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://odoo") as http:
        await post(http, kw("res.partner", "search_count", [[]]))
    assert fake.cost is None
    assert costs(fake) == [None]


async def test_login_once_per_credentials(
    fake: FakeOdoo, http: httpx.AsyncClient, time: FrozenTime
) -> None:
    request, login = COST.charge_request().total, COST.charge_login().total
    assert await post(http, rpc("common", "authenticate", DB, "admin", "admin", {})) == 2
    assert await post(http, rpc("common", "authenticate", DB, "admin", "admin", {})) == 2
    # after the login, execute_kw with the same password does not hash again
    await post(http, kw("res.partner", "search_count", [[]]))
    assert costs(fake) == pytest.approx(
        [request + login, request, request + COST.charge_call("search_count").total]
    )


async def test_execute_kw_without_login_pays_the_hash_once(
    fake: FakeOdoo, http: httpx.AsyncClient
) -> None:
    count = COST.charge_request().total + COST.charge_call("search_count").total
    for _ in range(2):
        await post(http, kw("res.partner", "search_count", [[]]))
    assert costs(fake) == pytest.approx([count + COST.charge_login().total, count])


async def test_refused_login_pays_every_time(fake: FakeOdoo, http: httpx.AsyncClient) -> None:
    for _ in range(2):
        assert await post(http, rpc("common", "authenticate", DB, "admin", "nope", {})) is False
    paid = COST.charge_request().total + COST.charge_login().total
    assert costs(fake) == pytest.approx([paid, paid])


async def test_query_cache_does_not_make_cost_vanish(
    fake: FakeOdoo, http: httpx.AsyncClient
) -> None:
    await post(http, rpc("common", "authenticate", DB, "admin", "admin", {}))
    fields = ["name", "email", "country_id"]  # two plain, one many2one
    page = kw("res.partner", "search_read", [[]], {"fields": fields, "offset": 20, "limit": 50})
    first, second = await post(http, page), await post(http, page)
    assert first == second
    expected = COST.charge_request() + COST.charge_call(
        "search_read", ids=50, offset=20, rows=50, fields=2, relational=1
    )
    assert costs(fake)[-2:] == pytest.approx([expected.total, expected.total])


async def test_charges_follow_the_reply(fake: FakeOdoo, http: httpx.AsyncClient) -> None:
    await post(http, rpc("common", "authenticate", DB, "admin", "admin", {}))
    ids = await post(http, kw("res.partner", "search", [[]], {"limit": 30}))
    rows = await post(http, kw("res.partner", "read", [ids, ["name", "parent_id"]]))
    created = await post(http, kw("res.partner", "create", [[{"name": "A"}, {"name": "B"}]]))
    await post(http, kw("res.partner", "write", [created, {"phone": "1"}]))
    await post(http, rpc("common", "version"))
    request = COST.charge_request()
    expected = [
        COST.charge_call("search", ids=30),
        COST.charge_call("read", rows=len(rows), fields=1, relational=1),
        COST.charge_call("create", records=2),
        COST.charge_call("write", records=2),
        Charge(),
    ]
    assert costs(fake)[1:] == pytest.approx([(request + c).total for c in expected])


async def test_a_failed_call_pays_its_fixed_cost(fake: FakeOdoo, http: httpx.AsyncClient) -> None:
    await post(http, rpc("common", "authenticate", DB, "admin", "admin", {}))
    data = (await http.post("/jsonrpc", json=kw("res.partner", "no_such_method", []))).json()
    assert "error" in data
    assert costs(fake)[-1] == pytest.approx(
        (COST.charge_request() + COST.charge_call("no_such_method")).total
    )


async def test_threaded_server_shares_the_work(
    fake: FakeOdoo, http: httpx.AsyncClient, time: FrozenTime
) -> None:
    await post(http, rpc("common", "authenticate", DB, "admin", "admin", {}))
    time.now, time.sleeps, time.by_task = 10.0, [], {}  # the login is over
    read = kw("res.partner", "read", [list(range(1, 101)), ["name"]])
    await asyncio.gather(*(post(http, read) for _ in range(3)))
    one = COST.charge_request() + COST.charge_call("read", rows=100, fields=1)
    python = one.serial + one.work
    # the clock stands still: the three share the GIL, so all three are due together,
    # each after the three's Python work and its own wait
    assert sorted(time.by_task.values()) == pytest.approx([3 * python + one.parallel] * 3)
    # the first to arrive slept until it was due alone, then again as the others came
    assert time.sleeps[0] == pytest.approx(one.total)


async def test_prefork_server_runs_its_workers_at_once(time: FrozenTime) -> None:
    cost = dataclasses.replace(COST, workers=2, contended=0.0)
    fake = metered(cost, time, partners=200)
    read = kw("res.partner", "read", [list(range(1, 101)), ["name"]])
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://odoo") as http:
        await post(http, rpc("common", "authenticate", DB, "admin", "admin", {}))
        time.now, time.sleeps = 10.0, []  # the login is over
        await asyncio.gather(*(post(http, read) for _ in range(5)))
    one = (cost.charge_request() + cost.charge_call("read", rows=100, fields=1)).total
    assert time.sleeps == pytest.approx([one, one, 2 * one, 2 * one, 3 * one])


async def test_reset_forgets_the_cached_login(fake: FakeOdoo, http: httpx.AsyncClient) -> None:
    login = rpc("common", "authenticate", DB, "admin", "admin", {})
    await post(http, login)
    fake.reset()
    await post(http, login)
    assert costs(fake) == pytest.approx([(COST.charge_request() + COST.charge_login()).total])


async def test_cost_over_loopback_is_logged() -> None:
    fake = FakeOdoo(cost=ServerCost.odoo17(workers=2, scale=1e-4))
    async with fake.serve(keep_alive=False) as url, httpx.AsyncClient(base_url=url) as http:
        await post(http, rpc("common", "version"))
    assert costs(fake) == pytest.approx([ServerCost.odoo17(scale=1e-4, workers=2).request * 1e-4])


def test_cost_must_be_a_server_cost() -> None:
    with pytest.raises(TypeError, match="cost must be a ServerCost"):
        FakeOdoo(cost="threaded")  # type: ignore[arg-type]
    assert "cost=ServerCost(workers=0" in repr(FakeOdoo(cost=ServerCost.odoo17()))


# -- command line -------------------------------------------------------------------


def test_server_cost_from_the_command_line() -> None:
    assert server_cost("none") is None
    threaded = server_cost("threaded", scale=0.5)
    assert threaded is not None
    assert (threaded.workers, threaded.scale) == (0, 0.5)
    prefork = server_cost("prefork", workers=4)
    assert prefork is not None
    assert prefork.workers == 4
    with pytest.raises(ValueError, match="needs --workers >= 1"):
        server_cost("prefork", workers=0)


def test_bad_cost_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        serve_main(["--cost", "prefork", "--workers", "0"])
    assert "needs --workers >= 1" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        serve_main(["--cost", "turbo"])
    assert "invalid choice: 'turbo'" in capsys.readouterr().err
