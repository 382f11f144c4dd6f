"""``Retry-After``: what a server asks the client to wait, in seconds.

Pure parsing, no I/O: the HTTP layer reads the header with it when it maps a
response to an error, and the retry policy uses the number it gives. It sits
below both so that neither reaches into the other.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

__all__ = ["parse_retry_after"]

_SECONDS = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait according to a ``Retry-After`` header value, or ``None``.

    Accepts delay-seconds (``"120"``, also ``"1.5"``) and an HTTP date
    (``"Wed, 21 Oct 2015 07:28:00 GMT"``, counted from ``now``, default the
    current UTC time; a naive date or ``now`` is taken as UTC). Returns:

    - ``None`` for a missing, empty or unreadable value, for infinity/NaN, and
      for a *negative number* (not valid delay-seconds: the client's own backoff
      is safer than an immediate retry);
    - ``0.0`` for a date in the past (the moment has come; clock skew is the
      usual cause);
    - huge values as they are: capping is :func:`compute_delay`'s job.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if _SECONDS.fullmatch(text):
        seconds = float(text)
        if not math.isfinite(seconds) or seconds < 0:
            return None
        return seconds + 0.0  # -0.0 -> 0.0
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:  # some Python versions return None instead of raising
        return None  # type: ignore[unreachable]
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    if now is None:
        now = datetime.now(timezone.utc)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    try:
        seconds = (when - now).total_seconds()
    except OverflowError:
        return None
    return max(seconds, 0.0)
