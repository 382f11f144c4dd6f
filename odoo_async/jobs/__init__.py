"""Data jobs on top of the client: export, incremental sync, upsert and load tests.

Every job is a library function a worker can call; the ``odoo-async`` command
only parses arguments and prints what they return::

    from odoo_async import AsyncOdoo
    from odoo_async.jobs import export, sync, upsert, read_rows

    async with AsyncOdoo.from_env() as odoo:
        partners = odoo.model("res.partner")
        await export(partners, [("is_company", "=", True)], ["name", "email"], "companies.jsonl")
        await sync(partners, [], ["name", "email"], "changes.jsonl", state="partners.state")
        report = await upsert(partners, read_rows("contacts.csv"), key="ref")
        for failed in report.failed:
            print(failed.line, failed.reason)
"""

from ._bench import (
    BenchResult,
    RampResult,
    bench,
    best_step,
    error_kind,
    percentile,
    ramp,
    ramp_levels,
    saturation_point,
)
from ._convert import ValueProblem
from ._errors import CheckpointError, FileFormatError, JobError
from ._export import (
    DEFAULT_EXPORT_PAGE_SIZE,
    DEFAULT_SYNC_OVERLAP,
    ExportResult,
    SyncResult,
    checkpoint_path,
    export,
    sync,
)
from ._files import STDOUT, Format, InputRow, RowSink, file_format, first_columns, read_rows
from ._outage import DEFAULT_OUTAGE
from ._progress import Progress, ProgressCallback
from ._shard import Shard
from ._upsert import (
    DEFAULT_UPSERT_BATCH_SIZE,
    XMLID,
    FailedRecord,
    UpsertReport,
    check_columns,
    upsert,
)

__all__ = [
    "DEFAULT_EXPORT_PAGE_SIZE",
    "DEFAULT_OUTAGE",
    "DEFAULT_SYNC_OVERLAP",
    "DEFAULT_UPSERT_BATCH_SIZE",
    "STDOUT",
    "XMLID",
    "BenchResult",
    "CheckpointError",
    "ExportResult",
    "FailedRecord",
    "FileFormatError",
    "Format",
    "InputRow",
    "JobError",
    "Progress",
    "ProgressCallback",
    "RampResult",
    "RowSink",
    "Shard",
    "SyncResult",
    "UpsertReport",
    "ValueProblem",
    "bench",
    "best_step",
    "check_columns",
    "checkpoint_path",
    "error_kind",
    "export",
    "file_format",
    "first_columns",
    "percentile",
    "ramp",
    "ramp_levels",
    "read_rows",
    "saturation_point",
    "sync",
    "upsert",
]

# Public names report the public path (tracebacks, reprs, docs).
for _name in __all__:
    _value = globals()[_name]
    if isinstance(_value, type) or (callable(_value) and hasattr(_value, "__code__")):
        _value.__module__ = __name__
del _name, _value
