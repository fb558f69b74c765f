"""End to end on the real bundled default model (MiniLM fine-tuned on Rotten Tomatoes)."""

import json
import subprocess
import sys

import pytest
import torch

pytestmark = pytest.mark.slow

TEXT = "a hideous, confusing spectacle"


@pytest.fixture(scope="module")
def ex():
    from faithlens import Explainer

    return Explainer()  # trains the default model on first use if it is not cached yet


def test_default_model_card(ex):
    info = ex.model.info
    assert info["test_accuracy"] >= 0.80
    assert ex.model.labels == ["negative", "positive"]


def test_sig_on_default_model(ex):
    e = ex.explain(TEXT, "sig")
    assert e.prediction["label"] == "negative"
    assert [w.word for w in e.words] == ["a", "hideous", ",", "confusing", "spectacle"]
    # the negative words carry the most support for the negative prediction
    top = {w.word for w in e.top_words(2)}
    assert top & {"hideous", "confusing"}
    # 50 Gauss-Legendre steps: per-position completeness within a few percent of the score range
    closed = ex.explain(TEXT, "sig", mode="closed")
    scale = max(abs(s) for s in closed.token_scores)
    assert max(abs(d) for d in e.deltas) < 0.05 * scale
    fwd = ex.explain(TEXT, "sig", mode="forward")
    assert torch.allclose(torch.tensor(e.token_scores), torch.tensor(fwd.token_scores), atol=1e-3)


def test_cli_json_on_default_model():
    out = subprocess.run([sys.executable, "-m", "faithlens.cli", "explain", TEXT, "--method", "sig", "ig", "--json"],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["method"] for r in rows] == ["sig", "ig"]
    assert all(r["prediction"]["label"] == "negative" for r in rows)
