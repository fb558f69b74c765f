"""Issue 10, kind 6, for `evaluate`: a text longer than the model's limit is refused before any work
(or, with --truncate, explained truncated and said so per example and in the table), and the whole
job shows progress with an ETA."""

from __future__ import annotations

import json
import re

import pytest
from tiny import CORPUS, tiny

from faithlens.cli import main
from faithlens.data import Dataset
from faithlens.errors import FaithlensError
from faithlens.evaluate import evaluate, read_records, token_lengths

LONG = " ".join(["the film was very good and fun"] * 12)  # 84 words: over tiny BERT's 64 positions
DATA = Dataset((CORPUS[0], LONG, CORPUS[2]), (1, 1, 0), source="with-a-long-text")


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FAITHLENS_HOME", str(tmp_path / "cache"))


def test_a_long_text_is_refused_before_any_work(tmp_path):
    model = tiny("bert")
    n = token_lengths(model, [LONG])[0]
    assert n == 86  # 84 words and [CLS], [SEP]
    with pytest.raises(FaithlensError, match=rf"^1 of 3 texts are longer than the model's limit of 64 tokens \(example 1: "
                                             rf"{n} tokens\)\. Pass --truncate .*or leave them out with --max-chars\."):
        evaluate(model, DATA, methods=["grad_x_input"], out=tmp_path, progress=False)
    assert list(tmp_path.iterdir()) == []  # refused before the folder was touched


def test_truncated_examples_are_said_so_per_record_and_in_the_table(tmp_path):
    result = evaluate(tiny("bert"), DATA, methods=["grad_x_input", "ig:steps=4"], out=tmp_path, progress=False,
                      truncate=True)
    records = read_records(tmp_path / "records.jsonl")
    assert {(r["index"], r["truncated"]) for r in records} == {(0, False), (1, True), (2, False)}
    assert all(len(r["tokens"]) == 64 for r in records if r["truncated"])
    assert result.n_truncated == 1
    assert "1 of the 3 examples were longer than the model's limit and were truncated to their first tokens " \
           "(--truncate); their records say \"truncated\": true." in result.markdown()
    assert json.loads((tmp_path / "results.json").read_text())["n_truncated"] == 1
    assert "truncated" not in evaluate(tiny("bert"), Dataset(DATA.texts[::2], DATA.labels[::2], source="short"),
                                       methods=["grad_x_input"], progress=False).markdown()


def test_the_command_refuses_or_truncates(tmp_path, capsys):
    folder = tmp_path / "model"
    m = tiny("bert")
    m.model.save_pretrained(folder)
    m.tokenizer.save_pretrained(folder)
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps({"text": t, "label": y}) + "\n" for t, y in zip(DATA.texts, DATA.labels)))
    argv = ["evaluate", "--model", str(folder), "--data", str(data), "--methods", "grad_x_input", "--quiet",
            "--no-shuffle", "--out", str(tmp_path / "run")]
    assert main(argv) == 2
    assert "faithlens: error: 1 of 3 texts are longer than the model's limit of 64 tokens" in capsys.readouterr().err
    assert main(argv + ["--truncate"]) == 0
    assert "1 of the 3 examples were longer than the model's limit" in capsys.readouterr().out


def test_progress_covers_the_whole_job_with_an_eta(tmp_path, capsys):
    data = Dataset(tuple(CORPUS), (1, 1, 0, 1, 0, 0), source="corpus")
    evaluate(tiny("bert"), data, methods=["grad_x_input", "sig:steps=4"], out=tmp_path, progress=True, stop_after=4,
             batch_size=2)
    err = capsys.readouterr().err
    assert "faithlens evaluate: 12 explanations to compute (0 already done)" in err
    assert re.search(r"evaluate:  33%\|.*\| 4/12 \[\d\d:\d\d<\d\d:\d\d", err)  # elapsed < remaining (the ETA)
    evaluate(tiny("bert"), data, methods=["grad_x_input", "sig:steps=4"], out=tmp_path, progress=True, batch_size=2)
    err = capsys.readouterr().err
    assert "faithlens evaluate: 8 explanations to compute (4 already done)" in err
    assert re.search(r"evaluate: 100%\|.*\| 12/12 \[", err)
