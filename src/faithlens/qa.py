"""Extractive QA data and scoring: SQuAD v1.1 files, the official answer normalisation, EM and F1,
and span prediction over a context's overflow windows.

EM and F1 follow the official SQuAD v1.1 evaluation script (Rajpurkar et al. 2016): answers are
lower-cased, punctuation and the articles a/an/the removed and whitespace collapsed; a prediction
scores the maximum over the reference answers; F1 is over bag-of-tokens overlap.
"""

from __future__ import annotations

import collections
import random
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from .errors import FaithlensError, quoted
from .json_files import loads
from .squad_rows import squad_from_rows

MAX_ANSWER_TOKENS = 30


@dataclass(frozen=True)
class QAExample:
    id: str
    title: str  # the article
    question: str
    context: str
    answers: tuple[str, ...]  # every reference answer
    answer_start: int  # character offset of the first reference answer

    def __post_init__(self) -> None:
        """Each field of the type it is read as; a str of answers would be read letter by letter, so it is refused."""
        for name in ("id", "title", "question", "context"):
            if not isinstance(getattr(self, name), str):
                raise FaithlensError(f"QAExample({name}=...) must be a str. Got {type(getattr(self, name)).__name__}.")
        answers = self.answers
        if isinstance(answers, str) or not isinstance(answers, (tuple, list)) or not all(isinstance(a, str) for a in answers):
            fix = f"Wrap one answer in a list: answers=[{answers!r}]" if isinstance(answers, str) else "Pass answers=['...']"
            raise FaithlensError(f"QAExample(answers=...) is the list of reference answer texts. Got "
                                 f"{type(answers).__name__} {answers!r:.60}. {fix}.")
        object.__setattr__(self, "answers", tuple(answers))
        if isinstance(self.answer_start, bool) or not isinstance(self.answer_start, int):
            raise FaithlensError(f"QAExample(answer_start=...) is the first answer's character offset, an int. Got "
                                 f"{self.answer_start!r}.")


def check_examples(examples: object, name: str) -> list[QAExample]:
    """``examples`` of QA training (fine_tune_qa's train or test): QAExample objects, as read_squad returns them; a
    file path, a SQuAD dict or other objects are refused naming the reader. Returns them as a list."""
    if isinstance(examples, (str, bytes, dict)) or not hasattr(examples, "__iter__"):
        raise FaithlensError(f"The {name!r} examples of fine_tune_qa are QAExample objects. Got {type(examples).__name__}"
                             f" {examples!r:.60}. Read a SQuAD-format file with faithlens.qa.read_squad(path).")
    if isinstance(examples, (set, frozenset)):
        raise FaithlensError(f"The {name!r} examples of fine_tune_qa are a {type(examples).__name__}, which has no order, "
                             "so a seeded run could not be repeated. Pass a list, e.g. the one read_squad returns.")
    examples = list(examples)
    bad = [e for e in examples if not isinstance(e, QAExample)]
    if bad:
        raise FaithlensError(f"The {name!r} examples of fine_tune_qa are QAExample objects; one is "
                             f"{type(bad[0]).__name__} {bad[0]!r:.60}. Read a SQuAD-format file with "
                             "faithlens.qa.read_squad(path), or build faithlens.qa.QAExample(...) objects.")
    return examples


def trim_answer(context: str, start: int, end: int) -> tuple[int, int]:
    """The answer span ``context[start:end]`` without the whitespace around it.

    The one rule for an answer's surrounding whitespace, on every surface (an explained answer's text or
    character span from the CLI, the API and the web app; a SQuAD answer; the spans training labels): it is no
    part of the answer. The model scores spans of tokens and no token holds whitespace, so ``' Paris '`` and
    ``'Paris'`` are one answer (the official SQuAD evaluation drops the spaces too), and what is explained or
    trained on is named by the trimmed span. A span of whitespace only comes back empty (start == end)."""
    while start < end and context[start].isspace():
        start += 1
    while end > start and context[end - 1].isspace():
        end -= 1
    return start, end


def read_squad(path: str | Path) -> list[QAExample]:
    """Every question of a SQuAD v1.1-format JSON file, or of a .jsonl file of one question per line as Hugging Face
    ``datasets`` writes SQuAD (`squad_rows.squad_from_rows`), in file order.

    Each question is checked (:func:`check_question`) before any training: a non-empty context and
    question, at least one answer, and every answer a non-empty text found at its ``answer_start``
    in the context. A failure names the article, the question id and what to fix; nothing is trained
    on a label that points at the wrong characters. An answer with whitespace around it (at a right
    answer_start) is read without it, its answer_start moved past the leading whitespace (`trim_answer`).
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise FaithlensError(f"The SQuAD file {str(path)!r} does not exist. Pass a file in SQuAD v1.1 format.")
    if not path.is_file():
        raise FaithlensError(f"The SQuAD file {str(path)!r} is a folder; pass the .json file in SQuAD v1.1 format.")
    shape = ('Expected {"data": [{"title", "paragraphs": [{"context", "qas": [{"id", "question", '
             '"answers": [{"text", "answer_start"}]}]}]}]}.')
    try:
        data = (squad_from_rows(path) if path.suffix.lower() == ".jsonl"  # Hugging Face datasets' layout
                else loads(path.read_text(encoding="utf-8-sig"), where=repr(str(path))))
    except UnicodeDecodeError as exc:
        raise FaithlensError(f"{str(path)!r} is not UTF-8 text ({exc}). Re-save it as UTF-8.") from None
    except ValueError as exc:
        raise FaithlensError(f"{str(path)!r} is not valid JSON ({exc}). {shape} A file of one question per line "
                             "(Hugging Face datasets' SQuAD layout) is read when it is named .jsonl.") from None
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        got = f"a JSON {type(data).__name__}" if not isinstance(data, dict) else f"an object with keys {sorted(data)[:5]}"
        raise FaithlensError(f"The SQuAD file {str(path)!r} must be a JSON object whose \"data\" is a list of articles. "
                             f"Got {got}. {shape}")
    out = [check_question(title, qid, context, qa.get("question"), qa.get("answers"), path)
           for title, qid, context, qa in squad_questions(data, path)]
    if not out:
        raise FaithlensError(f"{str(path)!r} holds no questions.")
    return out


def squad_questions(data: dict, path: Path):
    """(title, question id, context, question object) for each question of a SQuAD document whose "data" is a list,
    checking the nesting on the way: each article an object with a list of "paragraphs", each paragraph an object with
    a list of "qas", each question an object. A wrong nesting names the article (and paragraph) and what was expected.
    Shared by `read_squad` (training) and `faithlens.data` (evaluation data).

    A question without an "id" is named by its number in the file ('#3'). An id given to two questions is refused,
    naming both places: errors, and the official SQuAD evaluation (predictions keyed by id), name questions by id."""
    n = 0
    seen: dict[str, str] = {}  # id -> where it was first given
    for a, article in enumerate(data["data"]):
        if not isinstance(article, dict):
            raise FaithlensError(f"{str(path)!r}: article {a} is a {_json_type(article)} ({article!r:.40}); expected an "
                                 'object {"title": ..., "paragraphs": [...]}.')
        title = str(article.get("title", f"article {a}"))
        paragraphs = article.get("paragraphs")
        if not isinstance(paragraphs, list):
            raise FaithlensError(f"{str(path)!r}, article {title!r}: \"paragraphs\" is "
                                 f"{'missing' if paragraphs is None else 'a JSON ' + _json_type(paragraphs)}; expected a "
                                 'list of paragraphs, each {"context": ..., "qas": [...]}.')
        for p, paragraph in enumerate(paragraphs):
            where = f"{str(path)!r}, article {title!r}, paragraph {p}"
            if not isinstance(paragraph, dict):
                raise FaithlensError(f"{where} is a JSON {_json_type(paragraph)}; expected an object "
                                     '{"context": ..., "qas": [...]}.')
            qas = paragraph.get("qas")
            if not isinstance(qas, list):
                raise FaithlensError(f"{where}: \"qas\" is {'missing' if qas is None else 'a JSON ' + _json_type(qas)}; "
                                     'expected a list of questions, each {"id": ..., "question": ..., "answers": [...]}.')
            for q, qa in enumerate(qas):
                if not isinstance(qa, dict):
                    raise FaithlensError(f"{where}, question {q} is a JSON {_json_type(qa)}; expected an object "
                                         '{"id": ..., "question": ..., "answers": [...]}.')
                qid = f"#{n}" if qa.get("id") is None else str(qa["id"])
                here = f"article {title!r}, paragraph {p}, question {q}"
                if qid in seen:
                    raise FaithlensError(f"{str(path)!r}: the question id {qid!r} is given twice ({seen[qid]} and {here}); "
                                         "SQuAD ids name one question each (errors and the SQuAD evaluation, which keys "
                                         "predictions by id, would mix them up). Give each question its own \"id\".")
                seen[qid] = here
                yield title, qid, paragraph.get("context"), qa
                n += 1


def _json_type(value: object) -> str:
    """The JSON name of a parsed value's type (object, array, string, number, true/false, null)."""
    names = {dict: "object", list: "array", str: "string", bool: "true/false", int: "number", float: "number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def check_question(title: str, qid: str, context: object, question: object, answers: object, path: Path) -> QAExample:
    """One SQuAD question checked and made a :class:`QAExample`; errors name the file, article and question id."""
    where = f"{str(path)!r}, article {title!r}, question {qid!r}"
    if context is None:
        raise FaithlensError(f"{where}: its paragraph has no \"context\" (missing or null). Every paragraph needs the "
                             'text its questions are answered from: "context": "...".')
    if not isinstance(context, str) or not context.strip():
        raise FaithlensError(f"{where}: the context is {'empty' if isinstance(context, str) else type(context).__name__}. "
                             "Every paragraph needs the text its questions are answered from.")
    if question is None:
        raise FaithlensError(f"{where} has no \"question\" key (or it is null). Give each question its text, e.g. "
                             '"question": "Who wrote the book?", next to "id" and "answers".')
    if not isinstance(question, str) or not question.strip():
        raise FaithlensError(f"{where}: the question is {'empty' if isinstance(question, str) else _json_type(question)}. "
                             'Give each question its text, e.g. "question": "Who wrote the book?".')
    if not isinstance(answers, list) or not answers:
        raise FaithlensError(f"{where}: {'no answers' if answers in (None, []) else 'answers is not a list'}. Extractive "
                             'QA trains on the answer span: give "answers": [{"text": ..., "answer_start": ...}] '
                             "(SQuAD v2's unanswerable questions are not supported), or drop the question.")
    spans = []  # (start, end) of each answer in the context, without the whitespace around it
    for k, answer in enumerate(answers):
        text, start = (answer.get("text"), answer.get("answer_start")) if isinstance(answer, dict) else (None, None)
        if not isinstance(answer, dict):
            raise FaithlensError(f"{where}: answer {k} is a JSON {_json_type(answer)}; expected an object "
                                 '{"text": ..., "answer_start": ...}.')
        if text is not None and not isinstance(text, str):
            raise FaithlensError(f"{where}: answer {k} has text {quoted(text, 40)}, a JSON {_json_type(text)}; the answer's "
                                 'text must be a string, the answer as it reads in the context (e.g. "text": "Paris").')
        if not isinstance(text, str) or not text.strip():
            raise FaithlensError(f"{where}: answer {k} has {'an empty' if isinstance(text, str) else 'no'} text.")
        if "answer_start" not in answer:
            raise FaithlensError(f"{where}: answer {k} {quoted(text)} has no \"answer_start\" key. Give the character offset "
                                 f"where the answer starts in the context, e.g. \"answer_start\": {max(context.find(text), 0)}.")
        if isinstance(start, bool) or not isinstance(start, int):
            raise FaithlensError(f"{where}: answer {k} {quoted(text)} has answer_start {quoted(start)}, which is not an integer: "
                                 "answer_start is the character offset where the answer starts in the context "
                                 f"(e.g. {max(context.find(text), 0)}).")
        if not 0 <= start <= len(context) - len(text):
            raise FaithlensError(f"{where}: answer {k} {quoted(text)} has answer_start {quoted(start)}, outside the context "
                                 f"(0..{len(context) - len(text)} for an answer of {len(text)} characters).")
        if context[start:start + len(text)] != text:
            found = context.find(text)
            if text != text.strip() and context[start:start + len(text.strip())] == text.strip():
                raise FaithlensError(f"{where}: answer {k} {quoted(text)} has surrounding spaces; the context at answer_start "
                                     f"{start} reads {quoted(text.strip())}. Strip the spaces from the answer's text (answer_start "
                                     "is right for the text without them).")
            fix = ("Fix answer_start (a character offset)" if found >= 0 else
                   "Fix the answer's text (it must be copied from the context) or the context; answer_start is its "
                   "character offset there")
            hint = f"; the text occurs at {found}" if found >= 0 else "; the text does not occur in the context at all"
            raise FaithlensError(f"{where}: answer {k} {quoted(text)} is not at answer_start {start} (the context there reads "
                                 f"{quoted(context[start:start + len(text)])}{hint}). {fix}.")
        spans.append(trim_answer(context, start, start + len(text)))
    return QAExample(id=qid, title=title, question=question.strip(), context=context,
                     answers=tuple(context[a:b] for a, b in spans), answer_start=spans[0][0])


def split_by_article(examples: Sequence[QAExample], *, test_fraction: float, seed: int = 0, source: str | None = None
                     ) -> tuple[list[QAExample], list[QAExample]]:
    """(train, test): whole articles go to one side, a seeded shuffle of titles, ~test_fraction of questions held out
    (`faithlens.data.group_holdout`, so `faithlens.data.holdout` on the same file gives the same split)."""
    from .splits import group_holdout

    held = group_holdout([e.title for e in examples], test_fraction, seed, source=source)
    return [e for e in examples if e.title not in held], [e for e in examples if e.title in held]


# --- the official normalisation, EM and F1 -----------------------------------------------------------

def normalize_answer(s: str) -> str:
    """Lower case, punctuation and articles (a, an, the) removed, whitespace collapsed (SQuAD v1.1)."""
    s = s.lower()
    s = "".join(ch for ch in s if ch not in set(string.punctuation))
    s = re.sub(r"\b(a|an|the)\b", " ", s)
    return " ".join(s.split())


def exact_match(prediction: str, truth: str) -> float:
    return float(normalize_answer(prediction) == normalize_answer(truth))


def f1(prediction: str, truth: str) -> float:
    pred, gold = normalize_answer(prediction).split(), normalize_answer(truth).split()
    common = collections.Counter(pred) & collections.Counter(gold)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(gold)
    return 2 * precision * recall / (precision + recall)


def squad_scores(predictions: Sequence[str], answers: Sequence[Sequence[str]]) -> dict:
    """EM and F1 in percent, each the maximum over an example's reference answers, averaged."""
    if len(predictions) != len(answers) or not predictions:
        raise FaithlensError(f"Need one prediction per example. Got {len(predictions)} predictions and {len(answers)} examples.")
    em = [max(exact_match(p, t) for t in truths) if truths else 0.0 for p, truths in zip(predictions, answers)]
    f = [max(f1(p, t) for t in truths) if truths else 0.0 for p, truths in zip(predictions, answers)]
    return {"exact_match": 100 * sum(em) / len(em), "f1": 100 * sum(f) / len(f), "n": len(em)}


# --- features and prediction ---------------------------------------------------------------------------

DEFAULT_STRIDE = 128  # tokens of overlap between a long context's windows (Hugging Face's QA recipe)


def check_windows(tokenizer, examples: Sequence[QAExample], *, max_length: int, stride: int | None,
                  positions: int | None = None) -> None:
    """Each window holds the question, the specials, the ``stride`` overlap and at least one new context token;
    else the tokenizer stops the process (a panic in its Rust code), so this is checked first. One check for the
    stride against max_length too (a stride ≥ max_length never leaves room), since only the questions' lengths say
    which settings work.

    The refusal names the longest question and suggests settings that pass this check for every question and fit
    the base model's ``positions`` (when given): a larger max_length, a smaller stride, or both. ``stride`` None:
    the caller did not set it (`DEFAULT_STRIDE`), and the refusal says so rather than blame a stride never given.
    Python words (``max_length=64``, ``stride=8``): the CLI puts them as --max-length and --stride (`cli.cli_words`)."""
    if not examples:
        return
    default = stride is None
    stride = DEFAULT_STRIDE if default else stride
    specials = tokenizer.num_special_tokens_to_add(pair=True)
    lengths = [len(ids) for ids in tokenizer([e.question for e in examples], add_special_tokens=False)["input_ids"]]
    worst = max(range(len(examples)), key=lengths.__getitem__)  # the least room: what works for it works for all
    e, n = examples[worst], lengths[worst]
    room = max_length - n - specials
    named = f"the default stride={stride} (not given: a long context's windows overlap by {stride} tokens)" \
        if default else f"the stride={stride}"
    head = f"{named[:1].upper()}{named[1:]} must be smaller than max_length={max_length}. " \
        if stride >= max_length else ""
    most = None if positions is None else positions - n - specials  # context room in the longest window the model takes
    if positions is not None and max_length > positions:  # named here so the suggestion fits the stride too
        fix = (f"Pass max_length={positions}" if most > stride else
               f"Pass max_length={positions} and stride={most // 2}" if most >= 2 else "Shorten the question")
        raise FaithlensError(f"{head}max_length={max_length} is longer than the base model's {positions} positions. "
                             f"{fix}.")
    if room > stride:
        return
    needed = n + specials + stride + 1  # the question, the specials, the overlap and one new context token
    fixes = []
    if positions is None or needed <= positions:
        fixes.append(f"raise max_length to at least {needed}")
    if room >= 2:
        fixes.append(f"lower the stride below {room} (e.g. stride={room // 2})")
    if not fixes and most is not None and most >= 2:
        fixes.append(f"pass max_length={positions} and stride={most // 2} (the base model has {positions} positions)")
    small = max(1, min(stride - 1, max_length // 4))  # a stride that leaves the window room for new context
    if default and room < 2 and not any("stride=" in f for f in fixes) and (
            positions is None or n + specials + small + 1 <= positions):  # the stride never given: a smaller one
        fixes.append(f"pass a smaller stride with it (max_length={max(max_length, n + specials + small + 1)} "
                     f"and stride={small})")
    fixes.append("shorten the question" if fixes or positions is None else
                 f"shorten the question: the base model's {positions} positions leave no room for its context beside it")
    raise FaithlensError(f"{head}Question {e.id!r} (article {e.title!r}) is {n} tokens: with {specials} special tokens a "
                         f"window of max_length={max_length} leaves {max(room, 0)} context tokens, not more than "
                         f"{'the default stride ' if default else 'the stride '}{stride}. {_either(fixes)}.")


def _either(choices: list[str]) -> str:
    """'A, b, or c' (a sentence offering alternatives), 'A' for one."""
    text = choices[0] if len(choices) == 1 else f"{', '.join(choices[:-1])}, or {choices[-1]}"
    return text[:1].upper() + text[1:]


def features(tokenizer, examples: Sequence[QAExample], *, max_length: int = 384, stride: int = DEFAULT_STRIDE):
    """Overflow windows of every example with start/end token labels ([CLS] = 0 when a window lacks the answer).

    Returns the tokenizer's batch (input_ids, attention_mask, [token_type_ids], offset_mapping,
    overflow_to_sample_mapping) plus ``start_positions`` and ``end_positions``.
    """
    check_windows(tokenizer, examples, max_length=max_length, stride=stride)
    enc = tokenizer([e.question for e in examples], [e.context for e in examples], truncation="only_second",
                    max_length=max_length, stride=stride, return_overflowing_tokens=True, return_offsets_mapping=True,
                    padding="max_length")
    starts, ends = [], []
    for i, offsets in enumerate(enc["offset_mapping"]):
        ex = examples[enc["overflow_to_sample_mapping"][i]]
        seq = enc.sequence_ids(i)
        a, b = trim_answer(ex.context, ex.answer_start, ex.answer_start + len(ex.answers[0])) if ex.answers else (-1, -1)
        ctx = [t for t, s in enumerate(seq) if s == 1]
        if a < 0 or not ctx or offsets[ctx[0]][0] > a or offsets[ctx[-1]][1] < b:
            starts.append(0)
            ends.append(0)
            continue
        starts.append(next(t for t in ctx if offsets[t][1] > a))
        ends.append(next(t for t in reversed(ctx) if offsets[t][0] < b))
    enc["start_positions"] = starts
    enc["end_positions"] = ends
    return enc


@torch.no_grad()
def predict_answers(model: torch.nn.Module, tokenizer, examples: Sequence[QAExample], *, max_length: int = 384,
                    stride: int = DEFAULT_STRIDE, batch_size: int = 32) -> list[str]:
    """The best span of each example over all its windows: max z^start_i + z^end_j, i ≤ j < i + 30, in the context."""
    check_windows(tokenizer, examples, max_length=max_length, stride=stride)
    model.eval()
    best: dict[int, tuple[float, str]] = {}
    for start in range(0, len(examples), batch_size):
        chunk = list(examples[start:start + batch_size])
        enc = tokenizer([e.question for e in chunk], [e.context for e in chunk], truncation="only_second",
                        max_length=max_length, stride=stride, return_overflowing_tokens=True, return_offsets_mapping=True,
                        padding=True, return_tensors="pt")
        item_of = enc.pop("overflow_to_sample_mapping").tolist()
        offsets = enc.pop("offset_mapping")
        out = model(**{k: v for k, v in enc.items() if k in ("input_ids", "attention_mask", "token_type_ids")})
        for r, i in enumerate(item_of):
            ctx = torch.tensor([s == 1 for s in enc.sequence_ids(r)])
            s_logits = out.start_logits[r].masked_fill(~ctx, float("-inf"))
            e_logits = out.end_logits[r].masked_fill(~ctx, float("-inf"))
            L = len(s_logits)
            pair = s_logits[:, None] + e_logits[None, :]
            idx = torch.arange(L)
            band = (idx[None] >= idx[:, None]) & (idx[None] - idx[:, None] < MAX_ANSWER_TOKENS)
            pair = pair.masked_fill(~band, float("-inf"))
            flat = int(pair.argmax())
            s, e = flat // L, flat % L
            score = float(pair.flatten()[flat])
            text = chunk[i].context[int(offsets[r, s, 0]):int(offsets[r, e, 1])]
            key = start + i
            if key not in best or score > best[key][0]:
                best[key] = (score, text)
    return [best[i][1] if i in best else "" for i in range(len(examples))]
