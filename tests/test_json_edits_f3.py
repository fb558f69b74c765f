"""Issue 22, sixteenth breaker F3: `Explanation.from_json` accepted three edits that make a file contradict itself:
offsets widened over the space between words (so tokens overlap), settings.unit "word" changed to "token", and
settings.baseline_token "[PAD]" beside baseline "mask". Each is refused naming the fields that disagree; what real
tokenizers write (WordPiece, byte-level BPE with its Ġ spans and split characters, SentencePiece's ▁ and byte pieces)
still reads back."""

import json

import pytest
import torch

from faithlens import Explainer, Explanation
from faithlens.errors import FaithlensError
from tiny import tiny


@pytest.fixture(scope="module")
def bert():
    return Explainer(tiny("bert", dtype=torch.float64))


@pytest.fixture(scope="module")
def great_fun(bert):
    return bert.explain("great fun", "occlusion")


def _edited(e, edit):
    d = e.to_dict()
    edit(d)
    return json.dumps(d)


def _refused(e, edit, *words):
    with pytest.raises(FaithlensError, match="Not a consistent explanation") as info:
        Explanation.from_json(_edited(e, edit))
    message = str(info.value)
    for w in words + ("Was the JSON edited",):
        assert w in message, message
    return message


def _offsets(offsets):
    return lambda d: d.__setitem__("offsets", offsets)


# --- (a) offsets -----------------------------------------------------------------------------------------------------

def test_the_breakers_overlapping_offsets_are_refused(great_fun):
    assert great_fun.tokens == ("[CLS]", "great", "fun", "[SEP]")
    _refused(great_fun, _offsets([[0, 0], [0, 6], [5, 9], [0, 0]]), "token 1 ('great')", "[0, 6]",
             "ends on white space")


def test_a_span_that_starts_or_ends_on_a_space_a_wordpiece_never_covers_is_refused(great_fun):
    _refused(great_fun, _offsets([[0, 0], [0, 5], [5, 9], [0, 0]]), "token 2 ('fun')", "starts on white space")
    _refused(great_fun, _offsets([[0, 0], [0, 6], [6, 9], [0, 0]]), "token 1 ('great')", "ends on white space")


def test_tokens_sharing_a_letter_are_refused(great_fun):
    message = _refused(great_fun, _offsets([[0, 0], [0, 5], [4, 9], [0, 0]]), "tokens 1 ('great'", "and 2 ('fun'",
                       "both cover character 4 ('t')")
    assert "one token" in message


def test_byte_level_spans_on_spaces_and_split_characters_read_back():
    e = Explainer(tiny("gpt2_lm", dtype=torch.float64)).explain("The  capital 😀 is\n", "occlusion", max_new_tokens=2)
    spans = [(t, e.text[a:b]) for t, (a, b), s in zip(e.tokens, e.offsets, e.special) if not s]
    assert any(t.startswith("\u0120") and span.startswith(" ") for t, span in spans)  # Ġ covers the space before
    emoji = [t for t, (a, b) in enumerate(e.offsets) if "😀" in e.text[a:b]]
    assert len(emoji) >= 2  # the emoji's bytes split between pieces, both covering it
    assert Explanation.from_json(e.to_json()) == e


def test_sentencepiece_spaces_and_byte_pieces_read_back():
    """A SentencePiece-style tokenizer (▁ for the space, <0x0A> byte pieces for a newline and split characters) built
    in memory, like Llama's: its offsets start on the spaces its ▁ tokens show."""
    from tokenizers import Tokenizer, decoders, models, normalizers, trainers
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    from faithlens.model import from_pretrained_objects

    tk = Tokenizer(models.BPE(byte_fallback=True, unk_token="<unk>"))
    tk.normalizer = normalizers.Sequence([normalizers.Prepend("\u2581"), normalizers.Replace(" ", "\u2581")])
    tk.train_from_iterator(["great fun is great", "fun fun great ok"] * 5, trainers.BpeTrainer(
        vocab_size=300, special_tokens=["<unk>", "<s>", "</s>", "<pad>", "<mask>"] + [f"<0x{i:02X}>" for i in range(256)]))
    tk.decoder = decoders.Sequence([decoders.Replace("\u2581", " "), decoders.ByteFallback(), decoders.Fuse()])
    tok = PreTrainedTokenizerFast(tokenizer_object=tk, unk_token="<unk>", pad_token="<pad>", mask_token="<mask>",
                                  cls_token="<s>", sep_token="</s>")
    torch.manual_seed(0)
    model = BertForSequenceClassification(BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=1,
                                                     num_attention_heads=2, intermediate_size=37, pad_token_id=3))
    e = Explainer(from_pretrained_objects(model, tok, name="tiny-sp")).explain("great  fun\nok 😀", "occlusion")
    assert "\u2581" in e.tokens and "<0x0A>" in e.tokens
    assert Explanation.from_json(e.to_json()) == e


# --- (b) settings.unit -----------------------------------------------------------------------------------------------

def test_sig_units_of_a_word_edited_to_token_are_refused(bert):
    e = bert.explain("a goodish film", "sig", steps=4)  # good ##ish: one unit of two tokens under "word"
    assert any(len(u) == 2 for u in e.units)
    _refused(e, lambda d: d["settings"].__setitem__("unit", "token"), "settings 'unit' is 'token'", "'units' holds [2, 3]",
             "restore settings 'unit'")
    by_token = bert.explain("a goodish film", "sig", steps=4, unit="token")
    _refused(by_token, lambda d: d["settings"].__setitem__("unit", "word"), "settings 'unit' is 'word'",
             "word 'goodish' in different units")


def test_occlusion_by_token_edited_to_word_is_refused(bert):
    e = bert.explain("a goodish film", "occlusion", unit="token")
    _refused(e, lambda d: d["settings"].__setitem__("unit", "word"), "settings 'unit' is 'word'",
             "splits a word's score evenly", "word 'goodish'")


def test_a_word_method_edited_to_token_is_refused(bert):
    e = bert.explain("great fun", "shapley", n_samples=3)
    _refused(e, lambda d: d["settings"].__setitem__("unit", "token"), "settings 'unit' is 'token'",
             "shapley scores whole words", "restore settings 'unit' to 'word'")


def test_where_every_word_is_one_token_both_units_write_the_same_file(bert, great_fun):
    """The breaker's edit of occlusion on "great fun" ("word" to "token") stays accepted: with one token per word a
    run by token writes the same scores, so the edited file says nothing false."""
    by_token = bert.explain("great fun", "occlusion", unit="token")
    assert by_token.token_scores == great_fun.token_scores and by_token.words == great_fun.words
    assert Explanation.from_json(_edited(great_fun, lambda d: d["settings"].__setitem__("unit", "token"))).settings[
        "unit"] == "token"


def test_every_unit_reads_back(bert):
    for method, kw in [("occlusion", {}), ("occlusion", {"unit": "token"}), ("sig", {"steps": 4}),
                       ("sig", {"steps": 4, "unit": "token"}), ("sig", {"steps": 4, "mode": "reverse"}),
                       ("kernel_shap", {"n_samples": 20}), ("partition", {}), ("random", {})]:
        e = bert.explain("a goodish film, can't stop", method, **kw)
        assert Explanation.from_json(e.to_json()) == e, (method, kw)


# --- (c) settings.baseline_token -------------------------------------------------------------------------------------

def test_the_breakers_pad_token_beside_a_mask_baseline_is_refused(great_fun):
    assert (great_fun.settings["baseline"], great_fun.settings["baseline_token"]) == ("mask", "[MASK]")
    _refused(great_fun, lambda d: d["settings"].__setitem__("baseline_token", "[PAD]"), "settings 'baseline' is 'mask'",
             "'baseline_token' is '[PAD]'", "tokenizer's pad token", "restore settings 'baseline'")


@pytest.mark.parametrize("kind, token, words", [
    ("zero", "[MASK]", "'baseline' is 'zero'"),
    ("mask", None, "'baseline_token' is None"),
    ("pad", "[MASK]", "tokenizer's mask token"),
    ("unk", "<pad>", "tokenizer's pad token"),
])
def test_a_baseline_token_of_another_kind_is_refused(great_fun, kind, token, words):
    _refused(great_fun, lambda d: d["settings"].update(baseline=kind, baseline_token=token), words)


def test_every_baseline_reads_back(bert):
    for kw in [{}, {"baseline": "zero"}, {"baseline": "pad"}, {"baseline": "unk"}, {"baseline_token": "film"}]:
        e = bert.explain("great fun", "occlusion", **kw)
        assert Explanation.from_json(e.to_json()) == e, kw


def test_a_mask_baseline_that_fell_back_to_pad_reads_back_and_its_edit_is_refused():
    e = Explainer(tiny("gpt2_lm", dtype=torch.float64)).explain("The capital is", "occlusion", baseline="mask",
                                                                  max_new_tokens=2)
    assert (e.settings["baseline"], e.settings["baseline_token"]) == ("pad", "<pad>")
    assert any("fell back to its pad token" in w for w in e.warnings)
    assert Explanation.from_json(e.to_json()) == e
    _refused(e, lambda d: d["settings"].update(baseline="mask"), "fell back to the pad token '<pad>'",
             "settings 'baseline' is 'mask'")


# --- real files of every tokenizer kind and task read back -----------------------------------------------------------

@pytest.mark.parametrize("kind", ["bert", "distilbert", "roberta", "gpt2", "bert_qa", "roberta_qa", "gpt2_lm", "llama_lm"])
def test_tiny_models_read_back(kind):
    ex = Explainer(tiny(kind, dtype=torch.float64))
    if kind.endswith("_qa"):
        items = [("Who wrote it?", "Ann wrote it  in Paris 😀 ok.")]
    elif kind.endswith("_lm"):
        items = ["The  capital 😀 is\n"]
    else:
        items = ["greatly  unforgettable\tfun 😀, can't stop-watching", ("a man sleeps", "a person  rests 😀")]
    for item in items:
        for method, kw in [("occlusion", {}), ("sig", {"steps": 4}), ("shapley", {"n_samples": 3})]:
            e = ex.explain(item, method, **kw, **({"max_new_tokens": 2} if kind.endswith("_lm") else {}))
            assert Explanation.from_json(e.to_json()) == e, (kind, item, method)


@pytest.mark.slow
def test_the_default_model_and_smollm2_read_back():
    default = Explainer("default")
    for method, kw in [("occlusion", {}), ("sig", {}), ("shapley", {"n_samples": 3}), ("occlusion", {"unit": "token"})]:
        for item in ("greatly unforgettable fun 😀", ("a man sleeps", "a person  rests")):
            e = default.explain(item, method, **kw)
            assert Explanation.from_json(e.to_json()) == e, (method, item)
    lm = Explainer("smollm2")
    for method, kw in [("occlusion", {}), ("sig", {"steps": 4})]:
        e = lm.explain("The  capital of France 😀 is\n", method, max_new_tokens=2, **kw)
        assert Explanation.from_json(e.to_json()) == e, method


# --- (d) settings.unit of occlusion, whose file holds no units (eighteenth breaker F7) -------------------------------

def _unit(value):
    return lambda d: d["settings"].__setitem__("unit", value)


def _scores(d, tokens, value):
    """Token scores set to `value`, with what the file derives from them (normalised scores, word scores) redone."""
    from faithlens.explanation_checks import word_normalised

    for t in tokens:
        d["token_scores"][t] = value
    norm = sum(x * x for x in d["token_scores"]) ** 0.5
    d["token_scores_normalised"] = [x / norm if norm else 0.0 for x in d["token_scores"]]
    for w in d["words"]:
        w["score"] = sum(d["token_scores"][t] for t in w["tokens"])
    for w, x in zip(d["words"], word_normalised([w["score"] for w in d["words"]])):
        w["score_normalised"] = x


def test_occlusion_by_word_of_a_three_token_word_edited_to_token_is_refused(bert):
    e = bert.explain("a goodishly film", "occlusion")  # good ##ish ##ly: one score split three ways
    assert e.words[1].tokens == (2, 3, 4) and len({e.token_scores[t] for t in (2, 3, 4)}) == 1
    _refused(e, _unit("token"), "settings 'unit' is 'token'", "the 3 tokens [2, 3, 4] of word 'goodishly' all score",
             "the even split occlusion writes under 'word'", "restore settings 'unit'")
    by_token = bert.explain("a goodishly film", "occlusion", unit="token")
    assert len({by_token.token_scores[t] for t in (2, 3, 4)}) == 3
    assert Explanation.from_json(by_token.to_json()) == by_token
    _refused(by_token, _unit("word"), "settings 'unit' is 'word'", "splits a word's score evenly", "word 'goodishly'")


def test_a_two_token_word_split_evenly_is_left_alone_under_token(bert):
    """One float tie is not evidence enough (see `_check_unit`): the edit of a word of two tokens stays accepted."""
    e = bert.explain("a goodish film", "occlusion")
    assert Explanation.from_json(_edited(e, _unit("token"))).settings["unit"] == "token"


@pytest.mark.parametrize("value, dtype", [(3e-4, "float32"), (0.0, "float64"), (0.25, "bfloat16"), (0.25, "float16")])
def test_ties_a_real_run_by_token_can_write_read_back(bert, value, dtype):
    """A tie below the rounding floor (a saturated probability), a word no occlusion moves (0) and the coarse outputs
    of half precision are what runs by token can write: none of them is refused."""
    e = bert.explain("a goodishly film", "occlusion", unit="token")

    def edit(d):
        _scores(d, (2, 3, 4), value)
        d["settings"]["dtype"] = dtype
    assert Explanation.from_json(_edited(e, edit)).token_scores[2:5] == (value,) * 3
    if value:  # the same tie well above the floor of a float32 or float64 run is the even split of "word"
        _refused(e, lambda d: (edit(d), d["settings"].update(dtype="float32"), _scores(d, (2, 3, 4), 0.25)),
                 "the 3 tokens [2, 3, 4] of word 'goodishly' all score 0.25")
