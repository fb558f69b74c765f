"""`evaluate`: resuming gives the same table, a killed run loses no finished line, settings are guarded."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from tiny import CORPUS, tiny

from faithlens.data import Dataset, load_dataset, reload, select
from faithlens.errors import FaithlensError, FaithlensWarning
from faithlens.evaluate import evaluate, load_result, parse_method, read_records, spearman

METHODS = ["grad_x_input", "ig:steps=8", "sig:steps=8", "sig:mode=closed"]
TEXTS = CORPUS + ["the acting was great and the plot fun", "not good, not fun, very boring"]
DATA = Dataset(tuple(TEXTS), tuple([1, 1, 0, 1, 0, 0, 1, 0]), source="tiny-corpus")


def _without_seconds(rows):
    return [{k: v for k, v in row.items() if not k.startswith("seconds")} for row in rows]


def _same_table(rows, expected):
    """Equal tables. A resumed run explains the remaining examples in differently sized batches, so
    float32 rounding may differ: values agree to 1e-7 (SIG's per-word delta is itself ~3e-7 of rounding)."""
    def flat(table):
        return {(row["method"], key, part): value for row in _without_seconds(table) for key, cell in row.items()
                if key != "method" for part, value in (cell.items() if isinstance(cell, dict) else [("", cell)])}

    got, want = flat(rows), flat(expected)
    assert got.keys() == want.keys() and len(want) > 20
    assert got == pytest.approx(want, rel=0, abs=1e-7)


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FAITHLENS_HOME", str(tmp_path / "cache"))


def test_resumed_run_gives_the_same_table(tmp_path):
    model = tiny("bert")
    whole = evaluate(model, DATA, methods=METHODS, out=tmp_path / "a", batch_size=3, progress=False)
    part = evaluate(model, DATA, methods=METHODS, out=tmp_path / "b", batch_size=3, progress=False, stop_after=7)
    assert sum(r["n"] for r in (row["delta"] for row in part.rows)) == 9  # stops at the end of a batch (3 examples)
    with (tmp_path / "b" / "records.jsonl").open("a") as handle:  # a write cut off by a kill
        handle.write('{"index": 5, "method": "ig:ste')
    resumed = evaluate(model, DATA, methods=METHODS, out=tmp_path / "b", batch_size=3, progress=False)
    _same_table(resumed.rows, whole.rows)
    assert resumed.rows[0]["log_odds"]["n"] == len(TEXTS)
    assert len(read_records(tmp_path / "b" / "records.jsonl")) == len(TEXTS) * len(METHODS)
    for name in ("results.json", "results.csv", "table.md", "agreement.md"):
        assert (tmp_path / "b" / name).exists()
    saved = json.loads((tmp_path / "b" / "results.json").read_text())
    _same_table(saved["rows"], whole.rows)
    assert "| sig:steps=8 |" in resumed.markdown() and "LO ↓" in resumed.markdown()
    _same_table(load_result(tmp_path / "b").rows, whole.rows)
    # SIG by gradients and in closed form rank tokens alike.
    pair = next(a for a in resumed.agreement if a["a"] == "sig:steps=8" and a["b"] == "sig:mode=closed")
    assert pair["spearman"]["mean"] > 0.9


def test_resume_skips_finished_lines(tmp_path):
    model = tiny("bert")
    evaluate(model, DATA, methods=METHODS[:1], out=tmp_path, progress=False)
    before = (tmp_path / "records.jsonl").read_text()
    evaluate(model, DATA, methods=METHODS[:1], out=tmp_path, progress=False)
    assert (tmp_path / "records.jsonl").read_text() == before  # nothing recomputed or rewritten


def test_changed_settings_are_refused(tmp_path):
    model = tiny("bert")
    evaluate(model, DATA, methods=METHODS[:1], out=tmp_path, progress=False, stop_after=2)
    with pytest.raises(FaithlensError, match="baseline: was 'mask', now 'pad'"):
        evaluate(model, DATA, methods=METHODS[:1], baseline="pad", out=tmp_path, progress=False)
    with pytest.raises(FaithlensError, match="topk"):
        evaluate(model, DATA, methods=METHODS[:1], topk=0.3, out=tmp_path, progress=False)
    # Adding a method and growing the data are allowed.
    evaluate(model, DATA, methods=METHODS[:2], out=tmp_path, progress=False)


SCRIPT = """
import sys, torch
sys.path.insert(0, {tests!r})
from tiny import tiny
from faithlens.data import Dataset
from faithlens.evaluate import evaluate
texts = {texts!r} * 6
evaluate(tiny("bert"), Dataset(tuple(texts), (1,) * len(texts), source="kill-test"),
         methods=["sig:steps=16"], out={out!r}, batch_size=1, progress=False)
"""


def test_killing_a_run_loses_no_finished_line(tmp_path):
    out = tmp_path / "run"
    code = SCRIPT.format(tests=str(Path(__file__).parent), texts=TEXTS, out=str(out))
    env = dict(os.environ, OMP_NUM_THREADS="1")
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    path = out / "records.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline and (not path.exists() or path.read_text().count("\n") < 3):
        if proc.poll() is not None:
            pytest.fail(f"the run ended early: {proc.stderr.read().decode()[-2000:]}")
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    finished = read_records(path)
    assert len(finished) >= 3
    assert all(json.loads(line) for line in path.read_text().splitlines()[: len(finished)])
    texts = TEXTS * 6
    result = evaluate(tiny("bert"), Dataset(tuple(texts), (1,) * len(texts), source="kill-test"),
                      methods=["sig:steps=16"], out=out, batch_size=8, progress=False)
    records = read_records(path)
    assert records[: len(finished)] == finished  # the finished lines were kept, not recomputed
    assert result.rows[0]["log_odds"]["n"] == len(texts)


def test_method_specs():
    spec = parse_method("ig:steps=10N")
    assert spec.method == "ig" and spec.steps_per_token == 10
    assert spec.explain_kwargs(None, 7) == {"steps": 70}
    assert parse_method("sig:mode=forward,steps=10").options == {"mode": "forward", "steps": 10}
    with pytest.raises(FaithlensError, match="Valid choices"):
        parse_method("shap")
    with pytest.raises(FaithlensError, match=r"unknown key 'stepz' \(did you mean ig:steps=3\?\)"):
        parse_method("ig:stepz=3")
    assert spearman([1, 2, 3], [10, 20, 30]) == pytest.approx(1.0)
    assert spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 1, 1], [1, 2, 3]) is None


def test_data_files(tmp_path, shared_data):
    sst = load_dataset(shared_data / "sst2" / "dev.tsv")
    assert len(sst) == 872 and sst.labels[0] == 1 and sst.texts[0].startswith("it 's a charming")
    test = load_dataset(shared_data / "sst2" / "test.tsv")
    assert len(test) == 1821 and not test.has_labels
    imdb = load_dataset(shared_data / "imdb_textfooler_test1000" / "imdb_test_sample_1000.txt")
    assert len(imdb) == 1000 and set(imdb.labels) == {0, 1}
    short = select(imdb, max_chars=2000, limit=50, seed=1, shuffle=True)
    assert len(short) == 50 and all(len(t) < 2000 for t in short.texts)
    again = select(imdb, max_chars=2000, limit=80, seed=1, shuffle=True)
    assert again.texts[:50] == short.texts  # a larger limit extends the same sample
    (tmp_path / "d.jsonl").write_text('{"text": "good", "label": 1}\n{"text": "bad", "label": 0}\n')
    assert load_dataset(tmp_path / "d.jsonl").labels == (1, 0)
    (tmp_path / "d.csv").write_text('review,sentiment\n"fine, really",1\n')
    assert load_dataset(tmp_path / "d.csv").texts == ("fine, really",)
    (tmp_path / "bad.jsonl").write_text('{"text": "good", "label": 1}\n{"text": "ba\n')
    with pytest.raises(FaithlensError, match="Line 2 .* not valid JSON"):
        load_dataset(tmp_path / "bad.jsonl")
    with pytest.raises(FaithlensError, match="does not exist"):
        load_dataset(tmp_path / "missing.tsv")
    with pytest.raises(FaithlensError, match="text column"):
        load_dataset(tmp_path / "d.csv", text_column="sentence")


def test_tensor_sanity_of_records(tmp_path):
    model = tiny("bert")
    result = evaluate(model, DATA, methods=["ig:steps=8"], out=tmp_path, progress=False)
    records = read_records(tmp_path / "records.jsonl")
    assert all(r["k"] == int(0.2 * sum(not s for s in r["special"])) for r in records)
    assert result.rows[0]["delta"]["mean"] < 0.5
    assert torch.isfinite(torch.tensor([r["log_odds"] for r in records])).all()


def test_merge_runs_uses_common_examples(tmp_path):
    from faithlens.evaluate import merge_runs

    model = tiny("bert")
    evaluate(model, DATA, methods=["grad_x_input", "sig:steps=8"], out=tmp_path / "main", progress=False)
    evaluate(model, DATA, methods=["sig:steps=4"], out=tmp_path / "extra", progress=False, stop_after=5, batch_size=1)
    merged = merge_runs([tmp_path / "main", tmp_path / "extra"], ["sig:steps=8", "sig:steps=4"])
    assert merged.n_examples == 5 and [r["log_odds"]["n"] for r in merged.rows] == [5, 5]
    evaluate(model, DATA, methods=["ig:steps=4"], baseline="pad", out=tmp_path / "pad", progress=False, stop_after=1)
    with pytest.raises(FaithlensError, match="differs"):
        merge_runs([tmp_path / "main", tmp_path / "pad"])
    for folders, methods, words in ((str(tmp_path / "main"), None, "takes folders as a list"),
                                    ([tmp_path / "main"], "sig:steps=8", "takes methods as a list"),
                                    ([tmp_path / "main"], {"sig:steps=8", "grad_x_input"}, "as a list"),
                                    ([tmp_path / "main"], ["grad_x_input", "grad_x_input"], "more than once")):
        with pytest.raises(FaithlensError, match=words):
            merge_runs(folders, methods)


def test_a_selected_dataset_reloads_from_its_source_and_info(tmp_path):
    (tmp_path / "d.tsv").write_text("sentence\tlabel\n" + "".join(f"text number {i}\t{i % 2}\n" for i in range(30))
                                    + "a much longer text that the length filter drops\t1\n")
    picked = select(load_dataset(tmp_path / "d.tsv"), limit=7, seed=3, max_chars=20, shuffle=True)
    again = reload(picked.source, json.loads(json.dumps(picked.info)))  # as settings.json keeps it
    assert again.texts == picked.texts and again.labels == picked.labels and len(again) == 7
    assert again.texts != tuple(f"text number {i}" for i in range(7))  # shuffled, not the file's first rows
    bundled = select(load_dataset("rotten_tomatoes", split="validation"), limit=5, seed=1, shuffle=True)
    assert reload(bundled.source, bundled.info).texts == bundled.texts


# --- issue 22, a second breaker: F13, F14 and the minor ones --------------------------------------------------

@pytest.mark.parametrize("spec", ["ig:", "ig:steps=4,", "sig:,mode=closed"])
def test_an_empty_method_setting_is_refused(spec):
    with pytest.raises(FaithlensError, match=r"has an empty setting after ':' or between commas. Write \w+ alone"):
        parse_method(spec)


def test_gold_labels_outside_the_models_classes_are_refused_before_explaining(monkeypatch):
    """F14: SNLI's labels 0-2 on a 2-class model would be recorded as gold labels of classes the model lacks."""
    import faithlens.evaluate.run as run

    monkeypatch.setattr(run, "Explainer", lambda *_: pytest.fail("explaining started"))
    data = Dataset(("a man sleeps", "a dog runs", "kids play"), (0, 2, 1), source="snli-like")
    with pytest.raises(FaithlensError) as info:
        evaluate(tiny("bert"), data, methods=["occlusion"], progress=False)
    assert "gold labels of snli-like include 2, outside the 2 classes" in str(info.value)
    assert "(0..1: " in str(info.value)


def test_split_with_a_data_file_is_refused_before_the_model_loads(tmp_path, capsys):
    from faithlens.cli import main

    data = tmp_path / "d.tsv"
    data.write_text("sentence\tlabel\ngood\t1\nbad\t0\n", encoding="utf-8")
    assert main(["evaluate", "--data", str(data), "--split", "train", "--model", str(tmp_path / "no-model")]) == 2
    assert f"--split train picks a split of 'rotten_tomatoes', a GLUE folder or a hub dataset; --data {data} is a file" \
        in capsys.readouterr().err
    assert main(["audit", "--data", str(data), "--split", "test", "--model", str(tmp_path / "no-model")]) == 2
    assert f"--split test picks a split of 'rotten_tomatoes'" in capsys.readouterr().err


def test_one_method_names_no_winner_and_the_out_line_lists_the_files_written(tmp_path, capsys, saved_tiny):
    from faithlens.cli import main
    from faithlens.evaluate import best_line

    assert best_line([{"method": "occlusion"}]) == "One method: no other to compare it with.\n"
    data = tmp_path / "d.tsv"
    data.write_text("sentence\tlabel\na good film here\t1\na dull slow film\t0\n", encoding="utf-8")
    out = tmp_path / "run"
    assert main(["evaluate", "--model", str(saved_tiny), "--data", str(data), "--methods", "occlusion", "--no-random",
                 "--no-curves", "--quiet", "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "One method: no other to compare it with." in captured.out and "Most faithful" not in captured.out
    line = next(x for x in captured.err.splitlines() if x.startswith(f"In {out}: "))
    listed = line.split(": ", 1)[1].split(" (no plots")[0].split(", ")
    assert listed == sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) and "aopc.svg" not in line


def test_named_gold_labels_follow_the_models_label_names(tmp_path):
    """Issue 22: SNLI's names on a model with id2label {0: entailment, 1: neutral, 2: contradiction} were indexed
    in sorted order (contradiction=0, entailment=1, neutral=2), so every gold label named the wrong class."""
    model = tiny("bert", num_labels=3)
    model.model.config.id2label = {0: "entailment", 1: "neutral", 2: "contradiction"}
    path = tmp_path / "snli.jsonl"
    rows = [("a man sleeps", "neutral"), ("a dog runs", "Entailment"), ("kids play", "contradiction")]
    path.write_text("".join(json.dumps({"text": t, "label": y}) + "\n" for t, y in rows))
    data = load_dataset(path)
    assert data.labels == (2, 0, 1)  # sorted order, until a model names the classes
    evaluate(model, data, methods=["occlusion"], progress=False, random_row=False, out=tmp_path / "run", shuffle=False)
    assert [r["label"] for r in read_records(tmp_path / "run" / "records.jsonl")] == [1, 0, 2]
    path.write_text(json.dumps({"text": "a cat naps", "label": "unsure"}) + "\n")
    with pytest.raises(FaithlensError) as info:
        evaluate(model, load_dataset(path), methods=["occlusion"], progress=False)
    assert "include 'unsure', which the model does not have (its labels: entailment, neutral, contradiction)" in str(info.value)


@pytest.mark.parametrize("spec, words", [
    ("ig:steps=nan", "Got 'nan'."),  # read as 'na' per token before
    ("ig:steps=0N", "Got '0N'."),
    ("sig:tolerance=-1", "Expected a number in (0, 1) in method spec 'sig:tolerance=-1'. Got '-1'."),
])
def test_method_setting_values_are_quoted_whole_and_the_tolerance_range_is_open(spec, words):
    with pytest.raises(FaithlensError) as info:
        parse_method(spec)
    assert words in str(info.value)
    assert parse_method("ig:steps=N").steps_per_token == 1 and parse_method("ig:steps=3n").steps_per_token == 3


@pytest.mark.parametrize("methods, words", [
    (["occlusion"], "steps=5 does nothing for occlusion. It sets the steps of sig, ig, dig, dig_maxcount"),
    (["ig:steps=4", "random"], "ig:steps=4 gives its own steps"),
    (["sig:mode=closed"], "sig:mode=closed has no quadrature (closed form)"),
])
def test_a_shared_steps_no_method_reads_is_refused_before_explaining(methods, words, monkeypatch):
    """Seventh breaker A1: evaluate --steps 5 --methods occlusion ran with --steps ignored (explain refuses it)."""
    import faithlens.evaluate.run as run

    monkeypatch.setattr(run, "Explainer", lambda *_: pytest.fail("explaining started"))
    with pytest.raises(FaithlensError) as info:
        evaluate(tiny("bert"), DATA, methods=methods, steps=5, progress=False)
    assert words in str(info.value)
    assert [parse_method(m).takes_shared_steps for m in ("sig", "ig", "dig", "sig:tolerance=0.01", "occlusion")] \
        == [True, True, True, True, False]


def test_shared_steps_reach_the_methods_that_read_them():
    spec = parse_method("ig")
    assert spec.explain_kwargs(7, 3) == {"steps": 7} and parse_method("sig:mode=closed").explain_kwargs(7, 3) == {
        "mode": "closed"} and parse_method("ig:steps=2N").explain_kwargs(7, 3) == {"steps": 6}


def test_max_chars_that_removes_every_text_names_itself_and_the_shortest():
    """Seventh breaker A2: "Raise --limit or relax the filters" when --max-chars 5 had removed every text."""
    data = Dataset(("a good film", "dull", "a bad one here"), (1, 0, 0), source="d.tsv")
    with pytest.raises(FaithlensError) as info:
        select(data, max_chars=4)
    assert "--max-chars 4 (max_chars=4) keeps texts shorter than 4 characters and removed all 3 texts of d.tsv " \
           "(the shortest has 4 characters). Raise it above 4" in str(info.value)
    assert select(data, max_chars=5).texts == ("dull",)


def test_a_k_zero_example_records_null_metrics_and_old_zero_records_read_alike(tmp_path):
    """Seventh breaker A3: records of a text too short for top-k said LO = Comp = Suff = 0.0 (the table said –)."""
    data = Dataset(("great fun", "a good film with a fine story and great acting"), (1, 1), source="short")
    result = evaluate(tiny("bert"), data, methods=["occlusion"], out=tmp_path / "run", progress=False, shuffle=False)
    path = tmp_path / "run" / "records.jsonl"
    raw = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["k"] for r in raw] == [0, 2]
    assert [raw[0]["log_odds"], raw[0]["comprehensiveness"], raw[0]["sufficiency"]] == [None] * 3
    assert all(isinstance(raw[1][m], float) for m in ("log_odds", "comprehensiveness", "sufficiency"))
    row = result.rows[0]
    assert row["k_zero"] == 1 and row["log_odds"]["n"] == 1 and row["log_odds"]["mean"] == raw[1]["log_odds"]
    # a folder written before (0.0 at k = 0, no digest) reads alike: null metrics, kept, the second record recomputed
    raw[0].update(log_odds=0.0, comprehensiveness=0.0, sufficiency=0.0)
    del raw[0]["digest"]
    path.write_text(json.dumps(raw[0]) + "\n")
    assert [read_records(path)[0][m] for m in ("log_odds", "comprehensiveness", "sufficiency")] == [None] * 3
    resumed = evaluate(tiny("bert"), data, methods=["occlusion"], out=tmp_path / "run", progress=False, shuffle=False)
    # the dropped record is recomputed alone, not in its first batch: the same up to float rounding
    again = resumed.rows[0]["comprehensiveness"]
    assert again["n"] == row["comprehensiveness"]["n"] == 1 and resumed.rows[0]["k_zero"] == 1
    assert again["mean"] == pytest.approx(row["comprehensiveness"]["mean"], rel=1e-5, abs=1e-7)


def test_evaluate_refuses_a_model_name_or_a_path_for_its_arguments():
    """evaluate("default", ds) and evaluate(model, "data.tsv") ended in AttributeError deep inside."""
    from tiny import tiny

    from faithlens.data import Dataset
    from faithlens.errors import FaithlensError
    from faithlens.evaluate import evaluate

    model = tiny("bert")
    data = Dataset(texts=("a good film", "a dull plot"), labels=(1, 0), source="two texts")
    for bad_model in ("default", None):
        with pytest.raises(FaithlensError, match="'model' parameter of evaluate must be a loaded model.*load_model"):
            evaluate(bad_model, data, methods=["occlusion"])
    for bad_data in ("data/sst2/dev.tsv", ["a good film"]):
        with pytest.raises(FaithlensError, match="'dataset' parameter of evaluate must be a Dataset.*load_dataset"):
            evaluate(model, bad_data, methods=["occlusion"])
    assert len(evaluate(model, data, methods=["occlusion"], progress=False).rows) == 1


def test_curves_stop_after_and_baseline_none_are_checked_by_name():
    """curves=[0, 2] names 'curves' (not 'the top-k fraction'); stop_after 0 / -1 refused before any work;
    baseline=None is the model's default, mask: the same table, recorded as mask."""
    model, data = tiny("bert"), Dataset(tuple(TEXTS[:2]), (1, 0), source="tiny-corpus")
    for curves in ([0, 2], [], "0.2", [True]):
        with pytest.raises(FaithlensError, match=r"The 'curves' parameter of evaluate must be a non-empty list"):
            evaluate(model, data, methods=["grad_x_input"], curves=curves, progress=False)
    for stop in (0, -1, 1.5, True):
        with pytest.raises(FaithlensError, match=r"'stop_after' parameter of evaluate must be a positive int"):
            evaluate(model, data, methods=["grad_x_input"], stop_after=stop, progress=False)
    default = evaluate(model, data, methods=["ig:steps=4"], baseline=None, random_row=False, progress=False)
    mask = evaluate(model, data, methods=["ig:steps=4"], baseline="mask", random_row=False, progress=False)
    assert default.settings.baseline == "mask"
    assert _without_seconds(default.rows) == _without_seconds(mask.rows)
    assert evaluate(model, data, methods=["grad_x_input"], curves=[0.1, 0.5], progress=False).curves


def test_a_baseline_reaches_only_the_methods_that_read_it_and_the_api_still_warns():
    """evaluate's baseline sets its metrics for every method but is passed only to methods that read one
    (SPEC §4): no 'Ignored' warning for grad×input, and the same scores as without it; a direct API call
    that gives grad×input a baseline without the faithfulness check warns, whoever calls it."""
    import warnings

    from faithlens import Explainer
    from faithlens.errors import FaithlensWarning

    model, data = tiny("bert"), Dataset(tuple(TEXTS[:2]), (1, 0), source="tiny-corpus")
    with warnings.catch_warnings():
        warnings.simplefilter("error", FaithlensWarning)
        pad = evaluate(model, data, methods=["grad_x_input", "ig:steps=4"], baseline="pad", random_row=False, progress=False)
    mask = evaluate(model, data, methods=["grad_x_input", "ig:steps=4"], baseline="mask", random_row=False, progress=False)
    assert pad.settings.baseline == "pad"
    gxi = [[r for r in result.rows if r["method"] == "grad_x_input"][0] for result in (pad, mask)]
    assert gxi[0]["log_odds"]["mean"] != gxi[1]["log_odds"]["mean"]  # the metrics read the baseline
    with pytest.warns(FaithlensWarning, match=r"^Ignored: baseline='pad'"):
        Explainer(model).explain(TEXTS[0], "grad_x_input", baseline="pad")


def test_delta_reads_n_a_for_methods_that_claim_no_completeness(tmp_path):
    """Delta is an error only for methods whose scores claim Σ a = F(w) − F(w̄) (IG, DeepLift, Shapley, ...):
    grad×input's and SIG's cells say n/a with a caption note, IG's keeps its number; results.json keeps every value."""
    model, data = tiny("bert"), Dataset(tuple(TEXTS[:3]), (1, 0, 1), source="tiny-corpus")
    result = evaluate(model, data, methods=["grad_x_input", "ig:steps=8", "sig:mode=closed"], out=tmp_path,
                      random_row=False, progress=False)
    table = (tmp_path / "table.md").read_text()
    cells = {line.split("|")[1].strip(): line.split("|")[5].strip() for line in table.splitlines()[2:5]}
    assert cells["grad_x_input"] == "n/a" and cells["sig:mode=closed"] == "n/a", cells
    assert cells["ig:steps=8"].split(" ± ")[0].replace(".", "").replace("e-", "").isdigit(), cells
    assert "Delta n/a: grad_x_input, sig:mode=closed make no completeness claim" in table
    saved = json.loads((tmp_path / "results.json").read_text())
    assert all(row["delta"]["mean"] is not None for row in saved["rows"])
    assert all(row["delta"]["mean"] is not None for row in result.rows)


def test_evaluate_refuses_an_out_folder_holding_its_file_names_that_no_run_wrote(tmp_path):
    """Sixteenth breaker F2: evaluate --out into a user's folder replaced their results.json and table.md."""
    out = tmp_path / "mine"
    out.mkdir()
    (out / "results.json").write_text('{"my": "precious"}')
    data = Dataset(tuple(TEXTS[:2]), (1, 0), source="tiny-corpus")
    with pytest.raises(FaithlensError, match="holds results.json but no settings.json, so not a faithlens evaluate run"):
        evaluate(tiny("bert"), data, methods=["occlusion"], out=out, progress=False)
    assert (out / "results.json").read_text() == '{"my": "precious"}'
    (out / "results.json").unlink()  # a folder of other files takes the run beside them
    (out / "notes.txt").write_text("mine")
    assert evaluate(tiny("bert"), data, methods=["occlusion"], out=out, progress=False).rows
    assert (out / "notes.txt").read_text() == "mine"
