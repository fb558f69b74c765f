"""One explained scalar per task (SPEC §9): text pairs, extractive QA, multi-label, on tiny models built in code."""

import pytest
import torch

from faithlens import Explainer, Explanation
from faithlens.baselines import resolve_baseline
from faithlens.methods import METHODS
from faithlens.metrics import explanation_faithfulness
from tiny import tiny

PAIR = ("the film was very good and fun", "it was dull")
QA = ("who was good", "the film was good and the acting was great, but the plot was dull")


def T(values):
    return torch.tensor(values, dtype=torch.float64)


def own_outputs(model, *texts):
    """The Hugging Face model's own forward on the tokenizer's own encoding (no faithlens code)."""
    ref = model.tokenizer(*texts, return_tensors="pt")
    with torch.no_grad():
        return ref, model.model(**ref)


def manual_occlusion(model, item, F):
    """a_i = F(w) − F(w with token i's embedding at [MASK]'s), each row through the model's own forward."""
    ref = model.tokenizer(*item, return_tensors="pt", return_special_tokens_mask=True)
    special = ref.pop("special_tokens_mask")[0].bool()
    with torch.no_grad():
        W = model.model.get_input_embeddings()(ref["input_ids"])
        mask_row = model.model.get_input_embeddings().weight[model.tokenizer.mask_token_id]
        full = F(model.model(inputs_embeds=W, attention_mask=ref["attention_mask"], token_type_ids=ref.get("token_type_ids")))
        scores = []
        for i in range(W.shape[1]):
            if special[i]:
                scores.append(0.0)
                continue
            Wi = W.clone()
            Wi[0, i] = mask_row
            out = model.model(inputs_embeds=Wi, attention_mask=ref["attention_mask"], token_type_ids=ref.get("token_type_ids"))
            scores.append(float(full - F(out)))
    return T(scores)


# --- text pairs ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def nli():
    return Explainer(tiny("bert", dtype=torch.float64, num_labels=3))


def test_pair_is_encoded_and_predicted_as_the_model_does(nli):
    e = nli.explain(PAIR, "grad_x_input")
    ref, out = own_outputs(nli.model, *PAIR)
    assert nli.model.tokenizer.convert_tokens_to_ids(list(e.tokens)) == ref["input_ids"][0].tolist()
    assert e.prediction["probs"] == pytest.approx(torch.softmax(out.logits, -1)[0].tolist(), abs=1e-6)
    # segment ids matter: the same tokens as one segment predict differently
    flat = nli.model.model(input_ids=ref["input_ids"], attention_mask=ref["attention_mask"]).logits
    assert not torch.allclose(flat, out.logits, atol=1e-6)
    assert e.text == PAIR[0] and e.text_pair == PAIR[1]


@pytest.mark.parametrize("method", sorted(METHODS))
def test_pair_separators_get_exactly_zero_and_words_map_to_their_segment(nli, method):
    e = nli.explain(PAIR, method, steps=4)
    assert sum(e.special) == 3  # [CLS] a [SEP] b [SEP]
    assert all(s == 0.0 for s, sp in zip(e.token_scores, e.special) if sp)
    assert {w.segment for w in e.words} == {0, 1}
    for w in e.words:
        text = e.text if w.segment == 0 else e.text_pair
        assert text[w.start:w.end] == w.word
    assert [w.word for w in e.words if w.segment == 1] == ["it", "was", "dull"]


def test_pair_word_unit_never_joins_words_across_segments():
    ex = Explainer(tiny("bert", dtype=torch.float64, num_labels=3))
    e = ex.explain(("good", "dull"), "sig", unit="word", steps=4)
    assert len(e.units) == 2  # one word per segment, both with word id 0


def test_pair_closed_form_equals_occlusion_by_the_models_own_forward(nli):
    e = nli.explain(PAIR, "sig", mode="closed")
    target = e.target["index"]
    manual = manual_occlusion(nli.model, PAIR, lambda out: out.logits[0, target])
    assert torch.allclose(T(e.token_scores), manual, atol=1e-10)


def test_literal_special_token_strings_are_plain_text_with_a_warning(nli):
    e = nli.explain("the film [SEP] it was dull [MASK]", "grad_x_input")
    assert e.tokens.count("[SEP]") == 1 and "[MASK]" not in e.tokens  # only the real final separator
    assert sum(e.special) == 2
    assert any("special-token string" in w and "'[SEP]'" in w for w in e.warnings)
    assert not nli.explain("the film was dull", "grad_x_input").warnings


def test_pairs_in_a_batch_equal_pairs_alone(nli):
    items = [PAIR, ("good", "the plot was boring and dull"), ("a", "b")]
    alone = [nli.explain(p, "ig", steps=6) for p in items]
    together = nli.explain(items, "ig", steps=6)
    for a, b in zip(alone, together):
        assert a.token_scores == pytest.approx(b.token_scores, abs=1e-10)


def test_pair_json_round_trip(nli):
    e = nli.explain(PAIR, "sig", steps=4)
    back = Explanation.from_json(e.to_json())
    assert back == e and back.words[-1].segment == 1


# --- extractive QA --------------------------------------------------------------------------------

@pytest.fixture(scope="module", params=["bert_qa", "roberta_qa"])
def qa(request):
    return Explainer(tiny(request.param, dtype=torch.float64))


def brute_force_span(model, start, end):
    """The best (i, j) over context tokens, j ≥ i, j − i < 30, by enumeration."""
    ref = model.tokenizer(*QA, return_special_tokens_mask=True)
    seq = ref.sequence_ids(0)
    ctx = [i for i, (s, sp) in enumerate(zip(seq, ref["special_tokens_mask"])) if s == 1 and not sp]
    return max(((i, j) for i in ctx for j in ctx if 0 <= j - i < 30), key=lambda ij: float(start[ij[0]] + end[ij[1]]))


def test_qa_F_is_start_plus_end_logit_of_the_predicted_span(qa):
    e = qa.explain(QA, "sig", mode="closed")
    _, out = own_outputs(qa.model, *QA)
    start, end = out.start_logits[0], out.end_logits[0]
    s, t = e.target["token_span"]
    assert (s, t) == brute_force_span(qa.model, start, end)
    assert e.target["logit"] == pytest.approx(float(start[s] + end[t]), abs=1e-10)
    mask = torch.ones_like(start, dtype=torch.bool)
    lp = torch.log_softmax(start, 0)[s] + torch.log_softmax(end, 0)[t]
    assert e.target["prob"] == pytest.approx(float(lp.exp()), abs=1e-10) and mask.all()
    assert e.prediction["label"] == QA[1][e.prediction["start"]:e.prediction["end"]]
    assert e.text == QA[0] and e.text_pair == QA[1] and e.task == "qa"


def test_qa_closed_form_equals_occlusion_by_the_models_own_forward(qa):
    e = qa.explain(QA, "sig", mode="closed", unit="token")
    s, t = e.target["token_span"]
    manual = manual_occlusion(qa.model, QA, lambda out: out.start_logits[0, s] + out.end_logits[0, t])
    assert torch.allclose(T(e.token_scores), manual, atol=1e-10)
    assert {w.segment for w in e.words} == {0, 1}  # question and context both attributed


def test_qa_answer_text_picks_the_target_span(qa):
    e = qa.explain(QA, "occlusion", target="the plot")
    assert e.target["label"] == "the plot"
    s, t = e.target["token_span"]
    assert e.target["start"] == QA[1].index("the plot")
    span = qa.explain(QA, "occlusion", target=(QA[1].index("acting"), QA[1].index("acting") + 6))
    assert span.target["label"] == "acting"
    from faithlens.errors import FaithlensError

    with pytest.raises(FaithlensError, match="does not occur in the context"):
        qa.explain(QA, "occlusion", target="popcorn")
    for empty in ("", "  "):  # not "does not occur": an empty answer names nothing to explain
        with pytest.raises(FaithlensError, match=r"The answer is empty \('\s*'\).*leave it out to explain the predicted"):
            qa.explain(QA, "occlusion", target=empty)


def test_qa_answer_off_token_boundaries_is_widened_with_a_note_and_a_repeated_answer_is_refused(qa):
    """Issue 22 F11: the widened answer is named, a text occurring twice is refused with each occurrence's span."""
    from faithlens.errors import FaithlensError

    at = QA[1].index("acting")
    inside = qa.explain(QA, "occlusion", target=(at + 1, at + 4))
    whole = qa.explain(QA, "occlusion", target="acting")
    assert inside.target["label"] == "acting" and inside.token_scores == whole.token_scores
    assert [w for w in inside.warnings if "does not start and end on token boundaries" in w] == [
        f"The answer 'cti' (characters {at + 1}–{at + 4}) does not start and end on token boundaries; the model scores "
        f"whole tokens, so the explained answer is 'acting' (characters {at}–{at + 6}). Pass that text or span to "
        "explain it without this note."]
    assert not any("token boundaries" in w for w in whole.warnings)
    starts = [i for i in range(len(QA[1])) if QA[1].startswith("was", i)]
    assert len(starts) == 3
    with pytest.raises(FaithlensError, match=rf"'was' occurs 3 times in the context, at characters \({starts[0]}, "
                                             rf"{starts[0] + 3}\), \({starts[1]}, {starts[1] + 3}\).*target=\(start, end\)"):
        qa.explain(QA, "occlusion", target="was")
    with pytest.raises(FaithlensError, match=rf"A QA answer's character span is a tuple: target=\({at}, {at + 6}\)"):
        qa.explain(QA, "occlusion", target=[at, at + 6])


def test_qa_log_prob_IG_is_complete(qa):
    e = qa.explain(QA, "ig", steps=64, score="log_prob")
    assert abs(e.total_delta) < 1e-4 * max(1.0, abs(sum(e.token_scores)))


def test_qa_metrics_never_remove_the_answer(qa):
    e = qa.explain(QA, "grad_x_input")
    m = explanation_faithfulness(qa.model, [e], baseline=resolve_baseline(qa.model, "mask"))
    assert m.predicted[0].tolist() == list(e.prediction["token_span"])
    assert m.p_original[0] == pytest.approx(e.prediction["prob"], abs=1e-10)
    s, t = e.prediction["token_span"]
    eligible = sum(not sp for sp in e.special) - (t - s + 1)
    assert int(m.k[0]) == eligible * 20 // 100


def test_qa_long_context_uses_overflow_windows():
    model = tiny("bert_qa", dtype=torch.float64)  # 64 positions
    context = " ".join(["the film was good and the acting was great"] * 12)
    e = Explainer(model).explain(("who was good", context), "occlusion")
    assert not e.truncated and any("windows" in w for w in e.warnings)  # nothing is cut: the window says what is left out
    assert e.prediction["label"] == context[e.prediction["start"]:e.prediction["end"]]


def test_qa_needs_pairs():
    from faithlens.errors import FaithlensError

    with pytest.raises(FaithlensError, match="question, context"):
        Explainer(tiny("bert_qa")).explain("who was good", "occlusion")


def test_qa_single_texts_are_refused_in_each_surfaces_words(tmp_path, capsys):
    """I5: audit and evaluate have no --pair; each surface names what it takes (--data with questions and contexts,
    tuples or load_dataset in Python), and a table with question and context columns is explained."""
    from faithlens.audit.report import audit
    from faithlens.cli import main
    from faithlens.data import load_dataset
    from faithlens.errors import FaithlensError
    from faithlens.evaluate import evaluate

    model = tiny("bert_qa")
    folder = tmp_path / "qa"
    model.model.save_pretrained(folder)
    model.tokenizer.save_pretrained(folder)
    single = tmp_path / "single.tsv"
    single.write_text("text\tlabel\nwho was good\t1\nwhat was dull\t0\n")
    for command in (["audit", "--limit", "2", "--steps", "2"], ["evaluate", "--methods", "occlusion", "--quiet"]):
        assert main([command[0], "--model", str(folder), "--data", str(single), *command[1:]]) == 2
        err = capsys.readouterr().err
        assert "got 2 single text(s)" in err and "Pass --data with questions and their contexts: a SQuAD-format " \
            ".json file, or a table (.tsv, .csv, .jsonl) with 'question' and 'context' columns." in err, err
        assert "--pair" not in err and "explain(" not in err
    with pytest.raises(FaithlensError, match=r"audit\(model, \[\('Who wrote it\?'"):
        audit(model, ["who was good"], progress=False)
    with pytest.raises(FaithlensError, match=r"load_dataset\('squad.json'\)"):
        evaluate(model, load_dataset(str(single)), methods=["occlusion"], progress=False)
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("question\tcontext\n" + "who was good\tthe film was good and the acting was great\n")
    assert main(["evaluate", "--model", str(folder), "--data", str(pairs), "--methods", "occlusion", "--quiet"]) == 0


# --- multi-label ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def multi():
    return Explainer(tiny("bert", dtype=torch.float64, num_labels=3, problem_type="multi_label_classification"))


def test_multi_label_probabilities_are_sigmoids(multi):
    text = "the film was very good and fun"
    e = multi.explain(text, "grad_x_input", score="prob")
    _, out = own_outputs(multi.model, text)
    sig = torch.sigmoid(out.logits[0])
    assert e.prediction["probs"] == pytest.approx(sig.tolist(), abs=1e-10)
    assert e.prediction["predicted"] == [label for label, p in zip(e.prediction["labels"], sig.tolist()) if p > 0.5]
    assert e.target["index"] == int(out.logits[0].argmax())
    assert multi.predict(text)[0].tolist() == pytest.approx(sig.tolist(), abs=1e-10)


def test_multi_label_prob_score_is_the_sigmoid(multi):
    text = "the film was very good and fun"
    e = multi.explain(text, "ig", steps=64, score="prob", target=1)
    _, out = own_outputs(multi.model, text)
    # completeness: Σ a = σ(z_1(w)) − σ(z_1(w̄)), so F(w) must be the sigmoid, not a softmax
    assert sum(e.token_scores) - e.total_delta == pytest.approx(
        float(torch.sigmoid(out.logits[0, 1])) - _F_baseline(multi, text, lambda z: torch.sigmoid(z[0, 1])), abs=1e-10)


def _F_baseline(ex, text, F):
    ref = ex.model.tokenizer(text, return_tensors="pt", return_special_tokens_mask=True)
    special = ref.pop("special_tokens_mask")[0].bool()
    ids = ref["input_ids"].clone()
    ids[0, ~special] = ex.model.tokenizer.mask_token_id
    with torch.no_grad():
        return float(F(ex.model.model(input_ids=ids, attention_mask=ref["attention_mask"]).logits))


def test_multi_label_closed_form_equals_occlusion(multi):
    text = "a boring plot, but the acting was very good"
    e = multi.explain(text, "sig", mode="closed", score="log_prob", target=2)
    manual = manual_occlusion(multi.model, (text,), lambda out: torch.nn.functional.logsigmoid(out.logits[0, 2]))
    assert torch.allclose(T(e.token_scores), manual, atol=1e-10)


def test_multi_label_metrics_use_the_sigmoid(multi):
    text = "a boring plot, but the acting was very good"
    e = multi.explain(text, "grad_x_input")
    m = explanation_faithfulness(multi.model, [e], baseline=resolve_baseline(multi.model, "mask"))
    assert float(m.p_original[0]) == pytest.approx(max(e.prediction["probs"]), abs=1e-10)


# --- the task is read from the model ------------------------------------------------------------------

def test_task_detection():
    assert tiny("bert").task.name == "classification"
    assert tiny("bert", problem_type="multi_label_classification").task.name == "multi_label"
    assert tiny("bert_qa").task.name == "qa"
    from faithlens.errors import FaithlensError

    with pytest.raises(FaithlensError, match="not defined for this extractive question answering model"):
        Explainer(tiny("bert_qa")).explain(QA, "occlusion", score="max_logit")


def test_a_qa_span_of_numpy_or_torch_integers_reads_as_ints():
    """target=(np.int64(31), np.int64(50)) was refused as "not a span" while a classifier takes np.int64 targets."""
    import numpy as np

    from faithlens.errors import FaithlensError
    from faithlens.task_inputs import answer_chars

    context = "The acting is superb and the plot is thin."
    assert answer_chars(context, (np.int64(4), np.int64(10))) == (4, 10) == answer_chars(context, (4, 10))
    assert answer_chars(context, [torch.tensor(4), torch.tensor(10)]) == (4, 10)
    with pytest.raises(FaithlensError, match="A QA target is an answer text or a"):
        answer_chars(context, (np.float64(4.0), 10))
