"""Files faithlens writes: one atomic writer, output paths checked before the work, one lock per run folder.

- :func:`write_atomic` (and :func:`atomic_path` for writers that need a path, e.g. ``torch.save``)
  writes into a uniquely named temporary file beside the target and renames it into place, so a
  reader sees the old file or the new one, never half of one, and any number of concurrent writers
  never share a temporary name. A failed write (a full disk) is a :class:`FaithlensError` naming
  the file; the target keeps its previous content.
- :func:`check_output_file` / :func:`check_output_folder` run before any expensive work: a missing
  parent folder is created; a folder where a file is expected, a file where a folder is expected,
  and a place that cannot be written are clear errors; '-' (standard output on a command line) is refused by each,
  in one wording; :func:`check_new_folder` refuses a model folder that already holds files unless asked to replace them.
- :class:`FolderLock` keeps two runs off one folder: the second gets an error naming the holder
  (pid, host, start time, command). The lock is an OS file lock (``flock``), so a process that dies
  releases it; where file locks are unavailable a pid file is used, and a pid file left by a dead
  process on this host is recovered.
- :func:`package_folder`, :func:`require_file`: where faithlens finds the data packages installed ``--no-deps`` (found,
  never imported); where it keeps what it makes (models, hashes) is :func:`faithlens.cache_home.cache_root`.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .errors import FaithlensError
from .output_kinds import refusal

try:  # POSIX; Windows falls back to the pid file
    import fcntl
except ImportError:  # pragma: no cover - not on Linux/macOS
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = ".faithlens.lock"
created_folders: contextvars.ContextVar[list[Path] | None] = contextvars.ContextVar("created_folders", default=None)


# --- writing -------------------------------------------------------------------------------------

def write_error(path: str | os.PathLike, exc: OSError, *, kept: str = "") -> FaithlensError:
    """The error for a failed write: which file, why, and what was kept."""
    why = exc.strerror or str(exc)
    hint = " Free some space and run the command again." if exc.errno in (errno.ENOSPC, errno.EDQUOT) else ""
    return FaithlensError(f"Could not write {str(path)!r}: {why} (errno {exc.errno}).{(' ' + kept) if kept else ''}{hint}")


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, *, durable: bool = True) -> Iterator[Path]:
    """A fresh temporary path beside ``path``; when the block ends without an error the file written
    there replaces ``path`` in one rename (after an fsync when ``durable``). On an error the temporary
    file is removed and ``path`` is left as it was; an ``OSError`` becomes a FaithlensError naming it."""
    path = Path(path)
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
    except OSError as exc:
        raise write_error(path, exc) from None
    tmp = Path(name)
    try:
        yield tmp
        if durable:
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's files are private; results should not be
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise write_error(path, exc, kept="Its previous content, if any, is unchanged.") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: str | os.PathLike, data: str | bytes, *, encoding: str = "utf-8", durable: bool = True) -> Path:
    """Write ``data`` (text or bytes) to ``path`` atomically; returns the path."""
    payload = data.encode(encoding) if isinstance(data, str) else data
    with atomic_path(path, durable=durable) as tmp:
        with open(tmp, "wb") as handle:
            handle.write(payload)
    return Path(path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class AppendFile:
    """A file that complete lines are appended to and flushed one by one (a run's records).

    A failed write (a full disk) raises a FaithlensError naming the file and saying that the lines
    written before are kept; a partly written last line is cut off by the next reader."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        try:
            self._handle = open(self.path, "a", encoding="utf-8")
        except OSError as exc:
            raise write_error(self.path, exc) from None
        self.written = 0

    def write_line(self, line: str) -> None:
        try:
            self._handle.write(line + "\n")
            self._handle.flush()
        except OSError as exc:
            raise write_error(self.path, exc, kept=f"The {self.written} lines written before in this session and every "
                              "earlier line are kept; running the same command again resumes after them.") from None
        self.written += 1

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._handle.close()

    def __enter__(self) -> AppendFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --- checking output paths before the work -----------------------------------------------------------

def check_not_input(path: str | os.PathLike, inputs: dict[str, object] | None, *, option: str,
                    shown: str | None = None) -> None:
    """The one rule for an output file and the command's inputs (``inputs``: option -> path; values that are not
    existing local paths are skipped): the file written must not be one of them (the same resolved path or the same
    file by inode, a hard or symbolic link included) nor an existing file inside an input folder (a model's
    config.json, a GLUE folder's dev.tsv), since writing it replaces the input, read-only or not. Checked before any
    work. Raises FaithlensError naming both options; ``shown`` replaces "{option} 'path'" in it."""
    resolved = Path(path).expanduser().resolve()
    if not resolved.exists():  # a new file replaces nothing
        return
    for name, value, given in _existing_inputs(inputs):
        same = given == resolved or os.path.samefile(given, resolved)
        inside = given.is_dir() and given in resolved.parents and resolved.is_file()
        if same or inside:
            how = "is" if same else "is a file inside"
            raise FaithlensError(f"{shown or option + ' ' + repr(str(path))} {how} the {name} {str(value)!r}: writing "
                                 f"it would replace that input. Choose another {option}, outside your inputs.")


def check_holds_no_input(out: str | os.PathLike, inputs: dict[str, object], *, option: str = "--out") -> None:
    """A folder a command writes a model into must not be, or hold, one of its inputs (``inputs``: option -> path;
    values that are not existing local paths are skipped): with --overwrite its files are replaced, so a training file
    or a base model inside it would be lost. Checked before any work, overwrite or not."""
    target = Path(out).expanduser().resolve()
    for name, value, given in _existing_inputs(inputs):
        if given == target or target in given.parents:
            raise FaithlensError(f"{option} {str(out)!r} {'is' if given == target else 'holds'} the {name} "
                                 f"{str(value)!r}: writing the model there replaces what it holds. Choose an {option} "
                                 "folder outside your inputs.")


def _existing_inputs(inputs: dict[str, object] | None) -> Iterator[tuple[str, object, Path]]:
    """(option, value, resolved path) of each input that names an existing local path; other values (None, a hub id,
    '-' for standard input, a bundled dataset's name) are skipped."""
    for name, value in (inputs or {}).items():
        if not isinstance(value, (str, os.PathLike)) or not str(value).strip() or str(value) == "-":
            continue
        given = Path(value).expanduser()
        if given.exists():
            yield name, value, given.resolve()


def check_folder_writes_no_input(folder: str | os.PathLike, names: Iterable[str], inputs: dict[str, object] | None,
                                 *, option: str) -> None:
    """:func:`check_not_input` for each file ``names`` a command writes into the output ``folder`` (evaluate's
    results.csv, table.md, ...): ``--data runs/x/results.csv --out runs/x`` would replace the data."""
    for name in names:
        path = Path(folder).expanduser() / name
        check_not_input(path, inputs, option=option, shown=f"{option} {str(folder)!r} writes {str(path)!r}, which")


def kind_of_path(path: str | os.PathLike) -> str:
    """What an existing path that is not a regular file is, for messages: "a folder", "a character device" (/dev/null),
    "a block device", "a named pipe (FIFO)", "a socket", or "a special file"."""
    import stat

    mode = os.stat(path).st_mode
    return ("a folder" if stat.S_ISDIR(mode) else "a character device" if stat.S_ISCHR(mode) else
            "a block device" if stat.S_ISBLK(mode) else "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else
            "a socket" if stat.S_ISSOCK(mode) else "a special file")




def check_output_file(path: str | os.PathLike, *, option: str, suffix: str,
                      inputs: dict[str, object] | None = None) -> Path:
    """``path`` will be written as a file: refuse a folder there, one of the command's ``inputs``
    (:func:`check_not_input`), create a missing parent folder, refuse a parent that is a file or cannot be written.
    Returns the path (``~`` expanded).

    An existing regular file of the option's kind (its name ends in ``suffix``, and it holds no data or other
    document: `output_kinds.refusal`) is replaced (atomically, by :func:`write_atomic`), for every option that writes
    one file (explain --html, audit's reports, rationales --out, facade check --out); any other file (a data file, a
    script, a README) is refused, never replaced by a report. Only model folders, many files, ask for --overwrite (:func:`check_new_folder`).

    ``suffix``: the extension the option writes (".html" for --html, ".json" for --json): the file name each
    refusal suggests ends with it (a folder ``out.v1/`` suggests ``out.v1/report.html``, never ``report.v1``)."""
    example = f"report{suffix}"
    if not str(path).strip():
        raise FaithlensError(f"{option} was given an empty path; expected a file name, e.g. {option} {example}.")
    _refuse_standard_output(path, option=option, writes="a file", kind="file", value=example)
    check_not_input(path, inputs, option=option)
    if str(path).endswith(("/", os.sep)) and not Path(path).is_dir():  # 'a.html/' names a folder to be: never a file a.html
        raise FaithlensError(f"{option} {str(path)!r} ends in '/', so it names a folder, not a file; expected a file "
                             f"name, e.g. {option} {Path(path) / example}.")
    path = Path(path).expanduser()
    if path.is_dir():
        raise FaithlensError(f"{option} {str(path)!r} is a folder; expected a file name, e.g. "
                             f"{str(path / example)!r}.")
    if path.exists() and not path.is_file():  # replaced by a rename, a device (/dev/null) would be gone
        raise FaithlensError(f"{option} {str(path)!r} is {kind_of_path(path)}, not a regular file; faithlens writes "
                             f"{option} as a new file in its place. Pass a file name, e.g. {option} {example}.")
    if path.exists() and (refused := _cannot_write_in(path.parent)) is not None:  # replaced by a file written beside it
        raise FaithlensError(f"{option} {str(path)!r} is a file that cannot be written: faithlens replaces it by a new "
                             f"file written beside it, and its folder {str(path.parent)!r} takes none "
                             f"({refused.strerror or refused}). Choose a file in a folder you can write to.")
    if (refused := refusal(path, suffix)) is not None:  # only an output of its own kind is replaced
        raise FaithlensError(f"{option} {str(path)!r} {refused}.")
    _ensure_folder(path.parent, option=option, target=path)
    if path.exists() and not os.access(path, os.W_OK):
        raise FaithlensError(f"{option} {str(path)!r} exists and is not writable. Choose another file or change its "
                             "permissions.")
    return path


def check_output_folder(path: str | os.PathLike, *, option: str, example: str | None = None) -> Path:
    """``path`` will hold several files: refuse a file there, create it when missing, refuse one that
    cannot be written. Returns the path (``~`` expanded). ``option`` names it in messages ("--out" on the
    command line, "The 'out' parameter of evaluate" in Python), ``example`` a good value (default
    "{option} runs/my-run")."""
    _refuse_standard_output(path, option=option, writes="a folder of files", kind="folder", value="runs/my-run",
                            example=example)
    if not str(path).strip():
        raise FaithlensError(f"{option} was given an empty path; expected a folder, e.g. "
                             f"{example or option + ' runs/my-run'}.")
    path = Path(path).expanduser()
    if path.exists() and not path.is_dir():  # a device (/dev/null) is named as one, as check_output_file names it
        what = "a file" if path.is_file() else kind_of_path(path)
        raise FaithlensError(f"{option} {str(path)!r} is {what}; expected a folder (faithlens writes several files "
                             "into it). Pass a folder path, e.g. runs/my-run.")
    _ensure_folder(path, option=option, target=path)
    return path


def check_new_folder(path: str | os.PathLike, *, option: str, flag: str, overwrite: bool = False,
                     resumable: Callable[[Path], bool] | None = None) -> None:
    """The one rule for a folder a command fills with a model (``train``, ``facade train``, ``facade merge``,
    ``facade regularise``): it must be missing or empty, so that nothing already there is replaced without being
    asked; ``overwrite`` (``flag``: ``--overwrite`` on the command line, ``overwrite=True`` in Python) allows any
    folder; ``resumable(path)`` accepts the same command's own unfinished run (it is continued, not replaced).
    Checked before any work. A file (or device) at ``path`` is refused: a model is a folder of files.

    Never, overwrite or not: the current folder, a folder above it, the filesystem root or the home folder (the model
    replaces the whole folder, which cannot be done to those: `train --out . --overwrite` crashed after training)."""
    path = Path(path).expanduser()
    check_replaceable_folder(path, option=option)
    if path.exists() and not path.is_dir():
        what = "a file" if path.is_file() else kind_of_path(path)
        raise FaithlensError(f"{option} {str(path)!r} is {what}; expected a folder (a model is a folder of files: "
                             "config.json, weights, tokenizer). Pass a new folder path, e.g. runs/my-model.")
    if overwrite or not path.is_dir():
        return
    held = sorted(p.name for p in path.iterdir() if p.name not in (LOCK_FILE, LOCK_FILE + ".pid"))
    if not held or (resumable is not None and resumable(path)):
        return
    shown = ", ".join(held[:4]) + (f" and {len(held) - 4} more" if len(held) > 4 else "")
    raise FaithlensError(f"{option} must be new or empty. Got {str(path)!r}, which holds files ({shown}). Pass {flag} "
                         "to replace them, or choose another folder.")


def check_replaceable_folder(path: str | os.PathLike, *, option: str) -> None:
    """A model folder is written by replacing it whole: refuse the current folder, a folder above it, the filesystem
    root and the home folder (part of :func:`check_new_folder`; called first by the commands, before any work), and
    '-': a model folder cannot be standard output (it would be a folder named '-')."""
    _refuse_standard_output(path, option=option, writes="a model, a folder of files (config.json, weights, tokenizer)",
                            kind="folder", value="my-model")
    path = Path(path).expanduser()
    resolved = path.resolve()
    here = Path.cwd().resolve()
    why = ("the filesystem root" if resolved == Path(resolved.anchor) else
           "your home folder" if resolved == Path.home().resolve() else
           "the current folder" if resolved == here else
           "a folder above the current one" if resolved in here.parents else None)
    if why:
        raise FaithlensError(f"{option} {str(path)!r} is {why}: the model replaces the whole folder, which cannot be "
                             f"done to {why}. Pass a new folder for the model, e.g. {option} my-model.")


def _refuse_standard_output(path: str | os.PathLike, *, option: str, writes: str, kind: str, value: str,
                            example: str | None = None) -> None:
    """The one rule for an output path '-', which every output check applies first: a command line reads it as
    standard output, but faithlens writes its outputs as files and folders only (it would make a ``kind`` named '-').
    ``writes`` says what the option writes; ``value`` is a good one, shown as ``--json report.json`` for an option and
    ``'report.json'`` for a Python parameter, unless ``example`` says how (``out='runs/my-run'``)."""
    if str(path).strip() != "-":
        return
    cli = option.startswith("-")
    example = example or (f"{option} {value}" if cli else repr(value))
    raise FaithlensError(f"{option} {'-' if cli else repr('-')} names standard output, but this "
                         f"{'option' if cli else 'parameter'} writes {writes}, which faithlens does not write to "
                         f"standard output. Pass a {kind} name, e.g. {example} ('./-' for a {kind} named '-').")


def _ensure_folder(folder: Path, *, option: str, target: Path) -> None:
    missing = []
    for ancestor in [folder, *folder.parents]:
        if ancestor.exists():
            if not ancestor.is_dir():
                raise FaithlensError(f"{option} {str(target)!r}: {str(ancestor)!r} is a file, not a folder. Choose a path "
                                     "whose folders are folders.")
            break
        missing.append(ancestor)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FaithlensError(f"{option} {str(target)!r}: could not create the folder {str(folder)!r} "
                             f"({exc.strerror or exc}). Choose a path you can write to.") from None
    finally:  # kept per new_folders.removing_new_folders block (none outside one): outermost first, also on a failure
        if (made := created_folders.get()) is not None:
            made.extend(a for a in reversed(missing) if a.is_dir())
    refused = _cannot_write_in(folder)
    if refused is not None:
        raise FaithlensError(f"{option} {str(target)!r}: the folder {str(folder)!r} is not writable "
                             f"({refused.strerror or refused}). Choose a folder you can write to.")


def _cannot_write_in(folder: Path) -> OSError | None:
    """Why no new file can be made in an existing ``folder`` (None when one can): the only sure test is to write."""
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".faithlens-probe.")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return exc
    return None


# --- one run per folder ----------------------------------------------------------------------------------

class FolderLock:
    """Held while a run writes into ``folder``; a second holder gets a FaithlensError naming the first.

    ``flock`` on ``folder/.faithlens.lock`` (released by the OS when the holder exits or dies, also on
    NFS, where it is a POSIX lock); the file also says who holds it. Without file locks (Windows, a
    file system that refuses them) a pid file ``.faithlens.lock.pid`` is created exclusively; one left by
    a process that no longer runs on this host is removed and taken over.
    """

    _held: set[str] = set()  # folders this process holds

    def __init__(self, folder: str | os.PathLike, *, option: str = "--out") -> None:
        self.folder, self.option = Path(folder), option
        self._fd: int | None = None
        self._pid_file: Path | None = None

    @classmethod
    def holding(cls, folder: str | os.PathLike) -> bool:
        """Whether this process holds the lock of ``folder`` (e.g. a command took it before loading a model)."""
        return str(Path(folder).resolve()) in cls._held

    def acquire(self) -> FolderLock:
        self._acquire()
        FolderLock._held.add(str(self.folder.resolve()))
        return self

    def _acquire(self) -> None:
        holder = json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                             "started": time.strftime("%Y-%m-%d %H:%M:%S"), "command": _command()})
        if fcntl is not None:
            path = self.folder / LOCK_FILE
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise self._busy(_read_holder(path)) from None
                # ENOLCK / ENOTSUP: no file locks here; use the pid file
            else:
                os.ftruncate(fd, 0)
                os.pwrite(fd, holder.encode(), 0)
                self._fd = fd
                return
        self._acquire_pid_file(holder)

    def _acquire_pid_file(self, holder: str) -> None:
        path = self.folder / (LOCK_FILE + ".pid")
        for _ in range(2):
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                info = _read_holder(path)
                if info.get("host") == socket.gethostname() and not process_alive(info.get("pid")):
                    path.unlink(missing_ok=True)  # left by a process that died: recover it
                    continue
                raise self._busy(info, pid_file=path) from None
            with os.fdopen(fd, "w") as handle:
                handle.write(holder)
            self._pid_file = path
            return
        raise self._busy(_read_holder(path), pid_file=path)

    def _busy(self, info: dict, pid_file: Path | None = None) -> FaithlensError:
        who = (f"pid {info.get('pid', '?')} on host {info.get('host', '?')}, started {info.get('started', '?')}"
               + (f": {info['command']}" if info.get("command") else ""))
        stale = (f" If that process is gone (another host cannot be checked from here), delete {str(pid_file)!r}."
                 if pid_file is not None else "")
        return FaithlensError(f"The folder {str(self.folder)!r} is in use by another faithlens run ({who}). Wait for it "
                              f"to finish, or pass another {self.option} folder.{stale}")

    def release(self) -> None:
        FolderLock._held.discard(str(self.folder.resolve()))
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None  # the file stays: removing it could let two later runs lock different files
        if self._pid_file is not None:
            self._pid_file.unlink(missing_ok=True)
            self._pid_file = None

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def _read_holder(path: Path) -> dict:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
        return info if isinstance(info, dict) else {}
    except (OSError, ValueError):
        return {}


def process_alive(pid) -> bool:
    """Whether a process with this id exists on this machine (also when another user owns it)."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _command() -> str:
    argv = [Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"] + sys.argv[1:]
    text = " ".join(argv)
    return text if len(text) <= 300 else text[:297] + "..."


# --- standard output closed early ---------------------------------------------------------------------------

def silence_stdout() -> None:
    """After a BrokenPipeError (output piped into ``head``): point stdout at /dev/null so the
    interpreter's final flush does not raise again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
