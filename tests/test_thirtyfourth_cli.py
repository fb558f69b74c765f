"""Issue 22, thirty-fourth breaker: train's files must name their classes alike (class indices in one file, label
names in another cannot be matched without --labels)."""

from __future__ import annotations

from cli_run import run


def _tsv(path, rows):
    path.write_text("sentence\tlabel\n" + "".join(f"{t}\t{y}\n" for t, y in rows), encoding="utf-8")
    return path


def test_indices_in_train_and_names_in_validation_are_refused_naming_both(tmp_path, capsys):
    train = _tsv(tmp_path / "t.tsv", [("a good film", 1), ("a bad film", 0)] * 3)
    words = _tsv(tmp_path / "v.tsv", [("a good film", "good"), ("a bad film", "terrible")])
    code, err = run(capsys, "train", "--train", str(train), "--validation", str(words), "--out", str(tmp_path / "m"))
    assert code == 2
    assert f"--validation {words} gives label names (good, terrible), but --train {train} gives class indices" in err
    assert "Pass --labels with one name per class in index order" in err and not (tmp_path / "m").exists()


def test_qa_names_only_the_classification_options_typed(tmp_path, capsys):
    code, err = run(capsys, "train", "--task", "qa", "--train", str(tmp_path / "sq.json"), "--labels", "a", "b",
                    "--out", str(tmp_path / "m"))
    assert code == 2 and "--labels reads classification data; --task qa reads SQuAD files" in err and "--text-column" not in err


def test_contradicting_or_repeated_options_are_refused(tmp_path, capsys):
    data = _tsv(tmp_path / "d.tsv", [("a good film", 1), ("a bad film", 0)])
    code, err = run(capsys, "evaluate", "--data", str(data), "--methods", "random", "--no-random")
    assert code == 2 and "--no-random leaves out the random row, but --methods lists random" in err
    code, err = run(capsys, "facade", "reduce", "--model", "nowhere/none", "--data", str(data), "--beams", "1,1")
    assert code == 2 and "--beams '1,1' lists a size twice" in err


def test_names_in_train_and_indices_in_validation_are_refused_too(tmp_path, capsys):
    train = _tsv(tmp_path / "t.tsv", [("a good film", "positive"), ("a bad film", "negative")] * 3)
    digits = _tsv(tmp_path / "v.tsv", [("a good film", 1), ("a bad film", 0)])
    code, err = run(capsys, "train", "--train", str(train), "--validation", str(digits), "--out", str(tmp_path / "m"))
    assert code == 2 and f"--validation {digits} gives class indices, but an earlier file gives label names" in err
