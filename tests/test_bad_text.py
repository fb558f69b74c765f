"""Issue 10, kind 3: text that is not what it looks like."""

import io

import pytest
import torch

from faithlens import Explainer
from faithlens.cli import main
from faithlens.errors import FaithlensError
from tiny import tiny


@pytest.fixture(scope="module")
def ex():
    return Explainer(tiny("bert", dtype=torch.float64))


@pytest.mark.parametrize("text", ["\u200b\u200b", "\ufeff", "\u200d \u2060", " \u00ad "])
def test_invisible_only_texts_are_refused(ex, text):
    with pytest.raises(FaithlensError, match="empty or only whitespace"):
        ex.explain(text, "grad_x_input")


def test_literal_special_tokens_are_text_with_a_warning(ex):
    e = ex.explain("good [MASK] film [SEP] [CLS]", "occlusion")
    assert e.tokens[0] == "[CLS]" and e.tokens[-1] == "[SEP]" and sum(e.special) == 2
    assert any("'[CLS]', '[MASK]', '[SEP]'" in w for w in e.warnings)


@pytest.mark.parametrize("target", [None, 1])
def test_lone_surrogate_is_refused(ex, target):
    with pytest.raises(FaithlensError, match="lone surrogate"):
        ex.explain("good \ud800 film", "grad_x_input", target=target)


@pytest.mark.parametrize("item,message", [(None, "must be a str. Got NoneType"), (3, "must be a str. Got int"),
                                          (b"good", "must be a str. Got bytes"), (["a", "b", "c"], "must be a pair .* Got 3 parts")])
def test_wrong_types_are_refused(ex, item, message):
    with pytest.raises(FaithlensError, match=message):
        ex.explain([item] if not isinstance(item, list) else [tuple(item)], "grad_x_input")


@pytest.mark.parametrize("target,message", [(1.5, "Got float"), (b"x", "Got bytes"), (True, "Got bool"),
                                            (object(), "Got object")])
def test_wrong_target_types_are_refused(ex, target, message):
    with pytest.raises(FaithlensError, match=message):
        ex.explain("good fun", "grad_x_input", target=target)


def test_extra_spaces_on_byte_level_bpe_keep_every_score_in_a_word():
    e = Explainer(tiny("roberta", dtype=torch.float64)).explain("good   film  ", "occlusion")
    assert all(w.word.strip() == w.word and w.word for w in e.words)
    assert sum(len(w.tokens) for w in e.words) == sum(not s for s in e.special)  # whitespace tokens joined a word
    assert sum(w.score for w in e.words) == pytest.approx(sum(e.token_scores), abs=1e-12)


@pytest.mark.parametrize("sep", ["\u2028", "\v", "\f", "\x85"])
def test_file_and_stdin_split_on_newlines_only(tmp_path, monkeypatch, capsys, sep):
    monkeypatch.setattr("faithlens.explainer.load_model", lambda *a, **k: tiny("bert"))
    path = tmp_path / "texts.txt"
    path.write_text(f"good{sep}film\nbad movie\n", encoding="utf-8")
    assert main(["explain", "--file", str(path), "--method", "occlusion", "--json"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO(f"good{sep}film\r\nbad movie\n"))
    assert main(["explain", "-", "--method", "occlusion", "--json"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 2


def test_control_characters_never_reach_the_terminal_raw(ex):
    from faithlens.views import render_terminal

    e = ex.explain("good \x1b[31mfilm\x07 dull", "occlusion")
    out = render_terminal([e], colour=False)
    assert "\x1b" not in out and "\x07" not in out and "\\x1b" in out


@pytest.mark.parametrize("texts, message", [
    (("a premise", ""), "The second text of pair 0 is empty or only whitespace"),
    (("a premise", "  "), "The second text of pair 0 is empty"),
    (["good", ("", "a hypothesis")], "The first text of pair 1 is empty"),
    ([("a", None)], "The second text of pair 0 is None, not a str"),
    ([("a", 3)], "The second text of pair 0 must be a str. Got int"),
    ([None], "Text 0 is None, not a str"),
])
def test_a_bad_text_of_a_pair_is_named_by_its_side(ex, texts, message):
    """Issue 22, H3: not "Text 0 is empty" for a pair whose second text is empty; the message says how to fix."""
    with pytest.raises(FaithlensError) as info:
        ex.explain(texts, "occlusion")
    assert message in str(info.value)
    if "pair" in message:
        assert 'A pair holds two non-empty texts, e.g. ("a man sleeps", "a person rests")' in str(info.value)
