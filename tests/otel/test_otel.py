"""Traces and metrics (``odoo_async.otel``), read from the SDK's in-memory exporter and reader.

Against the test double, in-process (a transport that records each request's
headers on the way to it) and over loopback TCP; respx for the plain HTTP case.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from odoo_async import AsyncOdoo, MissingError, Odoo, RetryPolicy, otel
from odoo_async.jobs import export, sync, upsert
from odoo_async.testing import FakeOdoo

KEY = "k3y-0f-the-adm1n-S3CRET"
PASSWORD = "Pa55-w0rd-S3CRET"


class Telemetry:
    """In-memory providers, instrumented for one test."""

    def __init__(self) -> None:
        self.spans_out = InMemorySpanExporter()
        self.tracer_provider = TracerProvider(shutdown_on_exit=False)
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans_out))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader], shutdown_on_exit=False)

    def spans(self, name: str | None = None) -> list[ReadableSpan]:
        found = list(self.spans_out.get_finished_spans())
        return [s for s in found if name is None or s.name == name]

    def points(self, metric: str) -> list[Any]:
        data = self.reader.get_metrics_data()
        if data is None:
            return []
        return [
            point
            for resource in data.resource_metrics
            for scope in resource.scope_metrics
            for m in scope.metrics
            if m.name == metric
            for point in m.data.data_points
        ]

    def everything(self) -> str:
        """Every span and every metric as JSON text, to search for what must not be there."""
        spans = [s.to_json() for s in self.spans()]
        data = self.reader.get_metrics_data()
        return "\n".join([*spans, data.to_json() if data is not None else ""])


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    recorded = Telemetry()
    otel.instrument(
        tracer_provider=recorded.tracer_provider, meter_provider=recorded.meter_provider
    )
    try:
        yield recorded
    finally:
        otel.uninstrument()
        recorded.tracer_provider.shutdown()
        recorded.meter_provider.shutdown()


class Recording(httpx.AsyncBaseTransport):
    """The double's transport, keeping each request's ``traceparent`` header."""

    def __init__(self, fake: FakeOdoo) -> None:
        self.inner = fake.transport()
        self.traceparents: list[str | None] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.traceparents.append(request.headers.get("traceparent"))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def connect(fake: FakeOdoo, transport: httpx.AsyncBaseTransport, **options: Any) -> AsyncOdoo:
    if "api_key" not in options:
        options.setdefault("password", "admin")
    options.setdefault("retry", RetryPolicy.NONE)
    return AsyncOdoo(
        "http://odoo.test:8069",
        db=fake.db,
        username="admin",
        transport=transport,
        sleep=_no_wait,
        **options,
    )


async def _no_wait(delay: float) -> None:
    return None


def traceparent_of(span: ReadableSpan) -> str:
    context = span.get_span_context()
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"


# -- off ------------------------------------------------------------------------------


async def test_off_records_nothing_and_sends_no_traceparent() -> None:
    assert not otel.is_instrumented()
    fake = FakeOdoo(partners=3)
    transport = Recording(fake)
    tracer = TracerProvider(shutdown_on_exit=False).get_tracer("app")
    async with connect(fake, transport) as odoo:
        with tracer.start_as_current_span("the application's own span"):
            assert await odoo.execute_kw("res.partner", "search_count", [[]]) > 0
    # not even the application's span goes out: off, odoo_async injects nothing
    assert transport.traceparents == [None, None]  # the login, the call
    with otel.span("nothing") as span:
        span.set_attribute("odoo.rows", 1)  # accepted, and dropped
    assert type(span).__name__ == "NullSpan"


async def test_uninstrument_stops_recording(telemetry: Telemetry) -> None:
    fake = FakeOdoo(partners=3)
    async with connect(fake, Recording(fake)) as odoo:
        await odoo.execute_kw("res.partner", "search_count", [[]])
        otel.uninstrument()
        assert not otel.is_instrumented()
        await odoo.execute_kw("res.partner", "search_count", [[]])
    assert [s.name for s in telemetry.spans()] == [
        "common/authenticate",
        "res.partner/search_count",
    ]


def test_providers_of_the_wrong_type_are_refused() -> None:
    with pytest.raises(TypeError, match="tracer_provider must be an opentelemetry"):
        otel.instrument(tracer_provider="jaeger")
    with pytest.raises(TypeError, match=r"meter_provider must be an opentelemetry.*got dict"):
        otel.instrument(meter_provider={})
    assert not otel.is_instrumented()


def test_without_the_extra_the_module_imports_and_instrument_says_what_to_install() -> None:
    program = (
        "import sys\n"
        "sys.modules['opentelemetry'] = None\n"  # as if it were not installed
        "from odoo_async import otel\n"
        "import odoo_async.jobs\n"
        "assert not otel.is_instrumented()\n"
        "with otel.span('job'):\n"
        "    pass\n"
        "try:\n"
        "    otel.instrument()\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    ).stdout
    assert "pip install 'odoo_async[otel]'" in out


def test_importing_the_module_and_the_jobs_does_not_import_opentelemetry() -> None:
    program = (
        "import sys\n"
        "from odoo_async import otel\n"
        "import odoo_async.jobs\n"
        "print(sorted(m for m in sys.modules if m.startswith('opentelemetry')))\n"
        "otel.instrument()\n"
        "print('opentelemetry.trace' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines() == ["[]", "True"]


# -- one call -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("protocol", "system", "version"),
    [
        ("jsonrpc", "jsonrpc", "17.0"),
        ("xmlrpc", "xmlrpc", "17.0"),
        ("web", "jsonrpc", "17.0"),
        ("json2", "odoo_json2", "19.0"),
    ],
)
async def test_a_call_is_a_client_span_and_its_traceparent_reaches_the_server(
    telemetry: Telemetry, protocol: str, system: str, version: str
) -> None:
    fake = FakeOdoo(version=version, partners=3, api_keys={2: KEY})
    transport = Recording(fake)
    credentials = {"api_key": KEY} if protocol == "json2" else {}
    async with connect(fake, transport, protocol=protocol, **credentials) as odoo:
        await odoo.execute_kw("res.partner", "search_count", [[["name", "ilike", "Azure"]]])
    (span,) = telemetry.spans("res.partner/search_count")
    assert span.kind is SpanKind.CLIENT
    expected = {
        "rpc.system": system,
        "rpc.service": "res.partner",
        "rpc.method": "search_count",
        "server.address": "odoo.test",
        "server.port": 8069,
        "odoo.db": fake.db,
        "odoo.protocol": protocol,
        "odoo.attempts": 1,
    }
    if system == "jsonrpc":
        expected["rpc.jsonrpc.version"] = "2.0"
    assert dict(span.attributes or {}) == expected
    assert span.status.status_code is StatusCode.UNSET
    # the last request carried this span's context: the server can join the trace
    assert transport.traceparents[-1] == traceparent_of(span)


async def test_a_call_inside_a_span_of_the_application_is_its_child(
    telemetry: Telemetry,
) -> None:
    fake = FakeOdoo(partners=3)
    tracer = telemetry.tracer_provider.get_tracer("app")
    async with connect(fake, Recording(fake)) as odoo:
        with tracer.start_as_current_span("handle request") as parent:
            await odoo.execute_kw("res.partner", "search_count", [[]])
    for name in ["common/authenticate", "res.partner/search_count"]:
        (span,) = telemetry.spans(name)
        assert span.parent is not None
        assert span.parent.span_id == parent.get_span_context().span_id


async def test_a_retried_call_is_one_span_with_its_attempts_and_the_retries_counted(
    telemetry: Telemetry,
) -> None:
    fake = FakeOdoo(partners=3)
    fake.inject("503", times=1, model="res.partner", method="search_count")
    transport = Recording(fake)
    async with connect(fake, transport, retry=RetryPolicy(max_retries=2)) as odoo:
        assert await odoo.execute_kw("res.partner", "search_count", [[]]) > 0
    (span,) = telemetry.spans("res.partner/search_count")
    assert span.attributes is not None
    assert span.attributes["odoo.attempts"] == 2
    assert "error.type" not in span.attributes
    assert [(e.name, dict(e.attributes or {})) for e in span.events] == [
        ("odoo.retry", {"error.type": "odoo_async.HTTPStatusError", "odoo.attempt": 1})
    ]
    # both attempts carried the same span's context
    assert transport.traceparents[-2:] == [traceparent_of(span)] * 2
    for metric in ["odoo_async.client.retries", "odoo_async.client.errors"]:
        (point,) = telemetry.points(metric)
        assert point.value == 1
        assert point.attributes["error.type"] == "odoo_async.HTTPStatusError"
        assert point.attributes["rpc.method"] == "search_count"
    durations = {
        p.attributes["rpc.method"]: (p.count, p.attributes["odoo.outcome"])
        for p in telemetry.points("rpc.client.call.duration")
    }
    assert durations == {"authenticate": (1, "ok"), "search_count": (1, "ok")}
    waits = {
        p.attributes["rpc.method"]: p.count
        for p in telemetry.points("odoo_async.client.limiter.wait")
    }
    assert waits == {"authenticate": 1, "search_count": 2}  # one a attempt
    assert telemetry.points("odoo_async.client.budget.wait") == []  # no shared budget


async def test_an_error_is_its_class_on_the_span_and_in_the_metrics(
    telemetry: Telemetry,
) -> None:
    fake = FakeOdoo(partners=3)
    async with connect(fake, Recording(fake)) as odoo:
        with pytest.raises(MissingError):
            await odoo.execute_kw("res.partner", "write", [[999_999], {"name": "Ghost"}])
    (span,) = telemetry.spans("res.partner/write")
    assert span.attributes is not None
    assert span.attributes["error.type"] == "odoo_async.MissingError"
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == "odoo_async.MissingError"
    assert span.events == ()  # no exception event: its message may quote values
    (failed,) = [
        p
        for p in telemetry.points("rpc.client.call.duration")
        if p.attributes["rpc.method"] == "write"
    ]
    assert failed.attributes["odoo.outcome"] == "error"
    assert failed.attributes["error.type"] == "odoo_async.MissingError"
    (error,) = telemetry.points("odoo_async.client.errors")
    assert error.attributes["error.type"] == "odoo_async.MissingError"
    assert telemetry.points("odoo_async.client.retries") == []
    assert "Ghost" not in telemetry.everything()


async def test_no_secret_argument_or_value_is_recorded(telemetry: Telemetry) -> None:
    fake = FakeOdoo(partners=3)
    fake.add_api_key(2, KEY)
    async with connect(fake, Recording(fake), password=PASSWORD) as odoo:
        with pytest.raises(Exception, match="refused the login"):
            await odoo.execute_kw("res.partner", "search_count", [[]])
    async with connect(fake, Recording(fake), api_key=KEY) as odoo:
        partners = odoo.model("res.partner")
        await partners.search_read([("name", "=", "Zebulon-Value")], ["name"])
        await partners.create({"name": "Secret-Row-Value", "email": "row@value.example"})
    recorded = telemetry.everything()
    assert "res.partner/create" in recorded
    for secret in [KEY, PASSWORD, "Zebulon-Value", "Secret-Row-Value", "row@value.example"]:
        assert secret not in recorded


async def test_the_shared_budget_wait_is_measured(telemetry: Telemetry) -> None:
    class Budget:
        acquired = 0

        async def acquire(self, timeout: float | None) -> int:
            self.acquired += 1
            return self.acquired

        def release(self, permit: int) -> None:
            pass

        async def aclose(self) -> None:
            pass

    fake = FakeOdoo(partners=3)
    budget = Budget()
    async with connect(fake, Recording(fake), budget=budget) as odoo:
        await odoo.execute_kw("res.partner", "search_count", [[]])
    points = telemetry.points("odoo_async.client.budget.wait")
    assert sum(p.count for p in points) == budget.acquired == 2
    assert all(p.min >= 0 for p in points)


# -- over TCP, and plain HTTP ---------------------------------------------------------


async def test_over_loopback_tcp_the_span_names_the_server(
    telemetry: Telemetry, fake_odoo: FakeOdoo, fake_odoo_url: str
) -> None:
    port = httpx.URL(fake_odoo_url).port
    async with AsyncOdoo(fake_odoo_url, db="odoo", username="admin", password="admin") as odoo:
        assert await odoo.execute_kw("res.partner", "search_count", [[]]) > 0
    (span,) = telemetry.spans("res.partner/search_count")
    assert span.attributes is not None
    assert span.attributes["server.address"] == "127.0.0.1"
    assert span.attributes["server.port"] == port


@respx.mock(assert_all_called=True)
async def test_the_traceparent_header_goes_out_on_plain_http(
    respx_mock: respx.MockRouter, telemetry: Telemetry
) -> None:
    route = respx_mock.post("http://odoo.test/jsonrpc").mock(
        side_effect=[
            httpx.Response(200, json={"jsonrpc": "2.0", "id": 1, "result": 2}),
            httpx.Response(200, json={"jsonrpc": "2.0", "id": 2, "result": 7}),
        ]
    )
    async with AsyncOdoo(
        "http://odoo.test", db="odoo", username="admin", password="admin", transport="httpx"
    ) as odoo:
        assert await odoo.execute_kw("res.partner", "search_count", [[]]) == 7
    (span,) = telemetry.spans("res.partner/search_count")
    assert route.calls.last.request.headers["traceparent"] == traceparent_of(span)


# -- jobs and pages -------------------------------------------------------------------


async def test_an_export_is_a_span_over_its_pages_over_their_calls(
    telemetry: Telemetry, tmp_path: Path
) -> None:
    fake = FakeOdoo(partners=50)
    count = 0
    async with connect(fake, Recording(fake)) as odoo:
        count = await odoo.execute_kw("res.partner", "search_count", [[]])
        telemetry.spans_out.clear()
        result = await export(
            odoo.model("res.partner"), [], ["name"], tmp_path / "p.jsonl", page_size=20
        )
    (job,) = telemetry.spans("odoo_async.export res.partner")
    assert job.parent is None
    assert dict(job.attributes or {}) == {
        "odoo.job": "export",
        "odoo.model": "res.partner",
        "odoo.job.rows": result.rows,
    }
    pages = telemetry.spans("res.partner page")
    assert count == result.rows
    # every row once, and the engine's one-row call for the highest id beside the first page
    fetched = sum(int((p.attributes or {})["odoo.page.rows"]) for p in pages)
    assert count <= fetched <= count + 1
    job_id = job.get_span_context().span_id
    assert all(p.parent is not None and p.parent.span_id == job_id for p in pages)
    page_ids = {p.get_span_context().span_id for p in pages}
    reads = telemetry.spans("res.partner/search_read")
    assert len(reads) == len(pages)
    assert {r.parent.span_id for r in reads if r.parent is not None} == page_ids
    # the job's other calls (fields, count) are the job's children too
    (fields,) = telemetry.spans("res.partner/fields_get")
    assert fields.parent is not None
    assert fields.parent.span_id == job_id
    assert "Azure" not in telemetry.everything()  # no row went into a span


async def test_sync_and_upsert_are_spans_with_their_counts(
    telemetry: Telemetry, tmp_path: Path
) -> None:
    fake = FakeOdoo(partners=5)
    async with connect(fake, Recording(fake)) as odoo:
        partners = odoo.model("res.partner")
        # every argument by keyword, the repository too: the span still names the model
        report = await upsert(repo=partners, records=[{"ref": "R-1", "name": "New one"}], key="ref")
        changes = await sync(
            partners, [], ["name"], tmp_path / "c.jsonl", state=tmp_path / "s.json"
        )
    (upserted,) = telemetry.spans("odoo_async.upsert res.partner")
    assert upserted.attributes is not None
    assert upserted.attributes["odoo.job.created"] == report.created == 1
    assert upserted.attributes["odoo.job.failed"] == 0
    (synced,) = telemetry.spans("odoo_async.sync res.partner")
    assert synced.attributes is not None
    assert synced.attributes["odoo.job.changed"] == changes.changed > 0
    inside = [s for s in telemetry.spans() if s.parent is not None]
    job_ids = {upserted.get_span_context().span_id, synced.get_span_context().span_id}
    assert {s.parent.span_id for s in inside if s.kind is SpanKind.CLIENT} <= job_ids | {
        s.get_span_context().span_id for s in telemetry.spans("res.partner page")
    }


async def test_a_failed_job_is_an_error_span(telemetry: Telemetry, tmp_path: Path) -> None:
    fake = FakeOdoo(partners=5)
    async with connect(fake, Recording(fake)) as odoo:
        with pytest.raises(Exception):  # noqa: B017 - whichever error the missing model raises
            await export(odoo.model("no.such.model"), [], ["name"], tmp_path / "x.jsonl")
    (job,) = telemetry.spans("odoo_async.export no.such.model")
    assert job.status.status_code is StatusCode.ERROR
    assert job.attributes is not None
    assert str(job.attributes["error.type"]).startswith("odoo_async.")


# -- the blocking client --------------------------------------------------------------


def test_the_blocking_client_records_in_the_callers_trace(telemetry: Telemetry) -> None:
    fake = FakeOdoo(partners=4)
    transport = Recording(fake)
    tracer = telemetry.tracer_provider.get_tracer("app")
    with (
        Odoo(
            "http://odoo.test", db=fake.db, username="admin", password="admin", transport=transport
        ) as odoo,
        tracer.start_as_current_span("a view") as parent,
    ):
        assert odoo.model("res.partner").search_count([]) > 0
    (span,) = telemetry.spans("res.partner/search_count")
    assert span.parent is not None
    assert span.parent.span_id == parent.get_span_context().span_id
    assert transport.traceparents[-1] == traceparent_of(span)
    (point,) = [
        p
        for p in telemetry.points("rpc.client.call.duration")
        if p.attributes["rpc.method"] == "search_count"
    ]
    assert point.count == 1


def test_the_names_in_the_module_docstring_are_the_ones_recorded() -> None:
    doc = otel.__doc__ or ""
    for name in [
        "rpc.client.call.duration",
        "odoo_async.client.retries",
        "odoo_async.client.errors",
        "odoo_async.client.limiter.wait",
        "odoo_async.client.budget.wait",
        "traceparent",
    ]:
        assert name in doc
    assert json.dumps(otel.__all__) == json.dumps(sorted(otel.__all__))
