"""Bad input found by the fifty-seventh breaker (issue 22): the facade analyses cut long texts in silence, merge
--check read a SQuAD file after the merge, and a suggested explain command named a method twice."""

from __future__ import annotations

import pytest

from faithlens.errors import FaithlensError, FaithlensWarning

LONG = " ".join(["great fun film"] * 70)


def test_every_facade_analysis_says_how_many_texts_it_cut():
    from tiny import tiny

    from faithlens.audit.hotflip import hotflip
    from faithlens.audit.manipulation import saliency_manipulation
    from faithlens.audit.merge import agreement
    from faithlens.audit.reduction import input_reduction

    model = tiny("bert")
    runs = {"HotFlip": lambda: hotflip(model, [LONG, "bad"]),
            "input reduction": lambda: input_reduction(model, [LONG, "bad"]),
            "the saliency audit": lambda: saliency_manipulation(model, [LONG, "the bad"], runs=["saliency"],
                                                                 progress=False),
            "agreement": lambda: agreement(model, model, [LONG, "bad"])}
    for what, run in runs.items():
        with pytest.warns(FaithlensWarning, match=rf"^1 of 2 texts are longer than .*'s limit of {model.max_length} tokens "
                                                  rf"\(first: text 0\); {what} reads their first {model.max_length} tokens"):
            run()


def test_merge_check_data_is_read_before_the_merge_and_a_squad_file_refused_for_a_classifier(tmp_path, capsys):
    from tiny import save_tiny, save_tiny_facade

    from faithlens.cli import main

    target = save_tiny(tmp_path / "bert")
    facade = save_tiny_facade(tmp_path / "g", target)
    squad = tmp_path / "sq.json"
    squad.write_text('{"data": [{"title": "t", "paragraphs": [{"context": "the film was good", "qas": [{"id": "1", '
                     '"question": "what was good", "answers": [{"text": "the film", "answer_start": 0}]}]}]}]}')
    out = tmp_path / "merged"
    code = main(["facade", "merge", "--model", str(target), "--facade", str(facade), "--gain", "1", "--out", str(out),
                 "--check", str(squad)])
    err = capsys.readouterr().err
    assert code == 2 and "SQuAD" in err and not out.exists()


def test_a_suggested_explain_command_never_names_a_method_twice(capsys):
    from faithlens.cli import main

    code = main(["explain", "--method", "ig:steps=4", "ig:steps=8", "good film"])
    err = capsys.readouterr().err
    assert code == 2 and "The methods name ig more than once (ig, ig). Name each method once." in err
    assert "put the texts before --method" not in err


def test_agreement_labels_are_a_classifiers_and_a_heldout_that_leaves_too_few_is_named(tmp_path, capsys):
    from tiny import save_tiny, tiny

    from faithlens.audit.merge import agreement
    from faithlens.cli import main

    qa = tiny("bert_qa")
    with pytest.raises(FaithlensError, match=r"labels are class ids for a classifier's accuracies; .* Drop labels"):
        agreement(qa, qa, [("what was good", "the film was good")], labels=[5])
    data = tmp_path / "t3.tsv"
    data.write_text("sentence\tlabel\ngood fun\t1\nbad plot\t0\nfine film\t1\n")
    code = main(["facade", "train", "--model", str(save_tiny(tmp_path / "bert")), "--data", str(data), "--heldout", "2",
                 "--batch-size", "2", "--out", str(tmp_path / "g")])
    err = capsys.readouterr().err
    assert code == 2 and "--heldout 2 leaves 1 to train on, fewer than --batch-size 2" in err
