"""Issue 22, eleventh breaker F3, F4, F8: the messages of `faithlens train` name only options the command has and
fixes that apply (a GLUE folder without the split's file names the file to pass, since train has no --split; a
one-class training set is refused as that, the --holdout/--subset advice only when one of them took a class away),
and `faithlens facade train` checks --max-length against the target model as `train` checks it, before any work."""

import pytest

from faithlens.cli import main
from faithlens.data import load_dataset
from faithlens.errors import FaithlensError


def run(capsys, *argv):
    code = main(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


@pytest.fixture
def no_training(monkeypatch):
    """fine_tune raises if reached: a refusal must come before any model loads or trains."""
    def reached(**_):
        raise AssertionError("fine_tune was called")
    monkeypatch.setattr("faithlens.training.fine_tune", reached)


def tsv(tmp_path, name, labels):
    path = tmp_path / name
    path.write_text("sentence\tlabel\n" + "".join(f"film number {i}\t{y}\n" for i, y in enumerate(labels)),
                    encoding="utf-8")
    return path


# --- F3: a folder without the split's file ----------------------------------------------------------------------


def test_train_names_the_file_to_pass_for_a_folder_without_its_split(saved_tiny, tmp_path, capsys, no_training):
    folder = tmp_path / "tr"
    folder.mkdir()
    tsv(folder, "ok.tsv", [1, 0])
    code, err = run(capsys, "train", "--train", str(folder), "--out", str(tmp_path / "x"), "--base", str(saved_tiny))
    assert code == 2, err
    assert f"Expected a file train.tsv (or .csv/.jsonl) in the folder {str(folder)!r}. Got ['ok.tsv']." in err
    assert f"Pass --train the file itself, e.g. --train {folder / 'ok.tsv'}." in err
    assert "--split" not in err
    with pytest.raises(AssertionError, match="fine_tune was called"):  # the file it names is read
        main(["train", "--train", str(folder / "ok.tsv"), "--out", str(tmp_path / "x"), "--base", str(saved_tiny)])


def test_train_names_the_option_of_the_folder_it_reads(saved_tiny, tmp_path, capsys, no_training):
    folder = tmp_path / "glue"
    folder.mkdir()
    tsv(folder, "train.tsv", [1, 0])
    tsv(folder, "dev.tsv", [1, 0])
    code, err = run(capsys, "train", "--train", str(folder), "--validation", str(folder), "--out", str(tmp_path / "x"),
                    "--base", str(saved_tiny))
    assert code == 2 and "Expected a file validation.tsv" in err, err
    assert f"Pass --validation the file itself, e.g. --validation {folder / 'dev.tsv'}." in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, err = run(capsys, "train", "--train", str(empty), "--out", str(tmp_path / "x"), "--base", str(saved_tiny))
    assert code == 2 and "Got no data files. Pass --train a data file." in err, err


def test_commands_with_split_and_the_api_keep_their_own_fix(saved_tiny, tmp_path, capsys):
    folder = tmp_path / "tr"
    folder.mkdir()
    tsv(folder, "ok.tsv", [1, 0])
    with pytest.raises(FaithlensError, match=r"Got \['ok.tsv'\]. Pass --split with one of those names \(split='NAME' "
                                             r"in Python\), or the file itself."):
        load_dataset(folder)
    assert load_dataset(folder, split="ok").labels == (1, 0)
    code, err = run(capsys, "evaluate", "--model", str(saved_tiny), "--data", str(folder), "--methods", "occlusion",
                    "--no-random", "--no-curves", "--out", str(tmp_path / "e"))
    assert code == 2 and "Pass --split with one of those names, or the file itself." in err, err


# --- F4: a training set of one class ------------------------------------------------------------------------------


@pytest.mark.parametrize("label", [0, 1])
def test_a_one_class_training_set_is_refused_plainly(saved_tiny, tmp_path, capsys, no_training, label):
    data = tsv(tmp_path, "z.tsv", [label, label, label])
    code, err = run(capsys, "train", "--train", str(data), "--out", str(tmp_path / "z"), "--base", str(saved_tiny))
    assert code == 2, err
    assert f"Every training example of {data} (3) is class {label}; a classifier needs examples of at least two " \
           "classes. Add examples of another class to the training data." in err
    for advice in ("--holdout", "--subset", "Renumber"):
        assert advice not in err, err


def test_a_one_class_training_set_names_its_class_by_name(saved_tiny, tmp_path, capsys, no_training):
    data = tsv(tmp_path, "w.tsv", ["positive", "positive"])
    code, err = run(capsys, "train", "--train", str(data), "--out", str(tmp_path / "z"), "--base", str(saved_tiny),
                    "--labels", "negative", "positive")
    assert code == 2 and "is class 1 (positive); a classifier needs examples of at least two classes" in err, err
    other = tsv(tmp_path, "v.tsv", ["negative", "positive"])  # other classes elsewhere do not train the model
    code, err = run(capsys, "train", "--train", str(data), "--validation", str(other), "--out", str(tmp_path / "z"),
                    "--base", str(saved_tiny))
    assert code == 2 and "Every training example of" in err and "is class 0 (positive)" in err, err


@pytest.mark.parametrize("argv, option, fix", [
    (["--subset", "1"], "--subset 1", "Pass a larger --subset or another --subset-seed."),
    (["--holdout", "0.5", "--split-seed", "3"], "--holdout 0.5", "Pass a smaller --holdout or another --split-seed."),
])
def test_the_holdout_or_subset_is_named_only_when_it_took_a_class(saved_tiny, tmp_path, capsys, no_training, argv,
                                                                  option, fix):
    data = tsv(tmp_path, "h.tsv", [1] * 9 + [0])  # the holdout of seed 3 takes the one 0
    code, err = run(capsys, "train", "--train", str(data), "--out", str(tmp_path / "h"), "--base", str(saved_tiny),
                    *argv)
    assert code == 2, err
    assert f"The training split left by {option} has" in err and "all of class 1" in err
    assert f"--train {data} has them. {fix}" in err
    other = "--holdout" if option.startswith("--subset") else "--subset"
    assert other not in err, err


def test_renumbering_is_advised_only_where_it_leaves_two_classes(saved_tiny, tmp_path, capsys, no_training):
    data = tsv(tmp_path, "gap.tsv", [2, 0, 2, 0])
    code, err = run(capsys, "train", "--train", str(data), "--out", str(tmp_path / "o"), "--base", str(saved_tiny))
    assert code == 2 and "Renumber the labels 0..1" in err, err
    data = tsv(tmp_path, "ones.tsv", [1, 1])
    code, err = run(capsys, "train", "--train", str(data), "--out", str(tmp_path / "o"), "--base", str(saved_tiny))
    assert code == 2 and "Renumber" not in err and "is class 1;" in err, err


# --- F8: facade train's --max-length --------------------------------------------------------------------------------


@pytest.fixture
def no_facade_training(monkeypatch):
    def reached(*_, **__):
        raise AssertionError("the facade was trained")
    monkeypatch.setattr("faithlens.audit.facade._train_facade", reached)


@pytest.mark.parametrize("length, words", [
    ("1", "--max-length 1 leaves no text token: the target model's tokenizer adds 2 special tokens to each text, so "
          "every input would train on nothing. Pass --max-length 3 or more (the least useful value; 64 is the default)."),
    ("100000", "--max-length 100000 is longer than the target model's 64 positions. Pass --max-length 64 or less."),
    ("65", "--max-length 65 is longer than the target model's 64 positions."),
])
def test_facade_train_checks_max_length_as_train_does(saved_tiny, tmp_path, capsys, no_facade_training, length,
                                                      words, monkeypatch):
    def read(*_, **__):
        raise AssertionError("the data was read")
    monkeypatch.setattr("faithlens.data.load_dataset", read)  # refused before the data is read
    out = tmp_path / "f"
    data = tsv(tmp_path, "d.tsv", [0, 1] * 10)
    code, err = run(capsys, "facade", "train", "--model", str(saved_tiny), "--data", str(data),
                    "--out", str(out), "--steps", "2", "--max-length", length, "--heldout", "4", "--batch-size", "4")
    assert code == 2 and words in err, err
    assert not (out / "faithlens_facade.json").exists()


def test_train_facade_checks_max_length_for_pairs(tmp_path, no_facade_training):
    """A pair needs room for a token of each text (BERT: 3 special tokens and 2 text tokens)."""
    from tiny import tiny

    from faithlens.audit.facade import FacadeSettings, train_facade

    target = tiny("bert")
    pairs = [("a dog runs", "an animal moves")] * 8
    with pytest.raises(FaithlensError, match=r"max_length 4 leaves no text token: the target model's tokenizer adds 3 "
                                             r"special tokens to each pair"):
        train_facade(target, pairs, pairs, out_dir=tmp_path / "f", settings=FacadeSettings(max_length=4, batch_size=4))
    with pytest.raises(AssertionError, match="the facade was trained"):  # 5 leaves a token of each text
        train_facade(target, pairs, pairs, out_dir=tmp_path / "g", settings=FacadeSettings(max_length=5, batch_size=4))
    with pytest.raises(AssertionError, match="the facade was trained"):  # single texts: 3 is enough
        train_facade(target, ["a dog runs"] * 8, ["a dog"], out_dir=tmp_path / "h",
                     settings=FacadeSettings(max_length=3, batch_size=4))
