"""Checks of command-line values: every number, year, port and address an option takes (argparse
types), and the output folders and files, checked before anything runs. Each failure is bad input
(exit 2) naming the option and what it takes."""
from __future__ import annotations

import argparse
import math
import os
import re
from pathlib import Path

from agrosim.errors import InputError, Problem

#: local worker processes: more than this is a mistake, not a machine
MAX_WORKERS = 256
_SCHEDULER = re.compile(r"^(?:(?:tcp|tls|ucx|ws|wss)://)?(\[[0-9A-Fa-f:]+\]|[A-Za-z0-9._-]+):(\d{1,5})$")


def _whole(text: str, low: float, high: float, expected: str) -> int:
    """A whole number in [low, high], else the option's message."""
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise argparse.ArgumentTypeError(f"{text}: expected {expected}")
    return value


def positive(text: str) -> int:
    """A whole number ≥ 1."""
    return _whole(text, 1, math.inf, "a whole number ≥ 1")


def seed(text: str) -> int:
    """A master seed: a whole number in 0 … 2⁶³ − 1."""
    return _whole(text, 0, 2**63 - 1, "a whole number from 0 to 2^63 - 1")


def year(text: str) -> int:
    """A calendar year such as 2025."""
    return _whole(text, 1900, 2200, "a year such as 2025")


def _number(text: str) -> float:
    """`text` as a float; NaN when it is not a number (every range check then refuses it)."""
    try:
        return float(text)
    except ValueError:
        return math.nan


def path(text: str) -> str:
    """A file or folder name the system can look up (it need not exist): not too long, no NUL, no loop."""
    try:
        os.stat(text)
    except (FileNotFoundError, NotADirectoryError):
        pass
    except (OSError, ValueError) as exc:
        shown = text if len(text) <= 80 else f"{text[:80]}… ({len(text):,} characters)"
        raise argparse.ArgumentTypeError(f"{shown!r}: expected a usable file name "
                                         f"({getattr(exc, 'strerror', None) or exc})") from None
    return text


def fraction(text: str) -> float:
    """A finite fraction in [0, 1) (NaN and infinity refused)."""
    value = _number(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"{text}: expected a fraction between 0 and 1, e.g. 0.02")
    return value


def probability(text: str) -> float:
    """A probability strictly between 0 and 1."""
    value = _number(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"{text}: expected a probability strictly between 0 and 1")
    return value


def port(text: str) -> int:
    """A TCP port, 0 (any free one) … 65535."""
    return _whole(text, 0, 65535, "a port from 0 to 65535")


def workers(text: str) -> int:
    """Local worker processes, 1 … MAX_WORKERS."""
    value = positive(text)
    if value > MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"{text}: expected at most {MAX_WORKERS} worker processes")
    return value


def scheduler(text: str) -> str:
    """A Dask scheduler address: [tcp://]HOST:PORT with a port in 1 … 65535."""
    match = _SCHEDULER.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a Dask scheduler address such as tcp://10.0.0.5:8786")
    return text.strip()


def check_no_nul(argv: list[str]) -> None:
    """Refuse an argument holding a NUL character: no file name or value can (a real command line cannot
    pass one; a program calling main() in process can)."""
    bad = [a for a in argv if "\x00" in a]
    if bad:
        raise InputError([Problem("command line", "", f"{bad[0]!r}, with a NUL character", "text without NUL")])


def check_single_values(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse an option given '--' as its value (`--allocation=--`): argparse drops the '--' and hands
    the command an empty list where it takes one value."""
    for action in parser._actions:
        value = getattr(args, action.dest, None)
        single = isinstance(action, argparse._StoreAction) and isinstance(value, list)
        repeated = isinstance(action, argparse._AppendAction) and any(isinstance(v, list) for v in value or ())
        if action.option_strings and action.nargs is None and (single or repeated):
            raise InputError([Problem("command line", action.option_strings[-1], "'--' as its value",
                                      f"one value ({action.metavar or action.dest})")])


def check_scheduler_answers(address: str | None) -> None:
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


def check_out(option: str, value: str | None) -> None:
    """Refuse an output folder that is an existing file, or lies below one, before anything runs."""
    if value is None:
        return
    path = Path(value)
    for part in (path, *path.parents):
        if part.exists():
            if not part.is_dir():
                what = "an existing file" if part == path else f"a path below the file {part}"
                raise InputError([Problem("command line", option, f"'{value}', {what}", "a folder (or a new name)")])
            return


def check_file_out(option: str, value: str | None) -> None:
    """Refuse a file to write that names a folder or a device (it is replaced whole: /dev/null must stay
    what it is), or lies in a folder that does not exist."""
    if value is None:
        return
    path = Path(value)
    what = ("a folder" if path.is_dir() else "not a plain file" if path.exists() and not path.is_file()
            else "a file in a folder that does not exist" if not path.parent.is_dir() else None)
    if what:
        raise InputError([Problem("command line", option, f"'{value}', {what}", "a file in an existing folder")])


def check_power_of_two(option: str, value: int) -> None:
    """Sobol designs take 2^m samples; other counts would be rounded or refused deep in SciPy."""
    if value & (value - 1):
        below = 1 << (value.bit_length() - 1)
        raise InputError([Problem("command line", option, f"{value}, not a power of two",
                                  f"a power of two for Sobol sampling, e.g. {below} or {below * 2}")])
