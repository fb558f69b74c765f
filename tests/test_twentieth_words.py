"""Twentieth breaker F7 and a note (issue 22): two messages that said more than was known, or named the wrong thing.

F7: any JSON object with a top-level "data" list is refused for a classifier as SQuAD's layout, not called a SQuAD
file (its entries need not be questions). The note: a fixed-step rule with steps='auto' is refused naming
steps='auto' (CLI --steps auto), the setting given, not tolerance=, before any model pass.
"""

import importlib
import json

import pytest

from faithlens import Explainer, FaithlensError
from faithlens.cli import cli_words, main
from tiny import save_tiny, tiny

LAYOUT = 'is laid out as a SQuAD-format file (a JSON object with a top-level "data" list'


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return str(save_tiny(tmp_path_factory.mktemp("twentieth") / "bert", "bert"))


@pytest.fixture(scope="module")
def explainer():
    return Explainer(tiny("bert"))


def test_f7_a_top_level_data_list_is_called_squad_layout_not_a_squad_file(folder, tmp_path, capsys):
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"data": [{"text": "great fun"}]}))
    assert main(["explain", "--model", folder, "--method", "occlusion", "--file", str(path)]) == 2
    err = capsys.readouterr().err
    assert LAYOUT in err and "is a SQuAD-format file" not in err and "which its task does not read" in err


def test_f7_train_says_the_same(tmp_path, capsys):
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"data": [{"title": "t", "paragraphs": [{"context": "Ann wrote it.", "qas": [
        {"id": "1", "question": "Who wrote it?", "answers": [{"text": "Ann", "answer_start": 0}]}]}]}]}))
    assert main(["train", "--train", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{str(path)!r} {LAYOUT}" in err and "pass --task qa" in err and not (tmp_path / "out").exists()


@pytest.mark.parametrize("method, extra", [("ig", {}), ("sig", {"mode": "reverse"})])
def test_a_fixed_rule_with_steps_auto_names_steps_auto(explainer, monkeypatch, method, extra):
    def no_pass(*a, **k):
        raise AssertionError("the model ran before the rule was checked")

    for module in map(importlib.import_module, ("faithlens.methods.ig", "faithlens.methods.sig")):
        monkeypatch.setattr(module, "integrate", no_pass)
    with pytest.raises(FaithlensError) as e:
        explainer.explain("great fun", method=method, rule="riemann_left", steps="auto", **extra)
    msg = str(e.value)
    assert msg.startswith("steps='auto' (CLI --steps auto)") and "rule='riemann_left'" in msg
    assert "tolerance=" not in msg and "pass an int (steps=N)" in msg
    with pytest.raises(FaithlensError, match=r"certified tolerance \(here tolerance=0.01\)"):
        explainer.explain("great fun", method=method, rule="riemann_left", steps="auto", tolerance=0.01, **extra)


def test_a_fixed_rule_with_a_tolerance_still_names_the_tolerance(explainer):
    with pytest.raises(FaithlensError, match=r"^Error-controlled steps \(tolerance=\) need a nested quadrature rule"):
        explainer.explain("great fun", method="ig", rule="riemann_left", tolerance=0.01)


def test_the_cli_names_steps_auto_once(folder, capsys):
    assert main(["explain", "--model", folder, "--method", "ig", "--rule", "riemann_left", "--steps", "auto",
                 "great fun"]) == 2
    err = capsys.readouterr().err
    assert "error: --steps auto refines each path" in err and "--rule riemann_left" in err
    assert "tolerance=" not in err and "(CLI" not in err
    assert cli_words("steps='auto' (CLI --steps auto) asks", {"--steps"}) == "--steps auto asks"
