"""The whole command: the group and its common options (``_main``) with every
command of ``_data``, ``_load``, ``_files``, ``_fake``, ``_apikeys`` and ``_codegen`` added.

Those modules build on ``_main``; this one, above them all, puts them together,
so no module of the command imports one that imports it back.
"""

from __future__ import annotations

from . import _apikeys, _codegen, _data, _fake, _files, _load
from ._main import cli

__all__ = ["cli"]

for _module in (_data, _load, _files, _fake, _apikeys, _codegen):
    for _command in _module.COMMANDS:
        cli.add_command(_command)
