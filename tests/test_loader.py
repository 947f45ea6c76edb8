"""Scenario loading details: sector selection, schedules and pulses, merging, per-row defaults."""
import numpy as np
import pytest

from agrosim import load_scenario
from agrosim.config.spec import EventRole, ParamSpec
from agrosim.errors import InputError
from agrosim.param_arrays import _schedule, sector_arrays
from agrosim.sectors.land_grain import SECTOR
from conftest import small_grain


def test_sector_selection_drops_other_sections_and_their_targets(write):
    data = small_grain()
    data["targets"] = {"g": {"indicator": "grain_output", "kind": "at_least", "value": "1 kg", "year": 2023},
                       "herd": {"indicator": "dairy_herd", "kind": "at_least", "value": "1 万头", "year": 2023}}
    data["sectors"] = ["land_grain"]
    sc = load_scenario(write("s.yaml", data))
    assert sc.sectors == ["land_grain"] and [t.id for t in sc.targets] == ["g"]
    data["sectors"] = ["land_grian"]
    with pytest.raises(InputError, match="did you mean 'land_grain'"):
        load_scenario(write("t.yaml", data))


def test_schedules_hold_but_pulses_apply_once():
    years = [2020, 2021, 2022, 2023, 2024]
    assert _schedule({2022: 5.0}, years, 0.0).tolist() == [0, 0, 5, 5, 5]
    assert _schedule({2022: 5.0}, years, 0.0, pulse=True).tolist() == [0, 0, 5, 0, 0]
    assert ParamSpec("outbreak_loss_fraction", "1", "", event=EventRole.LOSS).is_pulse
    assert not ParamSpec("outbreak_loss_fraction", "1", "", event=EventRole.LOSS, pulse=False).is_pulse
    assert not ParamSpec("hsf_build_mu_per_yr", "mu/yr", "").is_pulse


def test_weather_schedule_is_a_pulse(write):
    sc = load_scenario(write("w.yaml", small_grain(weather_yield_factor={2022: 0.8})))
    assert sector_arrays(sc, SECTOR, 1)["weather_yield_factor"][0].tolist() == [1, 1, 0.8, 1]


def test_schedule_in_a_scenario_replaces_a_documented_value(write):
    base = small_grain(hsf_build_mu_per_yr={"value": "50 亩/年", "assumption": True, "note": "guess"})
    write("base.yaml", base)
    sc = load_scenario(write("child.yaml", {"extends": "base.yaml",
                                            "land_grain": {"hsf_build_mu_per_yr": {2022: "70 亩/年"}}}))
    assert sector_arrays(sc, SECTOR, 1)["hsf_build_mu_per_yr"][0].tolist() == [0, 0, 70, 70]


def test_target_overrides_merge_field_by_field(write):
    data = small_grain()
    data["targets"] = {"g": {"indicator": "grain_output", "kind": "at_least", "value": "1 kg", "year": 2023,
                             "zh": "粮食"}}
    write("base.yaml", data)
    sc = load_scenario(write("child.yaml", {"extends": "base.yaml", "targets": {"g": {"value": "2 kg"}}}))
    tg = sc.targets[0]
    assert (tg.value, tg.year, tg.zh) == (2.0, 2023, "粮食")


def test_table_rows_take_their_own_defaults(write):
    """The config layer checks sections against the registry it is given (the design layer passes
    the sectors): a land_grain declared with a row default fills that row's omitted cell."""
    from dataclasses import replace

    from agrosim.config import read_scenario
    from agrosim.registry import BY_NAME

    table = replace(SECTOR.tables[0], row_defaults={"potato": {"grain_equiv": 0.2}})
    data = small_grain()
    del data["land_grain"]["crops"]["potato"]["grain_equiv"]
    draft = read_scenario(write("r.yaml", data), {**BY_NAME, "land_grain": replace(SECTOR, tables=(table,))})
    assert draft.problems.problems == []
    assert draft.params["land_grain"]["crops.potato.grain_equiv"].value == 0.2
    assert draft.params["land_grain"]["crops.maize.grain_equiv"].value == 1.0
    assert np.isclose(draft.params["land_grain"]["crops.wheat.grain_equiv"].value, 0.0)  # omitted row: no part


def test_narrowing_sectors_drops_their_uncertainty(root):
    from agrosim import load_scenario

    sc = load_scenario(root / "scenarios" / "shanxi_feed_2025.yaml", {"sectors": ["land_grain", "pigs"]})
    assert sc.sectors == ["land_grain", "pigs"]
    assert all(d.param.split(".")[0] in sc.sectors for d in sc.uncertainty)


def test_both_halves_of_loading_report_their_problems_together(write):
    """The config half (read_scenario) collects its problems; the design half (prepare) adds its own and
    raises them all at once, config's first, in the order a user saw before the split (issue 20)."""
    from agrosim.config import read_scenario
    from agrosim.registry import BY_NAME

    data = small_grain()
    data["outbreaks"] = [{"sector": "pigs", "year": 2022, "loss": "10 %"}]      # config: no active pig sector
    data["base_figures"] = {"grain_outptu": {"value": "1 万吨"}}                 # design: unknown indicator
    path = write("both.yaml", data)
    draft = read_scenario(path, BY_NAME)
    assert [p.path for p in draft.problems.problems] == ["outbreaks.0.sector"]
    assert draft.events is None  # the calendar does not run over events that did not validate
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    assert [p.path for p in caught.value.problems] == ["outbreaks.0.sector", "base_figures.grain_outptu"]
    assert "unknown indicator 'grain_outptu'" in caught.value.problems[1].found
