"""Charts for observed data: model against observations."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from agrosim.units import unit_en  # noqa: E402


def backtest_chart(points, indicator: str):
    """Model values as a line and observed values as points, one indicator."""
    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    ax.plot(points["year"], points["model"], marker="o", label="model (from the base year)")
    ax.scatter(points["year"], points["observed"], color="black", zorder=3, label="observed")
    ax.set_xlabel("year")
    ax.set_ylabel(unit_en(points["unit"].iloc[0]))
    ax.set_title(f"Backtest: {indicator}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
