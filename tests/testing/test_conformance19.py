"""FakeOdoo(version="19.0") against replies captured from a real Odoo 19 server.

As ``test_conformance.py`` does for Odoo 17: each case is one capture of
``odoo19-wire`` (named after it), sent as captured through the in-process
transport; the reply must have the captured status, content type, keys, error
name and message. The double's demo data is Odoo 17's, so results are compared
by shape (types and keys), not by value. The expected values are copied here:
tests never read the captures.
"""

from __future__ import annotations

import json
import xmlrpc.client
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from odoo_async.testing import FakeOdoo

from .test_conformance import Like  # the same prefix/suffix matcher

DB = "odoo19"
KEY = "API-KEY-REDACTED"
DEMO_KEY = "API-KEY-DEMO-REDACTED"
JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"
VERSION_INFO = [19, 0, 0, "final", 0, ""]
ERROR_KEYS = ["name", "message", "arguments", "context", "debug"]
NOT_AUTHENTICATED = "User not authenticated, use an API Key with a Bearer Authorization header."
POST_ONLY = "Did you mean POST /json/2/<model>/<method>?"
NO_DATABASE = (
    "<!DOCTYPE html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
    "<p>No database is selected and the requested URL was not found in the server-wide "
    "controllers.</p>\n<p>Please verify the hostname, <a href=/web/login>login</a> and try "
    "again.</p>\n\n<!-- Alternatively, use the X-Odoo-Database header. -->\n"
)
UNSUPPORTED_MEDIA = (
    "<!doctype html>\n<html lang=en>\n<title>415 Unsupported Media Type</title>\n"
    "<h1>Unsupported Media Type</h1>\n<p>Request inferred type is compatible with "
    "[&#39;http&#39;] but &#39;/json/2/&lt;__model__&gt;/&lt;__method__&gt;&#39; is "
    "type=&#39;json2&#39;.<br><br>Please verify the Content-Type request header and try "
    "again.</p>\n"
)
CONFIG_DENIED = (
    "You are not allowed to access 'System Parameter' (ir.config_parameter) records.\n\n"
    "This operation is allowed for the following groups:\n\t- Role / Administrator\n\n"
    "Contact your administrator to request access if necessary."
)


def headers(key: str | None = KEY, **extra: str) -> dict[str, str]:
    out = {"Content-Type": "application/json", "X-Odoo-Database": DB}
    if key is not None:
        out["Authorization"] = f"bearer {key}"
    out.update(extra)
    return {k: v for k, v in out.items() if v}


@pytest.fixture
def fake() -> FakeOdoo:
    return FakeOdoo(db=DB, version="19.0", api_keys={2: KEY, 5: DEMO_KEY})


@pytest.fixture
async def client(fake: FakeOdoo) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://odoo.test") as http:
        yield http


# --- JSON-2 errors: (case, HTTP method, path, headers, body, status, name, message) --------

JSON2_ERRORS: list[tuple[str, str, str, dict[str, str], bytes, int, str, Any]] = [
    (
        "json2_err_no_authorization",
        "POST",
        "/json/2/res.partner/search",
        headers(None),
        b'{"domain": []}',
        401,
        "werkzeug.exceptions.Unauthorized",
        NOT_AUTHENTICATED,
    ),
    (
        "json2_err_wrong_key",
        "POST",
        "/json/2/res.partner/search",
        headers("0000000000000000000000000000000000000000"),
        b'{"domain": []}',
        401,
        "werkzeug.exceptions.Unauthorized",
        "Invalid apikey",
    ),
    (
        "json2_err_basic_auth_scheme",
        "POST",
        "/json/2/res.partner/search",
        headers(None, Authorization="Basic YWRtaW46YWRtaW4="),
        b'{"domain": []}',
        401,
        "werkzeug.exceptions.Unauthorized",
        NOT_AUTHENTICATED,
    ),
    (
        "doc_bearer_res_partner_no_auth",
        "GET",
        "/doc-bearer/res.partner.json",
        headers(None, **{"Content-Type": ""}),
        b"",
        401,
        "werkzeug.exceptions.Unauthorized",
        NOT_AUTHENTICATED,
    ),
    (
        "json2_err_unknown_model",
        "POST",
        "/json/2/no.such.model/search",
        headers(),
        b'{"domain": []}',
        404,
        "werkzeug.exceptions.NotFound",
        "the model 'no.such.model' does not exist",
    ),
    (
        "json2_err_unknown_method",
        "POST",
        "/json/2/res.partner/no_such_method",
        headers(),
        b'{"domain": []}',
        404,
        "werkzeug.exceptions.NotFound",
        "The method 'res.partner.no_such_method' does not exist",
    ),
    (
        "json2_bare_prefix_get",
        "GET",
        "/json/2",
        headers(**{"Content-Type": ""}),
        b"",
        404,
        "werkzeug.exceptions.NotFound",
        POST_ONLY,
    ),
    (
        "json2_err_get_instead_of_post",
        "GET",
        "/json/2/res.partner/search",
        headers(),
        b"",
        404,
        "werkzeug.exceptions.NotFound",
        POST_ONLY,
    ),
    (
        "json2_err_put_instead_of_post",
        "PUT",
        "/json/2/res.partner/search",
        headers(),
        b'{"domain": []}',
        404,
        "werkzeug.exceptions.NotFound",
        POST_ONLY,
    ),
    (
        "json2_err_private_method_underscore",
        "POST",
        "/json/2/res.partner/_get_complete_name",
        headers(),
        b'{"ids": [1]}',
        403,
        "odoo.exceptions.AccessError",
        "Private methods (such as 'res.partner._get_complete_name') cannot be called remotely.",
    ),
    (
        "json2_err_private_method_decorator",
        "POST",
        "/json/2/res.partner/search_fetch",
        headers(),
        b'{"domain": [], "field_names": ["name"]}',
        403,
        "odoo.exceptions.AccessError",
        "Private methods (such as 'res.partner.search_fetch') cannot be called remotely.",
    ),
    (
        "json2_exists",
        "POST",
        "/json/2/res.partner/exists",
        headers(),
        b'{"ids": [1, 55]}',
        403,
        "odoo.exceptions.AccessError",
        "Private methods (such as 'res.partner.exists') cannot be called remotely.",
    ),
    (
        "json2_err_access_error_demo_config_param",
        "POST",
        "/json/2/ir.config_parameter/search_read",
        headers(DEMO_KEY),
        b'{"domain": [], "fields": ["key"]}',
        403,
        "odoo.exceptions.AccessError",
        CONFIG_DENIED,
    ),
    (
        "json2_err_missing_required_argument",
        "POST",
        "/json/2/res.partner/search",
        headers(),
        b'{"limit": 1}',
        422,
        "werkzeug.exceptions.UnprocessableEntity",
        "missing a required argument: 'domain'",
    ),
    (
        "json2_err_unexpected_argument",
        "POST",
        "/json/2/res.partner/search",
        headers(),
        b'{"domain": [], "bogus": 1}',
        422,
        "werkzeug.exceptions.UnprocessableEntity",
        "got an unexpected keyword argument 'bogus'",
    ),
    (
        "json2_err_ids_on_api_model",
        "POST",
        "/json/2/res.partner/create",
        headers(),
        b'{"ids": [1], "vals_list": [{"name": "x"}]}',
        422,
        "werkzeug.exceptions.UnprocessableEntity",
        "cannot call res.partner.create with ids",
    ),
    (
        "json2_err_empty_body",
        "POST",
        "/json/2/res.partner/search",
        headers(),
        b"",
        422,
        "werkzeug.exceptions.UnprocessableEntity",
        "missing a required argument: 'domain'",
    ),
    (
        "json2_err_json_array_body",
        "POST",
        "/json/2/res.partner/search",
        headers(),
        b'[[["is_company", "=", true]]]',
        422,
        "werkzeug.exceptions.UnprocessableEntity",
        "missing a required argument: 'domain'",
    ),
    (
        "json2_err_validation_recursive_parent",
        "POST",
        "/json/2/res.partner/write",
        headers(),
        b'{"ids": [1], "vals": {"parent_id": 1}}',
        422,
        "odoo.exceptions.ValidationError",
        "You cannot create recursive Partner hierarchies.",
    ),
    (
        "json2_err_user_error_unlink_admin",
        "POST",
        "/json/2/res.users/unlink",
        headers(),
        b'{"ids": [2]}',
        422,
        "odoo.exceptions.UserError",
        Like("You cannot delete the admin user because it is utilized in various places"),
    ),
    (
        "json2_err_missing_error_write_deleted",
        "POST",
        "/json/2/res.partner/write",
        headers(),
        b'{"ids": [99055], "vals": {"name": "x"}}',
        404,
        "odoo.exceptions.MissingError",
        "Record does not exist or has been deleted.\n(Record: res.partner(99055,), User: 2)",
    ),
    (
        "json2_err_unknown_field_in_domain",
        "POST",
        "/json/2/res.partner/search",
        headers(),
        b'{"domain": [["no_such_field", "=", 1]]}',
        500,
        "builtins.ValueError",
        "Invalid field res.partner.no_such_field in condition ('no_such_field', '=', 1)",
    ),
    (
        "json2_err_unknown_field_in_fields",
        "POST",
        "/json/2/res.partner/read",
        headers(),
        b'{"ids": [1], "fields": ["no_such_field"]}',
        500,
        "builtins.ValueError",
        "Invalid field 'no_such_field' on 'res.partner'",
    ),
    (
        "json2_err_value_error_bad_selection",
        "POST",
        "/json/2/res.partner/create",
        headers(),
        b'{"vals_list": [{"name": "x", "type": "bogus"}]}',
        500,
        "builtins.ValueError",
        "Wrong value for res.partner.type: 'bogus'",
    ),
    (
        "json2_err_bad_domain_operator",
        "POST",
        "/json/2/res.partner/search",
        headers(),
        b'{"domain": [["name", "bogus_op", "x"]]}',
        500,
        "builtins.ValueError",
        "Invalid operator in condition ('name', 'bogus_op', 'x')",
    ),
    (
        "json2_err_invalid_json_body",
        "POST",
        "/json/2/res.partner/search",
        headers(),
        b'{"domain": [',
        400,
        "werkzeug.exceptions.BadRequest",
        "could not parse the body as json: Expecting value: line 1 column 13 (char 12)",
    ),
]


@pytest.mark.parametrize(
    ("case", "method", "path", "sent", "body", "status", "name", "message"),
    JSON2_ERRORS,
    ids=[case[0] for case in JSON2_ERRORS],
)
async def test_json2_error(
    client: httpx.AsyncClient,
    case: str,
    method: str,
    path: str,
    sent: dict[str, str],
    body: bytes,
    status: int,
    name: str,
    message: Any,
) -> None:
    reply = await client.request(method, path, content=body, headers=sent)
    assert reply.status_code == status
    assert reply.headers["content-type"] == JSON_TYPE
    assert "x-content-type-options" not in reply.headers  # errors go without nosniff
    error = reply.json()
    assert list(error) == ERROR_KEYS
    assert (error["name"], error["message"]) == (name, message)
    expected_arguments = [message, status] if name.startswith("werkzeug.") else [message]
    assert error["arguments"] == expected_arguments
    assert error["context"] == {}
    assert error["debug"].startswith("Traceback (most recent call last):")
    if status == 401:
        assert reply.headers["www-authenticate"] == "Bearer "


# --- JSON-2 replies that are not JSON: (case, headers, status, page) --------------------------

JSON2_PAGES: list[tuple[str, dict[str, str], int, str]] = [
    ("json2_err_no_content_type", headers(**{"Content-Type": ""}), 415, UNSUPPORTED_MEDIA),
    (
        "json2_err_wrong_content_type",
        headers(**{"Content-Type": "text/plain"}),
        415,
        UNSUPPORTED_MEDIA,
    ),
    (
        "json2_err_form_content_type",
        headers(**{"Content-Type": "application/x-www-form-urlencoded"}),
        415,
        UNSUPPORTED_MEDIA,
    ),
    ("json2_err_no_database_header", headers(**{"X-Odoo-Database": ""}), 404, NO_DATABASE),
    (
        "json2_err_wrong_database_header",
        headers(**{"X-Odoo-Database": "no_such_db"}),
        404,
        NO_DATABASE,
    ),
]


@pytest.mark.parametrize(
    ("case", "sent", "status", "page"), JSON2_PAGES, ids=[case[0] for case in JSON2_PAGES]
)
async def test_json2_html_page(
    client: httpx.AsyncClient, case: str, sent: dict[str, str], status: int, page: str
) -> None:
    reply = await client.post(
        "/json/2/res.partner/search", content=b'{"domain": [], "limit": 1}', headers=sent
    )
    assert reply.status_code == status
    assert reply.headers["content-type"] == HTML_TYPE
    assert reply.text == page


# --- JSON-2 successes: (case, path, headers, body, check of the result) -------------------


def ids_list(n: int | None = None) -> Any:
    def check(value: Any) -> bool:
        return (
            isinstance(value, list)
            and all(isinstance(i, int) and not isinstance(i, bool) for i in value)
            and (n is None or len(value) == n)
        )

    return check


def rows_with(*keys: str) -> Any:
    def check(value: Any) -> bool:
        return isinstance(value, list) and bool(value) and all(list(r) == list(keys) for r in value)

    return check


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def name_pairs(value: Any) -> bool:
    return bool(value) and all(is_int(i) and isinstance(n, str) for i, n in value)


def groups_with(*keys: str) -> Any:
    def check(value: Any) -> bool:
        return bool(value) and all(set(g) == set(keys) for g in value)

    return check


JSON2_RESULTS: list[tuple[str, str, dict[str, str], bytes, Any]] = [
    (
        "json2_search_ok",
        "/json/2/res.partner/search",
        headers(),
        b'{"domain": [["is_company", "=", true]], "limit": 3}',
        ids_list(3),
    ),
    (
        "json2_search_count_ok",
        "/json/2/res.partner/search_count",
        headers(),
        b'{"domain": [["is_company", "=", true]]}',
        is_int,
    ),
    (
        "json2_bearer_capitalized_ok",
        "/json/2/res.partner/search_count",
        headers(None, Authorization=f"Bearer {KEY}"),
        b'{"domain": []}',
        is_int,
    ),
    (
        "json2_read_ok",
        "/json/2/res.partner/read",
        headers(),
        b'{"ids": [1, 8, 9], "fields": ["name", "email", "parent_id", "country_id", '
        b'"category_id", "write_date", "is_company"]}',
        rows_with(
            "id",
            "name",
            "email",
            "parent_id",
            "country_id",
            "category_id",
            "write_date",
            "is_company",
        ),
    ),
    (
        "json2_search_read_ok",
        "/json/2/res.partner/search_read",
        headers(),
        b'{"domain": [["is_company", "=", true]], "fields": ["name", "email"], "limit": 5}',
        rows_with("id", "name", "email"),
    ),
    (
        "json2_create_ok",
        "/json/2/res.partner/create",
        headers(),
        b'{"vals_list": [{"name": "capture19 A", "email": "a@example.com"}, '
        b'{"name": "capture19 B"}]}',
        ids_list(2),
    ),
    (
        "json2_create_single_dict_ok",
        "/json/2/res.partner/create",
        headers(),
        b'{"vals_list": {"name": "capture19 C"}}',
        ids_list(1),
    ),
    (
        "json2_write_ok",
        "/json/2/res.partner/write",
        headers(),
        b'{"ids": [1], "vals": {"email": "written@example.com", "phone": "+1 555 0100"}}',
        lambda value: value is True,
    ),
    (
        "json2_unlink_ok",
        "/json/2/res.partner/unlink",
        headers(),
        b'{"ids": [41, 42]}',
        lambda value: value is True,
    ),
    (
        "json2_read_empty_ids_ok",
        "/json/2/res.partner/read",
        headers(),
        b'{"ids": [], "fields": ["name"]}',
        lambda value: value == [],
    ),
    (
        "json2_err_missing_error_read_deleted",
        "/json/2/res.partner/read",
        headers(),
        b'{"ids": [99055], "fields": ["name"]}',
        lambda value: value == [],
    ),
    (
        "json2_search_read_context_ok",
        "/json/2/res.partner/search_count",
        headers(),
        b'{"domain": [], "context": {"active_test": false}}',
        is_int,
    ),
    (
        "json2_fields_get_ok",
        "/json/2/res.partner/fields_get",
        headers(),
        b'{"allfields": ["name", "email", "parent_id", "type"], '
        b'"attributes": ["type", "string", "required", "relation", "selection"]}',
        lambda value: (
            set(value) == {"name", "email", "parent_id", "type"}
            and value["parent_id"]["relation"] == "res.partner"
            and value["type"]["type"] == "selection"
        ),
    ),
    (
        "json2_name_search_ok",
        "/json/2/res.partner/name_search",
        headers(),
        b'{"name": "Azure", "limit": 5}',
        name_pairs,
    ),
    (
        "json2_formatted_read_group_ok",
        "/json/2/res.partner/formatted_read_group",
        headers(),
        b'{"domain": [["is_company", "=", true]], "groupby": ["country_id"], '
        b'"aggregates": ["__count"], "limit": 5}',
        groups_with("country_id", "__extra_domain", "__count"),
    ),
    (
        "json2_read_group_deprecated",
        "/json/2/res.partner/read_group",
        headers(),
        b'{"domain": [["is_company", "=", true]], "fields": ["country_id"], '
        b'"groupby": ["country_id"], "limit": 5}',
        groups_with("country_id", "country_id_count", "__domain"),
    ),
    (
        "json2_copy_returns_recordset_ok",
        "/json/2/res.partner/copy",
        headers(),
        b'{"ids": [1], "default": {"name": "capture19 copy"}}',
        ids_list(1),
    ),
    (
        "json2_name_create_ok",
        "/json/2/res.partner/name_create",
        headers(),
        b'{"name": "capture19 name_create"}',
        lambda value: is_int(value[0]) and value[1] == "capture19 name_create",
    ),
    (
        "json2_context_get_ok",
        "/json/2/res.users/context_get",
        headers(),
        b"{}",
        lambda value: value == {"lang": "en_US", "tz": "Europe/Brussels", "uid": 2},
    ),
    (
        "json2_no_content_type_empty_body_ok",
        "/json/2/res.users/context_get",
        headers(**{"Content-Type": ""}),
        b"",
        lambda value: value == {"lang": "en_US", "tz": "Europe/Brussels", "uid": 2},
    ),
]


@pytest.mark.parametrize(
    ("case", "path", "sent", "body", "check"), JSON2_RESULTS, ids=[c[0] for c in JSON2_RESULTS]
)
async def test_json2_result(
    client: httpx.AsyncClient, case: str, path: str, sent: dict[str, str], body: bytes, check: Any
) -> None:
    reply = await client.post(path, content=body, headers=sent)
    assert reply.status_code == 200
    assert reply.headers["content-type"] == JSON_TYPE
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert check(reply.json()), reply.json()


async def test_formatted_read_group_extra_domain_is_the_groups_own(
    client: httpx.AsyncClient,
) -> None:
    reply = await client.post(
        "/json/2/res.partner/formatted_read_group",
        content=b'{"domain": [["is_company", "=", true]], "groupby": ["country_id"], '
        b'"aggregates": ["__count"]}',
        headers=headers(),
    )
    for group in reply.json():
        assert group["__extra_domain"] == [["country_id", "=", group["country_id"][0]]]


async def test_doc_bearer_names_every_methods_parameters(client: httpx.AsyncClient) -> None:
    reply = await client.get("/doc-bearer/res.partner.json", headers=headers())
    assert reply.status_code == 200
    doc = reply.json()
    assert list(doc) == ["model", "name", "doc", "fields", "methods"]
    search = doc["methods"]["search"]
    assert list(search["parameters"]) == ["domain", "offset", "limit", "order"]
    assert search["parameters"]["offset"] == {"default": 0}
    assert search["api"] == ["model"]
    assert "api" not in doc["methods"]["write"]  # a method on records: it takes ids
    assert doc["methods"]["search_read"]["parameters"]["kwargs"] == {"kind": "VAR_KEYWORD"}


# --- versions and the deprecated endpoints --------------------------------------------------


@pytest.mark.parametrize("path", ["/web/version", "/json/version"])
async def test_version_endpoints(client: httpx.AsyncClient, path: str) -> None:
    reply = await client.get(path)
    assert reply.status_code == 200
    assert reply.headers["content-type"] == JSON_TYPE
    assert reply.json() == {"version_info": VERSION_INFO, "version": "19.0"}


async def test_post_web_version_is_redirected(client: httpx.AsyncClient) -> None:
    reply = await client.post("/web/version")
    assert reply.status_code == 303
    assert reply.headers["location"] == "/web/database/selector"


def rpc(service: str, method: str, *args: Any) -> bytes:
    return json.dumps(
        {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": list(args)},
            "id": 1,
        }
    ).encode()


@pytest.mark.parametrize(
    ("case", "body", "result"),
    [
        (
            "jsonrpc_version_ok",
            rpc("common", "version"),
            {
                "server_version": "19.0",
                "server_version_info": VERSION_INFO,
                "server_serie": "19.0",
                "protocol_version": 1,
            },
        ),
        ("jsonrpc_authenticate_ok", rpc("common", "authenticate", DB, "admin", "admin", {}), 2),
        ("jsonrpc_authenticate_apikey_ok", rpc("common", "authenticate", DB, "admin", KEY, {}), 2),
        ("demo_is_uid_5", rpc("common", "authenticate", DB, "demo", "demo", {}), 5),
        (
            "jsonrpc_authenticate_wrong_password",
            rpc("common", "authenticate", DB, "admin", "wrong-password", {}),
            False,
        ),
    ],
)
async def test_jsonrpc_result(
    client: httpx.AsyncClient, case: str, body: bytes, result: Any
) -> None:
    reply = await client.post(
        "/jsonrpc", content=body, headers={"Content-Type": "application/json"}
    )
    assert reply.json() == {"jsonrpc": "2.0", "id": 1, "result": result}


@pytest.mark.parametrize(
    ("case", "args", "name", "message"),
    [
        (
            "jsonrpc_err_wrong_password",
            [DB, 2, "wrong-password", "res.partner", "search_count", [[]]],
            "odoo.exceptions.AccessDenied",
            "Access Denied",
        ),
        (
            "jsonrpc_err_unknown_model",
            [DB, 2, "admin", "no.such.model", "search_read", [[]]],
            "odoo.exceptions.UserError",
            "Object no.such.model doesn't exist",
        ),
        (
            "jsonrpc_err_private_method",
            [DB, 2, "admin", "res.partner", "_get_complete_name", [[1]]],
            "odoo.exceptions.AccessError",
            "Private methods (such as 'res.partner._get_complete_name') cannot be called remotely.",
        ),
        (
            "jsonrpc_err_validation_recursive_parent",
            [DB, 2, "admin", "res.partner", "write", [[1], {"parent_id": 1}]],
            "odoo.exceptions.ValidationError",
            "You cannot create recursive Partner hierarchies.",
        ),
    ],
)
async def test_jsonrpc_fault_code_is_0(
    client: httpx.AsyncClient, case: str, args: list[Any], name: str, message: str
) -> None:
    reply = await client.post(
        "/jsonrpc",
        content=rpc("object", "execute_kw", *args),
        headers={"Content-Type": "application/json"},
    )
    error = reply.json()["error"]
    assert (error["code"], error["message"]) == (0, "Odoo Server Error")
    assert (error["data"]["name"], error["data"]["message"]) == (name, message)


async def test_xmlrpc_on_19(client: httpx.AsyncClient) -> None:
    async def call(method: str, *params: Any) -> Any:
        body = xmlrpc.client.dumps(params, method).encode()
        reply = await client.post("/xmlrpc/2/object", content=body)
        return xmlrpc.client.loads(reply.content)[0][0]

    with pytest.raises(xmlrpc.client.Fault) as wrong:  # xmlrpc_err_wrong_password
        await call("execute_kw", DB, 2, "wrong-password", "res.partner", "search_count", [[]])
    assert (wrong.value.faultCode, wrong.value.faultString) == (3, "Access Denied")
    with pytest.raises(xmlrpc.client.Fault) as unknown:  # xmlrpc_err_unknown_model
        await call("execute_kw", DB, 2, "admin", "no.such.model", "search_read", [[]])
    assert unknown.value.faultCode == 2
    assert unknown.value.faultString == "Object no.such.model doesn't exist"


async def test_json2_can_be_switched_off() -> None:
    fake = FakeOdoo(db=DB, version="19.0", json2=False, api_keys={2: KEY})
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://odoo.test") as http:
        reply = await http.post(
            "/json/2/res.partner/search_count", content=b'{"domain": []}', headers=headers()
        )
        assert reply.status_code == 404
        assert reply.headers["content-type"] == HTML_TYPE
        assert (await http.get("/web/version")).json()["version"] == "19.0"


async def test_odoo_17_has_no_json2_and_no_web_version() -> None:
    fake = FakeOdoo(db=DB, api_keys={2: KEY})
    async with httpx.AsyncClient(transport=fake.transport(), base_url="http://odoo.test") as http:
        assert (await http.get("/web/version")).status_code == 404
        reply = await http.post(
            "/json/2/res.partner/search_count", content=b'{"domain": []}', headers=headers()
        )
        assert reply.status_code == 404


def test_json2_needs_odoo_19() -> None:
    with pytest.raises(ValueError, match="JSON-2"):
        FakeOdoo(version="17.0", json2=True)
    with pytest.raises(ValueError, match="version"):
        FakeOdoo(version="16.0")


async def test_copy_returns_the_id_on_17_and_the_ids_on_19() -> None:
    for version, expected in (("17.0", int), ("19.0", list)):
        fake = FakeOdoo(db=DB, version=version)
        async with httpx.AsyncClient(
            transport=fake.transport(), base_url="http://odoo.test"
        ) as http:
            body = rpc("object", "execute_kw", DB, 2, "admin", "res.partner", "copy", [[1]])
            reply = await http.post(
                "/jsonrpc", content=body, headers={"Content-Type": "application/json"}
            )
        assert isinstance(reply.json()["result"], expected)
