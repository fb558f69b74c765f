"""Issue 22, thirtieth breaker F1-F3 and the thirty-first's note: Comparison built from a list of Explanations,
`--score max_logit` shown as explaining the largest logit (it has no target), `top_words(k)` checks k, and a damaged
checkpoint is set aside with a warning."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tiny import tiny

from faithlens import Comparison, Explainer
from faithlens.checkpoint import Checkpoint
from faithlens.errors import FaithlensError, FaithlensWarning
from faithlens.views.terminal import render_terminal

TEXT = "a very good film indeed"


@pytest.fixture(scope="module")
def ex():
    return Explainer(tiny("bert"))


def test_a_list_of_explanations_is_keyed_by_method(ex):
    a, b = ex.explain(TEXT, "occlusion"), ex.explain(TEXT, "ig", steps=4)
    c = Comparison([a, b])
    assert list(c) == ["occlusion", "ig"] and c["ig"] is b
    assert Comparison((e for e in [a, b])) == c and Comparison([("occlusion", a)], ig=b) == c
    with pytest.raises(FaithlensError, match=r"Two explanations of the method 'occlusion' .* Key them yourself"):
        Comparison([a, a])
    with pytest.raises(FaithlensError, match=r"takes Explanations or \(method name, Explanation\) pairs; one entry is int"):
        Comparison([a, 3])
    with pytest.raises(FaithlensError, match=r"Got Explanation"):
        Comparison(a)
    other = ex.explain("a dull plot", "ig", steps=4)
    with pytest.raises(FaithlensError, match="text"):
        Comparison([a, other])


@pytest.mark.parametrize("k, n", [(0, 0), (2, 2), (99, 5), (np.int64(3), 3), (torch.tensor(1), 1)])
def test_top_words_takes_a_count(ex, k, n):
    e = ex.explain(TEXT, "occlusion")
    top = e.top_words(k)
    assert len(top) == n and [w.score for w in top] == sorted((w.score for w in e.words), reverse=True)[:n]


@pytest.mark.parametrize("k", [-1, 2.5, True, "2", None])
def test_top_words_refuses_what_is_not_a_count(ex, k):
    with pytest.raises(FaithlensError, match=r"top_words\(k\) takes the number of words to return, an int ≥ 0"):
        ex.explain(TEXT, "occlusion").top_words(k)


def test_max_logit_is_shown_as_the_largest_logit_not_a_target(ex):
    e = ex.explain(TEXT, "occlusion", score="max_logit")
    shown = render_terminal([e], colour=False)
    assert "target:" not in shown and "supports the target class" not in shown
    assert f"explains: the largest logit ({e.target['label']} at the input; it may be another class's" in shown
    assert "+ supports the largest logit (whichever class has it), − opposes it" in shown
    assert "the largest logit (whichever class has it)" in e._repr_html_()
    plain = render_terminal([ex.explain(TEXT, "occlusion")], colour=False)
    assert f"target: {e.target['label']}" in plain


def test_a_damaged_checkpoint_is_set_aside_with_a_warning(tmp_path):
    (tmp_path / "checkpoint.pt").write_bytes(b"cut off")
    checkpoint = Checkpoint(tmp_path / "checkpoint.pt", "abc", every=1)
    with pytest.warns(FaithlensWarning, match=r"cannot be read .* kept as .*checkpoint.pt.unreadable' and the run starts "
                                              r"over from step 0"):
        assert checkpoint.restore({}) == (0, {})
    assert (tmp_path / "checkpoint.pt.unreadable").read_bytes() == b"cut off"


# --- F4: a single-file output replaces only a file of its own kind -------------------------------------------------

@pytest.mark.parametrize("name, refused", [("d.tsv", "ends in '.tsv'"), ("run-me", "has no suffix"),
                                           ("old.html", None), ("old.HTM", None), ("new.txt", None)])
def test_html_replaces_only_an_html_file(tmp_path, name, refused):
    from faithlens.files import check_output_file

    path = tmp_path / name
    if name != "new.txt":  # a new file of any name is written
        path.write_text("sentence\tlabel\ngood\t1\n")
    if refused is None:
        assert check_output_file(path, option="--html", suffix=".html") == path
        return
    with pytest.raises(FaithlensError, match=rf"--html .* is an existing file that {refused}, not a .html file: writing "
                                             r"there would replace it. Pass a name ending in .html"):
        check_output_file(path, option="--html", suffix=".html")
    assert path.read_text().startswith("sentence")


def test_explain_html_over_a_data_file_is_refused_before_any_work(tmp_path, capsys):
    from faithlens.cli import main

    data = tmp_path / "d2.tsv"
    data.write_text("sentence\tlabel\ngood film\t1\n")
    assert main(["explain", "good film", "--model", "nowhere/none", "--method", "occlusion", "--html", str(data)]) == 2
    assert "not a .html file" in capsys.readouterr().err and data.read_text().startswith("sentence")


@pytest.mark.parametrize("name, body, held", [
    ("snli.jsonl", '{"premise": "a", "hypothesis": "b", "label": "neutral"}\n', "data (records of texts or labels)"),
    ("rows.json", '[{"text": "good", "label": 1}]', "data (records of texts or labels)"),
    ("squad.json", '{"version": "1.1", "data": [{"title": "t", "paragraphs": []}]}', "SQuAD-format data"),
    ("README.md", "# faithlens\n\nthe project's readme\n", "a Markdown document"),
])
def test_an_output_of_the_same_suffix_never_replaces_data_or_a_document(tmp_path, name, body, held):
    """Thirty-seventh breaker F2: the suffix alone let a report replace a data file or a README of that suffix."""
    from faithlens.files import check_output_file

    path = tmp_path / name
    path.write_text(body)
    suffix = {".jsonl": ".jsonl", ".json": ".json", ".md": ".md"}[path.suffix]
    import re

    with pytest.raises(FaithlensError, match=re.escape(f"is an existing file that holds {held}, not a faithlens output")):
        check_output_file(path, option="--out", suffix=suffix)
    assert path.read_text() == body


@pytest.mark.parametrize("name, body", [
    ("r.jsonl", '{"text": "good film", "spans": [[0, 4]]}\n'),  # rationales written before
    ("a.json", '{"model": "default", "n": 2, "verdict": "ok"}'),  # an audit report
    ("a.md", "# faithlens audit: default\n"),
    ("empty.json", ""),
])
def test_an_output_written_before_is_replaced(tmp_path, name, body):
    from faithlens.files import check_output_file

    (tmp_path / name).write_text(body)
    assert check_output_file(tmp_path / name, option="--out", suffix=(tmp_path / name).suffix) == tmp_path / name
