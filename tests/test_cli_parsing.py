"""Issue 22, kind 4: options match by their full name only, a faithlens option given after the command is named as
such, and options of another task (--answer, --target-text, --max-new-tokens) are refused with the model's task named."""

import shlex

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
    (["--target-side"], "--target-side sets the generated tokens' side"),  # said "Drop --per-token" (not given)
])
def test_options_of_another_task_are_refused_on_a_classifier(saved_tiny, capsys, argv, words):
    assert main(["explain", "good film", "--model", str(saved_tiny), "--method", "occlusion", *argv]) == 2
    err = capsys.readouterr().err
    assert words in err and "single-label classification" in err and "--target LABEL" in err


def test_target_text_with_max_new_tokens_is_refused_before_loading(capsys):
    assert main(["explain", "Hello", "--model", "/no/such/lm", "--target-text", " x", "--max-new-tokens", "3"]) == 2
    assert "Pass one of them" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--method", "occlusion", "good film"], ["--method", "ig", "occlusion", "a dull plot"],
                                  ["--method", "occlusion", "fine"]])
def test_a_text_after_method_is_named_as_not_a_method(saved_tiny, capsys, argv):
    assert main(["explain", "--model", str(saved_tiny), *argv]) == 2
    err = capsys.readouterr().err
    assert f"{argv[-1]!r} is not a method" in err and "put the texts before --method" in err
    assert f"{shlex.quote(argv[-1])} --method {' '.join(argv[1:-1])}" in err  # the methods given, all of them
    assert "No text" not in err


def test_the_suggested_double_dash_works(saved_tiny, capsys):
    assert main(["explain", "--model", str(saved_tiny), "--method", "occlusion", "--json", "--", "good film"]) == 0
    assert '"text": "good film"' in capsys.readouterr().out
    assert main(["explain", "good film", "--model", str(saved_tiny), "--method", "limes"]) == 2  # a typo, text given
    assert "'limes' is not a method; did you mean 'lime'?" in capsys.readouterr().err


@pytest.mark.parametrize("argv, words", [
    (["--method", "x", "explain"], "--method is an option of the 'explain' command, given before the command"),
    (["--threads", "1", "--method", "x", "explain", "good"], "e.g. faithlens explain ... --method x"),
    (["--steps=3", "evaluate"], "--steps is an option of the 'evaluate' command"),
    (["--method", "x"], "--method is an option of a command"),
])
def test_a_command_option_before_the_command_says_where_options_go(capsys, argv, words):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and "Only --threads and --device come before it" in err


def test_cli_errors_name_the_options_not_python_parameters(saved_tiny, capsys):
    from faithlens.cli import cli_words

    assert main(["explain", "good", "--model", str(saved_tiny), "--method", "occlusion", "--per-token"]) == 2
    err = capsys.readouterr().err
    assert "--per-token attributes" in err and "Drop --per-token." in err and "per_token" not in err
    assert main(["explain", "good", "--model", str(saved_tiny), "--method", "smoothgrad", "--samples", "0"]) == 2
    assert "'n_samples' parameter (--samples)" in capsys.readouterr().err
    options = {"--out", "--per-token", "--max-new-tokens"}
    assert cli_words("The 'out_dir' of fine_tune must be a folder.", options) == "--out must be a folder."
    assert cli_words("max_new_tokens=5 generates; Drop per_token=True.", options) == \
        "--max-new-tokens 5 generates; Drop --per-token."
    assert cli_words("The 'n_samples' parameter", options) == "The 'n_samples' parameter"  # no --samples here


@pytest.fixture(scope="module")
def other_tasks(tmp_path_factory):
    from tiny import save_tiny

    return {kind: str(save_tiny(tmp_path_factory.mktemp(kind), kind)) for kind in ("bert_qa", "gpt2_lm")}


@pytest.mark.parametrize("kind, item, instead", [
    ("gpt2_lm", ["The capital is"], "--target-text TEXT (the continuation"),
    ("bert_qa", ["--pair", "Who wrote it?", "Ann wrote it."], "--answer TEXT (a substring of the context)"),
])
def test_target_is_a_classifier_option_on_every_model(other_tasks, capsys, kind, item, instead):
    assert main(["explain", *item, "--model", other_tasks[kind], "--method", "occlusion", "--target", " Paris"]) == 2
    err = capsys.readouterr().err
    assert "--target names a classifier's class" in err and instead in err


# --- issue 22 F12, F15 and minors ----------------------------------------------------------------------

def test_random_without_the_faithfulness_check_is_refused_before_loading(capsys):
    assert main(["explain", "great fun", "--model", "/no/such/model", "--method", "occlusion", "--random", "5",
                 "--no-faithfulness"]) == 2
    err = capsys.readouterr().err
    assert "n_random=5 (CLI --random 5) sets how many random word orderings" in err
    assert "Drop n_random (CLI --random), or turn the check on (faithfulness=True; CLI: drop --no-faithfulness)" in err


def test_scores_with_json_is_refused_before_loading(capsys):
    """--scores lays out the terminal view, which --json does not print: it would do nothing (issue 22, E4)."""
    assert main(["explain", "great fun", "--model", "/no/such/model", "--method", "occlusion", "--json", "--scores"]) == 2
    err = capsys.readouterr().err
    assert "--scores would do nothing" in err and "Drop --scores, or drop --json" in err


@pytest.mark.parametrize("argv, words", [
    (["--thr", "1", "explain", "good"], "--thr is not an option of faithlens (did you mean --threads?)"),
    (["--thr=1", "explain", "good"], "--thr is not an option of faithlens (did you mean --threads?)"),
    (["--bogus", "explain", "good"], "--bogus is not an option of faithlens. Only --threads and --device"),
])
def test_an_unknown_option_before_the_command_is_named(capsys, argv, words):
    """Not argparse's "argument COMMAND: invalid choice: '1'" (issue 22, E5)."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and "invalid choice" not in err


def test_messages_name_the_python_parameter_and_each_methods_cost():
    """load_model names name_or_path=, not --model; steps='AUTO' names 'auto'; a sample's cost is the method's own (E5)."""
    import faithlens
    from faithlens.errors import FaithlensError
    from faithlens.options import check_settings, check_steps

    with pytest.raises(FaithlensError, match=r"name_or_path='\./no-such-model': no such folder"):
        faithlens.load_model("./no-such-model")
    with pytest.raises(FaithlensError, match=r"must be a positive int, or 'auto' .* Got str 'AUTO'"):
        check_steps("AUTO")
    with pytest.raises(FaithlensError) as shapley:
        check_settings(["shapley"], {"n_samples": 5000}, strict=False)
    assert "N - 1 forward passes for N words, no backward pass" in str(shapley.value) and "and backward" not in str(shapley.value)
    with pytest.raises(FaithlensError, match="A sample of smoothgrad is a noisy copy of the text: one forward and backward"):
        check_settings(["smoothgrad"], {"n_samples": 5000}, strict=False)


def test_the_api_warns_of_n_random_without_the_check():
    """Twelfth breaker N11: as every setting that does nothing in explain(), a warning and an "Ignored:" line."""
    from tiny import tiny

    from faithlens import Explainer
    from faithlens.errors import FaithlensWarning

    with pytest.warns(FaithlensWarning, match="Ignored: n_random=5 .*sets how many random word orderings.*faithfulness=False"):
        e = Explainer(tiny("bert")).explain("great fun", "occlusion", n_random=5)
    assert e.faithfulness is None and any(w.startswith("Ignored: n_random=5") for w in e.warnings)


@pytest.mark.parametrize("option", ["--target", "--answer", "--contrast"])
def test_a_target_option_given_twice_is_refused(capsys, option):
    with pytest.raises(SystemExit) as exit_:
        main(["explain", "good", "--method", "occlusion", option, "positive", option, "negative"])
    assert exit_.value.code == 2
    assert f"{option} was given twice ('positive', then 'negative')" in capsys.readouterr().err


def test_explain_messages_name_cli_options_and_read_well(saved_tiny, other_tasks, capsys):
    assert main(["explain", "--pair", "Who wrote it?", "Ann wrote it.", "--model", other_tasks["bert_qa"], "--method",
                 "occlusion", "--contrast", "x"]) == 2
    err = capsys.readouterr().err
    assert "CLI --contrast" in err and "CLI --answer TEXT" in err and "an extractive question answering model" in err
    assert main(["explain", "good", "--model", str(saved_tiny), "--method", "occlusion", "--baseline", "eos"]) == 2
    err = capsys.readouterr().err
    assert "baseline='zero' (CLI --baseline zero), or in explain a vocabulary token, --baseline-token TOKEN." in err, err
    assert err.count("--baseline-token") == 1
    assert main(["explain", "good", "--model", str(saved_tiny), "--method", "ig", "--mode", "closed"]) == 2
    err = capsys.readouterr().err
    assert "--mode closed does nothing for ig; it is read by sig." in err, err


@pytest.mark.parametrize("argv, expected", [
    (["explain", "good", "--method", "occlusion", "--method", "sig"],
     "--method was given twice; list several values after one --method: --method occlusion sig"),
    (["evaluate", "--methods", "ig", "lime", "--methods=sig"],
     "--methods was given twice; list several values after one --methods: --methods ig lime sig"),
    (["explain", "good", "--file", "a.txt", "--file", "b.txt"], "--file was given twice ('a.txt', then 'b.txt')"),
    (["evaluate", "--seed", "1", "--seed=2"], "--seed was given twice ('1', then '2'); it takes one value"),
    (["serve", "--model", "a", "--model", "b", "--port", "1", "--port", "2"], "--port was given twice ('1', then '2')"),
])
def test_an_option_given_twice_is_refused_before_any_work(capsys, argv, expected):
    """Issue 22: argparse kept the last value of a repeated option and dropped the first without a word."""
    assert main(argv) == 2
    assert expected in capsys.readouterr().err


@pytest.mark.parametrize("argv, option", [
    (["audit", "--html", ""], "--html"),  # was skipped as if absent: exit 0 and no report
    (["evaluate", "--out= "], "--out"),  # was read as the current folder
    (["explain", "good", "--method", "occlusion", ""], "--method"),
    (["facade", "train", "--init-from", ""], "--init-from"),
    (["serve", "--allow-host", ""], "--allow-host"),  # options meant to repeat too (was accepted)
    (["serve", "--model", "a", "--model", " "], "--model"),
])
def test_an_option_given_an_empty_value_is_refused_before_any_work(capsys, argv, option):
    assert main(argv) == 2
    assert f"{option} was given an empty value; give it a value (" in capsys.readouterr().err


def test_an_empty_text_after_the_options_is_not_an_empty_option():
    from faithlens.cli import _repeated_option

    assert _repeated_option(["explain", "--steps", "5", "--", ""], build_parser()) is None


def test_options_meant_to_repeat_and_texts_after_a_double_dash_are_not_counted():
    from faithlens.cli import _repeated_option

    parser = build_parser()
    assert _repeated_option(["serve", "--model", "a", "--model", "b", "--allow-host", "x", "--allow-host", "y"], parser) is None
    assert _repeated_option(["explain", "--steps", "5", "--", "--steps", "6"], parser) is None
    assert _repeated_option(["facade", "train", "--out", "a", "--out", "b"], parser) is not None


@pytest.mark.parametrize("option, value, words", [
    ("--steps", "5", "--steps 5 does nothing for occlusion"),
    ("--unit", "word", "--unit word does nothing for saliency"),
    ("--rule", "leja", "--rule leja does nothing for saliency"),
    ("--mode", "closed", "--mode closed does nothing for saliency"),
])
def test_a_setting_no_method_reads_is_named_as_typed(capsys, option, value, words):
    """Issue 22: the CLI said "steps=5 does nothing for occlusion", Python's words for an option typed as --steps 5."""
    method = "occlusion" if option == "--steps" else "saliency"
    assert main(["explain", "good", "--model", "/no/such/model", "--method", method, option, value]) == 2
    err = capsys.readouterr().err
    assert words in err and "=" not in err.split("error:")[1], err


def test_method_specs_keep_their_own_form():
    from faithlens.cli import cli_words

    message = "'sig:mode=closed,steps=5': closed-form SIG has no steps; mode='closed' ignores steps=5."
    assert cli_words(message, {"--mode", "--steps"}) == \
        "'sig:mode=closed,steps=5': closed-form SIG has no steps; --mode closed ignores --steps 5."


def test_seed_help_names_every_seeded_method(capsys):
    """Issue 22: the help named smoothgrad and gradient_shap only; shapley, kernel_shap, lime and random draw from it too."""
    from faithlens.methods import METHODS

    seeded = [name for name, m in METHODS.items() if m.random or name == "random"]
    assert {"smoothgrad", "gradient_shap", "shapley", "kernel_shap", "lime"} <= set(seeded)
    with pytest.raises(SystemExit):
        main(["explain", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    seed_help = help_text[help_text.index("--seed SEED seed"):][:400]
    assert all(name in seed_help for name in seeded) and "random word orderings" in seed_help


def test_small_messages_read_right(tmp_path, capsys):
    """Issue 22: --html "" said "'.' is a folder"; --warn-above inf said "≥ 0, got inf"; a SQuAD file whose top level
    is a list showed a TypeError."""
    assert main(["explain", "good", "--html", ""]) == 2  # one rule for every option's empty value
    assert "--html was given an empty value; give it a value (FILE, see --help) or drop --html." in capsys.readouterr().err
    assert main(["explain", "good", "--method", "occlusion", "--warn-above", "inf"]) == 2
    assert "must be a finite number ≥ 0" in capsys.readouterr().err
    (tmp_path / "l.json").write_text("[1, 2]")
    from faithlens.errors import FaithlensError
    from faithlens.qa import read_squad

    with pytest.raises(FaithlensError, match='must be a JSON object whose "data" is a list of articles. Got a JSON list'):
        read_squad(tmp_path / "l.json")


@pytest.mark.parametrize("argv, words", [
    (["--tolerance", "-1e-3"], "The 'tolerance' parameter (--tolerance) must be a number in (0, 1)"),
    (["--method", "smoothgrad", "--noise", "-inf"], "must be a positive number, e.g. 0.01. Got -inf."),
    (["--method", "smoothgrad", "--noise", "-nan"], "must be a positive number, e.g. 0.01. Got nan."),
    (["--method", "smoothgrad", "--noise", "-1E-3"], "must be a positive number, e.g. 0.01. Got -0.001."),
    (["--method", "smoothgrad", "--noise", "-0.1"], "must be a positive number, e.g. 0.01. Got -0.1."),
])
def test_a_negative_number_in_any_form_reaches_the_options_range_check(saved_tiny, capsys, argv, words):
    """Ninth breaker F11: argparse read -1e-3 and -inf as options ("expected one argument") while -0.1 got the range
    message; every number-like value of a one-value option now reaches the option's own check."""
    assert main(["explain", "--model", str(saved_tiny), "a text", *argv]) == 2
    err = capsys.readouterr().err
    assert words in err and "expected one argument" not in err, err


def test_joining_negative_values_leaves_lists_texts_and_options_alone():
    from faithlens.cli import _join_negative_values

    parser = build_parser()
    argv = ["train", "--labels", "-1", "1", "--lr", "-1e-3", "--out", "-inf"]
    assert _join_negative_values(argv, parser) == ["train", "--labels", "-1", "1", "--lr=-1e-3", "--out=-inf"]
    argv = ["explain", "--seed", "-5", "--", "--noise", "-1e3"]
    assert _join_negative_values(argv, parser) == ["explain", "--seed=-5", "--", "--noise", "-1e3"]
    assert _join_negative_values(["explain", "--noise", "--json"], parser) == ["explain", "--noise", "--json"]


@pytest.mark.parametrize("argv, words", [
    (["rationales", "sst2", "--tra", "x.tsv", "--data", "y.tsv", "--out", "z.jsonl"], "(did you mean --train?)"),
    (["explain", "good", "--meth", "occlusion"], "(did you mean --method?)"),
    (["facade", "saliency", "--meth=ig"], "(did you mean --methods?)"),
    (["evaluate", "--data", "d.tsv", "--meth", "ig"], "--meth is not an option: options are given by their full name"),
])
def test_a_shortened_option_is_named_with_the_full_one(capsys, argv, words):
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert words in capsys.readouterr().err
