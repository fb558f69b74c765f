"""The web app's page: the form (texts, methods with what each costs, settings), its style and script, and
the explanations below it."""

from __future__ import annotations

import html
from collections.abc import Iterable

from ..explainer import Explainer
from ..names import DEFAULT_METHODS, DEFAULT_MODE, DEFAULT_UNIT, SIG_MODES as MODES, UNITS
from ..views.html import page
from ..views.parts import html_text
from .inputs import TRUE, Limits
from .models import Models


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


TARGET_HELP = {
    "classification": ("Explain class", "the predicted class"),
    "multi_label": ("Explain label", "the top label"),
    "qa": ("Answer to explain (a span of the context)", "the predicted answer"),
    "causal_lm": ("Continuation to explain (the text after the prompt; mind the leading space)",
                  "the model's next token (greedy)"),
    "unknown": ("Target (class, answer or continuation)", "the model's own prediction"),
}


def form_page(served: Models | Explainer, fields: dict, results: str, limits: Limits) -> str:
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

    name = first("model") or served.default  # the form sends its choice with every request; no server state
    name = name if name in served.choices else served.default
    task, labels = served.describe(name)
    models = "".join(f'<option value="{html.escape(n, quote=True)}"{" selected" if n == name else ""}>{html_text(n)}'
                     f'{" (loaded)" if n == served.name else ""}</option>' for n in served.choices)
    picker = (f'<label for="model">Model</label> <select id="model" name="model">{models}</select> '
              '<noscript>(another model: choose it and press Explain; the form then offers its targets)</noscript> ')
    caption, fallback = TARGET_HELP.get(task, TARGET_HELP["unknown"])
    target = first("target")
    if labels:
        options = f'<option value=""{"" if target else " selected"}>{html.escape(fallback)}</option>' + "".join(
            f'<option value="{html.escape(c, quote=True)}"{" selected" if c == target else ""}>{html_text(c)}</option>'
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
    meta = (f"model {html_text(name)}"
            + (f" · labels {html_text(', '.join(labels))}" if labels else f" · {html.escape(task.replace('_', ' '))}")
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
