"""Issue 22, eleventh breaker F13 and F2: what the command line prints is in its own words.

F13: a FaithlensWarning printed by the CLI showed faithlens's source path and a line of its code
(``.../commands/explain.py:193: FaithlensWarning: ...``); every command now prints it as ``faithlens: warning: MESSAGE``,
one line, in the command's option names (`cli._run`), while the Python API keeps Python's warnings.
F2: an error suggested ``label_column='NAME'`` on explain, which has no --label-column; a fix through a column option
the command lacks is dropped (`cli.cli_words`), each other one put as the command's option.
"""

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from faithlens.cli import _commands, _options_of, build_parser, cli_words, main
from faithlens.columns import check_distinct_columns, find_columns
from faithlens.errors import FaithlensError, FaithlensWarning

SRC = Path(__file__).resolve().parents[1] / "src"


def run_cli(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    """`faithlens ARGV` in a fresh interpreter: warnings printed as a user sees them (pytest records them in-process)."""
    env = {**os.environ, "PYTHONPATH": str(SRC), "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    env.pop("PYTHONWARNINGS", None)
    return subprocess.run([sys.executable, "-m", "faithlens", *argv], capture_output=True, text=True, timeout=300,
                          cwd=cwd, env=env)


def test_a_warning_on_the_command_line_is_one_line_without_a_source_path(saved_tiny, tmp_path):
    (tmp_path / "x.jsonl").write_text('{"text": "a fine film", "extra": 1}\n', encoding="utf-8")
    done = run_cli("explain", "--model", str(saved_tiny), "--file", "x.jsonl", "--method", "occlusion",
                   "--no-faithfulness", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stderr.splitlines() if line.strip()]
    assert said == ["faithlens: warning: --file x.jsonl is read by columns: explain reads the single texts of the column "
                    "'text'; the column 'extra' is not read. If one holds the second text of each pair, pass "
                    "--pair-column NAME (and --text-column NAME for the first)."], done.stderr
    assert "FaithlensWarning" not in done.stderr and ".py:" not in done.stderr


def test_evaluate_warns_in_its_options_and_audit_without_an_option_it_lacks(saved_tiny, tmp_path):
    """The reader's warning says label_column='NAME' (Python); evaluate has --label-column, audit has none."""
    (tmp_path / "d.csv").write_text("text,mark\ngood film,1\nbad film,0\n", encoding="utf-8")
    done = run_cli("evaluate", "--model", str(saved_tiny), "--data", "d.csv", "--methods", "occlusion", "--no-random",
                   "--no-curves", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stderr.splitlines() if "warning" in line.lower()]
    assert len(said) == 1 and said[0].startswith("faithlens: warning: No label column in 'd.csv'"), done.stderr
    assert said[0].endswith("the column 'mark' is not read. If one holds the labels, pass --label-column NAME.")
    audit = {o for o in _options_of(_commands(build_parser())["audit"])}
    assert cli_words(str(_warned(tmp_path / "d.csv")), audit).endswith("the column 'mark' is not read.")


def _warned(path: Path) -> Warning:
    from faithlens.data import read_file

    with pytest.warns(FaithlensWarning) as caught:
        read_file(path)
    return caught[0].message


def test_the_python_api_keeps_pythons_warnings(tmp_path):
    """Outside the CLI a FaithlensWarning is an ordinary warning, with its place: only `cli.main` formats it."""
    (tmp_path / "d.csv").write_text("text,mark\ngood film,1\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", "from faithlens.data import read_file; read_file('d.csv')"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(SRC)})
    assert done.returncode == 0 and "FaithlensWarning: No label column" in done.stderr, done.stderr
    assert "faithlens: warning" not in done.stderr


def test_main_leaves_the_warning_format_as_it_found_it(saved_tiny, tmp_path, capsys):
    before = warnings.formatwarning
    (tmp_path / "x.jsonl").write_text('{"text": "a fine film", "extra": 1}\n', encoding="utf-8")
    with pytest.warns(FaithlensWarning, match="'extra' is not read"):  # a caller recording warnings still gets them
        assert main(["explain", "--model", str(saved_tiny), "--file", str(tmp_path / "x.jsonl"), "--method",
                     "occlusion", "--no-faithfulness"]) == 0
    assert warnings.formatwarning is before
    assert main(["explain", "--model", str(tmp_path / "none"), "--text-column", "a", "x"]) == 2
    assert warnings.formatwarning is before
    capsys.readouterr()


@pytest.fixture(scope="module")
def options():
    commands = _commands(build_parser())
    return {name: _options_of(commands[name]) for name in ("explain", "evaluate", "audit", "train")}


def _error(**kwargs) -> str:
    with pytest.raises(FaithlensError) as info:
        kwargs.pop("check", find_columns)(**kwargs)
    return str(info.value)


def test_a_pair_fix_is_dropped_where_the_command_has_no_pair_column(options):
    """A command with no --pair-column (audit) is offered only what it has; evaluate and train have --pair-column."""
    said = _error(columns=["premise", "hypothesis", "label"], text_column=None, label_column="hypothesis",
                  pair_column=None, source="p.csv")
    assert "pair_column='NAME' with the column of the second text of each pair or label_column='NAME'" in said
    assert "--pair-column" not in cli_words(said, options["audit"])
    for command in ("evaluate", "train"):
        assert "--pair-column NAME with the column of the second text of each pair or --label-column NAME" in \
            cli_words(said, options[command])


def test_a_text_column_fix_is_exact_and_dropped_where_there_is_no_text_column_option(options):
    said = _error(columns=["premise"], text_column=None, label_column=None, pair_column=None, source="n.jsonl")
    assert said.endswith("'premise' is one text of a premise/hypothesis pair, and there is no 'hypothesis' column. "
                         "Name the column of the texts 'text', or pass text_column='premise'.")
    assert cli_words(said, options["explain"]).endswith("Name the column of the texts 'text', or pass --text-column premise.")
    assert cli_words(said, options["audit"]).endswith("there is no 'hypothesis' column. Name the column of the texts 'text'.")
    said = _error(columns=["question1", "question2"], text_column=None, label_column=None, pair_column=None, source="q")
    assert cli_words(said, options["explain"]).endswith(
        "Name the column of the texts 'text', or pass --text-column NAME. If 'question1' and 'question2' hold the two "
        "texts of a pair, pass --text-column question1 and --pair-column question2.")
    assert cli_words(said, options["evaluate"]).endswith("If 'question1' and 'question2' hold the two texts of a pair, "
                                                         "pass --text-column question1 and --pair-column question2.")
    assert cli_words(said, options["audit"]).endswith("Got columns ['question1', 'question2']. Name the column of "
                                                      "the texts 'text'.")


def test_distinct_columns_from_train_keep_every_fix(options):
    with pytest.raises(FaithlensError) as info:
        check_distinct_columns(text="a", pair=None, label="a")
    said = cli_words(str(info.value), options["train"])
    assert "Pass --text-column NAME with the column of the text of each example or --label-column NAME" in said
    assert "_column" not in said
