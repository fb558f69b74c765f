"""The thirty-seventh breaker's F5 and F6: a stray --answer under --score max_logit is named as typed, and a headerless
.tsv written by a CSV writer is read unquoted by explain --file, as a TSV read by columns is."""

from __future__ import annotations

import csv

import pytest

from faithlens.cli import main
from faithlens.text_files import read_text_file


def test_a_headerless_tsv_written_by_a_csv_writer_is_read_unquoted(tmp_path):
    with (tmp_path / "pairs.tsv").open("w", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\r\n")
        writer.writerows([('a "quoted" film', "it is good"), ("plain text", 'she said "fine"')])
    items = read_text_file(tmp_path / "pairs.tsv", source="--file pairs.tsv").items
    assert items == [('a "quoted" film', "it is good"), ("plain text", 'she said "fine"')]


@pytest.mark.parametrize("rows", [[("a \"q\" film",), ("plain, and fine",)], [("premise one", "hypothesis one")]])
def test_a_headerless_tsv_written_with_quote_all_is_read_unquoted(tmp_path, rows):
    with (tmp_path / "all.tsv").open("w", newline="") as handle:
        csv.writer(handle, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)
    items = read_text_file(tmp_path / "all.tsv", source="--file all.tsv").items
    assert items == [r[0] if len(r) == 1 else r for r in rows]


@pytest.mark.parametrize("quoting", [csv.QUOTE_MINIMAL, csv.QUOTE_ALL])
def test_a_quoted_tab_stays_inside_its_text(tmp_path, quoting):
    rows = [("a\ttabbed text",), ('a "quoted" one',), ("plain",)]
    with (tmp_path / "t.tsv").open("w", newline="") as handle:
        csv.writer(handle, delimiter="\t", lineterminator="\n", quoting=quoting).writerows(rows)
    assert read_text_file(tmp_path / "t.tsv", source="--file t.tsv").items == [r[0] for r in rows]
    with (tmp_path / "p.tsv").open("w", newline="") as handle:
        csv.writer(handle, delimiter="\t", lineterminator="\n", quoting=quoting).writerows(
            [("a man\tsleeps", "he rests"), ("two", 'it "is"')])
    assert read_text_file(tmp_path / "p.tsv", source="--file p.tsv").items == [("a man\tsleeps", "he rests"),
                                                                             ("two", 'it "is"')]


@pytest.mark.parametrize("line, read", [
    ('"a ""quoted"" film"', 'a "quoted" film'),  # a CSV writer's shape: unquoted
    ('"just wrapped"', '"just wrapped"'),  # no doubled quote inside: GLUE's texts are read as written
    ('"half ""open', '"half ""open'),  # a quote at one end only
    ('say ""hi""', 'say ""hi""'),  # not wrapped
])
def test_only_the_csv_writer_shape_is_unquoted_in_a_tsv(tmp_path, line, read):
    (tmp_path / "t.tsv").write_text(line + "\n")
    (tmp_path / "t.txt").write_text(line + "\n")
    assert read_text_file(tmp_path / "t.tsv", source="--file t.tsv").items == [read]
    assert read_text_file(tmp_path / "t.txt", source="--file t.txt").items == [line]  # a .txt is no TSV: as written


@pytest.mark.parametrize("option", ["--answer", "--target-text"])
def test_max_logit_with_another_tasks_target_option_names_it(capsys, option):
    code = main(["explain", "good film", "--model", "nowhere/none", "--method", "occlusion", "--score", "max_logit",
                 option, "good"])
    err = capsys.readouterr().err
    assert code == 2 and option in err and "max_logit" in err and "Traceback" not in err
