"""Discrete events as schedules for the vectorised steps, with SimPy as the event calendar.

    budget: {2021: 5 亿元, 2022: 5 亿元}        # money available to projects each year (optional)
    projects:
      - {name: pig base 1, sector: pigs, places: 20 万头, cost: 3 亿元, start: 2021, build_months: 18}
    outbreaks:
      - {name: ASF, sector: pigs, year: 2022, loss: 30 %}            # fixed onset
      - {name: ASF risk, sector: pigs, probability_per_yr: 0.05, loss: 25 %}   # drawn per run and year
    droughts:
      - {year: 2024, yield_loss: 12 %}

Projects queue for the yearly budget (a SimPy Container refilled each January, first come first
served); once funded they build for `build_months` and their places come online in the year the
build ends. Their effect is a schedule added to `<sector>.capacity_added_places_per_yr`; outbreaks
combine into `<sector>.outbreak_loss_fraction`; droughts multiply `land_grain.weather_yield_factor`.
SimPy runs once per scenario, not per run; stochastic outbreaks are drawn per run from the
counter-based streams. The sections are parsed (schema only) in agrosim/config/events.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import simpy

from agrosim.config.events import CAPACITY_PARAM, LOSS_PARAM, Outbreak, Project
from agrosim.rng import uniform

WEATHER_PARAM = "land_grain.weather_yield_factor"


@dataclass
class EventPlan:
    """Everything the events imply: deterministic schedules, stochastic outbreaks and a log."""

    schedules: dict[str, np.ndarray] = field(default_factory=dict)  # path -> (years,)
    stochastic: list[Outbreak] = field(default_factory=list)
    log: list[dict] = field(default_factory=list)
    spend: dict[str, np.ndarray] = field(default_factory=dict)  # sector -> yuan drawn by projects, (years,)


def plan(years: list[int], projects: list[Project], outbreaks: list[Outbreak],
         droughts: list[tuple[str, int, float]], budget_yuan: dict[int, float] | None) -> EventPlan:
    """Run the event calendar once and turn it into yearly schedules (column 0 = base year)."""
    out = EventPlan()
    n_years = len(years)

    def add(path: str, year_index: int, value: float, combine: str) -> None:
        default = 1.0 if combine == "multiply" else 0.0
        arr = out.schedules.setdefault(path, np.full(n_years, default))
        if combine == "add":
            arr[year_index] += value
        elif combine == "loss":
            arr[year_index] = 1 - (1 - arr[year_index]) * (1 - value)
        else:
            arr[year_index] *= value

    env = simpy.Environment()
    funds = simpy.Container(env, init=0) if budget_yuan is not None else None

    def refill():
        for i, year in enumerate(years[1:]):
            amount = budget_yuan.get(year, 0.0)
            if amount > 0:
                yield funds.put(amount)
            out.log.append({"year": year, "event": "budget", "name": "budget", "amount": amount})
            yield env.timeout(12)

    def build(p: Project):
        yield env.timeout(p.start_month)
        if funds is not None and p.cost_yuan > 0:
            yield funds.get(p.cost_yuan)
        funded = years[1 + int(env.now // 12)] if env.now < 12 * (n_years - 1) else None
        out.log.append({"year": funded, "event": "funded", "name": p.name, "amount": p.cost_yuan})
        if funded is not None:
            out.spend.setdefault(p.sector, np.zeros(n_years))[years.index(funded)] += p.cost_yuan
        yield env.timeout(p.build_months)
        done = 1 + int(env.now // 12)
        if done < n_years:
            add(f"{p.sector}.{CAPACITY_PARAM}", done, p.places, "add")
            out.log.append({"year": years[done], "event": "online", "name": p.name, "amount": p.places})

    if funds is not None:
        env.process(refill())
    for p in sorted(projects, key=lambda p: p.start_month):
        env.process(build(p))
    env.run(until=12 * (n_years - 1))
    for p in projects:
        if not any(e["name"] == p.name and e["event"] == "online" for e in out.log):
            out.log.append({"year": None, "event": "not online by the end year", "name": p.name, "amount": p.places})
    for ob in outbreaks:
        if ob.year is None:
            out.stochastic.append(ob)
        else:
            add(f"{ob.sector}.{LOSS_PARAM}", years.index(ob.year), ob.loss, "loss")
            out.log.append({"year": ob.year, "event": "outbreak", "name": ob.name, "amount": ob.loss})
    for name, year, loss in droughts:
        add(WEATHER_PARAM, years.index(year), 1 - loss, "multiply")
        out.log.append({"year": year, "event": "drought", "name": name, "amount": loss})
    return out


def stochastic_losses(outbreaks: list[Outbreak], seed: int, runs: np.ndarray, n_years: int) -> dict[str, np.ndarray]:
    """Per run and simulated year: loss fraction from outbreaks that strike with probability p a year."""
    out: dict[str, np.ndarray] = {}
    for ob in outbreaks:
        hit = uniform(seed, runs, f"outbreak:{ob.name}", n_years - 1) < ob.probability_per_yr
        path = f"{ob.sector}.{LOSS_PARAM}"
        prev = out.get(path, np.zeros((len(runs), n_years - 1)))
        out[path] = 1 - (1 - prev) * (1 - ob.loss * hit)
    return out
