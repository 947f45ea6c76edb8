"""Back-solving: the smallest (or largest) lever value at which a target is met, deterministically
or with probability ≥ p. Each round evaluates a whole grid of lever values in one vectorised batch
(with common random numbers across grid points) and narrows to the bracket where the outcome flips.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agrosim.analysis.levers import Lever
from agrosim.config.scenario import Scenario
from agrosim.batch import Design
from agrosim.engine import simulate
from agrosim.results import Results
from agrosim.targets import met_runs
from agrosim.units import convert, display_unit


@dataclass(frozen=True)
class Solution:
    """What the lever must be. `value` is None when no value in [low, high] meets the target."""

    target: str
    lever: str
    direction: str
    probability: float | None
    value: float | None
    current: float
    low: float
    high: float
    tolerance: float
    status: str  # "solved", "met across the range", "not met in the range", "not reachable"
    #: what bounds the lever's feasible range ('limit: … = …'), empty when the range is the user's own
    limit: str = ""
    #: the searched range is the feasible range's end on the side the answer lies (values beyond it
    #: are impossible, so a miss there is "not reachable", not "not met in the range")
    at_feasible_end: bool = False

    def describe(self, spec_unit: str) -> str:
        """One sentence in the units the plans use; the lever's values are in its spec's unit."""
        unit = display_unit(spec_unit)
        show = lambda v: float(convert(v, spec_unit, unit))  # noqa: E731 - tiny local formatter
        want = f"P(met) ≥ {self.probability:g}" if self.probability is not None else "met"
        if self.value is None and self.status == "not reachable":
            return (f"{self.target}: not reachable within the feasible range of {self.lever} "
                    f"[{show(self.low):.4g}, {show(self.high):.4g}] {unit}: not {want} anywhere in it ({self.limit})")
        if self.value is None:
            return (f"{self.target}: not {want} for any {self.lever} in "
                    f"[{show(self.low):.4g}, {show(self.high):.4g}] {unit}")
        bound = "at least" if self.direction == "min" else "at most"
        diff = show(self.value) - show(self.current)
        change = f"{diff:+.3g} {unit} vs the scenario's {show(self.current):.4g}"
        note = " (the whole range meets it)" if self.status == "met across the range" else ""
        edge = self.high if self.direction == "min" else self.low
        if self.at_feasible_end and abs(self.value - edge) <= max(self.tolerance, 1e-12 * abs(edge)):
            note += f"; warning: the lever is at its feasible bound ({self.limit})"
        return f"{self.target} is {want} with {self.lever} {bound} {show(self.value):.4g} {unit} ({change}){note}"


def _success(scenario: Scenario, lever: Lever, target, values: np.ndarray, probability: float | None,
             runs: int, seed: int) -> np.ndarray:
    """For each lever value: met (deterministic) or P(met) ≥ probability over `runs` shared draws."""
    reps = runs if probability is not None else 1
    design = Design(runs=len(values) * reps, seed=seed, points={lever.path: values}, reps=reps)
    per_run = design.per_run(scenario, 0, design.runs) if probability is not None else {lever.path: values}
    res: Results = simulate(scenario, n=design.runs, per_run=per_run)
    met = met_runs(target, res).reshape(len(values), reps)
    return met.mean(axis=1) >= probability if probability is not None else met[:, 0]


def solve(scenario: Scenario, lever: Lever, target_id: str, direction: str = "min",
          probability: float | None = None, runs: int = 1000, seed: int | None = None,
          grid: int = 33, rounds: int = 4) -> Solution:
    """Find the threshold lever value; assumes the target's outcome is monotone in the lever. The search
    stays within the lever's range, which `lever()` has clipped to the feasible range; a target met
    nowhere in a documented (not user-given) range is searched for on towards the feasible bound. A
    target met nowhere up to the feasible bound is "not reachable"."""
    target = next(t for t in scenario.targets if t.id == target_id)
    seed = scenario.seed if seed is None else seed
    lo, hi = lever.low, lever.high
    fs = lever.feasible
    ok = _success(scenario, lever, target, np.linspace(lo, hi, grid), probability, runs, seed)
    if not ok.any() and fs is not None and not lever.given:
        # met nowhere in the documented range: look on towards the feasible bound before giving up
        if direction == "min" and np.isfinite(fs.high) and fs.high > hi:
            lo, hi = hi, fs.high
        elif direction == "max" and np.isfinite(fs.low) and fs.low < lo:
            lo, hi = fs.low, lo
        if (lo, hi) != (lever.low, lever.high):
            ok = _success(scenario, lever, target, np.linspace(lo, hi, grid), probability, runs, seed)
    values = np.linspace(lo, hi, grid)
    order = values if direction == "min" else values[::-1]
    flags = ok if direction == "min" else ok[::-1]
    at_end = fs is not None and ((hi >= fs.high) if direction == "min" else (lo <= fs.low))
    common = dict(target=target_id, lever=lever.path, direction=direction, probability=probability,
                  current=lever.current, low=min(lo, lever.low), high=max(hi, lever.high),
                  limit=lever.limit_text(), at_feasible_end=bool(at_end))
    if not flags.any():
        return Solution(value=None, tolerance=0.0, status="not reachable" if at_end else "not met in the range",
                        **common)
    first = int(np.argmax(flags))
    if first == 0:
        return Solution(value=float(order[0]), tolerance=0.0, status="met across the range", **common)
    bad, good = order[first - 1], order[first]
    for _ in range(rounds - 1):
        values = np.linspace(bad, good, grid)
        flags = _success(scenario, lever, target, values, probability, runs, seed)
        first = int(np.argmax(flags))
        bad, good = values[first - 1], values[first]
    return Solution(value=float(good), tolerance=float(abs(good - bad)), status="solved", **common)
