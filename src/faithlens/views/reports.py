"""Evaluation and audit results as HTML (tables + plots), for pages, notebooks and the files next to a run.

- `eval_fragment` / `eval_page`: the faithfulness table, the method-agreement table and two plots
  (each metric per method with standard-error bars; AOPC curves over k when recorded);
- `write_eval_report(result, out)`: report.html, metrics.svg/.png and aopc.svg/.png in a run folder;
- `audit_plots_html` / `write_audit_plots`: the audit's attribution-share and agreement plots.
Without matplotlib the pages say how to get the plots, and everything else is still written.
"""

from __future__ import annotations

from pathlib import Path

from . import plots
from .html import fragment, page
from .parts import html_text

_EVAL_COLUMNS = (("log_odds", "LO ↓"), ("comprehensiveness", "Comp ↑"), ("sufficiency", "Suff ↓"), ("delta", "Delta ↓"),
                 ("sig_delta", "SIG per-word Δ ↓"), ("seconds", "s / example"))


def _no_plots_note() -> str:
    return f'<p class="meta">Plots need matplotlib: {html_text(plots.INSTALL)}.</p>'


def eval_table_html(result) -> str:
    from ..evaluate.tables import cell, best_line, partial_line

    extra = tuple((m, {"infidelity": "Infid ↓", "sensitivity": "Sens ↓"}[m]) for m in getattr(result.settings, "metrics", ()))
    columns = _EVAL_COLUMNS[:-1] + extra + _EVAL_COLUMNS[-1:]
    head = "".join(f'<th class="num">{html_text(t)}</th>' for _, t in columns)
    rows = []
    for row in result.rows:
        cells = "".join(f'<td class="num">{html_text(cell(row[c], 3 if c == "seconds" else 4))}</td>' for c, _ in columns)
        rows.append(f"<tr><td>{html_text(str(row['method']))}</td>{cells}<td class=\"num\">{row['log_odds']['n']}</td></tr>")
    s = result.settings
    caption = (f"Model {html_text(str(s.model))}, data {html_text(str(s.data))} ({result.n_examples} example{'s' * (result.n_examples != 1)}), baseline "
               f"{html_text(str(s.baseline))}, top-k {s.topk:g}, protocol {html_text(str(s.protocol))}, score "
               f"{html_text(str(s.score))}, seed {s.seed}. Mean ± standard error over examples.")
    partial = getattr(result, "partial", None)
    best = best_line(result.rows, result.significance, partial=partial).strip()
    first = f'<p><strong>{html_text(partial_line(partial).strip())}</strong></p>' if partial else ""
    if getattr(result, "complete", True) is None:
        from ..evaluate.tables import unknown_line

        first = f'<p><strong>{html_text(unknown_line(None).strip())}</strong></p>'
    return (first + f'<table class="eval"><tr><th>method</th>{head}<th class="num">n</th></tr>{"".join(rows)}</table>'
            f'<p class="meta">{caption}</p>' + (f"<p>{html_text(best)}</p>" if best else ""))


def plausibility_table_html(result) -> str:
    """The plausibility table (with rationales), '' without."""
    from ..evaluate.tables import cell

    table = getattr(result, "plausibility", None)
    if not table:
        return ""
    names = (("auprc", "AUPRC ↑"), ("token_f1", "token F1 ↑"), ("token_iou", "token IOU ↑"), ("iou_f1", "IOU-F1 ↑"))
    head = "".join(f'<th class="num">{t}</th>' for _, t in names)
    rows = "".join(f"<tr><td>{html_text(str(row['method']))}</td>"
                   + "".join(f'<td class="num">{html_text(cell(row[c], 3))}</td>' for c, _ in names)
                   + f'<td class="num">{row["token_f1"]["n"]}</td></tr>' for row in table["rows"])
    caption = (f"Word level, against the rationales in {html_text(str(result.settings.rationales))}; top k = {table['k']} "
               "words (the mean rationale size); IOU-F1: ERASER's partial match at IOU ≥ 0.5; random: seeded uniform scores.")
    return (f'<h3>How plausible are the explanations?</h3><table class="eval"><tr><th>method</th>{head}'
            f'<th class="num">n</th></tr>{rows}</table><p class="meta">{caption}</p>')


def agreement_table_html(result) -> str:
    from ..evaluate.tables import cell

    if not result.agreement:
        return ""
    rows = "".join(f"<tr><td>{html_text(a['a'])}</td><td>{html_text(a['b'])}</td>"
                   f"<td class=\"num\">{html_text(cell(a['spearman']))}</td>"
                   f"<td class=\"num\">{html_text(cell(a['top1_agreement'], 3))}</td>"
                   f"<td class=\"num\">{a['spearman']['n']}</td></tr>" for a in result.agreement)
    return ('<h3>How much do the methods agree?</h3><table class="agreement"><tr><th>A</th><th>B</th>'
            '<th class="num">Spearman ρ</th><th class="num">same top token</th><th class="num">n</th></tr>'
            f"{rows}</table>")


def eval_figures(result) -> dict:
    """name -> Figure for the evaluation plots that have data (empty without matplotlib)."""
    if not plots.available():
        return {}
    figures = {}
    if any((row["log_odds"] or {}).get("n") for row in result.rows):
        figures["metrics"] = plots.metric_bars_figure(result.rows)
    if result.curves:
        figures["aopc"] = plots.aopc_figure(result.curves)
    return figures


_ALT = {"metrics": "Each faithfulness metric per method, mean with standard-error bars",
        "aopc": "Each metric against the top-k fraction, per method (AOPC curves)",
        "audit_shares": "Share of attribution on stop words, on the first token and on any --token-class words per method",
        "audit_agreement": "Agreement of each method with occlusion"}


def _eval_body(result) -> str:
    figures = eval_figures(result)
    imgs = "".join(plots.img_tag(fig, _ALT[name]) for name, fig in figures.items())
    return (eval_table_html(result) + (imgs if plots.available() else _no_plots_note()) + plausibility_table_html(result)
            + agreement_table_html(result))


def eval_fragment(result) -> str:
    return fragment(_eval_body(result))


def eval_page(result) -> str:
    title = f"faithlens evaluate: {result.settings.model}"
    return page(title, f"<h1>{html_text(title)}</h1>" + _eval_body(result))


def write_eval_report(result, out: str | Path) -> list[Path]:
    """report.html (table + embedded plots) and, with matplotlib, metrics.svg/.png and aopc.svg/.png in `out`."""
    out = Path(out)
    written = []
    for name, fig in eval_figures(result).items():
        written += plots.save(fig, out / name)
    path = out / "report.html"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(eval_page(result), encoding="utf-8")
    tmp.replace(path)
    return [path, *written]


# --- audit ------------------------------------------------------------------------------------------

def audit_figures(report) -> dict:
    if not plots.available() or not report.methods:
        return {}
    from ..audit.class_columns import class_shares

    reference = report.settings.get("reference", "occlusion")
    figures = {"audit_shares": plots.audit_shares_figure(report.methods, classes=class_shares(report.methods, reference))}
    if any("vs_occlusion" in row for row in report.methods.values()):
        figures["audit_agreement"] = plots.audit_agreement_figure(report.methods, reference=reference)
    return figures


def audit_plots_html(report) -> str:
    if not plots.available():
        return _no_plots_note()
    return "".join(plots.img_tag(fig, _ALT[name]) for name, fig in audit_figures(report).items())


def write_audit_plots(report, stem: str | Path) -> list[Path]:
    """`stem`_shares.svg/.png and `stem`_agreement.svg/.png (nothing without matplotlib)."""
    stem = Path(stem)
    written = []
    for name, fig in audit_figures(report).items():
        written += plots.save(fig, stem.with_name(f"{stem.name}_{name.removeprefix('audit_')}"))
    return written
