"""Issue 22, kind 9: every option naming a model or data path is checked like --model (one function,
`check_model_source`): a missing folder is an error naming the option, never the hub's traceback."""

import pytest

from faithlens.cli import main
from faithlens.errors import FaithlensError
from faithlens.model import check_model_source


def test_check_model_source(saved_tiny, tmp_path):
    assert check_model_source(str(saved_tiny)) == str(saved_tiny)
    assert check_model_source("org/model") == "org/model"  # a hub id passes on to the loader
    with pytest.raises(FaithlensError, match="--init-from facade-run: no such folder"):
        check_model_source("facade-run", option="--init-from", local_only=True)
    with pytest.raises(FaithlensError, match="--base ./gone: no such folder"):
        check_model_source("./gone", option="--base")
    (tmp_path / "w.bin").write_bytes(b"x")
    with pytest.raises(FaithlensError, match="--facade .* is a file"):
        check_model_source(str(tmp_path / "w.bin"), option="--facade")
    with pytest.raises(FaithlensError, match="--base .* has no config.json"):
        check_model_source(str(tmp_path), option="--base")


@pytest.mark.parametrize("argv, words", [
    (["facade", "train", "--init-from", "{missing}", "--out", "{out}"], "--init-from {missing}: no such folder"),
    (["facade", "train", "--init-from", "facade-typo", "--out", "{out}"], "--init-from facade-typo: no such folder"),
    (["facade", "train", "--data", "{missing}.tsv", "--out", "{out}"], "--data {missing}.tsv: no such file or folder"),
    (["facade", "merge", "--facade", "{missing}", "--out", "{out}"], "--facade {missing}: no such folder"),
    (["facade", "merge", "--facade", "{missing}", "--calibrate", "{missing}/c.tsv", "--gain", "auto", "--out", "{out}"],
     "--calibrate {missing}/c.tsv: no such file"),
    (["facade", "saliency", "--data", "./{missing}", "--out", "{out}.json"], "no such file or folder"),
    (["train", "--train", "{missing}.tsv", "--out", "{out}"], "--train {missing}.tsv: no such file or folder"),
    (["train", "--train", "rotten_tomatoes", "--test", "{missing}.csv", "--out", "{out}"], "--test {missing}.csv"),
    (["train", "--train", "rotten_tomatoes", "--base", "{missing}", "--out", "{out}"], "--base {missing}: no such folder"),
    (["train", "--task", "qa", "--train", "{missing}.json", "--out", "{out}"], "no such file"),
    (["audit", "--data", "{missing}.tsv"], "--data {missing}.tsv: no such file"),
    (["evaluate", "--data", "{missing}.tsv"], "does not exist"),
])
def test_missing_paths_are_named_before_any_work(tmp_path, capsys, argv, words):
    fill = {"missing": str(tmp_path / "gone"), "out": str(tmp_path / "out")}
    assert main([a.format(**fill) for a in argv]) == 2
    err = capsys.readouterr().err
    assert words.format(**fill) in err and "Traceback" not in err, err


def test_config_naming_more_classes_than_the_head_is_refused():
    from tiny import tiny

    from faithlens.model import from_pretrained_objects

    m = tiny()
    m.model.config.id2label = {0: "a", 1: "b", 2: "c"}
    m.model.config.label2id = {"a": 0, "b": 1, "c": 2}
    with pytest.raises(FaithlensError, match=r"names 3 classes .* head outputs 2"):
        from_pretrained_objects(m.model, m.tokenizer, name="edited")


@pytest.mark.parametrize("argv, words", [
    (["train", "--train", "{data}", "--base", "{damaged}", "--out", "{out}", "--max-length", "32"],
     "--base {damaged!r} could not be loaded as a base encoder (SafetensorError"),
    (["facade", "train", "--model", "{tiny}", "--data", "{data}", "--init-from", "{damaged}", "--out", "{out}",
      "--steps", "1", "--heldout", "2", "--batch-size", "2"], "--init-from {damaged}: could not be read as a facade of this target (SafetensorError"),
    (["facade", "merge", "--model", "{tiny}", "--facade", "{damaged}", "--out", "{out}"], "damaged or incomplete"),
    (["explain", "a good film", "--model", "{damaged}"], "damaged or incomplete"),
])
def test_a_damaged_weights_file_is_an_error_naming_the_option(saved_tiny, tmp_path, capsys, argv, words):
    """A folder whose weights file is truncated or not weights (an interrupted download or copy) is an error that
    says so, for every option that loads a model folder; safetensors' own error was a traceback for --base and
    --init-from."""
    from tiny import save_tiny_facade

    damaged = save_tiny_facade(tmp_path / "damaged", saved_tiny)  # a facade, so --init-from and --facade read its weights
    for weights in [*damaged.glob("*.safetensors"), *damaged.glob("*.bin")]:
        weights.write_bytes(b"junk")
    data = tmp_path / "t.tsv"
    data.write_text("sentence\tlabel\n" + "".join(f"{w} film\t{i % 2}\n" for i, w in enumerate(
        ["good", "bad", "fine", "awful", "great", "dull", "nice", "poor"])), encoding="utf-8")
    fill = {"damaged": str(damaged), "tiny": str(saved_tiny), "data": str(data), "out": str(tmp_path / "out")}
    assert main([a.format(**fill) for a in argv]) == 2
    err = capsys.readouterr().err
    assert words.format(**fill) in err and "Traceback" not in err, err
