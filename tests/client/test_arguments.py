"""Every bad argument is refused at once, where it enters the public API.

One table: the call, the exception type, a word its message must contain.
"At once" is checked too: nothing reaches the server.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

from odoo_async import AsyncModel, AsyncOdoo, Record, SearchReadPager
from odoo_async._check import check_ids, check_int, check_limit, check_number, describe
from odoo_async._orm._records import encode_create, encode_write
from odoo_async.testing import FakeOdoo

URL = "http://odoo.test"


class Partner(Record, model="res.partner"):
    name: str = ""


class Case:
    def __init__(self, fake: FakeOdoo) -> None:
        self.fake = fake
        self.odoo = self.make()
        self.P = self.odoo.model("res.partner")
        self.T = self.odoo.model(Partner)

    def make(self, **changes: Any) -> AsyncOdoo:
        options: dict[str, Any] = {
            "db": self.fake.db,
            "username": "admin",
            "password": "admin",
            "transport": self.fake.transport(),
        }
        options.update(changes)
        url = options.pop("url", URL)
        return AsyncOdoo(url, **options)

    def pager(self, **changes: Any) -> SearchReadPager[Any]:
        async def fetch(domain: Any, offset: int, limit: int, order: str) -> list[Any]:
            return []

        async def count(domain: Any) -> int:
            return 0

        options: dict[str, Any] = {"row_id": lambda row: row["id"]}
        options.update(changes)
        return SearchReadPager(fetch, count, [], **options)


Call = Callable[[Case], Any]

BAD_CALLS: list[tuple[str, Call, type[Exception], str]] = [
    # -- the constructor
    ("timeout str", lambda c: c.make(timeout="10"), TypeError, "timeout"),
    ("timeout negative", lambda c: c.make(timeout=-1), ValueError, "timeout"),
    ("rate_limit str", lambda c: c.make(rate_limit="5"), TypeError, "rate_limit"),
    ("rate_limit zero", lambda c: c.make(rate_limit=0), ValueError, "rate_limit"),
    ("burst str", lambda c: c.make(rate_limit=5, burst="x"), TypeError, "burst"),
    ("max_concurrency 0", lambda c: c.make(max_concurrency=0), ValueError, "max_concurrency"),
    ("max_concurrency float", lambda c: c.make(max_concurrency=2.5), TypeError, "max_concurrency"),
    ("retry int", lambda c: c.make(retry=3), TypeError, "RetryPolicy"),
    ("url None", lambda c: c.make(url=None), TypeError, "url"),
    ("url scheme", lambda c: c.make(url="ftp://odoo.test"), ValueError, "url"),
    ("db empty", lambda c: c.make(db=""), ValueError, "db"),
    ("db int", lambda c: c.make(db=5), TypeError, "db"),
    ("username None", lambda c: c.make(username=None), TypeError, "username"),
    ("password bytes", lambda c: c.make(password=b"admin"), TypeError, "password"),
    ("api_key int", lambda c: c.make(password=None, api_key=123), TypeError, "api_key"),
    ("both secrets", lambda c: c.make(api_key="k"), ValueError, "exactly one"),
    ("context list", lambda c: c.make(context=[("lang", "fr_FR")]), TypeError, "context"),
    ("headers value", lambda c: c.make(headers={"X-Trace": 1}), TypeError, "headers"),
    ("limits int", lambda c: c.make(limits=10), TypeError, "limits"),
    ("http2 str", lambda c: c.make(http2="yes"), TypeError, "http2"),
    ("verify int", lambda c: c.make(verify=1), TypeError, "verify"),
    ("transport name", lambda c: c.make(transport="h11"), ValueError, "transport"),
    ("transport type", lambda c: c.make(transport=3), TypeError, "transport"),
    ("sleep int", lambda c: c.make(sleep=1), TypeError, "sleep"),
    ("protocol int", lambda c: c.make(protocol=2), TypeError, "protocol"),
    # -- views
    ("with_options retry", lambda c: c.odoo.with_options(retry=3), TypeError, "retry"),
    ("with_options timeout", lambda c: c.odoo.with_options(timeout="1"), TypeError, "timeout"),
    ("with_context list", lambda c: c.odoo.with_context([1]), TypeError, "context"),
    ("with_context key", lambda c: c.odoo.with_context({1: "x"}), TypeError, "key"),
    ("model with_context", lambda c: c.P.with_context(5), TypeError, "context"),
    # -- execute_kw
    (
        "execute_kw retry",
        lambda c: c.odoo.execute_kw("res.partner", "search", [[]], retry=5),
        TypeError,
        "retry",
    ),
    (
        "execute_kw args str",
        lambda c: c.odoo.execute_kw("res.partner", "search", "abc"),
        TypeError,
        "args",
    ),
    (
        "execute_kw kwargs list",
        lambda c: c.odoo.execute_kw("res.partner", "search", [[]], [1]),
        TypeError,
        "kwargs",
    ),
    (
        "execute_kw timeout",
        lambda c: c.odoo.execute_kw("res.partner", "search", [[]], timeout="3"),
        TypeError,
        "timeout",
    ),
    (
        "execute_kw idempotent",
        lambda c: c.odoo.execute_kw("res.partner", "search", [[]], idempotent="yes"),
        TypeError,
        "idempotent",
    ),
    ("execute_kw model", lambda c: c.odoo.execute_kw("", "search", [[]]), ValueError, "model"),
    ("execute_kw method", lambda c: c.odoo.execute_kw("res.partner", None), TypeError, "method"),
    (
        "execute_kw_raw args",
        lambda c: c.odoo.execute_kw_raw("res.partner", "read", 5),
        TypeError,
        "args",
    ),
    # -- limit and offset, the same everywhere
    ("search limit -1", lambda c: c.P.search([], limit=-1), ValueError, "limit"),
    ("search offset -5", lambda c: c.P.search([], offset=-5), ValueError, "offset"),
    ("search limit str", lambda c: c.P.search([], limit="5"), TypeError, "limit"),
    ("search offset None", lambda c: c.P.search([], offset=None), TypeError, "offset"),
    ("search order int", lambda c: c.P.search([], order=5), TypeError, "order"),
    ("search_count limit", lambda c: c.P.search_count([], limit=-1), ValueError, "limit"),
    ("search_count float", lambda c: c.P.search_count([], limit=1.5), TypeError, "limit"),
    ("search_read limit", lambda c: c.P.search_read([], ["id"], limit="5"), TypeError, "limit"),
    ("search_read limit -1", lambda c: c.P.search_read([], limit=-1), ValueError, "limit"),
    ("search_read offset", lambda c: c.P.search_read([], offset=-1), ValueError, "offset"),
    (
        "search_read page_size str",
        lambda c: c.P.search_read([], ["id"], page_size="500"),
        TypeError,
        "page_size",
    ),
    ("search_read page_size 0", lambda c: c.P.search_read([], page_size=0), ValueError, "page_size"),
    ("search_read prefetch", lambda c: c.P.search_read([], prefetch=-1), ValueError, "prefetch"),
    ("search_read keyset", lambda c: c.P.search_read([], keyset="yes"), TypeError, "keyset"),
    ("search_read fields str", lambda c: c.P.search_read([], "name"), TypeError, "fields"),
    ("search_read order", lambda c: c.P.search_read([], order=["id"]), TypeError, "order"),
    ("read_group limit", lambda c: c.P.read_group([], ["id"], "name", limit=-1), ValueError, "limit"),
    (
        "read_group offset",
        lambda c: c.P.read_group([], ["id"], "name", offset="1"),
        TypeError,
        "offset",
    ),
    ("read_group fields", lambda c: c.P.read_group([], "id", "name"), TypeError, "fields"),
    ("read_group groupby", lambda c: c.P.read_group([], ["id"], 5), TypeError, "groupby"),
    ("read_group lazy", lambda c: c.P.read_group([], ["id"], "name", lazy=None), TypeError, "lazy"),
    ("read_group orderby", lambda c: c.P.read_group([], [], "name", orderby=1), TypeError, "orderby"),
    ("name_search limit", lambda c: c.P.name_search("a", limit=-1), ValueError, "limit"),
    ("name_search name", lambda c: c.P.name_search(5), TypeError, "name"),
    ("name_search operator", lambda c: c.P.name_search("a", operator=None), TypeError, "operator"),
    # -- the other repository methods
    ("create None", lambda c: c.P.create(None), TypeError, "values"),
    ("create str", lambda c: c.P.create("abc"), TypeError, "values"),
    ("create list item", lambda c: c.P.create([{"name": "a"}, 5]), TypeError, "values"),
    ("create key", lambda c: c.P.create({1: "a"}), TypeError, "key"),
    ("write values None", lambda c: c.P.write([1], None), TypeError, "values"),
    ("write ids str", lambda c: c.P.write("1", {"name": "x"}), TypeError, "ids"),
    ("typed write values", lambda c: c.T.write([1], [("name", "x")]), TypeError, "values"),
    ("unlink bool id", lambda c: c.P.unlink([True]), TypeError, "ids"),
    ("read fields str", lambda c: c.P.read([1], fields="name"), TypeError, "fields"),
    ("read ids None", lambda c: c.P.read(None), TypeError, "ids"),
    ("get str id", lambda c: c.P.get("1"), TypeError, "id"),
    ("get fields int", lambda c: c.P.get(1, fields=5), TypeError, "fields"),
    ("read_chunk ids", lambda c: c.P.read_chunk("12"), TypeError, "ids"),
    ("exists None", lambda c: c.P.exists(None), TypeError, "ids"),
    ("fields_get attributes", lambda c: c.P.fields_get(attributes="readonly"), TypeError, "attributes"),
    ("fields_get allfields", lambda c: c.P.fields_get(allfields=[1]), TypeError, "allfields"),
    ("call method", lambda c: c.P.call(5), TypeError, "method"),
    ("model int", lambda c: c.odoo.model(5), TypeError, "model"),
    ("batch_size 0", lambda c: AsyncModel(c.odoo, "res.partner", batch_size=0), ValueError, "batch_size"),
    ("batch_size str", lambda c: AsyncModel(c.odoo, "res.partner", batch_size="5"), TypeError, "batch_size"),
    ("batch_window", lambda c: AsyncModel(c.odoo, "res.partner", batch_window=-1), ValueError, "batch_window"),
    # -- the pager on its own
    ("pager page_size", lambda c: c.pager(page_size=0), ValueError, "page_size"),
    ("pager limit", lambda c: c.pager(limit="all"), TypeError, "limit"),
    ("pager offset", lambda c: c.pager(offset=1.0), TypeError, "offset"),
    ("pager prefetch", lambda c: c.pager(prefetch=None), TypeError, "prefetch"),
    ("pager row_id", lambda c: c.pager(row_id="id"), TypeError, "row_id"),
    # -- Record helpers
    ("encode_create dict", lambda c: encode_create({"name": "x"}), TypeError, "record"),
    ("encode_write changes", lambda c: encode_write(Partner, None), TypeError, "changes"),
    ("encode_create readonly", lambda c: encode_create(Partner(), readonly=5), TypeError, "readonly"),
]  # fmt: skip


async def invoke(call: Call, case: Case) -> None:
    result = call(case)
    if inspect.isawaitable(result):
        await result


@pytest.mark.parametrize(
    ("call", "error", "word"),
    [pytest.param(call, error, word, id=label) for label, call, error, word in BAD_CALLS],
)
async def test_a_bad_argument_is_refused_at_once(
    call: Call, error: type[Exception], word: str
) -> None:
    fake = FakeOdoo(db="odoo", partners=5)
    case = Case(fake)
    with pytest.raises(error) as info:
        await invoke(call, case)
    message = str(info.value)
    assert word.lower() in message.lower()
    assert "got" in message or "exactly one" in message  # what was given
    assert fake.count() == 0  # refused before anything was sent
    await case.odoo.aclose()


def test_the_table_is_long_enough() -> None:
    assert len(BAD_CALLS) >= 40
    assert len({label for label, *_ in BAD_CALLS}) == len(BAD_CALLS)


def test_a_refused_secret_is_not_shown() -> None:
    with pytest.raises(TypeError) as info:
        AsyncOdoo(URL, db="odoo", username="admin", password=b"hunter2")  # type: ignore[arg-type]
    assert "hunter2" not in str(info.value)
    assert "bytes" in str(info.value)


@pytest.mark.parametrize(
    ("value", "shown"),
    [("10", "'10' (str)"), (None, "None"), (True, "True"), (2.5, "2.5 (float)")],
)
def test_describe(value: Any, shown: str) -> None:
    assert describe(value) == shown


@pytest.mark.parametrize(
    ("check", "message"),
    [
        (lambda: check_limit(-1), "limit must be an int >= 0 or None, got -1"),
        (lambda: check_limit(True), "limit must be an int >= 0 or None, got True"),
        (lambda: check_int("offset", "3", minimum=0), "offset must be an int >= 0, got '3' (str)"),
        (
            lambda: check_number("timeout", float("nan")),
            "timeout must be a number >= 0, got nan",
        ),
        (lambda: check_ids(7.0), "ids must be a list of record ids (ints), got 7.0 (float)"),
        (
            lambda: check_limit(-1, where="res.partner.search"),
            "res.partner.search: limit must be an int >= 0 or None, got -1",
        ),
    ],
)
def test_check_messages(check: Callable[[], Any], message: str) -> None:
    with pytest.raises((TypeError, ValueError)) as info:
        check()
    assert str(info.value) == message


def test_good_arguments_pass_through() -> None:
    assert check_limit(None) is None
    assert check_limit(0) == 0
    assert check_ids(3) == [3]
    assert check_ids(range(2)) == [0, 1]
    assert check_number("rate", 2) == 2


@pytest.mark.parametrize(
    "url",
    ["http://admin:SECRET@odoo.test", "https://SECRET@odoo.test:8069/", "http://:SECRET@odoo.test"],
)
def test_credentials_in_the_url_are_refused_without_showing_them(url: str) -> None:
    with pytest.raises(ValueError, match="credentials") as info:
        AsyncOdoo(url, db="odoo", username="admin", password="admin")
    assert "SECRET" not in str(info.value)
    assert "odoo.test" in str(info.value)
    with pytest.raises(ValueError, match="credentials"):
        AsyncOdoo.from_env(
            {"ODOO_URL": url, "ODOO_DB": "x", "ODOO_USERNAME": "u", "ODOO_API_KEY": "k"}
        )


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://odoo.test:8069/web", "has a path of Odoo's own (/web)"),
        ("http://odoo.test:8069/web/login", "has a path of Odoo's own (/web)"),
        ("http://odoo.test:8069/web#action=12", "has a path of Odoo's own (/web)"),
        ("https://odoo.test/jsonrpc", "has a path of Odoo's own (/jsonrpc)"),
        ("https://odoo.test/xmlrpc/2/object", "has a path of Odoo's own (/xmlrpc)"),
        ("https://odoo.test/json/2/", "has a path of Odoo's own (/json/2)"),
        ("https://odoo.test/odoo/contacts", "has a path of Odoo's own (/odoo)"),
        (
            "https://odoo.test/odoo/action-base.action_partner_form",
            "has a path of Odoo's own (/odoo)",
        ),
    ],
)
def test_a_url_with_a_path_of_odoo_s_own_is_refused_with_the_base_url(url: str, says: str) -> None:
    with pytest.raises(ValueError) as info:
        AsyncOdoo(url, db="odoo", username="admin", password="admin")
    base = "https://odoo.test" if url.startswith("https") else "http://odoo.test:8069"
    assert str(info.value) == (
        f"url {url!r} {says}, not a prefix the server sits under: give the server's base "
        f"URL, such as {base!r} (the client adds /jsonrpc, /xmlrpc/2 or /json/2 itself)"
    )


def test_a_url_with_a_query_is_refused_keeping_its_prefix() -> None:
    with pytest.raises(ValueError, match=r"query or fragment .*such as 'https://acme.test/odoo'"):
        AsyncOdoo("https://acme.test/odoo?debug=1", db="odoo", username="admin", password="a")


@pytest.mark.parametrize(
    "url",
    [
        "https://acme.test/odoo",
        "https://acme.test/odoo/",
        "https://acme.test/erp/",
        "http://odoo.test:8069/",
    ],
)
def test_a_prefix_a_proxy_serves_odoo_under_is_kept(url: str) -> None:
    odoo = AsyncOdoo(url, db="odoo", username="admin", password="admin")
    assert odoo.url == url.rstrip("/")
