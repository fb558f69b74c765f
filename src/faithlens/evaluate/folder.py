"""The run folder on disk: its settings (`EvalSettings`, settings.json), the records files (read, repaired,
tailed while other processes append) and the checks that a resumed run continues the same job."""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from ..checkpoint import changed_files, example_digest
from ..data import Dataset
from ..errors import FaithlensError, FaithlensWarning, quoted
from ..files import AppendFile, write_atomic
from ..metrics import DEFAULT_TOPK


RECORDS_FILE = "records.jsonl"


REJECTED_FILE = "records.rejected.jsonl"


SETTINGS_FILE = "settings.json"


# every file evaluate writes into its out folder (output.py): none may be one of the run's inputs
WRITTEN_FILES = (RECORDS_FILE, REJECTED_FILE, SETTINGS_FILE, "results.json", "results.csv", "table.md", "agreement.md",
                 "plausibility.md", "plausibility.json", "significance.md")


@dataclass(frozen=True)
class EvalSettings:
    """Everything that changes a record. ``limit`` is not part of it: a larger limit extends a run."""

    model: str
    data: str
    methods: tuple[str, ...]
    baseline: str = "mask"
    steps: int | None = None
    topk: float = DEFAULT_TOPK
    protocol: str = "standard"
    score: str = "logit"
    seed: int = 0
    max_chars: int | None = None
    truncate: bool = False
    shuffle: bool = True  # seeded sample (True) or file order
    rationales: str | None = None  # the human-rationale file read for the plausibility table
    metrics: tuple[str, ...] = ()  # extra per-example metrics (EXTRA_METRICS): infidelity, sensitivity

    def to_dict(self) -> dict:
        d = asdict(self)
        d["methods"] = list(self.methods)
        d["metrics"] = list(self.metrics)
        return d


def saved_run(out: Path) -> dict | None:
    path = out / SETTINGS_FILE
    if not path.exists():
        return None
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        saved["settings"]["methods"]  # noqa: B018 - the key must be there
        return saved
    except (ValueError, KeyError, TypeError):
        raise FaithlensError(f"{str(path)!r} is not a faithlens settings file. Choose another --out folder.") from None


def check_resume(out: Path, settings: EvalSettings, *, saved: dict | None, too_long: bool | None = None,
                  model_print: dict | None = None) -> None:
    """Refuse to continue a run whose settings or model differ (by content: the model's files' SHA-256), and to write
    into a folder holding files of the names evaluate writes (`WRITTEN_FILES`) that no run wrote (no settings.json).

    The data's and the model's names are not compared where content is (a moved model folder or
    data file resumes); ``truncate`` only matters when a text is too long (``too_long``; None: not
    known yet). ``model_print``: this model's fingerprint (None: not checked yet)."""
    if saved is None:  # no run here yet: files evaluate writes, made by something else, are not replaced in silence
        found = [name for name in WRITTEN_FILES if (out / name).exists()]
        if found:
            raise FaithlensError(
                f"The folder {str(out)!r} holds {', '.join(found)} but no {SETTINGS_FILE}, so not a faithlens evaluate "
                "run to resume: evaluate would replace those files. Pass a new or empty --out folder, or move them.")
        return
    previous = saved["settings"]
    print_before = (saved.get("fingerprints") or {}).get("model")
    now = settings.to_dict()
    defaults = {f.name: f.default for f in fields(EvalSettings)}  # keys added later read as their default
    skip = {"methods", "data"} | ({"model"} if print_before else set()) | ({"truncate"} if not too_long else set())
    defaults["metrics"] = []
    changed = {k: (previous.get(k, defaults[k]), v) for k, v in now.items()
               if k not in skip and previous.get(k, defaults[k]) != v}
    missing = [m for m in previous.get("methods", []) if m not in now["methods"]]
    if changed or missing:
        what = "; ".join(f"{k}: was {a!r}, now {b!r}" for k, (a, b) in changed.items())
        if missing:
            what += ("; " if what else "") + f"methods dropped: {missing}"
        raise FaithlensError(f"The folder {str(out)!r} holds a run with different settings ({what}). Resume with the "
                             "same settings (methods may be added, --limit may grow), or pass a new --out folder.")
    if model_print is not None and print_before and print_before.get("sha256") != model_print.get("sha256"):
        files = changed_files(print_before, model_print)
        which = f"{', '.join(files)} changed" if files else "its parameters changed"
        raise FaithlensError(
            f"The model differs from the one the run in {str(out)!r} was started with: {which} (SHA-256 "
            f"{print_before['sha256'][:12]}… then, {model_print['sha256'][:12]}… now). Records of other weights cannot "
            "be mixed in. Resume with the original model, or pass a new --out folder.")


def check_examples(out: Path, done: dict, dataset: Dataset) -> None:
    """Every finished record describes the example now at its index (text, pair, label), by content."""
    wrong = []
    for (i, _), r in sorted(done.items(), key=lambda kv: kv[0][0]):
        if i >= len(dataset):
            continue
        if "example" in r:
            same = r["example"] == digest(dataset, i)
        else:  # records from before digests: compare what they hold
            first, pair = (dataset.texts[i] if dataset.is_pairs else (dataset.texts[i], None))
            same = r.get("text") == first and r.get("text_pair") == pair and r.get("label") == dataset.labels[i]
        if not same:
            wrong.append((i, r))
    if wrong:
        i, r = wrong[0]
        now = dataset.texts[i]
        raise FaithlensError(
            f"The data differ from the run in {str(out)!r}: {len({w[0] for w in wrong})} finished example(s) no longer "
            f"match, e.g. example {i} was {_short(r.get('text'))} (label {r.get('label')!r}), now {_short(now)} "
            f"(label {dataset.labels[i]!r}). Resume with the same data and selection (--limit may grow), or pass a "
            "new --out folder.")


def _short(text) -> str:
    return quoted(text[0] if isinstance(text, (tuple, list)) else text)


def digest(dataset: Dataset, i: int) -> str:
    answers = dataset.answers[i] if dataset.answers is not None else None
    return example_digest(dataset.texts[i], dataset.labels[i], answers)


def records_path(out: str | os.PathLike, rank: int = 0) -> Path:
    """The records file process ``rank`` appends to: records.jsonl for rank 0 (and a single process)."""
    return Path(out) / (RECORDS_FILE if rank == 0 else f"records.rank{rank}.jsonl")


def record_files(out: str | os.PathLike) -> list[Path]:
    """Every records file of a run folder: records.jsonl first, then the per-process files by rank."""
    out = Path(out)
    ranks = sorted((p for p in out.glob("records.rank*.jsonl") if p.stem[len("records.rank"):].isdigit()),
                   key=lambda p: int(p.stem[len("records.rank"):]))
    return [p for p in [out / RECORDS_FILE, *ranks] if p.exists()]


K_ZERO_UNDEFINED = ("log_odds", "comprehensiveness", "sufficiency")  # nothing is removed at k = 0


def _parse_records(path: Path) -> tuple[list[dict], list[tuple[int, bytes, str]], int]:
    """(good records, bad lines as (line number, raw, why), bytes up to the end of the last complete line)."""
    records, bad, complete = [], [], 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.endswith(b"\n"):
                break  # an interrupted write: not a record yet
            complete += len(raw)
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except ValueError as exc:
                bad.append((number, raw, f"not JSON: {exc}"))
                continue
            if not isinstance(record, dict) or not isinstance(record.get("index"), int) \
                    or not isinstance(record.get("method"), str):
                bad.append((number, raw, "not a record (no integer 'index' and 'method')"))
                continue
            if record.get("k") == 0:  # written as 0.0 before; a k = 0 example has no LO/Comp/Suff (null)
                record.update({m: None for m in K_ZERO_UNDEFINED if record.get(m) == 0.0})
            records.append(record)
    return records, bad, complete


def read_records(path: str | os.PathLike, *, repair: bool = False) -> list[dict]:
    """The records of one file. A line cut off by an interrupted write is ignored (cut off when
    ``repair``). A damaged line anywhere else costs only itself: the records before and after it are
    kept, a FaithlensWarning names it, and with ``repair`` it is moved to records.rejected.jsonl (so
    its example and method are computed again on resume)."""
    path = Path(path)
    if not path.exists():
        return []
    records, bad, complete = _parse_records(path)
    if bad:
        lines = ", ".join(str(n) for n, _, _ in bad[:10]) + (" …" if len(bad) > 10 else "")
        fate = (f"moved to {REJECTED_FILE} (those examples are computed again)" if repair else "skipped")
        warnings.warn(f"{str(path)!r}: {len(bad)} damaged line(s) ({lines}; line {bad[0][0]}: {bad[0][2]}) {fate}; "
                      f"the other {len(records)} records are kept.", FaithlensWarning, stacklevel=2)
    if repair and (bad or complete != path.stat().st_size):
        if bad:
            with AppendFile(path.parent / REJECTED_FILE) as rejected:
                for number, raw, why in bad:
                    rejected.write_line(json.dumps({"file": path.name, "line": number, "why": why,
                                                    "text": raw.decode("utf-8", "replace").rstrip("\n")}))
            damaged = {n for n, _, _ in bad}
            with path.open("rb") as handle:
                body = b"".join(raw for n, raw in enumerate(handle, start=1) if n not in damaged and raw.endswith(b"\n"))
            write_atomic(path, body)
        else:
            with path.open("r+b") as handle:
                handle.truncate(complete)
    return records


def read_run(out: str | os.PathLike, *, repair: bool = False) -> dict[tuple[int, str], dict]:
    """Every finished record of a run folder (all records files), by (example index, method)."""
    done: dict[tuple[int, str], dict] = {}
    for path in record_files(out):
        for r in read_records(path, repair=repair):
            done.setdefault((r["index"], r["method"]), r)
    return done


class RecordsTail:
    """Complete lines appended to a file since the last look (another process's records)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = path.stat().st_size if path.exists() else 0
        self.rest = b""

    def new_records(self) -> list[dict]:
        if not self.path.exists():
            return []
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            chunk = handle.read()
        self.offset += len(chunk)
        *lines, self.rest = (self.rest + chunk).split(b"\n")
        out = []
        for raw in lines:
            try:
                out.append(json.loads(raw))
            except ValueError:
                continue  # reported when the files are merged
        return out


def load_settings(out: str | os.PathLike) -> tuple[EvalSettings, dict]:
    """A run folder's settings and its dataset info (``faithlens.data.reload`` re-opens its examples)."""
    path = Path(out) / SETTINGS_FILE
    if not path.exists():
        raise FaithlensError(f"{str(out)!r} holds no evaluate run (no {SETTINGS_FILE}). Pass the --out folder of a run.")
    saved = saved_run(Path(out))
    known = {f.name for f in fields(EvalSettings)}
    settings = {k: v for k, v in saved["settings"].items() if k in known}
    settings["methods"] = tuple(settings["methods"])
    settings["metrics"] = tuple(settings.get("metrics", ()))
    return EvalSettings(**settings), saved.get("dataset_info", {})  # keys missing in older files take their defaults
