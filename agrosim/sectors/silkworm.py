"""Silkworm (蚕桑): mulberry area by planting cohort → leaf → boxes of eggs (张/盒) reared per season
→ cocoons.

Each year: mulberry cohorts age by one year (the oldest class holds all full-leaf area), a share is
removed, new planting enters at age 0. Leaf per mu rises linearly with age to full leaf after
`establishment_yr` years (age 0 = planted this year). In each rearing season s (spring, summer,
autumn) the boxes reared are

    reared_s = min(ordered × sheet_share_s,                  eggs distributed for the season
                   leaf × leaf_share_s / leaf_kg_per_sheet,  leaf limit
                   households × sheets_per_household)        rearing limit

and cocoons = Σ reared_s × cocoon_kg_per_sheet × (1 − outbreak_loss_fraction). Leaf left unused
in one season is not carried to the next. The base-year mulberry is all at full leaf.

The seasons' shares are one table, `SEASON_TABLE` (a row per season; files write a cell as
`<season>_sheet_share` or `<season>_leaf_share`), which the step reads as (n, seasons) arrays.
"""
from __future__ import annotations

import numpy as np

from agrosim.config.spec import EventRole, ParamSpec as P
from agrosim.sectors.base import Balance, IndicatorSpec as I, Sector, TableSpec, scale_except, yearly

SEASONS = ("spring", "summer", "autumn")
SEASON_ZH = {"spring": "春季", "summer": "夏季", "autumn": "秋季"}
AGE_CLASSES = 6  # ages 0..5; the last class holds age 5 and older (establishment_yr ≤ 5)

_SEASON_SHEET = {"spring": 0.35, "summer": 0.15, "autumn": 0.5}
_SEASON_LEAF = {"spring": 0.35, "summer": 0.25, "autumn": 0.4}

#: the seasons' shares of the year's boxes and leaf: rows spring, summer, autumn; files write a cell
#: as `<season>_sheet_share`, listed after `sheets_ordered_per_yr`, column by column as ever
SEASON_TABLE = TableSpec(
    "seasons", SEASONS, (
        P("sheet_share", "1", "Share of the year's boxes ordered for the {row} rearing.", "{row_zh}蚕种占比",
          lo=0, hi=1, plausible=(0.0, 0.7),
          source="assumption: no seasonal split in the seeds; third-party figures for Yangcheng (spring 2012 "
                 "26 326 张, all 2013 76 021 张, notes/seed_003_004 §5.2) suggest spring ≈ 1/3; kept wide"),
        P("leaf_share", "1", "Share of the year's leaf available for the {row} rearing.", "{row_zh}桑叶占比",
          lo=0, hi=1, plausible=(0.1, 0.6),
          source="assumption: no published seasonal leaf split checked; unsure, kept wide"),
    ),
    description="Rearing seasons: shares of the year's boxes and leaf",
    row_defaults={s: {"sheet_share": _SEASON_SHEET[s], "leaf_share": _SEASON_LEAF[s]} for s in SEASONS},
    prefixed=True, row_zh=SEASON_ZH, after="sheets_ordered_per_yr", by_column=True)

PARAMS = (
    P("mulberry_area_mu", "mu", "Mulberry area in the base year, all at full leaf.", "基期桑园面积", lo=0,
      source="region file", base_of="mulberry_area"),
    P("mulberry_planted_mu_per_yr", "mu/yr", "New mulberry planted in that year (enters at age 0).",
      "新植桑园", default=0.0, lo=0, time_varying=True, source="scenario lever; 0 = no new planting"),
    P("mulberry_removal_per_yr", "1/yr", "Share of the mulberry area grubbed up or abandoned per year.",
      "桑园年减少率", default=0.0, lo=0, hi=1, time_varying=True, plausible=(0.0, 0.1),
      source="scenario lever; 0 = no loss (no published rate found)"),
    P("establishment_yr", "yr", "Years from planting to full leaf; leaf rises linearly until then.",
      "桑园成园年限", default=2.0, lo=0, hi=AGE_CLASSES - 1, plausible=(1.0, 3.0),
      source="assumption from the extension saying 一年栽桑、二年养蚕、三年丰产 (full leaf in the third "
             "year); not checked against a published trial"),
    P("leaf_kg_per_mu", "kg/mu", "Leaf picked for rearing per mu of full-leaf mulberry per year.",
      "亩产桑叶", default=1000.0, lo=0, plausible=(400.0, 2500.0),
      source="assumption: no published figure for Shanxi checked; the range spans extensive northern "
             "plots to intensive southern fields (unsure, kept wide)"),
    P("leaf_kg_per_sheet", "kg/sheet", "Leaf eaten by one box (张/盒) of silkworms over a rearing.",
      "每张蚕种用叶量", default=600.0, lo=1e-9, plausible=(400.0, 900.0),
      source="notes/seed_003_004 §5.2: about 500-600 kg of leaf per box (background knowledge flagged "
             "unverified there); range widened"),
    P("sheets_ordered_per_yr", "sheet/yr", "Boxes of eggs distributed to rearers in that year (发放蚕种).",
      "发放蚕种", lo=0, time_varying=True, source="region file or scenario (the plan's egg distribution)"),
    P("rearing_households", "household", "Households rearing silkworms in the base year.", "养蚕农户", lo=0,
      source="region file", base_of="rearing_households"),
    P("households_change_per_yr", "1/yr", "Relative change of rearing households per year.", "养蚕户年变化率",
      default=0.0, lo=-1, hi=1, time_varying=True, plausible=(-0.2, 0.2), source="scenario lever; 0 = constant"),
    P("sheets_per_household", "sheet/household", "Boxes one household can rear in one season (room, labour).",
      "户均每季饲养量", default=1.5, lo=0, plausible=(0.5, 5.0),
      source="assumption: no published figure checked; small family rearing of one to a few boxes a season "
             "(unsure, kept wide)"),
    P("cocoon_kg_per_sheet", "kg/sheet", "Cocoons per box reared.", "张产茧量", default=45.0, lo=0,
      plausible=(30.0, 55.0),
      source="003 L68 「全年发放蚕种3万盒,生产蚕茧135万公斤」: 1 350 000 kg / 30 000 boxes = 45 kg; "
             "third-party Yangcheng figures 48-52 kg/张 (2012-13, notes/seed_003_004 §5.2)"),
    P("outbreak_loss_fraction", "1", "Share of that year's cocoon crop lost to disease (all seasons).",
      "蚕病损失比例", default=0.0, lo=0, hi=1, time_varying=True, event=EventRole.LOSS, plausible=(0.0, 0.5),
      source="scenario or event layer; 0 without an outbreak"),
)

INDICATORS = (
    I("silkworm_sheets_reared", "sheet", "万盒", "Boxes of silkworm eggs reared", "养蚕张数"),
    *(I(f"silkworm_sheets_reared_{s}", "sheet", "万盒", f"Boxes reared: {s}", f"{SEASON_ZH[s]}养蚕张数")
      for s in SEASONS),
    I("silkworm_sheets_ordered", "sheet", "万盒", "Boxes of eggs distributed", "发放蚕种"),
    I("silkworm_sheets_unreared", "sheet", "万盒", "Boxes ordered but not reared (leaf or households short)",
      "未能饲养的蚕种"),
    I("silkworm_sheets_leaf_limit", "sheet", "万盒", "Boxes the leaf can feed (sum of seasons)", "桑叶可养张数"),
    I("silkworm_sheets_household_limit", "sheet", "万盒", "Boxes the households can rear (sum of seasons)",
      "农户可养张数"),
    I("cocoon_output", "kg", "万公斤", "Cocoon output", "蚕茧产量"),
    I("cocoon_kg_per_sheet", "kg/sheet", "kg/盒", "Cocoons per box reared", "张产茧量"),
    I("mulberry_area", "mu", "万亩", "Mulberry area", "桑园面积"),
    I("mulberry_area_full_leaf", "mu", "万亩", "Mulberry area at full leaf", "成龄桑园面积"),
    I("mulberry_planted", "mu", "万亩", "Mulberry planted this year", "新植桑园面积"),
    I("mulberry_leaf", "kg", "万吨", "Mulberry leaf for rearing", "桑叶产量"),
    I("rearing_households", "household", "户", "Silkworm-rearing households", "养蚕农户"),
)

BALANCES = (
    Balance("mulberry_area_mu", ("mulberry_planted_mu",), ("mulberry_removed_mu",)),
    Balance("rearing_households", ("households_joined",), ("households_left",)),
)

_FLOWS = ("mulberry_planted_mu", "mulberry_removed_mu", "households_joined", "households_left")


def init(p):
    area = p["mulberry_area_mu"].astype(float)
    cohorts = np.zeros((area.shape[0], AGE_CLASSES))
    cohorts[:, -1] = area
    state = {"mulberry_cohorts_mu": cohorts, "mulberry_area_mu": area.copy(),
             "rearing_households": p["rearing_households"].astype(float)}
    return state, {k: np.zeros_like(area) for k in _FLOWS}


def step(s, p, t):
    old = s["mulberry_cohorts_mu"]
    aged = np.concatenate([np.zeros_like(old[:, :1]), old[:, :-2], old[:, -2:].sum(axis=1, keepdims=True)], axis=1)
    removed = aged * yearly(p, "mulberry_removal_per_yr", t)[:, None]
    planted = yearly(p, "mulberry_planted_mu_per_yr", t)
    cohorts = aged - removed
    cohorts[:, 0] += planted
    hh = s["rearing_households"]
    change = hh * yearly(p, "households_change_per_yr", t)
    joined, left = np.maximum(change, 0.0), np.maximum(-change, 0.0)
    new = {"mulberry_cohorts_mu": cohorts, "mulberry_area_mu": s["mulberry_area_mu"] + planted - removed.sum(axis=1),
           "rearing_households": hh + joined - left}
    flows = {"mulberry_planted_mu": planted, "mulberry_removed_mu": removed.sum(axis=1),
             "households_joined": joined, "households_left": left}
    return new, flows


def leaf_fraction(p) -> np.ndarray:
    """(n, ages) share of full leaf by cohort age: linear from 0 at planting to 1 at establishment."""
    ages = np.arange(AGE_CLASSES, dtype=float)[None, :]
    est = p["establishment_yr"][:, None]
    return np.where(est > 0, np.clip(ages / np.where(est > 0, est, 1.0), 0.0, 1.0), 1.0)


def rearing(s, p, t) -> dict[str, np.ndarray]:
    """Leaf (n,), and per season (n, 3): boxes ordered, leaf limit, household limit, reared, cocoons."""
    leaf = (s["mulberry_cohorts_mu"] * leaf_fraction(p)).sum(axis=1) * p["leaf_kg_per_mu"]
    sheet_share, leaf_share = p["seasons.sheet_share"], p["seasons.leaf_share"]
    ordered = yearly(p, "sheets_ordered_per_yr", t)[:, None] * sheet_share
    leaf_limit = leaf[:, None] * leaf_share / p["leaf_kg_per_sheet"][:, None]
    hh_limit = np.broadcast_to((s["rearing_households"] * p["sheets_per_household"])[:, None], ordered.shape)
    reared = np.minimum(ordered, np.minimum(leaf_limit, hh_limit))
    survive = 1.0 - yearly(p, "outbreak_loss_fraction", t)
    cocoons = reared * (p["cocoon_kg_per_sheet"] * survive)[:, None]
    return {"leaf_kg": leaf, "ordered": ordered, "leaf_limit": leaf_limit, "household_limit": hh_limit,
            "reared": reared, "cocoons_kg": cocoons}


def report(s, f, p, t):
    r = rearing(s, p, t)
    reared, cocoons = r["reared"].sum(axis=1), r["cocoons_kg"].sum(axis=1)
    out = {
        "silkworm_sheets_reared": reared, "silkworm_sheets_ordered": r["ordered"].sum(axis=1),
        "silkworm_sheets_unreared": (r["ordered"] - r["reared"]).sum(axis=1),
        "silkworm_sheets_leaf_limit": r["leaf_limit"].sum(axis=1),
        "silkworm_sheets_household_limit": r["household_limit"].sum(axis=1),
        "cocoon_output": cocoons,
        "cocoon_kg_per_sheet": np.divide(cocoons, reared, out=np.zeros_like(reared), where=reared > 0),
        "mulberry_area": s["mulberry_area_mu"],
        "mulberry_area_full_leaf": (s["mulberry_cohorts_mu"] * (leaf_fraction(p) >= 1.0)).sum(axis=1),
        "mulberry_planted": f["mulberry_planted_mu"], "mulberry_leaf": r["leaf_kg"],
        "rearing_households": s["rearing_households"],
    }
    for k, season in enumerate(SEASONS):
        out[f"silkworm_sheets_reared_{season}"] = r["reared"][:, k]
    return out


def check(p):
    problems = []
    for kind in ("sheet", "leaf"):
        shares = p[f"seasons.{kind}_share"]
        total = sum(shares[:, k] for k in range(len(SEASONS)))
        if not np.allclose(total, 1.0, atol=1e-6):
            problems.append((f"silkworm.{SEASONS[0]}_{kind}_share", f"{kind} shares of the seasons summing to "
                             f"{total.max():.6g}", "spring + summer + autumn = 1"))
    return problems


OBSERVABLE = ("mulberry_area", "rearing_households")


def assimilate(s, p, t, obs):
    """Set observed mulberry area (`mulberry_area`) and rearing households (`rearing_households`).

    Rule: the area scales every planting cohort by observed / model, so the age structure (and the
    share at full leaf) is kept; where the model has no mulberry, the area is all at full leaf, as
    in `init`. Households are set as given.
    """
    s = dict(s)
    if "mulberry_area" in obs:
        area = obs["mulberry_area"]
        cohorts = s["mulberry_cohorts_mu"]
        model = cohorts.sum(axis=1)
        full = np.zeros_like(cohorts)
        full[:, -1] = 1.0
        shape = np.where((model > 0)[:, None], cohorts, full)
        total = shape.sum(axis=1)
        s["mulberry_cohorts_mu"] = shape * (area / total)[:, None]
        s["mulberry_area_mu"] = area.astype(float)
    if "rearing_households" in obs:
        s["rearing_households"] = obs["rearing_households"].astype(float)
    return s


SECTOR = Sector(
    name="silkworm", title_en="Silkworm", title_zh="蚕桑",
    params=PARAMS, tables=(SEASON_TABLE,), balances=BALANCES, indicators=INDICATORS,
    land_claim="mulberry_area",
    curtail=scale_except(("rearing_households", "households_joined", "households_left")),
    init=init, step=step, report=report, check=check,
    assimilate=assimilate, observable=OBSERVABLE,
)
