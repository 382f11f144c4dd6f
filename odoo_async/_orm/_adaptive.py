"""How a long export fetches: page size and requests in flight, decided from what the server shows.

Pure decisions, no I/O (the pager does the fetching; see ``_pager.py``):

- :func:`page_size_for` sizes pages so that the fixed cost of a call (what a call
  returning nothing takes) is a small share (``overhead_share``) of a page's time;
- :func:`measure_server` reads two requests sent at the same time (the first
  page in id order and the last page, or a one-row call): when one came back
  only about its own time after the other, it waited for it, and the server
  serialises its requests (a threaded Odoo); they also give the fixed cost of
  a call and the cost of a row, as far as two requests can tell them apart;
- :func:`start_concurrency` takes one request in flight as measured (what a
  page takes alone) and tries four (two ran side by side; as many again wait
  at the server, hiding the network between two pages);
  :func:`next_in_flight` adds one more while rows/s grows by at least
  ``growth``; when it stops growing (a threaded server serialises its work, a
  prefork one has only so many workers) it steps back to the best level and
  stays there; when latency climbs past ``latency_climb`` times what that level
  showed, it steps back one more;
- :func:`id_windows` cuts the id axis into windows holding about a page each,
  from the density of ids seen so far, so that windows can be fetched at the
  same time and still come back in id order, each row in exactly one window.

:class:`ExportTuning` holds the knobs; :class:`Level` what one level of
concurrency showed. Everything is table-tested like ``_retry.retry_decision``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from odoo_async._check import check_int, check_number

__all__ = [
    "Concurrency",
    "ExportTuning",
    "Level",
    "ServerShape",
    "Timing",
    "Window",
    "after_page",
    "id_windows",
    "measure_alone",
    "measure_server",
    "next_in_flight",
    "page_size_for",
    "start_concurrency",
]


@dataclass(frozen=True, slots=True)
class ExportTuning:
    """The knobs of the export engine (the defaults suit Odoo 17 threaded and prefork).

    ``page_size``/``max_in_flight`` fix what they name instead of adapting it;
    ``first_page`` is the size of the two pages that measure the server (the
    first and the last); pages stay within ``min_page_size``..``max_page_size``
    (the upper bound is also what bounds the memory of a stream: at most
    ``max_in_flight + prefetch`` pages are held); a walk that keeps every row
    anyway (``await pager``) on a serial server takes pages of
    ``serial_page_size``, since there each call only adds its fixed cost;
    ``serial_gap``: a reply that came that share of the other's time after it
    waited for it; ``fixed_guess``: the fixed cost of a call assumed when two
    pages of one size cannot tell it from the rows' (TIMINGS: 20-40 ms);
    ``samples`` pages are measured at each level of
    concurrency before deciding; an export expected to be large gets at least
    ``min_pages`` pages, so there is something to adapt; an id window is sized to
    hold ``window_fill`` of a page (a window that overflows costs one more call).
    """

    page_size: int | None = None
    max_in_flight: int | None = None
    first_page: int = 1_000
    min_page_size: int = 500
    max_page_size: int = 10_000
    serial_page_size: int = 50_000
    serial_gap: float = 0.5
    fixed_guess: float = 0.025
    in_flight_cap: int = 8
    overhead_share: float = 0.03
    growth: float = 1.1
    latency_climb: float = 2.0
    samples: int = 2
    min_pages: int = 4
    window_fill: float = 0.9

    def __post_init__(self) -> None:
        where = "ExportTuning"
        for name in (
            "first_page",
            "min_page_size",
            "max_page_size",
            "serial_page_size",
            "in_flight_cap",
            "samples",
        ):
            check_int(name, getattr(self, name), minimum=1, where=where)
        check_int("page_size", self.page_size, minimum=1, none=True, where=where)
        check_int("max_in_flight", self.max_in_flight, minimum=1, none=True, where=where)
        if self.min_page_size > self.max_page_size:
            raise ValueError(f"{where}: min_page_size must not exceed max_page_size")
        between = "a number between 0 and 1"
        for name in ("overhead_share", "serial_gap"):
            value = check_number(
                name, getattr(self, name), above=True, accepted=between, where=where
            )
            if value >= 1:
                raise ValueError(f"{where}: {name} must be {between}, got {value!r}")
        check_number("fixed_guess", self.fixed_guess, where=where)


def page_size_for(
    fixed: float,
    per_row: float,
    tuning: ExportTuning,
    *,
    rows_left: float | None = None,
    serial: bool = False,
    keep_all: bool = False,
) -> int:
    """Rows a page needs for the fixed cost of a call to be ``overhead_share`` of its time.

    ``fixed``: seconds a call costs before it reads a row; ``per_row``: seconds a
    row adds; ``rows_left``: the rows expected still to come, when known (the page
    shrinks so that they make ``min_pages`` pages). A ``serial`` server gains
    nothing from several pages at once: its pages are the largest allowed, and
    ``serial_page_size`` when the walk keeps every row anyway (``keep_all``). A
    fixed ``tuning.page_size`` wins.

    >>> page_size_for(0.020, 0.000100, ExportTuning())  # 20 ms a call, 100 us a row
    6500
    """
    if tuning.page_size is not None:
        return tuning.page_size
    if serial:
        return max(tuning.max_page_size, tuning.serial_page_size if keep_all else 0)
    if per_row <= 0:
        rows = float(tuning.max_page_size)
    elif fixed <= 0:
        rows = float(tuning.min_page_size)
    else:
        share = tuning.overhead_share
        rows = fixed * (1 - share) / share / per_row
    if rows_left is not None:
        # at least min_pages windows, each filled to window_fill of a page
        rows = min(rows, rows_left / (tuning.min_pages * tuning.window_fill))
    rows = math.ceil(rows / 100) * 100  # round figures in logs and tests
    return max(tuning.min_page_size, min(tuning.max_page_size, int(rows)))


@dataclass(frozen=True, slots=True)
class Level:
    """What the pages fetched at one level of concurrency showed.

    ``rows``/``pages`` fetched, ``started`` when the first was sent, ``finished``
    when the last came back (seconds on the caller's clock), ``latency`` the mean
    seconds a page took.
    """

    in_flight: int
    rows: int = 0
    pages: int = 0
    started: float = 0.0
    finished: float = 0.0
    latency: float = 0.0

    @property
    def rate(self) -> float:
        """Rows per second over the level's pages."""
        elapsed = self.finished - self.started
        return self.rows / elapsed if elapsed > 0 else math.inf

    def add(self, rows: int, sent: float, received: float) -> Level:
        pages = self.pages + 1
        latency = self.latency + ((received - sent) - self.latency) / pages
        started = sent if self.pages == 0 else min(self.started, sent)
        return replace(
            self,
            rows=self.rows + rows,
            pages=pages,
            started=started,
            finished=max(self.finished, received),
            latency=latency,
        )


@dataclass(frozen=True, slots=True)
class Concurrency:
    """Where the search for the right number of requests in flight stands."""

    in_flight: int = 1
    settled: bool = False
    best: Level | None = None  # the best level measured so far
    current: Level = field(default_factory=lambda: Level(1))


@dataclass(frozen=True, slots=True)
class ServerShape:
    """What the first page and the one-row call told: seconds a call, a row; serial or not."""

    fixed: float
    per_row: float
    serial: bool


@dataclass(frozen=True, slots=True)
class Timing:
    """A request that returned ``rows`` rows: when it was sent and answered (caller's clock)."""

    rows: int
    sent: float
    received: float

    @property
    def seconds(self) -> float:
        return self.received - self.sent


def measure_server(a: Timing, b: Timing, tuning: ExportTuning | None = None) -> ServerShape:
    """The shape of the server from two requests sent at the same time.

    Either two pages of about one size (the first and the last in id order) or a
    page and a one-row call. On a server that runs requests side by side both
    come back after their own time; on one that runs one at a time, the later
    reply comes its own time after the earlier one (``serial_gap`` of the
    earlier's time or more), and a one-row call behind a page comes after it.
    A page that came back after a one-row call cannot tell (it may have waited
    a few ms): taken as side by side, and the concurrency search corrects it.

    >>> measure_server(Timing(1000, 0.0, 0.110), Timing(1000, 0.0, 0.112))  # side by side
    ServerShape(fixed=0.025, per_row=8.5e-05, serial=False)
    >>> measure_server(Timing(1000, 0.0, 0.110), Timing(1000, 0.0, 0.220))  # one, then the other
    ServerShape(fixed=0.025, per_row=8.5e-05, serial=True)
    >>> measure_server(Timing(1000, 0.0, 0.100), Timing(1, 0.001, 0.120))  # a probe behind a page
    ServerShape(fixed=0.02, per_row=8e-05, serial=True)
    """
    tuning = tuning or ExportTuning()
    early, late = sorted((a, b), key=lambda t: t.received)
    gap = late.received - early.received
    page, probe = (a, b) if a.rows >= b.rows else (b, a)
    if probe.rows * 2 <= page.rows:  # a page and a one-row call
        serial = probe is late
        fixed = gap if serial else probe.seconds
    else:
        serial = gap >= tuning.serial_gap * early.seconds
        page = early  # its time is its own on either kind of server
        fixed = min(tuning.fixed_guess, page.seconds / 2)
    fixed = max(0.0, min(fixed, page.seconds))
    per_row = (page.seconds - fixed) / page.rows if page.rows else 0.0
    return ServerShape(round(fixed, 9), round(max(0.0, per_row), 12), serial)


def measure_alone(page: Timing, tuning: ExportTuning | None = None) -> ServerShape:
    """What one page sent alone tells (nothing of serial or not): taken as serial.

    Used when only one request may be in flight, so the two measuring pages
    went one after the other; the fixed cost is ``fixed_guess``.

    >>> measure_alone(Timing(1000, 0.0, 0.110))
    ServerShape(fixed=0.025, per_row=8.5e-05, serial=True)
    """
    tuning = tuning or ExportTuning()
    fixed = min(tuning.fixed_guess, page.seconds / 2)
    per_row = (page.seconds - fixed) / page.rows if page.rows else 0.0
    return ServerShape(round(fixed, 9), round(max(0.0, per_row), 12), serial=True)


def start_concurrency(
    shape: ServerShape, page_size: int, cap: int, tuning: ExportTuning
) -> Concurrency:
    """The search's first step: one request in flight as predicted, four to try.

    A page of ``page_size`` rows alone takes ``fixed + page_size * per_row``;
    that is the rate to beat. The two pages that measured the server ran side by
    side, so two are known to run at once; as many again wait at the server, so
    that no worker stands idle while a reply and the next request cross the
    network (a waiting request costs the server nothing). A server that
    answered one request at a time stays at one.
    """
    if tuning.max_in_flight is not None:
        level = max(1, min(cap, tuning.max_in_flight))
        return Concurrency(level, True, None, Level(level))
    alone = shape.fixed + page_size * shape.per_row
    one = Level(1, rows=page_size, pages=1, started=0.0, finished=alone, latency=alone)
    start = min(cap, tuning.in_flight_cap, 4)
    if shape.serial or start < 2:
        return Concurrency(1, True, one, Level(1))
    return Concurrency(start, False, one, Level(start))


def next_in_flight(state: Concurrency, cap: int, tuning: ExportTuning) -> Concurrency:
    """The next step of the search, once ``state.current`` holds a new page.

    ``cap`` bounds the requests in flight (the client's own limit, the tuning's
    ``max_in_flight``...). Until ``tuning.samples`` pages are measured at the
    current level nothing changes.
    """
    if tuning.max_in_flight is not None:
        return replace(state, in_flight=max(1, min(cap, tuning.max_in_flight)), settled=True)
    cap = max(1, min(cap, tuning.in_flight_cap))
    current = state.current
    if current.pages < tuning.samples:
        return state
    best = state.best
    if state.settled:
        if best is not None and current.latency > best.latency * tuning.latency_climb:
            lower = max(1, state.in_flight - 1)
            return Concurrency(lower, True, replace(current, in_flight=lower), Level(lower))
        return state
    if best is None or current.rate >= best.rate * tuning.growth:
        if current.in_flight >= cap:
            return Concurrency(current.in_flight, True, current, Level(current.in_flight))
        up = current.in_flight + 1
        return Concurrency(up, False, current, Level(up))
    # it stopped growing: back to the best level, and stay
    return Concurrency(best.in_flight, True, best, Level(best.in_flight))


def after_page(state: Concurrency, timing: Timing, cap: int, tuning: ExportTuning) -> Concurrency:
    """The search once a page sent at ``state.current``'s level came back (``next_in_flight``)."""
    current = state.current.add(timing.rows, timing.sent, timing.received)
    return next_in_flight(
        Concurrency(state.in_flight, state.settled, state.best, current), cap, tuning
    )


@dataclass(frozen=True, slots=True)
class Window:
    """Ids ``low < id <= high`` (``high=None``: no upper bound)."""

    low: int
    high: int | None


def id_windows(after: int, top: int, density: float, rows: int, count: int = 1) -> list[Window]:
    """Up to ``count`` windows after id ``after``, each expected to hold ``rows`` rows.

    ``density`` is rows per id seen so far (1.0 when every id matches); ``top`` the
    highest matching id. The last window has no upper bound, so that rows created
    since ``top`` was read are not lost.

    >>> id_windows(1000, 4000, 1.0, 1000, 5)
    [Window(low=1000, high=2000), Window(low=2000, high=3000), Window(low=3000, high=None)]
    """
    width = max(1, math.ceil(rows / max(density, 1e-9)))
    windows: list[Window] = []
    low = after
    while len(windows) < count:
        high = low + width
        if high >= top:
            windows.append(Window(low, None))
            break
        windows.append(Window(low, high))
        low = high
    return windows
