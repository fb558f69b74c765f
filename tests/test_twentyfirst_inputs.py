"""Twenty-first breaker F4-F6: rationale span shapes, a FAITHLENS_HOME that is no folder, bench's argument checks."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tiny import CORPUS

from bench.__main__ import parse as bench_parse
from faithlens import cache_home
from faithlens.data import Dataset
from faithlens.errors import FaithlensError
from faithlens.plausibility import read_rationales

DATA = Dataset(tuple(CORPUS), tuple([1, 1, 0, 1, 0, 0]), source="tiny")


def _rationales(tmp_path: Path, record: dict):
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(record) + "\n")
    return read_rationales(path, dataset=DATA)


# --- F4: rationale spans and words ----------------------------------------------------------------------------

@pytest.mark.parametrize("record, message", [
    ({"index": 0, "spans": [[8.0, 16.0]]}, r"Line 1 .* the span \[8\.0, 16\.0\] has the offset 8\.0, which is not an "
                                           r"integer"),
    ({"index": 0, "spans": [[8, 16.5]]}, r"offset 16\.5, which is not an integer"),
    ({"index": 0, "spans": [[True, 16]]}, r"offset True, which is not an integer"),
    ({"index": 0, "spans": [8, 16]}, r"\"spans\" is a list of \[start, end\] pairs, and \[8, 16\] is one pair\. "
                                     r"Write \[\[8, 16\]\]\."),
    ({"index": 0, "spans": [[8, 16, 20]]}, r"the span \[8, 16, 20\] is not a \[start, end\] pair"),
    ({"index": 0, "spans": [8.0, 16.0]}, r"the span 8\.0 is not a \[start, end\] pair"),
    ({"index": 0, "words": [1.0]}, r"word index 1\.0 is not an integer"),
    ({"index": 0, "words": [True]}, r"word index True is not an integer"),
])
def test_rationale_offsets_say_what_is_wrong(tmp_path, record, message):
    with pytest.raises(FaithlensError, match=message) as caught:
        _rationales(tmp_path, record)
    assert "is not inside the text" not in str(caught.value)


def test_good_spans_and_words_are_still_read_and_out_of_text_spans_still_named(tmp_path):
    assert _rationales(tmp_path, {"index": 0, "spans": [[8, 16]]}).spans_of(CORPUS[0]) == ((0, 8, 16),)
    assert _rationales(tmp_path, {"index": 0, "spans": [[0, 3], [8, 16]]}).spans_of(CORPUS[0]) == ((0, 0, 3), (0, 8, 16))
    assert _rationales(tmp_path, {"index": 0, "words": [1]}).spans_of(CORPUS[0]) == ((0, 4, 8),)
    with pytest.raises(FaithlensError, match=r"the span \[20, 99\] is not inside the text"):
        _rationales(tmp_path, {"index": 0, "spans": [[20, 99]]})


# --- F5: the cache folder -------------------------------------------------------------------------------------

def test_faithlens_home_a_file_is_refused_naming_the_setting(tmp_path, monkeypatch):
    home = tmp_path / "home.txt"
    home.write_text("not a folder")
    monkeypatch.setenv("FAITHLENS_HOME", str(home))
    with pytest.raises(FaithlensError, match=r"from FAITHLENS_HOME\) '.*home\.txt' is a file; expected a folder\. "
                                             r"To fix it, point FAITHLENS_HOME at a folder .* or unset it"):
        cache_home.cache_root()
    monkeypatch.setenv("FAITHLENS_HOME", str(home / "cache"))
    with pytest.raises(FaithlensError, match=r"'.*home\.txt/cache' is under '.*home\.txt', which is a file"):
        cache_home.cache_root()


def test_the_default_model_folder_is_checked_before_any_training(tmp_path, monkeypatch):
    from faithlens import default_model as dm

    home = tmp_path / "home.txt"
    home.write_text("")
    monkeypatch.setenv("FAITHLENS_HOME", str(home))
    monkeypatch.setattr(dm, "fine_tune", lambda **_: pytest.fail("fine-tuning started with a file as the cache"))
    with pytest.raises(FaithlensError, match="FAITHLENS_HOME"):
        dm.ensure_default_model(progress=False)


def test_a_cache_folder_that_cannot_be_created_or_written_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("FAITHLENS_HOME", "/proc/faithlens-cache")  # /proc takes no new folders, even from root
    with pytest.raises(FaithlensError, match=r"'/proc/faithlens-cache' cannot be created: .*FAITHLENS_HOME"):
        cache_home.cache_root()
    locked = tmp_path / "locked"
    locked.mkdir()
    monkeypatch.setenv("FAITHLENS_HOME", str(locked))
    real_access = os.access
    monkeypatch.setattr(cache_home.os, "access", lambda p, mode: False if Path(p) == locked else real_access(p, mode))
    with pytest.raises(FaithlensError, match=r"'.*locked' cannot be written \(no write permission\)"):
        cache_home.cache_root()


def test_a_good_cache_folder_is_created_and_xdg_named_when_it_is_the_source(tmp_path, monkeypatch):
    monkeypatch.setenv("FAITHLENS_HOME", str(tmp_path / "new" / "cache"))
    assert cache_home.cache_root() == tmp_path / "new" / "cache" and (tmp_path / "new" / "cache").is_dir()
    monkeypatch.delenv("FAITHLENS_HOME")
    (tmp_path / "xdg").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    with pytest.raises(FaithlensError, match=r"from XDG_CACHE_HOME\) .* set FAITHLENS_HOME to a folder"):
        cache_home.cache_root()


# --- F6: python -m bench's arguments --------------------------------------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["--seed", "-1"], r"argument --seed: expected an int in \[0, 4,294,967,295\], got -1"),
    (["--seed", str(2 ** 32)], r"argument --seed: expected an int in \[0, 4,294,967,295\]"),
    (["--threads", "100000"], r"argument --threads: 100,000 is more than this machine can use"),
    (["--threads", "0"], r"argument --threads: expected an int ≥ 1, got 0"),
    (["--certified-only", "--no-certified"], r"argument --no-certified: not allowed with argument --certified-only"),
])
def test_bench_refuses_bad_arguments_before_any_run(capsys, argv, message):
    with pytest.raises(SystemExit) as stop:
        bench_parse(argv)
    assert stop.value.code == 2
    assert __import__("re").search(message, capsys.readouterr().err)


def test_bench_out_must_be_a_folder(tmp_path, capsys):
    taken = tmp_path / "results.json"
    taken.write_text("{}")
    for out in (taken, taken / "sub"):
        with pytest.raises(SystemExit):
            bench_parse(["--out", str(out)])
        assert "results.json" in capsys.readouterr().err
    args = bench_parse(["--out", str(tmp_path / "fresh"), "--seed", "7", "--threads", "1", "--certified-only"])
    assert (args.out, args.seed, args.threads, args.certified_only) == (tmp_path / "fresh", 7, 1, True)
    assert not (tmp_path / "fresh").exists()  # created only after the data and model checks
