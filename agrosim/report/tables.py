"""Tidy tables the charts, the workbook and the HTML report are drawn from."""
from __future__ import annotations

import re

import pandas as pd

from agrosim.config.scenario import Scenario
from agrosim.parampath import ParamPath
from agrosim.registry import BY_NAME
from agrosim.report.plan_notes import implied_text, num
from agrosim.units import convert, display_unit



def sector_of(scenario: Scenario) -> dict[str, str]:
    """indicator → sector name, for the scenario's sectors."""
    return {i.name: s for s in scenario.sectors for i in BY_NAME[s].indicators}


def indicators_wide(scenario: Scenario, quant: pd.DataFrame, column: str = "p50") -> pd.DataFrame:
    """One row per indicator (sector, labels, unit), one column per year: the median (or `column`)."""
    specs = {i.name: (s, i) for s in scenario.sectors for i in BY_NAME[s].indicators}
    wide = quant.pivot_table(index=["indicator", "unit"], columns="year", values=column, sort=False).reset_index()
    wide.columns = [str(c) for c in wide.columns]
    wide.insert(0, "sector", [specs[i][0] if i in specs else "" for i in wide["indicator"]])
    wide.insert(2, "label_en", [specs[i][1].en if i in specs else "" for i in wide["indicator"]])
    wide.insert(3, "label_zh", [specs[i][1].zh if i in specs else "" for i in wide["indicator"]])
    return wide


def source_text(src) -> str:
    """A Source as one line: seed file, line and quote, or the publication."""
    if src is None:
        return ""
    text = f"{src.seed} L{src.line}: 「{src.quote}」" if src.seed else (src.published or "")
    return f"{text} ({src.note})" if src.note else text


def short_source(text: str, line_format: str = "L{line}") -> str:
    """'000_9a17….txt L141: 「…」' → '000 L141'; other sources → 'published'."""
    match = re.match(r"^([^_\s]+)\S*\.txt L(\d+)", text or "")
    if match:
        return f"{match.group(1)} {line_format.format(line=match.group(2))}"
    return "published" if text else ""


def provenance(scenario: Scenario) -> pd.DataFrame:
    """Where every target comes from: seed file, line and quote, or the publication."""
    rows = []
    for tg in scenario.targets:
        src = tg.source
        rows.append({"target": tg.id, "label_en": tg.en, "label_zh": tg.zh,
                     "seed": src.seed if src else None, "line": src.line if src else None,
                     "quote": src.quote if src else None, "published": src.published if src else None,
                     "note": src.note if src else None})
    return pd.DataFrame(rows, columns=["target", "label_en", "label_zh", "seed", "line", "quote", "published", "note"])


def assumptions(scenario: Scenario) -> pd.DataFrame:
    """Every parameter of the scenario: value in the unit the plans use, source, assumption flag,
    plausible range, note, Monte Carlo distribution, and whether the scenario sets it or the model default holds."""
    uncertain = scenario.resolved.get("uncertainty") or {}
    rows = []
    for sector in scenario.sectors:
        specs = BY_NAME[sector].param_specs()
        for name, pv in scenario.params[sector].items():
            where = ParamPath.in_sector(sector, name)
            spec = specs[where.spec_key]
            shown = display_unit(spec.unit)
            dist = uncertain.get(f"{sector}.{name}")
            rows.append({
                "sector": sector, "parameter": name, "label_zh": spec.zh, "description": spec.description,
                "value": _value_text(pv.value, spec.unit, shown), "unit": shown,
                "source": source_text(pv.source) or (f"model default: {spec.source}" if spec.source else ""),
                "assumption": bool(pv.assumption),
                "range": "" if pv.range is None else " – ".join(num(convert(v, spec.unit, shown)) for v in pv.range),
                "note": "; ".join(x for x in (implied_text(pv, spec), pv.note) if x),
                "set_in": "scenario" if _is_set(scenario.resolved.get(sector), where.keys) else "default",
                "uncertainty": ", ".join(f"{k} {v}" for k, v in dist.items()) if isinstance(dist, dict) else "",
            })
    return pd.DataFrame(rows)


def _value_text(value, unit_from: str, unit_to: str):
    """A constant as a number; a schedule as '2021: 0.88; 2024: 1'."""
    if isinstance(value, dict):
        return "; ".join(f"{y}: {num(convert(v, unit_from, unit_to))}" for y, v in sorted(value.items()))
    return float(convert(value, unit_from, unit_to))


def _is_set(section, parts: tuple[str, ...]) -> bool:
    node = section
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def lever_label(path: str, spec, lang: str) -> str:
    """A parameter's name for an axis or a table: its Chinese name (zh) or the first clause of its
    description (en), with the crop or type it belongs to ('maize: Share of grain sown area')."""
    row = ParamPath.parse(path).row
    owner = f"{row}: " if row else ""
    if lang == "zh" and spec.zh:
        return f"{row} {spec.zh}" if owner else spec.zh
    text = re.split(r"\.\s|\s\(|;", spec.description.rstrip("."), maxsplit=1)[0]
    return owner + (text or path)


def lever_axis(path: str, spec, lang: str) -> str:
    """'Name [plan unit]' for an axis label."""
    from agrosim.report.lang import unit

    return f"{lever_label(path, spec, lang)} [{unit(lang, display_unit(spec.unit))}]"


def in_plan_units(table: pd.DataFrame, columns: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """`columns` {column: (internal unit, plan unit)} converted from internal units and renamed 'column [unit]'."""
    out = table.copy()
    for column, (internal, shown) in columns.items():
        out[column] = convert(out[column].astype(float), internal, shown)
    return out.rename(columns={c: f"{c} [{shown}]" for c, (_, shown) in columns.items()})
