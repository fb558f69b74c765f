"""Bad input found by the fifty-fourth breaker (issue 22): each a clear refusal naming what is wrong and how to fix
it, or a result equal to the well-formed call's."""

from __future__ import annotations

import pytest

from faithlens.errors import FaithlensError


def test_label_names_in_another_order_than_the_base_name_the_first_class_that_moves():
    from faithlens.gold_labels import check_base_reading

    with pytest.raises(FaithlensError, match=r"read in sorted order \('negative', 'neutral', 'positive'\), class 1 would "
                                             r"be 'neutral', which the base calls class 2\. Pass --labels in the base's "
                                             r"order \(negative positive neutral\)"):
        check_base_reading(("negative", "positive", "neutral"), spellings={}, names=("negative", "neutral", "positive"),
                           source="ptrain.tsv", base="bert_nli")
    with pytest.raises(FaithlensError, match=r"class 0 would be 'positive', which the base calls class 1"):
        check_base_reading(("negative", "positive"), spellings={}, names=("positive", "negative"), source="--labels",
                           base="b")
    check_base_reading(("negative", "positive", "neutral"), spellings={}, names=("negative", "positive", "neutral"),
                       source="--labels", base="bert_nli")  # the base's own order


@pytest.mark.parametrize("option, header, line, role", [
    ("--text-column", "text,label", '"great, fun film",1', "the text of each example"),
    ("--pair-column", "premise,hypothesis,label", "a man sleeps,a person rests,0", "the second text of each pair")])
def test_explain_never_reads_a_label_column_as_model_input(tmp_path, capsys, option, header, line, role):
    """F1: --text-column label read the gold labels as texts; evaluate refuses the same column read twice."""
    from tiny import save_tiny

    from faithlens.cli import main

    data = tmp_path / "h.csv"
    data.write_text(f"{header}\n{line}\n")
    code = main(["explain", "--model", str(save_tiny(tmp_path / "m")), "--method", "occlusion", "--no-faithfulness",
                 "--file", str(data), option, "label"])
    err = capsys.readouterr().err
    assert code == 2 and f"The column 'label' of '{data}' is a label column by its name" in err
    assert f"so it is not read as {role}. Pass {option} NAME" in err and "Traceback" not in err


def test_evaluate_names_every_undetermined_spec_at_once_quoting_the_example():
    """N1, N5: one rerun fixes every spec; the example is quoted, since under a shuffle its index is no line number."""
    from tiny import tiny

    from faithlens.data import Dataset
    from faithlens.evaluate import evaluate

    data = Dataset(("fine", "the movie was really good and fun"), (1, 1), source="two")
    with pytest.raises(FaithlensError) as refused:
        evaluate(tiny("bert"), data, methods=["lime:n_samples=1", "kernel_shap:n_samples=3"], progress=False,
                 shuffle=False)
    first, second = str(refused.value).split("\n")
    assert first.startswith("Method lime:n_samples=1: ") and "Use lime:n_samples=50 or more in --methods" in first
    assert second.startswith("Method kernel_shap:n_samples=3: Example 1 ('the movie was really good and fun'): ")


def test_the_inexact_warning_of_evaluate_names_the_rows_own_spec(tmp_path):
    """N2: `--method ig` would explain another, more exact setting than the row warned about."""
    from tiny import tiny

    from faithlens.data import Dataset
    from faithlens.errors import FaithlensWarning
    from faithlens.evaluate import evaluate

    with pytest.warns(FaithlensWarning, match=r"Explain one of them \(faithlens explain TEXT --method ig:steps=1\)"):
        evaluate(tiny("bert"), Dataset(("the movie was good", "a bad plot"), (1, 0), source="two"),
                 methods=["ig:steps=1"], progress=False)


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_json_objects_with_different_text_keys_are_said_to_differ(tmp_path, suffix):
    """N3: naming one of two text keys cannot fix objects that hold the other."""
    from faithlens.data import read_file

    rows = ['{"sentence": "great film", "label": 1}', '{"text": "bad film", "label": 0}']
    path = tmp_path / f"mixed{suffix}"
    path.write_text("\n".join(rows) + "\n" if suffix == ".jsonl" else "[" + ", ".join(rows) + "]")
    with pytest.raises(FaithlensError, match=r"^The objects of this file hold different keys: line 1 holds 'sentence', "
                                             r"'label' and line 2 'text', 'label'\. Give every object the same keys.*"
                                             r"2 columns that could be the text: 'sentence', 'text'"):
        read_file(path)
    with pytest.raises(FaithlensError, match=r"Line 2 of .* has no 'sentence' field \(its keys: 'text', 'label'\)\. "
                                             r"Give every object the same keys"):
        read_file(path, text_column="sentence")  # a missing key is not a null one
    same = tmp_path / f"same{suffix}"
    same.write_text(path.read_text().replace('"text"', '"sentence"'))
    assert read_file(same).texts == ("great film", "bad film")
