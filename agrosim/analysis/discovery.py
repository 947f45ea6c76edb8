"""Scenario discovery: which ranges of the uncertain inputs make a target feasible.

PRIM (Friedman & Fisher 1999) peeling: repeatedly cut the alpha share of points off one side of
one input, choosing the cut that most raises the share of successes inside the box, until the box
holds fewer than `min_support` of all points. Each box on the way has a coverage (share of all
successes it holds) and a density (share of its points that succeed).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Box:
    limits: dict[str, tuple[float, float]]  # only the restricted inputs
    coverage: float
    density: float
    support: float

    def conditions(self, fmt=lambda name, v: f"{v:.4g}") -> list[str]:
        """Plain-language conditions, e.g. 'land_grain.yield_trend_per_yr ≥ 0.0061'."""
        out = []
        for name, (lo, hi) in self.limits.items():
            parts = ([f"≥ {fmt(name, lo)}"] if np.isfinite(lo) else []) + ([f"≤ {fmt(name, hi)}"] if np.isfinite(hi) else [])
            out.append(f"{name} " + " and ".join(parts))
        return out


def prim(x: pd.DataFrame, y: np.ndarray, alpha: float = 0.05, min_support: float = 0.05) -> list[Box]:
    """The peeling trajectory, from the whole space to the smallest box."""
    values = x.to_numpy(dtype=float)
    y = np.asarray(y, dtype=bool)
    total_success = max(int(y.sum()), 1)
    inside = np.ones(len(y), dtype=bool)
    lo = np.full(values.shape[1], -np.inf)
    hi = np.full(values.shape[1], np.inf)
    boxes = [_box(x.columns, lo, hi, inside, y, total_success)]
    while True:
        best = None
        for j in range(values.shape[1]):
            col = values[inside, j]
            for side, q in (("low", np.quantile(col, alpha)), ("high", np.quantile(col, 1 - alpha))):
                keep = inside & (values[:, j] >= q if side == "low" else values[:, j] <= q)
                if keep.sum() == inside.sum() or keep.sum() < min_support * len(y):
                    continue
                density = y[keep].mean()
                if best is None or density > best[0]:
                    best = (density, j, side, q, keep)
        if best is None or best[0] <= boxes[-1].density:
            return boxes
        _, j, side, q, inside = best
        if side == "low":
            lo[j] = q
        else:
            hi[j] = q
        boxes.append(_box(x.columns, lo, hi, inside, y, total_success))


def _box(names, lo, hi, inside, y, total_success) -> Box:
    limits = {n: (float(a), float(b)) for n, a, b in zip(names, lo, hi) if np.isfinite(a) or np.isfinite(b)}
    return Box(limits, float(y[inside].sum() / total_success), float(y[inside].mean()), float(inside.mean()))


def choose(boxes: list[Box], density: float = 0.8) -> Box:
    """The box with the most coverage among those at least `density` dense (else the densest)."""
    dense = [b for b in boxes if b.density >= density]
    return max(dense, key=lambda b: b.coverage) if dense else max(boxes, key=lambda b: b.density)


def trajectory_table(boxes: list[Box], fmt=None) -> pd.DataFrame:
    """One row per peeling step; `fmt(name, value)` writes a limit (e.g. in plan units)."""
    return pd.DataFrame([{"step": i, "coverage": b.coverage, "density": b.density, "support": b.support,
                          "conditions": "; ".join(b.conditions(fmt) if fmt else b.conditions())}
                         for i, b in enumerate(boxes)])
