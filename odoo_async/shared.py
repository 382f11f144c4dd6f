"""Deprecated: the shared budget moved to :mod:`odoo_async.redis`.

``from odoo_async.shared import RedisBudget`` keeps working for one release,
with a :class:`DeprecationWarning`; import it from ``odoo_async.redis``.
"""

from __future__ import annotations

import warnings

from odoo_async.redis import RedisBudget

__all__ = ["RedisBudget"]

warnings.warn(
    "odoo_async.shared is deprecated and will be removed in the next release: "
    "import RedisBudget from odoo_async.redis",
    DeprecationWarning,
    stacklevel=2,
)
