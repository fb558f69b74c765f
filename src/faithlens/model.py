"""Load any Hugging Face sequence classifier (hub id or folder) and evaluate it on word embeddings.

The attributed function always receives *word embeddings* (the output of the model's
``word_embeddings`` only) through ``inputs_embeds``; the model adds position/type embeddings and
its embedding LayerNorm itself, exactly once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import Tensor

from .errors import FaithlensError

DEFAULT_MODEL = "default"


@dataclass
class ClassifierModel:
    """A sequence classifier in eval mode with frozen parameters, and its tokenizer."""

    model: torch.nn.Module
    tokenizer: object
    name: str
    is_causal: bool
    had_pad_token: bool
    info: dict = field(default_factory=dict)
    written_out: bool = True  # BERT-style models may run jvp.logits; False: always the model's own modules

    def __post_init__(self) -> None:
        self.model.eval()
        for p in self.model.parameters():
            p.requires_grad_(False)

    # --- facts -----------------------------------------------------------------------------
    @property
    def labels(self) -> list[str]:
        id2label = getattr(self.model.config, "id2label", None) or {}
        n = self.num_labels
        return [str(id2label.get(i, id2label.get(str(i), f"LABEL_{i}"))) for i in range(n)]

    @property
    def num_labels(self) -> int:
        return int(self.model.config.num_labels)

    @property
    def dtype(self) -> torch.dtype:
        return self.embedding_matrix.dtype

    @property
    def device(self) -> torch.device:
        return self.embedding_matrix.device

    @property
    def embedding_matrix(self) -> Tensor:
        return self.model.get_input_embeddings().weight  # (V, D)

    @property
    def max_length(self) -> int:
        """Longest input (special tokens included) the model accepts."""
        limit = getattr(self.tokenizer, "model_max_length", None) or 10**9
        positions = getattr(self.model.config, "max_position_embeddings", None)
        if positions is None:
            positions = getattr(self.model.config, "n_positions", None)
        if positions is not None:
            # RoBERTa-style models offset positions by padding_idx + 1.
            if getattr(self.model.config, "model_type", "") in {"roberta", "xlm-roberta", "camembert"}:
                positions -= 2
            limit = min(limit, positions)
        return int(min(limit, 10**6))

    def to(self, *, dtype: torch.dtype | None = None, device: str | torch.device | None = None):
        self.model.to(device=device, dtype=dtype)
        return self

    # --- evaluation ------------------------------------------------------------------------
    def embed(self, input_ids: Tensor) -> Tensor:
        """Word embeddings only: (B, L) ids -> (B, L, D)."""
        return self.model.get_input_embeddings()(input_ids)

    def logits(
        self,
        embeds: Tensor,
        attention_mask: Tensor,
        token_type_ids: Tensor | None = None,
        position_ids: Tensor | None = None,
    ) -> Tensor:
        """Class logits (R, C) for word embeddings (R, L, D).

        BERT/MiniLM/RoBERTa classifiers in eval mode run `jvp.logits`, which skips the last layer's
        positions that never reach the logits; every other model runs its own forward, and so does
        any model switched to "eager" attention (torch's forward-mode AD needs that path), and so does
        any code inside `own_forward()` (DeepLift's rules hook the model's activation modules).
        """
        from . import jvp

        if self.written_out and self.attention != "eager" and jvp.supports(self):
            return jvp.logits(self, embeds, attention_mask, token_type_ids, position_ids)
        kwargs: dict = {"inputs_embeds": embeds, "attention_mask": attention_mask}
        if token_type_ids is not None:
            kwargs["token_type_ids"] = token_type_ids
        if position_ids is not None:
            kwargs["position_ids"] = position_ids
        return self.model(**kwargs).logits

    def logits_after_prefix(
        self,
        prefix_embeds: Tensor,
        prefix_mask: Tensor,
        prefix_positions: Tensor,
        row_prefix: Tensor,
        embeds: Tensor,
        attention_mask: Tensor,
        position_ids: Tensor,
    ) -> Tensor:
        """Causal models: class logits (R, C) of rows that share leading columns.

        The prefixes (T, P, D) run once, without gradients, into a key/value cache; row r continues
        prefix `row_prefix[r]` with its own columns `embeds` (R, L - P, D). `attention_mask` (R, L)
        covers both parts, `position_ids` (R, L - P) the row's own columns.
        """
        with torch.no_grad():
            out = self.model.base_model(inputs_embeds=prefix_embeds, attention_mask=prefix_mask,
                                        position_ids=prefix_positions, use_cache=True)
        cache = out.past_key_values
        cache.batch_select_indices(row_prefix)  # (T, ...) -> (R, ...)
        kwargs = {"inputs_embeds": embeds, "attention_mask": attention_mask, "position_ids": position_ids}
        kwargs[_cache_argument(self.model)] = cache
        return self.model(**kwargs).logits

    @contextmanager
    def own_forward(self) -> Iterator[None]:
        """Run the model's own modules for a block, e.g. for Captum's DeepLift, whose rescale rule hooks
        activation modules (BERT's pooler Tanh) that the written-out forward calls as plain functions."""
        previous, self.written_out = self.written_out, False
        try:
            yield
        finally:
            self.written_out = previous

    def set_attention(self, implementation: str) -> None:
        """Switch attention kernel ('eager' is needed by forward-mode AD on CPU)."""
        current = getattr(self.model.config, "_attn_implementation", None)
        if current == implementation:
            return
        setter = getattr(self.model, "set_attn_implementation", None)
        if setter is None:
            self.model.config._attn_implementation = implementation
        else:
            setter(implementation)

    @property
    def attention(self) -> str:
        return str(getattr(self.model.config, "_attn_implementation", "eager"))


def _cache_argument(model: torch.nn.Module) -> str:
    """Name of the key/value cache argument of the model's forward (`cache` in transformers 5)."""
    import inspect

    return "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"


def _is_causal(model: torch.nn.Module) -> bool:
    config = model.config
    if getattr(config, "is_encoder_decoder", False):
        return False
    archs = " ".join(getattr(config, "architectures", None) or [])
    return bool(getattr(config, "is_decoder", False)) or config.model_type in {
        "gpt2", "gpt_neo", "gpt_neox", "gptj", "llama", "mistral", "qwen2", "opt", "bloom", "phi",
    } or "CausalLM" in archs


def from_pretrained_objects(model: torch.nn.Module, tokenizer: object, *, name: str, info: dict | None = None) -> ClassifierModel:
    """Wrap an already-loaded classifier and tokenizer (used by tests and by `load_model`)."""
    if not getattr(tokenizer, "is_fast", False):
        raise FaithlensError(
            f"The tokenizer of {name!r} is a slow (Python) tokenizer; faithlens needs a fast tokenizer "
            "for word ids and character offsets. Save the model with a tokenizer.json, or pass a fast tokenizer."
        )
    causal = _is_causal(model)
    had_pad = tokenizer.pad_token_id is not None
    if not had_pad:
        # Batching needs some id in padded slots; they are masked and never attributed.
        if tokenizer.eos_token is not None:
            tokenizer.pad_token = tokenizer.eos_token
        elif tokenizer.unk_token is not None:
            tokenizer.pad_token = tokenizer.unk_token
    if causal:
        tokenizer.padding_side = "left"
    if getattr(model.config, "pad_token_id", None) is None and tokenizer.pad_token_id is not None:
        model.config.pad_token_id = tokenizer.pad_token_id
    return ClassifierModel(model=model, tokenizer=tokenizer, name=name, is_causal=causal, had_pad_token=had_pad, info=info or {})


def load_model(name_or_path: str | os.PathLike | None = None, *, dtype: torch.dtype | None = None) -> ClassifierModel:
    """Load a sequence classifier by hub id or local folder; None or 'default' loads the bundled model."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    name = DEFAULT_MODEL if name_or_path is None else str(name_or_path)
    if _may_be_merged(name):  # merged FACADE models (faithlens_merged_bert) load like any model
        from .audit.merge import register_auto_classes

        register_auto_classes()
    info: dict = {}
    if name == DEFAULT_MODEL:
        from .default_model import ensure_default_model

        path = ensure_default_model(progress=True)
        source = str(path)
        info = _read_model_card(path)
    else:
        path = Path(name).expanduser()
        if path.exists():
            _check_model_folder(path)
            source = str(path)
            info = _read_model_card(path)
        else:
            source = name
    from transformers.utils import logging as hf_logging

    quiet = Path(source).exists() and hf_logging.is_progress_bar_enabled()  # no "Loading weights" bar for local folders
    if quiet:
        hf_logging.disable_progress_bar()
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, use_fast=True)
        model = AutoModelForSequenceClassification.from_pretrained(source, dtype=dtype or torch.float32)
        model.to(torch.get_default_device())  # the CPU unless faithlens.device.use_device chose another
    except OSError as exc:
        raise FaithlensError(_load_error(name, exc)) from exc
    finally:
        if quiet:
            hf_logging.enable_progress_bar()
    return from_pretrained_objects(model, tokenizer, name=name, info=info)


def _may_be_merged(name: str) -> bool:
    """Whether `name` may be a merged FACADE model, whose classes live in `audit.merge` (slow to import).

    A local folder says so in its config.json; the default model never is; a hub id may be.
    """
    if name == DEFAULT_MODEL:
        return False
    config = Path(name).expanduser() / "config.json"
    if not config.is_file():
        return True
    import json

    try:
        return json.loads(config.read_text()).get("model_type") == "faithlens_merged_bert"
    except (OSError, ValueError):
        return True


def _check_model_folder(path: Path) -> None:
    if not path.is_dir():
        raise FaithlensError(f"--model {path} is a file; expected a folder saved with save_pretrained (config.json + weights).")
    if not (path / "config.json").exists():
        raise FaithlensError(
            f"--model {path} is not a model folder: it has no config.json. Pass a folder saved with "
            "`model.save_pretrained(...)` and `tokenizer.save_pretrained(...)`, or a hub id."
        )


def _read_model_card(path: Path) -> dict:
    import json

    card = Path(path) / "faithlens_model.json"
    if card.exists():
        try:
            return json.loads(card.read_text())
        except ValueError:
            return {}
    return {}


def _load_error(name: str, exc: Exception) -> str:
    offline = os.environ.get("HF_HUB_OFFLINE") == "1"
    return (
        f"Could not load model {name!r}: {exc}. "
        + ("Hub access is off (HF_HUB_OFFLINE=1). " if offline else "")
        + "If this is a hub id, check the spelling and your internet connection; offline, a hub id must "
        "already be in the Hugging Face cache. To use a local model pass --model PATH (a folder saved with "
        "save_pretrained), or omit --model for the bundled default model."
    )
