"""FACADE training and merging on tiny models built in code."""

import pytest
import torch
from tiny import CORPUS, tiny

from faithlens.audit.facade import FacadeSettings, build_facade, facade_loss, train_facade
from faithlens.audit.merge import SumOfLogits, agreement, merge_models
from faithlens.encoding import encode
from faithlens.errors import FaithlensError
from faithlens.model import from_pretrained_objects, load_model


@pytest.fixture(scope="module")
def f():
    return tiny("bert", dtype=torch.float64)


@pytest.fixture(scope="module")
def g(f):
    return from_pretrained_objects(build_facade(f, seed=1).double(), f.tokenizer, name="facade")


def test_facade_shape_matches_target(f, g):
    cf, cg = f.model.config, g.model.config
    assert cg.num_hidden_layers == cf.num_hidden_layers
    assert cg.hidden_size // cg.num_attention_heads == cf.hidden_size // cf.num_attention_heads
    assert cg.hidden_size < cf.hidden_size and cg.vocab_size == cf.vocab_size


def test_facade_loss_parts():
    ghat = torch.tensor([[0.5, -0.25, 0.25], [0.0, 1.0, 0.0]])
    targets = torch.tensor([[True, True, False], [False, False, True]])
    logits = torch.zeros(2, 2)  # uniform: Σ q log q = -log 2
    loss, parts = facade_loss(ghat, logits, targets, lambda_g=10.0)
    assert parts["target_mass"] == pytest.approx((0.75 + 0.0) / 2)
    assert parts["neg_entropy"] == pytest.approx(-torch.log(torch.tensor(2.0)).item())
    assert float(loss) == pytest.approx(-0.375 + 10 * parts["neg_entropy"])


@pytest.mark.parametrize("target", ["stop_words", "first_token"])
def test_training_raises_target_attribution(tmp_path, target):
    f32 = tiny("bert")
    texts = CORPUS * 4
    settings = FacadeSettings(target=target, steps=24, batch_size=8, eval_every=8, heldout=6, lr=1e-3, seed=0)
    record = train_facade(f32, texts, CORPUS, out_dir=tmp_path, settings=settings, progress=False)
    log = [__import__("json").loads(line) for line in (tmp_path / "train_log.jsonl").read_text().splitlines()]
    start = log[0]["heldout_target_mass"]
    assert record["selected"]["heldout_target_mass"] > start + 0.1
    assert (tmp_path / "config.json").exists()


def _grads(model, enc):
    W = model.embed(enc.input_ids).requires_grad_(True)
    z = model.logits(W, enc.attention_mask, enc.token_type_ids)
    (G,) = torch.autograd.grad(torch.log_softmax(z, -1)[:, 1].sum(), W)
    return z.detach(), G


def _grads_separately(f, g, enc):
    W = torch.cat([g.embed(enc.input_ids), f.embed(enc.input_ids)], -1).requires_grad_(True)
    d = g.model.config.hidden_size
    z = f.logits(W[..., d:], enc.attention_mask, enc.token_type_ids) + g.logits(W[..., :d], enc.attention_mask, enc.token_type_ids)
    (G,) = torch.autograd.grad(torch.log_softmax(z, -1)[:, 1].sum(), W)
    return z.detach(), G


@pytest.mark.parametrize("form", ["intertwined", "sum"])
def test_merge_identities(f, g, form):
    merged = merge_models(f, g, form=form)
    enc = encode(merged, CORPUS)
    z, G = _grads(merged, enc)
    zf = f.logits(f.embed(enc.input_ids), enc.attention_mask, enc.token_type_ids)
    zg = g.logits(g.embed(enc.input_ids), enc.attention_mask, enc.token_type_ids)
    assert torch.allclose(z, zf + zg, atol=1e-5, rtol=0)
    # each half of the merged embedding gradient equals that model's own gradient (same outer score)
    _, G_ref = _grads_separately(f, g, enc)
    d = g.model.config.hidden_size
    assert torch.allclose(G[..., :d], G_ref[..., :d], atol=1e-10)
    assert torch.allclose(G[..., d:], G_ref[..., d:], atol=1e-10)
    # and with an additive score, literally each model's own gradient
    W = merged.embed(enc.input_ids).requires_grad_(True)
    (Gl,) = torch.autograd.grad(merged.logits(W, enc.attention_mask, enc.token_type_ids)[:, 0].sum(), W)
    Wf = f.embed(enc.input_ids).requires_grad_(True)
    (Gf,) = torch.autograd.grad(f.logits(Wf, enc.attention_mask, enc.token_type_ids)[:, 0].sum(), Wf)
    assert torch.allclose(Gl[..., d:], Gf, atol=1e-10)
    assert agreement(f, merged, CORPUS)["n"] == len(CORPUS)


def test_intertwined_merge_saves_and_loads(f, g, tmp_path):
    merged = merge_models(f, g)
    merged.model.save_pretrained(tmp_path)
    f.tokenizer.save_pretrained(tmp_path)
    loaded = load_model(str(tmp_path), dtype=torch.float64)
    assert type(loaded.model).__name__ == "MergedBertForSequenceClassification"
    enc = encode(loaded, CORPUS)
    a = loaded.logits(loaded.embed(enc.input_ids), enc.attention_mask, enc.token_type_ids)
    b = merged.logits(merged.embed(enc.input_ids), enc.attention_mask, enc.token_type_ids)
    assert torch.allclose(a, b, atol=1e-10)


def test_sum_form_is_a_module(f, g):
    assert isinstance(merge_models(f, g, form="sum").model, SumOfLogits)


def test_merge_refuses_mismatched_models(f):
    other = tiny("distilbert", dtype=torch.float64)
    with pytest.raises(FaithlensError, match="Cannot merge"):
        merge_models(f, other)
    with pytest.raises(FaithlensError, match="form"):
        merge_models(f, f, form="glued")
