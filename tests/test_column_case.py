"""Columns whose names differ only by case (label and Label) are refused, naming them, unless the caller names one
exactly; a .txt data file whose first line is a CSV/TSV header is read by columns, as explain --file reads it."""

import pytest

from faithlens.cli import main
from faithlens.columns import find_columns, match
from faithlens.data import read_file
from faithlens.errors import FaithlensError
from faithlens.text_files import read_text_file


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content)
    return path


@pytest.mark.parametrize("header, twins", [
    ("label\tsentence\tLabel", ["'label' and 'Label'"]),  # one spelled as the known name: still two readings
    ("Label\tTEXT\tLABEL", ["'Label' and 'LABEL'"]),
    ("sentence\tlabel\tLabel\tLABEL", ["'label', 'Label', 'LABEL'"]),
])
def test_label_columns_differing_by_case_are_refused_naming_each(tmp_path, header, twins):
    path = write(tmp_path, "d.tsv", f"{header}\n" + "\t".join(["x"] * len(header.split("\t"))) + "\n")
    with pytest.raises(FaithlensError, match="same name but for case") as err:
        read_file(path)
    assert twins[0] in str(err.value) and "label_column=" in str(err.value) and "Rename" in str(err.value)


def test_a_label_column_named_exactly_picks_that_one_and_a_folded_name_is_refused(tmp_path):
    path = write(tmp_path, "d.tsv", "label\tsentence\tLabel\n1\tgreat fun\t0\n0\tawful\t1\n")
    assert read_file(path, label_column="label").labels == (1, 0)
    assert read_file(path, label_column="Label").labels == (0, 1)
    with pytest.raises(FaithlensError, match="'label' and 'Label'"):
        read_file(path, label_column="LABEL")


def test_text_and_pair_columns_differing_by_case_are_refused_unless_named_exactly(tmp_path):
    texts = write(tmp_path, "t.csv", "Text,text,label\na,b,1\n")
    with pytest.raises(FaithlensError, match="'Text' and 'text'.*the text of each example"):
        read_file(texts)
    assert read_file(texts, text_column="Text").texts == ("a",)
    pairs = write(tmp_path, "p.csv", "premise,Premise,hypothesis\na,b,c\n")
    with pytest.raises(FaithlensError, match="'premise' and 'Premise'"):
        read_file(pairs)
    assert read_file(pairs, text_column="Premise", pair_column="hypothesis").texts == (("b", "c"),)
    hyp = write(tmp_path, "h.csv", "premise,hypothesis,HYPOTHESIS\na,b,c\n")
    with pytest.raises(FaithlensError, match="the second text of each pair"):
        read_file(hyp)
    assert read_file(hyp, pair_column="HYPOTHESIS").texts == (("a", "c"),)


def test_match_without_a_role_only_finds_and_one_folded_name_still_matches():
    assert match(["Label", "LABEL"], "label") == "Label"  # an existence check: no role, nothing refused
    assert find_columns([" Text", "Label"], text_column=None, label_column=None, pair_column=None,
                        source="s") == {"text": " Text", "pair": None, "label": "Label"}


def test_explain_file_refuses_case_twins_in_the_cli_words(tmp_path):
    path = write(tmp_path, "d.csv", "TEXT,text\na,b\n")
    with pytest.raises(FaithlensError, match="'TEXT' and 'text'"):
        read_text_file(path, source="--file d.csv")
    assert read_text_file(path, source="--file d.csv", text_column="text").items == ["b"]


def test_evaluate_names_the_option_for_case_twins(saved_tiny, tmp_path, capsys):
    path = write(tmp_path, "h41.tsv", "Label\tTEXT\tLABEL\nnegative\tgreat fun\t1\npositive\tdull\t0\n")
    assert main(["evaluate", "--model", str(saved_tiny), "--data", str(path), "--methods", "occlusion", "--no-random",
                 "--no-curves", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "'Label' and 'LABEL'" in err and "--label-column Label" in err and "label_column" not in err


@pytest.mark.parametrize("content", ["sentence\tlabel\ngreat fun\t1\na dull mess\t0\n",
                                     "text,label\ngreat fun,1\na dull mess,0\n"])
def test_a_txt_with_a_header_is_read_by_columns_as_explain_reads_it(tmp_path, content):
    path = write(tmp_path, "tx.txt", content)
    data = read_file(path)
    assert data.texts == ("great fun", "a dull mess") and data.labels == (1, 0)
    assert data.info["format"] == ("tsv" if "\t" in content else "csv")
    assert read_text_file(path, source="--file tx.txt").items == ["great fun", "a dull mess"]


def test_an_imdb_txt_is_still_read_as_label_text_and_a_bad_line_refused(tmp_path):
    assert read_file(write(tmp_path, "i.txt", "1 a fine film\n0 dull\n")).labels == (1, 0)
    with pytest.raises(FaithlensError, match="must be '<label> <text>'"):
        read_file(write(tmp_path, "b.txt", "great fun\n1 ok\n"))
