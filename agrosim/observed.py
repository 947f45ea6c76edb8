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
        rows.append({"row": i + 2, "region": row.region, "indicator": ind.name, "year": year, "value": value,
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
    out = out.sort_values(["indicator", "year"], ignore_index=True)
    out.attrs["file"] = shown  # for by_year's messages
    return out


def by_year(observed: pd.DataFrame) -> dict[int, dict[str, float]]:
    """{year: {indicator: internal value}} for the engine's `observed` argument (re-forecasting).

    Every value must be one its sector can set its state from (`Sector.observable`, a stock such as
    存栏 or an area, not a flow or a derived value) and not negative; otherwise InputError naming
    the row, with the indicators that sector does take. (track, backtest and calibrate take any
    indicator: they compare, they do not assimilate.)
    """
    owner = {ind.name: s for s in BY_NAME.values() for ind in s.indicators}
    shown = observed.attrs.get("file", "observed values")
    problems, out = [], {}
    for row in observed.itertuples():
        where = f"row {row.row}" if hasattr(row, "row") else f"{row.indicator} {row.year}"
        sector = owner.get(row.indicator)
        if sector is None or row.indicator not in sector.observable:
            if sector is None:
                found, expected = f"'{row.indicator}', which no sector takes as state", "an observable indicator"
            else:
                found = (f"'{row.indicator}', which {sector.name} cannot set its state from "
                         "(a flow or a derived value, not an observable stock)")
                expected = f"an indicator {sector.name} declares observable ({', '.join(sector.observable) or 'none'})"
            problems.append(Problem(shown, f"{where}.indicator", found,
                                    expected + "; drop the row for reforecast (track and backtest take it)"))
        elif not float(row.value) >= 0:
            written = f"{row.value_written:g} {row.unit}" if hasattr(row, "value_written") else f"{row.value:g}"
            problems.append(Problem(shown, f"{where}.value", written, "a value of at least 0"))
        else:
            out.setdefault(int(row.year), {})[row.indicator] = float(row.value)
    if problems:
        raise InputError(problems)
    return out
