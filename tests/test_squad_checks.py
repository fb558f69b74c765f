"""Issue 22, kind 2: SQuAD training data. A wrong answer_start, a missing or empty answer, an empty context or question
is an error naming the article and question id, before any training."""

import json

import pytest

from faithlens.errors import FaithlensError
from faithlens.qa import QAExample, read_squad

CONTEXT = "Ann wrote the book in Paris."


def squad(tmp_path, context=CONTEXT, question="Who wrote it?", answers=None):
    answers = [{"text": "Ann", "answer_start": 0}] if answers is None else answers
    qa = {"id": "q7", "question": question}
    if answers != "missing":
        qa["answers"] = answers
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"data": [{"title": "Books", "paragraphs": [{"context": context, "qas": [qa]}]}]}))
    return path


def test_a_good_file_reads_with_its_answer_span(tmp_path):
    (ex,) = read_squad(squad(tmp_path, answers=[{"text": "Paris", "answer_start": 22}, {"text": "Ann", "answer_start": 0}]))
    assert ex == QAExample("q7", "Books", "Who wrote it?", CONTEXT, ("Paris", "Ann"), 22)
    assert CONTEXT[ex.answer_start:ex.answer_start + len(ex.answers[0])] == "Paris"


@pytest.mark.parametrize("kwargs, words", [
    ({"answers": [{"text": "Ann", "answer_start": 40}]}, "answer_start 40, outside the context"),
    ({"answers": [{"text": "Ann", "answer_start": -1}]}, "outside the context"),
    ({"answers": [{"text": "Ann", "answer_start": 4}]}, "is not at answer_start 4 (the context there reads 'wro'; the text occurs at 0)"),
    ({"answers": [{"text": "Rome", "answer_start": 0}]}, "does not occur in the context at all"),
    ({"answers": [{"text": "Ann", "answer_start": "0"}]}, "answer_start '0'"),
    ({"answers": [{"text": "", "answer_start": 0}]}, "answer 0 has an empty text"),
    ({"answers": []}, "no answers"),
    ({"answers": "missing"}, "no answers"),
    ({"context": "  "}, "the context is empty"),
    ({"question": ""}, "the question is empty"),
])
def test_bad_questions_name_article_and_id(tmp_path, kwargs, words):
    with pytest.raises(FaithlensError, match="article 'Books', question 'q7'") as info:
        read_squad(squad(tmp_path, **kwargs))
    assert words in str(info.value)


def test_train_qa_refuses_before_loading_the_base(tmp_path, capsys):
    from faithlens.cli import main

    path = squad(tmp_path, answers=[{"text": "Ann", "answer_start": 9}])
    assert main(["train", "--task", "qa", "--train", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "question 'q7'" in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_fine_tune_qa_checks_examples_given_in_python(tmp_path):
    from faithlens.training import fine_tune_qa

    bad = QAExample("q1", "Books", "Who?", CONTEXT, ("Ann",), 3)
    with pytest.raises(FaithlensError, match="is not at answer_start 3"):
        fine_tune_qa(base_model=str(tmp_path / "never-loaded"), train=[bad], test=[], out_dir=tmp_path / "o")


@pytest.mark.parametrize("start", [1.5, 0.0, "0", None, True, [0]])
def test_a_non_integer_answer_start_is_named_as_such(tmp_path, start):
    with pytest.raises(FaithlensError) as info:
        read_squad(squad(tmp_path, answers=[{"text": "Ann", "answer_start": start}]))
    message = str(info.value)
    assert f"answer_start {start!r}, which is not an integer" in message and "outside" not in message


@pytest.mark.parametrize("words, max_length, stride", [(40, 48, 16), (44, 48, 16), (50, 48, 16), (30, 48, 16)])
def test_the_window_error_suggests_settings_that_work(words, max_length, stride):
    import re

    from faithlens.qa import check_windows
    from tiny import bert_tokenizer

    tok = bert_tokenizer()
    ex = QAExample("q1", "Books", " ".join(["film"] * words) + "?", CONTEXT, ("Ann",), 0)
    with pytest.raises(FaithlensError) as info:
        check_windows(tok, [ex], max_length=max_length, stride=stride)
    message = str(info.value)
    assert "stride=0" not in message and "--" not in message  # Python words: the CLI puts them as options
    needed = int(re.search(r"Raise max_length to at least (\d+)", message).group(1))
    check_windows(tok, [ex], max_length=needed, stride=stride)  # the suggestion works, and is the least that does
    with pytest.raises(FaithlensError):
        check_windows(tok, [ex], max_length=needed - 1, stride=stride)
    lower = re.search(r"stride=(\d+)\)", message)
    room = max_length - (words + 1) - tok.num_special_tokens_to_add(pair=True)
    assert (lower is not None) == (room >= 2)  # a lower stride is offered only where one helps
    if lower:
        check_windows(tok, [ex], max_length=max_length, stride=int(lower.group(1)))


@pytest.mark.parametrize("words, max_length, stride", [(4, 8, 128), (4, 1000, 128), (4, 64, 128), (20, 40, 30),
                                                       (58, 48, 16), (61, 48, 16)])
def test_window_suggestions_fit_the_base_models_positions(words, max_length, stride):
    """I7: with the base model's 64 positions known, every setting suggested passes this check and fits the model
    (a suggestion above 64 would be refused next); with none that fits, only shortening the question is offered."""
    import re

    from faithlens.qa import check_windows
    from tiny import bert_tokenizer

    tok = bert_tokenizer()
    ex = QAExample("q1", "Books", " ".join(["film"] * words) + "?", CONTEXT, ("Ann",), 0)
    with pytest.raises(FaithlensError) as info:
        check_windows(tok, [ex], max_length=max_length, stride=stride, positions=64)
    assert "--" not in str(info.value)  # Python words: the CLI puts them as options
    offered = re.split(r"(?:stride \d+|positions)\. ", str(info.value))[-1].rstrip(".")
    choices = [c for c in re.split(r", (?:or )?", offered) if not c.lower().startswith("shorten the question")]
    for choice in choices:
        values = dict(re.findall(r"(max_length|stride)=(\d+)", choice.replace(" to at least ", "=")))
        length, overlap = int(values.get("max_length", max_length)), int(values.get("stride", stride))
        assert length <= 64, choice
        check_windows(tok, [ex], max_length=length, stride=overlap, positions=64)
    room = 64 - (words + 1) - tok.num_special_tokens_to_add(pair=True)
    assert (not choices) == (room < 2 and words + 1 + 3 + stride + 1 > 64), offered  # nothing fits: shorten it


@pytest.mark.parametrize("option", ["--train", "--test"])
def test_a_squad_file_without_task_qa_says_to_pass_it(tmp_path, capsys, option):
    """A valid SQuAD file is a QA model's training data; train without --task qa says so (not "needs a label")."""
    from faithlens.cli import main

    path, tsv = squad(tmp_path), tmp_path / "t.tsv"
    tsv.write_text("sentence\tlabel\ngood film\t1\nbad film\t0\n")
    files = {"--train": str(path), "--test": str(path)} if option == "--train" else {"--train": str(tsv), "--test": str(path)}
    assert main(["train", *[x for kv in files.items() for x in kv], "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{str(path)!r} is laid out as a SQuAD-format file" in err and "pass --task qa" in err and "needs a label" not in err
    assert not (tmp_path / "out").exists()


QA = {"id": "q7", "question": "Who wrote it?", "answers": [{"text": "Ann", "answer_start": 0}]}


@pytest.mark.parametrize("doc, words", [
    ({"data": [{"title": "Books", "paragraphs": {"context": CONTEXT, "qas": [QA]}}]},
     "article 'Books': \"paragraphs\" is a JSON object; expected a list of paragraphs"),
    ({"data": [{"title": "Books", "paragraphs": [{"context": CONTEXT, "qas": QA}]}]},
     "article 'Books', paragraph 0: \"qas\" is a JSON object; expected a list of questions"),
    ({"data": ["Books"]}, "article 0 is a string ('Books'); expected an object"),
    ({"data": [{"title": "Books", "paragraphs": [{"context": CONTEXT, "qas": ["Who?"]}]}]},
     "article 'Books', paragraph 0, question 0 is a JSON string; expected an object"),
    ({"data": [{"title": "Books"}]}, "article 'Books': \"paragraphs\" is missing"),
])
def test_a_wrong_nesting_names_the_article_and_what_was_expected(tmp_path, doc, words):
    """Training (read_squad) and evaluation data (load_dataset) read SQuAD's nesting by one rule."""
    from faithlens.data import load_dataset

    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc))
    for read in (read_squad, load_dataset):
        with pytest.raises(FaithlensError) as info:
            read(path)
        assert words in str(info.value) and "Error" not in str(info.value)


def test_an_answer_text_that_is_not_a_str_says_so(tmp_path):
    with pytest.raises(FaithlensError, match="answer 0 has text 5, a JSON number; the answer's text must be a string"):
        read_squad(squad(tmp_path, answers=[{"text": 5, "answer_start": 0}]))


def test_an_answer_with_surrounding_spaces_says_so_not_fix_answer_start(tmp_path):
    with pytest.raises(FaithlensError) as info:
        read_squad(squad(tmp_path, answers=[{"text": " Ann ", "answer_start": 0}]))
    assert "' Ann ' has surrounding spaces; the context at answer_start 0 reads 'Ann'" in str(info.value)
    assert "Fix answer_start" not in str(info.value)


def test_a_question_id_given_twice_is_refused_naming_both_places(tmp_path):
    """Seventh breaker A7: ids all 'q0' were accepted; errors (and SQuAD's evaluation, keyed by id) name questions
    by id. Training and evaluation data read the ids by one rule; a missing id is named by its number in the file."""
    from faithlens.data import load_dataset

    qa = lambda qid: {**({"id": qid} if qid is not None else {}), "question": "Who wrote it?",  # noqa: E731
                      "answers": [{"text": "Ann", "answer_start": 0}]}
    doc = lambda *ids: {"data": [{"title": "Books", "paragraphs": [{"context": CONTEXT, "qas": [qa(ids[0])]}]},  # noqa: E731
                                 {"title": "More", "paragraphs": [{"context": CONTEXT, "qas": [qa(i) for i in ids[1:]]}]}]}
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc("q0", "q1", "q0")))
    for read in (read_squad, load_dataset):
        with pytest.raises(FaithlensError) as info:
            read(path)
        assert ("the question id 'q0' is given twice (article 'Books', paragraph 0, question 0 and article 'More', "
                "paragraph 0, question 1)") in str(info.value)
    path.write_text(json.dumps(doc("q0", None, "q2")))
    assert [e.id for e in read_squad(path)] == ["q0", "#1", "q2"]


def test_a_question_without_its_question_key_says_what_to_give(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"data": [{"title": "a", "paragraphs": [{"context": CONTEXT, "qas": [
        {"id": "1", "answers": [{"text": "Ann", "answer_start": 0}]}]}]}]}))
    with pytest.raises(FaithlensError) as info:
        read_squad(path)
    assert "article 'a', question '1' has no \"question\" key (or it is null). Give each question its text" in str(info.value)
    assert "NoneType" not in str(info.value)


def test_qa_messages_say_what_is_wrong_and_what_to_give(tmp_path, capsys):
    """A missing answer_start names the missing key (not 'answer_start None'); a span with start >= end says so (not
    'not inside the context'); --holdout on a one-article file names the file, the article and the fix."""
    from faithlens.cli import main
    from faithlens.task_inputs import answer_chars

    with pytest.raises(FaithlensError, match=r"answer 0 'Paris' has no \"answer_start\" key\. .* \"answer_start\": 22\."):
        read_squad(squad(tmp_path, answers=[{"text": "Paris"}]))
    assert answer_chars(CONTEXT, (22, 27)) == (22, 27) and CONTEXT[22:27] == "Paris"
    with pytest.raises(FaithlensError, match=r"The answer span \(27, 22\) is reversed: its start must be < its end"):
        answer_chars(CONTEXT, (27, 22))
    with pytest.raises(FaithlensError, match=r"The answer span \(5, 5\) is empty: its start must be < its end"):
        answer_chars(CONTEXT, (5, 5))
    with pytest.raises(FaithlensError, match=r"is not inside the context \(0\.\.28\)"):
        answer_chars(CONTEXT, (22, 40))
    path = squad(tmp_path)
    assert main(["train", "--task", "qa", "--train", str(path), "--holdout", "0.5", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert f"{str(path)!r} has 1 article ('Books')" in err and "Drop --holdout" in err and "--test FILE" in err
    from faithlens.data import holdout, load_dataset

    with pytest.raises(FaithlensError, match=r"s\.json' has 1 article \('Books'\); holding out whole articles"):
        holdout(load_dataset(str(path)), 0.5)


def test_window_refusals_speak_python_from_python_and_options_from_the_cli(tmp_path):
    """Issue 22: qa.check_windows said --max-length/--stride to a Python caller (fine_tune_qa, qa.features,
    qa.predict_answers). Its words are Python's (max_length=, stride=); the CLI puts them as the options it has."""
    from faithlens.cli import _commands, _options_of, build_parser, cli_words
    from faithlens.qa import features, predict_answers
    from faithlens.training import fine_tune_qa
    from tiny import bert_tokenizer, save_tiny

    tok = bert_tokenizer()
    ex = QAExample("q1", "Books", "who is it ?", CONTEXT, ("Ann",), 0)
    base = save_tiny(tmp_path / "base", "bert_qa")
    said = []
    for call in (lambda: features(tok, [ex], max_length=8, stride=128),
                 lambda: predict_answers(None, tok, [ex], max_length=8, stride=4),
                 lambda: fine_tune_qa(base_model=base, train=[ex], test=[], out_dir=tmp_path / "o", max_length=8,
                                      progress=False)):
        with pytest.raises(FaithlensError) as info:
            call()
        said.append(str(info.value))
    for message in said:
        assert "--" not in message and "max_length=8" in message, message
    assert said[0].startswith("The stride=128 must be smaller than max_length=8. ")
    assert said[2].startswith("The default stride=128 (not given") and "Pass max_length=64 and stride=" in said[2]
    train = _options_of(_commands(build_parser())["train"])
    assert cli_words(said[0], train).startswith("The --stride 128 must be smaller than --max-length 8. ")
    for message in said:
        cli = cli_words(message, train)
        assert "max_length" not in cli and "stride=" not in cli and "--max-length 8" in cli, cli
    assert "Pass --max-length 64 and --stride " in cli_words(said[2], train)
    assert cli_words(said[1], set()) == said[1]  # a command without the options keeps the Python words
