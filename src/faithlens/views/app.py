"""The local web app: type texts, tick methods, see the explanations side by side (Flask, served by waitress).

Routes:
- ``GET /``: the form;
- ``GET|POST /explain``: the form and the explanations (HTML; errors are shown on the page);
- ``GET|POST /api/explain``: the explanations as a JSON list (errors as ``{"error": ...}``); POST takes
  a JSON body (``{"text": "...", "methods": ["sig", "ig"], "steps": 20}``) or form fields, for long texts;
- ``GET /health``: ``{"status": "ok", "busy": ...}``.

One model serves every request, one explanation at a time. What keeps one request from taking the
app down (see `Limits`): caps on lines, characters, steps, samples and methods, checked before any
model work (400 or 413, with the limit in the message); a cooperative time limit per request
(`faithlens.deadline`, 504 when passed); a bounded queue for the model (503 with Retry-After when
full or after waiting too long) while pages and the form keep answering on other threads. Requests
whose Host or Origin is not this machine (localhost, 127.0.0.1, [::1], the bound address, or a
name passed with ``allow_hosts`` / ``--allow-host``) get 403, so a web page the user visits cannot
drive the app (DNS rebinding, cross-site form posts).
"""

from __future__ import annotations

import html
import json
import re
import sys
import threading
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from ..deadline import check as check_deadline
from ..deadline import DeadlineExceeded, deadline
from ..errors import FaithlensError
from ..options import applicable, check_settings
from ..explainer import Explainer
from .html import page, render_groups

from ..names import DEFAULT_METHODS, DEFAULT_MODE, DEFAULT_UNIT, SIG_MODES as MODES, UNITS
FIELDS = ("text", "texts", "method", "methods", "steps", "samples", "unit", "mode", "baseline", "score", "target", "truncate")
TRUE, FALSE = ("1", "true", "on", "yes"), ("", "0", "false", "off", "no")
LOOPBACK = ("localhost", "127.0.0.1", "::1")
FORM_STYLE = """
.faithlens textarea{width:100%;max-width:60em;font:inherit;font-size:1em;padding:.4em;box-sizing:border-box}
.faithlens fieldset{border:1px solid rgba(128,128,128,.4);margin:.6em 0;padding:.3em .8em}
.faithlens label{margin-right:1em;white-space:nowrap}
.faithlens input,.faithlens select,.faithlens button{font:inherit}
.faithlens button{padding:.3em 1.2em}
.faithlens :focus-visible{outline:3px solid #1a73e8;outline-offset:2px}
"""


@dataclass(frozen=True)
class Limits:
    """What one request may ask for. Checked before any model work."""

    max_lines: int = 20  # texts per request
    max_chars: int = 5000  # characters over all texts
    max_steps: int = 300  # path steps (sig, ig, dig)
    max_samples: int = 50  # samples (smoothgrad, gradient_shap)
    max_methods: int = 5  # methods per request
    max_body_bytes: int = 256 * 1024  # request body (POST)
    seconds: float = 60.0  # time limit of one request's explanations
    queue: int = 2  # requests that may wait while one explains
    wait_seconds: float = 30.0  # how long a request waits for the model before a 503

    def describe(self) -> str:
        return (f"up to {self.max_lines} texts (one per line) and {self.max_chars} characters, {self.max_methods} methods, "
                f"steps ≤ {self.max_steps}, samples ≤ {self.max_samples}; each request has {self.seconds:g} s")


class RequestError(Exception):
    """A request the app refuses: HTTP status and a message saying what to change."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True)
class Job:
    texts: list[str]
    methods: list[str]
    settings: dict


# --- input --------------------------------------------------------------------------------------

def split_lines(text: str) -> list[str]:
    """One text per line: split on \\n and \\r\\n only (not on U+2028, \\v, \\f, ...); blank lines dropped."""
    return [line for line in re.split(r"\r?\n", text) if line.strip()]


def parse(fields: dict[str, list], limits: Limits) -> Job:
    """Validate one request's fields (name -> list of values) against `limits`; raises RequestError."""
    from ..baselines import BASELINES
    from ..methods import METHODS
    from ..scores import SCORES

    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise RequestError(400, f"Unknown parameter(s) {', '.join(map(repr, unknown))}. Valid: {', '.join(FIELDS)}.")
    texts: list[str] = []
    for value in fields.get("text", []):
        texts += split_lines(_string("text", value))
    for value in fields.get("texts", []):
        values = value if isinstance(value, list) else [value]
        texts += [t for t in (_string("texts", v) for v in values) if t.strip()]
    if not texts:
        raise RequestError(400, "The text is empty. Type a text to explain (one per line).")
    if len(texts) > limits.max_lines:
        raise RequestError(413, f"Too many texts: {len(texts)} lines; this app explains at most {limits.max_lines} per "
                                "request. Send fewer lines, or use `faithlens explain --file` for many texts.")
    chars = sum(len(t) for t in texts)
    if chars > limits.max_chars:
        raise RequestError(413, f"The texts are too long: {chars} characters; this app takes at most {limits.max_chars} per "
                                "request. Send less text, or use `faithlens explain` on the command line.")
    methods: list[str] = []
    for key in ("method", "methods"):
        for value in fields.get(key, []):
            for m in (value if isinstance(value, list) else [value]):
                m = _string(key, m).strip()
                if m and m not in methods:
                    methods.append(m)
    methods = methods or list(DEFAULT_METHODS)
    bad = [m for m in methods if m not in METHODS]
    if bad:
        raise RequestError(400, f"Unknown method {bad[0]!r}. Valid choices: {', '.join(METHODS)}.")
    if len(methods) > limits.max_methods:
        raise RequestError(400, f"Too many methods: {len(methods)}; at most {limits.max_methods} per request.")
    settings: dict = {}
    steps = _integer(fields, "steps", 1, limits.max_steps)
    if steps is not None:
        settings["steps"] = steps
    samples = _integer(fields, "samples", 1, limits.max_samples)
    if samples is not None:
        settings["n_samples"] = samples
    for key, choices in (("unit", UNITS), ("mode", MODES), ("baseline", BASELINES), ("score", tuple(SCORES))):
        value = _single(fields, key)
        if value is None or value == "":
            continue
        if value not in choices:
            raise RequestError(400, f"Unknown {key} {value!r}. Valid choices: {', '.join(choices)}.")
        settings[key] = value
    target = _single(fields, "target")
    if target not in (None, ""):
        if isinstance(target, bool) or not isinstance(target, (str, int)):
            raise RequestError(400, f"The 'target' parameter must be a class index or label name. Got {target!r}.")
        settings["target"] = int(target) if isinstance(target, str) and target.lstrip("-").isdigit() else target
    settings["truncate"] = _boolean(fields, "truncate")
    settings["faithfulness"] = True  # each explanation against random orderings of its words (faithlens.trust)
    try:  # the checks the CLI and the Python API make: ranges, and settings that no chosen method reads
        check_settings(methods, settings)
    except FaithlensError as exc:
        raise RequestError(400, str(exc)) from None
    return Job(texts=texts, methods=methods, settings=settings)


def _string(key: str, value) -> str:
    if not isinstance(value, str):
        raise RequestError(400, f"The {key!r} parameter must be text. Got {type(value).__name__}.")
    return value


def _single(fields: dict, key: str):
    values = fields.get(key, [])
    if len(values) > 1:
        raise RequestError(400, f"The {key!r} parameter was given {len(values)} times. Give it once.")
    return values[0] if values else None


def _integer(fields: dict, key: str, low: int, high: int) -> int | None:
    value = _single(fields, key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())):
        raise RequestError(400, f"The {key!r} parameter must be a positive int, at most {high}. Got {value!r} instead.")
    number = int(value)
    if not low <= number <= high:
        raise RequestError(400, f"The {key!r} parameter must be between {low} and {high} in this app. Got {number}. "
                                "Use `faithlens explain` on the command line for more.")
    return number


def _boolean(fields: dict, key: str) -> bool:
    value = _single(fields, key)
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in TRUE + FALSE:
        return value.strip().lower() in TRUE
    raise RequestError(400, f"The {key!r} parameter must be true or false. Got {value!r} instead.")


# --- who may ask --------------------------------------------------------------------------------------

def allowed_hostnames(host: str, extra: Iterable[str] = ()) -> set[str]:
    """Host names whose requests are served: the loopback names, the bound address (unless a wildcard) and `extra`."""
    names = set(LOOPBACK)
    if host not in ("", "0.0.0.0", "::"):
        names.add(host.strip("[]").lower())
    names.update(h.strip("[]").lower() for h in extra)
    return names


def _hostname(value: str) -> str | None:
    """The host name of a Host header ('127.0.0.1:8765', '[::1]:80') or an origin ('http://localhost:8765')."""
    if "://" not in value:
        value = "//" + value
    try:
        name = urlsplit(value).hostname
    except ValueError:
        return None
    return name.lower() if name else None


def foreign(headers, allowed: set[str]) -> str | None:
    """Why a request's Host or Origin is refused; None when both are this machine (or allowed)."""
    host = headers.get("Host", "")
    if _hostname(host) not in allowed:
        return (f"Refused: the Host header {host!r} is not this machine. The app answers requests to "
                f"{', '.join(sorted(allowed))} only (so other web pages cannot use it); start it with "
                "--allow-host NAME to accept another name.")
    origin = headers.get("Origin")
    if origin is not None and _hostname(origin) not in allowed:
        return (f"Refused: a page from {origin!r} may not use this app. Only pages it serves itself may send it "
                "requests; start it with --allow-host NAME to accept another origin.")
    return None


# --- the model, one request at a time ---------------------------------------------------------------

class ModelGate:
    """One explanation at a time; at most `queue` more waiting, each for at most `wait` seconds."""

    def __init__(self, queue: int, wait: float):
        self.queue, self.wait = queue, wait
        self._lock = threading.Lock()
        self._count = threading.Lock()
        self.inside = 0  # running + waiting

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    @contextmanager
    def use(self) -> Iterator[None]:
        with self._count:
            if self.inside > self.queue:
                raise RequestError(503, f"The model is busy: one explanation is running and {self.queue} more are waiting. "
                                        "Try again in a moment.", {"Retry-After": "5"})
            self.inside += 1
        try:
            if not self._lock.acquire(timeout=self.wait):
                raise RequestError(503, f"The model stayed busy for {self.wait:g} s. Try again in a moment.",
                                   {"Retry-After": "5"})
            try:
                yield
            finally:
                self._lock.release()
        finally:
            with self._count:
                self.inside -= 1


# --- the app --------------------------------------------------------------------------------------------

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # "no-referrer" makes Chromium send "Origin: null" with the form's POST
}


def create_app(explainer: Explainer, *, limits: Limits = Limits(), host: str = "127.0.0.1",
               allow_hosts: Iterable[str] = ()):
    """The Flask app (WSGI). `host`: the address it is bound to; `allow_hosts`: more names to answer."""
    from flask import Flask, Response, request
    from werkzeug.exceptions import HTTPException

    app = Flask("faithlens", static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = limits.max_body_bytes
    allowed = allowed_hostnames(host, allow_hosts)
    gate = ModelGate(limits.queue, limits.wait_seconds)
    app.extensions["faithlens"] = {"gate": gate, "limits": limits, "allowed": allowed}

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
        notice = f'<p class="error" id="error" role="alert">{html.escape(message)}</p>'
        return reply(status, _form_page(explainer, fields or {}, notice, limits), "text/html", headers)

    @app.before_request
    def guard():
        problem = foreign(request.headers, allowed)
        if problem:
            return error(403, problem)
        return None

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code == 413:
            return error(413, f"The request is too large: at most {limits.max_body_bytes // 1024} KiB. "
                              f"This app takes {limits.describe()}.")
        if exc.code == 404:
            return error(404, f"No page {request.path}. Try / or /explain, or /api/explain for JSON.")
        if exc.code == 405:
            return error(405, f"{request.method} is not allowed on {request.path}. Use GET or POST.")
        return error(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(Exception)
    def crash(exc: Exception):
        traceback.print_exc(file=sys.stderr)
        return error(500, f"Internal error ({type(exc).__name__}). The details are in the server's log.")

    @app.get("/")
    def form():
        return reply(200, _form_page(explainer, {}, "", limits), "text/html")

    @app.get("/health")
    def health():
        return reply(200, json.dumps({"status": "ok", "busy": gate.busy, "model": explainer.model.name,
                                      "limits": asdict(limits)}), "application/json")

    @app.route("/explain", methods=["GET", "POST"])
    def explain_page():
        fields: dict = {}
        try:
            fields = _fields(request)
            job = parse(fields, limits)
            groups = run(explainer, job, gate, limits)
        except RequestError as exc:
            return error(exc.status, exc.message, exc.headers, fields)
        return reply(200, _form_page(explainer, fields, render_groups(groups), limits), "text/html")

    @app.route("/api/explain", methods=["GET", "POST"])
    def explain_api():
        try:
            fields = _fields(request)
            job = parse(fields, limits)
            groups = run(explainer, job, gate, limits)
        except RequestError as exc:
            return error(exc.status, exc.message, exc.headers)
        return reply(200, json.dumps([e.to_dict() for group in groups for e in group]), "application/json")

    return app


def _fields(request) -> dict[str, list]:
    """The request's parameters as name -> list of values: the query string, form fields or a JSON object."""
    if request.method == "POST" and request.mimetype == "application/json":
        try:
            body = json.loads(request.get_data(cache=False) or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            raise RequestError(400, f"The body is not valid JSON ({exc}). Send an object like "
                                    '{"text": "a gripping film", "methods": ["sig"]}.') from None
        if not isinstance(body, dict):
            raise RequestError(400, 'The JSON body must be an object like {"text": "a gripping film", "methods": ["sig"]}.')
        return {k: (v if isinstance(v, list) and k in ("method", "methods") else [v]) for k, v in body.items()}
    source = request.form if request.method == "POST" else request.args
    fields = {k: source.getlist(k) for k in source.keys()}
    if request.method == "POST" and request.args:  # a POST form may carry parameters in its URL too
        for k in request.args.keys():
            fields.setdefault(k, request.args.getlist(k))
    return fields


def run(explainer: Explainer, job: Job, gate: ModelGate, limits: Limits) -> list[list]:
    """Explain every text with every method, one batched call per method, under the gate and the time limit."""
    try:
        with gate.use(), deadline(limits.seconds, what="this request"):
            by_method = []
            for m in job.methods:
                check_deadline()
                by_method.append(explainer.explain(job.texts, m, **applicable(m, job.settings)))
    except DeadlineExceeded as exc:
        raise RequestError(504, str(exc)) from None
    except FaithlensError as exc:
        raise RequestError(400, _web_hint(str(exc))) from None
    return [list(group) for group in zip(*by_method)]


def _web_hint(message: str) -> str:
    """Library messages name command-line options; here the same choice is a form field."""
    return message.replace("pass --truncate (truncate=True)", "tick 'truncate long texts' (API: truncate=true)")


def _form_page(explainer: Explainer, fields: dict, results: str, limits: Limits) -> str:
    from ..methods import METHODS

    def first(key: str, default: str = "") -> str:
        values = fields.get(key) or [default]
        value = values[0]
        return value if isinstance(value, str) else ("\n".join(map(str, value)) if isinstance(value, list) else str(value))

    text = first("text") or "\n".join(str(t) for v in fields.get("texts", []) for t in (v if isinstance(v, list) else [v]))
    chosen_raw = [m for key in ("method", "methods") for v in fields.get(key, []) for m in (v if isinstance(v, list) else [v])]
    chosen = set(map(str, chosen_raw)) or set(DEFAULT_METHODS)
    boxes = "".join(f'<label><input type="checkbox" name="method" value="{html.escape(m)}"'
                    f'{" checked" if m in chosen else ""}> {html.escape(m)}</label> ' for m in METHODS)

    def select(name: str, label: str, choices: Iterable[str], default: str) -> str:
        current = first(name, default)
        options = "".join(f'<option{" selected" if c == current else ""}>{html.escape(c)}</option>' for c in choices)
        return f'<label for="{name}">{label}</label> <select id="{name}" name="{name}">{options}</select> '

    truncate = first("truncate").strip().lower() in TRUE or fields.get("truncate") == [True]
    form = (f'<h1>faithlens</h1><p class="meta">model {html.escape(explainer.model.name)} · labels '
            f'{html.escape(", ".join(explainer.model.labels))} · {html.escape(limits.describe())}</p>'
            '<form action="/explain" method="post">'
            '<label for="text">Texts to explain, one per line</label><br>'
            f'<textarea id="text" name="text" rows="4" autofocus placeholder="a gripping, funny film">{html.escape(text)}</textarea>'
            f'<fieldset><legend>methods</legend>{boxes}</fieldset><p>'
            + select("unit", "SIG unit", UNITS, DEFAULT_UNIT) + select("mode", "SIG mode", MODES, DEFAULT_MODE)
            + f'<label for="steps">steps</label> <input id="steps" name="steps" size="4" inputmode="numeric" '
              f'value="{html.escape(first("steps"))}" placeholder="50"> '
            + f'<label for="samples">samples</label> <input id="samples" name="samples" size="4" inputmode="numeric" '
              f'value="{html.escape(first("samples"))}" placeholder="5"> '
            + f'<label><input type="checkbox" id="truncate" name="truncate" value="true"{" checked" if truncate else ""}> '
              'truncate long texts</label> '
            '<button type="submit" id="submit">Explain</button></p></form>')
    return page("faithlens", form + results, style=FORM_STYLE)


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
                allow_hosts: Iterable[str] = (), threads: int = 8) -> Server:
    """The app served by waitress on `host`:`port` (port 0: any free port; see `Server.url`).

    `threads` worker threads: one explains while the others keep answering pages; at most
    `limits.queue` explanation requests wait for the model.
    """
    if threads < limits.queue + 2:
        raise FaithlensError(f"The server needs at least queue + 2 = {limits.queue + 2} threads so pages keep answering "
                             f"while explanations wait. Got {threads}.")
    return Server(create_app(explainer, limits=limits, host=host, allow_hosts=allow_hosts), host, port, threads)
