"""Views a person reads: words as the text writes them, decoded token texts, scores apart from punctuation,
one default per option in --help."""

from __future__ import annotations

import argparse
import dataclasses
import re

import pytest
import torch

from tiny import tiny

import faithlens
from faithlens.encoding import encode, unit_masks
from faithlens.written_words import join_written_words
from faithlens.views import render_terminal

TEXT = "you can't stop it's a well-made film - 'ok' 3-2"
WRITTEN = ["you", "can't", "stop", "it's", "a", "well-made", "film", "ok", "3-2"]  # "-" and the quotes: no letters


@pytest.mark.parametrize("kind", ["bert", "roberta", "gpt2_lm"])
def test_words_follow_the_text_not_the_tokenizer(kind):
    model = tiny(kind)
    e = faithlens.Explainer(model).explain(TEXT, "occlusion", **({"target": " the"} if kind == "gpt2_lm" else {}))
    words = [w.word for w in e.words]
    assert [w for w in words if any(c.isalnum() for c in w)] == WRITTEN
    cant = next(w for w in e.words if w.word == "can't")
    assert TEXT[cant.start:cant.end] == "can't" and len(cant.tokens) >= 2  # several tokenizer pieces, one word
    # the word's score is the sum of its tokens' scores (SPEC §5)
    assert cant.score == pytest.approx(sum(e.token_scores[t] for t in cant.tokens), abs=1e-9)


def test_sig_word_units_are_the_written_words():
    """SIG's default unit is the written word: "can't" moves as one unit, and its score is exactly
    F(w) − F(w with all of can ' t at the baseline) (closed form), not the sum of three separate removals."""
    model = tiny("bert", dtype=torch.float64)
    ex = faithlens.Explainer(model)
    e = ex.explain("you can't stop", "sig")
    assert [len(u) for u in e.units] == [1, 3, 1]
    enc = encode(model, ["you can't stop"])
    masks = unit_masks(enc, "word")[0]
    assert masks.sum(-1).tolist()[:3] == [1, 3, 1]
    # the closed form by hand: F(w) − F(w with the three tokens of "can't" at the [MASK] embedding)
    emb = model.model.get_input_embeddings()
    w = emb(enc.input_ids)
    moved = torch.where(masks[1][None, :, None], emb.weight[model.tokenizer.mask_token_id], w)
    logits = lambda x: model.model(inputs_embeds=x, attention_mask=enc.attention_mask).logits[0]  # noqa: E731
    c = e.target["index"]
    with torch.no_grad():
        expected = float(logits(w)[c] - logits(moved)[c])
    assert e.words[1].word == "can't" and e.words[1].score == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("method", ["sig", "occlusion", "ig"])
def test_normalised_word_scores_are_the_word_scores_over_their_own_norm(method):
    """Issue 22 (fifth breaker): a word's normalised score summed its tokens' normalised scores, so a word of n
    tokens sharing its score read up to √n (one-word text "can't": +1.73). It is now its score over the L2 norm
    of the word scores: within −1..1, squares adding to 1, and a one-word text reads ±1."""
    model = tiny("bert", dtype=torch.float64)
    ex = faithlens.Explainer(model)
    for text in ("can't", "you can't stop, can't you"):
        e = ex.explain(text, method)
        scores = torch.tensor([w.score for w in e.words], dtype=torch.float64)
        normed = torch.tensor([w.score_normalised for w in e.words], dtype=torch.float64)
        assert torch.allclose(normed, scores / scores.norm(), atol=1e-12)
        assert float((normed ** 2).sum()) == pytest.approx(1.0, abs=1e-12) and bool((normed.abs() <= 1 + 1e-12).all())
    one = ex.explain("can't", method)
    assert len(one.words) == 1 and len(one.words[0].tokens) == 3 and abs(one.words[0].score_normalised) == pytest.approx(1.0)
    assert "can't[" + f"{one.words[0].score_normalised:+.2f}]" in render_terminal([one], colour=False)


def test_a_schema_4_file_reads_its_word_scores_by_the_new_rule():
    """Files written before schema 5 stored the tokens' normalised sum; loading re-derives it (a derived field), and
    a current file whose word score_normalised disagrees with the rule is refused."""
    import json

    e = faithlens.Explainer(tiny("bert", dtype=torch.float64)).explain("you can't stop", "occlusion")
    old = json.loads(e.to_json())
    old["schema"] = 4
    del old["digest"]  # schema 4 had none
    for w in old["words"]:
        w["score_normalised"] = sum(old["token_scores_normalised"][t] for t in w["tokens"])
    with pytest.warns(UserWarning, match="schema 4, written before faithlens recorded a digest"):
        loaded = faithlens.Explanation.from_dict(old)
    assert dataclasses.replace(loaded, warnings=e.warnings) == e
    bad = json.loads(e.to_json())
    bad["words"][1]["score_normalised"] = sum(bad["token_scores_normalised"][t] for t in bad["words"][1]["tokens"])
    with pytest.raises(faithlens.FaithlensError, match="over the L2 norm of the word scores"):
        faithlens.Explanation.from_dict(bad)


def test_pairs_keep_segments_apart():
    e = faithlens.Explainer(tiny("bert")).explain(("you can't stop", "a well-made film"), "occlusion")
    assert [(w.word, w.segment) for w in e.words] == [("you", 0), ("can't", 0), ("stop", 0), ("a", 1), ("well-made", 1),
                                                      ("film", 1)]


def test_join_needs_touching_spans_and_letters_on_both_sides():
    text = "rock 'n' roll o-k x -y"
    #       0123456789012345678901
    ids = torch.tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    offsets = torch.tensor([[0, 4], [5, 6], [6, 7], [7, 8], [9, 13], [14, 15], [15, 16], [16, 17], [18, 19], [20, 21], [21, 22]])
    joined = join_written_words(ids, torch.zeros(11, dtype=torch.long), offsets, (text, ""))
    # rock | ' | n | ' | roll | o-k | x | - | y : quotes around n touch no letter on both sides; "o-k" joins
    assert joined.tolist() == [0, 1, 2, 3, 4, 5, 5, 5, 8, 9, 10]


def test_continuation_tokens_are_text_and_the_terminal_shows_no_symbols():
    model = tiny("gpt2_lm")
    e = faithlens.Explainer(model).explain("the film was good", "grad_x_input", target=" fun\nand it's", per_token=True)
    tokens = e.target["tokens"]
    assert "".join(tokens) == " fun\nand it's" == e.target["label"]
    assert any("Ġ" in p or "Ċ" in p for p in e.target["pieces"])  # the tokenizer's own symbols are kept aside
    shown = render_terminal([e], colour=False)
    assert not re.search("[ĠĊ▁]", shown) and "&#" not in shown
    assert "target class" not in shown and "+ supports the continuation \" fun\\nand it's\"" in shown, shown
    assert "".join(shown.splitlines()[4].split()) == "fun\\nandit's"  # the matrix's column heads, decoded


def test_scores_are_set_apart_from_punctuation():
    e = faithlens.Explainer(tiny("bert")).explain("good, bad.", "occlusion")
    line = render_terminal([e], colour=False).splitlines()[-1]
    assert re.search(r"good\[[+-]\d\.\d\d\] ,\[[+-]\d\.\d\d\] bad\[[+-]\d\.\d\d\] \.\[[+-]\d\.\d\d\]", line), line


def _entries(help_text: str) -> dict[str, str]:
    """Option -> its help entry (wrapped lines joined)."""
    out, current = {}, None
    for line in help_text.splitlines():
        m = re.match(r"^  (--[\w-]+)", line)
        if m:
            current = m.group(1)
            out[current] = line
        elif current and line.startswith("    "):
            out[current] += " " + line.strip()
        else:
            current = None
    return out


def test_every_subcommand_states_each_default_once():
    from faithlens.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in sub.choices.items():
        text = command.format_help()
        assert not re.search(r"\(default: [^)]*\)\s*\(default:", text), name
        entries = _entries(text)
        for action in command._actions:
            option = next((o for o in action.option_strings if o.startswith("--")), None)
            if option in (None, "--help"):
                continue
            said = re.sub(r"\s+", " ", entries[option]).lower().count("default")
            if not (action.default is None or action.default is False or action.default == []):  # 0 is a default
                assert said >= 1, f"{name} {option} does not state its default {action.default!r}"
            if not (name == "explain" and option == "--steps"):  # --steps also names --tolerance's default
                assert said <= 1, f"{name} {option}: {entries[option]}"
    train = _entries(sub.choices["train"].format_help())
    assert "(default: 32)" in train["--batch-size"] and "(default: 0)" in train["--split-seed"]
    assert "(default: None)" not in sub.choices["train"].format_help()


def test_audit_prints_its_report_as_text(saved_tiny, tmp_path, capsys, monkeypatch):
    """`faithlens audit` draws the Markdown report (rich) as plain text when not a TTY: no raw marks or entities."""
    from faithlens.cli import main

    data = tmp_path / "d.tsv"
    data.write_text("sentence\tlabel\nyou can't stop it\t1\nthe film was not good\t0\na well-made, funny story\t1\n")
    monkeypatch.setenv("NO_COLOR", "1")
    main(["audit", "--model", str(saved_tiny), "--data", str(data), "--limit", "3", "--steps", "2", "--examples", "3"])
    out = capsys.readouterr().out
    assert "faithlens audit" in out and "Verdict (" in out and "Spearman" in out
    assert "**" not in out and "|---" not in out and "&#" not in out and "\x1b[" not in out and "\\_" not in out
    assert "can't" in out  # the example sentence, as written
