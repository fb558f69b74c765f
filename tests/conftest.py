import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import pytest  # noqa: E402

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


ARTEFACTS: list[Path] = []


def artefact_dir() -> Path:
    """Where tests keep what a person should look at (screenshots, rendered pages): $FAITHLENS_ARTIFACTS,
    or build/test-artifacts in the checkout. The folder is printed at the end of the run."""
    folder = Path(os.environ.get("FAITHLENS_ARTIFACTS") or Path(__file__).resolve().parents[1] / "build" / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    if folder not in ARTEFACTS:
        ARTEFACTS.append(folder)
    return folder


def pytest_terminal_summary(terminalreporter):
    for folder in ARTEFACTS:
        files = sorted(p.name for p in folder.iterdir())
        terminalreporter.write_line(f"faithlens test artefacts in {folder}: {', '.join(files)}")


@pytest.fixture(scope="module")
def saved_tiny(tmp_path_factory):
    """A tiny BERT classifier saved as a model folder (save_pretrained: config, weights, tokenizer)."""
    from tiny import save_tiny

    return save_tiny(tmp_path_factory.mktemp("tiny-model"), "bert")
