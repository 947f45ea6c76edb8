"""Observed data: a tidy CSV (region, indicator, year, value, unit, source), validated like a
scenario — unknown indicators or units are errors naming the file, row and column."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from agrosim.config.scenario import Scenario
from agrosim.config.spec import ParamSpec, parse_scalar
from agrosim.errors import InputError, Problem, ValueProblem, did_you_mean
from agrosim.limits import MAX_CSV_ROWS, MAX_FILE_BYTES
from agrosim.units import UnitError, parse_quantity, parse_year
from agrosim.registry import BY_NAME, is_link

COLUMNS = ("region", "indicator", "year", "value", "unit", "source")


def load_observed(path: str | Path, scenario: Scenario) -> pd.DataFrame:
    """Rows for the scenario's region with `value` in internal units (`value_written` as given).

    Numbers are read as in scenario files (full-width digits, thousands separators in groups of
    three, 。 as a decimal point between digits); a row with more or fewer fields than the header,
    or a value that does not parse, is a problem naming its row."""
    path = Path(path)
    shown = str(path)
    text = _read_text(path, shown)
    lines = list(csv.reader(io.StringIO(text, newline="")))
    lines = [line for line in lines if any(cell.strip() for cell in line)]
    if not lines:
        raise InputError([Problem(shown, "", "an empty file", "a UTF-8 CSV with columns " + ", ".join(COLUMNS))])
    header = [cell.strip() for cell in lines[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError([Problem(shown, "header", f"columns {header}",
                                  "columns " + ", ".join(COLUMNS) + f" (missing: {', '.join(missing)})")])
    if len(lines) - 1 > MAX_CSV_ROWS:
        raise InputError([Problem(shown, "", f"{len(lines) - 1:,} rows", f"at most {MAX_CSV_ROWS:,} rows")])
    col = {name: header.index(name) for name in COLUMNS}
    indicators = {i.name: i for s in scenario.sectors for i in BY_NAME[s].indicators}
    problems, rows = [], []
    for number, cells in enumerate(lines[1:], start=2):
        where = f"row {number}"  # 1-based, after the header line (blank lines are skipped)
        if len(cells) != len(header):
            problems.append(Problem(shown, where, f"{len(cells)} fields", f"{len(header)} fields, as in the header"))
            continue
        row = {name: cells[i].strip() for name, i in col.items()}
        if row["region"] != scenario.region.id:
            continue
        ind = indicators.get(row["indicator"])
        if ind is None:
            problems.append(Problem(shown, f"{where}.indicator",
                                    f"'{row['indicator']}'{did_you_mean(row['indicator'], indicators)}",
                                    "an indicator of the scenario's sectors"))
            continue
        try:
            year = parse_year(row["year"])
        except UnitError:
            problems.append(Problem(shown, f"{where}.year", repr(row["year"]), "a year such as 2021"))
            continue
        try:
            written, unit = parse_quantity(row["value"])
            if unit.text:
                raise UnitError(f"a unit in the value column ('{unit.text}')")
            value = parse_scalar(f"{written!r} {row['unit']}", ParamSpec(ind.name, ind.unit, ind.en))
        except UnitError as exc:
            problems.append(Problem(shown, f"{where}.value", f"{row['value']!r} ({exc})",
                                    "a number, with its unit in the unit column"))
            continue
        except ValueProblem as exc:
            problems.append(exc.at(shown, f"{where}.value"))
            continue
        rows.append({"row": number, "region": row["region"], "indicator": ind.name, "year": year, "value": value,
                     "value_written": written, "unit": row["unit"], "source": row["source"]})
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


def _read_text(path: Path, shown: str) -> str:
    """The file's text, refusing a missing, oversized or non-UTF-8 file."""
    if not path.is_file():
        raise InputError([Problem(shown, "", "no such file", "a CSV of observed values")])
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError([Problem(shown, "", f"{path.stat().st_size:,} bytes",
                                      f"a CSV of at most {MAX_FILE_BYTES:,} bytes")])
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError([Problem(shown, "", "bytes that are not UTF-8 text", "a UTF-8 CSV")]) from None
    except OSError as exc:
        raise InputError([Problem(shown, "", f"unreadable file ({exc.strerror})", "a readable CSV")]) from None


def by_year(observed: pd.DataFrame, years: list[int] | None = None) -> dict[int, dict[str, float]]:
    """{year: {indicator: internal value}} for the engine's `observed` argument (re-forecasting).

    Every value must be one its sector can set its state from (`Sector.observable`, a stock such as
    存栏 or an area, not a flow or a derived value) and not negative; otherwise InputError naming
    the row, with the indicators that sector does take. (track, backtest and calibrate take any
    indicator: they compare, they do not assimilate.) With the scenario's `years`, a row after its
    end year is refused too: nothing would assimilate it.
    """
    owner = {ind.name: s for s in BY_NAME.values() for ind in s.indicators}
    shown = observed.attrs.get("file", "observed values")
    problems, out = [], {}
    for row in observed.itertuples():
        where = f"row {row.row}" if hasattr(row, "row") else f"{row.indicator} {row.year}"
        sector = owner.get(row.indicator)
        takes = () if sector is None or is_link(sector.name) else sector.observable  # a link holds no state
        if row.indicator not in takes:
            if sector is None:
                found, expected = f"'{row.indicator}', which no sector takes as state", "an observable indicator"
            else:
                found = (f"'{row.indicator}', which {sector.name} cannot set its state from "
                         "(a flow or a derived value, not an observable stock)")
                expected = f"an indicator {sector.name} declares observable ({', '.join(takes) or 'none'})"
            problems.append(Problem(shown, f"{where}.indicator", found,
                                    expected + "; drop the row for reforecast (track and backtest take it)"))
        elif years is not None and int(row.year) > years[-1]:
            problems.append(Problem(shown, f"{where}.year", f"{row.year}, after the scenario's end year {years[-1]}",
                                    f"a year up to {years[-1]} (or a later end: reforecast --to)"))
        elif not float(row.value) >= 0:
            written = f"{row.value_written:g} {row.unit}" if hasattr(row, "value_written") else f"{row.value:g}"
            problems.append(Problem(shown, f"{where}.value", written, "a value of at least 0"))
        else:
            out.setdefault(int(row.year), {})[row.indicator] = float(row.value)
    if problems:
        raise InputError(problems)
    return out
