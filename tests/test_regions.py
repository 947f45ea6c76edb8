"""Nested regions: the `within` chain, and `agrosim regions` comparing a child's targets with its parent's
without ever summing an incomplete set of children."""
import math

import pandas as pd
import pytest

from agrosim import load_scenario
from agrosim.cli import main
from agrosim.errors import InputError
from agrosim.regions import compare_targets, load_regions
from conftest import ROOT, small_grain


def region(rid, en, within=None, **targets):
    """A small region file with a pig herd; targets as id=(kind, value, year)."""
    head = {"id": rid, "en": en, "zh": en}
    if within is not None:
        head["within"] = within
    return {"region": head, "base_year": 2020, "end_year": 2025, "pigs": {"base_sows_head": "1000 头"},
            "targets": {tid: {"indicator": "pigs_slaughtered", "kind": kind, "value": value, "year": year}
                        for tid, (kind, value, year) in targets.items()}}


def test_bundled_within_chains_load():
    chains = {sc.region.id: sc.region.within for sc in load_regions(ROOT / "params")}
    assert chains["shanxi"] == []
    assert chains["shuozhou"] == ["shanxi"]
    assert chains["yangcheng"] == ["jincheng", "shanxi"]  # 阳城县 in 晋城市 (seed 003 L92: 晋城市…项目)
    assert chains["zuoquan"] == ["jinzhong", "shanxi"]  # 左权县 in 晋中市 (seed 004 L15: 晋中市农业农村局)
    assert load_scenario(ROOT / "params" / "yangcheng.yaml").region.within == ["jincheng", "shanxi"]


@pytest.mark.parametrize("within,fragment", [
    ("shanxi", "region.within: found 'shanxi'"),         # a bare string, not a list
    ([3], "region.within: found [3]"),                    # not an id
    (["Shanxi"], "region.within: found ['Shanxi']"),  # not the id pattern
    (["county"], "not the region itself"),                # within itself
    (["shanxi", "shanxi"], "each once"),
])
def test_bad_within_is_a_clear_input_error(write, tmp_path, capsys, within, fragment):
    path = write("county.yaml", region("county", "County", within, pig=("at_least", "60 万头", 2025)))
    with pytest.raises(InputError, match="innermost first"):
        load_scenario(path)
    assert main(["validate", str(path)]) == 2
    assert main(["regions", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "e.g. [jincheng, shanxi]" in err and "Traceback" not in err


def test_county_share_of_province_pig_target_and_not_summed(write, tmp_path):
    write("prov.yaml", region("prov", "Province", pig=("at_least", "1500 万头", 2025)))
    write("county.yaml", region("county", "County", ["city", "prov"], pig=("at_least", "60 万头", 2025)))
    table = compare_targets(load_regions(tmp_path))
    assert len(table) == 1
    row = table.iloc[0]
    assert (row.parent, row.child, row.via, row.indicator, row.unit) == ("prov", "county", "city (not in agrosim)",
                                                                          "pigs_slaughtered", "万头")
    assert (row.parent_value, row.child_value) == (1500.0, 60.0)
    assert row.share == pytest.approx(0.04)
    assert row.completeness.startswith("1 of prov's sub-regions has a target here (county)")
    assert "NOT summed" in row.completeness and "cannot know a set is complete" in row.completeness
    assert row.note == ""  # same kind, same year, below the parent's


def test_two_children_are_listed_not_summed(write, tmp_path):
    write("prov.yaml", region("prov", "Province", pig=("at_least", "1500 万头", 2025)))
    write("a.yaml", region("a", "City A", ["prov"], pig=("at_least", "600 万头", 2025)))
    write("b.yaml", region("b", "City B", ["prov"], pig=("at_least", "900 万头", 2025)))
    table = compare_targets(load_regions(tmp_path))
    assert table["share"].tolist() == pytest.approx([0.4, 0.6])  # a and b add up to the parent, still not summed
    assert set(table["completeness"]) == {table["completeness"][0]}
    assert table["completeness"][0].startswith("2 of prov's sub-regions have a target here (a, b)")
    assert "NOT summed" in table["completeness"][0]


def test_child_above_parent_is_flagged(write, tmp_path):
    write("prov.yaml", region("prov", "Province", pig=("at_least", "50 万头", 2025)))
    write("county.yaml", region("county", "County", ["prov"], pig=("at_least", "60 万头", 2025)))
    row = compare_targets(load_regions(tmp_path)).iloc[0]
    assert row.share == pytest.approx(1.2)
    assert "INCONSISTENT: the child's target exceeds the parent's" in row.note


def test_year_and_kind_mismatch_noted(write, tmp_path):
    write("prov.yaml", region("prov", "Province", pig=("at_least", "1500 万头", 2025)))
    write("county.yaml", region("county", "County", ["prov"], pig=("about", "60 万头", 2023)))
    row = compare_targets(load_regions(tmp_path)).iloc[0]
    assert row.share == pytest.approx(0.04)
    assert "years differ: parent 2025, child 2023" in row.note
    assert "kinds differ: parent at_least, child about" in row.note


def test_stable_window_covering_the_child_year_is_comparable(write, tmp_path):
    write("prov.yaml", region("prov", "Province", pig=("stable_at", "1500 万头", 2025)))
    write("county.yaml", region("county", "County", ["prov"], pig=("stable_at", "60 万头", 2023)))
    row = compare_targets(load_regions(tmp_path)).iloc[0]
    assert "years differ" not in row.note
    assert "parent holds 2021–2025, child 2021–2023: compared in 2021–2023" in row.note


def test_units_are_converted_to_the_display_unit(write, tmp_path):
    write("prov.yaml", region("prov", "Province", pig=("at_least", "0.15 亿头", 2025)))
    write("county.yaml", region("county", "County", ["prov"], pig=("at_least", "600000 头", 2025)))
    row = compare_targets(load_regions(tmp_path)).iloc[0]
    assert (row.parent_value, row.child_value, row.unit) == (pytest.approx(1500.0), pytest.approx(60.0), "万头")
    assert row.share == pytest.approx(0.04)


def test_targets_outside_the_files_sectors_still_compare(write, tmp_path):
    """A county file that models grain only may still state the plan's pig target."""
    write("prov.yaml", region("prov", "Province", pig=("at_least", "1500 万头", 2025)))
    county = small_grain()
    county["region"] = {"id": "county", "en": "County", "zh": "县", "within": ["prov"]}
    county["targets"] = {"pigs_2023": {"indicator": "pigs_slaughtered", "kind": "at_least", "value": "60 万头",
                                       "year": 2023, "aspirational": True}}
    write("county.yaml", county)
    row = compare_targets(load_regions(tmp_path)).iloc[0]
    assert (row.child_target, row.child_value, row.share) == ("pigs_2023", 60.0, pytest.approx(0.04))
    assert "only the child is aspirational" in row.note
    county["targets"]["pigs_2023"]["value"] = "60 万吨"
    write("county.yaml", county)
    with pytest.raises(InputError, match="targets.pigs_2023"):
        load_regions(tmp_path)


def test_unrelated_regions_are_not_compared(write, tmp_path):
    write("a.yaml", region("a", "City A", ["prov"], pig=("at_least", "600 万头", 2025)))
    write("b.yaml", region("b", "City B", ["prov"], pig=("at_least", "900 万头", 2025)))
    assert compare_targets(load_regions(tmp_path)).empty


def test_chains_must_agree_between_files(write, tmp_path):
    write("city.yaml", region("city", "City", [], pig=("at_least", "600 万头", 2025)))
    write("county.yaml", region("county", "County", ["city", "prov"], pig=("at_least", "60 万头", 2025)))
    with pytest.raises(InputError, match=r"city within \[prov\] in both files"):
        load_regions(tmp_path)


def test_regions_command_on_bundled_params(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "regions.csv"
    assert main(["regions", "--csv", str(out)]) == 0
    text = capsys.readouterr().out
    assert "yangcheng within jincheng (not in agrosim) within shanxi" in text
    assert "NOT summed" in text
    table = pd.read_csv(out, keep_default_na=False)
    shuozhou_hsf = table[(table.child == "shuozhou") & (table.indicator == "hsf_area")].iloc[0]
    assert (shuozhou_hsf.parent, shuozhou_hsf.parent_value, shuozhou_hsf.child_value) == ("shanxi", 2484, 200)
    assert math.isclose(shuozhou_hsf.share, 200 / 2484)
    assert all("NOT summed" in c for c in table.completeness)
    # 阳城县 力争全年生猪出栏60万头 (2023) against 山西省 年出栏生猪达到1500万头以上 (2025)
    pigs = table[(table.child == "yangcheng") & (table.indicator == "pigs_slaughtered")].iloc[0]
    assert (pigs.parent, pigs.via, pigs.parent_value, pigs.child_value) == ("shanxi", "jincheng (not in agrosim)",
                                                                            1500, 60)
    assert math.isclose(pigs.share, 0.04) and "years differ: parent 2025, child 2023" in pigs.note


def test_regions_command_refuses_a_missing_folder(tmp_path, capsys):
    assert main(["regions", str(tmp_path / "nowhere")]) == 2
    assert "no region files" in capsys.readouterr().err
