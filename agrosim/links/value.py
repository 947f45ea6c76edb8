"""Output value and money (产值与投资): each product's quantity × its price, and the investment spent
each year by sector.

    value_p[t]  = quantity_p[t] × price_p[t] × price_level
    invested[t] = HSF spending (land & grain) + the money projects of the event calendar draw that year

Prices are yearly paths in 元/kg at the farm gate, one table (`PRICE_TABLE`: a row per product, a
year axis; files write `<product>_price_yuan_per_kg`); `price_level` is one multiplier for all of
them, the knob to put uncertainty on. Products of sectors not in the scenario are worth nothing.
"""
from __future__ import annotations

import numpy as np

from agrosim.config.spec import ParamSpec as P
from agrosim.config.declarations import IndicatorSpec as I, TableSpec
from agrosim.links.base import Link, LinkInputs
from agrosim.sectors.base import yearly

_PRICE = ("assumption: order of magnitude of 2020 farm-gate prices in China, recalled and not checked "
          "against a price yearbook; give local prices with their source")

#: product -> (quantity indicators, default 元/kg, plausible range, en, zh)
PRODUCTS = {
    "grain": (("grain_output",), 2.3, (1.8, 3.0), "grain", "粮食"),
    "pork": (("pork_output",), 45.0, (25.0, 60.0), "pork (carcass)", "猪肉"),
    "eggs": (("egg_output",), 8.0, (6.0, 11.0), "eggs", "禽蛋"),
    "broiler_meat": (("broiler_meat_output",), 14.0, (10.0, 20.0), "broiler meat", "鸡肉"),
    "milk": (("milk_output",), 3.8, (3.0, 4.5), "raw milk", "生鲜乳"),
    "beef": (("beef_output", "dairy_cull_beef"), 70.0, (50.0, 90.0), "beef (carcass, culled dairy cows included)",
             "牛肉"),
    "mutton": (("mutton_output",), 70.0, (50.0, 90.0), "mutton (carcass)", "羊肉"),
    "honey": (("honey_output",), 40.0, (20.0, 150.0), "honey", "蜂蜜"),
    "cocoons": (("cocoon_output",), 40.0, (25.0, 55.0), "fresh cocoons", "蚕茧"),
    "herbs": (("herb_output",), 30.0, (5.0, 150.0), "dried herbs", "中药材"),
    "walnut": (("perennial_output_walnut",), 15.0, (8.0, 25.0), "walnuts in shell", "核桃"),
    "fruit": (("perennial_output_fruit",), 4.0, (2.0, 8.0), "fruit", "水果"),
    "forage": (("forage_output",), 0.4, (0.2, 0.8), "forage (harvested weight)", "饲草"),
}

#: sectors whose spending is reported (HSF money comes from land & grain, the rest from projects)
SPENDERS = {"land_grain": "高标准农田", "pigs": "生猪", "layers": "蛋鸡", "broilers": "肉鸡", "dairy": "奶牛",
            "beef": "肉牛", "sheep": "羊", "bees": "蜜蜂", "silkworm": "蚕桑", "perennials": "中药材与多年生作物",
            "forage": "饲草"}

#: prices by product and year: a row per product, one yearly column; files write a cell as
#: `<product>_price_yuan_per_kg`, listed before `price_level` as ever
PRICE_TABLE = TableSpec(
    "prices", tuple(PRODUCTS), (
        P("price_yuan_per_kg", "yuan/kg", "Farm-gate price of {row}.", "{row_zh}价格", lo=0, time_varying=True,
          source=_PRICE),
    ),
    description="Farm-gate prices by product, a yearly path each",
    prefixed=True, row_zh={name: row[4] for name, row in PRODUCTS.items()},
    row_fields={name: {"price_yuan_per_kg": {"default": price, "plausible": rng,
                                             "description": f"Farm-gate price of {en}."}}
                for name, (_, price, rng, en, _zh) in PRODUCTS.items()})

PARAMS = (
    P("price_level", "1", "Multiplier on every price (1 = the price paths as given).", "价格总水平系数",
      default=1.0, lo=0, hi=10, plausible=(0.8, 1.2), source="scenario lever; 1 = prices as given"),
)

INDICATORS = (
    I("output_value", "yuan", "亿元", "Output value of all modelled products", "产值合计"),
    *(I(f"output_value_{name}", "yuan", "亿元", f"Output value of {en}", f"{zh}产值")
      for name, (_, _, _, en, zh) in PRODUCTS.items()),
    I("investment_spent", "yuan", "亿元", "Investment spent this year (HSF and projects)", "当年投资"),
    *(I(f"investment_spent_{s}", "yuan", "亿元", f"Investment spent this year: {s}", f"当年投资:{zh}")
      for s, zh in SPENDERS.items()),
)


def couple(x: LinkInputs):
    p = x.params
    level = p["price_level"]
    prices = yearly(p, "prices.price_yuan_per_kg", x.t)  # (n, products)
    out = {f"output_value_{name}": sum(x.get(i) for i in inds) * prices[:, k] * level
           for k, (name, (inds, *_rest)) in enumerate(PRODUCTS.items())}
    out["output_value"] = sum(out.values())
    zero = np.zeros_like(level, dtype=float)
    for s in SPENDERS:
        own = x.get("hsf_spend") if s == "land_grain" else zero
        out[f"investment_spent_{s}"] = own + x.spend_yuan.get(s, 0.0)
    out["investment_spent"] = sum(out[f"investment_spent_{s}"] for s in SPENDERS)
    return out, {}


#: what `couple` reads: every product's quantity and the HSF spending of land & grain
READS = tuple(i for inds, *_rest in PRODUCTS.values() for i in inds) + ("hsf_spend",)

LINK = Link(
    couple=couple,
    name="value", title_en="Output value and investment", title_zh="产值与投资",
    params=PARAMS, tables=(PRICE_TABLE,), indicators=INDICATORS, reads=READS,
)
