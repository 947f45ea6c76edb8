"""Command handler for `agrosim regions`: the targets of nested regions side by side (agrosim.regions
compares them; this prints the table and writes the CSV)."""
from __future__ import annotations

import argparse

from agrosim import cli_args


def cmd_regions(args: argparse.Namespace) -> int:
    from agrosim.regions import compare_targets, describe, load_regions, write_csv

    cli_args.check_file_out("--csv", args.csv)
    regions = load_regions(args.folder)
    table = compare_targets(regions)
    print(describe(regions, table, args.wide))
    if args.csv:
        print(f"\ntable written to {write_csv(table, args.csv)}")
    return 0
