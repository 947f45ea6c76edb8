"""One registry of links, apart from the sectors (issue 20): the engine steps sectors, then runs the
links in the order of `agrosim.links.LINKS`; each link declares what it reads and writes."""
import ast
import dataclasses
from pathlib import Path

import numpy as np
import pytest

from agrosim import engine
from agrosim.errors import ModelError
from agrosim.links import LINK_BY_NAME, LINKS, Link
from agrosim.prepare import load_scenario
from agrosim.registry import BY_NAME, is_link
from agrosim.sectors import SECTORS

PACKAGE = Path(__file__).resolve().parent.parent / "agrosim"


def test_links_are_registered_apart_from_sectors_in_a_declared_order():
    assert [link.name for link in LINKS] == ["land", "feed", "value"]
    assert not {s.name for s in SECTORS} & set(LINK_BY_NAME)
    assert all(isinstance(s, type(SECTORS[0])) for s in SECTORS)
    # a scenario names sectors and the links it lists (feed, value); land runs on its own
    assert list(BY_NAME) == [s.name for s in SECTORS] + ["feed", "value"]
    assert [name for name in BY_NAME if is_link(name)] == ["feed", "value"]
    assert LINK_BY_NAME["feed"].writes()[0] == "feed_grain_demand"
    assert set(LINK_BY_NAME["feed"].shrinks) == {"pigs", "layers", "broilers", "dairy", "beef", "sheep"}


def test_no_sector_module_imports_a_link():
    """Links read sectors, never the other way round: no cycle sectors <-> links."""
    for path in sorted((PACKAGE / "sectors").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.startswith(("agrosim.links", "agrosim.registry")) for n in names), path.name


def test_engine_runs_the_links_after_the_sectors_in_registry_order(root, monkeypatch):
    """Each year: land claims, then feed, then value, after every sector stepped (a listed link
    order in the file does not matter)."""
    calls = []

    def recording(link: Link) -> Link:
        def couple(x):
            calls.append((x.year, link.name, "grain_output" in x.values))
            return link.couple(x)
        return dataclasses.replace(link, couple=couple)

    monkeypatch.setattr(engine, "LINKS", tuple(recording(link) for link in LINKS))
    scenario = load_scenario(root / "scenarios" / "xinzhou_plan_2025.yaml")
    engine.simulate(scenario)
    expected = [(y, name, True) for y in scenario.years for name in ("land", "feed", "value")]
    assert calls == expected


def test_a_link_curtailing_a_sector_it_did_not_declare_is_refused(root, monkeypatch):
    feed = LINK_BY_NAME["feed"]

    def couple(x):
        values, shares = feed.couple(x)
        return values, {**shares, "land_grain": np.ones(len(x.params["maize_feed_share"]))}

    rogue = dataclasses.replace(feed, couple=couple)
    monkeypatch.setattr(engine, "LINKS", tuple(rogue if link is feed else link for link in engine.LINKS))
    with pytest.raises(ModelError, match="link 'feed' curtails land_grain, not declared in `shrinks`"):
        engine.simulate(load_scenario(root / "scenarios" / "shanxi_feed_2025.yaml"))


def test_the_land_link_reads_only_what_it_declares(root):
    """Land reads cultivated land and each claimant's own claim indicator: nothing else."""
    land = LINK_BY_NAME["land"]
    assert land.reads == ("cultivated_land",) and land.reads_land_claims and land.when is not None
    scenario = load_scenario(root / "scenarios" / "shuozhou_baseline.yaml")
    sectors, links = engine.active_parts(scenario)
    assert [link.name for link in links] == ["land"]
    claims = {s.name: s.land_claim for s in sectors if s.land_claim}
    assert len(claims) > 1 and "land_grain" in claims
    res = engine.simulate(scenario)
    uncut = res.data["land_curtailed"][0] == 0  # a cut year re-records the claims after the link ran
    total = sum(res.data[indicator][0] for indicator in claims.values())
    assert uncut.sum() >= 2
    np.testing.assert_allclose(res.data["land_claimed"][0][uncut], total[uncut], rtol=1e-12)


def test_a_link_indicator_is_neither_observable_nor_bounded_by_biology(root, tmp_path):
    """Links hold no state: an observed value of one is refused for re-forecasting with the usual
    message, and a target on one has no biological bound (no crash on a Link's missing hooks)."""
    import pandas as pd

    from agrosim.analysis.biology import biological_limits
    from agrosim.errors import InputError
    from agrosim.observed import by_year, load_observed

    scenario = load_scenario(root / "scenarios" / "shanxi_feed_2025.yaml")
    path = tmp_path / "obs.csv"
    pd.DataFrame([(scenario.region.id, "output_value", 2022, 5.0, "亿元", "x")],
                 columns=["region", "indicator", "year", "value", "unit", "source"]).to_csv(path, index=False)
    with pytest.raises(InputError, match="which value cannot set its state from.*declares observable .none."):
        by_year(load_observed(path, scenario))
    target = dataclasses.replace(scenario.targets[0], id="v", indicator="output_value", kind="at_least")
    limited = dataclasses.replace(scenario, targets=[target])
    assert biological_limits(limited).empty
