"""examples/quickstart.ipynb runs top to bottom on the default model, in a real kernel (nbclient), and shows rich output."""

import importlib.util
import re
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
pytest.importorskip("nbclient", reason="running the notebook needs nbclient (the test extra)")
pytest.importorskip("ipykernel", reason="running the notebook needs ipykernel (the test extra)")
pytest.importorskip("matplotlib", reason="the notebook's evaluation shows plots (the plots extra)")

ROOT = Path(__file__).resolve().parents[1]


def _make_docs():
    spec = importlib.util.spec_from_file_location("make_docs", ROOT / "scripts" / "make_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _html(cell) -> str:
    out = [o for o in cell.outputs if o.output_type in ("execute_result", "display_data") and "text/html" in o.data]
    assert out, f"no rich output from:\n{cell.source}"
    return out[-1].data["text/html"]


def _progress_shown(cell) -> bool:
    """A tqdm bar in the cell's outputs: a live widget (ipywidgets; its saved text is the first frame, "0/32 [") or
    text on stderr."""
    for o in cell.outputs:
        text = o.get("text", "") if o.output_type == "stream" else o.get("data", {}).get("text/plain", "")
        if re.search(r"\|\s*\d+/\d+ \[", text):
            return True
    return False


def test_readme_gives_one_command_for_the_notebook():
    docs = _make_docs()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"\n{docs.NOTEBOOK_COMMAND}" in readme  # a line of its own, to paste into a shell
    assert shutil.which("jupyter"), "the test extra installs nbclient, whose `jupyter execute` the README names"


def test_quickstart_runs_by_the_readme_command_and_displays_rich_output():
    from conftest import artefact_dir

    docs = _make_docs()
    nb = docs.run_notebook()  # runs the README's command; raises CalledProcessError on any failing cell
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    one = _html(next(c for c in code if c.source.startswith("e = ex.explain")))
    assert one.startswith('<div class="faithlens">') and one.count('class="w"') >= 4 and "negative" in one
    side = _html(next(c for c in code if "ex.compare(" in c.source))
    assert side.count("<tr data-method=") == 4
    table = _html(next(c for c in code if "evaluate(" in c.source))
    assert '<table class="eval">' in table and table.count('<img class="plot"') == 2
    progress = [c for c in code if "evaluate(" in c.source or "audit(" in c.source]
    assert all(_progress_shown(c) for c in progress), "the long cells (evaluate, audit) show a progress bar"
    report = _html(next(c for c in code if "audit(" in c.source))
    assert "Verdict (" in report and report.count('<img class="plot"') == 2 and "##" not in report.split("Examples")[1]
    page = docs.notebook_html(nb, "faithlens quickstart")
    (artefact_dir() / "quickstart.html").write_text(page, encoding="utf-8")
    assert "<script" not in page
