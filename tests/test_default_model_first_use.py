"""The default model's first use fine-tunes it for minutes: never inside a web request (thirty-ninth breaker F1), and
never twice at once into one cache folder (a second process waits for the first, then reads its model)."""

from __future__ import annotations

import json
import threading
import time

import pytest

from faithlens.app.models import Models
from faithlens.app.inputs import RequestError
from faithlens.explainer import Explainer
from tiny import tiny


def test_an_unbuilt_default_model_is_not_offered_and_is_refused_at_once(monkeypatch):
    from faithlens.commands import serve

    monkeypatch.setattr("faithlens.default_model.is_ready", lambda: False)
    monkeypatch.setattr("faithlens.smollm2.is_converted", lambda folder: False)
    assert serve.model_choices(["runs/a"]) == {"runs/a": "runs/a"}

    def trains(*a, **k):
        raise AssertionError("a request started the default model's fine-tune")

    monkeypatch.setattr("faithlens.default_model.train_default_model", trains)
    models = Models(Explainer(tiny("bert")), {"default": None})
    with pytest.raises(RequestError) as caught:
        models.get("default")
    assert caught.value.status == 503 and "faithlens train-default" in str(caught.value)
    assert models.name == models.default  # the loaded model is kept


def test_a_second_first_use_waits_for_the_first_and_reads_its_model(tmp_path, monkeypatch, capsys):
    from filelock import FileLock

    import faithlens.default_model as dm

    monkeypatch.setenv("FAITHLENS_HOME", str(tmp_path))
    monkeypatch.setattr(dm, "base_encoder_path", lambda: tmp_path / "base")
    monkeypatch.setattr(dm, "rotten_tomatoes_split", lambda: {})
    calls = []
    monkeypatch.setattr(dm, "fine_tune", lambda **kw: calls.append(kw))
    folder = dm.default_model_dir()
    folder.parent.mkdir(parents=True, exist_ok=True)
    first = FileLock(folder.parent / f".{dm.DEFAULT_MODEL_NAME}.lock")  # the first process, fine-tuning
    first.acquire()
    result = {}
    second = threading.Thread(target=lambda: result.update(info=dm.train_default_model(progress=False)))
    second.start()
    time.sleep(1.0)
    assert second.is_alive() and not calls  # waiting, not training over the first one's checkpoint
    folder.mkdir()
    (folder / dm.MODEL_INFO_FILE).write_text(json.dumps({"name": "finished by the first"}))
    first.release()
    second.join(timeout=30)
    assert result["info"] == {"name": "finished by the first"} and not calls
    assert "another process is fine-tuning the default model" in capsys.readouterr().err
