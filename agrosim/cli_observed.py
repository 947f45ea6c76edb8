"""Command handlers for observed data: track, reforecast, calibrate, backtest (their options are declared
in the command table, cli.py); each handler imports what it needs."""
from __future__ import annotations

import argparse
from pathlib import Path

from agrosim import cli_args
from agrosim.errors import InputError, Problem, ValueProblem


def cmd_track(args: argparse.Namespace) -> int:
    from agrosim.analysis.tracking import plan_path, track
    from agrosim.prepare import load_scenario
    from agrosim.observed import load_observed
    from agrosim.report.tracking_charts import tracking_chart
    from agrosim.report.writer import atomic_output, output_dir, save, write_resolved

    sc = load_scenario(args.scenario)
    table = track(sc, load_observed(args.observed, sc), args.path, args.tolerance)
    if table.empty:
        print("no observed values fall between the base year and a target year")
    else:
        print(table[["target", "year", "observed", "implied", "unit", "status", "growth_needed_per_yr"]]
              .to_string(index=False, float_format=lambda v: f"{v:,.4g}"))
    with atomic_output(Path(args.out), sc.name, "track") as tmp:
        write_resolved(tmp, sc)
        table.to_csv(tmp / "tracking.csv", index=False)
        for tg in sc.targets:
            rows = table[table.target == tg.id]
            if len(rows):
                save(tracking_chart(rows, plan_path(rows, tg.kind), tg.kind, tg.en, tg.zh, from_year=tg.from_year),
                     tmp / f"tracking_{tg.id}.png")
    print(f"written to {output_dir(Path(args.out), sc.name, 'track')}; for a tracking section in a report: "
          f"agrosim run {args.scenario} --observed {args.observed}")
    return 0


def cmd_reforecast(args: argparse.Namespace) -> int:
    from agrosim.api import monte_carlo, run
    from agrosim.batch import check_design_size
    from agrosim.prepare import load_scenario
    from agrosim.observed import by_year, load_observed

    overrides = {"end_year": args.to} if args.to else None
    sc = load_scenario(args.scenario, overrides)
    obs = by_year(load_observed(args.observed, sc), sc.years)
    if args.runs:
        check_design_size(sc, args.runs, "--runs")
        done = monte_carlo(sc, args.runs, args.seed, args.chunk_size, args.workers, args.scheduler,
                           work_root=args.out, progress=True, observed=obs)
    else:
        done = run(sc, observed=obs)
    folder = done.write(args.out, command="reforecast-mc" if args.runs else "reforecast")
    cols = [c for c in ("target", "year", "target_value", "projected", "unit", "verdict", "p_met") if c in done.verdicts]
    print(done.verdicts[cols].to_string(index=False, float_format=lambda v: f"{v:,.3f}", na_rep=""))
    print(f"report written to {folder}")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from agrosim.analysis.levers import lever, parse_range
    from agrosim.prepare import load_scenario
    from agrosim.analysis.tracking import calibrate, calibrated_yaml
    from agrosim.units import convert
    from agrosim.observed import load_observed

    cli_args.check_file_out("--write", args.write)
    sc = load_scenario(args.scenario)
    if args.history is not None:
        return _calibrate_history(args, sc)
    if args.observed is None or not args.fit:
        raise InputError([Problem("command line", "calibrate", "neither --history nor both --observed and --fit",
                                  "--observed CSV --fit PATH (trend parameters), or --history CSV (trend and spread)")])
    observed = load_observed(args.observed, sc)
    levers, shown = [], []
    for item in args.fit:
        path, _, rng = item.partition("=")
        low, high, _ = parse_range(rng) if rng else (None, None, None)
        levers.append(lever(sc, path.strip(), low, high))
        shown.append(_written_unit(low, levers[-1].spec.unit))
    try:
        fit = calibrate(sc, observed, levers)
    except ValueProblem as exc:
        raise InputError([exc.at(args.observed, "")]) from None
    for path, unit, value, se, show in zip(fit.params, fit.units, fit.values, fit.std_errors, shown):
        factor = float(convert(1.0, unit, show))  # the fit is in the parameter's own unit
        print(f"{path} = {value * factor:.6g} {show} (standard error {se * factor:.3g} {show})")
    print(f"{fit.points} points, RMS relative residual {fit.rms_relative:.3%}")
    name = f"{sc.name}_calibrated"

    def scenario_for(target: Path) -> dict:
        extends = Path(sc.file) if target.is_absolute() else Path(sc.file).resolve()
        return calibrated_yaml(_relative(extends, target), fit, str(args.observed), name)
    written = _write_fitted(args, sc, "calibrate", name, ("residuals.csv", fit.residuals), scenario_for)
    print(f"calibrated scenario: {written}")
    return 0


def _write_fitted(args: argparse.Namespace, sc, command: str, name: str, table: tuple, scenario_for) -> Path:
    """OUT/<name>/<command>/ with the resolved scenario, the fit's table and the fitted scenario
    `name`.yaml (also at --write when given); `scenario_for(path)` builds it for the file it goes to.
    Returns where the fitted scenario is."""
    import yaml

    from agrosim.report.writer import atomic_output, output_dir, write_resolved

    with atomic_output(Path(args.out), sc.name, command) as tmp:
        write_resolved(tmp, sc)
        table[1].to_csv(tmp / table[0], index=False)
        target = Path(args.write) if args.write else tmp / f"{name}.yaml"
        text = yaml.safe_dump(scenario_for(target), allow_unicode=True, sort_keys=False)
        (tmp / f"{name}.yaml").write_text(text, "utf-8")
        if args.write:
            target.write_text(text, "utf-8")
    return Path(args.write) if args.write else output_dir(Path(args.out), sc.name, command) / f"{name}.yaml"


def _calibrate_history(args: argparse.Namespace, sc) -> int:
    """Trend and weather spread of one series from the years before the base year, as a scenario."""
    from agrosim.analysis.tracking import fit_trend_spread, spread_yaml
    from agrosim.registry import param_paths
    from agrosim.observed import load_observed

    known = param_paths(sc.sectors)
    for option, path, unit in (("--trend", args.trend, "1/yr"), ("--weather", args.weather, "1")):
        spec = known.get(path)
        if spec is None or spec.unit != unit or (option == "--weather" and not spec.time_varying):
            want = "a growth rate in 1/yr" if option == "--trend" else "a yearly factor (unit 1, time-varying)"
            raise InputError([Problem("command line", option, f"'{path}'", f"{want} of an active sector, "
                                      "e.g. land_grain.yield_trend_per_yr / land_grain.weather_yield_factor")])
    history = load_observed(args.history, sc)
    try:
        fit = fit_trend_spread(history, args.indicator, sc.base_year)
    except ValueProblem as exc:
        raise InputError([exc.at(args.history, args.indicator)]) from None
    print(f"{fit.indicator}: {fit.points} years {fit.years[0]}–{fit.years[1]}")
    print(f"trend  {fit.trend_per_yr:+.3%}/yr (standard error {fit.trend_se:.3%}/yr) -> {args.trend}")
    print(f"spread {fit.spread:.3%} a year around the trend (standard error {fit.spread_se:.3%}) -> {args.weather}")
    name = f"{sc.name}_weather"
    written = _write_fitted(
        args, sc, "calibrate-weather", name, ("history_fit.csv", fit.residuals),
        lambda target: spread_yaml(_relative(Path(sc.file), target), fit, str(args.history), name, args.trend,
                                   args.weather))
    print(f"scenario with the fitted trend and spread: {written}")
    return 0


def _written_unit(text: str | None, internal: str) -> str:
    """The unit of a value as the user wrote it ('-5 %/yr' → '%/yr'), else the plans' unit for `internal`."""
    from agrosim.units import display_unit, parse_quantity

    if text:
        try:
            _, unit = parse_quantity(text)
            if unit.text:
                return unit.text
        except ValueError:
            pass
    return display_unit(internal)


def _relative(path: Path, written_to: Path) -> str:
    """`path` as an extends reference from the folder the new file will live in."""
    import os

    return os.path.relpath(path.resolve(), Path(written_to).resolve().parent)


def cmd_backtest(args: argparse.Namespace) -> int:
    from agrosim.analysis.tracking import backtest
    from agrosim.prepare import load_scenario
    from agrosim.observed import load_observed
    from agrosim.report.tracking_charts import backtest_chart
    from agrosim.report.writer import atomic_output, save, write_resolved

    sc = load_scenario(args.scenario)
    points, summary = backtest(sc, load_observed(args.observed, sc))
    print(summary.to_string(index=False, float_format=lambda v: f"{v:.2f}") if not summary.empty
          else "no observed values after the base year")
    with atomic_output(Path(args.out), sc.name, "backtest") as tmp:
        write_resolved(tmp, sc)
        points.to_csv(tmp / "backtest_points.csv", index=False)
        summary.to_csv(tmp / "backtest_summary.csv", index=False)
        for ind in summary.indicator:
            save(backtest_chart(points[points.indicator == ind], ind), tmp / f"backtest_{ind}.png")
    return 0
