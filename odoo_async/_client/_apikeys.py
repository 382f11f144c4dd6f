"""Creating an API key for the logged-in user, as Preferences > Account Security does.

What Odoo asks for, read in ``odoo/addons/base/models/res_users.py`` of 17.0,
18.0 and 19.0 and checked on real servers of each:

* ``res.users.apikeys.description.make_key`` is wrapped in ``check_identity``,
  which needs an HTTP request: over ``/jsonrpc`` and ``/xmlrpc`` Odoo runs model
  methods without one and answers "This method can only be accessed over
  HTTP". So the steps go through a web session of their own
  (``/web/session/authenticate`` + ``/web/dataset/call_kw``), logged in with
  the client's password, whatever protocol the client speaks.
* Unless that session re-checked the password in the last 10 minutes,
  ``make_key`` answers the action of a ``res.users.identitycheck`` wizard. Its
  ``run_check`` checks the password (17 and 18: the wizard's ``password``
  field, written first; 19: ``context["password"]``), marks the session and
  runs ``make_key`` again, whose action carries the key in
  ``context["default_key"]``. The key is shown once: Odoo keeps only its hash.
* 18 and 19: a key has an ``expiration_date``. The duration ``"-1"`` (a custom
  date) is offered to every user; no date is a persistent key, which only
  administrators may make (others get "The API key must have an expiration
  date"), and others are capped by their groups' ``api_key_duration``, 1 day
  by default ("You cannot exceed 1.0 days."). Keys of 17 never expire.
* ``make_key`` gives a key no scope (it opens every RPC door); no argument of
  the wizard sets one, so neither does :func:`create_api_key`.

The steps are pure decisions (:func:`description_values`, :func:`next_step`)
apart from the calls, which the client passes in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from odoo_async._errors import ProtocolError
from odoo_async._secret import Secret

__all__ = [
    "EXPIRES_SINCE",
    "ApiKey",
    "create_api_key",
    "description_values",
    "next_step",
]

#: The first version whose API keys expire.
EXPIRES_SINCE: Final = 18
#: The identity check takes the password from the context from this version on.
PASSWORD_IN_CONTEXT_SINCE: Final = 19

DESCRIPTION: Final = "res.users.apikeys.description"
IDENTITY_CHECK: Final = "res.users.identitycheck"
#: How many times ``make_key`` is asked before the answer is taken as a refusal.
_MAX_STEPS: Final = 3


class ApiKey:
    """A new API key. ``key`` is the secret itself, shown once by Odoo: store it now.

    ``repr`` and ``str`` show ``key='***'``; only the attribute gives the text.
    """

    __slots__ = ("_key", "expires", "login", "name")

    def __init__(self, *, name: str, key: str, login: str, expires: dt.datetime | None) -> None:
        self.name = name
        self.login = login
        #: When the key stops working (UTC), or ``None`` for a key that never expires.
        self.expires = expires
        self._key = Secret(key)

    @property
    def key(self) -> str:
        """The key: give it as ``api_key=`` (or ``ODOO_API_KEY``)."""
        return self._key.reveal()

    def __repr__(self) -> str:
        return (
            f"ApiKey(name={self.name!r}, login={self.login!r}, expires={self.expires!r}, key='***')"
        )

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("an ApiKey cannot be pickled: store its .key where secrets belong")


def utc(expires: dt.datetime) -> dt.datetime:
    """``expires`` in UTC without a time zone, as Odoo stores dates; naive means UTC."""
    if expires.tzinfo is not None:
        expires = expires.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return expires.replace(microsecond=0)


def description_values(major: int, name: str, expires: dt.datetime | None) -> dict[str, Any]:
    """What ``res.users.apikeys.description.create`` is given on Odoo ``major``.

    From 18 on, the duration ``"-1"`` ("Custom Date"), which every user is
    offered, with the date itself or ``False`` for a key that never expires.
    Before 18 there is no date to give: a :class:`ValueError` says so.
    """
    if major < EXPIRES_SINCE:
        if expires is not None:
            raise ValueError(
                f"Odoo {major}'s API keys do not expire (expiry came with Odoo "
                f"{EXPIRES_SINCE}): leave out expires="
            )
        return {"name": name}
    date = utc(expires).strftime("%Y-%m-%d %H:%M:%S") if expires is not None else False
    return {"name": name, "duration": "-1", "expiration_date": date}


def next_step(action: Any, *, model: str, method: str) -> tuple[str, Any]:
    """What an answer of ``make_key`` (or of the identity check) asks for next.

    ``("key", text)`` when it carries the key, ``("check", wizard id)`` when it
    is the identity-check wizard's action; a :class:`ProtocolError` for
    anything else (no key is ever put in its message).
    """
    if isinstance(action, Mapping):
        context = action.get("context")
        key = context.get("default_key") if isinstance(context, Mapping) else None
        if isinstance(key, str) and key:
            return "key", key
        wizard = action.get("res_id")
        if action.get("res_model") == IDENTITY_CHECK and isinstance(wizard, int):
            return "check", wizard
        shown: object = {k: v for k, v in action.items() if k != "context"}
    else:
        shown = type(action).__name__
    raise ProtocolError(
        f"{model}.{method} answered neither an API key nor Odoo's identity check: {shown!r}",
        model=model,
        method=method,
    )


Call = Callable[[str, str, list[Any], dict[str, Any]], Awaitable[Any]]


async def create_api_key(
    call: Call,
    *,
    major: int,
    password: Secret,
    login: str,
    name: str,
    expires: dt.datetime | None,
) -> ApiKey:
    """Make a key as the New API Key wizard does; ``call`` runs a method in a web session."""
    values = description_values(major, name, expires)
    description = await call(DESCRIPTION, "create", [values], {})
    answer = await call(DESCRIPTION, "make_key", [[description]], {})
    model, method = DESCRIPTION, "make_key"
    for _ in range(_MAX_STEPS):
        step, value = next_step(answer, model=model, method=method)
        if step == "key":
            return ApiKey(
                name=name,
                key=value,
                login=login,
                expires=utc(expires) if expires is not None else None,
            )
        model, method = IDENTITY_CHECK, "run_check"
        if major >= PASSWORD_IN_CONTEXT_SINCE:
            answer = await call(model, method, [[value]], {"context": {"password": password}})
        else:
            await call(model, "write", [[value], {"password": password}], {})
            answer = await call(model, method, [[value]], {})
    raise ProtocolError(
        f"{model}.{method} asked for the identity check again after the password was accepted",
        model=model,
        method=method,
    )
