"""The fortieth breaker: files written by pandas' DataFrame.to_json in its other layouts are refused naming the call
that writes records (orient='split' and 'table' were read as SQuAD); a headerless TSV from a CSV writer keeps a quoted
tab inside its text."""

from __future__ import annotations

import json

import pytest

from faithlens.data import is_squad_file, load_dataset
from tiny import save_tiny

ROWS = [{"premise": "a man sleeps", "hypothesis": "a man rests", "label": "entailment"},
        {"premise": "a dog runs", "hypothesis": "a cat runs", "label": "contradiction"}]
LAYOUTS = {  # what DataFrame(ROWS).to_json(orient=...) writes
    "columns": {c: {str(i): r[c] for i, r in enumerate(ROWS)} for c in ROWS[0]},
    "index": {str(i): r for i, r in enumerate(ROWS)},
    "split": {"columns": list(ROWS[0]), "index": [0, 1], "data": [list(r.values()) for r in ROWS]},
    "values": [list(r.values()) for r in ROWS],
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


def _hf_squad(tmp_path, answers):
    rows = [{"id": "1", "title": "t", "context": "Bob ran home quickly.", "question": "Who ran?", "answers": answers},
            {"id": "2", "title": "u", "context": "Ann sat on a mat.", "question": "Where did Ann sit?",
             "answers": {"text": ["on a mat"], "answer_start": [8]}}]
    path = tmp_path / "squad.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_hugging_face_squad_lines_are_read_as_squad(tmp_path):
    from faithlens.qa import read_squad

    read = read_squad(_hf_squad(tmp_path, {"text": ["Bob", "Bob"], "answer_start": [0, 0]}))
    assert [(q.id, q.question, q.answers, q.answer_start) for q in read] == [
        ("1", "Who ran?", ("Bob", "Bob"), 0), ("2", "Where did Ann sit?", ("on a mat",), 8)]


@pytest.mark.parametrize("answers, words", [
    ({"text": ["Bob"], "answer_start": [1]}, "is not at answer_start 1"),  # checked as SQuAD's own file is
    ({"text": ["Bob"], "answer_start": [0, 4]}, "one answer_start per text"),
    ("Bob", "one answer_start per text"),
])
def test_hugging_face_squad_lines_are_checked(tmp_path, answers, words):
    from faithlens import FaithlensError
    from faithlens.qa import read_squad

    with pytest.raises(FaithlensError) as caught:
        read_squad(_hf_squad(tmp_path, answers))
    assert words in str(caught.value), str(caught.value)


@pytest.mark.parametrize("suffix, body", [(".jsonl", '{"premise": "a man", "hypothesis": "a dog", "label": -1}\n'),
                                          (".tsv", "premise\thypothesis\tlabel\na man\ta dog\t-1\n")])
def test_an_unlabelled_minus_one_says_to_drop_the_example(tmp_path, suffix, body, capsys):
    from faithlens.cli import main

    (tmp_path / f"d{suffix}").write_text(body)
    model = save_tiny(tmp_path / "nli", "bert", num_labels=3)
    assert main(["evaluate", "--model", str(model), "--data", str(tmp_path / f"d{suffix}"), "--methods", "occlusion"]) == 2
    assert "write -1 for an example that has no gold label: drop" in capsys.readouterr().err


def test_explain_file_keeps_a_quoted_tab_inside_its_text(tmp_path, capsys):
    import csv

    from faithlens.cli import main

    model = save_tiny(tmp_path / "m", "bert")
    with (tmp_path / "t.tsv").open("w", newline="") as handle:
        csv.writer(handle, delimiter="\t", lineterminator="\n").writerows([("a\ttabbed film",), ("plain",)])
    assert main(["explain", "--model", str(model), "--file", str(tmp_path / "t.tsv"), "--method", "occlusion",
                 "--no-faithfulness", "--json"]) == 0
    said = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [e["text"] for e in said] == ["a\ttabbed film", "plain"] and not any(e.get("text_pair") for e in said)


@pytest.mark.parametrize("method", ["saliency", "grad_x_input", "smoothgrad"])
def test_methods_whose_gradients_never_see_the_baseline_accept_a_zero_one(method):
    """Only the faithfulness check reads their baseline, by forward passes: an RMSNorm model's zero pad is no
    problem there (it was refused as giving NaN gradients, and refused again as unread without the check)."""
    import math

    from faithlens import Explainer
    from tiny import tiny

    llama = Explainer(tiny("llama_lm"))
    pad = llama.model.tokenizer.pad_token_id
    if pad is None or bool(llama.model.embedding_matrix[pad].ne(0).any()):
        pytest.skip("this tiny Llama's pad embedding is not all zero")
    e = llama.explain("the film was good", method, baseline="pad", target=" fun", n_random=2, faithfulness=True)
    assert all(math.isfinite(s) for s in e.token_scores) and math.isfinite(e.faithfulness["comp"])


def test_an_answer_missing_from_its_context_says_to_fix_the_text(tmp_path):
    from faithlens import FaithlensError
    from faithlens.qa import read_squad

    with pytest.raises(FaithlensError) as caught:
        read_squad(_hf_squad(tmp_path, {"text": ["Carol"], "answer_start": [0]}))
    assert "does not occur in the context at all" in str(caught.value)
    assert "Fix the answer's text" in str(caught.value) and "Fix answer_start" not in str(caught.value)


def test_max_length_below_the_least_names_the_bases_positions_when_under_the_default(tmp_path, capsys):
    from faithlens.cli import main

    base = save_tiny(tmp_path / "base", "bert")  # 64 positions, under train's default of 128
    (tmp_path / "t.tsv").write_text("sentence\tlabel\n" + "a good film\t1\na bad film\t0\n" * 3)
    assert main(["train", "--train", str(tmp_path / "t.tsv"), "--base", str(base), "--out", str(tmp_path / "o"),
                 "--max-length", "1"]) == 2
    err = capsys.readouterr().err
    assert "Pass --max-length 3 or more (the least useful value; the base model's 64 positions are the most)" in err


def test_the_web_apps_zero_baseline_refusal_names_only_its_own_fields():
    from faithlens import Explainer
    from faithlens.app import Limits, create_app
    from tiny import tiny

    llama = Explainer(tiny("llama_lm"))
    pad = llama.model.tokenizer.pad_token_id
    if pad is None or bool(llama.model.embedding_matrix[pad].ne(0).any()):
        pytest.skip("this tiny Llama's pad embedding is not all zero")
    web = create_app(llama, limits=Limits()).test_client()
    r = web.post("/api/explain", json={"text": "the film was good", "method": "ig", "baseline": "pad", "target": " fun",
                                       "steps": 4}, headers={"Host": "127.0.0.1:8765"})
    said = r.get_json()["error"]
    assert r.status_code == 400 and "baseline=eos" in said and "baseline_token" not in said and "CLI" not in said
    r = web.post("/api/explain", json={"text": "the film was good", "method": "ig", "baseline": "eos", "target": " fun",
                                       "steps": 4}, headers={"Host": "127.0.0.1:8765"})
    assert r.status_code == 200  # the fix it names works


@pytest.mark.parametrize("labels, words", [(("-1", "0"), "drop those examples"), (("-1", "1"), "rewrite them as 0 and 1"),
                                           (("-2", "1"), "e.g. -1 → 0, 1 → 1")])
def test_train_says_what_a_negative_label_may_mean(tmp_path, capsys, labels, words):
    from faithlens.cli import main

    base = save_tiny(tmp_path / "base", "bert")
    (tmp_path / "t.tsv").write_text("sentence\tlabel\n" + "".join(f"text {i}\t{y}\n" for i, y in enumerate(labels * 3)))
    assert main(["train", "--train", str(tmp_path / "t.tsv"), "--base", str(base), "--out", str(tmp_path / "o")]) == 2
    assert words in capsys.readouterr().err


def test_a_resume_keeps_the_runs_curves(tmp_path, capsys):
    """A run without curves resumed with them (or the other way) mixed records with and without curves: the curves
    then showed only the methods added on resume. The curves are a setting of the run, compared on resume."""
    from faithlens.cli import main

    model = save_tiny(tmp_path / "m", "bert")
    (tmp_path / "d.tsv").write_text("sentence\tlabel\n" + "a good film\t1\na bad film\t0\nthe plot was dull\t0\n")
    run = ["evaluate", "--model", str(model), "--data", str(tmp_path / "d.tsv"), "--out", str(tmp_path / "run")]
    assert main(run + ["--methods", "occlusion", "--no-curves"]) == 0
    assert main(run + ["--methods", "occlusion", "saliency"]) == 2
    assert "curves: was None, now [0.1, 0.2, 0.3, 0.4, 0.5]" in capsys.readouterr().err
    assert main(run + ["--methods", "occlusion", "saliency", "--no-curves"]) == 0  # the fix it names
    again = ["evaluate", "--model", str(model), "--data", str(tmp_path / "d.tsv"), "--out", str(tmp_path / "curved")]
    assert main(again + ["--methods", "occlusion"]) == 0 and main(again + ["--methods", "occlusion"]) == 0  # resumes
    assert main(again + ["--methods", "occlusion", "saliency"]) == 0  # a method added: every record has its curve
    curved = json.loads((tmp_path / "curved" / "results.json").read_text())["curves"]
    assert {"occlusion", "saliency"} <= set(curved)
    saved = json.loads((tmp_path / "run" / "results.json").read_text())
    assert not saved["curves"] and {r["method"] for r in saved["rows"]} >= {"occlusion", "saliency"}


def test_an_empty_text_of_a_pair_is_named(capsys):
    from faithlens.cli import main

    assert main(["explain", "--pair", "a question", " "]) == 2
    assert "--pair was given an empty TEXT_B; give --pair TEXT_A TEXT_B, two non-empty texts" in capsys.readouterr().err


def test_target_on_a_causal_lm_suggests_the_continuation_with_its_space(tmp_path, capsys):
    from faithlens.cli import main

    lm = save_tiny(tmp_path / "lm", "gpt2_lm")
    assert main(["explain", "--model", str(lm), "the film was", "--target", "good", "--method", "occlusion"]) == 2
    assert "Pass --target-text ' good' instead of --target (with the space" in capsys.readouterr().err


@pytest.mark.parametrize("pattern", ["*", "*.example.com", "host?"])
def test_allow_host_refuses_a_pattern(pattern):
    from faithlens import FaithlensError
    from faithlens.app.inputs import allowed_hostnames

    with pytest.raises(FaithlensError, match="is a pattern; each is matched as one host name"):
        allowed_hostnames("127.0.0.1", [pattern])
    assert "[::1]" not in allowed_hostnames("127.0.0.1", ["[::1]"])  # an IPv6 address in brackets is no pattern


def test_a_two_column_numpy_array_is_pairs_as_a_list_of_lists_is():
    np = pytest.importorskip("numpy")
    from faithlens import Explainer, FaithlensError
    from tiny import tiny

    ex = Explainer(tiny("bert", num_labels=3))
    rows = [["a man sleeps", "a man rests"], ["a dog runs", "a cat runs"]]
    from_array = ex.explain(np.array(rows), "occlusion")
    from_lists = ex.explain(rows, "occlusion")
    assert [(e.text, e.text_pair) for e in from_array] == [tuple(r) for r in rows]
    assert [e.token_scores for e in from_array] == [e.token_scores for e in from_lists]
    with pytest.raises(FaithlensError, match="Item 0 is a list of 3 element"):
        ex.explain(np.array([["a", "b", "c"]]), "occlusion")


def test_evaluate_reads_one_label_in_two_cases_against_the_models_names(tmp_path, capsys):
    """Forty-first breaker F1: evaluate refused 'Positive' beside 'positive', suggesting --labels, which it lacks,
    while a file spelled 'Positive' throughout was read. A model's names match any case; train still refuses."""
    from faithlens.cli import main

    model = save_tiny(tmp_path / "m", "bert")
    (tmp_path / "c.csv").write_text("sentence,label\na good film,Positive\na bad film,negative\nfun,positive\n")
    assert main(["evaluate", "--model", str(model), "--data", str(tmp_path / "c.csv"), "--methods", "occlusion",
                 "--no-curves", "--out", str(tmp_path / "run")]) == 0
    records = [json.loads(line) for line in (tmp_path / "run" / "records.jsonl").read_text().splitlines()]
    assert sorted(r["label"] for r in records if r["method"] == "occlusion") == [0, 1, 1]
    assert main(["train", "--train", str(tmp_path / "c.csv"), "--base", str(model), "--out", str(tmp_path / "t")]) == 2
    assert "spells one label in different cases" in capsys.readouterr().err


def test_sst2_rationales_of_any_polarity_read_unlabelled_sentences(tmp_path):
    from faithlens import FaithlensError
    from faithlens.plausibility import sst2_lexicon_rationales

    train = tmp_path / "train.tsv"
    train.write_text("sentence\tlabel\nbleak \t0\ncharming \t1\nfun \t1\n")
    dev = tmp_path / "dev.tsv"
    dev.write_text("sentence\na charming , bleak film \nnothing here \n")
    assert sst2_lexicon_rationales(train, dev, polarity="any") == [
        {"index": 0, "text": "a charming , bleak film", "label": None, "spans": [[2, 10], [13, 18]],
         "note": "SST single-word phrases: charming, bleak"}]
    with pytest.raises(FaithlensError, match=r"--polarity any reads --data without labels"):
        sst2_lexicon_rationales(train, dev)  # the sentence's own label is what 'label' marks by


def test_one_method_twice_in_explain_is_named_as_such(capsys):
    from faithlens.cli import main

    assert main(["explain", "good film", "--method", "ig:steps=3", "ig:steps=5"]) == 2
    err = capsys.readouterr().err
    assert "The methods name ig more than once (ig:steps=3, ig:steps=5)" in err and "--steps 3 is given" not in err


def test_from_json_given_a_file_name_says_to_read_the_file(tmp_path):
    from faithlens import Explanation, FaithlensError

    with pytest.raises(FaithlensError, match=r"looks like a file name: read the file first, Explanation.from_json\(open\("):
        Explanation.from_json("e.json")
    with pytest.raises(FaithlensError) as caught:
        Explanation.from_json("{not json")
    assert "file name" not in str(caught.value)


@pytest.mark.parametrize("words, specs", [(["ig", "sig:closed"], ["ig", "sig:closed"]),
                                          (["ig,sig:closed"], ["ig", "sig:closed"]),
                                          (["ig:steps=5,rule=leja", "occlusion"], ["ig:steps=5,rule=leja", "occlusion"])])
def test_facade_saliency_methods_take_spaces_or_commas(words, specs):
    """--methods 'ig sig' was refused by argparse (evaluate's --methods takes spaces); a comma inside one spec's
    settings (ig:steps=5,rule=leja) was split into a method named 'rule=leja'."""
    from faithlens.commands.facade import _parse_runs

    assert [r.spec for r in _parse_runs(words)] == specs


def test_a_method_a_path_does_not_answer_names_the_ones_it_does():
    from faithlens import Explainer
    from faithlens.app import Limits, create_app
    from tiny import tiny

    web = create_app(Explainer(tiny("bert")), limits=Limits()).test_client()
    r = web.post("/", headers={"Host": "127.0.0.1:8765"})
    page = r.data.decode()
    assert r.status_code == 405 and r.headers["Allow"] == "GET" and "Use GET (explanations are posted to /explain" in page
    r = web.put("/api/explain", headers={"Host": "127.0.0.1:8765"})
    assert r.status_code == 405 and r.get_json()["error"] == "PUT is not allowed on /api/explain. Use GET or POST."


def test_train_names_the_file_whose_label_names_are_numbers(tmp_path, capsys):
    from faithlens.cli import main

    base = save_tiny(tmp_path / "base", "bert")
    (tmp_path / "l.jsonl").write_text('{"text": "good film", "label": "label:-1"}\n{"text": "bad film", "label": "label:1"}\n')
    assert main(["train", "--train", str(tmp_path / "l.jsonl"), "--base", str(base), "--out", str(tmp_path / "o"),
                 "--max-length", "64"]) == 2
    err = capsys.readouterr().err
    assert "The class list read from --train" in err and "'label_names' parameter" not in err and "(--labels)" not in err


def test_from_json_of_long_or_odd_non_json_text_is_refused_as_json():
    from faithlens import Explanation, FaithlensError

    for text in ('{"a": NaN' + "x" * 5000, "x" * 600, "a\0b"):
        with pytest.raises(FaithlensError, match="not valid JSON") as caught:
            Explanation.from_json(text)
        assert "file name" not in str(caught.value)


def test_one_builder_makes_the_settings_a_run_records_and_the_cli_checks_early():
    """The CLI's early resume check and evaluate() build EvalSettings in one function, so their defaults agree:
    baseline None is 'mask', metrics are checked, rationales are recorded by source and digest."""
    from faithlens.errors import FaithlensError
    from faithlens.evaluate import parse_methods
    from faithlens.evaluate.checks import run_settings

    specs = parse_methods(["ig", "sig"])
    s = run_settings("m", "d.tsv", specs, baseline=None, metrics=["infidelity"], curves=[0.1, 0.5])
    assert (s.baseline, s.methods, s.metrics, s.curves) == ("mask", ("ig", "sig"), ("infidelity",), (0.1, 0.5))
    assert (s.rationales, s.rationales_digest) == (None, None)
    with pytest.raises(FaithlensError, match="metric"):
        run_settings("m", "d.tsv", specs, metrics=["infidelty"])


def test_answer_span_picks_one_occurrence_of_an_answer_text_that_occurs_twice(tmp_path, capsys):
    """--answer refuses a text found twice and names --answer-span with the spans; --answer-span explains the one
    picked: the same scores as the Python API's target=(start, end); it is refused beside --answer and on a classifier."""
    import json

    from faithlens import Explainer
    from faithlens.cli import main
    from tiny import save_tiny

    qa = save_tiny(tmp_path / "qa", "bert_qa")
    pair = ["where is it?", "it is here and it is there"]
    assert main(["explain", "--model", str(qa), "--pair", *pair, "--answer", "it", "--method", "occlusion"]) == 2
    assert "--answer-span 0 2" in capsys.readouterr().err
    assert main(["explain", "--model", str(qa), "--pair", *pair, "--answer-span", "15", "17", "--method", "occlusion",
                 "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    api = Explainer(str(qa)).explain([tuple(pair)], "occlusion", target=(15, 17))[0]
    scores = [w["score"] for w in (cli[0] if isinstance(cli, list) else cli)["words"]]
    assert scores == pytest.approx([w.score for w in api.words], abs=1e-6)
    assert main(["explain", "--model", str(qa), "--pair", *pair, "--answer-span", "15", "17", "--answer", "it"]) == 2
    assert "Pass one of --target, --answer, --answer-span" in capsys.readouterr().err
    clf = save_tiny(tmp_path / "clf", "bert")
    assert main(["explain", "--model", str(clf), "hello there", "--answer-span", "0", "5"]) == 2
    assert "Drop --answer-span" in capsys.readouterr().err


def test_the_web_app_names_a_json_span_not_the_cli_option_for_an_answer_found_twice():
    from faithlens.app.inputs import web_hint
    from faithlens.errors import FaithlensError
    from faithlens.task_inputs import answer_chars

    with pytest.raises(FaithlensError) as err:
        answer_chars("it is it", "it")
    said = web_hint(str(err.value))
    assert '"target": [0, 2]' in said and "--answer-span" not in said
