"""Command handlers for the analysis commands: solve, sweep, sensitivity, batch."""
from __future__ import annotations

import argparse
import math
from pathlib import Path

import pandas as pd

from agrosim.analysis.levers import lever, parse_range
from agrosim import cli_args
from agrosim.batch import check_design_size, remove_store
from agrosim.cli_run import load_for_draws
from agrosim.errors import InputError, Problem, ValueProblem, did_you_mean
from agrosim.report.charts import feasibility_map, tornado
from agrosim.report.lang import chart_context, check_lang, t, unit
from agrosim.report.lang import label as say
from agrosim.report.tables import convert, in_plan_units, lever_axis, lever_label
from agrosim.units import display_unit
from agrosim.report.writer import (atomic_folder, atomic_output, output_dir, report_dir, save, write_comparison,
                                   write_resolved)


class _NothingWritten(Exception):
    """Every scenario of a batch failed: leave the previous batch folder as it was."""


def _target_id(scenario, target: str) -> str:
    ids = [t.id for t in scenario.targets]
    if target not in ids:
        raise InputError([Problem("command line", "--target", f"'{target}'{did_you_mean(target, ids)}",
                                  "one of the scenario's targets: " + ", ".join(ids))])
    return target


def cmd_solve(args: argparse.Namespace) -> int:
    from agrosim.analysis.solve import solve

    sc = load_for_draws(args)
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
    shown = display_unit(lv.spec.unit)
    answers = in_plan_units(pd.DataFrame(rows), {c: (lv.spec.unit, shown)
                                                 for c in ("value", "current", "low", "high", "tolerance")})
    with atomic_output(Path(args.out), sc.name, f"solve-{lv.path}") as tmp:
        write_resolved(tmp, sc)
        answers.to_csv(tmp / "solve.csv", index=False)
    print(f"written to {output_dir(Path(args.out), sc.name, f'solve-{lv.path}')}")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from agrosim.analysis.sweep import design_points, sweep
    from agrosim.engine import recorded_indicators

    check_lang(args.lang)
    sc = load_for_draws(args)
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
    specs = recorded_indicators(sc)
    units = {lv.path: (lv.spec.unit, display_unit(lv.spec.unit)) for lv in levers}
    units.update({f"value:{tg.id}": (specs[tg.indicator].unit, tg.unit_written) for tg in sc.targets})
    shown = in_plan_units(table, units)  # levers and values in the plans' units, columns 'name [unit]'
    with atomic_output(Path(args.out), sc.name, f"sweep-{args.design}") as tmp:
        write_resolved(tmp, sc)
        shown.to_csv(tmp / "sweep.csv", index=False)
        if len(levers) == 2 and args.design == "grid":
            x, y = (f"{lv.path} [{units[lv.path][1]}]" for lv in levers)
            with chart_context(args.lang):
                for tg in sc.targets:
                    fig = feasibility_map(shown, x, y, f"p_met:{tg.id}",
                                          t(args.lang, "pmet_in", label=say(args.lang, tg.en, tg.zh), year=tg.year),
                                          lever_axis(levers[0].path, levers[0].spec, args.lang),
                                          lever_axis(levers[1].path, levers[1].spec, args.lang), args.lang)
                    save(fig, tmp / f"feasibility_{tg.id}.png")
    share = {c.split(":", 1)[1]: table[c].mean() for c in table.columns if c.startswith("p_met:")}
    print(f"{sc.name}: {len(points)} points × {args.reps} replicate(s)")
    beyond = int((~table["feasible"]).sum())
    if beyond:
        print(f"  warning: {beyond} point(s) beyond a lever's feasible range (the scenario's own value); "
              "see the `feasible` column")
    for tid, frac in share.items():
        print(f"  {tid}: met (mean P) over the design: {frac:.1%}")
    print(f"written to {output_dir(Path(args.out), sc.name, f'sweep-{args.design}')}")
    remove_store(store)
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from agrosim.analysis import sensitivity as sens

    check_lang(args.lang)
    sc = load_for_draws(args)
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
        if d < 2:  # SciPy's estimator needs two inputs; with one, its index is 1 by definition
            raise InputError([Problem("command line", "--method", f"sobol with {d} uncertain input",
                                      "at least two uncertain inputs for Sobol indices (tornado or morris rank one)")])
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
    table, outcome_text = _sensitivity_in_plan_units(sc, table, args)
    print(f"{sc.name}: {args.method} sensitivity of {label}")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    outcome = args.target or (args.indicator if args.year is None else f"{args.indicator}-{args.year}")
    command = f"sensitivity-{args.method}-{outcome}"
    with atomic_output(Path(args.out), sc.name, command) as tmp:
        write_resolved(tmp, sc)
        table.to_csv(tmp / f"{args.method}.csv", index=False)
        if args.method == "tornado":
            names = dict(zip(table["param"], table["name"] + " [" + table["input_unit"] + "]"))
            with chart_context(args.lang):
                save(tornado(table, t(args.lang, "drives", name=sc.name, outcome=outcome_text), outcome_text,
                             args.lang, names), tmp / "tornado.png")
    print(f"written to {output_dir(Path(args.out), sc.name, command)}")
    return 0


def _sensitivity_in_plan_units(sc, table: pd.DataFrame, args) -> tuple[pd.DataFrame, str]:
    """The sensitivity table with each input named in the language and its percentiles in the plans' unit
    (`input_unit`), an indicator outcome in its plans' unit; and the outcome as words for the chart."""
    from agrosim.registry import param_paths
    from agrosim.engine import recorded_indicators

    specs = param_paths(sc.sectors)
    table = table.copy()
    table.insert(1, "name", [lever_label(p, specs[p], args.lang) if p in specs else p for p in table["param"]])
    shown_units = [unit(args.lang, display_unit(specs[p].unit)) if p in specs else "" for p in table["param"]]
    for column in ("low_input", "high_input"):
        if column in table:
            table[column] = [float(convert(v, specs[p].unit, display_unit(specs[p].unit))) if p in specs else v
                             for p, v in zip(table["param"], table[column])]
    table.insert(2, "input_unit", shown_units)
    if args.target:
        tg = next(x for x in sc.targets if x.id == args.target)
        return table, t(args.lang, "met_of", label=say(args.lang, tg.en, tg.zh), year=tg.year)
    ind = recorded_indicators(sc)[args.indicator]
    shown = ind.display_unit  # the outcome (Results.series) is already in it
    table["outcome_unit"] = shown
    year = args.year or sc.end_year
    return table, f"{say(args.lang, ind.en, ind.zh)} {year} [{unit(args.lang, shown)}]"


def cmd_batch(args: argparse.Namespace) -> int:
    """Run every scenario in a folder (deterministic, or Monte Carlo with --runs); bad files are
    reported and skipped, finished reports are kept; a summary table compares the scenarios."""
    import sys

    from agrosim.analysis.findings import with_warnings
    from agrosim.api import monte_carlo, run
    from agrosim.cli_run import verdict_thresholds
    from agrosim.results import quantile_table

    thresholds = verdict_thresholds(args)  # with --runs, the P(met) classes of every scenario's verdicts
    folder = Path(args.folder)
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    if not folder.is_dir() or not files:
        raise InputError([Problem(str(folder), "", "no .yaml scenarios" if folder.is_dir() else "no such folder",
                                  "a folder of scenario YAML files")])
    name = f"batch-{folder.resolve().name}"
    report_dir(Path(args.out), name)  # refuses a folder name that cannot name the summary, up front
    final = output_dir(Path(args.out), name, None)
    rows, failed = [], []
    try:
        with atomic_folder(Path(args.out), name) as tmp:
            quantiles, scenarios = {}, {}
            for path, sc in _unique_names(files, {name}, lambda p: load_for_draws(args, p)):
                try:
                    if sc is None:
                        sc = load_for_draws(args, path)  # raises the file's problems
                    if args.runs:
                        check_design_size(sc, args.runs, "--runs")
                        done = monte_carlo(sc, args.runs, args.seed, args.chunk_size, args.workers, args.scheduler,
                                           work_root=args.out, progress=False, thresholds=thresholds)
                    else:
                        done = run(sc)
                    report = done.write(tmp, args.lang, command=None)
                except InputError as exc:
                    failed.append(path)
                    print(f"skipped {path}:\n{exc.message()}", file=sys.stderr)
                    continue
                rows.append(with_warnings(done.verdicts, done.tradeoffs()).assign(
                    scenario=done.scenario.name, region=done.scenario.region.id))
                # the runs' quantiles, as in the report: a Monte Carlo's bands, else those of the run
                quantiles[done.scenario.name] = done.bands if args.runs else quantile_table(done.frame())
                scenarios[done.scenario.name] = done.scenario
                print(f"{path.name}: {len(done.scenario.targets)} targets → {final / report.name}")
            if not rows:
                raise _NothingWritten
            summary = pd.concat(rows, ignore_index=True)
            cols = ["scenario", "region", "target", "year", "kind", "target_value", "projected", "gap_pct", "unit",
                    "verdict", "p_met", "p_low", "p_high", "source", "warnings"]
            summary[[c for c in cols if c in summary]].to_csv(tmp / "summary.csv", index=False)
            write_comparison(tmp, quantiles, scenarios, args.lang)
    except _NothingWritten:
        return 2
    print(f"summary: {final / 'summary.csv'}")
    return 2 if failed else 0


def _unique_names(files: list[Path], taken: set[str], load):
    """(path, scenario) per file, renamed `name-2`, `name-3` … where a name is already taken in the batch
    (so no report overwrites another); the scenario is None for a file that does not load."""
    import sys

    for path in files:
        try:
            sc = load(path)
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
    from agrosim.registry import param_paths
    from agrosim.targets import met_runs

    check_lang(args.lang)
    sc = load_for_draws(args)
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
    specs = param_paths(sc.sectors)

    def plan_units(name: str, value: float) -> str:  # a box limit in the plans' unit ('path|year': one year's draw)
        spec = specs.get(name.split("|")[0])
        if spec is None:
            return f"{value:.4g}"
        shown = display_unit(spec.unit)
        return f"{float(convert(value, spec.unit, shown)):.4g} {shown}"
    print(f"{tid}: met in {met.mean():.1%} of {len(met)} runs")
    print(f"met in {best.density:.0%} of runs when " + " and ".join(best.conditions(plan_units))
          + f" (this box holds {best.coverage:.0%} of the successful runs, {best.support:.0%} of all runs)")
    with atomic_output(Path(args.out), sc.name, f"discover-{tid}") as tmp:
        write_resolved(tmp, sc)
        trajectory_table(boxes, plan_units).to_csv(tmp / f"prim_{tid}.csv", index=False)
    remove_store(mc.chunks[0].parent)
    print(f"written to {output_dir(Path(args.out), sc.name, f'discover-{tid}')}")
    return 0


def cmd_allocate(args: argparse.Namespace) -> int:
    """Split a budget across the scenario's `investments:` to maximise the objective."""
    from agrosim.analysis.allocate import BudgetProblem, recommend
    from agrosim.config.spec import ParamSpec, parse_scalar
    from agrosim.report.lang import check_lang

    check_lang(args.lang)
    sc = load_for_draws(args)
    if not sc.investments:
        raise InputError([Problem(sc.file, "investments", "no investments",
                                  "an `investments:` section: name: {param, cost, ...}")])
    try:
        total = parse_scalar(args.budget, ParamSpec("budget", "yuan", "budget", lo=0))
    except ValueProblem:  # the parser's message words the same unit rules for scenario files
        raise InputError([Problem("command line", "--budget", repr(args.budget),
                                  "a sum of money ≥ 0 with its unit, e.g. '4.38 亿元' or '600 万元'")]) from None
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
    except ValueProblem as exc:
        raise InputError([exc.at("command line", "--min-share/--max-share")]) from None
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
    """OUT/<name>/allocate/: first the data (the allocation tables in allocation/, and a deterministic
    run of the scenario as declared, without the budget), swapped in whole; then its report drawn from
    them. If drawing fails the finished allocation stays on disk and `agrosim report` can draw it."""
    from agrosim.analysis.report_inputs import report_findings
    from agrosim.api import run
    from agrosim.cli_run import rebuild
    from agrosim.report.writer import ALLOCATE, write_report

    base = run(sc)
    folder = write_report(out, sc, base.results, base.verdicts, lang=lang, allocation=(tables, settings), draw=False,
                          command=ALLOCATE, findings=report_findings(sc, base.results, base.verdicts))
    try:
        rebuild(folder, lang)
    except Exception as exc:
        raise RuntimeError(f"the allocation results are kept in {folder}, but drawing its report failed "
                           f"({type(exc).__name__}: {exc}); retry with `agrosim report {folder}`") from exc
    return folder


def _investment_bounds(sc) -> dict[str, float]:
    """Feasible maximum of each invested driver that the model bounds (see analysis.levers)."""
    from agrosim.analysis.levers import feasible_range
    from agrosim.registry import param_paths

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
