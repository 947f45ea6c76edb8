"""Benchmark: agrosim's own unit parser against pint with a definitions file for the plans' units.

    python benchmarks/bench_units.py          (pint optional: `pip install pint`; without it only ours)

Prints, for each library, in this one process:
- import: seconds to import it (ours: `agrosim.units`; pint: `pint`, in a fresh interpreter, best of 3),
  and for pint the seconds to build a registry and load the definitions below (best of 3);
- parse: µs per unit string over every unit a bundled scenario or region file writes (each quantity
  string's unit, with repeats, plus every parameter spec's unit), best of 5 passes;
- agree: every parsed unit converted to its internal unit by both, largest relative difference;
- array: ms to convert 1 000 000 values from 万头/年 to head/yr and from 公斤/亩 to t/ha, best of 5.

Figures vary with the machine's load (2 cores shared here): read the best-of figures as what the code
can do. The choice they support is written in docs/architecture.md, section "Units".
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agrosim.sectors import SECTORS  # noqa: E402
from agrosim.units import UnitError, convert, parse_quantity, parse_unit  # noqa: E402

#: the plans' units for pint: base dimensions of our own (head, colony, sheet, household, money), the
#: Chinese names and magnitudes; "head", "sheet", "month", "a", "t", "ha" reuse or shadow pint's;
#: '‰' is not a valid pint name (not a Python identifier), so it is spelled permille.
PINT_DEFINITIONS = """
head = [head] = 头 = 只 = 羽
colony = [colony] = box = 箱 = 群
egg_sheet = [sheet] = sheet = 张 = 盒
household = [household] = 户
yuan = [money] = 元 = CNY
亩 = 10000 / 15 * m ** 2 = mu
公顷 = hectare
hm2 = hectare
平方公里 = km ** 2
公斤 = kg
千克 = kg
斤 = 0.5 * kg
吨 = tonne
kt = 1000 * tonne
Mt = 1e6 * tonne
年 = year
月 = month
permille = 0.001
万- = 1e4
亿- = 1e8
千万- = 1e7
百万- = 1e6
十万- = 1e5
千- = 1e3
百- = 1e2
十- = 10
"""

PASSES = 5


def unit_strings() -> list[str]:
    """Every unit a bundled file writes (with repeats) and every parameter spec's unit."""
    units: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str):
            try:
                _, unit = parse_quantity(node)
            except UnitError:
                return
            if unit.text:
                units.append(unit.text)

    for path in sorted((ROOT / "scenarios").glob("*.yaml")) + sorted((ROOT / "params").glob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    units += [spec.unit for sector in SECTORS for spec in sector.param_specs().values() if spec.unit]
    return units


def best(fn, passes: int = PASSES) -> float:
    times = []
    for _ in range(passes):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def import_seconds(code: str) -> float:
    """Best of 3 fresh interpreters: seconds spent in `code` (an import and set-up), measured inside."""
    timed = f"import time; t0 = time.perf_counter()\n{code}\nprint(time.perf_counter() - t0)"
    return min(float(subprocess.run([sys.executable, "-c", timed], cwd=ROOT, capture_output=True, text=True,
                                    check=True).stdout) for _ in range(3))


def pint_registry(definitions: Path):
    import pint

    ureg = pint.UnitRegistry(cache_folder=None)
    ureg.load_definitions(str(definitions))
    return ureg


def pint_text(unit: str) -> str:
    """pint takes neither '‰' (not an identifier) nor '·' as we write them: spelled out for it."""
    text = unit.replace("·", "*").replace("%", "percent").replace("‰", "permille")
    return "dimensionless" if text == "1" else text


def main() -> None:
    units = unit_strings()
    print(f"{len(units)} unit strings ({len(set(units))} distinct) from scenarios/, params/ and the specs")
    print(f"ours  import agrosim.units: {import_seconds('import agrosim.units'):.3f} s")
    ours_s = best(lambda: [parse_unit(u) for u in units])
    print(f"ours  parse: {ours_s / len(units) * 1e6:.1f} µs per unit, {ours_s * 1e3:.2f} ms for all")
    values = np.random.default_rng(0).uniform(0, 1e6, 1_000_000)
    ours_arr = best(lambda: (convert(values, "万头/年", "head/yr"), convert(values, "公斤/亩", "t/ha")))
    print(f"ours  array: {ours_arr * 1e3:.1f} ms for 2 × 1 000 000 values")
    try:
        import pint  # noqa: F401
    except ImportError:
        print("pint not installed: `pip install pint` to compare")
        return
    with tempfile.TemporaryDirectory() as tmp:
        defs = Path(tmp) / "agrosim_units.txt"
        defs.write_text(PINT_DEFINITIONS, encoding="utf-8")
        print(f"pint  import pint: {import_seconds('import pint'):.3f} s")
        setup = f"import pint\nu = pint.UnitRegistry(cache_folder=None)\nu.load_definitions({str(defs)!r})"
        print(f"pint  import + registry + definitions: {import_seconds(setup):.3f} s")
        ureg = pint_registry(defs)
        texts = [pint_text(u) for u in units]
        pint_s = best(lambda: [ureg.parse_units(t) for t in texts])
        print(f"pint  parse: {pint_s / len(units) * 1e6:.1f} µs per unit, {pint_s * 1e3:.2f} ms for all "
              f"({pint_s / ours_s:.1f}× ours)")
        worst = 0.0
        for u, t in zip(units, texts):
            ours = parse_unit(u).factor
            theirs = ureg.Quantity(1.0, t).to_base_units().magnitude
            internal = ureg.Quantity(1.0, pint_text(_internal_spelling(u))).to_base_units().magnitude
            worst = max(worst, abs(theirs / internal - ours) / abs(ours))
        print(f"agree: largest relative difference of a unit's factor to internal units: {worst:.1e}")
        a, b, c, d = (ureg.parse_units(pint_text(x)) for x in ("万头/年", "head/yr", "公斤/亩", "t/ha"))
        pint_arr = best(lambda: (ureg.Quantity(values, a).to(b).magnitude, ureg.Quantity(values, c).to(d).magnitude))
        print(f"pint  array: {pint_arr * 1e3:.1f} ms for 2 × 1 000 000 values ({pint_arr / ours_arr:.1f}× ours)")


def _internal_spelling(unit: str) -> str:
    """`unit`'s internal unit written out (kg/亩 → kg/亩, 万头/年 → 头/年), from its dimension."""
    first = {"area": "亩", "mass": "kg", "head": "头", "colony": "箱", "sheet": "张", "household": "户",
             "money": "元", "time": "年"}

    def spelled(term: str) -> str:
        dim, _, power = term.partition("^")
        return "*".join([first[dim]] * int(power or 1)) if dim != "1" else "1"
    top, *bottom = parse_unit(unit).dimension.split("/")
    return "/".join(["*".join(spelled(t) for t in top.split("·")), *(spelled(t) for t in bottom)])


if __name__ == "__main__":
    main()
