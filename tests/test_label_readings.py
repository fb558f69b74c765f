"""Issue 22, tenth breaker F1 and F7: a value that names a class reads by one rule (`label_reading.read_class`) on
every surface: the Python API's target=, the CLI's --target, the web app, and the gold labels of data files read
against the model's labels (evaluate) or given label names (train --labels, label_names=). Every whole-number spelling
reads alike ("1", "+1", "01", "１", "1.0"); "label:" reads what a bare value's name reading does (by exact name, and
by numeric value when one label is that number); a negative number is never an index; an ambiguous value is refused
naming both readings and how to write each."""

import json
import re
from types import SimpleNamespace

import pytest

from faithlens import Explainer
from faithlens.app import Limits, create_app
from faithlens.cli import main
from faithlens.data import read_file
from faithlens.dataset import by_model_labels
from faithlens.errors import FaithlensError
from faithlens.targets import resolve_target
from tiny import tiny_labelled

HOST = {"Host": "127.0.0.1:8765"}


@pytest.fixture(scope="module")
def explainers():
    return {labels: Explainer(tiny_labelled(list(labels))) for labels in
            [("negative", "positive"), ("0", "1"), ("1", "0"), ("1.0", "0.0"), ("-1", "1")]}


def target_class(explainer, target):
    return explainer.explain("good film", "occlusion", target=target).target["index"]


def refusal(explainer, target) -> str:
    with pytest.raises(FaithlensError) as info:
        explainer.explain("good film", "occlusion", target=target)
    return str(info.value)


def gold_file(tmp_path, cells, suffix="tsv"):
    path = tmp_path / f"gold.{suffix}"
    if suffix == "jsonl":
        path.write_text("".join(json.dumps({"text": f"film {i}", "label": y}) + "\n" for i, y in enumerate(cells)),
                        encoding="utf-8")
    else:
        sep = "\t" if suffix == "tsv" else ","
        path.write_text(f"text{sep}label\n" + "".join(f"film {i}{sep}{y}\n" for i, y in enumerate(cells)),
                        encoding="utf-8")
    return path


def gold(tmp_path, cells, labels, suffix="tsv"):
    """The classes a data file's gold labels read as against a model's labels, as evaluate reads them: by
    `by_model_labels`, then its check that every class index is one of the model's."""
    classes = by_model_labels(read_file(gold_file(tmp_path, cells, suffix)), list(labels)).labels
    if not all(0 <= y < len(labels) for y in classes):
        raise FaithlensError(f"gold labels {classes} outside 0..{len(labels) - 1}")  # evaluate.checks refuses them
    return classes


# --- F7 (a): every spelling of a whole number reads alike --------------------------------------------------------


@pytest.mark.parametrize("spelling", ["1", "+1", "01", "１", "1.0", " 1 ", "1e0"])
def test_every_spelling_of_a_whole_number_reads_alike(explainers, spelling, tmp_path):
    assert target_class(explainers[("negative", "positive")], spelling) == 1
    assert target_class(explainers[("0", "1")], spelling) == 1  # both readings agree
    message = refusal(explainers[("1", "0")], spelling)  # the name '1' is class 0, the index 1 is class 1
    assert "is ambiguous" in message and "(class 0) and the class index 1 (label '0')" in message
    assert "Write label:1 for the label, or index:1" in message
    assert gold(tmp_path, [spelling, "0"], ("negative", "positive")) == (1, 0)
    with pytest.raises(FaithlensError, match=r"\(class 0\) and the class index 1 \(label '0'\)"):
        gold(tmp_path, [spelling, "0"], ("1", "0"))


def test_index_prefix_takes_any_whole_number_spelling_but_never_a_negative_one(explainers):
    named = explainers[("negative", "positive")]
    assert [target_class(named, t) for t in ("index:+1", "index:01", "index:1.0", "index:１")] == [1, 1, 1, 1]
    assert "'index:' takes a class index 0..1 (a whole number, never negative). Got '-1'" in refusal(named, "index:-1")
    assert "'index:' takes a class index" in refusal(named, "index:0.5")


# --- F7 (b), (c): label: matches what the bare value's name reading matches ---------------------------------------


@pytest.mark.parametrize("target", ["label:1", "label:01", "label:+1", "label:1.0", "LABEL: 1"])
def test_label_prefix_matches_by_numeric_value(explainers, target):
    assert target_class(explainers[("1.0", "0.0")], target) == 0
    assert target_class(explainers[("1", "0")], target) == 0


def test_a_bare_float_spelling_reads_two_ways_where_labels_are_numbers(explainers):
    """(c): labels ('1', '0'): "1.0" names the label '1' by value and indexes class 1: refused, both named."""
    message = refusal(explainers[("1", "0")], "1.0")
    assert "it is the label name '1' (read as the number 1) (class 0) and the class index 1 (label '0')" in message
    message = refusal(explainers[("1.0", "0.0")], "1.0")  # its own exact name, and the index of '0.0'
    assert "it is the label name '1.0' (class 0) and the class index 1 (label '0.0')" in message
    assert "Write label:1.0 for the label, or index:1" in message
    assert target_class(explainers[("1.0", "0.0")], "label:1.0") == 0
    assert target_class(explainers[("1.0", "0.0")], "index:1") == 1


def test_a_number_that_two_labels_are_is_refused_naming_both():
    odd = SimpleNamespace(labels=("1", "1.0", "x"), name="odd")
    with pytest.raises(FaithlensError, match=r"reads as the number 1, which the labels '1' \(class 0\) and '1.0' "
                                             r"\(class 1\) both are"):
        resolve_target(odd, "01")
    assert resolve_target(odd, "1.0") == 1  # an exact name comes first


# --- negative numbers, nan, JSON values that are no label --------------------------------------------------------


def test_a_negative_number_is_never_an_index(explainers, tmp_path):
    message = refusal(explainers[("negative", "positive")], "-1")
    assert "-1 is a negative number, never a class index (indices are 0..1), and no label is named -1" in message
    assert "Valid choices: negative, positive" in message
    assert target_class(explainers[("-1", "1")], "-1") == 0  # the label named so
    with pytest.raises(FaithlensError) as info:
        gold(tmp_path, ["-1", "1"], ("0", "1"))
    message = str(info.value)
    assert "The gold label '-1' (line 2 of" in message and "a negative number, never a class index" in message
    assert "Accepted gold labels: the label names '0', '1'" in message
    assert gold(tmp_path, ["-1", "1"], ("-1", "1")) == (0, 1)
    with pytest.raises(FaithlensError, match=r"The gold label -1 \(line 1 of .*a negative JSON number: a JSON number is "
                                             r"a class index, and an index is never negative"):
        read_file(gold_file(tmp_path, [-1, 1], "jsonl"))


def test_nan_and_json_booleans_are_named_for_what_they_are(explainers, tmp_path):
    """(d): a CSV's nan and a JSON true were called "a number" in the error."""
    with pytest.raises(FaithlensError) as info:
        gold(tmp_path, ["nan", "1"], ("negative", "positive"), "csv")
    message = str(info.value)
    assert "The gold label 'nan' (line 2 of" in message and "nan is not a label" in message
    assert "a number" not in message.split("Accepted")[0]
    assert "Accepted gold labels: the label names 'negative', 'positive'" in message
    with pytest.raises(FaithlensError, match=r"The gold label true \(line 1 of .*\) is a JSON boolean, not a label"):
        read_file(gold_file(tmp_path, [True, False], "jsonl"))
    with pytest.raises(FaithlensError, match=r"The gold label 1.0 \(line 1 of .*\) is a JSON number not written as a whole number: a class index is written 1"):
        read_file(gold_file(tmp_path, [1.0, 0.0], "jsonl"))
    assert "nan is not a label" in refusal(explainers[("negative", "positive")], "nan")


# --- F1: gold labels read as --target reads them --------------------------------------------------------------------

LABEL_SETS = [("negative", "positive"), ("0", "1"), ("1", "0"), ("1.0", "0.0"), ("0.0", "1.0"), ("-1", "1"), ("1", "2")]
VALUES = ["0", "1", "2", "+1", "01", "1.0", "1e0", "-1", "0.5", "nan", "positive", "label:1", "label:01", "label:1.0",
          "index:1", "index:+1", "index:5"]


def _read(how):
    try:
        return how()
    except FaithlensError:
        return "refused"


@pytest.mark.parametrize("labels", LABEL_SETS, ids="/".join)
def test_a_gold_label_reads_as_the_same_target_reads(tmp_path, labels):
    """The same value, as a target and as the one gold label of a file, names the same class or is refused on both."""
    model = SimpleNamespace(labels=labels, name="m")
    for value in VALUES:
        as_target = _read(lambda: resolve_target(model, value))
        as_gold = _read(lambda: gold(tmp_path, [value], labels)[0])
        assert as_target == as_gold, (value, as_target, as_gold)


def test_given_label_names_read_a_file_by_the_same_rule(tmp_path):
    """train --labels / label_names=: each cell read against the names given, by the rule of --target."""
    path = gold_file(tmp_path, ["1.0", "+1", "0"])
    assert read_file(path, label_names=["negative", "positive"]).labels == (1, 1, 0)
    with pytest.raises(FaithlensError, match=r"The gold label '-1' \(line 2 of .*\) names no class: -1 is a negative "
                                             r"number, never a class index"):
        read_file(gold_file(tmp_path, ["-1", "1"]), label_names=["negative", "positive"])
    with pytest.raises(FaithlensError, match=r"ambiguous against the label names given \(--labels; label_names= in "
                                             r"Python\) \('1', '0'\)"):
        read_file(gold_file(tmp_path, ["1", "0"]), label_names=["1", "0"])


def test_evaluate_refuses_an_ambiguous_float_gold_label_before_any_model_pass(tmp_path, monkeypatch):
    from faithlens.evaluate.run import evaluate

    monkeypatch.setattr("faithlens.evaluate.run.Explainer", None)  # any model pass would fail with a TypeError
    with pytest.raises(FaithlensError) as info:
        evaluate(tiny_labelled(["1.0", "0.0"]), read_file(gold_file(tmp_path, ["1.0", "0.0"])), methods=["occlusion"])
    message = str(info.value)
    assert "The gold label '1.0' (line 2 of" in message
    assert "it is the label name '1.0' (class 0) and the class index 1 (label '0.0')" in message
    assert "label:1.0 for class 0" in message and "index:1 for class 1" in message
    assert gold(tmp_path, ["label:1", "label:0"], ("1.0", "0.0")) == (0, 1)  # (b) for gold labels


def test_train_without_names_refuses_a_negative_or_nan_label(saved_tiny, tmp_path, capsys, monkeypatch):
    def reached(**_):
        raise AssertionError("fine_tune was called")
    monkeypatch.setattr("faithlens.training.fine_tune", reached)  # the refusal comes before any training
    for cells, words in ((["-1", "1"], "has label '-1', a number that is not a class index"),
                         (["nan", "1"], "has label 'nan', which is not a label (it reads as not-a-number")):
        path = gold_file(tmp_path, cells)
        assert main(["train", "--train", str(path), "--base", str(saved_tiny), "--out",
                     str(tmp_path / "o")]) == 2
        err = capsys.readouterr().err
        fix = "rewrite them as 0 and 1 or as words" if cells[0] == "-1" else "Rewrite the labels as class indices"
        assert words in err and fix in err, err


# --- the CLI and the web app ---------------------------------------------------------------------------------------


def test_the_cli_reads_targets_by_the_same_rule(tmp_path, capsys):
    m = tiny_labelled(["1.0", "0.0"])
    m.model.save_pretrained(tmp_path)
    m.tokenizer.save_pretrained(tmp_path)
    base = ["explain", "good film", "--model", str(tmp_path), "--method", "occlusion", "--json", "--no-faithfulness"]
    for target in ("+1", "1.0"):
        assert main(base + ["--target", target]) == 2
        err = capsys.readouterr().err
        assert "ambiguous" in err and "class index 1 (label '0.0')" in err and "label:1.0" in err, err
    for target, index in (("label:01", 0), ("label:1", 0), ("index:+1", 1)):
        assert main(base + ["--target", target]) == 0
        assert json.loads(capsys.readouterr().out)["target"]["index"] == index
    assert main(base + ["--target", "-1"]) == 2
    assert "-1 is a negative number, never a class index" in capsys.readouterr().err


def test_the_web_app_reads_targets_by_the_same_rule(explainers):
    client = create_app(explainers[("1.0", "0.0")], limits=Limits()).test_client()
    query = {"text": "good film", "method": "occlusion"}
    refused = client.get("/api/explain", query_string=dict(query, target="+1"), headers=HOST)
    assert refused.status_code == 400 and "class index 1 (label '0.0')" in refused.get_json()["error"]
    by_value = client.get("/api/explain", query_string=dict(query, target="label:01"), headers=HOST)
    assert by_value.status_code == 200 and by_value.get_json()[0]["target"]["index"] == 0
    negative = client.get("/api/explain", query_string=dict(query, target="-1"), headers=HOST)
    assert negative.status_code == 400 and "never a class index" in negative.get_json()["error"]


# --- eleventh breaker F5: a number several labels are, with its index reading too ------------------------------------


PADDED = ("01", "1")  # "+1" is the number of both labels and the index of class 1


@pytest.mark.parametrize("spelling", ["+1", "1.0", "１", "1e0"])
def test_a_number_two_labels_are_names_every_reading_and_a_way_to_each_class(explainers, spelling, tmp_path):
    model = SimpleNamespace(labels=PADDED, name="numpad")
    with pytest.raises(FaithlensError) as info:
        resolve_target(model, spelling)
    message = str(info.value)
    assert f"Target {spelling!r} is ambiguous on 'numpad'" in message
    assert "the labels '01' (class 0) and '1' (class 1) both are, and as the class index 1 (label '1')" in message
    assert "Write label:01 or index:0 for class 0, label:1 or index:1 for class 1" in message
    with pytest.raises(FaithlensError) as info:
        gold(tmp_path, [spelling, "0"], PADDED)
    message = str(info.value)
    assert f"The gold label {spelling!r} (line 2 of" in message
    assert "the labels '01' (class 0) and '1' (class 1) both are, and as the class index 1 (label '1')" in message
    assert "Write the file's gold labels as label:01 or index:0 for class 0, label:1 or index:1 for class 1" in message


def test_every_suggested_form_names_the_class_it_is_offered_for():
    model = SimpleNamespace(labels=PADDED, name="numpad")
    assert [resolve_target(model, t) for t in ("label:01", "index:0", "label:1", "index:1", "1")] == [0, 0, 1, 1, 1]
    three = SimpleNamespace(labels=("2", "02", "x"), name="three")  # the index reading is a third class
    with pytest.raises(FaithlensError) as info:
        resolve_target(three, "+2")
    message = str(info.value)
    assert "'2' (class 0) and '02' (class 1) both are, and as the class index 2 (label 'x')" in message
    assert "label:2 or index:0 for class 0, label:02 or index:1 for class 1, label:x or index:2 for class 2" in message
    assert [resolve_target(three, t) for t in ("label:2", "label:02", "label:x", "index:2")] == [0, 1, 2, 2]


@pytest.mark.parametrize("target", ["label:+1", "label:1.0"])
def test_a_label_prefix_that_two_labels_are_is_named_as_given_with_no_index_reading(target):
    with pytest.raises(FaithlensError) as info:
        resolve_target(SimpleNamespace(labels=PADDED, name="numpad"), target)
    message = str(info.value)
    assert f"Target {target!r} is ambiguous" in message and "class index" not in message
    assert "Write label:01 or index:0 for class 0, label:1 or index:1 for class 1" in message


def test_the_cli_and_the_web_app_name_both_classes_of_a_padded_number(tmp_path, capsys):
    m = tiny_labelled(list(PADDED))
    m.model.save_pretrained(tmp_path)
    m.tokenizer.save_pretrained(tmp_path)
    assert main(["explain", "good film", "--model", str(tmp_path), "--method", "occlusion", "--no-faithfulness",
                 "--target", "+1"]) == 2
    err = capsys.readouterr().err
    assert "label:01 or index:0 for class 0, label:1 or index:1 for class 1." in err and "Python" not in err, err
    client = create_app(Explainer(m), limits=Limits()).test_client()
    refused = client.get("/api/explain", query_string={"text": "good film", "method": "occlusion", "target": "1.0"},
                         headers=HOST)
    assert refused.status_code == 400
    assert "label:1 or index:1 for class 1" in refused.get_json()["error"]


# --- eleventh breaker F6: a JSON number is named as the file writes it ------------------------------------------------


@pytest.mark.parametrize("written", ["1e0", "1E+0", "1.00", "10e-1"])
def test_a_json_gold_label_is_named_as_written(tmp_path, written):
    path = tmp_path / "gold.jsonl"
    path.write_text(f'{{"text": "great fun", "label": {written}}}\n{{"text": "dull", "label": 0}}\n', encoding="utf-8")
    with pytest.raises(FaithlensError) as info:
        read_file(path)
    message = str(info.value)
    assert f"The gold label {written} (line 1 of" in message, message
    assert "is a JSON number not written as a whole number: a class index is written 1" in message
    assert "with a point" not in message
    listed = tmp_path / "gold.json"
    listed.write_text(f'[{{"text": "great fun", "label": {written}}}]', encoding="utf-8")
    with pytest.raises(FaithlensError, match=f"The gold label {re.escape(written)} \\(line 1 of"):
        read_file(listed)


def test_a_json_number_with_a_fraction_is_named_as_written(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text('{"text": "great fun", "label": 1.50}\n', encoding="utf-8")
    with pytest.raises(FaithlensError, match=r"The gold label 1.50 \(line 1 of .*\) is a JSON number that is not a "
                                             r"whole number"):
        read_file(path)
