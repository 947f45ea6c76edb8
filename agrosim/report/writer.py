"""Write a report folder atomically: build everything in a temporary folder, then swap it in.

A report folder holds the data (scenario.resolved.yaml, results.csv or bands.csv + runs/, targets.csv,
metadata.json; optionally observed.csv and allocation/, see `sections`) and what is drawn from it
(charts/, report.html, results.xlsx, tracking.csv); `redraw_report` redraws the latter from the former
without running the model.

The writer computes no model quantity and reads no scenario file: the command handlers load the
scenario and compute the verdicts and the `ReportFindings` (agrosim/analysis/report_inputs.py: the runs'
quantiles, trade-offs, limits, tracking …) first, and check an allocation belongs to the scenario.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from agrosim.analysis.findings import TRACKING_DEFAULTS, ReportFindings, lines as tradeoff_lines, with_warnings
from agrosim.config.scenario import Scenario
from agrosim.errors import InputError, Problem
from agrosim.report import charts, sections
from agrosim.report.drawing import Chart, draw_charts, save
from agrosim.report.excel import write_workbook
from agrosim.report.html import build_context, data_uri, driver_lines, render
from agrosim.report.lang import chart_context, check_lang, label
from agrosim.report.tables import assumptions, indicators_wide, provenance
from agrosim.results import Results, series
from agrosim.targets import Thresholds
from agrosim.version import __version__

COST_FILE = "cost_per_gap.csv"
#: the folder `agrosim allocate` writes under OUT/<name>/
ALLOCATE = "allocate"
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
#: drawn from the data, so rebuilt rather than carried over by `redraw_report`
_DRAWN = {"charts", "report.html", "results.xlsx", "targets.csv", "metadata.json", "tracking.csv"}


def report_dir(out_root: Path, name: str) -> Path:
    """reports/<name>, refusing names that could escape the output folder."""
    if not _SAFE.match(name) or name in (".", ".."):
        raise InputError([Problem(name, "name", repr(name), "letters, digits, '_', '-', '.' (no path separators)")])
    return out_root / name


def output_dir(out_root: Path, name: str, command: str | None) -> Path:
    """Where a command writes for scenario `name`: OUT/<name>/<command>/ (run, mc, sensitivity-tornado-…),
    so no command's results replace another's; OUT/<name>/ without a command (inside a batch folder)."""
    folder = report_dir(Path(out_root), name)
    return folder if command is None else report_dir(folder, command)


@contextmanager
def atomic_output(out_root: Path, name: str, command: str):
    """`atomic_folder` for OUT/<name>/<command>/."""
    with atomic_folder(report_dir(Path(out_root), name), command) as tmp:
        yield tmp


@contextmanager
def atomic_folder(out_root: Path, name: str):
    """Yield a temporary folder; on success it replaces out_root/name, on any failure it vanishes."""
    final = report_dir(Path(out_root), name)
    final.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(final)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-{os.getpid()}-", dir=final.parent))
    try:
        yield tmp
        _swap_in(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def clean_leftovers(final: Path) -> None:
    """Remove what a killed writer of `final` left: its hidden temporary folder, and the previous report
    it had moved aside (put back if the new one never arrived). Folders of live processes are left."""
    pattern = re.compile(rf"^\.{re.escape(final.name)}\.(tmp|old)-(\d+)(?:-|$)")
    for item in final.parent.iterdir():
        match = pattern.match(item.name)
        if not match or not item.is_dir() or _alive(int(match.group(2))):
            continue
        if match.group(1) == "old" and not final.exists():
            item.rename(final)
        else:
            shutil.rmtree(item, ignore_errors=True)


def _alive(pid: int) -> bool:
    """Whether process `pid` still runs (this process counts as alive: another thread may be writing)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def write_report(out_root: Path, scenario: Scenario, results: Results, verdicts: pd.DataFrame,
                 chunks: list[Path] | None = None, lang: str = "en", seed: int | None = None,
                 observed: str | Path | None = None,
                 allocation: tuple[Mapping[str, pd.DataFrame], Mapping] | None = None, draw: bool = True,
                 tradeoff_thresholds: Mapping | None = None, command: str | None = "run", *,
                 findings: ReportFindings, verdict_thresholds: Thresholds | None = None) -> Path:
    """Write the data, charts, report.html and results.xlsx into OUT/<name>/<command>/ (OUT/<name>/ when
    `command` is None); return the folder.

    A deterministic run writes the tidy `results.csv`; a Monte Carlo (`chunks` given) writes `bands.csv`
    (`findings.quantiles`: percentiles per indicator and year) and links its chunk files into `runs/` (wide
    Parquet, one row per run). `observed` (a CSV of observed values, copied as `observed.csv`) adds the
    tracking section, drawn from `findings.tracking` (computed from the same file); `allocation` (the tables
    and settings of `agrosim allocate`, kept in `allocation/`) adds the allocation section. With
    `draw=False` only the data are written (draw them later with `agrosim report`). `tradeoff_thresholds`
    ({'import_share': 0.5, 'cut_share': 0.005}, see analysis.tradeoffs.TradeOffThresholds) set when a trade-off
    becomes a warning; they are kept in metadata.json for redrawing, as are `verdict_thresholds`
    (the P(met) classes a Monte Carlo's verdicts used, as {'likely': 0.8, 'unlikely': 0.2}). `findings` were computed for this
    scenario, results, thresholds and observed data (`analysis.report_inputs.report_findings`).
    """
    check_lang(lang)
    frame = results.to_frame() if chunks is None else None
    meta = {"agrosim_version": __version__, "seed": scenario.seed if seed is None else seed,
            "runs": results.n, "created": _now(), "scenario_file": str(scenario.file)}
    if results.warnings:
        meta["warnings"] = list(results.warnings)
    if tradeoff_thresholds:
        meta["tradeoff_thresholds"] = dict(tradeoff_thresholds)
    if verdict_thresholds is not None:
        meta["verdict_thresholds"] = asdict(verdict_thresholds)
    folder = output_dir(Path(out_root), scenario.name, command)
    with atomic_folder(folder.parent, folder.name) as tmp:
        write_resolved(tmp, scenario)
        if frame is not None:
            frame.to_csv(tmp / "results.csv", index=False, encoding="utf-8")
        if chunks is not None:
            findings.quantiles.to_csv(tmp / "bands.csv", index=False, encoding="utf-8")
        if chunks:
            (tmp / "runs").mkdir()
            for path in chunks:
                os.link(path, tmp / "runs" / path.name)
        if observed is not None:
            shutil.copyfile(observed, tmp / sections.OBSERVED_FILE)
        _check_findings(tmp, findings)
        if findings.costs is not None and len(findings.costs):
            findings.costs.to_csv(tmp / COST_FILE, index=False, encoding="utf-8")
        if allocation is not None:
            sections.write_allocation(tmp, *allocation)
        if draw:
            _render(tmp, scenario, verdicts, meta, lang, findings)
        else:
            with_warnings(verdicts, findings.tradeoffs).to_csv(tmp / "targets.csv", index=False, encoding="utf-8")
            (tmp / "metadata.json").write_text(json.dumps(_tracking_meta(meta, findings), indent=2,
                                                          ensure_ascii=False), encoding="utf-8")
    return folder


def is_report(folder: Path) -> bool:
    """A folder `redraw_report` can redraw: the resolved scenario with results.csv or runs/*.parquet."""
    folder = Path(folder)
    return (folder / "scenario.resolved.yaml").is_file() and (
        (folder / "results.csv").is_file() or any((folder / "runs").glob("*.parquet")))


def find_reports(folder: Path) -> list[Path]:
    """The report folders at `folder`: itself if it is one, else those one or two levels below it
    (OUT/<name>/ holds run/, mc/, …; a batch folder holds <name>/), sorted."""
    folder = Path(folder)
    if is_report(folder):
        return [folder]
    below = [p for pattern in ("*", "*/*") for p in folder.glob(pattern) if not p.name.startswith(".")]
    return sorted(p for p in below if p.is_dir() and is_report(p))


def check_report_folder(folder: Path) -> Path:
    """The folder, resolved, if `redraw_report` can redraw it; else InputError saying what is missing."""
    folder = Path(folder).resolve()
    if not is_report(folder):
        raise InputError([Problem(str(folder), "", "no scenario.resolved.yaml with results.csv or runs/*.parquet",
                                  "a report folder written by `agrosim run`, `agrosim mc` or `agrosim allocate`, "
                                  "e.g. reports/<name>/run")])
    return folder


def resolved_file(folder: Path) -> Path:
    """The scenario a report folder was written for, as the handlers load it again."""
    return Path(folder) / "scenario.resolved.yaml"


def saved_metadata(folder: Path) -> dict:
    """metadata.json of a report folder ({} when absent), after checking every saved table reads."""
    meta_file = folder / "metadata.json"
    with readable(meta_file):
        meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.is_file() else {}
        if not isinstance(meta, dict):
            raise ValueError(f"a JSON {type(meta).__name__}, not an object")
    for table in [*folder.glob("*.csv"), *(folder / sections.ALLOCATION_DIR).glob("*.csv")]:
        with readable(table):
            if table.read_bytes()[:64].strip():  # an empty table is written as an empty line
                pd.read_csv(table, nrows=5)
    return meta


def saved_chunks(folder: Path) -> list[Path]:
    """The run files of a Monte Carlo report folder (runs/*.parquet), each checked to read; [] for a run."""
    chunks = sorted((folder / "runs").glob("*.parquet"))
    for chunk in chunks:
        with readable(chunk):
            pq.read_schema(chunk)
    return chunks


def redraw_report(folder: Path, scenario: Scenario, results: Results, verdicts: pd.DataFrame, meta: Mapping,
                  findings: ReportFindings, lang: str = "en", observed: str | Path | None = None,
                  alloc_source: Path | None = None) -> Path:
    """Redraw charts, report.html, results.xlsx and the targets table of a report folder from what the
    handler read and computed (see `agrosim.cli_run.rebuild`), without running the model.

    `observed` (a CSV of observed values) is kept in the folder as `observed.csv`, replacing any before;
    the tracking section is drawn from `findings.tracking` (computed from the folder's observed data, or
    `observed`); `alloc_source` (the handler has checked it holds an allocation of this scenario) is copied
    into `allocation/` and adds the allocation section."""
    meta = {"agrosim_version": "", "seed": scenario.seed, "created": "", "scenario_file": "", **meta, "runs": results.n}
    replaced = ({sections.OBSERVED_FILE} if observed is not None else set()) | (
        {sections.ALLOCATION_DIR} if alloc_source is not None else set())
    with atomic_folder(folder.parent, folder.name) as tmp:
        for item in folder.iterdir():
            if item.name in _DRAWN or item.name in replaced:
                continue
            if item.is_dir():
                shutil.copytree(item, tmp / item.name, copy_function=os.link)
            else:
                shutil.copy2(item, tmp / item.name)
        if observed is not None:
            shutil.copyfile(observed, tmp / sections.OBSERVED_FILE)
        if alloc_source is not None:
            (tmp / sections.ALLOCATION_DIR).mkdir()
            for file in (*(f"{name}.csv" for name in sections.ALLOCATION_TABLES), sections.SETTINGS_FILE):
                if (alloc_source / file).is_file():
                    shutil.copy2(alloc_source / file, tmp / sections.ALLOCATION_DIR / file)
        _check_findings(tmp, findings)
        _render(tmp, scenario, verdicts, meta, lang, findings)
    return folder


def _check_findings(folder: Path, findings: ReportFindings) -> None:
    """A tracking section without the observed data in the folder, or observed data left untracked, would
    draw the report from other data than it keeps."""
    kept = (folder / sections.OBSERVED_FILE).is_file()
    if kept != (findings.tracking is not None):
        raise ValueError(f"report findings {'without' if kept else 'with'} tracking for a report folder "
                         f"{'holding' if kept else 'without'} {sections.OBSERVED_FILE}")


@contextmanager
def readable(path: Path):
    """A data file of a report folder that does not read (truncated, edited, of another version) is bad
    input naming the file, not an internal error."""
    try:
        yield
    except InputError:
        raise
    except (ValueError, KeyError, IndexError, TypeError, OSError, pa.ArrowException, pd.errors.ParserError) as exc:
        raise InputError([Problem(str(path), "", f"a file that does not read ({type(exc).__name__}: {exc})"[:300],
                                  "the file as agrosim wrote it; rerun the command that wrote the report")]) from None


def _tracking_meta(meta: Mapping, findings: ReportFindings) -> dict:
    """`meta` with the tracking settings the findings used, or without any when they track nothing."""
    if findings.tracking is None:
        return {k: v for k, v in meta.items() if k not in TRACKING_DEFAULTS}
    return {**meta, **findings.tracking.settings()}


def _render(folder: Path, scenario: Scenario, verdicts: pd.DataFrame, meta: dict, lang: str,
            findings: ReportFindings) -> None:
    """targets.csv, metadata.json, charts/, results.xlsx and report.html from the tables, with the tracking
    section when the findings hold one and the allocation section when the folder holds allocation/."""
    tracking, quant = findings.tracking, findings.quantiles
    allocation = sections.read_allocation(folder)
    meta = dict(_tracking_meta(meta, findings), lang=lang, generated=_now())
    records = findings.tradeoffs
    verdicts = with_warnings(verdicts, records)
    verdicts.to_csv(folder / "targets.csv", index=False, encoding="utf-8")
    findings.yearly.to_csv(folder / "yearly.csv", index=False, encoding="utf-8")
    (folder / "metadata.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    out = folder / "charts"
    out.mkdir()
    figures: dict[str, list[tuple[Path, str]]] = {}
    decompositions = findings.decompositions
    rows = verdicts.set_index("target")
    drawn = [Chart(out / "scorecard.png", charts.scorecard, (verdicts, lang))]
    figures["scorecard"] = [(out / "scorecard.png", "")]
    for tg in scenario.targets:
        name = label(lang, tg.en, tg.zh)
        path = out / f"{tg.id}.png"
        drawn.append(Chart(path, charts.trajectory, (series(quant, tg.indicator, tg.unit_written), tg,
                                                     rows.loc[tg.id], lang)))
        figures[tg.id] = [(path, f"{name} ({tg.id})")]
        if tg.id in decompositions:
            path = out / f"decomposition_{tg.id}.png"
            drawn.append(Chart(path, charts.decomposition, (decompositions[tg.id], name, lang)))
            figures[tg.id].append((path, f"{name}: Δ = Δarea × Y0 + A1 × Δyield"))
    draw_charts(drawn, lang)
    with chart_context(lang):
        tracking_figures = {} if tracking is None else sections.draw_tracking(tracking, scenario, quant, out, lang,
                                                                              save)
        allocation_figure = None if allocation is None else sections.draw_allocation(allocation, scenario, out, lang,
                                                                                     save)
    params, sources = assumptions(scenario), provenance(scenario)
    extra = {}
    if tracking is not None:
        tracking.table.to_csv(folder / "tracking.csv", index=False, encoding="utf-8")
        extra["tracking"] = tracking.table
    if allocation is not None:
        extra.update(sections.allocation_sheets(allocation))
    write_workbook(folder / "results.xlsx", verdicts, indicators_wide(scenario, quant), params, sources, meta, extra,
                   lang)
    context = build_context(scenario, verdicts, quant, figures, params, sources, meta, decompositions, lang)
    context["drivers"] = driver_lines(findings.drivers, scenario, lang)
    context["tracking"] = None if tracking is None else sections.tracking_context(
        tracking, scenario, {k: data_uri(p) for k, p in tracking_figures.items()}, lang)
    if tracking is not None and len(tracking.table):
        context["summary"]["lines"].append(sections.tracking_summary(tracking.table, lang))
    context["allocation"] = None if allocation is None else sections.allocation_context(
        allocation, scenario, data_uri(allocation_figure), lang)
    context["warnings"] = [*meta.get("warnings", []), *(record.text(lang) for record in findings.limits),
                           *tradeoff_lines(records, lang, land_warned=bool(meta.get("warnings")))]
    cost_file = folder / COST_FILE
    context["costs"] = pd.read_csv(cost_file).to_dict("records") if cost_file.is_file() else []
    (folder / "report.html").write_text(render(context), encoding="utf-8")


def write_comparison(folder: Path, tables: Mapping[str, pd.DataFrame], scenarios: Mapping[str, Scenario],
                     lang: str = "en") -> list[Path]:
    """comparison_<indicator>.png for every targeted indicator shared by two or more scenarios (`tables`:
    name → quantile table of its runs, written for `scenarios[name]`); scenarios of different regions or
    targets are drawn as shares of their own targets."""
    targets, regions_of = {}, {}
    for name in tables:
        scenario = scenarios[name]
        regions_of[name] = scenario.region.id
        for tg in scenario.targets:  # the last target of an indicator stands for it (one per scenario)
            targets.setdefault(tg.indicator, {})[name] = tg
    written = []
    with chart_context(lang):
        for indicator, by_name in targets.items():
            if len(by_name) < 2:
                continue
            tg = next(iter(by_name.values()))
            regions = {regions_of[n] for n in by_name}
            goals = {(x.kind, x.year, round(x.value, 6)) for x in by_name.values()}
            own = dict(by_name) if len(regions) > 1 or len(goals) > 1 else None  # unlike: share of own target
            path = folder / f"comparison_{indicator}.png"
            save(charts.comparison({n: tables[n] for n in by_name}, indicator, label(lang, tg.en, tg.zh), lang, tg,
                                   own), path)
            written.append(path)
    return written


def write_resolved(folder: Path, scenario: Scenario) -> None:
    with open(folder / "scenario.resolved.yaml", "w", encoding="utf-8") as fh:
        yaml.safe_dump(scenario.resolved, fh, allow_unicode=True, sort_keys=False)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _swap_in(tmp: Path, final: Path) -> None:
    """Replace `final` by `tmp`; the old report survives until the new one is in place."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{os.getpid()}-{threading.get_ident()}")
        final.rename(old)
    try:
        tmp.rename(final)
    except BaseException:
        if old is not None:
            old.rename(final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
