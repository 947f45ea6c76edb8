"""Benchmark: round trip of the what-if explorer when a lever moves (goal: < 0.5 s for 2000 runs).

    python benchmarks/bench_explorer.py [scenario] [--runs 2000] [--repeat 10]

Starts the explorer's server on a free loopback port in this process, then, as the page does,
posts a new lever value to /api/compute and waits for the answer, `repeat` times with a
different value each time (after one warm-up). Prints the median and fastest round trip, the
part spent in the server (validation, draws, simulation, verdicts), the simulation alone, and
one feasibility map. Needs the `serve` extra.
"""
from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from werkzeug.serving import make_server  # noqa: E402

from agrosim.batch import Design  # noqa: E402
from agrosim.engine import simulate  # noqa: E402
from agrosim.explorer import Explorer  # noqa: E402
from agrosim.explorer.app import create_app  # noqa: E402


def post(url: str, body: dict) -> tuple[float, dict]:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    start = time.perf_counter()
    with urllib.request.urlopen(request) as resp:
        data = json.loads(resp.read())
    return time.perf_counter() - start, data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "shanxi_grain_2025.yaml"))
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()

    explorer = Explorer(args.scenario, runs=args.runs)
    lever = next(c for c in explorer.controls.values() if c.dist is not None and not c.spec.time_varying)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, create_app(explorer), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        values = [lever.shown(lever.low + (lever.high - lever.low) * (i + 0.5) / (args.repeat + 1))
                  for i in range(args.repeat + 1)]
        trips, inside = [], []
        for i, value in enumerate(values):
            elapsed, data = post(f"{base}/api/compute", {"values": {lever.path: f"{value:.6g}"}})
            if i:  # the first call warms caches up
                trips.append(elapsed)
                inside.append(data["seconds"])
        sc = explorer.load({})
        per_run = Design(args.runs, sc.seed).per_run(sc, 0, args.runs)
        sims = []
        for _ in range(3):
            start = time.perf_counter()
            simulate(sc, args.runs, per_run)
            sims.append(time.perf_counter() - start)
        pair = [c.path for c in explorer.controls.values() if c.dist is not None][:2]
        map_trip, _ = post(f"{base}/api/map", {"values": {}, "x": pair[0], "y": pair[1]})
    finally:
        server.shutdown()
    k, reps = explorer.map_points, explorer.map_reps
    print(f"{explorer.scenario.name}: {', '.join(explorer.scenario.sectors)}; {len(explorer.scenario.targets)} targets; "
          f"lever moved: {lever.path}")
    print(f"round trip, {args.runs} runs: median {statistics.median(trips):.3f} s, fastest {min(trips):.3f} s "
          f"over {len(trips)} moves (goal < 0.5 s)")
    print(f"  in the server: median {statistics.median(inside):.3f} s; simulate() alone: {min(sims):.3f} s")
    print(f"feasibility map, {k}×{k} points × {reps} runs: {map_trip:.3f} s")


if __name__ == "__main__":
    main()
