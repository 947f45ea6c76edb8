"""One projected value per target (issue 16 item 4): the targets table, targets.csv, the workbook, the
trajectory chart's verdict marker, the scorecard, the grain decomposition and the explorer all show the
same judged value (stable_at: the worst year of its window; about and at_least: the target year)."""
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from agrosim.api import monte_carlo, run
from agrosim.explorer.model import _scorecard
from agrosim.report import charts
from agrosim.report.lang import chart_context
from agrosim.analysis.decomposition import grain_decomposition
from agrosim.results import quantile_table, series
from conftest import small_grain


def _scenario(write, uncertain: bool):
    data = small_grain(weather_yield_factor={2021: 1.0, 2022: 0.8, 2023: 1.0})
    data["name"] = "agree"
    data["targets"] = {
        "held": {"indicator": "grain_output", "kind": "stable_at", "value": "300 吨", "year": 2023},
        "about": {"indicator": "grain_output", "kind": "about", "value": "380 吨", "year": 2023},
        "least": {"indicator": "grain_output", "kind": "at_least", "value": "420 吨", "year": 2023},
    }
    if uncertain:
        data["uncertainty"] = {"land_grain.yield_trend_per_yr": {"dist": "uniform", "low": "0 %/yr",
                                                                 "high": "10 %/yr"}}
    return write("agree.yaml", data)


@pytest.mark.parametrize("runs", [1, 40])
def test_every_output_shows_the_same_projected_value(write, tmp_path, runs):
    path = _scenario(write, runs > 1)
    done = monte_carlo(path, runs=runs, seed=2, work_root=tmp_path / "out") if runs > 1 else run(path)
    folder = done.write(tmp_path / "out")
    table = done.verdicts.set_index("target")
    held = table.loc["held"]
    assert int(held.judged_year) == 2022  # the drought year is the worst of the window
    csv = pd.read_csv(folder / "targets.csv").set_index("target")
    book = pd.read_excel(folder / "results.xlsx", sheet_name="targets").set_index("target")
    quant = pd.read_csv(folder / "bands.csv") if runs > 1 else quantile_table(done.results.to_frame())
    explorer = {r["target"]: r for r in _scorecard(done.scenario, done.results)}
    with chart_context("en"):
        card = charts.scorecard(done.verdicts, "en")
        card_texts = [t.get_text() for ax in card.axes for t in ax.texts]
        plt.close(card)
        for tg in done.scenario.targets:
            row = table.loc[tg.id]
            value = float(row.projected)
            assert csv.loc[tg.id, "projected"] == pytest.approx(value, rel=1e-9)
            assert book.loc[tg.id, "projected"] == pytest.approx(value, rel=1e-9)
            assert explorer[tg.id]["projected"] == pytest.approx(value, rel=1e-9)
            assert any(text.startswith(f"{value:,.1f} vs") for text in card_texts), (tg.id, card_texts)
            fig = charts.trajectory(series(quant, tg.indicator, tg.unit_written), tg, row, "en")
            marks = [c for c in fig.axes[0].collections
                     if re.match(r"(met|missed|likely|uncertain|unlikely)\b", str(c.get_label()))]
            plt.close(fig)
            assert len(marks) == 1
            np.testing.assert_allclose(marks[0].get_offsets()[0], [int(row.judged_year), value], rtol=1e-9)
            decomposition = grain_decomposition(quant, tg, row).set_index("item")["value"]
            assert decomposition["projected"] == pytest.approx(value, rel=1e-9)
            assert decomposition["gap"] == pytest.approx(float(row.gap), rel=1e-9)
