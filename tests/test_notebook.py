"""examples/quickstart.ipynb runs top to bottom on the default model, in a real kernel (nbclient), and shows rich output."""

import importlib.util
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


def test_quickstart_runs_and_displays_rich_output():
    from conftest import artefact_dir

    docs = _make_docs()
    nb = docs.run_notebook()  # raises CellExecutionError on any failing cell
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    one = _html(next(c for c in code if c.source.startswith("e = ex.explain")))
    assert one.startswith('<div class="faithlens">') and one.count('class="w"') >= 4 and "negative" in one
    side = _html(next(c for c in code if "ex.compare(" in c.source))
    assert side.count("<tr data-method=") == 4
    table = _html(next(c for c in code if "evaluate(" in c.source))
    assert '<table class="eval">' in table and table.count('<img class="plot"') == 2
    report = _html(next(c for c in code if "audit(" in c.source))
    assert "Verdict (" in report and report.count('<img class="plot"') == 2 and "##" not in report.split("Examples")[1]
    page = docs.notebook_html(nb, "faithlens quickstart")
    (artefact_dir() / "quickstart.html").write_text(page, encoding="utf-8")
    assert "<script" not in page
