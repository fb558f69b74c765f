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


@pytest.mark.parametrize("argv, words", [
    (["--sst2", "0"], "argument --sst2: expected an int ≥ 1, got 0"),
    (["--threads", "0"], "argument --threads: expected an int ≥ 1, got 0"),
    (["--steps", "-1"], "argument --steps: expected an int ≥ 1, got -1"),
    (["--lengths", "abc"], "argument --lengths: expected comma-separated token lengths"),
    (["--model", "{gone}"], "--model {gone}: no such folder"),
])
def test_bench_options_are_checked_before_any_run(tmp_path, capsys, argv, words):
    """`python -m bench --sst2 0` ended in StatisticsError, --threads 0 in torch's RuntimeError, a missing --model in a
    traceback, and --steps -1 / --lengths abc started the runs."""
    from bench.__main__ import main

    gone = str(tmp_path / "gone")
    argv = [a.format(gone=gone) for a in argv]
    data = tmp_path / "data"  # a data folder of the expected layout, so a clone without ../shared runs it too
    (data / "sst2").mkdir(parents=True)
    (data / "sst2" / "dev.tsv").write_text("sentence\tlabel\nfine .\t1\n")
    (data / "imdb_textfooler_test1000").mkdir()
    (data / "imdb_textfooler_test1000" / "imdb_test_sample_1000.txt").write_text("1 a fine film\n")
    try:
        code = main([*argv, "--data", str(data), "--out", str(tmp_path / "out"), "--no-certified", "--evaluate", "0"])
    except SystemExit as exc:  # argparse
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2 and words.format(gone=gone) in err and "Traceback" not in err, err
    assert not (tmp_path / "out").exists()
