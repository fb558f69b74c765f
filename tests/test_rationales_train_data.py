"""Nineteenth breaker F6, F7 (issue 22): the data files of `rationales sst2` and `train`.

F6: `rationales sst2` reads gold labels as SST-2's classes (0 negative, 1 positive) by the rule of --target
(`label_reading.read_class`), as evaluate and train read them against label names: 'positive' is class 1, and a label
it cannot read ('POS', 'true', '-1', '0x1') is refused naming its line and the accepted spellings, never read as 0.
A path that is no file names the GLUE SST-2 files to pass (not the bundled split, which it does not read).
F7: `train --validation/--test` naming the training file (same path or same bytes) is refused; a split sharing some
examples with --train is warned about with their count."""

import shutil
import warnings

import pytest

from faithlens.cli import main
from faithlens.errors import FaithlensError, FaithlensWarning
from faithlens.plausibility import sst2_lexicon_rationales
from faithlens.splits import check_unseen

PHRASES = "sentence\tlabel\ngreat\t1\nawful\t0\ngreat fun\t1\n"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def _files(tmp_path, label):
    train = tmp_path / "train.tsv"
    train.write_text(PHRASES, encoding="utf-8")
    data = tmp_path / "x.tsv"
    data.write_text(f"sentence\tlabel\ngreat film\t{label}\n", encoding="utf-8")
    return train, data


# --- F6: rationales sst2 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("label,expected", [("positive", 1), ("Positive", 1), ("negative", 0), ("1", 1), ("01", 1),
                                            ("0", 0), ("label:positive", 1), ("index:0", 0)])
def test_gold_labels_read_as_sst2_classes(tmp_path, label, expected):
    train, data = _files(tmp_path, label)
    lines = sst2_lexicon_rationales(train, data, polarity="any")
    assert [line["label"] for line in lines] == [expected]


def test_positive_word_label_gets_its_rationale_with_polarity_label(tmp_path):
    train, data = _files(tmp_path, "positive")  # read as 0 before: "great" (positive) was not marked
    lines = sst2_lexicon_rationales(train, data)
    assert lines[0]["spans"] == [[0, 5]] and lines[0]["label"] == 1


@pytest.mark.parametrize("label", ["POS", "true", "-1", "0x1", "2", "pos itive"])
def test_unreadable_labels_are_refused_naming_line_and_spellings(tmp_path, capsys, label):
    train, data = _files(tmp_path, label)
    out = tmp_path / "o.jsonl"
    code, _, err = run(capsys, "rationales", "sst2", "--train", train, "--data", data, "--out", out, "--polarity", "any")
    assert code == 2 and not out.exists()
    assert "line 2 of" in err and repr(label) in err
    assert "'negative', 'positive'" in err and "0..1" in err
    assert "--labels" not in err  # rationales has no --labels option


def test_training_phrases_are_read_by_the_same_rule(tmp_path):
    train = tmp_path / "train.tsv"
    train.write_text("sentence\tlabel\ngreat\tpositive\nawful\tnegative\n", encoding="utf-8")
    data = tmp_path / "x.tsv"
    data.write_text("sentence\tlabel\nawful film\t0\ngreat film\t1\n", encoding="utf-8")
    lines = sst2_lexicon_rationales(train, data)
    assert [(line["label"], line["note"]) for line in lines] == [
        (0, "SST single-word phrases: awful"), (1, "SST single-word phrases: great")]
    train.write_text("sentence\tlabel\ngreat\tyes\n", encoding="utf-8")
    with pytest.raises(FaithlensError, match=r"'yes' \(line 2 of .*train.tsv'\)"):
        sst2_lexicon_rationales(train, data)


@pytest.mark.parametrize("which", ["--train", "--data"])
def test_bundled_name_is_refused_with_a_fix_that_works(tmp_path, capsys, which):
    train, data = _files(tmp_path, "1")
    paths = {"--train": train, "--data": data, which: "rotten_tomatoes"}
    code, _, err = run(capsys, "rationales", "sst2", "--train", paths["--train"], "--data", paths["--data"],
                       "--out", tmp_path / "o.jsonl")
    assert code == 2
    assert f"{which} 'rotten_tomatoes'" in err and "train.tsv" in err and "dev.tsv" in err
    assert "pass 'rotten_tomatoes'" not in err


def test_missing_file_and_folder_are_named(tmp_path, capsys):
    train, data = _files(tmp_path, "1")
    code, _, err = run(capsys, "rationales", "sst2", "--train", tmp_path / "nope.tsv", "--data", data,
                       "--out", tmp_path / "o.jsonl")
    assert code == 2 and "does not exist" in err and "rotten_tomatoes" not in err
    code, _, err = run(capsys, "rationales", "sst2", "--train", train, "--data", tmp_path,
                       "--out", tmp_path / "o.jsonl")
    assert code == 2 and "is a folder, not a file" in err


def test_load_dataset_still_names_the_bundled_split_for_a_missing_file(tmp_path):
    from faithlens.data import load_dataset, read_file

    with pytest.raises(FaithlensError, match="pass 'rotten_tomatoes' for the bundled split"):
        load_dataset(tmp_path / "missing.tsv")
    with pytest.raises(FaithlensError) as info:
        read_file(tmp_path / "missing.tsv")  # reads files only: no name to suggest
    assert "rotten_tomatoes" not in str(info.value) and "does not exist" in str(info.value)


# --- F7: train's held-out files --------------------------------------------------------------------------------

def _forty(tmp_path, name="forty.tsv", start=0):
    path = tmp_path / name
    rows = [f"{'good fun film' if i % 2 else 'bad dull plot'} {i}\t{i % 2}" for i in range(start, start + 40)]
    path.write_text("sentence\tlabel\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("option", ["--validation", "--test"])
def test_train_refuses_the_training_file_as_held_out(tmp_path, capsys, option):
    train = _forty(tmp_path)
    out = tmp_path / "model"
    code, printed, err = run(capsys, "train", "--train", train, option, train, "--out", out, "--max-length", 16)
    assert code == 2 and printed == "" and not out.exists()
    assert f"{option} {train} is the same file as --train {train}" in err
    assert "--holdout" in err and "unseen" in err


def test_train_refuses_a_copy_of_the_training_file(tmp_path, capsys):
    train = _forty(tmp_path)
    copy = tmp_path / "copy.tsv"
    shutil.copy(train, copy)
    code, _, err = run(capsys, "train", "--train", train, "--test", copy, "--out", tmp_path / "m", "--max-length", 16)
    assert code == 2 and "a file with the same content as --train" in err
    # the same file by another spelling of its path
    other = tmp_path / "sub"
    other.mkdir()
    code, _, err = run(capsys, "train", "--train", train, "--test", other / ".." / "forty.tsv", "--out", tmp_path / "m",
                       "--max-length", 16)
    assert code == 2 and "is the same file as --train" in err


def test_shared_examples_are_counted_in_a_warning():
    with pytest.warns(FaithlensWarning, match=r"2 of the 3 examples of --test t.tsv are also in --train a.tsv "
                                              r"\(the same text\).*unseen.*--holdout"):
        check_unseen(("--train a.tsv", None, ["a", "b", "c"]), [("--test t.tsv", None, ["a", "b", "z"])],
                     fix="pass --holdout")
    with pytest.warns(FaithlensWarning, match=r"1 of the 2 examples of --validation v.jsonl .* \(the same text pair\)"):
        check_unseen(("--train a", None, [("p", "h"), ("q", "h")]), [("--validation v.jsonl", None, [("p", "h"),
                                                                                                    ("h", "p")])],
                     fix="pass --holdout")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_unseen(("--train a", None, ["a"]), [("--test b", None, ["b", "c"])], fix="x")  # nothing shared: silent


def test_train_warns_on_overlap_from_the_command_line(tmp_path, capsys, monkeypatch):
    """The check runs before --holdout, --subset and any model: stop at the model load to keep it quick."""
    import faithlens.commands.train_model as train_model

    train = _forty(tmp_path)
    test = _forty(tmp_path, "test.tsv", start=30)  # rows 30..39 are also in --train
    monkeypatch.setattr(train_model, "_check_out", lambda args: (_ for _ in ()).throw(FaithlensError("stop here")))
    with pytest.warns(FaithlensWarning) as said:
        code, _, err = run(capsys, "train", "--train", train, "--test", test, "--out", tmp_path / "m", "--max-length", 16)
    assert code == 2 and "stop here" in err
    assert [str(w.message).split(" (")[0] for w in said] == [f"10 of the 40 examples of --test {test} are also in "
                                                             f"--train {train}"]
