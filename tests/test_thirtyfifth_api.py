"""Issue 22, thirty-fifth breaker: the data and evaluate helpers of the Python API check what they are given (a
Dataset built by hand, select/subset/holdout, load_dataset's source, read_rationales' dataset, Rationales' spans,
parse_method, merge_runs, read_run of an empty folder), a JSON(L) file's label column is found when the first record
lacks it, and two columns that could each be the text (or the label) are refused naming both."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tiny import tiny

from faithlens.data import Dataset, holdout, load_dataset, select
from faithlens.dataset import by_model_labels, subset
from faithlens.errors import FaithlensError
from faithlens.evaluate import merge_runs, parse_method, read_run
from faithlens.plausibility import Rationales, read_rationales

D = Dataset(texts=("a good film", "a bad film", "fine"), labels=(1, 0, 1), source="x")


@pytest.mark.parametrize("given, said", [
    (dict(texts="ab", labels=(0, 1)), "Dataset(texts=...) must be a tuple or list. Got str 'ab'"),
    (dict(texts=("a", None), labels=(0, 1)), "Dataset text 1 (counting from 0) is NoneType None"),
    (dict(texts=("a", b"b"), labels=(0, 1)), "Dataset text 1 (counting from 0) is bytes"),
    (dict(texts=("a", "b"), labels=("zzz", True)), "Dataset label 0 (counting from 0) is 'zzz'"),
    (dict(texts=("a", "b"), labels=(1.0, 0)), "Dataset label 0 (counting from 0) is 1.0"),
    (dict(texts=("a", "b"), labels=(0,)), "Dataset has 2 texts and 1 labels"),
    (dict(texts=("a",), labels=(1,), info=None), "Dataset(info=...) a dict"),
])
def test_a_hand_built_dataset_is_checked(given, said):
    with pytest.raises(FaithlensError) as caught:
        Dataset(source="x", **given)
    assert said in str(caught.value)


def test_a_hand_built_dataset_takes_lists_numpy_labels_and_its_own_label_order():
    d = Dataset(texts=["a good film", "bad"], labels=[np.int64(0), 1], source="x", label_names=["positive", "negative"])
    assert d.texts == ("a good film", "bad") and d.labels == (0, 1) and isinstance(d.labels[0], int)
    model = tiny("bert")  # classes negative, positive: the dataset's own names order them the other way
    assert by_model_labels(d, model.labels).labels == (1, 0)
    odd = Dataset(texts=("a", "b"), labels=(0, 2), source="x", label_names=("negative", "positive", "neutral"))
    with pytest.raises(FaithlensError, match="include 'neutral', which the model does not have"):
        by_model_labels(odd, model.labels)


@pytest.mark.parametrize("call, said", [
    (lambda: select(D, shuffle="no"), "shuffle must be True or False"),
    (lambda: select(D, shuffle=True, seed=-1), "'seed' parameter must be an int in [0, 4,294,967,295]"),
    (lambda: select(D, shuffle=True, seed=1.5), "'seed' parameter must be an int. Got float"),
    (lambda: select(["a", "b"]), "select() takes a Dataset. Got list"),
    (lambda: holdout(["a", "b"], 0.5), "holdout() takes a Dataset. Got list"),
    (lambda: subset(D, torch.tensor([True, False, True])), "holds tensor(True) at place 0, which is no example position"),
    (lambda: load_dataset(None), "load_dataset takes a file, a folder or a dataset name (a str or path). Got NoneType"),
    (lambda: read_rationales("r.jsonl", dataset="d.tsv"), "read_rationales(dataset=...) is the Dataset"),
    (lambda: Rationales(by_item={"a good": ((0, 2),)}, source="hand"), "each is a (segment, start, end) triple"),
    (lambda: parse_method(None), "A method spec is a str such as 'ig'"),
    (lambda: parse_method(["ig"]), "Got list ['ig']"),
    (lambda: merge_runs([{"runs/a", "runs/b"}]), "each a str (or path); one is set"),
    (lambda: merge_runs({"runs/a"}), "Pass e.g. folders=['runs/a', 'runs/b']"),
])
def test_each_helper_refuses_what_it_cannot_read(call, said):
    with pytest.raises(FaithlensError) as caught:
        call()
    assert said in str(caught.value)


def test_select_reads_numpy_counts_and_seeds_as_the_ints_they_hold():
    assert select(D, limit=np.int64(2)).texts == D.texts[:2]
    assert select(D, shuffle=True, seed=np.int64(3)).texts == select(D, shuffle=True, seed=3).texts


def test_read_run_of_an_empty_folder_is_refused(tmp_path):
    with pytest.raises(FaithlensError, match="holds no evaluate run"):
        read_run(tmp_path)


@pytest.mark.parametrize("name, body", [
    ("partial.jsonl", '{"text": "good"}\n{"text": "bad", "label": 0}\n'),
    ("partial.json", '[{"text": "good"}, {"text": "bad", "label": 0}]'),
])
def test_a_label_first_given_on_a_later_record_is_the_label_column(tmp_path, name, body):
    (tmp_path / name).write_text(body)
    with pytest.raises(FaithlensError, match="Line 1 of .* has no label, but other lines do"):
        load_dataset(tmp_path / name)
    (tmp_path / name).write_text(body.replace('{"text": "good"}', '{"text": "good", "label": 1}'))
    assert load_dataset(tmp_path / name).labels == (1, 0)


@pytest.mark.parametrize("header, said", [("sentence\ttext\tlabel", "2 columns that could be the text: 'sentence', 'text'"),
                                          ("text\tlabel\tlabels", "2 columns that could be the label: 'label', 'labels'")])
def test_two_candidate_columns_are_refused_naming_both(tmp_path, header, said):
    (tmp_path / "d.tsv").write_text(header + "\n" + "\t".join(["good film", "1", "0"]) + "\n")
    with pytest.raises(FaithlensError, match=said):
        load_dataset(tmp_path / "d.tsv")
    column = "text_column" if "text:" in said else "label_column"
    assert len(load_dataset(tmp_path / "d.tsv", **{column: "text" if column == "text_column" else "label"})) == 1


# --- thirty-sixth breaker F1, F2: a TSV written by a CSV writer (Python's csv, pandas) ------------------------------

def test_a_tsv_field_a_csv_writer_quoted_is_read_unquoted(tmp_path):
    import csv

    with (tmp_path / "pd.tsv").open("w", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
        writer.writerows([("sentence", "label"), ('a "quoted" film', 1), ("plain", 1), ('"as said"', 0)])
    assert load_dataset(tmp_path / "pd.tsv").texts == ('a "quoted" film', "plain", '"as said"')
    raw = 'sentence\tlabel\n"a quote at one end\t1\n"spoken"\t0\nlone "" inner"\t1\n'
    (tmp_path / "glue.tsv").write_text(raw)  # GLUE's way: no quoting, every field as written
    assert load_dataset(tmp_path / "glue.tsv").texts == ('"a quote at one end', '"spoken"', 'lone "" inner"')


def test_a_line_break_inside_a_quoted_tsv_field_is_named(tmp_path):
    import csv

    with (tmp_path / "pd.tsv").open("w", newline="") as handle:
        csv.writer(handle, delimiter="\t", lineterminator="\n").writerows([("sentence", "label"), ("two\nlines", 0)])
    with pytest.raises(FaithlensError, match="a text may hold neither a tab nor a line break .* save the file as CSV"):
        load_dataset(tmp_path / "pd.tsv")


# --- F14: the plausibility metric functions check their tensors ---------------------------------------------------

def test_plausibility_metrics_refuse_what_they_cannot_score():
    from faithlens.plausibility import average_precision, token_f1, token_iou, top_k_words

    scores, marks = torch.tensor([0.3, 0.1, 0.9]), torch.tensor([True, False, True])
    assert average_precision(scores=scores, relevant=marks) == pytest.approx(1.0)
    assert top_k_words(scores=scores, k=2).tolist() == [True, False, True]
    for call, said in [(lambda: average_precision(scores=torch.tensor([float("nan"), 0.1, 0.2]), relevant=marks),
                        "without NaN"),
                       (lambda: average_precision(scores=[0.3, 0.1, 0.9], relevant=marks), "1-D torch tensors"),
                       (lambda: top_k_words(scores=scores, k=-1), "an int ≥ 0. Got -1"),
                       (lambda: top_k_words(scores=scores, k=1.5), "an int ≥ 0. Got 1.5"),
                       (lambda: token_iou(predicted=scores, relevant=marks), "bool marks, as top_k_words gives them"),
                       (lambda: token_f1(predicted=scores, relevant=marks), "bool marks")]:
        with pytest.raises(FaithlensError, match=said):
            call()


def test_a_rationale_text_pair_for_single_texts_is_refused(tmp_path):
    import json

    (tmp_path / "r.jsonl").write_text(json.dumps({"index": 0, "text_pair": "x", "words": [0]}) + "\n")
    with pytest.raises(FaithlensError, match=r"Line 1 of .* gives \"text_pair\", but 'x' holds single texts"):
        read_rationales(tmp_path / "r.jsonl", dataset=D)
    (tmp_path / "r.jsonl").write_text(json.dumps({"index": 0, "words": [0]}) + "\n")
    assert len(read_rationales(tmp_path / "r.jsonl", dataset=D)) == 1


@pytest.mark.parametrize("quoting", ["QUOTE_ALL", "QUOTE_NONNUMERIC"])
def test_a_tsv_quoted_field_by_field_is_read_as_csv_reads_it(tmp_path, capsys, quoting):
    """Thirty-seventh breaker F1: a header quoted field by field (a CSV writer's QUOTE_ALL / QUOTE_NONNUMERIC) says
    the file is quoted: its fields are read unquoted, a quoted tab or line break staying in its text."""
    import csv

    from faithlens.cli import main

    with (tmp_path / "q.tsv").open("w", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n", quoting=getattr(csv, quoting))
        writer.writerows([("sentence", "label"), ("great fun", 1), ('a "quoted"\tfilm', 1), ("two\nlines", 0)])
    data = load_dataset(tmp_path / "q.tsv")
    assert data.texts == ("great fun", 'a "quoted"\tfilm', "two\nlines") and data.labels == (1, 1, 0)
    assert main(["explain", "--file", str(tmp_path / "q.tsv"), "--model", str(tmp_path / "none"), "--method",
                 "occlusion"]) == 2  # the file is read before the model: the error is the model's, not the file's
    assert "q.tsv" not in capsys.readouterr().err
