"""Twenty-fourth breaker, minor notes (issue 22, part 1).

- `Explanation.from_json` of a str that starts with a byte order mark (U+FEFF) was refused ("Unexpected UTF-8 BOM")
  though the same bytes loaded: `json_files.loads` skips a leading BOM in a str as in bytes (one rule, every JSON input).
- `rationales sst2 --out EXISTING` replaces the file, as every option that writes one file does (explain --html,
  audit's reports): only model folders ask for --overwrite. Its help now says so.
- `evaluate --out /dev/null` said "is a file"; the folder check names a device as the file check does
  ("a character device"), for every --out FOLDER (evaluate, train, facade train/merge).
"""

import json
import os

import pytest

from faithlens import Explainer, Explanation
from faithlens.cli import main
from faithlens.errors import FaithlensError
from faithlens.files import check_output_file, check_output_folder
from faithlens.json_files import loads

BOM = "\ufeff"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


# --- a byte order mark in a str ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def written(saved_tiny):
    return Explainer(str(saved_tiny)).explain("a dull, tired film", "occlusion").to_json()


def test_an_explanation_str_with_a_bom_loads_as_its_bytes_do(written, tmp_path):
    from_bytes = Explanation.from_json((BOM + written).encode("utf-8"))
    from_str = Explanation.from_json(BOM + written)
    assert from_str.to_json() == from_bytes.to_json() == written
    path = tmp_path / "e.json"
    path.write_bytes((BOM + written).encode("utf-8"))  # an editor that saves with a BOM
    assert Explanation.from_json(path.read_text(encoding="utf-8")).token_scores == from_bytes.token_scores


def test_loads_skips_one_leading_bom_only():
    assert loads(BOM + '{"a": 1}', where="x") == {"a": 1} == loads((BOM + '{"a": 1}').encode(), where="x")
    with pytest.raises(json.JSONDecodeError):  # a second mark, or one inside, is not a byte order mark
        loads(BOM + BOM + '{"a": 1}', where="x")
    assert loads(f'"{BOM}a"', where="x") == BOM + "a"  # inside a string it is kept as text


def test_a_bom_does_not_hide_a_repeated_key():
    with pytest.raises(FaithlensError, match="names the key 'a' twice"):
        loads(BOM + '{"a": 1, "a": 2}', where="x")


# --- rationales --out replaces an existing file, as the other one-file outputs do --------------------------------

def test_rationales_replaces_an_existing_out_file_and_says_so_in_help(tmp_path, capsys):
    train = tmp_path / "train.tsv"
    train.write_text("sentence\tlabel\ngreat\t1\nawful\t0\n", encoding="utf-8")
    data = tmp_path / "dev.tsv"
    data.write_text("sentence\tlabel\ngreat film\t1\nawful film\t0\n", encoding="utf-8")
    out = tmp_path / "r.jsonl"
    out.write_text("old\n", encoding="utf-8")
    code, _, err = run(capsys, "rationales", "sst2", "--train", train, "--data", data, "--out", out)
    assert code == 0, err
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["label"] for line in lines] == [1, 0] and "old" not in out.read_text(encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["rationales", "sst2", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "an existing file is replaced, as explain --html and audit's reports are" in help_text


def test_the_one_file_rule_accepts_an_existing_file(tmp_path):
    existing = tmp_path / "report.html"
    existing.write_text("x", encoding="utf-8")
    assert check_output_file(existing, option="--html", suffix=".html") == existing  # replaced when written


# --- a device given where a folder is expected --------------------------------------------------------------------

@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="needs /dev/null")
def test_the_folder_check_names_a_device_as_the_file_check_does(tmp_path):
    with pytest.raises(FaithlensError, match=r"--out '/dev/null' is a character device; expected a folder"):
        check_output_folder("/dev/null", option="--out")
    with pytest.raises(FaithlensError, match=r"--html '/dev/null' is a character device, not a regular file"):
        check_output_file("/dev/null", option="--html", suffix=".html")
    plain = tmp_path / "a-file"
    plain.write_text("x", encoding="utf-8")
    with pytest.raises(FaithlensError, match=r"is a file; expected a folder"):  # a regular file is still "a file"
        check_output_folder(plain, option="--out")


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="needs /dev/null")
@pytest.mark.parametrize("argv", [["evaluate", "--model", "{model}", "--out", "/dev/null"],
                                  ["facade", "train", "--model", "{model}", "--out", "/dev/null"],
                                  ["facade", "merge", "--model", "{model}", "--facade", "x", "--out", "/dev/null"],
                                  ["train", "--train", "{train}", "--out", "/dev/null"]])
def test_every_out_folder_option_names_dev_null_a_character_device(saved_tiny, tmp_path, capsys, argv):
    train = tmp_path / "train.tsv"
    train.write_text("text\tlabel\ngreat fun\t1\ndull and slow\t0\n", encoding="utf-8")
    argv = [a.format(model=saved_tiny, train=train) for a in argv]
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert "--out '/dev/null' is a character device; expected a folder" in err and "is a file" not in err
