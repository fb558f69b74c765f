"""Issue 22, sixteenth breaker F4, F5, F6.

F4: `facade merge --form sum` was offered by --help but always refused (merge saves to --out; the sum form cannot be
saved). The command line now offers only --form intertwined, its help says the sum form is Python-only
(faithlens.audit.merge_models(f, g, form='sum')), and --form sum is refused by the parser naming that call.

F5: a refused command left an empty --out folder behind. One rule (`new_folders.removing_new_folders`, run around
every command by `cli._main`): a folder the output checks created is removed again when the command fails, if it is
still empty; a folder that existed before, or that holds anything, stays.

F6: the web app's error for a QA answer that occurs several times gave the Python/CLI fix (target=(0, 2), --answer);
it now gives the JSON form "target": [0, 2], as the "does not occur" error does (`app.models.web_hint`).
"""

from __future__ import annotations

import fcntl
import json
from pathlib import Path

import pytest

from tiny import save_tiny, save_tiny_facade

from faithlens.cli import main
from faithlens.files import LOCK_FILE, FolderLock, check_output_file, check_output_folder
from faithlens.new_folders import removing_new_folders

WORDS = ["good", "bad", "fine", "awful", "great", "dull", "nice", "poor"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Tiny models (classifier, NLI-sized classifier, QA, GPT-2 LM), a facade of the classifier, data files."""
    root = tmp_path_factory.mktemp("out-folders")
    save_tiny(root / "cls")
    save_tiny(root / "three", num_labels=3)
    save_tiny(root / "qa", "bert_qa")
    save_tiny(root / "lm", "gpt2_lm")
    save_tiny_facade(root / "g", root / "cls")
    rows = "".join(f"the film was {w}\t{i % 2}\n" for i, w in enumerate(WORDS * 2))
    (root / "d.tsv").write_text("sentence\tlabel\n" + rows)
    (root / "empty.txt").write_text("")
    return root


def _refused(capsys, argv) -> str:
    capsys.readouterr()
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exit_:  # argparse refusals
        code = exit_.code
    err = capsys.readouterr().err
    assert code == 2, err
    return err


# --- F4 ---------------------------------------------------------------------------------------------------

def test_merge_form_sum_is_refused_by_the_parser_naming_the_python_call(files, tmp_path, capsys):
    err = _refused(capsys, ["facade", "merge", "--model", files / "cls", "--facade", files / "g",
                            "--out", tmp_path / "m", "--form", "sum"])
    assert "argument --form: the sum form is an in-memory wrapper that cannot be saved" in err
    assert "faithlens.audit.merge_models(f, g, form='sum')" in err
    assert not (tmp_path / "m").exists()


def test_merge_help_offers_intertwined_only_and_says_sum_is_python_only(capsys):
    with pytest.raises(SystemExit):
        main(["facade", "merge", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--form {intertwined}" in out
    assert "it is Python-only: faithlens.audit.merge_models(f, g, form='sum')" in out


def test_the_named_python_call_makes_the_sum_form(files):
    import faithlens.audit
    from faithlens.audit import SumOfLogits
    from faithlens.model import load_model

    f, g = load_model(str(files / "cls")), load_model(str(files / "g"))
    assert isinstance(faithlens.audit.merge_models(f, g, form="sum").model, SumOfLogits)


# --- F5 ---------------------------------------------------------------------------------------------------

def _cases(root, new):
    """Each refused command, with the words of its refusal (so that it is refused for the reason meant)."""
    d = root / "d.tsv"
    return {
        "merge, facade of another target": (["facade", "merge", "--model", root / "three", "--facade", root / "g",
                                             "--out", new / "m"], "was trained for the target"),
        "merge, calibrate missing": (["facade", "merge", "--model", root / "cls", "--facade", root / "g", "--out",
                                      new / "m", "--gain", "auto", "--calibrate", root / "missing.tsv"],
                                     "no such file or folder"),
        "merge, calibrate empty": (["facade", "merge", "--model", root / "cls", "--facade", root / "g", "--out",
                                    new / "m", "--gain", "auto", "--calibrate", root / "empty.txt"],
                                   "holds no examples"),
        "facade train, GPT-2": (["facade", "train", "--model", root / "lm", "--data", d, "--out", new / "g",
                                 "--steps", "1", "--max-length", "32"], "A facade can be built for BERT-style targets"),
        "facade train, QA on single texts": (["facade", "train", "--model", root / "qa", "--data", d, "--out",
                                              new / "g", "--steps", "1", "--max-length", "32"],
                                             "is a question-answering model"),
        "regularise, LM": (["facade", "regularise", "--model", root / "lm", "--data", d, "--out", new / "r",
                            "--steps", "1"], "facade regularise fine-tunes classifiers"),
        "saliency, QA on single texts": (["facade", "saliency", "--model", root / "qa", "--data", d, "--limit", "2",
                                          "--out", new / "s.json"], "is a question-answering model"),
        "evaluate, LM": (["evaluate", "--model", root / "lm", "--data", d, "--limit", "2", "--methods", "occlusion",
                          "--out", new / "run"], "evaluate scores classifiers"),
        "audit, QA on single texts": (["audit", "--model", root / "qa", "--data", d, "--limit", "2",
                                       "--json", new / "a" / "r.json"], "is a question-answering model"),
        "train, --max-length past the base's positions": (["train", "--base", root / "cls", "--train", d, "--out",
                                                           new / "t", "--epochs", "1", "--max-length", "128"],
                                                          "is longer than the base model's 64 positions"),
    }


@pytest.mark.parametrize("case", list(_cases(Path("models"), Path("out"))))
def test_a_refused_command_leaves_no_new_folder(files, tmp_path, capsys, case):
    new = tmp_path / "new" / "deeper"  # two missing folders: both were created by the output check
    argv, words = _cases(files, new)[case]
    err = _refused(capsys, argv)
    assert words in err, err
    assert not (tmp_path / "new").exists(), sorted(p.name for p in (tmp_path / "new").rglob("*"))
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_existed_before_stays_after_a_refusal(files, tmp_path, capsys):
    (tmp_path / "mine").mkdir()
    _refused(capsys, ["facade", "merge", "--model", files / "three", "--facade", files / "g",
                      "--out", tmp_path / "mine"])
    assert (tmp_path / "mine").is_dir()
    _refused(capsys, ["evaluate", "--model", files / "lm", "--data", files / "d.tsv", "--limit", "2",
                      "--methods", "occlusion", "--out", tmp_path / "mine" / "run"])
    assert (tmp_path / "mine").is_dir() and list((tmp_path / "mine").iterdir()) == []


def test_removing_new_folders_keeps_what_holds_files_and_what_existed(tmp_path):
    (tmp_path / "old").mkdir()
    with pytest.raises(RuntimeError), removing_new_folders():
        check_output_folder(tmp_path / "old" / "a" / "b", option="--out")
        check_output_file(tmp_path / "c" / "r.json", option="--json", suffix=".json")
        kept = check_output_folder(tmp_path / "kept" / "run", option="--out")
        (kept / "records.jsonl").write_text("{}\n")  # an interrupted run's records: kept to be resumed
        raise RuntimeError("refused")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept", "old"]
    assert list((tmp_path / "old").iterdir()) == []
    assert (tmp_path / "kept" / "run" / "records.jsonl").is_file()


def test_removing_new_folders_removes_a_released_lock_file_but_not_a_held_one(tmp_path):
    with pytest.raises(RuntimeError), removing_new_folders():
        out = check_output_folder(tmp_path / "free", option="--out")
        with FolderLock(out):
            pass  # the lock file stays after release
        assert (out / LOCK_FILE).exists()
        raise RuntimeError("refused")
    assert not (tmp_path / "free").exists()

    with pytest.raises(RuntimeError), removing_new_folders():
        out = check_output_folder(tmp_path / "held", option="--out")
        holder = open(out / LOCK_FILE, "w")  # another run holding the folder's lock
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        raise RuntimeError("refused")
    holder.close()
    assert (tmp_path / "held" / LOCK_FILE).exists()


def test_a_command_that_succeeds_keeps_its_new_folder(files, tmp_path, capsys):
    assert main(["facade", "saliency", "--model", str(files / "cls"), "--data", str(files / "d.tsv"), "--limit", "2",
                 "--methods", "occlusion", "--out", str(tmp_path / "new" / "s.json")]) == 0
    assert json.loads((tmp_path / "new" / "s.json").read_text())


def test_nothing_is_removed_when_no_error_is_raised(tmp_path):
    with removing_new_folders():
        out = check_output_folder(tmp_path / "x", option="--out")
    assert out.is_dir()


# --- F6 ---------------------------------------------------------------------------------------------------

def _post(body):
    pytest.importorskip("flask", reason="the web app needs the serve extra")
    import torch

    from faithlens import Explainer
    from faithlens.app import Limits, create_app
    from tiny import tiny

    app = create_app(Explainer(tiny("bert_qa", dtype=torch.float64)), limits=Limits())
    return app.test_client().post("/api/explain", data=json.dumps(body), content_type="application/json",
                                  headers={"Host": "127.0.0.1:8765"})


def test_the_web_app_says_the_json_span_for_an_answer_that_occurs_several_times():
    r = _post({"text": "what?", "pair": "it it it", "method": "occlusion", "target": "it"})
    assert r.status_code == 400
    error = r.get_json()["error"]
    assert "The answer 'it' occurs 3 times in the context, at characters (0, 2), (3, 5), (6, 8)." in error
    assert 'send its span in JSON as "target": [start, end], e.g. "target": [0, 2]' in error
    assert "target=(" not in error and "--answer" not in error and "in Python" not in error


def test_the_json_span_the_web_app_names_is_explained():
    r = _post({"text": "what?", "pair": "it it it", "method": "occlusion", "target": [3, 5]})
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()[0]["target"]["start"], r.get_json()[0]["target"]["end"]) == (3, 5)


def test_python_still_gets_the_python_and_cli_fix():
    from faithlens.errors import FaithlensError
    from faithlens.task_inputs import answer_chars

    with pytest.raises(FaithlensError, match=r"target=\(0, 2\) \(CLI --answer-span 0 2\)"):
        answer_chars("it it it", "it")
