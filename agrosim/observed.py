"""Observed data: a tidy CSV (region, indicator, year, value, unit, source), validated like a
scenario — unknown indicators or units are errors naming the file, row and column."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from agrosim.config.scenario import Scenario
from agrosim.config.spec import ParamSpec, parse_scalar
from agrosim.errors import InputError, Problem, did_you_mean
from agrosim.sectors import BY_NAME

COLUMNS = ("region", "indicator", "year", "value", "unit", "source")


def load_observed(path: str | Path, scenario: Scenario) -> pd.DataFrame:
    """Rows for the scenario's region with `value` in internal units (`value_written` as given)."""
    path = Path(path)
    shown = str(path)
    if not path.is_file():
        raise InputError([Problem(shown, "", "no such file", "a CSV of observed values")])
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError([Problem(shown, "", f"unreadable CSV ({type(exc).__name__})",
                                  "a UTF-8 CSV with columns " + ", ".join(COLUMNS))]) from None
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise InputError([Problem(shown, "header", f"columns {list(raw.columns)}",
                                  "columns " + ", ".join(COLUMNS) + f" (missing: {', '.join(missing)})")])
    indicators = {i.name: i for s in scenario.sectors for i in BY_NAME[s].indicators}
    problems, rows = [], []
    for i, row in raw.iterrows():
        where = f"row {i + 2}"  # 1-based, after the header line
        if row.region != scenario.region.id:
            continue
        ind = indicators.get(row.indicator)
        if ind is None:
            problems.append(Problem(shown, f"{where}.indicator", f"'{row.indicator}'{did_you_mean(row.indicator, indicators)}",
                                    "an indicator of the scenario's sectors"))
            continue
        try:
            year = int(row.year)
        except ValueError:
            problems.append(Problem(shown, f"{where}.year", repr(row.year), "a year such as 2021"))
            continue
        try:
            value = parse_scalar(f"{row.value} {row.unit}", ParamSpec(ind.name, ind.unit, ind.en))
        except ValueError as exc:
            found, _, expected = str(exc).partition("; expected ")
            problems.append(Problem(shown, f"{where}.value", found, expected))
            continue
        rows.append({"region": row.region, "indicator": ind.name, "year": year, "value": value,
                     "value_written": float(str(row.value).replace(",", "")) if row.value else None,
                     "unit": row.unit, "source": row.source})
    if problems:
        raise InputError(problems)
    if not rows:
        raise InputError([Problem(shown, "region", f"no rows for region '{scenario.region.id}'",
                                  f"rows whose region is '{scenario.region.id}'")])
    out = pd.DataFrame(rows)
    dup = out.duplicated(["indicator", "year"], keep=False)
    if dup.any():
        first = out[dup].iloc[0]
        raise InputError([Problem(shown, f"{first.indicator} {first.year}", "the same indicator and year twice",
                                  "one value per indicator and year")])
    return out.sort_values(["indicator", "year"], ignore_index=True)


def by_year(observed: pd.DataFrame) -> dict[int, dict[str, float]]:
    """{year: {indicator: internal value}} for the engine's `observed` argument."""
    out: dict[int, dict[str, float]] = {}
    for row in observed.itertuples():
        out.setdefault(int(row.year), {})[row.indicator] = float(row.value)
    return out
