"""Command handlers for one scenario and its reports: run, mc, validate, list, report, serve.

Each handler imports the stack it uses when it runs (the parser and `list` need only the standard library)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Mapping

from agrosim.errors import InputError, Problem, ValueProblem
from agrosim.paths import bundled_params_dir, bundled_scenarios_dir


def _tracking(args) -> dict:
    """The report's tracking settings as --path/--tolerance give them (None: not given)."""
    return {"tracking_path": args.path, "tracking_tolerance": args.tolerance}


def _base_year_check(scenario, strict: bool) -> None:
    """Base figures that contradict each other: exit 2 under --strict, else one warning each."""
    from agrosim.baseyear import check

    for line in check(scenario, strict):
        print(f"warning: {line}", file=sys.stderr)


def _print_tradeoffs(records, land_warned: bool) -> None:
    """The trade-offs behind the verdicts (land cut, feed imported or capped, levers at a bound; the
    report findings' records, computed once), one 'trade-off:' line each on stdout, right under the
    verdict table."""
    from agrosim.analysis.findings import lines

    for line in lines(records, land_warned=land_warned):
        print(f"trade-off: {line}")


def verdict_thresholds(args):
    """The verdict thresholds of --likely/--unlikely (each a probability, checked by its type)."""
    from agrosim.targets import Thresholds

    try:
        return Thresholds(args.likely, args.unlikely)
    except ValueProblem:
        raise InputError([Problem("command line", "--likely/--unlikely",
                                  f"--likely {args.likely:g} with --unlikely {args.unlikely:g}",
                                  "--unlikely below --likely")]) from None


def load_for_draws(args, path=None):
    """The scenario (`path`, else args.scenario), with its placeholders held when --fixed-assumptions is given."""
    from agrosim.prepare import load_scenario

    fixed = {"fixed_assumptions": True} if getattr(args, "fixed_assumptions", False) else None
    return load_scenario(path or args.scenario, fixed)


def _verdict_table(verdicts) -> str:
    table = verdicts[["target", "year", "kind", "target_value", "projected", "gap", "gap_pct", "unit", "verdict"]]
    return table.to_string(index=False, float_format=lambda v: f"{v:,.1f}")


def _print_warnings(warnings: list[str], limits) -> None:
    """Land over-commitment, then targets and herd growth beyond biology (`limits`: the records of
    `analysis.biology.beyond_biology`, worded in English), one line each on stderr."""
    for line in [*warnings, *(record.text("en") for record in limits)]:
        print(f"warning: {line}", file=sys.stderr)


def cmd_run(args) -> int:
    from agrosim.analysis.report_inputs import report_findings
    from agrosim.api import run
    from agrosim.prepare import load_scenario
    from agrosim.report.lang import check_lang
    from agrosim.report.writer import write_report

    check_lang(args.lang)
    sc = load_scenario(args.scenario)
    _check_observed(args, sc)
    _base_year_check(sc, args.strict)
    result = run(sc)
    thresholds = {"import_share": args.warn_import_share}
    findings = report_findings(result.scenario, result.results, result.verdicts, thresholds, observed=args.observed,
                               tracking=_tracking(args))
    folder = write_report(Path(args.out), result.scenario, result.results, result.verdicts, lang=args.lang,
                          observed=args.observed, tradeoff_thresholds=thresholds, findings=findings)
    print(f"{result.scenario.name} ({result.scenario.region.en} {result.scenario.region.zh}), "
          f"{result.scenario.base_year}–{result.scenario.end_year}")
    print(_verdict_table(result.verdicts))
    _print_tradeoffs(findings.tradeoffs, bool(result.results.warnings))
    _print_warnings(result.results.warnings, findings.limits)
    print(f"\nreport written to {folder}")
    return 0


def cmd_mc(args) -> int:
    from agrosim.analysis.report_inputs import report_findings
    from agrosim.api import check_batch_size, monte_carlo
    from agrosim.batch import check_design_size, remove_store
    from agrosim.report.lang import check_lang
    from agrosim.report.writer import write_report

    check_lang(args.lang)
    thresholds = verdict_thresholds(args)
    sc = load_for_draws(args)
    _check_observed(args, sc)
    check_batch_size(args.runs or sc.runs, args.chunk_size, len(sc.years))
    check_design_size(sc, args.runs or sc.runs, "--runs")
    record = None if args.record is None else "all" if args.record == "all" else args.record.split(",")
    mc = monte_carlo(sc, args.runs, args.seed, args.chunk_size, args.workers, args.scheduler,
                     work_root=args.out, progress=True, thresholds=thresholds, record=record)
    saved = {"import_share": args.warn_import_share}
    findings = report_findings(mc.scenario, mc.results, mc.verdicts, saved, quantiles=mc.bands,
                               observed=args.observed, tracking=_tracking(args))
    folder = write_report(Path(args.out), mc.scenario, mc.results, mc.verdicts, mc.chunks, args.lang, mc.seed,
                          observed=args.observed, command="mc", tradeoff_thresholds=saved, findings=findings,
                          verdict_thresholds=mc.thresholds)
    remove_store(mc.chunks[0].parent)
    table = mc.verdicts[["target", "year", "kind", "target_value", "projected", "unit", "p_met", "p_low", "p_high",
                         "verdict"]]
    print(f"{mc.scenario.name}: {mc.results.n} runs, seed {mc.scenario.seed if args.seed is None else args.seed}")
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.3f}", na_rep=""))
    _print_tradeoffs(findings.tradeoffs, bool(mc.results.warnings))
    _print_warnings(mc.results.warnings, findings.limits)
    print(f"\nreport written to {folder}")
    return 0


def _check_observed(args, scenario) -> None:
    """Refuse a bad --observed file before running anything."""
    if args.observed is not None:
        from agrosim.observed import load_observed

        load_observed(args.observed, scenario)


def rebuild(folder: Path, lang: str = "en", observed: str | Path | None = None, tracking: Mapping | None = None,
            allocation: str | Path | None = None) -> Path:
    """Redraw a report folder without running the model: load the scenario it was written for and its
    saved runs, compute the verdicts and the report findings (analysis layer), and hand them to the
    writer. `observed`, `tracking` and `allocation` as for `agrosim report`; every input is checked
    before anything is written."""
    import pandas as pd

    from agrosim.analysis.probability import bands, load_results, monte_carlo_table
    from agrosim.analysis.report_inputs import report_findings, tracking_settings
    from agrosim.batch import target_indicators
    from agrosim.prepare import load_scenario
    from agrosim.report import sections, writer
    from agrosim.report.lang import check_lang
    from agrosim.results import quantile_table, results_from_frame
    from agrosim.targets import Thresholds, evaluate

    check_lang(lang)
    folder = writer.check_report_folder(folder)
    scenario = load_scenario(writer.resolved_file(folder))
    if observed is not None:
        from agrosim.observed import load_observed

        load_observed(observed, scenario)  # refuses a bad file before the runs are loaded (the findings read it again)
    alloc_source = allocation_source(folder, allocation) if allocation is not None else None
    meta = writer.saved_metadata(folder)
    chunks = writer.saved_chunks(folder)
    if chunks:
        with writer.readable(folder / "runs"):
            results = load_results(scenario, chunks, sorted(target_indicators(scenario)))
            # the classes the run used (--likely/--unlikely), not the defaults
            verdicts = monte_carlo_table(scenario, results, chunks, Thresholds(**meta.get("verdict_thresholds", {})))
        with writer.readable(folder / "bands.csv"):
            quant = pd.read_csv(folder / "bands.csv") if (folder / "bands.csv").is_file() else bands(scenario, chunks)
    else:
        with writer.readable(folder / "results.csv"):
            frame = pd.read_csv(folder / "results.csv")
            results = results_from_frame(scenario, frame)
            verdicts = evaluate(scenario.targets, results)
            quant = quantile_table(frame)
    alloc = sections.read_allocation_dir(alloc_source) if alloc_source is not None else sections.read_allocation(folder)
    kept = folder / sections.OBSERVED_FILE
    observed_now = observed if observed is not None else kept if kept.is_file() else None
    findings = report_findings(scenario, results, verdicts, meta.get("tradeoff_thresholds"), alloc, costs=False,
                               quantiles=quant, observed=observed_now, tracking=tracking_settings(meta, tracking))
    return writer.redraw_report(folder, scenario, results, verdicts, meta, findings, lang, observed, alloc_source)


def allocation_source(folder: Path, allocation: str | Path) -> Path:
    """The folder holding allocation.csv of an `agrosim allocate` output, checked to be for the scenario of
    the report folder (the two folders' scenario.resolved.yaml read the same)."""
    from agrosim.config.yaml_io import read_yaml
    from agrosim.report import sections
    from agrosim.report.writer import ALLOCATE

    given = Path(allocation).resolve()
    if not (given / "scenario.resolved.yaml").is_file() and (given / ALLOCATE).is_dir():
        given = given / ALLOCATE  # OUT/<name>/ given for OUT/<name>/allocate/
    source = next((p for p in (given / sections.ALLOCATION_DIR, given) if (p / "allocation.csv").is_file()), None)
    if source is None:
        raise InputError([Problem(str(allocation), "", "no allocation/allocation.csv",
                                  f"a folder written by `agrosim allocate`, e.g. reports/<name>/{ALLOCATE}")])
    if source == folder / sections.ALLOCATION_DIR:
        return source
    theirs = given / "scenario.resolved.yaml"
    mine = read_yaml(folder / "scenario.resolved.yaml")
    if not theirs.is_file() or read_yaml(theirs) != mine:
        raise InputError([Problem(str(allocation), "scenario.resolved.yaml", "an allocation for another scenario",
                                  f"an allocation computed for the scenario of {folder}")])
    return source


def cmd_report(args) -> int:
    """Redraw one report folder, or every report below a folder (OUT/<name>/ holds run/, mc/, …)."""
    from agrosim.report.writer import find_reports

    tracking = {"tracking_path": args.path, "tracking_tolerance": args.tolerance}
    folders = find_reports(Path(args.folder)) or [Path(args.folder)]  # none: rebuild says what is missing
    if len(folders) > 1 and (args.observed or args.allocation):
        raise InputError([Problem("command line", "folder", f"{args.folder}, which holds {len(folders)} reports "
                                  f"({', '.join(str(f) for f in folders)})",
                                  "one report folder for --observed/--allocation, e.g. " + str(folders[0]))])
    for folder in folders:
        done = rebuild(folder, args.lang, args.observed, tracking, args.allocation)
        print(f"report.html, results.xlsx and charts rebuilt in {done}")
    return 0


def cmd_serve(args) -> int:
    try:
        from agrosim.explorer.app import serve
    except ModuleNotFoundError as exc:
        raise InputError([Problem("command line", "serve", f"a missing package ({exc.name})",
                                  "the explorer's extra installed: pip install -e '.[serve]'")]) from None
    serve(args.scenario, args.host, args.port, args.runs, args.out)
    return 0


def cmd_validate(args) -> int:
    from agrosim.analysis.biology import beyond_biology
    from agrosim.baseyear import validate_lines
    from agrosim.prepare import load_scenario

    sc = load_scenario(args.scenario)
    _base_year_check(sc, args.strict)
    print(f"{args.scenario}: valid ({', '.join(sc.sectors)}; {len(sc.targets)} targets; "
          f"{sc.base_year}–{sc.end_year})")
    _print_warnings([], beyond_biology(sc))
    for key, item in sc.inconsistencies.items():
        touched = f" [targets: {', '.join(item.targets)}]" if item.targets else ""
        print(f"  plan inconsistency {key}: {item.en}{touched}")
    from agrosim.report.plan_notes import plan_implied_notes

    for line in plan_implied_notes(sc):
        print(f"  plan-implied coefficient {line}")
    print("\n".join(validate_lines(sc)))
    return 0


def _title(path: Path) -> str:
    """A scenario's title, or a region file's region name; empty if the file does not parse."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: `list` reads every file
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
    except (OSError, yaml.YAMLError):
        return ""
    region = data.get("region") if isinstance(data.get("region"), dict) else {}
    return str(data.get("title") or " ".join(str(region.get(k, "")) for k in ("en", "zh"))).strip()


def cmd_list(args) -> int:
    for title, folder in (("scenarios", bundled_scenarios_dir()), ("regions", bundled_params_dir())):
        print(f"{title} ({folder}):")
        for path in sorted(folder.glob("*.yaml")):
            print(f"  {path.stem:<28} {_title(path)}")
    return 0
