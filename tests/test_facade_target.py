"""Issue 22, tenth breaker (F6): `facade merge` put a facade into a target it was not trained for, with exit 0.

A facade's gradients are shaped on its target's predictions and sized against its target's saliency, so a merge
into another model (other weights, another label order) gives a merged model whose audit says nothing about either.
`facade train` now records its target's weights digest (faithlens_facade.json: target_source,
target_weights_sha256) and `merge_models` (the CLI's `facade merge`) refuses another target, naming both.
"""

from __future__ import annotations

import json

import pytest

from tiny import save_tiny

from faithlens.cli import main
from faithlens.errors import FaithlensError

WORDS = ["good", "bad", "fine", "awful", "great", "dull", "nice", "poor"]
RUN = ["--steps", "1", "--batch-size", "2", "--eval-every", "1", "--heldout", "2", "--max-length", "16"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Two tiny targets with other weights, and a facade trained (one step) for the first."""
    root = tmp_path_factory.mktemp("facade-target")
    a, b = save_tiny(root / "a"), save_tiny(root / "b", seed=1)
    data = root / "t.tsv"
    data.write_text("sentence\tlabel\n" + "".join(f"a {w} film\t{i % 2}\n" for i, w in enumerate(WORDS * 2)))
    assert main(["facade", "train", "--model", str(a), "--data", str(data), *RUN, "--out", str(root / "g")]) == 0
    return root, a, b


def test_the_facade_records_its_targets_weights(trained):
    root, a, _ = trained
    info = json.loads((root / "g" / "faithlens_facade.json").read_text())
    assert info["target_source"] == str(a.resolve()) and len(info["target_weights_sha256"]) == 64


def test_a_merge_into_another_target_is_refused_and_into_its_own_runs(trained, capsys):
    root, a, b = trained
    assert main(["facade", "merge", "--model", str(b), "--facade", str(root / "g"), "--out", str(root / "bad")]) == 2
    err = capsys.readouterr().err
    assert f"was trained for the target {str(a.resolve())!r} (weights " in err and f"not for {str(b)!r}" in err, err
    assert "train a facade for this one (faithlens facade train --model" in err
    assert not (root / "bad").exists() or not any((root / "bad").iterdir())  # nothing written
    assert main(["facade", "merge", "--model", str(a), "--facade", str(root / "g"), "--out", str(root / "ok")]) == 0


def test_the_same_check_in_python_and_for_a_facade_without_a_digest(trained, tmp_path):
    from faithlens.audit.merge import merge_models
    from faithlens.model import load_model

    root, a, b = trained
    with pytest.raises(FaithlensError, match="was trained for the target"):
        merge_models(load_model(str(b)), load_model(str(root / "g")))
    old = tmp_path / "old"  # a facade written before the digest was recorded: its target's name is compared
    old.mkdir()
    for f in (root / "g").iterdir():
        if f.is_file() and f.name != "checkpoint.pt":
            (old / f.name).write_bytes(f.read_bytes())
    info = json.loads((old / "faithlens_facade.json").read_text())
    del info["target_source"], info["target_weights_sha256"]
    info["target_model"] = str(a)
    (old / "faithlens_facade.json").write_text(json.dumps(info))
    with pytest.raises(FaithlensError, match=f"was trained for the target {str(a)!r}, not for {str(b)!r}"):
        merge_models(load_model(str(b)), load_model(str(old)))
    merge_models(load_model(str(a)), load_model(str(old)))  # its own target, by name


def test_the_same_weights_with_the_classes_in_another_order_are_refused(trained, tmp_path):
    from faithlens.audit.merge import merge_models
    from faithlens.model import load_model

    root, a, _ = trained
    swapped = tmp_path / "swapped"
    swapped.mkdir()
    for f in a.iterdir():
        (swapped / f.name).write_bytes(f.read_bytes())
    config = json.loads((swapped / "config.json").read_text())
    config["id2label"] = {"0": "positive", "1": "negative"}
    config["label2id"] = {"positive": 0, "negative": 1}
    (swapped / "config.json").write_text(json.dumps(config))
    with pytest.raises(FaithlensError, match=r"with classes \['negative', 'positive'\], not for .* with classes "
                                             r"\['positive', 'negative'\]"):
        merge_models(load_model(str(swapped)), load_model(str(root / "g")))
