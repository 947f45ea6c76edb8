"""The explorer's web layer: a small Flask app serving one self-contained page and a JSON API.

Every POST takes JSON only (so another web site cannot submit a form to it), and when bound to a
loopback address the Host header must name that address (so a DNS-rebinding page cannot reach it).
Bodies are limited to MAX_REQUEST_BYTES and validated against a pydantic schema per endpoint (400 with
a message otherwise); saves and exports are serialised, so of two saves under one name the first
wins and the second is told the name is taken.
"""
from __future__ import annotations

import json
import logging
import socket
import threading
import time
from importlib import resources
from pathlib import Path

from typing import Annotated, Literal

from flask import Flask, Response, jsonify, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from werkzeug.exceptions import HTTPException

from agrosim.errors import InputError, Problem
from agrosim.explorer.model import MAX_TEXT, Explorer
from agrosim.limits import MAX_NAME_CHARS, MAX_REQUEST_BYTES

LOOPBACK = ("127.0.0.1", "localhost", "::1")
MAX_LEVERS = 1000  # lever values in one request


NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
#: computations at once (each holds runs × years × indicators in memory); further requests wait
COMPUTE_SLOTS = 2


class _Request(BaseModel):
    """Fields every POST may carry: lever values as text in the lever's plan unit."""

    model_config = ConfigDict(extra="forbid")
    values: dict[Annotated[str, Field(max_length=MAX_TEXT * 2)], Annotated[str, Field(max_length=MAX_TEXT)]] = \
        Field(default_factory=dict, max_length=MAX_LEVERS)


class _MapRequest(_Request):
    x: Annotated[str, Field(max_length=MAX_TEXT * 2)]
    y: Annotated[str, Field(max_length=MAX_TEXT * 2)]


class _SaveRequest(_Request):
    """Save and export: a name for the file or folder, and the page's language (used by export)."""

    name: Annotated[str, Field(pattern=NAME, max_length=MAX_NAME_CHARS)]
    lang: Literal["en", "zh"] = "en"


def create_app(explorer: Explorer, host: str = "127.0.0.1") -> Flask:
    """The app for one opened scenario."""
    app = Flask(__name__)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    if host in LOOPBACK:
        app.config["TRUSTED_HOSTS"] = list(LOOPBACK) + ["[::1]"]
    page = resources.files("agrosim.explorer").joinpath("page.html").read_text(encoding="utf-8")
    writing = threading.Lock()  # one save or export at a time: the first of two under one name wins
    computing = threading.BoundedSemaphore(COMPUTE_SLOTS)

    @app.before_request
    def _check_request():
        request.host  # noqa: B018 - raises SecurityError (400) for an untrusted Host header
        if request.method == "POST" and not request.is_json:
            return jsonify(error="expected a JSON request"), 415
        if request.method == "POST" and (request.content_length or 0) > MAX_REQUEST_BYTES:
            return jsonify(error=f"a request of {request.content_length:,} bytes; expected at most "
                                 f"{MAX_REQUEST_BYTES:,} bytes"), 413
        return None

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        return jsonify(error=f"{exc.code} {exc.name}: {exc.description}"), exc.code

    @app.errorhandler(Exception)
    def _internal(exc: Exception):  # a fault of ours: one line, and the server stays up
        logging.getLogger(__name__).error("internal error: %s: %s", type(exc).__name__, exc)
        return jsonify(error=f"internal error: {type(exc).__name__}"), 500

    @app.get("/")
    def index():
        return Response(page, mimetype="text/html", headers={"Cache-Control": "no-store"})

    @app.get("/api/model")
    def model():
        return jsonify(explorer.describe())

    @app.post("/api/compute")
    def compute():
        return _answer(_Request, lambda body: explorer.compute(body.values), computing)

    @app.post("/api/map")
    def feasibility():
        return _answer(_MapRequest, lambda body: explorer.feasibility(body.values, body.x, body.y), computing)

    @app.post("/api/save")
    def save():
        return _answer(_SaveRequest, lambda body: {"path": _shown(explorer.save(body.values, body.name))}, writing)

    @app.post("/api/export")
    def export():
        return _answer(_SaveRequest,
                       lambda body: {"path": _shown(explorer.export(body.values, body.name, body.lang))}, writing)

    return app


def _answer(schema: type[BaseModel], work, gate):
    """Validate the JSON body against `schema`, then run `work(body)` holding `gate`; bad input answers
    400 with the loader's message, as the CLI would print it."""
    try:
        raw = json.loads(request.get_data(cache=False))
    except (ValueError, RecursionError):
        return jsonify(error="expected a JSON object (the body is not JSON, or nested too deeply)"), 400
    if not isinstance(raw, dict):
        return jsonify(error=f"expected a JSON object; found a JSON {type(raw).__name__}"), 400
    try:
        body = schema.model_validate(raw)
    except ValidationError as exc:
        problems = [Problem("request", ".".join(str(x) for x in err["loc"]) or "body",
                            "nothing" if err["type"] == "missing" else repr(err.get("input"))[:MAX_TEXT], err["msg"])
                    for err in exc.errors()]
        return jsonify(error=InputError(problems).message()), 400
    start = time.perf_counter()
    try:
        with gate:
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
    from agrosim.batch import check_design_size

    explorer = Explorer(scenario, runs=runs, out_root=out_root)
    check_design_size(explorer.scenario, max(runs, explorer.map_points ** 2 * explorer.map_reps), "--runs",
                      all_indicators=True)
    try:
        socket.getaddrinfo(host, port)
        # werkzeug reports a port it cannot bind by printing and exiting with 1: count that as bad input too
        server = make_server(host, port, create_app(explorer, host), threaded=True)
    except (OSError, OverflowError, SystemExit) as exc:
        raise InputError([Problem("command line", "--host/--port", f"{host}:{port}, where no server can listen "
                                  f"({exc})", "a local address and a free port (0 picks one)")]) from None
    shown = f"[{host}]" if ":" in host else host
    print(f"agrosim explorer for {explorer.scenario.name} at http://{shown}:{server.server_port}/ "
          f"({runs} runs per change; Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
