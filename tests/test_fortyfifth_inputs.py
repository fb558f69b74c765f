"""Inputs the forty-fifth breaker found (every task, after the quick start): column options on a SQuAD file,
columns evaluate does not read, a causal LM's special-token note, SIG's closed form under a zero baseline on an
RMSNorm model. Each is a clear refusal or a run that says what it did."""

from __future__ import annotations

import json

import pytest

from faithlens.errors import FaithlensError, FaithlensWarning
from tiny import save_tiny

SQUAD = {"data": [{"title": "t", "paragraphs": [{"context": "Paris is in France.", "qas": [
    {"id": "1", "question": "Where is Paris?", "answers": [{"text": "France", "answer_start": 12}]}]}]}]}


def test_column_options_on_a_squad_file_are_refused_not_ignored(tmp_path, capsys):
    from faithlens.cli import main
    from faithlens.data import load_dataset

    path = tmp_path / "sq.json"
    path.write_text(json.dumps(SQUAD))
    assert load_dataset(str(path)).texts == (("Where is Paris?", "Paris is in France."),)
    for kw in ({"text_column": "nonexistent"}, {"label_column": "foo"}):
        with pytest.raises(FaithlensError, match="SQuAD-format file, whose fields are fixed.*Drop the column"):
            load_dataset(str(path), **kw)
    qa = save_tiny(tmp_path / "qa", "bert_qa")
    assert main(["evaluate", "--model", str(qa), "--data", str(path), "--text-column", "nope", "--methods",
                 "occlusion"]) == 2
    assert "--text-column" in capsys.readouterr().err


def test_evaluate_names_the_columns_it_does_not_read_and_takes_a_pair_column(tmp_path, capsys):
    from faithlens.data import load_dataset
    from faithlens.cli import main

    path = tmp_path / "p.jsonl"
    path.write_text('{"premise": "a man sleeps", "hypothesis": "a man rests", "text": "x", "label": 1}\n'
                    '{"premise": "a dog runs", "hypothesis": "a cat sits", "text": "y", "label": 0}\n')
    with pytest.warns(FaithlensWarning, match="reads the pairs of the columns 'premise' and 'hypothesis'; the column "
                                              "'text' is not read"):
        assert load_dataset(str(path)).texts[0] == ("a man sleeps", "a man rests")
    with pytest.warns(FaithlensWarning, match="the single texts of the column 'hypothesis'; the columns 'premise', "
                                              "'text' are not read"):
        load_dataset(str(path), text_column="hypothesis")
    model = save_tiny(tmp_path / "m", "bert")
    with pytest.warns(FaithlensWarning, match="pairs of the columns 'text' and 'hypothesis'; the column 'premise' is "
                                              "not read"):
        assert main(["evaluate", "--model", str(model), "--data", str(path), "--text-column", "text", "--pair-column",
                     "hypothesis", "--methods", "occlusion", "--no-random", "--no-curves", "--quiet"]) == 0


def test_a_causal_lms_special_token_note_gives_no_pair_advice(tmp_path):
    from faithlens import Explainer

    lm = Explainer(str(save_tiny(tmp_path / "lm", "llama_lm")))
    e = lm.explain("<s></s> hi", "occlusion", target=" x", faithfulness=False)
    note = next(w for w in e.warnings if "special-token string" in w)
    assert "--pair" not in note and "plain text" in note
    clf = Explainer(str(save_tiny(tmp_path / "clf", "bert")))
    assert "--pair A B" in next(w for w in clf.explain("a [SEP] b", "occlusion", faithfulness=False).warnings
                                if "special-token string" in w)


def test_sigs_closed_form_takes_a_zero_baseline_on_an_rmsnorm_model_and_a_path_does_not(tmp_path):
    from faithlens import Explainer

    lm = Explainer(str(save_tiny(tmp_path / "lm", "llama_lm")))
    closed = lm.explain("hi there", "sig", baseline="zero", target=" x", faithfulness=False)
    occlusion = lm.explain("hi there", "occlusion", baseline="zero", target=" x", faithfulness=False)
    assert closed.word_scores == pytest.approx(occlusion.word_scores, abs=1e-5)  # both are F(w) − F(w with u at 0)
    with pytest.raises(FaithlensError, match=r"SIG's closed form: sig or sig:closed.*which accepts it"):
        lm.explain("hi there", "sig", mode="reverse", baseline="zero", target=" x", faithfulness=False)


def test_a_first_line_holding_the_named_column_is_its_header(tmp_path, capsys):
    """prompt<TAB>continuation is no header faithlens knows by its names, but --text-column prompt names one of its
    fields: it is read by columns (the other column named as not read). A file whose first line does not hold the
    name is refused without advice to rename a tab-separated file .csv."""
    from faithlens.text_files import read_text_file

    path = tmp_path / "lm.tsv"
    path.write_text("prompt\tcontinuation\nthe cat\t sat\na dog\t ran\n")
    with pytest.warns(FaithlensWarning, match="the column 'continuation' is not read"):
        assert read_text_file(path, source="--file lm.tsv", text_column="prompt").items == ["the cat", "a dog"]
    plain = tmp_path / "plain.tsv"
    plain.write_text("the cat\t sat\n")
    with pytest.raises(FaithlensError, match="make its first line a header naming the columns") as info:
        read_text_file(plain, source="--file plain.tsv", text_column="prompt")
    assert ".csv or .jsonl" not in str(info.value)


def test_a_left_truncated_prompt_shows_its_cut_words_as_not_read(tmp_path):
    from faithlens import Explainer

    lm = Explainer(str(save_tiny(tmp_path / "lm", "gpt2_lm")))
    limit = lm.model.max_length
    e = lm.explain("hello there", "occlusion", target=" word" * (limit // 3 - 1), truncate=True, faithfulness=False)
    assert e.truncated and [w.word for w in e.words] == ["there"]
    from faithlens.views.terminal import render_words

    assert render_words(e, colour=False).startswith("[not read: hello] there[")


def test_a_qa_target_that_is_not_in_the_context_is_not_offered_as_an_answer(tmp_path, capsys):
    from faithlens.cli import main

    qa = str(save_tiny(tmp_path / "qa", "bert_qa"))
    pair = ["Who?", "Hamlet was written by Shakespeare."]
    assert main(["explain", "--model", qa, "--pair", *pair, "--target", "3"]) == 2
    err = capsys.readouterr().err
    assert "3 does not occur in the context" in err and "--answer-span START END" in err
    assert main(["explain", "--model", qa, "--pair", *pair, "--target", "Shakespeare"]) == 2
    assert "Pass --answer Shakespeare instead of --target" in capsys.readouterr().err


def test_train_on_a_classifier_base_refuses_a_name_at_another_index_and_says_when_it_renames(tmp_path, capsys):
    from faithlens.gold_labels import check_base_reading

    base = ["negative", "positive", "neutral"]
    with pytest.raises(FaithlensError, match="name class 1 'neutral', which --base 'b' calls class 2"):
        check_base_reading(base, spellings={}, names=["entailment", "neutral", "contradiction"], source="--labels",
                           base="b")
    with pytest.warns(FaithlensWarning, match="under new names \\('negative' → 'entailment', 'positive' → "
                                              "'contradiction'\\)"):
        check_base_reading(base, spellings={}, names=["entailment", "contradiction", "neutral"], source="--labels",
                           base="b")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_base_reading(base, spellings={}, names=base, source="--labels", base="b")  # the base's own names: silent


def test_most_faithful_is_named_only_where_a_paired_test_names_it():
    from faithlens.evaluate.paired import significance
    from faithlens.evaluate.tables import best_line

    def rec(i, m, v):
        return {"index": i, "method": m, "k": 1, "log_odds": -v, "comprehensiveness": v, "sufficiency": 1 - v}
    alone = [rec(i, m, v) for i in range(6) for m, v in (("sig", 0.5 + i / 10), ("random", 0.1))]
    rows = [{"method": m} for m in ("sig", "random")]
    assert best_line(rows, significance(alone, ["sig", "random"])).startswith("One method besides the random row")
    close = [rec(i, m, 0.5 + i / 10 + (0.001 if m == "ig" else 0) * (-1) ** i) for i in range(3)
             for m in ("sig", "ig", "random")]
    line = best_line([{"method": m} for m in ("sig", "ig", "random")], significance(close, ["sig", "ig", "random"]))
    assert "→" not in line and ("tied between" in line or "none named" in line)


def test_audit_uses_the_models_own_baseline_so_a_llama_model_with_a_zero_pad_row_is_audited(tmp_path):
    from faithlens import load_model
    from faithlens.audit import audit

    lm = load_model(str(save_tiny(tmp_path / "lm", "llama_lm")))
    texts = ["the cat sat down", "a dog ran off", "birds fly high", "fish swim deep", "kids play outside"]
    report = audit(lm, texts, steps=2, progress=False)
    assert report.settings["baseline"] in ("pad", "eos", "unk") and len(report.methods) == 6


def test_forty_sixth_breaker_findings(tmp_path, capsys):
    """Swapped columns with word labels, a method spec's Python keywords, facade regularise on a QA model."""
    from faithlens import Explainer
    from faithlens.cli import main
    from faithlens.data import load_dataset

    path = tmp_path / "wl.tsv"
    path.write_text("sentence\tlabel\na charming and affecting journey .\tpositive\nbleak and desperate film .\t"
                    "negative\nfunny and warm all along\tpositive\n")
    with pytest.raises(FaithlensError, match="is one word, while its gold labels .* are phrases.*look swapped"):
        load_dataset(str(path), text_column="label", label_column="sentence")
    assert load_dataset(str(path)).labels == (1, 0, 1)
    ex = Explainer(str(save_tiny(tmp_path / "m", "bert")))
    for spec, said in (("sig:closed", "method='sig', mode='closed'"), ("ig:rule=leja", "method='ig', rule='leja'"),
                       ("ig:steps=5", "method='ig', steps=5"), ("ig:steps=10N", "steps per token are read by evaluate")):
        with pytest.raises(FaithlensError) as info:
            ex.explain("great fun", spec)
        assert said in str(info.value)
    assert ex.explain("great fun", "sig", mode="closed").settings["mode"] == "closed"  # the keywords it names work
    qa = str(save_tiny(tmp_path / "qa", "bert_qa"))
    assert main(["facade", "regularise", "--model", qa, "--data", str(path), "--out", str(tmp_path / "r")]) == 2
    assert "facade regularise fine-tunes classifiers" in capsys.readouterr().err


def test_forty_seventh_breaker_findings(tmp_path):
    """An audit's report says each run's own steps; beats-random is the same for a text alone and in a batch (an
    ordering that removes the same tokens ties, whatever the float noise of its row)."""
    from faithlens import Explainer, load_model
    from faithlens.audit import Run, audit

    folder = str(save_tiny(tmp_path / "m", "bert"))
    texts = ["good fun film", "a bad movie", "the plot is thin", "great acting here", "boring and slow"]
    r = audit(load_model(folder), texts, steps=2, progress=False, gradient_runs=[Run("ig", steps=3), "sig"])
    assert r.settings["steps_per_run"] == {"ig": 3, "sig:reverse": 2}
    assert "IG/SIG steps = ig 3, sig:reverse 2" in r.to_markdown()
    ex = Explainer(folder)
    text = "a hideous, confusing spectacle of a film"
    alone = ex.explain(text, "sig", faithfulness=True)
    batch = ex.explain([text, "the plot was thin and the acting worse than that", "good"], "sig", faithfulness=True)
    assert alone.faithfulness["beats_random"] == batch[0].faithfulness["beats_random"]


def test_a_baseline_the_model_lacks_names_the_ones_it_has(tmp_path, capsys):
    from faithlens.cli import main

    model = str(save_tiny(tmp_path / "m", "bert"))
    data = tmp_path / "d.tsv"
    data.write_text("sentence\tlabel\na good film\t1\na bad film\t0\n")
    assert main(["evaluate", "--model", model, "--data", str(data), "--baseline", "eos", "--methods", "ig"]) == 2
    err = capsys.readouterr().err
    assert "no eos token" in err and "--baseline mask" in err and "--baseline zero" in err
    assert main(["evaluate", "--model", model, "--data", str(data), "--baseline", "unk", "--methods", "ig",
                 "--no-curves", "--quiet"]) == 0  # a fix it names works
