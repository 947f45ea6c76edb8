"""Command handlers for the analysis commands: solve, sweep, sensitivity, batch."""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from agrosim.analysis.levers import lever, parse_range
from agrosim.batch import remove_store
from agrosim.config import load_scenario
from agrosim.errors import InputError, Problem, did_you_mean
from agrosim.report.charts import feasibility_map, tornado
from agrosim.report.writer import atomic_folder, save, write_resolved


def _target_id(scenario, target: str) -> str:
    ids = [t.id for t in scenario.targets]
    if target not in ids:
        raise InputError([Problem("command line", "--target", f"'{target}'{did_you_mean(target, ids)}",
                                  "one of the scenario's targets: " + ", ".join(ids))])
    return target


def cmd_solve(args: argparse.Namespace) -> int:
    from agrosim.analysis.solve import solve

    sc = load_scenario(args.scenario)
    low, high, _ = parse_range(args.range) if args.range else (None, None, None)
    lv = lever(sc, args.lever, low, high)
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
    seed = sc.seed if args.seed is None else args.seed
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
        from agrosim.analysis.probability import indicator_specs
        specs = indicator_specs(sc)
        if args.indicator not in specs:
            raise InputError([Problem("command line", "--indicator",
                                      f"'{args.indicator}'{did_you_mean(args.indicator, specs)}",
                                      "an indicator of the scenario's sectors")])
        f, label = sens.outcome(sc, indicator=args.indicator, year=args.year)
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
