"""Chart for budget allocation: recommended shares, and P(met) per target under each split compared."""
from __future__ import annotations

from typing import Mapping

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from agrosim.report.lang import t  # noqa: E402

#: the splits drawn, in this order, and their colours (those present in the probabilities table)
SPLITS = (("even split", "lightgrey"), ("plan", "tab:orange"), ("recommended", "tab:green"))


def allocation_chart(allocation, probabilities, title: str, lang: str = "en",
                     target_labels: Mapping[str, str] | None = None):
    """Left: share of the budget per lever (recommended). Right: P(met) per target under the recommended
    split, an even split and, when given, the plan's own split."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), dpi=100)
    left.barh(allocation["lever"], 100 * allocation["share"], color="tab:green")
    left.set_xlabel(t(lang, "budget_share"))
    left.set_xlim(0, 100)
    left.set_title(t(lang, "allocation_left"))
    rows = probabilities[probabilities.target != "objective"]
    splits = [(name, colour) for name, colour in SPLITS if name in rows]
    y = np.arange(len(rows))
    height = 0.8 / len(splits)
    for k, (name, colour) in enumerate(splits):
        right.barh(y + (k - (len(splits) - 1) / 2) * height, rows[name], height=height, color=colour,
                   label=t(lang, name))
    names = [(target_labels or {}).get(tid, tid) for tid in rows["target"]]
    right.set_yticks(y, names)
    right.set_xlim(0, 1)
    right.set_xlabel(t(lang, "p_met"))
    right.set_title(t(lang, "allocation_right"))
    right.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=len(splits), frameon=False)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
