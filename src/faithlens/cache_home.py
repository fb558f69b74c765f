"""Where faithlens keeps what it makes (fine-tuned models, weight hashes, file digests, neighbour graphs): one folder,
checked once, before any model is loaded or trained.

A file at that place or above it, or a folder that cannot be created or written, is a :class:`FaithlensError` naming
the setting it came from (``FAITHLENS_HOME``, ``XDG_CACHE_HOME`` or the home folder) and how to fix it; before this,
training the default model into a ``FAITHLENS_HOME`` that was a file failed a minute in with NotADirectoryError.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import FaithlensError


def cache_root() -> Path:
    """``$FAITHLENS_HOME`` if set, else ``$XDG_CACHE_HOME/faithlens``, else ~/.cache/faithlens.

    Checked (and created) the first time each path is resolved, before any model is loaded or trained: a file there
    or above it, or a folder that cannot be created or written, is a :class:`FaithlensError` naming the setting."""
    home = os.environ.get("FAITHLENS_HOME")
    xdg = os.environ.get("XDG_CACHE_HOME")
    if home and home != home.strip():  # ' /tmp/x' would be a folder named ' ' here, filled by a new fine-tune
        raise FaithlensError(f"FAITHLENS_HOME {home!r} begins or ends with white space, which would name another "
                             f"folder. Set it without it: export FAITHLENS_HOME={home.strip()!r}.")
    if home:
        root, setting = Path(home).expanduser(), "FAITHLENS_HOME"
    else:
        base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
        root, setting = base / "faithlens", "XDG_CACHE_HOME" if xdg else "the home folder's .cache"
    if str(root) not in _CHECKED_CACHE_ROOTS:
        _check_cache_root(root, setting=setting)
        _CHECKED_CACHE_ROOTS.add(str(root))
    return root


_CHECKED_CACHE_ROOTS: set[str] = set()


def _check_cache_root(root: Path, *, setting: str) -> None:
    """The cache folder ``root`` (from ``setting``) exists as a writable folder afterwards, or a FaithlensError says
    why not (a file at or above it: training the default model failed a minute in with NotADirectoryError)."""
    fix = ("point FAITHLENS_HOME at a folder faithlens may write (e.g. export FAITHLENS_HOME=~/faithlens-cache), "
           "or unset it" if setting == "FAITHLENS_HOME" else "set FAITHLENS_HOME to a folder faithlens may write")
    above = next((p for p in (root, *root.parents) if p.exists()), None)
    if above is not None and not above.is_dir():
        where = "is a file" if above == root else f"is under {str(above)!r}, which is a file"
        raise FaithlensError(f"faithlens' cache folder (models, hashes; from {setting}) {str(root)!r} {where}; "
                             f"expected a folder. To fix it, {fix}.")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise FaithlensError(f"faithlens' cache folder (models, hashes; from {setting}) {str(root)!r} cannot be "
                             f"created: {e.strerror or e}. To fix it, {fix}.") from None
    if not os.access(root, os.W_OK | os.X_OK):
        raise FaithlensError(f"faithlens' cache folder (models, hashes; from {setting}) {str(root)!r} cannot be "
                             f"written (no write permission). To fix it, {fix}.")

