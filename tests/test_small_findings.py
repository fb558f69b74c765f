"""Issue 22 (task yc): five smaller bad-input findings.

1. evaluate --out onto a saved model's folder wrote its results among the model's files: refused (`files`
   `check_output_folder`, via `model_source.refuse_model_folder`), for the CLI and the Python API; train still writes
   a model folder (it may replace one with --overwrite).
2. train --base M, M's labels ('1', '0'), on 0/1 data: the kept head's classes swapped meaning in silence. Refused with
   both readings named (`gold_labels.check_base_reading`); so are label names in another order than the base's.
3. A 5,000-character --answer or --target was echoed whole in its error: `errors.quoted` cuts it.
4. --limit larger than the data was accepted in silence: one FaithlensWarning says how many examples are used.
"""

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import torch

from faithlens import Explainer
from faithlens.cli import main
from faithlens.dataset import Dataset, select
from faithlens.errors import FaithlensError, FaithlensWarning, quoted
from faithlens.gold_labels import check_base_reading
from tiny import save_tiny, tiny, tiny_labelled

LONG = "x" * 5000


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    return save_tiny(tmp_path_factory.mktemp("tiny-cls"))


def data_file(tmp_path, rows, name="d.tsv"):
    path = tmp_path / name
    path.write_text("text\tlabel\n" + "".join(f"{t}\t{y}\n" for t, y in rows))
    return path


# --- 1. a folder of results that holds a saved model --------------------------------------------------------------

def test_evaluate_refuses_an_out_folder_holding_a_model_and_writes_nothing(saved, tmp_path, capsys):
    other = save_tiny(tmp_path / "other")
    before = sorted(p.name for p in other.iterdir())
    data = data_file(tmp_path, [("good film", 1), ("bad film", 0)])
    code = main(["evaluate", "--model", str(saved), "--data", str(data), "--methods", "ig", "--steps", "2",
                 "--out", str(other), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2
    assert "holds a saved model (config.json, model.safetensors)" in err and "Pick another folder" in err
    assert sorted(p.name for p in other.iterdir()) == before


def test_the_python_api_refuses_it_too(tmp_path):
    from faithlens.evaluate.run import evaluate

    other = save_tiny(tmp_path / "other")
    dataset = Dataset(("good film", "bad film"), (1, 0), source="mem")
    with pytest.raises(FaithlensError, match="The 'out' parameter of evaluate .* holds a saved model.*out='runs/my-run'"):
        evaluate(tiny(), dataset, methods=["ig"], steps=2, out=other, progress=False)
    assert not (other / "records.jsonl").exists()


def test_a_folder_with_only_a_config_or_other_files_is_a_results_folder(saved, tmp_path, capsys):
    out = tmp_path / "run"
    out.mkdir()
    (out / "config.json").write_text("{}")  # no weights: not a saved model
    data = data_file(tmp_path, [("good film", 1), ("bad film", 0)])
    assert main(["evaluate", "--model", str(saved), "--data", str(data), "--methods", "ig", "--steps", "2",
                 "--no-random", "--out", str(out), "--quiet", "--no-curves"]) == 0
    assert (out / "results.json").exists()


# --- 2. train --base whose label names read the data's numbers otherwise ------------------------------------------

def test_a_number_that_is_a_base_label_of_another_class_is_refused_naming_both_readings():
    with pytest.raises(FaithlensError) as e:
        check_base_reading(["1", "0"], spellings={"0": 3, "1": 2}, names=None, source="'d.tsv'", base="m")
    said = str(e.value)
    assert "the base's label name '0' (class 1)" in said and "the class index 0 (the base's label '1')" in said
    assert "index:1 for its label '0'" in said


@pytest.mark.parametrize("labels", [["0", "1"], ["negative", "positive"], ["2", "1"]])
def test_numbers_that_agree_with_the_base_pass(labels):
    check_base_reading(labels, spellings={"0": 2, "1": 3}, names=None, source="'d.tsv'", base="m")


def test_label_names_in_another_order_than_the_base_are_refused():
    with pytest.raises(FaithlensError, match=r"another order.*Pass --labels in the base's order \(positive negative\)"):
        check_base_reading(["positive", "negative"], spellings={}, names=["negative", "positive"], source="'d.tsv'",
                           base="m")
    check_base_reading(["positive", "negative"], spellings={}, names=["positive", "negative"], source="'d.tsv'",
                       base="m")


def save_labelled(folder, labels):
    m = tiny_labelled(labels)
    m.model.save_pretrained(folder)
    m.tokenizer.save_pretrained(folder)
    return folder


def test_train_refuses_01_data_on_a_base_labelled_1_0_before_any_model_loads(tmp_path, capsys):
    base = save_labelled(tmp_path / "base", ["1", "0"])
    data = data_file(tmp_path, [("good film", 1), ("bad film", 0), ("fine film", 1), ("dull film", 0)])
    code = main(["train", "--base", str(base), "--train", str(data), "--out", str(tmp_path / "o"), "--epochs", "1"])
    err = capsys.readouterr().err
    assert code == 2 and "reads two ways against the label names of --base" in err
    assert "the base's label name '1' (class 0) and the class index 1" in err
    assert not (tmp_path / "o").exists()


def test_train_refuses_given_labels_in_another_order_than_the_base(tmp_path, capsys):
    base = save_labelled(tmp_path / "base", ["positive", "negative"])
    data = data_file(tmp_path, [("good film", "positive"), ("bad film", "negative")])
    code = main(["train", "--base", str(base), "--train", str(data), "--labels", "negative", "positive",
                 "--out", str(tmp_path / "o"), "--epochs", "1"])
    assert code == 2 and "--labels negative positive names the classes of --base" in capsys.readouterr().err


# --- 3. long user values in errors ------------------------------------------------------------------------------------

def test_quoted_cuts_long_texts_and_names_their_length():
    assert quoted("short") == "'short'"
    assert quoted(LONG) == repr("x" * 57) + "... (5,000 characters)"
    assert quoted(list(range(1000))).endswith("...") and len(quoted(list(range(1000)))) == 60
    assert quoted(7) == "7"


def test_a_long_qa_answer_is_not_echoed_whole():
    qa = Explainer(tiny("bert_qa", dtype=torch.float64))
    with pytest.raises(FaithlensError) as e:
        qa.explain([("what?", "the film was good")], "occlusion", target=LONG)
    assert len(str(e.value)) < 300 and "(5,000 characters) does not occur in the context" in str(e.value)


@pytest.mark.parametrize("target", [LONG, "label:" + LONG, "index:" + LONG])
def test_a_long_target_is_not_echoed_whole(target):
    with pytest.raises(FaithlensError) as e:
        Explainer(tiny()).explain(["good film"], "ig", target=target)
    assert LONG not in str(e.value) and len(str(e.value)) < 400 and "characters)" in str(e.value)


def test_a_long_cli_answer_is_cut_in_the_cli_too(tmp_path, capsys):
    folder = save_tiny(tmp_path / "qa", "bert_qa")
    code = main(["explain", "--model", str(folder), "--pair", "what?", "the film was good", "--answer", LONG])
    err = capsys.readouterr().err
    assert code == 2 and LONG not in err and "(5,000 characters)" in err


# --- 4. --limit larger than the data ---------------------------------------------------------------------------------

def test_a_limit_above_the_data_warns_once_naming_how_many_are_used():
    data = Dataset(("a", "b", "c"), (0, 1, 0), source="d.tsv")
    with pytest.warns(FaithlensWarning, match=r"--limit 10 \(limit=10 in Python\) is more than the 3 examples of "
                                              r"d.tsv: all 3 are used"):
        assert len(select(data, limit=10)) == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(select(data, limit=3)) == 3 and len(select(data, limit=2)) == 2


def test_a_commands_default_limit_above_the_data_is_unsaid():
    """audit's 50 texts and facade's 100 examples are defaults, not the user's words: a smaller file is used whole."""
    data = Dataset(("a", "b", "c"), (0, 1, 0), source="d.tsv")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(select(data, limit=50, said=False)) == 3


def test_the_warning_counts_the_examples_left_by_max_chars():
    data = Dataset(("a", "bb", "a much longer text"), (0, 1, 0), source="d.tsv")
    with pytest.warns(FaithlensWarning, match=r"more than the 2 examples of d.tsv \(2 of 3 are shorter than "
                                              r"--max-chars 5\): all 2 are used"):
        select(data, limit=5, max_chars=5)


def test_the_cli_prints_it_as_a_faithlens_warning(saved, tmp_path):
    """In a fresh interpreter, as a user sees it (pytest records warnings in-process)."""
    data = data_file(tmp_path, [("good film", 1), ("bad film", 0)])
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src"), "OMP_NUM_THREADS": "1",
           "HF_HUB_OFFLINE": "1"}
    env.pop("PYTHONWARNINGS", None)
    done = subprocess.run([sys.executable, "-m", "faithlens", "evaluate", "--model", str(saved), "--data", str(data),
                           "--methods", "occlusion", "--no-random", "--limit", "100", "--quiet",  # exact: no error warned
                           "--no-curves"], capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stderr.splitlines() if "warning" in line]
    assert said == [f"faithlens: warning: --limit 100 is more than the 2 examples of {data}: all 2 are used."]


# --- 5. met on the way ------------------------------------------------------------------------------------------------

def test_the_same_evaluate_command_run_again_resumes_its_folder(saved, tmp_path, capsys):
    """The CLI's folder check (before the model loads) compared the methods without the random row the run records:
    the same command run twice was refused with "methods dropped: ['random']"."""
    data = data_file(tmp_path, [("good film", 1), ("bad film", 0)])
    argv = ["evaluate", "--model", str(saved), "--data", str(data), "--methods", "ig", "--steps", "2", "--quiet",
            "--no-curves", "--out", str(tmp_path / "run")]
    assert main(argv) == 0 and main(argv) == 0, capsys.readouterr().err
    settings = json.loads((tmp_path / "run" / "settings.json").read_text())
    assert settings["settings"]["methods"] == ["ig", "random"]
    assert main([*argv, "--no-random"]) == 2
    assert "methods dropped: ['random']" in capsys.readouterr().err
