"""HotFlip (Ebrahimi et al. 2018), untargeted, as used by FACADE (SPEC §8).

Repeatedly: pick the unflipped token with the largest ‖G_t‖² (G = ∂CE(f(x), ŷ)/∂w for the original
prediction ŷ), replace it by argmax_v (E_v - w_t)·G_t over whole-word alphanumeric vocabulary
entries (never specials or punctuation, never the current id), recompute; stop when the prediction
changes or every flippable token was flipped. Specials and punctuation in the text are never
flipped. All unfinished texts go through one padded batch per step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from ..model import ClassifierModel
from .ids import Row, audited_texts, ce_gradients, check_chunk, pad, predict, rows_from_texts, warn_truncated
from .targets import alphanumeric_ids


@dataclass(frozen=True)
class HotFlipResult:
    model: str
    flips: tuple[int | None, ...]  # flips needed to change the prediction; None = never changed
    original: tuple[Row, ...]
    final: tuple[Row, ...]
    tokenizer: object

    def summary(self, *, examples: int = 5) -> dict:
        n = len(self.flips)
        done = [k for k in self.flips if k is not None]
        out = {"model": self.model, "n": n, "success_rate": len(done) / n if n else float("nan"),
               "mean_flips": sum(done) / len(done) if done else None}
        for k in (1, 2, 3):
            out[f"flip@{k}"] = sum(1 for d in done if d <= k) / n if n else float("nan")
        out["examples"] = [
            {"original": self._tokens(self.original[i]), "flipped": self._tokens(self.final[i]), "flips": self.flips[i]}
            for i in range(min(examples, n))
        ]
        return out

    def _tokens(self, row: Row) -> list[str]:
        return [t for t, s in zip(self.tokenizer.convert_ids_to_tokens(row.ids), row.special) if not s]


def hotflip(model: ClassifierModel, texts: Sequence, *, chunk: int = 64) -> HotFlipResult:
    from ..errors import FaithlensError

    texts = audited_texts(texts)
    chunk = check_chunk(chunk)
    if model.task.name in ("qa", "causal_lm"):  # the advice names only analyses that read this task's model
        from ..task_inputs import a_noun

        instead = ("the saliency audit (faithlens facade saliency, or faithlens audit)" if model.task.name == "causal_lm"
                   else "input reduction (faithlens facade reduce) or the saliency audit (faithlens facade saliency)")
        raise FaithlensError(f"HotFlip flips a classifier's predicted class; {model.name!r} is "
                             f"{a_noun(model.task.summary + ' model')}. Use {instead} instead.")
    warn_truncated(model, texts, "HotFlip")
    rows = rows_from_texts(model, texts)
    original = list(rows)
    labels = predict(model, pad(model, rows))  # (N, 1)
    allowed = alphanumeric_ids(model)
    E = model.embedding_matrix.detach()  # (V, D)
    V = E.shape[0]
    allowed = torch.cat([allowed, torch.zeros(max(0, V - len(allowed)), dtype=torch.bool)])[:V]
    flipped = [[False] * len(r.ids) for r in rows]
    flips: list[int | None] = [None] * len(rows)
    active = list(range(len(rows)))
    count = [0] * len(rows)
    while active:
        batch = pad(model, [rows[b] for b in active])
        logits, W, G = ce_gradients(model, batch, labels[active], chunk=chunk)
        changed = logits.argmax(-1) != labels[active, 0]
        still = []
        picks = []
        for r, b in enumerate(active):
            if bool(changed[r]):
                flips[b] = count[b]
                continue
            off = int(batch.offset[r])
            n = len(rows[b].ids)
            ids = batch.input_ids[r, off:off + n]
            ok = batch.attributed[r, off:off + n] & allowed[ids] & ~torch.tensor(flipped[b])
            if not ok.any():
                continue  # every flippable token was flipped: failure
            norms = (G[r, off:off + n] ** 2).sum(-1).masked_fill(~ok, -1.0)
            t = int(norms.argmax())
            still.append(b)
            picks.append((r, off + t, t))
        if not still:
            break
        g = torch.stack([G[r, p] for r, p, _ in picks])  # (S, D)
        w = torch.stack([W[r, p] for r, p, _ in picks])  # (S, D)
        gain = g @ E.T - (w * g).sum(-1, keepdim=True)  # (S, V): first-order increase of CE
        gain = gain.masked_fill(~allowed, float("-inf"))
        current = torch.tensor([int(batch.input_ids[r, p]) for r, p, _ in picks])
        gain[torch.arange(len(picks)), current] = float("-inf")
        best = gain.argmax(-1)
        for (r, p, t), b, v in zip(picks, still, best.tolist()):
            rows[b] = rows[b].replace(t, int(v))
            flipped[b][t] = True
            count[b] += 1
        active = still
    return HotFlipResult(model=model.name, flips=tuple(flips), original=tuple(original), final=tuple(rows),
                         tokenizer=model.tokenizer)
