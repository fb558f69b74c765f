"""Issue 22, seventeenth breaker #6: one header rule for `explain --file` and `evaluate --data`.

`evaluate --data annot.tsv` read ``sentence<tab>label<tab>Annotator`` as a header, while `explain --file annot.tsv`
refused that line as a text with two tabs (a gold label?), since ``Annotator`` is no name the readers know. Both now
ask `data.looks_like_header` (through `data.header_format` for a file's first line): known names in any case,
snake_case names, tab-separated names holding spaces, and beside a known name a one-word name such as ``Annotator``.
Prose and ordinary words stay texts."""

import json

import pytest

from faithlens.cli import main
from faithlens.data import header_format, items_from_lines, looks_like_header, read_file
from faithlens.errors import FaithlensError, FaithlensWarning
from faithlens.text_files import data_format, read_text_file

# (first line, the format it makes a file of any other name, the texts of the rows below it read by columns)
HEADERS = [
    ("sentence\tlabel\tAnnotator", "tsv", ["great fun", "a dull mess"]),  # the breaker's file
    ("Sentence\tLabel\tAnnotator", "tsv", ["great fun", "a dull mess"]),
    ("SENTENCE\tLABEL\tANNOTATOR", "tsv", ["great fun", "a dull mess"]),  # known names in any case
    ("id\tsentence\tlabel\tWorkerID", "tsv", ["great fun", "a dull mess"]),
    ("sentence\tlabel\tannotator_name", "tsv", ["great fun", "a dull mess"]),
    ("Text_A\tText_B\tlabel\tAnnotator", "tsv", [("great fun", "a dull mess")]),  # snake_case in any case: a pair
    ("first sentence\tsecond sentence\tlabel", "tsv", None),  # names holding spaces in a tab file
    ("Phrase\tlabel\tAnnotator", "tsv", None),  # a header, of no text column the readers know
    ("text,label,Annotator", "csv", ["great fun", "a dull mess"]),
    ("Text,Label,Annotator", "csv", ["great fun", "a dull mess"]),
]
# first lines that are texts, never headers, however a name may stand among their words
TEXTS = ["hello\tworld", "Good\tBad", "R2D2\tC3PO", "A dog runs.\tAn animal moves.", "text\tA person rests.",
         "question\tWhat is it?", "sentence\tI loved it", "Hello, world", "Note, however", "Text, really",
         "First sentence", "Annotator\tbob"]


def body(first: str) -> str:
    sep = "\t" if "\t" in first else ","
    width = len(first.split(sep))
    rows = [["great fun", "1"], ["a dull mess", "0"]]
    if first.lower().startswith(("text_a", "first sentence")):
        rows = [["great fun", "a dull mess", "1"]]
    return "".join(sep.join((["7"] if first.startswith("id") else []) + r + ["bob"] * (width - len(r)
                                                                                    - first.startswith("id"))) + "\n"
                   for r in rows)


@pytest.mark.parametrize("first, kind, texts", HEADERS)
def test_a_header_line_is_a_header_to_both_readers(tmp_path, first, kind, texts):
    assert header_format(first) == kind
    path = tmp_path / "d.txt"  # a name that decides nothing: the first line does, for evaluate and explain alike
    path.write_text(first + "\n" + body(first), encoding="utf-8")
    assert data_format(path, path.read_text()) == kind
    if "\t" in first:  # standard input and a headerless file's lines: refused as a header, never explained
        with pytest.raises(FaithlensError, match="Line 1 of x looks like a header"):
            items_from_lines([first, "great fun\ta dull mess"], source="x")
    if texts is None:
        return
    with pytest.warns(FaithlensWarning, match="not read"):  # the extra column: named, never read
        explained = read_text_file(path, source="--file d.txt").items
    assert explained == texts
    assert list(read_file(path).texts) == texts  # evaluate --data: the same texts, the same columns
    assert read_file(path).info["format"] == kind
    named = tmp_path / f"d.{kind}"  # and by its suffix: evaluate always reads line 1 so; explain now does too
    named.write_text(path.read_text(), encoding="utf-8")
    with pytest.warns(FaithlensWarning, match="not read"):
        assert read_text_file(named, source="--file d").items == texts
    assert list(read_file(named).texts) == texts


@pytest.mark.parametrize("first", TEXTS)
def test_a_first_line_of_prose_or_ordinary_words_stays_a_text(tmp_path, first):
    assert header_format(first) is None
    assert not looks_like_header(first.split("\t"), spaced="\t" in first)
    path = tmp_path / "p.txt"
    path.write_text(f"{first}\n", encoding="utf-8")
    assert data_format(path, path.read_text()) is None
    assert read_text_file(path, source="x").items == [tuple(first.split("\t")) if "\t" in first else first]


@pytest.mark.parametrize("fields, header", [
    (["sentence", "Annotator"], True), (["Annotator", "WorkerID"], False),  # a one-word name needs a known one beside
    (["sentence", " Annotator"], False),  # written with a space before it, as prose is after a comma
    (["sentence", "Annotator!"], False), (["Annotator"], False), (["Sentence"], True),
    (["first sentence", "Annotator"], False), (["first sentence", "Annotator"], "spaced"),
])
def test_the_rule_over_fields(fields, header):
    assert looks_like_header(fields, spaced=header == "spaced") == bool(header)


def test_explain_and_evaluate_read_the_breakers_file_alike(saved_tiny, tmp_path, capsys):
    path = tmp_path / "annot.tsv"
    path.write_text("sentence\tlabel\tAnnotator\ngreat fun\t1\tbob\n", encoding="utf-8")
    with pytest.warns(FaithlensWarning, match="the column 'Annotator' is not read"):
        assert main(["explain", "--model", str(saved_tiny), "--file", str(path), "--method", "occlusion", "--json",
                     "--no-faithfulness"]) == 0
    assert [json.loads(line)["text"] for line in capsys.readouterr().out.splitlines()] == ["great fun"]
    assert main(["evaluate", "--model", str(saved_tiny), "--data", str(path), "--methods", "occlusion", "--no-random",
                 "--no-curves", "--out", str(tmp_path / "o")]) == 0
