"""Links between sectors: cultivated-land claims, the feed balance, output value and spending."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from agrosim import load_scenario, simulate
from agrosim.errors import InputError
from agrosim.links import feed, land
from conftest import small_grain


def over_committed(mode: str | None = None, **extra) -> dict:
    """1000 mu of land (no loss); grain 800 mu, forage 300 mu, astragalus 100 mu: 1200 mu claimed."""
    data = small_grain(land_loss_mu_per_yr="0 亩/年", reclamation_mu_per_yr="0 亩/年", red_line_mu="0 亩")
    data["forage"] = {"area_mu": "300 亩", "fresh_yield_kg_per_mu": "2000 kg/亩"}
    data["perennials"] = {"astragalus_area_mu": "100 亩"}
    if mode:
        data["land_claims"] = {"mode": mode}
    data.update(extra)
    return data


def test_over_committed_land_is_an_error_naming_the_sectors(write):
    path = write("over.yaml", over_committed("error"))
    with pytest.raises(InputError) as err:
        simulate(load_scenario(path))
    message = str(err.value)
    assert "land_claims.mode: found error, and 2020: cultivated land over-committed in 1 of 1 runs" in message
    for part in ("0.1 万亩 available", "land_grain 0.1", "forage 0.0", "perennials 0.0", "claims 0.1 万亩"):
        assert part in message


def test_over_committed_land_warns_and_reports_the_excess(write):
    res = simulate(load_scenario(write("over.yaml", over_committed())))  # warning is the default
    assert len(res.warnings) == 4 and all("over-committed" in w for w in res.warnings)
    assert res.warnings[0].startswith("2020:")
    np.testing.assert_allclose(res.data["land_claimed"][0], 1200)
    np.testing.assert_allclose(res.data["land_overcommitted"][0], 200)
    np.testing.assert_allclose(res.data["land_curtailed"][0], 0)
    np.testing.assert_allclose(res.data["forage_area"][0], 300)


def test_priority_order_grants_grain_first_and_cuts_the_rest(write):
    res = simulate(load_scenario(write("over.yaml", over_committed("priority"))))
    # base year is data: reported, not cut; later years: grain 800, forage 200 of 300, herbs 0 of 100
    np.testing.assert_allclose(res.data["grain_sown_area"][0], 800)
    np.testing.assert_allclose(res.data["forage_area"][0], [300, 200, 200, 200])
    np.testing.assert_allclose(res.data["herb_field_area"][0], [100, 0, 0, 0], atol=1e-9)
    np.testing.assert_allclose(res.data["land_curtailed"][0], [0, 200, 0, 0], atol=1e-9)
    # once cut, the claims fit: 800 + 200 + 0 (astragalus is replanted only as area is dug)
    np.testing.assert_allclose(res.data["land_claimed"][0][1:], [1200, 1000, 1000])
    np.testing.assert_allclose(res.data["forage_output"][0], np.array([300, 200, 200, 200]) * 2000.0)


def test_priority_order_can_put_grain_last(write):
    data = over_committed(land_claims={"mode": "priority", "priority": ["forage", "perennials", "land_grain"]})
    res = simulate(load_scenario(write("over.yaml", data)))
    np.testing.assert_allclose(res.data["grain_sown_area"][0][1:], 600)
    np.testing.assert_allclose(res.data["grain_area_shortfall"][0][1], 200)


def test_resolve_hands_out_land_in_order():
    claims = {"a": np.array([50.0, 80.0]), "b": np.array([40.0, 40.0]), "c": np.array([30.0, 0.0])}
    shares = land.resolve(claims, np.array([100.0, 100.0]), ["c", "a"])
    np.testing.assert_allclose(shares["c"], [1.0, 1.0])
    np.testing.assert_allclose(shares["a"], [1.0, 1.0])
    np.testing.assert_allclose(shares["b"], [20 / 40, 20 / 40])


def test_unknown_priority_sector_is_refused(write):
    data = over_committed(land_claims={"mode": "priority", "priority": ["land_grain", "pigs"]})
    with pytest.raises(InputError) as err:
        load_scenario(write("bad.yaml", data))
    assert "land_claims.priority.1" in str(err.value) and "'pigs'" in str(err.value)


def pigs_and_grain(**feed_section) -> dict:
    """Grain (maize and potato) beside a pig herd and a sheep flock, with a feed balance."""
    data = small_grain(land_loss_mu_per_yr="0 亩/年", reclamation_mu_per_yr="0 亩/年", red_line_mu="0 亩",
                       yield_trend_per_yr="0 %/yr", hsf_build_mu_per_yr="0 亩/年")
    data["pigs"] = {"base_sows_head": "100 头"}
    data["sheep"] = {"base_ewes_head": "200 只"}
    data["feed"] = feed_section
    return data


def test_feed_balance_hand_computed_and_closed(write):
    res = simulate(load_scenario(write("feed.yaml", pigs_and_grain())))
    d = {k: v[0] for k, v in res.data.items()}
    grain_need = d["pigs_slaughtered"] * 300 * 0.6 + d["sheep_stock"] * 60 * 0.6
    np.testing.assert_allclose(d["feed_grain_demand"], grain_need, rtol=1e-12)
    np.testing.assert_allclose(d["feed_grain_local"], 400 * 400 * 0.6, rtol=1e-12)  # maize 400 mu × 400 kg × 0.6
    straw = d["grain_output"] * 1.1 * 0.3 * 0.9
    np.testing.assert_allclose(d["roughage_demand"], d["sheep_stock"] * 450, rtol=1e-12)
    np.testing.assert_allclose(d["roughage_local"], straw, rtol=1e-12)
    for key in ("feed_grain", "roughage"):
        np.testing.assert_allclose(d[f"{key}_demand"],
                                   d[f"{key}_local_used"] + d[f"{key}_import"] + d[f"{key}_shortfall"], rtol=1e-12)
        np.testing.assert_allclose(d[f"{key}_local"], d[f"{key}_local_used"] + d[f"{key}_surplus"], rtol=1e-12)
        np.testing.assert_allclose(d[f"{key}_self_sufficiency"], d[f"{key}_local"] / d[f"{key}_demand"])
        assert np.all(d[f"{key}_shortfall"] == 0)  # no cap: whatever is missing is imported
    np.testing.assert_allclose(d["feed_fed_share"], 1.0)


def test_import_cap_binds_and_cuts_the_herds(write):
    free = simulate(load_scenario(write("free.yaml", pigs_and_grain())))
    need = free.data["feed_grain_demand"][0]
    local = free.data["feed_grain_local"][0]
    cap = 0.5 * (need[1] - local[1])
    capped = simulate(load_scenario(write("cap.yaml", pigs_and_grain(grain_import_cap_kg_per_yr=f"{cap} kg/年"))))
    d = {k: v[0] for k, v in capped.data.items()}
    np.testing.assert_allclose(d["feed_grain_import"][1], cap)
    fed = (local[1] + cap) / need[1]
    # the year's pigs and sheep are cut to the fed share, in the year the cap binds
    np.testing.assert_allclose(d["pigs_slaughtered"][1], fed * free.data["pigs_slaughtered"][0][1], rtol=1e-12)
    np.testing.assert_allclose(d["sheep_stock"][1], fed * free.data["sheep_stock"][0][1], rtol=1e-12)
    np.testing.assert_allclose(d["feed_fed_share"][1], 1 - d["feed_grain_shortfall"][1]
                               / (d["feed_grain_demand"][1] + d["roughage_demand"][1]))
    # the cut carries on: pigs growing in year 1 are missing from year 2's slaughter (the sow target is
    # kept, so the herd is rebuilt and, the cap binding again, cut again in year 3)
    assert np.all(d["pigs_slaughtered"][1:] < free.data["pigs_slaughtered"][0][1:])
    assert d["feed_fed_share"][3] < 1
    for key in ("feed_grain", "roughage"):
        np.testing.assert_allclose(d[f"{key}_demand"],
                                   d[f"{key}_local_used"] + d[f"{key}_import"] + d[f"{key}_shortfall"], rtol=1e-12)


def test_feed_balance_closes_under_uncertainty(root):
    res = simulate(load_scenario(root / "scenarios" / "shanxi_feed_2025.yaml"), n=64)
    for key in ("feed_grain", "roughage"):
        lhs = res.data[f"{key}_demand"]
        rhs = res.data[f"{key}_local_used"] + res.data[f"{key}_import"] + res.data[f"{key}_shortfall"]
        np.testing.assert_allclose(lhs, rhs, rtol=1e-12)
        assert np.all(res.data[f"{key}_import"] >= 0) and np.all(res.data[f"{key}_surplus"] >= 0)


def test_balance_function_by_hand():
    out = feed.balance(np.array([100.0, 100.0, 0.0]), np.array([30.0, 150.0, 5.0]), np.array([50.0, 50.0, 50.0]))
    np.testing.assert_allclose(out["local_used"], [30, 100, 0])
    np.testing.assert_allclose(out["import"], [50, 0, 0])
    np.testing.assert_allclose(out["shortfall"], [20, 0, 0])
    np.testing.assert_allclose(out["surplus"], [0, 50, 5])
    np.testing.assert_allclose(out["self_sufficiency"], [0.3, 1.5, 1.0])  # 1 without demand


def test_output_value_and_spending(write):
    data = pigs_and_grain()
    data["value"] = {"pork_price_yuan_per_kg": {2020: "40 元/kg", 2022: "50 元/kg"}, "price_level": 1.1}
    data["land_grain"].update(hsf_cost_yuan_per_mu="1000 元/亩", hsf_build_mu_per_yr="50 亩/年")
    data["projects"] = [{"name": "pig farm", "sector": "pigs", "places": "500 头", "cost": "200 万元",
                         "start": 2021, "build_months": 6}]
    res = simulate(load_scenario(write("value.yaml", data)))
    d = {k: v[0] for k, v in res.data.items()}
    np.testing.assert_allclose(d["output_value_pork"], d["pork_output"] * np.array([40, 40, 50, 50]) * 1.1)
    np.testing.assert_allclose(d["output_value_grain"], d["grain_output"] * 2.3 * 1.1)
    parts = [d[f"output_value_{p}"] for p in ("grain", "pork", "mutton")]
    np.testing.assert_allclose(d["output_value"], sum(parts))
    np.testing.assert_allclose(d["investment_spent_land_grain"], [0, 5e4, 5e4, 5e4])  # 50 mu HSF × 1000 元
    np.testing.assert_allclose(d["investment_spent_pigs"], [0, 2e6, 0, 0])
    np.testing.assert_allclose(d["investment_spent"], d["investment_spent_land_grain"] + d["investment_spent_pigs"])


def test_cost_per_unit_of_gap_closed(write):
    from agrosim.analysis.cost import cost_per_gap

    data = small_grain(land_loss_mu_per_yr="0 亩/年", reclamation_mu_per_yr="0 亩/年", red_line_mu="0 亩",
                       hsf_cost_yuan_per_mu="1000 元/亩")
    data["value"] = {}
    data["targets"] = {"hsf": {"indicator": "hsf_area", "kind": "at_least", "value": "400 亩", "year": 2022}}
    sc = load_scenario(write("cost.yaml", data))
    table = cost_per_gap(sc, simulate(sc))
    row = table.set_index("target").loc["hsf"]
    # HSF 100 → 200 mu by 2022 for 2 × 50 mu × 1000 元: 1000 元 per mu closed, 200 mu left → 20 万元
    assert row["sector"] == "land_grain" and row["per_unit"] == "mu"
    assert row["spent_yi_yuan"] == pytest.approx(1e5 / 1e8)
    assert row["unit"] == "万亩" and row["closed"] == pytest.approx(0.01) and row["remaining_gap"] == pytest.approx(0.02)
    assert row["yuan_per"] == pytest.approx(1000) and row["to_close_yi_yuan"] == pytest.approx(2e5 / 1e8)


def test_observed_forage_area_restarts_the_stock(write):
    data = over_committed()
    sc = load_scenario(write("obs.yaml", data))
    res = simulate(sc, observed={2021: {"forage_area": 250.0}})
    np.testing.assert_allclose(res.data["forage_area"][0], [300, 250, 250, 250])
    np.testing.assert_allclose(res.data["forage_output"][0][1], 250 * 2000.0)


def test_yangcheng_herds_eat_more_than_the_county_grain(root):
    """notes/seed_003_004 §5.2: at the 2023 targets the herds eat about twice the county's grain. At the 2022
    placeholder bases (45 万 pigs slaughtered, 500 万 hens) already about 1.5 times."""
    res = simulate(load_scenario(root / "scenarios" / "yangcheng_feed_2023.yaml"))
    demand = (45e4 * 300 + 500e4 * 42) * 0.6            # 20.7 万吨 of feed grain
    local = 44.4e4 * 0.6 * 392 * 0.6                     # maize on 60 % of 44.4 万亩 at 392 kg, 60 % fed
    np.testing.assert_allclose(res.data["feed_grain_demand"][0, 0], demand, rtol=1e-9)
    np.testing.assert_allclose(res.data["feed_grain_import"][0, 0], demand - local, rtol=1e-9)
    assert 1.4 < demand / res.data["grain_output"][0][0] < 1.6
    assert res.data["feed_grain_demand"][0, 1] > demand  # the herds grow under the town programmes


def test_report_shows_land_warnings_and_costs(write, tmp_path):
    from agrosim.analysis.report_inputs import report_findings
    from agrosim.report.writer import write_report
    from agrosim.targets import evaluate

    data = over_committed(value={}, land_grain=dict(small_grain()["land_grain"], hsf_cost_yuan_per_mu="1000 元/亩",
                                                    land_loss_mu_per_yr="0 亩/年", red_line_mu="0 亩"))
    data["targets"] = {"hsf": {"indicator": "hsf_area", "kind": "at_least", "value": "400 亩", "year": 2022}}
    sc = load_scenario(write("report.yaml", data))
    res = simulate(sc)
    verdicts = evaluate(sc.targets, res)
    folder = write_report(tmp_path / "out", sc, res, verdicts, findings=report_findings(sc, res, verdicts))
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "Warnings" in html and "2020: cultivated land over-committed" in html
    assert "Cost per unit of target gap closed" in html
    costs = (folder / "cost_per_gap.csv").read_text(encoding="utf-8")
    assert "hsf,land_grain,2022" in costs


def test_target_beyond_biology_is_flagged(write, tmp_path):
    from agrosim.analysis.biology import beyond_biology, biological_limits
    from agrosim.cli import main
    from agrosim.sectors import pigs

    data = {"region": {"id": "testland", "en": "Test", "zh": "测试"}, "base_year": 2020, "end_year": 2021,
            "pigs": {"base_sows_head": "100 头"},
            "targets": {"far": {"indicator": "pigs_slaughtered", "kind": "at_least", "value": "20000 头", "year": 2021},
                        "near": {"indicator": "pigs_slaughtered", "kind": "at_least", "value": "1000 头", "year": 2021}}}
    path = write("bio.yaml", data)
    sc = load_scenario(path)
    table = biological_limits(sc).set_index("target")
    from agrosim.param_arrays import all_arrays
    p = all_arrays(sc, 1)["pigs"]
    bound = pigs.max_slaughter_head_per_yr(pigs.init(p)[0], p, 1)[0]
    assert table.loc["far", "limit"] == pytest.approx(bound) and 1000 < bound < 20000
    assert table["possible"].to_dict() == {"far": False, "near": True}
    records = beyond_biology(sc)
    assert [(r.target, r.year, r.target_value) for r in records] == [("far", 2021, 20000.0)]
    assert records[0].limit == pytest.approx(bound)
    assert records[0].text("en").startswith("far: 20,000 头 by 2021 is beyond biology")
    assert records[0].text("zh").startswith("far：2021年20,000头超出生物学上限")
    folder = tmp_path / "out"
    assert main(["run", str(path), "--out", str(folder)]) == 0
    assert "far: 20,000 头 by 2021 is beyond biology" in (folder / "bio" / "run" / "report.html").read_text(encoding="utf-8")


def test_monte_carlo_reports_land_over_commitment(write, tmp_path):
    from agrosim.api import monte_carlo

    data = over_committed(uncertainty={"forage.area_mu": {"dist": "uniform", "low": "100 亩", "high": "300 亩"}})
    mc = monte_carlo(load_scenario(write("mc.yaml", data)), runs=40, chunk_size=16, work_root=tmp_path)
    # 800 grain + 100 herbs + forage U(100, 300) against 1000: over-committed in every run (forage > 100)
    assert len(mc.results.warnings) == 4  # every year (mode: warning, nothing is cut)
    first = mc.results.warnings[0]
    assert first.startswith("2020: cultivated land over-committed in 40 of 40 runs")
    assert set(mc.bands["indicator"]) >= {"land_claimed", "land_overcommitted"}


def test_over_committed_land_error_exits_2_and_writes_nothing(write, tmp_path, capsys):
    from agrosim.cli import main

    path = write("over.yaml", over_committed("error"))
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "over.yaml: land_claims.mode" in err and "Traceback" not in err
    assert not (tmp_path / "out" / "over").exists()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 2000), st.floats(0, 2000), st.floats(0, 2000), st.floats(-0.3, 0.5)),
                min_size=8, max_size=8),
       st.permutations(["land_grain", "forage", "perennials", "other_crops"]))
def test_claims_fit_the_land_under_any_priority_order(tmp_path_factory, rows, order):
    """Invariant: with a priority order, what the sectors hold after the cut never exceeds the land."""
    import yaml

    data = over_committed(land_claims={"mode": "priority", "priority": list(order)},
                          other_crops={"area_mu": "100 亩"})
    data["forage"]["area_growth_per_yr"] = "10 %/yr"
    path = tmp_path_factory.mktemp("claims") / "claims.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    forage, herbs, other, growth = (np.array(c) for c in zip(*rows))
    per_run = {"forage.area_mu": forage, "perennials.astragalus_area_mu": herbs,
               "land_grain.grain_area_growth_per_yr": growth}
    res = simulate(load_scenario(path), n=8, per_run=per_run)
    held = sum(res.data[k] for k in ("grain_land_claim", "forage_area", "herb_field_area", "other_crop_area"))
    assert np.all(held[:, 1:] <= res.data["cultivated_land"][:, 1:] * (1 + 1e-9))
    for name in ("forage_area", "herb_field_area", "other_crop_area", "grain_sown_area"):
        assert np.all(res.data[name] >= 0)


def test_culled_dairy_cows_go_to_beef(root):
    res = simulate(load_scenario(root / "scenarios" / "shanxi_feed_2025.yaml"))
    d = {k: v[0] for k, v in res.data.items()}
    np.testing.assert_allclose(d["dairy_cull_beef"], d["dairy_culls"] * 300.0, rtol=1e-12)
    assert np.all(d["dairy_cull_beef"] > 0)
    np.testing.assert_allclose(d["output_value_beef"], (d["beef_output"] + d["dairy_cull_beef"]) * 70.0, rtol=1e-12)


def test_a_link_reading_an_unknown_indicator_is_refused_before_the_run(write, monkeypatch):
    """A typo in what a link reads is an error naming it, never a silent zero (issue 20)."""
    import dataclasses

    from agrosim import engine
    from agrosim.errors import ModelError

    typo = dataclasses.replace(feed.LINK, reads=feed.READS + ("grain_outptu",))
    monkeypatch.setattr(engine, "LINKS", tuple(typo if link is feed.LINK else link for link in engine.LINKS))
    with pytest.raises(ModelError, match="link 'feed' reads indicator.s. not reported by any sector: "
                                         "'grain_outptu' .did you mean 'grain_output'.."):
        simulate(load_scenario(write("feed.yaml", pigs_and_grain())))


def test_link_inputs_refuse_an_undeclared_name_and_read_an_inactive_sector_as_zero():
    from agrosim.errors import ModelError
    from agrosim.links import LinkInputs

    x = LinkInputs({"grain_output": np.array([5.0, 6.0])}, {}, 1, 2021, ("land_grain", "feed"), {},
                   frozenset({"grain_output", "pigs_slaughtered"}), "feed")
    np.testing.assert_array_equal(x.get("grain_output"), [5.0, 6.0])
    np.testing.assert_array_equal(x.get("pigs_slaughtered"), [0.0, 0.0])  # pigs not active: no pigs
    with pytest.raises(ModelError, match="link 'feed' reads indicator 'grain_outptu' that it does not declare"):
        x.get("grain_outptu")


def test_every_registered_link_reads_only_known_indicators():
    """The registry itself: every declared name exists (the engine checks it again before each run)."""
    from agrosim.engine import check_links
    from agrosim.links import LINKS, value
    from agrosim.sectors import SECTORS

    check_links(list(SECTORS), list(LINKS))
    assert {"grain_output_maize", "pigs_slaughtered", "forage_output_dm"} <= set(feed.READS)
    assert {"hsf_spend", "dairy_cull_beef", "perennial_output_walnut"} <= set(value.READS)
