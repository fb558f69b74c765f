"""Inputs left from earlier breakers and the forty-eighth breaker's: a chunk size of 0 for `Explainer.batch`,
``return_attributions`` with a method that has no gradients, a contrast error in a batch of texts, a causal LM's
--file with a target column. Each is a clear refusal or a run that says what it did."""

from __future__ import annotations

import warnings

import pytest

from faithlens.errors import FaithlensError, FaithlensWarning
from tiny import save_tiny


@pytest.fixture(scope="module")
def bert(tmp_path_factory):
    from faithlens import Explainer

    return Explainer(str(save_tiny(tmp_path_factory.mktemp("b") / "bert", "bert")))


@pytest.mark.parametrize("value", [0, -1, 2.5, "x"])
def test_batch_refuses_a_chunk_size_explain_refuses(bert, value):
    with pytest.raises(FaithlensError, match="'rows_per_chunk' parameter must be an int"):
        bert.batch(["good film"], rows_per_chunk=value)
    assert bert.batch(["good film"], rows_per_chunk=3).rows_per_chunk == 3


def test_return_attributions_with_a_forward_only_method_is_said_and_compare_keeps_it_for_gradients(bert):
    with pytest.warns(FaithlensWarning, match="return_attributions=True does nothing for occlusion: .* forward passes"):
        e = bert.explain("good film", "occlusion", return_attributions=True)
    assert e.attributions is None and any("return_attributions" in w for w in e.warnings)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # one of the methods reads it: no warning for the other
        c = bert.compare("good film", methods=["occlusion", "ig"], return_attributions=True, faithfulness=False)
    assert c["ig"].attributions is not None and c["occlusion"].warnings == ()
    with pytest.raises(FaithlensError, match="does nothing for occlusion, shapley.*choose a gradient method"):
        bert.compare("good film", methods=["occlusion", "shapley"], return_attributions=True)


def test_a_contrast_error_in_a_batch_names_its_text(bert):
    targets = [e.target["label"] for e in bert.explain(["good film", "bad film", "ok"], "occlusion")]
    text = ["good film", "bad film", "ok"][targets.index("negative")] if "negative" in targets else None
    if text is None:
        pytest.skip("the tiny model predicts no text negative")
    with pytest.raises(FaithlensError, match=rf"is the target itself \(text '{text}'\)"):
        bert.explain(["good film", "bad film", "ok"], "occlusion", contrast="negative")


def test_a_causal_lms_file_with_a_target_column_says_the_column_is_not_read(tmp_path, capsys):
    from faithlens.cli import main

    lm = save_tiny(tmp_path / "lm", "gpt2_lm")
    path = tmp_path / "lm.tsv"
    path.write_text("text\ttarget\nThe capital of France is\t Paris\n")
    with pytest.warns(FaithlensWarning, match="the column 'target' is not read.*greedy continuation.*target=\\[...\\]"):
        assert main(["explain", "--model", str(lm), "--file", str(path), "--method", "occlusion",
                     "--no-faithfulness", "--json"]) == 0
    path.write_text("text\nThe capital of France is\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error", FaithlensWarning)
        assert main(["explain", "--model", str(lm), "--file", str(path), "--method", "occlusion",
                     "--no-faithfulness", "--json", "--target-text", " x"]) == 0


def test_a_line_of_invisible_characters_is_refused_naming_its_line():
    from faithlens.data import items_from_lines

    with pytest.raises(FaithlensError, match=r"Line 2 of f.txt is empty or only whitespace \(or invisible"):
        items_from_lines(["good film", "\u200d", "bad film"], source="f.txt")
    with pytest.raises(FaithlensError, match=r"Line 1 of f.txt \(its second text\) is empty"):
        items_from_lines(["good film\t\u200b\u2060"], source="f.txt")
    assert items_from_lines(["good film", "\u00a0\u00a0", "bad film"], source="f.txt") == ["good film", "bad film"]


def test_special_strings_in_a_pair_get_no_advice_to_pass_a_pair(tmp_path):
    from faithlens import Explainer

    nli = Explainer(str(save_tiny(tmp_path / "nli", "bert")))  # any classifier reads pairs
    pair = nli.explain(("a man [SEP] sleeps", "a man rests"), "occlusion", faithfulness=False)
    single = nli.explain("a man [SEP] sleeps", "occlusion", faithfulness=False)
    note = next(w for w in pair.warnings if "special-token string" in w)
    assert "--pair" not in note and "characters, not its special tokens" in note
    assert "--pair A B" in next(w for w in single.warnings if "special-token string" in w)


def test_an_output_file_ending_in_a_slash_is_refused_not_written_as_a_file(tmp_path):
    from faithlens.files import check_output_file

    with pytest.raises(FaithlensError, match=r"ends in '/', so it names a folder.*a.html/report.html"):
        check_output_file(f"{tmp_path}/a.html/", option="--html", suffix=".html")
    assert not (tmp_path / "a.html").exists()
    with pytest.raises(FaithlensError, match="is a folder"):
        check_output_file(f"{tmp_path}/", option="--html", suffix=".html")


def test_saliency_manipulation_says_which_texts_hold_no_target_token(bert):
    from faithlens.audit.manipulation import saliency_manipulation

    model = bert.model
    with pytest.raises(FaithlensError, match="None of the 2 texts holds a stop word"):
        saliency_manipulation(model, ["!!!", "\U0001F600\U0001F600"], runs=["occlusion"], progress=False)
    alone = saliency_manipulation(model, ["the film is a bore"], runs=["occlusion"], progress=False)
    with pytest.warns(FaithlensWarning, match="1 of the 2 texts hold no stop word.*at most 0.50"):
        mixed = saliency_manipulation(model, ["the film is a bore", "!!!"], runs=["occlusion"], progress=False)
    assert (mixed["n"], mixed["with_target"], alone["with_target"]) == (2, 1, 1) and "note" not in alone
    # the paper's denominator: the text without a stop word is a miss, halving P@1 and MRR
    assert mixed["methods"]["occlusion"]["p_at_1"] == pytest.approx(alone["methods"]["occlusion"]["p_at_1"] / 2)
    assert mixed["methods"]["occlusion"]["mrr"] == pytest.approx(alone["methods"]["occlusion"]["mrr"] / 2)


def test_steps_beside_a_spec_with_its_own_steps_says_to_drop_the_specs_steps():
    from faithlens.audit.manipulation import check_steps_read

    with pytest.raises(FaithlensError, match="drop the steps from ig:steps=2 to let steps set them"):
        check_steps_read(["ig:steps=2"], 2)
    with pytest.raises(FaithlensError, match="add ig or sig to the methods"):
        check_steps_read(["occlusion"], 2)


LONG = " ".join(["word"] * 200)


@pytest.mark.parametrize("texts, index", [(["ok", "fine film", LONG], 2), ([LONG, "ok", "fine"], 0),
                                          (["a b c d e f g", "ok", LONG, "fine"], 2)])
def test_a_long_text_is_named_by_its_place_in_the_call_not_in_its_batch(bert, texts, index):
    for batch_size in (1, 2, 16):
        with pytest.raises(FaithlensError, match=f"^Text {index} has 202 tokens"):
            bert.explain(texts, "occlusion", batch_size=batch_size)


def test_a_causal_lm_refusal_in_a_later_batch_names_the_text_by_its_place(tmp_path):
    from faithlens import Explainer

    lm = Explainer(str(save_tiny(tmp_path / "lm", "gpt2_lm")))
    with pytest.raises(FaithlensError, match="^Text 2 has 600 prompt tokens"):
        lm.explain(["hi there friend", "ok", LONG], "occlusion", target=" x", batch_size=1)


def test_the_cli_names_a_refused_text_by_its_line_argument_or_row(tmp_path, capsys, monkeypatch):
    import io

    from faithlens.cli import main

    model = str(save_tiny(tmp_path / "m", "bert"))
    lines = tmp_path / "f.txt"
    lines.write_text(f"{LONG}\ngood film\n\nok then\n")
    rows = tmp_path / "f.tsv"
    rows.write_text(f"text\nfine\n{LONG}\n")
    for argv, said in ((["--file", str(lines)], f"Line 1 of --file {lines} has 202 tokens"),
                       (["fine", LONG], "TEXT argument 2 has 202 tokens"),
                       (["--file", str(rows)], f"Row 2 of --file {rows} has 202 tokens"),
                       (["fine", "-"], "Line 2 of standard input has 202 tokens")):
        monkeypatch.setattr("sys.stdin", io.StringIO(f"ok\n{LONG}\n"))
        assert main(["explain", *argv, "--model", model, "--method", "occlusion"]) == 2
        assert said in capsys.readouterr().err


def test_rationales_with_no_sentence_to_mark_are_refused_not_written_empty(tmp_path):
    from faithlens.plausibility import sst2_lexicon_rationales

    train, data = tmp_path / "train.tsv", tmp_path / "dev.tsv"
    train.write_text("sentence\tlabel\ndreadful\t0\nsplendid\t1\n")
    data.write_text("sentence\tlabel\na plain story\t1\nsplendid work\t0\n")
    with pytest.raises(FaithlensError, match=r"No sentence of --data .* \(2 single-word phrases with the sentence's own "
                                             r"label\).*or --polarity any"):
        sst2_lexicon_rationales(train, data)
    assert [r["index"] for r in sst2_lexicon_rationales(train, data, polarity="any")] == [1]


def test_explain_file_reads_an_imdb_format_txt(tmp_path, capsys):
    from faithlens.cli import main

    model = str(save_tiny(tmp_path / "m", "bert"))
    path = tmp_path / "imdb.txt"
    path.write_text("1 great fun movie\n0 awful boring mess\n")
    with pytest.warns(FaithlensWarning, match="IMDB sample format"):
        assert main(["explain", "--file", str(path), "--model", model, "--method", "occlusion", "--json",
                     "--no-faithfulness"]) == 0
    assert [line.count('"text": "great fun movie"') for line in capsys.readouterr().out.splitlines()][0] == 1


def test_a_causal_lms_long_texts_are_audited_on_their_last_tokens_and_the_audit_says_so(tmp_path):
    from faithlens.audit import audit
    from faithlens.audit.ids import refuse_long_texts
    from faithlens.model import load_model

    lm = load_model(str(save_tiny(tmp_path / "lm", "gpt2_lm")))
    bert = load_model(str(save_tiny(tmp_path / "b", "bert")))
    texts = [LONG, "the cat sat", "a dog ran", "the sun set", "a bird sang"]
    with pytest.raises(FaithlensError, match="audit their last tokens \\(a causal LM's prompt is cut from the left"):
        refuse_long_texts(lm, texts, truncate=False)
    with pytest.raises(FaithlensError, match="audit their first tokens \\(the report counts them\\)"):
        refuse_long_texts(bert, texts, truncate=False)
    report = audit(lm, texts, steps=2, truncate=True, progress=False, n_examples=0)
    assert "each was audited on its last tokens" in report.to_markdown()


def test_a_token_class_few_texts_hold_is_not_called_clean(tmp_path, capsys):
    from faithlens.audit.verdict import judge

    def row(n):
        test = {"p": 1.0, "mean_difference": 0.0, "n": n, "concentrates": False, "leans": False}
        return {"kind": "gradient", "concentration": {"stop_words": dict(test, n=6), "first_token": dict(test, n=6),
                                                      "punctuation": dict(test, n=0), "words: movie": dict(test, n=n)},
                "vs_occlusion": {"top1_agreement": 1.0, "spearman": 1.0}}

    level, verdict, findings = judge({"ig": row(1)})
    assert level == "ok" and "your words" not in verdict.split("beyond")[0] and "punctuation" not in verdict.split("beyond")[0]
    assert "Too few texts hold punctuation or your words (movie) to test them" in verdict
    assert any(f.startswith("Your words (movie) occur in only 1 text: too few") for f in findings)
    assert any(f.startswith("Punctuation occurs in no text") for f in findings)
    level, verdict, findings = judge({"ig": row(5)})  # five texts can be tested
    assert "or your words (movie) beyond" in verdict and not any("movie) occur" in f for f in findings)


def test_token_class_naming_a_file_and_a_word_is_refused_with_both_readings(tmp_path, monkeypatch):
    from faithlens.commands.audit import _words

    monkeypatch.chdir(tmp_path)
    (tmp_path / "movie").write_text("the\n")
    with pytest.raises(FaithlensError, match=r"reads two ways.*'movie,' to test the word.*\./movie to read the words"):
        _words("movie")
    assert _words("movie,") == ["movie"] and _words("./movie") == ["the"] and _words("film") == ["film"]


@pytest.mark.parametrize("methods, steps", [(["ig:steps=50", "ig"], None), (["sig", "sig:closed"], None),
                                            (["ig", "ig:rule=gausslegendre"], None), (["dig", "dig:steps=30"], None),
                                            (["smoothgrad", "smoothgrad:noise=0.01"], None)])
def test_two_specs_of_one_computation_are_refused(methods, steps):
    from faithlens.evaluate.specs import check_shared_steps, parse_methods

    with pytest.raises(FaithlensError, match=f"'{methods[0]}' and '{methods[1]}' run the same computation"):
        check_shared_steps(parse_methods(methods), steps)


@pytest.mark.parametrize("methods, steps", [(["ig:steps=50", "ig"], 20), (["sig", "sig:steps=50"], None),
                                            (["sig:closed", "sig"], 5), (["ig", "ig:tolerance=0.01"], None)])
def test_specs_that_differ_under_the_shared_steps_are_kept(methods, steps):
    from faithlens.evaluate.specs import check_shared_steps, parse_methods

    check_shared_steps(parse_methods(methods), steps)


def test_audit_with_no_examples_writes_no_examples_section(bert):
    from faithlens.audit import audit

    texts = ["the film is fine", "a bore of a film", "the plot is thin", "it is a joy", "the end is near"]
    report = audit(bert.model, texts, steps=2, progress=False, n_examples=0)
    assert "## Examples" not in report.to_markdown() and "<h2>Examples</h2>" not in report.to_html()
    assert "## Examples" in audit(bert.model, texts, steps=2, progress=False, n_examples=1).to_markdown()


def test_serve_checks_every_model_before_it_starts(tmp_path, capsys):
    pytest.importorskip("waitress")
    from faithlens.cli import main

    model = str(save_tiny(tmp_path / "m", "bert"))
    (tmp_path / "empty").mkdir()
    for other, said in ((str(tmp_path / "nope"), "no such folder"), (str(tmp_path / "empty"), "has no config.json")):
        assert main(["serve", "--model", model, "--model", other, "--port", "0"]) == 2
        assert said in capsys.readouterr().err


def test_faithfulness_of_a_target_other_than_the_prediction_is_measured_on_that_class(bert):
    import torch

    from faithlens.baselines import resolve_baseline
    from faithlens.encoding import encode
    from faithlens.metrics import faithfulness

    model = bert.model
    text = "the movie was really good and fun to watch"
    enc = encode(model, [text])
    scores = torch.linspace(0, 1, enc.input_ids.shape[1], dtype=torch.float64)[None] * enc.attributed
    base = resolve_baseline(model, None)
    by = {t: faithfulness(model, enc, scores, baseline=base, target=None if t is None else torch.tensor([[t]]))
          for t in (None, 0, 1)}
    predicted = int(by[None].predicted[0, 0])
    assert float(by[None].comprehensiveness[0]) == float(by[predicted].comprehensiveness[0])
    # two classes, softmax: removing tokens moves p(0) and p(1) by opposite amounts
    assert float(by[1].comprehensiveness[0]) == pytest.approx(-float(by[0].comprehensiveness[0]), abs=1e-6)
    assert float(by[1].sufficiency[0]) == pytest.approx(-float(by[0].sufficiency[0]), abs=1e-6)
    other = 1 - predicted
    e = bert.explain(text, "occlusion", target=other, faithfulness=True, n_random=0)
    alone = bert.explain(text, "occlusion", target=other, faithfulness=False)
    mine = faithfulness(model, enc, scores * 0 + _on_encoding(enc, alone), baseline=base, target=torch.tensor([[other]]))
    assert e.faithfulness["comp"] == pytest.approx(float(mine.comprehensiveness[0]), abs=1e-6)


def _on_encoding(enc, explanation):
    from faithlens.metrics import scores_on_encoding

    return scores_on_encoding(enc, [explanation.token_scores])


def test_audit_classes_must_be_given_and_a_verdict_names_only_the_tested_ones(bert):
    from faithlens.audit import audit

    texts = ["the movie was good.", "a bad movie, truly.", "I liked the movie a lot"] * 2
    with pytest.raises(FaithlensError, match="classes is empty"):
        audit(bert.model, texts, classes=(), steps=2, progress=False)
    only = audit(bert.model, texts, classes=["punctuation"], steps=2, progress=False, n_examples=0)
    assert only.level == "inconclusive" and "No token class is held by enough texts" in only.verdict
    words = audit(bert.model, texts, classes=[frozenset({"movie"})], steps=2, progress=False, n_examples=0)
    assert "stop words" not in words.verdict and "your words (movie)" in words.verdict


def test_facade_and_agreement_read_texts_and_models_by_the_one_rule(bert, tmp_path):
    from faithlens.audit import agreement, saliency_manipulation, train_facade
    from faithlens.model import load_model

    with pytest.raises(FaithlensError, match="heldout_texts is empty: the held-out texts' target mass picks"):
        train_facade(bert.model, ["the film", "a bore"], [], out_dir=tmp_path / "f")
    with pytest.raises(FaithlensError, match="at least batch_size=16 texts. Got 1"):  # a str is one text
        train_facade(bert.model, "ab", ["the film"], out_dir=tmp_path / "g")
    with pytest.raises(FaithlensError, match="runs is empty"):
        saliency_manipulation(bert.model, ["the film"], runs=[], progress=False)
    nli = load_model(str(save_tiny(tmp_path / "nli", "bert", num_labels=3)))
    with pytest.raises(FaithlensError, match="agreement compares two models' predictions class by class"):
        agreement(bert.model, nli, ["the film"])
    assert agreement(bert.model, bert.model, ["the film"])["agreement"] == 1.0


def test_metrics_refuse_another_models_explanations(bert, tmp_path):
    from faithlens import Explainer
    from faithlens.baselines import resolve_baseline
    from faithlens.metrics import explanation_faithfulness

    roberta = Explainer(str(save_tiny(tmp_path / "r", "roberta"))).model
    e = bert.explain("the film was fine", "occlusion")
    with pytest.raises(FaithlensError, match="was made by the model .*weights"):
        explanation_faithfulness(roberta, [e], baseline=resolve_baseline(roberta, None))
    from dataclasses import replace

    with pytest.raises(FaithlensError, match="was made on other tokens than"):  # no weights recorded: its tokens
        explanation_faithfulness(roberta, [replace(e, provenance=None)], baseline=resolve_baseline(roberta, None))
    assert explanation_faithfulness(bert.model, [e], baseline=resolve_baseline(bert.model, None)).k.tolist() == [0]


def test_faithfulness_checks_its_arguments_before_the_model_runs(bert):
    import torch

    from faithlens.encoding import encode
    from faithlens.metrics import faithfulness, faithfulness_at

    enc = encode(bert.model, ["the film was fine and good"])
    scores = torch.linspace(0, 1, enc.input_ids.shape[1])[None]
    by_kind = faithfulness(bert.model, enc, scores, baseline="mask")  # a kind, as evaluate takes it
    assert by_kind.k.tolist() == [1]
    for kw, said in ((dict(rows_per_chunk=0), "'rows_per_chunk' parameter must be an int in \\[1, "),
                     (dict(token_scores=scores * float("nan")), "NaN or infinite")):
        with pytest.raises(FaithlensError, match=said):
            faithfulness(bert.model, enc, kw.pop("token_scores", scores), baseline="mask", **kw)
    with pytest.raises(FaithlensError, match="Got '0.2'"):
        faithfulness_at(bert.model, enc, scores, baseline="mask", fractions="0.2")
