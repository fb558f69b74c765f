"""The IG peers a user would pick, each run twice: with faithlens's settings and with its own defaults.

"Same settings": the [MASK] baseline with [CLS]/[SEP] kept, the logit of the predicted class, 50
Gauss–Legendre steps; then each peer's scores must agree with faithlens IG before its time counts.
"Their defaults": the peer as shipped (its baseline, its explained score), which gives different
scores, so only its time and its own completeness gap are reported.

- transformers-interpret `SequenceClassificationExplainer`: Captum `LayerIntegratedGradients` on
  the word-embedding layer of the model's own (transformers) forward. Defaults: [PAD] baseline,
  softmax probability of the predicted class, 50 steps.
- ferret `IntegratedGradientExplainer`: Captum `IntegratedGradients` on `inputs_embeds` of the
  model's own forward, evaluated 8 rows at a time. Defaults: [PAD] baseline, logit, 50 steps.
- Captum `LayerIntegratedGradients` on the transformers forward, as its tutorials write it.
  Defaults: baseline = token id 0 everywhere (Captum's zeros), 50 steps.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from collections.abc import Callable

import torch
from torch import Tensor

from faithlens.batching import Batch
from faithlens.model import ClassifierModel


def available() -> dict[str, bool]:
    return {name: name in sys.modules or importlib.util.find_spec(name) is not None
            for name in ("transformers_interpret", "ferret")}


def _hf_inputs(batch: Batch) -> tuple[Tensor, Tensor, Tensor | None]:
    enc = batch.enc
    return enc.input_ids, enc.attention_mask, enc.token_type_ids


def _mask_reference(model: ClassifierModel, batch: Batch) -> Tensor:
    """[MASK] at every attributed position, specials kept: the ids of faithlens's baseline."""
    ids = batch.enc.input_ids.clone()
    ids[batch.enc.attributed] = model.tokenizer.mask_token_id
    return ids


# --- transformers-interpret ------------------------------------------------------------------------

def transformers_interpret(model: ClassifierModel, text: str, target: int, *, same_settings: bool) -> Tensor:
    """Token scores (1, L) from transformers-interpret (raw sums over the embedding dimension)."""
    from transformers_interpret import SequenceClassificationExplainer

    class LogitExplainer(SequenceClassificationExplainer):
        def _forward(self, input_ids, token_type_ids=None, position_ids=None, attention_mask=None):
            logits = self._get_preds(input_ids, token_type_ids, position_ids, attention_mask)[0]
            return logits[:, self.selected_index]

        def _make_input_reference_token_type_pair(self, input_ids, sep_idx=0):
            # transformers-interpret sets the token type of the final [SEP] to 1; the tokenizer gives 0
            zeros = torch.zeros_like(input_ids)
            return zeros, zeros.clone()

    cls = LogitExplainer if same_settings else SequenceClassificationExplainer
    explainer = cls(model.model, model.tokenizer)
    if same_settings:
        explainer.ref_token_id = model.tokenizer.mask_token_id
    explainer(text, index=target, n_steps=50)
    return explainer.attributions._attributions.sum(-1).detach()


def transformers_interpret_gap(model: ClassifierModel, text: str, target: int, *, same_settings: bool) -> float:
    from transformers_interpret import SequenceClassificationExplainer

    explainer = SequenceClassificationExplainer(model.model, model.tokenizer)
    if same_settings:
        explainer.ref_token_id = model.tokenizer.mask_token_id
    explainer(text, index=target, n_steps=50)
    return float(explainer.attributions.delta)


# --- ferret ----------------------------------------------------------------------------------------

def _ferret_ig_class():
    """ferret's IntegratedGradientExplainer, imported without the package's __init__.

    ferret/__init__.py imports its benchmark suite (datasets, seaborn, shap, lime, opencv); the
    IG explainer itself needs none of them except a `from cv2 import multiply` it never calls.
    So the bench registers a bare `ferret` package and, when OpenCV is absent, a stand-in `cv2`.
    """
    if "ferret.explainers.gradient" in sys.modules:
        return sys.modules["ferret.explainers.gradient"].IntegratedGradientExplainer
    spec = importlib.util.find_spec("ferret")
    if "ferret" not in sys.modules:
        package = types.ModuleType("ferret")
        package.__path__ = list(spec.submodule_search_locations)
        package.__spec__ = spec
        sys.modules["ferret"] = package
    if importlib.util.find_spec("cv2") is None and "cv2" not in sys.modules:
        stand_in = types.ModuleType("cv2")
        stand_in.multiply = None  # imported by ferret.explainers.gradient, never used
        sys.modules["cv2"] = stand_in
    from ferret.explainers.gradient import IntegratedGradientExplainer

    return IntegratedGradientExplainer


def ferret_ig(model: ClassifierModel, text: str, target: int, *, same_settings: bool) -> Tensor:
    """Token scores (1, L) from ferret's IG (its own raw sums; ferret normalises only for display)."""
    base = _ferret_ig_class()

    class MaskBaseline(base):
        def _generate_baselines(self, input_len):
            tok = self.helper.tokenizer
            ids = [tok.cls_token_id] + [tok.mask_token_id] * (input_len - 2) + [tok.sep_token_id]
            return self.helper._get_input_embeds_from_ids(torch.tensor(ids, device=self.device)).unsqueeze(0)

    cls = MaskBaseline if same_settings else base
    explanation = cls(model.model, model.tokenizer)(text, target=target, call_args={"n_steps": 50})
    return torch.as_tensor(explanation.scores)[None]


# --- Captum LayerIntegratedGradients on the transformers forward ------------------------------------

def captum_layer_ig(model: ClassifierModel, batch: Batch, target: int, *, same_settings: bool,
                    return_delta: bool = False):
    """Token scores (1, L): LayerIntegratedGradients on the word-embedding layer of `model.model(...)`."""
    from captum.attr import LayerIntegratedGradients

    ids, mask, types_ = _hf_inputs(batch)
    hf = model.model

    def forward(input_ids: Tensor, attention_mask: Tensor, token_type_ids: Tensor | None) -> Tensor:
        kwargs = {"attention_mask": attention_mask}
        if token_type_ids is not None:
            kwargs["token_type_ids"] = token_type_ids
        return hf(input_ids, **kwargs).logits

    lig = LayerIntegratedGradients(forward, hf.get_input_embeddings())
    baselines = _mask_reference(model, batch) if same_settings else None
    out = lig.attribute(ids, baselines=baselines, target=target, additional_forward_args=(mask, types_), n_steps=50,
                        return_convergence_delta=return_delta)
    if return_delta:
        A, delta = out
        return A.sum(-1).detach(), float(delta)
    return out.sum(-1).detach()


def runs(model: ClassifierModel, batch: Batch, text: str) -> dict[str, tuple[Callable[[], Tensor], bool]]:
    """name -> (function returning token scores (1, L), comparable with faithlens IG)."""
    target = int(batch.target[0])
    have = available()
    out: dict[str, tuple[Callable[[], Tensor], bool]] = {}
    for same in (True, False):
        tag = "same" if same else "defaults"
        if have["transformers_interpret"]:
            out[f"transformers_interpret_{tag}"] = (
                lambda same=same: transformers_interpret(model, text, target, same_settings=same), same)
        if have["ferret"]:
            out[f"ferret_ig_{tag}"] = (lambda same=same: ferret_ig(model, text, target, same_settings=same), same)
        out[f"captum_layer_ig_{tag}"] = (lambda same=same: captum_layer_ig(model, batch, target, same_settings=same), same)
    return out
