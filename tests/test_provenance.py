"""Every sourced number in params/ is where it says: the cited seed line holds the quoted phrase,
and (unless marked an assumption) the phrase holds the number, after unit normalisation."""
import re
from pathlib import Path

import pytest
import yaml

from agrosim.paths import plans_dir
from agrosim.units import UnitError, parse_quantity, parse_unit

ROOT = Path(__file__).resolve().parent.parent
SEEDS = plans_dir()
PARAM_FILES = sorted((ROOT / "params").glob("*.yaml"))

_NUM = re.compile(r"(\d+(?:\.\d+)?)\s*([^\d\s，。、；：,.()（）]{0,4})")


def _cited(node, path=()):
    """Yield (key path, value written, source, assumption) for every mapping that has a seed source."""
    if isinstance(node, dict):
        src = node.get("source")
        if isinstance(src, dict) and "seed" in src:
            yield path, node.get("value"), src, bool(node.get("assumption"))
        for key, child in node.items():
            if key != "source":
                yield from _cited(child, path + (str(key),))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _cited(child, path + (str(i),))


def _internal_values(text: str) -> set[float]:
    """Numbers in a Chinese phrase, each with the longest unit prefix that parses, in internal units."""
    out = set()
    for number, tail in _NUM.findall(text):
        out.add(float(number))
        for cut in range(len(tail), 0, -1):
            try:
                out.add(round(float(number) * parse_unit(tail[:cut]).factor, 6))
                break
            except UnitError:
                continue
    return out


def _written_values(value) -> set[float]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {float(value)}
    number, unit = parse_quantity(str(value))
    return {number, round(number * unit.factor, 6)}


CASES = [(f.name, ".".join(p), v, s, a) for f in PARAM_FILES for p, v, s, a in _cited(yaml.safe_load(f.read_text("utf-8")))]


def test_there_are_sourced_numbers():
    assert SEEDS == ROOT / "plans"
    assert len(CASES) >= 4
    assert {c[3]["seed"] for c in CASES} <= {p.name for p in SEEDS.glob("*.txt")}


def test_plans_readme_names_every_plan():
    """plans/README.md names each plan text the parameters may cite."""
    readme = (SEEDS / "README.md").read_text(encoding="utf-8")
    texts = sorted(p.name for p in SEEDS.glob("*.txt"))
    assert len(texts) == 5
    assert all(f"`{name}`" in readme for name in texts)


@pytest.mark.parametrize("file,path,value,source,assumption", CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_cited_line_holds_quote_and_number(file, path, value, source, assumption):
    seed = SEEDS / source["seed"]
    assert seed.is_file(), f"{file}: {path}: no seed file {source['seed']}"
    lines = seed.read_text(encoding="utf-8").splitlines()
    assert 1 <= source["line"] <= len(lines), f"{file}: {path}: line {source['line']} out of range"
    line = lines[source["line"] - 1]
    assert source["quote"] in line, f"{file}: {path}: L{source['line']} does not contain 「{source['quote']}」"
    if not assumption and value is not None:
        assert _written_values(value) & _internal_values(source["quote"]), \
            f"{file}: {path}: the quote 「{source['quote']}」 does not state {value}"
