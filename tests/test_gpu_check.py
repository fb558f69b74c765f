"""bench/gpu_check.sh runs on the CPU with small limits and writes its figures (tiny model, no LM)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_gpu_check_runs_on_the_cpu_and_writes_its_figures(saved_tiny, shared_data, tmp_path):
    imdb = shared_data / "imdb_textfooler_test1000" / "imdb_test_sample_1000.txt"
    sst2 = shared_data / "sst2" / "dev.tsv"
    if not imdb.is_file() or not sst2.is_file():
        pytest.skip("the shared IMDB / SST-2 data are not here")
    proc = subprocess.run(["bash", str(ROOT / "bench" / "gpu_check.sh"), "--limit", "2", "--device", "cpu",
                           "--model", str(saved_tiny), "--lm", "none", "--data", str(imdb), "--sst2", str(sst2),
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    res = json.loads((tmp_path / "gpu_check.json").read_text())
    assert res["device"] == "cpu" and res["limit"] == 2
    assert res["sig_closed_imdb"]["examples"] == 2 and res["sig_closed_imdb"]["examples_per_s"] > 0
    assert res["sig_closed_imdb"]["max_rss_bytes"] > 0
    assert [r["processes"] for r in res["torchrun"]] == [1, 2] and all(r["returncode"] == 0 for r in res["torchrun"])
    assert "examples/s" in (tmp_path / "gpu_check.md").read_text()


def test_gpu_check_refuses_a_missing_data_file(tmp_path):
    proc = subprocess.run(["bash", str(ROOT / "bench" / "gpu_check.sh"), "--data", str(tmp_path / "nope.txt")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "no such file" in proc.stderr
