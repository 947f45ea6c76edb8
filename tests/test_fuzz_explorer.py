"""The explorer's endpoints under hostile requests (issue 22), against a real `agrosim serve` on loopback:
every request gets JSON with 2xx or 4xx (never 500), nothing is written on a refused save or export,
concurrent saves under one name have one winner, and the server stays up in bounded memory."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import ROOT, long_settings

pytest.importorskip("flask", reason="the explorer needs the 'serve' extra: pip install -e '.[serve]'")

from agrosim.limits import MAX_REQUEST_BYTES  # noqa: E402

SCENARIO = ROOT / "scenarios" / "shanxi_grain_2025.yaml"
MOVED = {"land_grain.hsf_yield_uplift": "18", "land_grain.yield_trend_per_yr": "0.8"}
MAX_SERVER_RSS_MB = 700


class Server:
    """`agrosim serve` in a child process on 127.0.0.1, with its output folder."""

    def __init__(self, out: Path):
        self.out = out
        self.proc = subprocess.Popen([sys.executable, "-m", "agrosim.cli", "serve", str(SCENARIO), "--port", "0",
                                      "--runs", "50", "--out", str(out)], cwd=ROOT, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert "http://" in line, (line, self.proc.stderr.read() if self.proc.poll() is not None else "")
        self.url = line.split("at ", 1)[1].split()[0].rstrip("/")

    def post(self, endpoint: str, body: bytes | dict | list | str, timeout: float = 60) -> tuple[int, dict]:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.url}{endpoint}", data=data, method="POST",
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"{}")

    def up(self) -> bool:
        with urllib.request.urlopen(f"{self.url}/api/model", timeout=30) as answer:
            return answer.status == 200

    def peak_rss_mb(self) -> float:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(next(line for line in status.splitlines() if line.startswith("VmHWM")).split()[1]) / 1024

    def written(self) -> list[str]:
        return sorted(str(p.relative_to(self.out)) for p in self.out.rglob("*")) if self.out.exists() else []

    def stop(self) -> str:
        self.proc.terminate()
        _, err = self.proc.communicate(timeout=30)
        return err


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("explorer") / "out")
    yield srv
    err = srv.stop()
    assert "Traceback" not in err, err


@pytest.mark.parametrize("endpoint, body", [
    ("/api/save", {"values": MOVED}),  # no name
    ("/api/export", {"values": MOVED}),
    ("/api/export", {"values": MOVED, "name": None}),
    ("/api/save", {"values": MOVED, "name": "../escape"}),
    ("/api/save", {"values": MOVED, "name": "n" * 101}),
    ("/api/compute", {"values": ["a"]}),
    ("/api/compute", {"values": {"land_grain.hsf_yield_uplift": ["a"]}}),
    ("/api/compute", {"values": {"land_grain.hsf_yield_uplift": "abc"}}),
    ("/api/compute", {"values": {}, "extra": 1}),
    ("/api/map", {"values": {}, "x": "land_grain.hsf_yield_uplift"}),
    ("/api/export", {"values": MOVED, "name": "ok", "lang": "fr"}),
    ("/api/compute", [1, 2]),
    ("/api/compute", "just text"),
    ("/api/compute", b"{not json"),
    ("/api/compute", b"[" * 20_000 + b"]" * 20_000),  # nested deeper than the parser's stack
])
def test_bad_requests_answer_400_and_write_nothing(server, endpoint, body):
    before = server.written()
    status, answer = server.post(endpoint, body)
    assert status == 400, answer
    assert answer["error"].startswith(("problem", "expected a JSON")), answer
    assert server.written() == before


def test_large_payload_is_refused_without_growing_the_server(server):
    server.post("/api/compute", {"values": MOVED})  # a normal computation first: the baseline peak
    base = server.peak_rss_mb()
    status, answer = server.post("/api/compute", b'{"values": {"' + b"x" * (50 * 2**20) + b'": "1"}}')
    assert status == 413 and f"{MAX_REQUEST_BYTES:,} bytes" in answer["error"]
    assert server.peak_rss_mb() < base + 20 and server.peak_rss_mb() < MAX_SERVER_RSS_MB
    assert server.up()


def test_concurrent_saves_under_one_name_have_one_winner(server):
    answers = []

    def save(i):
        answers.append(server.post("/api/save", {"values": {**MOVED, "land_grain.hsf_yield_uplift": str(10 + i)},
                                                 "name": "race"}))
    threads = [threading.Thread(target=save, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(code for code, _ in answers)
    assert codes == [200] + [400] * 5, answers
    losers = [a for code, a in answers if code == 400]
    assert all("already saved" in a["error"] for a in losers)
    winner = next(a for code, a in answers if code == 200)
    saved = (server.out / "scenarios" / "race.yaml").read_text(encoding="utf-8")
    assert winner["path"].endswith("race.yaml") and "hsf_yield_uplift" in saved
    assert sorted(p.name for p in (server.out / "scenarios").iterdir()) == ["race.yaml"]


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                    max_leaves=10)


@st.composite
def bodies(draw):
    endpoint = draw(st.sampled_from(["/api/compute", "/api/map", "/api/save", "/api/export"]))
    body = draw(st.one_of(JSON, st.fixed_dictionaries(
        {"values": st.one_of(JSON, st.dictionaries(st.sampled_from(list(MOVED) + ["x"]), JSON, max_size=2))},
        optional={"name": JSON, "x": JSON, "y": JSON, "lang": JSON})))
    return endpoint, body


def check_body(case, server):
    endpoint, body = case
    before = server.written()
    status, answer = server.post(endpoint, body)
    assert status in (200, 400), (status, answer)
    if status == 400:
        assert "error" in answer and server.written() == before


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=bodies())
def test_fuzzed_bodies_answer_200_or_400(case, server):
    check_body(case, server)


@pytest.mark.long
def test_fuzzed_bodies_long(server):
    long_settings()(given(case=bodies())(check_body))(server=server)


def test_server_is_still_up_in_bounded_memory(server):
    assert server.up()
    assert server.peak_rss_mb() < MAX_SERVER_RSS_MB
