"""Issue 22, twenty-fifth breaker F6-F8: the audit entry points (`audit`, `hotflip`, `input_reduction`,
`saliency_manipulation`, `agreement`) read their texts by explain's rule (a str is one text, a generator is read once,
a set is refused); their other arguments (labels, chunk, classes, gradient_runs) are checked up front with a clear
FaithlensError; and `explain --file` reads a one-column .tsv with a header by columns, as `evaluate --data` does."""

import pytest

from faithlens.audit import Run, agreement, audit, hotflip, input_reduction, saliency_manipulation
from faithlens.cli import main
from faithlens.errors import FaithlensError
from faithlens.headers import header_format
from faithlens.text_files import read_text_file
from tiny import CORPUS, tiny

TEXTS = CORPUS[:5]


@pytest.fixture(scope="module")
def model():
    return tiny("bert")


def test_a_str_is_one_text_in_every_audit_entry_point(model):
    text = TEXTS[0]
    assert audit(model, text, steps=2, progress=False).n == 1
    assert len(hotflip(model, text).original) == 1
    assert len(input_reduction(model, text).original) == 1
    assert saliency_manipulation(model, text, runs=["saliency"], progress=False)["n"] == 1
    assert agreement(model, model, text)["n"] == 1


def test_a_generator_is_read_once_and_a_set_is_refused(model):
    assert audit(model, (t for t in TEXTS), steps=2, progress=False).n == 5
    assert len(hotflip(model, iter(TEXTS[:2])).flips) == 2
    assert len(input_reduction(model, (t for t in TEXTS[:2])).reduced) == 2
    for call in (lambda: audit(model, set(TEXTS), steps=2, progress=False), lambda: hotflip(model, set(TEXTS)),
                 lambda: input_reduction(model, frozenset(TEXTS)), lambda: agreement(model, model, set(TEXTS))):
        with pytest.raises(FaithlensError, match="no order"):
            call()


def test_no_texts_and_an_empty_text_are_refused(model):
    with pytest.raises(FaithlensError, match="No text was given"):
        agreement(model, model, [])
    with pytest.raises(FaithlensError, match="Text 1 is empty"):
        hotflip(model, [TEXTS[0], "  "])


def test_agreement_labels_are_checked_before_predicting(model):
    assert agreement(model, model, TEXTS, labels=[1, 0, 1, 0, 1])["agreement"] == 1.0
    with pytest.raises(FaithlensError, match="4 label\\(s\\) for 5 text"):
        agreement(model, model, TEXTS, labels=[1, 0, 1, 0])
    for bad in (5, -1, True, "positive", 1.0):
        with pytest.raises(FaithlensError, match=r"Label 4 is .*\[0, 2\)"):
            agreement(model, model, TEXTS, labels=[1, 0, 1, 0, bad])
    with pytest.raises(FaithlensError, match="labels must be a list"):
        agreement(model, model, TEXTS[:1], labels="1")


def test_chunk_must_be_a_positive_int(model):
    for bad in (0, -1, 1.5, True):
        with pytest.raises(FaithlensError, match="'chunk' parameter"):
            hotflip(model, TEXTS[:2], chunk=bad)
        with pytest.raises(FaithlensError, match="'chunk' parameter"):
            input_reduction(model, TEXTS[:2], chunk=bad)
    assert len(hotflip(model, TEXTS[:2], chunk=1).flips) == 2


def test_audit_classes_must_be_known_names_or_word_sets(model):
    with pytest.raises(FaithlensError, match="Unknown token class 'bogus'.*stop_words, first_token, punctuation"):
        audit(model, TEXTS, steps=2, classes=["bogus"], progress=False)
    with pytest.raises(FaithlensError, match="classes must be a list"):
        audit(model, TEXTS, steps=2, classes="stop_words", progress=False)
    word = next(w for w in TEXTS[0].lower().split() if w.isalpha())
    report = audit(model, TEXTS, steps=2, classes=["punctuation", {word}], progress=False)
    assert report.settings["classes"] == ["punctuation", f"words: {word}"]


def test_audit_runs_are_read_or_refused(model):
    with pytest.raises(FaithlensError, match="Unknown method 'bogus'"):
        audit(model, TEXTS, steps=2, gradient_runs=["bogus"], progress=False)
    with pytest.raises(FaithlensError, match="gradient_runs must be a list"):
        audit(model, TEXTS, steps=2, gradient_runs="saliency", progress=False)
    with pytest.raises(FaithlensError, match="output_runs is empty"):
        audit(model, TEXTS, steps=2, output_runs=[], progress=False)
    report = audit(model, TEXTS, steps=2, gradient_runs=["saliency", Run("ig", steps=3)], progress=False)
    assert sorted(report.methods) == ["ig", "occlusion", "saliency", "sig:closed"]


def test_one_column_tsv_with_a_header_is_read_by_columns(tmp_path, capsys, saved_tiny):
    assert header_format("text", tsv=True) == "tsv"
    assert header_format("text") is None  # a plain file's first line stays a line (refused as a header there)
    assert header_format("good film", tsv=True) is None
    for name in ("text", "sentence"):
        path = tmp_path / f"{name}.tsv"
        path.write_text(f"{name}\ngood film\nbad film\n", encoding="utf-8")
        assert read_text_file(path, source="--file x.tsv").items == ["good film", "bad film"]
    plain = tmp_path / "plain.tsv"
    plain.write_text("good film\nbad film\n", encoding="utf-8")
    assert read_text_file(plain, source="--file plain.tsv").items == ["good film", "bad film"]
    code = main(["explain", "--file", str(tmp_path / "text.tsv"), "--model", str(saved_tiny), "--method", "occlusion",
                 "--no-faithfulness"])
    out, err = capsys.readouterr()
    assert code == 0 and "header" not in err and "good" in out and "bad" in out
