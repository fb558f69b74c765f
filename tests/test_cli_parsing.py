"""Issue 22, kind 4: options match by their full name only, a faithlens option given after the command is named as
such, and options of another task (--answer, --target-text, --max-new-tokens) are refused with the model's task named."""

import pytest

from faithlens.cli import build_parser, main


def parser_tree(parser):
    yield parser
    for action in parser._actions:
        for sub in getattr(action, "choices", None).values() if isinstance(getattr(action, "choices", None), dict) else ():
            yield from parser_tree(sub)


def test_every_parser_refuses_prefixes():
    parsers = list(parser_tree(build_parser()))
    assert len(parsers) >= 14  # faithlens, its 7 commands, facade's 6 subcommands
    assert all(p.allow_abbrev is False for p in parsers)


@pytest.mark.parametrize("argv, words", [
    (["explain", "good", "--device", "cuda"], "--device belongs to faithlens itself"),
    (["explain", "good", "--threads", "2"], "--threads belongs to faithlens itself"),
    (["explain", "good", "--meth", "occlusion"], "unrecognized arguments: --meth"),
    (["explain", "good", "--target-t", "x"], "unrecognized arguments: --target-t"),
    (["facade", "train", "--init", "x", "--out", "y"], "unrecognized arguments: --init"),
    (["train", "--train", "x.tsv", "--out", "y", "--max-len", "8"], "unrecognized arguments: --max-len"),
])
def test_prefixes_are_not_read_as_options(capsys, argv, words):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2 and words in capsys.readouterr().err


def test_a_global_option_before_the_command_still_works(capsys):
    assert main(["--threads", "1", "explain", "good", "--model", "/no/such/model"]) == 2
    assert "no such folder" in capsys.readouterr().err


@pytest.mark.parametrize("argv, words", [
    (["--answer", "good"], "--answer sets a QA model's answer"),
    (["--target-text", " good"], "--target-text sets a causal language model's continuation"),
    (["--max-new-tokens", "3"], "--max-new-tokens sets a causal language model's generated continuation"),
])
def test_options_of_another_task_are_refused_on_a_classifier(saved_tiny, capsys, argv, words):
    assert main(["explain", "good film", "--model", str(saved_tiny), "--method", "occlusion", *argv]) == 2
    err = capsys.readouterr().err
    assert words in err and "single-label classification" in err and "--target LABEL" in err


def test_target_text_with_max_new_tokens_is_refused_before_loading(capsys):
    assert main(["explain", "Hello", "--model", "/no/such/lm", "--target-text", " x", "--max-new-tokens", "3"]) == 2
    assert "Pass one of them" in capsys.readouterr().err
