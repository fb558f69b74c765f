"""SQuAD as Hugging Face ``datasets`` writes it (``load_dataset("squad")["train"].to_json("train.jsonl")``): one JSON
object per line and question, ``{"id", "title", "context", "question", "answers": {"text": [...], "answer_start":
[...]}}``, read into SQuAD v1.1's nesting (one article per line) so `qa.read_squad` checks every question the same way.
"""

from __future__ import annotations

from pathlib import Path

from .errors import FaithlensError
from .json_files import jsonl_records

EXAMPLE = ('{"id": "1", "title": "t", "context": "Bob ran home.", "question": "Who ran?", '
           '"answers": {"text": ["Bob"], "answer_start": [0]}}')


def squad_from_rows(path: Path) -> dict:
    """The SQuAD v1.1 document ({"data": [articles]}) of a Hugging Face SQuAD JSON-lines file, one article per line
    (its title, its context, its one question). A line that is not such an object, or whose "answers" is not two lists
    of the same length, is a FaithlensError naming the line and the layout expected."""
    articles = []
    for line, record in jsonl_records(path, example=EXAMPLE):
        where = f"Line {line} of {str(path)!r}"
        if not isinstance(record, dict) or not {"context", "question", "answers"} <= set(record):
            got = f"keys {sorted(record)[:6]}" if isinstance(record, dict) else f"a JSON {type(record).__name__}"
            raise FaithlensError(f"{where} is no SQuAD question (got {got}): a SQuAD .jsonl line, as Hugging Face "
                                 f"datasets writes it, is {EXAMPLE}.")
        answers = record["answers"]
        if isinstance(answers, list):  # SQuAD's own answer list, one line per question
            listed = answers
        elif isinstance(answers, dict) and isinstance(answers.get("text"), list) \
                and isinstance(answers.get("answer_start"), list) and len(answers["text"]) == len(answers["answer_start"]):
            listed = [{"text": t, "answer_start": s} for t, s in zip(answers["text"], answers["answer_start"])]
        else:
            raise FaithlensError(f"{where}: \"answers\" must be {{\"text\": [...], \"answer_start\": [...]}} with one "
                                 f"answer_start per text (or a list of {{\"text\", \"answer_start\"}}). Got {answers!r:.80}.")
        question = {"question": record["question"], "answers": listed}
        if "id" in record:
            question["id"] = record["id"]
        articles.append({"title": str(record.get("title", f"line {line}")),
                         "paragraphs": [{"context": record["context"], "qas": [question]}]})
    return {"data": articles}
