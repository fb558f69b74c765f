"""Plots that show every curve: equal curves stay visible, legends outside the data, no signed panel for an
unsigned method."""

import pytest

pytest.importorskip("matplotlib", reason="plots need the plots extra")

from faithlens.views import plots  # noqa: E402

CURVE = {"fractions": [0.1, 0.2, 0.3], **{m: [{"mean": v, "sem": 0.01, "n": 8} for v in (0.1, 0.2, 0.3)]
                                          for m in ("log_odds", "comprehensiveness", "sufficiency")}}


def test_equal_curves_stay_visible_and_legends_sit_outside_the_data():
    fig = plots.aopc_figure({"ig": CURVE, "sig": CURVE})  # the same numbers: would hide each other
    fig.canvas.draw()
    for ax in fig.axes:
        lines = [c.lines[0] for c in ax.containers]  # each errorbar's data line
        assert len(lines) == 2
        a, b = lines
        assert a.get_marker() != b.get_marker() and a.get_linestyle() != b.get_linestyle()
        assert list(a.get_ydata()) == list(b.get_ydata())
        assert all(xb - xa == pytest.approx(0.6) for xa, xb in zip(a.get_xdata(), b.get_xdata()))  # side by side
        legend = ax.get_legend().get_window_extent()
        assert legend.y1 < ax.get_window_extent().y0  # under the axes, not over the curves
    plots._pyplot().close(fig)


def test_no_completeness_bar_for_an_unsigned_method():
    rows = [{"method": m, "log_odds": {"mean": -1.0, "sem": 0.1, "n": 8}, "delta": {"mean": 0.5, "sem": 0.1, "n": 8}}
            for m in ("ig", "saliency", "sig")]
    fig = plots.metric_bars_figure(rows, columns=("log_odds", "delta"))
    log_odds, delta = fig.axes
    assert len(log_odds.patches) == 3
    assert sorted(p.get_x() + p.get_width() / 2 for p in delta.patches) == pytest.approx([0, 2])  # ig, sig: not saliency
    assert any("unsigned" in t.get_text() for t in delta.texts)
    plots._pyplot().close(fig)


def test_figures_have_a_white_background_for_light_and_dark_pages(tmp_path):
    fig = plots.aopc_figure({"ig": CURVE})
    svg, png = plots.save(fig, tmp_path / "c")
    assert svg.read_text().count("fill: #ffffff") >= 1 and png.stat().st_size > 1000
