"""Eighteenth breaker F1 (issue 22): a resumed evaluate run trusted the values of an edited records.jsonl line.

Every record line carries the SHA-256 of its own content; an edited line (or one without a digest) is moved to
records.rejected.jsonl and recomputed, and every value the tables read is type- and range-checked, so an edited
value never reaches the table and never ends in a traceback."""

from __future__ import annotations

import json
import shutil

import pytest
from tiny import CORPUS, tiny

from faithlens.data import Dataset
from faithlens.errors import FaithlensError, FaithlensWarning
from faithlens.evaluate import evaluate, load_result, read_records
from faithlens.evaluate.folder import record_digest, record_problem

METHODS = ["occlusion", "ig:steps=4"]
DATA = Dataset(tuple(CORPUS[:4]), (1, 0, 1, 0), source="edits-corpus")


@pytest.fixture(scope="module")
def model():
    return tiny("bert")


@pytest.fixture(scope="module")
def base(model, tmp_path_factory):
    out = tmp_path_factory.mktemp("base") / "run"
    result = evaluate(model, DATA, methods=METHODS, out=out, progress=False, batch_size=2, shuffle=False)
    return out, result


def _flat(rows):
    return {(row["method"], key, part): value for row in rows for key, cell in row.items()
            if key != "method" and not key.startswith("seconds")
            for part, value in (cell.items() if isinstance(cell, dict) else [("", cell)])}


def _same_table(rows, expected):
    got, want = _flat(rows), _flat(expected)
    assert got.keys() == want.keys()
    assert got == pytest.approx(want, rel=1e-5, abs=1e-7)


def _copy(base, tmp_path):
    out = tmp_path / "run"
    shutil.copytree(base[0], out)
    return out


def _edit_first(out, change, *, reseal=False):
    path = out / "records.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    record = json.loads(lines[0])
    change(record)
    if reseal:  # a valid digest over a value no run writes: the range check must catch it
        record["digest"] = record_digest(record)
    lines[0] = json.dumps(record) + "\n"
    path.write_text("".join(lines))
    return record


EDITS = {
    "log_odds 5.0": lambda r: r.update(log_odds=5.0),
    "comprehensiveness -9": lambda r: r.update(comprehensiveness=-9),
    "seconds -3": lambda r: r.update(seconds=-3),
    "p_predicted 1.5": lambda r: r.update(p_predicted=1.5),
    "k 99": lambda r: r.update(k=99),
    "delta -1": lambda r: r.update(delta=-1),
    "predicted": lambda r: r.update(predicted=1 - r["predicted"]),
    "settings baseline": lambda r: r.update(settings={**r["settings"], "baseline": "pad"}),
    "settings target": lambda r: r.update(settings={**r["settings"], "target": 5}),
    "log_odds null": lambda r: r.update(log_odds=None),
    "log_odds abc": lambda r: r.update(log_odds="abc"),
    "token_scores short": lambda r: r.update(token_scores=[0, 0, 0]),
    "example digest": lambda r: r.update(example="deadbeef"),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_an_edited_line_is_set_aside_and_recomputed(model, base, tmp_path, name):
    out = _copy(base, tmp_path)
    _edit_first(out, EDITS[name])
    why = "edited: its content does not match its digest"
    with pytest.warns(FaithlensWarning, match=rf"1 damaged line\(s\) \(1; line 1: {why}.*moved to "
                                              r"records\.rejected\.jsonl \(those examples are computed again\)"):
        result = evaluate(model, DATA, methods=METHODS, out=out, progress=False, batch_size=2, shuffle=False)
    assert result.computed == 1
    _same_table(result.rows, base[1].rows)
    rejected = [json.loads(line) for line in (out / "records.rejected.jsonl").read_text().splitlines()]
    assert [(r["file"], r["line"]) for r in rejected] == [("records.jsonl", 1)]
    assert all(record_digest(r) == r["digest"] for r in read_records(out / "records.jsonl"))


def test_a_digest_removed_after_a_digested_line_is_set_aside(model, base, tmp_path):
    out = _copy(base, tmp_path)
    path = out / "records.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    last = json.loads(lines[-1])
    del last["digest"]
    lines[-1] = json.dumps(last) + "\n"
    path.write_text("".join(lines))
    n = len(lines)
    with pytest.warns(FaithlensWarning, match=rf"1 damaged line\(s\) \({n}; line {n}: no digest, though the run was written"):
        result = evaluate(model, DATA, methods=METHODS, out=out, progress=False, batch_size=2, shuffle=False)
    assert result.computed == 1
    _same_table(result.rows, base[1].rows)


def test_a_file_written_before_digests_is_kept_and_resumed_after(model, base, tmp_path, recwarn):
    """Lines before a file's first digested line come from a faithlens without digests (results/'s paper runs):
    kept when their values pass the checks, nothing recomputed; a resume appends digested lines after them."""
    out = _copy(base, tmp_path)
    path = out / "records.jsonl"
    old = [json.loads(line) for line in path.read_text().splitlines()]
    for r in old:
        del r["digest"]
    path.write_text("".join(json.dumps(r) + "\n" for r in old[:-2]))  # an older run, interrupted two records early
    settings = json.loads((out / "settings.json").read_text())
    del settings["digest"]  # an older faithlens wrote no digest in settings.json either
    (out / "settings.json").write_text(json.dumps(settings))
    assert len(read_records(path)) == len(old) - 2 and not recwarn.list
    result = evaluate(model, DATA, methods=METHODS, out=out, progress=False, batch_size=2, shuffle=False)
    assert not [w for w in recwarn.list if "damaged" in str(w.message)]
    _same_table(result.rows, base[1].rows)
    records = read_records(path)
    assert len(records) == len(old) and ["digest" in r for r in records] == [False] * (len(old) - 2) + [True] * 2
    settings = json.loads((out / "settings.json").read_text())
    assert settings["records_before_digests"] == {"records.jsonl": len(old) - 2}  # counted once, by this resume
    again = evaluate(model, DATA, methods=METHODS, out=out, progress=False, batch_size=2, shuffle=False)
    assert again.computed == 0 and json.loads((out / "settings.json").read_text())["records_before_digests"] == {
        "records.jsonl": len(old) - 2}


def test_a_digest_removed_from_the_first_line_of_a_run_with_digests_is_set_aside(model, base, tmp_path):
    """Twenty-third breaker F3: an edited first line with its digest deleted read as written before digests; the
    run's settings.json (written with a digest) says none of its lines were."""
    out = _copy(base, tmp_path)
    path = out / "records.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    first = json.loads(lines[0])
    first["log_odds"] = -99.0
    del first["digest"]
    lines[0] = json.dumps(first) + "\n"
    path.write_text("".join(lines))
    with pytest.warns(FaithlensWarning, match=r"1 damaged line\(s\) \(1; line 1: no digest, though the run was written"):
        result = evaluate(model, DATA, methods=METHODS, out=out, progress=False, batch_size=2, shuffle=False)
    assert result.computed == 1
    _same_table(result.rows, base[1].rows)


@pytest.mark.parametrize("name, change", [
    ("comprehensiveness -9", lambda r: r.update(comprehensiveness=-9)),
    ("sufficiency 2", lambda r: r.update(sufficiency=2.0)),
    ("seconds -3", lambda r: r.update(seconds=-3)),
    ("p_predicted 1.5", lambda r: r.update(p_predicted=1.5)),
    ("k 99", lambda r: r.update(k=99)),
    ("delta -1", lambda r: r.update(delta=-1)),
    ("log_odds abc", lambda r: r.update(log_odds="abc")),
    ("log_odds true", lambda r: r.update(log_odds=True)),
    ("token_scores short", lambda r: r.update(token_scores=[0, 0, 0])),
    ("token_scores null", lambda r: r.update(token_scores=[None] * len(r["tokens"]))),
    ("predicted text", lambda r: r.update(predicted="positive")),
    ("special short", lambda r: r.update(special=[False])),
])
def test_a_resealed_line_with_a_value_no_run_writes_is_set_aside(model, base, tmp_path, name, change):
    out = _copy(base, tmp_path)
    _edit_first(out, change, reseal=True)
    field = name.split()[0]
    with pytest.warns(FaithlensWarning, match=rf"1 damaged line\(s\) \(1; line 1: '{field}'"):
        assert load_result(out).rows[0]["comprehensiveness"]["n"] == len(DATA) - 1  # read-only: skipped, no traceback
    with pytest.warns(FaithlensWarning, match=r"moved to records\.rejected\.jsonl"):
        result = evaluate(model, DATA, methods=METHODS, out=out, progress=False, batch_size=2, shuffle=False)
    assert result.computed == 1
    _same_table(result.rows, base[1].rows)


@pytest.mark.parametrize("text", ["1e400", "NaN", "-Infinity"])
def test_an_infinite_or_nan_value_is_set_aside_not_a_traceback(model, base, tmp_path, text):
    out = _copy(base, tmp_path)
    path = out / "records.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    record = json.loads(lines[0])
    lines[0] = lines[0].replace(f'"log_odds": {json.dumps(record["log_odds"])}', f'"log_odds": {text}')
    assert lines[0] != json.dumps(record) + "\n"
    path.write_text("".join(lines))
    with pytest.warns(FaithlensWarning, match=r"1 damaged line\(s\) \(1; line 1: edited"):
        result = evaluate(model, DATA, methods=METHODS, out=out, progress=False, batch_size=2, shuffle=False)
    assert result.computed == 1
    _same_table(result.rows, base[1].rows)


def test_an_unedited_resume_recomputes_nothing(model, base, tmp_path):
    out = _copy(base, tmp_path)
    before = (out / "records.jsonl").read_text()
    result = evaluate(model, DATA, methods=METHODS, out=out, progress=False, batch_size=2, shuffle=False)
    assert result.computed == 0 and (out / "records.jsonl").read_text() == before
    assert not (out / "records.rejected.jsonl").exists()


def test_changed_data_names_what_differs(model, base, tmp_path):
    out = _copy(base, tmp_path)
    changed = Dataset((DATA.texts[0] + " indeed", *DATA.texts[1:]), DATA.labels, source="edits-corpus")
    with pytest.raises(FaithlensError, match=r"example 0: text was '.*', now '.* indeed'"):
        evaluate(model, changed, methods=METHODS, out=out, progress=False, batch_size=2, shuffle=False)
    relabelled = Dataset(DATA.texts, (0, *DATA.labels[1:]), source="edits-corpus")
    with pytest.raises(FaithlensError, match=r"example 0 \('.*'\): label was 1, now 0\. Resume"):
        evaluate(model, relabelled, methods=METHODS, out=out, progress=False, batch_size=2, shuffle=False)


def test_a_resealed_example_digest_is_named_as_not_matching_the_data(model, base, tmp_path):
    out = _copy(base, tmp_path)
    _edit_first(out, lambda r: r.update(example="deadbeefdeadbeef"), reseal=True)
    with pytest.raises(FaithlensError, match=r"example 0 \(.*label 1\): its recorded example digest 'deadbeefdeadbeef' "
                                             r"does not match the data's line now"):
        evaluate(model, DATA, methods=METHODS, out=out, progress=False, batch_size=2, shuffle=False)


def test_record_problem_accepts_every_record_a_run_writes(base):
    records = read_records(base[0] / "records.jsonl")
    assert len(records) == len(DATA) * len(METHODS)
    assert [record_problem(r) for r in records] == [None] * len(records)


@pytest.mark.parametrize("key, value", [("baseline", "pad"), ("score", "prob"), ("topk", 0.5)])
def test_an_edited_settings_file_is_refused(model, base, tmp_path, key, value):
    """Twentieth breaker F1: settings.json edited (and the same option passed) resumed with nothing recomputed and
    tables naming settings the records were not computed with."""
    out = _copy(base, tmp_path)
    path = out / "settings.json"
    saved = json.loads(path.read_text())
    assert saved["digest"] == record_digest(saved)
    saved["settings"][key] = value
    path.write_text(json.dumps(saved))
    with pytest.raises(FaithlensError, match=r"settings\.json' was edited after the run wrote it .*Restore the file"):
        evaluate(model, DATA, methods=METHODS, out=out, progress=False, batch_size=2, shuffle=False, **{key: value})


def test_a_settings_file_from_before_digests_still_resumes(model, base, tmp_path):
    out = _copy(base, tmp_path)
    path = out / "settings.json"
    saved = json.loads(path.read_text())
    del saved["digest"]
    path.write_text(json.dumps(saved))
    result = evaluate(model, DATA, methods=METHODS, out=out, progress=False, batch_size=2, shuffle=False)
    assert result.computed == 0
    _same_table(result.rows, base[1].rows)
