"""Issue 22, kind 3: sizes and rates of `faithlens train` and `faithlens facade` are refused before any work (no data
read, no model loaded, no folder made), never replaced by a default or left to a traceback."""

import pytest
from cli_run import run

from faithlens.cli import main
from faithlens.errors import FaithlensError
from faithlens.training import check_stride


@pytest.mark.parametrize("argv, words", [
    (["--subset", "0"], "--subset must be a positive int. Got 0."),
    (["--subset", "-5"], "--subset must be a positive int. Got -5."),
    (["--max-length", "0"], "--max-length must be a positive int"),
    (["--max-length", "100000"], "--max-length must be at most 4096"),
    (["--epochs", "0"], "--epochs must be a positive int"),
    (["--batch-size", "-1"], "--batch-size must be a positive int"),
    (["--lr", "0"], "--lr must be a number in (0, 1)"),
    (["--lr", "nan"], "--lr must be a number in (0, 1)"),
    (["--stride", "64"], "does nothing with --task classification"),
    (["--task", "qa", "--stride", "-1"], "must be an int ≥ 0"),
    (["--task", "qa", "--labels", "a", "b"], "--task qa reads SQuAD files"),
    (["--holdout", "1.5"], "argument --holdout: expected a fraction"),
])
def test_train_sizes_refused_before_any_work(tmp_path, capsys, argv, words):
    out = tmp_path / "out"
    code, err = run(capsys, "train", "--train", "rotten_tomatoes", "--base", str(tmp_path / "no-base"),
                    "--out", str(out), *argv)
    assert code == 2 and words in err, err
    assert not out.exists()


def test_check_stride_reads_one_rule():
    check_stride(0)
    check_stride(7)
    for stride in (-1, True, 1.5):
        with pytest.raises(FaithlensError):
            check_stride(stride)


@pytest.mark.parametrize("argv, words", [
    (["facade", "train", "--steps", "0"], "'steps' setting (--steps) of the facade must be a positive int"),
    (["facade", "train", "--batch-size", "0"], "'batch_size' setting"),
    (["facade", "train", "--max-length", "-3"], "'max_length' setting"),
    (["facade", "train", "--heldout", "0"], "'heldout' setting"),
    (["facade", "train", "--lr", "-1"], "(--lr) of the facade must be a number in (0, 1)"),
    (["facade", "train", "--magnitude-from", "1.5"], "magnitude_from"),
    (["facade", "regularise", "--steps", "0"], "--steps must be a positive int"),
    (["facade", "regularise", "--lambda-rp", "-1"], "(--lambda-rp) must be a number in [0, 1e+06]"),
    (["facade", "saliency", "--limit", "0"], "--limit must be a positive int"),
    (["facade", "saliency", "--steps", "0"], "--steps must be a positive int"),
    (["facade", "saliency", "--methods", "sig:sideways"], "'sideways' in 'sig:sideways' is not key=value"),
    (["facade", "saliency", "--methods", "limes"], "Unknown method"),
    (["facade", "reduce", "--beams", "0"], "--beams must be comma-separated positive ints"),
    (["facade", "reduce", "--beams", "one"], "--beams must be comma-separated positive ints"),
    (["facade", "hotflip", "--holdout", "0"], "argument --holdout: expected a fraction"),
])
def test_facade_sizes_refused_before_loading(tmp_path, capsys, argv, words):
    out = tmp_path / ("out" if argv[1] in ("train", "regularise") else "out.json")
    code, err = run(capsys, *argv, "--model", str(tmp_path / "no-such-model"), "--out", str(out))
    assert code == 2 and words in err, err
    assert not out.exists()


@pytest.mark.parametrize("argv", [["--subset", "1"], ["--holdout", "0.7"]])
def test_a_training_split_of_one_class_is_refused(saved_tiny, tmp_path, capsys, argv):
    data = tmp_path / "t.tsv"
    data.write_text("sentence\tlabel\ngood film\t1\nbad\t0\nfun\t1\nawful\t0\n", encoding="utf-8")
    code, err = run(capsys, "train", "--train", str(data), "--base", str(saved_tiny), "--out", str(tmp_path / "o"), *argv)
    assert code == 2 and "at least two classes" in err


def test_train_errors_name_the_options(saved_qa, tmp_path, capsys):
    """Issue 22, D10: a library check raised under `train` names --max-length and --stride, not max_length."""
    code, err = run(capsys, "train", "--task", "qa", "--train", _squad(tmp_path), "--base", str(saved_qa),
                    "--out", str(tmp_path / "out"), "--max-length", "48", "--stride", "48")
    assert code == 2 and "The --stride 48 must be smaller than --max-length 48." in err and "max_length" not in err
    assert "stride=" not in err, err


# --- issue 22, a second breaker: F1, F4, F5, F15 ----------------------------------------------------------

def _two_class_tsv(tmp_path):
    data = tmp_path / "t.tsv"
    data.write_text("sentence\tlabel\ngood film\t1\nbad\t0\nfun\t1\nawful\t0\n", encoding="utf-8")
    return str(data)


@pytest.fixture
def no_training(monkeypatch):
    """fine_tune raises if reached: a refusal must come before any model loads or trains."""
    def reached(**_):
        raise AssertionError("fine_tune was called")
    monkeypatch.setattr("faithlens.training.fine_tune", reached)


def test_an_unwritable_out_is_refused_before_the_model_loads(saved_tiny, tmp_path, capsys, no_training):
    code, err = run(capsys, "train", "--train", _two_class_tsv(tmp_path), "--base", str(saved_tiny), "--out", "/proc/nope")
    assert code == 2 and "--out '/proc/nope': could not create the folder" in err, err


@pytest.mark.parametrize("labels, words", [
    (["1", "0"], "gives class 0 the name '1'"),
    (["0", "2"], "gives class 1 the name '2'"),
    (["0", "0"], "The --labels option names one class twice: '0' and '0'"),
    (["neg", "index:1"], "names a class 'index:1': 'index:' and 'label:' are reserved prefixes"),
    (["LABEL:pos", "neg"], "names a class 'LABEL:pos': 'index:' and 'label:' are reserved prefixes"),
])
def test_digit_label_names_must_be_their_own_index(tmp_path, capsys, labels, words):
    """F4: `--labels 1 0` would read a data label 1 as class 1 (index) and as class 0 (name): refused before the data is
    read (--base does not exist), naming both readings; F15: the message names --labels, not label_names."""
    code, err = run(capsys, "train", "--train", "rotten_tomatoes", "--base", str(tmp_path / "no-base"),
                    "--out", str(tmp_path / "o"), "--labels", *labels)
    assert code == 2 and words in err and "label_names" not in err, err
    if labels == ["1", "0"]:
        assert "as class 1 (the index) and as class 0 (the name)" in err and "neg pos" in err


def test_the_api_refuses_swapped_digit_names_and_accepts_their_own_indices(tmp_path):
    from faithlens.training import check_label_names, fine_tune

    check_label_names(["0", "1"])
    check_label_names(["neg", "pos", "2"])
    with pytest.raises(FaithlensError, match="'label_names' parameter of fine_tune gives class 0 the name '1'"):
        fine_tune(base_model=tmp_path / "no-base", train=(["a", "b"], [0, 1]), validation=([], []), test=([], []),
                  out_dir=tmp_path / "o", label_names=["1", "0"])


def test_more_label_names_than_classes_are_refused(saved_tiny, tmp_path, capsys, no_training):
    """F5: three names on data of two classes would make a 3-class model; refused like too few names."""
    code, err = run(capsys, "train", "--train", _two_class_tsv(tmp_path), "--base", str(saved_tiny),
                    "--out", str(tmp_path / "o"), "--labels", "a", "b", "c")
    assert code == 2 and "The data has 2 classes (labels 0..1) but 3 label names were given" in err, err
    assert "--labels a b." in err


def test_a_subset_larger_than_the_data_is_noted(saved_tiny, tmp_path, capsys):
    out = tmp_path / "o"
    code, err = run(capsys, "train", "--train", _two_class_tsv(tmp_path), "--base", str(saved_tiny), "--out", str(out),
                    "--subset", "100", "--max-length", "16")
    assert code == 0 and "--subset 100 is not smaller than the 4 training examples; training on all 4" in err
    import json
    assert json.loads((out / "faithlens_model.json").read_text())["split_sizes"]["train"] == 4


@pytest.mark.parametrize("argv, words", [
    (["--lambda-g", "nan"], "'lambda_g' setting (--lambda-g) of the facade must be a number in [0, 1e+06]. Got nan"),
    (["--heldout", "-5"], "'heldout' setting (--heldout) of the facade must be a positive int. Got -5"),
    (["--eval-every", "0"], "'eval_every' setting (--eval-every)"),
    (["--width-divisor", "0"], "'width_divisor' setting (--width-divisor)"),
    (["--magnitude-from", "2"], "'magnitude_from' setting (--magnitude-from)"),
    (["--steps", "0"], "'steps' setting (--steps)"),
    (["--lr", "0"], "'lr' setting (--lr)"),
])
def test_facade_train_errors_name_the_options(tmp_path, capsys, argv, words):
    code, err = run(capsys, "facade", "train", "--model", str(tmp_path / "no-model"), "--out", str(tmp_path / "o"), *argv)
    assert code == 2 and words in err, err


@pytest.mark.parametrize("sub", ["train", "merge"])
def test_facade_out_unwritable_is_refused_before_loading(tmp_path, capsys, sub):
    more = ["--facade", str(tmp_path)] if sub == "merge" else []
    code, err = run(capsys, "facade", sub, "--model", str(tmp_path / "no-model"), *more, "--out", "/proc/nope")
    assert code == 2 and "--out '/proc/nope': could not create the folder" in err, err


def test_facade_train_help_describes_every_option_with_its_default(capsys):
    from faithlens.cli import build_parser, _commands

    facade = _commands(build_parser())["facade"]
    for name, parser in _commands(facade).items():
        for action in parser._actions:
            assert action.help, f"facade {name} {action.option_strings} has no description"
    with pytest.raises(SystemExit):
        main(["facade", "train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for words in ("--steps STEPS optimiser steps (default: 300)", "texts per step (default: 16)", "(default: 64)",
                  "learning rate (Adam) (default: 0.0001)", "(default: 50)", "(default: random weights)",
                  "seed of g's initialisation and the batches (default: 0)"):
        assert words in text, words


def test_a_max_length_with_no_room_for_a_text_token_is_refused(saved_tiny, tmp_path, capsys):
    """Issue 22: --max-length 1 kept only [CLS]: every example trained on nothing. BERT adds 2 special tokens to a text
    (3 to a pair), so 3 (4 for pairs) is the least useful value."""
    from tiny import tiny

    from faithlens.training import check_model_length

    data = tmp_path / "t.tsv"
    data.write_text("sentence\tlabel\ngood film\t1\nbad\t0\nfun\t1\nawful\t0\n", encoding="utf-8")
    code, err = run(capsys, "train", "--train", str(data), "--base", str(saved_tiny), "--out", str(tmp_path / "o"),
                    "--max-length", "1")
    assert code == 2 and "adds 2 special tokens to each text" in err and "--max-length 3 or more" in err, err
    m = tiny("bert")
    check_model_length(m.tokenizer, m.model.config, 3, pairs=False)
    check_model_length(m.tokenizer, m.model.config, 5, pairs=True)
    with pytest.raises(FaithlensError, match="adds 3 special tokens to each pair.*--max-length 5 or more"):
        check_model_length(m.tokenizer, m.model.config, 4, pairs=True)


def _squad(tmp_path, n=3):
    import json

    context = "Ann wrote the book in Paris in 1901."
    path = tmp_path / "squad.json"
    path.write_text(json.dumps({"data": [{"title": "Books", "paragraphs": [{"context": context, "qas": [
        {"id": f"q{i}", "question": "Who wrote the book?", "answers": [{"text": "Ann", "answer_start": 0}]}
        for i in range(n)]}]}]}))
    return str(path)


@pytest.fixture(scope="module")
def saved_qa(tmp_path_factory):
    from tiny import save_tiny

    return save_tiny(tmp_path_factory.mktemp("tiny-qa"), "bert_qa")


def test_a_qa_subset_larger_than_the_data_is_noted(saved_qa, tmp_path, capsys):
    """I6: --subset reads one rule for both tasks: not smaller than the data, a note says all are used."""
    import json

    out = tmp_path / "o"
    code, err = run(capsys, "train", "--task", "qa", "--train", _squad(tmp_path), "--base", str(saved_qa), "--out",
                    str(out), "--subset", "10", "--max-length", "32", "--stride", "8", "--epochs", "1")
    assert code == 0 and "--subset 10 is not smaller than the 3 training questions; training on all 3" in err, err
    assert json.loads((out / "faithlens_model.json").read_text())["split_sizes"]["train"] == 3
    code, err = run(capsys, "train", "--task", "qa", "--train", _squad(tmp_path), "--base", str(saved_qa), "--out",
                    str(tmp_path / "o2"), "--subset", "2", "--max-length", "32", "--stride", "8", "--epochs", "1")
    info = json.loads((tmp_path / "o2" / "faithlens_model.json").read_text())
    assert code == 0 and "note" not in err and info["split_sizes"]["train"] == 2
    assert info["dataset"]["subset"] == "seeded subset (seed 0) of 2 of 3 examples"


@pytest.mark.parametrize("argv", [["--max-length", "8"], ["--max-length", "1000"], ["--max-length", "64"],
                                  ["--max-length", "12", "--stride", "4"], ["--max-length", "32", "--stride", "32"],
                                  ["--stride", "384"]])
def test_the_qa_length_suggestion_works_when_applied(saved_qa, tmp_path, capsys, argv):
    """I7: --max-length 8 suggested --stride 2, which the question's room refused next; each suggestion now passes
    every check (the questions' room and the base model's 64 positions) when applied as given."""
    import re

    base = ["train", "--task", "qa", "--train", _squad(tmp_path), "--base", str(saved_qa), "--epochs", "1"]
    code, err = run(capsys, *base, "--out", str(tmp_path / "a"), *argv)
    assert code == 2 and not (tmp_path / "a" / "faithlens_model.json").exists(), err
    given = dict(zip(argv[::2], argv[1::2]))
    stride, length = int(given.get("--stride", 128)), int(given.get("--max-length", 384))  # the CLI's defaults for qa
    named = f"The --stride {stride} " if "--stride" in given else f"The default --stride {stride} (not given"
    assert (f"{named}" in err and f"must be smaller than --max-length {length}." in err) == (stride >= length), err
    assert "The --stride" not in err or "--stride" in given, err  # a stride never given is named as the default
    offered = re.split(r"(?:stride \d+|positions)\. ", err)[-1].rstrip().rstrip(".")
    tried = 0
    for n, choice in enumerate(re.split(r", (?:or )?", offered)):  # e.g. 'lower the stride below 56 (e.g. --stride 28)'
        values = re.sub(r"below \d+ \(e\.g\. |to at least ", "", choice)
        suggested = dict(re.findall(r"(--max-length|--stride) (\d+)", values))
        if not suggested:
            assert choice.lower().startswith("shorten the question"), err
            continue
        settings = dict(given, **suggested)
        applied = [x for pair in settings.items() for x in pair]
        code, said = run(capsys, *base, "--out", str(tmp_path / f"b{n}"), *applied)
        assert code == 0, (applied, said)
        tried += 1
    assert tried >= 1, err
@pytest.mark.parametrize("out_dir", ["", "  "])
def test_an_empty_out_dir_is_refused_not_read_as_the_current_folder(tmp_path, monkeypatch, out_dir):
    """Issue 22, H5: Path('') is '.', which fine_tune would fill; the API refuses it as the CLI refuses --out ''."""
    from faithlens.training import fine_tune, fine_tune_qa

    monkeypatch.chdir(tmp_path)
    with pytest.raises(FaithlensError, match="The 'out_dir' of fine_tune was given an empty path"):
        fine_tune(base_model=tmp_path / "no-base", train=(["a", "b"], [0, 1]), validation=([], []), test=([], []),
                  out_dir=out_dir, label_names=["neg", "pos"])
    with pytest.raises(FaithlensError, match="The 'out_dir' of fine_tune_qa was given an empty path"):
        fine_tune_qa(base_model=tmp_path / "no-base", train=[object()], test=[], out_dir=out_dir)
    assert list(tmp_path.iterdir()) == []


def test_the_api_evaluate_names_its_out_parameter(saved_tiny, tmp_path, monkeypatch):
    """Issue 22, H5: evaluate(out='') from Python names the parameter, not the CLI's --out."""
    from faithlens.data import read_file
    from faithlens.evaluate.run import evaluate
    from faithlens.model import load_model

    data = tmp_path / "d.tsv"
    data.write_text("text\tlabel\ngood film\t1\nbad film\t0\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FaithlensError) as info:
        evaluate(load_model(str(saved_tiny)), read_file(str(data)), methods=["occlusion"], out="", progress=False)
    message = str(info.value)
    assert "The 'out' parameter of evaluate was given an empty path; expected a folder, e.g. out='runs/my-run'" in message
    assert "--out" not in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.tsv"]


@pytest.mark.parametrize("task", ["classification", "qa"])
def test_max_length_past_the_positions_is_refused_before_the_weights_are_read(saved_tiny, tmp_path, capsys, task):
    """The base model's positions come from its config: a --max-length past them is refused before the weights
    load (a large base takes minutes to read). The copy's weights file is garbage, so reading it would fail first."""
    import json
    import shutil

    base = tmp_path / "base"
    shutil.copytree(saved_tiny, base)
    for weights in [*base.glob("*.safetensors"), *base.glob("*.bin")]:
        weights.write_bytes(b"not weights")
    positions = json.loads((base / "config.json").read_text())["max_position_embeddings"]
    if task == "qa":
        data = _squad(tmp_path)
    else:
        data = tmp_path / "t.tsv"
        data.write_text("sentence\tlabel\ngood film\t1\nbad\t0\nfun\t1\nawful\t0\n", encoding="utf-8")
    code, err = run(capsys, "train", "--task", task, "--train", str(data), "--base", str(base), "--out",
                    str(tmp_path / "o"), "--max-length", str(positions + 1), *(["--stride", "2"] if task == "qa" else []))
    assert code == 2 and f"longer than the base model's {positions} positions" in err, err
    code, err = run(capsys, "train", "--task", task, "--train", str(data), "--base", str(base), "--out",
                    str(tmp_path / "o"), "--max-length", str(positions), *(["--stride", "2"] if task == "qa" else []))
    assert code == 2 and "could not be loaded as a base encoder (SafetensorError" in err and "save or download" in err, err


@pytest.mark.parametrize("labels, cells", [(["-1", "1"], ("-1", "1")), (["0.0", "1.0"], ("0.0", "1.0"))])
def test_label_names_that_are_numbers_but_no_index_are_refused_saying_so(saved_tiny, tmp_path, capsys, no_training,
                                                                         labels, cells):
    """Seventh breaker A5: --labels -1 1 on data labelled -1/1 said "labels must be class indices or class names"
    though names were given: a number is never read as a name, which --labels could not change."""
    code, err = run(capsys, "train", "--train", "rotten_tomatoes", "--base", str(tmp_path / "no-base"),
                    "--out", str(tmp_path / "o"), "--labels", *labels)
    assert code == 2 and f"gives class 0 the name '{labels[0]}', a number that is not a class index" in err, err
    data = tmp_path / "neg.tsv"
    data.write_text(f"sentence\tlabel\nbad\t{cells[0]}\ngood film\t{cells[1]}\n", encoding="utf-8")
    if cells[0] == "0.0":  # issue 22 (tenth breaker F7): a whole number in any spelling reads as a class index
        with pytest.raises(AssertionError, match="fine_tune was called"):
            main(["train", "--train", str(data), "--base", str(saved_tiny), "--out", str(tmp_path / "o")])
        return
    code, err = run(capsys, "train", "--train", str(data), "--base", str(saved_tiny), "--out", str(tmp_path / "o"))
    assert code == 2 and f"has label '{cells[0]}', a number that is not a class index" in err
    assert ("rewrite them as 0 and 1" if cells[0] in ("-1", "-1.0") else "Rewrite the labels as class indices") in err


def test_a_class_with_no_example_is_refused_unless_named(saved_tiny, tmp_path, capsys, no_training):
    """Seventh breaker A6: labels {0, 2} made a 3-class model whose class 1 no example has, with no word."""
    data = tmp_path / "gap.tsv"
    data.write_text("sentence\tlabel\ngood film\t2\nbad\t0\nfun\t2\nawful\t0\n", encoding="utf-8")
    code, err = run(capsys, "train", "--train", str(data), "--base", str(saved_tiny), "--out", str(tmp_path / "o"))
    assert code == 2 and "The data's labels are 0, 2 (as class indices): class 1 has no example in any file" in err, err
    assert "Renumber the labels 0..1" in err and "pass --labels with 3 names" in err
    with pytest.raises(AssertionError, match="fine_tune was called"):  # three names: the empty class is meant
        main(["train", "--train", str(data), "--base", str(saved_tiny), "--out", str(tmp_path / "o"),
              "--labels", "neg", "mid", "pos"])
    assert "warning: class 1 has no example in any file" in capsys.readouterr().err


def test_labels_differing_only_in_case_are_named(saved_tiny, tmp_path, capsys, no_training):
    """Issue 22 F7 (ninth breaker): labels pos, neg, POS were reported as "class indices 1, 2: class 0 has no example";
    the file has no numbers. The case clash is named with its lines and the two fixes; --labels matches any case."""
    from faithlens.data import read_file

    data = tmp_path / "d.tsv"
    data.write_text("text\tlabel\ngood\tpos\nbad\tneg\ngreat\tPOS\n", encoding="utf-8")
    code, err = run(capsys, "train", "--train", str(data), "--base", str(saved_tiny), "--out", str(tmp_path / "o"))
    assert code == 2 and "spells one label in different cases: 'pos' (line 2) and 'POS' (line 4)" in err, err
    assert "--labels NAME" in err and "class indices" not in err
    assert read_file(data, label_names=["neg", "pos"]).labels == (1, 0, 1)


# --- ninth breaker (F5): seed options that would do nothing, and one range for every seed -------------------------

@pytest.mark.parametrize("argv, words", [
    (["train", "--train", "rotten_tomatoes", "--subset-seed", "5"], "--subset-seed 5 seeds the --subset draw; without "
                                                                    "--subset"),
    (["train", "--task", "qa", "--train", "x.json", "--split-seed", "5"], "--split-seed 5 seeds the --holdout split"),
    (["train", "--train", "rotten_tomatoes", "--split-seed", "0"], "--split-seed 0 seeds the --holdout split"),
    (["audit", "--data", "rotten_tomatoes", "--split-seed", "7"], "Drop it, or pass --holdout."),
    (["facade", "saliency", "--split-seed", "3"], "--split-seed 3 seeds the --holdout split"),
    (["facade", "train", "--split-seed", "3"], "--split-seed 3 seeds the --holdout split"),
])
def test_a_seed_of_a_draw_not_asked_for_is_refused(tmp_path, capsys, argv, words):
    out = tmp_path / "out"
    code, err = run(capsys, *argv, *(["--out", str(out)] if argv[0] in ("train", "facade") else []))
    assert code == 2 and words in err, err
    assert not out.exists()


@pytest.mark.parametrize("argv", [
    ["train", "--train", "rotten_tomatoes", "--holdout", "0.5", "--split-seed", "-1"],
    ["train", "--train", "rotten_tomatoes", "--holdout", "0.5", "--split-seed", "99999999999999999999"],
    ["train", "--train", "rotten_tomatoes", "--subset", "3", "--subset-seed", "-5"],
    ["audit", "--holdout", "0.5", "--split-seed", str(2**32)],
    ["facade", "saliency", "--holdout", "0.5", "--split-seed", "-1"],
])
def test_every_seed_option_has_the_range_of_seed(tmp_path, capsys, argv):
    with pytest.raises(SystemExit) as info:
        main([*argv, *(["--out", str(tmp_path / "out")] if argv[0] in ("train", "facade") else [])])
    assert info.value.code == 2
    assert "expected an int in [0, 4,294,967,295]" in capsys.readouterr().err


def test_every_seed_option_of_every_command_reads_one_rule():
    from faithlens.cli import _commands, build_parser
    from faithlens.options import seed_arg

    found, parsers = [], [build_parser()]
    while parsers:
        parser = parsers.pop()
        parsers += _commands(parser).values()
        found += [(parser.prog, a.option_strings[0]) for a in parser._actions
                  if any(o.endswith("seed") for o in a.option_strings) and a.type is not seed_arg]
    assert found == []


def test_the_split_functions_refuse_a_seed_out_of_range():
    from faithlens.splits import group_holdout, holdout_split

    assert holdout_split(4, 0.5, 3) == holdout_split(4, 0.5, 3)
    for seed in (-1, 2**32, 1.5, "3"):
        with pytest.raises(FaithlensError, match="'seed' parameter must be an int"):
            holdout_split(4, 0.5, seed)
        with pytest.raises(FaithlensError, match="'seed' parameter must be an int"):
            group_holdout(["a", "b"], 0.5, seed)


def test_a_qa_max_length_too_short_for_the_default_stride_names_it_as_the_default(saved_qa, tmp_path, capsys):
    """Ninth breaker: `train --task qa --max-length 8` blamed "--stride (128)", an option the user never gave; the
    refusal names the default stride and offers a --stride that works with it (tried here; with the tiny base's 64
    positions the fix names them, with room it is a smaller --stride: test_qa.check_windows below)."""
    import re

    base = ["train", "--task", "qa", "--train", _squad(tmp_path), "--base", str(saved_qa), "--epochs", "1"]
    code, err = run(capsys, *base, "--out", str(tmp_path / "a"), "--max-length", "8")
    assert code == 2 and "The default --stride 128 (not given" in err and "The --stride" not in err, err
    assert "max_length" not in err and "stride=" not in err, err  # qa.check_windows' Python words put as options
    fix = re.search(r"--max-length (\d+) and --stride (\d+)", err)  # tiny base: 64 positions, so a --stride with it
    assert fix is not None, err
    code, err = run(capsys, *base, "--out", str(tmp_path / "b"), "--max-length", fix[1], "--stride", fix[2])
    assert code == 0, err


@pytest.mark.parametrize("argv", [["train", "--train", "rotten_tomatoes"], ["facade", "train"],
                                  ["facade", "merge", "--facade", "f"], ["facade", "regularise"]])
def test_a_model_folder_cannot_be_standard_output(tmp_path, capsys, monkeypatch, argv):
    """`train --out -` made a folder named '-': every model-folder writer refuses it, before any work."""
    monkeypatch.chdir(tmp_path)
    code, err = run(capsys, *argv, "--out", "-")
    assert code == 2 and "--out - names standard output, but this option writes a model, a folder of files" in err, err
    assert not (tmp_path / "-").exists()
    from faithlens.files import check_new_folder

    with pytest.raises(FaithlensError, match="The 'out_dir' of fine_tune '-' names standard output"):
        check_new_folder("-", option="The 'out_dir' of fine_tune", flag="overwrite=True")


def test_windows_too_short_for_the_default_stride_offer_a_smaller_one():
    """qa.check_windows with stride=None (not given): named as the default, and a smaller --stride offered beside a
    larger --max-length when the base has the positions for both."""
    from faithlens.qa import QAExample, check_windows
    from tiny import tiny

    tokenizer = tiny("bert_qa").tokenizer
    question = QAExample("q", "T", "who is it ?", "a b c d e f", ("a",), 0)
    with pytest.raises(FaithlensError) as info:
        check_windows(tokenizer, [question], max_length=8, stride=None)
    said = str(info.value)
    assert said.startswith("The default stride=128 (not given") and "not more than the default stride 128" in said
    assert "--" not in said  # Python words: the CLI puts them as options (cli.cli_words)
    import re

    fix = re.search(r"pass a smaller stride with it \(max_length=(\d+) and stride=(\d+)\)", said, re.I)
    assert fix is not None, said
    length, stride = int(fix[1]), int(fix[2])
    assert stride < 128 and length < 128
    check_windows(tokenizer, [question], max_length=length, stride=stride)  # the suggestion passes
    with pytest.raises(FaithlensError, match=r"^The stride=128 must be smaller than max_length=8\. "):
        check_windows(tokenizer, [question], max_length=8, stride=128)
