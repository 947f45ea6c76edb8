"""Options that several commands share, each declared once as a parent parser (argparse `parents=`).

The command table in cli.py lists, per command, the parents it takes; a parent that differs by command
only in its default or help takes them as arguments. Every number an option takes is checked by a
type from cli_args (bad values: exit 2 with the option's name and what it takes)."""
from __future__ import annotations

import argparse

from agrosim import cli_args

OUT_HELP = "folder that receives <name>/<command>/, one folder per command so none replaces another (default: reports)"


def _one(*names: str, **declared) -> argparse.ArgumentParser:
    """A parent parser holding one argument (more may be added to it)."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(*names, **declared)
    return p


def scenario(help: str = "scenario YAML file") -> argparse.ArgumentParser:  # noqa: A002 - argparse's word
    return _one("scenario", type=cli_args.path, help=help)


def folder(help: str, optional: bool = False) -> argparse.ArgumentParser:  # noqa: A002
    return _one("folder", type=cli_args.path, help=help, **({"nargs": "?", "default": None} if optional else {}))


def out(help: str = OUT_HELP) -> argparse.ArgumentParser:  # noqa: A002
    return _one("--out", type=cli_args.path, default="reports", help=help)


def runs(default: int | None, help: str) -> argparse.ArgumentParser:  # noqa: A002
    return _one("--runs", type=cli_args.positive, default=default, help=help)


def seed(default: int | None = None) -> argparse.ArgumentParser:
    return _one("--seed", type=cli_args.seed, default=default,
                help="master seed (default: the scenario's seed)" if default is None else f"master seed (default {default})")


def lang() -> argparse.ArgumentParser:
    return _one("--lang", choices=("en", "zh"), default="en", help="language of charts and report (default: en)")


def compute() -> argparse.ArgumentParser:
    """Where the Monte Carlo runs: local worker processes, chunk size, or a Dask scheduler."""
    p = _one("--workers", type=cli_args.workers, default=1, help="local worker processes (default 1)")
    p.add_argument("--chunk-size", type=cli_args.positive, default=10_000, help="runs per chunk (default 10000)")
    p.add_argument("--scheduler", type=cli_args.scheduler, default=None,
                   help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    return p


def fixed_assumptions() -> argparse.ArgumentParser:
    return _one("--fixed-assumptions", action="store_true",
                help="hold every `assumption: true` parameter at its value instead of drawing it over its range")


def verdicts() -> argparse.ArgumentParser:
    """The P(met) thresholds of the likely / uncertain / unlikely verdicts."""
    p = _one("--likely", type=cli_args.probability, default=0.8, help="P(met) from which a target is likely (default 0.8)")
    p.add_argument("--unlikely", type=cli_args.probability, default=0.2,
                   help="P(met) up to which a target is unlikely (default 0.2)")
    return p


def tradeoffs() -> argparse.ArgumentParser:
    return _one("--warn-import-share", type=cli_args.fraction, default=0.5,
                help="warn when more than this share of a feed class is brought in (default: 0.5)")


def strict() -> argparse.ArgumentParser:
    return _one("--strict", action="store_true",
                help="refuse (exit 2) base-year figures that contradict each other instead of warning")


def observed(required: bool = False, help: str = "CSV of observed values (region, indicator, year, value, unit, "  # noqa: A002
             "source)") -> argparse.ArgumentParser:
    return _one("--observed", type=cli_args.path, required=required, default=None, help=help)


def tracking(kept: bool = False) -> argparse.ArgumentParser:
    """The plan's implied path and the band counted as on track; `kept`: by default the folder's settings
    from before (for `report`), else linear and 0.02."""
    before = "as before, else " if kept else ""
    p = _one("--path", choices=("linear", "growth"), default=None if kept else "linear",
             help=f"plan's implied path for tracking: straight line or constant growth (default: {before}linear)")
    p.add_argument("--tolerance", type=cli_args.fraction, default=None if kept else 0.02,
                   help=f"relative band counted as on track (default: {before}0.02)")
    return p
