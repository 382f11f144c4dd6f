"""Server-side exceptions of the Odoo test double, named and worded as Odoo 17 sends them.

The ORM core raises :class:`Fault` for everything a real server reports as a
fault; the HTTP layer turns one into a JSON-RPC ``error`` (``data.name``,
``data.message``, ``data.arguments``) or an XML-RPC fault. The helpers below
build the faults whose wording several modules share.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ACCESS_DENIED",
    "ACCESS_ERROR",
    "MISSING_ERROR",
    "USER_ERROR",
    "VALIDATION_ERROR",
    "Fault",
    "missing_error",
    "value_error",
]

ACCESS_DENIED = "odoo.exceptions.AccessDenied"
ACCESS_ERROR = "odoo.exceptions.AccessError"
MISSING_ERROR = "odoo.exceptions.MissingError"
USER_ERROR = "odoo.exceptions.UserError"
VALIDATION_ERROR = "odoo.exceptions.ValidationError"


class Fault(Exception):
    """A server-side Odoo exception as the wire shows it.

    ``name`` is the exception's dotted class name (``"odoo.exceptions.AccessError"``,
    ``"builtins.ValueError"``), ``message`` its text and ``arguments`` its args
    (``[message]`` unless given).
    """

    def __init__(self, name: str, message: str, arguments: list[Any] | None = None) -> None:
        super().__init__(message)
        self.name = name
        self.message = message
        self.arguments: list[Any] = list(arguments) if arguments is not None else [message]

    def __repr__(self) -> str:
        return f"Fault(name={self.name!r}, message={self.message!r})"


def value_error(message: str) -> Fault:
    """A ``builtins.ValueError`` fault."""
    return Fault("builtins.ValueError", message)


def missing_error(model: str, ids: list[int], uid: int) -> Fault:
    """Odoo's MissingError for ids that do not exist (``res.partner(20047,)``)."""
    return Fault(
        MISSING_ERROR,
        f"Record does not exist or has been deleted.\n(Record: {model}{tuple(ids)!r}, User: {uid})",
    )
