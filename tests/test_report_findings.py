"""The report writer draws and writes what it is given (issue 20): the handlers compute the findings
(cost per gap, trade-offs, biology limits, P(met) by year) in the analysis layer first, and the writer
neither computes a model quantity nor loads a scenario file."""
import ast
import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from agrosim.analysis.report_inputs import report_findings
from agrosim.engine import simulate
from agrosim.prepare import load_scenario
from agrosim.report.writer import write_report
from agrosim.targets import evaluate
from conftest import small_grain

WRITER = Path(__file__).resolve().parent.parent / "agrosim" / "report" / "writer.py"


def test_the_writer_imports_no_model_computation_nor_the_loader():
    imported = set()
    for node in ast.walk(ast.parse(WRITER.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            imported.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            imported.update(a.name for a in node.names)
    forbidden = {"agrosim.analysis.cost.cost_per_gap", "agrosim.analysis.biology.beyond_biology",
                 "agrosim.analysis.tradeoffs.tradeoffs", "agrosim.targets.yearly_probabilities",
                 "agrosim.targets.evaluate", "agrosim.prepare.load_scenario", "agrosim.engine.simulate"}
    assert not imported & forbidden
    assert not any(name.startswith(("agrosim.prepare", "agrosim.engine", "agrosim.analysis.probability"))
                   for name in imported)


def test_the_report_shows_the_findings_it_is_given(write, tmp_path):
    data = dict(small_grain(), targets={"g": {"indicator": "grain_output", "kind": "at_least", "value": "1 万吨",
                                              "year": 2023}})
    sc = load_scenario(write("s.yaml", data))
    res = simulate(sc)
    found = report_findings(sc, res)
    costs = pd.DataFrame([{"target": "g", "sector": "land_grain", "year": 2023, "unit": "万吨", "spent_yi_yuan": 12345.0,
                           "closed": 1.0, "remaining_gap": 0.0, "yuan_per": 1.0, "per_unit": "万吨", "to_close_yi_yuan": 0.0}])
    given = dataclasses.replace(found, limits=["MARKER: a sentence only the caller knows."], costs=costs)
    folder = write_report(tmp_path / "out", sc, res, evaluate(sc.targets, res), findings=given)
    assert "MARKER: a sentence only the caller knows." in (folder / "report.html").read_text(encoding="utf-8")
    assert pd.read_csv(folder / "cost_per_gap.csv")["spent_yi_yuan"].tolist() == [12345.0]
    pd.testing.assert_frame_equal(pd.read_csv(folder / "yearly.csv"), found.yearly.reset_index(drop=True),
                                  check_dtype=False)
    with pytest.raises(ValueError, match="report findings in 'en' for a report in 'zh'"):
        write_report(tmp_path / "out2", sc, res, evaluate(sc.targets, res), lang="zh", findings=found)
