"""The export engine's decisions: page size, requests in flight, id windows (pure, table-driven)."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest

from odoo_async._orm._adaptive import (
    Concurrency,
    ExportTuning,
    Level,
    ServerShape,
    Timing,
    Window,
    id_windows,
    measure_server,
    next_in_flight,
    page_size_for,
    start_concurrency,
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
        # few rows left: at least min_pages pages, to have something to adapt
        (0.025, 85e-6, {}, 18_464, 5_200),
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


@pytest.mark.parametrize(
    ("state", "cap", "expected"),
    [
        # not enough pages measured at this level yet: nothing changes
        (
            Concurrency(2, False, level(1, 5000, 0.5, 1), level(2, 5000, 0.5, 1)),
            8,
            Concurrency(2, False, level(1, 5000, 0.5, 1), level(2, 5000, 0.5, 1)),
        ),
        # prefork: two at once doubled rows/s -> try three
        (
            Concurrency(2, False, level(1, 5000, 0.5, 1), level(2, 10000, 0.52)),
            8,
            Concurrency(3, False, level(2, 10000, 0.52), Level(3)),
        ),
        # three on two workers: no better -> back to two, and stay
        (
            Concurrency(3, False, level(2, 10000, 0.52), level(3, 10000, 0.51)),
            8,
            Concurrency(2, True, level(2, 10000, 0.52), Level(2)),
        ),
        # threaded: two at once are slower than one -> back to one, and stay
        (
            Concurrency(2, False, level(1, 5000, 0.45, 1), level(2, 10000, 0.95)),
            8,
            Concurrency(1, True, level(1, 5000, 0.45, 1), Level(1)),
        ),
        # growing, but less than 10 %: not worth a request more
        (
            Concurrency(2, False, level(1, 5000, 0.5, 1), level(2, 10500, 1.0)),
            8,
            Concurrency(1, True, level(1, 5000, 0.5, 1), Level(1)),
        ),
        # growing at the cap: stay there
        (
            Concurrency(2, False, level(1, 5000, 0.5, 1), level(2, 10000, 0.5)),
            2,
            Concurrency(2, True, level(2, 10000, 0.5), Level(2)),
        ),
        # settled, latency as before: nothing changes
        (
            Concurrency(2, True, level(2, 10000, 0.5), level(2, 10000, 0.6)),
            8,
            Concurrency(2, True, level(2, 10000, 0.5), level(2, 10000, 0.6)),
        ),
        # settled, latency climbed past twice the level's: one fewer
        (
            Concurrency(2, True, level(2, 10000, 0.5), level(2, 10000, 1.2)),
            8,
            Concurrency(1, True, level(1, 10000, 1.2), Level(1)),
        ),
        # ... never below one
        (
            Concurrency(1, True, level(1, 5000, 0.5), level(1, 5000, 1.5)),
            8,
            Concurrency(1, True, level(1, 5000, 1.5), Level(1)),
        ),
    ],
)
def test_next_in_flight(state: Concurrency, cap: int, expected: Concurrency) -> None:
    assert next_in_flight(state, cap, TUNING) == expected


def test_fixed_max_in_flight_is_not_searched() -> None:
    tuning = ExportTuning(max_in_flight=3)
    shape = ServerShape(0.02, 1e-4, serial=False)
    assert start_concurrency(shape, 5000, 8, tuning) == Concurrency(3, True, None, Level(3))
    assert start_concurrency(shape, 5000, 2, tuning).in_flight == 2  # the client's cap
    moving = Concurrency(2, False, level(1, 5000, 0.5, 1), level(2, 10000, 0.5))
    assert next_in_flight(moving, 8, tuning).in_flight == 3


def test_start_predicts_one_in_flight_and_tries_four() -> None:
    shape = ServerShape(0.020, 100e-6, serial=False)
    state = start_concurrency(shape, 5000, 8, TUNING)
    assert state.in_flight == 4
    assert not state.settled
    assert state.best is not None
    assert state.best.rate == pytest.approx(5000 / 0.52)
    assert start_concurrency(shape, 5000, 2, TUNING).in_flight == 2  # the client's cap
    assert start_concurrency(shape, 5000, 1, TUNING).in_flight == 1


def test_a_serial_server_stays_at_one() -> None:
    state = start_concurrency(ServerShape(0.020, 100e-6, serial=True), 5000, 8, TUNING)
    assert (state.in_flight, state.settled) == (1, True)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # prefork: the first and the last page, side by side in two workers
        (Timing(1000, 0.0, 0.130), Timing(1000, 0.0, 0.128), ServerShape(0.025, 103e-6, False)),
        # threaded: the last page waited for the first, then took its own time
        (Timing(1000, 0.0, 0.110), Timing(1000, 0.0, 0.233), ServerShape(0.025, 85e-6, True)),
        # ... whichever of the two the server took first
        (Timing(1000, 0.0, 0.233), Timing(1000, 0.0, 0.110), ServerShape(0.025, 85e-6, True)),
        # 40 ms of round trip on top: a serial server still shows its gap
        (Timing(1000, 0.0, 0.150), Timing(1000, 0.0, 0.273), ServerShape(0.025, 125e-6, True)),
        # side by side, the last page on a new connection: one TLS handshake (40 ms) later
        (Timing(1000, 0.0, 0.170), Timing(1000, 0.0, 0.210), ServerShape(0.025, 145e-6, False)),
        # a last page short of rows, a few ms apart: side by side
        (Timing(1000, 0.0, 0.110), Timing(700, 0.0, 0.100), ServerShape(0.025, 0.075 / 700, False)),
        # a double with no cost model: nothing measurable, and no gap
        (Timing(1000, 0.0, 0.004), Timing(1000, 0.0, 0.005), ServerShape(0.002, 2e-6, False)),
        # under a limit, a page and a one-row call: the call ran alongside
        (Timing(1000, 0.0, 0.110), Timing(1, 0.001, 0.031), ServerShape(0.030, 80e-6, False)),
        # ... or it waited for the page, then took 22 ms of its own
        (Timing(1000, 0.0, 0.110), Timing(1, 0.001, 0.132), ServerShape(0.022, 88e-6, True)),
        # a one-row call slower than the page cannot make rows cost less than nothing
        (Timing(10, 0.0, 0.010), Timing(1, 0.001, 0.500), ServerShape(0.010, 0.0, True)),
    ],
)
def test_measure_server(a: Timing, b: Timing, expected: ServerShape) -> None:
    shape = measure_server(a, b)
    assert shape.serial == expected.serial
    assert (shape.fixed, shape.per_row) == pytest.approx((expected.fixed, expected.per_row))


def test_measure_server_gap_is_a_knob() -> None:
    a, b = Timing(1000, 0.0, 0.150), Timing(1000, 0.0, 0.210)  # 60 ms apart
    assert not measure_server(a, b).serial
    assert measure_server(a, b, ExportTuning(serial_gap=0.3)).serial


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
        ({"serial_gap": 1.5}, "serial_gap"),
        ({"fixed_guess": -1.0}, "fixed_guess"),
    ],
)
def test_bad_tuning_is_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ExportTuning(**options)


def test_tuning_is_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        TUNING.page_size = 5  # type: ignore[misc]
