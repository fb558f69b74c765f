"""Twenty-fourth breaker, minor notes (part 2): an interrupted run of other settings or data is refused, naming
what differs and both fixes (`facade train`, `train`, as evaluate's resume refuses other data), and `audit` on a
causal LM scores log_prob (explain's default) and says once that it attributes greedy continuations."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest
import torch

from faithlens.audit.facade_spec import FACADE_INFO_FILE, FacadeSettings, check_facade_out
from faithlens.audit.report import audit, greedy_note
from faithlens.checkpoint import Checkpoint, data_digest, fingerprint
from faithlens.errors import FaithlensError
from tiny import tiny


def _checkpoint(path, settings: dict, texts: list[str], labels=None) -> Checkpoint:
    return Checkpoint(path, fingerprint(settings, texts, labels), every=1, settings=settings,
                      data=data_digest(texts, labels))


def _saved(tmp_path, settings: dict, texts: list[str]) -> Checkpoint:
    first = _checkpoint(tmp_path / "checkpoint.pt", settings, texts)
    layer = torch.nn.Linear(2, 2)
    first.save(3, {"layer": layer})
    return first


def test_other_settings_are_refused_naming_them_and_both_fixes(tmp_path) -> None:
    _saved(tmp_path, {"lr": 0.001, "steps": 40}, ["a", "b"])
    later = _checkpoint(tmp_path / "checkpoint.pt", {"lr": 0.01, "steps": 40}, ["a", "b"])
    with pytest.raises(FaithlensError) as caught:
        later.check(run="The folder 'f'")
    said = str(caught.value)
    assert "interrupted run" in said and "at step 3" in said
    assert "'lr' setting was 0.001, now 0.01" in said and "'steps'" not in said and "other data" not in said
    assert "Rerun with the same options and data as that run to finish it" in said and "overwrite=True" in said


def test_other_data_are_refused_too(tmp_path) -> None:
    _saved(tmp_path, {"lr": 0.001}, ["a", "b"])
    later = _checkpoint(tmp_path / "checkpoint.pt", {"lr": 0.001}, ["a", "c"])
    with pytest.raises(FaithlensError, match=r"with other data \(the texts, pairs or labels differ") as caught:
        later.check(run="The folder 'f'")
    assert "other settings" not in str(caught.value)
    with pytest.raises(FaithlensError, match="other data"):  # restore refuses as check does: never mixed in
        later.restore({"layer": torch.nn.Linear(2, 2)})
    assert (tmp_path / "checkpoint.pt").exists() and not (tmp_path / "checkpoint.pt.other").exists()


def test_overwrite_starts_over_and_the_same_run_continues(tmp_path) -> None:
    _saved(tmp_path, {"lr": 0.001}, ["a", "b"])
    again = _checkpoint(tmp_path / "checkpoint.pt", {"lr": 0.001}, ["a", "b"])
    again.check(run="The folder 'f'")  # the same run: continued
    assert again.restore({"layer": torch.nn.Linear(2, 2)})[0] == 3
    other = _checkpoint(tmp_path / "checkpoint.pt", {"lr": 0.5}, ["a", "b"])
    other.check(run="The folder 'f'", overwrite=True)
    assert other.restore({"layer": torch.nn.Linear(2, 2)}) == (0, {})  # starts over; its first save replaces it


def test_facade_folder_of_other_settings_says_so(tmp_path) -> None:
    out = tmp_path / "facade"
    out.mkdir()
    before = FacadeSettings(steps=20, lr=1e-3)
    (out / FACADE_INFO_FILE).write_text(json.dumps({"kind": "facade", "state": "best", "settings": asdict(before)}))
    (out / "checkpoint.pt").write_bytes(b"x")
    check_facade_out(out, before)  # the same settings: continued
    with pytest.raises(FaithlensError) as caught:
        check_facade_out(out, FacadeSettings(steps=30, lr=1e-3), option="--out", flag="--overwrite")
    said = str(caught.value)
    assert "interrupted `faithlens facade train` run with other settings ('steps' setting was 20, now 30)" in said
    assert "Rerun with the same options as that run to finish it, or pass --overwrite to start over" in said
    assert "must be new or empty" not in said
    check_facade_out(out, FacadeSettings(steps=30), overwrite=True)  # --overwrite: allowed


@pytest.fixture(scope="module")
def lm():
    return tiny("gpt2_lm")


def test_audit_of_a_causal_lm_scores_log_prob_and_says_the_targets_are_generated(lm) -> None:
    texts = ["the film was very", "a good and fun", "it was not", "very good film", "the fun was"]
    report = audit(lm, texts, steps=2, n_examples=1, progress=False)
    assert report.score == "log_prob"  # explain's default for a causal LM
    note = report.settings["targets"]
    assert note.startswith("No target given: attributing the ") and "of each of the 5 text(s)" in note
    markdown = report.to_markdown()
    assert markdown.count("No target given") == 1 and "score F = log_prob" in markdown
    assert "No target given" in report.to_html()
    assert report.methods["saliency"]["kind"] == "gradient"


def test_greedy_note_counts_and_names_the_first_continuation() -> None:
    class E:
        def __init__(self, *warnings):
            self.warnings = warnings

    note = greedy_note([E("No target given: attributing the 2 greedily generated token(s) ' ab'."),
                        E("other", "No target given: attributing the 3 greedily generated token(s) 'c'.")])
    assert note == ("No target given: attributing the 2–3 greedily generated token(s) of each of the 2 text(s) "
                    "(first text: ' ab')")
    assert greedy_note([E("other")]) is None
