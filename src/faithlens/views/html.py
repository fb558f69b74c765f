"""Explanations as HTML: self-contained pages and notebook fragments; every piece of text escaped
(`parts.html_text`: control and bidi characters shown as escapes, as in the terminal, then HTML-escaped).

Words are tinted by their normalised score on the shared scale (`shade`), with black text on the
tint and `data-score` / `data-norm` attributes holding the numbers (the web app's browser test
reads them back). Everything else inherits the surrounding colours, so the same markup reads in
light and dark notebook themes and pages follow the reader's `prefers-color-scheme`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import FaithlensError, quoted
from ..version import __version__
from .parts import (Explanation, check_group, comparison_lines, delta_text, explained_what, html_text, is_signed, prediction_parts, segments,
                    target_matrix, trust_line, word_spans)
from .shade import MAGNITUDE, OPPOSE, SUPPORT, css

# Rules are scoped to .faithlens so a notebook fragment does not restyle the notebook around it.
STYLE = """
.faithlens{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;line-height:1.5}
.faithlens table{border-collapse:collapse;margin:.5em 0 1.5em}
.faithlens td,.faithlens th{padding:.35em .7em;border-bottom:1px solid rgba(128,128,128,.35);vertical-align:top;text-align:left}
.faithlens th{font-weight:600}
.faithlens td.gap{white-space:nowrap}
.faithlens td.num,.faithlens th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.faithlens .w{padding:.05em .2em;border-radius:3px;color:#000;unicode-bidi:isolate;line-height:1.9}
.faithlens .n{font-size:.7em;opacity:.75;margin:0 .15em 0 .05em;font-variant-numeric:tabular-nums}
.faithlens .meta{opacity:.75;font-size:.85em}
.faithlens .legend span.key{padding:.05em .5em;margin-right:.5em;color:#000;border-radius:3px}
.faithlens .error{color:#c62828;font-weight:600}
.faithlens .warn{opacity:.8;font-size:.85em}
.faithlens img.plot{max-width:100%;height:auto;background:#fff;border-radius:4px;margin:.5em 0}
.faithlens .txt{white-space:pre-wrap;word-break:break-word}
"""
PAGE_STYLE = """
:root{color-scheme:light dark}
body{margin:2em;background:#fff;color:#1d1d1d}
@media (prefers-color-scheme:dark){body{background:#161616;color:#e8e8e8}.faithlens .error{color:#ff8a80}}
"""


def _bg(score: float, signed: bool = True) -> str:
    return css(score, signed)


def highlight(text: str, spans: Sequence[tuple], *, numbers: bool = False, signed: bool = True) -> str:
    """`text`, escaped, with each (start, end, normalised score, tooltip[, raw score]) span tinted.

    With `numbers`, each span is followed by its normalised score in small type. ``signed=False``:
    the scores are magnitudes, tinted on the one-colour scale and shown without a sign.
    """
    parts, cursor = [], 0
    for span in spans:
        start, end, score, tip = span[:4]
        raw = span[4] if len(span) > 4 else score
        parts.append(html_text(text[cursor:start]))
        parts.append(f'<span class="w" style="background:{_bg(score, signed)}" title="{html_text(tip, quote=True)}" '
                     f'data-score="{raw:.9g}" data-norm="{score:.9g}">{html_text(text[start:end])}</span>')
        if numbers:
            parts.append(f'<span class="n">{score:+.2f}</span>' if signed else f'<span class="n">{abs(score):.2f}</span>')
        cursor = end
    parts.append(html_text(text[cursor:]))
    return "".join(parts)


def words_html(e: Explanation, segment: int = 0, *, numbers: bool = True) -> str:
    """One segment of the explained text with every word tinted (the one word renderer of every HTML view)."""
    text = dict(segments(e)).get(segment, "")
    signed = is_signed(e)
    spans = [(w.start, w.end, w.score_normalised, f"{w.word}: {w.score:+.4f} (normalised {w.score_normalised:+.3f})"
              + ("" if signed else ", a magnitude: no direction"), w.score) for w in word_spans(e, segment)]
    return highlight(text, spans, numbers=numbers, signed=signed)


def _sentence(e: Explanation, *, numbers: bool = True) -> str:
    parts = [words_html(e, s, numbers=numbers) for s, _ in segments(e)]
    return '<span class="meta"> ‖ </span>'.join(parts)


def matrix_html(e: Explanation) -> str:
    """A causal LM's prompt-word × generated-token heat map (per_token); '' without one."""
    m = target_matrix(e)
    if m is None:
        return ""
    head = "".join(f'<th class="num">{html_text(t)}</th>' for t in m.tokens)
    rows = []
    signed = is_signed(e)
    blank = m.blank or [[False] * len(m.tokens) for _ in m.words]
    for word, raw, norm, empty in zip(m.words, m.raw, m.normalised, blank):
        cells = "".join('<td class="num blank">·</td>' if b else
                        f'<td class="num"><span class="w" style="background:{_bg(v, signed)}" title="raw {r:+.4g}" '
                        f'data-score="{r:.9g}" data-norm="{v:.9g}">{v:+.2f}</span></td>' for r, v, b in zip(raw, norm, empty))
        rows.append(f"<tr><th>{html_text(word)}</th>{cells}</tr>")
    whose = ("each prompt word's and each earlier generated token's (→)" if m.generated else "each prompt word's")
    return (f'<table class="matrix" data-method="{html_text(e.method, quote=True)}"><caption class="meta">'
            f"{html_text(e.method)}: {whose} attribution to each generated token's log-probability "
            f"(column / its L2 norm)</caption><tr><th></th>{head}</tr>{''.join(rows)}</table>")


def legend_html(explanations: Sequence[Explanation] = ()) -> str:
    """The colour key: signed scores (supports / opposes what is explained) and, when any method is
    unsigned, the magnitude scale ("magnitude, no direction")."""
    signed = not explanations or any(is_signed(e) for e in explanations)
    unsigned = any(not is_signed(e) for e in explanations)
    what = html_text(explained_what(explanations[0])) if explanations else "the target class"
    keys = []
    if signed:
        keys.append('<span class="key" style="background:rgb({},{},{})">supports {}</span>'.format(*SUPPORT, what)
                    + '<span class="key" style="background:rgb({},{},{})">opposes it</span>'.format(*OPPOSE))
    if unsigned:
        keys.append('<span class="key unsigned" style="background:rgb({},{},{})">magnitude, no direction</span>'.format(*MAGNITUDE)
                    + ("(unsigned methods) " if signed else ""))
    scale = "−1..1" if signed else "0..1"
    return ('<p class="legend meta">' + "".join(keys)
            + f"small numbers: each word's score divided by the L2 norm of the word scores ({scale}); hover a word for the raw score</p>")


def _prediction_meta(e: Explanation) -> str:
    parts = [f"{html_text(name)} <b>{html_text(value)}</b>" for name, value in prediction_parts(e)]
    return f'<p class="meta">model {html_text(e.model)} · ' + " · ".join(parts) + "</p>"


def render_groups(groups: Sequence[Sequence[Explanation]], *, numbers: bool = True) -> str:
    """The legend and, for each text, one table row per method (the body of `render_html`). ``groups``: a list of
    lists, one per text (a list of Explanations of one text is one group: [[a, b]])."""
    if isinstance(groups, (str, bytes, dict)) or not isinstance(groups, Sequence) or not groups:
        raise FaithlensError(f"render_html takes a non-empty list of groups, one list of explanations per text, e.g. "
                             f"[[a, b]]. Got {type(groups).__name__} {quoted(groups, 40)}.")
    groups = [check_group(g, f"render_html (group {i})") for i, g in enumerate(groups)]
    body = [legend_html([e for group in groups for e in group])]
    for explanations in groups:
        first = explanations[0]
        title = first.text if len(first.text) <= 80 else first.text[:79] + "…"
        body.append(f'<h2 class="txt">{html_text(title)}</h2>')
        body.append(_prediction_meta(first))
        body.append('<table class="explanations"><tr><th>method</th><th>explanation</th>'
                    '<th class="num">seconds</th><th>accuracy</th></tr>')
        for e in explanations:
            notes = _trust_html(e) + "".join(f'<div class="warn">{html_text(w)}</div>' for w in e.warnings)
            body.append(f'<tr data-method="{html_text(e.method, quote=True)}"><td>{html_text(e.method)}</td>'
                        f'<td class="txt">{_sentence(e, numbers=numbers)}{notes}{matrix_html(e)}</td>'
                        f'<td class="num">{e.seconds:.2f}</td><td class="gap">{html_text(delta_text(e))}</td></tr>')
        body.append("</table>")
        body += [f'<p class="meta trust">{html_text(line)}</p>' for line in comparison_lines(explanations)]
    return "".join(body)


def _trust_html(e: Explanation) -> str:
    line = trust_line(e)
    return "" if line is None else f'<div class="meta trust">faithfulness: {html_text(line)}</div>'



def explanation_html(e: Explanation) -> str:
    """A notebook fragment for one explanation: prediction, legend, the tinted text."""
    extra = f" · {html_text(delta_text(e))}" if delta_text(e) else ""
    warn = "".join(f'<div class="warn">{html_text(w)}</div>' for w in e.warnings)
    body = (f"{_prediction_meta(e)}{legend_html([e])}"
            f'<p class="meta">{html_text(e.method)} · {e.seconds:.2f} s{extra}</p>'
            f'<div class="txt">{_sentence(e)}</div>{_trust_html(e)}{warn}{matrix_html(e)}')
    return fragment(body)


def fragment(body: str) -> str:
    """`body` (escaped HTML) with its style, for a notebook cell: no page, no script."""
    return f'<div class="faithlens"><style>{STYLE}</style>{body}</div>'


def render_html(groups: Sequence[Sequence[Explanation]], *, title: str = "faithlens explanations") -> str:
    """`groups`: for each text, its explanations by several methods (shown side by side as rows); ``title``: a str,
    the page's title and heading (escaped)."""
    if not isinstance(title, str):
        raise FaithlensError(f"The 'title' parameter must be a str, e.g. title='my explanations'. Got "
                             f"{type(title).__name__} {title!r:.60}.")
    return page(title, f"<h1>{html_text(title)}</h1>" + render_groups(groups))


def page(title: str, body: str, *, style: str = "") -> str:
    """A self-contained HTML page around `body` (already escaped HTML)."""
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{html_text(title)}</title>"
            f"<style>{PAGE_STYLE}{STYLE}{style}</style></head><body><main class=\"faithlens\">{body}"
            f'<p class="meta">faithlens {html_text(__version__)}</p></main></body></html>')


def write_html(path: str | Path, groups: Sequence[Sequence[Explanation]], **kwargs) -> Path:
    """The page of :func:`render_html` written to ``path`` (checked first by `files.check_output_file`: '-', a folder
    or a place that cannot be written is refused)."""
    from ..files import check_output_file, write_atomic

    path = check_output_file(path, option="The 'path' parameter of write_html", suffix=".html")
    return write_atomic(path, render_html(groups, **kwargs))
