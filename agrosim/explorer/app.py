"""The explorer's web layer: a small Flask app serving one self-contained page and a JSON API.

Every POST takes JSON only (so another web site cannot submit a form to it), and when bound to a
loopback address the Host header must name that address (so a DNS-rebinding page cannot reach it).
"""
from __future__ import annotations

import logging
import time
from importlib import resources
from pathlib import Path

from flask import Flask, Response, jsonify, request

from agrosim.errors import InputError
from agrosim.explorer.model import Explorer

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def create_app(explorer: Explorer, host: str = "127.0.0.1") -> Flask:
    """The app for one opened scenario."""
    app = Flask(__name__)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    if host in LOOPBACK:
        app.config["TRUSTED_HOSTS"] = list(LOOPBACK) + ["[::1]"]
    page = resources.files("agrosim.explorer").joinpath("page.html").read_text(encoding="utf-8")

    @app.before_request
    def _check_request():
        request.host  # noqa: B018 - raises SecurityError (400) for an untrusted Host header
        if request.method == "POST" and not request.is_json:
            return jsonify(error="expected a JSON request"), 415
        return None

    @app.get("/")
    def index():
        return Response(page, mimetype="text/html", headers={"Cache-Control": "no-store"})

    @app.get("/api/model")
    def model():
        return jsonify(explorer.describe())

    @app.post("/api/compute")
    def compute():
        return _answer(lambda body: explorer.compute(body.get("values", {})))

    @app.post("/api/map")
    def feasibility():
        return _answer(lambda body: explorer.feasibility(body.get("values", {}), body.get("x"), body.get("y")))

    @app.post("/api/save")
    def save():
        return _answer(lambda body: {"path": _shown(explorer.save(body.get("values", {}), body.get("name")))})

    @app.post("/api/export")
    def export():
        return _answer(lambda body: {"path": _shown(explorer.export(body.get("values", {}), body.get("name"),
                                                                    body.get("lang", "en")))})

    return app


def _answer(work):
    """Run `work(body)`; bad input answers 400 with the loader's message, as the CLI would print it."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="expected a JSON object"), 400
    start = time.perf_counter()
    try:
        out = work(body)
    except InputError as exc:
        return jsonify(error=exc.message()), 400
    out["seconds"] = round(time.perf_counter() - start, 4)
    return jsonify(out)


def _shown(path: Path) -> str:
    """A written path relative to the working folder when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def serve(scenario: str | Path, host: str = "127.0.0.1", port: int = 0, runs: int = 2000,
          out_root: str | Path = "reports") -> None:
    """Serve until interrupted; print the address (port 0 picks a free one). Opens no browser."""
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    explorer = Explorer(scenario, runs=runs, out_root=out_root)
    server = make_server(host, port, create_app(explorer, host), threaded=True)
    shown = f"[{host}]" if ":" in host else host
    print(f"agrosim explorer for {explorer.scenario.name} at http://{shown}:{server.server_port}/ "
          f"({runs} runs per change; Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
