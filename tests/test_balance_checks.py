"""The engine's yearly balance check (engine.check_balances): a stock that does not close, a negative
stock or flow, or a NaN raises ModelError naming the sector, the stock or flow and the year (and the
run for a balance); a rounding error within the 1e-9 tolerance passes. Planted in a real herd year
and in a run of the engine."""
import dataclasses

import numpy as np
import pytest

from conftest import ROOT
from herd_util import params

from agrosim import load_scenario, simulate
from agrosim.engine import BALANCE_RTOL, check_balances
from agrosim.errors import ModelError
from agrosim.sectors import beef, pigs


def _beef_year(n=3):
    p = params(beef.SECTOR, n=n, base_cows_head=np.array([1e4, 2e4, 3e4]), cow_herd_growth_per_yr=0.05)
    state, _ = beef.SECTOR.init(p)
    new, flows = beef.SECTOR.step(state, p, 1)
    return state, new, flows


def test_a_true_year_passes_and_rounding_within_tolerance_passes():
    state, new, flows = _beef_year()
    check_balances(beef.SECTOR, state, new, flows, 2021)
    nudged = dict(new, herd_head=new["herd_head"] * (1 + 0.1 * BALANCE_RTOL))
    check_balances(beef.SECTOR, state, nudged, flows, 2021)


@pytest.mark.parametrize("key, value, message", [
    ("herd_head", lambda a: a * (1 + 1e-6), "beef: balance of herd_head does not close in 2023 (run 1"),
    ("culled_head", lambda a: a + 5.0, "beef: balance of breeders_head does not close in 2023 (run 1"),
    ("culled_head", lambda a: np.where(np.arange(a.size) == 1, np.nan, a), "balance of breeders_head does not close in 2023 (run 1"),
])
def test_a_planted_error_raises_with_sector_stock_year_and_run(key, value, message):
    state, new, flows = _beef_year()
    changed = np.where(np.arange(3) == 1, value(new.get(key, flows.get(key))), new.get(key, flows.get(key)))
    new, flows = (dict(new, **{key: changed}), flows) if key in new else (new, dict(flows, **{key: changed}))
    with pytest.raises(ModelError, match=message.replace("(", r"\(")):
        check_balances(beef.SECTOR, state, new, flows, 2023)


def test_a_negative_flow_that_closes_its_balance_raises_with_the_year():
    state, new, flows = _beef_year()
    shift = flows["culled_head"] + 10.0  # culls below zero, deaths up as much: the balance still closes
    flows = dict(flows, culled_head=flows["culled_head"] - shift, breeders_deaths_head=flows["breeders_deaths_head"] + shift)
    with pytest.raises(ModelError, match="beef: culled_head is negative or NaN in 2024"):
        check_balances(beef.SECTOR, state, new, flows, 2024)


@pytest.mark.parametrize("t", [1, 3, 5])
def test_the_engine_checks_every_year_and_names_the_year(monkeypatch, t):
    """A pig step that loses 1 % of the sows from the books in one year only: the run stops in that
    year, naming it (the years before pass)."""
    import agrosim.engine as engine

    def leaky(s, p, year_index):
        new, flows = pigs.step(s, p, year_index)
        return (dict(new, sows_head=new["sows_head"] * 0.99) if year_index == t else new), flows

    monkeypatch.setitem(engine.SECTOR_BY_NAME, "pigs", dataclasses.replace(pigs.SECTOR, step=leaky))
    sc = load_scenario(ROOT / "benchmarks" / "full_shanxi.yaml")
    with pytest.raises(ModelError, match=rf"pigs: balance of sows_head does not close in {2020 + t} \(run 0"):
        simulate(sc, 4, {})
