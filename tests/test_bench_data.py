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


def test_certified_carries_a_skipped_section_over_and_says_so():
    """bench/certified.py: a section this run skips (--no-lm, --no-tint) keeps the previous file's figures, marked as
    not re-measured in the JSON and the markdown; one carried twice keeps its first note; nothing to carry, nothing."""
    from bench import certified

    lm = {"target": "gap ≤ 1 %", "prompts": [{"prompt": "Fish live in the", "target": " water", "gap_50_steps": 3.44,
                                               "gap": 0.001, "nodes": 217, "steps50_s": 1.35, "certified_s": 8.48,
                                               "time_ratio_vs_50": 6.27}]}
    sig = {"target": "≥ 3×", "texts": [{"tint_50_difference": 1.1e-4}], "best_at_target": None,
           "summary": [{"config": {"steps": 50}, "max_difference": 1.1e-4, "ratio_median": 1.2}]}
    previous = {"lm_certified": lm, "sig_vs_tint": sig, "sig_vs_tint_source": "the run before issue 25f"}
    res = {"command": "python -m bench --certified-only --no-lm --no-tint"}
    certified._carry_over(res, previous, "lm_certified", "--no-lm")
    certified._carry_over(res, previous, "sig_vs_tint", "--no-tint")
    assert res["lm_certified"] == lm and res["sig_vs_tint"] == sig
    assert res["lm_certified_source"] == "an earlier run, not re-measured in this one (--no-lm)"
    assert res["sig_vs_tint_source"] == "the run before issue 25f"
    md = certified.markdown(res)
    assert "(Carried over from an earlier run, not re-measured in this one (--no-lm).)" in md
    assert "(Carried over from the run before issue 25f.)" in md and "| 217 | 1.35 | 8.48 | 6.27× |" in md
    fresh: dict = {}
    certified._carry_over(fresh, {}, "lm_certified", "--no-lm")
    assert fresh == {} and "Carried" not in certified.markdown({"command": "c", "lm_certified": lm})
