"""Charts for observed data: model against observations, and observations against the plan's path."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from agrosim.report.lang import label, t, unit  # noqa: E402
from agrosim.units import unit_en  # noqa: E402

#: colour of each tracking status
STATUS_COLOURS = {"on track": "#2e7d32", "behind": "#c62828", "ahead": "#1f5fa8"}
_PLAN = "#b71c1c"


def backtest_chart(points, indicator: str):
    """Model values as a line and observed values as points, one indicator."""
    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    ax.plot(points["year"], points["model"], marker="o", label="model (from the base year)")
    ax.scatter(points["year"], points["observed"], color="black", zorder=3, label="observed")
    ax.set_xlabel("year")
    ax.set_ylabel(unit_en(points["unit"].iloc[0]))
    ax.set_title(f"Backtest: {indicator}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)  # beside the data
    fig.tight_layout()
    return fig


def tracking_chart(rows: pd.DataFrame, path: tuple[np.ndarray, np.ndarray], kind: str, label_en: str, label_zh: str,
                   lang: str = "en", model: pd.DataFrame | None = None, from_year: int | None = None):
    """One target: the plan's implied path (a straight line or constant growth from the base year to the
    target; a held level for `stable_at`), the observed values coloured by status, and optionally the
    model's median (`model`: year, p50 in the target's unit). `from_year`: first year a `stable_at` level
    must hold (default: the first year after the base year).

    `rows`: that target's rows of the tracking table, `path`: (years, values) of the plan's path
    (`agrosim.analysis.tracking.track` and `plan_path`)."""
    rows = rows.sort_values("year")
    first = rows.iloc[0]
    fig, ax = plt.subplots(figsize=(9.5, 4.2), dpi=100)
    if model is not None and len(model):
        ax.plot(model["year"], model["p50"], color="#9e9e9e", linewidth=1.2, label=t(lang, "model_median"))
    years, values = path
    if kind == "stable_at":
        start = from_year or (years[1] if len(years) > 1 else years[0])
        ax.hlines(values[0], start, years[-1], color=_PLAN, linestyle="--",
                  label=t(lang, "plan_level"))
    else:
        ax.plot(years, values, color=_PLAN, linestyle="--", label=t(lang, "plan_path"))
        ax.scatter([years[0]], [values[0]], s=50, facecolor="white", edgecolor="black", zorder=4,
                   label=f"{t(lang, 'base')} {years[0]}: {values[0]:,.6g}")
    for status, colour in STATUS_COLOURS.items():
        hit = rows[rows.status == status]
        if len(hit):
            ax.scatter(hit["year"], hit["observed"], s=70, color=colour, edgecolor="black", zorder=5,
                       label=f"{t(lang, 'observed')}: {t(lang, status)}")
    ax.axvline(int(first.target_year), color="#9e9e9e", linewidth=0.8)
    ax.set_xticks(years)
    ax.set_xlabel(t(lang, "year"))
    ax.set_ylabel(unit(lang, str(first.unit)))
    ax.set_title(t(lang, "tracking_title", label=label(lang, label_en, label_zh)))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)  # beside the data
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
