"""Issue 10, kind 2: options out of range or not applying give clear errors before any model loads."""

import pytest

from faithlens import Explainer
from faithlens.cli import main
from faithlens.errors import FaithlensError
from faithlens.options import MAX_SAMPLES, MAX_SEED, MAX_STEPS, check_settings
from tiny import tiny


@pytest.fixture(scope="module")
def ex():
    return Explainer(tiny("bert"))


@pytest.mark.parametrize("method,settings,message", [
    ("sig", {"steps": 10_000_000}, r"'steps' parameter must be an int in \[1, 10,000\]. Got 10,000,000.*take days"),
    ("ig", {"steps": 0}, r"'steps' parameter must be an int in \[1, 10,000\]"),
    ("ig", {"steps": 2.5}, "'steps' parameter must be an int. Got float"),
    ("smoothgrad", {"n_samples": 10_000_000}, r"'n_samples' parameter must be an int in \[1, 1,000\]"),
    ("smoothgrad", {"seed": 99999999999999999999}, r"'seed' parameter must be an int in \[0, 4,294,967,295\]"),
    ("smoothgrad", {"seed": -1}, r"'seed' parameter must be an int in \[0,"),
    ("sig", {"batch_size": 0}, r"'batch_size' parameter must be an int in \[1, 4,096\]. Got 0"),
    ("sig", {"batch_size": -1}, r"'batch_size' parameter must be an int in \[1, 4,096\]. Got -1"),
    ("sig", {"memory_budget": -5 * 1024**2}, r"memory budget must be at least 16 MiB .* Got -5 MiB"),
    ("sig", {"rows_per_chunk": 0}, r"'rows_per_chunk'"),
    ("sig", {"mode": "bogus"}, "Unknown SIG mode 'bogus'"),
    ("sig", {"rule": "simpson"}, "Unknown quadrature rule 'simpson'"),
    ("smoothgrad", {"noise": 0.0}, "'noise' parameter"),
    ("smoothgrad", {"noise": float("nan")}, "'noise' parameter"),
])
def test_out_of_range_settings_are_refused_before_any_work(ex, method, settings, message):
    with pytest.raises(FaithlensError, match=message):
        ex.explain("good fun", method, **settings)


def test_limits_are_the_documented_ones():
    assert (MAX_STEPS, MAX_SAMPLES, MAX_SEED) == (10_000, 1_000, 2**32 - 1)


def test_an_option_no_chosen_method_reads_is_an_error_in_the_cli(capsys, monkeypatch):
    calls = []
    monkeypatch.setattr("faithlens.explainer.load_model", lambda *a, **k: calls.append(a) or tiny("bert"))
    assert main(["explain", "good fun", "--method", "ig", "--mode", "forward"]) == 2
    assert "--mode forward does nothing for ig" in capsys.readouterr().err
    assert main(["explain", "good fun", "--method", "ig", "--mode", "bogus"]) == 2
    assert "Unknown SIG mode 'bogus'" in capsys.readouterr().err
    assert main(["explain", "good fun", "--method", "sig", "--steps", "10000000"]) == 2
    assert calls == []  # checked before the model loaded
    assert main(["explain", "good fun", "--method", "ig", "occlusion", "--steps", "4", "--json"]) == 0  # steps: read by ig


def test_memory_mb_is_reported_in_mib(capsys):
    with pytest.raises(FaithlensError, match="Got 0.5 MiB"):
        check_settings(["sig"], {"memory_budget": 512 * 1024})


def test_a_port_out_of_range_is_refused_before_the_model_loads(capsys, monkeypatch):
    calls = []
    monkeypatch.setattr("faithlens.explainer.load_model", lambda *a, **k: calls.append(a) or tiny("bert"))
    assert main(["serve", "--port", "99999"]) == 2
    assert "port" in capsys.readouterr().err.lower() and calls == []


def test_baseline_and_baseline_token_are_alternatives(ex, capsys):
    """I3: --baseline pad --baseline-token good used the token and dropped --baseline without a word."""
    with pytest.raises(FaithlensError, match=r"baseline='pad' and baseline_token='good' .* are alternatives"):
        ex.explain("good fun", "occlusion", baseline="pad", baseline_token="good")
    with pytest.raises(FaithlensError, match="are alternatives"):
        check_settings(["occlusion"], {"baseline": "pad", "baseline_token": "good"})
    assert main(["explain", "good fun", "--model", "no/such-model-xyz", "--method", "occlusion", "--baseline", "pad",
                 "--baseline-token", "good"]) == 2  # refused before the (missing) model is looked for
    err = capsys.readouterr().err
    assert "--baseline pad and --baseline-token good) are alternatives" in err and "no/such-model" not in err, err
    alone = ex.explain("good fun", "occlusion", baseline_token="[PAD]")
    assert alone.token_scores == ex.explain("good fun", "occlusion", baseline="pad").token_scores
