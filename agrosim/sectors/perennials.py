"""Herbal medicine and perennials (中药材、干果、水果): cultivated area by crop group and age cohort,
plus wild-tended herb area (野生抚育) kept apart from cultivated land.

Each year, cohorts age by one year (the last class holds all older area); a share `removal_per_yr`
of every cohort is removed; root herbs (harvest_age_yr > 0) at or above their harvest age are dug
(one harvest, output = area × plateau yield); a share `replant_share` of the dug and removed area is
replanted at age 0, plus new planting. Bearing crops (harvest_age_yr = 0: shrubs and trees) yield
every year by age:

    yield(a) = 0 for a < first_yield_age;  Y × (a − f + 1) / (plateau_age − f + 1) up to Y at plateau_age

All outputs are scaled by the yearly `yield_factor` (weather). A herb planted in year t is dug in
year t + harvest_age and yields nothing before. Base-year area is spread evenly over ages
0..base_age_span−1; the base-year root-herb output is the steady rotation, area / harvest age × Y.

Group coefficients are one table, `GROUP_TABLE` (a row per crop group, each with its own defaults,
and a yearly planting column); scenario files write a cell as a flat key `<group>_<param>`
(`walnut_area_mu`), and the step reads each column as one array (see docs/sector_contract.md).
"""
from __future__ import annotations

import numpy as np

from agrosim.config.spec import ParamSpec as P
from agrosim.sectors.base import Balance, IndicatorSpec as I, Sector, TableSpec, yearly

AGE_CLASSES = 40  # ages 0..39; the last class holds age 39 and older

_UNSURE = "assumption from cultivation practice, no published figure checked; unsure, range kept wide"
_UNUSED = "unused for root herbs (they yield once, at the harvest age)"
_ROOT_AGE = "DESIGN.md: roots harvested after 2-3 years (cultivated); longer for wild-simulated stands"

#: group -> (zh, herb?, harvest_age_yr, first_yield_age_yr, plateau_age_yr, plateau_yield_kg_per_mu,
#:           yield range, yield source, base_age_span_yr)
GROUPS = {
    "astragalus": ("黄芪", True, 3, 3, 3, 200.0, (80.0, 400.0), f"dry root; {_UNSURE}", 3),
    "codonopsis": ("党参", True, 3, 3, 3, 150.0, (60.0, 300.0), f"dry root; {_UNSURE}", 3),
    "bupleurum": ("柴胡", True, 2, 2, 2, 60.0, (20.0, 150.0), f"dry root; {_UNSURE}", 2),
    "scutellaria": ("黄芩", True, 2, 2, 2, 150.0, (60.0, 300.0), f"dry root; {_UNSURE}", 2),
    "forsythia": ("连翘", True, 0, 3, 6, 60.0, (20.0, 200.0), f"dried fruit; {_UNSURE}", 10),
    "cornus": ("山茱萸", True, 0, 5, 10, 100.0, (30.0, 300.0), f"dried flesh; {_UNSURE}", 20),
    "walnut": ("核桃", False, 0, 4, 10, 40.0, (20.0, 150.0),
               "in-shell nuts; Zuoquan walnut once reported at 18 000 ha and 7 000 t, about 26 kg/mu (third-party "
               "web figure, notes/seed_003_004 §5.4) over all ages; plateau set above that; intensive orchards give several "
               "times more (unsure)", 25),
    "fruit": ("水果", False, 0, 3, 8, 2000.0, (800.0, 4000.0),
              "fresh fruit; Shanxi's facility-fruit target 60万吨 on 30万亩 = 2 t/mu (000 L150 「设施水果面积达到"
              "30万亩，产量达到60万吨左右」); open orchards assumed similar, unsure", 15),
    "other_herbs": ("其他中药材", True, 0, 3, 5, 0.0, (0.0, 1000.0),
                    "generic group: no default yield, give one when the group has area (check refuses 0)", 10),
}
HERBS = tuple(g for g, row in GROUPS.items() if row[1])


#: the group table's columns; labels name the row (`{row}`, `{row_zh}`), per-group figures are in _row_fields
COLUMNS = (
    P("area_mu", "mu", "Cultivated {row} area in the base year.", "基期{row_zh}面积", default=0.0, lo=0,
      source="region file; 0 = not grown"),
    P("planted_mu_per_yr", "mu/yr", "New {row} planting in that year (enters at age 0).", "{row_zh}新植面积",
      default=0.0, lo=0, time_varying=True, source="scenario lever; 0 = no new planting"),
    P("harvest_age_yr", "yr", "Age at which {row} is dug (root herbs); 0 = bears every year.", "{row_zh}采挖年限",
      lo=0, hi=AGE_CLASSES - 1),
    P("first_yield_age_yr", "yr", "First bearing age of {row} (bearing crops).", "{row_zh}始果年龄",
      lo=0, hi=AGE_CLASSES - 1),
    P("plateau_age_yr", "yr", "Age from which {row} gives its full yield (bearing crops).", "{row_zh}盛果年龄",
      lo=0, hi=AGE_CLASSES - 1),
    P("plateau_yield_kg_per_mu", "kg/mu", "{row} yield at plateau (root herbs: at harvest).", "{row_zh}盛产期亩产",
      lo=0),
    P("removal_per_yr", "1/yr", "Share of the {row} area removed (grubbed, abandoned) per year.", "{row_zh}年退出率",
      default=0.0, lo=0, hi=1, plausible=(0.0, 0.1),
      source="scenario lever; 0 = none removed (no published rate found)"),
    P("replant_share", "1", "Share of the {row} area dug or removed that is replanted the same year.",
      "{row_zh}更新补植比例", default=1.0, lo=0, hi=1, plausible=(0.0, 1.0),
      source="assumption: land stays in the crop; no published rate found"),
    P("base_age_span_yr", "yr", "Base-year {row} area spread evenly over ages 0..span−1.", "{row_zh}基期林龄跨度",
      lo=1, hi=AGE_CLASSES),
)


def _row_fields(zh, harvest, first, plateau, yld, yld_range, yld_src, span) -> dict:
    """A group's own defaults, plausible ranges and sources, by column."""
    return {
        "harvest_age_yr": dict(default=float(harvest), plausible=(2.0, 5.0) if harvest else None,
                               source=_ROOT_AGE if harvest else "bearing crop: yields yearly"),
        "first_yield_age_yr": dict(default=float(first), plausible=None if harvest else (max(first - 2.0, 1.0), first + 3.0),
                                   source=_UNUSED if harvest else f"DESIGN.md: shrubs and trees bear from year 3-5; {_UNSURE}"),
        "plateau_age_yr": dict(default=float(plateau), plausible=None if harvest else (float(first), plateau + 5.0),
                               source=_UNUSED if harvest else _UNSURE),
        "plateau_yield_kg_per_mu": dict(default=yld, plausible=yld_range, source=yld_src),
        "base_age_span_yr": dict(default=float(span), plausible=None if harvest else (5.0, 30.0),
                                 source="steady rotation (one cohort per year up to harvest)" if harvest else
                                 "assumption: plans give no age structure; unsure, range kept wide"),
    }


#: crop group × column, written in scenario files as flat keys `<group>_<column>` (`walnut_area_mu`);
#: the step reads one array per column, `groups.<column>`: (n, groups), or (n, groups, years) for planting
GROUP_TABLE = TableSpec(
    "groups", tuple(GROUPS), COLUMNS, "Crop groups: area, planting, age rules and yield of each.",
    prefixed=True, row_zh={g: row[0] for g, row in GROUPS.items()},
    row_fields={g: _row_fields(row[0], *row[2:]) for g, row in GROUPS.items()})

PARAMS = (
    P("wild_tended_mu", "mu", "Wild-tended herb area (野生抚育) in the base year, not cultivated land.",
      "基期野生抚育面积", default=0.0, lo=0, source="region file; 0 = none", base_of="herb_area_wild_tended"),
    P("wild_tending_added_mu_per_yr", "mu/yr", "Wild stands newly brought under tending in that year.",
      "新增野生抚育面积", default=0.0, lo=0, time_varying=True, source="scenario lever; 0 = none added"),
    P("wild_tending_lapse_per_yr", "1/yr", "Share of the wild-tended area no longer tended per year.",
      "野生抚育年退出率", default=0.0, lo=0, hi=1, plausible=(0.0, 0.1), source="scenario lever; 0 = none lapses"),
    P("wild_yield_kg_per_mu", "kg/mu", "Herb gathered per mu of wild-tended stand per year (mainly forsythia).",
      "野生抚育亩产", default=15.0, lo=0, plausible=(3.0, 60.0),
      source=f"dried product; {_UNSURE} (wild stands are sparse, far below cultivated yields)"),
    P("yield_factor", "1", "Weather multiplier on every perennial yield in that year (1 = normal).",
      "气象单产系数", default=1.0, lo=0, hi=2, time_varying=True, plausible=(0.5, 1.2),
      source="scenario or event layer; 1 = a normal year"),
)

INDICATORS = (
    I("perennial_area", "mu", "万亩", "Perennial area incl. wild tending", "多年生作物面积(含野生抚育)"),
    I("herb_area", "mu", "万亩", "Herb area incl. wild tending", "中药材面积(含野生抚育)"),
    I("herb_area_cultivated", "mu", "万亩", "Cultivated herb area", "中药材种植面积"),
    I("herb_field_area", "mu", "万亩", "Root-herb area on cultivated land (dug herbs)", "占用耕地的根类药材面积"),
    I("herb_area_wild_tended", "mu", "万亩", "Wild-tended herb area", "野生抚育面积"),
    I("herb_output", "kg", "万吨", "Herb output incl. wild tending", "药材产量"),
    I("herb_output_wild", "kg", "吨", "Herb output from wild tending", "野生抚育药材产量"),
    I("perennial_planted", "mu", "万亩", "Area planted this year (new and replanted)", "当年栽植面积"),
    I("herb_planted", "mu", "万亩", "Herb area planted this year (new and replanted)", "中药材当年栽植面积"),
) + tuple(I(f"perennial_area_{g}", "mu", "万亩", f"Area: {g}", f"{row[0]}面积") for g, row in GROUPS.items()) \
  + tuple(I(f"perennial_output_{g}", "kg", "吨", f"Output: {g}", f"{row[0]}产量") for g, row in GROUPS.items())

BALANCES = (
    Balance("area_mu", ("planted_mu", "replanted_mu"), ("harvested_mu", "removed_mu")),
    Balance("wild_tended_mu", ("wild_added_mu",), ("wild_lapsed_mu",)),
)

_GROUP_FLOWS = ("planted_mu", "replanted_mu", "harvested_mu", "removed_mu", "output_kg")
_ALL = np.arange(len(GROUPS))
_IS_HERB = np.array([g in HERBS for g in GROUPS])
_HERB_ROWS = np.flatnonzero(_IS_HERB)

# Layout: the sector computes with the run axis last, (groups, ages, n) and (groups, n), so that
# ageing is a copy of whole rows and sums over ages add rows; the state and flows it hands out
# are transposed views with the run axis first, as every sector's are.


def _rows(p, param, t=None, groups=_ALL) -> np.ndarray:
    """(groups, n) of a group-table column, time-varying ones at year index t, contiguous: a view
    of the column as the design layer lays it out (run axis last in memory), else a copy."""
    rows = (p[f"groups.{param}"] if t is None else yearly(p, f"groups.{param}", t)).T
    return np.ascontiguousarray(rows if groups is _ALL else rows[groups])


def _common(x: np.ndarray) -> np.ndarray:
    """(rows, n) as (rows, 1) when every run has the same values (parameters that are not uncertain),
    so that arrays by age built from it are built once, not once per run."""
    return x[:, :1] if np.all(x == x[:, :1]) else x


def age_classes(p) -> int:
    """Age classes the cohorts keep (at most AGE_CLASSES): the last holds every age from which
    removal, digging and yield no longer change with age, in every group and run, so the model
    equals one with a class for each year of age up to AGE_CLASSES − 1 (older: the last class)."""
    harvest = _rows(p, "harvest_age_yr")
    plateau = np.maximum(_rows(p, "plateau_age_yr"), _rows(p, "first_yield_age_yr"))
    oldest_rule = max(float(np.ceil(harvest.max())), float(np.ceil(plateau.max())))
    return int(min(max(oldest_rule + 1, 2), AGE_CLASSES))


def _spread(span: np.ndarray, k: int) -> np.ndarray:
    """(groups, k, runs or 1) share of a group's area by age class when spread evenly over ages
    0..span−1; ages k−1 and older are summed into the last class."""
    ages = np.arange(AGE_CLASSES, dtype=float)[None, :, None]
    share = np.clip(span[:, None, :] - ages, 0.0, 1.0) / span[:, None, :]
    return np.concatenate([share[:, :k - 1], share[:, k - 1:].sum(axis=1, keepdims=True)], axis=1)


def _age_rules(p, groups, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(dig, weight) by age class, each (groups, k, 1) when the groups' ages are the same in every
    run, else (groups, k, n): `dig` marks the classes root herbs are dug at (age ≥ harvest age);
    `weight` is the share of the plateau yield a class gives: 1 where dug, the bearing ramp

        (a − first + 1) / (plateau − first + 1), clipped to 0..1,

    for shrubs and trees (harvest age 0), 0 for root herbs still growing."""
    ages = np.arange(k, dtype=float)[None, :, None]
    harvest = _common(_rows(p, "harvest_age_yr", groups=groups))[:, None, :]
    first = _common(_rows(p, "first_yield_age_yr", groups=groups))[:, None, :]
    plateau = np.maximum(_common(_rows(p, "plateau_age_yr", groups=groups))[:, None, :], first)
    ramp = np.clip((ages - first + 1.0) / (plateau - first + 1.0), 0.0, 1.0)
    dig = (harvest > 0) & (ages >= harvest)
    return dig, np.where(dig, 1.0, np.where(harvest > 0, 0.0, ramp))


def _by_age(weight: np.ndarray, x: np.ndarray) -> np.ndarray:
    """(groups, n): Σ over age classes of weight × x, x (groups, k, n)."""
    if weight.shape[2] == 1:  # the same weights in every run: one matrix product per group
        return np.matmul(weight.transpose(0, 2, 1), x)[:, 0]
    return np.einsum("gkn,gkn->gn", weight, x)


def _out(x: np.ndarray) -> np.ndarray:
    """Internal (groups, …, n) → the run-first view handed out: (n, groups, …)."""
    return np.moveaxis(x, -1, 0)


def init(p):
    area = _rows(p, "area_mu").astype(float)
    k = age_classes(p)
    cohorts = area[:, None, :] * _spread(_common(_rows(p, "base_age_span_yr")), k)
    wild = p["wild_tended_mu"].astype(float)
    state = {"cohorts_mu": _out(cohorts), "area_mu": _out(area), "wild_tended_mu": wild}
    flows = {name: _out(np.zeros_like(area)) for name in _GROUP_FLOWS}
    flows.update(wild_added_mu=np.zeros_like(wild), wild_lapsed_mu=np.zeros_like(wild))
    return state, flows


def step(s, p, t):
    """Age every cohort by a year, remove, dig, replant and plant; only groups that have area or
    are planted this year are computed (the others stay empty)."""
    old = np.moveaxis(s["cohorts_mu"], 0, -1)  # (groups, k, n) view
    n_groups, k, n = old.shape
    area = np.moveaxis(s["area_mu"], 0, -1)
    planted = _rows(p, "planted_mu_per_yr", t)
    active = np.flatnonzero(np.any(area != 0, axis=1) | np.any(planted != 0, axis=1))
    cohorts = np.zeros((n_groups, k, n))
    flows = {name: np.zeros((n_groups, n)) for name in _GROUP_FLOWS[1:]}
    if active.size:
        src = old[active]
        removal = _rows(p, "removal_per_yr", groups=active)
        keep = 1.0 - removal
        kept = np.empty_like(src)  # aged by one year, less the share removed
        kept[:, 0] = 0.0
        np.multiply(src[:, :k - 2], keep[:, None, :], out=kept[:, 1:k - 1])
        np.multiply(src[:, k - 2] + src[:, k - 1], keep, out=kept[:, k - 1])
        removed = removal * src.sum(axis=1)
        dig, weight = _age_rules(p, active, k)
        harvested = _by_age(dig.astype(float), kept)
        output = _by_age(weight, kept) * _rows(p, "plateau_yield_kg_per_mu", groups=active)
        kept *= ~dig  # dug classes are empty
        replanted = _rows(p, "replant_share", groups=active) * (removed + harvested)
        kept[:, 0] = replanted + planted[active]
        cohorts[active] = kept
        for name, value in (("replanted_mu", replanted), ("harvested_mu", harvested), ("removed_mu", removed),
                            ("output_kg", output * yearly(p, "yield_factor", t))):
            flows[name][active] = value
    wild = s["wild_tended_mu"]
    lapsed = wild * p["wild_tending_lapse_per_yr"]
    added = yearly(p, "wild_tending_added_mu_per_yr", t)
    new_area = area + planted + flows["replanted_mu"] - flows["harvested_mu"] - flows["removed_mu"]
    new = {"cohorts_mu": _out(cohorts), "wild_tended_mu": wild + added - lapsed, "area_mu": _out(new_area)}
    flows = {name: _out(value) for name, value in flows.items()}
    flows.update(planted_mu=_out(planted), wild_added_mu=added, wild_lapsed_mu=lapsed)
    return new, flows


def _base_output(s, p) -> np.ndarray:
    """(groups, n) base-year output: steady rotation for root herbs, the age curve for bearing crops."""
    cohorts = np.moveaxis(s["cohorts_mu"], 0, -1)
    harvest_age = _rows(p, "harvest_age_yr")
    yield_kg = _rows(p, "plateau_yield_kg_per_mu")
    roots = cohorts.sum(axis=1) / np.where(harvest_age > 0, harvest_age, 1.0) * yield_kg
    bearing = _by_age(_age_rules(p, _ALL, cohorts.shape[1])[1], cohorts) * yield_kg
    return np.where(harvest_age > 0, roots, bearing) * yearly(p, "yield_factor", 0)


def report(s, f, p, t):
    area, wild = np.moveaxis(s["area_mu"], 0, -1), s["wild_tended_mu"]
    output = _base_output(s, p) if t == 0 else np.moveaxis(f["output_kg"], 0, -1)
    wild_out = wild * p["wild_yield_kg_per_mu"] * yearly(p, "yield_factor", t)
    planted = np.moveaxis(f["planted_mu"], 0, -1) + np.moveaxis(f["replanted_mu"], 0, -1)
    herb_area = area[_HERB_ROWS].sum(axis=0)
    out = {
        "perennial_area": area.sum(axis=0) + wild, "herb_area": herb_area + wild,
        "herb_area_cultivated": herb_area, "herb_area_wild_tended": wild,
        "herb_field_area": (area * _field_mask(p)).sum(axis=0),
        "herb_output": output[_HERB_ROWS].sum(axis=0) + wild_out, "herb_output_wild": wild_out,
        "perennial_planted": planted.sum(axis=0), "herb_planted": planted[_HERB_ROWS].sum(axis=0),
    }
    for k, g in enumerate(GROUPS):
        out[f"perennial_area_{g}"] = area[k]
        out[f"perennial_output_{g}"] = output[k]
    return out


def _field_mask(p):
    """(groups, n): 1 for herbs dug from fields (harvest age > 0), which occupy cultivated land (耕地);
    shrubs and trees (forsythia, cornus, walnut, fruit) stand on garden or forest land (园地/林地)."""
    return ((_rows(p, "harvest_age_yr") > 0) & _IS_HERB[:, None]).astype(float)


def curtail(s, f, share, p):
    """Field herbs keep `share` of their area (cohorts and the year's flows alike); others are untouched."""
    g_share = 1.0 - _field_mask(p) * (1.0 - share)
    cohorts = np.moveaxis(s["cohorts_mu"], 0, -1) * g_share[:, None, :]
    s = dict(s, cohorts_mu=_out(cohorts), area_mu=_out(np.moveaxis(s["area_mu"], 0, -1) * g_share))
    return s, {k: _out(np.moveaxis(v, 0, -1) * g_share) if k in _GROUP_FLOWS else v for k, v in f.items()}


def check(p):
    problems = []
    area, planted = _rows(p, "area_mu"), np.moveaxis(p["groups.planted_mu_per_yr"], 0, 1)
    yield_kg, first, plateau = (_rows(p, c) for c in ("plateau_yield_kg_per_mu", "first_yield_age_yr", "plateau_age_yr"))
    for k, g in enumerate(GROUPS):
        grown = (area[k] > 0) | np.any(planted[k] > 0, axis=1)
        if np.any(grown & (yield_kg[k] <= 0)):
            problems.append((f"perennials.{g}_plateau_yield_kg_per_mu", "0 kg/mu for a group with area",
                             "a yield above 0 (give one with its source)"))
        if np.any(plateau[k] < first[k]):
            problems.append((f"perennials.{g}_plateau_age_yr", f"{plateau[k].min():g} yr",
                             f"at least {g}_first_yield_age_yr = {first[k].max():g} yr"))
    return problems


#: totals in nesting order, over the parts (groups…, wild-tended area): each scales its parts not yet
#: pinned by an observation
_TOTALS = (("herb_area_cultivated", np.append(_IS_HERB, False)),
           ("herb_area", np.append(_IS_HERB, True)), ("perennial_area", np.ones(len(GROUPS) + 1, dtype=bool)))
OBSERVABLE = tuple(f"perennial_area_{g}" for g in GROUPS) + ("herb_area_wild_tended",) + tuple(t for t, _ in _TOTALS)


def assimilate(s, p, t, obs):
    """Set observed areas: a crop group (`perennial_area_<group>`), the wild-tended area
    (`herb_area_wild_tended`), and totals (`herb_area_cultivated`, `herb_area` incl. wild tending,
    `perennial_area`).

    Rule: a group's area scales its age cohorts by observed / model (age structure kept; where the
    model has none of the group, spread evenly over ages 0..base_age_span−1 as in `init`); the wild
    area is set as given. A total scales, together, its parts that no observation has pinned, so
    the total matches (totals in the order cultivated herbs → herbs → all; parts emptied if the
    pinned ones already exceed the total, unmatched if the model has none of the free parts).
    """
    if not any(k in obs for k in OBSERVABLE):
        return s
    area, wild = s["area_mu"], s["wild_tended_mu"]
    parts = np.concatenate([area, wild[:, None]], axis=1)
    new = parts.copy()
    pinned = np.zeros(parts.shape[1], dtype=bool)
    for k, g in enumerate(GROUPS):
        if f"perennial_area_{g}" in obs:
            new[:, k], pinned[k] = obs[f"perennial_area_{g}"], True
    if "herb_area_wild_tended" in obs:
        new[:, -1], pinned[-1] = obs["herb_area_wild_tended"], True
    for name, members in _TOTALS:
        if name not in obs:
            continue
        free = members & ~pinned
        model = new[:, free].sum(axis=1)
        rest = np.maximum(obs[name] - new[:, members & pinned].sum(axis=1), 0.0)
        new[:, free] = new[:, free] * np.divide(rest, model, out=np.ones_like(model), where=model > 0)[:, None]
        pinned |= members
    cohorts = s["cohorts_mu"]
    even = _out(_spread(_rows(p, "base_age_span_yr"), cohorts.shape[2]))
    held = cohorts.sum(axis=2) > 0
    factor = np.divide(new[:, :-1], area, out=np.zeros_like(area), where=held & (area > 0))
    cohorts = np.where(held[:, :, None], cohorts * factor[:, :, None], even * new[:, :-1, None])
    return dict(s, cohorts_mu=cohorts, area_mu=new[:, :-1], wild_tended_mu=new[:, -1])


SECTOR = Sector(
    name="perennials", title_en="Herbal medicine and perennials", title_zh="中药材与多年生作物",
    params=PARAMS, tables=(GROUP_TABLE,), balances=BALANCES, indicators=INDICATORS,
    land_claim="herb_field_area", curtail=curtail,
    init=init, step=step, report=report, check=check,
    assimilate=assimilate, observable=OBSERVABLE,
)
