"""Issue 22, thirteenth breaker B3 and B4.

B3: the TSV/CSV reader ended a row at a lone ``\\r`` even in a file with ``\\n`` line endings, where the README (and
explain's plain files) keep it inside its line: a TSV with ``\\r`` inside a text was refused blaming tabs, and one
mixing ``\\n``, ``\\r\\n`` and a lone ``\\r`` was read as one row too many. Now every reader splits a file alike
(`data.file_text`): at ``\\n`` and ``\\r\\n``, and at a lone ``\\r`` only in a file with no ``\\n``.

B4: ``explain --file`` on the IMDB sample format (``0 TEXT`` / ``1 TEXT`` per line, a .txt that ``evaluate --data``
reads as labelled) explained each gold label as the text's first word. It now reads the texts without the labels,
as evaluate does, with a warning; a plain file whose lines merely start with numbers is still plain text."""

import json
import warnings

import pytest

from faithlens.cli import main
from faithlens.data import load_dataset
from faithlens.label_text import is_label_text
from faithlens.errors import FaithlensError, FaithlensWarning
from faithlens.text_files import data_format, read_text_file


def write(tmp_path, name: str, content: str):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8"))
    return path


# --- B3: a lone \r in a file with \n line endings stays inside its field -------------------------------------------

@pytest.mark.parametrize("name, content, texts, labels", [
    ("b8.tsv", "sentence\tlabel\nboring\rstill boring\t0\ngreat fun\t1\n", ("boring\rstill boring", "great fun"), (0, 1)),
    ("r.tsv", "sentence\tlabel\r\nboring\rstill boring\t0\r\ngreat fun\t1\r\n", ("boring\rstill boring", "great fun"),
     (0, 1)),
    ("c.csv", 'text,label\n"a\rb",1\nboring\rstill,0\r\nfun,1\n', ("a\rb", "boring\rstill", "fun"), (1, 0, 1)),
    ("mac.tsv", "sentence\tlabel\rgreat\t1\rbad\t0\r", ("great", "bad"), (1, 0)),  # no \n: old Mac line endings
    ("mac.csv", "text,label\rgreat,1\rbad,0", ("great", "bad"), (1, 0)),
    ("imdb.txt", "0 boring\rstill boring\n1 great fun\r\n", ("boring\rstill boring", "great fun"), (0, 1)),
    ("macimdb.txt", "0 boring\r1 great fun\r", ("boring", "great fun"), (0, 1)),
])
def test_rows_end_where_the_readme_says(tmp_path, name, content, texts, labels):
    data = load_dataset(write(tmp_path, name, content))
    assert data.texts == texts and data.labels == labels


def test_a_lone_cr_joining_two_rows_is_named_not_blamed_on_tabs(tmp_path):
    path = write(tmp_path, "b9.tsv", "sentence\tlabel\ngreat fun\t1\r\na dull mess\t0\rboring\t0\n")
    with pytest.raises(FaithlensError) as err:
        load_dataset(path)
    said = str(err.value)
    assert "Line 3 of" in said and "lone carriage return (\\r)" in said and "Remove them from the text" not in said


def test_explain_file_of_a_tsv_keeps_the_cr_inside_the_text_as_a_plain_file_does(tmp_path):
    tsv = read_text_file(write(tmp_path, "b8.tsv", "sentence\tlabel\nboring\rstill boring\t0\ngreat fun\t1\n"),
                         source="--file b8.tsv")
    plain = read_text_file(write(tmp_path, "a17.txt", "boring\rstill boring\r\ngreat fun\n"), source="--file a17.txt")
    assert tsv.items == plain.items == ["boring\rstill boring", "great fun"]


# --- B4: the IMDB sample format in explain --file --------------------------------------------------------------------

IMDB = "0 seriously , a dull film\n1 i first seen this movie in the cinema\n\n0 lame . lame\n"


def test_explain_file_reads_the_imdb_format_without_its_labels(tmp_path):
    path = write(tmp_path, "imdb5.txt", IMDB)
    assert data_format(path, IMDB) == "txt"
    with pytest.warns(FaithlensWarning, match=r"IMDB sample format .* the gold label, which is not explained"):
        read = read_text_file(path, source="--file imdb5.txt")
    assert read.items == ["seriously , a dull film", "i first seen this movie in the cinema", "lame . lame"]
    assert read.items == list(load_dataset(path).texts)  # as evaluate --data reads it
    assert read.lines is None


def test_explain_file_on_the_shared_imdb_sample(shared_data, tmp_path, capsys):
    lines = (shared_data / "imdb_textfooler_test1000" / "imdb_test_sample_1000.txt").read_text().splitlines()[:2]
    path = write(tmp_path, "imdb2.txt", "\n".join(lines) + "\n")
    assert main(["explain", "--file", str(path), "--method", "occlusion", "--json", "--no-faithfulness"]) == 0
    got = [json.loads(line)["text"] for line in capsys.readouterr().out.splitlines()]
    assert got == [line.partition(" ")[2].strip() for line in lines]
    assert not any(text.startswith(("0 ", "1 ")) for text in got)


@pytest.mark.parametrize("name, content", [
    ("n.txt", "2 dogs run\n1 cat sits\n"),  # a line starting with another number: plain texts
    ("n2.txt", "1 cat sits\nthe dog runs\n"),  # a line without a label
    ("n3.lines", "0 a dull film\n1 great fun\n"),  # not named .txt: evaluate would not read it as the format
    ("n4.txt", "1 a man sleeps\ta person rests\n"),  # a pair
    ("n5.txt", "1\n0 \n"),  # no text after the number
])
def test_plain_files_whose_lines_start_with_numbers_stay_plain(tmp_path, name, content):
    path = write(tmp_path, name, content)
    assert not is_label_text(path, content)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FaithlensWarning)
        items = read_text_file(path, source=f"--file {name}").items
    first = items[0][0] if isinstance(items[0], tuple) else items[0]
    assert first == content.split("\n")[0].split("\t")[0]  # the number is kept, as part of the text


def test_column_options_on_the_imdb_format_are_refused(tmp_path):
    path = write(tmp_path, "imdb.txt", IMDB)
    with pytest.raises(FaithlensError, match=r"--text-column names a column .* IMDB sample format"):
        read_text_file(path, source="--file imdb.txt", text_column="text")
