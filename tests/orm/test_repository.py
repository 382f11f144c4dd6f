"""The repository layer against the Odoo test double (in-process)."""

from __future__ import annotations

import asyncio
import math
import random
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest

from odoo_async import (
    AccessError,
    AsyncOdoo,
    Command,
    DomainError,
    F,
    HTTPStatusError,
    Many2one,
    MissingError,
    OdooError,
    Record,
    RecordDecodeError,
    RetryPolicy,
    RPCError,
    UserError,
    ValidationError,
)
from odoo_async.testing import FakeOdoo

#: Every test of this module runs once per protocol and Odoo version of the double
#: (JSON-2 exists from Odoo 19 on).
TARGETS = [
    (protocol, version)
    for version in ("17.0", "18.0", "19.0")
    for protocol in ("jsonrpc", "xmlrpc", "web", "json2")
    if (protocol == "json2") == (version == "19.0") or version == "19.0"
]
#: JSON-2 takes API keys: one per demo user of the double as Odoo 19.
API_KEYS = {2: "admin-api-key", 5: "demo-api-key", 6: "portal-api-key"}


@pytest.fixture(params=TARGETS, ids=[f"{p}-{v[:2]}" for p, v in TARGETS])
def target(request: pytest.FixtureRequest) -> tuple[str, str]:
    protocol, version = request.param
    return protocol, version


@pytest.fixture
def protocol(target: tuple[str, str]) -> str:
    return target[0]


def make_fake(version: str, partners: int) -> FakeOdoo:
    return FakeOdoo(db="odoo", partners=partners, version=version, api_keys=API_KEYS)


def connect(fake: FakeOdoo, protocol: str, **options: Any) -> AsyncOdoo:
    options.setdefault("retry", RetryPolicy.NONE)
    username = options.pop("username", "admin")
    password = options.pop("password", username)
    if protocol == "json2":
        options["api_key"] = f"{username}-api-key"
    else:
        options["password"] = password
    return AsyncOdoo(
        "http://odoo.test",
        db=fake.db,
        username=username,
        transport=fake.transport(),
        protocol=protocol,
        **options,
    )


@pytest.fixture
def fake(target: tuple[str, str]) -> FakeOdoo:
    return make_fake(target[1], partners=200)


@pytest.fixture
async def odoo(fake: FakeOdoo, protocol: str) -> AsyncIterator[AsyncOdoo]:
    async with connect(fake, protocol) as client:
        yield client


@pytest.fixture(scope="module")
def big_fakes() -> dict[str, FakeOdoo]:
    return {}


@pytest.fixture
def big_fake(big_fakes: dict[str, FakeOdoo], target: tuple[str, str]) -> FakeOdoo:
    """10,000 partners, built once per Odoo version for the module."""
    version = target[1]
    if version not in big_fakes:
        big_fakes[version] = make_fake(version, partners=10_000)
    return big_fakes[version]


def raised(protocol: str, error: type[Exception]) -> type[Exception]:
    """The class a fault arrives as: XML-RPC's fault code 2 is every UserError."""
    if protocol == "xmlrpc" and issubclass(error, UserError):
        return UserError
    return error


def sent(call: Any, index: int, name: str) -> Any:
    """An argument of a logged call, sent positionally or by name."""
    return call.args[index] if len(call.args) > index else call.kwargs[name]


async def test_model_sends_nothing_until_called(fake: FakeOdoo, odoo: AsyncOdoo) -> None:
    partners = odoo.model("res.partner")
    assert partners.name == "res.partner"
    assert fake.count() == 0


async def test_search_count_search_and_read_agree(odoo: AsyncOdoo) -> None:
    partners = odoo.model("res.partner")
    domain = [("is_company", "=", True)]
    n = await partners.search_count(domain)
    ids = await partners.search(domain)
    assert n == len(ids) > 0
    rows = await partners.read(ids[:5], fields=["name", "is_company"])
    assert [row["id"] for row in rows] == ids[:5]
    assert all(row["is_company"] is True for row in rows)
    assert set(rows[0]) == {"id", "name", "is_company"}


async def test_search_with_builder_offset_limit_and_order(odoo: AsyncOdoo) -> None:
    partners = odoo.model("res.partner")
    everything = await partners.search([], order="id")
    assert everything == sorted(everything)
    page = await partners.search(F.id > 0, offset=3, limit=4, order="id")
    assert page == everything[3:7]
    desc = await partners.search([], order="id desc", limit=3)
    assert desc == sorted(everything, reverse=True)[:3]


async def test_read_keeps_the_order_of_ids_and_drops_missing(odoo: AsyncOdoo) -> None:
    partners = odoo.model("res.partner")
    ids = await partners.search([], limit=10)
    shuffled = list(reversed(ids))
    rows = await partners.read([*shuffled, 999_999, shuffled[0]], fields=["name"])
    assert [row["id"] for row in rows] == [*shuffled, shuffled[0]]


async def test_read_splits_long_lists_into_concurrent_chunks(
    fake: FakeOdoo, odoo: AsyncOdoo
) -> None:
    partners = odoo.model("res.partner")
    ids = await partners.search([])
    fake.clear_calls()
    small = odoo.model("res.partner")
    small.batch_size = 40
    rows = await small.read(ids + ids[:10], fields=["name"])
    assert [row["id"] for row in rows] == ids + ids[:10]
    assert fake.count(model="res.partner", method="read") == math.ceil(len(ids) / 40)


async def test_concurrent_gets_are_batched(fake: FakeOdoo, odoo: AsyncOdoo) -> None:
    partners = odoo.model("res.partner")
    ids = await partners.search([])
    fake.clear_calls()
    wanted = [random.Random(1).choice(ids) for _ in range(1000)]
    rows = await asyncio.gather(*(partners.get(i, fields=["name"]) for i in wanted))
    assert [row["id"] for row in rows] == wanted
    reads = fake.count(model="res.partner", method="read")
    assert reads == 1  # 1,000 get()s at once: one read (the login aside)


async def test_a_missing_id_fails_only_its_own_get(fake: FakeOdoo, odoo: AsyncOdoo) -> None:
    partners = odoo.model("res.partner")
    ids = await partners.search([], limit=20)
    fake.clear_calls()
    results = await asyncio.gather(
        *(partners.get(i, fields=["name"]) for i in [*ids, 987_654]), return_exceptions=True
    )
    assert [r["id"] for r in results[:-1]] == ids  # type: ignore[index]
    missing = results[-1]
    assert isinstance(missing, MissingError)
    assert "987654" in str(missing)
    assert fake.count(model="res.partner", method="read") == 1


async def test_gets_with_other_fields_are_separate_batches(fake: FakeOdoo, odoo: AsyncOdoo) -> None:
    partners = odoo.model("res.partner")
    ids = await partners.search([], limit=4)
    fake.clear_calls()
    a, b = await asyncio.gather(partners.get(ids[0], ["name"]), partners.get(ids[1], ["email"]))
    assert set(a) == {"id", "name"}
    assert set(b) == {"id", "email"}
    assert fake.count(model="res.partner", method="read") == 2


# Id windows of a few rows each over 10,000 rows would take minutes on the double, which
# scans its table for every new domain (Odoo uses the primary key); small pages are
# covered on smaller tables in test_export_engine.py.
@pytest.mark.parametrize("page_size", [50, 500, 20_000])
async def test_pagination_returns_every_id_once_in_order(
    big_fake: FakeOdoo, protocol: str, page_size: int
) -> None:
    async with connect(big_fake, protocol) as odoo:
        partners = odoo.model("res.partner")
        expected = await partners.search([], order="id")
        assert len(expected) > 9_000  # 10,000 partners, a few archived
        streamed = [
            row["id"] async for row in partners.search_read([], ["name"], page_size=page_size)
        ]
        assert streamed == expected
        if page_size >= 500:  # awaiting 200 pages of 50 adds nothing the stream did not check
            awaited = await partners.search_read([], ["name"], page_size=page_size)
            assert [row["id"] for row in awaited] == expected


@pytest.mark.parametrize(
    ("offset", "limit", "page_size"),
    [
        (0, None, 3),
        (0, 0, 3),
        (0, 5, 3),
        (2, 5, 3),
        (5, None, 4),
        (0, 6, 3),
        (195, 10, 4),
        (1000, None, 10),
    ],
)
async def test_offset_and_limit(
    odoo: AsyncOdoo, offset: int, limit: int | None, page_size: int
) -> None:
    partners = odoo.model("res.partner")
    everything = await partners.search([], order="name, id")
    end = None if not limit else offset + limit  # limit=0 means no limit, as in Odoo
    expected = everything[offset:end]
    pager = partners.search_read(
        [], ["name"], offset=offset, limit=limit, order="name", page_size=page_size
    )
    assert [row["id"] for row in await pager] == expected
    pager = partners.search_read(
        [], ["name"], offset=offset, limit=limit, order="name", page_size=page_size
    )
    assert [row["id"] async for row in pager] == expected
    pages = [
        page
        async for page in partners.search_read(
            [], ["name"], offset=offset, limit=limit, order="name", page_size=page_size
        ).pages()
    ]
    assert all(0 < len(page) <= page_size for page in pages)
    assert [row["id"] for page in pages for row in page] == expected


async def test_pager_works_where_a_coroutine_is_expected(odoo: AsyncOdoo) -> None:
    partners = odoo.model("res.partner")
    expected = await partners.search([], order="id")
    task = asyncio.create_task(partners.search_read([], ["name"], page_size=50))
    assert [row["id"] for row in await task] == expected
    rows = await asyncio.wait_for(partners.search_read([], ["name"], page_size=50), timeout=30)
    assert len(rows) == len(expected)
    gathered = await asyncio.gather(partners.search_read([], ["name"]), partners.search_count([]))
    assert len(gathered[0]) == gathered[1]
    if sys.version_info >= (3, 11):
        async with asyncio.TaskGroup() as tg:
            in_group = tg.create_task(partners.search_read([], ["name"], page_size=30))
        assert [row["id"] for row in in_group.result()] == expected


async def test_awaiting_offset_pages_goes_through_the_engine(
    fake: FakeOdoo, odoo: AsyncOdoo
) -> None:
    partners = odoo.model("res.partner")
    total = await partners.search_count([])
    fake.clear_calls()
    pager = partners.search_read([], ["name"], page_size=20, order="name")
    assert len(await pager) == total
    assert pager.plan["strategy"] == "offset"
    assert pager.plan["page_size"] == 20
    pages = fake.count(model="res.partner", method="search_read")
    # the end is the first short page: pages sent beside it come back empty
    assert math.ceil(total / 20) <= pages <= total // 20 + pager.plan["in_flight"]
    assert fake.count(model="res.partner", method="search_count") == 0  # a fixed page size


async def test_stable_order_appends_id(fake: FakeOdoo, odoo: AsyncOdoo) -> None:
    partners = odoo.model("res.partner")
    fake.clear_calls()
    await partners.search_read([], ["name"], order="is_company desc", limit=3)
    await partners.search_read([], ["name"], limit=3)
    orders = [call.kwargs.get("order") for call in fake.calls if call.method == "search_read"]
    assert orders == ["is_company desc, id", "id"]


async def test_keyset_pagination_is_exact_while_rows_change(odoo: AsyncOdoo) -> None:
    partners = odoo.model("res.partner")
    domain = [("name", "=like", "KS %")]

    async def walk(keyset: bool, order: str | None = None) -> tuple[list[int], list[int]]:
        await partners.create([{"name": f"KS {i:03d}"} for i in range(60)])
        before = await partners.search(domain, order="id")
        seen: list[int] = []
        pager = partners.search_read(
            domain, ["name"], page_size=10, keyset=keyset, prefetch=0, order=order
        )
        async for page in pager.pages():
            seen.extend(row["id"] for row in page)
            # another writer, between two pages: deletes a row the walk has passed
            # and adds one at the end
            await partners.unlink([seen[0 if len(seen) <= 10 else len(seen) - 5]])
            await partners.create({"name": "KS new"})
        await partners.unlink(await partners.search(domain))
        return before, seen

    for exact in ({"keyset": True}, {"keyset": False}):  # keyset, and the id windows
        before, seen = await walk(**exact)
        assert len(seen) == len(set(seen)), f"{exact}: no row shown twice"
        assert set(before) <= set(seen), f"{exact}: no row that existed at the start skipped"

    # Offset pagination (any order but id's) under the same churn skips rows: each
    # deletion behind the cursor shifts every later row one place to the front.
    before, seen = await walk(keyset=False, order="name")
    assert set(before) - set(seen), "offset pagination skipped rows, as documented"


async def test_keyset_refuses_another_order(odoo: AsyncOdoo) -> None:
    with pytest.raises(ValueError, match="keyset"):
        odoo.model("res.partner").search_read([], ["name"], keyset=True, order="name")


async def test_domain_errors_are_raised_before_sending(fake: FakeOdoo, odoo: AsyncOdoo) -> None:
    partners = odoo.model("res.partner")
    fake.clear_calls()
    with pytest.raises(DomainError, match=r"domain\[0\]"):
        await partners.search([("name", "bogus", "x")])
    with pytest.raises(DomainError):
        partners.search_read(["&", ("name", "=", "x")])
    assert fake.count() == 0


async def test_create_write_unlink_roundtrip(odoo: AsyncOdoo, protocol: str) -> None:
    partners = odoo.model("res.partner")
    new_id = await partners.create({"name": "Alpha", "email": None})
    assert isinstance(new_id, int)
    new_ids = await partners.create([{"name": f"Beta {i}"} for i in range(5)])
    assert len(new_ids) == 5
    assert new_ids == sorted(new_ids)
    assert await partners.write([new_id, *new_ids], {"email": "x@y.z"}) is True
    rows = await partners.read([new_id, *new_ids], ["email"])
    assert {row["email"] for row in rows} == {"x@y.z"}
    assert await partners.unlink(new_ids) is True
    assert await partners.exists([new_id, *new_ids]) == [new_id]
    with pytest.raises(raised(protocol, MissingError)):
        await partners.write(new_ids[:1], {"name": "gone"})


async def test_create_in_chunks_keeps_order(fake: FakeOdoo, odoo: AsyncOdoo) -> None:
    partners = odoo.model("res.partner")
    partners.batch_size = 7
    fake.clear_calls()
    ids = await partners.create([{"name": f"P{i:03d}"} for i in range(30)])
    assert fake.count(model="res.partner", method="create") == math.ceil(30 / 7)
    rows = await partners.read(ids, ["name"])
    assert [row["name"] for row in rows] == [f"P{i:03d}" for i in range(30)]


async def test_x2many_commands(odoo: AsyncOdoo) -> None:
    categories = odoo.model("res.partner.category")
    partners = odoo.model("res.partner")
    a, b = await categories.create([{"name": "Gold"}, {"name": "Silver"}])
    pid = await partners.create({"name": "Tagged", "category_id": [Command.set([a])]})
    await partners.write([pid], {"category_id": [Command.link(b)]})
    row = (await partners.read([pid], ["category_id"]))[0]
    assert sorted(row["category_id"]) == sorted([a, b])
    await partners.write(
        [pid], {"category_id": [Command.unlink(a), Command.create({"name": "Bronze"})]}
    )
    row = (await partners.read([pid], ["category_id"]))[0]
    assert a not in row["category_id"]
    assert len(row["category_id"]) == 2
    await partners.write([pid], {"category_id": [Command.clear()]})
    assert (await partners.read([pid], ["category_id"]))[0]["category_id"] == []


async def test_server_errors_reach_the_caller_typed(odoo: AsyncOdoo, protocol: str) -> None:
    partners = odoo.model("res.partner")
    pid = await partners.create({"name": "Parent"})
    child = await partners.create({"name": "Child", "parent_id": pid})
    with pytest.raises(raised(protocol, ValidationError), match="recursive"):
        await partners.write([pid], {"parent_id": child})


async def test_fields_get_is_cached_per_client(fake: FakeOdoo, odoo: AsyncOdoo) -> None:
    fake.clear_calls()
    meta = await odoo.model("res.partner").fields_get(attributes=["type", "relation"])
    again = await odoo.model("res.partner").fields_get(attributes=["type", "relation"])
    assert meta == again
    assert meta["country_id"] == {"type": "many2one", "relation": "res.country"}
    assert fake.count(method="fields_get") == 1


async def test_name_search_read_group_and_call(odoo: AsyncOdoo) -> None:
    partners = odoo.model("res.partner")
    found = await partners.name_search("a", limit=5)
    assert 0 < len(found) <= 5
    assert all(isinstance(i, int) and isinstance(n, str) for i, n in found)
    groups = await partners.read_group([], ["is_company"], ["is_company"])
    total = await partners.search_count([])
    assert sum(g["is_company_count"] for g in groups) == total
    assert await partners.call("search_count", [("id", "=", found[0][0])]) == 1


async def test_with_context_on_a_repository(fake: FakeOdoo, odoo: AsyncOdoo) -> None:
    partners = odoo.model("res.partner")
    pid = await partners.create({"name": "Archived", "active": False})
    assert pid not in await partners.search([])
    assert pid in await partners.with_context(active_test=False).search([])
    sent = [c.kwargs.get("context") for c in fake.calls if c.method == "search"]
    assert sent[-1] == {"active_test": False}


async def test_access_errors_for_other_users(fake: FakeOdoo, protocol: str) -> None:
    async with connect(fake, protocol, username="demo", password="demo") as demo:
        with pytest.raises(AccessError):
            await demo.model("ir.config_parameter").search_read([], ["key"])


class Partner(Record, model="res.partner"):
    name: str
    email: str | None = None
    is_company: bool = False
    country_id: Many2one | None = None
    category_id: list[int] = []
    create_date: datetime | None = None


async def test_typed_repository_roundtrip(fake: FakeOdoo, odoo: AsyncOdoo) -> None:
    partners = odoo.model(Partner)
    assert partners.name == "res.partner"
    countries = await odoo.model("res.country").search([("code", "=", "BE")])
    new_id = await partners.create(
        Partner(name="Typed SA", is_company=True, country_id=Many2one(countries[0], ""))
    )
    fake.clear_calls()
    p = await partners.get(new_id)
    assert isinstance(p, Partner)
    assert (p.id, p.name, p.email, p.is_company) == (new_id, "Typed SA", None, True)
    assert p.country_id is not None
    assert p.country_id.id == countries[0]
    assert p.country_id.name == "Belgium"
    assert p.create_date is not None
    assert p.create_date.tzinfo is not None
    read_call = next(c for c in fake.calls if c.method == "read")
    assert set(read_call.kwargs["fields"]) == {
        "id",
        "name",
        "email",
        "is_company",
        "country_id",
        "category_id",
        "create_date",
    }
    await partners.write([new_id], {"email": "typed@example.com", "country_id": None})
    (p,) = await partners.read([new_id])
    assert (p.email, p.country_id) == ("typed@example.com", None)
    rows = [row async for row in partners.search_read([("id", "=", new_id)])]
    assert rows == [p]
    create_call = [c for c in fake.calls if c.method == "write"][-1]
    assert sent(create_call, 1, "vals") == {"email": "typed@example.com", "country_id": False}


async def test_read_errors_are_not_wrapped_in_exception_groups(
    fake: FakeOdoo, protocol: str
) -> None:
    async with connect(fake, protocol, username="demo", password="demo") as demo:
        params = demo.model("ir.config_parameter")
        params.batch_size = 2
        with pytest.raises(AccessError):  # five ids: three concurrent chunks
            await params.read([1, 2, 3, 4, 5], ["key"])


async def test_a_failing_page_cancels_the_other_pages(fake: FakeOdoo, odoo: AsyncOdoo) -> None:
    partners = odoo.model("res.partner")
    await partners.search_count([])
    fake.clear_calls()
    fake.inject("503", times=1, method="search_read")
    with pytest.raises(HTTPStatusError):
        await partners.search_read([], ["name"], page_size=1)
    sent = fake.count(method="search_read")
    await asyncio.sleep(0)  # one more tick: cancelled pages send nothing
    assert fake.count(method="search_read") == sent < 50


async def test_a_pager_can_be_awaited_again(odoo: AsyncOdoo) -> None:
    pager = odoo.model("res.partner").search_read([], ["name"], limit=5)
    first = await pager
    assert await pager == first


async def test_failed_chunk_reports_which_records_were_created(
    fake: FakeOdoo, odoo: AsyncOdoo
) -> None:
    partners = odoo.model("res.partner")
    partners.batch_size = 2
    rows = [
        {"name": "A"},
        {"name": "B"},
        {"name": "C", "type": "bogus"},
        {"name": "D"},
        {"name": "E"},
    ]
    with pytest.raises(RPCError) as info:
        await partners.create(rows)
    created = info.value.created_ids
    assert len(created) == 5
    assert created[2] is None
    assert created[3] is None, "the failed chunk created nothing (one transaction)"
    assert all(isinstance(i, int) for i in (created[0], created[1], created[4]))
    names = {r["id"]: r["name"] for r in await partners.read([i for i in created if i], ["name"])}
    assert names == {created[0]: "A", created[1]: "B", created[4]: "E"}


async def test_fields_get_is_fetched_once_for_concurrent_callers(
    fake: FakeOdoo, odoo: AsyncOdoo
) -> None:
    fake.clear_calls()
    partners = odoo.model(Partner)
    await asyncio.gather(*(partners.create(Partner(name=f"C{i}")) for i in range(20)))
    assert fake.count(method="fields_get") == 1
    assert fake.count(method="create") == 20


class StrictPartner(Record, model="res.partner"):
    name: str
    country_id: Many2one  # not optional: a partner without a country does not fit


async def test_a_row_that_does_not_decode_fails_only_its_own_get(odoo: AsyncOdoo) -> None:
    plain = odoo.model("res.partner")
    countries = await odoo.model("res.country").search([], limit=1)
    with_country = await plain.create({"name": "Has", "country_id": countries[0]})
    without = await plain.create({"name": "Has not"})
    strict = odoo.model(StrictPartner)
    ok_row, failed = await asyncio.gather(
        strict.get(with_country), strict.get(without), return_exceptions=True
    )
    assert isinstance(ok_row, StrictPartner)
    assert isinstance(failed, RecordDecodeError)
    assert failed.record_id == without


async def test_get_follows_the_views_options(fake: FakeOdoo, odoo: AsyncOdoo) -> None:
    ids = await odoo.model("res.partner").search([], limit=1)
    fake.inject("503", times=1, method="read")
    with pytest.raises(HTTPStatusError):
        await odoo.with_options(retry=None).model("res.partner").get(ids[0])
    fake.inject("503", times=1, method="read")
    await (
        odoo.with_options(retry=RetryPolicy(max_retries=1, initial_delay=0))
        .model("res.partner")
        .get(ids[0])
    )


async def test_a_many2one_a_user_holds_goes_into_domains_and_writes(odoo: AsyncOdoo) -> None:
    typed = odoo.model(Partner)
    plain = odoo.model("res.partner")
    with_country = await plain.search([("country_id", "!=", False)], limit=1)
    me = await typed.get(with_country[0])
    assert me.country_id is not None
    ids = await typed.search(F.country_id == me.country_id)
    assert me.id in ids
    assert set(await plain.search([("country_id", "=", me.country_id)])) == set(ids)
    other = await plain.create({"name": "No country yet"})
    assert await plain.write([other], {"country_id": me.country_id, "parent_id": me}) is True
    row = (await plain.read([other], ["country_id", "parent_id"]))[0]
    assert row["country_id"][0] == me.country_id.id
    assert row["parent_id"][0] == me.id
    new_id = await plain.create({"name": "Held values", "country_id": me.country_id})
    assert (await plain.read([new_id], ["country_id"]))[0]["country_id"][0] == me.country_id.id


def test_a_failure_that_is_no_odoo_error_after_records_went_in_still_says_which() -> None:
    from odoo_async._orm._repository import _partial_create_error

    cause = TypeError("cannot encode the call's arguments as JSON")
    error = _partial_create_error("res.partner", cause, [7, None])
    assert isinstance(error, OdooError)
    assert error.created_ids == [7, None]
    assert error.__cause__ is cause
    assert "1 of 2 res.partner records were created" in str(error)
    # nothing went in: the error is raised as it is
    assert _partial_create_error("res.partner", cause, [None, None]) is cause
