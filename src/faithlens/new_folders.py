"""What a failed command leaves on disk: nothing new. The output checks (`files.check_output_folder`, a missing
parent in `files.check_output_file`) create their folders before any work, so that a folder that cannot be written
is named at once; when the command is then refused or fails, :func:`removing_new_folders` removes each folder they
created that is still empty. The command line runs every command inside it (`cli._main`)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from .files import LOCK_FILE, created_folders

try:  # POSIX; elsewhere a folder holding a lock file is kept
    import fcntl
except ImportError:  # pragma: no cover - not on Linux/macOS
    fcntl = None  # type: ignore[assignment]


@contextlib.contextmanager
def removing_new_folders() -> Iterator[None]:
    """The one rule for what a failed command leaves on disk: when the block raises (a refusal, an error, Ctrl-C),
    each folder the output checks created inside it is removed again, deepest first, if it is still empty (a lock
    file no run holds aside). A folder that existed before the block stays, and so does one that holds anything (an
    interrupted run's records, kept to be resumed). The folders are kept per block in a context variable
    (`files.created_folders`), so threads and nested blocks do not see each other's, and none are kept outside a block."""
    made: list[Path] = []  # this block's own folders (a nested block keeps its own, and drops them when it ends)
    token = created_folders.set(made)
    try:
        yield
    except BaseException:
        for folder in reversed(made):
            _remove_if_empty(folder)
        raise
    finally:
        created_folders.reset(token)


def _remove_if_empty(folder: Path) -> None:
    """Remove ``folder`` when it holds nothing but a lock file that no run holds."""
    try:
        names = {p.name for p in folder.iterdir()}
    except OSError:
        return
    if not names <= {LOCK_FILE}:
        return
    if names:
        if fcntl is None:
            return
        lock = folder / LOCK_FILE
        try:
            fd = os.open(lock, os.O_RDWR)
        except OSError:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a run holding it keeps its folder
            lock.unlink()
        except OSError:
            return
        finally:
            os.close(fd)
    with contextlib.suppress(OSError):
        folder.rmdir()
