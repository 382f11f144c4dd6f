"""Limits shared by every worker that talks to one Odoo: :class:`RedisBudget`.

::

    from odoo_async import AsyncOdoo
    from odoo_async.redis import RedisBudget

    budget = RedisBudget("redis://cache:6379/0", key="odoo:acme",
                         rate_limit=40, max_concurrency=24)
    async with AsyncOdoo(url, db="acme", username="bot", api_key=key, budget=budget) as odoo:
        ...

Every client, in any process on any machine, that names the same Redis and
``key`` draws from one budget; the client's own ``rate_limit`` and
``max_concurrency`` still apply on top. Needs the ``odoo_async[redis]`` extra
(redis-py's asyncio client) and Redis 6.2 or later.

How it works, per HTTP attempt (retries included): one Lua script, one round
trip, takes a slot and reserves a rate permit; releasing the slot is a second
round trip, sent in the background.

- **the slot** (``max_concurrency``): a lease in a sorted set
  ``{<key>}:slots``, member = lease id (host, pid, a random tag, a counter),
  score = expiry on Redis' clock. The script drops the expired leases and
  adds ours if fewer than ``max_concurrency`` remain. A background task
  renews this process's leases every ``lease_seconds / 3``, so a long call
  keeps its slot, and a worker killed with ``kill -9`` gives its slots back
  within ``lease_seconds``. When no slot is free, the callers of this process
  queue (first come, first served) and the first of them asks again when one
  of its own calls has given a slot back, or after a short backoff (2 ms
  doubling to 50 ms) for the slots of other processes.
- **the rate permit** (``rate_limit``, ``burst``): GCRA, the generic cell
  rate algorithm. Redis keeps one number, ``{<key>}:rate``, the theoretical
  arrival time; the script reserves the next permit and the caller sleeps
  exactly until it is due, so waiters are served in arrival order with no
  polling. Any interval of ``t`` seconds holds at most
  ``burst + rate_limit * t`` permits, whatever the number of processes,
  because the script runs atomically on Redis' one clock. A caller cancelled
  while it sleeps gives its permit back when nobody reserved after it.

The slot is taken with the permit, so that a call goes out as soon as its
permit is due (a permit never waits for a slot, which would let late permits
pile up into a burst). Both keys carry one hash tag, so the budget works on a
Redis Cluster too.

Waiting is bounded: each Redis round trip by ``timeout`` (and by what is left
of the call's ``pool`` timeout), the whole wait by the call's ``pool``
timeout, past which :class:`~odoo_async.RequestTimeout` (``limit="pool"``) is
raised. When Redis is unreachable, refuses or is slow,
:class:`~odoo_async.BudgetUnavailable` is raised, or with
``fallback="local"`` the call goes on under the client's local limits alone,
with one warning logged per outage; Redis is asked again after
``retry_seconds``.

Why not the ``limits`` library: its Redis strategies (fixed window, moving
window, sliding window counter) answer "allowed now?" only, so a caller would
poll, and a fixed window lets twice the rate through across a window edge.
GCRA gives the same atomic guarantee in one round trip per permit and tells
each caller exactly how long to wait.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import secrets
import socket
import time
import urllib.parse
from collections.abc import Awaitable, Sequence
from types import TracebackType
from typing import Any, Final, Literal

import anyio

from ._check import check_choice, check_int, check_number, check_str
from ._config import LEASE_SECONDS, REDIS_RETRY_SECONDS, REDIS_TIMEOUT
from ._errors import BudgetUnavailable, RequestTimeout, redact

try:
    import redis.asyncio as aioredis
    from redis.asyncio.retry import Retry  # not redis.retry: redis-py 8.2 warns at it
    from redis.backoff import NoBackoff
    from redis.exceptions import RedisError
except ImportError as exc:  # pragma: no cover - only without the extra
    raise ImportError(
        "odoo_async.redis needs the redis package: pip install 'odoo_async[redis]'"
    ) from exc

__all__ = ["RedisBudget"]

logger = logging.getLogger("odoo_async.redis")

_US: Final = 1_000_000
_POLL_FIRST: Final = 0.002
_POLL_MAX: Final = 0.05
_POLL_FRONT: Final = 0.02  # the first in the queue asks this often at least
_STALE_WAITER: Final = 2 * _US  # a queued waiter not heard of for this long has gone

# One permit in one round trip. The slot first: drop the expired leases and the
# waiters gone quiet; a slot is free for us if more are free than waiters are
# queued ahead of us (all of them, if we are not queued). If not, refuse,
# queueing us (ARGV[7] == '1') or not, and say how many are ahead. Then the
# rate, GCRA reserving: the permit is due at max(now, tat - tolerance), and the
# theoretical arrival time moves one interval on; a permit due later than
# max_wait is refused (nothing is taken). Then the lease is added, expiring
# lease seconds after the permit is due, and we leave the queue. Times are
# integer microseconds on Redis' clock, written with %.0f (tostring() would
# round them). Returns {status, wait, tat}: 1 granted,
# 0 no slot (wait = waiters ahead), -1 the permit would come too late.
_ACQUIRE: Final = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local slots = tonumber(ARGV[2])
if slots > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
  local gone = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now - tonumber(ARGV[8]))
  for i = 1, #gone do
    redis.call('ZREM', KEYS[3], gone[i])
    redis.call('ZREM', KEYS[4], gone[i])
  end
  local free = slots - redis.call('ZCARD', KEYS[1])
  local ahead = redis.call('ZRANK', KEYS[3], ARGV[1]) or redis.call('ZCARD', KEYS[3])
  if free <= ahead then
    if ARGV[7] == '1' then
      redis.call('ZADD', KEYS[3], 'NX', now, ARGV[1])
      redis.call('ZADD', KEYS[4], now, ARGV[1])
      redis.call('PEXPIRE', KEYS[3], 60000)
      redis.call('PEXPIRE', KEYS[4], 60000)
    end
    return {0, ahead, ''}
  end
end
local wait, new_tat = 0, ''
local interval = tonumber(ARGV[4])
if interval > 0 then
  local tat = tonumber(redis.call('GET', KEYS[2]) or now)
  if tat < now then tat = now end
  wait = tat - tonumber(ARGV[5]) - now
  if wait < 0 then wait = 0 end
  local max_wait = tonumber(ARGV[6])
  if max_wait >= 0 and wait > max_wait then return {-1, wait, ''} end
  new_tat = string.format('%.0f', tat + interval)
  redis.call('SET', KEYS[2], new_tat, 'PX', math.ceil((tat + interval - now) / 1000) + 1000)
end
if slots > 0 then
  local lease = tonumber(ARGV[3])
  redis.call('ZADD', KEYS[1], string.format('%.0f', now + wait + lease), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], math.ceil((wait + lease) / 500))
  redis.call('ZREM', KEYS[3], ARGV[1])
  redis.call('ZREM', KEYS[4], ARGV[1])
end
return {1, wait, new_tat}
"""

# A cancelled reservation is given back only if it is still the last one.
_REFUND: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  local tat = string.format('%.0f', tonumber(ARGV[1]) - tonumber(ARGV[2]))
  redis.call('SET', KEYS[1], tat, 'KEEPTTL')
  return 1
end
return 0
"""

_RENEW: Final = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local lease = tonumber(ARGV[1])
local expiry = string.format('%.0f', now + lease)
local lost = {}
for i = 2, #ARGV do
  if redis.call('ZADD', KEYS[1], 'XX', 'CH', expiry, ARGV[i]) == 0 then
    lost[#lost + 1] = ARGV[i]
  end
end
redis.call('PEXPIRE', KEYS[1], math.ceil(lease / 500))
return lost
"""

_LOCAL: Final[Any] = object()  # the permit handed out while Redis is away (fallback)


class _RedisDown(Exception):
    """A Redis round trip failed; ``reason`` says how."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RedisBudget:
    """A rate and a concurrency budget shared through Redis, for ``AsyncOdoo(budget=...)``.

    ``url`` is a redis-py URL (``redis://[:password@]host:port/db``,
    ``rediss://`` for TLS). ``key`` names the budget: every client naming the
    same Redis and key shares it. ``rate_limit`` (calls per second) and
    ``burst`` (calls at once after a quiet spell; default one second's worth)
    shape the rate; ``max_concurrency`` caps the calls in flight across all
    workers, as leases of ``lease_seconds``. At least one of ``rate_limit`` and
    ``max_concurrency`` is given.

    ``timeout`` is the longest one Redis round trip may take before the budget
    counts as unavailable. ``fallback="local"`` goes on under the client's
    local limits when Redis is unavailable (a warning is logged once per
    outage) instead of raising :class:`~odoo_async.BudgetUnavailable`; Redis
    is asked again ``retry_seconds`` later.

    The budget belongs to one event loop. ``AsyncOdoo.aclose()`` closes it;
    so do ``await budget.aclose()`` and ``async with budget:``. A closed
    budget opens again on its next use.
    """

    def __init__(
        self,
        url: str,
        *,
        key: str,
        rate_limit: float | None = None,
        burst: float | None = None,
        max_concurrency: int | None = None,
        lease_seconds: float = LEASE_SECONDS,
        fallback: Literal["local"] | None = None,
        timeout: float = REDIS_TIMEOUT,
        retry_seconds: float = REDIS_RETRY_SECONDS,
    ) -> None:
        if not isinstance(url, str) or not url.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(
                f"url must be a redis://, rediss:// or unix:// URL, got {_mask(url)!r}"
            )
        check_str("key", key, accepted="a non-empty string naming the budget")
        check_number("rate_limit", rate_limit, above=True, none=True)
        if burst is not None and rate_limit is None:
            raise ValueError("burst needs rate_limit")
        check_number("burst", burst, minimum=1, none=True)
        check_int("max_concurrency", max_concurrency, minimum=1, none=True)
        if rate_limit is None and max_concurrency is None:
            raise ValueError("give rate_limit=, max_concurrency= or both")
        if fallback is not None:
            check_choice("fallback", fallback, ("local",), accepted="None or 'local'")
        check_number("lease_seconds", lease_seconds, above=True)
        check_number("timeout", timeout, above=True)
        check_number("retry_seconds", retry_seconds)
        self._url = url
        self._shown_url = _mask(url)
        self._password = urllib.parse.urlsplit(url).password
        self._key = key
        self._rate = float(rate_limit) if rate_limit is not None else None
        self._burst: float | None = None
        if self._rate is not None:
            self._burst = max(1.0, self._rate) if burst is None else float(burst)
        self._max = max_concurrency
        self._lease = float(lease_seconds)
        self._fallback = fallback
        self._timeout = float(timeout)
        self._retry_seconds = float(retry_seconds)
        # one hash tag: both keys live on one Redis Cluster node, as one script needs
        self._slots_key = f"{{{key}}}:slots"
        self._rate_key = f"{{{key}}}:rate"
        self._keys = [self._slots_key, self._rate_key, f"{{{key}}}:queue", f"{{{key}}}:seen"]
        self._interval = self._tolerance = 0
        if rate_limit is not None:
            interval = _US / rate_limit
            assert self._burst is not None
            self._interval = round(interval)
            self._tolerance = round((self._burst - 1) * interval)
        # A lease id says who holds it: host, process, budget, call number.
        self._lease_prefix = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._leases = 0
        self._held: set[str] = set()
        self._down_until = 0.0
        # Made on first use, inside the event loop.
        self._redis: aioredis.Redis | None = None
        self._scripts: dict[str, Any] = {}
        self._gate: asyncio.Lock | None = None
        self._released: asyncio.Event | None = None
        self._renewer: asyncio.Task[None] | None = None
        self._chores: set[asyncio.Task[Any]] = set()

    def __repr__(self) -> str:
        parts = [f"{self._shown_url!r}", f"key={self._key!r}"]
        if self._rate is not None:
            parts += [f"rate_limit={self._rate!r}", f"burst={self._burst!r}"]
        if self._max is not None:
            parts += [f"max_concurrency={self._max!r}", f"lease_seconds={self._lease!r}"]
        if self._fallback:
            parts.append(f"fallback={self._fallback!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    @property
    def key(self) -> str:
        return self._key

    @property
    def rate_limit(self) -> float | None:
        return self._rate

    @property
    def burst(self) -> float | None:
        return self._burst

    @property
    def max_concurrency(self) -> int | None:
        return self._max

    @property
    def lease_seconds(self) -> float:
        return self._lease

    @property
    def held(self) -> int:
        """Slots this budget object holds right now."""
        return len(self._held)

    # -- the Budget interface -------------------------------------------------------

    async def acquire(self, timeout: float | None) -> Any:
        """Wait for a slot, then a rate permit; returns the permit for :meth:`release`.

        Raises :class:`~odoo_async.RequestTimeout` when they cannot be had
        within ``timeout`` seconds, :class:`~odoo_async.BudgetUnavailable`
        when Redis cannot be asked (unless ``fallback="local"``).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        if self._down_until and time.monotonic() < self._down_until:
            return _LOCAL  # fallback="local", and Redis was away a moment ago
        lease = None
        if self._max is not None:
            self._leases += 1
            lease = f"{self._lease_prefix}:{self._leases}"
        try:
            with _waiting_for(self):
                wait, tat = await self._take(lease, deadline)
                if wait:
                    try:
                        await anyio.sleep(wait / _US)
                    except BaseException:
                        # Cancelled before the permit was used: give it back if still the last.
                        refund = (tat, self._interval)
                        self._chore(self._script(_REFUND, [self._rate_key], refund, None))
                        raise
        except _RedisDown as exc:
            if lease is not None:
                self._drop(lease)
            if self._fallback is None:
                raise BudgetUnavailable(
                    f"the shared budget {self._key!r} at {self._shown_url} is unavailable: "
                    f"{exc.reason}",
                    key=self._key,
                    url=self._shown_url,
                ) from exc.__cause__
            if not self._down_until:
                logger.warning(
                    "shared budget %r at %s is unavailable (%s): going on with local limits only",
                    self._key,
                    self._shown_url,
                    exc.reason,
                )
            self._down_until = time.monotonic() + self._retry_seconds
            return _LOCAL
        except BaseException:
            if lease is not None:
                self._drop(lease)
            raise
        if self._down_until:
            self._down_until = 0.0
            logger.warning("shared budget %r is back: %s answers again", self._key, self._shown_url)
        return lease

    def release(self, permit: Any) -> None:
        """Give the slot back (in the background: the call does not wait for Redis)."""
        if permit is None or permit is _LOCAL:
            return
        self._drop(permit)

    async def aclose(self) -> None:
        """Stop renewing, give back the slots still held, close the Redis connections."""
        if self._renewer is not None:
            self._renewer.cancel()
            self._renewer = None
        held, self._held = list(self._held), set()
        if held and self._redis is not None:
            with anyio.move_on_after(self._timeout, shield=True):
                try:
                    await self._redis.zrem(self._slots_key, *held)
                except (RedisError, OSError):
                    pass  # they expire after lease_seconds
        if self._chores:
            with anyio.move_on_after(self._timeout, shield=True):
                await asyncio.gather(*self._chores, return_exceptions=True)
        redis, self._redis = self._redis, None
        if redis is not None:
            await redis.aclose()

    async def __aenter__(self) -> RedisBudget:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- slots ------------------------------------------------------------------------

    async def _take(self, lease: str | None, deadline: float | None) -> tuple[int, bytes]:
        """Take a slot (if any) and reserve a permit; returns its wait (µs) and the new TAT.

        When a slot is free and nobody is queued for one, the first try gets
        it. Otherwise the caller queues: behind this process's other waiters
        here, and the first of them in Redis' queue of waiting processes, so
        that slots go to the processes in turn. It asks again when one of this
        process's calls has given a slot back, or after a backoff (2 ms
        doubling to 50 ms; to 20 ms when it is first in the queue).
        """
        if self._gate is None:
            self._gate = asyncio.Lock()
            self._released = asyncio.Event()
        released = self._released
        assert released is not None
        if not self._gate.locked():  # nobody here is waiting for a slot
            status, wait, tat = await self._try(lease, deadline, queue=False)
            if status:
                return wait, tat
        delay = _POLL_FIRST
        with anyio.fail_after(_left(deadline)):
            async with self._gate:
                try:
                    while True:
                        released.clear()
                        status, wait, tat = await self._try(lease, deadline, queue=True)
                        if status:
                            return wait, tat
                        if wait == 0 and delay > _POLL_FRONT:  # first in the queue now
                            delay = _POLL_FIRST
                        with anyio.move_on_after(delay * random.uniform(0.75, 1.25)):
                            await released.wait()
                        delay = min(delay * 2, _POLL_FRONT if wait == 0 else _POLL_MAX)
                except BaseException:
                    if lease is not None and self._redis is not None:  # leave the queue
                        self._chore(self._redis.zrem(self._keys[2], lease))
                    raise

    async def _try(
        self, lease: str | None, deadline: float | None, *, queue: bool
    ) -> tuple[int, int, bytes]:
        """One try: ``(1, wait, tat)`` granted, ``(0, ahead, b"")`` no slot yet."""
        max_wait = -1 if deadline is None else round((_left(deadline) or 0.0) * _US)
        args = (
            lease or "",
            self._max or 0,
            round(self._lease * _US),
            self._interval,
            self._tolerance,
            max_wait,
            1 if queue else 0,
            _STALE_WAITER,
        )
        status, wait, tat = await self._script(_ACQUIRE, self._keys, args, deadline)
        if status < 0:
            raise TimeoutError  # the permit would come after the deadline
        if status and lease is not None:
            self._held.add(lease)
            if self._renewer is None or self._renewer.done():
                self._renewer = asyncio.get_running_loop().create_task(self._renew_leases())
        return int(status), int(wait), tat

    def _drop(self, lease: str) -> None:
        """Forget ``lease`` here and remove it from Redis in the background.

        Once it is gone from Redis the first local waiter is woken to ask again.
        """
        self._held.discard(lease)
        if self._redis is not None:
            self._chore(self._remove(self._redis, lease))

    async def _remove(self, redis: aioredis.Redis, lease: str) -> None:
        await redis.zrem(self._slots_key, lease)
        if self._released is not None:
            self._released.set()

    async def _renew_leases(self) -> None:
        """Every ``lease_seconds / 3``, move the expiry of every lease held here."""
        every = self._lease / 3
        while self._held:
            await anyio.sleep(every)
            held = list(self._held)
            if not held:
                break
            try:
                lost = await self._script(
                    _RENEW, [self._slots_key], (round(self._lease * _US), *held), None
                )
            except _RedisDown as exc:
                logger.warning(
                    "shared budget %r: could not renew leases: %s", self._key, exc.reason
                )
                continue
            expired = [lease for lease in lost if lease.decode() in self._held]
            if expired:  # not just released while the renewal was on its way
                logger.warning(
                    "shared budget %r: %d of %d leases had expired before renewal "
                    "(renewals were late by more than lease_seconds=%s)",
                    self._key,
                    len(expired),
                    len(held),
                    self._lease,
                )

    # -- Redis --------------------------------------------------------------------------

    async def _script(
        self, source: str, keys: list[str], args: Sequence[Any], deadline: float | None
    ) -> Any:
        """Run one Lua script in one round trip, within ``timeout`` and ``deadline``."""
        script = self._scripts.get(source)
        if script is None or self._redis is None:
            if self._redis is None:
                self._redis = aioredis.Redis.from_url(
                    self._url,
                    socket_timeout=self._timeout,
                    socket_connect_timeout=self._timeout,
                    retry=Retry(NoBackoff(), 0),
                )
                self._scripts.clear()
            script = self._scripts[source] = self._redis.register_script(source)
        limit = self._timeout
        if deadline is not None:
            limit = min(limit, _left(deadline) or 0.0)
        try:
            with anyio.fail_after(limit):
                return await script(keys=keys, args=args)
        except TimeoutError:
            if limit < self._timeout:
                raise  # the caller's deadline, not Redis being slow
            raise _RedisDown(f"no answer within {self._timeout} s") from None
        except (RedisError, OSError) as exc:
            down = _RedisDown(f"{type(exc).__name__}: {redact(str(exc), self._password)}")
            down.__cause__ = exc
            raise down from exc

    def _chore(self, work: Awaitable[Any]) -> None:
        """Run ``work`` in the background, bounded by ``timeout``; failures are ignored."""

        async def run() -> None:
            with anyio.move_on_after(self._timeout):
                try:
                    await work
                except (RedisError, OSError, _RedisDown):
                    pass

        task = asyncio.get_running_loop().create_task(run())
        self._chores.add(task)
        task.add_done_callback(self._chores.discard)


class _waiting_for:
    """Turn a ``TimeoutError`` from waiting into :class:`RequestTimeout` (``limit="pool"``)."""

    __slots__ = ("_budget",)

    def __init__(self, budget: RedisBudget) -> None:
        self._budget = budget

    def __enter__(self) -> None:
        pass

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if exc_type is TimeoutError:
            raise RequestTimeout(
                f"no permit from the shared budget {self._budget.key!r} "
                "within the call's pool timeout",
                limit="pool",
            ) from exc


def _left(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.0, deadline - time.monotonic())


def _mask(url: Any) -> str:
    """``url`` with its password replaced by ``***``."""
    text = str(url)
    try:
        parts = urllib.parse.urlsplit(text)
    except ValueError:
        return "<unparsable URL>"
    if parts.password is None:
        return text
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))
