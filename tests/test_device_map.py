"""`--device-map`: accelerate's big-model loading places a model's layers across devices; faithlens then
runs the model's own (hooked) forward and gives the explanations a single-device model gives."""

from __future__ import annotations

import pytest
import torch

pytest.importorskip("accelerate")

from faithlens.cli import main  # noqa: E402
from faithlens.distributed import World, load_for_run, max_memory_per_device  # noqa: E402
from faithlens.explainer import Explainer  # noqa: E402
from faithlens.model import load_model  # noqa: E402


@pytest.fixture(scope="module")
def folder(saved_tiny):
    return saved_tiny


def _scores(model, method="ig"):
    return Explainer(model).explain(["the film was very good and fun", "a boring plot"], method, steps=8)


def test_auto_map_gives_the_same_explanations(folder, monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    plain = load_model(folder)
    mapped = load_for_run(str(folder), device_map="auto")
    assert mapped.device.type == "cpu"  # without GPUs accelerate places everything on the CPU, and says so
    assert "faithlens: note: --device-map auto spreads a model over GPUs; this machine has none" in \
        capsys.readouterr().err
    for a, b in zip(_scores(plain), _scores(mapped)):
        assert a.token_scores == b.token_scores


def test_a_model_split_over_devices_runs_its_own_forward(folder, monkeypatch):
    """Layers on two devices: the written-out forward (which reads weights directly) is switched off."""
    import transformers

    plain = load_model(folder)
    assert plain.written_out is True
    original = transformers.AutoModelForSequenceClassification.from_pretrained

    def split(*args, **kwargs):
        model = original(*args, **{k: v for k, v in kwargs.items() if k not in ("device_map", "max_memory")})
        model.hf_device_map = {"bert.embeddings": 0, "bert.encoder": 1, "bert.pooler": 1, "classifier": 1}
        return model

    monkeypatch.setattr(transformers.AutoModelForSequenceClassification, "from_pretrained", split)
    mapped = load_model(folder, device_map="auto")
    assert mapped.written_out is False
    for a, b in zip(_scores(plain), _scores(mapped)):
        assert b.token_scores == pytest.approx(a.token_scores, abs=1e-6)


def test_memory_per_device_leaves_room_for_activations():
    if not torch.cuda.is_available():
        assert max_memory_per_device(World(), 2 * 1024**3) is None  # no GPU: everything on the CPU
        return
    memory = max_memory_per_device(World(), 2 * 1024**3)
    free, _ = torch.cuda.mem_get_info(0)
    assert memory[0] <= free - 2 * 1024**3


def test_device_map_option(folder, capsys):
    assert main(["explain", "good fun", "--model", str(folder), "--device-map", "everywhere"]) == 2
    assert "Unknown --device-map 'everywhere'. Valid choices: auto, balanced, balanced_low_0, sequential." in \
        capsys.readouterr().err
    assert main(["explain", "good fun", "--model", str(folder), "--device-map", "auto", "--method", "grad_x_input",
                 "--json"]) == 0
    assert '"method": "grad_x_input"' in capsys.readouterr().out
