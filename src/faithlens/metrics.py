"""Faithfulness metrics (DeYoung et al. 2020; the DIG/SIG protocol): pure functions + one batched driver.

For one text with prediction ŷ on the unmodified input and p its probability under the model's task
(softmax of the class logits; a label's sigmoid for multi-label models; the answer span's
softmax(start)·softmax(end) for QA; p(continuation | prompt) for causal LMs, `faithlens.tasks`):

- log-odds (lower is better)          = log p̃(ŷ) − log p(ŷ), p̃ after *replacing* the word
  embeddings of the top-k tokens S with the baseline token's embedding (length unchanged);
- comprehensiveness (higher is better) = p(ŷ) − p̃(ŷ), p̃ after *deleting* S (order kept,
  positions re-indexed contiguously, special tokens kept);
- sufficiency (lower is better)        = p(ŷ) − p̃(ŷ), p̃ after keeping *only* S (plus specials).

k = floor(fraction · L'), L' = attributed tokens (``protocol="standard"``) or every real token,
specials included and eligible for S (``protocol="reference"``, the original scripts). k = 0
contributes exactly 0 to every metric. Tokens the prediction is made of (a QA answer span, an LM's
continuation) are never removed. Every perturbation is built on ids/embeddings, never by decoding
and re-tokenising text, and all of them go through one padded, chunked forward.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from .baselines import Baseline, as_baseline
from .encoding import Encoding, encode
from .errors import FaithlensError, unknown_choice
from .model import ClassifierModel
from .scalars import MAX_ROWS_PER_CHUNK, check_int

PROTOCOLS = ("standard", "reference")
DEFAULT_TOPK = 0.2
AOPC_FRACTIONS = (0.1, 0.2, 0.3, 0.4, 0.5)


@dataclass(frozen=True)
class Metric:
    name: str
    direction: str  # "lower" or "higher": which way is more faithful
    summary: str

    @property
    def arrow(self) -> str:
        return "↓" if self.direction == "lower" else "↑"


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("log_odds", "lower", "log p̃(ŷ) − log p(ŷ) after replacing the top-k tokens by the baseline"),
        Metric("comprehensiveness", "higher", "p(ŷ) − p̃(ŷ) after deleting the top-k tokens"),
        Metric("sufficiency", "lower", "p(ŷ) − p̃(ŷ) after keeping only the top-k tokens"),
        Metric("delta", "lower", "|Σ_i a_i − (F(w) − F(w̄))|, raw scores (completeness gap)"),
    )
}


# --- pure functions on probabilities -------------------------------------------------------------

def log_odds(*, log_p_original: Tensor, log_p_replaced: Tensor) -> Tensor:
    """log p̃(ŷ) − log p(ŷ) (lower is better): (B,), (B,) -> (B,)."""
    _same_shape("log_odds", log_p_original=log_p_original, log_p_replaced=log_p_replaced)
    return log_p_replaced - log_p_original


def comprehensiveness(*, p_original: Tensor, p_deleted: Tensor) -> Tensor:
    """p(ŷ) − p̃(ŷ) with the top-k tokens deleted (higher is better): (B,), (B,) -> (B,)."""
    _same_shape("comprehensiveness", p_original=p_original, p_deleted=p_deleted)
    return p_original - p_deleted


def sufficiency(*, p_original: Tensor, p_kept: Tensor) -> Tensor:
    """p(ŷ) − p̃(ŷ) with only the top-k tokens kept (lower is better): (B,), (B,) -> (B,)."""
    _same_shape("sufficiency", p_original=p_original, p_kept=p_kept)
    return p_original - p_kept


def completeness_gap(*, score_sum: Tensor, f_input: Tensor, f_baseline: Tensor) -> Tensor:
    """|Σ_i a_i − (F(w) − F(w̄))| per text, raw scores (lower is better): three (B,) -> (B,) (or three scalars)."""
    _same_shape("completeness_gap", score_sum=score_sum, f_input=f_input, f_baseline=f_baseline)
    return (score_sum - (f_input - f_baseline)).abs()


def top_k_count(n_eligible: Tensor, *, fraction: float) -> Tensor:
    """k = floor(fraction · L') per text; computed in exact integer percent when possible. ``n_eligible``: (B,) int
    tensor of counts ≥ 0 (the tokens that may be ranked)."""
    _check_fraction(fraction)
    if not _integer_tensor(n_eligible) or bool((n_eligible < 0).any()):
        raise FaithlensError(f"top_k_count takes n_eligible, an integer tensor of token counts ≥ 0 (one per text), "
                             f"e.g. eligible.sum(1). Got {n_eligible!r:.80}.")
    percent = round(fraction * 100)
    if abs(percent - fraction * 100) < 1e-9:  # 0.2 -> 20: floor(L·20/100) as the reference does
        return (n_eligible * percent) // 100
    return torch.floor(n_eligible.to(torch.float64) * fraction).to(torch.long)


def top_k_mask(scores: Tensor, eligible: Tensor, *, fraction: float) -> Tensor:
    """(B, L) bool: the k highest *signed* scores among eligible positions.

    Ties are broken by position (the earlier token first), so the choice is deterministic.
    """
    k = top_k_count(eligible.sum(1), fraction=fraction)  # (B,)
    B, L = scores.shape
    ranked = scores.to(torch.float64).masked_fill(~eligible, -math.inf)
    order = torch.sort(ranked, dim=1, descending=True, stable=True).indices  # (B, L)
    rank = torch.empty_like(order)
    rank.scatter_(1, order, torch.arange(L).expand(B, L))
    return (rank < k[:, None]) & eligible


def summarise(values: Sequence[float] | Tensor) -> dict[str, float | int | None]:
    """Mean, standard error of the mean (sample std / √n) and count. The standard error of one value is undefined
    (no spread to estimate), so it is None, as both are for no value."""
    x = torch.as_tensor(list(values) if not isinstance(values, Tensor) else values, dtype=torch.float64)
    n = int(x.numel())
    if n == 0:
        return {"mean": None, "sem": None, "n": 0}
    sem = float(x.std(unbiased=True) / math.sqrt(n)) if n > 1 else None
    return {"mean": float(x.mean()), "sem": sem, "n": n}


# --- perturbations on embeddings -------------------------------------------------------------------

def pack(keep: Tensor, *, left: bool = False) -> tuple[Tensor, Tensor]:
    """Gather kept positions in order: keep (N, L) -> (index (N, L), new mask (N, L)).

    Kept positions come first (right padding) or last (``left=True``, causal models); the
    remaining slots point at some dropped position and are masked out.
    """
    N, L = keep.shape
    pos = torch.arange(L).expand(N, L)
    key = torch.where(keep, pos + (L if left else 0), pos + (0 if left else L))
    index = torch.argsort(key, dim=1)  # (N, L)
    n = keep.sum(1, keepdim=True)  # (N, 1)
    slots = torch.arange(L).expand(N, L)
    mask = slots >= (L - n) if left else slots < n
    return index, mask.long()


@dataclass(frozen=True)
class Rows:
    """Perturbed inputs, one row each: word embeddings, mask, optional type and position ids."""

    embeds: Tensor  # (N, L, D)
    attention_mask: Tensor  # (N, L)
    token_type_ids: Tensor | None
    position_ids: Tensor | None
    target: Tensor | None = None  # (N, T) the prediction each row's probability is read for


def _packed_rows(model: ClassifierModel, enc: Encoding, W: Tensor, keep: Tensor, target: Tensor) -> Rows:
    """Rows holding only the kept tokens of each text, re-indexed contiguously (the target follows)."""
    index, mask = pack(keep, left=model.is_causal)
    D = W.shape[-1]
    embeds = W.gather(1, index[..., None].expand(-1, -1, D))  # (N, L, D)
    types = None if enc.token_type_ids is None else enc.token_type_ids.gather(1, index) * mask
    positions = (mask.cumsum(1) - 1).clamp(min=0) if model.is_causal else None
    return Rows(embeds, mask, types, positions, model.task.remap(target, keep, left=model.is_causal))


def _cat_rows(rows: Sequence[Rows]) -> Rows:
    types = None if rows[0].token_type_ids is None else torch.cat([r.token_type_ids for r in rows])
    positions = None if rows[0].position_ids is None else torch.cat([r.position_ids for r in rows])
    return Rows(torch.cat([r.embeds for r in rows]), torch.cat([r.attention_mask for r in rows]), types, positions,
                torch.cat([r.target for r in rows]))


def log_p_of(model: ClassifierModel, rows: Rows, *, rows_per_chunk: int = 64) -> Tensor:
    """log p(prediction) of every row under the model's task (softmax, sigmoid, span, continuation), chunked: -> (N,)."""
    out = []
    task = model.task
    with torch.inference_mode():
        for start in range(0, len(rows.embeds), rows_per_chunk):
            s = slice(start, start + rows_per_chunk)
            mask = rows.attention_mask[s]
            width = _used_width(mask)  # trim columns no row of the chunk uses
            target = rows.target[s]
            if model.is_causal:  # the continuation's J log-probabilities read the last J columns, whatever the rows
                width = min(mask.shape[1], max(width, target.shape[1]))  # hold (a kept row with k = 0 has J − 1 tokens)
            cut = slice(mask.shape[1] - width, None) if model.is_causal else slice(0, width)
            pick = lambda t: None if t is None else t[s][:, cut]  # noqa: E731
            outputs = model.outputs(rows.embeds[s][:, cut], mask[:, cut], pick(rows.token_type_ids), pick(rows.position_ids),
                                    target=target)
            out.append(task.log_p(outputs, target))
    return torch.cat(out)


def _used_width(mask: Tensor) -> int:
    """Longest row of a chunk; real tokens are packed to one side (left for causal models)."""
    return max(1, int(mask.sum(1).max())) if mask.numel() else 0


# --- the batched driver ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Faithfulness:
    """Per-text metric values (B,) at one top-k fraction, plus what they were computed from. A text with k = 0 (too
    few tokens for the fraction: nothing removed) holds NaN in all three metrics: nothing was measured there (`evaluate`
    and explain's faithfulness report null); average with ``x[k > 0].mean()`` or ``x.nanmean()``."""

    log_odds: Tensor
    comprehensiveness: Tensor
    sufficiency: Tensor
    k: Tensor  # (B,) number of tokens in S
    predicted: Tensor  # (B, T) ŷ: class (T = 1), answer span (T = 2) or continuation ids
    p_original: Tensor  # (B,) p(ŷ)

    def as_lists(self) -> dict[str, list]:
        return {"log_odds": self.log_odds.tolist(), "comprehensiveness": self.comprehensiveness.tolist(),
                "sufficiency": self.sufficiency.tolist(), "k": self.k.tolist()}


def faithfulness(
    model: ClassifierModel,
    enc: Encoding,
    token_scores: Tensor,
    *,
    baseline: Baseline,
    fraction: float = DEFAULT_TOPK,
    protocol: str = "standard",
    rows_per_chunk: int = 64,
    target: Tensor | None = None,
) -> Faithfulness:
    """Log-odds, comprehensiveness and sufficiency of (B, L) token scores on a padded batch.

    The original input and all 3·B perturbed inputs go through one padded forward, in chunks. ``target`` (B, 1): the
    class each text's scores explain (a classifier's); None: the predicted class (evaluate's, and the papers')."""
    return faithfulness_at(model, enc, token_scores, baseline=baseline, fractions=(fraction,), protocol=protocol,
                           rows_per_chunk=rows_per_chunk, target=target)[0]


def faithfulness_at(
    model: ClassifierModel,
    enc: Encoding,
    token_scores: Tensor,
    *,
    baseline: Baseline,
    fractions: Sequence[float],
    protocol: str = "standard",
    rows_per_chunk: int = 64,
    target: Tensor | None = None,
) -> list[Faithfulness]:
    """`faithfulness` at several top-k fractions (one `Faithfulness` each, in order) in one forward.

    The original input is scored once, and a perturbed row is scored once however many fractions
    choose the same top-k set S for a text (fractions whose k coincide on a short text, or a fraction
    listed twice): B + 3·U rows, U ≤ F·B the distinct (text, S) pairs. The values equal F separate
    `faithfulness` calls'.
    """
    if protocol not in PROTOCOLS:
        raise unknown_choice("metrics protocol", protocol, PROTOCOLS)
    if token_scores.shape != enc.input_ids.shape:
        raise FaithlensError(f"Expected token scores of shape {tuple(enc.input_ids.shape)} (texts × padded tokens). "
                             f"Got {tuple(token_scores.shape)}.")
    if not fractions or isinstance(fractions, str):
        raise FaithlensError(f"Pass a list of top-k fractions, e.g. fractions=(0.2,). Got {fractions!r:.40}.")
    if not bool(torch.isfinite(token_scores.to(torch.float64)).all()):  # a NaN would rank as a top token
        raise FaithlensError("The token scores hold NaN or infinite values, which have no rank. Pass finite scores "
                             "(an explanation's own scores are finite).")
    rows_per_chunk = check_int("rows_per_chunk", rows_per_chunk, low=1, high=MAX_ROWS_PER_CHUNK)  # explain's rule
    baseline = as_baseline(model, baseline)  # a kind, as evaluate(baseline="mask") takes it, or a Baseline
    _check_target(model, target, enc.input_ids.shape[0])
    task = model.task
    real = enc.attention_mask.bool()
    special = enc.special_mask & real
    with torch.inference_mode():
        W = model.embed(enc.input_ids)  # (B, L, D)
        outputs = model.outputs(W, enc.attention_mask, enc.token_type_ids, enc.position_ids, target=enc.fixed_target)
    y = task.predict(outputs, enc) if target is None else target.to(torch.long)  # (B, T): ŷ, or the explained class
    protected = task.protected(enc, y) & real  # the prediction's own tokens: never removed
    eligible = (real if protocol == "reference" else enc.attributed) & ~protected
    B, L = enc.input_ids.shape
    masks = torch.stack([top_k_mask(token_scores, eligible, fraction=f) for f in fractions])  # (F, B, L)
    owner, S, which = _distinct_sets(masks)  # (U,) text of each distinct set, (U, L) the sets, (F, B) -> row in U
    u_enc, u_W, u_y = enc.select(owner.tolist()), W[owner], y[owner]
    u_real, u_special, u_protected = real[owner], special[owner], protected[owner]

    ref = _replacement(model, baseline, W)  # (D,)
    replaced = Rows(torch.where(S[..., None], ref.expand_as(u_W), u_W), u_enc.attention_mask, u_enc.token_type_ids,
                    u_enc.position_ids, u_y)
    original = Rows(W, enc.attention_mask, enc.token_type_ids, enc.position_ids, y)
    deleted = _packed_rows(model, u_enc, u_W, u_real & ~S, u_y)
    kept_extra = (u_special if protocol == "standard" else torch.zeros_like(S)) | u_protected
    kept = _packed_rows(model, u_enc, u_W, S | kept_extra, u_y)
    logp = log_p_of(model, _cat_rows([original, replaced, deleted, kept]), rows_per_chunk=rows_per_chunk)
    U = len(owner)
    lp_orig, lp_repl, lp_del, lp_kept = logp.split([B, U, U, U])
    out = []
    for f in range(len(fractions)):
        rows = which[f]  # (B,)
        k = masks[f].sum(1)
        zero = k == 0
        nan = float("nan")  # k = 0: nothing removed, nothing measured (a 0 would be averaged in as a measurement)
        lo = log_odds(log_p_original=lp_orig, log_p_replaced=lp_repl[rows]).masked_fill(zero, nan)
        comp = comprehensiveness(p_original=lp_orig.exp(), p_deleted=lp_del[rows].exp()).masked_fill(zero, nan)
        suff = sufficiency(p_original=lp_orig.exp(), p_kept=lp_kept[rows].exp()).masked_fill(zero, nan)
        out.append(Faithfulness(lo, comp, suff, k, y, lp_orig.exp()))
    return out


def _distinct_sets(masks: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """(F, B, L) bool top-k sets -> the distinct (text, set) pairs in order of first use: owner (U,), sets (U, L),
    and for every (fraction, text) the index of its pair (F, B)."""
    F, B, L = masks.shape
    text = torch.arange(B).expand(F, B).reshape(-1, 1)
    keys = torch.cat([text, masks.reshape(F * B, L).long()], dim=1)  # (F·B, 1 + L)
    uniq, inverse = torch.unique(keys, dim=0, return_inverse=True)
    first = torch.full((len(uniq),), F * B, dtype=torch.long).scatter_reduce(0, inverse, torch.arange(F * B), "amin")
    order = torch.argsort(first)  # first use first: one fraction gives the texts in order, as before
    rank = torch.empty_like(order)
    rank[order] = torch.arange(len(order))
    uniq = uniq[order]
    return uniq[:, 0], uniq[:, 1:].bool(), rank[inverse].reshape(F, B)


def aopc(
    model: ClassifierModel,
    enc: Encoding,
    token_scores: Tensor,
    *,
    baseline: Baseline,
    fractions: Sequence[float] = AOPC_FRACTIONS,
    protocol: str = "standard",
    rows_per_chunk: int = 64,
) -> dict[str, Tensor]:
    """Each metric averaged over several top-k fractions (area over the perturbation curve): -> (B,) each. A fraction
    that removes nothing from a text (k = 0) is left out of its mean; NaN where no fraction removes anything."""
    if not fractions:
        raise FaithlensError("The 'fractions' parameter of aopc must list at least one fraction, e.g. (0.1, 0.2, 0.3, 0.4, 0.5).")
    runs = faithfulness_at(model, enc, token_scores, baseline=baseline, fractions=fractions, protocol=protocol,
                           rows_per_chunk=rows_per_chunk)
    return {name: torch.stack([getattr(r, name) for r in runs]).nanmean(0)
            for name in ("log_odds", "comprehensiveness", "sufficiency")}


def _check_target(model: ClassifierModel, target: object, n: int) -> None:
    """``target`` of `faithfulness`: None (the prediction), or for a classifier a (B, 1) integer tensor of class
    indices in [0, number of classes), the class each text's metrics are measured on."""
    if target is None:
        return
    classes = len(model.labels)
    example = f"torch.tensor([[1]] * {n})" if n < 4 else "torch.full((B, 1), 1)"
    if model.task.name not in ("classification", "multi_label"):
        raise FaithlensError(f"target= picks a classifier's class; {model.name!r} is a {model.task.name} model, whose "
                             "metrics are measured on its own prediction (QA) or continuation (causal LM). Leave it out.")
    ok = _integer_tensor(target) and tuple(target.shape) == (n, 1) and bool(((target >= 0) & (target < classes)).all())
    if not ok:
        raise FaithlensError(f"target must be a ({n}, 1) integer tensor of class indices in [0, {classes}) (one per text), "
                             f"e.g. {example}. Got {type(target).__name__} {target!r:.60}.")


def _replacement(model: ClassifierModel, baseline: Baseline, W: Tensor) -> Tensor:
    if baseline.token_id is None:  # the all-zero baseline
        return torch.zeros(W.shape[-1], dtype=W.dtype)
    return model.embedding_matrix[baseline.token_id].detach().to(W.dtype)


def _integer_tensor(t: object) -> bool:
    """A torch tensor of integers (not float, complex or bool): counts and class indices."""
    return isinstance(t, Tensor) and not (t.is_floating_point() or t.is_complex() or t.dtype == torch.bool)


def _same_shape(where: str, **tensors: Tensor) -> None:
    """The per-text tensors of one metric share one shape: (B,) and (B, 1) would broadcast to (B, B) silently."""
    for name, t in tensors.items():
        if not isinstance(t, Tensor):
            raise FaithlensError(f"{where}: {name} must be a torch tensor of one number per text, shape (B,). Got "
                                 f"{type(t).__name__} {t!r:.60}.")
    shapes = {name: tuple(t.shape) for name, t in tensors.items()}
    if len(set(shapes.values())) > 1:
        said = ", ".join(f"{name} {shape}" for name, shape in shapes.items())
        raise FaithlensError(f"{where} takes one number per text in each argument, of one shape (B,); got {said}. "
                             "Flatten them first (t.reshape(-1)), so that rows are not broadcast against each other.")


def _check_fraction(fraction: float) -> None:
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 <= fraction <= 1:
        raise FaithlensError(f"The top-k fraction must be a number in [0, 1], e.g. 0.2 for 20 %. Got {fraction!r} instead.")


# --- from explanations ------------------------------------------------------------------------------

def scores_on_encoding(enc: Encoding, per_text_scores: Sequence[Sequence[float]]) -> Tensor:
    """Place each text's real-token scores (as in ``Explanation.token_scores``) on the padded grid: -> (B, L)."""
    B, L = enc.input_ids.shape
    out = torch.zeros(B, L, dtype=torch.float64)
    for b, scores in enumerate(per_text_scores):
        pos = enc.real_positions(b)
        if len(scores) != len(pos):
            raise FaithlensError(f"Text {b} has {len(pos)} tokens but {len(scores)} scores were given. "
                                 "Pass the scores of the same model and tokenizer that encoded the text.")
        out[b, pos] = torch.as_tensor(list(scores), dtype=torch.float64)
    return out


def explanation_faithfulness(
    model: ClassifierModel,
    explanations: Sequence,
    *,
    baseline: Baseline,
    fraction: float = DEFAULT_TOPK,
    protocol: str = "standard",
    truncate: bool = False,
    rows_per_chunk: int = 64,
) -> Faithfulness:
    """Metrics for a list of :class:`~faithlens.explanation.Explanation` (texts re-encoded as ids, not decoded), each
    measured on the class it explains (`explained_classes`)."""
    enc = encoding_of(model, explanations, truncate=truncate)
    scores = scores_on_encoding(enc, [e.token_scores for e in explanations])
    return faithfulness(model, enc, scores, baseline=baseline, fraction=fraction, protocol=protocol,
                        rows_per_chunk=rows_per_chunk, target=explained_classes(model, explanations))


def explanation_faithfulness_at(
    model: ClassifierModel,
    explanations: Sequence,
    *,
    baseline: Baseline,
    fractions: Sequence[float],
    protocol: str = "standard",
    truncate: bool = False,
    rows_per_chunk: int = 64,
) -> list[Faithfulness]:
    """`explanation_faithfulness` at several fractions in one forward (`faithfulness_at`)."""
    enc = encoding_of(model, explanations, truncate=truncate)
    scores = scores_on_encoding(enc, [e.token_scores for e in explanations])
    return faithfulness_at(model, enc, scores, baseline=baseline, fractions=fractions, protocol=protocol,
                           rows_per_chunk=rows_per_chunk, target=explained_classes(model, explanations))


def explained_classes(model: ClassifierModel, explanations: Sequence) -> Tensor | None:
    """(B, 1) the class each classifier explanation explains (its ``target["index"]``: the prediction, or the class
    asked for with target=), so that a target other than the prediction is measured on its own class; None for the
    other tasks, whose measures read their target from the encoding (a causal LM's continuation) or the prediction."""
    if model.task.name not in ("classification", "multi_label"):
        return None
    return torch.tensor([[int(e.target["index"])] for e in explanations], dtype=torch.long)


def _check_made_by(model: ClassifierModel, explanations: Sequence) -> None:
    """Each explanation was made by ``model``: the weights' digest both record (``provenance``) is the same, and a
    classifier explanation's target class has its name in ``model`` (two models of one tokenizer read the same tokens,
    so the token check alone would score one model's explanation on the other's outputs)."""
    mine = (model.info.get("provenance") or {}).get("weights_sha256")
    for i, e in enumerate(explanations):
        theirs = e.provenance.get("weights_sha256") if isinstance(e.provenance, dict) else None
        target = e.target or {}
        index, label = target.get("index"), target.get("label")
        other_label = (model.task.name in ("classification", "multi_label") and isinstance(index, int)
                       and (not 0 <= index < len(model.labels) or model.labels[index] != label))
        if (mine and theirs and mine != theirs) or other_label:
            why = (f"weights {theirs[:12]}…, not {mine[:12]}…" if mine and theirs and mine != theirs else
                   f"its target class {index} is {label!r}, which {model.name!r} does not have at {index}")
            raise FaithlensError(f"Explanation {i} ({e.method}) was made by the model {e.model!r} ({why}); its scores "
                                 f"would be measured on the outputs of {model.name!r}. Pass explanations made with this "
                                 "model, or the model that made them.")


def encoding_of(model: ClassifierModel, explanations: Sequence, *, truncate: bool = False) -> Encoding:
    """The encoding the explanations were made on: their texts (pairs, QA windows, LM continuations) encoded again."""
    from .encoding import encode_windows

    task = model.task.name
    _check_made_by(model, explanations)
    items = [e.text if e.text_pair is None else (e.text, e.text_pair) for e in explanations]
    if task != "qa":
        enc = encode(model, items, truncate=truncate, **({"continuations": [e.target["token_ids"] for e in explanations]}
                                                         if task == "causal_lm" else {}))
        for i, e in enumerate(explanations):  # another model's explanation would be scored on other tokens
            if model.tokenizer.convert_ids_to_tokens(enc.input_ids[i, enc.real_positions(i)].tolist()) != list(e.tokens):
                raise FaithlensError(f"Explanation {i} ({e.method}, model {e.model!r}) was made on other tokens than "
                                     f"{model.name!r} reads from its text. Pass explanations made with this model.")
        return enc
    enc, item_of = encode_windows(model, [e.text for e in explanations], [e.text_pair for e in explanations])
    rows = []
    for i, e in enumerate(explanations):  # the window whose tokens are the explanation's
        ids = model.tokenizer.convert_tokens_to_ids(list(e.tokens))
        match = [r for r, it in enumerate(item_of) if it == i and enc.input_ids[r, enc.real_positions(r)].tolist() == ids]
        if not match:
            raise FaithlensError(f"Explanation {i} does not match any window of its question and context under "
                                 f"{model.name!r}. Pass explanations made with this model.")
        rows.append(match[0])
    return enc.select(rows)
