"""Argument checks for the public API: pure functions, no I/O.

Every public entry point (the client's constructor, ``with_options``,
``with_context``, ``execute_kw``, the repository, the pager, the Record
helpers) checks what it is given with these, so a bad argument is refused at
once, where it enters, with one kind of message::

    limit must be an int >= 0 or None, got -1
    timeout must be seconds (a number >= 0), an httpx.Timeout or None, got '10' (str)

``TypeError`` for a value of the wrong type, ``ValueError`` for a value of the
right type out of range. Each message names the parameter (prefixed with
``where``, such as ``"res.partner.search"``, when given), what was given and
what is accepted. A secret is described by its type only, never shown.
"""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import httpx

__all__ = [
    "check_bool",
    "check_callable",
    "check_choice",
    "check_ids",
    "check_instance",
    "check_int",
    "check_limit",
    "check_mapping",
    "check_names",
    "check_number",
    "check_offset",
    "check_str",
    "check_timeout",
    "check_url",
    "describe",
]

_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60
_repr.maxlist = 6
_repr.maxdict = 4


def describe(value: Any, *, secret: bool = False) -> str:
    """``'10' (str)``: a short repr and the type; only the type for a secret."""
    name = type(value).__name__
    if secret:
        return f"a {name}"
    if value is None or isinstance(value, bool):
        return repr(value)
    return f"{_repr.repr(value)} ({name})"


def _refuse(
    error: type[Exception],
    name: str,
    accepted: str,
    value: Any,
    where: str | None,
    *,
    secret: bool = False,
) -> Exception:
    prefix = f"{where}: " if where else ""
    # A value of the right type out of range needs no type name; a wrong type does.
    shown = (
        _repr.repr(value) if error is ValueError and not secret else describe(value, secret=secret)
    )
    return error(f"{prefix}{name} must be {accepted}, got {shown}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_int(
    name: str,
    value: Any,
    *,
    minimum: int | None = None,
    none: bool = False,
    where: str | None = None,
) -> Any:
    """``value`` if it is an int (not a bool) ``>= minimum``, or ``None`` when ``none``."""
    if value is None and none:
        return None
    accepted = "an int" + (f" >= {minimum}" if minimum is not None else "")
    accepted += " or None" if none else ""
    if not _is_int(value):
        raise _refuse(TypeError, name, accepted, value, where)
    if minimum is not None and value < minimum:
        raise _refuse(ValueError, name, accepted, value, where)
    return value


def check_limit(value: Any, *, where: str | None = None) -> int | None:
    """``limit``: an int ``>= 0`` or ``None`` (``0``, as in Odoo, means no limit)."""
    result: int | None = check_int("limit", value, minimum=0, none=True, where=where)
    return result


def check_offset(value: Any, *, where: str | None = None) -> int:
    """``offset``: an int ``>= 0``."""
    result: int = check_int("offset", value, minimum=0, where=where)
    return result


def check_number(
    name: str,
    value: Any,
    *,
    minimum: float = 0.0,
    above: bool = False,
    maximum: float | None = None,
    none: bool = False,
    accepted: str | None = None,
    where: str | None = None,
) -> Any:
    """``value`` if it is a finite int or float ``>= minimum`` (``> minimum`` when
    ``above``) and ``<= maximum`` (when given), or ``None`` when ``none``.
    ``accepted`` replaces the description."""
    if value is None and none:
        return None
    if accepted is None:
        if maximum is not None:
            accepted = f"a number from {minimum:g} to {maximum:g}"
        else:
            accepted = f"a number {'>' if above else '>='} {minimum:g}"
        accepted += " or None" if none else ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _refuse(TypeError, name, accepted, value, where)
    if (
        not math.isfinite(value)
        or value < minimum
        or (above and value == minimum)
        or (maximum is not None and value > maximum)
    ):
        raise _refuse(ValueError, name, accepted, value, where)
    return value


def check_bool(name: str, value: Any, *, where: str | None = None) -> bool:
    """``value`` if it is ``True`` or ``False`` (not ``1``, not ``"yes"``)."""
    if not isinstance(value, bool):
        raise _refuse(TypeError, name, "True or False", value, where)
    return value


def check_str(
    name: str,
    value: Any,
    *,
    accepted: str = "a non-empty string",
    none: bool = False,
    empty: bool = False,
    secret: bool = False,
    where: str | None = None,
) -> Any:
    """``value`` if it is a string (non-empty unless ``empty``), or ``None`` when ``none``."""
    if value is None and none:
        return None
    if not isinstance(value, str):
        raise _refuse(TypeError, name, accepted, value, where, secret=secret)
    if not value and not empty:
        raise _refuse(ValueError, name, accepted, value, where, secret=secret)
    return value


def check_instance(
    name: str,
    value: Any,
    types: type | tuple[type, ...],
    accepted: str,
    *,
    none: bool = False,
    where: str | None = None,
) -> Any:
    """``value`` if it is an instance of ``types`` (or ``None`` when ``none``)."""
    if (value is None and none) or isinstance(value, types):
        return value
    raise _refuse(TypeError, name, accepted, value, where)


def check_mapping(
    name: str,
    value: Any,
    *,
    none: bool = True,
    values: type | None = None,
    where: str | None = None,
) -> Any:
    """``value`` if it is a mapping with string keys (and ``values`` values, when
    given), or ``None`` when ``none``."""
    accepted = "a dict with string keys" + (" or None" if none else "")
    if value is None and none:
        return None
    if not isinstance(value, Mapping):
        raise _refuse(TypeError, name, accepted, value, where)
    for key, item in value.items():
        if not isinstance(key, str):
            raise _refuse(TypeError, f"every key of {name}", "a string", key, where)
        if values is not None and not isinstance(item, values):
            raise _refuse(TypeError, f"{name}[{key!r}]", f"a {values.__name__}", item, where)
    return value


def check_callable(name: str, value: Any, accepted: str, *, where: str | None = None) -> Any:
    if not callable(value):
        raise _refuse(TypeError, name, accepted, value, where)
    return value


def check_names(
    name: str, value: Any, *, none: bool = True, where: str | None = None
) -> list[str] | None:
    """A list of field names (any sequence of strings, not a string itself)."""
    accepted = "a list of field names" + (" or None" if none else "")
    if value is None and none:
        return None
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, Iterable)):
        raise _refuse(TypeError, name, accepted, value, where)
    if isinstance(value, Mapping):
        raise _refuse(TypeError, name, accepted, value, where)
    names = list(value)
    for item in names:
        if not isinstance(item, str) or not item:
            raise _refuse(TypeError, f"every item of {name}", "a field name (str)", item, where)
    return names


def check_ids(value: Any, *, where: str | None = None, name: str = "ids") -> list[int]:
    """Record ids: one int, or an iterable of ints (not a string, not bools)."""
    if _is_int(value):
        return [value]
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise _refuse(TypeError, name, "a list of record ids (ints)", value, where)
    ids = list(value)
    if not all(type(item) is int for item in ids):  # the common case, checked fast
        for item in ids:
            if not _is_int(item):
                raise _refuse(TypeError, f"every item of {name}", "a record id (int)", item, where)
    return ids


def check_timeout(value: Any, *, name: str = "timeout", where: str | None = None) -> Any:
    """Seconds (a number ``>= 0``), an ``httpx.Timeout``, or ``None`` (no limit)."""
    if value is None or isinstance(value, httpx.Timeout):
        return value
    accepted = "seconds (a number >= 0), an httpx.Timeout or None"
    return check_number(name, value, accepted=accepted, where=where)


def check_choice(
    name: str,
    value: Any,
    choices: Iterable[str],
    *,
    accepted: str | None = None,
    where: str | None = None,
) -> str:
    """``value`` if it is one of ``choices`` (strings); the message lists them all.

    ``accepted`` replaces the list in the message where more than the strings is
    accepted (``"'jsonrpc', ... or a WireProtocol"``).
    """
    names = tuple(choices)
    shown = accepted or "one of " + ", ".join(map(repr, names))
    if not isinstance(value, str):
        raise _refuse(TypeError, name, shown, value, where)
    if value not in names:
        raise _refuse(ValueError, name, shown, value, where)
    return value


def check_url(value: Any) -> str:
    """An ``http://`` or ``https://`` URL without credentials in it.

    ``http://admin:secret@host`` is refused (the password would show in reprs
    and error messages); the message shows the URL with the credentials masked.
    """
    accepted = "an http:// or https:// URL such as 'https://acme.odoo.com'"
    if not isinstance(value, str):
        raise _refuse(TypeError, "url", accepted, value, None)
    try:
        parsed = httpx.URL(value)
    except (httpx.InvalidURL, TypeError, ValueError):
        parsed = None
    if parsed is not None and parsed.userinfo:
        shown = parsed.copy_with(username="***", password=None)
        raise ValueError(
            f"url must not carry credentials (user:password@), got {str(shown)!r}: "
            "pass username= and password= or api_key= instead"
        )
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise _refuse(ValueError, "url", accepted, value, None)
    path = parsed.path.rstrip("/")
    route = _ODOO_ROUTE.match(path)
    if route or parsed.query or parsed.fragment:
        kept = "/" if route else parsed.path
        base = str(parsed.copy_with(path=kept, query=None, fragment=None)).rstrip("/")
        what = (
            f"a path of Odoo's own ({route.group(0)}), not a prefix the server sits under"
            if route
            else "a query or fragment (?... or #...)"
        )
        raise ValueError(
            f"url {value!r} has {what}: give the server's base URL, such as {base!r} "
            "(the client adds /jsonrpc, /xmlrpc/2 or /json/2 itself)"
        )
    return value


#: The start of a path that is one of Odoo's own routes (a page of the web client,
#: an RPC endpoint): a URL copied from the browser, never the prefix a reverse
#: proxy serves Odoo under. Any other path is kept: that prefix. ``/odoo`` alone
#: may be such a prefix; ``/odoo/contacts``, ``/odoo/action-...`` are pages of
#: the web client of Odoo 18 and later.
_ODOO_ROUTE = re.compile(r"^/(web|jsonrpc|xmlrpc|json/2|doc|doc-bearer)(?=/|$)|^/odoo(?=/[^/])")
