"""Issue 22, kind 1: lines of `explain --file` / standard input. One tab makes a pair; more tabs, a header line or a
column of numbers is refused with the line named, never glued into the second text."""

import json

import pytest

from faithlens.cli import main
from faithlens.data import items_from_lines
from faithlens.errors import FaithlensError


def test_one_tab_is_a_pair_and_blank_lines_are_skipped():
    items = items_from_lines(["a man sleeps\ta person rests", "", "  ", "two dogs run\tanimals move\r"], source="x")
    assert items == [("a man sleeps", "a person rests"), ("two dogs run", "animals move")]
    assert items_from_lines(["", "good film\r", "\t\t", "fun"], source="x") == ["good film", "fun"]


@pytest.mark.parametrize("lines, words", [
    (["a man sleeps\ta person rests", "a dog runs\tan animal moves\tentailment"], "Line 2 of x holds 2 tabs"),
    (["premise\thypothesis", "a\tb"], "Line 1 of x looks like a header"),
    (["sentence\tlabel", "good\t1"], "Line 1 of x looks like a header"),
    (["good film\t1", "bad film\t0"], "second column looks like gold labels"),
    (["good film\t", "bad\tworse"], "Line 1 of x is a pair with an empty second text"),
    (["\tgood film"], "empty first text"),
    (["text", "good film"], r"Line 1 of x looks like a header \(text\)"),
    (["Sentence ", "good film"], "looks like a header"),
])
def test_bad_lines_are_refused_naming_the_line(lines, words):
    with pytest.raises(FaithlensError, match=words):
        items_from_lines(lines, source="x")


def test_a_header_word_later_in_the_file_is_a_text():
    assert items_from_lines(["good film\tfun", "premise\thypothesis"], source="x")[1] == ("premise", "hypothesis")


def test_cli_refuses_a_label_column_before_loading_the_model(tmp_path, capsys):
    path = tmp_path / "pairs.txt"
    path.write_text("a man sleeps\ta person rests\tentailment\n", encoding="utf-8")
    assert main(["explain", "--model", str(tmp_path / "no-such-model"), "--file", str(path)]) == 2
    assert "Line 1 of --file" in capsys.readouterr().err


def test_cli_explains_two_column_pairs(saved_tiny, tmp_path, capsys):
    path = tmp_path / "pairs.txt"
    path.write_text("a man sleeps\ta person rests\n", encoding="utf-8")
    assert main(["explain", "--model", str(saved_tiny), "--file", str(path), "--method", "occlusion", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert (record["text"], record["text_pair"]) == ("a man sleeps", "a person rests")


def test_a_file_mixing_texts_and_pairs_names_the_lines_of_each():
    lines = ["good film\ta fine plot", "fun", "", "bad\tworse", "ok"]
    with pytest.raises(FaithlensError) as info:
        items_from_lines(lines, source="--file f.txt")
    assert "lines 2, 5 are single texts and lines 1, 4 are pairs" in str(info.value)
    many = ["a\tb"] + [f"text {i}" for i in range(8)]
    with pytest.raises(FaithlensError, match="lines 2, 3, 4, 5, 6 and 3 more are single texts and line 1 is a pair"):
        items_from_lines(many, source="x")


@pytest.mark.parametrize("seconds", [["positive", "negative"], ["Positive", "0"], ["neg", "POS"], ["positive"]])
def test_a_second_column_of_label_names_is_refused_for_a_classifier(seconds):
    lines = [f"text {i}\t{b}" for i, b in enumerate(seconds)]
    with pytest.raises(FaithlensError, match=f"TEXT<tab>LABEL \\({seconds[0]!r} on line 1\\)"):
        items_from_lines(lines, source="x", labels=["negative", "positive"])
    if "0" in seconds:  # a bare number is refused on any line, labels or not
        with pytest.raises(FaithlensError, match="Line 2 of x is TEXT<tab>NUMBER"):
            items_from_lines(lines, source="x")
    else:
        assert len(items_from_lines(lines, source="x")) == len(seconds)


@pytest.mark.parametrize("lines, words", [
    (["great fun\t1", "A dog runs.\tAn animal moves."], r"Line 1 of x is TEXT<tab>NUMBER \('1' on line 1\)"),
    (["a\tb c", "d\t0.5", "e\t-2", "f\tg"], r"Lines 2, 3 of x are TEXT<tab>NUMBER \('0.5' on line 2\)"),
])
def test_a_bare_number_on_some_pair_line_is_refused(lines, words):
    """A gold label left on some lines of a file of pairs was explained as the pair's second text (exit 0)."""
    with pytest.raises(FaithlensError, match=words):
        items_from_lines(lines, source="x")
    assert items_from_lines(["How many legs?\tA dog has 4 legs."], source="x")[0][1] == "A dog has 4 legs."


@pytest.mark.parametrize("seconds", [["positive", "a person rests"], ["ne", "po"], ["negatives", "posit1ve"]])
def test_a_second_column_that_is_text_on_some_line_stays_a_pair(seconds):
    lines = [f"text {i}\t{b}" for i, b in enumerate(seconds)]
    assert [b for _, b in items_from_lines(lines, source="x", labels=["negative", "positive"])] == seconds


def test_cli_refuses_a_label_column_on_a_classifier(saved_tiny, tmp_path, capsys):
    path = tmp_path / "labelled.txt"
    path.write_text("good film\tpositive\ndull film\tneg\n", encoding="utf-8")
    assert main(["explain", "--model", str(saved_tiny), "--file", str(path), "--method", "occlusion"]) == 2
    assert "second column holds this model's label names (negative, positive)" in capsys.readouterr().err
    path.write_text("good film\tpositive\ndull film\ta negative review\n", encoding="utf-8")
    assert main(["explain", "--model", str(saved_tiny), "--file", str(path), "--method", "occlusion", "--json"]) == 0
    assert [json.loads(x)["text_pair"] for x in capsys.readouterr().out.splitlines()] == ["positive", "a negative review"]


def test_file_dash_reads_standard_input(saved_tiny, monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("good film\nbad plot\n"))
    assert main(["explain", "--model", str(saved_tiny), "--file", "-", "--method", "occlusion", "--json"]) == 0
    assert [json.loads(x)["text"] for x in capsys.readouterr().out.splitlines()] == ["good film", "bad plot"]
    monkeypatch.setattr("sys.stdin", io.StringIO("good film\tpositive\n"))
    assert main(["explain", "--model", str(saved_tiny), "--file", "-", "--method", "occlusion"]) == 2
    assert "Every line of standard input is TEXT<tab>LABEL" in capsys.readouterr().err


def test_a_lone_carriage_return_stays_inside_its_text_in_a_file_and_on_stdin(saved_tiny, tmp_path, monkeypatch, capsys):
    """Issue 22 F6: lines end at \\n or \\r\\n; a lone \\r never splits a line, read from --file or standard input."""
    import io

    path = tmp_path / "cr.txt"
    path.write_bytes(b"great\rfun\nbad plot\r\n")
    expected = ["great\rfun", "bad plot"]
    assert main(["explain", "--model", str(saved_tiny), "--file", str(path), "--method", "occlusion", "--json",
                 "--no-faithfulness"]) == 0
    from_file = [json.loads(x)["text"] for x in capsys.readouterr().out.splitlines()]
    monkeypatch.setattr("sys.stdin", io.StringIO("great\rfun\nbad plot\r\n", newline=""))
    assert main(["explain", "--model", str(saved_tiny), "--file", "-", "--method", "occlusion", "--json",
                 "--no-faithfulness"]) == 0
    from_stdin = [json.loads(x)["text"] for x in capsys.readouterr().out.splitlines()]
    assert from_file == from_stdin == expected


def test_a_dash_among_the_texts_keeps_its_place_and_an_empty_file_is_named(saved_tiny, tmp_path, monkeypatch, capsys):
    """`explain "dull" - "nice"` with standard input "great fun": the texts in argument order (standard input's texts
    came first, whatever the '-' position); --file texts follow the TEXT arguments. An empty --file or standard input
    is named, not answered with "pass --file FILE"."""
    import io

    path = tmp_path / "more.txt"
    path.write_text("from file\n", encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO("great fun\nbad plot\n"))
    assert main(["explain", "--model", str(saved_tiny), "dull", "-", "nice", "--file", str(path), "--method",
                 "occlusion", "--json", "--no-faithfulness"]) == 0
    texts = [json.loads(x)["text"] for x in capsys.readouterr().out.splitlines()]
    assert texts == ["dull", "great fun", "bad plot", "nice", "from file"]
    path.write_text("\n  \n", encoding="utf-8")
    assert main(["explain", "--model", str(saved_tiny), "--file", str(path)]) == 2
    assert f"--file {path} held no text (it is empty or all its lines are blank)" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["explain", "--model", str(saved_tiny), "-"]) == 2
    assert "standard input held no text" in capsys.readouterr().err


@pytest.mark.parametrize("trained_on, item, said", [
    ("texts", ("a man sleeps", "a person rests"), "was fine-tuned on single texts, and this is a text pair"),
    ("pairs", "a man sleeps", "was fine-tuned on text pairs, and this is a single text"),
    ("texts", "a man sleeps", None), ("pairs", ("a man sleeps", "a person rests"), None),
    (None, ("a man sleeps", "a person rests"), None),  # a hub model: what it saw in training is unknown
])
def test_input_unlike_the_training_inputs_is_noted(trained_on, item, said):
    """A classifier fine-tuned on single texts given a pair (or the reverse) still answers, but outside its training:
    the explanation carries one note saying so; matching or unknown kinds carry none. Scores are unchanged by it."""
    from dataclasses import replace

    from tiny import tiny

    from faithlens import Explainer

    base = tiny("bert")
    model = replace(base, info={} if trained_on is None else {"inputs": trained_on})
    e = Explainer(model).explain(item, "grad_x_input")
    notes = [w for w in e.warnings if "was fine-tuned on" in w]
    assert notes == ([] if said is None else [notes[0]]) and (said is None or said in notes[0]), e.warnings
    assert e.token_scores == Explainer(base).explain(item, "grad_x_input").token_scores


@pytest.mark.parametrize("header", ["text\ttext_pair", "Text\tText_pair", "question1\tquestion2", "#1 String\t#2 String",
                                    "sentence_a\tsentence_b", "query\tpassage", "question\tanswer", "s1\ts2",
                                    "first\tsecond", "premise\thypothesis", "sentence"])
def test_a_first_line_of_column_names_is_a_header(header):
    """Issue 22 F1 (ninth breaker): QQP, MRPC, snake_case and other corpora's headers were explained as a pair."""
    lines = [header, "A man sleeps.\tA person rests." if "\t" in header else "A man sleeps."]
    with pytest.raises(FaithlensError, match=r"Line 1 of x looks like a header .*put another line first .*"
                                             r"faithlens explain (--pair )?"):
        items_from_lines(lines, source="x")
    assert len(items_from_lines(lines[::-1], source="x")) == 2  # the way out: only the first line can be a header


@pytest.mark.parametrize("line", ["A dog runs.\tAn animal moves.", "hello\tworld", "R2D2\tC3PO", "mp3", "covid19",
                                  "question\tWhat is it?", "text\tA person rests."])
def test_ordinary_short_first_lines_are_texts(line):
    """Ordinary words are no evidence of a header: only lines whose every field is a column name are refused."""
    assert items_from_lines([line], source="x") == [tuple(line.split("\t")) if "\t" in line else line]


def test_cli_refuses_a_qqp_header_before_loading_the_model(tmp_path, capsys):
    """A tab header makes the file a TSV read by columns (eleventh breaker F10): QQP's names are no text column."""
    path = tmp_path / "h.txt"
    path.write_text("question1\tquestion2\nA man sleeps.\tA person rests.\n", encoding="utf-8")
    assert main(["explain", "--model", str(tmp_path / "no-such-model"), "--file", str(path)]) == 2
    said = capsys.readouterr().err
    assert "Could not find a text column" in said and "Got columns ['question1', 'question2']" in said
    assert "or pass --text-column NAME." in said


def test_a_qa_models_number_context_is_a_context_and_a_classifiers_is_a_gold_label(saved_tiny, tmp_path, capsys):
    """Issue 22 (ninth breaker): "What year?<tab>1999" was refused as a gold-label column on a QA model, whose second
    column is the context. The numbers-only rule is a classifier's: checked once the model's task is known."""
    from tiny import save_tiny

    qa = save_tiny(tmp_path / "qa", "bert_qa")
    path = tmp_path / "q.txt"
    path.write_text("What year?\t1999\n", encoding="utf-8")
    assert items_from_lines(["What year?\t1999"], source="x", gold_labels=False) == [("What year?", "1999")]
    assert main(["explain", "--model", str(qa), "--file", str(path), "--method", "occlusion", "--json",
                 "--no-faithfulness"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert (record["text"], record["text_pair"]) == ("What year?", "1999")
    assert main(["explain", "--model", str(saved_tiny), "--file", str(path), "--method", "occlusion"]) == 2
    assert "Every line of --file" in capsys.readouterr().err


class _Stop(Exception):
    pass


def _stop(*args, **kwargs):
    raise _Stop


@pytest.mark.parametrize("trained_on, texts, said", [
    ("pairs", ("good", "bad", "fine"), "fine-tuned on text pairs, and all 3 examples of this {run} run are single texts"),
    ("texts", (("a", "b"), "c"), "fine-tuned on single texts, and 1 of the 2 examples of this {run} run is a text pair"),
    ("texts", ("good", "bad"), None), (None, (("a", "b"),), None),
])
def test_evaluate_and_audit_note_unlike_inputs_once_per_run(monkeypatch, trained_on, texts, said):
    """Issue 22 (ninth breaker): a classifier trained on pairs given single-text data by evaluate / audit (or the
    reverse) ran without a word. One FaithlensWarning per run, counting the examples, before any explaining."""
    import warnings
    from dataclasses import replace

    from tiny import tiny

    from faithlens.audit.report import audit
    from faithlens.data import Dataset
    from faithlens.errors import FaithlensWarning
    from faithlens.evaluate.run import evaluate

    model = replace(tiny("bert"), info={} if trained_on is None else {"inputs": trained_on})
    monkeypatch.setattr("faithlens.evaluate.run.Explainer", _stop)  # the first model work stops the run
    monkeypatch.setattr("faithlens.audit.report.explain_runs", _stop)
    runs = {"evaluate": lambda: evaluate(model, Dataset(texts, (None,) * len(texts), source="x"), methods=["occlusion"]),
            "audit": lambda: audit(model, list(texts), classes=["first_token"], progress=False)}
    for run, call in runs.items():
        with warnings.catch_warnings(record=True) as caught, pytest.raises(_Stop):
            warnings.simplefilter("always")
            call()
        notes = [str(w.message) for w in caught if issubclass(w.category, FaithlensWarning)]
        assert notes == ([] if said is None else [notes[0]]), notes
        assert said is None or said.format(run=run) in notes[0]
