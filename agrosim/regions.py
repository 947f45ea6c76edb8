"""Nested regions: how the targets of a county, its city and its province relate.

Each region file may say which regions enclose it (`region.within`, innermost first, e.g. a county
`within: [jincheng, shanxi]`). For every indicator with targets in a region and in one of the regions
it lies within, `compare_targets` gives one row per pair of targets: both in the indicator's display
unit, the child's share of the parent's target, and notes on mismatched years or kinds and on a child
target above its parent's (an inconsistency between the plans, or a sign they count different things).

Children's targets are never added up. Summing would be a fair comparison with the parent only if every
sub-region of the parent were present, and agrosim holds no list of a region's sub-regions: it cannot
tell a complete set from an incomplete one, so it treats every set as incomplete (with the bundled
files it is: Shanxi's sub-regions in params/ are two cities and two counties of other cities).
"""
from __future__ import annotations

import math
import textwrap
import unicodedata
from pathlib import Path

import pandas as pd

from agrosim.baseyear import counts as base_counts
from agrosim.config import Scenario
from agrosim.config.scenario import Target, TargetModel
from agrosim.errors import InputError, Problem
from agrosim.paths import atomic_file, bundled_params_dir
from agrosim.prepare import load_scenario
from agrosim.units import from_internal, parse_unit

#: dimensions whose quantities add up over sub-regions; ratios, yields and growth rates do not
ADDITIVE = ("area", "mass", "head", "colony", "sheet", "household", "money")

COLUMNS = ["parent", "parent_name", "child", "child_name", "via", "indicator", "unit",
           "parent_target", "parent_kind", "parent_year", "parent_value",
           "child_target", "child_kind", "child_year", "child_value", "share", "completeness", "note",
           "parent_label", "child_label"]


def load_regions(folder: str | Path | None = None) -> list[Scenario]:
    """Every region file in `folder` (default: the bundled params/), validated; the `within` chains must
    agree where both regions have a file (a county within [jincheng, shanxi] needs jincheng within [shanxi])."""
    folder = Path(folder) if folder is not None else bundled_params_dir()
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    if not files:
        raise InputError([Problem(str(folder), "", "no region files (*.yaml)",
                                  "a folder of region files like params/")])
    regions, problems = [], []
    for path in files:
        try:
            regions.append(load_scenario(path))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    for sc in regions:
        sc.targets = sc.targets + _targets_outside_sectors(sc, problems)
    if problems:
        raise InputError(problems)
    by_id: dict[str, Scenario] = {}
    for sc in regions:
        if sc.region.id in by_id:
            problems.append(Problem(sc.file, "region.id", f"'{sc.region.id}', also the id of "
                                    f"{by_id[sc.region.id].file}", "one file per region id"))
        by_id.setdefault(sc.region.id, sc)
    for sc in regions:
        chain = sc.region.within
        for k, outer_id in enumerate(chain):
            outer = by_id.get(outer_id)
            if outer is not None and outer.region.within != chain[k + 1:]:
                problems.append(Problem(
                    sc.file, "region.within", f"{_chain(chain)}, but {outer.file} puts {outer_id} within "
                    f"{_chain(outer.region.within)}", f"{outer_id} within {_chain(chain[k + 1:])} in both files"))
    if problems:
        raise InputError(problems)
    return regions


def _targets_outside_sectors(sc: Scenario, problems: list) -> list[Target]:
    """Targets the loader leaves out because the file has no section for their sector (a county file with
    bees only may still state the plan's pig target, evaluated by scenarios that add pigs). They are plan
    targets all the same, so they take part in the comparison; they are read by the loader's own target
    reading (value, upper bound, realised indicator), over every sector's indicators."""
    from agrosim.config.loader import Collector, read_targets
    from agrosim.registry import BY_NAME

    kept = {t.id for t in sc.targets}
    models = {tid: TargetModel.model_validate(raw) for tid, raw in (sc.resolved.get("targets") or {}).items()
              if raw is not None and tid not in kept}  # the loader validated every target's keys already
    col = Collector({}, sc.file)
    out = read_targets(models, list(BY_NAME.values()), col)
    problems.extend(col.problems)
    return out


def _chain(ids: list[str]) -> str:
    return "[" + ", ".join(ids) + "]"


def _indicators() -> dict:
    from agrosim.registry import BY_NAME

    return {i.name: i for s in BY_NAME.values() for i in s.indicators}


def _additive(unit: str) -> bool:
    """Whether sub-regions' quantities in `unit` add up to the region's (areas, masses, heads, per year too)."""
    num, _, den = parse_unit(unit).dimension.partition("/")
    return num in ADDITIVE and den in ("", "time")


def _window(target, base_year: int) -> tuple[int, int]:
    """Years a target must hold: every year of a stable_at window, else its one year."""
    if target.kind == "stable_at":
        return (target.from_year or base_year + 1, target.year)
    return (target.year, target.year)


def _years(w: tuple[int, int]) -> str:
    return str(w[0]) if w[0] == w[1] else f"{w[0]}–{w[1]}"


def _notes(parent, child, pw, cw, share: float, additive: bool) -> str:
    notes = []
    if cw[1] < pw[0] or pw[1] < cw[0]:
        notes.append(f"years differ: parent {_years(pw)}, child {_years(cw)}")
    elif pw != cw:
        both = (max(pw[0], cw[0]), min(pw[1], cw[1]))
        notes.append(f"parent holds {_years(pw)}, child {_years(cw)}: compared in {_years(both)}")
    if parent.kind != child.kind:
        notes.append(f"kinds differ: parent {parent.kind}, child {child.kind}")
    if parent.aspirational != child.aspirational:
        notes.append(f"only the {'parent' if parent.aspirational else 'child'} is aspirational (力争)")
    if not additive:
        notes.append("not additive (a ratio or rate): no share")
    elif share > 1:
        notes.append("INCONSISTENT: the child's target exceeds the parent's, though the child is part of it "
                     "(the plans disagree or count different things)")
    elif share == 1:
        notes.append("the child's target equals the parent's whole target: nothing left for other sub-regions")
    return "; ".join(notes)


def _completeness(parent: str, children: list[str], by_id: dict) -> str:
    n = len(children)
    has = "has" if n == 1 else "have"
    without = sorted(r for r, sc in by_id.items() if parent in sc.region.within and r not in children)
    others = f"{', '.join(without)} {'is' if len(without) == 1 else 'are'} in agrosim without one, and " \
        if without else ""
    text = (f"{n} of {parent}'s sub-regions {has} a target here ({', '.join(children)}); {others}its other "
            f"sub-regions are not in agrosim, which holds no list of them and so cannot know a set is complete: "
            "each share stands alone, bounds nothing about the rest, and the children are NOT summed")
    overlap = [f"{c} lies within {o}" for c in children for o in children if o in by_id[c].region.within]
    if overlap:
        text += " (" + "; ".join(overlap) + ", so they overlap)"
    return text


def compare_targets(regions: list[Scenario]) -> pd.DataFrame:
    """One row per (parent target, child target) on the same indicator, where the child lies within the
    parent (directly or through regions that may have no file, listed in `via`)."""
    by_id = {sc.region.id: sc for sc in regions}
    indicators = _indicators()
    rows = []
    groups: dict[tuple[str, str], list[str]] = {}
    for child in regions:
        for depth, parent_id in enumerate(child.region.within):
            parent = by_id.get(parent_id)
            if parent is None:
                continue
            between = child.region.within[:depth]
            via = ", ".join(f"{r}" if r in by_id else f"{r} (not in agrosim)" for r in between)
            shared = sorted({t.indicator for t in parent.targets} & {t.indicator for t in child.targets})
            for name in shared:
                ind = indicators[name]
                unit = ind.display_unit
                additive = _additive(ind.unit)
                groups.setdefault((parent_id, name), []).append(child.region.id)
                for pt in (t for t in parent.targets if t.indicator == name):
                    for ct in (t for t in child.targets if t.indicator == name):
                        pv, cv = float(from_internal(pt.value, unit)), float(from_internal(ct.value, unit))
                        share = cv / pv if additive and pv > 0 else math.nan
                        pw, cw = _window(pt, parent.base_year), _window(ct, child.base_year)
                        rows.append({
                            "parent": parent_id, "parent_name": f"{parent.region.en} {parent.region.zh}",
                            "child": child.region.id, "child_name": f"{child.region.en} {child.region.zh}",
                            "via": via, "indicator": name, "unit": unit,
                            "parent_target": pt.id, "parent_kind": pt.kind, "parent_year": pt.year,
                            "parent_value": pv, "child_target": ct.id, "child_kind": ct.kind, "child_year": ct.year,
                            "child_value": cv, "share": share,
                            "note": _notes(pt, ct, pw, cw, share, additive),
                            "parent_label": f"{pt.en} {pt.zh}".strip(), "child_label": f"{ct.en} {ct.zh}".strip()})
    table = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "completeness"])
    table.insert(COLUMNS.index("completeness"), "completeness",
                 [_completeness(p, sorted(groups[(p, i)]), by_id) for p, i in zip(table["parent"], table["indicator"])])
    return table.sort_values(["parent", "indicator", "child", "parent_year", "child_year", "parent_target",
                              "child_target"], kind="stable").reset_index(drop=True)


def describe(regions: list[Scenario], table: pd.DataFrame, wide: bool = False) -> str:
    """The table as printed by `agrosim regions`: regions and their chains, the pairs, and completeness.
    Compact by default (about 100 columns: value (year) per side, notes as wrapped footnotes); `wide`: every
    column on one line (target ids, kinds, notes)."""
    by_id = {sc.region.id: sc for sc in regions}
    fill = (lambda text, first, rest: first + text) if wide else (
        lambda text, first, rest: textwrap.fill(text, 100, initial_indent=first, subsequent_indent=rest))
    lines = [fill("Regions (innermost first; ids without a file are not in agrosim; base figures = what the file "
                  "states about its base year, sourced or still an assumption, listed by `agrosim validate`):", "", "")]
    for sc in sorted(regions, key=lambda s: (len(s.region.within), s.region.id)):
        chain = " within ".join([sc.region.id] + [r if r in by_id else f"{r} (not in agrosim)"
                                                  for r in sc.region.within])
        sourced, assumed = base_counts(sc)
        lines.append(fill(f"{chain}: {sc.region.en} {sc.region.zh}, {len(sc.targets)} targets, "
                          f"base figures {sourced} sourced / {assumed} assumed", "  ", "      "))
    if table.empty:
        lines.append("\nNo indicator has targets both in a region and in a region it lies within.")
        return "\n".join(lines)
    share = ["" if math.isnan(r.share) else f"{r.share:.3g}" for r in table.itertuples()]
    notes: list[str] = []
    if wide:
        heads = ["parent", "child", "indicator", "unit", "parent target", "kind", "year", "value",
                 "child target", "kind", "year", "value", "share", "note"]
        cells = [[r.parent, r.child, r.indicator, r.unit, r.parent_target, r.parent_kind, str(r.parent_year),
                  f"{r.parent_value:.6g}", r.child_target, r.child_kind, str(r.child_year), f"{r.child_value:.6g}",
                  sh, r.note] for r, sh in zip(table.itertuples(), share)]
        right = {6, 7, 10, 11, 12}
    else:
        heads = ["parent", "child", "indicator", "unit", "parent (year)", "child (year)", "share", "note"]
        cells = []
        for r, sh in zip(table.itertuples(), share):
            if r.note and r.note not in notes:
                notes.append(r.note)
            cells.append([r.parent, r.child, r.indicator, r.unit, f"{r.parent_value:.6g} ({r.parent_year})",
                          f"{r.child_value:.6g} ({r.child_year})", sh,
                          f"[{notes.index(r.note) + 1}]" if r.note else ""])
        right = {4, 5, 6}
    lines += ["", "Targets of nested regions on the same indicator (values in the unit shown; share = child / parent):",
              *_aligned(heads, cells, right=right)]
    if notes:
        lines += ["Notes (agrosim regions --wide: target ids and kinds in the table):"]
        lines += [fill(note, f"  [{k}] ", "      ") for k, note in enumerate(notes, start=1)]
    lines += ["", fill("Completeness (children are never summed: agrosim holds no list of a region's sub-regions, "
                       "so it cannot know that a set of them is complete):", "", "")]
    statements = table.groupby(["parent", "indicator"], sort=True)["completeness"].first()
    for (parent, indicator), statement in statements.items():
        lines.append(fill(f"{parent} / {indicator}: {statement}", "  ", "    "))
    vias = table.loc[table["via"] != "", ["child", "parent", "via"]].drop_duplicates()
    for row in vias.itertuples():
        lines.append(f"  {row.child} is compared with {row.parent} through {row.via}")
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _aligned(heads: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    """Plain-text columns, numbers right-aligned, wide (Chinese) characters counted twice."""
    widths = [max(_width(x) for x in col) for col in zip(heads, *rows)]
    def line(cells):
        out = [(" " * (w - _width(c)) + c) if i in right else (c + " " * (w - _width(c)))
               for i, (c, w) in enumerate(zip(cells, widths))]
        return "  ".join(out).rstrip()
    return [line(heads)] + [line(r) for r in rows]


def write_csv(table: pd.DataFrame, path: str | Path) -> Path:
    """Write the table to `path` whole or not at all."""
    path = Path(path)
    with atomic_file(path) as tmp:
        table.to_csv(tmp, index=False)
    return path
