"""Resumable long runs: state on disk, tied to a fingerprint of what it belongs to.

A run saves its state every few steps (atomically: an interrupted save keeps the previous one);
running the same command again restores it and continues, ending where an uninterrupted run ends.
A checkpoint with another fingerprint (other settings or data) is never mixed in: :meth:`Checkpoint.check`
refuses it before any work, naming what differs (as evaluate's resume refuses other settings or data), unless
the caller starts over (``overwrite``): then the run begins at step 0 and its first save replaces it.

Fingerprints are by content, never by name: :func:`model_fingerprint` hashes a model's files
(weights, config, tokenizer; each file's SHA-256 cached by path, size and modification time, so a
resume re-reads nothing unchanged) and :func:`example_digest` one example's text, pair and label.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import random
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import torch

from .errors import FaithlensError, FaithlensWarning
from .files import atomic_path, write_atomic


class Checkpoint:
    def __init__(self, path: str | Path, fingerprint: str, *, every: int, settings: dict | None = None,
                 data: str | None = None) -> None:
        """``fingerprint`` decides whether a saved run is continued; ``settings`` (named values) and ``data`` (a
        digest of the data, :func:`data_digest`) are saved beside it so that a refusal can say which differ."""
        self.path, self.fingerprint, self.every = Path(path), fingerprint, max(1, int(every))
        self.about = {"settings": json.loads(json.dumps(settings, default=str)) if settings is not None else None,
                      "data": data}
        self.start_over = False
        self._state: dict | None = None

    def save(self, step: int, parts: dict[str, Any], extra: dict[str, Any] | None = None) -> None:
        """Write `parts` (objects with `state_dict`), `extra` and the global random states at `step`."""
        state = {"fingerprint": self.fingerprint, "about": self.about, "step": step, "extra": extra or {},
                 "parts": {name: part.state_dict() for name, part in parts.items()},
                 "torch_rng": torch.get_rng_state(), "python_rng": random.getstate()}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(self.path) as tmp:
            torch.save(state, tmp)

    def check(self, *, run: str, overwrite: bool = False) -> None:
        """Before any work: a checkpoint at ``path`` from other settings or data (``run`` names the interrupted run's
        place, e.g. "The folder 'm'") raises FaithlensError naming which settings differ, or that the data differ,
        and both fixes; with ``overwrite`` the run starts over instead (the checkpoint is replaced by its first
        save, and stays as it was if that run stops before one)."""
        state = self._load()
        if state is None or state.get("fingerprint") == self.fingerprint:
            return
        if overwrite:
            self.start_over = True
            return
        raise FaithlensError(f"{run} has an interrupted run (checkpoint {str(self.path)!r}, at step "
                             f"{state.get('step')}) with {self._differences(state.get('about'))}. Its state cannot be "
                             "mixed into this run. Rerun with the same options and data as that run to finish it, or "
                             "pass overwrite=True to start over (the checkpoint is then replaced).")

    def _differences(self, saved: Any) -> str:
        """What differs between a saved run and this one, in words."""
        if not isinstance(saved, dict) or saved.get("settings") is None:  # written before the checkpoint said
            return "other settings or data (its checkpoint does not record which)"
        was, now = saved["settings"], self.about["settings"] or {}
        changed = [f"'{k}' setting was {was.get(k)!r}, now {now.get(k)!r}" for k in sorted(set(was) | set(now))
                   if was.get(k) != now.get(k)]
        said = [f"other settings ({'; '.join(changed)})"] if changed else []
        if saved.get("data") != self.about["data"]:
            said.append("other data (the texts, pairs or labels differ, or their number)")
        return " and ".join(said) or "other settings or data"

    def _load(self) -> dict | None:
        """The saved state, read once (None when there is none, or it cannot be read: `restore` sets that aside)."""
        if self._state is None and self.path.exists():
            try:
                self._state = torch.load(self.path, weights_only=False)
            except Exception:
                return None
        return self._state

    def restore(self, parts: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Load a matching checkpoint into `parts`: (step, extra); (0, {}) when there is none to continue, or the
        run starts over (`check` with ``overwrite``). One of other settings or data is refused (`check`)."""
        if not self.path.exists():
            return 0, {}
        state = self._load()
        if state is None:  # unreadable (e.g. truncated by a full disk): keep it aside, start over, and say so
            aside = self.path.with_name(self.path.name + ".unreadable")
            self.path.replace(aside)
            warnings.warn(f"The checkpoint {str(self.path)!r} cannot be read (damaged, e.g. cut off by a full disk or a "
                          f"kill mid-write); it is kept as {str(aside)!r} and the run starts over from step 0.",
                          FaithlensWarning, stacklevel=2)
            return 0, {}
        if state.get("fingerprint") != self.fingerprint:
            if self.start_over:
                return 0, {}
            self.check(run=f"The folder {str(self.path.parent)!r}")
        self._state = None
        for name, part in parts.items():
            part.load_state_dict(state["parts"][name])
        torch.set_rng_state(state["torch_rng"])
        random.setstate(state["python_rng"])
        return int(state["step"]), state["extra"]

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def data_digest(texts: Iterable[Any], labels: Iterable[Any] | None = None) -> str:
    """Hash of the data alone (texts or pairs, and labels), saved in a checkpoint to tell other data from other
    settings."""
    return fingerprint(None, texts, labels)


def fingerprint(settings: Any, texts: Iterable[str], labels: Iterable[Any] | None = None) -> str:
    """Hash of the settings (JSON-able) and the data: what decides a training trajectory."""
    h = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode())
    for text, label in zip(texts, labels if labels is not None else itertools.repeat(None)):
        h.update(f"{label}\t{text}\n".encode())
    return h.hexdigest()


# --- content fingerprints ------------------------------------------------------------------------------

DIGEST_CACHE = "file-digests.json"
MODEL_FILE_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".h5", ".msgpack", ".gguf", ".json", ".txt",
                       ".model", ".py")
NOT_MODEL_FILES = ("faithlens_model.json",)  # provenance card: rewriting it does not change a number


def file_digest(path: str | os.PathLike, *, cache: dict | None = None) -> str:
    """SHA-256 of a file's bytes. With ``cache`` (from :func:`_load_digests`), a file whose resolved
    path, size and modification time are unchanged is not read again."""
    path = Path(path).resolve()
    stat = path.stat()
    key = str(path)
    entry = (cache or {}).get(key)
    if entry and entry.get("size") == stat.st_size and entry.get("mtime_ns") == stat.st_mtime_ns:
        return entry["sha256"]
    h = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            h.update(block)
    digest = h.hexdigest()
    if cache is not None:
        cache[key] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest}
    return digest


def _digest_cache_path() -> Path:
    from .cache_home import cache_root

    return cache_root() / DIGEST_CACHE


def _load_digests() -> dict:
    try:
        data = json.loads(_digest_cache_path().read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_digests(cache: dict) -> None:
    path = _digest_cache_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(cache, indent=0, sort_keys=True) + "\n", durable=False)
    except Exception:  # a cache that cannot be written only costs time
        pass


def model_folder(model: Any) -> Path | None:
    """The folder a loaded model's files are in: its local folder, or the Hugging Face cache snapshot
    of a hub id; None for a model built in code."""
    return folder_of(getattr(getattr(model, "model", model), "name_or_path", None) or "")


def folder_of(name: str) -> Path | None:
    """The folder of a model name: a local folder, or the Hugging Face cache snapshot of a hub id (None without)."""
    if not name:
        return None
    path = Path(name).expanduser()
    if path.is_dir():
        return path
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(name, local_files_only=True))
    except Exception:
        return None


def model_fingerprint(model: Any) -> dict:
    """What a model computes, by content: ``{"sha256": ..., "files": {name: sha256}}`` over the model
    folder's weight, config and tokenizer files, or ``{"sha256": ..., "in_memory": True}`` over the
    parameters and the tokenizer's vocabulary for a model built in code (``model`` is a
    ClassifierModel or a Hugging Face model)."""
    folder = model_folder(model)
    found = _folder_fingerprint(folder) if folder is not None else None
    if found is not None:
        return found
    module = getattr(model, "model", model)
    h = hashlib.sha256()
    for name, tensor in sorted(module.state_dict().items()):
        h.update(name.encode())
        h.update(str(tuple(tensor.shape)).encode() + str(tensor.dtype).encode())
        h.update(tensor.detach().to("cpu").contiguous().view(-1).view(torch.uint8).numpy().tobytes())
    tokenizer = getattr(model, "tokenizer", None)
    if tokenizer is not None:
        h.update(json.dumps(sorted(tokenizer.get_vocab().items())).encode())
    return {"sha256": h.hexdigest(), "in_memory": True}


def _folder_fingerprint(folder: Path) -> dict | None:
    """``{"sha256": ..., "files": {name: sha256}}`` over a model folder's weight, config and tokenizer files; None
    when it holds none."""
    cache = _load_digests()
    before = dict(cache)
    files = {p.name: file_digest(p, cache=cache) for p in sorted(folder.iterdir())
             if p.is_file() and not p.name.startswith(".") and p.suffix in MODEL_FILE_SUFFIXES
             and p.name not in NOT_MODEL_FILES}
    if cache != before:
        _save_digests(cache)
    if not files:
        return None
    return {"sha256": hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest(), "files": files}


def source_identity(name: str | os.PathLike) -> str:
    """What a training run starts from, by content: ``"sha256:<hex>"`` over the model files of a local folder (or
    of a hub id's cached snapshot), so that the same model named by another path, from another working directory or
    as a byte copy is the same start, and other weights under the same path are not; a hub id with no local
    snapshot is its name."""
    folder = folder_of(str(name))
    found = _folder_fingerprint(folder) if folder is not None else None
    return f"sha256:{found['sha256']}" if found is not None else str(name)


def changed_files(saved: dict, now: dict) -> list[str]:
    """Names of model files whose content differs between two fingerprints (added or removed too)."""
    a, b = saved.get("files", {}), now.get("files", {})
    return sorted(name for name in set(a) | set(b) if a.get(name) != b.get(name))


def example_digest(item: Any, label: Any = None, answers: Any = None) -> str:
    """16 hex digits of SHA-256 over one example's text (or pair), label and reference answers."""
    payload = json.dumps([list(item) if isinstance(item, tuple) else item, label,
                          list(answers) if answers is not None else None], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
