"""The local web app: type texts, tick methods, see the explanations side by side (Flask, served by waitress).

Routes:
- ``GET /``: the form;
- ``GET|POST /explain``: the form and the explanations (HTML; errors are shown on the page);
- ``GET|POST /api/explain``: the explanations as a JSON list (errors as ``{"error": ...}``); POST takes
  a JSON body (``{"texts": ["...", "..."], "pairs": [...], "methods": ["sig", "ig"], "steps": 20}``: list items are
  whole texts, aligned by position) or form fields (``text``/``pair``: one text per line, paired by line number),
  for long texts; a POST reads its body only (a query string on it is refused);
- ``GET /health``: ``{"status": "ok", "busy": ...}``.

One model serves every request, one explanation at a time. What keeps one request from taking the
app down (see `Limits`): caps on lines, characters, steps, samples and methods, checked before any
model work (400 or 413, with the limit in the message); a cooperative time limit per request
(`faithlens.deadline`, 504 when passed); a bounded queue for the model (503 with Retry-After when
full or after waiting too long) while pages and the form keep answering on other threads. Requests
whose Host or Origin is not this machine (localhost, 127.0.0.1, [::1], the bound address, or a
name passed with ``allow_hosts`` / ``--allow-host``) get 403, so a web page the user visits cannot
drive the app (DNS rebinding, cross-site form posts).

The package, bottom up: `inputs` (a request's fields into a `Job`; Host/Origin check), `models` (the gate, the
model picker, estimates, running a job), `form` (the page), `server` (the Flask routes and the waitress server).
``faithlens serve`` starts it; it sits beside the command line as the other face of the library.
"""

from .form import COSTS, FORM_STYLE, SCRIPT, TARGET_HELP, cost_line, form_page
from .inputs import (FALSE, FIELDS, LOOPBACK, TRUE, Job, Limits, RequestError, allowed_hostnames, foreign, is_json,
                     parse, request_fields, single_field, split_lines)
from .models import ModelGate, Models, estimate, run
from .server import SECURITY_HEADERS, Server, create_app, make_server
from ..names import DEFAULT_METHODS, DEFAULT_MODE, DEFAULT_UNIT

__all__ = ["COSTS", "DEFAULT_METHODS", "DEFAULT_MODE", "DEFAULT_UNIT", "FALSE", "FIELDS", "FORM_STYLE", "LOOPBACK",
           "SCRIPT", "SECURITY_HEADERS", "TARGET_HELP", "TRUE", "Job", "Limits", "ModelGate", "Models", "RequestError",
           "Server", "allowed_hostnames", "cost_line", "create_app", "estimate", "foreign", "form_page", "is_json",
           "make_server", "parse", "request_fields", "run", "single_field", "split_lines"]

