"""Merge a target f and a facade g into f̃ whose logits are z_f + z_g (SPEC §8).

Two forms:

- ``sum``: :class:`SumOfLogits`, an ``nn.Module`` holding both models. Its word embedding is
  [E_g | E_f]; the forward splits ``inputs_embeds`` at d_g and adds the two models' logits. Any
  pair of classifiers sharing a tokenizer works. In memory only.
- ``intertwined``: one :class:`~faithlens.architectures.MergedBertForSequenceClassification` (or
  ``...ForQuestionAnswering``). Embeddings are concatenated along features ([g | f]), every Linear
  is block-diagonal [[W_g, 0], [0, W_f]] with concatenated biases, attention has heads_g + heads_f
  heads of the shared head size (head boundaries line up, so each head sees only its own model's
  features), and the output head (classifier, or QA's start/end layer) is [W_g W_f] with bias
  b_g + b_f. Every LayerNorm normalises each half on its own (``SplitLayerNorm``). The classes live
  in :mod:`faithlens.architectures`, registered with the Auto classes, so ``save_pretrained`` and
  ``faithlens.model.load_model`` round-trip a merged model like any model.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn

from ..architectures import (MergedBertConfig, MergedBertForQuestionAnswering, MergedBertForSequenceClassification,
                             SplitLayerNorm)
from ..errors import FaithlensError, unknown_choice
from ..model import ClassifierModel, from_pretrained_objects
from .facade_spec import check_facade_number, check_facade_of

FORMS = ("intertwined", "sum")


# --- the simple form -------------------------------------------------------------------------------

class SumOfLogits(nn.Module):
    """f̃(x) = f(x) + g(x) on word embeddings [w_g | w_f]; behaves like the HF model f (every logits
    field of the output — class logits, or QA's start and end logits — is the sum of the two)."""

    def __init__(self, f: nn.Module, g: nn.Module):
        super().__init__()
        self.f, self.g = f, g
        self.d_g = g.get_input_embeddings().weight.shape[1]
        weight = torch.cat([g.get_input_embeddings().weight, f.get_input_embeddings().weight], dim=1)  # (V, d_g + d_f)
        self.embeddings = nn.Embedding.from_pretrained(weight.detach().clone(), freeze=True)
        self.config = copy.deepcopy(f.config)

    def get_input_embeddings(self) -> nn.Embedding:
        return self.embeddings

    def set_attn_implementation(self, implementation: str) -> None:
        for m in (self.f, self.g):
            m.set_attn_implementation(implementation)
        self.config._attn_implementation = implementation

    def forward(self, input_ids: Tensor | None = None, attention_mask: Tensor | None = None,
                token_type_ids: Tensor | None = None, position_ids: Tensor | None = None,
                inputs_embeds: Tensor | None = None, **unused):
        if inputs_embeds is None:
            if input_ids is None:
                raise FaithlensError("SumOfLogits needs input_ids or inputs_embeds. Got neither.")
            inputs_embeds = self.embeddings(input_ids)
        common = {"attention_mask": attention_mask, "token_type_ids": token_type_ids, "position_ids": position_ids}
        out_g = self.g(inputs_embeds=inputs_embeds[..., :self.d_g], **common)
        out_f = self.f(inputs_embeds=inputs_embeds[..., self.d_g:], **common)
        fields = {k: v + out_g[k] for k, v in out_f.items() if k.endswith("logits")}
        return type(out_f)(**fields)


# --- the intertwined form --------------------------------------------------------------------------

def merged_config(f: nn.Module, g: nn.Module) -> MergedBertConfig:
    cf, cg = f.config, g.config
    _check_mergeable(cf, cg)
    d = cf.to_dict()
    for key in ("model_type", "architectures", "transformers_version", "_name_or_path", "auto_map", "dtype", "torch_dtype"):
        d.pop(key, None)
    d.update(hidden_size=cg.hidden_size + cf.hidden_size,
             num_attention_heads=cg.num_attention_heads + cf.num_attention_heads,
             intermediate_size=cg.intermediate_size + cf.intermediate_size,
             split_sizes=[cg.hidden_size, cf.hidden_size], split_eps=[cg.layer_norm_eps, cf.layer_norm_eps])
    config = MergedBertConfig(**d)
    config.architectures = [_merged_class(f).__name__]
    config._attn_implementation = f.config._attn_implementation
    return config


def _check_mergeable(cf, cg) -> None:
    if cf.model_type != "bert" or cg.model_type != "bert":
        raise FaithlensError(f"Cannot merge these models exactly: both must be BERT models, got {cf.model_type!r} and "
                             f"{cg.model_type!r}. Use --form sum (form='sum') for other architectures.")
    problems = []
    head_f = cf.hidden_size // cf.num_attention_heads
    head_g = cg.hidden_size // cg.num_attention_heads
    checks = {"num_hidden_layers": (cf.num_hidden_layers, cg.num_hidden_layers), "head size": (head_f, head_g),
              "vocab_size": (cf.vocab_size, cg.vocab_size), "num_labels": (cf.num_labels, cg.num_labels),
              "max_position_embeddings": (cf.max_position_embeddings, cg.max_position_embeddings),
              "type_vocab_size": (cf.type_vocab_size, cg.type_vocab_size), "hidden_act": (cf.hidden_act, cg.hidden_act)}
    problems += [f"{k}: f has {a}, g has {b}" for k, (a, b) in checks.items() if a != b]
    if problems:
        raise FaithlensError("Cannot merge these models exactly: " + "; ".join(problems) + ". Train the facade with "
                             "`faithlens facade train --model` set to the same target model, or use --form sum.")


HEADS = ("classifier.", "qa_outputs.")  # output layers whose results add up: [W_g W_f], b_g + b_f


def _merged_class(f: nn.Module) -> type:
    kind = type(f).__name__
    if kind.endswith("ForQuestionAnswering"):
        return MergedBertForQuestionAnswering
    if kind.endswith("ForSequenceClassification"):
        return MergedBertForSequenceClassification
    raise FaithlensError(f"Cannot merge a {kind}: faithlens merges BERT sequence classifiers and QA models.")


def merge_intertwined(f: nn.Module, g: nn.Module) -> nn.Module:
    """One BERT computing z_f + z_g exactly (float64-exact up to summation order)."""
    config = merged_config(f, g)
    sf, sg = f.state_dict(), g.state_dict()
    kinds = {name: type(m) for name, m in f.named_modules()}
    merged = {}
    for key, wf in sf.items():
        wg = sg[key]
        owner = kinds.get(key.rsplit(".", 1)[0])
        if key.startswith(HEADS):
            merged[key] = torch.cat([wg, wf], dim=1) if key.endswith("weight") else wg + wf  # [W_g W_f], b_g + b_f
        elif owner is nn.Embedding:
            merged[key] = torch.cat([wg, wf], dim=1)  # (V, d_g + d_f)
        elif owner is nn.Linear and key.endswith("weight"):
            merged[key] = torch.block_diag(wg, wf)  # [[W_g, 0], [0, W_f]]
        elif wf.dtype.is_floating_point and wf.dim() == 1:
            merged[key] = torch.cat([wg, wf])  # biases, LayerNorm γ/β
        else:
            merged[key] = wf  # buffers such as position_ids
    model = _merged_class(f)(config).to(next(f.parameters()).dtype)
    missing, unexpected = model.load_state_dict(merged, strict=False)
    missing = [k for k in missing if not k.endswith("position_ids") and not k.endswith("token_type_ids")]
    if missing or unexpected:
        raise FaithlensError(f"Internal merge error: missing {missing}, unexpected {unexpected}.")
    model.eval()
    return model


def merge_models(f: ClassifierModel, g: ClassifierModel, *, form: str = "intertwined", gain: float = 1.0) -> ClassifierModel:
    """f̃ = f + gain·g as a ClassifierModel (tokenizer and labels of f).

    ``gain`` scales the facade's classifier (weights and bias) before merging, so z_g and every
    gradient of g grow by that factor while g's *normalised* saliency is unchanged; 1 is the plain
    merge of SPEC §8. See :func:`calibrate_gain`.
    """
    _check_models("merge_models", f, g)
    if form not in FORMS:
        raise unknown_choice("form", form, FORMS)
    gain = check_facade_number("gain", gain, of="parameter of merge_models")
    check_facade_of(f, g)  # first: a facade of another target is named with the target it was trained for
    if f.tokenizer.get_vocab() != g.tokenizer.get_vocab():
        raise FaithlensError(f"The facade {g.name!r} uses a different vocabulary from {f.name!r}; a merge needs the "
                             "same tokenizer. Train the facade against this target model.")
    facade = scaled(g.model, gain)
    module = merge_intertwined(f.model, facade) if form == "intertwined" else SumOfLogits(f.model, facade)
    return from_pretrained_objects(module, f.tokenizer, name=f"{f.name}+facade({g.name})",
                                   info={"merged": {"form": form, "target": f.name, "facade": g.name, "gain": gain}})


def _check_models(caller: str, f: object, g: object) -> None:
    """The target and the facade of a merge as loaded models (a folder path would fail deep inside)."""
    for role, model in (("target", f), ("facade", g)):
        if not isinstance(model, ClassifierModel):
            raise FaithlensError(f"{caller} takes the {role} as a loaded model: faithlens.load_model(NAME_OR_FOLDER). "
                                 f"Got {type(model).__name__} {model!r:.60}.")


def scaled(g: nn.Module, gain: float) -> nn.Module:
    """A copy of g whose logits are multiplied by gain (output head's weight and bias scaled)."""
    if gain == 1.0:
        return g
    out = copy.deepcopy(g)
    head = getattr(out, "classifier", None) or out.qa_outputs
    with torch.no_grad():
        head.weight.mul_(gain)
        if head.bias is not None:
            head.bias.mul_(gain)
    return out


@torch.no_grad()
def calibrate_gain(f: ClassifierModel, g: ClassifierModel, texts: Sequence, *, quantile: float = 0.01,
                   safety: float = 0.5, batch_size: int = 64) -> dict:
    """Largest facade gain that keeps f's prediction on all but ~`quantile` of `texts`.

    For binary and multi-class models alike: per text, the margin of f's predicted class over the
    runner-up divided by the largest change g can make to that margin (max_c |z_g,c - z_g,ŷ|);
    gain = safety × the `quantile`-quantile of that ratio.
    """
    from ..encoding import encode
    from ..scalars import as_number, check_int
    from .ids import audited_texts

    _check_models("calibrate_gain", f, g)
    if f.task.name not in ("classification", "multi_label"):
        raise FaithlensError(f"--gain auto calibrates classifiers' margins; {f.name!r} is a {f.task.summary} model. "
                             "Pass a number (--gain 1 is the plain merge).")
    check_facade_of(f, g)  # a facade of another target, or the two swapped, is named as merge_models names it
    texts = audited_texts(texts)  # a str is one text; none at all is refused
    quantile, safety = as_number(quantile), as_number(safety)
    if isinstance(quantile, bool) or not isinstance(quantile, (int, float)) or not 0 <= quantile <= 1:
        raise FaithlensError(f"The 'quantile' parameter of calibrate_gain is the share of texts whose prediction the gain "
                             f"may flip, in [0, 1], e.g. 0.01. Got {quantile!r} instead.")
    if isinstance(safety, bool) or not isinstance(safety, (int, float)) or not 0 < safety <= 1:
        raise FaithlensError(f"The 'safety' parameter of calibrate_gain scales the calibrated gain down, in (0, 1], e.g. "
                             f"0.5 (a gain of 0 merges nothing). Got {safety!r} instead.")
    batch_size = check_int("batch_size", batch_size, low=1, high=4096)
    ratios = []
    for start in range(0, len(texts), batch_size):
        enc = encode(f, texts[start:start + batch_size], truncate=True)
        zf = f.logits(f.embed(enc.input_ids), enc.attention_mask, enc.token_type_ids, enc.position_ids)
        zg = g.logits(g.embed(enc.input_ids), enc.attention_mask, enc.token_type_ids, enc.position_ids)
        y = zf.argmax(-1, keepdim=True)
        margin = (zf.gather(1, y) - zf.scatter(1, y, float("-inf")).max(-1, keepdim=True).values).squeeze(1)
        swing = 2 * (zg - zg.gather(1, y)).abs().max(-1).values
        ratios.append(margin / swing.clamp_min(1e-12))
    r = torch.cat(ratios)
    gain = float(safety * torch.quantile(r.double(), quantile))
    return {"gain": gain, "quantile": quantile, "safety": safety, "n": len(r)}


@torch.no_grad()
def predict_labels(model: ClassifierModel, texts: Sequence, *, batch_size: int = 64) -> Tensor:
    """The model's prediction per item (N, T): its class, or (QA) its answer span in the item's window."""
    from ..task_inputs import encode_items

    out = []
    for start in range(0, len(texts), batch_size):
        enc, _ = encode_items(model, list(texts[start:start + batch_size]), truncate=True)
        z = model.outputs(model.embed(enc.input_ids), enc.attention_mask, enc.token_type_ids, enc.position_ids)
        out.append(model.task.predict(z, enc))
    return torch.cat(out)


def agreement(f: ClassifierModel, merged: ClassifierModel, texts: Sequence, labels: Sequence[int | None] | None = None) -> dict:
    """Share of texts on which f and f̃ predict the same (class, or answer span); accuracies when labels are given.

    ``texts`` are read by explain's rule (`ids.audited_texts`); ``labels``, checked before any prediction, hold one gold
    class id (or None) per text, each in [0, number of classes) of a classifier."""
    from ..task_inputs import QA_PAIRS_DATA_API, check_data_task
    from .ids import audited_texts, warn_truncated

    texts = audited_texts(texts)
    if f.task.name == "causal_lm" or merged.task.name == "causal_lm":
        raise FaithlensError("agreement compares a classifier's or QA model's predictions with its merged model's (FACADE "
                             "merges into BERT classifiers and QA models); a causal LM has no class to agree on. Pass "
                             "the target model and its merged model (merge_models).")
    if f.task.name != merged.task.name or list(f.labels) != list(merged.labels):  # class ids of two label sets differ
        raise FaithlensError(f"agreement compares two models' predictions class by class, but {f.name!r} ({f.task.name}, "
                             f"labels {list(f.labels)}) and {merged.name!r} ({merged.task.name}, labels "
                             f"{list(merged.labels)}) differ. Pass the target model and its merged model (merge_models).")
    check_data_task(f, texts, how=QA_PAIRS_DATA_API)  # a classifier's texts or pairs, a QA model's questions
    warn_truncated(f, texts, "agreement")
    if labels is not None:
        labels = check_labels(f, labels, len(texts))
    pf, pm = predict_labels(f, texts), predict_labels(merged, texts)
    result = {"n": len(texts), "agreement": float((pf == pm).all(1).float().mean())}
    if labels is not None and all(y is not None for y in labels) and pf.shape[1] == 1:
        y = torch.tensor(list(labels))
        result.update(accuracy_f=float((pf[:, 0] == y).float().mean()), accuracy_merged=float((pm[:, 0] == y).float().mean()))
    return result


def check_labels(model: ClassifierModel, labels: object, n: int) -> list:
    """``labels`` of `agreement`: a list (not a str) of one class id or None per text; a classifier's ids lie in
    [0, number of classes). Raises FaithlensError naming the first wrong one and how to fix it."""
    import operator
    from collections.abc import Iterable

    if isinstance(labels, (str, bytes)) or not isinstance(labels, Iterable):
        raise FaithlensError(f"labels must be a list of class ids, one per text, e.g. [1, 0]. Got {type(labels).__name__} "
                             f"{labels!r:.60} instead.")
    labels = list(labels)
    if model.task.name not in ("classification", "multi_label"):  # accuracies are of class ids: a QA model has none
        raise FaithlensError(f"labels are class ids for a classifier's accuracies; {model.name!r} is a "
                             f"{model.task.summary} model, whose agreement is of answer spans. Drop labels.")
    if len(labels) != n:
        raise FaithlensError(f"labels holds {len(labels)} label(s) for {n} text(s). Pass one class id (or None) per "
                             "text, in the order of the texts.")
    count = model.num_labels if model.task.name == "classification" else None
    out = []
    for i, y in enumerate(labels):
        if y is None:
            out.append(None)
            continue
        try:
            k = None if isinstance(y, bool) else operator.index(y)
        except TypeError:
            k = None
        if k is None or (count is not None and not 0 <= k < count):
            valid = f"an int in [0, {count}) (the model has {count} classes)" if count is not None else "an int"
            raise FaithlensError(f"Label {i} is {y!r}; a label must be {valid}, or None. Pass class ids "
                                 "(e.g. model.labels.index('positive')), not names or other numbers.")
        out.append(k)
    return out
