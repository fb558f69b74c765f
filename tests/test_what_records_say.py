"""What a run records and a view labels is what happened (breaker 53, N2–N4): evaluate's recorded ``shuffle`` is the
dataset's own selection; Gradient×Input and Saliency are labelled as definitions, not as exact F differences; token
scores shown per word say that a word is the sum of its tokens'."""

from __future__ import annotations

import json

import pytest

from faithlens.errors import FaithlensError


def _data():
    from faithlens.data import Dataset

    return Dataset(("fine", "a bad plot", "good fun"), (1, 0, 1), source="three")


def test_evaluate_records_the_selection_it_was_given_and_refuses_a_contradicting_shuffle(tmp_path):
    from tiny import tiny

    from faithlens.data import select
    from faithlens.evaluate import evaluate

    model = tiny("bert")
    plain = evaluate(model, _data(), methods=["occlusion"], out=tmp_path / "a", progress=False)
    assert plain.settings.shuffle is False  # never selected: in the order given
    saved = json.loads((tmp_path / "a" / "settings.json").read_text())
    assert saved["settings"]["shuffle"] is False
    drawn = select(_data(), limit=3, seed=0, shuffle=True)
    assert evaluate(model, drawn, methods=["occlusion"], progress=False).settings.shuffle is True
    assert evaluate(model, select(_data(), shuffle=False), methods=["occlusion"], progress=False).settings.shuffle is False
    assert evaluate(model, _data(), methods=["occlusion"], progress=False, shuffle=True).settings.shuffle is True
    with pytest.raises(FaithlensError, match=r"^shuffle=False records that the examples were not drawn in a seeded "
                                             r"shuffle, but the dataset was selected with shuffle=True\. Drop shuffle="):
        evaluate(model, drawn, methods=["occlusion"], progress=False, shuffle=False)


def test_the_cli_resumes_a_python_run_over_a_file_in_its_order(tmp_path, capsys):
    from tiny import save_tiny

    from faithlens.cli import main
    from faithlens.data import load_dataset
    from faithlens.evaluate import evaluate
    from faithlens.model import load_model

    folder = save_tiny(tmp_path / "bert")
    data = tmp_path / "d.tsv"
    data.write_text("sentence\tlabel\nfine\t1\na bad plot\t0\ngood fun\t1\n")
    evaluate(load_model(str(folder)), load_dataset(str(data)), methods=["occlusion"], out=tmp_path / "run",
             progress=False, stop_after=1, batch_size=1)
    code = main(["evaluate", "--model", str(folder), "--data", str(data), "--methods", "occlusion", "--no-shuffle",
                 "--out", str(tmp_path / "run"), "--batch-size", "1", "--no-random", "--no-curves", "--quiet"])
    assert code == 0, capsys.readouterr().err
    assert len((tmp_path / "run" / "records.jsonl").read_text().splitlines()) == 3


def test_a_definition_is_not_labelled_exact_and_token_scores_say_how_words_are_shown():
    from tiny import tiny

    from faithlens import Explainer
    from faithlens.accuracy import describe
    from faithlens.views.parts import delta_text

    ex = Explainer(tiny("bert"))
    for method in ("grad_x_input", "saliency"):
        e = ex.explain("a bad plot", method)
        assert e.error["kind"] == "exact" and delta_text(e) == "its definition, no approximation"
    assert delta_text(ex.explain("a bad plot", "occlusion")) == "exact"
    assert delta_text(ex.explain("a bad plot", "sig", unit="token")) == "exact per token (a word shows its tokens' sum)"
    assert describe({"kind": "exact", "relative": 0.0, "measure": "closed form"}) == "exact"
