"""Table for Retry-After parsing: delay-seconds, HTTP dates, garbage."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest

from odoo_async._transports._retry_after import parse_retry_after

NOW = datetime(2015, 10, 21, 7, 28, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        # delay-seconds
        ("120", 120.0),
        ("0", 0.0),
        ("1", 1.0),
        ("1.5", 1.5),
        (".5", 0.5),
        ("5.", 5.0),
        ("+3", 3.0),
        ("007", 7.0),
        (" 7 ", 7.0),
        ("\t30\r\n", 30.0),
        # negative: not valid delay-seconds -> our own backoff
        ("-1", None),
        ("-1.5", None),
        ("-0", 0.0),
        # huge: returned as is (compute_delay caps it), unless it is infinite
        ("99999999999", 99999999999.0),
        ("1" + "0" * 30, 1e30),
        ("1" + "0" * 400, None),
        # HTTP dates (IMF-fixdate, RFC 850, asctime), relative to NOW
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),  # in the past
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0),
        ("Wednesday, 21-Oct-15 07:29:00 GMT", 60.0),
        ("Wed Oct 21 07:28:10 2015", 10.0),
        ("Wed, 21 Oct 2015 08:28:05 +0100", 5.0),
        ("Wed, 21 Oct 2015 07:28:30 -0000", 30.0),
        ("Thu, 22 Oct 2015 07:28:00 GMT", 86400.0),
        ("Fri, 31 Dec 9999 23:59:59 GMT", 251956888319.0),
        # garbage
        (None, None),
        ("", None),
        ("   ", None),
        ("soon", None),
        ("inf", None),
        ("Infinity", None),
        ("nan", None),
        ("1e3", None),
        ("1_000", None),
        ("0x10", None),
        ("12 34", None),
        ("1.2.3", None),
        ("Mon", None),
        ("21 Oct 2015", None),
        ("Wed, 32 Oct 2015 07:28:00 GMT", None),
        ("Sat, 01 Jan 10000 00:00:00 GMT", None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    got = parse_retry_after(value, now=NOW)
    if seconds is None:
        assert got is None
    else:
        assert got is not None
        assert got == pytest.approx(seconds)
        assert math.copysign(1.0, got) == 1.0  # never -0.0


def test_parse_retry_after_naive_now_is_utc() -> None:
    naive = NOW.replace(tzinfo=None)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now=naive) == 30.0


def test_parse_retry_after_defaults_to_current_time() -> None:
    future = datetime.now(timezone.utc) + timedelta(days=2)
    got = parse_retry_after(future.strftime("%a, %d %b %Y %H:%M:%S GMT"))
    assert got is not None
    assert timedelta(days=1).total_seconds() < got <= timedelta(days=2).total_seconds()
    assert parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT") == 0.0
