"""Resumable long runs: training state on disk, tied to a fingerprint of what it belongs to.

A run saves its state every few steps (atomically: an interrupted save keeps the previous one);
running the same command again restores it and continues, ending where an uninterrupted run ends.
A checkpoint with another fingerprint (other settings or data) is set aside, never mixed in.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import torch


class Checkpoint:
    def __init__(self, path: str | Path, fingerprint: str, *, every: int) -> None:
        self.path, self.fingerprint, self.every = Path(path), fingerprint, max(1, int(every))

    def save(self, step: int, parts: dict[str, Any], extra: dict[str, Any] | None = None) -> None:
        """Write `parts` (objects with `state_dict`), `extra` and the global random states at `step`."""
        state = {"fingerprint": self.fingerprint, "step": step, "extra": extra or {},
                 "parts": {name: part.state_dict() for name, part in parts.items()},
                 "torch_rng": torch.get_rng_state(), "python_rng": random.getstate()}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        torch.save(state, tmp)
        tmp.replace(self.path)

    def restore(self, parts: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Load a matching checkpoint into `parts`: (step, extra); (0, {}) when there is none to continue."""
        if not self.path.exists():
            return 0, {}
        try:
            state = torch.load(self.path, weights_only=False)
        except Exception:  # unreadable (e.g. truncated by a full disk): keep it aside, start over
            self.path.replace(self.path.with_name(self.path.name + ".unreadable"))
            return 0, {}
        if state.get("fingerprint") != self.fingerprint:  # other settings or data: not ours to continue
            self.path.replace(self.path.with_name(self.path.name + ".other"))
            return 0, {}
        for name, part in parts.items():
            part.load_state_dict(state["parts"][name])
        torch.set_rng_state(state["torch_rng"])
        random.setstate(state["python_rng"])
        return int(state["step"]), state["extra"]

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def fingerprint(settings: Any, texts: Iterable[str], labels: Iterable[Any] | None = None) -> str:
    """Hash of the settings (JSON-able) and the data: what decides a training trajectory."""
    h = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode())
    for text, label in zip(texts, labels if labels is not None else itertools.repeat(None)):
        h.update(f"{label}\t{text}\n".encode())
    return h.hexdigest()
