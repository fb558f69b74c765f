"""The keys `Explanation.from_dict` accepts in two open-ended objects of an explanation: ``settings`` holds the settings
every run records and those its method records (`METHOD_RECORDS`: a run of occlusion writes no ``bootstrap``), and
``provenance`` the fields `model.provenance` writes, with their types; and the settings that must agree with each
other and with the file (`check_settings_agree`: the unit with the units and scores, the baseline token with the
baseline kind). `explanation_checks` checks the settings' values (steps a positive int, a tolerance in (0, 1), ...)
and that no setting is another method's option."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from .errors import FaithlensError

Bad = Callable[[str], FaithlensError]


def check_keys(obj: dict[str, Any], known: Iterable[str], where: str, bad: Bad) -> None:
    """An object nested in an explanation holds only the keys faithlens writes there: the rule `Explanation.from_dict`
    applies to the top level, applied to ``words[k]``, ``prediction``, ``target``, ``error``, ``faithfulness``. Raises
    `bad` naming the unexpected keys and the known ones. ``settings`` holds the shared settings and its method's own
    (`check_settings_keys`), ``provenance`` the fields `model.provenance` writes (`check_provenance`)."""
    unknown = sorted(set(obj) - set(known))
    if unknown:
        raise bad(f"{where} has unexpected keys {unknown}. Expected keys from {sorted(known)}")


# settings a method records beyond its options (`Method.reads`): the node budget of an error-controlled rule, and the
# word unit of the methods that score whole words (perturbation.py, random_words.py)
RECORDED_WITH = {"max_nodes": "tolerance"}
_WORD_UNIT_METHODS = ("shapley", "kernel_shap", "lime", "partition", "random")
# the settings every run records (explainer.Explainer.explain's ``common``, assemble.assemble's target, the
# per-token matrix's per_token and target_side), and what each built-in method records of its run beyond its options (ig.py: the
# Gauss–Kronrod intervals and rounds; perturbation.py: the bootstrap size, the partition's coalitions; dig.py: the
# anchor search). A method registered by an extension is not listed: its own settings are open.
_SHARED_SETTINGS = frozenset({"baseline", "baseline_token", "score", "dtype", "contrast", "target", "per_token",
                              "target_side"})
_DIG_RECORDS = frozenset({"strategy", "factor", "neighbours", "points"})
METHOD_RECORDS = {"sig": frozenset(), "ig": frozenset({"intervals", "rounds"}), "grad_x_input": frozenset(),
                   "saliency": frozenset(), "smoothgrad": frozenset(), "deeplift": frozenset(),
                   "gradient_shap": frozenset(), "occlusion": frozenset(), "shapley": frozenset(),
                   "kernel_shap": frozenset({"bootstrap"}), "lime": frozenset({"bootstrap"}),
                   "partition": frozenset({"coalitions"}), "random": frozenset(), "dig": _DIG_RECORDS,
                   "dig_maxcount": _DIG_RECORDS}


def own_settings(method) -> set[str]:
    """The options a `methods.Method` reads and what it records with them (the node budget, the word unit)."""
    own = set(method.reads) | {k for k, with_ in RECORDED_WITH.items() if with_ in method.reads}
    if method.name in _WORD_UNIT_METHODS:
        own.add("unit")
    return own


def check_settings_keys(settings: dict[str, Any], method, bad: Bad) -> None:
    """``settings`` holds only the shared settings and those a run of `method` writes (`check_keys`'s message); an
    extension's method, not in `METHOD_RECORDS`, records what it likes."""
    if method.name in METHOD_RECORDS:
        check_keys(settings, _SHARED_SETTINGS | own_settings(method) | METHOD_RECORDS[method.name],
                   f"'settings' (method {method.name!r})", bad)


# provenance: what `model.provenance` writes (None for a model built in memory)
_PROVENANCE_KEYS = {"name": "a str", "source": "a str", "revision": "a str or null", "weights_sha256": "a str or null",
                    "card": "null or an object"}
_CARD_KEYS = ("name", "created", "faithlens")


def check_provenance(provenance: Any, bad: Bad) -> None:
    """``provenance`` is null or the object `model.provenance` writes: the model's name and resolved source (str), the hub
    revision and the weights' SHA-256 (str or null), and its faithlens model card's name, creation time and faithlens
    version (an object of str, or null)."""
    if provenance is None:
        return
    if not isinstance(provenance, dict):
        raise bad(f"'provenance' must be null or a JSON object. Got {type(provenance).__name__}")
    check_keys(provenance, _PROVENANCE_KEYS, "'provenance'", bad)
    for name, what in _PROVENANCE_KEYS.items():
        value = provenance.get(name)
        ok = (isinstance(value, dict) if name == "card" else isinstance(value, str)) or (value is None and "null" in what)
        if name in provenance and not ok:
            raise bad(f"provenance {name!r} is {value!r:.40}; faithlens writes {what}")
    card = provenance.get("card")
    if isinstance(card, dict):
        check_keys(card, _CARD_KEYS, "provenance 'card'", bad)
        odd = sorted(k for k, v in card.items() if not isinstance(v, str))
        if odd:
            raise bad(f"provenance 'card' {odd[0]!r} is {card[odd[0]]!r:.40}; faithlens writes a str")


def check_settings_agree(d: dict[str, Any], bad: Bad) -> None:
    """The settings a run records together agree with each other and with what the file holds: the unit
    (`_check_unit`) and the baseline (`_check_baseline`). A setting edited on its own ("word" to "token", the
    baseline token "[MASK]" to "[PAD]") fails here, naming both fields."""
    _check_unit(d, bad)
    _check_baseline(d["settings"], d.get("warnings") or (), bad)


_EVEN_SLACK = 1e-6  # a word's score split evenly over its tokens, summed over a causal LM's rows in float32


def _check_unit(d: dict[str, Any], bad: Bad) -> None:
    """``settings.unit`` agrees with the file: the methods that score whole words (shapley, kernel_shap, lime,
    partition, random) record "word"; SIG's path units are single tokens under "token" and hold all of a word's
    tokens under "word"; occlusion and the word methods split a word's score evenly over its tokens under "word", so
    they score alike. A token of white space only (an extra space of byte-level BPE) is its own unit and joins the next
    word in the file (`assemble._words`), so it is left out of both rules. Where every word is one token the two units
    give the same file, and an edit there changes nothing the file says.

    Occlusion records no units, so "word" edited to "token" shows only in the scores: a word of three or more tokens
    (not all the same token) whose tokens all score the same nonzero value is the even split of "word", and is refused
    under "token". By token each is occluded on its own, and such a tie of separate forward passes does not happen:
    the rule asks for a score at least `_TIE_FLOOR` (far above the rounding of float32's output, where a saturated
    probability would tie at one rounding step) and is off for float16/bfloat16 runs, whose coarse outputs do tie. A
    word of two tokens is left alone: one float tie is rare (about one step of F in the spread of the scores) but a
    dataset of many such words would meet it, and refusing a real file is worse than missing an edit."""
    unit, method = d["settings"].get("unit"), d["method"]
    if unit not in ("word", "token"):
        return
    fix = f"restore settings 'unit', or explain the text again with unit={unit!r}"
    if method in _WORD_UNIT_METHODS and unit != "word":
        raise bad(f"settings 'unit' is {unit!r}, but {method} scores whole words and records 'unit': 'word'; "
                  "restore settings 'unit' to 'word'")
    texts = (d["text"], d.get("text_pair") or "")
    shown = [[t for t in w.tokens if texts[w.segment][slice(*d["offsets"][t])].strip()] for w in d["words"]]
    units = d.get("units")
    several = next((list(u) for u in units or () if len(u) > 1), None) if unit == "token" else None
    if several:
        raise bad(f"settings 'unit' is 'token', but 'units' holds {several}, a unit of several tokens (under 'token' "
                  f"each unit is one token); {fix}")
    where = {t: k for k, u in enumerate(units or ()) for t in u}
    for w, tokens in zip(d["words"], shown):
        if units is not None and unit == "word" and len({where.get(t) for t in tokens}) > 1:
            raise bad(f"settings 'unit' is 'word', but 'units' holds the tokens {tokens} of word {w.word!r} in different "
                      f"units (under 'word' a word's tokens move as one unit); {fix}")
    scores = d["token_scores"]
    if unit == "word" and (method == "occlusion" or method in _WORD_UNIT_METHODS):
        for w, tokens in zip(d["words"], shown):
            shares = [scores[t] for t in tokens]
            if not _even(shares):
                raise bad(f"settings 'unit' is 'word', under which {method} splits a word's score evenly over its "
                          f"tokens, but the tokens {tokens} of word {w.word!r} score {shares!r:.80}; {fix}")
    floor = _TIE_FLOOR.get(d["settings"].get("dtype"))
    if unit == "token" and method == "occlusion" and floor is not None:
        for w, tokens in zip(d["words"], shown):
            shares = [scores[t] for t in tokens]
            if (len(tokens) >= 3 and len({d["tokens"][t] for t in tokens}) > 1 and abs(shares[0]) >= floor
                    and _even(shares)):
                raise bad(f"settings 'unit' is 'token', but the {len(tokens)} tokens {tokens} of word {w.word!r} all score "
                          f"{shares[0]!r}, the even split occlusion writes under 'word' (by token each is occluded on "
                          f"its own, and their scores differ); {fix}")


# the smallest score whose tie over a word's tokens is evidence of an even split: far above the rounding of the model's
# output F in its dtype (float32 steps by about 1e-7 · |F|), where a tie of separate occlusions is not a rounding accident
_TIE_FLOOR = {"float32": 1e-3, "float64": 1e-9}


def _even(shares: list[float]) -> bool:
    """A word's token scores are one score split evenly: equal up to the float32 sum of a causal LM's rows."""
    return all(abs(x - shares[0]) <= _EVEN_SLACK * max(1.0, abs(x)) for x in shares)


# the usual vocabulary entries of the mask, pad and unk roles (BERT's family, RoBERTa's, T5's), and the roles whose
# entries a baseline of each kind never is: a pad baseline may be a model's unk token (pad set to unk), never its mask
_NAMES = {"mask": ("[MASK]", "<mask>"), "pad": ("[PAD]", "<pad>"), "unk": ("[UNK]", "<unk>")}
_NEVER = {"mask": ("pad", "unk"), "pad": ("mask",), "eos": ("mask", "pad"), "unk": ("mask", "pad")}
_FELL_BACK = re.compile(r"has no mask token; the baseline fell back to its pad token (.+)\.$")


def _check_baseline(settings: dict[str, Any], warnings: Iterable[str], bad: Bad) -> None:
    """``settings.baseline`` and ``baseline_token`` as `baselines.resolve_baseline` records them: "zero" has no token;
    "token" (baseline_token=) and the roles mask, pad, eos, unk have the token used, a mask baseline the tokenizer's
    mask token; a model without one falls back to its pad token, recorded as "pad" with a warning naming it."""
    kind, token = settings.get("baseline"), settings.get("baseline_token")
    if kind is None and token is None:
        return
    fix = "restore settings 'baseline' and 'baseline_token' as the run wrote them, or explain the text again"
    if kind == "zero":
        if token is not None:
            raise bad(f"settings 'baseline' is 'zero' (the zero vector, no token), but 'baseline_token' is {token!r:.40}; {fix}")
        return
    if not isinstance(token, str):
        raise bad(f"settings 'baseline' is {kind!r:.40}, which replaces each token by a vocabulary token, but "
                  f"'baseline_token' is {token!r:.40}; {fix}")
    fell_back = next((m for m in map(_FELL_BACK.search, warnings) if m), None)
    if fell_back and (kind, repr(token)) != ("pad", fell_back[1]):
        raise bad(f"the warnings say the mask baseline fell back to the pad token {fell_back[1]}, but settings "
                  f"'baseline' is {kind!r} with 'baseline_token' {token!r}; {fix}")
    role = next((role for role in _NEVER.get(kind, ()) if token in _NAMES[role]), None)
    if role is not None:
        raise bad(f"settings 'baseline' is {kind!r}, but 'baseline_token' is {token!r}, the usual name of the tokenizer's "
                  f"{role} token, not its {kind} token; {fix}")
