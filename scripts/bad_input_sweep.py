"""A bad-input sweep (issue 10): inputs a new user or a tester would try, across the command line, the Python
API, data files, runs on disk, saved explanations and the web app, each with the outcome it must have.

    python3 scripts/bad_input_sweep.py [--out results/bad_inputs.md]

Every case expects either a clear error ("error": exit status 2 with one `faithlens: error:` line, a
FaithlensError, or a 4xx/5xx JSON answer with an `error` message) or a run ("ok", with a check of what
it produced where a wrong value could hide). It counts:

- traceback: an exception other than FaithlensError escaped, or a traceback was printed;
- silent-wrong: the case ran where an error was due, or ran and produced a wrong value;
- misleading: a clear error, but not the one the case is about (its message lacks the expected words).

The real default model explains; tiny models built in code stand in for the other tasks. Exit status 1
when any case is a traceback, silent-wrong or misleading. Runs in a few minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))  # the tiny models built in code

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import torch  # noqa: E402

import faithlens  # noqa: E402
from faithlens.cli import main  # noqa: E402
from faithlens.errors import FaithlensError  # noqa: E402

TEXT = "a hideous, confusing spectacle"


@dataclass
class Case:
    kind: str
    name: str
    run: Callable[[], object]
    expect: str  # "error" or "ok"
    words: str = ""  # the error must say this (case-insensitive); for "ok", a check's description
    check: Callable[[object], bool] | None = None


@dataclass
class Outcome:
    case: Case
    status: str  # clear-error, handled, traceback, silent-wrong, misleading
    detail: str
    seconds: float


# --- how a case is run ------------------------------------------------------------------------------

class CliResult:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err


def cli(*argv: str, stdin: str | None = None) -> CliResult:
    """`faithlens ARGV` in this process: exit status, stdout, stderr (argparse's own errors exit 2 too)."""
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(argv))
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        sys.stdin = old_stdin
    return CliResult(int(code or 0), out.getvalue(), err.getvalue())


def judge(case: Case) -> Outcome:
    t0 = time.perf_counter()
    try:
        result = case.run()
    except FaithlensError as exc:
        return _error(case, str(exc), t0)
    except Exception as exc:  # noqa: BLE001 - a traceback is exactly what the sweep looks for
        return Outcome(case, "traceback", f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}",
                       time.perf_counter() - t0)
    if isinstance(result, CliResult):
        if "Traceback (most recent call last)" in result.err:
            return Outcome(case, "traceback", result.err[-800:], time.perf_counter() - t0)
        if result.code != 0:
            said = [line for line in result.err.splitlines() if "error:" in line]  # faithlens's, or argparse's own
            message = result.err.strip().replace("\n", " ") if said else f"exit {result.code}, no message"
            return _error(case, message, t0, clear=bool(said))
    if isinstance(result, dict) and "status" in result and result["status"] >= 400:  # a web answer
        return _error(case, f"{result['status']}: {result.get('error', '')}", t0, clear=bool(result.get("error")))
    seconds = time.perf_counter() - t0
    if case.expect == "error":
        return Outcome(case, "silent-wrong", f"ran: {_short(result)}", seconds)
    if case.check is not None and not case.check(result):
        return Outcome(case, "silent-wrong", f"ran, but the check failed ({case.words}): {_short(result)}", seconds)
    return Outcome(case, "handled", _short(result), seconds)


def _error(case: Case, message: str, t0: float, *, clear: bool = True) -> Outcome:
    seconds = time.perf_counter() - t0
    if case.expect == "ok":
        return Outcome(case, "silent-wrong", f"refused what should run: {message}", seconds)
    if not clear:
        return Outcome(case, "misleading", message, seconds)
    if case.words and case.words.lower() not in message.lower():
        return Outcome(case, "misleading", f"expected {case.words!r} in: {message}", seconds)
    return Outcome(case, "clear-error", message, seconds)


def _short(result) -> str:
    if isinstance(result, CliResult):
        text = (result.out or result.err).strip().splitlines()
        return f"exit {result.code}: {text[0][:160] if text else ''}"
    if isinstance(result, faithlens.Explanation):
        return f"explanation of {result.text[:40]!r}, {len(result.tokens)} tokens, warnings {list(result.warnings)[:1]}"
    if isinstance(result, list) and result and isinstance(result[0], faithlens.Explanation):
        return f"{len(result)} explanations"
    return repr(result)[:200]


# --- the cases ----------------------------------------------------------------------------------------

def cases(work: Path, explainer) -> list[Case]:
    from tiny import tiny

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731

    # kind 1: models ---------------------------------------------------------------------------------
    good = work / "model"
    m = tiny("bert")
    m.model.save_pretrained(good)
    m.tokenizer.save_pretrained(good)

    def variant(name, edit):
        folder = work / name
        shutil.copytree(good, folder)
        edit(folder)
        return str(folder)

    no_tok = variant("no-tokenizer", lambda f: [p.unlink() for p in f.iterdir() if "token" in p.name or "vocab" in p.name])
    trunc = variant("truncated", lambda f: (f / "model.safetensors").write_bytes((f / "model.safetensors").read_bytes()[:999]))
    empty = variant("empty-weights", lambda f: (f / "model.safetensors").write_bytes(b""))
    no_w = variant("no-weights", lambda f: (f / "model.safetensors").unlink())
    bad_cfg = variant("bad-config", lambda f: (f / "config.json").write_text("{ not json"))
    no_cfg = variant("no-config", lambda f: (f / "config.json").unlink())
    foreign_tok = variant("foreign-tokenizer", lambda f: _foreign_tokenizer(f))
    a_file = work / "weights.bin"
    a_file.write_bytes(b"x")
    for name, path, words in [
        ("typo folder ./typo-folder", "./typo-folder", "no such folder"),
        ("typo folder models/sst2/final", "models/sst2/final", "no such folder"),
        ("a file, not a folder", str(a_file), "is a file"),
        ("folder without config.json", no_cfg, "no config.json"),
        ("config.json but no weights", no_w, "no weights"),
        ("0-byte model.safetensors", empty, "empty (0 bytes)"),
        ("truncated model.safetensors", trunc, "damaged or incomplete"),
        ("no tokenizer files", no_tok, "no tokenizer files"),
        ("tokenizer of another model", foreign_tok, "unknown tokens only"),
        ("corrupt config.json", bad_cfg, "could not load"),
        ("hub id while offline", "no-such-org/no-such-model-xyz", "--model PATH"),
        ("empty model name", "", "model name is empty"),
    ]:
        add("1 models", name, lambda p=path: cli("explain", TEXT, "--model", p, "--method", "occlusion"), "error", words)
    add("1 models", "a good saved folder", lambda: cli("explain", TEXT, "--model", str(good), "--method", "occlusion", "--json"),
        "ok", "one JSON line", lambda r: r.code == 0 and len(r.out.splitlines()) == 1)
    add("1 models", "API: Explainer on a truncated folder", lambda: faithlens.Explainer(trunc), "error", "damaged")
    add("1 models", "API: load_model on a file", lambda: faithlens.load_model(str(a_file)), "error", "is a file")

    # kind 2: options ---------------------------------------------------------------------------------
    for argv, words in [
        (("--steps", "10000000"), "must be an int in [1, 10,000]"),
        (("--steps", "0"), "must be an int in [1, 10,000]"),
        (("--steps", "-1"), "must be an int in [1, 10,000]"),
        (("--steps", "abc"), "expected a positive int or 'auto'"),
        (("--steps", "2.5"), "expected a positive int or 'auto'"),
        (("--method", "smoothgrad", "--samples", "10000000"), "'n_samples' parameter"),
        (("--method", "smoothgrad", "--samples", "0"), "'n_samples' parameter"),
        (("--method", "smoothgrad", "--seed", "99999999999999999999"), "'seed' parameter"),
        (("--method", "smoothgrad", "--seed", "-3"), "'seed' parameter"),
        (("--batch-size", "0"), "'batch_size' parameter"),
        (("--batch-size", "-1"), "'batch_size' parameter"),
        (("--method", "ig", "--mode", "bogus"), "Unknown SIG mode"),
        (("--method", "ig", "--mode", "forward"), "does nothing for ig"),
        (("--method", "ig", "--unit", "word"), "does nothing for ig"),
        (("--method", "occlusion", "--steps", "20"), "does nothing for occlusion"),
        (("--method", "grad_x_input", "--samples", "5"), "does nothing for grad_x_input"),
        (("--method", "sig", "--mode", "closed", "--steps", "20"), "with mode='closed'"),
        (("--unit", "sentence"), "Unknown unit"),
        (("--rule", "simpson"), "Unknown quadrature rule"),
        (("--baseline", "blank"), "Unknown baseline"),
        (("--baseline-token", "notaword123"), "not in the vocabulary"),
        (("--score", "odds"), "Unknown score"),
        (("--target", "5"), "out of range"),
        (("--target", "-1"), "out of range"),
        (("--target", "neutral"), "Unknown target"),
        (("--dtype", "float16"), "Unknown dtype"),
        (("--method", "lime"), "Unknown method"),
        (("--tolerance", "2"), "tolerance"),
        (("--tolerance", "-1"), "tolerance"),
        (("--method", "occlusion", "--tolerance", "0.001"), "tolerance"),
        (("--target", "1", "--answer", "x"), "Pass one of --target, --answer"),
        (("--per-token",), "per_token"),
        (("--max-new-tokens", "0"), "'max_new_tokens' parameter"),
    ]:
        add("2 options", "explain " + " ".join(argv), lambda a=argv: cli("explain", TEXT, *a), "error", words)
    add("2 options", "--threads 0", lambda: cli("--threads", "0", "explain", TEXT), "error", "--threads must be a positive int")
    add("2 options", "serve --port 99999", lambda: cli("serve", "--port", "99999"), "error", "port")
    add("2 options", "serve --port -1", lambda: cli("serve", "--port", "-1"), "error", "port")
    add("2 options", "--device cuda on a CPU machine", lambda: cli("--device", "cuda", "explain", TEXT), "error", "no CUDA")
    add("2 options", "--device for train-default", lambda: cli("--device", "cpu", "train-default"), "error", "--device works with")
    add("2 options", "steps read by one of the methods", lambda: cli("explain", TEXT, "--method", "ig", "occlusion", "--steps", "8",
                                                                     "--json"), "ok", "two JSON lines",
        lambda r: r.code == 0 and len(r.out.splitlines()) == 2)
    add("2 options", "API: mode='forward' with ig is a warning",
        lambda: explainer.explain(TEXT, "ig", steps=8, mode="forward"), "ok", "an 'Ignored' warning",
        lambda e: any(w.startswith("Ignored: mode='forward'") for w in e.warnings))
    add("2 options", "API: max_new_tokens on a classifier is a warning",
        lambda: explainer.explain(TEXT, "occlusion", max_new_tokens=5), "ok", "an 'Ignored' warning",
        lambda e: any("max_new_tokens=5 does nothing" in w for w in e.warnings))
    add("2 options", "API: steps='auto' on sig", lambda: explainer.explain(TEXT, "sig", steps="auto"), "ok", "nodes reported",
        lambda e: e.nodes is not None and len(e.nodes) == len(e.deltas))
    for kwargs, words in [({"steps": 10**7}, "must be an int"), ({"n_samples": 10**7}, "n_samples"),
                          ({"seed": 10**20}, "seed"), ({"memory_budget": -5}, "memory budget"),
                          ({"batch_size": True}, "must be an int"), ({"rows_per_chunk": 0}, "rows_per_chunk"),
                          ({"noise": -1.0}, "noise"), ({"tolerance": float("nan")}, "tolerance")]:
        add("2 options", f"API: {kwargs}", lambda k=kwargs: explainer.explain(TEXT, "smoothgrad" if "n_samples" in k or "noise" in k
                                                                               or "seed" in k else "sig", **k), "error", words)

    # kind 3: text -----------------------------------------------------------------------------------
    for text, words in [("", "empty"), ("   ", "empty"), ("\u200b\u200b\u200b", "empty"), ("\ufeff", "empty"),
                        ("\u00ad", "empty"), ("\u2060\u200d", "empty"), ("\t\n", "empty")]:
        add("3 text", f"text {text!r}", lambda t=text: explainer.explain(t, "occlusion"), "error", words)
    for item, words in [(None, "must be a str"), (3, "must be a str"), (2.5, "must be a str"), (b"good", "must be a str"),
                        ("good \ud800 film", "lone surrogate"), (("a", "b", "c"), "must be a pair"),
                        (("premise", ""), "empty")]:
        add("3 text", f"API item {item!r}", lambda i=item: explainer.explain([i], "occlusion"), "error", words)
    add("3 text", "API: no texts at all", lambda: explainer.explain([], "occlusion"), "error", "no text")
    for target, words in [(1.5, "Got float"), (b"x", "Got bytes"), (True, "bool"), ([0, 1], "2 targets for 1 texts"),
                          (object(), "Got object")]:
        add("3 text", f"API target {target!r}", lambda t=target: explainer.explain([TEXT], "occlusion", target=t), "error", words)
    specials = lambda e: any("special-token string" in w for w in e.warnings) and e.special.count(True) == 2  # noqa: E731
    for text in ("premise [SEP] hypothesis", "good [MASK] film", "[CLS] fine [PAD]", "<s>odd</s> [UNK]"):
        add("3 text", f"literal specials {text!r}", lambda t=text: explainer.explain(t, "occlusion"), "ok",
            "read as text, with a warning", specials if "[" in text else None)
    add("3 text", "ESC and BEL in the text", lambda: cli("explain", "good \x1b[31mfilm\x07", "--method", "occlusion"), "ok",
        "no raw control characters in the output", lambda r: r.code == 0 and "\x1b[31m" not in r.out and "\x07" not in r.out)
    add("3 text", "emoji and right-to-left text", lambda: explainer.explain("great 🎬 فيلم רע", "occlusion"), "ok",
        "every word mapped", lambda e: all(e.text[w.start:w.end] == w.word for w in e.words))
    add("3 text", "combining characters", lambda: explainer.explain("café naïve e\u0301", "occlusion"), "ok",
        "every word mapped", lambda e: all(e.text[w.start:w.end] == w.word for w in e.words))
    long = " ".join(["good"] * 700)
    add("3 text", "700-word text without --truncate", lambda: cli("explain", long, "--method", "occlusion"), "error", "--truncate")
    add("3 text", "700-word text with --truncate", lambda: explainer.explain(long, "occlusion", truncate=True), "ok",
        "truncated and said so", lambda e: e.truncated and any("truncated" in w for w in e.warnings))
    for sep in ("\u2028", "\v", "\f", "\x85", "\u2029"):
        path = work / f"texts-{ord(sep)}.txt"
        path.write_text(f"good{sep}film\nbad movie\n", encoding="utf-8")
        add("3 text", f"--file with {sep!r} inside a line", lambda p=path: cli("explain", "--file", str(p), "--method",
                                                                               "occlusion", "--json"),
            "ok", "two texts (split on newlines only)", lambda r: r.code == 0 and len(r.out.splitlines()) == 2)
    crlf = work / "crlf.txt"
    crlf.write_bytes(b"good film\r\nbad movie\r\n")
    add("3 text", "--file with CRLF line ends", lambda: cli("explain", "--file", str(crlf), "--method", "occlusion", "--json"),
        "ok", "texts without \\r", lambda r: r.code == 0 and all(not json.loads(x)["text"].endswith("\r") for x in r.out.splitlines()))
    utf16 = work / "utf16.txt"
    utf16.write_text("good film\n", encoding="utf-16")
    add("3 text", "--file in UTF-16", lambda: cli("explain", "--file", str(utf16)), "error", "not UTF-8")
    binary = work / "blob.txt"
    binary.write_bytes(bytes(range(256)))
    add("3 text", "--file that is binary", lambda: cli("explain", "--file", str(binary)), "error", "not UTF-8")
    add("3 text", "--file that is missing", lambda: cli("explain", "--file", str(work / "nope.txt")), "error", "does not exist")
    add("3 text", "--file that is a folder", lambda: cli("explain", "--file", str(work)), "error", "not a file")
    add("3 text", "empty standard input", lambda: cli("explain", "-", stdin=""), "error", "No text to explain")
    add("3 text", "texts and pairs mixed", lambda: cli("explain", "good", "--pair", "a", "b"), "error", "both single texts and pairs")
    bpe = faithlens.Explainer(tiny("roberta", dtype=torch.float64))
    add("3 text", "extra spaces on a byte-level BPE model", lambda: bpe.explain("good   film  ", "occlusion"), "ok",
        "no empty words; every token's score in a word",
        lambda e: all(w.word for w in e.words) and abs(sum(w.score for w in e.words) - sum(e.token_scores)) < 1e-9)

    # kind 4: data files -----------------------------------------------------------------------------
    def data_file(name, text, binary=False):
        path = work / name
        path.write_bytes(text) if binary else path.write_text(text, encoding="utf-8")
        return str(path)

    for name, content, words in [
        ("comma.csv", 'text,label\n"fine",1\na slow, dull film,0\n', "Line 3"),
        ("missing.csv", "text,label\ngood,1\nbad\n", "Line 3"),
        ("extra.csv", "text,label\ngood,1,2\n", "Line 2"),
        ("blank-text.csv", "text,label\n ,1\n", "empty"),
        ("some-labels.csv", "text,label\ngood,1\nbad,\n", "no label, but other lines do"),
        ("bad-label.csv", "text,label\ngood,1.5\n", "label"),
        ("mixed-labels.csv", "text,label\ngood,1\nbad,neg\n", "mixes a numeric label"),
        ("nocol.csv", "words,y\ngood,1\n", "Could not find a text column"),
        ("empty.csv", "", "holds no examples"),
        ("header-only.csv", "text,label\n", "holds no examples"),
        ("bad.jsonl", '{"text": "a", "label": 1}\n{oops\n', "Line 2"),
        ("list-line.jsonl", '["a", 1]\n', "must be a JSON object"),
        ("no-text.jsonl", '{"text": 3}\n', "no text"),
        ("bad.json", '{"rows": 1}', "list of JSON objects"),
        ("bad-squad.json", '{"data": [{"paragraphs": [{"qas": []}]}]}', "SQuAD"),
        ("imdb.txt", "x a film\n", "<label> <text>"),
        ("tabs.tsv", "sentence\tlabel\ngood\tfilm\t1\n", "Line 2"),
        ("sheet.xlsx", "PK", "spreadsheet"),
        ("table.parquet", "PAR1", "Parquet"),
        ("data.dat", "x", "Unknown data format"),
    ]:
        path = data_file(name, content)
        add("4 data", name, lambda p=path: cli("evaluate", "--data", p, "--methods", "occlusion", "--limit", "2", "--quiet"),
            "error", words)
    add("4 data", "missing data file", lambda: cli("evaluate", "--data", str(work / "none.csv"), "--methods", "occlusion"),
        "error", "does not exist")
    add("4 data", "rotten_tomatoes bad split", lambda: cli("evaluate", "--split", "dev", "--methods", "occlusion"), "error",
        "Unknown rotten_tomatoes split")
    quoted = data_file("quoted.csv", 'text,label\n"a slow, dull film",0\n"fine, fun",1\n')
    add("4 data", "quoted commas kept", lambda: faithlens_data().read_file(quoted), "ok", "whole texts",
        lambda d: d.texts == ("a slow, dull film", "fine, fun"))
    bom = data_file("bom.csv", "\ufefftext,label\r\ngood,1\r\n".encode(), binary=True)
    add("4 data", "BOM and CRLF in a CSV", lambda: faithlens_data().read_file(bom), "ok", "clean header and text",
        lambda d: d.texts == ("good",) and d.labels == (1,))
    named = data_file("named.jsonl", '{"premise": "a", "hypothesis": "b", "label": "neutral"}\n'
                                     '{"premise": "c", "hypothesis": "d", "label": "entailment"}\n')
    add("4 data", "pairs with named labels", lambda: faithlens_data().read_file(named), "ok", "pairs, labels by name",
        lambda d: d.is_pairs and d.label_names == ("entailment", "neutral") and d.labels == (1, 0))

    # kind 5: runs on disk -----------------------------------------------------------------------------
    model_arg = ["--model", str(good)]
    tsv = data_file("five.tsv", "sentence\tlabel\n" + "".join(f"{t}\t{i % 2}\n" for i, t in enumerate(
        ["a good film", "a dull and slow film", "fun", "the acting was great", "bad", "a fine story"])))
    run_args = lambda out, *more: ("evaluate", *model_arg, "--data", tsv, "--methods", "grad_x_input", "--quiet",  # noqa: E731
                                   "--no-curves", "--out", str(out), *more)
    add("5 runs", "explain --html into a missing folder", lambda: cli("explain", *model_arg, "good", "--method", "occlusion",
        "--html", str(work / "no-such-dir" / "x.html")), "ok", "the folder is created and the page written",
        lambda r: r.code == 0 and (work / "no-such-dir" / "x.html").stat().st_size > 0)
    add("5 runs", "explain --html under a file", lambda: cli("explain", *model_arg, "good", "--method", "occlusion",
        "--html", str(a_file / "x.html")), "error", "file")
    add("5 runs", "explain --html naming a folder", lambda: cli("explain", *model_arg, "good", "--method", "occlusion",
        "--html", str(work)), "error", "folder")
    add("5 runs", "evaluate --out naming a file", lambda: cli(*run_args(a_file)), "error", "file")
    add("5 runs", "audit --markdown into a missing folder", lambda: cli("audit", *model_arg, "--data", tsv, "--limit", "2",
        "--steps", "2", "--markdown", str(work / "none" / "a.md")), "ok", "the folder is created and the report written",
        lambda r: r.code in (0, 1) and (work / "none" / "a.md").stat().st_size > 0)
    add("5 runs", "audit --json under a file", lambda: cli("audit", *model_arg, "--data", tsv, "--limit", "2",
        "--json", str(a_file / "a.json")), "error", "file")

    def corrupt_then_resume():
        out = work / "run-corrupt"
        first = cli(*run_args(out))
        lines = (out / "records.jsonl").read_text().splitlines()
        lines[2] = lines[2][: len(lines[2]) // 2]  # a damaged line in the middle
        (out / "records.jsonl").write_text("\n".join(lines) + "\n")
        again = cli(*run_args(out))
        return first, again, out

    add("5 runs", "a damaged line in the middle of records.jsonl", corrupt_then_resume, "ok",
        "the line set aside and recomputed, every other record kept",
        lambda r: r[1].code == 0 and (r[2] / "records.rejected.jsonl").exists()
        and len((r[2] / "records.jsonl").read_text().splitlines()) == 6)

    def second_run_on_a_held_folder():
        from faithlens.files import FolderLock

        out = work / "run-locked"
        out.mkdir()
        lock = FolderLock(out).acquire()
        try:
            return cli(*run_args(out))
        finally:
            lock.release()

    add("5 runs", "a second run on a folder another run holds", second_run_on_a_held_folder, "error", "another")

    def typo_then_fixed():
        out = work / "run-typo"
        bad = cli(*run_args(out, "--methods", "sig:mode=bogus"))
        good_run = cli(*run_args(out))
        return bad, good_run

    add("5 runs", "sig:mode=bogus, then the corrected command on the same --out", typo_then_fixed, "ok",
        "the typo is refused and the folder stays usable", lambda r: r[0].code == 2 and r[1].code == 0)

    def changed_data_same_name():
        out = work / "run-changed"
        path = work / "changing.tsv"
        path.write_text("sentence\tlabel\na good film\t1\nbad\t0\n")
        cli("evaluate", *model_arg, "--data", str(path), "--methods", "grad_x_input", "--quiet", "--out", str(out))
        path.write_text("sentence\tlabel\na great film\t1\nbad\t0\n")  # same name, one text changed
        return cli("evaluate", *model_arg, "--data", str(path), "--methods", "grad_x_input", "--quiet", "--out", str(out))

    add("5 runs", "resume after the data file changed under the same name", changed_data_same_name, "error", "changed")

    def changed_settings():
        out = work / "run-settings"
        cli(*run_args(out))
        return cli(*run_args(out, "--topk", "0.5"))

    add("5 runs", "resume with other settings", changed_settings, "error", "topk")

    def short_texts_k0():
        out = work / "run-k0"
        cli(*run_args(out))
        return json.loads((out / "results.json").read_text())

    add("5 runs", "texts too short for top-20 % (k = 0)", short_texts_k0, "ok", "counted apart in k_zero, not averaged",
        lambda r: r["rows"][0]["k_zero"] >= 2 and r["rows"][0]["log_odds"]["n"] == 6 - r["rows"][0]["k_zero"])

    # kind 6: long work --------------------------------------------------------------------------------
    long_tsv = data_file("long.tsv", "sentence\tlabel\n" + " ".join(["word"] * 700) + "\t1\nshort\t0\n")
    add("6 long work", "evaluate a text longer than the model's limit", lambda: cli(
        "evaluate", *model_arg, "--data", long_tsv, "--methods", "grad_x_input", "--quiet"), "error", "--truncate")

    def truncated_run():
        out = work / "run-truncate"
        code = cli("evaluate", *model_arg, "--data", long_tsv, "--methods", "grad_x_input", "--quiet", "--truncate",
                   "--no-curves", "--out", str(out)).code
        records = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]
        return code, records, (out / "table.md").read_text()

    add("6 long work", "evaluate --truncate on a long text", truncated_run, "ok",
        "the record says truncated and the table counts it",
        lambda r: r[0] == 0 and sum(rec["truncated"] for rec in r[1]) == 1 and "truncat" in r[2].lower())
    longer = " ".join(["a long and winding review of a film"] * 12)
    add("6 long work", "a large explanation announces its cost", lambda: _stderr_of(lambda: _announce(explainer, longer)),
        "ok", "the expected passes printed", lambda err: "needs about" in err and "model passes" in err)

    # kind 7: the web app --------------------------------------------------------------------------------
    from faithlens.views.app import Limits, create_app

    app = create_app(explainer, limits=Limits()).test_client()
    host = {"Host": "127.0.0.1:8765"}

    def api(method="GET", query=None, body=None, headers=None):
        h = dict(host, **(headers or {}))
        if method == "GET":
            r = app.get("/api/explain", query_string=query or {}, headers=h)
        else:
            r = app.post("/api/explain", data=body if isinstance(body, (str, bytes)) else json.dumps(body),
                         content_type=h.pop("Content-Type", "application/json"), headers=h)
        try:
            payload = r.get_json(silent=True)
        except Exception:  # noqa: BLE001
            payload = None
        if r.status_code >= 400:
            return {"status": r.status_code, "error": (payload or {}).get("error") if isinstance(payload, dict) else None}
        return {"ok": r.status_code, "json": payload}

    for name, kwargs, words in [
        ("empty text", {"query": {"text": ""}}, "empty"),
        ("200 lines", {"query": {"text": "\n".join(["good"] * 200)}}, "Too many texts"),
        ("6000 characters", {"query": {"text": "good " * 1200}}, "too long"),
        ("steps=10000000", {"query": {"text": "good", "steps": "10000000"}}, "steps"),
        ("steps=abc", {"query": {"text": "good", "steps": "abc"}}, "steps"),
        ("samples=10000000", {"query": {"text": "good", "method": "smoothgrad", "samples": "10000000"}}, "samples"),
        ("6 methods", {"query": {"text": "good", "method": ["sig", "ig", "occlusion", "saliency", "deeplift", "grad_x_input"]}},
         "Too many methods"),
        ("unknown method", {"query": {"text": "good", "method": "lime"}}, "Unknown method"),
        ("unknown parameter", {"query": {"text": "good", "stepz": "5"}}, "Unknown parameter"),
        ("mode with ig only", {"query": {"text": "good", "method": "ig", "mode": "forward"}}, "does nothing for ig"),
        ("bad mode", {"query": {"text": "good", "mode": "bogus"}}, "Unknown mode"),
        ("foreign Host header", {"query": {"text": "good"}, "headers": {"Host": "evil.example"}}, "Refused"),
        ("foreign Origin header", {"query": {"text": "good"}, "headers": {"Origin": "http://evil.example"}}, "Refused"),
        ("POST: not JSON", {"method": "POST", "body": "{oops"}, "JSON"),
        ("POST: a JSON list", {"method": "POST", "body": [1, 2]}, "must be an object"),
        ("POST: text is a number", {"method": "POST", "body": {"text": 5}}, "must be text"),
        ("POST: text null", {"method": "POST", "body": {"text": None}}, "must be text"),
        ("POST: 300 KiB body", {"method": "POST", "body": {"text": "good " * 60000}}, "too large"),
        ("POST: target a float", {"method": "POST", "body": {"text": "good", "target": 1.5}}, "target"),
        ("too long for the model", {"query": {"text": " ".join(["good"] * 700)}}, "truncate"),
    ]:
        add("7 web app", name, lambda k=kwargs: api(**k), "error", words)
    add("7 web app", "POST JSON long text (no 414)", lambda: api("POST", body={"text": "good film, " * 40, "method": ["occlusion"]}),
        "ok", "answered", lambda r: r.get("ok") == 200 and len(r["json"]) == 1)
    add("7 web app", "truncate option", lambda: api(query={"text": " ".join(["good"] * 700), "method": "grad_x_input",
                                                           "truncate": "true"}),
        "ok", "truncated", lambda r: r.get("ok") == 200 and r["json"][0]["truncated"])
    add("7 web app", "U+2028 inside a line", lambda: api(query={"text": "good\u2028film\nbad", "method": "occlusion"}), "ok",
        "two texts", lambda r: r.get("ok") == 200 and len(r["json"]) == 2)

    # kind 8: provenance and saved explanations -----------------------------------------------------------
    e = explainer.explain(TEXT, "occlusion")
    add("8 provenance", "--json records the resolved model", lambda: cli("explain", TEXT, "--method", "occlusion", "--json"), "ok",
        "source folder and weights' SHA-256", lambda r: (lambda d: Path(d["provenance"]["source"]).is_dir()
                                                         and len(d["provenance"]["weights_sha256"]) == 64)(json.loads(r.out)))
    for name, text, words in [("not JSON", "{ nope", "not valid JSON"), ("a JSON list", "[1]", "JSON object"),
                              ("schema 99", json.dumps(dict(e.to_dict(), schema=99)), "schema version 99"),
                              ("missing keys", json.dumps({"schema": 2, "text": "a"}), "missing keys"),
                              ("unexpected key", json.dumps(dict(e.to_dict(), bogus=1)), "unexpected keys"),
                              ("words not a list of objects", json.dumps(dict(e.to_dict(), words=[1])), "wrong shape")]:
        add("8 provenance", f"from_json: {name}", lambda t=text: faithlens.Explanation.from_json(t), "error", words)
    add("8 provenance", "from_json: a round trip", lambda: faithlens.Explanation.from_json(e.to_json()), "ok", "equal",
        lambda back: back == e)
    return out


def faithlens_data():
    from faithlens import data

    return data


def _announce(explainer, text):
    """The cost line of a large explanation, without doing the work (the sweep must stay short)."""
    from faithlens.explainer import announce_cost
    from faithlens.methods import Options

    prep = explainer._prepare([text], [None], faithlens_baseline(explainer), explainer.model.task.score("logit"), False,
                              None, None)
    announce_cost("sig", Options(steps=400, mode="reverse"), prep.batch)


def faithlens_baseline(explainer):
    from faithlens.baselines import resolve_baseline

    return resolve_baseline(explainer.model)


def _stderr_of(fn) -> str:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        fn()
    return err.getvalue()


def _foreign_tokenizer(folder: Path) -> None:
    data = json.loads((folder / "tokenizer.json").read_text())
    data["model"]["vocab"] = {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "[PAD]": 3, "[MASK]": 4}
    (folder / "tokenizer.json").write_text(json.dumps(data))


# --- main ------------------------------------------------------------------------------------------------

def main_sweep() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bad_inputs.md")
    parser.add_argument("--kinds", nargs="+", default=None, help="only these kinds, by number (e.g. 5 6)")
    opts = parser.parse_args()
    torch.set_num_threads(1)
    import faithlens.explainer  # noqa: F401 - loaded now, so its load_model can be the cached one
    import faithlens.model as model_module

    real = model_module.load_model
    cache = {}

    def load_once(name=None, **kwargs):  # the default model loads once for the whole sweep
        if name in (None, "default"):
            if "default" not in cache:
                cache["default"] = real(None, **kwargs)
            return cache["default"]
        return real(name, **kwargs)

    for module in ("faithlens.model", "faithlens.explainer"):
        setattr(sys.modules[module], "load_model", load_once)
    explainer = faithlens.Explainer(load_once(None))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="faithlens-sweep-") as tmp:
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            chosen = [c for c in cases(Path(tmp), explainer) if opts.kinds is None or c.kind.split()[0] in opts.kinds]
            results = [judge(c) for c in chosen]
        finally:
            os.chdir(cwd)
    counts = {s: sum(r.status == s for r in results) for s in ("clear-error", "handled", "traceback", "silent-wrong", "misleading")}
    lines = [f"# Bad-input sweep: {len(results)} inputs", "",
             f"`python3 scripts/bad_input_sweep.py` ({time.perf_counter() - started:.0f} s). "
             + ", ".join(f"{k}: {v}" for k, v in counts.items()) + ".", "",
             "| kind | input | expected | outcome | what faithlens said or did |", "|---|---|---|---|---|"]
    for r in results:
        detail = r.detail.replace("|", "\\|").replace("\n", " ")[:220]
        lines.append(f"| {r.case.kind} | {r.case.name.replace('|', '/')} | {r.case.expect} | {r.status} | {detail} |")
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    opts.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    bad = [r for r in results if r.status in ("traceback", "silent-wrong", "misleading")]
    for r in bad:
        print(f"{r.status}: [{r.case.kind}] {r.case.name}: {r.detail[:600]}", file=sys.stderr)
    print(f"{len(results)} inputs: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + f"; table in {opts.out}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main_sweep())
