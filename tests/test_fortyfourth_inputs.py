"""Inputs the forty-fourth breaker found (a new notebook user of the Python API): audit runs of the wrong kind,
a Run labelled by another method's spec, ... Each is refused before any explaining, naming a call that works."""

from __future__ import annotations

import pytest

from faithlens.audit import Run, audit
from faithlens.errors import FaithlensError

TEXTS = ["good fun film", "a bad movie", "the plot is thin", "great acting here", "boring and slow"]


@pytest.fixture(scope="module")
def model(saved_tiny):
    from faithlens import load_model

    return load_model(str(saved_tiny))


@pytest.mark.parametrize("kw, said", [
    (dict(gradient_runs=[]), "gradient_runs is empty"),
    (dict(gradient_runs=["occlusion"]), "gradient_runs lists occlusion, which read"),
    (dict(gradient_runs=["saliency", "random"]), "gradient_runs lists random"),
    (dict(output_runs=["saliency"]), "output_runs lists saliency, which read"),
    (dict(output_runs=["shapley"]), r"output_runs must hold Run\('occlusion'\)"),
    (dict(gradient_runs=[Run("ig", steps=3, spec="occlusion")]), "must name its method 'ig'"),
])
def test_audit_runs_of_the_wrong_kind_are_refused_before_any_explaining(model, monkeypatch, kw, said):
    import faithlens.audit.report as report

    def explained(*a, **k):
        raise AssertionError("explained before the runs were checked")

    monkeypatch.setattr(report, "explain_runs", explained)
    with pytest.raises(FaithlensError, match=said):
        audit(model, TEXTS, steps=2, progress=False, **kw)


def test_audit_takes_another_output_based_run_beside_occlusion(model):
    report = audit(model, TEXTS, steps=2, progress=False, gradient_runs=["saliency"], output_runs=["occlusion", "shapley"])
    assert {k: v["kind"] for k, v in report.methods.items()} == {"saliency": "gradient", "occlusion": "output",
                                                                 "shapley": "output"}
    assert report.settings["reference"] == "occlusion"


def test_a_resume_refusal_names_the_runs_own_curves_in_python(tmp_path, model):
    """A run with curves resumed from Python without them: the refusal named 'with curves (the default)', which in
    Python is no curves; it now names the call that resumes (curves=metrics.AOPC_FRACTIONS), and that call works."""
    from faithlens import metrics
    from faithlens.evaluate import evaluate
    from faithlens.data import Dataset

    data = Dataset(("a good film", "a bad film", "the plot was dull"), (1, 0, 0), source="d")
    out = tmp_path / "run"
    evaluate(model, data, methods=["occlusion"], out=out, curves=metrics.AOPC_FRACTIONS, progress=False)
    with pytest.raises(FaithlensError, match=r"give the run's setting: curves=metrics\.AOPC_FRACTIONS"):
        evaluate(model, data, methods=["occlusion"], out=out, progress=False)
    assert evaluate(model, data, methods=["occlusion"], out=out, curves=metrics.AOPC_FRACTIONS, progress=False)
    other = tmp_path / "other"
    evaluate(model, data, methods=["occlusion"], out=other, curves=[0.2], progress=False)
    with pytest.raises(FaithlensError, match=r"curves=\[0\.2\] \(the CLI gives only"):
        evaluate(model, data, methods=["occlusion"], out=other, progress=False)


def test_swapped_text_and_label_columns_are_refused_naming_the_swap(tmp_path, capsys, saved_tiny):
    from faithlens.cli import main
    from faithlens.data import load_dataset

    path = tmp_path / "d.tsv"
    path.write_text("sentence\tlabel\na charming journey .\t1\nbleak and desperate\t0\nfunny and warm\t1\n")
    with pytest.raises(FaithlensError, match="look swapped. Pass text_column='sentence' and label_column='label'"):
        load_dataset(str(path), text_column="label", label_column="sentence")
    assert load_dataset(str(path)).texts[0] == "a charming journey ."  # found by their names
    numbers = tmp_path / "n.tsv"  # texts that are numbers beside number labels: no swap to see
    numbers.write_text("text\tlabel\n12\t1\n3.5\t0\n")
    assert load_dataset(str(numbers)).texts == ("12", "3.5")
    assert main(["train", "--train", str(path), "--text-column", "label", "--label-column", "sentence", "--base",
                 str(saved_tiny), "--out", str(tmp_path / "o")]) == 2
    assert "look swapped" in capsys.readouterr().err and not (tmp_path / "o").exists()


def test_a_format_given_against_the_files_name_is_named_as_the_cause(tmp_path):
    from faithlens.data import load_dataset

    path = tmp_path / "d.tsv"
    path.write_text("sentence\tlabel\ngood\t1\n")
    with pytest.raises(FaithlensError, match="because the format was given as csv: leave the format out"):
        load_dataset(str(path), format="csv")
    comma = tmp_path / "d.csv"
    comma.write_text("sentence,label\ngood,1\n")
    with pytest.raises(FaithlensError, match="because the format was given as tsv"):
        load_dataset(str(comma), format="tsv")


@pytest.mark.parametrize("kw, said", [
    (dict(dtype="int32"), "'dtype' parameter must be a floating-point"),
    (dict(dtype=int), "'dtype' parameter must be a floating-point"),
    (dict(device_map="bogus"), "'device_map' parameter must be one of auto"),
    (dict(device_map=1.5), "'device_map' parameter"),
])
def test_load_model_settings_are_checked_before_any_file_is_read(kw, said, monkeypatch):
    import torch

    import faithlens
    from faithlens import model as model_module

    monkeypatch.setattr(model_module, "check_model_source", lambda *a, **k: pytest.fail("read before the check"))
    with pytest.raises(FaithlensError, match=said):
        faithlens.load_model("some/model", **kw)
    if "dtype" in kw:
        with pytest.raises(FaithlensError, match=said):
            faithlens.Explainer("some/model", **kw)
    assert torch.float64.is_floating_point


def test_load_model_given_a_loaded_model_says_to_use_it(model):
    import faithlens

    with pytest.raises(FaithlensError, match="already loaded"):
        faithlens.load_model(model)
    assert faithlens.Explainer(model).model is model


def test_audit_refuses_a_long_text_before_explaining_unless_truncate_and_then_counts_it(model, monkeypatch, tmp_path,
                                                                                        capsys, saved_tiny):
    import faithlens.audit.report as report
    from faithlens.cli import main

    long = "good " * (model.max_length + 10)
    real = report.explain_runs
    monkeypatch.setattr(report, "explain_runs", lambda *a, **k: pytest.fail("explained before the check"))
    with pytest.raises(FaithlensError, match=r"1 of 6 texts are longer than the model's limit.*truncate=True"):
        audit(model, TEXTS + [long], steps=2, progress=False)
    with pytest.raises(FaithlensError, match="progress must be True or False"):
        audit(model, TEXTS, steps=2, progress="no")
    monkeypatch.setattr(report, "explain_runs", real)
    r = audit(model, TEXTS + [long], steps=2, progress=False, truncate=True)
    assert r.settings["truncated"] == 1 and any("1 of 6 texts were longer" in f for f in r.findings)
    assert audit(model, TEXTS, steps=2, progress=False).settings["truncated"] == 0
    data = tmp_path / "d.tsv"
    data.write_text("text\n" + "\n".join(TEXTS + [long]) + "\n")
    assert main(["audit", "--model", str(saved_tiny), "--data", str(data), "--steps", "2"]) == 2
    assert "--truncate" in capsys.readouterr().err


def test_api_views_and_runs_refuse_values_that_would_read_backwards_or_fail_inside(model):
    from faithlens import Explainer
    from faithlens.audit.manipulation import run_of

    ex = Explainer(model)
    c = ex.compare("good movie", methods=["occlusion"], faithfulness=False)
    for bad in (None, 123, b"x"):
        with pytest.raises(FaithlensError, match="'title' parameter must be a str"):
            c.to_html(title=bad)
    with pytest.raises(FaithlensError, match="bars must be True or False.*always true"):
        c.to_terminal(bars="no")
    with pytest.raises(FaithlensError, match=r"colour must be True or False \(or None\)"):
        c.to_terminal(colour="no")
    assert "\x1b[" not in c.to_terminal(colour=False, bars=True)
    with pytest.raises(FaithlensError, match="Got 1 contrasts for 2 texts: a list holds one contrast per text"):
        ex.explain(["a film", "a movie"], "grad_x_input", target=1, contrast=[0])
    with pytest.raises(FaithlensError, match="has no setting 'bogus': smoothgrad reads n_samples, noise"):
        run_of(Run("smoothgrad", options=(("bogus", 1),)))
    with pytest.raises(FaithlensError, match="a mode is SIG's"):
        run_of(Run("ig", mode="closed"))
    assert run_of(Run("smoothgrad", options=(("noise", 0.1),))).options == (("noise", 0.1),)


def test_notebook_calls_get_clear_answers(model, saved_tiny):
    import torch

    import faithlens

    e = faithlens.explain("good film", "occlusion", model=str(saved_tiny), dtype=torch.float64, faithfulness=False)
    assert e.method == "occlusion" and e.settings.get("dtype", "float64") == "float64"
    with pytest.raises(FaithlensError) as info:
        faithlens.Explainer(model).explain("good film", "ig", tolerance=2)
    assert "must be a number in (0, 1)" in str(info.value) and "tolerance of 0" not in str(info.value)
    with pytest.raises(FaithlensError, match="A tolerance of 0 can never be met"):
        faithlens.Explainer(model).explain("good film", "ig", tolerance=0)
    with pytest.raises(FaithlensError, match="classes lists 'stop_words' twice"):
        audit(model, TEXTS, steps=2, progress=False, classes=["stop_words", "stop_words"])


def test_a_runs_spec_label_must_say_what_runs():
    from faithlens.audit.manipulation import run_of

    for run in (Run("ig", spec="ig:steps=5"), Run("ig", steps=7, spec="ig:steps=5"),
                Run("smoothgrad", spec="smoothgrad:noise=0.5")):
        with pytest.raises(FaithlensError, match="labels a run whose own settings differ"):
            run_of(run)
    assert run_of(Run("ig", steps=5, spec="ig:steps=5")).label == "ig:steps=5"
    assert run_of(run_of("smoothgrad:noise=0.5")) == run_of("smoothgrad:noise=0.5")  # read twice: the same Run


def test_a_label_that_is_a_list_of_numbers_is_refused_not_made_a_class(tmp_path, capsys, saved_tiny):
    """'1,0,1' (a multi-hot vector as a string) was read as a class name: train made 4 classes of such strings."""
    from faithlens.cli import main
    from faithlens.data import load_dataset

    path = tmp_path / "ml.jsonl"
    path.write_text('{"text": "good film", "labels": "1,0,1"}\n{"text": "bad film", "labels": "0,1,0"}\n')
    with pytest.raises(FaithlensError, match="has the label '1,0,1', a list of numbers"):
        load_dataset(str(path))
    assert main(["train", "--train", str(path), "--base", str(saved_tiny), "--out", str(tmp_path / "o")]) == 2
    assert "a list of numbers" in capsys.readouterr().err and not (tmp_path / "o").exists()
