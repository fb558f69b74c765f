"""Seeded holdout splits: which example indices, or which whole groups (a SQuAD file's articles), are held out.
`faithlens train --holdout` splits this way, so an audit can re-open the same test split; `data.holdout` applies
these to a dataset and `qa.split_by_article` to SQuAD examples. `held_out_record` is what train records of the part
it held out, and `check_held_out` compares an audit's held-out part with it; `check_not_train` says when an audit
without --holdout reads the model's --train file itself. `check_unseen`: a validation or test file
is not the training data (texts, text pairs or SQuAD questions: every train path)."""

from __future__ import annotations

import random
from collections.abc import Sequence

from .errors import FaithlensError
from .scalars import as_int, as_number


MAX_SEED = 2**32 - 1  # the range of every seed (options.MAX_SEED): numpy's generator takes seeds below 2**32


def _check_seed(seed: object) -> int:
    """A split's seed: an int (or a NumPy/torch integer scalar, read as the int it holds: `scalars.as_int`) in
    [0, MAX_SEED], returned as a Python int for `random.Random`. Raises FaithlensError."""
    value = as_int(seed)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SEED:
        raise FaithlensError(f"The 'seed' parameter must be an int in [0, {MAX_SEED:,}]; got {type(seed).__name__} "
                             f"{seed!r:.40}. Pass e.g. seed=0.")
    return value


def _readable(value: float, up: bool) -> float:
    """``value`` to three significant digits, rounded up (``up``) or down: a fraction a person can type."""
    import math

    scale = 10 ** (2 - math.floor(math.log10(value)))
    return (math.ceil(value * scale - 1e-9) if up else math.floor(value * scale + 1e-9)) / scale


def _percent(count: int, total: int) -> str:
    return f"{100 * count / total:.3g} %"


def _check_fraction(fraction: object) -> float:
    """A holdout fraction in (0, 1), a NumPy or torch scalar read as the number it holds (`scalars.as_number`)."""
    value = as_number(fraction)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        raise FaithlensError(f"The holdout fraction must be a number in (0, 1), e.g. 0.2. Got {fraction!r}.")
    return float(value)  # np.float64 too: the plain float recorded of the split


def holdout_settings(fraction: object, seed: object) -> tuple[float, int]:
    """A holdout's (fraction, seed) checked, as the Python numbers recorded of the split (`held_out_record`)."""
    return _check_fraction(fraction), _check_seed(seed)


def _note_far(held: int, total: int, fraction: float) -> None:
    """A FaithlensWarning when the held-out part is far from the fraction asked (off by more than half of it)."""
    import warnings

    from .errors import FaithlensWarning

    if abs(held / total - fraction) > fraction / 2:
        warnings.warn(f"--holdout {fraction:g} asked for {100 * fraction:.3g} % of the {total} questions; "
                      f"the held-out part has {held} of them ({_percent(held, total)}), the nearest "
                      "a split by whole articles reaches.", FaithlensWarning, stacklevel=3)


def holdout_split(n: int, fraction: float, seed: int = 0, *, source: str | None = None) -> tuple[list[int], list[int]]:
    """(kept, held out) example indices: a seeded shuffle, round(fraction · n) held out, both sorted.

    `faithlens train --holdout` splits this way, so an audit can re-open the same test split. A fraction that holds
    out no example, or every example, is refused (naming the fractions that work); ``source`` (the data file) is
    named in that error.
    """
    fraction, seed = holdout_settings(fraction, seed)
    n_test = int(round(fraction * n))
    if not 0 < n_test < n:
        where = f"{source!r} has" if source else "The data has"
        if n < 2:
            raise FaithlensError(f"{where} {n} example{'s' * (n != 1)}; --holdout {fraction:g} needs at least two, one "
                                 "to hold out and one to keep. Give more examples, or drop --holdout.")
        low, high = _readable(1 / n, up=True), _readable((n - 1) / n, up=False)
        part, count = ("held-out", "none") if n_test == 0 else ("kept", "all")
        raise FaithlensError(f"{where} {n} examples; --holdout {fraction:g} holds out {count} of them (round({fraction:g} "
                             f"× {n}) = {n_test}), so the {part} part would be empty. Pass a fraction from {low:g} (holds "
                             f"out 1 example) to {high:g} (holds out {n - 1}), e.g. --holdout "
                             f"{max(low, min(high, 0.2)):g}, or drop --holdout.")
    index = list(range(n))
    random.Random(seed).shuffle(index)
    return sorted(index[n_test:]), sorted(index[:n_test])


def group_holdout(groups: Sequence[str], fraction: float, seed: int = 0, *, source: str | None = None) -> set[str]:
    """Whole groups held out: of every choice of groups (at least one held out, at least one kept), one whose
    example count is nearest fraction · len(groups) (a tie: the one of more examples); among the choices of that
    count, the one the seeded shuffle of the sorted group names puts first. A FaithlensWarning says when that count is
    off the fraction by more than half of it. ``source`` (the data file) is named in the error for fewer than two
    groups."""
    import collections

    fraction, seed = holdout_settings(fraction, seed)
    names = sorted(set(groups))
    if len(names) < 2:
        where = f"{source!r} has" if source else "The data has"
        raise FaithlensError(f"{where} {len(names)} article{'s' * (len(names) != 1)}"
                             f"{f' ({names[0]!r})' if names else ''}; holding out whole articles (--holdout) needs at "
                             "least two, so no question of the held-out part shares an article with training. Drop "
                             "--holdout, or give held-out data as its own file (train: --test FILE).")
    random.Random(seed).shuffle(names)
    sizes = collections.Counter(groups)
    total = len(groups)
    reachable = [1]  # reachable[i]: bit s set when some choice among the first i names holds s examples
    for name in names:
        reachable.append(reachable[-1] | (reachable[-1] << sizes[name]))
    target = fraction * total
    sums = [s for s in range(1, total) if reachable[-1] >> s & 1]  # at least one group held out, one kept
    best = min(sums, key=lambda s: (abs(s - target), -s))
    held: set[str] = set()
    remaining = best
    for i in range(len(names), 0, -1):  # the choice that leaves out the later names of the shuffle where it can
        if not reachable[i - 1] >> remaining & 1:
            held.add(names[i - 1])
            remaining -= sizes[names[i - 1]]
    assert remaining == 0
    _note_far(best, total, fraction)
    return held


def held_out_record(items: Sequence, fraction: float, seed: int, of: int) -> dict:
    """What `faithlens train --holdout` records of the part it held out (faithlens_model.json: dataset.held_out), so an
    audit can tell whether it re-opened that part (`check_held_out`): the fraction and seed, how many items were held
    out of how many, and the SHA-256 of the sorted items, one a line. Items are a classifier's examples (a text, or a
    pair written text TAB pair text) or, for SQuAD, the titles of the articles held out whole (each once)."""
    import hashlib

    lines = sorted("\t".join(item) if isinstance(item, tuple) else str(item) for item in items)
    digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    return {"fraction": fraction, "seed": seed, "count": len(lines), "of": of, "sha256": digest}


def check_held_out(info: dict, held: dict, *, items: str = "examples") -> str | None:
    """Is the held-out part an audit re-opens (``held``: its `held_out_record`) the part train held out, as the model's
    card (``info``: `ClassifierModel.info`, read from faithlens_model.json) records? Returns the result the audit
    report shows, or None when the model records no --holdout split (trained on a --test file: nothing to compare).
    A FaithlensWarning says when the split differs, or cannot be checked (a card of an older faithlens that records
    only a note): the audit may then include examples the model was trained on. ``items``: what the digest counts
    ("examples", or "articles" for SQuAD)."""
    import warnings

    from .errors import FaithlensWarning

    card = info.get("dataset") if isinstance(info, dict) else None
    card = card if isinstance(card, dict) else {}
    record, asked = card.get("held_out"), f"--holdout {held['fraction']:g} --split-seed {held['seed']}"
    if not card.get("holdout") and not record:
        return None
    if isinstance(record, dict) and {"fraction", "seed", "sha256"} <= set(record) and (why := _unwritten(record)):
        warnings.warn(f"The model's faithlens_model.json records a held-out part faithlens does not write ({why}): "
                      f"edited or damaged, so this audit cannot check that {asked} re-opens that part, and it may "
                      "include examples the model was trained on. Restore the file (train writes dataset.held_out), "
                      "or audit a file the model was not trained on.", FaithlensWarning, stacklevel=2)
        return "not checked: the model's record of its held-out part is not one faithlens writes"
    if not isinstance(record, dict) or not {"fraction", "seed", "sha256"} <= set(record):
        warnings.warn(f"The model records a --holdout split ({card.get('holdout')}) but no digest of its held-out part "
                      f"(faithlens_model.json of an older faithlens), so this audit cannot check that {asked} re-opens "
                      "that part: it may include examples the model was trained on. Train the model again with this "
                      "faithlens to record the split, or audit a file the model was not trained on.",
                      FaithlensWarning, stacklevel=2)
        return "not checked: the model records no digest of its held-out part (an older faithlens)"
    recorded = f"--holdout {record['fraction']:g} --split-seed {record['seed']}"
    if (record["fraction"], record["seed"]) != (held["fraction"], held["seed"]):
        warnings.warn(f"The model was trained holding out {recorded} of its --train data (faithlens_model.json); this "
                      f"audit holds out {asked}, another part, which may include examples the model was trained on. "
                      f"Pass {recorded} to audit the part the model never saw.", FaithlensWarning, stacklevel=2)
        return f"differs: the audit holds out {asked}, the model was trained holding out {recorded}"
    if record["sha256"] != held["sha256"]:
        train = f"--train file ({card['train']})" if card.get("train") else "--train file"
        warnings.warn(f"The held-out part of this audit's data ({held['count']} of {held['of']} {items}) is not the one "
                      f"train held out ({record.get('count')} of {record.get('of')} {items}, by the digest "
                      f"faithlens_model.json records), though both are {recorded}: the data is another file than the "
                      f"model's {train}, or the model was trained under another split rule (an older faithlens). The "
                      "record keeps a digest, not the items, so which cannot be told: the audit may include examples the "
                      f"model was trained on. Audit the model's {train} with {recorded}, or a file the model was not "
                      "trained on.", FaithlensWarning, stacklevel=2)
        return f"differs: not the {items} train held out with {recorded} (another data file, or another split rule)"
    return f"matches the model's record ({recorded}: {held['count']} of {held['of']} {items})"


def check_not_train(info: dict, data: str) -> str | None:
    """Is ``data`` (an audit's or facade analysis's --data, read whole: no --holdout) the file the model was trained
    on, as its card (``info``: `ClassifierModel.info`) records it (dataset.train, and dataset.train_sha256 where train
    recorded one)? By content when the card records the file's SHA-256 (a copy or a moved file is found, and a file
    edited since is not it), else by resolved path. Returns the line the report shows, or None when it is not (or
    cannot be told: the model records no --train file, or --data is no file). A FaithlensWarning says that the sample
    includes examples the model was trained on, and how to audit unseen ones."""
    import warnings
    from pathlib import Path

    from .checkpoint import file_digest
    from .errors import FaithlensWarning

    card = info.get("dataset") if isinstance(info, dict) else None
    card = card if isinstance(card, dict) else {}
    train, digest = card.get("train"), card.get("train_sha256")
    if not isinstance(train, str) or not train or not Path(data).is_file():
        return None
    if isinstance(digest, str) and digest:
        same, how, by = file_digest(data) == digest, "the same bytes as", "same bytes"
    else:  # a card of an older faithlens records only the path train was given
        same, how, by = Path(train).is_file() and Path(train).resolve() == Path(data).resolve(), "the path of", "same path"
    if not same:
        return None
    held = card.get("held_out") if isinstance(card.get("held_out"), dict) else None
    fix = (f"Pass --holdout {held['fraction']:g} --split-seed {held['seed']} to use only the part train held out"
           if held and {"fraction", "seed"} <= set(held) else "Pass a file the model was not trained on (e.g. its "
           "--test file)")
    warnings.warn(f"--data {data} has {how} the model's --train file ({train}, faithlens_model.json): the sample "
                  f"includes examples the model was trained on, so its explanations show what the model learnt from "
                  f"them, not how it reads unseen text. {fix}.", FaithlensWarning, stacklevel=2)
    return f"the data is the model's --train file ({train}, {by}): the sample includes examples the model was trained on"


def _unwritten(record: dict) -> str | None:
    """Why a recorded ``held_out`` is not one `held_out_record` writes (None when it is one)."""
    import re

    for key, check, what in (("fraction", _check_fraction, "a number in (0, 1)"),
                             ("seed", _check_seed, f"an int in [0, {MAX_SEED:,}]")):
        try:  # the rule the split itself was checked by (`holdout_settings`)
            check(record.get(key))
        except FaithlensError:
            return f"{key} {record.get(key)!r:.40}, not {what}"
    digest = record.get("sha256")
    if not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{64}", digest):
        return f"sha256 {digest!r:.40}, not a SHA-256 digest"
    for key in ("count", "of"):
        value = record.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            return f"{key} {value!r:.40}, not a count"
    return None


def check_unseen(train: tuple[str, str | None, Sequence], others: Sequence[tuple[str, str | None, Sequence]], *,
                 fix: str) -> None:
    """A validation or test split measures the model on examples it was not trained on: one rule for every train
    path. Each split is (name in the caller's words, the file it was read from or None, its inputs), the training split
    first; inputs are texts, text pairs, or SQuAD questions (`qa.QAExample`). A split read from the training file itself
    (the same resolved path, or a file of the same bytes: `checkpoint.file_digest`) is refused; one that shares some
    inputs with the training split is warned about with their count (`_shared`). Called before any model loads.
    ``fix`` says how the caller's surface holds out unseen examples instead (e.g. --holdout)."""
    import warnings
    from pathlib import Path

    from .checkpoint import file_digest
    from .errors import FaithlensWarning

    train_name, train_file, train_inputs = train
    train_file = train_file and str(Path(train_file).expanduser())
    questions = bool(train_inputs) and _is_question(train_inputs[0])
    score, counts, items = ("EM and F1", "count", "questions") if questions else ("accuracy", "counts", "examples")
    for name, file, inputs in others:
        same = None
        file = file and str(Path(file).expanduser())
        if train_file is not None and file is not None and Path(train_file).is_file() and Path(file).is_file():
            if Path(train_file).resolve() == Path(file).resolve():
                same = "the same file"
            elif file_digest(train_file) == file_digest(file):
                same = "a file with the same content"
        if same:
            raise FaithlensError(f"{name} is {same} as {train_name}: its {score} would be measured on the {items} the "
                                 f"model is trained on, not on unseen ones, and would overstate what it learned. "
                                 f"Held-out figures need unseen {items}: pass a file of other {items}, or {fix}.")
        shared = _shared(train_inputs, inputs)
        if shared:
            count, how = shared
            warnings.warn(f"{count} of the {len(inputs)} {items} of {name} are also in {train_name} ({how}): its "
                          f"{score} {counts} {items} the model is trained on. Held-out figures need unseen {items}: drop "
                          f"those from {name}, or {fix}.", FaithlensWarning, stacklevel=2)


def _is_question(item: object) -> bool:
    return hasattr(item, "question") and hasattr(item, "context") and hasattr(item, "title")


def _shared(train_inputs: Sequence, inputs: Sequence) -> tuple[int, str] | None:
    """How many of ``inputs`` the training split also holds, and how they are the same ('the same text'); None for none.
    Texts and text pairs are shared when equal. A SQuAD question is shared when it has the id of a training question
    (a question without an "id" is named '#n' by its place in the file, no id to match) or the same question on the
    same context; the articles those questions come from are counted too."""
    import re

    if not inputs:
        return None
    if not _is_question(inputs[0]):
        seen = set(train_inputs)
        count = sum(1 for item in inputs if item in seen)
        kind = "text pair" if isinstance(inputs[0], tuple) else "text"
        return (count, f"the same {kind}") if count else None
    ids = {e.id for e in train_inputs if not re.fullmatch(r"#\d+", e.id)}  # '#3': no id given, none to match
    asked = {(e.question, e.context) for e in train_inputs}
    hits = [e for e in inputs if e.id in ids or (e.question, e.context) in asked]
    if not hits:
        return None
    articles = len({e.title for e in hits})
    return len(hits), (f"the same question id, or the same question on the same context; from {articles} of its "
                       f"{len({e.title for e in inputs})} articles")
