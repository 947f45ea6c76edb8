"""Fuzzed scenario files: every mutation of a valid scenario ends in a run (exit 0) or one readable
message (exit 2) — never a traceback, never an internal error, never a partial report."""
import string
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from agrosim.cli import main
from conftest import long_settings, small_grain

JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=string.printable + "万亿吨亩斤公顷１３６５，．", max_size=12),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    st.sampled_from(["1365 万吨", "4695 万亩", "-1 亩", "1e400 亩", "nan 亩", "1,36 万吨", "１３６５万吨",
                     "1365．5 万亩", "12 kg/亩/年", "10 %", "0x10 亩", "∞ 亩", "",
                     # issue 22: unicode digits, odd units
                     "1365。5 万亩", "8²0 亩", "٨٠٠ 亩", "八百 亩", "800 /亩", "800 亩/亩", "800 亩/1", "800 亩。"]),
    # issue 22: schedules with odd year keys, distributions the schema lets through
    st.dictionaries(st.sampled_from([2020, 2022, "２０２２", "2022²", "20²2", "2022"]), st.sampled_from(["1 亩/年", 0.5]),
                    min_size=1, max_size=3),
    st.sampled_from([{"dist": "uniform", "low": 0.3, "high": 0.1},
                     {"dist": "normal", "mean": 1, "sd": float("nan")},
                     {"dist": "lognormal", "median": 0.2, "sigma": float("nan"), "low": 0.3, "high": 0.1},
                     {"dist": "choice", "values": [0.1, 0.2], "weights": [float("nan"), 1]},
                     {"dist": "normal", "mean": 1, "sd": 5}, {"dist": "normal", "mean": 0.5, "sd": 1e-9, "low": 0.9}]),
)


def _paths(node, prefix=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield prefix + (k,)
            yield from _paths(v, prefix + (k,))


def _set(node, path, value):
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def _delete(node, path):
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]


@st.composite
def mutated(draw):
    data = small_grain()
    data["targets"] = {"g": {"indicator": "grain_output", "kind": "at_least", "value": "30 万吨", "year": 2023}}
    if draw(st.booleans()):  # issue 22: an uncertain input and correlations to mutate as well
        data["uncertainty"] = {"land_grain.weather_yield_factor": {"dist": "normal", "mean": 1, "sd": 0.5},
                               "land_grain.hsf_yield_uplift": {"dist": "uniform", "low": 0.1, "high": 0.3}}
        data["correlations"] = [["land_grain.weather_yield_factor", "land_grain.hsf_yield_uplift", 0.5]]
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(data))
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["set", "delete", "rename"]))
        if action == "set":
            _set(data, path, draw(JUNK))
        elif action == "delete":
            _delete(data, path)
        else:
            parent = data
            for key in path[:-1]:
                parent = parent[key]
            parent[str(path[-1]) + draw(st.sampled_from(["x", "_", "s"]))] = parent.pop(path[-1])
    return data


def check_mutated(data, tmp_path, capsys):
    here = Path(tempfile.mkdtemp(dir=tmp_path))  # tmp_path is shared by all examples of this test
    path = here / "fuzz.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = here / "reports"
    code = main(["run", str(path), "--out", str(out)])
    err = capsys.readouterr().err
    assert code in (0, 2), err
    assert "Traceback" not in err and "internal error" not in err
    if code == 2:
        assert err.startswith("problem") or "problem(s)" in err
        assert not out.exists() or not any(p for p in out.iterdir() if not p.name.startswith(".work"))


def check_binary(raw, tmp_path, capsys):
    path = tmp_path / "junk.yaml"
    path.write_bytes(raw)
    code = main(["validate", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and "internal error" not in err


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=mutated())
def test_mutated_scenarios_never_crash(data, tmp_path, capsys):
    check_mutated(data, tmp_path, capsys)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=300))
def test_binary_junk_is_refused_cleanly(raw, tmp_path, capsys):
    check_binary(raw, tmp_path, capsys)


@pytest.mark.long
def test_mutated_scenarios_never_crash_long(tmp_path, capsys):
    """The same fuzz with the `long` hypothesis profile (python -m pytest -m long)."""
    long_settings()(given(data=mutated())(check_mutated))(tmp_path=tmp_path, capsys=capsys)


@pytest.mark.long
def test_binary_junk_is_refused_cleanly_long(tmp_path, capsys):
    long_settings()(given(raw=st.binary(max_size=300))(check_binary))(tmp_path=tmp_path, capsys=capsys)


def test_hand_made_bad_files(write, capsys, tmp_path):
    cases = {
        "empty.yaml": "",
        "list.yaml": "- 1\n- 2\n",
        "deep.yaml": "a: " + "[" * 5000 + "]" * 5000 + "\n",
        "bomb.yaml": "a: &a [1,2]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                     "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n",
        "tag.yaml": "region: !!python/object/new:os.system [echo pwned]\n",
        "self.yaml": "extends: self.yaml\n",
        "bad_utf8.yaml": b"name: \xff\xfe\n",
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        code = main(["validate", str(path)])
        err = capsys.readouterr().err
        assert code == 2, (name, err)
        assert "Traceback" not in err and "internal error" not in err, (name, err)


def test_ambiguous_separators_refused_with_reason(write, tmp_path, capsys):
    path = write("amb.yaml", small_grain(grain_area_mu="8,00 亩"))
    assert main(["validate", str(path)]) == 2
    assert "ambiguous number '8,00 亩'" in capsys.readouterr().err
    path = write("ok.yaml", small_grain(grain_area_mu="８００ 亩", cultivated_land_mu="1,000 亩"))
    assert main(["validate", str(path)]) == 0


def test_absurd_sizes_refused_up_front(write, tmp_path, capsys):
    data = small_grain()
    data["end_year"] = 2150
    assert main(["validate", str(write("years.yaml", data))]) == 2
    assert "at most 100 years after it" in capsys.readouterr().err
    ok = write("ok.yaml", small_grain())
    assert main(["mc", str(ok), "--runs", str(10**12), "--out", str(tmp_path / "r")]) == 2
    assert "1 to 1,000,000,000 runs" in capsys.readouterr().err
    assert main(["mc", str(ok), "--runs", "10", "--chunk-size", str(10**8), "--out", str(tmp_path / "r")]) == 2
    assert "runs per chunk" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


@st.composite
def hostile_text(draw):
    """Raw YAML a dump cannot produce (issue 22): alias bombs, keys that are lists, maps, floats, dates or
    booleans, appended to a valid scenario."""
    base = yaml.safe_dump(small_grain(), allow_unicode=True)
    kind = draw(st.sampled_from(["laughs", "cycle", "key"]))
    if kind == "laughs":
        width, depth = draw(st.integers(2, 12)), draw(st.integers(2, 12))
        text = "b0: &b0 [" + ",".join(["x"] * width) + "]\n"
        for i in range(1, depth):
            text += f"b{i}: &b{i} [" + ",".join([f"*b{i - 1}"] * width) + "]\n"
        return base + text
    if kind == "cycle":
        return base + "c: &c [1, *c]\n"
    key = draw(st.sampled_from(["[a, b]", "{a: 1}", "1.5", "2021-01-01", "yes", "null", "２０２１"]))
    return base.replace("land_grain:\n", f"land_grain:\n  {key}: 1\n", 1)


def check_text(text, tmp_path, capsys):
    here = Path(tempfile.mkdtemp(dir=tmp_path))
    path = here / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    code = main(["validate", str(path)])
    err = capsys.readouterr().err
    assert code in (0, 2), err
    brief = err.replace(str(path), "FILE")  # the length of the temporary folder's name is not the message's
    assert "Traceback" not in err and "internal error" not in err and len(brief) < 5000, err[:2000]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=hostile_text())
def test_hostile_yaml_is_refused_quickly_and_briefly(text, tmp_path, capsys):
    check_text(text, tmp_path, capsys)


@pytest.mark.long
def test_hostile_yaml_long(tmp_path, capsys):
    long_settings()(given(text=hostile_text())(check_text))(tmp_path=tmp_path, capsys=capsys)
