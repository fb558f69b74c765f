"""The benchmark harness's agreement check, on a tiny model (the bench itself is not a test)."""

import sys
from pathlib import Path

import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo root holds bench/

from faithlens import Explainer  # noqa: E402
from tiny import tiny  # noqa: E402

harness = pytest.importorskip("bench.harness")
if not harness.tint_available():
    pytest.skip("tint (time-interpret) is not installed", allow_module_level=True)

TEXT = "the film was goodish and fun"


@pytest.fixture(scope="module")
def run():
    ex = Explainer(tiny("bert", dtype=torch.float64))
    return harness.sentence_runs(ex, TEXT, harness.Settings(steps=16, repeats=1), with_tint=True)


def test_reverse_and_forward_agree_with_tint(run):
    for name in ("faithlens_sig_reverse vs tint_sig", "faithlens_sig_forward vs tint_sig", "faithlens_ig vs captum_ig"):
        check = run["agreement"][name]
        assert check["agree"], (name, check)
        assert check["max_abs_diff"] < 1e-6  # float64 here; tint and Captum cast the quadrature weights to float32
    closed = run["agreement"]["faithlens_sig_closed vs tint_sig"]
    assert closed["check"] == "spearman" and closed["spearman"] > 0.99
    assert set(run["times"]) >= {"tint_sig", "faithlens_sig_reverse", "faithlens_sig_closed", "captum_ig"}


def test_agreement_flags_a_disagreement():
    attributed = torch.tensor([False, True, True, True, False])
    scores = torch.tensor([0.0, 0.5, -0.2, 0.3, 0.0])
    assert harness.agreement(scores, scores.clone(), attributed, kind="max_abs")["agree"]
    off = scores.clone()
    off[2] += 1e-2
    assert not harness.agreement(scores, off, attributed, kind="max_abs")["agree"]
    reversed_ranks = torch.tensor([0.0, -0.5, 0.2, -0.3, 0.0])
    assert not harness.agreement(scores, reversed_ranks, attributed, kind="spearman")["agree"]
