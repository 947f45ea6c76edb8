"""Charts drawn in forked children are the same files as charts drawn in the writing process; a child's
error is raised in the writing process."""
from __future__ import annotations

import os
import threading

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from agrosim.config.scenario import Target
from agrosim.report import charts, drawing
from agrosim.report.drawing import Chart, draw_charts

FAN = pd.DataFrame({"year": [2020, 2021, 2022], **{q: [190.0 + i, 195.0 + i, 205.0 + i]
                                                   for i, q in enumerate(("p5", "p25", "p50", "p75", "p95"))}})
VERDICT = {"verdict": "likely", "p_met": 0.9, "runs": 100, "projected": 207.0, "judged_year": 2022}


def _charts(folder, n):
    folder.mkdir()
    return [Chart(folder / f"t{k}.png", charts.trajectory,
                  (FAN, Target(f"t{k}", "grain_output", "at_least", 2e9 + k, 2022, "万吨", 200.0 + k, en=f"Grain {k}",
                               zh="粮食产量"), VERDICT, "zh")) for k in range(n)]


def _pid_figure(pids_folder):
    """A figure that records which process drew it."""
    (pids_folder / str(os.getpid())).touch()
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    return fig


def _broken_figure():
    raise ValueError("a chart that cannot be drawn")


@pytest.mark.skipif(not drawing._can_fork() or drawing._cores() < 2, reason="needs fork and two cores")
def test_forked_workers_draw_the_same_bytes_as_the_writing_process(tmp_path, monkeypatch):
    n = drawing.MIN_PARALLEL
    pool = _charts(tmp_path / "pool", n)
    draw_charts(pool, "zh")
    monkeypatch.setattr(drawing, "MIN_PARALLEL", n + 1)
    alone = _charts(tmp_path / "alone", n)
    draw_charts(alone, "zh")
    for a, b in zip(pool, alone):
        for suffix in (".png", ".svg"):
            assert a.png.with_suffix(suffix).read_bytes() == b.png.with_suffix(suffix).read_bytes(), a.png.name
    assert pool[0].png.read_bytes() != pool[1].png.read_bytes()  # each its own target


@pytest.mark.skipif(not drawing._can_fork() or drawing._cores() < 2, reason="needs fork and two cores")
def test_this_process_and_forked_children_share_the_charts_and_errors_are_raised_here(tmp_path):
    pids = tmp_path / "pids"
    pids.mkdir()
    jobs = [Chart(tmp_path / f"c{k}.png", _pid_figure, (pids,)) for k in range(drawing.MIN_PARALLEL)]
    draw_charts(jobs, "en")
    assert all(j.png.is_file() and j.png.with_suffix(".svg").is_file() for j in jobs)
    drawers = {int(p.name) for p in pids.iterdir()}
    assert os.getpid() in drawers and len(drawers) == min(drawing._cores(), len(jobs))
    for broken_at in (0, 1):  # in this process's share, in a child's share
        bad = [*jobs]
        bad.insert(broken_at, Chart(tmp_path / "bad.png", _broken_figure, ()))
        with pytest.raises(ValueError, match="cannot be drawn"):
            draw_charts(bad, "en")


def test_few_charts_are_drawn_in_the_writing_process(tmp_path):
    pids = tmp_path / "pids"
    pids.mkdir()
    draw_charts([Chart(tmp_path / "c.png", _pid_figure, (pids,))], "en")
    assert [int(p.name) for p in pids.iterdir()] == [os.getpid()]


def test_a_request_thread_draws_in_its_own_process(tmp_path):
    """A server's request thread never forks (another thread could hold a lock the child needs)."""
    pids = tmp_path / "pids"
    pids.mkdir()
    jobs = [Chart(tmp_path / f"c{k}.png", _pid_figure, (pids,)) for k in range(drawing.MIN_PARALLEL)]
    thread = threading.Thread(target=draw_charts, args=(jobs, "en"))
    thread.start()
    thread.join()
    assert [int(p.name) for p in pids.iterdir()] == [os.getpid()]
    assert all(j.png.is_file() for j in jobs)
