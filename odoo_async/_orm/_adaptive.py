"""How a long fetch goes: page size and requests in flight, decided from rows per second.

Pure decisions, no I/O (``_engine.py`` does the fetching; ``_pager.py`` and
``_chunks.py`` feed it):

- :func:`measure_alone` reads the first page, sent alone: the fixed cost of a
  call (``fixed_guess``) and the cost of a row;
- :func:`page_size_for` sizes pages so that the fixed cost of a call is a small
  share (``overhead_share``) of a page's time, or as large as allowed (the
  memory bound) once one request at a time is what the server pays for;
- :func:`next_in_flight` climbs the requests in flight from throughput alone:
  one page alone gives the rows/s of one; two go out together, and only if
  their rows/s beat one's by ``margin`` (15 %) are four tried, and so on up to
  the cap; a level that does not beat the one below sends the engine back to
  it, for good. A level that was earned keeps being measured: when it stops
  beating the level below by the margin, the engine comes down to it. Which
  reply came first tells nothing: a threaded Odoo shares its time among the
  requests it holds, so two replies come back together on it as on a parallel
  server (TIMINGS.md, "Several requests at once");
- :func:`id_windows` cuts the id axis into windows holding about a page each,
  from the density of ids seen so far, so that windows can be fetched at the
  same time and still come back in id order, each row in exactly one window.

:class:`ExportTuning` holds the knobs; :class:`Level` what one level of
concurrency showed; :class:`Climb` where the search stands. Everything is
table-tested like ``_retry.retry_decision``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from odoo_async._check import check_int, check_number

__all__ = [
    "Climb",
    "ExportTuning",
    "Level",
    "ServerShape",
    "Timing",
    "Window",
    "after_page",
    "alone_rate",
    "id_windows",
    "measure_alone",
    "next_in_flight",
    "page_size_for",
    "start_climb",
]


@dataclass(frozen=True, slots=True)
class ExportTuning:
    """The knobs of the fetch engine (the defaults suit Odoo 17 threaded and prefork).

    ``page_size``/``max_in_flight`` fix what they name instead of adapting it;
    ``first_page`` is the size of the first page, sent alone, that measures a
    row; pages stay within ``min_page_size``..``max_page_size`` (the upper bound
    is also what bounds the memory of a stream: at most ``max_in_flight +
    prefetch`` pages are held); once one request at a time is what the server
    pays for, a walk that keeps every row anyway (``await pager``, a long
    ``read``) takes pages of ``serial_page_size``; ``fixed_guess``: the fixed
    cost of a call assumed from one page (TIMINGS: 20-40 ms); ``margin``: how much
    more rows/s a level of concurrency must show than the level below to be
    kept (0.15: 15 %); each level is measured over ``samples`` rounds of as many
    pages as it has in flight; ``in_flight_cap`` bounds the climb; an export
    expected to be large gets at least ``min_pages`` pages, so there is something
    to measure; a level is tried only while the pages left are at least
    ``trial_worth`` times its requests in flight; an id window is sized to hold
    ``window_fill`` of a page (a window that overflows costs one more call).
    """

    page_size: int | None = None
    max_in_flight: int | None = None
    first_page: int = 1_000
    min_page_size: int = 500
    max_page_size: int = 10_000
    serial_page_size: int = 50_000
    fixed_guess: float = 0.025
    in_flight_cap: int = 8
    overhead_share: float = 0.03
    margin: float = 0.15
    samples: int = 1
    min_pages: int = 8
    trial_worth: float = 1.0
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
        value = check_number(
            "overhead_share", self.overhead_share, above=True, accepted=between, where=where
        )
        if value >= 1:
            raise ValueError(f"{where}: overhead_share must be {between}, got {value!r}")
        check_number("fixed_guess", self.fixed_guess, where=where)
        check_number("margin", self.margin, where=where)
        check_number("trial_worth", self.trial_worth, where=where)


def page_size_for(
    fixed: float,
    per_row: float,
    tuning: ExportTuning,
    *,
    rows_left: float | None = None,
    alone: bool = False,
    keep_all: bool = False,
) -> int:
    """Rows a page needs for the fixed cost of a call to be ``overhead_share`` of its time.

    ``fixed``: seconds a call costs before it reads a row; ``per_row``: seconds a
    row adds; ``rows_left``: the rows expected still to come, when known (the page
    shrinks so that they make ``min_pages`` pages, something to measure, unless
    they fit in one page). When one request at a time is
    what the server pays for (``alone``: more in flight did not beat one), each
    call only adds its fixed cost: pages are the largest allowed, and
    ``serial_page_size`` when the walk keeps every row anyway (``keep_all``). A
    fixed ``tuning.page_size`` wins.

    >>> page_size_for(0.020, 0.000100, ExportTuning())  # 20 ms a call, 100 us a row
    6500
    """
    if tuning.page_size is not None:
        return tuning.page_size
    if alone:
        return max(tuning.max_page_size, tuning.serial_page_size if keep_all else 0)
    if per_row <= 0:
        rows = float(tuning.max_page_size)
    elif fixed <= 0:
        rows = float(tuning.min_page_size)
    else:
        share = tuning.overhead_share
        rows = fixed * (1 - share) / share / per_row
    if rows_left is not None:
        fill = tuning.window_fill
        if rows_left <= rows * fill:  # what is left fits in one page: one call
            rows = rows_left / fill
        else:  # at least min_pages windows, each filled to window_fill of a page
            rows = min(rows, rows_left / (tuning.min_pages * fill))
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
class Climb:
    """Where the search for the requests in flight stands.

    ``in_flight`` requests go out, measured in ``current``; ``below`` holds the
    levels earned on the way up, lowest first, each of which beat the one
    before it; ``settled``: the climb is over (the level above did not pay, or
    the cap was reached); ``note`` says why the last decision was taken.
    """

    in_flight: int = 1
    settled: bool = False
    below: tuple[Level, ...] = ()
    current: Level = field(default_factory=lambda: Level(1))
    note: str = ""


@dataclass(frozen=True, slots=True)
class ServerShape:
    """What the first page told: seconds a call, seconds a row."""

    fixed: float
    per_row: float


@dataclass(frozen=True, slots=True)
class Timing:
    """A request that moved ``rows`` rows: when it was sent and answered (caller's clock)."""

    rows: int
    sent: float
    received: float

    @property
    def seconds(self) -> float:
        return self.received - self.sent


def measure_alone(page: Timing, tuning: ExportTuning | None = None) -> ServerShape:
    """What one page sent alone tells: the fixed cost is ``fixed_guess``, the rest is rows.

    >>> measure_alone(Timing(1000, 0.0, 0.110))
    ServerShape(fixed=0.025, per_row=8.5e-05)
    """
    tuning = tuning or ExportTuning()
    fixed = min(tuning.fixed_guess, page.seconds / 2)
    per_row = (page.seconds - fixed) / page.rows if page.rows else 0.0
    return ServerShape(round(fixed, 9), round(max(0.0, per_row), 12))


def start_climb(cap: int, tuning: ExportTuning) -> Climb:
    """The first step: one request in flight, to measure (or the fixed ``max_in_flight``)."""
    if tuning.max_in_flight is not None:
        level = max(1, min(cap, tuning.max_in_flight))
        return Climb(level, True, (), Level(level), f"{level} in flight, as asked")
    if min(cap, tuning.in_flight_cap) <= 1:
        return Climb(1, True, (), Level(1), "1 in flight: the cap")
    return Climb(1, False, (), Level(1), "1 in flight, to measure")


def next_in_flight(
    state: Climb,
    cap: int,
    tuning: ExportTuning,
    *,
    pages_left: float | None = None,
    alone_rate: float | None = None,
) -> Climb:
    """The next step of the search, once ``state.current`` holds a new page.

    ``cap`` bounds the requests in flight (the client's own limit). Until
    ``samples`` rounds of pages are measured at the current level nothing changes.

    - climbing, at one: twice as many go out (if the cap allows);
    - climbing, above one: if its rows/s beat the level below by ``margin``,
      twice as many (at the cap: stay); else back to the level below, for good;
    - settled above one: if its rows/s stop beating the level below by the
      margin, down to it; else a fresh measure at the same level.

    ``pages_left``, when known, is how many pages of the current size are still
    to be cut. A level is tried only if what is left fills ``trial_worth`` times
    its requests in flight (1: one full round): a trial made of the last scraps
    of an export measures nothing and, where it does not pay (four on a server
    with two workers), only slows the end. Else the climb stays where it is.

    ``alone_rate``, when known, is the rows/s one request at a time would reach
    with pages as large as allowed (:func:`alone_rate`): two in flight must beat
    that too, not only one page of their size. On a threaded server small pages
    gain a little from two at once (the database part overlaps), but one large
    page gains more: the export then ends up as few calls as it can be.
    """
    if tuning.max_in_flight is not None:
        return replace(state, in_flight=max(1, min(cap, tuning.max_in_flight)), settled=True)
    cap = max(1, min(cap, tuning.in_flight_cap))
    current = state.current
    level = current.in_flight
    if current.pages < tuning.samples * level:
        return state
    lower = state.below[-1] if state.below else None
    if lower is None:
        if state.settled or level >= cap:
            return Climb(level, True, (), Level(level), state.note)
        up = min(cap, level * 2)
        if not _worth_trying(up, pages_left, tuning):
            note = f"{level}: {_rate(current)}; stay at {level}: {_few(pages_left)} to try {up}"
            return Climb(level, True, (), Level(level), note)
        return Climb(up, False, (current,), Level(up), f"{level}: {_rate(current)}; try {up}")
    base = lower.rate
    if lower.in_flight == 1 and alone_rate is not None and alone_rate > base:
        base = alone_rate  # one at a time, with the largest pages allowed
    gain = current.rate / base if base > 0 else math.inf
    beats = gain >= 1 + tuning.margin
    whose = (
        f"one large page alone ({base:,.0f} rows/s, estimated)"
        if base > lower.rate
        else f"{lower.in_flight}'s"
    )
    versus = f"{level}: {_rate(current)}, {gain:.2f}x {whose}"
    if not beats:
        back = lower.in_flight
        return Climb(back, True, state.below[:-1], Level(back), f"{versus}; back to {back}")
    if state.settled or level >= cap:
        return Climb(level, True, state.below, Level(level), f"{versus}; stay at {level}")
    up = min(cap, level * 2)
    if not _worth_trying(up, pages_left, tuning):
        note = f"{versus}; stay at {level}: {_few(pages_left)} to try {up}"
        return Climb(level, True, state.below, Level(level), note)
    return Climb(up, False, (*state.below, current), Level(up), f"{versus}; try {up}")


def _worth_trying(level: int, pages_left: float | None, tuning: ExportTuning) -> bool:
    return pages_left is None or pages_left >= tuning.trial_worth * level


def _few(pages_left: float | None) -> str:
    return f"{pages_left or 0:.1f} pages left, too few"


def _rate(level: Level) -> str:
    return f"{level.rate:,.0f} rows/s"


def after_page(
    state: Climb,
    timing: Timing,
    cap: int,
    tuning: ExportTuning,
    *,
    pages_left: float | None = None,
    alone_rate: float | None = None,
) -> Climb:
    """The search once a page sent at ``state.current``'s level came back (``next_in_flight``)."""
    current = state.current.add(timing.rows, timing.sent, timing.received)
    return next_in_flight(
        replace(state, current=current),
        cap,
        tuning,
        pages_left=pages_left,
        alone_rate=alone_rate,
    )


def alone_rate(
    shape: ServerShape, tuning: ExportTuning, *, rows_left: float | None, keep_all: bool
) -> float:
    """Rows/s of one request at a time with pages as large as allowed (at most what is left).

    From the first page's shape (``fixed`` a call, ``per_row`` a row), which
    errs on the side of more in flight: a real Odoo's large pages cost less a
    row than small ones (TIMINGS.md: 68 us against 86 at 5,000 rows).

    >>> shape = ServerShape(0.025, 0.0001)  # 25 ms a call, 100 us a row: pages of 10,000
    >>> round(alone_rate(shape, ExportTuning(), rows_left=None, keep_all=False))
    9756
    """
    rows = float(page_size_for(shape.fixed, shape.per_row, tuning, alone=True, keep_all=keep_all))
    if rows_left is not None:
        rows = min(rows, max(rows_left, 1.0))
    seconds = shape.fixed + rows * shape.per_row
    return rows / seconds if seconds > 0 else math.inf


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
