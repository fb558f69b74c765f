"""Issue 22, thirty-third breaker F1-F8: fine_tune's splits (a str of texts, None and empty texts, None labels),
audit's model, runs, seed and example count, load_result's count of asked examples, read_run of a missing folder,
fine_tune_qa's examples and QAExample's answers."""

from __future__ import annotations

import json

import pytest

from tiny import CORPUS, save_tiny, tiny

from faithlens.audit import Run, audit
from faithlens.data import Dataset
from faithlens.errors import FaithlensError
from faithlens.evaluate import evaluate, load_result, read_run
from faithlens.qa import QAExample
from faithlens.training import fine_tune, fine_tune_qa

TEXTS = ["a good film", "a bad film", "the best movie ever", "dull and boring", "fine acting here"]
GOOD = (["a good film", "a bad film"] * 3, [1, 0] * 3)


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FAITHLENS_HOME", str(tmp_path / "cache"))


@pytest.mark.parametrize("split, said", [
    (("abc", [0, 1, 0]), "must hold a list of texts. Got str 'abc'"),
    (([None, "a bad film"], [1, 0]), "Example 0 (counting from 0) is NoneType None"),
    ((["a good film", "  "], [1, 0]), "Example 1 (counting from 0) is an empty text '  '"),
    ((["a good film", "a bad film"], [1, None]), "Example 1 has None"),
])
@pytest.mark.parametrize("where", ["train", "validation"])
def test_fine_tune_refuses_each_bad_split_naming_the_example(tmp_path, split, said, where):
    splits = {"train": GOOD, "validation": ([], []), "test": ([], []), where: split}
    with pytest.raises(FaithlensError, match=f"The '{where}' split of fine_tune .*" + said.replace("(", r"\(").replace(")", r"\)")):
        fine_tune(base_model=str(tmp_path / "none"), out_dir=tmp_path / "m", label_names=["negative", "positive"],
                  progress=False, **splits)
    assert not (tmp_path / "m").exists()


def test_audit_refuses_a_path_an_unknown_run_and_out_of_range_counts():
    model = tiny("bert")
    with pytest.raises(FaithlensError, match=r"The 'model' parameter of audit must be a loaded model. Got str"):
        audit("models/cls", TEXTS, progress=False)
    with pytest.raises(FaithlensError, match=r"Unknown method of a Run 'nope'. Valid choices: .*occlusion"):
        audit(model, TEXTS, progress=False, gradient_runs=(Run("nope"),))
    with pytest.raises(FaithlensError, match=r"The 'seed' parameter must be an int in \[0, 4,294,967,295\]. Got -1"):
        audit(model, TEXTS, progress=False, seed=-1)
    with pytest.raises(FaithlensError, match=r"The 'n_examples' parameter must be an int in \[0, "):
        audit(model, TEXTS, progress=False, n_examples=-1)


def test_load_result_counts_asked_examples_from_the_digested_settings(tmp_path):
    from faithlens.data import select

    data = select(Dataset(tuple(CORPUS), (1, 1, 0, 1, 0, 0), source="corpus"), limit=6, seed=0)
    evaluate(tiny("bert"), data, methods=["saliency"], out=tmp_path, batch_size=2, progress=False, stop_after=2)
    results = json.loads((tmp_path / "results.json").read_text())
    results["examples_asked"] = 2  # an edit that would make the partial run look complete
    (tmp_path / "results.json").write_text(json.dumps(results))
    loaded = load_result(tmp_path)
    assert (loaded.complete, loaded.examples_asked) == (False, 6)


@pytest.mark.parametrize("out, said", [("nope", "does not exist"), (None, "Got NoneType None")])
def test_read_run_refuses_what_is_not_a_run_folder(tmp_path, out, said):
    with pytest.raises(FaithlensError, match=f"read_run takes the --out folder of an evaluate run. .*{said}"):
        read_run(tmp_path / out if out else out)


def test_fine_tune_qa_takes_qa_examples_and_names_the_reader(tmp_path):
    for given in ("sq.json", [{"question": "Who?", "context": "Bob ran."}]):
        with pytest.raises(FaithlensError, match=r"fine_tune_qa are QAExample objects.* faithlens.qa.read_squad\(path\)"):
            fine_tune_qa(base_model=str(tmp_path / "none"), train=given, test=[], out_dir=tmp_path / "m", progress=False)


def test_qa_example_refuses_a_str_of_answers():
    with pytest.raises(FaithlensError, match=r"answers=...\) is the list of reference answer texts. Got str 'Bob'. Wrap "
                                             r"one answer in a list: answers=\['Bob'\]"):
        QAExample(id="1", title="t", question="Who ran?", context="Bob ran home.", answers="Bob", answer_start=0)
    ok = QAExample(id="1", title="t", question="Who ran?", context="Bob ran home.", answers=["Bob"], answer_start=0)
    assert ok.answers == ("Bob",)
    with pytest.raises(FaithlensError, match=r"answer_start=...\) is the first answer's character offset, an int"):
        QAExample(id="1", title="t", question="Who ran?", context="Bob ran home.", answers=["Bob"], answer_start="0")
