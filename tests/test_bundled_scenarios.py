"""Every bundled scenario and region file validates and runs, every target is on an indicator the
scenario's sectors produce, every scenario says in one line what it is, and every region has a
baseline scenario beside its plan scenarios."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from agrosim import evaluate, load_scenario, simulate
from agrosim.batch import Design
from conftest import ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
REGIONS = sorted((ROOT / "params").glob("*.yaml"))
RUNS = 16


def _ids(paths):
    return [p.stem for p in paths]


def test_there_are_bundled_scenarios_and_regions():
    assert len(SCENARIOS) >= 10 and len(REGIONS) >= 5


@pytest.mark.parametrize("path", SCENARIOS + REGIONS, ids=_ids(SCENARIOS) + [f"params:{p.stem}" for p in REGIONS])
def test_validates_and_runs_with_uncertainty(path: Path):
    sc = load_scenario(path)
    assert sc.targets, f"{path.name}: no targets"
    res = simulate(sc, RUNS, Design(RUNS, sc.seed).per_run(sc, 0, RUNS))
    for name, values in res.data.items():
        assert values.shape == (RUNS, len(sc.years)), name
        assert np.isfinite(values).all(), f"{path.name}: {name} not finite"
    for t in sc.targets:
        assert t.indicator in res.data, f"{path.name}: target {t.id} on {t.indicator}, which no active sector produces"
        assert sc.base_year < t.year <= sc.end_year
    table = evaluate(sc.targets, res)
    assert list(table["target"]) == [t.id for t in sc.targets]
    assert table["verdict"].str.match(r"^(met|missed)( \(aspirational\))?$").all()
    assert table["projected"].notna().all()


@pytest.mark.parametrize("path", SCENARIOS, ids=_ids(SCENARIOS))
def test_scenario_has_a_one_line_title(path: Path):
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    title = raw.get("title") or raw.get("description")
    assert isinstance(title, str) and title.strip(), f"{path.name}: no title"
    assert "\n" not in title.strip() and len(title) <= 100, f"{path.name}: title longer than one line"


@pytest.mark.parametrize("region", REGIONS, ids=_ids(REGIONS))
def test_region_has_a_baseline_and_other_scenarios(region: Path):
    rid = yaml.safe_load(region.read_text(encoding="utf-8"))["region"]["id"]
    baseline = ROOT / "scenarios" / f"{rid}_baseline.yaml"
    assert baseline.is_file(), f"no scenarios/{rid}_baseline.yaml"
    assert (baseline.parent / yaml.safe_load(baseline.read_text(encoding="utf-8"))["extends"]).resolve() == region.resolve()
    others = [p for p in SCENARIOS if p.stem.startswith(f"{rid}_") and p != baseline]
    assert len(others) >= 2, f"{rid}: a plan scenario and a stress scenario expected beside the baseline"
    assert all(load_scenario(p).region.id == rid for p in others)
