"""Command line: `agrosim run|validate|list`. Exit 0 ok, 2 bad input (no traceback), 1 internal error.

The parser and `list` need only the standard library; each command imports the stack it uses when it
runs (numpy, pandas, pyarrow, matplotlib and jinja2 cost about a second to import).
"""
from __future__ import annotations

import argparse
import os
import sys
from importlib import import_module
from pathlib import Path

from agrosim import cli_args
from agrosim.errors import InputError, ModelError, Problem, did_you_mean
from agrosim.paths import bundled_params_dir, bundled_scenarios_dir

COMMANDS = ("run", "mc", "solve", "sweep", "sensitivity", "discover", "batch", "track", "reforecast", "calibrate",
            "backtest", "allocate", "report", "serve", "validate", "list", "regions")


USAGE = """usage: agrosim COMMAND [options]   (agrosim --help lists every command; agrosim COMMAND --help its options)

  agrosim run scenarios/shanxi_grain_2025.yaml            one run: projected value, gap and verdict per target
  agrosim mc scenarios/shanxi_grain_2025.yaml --runs 2000 how likely: P(met) per target and jointly

  agrosim list                                            bundled scenarios and regions
Reports go to reports/<scenario name>/<command>/ (--out changes reports/)."""


def build_parser() -> argparse.ArgumentParser:
    import agrosim

    parser = argparse.ArgumentParser(prog="agrosim", description="Can a region reach its agricultural plan targets? "
                                     "Results go to OUT/<scenario name>/<command>/ (OUT: --out, default reports).")
    parser.add_argument("--version", action="version", version=f"agrosim {agrosim.__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="run a scenario, print target verdicts, write reports/<name>/run/")
    p_run.add_argument("scenario", help="scenario YAML file")
    _out_option(p_run)
    _lang_option(p_run)
    _tradeoff_option(p_run)
    _observed_options(p_run)
    _strict_option(p_run)
    p_mc = sub.add_parser("mc", help="Monte Carlo over the scenario's uncertainty: P(met) per target and jointly")
    p_mc.add_argument("scenario", help="scenario YAML file")
    p_mc.add_argument("--runs", type=_positive, default=None, help="number of runs (default: the scenario's runs)")
    p_mc.add_argument("--seed", type=_non_negative, default=None, help="master seed (default: the scenario's seed)")
    p_mc.add_argument("--record", default=None, metavar="all|NAME,...",
                      help="indicators kept per run beyond the targets' (comma-separated), or all "
                           "(default: targets' indicators and inputs; bands cover every indicator)")
    _lang_option(p_mc)
    _tradeoff_option(p_mc)
    _observed_options(p_mc)
    _batch_options(p_mc)
    _verdict_options(p_mc)
    p_solve = sub.add_parser("solve", help="the lever value at which a target is met (or met with probability ≥ p)")
    p_solve.add_argument("scenario", help="scenario YAML file")
    p_solve.add_argument("--lever", required=True, help="parameter path, e.g. land_grain.hsf_build_mu_per_yr")
    p_solve.add_argument("--target", default=None, help="target id (default: every target)")
    p_solve.add_argument("--range", default=None, help="LOW:HIGH with units (default: the documented range)")
    p_solve.add_argument("--direction", choices=("min", "max"), default="min",
                         help="smallest value that meets (min, default) or largest that still meets (max)")
    p_solve.add_argument("--probability", type=_probability, default=None, help="required P(met), e.g. 0.8")
    p_solve.add_argument("--runs", type=_positive, default=1000, help="Monte Carlo runs per lever value")
    p_solve.add_argument("--seed", type=_non_negative, default=None)
    _out_option(p_solve)
    p_sweep = sub.add_parser("sweep", help="targets over a design of lever values (grid, lhs, sobol, oat)")
    p_sweep.add_argument("scenario", help="scenario YAML file")
    p_sweep.add_argument("--param", action="append", required=True,
                         help="PATH[=LOW:HIGH[:N]], repeatable (range defaults to the documented one)")
    p_sweep.add_argument("--design", choices=("grid", "lhs", "sobol", "oat"), default="grid")
    p_sweep.add_argument("--points", type=_positive, default=9, help="grid points per lever (default 9)")
    p_sweep.add_argument("--samples", type=_positive, default=256, help="points for lhs/sobol (default 256)")
    p_sweep.add_argument("--reps", type=_positive, default=1, help="Monte Carlo replicates per point (default 1)")
    p_sweep.add_argument("--seed", type=_non_negative, default=None)
    _lang_option(p_sweep)
    _batch_options(p_sweep)
    p_sens = sub.add_parser("sensitivity", help="rank the uncertain inputs: tornado, morris or sobol")
    p_sens.add_argument("scenario", help="scenario YAML file")
    p_sens.add_argument("--method", choices=("tornado", "morris", "sobol"), default="tornado")
    what = p_sens.add_mutually_exclusive_group(required=True)
    what.add_argument("--target", help="outcome: whether this target is met")
    what.add_argument("--indicator", help="outcome: this indicator's value")
    p_sens.add_argument("--year", type=int, default=None, help="year of the indicator (default: end year)")
    p_sens.add_argument("--samples", type=_positive, default=1024,
                        help="sobol: base sample size (power of 2); morris: trajectories")
    p_sens.add_argument("--seed", type=_non_negative, default=0)
    _lang_option(p_sens)
    _out_option(p_sens)
    p_disc = sub.add_parser("discover", help="which input ranges make a target feasible (PRIM boxes)")
    p_disc.add_argument("scenario", help="scenario YAML file")
    p_disc.add_argument("--target", required=True, help="target id")
    p_disc.add_argument("--runs", type=_positive, default=10_000, help="Monte Carlo runs (default 10000)")
    p_disc.add_argument("--density", type=_probability, default=0.8,
                        help="required share of successes inside the box (default 0.8)")
    p_disc.add_argument("--seed", type=_non_negative, default=None)
    _lang_option(p_disc)
    _batch_options(p_disc)
    p_batch = sub.add_parser("batch", help="run every scenario in a folder; a summary compares them")
    p_batch.add_argument("folder", help="folder of scenario YAML files")
    p_batch.add_argument("--runs", type=_positive, default=None, help="Monte Carlo runs per scenario (default: one run)")
    p_batch.add_argument("--seed", type=_non_negative, default=None)
    _lang_option(p_batch)
    _batch_options(p_batch, "folder that receives batch-<FOLDER>/: a report per scenario, summary.csv and "
                            "comparison charts (default: reports)")
    p_alloc = sub.add_parser("allocate", help="split a budget across the scenario's investments to meet the most targets")
    p_alloc.add_argument("scenario", help="scenario YAML file with an `investments:` section")
    p_alloc.add_argument("--budget", required=True, help="total budget with unit, e.g. '4.38 亿元'")
    p_alloc.add_argument("--years", default=None, help="FIRST-LAST years the budget is spent over, evenly (default: all)")
    p_alloc.add_argument("--objective", choices=("expected-targets-met", "joint-probability", "min-probability"),
                         default="expected-targets-met")
    p_alloc.add_argument("--targets", default=None, help="comma-separated target ids (default: all)")
    p_alloc.add_argument("--min-share", action="append", help="GROUP=SHARE, e.g. industry=0.6 (repeatable)")
    p_alloc.add_argument("--max-share", action="append", help="INVESTMENT=SHARE cap (repeatable)")
    p_alloc.add_argument("--plan-shares", action="append", help="the plan's own split NAME=SHARE,... to compare")
    p_alloc.add_argument("--runs", type=_positive, default=300, help="Monte Carlo runs per candidate split")
    p_alloc.add_argument("--step", type=_probability, default=0.05, help="grid step of the shares (default 0.05)")
    p_alloc.add_argument("--seed", type=_non_negative, default=None)
    _out_option(p_alloc, "folder that receives <name>/allocate/: the allocation tables and a report of the "
                         "scenario as declared with the allocation section (default: reports)")
    _lang_option(p_alloc)
    from agrosim.cli_observed import add_parsers

    add_parsers(sub, _batch_options)
    p_report = sub.add_parser("report", help="redraw charts, report.html and results.xlsx of a report folder")
    p_report.add_argument("folder", help="report folder, e.g. reports/shanxi_grain_2025/run, or reports/<name> "
                                         "for every report below it")
    _lang_option(p_report)
    p_report.add_argument("--observed", default=None,
                          help="CSV of observed values to keep in the folder (replacing any before): adds the "
                               "tracking section")
    p_report.add_argument("--path", choices=("linear", "growth"), default=None,
                          help="plan's implied path for tracking (default: as before, else linear)")
    p_report.add_argument("--tolerance", type=_fraction, default=None,
                          help="relative band counted as on track (default: as before, else 0.02)")
    p_report.add_argument("--allocation", default=None,
                          help="folder written by `agrosim allocate` for the same scenario: adds the allocation "
                               "section")
    p_serve = sub.add_parser("serve", help="live what-if explorer in the browser (needs the 'serve' extra)")
    p_serve.add_argument("scenario", help="scenario YAML file")
    p_serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    p_serve.add_argument("--port", type=_non_negative, default=0, help="port (default 0: a free one)")
    p_serve.add_argument("--runs", type=_positive, default=2000, help="Monte Carlo runs per change (default 2000)")
    p_serve.add_argument("--out", default="reports", help="folder for saved scenarios (OUT/scenarios/) and exported "
                                                        "reports (OUT/<name>/run/) (default: reports)")
    p_val = sub.add_parser("validate", help="check a scenario without running it")
    p_val.add_argument("scenario", help="scenario YAML file")
    _strict_option(p_val)
    sub.add_parser("list", help="list bundled scenarios and region parameter files")
    p_regions = sub.add_parser("regions", help="compare the targets of nested regions (county in city in province)")
    p_regions.add_argument("folder", nargs="?", default=None,
                           help="folder of region files (default: the bundled params/)")
    p_regions.add_argument("--csv", default=None, metavar="FILE", help="also write the table to this CSV file")
    p_regions.add_argument("--wide", action="store_true",
                           help="every column on one line (default: about 100 columns, notes below the table)")
    for p in (p_solve, p_sweep, p_sens, p_disc, p_alloc, p_batch):
        _fixed_option(p)
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: expected a whole number ≥ 1")
    return value


def _probability(text: str) -> float:
    value = float(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"{text}: expected a probability strictly between 0 and 1")
    return value


def _non_negative(text: str) -> int:
    value = int(text)
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"{text}: expected a whole number from 0 to 2^63 - 1")
    return value


def _fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"{text}: expected a fraction between 0 and 1, e.g. 0.02")
    return value


def _observed_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--observed", default=None,
                   help="CSV of observed values (region, indicator, year, value, unit, source): the report gains a "
                        "tracking section, observed against the plan's implied path (the run is not changed; "
                        "`agrosim reforecast` starts from them)")
    p.add_argument("--path", choices=("linear", "growth"), default="linear",
                   help="plan's implied path for tracking: straight line or constant growth (default: linear)")
    p.add_argument("--tolerance", type=_fraction, default=0.02,
                   help="relative band counted as on track (default: 0.02)")


def _tracking(args) -> dict | None:
    """The report's tracking settings from --observed/--path/--tolerance, or None without --observed."""
    if getattr(args, "observed", None) is None:
        return None
    return {"tracking_path": args.path, "tracking_tolerance": args.tolerance}


def _strict_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--strict", action="store_true",
                   help="refuse (exit 2) base-year figures that contradict each other instead of warning")


def _base_year_check(scenario, strict: bool) -> None:
    """Base figures that contradict each other: exit 2 under --strict, else one warning each."""
    from agrosim.baseyear import check

    for line in check(scenario, strict):
        print(f"warning: {line}", file=sys.stderr)


def _lang_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=("en", "zh"), default="en", help="language of charts and report (default: en)")


def _tradeoff_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--warn-import-share", type=_fraction, default=0.5,
                   help="warn when more than this share of a feed class is brought in (default: 0.5)")


def _print_tradeoffs(scenario, args, land_warned: bool) -> None:
    """The trade-offs behind the verdicts (land cut, feed imported or capped, levers at a bound), one
    'trade-off:' line each on stdout, right under the verdict table."""
    from agrosim.analysis.tradeoffs import TradeOffThresholds, lines, scenario_tradeoffs

    for line in lines(scenario_tradeoffs(scenario, TradeOffThresholds(import_share=args.warn_import_share)),
                      land_warned=land_warned):
        print(f"trade-off: {line}")


def _fixed_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--fixed-assumptions", action="store_true",
                   help="hold every `assumption: true` parameter at its value instead of drawing it over its range")


def _verdict_options(p: argparse.ArgumentParser) -> None:
    _fixed_option(p)
    p.add_argument("--likely", type=_probability, default=0.8, help="P(met) from which a target is likely (default 0.8)")
    p.add_argument("--unlikely", type=_probability, default=0.2,
                   help="P(met) up to which a target is unlikely (default 0.2)")


def _thresholds(args):
    from agrosim.targets import Thresholds

    try:
        return Thresholds(args.likely, args.unlikely)
    except ValueError as exc:
        raise InputError([Problem("command line", "--likely/--unlikely", *str(exc).split("; expected "))]) from None


def load_for_draws(args, path=None):
    """The scenario (`path`, else args.scenario), with its placeholders held when --fixed-assumptions is given."""
    from agrosim.prepare import load_scenario

    fixed = {"fixed_assumptions": True} if getattr(args, "fixed_assumptions", False) else None
    return load_scenario(path or args.scenario, fixed)


def _out_option(p: argparse.ArgumentParser, text: str | None = None) -> None:
    p.add_argument("--out", default="reports", help=text or "folder that receives <name>/<command>/, one folder per "
                                                            "command so none replaces another (default: reports)")


def _batch_options(p: argparse.ArgumentParser, out_help: str | None = None) -> None:
    _out_option(p, out_help)
    p.add_argument("--workers", type=cli_args.workers, default=1, help="local worker processes (default 1)")
    p.add_argument("--chunk-size", type=_positive, default=10_000, help="runs per chunk (default 10000)")
    p.add_argument("--scheduler", type=cli_args.scheduler, default=None,
                   help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")


def _verdict_table(verdicts) -> str:
    table = verdicts[["target", "year", "kind", "target_value", "projected", "gap", "gap_pct", "unit", "verdict"]]
    return table.to_string(index=False, float_format=lambda v: f"{v:,.1f}")


def _print_warnings(scenario, warnings: list[str]) -> None:
    """Land over-commitment and targets beyond biology, one line each on stderr."""
    from agrosim.analysis.biology import beyond_biology

    for line in [*warnings, *beyond_biology(scenario)]:
        print(f"warning: {line}", file=sys.stderr)


def _cmd_run(args) -> int:
    from agrosim.api import run
    from agrosim.prepare import load_scenario
    from agrosim.report.lang import check_lang
    from agrosim.report.writer import write_report

    check_lang(args.lang)
    sc = load_scenario(args.scenario)
    _check_observed(args, sc)
    _base_year_check(sc, args.strict)
    result = run(sc)
    folder = write_report(Path(args.out), result.scenario, result.results, result.verdicts, lang=args.lang,
                          observed=args.observed, tracking=_tracking(args),
                          tradeoff_thresholds={"import_share": args.warn_import_share})
    print(f"{result.scenario.name} ({result.scenario.region.en} {result.scenario.region.zh}), "
          f"{result.scenario.base_year}–{result.scenario.end_year}")
    print(_verdict_table(result.verdicts))
    _print_tradeoffs(result.scenario, args, bool(result.results.warnings))
    _print_warnings(result.scenario, result.results.warnings)
    print(f"\nreport written to {folder}")
    return 0


def _cmd_mc(args) -> int:
    from agrosim.api import check_batch_size, monte_carlo
    from agrosim.batch import check_design_size, remove_store
    from agrosim.report.lang import check_lang
    from agrosim.report.writer import write_report

    check_lang(args.lang)
    thresholds = _thresholds(args)
    sc = load_for_draws(args)
    _check_observed(args, sc)
    check_batch_size(args.runs or sc.runs, args.chunk_size, len(sc.years))
    check_design_size(sc, args.runs or sc.runs, "--runs")
    record = None if args.record is None else "all" if args.record == "all" else args.record.split(",")
    mc = monte_carlo(sc, args.runs, args.seed, args.chunk_size, args.workers, args.scheduler,
                     work_root=args.out, progress=True, thresholds=thresholds, record=record)
    folder = write_report(Path(args.out), mc.scenario, mc.results, mc.verdicts, mc.bands, mc.chunks, args.lang,
                          mc.seed, observed=args.observed, tracking=_tracking(args), command="mc",
                          tradeoff_thresholds={"import_share": args.warn_import_share})
    remove_store(mc.chunks[0].parent)
    table = mc.verdicts[["target", "year", "kind", "target_value", "projected", "unit", "p_met", "p_low", "p_high",
                         "verdict"]]
    print(f"{mc.scenario.name}: {mc.results.n} runs, seed {mc.scenario.seed if args.seed is None else args.seed}")
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.3f}", na_rep=""))
    _print_tradeoffs(mc.scenario, args, bool(mc.results.warnings))
    _print_warnings(mc.scenario, mc.results.warnings)
    print(f"\nreport written to {folder}")
    return 0


def _check_observed(args, scenario) -> None:
    """Refuse a bad --observed file before running anything."""
    if args.observed is not None:
        from agrosim.observed import load_observed

        load_observed(args.observed, scenario)


def _cmd_report(args) -> int:
    """Redraw one report folder, or every report below a folder (OUT/<name>/ holds run/, mc/, …)."""
    from agrosim.report.writer import find_reports, rebuild_report

    tracking = {"tracking_path": args.path, "tracking_tolerance": args.tolerance}
    folders = find_reports(Path(args.folder)) or [Path(args.folder)]  # none: rebuild_report says what is missing
    if len(folders) > 1 and (args.observed or args.allocation):
        raise InputError([Problem("command line", "folder", f"{args.folder}, which holds {len(folders)} reports "
                                  f"({', '.join(str(f) for f in folders)})",
                                  "one report folder for --observed/--allocation, e.g. " + str(folders[0]))])
    for folder in folders:
        done = rebuild_report(folder, args.lang, args.observed, tracking, args.allocation)
        print(f"report.html, results.xlsx and charts rebuilt in {done}")
    return 0


def _cmd_serve(args) -> int:
    try:
        from agrosim.explorer.app import serve
    except ModuleNotFoundError as exc:
        raise InputError([Problem("command line", "serve", f"a missing package ({exc.name})",
                                  "the explorer's extra installed: pip install -e '.[serve]'")]) from None
    if args.port > 65535:
        raise InputError([Problem("command line", "--port", str(args.port), "a port from 0 to 65535")])
    serve(args.scenario, args.host, args.port, args.runs, args.out)
    return 0


def _cmd_validate(args) -> int:
    from agrosim.baseyear import validate_lines
    from agrosim.prepare import load_scenario

    sc = load_scenario(args.scenario)
    _base_year_check(sc, args.strict)
    print(f"{args.scenario}: valid ({', '.join(sc.sectors)}; {len(sc.targets)} targets; "
          f"{sc.base_year}–{sc.end_year})")
    _print_warnings(sc, [])
    for key, item in sc.inconsistencies.items():
        touched = f" [targets: {', '.join(item.targets)}]" if item.targets else ""
        print(f"  plan inconsistency {key}: {item.en}{touched}")
    from agrosim.report.tables import plan_implied_notes

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


def _cmd_list(args) -> int:
    for title, folder in (("scenarios", bundled_scenarios_dir()), ("regions", bundled_params_dir())):
        print(f"{title} ({folder}):")
        for path in sorted(folder.glob("*.yaml")):
            print(f"  {path.stem:<28} {_title(path)}")
    return 0


#: commands handled in another module (imported only when that command runs)
_ELSEWHERE = {"solve": "agrosim.cli_analysis", "sweep": "agrosim.cli_analysis", "sensitivity": "agrosim.cli_analysis",
              "discover": "agrosim.cli_analysis", "batch": "agrosim.cli_analysis", "allocate": "agrosim.cli_analysis",
              "track": "agrosim.cli_observed", "reforecast": "agrosim.cli_observed",
              "calibrate": "agrosim.cli_observed", "backtest": "agrosim.cli_observed", "regions": "agrosim.regions"}


def _handler(command: str):
    """The function that runs a command: `_cmd_<command>` here, or `cmd_<command>` in its module."""
    if command in _ELSEWHERE:
        return getattr(import_module(_ELSEWHERE[command]), f"cmd_{command}")
    return globals()[f"_cmd_{command}"]
def _check_scheduler(address: str | None) -> None:
    """Refuse an unreachable Dask scheduler up front (bad input, exit 2) instead of failing mid-run."""
    if not address:
        return
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port or 8786
        with socket.create_connection((host, port), timeout=5):
            pass
    except (OSError, ValueError) as exc:
        raise InputError([Problem("command line", "--scheduler", f"no Dask scheduler answered at {address} ({exc})",
                                  "the address of a running scheduler, e.g. tcp://10.0.0.5:8786")]) from None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        print(USAGE, file=sys.stderr)
        return 2
    if argv[0] not in COMMANDS and not argv[0].startswith("-"):
        if not argv[0].endswith((".yaml", ".yml")):
            print(f"agrosim: unknown command '{argv[0]}'{did_you_mean(argv[0], COMMANDS)}\n\n{USAGE}",
                  file=sys.stderr)
            return 2
        argv.insert(0, "run")
    if sys.stderr is None or sys.stderr.closed:  # `2>&-`: no channel for messages, so refuse to run
        print("problem in the input: standard error is closed; expected an open stream for messages "
              "(redirect it to a file or /dev/null instead)", file=sys.stdout)
        return 2
    args = build_parser().parse_args(argv)
    try:
        cli_args.check_out("--out", getattr(args, "out", None))
        _check_scheduler(getattr(args, "scheduler", None))
        return _handler(args.command)(args)
    except InputError as exc:
        print(exc.message(), file=sys.stderr)
        return 2
    except ModelError as exc:
        print(f"internal model error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head` or a pager that closed early: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - last resort: one line, traceback only on request
        if os.environ.get("AGROSIM_DEBUG"):
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (set AGROSIM_DEBUG=1 for a traceback)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; no partial report was left (finished chunks are kept: the same command resumes)",
              file=sys.stderr)
        return 130


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
