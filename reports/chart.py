# Rules: matplotlib is imported here only, and only when a chart is drawn, with the Agg
# backend (no display needed; the CLI and tests start fast). One PNG, two panels: the
# funnel as horizontal bars with counts and shares of the contacts, and attempts and
# answers by city-time hour.
"""`hotline report chart`: the funnel and answers by hour as a PNG."""

from __future__ import annotations

from pathlib import Path

from reports.funnel import STEP_LABELS, Summary


def draw_chart(summary: Summary, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), width_ratios=(1.15, 1))
    try:
        _funnel(left, summary)
        _hours(right, summary)
        fig.suptitle(summary.title, fontsize=12)
        fig.tight_layout()
        fig.savefig(path, dpi=90, format="png")
    finally:
        plt.close(fig)


def _funnel(ax, summary: Summary) -> None:
    labels = list(STEP_LABELS.values())
    counts = [summary.steps[k] for k in STEP_LABELS]
    total = summary.steps["contacts"] or 1
    colors = ["#4c72b0"] * 6 + ["#c44e52", "#8c8c8c"]
    bars = ax.barh(labels[::-1], counts[::-1], color=colors[::-1])
    for bar, count in zip(bars, counts[::-1], strict=True):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2,
                f" {count} ({100 * count / total:.0f}%)", va="center", fontsize=9)  # fmt: skip
    ax.set_xlim(0, max(counts + [1]) * 1.3)
    ax.set_title("funnel (contacts)", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)


def _hours(ax, summary: Summary) -> None:
    hours = sorted(summary.by_hour) or list(range(8, 21))
    span = range(min(hours), max(hours) + 1)
    attempts = [summary.by_hour.get(h, (0, 0))[0] for h in span]
    answered = [summary.by_hour.get(h, (0, 0))[1] for h in span]
    ax.bar(span, attempts, color="#c7d3e8", label="attempts")
    ax.bar(span, answered, color="#4c72b0", label="answered")
    ax.set_xticks(list(span), [f"{h:02d}" for h in span], fontsize=8)
    ax.set_xlabel("hour (city time)")
    ax.set_title("attempts and answers by hour", fontsize=10)
    ax.legend(frameon=False, fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
