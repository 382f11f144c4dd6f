"""The harness's PNG: one panel per measurement, a bar per contender (higher is better)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def chart(report: dict[str, Any], path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = [g for g in report["groups"] if any(r.get("rate") for r in g["rows"])]
    columns = 3
    rows = max(1, -(-len(groups) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(6 * columns, 3.2 * rows), squeeze=False)
    for ax in axes.flat[len(groups) :]:
        ax.axis("off")
    for ax, group in zip(axes.flat, groups, strict=False):
        shown = [r for r in group["rows"] if r.get("rate")]
        names = [r["contender"] for r in shown]
        rates = [r["rate"] for r in shown]
        colors = ["tab:blue" if n.startswith("odoo_async") else "tab:gray" for n in names]
        colors = [
            "tab:green" if n.startswith("raw") else c for n, c in zip(names, colors, strict=True)
        ]
        ax.barh(names, rates, color=colors)
        ax.invert_yaxis()
        ax.set_title(f"{group['label']}\n{group['server']} / {group['setting']}", fontsize=9)
        ax.set_xlabel(shown[0]["unit"] if shown else "")
        ax.tick_params(labelsize=8)
    fig.suptitle(
        f"odoo_async benchmark harness, {report['when']} "
        f"(2 shared cores, load average {report['load_average_start']:.1f}; higher is better)",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path
