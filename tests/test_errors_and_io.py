"""Bad input gets a clear FaithlensError; results round-trip through JSON; the CLI prints valid JSON."""

import json

import pytest
import torch

from faithlens import Explainer, Explanation, FaithlensError
from faithlens.cli import main
from faithlens.errors import FaithlensWarning
from tiny import tiny

TEXT = "the film was goodish and fun"


@pytest.fixture(scope="module")
def ex():
    return Explainer(tiny("bert", dtype=torch.float64))


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_empty_text(ex, text):
    with pytest.raises(FaithlensError, match="empty or only whitespace"):
        ex.explain(text)


def test_no_texts(ex):
    with pytest.raises(FaithlensError, match="No text"):
        ex.explain([])


def test_too_long_then_truncate(ex):
    long = " ".join(["good"] * 100)  # the tiny BERT accepts 64 positions
    with pytest.raises(FaithlensError, match="--truncate"):
        ex.explain(long, "grad_x_input")
    e = ex.explain(long, "grad_x_input", truncate=True)
    assert e.truncated and len(e.tokens) == 64
    assert any("truncated" in w for w in e.warnings)


@pytest.mark.parametrize("kwargs, message", [
    ({"method": "shap"}, "Unknown method 'shap'. Valid choices: .*sig"),
    ({"baseline": "blank"}, "Unknown baseline 'blank'. Valid choices: eos, mask, pad, unk, zero"),
    ({"score": "odds"}, "Unknown score 'odds'. Valid choices: log_prob, logit, max_logit, prob"),
    ({"unit": "sentence"}, "Unknown unit 'sentence'"),
    ({"mode": "magic"}, "Unknown SIG mode 'magic'"),
    ({"rule": "simpson"}, "Unknown quadrature rule"),
    ({"target": 5}, "Target index 5 is out of range.*negative, positive"),
    ({"target": "neutral"}, "Unknown target 'neutral'. Valid choices: negative, positive"),
    ({"steps": 0}, "'steps' parameter must be an int in \\[1, 10,000\\]. Got 0"),
    ({"batch_size": -1}, "'batch_size' parameter must be an int in \\[1, 4,096\\]. Got -1"),
])
def test_bad_settings(ex, kwargs, message):
    method = kwargs.pop("method", "sig")
    with pytest.raises(FaithlensError, match=message):
        ex.explain(TEXT, method, **kwargs)


def test_target_by_label_name(ex):
    assert ex.explain(TEXT, "grad_x_input", target="Positive").target == {"label": "positive", "index": 1}


def test_no_mask_token_falls_back_to_pad_with_warning():
    ex = Explainer(tiny("gpt2", dtype=torch.float64))
    e = ex.explain(TEXT, "sig", steps=4, baseline="mask")
    assert e.settings["baseline"] == "pad"
    assert any("no mask token" in w for w in e.warnings)
    default = ex.explain(TEXT, "sig", steps=4)  # a causal model's own default: pad, with nothing to warn about
    assert default.settings["baseline"] == "pad" and not default.warnings


def test_no_mask_and_no_pad_token_is_an_error():
    ex = Explainer(tiny("gpt2", dtype=torch.float64, gpt2_pad=False))
    with pytest.raises(FaithlensError, match="no mask token and no pad token.*baseline='zero'"):
        ex.explain(TEXT, "sig", steps=4, baseline="mask")
    assert ex.explain(TEXT, "sig", steps=4).settings["baseline"] == "eos"  # the default: pad, else eos, else unk
    e = ex.explain(TEXT, "sig", steps=4, baseline_token="</s>")
    assert e.settings["baseline_token"] == "</s>"
    assert ex.explain(TEXT, "ig", steps=4, baseline="zero").settings["baseline"] == "zero"


def test_nan_scores_are_reported(ex):
    bad = tiny("bert", dtype=torch.float64, seed=1)
    bad.model.classifier.weight.data[:] = float("nan")
    with pytest.raises(FaithlensError, match="NaN or infinity"):
        Explainer(bad).explain(TEXT, "grad_x_input")


def test_not_a_model_folder(tmp_path):
    with pytest.raises(FaithlensError, match="no config.json"):
        Explainer(str(tmp_path))
    (tmp_path / "config.json").write_text("{ not json")
    with pytest.raises(FaithlensError):
        Explainer(str(tmp_path))


def test_offline_unknown_hub_id_names_model_path(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(FaithlensError, match="pass model=PATH") as info:  # the API's words (the CLI says --model PATH)
        Explainer("no-such-org/no-such-model-xyz")
    assert "--model" not in str(info.value)


def test_json_round_trip_is_exact(ex):
    for method in ("sig", "ig"):
        e = ex.explain(TEXT, method, steps=5, return_attributions=True)
        back = Explanation.from_json(e.to_json())
        assert back == e
        assert back.to_json() == e.to_json()
    with pytest.raises(FaithlensError, match="unexpected keys"):
        Explanation.from_dict(dict(json.loads(e.to_json()), bogus=1))


@pytest.fixture(scope="module")
def saved_model(saved_tiny):
    return saved_tiny


def test_cli_json(saved_model, capsys):
    code = main(["explain", TEXT, "dull film", "--model", str(saved_model), "--method", "sig", "ig", "--steps", "5", "--unit", "token", "--json"])
    assert code == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4
    for line in lines:
        d = json.loads(line)
        for key in ("text", "method", "prediction", "tokens", "token_scores", "words", "deltas", "settings", "seconds"):
            assert key in d
        assert set(d["prediction"]) >= {"label", "index", "probs"}
        assert all(set(w) >= {"word", "start", "end", "score"} for w in d["words"])
    first = json.loads(lines[0])
    assert first["method"] == "sig" and len(first["deltas"]) == len(first["tokens"]) - 2 == 7


def test_cli_terminal_and_html(saved_model, tmp_path, capsys):
    page = tmp_path / "out.html"
    text = "the <b>film</b> & fun"
    assert main(["explain", text, "--model", str(saved_model), "--method", "sig", "occlusion", "--steps", "4",
                 "--html", str(page)]) == 0
    out = capsys.readouterr().out
    assert "prediction:" in out and "sig" in out and "occlusion" in out
    content = page.read_text()
    assert "<b>film</b>" not in content and "&lt;b&gt;" in content
    assert content.count("<tr") == 3  # header + two methods


def test_cli_reads_stdin_and_reports_errors(saved_model, capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("dull film\n\nfun plot\n"))
    assert main(["explain", "-", "--model", str(saved_model), "--method", "occlusion", "--json"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 2
    assert main(["explain", "  ", "--model", str(saved_model)]) == 2
    assert "empty or only whitespace" in capsys.readouterr().err
    assert main(["explain", "x", "--model", str(saved_model), "--method", "nope"]) == 2
    assert "Valid choices" in capsys.readouterr().err


def test_cli_threads_option(saved_model, capsys):
    import torch

    before = torch.get_num_threads()
    try:
        assert main(["--threads", "1", "explain", "dull film", "--model", str(saved_model), "--method", "occlusion",
                     "--json"]) == 0
        assert torch.get_num_threads() == 1
        capsys.readouterr()
        assert main(["--threads", "0", "explain", "dull film", "--model", str(saved_model)]) == 2
        assert "--threads must be a positive int. Got 0" in capsys.readouterr().err
    finally:
        torch.set_num_threads(before)


def test_more_threads_than_the_machine_can_use_are_refused_before_torch_starts_them(saved_model, capsys, monkeypatch):
    """--threads 100000 ended in a segfault as torch started the threads: at most 4 per CPU (1024 at most)."""
    import os

    import torch

    from faithlens.options import check_threads, max_threads

    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    assert max_threads() == 12 and check_threads(12) == 12
    monkeypatch.setattr(os, "cpu_count", lambda: 1000)
    assert max_threads() == 1024
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    before = torch.get_num_threads()
    monkeypatch.setattr(torch, "set_num_threads", lambda n: pytest.fail(f"torch was given {n} threads"))
    for n in ("9", "100000"):
        assert main(["--threads", n, "explain", "dull film", "--model", str(saved_model), "--method", "occlusion"]) == 2
        err = capsys.readouterr().err
        assert f"--threads {int(n):,} is more than this machine can use: it has 2 CPUs, and at most 8 threads" in err
    assert torch.get_num_threads() == before


def test_a_setting_the_method_does_not_read_is_a_warning_in_the_api_and_an_error_in_the_cli(ex):
    from faithlens.options import check_settings

    with pytest.warns(FaithlensWarning, match="Ignored: mode='forward'"):  # shown, not only in e.warnings
        e = ex.explain(TEXT, "ig", steps=4, mode="forward")
    assert any("Ignored: mode='forward' does nothing for ig; it is read by sig." == w for w in e.warnings)
    assert not ex.explain(TEXT, "ig", steps=4).warnings
    with pytest.raises(FaithlensError, match="mode='forward' does nothing for ig, occlusion.*Drop it"):
        check_settings(["ig", "occlusion"], {"mode": "forward"})
    check_settings(["ig", "sig"], {"mode": "forward", "steps": 4})  # read by one of the methods: fine
    with pytest.raises(FaithlensError, match="steps=4 does nothing for sig with mode='closed'"):
        check_settings(["sig"], {"mode": "closed", "steps": 4})
