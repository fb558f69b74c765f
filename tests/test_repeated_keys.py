"""Issue 22, tenth breaker (F3): a data file that names a column or key twice.

A TSV/CSV header naming the label (or text) column twice was read with the last column winning in silence
(`evaluate` and `train` ran on the other labels, or on texts paired with another row's labels), and
``json.loads`` keeps the last of a repeated key the same way. Both are refused now, naming the column or key.
"""

from __future__ import annotations

import json

import pytest

from faithlens.cli import main
from faithlens.data import read_file
from faithlens.errors import FaithlensError
from faithlens.json_files import loads
from faithlens.plausibility import read_rationales
from faithlens.qa import read_squad


@pytest.mark.parametrize("header, column, at", [
    ("sentence\tlabel\tlabel", "label", "2 and 3"),
    ("sentence\tlabel\tsentence", "sentence", "1 and 3"),
])
def test_a_tsv_header_naming_a_read_column_twice_is_refused(tmp_path, header, column, at):
    path = tmp_path / "d.tsv"
    path.write_text(f"{header}\ngreat fun\t1\t0\na dull mess\t0\t1\n", encoding="utf-8")
    with pytest.raises(FaithlensError, match=f"names the column '{column}' twice \\(columns {at}\\)"):
        read_file(path)


def test_a_csv_header_alike_and_an_unread_column_twice_is_fine(tmp_path):
    csv_path = tmp_path / "d.csv"
    csv_path.write_text("sentence,label,label\ngreat fun,1,0\n", encoding="utf-8")
    with pytest.raises(FaithlensError, match="names the column 'label' twice"):
        read_file(csv_path)
    tsv = tmp_path / "notes.tsv"  # a column nobody reads may repeat: the rows are read as before
    tsv.write_text("sentence\tnote\tlabel\tnote\ngreat fun\ta\t1\tb\na dull mess\tc\t0\td\n", encoding="utf-8")
    data = read_file(tsv)
    assert list(data.texts) == ["great fun", "a dull mess"] and list(data.labels) == [1, 0]


def test_a_json_object_naming_a_key_twice_is_refused_in_every_json_reader(tmp_path):
    with pytest.raises(FaithlensError, match="Line 2 of .* names the key 'label' twice in one object"):
        jsonl = tmp_path / "d.jsonl"
        jsonl.write_text('{"text": "great fun", "label": 1}\n{"text": "a dull mess", "label": 0, "label": 1}\n')
        read_file(jsonl)
    listed = tmp_path / "d.json"
    listed.write_text('[{"text": "great fun", "text": "a dull mess", "label": 1}]')
    with pytest.raises(FaithlensError, match="names the key 'text' twice"):
        read_file(listed)
    squad = {"data": [{"title": "T", "paragraphs": [{"context": "Hamlet was written by Shakespeare.", "qas": [
        {"id": "q1", "question": "Who wrote Hamlet?", "answers": [{"text": "Shakespeare", "answer_start": 22}]}]}]}]}
    text = json.dumps(squad).replace('"answer_start": 22', '"answer_start": 22, "answer_start": 0')
    (tmp_path / "squad.json").write_text(text)
    with pytest.raises(FaithlensError, match="names the key 'answer_start' twice"):
        read_squad(tmp_path / "squad.json")
    rationales = tmp_path / "r.jsonl"
    rationales.write_text('{"text": "great fun", "spans": [[0, 5]], "spans": [[6, 9]]}\n')
    with pytest.raises(FaithlensError, match="Line 1 of .* names the key 'spans' twice"):
        data = tmp_path / "ok.tsv"
        data.write_text("sentence\tlabel\ngreat fun\t1\n", encoding="utf-8")
        read_rationales(rationales, dataset=read_file(data))


def test_loads_keeps_ordinary_json_and_nested_objects():
    assert loads('{"a": {"b": 1}, "c": [{"b": 2}]}', where="x") == {"a": {"b": 1}, "c": [{"b": 2}]}
    with pytest.raises(FaithlensError, match="x names the key 'b' twice"):
        loads('{"a": {"b": 1, "b": 2}}', where="x")


def test_evaluate_and_train_refuse_before_any_training(saved_tiny, tmp_path, capsys):
    path = tmp_path / "d.tsv"
    path.write_text("sentence\tlabel\tlabel\ngreat fun\t1\t0\na dull mess\t0\t1\n", encoding="utf-8")
    for argv in (["evaluate", "--model", saved_tiny, "--data", path, "--methods", "occlusion", "--no-random",
                  "--out", tmp_path / "ev"],
                 ["train", "--train", path, "--base", saved_tiny, "--max-length", "16", "--out", tmp_path / "m"]):
        assert main([str(a) for a in argv]) == 2
        err = capsys.readouterr().err
        assert "names the column 'label' twice (columns 2 and 3)" in err, err
    assert not (tmp_path / "m").exists() and not (tmp_path / "ev" / "records.jsonl").exists()


def test_the_web_app_refuses_a_json_body_naming_a_key_twice(saved_tiny):
    from faithlens import Explainer
    from faithlens.app import Limits, create_app

    client = create_app(Explainer(str(saved_tiny)), limits=Limits()).test_client()
    host = {"Host": "127.0.0.1:8765"}
    body = '{"text": "great fun", "method": "occlusion", "text": "a dull mess"}'
    refused = client.post("/api/explain", data=body, content_type="application/json", headers=host)
    assert refused.status_code == 400, refused.get_data(as_text=True)
    assert "The JSON body names the key 'text' twice in one object" in refused.get_json()["error"]
    once = client.post("/api/explain", data='{"text": "great fun", "method": "occlusion"}',
                       content_type="application/json", headers=host)
    assert once.status_code == 200 and once.get_json()[0]["text"] == "great fun"


@pytest.mark.parametrize("body", ["[" * 2000 + "]" * 2000, '{"texts": ' + "[" * 1000 + "]" * 1000 + "}"])
def test_the_web_app_refuses_json_nested_too_deep_with_a_400(saved_tiny, body):
    """Sixteenth breaker F1: a 4 KB body of nested arrays ended in a 500 (RecursionError) and a server traceback."""
    from faithlens import Explainer
    from faithlens.app import Limits, create_app

    client = create_app(Explainer(str(saved_tiny)), limits=Limits()).test_client()
    refused = client.post("/api/explain", data=body, content_type="application/json", headers={"Host": "127.0.0.1:8765"})
    assert refused.status_code == 400, refused.get_data(as_text=True)
    assert "nests arrays or objects more than 64 levels deep" in refused.get_json()["error"]


def test_loads_refuses_nesting_past_its_limit_and_keeps_what_is_within_it():
    from faithlens.json_files import MAX_DEPTH, loads

    within = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert loads(within, where="x") is not None
    with pytest.raises(FaithlensError, match="more than 64 levels deep"):
        loads("[" + within + "]", where="x")
