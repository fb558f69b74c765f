"""Issue 10, kind 8: results trace back to exact weights; JSON that is not an explanation is refused clearly."""

import hashlib
import json

import pytest

from faithlens import Explainer, Explanation
from faithlens.errors import FaithlensError
from faithlens.model import load_model
from tiny import tiny


@pytest.fixture(scope="module")
def saved(saved_tiny):
    folder = saved_tiny
    (folder / "faithlens_model.json").write_text(json.dumps({"name": "tiny-card", "created": "2026-12-01",
                                                             "versions": {"faithlens": "0.1.0"}}))
    return folder


def test_explanations_record_the_resolved_folder_and_the_weights_hash(saved):
    e = Explainer(str(saved)).explain("good fun", "occlusion")
    p = e.provenance
    assert p["source"] == str(saved.resolve())
    assert p["weights_sha256"] == hashlib.sha256(b"model.safetensors" + (saved / "model.safetensors").read_bytes()).hexdigest()
    assert p["card"] == {"name": "tiny-card", "created": "2026-12-01", "faithlens": "0.1.0"}
    assert json.loads(e.to_json())["provenance"] == p


def test_the_hash_follows_the_weights(saved, tmp_path):
    import shutil

    import torch

    other = tmp_path / "other"
    shutil.copytree(saved, other)
    m = load_model(other)
    with torch.no_grad():
        m.model.classifier.bias += 1
    m.model.save_pretrained(other)
    assert load_model(other).info["provenance"]["weights_sha256"] != load_model(saved).info["provenance"]["weights_sha256"]


@pytest.mark.parametrize("text,message", [
    ("{ not json", "not valid JSON"),
    ("[1, 2]", "expected a JSON object. Got list"),
    ('{"schema": 99}', "schema version 99"),
    ('{"schema": 2, "text": "a"}', "missing keys"),
])
def test_from_json_refuses_what_is_not_an_explanation(text, message):
    with pytest.raises(FaithlensError, match=message):
        Explanation.from_json(text)


def test_version_1_files_still_load():
    e = Explainer(tiny("bert")).explain("good fun", "occlusion")
    d = e.to_dict()
    for key in ("task", "text_pair", "per_target", "provenance"):
        d.pop(key)
    d["schema"] = 1
    for w in d["words"]:
        w.pop("segment")
    back = Explanation.from_dict(d)
    assert back.task == "classification" and back.token_scores == e.token_scores


@pytest.mark.parametrize("key", ["error", "faithfulness", "provenance", "nodes"])
def test_a_current_file_missing_a_key_it_always_writes_is_refused(key):
    """to_dict writes every field (null where there is none), so a current-schema file without 'error' was cut or
    edited; it loaded with no measured error. Older schemas still load with their defaults."""
    e = Explainer(tiny("bert")).explain("good fun", "occlusion")
    d = e.to_dict()
    d.pop(key)
    with pytest.raises(FaithlensError, match=f"missing keys \\['{key}'\\]"):
        Explanation.from_dict(d)
    d["schema"] = 4 if key != "faithfulness" else 3
    assert Explanation.from_dict(d).token_scores == e.token_scores
