"""The whole command: the group and its common options (``_main``) with every
<<<<<<< HEAD
command of ``_data``, ``_load``, ``_fake`` and ``_apikeys`` added.
=======
command of ``_data``, ``_load``, ``_fake`` and ``_codegen`` added.
>>>>>>> 452bc7b (generate_models (exported) asks a live server for version, fields_get and which selections are fixed in code; odoo-async codegen MODEL... -o writes the module whole or not at all; fields Odoo marks not exportable (account.move's widget data, one of which Odoo cannot even serialise) are left out and named)

Those modules build on ``_main``; this one, above them all, puts them together,
so no module of the command imports one that imports it back.
"""

from __future__ import annotations

from . import _apikeys, _codegen, _data, _fake, _load
from ._main import cli

__all__ = ["cli"]

for _module in (_data, _load, _fake, _apikeys, _codegen):
    for _command in _module.COMMANDS:
        cli.add_command(_command)
