"""Issue 22, kind 3: sizes and rates of `faithlens train` and `faithlens facade` are refused before any work (no data
read, no model loaded, no folder made), never replaced by a default or left to a traceback."""

import pytest

from faithlens.cli import main
from faithlens.errors import FaithlensError
from faithlens.training import check_stride


def run(capsys, *argv):
    code = main(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


@pytest.mark.parametrize("argv, words", [
    (["--subset", "0"], "--subset must be a positive int. Got 0."),
    (["--subset", "-5"], "--subset must be a positive int. Got -5."),
    (["--max-length", "0"], "--max-length must be a positive int"),
    (["--max-length", "100000"], "--max-length must be at most 4096"),
    (["--epochs", "0"], "--epochs must be a positive int"),
    (["--batch-size", "-1"], "--batch-size must be a positive int"),
    (["--lr", "0"], "--lr must be a number in (0, 1)"),
    (["--lr", "nan"], "--lr must be a number in (0, 1)"),
    (["--stride", "64"], "does nothing with --task classification"),
    (["--task", "qa", "--stride", "384"], "must be smaller than --max-length (384)"),
    (["--task", "qa", "--max-length", "100", "--stride", "100"], "must be smaller than --max-length (100)"),
    (["--task", "qa", "--stride", "-1"], "must be an int ≥ 0"),
    (["--task", "qa", "--labels", "a", "b"], "--task qa reads SQuAD files"),
    (["--holdout", "1.5"], "--holdout must be a fraction"),
])
def test_train_sizes_refused_before_any_work(tmp_path, capsys, argv, words):
    out = tmp_path / "out"
    code, err = run(capsys, "train", "--train", "rotten_tomatoes", "--base", str(tmp_path / "no-base"),
                    "--out", str(out), *argv)
    assert code == 2 and words in err, err
    assert not out.exists()


def test_check_stride_reads_one_rule():
    check_stride(0, 8)
    check_stride(7, 8)
    for stride, length in ((8, 8), (9, 8), (-1, 8), (True, 8), (1.5, 8)):
        with pytest.raises(FaithlensError):
            check_stride(stride, length)


@pytest.mark.parametrize("argv, words", [
    (["facade", "train", "--steps", "0"], "'steps' setting of the facade must be a positive int"),
    (["facade", "train", "--batch-size", "0"], "'batch_size' setting"),
    (["facade", "train", "--max-length", "-3"], "'max_length' setting"),
    (["facade", "train", "--heldout", "0"], "'heldout' setting"),
    (["facade", "train", "--lr", "-1"], "learning rate must be a positive number"),
    (["facade", "train", "--magnitude-from", "1.5"], "magnitude_from"),
    (["facade", "regularise", "--steps", "0"], "--steps must be a positive int"),
    (["facade", "regularise", "--lambda-rp", "-1"], "--lambda-rp must be a finite number > 0"),
    (["facade", "saliency", "--limit", "0"], "--limit must be a positive int"),
    (["facade", "saliency", "--steps", "0"], "--steps must be a positive int"),
    (["facade", "saliency", "--methods", "sig:sideways"], "Unknown SIG mode"),
    (["facade", "saliency", "--methods", "limes"], "Unknown method"),
    (["facade", "reduce", "--beams", "0"], "--beams must be comma-separated positive ints"),
    (["facade", "reduce", "--beams", "one"], "--beams must be comma-separated positive ints"),
    (["facade", "hotflip", "--holdout", "0"], "--holdout must be a fraction"),
])
def test_facade_sizes_refused_before_loading(tmp_path, capsys, argv, words):
    out = tmp_path / ("out" if argv[1] in ("train", "regularise") else "out.json")
    code, err = run(capsys, *argv, "--model", str(tmp_path / "no-such-model"), "--out", str(out))
    assert code == 2 and words in err, err
    assert not out.exists()


@pytest.mark.parametrize("argv", [["--subset", "1"], ["--holdout", "0.99"]])
def test_a_training_split_of_one_class_is_refused(saved_tiny, tmp_path, capsys, argv):
    data = tmp_path / "t.tsv"
    data.write_text("sentence\tlabel\ngood film\t1\nbad\t0\nfun\t1\nawful\t0\n", encoding="utf-8")
    code, err = run(capsys, "train", "--train", str(data), "--base", str(saved_tiny), "--out", str(tmp_path / "o"), *argv)
    assert code == 2 and "at least two classes" in err


def test_train_errors_name_the_options(tmp_path, capsys):
    """Issue 22, D10: a library check raised under `train` names --max-length and --stride, not max_length."""
    code, err = run(capsys, "train", "--task", "qa", "--train", "x.json", "--base", str(tmp_path / "no-base"),
                    "--out", str(tmp_path / "out"), "--max-length", "48", "--stride", "48")
    assert code == 2 and "--stride (48) must be smaller than --max-length (48)" in err and "max_length" not in err
