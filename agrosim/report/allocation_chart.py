"""Chart for budget allocation: recommended shares, and P(met) per target against an even split."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def allocation_chart(allocation, probabilities, title: str):
    """Left: share of the budget per lever. Right: P(met) per target, recommended vs even split."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), dpi=100)
    left.barh(allocation["lever"], 100 * allocation["share"], color="tab:green")
    left.set_xlabel("share of budget [%]")
    left.set_title("recommended allocation")
    rows = probabilities[probabilities.target != "objective"]
    y = np.arange(len(rows))
    right.barh(y - 0.2, rows["even split"], height=0.4, color="lightgrey", label="even split")
    right.barh(y + 0.2, rows["recommended"], height=0.4, color="tab:green", label="recommended")
    right.set_yticks(y, rows["target"])
    right.set_xlim(0, 1)
    right.set_xlabel("P(met)")
    right.legend(fontsize=8, loc="lower right")
    fig.suptitle(title)
    fig.tight_layout()
    return fig
