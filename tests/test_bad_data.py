"""Issue 10, kind 4: data files read strictly — a real CSV parser, line numbers, every format accepted or refused."""

import json

import pytest

from faithlens.data import holdout, load_dataset, read_file
from faithlens.errors import FaithlensError


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_quoted_commas_are_kept_whole(tmp_path):
    d = read_file(write(tmp_path, "a.csv", 'text,label\n"a slow, dull film",0\n"fine",1\n'))
    assert d.texts == ("a slow, dull film", "fine") and d.labels == (0, 1)


def test_an_unquoted_comma_is_an_error_with_its_line(tmp_path):
    with pytest.raises(FaithlensError, match=r"Line 3 of .* has 3 fields but the header has 2 \(text, label\).*quoted"):
        read_file(write(tmp_path, "a.csv", 'text,label\n"fine",1\na slow, dull film,0\n'))


def test_a_missing_cell_is_an_error_with_its_line(tmp_path):
    with pytest.raises(FaithlensError, match="Line 3 .* has 1 fields but the header has 2"):
        read_file(write(tmp_path, "a.csv", "text,label\ngood,1\nbad\n"))
    with pytest.raises(FaithlensError, match="Line 2 .* has an empty 'text' field"):
        read_file(write(tmp_path, "b.csv", "text,label\n ,1\n"))
    with pytest.raises(FaithlensError, match="Line 3 .* has no label, but other lines do"):
        read_file(write(tmp_path, "c.csv", "text,label\ngood,1\nbad,\n"))


def test_tsv_fields_are_checked_too(tmp_path):
    with pytest.raises(FaithlensError, match="Line 2 .* has 3 fields .*Remove them from the text"):
        read_file(write(tmp_path, "a.tsv", "sentence\tlabel\ngood\tfilm\t1\n"))


@pytest.mark.parametrize("suffix,what", [("xlsx", "a spreadsheet"), ("parquet", "a Parquet file"), ("gz", "a compressed file")])
def test_unsupported_formats_are_refused_clearly(tmp_path, suffix, what):
    path = tmp_path / f"data.{suffix}"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(FaithlensError, match=f"is {what}; faithlens reads tsv, csv, jsonl, json, txt.*Save it as CSV"):
        load_dataset(str(path))


def test_unknown_suffix_names_the_format_option(tmp_path):
    with pytest.raises(FaithlensError, match="Unknown data format 'dat'.*format='tsv'") as info:
        read_file(write(tmp_path, "a.dat", "x"))
    assert "--format" not in str(info.value)  # no command has a --format option (issue 22, D7b)


def test_label_names_map_to_indices(tmp_path):
    rows = [{"premise": "a", "hypothesis": "b", "label": "neutral"}, {"premise": "c", "hypothesis": "d", "label": "entailment"}]
    path = write(tmp_path, "nli.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n")
    d = read_file(path)
    assert d.texts == (("a", "b"), ("c", "d")) and d.label_names == ("entailment", "neutral") and d.labels == (1, 0)
    d = read_file(path, label_names=["entailment", "neutral", "contradiction"])
    assert d.labels == (1, 0)
    with pytest.raises(FaithlensError, match=r"gold label 'neutral' \(line 1 of .*\) is none of the label names.*"
                                             r"'entailment', 'contradiction'"):
        read_file(path, label_names=["entailment", "contradiction"])


def test_a_byte_order_mark_and_crlf_are_read(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufefftext,label\r\ngood,1\r\n".encode("utf-8"))
    d = read_file(path)
    assert d.texts == ("good",) and d.labels == (1,)


def test_json_list_and_squad_formats(tmp_path):
    d = read_file(write(tmp_path, "a.json", json.dumps([{"text": "good", "label": 1}, {"text": "bad", "label": 0}])))
    assert d.texts == ("good", "bad")
    squad = {"data": [{"title": t, "paragraphs": [{"context": f"{t} is a city.", "qas": [
        {"id": t, "question": f"What is {t}?", "answers": [{"text": "a city", "answer_start": len(t) + 4}]}]}]}
        for t in ("Paris", "Rome", "Oslo", "Lima", "Kyiv")], "version": "1.1"}
    d = read_file(write(tmp_path, "squad.json", json.dumps(squad)))
    assert d.texts[0] == ("What is Paris?", "Paris is a city.") and d.answers[0] == ("a city",)
    train, test = holdout(d, 0.4, seed=0)
    assert len(train) + len(test) == 5 and not set(train.groups) & set(test.groups)  # whole articles


def test_holdout_matches_train_command_split():
    from faithlens.data import holdout_split

    kept, held = holdout_split(10, 0.2, seed=0)
    assert len(held) == 2 and sorted(kept + held) == list(range(10))
    assert holdout_split(10, 0.2, seed=0) == (kept, held)


@pytest.mark.parametrize("columns, words", [
    ({"label_column": "sentence"}, "'sentence' of '{}' is both the text column (found from the column names) and the "
                                  "label column (label_column='sentence')"),
    ({"pair_column": "sentence"}, "'sentence' of '{}' is both the text column (found from the column names) and the "
                                 "pair column (pair_column='sentence')"),
    ({"text_column": "label"}, "'label' of '{}' is both the text column (text_column='label') and the label column "
                              "(found from the column names)"),
    ({"text_column": "sentence", "pair_column": "label"}, "'label' of '{}' is both the pair column (pair_column='label') "
                                                         "and the label column (found from the column names)"),
])
def test_a_column_read_as_two_things_is_refused_naming_it(tmp_path, columns, words):
    """Issue 22 (F2, F3): the text column given as the label (a class per sentence) or as the pair (each text paired
    with itself) is refused, whether the other role was given or found from the column names."""
    path = write(tmp_path, "d.tsv", "sentence\tlabel\ngood film\t1\nbad\t0\n")
    with pytest.raises(FaithlensError) as info:
        load_dataset(path, **columns)
    assert words.format(path) in str(info.value)
    assert "--" not in str(info.value)  # Python words only: the CLI puts them as its options (cli.cli_words)


def test_the_train_command_refuses_one_column_twice_before_reading(tmp_path, capsys):
    from faithlens.cli import main

    code = main(["train", "--train", "rotten_tomatoes", "--text-column", "x", "--pair-column", "x", "--out",
                 str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and ("The column 'x' is both the text column (--text-column x) and the pair column (--pair-column x)"
                          in err), err
    assert "_column" not in err and "in Python" not in err  # the CLI's words only


def test_a_found_column_given_as_another_names_the_given_option_in_cli_words(tmp_path, capsys):
    """Ninth breaker F8: `train --text-column label` on a file whose label column is 'label' named only
    "--label-column (--label-column  in Python)": the option given is named, each surface in its own words."""
    from faithlens.cli import main

    path = write(tmp_path, "cls.tsv", "sentence\tlabel\ngood movie\t1\nbad movie\t0\n")
    code = main(["train", "--train", str(path), "--text-column", "label", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and ("is both the text column (--text-column label) and the label column (found from the column "
                          "names)") in err, err
    assert "drop --text-column" in err and "--label-column NAME" in err
    words = err.replace(str(path), "")
    assert "_column" not in words and "in Python" not in words and "  " not in words
    assert not (tmp_path / "o").exists()


def test_a_tsv_row_with_an_extra_tab_says_tabs_cannot_be_quoted(tmp_path):
    path = write(tmp_path, "d.tsv", "sentence\tlabel\ngood\tfilm\t1\n")
    with pytest.raises(FaithlensError) as info:
        read_file(path)
    message = str(info.value)
    assert "Line 2" in message and "TSV files are read line by line, without quoting: a text may hold neither a tab nor a line break" in message
    assert "must be quoted" not in message


def test_a_gold_column_is_read_and_an_unknown_one_is_named(tmp_path):
    """A label column named 'gold' or 'class' is the label; under a name no guess knows, a warning names the column and
    label_column (the labels were dropped in silence; the CLI says --label-column: tests/test_cli_warnings.py); id-like
    columns and labelled files warn nothing."""
    import warnings

    from faithlens.errors import FaithlensWarning

    for name in ("gold", "class"):
        data = read_file(write(tmp_path, f"{name}.tsv", f"sentence\t{name}\na fine film\t1\na dull film\t0\n"))
        assert data.labels == (1, 0)
    with pytest.warns(FaithlensWarning, match=r"no gold labels; the column 'verdict' is not read\. .*label_column='NAME'"):
        data = read_file(write(tmp_path, "v.jsonl", '{"text": "a fine film", "verdict": 1}\n'))
    assert data.labels == (None,)
    assert read_file(write(tmp_path, "v2.jsonl", '{"text": "a fine film", "verdict": 1}\n'), label_column="verdict").labels == (1,)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_file(write(tmp_path, "id.tsv", "id\tsentence\n7\ta fine film\n"))
        read_file(write(tmp_path, "l.tsv", "sentence\tlabel\tnote\na fine film\t1\tx\n"))
