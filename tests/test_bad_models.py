"""Issue 10, kind 1: models that load but are wrong, and damaged model folders, give errors naming the file."""

import json
import shutil

import pytest

from faithlens import Explainer
from faithlens.cli import main
from faithlens.errors import FaithlensError
from faithlens.model import load_model
from tiny import tiny


@pytest.fixture(scope="module")
def saved(saved_tiny):
    return saved_tiny


def copy(saved, tmp_path, *, drop=(), truncate=None, empty=None):
    out = tmp_path / "m"
    shutil.copytree(saved, out)
    for name in drop:
        (out / name).unlink()
    if truncate:
        data = (out / truncate).read_bytes()
        (out / truncate).write_bytes(data[: len(data) // 3])
    if empty:
        (out / empty).write_bytes(b"")
    return out


def test_a_good_folder_loads(saved):
    assert load_model(saved).task.name == "classification"


def test_no_tokenizer_files_is_an_error_not_a_model_of_unks(saved, tmp_path):
    folder = copy(saved, tmp_path, drop=("tokenizer.json", "tokenizer_config.json"))
    for extra in folder.glob("vocab*"):
        extra.unlink()
    with pytest.raises(FaithlensError, match="no tokenizer files"):
        load_model(folder)


def test_truncated_weights_name_the_file(saved, tmp_path):
    folder = copy(saved, tmp_path, truncate="model.safetensors")
    with pytest.raises(FaithlensError, match=r"damaged or incomplete .*Save or download the model again"):
        load_model(folder)


def test_empty_weights_name_the_file(saved, tmp_path):
    folder = copy(saved, tmp_path, empty="model.safetensors")
    with pytest.raises(FaithlensError, match=r"model.safetensors is empty \(0 bytes\)"):
        load_model(folder)


def test_no_weights(saved, tmp_path):
    folder = copy(saved, tmp_path, drop=("model.safetensors",))
    with pytest.raises(FaithlensError, match="no weights"):
        load_model(folder)


def test_a_typo_folder_is_not_called_a_bad_repo_id(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FaithlensError, match="no such folder"):
        load_model("./typo-folder")
    with pytest.raises(FaithlensError, match="no such folder"):
        load_model("models/sst2/final")


def test_a_tokenizer_of_another_model_is_caught(saved, tmp_path):
    folder = copy(saved, tmp_path)
    vocab = json.loads((folder / "tokenizer.json").read_text())
    vocab["model"]["vocab"] = {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "[PAD]": 3, "[MASK]": 4}
    (folder / "tokenizer.json").write_text(json.dumps(vocab))
    with pytest.raises(FaithlensError, match="unknown tokens only"):
        load_model(folder)


def test_corrupt_config_is_an_error(saved, tmp_path):
    folder = copy(saved, tmp_path)
    (folder / "config.json").write_text("{ not json")
    with pytest.raises(FaithlensError):
        Explainer(str(folder))


def test_cli_reports_a_bad_model_without_a_traceback(saved, tmp_path, capsys):
    folder = copy(saved, tmp_path, truncate="model.safetensors")
    assert main(["explain", "good", "--model", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("faithlens: error: ") and "Traceback" not in err
