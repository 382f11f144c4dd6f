"""``Secret``: a password or API key that does not show itself.

Error reporters (Sentry by default, ``traceback.TracebackException(...,
capture_locals=True)``) print the ``repr`` of every local variable of every
frame; a plain ``str`` in a list of call arguments would be printed with
them. The client keeps the secret in a :class:`Secret` from the moment it is
given until the encoder writes the request body: ``repr``, ``str`` and
formatting show ``'***'``, pickling is refused, and only :meth:`reveal` gives
the text back.
"""

from __future__ import annotations

from typing import Any, NoReturn, Union

__all__ = ["MaskedBody", "Secret", "SecretLike", "reveal"]


class Secret:
    """A password or API key, masked everywhere except :meth:`reveal`."""

    __slots__ = ("_value",)

    def __init__(self, value: str | Secret) -> None:
        self._value: str = value.reveal() if isinstance(value, Secret) else value

    def reveal(self) -> str:
        """The secret itself: call it only where it is written on the wire."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")


#: What the redaction helpers accept: a wrapped secret, a plain one, or none.
SecretLike = Union[Secret, str, None]  # noqa: UP007


def reveal(value: Any) -> Any:
    """``value`` with a :class:`Secret` replaced by its text (anything else as is)."""
    return value.reveal() if isinstance(value, Secret) else value


class MaskedBody(bytes):
    """A request body that may hold a secret: bytes to httpx, masked in ``repr``.

    Once encoded, the secret sits in the body, which the HTTP layer's frames
    hold while the request is sent; their locals show this instead of the text.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<request body, {len(self)} bytes, not shown>"

    __str__ = __repr__
