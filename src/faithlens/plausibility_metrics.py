"""Plausibility metrics of one example at word level (ERASER, DeYoung et al. 2020): AUPRC of the word ranking,
token F1 and IOU of the top-k words, and IOU-F1 (partial span matches at IOU ≥ 0.5) against the human rationale."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from .errors import FaithlensError

IOU_THRESHOLD = 0.5


# --- pure functions (one example, word level) -----------------------------------------------------------

def _check(scores: Tensor, relevant: Tensor, *, marks: bool = False) -> None:
    """Word scores (or ``marks``: predicted words, bool) and rationale marks: 1-D torch tensors of one shape, no NaN."""
    if not (isinstance(scores, Tensor) and isinstance(relevant, Tensor)) or scores.shape != relevant.shape or \
            scores.dim() != 1 or bool(torch.isnan(scores.double()).any()) or (marks and scores.dtype != torch.bool):
        raise FaithlensError("Expected word scores (predicted words: bool marks, as top_k_words gives them) and rationale "
                             "marks as 1-D torch tensors of one shape (n_words,), the scores without NaN. Got "
                             f"{getattr(scores, 'dtype', type(scores).__name__)} {tuple(getattr(scores, 'shape', ()))} and "
                             f"{tuple(getattr(relevant, 'shape', ()))}.")


def average_precision(*, scores: Tensor, relevant: Tensor) -> float | None:
    """AUPRC of ranking words by ``scores`` (n,) against ``relevant`` (n,) bool (higher is better).

    Σ over distinct thresholds t (descending) of (R(t) − R(t_prev)) · P(t), where P, R are the
    precision and recall of {score ≥ t}; None when no word is relevant."""
    _check(scores, relevant)
    relevant = relevant.bool()
    total = int(relevant.sum())
    if total == 0:
        return None
    values = torch.unique(scores.to(torch.float64), sorted=True).flip(0)  # distinct thresholds, high to low
    ap, recall_before = 0.0, 0.0
    for t in values:
        chosen = scores.to(torch.float64) >= t
        hits = int((chosen & relevant).sum())
        precision, recall = hits / int(chosen.sum()), hits / total
        ap += (recall - recall_before) * precision
        recall_before = recall
    return ap


def top_k_words(*, scores: Tensor, k: int) -> Tensor:
    """(n,) bool: the k highest scores (ties: the earlier word first); all words when k ≥ n. ``k``: an int ≥ 0."""
    _check(scores, scores)
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise FaithlensError(f"top_k_words takes k, the number of words to mark, an int ≥ 0. Got {k!r}.")
    n = scores.numel()
    order = torch.sort(scores.to(torch.float64), descending=True, stable=True).indices
    chosen = torch.zeros(n, dtype=torch.bool)
    chosen[order[:max(0, min(k, n))]] = True
    return chosen


def token_f1(*, predicted: Tensor, relevant: Tensor) -> float:
    """F1 of predicted rationale words against the human ones (higher is better); 0 when either is empty."""
    _check(predicted, relevant, marks=True)
    hits = int((predicted.bool() & relevant.bool()).sum())
    p_n, r_n = int(predicted.bool().sum()), int(relevant.bool().sum())
    if hits == 0:
        return 0.0
    precision, recall = hits / p_n, hits / r_n
    return 2 * precision * recall / (precision + recall)


def token_iou(*, predicted: Tensor, relevant: Tensor) -> float:
    """|predicted ∩ human| / |predicted ∪ human| over words (higher is better); 0 when both are empty."""
    _check(predicted, relevant, marks=True)
    union = int((predicted.bool() | relevant.bool()).sum())
    return int((predicted.bool() & relevant.bool()).sum()) / union if union else 0.0


def runs(marks: Tensor, segments: Sequence[int] | None = None) -> list[tuple[int, int]]:
    """Contiguous runs of True as [start, end) word ranges; a run never crosses a segment boundary."""
    out: list[tuple[int, int]] = []
    start = None
    flags = marks.bool().tolist()
    for i, on in enumerate(flags + [False]):
        boundary = segments is not None and 0 < i < len(flags) and segments[i] != segments[i - 1]
        if start is not None and (not on or boundary):
            out.append((start, i))
            start = None
        if on and start is None:
            start = i
    return out


def _span_iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    return inter / (max(a[1], b[1]) - min(a[0], b[0]))


def iou_match(*, predicted: Tensor, relevant: Tensor, segments: Sequence[int] | None = None,
              threshold: float = IOU_THRESHOLD) -> tuple[float, float, float]:
    """ERASER's partial match for one example: (precision, recall, F1) of predicted spans against
    gold spans, a pair matching when their word IOU ≥ ``threshold`` (higher is better)."""
    _check(predicted, relevant)
    pred, gold = runs(predicted, segments), runs(relevant, segments)
    if not pred or not gold:
        return 0.0, 0.0, 0.0
    pred_hit = sum(any(_span_iou(p, g) >= threshold for g in gold) for p in pred)
    gold_hit = sum(any(_span_iou(p, g) >= threshold for p in pred) for g in gold)
    precision, recall = pred_hit / len(pred), gold_hit / len(gold)
    f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    return precision, recall, f1


