"""Seventeenth breaker F2, F3, F5 (issue 22): a causal LM's prompt and continuation must fit the model's positions,
checked before generation for every model; a target text's special-token strings are plain text, as a prompt's are;
the length errors name the continuation asked for (max_new_tokens or a target text) in the surface's words."""

import re

import pytest
import torch

from faithlens import Explainer
from faithlens.cli import main
from faithlens.errors import FaithlensError
from tiny import save_tiny, tiny

PROMPT = "the film was very"


@pytest.fixture(scope="module", params=["gpt2_lm", "llama_lm"])
def lm(request):
    return Explainer(tiny(request.param, dtype=torch.float64))


@pytest.fixture(scope="module")
def lm_folder(tmp_path_factory):
    return str(save_tiny(tmp_path_factory.mktemp("gpt2_lm"), "gpt2_lm"))


def prompt_tokens(lm) -> int:
    return len(lm.model.tokenizer(PROMPT)["input_ids"])


def most_named(message: str) -> int:
    return int(re.search(r"max_new_tokens=(\d+) or fewer", message).group(1))


def test_too_many_new_tokens_are_refused_before_generating(lm, monkeypatch):
    """F2: GPT-2 (learned positions) ran past its position embeddings inside generate (IndexError); every causal LM
    now gets the same error, before any generation. The model reads the prompt and all but the last new token."""
    limit, p = lm.model.max_length, prompt_tokens(lm)
    with monkeypatch.context() as m:
        m.setattr(lm.model.model, "generate", lambda *a, **k: pytest.fail("generated before the length check"))
        with pytest.raises(FaithlensError) as info:
            lm.explain(PROMPT, "occlusion", max_new_tokens=limit - p + 2, faithfulness=False)
    message = str(info.value)
    assert f"{p} prompt tokens and a continuation of {limit - p + 2} tokens to generate" in message
    assert f"the model reads {limit + 1} of them" in message and f"limit of {limit}" in message
    assert most_named(message) == limit - p + 1 and "target" not in message
    e = lm.explain(PROMPT, "occlusion", max_new_tokens=limit - p + 1, faithfulness=False)  # the longest that fits
    assert 1 <= len(e.target["token_ids"]) <= limit - p + 1


def test_the_length_is_checked_for_every_prompt_before_any_generation(lm, monkeypatch):
    limit, p = lm.model.max_length, prompt_tokens(lm)
    long_prompt = PROMPT + " and fun" * 10
    with monkeypatch.context() as m:
        m.setattr(lm.model.model, "generate", lambda *a, **k: pytest.fail("generated before the length check"))
        with pytest.raises(FaithlensError, match=r"^Text 1 has "):
            lm.explain([PROMPT, long_prompt], "occlusion", max_new_tokens=limit - p, faithfulness=False)


def test_truncate_names_the_longest_continuation_that_leaves_room(lm):
    limit = lm.model.max_length
    with pytest.raises(FaithlensError) as info:
        lm.explain(PROMPT, "occlusion", max_new_tokens=limit + 5, truncate=True, faithfulness=False)
    message = str(info.value)
    assert f"a continuation of {limit + 5} tokens to generate (max_new_tokens={limit + 5})" in message
    assert "even truncated" in message and "target" not in message
    most = most_named(message)
    e = lm.explain(PROMPT, "occlusion", max_new_tokens=most, truncate=True, faithfulness=False)  # the fix works
    assert e.truncated and len(e.target["token_ids"]) <= most
    with pytest.raises(FaithlensError, match=rf"\(max_new_tokens={most + 1}\) leaves (no room|room for \d+ prompt)"):
        lm.explain(PROMPT, "occlusion", max_new_tokens=most + 1, truncate=True, faithfulness=False)


def test_a_long_target_text_is_named_as_such(lm):
    with pytest.raises(FaithlensError) as info:
        lm.explain(PROMPT, "occlusion", target=" good" * 80, faithfulness=False)
    message = str(info.value)
    assert "a target text of 80 tokens leaves no room" in message and "Shorten the target text" in message
    assert "max_new_tokens" not in message and "truncate=True" not in message  # no truncation can fit it
    with pytest.raises(FaithlensError) as info:
        lm.explain(PROMPT, "occlusion", target=" good" * 80, truncate=True, faithfulness=False)
    assert "a target text of 80 tokens leaves no room" in str(info.value)
    assert str(info.value).endswith("Shorten the target text.")


@pytest.mark.parametrize("target", ["</s>", " <pad> and fun", " good<s>"])
def test_a_target_texts_special_token_strings_are_plain_text(lm, target):
    """F3: "</s>" in a target was encoded as the eos token, silently; a prompt's is plain text with a warning."""
    tok = lm.model.tokenizer
    e = lm.explain(PROMPT, "occlusion", target=target, faithfulness=False)
    specials = {tok.convert_tokens_to_ids(s) for s in tok.all_special_tokens}
    assert not specials & set(e.target["token_ids"])
    assert e.target["token_ids"] == tok(target, add_special_tokens=False, split_special_tokens=True)["input_ids"]
    assert e.target["label"] == target
    named = [s for s in tok.all_special_tokens if s in target]
    assert any("target text contains the tokenizer's special-token string(s) " + repr(named[0]) in w
               and "read as plain text" in w for w in e.warnings)
    plain = lm.explain(PROMPT, "occlusion", target=" good", faithfulness=False)
    assert not any("special-token" in w for w in plain.warnings)


def test_a_contrast_is_read_as_the_target_is(lm):
    """A foil is refused unless it shares all but its last token with the target: read as "<pad>", the two differ."""
    e = lm.explain(PROMPT, "occlusion", target=" <pad> good", contrast=" <pad> b", faithfulness=False)
    plain = lm.model.tokenizer(" <pad>", add_special_tokens=False, split_special_tokens=True)["input_ids"]
    assert len(plain) > 1 and e.target["token_ids"][:-1] == plain


def test_cli_names_max_new_tokens_once_in_its_own_words(lm_folder, capsys):
    """F5: "fewer --max-new-tokens / --max-new-tokens )" and "Shorten the target" when none was given."""
    args = ["explain", PROMPT, "--model", lm_folder, "--method", "occlusion", "--no-faithfulness"]
    assert main([*args, "--max-new-tokens", "100", "--truncate"]) == 2
    err = capsys.readouterr().err
    assert "a continuation of 100 tokens to generate (--max-new-tokens 100) leaves no room" in err
    assert re.search(r"Pass --max-new-tokens \d+ or fewer\.", err)
    assert "target" not in err and "max_new_tokens" not in err and "--max-new-tokens /" not in err
    assert main([*args, "--max-new-tokens", "100"]) == 2  # no truncation can fit it: --truncate is not offered
    err = capsys.readouterr().err
    assert "(--max-new-tokens 100) leaves no room" in err and "--truncate" not in err
    long = ["explain", " ".join(["good"] * 70), "--model", lm_folder, "--method", "occlusion", "--no-faithfulness"]
    assert main([*long, "--max-new-tokens", "2"]) == 2  # a long prompt: truncation fits it, and is offered
    err = capsys.readouterr().err
    assert "(--max-new-tokens 2)" in err and "Shorten the prompt" in err and "max_new_tokens" not in err
    assert "or pass --truncate to keep the prompt's last tokens" in err and "truncate=True" not in err
    assert main([*args, "--target-text", " good" * 80]) == 2
    err = capsys.readouterr().err
    assert "a target text of 80 tokens" in err and "--max-new-tokens" not in err


def test_cli_target_text_special_tokens_warn(lm_folder, capsys):
    assert main(["explain", PROMPT, "--model", lm_folder, "--method", "occlusion", "--no-faithfulness",
                 "--target-text", "</s>", "--json"]) == 0
    out = capsys.readouterr().out
    assert "The target text contains the tokenizer's special-token string(s) '</s>'" in out
