"""Command line: `agrosim COMMAND [options]`. Exit 0 ok, 2 bad input (no traceback), 1 internal error.

Every command is declared once, in `TABLE`: its name, help, the shared options it takes (parent
parsers from cli_options), its own options and its handler. The parser, `--help`, the short usage,
"did you mean" for an unknown command and docs/reference/cli.md are all made from the table.

The parser needs only the standard library; a handler (in cli_run, cli_analysis, cli_observed,
cli_regions) is imported when its command runs (numpy, pandas, pyarrow, matplotlib and jinja2 cost
about a second to import).
"""
from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from functools import partial
from importlib import import_module
from typing import Callable

from agrosim import cli_args
from agrosim import cli_options as opt
from agrosim.errors import InputError, ModelError, did_you_mean


@dataclass(frozen=True)
class Command:
    """One command: `handler` is 'module:function', imported when the command runs; `own` adds the
    command's own options, `parents` build the shared ones (listed in this order after its own);
    `example` is a line of the short usage shown when agrosim is called without arguments."""

    name: str
    help: str
    handler: str
    parents: tuple[Callable[[], argparse.ArgumentParser], ...] = ()
    own: Callable[[argparse.ArgumentParser], None] | None = None
    example: tuple[str, str] | None = None


def _mc(p: argparse.ArgumentParser) -> None:
    p.add_argument("--record", default=None, metavar="all|NAME,...",
                   help="indicators kept per run beyond the targets' (comma-separated), or all "
                        "(default: targets' indicators and inputs; bands cover every indicator)")


def _solve(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lever", required=True, help="parameter path, e.g. land_grain.hsf_build_mu_per_yr")
    p.add_argument("--target", default=None, help="target id (default: every target)")
    p.add_argument("--range", default=None, help="LOW:HIGH with units (default: the documented range)")
    p.add_argument("--direction", choices=("min", "max"), default="min",
                   help="smallest value that meets (min, default) or largest that still meets (max)")
    p.add_argument("--probability", type=cli_args.probability, default=None, help="required P(met), e.g. 0.8")


def _sweep(p: argparse.ArgumentParser) -> None:
    p.add_argument("--param", action="append", required=True,
                   help="PATH[=LOW:HIGH[:N]], repeatable (range defaults to the documented one)")
    p.add_argument("--design", choices=("grid", "lhs", "sobol", "oat"), default="grid")
    p.add_argument("--points", type=cli_args.positive, default=9, help="grid points per lever (default 9)")
    p.add_argument("--samples", type=cli_args.positive, default=256, help="points for lhs/sobol (default 256)")
    p.add_argument("--reps", type=cli_args.positive, default=1, help="Monte Carlo replicates per point (default 1)")


def _sensitivity(p: argparse.ArgumentParser) -> None:
    p.add_argument("--method", choices=("tornado", "morris", "sobol"), default="tornado")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--target", help="outcome: whether this target is met")
    what.add_argument("--indicator", help="outcome: this indicator's value")
    p.add_argument("--year", type=cli_args.year, default=None, help="year of the indicator (default: end year)")
    p.add_argument("--samples", type=cli_args.positive, default=1024,
                   help="sobol: base sample size (power of 2); morris: trajectories")


def _discover(p: argparse.ArgumentParser) -> None:
    p.add_argument("--target", required=True, help="target id")
    p.add_argument("--density", type=cli_args.probability, default=0.8,
                   help="required share of successes inside the box (default 0.8)")


def _allocate(p: argparse.ArgumentParser) -> None:
    p.add_argument("--budget", required=True, help="total budget with unit, e.g. '4.38 亿元'")
    p.add_argument("--years", default=None, help="FIRST-LAST years the budget is spent over, evenly (default: all)")
    p.add_argument("--objective", choices=("expected-targets-met", "joint-probability", "min-probability"),
                   default="expected-targets-met")
    p.add_argument("--targets", default=None, help="comma-separated target ids (default: all)")
    p.add_argument("--min-share", action="append", help="GROUP=SHARE, e.g. industry=0.6 (repeatable)")
    p.add_argument("--max-share", action="append", help="INVESTMENT=SHARE cap (repeatable)")
    p.add_argument("--plan-shares", action="append", help="the plan's own split NAME=SHARE,... to compare")
    p.add_argument("--step", type=cli_args.probability, default=0.05, help="grid step of the shares (default 0.05)")


def _reforecast(p: argparse.ArgumentParser) -> None:
    p.add_argument("--to", type=cli_args.year, default=None,
                   help="last year to project (default: the scenario's end year)")


def _calibrate(p: argparse.ArgumentParser) -> None:
    p.add_argument("--fit", action="append", default=None, help="parameter path to fit, repeatable; PATH=LOW:HIGH")
    p.add_argument("--history", type=cli_args.path, default=None,
                   help="CSV (same columns as --observed) of years before the base year: fit the trend and "
                        "year-to-year spread of --indicator instead of --fit")
    p.add_argument("--indicator", default="grain_yield", help="series of --history to fit (default grain_yield)")
    p.add_argument("--trend", default="land_grain.yield_trend_per_yr",
                   help="parameter that receives the fitted trend (default land_grain.yield_trend_per_yr)")
    p.add_argument("--weather", default="land_grain.weather_yield_factor",
                   help="yearly factor that receives the spread (default land_grain.weather_yield_factor)")
    p.add_argument("--write", type=cli_args.path, default=None, help="calibrated scenario file to write (default: OUT/<name>/calibrate/)")


def _report(p: argparse.ArgumentParser) -> None:
    p.add_argument("--allocation", type=cli_args.path, default=None,
                   help="folder written by `agrosim allocate` for the same scenario: adds the allocation section")


def _serve(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    p.add_argument("--port", type=cli_args.port, default=0, help="port (default 0: a free one)")


def _regions(p: argparse.ArgumentParser) -> None:
    p.add_argument("--csv", type=cli_args.path, default=None, metavar="FILE", help="also write the table to this CSV file")
    p.add_argument("--wide", action="store_true",
                   help="every column on one line (default: about 100 columns, notes below the table)")


_RUN_OBSERVED = ("CSV of observed values (region, indicator, year, value, unit, source): the report gains a tracking "
                 "section, observed against the plan's implied path (the run is not changed; `agrosim reforecast` "
                 "starts from them)")

#: every command, in the order `agrosim --help` lists them
TABLE: tuple[Command, ...] = (
    Command("run", "run a scenario, print target verdicts, write reports/<name>/run/", "agrosim.cli_run:cmd_run",
            (opt.scenario, opt.out, opt.lang, opt.tradeoffs, partial(opt.observed, help=_RUN_OBSERVED), opt.tracking,
             opt.strict),
            example=("agrosim run scenarios/shanxi_grain_2025.yaml", "one run: projected value, gap and verdict per target")),
    Command("mc", "Monte Carlo over the scenario's uncertainty: P(met) per target and jointly", "agrosim.cli_run:cmd_mc",
            (opt.scenario, partial(opt.runs, None, "number of runs (default: the scenario's runs)"), opt.seed, opt.lang,
             opt.tradeoffs, partial(opt.observed, help=_RUN_OBSERVED), opt.tracking, opt.out, opt.compute,
             opt.fixed_assumptions, opt.verdicts), _mc,
            example=("agrosim mc scenarios/shanxi_grain_2025.yaml --runs 2000", "how likely: P(met) per target and jointly")),
    Command("solve", "the lever value at which a target is met (or met with probability ≥ p)",
            "agrosim.cli_analysis:cmd_solve",
            (opt.scenario, partial(opt.runs, 1000, "Monte Carlo runs per lever value"), opt.seed, opt.out,
             opt.fixed_assumptions), _solve),
    Command("sweep", "targets over a design of lever values (grid, lhs, sobol, oat)", "agrosim.cli_analysis:cmd_sweep",
            (opt.scenario, opt.seed, opt.lang, opt.out, opt.compute, opt.fixed_assumptions), _sweep),
    Command("sensitivity", "rank the uncertain inputs: tornado, morris or sobol", "agrosim.cli_analysis:cmd_sensitivity",
            (opt.scenario, partial(opt.seed, 0), opt.lang, opt.out, opt.fixed_assumptions), _sensitivity),
    Command("discover", "which input ranges make a target feasible (PRIM boxes)", "agrosim.cli_analysis:cmd_discover",
            (opt.scenario, partial(opt.runs, 10_000, "Monte Carlo runs (default 10000)"), opt.seed, opt.lang, opt.out,
             opt.compute, opt.fixed_assumptions), _discover),
    Command("batch", "run every scenario in a folder; a summary compares them", "agrosim.cli_analysis:cmd_batch",
            (partial(opt.folder, "folder of scenario YAML files"),
             partial(opt.runs, None, "Monte Carlo runs per scenario (default: one run)"), opt.seed, opt.lang,
             partial(opt.out, "folder that receives batch-<FOLDER>/: a report per scenario, summary.csv and "
                              "comparison charts (default: reports)"), opt.compute, opt.fixed_assumptions,
             opt.verdicts)),
    Command("allocate", "split a budget across the scenario's investments to meet the most targets",
            "agrosim.cli_analysis:cmd_allocate",
            (partial(opt.scenario, "scenario YAML file with an `investments:` section"),
             partial(opt.runs, 300, "Monte Carlo runs per candidate split"), opt.seed,
             partial(opt.out, "folder that receives <name>/allocate/: the allocation tables and a report of the "
                              "scenario as declared with the allocation section (default: reports)"),
             opt.lang, opt.fixed_assumptions), _allocate),
    Command("track", "observed values against the plan's implied path: on track, behind, ahead",
            "agrosim.cli_observed:cmd_track",
            (opt.scenario, partial(opt.observed, required=True), opt.tracking, opt.out)),
    Command("reforecast", "start from the observed years and project on (deterministic or MC)",
            "agrosim.cli_observed:cmd_reforecast",
            (opt.scenario, partial(opt.observed, required=True),
             partial(opt.runs, None, "Monte Carlo runs (default: one deterministic run)"), opt.seed, opt.out,
             opt.compute), _reforecast),
    Command("calibrate", "fit trend parameters to observed series by least squares, or the trend and weather spread "
                         "of a series from its record before the base year", "agrosim.cli_observed:cmd_calibrate",
            (opt.scenario, partial(opt.observed, help="CSV of observed years after the base year (with --fit)"),
             opt.out), _calibrate),
    Command("backtest", "error of a run from the base year against observed years (MAPE, bias)",
            "agrosim.cli_observed:cmd_backtest", (opt.scenario, partial(opt.observed, required=True), opt.out)),
    Command("report", "redraw charts, report.html and results.xlsx of a report folder", "agrosim.cli_run:cmd_report",
            (partial(opt.folder, "report folder, e.g. reports/shanxi_grain_2025/run, or reports/<name> for every "
                                 "report below it"), opt.lang,
             partial(opt.observed, help="CSV of observed values to keep in the folder (replacing any before): adds "
                                        "the tracking section"),
             partial(opt.tracking, kept=True)), _report),
    Command("serve", "live what-if explorer in the browser (needs the 'serve' extra)", "agrosim.cli_run:cmd_serve",
            (opt.scenario, partial(opt.runs, 2000, "Monte Carlo runs per change (default 2000)"),
             partial(opt.out, "folder for saved scenarios (OUT/scenarios/) and exported reports (OUT/<name>/run/) "
                              "(default: reports)")), _serve),
    Command("validate", "check a scenario without running it", "agrosim.cli_run:cmd_validate", (opt.scenario, opt.strict)),
    Command("list", "list bundled scenarios and region parameter files", "agrosim.cli_run:cmd_list",
            example=("agrosim list", "bundled scenarios and regions")),
    Command("regions", "compare the targets of nested regions (county in city in province)",
            "agrosim.cli_regions:cmd_regions",
            (partial(opt.folder, "folder of region files (default: the bundled params/)", optional=True),), _regions),
)

#: command names, in the table's order
COMMANDS = tuple(c.name for c in TABLE)


def usage() -> str:
    """The short usage printed when agrosim is called without arguments: the table's examples."""
    lines = [f"  {c.example[0]:<55} {c.example[1]}" for c in TABLE if c.example]
    return "\n".join(["usage: agrosim COMMAND [options]   (agrosim --help lists every command; agrosim COMMAND "
                      "--help its options)", "", *lines,
                      "Reports go to reports/<scenario name>/<command>/ (--out changes reports/)."])


def build_parser() -> argparse.ArgumentParser:
    import agrosim

    parser = argparse.ArgumentParser(prog="agrosim", description="Can a region reach its agricultural plan targets? "
                                     "Results go to OUT/<scenario name>/<command>/ (OUT: --out, default reports).")
    parser.add_argument("--version", action="version", version=f"agrosim {agrosim.__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in TABLE:
        own = argparse.ArgumentParser(add_help=False)  # the command's own options, listed first in its help
        if command.own:
            command.own(own)
        sub.add_parser(command.name, help=command.help, description=command.help,
                       parents=[own, *(make() for make in command.parents)])
    return parser


def _handler(name: str):
    """The function that runs command `name` (its module imported now)."""
    module, _, function = next(c for c in TABLE if c.name == name).handler.partition(":")
    return getattr(import_module(module), function)


def subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    """The commands of `build_parser()`: `.choices` maps each name to its own parser."""
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))  # noqa: SLF001


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        print(usage(), file=sys.stderr)
        return 2
    if argv[0] not in COMMANDS and not argv[0].startswith("-"):
        if not argv[0].endswith((".yaml", ".yml")):
            print(f"agrosim: unknown command '{argv[0]}'{did_you_mean(argv[0], COMMANDS)}\n\n{usage()}",
                  file=sys.stderr)
            return 2
        argv.insert(0, "run")
    if sys.stderr is None or sys.stderr.closed:  # `2>&-`: no channel for messages, so refuse to run
        print("problem in the input: standard error is closed; expected an open stream for messages "
              "(redirect it to a file or /dev/null instead)", file=sys.stdout)
        return 2
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        cli_args.check_no_nul(argv)
        cli_args.check_single_values(subcommands(parser).choices[args.command], args)
        cli_args.check_out("--out", getattr(args, "out", None))
        cli_args.check_scheduler_answers(getattr(args, "scheduler", None))
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
