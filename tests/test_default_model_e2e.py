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
    e = ex.explain(TEXT, "sig", steps=50)  # the SIG paper's 50-step path
    assert e.prediction["label"] == "negative"
    assert [w.word for w in e.words] == ["a", "hideous", ",", "confusing", "spectacle"]
    # the negative words carry the most support for the negative prediction
    top = {w.word for w in e.top_words(2)}
    assert top & {"hideous", "confusing"}
    # 50 Gauss-Legendre steps: per-position completeness within a few percent of the score range
    closed = ex.explain(TEXT, "sig", mode="closed")
    scale = max(abs(s) for s in closed.token_scores)
    assert max(abs(d) for d in e.deltas) < 0.05 * scale
    fwd = ex.explain(TEXT, "sig", mode="forward", steps=50)
    assert torch.allclose(torch.tensor(e.token_scores), torch.tensor(fwd.token_scores), atol=1e-3)


def test_cli_json_on_default_model():
    out = subprocess.run([sys.executable, "-m", "faithlens.cli", "explain", TEXT, "--method", "sig", "ig", "--json"],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["method"] for r in rows] == ["sig", "ig"]
    assert all(r["prediction"]["label"] == "negative" for r in rows)


def word_masked_scores(folder, text, baseline_id, score):
    """F(w) − F(w with word n at the baseline) for every word n, by plain transformers (no faithlens)."""
    import transformers

    tok = transformers.AutoTokenizer.from_pretrained(folder)
    enc = tok(text)
    ids, word_ids = enc["input_ids"], enc.word_ids()
    full = score(ids)
    return [full - score([baseline_id if w == n else i for i, w in zip(ids, word_ids)])
            for n in sorted({w for w in word_ids if w is not None})]


def test_cli_default_sig_equals_word_occlusion_by_plain_transformers():
    """Issue 19's check: `faithlens explain TEXT --method sig --json`, no other option, gives each word's
    F(w) − F(w with the word at [MASK]) to a relative 1e-4."""
    import transformers

    from faithlens.default_model import default_model_dir

    out = subprocess.run([sys.executable, "-m", "faithlens.cli", "explain", "an unwatchable, overlong mess", "--method",
                          "sig", "--json"], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    e = json.loads(out.stdout)
    assert e["settings"]["mode"] == "closed" and e["error"]["kind"] == "exact" and e["signed"] is True
    folder = default_model_dir()
    model = transformers.AutoModelForSequenceClassification.from_pretrained(folder).eval()
    tok = transformers.AutoTokenizer.from_pretrained(folder)
    target = e["target"]["index"]

    def logit(ids):
        with torch.no_grad():
            return float(model(input_ids=torch.tensor([ids])).logits[0, target])

    expected = word_masked_scores(folder, e["text"], tok.mask_token_id, logit)
    assert len(tok.tokenize(e["text"])) > len(e["words"])  # some word has several tokens
    got = [w["score"] for w in e["words"]]
    scale = max(abs(x) for x in expected)
    assert max(abs(a - b) for a, b in zip(got, expected)) <= 1e-4 * scale
