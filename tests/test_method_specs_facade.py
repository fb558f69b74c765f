"""Method specs read by one parser (evaluate's) in `facade saliency --methods` and `explain --method`
(twenty-first breaker F2, F3): settings reach the method, wrong settings are refused with evaluate's message, and
texts typed after --method get a suggested command that explains exactly them with the given methods."""

from __future__ import annotations

import json
import shlex

import pytest

from faithlens.audit.manipulation import Run, explain_runs, run_of, runs_of
from faithlens.cli import build_parser, main
from faithlens.errors import FaithlensError


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    path = tmp_path_factory.mktemp("specs") / "d.tsv"
    path.write_text("text\tlabel\ngreat fun film\t1\nawful mess of a movie\t0\n", encoding="utf-8")
    return path


def _error(capsys, argv) -> str:
    assert main(argv) != 0
    return capsys.readouterr().err


# --- F2: facade saliency --methods ----------------------------------------------------------------------------

def test_specs_read_as_evaluate_reads_them():
    assert run_of("ig:steps=5") == Run("ig", "reverse", 5, (), "ig:steps=5")
    assert run_of("sig:closed") == Run("sig", "closed", None, (), "sig:closed")
    assert run_of("sig:mode=closed").mode == "closed"
    assert run_of("sig").label == "sig:reverse"  # a bare sig is the facade paper's reverse mode
    assert run_of("smoothgrad:noise=0.1").options == (("noise", 0.1),)
    assert run_of("ig:steps=5").label == "ig:steps=5"


@pytest.mark.parametrize("spec, message", [
    ("ig:reverse", "'mode' does not apply to 'ig'"),
    ("occlusion:foo", "'foo' in 'occlusion:foo' is not key=value"),
    ("sig:steps=0", "positive int"),
    ("ig:steps=10N", "steps per token"),
])
def test_wrong_specs_refused_with_evaluate_messages(spec, message):
    with pytest.raises(FaithlensError, match=message):
        run_of(spec)
    assert "Unknown SIG mode" not in message


def test_a_run_listed_twice_is_refused():
    with pytest.raises(FaithlensError, match="sig:reverse is listed twice"):
        runs_of(["sig", "sig:reverse"])


def test_spec_settings_reach_the_method(saved_tiny):
    from faithlens.model import load_model

    model = load_model(str(saved_tiny))
    texts = ["great fun film", "awful mess of a movie"]
    spec = explain_runs(model, texts, [run_of("ig:steps=5")])["ig:steps=5"].explanations[0]
    five = explain_runs(model, texts, [Run("ig", steps=5)])["ig"].explanations[0]
    plain = explain_runs(model, texts, [Run("ig")])["ig"].explanations[0]
    assert spec.settings["steps"] == 5
    assert spec.token_scores == pytest.approx(five.token_scores)
    assert spec.token_scores != pytest.approx(plain.token_scores)  # the default 50 steps: not what ran
    smooth = explain_runs(model, texts, [run_of("smoothgrad:noise=0.1")])["smoothgrad:noise=0.1"].explanations[0]
    assert smooth.settings["noise"] == 0.1


def test_cli_facade_saliency_runs_specs(saved_tiny, data, capsys, tmp_path):
    out = tmp_path / "s.json"
    argv = ["facade", "saliency", "--model", str(saved_tiny), "--data", str(data), "--limit", "2",
            "--methods", "ig:steps=5,sig:closed", "--out", str(out)]
    assert main(argv) == 0
    assert list(json.loads(out.read_text())["methods"]) == ["ig:steps=5", "sig:closed"]


@pytest.mark.parametrize("methods, message", [
    ("ig:steps=5", None), ("ig:reverse", "'mode' does not apply to 'ig'"), ("smoothgrad:noise=2", "noise"),
    ("ig:steps=2,,occlusion", "has a blank entry (two commas, or one at an end). Pass comma-separated method specs "
                              "with none empty, e.g. ig:steps=2,occlusion"),
    ("occlusion,", "has a blank entry"),
])
def test_cli_facade_saliency_refuses_before_loading(data, capsys, methods, message):
    if message is None:  # ig with its own steps: a shared --steps would do nothing
        err = _error(capsys, ["facade", "saliency", "--model", "nowhere/none", "--data", str(data), "--methods",
                              methods, "--steps", "9"])
        assert "does nothing" in err
        return
    err = _error(capsys, ["facade", "saliency", "--model", "nowhere/none", "--data", str(data), "--methods", methods])
    assert message in err and "Unknown SIG mode" not in err


# --- F3: explain --method followed by texts -------------------------------------------------------------------

def _suggested(err: str) -> list[str]:
    command = err.split("e.g. ", 1)[1].split(" (with your other options)")[0]
    return shlex.split(command)


@pytest.mark.parametrize("after, texts, methods", [
    (["ig", "sig:closed", "great fun"], ["great fun"], ["ig", "sig:closed"]),
    (["ig", "occlusion", "great fun", "awful mess"], ["great fun", "awful mess"], ["ig", "occlusion"]),
    (["foo", "great fun"], ["foo", "great fun"], None),
    (["ig", "-dash text"], ["-dash text"], ["ig"]),
])
def test_suggested_command_explains_exactly_the_texts(capsys, after, texts, methods):
    err = _error(capsys, ["explain", "--model", "nowhere/none", "--method", *after])
    argv = _suggested(err)
    assert argv[:2] == ["faithlens", "explain"]
    args = build_parser().parse_args(argv[1:])
    assert args.texts == texts
    if methods is None:  # no method was given: the defaults explain them
        assert "--method" not in argv
    else:
        assert args.method == methods


def test_a_method_typo_is_named_not_called_a_text(capsys):
    err = _error(capsys, ["explain", "--model", "nowhere/none", "--method", "occlusoin", "great fun"])
    assert "did you mean 'occlusion'" in err and "put the texts" not in err


def test_sig_closed_is_mode_closed(saved_tiny, capsys):
    outputs = []
    for argv in (["--method", "sig:closed"], ["--method", "sig", "--mode", "closed"]):
        assert main(["explain", "great fun", "--model", str(saved_tiny), "--json", *argv]) == 0
        outputs.append(json.loads(capsys.readouterr().out.splitlines()[0]))
    assert outputs[0]["settings"]["mode"] == "closed"
    assert outputs[0]["words"] == outputs[1]["words"]


def test_explain_ig_steps_spec(saved_tiny, capsys):
    assert main(["explain", "great fun", "--model", str(saved_tiny), "--json", "--method", "ig:steps=5"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["settings"]["steps"] == 5


@pytest.mark.parametrize("argv, message", [
    (["--method", "ig:reverse"], "'mode' does not apply to 'ig'"),
    (["--method", "ig:steps=5", "sig"], "shared by its methods"),
    (["--method", "sig:closed", "--mode", "reverse"], "Give one"),
])
def test_explain_spec_refusals(capsys, argv, message):
    assert message in _error(capsys, ["explain", "great fun", "--model", "nowhere/none", *argv])


@pytest.mark.parametrize("methods", [["sig:closed", "ig:steps=5"], ["ig:steps=5", "sig", "--mode", "closed"]])
def test_closed_sig_reads_no_steps_so_an_ig_spec_beside_it_is_taken(saved_tiny, capsys, methods):
    assert main(["explain", "great fun", "--model", str(saved_tiny), "--json", "--method", *methods]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    by = {d["method"]: d for d in lines}
    assert by["ig"]["settings"]["steps"] == 5 and by["sig"]["settings"]["mode"] == "closed"
    assert by["sig"]["error"]["relative"] == 0  # the closed form: exact


@pytest.mark.parametrize("spec, words", [
    ("smoothgrad:samples=3", "(did you mean smoothgrad:n_samples=3?); a spec's keys are steps, mode, unit, rule, "
                             "n_samples, tolerance, noise"),
    ("smoothgrad:n_samples=0", "in method spec 'smoothgrad:n_samples=0'. Got '0'"),
])
def test_spec_errors_quote_the_spec_as_typed(saved_tiny, capsys, spec, words):
    """The CLI puts Python parameter names as options (n_samples: --samples), but never inside a spec or its key list."""
    assert main(["explain", "great fun", "--model", str(saved_tiny), "--no-faithfulness", "--method", spec]) == 2
    err = capsys.readouterr().err
    assert words in err and "--samples" not in err, err


def test_steps_auto_in_a_spec_is_ig_and_sig_only():
    from faithlens.evaluate.specs import parse_method

    assert parse_method("ig:steps=auto").options == {"steps": "auto"}
    assert parse_method("sig:steps=auto,tolerance=0.01").options == {"steps": "auto", "tolerance": 0.01}
    with pytest.raises(FaithlensError, match="occlusion has none: drop it"):
        parse_method("occlusion:steps=auto")
    with pytest.raises(FaithlensError, match=r"dig has none: give a number, e\.g\. dig:steps=20"):
        parse_method("dig:steps=auto")


def test_explain_and_evaluate_run_an_auto_steps_spec(saved_tiny, tmp_path, capsys):
    assert main(["explain", "great fun", "--model", str(saved_tiny), "--json", "--no-faithfulness",
                 "--method", "ig:steps=auto"]) == 0
    d = json.loads(capsys.readouterr().out.splitlines()[0])
    assert d["settings"]["rule"] == "gauss_kronrod" and d["nodes"] and d["error"]["relative"] <= d["settings"]["tolerance"]
    data = tmp_path / "d.tsv"
    data.write_text("sentence\tlabel\ngreat fun\t1\na dull plot\t0\n")
    assert main(["evaluate", "--model", str(saved_tiny), "--data", str(data), "--no-curves", "--quiet",
                 "--methods", "ig:steps=auto", "occlusion", "--out", str(tmp_path / "run")]) == 0
    rows = json.loads((tmp_path / "run" / "results.json").read_text())["rows"]
    assert {r["method"] for r in rows} >= {"ig:steps=auto", "occlusion"}
