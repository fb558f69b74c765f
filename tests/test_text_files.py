"""Issue 22, tenth breaker F2: `explain --file` read a CSV or JSON lines file line by line, so its header became a text
and each row one text with its commas, quotes and label in it. A data file (.csv/.jsonl/.json, or a first line that is
a CSV header or a JSON object) is now read by columns with the data reader; a plain text file reads as before."""

import json
import re

import pytest

from faithlens.cli import main
from faithlens.data import items_from_lines
from faithlens.errors import FaithlensError, FaithlensWarning
from faithlens.text_files import data_format, read_text_file

PAIRS_CSV = ('premise,hypothesis,label\n"A man, tired, sleeps.","A person rests.",entailment\n'
             '"Two dogs run","Animals, ""quick"", move",neutral\n')
PAIRS = [("A man, tired, sleeps.", "A person rests."), ("Two dogs run", 'Animals, "quick", move')]


def explained(argv, capsys) -> list[tuple]:
    """(text, text_pair) of each explanation `faithlens explain ARGV --json` prints."""
    assert main(["explain", *argv, "--method", "occlusion", "--json", "--no-faithfulness"]) == 0, capsys.readouterr().err
    return [(r["text"], r.get("text_pair")) for r in map(json.loads, capsys.readouterr().out.splitlines())]


def refusal(argv, capsys) -> str:
    assert main(["explain", *argv, "--method", "occlusion"]) == 2
    return capsys.readouterr().err


@pytest.mark.parametrize("name, first, kind", [
    ("p.csv", "whatever", "csv"), ("p.CSV", "a b", "csv"), ("p.jsonl", "x", "jsonl"), ("p.json", "x", "json"),
    ("p.txt", "premise,hypothesis,label", "csv"), ("p", "text,label", "csv"), ("p.txt", '{"text": "a, b"}', "jsonl"),
    ("p.tsv", "text,label", "csv"),
    ("p.txt", "Hello, world", None), ("p.txt", "premise\thypothesis", "tsv"), ("p.txt", "text", None),
    ("p.txt", "{not json, a text}", None), ("p.txt", '["a", "b"]', None), ("p.txt", "a man sleeps\ta person rests", None),
    ("p.tsv", "sentence\tlabel", "tsv"), ("dev", "sentence\tlabel", "tsv"), ("p.tsv", "premise\thypothesis\tlabel", "tsv"),
    ("p.tsv", "a man sleeps\ta person rests", None), ("p.tsv", "text\tA person rests.", None), ("p.txt", "text\t", "tsv"),
    ("p.txt", "sentence\tlabel\r\x0bx", None),
])
def test_which_files_are_read_by_columns(tmp_path, name, first, kind):
    """The suffix decides (.csv, .jsonl, .json); else the first non-blank line: a header of column names (comma- or
    tab-separated), or a JSON object. A .tsv without a header is a plain file of pairs, as before (eleventh breaker
    F10: a tab header, GLUE's sentence<tab>label, is read by columns, not refused as a header line)."""
    assert data_format(tmp_path / name, f"\n{first}\nmore\n") == kind


def test_a_csv_of_pairs_with_quoted_commas_is_read_by_columns(saved_tiny, tmp_path, capsys):
    """The breaker's file: the header was a text and each row one text holding its commas, quotes and label."""
    path = tmp_path / "pairs.csv"
    path.write_text(PAIRS_CSV, encoding="utf-8")
    assert read_text_file(path, source="x") [:2] == (PAIRS, None)
    assert explained(["--model", str(saved_tiny), "--file", str(path)], capsys) == PAIRS
    plain = tmp_path / "pairs.data"  # any name: its first line is a CSV header
    plain.write_text(PAIRS_CSV, encoding="utf-8")
    assert explained(["--model", str(saved_tiny), "--file", str(plain)], capsys) == PAIRS


def test_json_lines_and_a_json_list_give_their_texts_never_their_labels(saved_tiny, tmp_path, capsys):
    lines = tmp_path / "t.jsonl"
    lines.write_text('{"text": "great, fun film", "label": 1}\n\n{"text": "a dull mess", "label": 0}\n', encoding="utf-8")
    expected = [("great, fun film", None), ("a dull mess", None)]
    assert explained(["--model", str(saved_tiny), "--file", str(lines)], capsys) == expected
    unnamed = tmp_path / "t.txt"
    unnamed.write_text(lines.read_text(), encoding="utf-8")
    assert read_text_file(unnamed, source="x").items == ["great, fun film", "a dull mess"]
    listed = tmp_path / "l.json"
    listed.write_text(json.dumps([{"sentence1": "a man sleeps", "sentence2": "a person rests", "gold_label": "x"}]))
    assert read_text_file(listed, source="x").items == [("a man sleeps", "a person rests")]


def test_a_label_column_is_not_read_so_a_label_evaluate_would_refuse_does_not_stop_explain(tmp_path):
    """A test split's -1 labels (or a missing one) are evaluate's concern: explain reads the texts only."""
    path = tmp_path / "test.csv"
    path.write_text("text,label\ngood film,-1\nbad film,\n", encoding="utf-8")
    assert read_text_file(path, source="x").items == ["good film", "bad film"]


def test_a_header_only_file_and_a_missing_column_are_refused(saved_tiny, tmp_path, capsys):
    header = tmp_path / "h.csv"
    header.write_text("premise,hypothesis,label\n", encoding="utf-8")
    assert "holds no examples" in refusal(["--model", str(saved_tiny), "--file", str(header)], capsys)
    path = tmp_path / "pairs.csv"
    path.write_text(PAIRS_CSV, encoding="utf-8")
    said = refusal(["--model", str(saved_tiny), "--file", str(path), "--pair-column", "context"], capsys)
    assert "--pair-column context: --file " in said and "Valid choices: premise, hypothesis, label." in said
    said = refusal(["--model", str(saved_tiny), "--file", str(path), "--text-column", "sentence"], capsys)
    assert "has no column 'sentence'. Valid choices: premise, hypothesis, label." in said
    other = tmp_path / "other.csv"
    other.write_text("a,b\nx,y\n", encoding="utf-8")
    said = refusal(["--model", str(saved_tiny), "--file", str(other)], capsys)
    assert "Could not find a text column" in said and "or pass --text-column NAME." in said


def test_named_columns_are_read(saved_tiny, tmp_path, capsys):
    path = tmp_path / "q.jsonl"
    path.write_text('{"q1": "how old?", "q2": "what age?", "is_duplicate": 1}\n', encoding="utf-8")
    with pytest.warns(FaithlensWarning, match="'is_duplicate' is not read"):  # a label under another name
        assert explained(["--model", str(saved_tiny), "--file", str(path), "--text-column", "q1", "--pair-column", "q2"],
                         capsys) == [("how old?", "what age?")]


def test_an_unread_column_is_said_and_text_pair_is_a_pair(tmp_path):
    """A pair's second text under a name the reader does not know would be dropped: the warning names it. text and
    text_pair (a Hugging Face tokenizer's argument names, any case) are a known pair."""
    path = tmp_path / "p.csv"
    path.write_text("text,second_text,id\na man sleeps,a person rests,7\n", encoding="utf-8")
    with pytest.warns(FaithlensWarning, match="the column 'second_text' is not read.*pair_column='NAME'"):
        assert read_text_file(path, source="x").items == ["a man sleeps"]
    assert read_text_file(path, source="x", pair_column="second_text").items == [("a man sleeps", "a person rests")]
    path.write_text("Text,Text_pair,id\na man sleeps,a person rests,7\n", encoding="utf-8")
    assert read_text_file(path, source="x").items == [("a man sleeps", "a person rests")]


def test_a_tab_file_reads_as_before_and_column_options_are_refused_on_it(saved_tiny, tmp_path, capsys):
    path = tmp_path / "p.txt"
    lines = ["a man sleeps\ta person rests", "two dogs, running\tanimals move", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    assert read_text_file(path, source="x")[:2] == (items_from_lines(lines, source="x"), lines)
    assert explained(["--model", str(saved_tiny), "--file", str(path)], capsys) == [
        ("a man sleeps", "a person rests"), ("two dogs, running", "animals move")]
    said = refusal(["--model", str(saved_tiny), "--file", str(path), "--text-column", "text"], capsys)
    assert f"--file {path} is read as plain text" in said and "Drop --text-column" in said
    header = tmp_path / "h.txt"  # a tab header: read by columns (eleventh breaker F10), no longer refused
    header.write_text("premise\thypothesis\na\tb\n", encoding="utf-8")
    assert explained(["--model", str(saved_tiny), "--file", str(header)], capsys) == [("a", "b")]
    assert read_text_file(header, source="x").lines is None


def test_dash_is_standard_input_and_dot_slash_dash_a_file(saved_tiny, tmp_path, monkeypatch, capsys):
    import io

    monkeypatch.chdir(tmp_path)
    (tmp_path / "-").write_text("text,label\ngood film,1\n", encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO("text,label\n"))  # plain lines: 'text,label' is one text
    assert explained(["--model", str(saved_tiny), "--file", "-"], capsys) == [("text,label", None)]
    assert explained(["--model", str(saved_tiny), "--file", "./-"], capsys) == [("good film", None)]
    monkeypatch.setattr("sys.stdin", io.StringIO("x\n"))
    said = refusal(["--model", str(saved_tiny), "--file", "-", "--pair-column", "b"], capsys)
    assert "standard input is read as plain lines" in said
    assert "no --file is given" in refusal(["--model", str(saved_tiny), "good", "--text-column", "a"], capsys)


@pytest.fixture(scope="module")
def other_models(tmp_path_factory):
    from tiny import save_tiny

    folder = tmp_path_factory.mktemp("models")
    return {kind: str(save_tiny(folder / kind, kind)) for kind in ("gpt2_lm", "bert_qa")}


@pytest.mark.parametrize("kind, data, plain", [
    ("gpt2_lm", PAIRS_CSV, "A man sleeps.\tA person rests.\n"),
    ("bert_qa", '{"text": "Who wrote it?"}\n', "Who wrote it?\n"),
])
def test_a_data_file_of_the_wrong_kind_is_refused_as_a_tab_file_is(other_models, tmp_path, capsys, kind, data, plain):
    """A causal LM given a pair file, a QA model given a one-column file: the tab file's refusal, word for word."""
    suffix = ".csv" if data.startswith("premise") else ".jsonl"
    (tmp_path / f"d{suffix}").write_text(data, encoding="utf-8")
    (tmp_path / "d.txt").write_text(plain, encoding="utf-8")
    said = [refusal(["--model", other_models[kind], "--file", str(tmp_path / name)], capsys).splitlines()[-1]
            for name in (f"d{suffix}", "d.txt")]
    assert said[0] == said[1] and "error:" in said[0]


def test_a_file_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes("text\ncaf\xe9\n".encode("latin-1"))
    with pytest.raises(FaithlensError, match="--file p.csv is not UTF-8 text"):
        read_text_file(path, source="--file p.csv")


# --- eleventh breaker F1, F2, F10 ------------------------------------------------------------------------------------

def test_a_pair_column_named_alone_finds_its_first_text(saved_tiny, tmp_path, capsys):
    """F1: --pair-column hypothesis alone lost the premise column ("Could not find a text column"); the data reader
    finds a pair column's first text by the same names as a whole pair, so evaluate and train read it too."""
    from faithlens.data import read_file

    path = tmp_path / "p.csv"
    path.write_text(PAIRS_CSV, encoding="utf-8")
    assert explained(["--model", str(saved_tiny), "--file", str(path), "--pair-column", "hypothesis"], capsys) == PAIRS
    data = read_file(path, pair_column="hypothesis")
    assert data.texts == tuple(PAIRS) and data.info["text_column"] == "premise"
    qa = tmp_path / "q.jsonl"
    qa.write_text('{"question": "Who?", "context": "Ann did.", "passage": "Bob did."}\n', encoding="utf-8")
    with pytest.warns(FaithlensWarning, match="the column 'context' is not read"):  # labels are looked for here
        assert read_file(qa, pair_column="passage").texts == (("Who?", "Bob did."),)  # the question comes first
    assert read_file(qa, pair_column="context", labels=False).texts == (("Who?", "Ann did."),)


def test_a_file_of_premises_alone_is_refused_naming_the_option_to_pass(saved_tiny, tmp_path, capsys):
    """F1: the README lists premise as a pair's first text, not a text column: the message says to pass
    --text-column premise, which then reads it."""
    path = tmp_path / "n.jsonl"
    path.write_text('{"premise": "A dog."}\n', encoding="utf-8")
    said = refusal(["--model", str(saved_tiny), "--file", str(path)], capsys)
    assert "'premise' is one text of a premise/hypothesis pair, and there is no 'hypothesis' column" in said
    assert said.rstrip().endswith("or pass --text-column premise.")
    assert explained(["--model", str(saved_tiny), "--file", str(path), "--text-column", "premise"], capsys) == [
        ("A dog.", None)]


def test_explain_reads_no_label_column_so_never_offers_label_column(saved_tiny, tmp_path, capsys):
    """F2: --text-column label was refused with label_column='NAME' as a fix, a Python keyword explain has no option
    for. A column named as a label column is never model input (54th breaker: read as texts, the gold labels were
    explained), so it is refused with fixes explain has: another --text-column, or renaming the column."""
    path = tmp_path / "p.csv"
    path.write_text(PAIRS_CSV, encoding="utf-8")
    said = refusal(["--model", str(saved_tiny), "--file", str(path), "--text-column", "label"], capsys)
    assert "The column 'label' of" in said and "is a label column by its name" in said
    assert "Pass --text-column NAME with the column of the texts, or rename the column" in said
    assert "label_column" not in said
    said = refusal(["--model", str(saved_tiny), "--file", str(path), "--text-column", "premise", "--pair-column",
                    "premise"], capsys)
    assert "both the text column (--text-column premise) and the pair column (--pair-column premise)" in said
    assert "label_column" not in said and "_column" not in said


def test_a_tsv_with_a_header_is_read_by_columns_and_its_labels_never(saved_tiny, tmp_path, capsys):
    """F10: GLUE's dev.tsv (sentence<tab>label) was refused as a header line, then, without it, as gold labels."""
    path = tmp_path / "dev.tsv"
    path.write_text("sentence\tlabel\nit 's a charming journey . \t1\nbleak and desperate \t0\n", encoding="utf-8")
    assert explained(["--model", str(saved_tiny), "--file", str(path)], capsys) == [
        ("it 's a charming journey .", None), ("bleak and desperate", None)]
    pairs = tmp_path / "snli.txt"  # any name: the first line is a tab header
    pairs.write_text('premise\thypothesis\tlabel\nA man, "tired", sleeps.\tA person rests.\tentailment\n', encoding="utf-8")
    assert read_text_file(pairs, source="x")[:2] == ([('A man, "tired", sleeps.', "A person rests.")], None)
    plain = tmp_path / "plain.tsv"  # no header: a plain file of pairs, as before
    plain.write_text("a man sleeps\ta person rests\n", encoding="utf-8")
    assert read_text_file(plain, source="x").items == [("a man sleeps", "a person rests")]
    numbers = tmp_path / "numbers.tsv"  # no header, a label column: still refused as gold labels
    numbers.write_text("good film\t1\nbad film\t0\n", encoding="utf-8")
    assert "looks like gold labels" in refusal(["--model", str(saved_tiny), "--file", str(numbers)], capsys)


# --- twelfth breaker N2, N4, N6 --------------------------------------------------------------------------------------

@pytest.mark.parametrize("first, kind", [
    (",text", "csv"), ("text,", "csv"), (",premise,hypothesis", "csv"), ("Unnamed: 0,text", "csv"), ("id,,text", "csv"),
    ("\ttext", "tsv"), ("text\t", "tsv"), (",", None), (",,", None), ("id,idx", None), (",great fun", None),
    ("text|label", None), ("hello, world,", None),
])
def test_a_header_may_hold_an_unnamed_index_or_a_trailing_comma(tmp_path, first, kind):
    """N2: pandas' to_csv header ',text' (its unnamed index column) and a trailing comma ('text,') are headers: every
    field that is not empty (nor an id) is a column name. A line of empty fields or of ids alone is not."""
    assert data_format(tmp_path / "p.txt", f"{first}\nmore\n") == kind


@pytest.mark.parametrize("content", [",text\n0,great fun\n1,a dull mess\n", "text,\ngreat fun,\na dull mess,\n",
                                     "Unnamed: 0,text\n0,great fun\n1,a dull mess\n", "\ttext\n0\tgreat fun\n1\ta dull mess\n"])
def test_pandas_output_in_a_file_of_any_name_is_read_by_columns_without_a_warning(saved_tiny, tmp_path, capsys, content,
                                                                               recwarn):
    """N2: the header ',text' and each row's index ('0,great fun') were explained as texts in a file not named .csv;
    N6: the unnamed index column is an id, never read and never warned about."""
    path = tmp_path / "p2.txt"
    path.write_text(content, encoding="utf-8")
    assert explained(["--model", str(saved_tiny), "--file", str(path)], capsys) == [("great fun", None),
                                                                                    ("a dull mess", None)]
    assert not [w for w in recwarn if issubclass(w.category, FaithlensWarning)]


@pytest.mark.parametrize("sep, word", [("|", "pipe"), (";", "semicolon")])
def test_a_header_joined_by_another_separator_is_refused_never_explained(saved_tiny, tmp_path, capsys, sep, word):
    """N2: 'text|label' (and a European Excel 'text;label') in a plain-named file was explained as a text, and so was
    each row with its label. Refused naming the separator and the fix; the fixed file reads."""
    path = tmp_path / "h32.txt"
    path.write_text(f"text{sep}label\ngreat fun{sep}1\n", encoding="utf-8")
    said = refusal(["--model", str(saved_tiny), "--file", str(path)], capsys)
    assert f"is a header of column names joined by a {word} (text{sep}label)" in said
    assert "Save it comma-separated (a header such as text,label) or tab-separated" in said
    path.write_text("text,label\ngreat fun,1\n", encoding="utf-8")
    assert explained(["--model", str(saved_tiny), "--file", str(path)], capsys) == [("great fun", None)]
    plain = tmp_path / "plain.txt"  # ordinary words joined by the separator stay a text
    plain.write_text(f"hello{sep}world\ngreat fun{sep}1\n", encoding="utf-8")
    assert explained(["--model", str(saved_tiny), "--file", str(plain)], capsys) == [
        (f"hello{sep}world", None), (f"great fun{sep}1", None)]


@pytest.mark.parametrize("name, content, words", [
    ("h31.csv", "text;label\ngreat fun;1\n", "joined by a semicolon (';')"),
    ("h.csv", "text|label\ngreat fun|1\n", "joined by a pipe ('|')"),
    ("t.csv", "text\tlabel\ngreat fun\t1\n", "rename it to end in .tsv."),
])
def test_a_csv_that_is_not_comma_separated_is_refused_naming_the_separator(saved_tiny, tmp_path, capsys, name,
                                                                           content, words):
    """N4: 'Got columns ['text;label'] ... pass --text-column NAME' was no fix (following it explained 'great fun;1',
    label included). The message names the separator, for explain --file and the data reader (evaluate, train) alike,
    and also when the one column is named."""
    from faithlens.data import read_file

    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    said = refusal(["--model", str(saved_tiny), "--file", str(path)], capsys)
    assert words in said and "Got columns" not in said and "--text-column" not in said
    with pytest.raises(FaithlensError, match=re.escape(words)):
        read_file(path)
    column = content.split("\n")[0]
    assert words in refusal(["--model", str(saved_tiny), "--file", str(path), "--text-column", column], capsys)


def test_a_tab_file_named_csv_reads_once_renamed_and_a_comma_file_named_tsv_is_refused(saved_tiny, tmp_path, capsys):
    from faithlens.data import read_file

    path = tmp_path / "t.tsv"
    path.write_text("text\tlabel\ngreat fun\t1\n", encoding="utf-8")
    assert explained(["--model", str(saved_tiny), "--file", str(path)], capsys) == [("great fun", None)]
    comma = tmp_path / "c.tsv"  # explain --file reads a comma header as CSV whatever the name; evaluate goes by the name
    comma.write_text("text,label\ngreat fun,1\n", encoding="utf-8")
    with pytest.raises(FaithlensError, match=r"comma-separated \(CSV\) file read as tab-separated \(TSV\) for its name: "
                                             r"rename it to end in \.csv\."):
        read_file(comma)


@pytest.mark.parametrize("name, content", [
    ("h26.tsv", "id\ttext\n1\tgreat fun\n"), ("i.csv", "id,text\n1,great fun\n"), ("p1.csv", ",text\n0,great fun\n"),
    ("i.jsonl", '{"idx": 1, "text": "great fun"}\n'), ("u.csv", "Unnamed: 0,text,label\n0,great fun,1\n"),
    ("q.jsonl", '{"question": "great?", "context": "great fun", "answers": {"text": ["great"]}}\n'),
])
def test_an_id_column_is_skipped_silently_in_csv_tsv_and_jsonl(tmp_path, recwarn, name, content):
    """N6 and the README: an id column (id, idx, index, pandas' unnamed index) and gold columns (label, answers) are
    never read, silently, in every format."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert len(read_text_file(path, source="x").items) == 1
    assert not [w for w in recwarn if issubclass(w.category, FaithlensWarning)]


@pytest.mark.parametrize("name, content", [
    ("e.tsv", "title\ttext\nX\tgreat fun\n"), ("e.csv", "title,text\nX,great fun\n"),
    ("e.jsonl", '{"title": "X", "text": "great fun"}\n'), ("e.txt", "note\ttext\nX\tgreat fun\n"),
])
def test_any_other_unread_column_is_named_in_csv_tsv_and_jsonl(tmp_path, name, content):
    """N6: the rule is one for every format: a column that is neither read, gold nor an id is named in a warning."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.warns(FaithlensWarning, match=r"the column '(title|note)' is not read"):
        assert read_text_file(path, source="x").items == ["great fun"]


# --- thirteenth breaker B1, B2, B7, B8: header names ---------------------------------------------------------------

@pytest.mark.parametrize("name, content, items", [
    ("a.csv", "premise, hypothesis\nA man sleeps.,A person rests.\n", [("A man sleeps.", "A person rests.")]),
    ("b.csv", "id, text\n1, great fun\n", ["great fun"]),
    ("c.csv", "Text,Label\ngreat fun,1\n", ["great fun"]),
    ("d.tsv", "SENTENCE\tLABEL\ngreat fun\t1\n", ["great fun"]),
    ("e.txt", "Premise\tHypothesis\nA man sleeps.\tA person rests.\n", [("A man sleeps.", "A person rests.")]),
    ("f.csv", " text,label\ngreat fun,1\n", ["great fun"]),
    ("g.csv", "text ,label\ngreat fun,1\n", ["great fun"]),
    ("h.txt", "question, context\nWho is it?, Bob is.\n", [("Who is it?", "Bob is.")]),
])
def test_column_names_match_after_strip_and_case_folding(tmp_path, recwarn, name, content, items):
    """B2: `Text`, `SENTENCE`, ` hypothesis` (a space after the comma) and `text ` name their columns, as the known
    names and as the caller's column options; no column is said to be unread."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert read_text_file(path, source="x").items == items
    assert not [w for w in recwarn if issubclass(w.category, FaithlensWarning)]


def test_named_columns_match_as_written_and_gold_labels_are_read_after_a_space(tmp_path):
    """B2: --text-column/--pair-column find ' second' from 'second'; a ' label' column gives evaluate its gold labels;
    the column is named as written in the file (the data's info)."""
    from faithlens.data import read_file

    path = tmp_path / "p.csv"
    path.write_text("first, second\nWho is it?, me\n", encoding="utf-8")
    assert read_text_file(path, source="x", text_column="FIRST", pair_column="second").items == [("Who is it?", "me")]
    labelled = tmp_path / "l.csv"
    labelled.write_text("sentence, label\ngreat fun, 1\na dull mess, 0\n", encoding="utf-8")
    data = read_file(labelled)
    assert data.texts == ("great fun", "a dull mess") and data.info["label_column"] == " label"
    assert data.labels is not None and len(data.labels) == 2


def test_a_fix_never_names_a_column_with_a_stray_space(tmp_path):
    """B2: the message for two unknown columns offers the names without the space after the comma."""
    path = tmp_path / "p.csv"
    path.write_text("one, two\nWho is it?, me\n", encoding="utf-8")
    with pytest.raises(FaithlensError, match=r"pass text_column='one' and pair_column='two'\.") as caught:
        read_text_file(path, source="x")
    assert "' two'" in str(caught.value)  # the columns as written, in "Got columns"


@pytest.mark.parametrize("name, content", [
    ("b6.csv", "\ntext,label\ngreat fun,1\na dull mess,0\n"),
    ("b7.tsv", "\nsentence\tlabel\ngreat fun\t1\na dull mess\t0\n"),
    ("a12.txt", "\n\ntext\tlabel\ngreat fun\t1\na dull mess\t0\n"),
    ("c.csv", " \r\ntext,label\r\ngreat fun,1\r\na dull mess,0\r\n"),
])
def test_blank_lines_before_the_header_are_skipped(tmp_path, name, content):
    """B1: a blank line before a CSV/TSV header no longer gives "holds no examples"."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert read_text_file(path, source="x").items == ["great fun", "a dull mess"]
    if not name.endswith(".txt"):
        from faithlens.data import read_file

        assert len(read_file(path).texts) == 2


def test_a_csv_whose_first_line_is_prose_is_refused_as_having_no_header(tmp_path):
    """B7: `I liked it, a lot` is an example, not the columns 'I liked it' and ' a lot': the message says the file has
    no header line and never offers those names as column options (which would drop the first example)."""
    path = tmp_path / "a23.csv"
    path.write_text("\nI liked it, a lot\nboring, long\n", encoding="utf-8")
    with pytest.raises(FaithlensError) as caught:
        read_text_file(path, source="x")
    said = str(caught.value)
    assert said.startswith("Line 2 of ") and "so this file has no header line. Add one" in said
    assert "text_column='I liked it'" not in said and '"I liked it, a lot"' in said
    unknown = tmp_path / "u.csv"  # names the readers do not know still get the column options
    unknown.write_text("Phrase,Sentiment\ngreat fun,1\n", encoding="utf-8")
    with pytest.raises(FaithlensError, match=r"Could not find a text column .* Got columns \['Phrase', 'Sentiment'\]"):
        read_text_file(unknown, source="x")


@pytest.mark.parametrize("first", ["sentence label", "Premise  Hypothesis", "text label id"])
def test_a_header_separated_by_spaces_is_refused_never_explained(tmp_path, first):
    """B8: a first line whose every word is a column name, separated by spaces, is refused as a header; a first line
    of prose that merely holds such a word is a text."""
    path = tmp_path / "a11.txt"
    path.write_text(f"\n{first}\ngreat fun\n", encoding="utf-8")
    names = ",".join(first.split())
    with pytest.raises(FaithlensError, match=rf"Line 2 of x \({first}\) is a header of column names separated by "
                                             rf"spaces.* Separate the names with a comma \({names}\)"):
        read_text_file(path, source="x")
    prose = tmp_path / "p.txt"
    prose.write_text("the text label\ngreat fun\n", encoding="utf-8")
    assert read_text_file(prose, source="x").items == ["the text label", "great fun"]


def test_a_tab_header_whose_names_hold_spaces_is_read_by_columns_never_split_at_the_spaces(tmp_path):
    """Breaker 14 N2: ``first sentence<tab>second sentence`` is a tab-separated header, not one separated by spaces:
    the columns are offered whole as text_column / pair_column and read when named."""
    path = tmp_path / "h1.txt"
    path.write_text("first sentence\tsecond sentence\nA man sleeps.\tA person rests.\n", encoding="utf-8")
    with pytest.raises(FaithlensError) as caught:
        read_text_file(path, source="x")
    said = str(caught.value)
    assert "separated by spaces" not in said and "first,sentence" not in said
    assert "pass text_column='first sentence' and pair_column='second sentence'" in said
    read = read_text_file(path, source="x", text_column="first sentence", pair_column="second sentence")
    assert read.items == [("A man sleeps.", "A person rests.")]
    pairs = tmp_path / "p.txt"  # a headerless pair whose texts are not all column-name words stays a pair
    pairs.write_text("first class\tgreat fun\n", encoding="utf-8")
    assert read_text_file(pairs, source="x").items == [("first class", "great fun")]


@pytest.mark.parametrize("first", ["First class", "Question answer", "Premise hypothesis"])
def test_a_two_word_text_written_as_a_sentence_is_explained_not_refused_as_a_header(tmp_path, first):
    """Breaker 14 N6: a first line of column-name words written as a sentence begins is a text."""
    path = tmp_path / "fp1.txt"
    path.write_text(f"{first}\ngreat fun\n", encoding="utf-8")
    assert read_text_file(path, source="x").items == [first, "great fun"]


@pytest.mark.parametrize("first", ["Sentence label", "Premise hypothesis label", "TEXT LABEL", "first sentence"])
def test_a_space_header_message_offers_the_way_to_keep_the_line_as_a_text(tmp_path, first):
    """Breaker 14 N6: a known header in any case, or names written as headers are, is refused; the message says how
    to explain it as a text after all, as the single-name message does."""
    path = tmp_path / "k.txt"
    path.write_text(f"{first}\ngreat fun\n", encoding="utf-8")
    with pytest.raises(FaithlensError) as caught:
        read_text_file(path, source="x")
    said = str(caught.value)
    assert f"({first}) is a header of column names separated by spaces" in said
    assert "put another line first" in said and f"faithlens explain '{first}'." in said
