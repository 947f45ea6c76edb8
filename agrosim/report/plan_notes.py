"""The plan-implied notes (a parameter's value implied by a plan's own figures) as text, without
pandas: `agrosim validate` prints them, the report's assumptions table quotes them."""
from __future__ import annotations

from agrosim.config.scenario import Scenario
from agrosim.parampath import ParamPath
from agrosim.registry import BY_NAME
from agrosim.units import convert, display_unit


def plan_implied_notes(scenario: Scenario) -> list[str]:
    """One line per parameter that records the plan's implied value (its target ÷ its own input):
    'silkworm.cocoon_kg_per_sheet: the plan assumes 45 kg/sheet; documented range 35 – 55 kg/sheet …'."""
    lines = []
    for sector in scenario.sectors:
        specs = BY_NAME[sector].param_specs()
        for name, pv in scenario.params[sector].items():
            if pv.plan_implied is not None:
                spec = specs[ParamPath.in_sector(sector, name).spec_key]
                lines.append(f"{sector}.{name}: {implied_text(pv, spec)}")
    return lines


def implied_text(pv, spec) -> str:
    """'the plan assumes X; documented range A – B (this run uses V)', or '' without a plan-implied value."""
    if pv.plan_implied is None:
        return ""
    shown = display_unit(spec.unit)
    unit = "" if shown == "1" else f" {shown}"
    if "_per_" in spec.name and shown.startswith("%"):  # a count per animal (lambs per ewe), not a share
        shown, unit = spec.unit, (" a year" if spec.unit == "1/yr" else "")
    rng = pv.range or spec.plausible
    text = f"the plan assumes {num(convert(pv.plan_implied, spec.unit, shown))}{unit}"
    if rng is not None:
        text += f"; documented range {' – '.join(num(convert(v, spec.unit, shown)) for v in rng)}{unit}"
    if isinstance(pv.value, float):
        same = abs(pv.value - pv.plan_implied) <= 1e-9 * max(1.0, abs(pv.value))
        text += " (this run uses the plan's figure)" if same else \
            f" (this run uses {num(convert(pv.value, spec.unit, shown))}{unit})"
    return text


def num(value: float) -> str:
    """A number to six significant digits with thousands separators."""
    return f"{value:,.6g}"
