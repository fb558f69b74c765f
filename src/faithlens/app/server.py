"""The web app itself: the Flask routes over the form, the inputs check and the model gate (routes and limits are
listed in the package docstring), the security headers, and the waitress server that serves them."""

from __future__ import annotations

import json
import sys
import threading
import traceback
from collections.abc import Iterable
from dataclasses import asdict

from ..errors import FaithlensError
from ..explainer import Explainer
from ..views.html import render_groups
from ..views.parts import html_text
from .form import SCRIPT, form_page
from .inputs import Limits, RequestError, allowed_hostnames, foreign, is_json, parse, request_fields, single_field
from .models import ModelGate, Models, check_class_target, checked_settings, estimate, run, web_hint


SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
                               "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # "no-referrer" makes Chromium send "Origin: null" with the form's POST
}


def create_app(explainer: Explainer, *, limits: Limits = Limits(), host: str = "127.0.0.1",
               allow_hosts: Iterable[str] = (), models: dict | None = None):
    """The Flask app (WSGI). `host`: the address it is bound to; `allow_hosts`: more names to answer;
    `models`: more models for the picker (name -> folder, hub id, 'smollm2', None for the bundled one, or an
    `Explainer`), loaded when chosen (see `Models`)."""
    from flask import Flask, Response, request
    from werkzeug.exceptions import HTTPException

    app = Flask("faithlens", static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = limits.max_body_bytes
    allowed = allowed_hostnames(host, allow_hosts)
    gate = ModelGate(limits.queue, limits.wait_seconds)
    served = Models(explainer, models)
    app.extensions["faithlens"] = {"gate": gate, "limits": limits, "allowed": allowed, "models": served}

    def wants_json() -> bool:
        return request.path.startswith("/api/")

    def reply(status: int, body: str, kind: str, headers: dict | None = None) -> Response:
        response = Response(body, status=status, mimetype=kind)
        response.headers.update(SECURITY_HEADERS)
        response.headers.update(headers or {})
        return response

    def error(status: int, message: str, headers: dict | None = None, fields: dict | None = None) -> Response:
        if wants_json():
            return reply(status, json.dumps({"error": message, "status": status}), "application/json", headers)
        notice = f'<p class="error" id="error" role="alert">{html_text(message)}</p>'
        return reply(status, form_page(served, fields or {}, notice, limits), "text/html", headers)

    @app.before_request
    def guard():
        problem = foreign(request.headers, allowed)
        if problem:
            return error(403, problem)
        if request.method == "HEAD" and request.path in ("/explain", "/api/explain"):  # Flask answers HEAD by running
            return error(405, f"HEAD is not answered on {request.path}: it would run the model to send no result. "  # GET
                              "Use GET or POST.", {"Allow": "GET, POST"})
        return None

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code == 413:
            return error(413, f"The request is too large: at most {limits.max_body_bytes // 1024} KiB. "
                              f"This app takes {limits.describe()}.")
        if exc.code == 404:
            return error(404, f"No page {request.path}. Try / or /explain, or /api/explain for JSON.")
        if exc.code == 405:  # the methods this path answers (werkzeug lists HEAD and OPTIONS beside GET)
            valid = [m for m in ("GET", "POST") if m in (getattr(exc, "valid_methods", None) or ("GET", "POST"))]
            more = " (explanations are posted to /explain, or /api/explain for JSON)" if "POST" not in valid else ""
            return error(405, f"{request.method} is not allowed on {request.path}. Use {' or '.join(valid)}{more}.",
                         {"Allow": ", ".join(valid)})
        return error(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(Exception)
    def crash(exc: Exception):
        traceback.print_exc(file=sys.stderr)
        return error(500, f"Internal error ({type(exc).__name__}). The details are in the server's log.")

    @app.get("/")
    def form():
        fields = {k: request.args.getlist(k) for k in ("model", "text") if k in request.args}
        try:
            served.check(single_field(fields, "model"))
        except RequestError as exc:
            return error(exc.status, exc.message, exc.headers)
        return reply(200, form_page(served, fields, "", limits), "text/html")

    @app.get("/app.js")
    def script():
        return reply(200, SCRIPT, "text/javascript")

    @app.get("/health")
    def health():
        return reply(200, json.dumps({"status": "ok", "busy": gate.busy, "model": served.name, "default": served.default,
                                      "models": list(served.choices), "limits": asdict(limits)}), "application/json")

    @app.route("/explain", methods=["GET", "POST"])
    def explain_page():
        fields: dict = {}
        try:
            fields = request_fields(request)
            job = parse(fields, limits, typed=is_json(request))
            groups = run(served, job, gate, limits)
        except RequestError as exc:
            return error(exc.status, exc.message, exc.headers, fields)
        return reply(200, form_page(served, fields, render_groups(groups), limits), "text/html")

    @app.route("/api/explain", methods=["GET", "POST"])
    def explain_api():
        try:
            fields = request_fields(request)
            job = parse(fields, limits, typed=is_json(request))
            groups = run(served, job, gate, limits)
        except RequestError as exc:
            return error(exc.status, exc.message, exc.headers)
        return reply(200, json.dumps([e.to_dict() for group in groups for e in group]), "application/json")

    @app.route("/api/estimate", methods=["GET", "POST"])
    def estimate_api():
        """What a request would cost, before it runs (the page's progress line): model passes and seconds."""
        try:
            job = parse(request_fields(request), limits, typed=is_json(request))
            name = served.check(job.model)
        except RequestError as exc:
            return error(exc.status, exc.message, exc.headers)
        if name != served.name:  # not loaded: loading it is part of the wait (its other checks run with the request)
            task, labels = served.describe(name)
            try:
                check_class_target(task, labels, job.settings.get("target"), name)
            except RequestError as exc:
                return error(exc.status, exc.message, exc.headers)
            except FaithlensError as exc:
                return error(400, web_hint(str(exc)))
            said = {"passes": None, "seconds": None, "over_limit": False,
                    "text": f"loading model {name} first, then explaining …"}
        else:
            try:
                checked_settings(served.explainer, job)
            except RequestError as exc:
                return error(exc.status, exc.message, exc.headers)
            except FaithlensError as exc:
                return error(400, web_hint(str(exc)))
            said = estimate(served.explainer, job, served.rates.get(name), limits.seconds)
        return reply(200, json.dumps(said), "application/json")

    return app


# --- serving ------------------------------------------------------------------------------------------

class Server:
    """A waitress server around the app: `url`, `serve_forever()`, `start()` (in a thread), `close()`."""

    def __init__(self, app, host: str, port: int, threads: int):
        from waitress.server import create_server

        self.app = app
        self._server = create_server(app, host=host, port=port, threads=threads, ident="faithlens",
                                     channel_timeout=120, connection_limit=100, clear_untrusted_proxy_headers=True)
        self.host = host
        self.port = int(self._server.effective_port)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = self.host if self.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}"

    def serve_forever(self) -> None:
        self._server.run()

    def start(self) -> Server:
        self._thread = threading.Thread(target=self.serve_forever, name="faithlens-server", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.close()
        if self._thread is not None:
            self._thread.join(timeout=10)


def make_server(explainer: Explainer, host: str = "127.0.0.1", port: int = 8765, *, limits: Limits = Limits(),
                allow_hosts: Iterable[str] = (), threads: int = 8, models: dict | None = None) -> Server:
    """The app served by waitress on `host`:`port` (port 0: any free port; see `Server.url`).

    `threads` worker threads: one explains while the others keep answering pages; at most
    `limits.queue` explanation requests wait for the model. `models`: more models for the picker
    (see `create_app`).
    """
    if threads < limits.queue + 2:
        raise FaithlensError(f"The server needs at least queue + 2 = {limits.queue + 2} threads so pages keep answering "
                             f"while explanations wait. Got {threads}.")
    return Server(create_app(explainer, limits=limits, host=host, allow_hosts=allow_hosts, models=models), host, port,
                  threads)
