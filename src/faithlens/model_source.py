"""Which model a name points at, checked before anything loads: a model folder (config.json, weights, tokenizer files)
or a hub id, and the error for a name that could not be loaded. Every option naming a model (--model, train --base,
facade --init-from, --facade) goes through `check_model_source`; `model.load_model` and `training` both use it."""

from __future__ import annotations

import errno
import functools
import os
import shlex
from pathlib import Path

from .errors import FaithlensError


def _looks_like_folder(name: str) -> bool:
    """A path rather than a hub id (owner/name): ./x, ../x, /x, ~/x, x\\y, or more than one '/'."""
    return name.startswith((".", "/", "~", "\\")) or name.count("/") > 1 or "\\" in name or name.endswith("/")


WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin", "model.safetensors.index.json", "pytorch_model.bin.index.json")
TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "vocab.json", "tokenizer.model", "spiece.model", "sentencepiece.bpe.model")


def given(option: str, value: object) -> str:
    """How a message names the value of an option: ``--model ./m`` on the command line, ``model='./m'`` in Python (an
    ``option`` ending in '=' is a Python parameter)."""
    return f"{option}{str(value)!r}" if option.endswith("=") else f"{option} {value}"


def check_model_source(name: str | os.PathLike, *, option: str = "--model", local_only: bool = False) -> str:
    """The one check of every option naming a model (--model, train --base, facade --init-from, --facade):
    an existing path must be a model folder (config.json, weights); a missing one that looks like a path
    (./x, /x, ~/x, a/b/c) — or any missing name when ``local_only`` (a folder faithlens wrote) — is an
    error naming the option, before the hub is asked. Returns the folder (``~`` expanded) or the hub id."""
    name = str(name)
    if not name.strip():
        raise FaithlensError(f"{option.rstrip('=')} is empty. Pass a model folder.")
    path = Path(name).expanduser()
    if path.exists():
        _check_model_folder(path, option=option)
        return str(path)
    if option.rstrip("=") in ("--base", "base_model") and name.strip().lower() == "smollm2":
        raise FaithlensError(_not_a_base(name, option))
    if os.path.lexists(path):  # a link whose target is missing (or a loop of links) is a path, never a hub id
        raise FaithlensError(f"{given(option, name)}: no such folder: {broken_link(path)}. Point the link at a model "
                             "folder, or pass the folder itself.")
    if local_only or _looks_like_folder(name):
        raise FaithlensError(f"{given(option, name)}: no such folder. Check the path (relative paths start from {os.getcwd()})"
                             + ("." if local_only else ", or pass a hub id such as 'textattack/bert-base-uncased-SST-2'."))
    return hub_source(name, option=option)


HUB_PROBE_SECONDS = 3.0


@functools.lru_cache(maxsize=1)
def hub_answers() -> bool:
    """Whether the Hugging Face hub answers one HEAD request within HUB_PROBE_SECONDS (through huggingface_hub's
    own session, so its proxy settings apply); any HTTP status counts as an answer. Asked once per process."""
    from huggingface_hub import constants, get_session

    try:
        get_session().head(constants.ENDPOINT, timeout=HUB_PROBE_SECONDS)
    except Exception:  # no route, no name service, a timeout: the hub cannot be reached from here
        return False
    return True


def cached_snapshot(name: str) -> str | None:
    """The folder of hub id ``name``'s snapshot in the Hugging Face cache, or None when it was never downloaded."""
    from huggingface_hub import snapshot_download

    try:
        return snapshot_download(name, local_files_only=True)
    except Exception:  # not in the cache, or not a valid hub id (the loader names that)
        return None


def hub_source(name: str, *, option: str = "--model") -> str:
    """Where hub id ``name`` loads from, decided before anything loads: the id itself when the hub answers (or under
    HF_HUB_OFFLINE=1, which the loader honours at once); when the hub does not answer, the id's snapshot in the
    Hugging Face cache, so it loads at once rather than after ~30 s of retries, or an error naming the id when it
    was never downloaded."""
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    try:
        validate_repo_id(name)
    except HFValidationError as exc:
        reason = str(exc).split(": '")[0].rstrip(".")
        raise FaithlensError(f"{given(option, name)}: no such folder, and not a hub id ({reason}). Check the path "
                             f"(relative paths start from {os.getcwd()}), or pass a hub id such as "
                             "'textattack/bert-base-uncased-SST-2' (a revision is not part of the id).") from None
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on") or hub_answers():
        return name
    cached = cached_snapshot(name)
    if cached is not None:
        return cached
    raise FaithlensError(
        f"{given(option, name)}: no such folder, and as a hub id it is not in the Hugging Face cache while the hub "
        f"({_hub_host()}) does not answer from this machine. Download it once where the hub can be reached "
        f"({shlex.join(['hf', 'download', name])}) and copy the cache, or pass a model folder saved with save_pretrained"
        + (", or omit --model for the bundled default model." if option == "--model"
           else ", or model=None for the bundled default model." if option == "model=" else "."))


def _hub_host() -> str:
    from huggingface_hub import constants

    return constants.ENDPOINT


def _not_a_base(name: str, option: str) -> str:
    """Why 'smollm2' (the bundled causal LM, `smollm2.SMOLLM2_ALIAS`) cannot be a training base."""
    what = ("names the bundled causal language model (SmolLM2-135M-Instruct, next-token prediction), which cannot be "
            "fine-tuned into a classifier or an extractive QA model")
    return (f"{given(option, name)} {what}. {option.rstrip('=')} takes an encoder (a BERT-like model folder or hub id, "
            f"e.g. 'sentence-transformers/all-MiniLM-L6-v2'); without it training starts from the bundled "
            f"all-MiniLM-L6-v2. Drop {option.rstrip('=')}, or pass an encoder folder.")


def broken_link(path: str | os.PathLike) -> str:
    """Why a path that exists as a link (``os.path.lexists``) cannot be opened: its target is missing, or it is a
    loop of links (a link to itself, or links to each other)."""
    try:
        target = os.readlink(path)
    except OSError:  # a folder on the way is the broken link
        return "a link on the way to it points nowhere"
    try:
        Path(path).resolve(strict=True)
    except RuntimeError:  # Python < 3.13: a loop
        return f"it is a link to {target!r}, a loop of links that never reaches a file or folder"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return f"it is a link to {target!r}, a loop of links that never reaches a file or folder"
    return f"it is a link to {target!r}, which does not exist"


def _check_model_folder(path: Path, *, option: str = "--model") -> None:
    if not path.is_dir():
        raise FaithlensError(f"{given(option, path)} is a file; expected a folder saved with save_pretrained (config.json + weights).")
    if not (path / "config.json").exists():
        raise FaithlensError(
            f"{given(option, path)} is not a model folder: it has no config.json. Pass a folder saved with "
            "`model.save_pretrained(...)` and `tokenizer.save_pretrained(...)`, or a hub id."
        )
    weights = [path / f for f in WEIGHT_FILES if (path / f).exists()]
    if not weights:
        raise FaithlensError(f"{given(option, path)} has a config.json but no weights ({' or '.join(WEIGHT_FILES[:2])}). "
                             "Save the model with model.save_pretrained(folder).")
    for w in weights:
        if w.stat().st_size == 0:
            raise FaithlensError(f"The weight file {w} is empty (0 bytes): the save was interrupted or the copy failed. "
                                 "Save or copy the model again.")
    if not any((path / f).exists() for f in TOKENIZER_FILES):
        raise FaithlensError(f"{given(option, path)} has no tokenizer files ({', '.join(TOKENIZER_FILES[:3])} ...). Save the "
                             "tokenizer beside the model: tokenizer.save_pretrained(folder).")


def refuse_model_folder(path: str | os.PathLike, *, option: str, example: str | None = None) -> None:
    """The one rule for a folder of results (evaluate's --out and ``out=``, checked before it is created): it must not
    hold a saved model (config.json and a weight file), or the results are written among the model's files. A model
    is written into a folder of its own (train --out, facade train/merge/regularise --out), not checked here."""
    folder = Path(path).expanduser()
    held = [f for f in WEIGHT_FILES if (folder / f).is_file()]
    if folder.is_dir() and (folder / "config.json").is_file() and held:
        raise FaithlensError(f"{option} {str(path)!r} holds a saved model (config.json, {held[0]}): the results would be "
                             "written among the model's files. Pick another folder for the results, e.g. "
                             f"{example or option + ' runs/my-run'}.")


def load_error(name: str, exc: Exception, *, option: str = "--model") -> str:
    """The error for a model that could not be loaded by name (a hub id offline, a typo)."""
    offline = os.environ.get("HF_HUB_OFFLINE") == "1"
    return (
        f"Could not load model {name!r}: {str(exc)[:400].rstrip().rstrip('.')}. "
        + ("Hub access is off (HF_HUB_OFFLINE=1). " if offline else "")
        + "If this is a hub id, check the spelling and your internet connection; offline, a hub id must "
        f"already be in the Hugging Face cache. To use a local model pass {option + 'PATH' if option.endswith('=') else option + ' PATH'} "
        "(a folder saved with save_pretrained)" + (", or omit --model for the bundled default model." if option == "--model"
                                                   else ", or model=None for the bundled default model." if option == "model="
                                                   else ".")
    )
