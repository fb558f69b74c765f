"""Issue 22, twelfth breaker (N10): `facade train` trained a QA model's facade on single sentiment texts, exit 0.

A QA model reads (question, context) pairs; FACADE's QA facade is trained on SQuAD. The data's shape must match
the model's task, checked before any training or model pass, by one rule (`task_inputs.check_data_task`) that
`facade train`, its analyses (saliency, reduce, hotflip), `audit` and `evaluate` share: a QA model refuses single
texts and NLI premise/hypothesis pairs, a classifier refuses a SQuAD file, and a classifier fine-tuned on single
texts refuses pairs for training (the analyses warn, as evaluate and audit do).
"""

from __future__ import annotations

import json
import warnings

import pytest

from tiny import save_tiny

from faithlens.cli import main
from faithlens.errors import FaithlensError, FaithlensWarning

WORDS = ["good", "bad", "fine", "awful", "great", "dull", "nice", "poor"]
RUN = ["--steps", "1", "--batch-size", "2", "--eval-every", "1", "--heldout", "2", "--max-length", "32"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A QA model, a classifier, one fine-tuned on single texts (faithlens_model.json), and three data files."""
    root = tmp_path_factory.mktemp("facade-shape")
    qa, cls, single = save_tiny(root / "qa", "bert_qa"), save_tiny(root / "cls"), save_tiny(root / "single")
    (single / "faithlens_model.json").write_text(json.dumps({"inputs": "texts"}))
    (root / "d.tsv").write_text("sentence\tlabel\n" + "".join(f"a {w} film\t{i % 2}\n" for i, w in enumerate(WORDS)))
    (root / "p.tsv").write_text("premise\thypothesis\tlabel\n"
                                + "".join(f"a {w} film\tit was {w}\t{i % 2}\n" for i, w in enumerate(WORDS)))
    contexts = [f"the film was {w} and fun" for w in WORDS]
    squad = {"version": "1.1", "data": [{"title": "t", "paragraphs": [
        {"context": c, "qas": [{"id": str(i), "question": "what was the film",
                                "answers": [{"text": WORDS[i], "answer_start": c.index(WORDS[i])}]}]}
        for i, c in enumerate(contexts)]}]}
    (root / "sq.json").write_text(json.dumps(squad))
    return root


def _nothing_in(folder) -> bool:
    """Refused before any training: --out (made empty by the CLI's own output check) holds no file."""
    return not folder.exists() or not any(folder.iterdir())


def _fails(capsys, argv) -> str:
    assert main(argv) == 2
    return capsys.readouterr().err


def test_a_qa_facade_refuses_single_texts_before_training(files, capsys):
    err = _fails(capsys, ["facade", "train", "--model", str(files / "qa"), "--data", str(files / "d.tsv"), *RUN,
                          "--out", str(files / "g1")])
    assert "question-answering model" in err and "8 single text(s)" in err
    assert "SQuAD-format .json file" in err and "'question' and 'context' columns" in err and "--pair" not in err
    assert _nothing_in(files / "g1")


def test_a_qa_facade_refuses_nli_pairs(files, capsys):
    err = _fails(capsys, ["facade", "train", "--model", str(files / "qa"), "--data", str(files / "p.tsv"), *RUN,
                          "--out", str(files / "g2")])
    assert "premise/hypothesis pairs" in err and "SQuAD-format" in err
    assert _nothing_in(files / "g2")


def test_a_qa_facade_trains_on_squad(files, capsys):
    assert main(["facade", "train", "--model", str(files / "qa"), "--data", str(files / "sq.json"), *RUN,
                 "--out", str(files / "g3")]) == 0
    assert json.loads((files / "g3" / "faithlens_facade.json").read_text())["state"] == "final"


def test_a_classifier_refuses_a_squad_file_everywhere(files, capsys):
    data = ["--data", str(files / "sq.json")]
    for argv in (["facade", "train", *RUN, "--out", str(files / "g4")], ["facade", "saliency", "--limit", "2"],
                 ["facade", "reduce", "--limit", "2"], ["facade", "hotflip", "--limit", "2"],
                 ["audit", "--limit", "2"], ["evaluate", "--limit", "2", "--methods", "occlusion"]):
        err = _fails(capsys, [*argv, "--model", str(files / "cls"), *data])
        assert "is a classifier" in err and "SQuAD-format file" in err and "or a QA model" in err, argv
    assert _nothing_in(files / "g4")


@pytest.mark.parametrize("command", ["saliency", "reduce", "hotflip"])
def test_the_analyses_refuse_single_texts_for_a_qa_model(files, capsys, command):
    err = _fails(capsys, ["facade", command, "--model", str(files / "qa"), "--data", str(files / "d.tsv"),
                          "--limit", "2"])
    assert "question-answering model" in err and "Pass --data with questions and their contexts" in err


def test_pairs_for_a_single_text_classifier_refused_for_training_warned_for_analyses(files, capsys):
    err = _fails(capsys, ["facade", "train", "--model", str(files / "single"), "--data", str(files / "p.tsv"), *RUN,
                          "--out", str(files / "g5")])
    assert "fine-tuned on single texts" in err and "8 of the 8 examples" in err and "text column" in err
    assert _nothing_in(files / "g5")
    from faithlens.data import load_dataset
    from faithlens.model import load_model
    from faithlens.task_inputs import check_data_task

    model = load_model(str(files / "single"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_data_task(model, load_dataset(str(files / "p.tsv")), run="facade saliency")
    assert any(issubclass(w.category, FaithlensWarning) and "fine-tuned on single texts" in str(w.message)
               for w in caught)
    check_data_task(model, load_dataset(str(files / "d.tsv")), training=True)  # the kind it was trained on: fine


def test_the_python_functions_share_the_rule(files, tmp_path):
    from faithlens.audit.facade import FacadeSettings, train_facade
    from faithlens.audit.manipulation import saliency_manipulation
    from faithlens.audit.reduction import input_reduction
    from faithlens.model import load_model

    qa = load_model(str(files / "qa"))
    texts = [f"a {w} film" for w in WORDS]
    with pytest.raises(FaithlensError, match="question-answering model.*load_dataset"):
        train_facade(qa, texts, texts[:2], out_dir=tmp_path / "g", settings=FacadeSettings(steps=1, batch_size=2),
                     progress=False)
    assert _nothing_in(tmp_path / "g")
    for call in (lambda: saliency_manipulation(qa, texts, runs=[("occlusion", "reverse")], progress=False),
                 lambda: input_reduction(qa, texts)):
        with pytest.raises(FaithlensError, match="question-answering model"):
            call()
