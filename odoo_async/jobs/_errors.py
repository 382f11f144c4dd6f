"""Errors of the data jobs: bad input files, checkpoints and states that do not fit.

::

    OdooError
    └── JobError(OdooError, ValueError)     the job cannot start as asked
        ├── FileFormatError                 not a JSON Lines or CSV file, or unreadable
        └── CheckpointError                 a checkpoint or sync state made for another query

Rows that fail one by one never raise: they are reported (``UpsertReport.failed``).
"""

from __future__ import annotations

from odoo_async import OdooError

__all__ = ["CheckpointError", "FileFormatError", "JobError"]


class JobError(OdooError, ValueError):
    """A job cannot start as asked: the message names the file, field or model."""


class FileFormatError(JobError):
    """A file is not JSON Lines or CSV (or cannot be read as one)."""


class CheckpointError(JobError):
    """A checkpoint or sync state does not belong to this query, or is damaged."""
