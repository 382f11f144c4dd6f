"""A Griffe extension for the site: the docstrings' reST roles as Markdown code.

odoo_async's docstrings are read in editors and in ``help()`` as well as here, and
they name other objects the Sphinx way (``:class:`AsyncOdoo```); Markdown shows
those as the name in code, ``AsyncOdoo``.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:class|meth|func|attr|mod|exc|data|obj|const):`~?([^`]+)`")
#: reST's ``::`` before a literal block (alone on its line, or ending a sentence);
#: the indented block after it is code in Markdown already.
_LITERAL = re.compile(r"(?m)^(\s*)::$|(?<=\S)::$")


class RstRoles(griffe.Extension):
    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            text = _ROLE.sub(r"`\1`", obj.docstring.value)
            obj.docstring.value = _LITERAL.sub(_drop_marker, text)


def _drop_marker(match: re.Match[str]) -> str:
    """``::`` alone on its line goes; ``text::`` keeps one colon."""
    return "" if match.group(1) is not None else ":"
