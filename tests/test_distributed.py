"""`evaluate` over several processes (torch.distributed, gloo on the CPU): the same records and tables
as one process, resumable after a kill and with a different number of processes.

Processes are started the way torchrun starts them (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR/PORT in
the environment); one test goes through torchrun and the command line itself. Every process and the
in-process reference use one thread, so every number is bit-identical (only timings differ), except where a kill
cut a batch: its other examples are explained in a smaller batch on resume, equal to float rounding.
"""

from __future__ import annotations

import csv
import io
import json
import math
import multiprocessing
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from tiny import CORPUS, tiny

from faithlens.distributed import balance
from faithlens.evaluate import TIMING_FIELDS, evaluate, read_run, record_files

TESTS = Path(__file__).parent
SRC = TESTS.parent / "src"
TEXTS = (CORPUS + ["the acting was great and the plot fun", "not good, not fun, very boring",
                   "a very long and boring story with terrible actors and a dull plot"]) * 2
LABELS = [1, 1, 0, 1, 0, 0, 1, 0, 0] * 2
METHODS = ["grad_x_input", "sig:steps=4"]


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FAITHLENS_HOME", str(tmp_path / "cache"))


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A tiny BERT saved as a model folder, and a data file."""
    root = tmp_path_factory.mktemp("files")
    m = tiny("bert")
    m.model.save_pretrained(root / "model")
    m.tokenizer.save_pretrained(root / "model")
    (root / "d.tsv").write_text("sentence\tlabel\n" + "".join(f"{t}\t{y}\n" for t, y in zip(TEXTS, LABELS)))
    return root


def _args(files: Path, out: Path) -> list[str]:
    return ["--threads", "1", "evaluate", "--model", str(files / "model"), "--data", str(files / "d.tsv"),
            "--methods", *METHODS, "--batch-size", "2", "--quiet", "--out", str(out)]


@pytest.fixture(scope="module")
def reference(files, tmp_path_factory):
    """The single-process command, in this process with one thread: what every other run must equal."""
    from faithlens.cli import main

    out = tmp_path_factory.mktemp("one") / "run"
    threads = torch.get_num_threads()
    try:
        assert main(_args(files, out)) == 0
    finally:
        torch.set_num_threads(threads)
    return out


def _worker(rank: int, size: int, port: int, files: str, out: str, stop, report: str) -> None:
    """One process of a job, as torchrun would start it (forked from a server that preloaded faithlens)."""
    os.environ.update(RANK=str(rank), WORLD_SIZE=str(size), LOCAL_RANK=str(rank), LOCAL_WORLD_SIZE=str(size),
                      MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), OMP_NUM_THREADS="1")
    torch.set_num_threads(1)
    from faithlens.data import load_dataset, select
    from faithlens.metrics import AOPC_FRACTIONS
    from faithlens.model import load_model

    data = select(load_dataset(os.path.join(files, "d.tsv")), limit=None, seed=0, max_chars=None, shuffle=True)
    result = evaluate(load_model(os.path.join(files, "model")), data, methods=METHODS, out=out, batch_size=2,
                      progress=False, stop_after=stop, curves=AOPC_FRACTIONS, random_row=True)  # as the command line (the reference)
    Path(report).write_text(str(result.computed))


def _forkserver():
    """Processes forked from a server that imported faithlens and loaded a model once: no import time each."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["dist_preload", "test_distributed"])
    path = os.environ.get("PYTHONPATH", "")
    if str(TESTS) not in path.split(os.pathsep):  # the fork server finds its preload modules on PYTHONPATH only
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TESTS), str(SRC), path]))
    return ctx


def _launch(size: int, files: Path, out: Path, *, stop=None) -> list:
    ctx = _forkserver()
    port = _port()
    procs = [ctx.Process(target=_worker, args=(r, size, port, str(files), str(out), stop, str(out) + f".report{r}"))
             for r in range(size)]
    for p in procs:
        p.start()
    return procs


def _join(procs, out: Path, timeout=120) -> int:
    for p in procs:
        p.join(timeout)
        assert p.exitcode == 0, f"process exited with {p.exitcode}"
    return int(Path(str(out) + ".report0").read_text())


def comparable(out: Path) -> dict:
    """A run folder without what may differ between equal runs (TIMING_FIELDS): everything else must be equal."""
    records = [{k: v for k, v in json.loads(line).items() if k not in TIMING_FIELDS["records"]}
               for line in (out / "records.jsonl").read_text().splitlines()]
    results = json.loads((out / "results.json").read_text())
    for key in TIMING_FIELDS["results.json"]:
        results.pop(key, None)
        for row in results["rows"]:
            row.pop(key, None)
    table = list(csv.DictReader(io.StringIO((out / "results.csv").read_text())))
    for row in table:
        for key in TIMING_FIELDS["results.csv"]:
            row.pop(key)
    lines = (out / "table.md").read_text().splitlines()
    column = lines[0].split(" | ").index(TIMING_FIELDS["table.md"][0])
    md = [" | ".join(c for k, c in enumerate(line.split(" | ")) if k != column) if line.startswith("| ") else line
          for line in lines]
    return {"records": records, "results.json": results, "results.csv": table, "table.md": md,
            "agreement.md": (out / "agreement.md").read_text(), "files": sorted(p.name for p in out.iterdir())}


NUMBER = re.compile(r"[-+]?\d+\.\d+(?:[eE][-+]?\d+)?")


def assert_same_run(a, b, where: str = "run") -> None:
    """`comparable` folders equal up to float32 rounding: numbers to a relative 1e-5 or an absolute 1e-7 (a
    token score is a difference of O(1) model outputs, so its rounding is absolute: a CI run moved a 3.2e-3
    score by 4.7e-9, a relative 1.4e-6), numbers printed in text to one unit of their last printed digit;
    every other value and word exactly."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), where
        for key in a:
            assert_same_run(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), where
        for k, (x, y) in enumerate(zip(a, b)):
            assert_same_run(x, y, f"{where}[{k}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert isinstance(a, (int, float)) and isinstance(b, (int, float)), (where, a, b)
        assert math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-7), (where, a, b)
    elif isinstance(a, str) and isinstance(b, str):
        assert NUMBER.split(a) == NUMBER.split(b), (where, a, b)
        for x, y in zip(NUMBER.findall(a), NUMBER.findall(b)):
            mantissa, _, exponent = x.lower().partition("e")
            unit = 10.0 ** (int(exponent or 0) - len(mantissa.split(".")[1]))  # one unit of the last printed digit
            assert math.isclose(float(x), float(y), rel_tol=1e-6, abs_tol=unit * 1.01), (where, x, y)
    else:
        assert a == b, (where, a, b)


def test_same_run_allows_rounding_only():
    assert_same_run({"r": [1.0, "0.1234 | x"]}, {"r": [1.0 + 1e-9, "0.1235 | x"]})
    for other in ({"r": [1.001, "0.1234 | x"]}, {"r": [1.0, "0.1237 | x"]}, {"r": [1.0, "0.1234 | y"]}):
        with pytest.raises(AssertionError):
            assert_same_run({"r": [1.0, "0.1234 | x"]}, other)


def test_balance_is_deterministic_and_even():
    shares = balance([5, 1, 4, 2, 3, 3], ids=[0, 1, 2, 3, 4, 5], n_ranks=2)
    assert shares == [[0, 1, 5], [2, 3, 4]]  # loads 9 and 9; each rank's share in id order
    assert balance([1, 1, 1], ids=[2, 0, 1], n_ranks=3) == [[1], [2], [0]]  # ties: lowest id to the lowest rank
    assert sorted(p for s in balance(list(range(17)), list(range(17)), 5) for p in s) == list(range(17))


def test_torchrun_two_processes_write_what_one_process_writes(tmp_path, files, reference):
    """`torchrun --nproc_per_node 2 -m faithlens evaluate ...`: byte-identical files but for timings."""
    env = dict(os.environ, OMP_NUM_THREADS="1", FAITHLENS_HOME=str(tmp_path / "cache"),
               PYTHONPATH=os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]))
    out = tmp_path / "two"
    two = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port",
                          str(_port()), "-m", "faithlens", *_args(files, out)], env=env, capture_output=True, text=True,
                         timeout=180)
    assert two.returncode == 0, two.stderr[-3000:]
    assert comparable(out) == comparable(reference)
    assert [p.name for p in record_files(out)] == ["records.jsonl"]  # the other process's file was merged in
    assert len(comparable(out)["records"]) == len(TEXTS) * (len(METHODS) + 1)  # and the CLI's seeded random row
    assert two.stdout.count("| grad_x_input |") == 1  # only rank 0 prints the table


def test_kill_one_process_then_resume_with_other_process_counts(tmp_path, files, reference):
    """1 process stops early → 2 processes, one killed mid-way → 3 processes finish: the same records
    and table, and nothing finished is lost or computed twice."""
    out = tmp_path / "run"
    procs = _launch(1, files, out, stop=4)
    assert _join(procs, out) == 4  # two batches of two examples, two methods each
    procs = _launch(2, files, out)
    rank1 = out / "records.rank1.jsonl"
    deadline = time.time() + 90
    while time.time() < deadline and (not rank1.exists() or rank1.read_text().count("\n") < 3):
        assert all(p.exitcode is None for p in procs), "a process ended early"
        time.sleep(0.02)
    procs[1].kill()  # one process dies mid-way ...
    procs[1].join()
    procs[0].join(60)  # ... the other stops when it needs the dead one (torchrun would stop it at once)
    assert procs[0].exitcode not in (None, 0)
    finished = read_run(out)
    assert 4 + 3 <= len(finished) < len(TEXTS) * (len(METHODS) + 1)
    computed = _join(_launch(3, files, out), out)
    assert computed == len(TEXTS) * (len(METHODS) + 1) - len(finished)  # nothing finished was computed again
    final = read_run(out)
    assert all(final[key] == record for key, record in finished.items())  # kept as they were, seconds included
    # A kill between two lines of one batch leaves its other examples to be explained in a smaller batch on
    # resume (less padding, another matrix shape), which moves their floats by rounding: equal to float32 rounding, not bitwise.
    assert_same_run(comparable(out), comparable(reference))


def _explain_worker(rank: int, size: int, port: int, argv: list, report: str) -> None:
    """`faithlens explain ...` as one process of a job; its standard output goes to ``report``."""
    import contextlib

    from faithlens.cli import main

    os.environ.update(RANK=str(rank), WORLD_SIZE=str(size), LOCAL_RANK=str(rank), LOCAL_WORLD_SIZE=str(size),
                      MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), OMP_NUM_THREADS="1")
    with open(report, "w") as handle, contextlib.redirect_stdout(handle):
        code = main(argv)
    if code:
        raise SystemExit(code)


def test_explain_file_json_over_two_processes_prints_what_one_process_prints(tmp_path, files, capsys):
    from faithlens.cli import main

    texts = tmp_path / "texts.txt"
    texts.write_text("\n".join(TEXTS[:7]) + "\n")
    argv = ["--threads", "1", "explain", "--file", str(texts), "--model", str(files / "model"), "--method",
            "grad_x_input", "ig", "--steps", "4", "--batch-size", "2", "--json"]
    threads = torch.get_num_threads()
    try:
        assert main(argv) == 0
    finally:
        torch.set_num_threads(threads)
    one = capsys.readouterr().out.splitlines()
    ctx = _forkserver()
    port = _port()
    procs = [ctx.Process(target=_explain_worker, args=(r, 2, port, argv, str(tmp_path / f"out{r}"))) for r in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    two = (tmp_path / "out0").read_text().splitlines()
    assert (tmp_path / "out1").read_text() == ""  # only rank 0 prints

    def strip(line: str) -> dict:
        d = json.loads(line)
        d.pop("seconds", None)
        d.pop("digest", None)  # covers the seconds
        return d

    assert len(two) == len(one) == 14  # 7 texts × 2 methods, in input order
    assert [strip(x) for x in two] == [strip(x) for x in one]  # the same batches: bit-identical scores
