"""FACADE on text pairs (NLI) and extractive QA (SPEC §8, §9), on tiny models built in code."""

import pytest
import torch

from faithlens.audit.facade import FacadeSettings, build_facade, train_facade
from faithlens.audit.ids import pad, predict, rows_from_texts
from faithlens.audit.manipulation import Run, saliency_manipulation
from faithlens.audit.merge import agreement, merge_models
from faithlens.audit.reduction import input_reduction
from faithlens.audit.targets import target_mask
from faithlens.errors import FaithlensError
from faithlens.model import from_pretrained_objects
from tiny import CORPUS, tiny

PAIRS = [("the film was very good and fun", "it was fun"), ("a boring plot and awful acting", "the acting was great"),
         ("this story is brilliant, funny and loved", "it was terrible"), ("dull dull dull film", "the movie is good")]
QUESTIONS = [("who was good", "the film was good and the acting was great, but the plot was dull"),
             ("what was dull", "the movie is not good but the acting was great and the story was dull")]


def facade_of(f, seed=1):
    g = build_facade(f, seed=seed).eval()
    return from_pretrained_objects(g, f.tokenizer, name="g")


def own(model, batch_texts):
    """The HF model's own outputs on the tokenizer's pair encoding."""
    enc = model.tokenizer([a for a, _ in batch_texts], [b for _, b in batch_texts], return_tensors="pt", padding=True)
    with torch.no_grad():
        return model.model(**enc)


@pytest.mark.parametrize("form", ["intertwined", "sum"])
def test_pair_merge_adds_the_logits_exactly(form):
    f = tiny("bert", dtype=torch.float64, num_labels=3)
    g = facade_of(f)
    g.model.to(torch.float64)
    merged = merge_models(f, g, form=form)
    a, b, m = own(f, PAIRS), own(g, PAIRS), own(merged, PAIRS)
    assert torch.allclose(m.logits, a.logits + b.logits, atol=1e-10)
    assert agreement(f, merged, PAIRS)["n"] == len(PAIRS)


def test_pair_merge_splits_the_embedding_gradient():
    f = tiny("bert", dtype=torch.float64, num_labels=3)
    g = facade_of(f)
    g.model.to(torch.float64)
    merged = merge_models(f, g)
    enc = f.tokenizer([PAIRS[0][0]], [PAIRS[0][1]], return_tensors="pt")
    d = g.model.config.hidden_size
    W = merged.embed(enc["input_ids"]).detach().requires_grad_(True)
    (G,) = torch.autograd.grad(merged.model(inputs_embeds=W, attention_mask=enc["attention_mask"],
                                            token_type_ids=enc["token_type_ids"]).logits[:, 1].sum(), W)
    for model, part in ((g, slice(0, d)), (f, slice(d, None))):
        Wm = model.embed(enc["input_ids"]).detach().requires_grad_(True)
        (Gm,) = torch.autograd.grad(model.model(inputs_embeds=Wm, attention_mask=enc["attention_mask"],
                                                token_type_ids=enc["token_type_ids"]).logits[:, 1].sum(), Wm)
        assert torch.allclose(G[..., part], Gm, atol=1e-10)


@pytest.mark.parametrize("form", ["intertwined", "sum"])
def test_qa_merge_adds_start_and_end_logits_and_saves(tmp_path, form):
    f = tiny("bert_qa", dtype=torch.float64)
    g = facade_of(f)
    g.model.to(torch.float64)
    merged = merge_models(f, g, form=form)
    a, b, m = own(f, QUESTIONS), own(g, QUESTIONS), own(merged, QUESTIONS)
    assert torch.allclose(m.start_logits, a.start_logits + b.start_logits, atol=1e-10)
    assert torch.allclose(m.end_logits, a.end_logits + b.end_logits, atol=1e-10)
    if form == "intertwined":
        from faithlens.model import load_model

        merged.model.save_pretrained(tmp_path)
        f.tokenizer.save_pretrained(tmp_path)
        loaded = load_model(tmp_path, dtype=torch.float64)
        assert loaded.task.name == "qa"
        assert torch.allclose(own(loaded, QUESTIONS).start_logits, m.start_logits, atol=1e-10)


@pytest.mark.parametrize("kind,texts", [("bert", PAIRS), ("bert_qa", QUESTIONS)])
def test_facade_training_on_pairs_and_qa_raises_target_mass(tmp_path, kind, texts):
    f = tiny(kind, num_labels=3) if kind == "bert" else tiny(kind)
    settings = FacadeSettings(target="first_token", steps=32, batch_size=2, eval_every=8, heldout=2, lr=1e-2, seed=0,
                              max_length=48)  # the magnitude term starts at step 16 (magnitude_from = 0.5)
    record = train_facade(f, list(texts) * 3, list(texts), out_dir=tmp_path, settings=settings, progress=False)
    log = [__import__("json").loads(line) for line in (tmp_path / "train_log.jsonl").read_text().splitlines()]
    assert record["selected"]["criterion"] > log[0]["criterion"]
    assert record["selected"]["heldout_target_mass"] > 2 * log[0]["heldout_target_mass"]  # 0.18 -> 0.67 (pairs)
    assert type(build_facade(f)).__name__ == ("BertForQuestionAnswering" if kind == "bert_qa" else "BertForSequenceClassification")


def test_first_token_of_a_pair_is_the_first_premise_token():
    f = tiny("bert", num_labels=3)
    rows = rows_from_texts(f, PAIRS[:1])
    batch = pad(f, rows)
    first = target_mask(f, batch.input_ids, batch.attributed, "first_token")
    assert first[0].nonzero().flatten().tolist() == [1]  # right after [CLS]
    stops = target_mask(f, batch.input_ids, batch.attributed, "stop_words")[0]
    hypothesis = batch.segments[0] == 1
    assert bool((stops & hypothesis).any()) and bool((stops & ~hypothesis).any())  # stop words in both segments


def test_pair_input_reduction_removes_premise_tokens_only():
    f = tiny("bert", dtype=torch.float64, num_labels=3)
    result = input_reduction(f, PAIRS, beam_size=1)
    for before, after in zip(result.original, result.reduced):
        hyp = lambda r: [i for i, g in zip(r.ids, r.segments) if g == 1]  # noqa: E731
        assert hyp(after) == hyp(before)
        assert after.n_reducible() <= before.n_reducible()
    assert predict(f, pad(f, list(result.reduced))).tolist() == predict(f, pad(f, list(result.original))).tolist()
    s = result.summary()
    assert s["mean_reduced_length"] < s["mean_original_length"]


def test_qa_input_reduction_reduces_the_question_and_keeps_the_answer():
    f = tiny("bert_qa", dtype=torch.float64)
    result = input_reduction(f, QUESTIONS, beam_size=1)
    for before, after in zip(result.original, result.reduced):
        ctx = lambda r: [i for i, g in zip(r.ids, r.segments) if g == 1]  # noqa: E731
        assert ctx(after) == ctx(before)
        # the kept span (moved with the removals) is what the model predicts on the reduced question
        batch = pad(f, [after])
        assert predict(f, batch)[0].tolist() == after.span
        removed = before.n_reducible() - after.n_reducible()
        assert [p - removed for p in before.span] == after.span


@pytest.mark.parametrize("kind,texts", [("bert", PAIRS), ("bert_qa", QUESTIONS)])
def test_saliency_audit_runs_on_pairs_and_qa(kind, texts):
    f = tiny(kind, num_labels=3) if kind == "bert" else tiny(kind)
    runs = [Run("saliency"), Run("sig", "closed"), Run("ig", steps=4), Run("occlusion")]
    result = saliency_manipulation(f, list(texts), target="first_token", runs=runs, progress=False)
    table = result["methods"]
    assert table["sig:closed"]["p_at_1"] == table["occlusion"]["p_at_1"]
    assert all(0 <= row["p_at_1"] <= 1 and row["n"] == len(texts) for row in table.values())


def test_hotflip_refuses_qa_with_a_clear_error():
    from faithlens.audit.hotflip import hotflip

    with pytest.raises(FaithlensError, match="HotFlip"):
        hotflip(tiny("bert_qa"), QUESTIONS)
    assert CORPUS  # single-text HotFlip is tested in test_audit_analyses


def test_qa_facade_gradients_stay_finite_on_padded_batches():
    """Padding logits must not overflow once λ_g = 1e3 multiplies the entropy term's gradient (it did at finfo.min)."""
    from faithlens.audit.facade import _tokenize, facade_loss, training_saliency

    f = tiny("bert_qa")
    g = build_facade(f, seed=0)
    wrapped = from_pretrained_objects(g, f.tokenizer, name="g")
    g.train()
    for p in g.parameters():
        p.requires_grad_(True)
    texts = [QUESTIONS[0], ("who", "the film was good")]  # very different lengths: padding in the batch
    batch = _tokenize(wrapped, texts, 48)
    assert not batch["attention_mask"].bool().all()
    ghat, heads, raw = training_saliency(g, batch["input_ids"], batch["attention_mask"], batch["attributed"],
                                         batch.get("token_type_ids"), return_raw=True)
    mask = target_mask(wrapped, batch["input_ids"], batch["attributed"], "stop_words")
    loss, _ = facade_loss(ghat, heads, mask, lambda_g=1e3, raw_l1=raw, lambda_m=1.0)
    loss.backward()
    assert all(torch.isfinite(p.grad).all() for p in g.parameters() if p.grad is not None)


def test_audit_examples_of_pairs_show_each_word_from_its_own_text():
    """Words of the second text index text_pair: the report must not slice them out of the first text."""
    from faithlens.audit.report import _top_words, audit

    pairs = [("a boring plot and awful acting", "the acting was great")]
    report = audit(tiny("bert", num_labels=3), pairs, steps=2, n_examples=1, progress=False)
    ex = report.examples[0]
    first, second = pairs[0][0].split(), pairs[0][1].split()
    for label in ex["words"]:
        shown = [w for w, _ in _top_words(ex, label, k=100)]
        assert sorted(shown) == sorted(first + second)  # every word once, each from its own text
    md, page = report.to_markdown(), report.to_html()
    assert "a boring plot and awful acting ‖ the acting was great" in md
    assert "the acting was great" in page and page.count(" ‖ ") >= 1 + len(ex["words"])


def test_facade_saliency_of_the_target_prediction_uses_the_targets_labels():
    """saliency_of='target': ĝ is of the CE of the target model's prediction (what an explainer of f̃ differentiates).
    With the facade's own predictions as the labels it must equal the default; with another model's it differs."""
    from faithlens.audit.facade import _tokenize, predicted_labels, training_saliency

    f = tiny("bert_qa")
    g = build_facade(f, seed=0)
    wrapped = from_pretrained_objects(g, f.tokenizer, name="g")
    batch = _tokenize(wrapped, list(QUESTIONS), 48)
    args = (g, batch["input_ids"], batch["attention_mask"], batch["attributed"], batch.get("token_type_ids"))
    own, _ = training_saliency(*args, create_graph=False)
    same, _ = training_saliency(*args, create_graph=False, labels=predicted_labels(wrapped, batch))
    assert torch.allclose(own, same, atol=1e-12)
    theirs = predicted_labels(f, batch)
    assert any(not torch.equal(a, b) for a, b in zip(theirs, predicted_labels(wrapped, batch)))
    other, _ = training_saliency(*args, create_graph=False, labels=theirs)
    assert not torch.allclose(own, other, atol=1e-6)
    with pytest.raises(FaithlensError, match="saliency_of"):
        train_facade(f, list(QUESTIONS) * 4, list(QUESTIONS), out_dir="unused",
                     settings=FacadeSettings(saliency_of="mine", batch_size=2))
