"""PNG plots of a report (matplotlib, Agg: no display needed): accuracy by trace length,
accuracy by kind of value, histogram of the first divergent step."""

from __future__ import annotations

import os


def _bar(rows: list[dict], title: str, xlabel: str, path: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    labels = [r["group"] for r in rows]
    values = [r["accuracy"] or 0.0 for r in rows]
    bars = ax.bar(range(len(rows)), values, color="#4c72b0")
    for bar, row in zip(bars, rows):
        ax.annotate(f"n={row['n']}", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(rows)), labels, rotation=30 if len(rows) > 6 else 0)
    ax.set_ylim(0, 1.08)
    ax.set_ylabel("accuracy")
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _divergence(hist: dict, title: str, path: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(7, 4))
    steps = [int(k) for k in hist["steps"]]
    counts = [hist["steps"][k] for k in hist["steps"]]
    if steps and max(steps) <= 60:
        ax.bar(steps, counts, width=0.8, color="#c44e52")
        ax.set_xlim(0, max(steps) + 1)
    elif steps:  # a long tail: bins of several steps
        ax.hist(steps, weights=counts, bins=min(40, max(steps)), color="#c44e52")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("first divergent step (frames after the call)")
    ax.set_ylabel("programs")
    ax.set_title(f"{title} ({hist['exact']} without divergence)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def save_plots(report: dict, prefix: str) -> list[str]:
    """Write ``PREFIX_by_length.png``, ``PREFIX_by_kind.png``, ``PREFIX_divergence.png``."""
    os.makedirs(os.path.dirname(os.path.abspath(prefix)), exist_ok=True)
    what = f"{report['task']} / {report['backend']}, n={report['n']}"
    b = report["breakdowns"]
    return [
        _bar(b["by_trace_length"], f"Accuracy by trace length ({what})", "frames in the real trace",
             f"{prefix}_by_length.png"),
        _bar(b["by_value_kind"], f"Accuracy by kind of value ({what})", "kind of the expected value",
             f"{prefix}_by_kind.png"),
        _divergence(b["first_divergence"], f"First divergent step ({what})", f"{prefix}_divergence.png"),
    ]
