"""Twenty-first breaker F1 (issue 22): `train --task qa --test` must hold unseen questions. The same file, or a copy of
its bytes, is refused before any model loads; a file sharing questions with --train is named in a warning with the
count of questions and articles. One rule for both train paths (`splits.check_unseen`)."""

import json
import shutil
import warnings

import pytest

from faithlens.cli import main
from faithlens.errors import FaithlensError, FaithlensWarning
from faithlens.qa import QAExample
from faithlens.splits import check_unseen


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def _article(title, words, ids=True):
    """One article of two paragraphs, each with two questions answered by the context's first word."""
    paragraphs = []
    for p in range(2):
        context = f"{words[p]} wrote the book in Paris."
        qas = [{"question": f"Who wrote the book {q} ({title} {p})?",
                "answers": [{"text": words[p], "answer_start": 0}]} for q in range(2)]
        if ids:
            for q, qa in enumerate(qas):
                qa["id"] = f"{title}-{p}-{q}"
        paragraphs.append({"context": context, "qas": qas})
    return {"title": title, "paragraphs": paragraphs}


def _squad(path, *articles):
    path.write_text(json.dumps({"version": "1.1", "data": list(articles)}), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path):
    a, b, c, d = (_article(t, w) for t, w in (("A", "Ann Bob"), ("B", "Cy Dee"), ("C", "Eve Fay"), ("D", "Gus Hal")))
    return {"train": _squad(tmp_path / "sq.json", a, b),
            "overlap": _squad(tmp_path / "overlap.json", a, c, d),  # article A (4 questions) is also in --train
            "disjoint": _squad(tmp_path / "disjoint.json", c, d)}


@pytest.fixture
def stop_before_training(monkeypatch):
    """Records whether training was reached; raises there, so no model loads."""
    import faithlens.training as training

    reached = []

    def fine_tune_qa(**kwargs):
        reached.append(kwargs)
        raise FaithlensError("training reached")
    monkeypatch.setattr(training, "fine_tune_qa", fine_tune_qa)
    return reached


@pytest.fixture(scope="module")
def saved_qa(tmp_path_factory):
    from tiny import save_tiny

    return save_tiny(tmp_path_factory.mktemp("tiny-qa"), "bert_qa")


def _train(capsys, files, test, out, base):
    return run(capsys, "train", "--task", "qa", "--train", files["train"], "--test", test, "--base", base,
               "--out", out, "--max-length", 32, "--stride", 8)


def test_the_training_file_as_test_is_refused_before_any_model(files, saved_qa, tmp_path, capsys, stop_before_training):
    out = tmp_path / "m"
    code, printed, err = _train(capsys, files, files["train"], out, saved_qa)
    assert code == 2 and printed == "" and not out.exists() and not stop_before_training
    train = files["train"]
    assert f"--test {train} is the same file as --train {train}: its EM and F1 would be measured on the questions" in err
    assert "--holdout" in err and "unseen questions" in err
    # the same file by another spelling of its path
    (tmp_path / "sub").mkdir()
    code, _, err = _train(capsys, files, tmp_path / "sub" / ".." / "sq.json", out, saved_qa)
    assert code == 2 and "is the same file as --train" in err and not stop_before_training


def test_a_byte_copy_of_the_training_file_is_refused(files, saved_qa, tmp_path, capsys, stop_before_training):
    copy = tmp_path / "copy.json"
    shutil.copy(files["train"], copy)
    code, _, err = _train(capsys, files, copy, tmp_path / "m", saved_qa)
    assert code == 2 and f"--test {copy} is a file with the same content as --train {files['train']}" in err
    assert not stop_before_training


def test_shared_questions_are_warned_with_their_count(files, saved_qa, tmp_path, capsys, stop_before_training):
    with pytest.warns(FaithlensWarning) as said:
        code, _, err = _train(capsys, files, files["overlap"], tmp_path / "m", saved_qa)
    assert code == 2 and "training reached" in err  # a warning, not a refusal: training goes on
    messages = [str(w.message) for w in said if "are also in" in str(w.message)]
    assert len(messages) == 1, [str(w.message) for w in said]
    assert messages[0].startswith(f"4 of the 12 questions of --test {files['overlap']} are also in --train "
                                  f"{files['train']} (the same question id, or the same question on the same context; "
                                  "from 1 of its 3 articles): its EM and F1 count questions the model is trained on")


def test_a_disjoint_test_file_is_silent(files, saved_qa, tmp_path, capsys, stop_before_training):
    with warnings.catch_warnings():
        warnings.simplefilter("error", FaithlensWarning)
        code, _, err = _train(capsys, files, files["disjoint"], tmp_path / "m", saved_qa)
    assert code == 2 and "training reached" in err and "also in" not in err
    assert len(stop_before_training) == 1 and len(stop_before_training[0]["test"]) == 8


def _q(qid, question, context="Ann wrote it.", title="A"):
    return QAExample(id=qid, title=title, question=question, context=context, answers=("Ann",), answer_start=0)


def test_questions_are_shared_by_id_or_by_question_and_context():
    train = [_q("x1", "Who?"), _q("#1", "Who wrote it?")]
    with pytest.warns(FaithlensWarning, match=r"^2 of the 4 questions of --test t.json .*from 2 of its 3 articles"):
        check_unseen(("--train s.json", None, train), [("--test t.json", None, [
            _q("x1", "Renamed?", title="B"),  # the same id
            _q("#0", "Who wrote it?", title="C"),  # no id: the same question on the same context
            _q("#1", "Other?", title="C"),  # '#1' names a place in the file, not an id: not matched
            _q("y", "Who wrote it?", context="Bob wrote it.", title="D")])], fix="x")  # another context
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_unseen(("--train s.json", None, train), [("--test t.json", None, [_q("z", "Where?")])], fix="x")


def test_classification_is_refused_and_warned_as_before(tmp_path, capsys, stop_before_training):
    train = tmp_path / "t.tsv"
    train.write_text("sentence\tlabel\n" + "".join(f"text {i}\t{i % 2}\n" for i in range(10)), encoding="utf-8")
    code, _, err = run(capsys, "train", "--train", train, "--test", train, "--out", tmp_path / "m", "--max-length", 16)
    assert code == 2 and f"--test {train} is the same file as --train {train}: its accuracy would be measured on the " \
                         "examples the model is trained on" in err
    with pytest.warns(FaithlensWarning, match=r"^2 of the 3 examples of --test t.tsv are also in --train a.tsv "
                                              r"\(the same text\): its accuracy counts examples"):
        check_unseen(("--train a.tsv", None, ["a", "b", "c"]), [("--test t.tsv", None, ["a", "b", "z"])], fix="x")
