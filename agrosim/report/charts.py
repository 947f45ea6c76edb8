"""Charts: functions take results and a target row and return a matplotlib Figure."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from agrosim.config.scenario import Target  # noqa: E402
from agrosim.results import Results  # noqa: E402
from agrosim.units import from_internal, unit_en  # noqa: E402


def trajectory(results: Results, target: Target, verdict: str):
    """Median trajectory (with 50 % and 90 % bands when there are several runs) against the target."""
    values = from_internal(results.data[target.indicator], target.unit_written)
    years = np.array(results.years)
    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    if results.n > 1:
        p5, p25, p75, p95 = np.percentile(values, [5, 25, 75, 95], axis=0)
        ax.fill_between(years, p5, p95, alpha=0.2, color="tab:blue", label="90 % of runs")
        ax.fill_between(years, p25, p75, alpha=0.35, color="tab:blue", label="50 % of runs")
    ax.plot(years, np.median(values, axis=0), marker="o", label="projected (median)")
    goal = target.value_written
    style = {"color": "tab:red", "linestyle": "--"}
    if target.kind == "about":
        ax.axhspan(goal * (1 - target.tolerance), goal * (1 + target.tolerance), color="tab:red", alpha=0.1)
    if target.kind == "stable_at" and target.upper is not None:
        ax.axhline(float(from_internal(target.upper, target.unit_written)), **style)
    ax.axhline(goal, label=f"target ({target.kind}) {goal:g} {unit_en(target.unit_written)}", **style)
    ax.axvline(target.year, color="grey", linewidth=0.8)
    ax.set_title(f"{target.en}: {verdict} in {target.year}")
    ax.set_xlabel("year")
    ax.set_ylabel(unit_en(target.unit_written))
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    return fig
