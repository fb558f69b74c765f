"""A hub id when the hub does not answer (no network): decided at once by `model_source.hub_source`, not after
huggingface_hub's ~30 s of retries — its cached snapshot when it has one, else an error naming the id."""

import time

import pytest

from faithlens import model_source
from faithlens.cli import main
from faithlens.errors import FaithlensError


@pytest.fixture
def hub_silent(monkeypatch):
    """As on a machine without network: HF_HUB_OFFLINE unset, the hub's HEAD request fails."""
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)

    def refuse(*args, **kwargs):
        raise OSError("[Errno -2] Name or service not known")

    class Session:
        head = staticmethod(refuse)

    monkeypatch.setattr("huggingface_hub.get_session", lambda: Session())
    model_source.hub_answers.cache_clear()
    yield
    model_source.hub_answers.cache_clear()


def test_the_probe_reads_a_failed_request_as_no_hub(hub_silent):
    assert model_source.hub_answers() is False


def test_the_probe_reads_any_http_answer_as_the_hub(monkeypatch):
    class Session:
        @staticmethod
        def head(url, timeout):
            assert timeout == model_source.HUB_PROBE_SECONDS
            return object()  # a 404 or 503 is an answer too

    monkeypatch.setattr("huggingface_hub.get_session", lambda: Session())
    model_source.hub_answers.cache_clear()
    try:
        assert model_source.hub_answers() is True
    finally:
        model_source.hub_answers.cache_clear()


def test_an_uncached_hub_id_is_refused_at_once_naming_the_id(hub_silent, capsys):
    start = time.perf_counter()
    assert main(["explain", "great fun", "--model", "org/never-downloaded", "--method", "occlusion"]) == 2
    err = capsys.readouterr().err
    assert time.perf_counter() - start < 10  # huggingface_hub's retries took ~30 s
    assert "--model org/never-downloaded: no such folder, and as a hub id it is not in the Hugging Face cache" in err
    assert "hf download org/never-downloaded" in err and "omit --model" in err and "Traceback" not in err
    with pytest.raises(FaithlensError, match=r"model='org/never-downloaded': .*model=None"):
        model_source.check_model_source("org/never-downloaded", option="model=")


def test_a_cached_hub_id_loads_from_its_snapshot_folder(hub_silent, monkeypatch, saved_tiny):
    monkeypatch.setattr(model_source, "cached_snapshot", lambda name: str(saved_tiny) if name == "org/tiny" else None)
    assert model_source.check_model_source("org/tiny") == str(saved_tiny)
    from faithlens.model import load_model

    loaded = load_model("org/tiny")
    assert loaded.name == "org/tiny"  # named as the user named it, loaded from the cache's folder


def test_under_hf_hub_offline_the_loader_decides_without_a_probe(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(model_source, "hub_answers", lambda: pytest.fail("probed the hub under HF_HUB_OFFLINE=1"))
    assert model_source.check_model_source("org/model") == "org/model"


@pytest.mark.parametrize("name, reason", [("org/x y", "alphanumeric chars"), ("bert-base-uncased@main", "alphanumeric"),
                                          ("org/x--y", "Cannot have -- or ..")])
def test_a_name_that_cannot_be_a_hub_id_is_named_so(hub_silent, name, reason):
    with pytest.raises(FaithlensError, match=rf"no such folder, and not a hub id \(.*{reason}") as caught:
        model_source.check_model_source(name)
    assert "hf download" not in str(caught.value)


def test_the_download_command_is_quoted_for_the_shell(hub_silent, monkeypatch):
    monkeypatch.setattr(model_source, "cached_snapshot", lambda name: None)
    with pytest.raises(FaithlensError, match=r"\(hf download org/a\.b_c-d\)"):
        model_source.check_model_source("org/a.b_c-d")
