"""Every coefficient a sector declares has a unit that parses, a valid range, a default inside it,
and a source (a seed line, a named publication, or what the scenario or region file must give)."""
import math

import pytest

from agrosim.config.declarations import section_params
from agrosim.registry import BY_NAME
from agrosim.units import parse_unit

# each parameter and prefixed table cell (`walnut_area_mu`, with its group's own default and source), and
# each column of a nested table, of every sector and link
SPECS = [(s.name, f"{t.name}." if t else "", p) for s in BY_NAME.values()
         for t, p in [(None, p) for p in section_params(s)] + [(t, p) for t in s.tables if not t.prefixed
                                                                  for p in t.params]]


@pytest.mark.parametrize("sector,prefix,spec", SPECS, ids=[f"{s}.{x}{p.name}" for s, x, p in SPECS])
def test_coefficient_has_unit_range_and_source(sector, prefix, spec):
    parse_unit(spec.unit)
    assert spec.lo < spec.hi and not math.isnan(spec.lo) and not math.isnan(spec.hi)
    assert spec.source.strip(), f"{sector}.{prefix}{spec.name} has no source"
    if spec.default is not None:
        assert spec.lo <= spec.default <= spec.hi
        if spec.plausible:
            low, high = spec.plausible
            assert spec.lo <= low <= high <= spec.hi
            assert low <= spec.default <= high, f"default {spec.default} outside plausible {spec.plausible}"


def test_every_sector_is_covered():
    assert {s for s, _, _ in SPECS} == {s.name for s in BY_NAME.values() if s.params or s.tables}
