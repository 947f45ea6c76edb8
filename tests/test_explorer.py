"""The what-if explorer (`agrosim serve`): the recompute endpoint gives the Python API's numbers, a saved
scenario validates and reproduces them, bad input answers with the loader's message, and the page
works in headless Chromium."""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from agrosim import load_scenario
from agrosim.analysis.levers import lever
from agrosim.analysis.sweep import sweep
from agrosim.api import monte_carlo, run
from agrosim.batch import Design
from agrosim.engine import simulate
from agrosim.errors import InputError
from agrosim.targets import evaluate
from agrosim.units import from_internal
from conftest import ROOT

if not os.environ.get("CI"):
    pytest.importorskip("flask", reason="the explorer needs the 'serve' extra: pip install -e '.[serve]'")

from agrosim.explorer import Explorer  # noqa: E402
from agrosim.explorer.app import create_app  # noqa: E402

SCENARIO = ROOT / "tests" / "data" / "explorer_grain.yaml"  # Shanxi grain plus a target the levers move
TEST_TARGET = "grain_output_test"
RUNS = 400
UPLIFT, TREND = "land_grain.hsf_yield_uplift", "land_grain.yield_trend_per_yr"
MOVED = {UPLIFT: "18", TREND: "0.8"}  # as typed on the page, in the plan's unit (%, %/yr)


@pytest.fixture
def explorer(tmp_path):
    return Explorer(SCENARIO, runs=RUNS, out_root=tmp_path / "reports")


@pytest.fixture
def client(explorer):
    app = create_app(explorer)
    app.testing = True
    return app.test_client()


def same_settings(tmp_path: Path) -> Path:
    """MOVED written by hand as a scenario: both inputs fixed, so no longer drawn."""
    path = tmp_path / "by_hand.yaml"
    path.write_text(yaml.safe_dump({
        "extends": str(SCENARIO),
        "overrides": {UPLIFT: "18 %", TREND: "0.8 %/yr"},
        "uncertainty": {UPLIFT: None, TREND: None},
    }, allow_unicode=True), encoding="utf-8")
    return path


def check_same(rows: list[dict], verdicts: pd.DataFrame) -> None:
    by_id = {r["target"]: r for r in rows}
    for v in verdicts.to_dict("records"):
        row = by_id[v["target"]]
        assert row["p_met"] == pytest.approx(v["p_met"], abs=1e-12), v["target"]
        assert row["p_low"] == pytest.approx(v["p_low"], abs=1e-12)
        if v["target"] != "ALL":
            assert row["projected"] == pytest.approx(v["projected"], rel=1e-12), v["target"]
            assert row["gap"] == pytest.approx(v["gap"], rel=1e-9, abs=1e-9)


def test_levers_are_documented_ranges_and_uncertain_inputs(explorer):
    sc = explorer.scenario
    paths = set(explorer.controls)
    assert {d.param for d in sc.uncertainty} <= paths
    assert "land_grain.cultivated_land_mu" in paths  # a documented `range:` in params/shanxi.yaml
    assert "land_grain.hsf_build_mu_per_yr" not in paths  # neither a range nor uncertain
    land = explorer.controls["land_grain.cultivated_land_mu"].describe()
    assert (land["unit"], land["low"], land["high"], land["current"]) == ("万亩", 5500, 6100, 5810)
    uncertain = {d.param for d in sc.uncertainty}  # their control spans the distribution (weather: 0.6-1.2)
    for path in paths - uncertain:
        documented = sc.params[path.split(".")[0]][path.split(".", 1)[1]].range
        if documented:
            assert (explorer.controls[path].low, explorer.controls[path].high) == (lever(sc, path).low, lever(sc, path).high)


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_bundled_scenario_opens_and_levers_at_their_values_change_nothing(path, tmp_path):
    explorer = Explorer(path, runs=30, out_root=tmp_path)
    assert explorer.controls
    same = {}
    for c in explorer.controls.values():  # one constant lever per sector, written as the page writes it
        if c.dist is None and not c.spec.time_varying and c.path.split(".")[0] not in {p.split(".")[0] for p in same}:
            same[c.path] = f"{c.shown(c.current):.12g}"
    base, moved = explorer.compute({})["targets"], explorer.compute(same)["targets"]
    assert [r["p_met"] for r in moved] == [r["p_met"] for r in base]
    projected = [[r["projected"] for r in rows if r["target"] != "ALL"] for rows in (moved, base)]
    assert projected[0] == pytest.approx(projected[1], rel=1e-9)


def test_recompute_equals_the_python_api(client, tmp_path):
    answer = client.post("/api/compute", json={"values": MOVED})
    assert answer.status_code == 200, answer.json
    mc = monte_carlo(same_settings(tmp_path), runs=RUNS, work_root=tmp_path / "work")
    check_same(answer.json["targets"], mc.verdicts)
    sc = load_scenario(same_settings(tmp_path))
    results = simulate(sc, RUNS, Design(RUNS, sc.seed).per_run(sc, 0, RUNS))
    grain = next(t for t in sc.targets if t.kind == "at_least")
    end = sc.years.index(grain.year)
    median = float(np.median(results.data[grain.indicator][:, end]))
    shown = answer.json["bands"][grain.id]["p50"][end]
    assert shown == pytest.approx(from_internal(median, grain.unit_written), rel=1e-12)
    untouched = client.post("/api/compute", json={"values": {}}).json["targets"]
    check_same(untouched, monte_carlo(SCENARIO, runs=RUNS, work_root=tmp_path / "work").verdicts)
    p_of = lambda rows: next(r["p_met"] for r in rows if r["target"] == TEST_TARGET)  # noqa: E731
    assert p_of(untouched) != p_of(answer.json["targets"])


def test_save_as_scenario_validates_and_reproduces(client, explorer, tmp_path):
    values = {**MOVED, "land_grain.cultivated_land_mu": "5900"}
    answer = client.post("/api/save", json={"values": values, "name": "whatif_a"})
    assert answer.status_code == 200, answer.json
    path = tmp_path / "reports" / "scenarios" / "whatif_a.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(doc) == {"title", "extends", "overrides"}
    assert set(doc["overrides"]) == set(values) | {"uncertainty"}
    assert doc["overrides"]["uncertainty"] == {UPLIFT: None, TREND: None}
    assert doc["overrides"]["land_grain.cultivated_land_mu"]["value"] == "5900 万亩"
    saved = load_scenario(path)
    assert saved.params["land_grain"]["cultivated_land_mu"].value == 59_000_000
    computed = client.post("/api/compute", json={"values": values}).json["targets"]
    check_same(computed, monte_carlo(path, runs=RUNS, work_root=tmp_path / "work").verdicts)
    assert set(Explorer(path).controls) == set(explorer.controls)  # documented ranges kept: still levers
    again = client.post("/api/save", json={"values": values, "name": "whatif_a"})
    assert again.status_code == 400 and "already saved" in again.json["error"]


@pytest.mark.parametrize("name", ["../escape", "a/b", "", ".hidden", "x" * 101, None])
def test_save_refuses_names_that_could_escape(client, tmp_path, name):
    answer = client.post("/api/save", json={"values": MOVED, "name": name})
    assert answer.status_code == 400 and answer.json["error"].startswith("problem in the input")
    assert not [p for p in tmp_path.rglob("*.yaml")]


def test_bad_input_answers_with_the_loaders_message(client):
    with pytest.raises(InputError) as loader:
        load_scenario(SCENARIO, {UPLIFT: "150 %"})
    answer = client.post("/api/compute", json={"values": {UPLIFT: "150"}})
    assert answer.status_code == 400
    assert all(str(p) in answer.json["error"] for p in loader.value.problems)
    assert "is not a number" in client.post("/api/compute", json={"values": {UPLIFT: "abc"}}).json["error"]
    below_red_line = client.post("/api/compute", json={"values": {"land_grain.cultivated_land_mu": "5600"}}).json
    assert "red_line_mu" in below_red_line["error"]
    unknown = client.post("/api/compute", json={"values": {"__import__('os')": "1"}}).json["error"]
    assert "unknown lever" in unknown


def test_only_json_from_the_page_and_only_loopback_hosts(client):
    assert client.post("/api/compute", data="values=1", content_type="text/plain").status_code == 415
    assert client.get("/", headers={"Host": "attacker.example:80"}).status_code == 400
    page = client.get("/")
    assert page.status_code == 200
    assert b"<script src" not in page.data and b"@import" not in page.data  # works offline: nothing fetched
    assert not re.search(rb"""(src|href|url)\s*[=(]\s*["']?(https?:)?//""", page.data)


def test_feasibility_map_equals_a_sweep(client, explorer, tmp_path):
    answer = client.post("/api/map", json={"values": {}, "x": UPLIFT, "y": TREND})
    assert answer.status_code == 200, answer.json
    sc = explorer.scenario
    levers = [lever(sc, UPLIFT), lever(sc, TREND)]
    k = explorer.map_points
    points = np.array([(x, y) for x in np.linspace(levers[0].low, levers[0].high, k)
                       for y in np.linspace(levers[1].low, levers[1].high, k)])
    table, _ = sweep(sc, levers, points, reps=explorer.map_reps, work_root=tmp_path)
    for tg in sc.targets:
        assert np.allclose(np.ravel(answer.json["p"][tg.id]), table[f"p_met:{tg.id}"])


def test_export_writes_the_run_report(client, tmp_path):
    answer = client.post("/api/export", json={"values": MOVED, "name": "whatif_report", "lang": "en"})
    assert answer.status_code == 200, answer.json
    written = pd.read_csv(tmp_path / "reports" / "whatif_report" / "run" / "targets.csv")
    expected = run(load_scenario(same_settings(tmp_path))).verdicts
    assert np.allclose(written["projected"], expected["projected"])


# ---- the page in a real browser --------------------------------------------------------------------
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def browser_page(tmp_path):
    if not os.path.exists(CHROMIUM) and not os.environ.get("CI"):
        print("skipped: no chromium at /usr/bin/chromium (apt-get install chromium)")
        pytest.skip("no chromium at /usr/bin/chromium (apt-get install chromium)")
    if not os.environ.get("CI"):
        pytest.importorskip("playwright", reason="playwright is in the 'test' extra")
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    explorer = Explorer(SCENARIO, runs=RUNS, out_root=tmp_path / "reports")
    server = make_server("127.0.0.1", 0, create_app(explorer), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                tempfile.mkdtemp(dir=tmp_path, prefix="profile-"), executable_path=CHROMIUM, headless=True,
                args=CHROMIUM_FLAGS, viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"http://127.0.0.1:{server.server_port}/")
            yield page, explorer
            assert not errors, errors
            context.close()
    finally:
        server.shutdown()
        thread.join(5)


def _wait_computed(page, before: int) -> None:
    page.wait_for_function(f"+document.body.dataset.computed > {before} && document.body.dataset.state === 'ready'",
                           timeout=60_000)


def test_page_moves_a_lever_switches_language_and_saves(browser_page, tmp_path):
    page, explorer = browser_page
    _wait_computed(page, 0)
    row = page.locator(f'tr[data-target="{TEST_TARGET}"]')
    before = float(row.locator("td.p").get_attribute("data-value"))

    page.locator(f'.lever[data-path="{UPLIFT}"] input[type=range]').fill("18")
    _wait_computed(page, 1)
    sc = load_scenario(SCENARIO, {UPLIFT: "18 %", "uncertainty": {UPLIFT: None}})
    expected = evaluate(sc.targets, simulate(sc, RUNS, Design(RUNS, sc.seed).per_run(sc, 0, RUNS)))
    grain = expected.set_index("target").loc[TEST_TARGET]
    assert float(row.locator("td.projected").get_attribute("data-value")) == pytest.approx(grain["projected"], rel=1e-12)
    assert float(row.locator("td.p").get_attribute("data-value")) == pytest.approx(grain["p_met"], abs=1e-12)
    assert grain["p_met"] != before
    assert row.locator("td.projected").inner_text().startswith(f"{grain['projected']:,.0f}")

    page.click("#lang")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert row.locator("td.label").inner_text() == "粮食总产量（测试目标）"
    assert "万吨" in row.locator("td.projected").inner_text()

    page.fill("#name", "from_browser")
    page.click("#save")
    page.wait_for_function("document.getElementById('file-msg').textContent.includes('from_browser.yaml')")
    saved = tmp_path / "reports" / "scenarios" / "from_browser.yaml"
    assert load_scenario(saved).params["land_grain"]["hsf_yield_uplift"].value == pytest.approx(0.18)
    assert yaml.safe_load(saved.read_text(encoding="utf-8"))["overrides"]["uncertainty"] == {UPLIFT: None}
