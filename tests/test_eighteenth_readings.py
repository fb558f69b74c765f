"""Eighteenth breaker F5, F6, F8, F9 (issue 22): a data file reads the same way whichever command reads it.

F5: audit and the facade analyses read no gold labels, so a label column is neither read nor checked (its spellings
'positive' / 'Positive' are not refused with a fix through --labels, an option they lack), and a plain .txt of one text
per line is read as texts, as explain --file reads it; evaluate and facade regularise, which read labels, still check
them. F6: a prose line above a header gets one diagnosis in explain --file and the data readers. F8: a SQuAD-shaped
file given to a classifier is refused by the model's task, before SQuAD's shape, in evaluate, audit and the facade
analyses as in explain. F9: a .json file holding one object is told to be a list or named .jsonl; a causal LM is "a
causal (next-token) language model", the word "model" once.
"""

import json
import re

import pytest

from faithlens import FaithlensError
from faithlens.cli import main
from faithlens.data import load_dataset
from faithlens.model import load_model
from faithlens.tasks import task_named
from tiny import save_tiny

NAMES = "text\tlabel\na great fun movie\tpositive\nan awful boring mess\tnegative\nlovely warm film\tPositive\n"
PLAIN = "a great fun movie\nan awful boring mess\nlovely warm film\n"  # stop words: facade saliency measures them
PROSE = "Movie reviews collected in 2020\nsentence\tlabel\ngreat fun movie\t1\nawful boring mess\t0\n"
NOT_SQUAD = {"data": [{"text": "great"}]}
TASK_REFUSAL = "is laid out as a SQuAD-format file (a JSON object with a top-level \"data\" list"


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("eighteenth")
    return {kind: str(save_tiny(root / kind, kind)) for kind in ("bert", "bert_qa", "gpt2_lm")}


@pytest.fixture()
def files(tmp_path):
    contents = {"names.tsv": NAMES, "plain.txt": PLAIN, "prose.tsv": PROSE, "obj.json": json.dumps(NOT_SQUAD),
                "obj3.json": '{"text": "great fun"}\n', "imdb.txt": "1 great fun movie\n0 awful boring mess\n",
                "extra.tsv": "sentence\tlabel\tsource\na great fun\t1\ta\nso dull\t0\tb\n"}
    for name, text in contents.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


# --- F5 commands that read no labels read texts only -------------------------------------------------------------
def test_texts_only_skip_a_label_column_in_mixed_case(files):
    data = load_dataset(files / "names.tsv", labels=False)
    assert data.texts == ("a great fun movie", "an awful boring mess", "lovely warm film")
    assert data.labels == (None, None, None)
    read = load_dataset(files / "names.tsv")  # labels read: 'positive' and 'Positive' are one class (its first spelling)
    assert read.labels == (1, 0, 1) and read.label_names == ("negative", "positive")
    assert "spells one label in different cases" in read.info["case_clash"]  # train refuses it (no names to match)


def test_a_plain_txt_is_one_text_per_line_when_labels_are_not_read(files):
    assert load_dataset(files / "plain.txt", labels=False).texts == tuple(PLAIN.split("\n")[:3])
    assert load_dataset(files / "imdb.txt", labels=False).texts == ("great fun movie", "awful boring mess")
    with pytest.raises(FaithlensError, match="must be '<label> <text>'"):  # labels read: the IMDB format only
        load_dataset(files / "plain.txt")


@pytest.mark.parametrize("command", [["audit", "--limit", "2", "--steps", "2", "--examples", "0"],
                                     ["facade", "saliency", "--limit", "2"], ["facade", "hotflip", "--limit", "2"]])
@pytest.mark.parametrize("name", ["names.tsv", "plain.txt"])
def test_audit_and_facade_analyses_read_such_files(folders, files, capsys, command, name):
    out = files / f"out-{command[-3]}-{name}.json"
    option = "--json" if command[0] == "audit" else "--out"
    assert main([*command, "--model", folders["bert"], "--data", str(files / name), option, str(out)]) == 0, \
        capsys.readouterr().err
    assert out.exists()
    err = capsys.readouterr().err
    assert "--labels" not in err and "<label> <text>" not in err


def test_an_unread_column_is_named_in_the_commands_own_words(folders, files, capsys):
    with pytest.warns(Warning) as said:
        assert main(["facade", "saliency", "--model", folders["bert"], "--data", str(files / "extra.tsv"),
                     "--limit", "2"]) == 0
    text = " ".join(str(w.message) for w in said)
    assert f"--data {files / 'extra.tsv'} is read by columns: facade saliency reads the single texts of the column " \
           "'sentence'; the column 'source' is not read." in text


def test_regularise_still_reads_and_checks_gold_labels(folders, files, tmp_path, capsys):
    assert main(["facade", "regularise", "--model", folders["bert"], "--data", str(files / "names.tsv"),
                 "--out", str(tmp_path / "reg"), "--steps", "1"]) == 2
    err = capsys.readouterr().err  # its gold labels are read against the model's names, in any case, then counted
    assert "spells one label in different cases" not in err and "the data has 3. Pass at least 16 texts" in err


# --- F6 a prose line above a header: one diagnosis ---------------------------------------------------------------
PROSE_SAID = ("(Movie reviews collected in 2020) reads as an example, not a header of column names, and line 2 "
              "(sentence<tab>label) is a header")


def test_explain_file_and_evaluate_say_the_same_of_a_note_above_the_header(folders, files, capsys):
    assert main(["explain", "--model", folders["bert"], "--file", str(files / "prose.tsv"), "--method",
                 "occlusion", "--no-faithfulness"]) == 2
    explain_err = capsys.readouterr().err
    assert f"Line 1 of --file {files / 'prose.tsv'} {PROSE_SAID}" in explain_err
    assert "stray tabs" not in explain_err and "Remove line 1" in explain_err
    for labels in (True, False):
        with pytest.raises(FaithlensError, match=r"^Line 1 of '.*prose\.tsv' " + PROSE_SAID.replace("(", r"\(")
                           .replace(")", r"\)")):
            load_dataset(files / "prose.tsv", labels=labels)


def test_a_file_of_texts_whose_second_line_is_a_text_is_still_read(folders, files, capsys):
    (files / "two.txt").write_text("a fine film\nsentence and label in a text\n", encoding="utf-8")
    assert main(["explain", "--model", folders["bert"], "--file", str(files / "two.txt"), "--method", "occlusion",
                 "--no-faithfulness"]) == 0


# --- F8 a SQuAD-shaped file is refused by the task first --------------------------------------------------------
@pytest.mark.parametrize("command", [["evaluate", "--methods", "occlusion", "--no-curves", "--quiet"],
                                     ["facade", "saliency"], ["audit", "--limit", "2"]])
def test_a_classifier_refuses_a_squad_shaped_file_by_its_task(folders, files, capsys, command):
    assert main([*command, "--model", folders["bert"], "--data", str(files / "obj.json")]) == 2
    err = capsys.readouterr().err
    assert TASK_REFUSAL in err and "'paragraphs'" not in err and '"paragraphs"' not in err


def test_the_data_layer_checks_the_task_before_squads_shape(folders, files):
    with pytest.raises(FaithlensError, match=re.escape(TASK_REFUSAL)):
        load_dataset(files / "obj.json", model=load_model(folders["bert"]))
    with pytest.raises(FaithlensError, match='"paragraphs" is missing'):  # a QA model is told the shape
        load_dataset(files / "obj.json", model=load_model(folders["bert_qa"]))
    with pytest.raises(FaithlensError, match='"paragraphs" is missing'):  # no model: the shape, as before
        load_dataset(files / "obj.json")


def test_evaluate_still_tells_a_qa_model_squads_shape(folders, files, capsys):
    assert main(["evaluate", "--model", folders["bert_qa"], "--data", str(files / "obj.json"), "--methods",
                 "occlusion", "--quiet"]) == 2
    assert '"paragraphs" is missing' in capsys.readouterr().err


# --- F9 wording -----------------------------------------------------------------------------------------------------
def test_one_object_in_a_json_file_is_told_to_be_a_list_or_jsonl(files):
    with pytest.raises(FaithlensError) as caught:
        load_dataset(files / "obj3.json")
    said = str(caught.value)
    assert "holds one JSON object, not a list: a .json file holds a list of JSON objects" in said and "name the file .jsonl" in said
    assert "or one object per line." not in said
    (files / "obj3.jsonl").write_text('{"text": "great fun"}\n', encoding="utf-8")
    assert load_dataset(files / "obj3.jsonl").texts == ("great fun",)  # the fix given works


def test_a_causal_lm_is_named_with_model_once(folders, tmp_path, capsys):
    assert f"a {task_named('causal_lm').summary} model" == "a causal (next-token) language model"
    assert main(["facade", "regularise", "--model", folders["gpt2_lm"], "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert "causal (next-token) language model." in err and "model (next tokens) model" not in err


def test_a_pair_above_a_header_like_pair_is_still_two_pairs(folders, files, capsys):
    """The documented way to explain a header-like line: put another line first (a row of as many fields)."""
    (files / "pairs.txt").write_text("a man sleeps\ta person rests\npremise\thypothesis\n", encoding="utf-8")
    assert main(["explain", "--model", folders["bert"], "--file", str(files / "pairs.txt"), "--method", "occlusion",
                 "--json", "--no-faithfulness"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [(o["text"], o["text_pair"]) for o in out] == [("a man sleeps", "a person rests"), ("premise", "hypothesis")]
