"""Seventeenth breaker #1, #4, #7 (issue 22): a text that tokenizes to nothing is refused as empty; seed=None is the
default seed; a SQuAD-shaped --file given to a model of another task is refused by the task, before SQuAD's shape."""

import json
import re
import warnings

import pytest
import torch

from faithlens import Explainer, FaithlensError
from faithlens.cli import main
from tiny import save_tiny, tiny

EMPTY = "is empty or only whitespace (or invisible characters): the model's tokenizer reads no token in it"


@pytest.fixture(scope="module")
def bert():
    return Explainer(tiny("bert", dtype=torch.float64))


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("seventeenth")
    return {kind: str(save_tiny(root / kind, kind)) for kind in ("bert", "bert_qa", "gpt2_lm")}


# --- #1 a text of combining marks only tokenizes to nothing ------------------------------------------------------
@pytest.mark.parametrize("text", ["\u0301", "\u0301\u0301\u0300"])
def test_a_text_that_tokenizes_to_nothing_is_refused_as_empty(bert, text):
    assert bert.model.tokenizer(text, add_special_tokens=False)["input_ids"] == []  # the premise of the rule
    with pytest.raises(FaithlensError, match=r"^Text 0 " + re.escape(EMPTY) + r'\. Give a sentence to explain'):
        bert.explain(text, "occlusion")


def test_every_text_is_checked_before_the_first_batch_runs_the_model(bert, monkeypatch):
    calls = []
    monkeypatch.setattr(bert.model, "outputs", lambda *a, **k: calls.append(1))
    with pytest.raises(FaithlensError, match=r"^Text 1 " + EMPTY.split("(")[0]):
        bert.explain(["great fun", "\u0301"], "occlusion", batch_size=1)
    assert calls == []


@pytest.mark.parametrize("pair, side", [(("a man sleeps", "\u0301"), "second"), (("\u0301", "a man sleeps"), "first")])
def test_each_side_of_a_pair_is_checked(bert, pair, side):
    with pytest.raises(FaithlensError, match=re.escape(f"The {side} text of pair 0 {EMPTY}. A pair holds two non-empty texts")):
        bert.explain(pair, "occlusion")


def test_a_qa_question_that_tokenizes_to_nothing_is_refused():
    qa = Explainer(tiny("bert_qa"))
    with pytest.raises(FaithlensError, match=re.escape(f"The first text of pair 0 {EMPTY}")):
        qa.explain(("\u0301", "Paris is in France."), "occlusion")


def test_texts_of_unknown_tokens_and_marks_after_a_word_still_work(bert):
    assert bert.explain("\u2603", "occlusion").tokens == ("[CLS]", "[UNK]", "[SEP]")
    assert [w.word for w in bert.explain("great \u0301", "occlusion").words] == ["great"]


def test_a_causal_lm_prompt_of_combining_marks_is_read_as_bytes():
    """Byte-level BPE reads every character, so the rule refuses nothing a GPT-2 prompt holds."""
    lm = Explainer(tiny("gpt2_lm"))
    e = lm.explain("\u0301", "occlusion", max_new_tokens=1)
    assert len(e.words) == 1


def test_the_cli_refuses_it_with_exit_2(folders, capsys):
    assert main(["explain", "--model", folders["bert"], "\u0301", "--method", "occlusion"]) == 2
    assert f"TEXT argument 1 {EMPTY}" in capsys.readouterr().err  # named as typed, not by its 0-based index


def test_the_web_app_refuses_it_with_400(bert):
    pytest.importorskip("waitress")
    import http.client

    from faithlens.app import make_server

    srv = make_server(bert, port=0).start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
        conn.request("POST", "/api/explain", body=json.dumps({"text": "\u0301", "methods": ["occlusion"]}),
                     headers={"Host": f"127.0.0.1:{srv.port}", "Content-Type": "application/json"})
        r = conn.getresponse()
        status, error = r.status, json.loads(r.read().decode())["error"]
        conn.close()
    finally:
        srv.close()
    assert status == 400 and EMPTY in error


# --- #4 seed=None is the default seed ------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["shapley", "lime", "smoothgrad"])
def test_seed_none_is_the_default_seed(bert, method):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "seed does nothing" note either
        a = bert.explain("great fun", method, seed=None, n_samples=60 if method == "lime" else None)
    b = bert.explain("great fun", method, n_samples=60 if method == "lime" else None)
    assert [w.score for w in a.words] == [w.score for w in b.words]
    assert a.to_dict()["settings"]["seed"] == b.to_dict()["settings"]["seed"] == 0


def test_seed_none_with_faithfulness_and_compare(bert):
    a = bert.explain("great fun", "occlusion", seed=None, faithfulness=True, n_random=3)
    b = bert.explain("great fun", "occlusion", faithfulness=True, n_random=3)
    assert a.faithfulness == b.faithfulness
    c = bert.compare("great fun", ["shapley"], seed=None, faithfulness=False)
    assert [w.score for w in c["shapley"].words] == [w.score for w in bert.explain("great fun", "shapley").words]


def test_other_bad_seeds_stay_refused(bert):
    for seed in (-1, 1.5, "0"):
        with pytest.raises(FaithlensError, match="seed"):
            bert.explain("great fun", "shapley", seed=seed)


# --- #7 a SQuAD-shaped --file given to a model of another task ------------------------------------------------------
SQUAD = {"data": [{"title": "t", "paragraphs": [{"context": "Paris is in France.", "qas": [
    {"id": "1", "question": "Where is Paris?", "answers": [{"text": "France", "answer_start": 12}]}]}]}]}


@pytest.mark.parametrize("content", [{"data": [{"text": "great"}]}, SQUAD])
@pytest.mark.parametrize("kind, reads", [("bert", "is a classifier: it reads texts or text pairs"),
                                         ("gpt2_lm", "is a causal language model: it reads prompts")])
def test_a_squad_file_is_refused_by_the_task_before_its_shape(folders, tmp_path, capsys, content, kind, reads):
    path = tmp_path / "obj.json"
    path.write_text(json.dumps(content))
    assert main(["explain", "--model", folders[kind], "--file", str(path), "--method", "occlusion"]) == 2
    err = capsys.readouterr().err
    assert reads in err and "is laid out as a SQuAD-format file" in err and "which its task does not read" in err
    assert "paragraphs" not in err


def test_a_qa_model_still_reads_a_squad_file_and_is_told_its_shape(folders, tmp_path, capsys):
    good, bad = tmp_path / "squad.json", tmp_path / "obj.json"
    good.write_text(json.dumps(SQUAD))
    bad.write_text(json.dumps({"data": [{"text": "great"}]}))
    assert main(["explain", "--model", folders["bert_qa"], "--file", str(good), "--method", "occlusion", "--json",
                 "--no-faithfulness"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert len(out) == 1 and out[0]["text"] == "Where is Paris?"
    assert main(["explain", "--model", folders["bert_qa"], "--file", str(bad), "--method", "occlusion"]) == 2
    assert '"paragraphs" is missing' in capsys.readouterr().err


def test_squad_pairs_keep_their_place_among_pairs(folders, tmp_path, capsys):
    good = tmp_path / "squad.json"
    good.write_text(json.dumps(SQUAD))
    assert main(["explain", "--model", folders["bert_qa"], "--pair", "Who?", "Ann wrote it.", "--file", str(good),
                 "--method", "occlusion", "--json", "--no-faithfulness"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [o["text"] for o in out] == ["Who?", "Where is Paris?"]
