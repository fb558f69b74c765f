"""Issue 22, twenty-fifth breaker F1, F2 and minor notes: a `Comparison` refuses entries explained under different
shared settings (score, baseline, ...), `load_result` says whether a rebuilt run is complete (or that it is not known),
a method spec given to Python's explain names the keyword form, and bad arguments end in clear errors."""

from __future__ import annotations

import json

import pytest
from tiny import CORPUS, tiny

from faithlens import Comparison, Explainer
from faithlens.accuracy import _percent
from faithlens.data import Dataset
from faithlens.errors import FaithlensError
from faithlens.evaluate import evaluate, load_result

TEXT = "a dull, tired film"
DATA = Dataset(tuple(CORPUS), tuple([1, 1, 0, 1, 0, 0][:len(CORPUS)]), source="tiny-corpus")


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FAITHLENS_HOME", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def explainer():
    return Explainer(tiny("bert"))


# --- F1: a Comparison holds one setting of what is scored ------------------------------------------------------------

@pytest.mark.parametrize("other, key", [(dict(score="prob"), "score"), (dict(baseline="zero"), "baseline"),
                                        (dict(baseline_token="[CLS]"), "baseline")])
def test_comparison_refuses_entries_of_another_score_or_baseline(explainer, other, key):
    first = explainer.explain(TEXT, "sig")
    second = explainer.explain(TEXT, "ig", steps=4, **other)
    with pytest.raises(FaithlensError, match=rf"differ in the setting '{key}': 'sig' has .*'ig' has"):
        Comparison({"sig": first, "ig": second}).to_terminal()
    c = Comparison(sig=first)
    with pytest.raises(FaithlensError, match=rf"setting '{key}'"):
        c["ig"] = second
    assert list(c) == ["sig"]


def test_comparison_accepts_method_settings_and_compare_under_a_shared_baseline(explainer):
    same = Comparison({"sig": explainer.explain(TEXT, "sig"), "ig": explainer.explain(TEXT, "ig", steps=4),
                       "shapley": explainer.explain(TEXT, "shapley", n_samples=3)})
    assert len(same.checked()) == 3  # steps, n_samples, unit may differ: they are what is compared
    c = explainer.compare(TEXT, methods=["sig", "ig", "saliency", "occlusion"], baseline="pad", score="prob", steps=4,
                          faithfulness=False)
    assert len(c.checked()) == 4  # saliency reads no baseline: its recorded default is not a difference
    assert c["saliency"].settings["baseline"] != c["sig"].settings["baseline"] == "pad"


# --- F2: load_result of an unfinished run ----------------------------------------------------------------------------

def test_load_result_of_a_stopped_run_says_it_is_partial(tmp_path):
    part = evaluate(tiny("bert"), DATA, methods=["occlusion"], out=tmp_path, progress=False, stop_after=2, batch_size=2)
    assert part.complete is False
    back = load_result(tmp_path)
    assert (back.complete, back.examples_asked) == (False, len(CORPUS))
    assert back.partial == (part.n_examples, len(CORPUS))
    assert back.markdown().startswith(f"Interrupted after {part.n_examples} of {len(CORPUS)} examples")
    assert "Interrupted after" in back.to_html()


def test_load_result_without_results_json_reads_the_selection_or_says_unknown(tmp_path):
    evaluate(tiny("bert"), DATA, methods=["occlusion"], out=tmp_path, progress=False)
    assert load_result(tmp_path).complete is True
    results = tmp_path / "results.json"
    saved = json.loads(results.read_text())
    results.write_text(json.dumps(dict(saved, examples_asked=None)))
    settings = json.loads((tmp_path / "settings.json").read_text())
    assert "selected" not in settings.get("dataset_info", {})  # a Dataset built in Python: no selection recorded
    unknown = load_result(tmp_path)
    assert unknown.complete is None and unknown.examples_asked is None and unknown.partial is None
    assert unknown.markdown().startswith("Completeness unknown")
    assert "Completeness unknown" in unknown.to_html()
    # the records of every example, with results.json saying how many were asked: complete again
    results.write_text(json.dumps(dict(saved, examples_asked=len(CORPUS) + 1)))
    assert load_result(tmp_path).partial == (len(CORPUS), len(CORPUS) + 1)


@pytest.mark.parametrize("bad", [None, b"runs", 3])
def test_load_result_of_a_non_path_is_a_clear_error(bad):
    with pytest.raises(FaithlensError, match="load_result takes the --out folder"):
        load_result(bad)


# --- minor notes -----------------------------------------------------------------------------------------------------

def test_a_method_spec_in_python_names_the_keyword_form(explainer):
    with pytest.raises(FaithlensError, match=r"method spec.*method='ig', steps=5, rule='trapezoid'"):
        explainer.explain(TEXT, method="ig:steps=5,rule=trapezoid")
    with pytest.raises(FaithlensError, match="Unknown method 'bogus:x=1'"):
        explainer.explain(TEXT, method="bogus:x=1")


def test_a_tiny_completeness_gap_is_printed_with_its_digits():
    assert _percent(2.8e-7) == "2.8e-05 %"
    assert _percent(0) == "0 %"


def test_warn_above_zero_prints_the_gap_not_zero():
    import torch

    e = Explainer(tiny("bert", dtype=torch.float64)).explain(TEXT, "ig", steps=200, warn_above=0)
    assert e.error["relative"] < 1e-10  # a gap far below 1 %, once printed "by 0%"
    gap = [w for w in e.warnings if "miss completeness by" in w]
    assert gap and f"by {_percent(e.error['relative'])} (" in gap[0] and "e-1" in gap[0]


def test_audit_markdown_images_must_be_paths():
    from faithlens.audit.report import AuditReport

    report = AuditReport.__new__(AuditReport)
    with pytest.raises(FaithlensError, match="images as a list of plot file paths"):
        report.to_markdown(images=[None])


def test_load_result_without_results_json_counts_the_recorded_selection(tmp_path):
    from faithlens.data import select

    chosen = select(DATA, limit=4)
    evaluate(tiny("bert"), chosen, methods=["occlusion"], out=tmp_path, progress=False, stop_after=2, batch_size=2)
    (tmp_path / "results.json").unlink()
    back = load_result(tmp_path)
    assert (back.complete, back.examples_asked) == (False, 4)
    assert back.markdown().startswith(f"Interrupted after {back.n_examples} of 4 examples")
