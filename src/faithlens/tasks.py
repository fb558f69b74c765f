"""The explained scalar per task (SPEC §1, §9): what a model outputs on word embeddings, which
scalar F of those outputs a method explains, the default target, and the probability of the
prediction that the faithfulness metrics read.

Every method, metric and audit sees a task only through four things:

- ``outputs(model, embeds, mask, types, positions, target) -> (R, K)``: the head's output vector
  per row (class logits; start ‖ end logits for QA; log p of each target token for a causal LM);
- ``score(name)(outputs, target) -> (R,)``: the explained scalar F (``logit``, ``max_logit``,
  ``prob``, ``log_prob``), a named function separate from how it is differentiated;
- ``predict(outputs, enc) -> (R, T)``: the default target, fixed along every path;
- ``log_p(outputs, target) -> (R,)``: log-probability of the prediction (log-odds, Comp, Suff).

A target row has T columns: the class index (T = 1); the answer's first and last token (QA, T = 2);
the ids of the target continuation, right-aligned and padded with −1 on the left (causal LM).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
import torch
from torch import Tensor

from .errors import FaithlensError, unknown_choice

ScoreFn = Callable[[Tensor, Tensor], Tensor]
SCORE_NAMES = ("logit", "max_logit", "prob", "log_prob")
MAX_ANSWER_TOKENS = 30  # SPEC §9: j − i < 30
# QA logits at padding: low enough that softmax gives them exactly 0, small enough that gradients through
# log-probabilities there stay finite (the dtype's minimum overflows once a loss weight such as the facade's
# λ_g = 1e3 multiplies it).
MASKED_LOGIT = -1e4


def mask_padding(logits: Tensor, attention_mask: Tensor) -> Tensor:
    """A QA head's start or end logits with every padded position at `MASKED_LOGIT`."""
    return logits.masked_fill(attention_mask == 0, MASKED_LOGIT)


class Task:
    """Base class: a sequence classifier's head with softmax probabilities."""

    name = "classification"
    summary = "single-label classification (softmax)"
    default_score = "logit"
    scores: tuple[str, ...] = SCORE_NAMES
    target_width = 1

    # --- the head ----------------------------------------------------------------------------
    def outputs(self, model, embeds: Tensor, mask: Tensor, types: Tensor | None, positions: Tensor | None,
                target: Tensor | None = None, prefix=None) -> Tensor:
        """Class logits (R, C)."""
        if prefix is not None:
            return model.logits_after_prefix(*prefix, embeds, mask, positions)
        return model.logits(embeds, mask, types, positions)

    def tail_columns(self, target: Tensor) -> int:
        """Causal models: how many last columns the head reads (they always run)."""
        return 1

    # --- the explained scalar ------------------------------------------------------------------
    def score(self, name: str) -> ScoreFn:
        if name not in self.scores:
            if name in SCORE_NAMES:
                raise FaithlensError(f"The score {name!r} is not defined for this {self.summary} model. Valid choices: "
                                     f"{', '.join(sorted(self.scores))}.")
            raise unknown_choice("score", name, self.scores)
        return getattr(self, f"_{name}")

    def contrast(self, name: str) -> ScoreFn:
        """F = score(target) − score(foil) (contrastive explanation: why the target rather than the foil;
        Jacovi et al. 2021, Yin & Neubig 2022). Target rows are `with_foil(target, foil)`. A wrapper of the
        named score, so every method and the completeness gap run through it unchanged."""
        if name == "max_logit":
            raise FaithlensError("A contrast compares the target with a foil; score='max_logit' has no target. "
                                 "Use score='logit' (the logit difference), 'prob' or 'log_prob'.")
        base, width = self.score(name), self.target_width

        def contrastive(z: Tensor, target: Tensor) -> Tensor:
            return base(z, target[:, :width]) - base(z, target[:, width:])

        contrastive.__name__ = f"contrast_{name}"
        return contrastive

    def with_foil(self, target: Tensor, foil: Tensor) -> Tensor:
        """Target rows (B, 2T) holding the target's T columns, then the foil's."""
        return torch.cat([target, foil], dim=1)

    def foil_of(self, target: Tensor) -> Tensor | None:
        """The foil part of contrast target rows (None for plain targets)."""
        return target[:, self.target_width:] if target.shape[1] > self.target_width else None

    @staticmethod
    def _logit(z: Tensor, target: Tensor) -> Tensor:
        return z.gather(1, target[:, :1]).squeeze(1)

    @staticmethod
    def _max_logit(z: Tensor, target: Tensor) -> Tensor:
        return z.max(dim=1).values

    @staticmethod
    def _prob(z: Tensor, target: Tensor) -> Tensor:
        return torch.softmax(z, dim=1).gather(1, target[:, :1]).squeeze(1)

    @staticmethod
    def _log_prob(z: Tensor, target: Tensor) -> Tensor:
        return torch.log_softmax(z, dim=1).gather(1, target[:, :1]).squeeze(1)

    # --- prediction ------------------------------------------------------------------------------
    def predict(self, outputs: Tensor, enc=None) -> Tensor:
        """Default target (R, 1): the arg-max class."""
        return outputs.argmax(1, keepdim=True)

    def log_p(self, outputs: Tensor, target: Tensor) -> Tensor:
        """log p(prediction) (R,), as the faithfulness metrics read it."""
        return self._log_prob(outputs.to(torch.float64), target)

    def probabilities(self, outputs: Tensor) -> Tensor:
        """Per-label probabilities shown to users: (R, C)."""
        return torch.softmax(outputs.to(torch.float64), -1)

    def describe(self, outputs: Tensor, target: Tensor, labels: Sequence[str], enc=None, b: int = 0) -> tuple[dict, dict]:
        """(prediction, target) dicts of one row for an Explanation."""
        probs = self.probabilities(outputs[None])[0]
        predicted = int(outputs.argmax())
        t = int(target[0])
        prediction = {"label": labels[predicted], "index": predicted, "probs": probs.tolist(), "labels": list(labels)}
        chosen = {"label": labels[t], "index": t}
        foil = self.foil_of(target[None])
        if foil is not None:
            chosen["contrast"] = {"label": labels[int(foil[0, 0])], "index": int(foil[0, 0])}
        return prediction, chosen

    def tie(self, outputs: Tensor, target: Tensor, labels: Sequence[str], *, score: str | None) -> str | None:
        """A note when the arg-max class of one row's outputs (C,) ties with another (equal logits: the probability
        of each is the same), else None. The prediction then names the first of them by position only, and so does
        a default target (`predict`). It advises --target only where that can still choose: not for ``score``
        max_logit (no target), nor when the row's ``target`` is already another class."""
        tied = (outputs == outputs.max()).nonzero().flatten().tolist()
        if len(tied) < 2:
            return None
        advise = score != "max_logit" and int(target.flatten()[0]) == tied[0]
        p = float(self.probabilities(outputs[None])[0, tied[0]])
        coarse = (f" This model runs in {str(outputs.dtype).replace('torch.', '')}, whose rounding makes ties: in "
                  "float32 the classes may differ." if outputs.dtype in (torch.float16, torch.bfloat16) else "")
        advice = " Pass --target (target= in Python) to explain the class you mean." if advise else ""
        return (f"Tie: the classes {', '.join(repr(labels[i]) for i in tied)} have the same probability ({p:.4f}), so "
                f"the prediction names {labels[tied[0]]!r} only because it comes first.{advice}{coarse}")

    # --- metrics -------------------------------------------------------------------------------
    def protected(self, enc, target: Tensor) -> Tensor:
        """(B, L) bool: attributed tokens the metrics never remove (QA: the answer span)."""
        return torch.zeros_like(enc.attention_mask, dtype=torch.bool)

    def remap(self, target: Tensor, keep: Tensor, *, left: bool) -> Tensor:
        """The target after packing each row's kept positions (keep (N, L)) to one side."""
        return target


class MultiLabel(Task):
    """``problem_type="multi_label_classification"``: an independent sigmoid per label (SPEC §9)."""

    name = "multi_label"
    summary = "multi-label classification (sigmoid per label)"

    @staticmethod
    def _prob(z: Tensor, target: Tensor) -> Tensor:
        return torch.sigmoid(z.gather(1, target[:, :1]).squeeze(1))

    @staticmethod
    def _log_prob(z: Tensor, target: Tensor) -> Tensor:
        return torch.nn.functional.logsigmoid(z.gather(1, target[:, :1]).squeeze(1))

    def probabilities(self, outputs: Tensor) -> Tensor:
        return torch.sigmoid(outputs.to(torch.float64))

    def tie(self, outputs: Tensor, target: Tensor, labels: Sequence[str], *, score: str | None) -> None:  # no arg-max
        return None

    def describe(self, outputs, target, labels, enc=None, b=0):
        prediction, target_dict = super().describe(outputs, target, labels, enc, b)
        prediction["predicted"] = [labels[i] for i, p in enumerate(prediction["probs"]) if p > 0.5]
        return prediction, target_dict


class QuestionAnswering(Task):
    """Extractive QA: F = z^start_s + z^end_e of the answer span (s, e) (SPEC §9).

    Outputs are start ‖ end logits (R, 2L), padding columns at a large negative value, so the
    softmax runs over the attended tokens. ``log_prob`` = log softmax(z^start)_s + log softmax(z^end)_e.
    """

    name = "qa"
    summary = "extractive question answering"
    scores = ("logit", "prob", "log_prob")
    target_width = 2

    def outputs(self, model, embeds, mask, types, positions, target=None, prefix=None) -> Tensor:
        if prefix is not None:
            raise FaithlensError("Key/value prefix sharing is for causal models; a QA model has none.")
        kwargs = {"inputs_embeds": embeds, "attention_mask": mask}
        if types is not None:
            kwargs["token_type_ids"] = types
        if positions is not None:
            kwargs["position_ids"] = positions
        out = model.model(**kwargs)
        return torch.cat([mask_padding(out.start_logits, mask), mask_padding(out.end_logits, mask)], dim=1)  # (R, 2L)

    @staticmethod
    def _split(z: Tensor) -> tuple[Tensor, Tensor]:
        L = z.shape[1] // 2
        return z[:, :L], z[:, L:]

    @classmethod
    def _logit(cls, z, target):
        start, end = cls._split(z)
        return start.gather(1, target[:, :1]).squeeze(1) + end.gather(1, target[:, 1:2]).squeeze(1)

    @classmethod
    def _log_prob(cls, z, target):
        start, end = cls._split(z)
        return (torch.log_softmax(start, 1).gather(1, target[:, :1]).squeeze(1)
                + torch.log_softmax(end, 1).gather(1, target[:, 1:2]).squeeze(1))

    @classmethod
    def _prob(cls, z, target):
        return cls._log_prob(z, target).exp()

    def predict(self, outputs: Tensor, enc=None) -> Tensor:
        """The best span (R, 2): arg-max of z^start_i + z^end_j over context tokens, i ≤ j < i + 30."""
        start, end = self._split(outputs.to(torch.float64))
        allowed = context_mask(enc) if enc is not None else torch.ones_like(start, dtype=torch.bool)
        L = start.shape[1]
        i = torch.arange(L)
        band = (i[None, :] >= i[:, None]) & (i[None, :] - i[:, None] < MAX_ANSWER_TOKENS)  # (L, L): j ≥ i, j − i < 30
        pair = start[:, :, None] + end[:, None, :]  # (R, L, L)
        ok = band[None] & allowed[:, :, None] & allowed[:, None, :]
        pair = pair.masked_fill(~ok, float("-inf"))
        best = pair.flatten(1).argmax(1)
        return torch.stack([best // L, best % L], dim=1)

    def log_p(self, outputs, target):
        return self._log_prob(outputs.to(torch.float64), target)

    def probabilities(self, outputs: Tensor) -> Tensor:
        raise FaithlensError("A QA model has span probabilities, not label probabilities.")

    def tie(self, outputs: Tensor, target: Tensor, labels: Sequence[str], *, score: str | None) -> None:  # no arg-max
        return None

    def describe(self, outputs, target, labels, enc=None, b=0):
        best = self.predict(outputs[None], None if enc is None else enc.select([b]))[0]
        return self._span(outputs, best, enc, b), self._span(outputs, target, enc, b)

    def _span(self, outputs: Tensor, span: Tensor, enc, b: int) -> dict:
        s, e = int(span[0]), int(span[1])
        z = outputs[None].to(torch.float64)
        t = span[None]
        out = {"label": "", "token_span": [s, e], "logit": float(self._logit(z, t)[0]), "prob": float(self._prob(z, t)[0])}
        if enc is not None:
            a, c = int(enc.offsets[b, s, 0]), int(enc.offsets[b, e, 1])
            context = enc.text_pairs[b] or ""
            out.update(label=context[a:c], start=a, end=c)
        return out

    def protected(self, enc, target):
        L = enc.attention_mask.shape[1]
        i = torch.arange(L)[None]
        return (i >= target[:, :1]) & (i <= target[:, 1:2])

    def remap(self, target, keep, *, left):
        new = keep.long().cumsum(1) - 1  # (N, L): new index of each kept position (right packing)
        if left:
            new = new + (keep.shape[1] - keep.long().sum(1, keepdim=True))
        return new.gather(1, target)


class CausalLM(Task):
    """Next tokens of a causal LM: F = Σ_j log p(y_j | prompt, y_<j) (teacher forcing; SPEC §9).

    The input holds the prompt and the target continuation without its last token, left-padded;
    the last J columns' next-token distributions give log p(y_1..y_J). Outputs are those J
    log-probabilities (R, J), zero where the target row is padded (−1); a target row with a
    single id left explains that one token's log-probability (the per-token matrix).
    """

    name = "causal_lm"
    summary = "causal (next-token) language"  # read as "a {summary} model"
    default_score = "log_prob"
    scores = ("log_prob", "prob", "logit")
    target_width = 0  # variable: the continuation's length

    def outputs(self, model, embeds, mask, types, positions, target=None, prefix=None) -> Tensor:
        if target is None:
            raise FaithlensError("A causal LM's output is the probability of a target continuation, and none was given. "
                                 "Encode its token ids with the prompts (metrics.encode(model, texts, continuations="
                                 "[[ids...], ...])), or explain with target=' Paris' (explain --target-text), whose "
                                 "explanations carry the continuation (metrics.explanation_faithfulness).")
        J = target.shape[1]
        hidden = model.hidden_states(embeds, mask, positions, prefix=prefix)[:, -J:]  # (R, J, D)
        R, D = hidden.shape[0], hidden.shape[2]
        # as one (R·J, D) matrix: the head on the strided (R, J, D) slice ran as a batched matmul over a
        # copy of the (V, D) weight per row (2 of 3 CPU seconds of IG on SmolLM2)
        flat = model.model.get_output_embeddings()(hidden.reshape(R * J, D).contiguous())
        logits = flat.reshape(R, J, -1).to(torch.float64)  # (R, J, V)
        own, foil = unpack_foil(target)
        parts = [*self._gathered(logits, own)]
        if bool((foil >= 0).any()):  # a contrast: the foil's log p and logits at the same columns
            parts += self._gathered(logits, foil)
        return torch.cat(parts, dim=1).to(embeds.dtype)  # (R, 2J), with a foil (R, 4J)

    @staticmethod
    def _gathered(logits: Tensor, ids: Tensor) -> tuple[Tensor, Tensor]:
        """(log p, logit) of `ids` (R, J) at each of the last J columns, zero where ids are padding (−1)."""
        at = ids.clamp(min=0)[..., None]
        real = ids >= 0
        logp = torch.log_softmax(logits, -1).gather(2, at).squeeze(2)  # (R, J)
        raw = logits.gather(2, at).squeeze(2)
        return logp.masked_fill(~real, 0.0), raw.masked_fill(~real, 0.0)

    def contrast(self, name: str) -> ScoreFn:
        """log p(target continuation) − log p(foil continuation) (inseq's contrast_prob_diff in log space), or the
        logit / probability difference. The outputs hold the foil's columns after the target's."""
        base = self.score(name)

        def contrastive(z: Tensor, target: Tensor) -> Tensor:
            J = target.shape[1]
            return base(z, target) - base(z[:, 2 * J:], target)

        contrastive.__name__ = f"contrast_{name}"
        return contrastive

    def with_foil(self, target: Tensor, foil: Tensor) -> Tensor:
        """Both continuations in one (B, J) row: id + FOIL_STRIDE · (foil id + 1) (see `unpack_foil`); the model's
        input holds the target's tokens but the last, so a foil may differ from the target in its last token only."""
        return torch.where(target >= 0, target + FOIL_STRIDE * (foil + 1), target)

    def foil_of(self, target: Tensor) -> Tensor | None:
        own, foil = unpack_foil(target)
        return foil if bool((foil >= 0).any()) else None

    def tail_columns(self, target: Tensor) -> int:
        return target.shape[1]

    @staticmethod
    def _half(z: Tensor, target: Tensor, first: bool) -> Tensor:
        """The target's log p (first) or logits (R, J) of outputs laid out as `outputs` writes them."""
        J = target.shape[1]
        return z[:, :J] if first else z[:, J:2 * J]

    @classmethod
    def _log_prob(cls, z, target):
        return cls._half(z, target, True).sum(1)

    @classmethod
    def _prob(cls, z, target):
        return cls._log_prob(z, target).exp()

    @classmethod
    def _logit(cls, z, target):
        return cls._half(z, target, False).sum(1)

    def predict(self, outputs, enc=None):
        if enc is None or enc.fixed_target is None:
            raise FaithlensError("A causal LM's target is its continuation, chosen when the prompt is encoded.")
        return enc.fixed_target

    def log_p(self, outputs, target):
        return self._log_prob(outputs.to(torch.float64), target)

    def probabilities(self, outputs):
        raise FaithlensError("A causal LM has token probabilities, not label probabilities.")

    def protected(self, enc, target):
        """The continuation's input columns (all its tokens but the last) at the end of each row."""
        L = enc.attention_mask.shape[1]
        n = (target >= 0).sum(1, keepdim=True) - 1  # (B, 1)
        return torch.arange(L)[None] >= L - n

    def tie(self, outputs: Tensor, target: Tensor, labels: Sequence[str], *, score: str | None) -> None:  # no arg-max
        return None

    def describe(self, outputs, target, labels, enc=None, b=0):
        own, foil = unpack_foil(target[None])
        info = self._continuation(outputs[None].to(torch.float64)[:, :2 * own.shape[1]], own, enc)
        if bool((foil >= 0).any()):
            info["contrast"] = self._continuation(outputs[None].to(torch.float64)[:, 2 * own.shape[1]:], foil, enc)
        return info, dict(info)

    def _continuation(self, z: Tensor, ids_row: Tensor, enc) -> dict:
        """What one continuation's outputs say: its ids, text, tokens, log p and per-token log p. z (1, 2J), ids (1, J)."""
        ids = [int(t) for t in ids_row[0].tolist() if t >= 0]
        logp = float(self._log_prob(z, ids_row)[0])
        info = {"label": "", "token_ids": ids, "log_prob": logp, "prob": float(torch.tensor(logp).exp())}
        if enc is not None and enc.tokenizer is not None:
            info["label"] = enc.tokenizer.decode(ids)
            info["tokens"] = decoded_tokens(enc.tokenizer, ids)  # as text: " white", ",", "\n" (no Ġ, Ċ, ▁)
            info["pieces"] = enc.tokenizer.convert_ids_to_tokens(ids)  # the tokenizer's own symbols
            info["token_log_probs"] = [float(x) for x, t in zip(self._half(z, ids_row, True)[0].tolist(), ids_row[0].tolist())
                                       if t >= 0]
        return info


FOIL_STRIDE = 2**40  # causal LM contrast rows: id + FOIL_STRIDE · (foil id + 1); vocabularies are far smaller


def unpack_foil(target: Tensor) -> tuple[Tensor, Tensor]:
    """(target ids, foil ids) of causal LM target rows (B, J); foil ids are −1 where there is none."""
    own = torch.where(target >= 0, target % FOIL_STRIDE, target)
    foil = torch.where(target >= 0, target // FOIL_STRIDE - 1, torch.full_like(target, -1))
    return own, foil


def decoded_tokens(tokenizer, ids: list[int]) -> list[str]:
    """Each token of `ids` as the text it adds: decode(ids[:j+1]) minus decode(ids[:j]).

    Decoding prefixes (not single ids) keeps a character whose bytes span two byte-level tokens
    whole: it is shown with the token that completes it (the first shows "").
    """
    texts, before = [], ""
    for j in range(len(ids)):
        now = tokenizer.decode(ids[:j + 1])
        texts.append(now[len(before):] if now.startswith(before) else tokenizer.decode(ids[j:j + 1]))
        before = now
    return texts


TASKS: dict[str, Task] = {t.name: t for t in (Task(), MultiLabel(), QuestionAnswering(), CausalLM())}


def task_named(name: str) -> Task:
    if name not in TASKS:
        raise unknown_choice("task", name, TASKS)
    return TASKS[name]


def context_mask(enc) -> Tensor:
    """(B, L) bool: the tokens an answer may cover — attributed tokens of the second segment."""
    return enc.attributed & (enc.segment_ids == 1)


def detect_task(config) -> Task:
    """The task of a Hugging Face config: from its architecture and ``problem_type``."""
    archs = " ".join(getattr(config, "architectures", None) or [])
    if "QuestionAnswering" in archs:
        return TASKS["qa"]
    if "CausalLM" in archs or "LMHead" in archs:
        return TASKS["causal_lm"]
    problem = getattr(config, "problem_type", None)
    if problem not in (None, "single_label_classification", "multi_label_classification", "regression"):
        raise FaithlensError(f"The model's config.json sets problem_type {problem!r}, which Hugging Face does not define: "
                             "it could be read as one softmax over the labels or as a sigmoid per label. Set it to "
                             "'single_label_classification' or 'multi_label_classification' (or remove it).")
    if problem == "multi_label_classification":
        return TASKS["multi_label"]
    return TASKS["classification"]
