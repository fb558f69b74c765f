"""Issue 22, twenty-ninth breaker F4, F5: an interrupted `train` or `facade train` knows its start model by content.
The same model named by another path (absolute, from another working directory, a byte copy) continues the run;
other weights under the same path are refused, naming the weights, before any training."""

from __future__ import annotations

import json
import shutil

import pytest
import torch
from cli_run import interrupt
from tiny import CORPUS, save_tiny

import faithlens.audit.facade as facade
from faithlens.audit.facade import FacadeSettings, train_facade
from faithlens.checkpoint import source_identity
from faithlens.errors import FaithlensError
from faithlens.model import load_model
from faithlens.training_loop import run_checkpoint

SETTINGS = dict(target="stop_words", steps=24, batch_size=8, eval_every=8, heldout=6, lr=1e-2, seed=0)
DATA = (["good film", "bad film"], [1, 0])


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FAITHLENS_HOME", str(tmp_path / "cache"))


def flip_head(folder):
    from safetensors.torch import load_file, save_file

    path = folder / "model.safetensors"
    weights = load_file(path)
    key = next(k for k in weights if "classifier" in k and k.endswith("weight"))
    weights[key] = -weights[key]
    save_file(weights, path, metadata={"format": "pt"})


def test_the_identity_of_a_folder_is_its_files_not_its_path(tmp_path, monkeypatch):
    save_tiny(tmp_path / "a")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    monkeypatch.chdir(tmp_path)
    assert source_identity("a") == source_identity(tmp_path / "a") == source_identity("./b")
    assert source_identity("a").startswith("sha256:")
    flip_head(tmp_path / "b")
    assert source_identity("b") != source_identity("a")
    assert source_identity("org/not-cached") == "org/not-cached"


def test_train_continues_from_another_path_and_refuses_other_weights(tmp_path, monkeypatch):
    save_tiny(tmp_path / "base")
    out = tmp_path / "runs" / "m"
    settings = {"epochs": 1, "lr": 1e-3}
    part = torch.nn.Linear(2, 2)
    first = run_checkpoint(out, [str(tmp_path / "base"), ["neg", "pos"], settings], DATA, every=1, overwrite=False)
    first.save(3, {"p": part})
    monkeypatch.chdir(tmp_path / "runs")
    again = run_checkpoint(out, ["../base", ["neg", "pos"], settings], DATA, every=1, overwrite=False)
    assert again.restore({"p": torch.nn.Linear(2, 2)})[0] == 3  # the same base by a relative path: continued
    shutil.copytree(tmp_path / "base", tmp_path / "copy")
    assert run_checkpoint(out, [str(tmp_path / "copy"), ["neg", "pos"], settings], DATA, every=1,
                          overwrite=False).restore({"p": torch.nn.Linear(2, 2)})[0] == 3
    flip_head(tmp_path / "base")
    with pytest.raises(FaithlensError, match=r"other settings \('base_weights' setting was 'sha256:[0-9a-f]+', now "
                                             r"'sha256:[0-9a-f]+'\)"):
        run_checkpoint(out, [str(tmp_path / "base"), ["neg", "pos"], settings], DATA, every=1, overwrite=False)


def test_facade_train_continues_by_a_copy_and_refuses_other_weights(tmp_path):
    save_tiny(tmp_path / "cls")
    out = tmp_path / "g"
    with pytest.MonkeyPatch.context() as mp:
        interrupt(mp, facade, "facade_loss", at_call=13)
        with pytest.raises(KeyboardInterrupt):
            train_facade(load_model(str(tmp_path / "cls")), CORPUS * 4, CORPUS, out_dir=out,
                         settings=FacadeSettings(**SETTINGS), progress=False)
    shutil.copytree(tmp_path / "cls", tmp_path / "other")
    flip_head(tmp_path / "other")
    with pytest.raises(FaithlensError, match=r"'target weights' setting was 'sha256:"):
        train_facade(load_model(str(tmp_path / "other")), CORPUS * 4, CORPUS, out_dir=out,
                     settings=FacadeSettings(**SETTINGS), progress=False)
    shutil.copytree(tmp_path / "cls", tmp_path / "copy")
    train_facade(load_model(str(tmp_path / "copy")), CORPUS * 4, CORPUS, out_dir=out,
                 settings=FacadeSettings(**SETTINGS), progress=False)
    steps = [json.loads(line)["step"] for line in (out / "train_log.jsonl").read_text().splitlines()]
    assert steps == list(range(25))  # continued from step 8, not started over


def test_regularise_continues_by_a_copy_refuses_other_weights_and_records_its_target(tmp_path):
    from faithlens.audit.facade import regularise_target

    save_tiny(tmp_path / "cls")
    texts, labels = CORPUS * 4, [i % 2 for i in range(len(CORPUS) * 4)]
    out = tmp_path / "r"
    run = dict(out_dir=out, steps=40, batch_size=4, progress=False)
    with pytest.MonkeyPatch.context() as mp:
        interrupt(mp, facade, "_tokenize", at_call=30)  # stopped at step 30: the checkpoint is at step 25
        with pytest.raises(KeyboardInterrupt):
            regularise_target(load_model(str(tmp_path / "cls")), texts, labels, **run)
    shutil.copytree(tmp_path / "cls", tmp_path / "other")
    flip_head(tmp_path / "other")
    with pytest.raises(FaithlensError, match=r"'target weights' setting was 'sha256:"):
        regularise_target(load_model(str(tmp_path / "other")), texts, labels, **run)
    shutil.copytree(tmp_path / "cls", tmp_path / "copy")
    calls = []
    with pytest.MonkeyPatch.context() as mp:
        original = facade._tokenize
        mp.setattr(facade, "_tokenize", lambda *a, **k: calls.append(1) or original(*a, **k))
        record = regularise_target(load_model(str(tmp_path / "copy")), texts, labels, **run)
    assert len(calls) == 15  # steps 26-40: continued from the checkpoint, not started over
    copy = load_model(str(tmp_path / "copy"))
    assert record["target_weights_sha256"] == copy.info["provenance"]["weights_sha256"]
    assert json.loads((out / "faithlens_facade.json").read_text())["target_labels"] == copy.labels
