"""KernelSHAP and LIME refuse a fit their draws cannot determine (fewer than m + 1 independent coalitions for m
words), by one rule (`perturbation.check_determined`) read before any forward pass: in explain for its texts, in
evaluate for every example before the first record is written (breaker 53, F2 and F4)."""

from __future__ import annotations

import pytest
import torch

from faithlens.errors import FaithlensError
from faithlens.methods.perturbation import FITTED, check_determined, kernel_shap_samples, lime_samples


@pytest.mark.parametrize("method", sorted(FITTED))
def test_the_rule_is_the_rank_of_the_draws_and_names_the_first_text_of_a_count(method):
    samples = {"kernel_shap": kernel_shap_samples, "lime": lime_samples}[method]
    z = samples(6, 40, 0).to(torch.float64)
    assert int(torch.linalg.matrix_rank(torch.cat([torch.ones(40, 1, dtype=torch.float64), z], 1))) == 7
    check_determined(method, [6, 1, 6], 40, 0)  # 40 draws determine 6 words; one word needs no fit
    check_determined(method, [1, 1], 1, 0)
    with pytest.raises(FaithlensError, match=rf"^Text 1: {method} with 3 samples cannot determine the scores of its 6 "
                                             r"words: its linear fit needs 7 independent coalitions and the draws give "
                                             r"[1-3],.*n_samples=200 \(CLI --samples 200\), or use shapley"):
        check_determined(method, [1, 6, 6], 3, 0)
    with pytest.raises(FaithlensError, match=r"its 60 words: .*needs 61 .*n_samples=244 "):
        check_determined(method, [60], 50, 0)  # 4 (m + 1) when it exceeds the default


def test_lime_with_fewer_coalitions_than_words_is_refused_like_kernel_shap_and_the_cli_says_samples(capsys, tmp_path):
    from tiny import save_tiny

    from faithlens.cli import main

    code = main(["explain", "--model", str(save_tiny(tmp_path / "bert")), "--method", "lime", "--samples", "3", "--no-faithfulness",
                 "a truly wonderful and moving film"])
    err = capsys.readouterr().err
    assert code == 2 and "lime with 3 samples cannot determine the scores of its 6 words" in err
    assert "--samples 200" in err and "Traceback" not in err


def test_evaluate_refuses_an_undetermined_fit_before_any_record_is_written(tmp_path):
    from tiny import tiny

    from faithlens.data import Dataset
    from faithlens.evaluate import evaluate

    model = tiny("bert")
    data = Dataset(("fine", "the movie was really good and fun", "a bad plot", "good"), (1, 1, 0, 1), source="four")
    out = tmp_path / "run"
    with pytest.raises(FaithlensError, match=r"^Method kernel_shap:n_samples=8: Example 1 \(.the movie was really good and fun.\): kernel_shap with 8 samples "
                                             r"cannot determine the scores of its 7 words.*kernel_shap:n_samples=200 in "
                                             "--methods"):
        evaluate(model, data, methods=["shapley:n_samples=2", "kernel_shap:n_samples=8"], out=out, progress=False,
                 shuffle=False, batch_size=1)
    assert not (out / "records.jsonl").exists()  # the slow method listed first never ran
    with pytest.raises(FaithlensError, match=r"^Method lime:n_samples=5: Example 1 \(.the movie was really good and fun.\): lime with 5 samples"):
        evaluate(model, data, methods=["lime:n_samples=5"], progress=False, shuffle=False)
    result = evaluate(model, data, methods=["lime:n_samples=40"], progress=False, shuffle=False)
    assert [row["method"] for row in result.rows] == ["lime:n_samples=40"] and result.n_examples == 4


def test_a_qa_example_is_checked_on_its_windows(tmp_path):
    from tiny import tiny

    from faithlens.data import Dataset
    from faithlens.evaluate import evaluate
    from faithlens.fit_checks import word_counts

    model = tiny("bert_qa")
    qa = Dataset((("what was good", "the film was good and fun"), ("who", "me")), (None, None), source="qa",
                 answers=(("good",), ("me",)))
    assert word_counts(model, qa.texts, truncate=False, batch_size=2) == [9, 2]  # question and context words, per segment
    with pytest.raises(FaithlensError, match=r"^Method kernel_shap:n_samples=6: Example 0 \(\('what was good', .*its 9 words"):
        evaluate(model, qa, methods=["kernel_shap:n_samples=6"], progress=False, shuffle=False)
