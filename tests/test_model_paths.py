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


# --- ninth breaker (F6, F9, F10): links that point nowhere, smollm2 as a base, special files ---------------------

@pytest.fixture
def bad_links(tmp_path):
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")
    (tmp_path / "loop").symlink_to("loop")
    return tmp_path


@pytest.mark.parametrize("link, why", [("dangling", "which does not exist"), ("loop", "a loop of links")])
@pytest.mark.parametrize("option", ["--model", "--base", "--init-from"])
def test_a_link_that_points_nowhere_is_a_path_not_a_hub_id(bad_links, link, why, option):
    path = str(bad_links / link)
    with pytest.raises(FaithlensError, match=f"{option} {path}: no such folder: it is a link to .*{why}"):
        check_model_source(path, option=option, local_only=option == "--init-from")
    with pytest.raises(FaithlensError, match="no such folder: it is a link"):
        check_model_source(path, option="model=")


@pytest.mark.parametrize("argv, words", [
    (["explain", "--model", "{link}", "x"], "--model {link}: no such folder: it is a link to"),
    (["explain", "--file", "{link}", "x"], "--file {link} does not exist: it is a link to"),
    (["audit", "--data", "{link}"], "--data {link}: no such file or folder: it is a link to"),
    (["train", "--train", "{link}", "--out", "{out}"], "--train {link}: no such file or folder: it is a link to"),
])
def test_cli_options_name_a_link_that_points_nowhere(bad_links, capsys, argv, words):
    fill = {"link": str(bad_links / "loop"), "out": str(bad_links / "out")}
    assert main([a.format(**fill) for a in argv]) == 2
    err = capsys.readouterr().err
    assert words.format(**fill) in err and "internet" not in err and "Traceback" not in err, err


def test_smollm2_as_a_training_base_says_what_it_is(tmp_path, capsys):
    with pytest.raises(FaithlensError, match="--base smollm2 names the bundled causal language model"):
        check_model_source("smollm2", option="--base")
    assert check_model_source("smollm2") == "smollm2"  # --model smollm2 is the alias, resolved by load_model
    assert main(["train", "--train", "rotten_tomatoes", "--base", "SmolLM2", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "cannot be fine-tuned into a classifier" in err and "internet" not in err, err
    assert not (tmp_path / "o").exists()


def test_special_files_are_named_as_what_they_are(tmp_path, capsys):
    from faithlens.files import check_output_file, kind_of_path

    assert kind_of_path("/dev/null") == "a character device" and kind_of_path(tmp_path) == "a folder"
    with pytest.raises(FaithlensError, match="'/dev/null' is a character device, not a regular file"):
        check_output_file("/dev/null", option="--html", suffix=".html")
    assert main(["explain", "--file", "/dev/null", "x"]) == 2
    assert "--file /dev/null is a character device, not a file" in capsys.readouterr().err


@pytest.mark.skipif(not __import__("os").path.isfile("/proc/version"), reason="needs Linux's /proc")
def test_a_file_that_cannot_be_replaced_is_named_as_such():
    from faithlens.files import check_output_file

    with pytest.raises(FaithlensError, match="'/proc/version' is a file that cannot be written"):
        check_output_file("/proc/version", option="--html", suffix=".html")
