"""The run folder on disk: its settings (`EvalSettings`, settings.json), the records files (read, repaired,
tailed while other processes append) and the checks that a resumed run continues the same job."""

from __future__ import annotations

import json
import math
import os
import warnings
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from ..checkpoint import changed_files, example_digest
from ..data import Dataset
from ..errors import FaithlensError, FaithlensWarning, quoted
from ..files import AppendFile, write_atomic
from ..json_files import content_digest
from ..metrics import AOPC_FRACTIONS, DEFAULT_TOPK


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
    rationales_digest: str | None = None  # its spans' SHA-256 (`Rationales.digest`): compared on resume, not the path
    metrics: tuple[str, ...] = ()  # extra per-example metrics (EXTRA_METRICS): infidelity, sensitivity
    curves: tuple[float, ...] | None = None  # the AOPC curves' top-k fractions each record holds (None: no curves)

    def __post_init__(self) -> None:  # however given (a list read back, NumPy floats): one tuple of floats, compared
        if self.curves is not None:  # equal on resume
            object.__setattr__(self, "curves", tuple(sorted(float(f) for f in self.curves)))  # a set, in order

    def to_dict(self) -> dict:
        d = asdict(self)
        d["methods"] = list(self.methods)
        d["metrics"] = list(self.metrics)
        d["curves"] = None if self.curves is None else list(self.curves)
        return d


def saved_run(out: Path) -> dict | None:
    path = out / SETTINGS_FILE
    if not path.exists():
        return None
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        saved["settings"]["methods"]  # noqa: B018 - the key must be there
        edited = DIGEST_KEY in saved and saved[DIGEST_KEY] != record_digest(saved)
    except (ValueError, KeyError, TypeError):
        raise FaithlensError(f"{str(path)!r} is not a faithlens settings file. Choose another --out folder.") from None
    if edited:  # written with its digest since records carried one; an older settings.json has none
        raise FaithlensError(f"{str(path)!r} was edited after the run wrote it (its content does not match its digest): "
                             "the run's records were computed with the settings it was written with, and its tables "
                             "would name others. Restore the file, or pass a new --out folder.")
    return saved


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
    skip |= {"rationales"} if "rationales_digest" in previous else {"rationales_digest"}  # by content where recorded
    skip |= set() if "curves" in previous else {"curves"}  # a run from before curves were recorded: not known
    defaults["metrics"] = []
    changed = {k: (previous.get(k, defaults[k]), v) for k, v in now.items()
               if k not in skip and previous.get(k, defaults[k]) != v}
    missing = [m for m in previous.get("methods", []) if m not in now["methods"]]
    if changed or missing:
        if "rationales_digest" in changed:  # named by the files as given, and the spans read from them
            changed["rationales_digest"] = tuple(f"{p!r} (spans {d[:12]}…)" if d else "none (no --rationales)"
                                                 for p, d in zip((previous.get("rationales"), now["rationales"]),
                                                                 changed["rationales_digest"]))
        what = "; ".join(f"{k}: was {a!r}, now {b!r}" if k != "rationales_digest" else f"rationales: was {a}, now {b}"
                         for k, (a, b) in changed.items())
        if missing:
            what += ("; " if what else "") + f"methods dropped: {missing}"
        curves = ""
        if "curves" in changed:  # the run's own setting, as Python and the CLI each write it
            was = changed["curves"][0]
            same = ("curves=None (CLI --no-curves)" if was is None else
                    "curves=metrics.AOPC_FRACTIONS (the CLI's default: leave out --no-curves)"
                    if tuple(was) == tuple(AOPC_FRACTIONS) else f"curves={list(was)} (the CLI gives only "
                                                                 f"{list(AOPC_FRACTIONS)} or none)")
            curves = f"; every record of a run holds the same AOPC curves, so give the run's setting: {same}"
        raise FaithlensError(f"The folder {str(out)!r} holds a run with different settings ({what}){curves}. Resume "
                             "with the same settings (methods may be added, --limit may grow), or pass a new --out folder.")
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
        raise FaithlensError(
            f"The data differ from the run in {str(out)!r}: {len({w[0] for w in wrong})} finished example(s) no longer "
            f"match, e.g. {_difference(r, dataset, i)}. Resume with the same data and selection (--limit may grow), or "
            "pass a new --out folder.")


def _difference(record: dict, dataset: Dataset, i: int) -> str:
    """What differs between a finished record and example ``i`` of the data now, in words."""
    first, pair = dataset.texts[i] if dataset.is_pairs else (dataset.texts[i], None)
    was = {"text": record.get("text"), "second text": record.get("text_pair"), "label": record.get("label")}
    now = {"text": first, "second text": pair, "label": dataset.labels[i]}
    changed = [f"{name} was {_short(was[name]) if name != 'label' else repr(was[name])}, now "
               f"{_short(now[name]) if name != 'label' else repr(now[name])}"
               for name in was if was[name] != now[name]]
    if changed:
        which = f"example {i}" if was["text"] != first else f"example {i} ({_short(first)})"
        return f"{which}: " + "; ".join(changed)
    return (f"example {i} ({_short(first)}, label {dataset.labels[i]!r}): its recorded example digest "
            f"{str(record.get('example'))[:16]!r} does not match the data's line now ({digest(dataset, i)!r}), "
            "so its reference answers differ")


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


DIGEST_KEY = "digest"  # every record line carries the SHA-256 of its own content (`record_digest`)


def record_digest(record: dict) -> str:
    """SHA-256 of a record's canonical JSON (sorted keys, no spaces), without its own ``digest`` field."""
    return content_digest(record, key=DIGEST_KEY)


def sealed(record: dict) -> dict:
    """``record`` with its ``digest`` field set (`record_digest`), as every records line is written."""
    record[DIGEST_KEY] = record_digest(json.loads(json.dumps(record, allow_nan=False)))  # the digest of what is read back
    return record


def sealed_line(record: dict) -> str:
    """``json.dumps(sealed(record), allow_nan=False)``, byte for byte, with the record serialized once: its line
    without the digest is read back for `record_digest`, and the digest field is appended to those same bytes."""
    if DIGEST_KEY in record:  # resealed: the field keeps its place in the line
        return json.dumps(sealed(record), allow_nan=False)
    text = json.dumps(record, allow_nan=False)
    record[DIGEST_KEY] = record_digest(json.loads(text))
    return f'{text[:-1]}{", " if len(text) > 2 else ""}"{DIGEST_KEY}": "{record[DIGEST_KEY]}"}}'


def _number(value, low: float = -math.inf, high: float = math.inf, *, null: bool = False) -> bool:
    if value is None:
        return null
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) \
        and low <= value <= high


def _numbers(values, n: int | None = None, low: float = -math.inf, high: float = math.inf) -> bool:
    return isinstance(values, list) and (n is None or len(values) == n) and all(_number(v, low, high) for v in values)


def record_problem(record: dict) -> str | None:
    """What is wrong with the fields the tables read (types and ranges: SPEC "Metrics"), or None. Run on every
    line, so a value no run writes is rejected (and recomputed) instead of reaching the aggregation."""
    if isinstance(record["index"], bool) or record["index"] < 0:
        return f"'index' {record['index']!r} is not an example index (an int >= 0)"
    tokens, special, scores = record.get("tokens"), record.get("special"), record.get("token_scores")
    if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
        return "'tokens' is not a list of strings"
    if not isinstance(special, list) or len(special) != len(tokens) or not all(isinstance(s, bool) for s in special):
        return f"'special' is not a list of {len(tokens)} true/false values (one per token)"
    if not _numbers(scores, len(tokens)):
        return f"'token_scores' is not a list of {len(tokens)} finite numbers (one per token)"
    k = record.get("k")
    if not isinstance(k, int) or isinstance(k, bool) or not 0 <= k <= len(tokens):
        return f"'k' {k!r} is not an int from 0 to the {len(tokens)} tokens"
    if k == 0 and any(record.get(m) is not None for m in K_ZERO_UNDEFINED):
        return "a k = 0 record (nothing removed) holds log-odds, comprehensiveness or sufficiency (null expected)"
    checks = {"log_odds": (-math.inf, math.inf, True), "comprehensiveness": (-1, 1, True), "sufficiency": (-1, 1, True),
              "p_predicted": (0, 1, False), "delta": (0, math.inf, False), "sig_delta": (0, math.inf, True),
              "seconds": (0, math.inf, False), "infidelity": (0, math.inf, True), "sensitivity": (0, math.inf, True)}
    for name, (low, high, null) in checks.items():
        if (name in record or not null) and not _number(record.get(name), low, high, null=null):
            where = "a finite number" + (f" in [{low}, {high}]" if math.isfinite(high) else
                                         f" >= {low}" if math.isfinite(low) else "")
            return f"'{name}' {record.get(name)!r:.40} is not {where}" + (" or null" if null else "")
    predicted = record.get("predicted")
    if not (isinstance(predicted, int) and not isinstance(predicted, bool)) and not (
            isinstance(predicted, list) and predicted and all(isinstance(v, int) and not isinstance(v, bool)
                                                              for v in predicted)):
        return f"'predicted' {predicted!r:.40} is not a class index or a list of token positions"
    if not isinstance(record.get("truncated", False), bool) or not isinstance(record.get("device", "cpu"), str) \
            or not isinstance(record.get("settings", {}), dict):
        return "'truncated', 'device' or 'settings' is not of the type a run writes (true/false, a name, an object)"
    curve = record.get("curve")
    if curve is not None:
        fractions = curve.get("fractions") if isinstance(curve, dict) else None
        n = len(fractions) if isinstance(fractions, list) else -1
        points = lambda m, low=-math.inf, high=math.inf: isinstance(curve.get(m), list) and len(curve[m]) == n and all(  # noqa: E731
            v is None or _number(v, low, high) for v in curve[m])  # null: k = 0 at that fraction (not measured)
        if not (_numbers(fractions, None, 0, 1) and points("log_odds") and points("comprehensiveness", -1, 1)
                and points("sufficiency", -1, 1)):
            return ("'curve' does not hold fractions in [0, 1] and one finite value (or null, k = 0) per fraction for "
                    "each metric")
    if "word_scores" in record:
        words = record["word_scores"]
        n = len(words) if isinstance(words, list) else -1
        segments, marks = record.get("word_segments"), record.get("rationale")
        if not (_numbers(words) and isinstance(segments, list) and len(segments) == n
                and all(isinstance(s, int) for s in segments)
                and (marks is None or (isinstance(marks, list) and len(marks) == n and all(m in (0, 1) for m in marks)))):
            return "'word_scores', 'word_segments' and 'rationale' are not lists of one value per word"
    return None


LEGACY_KEY = "records_before_digests"  # settings.json: per records file, how many of its first lines have no digest


def legacy_allowance(out: Path, name: str) -> int | None:
    """How many leading lines of records file ``name`` may lack a digest: None (any, before the first digested line)
    for a run whose settings.json an older faithlens wrote (no digest); else the count its settings record (0 when
    none): lines written before records carried digests, counted once when a faithlens with digests first resumed
    the run. A line without a digest past them was stripped of it by an edit."""
    path = out / SETTINGS_FILE
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(saved, dict) or DIGEST_KEY not in saved:
        return None
    counts = saved.get(LEGACY_KEY)
    count = counts.get(name, 0) if isinstance(counts, dict) else 0
    return count if isinstance(count, int) and not isinstance(count, bool) and count >= 0 else 0


def leading_unsealed(path: Path) -> int:
    """How many of a records file's first lines (blank lines aside) carry no digest."""
    count = 0
    with path.open("rb") as handle:
        for raw in handle:
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except ValueError:
                break
            if not isinstance(record, dict) or DIGEST_KEY in record:
                break
            count += 1
    return count


def _parse_records(path: Path, legacy: int | None = None) -> tuple[list[dict], list[tuple[int, bytes, str]], int]:
    """(good records, bad lines as (line number, raw, why), bytes up to the end of the last complete line).
    A line is good when it is a JSON record whose ``digest`` matches its content (`record_digest`: an edited
    line, or one without a digest after a line that has one, is bad) and whose values a run can write
    (`record_problem`). Lines before a file's first digested line were written by a faithlens from before records
    carried digests (the paper runs in results/ among them): they are kept when their values pass `record_problem`,
    and a resumed run appends digested lines after them; an edit to such a line cannot be detected. ``legacy``
    (`legacy_allowance`): at most that many such lines, the count the run's settings.json recorded."""
    records, bad, complete = [], [], 0
    sealed_seen = False  # a line with a digest was read: every later line needs one
    unsealed = 0  # lines without a digest read so far
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
            if DIGEST_KEY not in record and not sealed_seen and (legacy is None or unsealed < legacy):
                unsealed += 1  # written before records carried digests
                if record.get("k") == 0:  # written as 0.0 then; a k = 0 example has no LO/Comp/Suff (null)
                    record.update({m: None for m in K_ZERO_UNDEFINED if record.get(m) == 0.0})
            else:
                sealed_seen = True
                try:
                    matches = record.get(DIGEST_KEY) == record_digest(record)
                except ValueError:  # 1e400 reads as inf, which no run writes
                    matches = False
                if not matches:
                    bad.append((number, raw, EDITED if DIGEST_KEY in record else NO_DIGEST))
                    continue
            problem = record_problem(record)
            if problem is not None:
                bad.append((number, raw, problem))
                continue
            records.append(record)
    return records, bad, complete


EDITED = "edited: its content does not match its digest"


NO_DIGEST = "no digest, though the run was written with digests (removed by an edit)"


def read_records(path: str | os.PathLike, *, repair: bool = False, legacy: int | None = None) -> list[dict]:
    """The records of one file. A line cut off by an interrupted write is ignored (cut off when
    ``repair``). A damaged line anywhere else costs only itself: the records before and after it are
    kept, a FaithlensWarning names it, and with ``repair`` it is moved to records.rejected.jsonl (so
    its example and method are computed again on resume)."""
    path = Path(path)
    if not path.exists():
        return []
    records, bad, complete = _parse_records(path, legacy)
    if bad:
        lines = ", ".join(str(n) for n, _, _ in bad[:10]) + (" …" if len(bad) > 10 else "")
        fate = (f"moved to {REJECTED_FILE} (those examples are computed again)" if repair else "skipped")
        edited = sum(1 for _, _, why in bad if why == EDITED)
        which = f"; {edited} of them edited after they were written" if edited else ""
        warnings.warn(f"{str(path)!r}: {len(bad)} damaged line(s) ({lines}; line {bad[0][0]}: {bad[0][2]}{which}) {fate}; "
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
    """Every finished record of a run folder (all records files), by (example index, method). A folder that does not
    exist is refused (a mistyped path would read as a run with no records yet)."""
    if not isinstance(out, (str, os.PathLike)) or not Path(out).expanduser().is_dir():
        what = f"{type(out).__name__} {out!r:.60}" if not isinstance(out, (str, os.PathLike)) else \
            f"{str(out)!r}, which {'is not a folder' if Path(out).expanduser().exists() else 'does not exist'}"
        raise FaithlensError(f"read_run takes the --out folder of an evaluate run. Got {what}. Check the path, e.g. "
                             "read_run('runs/sst2').")
    out = Path(out).expanduser()
    if not (out / SETTINGS_FILE).is_file() and not record_files(out):  # an empty or unrelated folder: no run there
        raise FaithlensError(f"read_run: {str(out)!r} holds no evaluate run (no {SETTINGS_FILE}, no records). Pass the "
                             "--out folder of an evaluate run.")
    return run_records(out, repair=repair)


def run_records(out: Path, *, repair: bool = False) -> dict[tuple[int, str], dict]:
    """`read_run` of a folder evaluate itself is writing (it may hold nothing yet)."""
    done: dict[tuple[int, str], dict] = {}
    for path in record_files(out):
        for r in read_records(path, repair=repair, legacy=legacy_allowance(Path(out), path.name)):
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
