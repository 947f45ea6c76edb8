"""Monthly cohort pipelines shared by the pig and layer sectors.

A pipeline is an (n, A) array: column a holds the animals that have completed a months in the
stage (column 0 = entered this month). Each month the animals die at a per-age survival, the
survivors age by one month, and those reaching their exit age leave. A stage of `months` that is
not a whole number is left by 1 − frac(months) of a cohort at floor(months) and by the rest one
month later, so the mean stay is exactly `months`.
"""
from __future__ import annotations

import numpy as np


def n_ages(months: np.ndarray) -> int:
    """Cohort columns needed to hold every animal of a stage lasting `months` (n,) before it exits."""
    return int(np.floor(np.max(months))) + 1


def exit_shares(months: np.ndarray, ages: int) -> np.ndarray:
    """(n, ages + 1): share of a cohort leaving on reaching age a (a = 0 … ages)."""
    whole = np.floor(months)
    out = (np.arange(ages + 1)[None, :] > whole[:, None]).astype(float)
    runs = np.flatnonzero(whole <= ages)
    out[runs, whole[runs].astype(int)] = 1.0 - (months - whole)[runs]
    return out


def advance(cohorts: np.ndarray, survival: np.ndarray, exits: np.ndarray):
    """One month of a pipeline: (aged cohorts with column 0 empty, deaths by age (n, A), exits (n,)).

    `survival` is (n, A) or broadcastable; `exits` is `exit_shares(...)` of shape (n, A + 1), whose
    last column must be 1 (nobody outstays the pipeline).
    """
    alive = cohorts * survival
    shifted = np.concatenate([np.zeros_like(alive[:, :1]), alive], axis=1)
    leaving = shifted * exits
    return (shifted - leaving)[:, :-1], cohorts - alive, leaving.sum(axis=1)


def stationary(inflow: np.ndarray, survival: np.ndarray, exits: np.ndarray, ages: int):
    """End-of-month cohorts (n, A) of a pipeline fed `inflow` (n,) a month for ever, and its exits a month.

    The cohorts are built age by age as contiguous rows of runs, then laid out (n, A)."""
    n = inflow.shape[0]
    survival = np.broadcast_to(survival, (n, ages))
    surv_rows, stay_rows = np.ascontiguousarray(survival.T), 1.0 - by_age(exits)
    rows = np.empty((ages, n))
    rows[0] = inflow
    for a in range(1, ages):
        np.multiply(rows[a - 1], surv_rows[a - 1], out=rows[a])
        rows[a] *= stay_rows[a]
    c = by_run(rows)
    out = c * survival * exits[:, 1:]
    return c, out.sum(axis=1)


def competing(stock: np.ndarray, hazards: list[np.ndarray],
              shares: tuple[np.ndarray, np.ndarray] | None = None) -> list[np.ndarray]:
    """Exits in one month from competing monthly hazards: stock × (1 − e^−Σh), split by hazard;
    `shares` is `competing_shares(hazards)` when already computed (once a year, not every month)."""
    total, gone_share = shares if shares is not None else competing_shares(hazards)
    gone = stock * gone_share
    share = np.divide(gone, total, out=np.zeros_like(gone), where=total > 0)
    return [share * h for h in hazards]


def competing_shares(hazards: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(Σh, 1 − e^−Σh) of competing monthly hazards: the total and the share of a stock leaving."""
    total = sum(hazards)
    return total, -np.expm1(-total)


def hazard(fraction_per_yr: np.ndarray) -> np.ndarray:
    """Monthly hazard that removes `fraction_per_yr` of a stock over a year."""
    return -np.log1p(-np.minimum(fraction_per_yr, 1 - 1e-12)) / 12.0


# --- the same month in the (ages, n) layout the yearly steps use: each age a contiguous row of runs,
# so a shift is one slice copy and a sum over ages adds whole rows (issue 19) ---

def by_age(cohorts: np.ndarray) -> np.ndarray:
    """A contiguous (ages, n) copy of (n, ages) cohorts, to be aged in place."""
    return np.ascontiguousarray(cohorts.T)


def by_run(rows: np.ndarray) -> np.ndarray:
    """The (n, ages) C-ordered copy of (ages, n) rows that a state holds: its sums over ages then
    round alike whatever n (numpy sums a contiguous axis pairwise)."""
    return rows.T.copy()


def total(rows: np.ndarray) -> np.ndarray:
    """Σ over the first axis of (ages, n) rows, row by row: the same order whatever n (numpy's own sum
    over that axis turns pairwise when n = 1, so a run alone would round unlike the same run in a batch)."""
    out = rows[0].copy()
    for row in rows[1:]:
        out += row
    return out


def weighted_total(rows: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """`total(rows * weights)` for (ages, n) rows and weights, a row at a time: no (ages, n)
    temporary, the same additions in the same order."""
    out = rows[0] * weights[0]
    scratch = np.empty_like(out)
    for row, weight in zip(rows[1:], weights[1:]):
        out += np.multiply(row, weight, out=scratch)
    return out


def first_exit(months: np.ndarray) -> int:
    """The lowest age at which any run's cohort leaves a stage lasting `months` (n,), at least 1."""
    return max(1, int(np.floor(np.min(months))))


def advance_rows(cohorts: np.ndarray, survival: np.ndarray, exits: np.ndarray, first: int,
                 stock: np.ndarray):
    """`advance` in the (ages, n) layout, in place, for a survival (n,) that does not vary with age:
    `cohorts` (A, n) is aged (row 0 left empty) and (deaths (n,), exits (n,)) returned; the deaths
    are taken from the stage's `stock` (n,), the sum of `cohorts`, at once. `exits` is the
    transposed `exit_shares` (A + 1, n), whose rows below `first` are zero and are skipped."""
    deaths = stock - stock * survival
    return deaths, survive_and_shift(cohorts, survival, exits, first)


def survive_and_shift(cohorts: np.ndarray, survival: np.ndarray, exits: np.ndarray, first: int,
                      first_survival: np.ndarray | None = None) -> np.ndarray:
    """One month of `cohorts` (A, n) in place: each row survives (row 0 at `first_survival` if
    given, else all at `survival`), moves up one age less those leaving (row 0 left empty), in the
    layout and with the exits of `advance_rows`; returns the (n,) leaving. Rows are taken from the
    oldest down, each read and written once, with no (A, n) temporary (issue 19)."""
    ages = cohorts.shape[0]
    leaving = np.empty((ages - first + 1,) + cohorts.shape[1:])
    for a in range(ages - 1, -1, -1):
        surv = first_survival if a == 0 and first_survival is not None else survival
        if a < first - 1:  # nobody leaves at this age: the survivors move up
            np.multiply(cohorts[a], surv, out=cohorts[a + 1])
            continue
        row, out = cohorts[a], leaving[a - first + 1]
        row *= surv
        np.multiply(row, exits[a + 1], out=out)
        if a + 1 < ages:
            np.subtract(row, out, out=cohorts[a + 1])
    cohorts[0] = 0.0
    return total(leaving)
