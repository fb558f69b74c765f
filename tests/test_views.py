"""Views: the terminal (numbers, legend, colour rules, control characters), notebook HTML, plots, reports, deadline."""

import json
import re
import time

import pytest
import torch

from faithlens import Comparison, Explainer, FaithlensError
from faithlens.deadline import DeadlineExceeded, check, deadline, remaining
from faithlens.views import parts, terminal
from faithlens.views.html import explanation_html
from tiny import CORPUS, tiny

SGR = re.compile(r"\x1b\[[0-9;]*m")  # the colour codes the terminal view writes itself
HOSTILE = "the film\x1b]0;pwned\x07 was \x1b[2J\x9bgood\u202e dull\u2028fun"


@pytest.fixture(scope="module")
def explainer():
    return Explainer(tiny("bert", dtype=torch.float64))


@pytest.fixture(scope="module")
def hostile(explainer):
    return [explainer.explain(HOSTILE, m, steps=4) for m in ("sig", "occlusion")]


# --- terminal ------------------------------------------------------------------------------------

def _no_raw_controls(text: str) -> bool:
    rest = SGR.sub("", text).replace("\n", "")
    return not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or c in "\u202e\u2028" for c in rest)


@pytest.mark.parametrize("colour,bars", [(True, False), (False, False), (True, True), (False, True)])
def test_control_characters_never_reach_the_terminal_raw(hostile, colour, bars):
    out = terminal.render_terminal(hostile, colour=colour, bars=bars)
    assert _no_raw_controls(out)
    assert "\\x1b" in out and "\\x07" in out and "\\x9b" in out and "\\u202e" in out and "\\u2028" in out
    assert ("\x1b[" in out) == colour  # colour codes only when asked


def test_every_word_is_shown_with_its_score_and_a_legend(explainer):
    e = explainer.explain("the film was good", "occlusion")
    plain = terminal.render_terminal([e], colour=False)
    assert plain.splitlines()[1].startswith("legend: ")
    expected = " ".join(f"{w.word}[{w.score_normalised:+.2f}]" for w in e.words)
    assert f"occlusion: {expected}" in plain
    coloured = terminal.render_terminal([e], colour=True)
    assert SGR.sub("", coloured).count("+") + SGR.sub("", coloured).count("-") >= len(e.words)
    for w in e.words:  # the word on its tint (black text), then its number
        assert f"{w.word}{terminal.RESET}{w.score_normalised:+.2f}" in coloured
    bars = terminal.render_terminal([e], colour=False, bars=True).splitlines()
    rows = [line for line in bars if line.startswith("  ")]
    assert len(rows) == len(e.words)
    for line, w in zip(rows, e.words):
        assert line.split()[0] == w.word and f"{w.score_normalised:+.3f}" in line
        assert line.count("█") == int(round(abs(w.score_normalised) * terminal.BAR_WIDTH * 8)) // 8


def test_colour_only_on_a_tty_without_no_color(monkeypatch):
    class Stream:
        def __init__(self, tty):
            self.tty = tty

        def isatty(self):
            return self.tty

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert terminal.use_colour(Stream(True)) and not terminal.use_colour(Stream(False))
    monkeypatch.setenv("NO_COLOR", "")  # any value, even empty (no-color.org)
    assert not terminal.use_colour(Stream(True))


def test_256_colour_fallback_and_truecolour(monkeypatch, explainer):
    e = explainer.explain("good film", "occlusion")
    monkeypatch.setenv("COLORTERM", "truecolor")
    assert "\x1b[48;2;" in terminal.render_words(e)
    monkeypatch.delenv("COLORTERM")
    out = terminal.render_words(e)
    assert "\x1b[48;5;" in out and "\x1b[48;2;" not in out
    assert terminal._cube((255, 255, 255)) == 231 and terminal._cube((0, 0, 0)) == 16


def test_faint_scores_are_visibly_tinted():
    from faithlens.views.shade import rgb

    assert rgb(0.0) == (255, 255, 255)
    assert rgb(0.1)[0] <= 200 and rgb(-0.1)[1] <= 200  # a tenth of the top score is not near-white
    assert rgb(1.0) == (80, 255, 80) and rgb(-5.0) == (255, 80, 80)


def test_cli_explain_scores_view(monkeypatch, capsys, explainer):
    from faithlens import cli
    from faithlens import explainer as explainer_module

    monkeypatch.setattr(explainer_module, "Explainer", lambda *a, **k: explainer)
    assert cli.main(["explain", "good \x1b[31mfilm", "dull plot", "--method", "occlusion", "--scores"]) == 0
    out = capsys.readouterr().out
    assert _no_raw_controls(out) and "\\x1b" in out
    assert out.count("legend: ") == 1  # once, not per text
    assert "occlusion (" in out and "█" in out


# --- notebook HTML --------------------------------------------------------------------------------

def test_explanation_repr_html_is_escaped_and_self_contained(explainer):
    e = explainer.explain("the <script>alert(1)</script> film", "occlusion")
    out = e._repr_html_()
    assert "<script" not in out and "&lt;" in out and "&gt;" in out
    assert out.startswith('<div class="faithlens"><style>') and "http" not in out.split("</style>")[1]
    spans = re.findall(r'data-score="([^"]+)" data-norm="([^"]+)">([^<]*)</span>', out)
    assert [(s[2]) for s in spans] == [w.word.replace("<", "&lt;").replace(">", "&gt;") for w in e.words]
    assert [float(s[0]) for s in spans] == pytest.approx([w.score for w in e.words], rel=1e-8)
    assert "color:#000" in out  # black text on every tint: readable in dark themes


def test_control_characters_never_reach_html_raw(hostile, explainer, tmp_path):
    """Every HTML view (notebook fragment, page, comparison, the web app's page) shows control and bidi characters as
    the terminal does (\\x1b, \\u202e), by the same rule (parts.visible); line breaks stay (issue 22, E2)."""
    from faithlens.app import Limits, create_app

    pages = [e._repr_html_() for e in hostile] + [Comparison({e.method: e for e in hostile}).to_html(), Comparison({e.method: e for e in hostile})._repr_html_()]
    web = create_app(explainer, limits=Limits()).test_client()
    r = web.post("/explain", data={"text": HOSTILE, "method": "occlusion"}, headers={"Host": "127.0.0.1:8765"})
    assert r.status_code == 200
    shown = r.get_data(as_text=True).split('id="explain-form"')[1].split("</form>")[1]  # the results, not the form
    for out in pages + [shown]:
        assert not any(ord(c) < 0x20 and c not in "\n\t" or 0x7F <= ord(c) <= 0x9F or c in "\u202e\u2028" for c in out)
        assert "\\x1b" in out and "\\x07" in out and "\\x9b" in out and "\\u202e" in out and "\\u2028" in out
    assert parts.html_text("a\nb\t<c>\r") == "a\nb\t&lt;c&gt;\\r"


def test_compare_returns_a_dict_that_shows_methods_side_by_side(explainer):
    c = explainer.compare("the film was good", methods=["sig", "occlusion"], steps=4)
    assert isinstance(c, Comparison) and isinstance(c, dict) and list(c) == ["sig", "occlusion"]
    assert c["sig"].token_scores == explainer.explain("the film was good", "sig", steps=4).token_scores
    out = c._repr_html_()
    assert out.count("<tr data-method=") == 2 and 'data-method="sig"' in out and 'data-method="occlusion"' in out
    assert "sig" in str(c) and c.to_html().startswith("<!DOCTYPE html>")
    assert json.loads(json.dumps({k: v.to_dict() for k, v in c.items()}))  # still plain data


def test_prediction_parts_read_other_tasks_defensively(explainer):
    import dataclasses

    e = explainer.explain("good film", "occlusion")
    multi = dataclasses.replace(e, prediction={"predicted": ["a", "b"], "probs": [0.9, 0.7, 0.1], "labels": ["a", "b", "c"]})
    assert parts.prediction_parts(multi)[0] == ("predicted", "a, b")
    qa = dataclasses.replace(e, prediction={"label": "Paris", "start": 3, "end": 8, "prob": 0.81})
    assert parts.prediction_parts(qa)[:2] == [("answer", "'Paris'"), ("p", "0.810")]
    bare = dataclasses.replace(e, prediction={}, target={})
    assert parts.prediction_parts(bare) == []
    assert explanation_html(multi) and terminal.render_terminal([qa], colour=False)


# --- plots and reports ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def plt():
    return pytest.importorskip("matplotlib.pyplot", reason="plots need the plots extra (matplotlib)")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from faithlens.data import Dataset
    from faithlens.evaluate import evaluate
    from faithlens.metrics import AOPC_FRACTIONS

    out = tmp_path_factory.mktemp("eval")
    data = Dataset(texts=tuple(CORPUS), labels=(1, 0, 0, 1, 0, 0), source="tiny-corpus")
    result = evaluate(tiny("bert", dtype=torch.float64), data, methods=["ig", "occlusion"], steps=4, out=out, progress=False,
                      curves=AOPC_FRACTIONS)
    return result, out


def test_aopc_curves_agree_with_the_metrics_computed_alone(run):
    from faithlens.evaluate import read_records
    from faithlens.metrics import AOPC_FRACTIONS, aopc, scores_on_encoding
    from faithlens.baselines import resolve_baseline
    from faithlens.encoding import encode

    result, out = run
    model = tiny("bert", dtype=torch.float64)
    records = read_records(out / "records.jsonl")
    for r in records:
        at_topk = r["curve"]["comprehensiveness"][r["curve"]["fractions"].index(0.2)]
        assert at_topk == pytest.approx(r["comprehensiveness"], abs=1e-12)  # the table's own top-20 % value
    r = records[0]
    enc = encode(model, [r["text"]])
    area = aopc(model, enc, scores_on_encoding(enc, [r["token_scores"]]), baseline=resolve_baseline(model, "mask"))
    for metric in ("log_odds", "comprehensiveness", "sufficiency"):  # a k = 0 point (null) is in neither mean
        measured = [v for v in r["curve"][metric] if v is not None]
        assert len(r["curve"][metric]) == len(AOPC_FRACTIONS) and measured
        assert sum(measured) / len(measured) == pytest.approx(float(area[metric][0]), abs=1e-12)
    curve = result.curves["ig"]["sufficiency"]
    mine = [x["curve"]["sufficiency"] for x in records if x["method"] == "ig"]
    means = [[v[i] for v in mine if v[i] is not None] for i in range(5)]
    assert [c["mean"] for c in curve] == pytest.approx([sum(m) / len(m) for m in means], abs=1e-12)
    assert [c["n"] for c in curve] == [len(m) for m in means]


def test_metric_bars_have_standard_error_bars(run, plt):
    from faithlens.views.plots import metric_bars_figure

    result, _ = run
    fig = metric_bars_figure(result.rows)
    ax = fig.axes[1]  # comprehensiveness
    heights = [p.get_height() for p in ax.patches]
    assert heights == pytest.approx([row["comprehensiveness"]["mean"] for row in result.rows])
    segments = [c for c in ax.collections if hasattr(c, "get_segments")][0].get_segments()
    assert [abs(s[1][1] - s[0][1]) / 2 for s in segments] == pytest.approx(
        [row["comprehensiveness"]["sem"] for row in result.rows])
    plt.close(fig)


def test_evaluate_writes_report_and_plots(run, plt):
    result, out = run
    for name in ("report.html", "metrics.svg", "metrics.png", "aopc.svg", "aopc.png"):
        assert (out / name).stat().st_size > 1000, name
    page = (out / "report.html").read_text()
    assert page.count('<img class="plot"') == 2 and "data:image/png;base64," in page
    assert "<svg" in (out / "metrics.svg").read_text()[:500]
    assert json.loads((out / "results.json").read_text())["curves"]["ig"]["fractions"] == [0.1, 0.2, 0.3, 0.4, 0.5]
    frag = result._repr_html_()
    assert frag.startswith('<div class="faithlens">') and '<table class="eval">' in frag and frag.count("<img") == 2


def test_audit_shows_words_plots_and_notebook_html(tmp_path, plt):
    from faithlens.audit.report import audit

    text = "the films was boring"  # 'films' = film + ##s in the tiny vocabulary
    model = tiny("bert")
    assert model.tokenizer.tokenize(text) == ["the", "film", "##s", "was", "boring"]
    report = audit(model, [text, *CORPUS[:2]], steps=4, n_examples=1, progress=False)
    md = report.to_markdown(["x_shares.png"])
    examples = md.split("## Examples")[1]
    assert "`films`" in examples and "##" not in examples and "![x\\_shares](x_shares.png)" in md
    frag = report._repr_html_()
    assert frag.count('<img class="plot"') == 2 and ">films</span>" in frag
    from faithlens.views.reports import write_audit_plots

    written = write_audit_plots(report, tmp_path / "audit")
    assert sorted(p.name for p in written) == ["audit_agreement.png", "audit_agreement.svg", "audit_shares.png",
                                               "audit_shares.svg"]


# --- deadline ----------------------------------------------------------------------------------------

def test_deadline_is_cooperative_nested_and_local():
    check()  # no limit: free
    assert remaining() is None
    with deadline(60):
        with deadline(0.001, what="inner"):
            time.sleep(0.01)
            with pytest.raises(DeadlineExceeded, match="inner ran past its time limit of 0.001 s"):
                check()
        check()  # the outer limit is far away
        with deadline(120):
            assert remaining() < 61  # an inner, later limit keeps the earlier one
    with pytest.raises(FaithlensError, match="positive number"):
        with deadline(0):
            pass


def test_deadline_stops_an_explanation_between_chunks(explainer):
    with deadline(0.05, what="this test"):
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            explainer.explain(CORPUS[1], "sig", steps=400, rows_per_chunk=1)
    assert time.monotonic() - started < 5
    assert explainer.explain("good", "sig", steps=4).token_scores  # nothing left behind


def test_audit_plots_of_one_word_texts_have_no_rank_agreement_and_still_draw(tmp_path):
    """One-word texts give no Spearman ρ (NaN for every method); the agreement plot must still be written."""
    pytest.importorskip("matplotlib")
    from faithlens.audit.report import audit
    from faithlens.views.reports import write_audit_plots

    report = audit(tiny("bert"), ["fun", "bad"], steps=2, n_examples=1)
    rhos = [m["vs_occlusion"]["spearman"] for m in report.methods.values() if "vs_occlusion" in m]
    assert rhos and all(r != r for r in rhos)  # every ρ is NaN
    written = write_audit_plots(report, tmp_path / "audit")
    assert {p.name for p in written} >= {"audit_agreement.png", "audit_agreement.svg"}
    assert all(p.stat().st_size > 0 for p in written)


def test_a_text_too_short_for_the_faithfulness_check_says_so_once(explainer):
    """Issue 22: the line read "faithfulness: faithfulness: text too short ..." (the views add the prefix)."""
    e = explainer.explain("fun", "occlusion", faithfulness=True, n_random=2)
    assert e.faithfulness["k"] == 0
    shown = SGR.sub("", terminal.render_terminal([e])) + explanation_html(e)
    assert shown.count("faithfulness: text too short for the top-k fraction (k = 0)") == 2
    assert "faithfulness: faithfulness" not in shown


def test_a_three_way_tie_names_every_method_once():
    """'tied between sig and ig, occlusion' read as two groups; three tied methods read 'sig, ig and occlusion'."""
    from types import SimpleNamespace

    from faithlens.views.parts import comparison_lines

    def e(method, comp):
        return SimpleNamespace(method=method, faithfulness={"k": 1, "comp": comp}, words=())

    line = comparison_lines([e("sig", 0.62), e("ig", 0.62), e("occlusion", 0.62)])[0]
    assert line.startswith("most faithful on this text: tied between sig, ig and occlusion (Comp 0.62)")
    assert comparison_lines([e("sig", 0.5), e("ig", 0.5)])[0].startswith("most faithful on this text: tied between sig and ig")


def test_a_winner_is_never_printed_equal_to_the_next():
    """Twenty-seventh breaker note: 'ig (Comp 0.00; next sig 0.00)' named a winner between two values shown equal."""
    from types import SimpleNamespace

    from faithlens.views.parts import comparison_lines

    def e(method, comp):
        return SimpleNamespace(method=method, faithfulness={"k": 1, "comp": comp}, words=())

    assert "ig (Comp 0.001; next sig 0.000)" in comparison_lines([e("sig", 0.0002), e("ig", 0.0007)])[0]
    assert "ig (Comp 0.41; next sig 0.08)" in comparison_lines([e("sig", 0.08), e("ig", 0.41)])[0]
    assert "ig (Comp 0.4102; next sig 0.4101)" in comparison_lines([e("sig", 0.4101), e("ig", 0.4102)])[0]
