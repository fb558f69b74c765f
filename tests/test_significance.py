"""Paired tests (faithlens.stats) and evaluate's significance.md / random row on a tiny model."""

from __future__ import annotations

import json
import math

import pytest
import torch
from tiny import tiny

from faithlens.data import Dataset
from faithlens.evaluate import best_line, evaluate, significance
from faithlens.stats import holm, paired_bootstrap, paired_test, spearman, wilcoxon
from faithlens.stats import _wilcoxon_normal


def test_wilcoxon_matches_scipy_and_the_normal_fallback_is_close():
    scipy = pytest.importorskip("scipy.stats")
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(40, generator=gen, dtype=torch.float64)
    b = a - 0.3 + 0.5 * torch.randn(40, generator=gen, dtype=torch.float64)
    for alt in ("two-sided", "greater", "less"):
        ours = wilcoxon(a.tolist(), b.tolist(), alternative=alt)
        ref = scipy.wilcoxon((a - b).numpy(), alternative=alt)
        assert ours["p"] == pytest.approx(float(ref.pvalue), rel=1e-9)
        d = a - b
        w = float((torch.argsort(torch.argsort(d.abs())) + 1)[d > 0].sum())
        assert ours["statistic"] == w
        assert _wilcoxon_normal(d, w, alt) == pytest.approx(float(ref.pvalue), rel=0.1, abs=1e-3)


def test_holm_and_bootstrap_by_hand():
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5, 0.001]) == pytest.approx([0.5, 0.002])
    boot = paired_bootstrap([1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 0.0], n_boot=4000, seed=1)
    assert boot["mean"] == 2.5 and 1.0 <= boot["low"] < 2.5 < boot["high"] <= 4.0
    assert boot == paired_bootstrap([1.0, 2.0, 3.0, 4.0], [0.0] * 4, n_boot=4000, seed=1)  # seeded
    t = paired_test([1.0, 2.0, 3.0], [0.0, 0.0, 0.0])
    assert t["rank_biserial"] == 1.0 and t["n"] == 3
    assert spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0) and spearman([1, 1], [1, 2]) is None


def _records(values: dict[str, list[float]]) -> list[dict]:
    return [{"index": i, "method": m, "k": 1, "comprehensiveness": v, "sufficiency": -v, "log_odds": -v}
            for m, vs in values.items() for i, v in enumerate(vs)]


def test_a_winner_only_when_significant_against_every_other_method():
    n = 30
    clear = _records({"a": [1.0 + 0.01 * i for i in range(n)], "b": [0.5 + 0.01 * i for i in range(n)],
                      "random": [0.0 + 0.01 * ((7 * i) % n) for i in range(n)]})
    sig = significance(clear, ["a", "b", "random"])
    assert sig["metrics"]["comprehensiveness"]["winner"] == "a"
    assert sig["vs_random"]["a"]["above_random"] and sig["vs_random"]["b"]["above_random"]
    assert "Comp → a" in best_line([], sig)
    gen = torch.Generator().manual_seed(0)
    noise = (0.2 * torch.randn(n, generator=gen, dtype=torch.float64)).tolist()
    close = _records({"a": [1.0 + x for x in noise], "b": [1.0 + x + (0.001 if i % 2 else -0.001) for i, x in enumerate(noise)],
                      "random": [1.0 - x for x in noise]})
    sig = significance(close, ["a", "b", "random"])
    entry = sig["metrics"]["comprehensiveness"]
    assert entry["winner"] is None and set(entry["tied"]) == {"a", "b"}
    assert "Comp: tied between" in best_line([], sig)
    assert not sig["vs_random"]["a"]["above_random"]


def test_evaluate_writes_significance_and_marks_methods_not_above_random(tmp_path):
    texts = ["the film was very good and fun", "a boring plot and awful acting", "it was terrible; I hated it",
             "this story is brilliant, funny and loved", "dull dull dull film with terrible actors",
             "the movie is not good but the acting was great"]
    data = Dataset(texts=tuple(texts), labels=(1, 0, 0, 1, 0, 0), source="tiny")
    result = evaluate(tiny("bert"), data, methods=["grad_x_input", "sig"], out=tmp_path / "run", progress=False,
                      random_row=True, batch_size=3)
    assert [r["method"] for r in result.rows] == ["grad_x_input", "sig", "random"]
    text = (tmp_path / "run" / "significance.md").read_text()
    assert "| grad_x_input | sig |" in text and "Comp above the random ordering" in text
    saved = json.loads((tmp_path / "run" / "results.json").read_text())
    assert saved["significance"]["metrics"]["comprehensiveness"]["pairs"][0]["a"] == "grad_x_input"
    below = [m for m, t in saved["significance"]["vs_random"].items() if not t["above_random"]]
    table = (tmp_path / "run" / "table.md").read_text()
    for m in below:  # 6 examples cannot show much: marked, and said why
        assert f"| {m} † |" in table
    # a resume recomputes nothing and gives the same tests
    again = evaluate(tiny("bert"), data, methods=["grad_x_input", "sig"], out=tmp_path / "run", progress=False,
                     random_row=True, batch_size=3)
    assert again.computed == 0 and again.significance == result.significance
    assert all(not math.isnan(p["p"]) for p in again.significance["metrics"]["comprehensiveness"]["pairs"])
