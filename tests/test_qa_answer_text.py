"""Issue 22 (tenth breaker F5): a QA answer with whitespace around it (--answer " Paris ", target=" Paris ", a SQuAD
answer " Paris ") was refused as lying "across two windows" of a context that has one. One rule (qa.trim_answer):
the whitespace around an answer is no part of it, on every surface; the explanation names the trimmed answer and
says so. "Across two windows" is said only when that is so, and an answer not in the context says that."""

import json

import pytest
import torch

from faithlens import Explainer
from faithlens.errors import FaithlensError
from faithlens.qa import QAExample, features, read_squad, trim_answer
from tiny import bert_tokenizer, save_tiny, tiny

QUESTION = "what was it?"
CONTEXT = "the film was good in paris . the plot was fun"  # "good" at 13..17, "paris" at 21..26
LONG = " ".join(["the film was good"] * 30) + " and paris was fun"  # four windows of the tiny model


@pytest.fixture(scope="module")
def qa():
    return Explainer(tiny("bert_qa", dtype=torch.float64))


def explain(qa, target, context=CONTEXT):
    return qa.explain([(QUESTION, context)], "occlusion", target=target)[0]


def test_trim_answer_drops_only_the_whitespace_around_a_span():
    assert trim_answer(" a  b\t\n", 0, 7) == (1, 5)
    assert trim_answer("x a y", 1, 4) == (2, 3)
    assert trim_answer("a b", 0, 3) == (0, 3)
    assert trim_answer("a   b", 1, 4) == (4, 4)  # whitespace only: an empty span


@pytest.mark.parametrize("answer", [" good ", "good ", " good", "\tgood\n", (12, 18), (13, 18), (12, 17)])
def test_an_answer_with_whitespace_around_it_is_explained_as_the_answer_without_it(qa, answer):
    plain = explain(qa, "good")
    e = explain(qa, answer)
    assert (e.target["label"], e.target["start"], e.target["end"]) == ("good", 13, 17)
    assert e.target["token_span"] == plain.target["token_span"]
    assert e.token_scores == pytest.approx(plain.token_scores, abs=1e-12)
    given = answer if isinstance(answer, str) else CONTEXT[answer[0]:answer[1]]
    assert e.warnings == (f"The answer {given!r} has whitespace around it, which is no part of an answer: the explained "
                          "answer is 'good' (characters 13–17).",)
    assert plain.warnings == ()


def test_a_spaced_answer_in_a_long_context_picks_the_window_that_holds_it(qa):
    e = explain(qa, " paris ", LONG)
    assert (e.target["label"], e.target["start"]) == ("paris", LONG.index("paris"))
    assert "split into 4 overlapping windows" in " ".join(e.warnings)


@pytest.mark.parametrize("answer, context, said", [
    (" rome ", CONTEXT, "The answer ' rome ' does not occur in the context, even without the whitespace around it ('rome')."),
    ("rome", CONTEXT, "The answer 'rome' does not occur in the context. Pass a substring of the context."),
    ((16, 18), "the film was good in paris", None),  # 'd ' -> 'd', inside a token: explained widened, not refused
    ((17, 18), CONTEXT, "The answer span (17, 18) holds only whitespace (' ')."),
    (" paris ", "paris, the paris", "The answer 'paris' occurs 2 times in the context"),
    ((4, 9), "the \x07film was good", "The answer '\\x07film' of question 0 (characters 4–9) starts or ends with "
                                     "characters that no token holds (the tokenizer drops them)"),
    ((0, 400), LONG, "of question 0 (characters 0–399) lies across two windows of its long context"),
    ("caf\u00e9", "the cafe\u0301 was good", "The answer 'café' does not occur in the context. It does occur once "
                                            "both are in Unicode NFC form"),
    ("\uff52ome", "the film was good in rome", "It does occur once both are in Unicode NFKC form"),
])
def test_each_refusal_says_what_is_so(qa, answer, context, said):
    if said is None:
        assert explain(qa, answer, context).target["label"] == "good"
        return
    with pytest.raises(FaithlensError) as info:
        explain(qa, answer, context)
    message = str(info.value)
    assert said in message
    assert ("two windows" in message) == (context is LONG)  # said only of a context that has several windows


def test_the_cli_explains_a_spaced_answer(tmp_path, capsys):
    from faithlens.cli import main

    model = save_tiny(tmp_path / "qa", "bert_qa")
    args = ["explain", "--model", str(model), "--pair", QUESTION, CONTEXT, "--method", "occlusion", "--json",
            "--no-faithfulness"]
    assert main([*args, "--answer", " good "]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["target"]["label"] == "good" and "has whitespace around it" in " ".join(record["warnings"])
    assert main([*args, "--answer", " rome "]) == 2
    err = capsys.readouterr().err
    assert "does not occur in the context" in err and "two windows" not in err


def test_the_web_app_explains_a_spaced_answer():
    pytest.importorskip("flask", reason="the web app needs the serve extra")
    from faithlens.app import Limits, create_app

    qa = Explainer(tiny("bert_qa", dtype=torch.float64))
    body = {"text": QUESTION, "pair": CONTEXT, "method": "occlusion", "target": " good "}
    r = create_app(qa, limits=Limits()).test_client().post(
        "/api/explain", data=json.dumps(body), content_type="application/json", headers={"Host": "127.0.0.1:8765"})
    assert r.status_code == 200 and r.get_json()[0]["target"]["label"] == "good"


def squad(tmp_path, text, start, context="Ann wrote the book in Paris."):
    path = tmp_path / "s.json"
    qa = {"id": "q7", "question": "Where?", "answers": [{"text": text, "answer_start": start}]}
    path.write_text(json.dumps({"data": [{"title": "Books", "paragraphs": [{"context": context, "qas": [qa]}]}]}))
    return path


def test_a_squad_answer_with_spaces_at_its_answer_start_is_read_without_them(tmp_path):
    (ex,) = read_squad(squad(tmp_path, " in Paris", 18))
    assert (ex.answers, ex.answer_start) == (("in Paris",), 19)
    (ex,) = read_squad(squad(tmp_path, " Paris", 21))
    assert (ex.answers, ex.answer_start) == (("Paris",), 22)


def test_a_squad_answer_start_for_the_text_without_its_spaces_says_to_strip_them(tmp_path):
    with pytest.raises(FaithlensError) as info:
        read_squad(squad(tmp_path, " Paris", 22))
    message = str(info.value)
    assert "answer 0 ' Paris' has surrounding spaces" in message and "two windows" not in message


def test_training_labels_point_at_the_answer_without_its_spaces():
    """A QAExample built in Python with a spaced answer gets the same start/end token labels as without the spaces."""
    tok = bert_tokenizer()
    context = "the film was good in paris"
    spaced = QAExample("q1", "t", "what?", context, (" good in ",), 12)
    plain = QAExample("q1", "t", "what?", context, ("good in",), 13)
    a, b = features(tok, [spaced], max_length=32, stride=8), features(tok, [plain], max_length=32, stride=8)
    assert (a["start_positions"], a["end_positions"]) == (b["start_positions"], b["end_positions"])
    assert a["start_positions"][0] > 0
