"""Issue 22, kind 1: lines of `explain --file` / standard input. One tab makes a pair; more tabs, a header line or a
column of numbers is refused with the line named, never glued into the second text."""

import json

import pytest

from faithlens.cli import main
from faithlens.data import items_from_lines
from faithlens.errors import FaithlensError


def test_one_tab_is_a_pair_and_blank_lines_are_skipped():
    items = items_from_lines(["a man sleeps\ta person rests", "", "  ", "good film\r"], source="x")
    assert items == [("a man sleeps", "a person rests"), "good film"]


@pytest.mark.parametrize("lines, words", [
    (["a man sleeps\ta person rests", "a dog runs\tan animal moves\tentailment"], "Line 2 of x holds 2 tabs"),
    (["premise\thypothesis", "a\tb"], "Line 1 of x looks like a header"),
    (["sentence\tlabel", "good\t1"], "Line 1 of x looks like a header"),
    (["good film\t1", "bad film\t0"], "second column looks like gold labels"),
    (["good film\t", "bad\tworse"], "Line 1 of x is a pair with an empty second text"),
    (["\tgood film"], "empty first text"),
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
