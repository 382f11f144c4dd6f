"""Model methods whose name or parameters differ between Odoo 17, 18 and 19.

One table, read by the client when Odoo refuses a call: if the method is one that
exists on other versions (or takes a parameter under another name there), the
error says which versions have it and what to use instead. Each row was checked
against Odoo's source (the file named beside it) and against a real 17, 18 and 19.
:class:`~odoo_async.AsyncModel`'s ``name_get``, ``has_access``, ``check_access``,
``name_search``, ``read_group`` and ``exists`` send the right call for each version.

Pure: no I/O, table-tested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from ._errors import RPCError

__all__ = ["MOVED", "RENAMED", "version_hint", "with_hint"]


@dataclass(frozen=True)
class Moved:
    """A method that only some versions let a client call."""

    versions: tuple[int, ...]  # the majors where it can be called remotely
    instead: str  # what to use elsewhere
    source: str  # the Odoo file that shows it


#: method -> where it can be called, and what to use elsewhere
MOVED: Final[dict[str, Moved]] = {
    "name_get": Moved(
        (17,),
        "read the field 'display_name' (AsyncModel.name_get does so on every version)",
        "odoo/models.py (17.0: deprecated; 18.0: gone)",
    ),
    "check_access": Moved(
        (18,),
        "call check_access_rights(operation) then check_access_rule(ids, operation) on 17, "
        "has_access(ids, operation) on 19 (AsyncModel.check_access picks for the version)",
        "odoo/models.py 18.0; odoo/orm/models.py 19.0 (@api.private)",
    ),
    "has_access": Moved(
        (18, 19),
        "call check_access_rights(operation, raise_exception=False) on 17 "
        "(AsyncModel.has_access picks for the version)",
        "odoo/models.py 18.0",
    ),
    "formatted_read_group": Moved(
        (19,),
        "call read_group (AsyncModel.read_group sends either, in read_group's shape)",
        "addons/web/models/models.py 19.0",
    ),
    "exists": Moved(
        (17, 18),
        "search([('id', 'in', ids)]) (AsyncModel.exists does so)",
        "odoo/orm/models.py 19.0 (@api.private)",
    ),
    "search_fetch": Moved((17, 18), "call search_read", "odoo/orm/models.py 19.0 (@api.private)"),
}


@dataclass(frozen=True)
class Renamed:
    """A keyword parameter that took another name."""

    method: str
    old: str  # its name up to ``since - 1``
    new: str  # its name from ``since`` on
    since: int
    source: str


RENAMED: Final[tuple[Renamed, ...]] = (
    Renamed("name_search", "args", "domain", 19, "odoo/orm/models.py 19.0"),
    Renamed("default_get", "fields_list", "fields", 19, "odoo/orm/models.py 19.0"),
)

_UNEXPECTED: Final = re.compile(r"got an unexpected keyword argument '(\w+)'")
#: how a missing method, and a wrong argument, are named: JSON-RPC and XML-RPC, JSON-2
_NO_METHOD: Final = ("builtins.AttributeError", "werkzeug.exceptions.NotFound")
_BAD_ARGUMENT: Final = ("builtins.TypeError", "werkzeug.exceptions.UnprocessableEntity")


def _versions(majors: tuple[int, ...]) -> str:
    names = [f"Odoo {m}" for m in majors]
    return names[0] + " only" if len(names) == 1 else " and ".join(names)


def version_hint(error: RPCError, method: str, major: int) -> str | None:
    """What to tell about ``method``, refused with ``error`` by Odoo ``major``, or None.

    Only a refusal that the version explains gets a hint: the method does not
    exist there, is private there, or does not take the keyword it was given.
    """
    moved = MOVED.get(method)
    if moved is not None and major not in moved.versions:
        gone = error.name in _NO_METHOD and "does not exist" in error.message
        private = error.name == "odoo.exceptions.AccessError" and error.message.startswith(
            "Private methods"
        )
        if gone or private:
            return (
                f"{method} can be called on {_versions(moved.versions)}, not on this Odoo "
                f"{major}; instead, {moved.instead}"
            )
    unexpected = _UNEXPECTED.search(error.message) if error.name in _BAD_ARGUMENT else None
    for renamed in RENAMED if unexpected else ():
        if renamed.method != method:
            continue
        given = unexpected.group(1) if unexpected else ""
        if given == renamed.old and major >= renamed.since:
            return f"{method} takes {renamed.new}= from Odoo {renamed.since} on, not {renamed.old}="
        if given == renamed.new and major < renamed.since:
            return f"{method} takes {renamed.old}= before Odoo {renamed.since}, not {renamed.new}="
    return None


def with_hint(error: RPCError, hint: str) -> RPCError:
    """A copy of ``error`` (same class and fields) whose message ends with ``hint``."""
    return type(error)(
        f"{error.message.rstrip('.')}: {hint}",
        name=error.name,
        arguments=error.arguments,
        debug=error.debug,
        code=error.code,
        model=error.model,
        method=error.method,
        context=error.context,
    )
