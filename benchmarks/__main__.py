"""``python -m benchmarks`` (or ``nox -s bench``): the benchmark harness.

See :mod:`benchmarks._harness` and the README's Benchmarks section;
``python -m benchmarks --help`` lists the knobs.
"""

from __future__ import annotations

from benchmarks._harness import main

if __name__ == "__main__":
    raise SystemExit(main())
