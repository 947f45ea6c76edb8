"""Cultivated-land claims, the first link: every sector that uses cultivated land declares how much
(its `land_claim` indicator); each year the link compares the sum with the land available.

A scenario chooses what over-commitment means (`land_claims:`):

    land_claims:
      mode: priority          # error | warning | priority
      priority: [land_grain, forage, silkworm, perennials, other_crops]   # grain first, as the plans require

`error` stops the run naming the year and the sectors; `warning` lets it run and reports the
excess; `priority` grants land in the given order and shrinks the sectors further down the list
to what is left (their `curtail`), from the first simulated year on (the base year is data).
"""
from __future__ import annotations

import numpy as np

from agrosim.config.declarations import IndicatorSpec
from agrosim.config.scenario import DEFAULT_PRIORITY, LandClaims
from agrosim.errors import InputError, Problem
from agrosim.links.base import Link, LinkInputs

__all__ = ["AVAILABLE", "DEFAULT_PRIORITY", "INDICATORS", "LINK", "LandClaims", "claimants", "describe", "resolve",
           "summarise"]

AVAILABLE = "cultivated_land"

INDICATORS = (
    IndicatorSpec("land_claimed", "mu", "万亩", "Cultivated land claimed by all sectors", "各产业占用耕地合计"),
    IndicatorSpec("land_overcommitted", "mu", "万亩", "Cultivated land claimed beyond what exists",
                  "耕地超占面积"),
    IndicatorSpec("land_curtailed", "mu", "万亩", "Claims cut back by the priority order", "按优先序压减面积"),
)


def claimants(sectors) -> list:
    """Active sectors that declare a land claim, in the engine's order; empty (no check) unless land &
    grain (which holds the cultivated land) and at least one other claimant are active."""
    found = [s for s in sectors if s.land_claim]
    return found if len(found) > 1 and any(s.name == "land_grain" for s in found) else []


def summarise(years: list[int], over_mu: np.ndarray) -> list[str]:
    """Warnings from many runs' over-commitment (n, years): the share of runs and the median excess."""
    out = []
    for y, col in zip(years, over_mu.T):
        hit = col > 0
        if hit.any():
            out.append(f"{y}: cultivated land over-committed in {int(hit.sum())} of {len(col)} runs "
                       f"(median excess where over-committed {np.median(col[hit]) / 1e4:,.1f} 万亩)")
    return out


def resolve(claims: dict[str, np.ndarray], available_mu: np.ndarray, priority: list[str]) -> dict[str, np.ndarray]:
    """Share of its claim each sector is granted when land is handed out in priority order (sectors
    not named come last, in the order given); 1 where the claim fits."""
    order = [s for s in priority if s in claims] + [s for s in claims if s not in priority]
    left = available_mu.astype(float).copy()
    shares = {}
    for name in order:
        want = claims[name]
        granted = np.clip(np.minimum(want, left), 0.0, None)
        shares[name] = np.divide(granted, want, out=np.ones_like(want, dtype=float), where=want > 0)
        left = left - granted
    return shares


def describe(year: int, claims: dict[str, np.ndarray], available_mu: np.ndarray) -> str:
    """One line naming the year, how many runs over-commit, by how much, and each sector's claim."""
    total = sum(claims.values())
    over = total > available_mu * (1 + 1e-9)
    i = int(np.argmax(total - available_mu))
    parts = ", ".join(f"{name} {claims[name][i] / 1e4:,.1f}" for name in claims)
    return (f"{year}: cultivated land over-committed in {int(over.sum())} of {len(over)} runs: claims "
            f"{total[i] / 1e4:,.1f} 万亩 ({parts}) against {available_mu[i] / 1e4:,.1f} 万亩 available")


def couple(x: LinkInputs):
    """The year's land indicators, and the share of its claim each sector keeps: raise (mode error),
    warn (mode warning, and in the base year, which is data) or grant land in priority order."""
    settings = x.settings or LandClaims()
    claims = {name: x.get(indicator) for name, indicator in x.land_claims.items()}
    available = x.get(AVAILABLE)
    total = sum(claims.values())
    over = np.clip(total - available, 0.0, None)
    out = {"land_claimed": total, "land_overcommitted": over, "land_curtailed": np.zeros_like(total)}
    if not np.any(over > available * 1e-9):
        return out, {}
    message = describe(x.year, claims, available)
    if settings.mode == "error":
        raise InputError([Problem(x.file, "land_claims.mode", f"error, and {message}",
                                  "claims within the cultivated land, or mode warning or priority to run on")])
    if settings.mode == "warning" or x.t == 0:
        x.warnings.append(message)
        return out, {}
    shares = resolve(claims, available, settings.priority)
    out["land_curtailed"] = sum(claims[k] * (1.0 - shares[k]) for k in claims)
    return out, shares


LINK = Link(
    couple=couple,
    name="land", title_en="Cultivated-land claims", title_zh="耕地占用",
    indicators=INDICATORS, reads=(AVAILABLE,), reads_land_claims=True,
    when=lambda active: bool(claimants(active)),
)
