"""``python -m odoo_async.testing``: bad arguments are usage errors, not tracebacks."""

from __future__ import annotations

import pytest

from odoo_async.testing.__main__ import _fault, main


@pytest.mark.parametrize(
    ("spec", "word"),
    [
        ("bogus", "unknown fault kind 'bogus'"),
        ("503:x", "not a number"),
        ("503:2", "between 0.0 and 1.0"),
        ("slow:0.5", "needs delay"),
    ],
)
def test_a_bad_inject_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], spec: str, word: str
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--inject", spec])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: python -m odoo_async.testing")
    assert "argument --inject" in err
    assert word in err
    assert "Traceback" not in err


def test_inject_specs_parse() -> None:
    assert _fault("503") == ("503", {"rate": None, "method": None})
    assert _fault("503:0.05:search_count") == ("503", {"rate": 0.05, "method": "search_count"})
    assert _fault("drop::write") == ("drop", {"rate": None, "method": "write"})
