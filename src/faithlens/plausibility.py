"""Plausibility: how well an explanation's words agree with human rationales (DeYoung et al. 2020, ERASER).

Faithfulness asks whether the words an explanation ranks first matter *to the model*; plausibility
asks whether they are the words *a person* marked as the reason for the label. The two can
disagree: a faithful explanation of a model that learnt a shortcut is implausible.

**Rationale files** (JSONL, one example a line; checked line by line before any work):

- which example: ``"text"`` (the example's text, as the data file holds it after stripping
  surrounding whitespace; for pairs also ``"text_pair"``) or ``"index"`` (the 0-based row of the
  data file, before ``--limit``/shuffling); with both, they must agree;
- the rationale: ``"spans"``, character spans ``[[start, end], ...]`` (end exclusive) in the text,
  or ``"words"``, 0-based indices into the text's whitespace-separated words; ``"segment": 1``
  places them in the second text of a pair;
- ``"label"`` and ``"note"`` may be given and are ignored.

An empty rationale (``"words": []``, ``"spans": []``) is no rationale: the example is counted as one
without rationale words and left out of every column, as an example whose rationale covers none of
the model's words (e.g. past a truncation). One line per example and segment: a second line for
them that gives another rationale is refused, naming both lines (a repeated identical line is read once).

Every metric works at **word level**: the model's words (tokenizer ``word_ids()``, as
:class:`~faithlens.explanation.Word`) with scores = the sum of their tokens' scores, *signed* (the
evidence for the explained class, as in the faithfulness metrics), and a word is in the rationale
when its characters overlap a rationale span. Per example (pure functions below, keyword-only):

- **AUPRC** (higher is better): average precision of the word ranking against the rationale,
  Σ_n (R_n − R_{n−1}) P_n over distinct score thresholds (tied scores enter together), as
  scikit-learn's ``average_precision_score``;
- **token F1** and **token IOU** at k (higher is better): the top-k words (ties: earlier word first)
  as a hard rationale, compared with the human one; k = the mean rationale size over the evaluated
  examples with rationale words, rounded (at least 1), as ERASER does for methods that return soft scores;
- **IOU-F1 at 0.5** (higher is better; ERASER's partial-match F1): contiguous runs of top-k words
  are predicted spans, contiguous runs of rationale words are gold spans; a predicted span matches
  when its IOU with some gold span is ≥ 0.5; precision = matched predicted spans / predicted spans,
  recall = gold spans matched / gold spans, F1 per example. The table averages the per-example F1
  (with its standard error); ``results`` also gives ERASER's macro form, the F1 of the mean
  precision and the mean recall.

Examples without rationale words are left out of every column (their token F1 would be 0 whatever the
explanation): the table counts them apart. A ``random`` row (seeded uniform word scores, one draw per example from the run's seed and the
example's index) gives the chance level.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

from .json_files import jsonl_records
from .errors import FaithlensError, quoted

PLAUSIBILITY_COLUMNS = ("auprc", "token_f1", "token_iou", "iou_f1")
RANDOM_ROW = "random"
_KEYS = {"text", "text_pair", "index", "spans", "words", "segment", "label", "note"}


from .plausibility_metrics import (  # noqa: F401 (public here too)
    IOU_THRESHOLD, average_precision, iou_match, runs, token_f1, token_iou, top_k_words,
)


def example_plausibility(*, scores: Tensor, relevant: Tensor, k: int, segments: Sequence[int] | None = None) -> dict:
    """Every plausibility value of one example at a given k: auprc (None without rationale words),
    token_f1, token_iou, iou_f1 and ERASER's iou precision/recall."""
    predicted = top_k_words(scores=scores, k=k)
    precision, recall, f1 = iou_match(predicted=predicted, relevant=relevant, segments=segments)
    return {"auprc": average_precision(scores=scores, relevant=relevant),
            "token_f1": token_f1(predicted=predicted, relevant=relevant),
            "token_iou": token_iou(predicted=predicted, relevant=relevant),
            "iou_f1": f1, "iou_precision": precision, "iou_recall": recall}


def mean_rationale_size(sizes: Sequence[int]) -> int:
    """k for the top-k comparisons: the mean number of rationale words, rounded half up, at least 1."""
    if not sizes:
        return 1
    return max(1, math.floor(sum(sizes) / len(sizes) + 0.5))


# --- rationale files ---------------------------------------------------------------------------------

Span = tuple[int, int, int]  # (segment, start, end) characters


@dataclass(frozen=True)
class Rationales:
    """Human rationales by example: ``by_item`` maps a text (or a (text, text_pair) pair) to its spans, a tuple of
    (segment, start, end) character triples (segment 0: the text, 1: the pair's second text; end exclusive), as
    `read_rationales` writes them. Checked when built (`_check_spans`)."""

    by_item: dict
    source: str

    def __post_init__(self) -> None:
        if not isinstance(self.by_item, dict) or not isinstance(self.source, str):
            raise FaithlensError("Rationales(by_item=..., source=...) takes a dict of text -> spans and a str. Read a "
                                 "file with faithlens.plausibility.read_rationales(path, dataset=...).")
        for item, spans in self.by_item.items():
            ok = isinstance(spans, tuple) and all(isinstance(sp, tuple) and len(sp) == 3 and all(
                isinstance(x, int) and not isinstance(x, bool) for x in sp) and sp[0] in (0, 1) and 0 <= sp[1] <= sp[2]
                for sp in spans)
            if not ok:
                raise FaithlensError(f"Rationales: the spans of {item!r:.40} are {spans!r:.60}; each is a (segment, "
                                     "start, end) triple of ints (segment 0 or 1, 0 ≤ start ≤ end), in a tuple, e.g. "
                                     "((0, 4, 8),).")

    def spans_of(self, item) -> tuple[Span, ...] | None:
        return self.by_item.get(item)

    def __len__(self) -> int:
        return len(self.by_item)

    def digest(self) -> str:
        """SHA-256 of the spans by example: what the plausibility table is computed against, whatever file (or path to
        it) they were read from. An evaluate run records it, so a resume notices rationales edited in place."""
        items = sorted((json.dumps(list(k) if isinstance(k, tuple) else k, ensure_ascii=False), sorted(v))
                       for k, v in self.by_item.items())
        return hashlib.sha256(json.dumps(items).encode("utf-8")).hexdigest()


def read_rationales(path: str | os.PathLike, *, dataset) -> Rationales:
    """A rationale file (module docstring), every line checked against ``dataset`` (the whole data file,
    before selection: ``"index"`` is a row of it). Errors name the line and say how to fix it."""
    if str(path).strip() == "-":
        raise FaithlensError("--rationales - names standard input, which faithlens does not read rationales from: "
                             "save them to a JSON lines file and pass its path, e.g. --rationales rationales.jsonl "
                             "(rationales=... in Python).")
    path = Path(path).expanduser()
    where = str(path)
    from .dataset import Dataset

    if not isinstance(dataset, Dataset):  # "index" is a row of it: a path would fail deep inside
        raise FaithlensError(f"read_rationales(dataset=...) is the Dataset the rationales were written for (the whole "
                             f"data file). Got {type(dataset).__name__} {dataset!r:.60}. Pass "
                             "dataset=faithlens.data.load_dataset(PATH).")
    if not path.is_file():
        raise FaithlensError(f"The rationale file {where!r} {'is a folder' if path.is_dir() else 'does not exist'}. Pass "
                             "a JSONL file, e.g. one written by `faithlens rationales sst2`.")
    firsts: dict[str, list[int]] = {}
    for i, item in enumerate(dataset.texts):
        firsts.setdefault(item[0] if isinstance(item, tuple) else item, []).append(i)
    by_item: dict = {}
    seen: dict = {}  # (item, segment) -> (line, spans): one rationale per example and segment
    for line, record in jsonl_records(path, example='{"text": "a fine film", "spans": [[2, 6]]}'):
        item = _item(record, line, where, dataset, firsts)
        spans = _spans(record, line, where, item)
        key, given = (item, record.get("segment", 0)), tuple(sorted(set(spans)))
        if key in seen and seen[key][1] != given:
            raise FaithlensError(f"Lines {seen[key][0]} and {line} of {where!r} both give the rationale of the example "
                                 f"{quoted(item[key[1]] if isinstance(item, tuple) else item)}, differently. Give each "
                                 "example's rationale on one line (merge the spans or words), or remove one of them.")
        seen.setdefault(key, (line, given))
        by_item[item] = tuple(sorted(set(by_item.get(item, ())) | set(spans)))
    if not by_item:
        raise FaithlensError(f"The rationale file {where!r} holds no rationales. Give one JSON object per line.")
    return Rationales(by_item=by_item, source=where)


def _item(record, line: int, where: str, dataset, firsts: dict):
    if not isinstance(record, dict):
        raise FaithlensError(f"Line {line} of {where!r} must be a JSON object. Got {type(record).__name__}.")
    unknown = sorted(set(record) - _KEYS)
    if unknown:
        raise FaithlensError(f"Line {line} of {where!r} has unknown keys {unknown}. Valid keys: {', '.join(sorted(_KEYS))}.")
    if "text" not in record and "index" not in record:
        raise FaithlensError(f"Line {line} of {where!r} must name its example by \"text\" or by \"index\". "
                             f"Got keys {sorted(record)}.")
    if "index" in record:
        index = record["index"]
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(dataset):
            raise FaithlensError(f"Line {line} of {where!r}: \"index\" must be a row of the data, an int in "
                                 f"0..{len(dataset) - 1} (no decimal point). Got {index!r}.")
    if "text_pair" in record and not dataset.is_pairs:  # a pair's second text for data of single texts
        raise FaithlensError(f"Line {line} of {where!r} gives \"text_pair\", but {dataset.source!r} holds single texts. "
                             "Drop \"text_pair\", or pass the data file of the pairs the rationales were written for.")
    if "index" in record:
        item = dataset.texts[index]
        first = item[0] if isinstance(item, tuple) else item
        if "text" in record and (not isinstance(record["text"], str) or record["text"].strip() != first):
            raise FaithlensError(f"Line {line} of {where!r}: row {index} of the data is {quoted(first)}, not "
                                 f"{quoted(record['text'])}. Was the file written for other data? Fix \"index\" or drop it.")
        return item
    text = record["text"]
    if not isinstance(text, str) or not text.strip():
        raise FaithlensError(f"Line {line} of {where!r}: \"text\" must be a non-empty string. Got {text!r}.")
    rows = firsts.get(text.strip())
    if not rows:
        raise FaithlensError(f"Line {line} of {where!r}: the text {quoted(text)} is not in the data {dataset.source!r}. "
                             "Give the example's text as the data file holds it, or its \"index\".")
    if not dataset.is_pairs:
        return text.strip()
    pair = record.get("text_pair")
    matches = [dataset.texts[i] for i in rows if pair is None or dataset.texts[i][1] == str(pair).strip()]
    if len(matches) != 1:
        raise FaithlensError(f"Line {line} of {where!r}: {len(matches)} pairs of the data start with {quoted(text)}. "
                             "Give \"text_pair\" as well (or the \"index\").")
    return matches[0]


def _spans(record: dict, line: int, where: str, item) -> list[Span]:
    segment = record.get("segment", 0)
    if isinstance(segment, bool) or not isinstance(segment, int) or segment not in (0, 1):  # 1.0, true: not 0 or 1
        raise FaithlensError(f"Line {line} of {where!r}: \"segment\" must be the integer 0, or 1 for the second text "
                             f"of a pair. Got {segment!r}.")
    if segment == 1 and not isinstance(item, tuple):
        raise FaithlensError(f"Line {line} of {where!r}: \"segment\": 1 names the second text of a pair, but example "
                             f"{record.get('index', '')!s} is a single text. Drop \"segment\" (or write 0) for a "
                             "single text.")
    text = item[segment] if isinstance(item, tuple) else item
    if ("spans" in record) == ("words" in record):
        raise FaithlensError(f"Line {line} of {where!r} must give the rationale as \"spans\" (character [start, end] "
                             "pairs) or as \"words\" (whitespace word indices), one of them.")
    if "words" in record:
        return _word_spans(record["words"], text, line, where, segment)
    spans = record["spans"]
    if not isinstance(spans, list):
        raise FaithlensError(f"Line {line} of {where!r}: \"spans\" must be a list of [start, end] pairs. Got {spans!r}.")
    if len(spans) == 2 and all(_is_offset(x) for x in spans):
        raise FaithlensError(f"Line {line} of {where!r}: \"spans\" is a list of [start, end] pairs, and {spans!r} is "
                             f"one pair. Write [{spans!r}].")
    out = []
    for span in spans:
        if not isinstance(span, list) or len(span) != 2:
            raise FaithlensError(f"Line {line} of {where!r}: the span {span!r} is not a [start, end] pair. \"spans\" "
                                 "is a list of [start, end] pairs of character offsets, e.g. [[2, 6]].")
        bad = [x for x in span if not _is_offset(x)]
        if bad:
            raise FaithlensError(f"Line {line} of {where!r}: the span {span!r} has the offset {bad[0]!r}, which is not "
                                 "an integer. Give [start, end] as whole character offsets, e.g. [8, 16].")
        if not 0 <= span[0] < span[1] <= len(text):
            raise FaithlensError(f"Line {line} of {where!r}: the span {span!r} is not inside the text (0..{len(text)} "
                                 f"characters, {quoted(text)}). Give [start, end] character offsets with start < end.")
        out.append((segment, span[0], span[1]))
    return out


def _is_offset(x) -> bool:
    """Whether ``x`` is a whole number as JSON gives one: an int (a bool is not one, nor is 8.0)."""
    return isinstance(x, int) and not isinstance(x, bool)


def _word_spans(words, text: str, line: int, where: str, segment: int) -> list[Span]:
    import re

    bounds = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    if not isinstance(words, list):
        raise FaithlensError(f"Line {line} of {where!r}: \"words\" must be a list of word indices. Got {words!r}.")
    out = []
    for w in words:
        if not _is_offset(w):
            raise FaithlensError(f"Line {line} of {where!r}: word index {w!r} is not an integer. \"words\" is a list "
                                 "of 0-based whole word indices, e.g. [0, 2].")
        if not 0 <= w < len(bounds):
            raise FaithlensError(f"Line {line} of {where!r}: word index {w!r} is not a word of the text (it has "
                                 f"{len(bounds)} whitespace-separated words, 0..{len(bounds) - 1}).")
        out.append((segment, *bounds[w]))
    return out



# --- words of an explanation ------------------------------------------------------------------------------

def word_marks(words: Sequence, spans: Sequence[Span]) -> list[bool]:
    """Per word of an explanation: does it overlap a rationale span of its segment?"""
    return [any(seg == int(getattr(w, "segment", 0) or 0) and w.start < end and start < w.end for seg, start, end in spans)
            for w in words]


# --- the table ---------------------------------------------------------------------------------------------

def _random_scores(n: int, seed: int, index: int) -> Tensor:
    generator = torch.Generator().manual_seed(seed * 1_000_003 + index)
    return torch.rand(n, generator=generator, dtype=torch.float64)


def plausibility_rows(records: Sequence[dict], methods: Sequence[str], *, seed: int) -> dict:
    """The plausibility table from evaluate records (those with ``"rationale"``): one row per method, the seeded
    ``random`` row among them when the run has it (not with --no-random); each column {"mean", "sem", "n"}; ``k``
    the top-k size used."""
    from .metrics import summarise

    given = {r["index"]: r for r in sorted(records, key=lambda r: (r["index"], r["method"]))
             if r.get("rationale") is not None}
    if not given:
        return {}
    with_rationale = {i: r for i, r in given.items() if sum(r["rationale"]) > 0}  # the others: left out, counted
    sizes = [sum(r["rationale"]) for r in with_rationale.values()]
    k = mean_rationale_size(sizes)
    rows = []
    sources = [(m, [r for r in records if r["method"] == m and r["index"] in with_rationale]) for m in methods]
    if RANDOM_ROW in methods:  # the run's seeded random row (on unless --no-random): scored as drawn here, once
        sources = [(m, list(with_rationale.values()) if m == RANDOM_ROW else mine) for m, mine in sources]
    for label, mine in sources:
        values: dict[str, list[float]] = {c: [] for c in (*PLAUSIBILITY_COLUMNS, "iou_precision", "iou_recall")}
        for r in sorted(mine, key=lambda r: r["index"]):
            relevant = torch.tensor(r["rationale"], dtype=torch.bool)
            scores = (_random_scores(len(relevant), seed, r["index"]) if label == RANDOM_ROW
                      else torch.tensor(r["word_scores"], dtype=torch.float64))
            one = example_plausibility(scores=scores, relevant=relevant, k=k, segments=r.get("word_segments"))
            for c, v in one.items():
                if v is not None:
                    values[c].append(v)
        row = {"method": label, **{c: summarise(values[c]) for c in PLAUSIBILITY_COLUMNS}}
        p, rc = summarise(values["iou_precision"])["mean"], summarise(values["iou_recall"])["mean"]
        row["iou_f1_eraser_macro"] = None if p is None else (0.0 if p + rc == 0 else 2 * p * rc / (p + rc))
        rows.append(row)
    return {"k": k, "n_examples": len(with_rationale), "mean_rationale_words": sum(sizes) / len(sizes) if sizes else None,
            "examples_without_rationale_words": len(given) - len(with_rationale), "rows": rows}


def plausibility_markdown(table: dict, *, source: str) -> str:
    """The plausibility table as Markdown, with its caption."""
    from .evaluate.tables import cell

    lines = ["| Method | AUPRC ↑ | token F1 ↑ | token IOU ↑ | IOU-F1 ↑ | n |", "|---|---|---|---|---|---|"]
    for row in table["rows"]:
        lines.append(f"| {row['method']} | {cell(row['auprc'], 3)} | {cell(row['token_f1'], 3)} | "
                     f"{cell(row['token_iou'], 3)} | {cell(row['iou_f1'], 3)} | {row['token_f1']['n']} |")
    n, none, mean = table["n_examples"], table["examples_without_rationale_words"], table["mean_rationale_words"]
    caption = (f"\nPlausibility against the human rationales in `{source}`, word level, {n} example{'s' * (n != 1)} "
               f"with rationale words" + (f" (mean {mean:.2f} rationale words)" if n else "") +
               (f"; {none} more with a rationale line but no rationale word among the model's words (an empty rationale, "
                "or spans past the explained text), left out of every column" if none else "") + ". "
               + (f"Token F1, token IOU and IOU-F1 compare the top k = {table['k']} words (the mean rationale size, "
                  "rounded) with the rationale; " if n else "No example is left to score: nothing below is measured. ")
               + f"IOU-F1 is ERASER's partial-match F1 at IOU ≥ {IOU_THRESHOLD} per example, averaged. Word scores are "
               "signed (evidence for the explained class). "
               + ("`random`: seeded uniform word scores (chance level). "
                  if any(row["method"] == "random" for row in table["rows"]) else "")
               + "Mean ± standard error over examples.\n")
    return "\n".join(lines) + "\n" + caption


# --- a lexicon rationale file from SST-2 -------------------------------------------------------------------

POLARITIES = ("label", "any")
SST2_LABELS = ("negative", "positive")  # SST-2's classes 0 and 1: a gold label is 0/1 or one of these names


def _check_sst2_path(name: str, path: str | os.PathLike) -> None:
    """A --train or --data path that is not a file is refused naming the GLUE SST-2 files to pass (never the bundled
    rotten_tomatoes split, which this command does not read); '-' by the rule of every data option (standard input is
    not read)."""
    from .data import BUNDLED, refuse_standard_input

    refuse_standard_input(path, option=name)
    if Path(path).expanduser().is_file():
        return
    what = ("is a dataset name; rationales sst2 reads files, not the bundled split" if str(path) in BUNDLED else
            "is a folder, not a file" if Path(path).expanduser().is_dir() else "does not exist")
    raise FaithlensError(f"{name} {str(path)!r} {what}. Pass GLUE SST-2's files: --train its train.tsv (SST's phrases "
                         "with their labels), --data the sentences to annotate (e.g. its dev.tsv).")


def _read_sst2(name: str, path):
    """An SST-2 file (one sentence a row) with its 0/1 labels read by the rule of --target (`read_class`); a file of
    pairs is refused as such, before its labels are read (SNLI's 'neutral' is not the point)."""
    from .data import read_file

    pairs = (f"{name} {str(path)!r} holds pairs of texts (two text columns, e.g. SNLI's premise and hypothesis); an "
             "SST-2 file holds one sentence a row. Pass GLUE SST-2's train.tsv and dev.tsv.")
    try:
        d = read_file(path, label_names=SST2_LABELS)
    except FaithlensError as exc:  # e.g. SNLI's 'neutral': say first which file this command reads
        if read_file(path, labels=False).is_pairs:
            raise FaithlensError(pairs) from None
        raise FaithlensError(f"{name} {str(path)!r} must be a GLUE SST-2 file (one sentence and a 0/1 label per row, "
                             f"or for --data with --polarity any no label column); reading it as one failed: {exc}") from None
    if d.is_pairs:
        raise FaithlensError(pairs)
    return d


def sst2_lexicon_rationales(train: str | os.PathLike, data: str | os.PathLike, *, polarity: str = "label") -> list[dict]:
    """Word rationales for SST-2 sentences from SST's human phrase labels: a **lexicon rationale**.

    The GLUE SST-2 training file (``train``: ``sentence<TAB>label``) holds SST's phrases, among them
    single words that SST's annotators rated (Socher et al. 2013). GLUE kept the phrases whose
    sentiment score p is ≤ 0.4 (label 0) or > 0.6 (label 1) and dropped the neutral ones in (0.4, 0.6]:
    that is the threshold, |p − 0.5| ≥ 0.1; the file holds no scores, so no stricter one can be set.
    A word listed with both labels is dropped. A word of a sentence of ``data`` (whitespace-separated,
    as GLUE tokenised it) is in the sentence's rationale when it is such a word with the sentence's
    own label (``polarity="label"``, the evidence for the label) or with either label (``"any"``).
    Sentences without such a word get no line. The rationale is the same for a word wherever it
    occurs: it marks sentiment words, not the words a reader found decisive in *this* sentence.

    Gold labels are read as SST-2's classes 0 negative and 1 positive by the rule of --target
    (`faithlens.label_reading.read_class`): 0/1 in any whole-number spelling, or the names ignoring case; any other
    label is refused naming its line.

    Returns one dict per line: ``index`` (row of ``data``), ``text``, ``label``, ``spans`` (character
    spans of the rationale words) and a ``note`` listing the words."""
    if polarity not in POLARITIES:
        from .errors import unknown_choice

        raise unknown_choice("polarity", polarity, POLARITIES)
    for name, path in (("--train", train), ("--data", data)):
        _check_sst2_path(name, path)
    phrases, sentences = _read_sst2("--train", train), _read_sst2("--data", data)
    for name, d in (("--train", phrases), ("--data", sentences)):
        unlabelled_ok = d is sentences and polarity == "any" and not d.has_labels  # 'any' reads no sentence label
        if not (d.has_labels or unlabelled_ok) or (d.has_labels and any(y not in (0, 1) for y in d.labels)):
            raise FaithlensError(f"{name} {d.source!r} must be a GLUE SST-2 file: one sentence and a 0/1 label per row"
                                 + (" (--polarity any reads --data without labels)" if d is sentences else "")
                                 + ". Pass the folder's train.tsv and dev.tsv.")
    labels: dict[str, set[int]] = {}
    for text, label in zip(phrases.texts, phrases.labels):
        if len(text.split()) == 1:
            labels.setdefault(text, set()).add(int(label))
    lexicon = {w: next(iter(ls)) for w, ls in labels.items() if len(ls) == 1}
    if not lexicon:
        raise FaithlensError(f"--train {phrases.source!r} holds no single-word phrases; the GLUE SST-2 train.tsv holds "
                             "about 4,000. Pass that file.")
    import re

    out = []
    for index, (text, label) in enumerate(zip(sentences.texts, sentences.labels)):
        words = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text)]
        chosen = [i for i, (_, _, w) in enumerate(words)
                  if w in lexicon and (polarity == "any" or lexicon[w] == label)]
        if chosen:
            out.append({"index": index, "text": text, "label": label,
                        "spans": [[words[i][0], words[i][1]] for i in chosen],
                        "note": "SST single-word phrases: " + ", ".join(words[i][2] for i in chosen)})
    if not out:  # an empty rationale file would measure nothing: refused, never written quietly
        raise FaithlensError(f"No sentence of --data {sentences.source!r} holds a word of the lexicon read from --train "
                             f"{phrases.source!r} ({len(lexicon):,} single-word phrases"
                             + (" with the sentence's own label" if polarity == "label" else "") + "), so there is no "
                             "rationale to write. GLUE's SST-2 train.tsv gives about 4,000 words: pass the whole file"
                             + (", or --polarity any" if polarity == "label" else "") + ".")
    return out
