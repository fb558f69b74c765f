"""Eighteenth breaker F2-F4 (issue 22): a --holdout split far from the fraction asked.

F3/F4: a fraction whose held-out part (or kept part) would be empty is refused by the split layer
(`splits.holdout_split`) before any model pass, naming the counts and the fractions that work, for train, audit and
facade alike. F2: whole-article splits (SQuAD) pick the articles whose question count is nearest the fraction asked,
seeded, and say when that count is still far from it."""

import json
import warnings

import pytest

from faithlens.cli import main
from faithlens.errors import FaithlensError, FaithlensWarning
from faithlens.splits import group_holdout, holdout_split

SIZES = {"Alpha": 55, "Beta": 10, "Gamma": 9}  # the breaker's three articles
GROUPS = [name for name, size in SIZES.items() for _ in range(size)]


def _held_count(held: set[str]) -> int:
    return sum(SIZES[name] for name in held)


def _forty(tmp_path):
    path = tmp_path / "forty.tsv"
    rows = [f"{'good fun film' if i % 2 else 'bad dull plot'} {i}\t{i % 2}" for i in range(40)]
    path.write_text("sentence\tlabel\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


# --- the split layer ---------------------------------------------------------------------------------

def test_an_empty_held_out_part_is_refused_naming_the_fractions_that_work():
    with pytest.raises(FaithlensError) as caught:
        holdout_split(40, 0.01, source="d/sst40.tsv")
    words = str(caught.value)
    assert "'d/sst40.tsv' has 40 examples; --holdout 0.01 holds out none of them" in words, words
    assert "held-out part would be empty" in words and "from 0.025 (holds out 1 example) to 0.975" in words, words
    kept, held = holdout_split(40, 0.025)  # the smallest fraction named does hold out one
    assert len(held) == 1 and len(kept) == 39
    assert len(holdout_split(40, 0.975)[1]) == 39  # and the largest keeps one


def test_an_empty_kept_part_is_refused():
    with pytest.raises(FaithlensError, match=r"holds out all of them .*so the kept part would be empty"):
        holdout_split(40, 0.99)
    with pytest.raises(FaithlensError, match=r"has 1 example; --holdout 0.5 needs at least two"):
        holdout_split(1, 0.5)
    for n in (2, 3, 7, 40, 1234):  # the named fractions work for every size
        words = ""
        try:
            holdout_split(n, 0.0001)
        except FaithlensError as error:
            words = str(error)
        low = float(words.split("from ")[1].split(" ")[0])
        assert len(holdout_split(n, low)[1]) == 1, (n, low)


def test_a_fraction_that_fits_splits_as_before():
    kept, held = holdout_split(10, 0.2, seed=0)
    assert len(held) == 2 and sorted(kept + held) == list(range(10)) and holdout_split(10, 0.2, seed=0) == (kept, held)


def test_whole_articles_are_picked_nearest_the_fraction_with_a_warning_when_far():
    with pytest.warns(FaithlensWarning, match=r"--holdout 0.01 asked for 1 % of the 74 questions; the held-out part "
                                              r"has 9 of them \(12.2 %\)"):
        held = group_holdout(GROUPS, 0.01, seed=0)
    assert held == {"Gamma"}  # 9 questions, not the 55-question article
    with warnings.catch_warnings():
        warnings.simplefilter("error", FaithlensWarning)  # near enough: no warning
        assert _held_count(group_holdout(GROUPS, 0.25, seed=0)) == 19
        assert _held_count(group_holdout(GROUPS, 0.75, seed=3)) == 55  # nearer than 64 or 65
    for fraction in (0.01, 0.34, 0.5, 0.9, 0.99):  # never empty, never every article
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FaithlensWarning)
            held = group_holdout(GROUPS, fraction, seed=1)
        assert held and held != set(SIZES), (fraction, held)


def test_whole_article_splits_are_seeded():
    groups = [f"a{i}" for i in range(8) for _ in range(3)]  # 8 articles of 3 questions: many equal choices
    draws = {frozenset(group_holdout(groups, 0.25, seed)) for seed in range(6)}
    assert all(len(d) == 2 for d in draws) and len(draws) > 1  # the nearest count, articles varied by seed
    assert group_holdout(groups, 0.25, 4) == group_holdout(groups, 0.25, 4)


def test_the_dataset_holdout_reads_the_same_rule(tmp_path):
    from faithlens.data import holdout, load_dataset

    with pytest.raises(FaithlensError, match=r"forty.tsv' has 40 examples; --holdout 0.01 holds out none"):
        holdout(load_dataset(str(_forty(tmp_path))), 0.01)
    train, test = holdout(load_dataset(str(_forty(tmp_path))), 0.1)
    assert len(test) == 4 and test.info["holdout"]["held_out"] == 4 and test.info["holdout"]["of"] == 40


# --- through the command line ------------------------------------------------------------------------

def test_train_refuses_an_empty_test_split(saved_tiny, tmp_path, capsys):
    out = tmp_path / "o"
    code, _, err = run(capsys, "train", "--train", _forty(tmp_path), "--base", saved_tiny, "--out", out,
                       "--holdout", "0.01", "--max-length", "16")
    assert "forty.tsv' has 40 examples; --holdout 0.01 holds out none of them" in err, err
    assert code == 2 and "from 0.025 (holds out 1 example)" in err and not out.exists(), err


def test_audit_and_facade_name_the_empty_held_out_part(saved_tiny, tmp_path, capsys):
    data = _forty(tmp_path)
    for argv in (["audit", "--model", saved_tiny, "--data", data, "--holdout", "0.01", "--limit", "5"],
                 ["facade", "saliency", "--model", saved_tiny, "--data", data, "--holdout", "0.01", "--limit", "5"]):
        code, _, err = run(capsys, *argv)
        assert code == 2 and "held-out part would be empty" in err, (argv, err)
        assert "No text was given" not in err and "all 0 are used" not in err, err


def _squad(tmp_path):
    articles = []
    for title, n in (("Alpha", 6), ("Beta", 2), ("Gamma", 1)):
        context = f"{title} is a city."
        qas = [{"id": f"{title}{i}", "question": f"What is {title} {i}?",
                "answers": [{"text": "a city", "answer_start": len(title) + 4}]} for i in range(n)]
        articles.append({"title": title, "paragraphs": [{"context": context, "qas": qas}]})
    path = tmp_path / "sq3.json"
    path.write_text(json.dumps({"data": articles, "version": "1.1"}), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def saved_qa(tmp_path_factory):
    from tiny import save_tiny

    return save_tiny(tmp_path_factory.mktemp("tiny-qa"), "bert_qa")


def test_train_qa_holds_out_the_nearest_articles_and_says_so(saved_qa, tmp_path, capsys):
    out = tmp_path / "o"
    with pytest.warns(FaithlensWarning, match=r"--holdout 0.01 asked for 1 % of the 9 questions; the held-out part "
                                              r"has 1 of them \(11.1 %\)"):
        code, printed, err = run(capsys, "train", "--task", "qa", "--train", _squad(tmp_path), "--base", saved_qa, "--out",
                                 out, "--holdout", "0.01", "--max-length", "32", "--stride", "8", "--epochs", "1")
    assert code == 0, err
    note = json.loads(printed)["holdout"]
    assert note.startswith("whole articles held out (seed 0): 1 articles, 1 questions of 9 (11.1 %"), note
    info = json.loads((out / "faithlens_model.json").read_text())
    assert info["split_sizes"]["test"] == 1 and info["dataset"]["holdout"] == note
