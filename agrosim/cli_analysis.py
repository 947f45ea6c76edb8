"""Command handlers for the analysis commands: solve, sweep, sensitivity, batch."""
from __future__ import annotations

import argparse
import math
from pathlib import Path

import pandas as pd

from agrosim.analysis.levers import lever, parse_range
from agrosim import cli_args
from agrosim.batch import check_design_size, remove_store
from agrosim.config import load_scenario
from agrosim.errors import InputError, Problem, did_you_mean
from agrosim.report.charts import feasibility_map, tornado
from agrosim.report.writer import atomic_folder, report_dir, save, write_comparison, write_resolved


def _target_id(scenario, target: str) -> str:
    ids = [t.id for t in scenario.targets]
    if target not in ids:
        raise InputError([Problem("command line", "--target", f"'{target}'{did_you_mean(target, ids)}",
                                  "one of the scenario's targets: " + ", ".join(ids))])
    return target


def cmd_solve(args: argparse.Namespace) -> int:
    from agrosim.analysis.solve import solve

    sc = load_scenario(args.scenario)
    check_design_size(sc, args.runs, "--runs", all_indicators=True)
    low, high, _ = parse_range(args.range) if args.range else (None, None, None)
    lv = lever(sc, args.lever, low, high)
    if lv.clipped:
        print(f"note: {lv.clipped}")
    targets = [_target_id(sc, args.target)] if args.target else [t.id for t in sc.targets]
    rows = []
    for tid in targets:
        sol = solve(sc, lv, tid, args.direction, args.probability, args.runs, args.seed)
        print(sol.describe(lv.spec.unit))
        rows.append(sol.__dict__)
    with atomic_folder(Path(args.out), f"{sc.name}-solve") as tmp:
        write_resolved(tmp, sc)
        pd.DataFrame(rows).assign(unit=lv.spec.unit).to_csv(tmp / "solve.csv", index=False)
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from agrosim.analysis.sweep import design_points, sweep

    sc = load_scenario(args.scenario)
    levers, counts = [], []
    for item in args.param:
        path, _, rng = item.partition("=")
        low, high, count = parse_range(rng) if rng else (None, None, None)
        levers.append(lever(sc, path.strip(), low, high))
        counts.append(count or args.points)
        if levers[-1].clipped:
            print(f"note: {levers[-1].clipped}")
    seed = sc.seed if args.seed is None else args.seed
    if args.design == "sobol":
        cli_args.check_power_of_two("--samples", args.samples)
    n_points = {"grid": math.prod(counts), "oat": 1 + sum(counts)}.get(args.design, args.samples)
    check_design_size(sc, n_points * args.reps, "--points/--samples/--reps", columns=len(levers), points=n_points)
    points = design_points(levers, args.design, counts, args.samples, seed)
    table, store = sweep(sc, levers, points, args.reps, seed, Path(args.out), args.chunk_size, args.workers,
                         args.scheduler, progress=True)
    with atomic_folder(Path(args.out), f"{sc.name}-sweep") as tmp:
        write_resolved(tmp, sc)
        table.to_csv(tmp / "sweep.csv", index=False)
        if len(levers) == 2 and args.design == "grid":
            for tg in sc.targets:
                fig = feasibility_map(table, levers[0].path, levers[1].path, f"p_met:{tg.id}",
                                      f"{tg.en}: P(met) in {tg.year}", levers[0].spec.unit, levers[1].spec.unit)
                save(fig, tmp / f"feasibility_{tg.id}.png")
    share = {c.split(":", 1)[1]: table[c].mean() for c in table.columns if c.startswith("p_met:")}
    print(f"{sc.name}: {len(points)} points × {args.reps} replicate(s)")
    beyond = int((~table["feasible"]).sum())
    if beyond:
        print(f"  warning: {beyond} point(s) beyond a lever's feasible range (the scenario's own value); "
              "see the `feasible` column")
    for tid, frac in share.items():
        print(f"  {tid}: met (mean P) over the design: {frac:.1%}")
    print(f"written to {Path(args.out) / (sc.name + '-sweep')}")
    remove_store(store)
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from agrosim.analysis import sensitivity as sens

    sc = load_scenario(args.scenario)
    if not sc.uncertainty:
        raise InputError([Problem(sc.file, "uncertainty", "no uncertain parameters",
                                  "an `uncertainty:` section listing the inputs to rank")])
    if args.target:
        f, label = sens.outcome(sc, target=_target_id(sc, args.target))
    else:
        from agrosim.engine import recorded_indicators
        specs = recorded_indicators(sc)
        if args.indicator not in specs:
            raise InputError([Problem("command line", "--indicator",
                                      f"'{args.indicator}'{did_you_mean(args.indicator, specs)}",
                                      "an indicator of the scenario's sectors")])
        f, label = sens.outcome(sc, indicator=args.indicator, year=args.year)
    d = len(sc.uncertainty)
    if args.method == "sobol":
        cli_args.check_power_of_two("--samples", args.samples)
    if args.year is not None and args.year not in sc.years:
        raise InputError([Problem("command line", "--year", str(args.year), f"a year in {sc.years[0]}..{sc.years[-1]}")])
    runs = {"sobol": args.samples * (d + 2), "morris": args.samples * (d + 1)}.get(args.method, 2 * d + 1)
    check_design_size(sc, runs, "--samples", columns=d, all_indicators=True)
    if args.method == "tornado":
        table = sens.tornado(sc, f)
    elif args.method == "morris":
        table = sens.morris(sc, f, trajectories=args.samples, seed=args.seed)
    else:
        table = sens.sobol(sc, f, n=args.samples, seed=args.seed)
    print(f"{sc.name}: {args.method} sensitivity of {label}")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    with atomic_folder(Path(args.out), f"{sc.name}-sensitivity") as tmp:
        write_resolved(tmp, sc)
        table.to_csv(tmp / f"{args.method}.csv", index=False)
        if args.method == "tornado":
            save(tornado(table, f"{sc.name}: what drives {label}", label), tmp / "tornado.png")
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    """Run every scenario in a folder (deterministic, or Monte Carlo with --runs); bad files are
    reported and skipped, finished reports are kept; a summary table compares the scenarios."""
    import sys

    from agrosim.analysis.tradeoffs import with_warnings
    from agrosim.api import monte_carlo, run

    folder = Path(args.folder)
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    if not folder.is_dir() or not files:
        raise InputError([Problem(str(folder), "", "no .yaml scenarios" if folder.is_dir() else "no such folder",
                                  "a folder of scenario YAML files")])
    summary_name = f"batch-{folder.resolve().name}"
    report_dir(Path(args.out), summary_name)  # refuses a folder name that cannot name the summary, up front
    rows, failed, reports = [], [], {}
    for path, sc in _unique_names(files, {summary_name}):
        try:
            if sc is None:
                sc = load_scenario(path)  # raises the file's problems
            if args.runs:
                check_design_size(sc, args.runs, "--runs")
                done = monte_carlo(sc, args.runs, args.seed, args.chunk_size, args.workers, args.scheduler,
                                   work_root=args.out, progress=False)
            else:
                done = run(sc)
            report = done.write(args.out)
        except InputError as exc:
            failed.append(path)
            print(f"skipped {path}:\n{exc.message()}", file=sys.stderr)
            continue
        verdicts = with_warnings(done.verdicts, done.tradeoffs()).assign(scenario=done.scenario.name,
                                                                         region=done.scenario.region.id)
        rows.append(verdicts)
        reports[done.scenario.name] = report
        print(f"{path.name}: {len(done.scenario.targets)} targets → {report}")
    if rows:
        summary = pd.concat(rows, ignore_index=True)
        cols = ["scenario", "region", "target", "year", "kind", "target_value", "projected", "gap_pct", "unit",
                "verdict", "p_met", "p_low", "p_high", "source", "warnings"]
        with atomic_folder(Path(args.out), f"batch-{folder.resolve().name}") as tmp:
            summary[[c for c in cols if c in summary]].to_csv(tmp / "summary.csv", index=False)
            write_comparison(tmp, reports)
        print(f"summary: {Path(args.out) / ('batch-' + folder.resolve().name) / 'summary.csv'}")
    return 2 if failed else 0


def _unique_names(files: list[Path], taken: set[str]):
    """(path, scenario) per file, renamed `name-2`, `name-3` … where a name is already taken in the batch
    (so no report overwrites another); the scenario is None for a file that does not load."""
    import sys

    for path in files:
        try:
            sc = load_scenario(path)
        except InputError:
            yield path, None
            continue
        name, k = sc.name, 2
        while sc.name in taken:
            sc.name = f"{name}-{k}"
            k += 1
        if sc.name != name:
            print(f"note: {path.name} is named '{name}' like an earlier scenario of the batch; "
                  f"its report is {sc.name}", file=sys.stderr)
        taken.add(sc.name)
        yield path, sc


def cmd_discover(args: argparse.Namespace) -> int:
    """Monte Carlo, then PRIM boxes on the sampled inputs for one target's met/not outcome."""
    from agrosim.analysis.discovery import choose, prim, trajectory_table
    from agrosim.api import monte_carlo
    from agrosim.batch import read_columns
    from agrosim.targets import met_runs

    sc = load_scenario(args.scenario)
    tid = _target_id(sc, args.target)
    if not sc.uncertainty:
        raise InputError([Problem(sc.file, "uncertainty", "no uncertain parameters",
                                  "an `uncertainty:` section listing the inputs to explore")])
    check_design_size(sc, args.runs, "--runs", columns=len(sc.uncertainty))
    mc = monte_carlo(sc, args.runs, args.seed, args.chunk_size, args.workers, args.scheduler,
                     work_root=args.out, progress=True)
    import pyarrow.parquet as pq
    names = [c for c in pq.read_schema(mc.chunks[0]).names if c.startswith("in:")]
    inputs = pd.DataFrame(read_columns(mc.chunks, names)).rename(columns=lambda c: c[3:])
    met = met_runs(next(t for t in sc.targets if t.id == tid), mc.results)
    boxes = prim(inputs, met)
    best = choose(boxes, args.density)
    print(f"{tid}: met in {met.mean():.1%} of {len(met)} runs")
    print(f"met in {best.density:.0%} of runs when " + " and ".join(best.conditions())
          + f" (this box holds {best.coverage:.0%} of the successful runs, {best.support:.0%} of all runs)")
    with atomic_folder(Path(args.out), f"{sc.name}-discovery") as tmp:
        write_resolved(tmp, sc)
        trajectory_table(boxes).to_csv(tmp / f"prim_{tid}.csv", index=False)
    remove_store(mc.chunks[0].parent)
    return 0


def cmd_allocate(args: argparse.Namespace) -> int:
    """Split a budget across the scenario's `investments:` to maximise the objective."""
    from agrosim.analysis.allocate import BudgetProblem, recommend
    from agrosim.config.spec import ParamSpec, parse_scalar
    from agrosim.report.lang import check_lang

    check_lang(args.lang)
    sc = load_scenario(args.scenario)
    if not sc.investments:
        raise InputError([Problem(sc.file, "investments", "no investments",
                                  "an `investments:` section: name: {param, cost, ...}")])
    try:
        total = parse_scalar(args.budget, ParamSpec("budget", "yuan", "budget", lo=0))
    except ValueError as exc:
        raise InputError([Problem("command line", "--budget", *str(exc).split("; expected ", 1))]) from None
    first, last = sc.years[1], sc.years[-1]
    if args.years:
        a, _, b = args.years.partition("-")
        try:
            first, last = int(a), int(b or a)
        except ValueError:
            first, last = 0, -1
    if not sc.years[1] <= first <= last <= sc.years[-1]:
        raise InputError([Problem("command line", "--years", args.years, f"years within {sc.years[1]}-{sc.years[-1]}")])
    years = list(range(first, last + 1))
    names = [i.name for i in sc.investments]
    groups = {i.group for i in sc.investments}
    min_share = _shares(args.min_share, groups, "--min-share", "a group of the investments")
    max_share = _shares(args.max_share, set(names), "--max-share", "an investment name")
    plan = _shares(args.plan_shares, set(names), "--plan-shares", "an investment name") or None
    targets = args.targets.split(",") if args.targets else [t.id for t in sc.targets]
    for tid in targets:
        _target_id(sc, tid)
    candidates = math.comb(round(1 / args.step) + len(names) - 1, len(names) - 1)
    check_design_size(sc, candidates * args.runs, "--step/--runs", columns=len(names), all_indicators=True,
                      points=math.comb(round(5 / args.step) + len(names) - 1, len(names) - 1))
    problem = BudgetProblem(sc.investments, {y: total / len(years) for y in years}, min_share, max_share,
                            _investment_bounds(sc))
    try:
        tables = recommend(sc, problem, targets, args.objective, args.runs,
                           sc.seed if args.seed is None else args.seed, args.step, plan)
    except ValueError as exc:
        raise InputError([Problem("command line", "--min-share/--max-share", str(exc), "constraints some split meets")]) from None
    print(tables["allocation"][["lever", "share", "money_10k_yuan"]].to_string(index=False, float_format=lambda v: f"{v:,.3f}"))
    print(tables["probabilities"].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    from agrosim.analysis.tradeoffs import allocation_tradeoffs

    for record in allocation_tradeoffs(tables, sc, total):
        print(f"warning: {record.en}")
    sat = tables["saturation"].iloc[0].to_dict()
    if sat["money_matters"] and not sat["saturated"]:
        print(f"note: the objective stops improving from about {sat['from_yuan'] / 1e4:,.0f} 万元 "
              f"(reaching {sat['objective']:.3f}; budget curve in budget_curve.csv)")
    at_sat = {k.split(":", 1)[1]: v for k, v in sat.items() if k.startswith("share_at_saturation:")}
    if at_sat:
        print(f"  at {sat['from_yuan'] / 1e4:,.0f} 万元 the best split is "
              + ", ".join(f"{name} {share:.0%}" for name, share in at_sat.items())
              + "; above that, the recommended split is one of many that score the same")
    settings = {"budget_yuan": total, "budget": args.budget, "years": years, "objective": args.objective,
                "runs": args.runs, "seed": sc.seed if args.seed is None else args.seed, "step": args.step,
                "targets": targets, "min_share": min_share, "max_share": max_share, "plan_shares": plan,
                "saturation": {k: (float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
                               for k, v in tables["saturation"].iloc[0].to_dict().items()},
                "scenario_file": str(sc.file)}
    folder = _write_allocation(Path(args.out), sc, tables, settings, args.lang)
    print(f"written to {folder} (report.html: the scenario as declared, with the allocation section)")
    return 0


def _write_allocation(out: Path, sc, tables: dict, settings: dict, lang: str) -> Path:
    """reports/<name>-allocation/: first the data (the allocation tables in allocation/, and a deterministic
    run of the scenario as declared, without the budget), swapped in whole; then its report drawn from
    them. If drawing fails the finished allocation stays on disk and `agrosim report` can draw it."""
    from agrosim.api import run
    from agrosim.report.writer import rebuild_report, write_report

    base = run(sc)
    sc.name = f"{sc.name}-allocation"
    folder = write_report(out, sc, base.results, base.verdicts, lang=lang, allocation=(tables, settings), draw=False)
    try:
        rebuild_report(folder, lang)
    except Exception as exc:
        raise RuntimeError(f"the allocation results are kept in {folder}, but drawing its report failed "
                           f"({type(exc).__name__}: {exc}); retry with `agrosim report {folder}`") from exc
    return folder


def _investment_bounds(sc) -> dict[str, float]:
    """Feasible maximum of each invested driver that the model bounds (see analysis.levers)."""
    from agrosim.analysis.levers import feasible_range
    from agrosim.config.loader import param_paths

    specs = param_paths(sc.sectors)
    bounds = {}
    for inv in sc.investments:
        fs = feasible_range(sc, inv.param, specs[inv.param])
        if fs.limit:
            bounds[inv.param] = fs.high
    return bounds


def _shares(items: list[str] | None, allowed: set, flag: str, what: str) -> dict[str, float]:
    out = {}
    for item in items or []:
        for part in item.split(","):
            key, _, value = part.partition("=")
            try:
                share = float(value)
            except ValueError:
                share = -1.0
            if key not in allowed or not 0 <= share <= 1:
                raise InputError([Problem("command line", flag, repr(part), f"NAME=SHARE with NAME {what} "
                                          f"({', '.join(sorted(str(a) for a in allowed))}) and 0 ≤ SHARE ≤ 1")])
            out[key] = share
    return out
