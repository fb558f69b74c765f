"""FACADE training and merging on tiny models built in code."""

import pytest
import torch
from cli_run import interrupt
from tiny import CORPUS, tiny

from faithlens.audit.facade import FacadeSettings, build_facade, facade_loss, train_facade
from faithlens.audit.merge import SumOfLogits, agreement, calibrate_gain, merge_models
from faithlens.encoding import encode
from faithlens.errors import FaithlensError
from faithlens.model import from_pretrained_objects, load_model


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the shared 2-core machine: one thread is much faster under load
    yield
    torch.set_num_threads(threads)


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
    settings = FacadeSettings(target=target, steps=24, batch_size=8, eval_every=8, heldout=6, lr=1e-2, seed=0,
                              lambda_m=0.0)  # the paper's objective: the normalised mass alone
    record = train_facade(f32, texts, CORPUS, out_dir=tmp_path, settings=settings, progress=False)
    log = [__import__("json").loads(line) for line in (tmp_path / "train_log.jsonl").read_text().splitlines()]
    start = log[0]["heldout_target_mass"]
    assert record["selected"]["heldout_target_mass"] > max(start + 0.2, 0.8)
    assert (tmp_path / "config.json").exists()


def test_the_magnitude_term_is_the_default_and_grows_the_raw_gradients(tmp_path):
    assert FacadeSettings().lambda_m == 1.0
    sizes = {}
    for lambda_m in (0.0, 1.0):
        settings = FacadeSettings(target="stop_words", steps=24, batch_size=8, eval_every=8, heldout=6, lr=1e-2, seed=0,
                                  lambda_m=lambda_m)
        record = train_facade(tiny("bert"), CORPUS * 4, CORPUS, out_dir=tmp_path / str(lambda_m), settings=settings,
                              progress=False)
        sizes[lambda_m] = record["selected"]["heldout_log_raw_l1"]
    print(sizes)
    assert sizes[1.0] > sizes[0.0] + 0.5  # the default's raw saliency is larger (log scale)


def test_interrupted_facade_training_resumes_to_the_same_facade(tmp_path):
    """Killed at step 13 of 24 (checkpoint at step 8), the rerun ends with the clean run's facade and log."""
    import json

    import faithlens.audit.facade as facade

    f32 = tiny("bert")
    settings = FacadeSettings(target="stop_words", steps=24, batch_size=8, eval_every=8, heldout=6, lr=1e-2, seed=0)
    clean = train_facade(f32, CORPUS * 4, CORPUS, out_dir=tmp_path / "clean", settings=settings, progress=False)
    with pytest.MonkeyPatch.context() as mp:
        interrupt(mp, facade, "facade_loss", at_call=13)
        with pytest.raises(KeyboardInterrupt):
            train_facade(f32, CORPUS * 4, CORPUS, out_dir=tmp_path / "run", settings=settings, progress=False)
    assert torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=False)["step"] == 8
    resumed = train_facade(f32, CORPUS * 4, CORPUS, out_dir=tmp_path / "run", settings=settings, progress=False)
    assert not (tmp_path / "run" / "checkpoint.pt").exists()
    assert resumed["selected"] == clean["selected"]
    drop_time = lambda path: [{k: v for k, v in json.loads(line).items() if k != "seconds"}  # noqa: E731
                              for line in path.read_text().splitlines()]
    assert drop_time(tmp_path / "run" / "train_log.jsonl") == drop_time(tmp_path / "clean" / "train_log.jsonl")
    a = load_model(tmp_path / "clean").model.state_dict()
    b = load_model(tmp_path / "run").model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


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


def test_gain_scales_the_facade_and_calibration_keeps_predictions(f, g):
    enc = encode(f, CORPUS)
    merged = merge_models(f, g, gain=3.0)
    z = merged.logits(merged.embed(enc.input_ids), enc.attention_mask, enc.token_type_ids)
    zf = f.logits(f.embed(enc.input_ids), enc.attention_mask, enc.token_type_ids)
    zg = g.logits(g.embed(enc.input_ids), enc.attention_mask, enc.token_type_ids)
    assert torch.allclose(z, zf + 3.0 * zg, atol=1e-8)
    cal = calibrate_gain(f, g, CORPUS, quantile=0.0)
    assert cal["gain"] > 0
    assert agreement(f, merge_models(f, g, gain=cal["gain"]), CORPUS)["agreement"] == 1.0
    with pytest.raises(FaithlensError, match="gain"):
        merge_models(f, g, gain=0.0)


def test_magnitude_term_grows_raw_saliency(tmp_path):
    import json

    f32 = tiny("bert")
    final = {}
    for lambda_m in (0.0, 1.0):
        out = tmp_path / str(lambda_m)
        settings = FacadeSettings(target="stop_words", steps=24, batch_size=8, eval_every=24, heldout=6, lr=1e-2,
                                  lambda_m=lambda_m)
        train_facade(f32, CORPUS * 4, CORPUS, out_dir=out, settings=settings, progress=False)
        final[lambda_m] = json.loads((out / "train_log.jsonl").read_text().splitlines()[-1])["heldout_log_raw_l1"]
    assert final[1.0] > final[0.0] + 1.0  # e times larger raw saliency at least


def test_regularised_target_trains_and_saves(tmp_path):
    from faithlens.audit.facade import regularise_target

    f32 = tiny("bert")
    before = {k: v.clone() for k, v in f32.model.state_dict().items()}
    record = regularise_target(f32, CORPUS * 2, [1, 1, 0, 1, 0, 0] * 2, out_dir=tmp_path, steps=2, batch_size=4, progress=False)
    assert record["lambda_rp"] == 3.0 and (tmp_path / "config.json").exists()
    assert all(torch.equal(before[k], v) for k, v in f32.model.state_dict().items())  # f itself untouched


def test_regularised_target_resumes(tmp_path):
    """Interrupted at step 30 of 40 (checkpoints every 25), the rerun saves the clean run's model."""
    import faithlens.audit.facade as facade

    f32 = tiny("bert")
    args = (CORPUS * 2, [1, 1, 0, 1, 0, 0] * 2)
    facade.regularise_target(f32, *args, out_dir=tmp_path / "clean", steps=40, batch_size=4, lr=1e-3, progress=False)
    with pytest.MonkeyPatch.context() as mp:
        interrupt(mp, facade, "_tokenize", at_call=30)
        with pytest.raises(KeyboardInterrupt):
            facade.regularise_target(f32, *args, out_dir=tmp_path / "run", steps=40, batch_size=4, lr=1e-3, progress=False)
    facade.regularise_target(f32, *args, out_dir=tmp_path / "run", steps=40, batch_size=4, lr=1e-3, progress=False)
    assert not (tmp_path / "run" / "checkpoint.pt").exists()
    a = load_model(tmp_path / "clean").model.state_dict()
    b = load_model(tmp_path / "run").model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_saliency_of_own_or_target_is_the_same_with_two_classes_but_not_with_three():
    """With two classes CE(y) and CE(1−y) have gradients -(1-p_y)∇(z_y−z_o) and p_y∇(z_y−z_o): the
    normalised ĝ of the other class is exactly −ĝ, so --saliency-of own/target train the same |ĝ|
    (why the default matters only with more outputs). With three classes the two differ."""
    from faithlens.audit.facade import _tokenize, training_saliency

    for num_labels, same in ((2, True), (3, False)):
        target = tiny("bert", dtype=torch.float64, num_labels=num_labels)
        g = build_facade(target, seed=1).double()
        wrapped = from_pretrained_objects(g, target.tokenizer, name="g")
        batch = _tokenize(wrapped, list(CORPUS), 32)
        args = (g, batch["input_ids"], batch["attention_mask"], batch["attributed"], batch.get("token_type_ids"))
        own, (logits,) = training_saliency(*args, create_graph=False)
        other = (logits.argmax(-1) + 1) % num_labels  # every text's label differs from g's arg-max
        theirs, _ = training_saliency(*args, create_graph=False, labels=[other])
        if same:
            assert torch.allclose(theirs, -own, atol=1e-10)
        else:
            assert not torch.allclose(theirs.abs(), own.abs(), atol=1e-3)
    assert FacadeSettings().saliency_of == "target"
