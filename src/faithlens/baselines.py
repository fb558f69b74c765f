"""Reference (baseline) embeddings: special tokens keep their id, every other token becomes the baseline."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from .encoding import Encoding
from .errors import FaithlensError, unknown_choice
from .model import ClassifierModel

BASELINES = ("mask", "pad", "eos", "zero", "unk")


@dataclass(frozen=True)
class Baseline:
    """The reference token of a path or deletion: ``kind`` one of `BASELINES` or "token" (given by its vocabulary
    entry), ``token_id`` its row of the embedding matrix (an int ≥ 0; None only for "zero", the all-zero vector).
    Build it with `resolve_baseline(model, kind)`, which fills both from the model; a hand-built one is checked
    here and against the model's vocabulary where it is used (`as_baseline`)."""

    kind: str  # the kind actually used
    token_id: int | None  # None for "zero"
    token: str | None
    warning: str | None = None

    def __post_init__(self) -> None:
        fix = "Build it with faithlens.baselines.resolve_baseline(model, 'mask'), or pass the kind as a str ('mask')."
        if self.kind not in (*BASELINES, "token"):
            raise FaithlensError(f"Baseline kind {self.kind!r:.40} is not one of {', '.join(BASELINES)}, token. {fix}")
        if self.kind == "token" and not isinstance(self.token, str):
            raise FaithlensError(f"A 'token' baseline names its vocabulary entry (token='[MASK]'). Got token={self.token!r}. "
                                 "Build it with faithlens.baselines.resolve_baseline(model, token='...').")
        if (self.token_id is None) != (self.kind == "zero"):
            raise FaithlensError(f"A {self.kind!r} baseline " + ("has no token id (it is the all-zero vector)"
                                 if self.kind == "zero" else "needs the token id of its vocabulary entry") + f". {fix}")
        if self.token_id is not None and (isinstance(self.token_id, bool) or not isinstance(self.token_id, int)
                                          or self.token_id < 0):
            raise FaithlensError(f"A baseline's token_id is a row of the embedding matrix, an int ≥ 0. Got "
                                 f"{self.token_id!r:.40}. {fix}")


def as_baseline(model: ClassifierModel, baseline: object) -> Baseline:
    """``baseline`` as a `Baseline` of ``model``: a kind (a str, `resolve_baseline`) or a Baseline whose token is in the
    model's vocabulary. Raises FaithlensError otherwise."""
    if isinstance(baseline, str):
        return resolve_baseline(model, baseline)
    if not isinstance(baseline, Baseline):
        raise FaithlensError(f"baseline must be a kind ({', '.join(BASELINES)}) or a Baseline from "
                             f"faithlens.baselines.resolve_baseline(model, kind). Got {type(baseline).__name__} "
                             f"{baseline!r:.60}.")
    rows = model.embedding_matrix.shape[0]
    if baseline.token_id is not None and baseline.token_id >= rows:
        raise FaithlensError(f"The baseline's token_id {baseline.token_id} is not in the vocabulary of {model.name!r} "
                             f"({rows} rows). Build it for this model: resolve_baseline(model, {baseline.kind!r}).")
    return baseline


def check_baseline_choice(kind: object, token: object) -> None:
    """``kind`` (baseline=, CLI --baseline) and ``token`` (baseline_token=, --baseline-token) are alternatives: a
    kind names the reference token by its role, a token gives it by its vocabulary entry. Both given is refused
    (one would be dropped without a word). One rule for the API and the CLI, checked before the model loads."""
    if kind is not None and token is not None:
        raise FaithlensError(f"baseline={kind!r} and baseline_token={token!r} (CLI --baseline {kind} and --baseline-token "
                             f"{token}) are alternatives: the first picks the reference token by its role "
                             f"({', '.join(BASELINES)}), the second by its vocabulary entry. Pass one of them.")


def resolve_baseline(model: ClassifierModel, kind: str | None = None, *, token: str | None = None) -> Baseline:
    """Pick the baseline token; fall back from mask to pad (with a warning) for models without one.

    ``kind=None`` is the model's own default (SPEC §2, §9): ``mask`` for encoders; for causal LMs
    the model's pad token, else its eos, else its unk — never the zero vector (an exactly-zero
    input gives NaN gradients through RMSNorm). `token` (a vocabulary entry) replaces `kind`: pass one of
    them (`check_baseline_choice`).
    """
    check_baseline_choice(kind, token)
    tok = model.tokenizer
    if kind is None and token is None:
        kind = _default_kind(model)
    if token is not None:
        token_id = tok.convert_tokens_to_ids(token)
        if token_id is None or (tok.unk_token_id is not None and token_id == tok.unk_token_id and token != tok.unk_token):
            raise FaithlensError(f"The baseline token {token!r} is not in the vocabulary of {model.name!r}. Pass a token the tokenizer knows.")
        return Baseline(kind="token", token_id=int(token_id), token=token)
    if kind not in BASELINES:
        raise unknown_choice("baseline", kind, BASELINES)
    if kind == "zero":
        return Baseline(kind="zero", token_id=None, token=None)
    if kind == "mask":
        if tok.mask_token_id is not None:
            return Baseline(kind="mask", token_id=int(tok.mask_token_id), token=tok.mask_token)
        pad = _own_pad(model)
        if pad is None:
            raise _no_token_error(model, "mask")
        return Baseline(
            kind="pad", token_id=pad, token=tok.pad_token,
            warning=f"{model.name!r} has no mask token; the baseline fell back to its pad token {tok.pad_token!r}.",
        )
    if kind == "pad":
        pad = _own_pad(model)
        if pad is None:
            raise _no_token_error(model, "pad")
        return Baseline(kind="pad", token_id=pad, token=tok.pad_token)
    if kind == "eos":
        if tok.eos_token_id is None:
            raise _no_token_error(model, "eos")
        return Baseline(kind="eos", token_id=int(tok.eos_token_id), token=tok.eos_token)
    if tok.unk_token_id is None:
        raise _no_token_error(model, "unk")
    return Baseline(kind="unk", token_id=int(tok.unk_token_id), token=tok.unk_token)


def _default_kind(model: ClassifierModel) -> str:
    """mask for encoders; for causal LMs the first of pad, eos, unk whose embedding is not all zero
    (an untrained padding row is often exactly zero: the zero vector's trouble without the name)."""
    if not model.is_causal:
        return "mask"
    tok = model.tokenizer
    for kind, token_id in (("pad", _own_pad(model)), ("eos", tok.eos_token_id), ("unk", tok.unk_token_id)):
        if token_id is not None and bool(model.embedding_matrix[int(token_id)].detach().ne(0).any()):
            return kind
    raise FaithlensError(f"{model.name!r} has no pad, eos or unk token with a non-zero embedding to use as the baseline. "
                         "Pass a vocabulary token as the baseline (baseline_token=TOKEN).")


def uses_rms_norm(model: ClassifierModel) -> bool:
    """True when the model normalises with RMSNorm (LLaMA, Mistral, Qwen, SmolLM ...)."""
    return any("RMSNorm" in type(m).__name__ for m in model.model.modules())


def check_baseline(model: ClassifierModel, enc: Encoding, baseline: Baseline) -> None:
    """Refuse the zero baseline where it breaks the gradients: an RMSNorm model with a moving first position.

    The first position attends only to itself, so an exactly-zero embedding there stays zero through
    every layer, where RMSNorm's Jacobian is w/√eps: the gradient overflows and turns into NaN
    (measured on SmolLM2-135M), and near zero it is huge (paths pass there).
    """
    zero = baseline.token_id is None or not bool(model.embedding_matrix[baseline.token_id].detach().ne(0).any())
    if not zero or not uses_rms_norm(model):
        return
    first = enc.attention_mask.long().argmax(1)  # (B,) the first real position (left or right padding)
    moves = enc.attributed[torch.arange(len(first)), first]
    if bool(moves.any()):
        what = "The 'zero' baseline" if baseline.token_id is None else f"The baseline token {baseline.token!r} (its embedding is all zero)"
        if baseline.warning and "fell back" in baseline.warning:  # asked for mask: say where the pad token came from
            what += f", which the 'mask' baseline fell back to as {model.name!r} has no mask token,"
        tok = model.tokenizer
        working = [kind for kind, token_id in (("pad", _own_pad(model)), ("eos", tok.eos_token_id), ("unk", tok.unk_token_id))
                   if token_id is not None and token_id != baseline.token_id
                   and bool(model.embedding_matrix[int(token_id)].detach().ne(0).any())]
        raise FaithlensError(
            f"{what} puts an all-zero embedding at the first position, where {model.name!r} (an RMSNorm model) gives "
            "NaN or exploding gradients. Use "
            + "".join(f"baseline='{k}' (CLI --baseline {k}), " for k in working)
            + "a vocabulary token, baseline_token=TOKEN (CLI --baseline-token TOKEN), or a method that takes no "
            "gradient (occlusion, SIG's closed form: sig or sig:closed, shapley, kernel_shap, lime, partition), which "
            "accepts it.")


def _own_pad(model: ClassifierModel) -> int | None:
    """The model's own pad token (not one faithlens set for batching)."""
    if not model.had_pad_token:
        return None
    return int(model.tokenizer.pad_token_id)


def _no_token_error(model: ClassifierModel, kind: str) -> FaithlensError:
    """No token for ``kind``: the kinds this model has are named (each a fix every surface takes), then the zero
    vector and, where a surface has it, a vocabulary token."""
    tok = model.tokenizer
    has = [k for k, token_id in (("mask", tok.mask_token_id), ("pad", _own_pad(model)), ("eos", tok.eos_token_id),
                                 ("unk", tok.unk_token_id)) if token_id is not None and k != kind]
    return FaithlensError(
        f"{model.name!r} has no {kind} token{' and no pad token' if kind == 'mask' else ''}, so there is no "
        f"'{kind}' baseline. Pass one it has: "
        + "".join(f"baseline='{k}' (CLI --baseline {k}), " for k in has)
        + "the zero baseline, baseline='zero' (CLI --baseline zero), or in explain a vocabulary token, "
        "baseline_token=TOKEN (CLI --baseline-token TOKEN)."
    )


def baseline_ids(enc: Encoding, baseline: Baseline) -> Tensor:
    """(B, L) ids of the reference input: attributed tokens replaced, specials and padding kept."""
    if baseline.token_id is None:
        return enc.input_ids.clone()
    return enc.input_ids.masked_fill(enc.attributed, baseline.token_id)


def baseline_embeddings(model: ClassifierModel, enc: Encoding, baseline: Baseline, embeds: Tensor) -> Tensor:
    """(B, L, D) baseline word embeddings; `embeds` are the input's word embeddings."""
    if baseline.token_id is None:
        return embeds.masked_fill(enc.attributed[..., None], 0.0)
    ref = model.embedding_matrix[baseline.token_id].to(embeds.dtype)  # (D,)
    return torch.where(enc.attributed[..., None], ref.expand_as(embeds), embeds)
