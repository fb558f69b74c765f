"""Issue 22 (yf): `train --holdout F --split-seed S` records the part it held out (fraction, seed, count, of, and the
SHA-256 of the sorted held-out items) in faithlens_model.json, and `audit --holdout` checks that the part it re-opens
is that part: other F/S, another data file, or a card of an older faithlens (a note, no record) are each warned
about; the same split, or a model trained on a --test file, are not. The report says what the check found."""

import hashlib
import json
import shutil
import warnings

import pytest

from faithlens.cli import main
from faithlens.errors import FaithlensWarning
from faithlens.splits import check_held_out, held_out_record, holdout_split


def run(capsys, *argv):
    """(exit code, stdout, the FaithlensWarnings raised, one a line)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FaithlensWarning)
        code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err, captured.err
    return code, captured.out, "\n".join(str(w.message) for w in caught if issubclass(w.category, FaithlensWarning))


def _tsv(path, start=0):
    rows = [f"{'good fun film' if i % 2 else 'bad dull plot'} {i}\t{i % 2}" for i in range(start, start + 20)]
    path.write_text("sentence\tlabel\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _squad(path, titles):
    articles = []
    for title in titles:
        context = f"{title} is a city."
        qas = [{"id": f"{title}{i}", "question": f"What is {title} {i}?",
                "answers": [{"text": "a city", "answer_start": len(title) + 4}]} for i in range(2)]
        articles.append({"title": title, "paragraphs": [{"context": context, "qas": qas}]})
    path.write_text(json.dumps({"data": articles, "version": "1.1"}), encoding="utf-8")
    return path


def _card(folder):
    return json.loads((folder / "faithlens_model.json").read_text())


AUDIT = ("--limit", "2", "--steps", "2", "--examples", "0")


# --- the rule ---------------------------------------------------------------------------------------------

def test_the_record_is_the_digest_of_the_sorted_items_one_a_line():
    record = held_out_record([("b", "x"), "a c"], 0.5, 3, 4)
    assert record == {"fraction": 0.5, "seed": 3, "count": 2, "of": 4,
                      "sha256": hashlib.sha256("a c\nb\tx".encode()).hexdigest()}
    assert held_out_record(["a c", ("b", "x")], 0.5, 3, 4) == record  # the order held out does not matter


def test_the_check_names_each_case():
    held = held_out_record(["a", "b"], 0.2, 0, 10)
    trained = {"dataset": {"train": "t.tsv", "holdout": "note", "held_out": held}}
    assert check_held_out(trained, held).startswith("matches the model's record (--holdout 0.2 --split-seed 0")
    assert check_held_out({"dataset": {"train": "t.tsv", "test": "x.tsv", "holdout": None}}, held) is None
    assert check_held_out({}, held) is None  # a hub model: no card
    with pytest.warns(FaithlensWarning, match=r"trained holding out --holdout 0.2 --split-seed 0 .* Pass --holdout 0.2 "
                                     r"--split-seed 0 to audit"):
        assert check_held_out(trained, dict(held, seed=4)).startswith("differs")
    with pytest.warns(FaithlensWarning, match=r"is not the one train held out .* cannot be told"):
        assert check_held_out(trained, held_out_record(["a", "c"], 0.2, 0, 10)).startswith("differs")
    with pytest.warns(FaithlensWarning, match=r"no digest of its held-out part"):
        assert check_held_out({"dataset": {"holdout": "note"}}, held).startswith("not checked")


# --- through the command line: a classifier ----------------------------------------------------------------

@pytest.fixture(scope="module")
def trained(saved_tiny, tmp_path_factory):
    """A tiny classifier trained on 20 examples holding out 0.25 with --split-seed 1, and its data file."""
    folder = tmp_path_factory.mktemp("held")
    data, out = _tsv(folder / "twenty.tsv"), folder / "model"
    assert main(["train", "--train", str(data), "--base", str(saved_tiny), "--out", str(out), "--holdout", "0.25",
                 "--split-seed", "1", "--max-length", "16", "--epochs", "1"]) == 0
    return out, data


def test_train_records_the_held_out_examples(trained):
    out, data = trained
    record = _card(out)["dataset"]["held_out"]
    texts = [f"{'good fun film' if i % 2 else 'bad dull plot'} {i}" for i in range(20)]
    held = holdout_split(20, 0.25, 1)[1]
    digest = hashlib.sha256("\n".join(sorted(texts[i] for i in held)).encode()).hexdigest()
    assert record == {"fraction": 0.25, "seed": 1, "count": 5, "of": 20, "sha256": digest}


def test_audit_of_the_same_split_says_it_matches(trained, tmp_path, capsys):
    out, data = trained
    report = tmp_path / "r.json"
    code, printed, err = run(capsys, "audit", "--model", out, "--data", data, "--holdout", "0.25", "--split-seed", "1",
                             *AUDIT, "--json", report)
    assert code == 0 and not err, err
    assert json.loads(report.read_text())["settings"]["held_out_split"].startswith("matches the model's record")
    assert "Held-out split: matches the model's record" in printed
    # thirty-first breaker F5: the report says where its sample came from, which weights and which faithlens
    settings = json.loads(report.read_text())["settings"]
    from faithlens.checkpoint import file_digest

    assert settings["data"] == {"source": str(data), "split": None, "sha256": file_digest(data),
                                "holdout": {"fraction": 0.25, "seed": 1}, "n": 2, "available": 5, "seed": 0}
    assert settings["model_provenance"]["weights_sha256"] and settings["faithlens"]
    shown = " ".join(printed.split())  # the terminal wraps the Markdown
    assert (f"Data: {data}; the held-out part (--holdout 0.25, seed 1); 2 of 5 texts, drawn with seed 0; SHA-256 "
            f"{file_digest(data)[:12]}…") in shown


def test_audit_of_another_seed_names_the_recorded_one(trained, tmp_path, capsys):
    out, data = trained
    code, printed, err = run(capsys, "audit", "--model", out, "--data", data, "--holdout", "0.25", *AUDIT)
    assert code == 0 and "trained holding out --holdout 0.25 --split-seed 1" in err, err
    assert "Pass --holdout 0.25 --split-seed 1 to audit the part the model never saw" in err, err
    assert "Held-out split: differs" in printed


def test_audit_of_another_file_warns_by_the_digest(trained, tmp_path, capsys):
    out, _ = trained
    other = _tsv(tmp_path / "other.tsv", start=100)
    code, _, err = run(capsys, "audit", "--model", out, "--data", other, "--holdout", "0.25", "--split-seed", "1", *AUDIT)
    assert code == 0 and "is not the one train held out (5 of 20" in err, err
    assert "another file than the model's --train" in err and "may include examples the model was trained on" in err


def test_an_older_card_cannot_be_checked(trained, tmp_path, capsys):
    out, data = trained
    old = tmp_path / "old"
    shutil.copytree(out, old)
    card = _card(old)
    del card["dataset"]["held_out"]
    (old / "faithlens_model.json").write_text(json.dumps(card))
    code, _, err = run(capsys, "audit", "--model", old, "--data", data, "--holdout", "0.25", "--split-seed", "1", *AUDIT)
    assert code == 0 and "no digest of its held-out part" in err and "cannot check" in err, err


def test_a_model_trained_on_a_test_file_is_not_checked(saved_tiny, tmp_path, capsys):
    """A plain model folder (no faithlens card, as one trained elsewhere or on a --test file): nothing to compare."""
    data = _tsv(tmp_path / "d.tsv")
    code, printed, err = run(capsys, "audit", "--model", saved_tiny, "--data", data, "--holdout", "0.25", *AUDIT)
    assert code == 0 and "held-out part" not in err and "Held-out split" not in printed, err


# --- through the command line: SQuAD, whole articles ------------------------------------------------------------

def test_qa_records_the_held_out_articles_and_audit_checks_them(tmp_path, capsys):
    from tiny import save_tiny

    base = save_tiny(tmp_path / "base", "bert_qa")
    data, out = _squad(tmp_path / "sq.json", ["Alpha", "Beta", "Gamma", "Delta"]), tmp_path / "qa"
    code, printed, err = run(capsys, "train", "--task", "qa", "--train", data, "--base", base, "--out", out,
                             "--holdout", "0.5", "--max-length", "32", "--stride", "8", "--epochs", "1")
    assert code == 0, err
    record = _card(out)["dataset"]["held_out"]
    assert {k: record[k] for k in ("fraction", "seed", "count", "of")} == {"fraction": 0.5, "seed": 0, "count": 2, "of": 4}
    assert json.loads(printed)["holdout"].startswith("whole articles held out (seed 0): 2 articles")
    held = _held_titles(data, 0.5, 0)
    assert record["sha256"] == hashlib.sha256("\n".join(held).encode()).hexdigest()
    code, printed, err = run(capsys, "audit", "--model", out, "--data", data, "--holdout", "0.5", *AUDIT)
    assert code == 0 and not err and "Held-out split: matches the model's record" in printed, err
    other = _squad(tmp_path / "other.json", ["Alpha", "Beta", "Gamma", "Omega"])
    code, _, err = run(capsys, "audit", "--model", out, "--data", other, "--holdout", "0.5", *AUDIT)
    assert _held_titles(other, 0.5, 0) != held  # other articles held out: Delta is not in the file
    assert code == 0 and "is not the one train held out (2 of 4 articles" in err, err


def _held_titles(path, fraction, seed):
    from faithlens.splits import group_holdout

    titles = [a["title"] for a in json.loads(path.read_text())["data"] for _ in range(2)]
    return sorted(group_holdout(titles, fraction, seed))


def test_facade_saliency_checks_the_held_out_part_too(trained, tmp_path, capsys):
    out, data = trained
    args = ("facade", "saliency", "--model", out, "--data", data, "--holdout", "0.25", "--methods", "grad_x_input",
            "--target", "first_token", "--limit", "2", "--out", tmp_path / "s.json")  # its texts hold no stop word
    code, _, err = run(capsys, *args)
    assert code == 0 and "Pass --holdout 0.25 --split-seed 1" in err, err
    code, _, err = run(capsys, *args[:-2], "--split-seed", "1", "--out", tmp_path / "t.json")
    assert code == 0 and "held out" not in err, err


@pytest.mark.parametrize("edit", [{"fraction": "0.25"}, {"fraction": None}, {"fraction": [0.25]}, {"fraction": -1},
                                  {"fraction": True}, {"seed": "1"}, {"sha256": "abc"}, {"count": -3}])
def test_a_record_faithlens_does_not_write_is_named_not_trusted(edit):
    record = dict(held_out_record(["a", "b"], 0.25, 1, 8), **edit)
    info = {"dataset": {"holdout": "note", "held_out": record}}
    held = held_out_record(["a", "b"], 0.25, 1, 8)
    with pytest.warns(FaithlensWarning, match="records a held-out part faithlens does not write") as caught:
        said = check_held_out(info, held)
    assert said.startswith("not checked") and "Pass --holdout" not in str(caught[0].message)
