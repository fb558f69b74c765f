"""`faithlens audit`: can this model's gradient explanations be trusted?

Runs gradient-based explanations (saliency, grad×input, IG, SIG reverse) and output-based ones
(occlusion, closed-form SIG: both only compare model outputs) on a sample, and reports per
gradient method how far it disagrees with occlusion (mean Spearman of |a|, top-1 agreement) and
where every method puts its attribution (stop words, first token). A facade-style manipulation
shows up as gradient methods that disagree with the outputs and pile attribution on stop words or
the first token while occlusion does not.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import Tensor

from ..errors import FaithlensError
from ..model import ClassifierModel
from ..explanation import UNSIGNED_METHODS
from ..stats import spearman
from ..version import __version__
from ..views.html import highlight, page
from ..views.parts import html_text
from .manipulation import REFERENCE, Explained, Run, check_run_kinds, explain_runs, normalise_abs, runs_arg, steps_text
from .class_columns import class_cells, class_header, class_note, word_classes
from .targets import target_mask
from .verdict import LEVEL, LOW_SPEARMAN, LOW_TOP1, MIN_SHIFT, MIN_TEXTS, _holm, judge  # noqa: F401 (public here too)
from .word_class import check_classes, check_classes_occur, check_word_class, class_name, word_table  # noqa: F401 (public here too)

GRADIENT_RUNS = (Run("saliency"), Run("grad_x_input"), Run("ig"), Run("sig", "reverse"))
OUTPUT_RUNS = (Run("occlusion"), Run("sig", "closed"))

CLASSES = ("stop_words", "first_token", "punctuation")


# --- pure statistics ----------------------------------------------------------------------------

def agreement_with(reference: Explained, other: Explained) -> dict:
    """Mean Spearman of |a| over attributed tokens, and share of examples with the same top token. Tied tops count
    as one set (`top_tokens`): a word's score split evenly over its tokens (occlusion of a word, a causal LM's
    multi-token words) ties them, and any of them is that word's top."""
    rhos, same = [], []
    for j in range(len(reference.scores)):
        mask = reference.attributed[j]
        a, b = reference.scores[j][mask].abs(), other.scores[j][mask].abs()
        if len(a) < 1:
            continue
        same.append(float(bool((top_tokens(a) & top_tokens(b)).any())))
        if len(a) >= 2:
            rho = spearman(a.tolist(), b.tolist())  # None when either side is constant
            if rho is not None:
                rhos.append(rho)
    return {"spearman": sum(rhos) / len(rhos) if rhos else float("nan"),
            "top1_agreement": sum(same) / len(same) if same else float("nan"), "n": len(same)}


def top_tokens(a: Tensor, rtol: float = 1e-6) -> Tensor:
    """(L,) bool: the tokens tied for the largest |a| (within ``rtol`` of it, relative); all of them when all are 0."""
    top = a.max()
    return a >= top - rtol * top.abs()


def mass_on(model: ClassifierModel, ex: Explained, target: str) -> dict:
    """Mean share of |a| on target tokens, and share of examples whose top token is one."""
    p = normalise_abs(ex.scores, ex.attributed)
    t = target_mask(model, ex.input_ids, ex.attributed, target)
    top = p.masked_fill(~ex.attributed, -1.0).argmax(1)
    hit = t[torch.arange(len(p)), top] & (p.sum(1) > 0)
    return {"share": float((p * t).sum(1).mean()), "top": float(hit.double().mean())}


def class_mask(model: ClassifierModel, ex: Explained, token_class: str | frozenset) -> Tensor:
    """(N, L) bool: the attributed tokens of a class: stop_words, first_token, punctuation (every character of
    the token's text is punctuation), or a set of lower-case words (the user's class; whole tokens)."""
    if token_class in ("stop_words", "first_token"):
        return target_mask(model, ex.input_ids, ex.attributed, token_class)
    table = word_table(model.tokenizer, "punctuation" if token_class == "punctuation" else tuple(sorted(token_class)))
    return table[ex.input_ids.clamp(0, len(table) - 1)] & ex.attributed


def concentration(model: ClassifierModel, ex: Explained, reference: Explained, token_class, *, seed: int = 0) -> dict:
    """Does `ex` put more of its |a| on a token class than the reference, text by text?

    Per text the share of |a| (normalised over attributed tokens) on the class, for both; the
    paired one-sided Wilcoxon test that the method's exceeds the reference's, the bootstrap CI of the
    mean excess (`faithlens.stats.paired_test`), and both means."""
    from ..stats import paired_test

    mask = class_mask(model, ex, token_class)
    share = (normalise_abs(ex.scores, ex.attributed) * mask).sum(1)  # (N,)
    ref = (normalise_abs(reference.scores, reference.attributed) * mask).sum(1)  # same texts, same tokens
    has = mask.any(1)  # texts without a token of the class say nothing about it
    test = paired_test(share[has].tolist(), ref[has].tolist(), alternative="greater", seed=seed)
    return dict(test, share=float(share[has].mean()) if bool(has.any()) else float("nan"),
                reference_share=float(ref[has].mean()) if bool(has.any()) else float("nan"))


# --- the audit ---------------------------------------------------------------------------------

@dataclass
class AuditReport:
    model: str
    n: int
    score: str
    methods: dict  # label -> {"kind", "stop_words": {share, top}, "first_token": {...}, "vs_occlusion": {...}, "seconds"}
    verdict: str
    level: str  # "ok", "caution", "untrustworthy"; "inconclusive" below MIN_TEXTS texts (no test could find anything)
    findings: list[str]
    examples: list[dict] = field(default_factory=list)  # {"tokens": [...], "special": [...], "scores": {label: [...]}}
    settings: dict = field(default_factory=dict)
    sanity: dict | None = None  # `faithlens.audit.sanity.sanity_check`, with --sanity

    def to_dict(self) -> dict:
        keys = ("model", "n", "score", "level", "verdict", "findings", "methods", "settings", "examples")
        return {k: getattr(self, k) for k in keys} | ({"sanity": self.sanity} if self.sanity is not None else {})

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, allow_nan=True)

    def to_markdown(self, images: Sequence[str] = ()) -> str:
        """The report in Markdown; `images`: plot files (relative paths) to link under the table."""
        bad = [i for i in ([images] if isinstance(images, (str, os.PathLike)) else images)
               if not isinstance(i, (str, os.PathLike))]
        if bad:
            raise FaithlensError(f"to_markdown takes images as a list of plot file paths (str); one is "
                                 f"{type(bad[0]).__name__} {bad[0]!r:.60}. Pass e.g. images=['saliency.png'], or leave "
                                 "images out.")
        return render_markdown(self, images)

    def to_html(self) -> str:
        return render_html(self)

    def _repr_html_(self) -> str:  # Jupyter: the verdict, the table, the plots and the examples
        from ..views.html import fragment

        return fragment(_style(self) + render_body(self))


def audit(model: ClassifierModel, texts: Sequence[str], *, score: str | None = None, steps: int = 10,
          gradient_runs: Sequence[Run] = GRADIENT_RUNS, output_runs: Sequence[Run] = OUTPUT_RUNS,
          n_examples: int = 4, progress: bool = True, classes: Sequence = CLASSES, seed: int = 0,
          truncate: bool = False) -> AuditReport:
    """Explain `texts` with gradient- and output-based methods and judge whether they agree.

    ``classes``: token classes tested for concentration (``CLASSES`` and/or sets of lower-case
    words). Each gradient method's row gets ``"concentration": {class: paired test}`` against the
    reference (occlusion), Holm-corrected across methods × classes (``p_holm``); `judge` turns
    them into the level. Below ``MIN_TEXTS`` (5) texts no one-sided Wilcoxon test can reach p < 0.05:
    a level that would read "ok" is "inconclusive" instead (no evidence either way), and the findings say so.
    ``score`` None: the task's own, as explain's (``logit``; ``log_prob`` for a causal LM, whose greedy continuations
    are explained: the report's ``settings["targets"]`` says so once). ``texts`` are read as explain reads them
    (`ids.audited_texts`: a str is one text); every argument is checked before any explaining. A text longer than
    the model's limit is refused, as explain refuses it, unless ``truncate`` (CLI --truncate): then its first tokens
    are audited (a causal LM's last tokens, those nearest the continuation; the "first token" class is then the first
    token kept), and the findings and ``settings["truncated"]`` count such texts."""
    from ..baselines import resolve_baseline
    from ..options import MAX_SEED, _int, as_seed
    from ..scalars import check_bool
    from ..task_inputs import check_qa_pairs, warn_input_kind
    from .ids import audited_texts, refuse_long_texts

    if not isinstance(model, ClassifierModel):  # a path would fail deep inside with an AttributeError
        raise FaithlensError(f"The 'model' parameter of audit must be a loaded model. Got {type(model).__name__} "
                             f"{model!r:.60}. Pass faithlens.load_model(NAME) (a folder or hub id).")
    seed = _int("seed", as_seed(seed), low=0, high=MAX_SEED)  # explain's and evaluate's rule
    n_examples = _int("n_examples", n_examples, low=0, high=10**6)
    texts = audited_texts(texts)
    classes = check_classes(classes, CLASSES)
    gradient_runs, output_runs = runs_arg(gradient_runs, "gradient_runs"), runs_arg(output_runs, "output_runs")
    check_run_kinds(gradient_runs, output_runs)
    score = score or model.task.default_score

    check_qa_pairs(model, texts, how="Pass (question, context) tuples as texts, e.g. audit(model, [('Who wrote it?', "
                                     "'Ann wrote it.')]), or load_dataset('squad.json').texts (CLI: --data FILE).")
    warn_input_kind(model, texts, run="audit")  # once per run, not once per example
    check_classes_occur(model, texts, classes)  # before any explaining
    truncate, progress = check_bool("truncate", truncate), check_bool("progress", progress)
    refuse_long_texts(model, texts, truncate=truncate)
    runs = [dataclasses.replace(r, steps=steps) if r.method in {"ig", "sig"} and r.mode != "closed" and r.steps is None
            else r for r in (*gradient_runs, *output_runs)]  # a run's own steps (ig:steps=5) are kept
    baseline = resolve_baseline(model, None).kind  # the model's own (mask; a causal LM's pad, eos or unk, never zero)
    explained = explain_runs(model, texts, runs, score=score, progress=progress, truncate=truncate, baseline=baseline)
    reference = explained[REFERENCE]  # in output_runs (manipulation.check_run_kinds)
    gradient_labels = {r.label for r in gradient_runs}
    methods = {}
    for label, ex in explained.items():
        row = {"kind": "gradient" if label in gradient_labels else "output",
               "stop_words": mass_on(model, ex, "stop_words"), "first_token": mass_on(model, ex, "first_token"),
               "seconds": round(ex.seconds, 2)}
        if ex is not reference:
            row["vs_occlusion"] = agreement_with(reference, ex)
        if label in gradient_labels:
            row["concentration"] = {class_name(c): concentration(model, ex, reference, c, seed=seed) for c in classes}
        methods[label] = row
    _holm(methods)
    level, verdict, findings = judge(methods)
    if len(texts) < MIN_TEXTS:
        findings.append(f"Only {len(texts)} texts: too few for the paired tests to find anything at {LEVEL:g} "
                        f"(at least {MIN_TEXTS}, better 20+). Raise --limit.")
        if level in ("ok", "inconclusive"):  # "ok" would claim what no test here could have refuted; the count says why
            level, verdict = "inconclusive", (
                f"Too few texts ({len(texts)}) to test: with fewer than {MIN_TEXTS} no paired test can reach p < {LEVEL:g}, "
                "so nothing is said either way about manipulation. Audit at least 5 texts, better 20+ (--limit).")
    cut = sum(bool(e.truncated) for e in reference.explanations)
    if cut:
        findings.append(f"{cut} of {len(texts)} texts were longer than the model's limit of {model.max_length} tokens: "
                        f"each was audited on its {'last' if model.is_causal else 'first'} tokens (truncate=True, CLI --truncate).")
    examples = [_example(model, explained, j) for j in range(min(n_examples, len(texts)))]
    settings = {"steps": steps, "baseline": baseline, "reference": reference.run.label, "level": LEVEL,
                "min_shift": MIN_SHIFT, "seed": seed, "classes": [class_name(c) for c in classes],
                "model_provenance": model.info.get("provenance"), "faithlens": __version__,  # which weights, which code
                "truncated": cut, "steps_per_run": {r.label: r.steps for r in runs if r.steps is not None}}
    generated = greedy_note(reference.explanations)
    if generated:
        settings["targets"] = generated
    return AuditReport(model=model.name, n=len(texts), score=score, methods=methods, verdict=verdict, level=level,
                       findings=findings, examples=examples, settings=settings)


GREEDY = "No target given: attributing the "  # explain's note on a causal LM's greedy continuation (task_inputs)


def greedy_note(explanations: Sequence) -> str | None:
    """A causal LM explained without targets: explain's note, said once for all texts (None when no text's target was
    generated): "No target given: attributing the N greedily generated token(s) of each text (first text: '...')"."""
    notes = [w for e in explanations for w in getattr(e, "warnings", ()) if w.startswith(GREEDY)]
    if not notes:
        return None
    counts = sorted({int(n[len(GREEDY):].split(" ", 1)[0]) for n in notes})
    count = str(counts[0]) if len(counts) == 1 else f"{counts[0]}–{counts[-1]}"
    first = notes[0].split(" token(s) ", 1)[1].rstrip(".")
    return (f"{GREEDY}{count} greedily generated token(s) of each of the {len(notes)} text(s) "
            f"(first text: {first})")


def _example(model: ClassifierModel, explained: dict[str, Explained], j: int) -> dict:
    first = next(iter(explained.values()))
    e = first.explanations[j]
    scores = {}
    for label, ex in explained.items():
        s = torch.tensor(ex.explanations[j].token_scores, dtype=torch.float64)
        special = torch.tensor(ex.explanations[j].special)
        total = float(s.abs()[~special].sum())
        scores[label] = [float(v) / total if total > 0 else 0.0 for v in s.tolist()]
    # [start, end, score, segment]: start/end index the text (segment 0) or the pair's second text (segment 1)
    words = {label: [[w.start, w.end, w.score_normalised, w.segment] for w in ex.explanations[j].words]
             for label, ex in explained.items()}
    return {"text": e.text, "text_pair": e.text_pair, "tokens": list(e.tokens), "special": list(e.special),
            "prediction": e.prediction["label"], "scores": scores, "words": words}


def _segments(ex: dict) -> tuple[str, ...]:
    return (ex["text"],) if ex.get("text_pair") is None else (ex["text"], ex["text_pair"])


def _word_entries(ex: dict, label: str) -> list[tuple[int, int, float, int]]:
    """(start, end, score, segment) per word; reports written before pairs had no segment (all 0)."""
    return [(w[0], w[1], w[2], w[3] if len(w) > 3 else 0) for w in ex.get("words", {}).get(label, [])]


# --- rendering ---------------------------------------------------------------------------------

def _fmt(x) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.2f}"


def _table_rows(report: AuditReport) -> list[list[str]]:
    rows, names = [], word_classes(report.methods)
    for label, m in report.methods.items():
        agree = m.get("vs_occlusion", {})
        rows.append([label, m["kind"], _fmt(agree.get("spearman")), _fmt(agree.get("top1_agreement")),
                     _fmt(m["stop_words"]["share"]), _fmt(m["stop_words"]["top"]),
                     _fmt(m["first_token"]["share"]), _fmt(m["first_token"]["top"])]
                    + [c for name in names
                       for c in class_cells(report.methods, label, name, report.settings.get("reference"), MIN_TEXTS)]
                    + [f"{m['seconds']:.1f}"])
    return rows


HEADER = ["method", "kind", "Spearman vs occlusion", "top-1 agreement", "share on stop words", "top token is stop word",
          "share on first token", "top token is first", "seconds"]


def _top_words(ex: dict, label: str, k: int = 3) -> list[tuple[str, float]]:
    """The `k` words with the largest |score| (SPEC §5: token scores summed per word; normalised per method)."""
    texts = _segments(ex)
    words = [(texts[seg][a:b], v) for a, b, v, seg in _word_entries(ex, label)]
    return sorted(words, key=lambda wv: -abs(wv[1]))[:k]


def _md_link(path: str) -> str:
    """``path`` as a Markdown link destination that always parses: percent-encoded (a space, a parenthesis or ``<``
    ends or breaks a bare destination in CommonMark), ``/`` kept; viewers decode it back to the file's name."""
    from urllib.parse import quote

    return quote(path, safe="/")


def sample_line(data: dict) -> str:
    """Where an audit's texts came from (``settings["data"]``, written by `faithlens audit`), in words."""
    parts = [str(data.get("source"))]
    parts += [f"split {data['split']}"] if data.get("split") else []
    held = data.get("holdout")
    parts += [f"the held-out part (--holdout {held['fraction']:g}, seed {held['seed']})"] if isinstance(held, dict) else []
    parts += [f"{data['n']} of {data['available']} texts, drawn with seed {data['seed']}"] if "available" in data else []
    parts += [f"SHA-256 {data['sha256'][:12]}…"] if data.get("sha256") else []
    return "; ".join(parts)


def render_markdown(report: AuditReport, images: Sequence[str] = ()) -> str:
    images = [images] if isinstance(images, str) else images  # one image path, not its letters
    lines = [f"# faithlens audit: {report.model}", "",
             f"**Verdict ({report.level}).** {report.verdict}", "",
             f"Sample: {report.n} texts; score F = {report.score}; IG/SIG steps = {steps_text(report.settings)}; "
             f"baseline = {report.settings.get('baseline')}. Scores are |a| normalised to sum 1 over the attributed tokens.", ""]
    lines += [f"Data: {_md_escape(sample_line(report.settings['data']))}.", ""] if report.settings.get("data") else []
    split = report.settings.get("held_out_split")  # audit --holdout: checked against the model's record
    lines += [f"Held-out split: {_md_escape(split)}.", ""] if split else []
    seen = report.settings.get("training_data")  # audit without --holdout on the model's --train file
    lines += [f"Training data: {_md_escape(seen)}.", ""] if seen else []
    generated = report.settings.get("targets")  # a causal LM without targets: what was explained, said once
    lines += [f"Targets: {_md_escape(generated)}.", ""] if generated else []
    if report.findings:
        lines += ["Findings:", ""] + [f"- {f}" for f in report.findings] + [""]
    header = class_header(HEADER, report.methods)
    lines += ["| " + " | ".join(_md_escape(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in _table_rows(report)]
    note = class_note(report.methods, report.n)  # the user's word classes (--token-class), if any
    lines += ["", _md_escape(note)] if note else []
    lines += [""] + [f"![{_md_escape(Path(i).stem)}]({_md_link(i)})" for i in images] + ([""] if images else [])
    if report.sanity:
        from .sanity import sanity_markdown

        lines += [sanity_markdown(report.sanity), ""]
    lines += ["## Examples", "", "Top words per method (score / L2 norm, sub-word tokens summed per word; saliency is "
              "unsigned: a magnitude, no direction).", ""] if report.examples else []  # n_examples=0: no section
    for ex in report.examples:
        shown = " ‖ ".join(_md_escape(t) for t in _segments(ex))
        lines += [f"**{shown}** (predicted {_md_escape(str(ex['prediction']))})", ""]
        for label in ex.get("words", {}):
            signed = label.split()[0].split(":")[0] not in UNSIGNED_METHODS
            lines.append(f"- {label}: " + ", ".join(f"{_md_code(w)} {v:+.2f}" if signed else f"{_md_code(w)} |{abs(v):.2f}|"
                                                    for w, v in _top_words(ex, label)))
        lines.append("")
    return "\n".join(lines)


def _md_escape(text: str) -> str:
    """Text for Markdown prose: <, >, & as entities (no raw HTML) and Markdown's marks backslash-escaped; quotes stay
    as written ("can't", not "can&#x27;t")."""
    return re.sub(r"([\\`*_\[\]|#])", r"\\\1", html_text(text, quote=False))


def _md_code(text: str) -> str:
    """A code span holding `text` verbatim (code spans take no escapes): fenced by more backticks than it holds."""
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _style(report: AuditReport) -> str:
    colour = {"ok": "#1b7f3b", "caution": "#b26a00", "untrustworthy": "#b00020", "inconclusive": "#666"}.get(report.level, "#888")
    return ("<style>.faithlens .verdict{border-left:6px solid " + colour + ";padding:0.5em 1em;"
            "background:rgba(128,128,128,.12)}.faithlens .row{display:flex;flex-wrap:wrap;gap:8px}"
            ".faithlens .col{flex:1 1 260px;border:1px solid rgba(128,128,128,.4);padding:6px}"
            ".faithlens .lab{font-weight:bold;font-size:0.8em;margin-bottom:4px}.faithlens .ex{margin:1.2em 0}"
            ".faithlens table.audit td,.faithlens table.audit th{border:1px solid rgba(128,128,128,.4);font-size:.9em}</style>")


def render_html(report: AuditReport) -> str:
    """One self-contained HTML page (plots embedded when matplotlib is installed); all text HTML-escaped."""
    return page(f"faithlens audit: {report.model}", _style(report) + render_body(report))


def render_body(report: AuditReport) -> str:
    """The verdict, the table, the plots and the word-level examples, as escaped HTML."""
    from ..views.reports import audit_plots_html

    esc = html_text
    head = "".join(f"<th>{esc(h)}</th>" for h in class_header(HEADER, report.methods))
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in _table_rows(report))
    findings = "".join(f"<li>{esc(f)}</li>" for f in report.findings)
    examples = []
    for ex in report.examples:
        texts = _segments(ex)
        cells = []
        for label in ex.get("words", {}):
            entries = _word_entries(ex, label)
            signed = label.split()[0].split(":")[0] not in UNSIGNED_METHODS
            parts = [highlight(t, [(a, b, v, f"{t[a:b]}: {v:+.3f}" if signed else f"{t[a:b]}: magnitude {abs(v):.3f}")
                                   for a, b, v, seg in entries if seg == k], signed=signed)
                     for k, t in enumerate(texts)]
            cells.append(f'<div class="col"><div class="lab">{esc(label)}</div><div class="txt">{" ‖ ".join(parts)}</div></div>')
        shown = " ‖ ".join(esc(t) for t in texts)
        examples.append(f'<div class="ex"><div class="txt">{shown} <em>(predicted {esc(str(ex["prediction"]))})</em></div>'
                        f'<div class="row">{"".join(cells)}</div></div>')
    return (f"<h1>faithlens audit: {esc(report.model)}</h1>"
            f"<p class=\"verdict\"><strong>Verdict ({esc(report.level)}).</strong> {esc(report.verdict)}</p>"
            f"<p>Sample: {report.n} texts; score F = {esc(report.score)}; IG/SIG steps = {esc(steps_text(report.settings))}."
            " Table shares are |a| normalised to sum 1 over attributed tokens. Examples: each word (its sub-word tokens"
            " summed) coloured by its score, normalised per method; for signed methods green supports the predicted class,"
            " red opposes it; saliency is unsigned (blue: magnitude, no direction).</p>"
            + "".join(f"<p>Data: {esc(sample_line(s))}.</p>" for s in [report.settings.get("data")] if s)
            + "".join(f"<p>Held-out split: {esc(s)}.</p>" for s in [report.settings.get("held_out_split")] if s)
            + "".join(f"<p>Training data: {esc(s)}.</p>" for s in [report.settings.get("training_data")] if s)
            + "".join(f"<p>Targets: {esc(s)}.</p>" for s in [report.settings.get("targets")] if s)
            + (f"<ul>{findings}</ul>" if findings else "")
            + f'<table class="audit"><tr>{head}</tr>{body}</table>'
            + "".join(f"<p>{esc(note)}</p>" for note in [class_note(report.methods, report.n)] if note)
            + audit_plots_html(report)
            + (f"<h2>Examples</h2>{''.join(examples)}" if examples else ""))
