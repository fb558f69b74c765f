"""Issue 22, twelfth breaker N3, N7, N8, N9: the shapes of a data file that were read wrongly or refused for a wrong
cause. Lines ending in a lone \\r only (old Mac) are split there by explain --file and standard input, as the data
reader splits them; '-' as a data option names standard input, which no command reads data from; a TSV or CSV whose
first line is an example is said to have no header; a JSON label 1e400 is too large, not a fraction."""

import io
import json

import pytest

from faithlens.cli import main
from faithlens.data import load_dataset, old_mac_lines
from faithlens.errors import FaithlensError
from faithlens.text_files import read_text_file


def explained(argv, capsys) -> list:
    """The text (or [text, pair]) of each explanation `faithlens explain ARGV --json` prints."""
    assert main(["explain", *argv, "--method", "occlusion", "--json", "--no-faithfulness"]) == 0, capsys.readouterr().err
    return [r["text"] if r.get("text_pair") is None else [r["text"], r["text_pair"]]
            for r in map(json.loads, capsys.readouterr().out.splitlines())]


def write(tmp_path, name: str, content: str):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8"))
    return path


# --- N3: lone-CR line endings --------------------------------------------------------------------------------------

@pytest.mark.parametrize("content, split", [
    ("text\rgreat fun\ra dull mess\r", True), ("great fun\ra dull mess", True), ("a\rb", True),
    ("great fun\r", False), ("great fun\r\r", False), ("great fun", False),
    ("great\rfun\n", False), ("a\r\nb\r\n", False), ("a\rb\nc\r", False),  # a \n file: a lone \r stays in its text
])
def test_only_a_file_without_newlines_is_split_at_its_carriage_returns(content, split):
    assert old_mac_lines(content) == (content.replace("\r", "\n") if split else content)


def test_a_plain_file_of_old_mac_lines_is_read_line_by_line_never_as_one_text(tmp_path):
    read = read_text_file(write(tmp_path, "cr.txt", "great fun\ra dull mess\r"), source="--file cr.txt")
    assert read.items == ["great fun", "a dull mess"]
    lone = read_text_file(write(tmp_path, "lf.txt", "great\rfun\nok\n"), source="--file lf.txt")
    assert lone.items == ["great\rfun", "ok"]  # documented: inside a \n file a lone \r stays in its text


def test_an_old_mac_header_is_a_header(tmp_path, saved_tiny, capsys):
    with pytest.raises(FaithlensError, match=r"looks like a header \(text\)"):  # not one text 'text\rgreat fun\r...'
        read_text_file(write(tmp_path, "h50.txt", "text\rgreat fun\ra dull mess\r"), source="--file h50.txt")
    tsv = write(tmp_path, "cr1.tsv", "sentence\tlabel\rgreat fun\t1\ra dull mess\t0\r")
    assert explained(["--model", str(saved_tiny), "--file", str(tsv)], capsys) == ["great fun", "a dull mess"]
    csv = write(tmp_path, "cr2.csv", "text,label\rgreat fun,1\r")
    jsonl = write(tmp_path, "cr3.jsonl", '{"text": "great fun"}\r{"text": "a dull mess"}\r')
    assert read_text_file(csv, source="x").items == ["great fun"]
    assert read_text_file(jsonl, source="x").items == ["great fun", "a dull mess"]


def test_standard_input_of_old_mac_lines_is_split_as_a_file_is(saved_tiny, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("great fun\ra dull mess\r"))
    assert explained(["--model", str(saved_tiny), "--file", "-"], capsys) == ["great fun", "a dull mess"]


@pytest.mark.parametrize("name, content", [
    ("d.tsv", "sentence\tlabel\rgreat fun\t1\ra dull mess\t0\r"), ("d.csv", "text,label\rgreat fun,1\ra dull mess,0\r"),
    ("d.jsonl", '{"text": "great fun", "label": 1}\r{"text": "a dull mess", "label": 0}\r'),
    ("d.json", '[{"text": "great fun", "label": 1},\r{"text": "a dull mess", "label": 0}]\r'),
    ("d.txt", "1 great fun\r0 a dull mess\r"),
])
def test_the_data_reader_splits_old_mac_lines_too(tmp_path, name, content):
    data = load_dataset(write(tmp_path, name, content))
    assert data.texts == ("great fun", "a dull mess") and data.labels == (1, 0)


# --- N7: '-' names standard input --------------------------------------------------------------------------------

@pytest.mark.parametrize("argv, option", [
    (["train", "--train", "-", "--base", "MODEL", "--out", "OUT"], "--train"),
    (["train", "--train", "TRAIN", "--validation", "-", "--base", "MODEL", "--out", "OUT"], "--validation"),
    (["evaluate", "--model", "MODEL", "--data", "-", "--methods", "occlusion", "--no-random", "--no-curves"], "--data"),
])
def test_a_data_option_of_dash_says_standard_input_is_not_read(saved_tiny, tmp_path, capsys, argv, option):
    train = write(tmp_path, "t.tsv", "sentence\tlabel\ngood\t1\nbad\t0\n")
    values = {"MODEL": str(saved_tiny), "OUT": str(tmp_path / "out"), "TRAIN": str(train)}
    assert main([values.get(a, a) for a in argv]) == 2
    said = capsys.readouterr().err
    assert f"{option} - names standard input" in said and f"e.g. {option} data.tsv" in said
    assert "datasets" not in said and not (tmp_path / "out").exists()


def test_load_dataset_of_dash_says_the_same():
    with pytest.raises(FaithlensError, match=r"load_dataset\('-'\) names standard input") as caught:
        load_dataset("-")
    assert "pip install" not in str(caught.value)


# --- N8: a table whose first line is an example ---------------------------------------------------------------------

@pytest.mark.parametrize("name, content, header", [
    ("n.tsv", "great fun\t1\na dull mess\t0\n", "e.g. sentence<tab>label"),
    ("n.csv", "great fun,1\na dull mess,0\n", "e.g. text,label"),
    ("p.tsv", "a cat sleeps\ta cat rests\t0\n", "e.g. premise<tab>hypothesis<tab>label"),
    ("w.tsv", "great fun\t1\t0\n", "naming each column"),
])
def test_a_table_without_a_header_is_said_to_have_none(tmp_path, name, content, header):
    with pytest.raises(FaithlensError) as caught:
        load_dataset(write(tmp_path, name, content))
    said = str(caught.value)
    assert "this file has no header line" in said and header in said
    assert "text_column" not in said  # naming the first example as a column would drop it


def test_a_header_of_unknown_names_still_gets_the_column_options(tmp_path):
    with pytest.raises(FaithlensError, match=r"Got columns \['Phrase', 'Sentiment'\].*text_column='NAME'"):
        load_dataset(write(tmp_path, "h.tsv", "Phrase\tSentiment\ngreat fun\t1\n"))
    assert load_dataset(write(tmp_path, "h2.tsv", "Phrase\tlabel\ngreat fun\t1\n"), text_column="Phrase").labels == (1,)


def test_evaluate_says_it_on_the_command_line(saved_tiny, tmp_path, capsys):
    data = write(tmp_path, "nohdr.tsv", "great fun\t1\na dull mess\t0\n")
    assert main(["evaluate", "--model", str(saved_tiny), "--data", str(data), "--methods", "occlusion", "--no-random",
                 "--no-curves"]) == 2
    said = capsys.readouterr().err
    assert "has no header line" in said and "--text-column" not in said


# --- N9: a JSON number past float's range -----------------------------------------------------------------------

@pytest.mark.parametrize("label, why", [
    ("1e400", "1e400 (line 1 of '{}') is too large to be a class index (it reads as infinity)"),
    ("-1e400", "-1e400 (line 1 of '{}') is a negative JSON number (it reads as minus infinity)"),
    ("NaN", "NaN (line 1 of '{}') is a JSON NaN"),
    ("Infinity", "Infinity (line 1 of '{}') is a JSON Infinity, not a label"),
    ('"1e400"', "1e400 is too large to be a class index (it reads as infinity)"),
])
def test_a_json_label_past_floats_range_is_too_large_not_a_fraction(tmp_path, label, why):
    path = write(tmp_path, "big.jsonl", f'{{"text": "great fun", "label": {label}}}\n{{"text": "dull", "label": 0}}\n')
    with pytest.raises(FaithlensError) as caught:
        load_dataset(path, label_names=["negative", "positive"])
    said = str(caught.value)
    assert why.format(path) in said and "not a whole number" not in said


def test_training_labels_past_floats_range_are_too_large(saved_tiny, tmp_path, capsys):
    data = write(tmp_path, "big.tsv", "sentence\tlabel\ngreat fun\t1e400\ndull\t0\n")
    assert main(["train", "--train", str(data), "--base", str(saved_tiny), "--out", str(tmp_path / "out")]) == 2
    said = capsys.readouterr().err
    assert "has label '1e400', which is too large to be a class index (it reads as infinity)" in said
