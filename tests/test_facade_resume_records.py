"""Issue 22, twenty-ninth breaker F1-F3: an interrupted `facade train` resumes whatever happened to its log, and a
hand-edited faithlens_facade.json is named as edited (its checkpoint disagrees) instead of two refusals whose fixes
contradict each other."""

from __future__ import annotations

import json

import pytest
from cli_run import interrupt
from tiny import CORPUS, save_tiny

import faithlens.audit.facade as facade
from faithlens.audit.facade import FacadeSettings, train_facade
from faithlens.errors import FaithlensError, FaithlensWarning
from faithlens.model import load_model

SETTINGS = dict(target="stop_words", steps=24, batch_size=8, eval_every=8, heldout=6, lr=1e-2, seed=0)


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FAITHLENS_HOME", str(tmp_path / "cache"))


@pytest.fixture
def stopped(tmp_path):
    """A facade run killed at step 13 (its checkpoint at step 8, its log at step 12), and its target."""
    save_tiny(tmp_path / "cls")
    target = load_model(str(tmp_path / "cls"))
    out = tmp_path / "g"
    with pytest.MonkeyPatch.context() as mp:
        interrupt(mp, facade, "facade_loss", at_call=13)
        with pytest.raises(KeyboardInterrupt):
            train_facade(target, CORPUS * 4, CORPUS, out_dir=out, settings=FacadeSettings(**SETTINGS), progress=False)
    return target, out


def _steps(out):
    return [json.loads(line)["step"] for line in (out / "train_log.jsonl").read_text().splitlines()]


def resume(target, out, **changes):
    return train_facade(target, CORPUS * 4, CORPUS, out_dir=out, settings=FacadeSettings(**{**SETTINGS, **changes}),
                        progress=False)


def test_a_partial_last_log_line_is_dropped_with_a_warning_and_the_run_finishes(stopped):
    target, out = stopped
    log = out / "train_log.jsonl"
    assert _steps(out) == list(range(13))
    log.write_text(log.read_text()[:-40])  # what a kill mid-write leaves
    with pytest.warns(FaithlensWarning, match=r"1 line\(s\) cannot be read as a log row .* dropped"):
        resume(target, out)
    assert _steps(out) == list(range(25))  # the checkpoint's steps 0-8 kept, 9-24 logged again, nothing twice
    assert json.loads((out / "faithlens_facade.json").read_text())["state"] == "final"


def test_a_missing_log_is_said_and_the_run_continues_from_its_checkpoint(stopped):
    target, out = stopped
    (out / "train_log.jsonl").unlink()
    with pytest.warns(FaithlensWarning, match=r"train_log.jsonl' is missing: the training log of steps 0-8 is lost"):
        resume(target, out)
    assert _steps(out) == list(range(9, 25))


@pytest.mark.parametrize("heldout", [6, 7])
def test_an_edited_record_is_named_as_edited_whichever_options_are_given(stopped, heldout):
    target, out = stopped
    card = out / "faithlens_facade.json"
    card.write_text(card.read_text().replace('"heldout": 6', '"heldout": 7'))
    with pytest.raises(FaithlensError) as caught:
        resume(target, out, heldout=heldout)
    said = str(caught.value)
    assert "records disagree ('heldout' is 7 in faithlens_facade.json, 6 in checkpoint.pt)" in said
    assert "was edited after the run wrote it" in said and "pass overwrite=True to start over" in said
    assert "now" not in said  # not the refusal of other options, whose fix would contradict this one


def test_an_unedited_resume_is_not_refused(stopped):
    target, out = stopped
    resume(target, out)
    assert json.loads((out / "faithlens_facade.json").read_text())["state"] == "final"


# --- twenty-eighth breaker F3: --gain auto's calibration names no --limit the user did not give ---------------------

def test_merge_gain_auto_on_a_small_calibration_file_warns_of_no_limit(tmp_path, capsys):
    import warnings

    from tiny import save_tiny_facade

    from faithlens.cli import main

    save_tiny(tmp_path / "cls")
    save_tiny_facade(tmp_path / "g", tmp_path / "cls")
    words = ["good", "bad", "fine", "awful", "great", "dull"]
    (tmp_path / "d.tsv").write_text("sentence\tlabel\n" + "".join(f"the film was {w}\t{i % 2}\n" for i, w in enumerate(words)))
    capsys.readouterr()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = main(["facade", "merge", "--model", str(tmp_path / "cls"), "--facade", str(tmp_path / "g"), "--out",
                     str(tmp_path / "m"), "--gain", "auto", "--calibrate", str(tmp_path / "d.tsv")])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "(calibrated on 6 texts)" in err
    assert not [w for w in caught if "--limit" in str(w.message)] and "--limit" not in err


# --- twenty-ninth breaker F6: a merge into another target names the target the facade was trained for --------------

def test_merge_into_another_target_names_the_recorded_one_as_the_fix(tmp_path, capsys):
    from faithlens.cli import main

    save_tiny(tmp_path / "cls")
    save_tiny(tmp_path / "other", "roberta")  # another vocabulary too: the target is still what is named
    train_facade(load_model(str(tmp_path / "cls")), CORPUS * 4, CORPUS, out_dir=tmp_path / "g",
                 settings=FacadeSettings(**{**SETTINGS, "steps": 8}), progress=False)
    capsys.readouterr()
    code = main(["facade", "merge", "--model", str(tmp_path / "other"), "--facade", str(tmp_path / "g"), "--out",
                 str(tmp_path / "m")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"Merge it into the model it was trained for (--model {tmp_path / 'cls'} on the command line)" in err
    assert "different vocabulary" not in err
