"""What a wrapped model must hold before faithlens reads it: a torch model with a config and word embeddings, a
fast tokenizer (or none: a model of embeddings only, for tests and analytic checks, which explains no text), a causal
flag that matches the architecture, and a classifier head that its config's class names fit. `load_model` and
`from_pretrained_objects` build models that hold all of it; :class:`~faithlens.model.ClassifierModel` built by hand
is checked by the same rules (`check_wrapped`, from its ``__post_init__``). `check_load_settings` checks
`load_model`'s dtype, device_map and max_memory before any file is read."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from .errors import FaithlensError

if TYPE_CHECKING:
    from .tasks import Task

WRAP = ("Load a model with faithlens.load_model(NAME_OR_FOLDER), or wrap one you loaded with "
        "faithlens.model.from_pretrained_objects(model, tokenizer, name=NAME), which sets the rest from its config")


def check_wrapped(wrapped) -> None:
    """FaithlensError unless ``wrapped``'s parts (a `model.ClassifierModel`) fit together (see the module's docstring), naming the part and
    how to build the wrapper instead."""
    model, name = wrapped.model, wrapped.name
    if not (isinstance(model, torch.nn.Module) and hasattr(model, "get_input_embeddings")
            and getattr(model, "config", None) is not None):
        raise FaithlensError(f"ClassifierModel(model=...) must be a loaded Hugging Face model (a torch.nn.Module with "
                             f"a config and get_input_embeddings). Got {type(model).__name__}. {WRAP}.")
    tokenizer = wrapped.tokenizer
    if tokenizer is not None and not (callable(tokenizer) and getattr(tokenizer, "is_fast", False)):
        what = "a slow (Python) tokenizer" if hasattr(tokenizer, "convert_tokens_to_ids") else type(tokenizer).__name__
        raise FaithlensError(f"ClassifierModel(tokenizer=...) of {name!r} must be a fast tokenizer (word ids and "
                             f"character offsets). Got {what}. Load it with AutoTokenizer.from_pretrained(..., "
                             f"use_fast=True), or {WRAP[0].lower()}{WRAP[1:]}.")
    causal = is_causal_model(model)
    if wrapped.is_causal is not causal:
        raise FaithlensError(f"ClassifierModel(is_causal={wrapped.is_causal!r}) of {name!r}: its config says it "
                             f"{'is' if causal else 'is not'} a causal LM (model_type "
                             f"{getattr(model.config, 'model_type', None)!r}), and the flag sets the baseline and "
                             f"the padding side, so a wrong one changes every score. Pass is_causal={causal}, or "
                             f"{WRAP[0].lower()}{WRAP[1:]}.")
    if wrapped.task.name in ("classification", "multi_label"):
        check_head(model, name, wrapped.task)


def is_causal_model(model: torch.nn.Module) -> bool:
    config = model.config
    if getattr(config, "is_encoder_decoder", False):
        return False
    archs = " ".join(getattr(config, "architectures", None) or [])
    return bool(getattr(config, "is_decoder", False)) or config.model_type in {
        "gpt2", "gpt_neo", "gpt_neox", "gptj", "llama", "mistral", "qwen2", "opt", "bloom", "phi",
    } or "CausalLM" in archs



def check_head(model: torch.nn.Module, name: str, task: Task) -> None:
    """A classifier's config must name as many classes as its head outputs (the last linear layer): else every
    label name would be read against the wrong probability. A regression head (``problem_type="regression"``, or
    one output under softmax) is refused: softmax over one logit is always 1, so its probabilities, its ``prob``
    score and the faithfulness metrics' p(ŷ) (SPEC §6) would be constants."""
    head = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    n = int(getattr(model.config, "num_labels", 0) or 0)
    regression = getattr(model.config, "problem_type", None) == "regression"
    if regression or (task.name == "classification" and (n == 1 or (head and head[-1].out_features == 1))):
        why = "problem_type='regression'" if regression else "one output (num_labels=1)"
        raise FaithlensError(f"{name!r} has a regression head ({why}); faithlens explains classifiers of two or more "
                             "classes (softmax), multi-label classifiers (sigmoid), extractive QA models and causal "
                             "LMs. Softmax over one output is always 1, so its probabilities, the 'prob' score and the "
                             "faithfulness metrics would be constants. Use a classifier saved with num_labels ≥ 2; for "
                             "a yes/no head with one sigmoid output set problem_type='multi_label_classification' in "
                             "its config.json.")
    if head and n and head[-1].out_features != n:
        raise FaithlensError(f"{name!r}: its config names {n} classes (id2label/num_labels) but its classifier head "
                             f"outputs {head[-1].out_features}. Make config.id2label, label2id and num_labels match "
                             "the head, or pass the model its own config.")
    check_label_keys(model.config, name)


def check_label_keys(config, name: str) -> None:
    """A config's id2label must number its classes 0..C−1, and its label2id must not give one of those names
    another index: else a class would be shown under an invented ``LABEL_i`` while its own name is dropped, or
    the two maps would disagree on which output a name is. A label2id that lacks the names (a stale default
    ``LABEL_i`` map, common on the hub) is not read by faithlens and is let through."""
    id2label = getattr(config, "id2label", None) or {}
    try:
        keys = sorted(int(k) for k in id2label)
    except (TypeError, ValueError):
        keys = None
    if keys is None or keys != list(range(len(keys))):
        shown = ", ".join(repr(str(k)) for k in (sorted(id2label, key=str) if keys is None else keys))
        raise FaithlensError(f"{name!r}: its config.json id2label has the keys {shown}, but a head of "
                             f"{len(id2label)} classes numbers them 0..{len(id2label) - 1}, so a class would be "
                             "shown under an invented name and its own dropped. Number the keys 0.."
                             f"{len(id2label) - 1} in config.json's id2label and label2id (in the order of the head's "
                             "outputs).")
    label2id = getattr(config, "label2id", None) or {}
    named = {str(v): int(k) for k, v in id2label.items()} if keys is not None else {}
    clash = [(n, named[n], label2id[n]) for n in named if n in label2id and str(label2id[n]) != str(named[n])]
    if clash:
        n, i, j = clash[0]
        raise FaithlensError(f"{name!r}: its config.json disagrees with itself on the class {n!r}: id2label puts it "
                             f"at {i}, label2id at {j}. Make label2id the inverse of id2label (label2id[{n!r}] = {i} "
                             f"if the head's output {i} is that class).")


def check_load_settings(dtype, device_map, max_memory=None) -> None:
    """``dtype``: None (float32), a floating torch dtype or its name ("float64"); ``device_map``: None, a dict, one
    of `names.DEVICE_MAPS` or a device name ("cpu", "cuda:0"); ``max_memory``: None, or with a device map a dict of
    device → size (`_check_max_memory`)."""
    if device_map is not None:
        import importlib.util

        if importlib.util.find_spec("accelerate") is None:
            raise FaithlensError("device_map loads the model with accelerate's big-model loading, and accelerate is not "
                                 "installed. Install it (pip install 'faithlens[distributed]' or pip install accelerate), "
                                 "or leave device_map out to load the model on one device.")
    _check_max_memory(max_memory, device_map)
    from .names import DEVICE_MAPS

    floating = ("float32", "float64", "float16", "bfloat16")
    ok = dtype is None or (isinstance(dtype, torch.dtype) and dtype.is_floating_point) or dtype in floating
    if not ok:
        raise FaithlensError(f"The 'dtype' parameter must be a floating-point torch dtype (torch.float32, the default; "
                             f"torch.float64 for exact checks) or its name ({', '.join(floating)}). Got "
                             f"{type(dtype).__name__} {dtype!r:.60}.")
    if not (device_map is None or isinstance(device_map, dict) or device_map in DEVICE_MAPS):
        try:
            torch.device(device_map)
        except (TypeError, RuntimeError, ValueError):
            raise FaithlensError(f"The 'device_map' parameter must be one of {', '.join(DEVICE_MAPS)}, a device name "
                                 f"('cpu', 'cuda:0'), a dict (module name → device), or None (one device). Got "
                                 f"{type(device_map).__name__} {device_map!r:.60}.") from None
    _check_gpus_named(device_map, max_memory)


def _check_gpus_named(device_map, max_memory) -> None:
    """Every GPU that ``device_map`` (a device, or a dict's values) or ``max_memory`` (a GPU index key) names is here:
    accelerate's own error for a missing one blames the model's files."""
    from .names import DEVICE_MAPS

    named = [] if device_map is None or device_map in DEVICE_MAPS else (
        list(device_map.values()) if isinstance(device_map, dict) else [device_map])
    named += [k for k in (max_memory or {}) if isinstance(k, int) and not isinstance(k, bool)]
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    for device in named:
        index = device if isinstance(device, int) and not isinstance(device, bool) else None
        if isinstance(device, (str, torch.device)) and str(device).startswith("cuda"):
            index = torch.device(device).index or 0
        if index is not None and index >= gpus:
            have = f"only {gpus} CUDA GPU{'s' * (gpus != 1)}" if gpus else "no CUDA GPU (torch.cuda.is_available() is False)"
            raise FaithlensError(f"device_map / max_memory name the GPU {device!r}, and this machine has {have}. Leave "
                                 "device_map out to load the model on the CPU, or name a GPU that is here.")


def _check_max_memory(max_memory, device_map) -> None:
    """``max_memory`` is accelerate's: a dict of device (a GPU index, "cpu", "disk") → a size in bytes (an int ≥ 0;
    0 keeps a GPU free) or a str with a unit ("20GiB", "500MB"), read by accelerate's own parser. Only a device map
    reads it."""
    if max_memory is None:
        return
    example = "e.g. max_memory={0: '20GiB', 'cpu': '60GiB'}"
    if device_map is None:
        raise FaithlensError(f"max_memory caps what a device map places on each device; without device_map it would be "
                             f"ignored. Pass device_map='auto' with it ({example}), or leave max_memory out.")
    if not isinstance(max_memory, dict) or not max_memory:
        raise FaithlensError(f"The 'max_memory' parameter must be a non-empty dict of device → size, {example}. Got "
                             f"{type(max_memory).__name__} {max_memory!r:.60}.")
    from accelerate.utils import convert_file_size_to_int

    for device, size in max_memory.items():
        if isinstance(device, bool) or not isinstance(device, (int, str)):
            raise FaithlensError(f"max_memory: the device {device!r:.40} is not a GPU index (0, 1, ...) or a name "
                                 f"('cpu', 'disk'); {example}.")
        try:
            ok = not isinstance(size, bool) and (isinstance(size, int) and size >= 0
                                                 or isinstance(size, str) and convert_file_size_to_int(size) > 0)
        except ValueError:
            ok = False
        if not ok:
            raise FaithlensError(f"max_memory: {size!r:.40} (for device {device!r:.30}) is not a size; use bytes (an int "
                                 f"≥ 0) or a str with a unit such as '20GiB' or '500MB'; {example}.")
