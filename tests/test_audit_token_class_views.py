"""Twentieth breaker F3: `audit --token-class the,film` tested the user's word class (JSON
methods.*.concentration["words: film, the"]) but the terminal table, the Markdown and the HTML report never showed
it, and the verdict named only stop words / the first token / punctuation. Also `--token-class 'film film'` suggested
"--token-class film,film (classes=[frozenset({'film', 'film'})])"."""

import re

import pytest
import torch
from tiny import CORPUS, tiny

from faithlens.audit.report import CLASSES, audit, judge
from faithlens.errors import FaithlensError
from faithlens.views.terminal import render_markdown as terminal_text

NAME = "words: film, the"
TEXTS = [*CORPUS, "the end of the story", "the best film of the year"]  # 5 hold the class: enough to test it


@pytest.fixture(scope="module")
def report():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield audit(tiny("bert"), TEXTS, steps=2, n_examples=1, progress=False,
                    classes=[*CLASSES, frozenset({"the", "film"})])
    finally:
        torch.set_num_threads(threads)


def _row(markdown: str, label: str) -> list[str]:
    line = next(line for line in markdown.splitlines() if line.startswith(f"| {label} |"))
    return [c.strip() for c in line.strip("|").split("|")]


def test_the_markdown_table_shows_the_word_class_share_and_holm_p_from_the_json_data(report):
    md = report.to_markdown()
    header = _row(md, "method")
    share, p = header.index(f"share on {NAME}"), header.index("Holm p, film, the")
    assert header[-1] == "seconds"
    for label, m in report.methods.items():
        row = _row(md, label)
        assert len(row) == len(header)
        if m["kind"] == "gradient":
            t = m["concentration"][NAME]
            assert row[share] == f"{t['share']:.2f}"
            assert row[p].split()[0] == f"{t['p_holm']:.2f}"
            assert row[p].endswith(" yes") == t["concentrates"] and row[p].endswith(" leans") == t["leans"]
    ref = report.settings["reference"]
    reference_share = report.methods["ig"]["concentration"][NAME]["reference_share"]
    assert _row(md, ref)[share] == f"{reference_share:.2f}"  # what the gradient methods were tested against
    assert _row(md, "sig:closed")[share] == "–"  # not tested
    n = report.methods["ig"]["concentration"][NAME]["n"]
    assert f"film, the: {n} of {len(TEXTS)} texts hold one" in md


def test_the_html_and_the_terminal_show_the_word_class_too(report):
    html = report.to_html()
    assert f"<th>share on {NAME}</th>" in html and "<th>Holm p, film, the</th>" in html
    ig = report.methods["ig"]["concentration"][NAME]
    assert re.search(rf"<td>ig</td>(<td>[^<]*</td>)*<td>{ig['share']:.2f}</td><td>{ig['p_holm']:.2f}", html)
    text = terminal_text(report.to_markdown(), colour=False, width=200)  # the terminal draws the Markdown
    cells = next(line.split() for line in text.splitlines() if line.split()[:1] == ["ig"])
    md = _row(report.to_markdown(), "ig")
    assert cells == md and cells[-3:-1] == [f"{ig['share']:.2f}", f"{ig['p_holm']:.2f}"]  # the class columns
    assert "Word class columns (--token-class)" in " ".join(text.split())


def test_the_verdict_names_the_word_class(report):
    tests = [m["concentration"][NAME] for m in report.methods.values() if "concentration" in m]
    assert tests and not any(t["concentrates"] or t["leans"] for t in tests)  # a clean tiny model
    assert "your words (film, the)" in report.verdict or "Your words (film, the) were tested too" in report.verdict
    assert "film, the" in report.to_markdown().split("\n")[2] and "film, the" in report.to_html().split("</p>")[0]


def _test(concentrates=False, leans=False):
    return {"share": 0.5, "reference_share": 0.1, "mean_difference": 0.4, "ci": [0.3, 0.5], "rank_biserial": 0.9,
            "p": 0.001, "p_holm": 0.004, "n": 20, "concentrates": concentrates, "leans": leans}


def _methods(stop_words: dict, words: dict) -> dict:
    row = {"kind": "gradient", "vs_occlusion": {"spearman": 0.9, "top1_agreement": 0.9},
           "concentration": {"stop_words": stop_words, "words: film": words}}
    return {"ig": row, "occlusion": {"kind": "output"}}


def test_the_verdict_names_a_word_class_that_concentrates_or_says_it_was_tested_and_did_not():
    level, verdict, findings = judge(_methods(_test(), _test(concentrates=True)))
    assert level == "untrustworthy" and "ig on words: film" in verdict and "stop words" not in verdict
    assert any(f.startswith("ig concentrates attribution on words: film") for f in findings)
    level, verdict, _ = judge(_methods(_test(concentrates=True), _test()))
    assert level == "untrustworthy" and "ig on stop words" in verdict
    assert "Your words (film) were tested too: no gradient method concentrates attribution there." in verdict
    level, verdict, _ = judge(_methods(_test(leans=True), _test()))
    assert level == "caution" and "Your words (film) were tested too" in verdict
    level, verdict, _ = judge(_methods(_test(), _test()))
    assert level == "ok" and "on stop words or your words (film) beyond" in verdict  # the classes tested, only
    level, verdict, _ = judge({"ig": {"kind": "gradient", "concentration": {"stop_words": _test()}}})
    assert level == "ok" and "on stop words beyond" in verdict and "first token" not in verdict and "your words" not in verdict


def test_a_word_repeated_with_a_space_is_suggested_once_in_the_form_of_where_it_was_given(capsys, tmp_path):
    from faithlens.cli import main

    with pytest.raises(FaithlensError) as info:
        audit(tiny("bert"), CORPUS[:3], classes=[frozenset({"film film"})], progress=False)
    message = str(info.value)
    assert "classes=[frozenset({'film'})] (CLI: --token-class film)" in message and "film,film" not in message
    assert main(["audit", "--model", str(tmp_path / "no-model"), "--token-class", "film film"]) == 2  # before loading
    err = capsys.readouterr().err
    assert "Pass the word once, without spaces, e.g. --token-class film." in err
    assert "film,film" not in err and "frozenset" not in err
    assert main(["audit", "--model", str(tmp_path / "no-model"), "--token-class", "Movie film"]) == 2
    err = capsys.readouterr().err
    assert "separated by commas, e.g. --token-class movie,film." in err and "frozenset" not in err
