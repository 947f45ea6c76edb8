"""Observed-values CSVs (issue 22): the reader accepts what the YAML reader accepts (full-width digits,
thousands separators, 。 as a decimal point) and refuses the rest row by row; fuzzed files end in a
table or one message, never a traceback; reforecast refuses rows after the scenario's end."""
from __future__ import annotations

import string
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from agrosim import load_scenario
from agrosim.cli import main
from agrosim.errors import InputError
from agrosim.observed import by_year, load_observed
from conftest import long_settings, small_grain

HEADER = "region,indicator,year,value,unit,source\n"


@pytest.fixture
def scenario(write):
    return load_scenario(write("s.yaml", small_grain()))


def read(tmp_path, text: str, scenario):
    path = tmp_path / "obs.csv"
    path.write_text(text, encoding="utf-8")
    return load_observed(path, scenario)


def test_numbers_are_read_as_in_scenario_files(tmp_path, scenario):
    rows = read(tmp_path, HEADER + "testland,grain_sown_area,２０２１,７９９。５,亩,fw\n"
                                   'testland,cultivated_land,2022,"1,000",亩,thousands\n'
                                   "testland,hsf_area,2022,1。5,万亩,ideographic point\n", scenario)
    got = {r.indicator: (r.year, r.value, r.value_written) for r in rows.itertuples()}
    assert got == {"grain_sown_area": (2021, 799.5, 799.5), "cultivated_land": (2022, 1000.0, 1000.0),
                   "hsf_area": (2022, 15000.0, 1.5)}


def test_bad_rows_are_refused_one_by_one(tmp_path, scenario):
    text = (HEADER + "testland,cultivated_land,2021,1000,亩,x,extra\n"  # row 2: a field too many
            "testland,cultivated_land,2022,1²00,亩,x\n"  # row 3: a superscript digit
            "testland,cultivated_land,2023,\"1,00\",亩,x\n"  # row 4: an ambiguous comma
            "testland,cultivated_land,20²3,1000,亩,x\n"  # row 5: a superscript in the year
            "testland,cultivated_land\n")  # row 6: too few fields
    with pytest.raises(InputError) as exc:
        read(tmp_path, text, scenario)
    problems = {p.path: p for p in exc.value.problems}
    assert set(problems) == {"row 2", "row 3.value", "row 4.value", "row 5.year", "row 6"}
    assert (problems["row 2"].found, problems["row 2"].expected) == ("7 fields", "6 fields, as in the header")
    assert "superscript two" in problems["row 3.value"].found
    assert "ambiguous number" in problems["row 4.value"].found


def test_reforecast_refuses_observations_after_the_end(tmp_path, write, capsys):
    sc = load_scenario(write("s.yaml", small_grain()))
    obs = read(tmp_path, HEADER + "testland,cultivated_land,2022,990,亩,x\ntestland,cultivated_land,2025,980,亩,x\n", sc)
    with pytest.raises(InputError, match="row 3.year: found 2025, after the scenario's end year 2023"):
        by_year(obs, sc.years)
    assert set(by_year(obs)) == {2022, 2025}  # without the scenario's years (track, backtest) both are kept
    code = main(["reforecast", str(sc.file), "--observed", str(tmp_path / "obs.csv"), "--out", str(tmp_path / "r")])
    assert code == 2 and "after the scenario's end year 2023" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


CELLS = st.one_of(
    st.text(alphabet=string.printable + "万亿吨亩１３６５，．。²٣八", max_size=10),
    st.sampled_from(["1,365", "１３６５", "1365。5", "1²", "", "nan", "inf", "-5", "1e400", "2021", "２０２１", "亩",
                     "万亩", "cultivated_land", "testland", '"', "a,b"]),
)


@st.composite
def csv_text(draw):
    lines = [HEADER.strip()]
    for _ in range(draw(st.integers(0, 4))):
        cells = ["testland", draw(st.sampled_from(["cultivated_land", "hsf_area", "grain_output", "x"]))]
        cells += [draw(CELLS) for _ in range(draw(st.integers(2, 6)))]
        lines.append(",".join(cells))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\r\n"]))


def check_csv(text, scenario_path, capsys):
    here = Path(tempfile.mkdtemp(dir=scenario_path.parent))
    obs = here / "obs.csv"
    obs.write_text(text, encoding="utf-8")
    code = main(["track", str(scenario_path), "--observed", str(obs), "--out", str(here / "out")])
    err = capsys.readouterr().err
    assert code in (0, 2), err
    assert "Traceback" not in err and "internal error" not in err, err
    if code == 2:
        assert "problem" in err and not (here / "out").exists()


@pytest.fixture(scope="module")
def scenario_path(tmp_path_factory) -> Path:
    import yaml

    data = small_grain()
    data["targets"] = {"g": {"indicator": "grain_output", "kind": "at_least", "value": "30 万吨", "year": 2023}}
    path = tmp_path_factory.mktemp("scenario") / "s.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=csv_text())
def test_fuzzed_csvs_end_in_a_table_or_one_message(text, scenario_path, capsys):
    check_csv(text, scenario_path, capsys)


@pytest.mark.long
def test_fuzzed_csvs_long(scenario_path, capsys):
    long_settings()(given(text=csv_text())(check_csv))(scenario_path=scenario_path, capsys=capsys)
