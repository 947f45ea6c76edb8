"""Every bundled target says how the plan's wording is read, and its kind agrees with that wording.

The kinds' meanings are in agrosim/targets.py's docstring; this checks the wording of each target's
quoted plan sentence against its kind (稳定在 → stable_at or about, 左右 → about, 力争 → aspirational,
以内/以下 → at_most) and that the `reading:` names every qualifier the quote uses. Targets are taken
as every bundled file loads them, plus, for region files, as written: a target on a sector the region
file does not run (Shanxi's herbs, fruit, forage) is dropped by the loader but still belongs to the plan.
"""
from functools import cache

import pytest

from agrosim import load_scenario
from agrosim.config.scenario import TargetModel
from agrosim.config.yaml_io import read_yaml
from conftest import ROOT

FILES = sorted(ROOT.glob("params/*.yaml")) + sorted(ROOT.glob("scenarios/*.yaml"))
#: qualifiers whose reading changes the verdict; a quote using one must have a reading that names it
QUALIFIERS = ("稳定在", "保持在", "左右", "力争", "以内", "以下", "以上", "不低于", "突破", "达到")


@cache
def _loaded(path):
    return load_scenario(path)


def _written(path):
    """(id, TargetModel) for each target the region file writes, whether or not its sector runs."""
    return [(tid, TargetModel.model_validate(raw)) for tid, raw in (read_yaml(path).get("targets") or {}).items()]


def _bundled():
    """(file, id, target) for every target every bundled file loads, and every target a region file writes."""
    loaded = [(path, tg.id, tg) for path in FILES for tg in _loaded(path).targets]
    written = [(path, tid, model) for path in FILES if path.parent.name == "params" for tid, model in _written(path)]
    return loaded + written


def _id(case):
    path, tid, tg = case
    return f"{path.parent.name}/{path.stem}:{tid}" + (":written" if isinstance(tg, TargetModel) else "")


CASES = _bundled()


def test_every_file_is_covered_and_has_targets():
    assert len(FILES) >= 30
    assert {p.stem for p, _, _ in CASES} >= {"shanxi", "shuozhou", "xinzhou", "yangcheng", "zuoquan"}
    assert len({(p.stem, tid) for p, tid, _ in CASES if p.parent.name == "params"}) >= 55
    # Shanxi's herb, fruit and forage targets are checked as written (no bundled file runs those sectors)
    assert {"fruit_output_2025", "herb_output_2025"} <= {tid for p, tid, _ in CASES if p.stem == "shanxi"}


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_reading_names_the_quote_qualifiers(case):
    _, tid, tg = case
    assert tg.reading.strip(), f"{tid}: no reading"
    assert tg.source is not None and tg.source.quote, f"{tid}: no quoted plan sentence"
    unnamed = [q for q in QUALIFIERS if q in tg.source.quote and q not in tg.reading]
    assert not unnamed, f"{tid}: quote 「{tg.source.quote}」 uses {unnamed}; the reading does not say how"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_kind_follows_the_wording(case):
    _, tid, tg = case
    quote = tg.source.quote
    if "稳定在" in quote or "保持在" in quote:
        assert tg.kind in ("stable_at", "about"), f"{tid}: 「{quote}」 read as {tg.kind}"
    if "左右" in quote:
        assert tg.kind == "about" or (tg.kind == "stable_at" and "左右" in tg.reading), f"{tid}: {tg.kind}"
    if "以内" in quote or "以下" in quote:
        assert tg.kind == "at_most", f"{tid}: 「{quote}」 read as {tg.kind}"
    assert tg.aspirational == ("力争" in quote), f"{tid}: aspirational {tg.aspirational} for 「{quote}」"
    # the converse: a band or a yearly hold is only read where the plan's wording asks for it
    if tg.kind == "about":
        assert "左右" in quote, f"{tid}: about without 左右 in 「{quote}」"
    if tg.kind == "stable_at":
        assert "稳定在" in quote or "保持在" in quote, f"{tid}: stable_at without 稳定在 in 「{quote}」"
        assert "every year" in tg.reading, f"{tid}: a stable_at reading must say it holds every year"


def test_yangcheng_grain_output_held_like_its_sown_area():
    """Both halves of 「粮食播种面积稳定在44.4万亩、总产量稳定在1.4亿公斤以上」 are held (stable_at);
    the feed scenario is the one that runs Yangcheng's grain."""
    by_id = {tg.id: tg for tg in _loaded(ROOT / "scenarios" / "yangcheng_feed_2023.yaml").targets}
    assert by_id["grain_output_2023"].kind == by_id["grain_sown_area_2023"].kind == "stable_at"
    assert by_id["grain_output_2023"].value == pytest.approx(1.4e8)  # 1.4 亿公斤 in kg
