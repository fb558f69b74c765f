"""Issue 22, twenty-fourth breaker F4, F5: an interrupted run says so.

F4: `evaluate --out DIR` stopped early (Ctrl-C, stop_after) wrote results.json, table.md and significance.md for the
examples done with no word that they were a part: results.json now says "complete": false and "examples_asked",
table.md (and report.html) start with "Interrupted after N of M examples ...: rerun the same command to resume", and
the "Most faithful" verdict says it rests on a partial sample. The complete resume rewrites them complete; the
Python result (EvalResult.complete / .partial) says the same.

F5: `facade merge --facade DIR` merged a facade whose `facade train` was interrupted (state 'best', checkpoint.pt
beside it) with no word. It is refused, naming the step reached and the rerun that finishes it.
"""

from __future__ import annotations

import json
import warnings

import pytest
from cli_run import interrupt
from tiny import CORPUS, save_tiny, tiny

import faithlens.evaluate.run as run_module
from faithlens.audit.facade import FacadeSettings, train_facade
from faithlens.audit.facade_spec import check_facade_settings
from faithlens.cli import main
from faithlens.data import Dataset
from faithlens.errors import FaithlensWarning
from faithlens.evaluate import evaluate
from faithlens.model import load_model

DATA = Dataset(tuple(CORPUS), (1, 1, 0, 1, 0, 0), source="corpus")
METHODS = ["grad_x_input", "saliency"]


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FAITHLENS_HOME", str(tmp_path / "cache"))


# --- F4 ---------------------------------------------------------------------------------------------------

def test_an_interrupted_evaluate_says_so_and_the_resume_makes_it_complete(tmp_path):
    model = tiny("bert")
    with pytest.MonkeyPatch.context() as mp:  # batches of 2, two methods: the 5th call is the third batch's first
        interrupt(mp, run_module, "run_method", at_call=5)
        with pytest.raises(KeyboardInterrupt):
            evaluate(model, DATA, methods=METHODS, out=tmp_path, batch_size=2, progress=False)
    results = json.loads((tmp_path / "results.json").read_text())
    assert (results["complete"], results["examples_asked"], results["n_examples"]) == (False, 6, 4)
    table = (tmp_path / "table.md").read_text()
    assert table.splitlines()[0] == "Interrupted after 4 of 6 examples (or still running): rerun the same command to resume."
    assert "(4 examples)" in table
    verdict = [line for line in table.splitlines() if line.startswith("Most faithful")]
    assert len(verdict) == 1 and verdict[0].endswith("This rests on a partial sample (4 of 6 examples: the run was "
                                                     "interrupted) and may change when it is finished.")
    significance = (tmp_path / "significance.md").read_text()
    assert significance.startswith("Interrupted after 4 of 6 examples")
    assert "rests on a partial sample (4 of 6 examples" in significance

    result = evaluate(model, DATA, methods=METHODS, out=tmp_path, batch_size=2, progress=False)  # the resume
    assert (result.complete, result.partial, result.computed) == (True, None, 4)
    results = json.loads((tmp_path / "results.json").read_text())
    assert (results["complete"], results["examples_asked"], results["n_examples"]) == (True, 6, 6)
    for name in ("table.md", "significance.md", "report.html"):
        text = (tmp_path / name).read_text()
        assert "Interrupted" not in text and "partial sample" not in text, name
    assert (tmp_path / "table.md").read_text().startswith("| Method |")


def test_the_python_result_of_a_stopped_run_is_marked_partial(tmp_path):
    result = evaluate(tiny("bert"), DATA, methods=METHODS[:1], out=tmp_path, batch_size=2, progress=False, stop_after=2)
    assert (result.complete, result.examples_asked, result.partial) == (False, 6, (2, 6))
    assert result.markdown().startswith("Interrupted after 2 of 6 examples")
    assert "Interrupted after 2 of 6 examples (or still running)" in (tmp_path / "report.html").read_text()
    whole = evaluate(tiny("bert"), DATA, methods=METHODS[:1], progress=False)
    assert (whole.complete, whole.partial) == (True, None) and not whole.markdown().startswith("Interrupted")


# --- F5 ---------------------------------------------------------------------------------------------------

def test_merge_refuses_an_interrupted_facade_and_takes_it_once_finished(tmp_path, capsys):
    import faithlens.audit.facade as facade

    save_tiny(tmp_path / "cls")
    target = load_model(str(tmp_path / "cls"))
    settings = FacadeSettings(target="stop_words", steps=24, batch_size=8, eval_every=8, heldout=6, lr=1e-2, seed=0)
    out = tmp_path / "g"
    with pytest.MonkeyPatch.context() as mp:
        interrupt(mp, facade, "facade_loss", at_call=13)  # killed at step 13: the log reached step 12
        with pytest.raises(KeyboardInterrupt):
            train_facade(target, CORPUS * 4, CORPUS, out_dir=out, settings=settings, progress=False)
    assert json.loads((out / "faithlens_facade.json").read_text())["state"] != "final"
    argv = ["facade", "merge", "--model", str(tmp_path / "cls"), "--facade", str(out), "--out", str(tmp_path / "m")]
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"faithlens: error: --facade {out}: its `faithlens facade train` was interrupted at step 12 of 24" in err
    assert f"Rerun `faithlens facade train` with the same options and --out {out} to finish it" in err
    assert not (tmp_path / "m").exists()
    warm = FacadeSettings(target="stop_words", init_from=str(out))
    with pytest.warns(FaithlensWarning, match=r"--init-from .*interrupted at step 12 of 24 .*starts from the best weights"):
        check_facade_settings(warm)  # a warm start from an unfinished facade is allowed, and said

    train_facade(target, CORPUS * 4, CORPUS, out_dir=out, settings=settings, progress=False)  # finishes it
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_facade_settings(warm)
    assert main(argv) == 0
    assert json.loads((tmp_path / "m" / "faithlens_facade.json").read_text())["kind"] == "merged"
