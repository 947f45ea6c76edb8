"""Event calendar: projects queue for a yearly budget and come online after their build time;
outbreaks and droughts become schedules; stochastic outbreaks are drawn per run."""
import numpy as np
import pytest

from agrosim import load_scenario, simulate
from agrosim.errors import InputError
from agrosim.events import Outbreak, Project, plan, stochastic_losses
from conftest import small_grain

YEARS = [2020, 2021, 2022, 2023, 2024]


def test_projects_wait_for_budget_in_order_then_build():
    """Budget 3 a year. A (cost 4, Jan 2021, 18 months) waits for the 2022 refill; B (cost 1,
    Mar 2021) queues behind A, is funded right after it in Jan 2022 and is online 6 months later."""
    a = Project("A", "pigs", 100.0, 4e8, 0, 18)
    b = Project("B", "pigs", 50.0, 1e8, 2, 6)
    out = plan(YEARS, [a, b], [], [], {2021: 3e8, 2022: 3e8, 2023: 3e8})
    np.testing.assert_array_equal(out.schedules["pigs.capacity_added_places_per_yr"], [0, 0, 50, 100, 0])
    funded = {e["name"]: e["year"] for e in out.log if e["event"] == "funded"}
    assert funded == {"A": 2022, "B": 2022}


def test_project_without_budget_limit_and_one_that_finishes_too_late():
    quick = Project("quick", "pigs", 10.0, 5e8, 0, 11)   # done in month 11 → online 2021
    late = Project("late", "pigs", 10.0, 0.0, 30, 24)     # done in month 54 → after 2024
    out = plan(YEARS, [quick, late], [], [], None)
    np.testing.assert_array_equal(out.schedules["pigs.capacity_added_places_per_yr"], [0, 10, 0, 0, 0])
    assert {"year": None, "event": "not online by the end year", "name": "late", "amount": 10.0} in out.log


def test_outbreaks_compound_and_droughts_multiply():
    obs = [Outbreak("a", "pigs", 0.3, 2022, None), Outbreak("b", "pigs", 0.5, 2022, None)]
    out = plan(YEARS, [], obs, [("d", 2024, 0.12)], None)
    np.testing.assert_allclose(out.schedules["pigs.outbreak_loss_fraction"], [0, 0, 1 - 0.7 * 0.5, 0, 0])
    np.testing.assert_allclose(out.schedules["land_grain.weather_yield_factor"], [1, 1, 1, 1, 0.88])


def test_stochastic_outbreak_frequency_and_depth():
    loss = stochastic_losses([Outbreak("asf", "pigs", 0.25, None, 0.2)], 9, np.arange(50_000), 6)
    arr = loss["pigs.outbreak_loss_fraction"]
    assert arr.shape == (50_000, 5)
    assert set(np.unique(arr)) == {0.0, 0.25}
    assert (arr > 0).mean() == pytest.approx(0.2, abs=0.01)
    again = stochastic_losses([Outbreak("asf", "pigs", 0.25, None, 0.2)], 9, np.arange(100, 200), 6)
    np.testing.assert_array_equal(again["pigs.outbreak_loss_fraction"], arr[100:200])


def test_drought_in_a_scenario_cuts_that_years_output(write):
    base = simulate(load_scenario(write("a.yaml", small_grain())))
    data = small_grain()
    data["droughts"] = [{"year": 2022, "yield_loss": "12 %"}]
    hit = simulate(load_scenario(write("b.yaml", data)))
    ratio = hit.data["grain_output"][0] / base.data["grain_output"][0]
    np.testing.assert_allclose(ratio, [1, 1, 0.88, 1], rtol=1e-12)


def test_event_errors_are_input_errors(write):
    data = small_grain()
    data["droughts"] = [{"year": 2030, "yield_loss": "12 %"}]
    data["outbreaks"] = [{"sector": "land_grain", "year": 2021, "loss": "10 %"}]
    data["projects"] = [{"name": "p", "sector": "pigs", "places": "1 万头", "start": 2021, "bogus": 1}]
    with pytest.raises(InputError) as exc:
        load_scenario(write("e.yaml", data))
    text = str(exc.value)
    assert "droughts.0.year" in text and "outbreaks.0.sector" in text and "projects.0" in text


def test_drought_still_applies_when_weather_is_uncertain(write):
    """Per-run weather draws replace the parameter; the drought acts on top of each draw."""
    from agrosim.batch import Design

    data = small_grain(weather_yield_factor={2021: 1.0})
    data["uncertainty"] = {"land_grain.weather_yield_factor": {"dist": "uniform", "low": 0.9, "high": 1.1,
                                                               "per_year": True}}
    plain = load_scenario(write("p.yaml", data))
    data["droughts"] = [{"year": 2022, "yield_loss": "50 %"}]
    dry = load_scenario(write("d.yaml", data))
    runs = [simulate(sc, 50, Design(runs=50, seed=4).per_run(sc, 0, 50)) for sc in (plain, dry)]
    ratio = runs[1].data["grain_output"] / runs[0].data["grain_output"]
    np.testing.assert_allclose(ratio, np.tile([1, 1, 0.5, 1], (50, 1)), rtol=1e-12)


def test_event_roles_are_declared_fields_that_go_with_their_names():
    """Event parameters are recognised by their declared role (ParamSpec.event), not by name; a role on
    the wrong name, or an event's name without the role, is refused where the sector declares it."""
    from agrosim.config.spec import EventRole, ParamSpec
    from agrosim.sectors import SECTORS

    with pytest.raises(ValueError, match="expected it named 'outbreak_loss_fraction'"):
        ParamSpec("loss_share", "1", "", event=EventRole.LOSS)
    with pytest.raises(ValueError, match="without its event role; expected event=EventRole.CAPACITY"):
        ParamSpec("capacity_added_places_per_yr", "head/yr", "")
    owners = {role: {s.name for s in SECTORS for p in s.params if p.event is role} for role in EventRole}
    assert owners[EventRole.CAPACITY] == {"beef", "bees", "broilers", "dairy", "layers", "pigs", "sheep"}
    assert owners[EventRole.LOSS] == owners[EventRole.CAPACITY] | {"silkworm"}
