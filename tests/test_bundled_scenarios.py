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


def _sector_indicators() -> set[str]:
    """Indicators of the producing sectors: what the base year is made of. Link indicators (feed balance,
    output value) and land-claim totals depend on which sectors a scenario selects, so they are left out."""
    from agrosim.sectors import SECTORS

    return {ind.name for s in SECTORS if getattr(s, "couple", None) is None for ind in s.indicators}


@pytest.mark.parametrize("region", REGIONS, ids=_ids(REGIONS))
def test_base_year_is_identical_in_every_scenario_of_a_region(region: Path):
    """Base figures live in params/<region>.yaml and scenarios change only levers, so every bundled scenario of a
    region starts from the same base-year state: each sector indicator two scenarios share has the same value in
    the base year (one deterministic run each). Shuozhou's sheep slaughter once started at 103 万 in the baseline
    and 210 万 in the plan scenario, which set a different lambing rate."""
    head = yaml.safe_load(region.read_text(encoding="utf-8"))
    rid = head["region"]["id"]
    keep = _sector_indicators()
    reference = simulate(load_scenario(region))
    base = {k: v[0, 0] for k, v in reference.data.items() if k in keep}
    scenarios = [p for p in SCENARIOS if p.stem.startswith(f"{rid}_")]
    assert scenarios
    for path in scenarios:
        sc = load_scenario(path)
        assert sc.base_year == head["base_year"], path.name
        res = simulate(sc)
        shared = [k for k in res.data if k in base]
        assert shared, f"{path.name}: no sector indicator in common with params/{region.name}"
        for name in shared:
            assert res.data[name][0, 0] == pytest.approx(base[name], rel=1e-9, abs=1e-9), \
                f"{path.name}: {name} in {sc.base_year} is {res.data[name][0, 0]:g}, region file {base[name]:g}"
