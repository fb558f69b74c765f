"""The bench runs from any clone: --data DIR, and a clear stop when the folder lacks the files."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo root holds bench/

harness = pytest.importorskip("bench.harness")


def test_missing_data_stops_with_the_expected_paths(tmp_path):
    with pytest.raises(SystemExit, match=r"lacks .*sst2/dev.tsv.*Pass --data DIR"):
        harness.check_data(tmp_path)
    (tmp_path / "sst2").mkdir()
    (tmp_path / "sst2" / "dev.tsv").write_text("sentence\tlabel\nfine .\t1\n")
    with pytest.raises(SystemExit, match="imdb_test_sample_1000.txt"):
        harness.check_data(tmp_path)
    (tmp_path / "imdb_textfooler_test1000").mkdir()
    (tmp_path / "imdb_textfooler_test1000" / "imdb_test_sample_1000.txt").write_text("1 a fine film\n")
    assert harness.check_data(tmp_path) == tmp_path


def test_bench_main_refuses_a_missing_data_folder_before_loading_anything(tmp_path, capsys):
    from bench.__main__ import main

    with pytest.raises(SystemExit, match="lacks"):
        main(["--data", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")])
    assert not (tmp_path / "out" / "bench.json").exists()
