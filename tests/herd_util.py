"""Helpers for the herd and bee tests: parameter arrays from the declared defaults, monthly balances."""
from __future__ import annotations

import numpy as np

from agrosim.sectors import _herd


def params(sector, n: int = 1, years: int = 6, **values) -> dict[str, np.ndarray]:
    """Arrays for `sector` from its defaults; keyword values override (scalars, (n,) or (n, years)),
    a table cell by its key (`walnut_area_mu`, `types.italian.honey_kg_per_box`); table columns are
    (n, rows) or (n, rows, years) as the design layer builds them."""
    def array(spec, name):
        value = values.get(name, spec.default if spec.default is not None else 0.0)
        shape = (n, years) if spec.time_varying else (n,)
        return np.broadcast_to(np.asarray(value, dtype=float), shape)

    out = {spec.name: array(spec, spec.name).copy() for spec in sector.params}
    for table in sector.tables:
        for column in table.params:
            cells = [array(table.cell_spec(row, column.name), table.cell_key(row, column.name)) for row in table.keys]
            out[f"{table.name}.{column.name}"] = np.stack(cells, axis=1)
    return out


def assert_months_close(kind, state, months, rtol=1e-9):
    """Every monthly sub-step closes each stage balance and the herd balance (births, purchases,
    deaths, culls, slaughter, sales, outbreak), the herd is the sum of its stages, nothing is negative."""
    prev = state
    for new, f in months:
        for bal in _herd.balances(kind):
            expected = prev[bal.stock] + sum(f[k] for k in bal.inflows) - sum(f[k] for k in bal.outflows)
            scale = np.maximum(np.abs(prev[bal.stock]), 1.0) + sum(np.abs(f[k]) for k in bal.inflows + bal.outflows)
            assert np.all(np.abs(new[bal.stock] - expected) <= rtol * scale), bal.stock
        stages = sum(new[f"{c}_head"] for c in _herd.CLASSES)
        np.testing.assert_array_equal(new["herd_head"], stages)
        for name, arr in list(new.items()) + list(f.items()):
            if name == "growth_limit_per_yr":  # a rate, negative where the herd cannot replace itself
                continue
            assert np.all(arr >= -1e-9 * np.maximum(np.abs(prev["herd_head"]), 1.0)), name
        prev = new
