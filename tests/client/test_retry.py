"""Tables for the retry policy: what is retried and how long to wait."""

from __future__ import annotations

import dataclasses
import itertools
import math
from datetime import datetime, timezone

import backoff
import pytest

from odoo_async._client._retry import (
    READ_ONLY_METHODS,
    RETRY_RULES,
    Decision,
    FailureKind,
    RetryPolicy,
    When,
    classify,
    compute_delay,
    is_read_only,
    retry_decision,
)
from odoo_async._errors import (
    AccessDenied,
    AccessError,
    AuthenticationError,
    ConcurrencyError,
    ConnectError,
    HTTPStatusError,
    MissingError,
    ProtocolError,
    ProxyAuthenticationError,
    ProxyError,
    RateLimited,
    RequestTimeout,
    RPCError,
    SessionExpired,
    TransportError,
    UserError,
    ValidationError,
)
from odoo_async._transports._retry_after import parse_retry_after

HTML_500 = (
    b"<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
    b"<h1>Internal Server Error</h1>\n"
)
JSON_500 = b'{"name": "builtins.Exception", "message": "boom", "arguments": [], "debug": ""}'


def _status(code: int, body: bytes = b"") -> HTTPStatusError:
    return HTTPStatusError(f"HTTP {code}", status_code=code, body=body, model="res.partner")


def _plain_http() -> ConnectError:
    error = ConnectError("cannot connect: the server answers in plain HTTP, not TLS")
    error.plain_http = True
    return error


def _certificate() -> ConnectError:
    error = ConnectError("cannot connect: [SSL: CERTIFICATE_VERIFY_FAILED]")
    error.certificate_refused = True
    return error


def _fault(cls: type[RPCError], name: str) -> RPCError:
    return cls("fault", name=name, model="res.partner", method="write")


# (id, error, kind, which calls are retried) — the rules of issue 4, written out
# by hand rather than derived from RETRY_RULES.
ERRORS: list[tuple[str, BaseException, FailureKind, str]] = [
    ("connect", ConnectError("refused"), FailureKind.NOT_SENT, "always"),
    ("https-to-plain-http", _plain_http(), FailureKind.WRONG_SCHEME, "never"),
    ("certificate-refused", _certificate(), FailureKind.CERTIFICATE, "never"),
    (
        "proxy-unreachable",
        ProxyError("no proxy", proxy="http://p:3128"),
        FailureKind.NOT_SENT,
        "always",
    ),
    (
        "proxy-407",
        ProxyAuthenticationError("407", proxy="http://p:3128"),
        FailureKind.AUTHENTICATION,
        "never",
    ),
    ("pool-timeout", RequestTimeout("t", limit="pool"), FailureKind.NOT_SENT, "always"),
    ("connect-timeout", RequestTimeout("t", limit="connect"), FailureKind.NOT_SENT, "always"),
    (
        "concurrency",
        _fault(ConcurrencyError, "psycopg2.errors.SerializationFailure"),
        FailureKind.CONCURRENCY,
        "always",
    ),
    ("read-timeout", RequestTimeout("t", limit="read"), FailureKind.TIMEOUT, "safe"),
    ("write-timeout", RequestTimeout("t", limit="write"), FailureKind.TIMEOUT, "safe"),
    ("unknown-timeout", RequestTimeout("t", limit="total"), FailureKind.TIMEOUT, "safe"),
    ("429", RateLimited("slow down", retry_after=None), FailureKind.RATE_LIMITED, "safe"),
    ("429-plain", _status(429), FailureKind.RATE_LIMITED, "safe"),
    ("502", _status(502), FailureKind.UNAVAILABLE, "safe"),
    ("503", _status(503, b"<html>maintenance</html>"), FailureKind.UNAVAILABLE, "safe"),
    ("504", _status(504), FailureKind.UNAVAILABLE, "safe"),
    ("500-html", _status(500, HTML_500), FailureKind.OVERLOADED, "safe"),
    ("500-text", _status(500, b"Internal Server Error"), FailureKind.OVERLOADED, "safe"),
    ("500-empty", _status(500), FailureKind.OVERLOADED, "safe"),
    ("500-json", _status(500, JSON_500), FailureKind.HTTP_ERROR, "never"),
    ("500-json-ws", _status(500, b"  \n[1]"), FailureKind.HTTP_ERROR, "never"),
    ("dropped", TransportError("connection reset"), FailureKind.DROPPED, "safe"),
    ("400", _status(400, b"Invalid JSON data"), FailureKind.HTTP_ERROR, "never"),
    ("401", _status(401), FailureKind.HTTP_ERROR, "never"),
    ("403", _status(403), FailureKind.HTTP_ERROR, "never"),
    ("404", _status(404), FailureKind.HTTP_ERROR, "never"),
    ("409", _status(409), FailureKind.HTTP_ERROR, "never"),
    ("422", _status(422), FailureKind.HTTP_ERROR, "never"),
    ("501", _status(501), FailureKind.HTTP_ERROR, "never"),
    ("505", _status(505), FailureKind.HTTP_ERROR, "never"),
    (
        "protocol-200",
        ProtocolError("not JSON", status_code=200, content_type="text/html"),
        FailureKind.PROTOCOL,
        "never",
    ),
    ("protocol-none", ProtocolError("bad JSON"), FailureKind.PROTOCOL, "never"),
    ("protocol-400", ProtocolError("html", status_code=400), FailureKind.PROTOCOL, "never"),
    ("protocol-503", ProtocolError("html", status_code=503), FailureKind.UNAVAILABLE, "safe"),
    ("protocol-500", ProtocolError("html", status_code=500), FailureKind.OVERLOADED, "safe"),
    (
        "authentication",
        AuthenticationError("login refused", db="odoo17", login="admin"),
        FailureKind.AUTHENTICATION,
        "never",
    ),
    (
        "access-denied",
        _fault(AccessDenied, "odoo.exceptions.AccessDenied"),
        FailureKind.AUTHENTICATION,
        "never",
    ),
    (
        "session-expired",
        _fault(SessionExpired, "odoo.http.SessionExpiredException"),
        FailureKind.SESSION_EXPIRED,
        "never",
    ),
    ("user-error", _fault(UserError, "odoo.exceptions.UserError"), FailureKind.FAULT, "never"),
    (
        "validation",
        _fault(ValidationError, "odoo.exceptions.ValidationError"),
        FailureKind.FAULT,
        "never",
    ),
    ("missing", _fault(MissingError, "odoo.exceptions.MissingError"), FailureKind.FAULT, "never"),
    ("access", _fault(AccessError, "odoo.exceptions.AccessError"), FailureKind.FAULT, "never"),
    ("rpc", _fault(RPCError, "builtins.ValueError"), FailureKind.FAULT, "never"),
    ("value-error", ValueError("not ours"), FailureKind.OTHER, "never"),
    ("keyboard", KeyboardInterrupt(), FailureKind.OTHER, "never"),
]

READ_METHODS = ["read", "search_read", "search_count", "fields_get", "name_search", "version"]
WRITE_METHODS = ["create", "write", "unlink", "action_post", "name_create", "Read"]

DECISION_TABLE = [
    pytest.param(
        error, method, idempotent, rule, id=f"{name}-{method}-{'idem' if idempotent else 'plain'}"
    )
    for name, error, _, rule in ERRORS
    for method in ("search_read", "write")
    for idempotent in (False, True)
]


def _no_jitter() -> float:
    return 0.0


@pytest.mark.parametrize(("error", "kind"), [pytest.param(e, k, id=n) for n, e, k, _ in ERRORS])
def test_classify(error: BaseException, kind: FailureKind) -> None:
    assert classify(error) is kind


@pytest.mark.parametrize(("error", "method", "idempotent", "rule"), DECISION_TABLE)
def test_decision_table(error: BaseException, method: str, idempotent: bool, rule: str) -> None:
    decision = retry_decision(
        error, method=method, idempotent=idempotent, attempt=0, policy=RetryPolicy()
    )
    expected = {
        "always": True,
        "safe": method == "search_read" or idempotent,
        "never": False,
    }[rule]
    assert decision.retry is expected
    assert decision.free is False
    assert decision.delay >= 0
    if not expected:
        assert decision.delay == 0
        assert decision.reason.startswith("not retried")


@pytest.mark.parametrize(("name", "error", "kind", "rule"), ERRORS, ids=[e[0] for e in ERRORS])
def test_rules_table_matches_issue(
    name: str, error: BaseException, kind: FailureKind, rule: str
) -> None:
    assert (
        RETRY_RULES[kind]
        is {"always": When.ALWAYS, "safe": When.IF_SAFE, "never": When.NEVER}[rule]
    )


def test_rules_cover_every_kind() -> None:
    assert set(RETRY_RULES) == set(FailureKind)


@pytest.mark.parametrize("method", READ_METHODS)
def test_read_methods_are_read_only(method: str) -> None:
    assert is_read_only(method)
    decision = retry_decision(
        _status(503), method=method, idempotent=False, attempt=0, policy=RetryPolicy()
    )
    assert decision.retry


@pytest.mark.parametrize("method", WRITE_METHODS)
def test_write_methods_are_not_read_only(method: str) -> None:
    assert not is_read_only(method)
    assert method not in READ_ONLY_METHODS
    decision = retry_decision(
        _status(503), method=method, idempotent=False, attempt=0, policy=RetryPolicy()
    )
    assert not decision.retry
    assert repr(method) in decision.reason


def test_policy_idempotent_marks_every_call_safe() -> None:
    policy = RetryPolicy(idempotent=True)
    decision = retry_decision(
        RequestTimeout("t", limit="read"),
        method="write",
        idempotent=False,
        attempt=0,
        policy=policy,
    )
    assert decision.retry


@pytest.mark.parametrize(
    ("max_retries", "attempt", "retry"),
    [
        (2, 0, True),
        (2, 1, True),
        (2, 2, False),
        (2, 3, False),
        (0, 0, False),
        (5, 4, True),
        (5, 5, False),
    ],
)
@pytest.mark.parametrize("error", [ConnectError("refused"), _status(503)], ids=["not-sent", "503"])
def test_retries_run_out(max_retries: int, attempt: int, retry: bool, error: Exception) -> None:
    decision = retry_decision(
        error,
        method="read",
        idempotent=False,
        attempt=attempt,
        policy=RetryPolicy(max_retries=max_retries),
        rand=_no_jitter,
    )
    assert decision.retry is retry
    if not retry:
        assert "retries used" in decision.reason


def test_total_attempts_with_default_policy() -> None:
    """The loop the client runs: 1 request + 2 retries, with delays 0.5 and 1.0."""
    policy = RetryPolicy()
    error = _status(502)
    delays = []
    attempt = 0
    while True:
        decision = retry_decision(
            error, method="read", idempotent=False, attempt=attempt, policy=policy, rand=_no_jitter
        )
        if not decision.retry:
            break
        delays.append(decision.delay)
        attempt += 1
    assert attempt + 1 == 3
    assert delays == [0.5, 1.0]


def test_none_policy_never_retries() -> None:
    assert RetryPolicy.NONE.max_retries == 0
    for _, error, _, _ in ERRORS:
        decision = retry_decision(
            error, method="read", idempotent=True, attempt=0, policy=RetryPolicy.NONE
        )
        assert not decision.retry


def test_concurrency_backs_off_longer() -> None:
    error = _fault(ConcurrencyError, "psycopg2.errors.SerializationFailure")
    policy = RetryPolicy()
    plain = retry_decision(
        ConnectError("x"),
        method="write",
        idempotent=False,
        attempt=1,
        policy=policy,
        rand=_no_jitter,
    )
    longer = retry_decision(
        error, method="write", idempotent=False, attempt=1, policy=policy, rand=_no_jitter
    )
    assert plain.delay == 1.0
    assert longer.retry
    assert longer.delay == 4.0


@pytest.mark.parametrize(
    ("retry_after", "delay"),
    [(7.0, 7.0), (0.0, 0.0), (0.25, 0.25), (1000.0, 60.0), (None, 0.5)],
)
def test_decision_honours_retry_after(retry_after: float | None, delay: float) -> None:
    error = RateLimited("slow down", retry_after=retry_after)
    decision = retry_decision(
        error, method="read", idempotent=False, attempt=0, policy=RetryPolicy(), rand=_no_jitter
    )
    assert decision == Decision(True, delay, FailureKind.RATE_LIMITED, decision.reason)


def test_decision_ignores_non_numeric_retry_after() -> None:
    error = _status(503)
    error.retry_after = "soon"  # type: ignore[attr-defined]
    decision = retry_decision(
        error, method="read", idempotent=False, attempt=0, policy=RetryPolicy(), rand=_no_jitter
    )
    assert decision.delay == 0.5


# --------------------------------------------------------------------------- stale connections


@pytest.mark.parametrize("method", ["read", "write"])
@pytest.mark.parametrize("policy", [RetryPolicy(), RetryPolicy.NONE], ids=["default", "none"])
def test_stale_connection_gets_one_free_immediate_retry(method: str, policy: RetryPolicy) -> None:
    error = TransportError("server closed the connection")
    first = retry_decision(
        error, method=method, idempotent=False, attempt=0, policy=policy, stale_connection=True
    )
    assert first.kind is FailureKind.STALE_CONNECTION
    assert (first.retry, first.free, first.delay) == (True, True, 0.0)
    second = retry_decision(
        error,
        method=method,
        idempotent=False,
        attempt=0,
        policy=policy,
        stale_connection=True,
        stale_retried=True,
        rand=_no_jitter,
    )
    # The second one is an ordinary "never reached Odoo" retry, if the budget allows.
    assert second.free is False
    assert second.retry is (policy.max_retries > 0)
    if second.retry:
        assert second.delay == 0.5


def test_stale_connection_from_error_attributes() -> None:
    stale = TransportError("closed")
    stale.stale_connection = True  # type: ignore[attr-defined]
    not_sent = TransportError("closed")
    not_sent.request_sent = False  # type: ignore[attr-defined]
    sent = TransportError("closed")
    sent.request_sent = True  # type: ignore[attr-defined]
    assert classify(stale) is FailureKind.STALE_CONNECTION
    assert classify(not_sent) is FailureKind.NOT_SENT
    assert classify(sent) is FailureKind.DROPPED


def test_stale_flag_does_not_override_replies_or_timeouts() -> None:
    assert classify(_status(503), stale_connection=True) is FailureKind.UNAVAILABLE
    timeout = RequestTimeout("t", limit="read")
    assert classify(timeout, stale_connection=True) is FailureKind.TIMEOUT
    assert classify(ConnectError("x"), stale_connection=True) is FailureKind.NOT_SENT


def test_negative_attempt_is_refused() -> None:
    with pytest.raises(ValueError, match="attempt"):
        retry_decision(
            ConnectError("x"), method="read", idempotent=False, attempt=-1, policy=RetryPolicy()
        )
    with pytest.raises(ValueError, match="attempt"):
        compute_delay(RetryPolicy(), -1)


# --------------------------------------------------------------------------- delays


@pytest.mark.parametrize(
    ("attempt", "rand", "delay"),
    [
        (0, 0.0, 0.5),
        (1, 0.0, 1.0),
        (2, 0.0, 2.0),
        (3, 0.0, 4.0),
        (4, 0.0, 8.0),
        (5, 0.0, 8.0),
        (10, 0.0, 8.0),
        (10_000, 0.0, 8.0),
        (0, 1.0, 0.375),
        (0, 0.5, 0.4375),
        (3, 1.0, 3.0),
        (7, 1.0, 6.0),
        (2, 0.2, 1.9),
        # out-of-range random values are clamped: a delay never grows or goes negative
        (0, -3.0, 0.5),
        (0, 7.0, 0.375),
    ],
)
def test_default_delays(attempt: int, rand: float, delay: float) -> None:
    assert compute_delay(RetryPolicy(), attempt, rand=lambda: rand) == pytest.approx(delay)


@pytest.mark.parametrize(
    ("attempt", "delay"),
    [(0, 2.0), (1, 4.0), (2, 8.0), (3, 16.0), (4, 32.0), (5, 32.0), (50, 32.0)],
)
def test_concurrency_delays(attempt: int, delay: float) -> None:
    assert compute_delay(RetryPolicy(), attempt, concurrency=True, rand=_no_jitter) == delay


@pytest.mark.parametrize(
    ("retry_after", "delay"),
    [
        (3.0, 3.0),
        (0.0, 0.0),
        (-5.0, 0.0),
        (59.5, 59.5),
        (60.0, 60.0),
        (1e12, 60.0),
        (math.inf, 60.0),
        (math.nan, 2.0),  # ignored: the backoff for attempt 2
    ],
)
def test_retry_after_wins_but_is_capped(retry_after: float, delay: float) -> None:
    # no jitter on a server's wish, even with rand = 1
    got = compute_delay(
        RetryPolicy(),
        2,
        retry_after=retry_after,
        rand=lambda: 0.0 if math.isnan(retry_after) else 1.0,
    )
    assert got == delay


def test_retry_after_cap_is_configurable() -> None:
    policy = RetryPolicy(max_retry_after=5.0)
    assert compute_delay(policy, 0, retry_after=120.0) == 5.0
    assert compute_delay(policy, 0, retry_after=120.0, concurrency=True) == 5.0


@pytest.mark.parametrize(
    ("changes", "attempt", "rand", "delay"),
    [
        ({"jitter": 0.0}, 0, 1.0, 0.5),
        ({"jitter": 1.0}, 1, 1.0, 0.0),
        ({"jitter": 1.0}, 1, 0.5, 0.5),
        ({"initial_delay": 0.0}, 3, 0.0, 0.0),
        ({"max_delay": 0.0}, 3, 0.0, 0.0),
        ({"initial_delay": 2.0, "max_delay": 1.0}, 0, 0.0, 1.0),
        ({"initial_delay": 0.1}, 3, 0.0, 0.8),
        ({"initial_delay": 0.1, "max_delay": 0.3}, 2, 0.0, 0.3),
        ({"concurrency_delay_factor": 1.0}, 1, 0.0, 1.0),
        ({"initial_delay": 5e-324, "max_delay": 1e308}, 5000, 0.0, 1e308),
    ],
)
def test_delay_edge_cases(
    changes: dict[str, float], attempt: int, rand: float, delay: float
) -> None:
    policy = RetryPolicy().replace(**changes)
    assert compute_delay(policy, attempt, rand=lambda: rand) == pytest.approx(delay)


def test_delays_come_from_backoff_expo() -> None:
    expected = backoff.expo(base=2, factor=0.3, max_value=5.0)
    next(expected)
    policy = RetryPolicy(initial_delay=0.3, max_delay=5.0, jitter=0.0)
    got = [compute_delay(policy, n) for n in range(12)]
    assert got == list(itertools.islice(expected, 12))


def test_default_jitter_stays_within_a_quarter() -> None:
    policy = RetryPolicy()
    for attempt in range(6):
        full = compute_delay(policy, attempt, rand=_no_jitter)
        for _ in range(50):
            got = compute_delay(policy, attempt)
            assert 0.75 * full <= got <= full


# --------------------------------------------------------------------------- policy object


def test_policy_defaults_and_repr() -> None:
    policy = RetryPolicy()
    assert (policy.max_retries, policy.initial_delay, policy.max_delay) == (2, 0.5, 8.0)
    assert (policy.jitter, policy.max_retry_after, policy.concurrency_delay_factor) == (
        0.25,
        60.0,
        4.0,
    )
    assert policy.idempotent is False
    assert repr(policy) == (
        "RetryPolicy(max_retries=2, initial_delay=0.5, max_delay=8.0, jitter=0.25, "
        "max_retry_after=60.0, concurrency_delay_factor=4.0, idempotent=False)"
    )


def test_policy_is_immutable_hashable_and_keyword_only() -> None:
    policy = RetryPolicy(max_retries=3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.max_retries = 4  # type: ignore[misc]
    assert policy == RetryPolicy(max_retries=3)
    assert hash(policy) == hash(RetryPolicy(max_retries=3))
    with pytest.raises(TypeError):
        RetryPolicy(3)  # type: ignore[call-arg]


def test_policy_replace() -> None:
    policy = RetryPolicy()
    changed = policy.replace(max_retries=5, idempotent=True)
    assert (changed.max_retries, changed.idempotent, changed.max_delay) == (5, True, 8.0)
    assert policy.max_retries == 2
    assert dataclasses.replace(policy, jitter=0.0).jitter == 0.0
    with pytest.raises(ValueError, match="max_delay"):
        policy.replace(max_delay=-1.0)


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"max_retries": -1}, ValueError, "max_retries"),
        ({"max_retries": 1.5}, TypeError, "max_retries"),
        ({"max_retries": True}, TypeError, "max_retries"),
        ({"initial_delay": -0.1}, ValueError, "initial_delay"),
        ({"initial_delay": math.nan}, ValueError, "initial_delay"),
        ({"initial_delay": "1"}, TypeError, "initial_delay"),
        ({"max_delay": -1.0}, ValueError, "max_delay"),
        ({"max_delay": math.inf}, ValueError, "max_delay"),
        ({"jitter": -0.1}, ValueError, "jitter"),
        ({"jitter": 1.5}, ValueError, "jitter"),
        ({"max_retry_after": -1.0}, ValueError, "max_retry_after"),
        ({"concurrency_delay_factor": 0.5}, ValueError, "concurrency_delay_factor"),
        ({"concurrency_delay_factor": -1.0}, ValueError, "concurrency_delay_factor"),
        ({"idempotent": 1}, TypeError, "idempotent"),
    ],
)
def test_policy_validation(kwargs: dict[str, object], error: type[Exception], name: str) -> None:
    with pytest.raises(error, match=name):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_policy_accepts_ints_for_seconds() -> None:
    policy = RetryPolicy(initial_delay=1, max_delay=10, jitter=0)
    assert compute_delay(policy, 2) == 4.0


def test_parsed_huge_retry_after_is_capped_by_compute_delay() -> None:
    now = datetime(2015, 10, 21, 7, 28, 0, tzinfo=timezone.utc)
    seconds = parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now=now)
    assert compute_delay(RetryPolicy(), 0, retry_after=seconds) == 60.0


def test_huge_concurrency_cap_stays_finite() -> None:
    policy = RetryPolicy(max_delay=1e308, jitter=0.0)
    got = compute_delay(policy, 5000, concurrency=True)
    assert math.isfinite(got)
    assert got > 1e307
