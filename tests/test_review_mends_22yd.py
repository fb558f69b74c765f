"""Issue 22 code review (yd): encode tokenizes a batch once; the folders the output checks make are kept per
`removing_new_folders` block (a context variable), none outside one; a sealed record line is serialized once,
byte for byte as before."""

import hashlib
import json
import re
import threading

import pytest

from faithlens import FaithlensError
from faithlens.encoding import check_tokenized, encode
from faithlens.evaluate.folder import DIGEST_KEY, sealed, sealed_line
from faithlens.files import check_output_folder, created_folders
from faithlens.new_folders import removing_new_folders
from tiny import tiny

EMPTY = "is empty or only whitespace (or invisible characters): the model's tokenizer reads no token in it"


# --- 1. one tokenizer pass per encode() -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bert():
    return tiny("bert")


@pytest.fixture
def calls(bert, monkeypatch):
    """The tokenizer's calls, counted (its class's __call__ wrapped)."""
    made = []
    cls = type(bert.tokenizer)
    real = cls.__call__

    def counted(self, *args, **kwargs):
        made.append(args[0] if args else kwargs.get("text"))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(cls, "__call__", counted)
    return made


def test_encode_tokenizes_a_batch_of_three_texts_once(bert, calls):
    enc = encode(bert, ["a gripping film", "dull", "great fun overall"])
    assert len(calls) == 1  # was 2: check_tokenized's pass, then the batch's
    assert enc.input_ids.shape[0] == 3 and enc.attributed.sum(1).tolist() == [3, 1, 3]


@pytest.mark.parametrize("texts, what", [
    (["a gripping film", "dull", "\u0301"], "Text 2 "),
    ([("a man sleeps", "a person rests"), ("a man sleeps", "\u0301\u0300")], "The second text of pair 1 "),
    ([("\u0301", "a person rests")], "The first text of pair 0 "),
])
def test_a_text_that_tokenizes_to_nothing_gets_the_same_refusal_from_the_one_pass(bert, calls, texts, what):
    with pytest.raises(FaithlensError) as by_check:
        check_tokenized(bert, texts)
    assert str(by_check.value).startswith(what + EMPTY)
    calls.clear()
    with pytest.raises(FaithlensError) as by_encode:
        encode(bert, texts)
    assert str(by_encode.value) == str(by_check.value) and len(calls) == 1


# --- 2. created folders are kept per block -------------------------------------------------------------------------
def test_outside_a_block_nothing_accumulates(tmp_path):
    assert created_folders.get() is None
    check_output_folder(tmp_path / "a" / "b", option="--out")
    assert (tmp_path / "a" / "b").is_dir() and created_folders.get() is None


def test_blocks_do_not_see_each_others_folders(tmp_path):
    with removing_new_folders():
        check_output_folder(tmp_path / "outer", option="--out")
        with pytest.raises(RuntimeError), removing_new_folders():
            check_output_folder(tmp_path / "inner" / "deep", option="--out")
            assert created_folders.get() == [tmp_path / "inner", tmp_path / "inner" / "deep"]
            raise RuntimeError
        assert not (tmp_path / "inner").exists()  # the failed inner block removed its own folders
        assert created_folders.get() == [tmp_path / "outer"]  # and the outer block never saw them
    with pytest.raises(RuntimeError), removing_new_folders():  # a later block starts empty
        assert created_folders.get() == []
        check_output_folder(tmp_path / "later", option="--out")
        raise RuntimeError
    assert (tmp_path / "outer").is_dir() and not (tmp_path / "later").exists()
    assert created_folders.get() is None


def test_a_thread_keeps_its_own_folders(tmp_path):
    seen = {}

    def work():
        seen["before"] = created_folders.get()
        with removing_new_folders():
            check_output_folder(tmp_path / "thread", option="--out")
            seen["inside"] = list(created_folders.get())

    with removing_new_folders():
        t = threading.Thread(target=work)
        t.start()
        t.join()
        assert created_folders.get() == []
    assert seen == {"before": None, "inside": [tmp_path / "thread"]}


# --- 3. a sealed line, serialized once, as written before ------------------------------------------------------------
def _as_written_before(record: dict) -> tuple[str, str]:
    """(digest, line) as `sealed` + json.dumps wrote them before: read back, canonical JSON without the digest."""
    back = json.loads(json.dumps(record, allow_nan=False))
    back.pop(DIGEST_KEY, None)
    canonical = json.dumps(back, sort_keys=True, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return digest, json.dumps({**record, DIGEST_KEY: digest}, allow_nan=False)


@pytest.mark.parametrize("record", [
    {"index": 3, "tokens": ("[CLS]", "café", "[SEP]"), "token_scores": [0.1, -2.5e-17, 1 / 3], "special": [True, False, True]},
    {"index": 0, "metrics": {2: 0.5, 10: None, "k": [1, 2]}, "text": "naïve \u2603 \"quoted\" \\ back"},
    {"z": 1, DIGEST_KEY: "0" * 64, "a": {"nested": [True, None]}},  # resealed: the field keeps its place
    {},
])
def test_a_sealed_line_is_byte_identical_to_the_line_written_before(record):
    digest, line = _as_written_before(record)
    kept = dict(record)
    assert sealed_line(record) == line
    assert record[DIGEST_KEY] == digest == json.loads(line)[DIGEST_KEY]
    assert json.dumps(sealed(dict(kept)), allow_nan=False) == line  # sealed itself is unchanged


def test_a_sealed_line_refuses_nan_as_before():
    with pytest.raises(ValueError, match=re.escape("Out of range float values are not JSON compliant")):
        sealed_line({"index": 0, "score": float("nan")})
