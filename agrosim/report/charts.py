"""Charts: functions take results and a target row and return a matplotlib Figure."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from agrosim.config.scenario import Target  # noqa: E402
from agrosim.results import Results  # noqa: E402
from agrosim.units import display_unit, from_internal, unit_en  # noqa: E402


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


def tornado(table, title: str, outcome_label: str):
    """Horizontal bars from the outcome at each input's 5th percentile to its 95th, widest on top."""
    rows = table.iloc[::-1]
    fig, ax = plt.subplots(figsize=(7, 1.2 + 0.5 * len(rows)), dpi=100)
    y = np.arange(len(rows))
    lo = np.minimum(rows["at_low"], rows["at_high"])
    ax.barh(y, np.abs(rows["at_high"] - rows["at_low"]), left=lo, color="tab:blue", alpha=0.7)
    ax.axvline(float(table["base"].iloc[0]), color="black", linewidth=1, label="all inputs at median")
    ax.set_yticks(y, rows["param"])
    ax.set_xlabel(outcome_label)
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def feasibility_map(table, x: str, y: str, column: str, title: str, x_unit: str, y_unit: str):
    """P(met) (or met/not) over a grid of two levers (internal units in, plan units shown),
    with the 50 % and 80 % contours."""
    x_show, y_show = display_unit(x_unit), display_unit(y_unit)
    table = table.assign(**{x: from_internal(table[x], x_show), y: from_internal(table[y], y_show)})
    pivot = table.pivot_table(index=y, columns=x, values=column)
    fig, ax = plt.subplots(figsize=(6.5, 5), dpi=100)
    mesh = ax.pcolormesh(pivot.columns, pivot.index, pivot.values, vmin=0, vmax=1, cmap="RdYlGn", shading="nearest")
    if pivot.shape[0] > 1 and pivot.shape[1] > 1 and np.ptp(pivot.values) > 0:
        lines = ax.contour(pivot.columns, pivot.index, pivot.values, levels=[0.5, 0.8], colors="black",
                           linewidths=[1, 1.5])
        ax.clabel(lines, fmt={0.5: "50 %", 0.8: "80 %"}, fontsize=8)
    fig.colorbar(mesh, ax=ax, label="P(met)")
    ax.set_xlabel(f"{x} [{unit_en(x_show)}]")
    ax.set_ylabel(f"{y} [{unit_en(y_show)}]")
    ax.set_title(title)
    fig.tight_layout()
    return fig
