"""Plausibility against human rationales: the metrics by hand, rationale files and their errors, the
evaluate table with its random row, and the SST-2 lexicon builder."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch
from tiny import CORPUS, tiny

from faithlens import Explainer
from faithlens.data import Dataset
from faithlens.errors import FaithlensError
from faithlens.evaluate import evaluate, load_result, read_run
from faithlens.plausibility import (
    average_precision, iou_match, mean_rationale_size, plausibility_markdown, read_rationales, runs,
    sst2_lexicon_rationales, token_f1, token_iou, top_k_words, word_marks,
)

T = torch.tensor
DATA = Dataset(tuple(CORPUS), tuple([1, 1, 0, 1, 0, 0]), source="tiny")


def test_average_precision_by_hand():
    # ranks 1..4: relevant at 1 and 3 -> (1/2)·1 + (1/2)·(2/3)
    assert average_precision(scores=T([0.9, 0.8, 0.7, 0.1]), relevant=T([1, 0, 1, 0])) == pytest.approx(5 / 6)
    # tied scores enter together: one threshold with precision 1/2 and recall 1
    assert average_precision(scores=T([1.0, 1.0, 0.0]), relevant=T([1, 0, 0])) == pytest.approx(0.5)
    assert average_precision(scores=T([0.1, 0.5]), relevant=T([0, 0])) is None
    assert average_precision(scores=T([-1.0, 2.0, 0.5]), relevant=T([0, 1, 1])) == pytest.approx(1.0)


def test_top_k_f1_iou_and_eraser_partial_match_by_hand():
    pred = top_k_words(scores=T([0.5, 0.9, 0.9, 0.1, 0.7]), k=3)  # ties: the earlier word first
    assert pred.tolist() == [False, True, True, False, True]
    gold = T([0, 1, 0, 0, 0]).bool()
    assert token_f1(predicted=pred, relevant=gold) == pytest.approx(2 * (1 / 3) * 1 / (1 / 3 + 1))
    assert token_iou(predicted=pred, relevant=gold) == pytest.approx(1 / 3)
    # predicted spans [1,3) and [4,5); gold [1,2): IOU 1/2 -> a match; P = 1/2, R = 1
    assert iou_match(predicted=pred, relevant=gold) == pytest.approx((0.5, 1.0, 2 / 3))
    wide = T([1, 1, 1, 0, 0]).bool()  # [0,3) against [1,2): IOU 1/3 < 0.5
    assert iou_match(predicted=wide, relevant=gold) == (0.0, 0.0, 0.0)
    assert runs(T([1, 1, 1, 0]).bool(), segments=[0, 0, 1, 1]) == [(0, 2), (2, 3)]  # never across a segment
    assert mean_rationale_size([1, 2, 2, 2]) == 2 and mean_rationale_size([1, 2]) == 2 and mean_rationale_size([0]) == 1


def _write(tmp_path, lines, name="r.jsonl"):
    path = tmp_path / name
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines))
    return path


def test_rationale_files_by_text_index_spans_and_words(tmp_path):
    path = _write(tmp_path, [{"text": "the film was very good and fun", "words": [4, 6]},
                             {"index": 2, "spans": [[2, 8]], "label": 0, "note": "boring"}])
    r = read_rationales(path, dataset=DATA)
    assert r.spans_of(CORPUS[0]) == ((0, 18, 22), (0, 27, 30))
    assert r.spans_of(CORPUS[2]) == ((0, 2, 8),) and CORPUS[2][2:8] == "boring"
    e = Explainer(tiny("bert")).explain(CORPUS[0], "occlusion")
    assert [w.word for w, m in zip(e.words, word_marks(e.words, r.spans_of(CORPUS[0]))) if m] == ["good", "fun"]


@pytest.mark.parametrize("lines, message", [
    (['{"text": "the film was very good and fun", "spans": [[0, 3]]}', '{"text": "x", "spans": [[0'],
     r"Line 2 of .* is not valid JSON"),
    ([{"text": "the film was very good and fun", "spans": [[20, 99]]}], r"Line 1 .* span \[20, 99\] is not inside the text \(0\.\.30"),
    ([{"index": 0, "spans": [[0, 3]]}, {"text": "no such review", "spans": [[0, 2]]}], r"Line 2 .* is not in the data 'tiny'"),
    ([{"index": 6, "spans": [[0, 3]]}], r"Line 1 .* \"index\" must be a row of the data, an int in 0\.\.5"),
    ([{"index": 0, "words": [7]}], r"Line 1 .* word index 7 is not a word of the text \(it has 7"),
    ([{"index": 0, "spans": [[0, 3]], "words": [0]}], r"Line 1 .* \"spans\" .* or as \"words\""),
    ([{"index": 0, "span": [[0, 3]]}], r"Line 1 .* unknown keys \['span'\]"),
    ([{"spans": [[0, 3]]}], r"Line 1 .* by \"text\" or by \"index\""),
    ([{"index": 1, "text": "the film was very good and fun", "spans": [[0, 3]]}], r"Line 1 .* row 1 of the data is"),
    ([{"index": 0, "words": [0], "segment": 1.0}], r"Line 1 .* \"segment\" must be the integer 0, or 1 .* Got 1\.0"),
    ([{"index": 0, "words": [0], "segment": True}], r"Line 1 .* \"segment\" must be the integer 0, or 1 .* Got True"),
    ([{"index": 0, "words": [0], "segment": 1}], r"Line 1 .* names the second text of a pair, but example 0 is a single"),
])
def test_bad_rationale_files_name_the_line(tmp_path, lines, message):
    with pytest.raises(FaithlensError, match=message):
        read_rationales(_write(tmp_path, lines), dataset=DATA)


def test_missing_rationale_file(tmp_path):
    with pytest.raises(FaithlensError, match="does not exist"):
        read_rationales(tmp_path / "nope.jsonl", dataset=DATA)


def test_evaluate_plausibility_table_matches_the_words_and_random_row_is_seeded(tmp_path):
    model = tiny("bert", dtype=torch.float64)
    path = _write(tmp_path, [{"index": 0, "words": [4, 6]}, {"index": 2, "words": [1, 4]}, {"index": 4, "words": [2]}])
    r = read_rationales(path, dataset=DATA)
    out = tmp_path / "run"
    result = evaluate(model, DATA, methods=["occlusion", "grad_x_input"], rationales=r, out=out, batch_size=2,
                      progress=False, random_row=True)
    table = result.plausibility
    assert [row["method"] for row in table["rows"]] == ["occlusion", "grad_x_input", "random"]  # the random row once
    without = evaluate(model, DATA, methods=["occlusion"], rationales=r, progress=False)  # random_row=False (--no-random)
    assert [row["method"] for row in without.plausibility["rows"]] == ["occlusion"]
    assert "`random`" not in plausibility_markdown(without.plausibility, source="r.jsonl")  # no row, no caption of one
    assert "`random`: seeded uniform word scores" in plausibility_markdown(table, source="r.jsonl")
    assert table["k"] == 2 and table["n_examples"] == 3 and table["mean_rationale_words"] == 2
    # AUPRC of occlusion recomputed from the explanations' own words
    es = Explainer(model).explain([CORPUS[0], CORPUS[2], CORPUS[4]], "occlusion")
    aps = [average_precision(scores=T([w.score for w in e.words]),
                             relevant=T(word_marks(e.words, r.spans_of(e.text)))) for e in es]
    assert table["rows"][0]["auprc"]["mean"] == pytest.approx(sum(aps) / 3, rel=1e-9)
    assert table["rows"][0]["auprc"]["n"] == 3
    records = read_run(out)
    assert records[(1, "occlusion")]["rationale"] is None and sum(records[(4, "occlusion")]["rationale"]) == 2
    # ("terrible;" is one whitespace word and two model words, "terrible" and ";": both overlap the span)
    again = evaluate(model, DATA, methods=["occlusion"], rationales=r, progress=False, random_row=True)
    assert again.plausibility["rows"][-1] == table["rows"][-1]  # the random row: the same seed, the same numbers
    other = evaluate(model, DATA, methods=["occlusion"], rationales=r, seed=1, progress=False, random_row=True)
    assert other.plausibility["rows"][-1]["auprc"] != table["rows"][-1]["auprc"]
    saved = json.loads((out / "plausibility.json").read_text())
    assert saved["rows"] == json.loads(json.dumps(table["rows"]))
    assert "| random |" in (out / "plausibility.md").read_text() and "AUPRC ↑" in result.markdown()
    assert load_result(out).plausibility == table  # rebuilt from the records alone
    page = (out / "report.html").read_text()
    assert "How plausible" in page and "<td>random</td>" in page


def test_evaluate_refuses_rationales_for_none_of_the_examples(tmp_path):
    other = Dataset(("a fine film",), (1,), source="other")
    r = read_rationales(_write(tmp_path, [{"index": 0, "words": [1]}]), dataset=other)
    with pytest.raises(FaithlensError, match="None of the 6 selected examples"):
        evaluate(tiny("bert"), DATA, methods=["occlusion"], rationales=r, progress=False)


def test_sst2_lexicon_rationales(tmp_path):
    train = tmp_path / "train.tsv"
    train.write_text("sentence\tlabel\nbleak \t0\ncharming \t1\nbleak and cold \t0\nodd \t0\nodd \t1\nfun \t1\n")
    dev = tmp_path / "dev.tsv"
    dev.write_text("sentence\tlabel\na charming , odd and bleak film \t1\nnothing here \t0\nbleak fun \t0\n")
    lines = sst2_lexicon_rationales(train, dev)
    assert lines == [{"index": 0, "text": "a charming , odd and bleak film", "label": 1, "spans": [[2, 10]],
                      "note": "SST single-word phrases: charming"},
                     {"index": 2, "text": "bleak fun", "label": 0, "spans": [[0, 5]], "note": "SST single-word phrases: bleak"}]
    every = sst2_lexicon_rationales(train, dev, polarity="any")  # "odd" has both labels: never marked
    assert every[0]["spans"] == [[2, 10], [21, 26]] and every[1]["spans"] == [[0, 5], [6, 9]]
    out = tmp_path / "r.jsonl"
    cli = [sys.executable, "-m", "faithlens", "rationales", "sst2", "--train", str(train), "--data", str(dev), "--out", str(out)]
    done = subprocess.run(cli, capture_output=True, text=True)
    assert done.returncode == 0 and "LEXICON rationale" in done.stderr and "Rotten Tomatoes" in done.stderr
    assert [json.loads(x) for x in out.read_text().splitlines()] == lines
    read_rationales(out, dataset=Dataset(("a charming , odd and bleak film", "nothing here", "bleak fun"), (1, 0, 0), "dev"))


def test_cli_checks_the_rationale_file_before_loading_a_model(tmp_path):
    data = tmp_path / "d.tsv"
    data.write_text("sentence\tlabel\na fine film\t1\n")
    bad = _write(tmp_path, [{"index": 0, "words": [1]}, "{oops"])
    cli = [sys.executable, "-m", "faithlens", "evaluate", "--model", str(tmp_path / "no-model"), "--data", str(data),
           "--rationales", str(bad)]
    done = subprocess.run(cli, capture_output=True, text=True)
    assert done.returncode == 2 and "Line 2 of" in done.stderr and "not valid JSON" in done.stderr


def test_empty_rationales_count_as_none_and_differing_duplicates_are_refused(tmp_path):
    """An empty rationale is no rationale: left out of every column (its token F1 would be 0 for any method) and counted
    apart, the caption agreeing with the numbers; two lines giving one example different rationales are refused."""
    model = tiny("bert", dtype=torch.float64)
    only_empty = read_rationales(_write(tmp_path, [{"index": 0, "words": []}]), dataset=DATA)
    with pytest.raises(FaithlensError, match=r"None of the 6 selected examples .* 1 of the selected examples have an empty one"):
        evaluate(model, DATA, methods=["occlusion"], rationales=only_empty, progress=False)
    mixed = read_rationales(_write(tmp_path, [{"index": 0, "words": []}, {"index": 2, "words": [1, 4]}]), dataset=DATA)
    table = evaluate(model, DATA, methods=["occlusion"], rationales=mixed, progress=False).plausibility
    alone = read_rationales(_write(tmp_path, [{"index": 2, "words": [1, 4]}]), dataset=DATA)
    want = evaluate(model, DATA, methods=["occlusion"], rationales=alone, progress=False).plausibility
    assert table["n_examples"] == 1 and table["examples_without_rationale_words"] == 1 and table["k"] == 2
    assert table["rows"] == want["rows"] and table["rows"][0]["token_f1"]["n"] == 1  # example 0 changes no number
    from faithlens.plausibility import plausibility_markdown

    caption = plausibility_markdown(table, source="r.jsonl")
    assert "1 example with rationale words (mean 2.00 rationale words); 1 more with a rationale line but no" in caption
    assert "top k = 2 words" in caption
    with pytest.raises(FaithlensError, match=r"Lines 1 and 2 of .* both give the rationale of the example 'the film was"):
        read_rationales(_write(tmp_path, [{"index": 0, "words": [4]}, {"index": 0, "words": [6]}]), dataset=DATA)
    same = read_rationales(_write(tmp_path, [{"index": 0, "words": [4]}, {"text": CORPUS[0], "words": [4]}]), dataset=DATA)
    assert same.spans_of(CORPUS[0]) == ((0, 18, 22),)  # a repeated identical line is read once


def test_rationales_from_standard_input_are_named_so():
    with pytest.raises(FaithlensError, match="--rationales - names standard input"):
        read_rationales("-", dataset=DATA)


def test_a_resume_reads_rationales_by_content_and_a_partial_plausibility_table_says_so(tmp_path):
    """Thirty-first breaker F3, F4: the same rationales by another name resume; rationales edited in place are refused,
    naming both; an interrupted run's plausibility.md and .json say they rest on part of the examples."""
    model = tiny("bert", dtype=torch.float64)
    lines = [{"index": 0, "words": [4, 6]}, {"index": 2, "words": [1, 4]}, {"index": 4, "words": [2]}]
    first = read_rationales(_write(tmp_path, lines), dataset=DATA)
    out = tmp_path / "run"
    run = dict(methods=["occlusion"], out=out, batch_size=2, progress=False)
    evaluate(model, DATA, rationales=first, stop_after=2, **run)
    assert (out / "plausibility.md").read_text().startswith("Interrupted after 2 of 6 examples")
    saved = json.loads((out / "plausibility.json").read_text())
    assert (saved["complete"], saved["examples_asked"], saved["rationales_digest"]) == (False, 6, first.digest())
    copy = read_rationales(_write(tmp_path, lines, name="copy.jsonl"), dataset=DATA)
    evaluate(model, DATA, rationales=copy, stop_after=4, **run)  # the same spans from another file: resumed
    edited = read_rationales(_write(tmp_path, [{"index": 0, "words": [1]}, *lines[1:]], name="copy.jsonl"), dataset=DATA)
    with pytest.raises(FaithlensError, match=r"rationales: was '.*\.jsonl' \(spans [0-9a-f]{12}…\), now '.*copy.jsonl' "
                                             r"\(spans [0-9a-f]{12}…\)"):
        evaluate(model, DATA, rationales=edited, **run)
    with pytest.raises(FaithlensError, match=r"rationales: was '.*' \(spans [0-9a-f]{12}…\), now none \(no --rationales\)"):
        evaluate(model, DATA, **run)
    result = evaluate(model, DATA, rationales=copy, **run)
    assert result.complete and not (out / "plausibility.md").read_text().startswith("Interrupted")
    assert json.loads((out / "plausibility.json").read_text())["complete"] is True


def test_the_cli_resumes_a_run_with_the_same_rationales_by_any_path(tmp_path, capsys):
    """Thirty-first breaker F6: the command line's early resume check reads the rationales by their spans too."""
    from tiny import save_tiny

    from faithlens.cli import main

    save_tiny(tmp_path / "cls")
    data = tmp_path / "d.tsv"
    data.write_text("sentence\tlabel\n" + "".join(f"{t}\t{y}\n" for t, y in zip(DATA.texts, DATA.labels)))
    lines = [{"index": 0, "words": [1]}, {"index": 2, "words": [1, 2]}]
    _write(tmp_path, lines)
    _write(tmp_path, lines, name="same.jsonl")
    run = ["evaluate", "--model", str(tmp_path / "cls"), "--data", str(data), "--methods", "occlusion", "--no-curves",
           "--out", str(tmp_path / "run"), "--rationales"]
    for path in ("r.jsonl", "r.jsonl", "same.jsonl"):
        assert main(run + [str(tmp_path / path)]) == 0, capsys.readouterr().err
    _write(tmp_path, [{"index": 0, "words": [2]}, lines[1]], name="same.jsonl")
    assert main(run + [str(tmp_path / "same.jsonl")]) == 2
    assert "rationales: was" in capsys.readouterr().err
