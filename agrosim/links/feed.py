"""Feed balance (饲料平衡): what the herds eat against what the region grows, in two classes.

Feed grain (maize-equivalent in concentrate):
    demand    = Σ_herds driver × concentrate_kg × concentrate_grain_share
    local     = maize output × maize_feed_share
Roughage (dry matter):
    demand    = Σ_herds driver × roughage_dm_kg
    local     = forage dry matter + grain output × straw_grain_ratio × straw_feed_share × straw_dm_share

For each class, with imports capped at `cap` (no cap by default):
    local_used = min(local, demand);  surplus = local − local_used
    imports    = min(demand − local_used, cap);  shortfall = demand − local_used − imports
so demand = local_used + imports + shortfall and local = local_used + surplus, every year.
Self-sufficiency = local ÷ demand (above 1: the region grows more than its herds eat; 1 when no
herd eats the class: nothing needs to come in).

When a cap binds (shortfall > 0), the herds cannot all be fed: from the first simulated year on,
each herd that eats the short class is cut to the fed share (a herd eating both classes to the
smaller of the two) — stocks and the year's flows — and the cut carries into later years. The
balance is reported as demanded before the cut. Drivers are year-end stock for herds kept all year
and the year's slaughter for pigs and broilers (their feed is counted per animal finished).
"""
from __future__ import annotations

import numpy as np

from agrosim.config.spec import ParamSpec as P
from agrosim.config.declarations import IndicatorSpec as I, TableSpec
from agrosim.links.base import Link, LinkInputs
from agrosim.sectors.base import yearly

_RULE = ("assumption: rule-of-thumb feeding level recalled from Chinese feeding practice, not checked "
         "against a published table; range kept wide")
_NOTES = "../shared/notes/seed_003_004_yangcheng_zuoquan.md L298-L299 (background knowledge there, not the plan)"

#: herd -> (driver indicator, its table: fed per head `finished` (driver: the year's slaughter) or per
#:          head `kept` a year (driver: the stock), concentrate kg per driver unit, its range, its
#:          source, roughage kg DM per driver unit, its range, zh)
CONSUMERS = {
    "pigs": ("pigs_slaughtered", "finished", 300.0, (250.0, 380.0), f"about 0.30-0.35 t of compound feed per pig "
             f"finished, sow share included; {_NOTES}", 0.0, (0.0, 50.0), "生猪"),
    "layers": ("laying_hens", "kept", 42.0, (36.0, 48.0), f"about 40-44 kg of feed per hen a year; {_NOTES}",
               0.0, (0.0, 5.0), "蛋鸡"),
    "broilers": ("broilers_slaughtered", "finished", 4.5, (3.5, 6.0), f"about 2.5 kg live weight × feed conversion "
                 f"about 1.7-1.8; {_RULE}", 0.0, (0.0, 1.0), "肉鸡"),
    "dairy": ("dairy_herd", "kept", 1800.0, (1000.0, 3000.0), f"per head of all ages (cows about 8 kg a day, "
              f"young stock less); {_RULE}", 3300.0, (2000.0, 5000.0), "奶牛"),
    "beef": ("beef_stock", "kept", 800.0, (300.0, 1500.0), f"per head in stock, finishing cattle fed most; {_RULE}",
             1800.0, (1000.0, 2800.0), "肉牛"),
    "sheep": ("sheep_stock", "kept", 60.0, (20.0, 150.0), f"per head in stock under housed feeding; {_RULE}",
              450.0, (250.0, 700.0), "羊"),
}

_NOCAP = "no cap unless the scenario sets one (then feed can bind and herds are cut to what can be fed)"


#: table -> (unit of its columns, what a driver unit is, column suffix): files write a cell as
#: `<herd>_<column>` (`pigs_concentrate_kg_per_head`, `dairy_roughage_dm_kg_per_head_yr`)
_KINDS = {"finished": ("kg/head", "head slaughtered", ""), "kept": ("kg/head/yr", "head in stock per year", "_yr")}


def _table(name: str) -> TableSpec:
    """The herds of one table as its rows, each with its defaults, range, source and driver named."""
    unit, what, suffix = _KINDS[name]
    herds = {h: row for h, row in CONSUMERS.items() if row[1] == name}
    columns = (P(f"concentrate_kg_per_head{suffix}", unit, f"Concentrate (compound feed) per {what}.",
                 "{row_zh}精饲料用量", lo=0),
               P(f"roughage_dm_kg_per_head{suffix}", unit, f"Roughage dry matter per {what}.",
                 "{row_zh}粗饲料用量(干物质)", lo=0))
    fields = {h: {columns[0].name: dict(default=conc, plausible=conc_range, source=conc_src,
                                        description=f"Concentrate (compound feed) per {what} ({driver})."),
                  columns[1].name: dict(default=rough, plausible=rough_range,
                                        source=_RULE if rough else "monogastric: no roughage counted",
                                        description=f"Roughage dry matter per {what} ({driver}).")}
              for h, (driver, _, conc, conc_range, conc_src, rough, rough_range, _zh) in herds.items()}
    return TableSpec(name, tuple(herds), columns, description=f"Feed per {what}, by herd", prefixed=True,
                     row_zh={h: row[-1] for h, row in herds.items()}, row_fields=fields)


TABLES = (_table("finished"), _table("kept"))
#: herd -> (its table's name, its row there)
_ROW = {h: (t.name, t.keys.index(h)) for t in TABLES for h in t.keys}


def _rate(p, herd: str, kind: str) -> np.ndarray:
    """(n,) feed of `kind` (concentrate, roughage_dm) per driver unit of the herd."""
    table, row = _ROW[herd]
    suffix = _KINDS[table][2]
    return p[f"{table}.{kind}_kg_per_head{suffix}"][:, row]


PARAMS = (
    P("concentrate_grain_share", "1", "Maize-equivalent grain per kg of concentrate.", "精饲料中玉米等能量谷物占比",
      default=0.6, lo=0, hi=1, plausible=(0.5, 0.7), source=f"about 60 % maize in compound feed; {_NOTES}"),
    P("maize_feed_share", "1", "Share of the region's maize output available as feed.", "玉米饲用比例",
      default=0.6, lo=0, hi=1, plausible=(0.3, 0.9),
      source="assumption: feed takes roughly 60 % of maize use in China (recalled, not checked); local "
             "sales out of the region not modelled"),
    P("straw_grain_ratio", "1", "Straw per kg of grain harvested (草谷比).", "草谷比",
      default=1.1, lo=0, hi=3, plausible=(0.9, 1.5),
      source="assumption: maize straw-to-grain ratios of about 1.0-1.2 in straw-resource surveys (recalled, not "
             "checked)"),
    P("straw_feed_share", "1", "Share of the straw fed to livestock (秸秆饲料化).", "秸秆饲料化利用比例",
      default=0.3, lo=0, hi=1, plausible=(0.1, 0.5),
      source="assumption: the plans give only total straw use (000_9a171ad133399258.txt L230 "
             "「秸秆综合利用率保持在90%以上」), of which feed is one of four uses; share unsure"),
    P("straw_dm_share", "1", "Dry matter per kg of straw.", "秸秆干物质含量", default=0.9, lo=0.5, hi=1,
      plausible=(0.85, 0.95), source="assumption: air-dry straw about 90 % dry matter (recalled)"),
    P("grain_import_cap_kg_per_yr", "kg/yr", "Most feed grain that can be brought in from outside in a year.",
      "饲料粮调入上限", default=np.inf, lo=0, time_varying=True, source=_NOCAP),
    P("roughage_import_cap_kg_per_yr", "kg/yr", "Most roughage (dry matter) that can be brought in in a year.",
      "粗饲料调入上限", default=np.inf, lo=0, time_varying=True, source=_NOCAP),
)


def _class_indicators(key, en, zh):
    return (
        I(f"{key}_demand", "kg", "万吨", f"{en} demand of all herds", f"{zh}需求量"),
        I(f"{key}_local", "kg", "万吨", f"{en} grown in the region", f"{zh}本地供给量"),
        I(f"{key}_local_used", "kg", "万吨", f"Local {en.lower()} fed", f"本地{zh}饲用量"),
        I(f"{key}_surplus", "kg", "万吨", f"Local {en.lower()} not needed", f"本地{zh}富余量"),
        I(f"{key}_import", "kg", "万吨", f"{en} brought in", f"{zh}调入量"),
        I(f"{key}_shortfall", "kg", "万吨", f"{en} demand that cannot be met (import cap)", f"{zh}缺口"),
        I(f"{key}_self_sufficiency", "1", "%", f"{en} self-sufficiency (local ÷ demand)", f"{zh}自给率"),
    )


INDICATORS = (_class_indicators("feed_grain", "Feed grain", "饲料粮")
              + _class_indicators("roughage", "Roughage", "粗饲料")
              + (I("feed_fed_share", "1", "%", "Share of the herds' feed that could be supplied", "饲料保障率"),))


def balance(demand: np.ndarray, local: np.ndarray, cap: np.ndarray) -> dict[str, np.ndarray]:
    """One feed class: local use, surplus, imports within the cap, shortfall, self-sufficiency."""
    used = np.minimum(local, demand)
    imports = np.minimum(demand - used, cap)
    return {"demand": demand, "local": local, "local_used": used, "surplus": local - used, "import": imports,
            "shortfall": demand - used - imports,
            "self_sufficiency": np.divide(local, demand, out=np.ones_like(demand), where=demand > 0)}


def couple(x: LinkInputs):
    """The year's feed balance by class, and the share of each herd that can be fed (1 unless capped)."""
    p = x.params
    present = {h: row for h, row in CONSUMERS.items() if h in x.sectors}
    grain_need = {h: x.get(row[0]) * _rate(p, h, "concentrate") * p["concentrate_grain_share"]
                  for h, row in present.items()}
    rough_need = {h: x.get(row[0]) * _rate(p, h, "roughage_dm") for h, row in present.items()}
    zero = np.zeros_like(p["concentrate_grain_share"], dtype=float)
    grain_local = x.get("grain_output_maize") * p["maize_feed_share"]
    straw = x.get("grain_output") * p["straw_grain_ratio"] * p["straw_feed_share"] * p["straw_dm_share"]
    classes = {
        "feed_grain": balance(sum(grain_need.values(), zero), grain_local,
                              yearly(p, "grain_import_cap_kg_per_yr", x.t)),
        "roughage": balance(sum(rough_need.values(), zero), x.get("forage_output_dm") + straw,
                            yearly(p, "roughage_import_cap_kg_per_yr", x.t)),
    }
    out = {f"{key}_{k}": v for key, bal in classes.items() for k, v in bal.items()}
    fed = {key: 1.0 - np.divide(bal["shortfall"], bal["demand"], out=np.zeros_like(zero), where=bal["demand"] > 0)
           for key, bal in classes.items()}
    demand = classes["feed_grain"]["demand"] + classes["roughage"]["demand"]
    short = classes["feed_grain"]["shortfall"] + classes["roughage"]["shortfall"]
    out["feed_fed_share"] = 1.0 - np.divide(short, demand, out=np.zeros_like(zero), where=demand > 0)
    shares = {}
    for h in present:
        share = np.ones_like(zero)
        for key, need in (("feed_grain", grain_need[h]), ("roughage", rough_need[h])):
            share = np.where(need > 0, np.minimum(share, fed[key]), share)
        shares[h] = share
    return out, shares


#: what `couple` reads: the herds' drivers, maize and all grain (straw), forage dry matter
READS = tuple(row[0] for row in CONSUMERS.values()) + ("grain_output_maize", "grain_output", "forage_output_dm")

LINK = Link(
    couple=couple,
    name="feed", title_en="Feed balance", title_zh="饲料平衡",
    params=PARAMS, tables=TABLES, indicators=INDICATORS, reads=READS, shrinks=tuple(CONSUMERS),
)
