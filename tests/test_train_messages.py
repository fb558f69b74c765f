"""Issue 22, eleventh breaker F3, F4, F8: the messages of `faithlens train` name only options the command has and
fixes that apply (a GLUE folder without the split's file names the file to pass, since train has no --split; a
one-class training set is refused as that, the --holdout/--subset advice only when one of them took a class away),
and `faithlens facade train` checks --max-length against the target model as `train` checks it, before any work."""

import pytest

from faithlens.cli import main
from faithlens.data import load_dataset
from faithlens.errors import FaithlensError


def run(capsys, *argv):
    code = main(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


@pytest.fixture
def no_training(monkeypatch):
    """fine_tune raises if reached: a refusal must come before any model loads or trains."""
    def reached(**_):
        raise AssertionError("fine_tune was called")
    monkeypatch.setattr("faithlens.training.fine_tune", reached)


def tsv(tmp_path, name, labels):
    path = tmp_path / name
    path.write_text("sentence\tlabel\n" + "".join(f"film number {i}\t{y}\n" for i, y in enumerate(labels)),
                    encoding="utf-8")
    return path


# --- F3: a folder without the split's file ----------------------------------------------------------------------


def test_train_names_the_file_to_pass_for_a_folder_without_its_split(saved_tiny, tmp_path, capsys, no_training):
    folder = tmp_path / "tr"
    folder.mkdir()
    tsv(folder, "ok.tsv", [1, 0])
    code, err = run(capsys, "train", "--train", str(folder), "--out", str(tmp_path / "x"), "--base", str(saved_tiny))
    assert code == 2, err
    assert f"Expected a file train.tsv (or .csv/.jsonl/.json) in the folder {str(folder)!r}. Got ['ok.tsv']." in err
    assert f"Pass --train the file itself, e.g. --train {folder / 'ok.tsv'}." in err
    assert "--split" not in err
    with pytest.raises(AssertionError, match="fine_tune was called"):  # the file it names is read
        main(["train", "--train", str(folder / "ok.tsv"), "--out", str(tmp_path / "x"), "--base", str(saved_tiny)])


def test_train_names_the_option_of_the_folder_it_reads(saved_tiny, tmp_path, capsys, no_training):
    folder = tmp_path / "glue"
    folder.mkdir()
    tsv(folder, "train.tsv", [1, 0])
    tsv(folder, "dev.tsv", [1, 0])
    code, err = run(capsys, "train", "--train", str(folder), "--validation", str(folder), "--out", str(tmp_path / "x"),
                    "--base", str(saved_tiny))
    assert code == 2 and "Expected a file validation.tsv" in err, err
    assert f"Pass --validation the file itself, e.g. --validation {folder / 'dev.tsv'}." in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, err = run(capsys, "train", "--train", str(empty), "--out", str(tmp_path / "x"), "--base", str(saved_tiny))
    assert code == 2 and "Got no data files. Pass --train a data file." in err, err


def test_commands_with_split_and_the_api_keep_their_own_fix(saved_tiny, tmp_path, capsys):
    folder = tmp_path / "tr"
    folder.mkdir()
    tsv(folder, "ok.tsv", [1, 0])
    with pytest.raises(FaithlensError, match=r"Got \['ok.tsv'\]. Pass --split with one of those names \(split='NAME' "
                                             r"in Python\), or the file itself."):
        load_dataset(folder)
    assert load_dataset(folder, split="ok").labels == (1, 0)
    code, err = run(capsys, "evaluate", "--model", str(saved_tiny), "--data", str(folder), "--methods", "occlusion",
                    "--no-random", "--no-curves", "--out", str(tmp_path / "e"))
    assert code == 2 and "Pass --split with one of those names, or the file itself." in err, err


# --- F4: a training set of one class ------------------------------------------------------------------------------


@pytest.mark.parametrize("label", [0, 1])
def test_a_one_class_training_set_is_refused_plainly(saved_tiny, tmp_path, capsys, no_training, label):
    data = tsv(tmp_path, "z.tsv", [label, label, label])
    code, err = run(capsys, "train", "--train", str(data), "--out", str(tmp_path / "z"), "--base", str(saved_tiny))
    assert code == 2, err
    assert f"Every training example of {data} (3) is class {label}; a classifier needs examples of at least two " \
           "classes. Add examples of another class to the training data." in err
    for advice in ("--holdout", "--subset", "Renumber"):
        assert advice not in err, err


def test_a_one_class_training_set_names_its_class_by_name(saved_tiny, tmp_path, capsys, no_training):
    data = tsv(tmp_path, "w.tsv", ["positive", "positive"])
    code, err = run(capsys, "train", "--train", str(data), "--out", str(tmp_path / "z"), "--base", str(saved_tiny),
                    "--labels", "negative", "positive")
    assert code == 2 and "is class 1 (positive); a classifier needs examples of at least two classes" in err, err
    other = tsv(tmp_path, "v.tsv", ["negative", "positive"])  # other classes elsewhere do not train the model
    code, err = run(capsys, "train", "--train", str(data), "--validation", str(other), "--out", str(tmp_path / "z"),
                    "--base", str(saved_tiny))
    assert code == 2 and "Every training example of" in err and "is class 0 (positive)" in err, err


@pytest.mark.parametrize("argv, option, fix", [
    (["--subset", "1"], "--subset 1", "Pass a larger --subset or another --subset-seed."),
    (["--holdout", "0.5", "--split-seed", "3"], "--holdout 0.5", "Pass a smaller --holdout or another --split-seed."),
])
def test_the_holdout_or_subset_is_named_only_when_it_took_a_class(saved_tiny, tmp_path, capsys, no_training, argv,
                                                                  option, fix):
    data = tsv(tmp_path, "h.tsv", [1] * 9 + [0])  # the holdout of seed 3 takes the one 0
    code, err = run(capsys, "train", "--train", str(data), "--out", str(tmp_path / "h"), "--base", str(saved_tiny),
                    *argv)
    assert code == 2, err
    assert f"The training split left by {option} has" in err and "all of class 1" in err
    assert f"--train {data} has them. {fix}" in err
    other = "--holdout" if option.startswith("--subset") else "--subset"
    assert other not in err, err


def test_renumbering_is_advised_only_where_it_leaves_two_classes(saved_tiny, tmp_path, capsys, no_training):
    data = tsv(tmp_path, "gap.tsv", [2, 0, 2, 0])
    code, err = run(capsys, "train", "--train", str(data), "--out", str(tmp_path / "o"), "--base", str(saved_tiny))
    assert code == 2 and "Renumber the labels 0..1" in err, err
    data = tsv(tmp_path, "ones.tsv", [1, 1])
    code, err = run(capsys, "train", "--train", str(data), "--out", str(tmp_path / "o"), "--base", str(saved_tiny))
    assert code == 2 and "Renumber" not in err and "is class 1;" in err, err


# --- F8: facade train's --max-length --------------------------------------------------------------------------------


@pytest.fixture
def no_facade_training(monkeypatch):
    def reached(*_, **__):
        raise AssertionError("the facade was trained")
    monkeypatch.setattr("faithlens.audit.facade._train_facade", reached)


@pytest.mark.parametrize("length, words", [
    ("1", "--max-length 1 leaves no text token: the target model's tokenizer adds 2 special tokens to each text, so "
          "every input would train on nothing. Pass --max-length 3 or more (the least useful value; 64 is the default)."),
    ("100000", "--max-length 100000 is longer than the target model's 64 positions. Pass --max-length 64 or less."),
    ("65", "--max-length 65 is longer than the target model's 64 positions."),
])
def test_facade_train_checks_max_length_as_train_does(saved_tiny, tmp_path, capsys, no_facade_training, length,
                                                      words, monkeypatch):
    def read(*_, **__):
        raise AssertionError("the data was read")
    monkeypatch.setattr("faithlens.data.load_dataset", read)  # refused before the data is read
    out = tmp_path / "f"
    data = tsv(tmp_path, "d.tsv", [0, 1] * 10)
    code, err = run(capsys, "facade", "train", "--model", str(saved_tiny), "--data", str(data),
                    "--out", str(out), "--steps", "2", "--max-length", length, "--heldout", "4", "--batch-size", "4")
    assert code == 2 and words in err, err
    assert not (out / "faithlens_facade.json").exists()


def test_train_facade_checks_max_length_for_pairs(tmp_path, no_facade_training):
    """A pair needs room for a token of each text (BERT: 3 special tokens and 2 text tokens)."""
    from tiny import tiny

    from faithlens.audit.facade import FacadeSettings, train_facade

    target = tiny("bert")
    pairs = [("a dog runs", "an animal moves")] * 8
    with pytest.raises(FaithlensError, match=r"max_length 4 leaves no text token: the target model's tokenizer adds 3 "
                                             r"special tokens to each pair"):
        train_facade(target, pairs, pairs, out_dir=tmp_path / "f", settings=FacadeSettings(max_length=4, batch_size=4))
    with pytest.raises(AssertionError, match="the facade was trained"):  # 5 leaves a token of each text
        train_facade(target, pairs, pairs, out_dir=tmp_path / "g", settings=FacadeSettings(max_length=5, batch_size=4))
    with pytest.raises(AssertionError, match="the facade was trained"):  # single texts: 3 is enough
        train_facade(target, ["a dog runs"] * 8, ["a dog"], out_dir=tmp_path / "h",
                     settings=FacadeSettings(max_length=3, batch_size=4))


# --- thirteenth breaker B5: --validation/--test of another input kind, or of classes --train lacks --------------


def pair_tsv(tmp_path, name, labels):
    path = tmp_path / name
    path.write_text("premise\thypothesis\tlabel\n" + "".join(f"a film {i}\tit is film {i}\t{y}\n"
                                                             for i, y in enumerate(labels)), encoding="utf-8")
    return path


@pytest.mark.parametrize("option", ["--test", "--validation"])
def test_train_refuses_single_texts_to_score_a_pair_classifier(saved_tiny, tmp_path, capsys, no_training, option):
    pairs, texts = pair_tsv(tmp_path, "p.tsv", [0, 1, 2, 0]), tsv(tmp_path, "t.tsv", [0, 1])
    code, err = run(capsys, "train", "--train", str(pairs), option, str(texts), "--out", str(tmp_path / "x"),
                    "--base", str(saved_tiny))
    assert code == 2, err
    assert f"{option} {texts} holds single texts, but --train {pairs} holds text pairs" in err
    assert "premise and hypothesis" in err and "or train on single texts." in err


def test_train_refuses_pairs_to_score_a_single_text_classifier(saved_tiny, tmp_path, capsys, no_training):
    pairs, texts = pair_tsv(tmp_path, "p.tsv", [0, 1]), tsv(tmp_path, "t.tsv", [0, 1])
    code, err = run(capsys, "train", "--train", str(texts), "--test", str(pairs), "--out", str(tmp_path / "x"),
                    "--base", str(saved_tiny))
    assert code == 2 and f"--test {pairs} holds text pairs, but --train {texts} holds single texts" in err, err
    with pytest.raises(AssertionError, match="fine_tune was called"):  # the same kind is trained
        main(["train", "--train", str(texts), "--test", str(tsv(tmp_path, "t2.tsv", [1, 0])),
              "--out", str(tmp_path / "x"), "--base", str(saved_tiny)])


def test_train_refuses_a_test_class_no_training_example_has(saved_tiny, tmp_path, capsys, no_training):
    train, test = tsv(tmp_path, "tr.tsv", [0, 1, 0]), tsv(tmp_path, "te.tsv", [0, 2, 2])
    for extra in ([], ["--labels", "neg", "pos", "odd"]):
        code, err = run(capsys, "train", "--train", str(train), "--test", str(test), "--out", str(tmp_path / "x"),
                        "--base", str(saved_tiny), *extra)
        assert code == 2, err
        assert f"--test {test} has 2 example(s) of class 2{' (odd)' if extra else ''}, which no example of --train " \
               f"{train} has (its classes: 0, 1)" in err
        assert f"or drop those examples from --test {test}." in err


def test_fine_tune_refuses_splits_of_another_kind_or_class(tmp_path):
    from faithlens.training import fine_tune

    train = (["good", "bad"], [0, 1])
    common = dict(base_model=tmp_path / "never-read", train=train, validation=([], []), out_dir=tmp_path / "o",
                  label_names=["neg", "pos", "odd"])
    with pytest.raises(FaithlensError, match=r"the 'test' split of fine_tune holds text pairs, but the 'train' split "
                                             r"of fine_tune holds single texts.*\(str texts\)"):
        fine_tune(test=([("a", "b")], [0]), **common)
    with pytest.raises(FaithlensError, match=r"the 'train' split of fine_tune mixes single texts and text pairs"):
        fine_tune(test=([], []), **{**common, "train": (["good", ("a", "b")], [0, 1])})
    with pytest.raises(FaithlensError, match=r"the 'test' split of fine_tune has 1 example\(s\) of class 2 \(odd\)"):
        fine_tune(test=(["so so"], [2]), **common)


# --- thirteenth breaker B6: a base whose head is of another task -------------------------------------------------


@pytest.mark.parametrize("kind, arch, head", [
    ("bert_qa", "BertForQuestionAnswering", "an extractive question-answering head"),
    ("gpt2_lm", "GPT2LMHeadModel", "a causal language model's next-token head"),
])
def test_train_says_a_base_of_another_task_loses_its_head(tmp_path, kind, arch, head):
    from test_cli_warnings import run_cli
    from tiny import save_tiny

    base = save_tiny(tmp_path / kind, kind)
    done = run_cli("train", "--train", str(tsv(tmp_path, "t.tsv", [0, 1, 1, 0])), "--base", str(base),
                   "--out", str(tmp_path / "o"), "--epochs", "1", "--max-length", "16", cwd=tmp_path)
    code, err = done.returncode, done.stderr
    assert code == 0, err
    said = [line for line in err.splitlines() if line.startswith("faithlens: warning:")]
    assert said == [f"faithlens: warning: --base {str(base)!r} ({arch}) carries {head}" + said[0].split(head, 1)[1]], err
    assert "a classifier (--task classification)" in said[0] and "a fresh classifier head is trained" in said[0]
    assert err.index("faithlens: warning:") < err.index("fine-tune")  # before training starts


def test_train_qa_says_a_classifier_base_loses_its_head(saved_tiny, tmp_path):
    from test_cli_warnings import run_cli

    squad = tmp_path / "sq.json"
    squad.write_text('{"version": "1.1", "data": [{"title": "A", "paragraphs": [{"context": "Bob is here in the park.", '
                     '"qas": [{"id": "1", "question": "Who is here?", "answers": [{"text": "Bob", "answer_start": 0}]}]'
                     '}]}]}', encoding="utf-8")
    done = run_cli("train", "--task", "qa", "--train", str(squad), "--base", str(saved_tiny), "--out",
                   str(tmp_path / "o"), "--epochs", "1", "--max-length", "64", "--stride", "16", cwd=tmp_path)
    code, err = done.returncode, done.stderr
    assert code == 0, err
    assert (f"faithlens: warning: --base {str(saved_tiny)!r} (BertForSequenceClassification) carries a sequence "
            "classifier's head, of another task than this run trains, an extractive question-answering model "
            "(--task qa): that head is dropped, and a fresh QA head is trained") in err


def test_no_note_for_a_head_of_the_same_task(saved_tiny, tmp_path):
    from test_cli_warnings import run_cli

    done = run_cli("train", "--train", str(tsv(tmp_path, "t.tsv", [0, 1, 1, 0])), "--base", str(saved_tiny),
                   "--out", str(tmp_path / "o"), "--epochs", "1", "--max-length", "16", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "faithlens: warning:" not in done.stderr and "note:" not in done.stderr, done.stderr
