"""Draw a report's charts: each figure built once and saved as PNG and SVG, several at once in forked
worker processes when the machine has more than one core.

Drawing is pure Python and holds the GIL (threads do not help); a fork of the writing process starts in
milliseconds with matplotlib, the fonts and the tables already loaded, and each chart's files are the
same bytes whichever process draws it (fixed SVG hash salt, no dates)."""
from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import matplotlib.pyplot as plt

from agrosim.report.lang import chart_context, font_rc

#: fewer charts than this are drawn in the writing process: a pool would cost more than it saves
MIN_PARALLEL = 4


@dataclass(frozen=True)
class Chart:
    """One chart to draw: `figure(*args)` (a function of agrosim.report.charts) saved as `png` and the
    SVG beside it."""

    png: Path
    figure: Callable
    args: tuple


def save(fig, path: Path) -> None:
    """Save a figure as PNG and SVG and free it."""
    fig.savefig(path)
    fig.savefig(path.with_suffix(".svg"), metadata={"Date": None})
    plt.close(fig)


def draw_charts(charts: list[Chart], lang: str) -> None:
    """Draw and save every chart in the language's chart context. With `MIN_PARALLEL` charts or more, a
    platform that forks (Linux), several usable cores and a call from the main thread (a server's
    request thread does not fork: another thread could hold a lock the child would wait on forever),
    the charts are dealt out round robin: this process draws the first share while one forked child
    per other core draws each of the rest. A child that fails has its share drawn again here, which
    raises its error with a traceback of this process."""
    workers = min(_cores(), len(charts))
    if workers < 2 or len(charts) < MIN_PARALLEL or not _can_fork() or not _in_main_thread():
        _draw_all(charts, lang)
        return
    font_rc(lang)  # finds the CJK font once, before the fork
    shares = [charts[k::workers] for k in range(workers)]
    fork = multiprocessing.get_context("fork")
    children = [fork.Process(target=_draw_all, args=(share, lang), daemon=True) for share in shares[1:]]
    for child in children:
        child.start()
    try:
        _draw_all(shares[0], lang)
    finally:
        for child in children:
            child.join()
    for child, share in zip(children, shares[1:]):
        if child.exitcode != 0:
            _draw_all(share, lang)


def _draw_all(charts: list[Chart], lang: str) -> None:
    with chart_context(lang):
        for chart in charts:
            save(chart.figure(*chart.args), chart.png)


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _can_fork() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
