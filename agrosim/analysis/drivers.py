"""The assumptions that move the verdicts most: one swing per uncertain input, all targets at once.

Each input of the scenario's uncertainty (placeholders drawn over their range included) is moved
alone from its 5th to its 95th percentile while every other input sits at its median; the swing
of each target's judged value, as a share of the target, ranks the inputs. One vectorised run of
2 × inputs + 1 runs: cheap enough to head every report, run or Monte Carlo alike.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agrosim.analysis.sensitivity import one_at_a_time
from agrosim.config.scenario import Scenario
from agrosim.engine import simulate
from agrosim.targets import judged_values


@dataclass(frozen=True)
class Driver:
    """An input and the target it moves most: swing of the judged value between the input's 5th and
    95th percentiles, as a share of the target value."""

    param: str
    placeholder: bool
    low: float            # input at its 5th percentile (the parameter's own unit)
    high: float           # … at its 95th
    target: str
    swing_share: float


def top_assumptions(scenario: Scenario, k: int = 3) -> list[Driver]:
    """The `k` uncertain inputs with the largest swing on any target, largest first (none moving
    nothing). Per-year inputs move in every year together."""
    dists = scenario.uncertainty
    if not dists or not scenario.targets:
        return []
    res = simulate(scenario, 2 * len(dists) + 1, one_at_a_time(scenario))
    placeholders = set(scenario.placeholders.drawn) if scenario.placeholders else set()
    # (targets, inputs) swing of each target's judged value between input j's low and high runs, as a
    # share of the target value
    judged = np.array([judged_values(tg, res)[0] for tg in scenario.targets])
    scale = np.array([max(abs(tg.value), 1e-300) for tg in scenario.targets])[:, None]
    swings = np.abs(judged[:, 2::2] - judged[:, 1::2]) / scale
    found = []
    for j, dist in enumerate(dists):
        i = int(np.argmax(swings[:, j]))
        if swings[i, j] > 0:
            found.append(Driver(dist.param, dist.param in placeholders, float(dist.ppf(np.array(0.05))),
                                float(dist.ppf(np.array(0.95))), scenario.targets[i].id, float(swings[i, j])))
    return sorted(found, key=lambda f: -f.swing_share)[:k]

