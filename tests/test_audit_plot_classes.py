"""Issue 22 (ye): `audit --token-class the,film` showed "share on words: film, the" in the table, Markdown, HTML and
verdict, but the audit plot `<stem>_shares.svg/.png` drew only stop words and the first token; and
`rationales sst2 --train -` said "'-' does not exist" where every other data option says plainly that standard input
is not read."""

import math

import pytest
from test_audit_token_class_views import NAME, report  # noqa: F401 - the audit with a word class, one fixture for both

from faithlens.cli import main


@pytest.fixture(scope="module")
def plt():
    return pytest.importorskip("matplotlib.pyplot", reason="plots need the plots extra (matplotlib)")


def _panels(fig) -> dict[str, dict[str, float]]:
    """{panel title: {tick label: bar height}} of a shares figure (nan where no bar was drawn)."""
    out = {}
    for ax in fig.axes:
        labels = [t.get_text() for t in ax.get_xticklabels()]
        heights = [p.get_height() for p in ax.patches]
        out[ax.get_title()] = dict(zip(labels, heights, strict=True))
    return out


def test_the_shares_plot_draws_the_word_class_with_the_reports_numbers(report, plt):
    from faithlens.views.reports import audit_figures

    fig = audit_figures(report)["audit_shares"]
    panels = _panels(fig)
    assert list(panels) == ["attribution on stop words", "attribution on the first token", f"attribution on {NAME}"]
    bars = panels[f"attribution on {NAME}"]
    assert list(bars) == list(report.methods)
    ref = report.settings["reference"]
    tested = 0
    for label, m in report.methods.items():
        if m["kind"] == "gradient":
            assert bars[label] == pytest.approx(m["concentration"][NAME]["share"])
            tested += 1
        elif label == ref:  # what the gradient methods were tested against, as the table's column shows
            assert bars[label] == pytest.approx(report.methods["ig"]["concentration"][NAME]["reference_share"])
        else:
            assert math.isnan(bars[label]), label  # not tested: no bar, as the table's "–"
        assert panels["attribution on stop words"][label] == pytest.approx(m["stop_words"]["share"])
    assert tested >= 2 and not math.isnan(bars[ref])
    plt.close(fig)


def test_without_a_token_class_the_plot_keeps_its_two_panels(plt):
    from faithlens.views.plots import audit_shares_figure

    methods = {"ig": {"kind": "gradient", "stop_words": {"share": 0.25}, "first_token": {"share": 0.5}},
               "occlusion": {"kind": "output", "stop_words": {"share": 0.125}, "first_token": {"share": 0.75}}}
    fig = audit_shares_figure(methods)
    assert _panels(fig) == {"attribution on stop words": {"ig": 0.25, "occlusion": 0.125},
                            "attribution on the first token": {"ig": 0.5, "occlusion": 0.75}}
    plt.close(fig)


@pytest.mark.parametrize("option", ["--train", "--data"])
def test_rationales_data_options_refuse_standard_input_plainly(tmp_path, capsys, option):
    train = tmp_path / "train.tsv"
    train.write_text("sentence\tlabel\ngood\t1\n", encoding="utf-8")
    files = {"--train": str(train), "--data": str(train), option: "-"}
    out = tmp_path / "r.jsonl"
    code = main(["rationales", "sst2", "--train", files["--train"], "--data", files["--data"], "--out", str(out)])
    err = capsys.readouterr().err
    assert code != 0 and not out.exists()
    assert f"{option} - names standard input, which faithlens does not read data from" in err
    assert "does not exist" not in err and f"e.g. {option} data.tsv" in err


def test_rationales_out_dash_is_refused_as_standard_output(tmp_path, capsys):
    train = tmp_path / "train.tsv"
    train.write_text("sentence\tlabel\ngood\t1\n", encoding="utf-8")
    code = main(["rationales", "sst2", "--train", str(train), "--data", str(train), "--out", "-"])
    err = capsys.readouterr().err
    assert code != 0 and "--out - names standard output" in err and "--out report.jsonl" in err
