"""Which columns of a data file hold the text, the second text of a pair and the label: named by the caller
(``text_column``, ``pair_column``, ``label_column``) or found from the column names, one rule for every reader
(`data.read_file`, Hugging Face datasets) and so for evaluate, train and ``explain --file``.

Messages name the columns in Python words (``text_column='NAME'``); the CLI puts each as its command's option, and
drops an alternative the command has no option for (`cli.cli_words`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Collection, Sequence

from .errors import FaithlensError

# A field holds a whole text, of any length: csv's own limit (131,072 characters) refused a long review as "not a valid
# file". Raised once for every reader of the data files (each imports this module first).
csv.field_size_limit(2**31 - 1)

TEXT_COLUMNS = ("sentence", "text", "review", "content")
PAIR_COLUMNS = (("premise", "hypothesis"), ("sentence1", "sentence2"), ("question", "context"), ("text_a", "text_b"),
                ("text", "text_pair"))  # text, text_pair: the names of a Hugging Face tokenizer's arguments
LABEL_COLUMNS = ("label", "labels", "sentiment", "target", "gold_label", "gold", "class")
NOT_LABELS = {"id", "idx", "index", "guid", "uid", "title", "url", "source", "note", "notes", "split", "comment",
              "answers", "answer"}  # never a class label: no label_column advice for them
ID_COLUMNS = {"id", "idx", "index", "guid", "uid"}  # a row's number or key: never a text, so never said to be unread
_UNNAMED = re.compile(r"(unnamed: \d+)?")  # pandas' index column: '' in to_csv's header, 'Unnamed: 0' read back
SEPARATORS = {",": "comma", ";": "semicolon", "|": "pipe", "\t": "tab"}
ROLES = {"text": "the text of each example", "pair": "the second text of each pair", "label": "the class of each example"}


def match(columns: Sequence[str], name: str | None, *, role: str | None = None, source: str | None = None,
          exact: bool = False) -> str | None:
    """The column of ``columns`` that ``name`` names, as written in the file: the same name, else the one whose name
    is the same after strip() and case-folding (``Text``, `` hypothesis`` of ``premise, hypothesis``). None where none
    is. The one rule by which known names and the caller's ``text_column`` etc. find a column. With ``role`` (the
    column to be read as the text, pair or label of ``source``), two or more columns that match (``label`` and
    ``Label``) are refused naming them, even when one is spelled as ``name``, unless ``exact``: the caller named the
    column, and one is spelled so."""
    if name is None:
        return None
    if exact and name in columns:
        return name
    key = _name(name)
    found = list(dict.fromkeys(c for c in columns if _name(c) == key))  # a name twice: `check_read_once`
    if len(found) > 1 and role is not None:
        names = " and ".join(map(repr, found)) if len(found) == 2 else ", ".join(map(repr, found))
        raise FaithlensError(f"The columns {names} of {source!r} have the same name but for case or spaces, so which "
                             f"one holds {ROLES[role]} is unclear. Rename all but one of them, or pass "
                             f"{role}_column={_fix(found[0])!r} (the name of the one to read, spelled exactly).")
    return name if name in columns else (found[0] if found else None)


def find_columns(columns: Sequence[str], *, text_column: str | None, label_column: str | None,
                 pair_column: str | None, source: str, labels: bool = True) -> dict:
    """{"text", "pair", "label"}: the column of each (None: a single text, or no labels), as written in the file;
    names match after strip() and case-folding (`match`). A pair is found by its two
    names (premise and hypothesis, ...); a pair column named alone finds its first text the same way (hypothesis:
    premise, sentence2: sentence1, context: question), else a text column, else the one first name of a pair there
    (question beside a pair column 'passage'). ``labels=False`` (``explain --file``):
    no label column is looked for, since none is read. A header read as one column of names joined by another
    separator (``text;label``) is refused first (`check_separator`)."""
    check_separator(columns, source=source)
    if pair_column is not None and match(columns, pair_column) is None:
        raise FaithlensError(f"The pair column {pair_column!r} is not in {source!r}. Valid choices: "
                             f"{', '.join(map(str, columns))}.")
    pair = match(columns, pair_column, role="pair", source=source, exact=True)
    text = text_column
    if text is None:
        found = next(((a, b) for a, b in PAIR_COLUMNS if match(columns, a) is not None
                      and (match(columns, b) is not None if pair is None else match(columns, b) == pair)), None)
        if found is not None:  # the pair's names, each read once (`match` refuses 'premise' beside 'Premise')
            text = match(columns, found[0], role="text", source=source)
            pair = pair or match(columns, found[1], role="pair", source=source)
    text = _text_column(columns, text, pair, source, given=text_column is not None)
    label = column(columns, label_column, LABEL_COLUMNS, "label", source, required=False) if labels else None
    if not labels:
        _check_no_gold_read(columns, text=text, pair=pair, source=source)
    check_distinct_columns(text=text, pair=pair, label=label, source=source,
                           given=[r for r, v in (("text", text_column), ("pair", pair_column), ("label", label_column))
                                  if v is not None])
    extras = [c for c in columns if c not in (text, pair) and str(c).strip().lower() not in NOT_LABELS and not is_id(c)]
    if labels and label is None and extras:  # a label column under another name would otherwise be dropped in silence
        import warnings

        from .errors import FaithlensWarning

        warnings.warn(f"No label column in {source!r} (looked for {', '.join(LABEL_COLUMNS)}), so its examples have "
                      f"no gold labels; the column{'s' * (len(extras) > 1)} {', '.join(map(repr, extras))} "
                      f"{'are' if len(extras) > 1 else 'is'} not read. If one holds the labels, pass "
                      "label_column='NAME'.", FaithlensWarning, stacklevel=3)
    return {"text": text, "pair": pair, "label": label}


def _check_no_gold_read(columns: Sequence[str], *, text: str | None, pair: str | None, source: str) -> None:
    """A command that reads texts only (``explain --file``, audit) never reads a label column (one named as
    `LABEL_COLUMNS` are) as model input, as evaluate, which reads it as the gold labels, never does: one rule for a
    column's role whoever reads the file."""
    gold = {match(columns, g) for g in LABEL_COLUMNS} - {None}
    for role, name in (("text", text), ("pair", pair)):
        if name in gold:
            raise FaithlensError(f"The column {name!r} of {source!r} is a label column by its name (label columns: "
                                 f"{', '.join(LABEL_COLUMNS)}), which holds gold labels, not model input, so it is not "
                                 f"read as {ROLES[role]}. Pass {role}_column='NAME' with the column of "
                                 f"{'the texts' if role == 'text' else 'the second texts'}, or rename the column if it "
                                 "does hold texts.")


def is_id(name) -> bool:
    """Whether a column is a row's id or number (`ID_COLUMNS`, or pandas' unnamed index column): never model input."""
    name = str(name).strip().lower()
    return name in ID_COLUMNS or bool(_UNNAMED.fullmatch(name))


def check_separator(columns: Sequence[str], *, source: str) -> None:
    """A header read as one column whose name is column names joined by another separator (``text;label`` from a
    semicolon-separated file, ``text<tab>label`` from a tab-separated file named .csv) is refused naming the separator:
    read so, each row would be one text holding its label, and naming that column would explain it so."""
    if len(columns) != 1:
        return
    name = str(columns[0])
    known = set(TEXT_COLUMNS) | {n for names in PAIR_COLUMNS for n in names}
    for sep, word in SEPARATORS.items():
        parts = [p.strip() for p in name.split(sep)]
        if len(parts) < 2 or not known & {p.lower() for p in parts}:
            continue
        shown = ", ".join(p for p in parts if p)
        named = str(source).strip("'\"").lower()
        if sep == "\t" and named.endswith(".tsv"):  # its name says TSV: the format was given (format='csv')
            fix = ("It is a tab-separated (TSV) file, as its name says, read as comma-separated (CSV) because the "
                   "format was given as csv: leave the format out (or pass format='tsv').")
        elif sep == "," and named.endswith(".csv"):
            fix = ("It is a comma-separated (CSV) file, as its name says, read as tab-separated (TSV) because the "
                   "format was given as tsv: leave the format out (or pass format='csv').")
        elif sep == "\t":
            fix = ("It is a tab-separated (TSV) file read as comma-separated (CSV) for its name: rename it to end in "
                   ".tsv.")
        elif sep == ",":
            fix = ("It is a comma-separated (CSV) file read as tab-separated (TSV) for its name: rename it to end in "
                   ".csv.")
        else:
            fix = (f"faithlens reads columns separated by commas (CSV) or tabs (TSV), not {word}s: save it "
                   f"comma-separated (a header such as {','.join(p for p in parts if p)}) or tab-separated.")
        raise FaithlensError(f"The header of {source!r} is one column, {name!r}: the names {shown} joined by a {word} "
                             f"({sep!r}), so each row would be read as one text holding every field, label included. "
                             + fix)


def _text_column(columns: Sequence[str], wanted: str | None, pair: str | None, source: str, *,
                 given: bool = False) -> str:
    """The text column: ``wanted``, else a name of `TEXT_COLUMNS`. Where none is there, the message names what to
    pass: a column that is one text of a pair whose other text is missing (a file of premises only) is the one."""
    if wanted is not None or any(match(columns, g) is not None for g in TEXT_COLUMNS):
        return column(columns, wanted, TEXT_COLUMNS, "text", source, given=given)
    lone = [c for c in columns if c != pair and any(_name(c) in names for names in PAIR_COLUMNS)]
    firsts = [c for c in lone if any(_name(c) == names[0] for names in PAIR_COLUMNS)]
    if pair is not None and len(firsts) == 1:  # pair_column='passage' beside a question: the question comes first
        return firsts[0]
    why = ""
    a, b = next((names for names in PAIR_COLUMNS if lone[:1] and _name(lone[0]) in names), ("", ""))
    other = b if lone[:1] and _name(lone[0]) == a else a
    if len(lone) == 1 and match(columns, other) is None:
        why = (f" {lone[0]!r} is one text of a {a}/{b} pair, and there is no {other!r} column"
               + (f" (the pair column is {pair!r})." if pair is not None else "."))
    texts = [c for c in columns if str(c).strip().lower() not in NOT_LABELS | set(LABEL_COLUMNS)]
    pairing = ""
    if pair is None and not why and len(texts) == 2:  # question1/question2, #1 String/#2 String: say how to pair them
        pairing = (f" If {texts[0]!r} and {texts[1]!r} hold the two texts of a pair, pass "
                   f"text_column={_fix(texts[0])!r} and pair_column={_fix(texts[1])!r}.")
    pairs = ", ".join("/".join(names) for names in PAIR_COLUMNS)
    raise FaithlensError(f"Could not find a text column in {source!r} (looked for {', '.join(TEXT_COLUMNS)}, and for "
                         f"the pairs {pairs}). Got columns {list(columns)}.{why} Name the column of the "
                         f"{'first texts' if pair is not None else 'texts'} 'text', or pass "
                         f"text_column='{_fix(lone[0]) if len(lone) == 1 else 'NAME'}'.{pairing}")


def _name(column) -> str:
    """A column's name as the known names are written: stripped and case-folded (`match`)."""
    return str(column).strip().casefold()


def _fix(column) -> str:
    """A column's name as a fix names it: stripped (`match` finds `` second`` from 'second'), never with a stray
    space."""
    return str(column).strip() or str(column)


def column(columns: Sequence[str], wanted: str | None, guesses: Sequence[str], what: str, source: str,
           *, required: bool = True, given: bool = True) -> str | None:
    """The column ``wanted`` names (refused when none), else the one of ``guesses`` among ``columns`` (two are refused,
    naming both; `match`:
    columns differing only by case are refused, unless ``given``, the caller named ``wanted``, spells one exactly)."""
    if wanted is not None:
        if match(columns, wanted) is None:
            raise FaithlensError(f"The {what} column {wanted!r} is not in {source!r}. Valid choices: "
                                 f"{', '.join(map(str, columns))}.")
        return match(columns, wanted, role=what, source=source, exact=given)
    found = [guess for guess in guesses if match(columns, guess) is not None]
    if len(found) > 1:  # 'sentence' beside 'text': either could be meant, so neither is guessed
        shown = ", ".join(repr(match(columns, g)) for g in found)
        raise FaithlensError(f"{source!r} has {len(found)} columns that could be the {what}: {shown}. Say which: pass "
                             f"{what}_column='NAME' (e.g. {what}_column={match(columns, found[0])!r}).")
    if found:
        return match(columns, found[0], role=what, source=source)
    if required:
        raise FaithlensError(f"Could not find a {what} column in {source!r} (looked for {', '.join(guesses)}). "
                             f"Got columns {list(columns)}. Name the column of the {what}s {guesses[0]!r}, or pass "
                             f"{what}_column='NAME'.")
    return None


def check_distinct_columns(*, text: str | None, pair: str | None, label: str | None, source: str | None = None,
                           given: Collection[str] = ("text", "pair", "label")) -> None:
    """The text, pair and label columns (given or found) are different columns: one column read as two things
    (label_column='sentence': a class per sentence; pair_column='sentence': each text paired with itself) is refused.
    ``given``: the roles the caller named (the others were found from the column names); the message names how each
    of the two was chosen, in Python words (the CLI puts them as its options, `cli.cli_words`)."""
    roles = [(role, name) for role, name in (("text", text), ("pair", pair), ("label", label)) if name is not None]
    for i, (role, name) in enumerate(roles):
        other = next((r for r, n in roles[i + 1:] if n == name), None)
        if other is not None:
            where = f" of {source!r}" if source else ""
            how = {r: f"{r}_column={name!r}" if r in given else "found from the column names" for r in (role, other)}
            fixes = " or ".join(f"{r}_column='NAME' with the column of {ROLES[r]}" for r in (role, other))
            raise FaithlensError(f"The column {name!r}{where} is both the {role} column ({how[role]}) and the {other} "
                                 f"column ({how[other]}); each column is read once. Pass {fixes}"
                                 + "".join(f", or drop {r}_column to have that column found from the column names"
                                           for r in (role, other) if r in given) + ".")


def check_read_once(header: Sequence[str], keys: dict, *, source: str) -> None:
    """A column read (text, pair, label) is named once in the header: with two, a row's dict keeps the last."""
    for role, name in keys.items():
        if name is not None and header.count(name) > 1:
            at = " and ".join(str(i + 1) for i, c in enumerate(header) if c == name)
            raise FaithlensError(f"The header of {source!r} names the column {name!r} twice (columns {at}), and it "
                                 f"holds {ROLES[role]}, so which one to read is unclear. Rename or remove one of them.")


def warn_unread(columns: Sequence[str], info: dict, source: str, *, reader: str) -> None:
    """A column that is neither text, pair, a gold column (label, a QA file's answers) nor an id (`is_id`: id, index,
    pandas' unnamed index) is not read by a command that reads texts only (``reader``: explain, audit, a facade
    analysis): say so, in a CSV, TSV or JSON lines file alike, so that a pair's second text under another name
    (text_pair) is not dropped in silence. ``info``: the reader's text_column and pair_column; ``source`` names the
    file as messages do."""
    read = {info.get("text_column"), info.get("pair_column"), info.get("gold")}  # gold: the label column read
    gold = set(LABEL_COLUMNS) | {"answer", "answers"}
    unread = [c for c in columns if c not in read and str(c).strip().lower() not in gold and not is_id(c)]
    if unread:
        import warnings

        from .errors import FaithlensWarning

        what = (f"the pairs of the columns {info['text_column']!r} and {info['pair_column']!r}"
                if info.get("pair_column") else f"the single texts of the column {info.get('text_column')!r}")
        warnings.warn(f"{source} is read by columns: {reader} reads {what}; the column{'s' * (len(unread) > 1)} "
                      f"{', '.join(map(repr, unread))} {'are' if len(unread) > 1 else 'is'} not read. If one holds the "
                      "second text of each pair, pass pair_column='NAME' (and text_column='NAME' for the first).",
                      FaithlensWarning, stacklevel=4)


def tsv_options(content: str) -> dict:
    """csv.reader options of a TSV file's text: GLUE's way, no quoting (every field as written), unless its header is
    quoted field by field, as a CSV writer with QUOTE_ALL or QUOTE_NONNUMERIC writes it (pandas' to_csv(sep='\\t',
    quoting=...)): then quoted fields are read as CSV reads them (a quoted tab or line break stays in its text)."""
    first = next((line for line in content.split("\n") if line.strip()), "").rstrip("\r")
    return {"delimiter": "\t"} if first and all_quoted(first.split("\t")) else {"delimiter": "\t", "quoting": csv.QUOTE_NONE}


def all_quoted(fields: Sequence[str]) -> bool:
    """Whether every field is wrapped in double quotes, as a CSV writer quotes a header field by field."""
    return all(len(f) >= 2 and f[0] == f[-1] == '"' for f in fields)


def headerless_tsv_splitter(lines: Sequence[str]) -> Callable[[str], list[str]]:
    """How to split a line of a TSV without a header line into its fields, when a CSV writer (delimiter tab) may have
    written it: a line is read with CSV quoting only when writing the fields read back gives the line exactly, so
    only a writer's own shape is unquoted and a field keeps a tab or quote it quoted ('"a ""quoted"" film"',
    '"a<tab>b"'). QUOTE_ALL (every field quoted) counts when every non-blank line has that shape and there are two
    fields or more; otherwise a line must have QUOTE_MINIMAL's shape (a field quoted only when it holds a tab or a
    quote), so one text merely wrapped in quotes (GLUE's) reads as written. Any other line splits at its tabs. A field
    written over several lines (a text with a line break) is not joined: the file is one item per line."""
    filled = [line.rstrip("\r") for line in lines if line.strip()]
    read = {line: _csv_fields(line) for line in filled}
    quote_all = (sum(len(f or ()) for f in read.values()) >= 2
                 and all(f is not None and _csv_line(f, csv.QUOTE_ALL) == line for line, f in read.items()))

    def split(line: str) -> list[str]:
        fields = read.get(line) if line in read else _csv_fields(line)
        if fields is not None and '"' in line and (quote_all or _csv_line(fields, csv.QUOTE_MINIMAL) == line):
            return fields
        return line.split("\t")

    return split


def _csv_fields(line: str) -> list[str] | None:
    try:
        return next(csv.reader([line], delimiter="\t", strict=True), None)
    except csv.Error:
        return None


def _csv_line(fields: Sequence[str], quoting: int) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="", quoting=quoting).writerow(fields)
    return out.getvalue()


def csv_unquoted(field: str) -> str:
    """A TSV field as a CSV writer (Python's csv, pandas' to_csv) writes a text holding a quote: wrapped in quotes,
    each inner quote doubled. Only that shape is read unquoted; any other field (GLUE's texts, a quote at one end
    only, a lone inner quote) is read as it is."""
    inner = field[1:-1]
    if not all_quoted([field]) or '""' not in inner or '"' in inner.replace('""', ""):
        return field
    return inner.replace('""', '"')


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def check_swapped(rows: list, info: dict, source: str) -> None:
    """Texts that are all numbers beside gold labels that are not, or one-word texts beside phrase labels of more kinds
    (``text_column='label', label_column='sentence'``), are refused as swapped columns: read so, each sentence would be
    a class and each label explained as a text."""
    texts = [r[0] for r in rows]
    golds = [r[1] for r in rows if r[1] is not None]
    if not golds or not all(isinstance(t, str) for t in texts):
        return
    numbers = all(_NUMBER.fullmatch(t.strip()) for t in texts) and not all(
        isinstance(g, (int, float)) or _NUMBER.fullmatch(str(g).strip()) for g in golds)
    phrases = [g for g in golds if isinstance(g, str) and len(g.split()) > 1]
    words = (all(len(t.split()) == 1 for t in texts) and len(phrases) * 2 >= len(golds) and len(set(golds)) >= 3
             and len(set(golds)) > len(set(texts)))  # one-word "texts" beside phrase "labels", more kinds of them
    if not (numbers or words):
        return
    text, label = info.get("text_column"), info.get("label_column")
    raise FaithlensError(f"Every text of {source!r} (column {text!r}) is {'a number' if numbers else 'one word'}, while "
                         f"its gold labels (column {label!r}) are {'not' if numbers else 'phrases'}, e.g. "
                         f"{str(golds[0])[:60]!r}: the text and label columns look swapped. "
                         f"Pass text_column={label!r} and label_column={text!r}, or leave both out to have them found "
                         "by their names.")


def json_keys(records: Sequence[dict], choose, *, lines: Sequence[int]) -> tuple[list, dict]:
    """(columns, keys) of a JSON(L) file's objects: every key in the order first seen (objects need not all hold the
    same keys: a label first given on line 2 is still the label column, and a missing one is named by its line), then
    ``choose`` (`find_columns`). A refusal, such as two columns that could be the text, says so when the objects hold
    different keys (``lines``: each object's line, or its place in a .json list), since naming one column cannot fix
    objects that hold the other."""
    columns = list(dict.fromkeys(key for record in records for key in record))
    if not records:
        return columns, {"text": None, "pair": None, "label": None}
    try:
        return columns, choose(columns)
    except FaithlensError as exc:
        other = next((i for i, r in enumerate(records) if set(r) != set(records[0])), None)
        if other is None:
            raise
        raise FaithlensError(f"The objects of this file hold different keys: line {lines[0]} holds "
                             f"{', '.join(map(repr, records[0]))} and line {lines[other]} "
                             f"{', '.join(map(repr, records[other]))}. Give every object the same keys, its text under "
                             f"one name; naming one column cannot read objects that lack it. ({exc})") from None
