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
FIELDS = ("text", "texts", "pair", "method", "methods", "steps", "samples", "unit", "mode", "baseline", "score", "target",
          "truncate", "model")
TRUE, FALSE = ("1", "true", "on", "yes"), ("", "0", "false", "off", "no")
LOOPBACK = ("localhost", "127.0.0.1", "::1")
FORM_STYLE = """
.faithlens textarea{width:100%;max-width:60em;font:inherit;font-size:1em;padding:.4em;box-sizing:border-box}
.faithlens fieldset{border:1px solid rgba(128,128,128,.4);margin:.6em 0;padding:.3em .8em}
.faithlens label{margin-right:1em;white-space:nowrap}
.faithlens input,.faithlens select,.faithlens button{font:inherit}
.faithlens button{padding:.3em 1.2em}
.faithlens :focus-visible{outline:3px solid #1a73e8;outline-offset:2px}
.faithlens .methods-help{margin:.3em 0 0;padding-left:1.2em;font-size:.9em;opacity:.85}
.faithlens #progress{margin:.8em 0;padding:.5em .8em;border-left:4px solid #1a73e8;background:rgba(128,128,128,.12)}
.faithlens #progress[hidden]{display:none}
.faithlens .spinner{display:inline-block;width:1em;height:1em;margin-right:.5em;vertical-align:-.15em;border-radius:50%;
  border:3px solid rgba(128,128,128,.35);border-top-color:#1a73e8;animation:faithlens-spin .8s linear infinite}
@keyframes faithlens-spin{to{transform:rotate(360deg)}}
@media (prefers-reduced-motion:reduce){.faithlens .spinner{animation-duration:3s}}
"""

# What each method costs, beside the registry's summary of what it computes (N: words or tokens of a text).
COSTS = {
    "sig": "exact by default: N + 1 forward passes; with steps, N × steps forward+backward passes",
    "ig": "steps (50) forward+backward passes per text",
    "grad_x_input": "1 forward+backward pass",
    "saliency": "1 forward+backward pass",
    "smoothgrad": "samples (10) forward+backward passes",
    "deeplift": "1 forward+backward pass (and the baseline's)",
    "gradient_shap": "samples (5) forward+backward passes",
    "occlusion": "N + 1 forward passes",
    "dig": "steps (30) forward+backward passes, after a nearest-neighbour search over the vocabulary",
    "dig_maxcount": "steps (30) forward+backward passes, after a nearest-neighbour search over the vocabulary",
    "shapley": "samples ({samples}) random orders × (N − 1) forward passes",
    "kernel_shap": "samples ({samples}) coalitions: forward passes, then a weighted regression",
    "lime": "samples ({samples}) coalitions: forward passes, then a weighted ridge regression",
    "partition": "about 2·N² forward passes (coalitions of word groups), no sampling",
    "random": "no model pass: seeded random word scores, the floor a faithful method must beat",
}


def cost_line(method: str) -> str:
    """What `method` costs in model passes (COSTS), with its registry's default sample count filled in."""
    from ..methods import METHODS

    samples = getattr(METHODS.get(method), "default_samples", None)
    return COSTS.get(method, "see the README's method table").format(samples=samples)
SCRIPT = """'use strict';
// The form works without this script (a plain POST; the page loads when the explanation is done). With it,
// the page stays while the request runs: a spinner, the seconds so far and the server's estimate
// (/api/estimate), then the answer's body replaces this one. Choosing another model reloads the form
// with that model's targets (classes, answer, continuation).
(function () {
  function bind() {
    var form = document.getElementById('explain-form');
    var box = document.getElementById('progress');
    var picker = document.getElementById('model');
    if (picker) {
      picker.addEventListener('change', function () {
        var url = new URL('/', window.location.href);
        url.searchParams.set('model', picker.value);
        url.searchParams.set('text', document.getElementById('text').value);
        window.location.assign(url.toString());
      });
    }
    if (!form || !box || !window.fetch || !window.DOMParser) { return; }
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var data = new FormData(form);
      var started = Date.now();
      var elapsed = document.getElementById('elapsed');
      var estimate = document.getElementById('estimate');
      box.hidden = false;
      document.getElementById('submit').disabled = true;
      var timer = setInterval(function () {
        elapsed.textContent = Math.round((Date.now() - started) / 1000) + ' s';
      }, 250);
      fetch('/api/estimate', {method: 'POST', body: new URLSearchParams(data)})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (j) { if (j && j.text) { estimate.textContent = j.text; } })
        .catch(function () {});
      fetch(form.action, {method: 'POST', body: new URLSearchParams(data)})
        .then(function (r) { return r.text(); })
        .then(function (text) {
          clearInterval(timer);
          var answer = new DOMParser().parseFromString(text, 'text/html');
          answer.querySelectorAll('noscript').forEach(function (n) { n.remove(); });  // parsed as markup here
          document.title = answer.title;
          document.body.replaceWith(document.adoptNode(answer.body));
          bind();
        })
        .catch(function () { clearInterval(timer); form.submit(); });
    });
  }
  document.addEventListener('DOMContentLoaded', bind);
})();
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
    texts: list  # str, or (text, text_pair) tuples
    methods: list[str]
    settings: dict
    model: str | None = None  # a name from the app's model picker; None: the one loaded


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
    pairs = [p for value in fields.get("pair", []) for p in split_lines(_string("pair", value))]
    if pairs and len(pairs) != len(texts):
        raise RequestError(400, f"Got {len(texts)} text line(s) and {len(pairs)} second text(s). Give one second text "
                                "(hypothesis, or a QA model's context) per line of text, or none.")
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
        settings["target"] = target  # a str is read by the one rule of faithlens.explainer._resolve_target (classes),
        # or is the answer (QA) or the continuation (causal LM)
    settings["truncate"] = _boolean(fields, "truncate")
    settings["faithfulness"] = True  # each explanation against random orderings of its words (faithlens.trust)
    try:  # the checks the CLI and the Python API make: ranges, and settings that no chosen method reads
        check_settings(methods, settings)
    except FaithlensError as exc:
        raise RequestError(400, str(exc)) from None
    model = _single(fields, "model")
    if model is not None and not isinstance(model, str):
        raise RequestError(400, f"The 'model' parameter must be a model name. Got {model!r}.")
    items = list(zip(texts, pairs)) if pairs else texts
    return Job(texts=items, methods=methods, settings=settings, model=model or None)


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


# --- the models to choose from -----------------------------------------------------------------------

class Models:
    """The app's model picker: a name for each model, loaded when first chosen, one in memory at a time.

    ``choices``: name -> what `load_model` takes (a folder, a hub id, 'smollm2', None for the bundled
    model) or an already loaded `Explainer`. `get` loads under the app's gate, so a model is never
    swapped while another request explains. Each model's speed (seconds per model pass) is measured
    on its own requests and feeds the time estimate.
    """

    def __init__(self, first: Explainer, choices: dict | None = None):
        given = {str(name): spec for name, spec in (choices or {}).items()}
        # the first model keeps its spec when it has one, so that choosing another lets it go (one in memory)
        self.choices: dict = {first.model.name: given.pop(first.model.name, first), **given}
        self.name, self.explainer = first.model.name, first
        self.rates: dict[str, float] = {}  # seconds per model pass, measured

    def check(self, name: str | None) -> str:
        if name is None:
            return self.name
        if name not in self.choices:
            raise RequestError(400, f"Unknown model {name!r}. This app serves: {', '.join(self.choices)}.")
        return name

    def get(self, name: str | None) -> Explainer:
        """The explainer of `name` (loading it, and letting the previous one go, if it is not the one loaded)."""
        name = self.check(name)
        if name != self.name:
            spec = self.choices[name]
            if isinstance(spec, Explainer):
                explainer = spec
            else:
                try:
                    explainer = Explainer(spec)
                except FaithlensError as exc:
                    raise RequestError(400, f"Cannot load model {name!r}: {exc}") from None
            self.name, self.explainer = name, explainer
        return self.explainer

    def describe(self, name: str | None) -> tuple[str, list[str]]:
        """(task name, class labels) of a model without loading its weights: its config (or the loaded model)."""
        name = self.check(name)
        spec = self.choices[name]
        if name == self.name or isinstance(spec, Explainer):
            model = (self.explainer if name == self.name else spec).model
            return model.task.name, list(model.labels)
        return _config_task(spec)


def _config_task(spec) -> tuple[str, list[str]]:
    """(task, labels) from a model folder's config.json (`tasks.detect_task`), without loading the weights."""
    from pathlib import Path

    from ..tasks import detect_task

    try:
        from transformers import AutoConfig

        if spec in (None, "default"):
            from ..default_model import default_model_dir

            folder = default_model_dir()
        elif spec == "smollm2":
            from ..smollm2 import smollm2_dir

            folder = smollm2_dir()
        else:
            folder = Path(str(spec)).expanduser()
        config = AutoConfig.from_pretrained(str(folder), local_files_only=True)
    except Exception:  # an unreadable folder says so when it is loaded; the form offers a free target until then
        return "unknown", []
    labels = getattr(config, "id2label", None) or {}
    task = detect_task(config).name
    return task, ([str(labels[i]) for i in sorted(labels)] if task in ("classification", "multi_label") else [])


def estimate(explainer: Explainer, job: Job, rate: float | None) -> dict:
    """The work of `job` on `explainer`'s model before it runs: model passes (`options.estimated_passes`) and,
    with a measured `rate` (seconds per pass), the expected seconds."""
    from types import SimpleNamespace

    from ..encoding import encode
    from ..names import DEFAULT_UNIT as unit
    from ..options import estimated_passes

    try:
        enc = encode(explainer.model, job.texts, truncate=True)
    except FaithlensError:
        return {"passes": None, "seconds": None, "text": "explaining …"}
    passes = 0
    for m in job.methods:
        opts = SimpleNamespace(unit=job.settings.get("unit", unit), mode=job.settings.get("mode", DEFAULT_MODE),
                               steps=job.settings.get("steps"), n_samples=job.settings.get("n_samples"),
                               return_attributions=False, tolerance=None, rule="gausslegendre")
        passes += estimated_passes(m, opts, enc)[0]
    seconds = None if rate is None else passes * rate
    said = (f"about {_seconds(seconds)} ({passes:,} model passes)" if seconds is not None else
            f"{passes:,} model passes (the time is measured after this model's first explanation)")
    return {"passes": passes, "seconds": seconds, "text": said}


def _seconds(value: float) -> str:
    return f"{value:.0f} s" if value >= 2 else f"{value:.1f} s"


# --- the app --------------------------------------------------------------------------------------------

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
        notice = f'<p class="error" id="error" role="alert">{html.escape(message)}</p>'
        return reply(status, _form_page(served, fields or {}, notice, limits), "text/html", headers)

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
        fields = {k: request.args.getlist(k) for k in ("model", "text") if k in request.args}
        try:
            served.check(_single(fields, "model"))
        except RequestError as exc:
            return error(exc.status, exc.message, exc.headers)
        return reply(200, _form_page(served, fields, "", limits), "text/html")

    @app.get("/app.js")
    def script():
        return reply(200, SCRIPT, "text/javascript")

    @app.get("/health")
    def health():
        return reply(200, json.dumps({"status": "ok", "busy": gate.busy, "model": served.name,
                                      "models": list(served.choices), "limits": asdict(limits)}), "application/json")

    @app.route("/explain", methods=["GET", "POST"])
    def explain_page():
        fields: dict = {}
        try:
            fields = _fields(request)
            job = parse(fields, limits)
            groups = run(served, job, gate, limits)
        except RequestError as exc:
            return error(exc.status, exc.message, exc.headers, fields)
        return reply(200, _form_page(served, fields, render_groups(groups), limits), "text/html")

    @app.route("/api/explain", methods=["GET", "POST"])
    def explain_api():
        try:
            fields = _fields(request)
            job = parse(fields, limits)
            groups = run(served, job, gate, limits)
        except RequestError as exc:
            return error(exc.status, exc.message, exc.headers)
        return reply(200, json.dumps([e.to_dict() for group in groups for e in group]), "application/json")

    @app.route("/api/estimate", methods=["GET", "POST"])
    def estimate_api():
        """What a request would cost, before it runs (the page's progress line): model passes and seconds."""
        try:
            job = parse(_fields(request), limits)
            name = served.check(job.model)
        except RequestError as exc:
            return error(exc.status, exc.message, exc.headers)
        if name != served.name:  # not loaded: loading it is part of the wait
            said = {"passes": None, "seconds": None, "text": f"loading model {name} first, then explaining …"}
        else:
            said = estimate(served.explainer, job, served.rates.get(name))
        return reply(200, json.dumps(said), "application/json")

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


def run(models: Models | Explainer, job: Job, gate: ModelGate, limits: Limits) -> list[list]:
    """Explain every text with every method, one batched call per method, under the gate and the time limit
    (loading the chosen model first when it is not the one in memory)."""
    import time

    models = models if isinstance(models, Models) else Models(models)
    try:
        with gate.use():
            explainer = models.get(job.model)
            with deadline(limits.seconds, what="this request"):
                settings = dict(job.settings)
                started = time.perf_counter()
                by_method = []
                for m in job.methods:
                    check_deadline()
                    by_method.append(explainer.explain(job.texts, m, **applicable(m, settings)))
                passes = estimate(explainer, job, None)["passes"]
                if passes:  # this model's speed, for the next request's time estimate
                    rate = (time.perf_counter() - started) / passes
                    old = models.rates.get(models.name)
                    models.rates[models.name] = rate if old is None else 0.5 * (old + rate)
    except DeadlineExceeded as exc:
        raise RequestError(504, str(exc)) from None
    except FaithlensError as exc:
        raise RequestError(400, _web_hint(str(exc))) from None
    return [list(group) for group in zip(*by_method)]


def _web_hint(message: str) -> str:
    """Library messages name command-line options; here the same choice is a form field."""
    return message.replace("pass --truncate (truncate=True)", "tick 'truncate long texts' (API: truncate=true)")


TARGET_HELP = {
    "classification": ("Explain class", "the predicted class"),
    "multi_label": ("Explain label", "the top label"),
    "qa": ("Answer to explain (a span of the context)", "the predicted answer"),
    "causal_lm": ("Continuation to explain (the text after the prompt; mind the leading space)",
                  "the model's next token (greedy)"),
    "unknown": ("Target (class, answer or continuation)", "the model's own prediction"),
}


def _form_page(served: Models | Explainer, fields: dict, results: str, limits: Limits) -> str:
    from ..methods import METHODS

    served = served if isinstance(served, Models) else Models(served)

    def first(key: str, default: str = "") -> str:
        values = fields.get(key) or [default]
        value = values[0]
        return value if isinstance(value, str) else ("\n".join(map(str, value)) if isinstance(value, list) else str(value))

    text = first("text") or "\n".join(str(t) for v in fields.get("texts", []) for t in (v if isinstance(v, list) else [v]))
    chosen_raw = [m for key in ("method", "methods") for v in fields.get(key, []) for m in (v if isinstance(v, list) else [v])]
    chosen = set(map(str, chosen_raw)) or set(DEFAULT_METHODS)
    boxes = "".join(f'<label title="{html.escape(METHODS[m].summary, quote=True)}"><input type="checkbox" name="method" '
                    f'value="{html.escape(m)}"{" checked" if m in chosen else ""}> {html.escape(m)}</label> ' for m in METHODS)
    helps = "".join(f'<li data-method="{html.escape(m, quote=True)}"><b>{html.escape(m)}</b>: {html.escape(METHODS[m].summary)}'
                    f' — cost: {html.escape(cost_line(m))}</li>' for m in METHODS)

    def select(name: str, label: str, choices: Iterable[str], default: str) -> str:
        current = first(name, default)
        options = "".join(f'<option{" selected" if c == current else ""}>{html.escape(c)}</option>' for c in choices)
        return f'<label for="{name}">{label}</label> <select id="{name}" name="{name}">{options}</select> '

    name = first("model") or served.name
    name = name if name in served.choices else served.name
    task, labels = served.describe(name)
    models = "".join(f'<option value="{html.escape(n, quote=True)}"{" selected" if n == name else ""}>{html.escape(n)}'
                     f'{" (loaded)" if n == served.name else ""}</option>' for n in served.choices)
    picker = (f'<label for="model">Model</label> <select id="model" name="model">{models}</select> '
              '<noscript>(another model: choose it and press Explain; the form then offers its targets)</noscript> ')
    caption, fallback = TARGET_HELP.get(task, TARGET_HELP["unknown"])
    target = first("target")
    if labels:
        options = f'<option value=""{"" if target else " selected"}>{html.escape(fallback)}</option>' + "".join(
            f'<option value="{html.escape(c, quote=True)}"{" selected" if c == target else ""}>{html.escape(c)}</option>'
            for c in labels)
        target_field = f'<label for="target">{caption}</label> <select id="target" name="target">{options}</select>'
    else:
        target_field = (f'<label for="target">{caption}</label> <input id="target" name="target" size="24" '
                        f'value="{html.escape(target, quote=True)}" placeholder="default: {html.escape(fallback, quote=True)}">')
    pair_caption = ("Contexts, one per question line" if task == "qa" else
                    "Second texts of pairs (hypotheses), one per line — optional")
    pair_field = (f'<label for="pair">{pair_caption}</label><br><textarea id="pair" name="pair" rows="2">'
                  f'{html.escape(first("pair"))}</textarea>') if task in ("qa", "classification", "multi_label", "unknown") else ""
    truncate = first("truncate").strip().lower() in TRUE or fields.get("truncate") == [True]
    shown = served.explainer.model if name == served.name else None
    meta = (f"model {html.escape(name)}"
            + (f" · labels {html.escape(', '.join(labels))}" if labels else f" · {html.escape(task.replace('_', ' '))}")
            + ("" if shown is not None else " · loads when you press Explain")
            + f" · {html.escape(limits.describe())}")
    form = (f'<h1>faithlens</h1><p class="meta" id="meta">{meta}</p>'
            '<form id="explain-form" action="/explain" method="post">'
            '<label for="text">Texts to explain, one per line</label><br>'
            f'<textarea id="text" name="text" rows="4" autofocus placeholder="a gripping, funny film">{html.escape(text)}</textarea>'
            f'<fieldset><legend>methods</legend>{boxes}<ul class="methods-help">{helps}</ul></fieldset>'
            f'<p>{picker}{target_field}</p>{pair_field}<p>'
            + select("unit", "SIG unit", UNITS, DEFAULT_UNIT) + select("mode", "SIG mode", MODES, DEFAULT_MODE)
            + f'<label for="steps">steps</label> <input id="steps" name="steps" size="4" inputmode="numeric" '
              f'value="{html.escape(first("steps"))}" placeholder="default"> '
            + f'<label for="samples">samples</label> <input id="samples" name="samples" size="4" inputmode="numeric" '
              f'value="{html.escape(first("samples"))}" placeholder="default"> '
            + f'<label><input type="checkbox" id="truncate" name="truncate" value="true"{" checked" if truncate else ""}> '
              'truncate long texts</label> '
            '<button type="submit" id="submit">Explain</button></p></form>'
            '<div id="progress" role="status" aria-live="polite" hidden><span class="spinner"></span>'
            'Explaining … <span id="elapsed">0 s</span> so far; expected: <span id="estimate">estimating …</span></div>'
            '<noscript><p class="meta">Explaining takes a few seconds to a minute; the page loads when it is done.</p>'
            '</noscript><script src="/app.js"></script>')
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
