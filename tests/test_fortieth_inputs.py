"""The fortieth breaker: files written by pandas' DataFrame.to_json in its other layouts are refused naming the call
that writes records (orient='split' and 'table' were read as SQuAD); a headerless TSV from a CSV writer keeps a quoted
tab inside its text."""

from __future__ import annotations

import json

import pytest

from faithlens.data import is_squad_file, load_dataset

ROWS = [{"premise": "a man sleeps", "hypothesis": "a man rests", "label": "entailment"},
        {"premise": "a dog runs", "hypothesis": "a cat runs", "label": "contradiction"}]
LAYOUTS = {  # what DataFrame(ROWS).to_json(orient=...) writes
    "columns": {c: {str(i): r[c] for i, r in enumerate(ROWS)} for c in ROWS[0]},
    "index": {str(i): r for i, r in enumerate(ROWS)},
    "split": {"columns": list(ROWS[0]), "index": [0, 1], "data": [list(r.values()) for r in ROWS]},
    "table": {"schema": {"fields": [{"name": "index", "type": "integer"}], "primaryKey": ["index"]},
              "data": [{"index": i, **r} for i, r in enumerate(ROWS)]},
}


@pytest.mark.parametrize("orient", list(LAYOUTS))
def test_pandas_layouts_other_than_records_name_the_call_that_writes_records(tmp_path, orient, capsys):
    path = tmp_path / f"{orient}.json"
    path.write_text(json.dumps(LAYOUTS[orient]))
    assert not is_squad_file(path)
    with pytest.raises(Exception, match=r"orient='records', lines=True\) to a \.jsonl") as caught:
        load_dataset(path)
    assert "pandas' DataFrame.to_json(orient=" in str(caught.value) and orient in str(caught.value)
    fixed = tmp_path / "fixed.jsonl"  # the fix it names reads the same rows
    fixed.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    assert load_dataset(fixed).texts == tuple((r["premise"], r["hypothesis"]) for r in ROWS)


def test_squad_files_are_still_squad(tmp_path):
    squad = {"version": "1.1", "data": [{"title": "t", "paragraphs": [{"context": "Bob ran home.", "qas": [
        {"id": "1", "question": "Who ran?", "answers": [{"text": "Bob", "answer_start": 0}]}]}]}]}
    (tmp_path / "s.json").write_text(json.dumps(squad))
    assert is_squad_file(tmp_path / "s.json")
