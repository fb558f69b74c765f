"""Issue 22, twenty-fourth breaker F2, F3: a data folder's .json files are its data files too (listed by name when
no split matches, found by --split NAME or --split NAME.json), and `facade hotflip`'s refusal of a QA model or a
causal LM names only analyses that accept that model."""

import json
import re

import pytest

from faithlens.cli import main
from faithlens.data import load_dataset
from faithlens.errors import FaithlensError
from tiny import save_tiny

SQUAD_FOLDER = "squad_v1.1_dev_sample"
SQUAD_FILE = "dev-v1.1.half_24articles.json"


def run(capsys, *argv):
    code = main(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def json_list(path, labels):
    path.write_text(json.dumps([{"text": f"film number {i}", "label": y} for i, y in enumerate(labels)]),
                    encoding="utf-8")
    return path


# --- F3: a folder whose data file is .json ------------------------------------------------------------------------

def test_a_folder_of_one_json_file_lists_it_and_split_finds_it_by_name_or_file_name(tmp_path):
    json_list(tmp_path / "reviews.json", [1, 0, 1])
    with pytest.raises(FaithlensError, match=r"Got \['reviews.json'\]. Pass --split with one of those names"):
        load_dataset(tmp_path)
    assert load_dataset(tmp_path, split="reviews").labels == (1, 0, 1)
    assert load_dataset(tmp_path, split="reviews.json").labels == (1, 0, 1)


def test_dev_json_is_the_default_split_of_a_folder(tmp_path):
    json_list(tmp_path / "dev.json", [0, 1])
    data = load_dataset(tmp_path)
    assert data.labels == (0, 1) and data.source == str(tmp_path / "dev.json")


def test_a_split_with_two_files_is_refused_naming_both_and_a_file_name_picks_one(tmp_path):
    (tmp_path / "dev.tsv").write_text("sentence\tlabel\ngood film\t1\n", encoding="utf-8")
    json_list(tmp_path / "dev.json", [0, 0])
    with pytest.raises(FaithlensError, match=r"holds 2 files of the split 'dev': dev.tsv, dev.json. Pass the file "):
        load_dataset(tmp_path)
    assert load_dataset(tmp_path, split="dev.json").labels == (0, 0)
    assert load_dataset(tmp_path, split="dev.tsv").labels == (1,)
    assert load_dataset(tmp_path / "dev.tsv").labels == (1,)


def test_train_names_its_own_option_for_a_split_with_two_files(tmp_path, capsys):
    (tmp_path / "train.tsv").write_text("sentence\tlabel\ngood film\t1\n", encoding="utf-8")
    json_list(tmp_path / "train.jsonl", [0, 0])
    code, err = run(capsys, "train", "--train", str(tmp_path), "--out", str(tmp_path / "m"))
    assert code == 2 and "train.tsv, train.jsonl" in err and f"Pass --train the file itself, e.g. --train {tmp_path / 'train.tsv'}" in err


def test_several_candidates_are_all_named_and_other_files_are_not(tmp_path):
    for name in ("b.json", "a.tsv", "c.jsonl", "d.csv"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    (tmp_path / "sub.json").mkdir()
    with pytest.raises(FaithlensError) as caught:
        load_dataset(tmp_path, split="train")
    assert "Expected a file train.tsv (or .csv/.jsonl/.json)" in str(caught.value)
    assert "Got ['a.tsv', 'b.json', 'c.jsonl', 'd.csv']." in str(caught.value)


def test_an_empty_folder_asks_for_a_file_not_for_one_of_no_names(tmp_path):
    with pytest.raises(FaithlensError, match=r"Got no data files. Pass the data file itself, or a folder that "
                                             r"holds one.") as caught:
        load_dataset(tmp_path)
    assert "one of those names" not in str(caught.value)


def test_split_stays_inside_the_folder(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    json_list(tmp_path / "outside.json", [1])
    with pytest.raises(FaithlensError, match="in the folder"):
        load_dataset(folder, split="../outside.json")


def test_the_squad_sample_folder_reads_its_file_by_split(shared_data):
    folder = shared_data / SQUAD_FOLDER
    with pytest.raises(FaithlensError, match=re.escape(f"Got ['{SQUAD_FILE}']. Pass --split")):
        load_dataset(folder)
    whole = load_dataset(folder / SQUAD_FILE)
    for split in (SQUAD_FILE, SQUAD_FILE.removesuffix(".json")):
        data = load_dataset(folder, split=split)
        assert data.texts == whole.texts and data.info["squad"]


def test_evaluate_on_a_json_folder_names_the_file_and_runs_with_split(saved_tiny, tmp_path, capsys):
    folder = tmp_path / "jf"
    folder.mkdir()
    json_list(folder / "reviews.json", [1, 0])
    common = ("--model", str(saved_tiny), "--data", str(folder), "--methods", "occlusion", "--no-random", "--no-curves")
    code, err = run(capsys, "evaluate", *common, "--out", str(tmp_path / "e1"))
    assert code == 2 and "Got ['reviews.json']. Pass --split with one of those names, or the file itself." in err, err
    code, err = run(capsys, "evaluate", *common, "--split", "reviews.json", "--out", str(tmp_path / "e2"))
    assert code == 0, err
    assert json.loads((tmp_path / "e2" / "results.json").read_text())["n_examples"] == 2


# --- F2: hotflip's advice names only what accepts the model -------------------------------------------------------

@pytest.fixture(scope="module")
def lm_folder(tmp_path_factory):
    return save_tiny(tmp_path_factory.mktemp("tiny-lm"), "gpt2_lm")


def advised(err):
    """The faithlens commands an error message names."""
    return re.findall(r"faithlens (facade \w+|audit)\b", err)


def test_hotflip_on_a_causal_lm_advises_only_commands_that_run_on_it(lm_folder, tmp_path, capsys):
    data = tmp_path / "lm.tsv"
    data.write_text("text\tlabel\nthe cat sat\t1\nhello world\t0\n", encoding="utf-8")
    code, err = run(capsys, "facade", "hotflip", "--model", str(lm_folder), "--data", str(data), "--limit", "2",
                    "--out", str(tmp_path / "h.json"))
    assert code == 2 and "HotFlip flips a classifier's predicted class" in err, err
    assert "reduc" not in err, err
    commands = advised(err)
    assert commands == ["facade saliency", "audit"], err
    for i, command in enumerate(commands):
        extra = ["--out", str(tmp_path / f"r{i}.json")] if command.startswith("facade") else ["--steps", "4"]
        code, err = run(capsys, *command.split(), "--model", str(lm_folder), "--data", str(data), "--limit", "2",
                        *extra)
        assert code in (0, 1) and "error" not in err, (command, err)  # audit exits 1 on an 'untrustworthy' verdict


def test_hotflip_on_a_qa_model_advises_reduction_and_saliency_which_accept_it():
    from faithlens.audit.hotflip import hotflip
    from faithlens.audit.reduction import input_reduction
    from tiny import tiny

    qa = tiny("bert_qa")
    pairs = [("who sat?", "the cat sat on the mat")]
    with pytest.raises(FaithlensError) as caught:
        hotflip(qa, pairs)
    message = str(caught.value)
    assert "is an extractive question answering model" in message
    assert advised(message) == ["facade reduce", "facade saliency"], message
    assert input_reduction(qa, pairs).summary()  # the advised input reduction reads a QA model
