"""Issue 10, kind 5 — runs on disk: outputs checked before the work, one atomic writer, one run per
folder, damaged records cost only themselves, resumed runs check their inputs by content, k = 0
reported apart, a closed pipe and a full disk give a quiet exit and a clear error."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from tiny import CORPUS, save_tiny, tiny

from faithlens.cli import main
from faithlens.data import Dataset
from faithlens.errors import FaithlensError, FaithlensWarning
from faithlens.evaluate import REJECTED_FILE, evaluate, read_records, read_run
from faithlens.files import FolderLock, check_output_file, check_output_folder, write_atomic

SRC = Path(__file__).parents[1] / "src"
TEXTS = CORPUS + ["the acting was great and the plot fun", "not good, not fun, very boring"]
DATA = Dataset(tuple(TEXTS), (1, 1, 0, 1, 0, 0, 1, 0), source="tiny-corpus")


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FAITHLENS_HOME", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def model_folder(tmp_path_factory) -> Path:
    return save_tiny(tmp_path_factory.mktemp("model"), "bert")


def _env(tmp_path) -> dict:
    return dict(os.environ, OMP_NUM_THREADS="1", FAITHLENS_HOME=str(tmp_path / "cache"),
                PYTHONPATH=os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]))


# --- the atomic writer --------------------------------------------------------------------------------------

def test_concurrent_writers_never_collide(tmp_path):
    target = tmp_path / "results.json"
    errors = []

    def writer(k: int) -> None:
        try:
            for i in range(400):
                write_atomic(target, json.dumps({"writer": k, "i": i}), durable=False)
        except Exception as exc:  # noqa: BLE001 - any failure is what the test looks for
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []  # 3,200 writes, one target, no collision on a temporary name
    assert set(json.loads(target.read_text())) == {"writer", "i"}  # always one whole file
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]  # no temporary file left behind


def test_a_full_disk_is_a_clear_error_and_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "table.md"
    write_atomic(target, "old")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(FaithlensError, match=r"Could not write '.*table\.md': No space left on device .*previous "
                                             r"content, if any, is unchanged.*Free some space"):
        write_atomic(target, "new")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["table.md"]


def test_a_full_disk_during_evaluate_names_the_records_file_and_keeps_them(tmp_path, monkeypatch):
    from faithlens import files

    calls = {"n": 0}
    original = files.AppendFile.write_line

    def write_line(self, line):
        calls["n"] += 1
        if calls["n"] > 5:
            raise files.write_error(self.path, OSError(errno.ENOSPC, "No space left on device"),
                                    kept=f"The {self.written} lines written before in this session and every earlier "
                                         "line are kept; running the same command again resumes after them.")
        original(self, line)

    monkeypatch.setattr(files.AppendFile, "write_line", write_line)
    with pytest.raises(FaithlensError, match=r"records\.jsonl': No space left on device .*5 lines written before .*"
                                             r"resumes after them"):
        evaluate(tiny("bert"), DATA, methods=["grad_x_input"], out=tmp_path, progress=False, batch_size=1)
    assert len(read_records(tmp_path / "records.jsonl")) == 5
    monkeypatch.setattr(files.AppendFile, "write_line", original)
    result = evaluate(tiny("bert"), DATA, methods=["grad_x_input"], out=tmp_path, progress=False, batch_size=1)
    assert result.computed == len(TEXTS) - 5 and result.rows[0]["delta"]["n"] == len(TEXTS)


# --- output paths, before any work -------------------------------------------------------------------------------

@pytest.mark.parametrize("option,suffix", [("--html", ".html"), ("--json", ".json"), ("--markdown", ".md"),
                                           ("--out", ".jsonl")])
def test_a_folder_given_for_a_file_suggests_a_file_of_the_options_kind(tmp_path, option, suffix):
    """I4: a folder named out.v1 suggested 'report.v1' (the folder's own suffix); the suggestion ends in the
    extension the option writes, and that path passes the check."""
    folder = tmp_path / "out.v1"
    folder.mkdir()
    with pytest.raises(FaithlensError) as info:
        check_output_file(folder, option=option, suffix=suffix)
    suggested = re.search(r"e\.g\. '([^']+)'", str(info.value)).group(1)
    assert suggested == str(folder / f"report{suffix}")
    assert check_output_file(suggested, option=option, suffix=suffix) == Path(suggested)
    with pytest.raises(FaithlensError, match=f"e.g. {option} report{re.escape(suffix)}"):
        check_output_file(" ", option=option, suffix=suffix)


def test_audit_suggests_each_reports_extension(tmp_path, capsys):
    folder = tmp_path / "out.v1"
    folder.mkdir()
    data = tmp_path / "d.tsv"
    data.write_text("text\tlabel\ngood\t1\n")
    for option, suffix in (("--html", ".html"), ("--json", ".json"), ("--markdown", ".md")):
        assert main(["audit", "--model", str(tmp_path / "none"), "--data", str(data), option, str(folder)]) == 2
        assert f"e.g. '{folder / ('report' + suffix)}'" in capsys.readouterr().err


def test_output_paths_are_checked(tmp_path):
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "a-folder").mkdir()
    with pytest.raises(FaithlensError, match="--html '.*a-folder' is a folder; expected a file name"):
        check_output_file(tmp_path / "a-folder", option="--html", suffix=".html")
    with pytest.raises(FaithlensError, match="'.*a-file' is a file, not a folder"):
        check_output_file(tmp_path / "a-file" / "report.html", option="--html", suffix=".html")
    with pytest.raises(FaithlensError, match="--out '.*a-file' is a file; expected a folder"):
        check_output_folder(tmp_path / "a-file", option="--out")
    made = check_output_file(tmp_path / "new" / "deeper" / "r.html", option="--html", suffix=".html")
    assert made.parent.is_dir() and not made.exists()  # the missing folders are created, the file is not
    if os.geteuid() != 0:  # root may write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(FaithlensError, match="is not writable"):
            check_output_folder(locked / "run", option="--out")


@pytest.mark.parametrize("argv, message", [
    (["explain", "good fun", "--model", "{model}", "--html", "{folder}"], "--html '.*' is a folder; expected a file name"),
    (["evaluate", "--model", "{model}", "--out", "{file}"], "--out '.*' is a file; expected a folder"),
    (["audit", "--model", "{model}", "--markdown", "{folder}"], "--markdown '.*' is a folder"),
    (["audit", "--model", "{model}", "--json", "{file}/x.json"], "is a file, not a folder"),
    (["facade", "saliency", "--model", "{model}", "--out", "{folder}"], "--out '.*' is a folder"),
    (["facade", "merge", "--model", "{model}", "--facade", "x", "--out", "{file}"], "--out '.*' is a file; expected a folder"),
])
def test_commands_check_outputs_before_loading_anything(tmp_path, capsys, argv, message):
    """The model named does not exist: the error is about the output, so it was checked first."""
    (tmp_path / "f").write_text("x")
    (tmp_path / "d").mkdir()
    argv = [a.format(folder=tmp_path / "d", file=tmp_path / "f", model=tmp_path / "no-such-model") for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("faithlens: error: ") and "Traceback" not in err
    assert re.search(message, err), err


def test_an_output_file_that_is_an_input_is_refused(tmp_path):
    """files.check_not_input: the same path, a hard link, a symbolic link, a file inside an input folder; a new file
    beside the input, or in an input folder, is fine."""
    data = tmp_path / "d.tsv"
    data.write_text("sentence\tlabel\nok\t1\n")
    os.link(data, tmp_path / "hard.tsv")
    (tmp_path / "soft.tsv").symlink_to(data)
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "config.json").write_text("{}")
    inputs = {"--data": str(data), "--model": str(tmp_path / "model"), "--file": None, "--base": "a-hub-id"}
    for path, how in ((data, "is the --data"), (tmp_path / "hard.tsv", "is the --data"),
                      (tmp_path / "soft.tsv", "is the --data"), (tmp_path / "model" / "config.json",
                                                                    "is a file inside the --model")):
        with pytest.raises(FaithlensError, match=f"--json '.*' {how} '.*': writing it would replace that input"):
            check_output_file(path, option="--json", suffix=".json", inputs=inputs)
    check_output_file(tmp_path / "r.json", option="--json", suffix=".json", inputs=inputs)
    check_output_file(tmp_path / "model" / "r.json", option="--json", suffix=".json", inputs=inputs)
    assert data.read_text() == "sentence\tlabel\nok\t1\n"


def test_evaluate_in_python_refuses_an_out_folder_whose_results_file_is_its_data(tmp_path):
    from faithlens.data import load_dataset

    run = tmp_path / "run"
    run.mkdir()
    data = run / "results.csv"
    data.write_text("sentence,label\n" + "".join(f'"{t}",{y}\n' for t, y in zip(TEXTS, DATA.labels)))
    with pytest.raises(FaithlensError, match="The 'out' parameter of evaluate '.*run' writes '.*results.csv', which is "
                                             "the dataset"):
        evaluate(tiny("bert"), load_dataset(str(data)), methods=["grad_x_input"], out=run, progress=False)
    assert sorted(p.name for p in run.iterdir()) == ["results.csv"]


@pytest.mark.parametrize("argv, message", [
    (["explain", "--file", "{data}", "--html", "{data}", "--model", "{model}"], "--html '.*' is the --file"),
    (["audit", "--data", "{data}", "--json", "{data}", "--model", "{model}"], "--json '.*' is the --data"),
    (["audit", "--data", "{data}", "--json", "{new}", "--html", "{new}", "--model", "{model}"],
     "--json and --html name one file"),
    (["facade", "saliency", "--data", "{data}", "--out", "{data}", "--model", "{model}"], "--out '.*' is the --data"),
    (["facade", "hotflip", "--data", "{data}", "--out", "{model}/config.json", "--model", "{model}"],
     "--out '.*' is a file inside the --model"),
    (["rationales", "sst2", "--train", "{data}", "--data", "{other}", "--out", "{data}"], "--out '.*' is the --train"),
    (["rationales", "sst2", "--train", "{other}", "--data", "{data}", "--out", "{data}"], "--out '.*' is the --data"),
    (["evaluate", "--data", "{run}/results.csv", "--out", "{run}", "--model", "{model}"],
     "--out '.*run' writes '.*results.csv', which is the --data"),
])
def test_an_output_file_that_is_an_input_is_refused_by_every_command(tmp_path, capsys, model_folder, argv, message):
    """The output named is one of the inputs: refused before any work, and the input is unchanged (read-only as well:
    root may write it)."""
    (tmp_path / "run").mkdir()
    text = "sentence\tlabel\na good film\t1\na bad film\t0\n"
    for path in (tmp_path / "d.tsv", tmp_path / "o.tsv", tmp_path / "run" / "results.csv"):
        path.write_text(text)
        path.chmod(0o444)
    names = dict(data=tmp_path / "d.tsv", other=tmp_path / "o.tsv", run=tmp_path / "run", model=model_folder,
                 new=tmp_path / "new.json")
    assert main([a.format(**names) for a in argv]) == 2
    err = capsys.readouterr().err
    assert re.search(message, err) and "Traceback" not in err, err
    assert all(p.read_text() == text for p in (tmp_path / "d.tsv", tmp_path / "o.tsv", tmp_path / "run" / "results.csv"))
    assert not (tmp_path / "new.json").exists()


def test_explain_html_into_a_missing_folder_is_written(tmp_path, model_folder, capsys):
    target = tmp_path / "new" / "page.html"
    assert main(["explain", "good fun", "--model", str(model_folder), "--method", "grad_x_input", "--html",
                 str(target)]) == 0
    assert target.read_text().startswith("<!DOCTYPE html>") or "<html" in target.read_text()


# --- one run per folder --------------------------------------------------------------------------------------------

HOLDER = """
import sys, time
sys.path.insert(0, {src!r})
from faithlens.files import FolderLock
FolderLock({folder!r}).acquire()
print("locked", flush=True)
time.sleep(120)
"""


def test_a_second_run_on_a_folder_is_refused_and_a_dead_holder_releases_it(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER.format(src=str(SRC), folder=str(tmp_path))],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    with pytest.raises(FaithlensError, match=rf"in use by another faithlens run \(pid {holder.pid} on host .*started"):
        evaluate(tiny("bert"), DATA, methods=["grad_x_input"], out=tmp_path, progress=False)
    assert not (tmp_path / "settings.json").exists()  # refused before any work
    holder.kill()  # dies without releasing anything
    holder.wait()
    result = evaluate(tiny("bert"), DATA, methods=["grad_x_input"], out=tmp_path, progress=False)
    assert result.rows[0]["delta"]["n"] == len(TEXTS)


def test_without_file_locks_a_stale_pid_file_is_recovered(tmp_path, monkeypatch):
    from faithlens import files

    monkeypatch.setattr(files, "fcntl", None)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    import socket

    (tmp_path / ".faithlens.lock.pid").write_text(json.dumps({"pid": dead.pid, "host": socket.gethostname()}))
    lock = FolderLock(tmp_path).acquire()  # the holder is gone: taken over
    with pytest.raises(FaithlensError, match=rf"pid {os.getpid()} .*delete '.*\.faithlens\.lock\.pid'"):
        FolderLock(tmp_path).acquire()
    lock.release()
    assert not (tmp_path / ".faithlens.lock.pid").exists()


# --- damaged records -------------------------------------------------------------------------------------------------

def test_a_damaged_line_in_the_middle_costs_only_itself(tmp_path):
    model = tiny("bert")
    evaluate(model, DATA, methods=["grad_x_input", "ig:steps=4"], out=tmp_path, progress=False, batch_size=1)
    path = tmp_path / "records.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    before = read_run(tmp_path)
    lines[5] = lines[5][: len(lines[5]) // 2] + "\n"  # a half-written line, not the last one
    lines[9] = "garbage\n"
    path.write_text("".join(lines))
    with pytest.warns(FaithlensWarning, match=r"2 damaged line\(s\) \(6, 10; line 6: not JSON.*moved to "
                                              r"records\.rejected\.jsonl.*the other 14 records are kept"):
        result = evaluate(model, DATA, methods=["grad_x_input", "ig:steps=4"], out=tmp_path, progress=False, batch_size=1)
    assert result.computed == 2  # only the two damaged records were computed again
    after = read_run(tmp_path)
    kept = [k for k in before if k in after and before[k]["seconds"] == after[k]["seconds"]]
    assert len(kept) == 14  # every good line after the damaged ones was kept, not recomputed
    rejected = [json.loads(line) for line in (tmp_path / REJECTED_FILE).read_text().splitlines()]
    assert [r["line"] for r in rejected] == [6, 10] and rejected[1]["text"] == "garbage"


# --- method specs validated before settings.json -------------------------------------------------------------------------

def test_a_typo_in_a_method_spec_leaves_the_folder_usable(tmp_path, model_folder, capsys):
    out = tmp_path / "run"
    (tmp_path / "d.tsv").write_text("sentence\tlabel\n" + "".join(f"{t}\t1\n" for t in TEXTS))
    base = ["evaluate", "--model", str(model_folder), "--data", str(tmp_path / "d.tsv"), "--limit", "3", "--out", str(out),
            "--quiet", "--methods", "grad_x_input"]
    assert main(base + ["sig:mode=bogus"]) == 2
    assert "Unknown mode in method spec 'sig:mode=bogus': 'bogus'. Valid choices: auto, closed, forward, reverse." in \
        capsys.readouterr().err
    assert main(base + ["ig:mode=closed"]) == 2
    assert "Method setting 'mode' does not apply to 'ig'" in capsys.readouterr().err
    assert not (out / "settings.json").exists()
    assert main(base + ["sig:mode=closed"]) == 0  # the corrected command runs in the same folder
    assert (out / "settings.json").exists()


# --- inputs checked by content on resume ------------------------------------------------------------------------------------

def test_a_resumed_run_detects_changed_data_by_content(tmp_path):
    model = tiny("bert")
    evaluate(model, DATA, methods=["grad_x_input"], out=tmp_path, progress=False, stop_after=2, batch_size=1)
    texts = list(TEXTS)
    texts[1] = "an entirely different text"
    with pytest.raises(FaithlensError, match=r"The data differ from the run in .*1 finished example\(s\) no longer match, "
                                             r"e\.g\. example 1: text was 'the movie is not good.*now 'an entirely different"):
        evaluate(model, Dataset(tuple(texts), DATA.labels, source="tiny-corpus"), methods=["grad_x_input"], out=tmp_path,
                 progress=False)
    labels = (0,) + DATA.labels[1:]  # same texts, one label changed
    with pytest.raises(FaithlensError, match=r"example 0 \('.*'\): label was 1, now 0\. Resume"):
        evaluate(model, Dataset(DATA.texts, labels, source="tiny-corpus"), methods=["grad_x_input"], out=tmp_path,
                 progress=False)
    # Same content under another name resumes.
    result = evaluate(model, Dataset(DATA.texts, DATA.labels, source="copy-of-tiny-corpus"), methods=["grad_x_input"],
                      out=tmp_path, progress=False)
    assert result.computed == len(TEXTS) - 2


def test_a_resumed_run_detects_changed_weights_by_content(tmp_path, model_folder):
    from faithlens.model import load_model

    folder = tmp_path / "model"
    shutil.copytree(model_folder, folder)
    out = tmp_path / "run"
    evaluate(load_model(folder), DATA, methods=["grad_x_input"], out=out, progress=False, stop_after=2, batch_size=1)
    moved = tmp_path / "moved-model"
    shutil.copytree(folder, moved)  # the same weights elsewhere: resumes
    evaluate(load_model(moved), DATA, methods=["grad_x_input"], out=out, progress=False, stop_after=1, batch_size=1)
    other = tiny("bert", seed=1)  # other weights saved under the original name
    other.model.save_pretrained(folder)
    with pytest.raises(FaithlensError, match=r"The model differs from the one the run in .* was started with: "
                                             r"model\.safetensors changed \(SHA-256 .* then, .* now\)"):
        evaluate(load_model(folder), DATA, methods=["grad_x_input"], out=out, progress=False)


def test_weight_digests_are_cached_by_path_size_and_time(tmp_path, model_folder, monkeypatch):
    from faithlens import checkpoint
    from faithlens.model import load_model

    model = load_model(model_folder)
    first = checkpoint.model_fingerprint(model)
    reads, real = [], checkpoint.hashlib.sha256
    monkeypatch.setattr(checkpoint.hashlib, "sha256", lambda *a: reads.append(1) or real(*a))
    assert checkpoint.model_fingerprint(model) == first
    assert len(reads) == 1  # only the combined digest: no file was read again


# --- k = 0 ----------------------------------------------------------------------------------------------------------

def test_texts_too_short_for_top_k_are_counted_apart(tmp_path):
    short = Dataset(tuple(TEXTS[:4]) + ("great", "awful fun"), (1, 1, 0, 1, 1, 0), source="with-short")
    result = evaluate(tiny("bert"), short, methods=["grad_x_input"], out=tmp_path, progress=False)
    row = result.rows[0]
    records = read_records(tmp_path / "records.jsonl")
    assert sorted(r["k"] for r in records)[:2] == [0, 0]
    assert row["k_zero"] == 2 and row["log_odds"]["n"] == 4 and row["delta"]["n"] == 6
    expected = sum(r["log_odds"] for r in records if r["k"] > 0) / 4
    assert row["log_odds"]["mean"] == pytest.approx(expected, abs=1e-15)  # the zeros are not averaged in
    table = result.markdown()
    assert "| n | k = 0 |" in table and table.splitlines()[2].endswith("| 6 | 2 |")
    assert "k = 0: examples with too few tokens for top-k 0.2 (nothing to remove)" in table
    assert "k_zero" in (tmp_path / "results.csv").read_text().splitlines()[0]
    # Without such texts the table keeps its usual columns.
    assert "k = 0" not in evaluate(tiny("bert"), DATA, methods=["grad_x_input"], progress=False).markdown()


# --- a closed pipe --------------------------------------------------------------------------------------------------------

def test_output_piped_into_a_closed_pipe_exits_quietly(tmp_path, model_folder):
    proc = subprocess.Popen([sys.executable, "-m", "faithlens", "explain", "good fun", "great acting", "--model",
                             str(model_folder), "--method", "grad_x_input", "--json"], env=_env(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # like `| head -0`: the reader is gone before anything is written
    stderr = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert proc.returncode == 141 and "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr[-2000:]


def test_the_lock_is_released_after_a_run_and_after_an_error(tmp_path):
    evaluate(tiny("bert"), DATA, methods=["grad_x_input"], out=tmp_path, progress=False, stop_after=1)
    with pytest.raises(FaithlensError, match="baseline: was 'mask', now 'pad'"):
        evaluate(tiny("bert"), DATA, methods=["grad_x_input"], baseline="pad", out=tmp_path, progress=False)
    FolderLock(tmp_path).acquire().release()  # free again
    assert not FolderLock.holding(tmp_path)


@pytest.mark.parametrize("out, why", [(".", "the current folder"), ("sub/..", "the current folder"),
                                      ("..", "a folder above the current one"), ("/", "the filesystem root"),
                                      ("~", "your home folder")])
def test_a_model_folder_that_cannot_be_replaced_is_refused_before_any_work(tmp_path, monkeypatch, capsys, model_folder,
                                                                          out, why):
    """`train --out . --overwrite` trained, then crashed renaming '.'; every model-folder writer, overwrite or not,
    on the command line and in Python."""
    from faithlens.files import check_new_folder
    here = tmp_path / "here"
    (here / "sub").mkdir(parents=True)
    (here / "tr.tsv").write_text("sentence\tlabel\n" + "a good film\t1\na bad film\t0\n" * 4)
    monkeypatch.chdir(here)
    for overwrite in (False, True):
        with pytest.raises(FaithlensError, match=f"--out '.*' is {why}: the model replaces the whole folder"):
            check_new_folder(out, option="--out", flag="--overwrite", overwrite=overwrite)
    for argv in (["train", "--train", "tr.tsv", "--base", str(model_folder)],
                 ["facade", "merge", "--model", str(model_folder), "--facade", "sub"],
                 ["facade", "train", "--model", str(model_folder), "--data", "tr.tsv"],
                 ["facade", "regularise", "--model", str(model_folder), "--data", "tr.tsv"]):
        assert main([*argv, "--out", out, "--overwrite"]) == 2
        err = capsys.readouterr().err
        assert f"is {why}: the model replaces the whole folder" in err and "Traceback" not in err, (argv, err)
    assert sorted(p.name for p in here.iterdir()) == ["sub", "tr.tsv"]


# --- '-' is not an output path ---------------------------------------------------------------------------------------

def test_every_output_check_refuses_standard_output_in_one_wording(tmp_path, monkeypatch):
    """Issue 22: `audit --json -`, `evaluate --out -`, ... wrote a file or folder named '-' where a command-line user
    expects standard output. Every output check refuses '-' (a model folder's check already did) in one wording."""
    from faithlens.files import check_replaceable_folder

    monkeypatch.chdir(tmp_path)
    said = {}
    for check, option, what in ((lambda p, o: check_output_file(p, option=o, suffix=".json"), "--json", "a file"),
                                (lambda p, o: check_output_folder(p, option=o), "--out", "a folder of files"),
                                (lambda p, o: check_replaceable_folder(p, option=o), "--out", "a model, a folder")):
        for path in ("-", " - "):
            with pytest.raises(FaithlensError) as info:
                check(path, option)
            said[check, path] = str(info.value)
        message = said[check, "-"]
        assert message.startswith(f"{option} - names standard output, but this option writes {what}"), message
        assert "which faithlens does not write to standard output" in message and "('./-' for a " in message
        with pytest.raises(FaithlensError, match=r"^The 'out' parameter of f '-' names standard output, but this "
                                                 "parameter writes"):
            check("-", "The 'out' parameter of f")
    assert "e.g. --json report.json ('./-' for a file named '-')" in said[next(iter(said))]
    assert not (tmp_path / "-").exists()
    assert check_output_file("./-", option="--json", suffix=".json") == Path("-")  # a file named '-', asked for so


@pytest.mark.parametrize("argv, option", [
    (["audit", "--json", "-"], "--json"),
    (["evaluate", "--out", "-"], "--out"),
    (["explain", "x", "--html", "-"], "--html"),
    (["rationales", "sst2", "--train", "no-train.tsv", "--data", "no-dev.tsv", "--out", "-"], "--out"),
])
def test_commands_refuse_standard_output_for_a_written_path_before_any_work(tmp_path, argv, option):
    """End to end: each command refuses '-' before reading its inputs or looking for its model (the model named here
    does not exist, the rationales' inputs neither), and makes nothing named '-'."""
    model = [] if argv[0] == "rationales" else ["--model", str(tmp_path / "no-such-model")]
    done = subprocess.run([sys.executable, "-m", "faithlens", *argv, *model], capture_output=True, text=True,
                          cwd=tmp_path, timeout=300, env={**os.environ, "PYTHONPATH": str(SRC)})
    assert done.returncode == 2, done.stderr
    assert f"error: {option} - names standard output, but this option writes a" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "-").exists()


def test_python_writers_refuse_standard_output(tmp_path, monkeypatch):
    """The Python API in its own words: evaluate(out='-') and views.write_html('-', ...) name the parameter."""
    from faithlens.views import write_html

    monkeypatch.chdir(tmp_path)
    with pytest.raises(FaithlensError, match=r"^The 'out' parameter of evaluate '-' names standard output.*"
                                             r"e\.g\. out='runs/my-run'"):
        evaluate(tiny("bert"), DATA, methods=["grad_x_input"], out="-", progress=False)
    with pytest.raises(FaithlensError, match=r"^The 'path' parameter of write_html '-' names standard output.*"
                                             r"e\.g\. 'report\.html'"):
        write_html("-", [])
    assert not (tmp_path / "-").exists()


def test_the_suggested_dot_slash_dash_writes_a_file_named_dash(tmp_path, monkeypatch, model_folder, capsys):
    """The refusal's fix, './-', works: explain --html read its value as a Path, and Path('./-') is '-', refused."""
    monkeypatch.chdir(tmp_path)
    assert main(["explain", "x", "--model", str(model_folder), "--method", "occlusion", "--html", "./-"]) == 0, \
        capsys.readouterr().err
    assert (tmp_path / "-").is_file() and "<html" in (tmp_path / "-").read_text()
