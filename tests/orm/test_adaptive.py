"""The export engine's decisions: page size, requests in flight, id windows (pure, table-driven)."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest

from odoo_async._orm._adaptive import (
    Climb,
    ExportTuning,
    Level,
    ServerShape,
    Timing,
    Window,
    after_page,
    alone_rate,
    id_windows,
    measure_alone,
    next_in_flight,
    page_size_for,
    start_climb,
)

TUNING = ExportTuning()


@pytest.mark.parametrize(
    ("fixed", "per_row", "options", "rows_left", "expected"),
    [
        # threaded Odoo 17: ~25 ms a call, ~85 us a row -> the fixed cost is 3 % of a page
        (0.025, 85e-6, {}, None, 9_600),
        # prefork behind nginx: a bit more per call
        (0.034, 75e-6, {}, None, 10_000),  # capped by max_page_size
        # a fast server: small pages are enough, but not below the floor
        (0.001, 100e-6, {}, None, 500),
        # 20 ms a call, 100 us a row
        (0.020, 100e-6, {}, None, 6_500),
        # few rows left: at least min_pages (8) pages, to have levels to measure
        (0.025, 85e-6, {}, 18_464, 2_600),
        (0.025, 85e-6, {"min_pages": 4}, 18_464, 5_200),
        # ... unless they fit in one page: one call
        (0.025, 85e-6, {}, 1_001, 1_200),
        # nothing measurable per row (the double without a cost model): the biggest page
        (0.002, 0.0, {}, None, 10_000),
        # no fixed cost measurable: the smallest page
        (0.0, 85e-6, {}, None, 500),
        # a fixed page_size wins
        (0.025, 85e-6, {"page_size": 123}, 10, 123),
        # the knobs move the bounds
        (0.025, 85e-6, {"max_page_size": 2_000}, None, 2_000),
        (0.025, 85e-6, {"overhead_share": 0.5}, None, 500),
    ],
)
def test_page_size_for(
    fixed: float, per_row: float, options: dict[str, Any], rows_left: float | None, expected: int
) -> None:
    tuning = ExportTuning(**options)
    assert page_size_for(fixed, per_row, tuning, rows_left=rows_left) == expected


def level(in_flight: int, rows: int, seconds: float, pages: int = 2) -> Level:
    return Level(in_flight, rows=rows, pages=pages, started=0.0, finished=seconds, latency=seconds)


L1 = level(1, 5000, 0.45, 1)  # one page alone: 11,111 rows/s


@pytest.mark.parametrize(
    ("state", "cap", "expected"),
    [
        # one page alone measured: try two
        (Climb(1, False, (), L1), 8, Climb(2, False, (L1,), Level(2))),
        # ... unless the cap is one
        (Climb(1, False, (), L1), 1, Climb(1, True, (), Level(1))),
        # two sent, one back: nothing changes until both are measured
        (
            Climb(2, False, (L1,), level(2, 5000, 0.5, 1)),
            8,
            Climb(2, False, (L1,), level(2, 5000, 0.5, 1)),
        ),
        # prefork: two at once beat one by 1.55x -> try four
        (
            Climb(2, False, (L1,), level(2, 10000, 0.58)),
            8,
            Climb(4, False, (L1, level(2, 10000, 0.58)), Level(4)),
        ),
        # threaded: two at once 0.93x of one -> back to one, for good
        (Climb(2, False, (L1,), level(2, 10000, 0.97)), 8, Climb(1, True, (), Level(1))),
        # a gain, but under the 15 % margin: not worth a request more
        (Climb(2, False, (L1,), level(2, 10000, 0.79)), 8, Climb(1, True, (), Level(1))),
        # four on two workers: 1.03x of two -> back to two, and stay
        (
            Climb(4, False, (L1, level(2, 10000, 0.58)), level(4, 20000, 1.13, 4)),
            8,
            Climb(2, True, (L1,), Level(2)),
        ),
        # two beat one at the cap: stay at two
        (
            Climb(2, False, (L1,), level(2, 10000, 0.58)),
            2,
            Climb(2, True, (L1,), Level(2)),
        ),
        # three allowed: two that beat one try three
        (
            Climb(2, False, (L1,), level(2, 10000, 0.58)),
            3,
            Climb(3, False, (L1, level(2, 10000, 0.58)), Level(3)),
        ),
        # settled at two, still beating one: a fresh measure at two
        (Climb(2, True, (L1,), level(2, 10000, 0.6)), 8, Climb(2, True, (L1,), Level(2))),
        # settled at two, no longer beating one (the server got busy): down to one
        (Climb(2, True, (L1,), level(2, 10000, 0.9)), 8, Climb(1, True, (), Level(1))),
        # settled at one: stays there
        (Climb(1, True, (), level(1, 5000, 2.0, 1)), 8, Climb(1, True, (), Level(1))),
    ],
)
def test_next_in_flight(state: Climb, cap: int, expected: Climb) -> None:
    got = next_in_flight(state, cap, TUNING)
    assert dataclasses.replace(got, note="") == expected


@pytest.mark.parametrize(
    ("state", "pages_left", "expected"),
    [
        # one alone measured, 2.5 pages left: two can be tried (a full round)
        (Climb(1, False, (), L1), 2.5, Climb(2, False, (L1,), Level(2))),
        # ... not with 1.5 pages left: the trial would be the last scraps
        (Climb(1, False, (), L1), 1.5, Climb(1, True, (), Level(1))),
        # two beat one by 1.55x, 3.2 pages left: four would not be filled, stay at two
        (
            Climb(2, False, (L1,), level(2, 10000, 0.58)),
            3.2,
            Climb(2, True, (L1,), Level(2)),
        ),
        # ... with 4 pages left, four are tried
        (
            Climb(2, False, (L1,), level(2, 10000, 0.58)),
            4.0,
            Climb(4, False, (L1, level(2, 10000, 0.58)), Level(4)),
        ),
        # unknown: tried, as before
        (Climb(1, False, (), L1), None, Climb(2, False, (L1,), Level(2))),
        # going back down needs no pages: two that stopped paying go back to one
        (Climb(2, False, (L1,), level(2, 10000, 0.97)), 0.0, Climb(1, True, (), Level(1))),
    ],
)
def test_a_level_is_tried_only_if_what_is_left_fills_it(
    state: Climb, pages_left: float | None, expected: Climb
) -> None:
    got = next_in_flight(state, 8, TUNING, pages_left=pages_left)
    assert dataclasses.replace(got, note="") == expected
    if expected.settled and not state.settled and expected.in_flight == state.in_flight:
        assert "pages left, too few to try" in got.note


L1_SMALL = level(1, 2600, 0.30, 1)  # a page of 2,600 alone: 8,667 rows/s


@pytest.mark.parametrize(
    ("state", "alone", "expected"),
    [
        # threaded, small pages: two at once gain 1.21x over one of their size, but
        # one page as large as allowed would do 10,000 rows/s: back to one
        (
            Climb(2, False, (L1_SMALL,), level(2, 5200, 0.50)),
            10_000.0,
            Climb(1, True, (), Level(1)),
        ),
        # prefork: two at once beat even the large page alone by 1.5x: try four
        (
            Climb(2, False, (L1_SMALL,), level(2, 5200, 0.35)),
            10_000.0,
            Climb(4, False, (L1_SMALL, level(2, 5200, 0.35)), Level(4)),
        ),
        # a large page alone no faster than the one measured: the measure counts
        (
            Climb(2, False, (L1_SMALL,), level(2, 5200, 0.35)),
            5_000.0,
            Climb(4, False, (L1_SMALL, level(2, 5200, 0.35)), Level(4)),
        ),
        # unknown: as before, against the level below only
        (
            Climb(2, False, (L1_SMALL,), level(2, 5200, 0.50)),
            None,
            Climb(4, False, (L1_SMALL, level(2, 5200, 0.50)), Level(4)),
        ),
    ],
)
def test_two_at_once_must_beat_one_large_page_alone(
    state: Climb, alone: float | None, expected: Climb
) -> None:
    got = next_in_flight(state, 8, TUNING, alone_rate=alone)
    assert dataclasses.replace(got, note="") == expected
    if alone and alone > state.below[-1].rate:
        assert f"one large page alone ({alone:,.0f} rows/s, estimated)" in got.note


def test_alone_rate_is_one_page_as_large_as_allowed() -> None:
    shape = ServerShape(0.025, 0.0001)
    assert alone_rate(shape, TUNING, rows_left=None, keep_all=False) == 10_000 / 1.025
    assert alone_rate(shape, TUNING, rows_left=None, keep_all=True) == 50_000 / 5.025
    assert alone_rate(shape, TUNING, rows_left=3_000, keep_all=True) == 3_000 / 0.325


def climb(rates: dict[int, float], cap: int = 8) -> tuple[list[int], int]:
    """The levels tried against a server giving ``rates`` rows/s at each level, and the last."""
    state = start_climb(cap, TUNING)
    tried = [state.in_flight]
    clock = 0.0
    while not state.settled:
        level = state.in_flight
        seconds = level * 1000 / rates[level]  # a round of `level` pages of 1,000 rows
        for _ in range(level):
            state = after_page(state, Timing(1000, clock, clock + seconds), cap, TUNING)
        clock += seconds
        if not state.settled:
            tried.append(state.in_flight)
    return tried, state.in_flight


@pytest.mark.parametrize(
    ("rates", "cap", "tried", "settled"),
    [
        # threaded Odoo 17 (TIMINGS.md): two at once 0.93x of one
        ({1: 11_600, 2: 10_800}, 8, [1, 2], 1),
        # ... with small pages two gain 1.26x: past the margin, two it is
        ({1: 7_700, 2: 9_700, 4: 9_800}, 8, [1, 2, 4], 2),
        # prefork, 2 workers: 1.55x at two, nothing more at four
        ({1: 10_800, 2: 16_800, 4: 17_500}, 8, [1, 2, 4], 2),
        # prefork, 8 workers: every level pays up to the cap
        ({1: 10_000, 2: 19_000, 4: 36_000, 8: 60_000}, 8, [1, 2, 4, 8], 8),
        # a client limited to one request: never more
        ({1: 10_000}, 1, [1], 1),
    ],
)
def test_no_level_is_tried_before_the_one_below_paid(
    rates: dict[int, float], cap: int, tried: list[int], settled: int
) -> None:
    assert climb(rates, cap) == (tried, settled)


def test_notes_say_why() -> None:
    state = next_in_flight(Climb(2, False, (L1,), level(2, 10000, 0.97)), 8, TUNING)
    assert state.note == "2: 10,309 rows/s, 0.93x 1's; back to 1"


def test_fixed_max_in_flight_is_not_searched() -> None:
    tuning = ExportTuning(max_in_flight=3)
    assert start_climb(8, tuning) == Climb(3, True, (), Level(3), "3 in flight, as asked")
    assert start_climb(2, tuning).in_flight == 2  # the client's cap
    moving = Climb(2, False, (L1,), level(2, 10000, 0.5))
    assert next_in_flight(moving, 8, tuning).in_flight == 3


def test_start_measures_one_alone() -> None:
    state = start_climb(8, TUNING)
    assert (state.in_flight, state.settled, state.below) == (1, False, ())
    assert start_climb(1, TUNING).settled


def test_the_margin_is_a_knob() -> None:
    state = Climb(2, False, (L1,), level(2, 10000, 0.79))  # 1.14x
    assert next_in_flight(state, 8, TUNING).in_flight == 1
    assert next_in_flight(state, 8, ExportTuning(margin=0.1)).in_flight == 4


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (Timing(1000, 0.0, 0.110), ServerShape(0.025, 85e-6)),
        # a page faster than twice the guess: half of it taken as fixed
        (Timing(1000, 0.0, 0.010), ServerShape(0.005, 5e-6)),
        (Timing(0, 0.0, 0.030), ServerShape(0.015, 0.0)),
    ],
)
def test_measure_alone(page: Timing, expected: ServerShape) -> None:
    shape = measure_alone(page)
    assert (shape.fixed, shape.per_row) == pytest.approx((expected.fixed, expected.per_row))


def test_level_accumulates_pages() -> None:
    one = Level(2).add(100, sent=1.0, received=1.5).add(300, sent=1.1, received=2.1)
    assert (one.rows, one.pages, one.started, one.finished) == (400, 2, 1.0, 2.1)
    assert one.latency == pytest.approx(0.75)
    assert one.rate == pytest.approx(400 / 1.1)


@pytest.mark.parametrize(
    ("after", "top", "density", "rows", "count", "expected"),
    [
        (1000, 4000, 1.0, 1000, 5, [(1000, 2000), (2000, 3000), (3000, None)]),
        # half the ids match: windows twice as wide
        (0, 10_000, 0.5, 1000, 2, [(0, 2000), (2000, 4000)]),
        # past the top already: one open window
        (5000, 4000, 1.0, 1000, 3, [(5000, None)]),
        # no density known yet: still moves forward
        (10, 20, 0.0, 5, 2, [(10, None)]),
    ],
)
def test_id_windows(
    after: int,
    top: int,
    density: float,
    rows: int,
    count: int,
    expected: list[tuple[int, int | None]],
) -> None:
    assert id_windows(after, top, density, rows, count) == [Window(*w) for w in expected]


def test_windows_cover_every_id_once() -> None:
    windows = id_windows(0, 9_999, 0.97, 700, 100)
    assert windows[-1].high is None
    bounds = [w.low for w in windows]
    assert bounds == sorted(set(bounds))
    for before, after in itertools.pairwise(windows):
        assert before.high == after.low


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"page_size": 0}, "page_size"),
        ({"max_in_flight": 0}, "max_in_flight"),
        ({"min_page_size": 10, "max_page_size": 5}, "min_page_size"),
        ({"overhead_share": 1.0}, "overhead_share"),
        ({"samples": 0}, "samples"),
        ({"serial_page_size": 0}, "serial_page_size"),
        ({"margin": -0.1}, "margin"),
        ({"fixed_guess": -1.0}, "fixed_guess"),
    ],
)
def test_bad_tuning_is_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ExportTuning(**options)


def test_tuning_is_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        TUNING.page_size = 5  # type: ignore[misc]
