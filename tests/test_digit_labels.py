"""Issue 22, kind 6: label names that are numbers. One rule on every surface (Python API, CLI, web app): an int is an
index; "index:N" and "label:NAME" say which; a str that is a label name and the index of another label is refused
with both readings named; where both readings agree it is accepted."""

import json

import pytest

from faithlens import Explainer
from faithlens.cli import main
from faithlens.errors import FaithlensError
from faithlens.app import Limits, create_app
from tiny import tiny_labelled


@pytest.fixture(scope="module")
def swapped():
    return Explainer(tiny_labelled(["1", "0"]))  # the name "1" is class 0; the index 1 is the label "0"


@pytest.mark.parametrize("target, index", [(1, 1), (0, 0), ("index:1", 1), ("label:1", 0), ("label:0", 1),
                                           ("index:0", 0)])
def test_unambiguous_forms_pick_one_class(swapped, target, index):
    assert swapped.explain("good film", "occlusion", target=target).target["index"] == index


def refusal(explainer, target) -> str:
    """The message of the FaithlensError that explaining with `target` raises (it must raise)."""
    with pytest.raises(FaithlensError) as info:
        explainer.explain("good film", "occlusion", target=target)
    return str(info.value)


@pytest.mark.parametrize("target", ["1", "0"])
def test_a_digit_string_naming_another_label_is_refused_with_both_readings(swapped, target):
    other = 1 - int(target)
    message = refusal(swapped, target)
    assert f"the label name '{target}' (class {other})" in message
    assert f"the class index {target} (label '{other}')" in message
    assert f"label:{target}" in message and f"index:{target}" in message


@pytest.mark.parametrize("target, value", [("01", 1), ("１", 1), (" 00", 0), ("０", 0)])
def test_a_number_written_another_way_is_compared_with_the_labels_by_value(swapped, target, value):
    """Issue 22, H2: "01" and a full-width "１" read as 1 like "1" does, so they are refused on swapped labels too."""
    other = 1 - value
    message = refusal(swapped, target)
    assert f"the label name '{value}' (read as the number {value}) (class {other})" in message
    assert f"the class index {value} (label '{other}')" in message
    assert f"label:{value}" in message and f"index:{value}" in message
    same = Explainer(tiny_labelled(["0", "1"]))  # both readings agree: accepted
    assert same.explain("good", "occlusion", target=target).target["index"] == value


def test_where_both_readings_agree_the_digit_is_accepted():
    same = Explainer(tiny_labelled(["0", "1"]))
    assert same.explain("good", "occlusion", target="1").target["index"] == 1


def test_digit_strings_index_when_no_label_is_a_number():
    named = Explainer(tiny_labelled(["negative", "positive"]))
    assert named.explain("good", "occlusion", target="1").target == {"label": "positive", "index": 1}
    assert named.explain("good", "occlusion", target="Positive").target["index"] == 1
    for bad, words in (("2", "out of range"), ("index:x", "'index:' takes a class index"), ("label:neutral", "Unknown label")):
        with pytest.raises(FaithlensError, match=words):
            named.explain("good", "occlusion", target=bad)


@pytest.mark.parametrize("target, index", [("INDEX:1", 1), ("Label:positive", 1), (" index :0", 0)])
def test_the_prefixes_are_read_ignoring_case(target, index):
    named = Explainer(tiny_labelled(["negative", "positive"]))
    assert named.explain("good", "occlusion", target=target).target["index"] == index


def test_a_label_literally_named_like_a_prefix_is_refused_when_the_readings_differ():
    odd = Explainer(tiny_labelled(["index:1", "plain"]))  # a config may carry any name
    with pytest.raises(FaithlensError) as info:
        odd.explain("good", "occlusion", target="INDEX:1")
    message = str(info.value)
    assert "the label name 'index:1' (class 0)" in message and "class 1 ('plain')" in message  # the model's spelling
    assert "label:index:1" in message and "the plain number 1" in message
    assert odd.explain("good", "occlusion", target="label:INDEX:1").target["index"] == 0
    assert odd.explain("good", "occlusion", target="1").target["index"] == 1
    agree = Explainer(tiny_labelled(["plain", "index:1"]))  # both readings are class 1
    assert agree.explain("good", "occlusion", target="index:1").target["index"] == 1


@pytest.mark.parametrize("target", [" 1", "1 ", " 1 "])
def test_a_spaced_digit_is_refused_quoting_the_models_label_name(swapped, target):
    """K4: " 1" on labels ('1', '0') quotes the label '1' itself (not ' 1', not 'read as a number') and suggests
    label:1, which then picks class 0."""
    with pytest.raises(FaithlensError) as info:
        swapped.explain("good film", "occlusion", target=target)
    message = str(info.value)
    assert "it is the label name '1' (class 0) and the class index 1 (label '0')" in message
    assert "Write label:1 for the label, or index:1" in message and "label: 1" not in message
    assert swapped.explain("good film", "occlusion", target="label:1").target["index"] == 0


def test_a_prefix_like_label_is_quoted_as_the_model_spells_it():
    """K4: on labels ('index:1', 'label:0', '2'), 'Index:1' is the label 'index:1' (class 0) or index 1; the message
    quotes 'index:1' and its label:index:1 picks class 0."""
    odd = Explainer(tiny_labelled(["index:1", "label:0", "2"]))
    with pytest.raises(FaithlensError) as info:
        odd.explain("good", "occlusion", target="Index:1")
    message = str(info.value)
    assert "it is the label name 'index:1' (class 0)" in message and "class 1 ('label:0')" in message
    assert "Write label:index:1 for the label named so" in message and "'Index:1' (class" not in message
    assert odd.explain("good", "occlusion", target="label:index:1").target["index"] == 0


def test_the_cli_reads_targets_by_the_same_rule(tmp_path, capsys):
    m = tiny_labelled(["1", "0"])
    m.model.save_pretrained(tmp_path)
    m.tokenizer.save_pretrained(tmp_path)
    base = ["explain", "good film", "--model", str(tmp_path), "--method", "occlusion", "--json"]
    assert main(base + ["--target", "1"]) == 2
    assert "ambiguous" in capsys.readouterr().err
    assert main(base + ["--target", "label:1"]) == 0
    assert json.loads(capsys.readouterr().out)["target"]["index"] == 0
    assert main(base + ["--target", "index:1"]) == 0
    assert json.loads(capsys.readouterr().out)["target"]["index"] == 1


def test_the_web_app_reads_targets_by_the_same_rule(swapped):
    client = create_app(swapped, limits=Limits()).test_client()
    host = {"Host": "127.0.0.1:8765"}
    query = {"text": "good film", "method": "occlusion"}
    refused = client.get("/api/explain", query_string=dict(query, target="1"), headers=host)
    assert refused.status_code == 400 and "ambiguous" in refused.get_json()["error"]
    by_name = client.get("/api/explain", query_string=dict(query, target="label:1"), headers=host)
    assert by_name.status_code == 200 and by_name.get_json()[0]["target"]["index"] == 0
    by_int = client.post("/api/explain", data=json.dumps(dict(query, target=1)), content_type="application/json",
                         headers=host)
    assert by_int.status_code == 200 and by_int.get_json()[0]["target"]["index"] == 1


@pytest.mark.parametrize("labels, target, classes", [(["pos", "pos", "neg"], "pos", (0, 1)),
                                                     (["Pos", "neg", "pos"], "POS", (0, 2)),
                                                     (["Pos", "neg", "pos"], "label:POS", (0, 2))])
def test_a_label_name_two_classes_carry_is_refused_with_both_ids(labels, target, classes):
    dup = Explainer(tiny_labelled(labels))
    with pytest.raises(FaithlensError) as info:
        dup.explain("good", "occlusion", target=target)
    message = str(info.value)
    spellings = [labels[i] for i in classes]  # C5 (seventh breakers): both spellings named, not the first twice
    named = f"are both named {spellings[0]!r}" if spellings[0] == spellings[1] else \
        f"are named {spellings[0]!r} and {spellings[1]!r}, the same ignoring case"
    assert f"classes {classes[0]} and {classes[1]} {named}" in message and f"index:{classes[0]}" in message
    assert dup.explain("good", "occlusion", target="neg").target["index"] == labels.index("neg")
    assert dup.explain("good", "occlusion", target=classes[1]).target["index"] == classes[1]


def test_duplicate_label_names_are_refused_on_the_cli_and_the_web_app(tmp_path, capsys):
    m = tiny_labelled(["pos", "pos", "neg"])
    m.model.save_pretrained(tmp_path)
    m.tokenizer.save_pretrained(tmp_path)
    assert main(["explain", "good", "--model", str(tmp_path), "--method", "occlusion", "--target", "pos"]) == 2
    assert "classes 0 and 1 are both named 'pos'" in capsys.readouterr().err
    assert main(["explain", "good", "--model", str(tmp_path), "--method", "occlusion", "--json", "--target", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["target"]["index"] == 1
    client = create_app(Explainer(str(tmp_path)), limits=Limits()).test_client()
    answer = client.get("/api/explain", query_string={"text": "good", "method": "occlusion", "target": "pos"},
                        headers={"Host": "127.0.0.1:8765"})
    assert answer.status_code == 400 and "both named 'pos'" in answer.get_json()["error"]


# --- seventh breakers (issue 22) ---------------------------------------------------------------------------------


@pytest.mark.parametrize("labels, target, index", [(["-1", "1"], "-1", 0), (["1", "2"], "2", 1), (["1", "2"], " 2", 1)])
def test_a_number_whose_index_reading_is_out_of_range_is_the_label(labels, target, index):
    """C9: "-1" on labels ('-1', '1') and "2" on ('1', '2') have one valid reading, the label name (no class has
    index -1 or 2), so they are accepted, not refused as ambiguous with an out-of-range index."""
    explainer = Explainer(tiny_labelled(labels))
    assert explainer.explain("good", "occlusion", target=target).target["index"] == index
    with pytest.raises(FaithlensError, match="out of range"):  # an int is an index only
        explainer.explain("good", "occlusion", target=int(target))


def test_a_number_whose_index_reading_is_out_of_range_is_the_label_on_the_cli(tmp_path, capsys):
    m = tiny_labelled(["-1", "1"])
    m.model.save_pretrained(tmp_path)
    m.tokenizer.save_pretrained(tmp_path)
    assert main(["explain", "good", "--model", str(tmp_path), "--method", "occlusion", "--json", "--no-faithfulness",
                 "--target", "-1"]) == 0
    assert json.loads(capsys.readouterr().out)["target"] == {"label": "-1", "index": 0}


@pytest.mark.parametrize("labels, target, by_name", [(["1.0", "0.0"], "1", 0), (["+1", "-1", "0"], "1", 0),
                                                     (["1.0", "0.0"], "0", 1)])
def test_a_label_that_is_the_same_number_written_otherwise_is_compared_by_value(labels, target, by_name):
    """C8: labels ('1.0', '0.0'): "1" names class 0 by value ('1.0') and indexes class 1 ('0.0'): refused with both
    readings named (was: silently class 1)."""
    message = refusal(Explainer(tiny_labelled(labels)), target)
    assert f"the label name {labels[by_name]!r} (read as the number {target}) (class {by_name})" in message
    assert f"the class index {target} (label {labels[int(target)]!r})" in message
    assert f"label:{labels[by_name]}" in message


def test_a_float_label_agreeing_with_its_index_is_accepted():
    same = Explainer(tiny_labelled(["0.0", "1.0"]))
    assert same.explain("good", "occlusion", target="1").target["index"] == 1
    assert same.explain("good", "occlusion", target="label:1.0").target["index"] == 1


def test_a_contrast_that_names_no_class_says_contrast(capsys):
    """C6: an unknown contrast was called an "Unknown target"."""
    named = Explainer(tiny_labelled(["negative", "positive"]))
    with pytest.raises(FaithlensError, match=r"Unknown contrast 'neutral'\. .*\(contrast= in Python, --contrast on the command line\)"):
        named.explain("good", "occlusion", target="positive", contrast="neutral")
    with pytest.raises(FaithlensError, match=r"Contrast index 5 is out of range"):
        named.explain("good", "occlusion", contrast=5)


def _gold(tmp_path, labels, suffix="tsv"):
    from faithlens.data import read_file

    path = tmp_path / f"gold.{suffix}"
    if suffix == "tsv":
        path.write_text("text\tlabel\n" + "".join(f"film {i}\t{y}\n" for i, y in enumerate(labels)), encoding="utf-8")
    else:
        path.write_text("".join(json.dumps({"text": f"film {i}", "label": y}) + "\n" for i, y in enumerate(labels)),
                        encoding="utf-8")
    return read_file(path)


def test_digit_gold_labels_follow_the_target_rule_in_evaluate(tmp_path, monkeypatch):
    """Issue 22 (ninth breaker): evaluate read a gold "1" as class index 1 on labels ("1", "0"), where `explain --target
    1` refuses it. Now refused before any model pass, naming both readings and the fix; index:/label: cells, JSON
    numbers, agreeing digit names and word names read as before."""
    from faithlens.dataset import by_model_labels
    from faithlens.evaluate.run import evaluate

    monkeypatch.setattr("faithlens.evaluate.run.Explainer", None)  # any model pass would fail with a TypeError
    with pytest.raises(FaithlensError) as info:
        evaluate(tiny_labelled(["1", "0"]), _gold(tmp_path, ["1", "0"]), methods=["occlusion"])
    message = str(info.value)
    assert "gold label '1' (line 2 of" in message  # the first line that reads two ways
    assert "the label name '1' (class 0) and the class index 1 (label '0')" in message
    assert "label:1 for class 0" in message and "index:1 for class 1" in message
    assert by_model_labels(_gold(tmp_path, ["index:1", "INDEX:0"]), ["1", "0"]).labels == (1, 0)
    assert by_model_labels(_gold(tmp_path, ["label:1", "label:0"]), ["1", "0"]).labels == (0, 1)
    assert by_model_labels(_gold(tmp_path, [1, 0], "jsonl"), ["1", "0"]).labels == (1, 0)
    assert by_model_labels(_gold(tmp_path, ["1", "0"]), ["0", "1"]).labels == (1, 0)
    assert by_model_labels(_gold(tmp_path, ["1", "0"]), ["neg", "pos"]).labels == (1, 0)
    assert by_model_labels(_gold(tmp_path, ["2", "0"]), ["1", "2"]).labels == (1, 0)  # "2" indexes no class: a name
    with pytest.raises(FaithlensError, match="mixes label kinds"):
        _gold(tmp_path, ["label:1", "index:0"])
