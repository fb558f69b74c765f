"""The keys `Explanation.from_dict` accepts in two open-ended objects of an explanation: ``settings`` holds the settings
every run records and those its method records (`METHOD_RECORDS`: a run of occlusion writes no ``bootstrap``), and
``provenance`` the fields `model.provenance` writes, with their types. `explanation_checks` checks the settings'
values (steps a positive int, a tolerance in (0, 1), ...) and that no setting is another method's option."""

from __future__ import annotations

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
