"""``version_hint``: which refusals the server's version explains, as a table."""

from __future__ import annotations

import pytest

from odoo_async import AccessError, RPCError
from odoo_async._versions import MOVED, version_hint, with_hint

GONE = ("builtins.AttributeError", "The method 'res.partner.{m}' does not exist")
PRIVATE = (
    "odoo.exceptions.AccessError",
    "Private methods (such as 'res.partner.{m}') cannot be called remotely.",
)
UNEXPECTED = ("builtins.TypeError", "BaseModel.{m}() got an unexpected keyword argument '{kw}'")
# as JSON-2 names them
NOT_FOUND = ("werkzeug.exceptions.NotFound", "The method 'res.partner.{m}' does not exist")
UNPROCESSABLE = (
    "werkzeug.exceptions.UnprocessableEntity",
    "got an unexpected keyword argument '{kw}'",
)


@pytest.mark.parametrize(
    ("fault", "method", "kw", "major", "expected"),
    [
        (GONE, "name_get", "", 18, "name_get can be called on Odoo 17 only, not on this Odoo 18"),
        (GONE, "name_get", "", 17, None),  # not the version's doing
        (GONE, "no_such_method", "", 18, None),
        (GONE, "has_access", "", 17, "has_access can be called on Odoo 18 and Odoo 19"),
        (PRIVATE, "check_access", "", 19, "check_access can be called on Odoo 18 only"),
        (PRIVATE, "exists", "", 19, "search([('id', 'in', ids)])"),
        (PRIVATE, "_private", "", 19, None),
        (GONE, "formatted_read_group", "", 18, "instead, call read_group"),
        (UNEXPECTED, "name_search", "args", 19, "name_search takes domain= from Odoo 19 on"),
        (UNEXPECTED, "name_search", "domain", 18, "name_search takes args= before Odoo 19"),
        (UNEXPECTED, "name_search", "domain", 19, None),
        (UNEXPECTED, "name_search", "other", 19, None),
        (UNEXPECTED, "default_get", "fields_list", 19, "default_get takes fields= from Odoo 19"),
        (UNEXPECTED, "default_get", "fields", 17, "default_get takes fields_list= before Odoo 19"),
        (
            NOT_FOUND,
            "name_get",
            "",
            19,
            "name_get can be called on Odoo 17 only, not on this Odoo 19",
        ),
        (UNPROCESSABLE, "name_search", "args", 19, "name_search takes domain= from Odoo 19 on"),
    ],
)
def test_version_hint(
    fault: tuple[str, str], method: str, kw: str, major: int, expected: str | None
) -> None:
    name, message = fault
    error = RPCError(message.format(m=method, kw=kw), name=name, model="res.partner", method=method)
    hint = version_hint(error, method, major)
    if expected is None:
        assert hint is None
    else:
        assert hint is not None
        assert expected in hint


def test_every_moved_method_names_its_source() -> None:
    for method, moved in MOVED.items():
        assert moved.versions, method
        assert set(moved.versions) <= {17, 18, 19}, method
        assert moved.source.startswith(("odoo/", "addons/")), method


def test_with_hint_keeps_the_class_and_the_fields() -> None:
    error = AccessError("Private methods (such as 'x.exists') cannot be called remotely.",
                        name="odoo.exceptions.AccessError", code=0, model="x", method="exists",
                        debug="Traceback", arguments=["a"])  # fmt: skip
    hinted = with_hint(error, "the hint")
    assert type(hinted) is AccessError
    assert hinted.message.endswith("cannot be called remotely: the hint")
    assert (
        hinted.name,
        hinted.code,
        hinted.model,
        hinted.method,
        hinted.debug,
        hinted.arguments,
    ) == ("odoo.exceptions.AccessError", 0, "x", "exists", "Traceback", ["a"])
