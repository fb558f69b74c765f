"""A bad-input sweep (issues 10 and 22): inputs a new user or a tester would try, across the command line, the
Python API, data files, runs on disk, saved explanations and the web app (kinds 1-8), and the surfaces added with
pairs, QA, causal LMs and training (kinds 9-17: pair files, SQuAD training data, training and facade options,
argument parsing and options of another task, the API's types, label names that are numbers, JSON round trips,
values that overflow, paths), plus what an independent breaker found afterwards (issue 22, D3-D15: NumPy 0-d arrays,
JSON field types, duplicate label names, a tolerance of 0, SQuAD offsets that are not ints, text after --method, options
before the command, --file -, --target on other tasks, label columns) and what a second breaker found (F1-F15: --out
checked before training, a column or a digit label name read two ways, evaluate's --split and gold labels, a lone \\r in
--file, JSON lists of texts and pairs, DataFrames, max_new_tokens on a classifier, QA answers off token boundaries or
occurring twice, --random without the check, messages in CLI words, values from_json must refuse) and what a third
breaker found (G1-G19: compare() given several texts or no methods, contrast= as a NumPy/torch int, memoryview texts,
yes/no parameters given a str, NumPy/torch reals for numeric ones, an option given twice or given an empty value, SNLI
label names in the model's order, 'index:'/'label:' as class names or --target prefixes in any case, a --max-length
with no room for a text, messages in CLI words, from_json fields that contradict each other, an empty QA answer) and a
fourth (I1-I7: the web app's JSON values read by the API's rules, --baseline with --baseline-token, a dotted folder
given for a file, a QA model's single texts on audit, evaluate and the web app, --subset and --max-length of QA
training; H1-H5: faithfulness on a causal LM whose continuation is longer than its prompt, digit targets written
another way such as '01' or a full-width '１', a pair's empty second text, from_json probs, special scores, text_pair
and schema types that contradict the rest, an empty out_dir / out from Python) and a fifth (J1-J5: from_json numbers
past the float range, --truncate on a causal LM, a SQuAD file given to train without --task qa, SQuAD nesting and answer
texts, Explainer() given a non-name; K1-K4: a web request without "model", a QA span target and pair strings in the web
app, target messages that misquote the label; L1: normalised word scores of words of several tokens) and a seventh
(A1-A7: evaluate's --steps that no chosen method reads, a --max-chars that removes every text, records of k = 0
examples, audit's --token-class, training labels that are numbers or leave a class empty, SQuAD ids and keys) and a
ninth (N9: headers of other corpora in --file, label names in two cases, digit gold labels against digit label names,
a QA model's number context, a web field with its plural, query strings that are not UTF-8, inputs unlike a model's
training in evaluate and audit), filed under the kinds they belong to; each case with the outcome it must have.

    python3 scripts/bad_input_sweep.py [--out results/bad_inputs.md]

Every case expects either a clear error ("error": exit status 2 with one `faithlens: error:` line, a
FaithlensError, or a 4xx/5xx JSON answer with an `error` message) or a run ("ok", with a check of what
it produced where a wrong value could hide). It counts:

- traceback: an exception other than FaithlensError escaped, or a traceback was printed;
- silent-wrong: the case ran where an error was due, or ran and produced a wrong value;
- misleading: a clear error, but not the one the case is about (its message lacks the expected words).

The real default model explains; tiny models built in code stand in for the other tasks. Exit status 1
when any case is a traceback, silent-wrong or misleading. Runs in a few minutes on 2 cores (`--kinds 9 10` runs some kinds only).
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
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - a traceback (or a library's panic) is what the sweep looks for
        return Outcome(case, "traceback", f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}",
                       time.perf_counter() - t0)
    ran = result[0] if isinstance(result, _first_of) else result  # a command and what its check reads besides
    if isinstance(ran, CliResult):
        if "Traceback (most recent call last)" in ran.err:
            return Outcome(case, "traceback", ran.err[-800:], time.perf_counter() - t0)
        if ran.code != 0:
            said = [line for line in ran.err.splitlines() if "error:" in line]  # faithlens's, or argparse's own
            message = ran.err.strip().replace("\n", " ") if said else f"exit {ran.code}, no message"
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
    if isinstance(result, _first_of):
        result = result[0]
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
        ("empty model name", "", "--model was given an empty value"),  # G19: one CLI rule
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
        (("--method", "smoothgrad", "--seed", "99999999999999999999"), "argument --seed: expected an int in [0, 4,294,967,295]"),
        (("--method", "smoothgrad", "--seed", "-3"), "argument --seed: expected an int in [0, 4,294,967,295]"),
        (("--batch-size", "0"), "'batch_size' parameter"),
        (("--batch-size", "-1"), "'batch_size' parameter"),
        (("--method", "ig", "--mode", "bogus"), "Unknown SIG mode"),
        (("--method", "ig", "--mode", "forward"), "does nothing for ig"),
        (("--method", "ig", "--unit", "word"), "does nothing for ig"),
        (("--method", "occlusion", "--steps", "20"), "does nothing for occlusion"),
        (("--method", "grad_x_input", "--samples", "5"), "does nothing for grad_x_input"),
        (("--method", "sig", "--mode", "closed", "--steps", "20"), "--steps 20 does nothing for sig with --mode closed"),  # G13
        (("--unit", "sentence"), "Unknown unit"),
        (("--rule", "simpson"), "Unknown quadrature rule"),
        (("--baseline", "blank"), "Unknown baseline"),
        (("--baseline-token", "notaword123"), "not in the vocabulary"),
        (("--score", "odds"), "Unknown score"),
        (("--target", "5"), "out of range"),
        (("--target", "-1"), "never a class index (indices are 0..1)"),
        (("--target", "neutral"), "Unknown target"),
        (("--dtype", "float16"), "Unknown dtype"),
        (("--method", "limes"), "'limes' is not a method; did you mean 'lime'?"),
        (("--tolerance", "2"), "tolerance"),
        (("--tolerance", "-1"), "tolerance"),
        (("--method", "occlusion", "--tolerance", "0.001"), "tolerance"),
        (("--target", "1", "--answer", "x"), "Pass one of --target, --answer"),
        (("--per-token",), "--per-token attributes"),
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
    add("2 options", "API: max_new_tokens on a classifier is refused, as on the CLI",
        lambda: explainer.explain(TEXT, "occlusion", max_new_tokens=5), "error", "Drop max_new_tokens")
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
    for target, words in [(1.5, "Got float"), (b"x", "Got bytes"), (True, "bool"), ([0, 1], "2 targets for 1 text"),
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
                                   "--no-curves", "--no-random", "--out", str(out), *more)  # one record per text
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
                   "--no-curves", "--no-random", "--out", str(out)).code
        records = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]
        return code, records, (out / "table.md").read_text()

    add("6 long work", "evaluate --truncate on a long text", truncated_run, "ok",
        "the record says truncated and the table counts it",
        lambda r: r[0] == 0 and sum(rec["truncated"] for rec in r[1]) == 1 and "truncat" in r[2].lower())
    longer = " ".join(["a long and winding review of a film"] * 12)
    add("6 long work", "a large explanation announces its cost", lambda: _stderr_of(lambda: _announce(explainer, longer)),
        "ok", "the expected passes printed", lambda err: "needs about" in err and "model passes" in err)

    # kind 7: the web app --------------------------------------------------------------------------------
    from faithlens.app import Limits, create_app

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
        ("unknown method", {"query": {"text": "good", "method": "limes"}}, "Unknown method"),
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
    def estimate(body):  # /api/estimate refuses what /api/explain refuses (this stop's own finding)
        r = app.post("/api/estimate", data=json.dumps(body), content_type="application/json", headers=host)
        payload = r.get_json(silent=True) or {}
        return {"status": r.status_code, "error": payload.get("error")} if r.status_code >= 400 else {"ok": r.status_code}

    for name, target, words in [("index 7", 7, "out of range"), ("empty", "", "Unknown target ''"),
                                ("'3'", "3", "out of range"), ("a span on a classifier", [0, 1], "QA model's answer")]:
        add("7 web app", f"estimate: target {name}", lambda t=target: estimate({"text": "good", "method": "ig", "target": t}),
            "error", words)
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
    return out + surface_cases(work, explainer, good, a_file)


# --- issue 22: the surfaces added with pairs, QA, causal LMs and training -----------------------------------

def surface_cases(work: Path, explainer, good: Path, a_file: Path) -> list[Case]:
    """Kinds 9-17: pair files, SQuAD training data, training options, argument parsing and task options, the
    Python API's types, label names that are numbers, JSON round trips, values that overflow, paths."""
    import numpy as np

    from tiny import tiny

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731

    def folder(name, kind, labels=None, **kw):
        m = tiny(kind, **kw)
        if labels is not None:
            m.model.config.id2label = dict(enumerate(labels))
            m.model.config.label2id = {v: i for i, v in enumerate(labels)}
        path = work / name
        m.model.save_pretrained(path)
        m.tokenizer.save_pretrained(path)
        return str(path)

    def write(name, text, encoding="utf-8"):
        path = work / name
        path.write_text(text, encoding=encoding)
        return str(path)

    qa_dir, lm_dir = folder("m-qa", "bert_qa"), folder("m-lm", "gpt2_lm")
    ml_dir = folder("m-ml", "bert", num_labels=3, problem_type="multi_label_classification")
    swapped_dir, agree_dir = folder("m-swapped", "bert", ["1", "0"]), folder("m-agree", "bert", ["0", "1"])
    tiny_dir = str(good)
    ok_json = lambda n: lambda r: r.code == 0 and len(r.out.splitlines()) == n and all(json.loads(x) for x in r.out.splitlines())  # noqa: E731
    first = lambda r: json.loads(r.out.splitlines()[0])  # noqa: E731

    # kind 9: files of pairs (explain --file, standard input) ------------------------------------------------
    k = "9 pair files"
    for name, text, words in [
        ("a gold-label column", "a man sleeps\ta person rests\n two dogs run\tanimals move\tentailment\n", "Line 2 of --file"),
        ("SNLI-style 4 columns", "a man sleeps\ta person rests\tneutral\t1\n", "holds 3 tabs"),
        # a tab header of column names (premise<tab>hypothesis, sentence<tab>label) is read by columns: ua_file_followup_cases
        ("every second column a number", "good film\t1\nbad film\t0\nfun\t1\n", "looks like gold labels"),
        ("second column of floats", "good film\t0.9\nbad film\t0.1\n", "looks like gold labels"),
        ("a trailing tab", "good film\t\n", "empty second text"),
        ("a leading tab", "\tgood film\n", "empty first text"),
        ("a pair line among single lines", "good film\na man sleeps\ta person rests\n", "both single texts and pairs"),
    ]:
        path = write(f"pairs-{len(out)}.txt", text)
        add(k, f"--file: {name}", lambda p=path: cli("explain", "--model", tiny_dir, "--file", p, "--method", "occlusion"),
            "error", words)
    blank = write("blank-tabs.txt", "good film\n\t\t\nfun\n")
    add(k, "a line of tabs only is blank", lambda: cli("explain", "--model", tiny_dir, "--file", blank, "--method", "occlusion",
                                                       "--json"), "ok", "two texts", ok_json(2))
    add(k, "standard input with a label column", lambda: cli("explain", "--model", tiny_dir, "-", "--method", "occlusion",
                                                            stdin="a man sleeps\ta person rests\tneutral\n"),
        "error", "Line 1 of standard input")
    crlf_pairs = work / "crlf-pairs.txt"
    crlf_pairs.write_bytes(b"a man sleeps\ta person rests\r\ntwo dogs run\tanimals move\r\n")
    add(k, "CRLF pairs", lambda: cli("explain", "--model", tiny_dir, "--file", str(crlf_pairs), "--method", "occlusion",
                                     "--json"), "ok", "two pairs, no \\r in the second text",
        lambda r: ok_json(2)(r) and all(not json.loads(x)["text_pair"].endswith("\r") for x in r.out.splitlines()))
    mixed = write("mixed-numbers.txt", "good film\tfun\nbad film\t3\n")
    add(k, "a number as one second text among words (a gold label left on one line)", lambda: cli(
        "explain", "--model", tiny_dir, "--file", mixed, "--method", "occlusion", "--json"), "error",
        "Line 2 of --file")
    later = write("header-later.txt", "a man sleeps\ta person rests\npremise\thypothesis\n")
    add(k, "header words on a later line are a text", lambda: cli("explain", "--model", tiny_dir, "--file", later, "--method",
                                                                 "occlusion", "--json"), "ok", "two pairs", ok_json(2))
    qa_pairs = write("qa-pairs.txt", "Who wrote it?\tAnn wrote the book in Paris.\n")
    add(k, "QA questions and contexts from a file", lambda: cli("explain", "--model", qa_dir, "--file", qa_pairs, "--method",
                                                               "occlusion", "--json"), "ok", "the context is text_pair",
        lambda r: ok_json(1)(r) and first(r)["text_pair"] == "Ann wrote the book in Paris." and first(r)["task"] == "qa")
    add(k, "pairs for a causal LM", lambda: cli("explain", "--model", lm_dir, "--file", qa_pairs, "--method", "occlusion"),
        "error", "single prompts, not pairs")
    add(k, "single lines for a QA model", lambda: cli("explain", "--model", qa_dir, "good film", "--method", "occlusion"),
        "error", "(question, context) pairs")

    # kind 10: SQuAD training data ---------------------------------------------------------------------------
    k = "10 squad"
    context = "Ann wrote the book in Paris in 1901."

    def squad(name, qa_fields=None, ctx=context, raw=None):
        qa = {"id": "q1", "question": "Who wrote the book?", "answers": [{"text": "Ann", "answer_start": 0}]}
        qa.update(qa_fields or {})
        qa = {key: v for key, v in qa.items() if v is not ...}
        body = raw if raw is not None else json.dumps({"data": [{"title": "Books", "paragraphs": [
            {"context": ctx, "qas": [qa]}]}]})
        return write(f"squad-{name}.json", body)

    train_qa = lambda path, *more: cli("train", "--task", "qa", "--train", path, "--base", qa_dir, "--max-length", "48",  # noqa: E731
                                       "--stride", "16", "--out", str(work / f"qa-out-{Path(path).stem}"), *more)
    for name, fields, ctx, words in [
        ("start-past-context", {"answers": [{"text": "Ann", "answer_start": 400}]}, context, "answer_start 400, outside"),
        ("start-negative", {"answers": [{"text": "Ann", "answer_start": -3}]}, context, "outside the context"),
        ("start-elsewhere", {"answers": [{"text": "Paris", "answer_start": 3}]}, context, "the text occurs at 22"),
        ("text-not-in-context", {"answers": [{"text": "Rome", "answer_start": 0}]}, context, "does not occur in the context"),
        ("start-a-string", {"answers": [{"text": "Ann", "answer_start": "0"}]}, context, "answer_start '0'"),
        ("start-missing", {"answers": [{"text": "Ann"}]}, context, "has no \"answer_start\" key"),
        ("empty-answer-text", {"answers": [{"text": "", "answer_start": 0}]}, context, "empty text"),
        ("answers-empty", {"answers": []}, context, "no answers"),
        ("answers-missing", {"answers": ...}, context, "no answers"),
        ("answers-a-string", {"answers": "Ann"}, context, "answers is not a list"),
        ("second-answer-wrong", {"answers": [{"text": "Ann", "answer_start": 0}, {"text": "Paris", "answer_start": 0}]},
         context, "answer 1 'Paris'"),
        ("empty-context", {}, "   ", "the context is empty"),
        ("context-a-number", {}, 7, "the context is int"),
        ("empty-question", {"question": " "}, context, "the question is empty"),
    ]:
        path = squad(name, fields, ctx)
        add(k, f"train --task qa: {name}", lambda p=path: train_qa(p), "error", words)
    add(k, "train --task qa: not JSON", lambda: train_qa(squad("not-json", raw="{oops")), "error", "not valid JSON")
    add(k, "train --task qa: a list at the top", lambda: train_qa(squad("list", raw="[1, 2]")), "error", 'must be a JSON object whose "data" is a list of articles. Got a JSON list')  # G15
    add(k, "train --task qa: UTF-16", lambda: train_qa(write("squad-utf16.json", '{"data": []}', encoding="utf-16")), "error",
        "not UTF-8")
    add(k, "train --task qa: no questions", lambda: train_qa(squad("none", raw='{"data": []}')), "error", "holds no questions")
    add(k, "train --task qa: a folder", lambda: train_qa(str(work)), "error", "is a folder")
    good_squad = squad("good")
    add(k, "train --task qa: --test with a wrong answer_start", lambda: train_qa(
        good_squad, "--test", squad("bad-test", {"answers": [{"text": "Ann", "answer_start": 5}]})), "error", "answer_start 5")
    add(k, "train --task qa: a question longer than the window", lambda: train_qa(
        squad("long-q", {"question": " ".join(["which"] * 40) + "?"})), "error", "Raise --max-length")

    def qa_api_bad():
        from faithlens.qa import QAExample
        from faithlens.training import fine_tune_qa

        return fine_tune_qa(base_model=qa_dir, train=[QAExample("q1", "Books", "Who?", context, ("Ann",), 9)], test=[],
                            out_dir=work / "qa-api-out")

    add(k, "fine_tune_qa: an example whose answer_start is off", qa_api_bad, "error", "is not at answer_start 9")
    add(k, "train --task qa on a good file", lambda: _first_of(train_qa(good_squad, "--epochs", "1"), work / "qa-out-squad-good"),
        "ok", "a QA model folder written", lambda r: r[0].code == 0 and (r[1] / "config.json").exists())

    # kind 11: training options ------------------------------------------------------------------------------
    k = "11 training options"
    tsv = write("train.tsv", "sentence\tlabel\n" + "".join(f"{t}\t{i % 2}\n" for i, t in enumerate(
        ["a good film", "a dull film", "fun", "great acting", "bad", "a fine story", "slow", "lovely"])))
    train_cls = lambda *more: cli("train", "--train", tsv, "--base", tiny_dir, "--out", str(work / "cls-out"), *more)  # noqa: E731
    for argv, words in [
        (("--subset", "0"), "--subset must be a positive int"), (("--subset", "-2"), "--subset must be a positive int"),
        (("--max-length", "0"), "--max-length must be a positive int"), (("--max-length", "-8"), "--max-length must be"),
        (("--max-length", "100000"), "at most 4096"), (("--max-length", "600"), "longer than the base model's 64 positions"),
        (("--epochs", "0"), "--epochs must be a positive int"), (("--epochs", "-1"), "--epochs must be a positive int"),
        (("--batch-size", "0"), "--batch-size must be a positive int"), (("--lr", "0"), "--lr must be a number in (0, 1)"),
        (("--lr", "5"), "--lr must be a number in (0, 1)"), (("--lr", "nan"), "--lr must be"), (("--lr=-1e-4",), "--lr must be"),
        (("--stride", "64"), "does nothing with --task classification"),
        (("--holdout", "0"), "argument --holdout: expected a fraction"), (("--holdout", "1"), "argument --holdout: expected a fraction"),
        (("--holdout", "0.2", "--test", tsv), "either --test or --holdout"),
        (("--labels", "only"), "The --labels option must list at least two distinct names"),
        (("--subset", "1"), "at least two classes"), (("--holdout", "0.9"), "at least two classes"),
    ]:
        add(k, "train " + " ".join(argv), lambda a=argv: train_cls(*a), "error", words)
    for argv, words in [
        (("--stride", "384"), "must be smaller than --max-length 384."),
        (("--max-length", "64", "--stride", "64"), "must be smaller than --max-length 64."),
        (("--max-length", "32", "--stride", "100"), "must be smaller than --max-length 32."),
        (("--stride", "-1"), "must be an int ≥ 0"),
        (("--labels", "a", "b"), "--task qa reads SQuAD files"),
        (("--text-column", "q"), "--task qa reads SQuAD files"),
    ]:
        add(k, "train --task qa " + " ".join(argv), lambda a=argv: cli("train", "--task", "qa", "--train", good_squad,
                                                                        "--out", str(work / "qa-x"), *a), "error", words)

    def api_fine_tune(**kw):
        from faithlens.training import fine_tune

        args = dict(base_model=tiny_dir, train=(["good", "bad"], [1, 0]), validation=([], []), test=([], []),
                    out_dir=work / "api-ft", label_names=["negative", "positive"])
        return fine_tune(**dict(args, **kw))

    add(k, "fine_tune(max_length=0)", lambda: api_fine_tune(max_length=0), "error", "'max_length' parameter")
    add(k, "fine_tune(epochs=1.5)", lambda: api_fine_tune(epochs=1.5), "error", "'epochs' parameter")
    add(k, "fine_tune(batch_size=True)", lambda: api_fine_tune(batch_size=True), "error", "'batch_size' parameter")

    def api_fine_tune_qa(**kw):
        from faithlens.qa import read_squad
        from faithlens.training import fine_tune_qa

        return fine_tune_qa(base_model=qa_dir, train=read_squad(good_squad), test=[], out_dir=work / "api-qa", **kw)

    add(k, "fine_tune_qa(stride=500, max_length=384)", lambda: api_fine_tune_qa(stride=500), "error", "must be smaller")
    add(k, "fine_tune_qa(stride=-4)", lambda: api_fine_tune_qa(stride=-4), "error", "must be an int ≥ 0")
    add(k, "train on a good file with --subset 3", lambda: _first_of(train_cls("--subset", "3", "--max-length", "16"),
                                                                     work / "cls-out"),
        "ok", "a model trained on 3 examples", lambda r: r[0].code == 0 and json.loads(
            (r[1] / "faithlens_model.json").read_text())["split_sizes"]["train"] == 3)
    facade_out = str(work / "facade-out")
    for argv, words in [
        (("train", "--steps", "0"), "'steps' setting"), (("train", "--batch-size", "0"), "'batch_size' setting"),
        (("train", "--max-length", "0"), "'max_length' setting"), (("train", "--heldout", "0"), "'heldout' setting"),
        (("train", "--eval-every", "-1"), "'eval_every' setting"), (("train", "--width-divisor", "0"), "'width_divisor'"),
        (("train", "--lr", "0"), "learning rate"), (("train", "--lambda-g", "-1"), "'lambda_g' setting"),
        (("train", "--magnitude-from", "2"), "magnitude_from"), (("train", "--size-margin", "inf"), "'size_margin'"),
        (("regularise", "--steps", "0"), "--steps must be a positive int"),
        (("regularise", "--lambda-rp", "-3"), "(--lambda-rp) must be"),
        (("merge", "--facade", tiny_dir, "--gain", "-1"), "--gain must be a positive number"),
        (("merge", "--facade", tiny_dir, "--gain", "abc"), "--gain must be a positive number"),
    ]:
        add(k, "facade " + " ".join(argv), lambda a=argv: cli("facade", *a, "--model", tiny_dir, "--out", facade_out),
            "error", words)
    for argv, words in [
        (("saliency", "--limit", "0"), "--limit must be a positive int"), (("saliency", "--steps", "0"), "--steps must be"),
        (("saliency", "--methods", "sig:bogus"), "Method setting 'bogus' in 'sig:bogus' is not key=value"), (("saliency", "--methods", "limes"), "Unknown method"),
        (("saliency", "--methods", ","), "--methods is empty"),
        (("reduce", "--beams", "0"), "--beams must be"), (("reduce", "--beams", "1,x"), "--beams must be"),
        (("hotflip", "--limit", "-1"), "--limit must be"), (("hotflip", "--holdout", "1.5"), "argument --holdout: expected"),
    ]:
        add(k, "facade " + " ".join(argv), lambda a=argv: cli("facade", *a, "--model", tiny_dir, "--data", tsv), "error", words)
    add(k, "facade train: --heldout leaves no texts", lambda: cli("facade", "train", "--model", tiny_dir, "--data", tsv,
                                                                  "--heldout", "20", "--out", facade_out), "error",
        "would leave none")
    add(k, "facade saliency on a tiny model", lambda: cli("facade", "saliency", "--model", tiny_dir, "--data", tsv,
                                                          "--limit", "2", "--methods", "occlusion,sig:closed"),
        "ok", "a P@1 table for the two runs", lambda r: r.code == 0 and len(json.loads(r.out)["methods"]) == 2)
    for argv, words in [(("--limit", "0"), "--limit must be an int ≥ 1"), (("--examples", "-1"), "--examples must be"),
                        (("--steps", "0"), "'steps' parameter"), (("--holdout", "0"), "argument --holdout: expected")]:
        add(k, "audit " + " ".join(argv), lambda a=argv: cli("audit", "--model", tiny_dir, "--data", tsv, *a), "error", words)

    # kind 12: argument parsing and options of another task --------------------------------------------------
    k = "12 parsing"
    for argv, words in [
        (("explain", TEXT, "--device", "cuda"), "--device belongs to faithlens itself"),
        (("explain", TEXT, "--device", "cpu", "--method", "occlusion"), "--device belongs to faithlens itself"),
        (("explain", TEXT, "--threads", "1"), "--threads belongs to faithlens itself"),
        (("explain", TEXT, "--meth", "occlusion"), "unrecognized arguments: --meth"),
        (("explain", TEXT, "--target-t", " x"), "unrecognized arguments: --target-t"),
        (("explain", TEXT, "--max-new", "3"), "unrecognized arguments: --max-new"),
        (("explain", TEXT, "--base", "mask"), "unrecognized arguments: --base"),
        (("evaluate", "--meth", "ig"), "unrecognized arguments: --meth"),
        (("train", "--train", tsv, "--out", "x", "--max-len", "8"), "unrecognized arguments: --max-len"),
        (("facade", "train", "--init", "x", "--out", "y"), "unrecognized arguments: --init"),
        (("audit", "--lim", "5"), "unrecognized arguments: --lim"),
        (("serve", "--por", "1"), "unrecognized arguments: --por"),
    ]:
        add(k, " ".join(argv[:1] + argv[2:] if argv[0] == "explain" else argv), lambda a=argv: cli(*a), "error", words)
    for model, argv, words in [
        (tiny_dir, ("--answer", "film"), "--answer sets a QA model's answer"),
        (tiny_dir, ("--target-text", " film"), "--target-text sets a causal language model's continuation"),
        (tiny_dir, ("--max-new-tokens", "3"), "--max-new-tokens sets"),
        (ml_dir, ("--answer", "film"), "multi-label classification"),
        (qa_dir, ("--target-text", " Ann"), "which reads --answer TEXT"),
        (qa_dir, ("--max-new-tokens", "2"), "which reads --answer TEXT"),
        (lm_dir, ("--answer", "Paris"), "which reads --target-text TEXT"),
        (lm_dir, ("--target-text", " Paris", "--max-new-tokens", "2"), "Pass one of them"),
        (lm_dir, ("--target", "1", "--target-text", " x"), "Pass one of --target, --answer, --answer-span, --target-text"),
    ]:
        item = ("--pair", "Who wrote it?", "Ann wrote it.") if model == qa_dir else ("The capital is",)
        add(k, f"{Path(model).name}: explain {' '.join(argv)}", lambda m=model, a=argv, i=item: cli(
            "explain", *i, "--model", m, "--method", "occlusion", *a), "error", words)
    add(k, "QA: --answer explains that span", lambda: cli("explain", "--pair", "Who wrote it?", "Ann wrote it in Paris.",
                                                          "--model", qa_dir, "--method", "occlusion", "--answer", "Paris",
                                                          "--json"), "ok", "the target is the answer",
        lambda r: ok_json(1)(r) and first(r)["target"]["label"] == "Paris")
    add(k, "causal LM: --target-text", lambda: cli("explain", "The capital is", "--model", lm_dir, "--method", "occlusion",
                                                   "--target-text", " Paris", "--json"), "ok", "the continuation explained",
        lambda r: ok_json(1)(r) and first(r)["task"] == "causal_lm")
    add(k, "causal LM: --max-new-tokens 2", lambda: cli("explain", "The capital is", "--model", lm_dir, "--method",
                                                        "occlusion", "--max-new-tokens", "2", "--json"), "ok",
        "two generated tokens", lambda r: ok_json(1)(r) and any("2 greedily generated" in w for w in first(r)["warnings"]))
    add(k, "global options before the command", lambda: cli("--threads", "1", "--device", "cpu", "explain", "good",
                                                            "--model", tiny_dir, "--method", "occlusion", "--json"),
        "ok", "one JSON line", ok_json(1))

    # kind 13: the Python API's types ---------------------------------------------------------------------------
    k = "13 api types"
    tx = faithlens.Explainer(tiny("bert", dtype=torch.float64))
    for name, texts, words in [
        ("a dict", {"a": "good film"}, "explain its keys"), ("a set", {"good", "bad"}, "has no order"),
        ("a frozenset", frozenset({"good"}), "has no order"), ("bytes", b"good film", "Decode it first"),
        ("a bytearray", bytearray(b"good"), "Decode it first"), ("an int", 42, "Got int 42"),
        ("None", None, "Got NoneType"), ("a float", 1.5, "Got float"),
        ("a list of three strings in a list", [["good", "bad", "film"]], "list of 3 element(s)"),
        ("a nested list", [["good", ["film"]]], "list of 2 element(s)"), ("a list of one-element lists", [["good"]], "list of 1"),
        ("a dict in the list", [{"text": "good"}], "Item 0 is a dict"), ("a set in the list", [{"good"}], "Item 0 is a set"),
        ("an int in the list", ["good", 3], "Text 1 must be a str"), ("a 3-tuple", ("a", "b", "c"), "must be a pair"),
        ("a 3-column NumPy array", np.array([["good", "film", "x"]]), "list of 3 element(s)"),
        ("an empty generator", (t for t in []), "No text was given"),
    ]:
        add(k, f"explain({name})", lambda t=texts: tx.explain(t, "occlusion"), "error", words)
    add(k, "predict(a dict)", lambda: tx.predict({"a": "good"}), "error", "explain its keys")
    add(k, "compare(a set)", lambda: tx.compare({"good"}, ["occlusion"]), "error", "has no order")
    texts3 = ["a good film", "a dull and slow film", "fun"]
    same = lambda r: [e.token_scores for e in r] == [e.token_scores for e in tx.explain(texts3, "grad_x_input")]  # noqa: E731
    add(k, "explain(a generator)", lambda: tx.explain((t for t in texts3), "grad_x_input"), "ok",
        "the list's scores, in order", same)
    add(k, "explain(an iterator)", lambda: tx.explain(iter(texts3), "grad_x_input"), "ok", "the list's scores", same)
    add(k, "explain(map(str.strip, ...))", lambda: tx.explain(map(str.strip, [" a good film", "a dull and slow film ", "fun"]),
                                                              "grad_x_input"), "ok", "the list's scores", same)
    add(k, "explain(a NumPy array of str)", lambda: tx.explain(np.array(texts3), "grad_x_input"), "ok", "the list's scores", same)
    add(k, "explain(a list pair)", lambda: tx.explain([["a man sleeps", "a person rests"]], "occlusion"), "ok",
        "read as a pair", lambda r: r[0].text_pair == "a person rests")
    add(k, "explain(a 2-column NumPy array): pairs, as a list of two-text lists (ME41 N5)", lambda: tx.explain(
        np.array([["a man sleeps", "a person rests"]]), "occlusion"), "ok", "read as a pair",
        lambda r: r[0].text_pair == "a person rests")
    add(k, "target: a dict", lambda: tx.explain(["good", "bad"], "occlusion", target={"good": 1}), "error", "The target is a dict")
    add(k, "target: a set", lambda: tx.explain(["good", "bad"], "occlusion", target={0, 1}), "error", "The target is a set")
    add(k, "target: a generator of one per text", lambda: tx.explain(["good", "bad"], "occlusion", target=(i for i in (1, 0))),
        "ok", "targets in order", lambda r: [e.target["index"] for e in r] == [1, 0])
    add(k, "target: numpy.int64(1)", lambda: tx.explain("good", "occlusion", target=np.int64(1)), "ok", "index 1",
        lambda e: e.target["index"] == 1)
    add(k, "target: a 0-d torch tensor", lambda: tx.explain("good", "occlusion", target=torch.tensor(0)), "ok", "index 0",
        lambda e: e.target["index"] == 0)
    add(k, "target: numpy.float64(1.0)", lambda: tx.explain("good", "occlusion", target=np.float64(1.0)), "error", "Got float")
    add(k, "target: a float tensor", lambda: tx.explain("good", "occlusion", target=torch.tensor(1.0)), "error", "Got Tensor")
    add(k, "target: a list too short", lambda: tx.explain(["good", "bad"], "occlusion", target=[1]), "error",
        "1 targets for 2 texts")
    qa_x = faithlens.Explainer(tiny("bert_qa"))
    add(k, "QA: a plain str", lambda: qa_x.explain("Who wrote it?", "occlusion"), "error", "(question, context) pairs")
    add(k, "QA: list pairs", lambda: qa_x.explain([["Who wrote it?", "Ann wrote it."]], "occlusion"), "ok", "a QA explanation",
        lambda r: r[0].task == "qa")
    add(k, "QA: target a float", lambda: qa_x.explain(("Who?", "Ann wrote it."), "occlusion", target=1.5), "error", "Got float")
    add(k, "QA: target span past the context", lambda: qa_x.explain(("Who?", "Ann wrote it."), "occlusion", target=(0, 99)),
        "error", "not inside the context")
    lm_x = faithlens.Explainer(tiny("gpt2_lm"))
    add(k, "causal LM: an int target", lambda: lm_x.explain("Hello", "occlusion", target=3), "error", "continuation text")
    add(k, "causal LM: pairs", lambda: lm_x.explain([("a", "b")], "occlusion"), "error", "single prompts")
    ml_x = faithlens.Explainer(tiny("bert", num_labels=3, problem_type="multi_label_classification"))
    add(k, "multi-label: a dict", lambda: ml_x.explain({"x": "good"}, "occlusion"), "error", "explain its keys")

    # kind 14: label names that are numbers --------------------------------------------------------------------
    k = "14 digit labels"
    sw = faithlens.Explainer(swapped_dir)
    for target, expect, words, index in [
        ("1", "error", "the label name '1' (class 0) and the class index 1 (label '0')", None),
        ("0", "error", "the label name '0' (class 1) and the class index 0 (label '1')", None),
        (" 1 ", "error", "ambiguous", None), (1, "ok", "", 1), (0, "ok", "", 0),
        ("index:1", "ok", "", 1), ("label:1", "ok", "", 0), ("label:0", "ok", "", 1), ("index:0", "ok", "", 0),
        ("label:2", "error", "Unknown label '2'", None), ("index:x", "error", "takes a class index", None),
        ("index:5", "error", "out of range", None), ("2", "error", "out of range", None),
    ]:
        add(k, f"API labels ('1','0'): target={target!r}", lambda t=target: sw.explain("good film", "occlusion", target=t),
            expect, words or f"class {index}", None if index is None else (lambda e, i=index: e.target["index"] == i))
    ag = faithlens.Explainer(agree_dir)
    add(k, "API labels ('0','1'): target='1'", lambda: ag.explain("good", "occlusion", target="1"), "ok", "class 1",
        lambda e: e.target["index"] == 1)
    for argv, expect, words, index in [
        (("--target", "1"), "error", "Write label:1 for the label, or index:1", None),
        (("--target", "label:1"), "ok", "class 0", 0), (("--target", "index:1"), "ok", "class 1", 1),
    ]:
        add(k, f"CLI labels ('1','0'): {' '.join(argv)}", lambda a=argv: cli("explain", "good film", "--model", swapped_dir,
                                                                             "--method", "occlusion", "--json", *a),
            expect, words, None if index is None else (lambda r, i=index: ok_json(1)(r) and first(r)["target"]["index"] == i))
    add(k, "CLI default model: --target 1", lambda: cli("explain", TEXT, "--method", "occlusion", "--json", "--target", "1"),
        "ok", "index 1 (positive)", lambda r: ok_json(1)(r) and first(r)["target"] == {"label": "positive", "index": 1})
    add(k, "CLI default model: --target Positive", lambda: cli("explain", TEXT, "--method", "occlusion", "--json", "--target",
                                                               "Positive"), "ok", "index 1",
        lambda r: ok_json(1)(r) and first(r)["target"]["index"] == 1)
    add(k, "CLI multi-label: --target 2", lambda: cli("explain", "good", "--model", ml_dir, "--method", "occlusion", "--json",
                                                      "--target", "2"), "ok", "index 2",
        lambda r: ok_json(1)(r) and first(r)["target"]["index"] == 2)
    from faithlens.app import Limits, create_app

    web = create_app(sw, limits=Limits()).test_client()

    def ask(body):
        r = web.post("/api/explain", data=json.dumps(dict({"text": "good film", "method": ["occlusion"]}, **body)),
                     content_type="application/json", headers={"Host": "127.0.0.1:8765"})
        payload = r.get_json(silent=True)
        return {"status": r.status_code, "error": payload.get("error")} if r.status_code >= 400 else {"ok": 200, "json": payload}

    add(k, "web labels ('1','0'): target '1'", lambda: ask({"target": "1"}), "error", "ambiguous")
    add(k, "web labels ('1','0'): target 'label:1'", lambda: ask({"target": "label:1"}), "ok", "class 0",
        lambda r: r["json"][0]["target"]["index"] == 0)
    add(k, "web labels ('1','0'): target 1 (JSON int)", lambda: ask({"target": 1}), "ok", "class 1",
        lambda r: r["json"][0]["target"]["index"] == 1)

    # kind 15: JSON round trips ---------------------------------------------------------------------------------
    k = "15 json"
    base = tx.explain("a good film", "sig", steps=4, return_attributions=True)
    pair_e = tx.explain(("a man sleeps", "a person rests"), "occlusion")
    qa_e = qa_x.explain(("Who wrote it?", "Ann wrote it in Paris."), "occlusion")
    lm_e = lm_x.explain("The capital is", "occlusion", max_new_tokens=2, per_token=True)
    ml_e = ml_x.explain("good film", "occlusion")

    def edit(e, **changes):
        d = e.to_dict()
        for key, fn in changes.items():
            d[key] = fn(d[key])
        return json.dumps(d)

    def rescore(e):
        d = e.to_dict()
        d["token_scores"][d["words"][0]["tokens"][0]] += 1.0
        return json.dumps(d)

    def word_field(e, field, value):
        d = e.to_dict()
        d["words"][0][field] = value
        return json.dumps(d)

    for name, text, words in [
        ("scores one short", edit(base, token_scores=lambda s: s[:-1]), "'token_scores' has"),
        ("scores as strings", edit(base, token_scores=lambda s: [str(x) for x in s]), "expected finite numbers"),
        ("a score true", edit(base, token_scores=lambda s: [True] + s[1:]), "expected finite numbers"),
        ("NaN in the scores", base.to_json().replace(repr(base.token_scores[1]), "NaN", 1), "NaN is not a number"),
        ("Infinity in a delta", base.to_json().replace(repr(base.deltas[0]), "Infinity", 1), "Infinity is not a number"),
        ("normalised scores one long", edit(base, token_scores_normalised=lambda s: s + [0.0]), "'token_scores_normalised'"),
        ("an offset past the text", edit(base, offsets=lambda o: o[:-1] + [[0, 999]]), "inside the text"),
        ("a negative offset", edit(base, offsets=lambda o: [[-1, 0]] + o[1:]), "inside the text"),
        ("an offset of strings", edit(base, offsets=lambda o: [["0", "1"]] + o[1:]), "inside the text"),
        ("a changed text", edit(base, text=lambda t: t.replace("good", "bad!")), "is not the text at its span"),
        ("a longer text, same words", edit(base, text=lambda t: "x" + t), "is not the text at its span"),
        ("a rescored token", rescore(base), "its tokens' token_scores sum"),
        ("a word in segment 1 without a pair", word_field(base, "segment", 1), "no second text"),
        ("a word pointing past the tokens", word_field(base, "tokens", [99]), "outside 0.."),
        ("a word score a string", word_field(base, "score", "high"), "expected finite numbers"),
        ("special as ints", edit(base, special=lambda s: [int(x) for x in s]), "'special' true/false"),
        ("attributions one row short", edit(base, attributions=lambda a: a[:-1]), "'attributions' has"),
        ("deltas one long", edit(base, deltas=lambda d: d + [0.0]), "'deltas' has"),
        ("units past the tokens", edit(base, units=lambda u: [[99]] + u[1:]), "'units' points at tokens"),
        ("nodes of zero", edit(base, nodes=lambda n: [0]), "'nodes' must hold positive ints"),
        ("seconds a string", edit(base, seconds=lambda s: "fast"), "seconds holds 'fast'"),
        ("pair: a changed second text", edit(pair_e, text_pair=lambda t: "a cat naps"), "edited after"),
        ("QA: a changed context", edit(qa_e, text_pair=lambda t: t.upper()), "is not the text at its span"),
        ("causal LM: per-target rows too short", edit(lm_e, per_target=lambda p: [r[:-1] for r in p]), "'per_target'"),
    ]:
        add(k, f"from_json: {name}", lambda t=text: faithlens.Explanation.from_json(t), "error", words)
    for name, e in (("pair", pair_e), ("QA", qa_e), ("causal LM", lm_e), ("multi-label", ml_e), ("sig with attributions", base)):
        add(k, f"from_json: a {name} round trip", lambda x=e: faithlens.Explanation.from_json(x.to_json()), "ok", "equal",
            lambda back, x=e: back == x)

    # kind 16: values that overflow ----------------------------------------------------------------------------
    k = "16 overflow"
    for value, words in [("1e9", "must be in (0, 1]"), ("1e308", "must be in (0, 1]"), ("inf", "positive number"),
                         ("nan", "positive number"), ("0", "positive number"), ("-0.1", "positive number"),
                         ("1.5", "each noisy copy is mostly noise")]:
        add(k, f"explain --noise {value}", lambda v=value: cli("explain", "good", "--model", tiny_dir, "--method", "smoothgrad",
                                                               "--noise", v), "error", words)
    add(k, "explain --noise abc", lambda: cli("explain", "good", "--noise", "abc"), "error", "invalid float value")
    add(k, "explain --noise with ig", lambda: cli("explain", "good", "--model", tiny_dir, "--method", "ig", "--noise", "0.2"),
        "error", "does nothing for ig")
    add(k, "explain --noise 0.01 (the default value) with ig", lambda: cli("explain", "good", "--model", tiny_dir, "--method",
                                                                         "ig", "--noise", "0.01"), "error", "does nothing for ig")
    add(k, "explain --noise 0.5", lambda: cli("explain", "good", "--model", tiny_dir, "--method", "smoothgrad", "--noise", "0.5",
                                              "--json"), "ok", "noise 0.5 recorded",
        lambda r: ok_json(1)(r) and first(r)["settings"]["noise"] == 0.5)
    for spec, words in [("smoothgrad:noise=5", "must be in (0, 1]"), ("smoothgrad:noise=abc", "Expected a number"),
                        ("smoothgrad:noise=-1", "positive number"), ("ig:noise=0.1", "does not apply to 'ig'"),
                        ("smoothgrad:noise=0.1,noise=0.2", "given twice")]:
        add(k, f"evaluate {spec}", lambda s=spec: cli("evaluate", "--model", tiny_dir, "--data", tsv, "--methods", s, "--quiet"),
            "error", words)
    add(k, "evaluate smoothgrad:noise=0.1", lambda: cli("evaluate", "--model", tiny_dir, "--data", tsv, "--methods",
                                                        "smoothgrad:noise=0.1,n_samples=2", "--quiet", "--no-curves", "--no-random",
                                                        "--out", str(work / "noise-run")), "ok", "the run records noise 0.1",
        lambda r: r.code == 0 and all(json.loads(line)["settings"]["noise"] == 0.1 for line in
                                      (work / "noise-run" / "records.jsonl").read_text().splitlines()))
    add(k, "API noise=1e30", lambda: tx.explain("good", "smoothgrad", noise=1e30), "error", "must be in (0, 1]")
    add(k, "API noise='0.1'", lambda: tx.explain("good", "smoothgrad", noise="0.1"), "error", "positive number")
    long_target = " word" * 600
    add(k, "causal LM: a 600-word --target-text", lambda: cli("explain", "Hello", "--model", lm_dir, "--method", "occlusion",
                                                              "--target-text", long_target), "error", "the limit is 512")
    add(k, "causal LM API: a 600-word target", lambda: lm_x.explain("Hello", "occlusion", target=long_target), "error",
        "the limit is 512")
    add(k, "causal LM API: target with max_new_tokens", lambda: lm_x.explain("Hello", "occlusion", target=" x",
                                                                              max_new_tokens=4), "error", "Pass one of them")
    add(k, "causal LM: an empty --target-text", lambda: cli("explain", "Hello", "--model", lm_dir, "--method", "occlusion",
                                                            "--target-text", ""), "error", "target text is empty")
    add(k, "causal LM: --max-new-tokens 100000", lambda: cli("explain", "Hello", "--model", lm_dir, "--max-new-tokens",
                                                             "100000"), "error", "'max_new_tokens' parameter")

    # kind 17: paths --------------------------------------------------------------------------------------------
    k = "17 paths"
    gone = str(work / "gone")
    no_weights = work / "cfg-only"
    no_weights.mkdir()
    (no_weights / "config.json").write_text((Path(tiny_dir) / "config.json").read_text())
    damaged = work / "damaged"  # a weights file that is not weights (an interrupted copy): seventh stop's own finding
    shutil.copytree(tiny_dir, damaged)
    for weights in [*damaged.glob("*.safetensors"), *damaged.glob("*.bin")]:
        weights.write_bytes(b"junk")
    from tiny import save_tiny_facade

    damaged_facade = save_tiny_facade(work / "damaged-facade", tiny_dir)  # a facade: --init-from and --facade read it
    for weights in damaged_facade.glob("*.safetensors"):
        weights.write_bytes(b"junk")
    positions = json.loads((Path(tiny_dir) / "config.json").read_text())["max_position_embeddings"]
    for argv, words in [
        (("train", "--train", tsv, "--base", str(damaged), "--max-length", "32", "--out", str(work / "t")),
         "could not be loaded as a base encoder (SafetensorError"),
        (("train", "--train", tsv, "--base", str(damaged), "--max-length", str(positions + 1), "--out", str(work / "t")),
         f"longer than the base model's {positions} positions"),  # from the config, before the weights are read
        (("facade", "train", "--model", tiny_dir, "--data", tsv, "--init-from", str(damaged_facade), "--steps", "1",
          "--heldout", "2", "--batch-size", "2", "--out", facade_out), "could not be read as a facade"),
        (("facade", "merge", "--model", tiny_dir, "--facade", str(damaged_facade), "--out", facade_out),
         "damaged or incomplete"),
        (("explain", "good", "--model", str(damaged)), "damaged or incomplete"),
        (("facade", "train", "--init-from", gone, "--out", facade_out), f"--init-from {gone}: no such folder"),
        (("facade", "train", "--init-from", "facade-typo", "--out", facade_out), "--init-from facade-typo: no such folder"),
        (("facade", "train", "--init-from", str(a_file), "--out", facade_out), "is a file"),
        (("facade", "train", "--init-from", str(no_weights), "--out", facade_out), "no weights"),
        (("facade", "train", "--init-from", str(work), "--out", facade_out), "no config.json"),
        (("facade", "train", "--data", gone + ".tsv", "--out", facade_out), "no such file or folder"),
        (("facade", "merge", "--facade", gone, "--out", facade_out), "--facade"),
        (("facade", "merge", "--facade", "typo", "--out", facade_out), "--facade typo: no such folder"),
        (("facade", "merge", "--facade", str(a_file), "--out", facade_out), "is a file"),
        (("facade", "merge", "--facade", tiny_dir, "--gain", "auto", "--calibrate", gone + "/c.tsv", "--out", facade_out),
         "--calibrate"),
        (("facade", "merge", "--facade", tiny_dir, "--check", gone + ".csv", "--out", facade_out), "--check"),
        (("facade", "saliency", "--data", "./gone.tsv"), "--data ./gone.tsv: no such file"),
        (("facade", "regularise", "--data", gone + ".jsonl", "--out", facade_out), "no such file"),
        (("train", "--train", gone + ".tsv", "--out", str(work / "t")), "--train"),
        (("train", "--train", tsv, "--validation", gone + ".tsv", "--out", str(work / "t")), "--validation"),
        (("train", "--train", tsv, "--test", gone + ".csv", "--out", str(work / "t")), "--test"),
        (("train", "--train", tsv, "--base", gone, "--out", str(work / "t")), f"--base {gone}: no such folder"),
        (("train", "--train", tsv, "--base", str(a_file), "--out", str(work / "t")), "--base"),
        (("train", "--train", tsv, "--base", str(no_weights), "--out", str(work / "t")), "no weights"),
        (("train", "--train", tsv, "--base", "no-org/no-base-xyz", "--out", str(work / "t2")), "--base PATH"),
        (("train", "--task", "qa", "--train", gone + ".json", "--out", str(work / "t")), "no such file"),
        (("audit", "--data", gone + ".tsv"), "no such file"),
        (("audit", "--model", gone), "no such folder"),
        (("serve", "--model", gone), "no such folder"),
        (("evaluate", "--model", tiny_dir, "--data", gone + "/"), "does not exist"),
    ]:
        add(k, " ".join(a if a not in (gone, str(work), str(a_file), str(damaged), str(damaged_facade)) else Path(a).name
                        for a in argv[:4]) + (" (damaged weights)" if {str(damaged), str(damaged_facade)} & set(argv) else ""),
            lambda a=argv: cli(*a), "error", words)
    out += breaker_cases(work, tx, tsv, tiny_dir, qa_dir, lm_dir, squad, train_qa, folder, write, ok_json, first)
    out += second_breaker_cases(work, tsv, tiny_dir, write)
    out += breaker_cases_f(tx, qa_x, tiny_dir, qa_dir, write, ok_json, first)
    out += third_breaker_cases(work, tx, qa_x, tsv, tiny_dir, qa_dir, folder, write, squad, ok_json, first)
    out += fourth_breaker_cases(work, tx, qa_x, tsv, tiny_dir, qa_dir, write, squad)
    out += fourth_breaker_cases_core(work, tx, tsv, tiny_dir, lm_dir, swapped_dir, agree_dir, ok_json, first)
    out += fifth_breaker_cases_l(tx, tiny_dir, ok_json, first)
    out += fifth_breaker_cases_k(tx, qa_x, swapped_dir)
    out += fifth_breaker_cases_j(work, tx, lm_dir, squad, train_qa, ok_json, first)
    out += seventh_breaker_cases_d(write, tiny_dir, tx)
    out += seventh_breaker_cases_c(work, tx, tiny_dir, lm_dir, ml_dir, folder, ok_json, first)
    out += seventh_breaker_cases_a(work, tiny_dir, write, squad, train_qa)
    out += seventh_breaker_cases_b(work, tiny_dir, write, squad)
    out += eighth_breaker_cases_f(work, tiny_dir, write, squad)
    out += eighth_breaker_cases_d(work, tiny_dir, write, squad)
    out += eighth_breaker_cases_e(work, tx, tiny_dir, write)
    out += ninth_breaker_cases_ra(explainer, tx, qa_x, lm_dir, ml_dir)
    out += ninth_breaker_cases_rc(work, tx, tiny_dir, qa_dir, swapped_dir, agree_dir, write)
    out += ninth_breaker_cases_rb(work, tiny_dir, qa_dir, write, squad)
    out += sa_output_dash_cases(work, tiny_dir, qa_dir, write, squad)
    out += td_repeated_key_cases(work, tiny_dir, write)
    out += te_facade_target_cases(work, tiny_dir, swapped_dir, write)
    out += tb_file_format_cases(tiny_dir, qa_dir, lm_dir, write)
    out += tf_qa_answer_space_cases(work, qa_dir, write, squad)
    out += tc_from_json_cases(tx, qa_x, lm_dir)
    out += ta_label_reading_cases(work, tiny_dir, swapped_dir, agree_dir, folder("m-float", "bert", ["1.0", "0.0"]), write)
    out += uc_from_json_derived_cases(tx, lm_dir)
    out += ua_file_followup_cases(tiny_dir, write)
    out += ud_option_qa_cases(tx, qa_x, tiny_dir, qa_dir)
    out += ub_label_train_cases(work, tiny_dir, folder("m-padded", "bert", ["01", "1"]), write)
    out += vc_setting_cases(tx, tiny_dir)
    out += va_header_cases(tiny_dir, write)
    out += vb_file_shape_cases(work, tiny_dir, write)
    out += vd_facade_shape_cases(work, tiny_dir, qa_dir, write)
    out += wd_settings_key_cases(tx, lm_dir)
    out += wc_train_task_cases(work, tiny_dir, qa_dir, lm_dir, write)
    out += wb_cr_imdb_cases(tiny_dir, write)
    out += wa_header_name_cases(tiny_dir, write)
    out += xb_space_header_cases(tiny_dir, write)
    out += xa_case_cases(tiny_dir, write)
    out += xc_facade_range_cases(work, tiny_dir)
    out += xd_per_target_cases(tx, lm_dir)
    out += truncated_flag_cases(tx)
    out += sixteenth_breaker_cases(work, tx, tiny_dir, write)
    out += ya_json_cases(explainer, lm_dir)
    out += yb_facade_cases(work, tiny_dir, lm_dir, qa_x, write)
    out += yd_cases(tx, tiny_dir, qa_dir, lm_dir, write)
    out += yc_small_cases(work, tiny_dir, qa_dir, swapped_dir, folder("yc-rev", "bert", ["positive", "negative"]), write)
    out += yf_cases(tiny_dir, write)
    out += ye_cases(lm_dir)
    out += zd_cases(explainer)
    out += zb_cases(work, tiny_dir, qa_dir, write)
    out += za_cases(work, tiny_dir, write)
    out += zc_cases(tiny_dir, qa_dir, lm_dir, write)
    out += zf_cases(tx, tiny_dir)
    out += ze_cases(tx)
    out += zg_cases(explainer)
    out += zh_cases(work, tiny_dir, write)
    out += zi_cases(tiny_dir, write)
    out += zj_cases(work, folder, write)
    out += zk_cases(work, tiny_dir, write)
    out += ya_cases(work, qa_dir, write)
    out += yb_cases(work, tiny_dir, write)
    out += yc_cases(work, tiny_dir, write)
    out += issue22ye_cases(work, tiny_dir, write)
    out += issue22yf_cases(work, tiny_dir, write)
    out += me22_cases(work, tiny_dir, write)
    out += issue22za_cases(work, tiny_dir, write)
    out += issue22zb_cases(work, tiny_dir, write)
    out += issue22zd_cases(work, tiny_dir, write)
    out += issue22zc_cases(work, tiny_dir, write)
    out += issue22zg_cases(work, tiny_dir, write)
    out += issue22ze_cases(work, tiny_dir, write)
    out += issue22zf_cases(work, tiny_dir, write)
    out += issue22zh_cases(work, tiny_dir, write)
    out += issue22zi_cases(work, tiny_dir, write)
    out += issue22jc_cases(work, tiny_dir, write)
    out += issue22jb_cases(work, tiny_dir, write)
    out += issue22ja_cases(work, tiny_dir)
    out += me26_cases(work, tiny_dir, write)
    out += issue22jd_cases(work, tiny_dir, write)
    out += me28_cases(work, tiny_dir, write)
    out += me30_cases(work, tiny_dir, write)
    out += me33_cases(work, tiny_dir, write)
    out += me35_cases(work, tiny_dir, write)
    out += me37_cases(work, tiny_dir, write)
    out += me38_cases(work, tiny_dir, write)
    out += me40_cases(work, tiny_dir, write)
    out += me44_cases(work, tiny_dir, write)
    out += me48_cases(work, tiny_dir, write)
    return out


def breaker_cases(work, tx, tsv, tiny_dir, qa_dir, lm_dir, squad, train_qa, folder, write, ok_json, first) -> list[Case]:
    """What an independent breaker found after kinds 9-17 (issue 22, D3-D15), each in the kind it belongs to."""
    import re

    import numpy as np

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731

    # D3: NumPy arrays (kind 13): a 0-d array is its one value, a 1-d array a list of texts
    k = "13 api types"
    add(k, "explain(np.array('good film')) (0-d)", lambda: tx.explain(np.array("good film"), "occlusion"), "ok",
        "one explanation of that text", lambda e: isinstance(e, faithlens.Explanation) and e.text == "good film")
    add(k, "explain(np.array(3)) (0-d int)", lambda: tx.explain(np.array(3), "occlusion"), "error", "Got int 3")
    add(k, "explain(np.array(b'good')) (0-d bytes)", lambda: tx.explain(np.array(b"good"), "occlusion"), "error",
        "Decode it first")
    add(k, "explain(np.array(['a good film'])) (1-d, one text)", lambda: tx.explain(np.array(["a good film"]), "occlusion"),
        "ok", "a list of one explanation", lambda r: isinstance(r, list) and len(r) == 1 and r[0].text == "a good film")
    try:
        import pandas as pd

        add(k, "explain(a pandas Series)", lambda: tx.explain(pd.Series(["a good film", "fun"]), "grad_x_input"), "ok",
            "the list's scores", lambda r: [e.token_scores for e in r] == [e.token_scores for e in tx.explain(
                ["a good film", "fun"], "grad_x_input")])
    except ImportError:  # pandas is optional
        pass

    # D4: JSON field types and agreement (kind 15)
    k = "15 json"
    sampled = tx.explain("a good film", "shapley", n_samples=3)

    def changed(**changes):
        d = sampled.to_dict()
        for key, value in changes.items():
            d[key] = value(d[key]) if callable(value) else value
        return json.dumps(d)

    for name, text, words in [
        ("warnings as a string", changed(warnings="careful"), "'warnings' must be a JSON array"),
        ("tokens as a string", changed(tokens="abc"), "'tokens' must be a JSON array"),
        ("words: []", changed(words=[]), "'words' is empty, but"),
        ("probs one long", changed(prediction=lambda p: dict(p, probs=p["probs"] + [0.0])), "one probability per label"),
        ("probs one short", changed(prediction=lambda p: dict(p, probs=p["probs"][:1])), "one probability per label"),
        ("prediction index out of range", changed(prediction=lambda p: dict(p, index=5)), "prediction 'index' must be"),
        ("target index and label disagree", changed(target=lambda t: dict(t, index=1 - t["index"])),
         "does not match its 'index'"),
        ("target label unknown", changed(target=lambda t: dict(t, label="neutral")), "does not match its 'index'"),
        ("signed a string", changed(signed="yes"), "'signed' must be true/false"),
        ("signed an int", changed(signed=1), "'signed' must be true/false"),
        ("error a string", changed(error="small"), "'error' must be null or an object"),
        ("error without a kind", changed(error=lambda r: {"relative": r["relative"]}), "'error' must be null or an object"),
        ("error relative a string", changed(error=lambda r: dict(r, relative="tiny")), "'error' must be null or an object"),
        ("sampling_error a number", changed(sampling_error=0.1), "'sampling_error' must be a JSON array"),
        ("sampling_error one short", changed(sampling_error=lambda x: x[:-1]), "'sampling_error' has"),
        ("sampling_error of strings", changed(sampling_error=lambda x: ["x"] + x[1:]), "expected finite numbers"),
        ("an unknown method", changed(method="limes"), "not a faithlens method"),
    ]:
        add(k, f"from_json: {name}", lambda t=text: faithlens.Explanation.from_json(t), "error", words)
    add(k, "from_json: a sampled classifier round trip", lambda: faithlens.Explanation.from_json(sampled.to_json()), "ok",
        "equal", lambda back: back == sampled)

    # D5: two classes with one label name (kind 14)
    k = "14 digit labels"
    dup_dir = folder("m-dup", "bert", ["pos", "pos", "neg"], num_labels=3)
    case_dir = folder("m-dup-case", "bert", ["Pos", "neg", "pos"], num_labels=3)
    dup = faithlens.Explainer(dup_dir)
    add(k, "API duplicate labels: target='pos'", lambda: dup.explain("good", "occlusion", target="pos"), "error",
        "classes 0 and 1 are both named 'pos'")
    add(k, "API duplicate labels: target='label:pos'", lambda: dup.explain("good", "occlusion", target="label:pos"), "error",
        "ambiguous")
    add(k, "API labels differing in case: target='POS'", lambda: faithlens.Explainer(case_dir).explain(
        "good", "occlusion", target="POS"), "error", "classes 0 and 2 are named")
    add(k, "API duplicate labels: target='neg'", lambda: dup.explain("good", "occlusion", target="neg"), "ok", "class 2",
        lambda e: e.target["index"] == 2)
    add(k, "API duplicate labels: target=1", lambda: dup.explain("good", "occlusion", target=1), "ok", "class 1",
        lambda e: e.target["index"] == 1)
    add(k, "CLI duplicate labels: --target pos", lambda: cli("explain", "good", "--model", dup_dir, "--method", "occlusion",
                                                             "--target", "pos"), "error", "index:0")
    add(k, "CLI duplicate labels: --target index:1", lambda: cli("explain", "good", "--model", dup_dir, "--method",
                                                                 "occlusion", "--json", "--target", "index:1"),
        "ok", "class 1", lambda r: ok_json(1)(r) and first(r)["target"]["index"] == 1)
    from faithlens.app import Limits, create_app

    dup_web = create_app(dup, limits=Limits()).test_client()

    def ask_dup(target):
        r = dup_web.post("/api/explain", data=json.dumps({"text": "good", "method": ["occlusion"], "target": target}),
                         content_type="application/json", headers={"Host": "127.0.0.1:8765"})
        return {"status": r.status_code, "error": (r.get_json(silent=True) or {}).get("error")} if r.status_code >= 400 \
            else {"ok": 200, "json": r.get_json()}

    add(k, "web duplicate labels: target 'pos'", lambda: ask_dup("pos"), "error", "both named 'pos'")

    # D6: a tolerance of 0 (kind 2)
    k = "2 options"
    for value in ("0", "0.0", "-0"):
        add(k, f"explain --tolerance {value}", lambda v=value: cli("explain", TEXT, "--model", tiny_dir, "--method", "sig",
                                                                   "--tolerance", v), "error", "must be a number in (0, 1)")
    add(k, "API sig tolerance=0", lambda: tx.explain("good", "sig", tolerance=0), "error", "closed form")
    add(k, "API ig tolerance=0.0", lambda: tx.explain("good", "ig", tolerance=0.0), "error", "must be a number in (0, 1)")
    add(k, "evaluate sig:tolerance=0", lambda: cli("evaluate", "--model", tiny_dir, "--data", tsv, "--methods",
                                                   "sig:tolerance=0", "--quiet"), "error", "must be a number in (0, 1)")
    add(k, "explain --tolerance 1e-6 (the smallest useful)", lambda: cli("explain", "good", "--model", tiny_dir, "--method",
                                                                         "sig", "--tolerance", "1e-6", "--json"),
        "ok", "nodes recorded", lambda r: ok_json(1)(r) and first(r)["nodes"])

    # D7, D7b, D8: SQuAD answer_start types, the data format hint, the QA window hint (kind 10)
    k = "10 squad"
    for n, start in enumerate((1.5, 0.0, True, [0])):
        path = squad(f"start-not-int-{n}", {"answers": [{"text": "Ann", "answer_start": start}]})
        add(k, f"train --task qa: answer_start {start!r}", lambda p=path: train_qa(p), "error", "which is not an integer")
    dat = write("texts.dat", "good\t1\n")
    add(k, "evaluate --data a .dat file: the format hint", lambda: cli("evaluate", "--model", tiny_dir, "--data", dat,
                                                                       "--quiet"), "error", "load_dataset(..., format='tsv')")
    long_q = squad("long-q2", {"question": " ".join(["which"] * 40) + "?"})
    full_q = squad("full-q", {"question": " ".join(["which"] * 60) + "?"})
    add(k, "train --task qa: a question that fills the window", lambda: train_qa(full_q), "error",
        "Shorten the question: the base model's 64 positions leave no room")  # I7: no --max-length above the model's

    def window_hint(path):
        err = train_qa(path).err
        return err, re.search(r"--max-length to at least (\d+)", err)

    add(k, "train --task qa: no --stride 0 among the hints", lambda: window_hint(full_q)[0], "ok",
        "no stride offered where none helps",
        lambda err: "error:" in err and "--stride" not in err.split("not more than the stride 16.", 1)[1])

    def follow_hint():
        err, needed = window_hint(long_q)
        run = cli("train", "--task", "qa", "--train", long_q, "--base", qa_dir, "--max-length", needed.group(1), "--stride",
                  "16", "--epochs", "1", "--out", str(work / "qa-hinted"))
        return _first_of(run, work / "qa-hinted")

    add(k, "train --task qa: the suggested --max-length works", follow_hint, "ok", "a QA model trained",
        lambda r: r[0].code == 0 and (r[1] / "config.json").exists())

    # D9, D13: text after --method, options before the command (kind 12)
    k = "12 parsing"
    for argv, words in [
        (("explain", "--model", tiny_dir, "--method", "occlusion", "good film"), "'good film' is not a method"),
        (("explain", "--model", tiny_dir, "--method", "ig", "occlusion", "a dull plot"), "put the texts before --method, e.g. faithlens explain 'a dull plot' --method ig occlusion"),
        (("explain", "--model", tiny_dir, "--method", "occlusion", "fine"), "'fine' is not a method"),
        (("--method", "x", "explain"), "options go after the command's name"),
        (("--method", "x"), "is an option of a command"),
        (("--threads", "1", "--target", "1", "explain", "good"), "--target is an option of the 'explain' command"),
        (("--steps=3", "evaluate"), "--steps is an option of the 'evaluate' command"),
    ]:
        add(k, " ".join(a if a != tiny_dir else "TINY" for a in argv), lambda a=argv: cli(*a), "error", words)
    add(k, "explain --method occlusion -- TEXT", lambda: cli("explain", "--model", tiny_dir, "--method", "occlusion", "--json",
                                                            "--", "good film"), "ok", "the text explained",
        lambda r: ok_json(1)(r) and first(r)["text"] == "good film")

    # D10: CLI errors name the CLI options (kind 12)
    add(k, "explain --samples 0 names --samples", lambda: cli("explain", "good", "--model", tiny_dir, "--method",
                                                              "smoothgrad", "--samples", "0"), "error", "(--samples)")
    add(k, "explain --per-token on a classifier names --per-token", lambda: cli(
        "explain", "good", "--model", tiny_dir, "--method", "occlusion", "--per-token"), "error", "Drop --per-token.")
    add(k, "explain --target-side on a classifier", lambda: cli("explain", "good", "--model", tiny_dir, "--method",
                                                                "occlusion", "--target-side"), "error", "Drop --target-side.")  # G11
    a_file = work / "out-is-a-file"
    a_file.write_text("x")
    add(k, "train --out a file names --out", lambda: cli("train", "--train", tsv, "--base", tiny_dir, "--out", str(a_file)),
        "error", "--out must be a folder")

    # D11: --file - (kind 9)
    k = "9 pair files"
    add(k, "--file - reads standard input", lambda: cli("explain", "--model", tiny_dir, "--file", "-", "--method",
                                                        "occlusion", "--json", stdin="good film\nbad plot\n"),
        "ok", "two texts from standard input", lambda r: ok_json(2)(r) and first(r)["text"] == "good film")
    add(k, "--file - with pairs", lambda: cli("explain", "--model", tiny_dir, "--file", "-", "--method", "occlusion", "--json",
                                              stdin="a man sleeps\ta person rests\n"), "ok", "a pair",
        lambda r: ok_json(1)(r) and first(r)["text_pair"] == "a person rests")
    add(k, "--file - with a label column", lambda: cli("explain", "--model", tiny_dir, "--file", "-", "--method", "occlusion",
                                                       stdin="good film\tpositive\n"), "error",
        "Every line of standard input is TEXT<tab>LABEL")
    add(k, "explain --help documents --file -", lambda: cli("explain", "--help"), "ok", "'-' reads standard input",
        lambda r: r.code == 0 and "'-' reads standard input" in " ".join(r.out.split()))

    # D12: --target on a causal LM or a QA model (kind 12)
    k = "12 parsing"
    add(k, "causal LM: --target ' Paris'", lambda: cli("explain", "The capital is", "--model", lm_dir, "--method",
                                                        "occlusion", "--target", " Paris"), "error", "--target-text TEXT")
    add(k, "causal LM: --target 1", lambda: cli("explain", "The capital is", "--model", lm_dir, "--method", "occlusion",
                                                 "--target", "1"), "error", "--target names a classifier's class")
    add(k, "QA: --target Ann", lambda: cli("explain", "--pair", "Who wrote it?", "Ann wrote it.", "--model", qa_dir,
                                           "--method", "occlusion", "--target", "Ann"), "error", "--answer TEXT")

    # D14, D15: files mixing texts and pairs; a second column of label names (kind 9)
    k = "9 pair files"
    for name, text, words in [
        ("texts and pairs mixed", "good film\ta fine plot\nfun\n\nbad\tworse\nok\n",
         "lines 2, 5 are single texts and lines 1, 4 are pairs"),
        ("one pair among texts", "good film\nfun\na\tb\n", "lines 1, 2 are single texts and line 3 is a pair"),
        ("label names as the second column", "good film\tpositive\nbad film\tnegative\n", "TEXT<tab>LABEL"),
        ("abbreviated label names", "good film\tpos\nbad film\tNeg\n", "model's label names (negative, positive)"),
        ("label names and digits", "good film\tPositive\nbad film\t0\n", "gold label"),
        ("one line with a label name", "good film\tpositive\n", "'positive' on line 1"),
    ]:
        path = write(f"breaker-{len(out)}.txt", text)
        add(k, f"--file: {name}", lambda p=path: cli("explain", "--model", tiny_dir, "--file", p, "--method", "occlusion"),
            "error", words)
    add(k, "standard input mixing texts and pairs", lambda: cli("explain", "--model", tiny_dir, "-", "--method", "occlusion",
                                                               stdin="good\na\tb\n"), "error",
        "Standard input holds both single texts and pairs: line 1")
    add(k, "default model: label names as the second column", lambda: cli(
        "explain", "--file", write("breaker-default.txt", "a fine film\tpositive\na dull film\tneg\n"), "--method",
        "occlusion"), "error", "(negative, positive)")
    mixed_words = write("breaker-text-pairs.txt", "good film\tpositive\ndull film\ta negative review\n")
    add(k, "a label word on one line, text on another", lambda: cli("explain", "--model", tiny_dir, "--file", mixed_words,
                                                                   "--method", "occlusion", "--json"), "ok", "two pairs",
        lambda r: ok_json(2)(r) and first(r)["text_pair"] == "positive")
    qa_label = write("breaker-qa.txt", "Who wrote it?\tpositive\n")
    add(k, "QA: a one-word context is a context", lambda: cli("explain", "--model", qa_dir, "--file", qa_label, "--method",
                                                             "occlusion", "--json"), "ok", "read as the context",
        lambda r: ok_json(1)(r) and first(r)["text_pair"] == "positive")
    return out


def second_breaker_cases(work, tsv, tiny_dir, write) -> list[Case]:
    """What a second independent breaker found (issue 22, F1-F15 and minor ones): train and facade options, columns
    and label names read two ways, evaluate's --split, gold labels and messages."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    train = lambda *more: cli("train", "--train", tsv, "--base", tiny_dir, "--max-length", "16", *more)  # noqa: E731
    trained = lambda name, *more: _first_of(train("--out", str(work / name), *more), work / name)  # noqa: E731

    def info(folder):
        return json.loads((folder / "faithlens_model.json").read_text())

    k = "11 training options"
    for argv, words in [
        (("--out", "/proc/nope"), "--out '/proc/nope': could not create the folder"),  # F1: before training, not after
        (("--label-column", "sentence"), "'sentence' of"),  # F2
        (("--pair-column", "sentence"), "is both the text column (found from the column names) and the pair column "
                                        "(--pair-column sentence)"),  # F3
        (("--text-column", "label", "--label-column", "label"), "is both the text column (--text-column label) and the "
                                                                "label column (--label-column label)"),
        (("--labels", "1", "0"), "as class 1 (the index) and as class 0 (the name)"),  # F4
        (("--labels", "0", "2"), "gives class 1 the name '2'"),
        (("--labels", "a", "b", "c"), "2 classes (labels 0..1) but 3 label names were given"),  # F5
        (("--labels", "0", "0"), "The --labels option names one class twice"),  # F15
    ]:
        add(k, "train " + " ".join(argv), lambda a=argv: train(*(a if "--out" in a else (*a, "--out", str(work / "b2")))),
            "error", words)
    add(k, "train --labels 0 1 (digits that are their own index)", lambda: trained("b2-digits", "--labels", "0", "1"), "ok",
        "a model whose labels are '0', '1'", lambda r: r[0].code == 0 and info(r[1])["labels"] == ["0", "1"])
    add(k, "train --subset 100 on 8 rows", lambda: trained("b2-subset", "--subset", "100"), "ok",
        "a note on stderr and all 8 examples", lambda r: r[0].code == 0 and "training on all 8" in r[0].err
        and info(r[1])["split_sizes"]["train"] == 8)
    extra = write("b2-extracol.tsv", "sentence\tlabel\na good film\t1\textra\nbad\t0\n")
    add(k, "train on a TSV row with an extra tab", lambda: cli("train", "--train", extra, "--base", tiny_dir, "--out",
                                                               str(work / "b2")), "error",
        "TSV files are read line by line, without quoting: a text may hold neither a tab nor a line break")
    facade_out = str(work / "b2-facade")
    for argv, words in [
        (("--lambda-g", "nan"), "(--lambda-g)"), (("--heldout", "-5"), "(--heldout)"), (("--eval-every", "0"), "(--eval-every)"),
        (("--width-divisor", "0"), "(--width-divisor)"), (("--magnitude-from", "2"), "(--magnitude-from)"),
    ]:
        add(k, "facade train " + " ".join(argv) + " names the option",
            lambda a=argv: cli("facade", "train", "--model", tiny_dir, "--out", facade_out, *a), "error", words)
    add(k, "facade train --out /proc/nope", lambda: cli("facade", "train", "--model", tiny_dir, "--out", "/proc/nope"),
        "error", "could not create the folder")
    add(k, "facade merge --out /proc/nope", lambda: cli("facade", "merge", "--model", tiny_dir, "--facade", tiny_dir,
                                                        "--out", "/proc/nope"), "error", "could not create the folder")
    add(k, "facade train --help states each default", lambda: cli("facade", "train", "--help"), "ok",
        "--steps, --batch-size, --lr, --eval-every described with defaults", lambda r: r.code == 0 and all(
            w in " ".join(r.out.split()) for w in ("optimiser steps (default: 300)", "texts per step (default: 16)",
                                                   "(Adam) (default: 0.0001)", "checkpoints (default: 50)")))

    k = "4 data"
    snli = write("b2-snli.tsv", "premise\thypothesis\tlabel\na man sleeps\ta person rests\t0\na dog runs\ta cat sits\t2\n")
    evaluate = lambda *more: cli("evaluate", "--model", tiny_dir, "--quiet", "--no-random", *more)  # noqa: E731
    add(k, "evaluate --data FILE --split train", lambda: evaluate("--data", tsv, "--split", "train"), "error",
        "is a file, read whole. Drop --split")  # F13
    add(k, "evaluate: gold labels 0-2 on a 2-class model", lambda: evaluate("--data", snli, "--methods", "occlusion"),
        "error", "include 2, outside the 2 classes")  # F14
    add(k, "evaluate --methods ig:", lambda: evaluate("--data", tsv, "--methods", "ig:"), "error",
        "has an empty setting after ':'")
    run_out = work / "b2-eval"
    add(k, "evaluate one method --no-curves --out", lambda: evaluate("--data", tsv, "--limit", "2", "--methods", "occlusion",
                                                                     "--no-curves", "--out", str(run_out)), "ok",
        "no winner line for one method; the files listed are the ones written",
        lambda r: r.code == 0 and "One method: no other" in r.out and "Most faithful" not in r.out
        and "aopc" not in r.err and f"In {run_out}: " in r.err)
    return out


def breaker_cases_f(tx, qa_x, tiny_dir, qa_dir, write, ok_json, first) -> list[Case]:
    """The breaker's second round (issue 22, F6-F15 and minors), each in the kind it belongs to."""
    import numpy as np

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    texts = lambda r: [json.loads(x)["text"] for x in r.out.splitlines()]  # noqa: E731

    # F6, header line: --file and standard input split lines alike (kind 9)
    k = "9 pair files"
    cr = write("breaker-cr.txt", "great\rfun\n")
    add(k, "--file with a lone \\r: one text", lambda: cli("explain", "--model", tiny_dir, "--file", cr, "--method",
                                                           "occlusion", "--json", "--no-faithfulness"), "ok",
        "the \\r stays inside the text", lambda r: ok_json(1)(r) and texts(r) == ["great\rfun"])
    add(k, "--file - with a lone \\r: one text", lambda: cli("explain", "--model", tiny_dir, "--file", "-", "--method",
                                                             "occlusion", "--json", "--no-faithfulness",
                                                             stdin="great\rfun\n"), "ok", "as from a file",
        lambda r: ok_json(1)(r) and texts(r) == ["great\rfun"])
    header = write("breaker-header.txt", "text\ngood film\n")
    add(k, "--file whose first line is 'text'", lambda: cli("explain", "--model", tiny_dir, "--file", header, "--method",
                                                             "occlusion"), "error", "looks like a header (text)")

    # F7, F8, methods []: the JSON API (kind 7)
    k = "7 web app"
    from faithlens.app import Limits, create_app

    web = create_app(tx, limits=Limits()).test_client()

    def ask(body):
        r = web.post("/api/explain", data=json.dumps(dict({"methods": ["occlusion"]}, **body)),
                     content_type="application/json", headers={"Host": "127.0.0.1:8765"})
        payload = r.get_json(silent=True)
        return {"status": r.status_code, "error": payload.get("error")} if r.status_code >= 400 else {"ok": 200, "json": payload}

    for name, body, words in [
        ("blank items in texts", {"texts": ["", "great fun", "  ", "awful"]}, "position(s) 0, 2"),
        ("pair without text", {"pair": ["great fun", "bad"]}, "no 'text' or 'texts'"),
        ("pairs not aligned with texts", {"texts": ["a", "b"], "pairs": ["c"]}, "Got 2 text(s) and 1 second text(s)"),
        ("methods: []", {"text": "good", "methods": []}, "The 'methods' list is empty"),
    ]:
        add(k, f"API {name}", lambda b=body: ask(b), "error", words)
    add(k, "API texts item with a newline: one text", lambda: ask({"texts": ["great fun\nawful"]}), "ok", "one result",
        lambda r: [e["text"] for e in r["json"]] == ["great fun\nawful"])
    add(k, "API pairs list aligned with texts", lambda: ask({"texts": ["a man sleeps", "a dog runs"],
                                                            "pairs": ["bad\nworse", "an animal moves"]}), "ok",
        "two pairs, the newline kept", lambda r: [e["text_pair"] for e in r["json"]] == ["bad\nworse", "an animal moves"])
    qa_web = create_app(qa_x, limits=Limits()).test_client()
    add(k, "API QA context with a newline", lambda: (lambda r: {"ok": 200, "json": r.get_json()} if r.status_code == 200
                                                      else {"status": r.status_code, "error": r.get_json()["error"]})(
        qa_web.post("/api/explain", data=json.dumps({"text": "Who wrote it?", "pair": "Para one.\nAnn wrote it.",
                                                     "methods": ["occlusion"]}), content_type="application/json",
                    headers={"Host": "127.0.0.1:8765"})), "ok", "the context kept whole",
        lambda r: r["json"][0]["text_pair"] == "Para one.\nAnn wrote it.")

    # F9, F10 and minors: the API's types (kind 13)
    k = "13 api types"
    try:
        import pandas as pd

        add(k, "explain(a DataFrame)", lambda: tx.explain(pd.DataFrame({"text": ["good"], "label": [1]}), "occlusion"),
            "error", 'df["text"].tolist()')
    except ImportError:  # pandas is optional
        pass
    add(k, "classifier: max_new_tokens=3", lambda: tx.explain("great fun", "occlusion", max_new_tokens=3), "error",
        "Drop max_new_tokens")
    add(k, "explain with a list of methods", lambda: tx.explain("great fun", ["occlusion", "ig"]), "error",
        "one method per call")
    add(k, "compare(methods='occlusion')", lambda: tx.compare("great fun", methods="occlusion", faithfulness=False), "ok",
        "one method", lambda c: list(c) == ["occlusion"])
    add(k, "steps=np.int64(3)", lambda: tx.explain("great fun", "ig", steps=np.int64(3)), "ok", "3 steps",
        lambda e: e.settings["steps"] == 3 and json.loads(e.to_json())["settings"]["steps"] == 3)
    add(k, "QA target=[a, b] for one text", lambda: qa_x.explain(("Who wrote it?", "Ann wrote it."), "occlusion",
                                                                 target=[0, 3]), "error", "a tuple: target=(0, 3)")

    # F11: QA answers (kind 10)
    k = "10 squad"
    add(k, "QA answer occurring twice", lambda: qa_x.explain(("Who?", "Ann met Ann."), "occlusion", target="Ann"), "error",
        "occurs 2 times in the context, at characters (0, 3), (8, 11)")
    add(k, "QA span inside a word", lambda: qa_x.explain(("Who?", "Hamlet wrote it."), "occlusion", target=(1, 4)), "ok",
        "a warning naming the widened answer", lambda e: any("does not start and end on token boundaries" in w and
                                                             "(characters 1–4)" in w for w in e.warnings))

    # F12, F15, repeated --target: the command line (kind 12)
    k = "12 parsing"
    for argv, words in [
        (("--random", "5", "--no-faithfulness"), "Drop n_random (CLI --random), or turn the check on"),
        (("--target", "positive", "--target", "negative"), "--target was given twice"),
        (("--baseline", "eos"), "baseline='zero' (CLI --baseline zero), or in explain a vocabulary token, --baseline-token TOKEN."),
    ]:
        add(k, "explain " + " ".join(argv), lambda a=argv: cli("explain", "great fun", "--model", tiny_dir, "--method",
                                                               "occlusion", *a), "error", words)
    add(k, "explain --method ig --mode closed", lambda: cli("explain", "great fun", "--model", tiny_dir, "--method", "ig",
                                                            "--mode", "closed"), "error",
        "--mode closed does nothing for ig; it is read by sig.")  # in CLI words since G13
    add(k, "QA --contrast names CLI options", lambda: cli("explain", "--pair", "Who wrote it?", "Ann wrote it.", "--model",
                                                          qa_dir, "--method", "occlusion", "--contrast", "x"), "error",
        "an extractive question answering model, which has none. Drop the contrast")

    # from_json: values faithlens never writes (kind 15)
    k = "15 json"
    e = tx.explain("a good film", "shapley", n_samples=3)

    def changed(**changes):
        d = e.to_dict()
        for key, value in changes.items():
            d[key] = value(d[key]) if callable(value) else value
        return json.dumps(d)

    no_schema = e.to_dict()
    del no_schema["schema"]
    for name, text, words in [
        ("probs outside [0, 1]", changed(prediction=lambda p: dict(p, probs=[1.5, -0.5])), "a probability lies in [0, 1]"),
        ("probs not summing to 1", changed(prediction=lambda p: dict(p, probs=[0.5, 0.9])), "sum to 1.4"),
        ("an unknown task", changed(task="sentiment"), "'task' is 'sentiment'"),
        ("task qa without a context", changed(task="qa"), "no 'text_pair'"),
        ("an unknown score", changed(score="logits"), "'score' is 'logits'"),
        ("an unknown error kind", changed(error=lambda r: dict(r, kind="guess")), "'error' kind is 'guess'"),
        ("a negative relative error", changed(error=lambda r: dict(r, relative=-0.1)), "a relative error is ≥ 0"),
        ("negative seconds", changed(seconds=-1.0), "a time is ≥ 0"),
        ("deltas without units", changed(deltas=[0.0]), "there are no 'units'"),
        ("provenance a string", changed(provenance="hub"), "'provenance' must be null or a JSON object"),
        ("faithfulness a number", changed(faithfulness=0.4), "'faithfulness' must be null or a JSON object"),
        ("no schema", json.dumps(no_schema), "no 'schema' key"),
    ]:
        add(k, f"from_json: {name}", lambda t=text: faithlens.Explanation.from_json(t), "error", words)
    units = tx.explain("a good film", "sig", steps=4).to_dict()
    add(k, "from_json: a unit holding a special token", lambda: faithlens.Explanation.from_dict(
        dict(units, units=[[0]] + units["units"][1:])), "error", "a special token")
    return out


def third_breaker_cases(work, tx, qa_x, tsv, tiny_dir, qa_dir, folder, write, squad, ok_json, first) -> list[Case]:
    """What a third independent breaker found (issue 22, G1-G19), each in the kind it belongs to: compare()'s
    inputs, yes/no and numeric API parameters, options given twice or empty, gold label names, reserved label
    prefixes, --max-length too small, messages in CLI words, from_json's agreement checks, empty QA answers."""
    import numpy as np

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731

    # G1-G6: the API's types (kind 13)
    k = "13 api types"
    add(k, "compare() with two texts", lambda: tx.compare(["great fun", "a dull mess"], methods=["occlusion"]), "error",
        "compare() explains one text (or one pair) with several methods; got 2 texts")  # G1
    add(k, "compare(methods=[])", lambda: tx.compare("great fun", methods=[]), "error", "compare() got an empty methods list")
    add(k, "compare(methods=iter([]))", lambda: tx.compare("great fun", methods=iter([])), "error", "empty methods list")  # G2
    plain = lambda: tx.explain("great fun", "occlusion", target=1, contrast=0).token_scores  # noqa: E731
    for name, foil in (("numpy.int64(0)", np.int64(0)), ("a 0-d torch tensor", torch.tensor(0))):  # G3
        add(k, f"contrast={name}", lambda f=foil: tx.explain("great fun", "occlusion", target=1, contrast=f), "ok",
            "contrast class 0, the scores of contrast=0, JSON-ready",
            lambda e: e.target["contrast"]["index"] == 0 and e.token_scores == plain() and bool(json.loads(e.to_json())))
    add(k, "explain(memoryview(b'good'))", lambda: tx.explain(memoryview(b"good"), "occlusion"), "error",
        "texts is memoryview; expected a str. Decode it first, e.g. bytes(data).decode('utf-8')")  # G4
    for name, value, words in [  # G5: a str such as 'false' is true in Python
        ("truncate", "false", "truncate must be True or False. Got str 'false'. A str is always true"),
        ("faithfulness", "no", "faithfulness must be True or False. Got str 'no'"),
        ("per_token", 0, "per_token must be True or False. Got int 0"),
        ("return_attributions", None, "return_attributions must be True or False. Got NoneType"),
        ("progress", "off", "progress must be True or False (or None). Got str 'off'"),
    ]:
        add(k, f"explain({name}={value!r})", lambda n=name, v=value: tx.explain("great fun", "occlusion", **{n: v}), "error",
            words)
    add(k, "predict(truncate='false')", lambda: tx.predict("great fun", truncate="false"), "error",
        "truncate must be True or False")
    add(k, "explain(faithfulness=numpy.bool_(True))", lambda: tx.explain("great fun", "occlusion",
                                                                        faithfulness=np.bool_(True)), "ok",
        "read as True: a faithfulness record", lambda e: e.faithfulness is not None)
    smooth = lambda: tx.explain("good film", "smoothgrad", noise=0.25, n_samples=3, warn_above=0.5).token_scores  # noqa: E731
    add(k, "noise=np.float32(0.25), warn_above=np.float32(0.5)", lambda: tx.explain(  # G6
        "good film", "smoothgrad", noise=np.float32(0.25), n_samples=3, warn_above=np.float32(0.5)), "ok",
        "the scores of the plain floats, JSON-ready", lambda e: e.token_scores == smooth() and bool(json.loads(e.to_json())))
    add(k, "compare(tolerance=a 0-d float64 tensor)", lambda: tx.compare(
        "good film", methods=["ig"], tolerance=torch.tensor(0.001, dtype=torch.float64), faithfulness=False), "ok",
        "the scores of tolerance=0.001", lambda c: c["ig"].token_scores == tx.explain("good film", "ig",
                                                                                      tolerance=0.001).token_scores)
    for name, bad in (("numpy.bool_(True)", np.bool_(True)), ("a 2-element tensor", torch.tensor([0.1, 0.2]))):
        add(k, f"noise={name}", lambda b=bad: tx.explain("good film", "smoothgrad", noise=b), "error", "'noise' parameter")

    # G7, G11, G13, G14, G19: the command line (kind 12)
    k = "12 parsing"
    for argv, words in [
        (("explain", "good", "--model", tiny_dir, "--method", "occlusion", "--method", "sig"),  # G7
         "--method was given twice; list several values after one --method: --method occlusion sig"),
        (("evaluate", "--data", tsv, "--seed", "1", "--seed=2"), "--seed was given twice ('1', then '2'); it takes one value"),
        (("explain", "--file", "a.txt", "--file", "b.txt"), "--file was given twice ('a.txt', then 'b.txt')"),
        (("facade", "train", "--model", tiny_dir, "--out", "a", "--out", "b"), "--out was given twice ('a', then 'b')"),
        (("explain", "--pair", "Who wrote it?", "Ann wrote it.", "--model", qa_dir, "--method", "occlusion",  # G11
          "--target-side"), "--target-side sets the generated tokens' side of a causal language model's per-token matrix"),
        (("explain", "good", "--model", tiny_dir, "--method", "occlusion", "--steps", "5"),  # G13
         "--steps 5 does nothing for occlusion"),
        (("explain", "good", "--model", tiny_dir, "--method", "saliency", "--unit", "word"), "--unit word does nothing for saliency"),
        (("explain", "good", "--model", tiny_dir, "--method", "saliency", "--rule", "leja"), "--rule leja does nothing for saliency"),
        (("evaluate", "--model", tiny_dir, "--data", tsv, "--methods", "sig:mode=closed,steps=5"),
         "'sig:mode=closed,steps=5': closed-form SIG has no steps"),
        (("audit", "--model", tiny_dir, "--data", tsv, "--html", ""),  # G19: was skipped as if absent
         "--html was given an empty value; give it a value (PATH, see --help) or drop --html."),
        (("evaluate", "--out= "), "--out was given an empty value"),
        (("explain", "good", "--method", "occlusion", ""), "--method was given an empty value"),
        (("facade", "train", "--init-from", ""), "--init-from was given an empty value"),
        (("explain", "good", "--model", tiny_dir, "--method", "occlusion", "--html", ""), "--html was given an empty value"),
        (("explain", "--model", tiny_dir, "--method", "occlusion", "--", ""), "TEXT argument 1 is empty"),  # a text, not an option
    ]:
        shown = {tiny_dir: "TINY", qa_dir: "QA", tsv: Path(tsv).name}
        add(k, " ".join(repr(a) if not a.strip() else shown.get(a, a) for a in argv), lambda a=argv: cli(*a), "error", words)
    add(k, "explain -- --method (a text after --)", lambda: cli("explain", "--model", tiny_dir, "--method", "occlusion",
                                                                "--json", "--no-faithfulness", "--", "--method"),
        "ok", "the text '--method' explained", lambda r: ok_json(1)(r) and first(r)["text"] == "--method")
    seed_help = lambda r: " ".join(r.out.split()).partition("--seed SEED seed")[2][:400]  # noqa: E731
    seeded = ("shapley", "kernel_shap", "lime", "random")
    add(k, "explain --help: --seed names every seeded method", lambda: cli("explain", "--help"), "ok",  # G14
        "shapley, kernel_shap, lime, random and the faithfulness check's orderings",
        lambda r: r.code == 0 and all(w in seed_help(r) for w in (*seeded, "random word orderings")))
    add(k, "evaluate --help: --seed names every seeded method", lambda: cli("evaluate", "--help"), "ok",
        "shapley, kernel_shap, lime and the random row", lambda r: r.code == 0 and all(w in seed_help(r) for w in seeded))

    # G8: gold label names follow the model's own names (kind 4)
    k = "4 data"
    nli_dir = folder("g-nli", "bert", ["entailment", "neutral", "contradiction"], num_labels=3)
    rows = [("a man sleeps", "a person rests", "neutral"), ("a dog runs", "an animal moves", "Entailment"),
            ("kids play", "nobody plays", "contradiction")]
    nli = write("g-snli.jsonl", "".join(json.dumps({"premise": p, "hypothesis": h, "label": y}) + "\n" for p, h, y in rows))
    run = work / "g-snli-run"

    def gold_labels():
        done = cli("evaluate", "--model", nli_dir, "--data", nli, "--methods", "occlusion", "--no-shuffle", "--quiet",
                   "--no-curves", "--no-random", "--out", str(run))
        return _first_of(done, {json.loads(x)["text"]: json.loads(x)["label"]
                                for x in (run / "records.jsonl").read_text().splitlines()} if done.code == 0 else {})

    add(k, "evaluate: SNLI label names on a model named entailment/neutral/contradiction", gold_labels, "ok",
        "neutral is class 1, entailment 0, contradiction 2 (the model's, not sorted order)",
        lambda r: r[0].code == 0 and r[1] == {"a man sleeps": 1, "a dog runs": 0, "kids play": 2})
    unsure = write("g-unsure.jsonl", json.dumps({"premise": "a cat naps", "hypothesis": "a cat sleeps", "label": "unsure"})
                   + "\n" + json.dumps({"premise": "a", "hypothesis": "b", "label": "neutral"}) + "\n")
    add(k, "evaluate: a gold label name the model lacks", lambda: cli("evaluate", "--model", nli_dir, "--data", unsure,
                                                                     "--methods", "occlusion", "--quiet"), "error",
        "include 'unsure', which the model does not have (its labels: entailment, neutral, contradiction)")

    def api_evaluate_out(value):
        from faithlens.evaluate.run import evaluate

        return evaluate(tx.model, faithlens_data().read_file(tsv), methods=["occlusion"], out=value, progress=False)

    add(k, "API evaluate(out='')", lambda: api_evaluate_out(""), "error", "was given an empty path")  # G19

    # G9, G10, G19: training (kind 11)
    k = "11 training options"
    train = lambda *more: cli("train", "--train", tsv, "--base", tiny_dir, "--out", str(work / "g-train"), *more)  # noqa: E731
    for argv, words in [
        (("--labels", "neg", "index:1"), "names a class 'index:1': 'index:' and 'label:' are reserved prefixes"),  # G9
        (("--labels", "LABEL:pos", "neg"), "names a class 'LABEL:pos': 'index:' and 'label:' are reserved prefixes"),
        (("--max-length", "1"), "adds 2 special tokens to each text, so every input would train on nothing. "  # G10
                                "Pass --max-length 3 or more"),
        (("--max-length", "2"), "--max-length 3 or more"),
    ]:
        add(k, "train " + " ".join(argv), lambda a=argv: train(*a), "error", words)
    add(k, "train --max-length 3 (the least useful value)", lambda: _first_of(
        cli("train", "--train", tsv, "--base", tiny_dir, "--max-length", "3", "--out", str(work / "g-len3")), work / "g-len3"),
        "ok", "a model trained", lambda r: r[0].code == 0 and (r[1] / "config.json").exists())

    def fine_tune(**kw):
        from faithlens.training import fine_tune as tune

        args = dict(base_model=tiny_dir, train=(["good film", "bad film"], [1, 0]), validation=([], []), test=([], []),
                    out_dir=work / "g-api-ft", label_names=["negative", "positive"], progress=False)
        return tune(**dict(args, **kw))

    add(k, "fine_tune(pairs, max_length=4)", lambda: fine_tune(
        train=([("a man sleeps", "a person rests"), ("a dog runs", "a cat sits")], [1, 0]), max_length=4), "error",
        "adds 3 special tokens to each pair, so every input would train on nothing. Pass --max-length 5 or more")
    add(k, "fine_tune(out_dir='')", lambda: fine_tune(out_dir=""), "error", "empty path")  # G19: read as '.'

    # G12, G15: settings' values (kinds 2 and 16)
    k = "16 overflow"
    for spec, words in [("ig:steps=nan", "Got 'nan'."), ("ig:steps=0N", "Got '0N'."),
                        ("sig:tolerance=-1", "Expected a number in (0, 1) in method spec 'sig:tolerance=-1'. Got '-1'.")]:
        add(k, f"evaluate {spec}", lambda s=spec: cli("evaluate", "--model", tiny_dir, "--data", tsv, "--methods", s,
                                                      "--quiet"), "error", words)
    add(k, "method spec ig:steps=3n", lambda: faithlens_specs().parse_method("ig:steps=3n"), "ok", "3 steps per token",
        lambda m: m.steps_per_token == 3)
    add(k, "explain --warn-above inf", lambda: cli("explain", "good", "--model", tiny_dir, "--method", "occlusion",
                                                   "--warn-above", "inf"), "error", "must be a finite number ≥ 0")  # G15

    # G15, G17: SQuAD files and QA answers (kind 10)
    k = "10 squad"
    add(k, "SQuAD file: an object without 'data'", lambda: faithlens_qa().read_squad(squad("g-nodata", raw='{"version": 1}')),
        "error", "must be a JSON object whose \"data\" is a list of articles. Got an object with keys ['version']")
    for target in ("", "  "):  # G17: not "does not occur in the context"
        add(k, f"QA target={target!r}", lambda t=target: qa_x.explain(("Who wrote it?", "Ann wrote it."), "occlusion",
                                                                        target=t), "error", f"The answer is empty ({target!r})")
    add(k, "QA --answer '  '", lambda: cli("explain", "--pair", "Who wrote it?", "Ann wrote it.", "--model", qa_dir,
                                          "--method", "occlusion", "--answer", "  "), "error", "The answer is empty")

    # G16: from_json checks fields against each other (kind 15)
    k = "15 json"
    sampled = tx.explain("a good film", "shapley", n_samples=3)
    magnitudes = tx.explain("a good film", "saliency")

    def changed(e, **changes):
        d = e.to_dict()
        for key, value in changes.items():
            d[key] = value(d[key]) if callable(value) else value
        return json.dumps(d)

    for name, text, words in [
        ("shapley with signed false", changed(sampled, signed=False), "'signed' is false, but shapley's scores are signed"),
        ("saliency with signed true", changed(magnitudes, signed=True), "'signed' is true, but saliency's scores are magnitudes"),
        ("settings' target not the target", changed(sampled, settings=lambda s: dict(s, target=1 - s["target"])),
         "'settings' target is"),
        ("schema true", changed(sampled, schema=True), "'schema' must be an integer"),  # H4 words: not the version
        ("schema 4.0", changed(sampled, schema=4.0), "'schema' must be an integer"),
    ]:
        add(k, f"from_json: {name}", lambda t=text: faithlens.Explanation.from_json(t), "error", words)
    add(k, "from_json: a saliency round trip (signed false)", lambda: faithlens.Explanation.from_json(magnitudes.to_json()),
        "ok", "equal, unsigned", lambda back: back == magnitudes and back.signed is False)

    # G18: the --target prefixes (kind 14)
    k = "14 digit labels"
    for target, index in (("INDEX:1", 1), ("Label:positive", 1), (" index :0", 0)):
        add(k, f"API target={target!r} (prefix in another case)", lambda t=target: tx.explain("good", "occlusion", target=t),
            "ok", f"class {index}", lambda e, i=index: e.target["index"] == i)
    odd_dir = folder("g-index-label", "bert", ["index:1", "plain"])
    odd = faithlens.Explainer(odd_dir)
    add(k, "API labels ('index:1', 'plain'): target='INDEX:1'", lambda: odd.explain("good", "occlusion", target="INDEX:1"),
        "error", "it is the label name 'INDEX:1' (class 0) and, read by its 'index:' prefix, class 1 ('plain')")
    for target, index in (("label:INDEX:1", 0), ("1", 1)):
        add(k, f"API labels ('index:1', 'plain'): target={target!r}", lambda t=target: odd.explain("good", "occlusion",
                                                                                                  target=t),
            "ok", f"class {index}", lambda e, i=index: e.target["index"] == i)
    agree = faithlens.Explainer(folder("g-index-agree", "bert", ["plain", "index:1"]))
    add(k, "API labels ('plain', 'index:1'): target='index:1' (both readings class 1)",
        lambda: agree.explain("good", "occlusion", target="index:1"), "ok", "class 1", lambda e: e.target["index"] == 1)
    add(k, "CLI labels ('index:1', 'plain'): --target index:1", lambda: cli("explain", "good", "--model", odd_dir, "--method",
                                                                           "occlusion", "--target", "index:1"),
        "error", "Write label:index:1 for the label named so, or the plain number 1 for class 1")
    return out


def fourth_breaker_cases(work, tx, qa_x, tsv, tiny_dir, qa_dir, write, squad) -> list[Case]:
    """What a fourth independent breaker found (issue 22, I1-I7), each in the kind it belongs to: the web app's JSON
    values read by the API's rules (an empty target, numbers and yes/no given as strings), --baseline with
    --baseline-token, a folder with a dot given for a file, a QA model given single texts on surfaces without --pair,
    --subset of QA data, and --max-length suggestions that work when applied."""
    import re

    from faithlens.app import Limits, create_app

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    host = {"Host": "127.0.0.1:8765"}
    apps = {}

    def web(explainer, body, *, form=False):
        key = id(explainer)
        if key not in apps:
            apps[key] = create_app(explainer, limits=Limits()).test_client()
        r = (apps[key].post("/api/explain", data=body, headers=host) if form else
             apps[key].post("/api/explain", data=json.dumps(body), content_type="application/json", headers=host))
        payload = r.get_json(silent=True)
        if r.status_code >= 400:
            return {"status": r.status_code, "error": (payload or {}).get("error") if isinstance(payload, dict) else None}
        return {"ok": r.status_code, "json": payload}

    # I1, I2: the web app's JSON values follow the Python API's types (kind 7)
    k = "7 web app"
    add(k, 'I1: JSON "target": "" (the API refuses target="")', lambda: web(tx, {"text": "good fun", "method": "occlusion",
                                                                          "target": ""}), "error", "Unknown target ''")  # I1
    add(k, "I1: form target= (the predicted-class choice)", lambda: web(tx, {"text": "good fun", "method": "occlusion",
                                                                        "target": ""}, form=True),
        "ok", "the predicted class", lambda r: r.get("ok") == 200 and r["json"][0]["target"]["index"]
        == int(tx.predict("good fun").argmax()))
    for name, body, words in [  # I2
        ('JSON "steps": "5"', {"text": "good", "method": "ig", "steps": "5"}, "as a JSON number"),
        ('JSON "samples": "3"', {"text": "good", "method": "smoothgrad", "samples": "3"}, "as a JSON number"),
        ('JSON "steps": 5.0', {"text": "good", "method": "ig", "steps": 5.0}, "Got float 5.0"),
        ('JSON "truncate": "true"', {"text": "good", "method": "occlusion", "truncate": "true"}, "a JSON boolean"),
    ]:
        add(k, f"I2: {name}", lambda b=body: web(tx, b), "error", words)
    add(k, "I2: form steps=5 (a form sends text)", lambda: web(tx, {"text": "good", "method": "ig", "steps": "5"}, form=True),
        "ok", "5 steps", lambda r: r.get("ok") == 200 and r["json"][0]["settings"]["steps"] == 5)

    # I3: --baseline and --baseline-token are alternatives (kind 2)
    k = "2 options"
    add(k, "I3: --baseline pad --baseline-token good", lambda: cli("explain", "good", "--model", tiny_dir, "--method",
                                                               "occlusion", "--baseline", "pad", "--baseline-token", "good"),
        "error", "--baseline pad and --baseline-token good) are alternatives")
    add(k, "I3: API baseline='pad', baseline_token='[PAD]'", lambda: tx.explain("good", "occlusion", baseline="pad",
                                                                           baseline_token="[PAD]"),
        "error", "baseline='pad' and baseline_token='[PAD]'")

    # I4: a folder whose name has a dot, given for a file (kind 17)
    k = "17 paths"
    dotted = work / "out.v1"
    dotted.mkdir(exist_ok=True)
    add(k, "I4: explain --html out.v1/ (a folder)", lambda: cli("explain", "good", "--model", tiny_dir, "--method", "occlusion",
                                                            "--html", str(dotted)), "error", f"{dotted / 'report.html'}")
    for option, suffix in (("--json", ".json"), ("--markdown", ".md")):
        add(k, f"I4: audit {option} out.v1/ (a folder)", lambda o=option: cli("audit", "--model", tiny_dir, "--data", tsv, o,
                                                                         str(dotted)), "error", f"{dotted / ('report' + suffix)}")

    # I5: a QA model given single texts, in each surface's words (kind 12)
    k = "12 argument parsing"
    for command in (("audit", "--limit", "2", "--steps", "2"), ("evaluate", "--methods", "occlusion", "--quiet")):
        add(k, f"I5: {command[0]} a QA model on single texts", lambda c=command: cli(c[0], "--model", qa_dir, "--data", tsv,
                                                                               *c[1:]),
            "error", "Pass --data with questions and their contexts: a SQuAD-format .json file")
    add(k, "I5: web app: a QA model on single texts", lambda: web(qa_x, {"text": "Who wrote it?", "method": "occlusion"}),
        "error", 'Put each question\'s context in the "Contexts" box')

    def qa_audit_api():
        from faithlens.audit.report import audit

        return audit(qa_x.model, ["Who wrote it?"], progress=False)

    add(k, "I5: API audit() of a QA model on single texts", qa_audit_api, "error", "audit(model, [('Who wrote it?'")

    # I6, I7: QA training sizes (kind 11)
    k = "11 training options"
    qa_squad = squad("i-subset")
    add(k, "I6: train --task qa --subset 10 (more than the data)", lambda: cli(
        "train", "--task", "qa", "--train", qa_squad, "--base", qa_dir, "--max-length", "48", "--stride", "16",
        "--subset", "10", "--epochs", "1", "--out", str(work / "i-subset")), "ok", "a note: all are used",
        lambda r: r.code == 0 and "--subset 10 is not smaller than the 1 training questions; training on all 1" in r.err)

    def suggestion_applied():
        argv = ("train", "--task", "qa", "--train", qa_squad, "--base", qa_dir, "--epochs", "1")
        refused = cli(*argv, "--max-length", "8", "--out", str(work / "i-len8"))
        said = dict(re.findall(r"(--max-length|--stride) (\d+)", refused.err.split("tokens, not more than", 1)[-1]))
        return _first_of(cli(*argv, *[x for pair in said.items() for x in pair], "--out", str(work / "i-len-ok")),
                         refused, said)

    add(k, "I7: train --task qa --max-length 8", lambda: cli(
        "train", "--task", "qa", "--train", qa_squad, "--base", qa_dir, "--max-length", "8", "--out", str(work / "i-8")),
        "error", "Pass --max-length 64 and --stride 28 (the base model has 64 positions)")  # I7
    add(k, "I7: train --task qa --max-length 8, then its suggestion", suggestion_applied, "ok", "the suggestion trains",
        lambda r: r[0].code == 0 and r[1].code == 2 and r[2] == {"--max-length": "64", "--stride": "28"})
    return out


def fourth_breaker_cases_core(work, tx, tsv, tiny_dir, lm_dir, swapped_dir, agree_dir, ok_json, first) -> list[Case]:
    """What a fourth independent breaker found (issue 22, H1-H5), each in the kind it belongs to: faithfulness on a
    causal LM whose continuation is longer than its prompt, digit targets written another way ('01', '１'), a pair's
    empty second text, from_json documents whose fields contradict each other, an empty out_dir / out in Python."""
    from tiny import tiny

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731

    # H1: faithfulness on a causal LM, the continuation longer than the prompt (kind 9)
    k = "9 causal LM"
    long = " positive and very long continuation"
    lm_x = faithlens.Explainer(tiny("gpt2_lm", dtype=torch.float64))
    add(k, "causal LM: continuation longer than the prompt, faithfulness on (CLI default)", lambda: cli(
        "explain", "the film", "--model", lm_dir, "--method", "occlusion", "--target-text", long, "--json"), "ok",
        "a faithfulness record (k = 0 on a 3-token prompt)",
        lambda r: ok_json(1)(r) and first(r)["faithfulness"]["k"] == 0)
    add(k, "causal LM API: continuation longer than the prompt, faithfulness=True", lambda: lm_x.explain(
        "the film was a quiet and very good one", "occlusion", target=long, faithfulness=True), "ok",
        "k ≥ 1 and finite comp/suff", lambda e: e.faithfulness["k"] >= 1 and all(
            abs(e.faithfulness[n]) < 1 for n in ("comp", "suff")))

    # H2: digit targets written another way (kind 14)
    k = "14 digit labels"
    swapped = faithlens.Explainer(swapped_dir)
    for target in ("01", "１", " 00"):
        add(k, f"API labels ('1', '0'): target={target!r}", lambda t=target: swapped.explain("good", "occlusion", target=t),
            "error", "(read as the number")
    for target in ("01", "１"):
        add(k, f"CLI labels ('1', '0'): --target {target}", lambda t=target: cli(
            "explain", "good", "--model", swapped_dir, "--method", "occlusion", "--target", t), "error",
            "it is the label name '1' (read as the number 1) (class 0) and the class index 1")
    agree = faithlens.Explainer(agree_dir)
    add(k, "API labels ('0', '1'): target='01' (both readings class 1)", lambda: agree.explain(
        "good", "occlusion", target="01"), "ok", "class 1", lambda e: e.target["index"] == 1)

    # H3: a pair's empty or None second text (kind 13)
    k = "13 api types"
    for texts, words in [(("a premise", ""), "The second text of pair 0 is empty"),
                         ([("a", None)], "The second text of pair 0 is None, not a str"),
                         (["good", ("", "b")], "The first text of pair 1 is empty")]:
        add(k, f"explain({texts!r})", lambda t=texts: tx.explain(t, "occlusion"), "error", words)

    # H4: from_json fields that contradict each other (kind 15)
    k = "15 json"
    e = tx.explain("a good film", "occlusion")

    def changed(**changes):
        d = e.to_dict()
        for key, value in changes.items():
            d[key] = value(d[key]) if callable(value) else value
        return json.dumps(d)

    for name, text, words in [
        ("probs whose argmax is not prediction.index", changed(prediction=lambda p: dict(p, probs=p["probs"][::-1])),
         "the prediction is the most probable class"),
        ("a special token with a score", changed(token_scores=lambda t: [0.25] + t[1:]), "a special token scores 0"),
        ("a text_pair on a single-text explanation", changed(text_pair="a second text"),
         "there is a 'text_pair', but no word lies in it"),
        ("schema '4' (a str)", changed(schema="4"), "'schema' must be an integer, e.g. \"schema\": 6. Got str '4'"),
    ]:
        add(k, f"from_json: {name}", lambda t=text: faithlens.Explanation.from_json(t), "error", words)

    # H5: an empty out_dir / out in Python (kind 11)
    k = "11 training options"

    def tune_qa():
        from faithlens.training import fine_tune_qa

        return fine_tune_qa(base_model=tiny_dir, train=[object()], test=[], out_dir="")

    add(k, "fine_tune_qa(out_dir='')", tune_qa, "error", "The 'out_dir' of fine_tune_qa was given an empty path")

    def api_evaluate_out():
        from faithlens.data import read_file
        from faithlens.evaluate.run import evaluate

        return evaluate(tx.model, read_file(tsv), methods=["occlusion"], out="", progress=False)

    add(k, "API evaluate(out='') names 'out', not --out", api_evaluate_out, "error",
        "The 'out' parameter of evaluate was given an empty path; expected a folder, e.g. out='runs/my-run'")
    return out


def fifth_breaker_cases_k(tx, qa_x, swapped_dir) -> list[Case]:
    """What a fifth independent breaker found (issue 22, K1-K4), each in the kind it belongs to: a web request without
    "model" answered by the model another client chose last, a QA span target in the web app, a one-text pair string
    with several lines on a pair classifier and "pair" with "pairs", target messages that misquote the label name."""
    from faithlens.app import Limits, create_app
    from tiny import tiny

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    host = {"Host": "127.0.0.1:8765"}

    def web(client, body):
        r = client.post("/api/explain", data=json.dumps(body), content_type="application/json", headers=host)
        payload = r.get_json(silent=True)
        if r.status_code >= 400:
            return {"status": r.status_code, "error": (payload or {}).get("error") if isinstance(payload, dict) else None}
        return {"ok": r.status_code, "json": payload}

    # K1: a request without "model" gets the default (the first model), whatever another client chose (kind 7)
    k = "7 web app"
    other = faithlens.Explainer(tiny("bert", seed=1, dtype=torch.float64))
    body = {"texts": ["good"], "methods": ["occlusion"]}
    want = {"A": tx.explain("good", "occlusion").token_scores, "B": other.explain("good", "occlusion").token_scores}

    def after_another_chose():
        client = create_app(tx, limits=Limits(), models={"B": other}).test_client()
        chosen = web(client, {**body, "model": "B"})
        return {**web(client, body), "chosen": chosen}

    close = lambda a, b: max(abs(x - y) for x, y in zip(a, b)) < 1e-6  # noqa: E731
    add(k, "K1: no \"model\" after another client chose model B", after_another_chose, "ok", "the default model's scores",
        lambda r: r.get("ok") == 200 and close(r["json"][0]["token_scores"], want["A"])
        and close(r["chosen"]["json"][0]["token_scores"], want["B"]) and not close(want["A"], want["B"]))

    # K2: a QA target as a [start, end] span in JSON (kind 7)
    qa_client, tx_client = create_app(qa_x, limits=Limits()).test_client(), create_app(tx, limits=Limits()).test_client()
    span = {"text": "Who wrote it?", "pair": "Ann wrote it.", "method": "occlusion", "target": [0, 3]}
    expected = qa_x.explain([("Who wrote it?", "Ann wrote it.")], "occlusion", target=(0, 3))[0].token_scores
    add(k, 'K2: QA "target": [0, 3] (the API\'s target=(0, 3))', lambda: web(qa_client, span), "ok", "the API's span",
        lambda r: r.get("ok") == 200 and r["json"][0]["target"]["label"] == "Ann"
        and close(r["json"][0]["token_scores"], expected))
    add(k, 'K2: QA "target": [0, 3, 4]', lambda: web(qa_client, {**span, "target": [0, 3, 4]}), "error",
        "an answer text or a [start, end] character span of the context (QA")
    add(k, 'K2: classifier "target": [0, 3]', lambda: web(tx_client, {**span, "target": [0, 3]}), "error",
        "read only as a QA model's answer span")
    add(k, 'K2: QA "target": "0,3" (an answer text)', lambda: web(qa_client, {**span, "target": "0,3"}), "error",
        'a character span is sent in JSON as "target": [start, end]')

    # K3: second texts of pairs (kind 7)
    add(k, 'K3: pair classifier, one text, "pair": "c one\\nc two"', lambda: web(tx_client, {
        "text": "q1", "pair": "c one\nc two", "method": "occlusion"}), "error", "one second text (hypothesis) per text")
    add(k, 'K3: QA, one text, "pair" a context with a newline', lambda: web(qa_client, {
        "text": "Who wrote it?", "pair": "Para one.\nAnn wrote it.", "method": "occlusion"}), "ok", "one context, kept whole",
        lambda r: r.get("ok") == 200 and len(r["json"]) == 1 and r["json"][0]["text_pair"] == "Para one.\nAnn wrote it.")
    add(k, 'K3: "pair" and "pairs" together', lambda: web(tx_client, {"text": "q1", "pair": "c one", "pairs": ["c two"],
                                                                     "method": "occlusion"}),
        "error", "Got both 'pair' and 'pairs'")

    # K4: target messages quote the model's own label name (kind 14)
    k = "14 digit labels"
    add(k, "K4: CLI labels ('1', '0'): --target ' 1'", lambda: cli(
        "explain", "good", "--model", swapped_dir, "--method", "occlusion", "--target", " 1"), "error",
        "it is the label name '1' (class 0) and the class index 1 (label '0'). Write label:1 for the label")
    prefixed = tiny("bert", num_labels=3)
    prefixed.model.config.id2label = dict(enumerate(["index:1", "label:0", "2"]))
    odd = faithlens.Explainer(prefixed)
    add(k, "K4: API labels ('index:1', 'label:0', '2'): target='Index:1'", lambda: odd.explain(
        "good", "occlusion", target="Index:1"), "error",
        "it is the label name 'index:1' (class 0) and, read by its 'index:' prefix, class 1 ('label:0'). Write label:index:1")
    return out


class _first_of(tuple):
    """(a CLI result, what else the check reads): judged like the CLI result (a refusal is an error)."""

    def __new__(cls, result, *more):
        return super().__new__(cls, (result, *more))


def fifth_breaker_cases_l(tx, tiny_dir, ok_json, first) -> list[Case]:
    """What a fifth independent breaker found in the views' numbers (issue 22, L1): a word of several tokens read
    its tokens' normalised scores summed (up to √n, "unwatchably[+1.73]" under a legend saying −1..1)."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "3 text"
    within = lambda words: all(abs(w) <= 1 + 1e-9 for w in words) and abs(sum(w * w for w in words) - 1) < 1e-6  # noqa: E731
    for method in ("sig", "occlusion", "ig"):
        add(k, f"L1: one word of three tokens (\"can't\"), {method}: normalised word score", lambda m=method: tx.explain(
            "can't", m), "ok", "±1 (its own norm)", lambda e: len(e.words) == 1 and abs(abs(e.words[0].score_normalised) - 1) < 1e-9)
    add(k, "L1: CLI --json, words of several tokens: normalised word scores within −1..1", lambda: cli(
        "explain", "you can't stop, can't you", "--model", tiny_dir, "--method", "occlusion", "--json",
        "--no-faithfulness"), "ok", "squares add to 1", lambda r: ok_json(1)(r) and within(
            [w["score_normalised"] for w in first(r)["words"]]))
    return out

def seventh_breaker_cases_d(write, tiny_dir, tx) -> list[Case]:
    """What the seventh and eighth breakers found in the lines of texts and the web app's bodies (issue 22, kinds 9
    and 7), fixed by the lead: a bare number on some pair lines, a '-' among the TEXT arguments, an empty file, a
    JSON body sent as text/plain."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "9 files of pairs"
    mixed = write("mixnum.tsv", "great fun\t1\nA dog runs.\tAn animal moves.\n")
    add(k, "a gold label on one pair line of two", lambda: cli("explain", "--model", tiny_dir, "--file", mixed),
        "error", "Line 1 of --file")
    blank = write("blank.txt", "\n  \n")
    add(k, "a file of blank lines", lambda: cli("explain", "--model", tiny_dir, "--file", blank), "error",
        "held no text")
    add(k, "'-' between two TEXT arguments keeps its place", lambda: cli(
        "explain", "--model", tiny_dir, "dull", "-", "nice", "--method", "occlusion", "--json", "--no-faithfulness",
        stdin="great fun\n"), "ok", "argument order", lambda r: r.code == 0 and [
            json.loads(x)["text"] for x in r.out.splitlines()] == ["dull", "great fun", "nice"])
    for method, more in (("ig", ()), ("sig", ("--steps", "auto"))):
        add("16 values that overflow", f"{method} --tolerance 1e-300 (below float32 rounding)", lambda m=method, a=more: cli(
            "explain", "good film", "--model", tiny_dir, "--method", m, *a, "--tolerance", "1e-300", "--json",
            "--no-faithfulness"), "ok", "a warning naming the error reached and float64", lambda r: r.code == 0 and any(
                "below what float32 rounding" in w and "float64" in w for w in json.loads(r.out)["warnings"]))
    inner = Path(write("inner-tr.tsv", "sentence\tlabel\ngood\t1\nbad\t0\nfine\t1\ndull\t0\n")).parent / "inner"
    inner.mkdir(exist_ok=True)
    inside = inner / "tr.tsv"
    inside.write_text("sentence\tlabel\ngood\t1\nbad\t0\nfine\t1\ndull\t0\n", encoding="utf-8")
    add("17 paths", "train --out the folder holding --train, --overwrite", lambda: cli(
        "train", "--train", str(inside), "--base", tiny_dir, "--out", str(inner), "--overwrite"), "error",
        "holds the --train", lambda r: r.code == 2 and inside.is_file())
    add("17 paths", "facade merge --out the --model folder, --overwrite", lambda: cli(
        "facade", "merge", "--model", tiny_dir, "--facade", tiny_dir, "--out", tiny_dir, "--overwrite"), "error",
        "is the --model")
    for more, words in [(("--gain", "1e308"), "up to 1e+06"), (("--gain", "2", "--calibrate", "x.tsv"), "does nothing"),
                        (("--limit", "3"), "texts of --check"), (("--split", "dev"), "texts of --check")]:
        add("16 values that overflow" if "1e308" in more else "12 argument parsing", f"facade merge {' '.join(more)}",
            lambda m=more: cli("facade", "merge", "--model", tiny_dir, "--facade", tiny_dir, "--out",
                               str(inner.parent / "merge-out"), *m), "error", words)
    add("3 text", "saliency and occlusion: rank agreement by |score|", lambda: cli(
        "explain", "not bad at all, a fine film", "--model", tiny_dir, "--method", "saliency", "occlusion",
        "--no-faithfulness"), "ok", "the pair says (of |scores|)", lambda r: r.code == 0 and "(of |scores|)" in r.out)
    add("12 argument parsing", "serve --allow-host ''", lambda: cli("serve", "--allow-host", ""), "error",
        "--allow-host was given an empty value")
    for value in ("words/nofile.txt", "stop.txt"):
        add("17 paths", f"audit --token-class {value} (missing)", lambda v=value: cli(
            "audit", "--model", tiny_dir, "--token-class", v), "error", "no such file")
    cut = {k: v for k, v in tx.explain("good film", "occlusion").to_dict().items() if k != "error"}
    add("15 JSON round trips", "from_dict: a current file without 'error'", lambda: faithlens.Explanation.from_dict(cut),
        "error", "missing keys ['error']")
    from faithlens.app import Limits, create_app

    app = create_app(tx, limits=Limits()).test_client()

    def post(content_type):
        r = app.post("/api/explain", data=json.dumps({"text": "good film"}), content_type=content_type,
                     headers={"Host": "127.0.0.1:8765"})
        payload = r.get_json(silent=True) or {}
        return {"status": r.status_code, "error": payload.get("error")} if r.status_code >= 400 else {"ok": r.status_code}

    add("12 argument parsing", "--method occlusion occlusion", lambda: cli(
        "explain", "good", "--model", tiny_dir, "--method", "occlusion", "occlusion"), "error", "more than once")
    r_twice = lambda: app.post("/api/explain", data=json.dumps({"text": "good", "methods": ["ig"] * 3}),  # noqa: E731
                               content_type="application/json", headers={"Host": "127.0.0.1:8765"})
    add("7 web app", "methods [ig, ig, ig]", lambda: (lambda r: {"status": r.status_code, "error": (
        r.get_json(silent=True) or {}).get("error")})(r_twice()), "error", "more than once")
    for content_type in ("text/plain", "application/octet-stream"):
        add("7 web app", f"a JSON body sent as {content_type}", lambda c=content_type: post(c), "error",
            "Content-Type: application/json")
    return out


def fifth_breaker_cases_j(work, tx, lm_dir, squad, train_qa, ok_json, first) -> list[Case]:
    """What a fifth independent breaker found (issue 22, J1-J5), each in the kind it belongs to: from_json numbers past
    the float range (10**400), --truncate on a causal LM (the prompt's last tokens are kept), a SQuAD file given to
    train without --task qa, SQuAD files nested wrongly or with an answer text that is no string or has spaces around
    it, and the Python API's model= given an int or a file, from_json given a dict."""
    from faithlens.app import Limits, create_app

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731

    # J1: numbers past the float range in a saved explanation (kind 15)
    k = "15 json"
    e = tx.explain("a good film", "occlusion", faithfulness=True)

    def huge(edit):
        d = e.to_dict()
        edit(d)
        return json.dumps(d)

    for name, edit in [("seconds", lambda d: d.update(seconds=10 ** 400)),
                       ("token_scores[1]", lambda d: d["token_scores"].__setitem__(1, 10 ** 400)),
                       ("faithfulness.comp", lambda d: d["faithfulness"].update(comp=-10 ** 400)),
                       ("settings.steps", lambda d: d["settings"].update(steps=10 ** 400))]:
        add(k, f"J1: from_json, {name} = 10**400", lambda t=huge(edit): faithlens.Explanation.from_json(t), "error",
            f"'{name}' holds an integer of 401 digits; expected finite numbers")
    add(k, "J1: from_dict, error.relative = 10**400", lambda: faithlens.Explanation.from_dict(
        dict(e.to_dict(), error={"kind": "exact", "relative": 10 ** 400})), "error", "expected finite numbers")
    add(k, "J1: from_json, a 5001-digit seconds", lambda: faithlens.Explanation.from_json(
        e.to_json().replace('"seconds": ', '"seconds": 1' + "0" * 5000 + ', "x": ', 1)), "error",
        "a number has 5001 digits; expected finite numbers")
    add(k, "J5: from_json(a dict)", lambda: faithlens.Explanation.from_json(e.to_dict()), "error",
        "call Explanation.from_dict(d) instead")

    # J2: --truncate on a causal LM keeps the prompt's last tokens, on every surface (kind 9)
    k = "9 causal LM"
    long_prompt = " ".join(["the film was very good and fun, but"] * 30)
    lm_x = faithlens.Explainer(lm_dir)
    add(k, "J2: causal LM, a long prompt without --truncate", lambda: cli(
        "explain", long_prompt, "--model", lm_dir, "--method", "occlusion"), "error", "keep the prompt's last tokens")
    add(k, "J2: causal LM --truncate", lambda: cli("explain", long_prompt, "--model", lm_dir, "--method", "occlusion",
                                                  "--target-text", " fun", "--truncate", "--json"), "ok",
        "truncated, the prompt's end kept", lambda r: ok_json(1)(r) and first(r)["truncated"]
        and max(o[1] for o, sp in zip(first(r)["offsets"], first(r)["special"]) if not sp) == len(long_prompt))

    def same_as_direct():
        cut = lm_x.explain(long_prompt, "occlusion", target=" fun", truncate=True)
        start = min(o[0] for o, sp in zip(cut.offsets, cut.special) if not sp)
        direct = lm_x.explain(long_prompt[start:], "occlusion", target=" fun")
        return cut, direct

    add(k, "J2: API truncate=True equals explaining the kept prompt", same_as_direct, "ok", "the same scores",
        lambda r: r[0].truncated and r[0].tokens == r[1].tokens and all(
            abs(a - b) <= 1e-5 * max(1.0, abs(b)) for a, b in zip(r[0].token_scores, r[1].token_scores)))
    client = create_app(lm_x, limits=Limits()).test_client()

    def web(body):
        r = client.post("/api/explain", data=json.dumps(body), content_type="application/json",
                        headers={"Host": "127.0.0.1:8765"})
        payload = r.get_json(silent=True)
        if r.status_code >= 400:
            return {"status": r.status_code, "error": (payload or {}).get("error") if isinstance(payload, dict) else None}
        return {"ok": r.status_code, "json": payload}

    add(k, 'J2: web app "truncate": true on a causal LM', lambda: web({"text": long_prompt, "method": "occlusion",
                                                                      "truncate": True}), "ok", "truncated",
        lambda r: r.get("ok") == 200 and r["json"][0]["truncated"])

    # J3, J4: SQuAD files (kind 10)
    k = "10 squad"
    good = squad("j-good")
    add(k, "J3: train a SQuAD file without --task qa", lambda: cli("train", "--train", good, "--out", str(work / "j3")),
        "error", "is laid out as a SQuAD-format file (a JSON object with a top-level \"data\" list, as SQuAD holds "
                 "questions with their answers in a context), which trains a question-answering model: pass --task qa")
    qa = {"id": "q1", "question": "Who wrote the book?", "answers": [{"text": "Ann", "answer_start": 0}]}
    ctx = "Ann wrote the book in Paris in 1901."
    for name, doc, words in [
        ("paragraphs an object", {"data": [{"title": "B", "paragraphs": {"context": ctx, "qas": [qa]}}]},
         "article 'B': \"paragraphs\" is a JSON object; expected a list"),
        ("qas an object", {"data": [{"title": "B", "paragraphs": [{"context": ctx, "qas": qa}]}]},
         "article 'B', paragraph 0: \"qas\" is a JSON object; expected a list of questions"),
        ("an article that is a str", {"data": ["B"]}, "article 0 is a string ('B'); expected an object"),
    ]:
        add(k, f"J4: train --task qa: {name}", lambda d=doc, n=name: train_qa(squad("j4-" + n.replace(" ", "-"),
                                                                              raw=json.dumps(d))), "error", words)
    add(k, "J4: train --task qa: an answer text 5", lambda: train_qa(squad("j4-text5", {"answers": [
        {"text": 5, "answer_start": 0}]})), "error", "has text 5, a JSON number; the answer's text must be a string")
    add(k, "J4: train --task qa: an answer ' Ann' with a space", lambda: train_qa(squad("j4-space", {"answers": [
        {"text": " Ann", "answer_start": 0}]})), "error", "' Ann' has surrounding spaces")
    add(k, "J4: evaluate --data, paragraphs an object", lambda: faithlens_data().load_dataset(squad(
        "j4-eval", raw=json.dumps({"data": [{"title": "B", "paragraphs": {"context": ctx, "qas": [qa]}}]}))), "error",
        "article 'B': \"paragraphs\" is a JSON object")

    # J5: the Python API's model= (kind 13)
    k = "13 api types"
    add(k, "J5: Explainer(5)", lambda: faithlens.Explainer(5), "error",
        "model= must be a model folder or hub id (a str or pathlib.Path)")
    add(k, "J5: Explainer('/etc/passwd')", lambda: faithlens.Explainer("/etc/passwd"), "error",
        "model='/etc/passwd' is a file")
    return out


def seventh_breaker_cases_c(work, tx, tiny_dir, lm_dir, ml_dir, folder, ok_json, first) -> list[Case]:
    """What a seventh independent breaker found (issue 22, C1-C9), each in the kind it belongs to: a target with
    score='max_logit', settings the Python API ignored unseen, a baseline for methods that read none, a one-output
    (regression) head, label names that differ in case or are numbers written otherwise ('1.0'), an out-of-range
    index reading, and a contrast named as a target or equal to the target."""
    import warnings

    import transformers as tf

    from faithlens.app import Limits, create_app
    from faithlens.errors import FaithlensWarning
    from tiny import bert_tokenizer

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    explain = lambda *a: cli("explain", "good film", "--model", *a)  # noqa: E731

    # C1: score='max_logit' has no target (kind 2)
    k = "2 options"
    for model, target in ((tiny_dir, "negative"), (ml_dir, "neutral")):
        add(k, f"C1: --score max_logit --target {target} ({Path(model).name})", lambda m=model, t=target: explain(
            m, "--method", "occlusion", "--no-faithfulness", "--score", "max_logit", "--target", t), "error",
            "score='max_logit' (CLI --score max_logit) explains the largest logit, whichever class has it, so it has "
            "no target")
    add(k, "C1: API score='max_logit', target=0", lambda: tx.explain("good", "occlusion", score="max_logit", target=0),
        "error", "so it has no target")
    client = create_app(tx, limits=Limits()).test_client()
    add(k, "C1: web app score=max_logit&target=negative", lambda: (lambda r: {"status": r.status_code, "error": (
        r.get_json(silent=True) or {}).get("error")})(client.get("/api/explain", query_string={
            "text": "good", "method": "occlusion", "score": "max_logit", "target": "negative"},
            headers={"Host": "127.0.0.1:8765"})), "error", "has no target")

    # C2: a setting the method does not read is a shown warning in the API (kind 13)
    k = "13 api types"

    def warned(method, **settings):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            e = tx.explain("good film", method, **settings)
        return e, [str(w.message) for w in caught if issubclass(w.category, FaithlensWarning)]

    for method, settings, note in [
        ("occlusion", {"steps": 5}, "steps=5 does nothing for occlusion"),
        ("ig", {"unit": "token"}, "unit='token' does nothing for ig"),
        ("grad_x_input", {"noise": 0.1}, "noise=0.1 does nothing for grad_x_input"),
        ("sig", {"mode": "closed", "steps": 5}, "steps=5 does nothing for sig with mode='closed'"),
        ("occlusion", {"mode": "reverse"}, "mode='reverse' does nothing for occlusion"),
        ("sig", {"n_samples": 5}, "n_samples=5 does nothing for sig"),
        ("occlusion", {"rule": "leja"}, "rule='leja' does nothing for occlusion"),
        ("grad_x_input", {"baseline": "zero"}, "baseline='zero' (CLI --baseline zero) does nothing for grad_x_input"),
    ]:
        add(k, f"C2: API explain({method!r}, {', '.join(f'{a}={v!r}' for a, v in settings.items())})",
            lambda m=method, s=settings: warned(m, **s), "ok", f"a FaithlensWarning and an 'Ignored' line: {note}",
            lambda r, n=note: any(n in w for w in r[1]) and any(n in w for w in r[0].warnings))

    # C3: a baseline for methods that read none, without the faithfulness check (kind 2)
    k = "2 options"
    for method, option in (("grad_x_input", ("--baseline", "zero")), ("saliency", ("--baseline", "pad")),
                           ("smoothgrad", ("--baseline-token", "the"))):
        add(k, f"C3: {method} {' '.join(option)} --no-faithfulness", lambda m=method, o=option: explain(
            tiny_dir, "--method", m, *o, "--no-faithfulness"), "error",
            f"does nothing for {method} without the faithfulness check")
    add(k, "C3: grad_x_input --baseline pad with the faithfulness check (its log-odds reads it)", lambda: explain(
        tiny_dir, "--method", "grad_x_input", "--baseline", "pad", "--json"), "ok", "baseline pad recorded",
        lambda r: ok_json(1)(r) and first(r)["settings"]["baseline"] == "pad")
    add(k, "C3: API compare(['saliency'], baseline='pad', faithfulness=False)", lambda: tx.compare(
        "good", methods=["saliency"], baseline="pad", faithfulness=False), "error", "does nothing for saliency")

    # C4: a one-output regression head (kind 17: what a model folder holds)
    k = "17 paths"
    tok = bert_tokenizer()
    reg = work / "m-regression"
    tf.BertForSequenceClassification(tf.BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=1,
                                                   num_attention_heads=2, intermediate_size=37,
                                                   max_position_embeddings=64, num_labels=1)).save_pretrained(reg)
    tok.save_pretrained(reg)
    add(k, "C4: explain with a num_labels=1 regression head", lambda: explain(str(reg)), "error",
        "has a regression head (one output (num_labels=1))")
    add(k, "C4: API Explainer(regression head)", lambda: faithlens.Explainer(str(reg)), "error", "regression head")

    # C5, C8, C9: label names (kind 14)
    k = "14 digit labels"
    dup, floats = folder("m-dupcase", "bert", ["Pos", "pos"]), folder("m-floats", "bert", ["1.0", "0.0"])
    minus, onetwo = folder("m-minus", "bert", ["-1", "1"]), folder("m-onetwo", "bert", ["1", "2"])
    add(k, "C5: labels ('Pos', 'pos'): --target POS", lambda: explain(dup, "--method", "occlusion", "--target", "POS"),
        "error", "classes 0 and 1 are named 'Pos' and 'pos', the same ignoring case")
    add(k, "C8: labels ('1.0', '0.0'): --target 1", lambda: explain(floats, "--method", "occlusion", "--target", "1"),
        "error", "it is the label name '1.0' (read as the number 1) (class 0) and the class index 1 (label '0.0')")
    add(k, "C8: labels ('1.0', '0.0'): --target label:1.0", lambda: explain(
        floats, "--method", "occlusion", "--no-faithfulness", "--json", "--target", "label:1.0"), "ok", "class 0",
        lambda r: ok_json(1)(r) and first(r)["target"]["index"] == 0)
    for model, target, index in ((minus, "-1", 0), (onetwo, "2", 1)):
        add(k, f"C9: labels {('-1', '1') if model == minus else ('1', '2')}: --target {target} (index out of range)",
            lambda m=model, t=target: explain(m, "--method", "occlusion", "--no-faithfulness", "--json", "--target", t),
            "ok", f"the label {target!r} (class {index})", lambda r, i=index: ok_json(1)(r) and first(r)["target"]["index"] == i)

    # C6, C7: contrasts (kinds 2 and 9)
    add("2 options", "C6: --contrast neutral", lambda: explain(tiny_dir, "--method", "occlusion", "--contrast", "neutral"),
        "error", "Unknown contrast 'neutral'")
    add("9 causal LM", "C7: --target-text ' fun' --contrast-text ' fun'", lambda: cli(
        "explain", "the film was", "--model", lm_dir, "--method", "occlusion", "--target-text", " fun",
        "--contrast-text", " fun"), "error", "The contrast continuation ' fun' is the target itself")
    return out


def seventh_breaker_cases_a(work, tiny_dir, write, squad, train_qa) -> list[Case]:
    """What a seventh independent breaker found (issue 22, A1-A7), each in the kind it belongs to: evaluate's --steps
    that no chosen method reads, --max-chars that removes every text, records of k = 0 examples, audit's
    --token-class, training label names and classes, SQuAD question ids and keys."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    data = write("a-data.tsv", "sentence\tlabel\na good film here\t1\na dull slow film\t0\ngreat fun\t1\n")
    evaluate = lambda *more: cli("evaluate", "--model", tiny_dir, "--data", data, "--quiet", "--no-curves", *more)  # noqa: E731

    # A1: a shared evaluate setting that no chosen method reads (kind 2)
    k = "2 options"
    for methods, words in [(("occlusion",), "--steps 5 does nothing for occlusion"),
                           (("ig:steps=4",), "ig:steps=4 gives its own steps"),
                           (("sig:mode=closed",), "sig:mode=closed has no quadrature")]:
        add(k, f"A1: evaluate --methods {' '.join(methods)} --steps 5", lambda m=methods: evaluate(
            "--methods", *m, "--steps", "5", "--no-random"), "error", words)
    add(k, "A1: evaluate --methods occlusion ig --steps 5 (read by ig)", lambda: evaluate(
        "--methods", "occlusion", "ig", "--steps", "5", "--no-random"), "ok", "runs", lambda r: r.code == 0)

    # A2: a filter that removes every text names itself (kind 4)
    k = "4 data"
    add(k, "A2: evaluate --max-chars 5", lambda: evaluate("--max-chars", "5"), "error",
        "--max-chars 5 (max_chars=5) keeps texts shorter than 5 characters and removed all 3 texts")

    # A3: a text too short for top-k has no LO/Comp/Suff in its records (kind 5)
    k = "5 runs"
    run_dir = work / "a3-run"

    def k_zero_records(r):
        records = [json.loads(x) for x in (run_dir / "records.jsonl").read_text().splitlines()]
        short = [x for x in records if x["k"] == 0]
        return r.code == 0 and short and all(x[m] is None for x in short
                                             for m in ("log_odds", "comprehensiveness", "sufficiency"))

    add(k, "A3: evaluate --out, records of a k = 0 example ('great fun')", lambda: evaluate(
        "--methods", "occlusion", "--no-random", "--out", str(run_dir)), "ok", "LO/Comp/Suff null at k = 0", k_zero_records)

    # A4: audit --token-class with a space, or words that never occur (kind 2)
    k = "2 options"
    audit = lambda words: cli("audit", "--model", tiny_dir, "--data", data, "--limit", "3", "--steps", "2",  # noqa: E731
                              "--token-class", words, "--json", str(work / "a4.json"))
    add(k, "A4: audit --token-class 'movie film'", lambda: audit("movie film"), "error",
        "'movie film' holds a space, and the class matches whole tokens")
    add(k, "A4: audit --token-class zzzqqq", lambda: audit("zzzqqq"), "error",
        "'zzzqqq' is not a whole token of the model's vocabulary (the class matches whole tokens, case-insensitive)")

    # A5, A6: training labels that are numbers but no index, and a class no example has (kind 14)
    k = "14 digit labels"
    train = lambda path, *more: cli("train", "--train", path, "--base", tiny_dir, "--out", str(work / "a5-out"), *more)  # noqa: E731
    for cells in (("-1", "1"), ("0.0", "1.0")):
        path = write(f"a5-{cells[0]}.tsv", f"sentence\tlabel\nbad\t{cells[0]}\ngood film\t{cells[1]}\nfun\t{cells[1]}\n")
        add(k, f"A5: train, labels {'/'.join(cells)}, --labels {' '.join(cells)}", lambda p=path, c=cells: train(
            p, "--labels", *c), "error", f"gives class 0 the name '{cells[0]}', a number that is not a class index")
        if cells[0] == "-1":  # "0.0" is the class index 0 (every spelling of a whole number reads alike: TA)
            add(k, f"A5: train, labels {'/'.join(cells)}", lambda p=path: train(p), "error",
                f"has label '{cells[0]}', a number that is not a class index")
    gap = write("a6-gap.tsv", "sentence\tlabel\ngood film\t2\nbad\t0\nfun\t2\nawful\t0\n")
    add(k, "A6: train, labels 0 and 2 (no class 1)", lambda: train(gap), "error",
        "class 1 has no example in any file, so the model would get 3 classes")

    # A7: SQuAD question ids given twice, and a question without its "question" key (kind 10)
    k = "10 squad"
    qa = lambda qid, **more: {"id": qid, "question": "Who wrote the book?", "answers": [  # noqa: E731
        {"text": "Ann", "answer_start": 0}], **more}
    ctx = "Ann wrote the book in Paris in 1901."
    twice = squad("a7-dup", raw=json.dumps({"data": [{"title": "B", "paragraphs": [{"context": ctx, "qas": [
        qa("q0"), qa("q0")]}]}]}))
    add(k, "A7: train --task qa, two questions with id 'q0'", lambda: train_qa(twice), "error",
        "the question id 'q0' is given twice (article 'B', paragraph 0, question 0 and article 'B', paragraph 0, question 1)")
    add(k, "A7: evaluate --data, two questions with id 'q0'", lambda: faithlens_data().load_dataset(twice), "error",
        "the question id 'q0' is given twice")
    no_question = {"id": "1", "answers": [{"text": "Ann", "answer_start": 0}]}
    add(k, "A7: train --task qa, a question without \"question\"", lambda: train_qa(squad("a7-noq", raw=json.dumps(
        {"data": [{"title": "a", "paragraphs": [{"context": ctx, "qas": [no_question]}]}]}))), "error",
        "question '1' has no \"question\" key (or it is null). Give each question its text")
    return out


def seventh_breaker_cases_b(work, tiny_dir, write, squad) -> list[Case]:
    """What a seventh independent breaker found (issue 22, B1-B5), each in the kind it belongs to: facade merge and
    facade train replaced the files of a non-empty --out in silence (every command writing a model folder now refuses
    one unless --overwrite), a plain model as --init-from trained with exit 0 and as --facade was loaded with
    transformers' report, --width-divisor 1000 was clamped in silence, and a 3-class classifier as --base was called
    damaged."""
    from tiny import save_tiny, save_tiny_facade

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    data = write("b7-train.tsv", "sentence\tlabel\n" + "".join(f"a {w} film\t{i % 2}\n" for i, w in enumerate(
        ["good", "bad", "fine", "awful", "great", "dull", "nice", "poor"] * 2)))
    facade = str(save_tiny_facade(work / "b7-facade", tiny_dir))
    wide = str(save_tiny_facade(work / "b7-wide", tiny_dir, width_divisor=1))
    run = ("--steps", "1", "--batch-size", "2", "--eval-every", "1", "--heldout", "2", "--max-length", "16")

    def refused_and_kept(name, *argv):
        """The command on a folder holding config.json and notes.txt; the files changed is a silent replacement."""
        folder = work / f"b7-precious-{name}"
        folder.mkdir(exist_ok=True)
        (folder / "config.json").write_text('{"mine": true}')
        (folder / "notes.txt").write_text("keep me")
        result = cli(*argv, "--out", str(folder))
        kept = (folder / "config.json").read_text() == '{"mine": true}' and (folder / "notes.txt").exists()
        return result if kept else f"exit {result.code}, and --out's files were replaced"

    # B1: a non-empty --out, for every command that writes a model folder (kind 17)
    k = "17 paths"
    for name, argv in [
        ("merge", ("facade", "merge", "--model", tiny_dir, "--facade", facade)),
        ("facade-train", ("facade", "train", "--model", tiny_dir, "--data", data, *run)),
        ("regularise", ("facade", "regularise", "--model", tiny_dir, "--data", data, "--steps", "1")),
        ("train", ("train", "--train", data, "--base", tiny_dir, "--max-length", "16")),
        ("train-qa", ("train", "--task", "qa", "--train", squad("b7"), "--base", tiny_dir, "--max-length", "32",
                      "--stride", "8")),
    ]:
        add(k, f"B1: {name} --out a folder holding config.json and notes.txt",
            lambda n=name, a=argv: refused_and_kept(n, *a), "error", "must be new or empty")
    add(k, "B1: facade merge --overwrite replaces a non-empty --out", lambda: cli(
        "facade", "merge", "--model", tiny_dir, "--facade", facade, "--overwrite", "--out", str(work / "b7-precious-merge")),
        "ok", "saved, exit 0", lambda r: r.code == 0 and "bert" in json.loads(
            (work / "b7-precious-merge" / "config.json").read_text())["model_type"])
    # B2, B3: folders that are not facades (kind 17)
    add(k, "B2: facade train --init-from a plain model folder", lambda: cli(
        "facade", "train", "--model", tiny_dir, "--data", data, *run, "--init-from", tiny_dir, "--out",
        str(work / "b7-b2")), "error", "not a facade written by `faithlens facade train` (it has no faithlens_facade.json)")
    add(k, "B2: facade train --init-from a facade of another width", lambda: cli(
        "facade", "train", "--model", tiny_dir, "--data", data, *run, "--init-from", wide, "--out", str(work / "b7-b2")),
        "error", "hidden_size 32 (expected 16)")
    add(k, "B2: facade train --init-from a facade of that width", lambda: cli(
        "facade", "train", "--model", tiny_dir, "--data", data, *run, "--init-from", wide, "--width-divisor", "1",
        "--out", str(work / "b7-b2-ok")), "ok", "trained from it, exit 0",
        lambda r: r.code == 0 and json.loads(r.out)["facade_size"]["hidden_size"] == 32)
    add(k, "B3: facade merge --facade a plain model folder", lambda: cli(
        "facade", "merge", "--model", tiny_dir, "--facade", tiny_dir, "--out", str(work / "b7-b3")), "error",
        "not a facade written by `faithlens facade train`")
    # B4: --width-divisor past the target's heads (kind 11)
    k = "11 training options"
    for divisor in ("3", "1000"):
        add(k, f"B4: facade train --width-divisor {divisor} (the target has 2 heads)", lambda d=divisor: cli(
            "facade", "train", "--model", tiny_dir, "--data", data, *run, "--width-divisor", d, "--out",
            str(work / "b7-b4")), "error", "the largest divisor is 2")
    # B5: a classifier with another head as --base (kind 17)
    k = "17 paths"
    nli = str(save_tiny(work / "b7-nli", "bert", num_labels=3))
    add(k, "B5: train --base a 3-class classifier, 2-class data", lambda: cli(
        "train", "--train", data, "--base", nli, "--max-length", "16", "--out", str(work / "b7-b5")), "ok",
        "a fresh 2-class head, with a note", lambda r: r.code == 0 and "fresh head" in r.err and json.loads(
            (work / "b7-b5" / "config.json").read_text())["id2label"] == {"0": "negative", "1": "positive"})
    add(k, "B5: train --task qa --base a 3-class classifier", lambda: cli(
        "train", "--task", "qa", "--train", squad("b7-qa"), "--base", nli, "--max-length", "32", "--stride", "8",
        "--out", str(work / "b7-b5-qa")), "ok", "a QA model with 2 outputs",
        lambda r: r.code == 0 and _qa_outputs(work / "b7-b5-qa") == 2)
    edited = work / "b7-edited"
    shutil.copytree(tiny_dir, edited)
    config = json.loads((edited / "config.json").read_text())
    (edited / "config.json").write_text(json.dumps({**config, "intermediate_size": 40}))
    add(k, "B5: train --base whose config.json does not fit its weights", lambda: cli(
        "train", "--train", data, "--base", str(edited), "--max-length", "16", "--out", str(work / "b7-b5-edited")),
        "error", "its weights do not have the shapes its config.json declares")
    return out


def eighth_breaker_cases_f(work, tiny_dir, write, squad) -> list[Case]:
    """What an eighth independent breaker found (issue 22, F1-F5), each in the kind it belongs to: evaluate()'s curves
    error blamed 'the top-k fraction' and stop_after 0/-1 evaluated everything; an empty rationale scored token F1 0
    under a self-contradicting caption and duplicate rationale lines merged in silence; a 'gold' label column was
    dropped in silence; facade saliency --steps with occlusion only did nothing; audit --limit 1 read 'Verdict (ok)';
    SQuAD/QA messages named the wrong problem (answer_start None, a reversed span 'not inside the context', a
    one-article --holdout without the file or the fix)."""
    import warnings

    from tiny import CORPUS, tiny

    from faithlens.data import Dataset, load_dataset
    from faithlens.evaluate import evaluate
    from faithlens.plausibility import read_rationales

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    model = tiny("bert")
    two = Dataset(tuple(CORPUS[:2]), (1, 0), source="f-two")
    tsv = write("f-data.tsv", "sentence\tlabel\n" + "".join(f"{t}\t{i % 2}\n" for i, t in enumerate(CORPUS)))

    # F1: evaluate()'s parameters, named (kind 13)
    k = "13 api types"
    for curves in ([0, 2], []):
        add(k, f"F1: evaluate(curves={curves})", lambda c=curves: evaluate(model, two, methods=["occlusion"], curves=c,
                                                                            progress=False), "error", "'curves' parameter")
    for stop in (0, -1):
        add(k, f"F1: evaluate(stop_after={stop})", lambda s_=stop: evaluate(model, two, methods=["occlusion"], stop_after=s_,
                                                                            progress=False), "error", "'stop_after' parameter")
    add(k, "F1: evaluate(baseline=None) is the default, mask", lambda: evaluate(
        model, two, methods=["occlusion"], baseline=None, progress=False), "ok", "recorded as mask",
        lambda r: r.settings.baseline == "mask")
    # F2: rationale files (kind 4)
    k = "4 data"
    data = load_dataset(tsv)
    empty = write("f-empty.jsonl", '{"index": 0, "words": []}\n')
    add(k, "F2: evaluate --rationales with only an empty rationale", lambda: cli(
        "evaluate", "--model", tiny_dir, "--data", tsv, "--methods", "occlusion", "--rationales", empty, "--quiet"),
        "error", "have an empty one, which counts as none")
    some = write("f-some.jsonl", '{"index": 0, "words": []}\n{"index": 2, "words": [1, 4]}\n')
    add(k, "F2: an empty rationale beside a real one is left out and counted", lambda: evaluate(
        model, data, methods=["occlusion"], rationales=read_rationales(some, dataset=data), progress=False), "ok",
        "1 example scored, 1 counted without rationale words",
        lambda r: r.plausibility["n_examples"] == 1 and r.plausibility["examples_without_rationale_words"] == 1
        and r.plausibility["rows"][0]["token_f1"]["n"] == 1)
    twice = write("f-twice.jsonl", '{"index": 0, "words": [4]}\n{"index": 0, "words": [6]}\n')
    add(k, "F2: two different rationale lines for one example", lambda: read_rationales(twice, dataset=data), "error",
        "Lines 1 and 2")
    # F3: a label column under another name (kind 4)
    gold = write("f-gold.tsv", "sentence\tgold\na fine film\t1\na dull film\t0\n")
    add(k, "F3: a label column named gold", lambda: load_dataset(gold), "ok", "labels 1, 0",
        lambda r: r.labels == (1, 0))
    verdict = write("f-verdict.tsv", "sentence\tverdict\na fine film\t1\na dull film\t0\n")

    def warned(path):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            load_dataset(path)
        return " ".join(str(w.message) for w in caught)

    add(k, "F3: an unknown label-like column, no label column", lambda: warned(verdict), "ok",
        "a warning naming the column and label_column= (Python words: the CLI puts them as --label-column)",
        lambda r: "'verdict' is not read" in r and "label_column='NAME'" in r)
    # F4: options that would do nothing, a verdict from too few texts (kinds 11, 2)
    k = "11 training options"
    add(k, "F4: facade saliency --methods occlusion --steps 5", lambda: cli(
        "facade", "saliency", "--model", tiny_dir, "--data", tsv, "--limit", "2", "--methods", "occlusion", "--steps", "5"),
        "error", "--steps 5 does nothing for occlusion")
    train = write("f-train.tsv", "sentence\tlabel\n" + "".join(f"a {w} film\t{i % 2}\n" for i, w in enumerate(
        ["good", "bad", "fine", "awful", "great", "dull", "nice", "poor"])))
    add(k, "F4: facade train --eval-every 5 --steps 2 evaluates at the last step", lambda: cli(
        "facade", "train", "--model", tiny_dir, "--data", train, "--steps", "2", "--eval-every", "5", "--batch-size", "2",
        "--heldout", "2", "--max-length", "16", "--out", str(work / "f-facade")), "ok", "best step 2, exit 0",
        lambda r: r.code == 0 and json.loads((work / "f-facade" / "faithlens_facade.json").read_text())["selected"]["step"] == 2)
    k = "2 options"
    add(k, "F4: audit --limit 1", lambda: cli("audit", "--model", tiny_dir, "--data", tsv, "--limit", "1", "--steps", "2"),
        "ok", "Verdict (inconclusive), never ok", lambda r: "Verdict (inconclusive)" in r.out and "Verdict (ok)" not in r.out)
    # F5: SQuAD/QA messages (kind 10)
    k = "10 squad"
    add(k, "F5: an answer without answer_start", lambda: cli(
        "train", "--task", "qa", "--train", squad("f-nostart", {"answers": [{"text": "Paris"}]}), "--base", tiny_dir,
        "--out", str(work / "f-qa")), "error", 'has no "answer_start" key')
    qa_x = faithlens.Explainer(tiny("bert_qa"))
    for span, words in (((33, 22), "is reversed: its start must be < its end"), ((5, 5), "is empty: its start must be")):
        add(k, f"F5: QA target span {span}", lambda s_=span: qa_x.explain(
            ("Who wrote it?", "Ann wrote the book in Paris in 1901."), "occlusion", target=s_), "error", words)
    one = squad("f-one-article")
    add(k, "F5: train --task qa --holdout 0.5 on a one-article file", lambda: cli(
        "train", "--task", "qa", "--train", one, "--holdout", "0.5", "--base", tiny_dir, "--out", str(work / "f-qa1")),
        "error", "has 1 article ('Books'); holding out whole articles")
    return out


def eighth_breaker_cases_d(work, tiny_dir, write, squad) -> list[Case]:
    """What an eighth independent breaker found (issue 22, D1-D4), each in the kind it belongs to: an output file
    that is an input replaced it with exit 0 (explain --html, audit --json, facade saliency --out, rationales --out,
    evaluate --out's results.csv), `train --out . --overwrite` trained and then crashed renaming '.', merge
    --overwrite kept the old files beside the new model, and --threads 100000 segfaulted."""
    from tiny import save_tiny_facade

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    text = "sentence\tlabel\n" + "".join(f"a {w} film\t{i % 2}\n" for i, w in enumerate(
        ["good", "bad", "fine", "awful", "great", "dull", "nice", "poor"] * 2))
    facade = str(save_tiny_facade(work / "d8-facade", tiny_dir))

    def refused_and_kept(name, argv_of):
        """The command with an output that is its input; the input changed is a silent replacement (read-only too:
        root writes it)."""
        data = Path(write(f"d8-{name}.tsv", text))
        data.chmod(0o444)
        result = cli(*argv_of(str(data)))
        return result if data.read_text() == text else f"exit {result.code}, and the input {data.name} was replaced"

    # D1: an output file that is one of the command's inputs (kind 17)
    k = "17 paths"
    for name, argv_of, words in [
        ("explain-html", lambda d: ("explain", "--file", d, "--html", d, "--model", tiny_dir, "--method", "occlusion",
                                    "--no-faithfulness"), "is the --file"),
        ("audit-json", lambda d: ("audit", "--model", tiny_dir, "--data", d, "--limit", "3", "--steps", "2", "--json", d),
         "is the --data"),
        ("audit-markdown", lambda d: ("audit", "--model", tiny_dir, "--data", d, "--markdown", d), "is the --data"),
        ("saliency", lambda d: ("facade", "saliency", "--model", tiny_dir, "--data", d, "--limit", "2", "--methods",
                                "occlusion", "--out", d), "is the --data"),
        ("hotflip", lambda d: ("facade", "hotflip", "--model", tiny_dir, "--data", d, "--out", d), "is the --data"),
        ("rationales-data", lambda d: ("rationales", "sst2", "--train", write("d8-T.tsv", text), "--data", d, "--out", d),
         "is the --data"),
        ("rationales-train", lambda d: ("rationales", "sst2", "--train", d, "--data", write("d8-X.tsv", text), "--out", d),
         "is the --train"),
    ]:
        add(k, f"D1: {name}: the output file is the input file", lambda n=name, a=argv_of: refused_and_kept(n, a),
            "error", words)
    linked = work / "d8-link.tsv"
    add(k, "D1: audit --json a hard link to --data", lambda: (linked.unlink(missing_ok=True), os.link(
        write("d8-linked.tsv", text), linked), cli("audit", "--model", tiny_dir, "--data", str(work / "d8-linked.tsv"),
                                                    "--json", str(linked)))[-1], "error", "is the --data")
    add(k, "D1: facade reduce --out the model's config.json", lambda: cli(
        "facade", "reduce", "--model", tiny_dir, "--data", write("d8-r.tsv", text), "--out",
        str(Path(tiny_dir) / "config.json")), "error", "is a file inside the --model")
    add(k, "D1: audit --json and --html one file", lambda: cli(
        "audit", "--model", tiny_dir, "--data", write("d8-a.tsv", text), "--json", str(work / "d8-r.json"), "--html",
        str(work / "d8-r.json")), "error", "--json and --html name one file")
    run_dir = work / "d8-run"
    run_dir.mkdir(exist_ok=True)
    add(k, "D1: evaluate --data RUN/results.csv --out RUN", lambda: cli(
        "evaluate", "--model", tiny_dir, "--data", write("d8-run/results.csv", text), "--out", str(run_dir), "--limit",
        "2", "--methods", "occlusion"), "error", "writes '")
    add(k, "D1: explain --html a new file beside --file", lambda: cli(
        "explain", "--file", write("d8-in.txt", "a good film\n"), "--html", str(work / "d8-new.html"), "--model",
        tiny_dir, "--method", "occlusion", "--no-faithfulness"), "ok", "written, the input kept",
        lambda r: r.code == 0 and (work / "d8-new.html").exists() and (work / "d8-in.txt").read_text() == "a good film\n")

    # D2: a model folder that cannot be replaced: the current folder, one above it, the root, home (kind 17)
    here = work / "d8-here"
    (here / "x").mkdir(parents=True, exist_ok=True)
    data = write("d8-train.tsv", text)

    def in_here(*argv):
        before = os.getcwd()
        os.chdir(here)
        try:
            return cli(*argv)
        finally:
            os.chdir(before)

    for name, argv, where in [
        ("train --out .", ("train", "--train", data, "--base", tiny_dir, "--batch-size", "4", "--out", "."),
         "the current folder"),
        ("train --out x/..", ("train", "--train", data, "--base", tiny_dir, "--out", "x/.."), "the current folder"),
        ("train --out /", ("train", "--train", data, "--base", tiny_dir, "--out", "/"), "the filesystem root"),
        ("train --out HOME", ("train", "--train", data, "--base", tiny_dir, "--out", str(Path.home())),
         "your home folder"),
        ("facade merge --out ..", ("facade", "merge", "--model", tiny_dir, "--facade", facade, "--out", ".."),
         "a folder above the current one"),
        ("facade train --out .", ("facade", "train", "--model", tiny_dir, "--data", data, "--steps", "1", "--out", "."),
         "the current folder"),
        ("facade regularise --out .", ("facade", "regularise", "--model", tiny_dir, "--data", data, "--steps", "1",
                                       "--out", "."), "the current folder"),
    ]:
        add(k, f"D2: {name} --overwrite", lambda a=argv: in_here(*a, "--overwrite"), "error", f"is {where}")

    # D3: --overwrite replaces a model folder whole, for every writer (kind 17)
    def replaced(name, *argv):
        folder = work / f"d8-precious-{name}"
        folder.mkdir(exist_ok=True)
        (folder / "config.json").write_text('{"mine": true}')
        (folder / "notes.txt").write_text("keep me")
        return _first_of(cli(*argv, "--overwrite", "--out", str(folder)), folder)

    for name, argv in [
        ("merge", ("facade", "merge", "--model", tiny_dir, "--facade", facade)),
        ("regularise", ("facade", "regularise", "--model", tiny_dir, "--data", data, "--steps", "1")),
        ("facade-train", ("facade", "train", "--model", tiny_dir, "--data", data, "--steps", "1", "--batch-size", "2",
                          "--eval-every", "1", "--heldout", "2", "--max-length", "16")),
    ]:
        add(k, f"D3: {name} --overwrite on a folder holding config.json and notes.txt",
            lambda n=name, a=argv: replaced(n, *a), "ok", "the folder replaced whole (notes.txt gone)",
            lambda r: r[0].code == 0 and not (r[1] / "notes.txt").exists() and "bert" in json.loads(
                (r[1] / "config.json").read_text())["model_type"])

    # D4: --threads past the machine, --device-map without GPUs (kind 2)
    k = "2 options"
    for n in ("100000", str(4 * (os.cpu_count() or 1) + 1)):
        add(k, f"D4: --threads {n}", lambda n=n: cli("--threads", n, "explain", "good", "--model", tiny_dir,
                                                     "--method", "occlusion", "--no-faithfulness"),
            "error", "is more than this machine can use")
    if not torch.cuda.is_available():
        add(k, "D4: --device-map auto on a machine without GPUs", lambda: cli(
            "explain", "good", "--model", tiny_dir, "--device-map", "auto", "--method", "occlusion",
            "--no-faithfulness"), "ok", "runs on the CPU, with a note", lambda r: r.code == 0 and "this machine has none" in r.err)
    return out


def eighth_breaker_cases_e(work, tx, tiny_dir, write) -> list[Case]:
    """What an eighth independent breaker found (issue 22, E1-E6), each in the kind it belongs to: an IG warning that
    blamed a node budget the rule never reached (it met a tolerance looser than warn_above); raw ESC, BEL and bidi
    overrides in the HTML views; a set of methods taken in hash order; --scores
    ignored with --json; messages that named 'auto', the missing 'text' key, the parameter of load_model, an unknown global
    option or a sample's cost untruly; from_json reading
    settings and tokens faithlens never writes."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    # E1: every accuracy warning states only what happened (kind 16)
    k = "16 overflow"
    add(k, "E1: ig --tolerance 0.5 --warn-above 1e-9 (tolerance met in a few nodes)", lambda: cli(
        "explain", "good film", "--model", tiny_dir, "--method", "ig", "--tolerance", "0.5", "--warn-above", "1e-9",
        "--no-faithfulness"), "ok", "warns that tolerance=0.5 was met, no node budget",
        lambda r: r.code == 0 and "met its tolerance=0.5" in r.out + r.err and "node budget" not in r.out + r.err)
    add(k, "E1: explain(ig, tolerance=1e-9, steps=20) (the budget is reached)", lambda: tx.explain(
        "good film", "ig", tolerance=1e-9, steps=20), "ok", "warns of the 20-node budget",
        lambda e: any("node budget (20 nodes" in w for w in e.warnings) and e.nodes[0] <= 20)
    add(k, "E1: explain(sig, tolerance=0.5, warn_above=1e-9) (every unit meets the tolerance)", lambda: tx.explain(
        "the film was very good and fun", "sig", tolerance=0.5, warn_above=1e-9), "ok",
        "says the tolerance was met, not 'raise --steps'", lambda e: any(
            "every unit met its tolerance=0.5" in w and "raise --steps" not in w for w in e.warnings))
    # E2: control and bidi characters in every HTML view, as the terminal shows them (kind 12)
    k = "12 parsing"
    raw = lambda page: any(ord(c) < 0x20 and c not in "\n\t" or 0x7F <= ord(c) <= 0x9F or c in "\u202e" for c in page)  # noqa: E731

    def html_file(text):
        path = work / f"e2-{len(out)}.html"
        r = cli("explain", text, "--model", tiny_dir, "--method", "occlusion", "--html", str(path))
        return r if r.code else path.read_text(encoding="utf-8")
    for text, shown in [("bad \x1b[31mred\x07 film", ("\\x1b", "\\x07")), ("good \u202efilm bad", ("\\u202e",))]:
        add(k, f"E2: explain {text!r} --html", lambda t=text: html_file(t), "ok", f"shown as {' '.join(shown)}, nothing raw",
            lambda page, s=shown: isinstance(page, str) and not raw(page) and all(x in page for x in s))
        add(k, f"E2: Explanation._repr_html_() of {text!r}", lambda t=text: tx.explain(t, "occlusion")._repr_html_(),
            "ok", f"shown as {' '.join(shown)}, nothing raw", lambda page, s=shown: not raw(page) and all(x in page for x in s))
    # E3: a set of methods has no order, like a set of texts (kind 13)
    k = "13 api types"
    for name, methods, words in [("a set", {"occlusion", "saliency", "grad_x_input"}, "methods is a set, which has no order"),
                                 ("a frozenset", frozenset({"occlusion"}), "methods is a frozenset, which has no order"),
                                 ("a dict", {"occlusion": 1}, "would take its keys")]:
        add(k, f"E3: compare(methods={name})", lambda m=methods: tx.compare("good", methods=m), "error", words)
    from faithlens.dataset import Dataset
    from faithlens.evaluate import evaluate
    add(k, "E3: evaluate(methods=a set)", lambda: evaluate(
        tx.model, Dataset(("good film",), (1,), source="one"), methods={"occlusion", "saliency"}, progress=False),
        "error", "has no order")
    # E4: --scores lays out the terminal view, which --json does not print (kind 12)
    k = "12 parsing"
    add(k, "E4: explain --json --scores", lambda: cli("explain", "good", "--model", tiny_dir, "--method", "occlusion",
                                                       "--json", "--scores"), "error", "--scores would do nothing")
    # E5: messages that say what is true and name what the user typed (kinds 12, 13, 17, 7)
    add("13 api types", "E5: explain(steps='AUTO')", lambda: tx.explain("good", "ig", steps="AUTO"), "error",
        "a positive int, or 'auto'")
    add("17 paths", "E5: faithlens.load_model('./no-such-model') names its parameter", lambda: faithlens.load_model(
        "./no-such-model"), "error", "name_or_path='./no-such-model': no such folder")
    add("12 parsing", "E5: explain --method shapley --samples 5000 (forward passes only)", lambda: cli(
        "explain", "good", "--model", tiny_dir, "--method", "shapley", "--samples", "5000"), "error",
        "A sample of shapley is a random order of the words: N - 1 forward passes for N words, no backward pass")
    add("12 parsing", "E5: faithlens --thr 1 explain (an unknown option before the command)", lambda: cli(
        "--thr", "1", "explain", "good", "--model", tiny_dir), "error", "--thr is not an option of faithlens (did you mean --threads?)")
    from faithlens.app import Limits, create_app
    web = create_app(tx, limits=Limits()).test_client()

    def post(body):
        r = web.post("/api/explain", data=json.dumps(body), content_type="application/json", headers={"Host": "127.0.0.1:8765"})
        payload = r.get_json(silent=True) or {}
        return {"status": r.status_code, "error": payload.get("error")} if r.status_code >= 400 else {"ok": 200}
    add("7 web app", "E5: POST /api/explain {\"methods\": [\"sig\"]} (no text key)", lambda: post({"methods": ["sig"]}),
        "error", "The request has no 'text' or 'texts'")
    # E6: JSON round trips refuse settings and tokens faithlens never writes (kind 15)
    k = "15 json"
    good = tx.explain("a good film", "occlusion").to_dict()

    def tampered(**changes):
        d = json.loads(json.dumps(good))
        for key, fn in changes.items():
            d[key] = fn(d[key])
        return lambda: faithlens.Explanation.from_json(json.dumps(d))
    for name, changes, words in [
        ("settings.steps = -5", {"settings": lambda s: dict(s, steps=-5)}, "settings 'steps' is -5"),
        ("settings.tolerance = 0", {"settings": lambda s: dict(s, tolerance=0)}, "settings 'tolerance' is 0"),
        ("settings.n_samples = 0", {"settings": lambda s: dict(s, n_samples=0)}, "settings 'n_samples' is 0"),
        ("a token that is not the text at its offsets", {"tokens": lambda t: t[:2] + ["awful"] + t[3:]},
         "token 2 is 'awful', but the text at its offsets"),
    ]:
        add(k, f"E6: from_json with {name}", tampered(**changes), "error", words)
    path = tx.explain("a good film", "sig", mode="reverse", steps=4).to_dict()  # steps is SIG's setting (not occlusion's)
    add(k, "E6: from_json with settings.steps = 'auto' (a SIG explanation)", lambda: faithlens.Explanation.from_json(
        json.dumps(dict(path, settings=dict(path["settings"], steps="auto")))), "ok",
        "read back", lambda e: e.settings["steps"] == "auto")
    return out


def ninth_breaker_cases_ra(explainer, tx, qa_x, lm_dir, ml_dir) -> list[Case]:
    """What a ninth independent breaker found in JSON round trips (issue 22, kind 7; F2-F4): `Explanation.from_json`
    read a text or text_pair extended past what was explained, a QA answer with prob 5.0, start -5 or a label not its
    span's text, and a changed task, method or score; each is refused, and what faithlens writes (truncated windows, a
    text with characters a tokenizer drops) still reads back."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "15 json"
    lm_x, ml_x = faithlens.Explainer(lm_dir), faithlens.Explainer(ml_dir)
    made = {"default": lambda: explainer.explain("great fun", "occlusion"),
            "single": lambda: tx.explain("great fun", "occlusion"),
            "pair": lambda: tx.explain(("a man sleeps", "a person rests"), "occlusion"),
            "qa": lambda: qa_x.explain(("Who wrote it?", "Ann wrote it in Paris."), "occlusion"),
            "multi": lambda: ml_x.explain("a good film", "occlusion"),
            "lm": lambda: lm_x.explain("The capital is", "ig", steps=4, max_new_tokens=2),
            "qa window": lambda: qa_x.explain(("Who wrote it?", " ".join(["Ann wrote it in Paris."] * 30)), "occlusion"),
            "lm truncated": lambda: lm_x.explain(" ".join(["The capital is"] * 20), "occlusion", max_new_tokens=1,
                                                 truncate=True),
            "pair truncated": lambda: tx.explain((" ".join(["a good film"] * 30), "a bad film"), "occlusion", truncate=True),
            "dropped character": lambda: tx.explain("a good fi\x00lm\u200b", "occlusion")}
    cache: dict = {}

    def read_back(which, **changes):
        def run():
            if which not in cache:
                cache[which] = made[which]()
            d = cache[which].to_dict()
            for key, value in changes.items():
                d[key] = value(d[key]) if callable(value) else value
            return faithlens.Explanation.from_json(json.dumps(d))
        return run

    def middle_gap(key):  # a space between two explained words becomes '|': no span moves, a character is uncovered
        def edit(text):  # read_back made the explanation before editing it
            e, segment = cache["qa window"], int(key == "text_pair")
            covered = {i for w in e.words if w.segment == segment for t in w.tokens for i in range(*e.offsets[t])}
            at = [w.end for w in e.words if w.segment == segment and w.end < len(text) and text[w.end] == " "
                  and w.end not in covered][3]
            return text[:at] + "|" + text[at + 1:]
        return edit
    # F2: a text extended past what its tokens cover is a changed text
    for which, key, value, words in [
        ("default", "text", "great fun but the ending is awful", "'text' has characters no token covers: 'but the ending is awful'"),
        ("single", "text", "great fun!", "'text' has characters no token covers: '!'"),
        ("pair", "text_pair", "a person rests and sings", "'text_pair' has characters no token covers: 'and sings'"),
        ("pair", "text", "a man sleeps soundly", "'text' has characters no token covers: 'soundly'"),
        ("qa", "text_pair", "Ann wrote it in Paris. Bob did not.", "'text_pair' has characters no token covers: 'Bob did not.'"),
        ("qa", "text", "Who wrote it? When?", "'text' has characters no token covers: 'When?'"),
    ]:
        add(k, f"F2: from_json, {which} explanation, {key} = {value!r}", read_back(which, **{key: value}), "error", words)
    add(k, "F2: from_json, QA window, a '|' between two explained context words",
        read_back("qa window", text_pair=middle_gap("text_pair")), "error", "'text_pair' has characters no token covers: '|'")
    # F3: a QA answer is a span of the context, checked like a classifier's class; a causal LM's continuation likewise
    for part, change, words in [
        ("prediction", {"prob": 5.0}, "prediction 'prob' is 5.0; a probability lies in [0, 1]"),
        ("prediction", {"start": -5}, "prediction 'start'/'end' are -5/22"),
        ("target", {"label": "bogus"}, "target 'label' is 'bogus', but the context at its span"),
        ("prediction", {"token_span": [11, 10]}, "prediction 'token_span' must be [start token, end token]"),
        ("prediction", {"token_span": [2, 3]}, "which is not a token of the context"),
        ("target", {"logit": "high"}, "target 'logit' must be a finite number"),
        ("prediction", {"prob": 0.5}, "the prediction and the target are the same span"),
    ]:
        add(k, f"F3: from_json, QA {part}.{next(iter(change))} = {next(iter(change.values()))!r}",
            read_back("qa", **{part: lambda p, c=change: dict(p, **c)}), "error", words)
    for part, change, words in [
        ("target", {"prob": 0.9}, "target 'prob' is 0.9, but exp(log_prob)"),
        ("prediction", {"log_prob": 0.5}, "prediction 'log_prob' is 0.5; a log-probability is a finite number ≤ 0"),
        ("target", {"token_log_probs": [-0.1, -0.1]}, "target 'token_log_probs' sum to -0.2"),
    ]:
        add(k, f"F3: from_json, causal LM {part}.{next(iter(change))} = {next(iter(change.values()))!r}",
            read_back("lm", **{part: lambda p, c=change: dict(p, **c)}), "error", words)
    # F4: the task must fit the prediction's shape
    for which, task, words in [
        ("single", "multi_label", "'task' is 'multi_label', but the prediction has no 'predicted' list"),
        ("multi", "classification", "'task' is 'classification' (one label, softmax), but the prediction has a 'predicted'"),
        ("qa", "classification", "whose prediction holds a class 'index' (a classifier), but this prediction holds an answer"),
        ("qa", "multi_label", "but this prediction holds an answer 'token_span'"),
    ]:
        add(k, f"F4: from_json, {which} explanation, task = {task!r}", read_back(which, task=task), "error", words)
    add(k, "F4: from_json, multi-label prediction.predicted = ['bogus']",
        read_back("multi", prediction=lambda p: dict(p, predicted=["bogus"])), "error", "prediction 'predicted' is ['bogus']")
    # a changed method or score, where the record contradicts it
    for which, changes, words in [
        ("default", {"method": "ig"}, "'method' is 'ig', whose scores are measured as completeness, but 'error' kind is 'exact'"),
        ("lm", {"method": "occlusion"}, "'method' is 'occlusion', whose scores are measured as exact"),
        ("single", {"method": "grad_x_input"}, "'settings' holds 'unit', which grad_x_input never reads"),
        ("default", {"score": "prob"}, "'score' is 'prob', but 'settings' records the run's score as 'logit'"),
        ("qa", {"score": "max_logit", "settings": lambda s: dict(s, score="max_logit")},
         "'score' is 'max_logit', which a qa explanation never has"),
    ]:
        add(k, f"from_json, {which} explanation, {', '.join(f'{a} changed' for a in changes)}"
               f" ({changes.get('method') or changes.get('score')})", read_back(which, **changes), "error", words)
    # what faithlens writes reads back unchanged
    for which in made:
        add(k, f"from_json of a {which} explanation (as written)", read_back(which), "ok", "equal to what was written",
            lambda e, w=which: e == cache[w])
    add(k, "from_json, spaces added at the end of the text (no token needed)", read_back("single", text="great fun  \n"),
        "ok", "read back with its text", lambda e: e.text == "great fun  \n")
    add(k, "from_json, score and settings.score both logit -> prob (a run with score='prob' writes the same)",
        read_back("single", score="prob", settings=lambda s: dict(s, score="prob")), "ok", "read back",
        lambda e: e.score == "prob")
    return out


def ninth_breaker_cases_rc(work, tx, tiny_dir, qa_dir, swapped_dir, agree_dir, write) -> list[Case]:
    """What a ninth independent breaker found in data files, labels and the web app (issue 22, helper rc), each in the
    kind it belongs to: pair-file headers of other corpora (QQP, MRPC, snake_case) explained as a pair; gold labels
    spelled in two cases reported as class indices; digit gold labels read one way where --target refuses them; a QA
    model's number context refused as a label; a field with its plural both run; a query string that is not UTF-8
    explained literally; evaluate and audit silent on inputs unlike the model's training."""
    import warnings
    from dataclasses import replace

    from faithlens.app import Limits, create_app
    from faithlens.audit.report import audit
    from faithlens.data import Dataset
    from faithlens.errors import FaithlensWarning
    from faithlens.evaluate import evaluate

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    # F1: a first line of column names is a header, whichever corpus named them; ordinary short pairs stay pairs (kind 9)
    k = "9 pair files"
    body = "A man sleeps.\tA person rests.\n"
    for header in ["question1\tquestion2", "#1 String\t#2 String",  # a tab header: read by columns
                   "sentence_a\tsentence_b", "query\tpassage", "question\tanswer", "s1\ts2", "first\tsecond"]:
        path = write(f"n9-header-{len(out)}.txt", header + "\n" + body)
        add(k, f"N9 F1: explain --file with header {header.replace(chr(9), '<tab>')!r}", lambda p=path: cli(
            "explain", "--model", tiny_dir, "--file", p, "--method", "occlusion"), "error", "Could not find a text column")
    for line in ["A dog runs.\tAn animal moves.", "hello\tworld", "question\tWhat is it?"]:
        path = write(f"n9-pair-{len(out)}.txt", line + "\n")
        add(k, f"N9 F1: explain --file {line.replace(chr(9), '<tab>')!r} (an ordinary pair)", lambda p=path: cli(
            "explain", "--model", tiny_dir, "--file", p, "--method", "occlusion", "--json", "--no-faithfulness"), "ok",
            "explained as the pair", lambda r, w=line.split("\t"): r.code == 0 and [
                json.loads(r.out)["text"], json.loads(r.out)["text_pair"]] == w)
    kept = write("n9-header-second.txt", body + "question1\tquestion2\n")
    add(k, "N9 F1: a header-like line after the first is a pair (the documented way to keep it)", lambda: cli(
        "explain", "--model", tiny_dir, "--file", kept, "--method", "occlusion", "--json", "--no-faithfulness"), "ok",
        "2 records, the second question1 | question2", lambda r: r.code == 0 and [
            json.loads(x)["text_pair"] for x in r.out.splitlines()] == ["A person rests.", "question2"])
    # a QA model's second column is its context, so a number there is no gold label (kind 9)
    qa_num = write("n9-qa-number.txt", "What year?\t1999\n")
    add(k, "N9: explain --file 'What year?<tab>1999' on a QA model", lambda: cli(
        "explain", "--model", qa_dir, "--file", qa_num, "--method", "occlusion", "--json", "--no-faithfulness"), "ok",
        "the context is '1999'", lambda r: r.code == 0 and json.loads(r.out)["text_pair"] == "1999")
    add(k, "N9: explain --file 'What year?<tab>1999' on a classifier", lambda: cli(
        "explain", "--model", tiny_dir, "--file", qa_num, "--method", "occlusion"), "error", "looks like gold labels")
    # F7: two spellings of one label name (kind 11)
    k = "11 training options"
    cased = write("n9-cased.tsv", "text\tlabel\ngood\tpos\nbad\tneg\ngreat\tPOS\n")
    add(k, "N9 F7: train with labels pos, neg, POS", lambda: cli(
        "train", "--train", cased, "--base", tiny_dir, "--out", str(work / "n9-t")), "error",
        "spells one label in different cases: 'pos' (line 2) and 'POS' (line 4)")
    # digit gold labels read by the --target rule against the model's label names (kind 14)
    k = "14 digit labels"
    digits = write("n9-digits.tsv", "text\tlabel\ngood film\t1\nbad film\t0\n")
    prefixed = write("n9-prefixed.tsv", "text\tlabel\ngood film\tlabel:1\nbad film\tlabel:0\n")
    run = ("--methods", "occlusion", "--limit", "2", "--quiet")
    add(k, "N9: evaluate gold labels 1, 0 on labels ('1', '0')", lambda: cli(
        "evaluate", "--model", swapped_dir, "--data", digits, *run), "error",
        "is ambiguous against the model's label names ('1', '0')")
    add(k, "N9: evaluate gold labels label:1, label:0 on labels ('1', '0')", lambda: cli(
        "evaluate", "--model", swapped_dir, "--data", prefixed, *run), "ok", "runs", lambda r: r.code == 0)
    add(k, "N9: evaluate gold labels 1, 0 on labels ('0', '1') (the readings agree)", lambda: cli(
        "evaluate", "--model", agree_dir, "--data", digits, *run), "ok", "runs", lambda r: r.code == 0)
    # the web app: a field and its plural; percent-encoding that is not UTF-8 (kind 7)
    k = "7 web app"
    web = create_app(tx, limits=Limits()).test_client()
    host = {"Host": "127.0.0.1:8765"}

    def answer(r):
        payload = r.get_json(silent=True) or {}
        return {"status": r.status_code, "error": payload.get("error")} if r.status_code >= 400 else {"ok": r.status_code}
    for body_, words in [({"text": "great", "texts": ["fun"]}, "Got both 'text' and 'texts'"),
                         ({"text": "great", "method": "occlusion", "methods": ["saliency"]}, "Got both 'method' and 'methods'")]:
        add(k, f"N9: POST /api/explain {json.dumps(body_)}", lambda b=body_: answer(web.post(
            "/api/explain", data=json.dumps(b), content_type="application/json", headers=host)), "error", words)
    add(k, "N9: GET /api/explain?text=%FF%FE", lambda: answer(web.get(
        "/api/explain?text=%FF%FE&method=occlusion", headers=host)), "error", "is not UTF-8")
    # inputs unlike the classifier's training: said once per run by evaluate and audit (kind 13)
    k = "13 api types"
    pairs_model = replace(tx.model, info={"inputs": "pairs"})

    def warned(call):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            call()
        return [str(w.message) for w in caught if issubclass(w.category, FaithlensWarning)]
    texts = ("good film", "bad film")
    add(k, "N9: evaluate(single texts) on a classifier trained on pairs", lambda: warned(lambda: evaluate(
        pairs_model, Dataset(texts, (1, 0), source="two"), methods=["occlusion"], progress=False)), "ok",
        "one warning for the run", lambda w: len([m for m in w if "fine-tuned on text pairs" in m]) == 1)
    add(k, "N9: audit(single texts) on a classifier trained on pairs", lambda: warned(lambda: audit(
        pairs_model, list(texts), steps=2, n_examples=0, classes=["first_token"], progress=False)), "ok",
        "one warning for the run", lambda w: len([m for m in w if "fine-tuned on text pairs" in m]) == 1)
    return out


def ninth_breaker_cases_rb(work, tiny_dir, qa_dir, write, squad) -> list[Case]:
    """What a ninth independent breaker found (issue 22, F5, F6, F8-F11 and two more), each in the kind it belongs to:
    seed options that did nothing (--split-seed without --holdout, --subset-seed without --subset) or took any int;
    a broken or looping link read as a hub id; a column given as the text column named in garbled words; 'smollm2' as
    a training base sent to the hub; /dev/null and /proc files named as folders; -1e-3 and -inf read as options;
    --out - made a folder named '-'; a QA window too short for the default stride blamed a --stride never given."""
    from faithlens.cli import _join_negative_values, build_parser
    from faithlens.data import load_dataset
    from faithlens.splits import holdout_split

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    tsv = write("rb-cls.tsv", "sentence\tlabel\ngood movie\t1\nbad movie\t0\nfine film\t1\ndull film\t0\n")
    good_squad = squad("rb-good")
    model_out = str(work / "rb-out")
    (work / "rb-dangling").symlink_to(work / "rb-gone")
    (work / "rb-loop").symlink_to("rb-loop")
    dangling, loop = str(work / "rb-dangling"), str(work / "rb-loop")

    # F5: seeds of a draw not asked for, and one range for every seed option (kind 11)
    k = "11 training options"
    for argv, words in [
        (("train", "--train", tsv, "--subset-seed", "5", "--out", model_out), "--subset-seed 5 seeds the --subset draw"),
        (("train", "--task", "qa", "--train", good_squad, "--split-seed", "5", "--out", model_out),
         "--split-seed 5 seeds the --holdout split"),
        (("audit", "--model", tiny_dir, "--data", tsv, "--split-seed", "7"), "without --holdout there is no such draw"),
        (("facade", "saliency", "--model", tiny_dir, "--data", tsv, "--split-seed", "3"), "Drop it, or pass --holdout"),
        (("train", "--train", tsv, "--holdout", "0.5", "--split-seed", "-1", "--out", model_out), "expected an int in [0,"),
        (("train", "--train", tsv, "--holdout", "0.5", "--split-seed", "99999999999999999999", "--out", model_out),
         "expected an int in [0,"),
        (("train", "--train", tsv, "--subset", "2", "--subset-seed", "-5", "--out", model_out), "expected an int in [0,"),
        (("audit", "--model", tiny_dir, "--data", tsv, "--holdout", "0.5", "--split-seed", str(2**32)),
         "expected an int in [0,"),
        (("train", "--train", tsv, "--out", "-"), "--out - names standard output"),
        (("facade", "train", "--model", tiny_dir, "--data", tsv, "--out", "-"), "--out - names standard output"),
        (("facade", "regularise", "--model", tiny_dir, "--data", tsv, "--out", "-"), "--out - names standard output"),
        (("train", "--task", "qa", "--train", good_squad, "--base", qa_dir, "--max-length", "8", "--out", model_out),
         "The default --stride 128 (not given"),
    ]:
        add(k, "F5: " + " ".join(Path(a).name if a.startswith(str(work)) else a for a in argv[:8]),
            lambda a=argv: cli(*a), "error", words)
    add(k, "F5: holdout_split(4, 0.5, seed=-1)", lambda: holdout_split(4, 0.5, -1), "error", "'seed' parameter")

    # F6, F9, F10: links that point nowhere, smollm2 as a base, special files (kind 17)
    k = "17 paths"
    for argv, words in [
        (("explain", "--model", dangling, "x"), "no such folder: it is a link to"),
        (("explain", "--model", loop, "x"), "a loop of links"),
        (("train", "--train", tsv, "--base", dangling, "--out", model_out), "--base"),
        (("facade", "merge", "--facade", loop, "--out", model_out), "--facade"),
        (("facade", "train", "--model", tiny_dir, "--data", tsv, "--init-from", dangling, "--out", model_out),
         "no such folder: it is a link to"),
        (("audit", "--model", tiny_dir, "--data", loop), "no such file or folder: it is a link"),
        (("explain", "--model", tiny_dir, "--file", loop), "does not exist: it is a link"),
        (("explain", "--model", tiny_dir, "--file", "/dev/null"), "is a character device, not a file"),
        (("explain", "--model", tiny_dir, "x", "--html", "/dev/null"), "is a character device, not a regular file"),
        (("train", "--train", tsv, "--base", "smollm2", "--out", model_out), "names the bundled causal language model"),
    ] + ([(("explain", "--model", tiny_dir, "x", "--html", "/proc/version"), "is a file that cannot be written")]
         if os.path.isfile("/proc/version") else []):
        add(k, "F6/F9/F10: " + " ".join(Path(a).name if a.startswith(str(work)) else a for a in argv[:6]),
            lambda a=argv: cli(*a), "error", words)

    # F8: a column read as two things, in each surface's words (kind 4)
    k = "4 data"
    add(k, "F8: train --text-column label (the found label column)", lambda: cli(
        "train", "--train", tsv, "--text-column", "label", "--out", model_out), "error",
        "both the text column (--text-column label) and the label column (found from the column names)")
    add(k, "F8: load_dataset(text_column='label')", lambda: load_dataset(tsv, text_column="label"), "error",
        "both the text column (text_column='label') and the label column (found from the column names)")

    # F11: negative numbers in any form reach the option's range check (kind 12)
    k = "12 parsing"
    for argv, words in [(("--tolerance", "-1e-3"), "'tolerance' parameter (--tolerance) must be a number in (0, 1)"),
                        (("--method", "smoothgrad", "--noise", "-inf"), "must be a positive number, e.g. 0.01. Got -inf"),
                        (("--method", "smoothgrad", "--noise", "-nan"), "must be a positive number, e.g. 0.01. Got nan"),
                        (("--method", "smoothgrad", "--noise", "-1E-3"), "must be a positive number")]:
        add(k, f"F11: explain {' '.join(argv)}", lambda a=argv: cli("explain", "--model", tiny_dir, "x", *a), "error", words)
    add(k, "F11: train --labels -1 1 keeps its two values", lambda: _join_negative_values(
        ["train", "--labels", "-1", "1", "--lr", "-1e-3"], build_parser()), "ok", "--labels -1 1, --lr=-1e-3",
        lambda r: r == ["train", "--labels", "-1", "1", "--lr=-1e-3"])
    return out


def sa_output_dash_cases(work, tiny_dir, qa_dir, write, squad) -> list[Case]:
    """Issue 22, two more: an output path '-' (standard output on a command line) made a file or folder named '-'
    (audit --json/--html/--markdown, explain --html, rationales --out, evaluate --out, facade saliency --out, and the
    Python writers); qa.check_windows named --max-length/--stride to a Python caller. Every output check now refuses '-'
    in one wording ('./-' for that name); the window refusal is in Python words, put as options by the CLI."""
    from tiny import CORPUS, bert_tokenizer, tiny

    from faithlens.data import Dataset
    from faithlens.evaluate import evaluate
    from faithlens.qa import QAExample, features, predict_answers
    from faithlens.training import fine_tune_qa
    from faithlens.views import write_html

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    tsv = write("sa-cls.tsv", "sentence\tlabel\ngood movie\t1\nbad movie\t0\n")

    k = "17 paths"
    for argv, words in [
        (("audit", "--model", tiny_dir, "--data", tsv, "--json", "-"),
         "--json - names standard output, but this option writes a file"),
        (("audit", "--model", tiny_dir, "--data", tsv, "--html", "-"), "e.g. --html report.html ('./-' for a file"),
        (("audit", "--model", tiny_dir, "--data", tsv, "--markdown", " - "), "--markdown - names standard output"),
        (("explain", "--model", tiny_dir, "x", "--html", "-"), "--html - names standard output"),
        (("evaluate", "--model", tiny_dir, "--data", tsv, "--out", "-"), "--out - names standard output, but this "
         "option writes a folder of files"),
        (("rationales", "sst2", "--train", tsv, "--data", tsv, "--out", "-"), "e.g. --out report.jsonl ('./-'"),
        (("facade", "saliency", "--model", tiny_dir, "--data", tsv, "--out", "-"), "--out - names standard output"),
    ]:
        add(k, "SA: " + " ".join(Path(a).name if a.startswith(str(work)) else a for a in argv), lambda a=argv: cli(*a),
            "error", words)
    two = Dataset(tuple(CORPUS[:2]), (1, 0), source="sa-two")
    add(k, "SA: evaluate(out='-')", lambda: evaluate(tiny("bert"), two, methods=["occlusion"], out="-", progress=False),
        "error", "The 'out' parameter of evaluate '-' names standard output")
    add(k, "SA: views.write_html('-', [])", lambda: write_html("-", []), "error",
        "The 'path' parameter of write_html '-' names standard output")
    add(k, "SA: explain --html ./- writes a file named '-'", lambda: (Path("-").unlink(missing_ok=True), cli(  # new:
        "explain", "--model", tiny_dir, "x", "--method", "occlusion", "--html", "./-"))[1], "ok", "a file named '-'",
        lambda r: r.code == 0 and Path("-").is_file())  # an existing '-' (no .html suffix) is refused, not replaced

    k = "10 squad"
    ex = QAExample("q1", "Books", "Who wrote the book?", "Ann wrote the book in Paris.", ("Ann",), 0)
    add(k, "SA: qa.features(max_length=8, stride=128) in Python words", lambda: features(
        bert_tokenizer(), [ex], max_length=8, stride=128), "error", "The stride=128 must be smaller than max_length=8.")
    add(k, "SA: qa.predict_answers(max_length=8, stride=4) in Python words", lambda: predict_answers(
        None, bert_tokenizer(), [ex], max_length=8, stride=4), "error", "Raise max_length to at least")
    add(k, "SA: fine_tune_qa(max_length=8) in Python words", lambda: fine_tune_qa(
        base_model=qa_dir, train=[ex], test=[], out_dir=work / "sa-qa", max_length=8, progress=False), "error",
        "The default stride=128 (not given")
    good = squad("sa-good")
    for more, words in [(("--max-length", "8", "--stride", "8"), "The --stride 8 must be smaller than --max-length 8."),
                        (("--max-length", "8"), "Pass --max-length 64 and --stride ")]:
        add(k, f"SA: train --task qa {' '.join(more)} in options", lambda m=more: cli(
            "train", "--task", "qa", "--train", good, "--base", qa_dir, *m, "--out", str(work / "sa-qa")),
            "error", words)
    return out


def _qa_outputs(folder: Path) -> int:
    """How many outputs a saved QA model's head has (2: start and end)."""
    from safetensors import safe_open

    with safe_open(str(folder / "model.safetensors"), framework="pt") as weights:
        return weights.get_slice("qa_outputs.weight").get_shape()[0]


def faithlens_data():
    from faithlens import data

    return data


def faithlens_specs():
    from faithlens.evaluate import specs

    return specs


def faithlens_qa():
    from faithlens import qa

    return qa


def _announce(explainer, text):
    """The cost line of a large explanation, without doing the work (the sweep must stay short)."""
    from faithlens.explainer import announce_cost
    from faithlens.methods import Options

    announce_cost("sig", Options(steps=400, mode="reverse"), explainer.batch([text]))


def _stderr_of(fn) -> str:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        fn()
    return err.getvalue()


def td_repeated_key_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22, tenth breaker F3: a header naming the label or text column twice was read with the last column
    winning in silence (evaluate and train), and a JSON object naming a key twice kept the last value. Both refused."""
    from faithlens.data import read_file
    from faithlens.qa import read_squad

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "4 data"
    label2 = write("td-label2.tsv", "sentence\tlabel\tlabel\ngreat fun\t1\t0\na dull mess\t0\t1\n")
    text2 = write("td-text2.tsv", "sentence\tlabel\tsentence\ngreat fun\t1\ta dull mess\na dull mess\t0\tgreat fun\n")
    label2_csv = write("td-label2.csv", "sentence,label,label\ngreat fun,1,0\na dull mess,0,1\n")
    notes2 = write("td-notes2.tsv", "sentence\tnote\tlabel\tnote\ngreat fun\ta\t1\tb\na dull mess\tc\t0\td\n")
    key2 = write("td-key2.jsonl", '{"text": "great fun", "label": 1}\n{"text": "a dull mess", "label": 0, "label": 1}\n')
    list2 = write("td-list2.json", '[{"text": "great fun", "text": "a dull mess", "label": 1}]')
    squad2 = write("td-squad2.json", json.dumps({"data": [{"title": "T", "paragraphs": [{
        "context": "Hamlet was written by Shakespeare.", "qas": [{"id": "q1", "question": "Who wrote Hamlet?",
        "answers": [{"text": "Shakespeare", "answer_start": 22}]}]}]}]}).replace('"answer_start": 22',
                                                                              '"answer_start": 22, "answer_start": 0'))
    for name, argv, words in [
        ("evaluate, label column twice", ("evaluate", "--model", tiny_dir, "--data", label2, "--methods", "occlusion",
                                          "--no-random", "--out", str(work / "td-ev")), "names the column 'label' twice"),
        ("evaluate, sentence column twice", ("evaluate", "--model", tiny_dir, "--data", text2, "--methods", "occlusion",
                                             "--no-random", "--out", str(work / "td-ev2")), "names the column 'sentence' twice"),
        ("train, label column twice (CSV)", ("train", "--train", label2_csv, "--base", tiny_dir, "--max-length", "16",
                                             "--out", str(work / "td-m")), "(columns 2 and 3)"),
        ("evaluate, JSONL key twice", ("evaluate", "--model", tiny_dir, "--data", key2, "--methods", "occlusion",
                                       "--no-random", "--out", str(work / "td-ev3")), "names the key 'label' twice"),
    ]:
        add(k, f"TD: {name}", lambda a=argv: cli(*a), "error", words)
    add(k, "TD: read_file, a JSON list with a key twice", lambda: read_file(list2), "error", "names the key 'text' twice")
    add(k, "TD: read_squad, answer_start twice", lambda: read_squad(squad2), "error", "names the key 'answer_start' twice")
    add(k, "TD: a column nobody reads may repeat", lambda: read_file(notes2), "ok", "",
        lambda r: list(r.labels) == [1, 0])
    return out


def te_facade_target_cases(work, tiny_dir, swapped_dir, write) -> list[Case]:
    """Issue 22, tenth breaker F6: `facade merge` merged a facade into a target it was not trained for (other weights,
    another label order) with exit 0; now refused naming both. And the --heldout advice said "a fifth" of 4 texts."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "11 training options"
    data = write("te-train.tsv", "sentence\tlabel\n" + "".join(f"a {w} film\t{i % 2}\n" for i, w in enumerate(
        ["good", "bad", "fine", "awful", "great", "dull", "nice", "poor"] * 2)))
    facade = str(work / "te-facade")
    run = ("--steps", "1", "--batch-size", "2", "--eval-every", "1", "--heldout", "2", "--max-length", "16")
    add(k, "TE: facade train (one step) for the tiny target", lambda: cli(
        "facade", "train", "--model", tiny_dir, "--data", data, *run, "--out", facade), "ok", "a facade",
        lambda r: r.code == 0 and "target_weights_sha256" in (Path(facade) / "faithlens_facade.json").read_text())
    add(k, "TE: facade merge into another target (labels swapped)", lambda: cli(
        "facade", "merge", "--model", swapped_dir, "--facade", facade, "--out", str(work / "te-merged-other")), "error",
        "was trained for the target")
    add(k, "TE: facade merge into its own target", lambda: cli(
        "facade", "merge", "--model", tiny_dir, "--facade", facade, "--out", str(work / "te-merged")), "ok", "merged",
        lambda r: r.code == 0)
    four = write("te-four.tsv", "sentence\tlabel\ngood\t1\nbad\t0\nfine\t1\npoor\t0\n")
    add(k, "TE: --heldout 4 of 4 texts", lambda: cli(
        "facade", "train", "--model", tiny_dir, "--data", four, "--heldout", "4", "--batch-size", "1", "--steps", "1",
        "--out", str(work / "te-four")), "error", "Pass --heldout 1 (one text) or more data")
    return out


def tb_file_format_cases(tiny_dir, qa_dir, lm_dir, write) -> list[Case]:
    """Issue 22, tenth breaker F2: `explain --file pairs.csv` read the CSV line by line, so the header was explained as
    a text and each row as one text holding its commas, quotes and label (exit 0); JSON lines alike. A data file
    (.csv/.jsonl/.json, or a first line that is a CSV header or a JSON object) is now read by columns."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "9 pair files"
    pairs = 'premise,hypothesis,label\n"A man, tired, sleeps.","A person rests.",entailment\n"Two dogs run","Animals move",neutral\n'
    csv_file, unnamed = write("tb-pairs.csv", pairs), write("tb-pairs.dat", pairs)
    jsonl = write("tb-texts.jsonl", '{"text": "great, fun film", "label": 1}\n{"text": "a dull mess", "label": 0}\n')
    listed = write("tb-list.json", '[{"sentence": "great, fun", "label": "pos"}, {"sentence": "bad", "label": "neg"}]')
    header = write("tb-header.csv", "premise,hypothesis,label\n")
    tab = write("tb-tab.txt", "a man, tired, sleeps\ta person rests\n")
    write("-", "text,label\ngood film,1\n")
    run = ("--method", "occlusion", "--json", "--no-faithfulness")
    read = lambda r: [(x["text"], x.get("text_pair")) for x in map(json.loads, r.out.splitlines())]  # noqa: E731
    expected_pairs = [("A man, tired, sleeps.", "A person rests."), ("Two dogs run", "Animals move")]
    for name, path, expected in [("CSV of pairs with quoted commas", csv_file, expected_pairs),
                                 ("CSV header, no .csv name", unnamed, expected_pairs),
                                 ("JSON lines text,label", jsonl, [("great, fun film", None), ("a dull mess", None)]),
                                 ("JSON list sentence,label", listed, [("great, fun", None), ("bad", None)]),
                                 ("tab file unchanged", tab, [("a man, tired, sleeps", "a person rests")]),
                                 ("./- is a file named '-'", "./-", [("good film", None)])]:
        add(k, f"TB: explain --file, {name}", lambda p=path: (  # '-' is written again: an earlier case writes --html ./-
            p != "./-" or write("-", "text,label\ngood film,1\n")) and cli("explain", "--model", tiny_dir, "--file", p, *run),
            "ok", f"texts {expected}", lambda r, e=expected: r.code == 0 and read(r) == e)
    add(k, "TB: --file - stays plain lines", lambda: cli("explain", "--model", tiny_dir, "--file", "-", *run,
                                                          stdin="text,label\n"), "ok", "one text 'text,label'",
        lambda r: r.code == 0 and read(r) == [("text,label", None)])
    for name, argv, words in [
        ("header-only CSV", ("--model", tiny_dir, "--file", header), "holds no examples"),
        ("missing --pair-column", ("--model", tiny_dir, "--file", csv_file, "--pair-column", "context"),
         "Valid choices: premise, hypothesis, label"),
        ("--text-column on a tab file", ("--model", tiny_dir, "--file", tab, "--text-column", "text"), "read as plain text"),
        ("--text-column on standard input", ("--model", tiny_dir, "--file", "-", "--text-column", "text"),
         "standard input is read as plain lines"),
        ("causal LM given a pair CSV", ("--model", lm_dir, "--file", csv_file), "not pairs"),
        ("QA model given a one-column JSON lines file", ("--model", qa_dir, "--file", jsonl), "needs (question, context) pairs"),
    ]:
        add(k, f"TB: explain, {name}", lambda a=argv: cli("explain", *a, "--method", "occlusion", stdin="x\n"), "error",
            words)
    return out


def tf_qa_answer_space_cases(work, qa_dir, write, squad) -> list[Case]:
    """Issue 22, tenth breaker F5: a QA answer with spaces around it (--answer " Paris ", target=" Paris ", a SQuAD
    answer " Paris ") was refused as lying "across two windows" of a one-window context. The spaces are no part of an
    answer (qa.trim_answer): it is explained (or trained on) without them, with a warning; "across two windows" only
    when a long context's windows split the answer, and an answer not in the context says so."""
    from faithlens.app import Limits, create_app
    from faithlens.qa import read_squad
    from tiny import tiny

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "10 squad"
    context = "Ann wrote the book in Paris in 1901."  # "Paris" at 22..27
    explain = ("explain", "--model", qa_dir, "--pair", "Where?", context, "--method", "occlusion", "--json",
               "--no-faithfulness")
    paris = lambda r: r.code == 0 and json.loads(r.out)["target"]["label"] == "Paris" and any(  # noqa: E731
        "has whitespace around it" in w for w in json.loads(r.out)["warnings"])
    add(k, "TF: --answer ' Paris '", lambda: cli(*explain, "--answer", " Paris "), "ok",
        "explains 'Paris' and says the spaces were dropped", paris)
    add(k, "TF: --answer ' Rome '", lambda: cli(*explain, "--answer", " Rome "), "error",
        "does not occur in the context, even without the whitespace around it ('Rome')")
    qa_x = faithlens.Explainer(tiny("bert_qa"))
    add(k, "TF: API target=' Paris\\n'", lambda: qa_x.explain(("Where?", context), "occlusion", target=" Paris\n"), "ok",
        "target 'Paris' (22-27)", lambda e: (e.target["label"], e.target["start"], e.target["end"]) == ("Paris", 22, 27))
    add(k, "TF: API span (21, 28) with a space each side", lambda: qa_x.explain(("Where?", context), "occlusion",
                                                                            target=(21, 28)), "ok", "target 'Paris'",
        lambda e: e.target["label"] == "Paris")
    add(k, "TF: API span (18, 19), only a space", lambda: qa_x.explain(("Where?", context), "occlusion", target=(18, 19)),
        "error", "holds only whitespace (' ')")
    long = " ".join(["the film was good"] * 30) + " and paris was fun"  # four windows of the tiny model
    add(k, "TF: API span longer than a window of a long context", lambda: qa_x.explain(
        ("Where?", long), "occlusion", target=(0, 400)), "error", "lies across two windows of its long context")
    add(k, "TF: API ' paris ' in a long context", lambda: qa_x.explain(("Where?", long), "occlusion", target=" paris "),
        "ok", "the window holding 'paris'", lambda e: e.target["label"] == "paris" and e.target["start"] == long.index("paris"))
    web = create_app(qa_x, limits=Limits()).test_client()

    def ask(target):
        r = web.post("/api/explain", data=json.dumps({"text": "Where?", "pair": context, "methods": ["occlusion"],
                                                      "target": target}),
                     content_type="application/json", headers={"Host": "127.0.0.1:8765"})
        payload = r.get_json(silent=True)
        return {"status": r.status_code, "error": payload.get("error")} if r.status_code >= 400 else {"ok": 200, "json": payload}

    add("7 web app", "TF: web target ' Paris '", lambda: ask(" Paris "), "ok", "target 'Paris'",
        lambda r: r["json"][0]["target"]["label"] == "Paris")
    spaced = squad("tf-spaced", {"answers": [{"text": " Paris ", "answer_start": 21}]})
    add(k, "TF: SQuAD answer ' Paris ' at its answer_start", lambda: read_squad(spaced), "ok",
        "read as 'Paris' at 22", lambda r: (r[0].answers, r[0].answer_start) == (("Paris",), 22))
    off = squad("tf-off", {"answers": [{"text": " Paris", "answer_start": 22}]})
    add(k, "TF: SQuAD answer ' Paris' with answer_start of 'Paris'", lambda: read_squad(off), "error",
        "has surrounding spaces; the context at answer_start 22 reads 'Paris'")
    return out


def tc_from_json_cases(tx, qa_x, lm_dir) -> list[Case]:
    """Issue 22, tenth breaker F4: `Explanation.from_json` accepted an edited token_scores_normalised, the last [SEP]
    dropped with its score and offset, an unknown key inside 'prediction', and a NUL appended to a text a byte-level
    tokenizer would have given a token. Each is refused naming the field; what faithlens writes still reads back."""
    from tiny import tiny

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "15 json"
    gpt2_x = faithlens.Explainer(tiny("gpt2", dtype=torch.float64))
    made = {"single": lambda: tx.explain("a good film", "occlusion"),
            "pair": lambda: tx.explain(("a man sleeps", "a person rests"), "occlusion"),
            "qa": lambda: qa_x.explain(("Who wrote it?", "Ann wrote it in Paris."), "occlusion"),
            "lm": lambda: faithlens.Explainer(lm_dir).explain("The capital is", "occlusion", max_new_tokens=3),
            "gpt2": lambda: gpt2_x.explain("a good film", "occlusion"),
            "gpt2 NUL": lambda: gpt2_x.explain("a good film\x00", "occlusion")}
    edits = JsonEdits(made)
    made_once, read_back, cache = edits.get, edits.read_back, edits.cache

    def drop_last(d):
        for name in ("tokens", "offsets", "special", "token_scores", "token_scores_normalised"):
            d[name] = d[name][:-1]

    def set_(key, value):
        return lambda d: d.__setitem__(key, value(d[key]))

    add(k, "TC 1: from_json, token_scores_normalised[2] edited", read_back(
        "single", set_("token_scores_normalised", lambda s: s[:2] + [0.9] + s[3:])), "error",
        "token_scores_normalised[2] is 0.9, but token_scores[2] over the L2 norm of the token scores is")
    for which, words in [("single", "the tokens open with '[CLS]', so the tokenizer closes the last text with '[SEP]', "
                                    "but its last token is 'film'"),
                         ("pair", "closes the last text with '[SEP]', but its last token is"),
                         ("qa", "closes the last text with '[SEP]', but its last token is '.'"),
                         ("lm", "the target continuation has 3 token(s), so the first 2 follow the prompt as special "
                                "tokens")]:
        add(k, f"TC 2: from_json, {which} explanation, last token dropped with its score and offset",
            read_back(which, drop_last), "error", words)
    add(k, "TC 3: from_json, prediction.note added", read_back("single", set_("prediction", lambda p: dict(p, note="x"))),
        "error", "'prediction' has unexpected keys ['note']. Expected keys from ['index', 'label', 'labels', 'probs']")
    add(k, "TC 3: from_json, words[0].colour added", read_back("single", lambda d: d["words"][0].update(colour="red")),
        "error", "words[0] has unexpected keys ['colour']")
    add(k, "TC 3: from_json, QA target.note added", read_back("qa", set_("target", lambda p: dict(p, note=0))),
        "error", "'target' has unexpected keys ['note']")
    add(k, "TC 4: from_json, GPT-2 (byte-level) text + '\\x00'", read_back("gpt2", set_("text", lambda t: t + "\x00")),
        "error", "'text' has characters no token covers: '\\x00'")
    add(k, "TC 4: from_json, text of NULs only", read_back("single", set_("text", lambda t: "\x00\x00")), "error",
        "'text' is empty or only whitespace")
    add(k, "TC 4: from_json, BERT text + '\\x00' (BERT drops NUL: what explain writes for that text)",
        read_back("single", set_("text", lambda t: t + "\x00")), "ok", "the tokens and scores explain writes",
        lambda e: (e.tokens, e.token_scores) == (lambda a: (a.tokens, a.token_scores))(tx.explain(e.text, "occlusion")))
    for which in made:
        add(k, f"TC: from_json of a {which} explanation (as written)", read_back(which, lambda d: None), "ok",
            "equal to what was written", lambda e, w=which: e == cache[w])
    return out


def ta_label_reading_cases(work, tiny_dir, swapped_dir, agree_dir, float_dir, write) -> list[Case]:
    """Issue 22, tenth breaker F1 and F7: a value naming a class reads by one rule (label_reading.read_class) on every
    surface. --target '+1' was unknown while '01' read as 1; 'label:1' missed a label '1.0' that a bare '1' matched;
    gold labels '1.0' and '-1' were refused by another rule than --target's; nan and JSON true were "a number"."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "14 digit labels"
    target = lambda model, value: cli("explain", "good film", "--model", model, "--method", "occlusion", "--json",  # noqa: E731
                                      "--no-faithfulness", "--target", value)
    index_is = lambda i: lambda r: r.code == 0 and json.loads(r.out)["target"]["index"] == i  # noqa: E731
    add(k, "TA F7a: --target +1 on labels ('1','0')", lambda: target(swapped_dir, "+1"), "error",
        "the label name '1' (read as the number 1) (class 0) and the class index 1 (label '0')")
    add(k, "TA F7a: --target +1 on labels ('0','1')", lambda: target(agree_dir, "+1"), "ok", "class 1", index_is(1))
    add(k, "TA F7c: --target 1.0 on labels ('1','0')", lambda: target(swapped_dir, "1.0"), "error",
        "Write label:1 for the label, or index:1")
    add(k, "TA F7b: --target label:01 on labels ('1.0','0.0')", lambda: target(float_dir, "label:01"), "ok",
        "class 0 by value", index_is(0))
    add(k, "TA F7b: --target label:1 on labels ('1.0','0.0')", lambda: target(float_dir, "label:1"), "ok",
        "class 0 by value", index_is(0))
    add(k, "TA F7b: --target 1.0 on labels ('1.0','0.0')", lambda: target(float_dir, "1.0"), "error",
        "it is the label name '1.0' (class 0) and the class index 1 (label '0.0')")
    add(k, "TA F7d: --target nan", lambda: target(tiny_dir, "nan"), "error", "nan is not a label")
    add(k, "TA F1: --target -1 on labels (negative, positive)", lambda: target(tiny_dir, "-1"), "error",
        "-1 is a negative number, never a class index")
    add(k, "TA F7a: target='label:+1' on labels ('1.0','0.0') (Python)", lambda: faithlens.Explainer(float_dir).explain(
        "good", "occlusion", target="label:+1"), "ok", "class 0", lambda r: r.target["index"] == 0)
    run = ("--methods", "occlusion", "--limit", "2", "--quiet")
    evaluate = lambda model, data: cli("evaluate", "--model", model, "--data", data, *run)  # noqa: E731
    floats = write("ta-floats.tsv", "text\tlabel\ngood film\t1.0\nbad film\t0.0\n")
    add(k, "TA F1: evaluate gold 1.0, 0.0 on labels ('0','1')", lambda: evaluate(agree_dir, floats), "ok", "runs",
        lambda r: r.code == 0)
    add(k, "TA F1: evaluate gold 1.0, 0.0 on labels ('1','0')", lambda: evaluate(swapped_dir, floats), "error",
        "The gold label '1.0' (line 2 of")
    add(k, "TA F1: evaluate gold 1.0, 0.0 on labels ('1.0','0.0')", lambda: evaluate(float_dir, floats), "error",
        "it is the label name '1.0' (class 0) and the class index 1 (label '0.0')")
    named = write("ta-label-prefix.tsv", "text\tlabel\ngood film\tlabel:1\nbad film\tlabel:0\n")
    add(k, "TA F7b: evaluate gold label:1, label:0 on labels ('1.0','0.0')", lambda: evaluate(float_dir, named), "ok",
        "runs", lambda r: r.code == 0)
    negative = write("ta-negative.tsv", "text\tlabel\ngood film\t1\nbad film\t-1\n")
    add(k, "TA F1: evaluate gold -1 on labels ('0','1')", lambda: evaluate(agree_dir, negative), "error",
        "The gold label '-1' (line 3 of")
    add(k, "TA F1: evaluate gold -1 (a JSON number)", lambda: evaluate(agree_dir, write(
        "ta-negative.jsonl", '{"text": "good film", "label": 1}\n{"text": "bad film", "label": -1}\n')), "error",
        "a negative JSON number: a JSON number is a class index, and an index is never negative")
    add(k, "TA F7d: evaluate gold nan (CSV)", lambda: evaluate(agree_dir, write(
        "ta-nan.csv", "text,label\ngood film,1\nbad film,nan\n")), "error", "nan is not a label")
    add(k, "TA F7d: evaluate gold true (JSON)", lambda: evaluate(agree_dir, write(
        "ta-true.jsonl", '{"text": "good film", "label": true}\n{"text": "bad film", "label": false}\n')), "error",
        "The gold label true (line 1 of")
    add(k, "TA F1: train, gold -1/1, no --labels", lambda: cli(
        "train", "--train", negative, "--base", tiny_dir, "--out", str(work / "ta-out")), "error",
        "has label '-1', a number that is not a class index")
    add(k, "TA F7a: a file's gold 0.0, 1.0 read as class indices", lambda: faithlens_data().read_file(write(
        "ta-zero-one.tsv", "text\tlabel\nbad\t0.0\ngood\t1.0\nfun\t+1\n")), "ok", "(0, 1, 1)",
        lambda d: d.labels == (0, 1, 1))
    return out


def ub_label_train_cases(work, tiny_dir, padded_dir, write) -> list[Case]:
    """Issue 22, eleventh breaker F3, F4, F5, F6, F8: labels ('01', '1') offered only class 0 for --target +1; a JSON
    gold label 1e0 was "1.0 ... written with a point"; train suggested --split, which it lacks, and --holdout/--subset
    or renumbering for data of one class; facade train accepted --max-length 1 and 100000 on a 64-position model."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "14 digit labels"
    target = lambda value: cli("explain", "good film", "--model", padded_dir, "--method", "occlusion", "--json",  # noqa: E731
                               "--no-faithfulness", "--target", value)
    both = "label:01 or index:0 for class 0, label:1 or index:1 for class 1"
    for value in ("+1", "1e0", "１", "label:+1"):
        add(k, f"UB F5: --target {value} on labels ('01','1') names both classes", lambda v=value: target(v), "error",
            both)
    add(k, "UB F5: --target label:1 on labels ('01','1')", lambda: target("label:1"), "ok", "class 1",
        lambda r: r.code == 0 and json.loads(r.out)["target"]["index"] == 1)
    padded_gold = write("ub-padded.tsv", "text\tlabel\ngood film\t+1\nbad film\t0\n")
    add(k, "UB F5: evaluate gold +1 on labels ('01','1')", lambda: cli(
        "evaluate", "--model", padded_dir, "--data", padded_gold, "--methods", "occlusion", "--limit", "2", "--quiet"),
        "error", "Write the file's gold labels as " + both)
    exponent = write("ub-exponent.jsonl", '{"text": "great fun", "label": 1e0}\n{"text": "dull", "label": 0}\n')
    add(k, "UB F6: a JSON gold label 1e0 is named as written", lambda: cli(
        "evaluate", "--model", tiny_dir, "--data", exponent, "--methods", "occlusion", "--limit", "2", "--quiet"),
        "error", "The gold label 1e0 (line 1 of")
    k = "11 training options"
    train = lambda data, *more: cli("train", "--train", data, "--base", tiny_dir, "--out", str(work / "ub-t"), *more)  # noqa: E731
    folder = work / "ub-folder"
    folder.mkdir(exist_ok=True)
    (folder / "ok.tsv").write_text("sentence\tlabel\na\t1\nb\t0\n", encoding="utf-8")
    add(k, "UB F3: train --train FOLDER without train.tsv names the file", lambda: train(str(folder)), "error",
        f"Pass --train the file itself, e.g. --train {folder / 'ok.tsv'}")
    zeros = write("ub-zeros.tsv", "sentence\tlabel\ngreat fun\t0\na dull mess\t0\n")
    ones = write("ub-ones.tsv", "sentence\tlabel\ngreat fun\t1\na dull mess\t1\n")
    for name, data, label in (("every label 0", zeros, 0), ("every label 1", ones, 1)):
        add(k, f"UB F4: train, {name}: one class, refused plainly", lambda d=data: train(d), "error",
            f"is class {label}; a classifier needs examples of at least two classes. Add examples of another class")
    many = write("ub-many.tsv", "sentence\tlabel\n" + "".join(f"film {i}\t1\n" for i in range(9)) + "bad\t0\n")
    add(k, "UB F4: train --subset 1 names --subset only", lambda: train(many, "--subset", "1"), "error",
        "left by --subset 1 has 1 example(s), all of class 1; a classifier needs examples of at least two classes, "
        f"and --train {many} has them. Pass a larger --subset or another --subset-seed.")
    facade_data = write("ub-facade.tsv", "sentence\tlabel\n" + "".join(f"film {i}\t{i % 2}\n" for i in range(20)))
    facade = lambda length: cli("facade", "train", "--model", tiny_dir, "--data", facade_data, "--out",  # noqa: E731
                                str(work / f"ub-f{length}"), "--steps", "2", "--max-length", length, "--heldout", "4",
                                "--batch-size", "4")
    add(k, "UB F8: facade train --max-length 1", lambda: facade("1"), "error",
        "--max-length 1 leaves no text token: the target model's tokenizer adds 2 special tokens")
    add(k, "UB F8: facade train --max-length 100000 on 64 positions", lambda: facade("100000"), "error",
        "--max-length 100000 is longer than the target model's 64 positions")
    return out


def uc_from_json_derived_cases(tx, lm_dir) -> list[Case]:
    """Issue 22, eleventh breaker F7: `Explanation.from_json` accepted edited derived records — an error on an exact
    result, a delta on SIG's closed form, Comp 99, k 100 on a 7-token text, a top-k fraction of 5, SIG's mode against
    its error kind, [CLS] flagged not special, a causal LM's label that its tokens do not decode to. Each is refused
    naming the field and what it must be; what faithlens writes (random.n up to its bound) still reads back."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "15 json"
    text = "a good film and a dull plot"
    made = {"closed": lambda: tx.explain(text, "sig", faithfulness=True, n_random=5),
            "reverse": lambda: tx.explain(text, "sig", mode="reverse", steps=4),
            "lm": lambda: faithlens.Explainer(lm_dir).explain("the film was", "occlusion", target=" good")}
    made_once = JsonEdits(made)
    cache = made_once.cache

    def read_back(which, *edits):
        def edit(d):
            for path, value in edits:
                holder = d
                for key in path[:-1]:
                    holder = holder[key]
                holder[path[-1]] = value
        return made_once.read_back(which, edit)

    for which, path, value, words in [
        ("closed", ("error", "relative"), 0.5, "'error' kind is 'exact' (no approximation: no error to measure), but its "
                                               "relative is 0.5"),
        ("closed", ("error", "absolute"), 3.0, "an exact result has absolute 0"),
        ("closed", ("error", "reference"), 100.0, "'error' reference is 100.0, but the largest unit score"),
        ("closed", ("deltas", 1), 5.0, "so every unit's delta is 0, but deltas[1] is 5.0"),
        ("reverse", ("deltas", 1), 5.0, "but the worst unit's quadrature error max_u |δ_u| (from 'deltas') is 5.0"),
        ("reverse", ("error", "relative"), 0.5, "'error' relative is 0.5, but absolute / |reference| is"),
        ("closed", ("faithfulness", "comp"), 99.0, "faithfulness 'comp' is 99.0; comprehensiveness is p(ŷ) − p̃(ŷ)"),
        ("closed", ("faithfulness", "k"), 100, "faithfulness 'k' is 100, but the top-k fraction 0.2 of the 7 attributed "
                                               "tokens is 1"),
        ("closed", ("faithfulness", "fraction"), 5.0, "faithfulness 'fraction' is 5.0; the top-k fraction is a number in "
                                                      "[0, 1]"),
        ("closed", ("faithfulness", "random", "n"), 1001, "an int 'n' in [0, 1000]"),
        ("closed", ("settings", "mode"), "reverse", "settings 'mode' is 'reverse', whose scores are measured as "
                                                    "'quadrature', but 'error' kind is 'exact'"),
        ("closed", ("special", 0), False, "token 0 ('[CLS]') belongs to no word, so it is a special token"),
        ("closed", ("special", 2), True, "token 2 ('good') is special (never attributed), but it belongs to word 'good'"),
        ("closed", ("nodes",), [5] * 7, "'nodes' holds 7 node count(s), but 'settings' has no 'tolerance'"),
        ("lm", ("prediction", "label"), " bad", "prediction 'label' is ' bad', but its 'tokens' [' good'] decode to "
                                                "' good'"),
    ]:
        add(k, f"UC: from_json, {which} explanation, {'.'.join(map(str, path))} = {value!r}",
            read_back(which, (path, value)), "error", words)
    add(k, "UC: from_json, causal LM, prediction and target label ' bad' (tokens and pieces say ' good')",
        read_back("lm", (("prediction", "label"), " bad"), (("target", "label"), " bad")), "error",
        "prediction 'label' is ' bad', but its 'tokens' [' good'] decode to ' good'")
    add(k, "UC: from_json, closed SIG, random.n = 1000 (the bound; beats_random 1.0 is a share of any n)",
        read_back("closed", (("faithfulness", "random", "n"), 1000)), "ok", "loads with n = 1000",
        lambda e: e.faithfulness["random"]["n"] == 1000)
    add(k, "UC: from_json, closed SIG with faithfulness, unedited", read_back("closed"), "ok", "reads back equal",
        lambda e: e == cache["closed"])
    return out


def ua_file_followup_cases(tiny_dir, write) -> list[Case]:
    """Issue 22, eleventh breaker F1, F2, F10, F13. F1: `--pair-column hypothesis` alone lost the premise column, and a
    premises-only file got "Pass --text-column NAME"; F2: explain suggested label_column='NAME', a Python keyword;
    F10: GLUE's dev.tsv (sentence<tab>label) was refused as a header line, then as gold labels; F13: a warning printed
    faithlens's source path and a line of its code."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "9 pair files"
    explain, reads = file_explain(tiny_dir)
    pairs = write("ua-pairs.csv", "premise,hypothesis,label\nA dog runs.,An animal moves.,entailment\n")
    premises = write("ua-premises.jsonl", '{"premise": "A dog runs."}\n')
    pair = [("A dog runs.", "An animal moves.")]
    add(k, "UA F1: explain --file pairs.csv --pair-column hypothesis", lambda: explain(pairs, "--pair-column", "hypothesis"),
        "ok", f"texts {pair}", reads(pair))
    add(k, "UA F1: read_file(pairs.csv, pair_column='hypothesis') (evaluate, train)", lambda: faithlens_data().read_file(
        pairs, pair_column="hypothesis"), "ok", "premise found", lambda d: d.texts == tuple(pair) and d.labels == (0,))
    add(k, "UA F1: explain --file of premises only", lambda: explain(premises), "error", "or pass --text-column premise.")
    add(k, "UA F1: explain --file of premises only --text-column premise", lambda: explain(premises, "--text-column",
                                                                                           "premise"),
        "ok", "the premise", reads([("A dog runs.", None)]))
    add(k, "UA F2: explain --file pairs.csv --text-column label (a label column is never model input)", lambda: explain(
        pairs, "--text-column", "label"), "error", "Pass --text-column NAME with the column of the texts")
    add(k, "UA F2: evaluate --label-column hypothesis on pairs (evaluate now has --pair-column)", lambda: cli(
        "evaluate", "--model", tiny_dir, "--data", pairs, "--label-column", "hypothesis", "--methods", "occlusion",
        "--quiet"), "error", "Pass --pair-column NAME with the column of the second text of each pair or --label-column NAME")
    add(k, "UA F2: audit on premises only (no column options on audit)", lambda: cli(
        "audit", "--model", tiny_dir, "--data", premises, "--examples", "1"), "error",
        "there is no 'hypothesis' column. Name the column of the texts 'text'.",
        )
    dev = write("ua-dev.tsv", "sentence\tlabel\nit 's a charming journey . \t1\nbleak and desperate \t0\n")
    add(k, "UA F10: explain --file dev.tsv (sentence<tab>label header)", lambda: explain(dev), "ok", "the sentences",
        reads([("it 's a charming journey .", None), ("bleak and desperate", None)]))
    snli = write("ua-snli.txt", "premise\thypothesis\tlabel\nA dog runs.\tAn animal moves.\tentailment\n")
    add(k, "UA F10: explain --file with a premise<tab>hypothesis<tab>label header, .txt", lambda: explain(snli), "ok",
        f"texts {pair}", reads(pair))
    plain = write("ua-plain.tsv", "A dog runs.\tAn animal moves.\n")
    add(k, "UA F10: a .tsv of pairs without a header stays plain lines", lambda: explain(plain), "ok", f"texts {pair}",
        reads(pair))
    numbers = write("ua-numbers.tsv", "good film\t1\nbad film\t0\n")
    add(k, "UA F10: a .tsv of TEXT<tab>NUMBER without a header: gold labels", lambda: explain(numbers), "error",
        "looks like gold labels")
    text_pair = write("ua-text-pair.txt", "text\ttext_pair\nA dog runs.\tAn animal moves.\n")
    add(k, "UA F10: a text<tab>text_pair header: read as the pair", lambda: explain(text_pair), "ok",
        "the pair, no warning", lambda r: reads([("A dog runs.", "An animal moves.")])(r) and "warning" not in r.err)
    for header in ("Text\tText_pair", "TEXT,TEXT_PAIR"):  # any case, tab or comma (thirteenth breaker B2's rule)
        cased = write(f"ua-text-pair-{len(out)}.txt", header + "\n" + ("A dog runs.\tAn animal moves.\n" if "\t" in header
                                                                        else "A dog runs.,An animal moves.\n"))
        add(k, f"UA F10: a {header.replace(chr(9), '<tab>')!r} header: read as the pair", lambda p=cased: explain(p),
            "ok", "the pair", reads([("A dog runs.", "An animal moves.")]))
    extra = write("ua-extra.jsonl", '{"text": "great fun", "extra": 1}\n')
    add(k, "UA F13: a warning on the command line is one line, no source path", lambda: explain(extra), "ok",
        "faithlens: warning: ... (one line)", lambda r: r.code == 0 and [x for x in r.err.splitlines() if x.strip()] == [
            f"faithlens: warning: --file {extra} is read by columns: explain reads the single texts of the column "
            "'text'; the column 'extra' is not read. If one holds the second text of each pair, pass --pair-column NAME "
            "(and --text-column NAME for the first)."])
    unlabelled = write("ua-unlabelled.csv", "text,mark\ngood film,1\nbad film,0\n")
    add(k, "UA F13: evaluate's warning in its own option names", lambda: cli(
        "evaluate", "--model", tiny_dir, "--data", unlabelled, "--methods", "occlusion", "--no-random", "--no-curves",
        "--quiet"), "ok", "faithlens: warning: No label column ... pass --label-column NAME.",
        lambda r: r.code == 0 and "If one holds the labels, pass --label-column NAME." in r.err
        and "FaithlensWarning" not in r.err and "label_column" not in r.err)
    return out


def vb_file_shape_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22, twelfth breaker N3, N7, N8, N9: a file of old Mac line endings (a lone \\r only) was one text or refused
    for a third column; train --train - suggested installing datasets; a TSV without a header took its first example
    for column names and offered --text-column; a JSON gold label 1e400 was "not a whole number"."""
    from faithlens.data import load_dataset

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "19 file shapes"
    explain = lambda path, stdin=None: cli("explain", "--model", tiny_dir, "--file", path, "--method", "occlusion",  # noqa: E731
                                           "--json", "--no-faithfulness", stdin=stdin)
    reads = lambda texts: lambda r: r.code == 0 and [json.loads(x)["text"] for x in r.out.splitlines()] == texts  # noqa: E731
    evaluate = lambda data: cli("evaluate", "--model", tiny_dir, "--data", data, "--methods", "occlusion",  # noqa: E731
                                "--no-random", "--no-curves", "--quiet")
    two = ["great fun", "a dull mess"]
    plain = write("vb-cr.txt", "great fun\ra dull mess\r")
    add(k, "VB N3: --file of old Mac lines (lone \\r only)", lambda: explain(plain), "ok", "two texts", reads(two))
    add(k, "VB N3: standard input of old Mac lines", lambda: explain("-", "great fun\ra dull mess\r"), "ok", "two texts",
        reads(two))
    header = write("vb-cr-header.txt", "text\rgreat fun\ra dull mess\r")
    add(k, "VB N3: --file of old Mac lines, first line 'text'", lambda: explain(header), "error",
        "looks like a header (text)")
    tsv = write("vb-cr.tsv", "sentence\tlabel\rgreat fun\t1\ra dull mess\t0\r")
    add(k, "VB N3: --file, a TSV of old Mac lines", lambda: explain(tsv), "ok", "read by columns: two texts", reads(two))
    add(k, "VB N3: evaluate --data, a TSV of old Mac lines", lambda: evaluate(tsv), "ok", "two examples",
        lambda r: r.code == 0)
    for option, more in (("--train", ()), ("--validation", ("--train", tsv))):
        add(k, f"VB N7: train {option} -", lambda o=option, m=more: cli(
            "train", *m, o, "-", "--base", tiny_dir, "--out", str(work / "vb-t")), "error",
            f"{option} - names standard input, which faithlens does not read data from")
    add(k, "VB N7: evaluate --data -", lambda: evaluate("-"), "error", "--data - names standard input")
    add(k, "VB N7: load_dataset('-')", lambda: load_dataset("-"), "error",
        "load_dataset('-') names standard input")
    bare = write("vb-nohdr.tsv", "great fun\t1\na dull mess\t0\n")
    add(k, "VB N8: evaluate --data, a TSV without a header", lambda: evaluate(bare), "error",
        "so this file has no header line. Add one as its first line, e.g. sentence<tab>label")
    bare_csv = write("vb-nohdr.csv", "great fun,1\na dull mess,0\n")
    add(k, "VB N8: evaluate --data, a CSV without a header", lambda: evaluate(bare_csv), "error",
        "e.g. text,label")
    big = write("vb-big.jsonl", '{"text": "great fun", "label": 1e400}\n{"text": "dull", "label": 0}\n')
    add(k, "VB N9: a JSON gold label 1e400", lambda: evaluate(big), "error",
        "is too large to be a class index (it reads as infinity)")
    nan = write("vb-nan.jsonl", '{"text": "great fun", "label": NaN}\n{"text": "dull", "label": 0}\n')
    add(k, "VB N9: a JSON gold label NaN", lambda: evaluate(nan), "error", "The gold label NaN (line 1 of")
    return out


def truncated_flag_cases(tx) -> list[Case]:
    """Issue 22, fifteenth breaker F1: `from_json` accepted "truncated": true on an explanation whose tokens cover the
    whole text (the opposite edit was refused); a really truncated explanation still reads back."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "15 json"

    def flagged(text, value, **settings):
        d = tx.explain(text, "occlusion", **settings).to_dict()
        d["truncated"] = value
        return lambda: faithlens.Explanation.from_json(json.dumps(d))

    add(k, "TF15: from_json, truncated true on a whole short text", flagged("a good film", True), "error",
        "'truncated' is true, but the tokens cover the whole text")
    add(k, "TF15: from_json, a truncated explanation as written", flagged("a good film " * 200, True, truncate=True),
        "ok", "reads back truncated", lambda e: e.truncated)
    return out


def file_explain(tiny_dir, *, quiet: bool = False):
    """(explain, reads) for `explain --file` cases: ``explain(path, *more)`` runs the CLI on ``tiny_dir`` with JSON
    output; ``reads(expected)`` checks it exited 0 and explained ``expected`` [(text, text_pair)] (and, ``quiet``,
    warned nothing)."""
    run = ("--method", "occlusion", "--json", "--no-faithfulness")
    explain = lambda path, *more: cli("explain", "--model", tiny_dir, "--file", path, *run, *more)  # noqa: E731
    read = lambda r: [(x["text"], x.get("text_pair")) for x in map(json.loads, r.out.splitlines())]  # noqa: E731
    reads = lambda expected: lambda r: (r.code == 0 and read(r) == expected  # noqa: E731
                                        and not (quiet and "warning" in r.err))
    return explain, reads


class JsonEdits:
    """Explanations made once each (``made``: a name → a function making it) and read back through
    `Explanation.from_json` after an edit of their dict: the from_json cases of several breakers."""

    def __init__(self, made: dict):
        self.made, self.cache = made, {}

    def get(self, which):
        if which not in self.cache:
            self.cache[which] = self.made[which]()
        return self.cache[which]

    def read_back(self, which, edit):
        def run():
            d = self.get(which).to_dict()
            edit(d)
            return faithlens.Explanation.from_json(json.dumps(d))
        return run


def sixteenth_breaker_cases(work, tx, tiny_dir, write) -> list[Case]:
    """Issue 22, sixteenth breaker F1, F2: a 4 KB JSON body of nested arrays ended in a 500 (RecursionError) and a
    server traceback; evaluate --out into a user's folder replaced their results.json."""
    from faithlens.app import Limits, create_app

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    web = create_app(tx, limits=Limits()).test_client()

    def post(raw):
        r = web.post("/api/explain", data=raw, content_type="application/json", headers={"Host": "127.0.0.1:8765"})
        payload = r.get_json(silent=True) or {}
        return {"status": r.status_code, "error": payload.get("error")} if r.status_code >= 400 else {"ok": 200}

    for name, raw in (("2000 nested arrays", "[" * 2000 + "]" * 2000),
                      ("texts nested 1000 deep", '{"texts": ' + "[" * 1000 + "]" * 1000 + "}")):
        add("7 web app", f"S16: POST /api/explain, a JSON body of {name}", lambda b=raw: post(b), "error",
            "nests arrays or objects more than 64 levels deep")
    mine = work / "s16-mine"
    mine.mkdir(exist_ok=True)
    (mine / "results.json").write_text('{"my": "precious"}')
    data = write("s16-data.tsv", "sentence\tlabel\ngreat fun\t1\na dull mess\t0\n")
    add("17 paths", "S16: evaluate --out a folder holding the user's results.json", lambda: cli(
        "evaluate", "--model", tiny_dir, "--data", data, "--methods", "occlusion", "--no-random", "--no-curves",
        "--quiet", "--out", str(mine)), "error", "holds results.json but no settings.json, so not a faithlens evaluate run",
        lambda r: r.code != 0 and (mine / "results.json").read_text() == '{"my": "precious"}')
    return out


def yb_facade_cases(work, tiny_dir, lm_dir, qa_x, write) -> list[Case]:
    """Issue 22, sixteenth breaker F4-F6: `facade merge --form sum` was offered by --help but always refused; a refused
    command left an empty --out folder behind; the web app's error for a QA answer that occurs several times gave the
    Python/CLI fix, not the JSON "target": [start, end]."""
    from faithlens.app import Limits, create_app

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    data = write("yb-data.tsv", "sentence\tlabel\n" + "great fun\t1\na dull mess\t0\n" * 4)

    def leaves_nothing(folder: Path, *argv):  # a refusal that leaves its new --out folder behind is no clean refusal
        ran = cli(*argv)
        return ran if not folder.exists() else f"exit {ran.code}, but left {str(folder)!r} behind"

    new = work / "yb-new-merge"  # each case its own new folder (one left behind would not hide the next)
    add("11 training options", "YB F4: facade merge --form sum", lambda: leaves_nothing(
        new, "facade", "merge", "--model", tiny_dir, "--facade", tiny_dir, "--out", str(new / "m"), "--form", "sum"),
        "error", "faithlens.audit.merge_models(f, g, form='sum')")
    add("11 training options", "YB F4: facade merge --help says the sum form is Python-only", lambda: cli(
        "facade", "merge", "--help"), "ok", "Python-only, naming merge_models",
        lambda r: "Python-only" in r.out and "{intertwined}" in r.out and "merge_models" in r.out)
    for name, fresh, argv, words in [
        ("facade train a GPT-2", work / "yb-new-train", ("facade", "train", "--model", lm_dir, "--data", data,
                                                         "--steps", "1", "--max-length", "32"), "BERT-style targets"),
        ("facade regularise a GPT-2", work / "yb-new-reg", ("facade", "regularise", "--model", lm_dir, "--data", data,
                                                            "--steps", "1"), "fine-tunes classifiers"),
        ("evaluate a GPT-2", work / "yb-new-eval", ("evaluate", "--model", lm_dir, "--data", data, "--methods",
                                                    "occlusion"), "evaluate scores classifiers"),
    ]:
        add("17 paths", f"YB F5: {name} into a new --out, refused, leaves no folder",
            lambda n=fresh, a=argv: leaves_nothing(n, *a, "--out", str(n / "out")), "error", words)
    web = create_app(qa_x, limits=Limits()).test_client()

    def post(body):
        r = web.post("/api/explain", data=json.dumps(body), content_type="application/json",
                     headers={"Host": "127.0.0.1:8765"})
        payload = r.get_json(silent=True) or {}
        return {"status": r.status_code, "error": payload.get("error")} if r.status_code >= 400 else {"ok": 200}

    add("7 web app", "YB F6: QA answer 'it' occurring 3 times", lambda: post(
        {"text": "what?", "pair": "it it it", "method": "occlusion", "target": "it"}), "error",
        'send its span in JSON as "target": [start, end], e.g. "target": [0, 2]')
    return out


def yc_small_cases(work, tiny_dir, qa_dir, swapped_dir, reversed_dir, write) -> list[Case]:
    """Issue 22, task yc: evaluate --out onto a saved model's folder wrote the results among its files; train --base
    with labels ('1', '0') on 0/1 data swapped the kept head's classes in silence (and label names in another order
    than the base's); a 5,000-character --answer or --target was echoed whole; --limit above the data was silent."""
    import shutil

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "21 small findings"
    model_copy = work / "yc-model"
    shutil.copytree(tiny_dir, model_copy, dirs_exist_ok=True)
    held = sorted(p.name for p in model_copy.iterdir())
    data = write("yc-data.tsv", "sentence\tlabel\ngreat fun\t1\na dull mess\t0\n")
    words = write("yc-words.tsv", "sentence\tlabel\ngreat fun\tpositive\na dull mess\tnegative\n")
    add(k, "YC 1: evaluate --out a folder holding a saved model", lambda: cli(
        "evaluate", "--model", tiny_dir, "--data", data, "--methods", "occlusion", "--no-random", "--no-curves",
        "--quiet", "--out", str(model_copy)), "error", "holds a saved model (config.json, model.safetensors)",
        lambda r: sorted(p.name for p in model_copy.iterdir()) == held)
    add(k, "YC 2: train --base labelled ('1', '0') on 0/1 data", lambda: cli(
        "train", "--base", swapped_dir, "--train", data, "--out", str(work / "yc-t1"), "--epochs", "1"), "error",
        "the base's label name '1' (class 0) and the class index 1")
    add(k, "YC 2: train --base labelled (positive, negative) on words read in sorted order", lambda: cli(
        "train", "--base", reversed_dir, "--train", words, "--out", str(work / "yc-t2"), "--epochs", "1"), "error",
        "Pass --labels in the base's order (positive negative)")
    add(k, "YC 2: train --labels negative positive on a base labelled (positive, negative)", lambda: cli(
        "train", "--base", reversed_dir, "--train", words, "--labels", "negative", "positive", "--out",
        str(work / "yc-t3"), "--epochs", "1"), "error", "--labels negative positive names the classes of --base")
    long = "x" * 5000
    add(k, "YC 3: a 5,000-character --answer", lambda: cli(
        "explain", "--model", qa_dir, "--pair", "what?", "great fun", "--answer", long), "error",
        "(5,000 characters) does not occur in the context", lambda r: long not in r.err and len(r.err) < 500)
    add(k, "YC 3: a 5,000-character --target", lambda: cli("explain", "great fun", "--model", tiny_dir, "--target",
                                                            long), "error", "(5,000 characters)",
        lambda r: long not in r.err and len(r.err) < 500)
    add(k, "YC 4: evaluate --limit 100 on 2 examples", lambda: cli(
        "evaluate", "--model", tiny_dir, "--data", data, "--methods", "occlusion", "--no-random", "--no-curves",
        "--quiet", "--limit", "100"), "ok", "warns once: all 2 are used",
        lambda r: r.code == 0 and r.err.count("faithlens: warning: --limit 100 is more than the 2 examples") == 1)
    again = ("evaluate", "--model", tiny_dir, "--data", data, "--methods", "occlusion", "--no-curves", "--quiet",
             "--out", str(work / "yc-run"))
    add(k, "YC 5: the same evaluate command run twice into one --out", lambda: (cli(*again), cli(*again))[1], "ok",
        "the second run resumes the first (its random row counted)", lambda r: r.code == 0)
    return out


def _foreign_tokenizer(folder: Path) -> None:
    data = json.loads((folder / "tokenizer.json").read_text())
    data["model"]["vocab"] = {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "[PAD]": 3, "[MASK]": 4}
    (folder / "tokenizer.json").write_text(json.dumps(data))


def ud_option_qa_cases(tx, qa_x, tiny_dir, qa_dir) -> list[Case]:
    """Issue 22, eleventh breaker F9, F11, F12: --seed with --no-faithfulness and no sampling method ran (it does
    nothing there); with several QA pairs an answer missing from one context did not say which pair; a long QA
    context, split into windows, also said "truncated", and --truncate (which does nothing for QA) ran."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "18 option followups"
    text = ("explain", "great fun", "--model", tiny_dir, "--json")
    add(k, "UD F9: --seed 3, occlusion, --no-faithfulness", lambda: cli(*text, "--method", "occlusion",
                                                                        "--no-faithfulness", "--seed", "3"), "error",
        "seed=3 (CLI --seed 3) does nothing for occlusion without the faithfulness check")
    add(k, "UD F9: --seed 0 typed, grad_x_input, --no-faithfulness", lambda: cli(*text, "--method", "grad_x_input",
                                                                                 "--no-faithfulness", "--seed", "0"),
        "error", "seed=0 (CLI --seed 0) does nothing for grad_x_input")
    add(k, "UD F9: --seed 3 with the faithfulness check", lambda: cli(*text, "--method", "occlusion", "--seed", "3",
                                                                      "--random", "2"), "ok",
        "the check's random orderings record seed 3", lambda r: r.code == 0 and json.loads(r.out)["faithfulness"]["random"]["seed"] == 3)
    add(k, "UD F9: --seed 3, occlusion and smoothgrad, --no-faithfulness", lambda: cli(
        *text, "--method", "occlusion", "smoothgrad", "--no-faithfulness", "--seed", "3", "--samples", "3"), "ok",
        "smoothgrad records seed 3; no 'Ignored'", lambda r: r.code == 0 and "Ignored" not in r.out + r.err
        and json.loads(r.out.splitlines()[1])["settings"]["seed"] == 3)
    add(k, "UD F9: API seed=3 with occlusion", lambda: tx.explain("great fun", "occlusion", seed=3), "ok",
        "an 'Ignored: seed=3' warning", lambda e: any(w.startswith("Ignored: seed=3") for w in e.warnings))
    add(k, "UD F9: compare occlusion, saliency seed=3 without the check", lambda: tx.compare(
        "great fun", methods=["occlusion", "saliency"], seed=3, faithfulness=False), "error",
        "seed=3 (CLI --seed 3) does nothing for occlusion, saliency")
    add(k, "UD F11: --answer Paris in the second of two pairs only", lambda: cli(
        "explain", "--model", qa_dir, "--pair", "Q1?", "Paris is big.", "--pair", "Q2?", "Berlin is here.", "--answer",
        "Paris", "--method", "occlusion", "--no-faithfulness"), "error",
        "Pair 1 (counting from 0) of 2, question 'Q2?': The answer 'Paris' does not occur in the context")
    add(k, "UD F11: API, the first of two pairs lacks the answer", lambda: qa_x.explain(
        [("Where?", "Berlin is here."), ("Where?", "Paris is big.")], "occlusion", target="Paris"), "error",
        "Pair 0 (counting from 0) of 2, question 'Where?'")
    long = " ".join(["the film was good"] * 30) + " and paris was fun"  # four windows of the tiny model
    add(k, "UD F12: a long QA context", lambda: cli("explain", "--model", qa_dir, "--pair", "Where?", long, "--answer",
                                                    "paris", "--method", "occlusion", "--no-faithfulness", "--json"),
        "ok", "truncated false, one warning: the windows", lambda r: r.code == 0 and json.loads(r.out)["truncated"] is False
        and [w for w in json.loads(r.out)["warnings"] if "truncated" in w or "windows" in w] == json.loads(r.out)["warnings"][:1]
        and "windows" in json.loads(r.out)["warnings"][0])
    add(k, "UD F12: --truncate on a QA model", lambda: cli("explain", "--model", qa_dir, "--pair", "Where?", long,
                                                           "--answer", "paris", "--method", "occlusion",
                                                           "--no-faithfulness", "--truncate"), "error",
        "truncate=True (CLI --truncate) does nothing for")
    add(k, "UD F12: API truncate=True on a QA model", lambda: qa_x.explain(("Where?", "Ann wrote it."), "occlusion",
                                                                          truncate=True), "error",
        "a context longer than the model's limit is split into overlapping windows")
    return out


def vd_facade_shape_cases(work, tiny_dir, qa_dir, write) -> list[Case]:
    """Issue 22, twelfth breaker N10: `facade train` trained a QA model's facade on single sentiment texts with exit 0.
    The data's shape must match the model's task (`task_inputs.check_data_task`), before any training or model pass."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "19 facade data shape"
    words = ["good", "bad", "fine", "awful", "great", "dull", "nice", "poor"]
    texts = write("vd-texts.tsv", "sentence\tlabel\n" + "".join(f"a {w} film\t{i % 2}\n" for i, w in enumerate(words)))
    pairs = write("vd-pairs.tsv", "premise\thypothesis\tlabel\n" + "".join(
        f"a {w} film\tit was {w}\t{i % 2}\n" for i, w in enumerate(words)))
    squad = write("vd-squad.json", json.dumps({"data": [{"title": "t", "paragraphs": [
        {"context": f"the film was {w} and fun", "qas": [{"id": str(i), "question": "what was the film",
                                                          "answers": [{"text": w, "answer_start": 13}]}]}
        for i, w in enumerate(words)]}]}))
    run = ("--steps", "1", "--batch-size", "2", "--eval-every", "1", "--heldout", "2", "--max-length", "32")
    train = lambda model, data, name: cli("facade", "train", "--model", model, "--data", data, *run,  # noqa: E731
                                          "--out", str(work / f"vd-{name}"))
    add(k, "VD: facade train, QA model, single texts", lambda: train(qa_dir, texts, "qa-texts"), "error",
        "question-answering model: it explains (question, context) pairs, but got 8 single text(s)")
    add(k, "VD: facade train, QA model, premise/hypothesis pairs", lambda: train(qa_dir, pairs, "qa-pairs"), "error",
        "holds premise/hypothesis pairs")
    add(k, "VD: facade train, QA model, SQuAD file", lambda: train(qa_dir, squad, "qa-squad"), "ok", "a QA facade",
        lambda r: r.code == 0 and (work / "vd-qa-squad" / "faithlens_facade.json").exists())
    add(k, "VD: facade train, classifier, SQuAD file", lambda: train(tiny_dir, squad, "cls-squad"), "error",
        "is a classifier: it reads texts or text pairs, but")
    for command in ("saliency", "reduce", "hotflip"):
        add(k, f"VD: facade {command}, QA model, single texts", lambda c=command: cli(
            "facade", c, "--model", qa_dir, "--data", texts, "--limit", "2"), "error",
            "Pass --data with questions and their contexts")
    add(k, "VD: audit, classifier, SQuAD file", lambda: cli("audit", "--model", tiny_dir, "--data", squad, "--limit", "2"),
        "error", "laid out as a SQuAD-format file (a JSON object with a top-level \"data\" list")
    add(k, "VD: audit, QA model, premise/hypothesis pairs", lambda: cli(
        "audit", "--model", qa_dir, "--data", pairs, "--limit", "2"), "error", "holds premise/hypothesis pairs")
    return out


def wd_settings_key_cases(tx, lm_dir) -> list[Case]:
    """Issue 22, thirteenth breaker B9: `Explanation.from_json` accepted an unknown key in ``settings`` ("foo": 1), though
    it refused occlusion's ``steps``. ``settings`` holds only the shared settings and those a run of its method writes
    (`explanation_settings`); ``provenance`` only what `model.provenance` writes, with its types."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "15 json"
    made = {"occlusion": lambda: tx.explain("great fun", "occlusion", faithfulness=False),
            "lime": lambda: tx.explain("great fun", "lime", n_samples=20, faithfulness=False),
            "lm ig": lambda: faithlens.Explainer(lm_dir).explain("The capital is", "ig", steps=3, max_new_tokens=2,
                                                                faithfulness=False)}
    edits = JsonEdits(made)
    read_back, cache = edits.read_back, edits.cache

    def settings(**extra):
        return lambda d: d["settings"].update(extra)

    add(k, "WD 1: from_json, occlusion settings + foo: 1", read_back("occlusion", settings(foo=1)), "error",
        "'settings' (method 'occlusion') has unexpected keys ['foo']. Expected keys from ['baseline'")
    add(k, "WD 2: from_json, occlusion settings + bootstrap (LIME's record)", read_back("occlusion", settings(bootstrap=200)),
        "error", "has unexpected keys ['bootstrap']")
    add(k, "WD 3: from_json, causal LM ig settings + truncate (an option, never recorded)",
        read_back("lm ig", settings(truncate=True)), "error", "'settings' (method 'ig') has unexpected keys ['truncate']")
    add(k, "WD 4: from_json, provenance.source a number", read_back("occlusion", lambda d: d.update(
        provenance={"name": "m", "source": 3})), "error", "provenance 'source' is 3; faithlens writes a str")
    add(k, "WD 5: from_json, provenance + extra key", read_back("occlusion", lambda d: d.update(
        provenance={"name": "m", "source": "m", "extra": 1})), "error", "'provenance' has unexpected keys ['extra']")
    for which in made:
        add(k, f"WD: from_json of a {which} explanation (as written)", read_back(which, lambda d: None), "ok",
            "equal to what was written", lambda e, w=which: e == cache[w])
    return out


def wc_train_task_cases(work, tiny_dir, qa_dir, lm_dir, write) -> list[Case]:
    """Issue 22, thirteenth breaker B5, B6: `train` scored a pair classifier on a --test of single texts (accuracy 0.5,
    exit 0) and dropped a base's head of another task (QA, causal LM, a classifier under --task qa) in silence. The
    --validation/--test files hold the kind --train holds, and classes it has; the head's task is named, before training."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "11 training options"
    words = ["good", "bad", "fine", "awful", "great", "dull"]
    texts = write("wc-texts.tsv", "sentence\tlabel\n" + "".join(f"a {w} film\t{i % 2}\n" for i, w in enumerate(words)))
    three = write("wc-three.tsv", "sentence\tlabel\na good film\t0\na dull film\t2\n")
    pairs = write("wc-pairs.tsv", "premise\thypothesis\tlabel\n" + "".join(
        f"a {w} film\tit was {w}\t{i % 3}\n" for i, w in enumerate(words)))
    squad = write("wc-squad.json", json.dumps({"data": [{"title": "t", "paragraphs": [
        {"context": "the film was good and fun", "qas": [{"id": "1", "question": "what was the film",
                                                         "answers": [{"text": "good", "answer_start": 13}]}]}]}]}))
    run = ("--epochs", "1", "--max-length", "32")
    train = lambda name, *argv: cli("train", *argv, *run, "--out", str(work / f"wc-{name}"))  # noqa: E731
    add(k, "WC: train on pairs, --test single texts", lambda: train("p-t", "--train", pairs, "--test", texts,
                                                                     "--base", tiny_dir), "error",
        f"--test {texts} holds single texts, but --train {pairs} holds text pairs")
    add(k, "WC: train on single texts, --validation pairs", lambda: train("t-p", "--train", texts, "--validation",
                                                                           pairs, "--base", tiny_dir), "error",
        f"--validation {pairs} holds text pairs, but --train {texts} holds single texts")
    add(k, "WC: --test with a class --train lacks", lambda: train("cls", "--train", texts, "--test", three,
                                                                   "--base", tiny_dir), "error",
        "has 1 example(s) of class 2, which no example of --train")
    head = "of another task than this run trains"
    add(k, "WC: QA base trains a classifier", lambda: train("qa-base", "--train", texts, "--base", qa_dir), "ok",
        "a warning names the QA head and the classifier trained",
        lambda r: r.code == 0 and "BertForQuestionAnswering) carries an extractive question-answering head" in r.err
        and head in r.err)
    add(k, "WC: causal LM base trains a classifier", lambda: train("lm-base", "--train", texts, "--base", lm_dir), "ok",
        "a warning names the next-token head and the classifier trained",
        lambda r: r.code == 0 and "GPT2LMHeadModel) carries a causal language model's next-token head" in r.err
        and head in r.err)
    add(k, "WC: classifier base with --task qa", lambda: cli(
        "train", "--task", "qa", "--train", squad, "--base", tiny_dir, "--epochs", "1", "--max-length", "64",
        "--stride", "16", "--out", str(work / "wc-qa")), "ok", "a warning names the classifier head and the QA model",
        lambda r: r.code == 0 and "BertForSequenceClassification) carries a sequence classifier's head" in r.err
        and "(--task qa)" in r.err)
    add(k, "WC: classifier base, same task: no head note", lambda: train("same", "--train", texts, "--base", tiny_dir),
        "ok", "no warning", lambda r: r.code == 0 and "warning" not in r.err)
    return out


def vc_setting_cases(tx, tiny_dir) -> list[Case]:
    """Issue 22, twelfth breaker N1, N5, N11: --seed with --random 0 and no sampling method ran (nothing reads it);
    --rule alone switched SIG from its exact closed form to a 50-step path (--rule gausslegendre did nothing);
    n_random= without the check was an error in explain() where every other setting that does nothing warns."""
    import warnings

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "19 settings that do nothing"
    text = ("explain", "great fun", "--model", tiny_dir, "--json")

    def quiet(**kwargs):  # explain() warns (FaithlensWarning) and runs on; the check reads Explanation.warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return tx.explain("great fun", **kwargs)

    add(k, "VC N1: --seed 3 --random 0, occlusion", lambda: cli(*text, "--method", "occlusion", "--random", "0",
                                                                "--seed", "3"), "error",
        "seed=3 (CLI --seed 3) does nothing for occlusion with no random word orderings in the faithfulness check")
    add(k, "VC N1: --seed 3 --random 0, smoothgrad", lambda: cli(*text, "--method", "smoothgrad", "--random", "0",
                                                                 "--seed", "3", "--samples", "3"), "ok",
        "smoothgrad records seed 3", lambda r: r.code == 0 and json.loads(r.out)["settings"]["seed"] == 3)
    add(k, "VC N1: API seed=5, n_random=0, occlusion", lambda: quiet(method="occlusion", faithfulness=True, n_random=0,
                                                                     seed=5), "ok",
        "an 'Ignored: seed=5' warning", lambda e: any(w.startswith("Ignored: seed=5") for w in e.warnings))
    add(k, "VC N5: --method sig --rule leja", lambda: cli(*text, "--method", "sig", "--no-faithfulness", "--rule",
                                                         "leja"), "error",
        "--rule leja does nothing for sig (SIG's default closed form: exact, no quadrature)")
    add(k, "VC N5: --method sig --rule gausslegendre (the default, typed)", lambda: cli(
        *text, "--method", "sig", "--no-faithfulness", "--rule", "gausslegendre"), "error",
        "--rule gausslegendre does nothing for sig (SIG's default closed form")
    add(k, "VC N5: --method sig --rule leja --steps 4", lambda: cli(*text, "--method", "sig", "--no-faithfulness",
                                                                   "--rule", "leja", "--steps", "4"), "ok",
        "a 4-step leja path, its quadrature error reported", lambda r: r.code == 0
        and json.loads(r.out)["settings"]["rule"] == "leja" and json.loads(r.out)["error"]["kind"] == "quadrature")
    add(k, "VC N5: --method sig ig --rule riemann_left", lambda: cli(*text, "--method", "sig", "ig", "--no-faithfulness",
                                                                    "--rule", "riemann_left"), "ok",
        "sig exact, ig with the rule, no 'Ignored'", lambda r: r.code == 0 and "Ignored" not in r.out + r.err
        and json.loads(r.out.splitlines()[0])["error"]["kind"] == "exact"
        and json.loads(r.out.splitlines()[1])["settings"]["rule"] == "riemann_left")
    add(k, "VC N5: API sig rule='leja'", lambda: quiet(method="sig", rule="leja"), "ok",
        "exact closed form and an 'Ignored: rule=' warning", lambda e: e.settings["mode"] == "closed"
        and e.error["kind"] == "exact" and any(w.startswith("Ignored: rule='leja'") for w in e.warnings))
    add(k, "VC N5: evaluate --methods sig:rule=leja", lambda: cli(
        "evaluate", "--model", tiny_dir, "--data", "sst2", "--methods", "sig:rule=leja", "--limit", "2", "--quiet"),
        "error", "In method spec 'sig:rule=leja': rule='leja' does nothing for SIG's default closed form")
    add(k, "VC N11: API n_random=5 without the check", lambda: quiet(method="occlusion", n_random=5), "ok",
        "an 'Ignored: n_random=5' warning, no faithfulness", lambda e: e.faithfulness is None
        and any(w.startswith("Ignored: n_random=5") for w in e.warnings))
    add(k, "VC N11: --random 20 --no-faithfulness", lambda: cli(*text, "--method", "occlusion", "--no-faithfulness",
                                                                "--random", "20"), "error",
        "n_random=20 (CLI --random 20) sets how many random word orderings")
    return out


# --- main ------------------------------------------------------------------------------------------------

def va_header_cases(tiny_dir, write) -> list[Case]:
    """Issue 22, twelfth breaker N2, N4, N6. N2: a first line ',text' (pandas' unnamed index), 'text,' or 'text|label'
    in a file not named .csv was explained as a text, each row with its index or label; N4: a .csv separated by ';'
    or tabs got "pass --text-column NAME", which explained each row with its label; N6: an unread 'id' column of a TSV
    was not named while 'extra' in a CSV was: id columns are skipped silently, any other column warned, everywhere."""
    import warnings

    from faithlens.errors import FaithlensWarning
    from faithlens.text_files import read_text_file

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "9 pair files"
    explain, reads = file_explain(tiny_dir)
    fun = [("great fun", None), ("a dull mess", None)]
    pandas = write("va-p2.txt", ",text\n0,great fun\n1,a dull mess\n")
    add(k, "VA N2: explain --file p2.txt with pandas' ',text' header", lambda: explain(pandas), "ok",
        f"texts {fun}, no warning", lambda r: reads(fun)(r) and "warning" not in r.err)
    trailing = write("va-h15.txt", "text,\ngreat fun,\na dull mess,\n")
    add(k, "VA N2: explain --file with a trailing comma header 'text,'", lambda: explain(trailing), "ok", f"texts {fun}",
        reads(fun))
    unnamed = write("va-un.txt", "Unnamed: 0,text\n0,great fun\n1,a dull mess\n")
    add(k, "VA N2: explain --file with 'Unnamed: 0,text' header", lambda: explain(unnamed), "ok", f"texts {fun}",
        reads(fun))
    pipe = write("va-h32.txt", "text|label\ngreat fun|1\n")
    add(k, "VA N2: explain --file with a 'text|label' header", lambda: explain(pipe), "error",
        "is a header of column names joined by a pipe (text|label)")
    semi_txt = write("va-semi.txt", "text;label\ngreat fun;1\n")
    add(k, "VA N2: explain --file with a 'text;label' header (.txt)", lambda: explain(semi_txt), "error",
        "Save it comma-separated (a header such as text,label) or tab-separated")
    words = write("va-words.txt", "hello|world\ngreat fun|1\n")
    add(k, "VA N2: ordinary words joined by '|' stay texts", lambda: explain(words), "ok", "two texts",
        reads([("hello|world", None), ("great fun|1", None)]))
    semi = write("va-h31.csv", "text;label\ngreat fun;1\n")
    add(k, "VA N4: explain --file h31.csv (';'-separated)", lambda: explain(semi), "error",
        "'text;label': the names text, label joined by a semicolon (';')")
    add(k, "VA N4: explain --file h31.csv --text-column 'text;label'", lambda: explain(semi, "--text-column",
                                                                                      "text;label"),
        "error", "joined by a semicolon")
    add(k, "VA N4: evaluate --data h31.csv (';'-separated)", lambda: cli(
        "evaluate", "--model", tiny_dir, "--data", semi, "--methods", "occlusion", "--quiet"), "error",
        "joined by a semicolon")
    tabs = write("va-t.csv", "text\tlabel\ngreat fun\t1\n")
    add(k, "VA N4: explain --file t.csv (tab-separated, named .csv)", lambda: explain(tabs), "error",
        "rename it to end in .tsv.")
    comma = write("va-c.tsv", "text,label\ngreat fun,1\n")
    add(k, "VA N4: read_file(c.tsv) (comma-separated, named .tsv)", lambda: faithlens_data().read_file(comma), "error",
        "rename it to end in .csv.")

    def warned(path):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            items = read_text_file(path, source="x").items
        return items, [str(w.message) for w in seen if issubclass(w.category, FaithlensWarning)]

    for name, content in (("va-h26.tsv", "id\ttext\n1\tgreat fun\n"), ("va-id.csv", "id,text\n1,great fun\n"),
                          ("va-p1.csv", ",text\n0,great fun\n"), ("va-id.jsonl", '{"idx": 1, "text": "great fun"}\n')):
        path = write(name, content)
        add(k, f"VA N6: {name.removeprefix('va-')} with an id column: read, no warning", lambda p=path: warned(p), "ok",
            "['great fun'], no warning", lambda r: r == (["great fun"], []))
    for name, content in (("va-ti.tsv", "title\ttext\nX\tgreat fun\n"), ("va-ti.csv", "title,text\nX,great fun\n"),
                          ("va-ti.jsonl", '{"title": "X", "text": "great fun"}\n')):
        path = write(name, content)
        add(k, f"VA N6: {name.removeprefix('va-')} with a 'title' column: named in a warning", lambda p=path: warned(p),
            "ok", "['great fun'], 'title' is not read",
            lambda r: r[0] == ["great fun"] and len(r[1]) == 1 and "the column 'title' is not read" in r[1][0])
    return out


def wb_cr_imdb_cases(tiny_dir, write) -> list[Case]:
    """Issue 22, thirteenth breaker B3, B4. B3: a lone \\r in a TSV/CSV with \\n line endings ended its row (a text
    holding one was refused blaming tabs; a mixed-ending file was read with one row too many); it now stays inside its
    field, as in a plain file, and a row it joins is refused naming it. B4: explain --file on the IMDB sample format
    ('0 TEXT' / '1 TEXT' in a .txt) explained each gold label as the first word; it reads the texts, with a warning."""
    from faithlens.data import load_dataset

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "20 line endings and label text"
    run = ("--method", "occlusion", "--json", "--no-faithfulness")
    explain = lambda path, *more: cli("explain", "--model", tiny_dir, "--file", path, *run, *more)  # noqa: E731
    texts = lambda r: [x["text"] for x in map(json.loads, r.out.splitlines())]  # noqa: E731
    b8 = write("wb-b8.tsv", "sentence\tlabel\nboring\rstill boring\t0\ngreat fun\t1\n")
    add(k, "WB B3: explain --file b8.tsv, a lone \\r inside a text", lambda: explain(b8), "ok",
        "texts ['boring\\rstill boring', 'great fun']",
        lambda r: r.code == 0 and texts(r) == ["boring\rstill boring", "great fun"])
    b9 = write("wb-b9.tsv", "sentence\tlabel\ngreat fun\t1\r\na dull mess\t0\rboring\t0\n")
    add(k, "WB B3: evaluate --data b9.tsv, a lone \\r joining two rows", lambda: cli(
        "evaluate", "--model", tiny_dir, "--data", b9, "--methods", "occlusion", "--no-random", "--no-curves", "--quiet"),
        "error", "Line 3 of")
    add(k, "WB B3: load_dataset(b9.tsv) names the \\r", lambda: load_dataset(b9), "error", "lone carriage return (\\r)")
    csv_cr = write("wb-cr.csv", 'text,label\n"a\rb",1\nboring\rstill,0\r\nfun,1\n')
    add(k, "WB B3: load_dataset(cr.csv), quoted and unquoted lone \\r", lambda: load_dataset(csv_cr), "ok",
        "3 rows, \\r kept", lambda d: d.texts == ("a\rb", "boring\rstill", "fun") and d.labels == (1, 0, 1))
    mac = write("wb-mac.tsv", "sentence\tlabel\rgreat\t1\rbad\t0\r")
    add(k, "WB B3: load_dataset(mac.tsv), old Mac endings only", lambda: load_dataset(mac), "ok", "2 rows",
        lambda d: d.texts == ("great", "bad") and d.labels == (1, 0))
    imdb = write("wb-imdb5.txt", "0 seriously , a dull film\n1 i first seen this movie\n0 lame . lame\n")
    add(k, "WB B4: explain --file imdb5.txt (IMDB sample format)", lambda: explain(imdb), "ok",
        "texts without the labels, a warning naming the format",
        lambda r: r.code == 0 and texts(r) == ["seriously , a dull film", "i first seen this movie", "lame . lame"]
        and "IMDB sample format" in r.err)
    add(k, "WB B4: explain --file imdb5.txt --text-column text", lambda: explain(imdb, "--text-column", "text"), "error",
        "IMDB sample format ('LABEL TEXT' per line), which has no named columns")
    nums = write("wb-n.txt", "2 dogs run\n1 cat sits\n")
    add(k, "WB B4: explain --file n.txt, lines starting with 2 and 1: plain", lambda: explain(nums), "ok",
        "texts kept whole, no warning",
        lambda r: r.code == 0 and texts(r) == ["2 dogs run", "1 cat sits"] and "IMDB" not in r.err)
    named = write("wb-imdb.lines", "0 a dull film\n1 great fun\n")
    add(k, "WB B4: explain --file imdb.lines (not .txt): plain", lambda: explain(named), "ok", "texts kept whole",
        lambda r: r.code == 0 and texts(r) == ["0 a dull film", "1 great fun"])
    return out


def wa_header_name_cases(tiny_dir, write) -> list[Case]:
    """Issue 22, thirteenth breaker B1, B2, B7, B8. B2: column names were matched exactly, so 'Text,Label',
    'SENTENCE<tab>LABEL' and 'premise, hypothesis' (a space after the comma) were refused or half read; B1: a blank line
    before the header gave "holds no examples"; B7: a .csv of prose was offered its first line as column names; B8: a
    header separated by spaces in a .txt was explained as a text."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "9 pair files"
    explain, reads = file_explain(tiny_dir, quiet=True)
    fun = [("great fun", None), ("a dull mess", None)]
    pair = [("A man sleeps.", "A person rests.")]
    for name, content, expected in (
            ("wa-b2.csv", "premise, hypothesis\nA man sleeps.,A person rests.\n", pair),
            ("wa-b4.csv", "id, text\n1, great fun\n2,a dull mess\n", fun),
            ("wa-b1.csv", "Text,Label\ngreat fun,1\na dull mess,0\n", fun),
            ("wa-up.tsv", "SENTENCE\tLABEL\ngreat fun\t1\na dull mess\t0\n", fun),
            ("wa-pad.csv", " text ,label\ngreat fun,1\na dull mess,0\n", fun),
            ("wa-a10.txt", "question, context\nA man sleeps., A person rests.\n", pair)):
        path = write(name, content)
        add(k, f"WA B2: explain --file {name.removeprefix('wa-')} ({content.split(chr(10))[0]!r})",
            lambda p=path: explain(p), "ok", f"texts {expected}, no warning", reads(expected))
    labelled = write("wa-b3.csv", "sentence, label\ngreat fun, 1\na dull mess, 0\n")
    add(k, "WA B2: read_file('sentence, label'): gold labels read from ' label'",
        lambda: faithlens_data().read_file(labelled), "ok", "2 texts, label column ' label'",
        lambda d: d.texts == ("great fun", "a dull mess") and d.info["label_column"] == " label")
    spaced = write("wa-a9.txt", "first, second\nWho is it?, me\n")
    add(k, "WA B2: explain --file 'first, second' --pair-column second", lambda: explain(
        spaced, "--text-column", "first", "--pair-column", "second"), "ok", "one pair",
        reads([("Who is it?", "me")]))
    add(k, "WA B2: explain --file 'first, second' (no known names)", lambda: explain(spaced), "error",
        "pass --text-column first and --pair-column second.")
    for name, content in (("wa-b6.csv", "\ntext,label\ngreat fun,1\na dull mess,0\n"),
                          ("wa-b7.tsv", "\nsentence\tlabel\ngreat fun\t1\na dull mess\t0\n"),
                          ("wa-a12.txt", "\ntext\tlabel\ngreat fun\t1\na dull mess\t0\n")):
        path = write(name, content)
        add(k, f"WA B1: explain --file {name.removeprefix('wa-')} (a blank line before the header)",
            lambda p=path: explain(p), "ok", f"texts {fun}", reads(fun))
    blank = write("wa-b6e.csv", "\ntext,label\ngreat fun,1\na dull mess,0\n")
    add(k, "WA B1: read_file(b6.csv) (a blank line before the header)", lambda: faithlens_data().read_file(blank), "ok",
        "2 texts", lambda d: len(d.texts) == 2)
    prose = write("wa-a23.csv", "I liked it, a lot\nboring, long\n")
    add(k, "WA B7: explain --file a23.csv (prose first line, no header)", lambda: explain(prose), "error",
        "so this file has no header line. Add one as its first line")
    spaces = write("wa-a11.txt", "sentence label\ngreat fun\n")
    add(k, "WA B8: explain --file a11.txt ('sentence label' header separated by spaces)", lambda: explain(spaces),
        "error", "is a header of column names separated by spaces")
    words = write("wa-words.txt", "the text label\ngreat fun\n")
    add(k, "WA B8: a first line of prose holding column words stays a text", lambda: explain(words), "ok", "two texts",
        reads([("the text label", None), ("great fun", None)]))
    return out


def xb_space_header_cases(tiny_dir, write) -> list[Case]:
    """Issue 22, fourteenth breaker N2, N6. N2: a tab-separated header whose names hold spaces ('first sentence<tab>
    second sentence') was called a header separated by spaces, with a fix that split each name in two; N6: a text of
    column-name words written as a sentence begins ('First class') was refused as a header, with no way offered to
    keep it as a text."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "9 pair files"
    explain, reads = file_explain(tiny_dir)
    tab = write("xb-h1.txt", "first sentence\tsecond sentence\nA man sleeps.\tA person rests.\n")
    add(k, "XB N2: explain --file h1.txt ('first sentence<tab>second sentence' header)", lambda: explain(tab), "error",
        "pass --text-column 'first sentence' and --pair-column 'second sentence'.")
    add(k, "XB N2: explain --file h1.txt --text-column 'first sentence' --pair-column 'second sentence'",
        lambda: explain(tab, "--text-column", "first sentence", "--pair-column", "second sentence"), "ok", "one pair",
        reads([("A man sleeps.", "A person rests.")]))
    for name, first in (("xb-fp1.txt", "First class"), ("xb-fp2.txt", "Question answer"),
                        ("xb-fp3.txt", "Premise hypothesis")):
        path = write(name, f"{first}\ngreat fun\n")
        add(k, f"XB N6: explain --file {name.removeprefix('xb-')} ({first!r}, a text) is explained",
            lambda p=path: explain(p), "ok", "two texts", reads([(first, None), ("great fun", None)]))
    known = write("xb-k.txt", "Sentence label\ngreat fun\n")
    add(k, "XB N6: explain --file k.txt ('Sentence label', a known header) offers the way to keep it as a text",
        lambda: explain(known), "error", "put another line first (only the first line is read as a possible header), "
        "or pass it as an argument: faithlens explain 'Sentence label'.")
    return out


def xa_case_cases(tiny_dir, write) -> list[Case]:
    """Issue 22, fourteenth breaker N1, N5. N1: two label columns whose names differ only by case (label and Label) were
    resolved in silence, one read and the other ignored; N5: a .txt whose first line is a CSV/TSV header was read by
    columns by explain --file but refused by evaluate with the IMDB format's "must be '<label> <text>'"."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "9 pair files"
    data = lambda path, **kw: lambda: faithlens_data().read_file(path, **kw)  # noqa: E731
    twins = write("xa-h41.tsv", "Label\tTEXT\tLABEL\nnegative\tgreat fun\t1\npositive\tdull\t0\n")
    add(k, "XA N1: evaluate --data 'Label<tab>TEXT<tab>LABEL'", lambda: cli(
        "evaluate", "--model", tiny_dir, "--data", twins, "--methods", "occlusion", "--no-random", "--no-curves"),
        "error", "The columns 'Label' and 'LABEL'")
    exact = write("xa-h43.tsv", "label\tsentence\tLabel\n1\tgreat fun\t0\n0\tawful\t1\n")
    add(k, "XA N1: read_file('label<tab>sentence<tab>Label') (one spelled exactly)", data(exact), "error",
        "or pass label_column='label'")
    add(k, "XA N1: read_file(h43, label_column='Label') reads that one", data(exact, label_column="Label"), "ok",
        "labels (0, 1)", lambda d: d.labels == (0, 1))
    texts = write("xa-tt.csv", "TEXT,text\na,b\n")
    add(k, "XA N1: explain --file 'TEXT,text'", lambda: cli("explain", "--model", tiny_dir, "--file", texts,
        "--method", "occlusion", "--no-faithfulness"), "error", "pass --text-column TEXT")
    for name, content in (("xa-tx1.txt", "sentence\tlabel\ngreat fun\t1\na dull mess\t0\n"),
                          ("xa-tx2.txt", "text,label\ngreat fun,1\na dull mess,0\n")):
        path = write(name, content)
        add(k, f"XA N5: read_file({name.removeprefix('xa-')}) (a .txt with a header) read by columns", data(path),
            "ok", "2 texts, labels (1, 0)", lambda d: d.texts == ("great fun", "a dull mess") and d.labels == (1, 0))
    return out


def xc_facade_range_cases(work, tiny_dir) -> list[Case]:
    """Issue 22, fourteenth breaker N3: `facade train --lr 1e39` and `--size-margin 1e300` were a float32 overflow
    traceback in facade_loss, and `--lambda-g 1e300` kept step 0 in silence; each number has a range, said why."""
    from faithlens.audit.facade import FacadeSettings, check_facade_settings

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "11 training options"
    facade_out = str(work / "xc-facade")
    for argv, words in [
        (("train", "--lr", "1e39"), "'lr' setting (--lr) of the facade must be a number in (0, 1), e.g. 1e-4: Adam's"),
        (("train", "--lr", "1e300"), "'lr' setting (--lr) of the facade must be a number in (0, 1)"),
        (("train", "--size-margin", "1e300"), "(--size-margin) of the facade must be a number in [0, 50]: it is a log"),
        (("train", "--lambda-g", "1e300"), "(--lambda-g) of the facade must be a number in [0, 1e+06]: a larger weight"),
        (("regularise", "--lambda-rp", "1e300"), "'lambda_rp' setting (--lambda-rp) must be a number in [0, 1e+06]"),
    ]:
        add(k, "XC N3: facade " + " ".join(argv), lambda a=argv: cli("facade", a[0], "--model", tiny_dir, "--out",
                                                                      facade_out, *a[1:]), "error", words)
    add(k, "XC N3: FacadeSettings(lr=1e39)", lambda: check_facade_settings(FacadeSettings(lr=1e39)), "error",
        "'lr' setting of the facade must be a number in (0, 1)")
    add(k, "XC N3: FacadeSettings at the edges (lr 0.5, size_margin 50, lambda_g 1e6)", lambda: check_facade_settings(
        FacadeSettings(lr=0.5, size_margin=50.0, lambda_g=1e6)) or "ok", "ok", "taken", lambda r: r == "ok")
    return out


    return out


def xd_per_target_cases(tx, lm_dir) -> list[Case]:
    """Issue 22, fourteenth breaker N4: `Explanation.from_json` accepted a causal LM's `per_target` with a row dropped,
    a nonzero cell at a token the row cannot see, a cell that breaks the rows' sum to occlusion's token_scores, the
    matrix removed from a per-token run or added to another; and `total_delta: null` under a recorded completeness
    gap. Each is refused naming what it must be; the per-token run reads back."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "15 json"
    made = {"per": lambda: faithlens.Explainer(lm_dir).explain("the film was", "occlusion", target=" good fun",
                                                               per_token=True),
            "plain": lambda: faithlens.Explainer(lm_dir).explain("the film was", "occlusion", target=" good fun"),
            "ig": lambda: tx.explain("a good film", "ig", steps=4)}
    edits = JsonEdits(made)
    get, read_back = edits.get, edits.read_back

    def cell(j, t, value):
        return lambda d: d["per_target"][j].__setitem__(t, value(d["per_target"][j][t]))

    add(k, "from_json: per_target a row short", read_back("per", lambda d: d.__setitem__("per_target", d["per_target"][:-1])),
        "error", "rows, but the target continuation has")
    add(k, "from_json: per_target row 0 nonzero at a later continuation token",
        read_back("per", cell(0, -1, lambda x: 1.0)), "error", "which cannot see it")
    add(k, "from_json: per_target prompt cell +5 (rows no longer sum to token_scores)",
        read_back("per", cell(0, 0, lambda x: x + 5)), "error", "sums to")
    add(k, "from_json: per_target removed from a per-token run", read_back("per", lambda d: d.__setitem__("per_target", None)),
        "error", "settings record 'per_token', but 'per_target' is null")
    add(k, "from_json: per_target of a file written before settings recorded per_token, a row short",
        read_back("per", lambda d: (d["settings"].pop("per_token"), d.__setitem__("per_target", d["per_target"][:-1]))),
        "error", "rows, but the target continuation has")
    add(k, "from_json: IG total_delta null under its completeness gap",
        read_back("ig", lambda d: d.__setitem__("total_delta", None)), "error", "'total_delta'")
    add(k, "from_json: a per-token causal LM round trip", lambda: faithlens.Explanation.from_json(get("per").to_json()),
        "ok", "equal", lambda e: e == get("per"))
    return out


def ya_json_cases(explainer, lm_dir) -> list[Case]:
    """Issue 22, sixteenth breaker F3: `Explanation.from_json` accepted offsets widened over the space between words
    (so that tokens overlap), settings.unit "word" edited to "token", and settings.baseline_token "[PAD]" beside
    baseline "mask". Each is refused naming the fields that disagree; real files of both tokenizer kinds read back."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "15 json"
    made = {"occ": lambda: explainer.explain("great fun", "occlusion"),
            "sig": lambda: explainer.explain("greatly unforgettable fun", "sig"),
            "shap": lambda: explainer.explain("great fun", "shapley", n_samples=3),
            "lm": lambda: faithlens.Explainer(lm_dir).explain("the  film 😀 was", "occlusion", target=" good fun")}
    edits = JsonEdits(made)
    get, read_back = edits.get, edits.read_back
    add(k, "from_json: offsets widened over the space so tokens overlap ([0,6], [5,9] for 'great fun')",
        read_back("occ", lambda d: d.__setitem__("offsets", [[0, 0], [0, 6], [5, 9], [0, 0]])), "error",
        "ends on white space")
    add(k, "from_json: offsets that overlap on a letter ([0,5], [4,9])",
        read_back("occ", lambda d: d.__setitem__("offsets", [[0, 0], [0, 5], [4, 9], [0, 0]])), "error",
        "both cover character 4")
    add(k, "from_json: SIG settings.unit word -> token with a word of several tokens",
        read_back("sig", lambda d: d["settings"].__setitem__("unit", "token")), "error", "settings 'unit' is 'token'")
    add(k, "from_json: shapley settings.unit word -> token",
        read_back("shap", lambda d: d["settings"].__setitem__("unit", "token")), "error", "scores whole words")
    add(k, "from_json: settings.baseline_token [MASK] -> [PAD] beside baseline mask",
        read_back("occ", lambda d: d["settings"].__setitem__("baseline_token", "[PAD]")), "error",
        "'baseline_token' is '[PAD]'")
    add(k, "from_json: a byte-level causal LM (Ġ spans on spaces, an emoji split between pieces) round trip",
        lambda: faithlens.Explanation.from_json(get("lm").to_json()), "ok", "equal", lambda e: e == get("lm"))
    add(k, "from_json: a SIG word-unit round trip of the default model",
        lambda: faithlens.Explanation.from_json(get("sig").to_json()), "ok", "equal", lambda e: e == get("sig"))
    return out


def yd_cases(tx, tiny_dir, qa_dir, lm_dir, write) -> list[Case]:
    """Issue 22, seventeenth breaker #1, #4, #7: a text of combining marks only tokenized to nothing ([CLS] [SEP]) and
    was explained with no scores; seed=None raised a raw TypeError; a SQuAD-shaped --file given to a classifier was
    told SQuAD's "paragraphs" was missing. Now: refused as empty (each side of a pair), None is the default seed 0,
    and the model's task refuses a SQuAD file before its shape is read."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    empty = "the model's tokenizer reads no token in it"
    add("3 text", "API: a text of a combining mark only ('\\u0301')", lambda: tx.explain("\u0301", "occlusion"), "error",
        "Text 0 is empty or only whitespace (or invisible characters): " + empty)
    add("3 text", "API: a pair whose second text is combining marks only", lambda: tx.explain(("a man", "\u0301\u0300"), "occlusion"),
        "error", "The second text of pair 0 is empty")
    add("3 text", "explain CLI: a combining mark only", lambda: cli("explain", "--model", tiny_dir, "\u0301", "--method", "occlusion"),
        "error", empty)
    add("3 text", "API: a text of one unknown character ([UNK]) is still explained", lambda: tx.explain("\u2603", "occlusion"),
        "ok", "one word, [UNK]", lambda e: e.tokens == ("[CLS]", "[UNK]", "[SEP]") and len(e.words) == 1)
    add("13 api types", "API: seed=None is the default seed 0",
        lambda: (tx.explain("great fun", "shapley", seed=None), tx.explain("great fun", "shapley")), "ok",
        "same scores as seed=0", lambda r: [w.score for w in r[0].words] == [w.score for w in r[1].words])
    obj = write("yd-obj.json", '{"data": [{"text": "great"}]}')
    for name, model in (("classifier", tiny_dir), ("causal LM", lm_dir)):
        add("10 squad", f"explain --file of a top-level 'data' list with a {name}",
            lambda m=model: cli("explain", "--model", m, "--file", obj, "--method", "occlusion"), "error",
            "is laid out as a SQuAD-format file")
    add("10 squad", "explain --file of a top-level 'data' list with a QA model: SQuAD's shape",
        lambda: cli("explain", "--model", qa_dir, "--file", obj, "--method", "occlusion"), "error", '"paragraphs" is missing')
    return out



def yf_cases(tiny_dir, write) -> list[Case]:
    """Issue 22, seventeenth breaker #6: `evaluate --data annot.tsv` read 'sentence<tab>label<tab>Annotator' as a header,
    while `explain --file annot.tsv` refused it as a text line with two tabs (a gold label?). One header rule
    (`headers.looks_like_header`) now serves both: a one-word name beside a known one is a column name; prose is not."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "9 pair files"
    explain, reads = file_explain(tiny_dir)
    body = "sentence\tlabel\tAnnotator\ngreat fun\t1\tbob\na dull mess\t0\tann\n"
    annot = write("yf-annot.tsv", body)
    add(k, "YF #6: explain --file annot.tsv ('sentence<tab>label<tab>Annotator') reads the sentences", lambda: explain(annot),
        "ok", "two texts", reads([("great fun", None), ("a dull mess", None)]))
    add(k, "YF #6: evaluate --data annot.tsv reads the same file", lambda: cli(
        "evaluate", "--model", tiny_dir, "--data", annot, "--methods", "occlusion", "--no-random", "--no-curves"),
        "ok", "exit 0", lambda r: r.code == 0)
    capital = write("yf-annot.txt", body.replace("sentence\tlabel", "Sentence\tLabel"))
    add(k, "YF #6: explain --file annot.txt ('Sentence<tab>Label<tab>Annotator') reads the sentences",
        lambda: explain(capital), "ok", "two texts", reads([("great fun", None), ("a dull mess", None)]))
    add(k, "YF #6: read_file(annot.txt) (evaluate's reader) reads the same texts",
        lambda: faithlens_data().read_file(capital), "ok", "2 texts, labels (1, 0)",
        lambda d: d.texts == ("great fun", "a dull mess") and d.labels == (1, 0))
    add(k, "YF #6: explain --file - with that header on standard input", lambda: cli(
        "explain", "--model", tiny_dir, "--file", "-", "--method", "occlusion", "--no-faithfulness", stdin=body),
        "error", "looks like a header of column names (sentence, label, Annotator)")
    words = write("yf-words.tsv", "Good\tBad\nhello\tworld\n")
    add(k, "YF #6: explain --file words.tsv ('Good<tab>Bad', no known name) stays a file of pairs",
        lambda: explain(words), "ok", "two pairs", reads([("Good", "Bad"), ("hello", "world")]))
    return out


def ye_cases(lm_dir) -> list[Case]:
    """Issue 22, seventeenth breaker #2, #3, #5: a GPT-2 LM (64 learned positions) asked for more new tokens than fit
    after the prompt failed inside generation (IndexError); with --truncate the error offered "fewer --max-new-tokens /
    --max-new-tokens" and spoke of a target nobody gave; a target text "</s>" was encoded as the eos token, silently."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "9 causal LM"
    prompt = "The capital of France is"
    lm = lambda: faithlens.Explainer(lm_dir)  # noqa: E731
    run = ("explain", prompt, "--model", lm_dir, "--method", "occlusion", "--no-faithfulness")
    add(k, "CLI GPT-2 LM: --max-new-tokens 60 past the 64 positions (before generating)",
        lambda: cli(*run, "--max-new-tokens", "60"), "error", "or fewer, shorten the prompt, or pass --truncate")
    add(k, "API GPT-2 LM: max_new_tokens=512", lambda: lm().explain(prompt, "occlusion", max_new_tokens=512), "error",
        "a continuation of 512 tokens to generate (max_new_tokens=512)")
    add(k, "CLI GPT-2 LM: --max-new-tokens 100 --truncate names the option once, and no target",
        lambda: cli(*run, "--max-new-tokens", "100", "--truncate"), "error",
        "a continuation of 100 tokens to generate (--max-new-tokens 100) leaves no room for the prompt")
    add(k, "CLI GPT-2 LM: --max-new-tokens 64 --truncate (the most the error names) runs",
        lambda: cli(*run, "--max-new-tokens", "64", "--truncate"), "ok", "exit 0",
        lambda r: r.code == 0 and "truncated" in r.out)
    add(k, "CLI GPT-2 LM: an 80-token --target-text is named as the target text",
        lambda: cli(*run, "--target-text", " good" * 80), "error", "a target text of 80 tokens")
    add(k, "API GPT-2 LM: target '</s>' is plain text, with a warning as a prompt's",
        lambda: lm().explain(prompt, "occlusion", target="</s>", faithfulness=False), "ok",
        "no special token in the target's ids; the warning says so",
        lambda e: len(e.target["token_ids"]) > 1 and any("target text contains the tokenizer's special-token string(s) "
                                                         "'</s>'" in w for w in e.warnings))
    return out


def zd_cases(explainer) -> list[Case]:
    """Issue 22, eighteenth breaker F7: an occlusion file by word ('unbelievably': 5 tokens, its score split evenly)
    was accepted with settings.unit edited to 'token'; the tie over three or more tokens is now refused under 'token'
    (`explanation_settings._check_unit`), while a real run by token still reads back."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "15 json"
    text = "unbelievably wonderful fun"

    def edited(unit):
        d = json.loads(explainer.explain(text, "occlusion", unit="token" if unit == "word" else "word").to_json())
        d["settings"]["unit"] = unit
        return json.dumps(d)
    add(k, "ZD F7: from_json of occlusion by word with settings.unit edited to 'token'",
        lambda: faithlens.Explanation.from_json(edited("token")), "error",
        "the 5 tokens [1, 2, 3, 4, 5] of word 'unbelievably' all score")
    add(k, "ZD F7: from_json of occlusion by token with settings.unit edited to 'word'",
        lambda: faithlens.Explanation.from_json(edited("word")), "error", "splits a word's score evenly")
    by_token = lambda: explainer.explain(text, "occlusion", unit="token")  # noqa: E731
    add(k, "ZD F7: from_json of a real occlusion run by token reads back", lambda: (
        lambda e: faithlens.Explanation.from_json(e.to_json()) == e)(by_token()), "ok", "equal", lambda r: r is True)
    return out


def zb_cases(work, tiny_dir, qa_dir, write) -> list[Case]:
    """Issue 22, eighteenth breaker F2-F4: `--holdout 0.01` on 40 examples held out none (train: test_accuracy null,
    unsaid; audit / facade saliency: "No text was given"), and on a SQuAD file held out the 55-question article of 74.
    A held-out or kept part that would be empty is refused (`splits.holdout_split`) naming the fractions that work;
    whole articles are picked nearest the fraction asked, with a warning when still far from it."""
    import json
    import warnings

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "11 training options"
    forty = write("zb-forty.tsv", "sentence\tlabel\n" + "".join(f"{'a good film' if i % 2 else 'a dull plot'} {i}\t{i % 2}\n"
                                                              for i in range(40)))
    add(k, "ZB F3: train --holdout 0.01 on 40 examples (an empty test split)", lambda: cli(
        "train", "--train", forty, "--base", tiny_dir, "--out", str(work / "zb-cls"), "--holdout", "0.01"), "error",
        "holds out none of them (round(0.01 × 40) = 0), so the held-out part would be empty. Pass a fraction from 0.025")
    add(k, "ZB F3: train --holdout 0.99 on 40 examples (an empty training split)", lambda: cli(
        "train", "--train", forty, "--base", tiny_dir, "--out", str(work / "zb-cls2"), "--holdout", "0.99"), "error",
        "so the kept part would be empty")
    add(k, "ZB F4: audit --holdout 0.01 on 40 examples names the empty held-out part", lambda: cli(
        "audit", "--model", tiny_dir, "--data", forty, "--holdout", "0.01", "--limit", "5"), "error",
        "--holdout 0.01 holds out none of them")
    add(k, "ZB F4: facade saliency --holdout 0.01 on 40 examples names the empty held-out part", lambda: cli(
        "facade", "saliency", "--model", tiny_dir, "--data", forty, "--holdout", "0.01", "--limit", "5"), "error",
        "--holdout 0.01 holds out none of them")
    articles = [{"title": t, "paragraphs": [{"context": f"{t} is a city.", "qas": [
        {"id": f"{t}{i}", "question": f"What is {t} {i}?", "answers": [{"text": "a city", "answer_start": len(t) + 4}]}
        for i in range(n)]}]} for t, n in (("Alpha", 6), ("Beta", 2), ("Gamma", 1))]
    sq3 = write("zb-sq3.json", json.dumps({"data": articles, "version": "1.1"}))

    def split_of(fraction):
        from faithlens.data import holdout, load_dataset

        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            train, test = holdout(load_dataset(sq3), fraction)
        return len(test), [str(w.message) for w in said]

    add(k, "ZB F2: holdout(SQuAD of 6/2/1-question articles, 0.01) holds out the 1-question article, with a warning",
        lambda: split_of(0.01), "ok", "1 question held out; the warning names 1 % and 11.1 %",
        lambda r: r[0] == 1 and any("asked for 1 % of the 9 questions; the held-out part has 1 of them (11.1 %)" in w
                                    for w in r[1]))
    add(k, "ZB F2: holdout(same file, 0.3) holds out 3 of 9 questions, no warning", lambda: split_of(0.3), "ok",
        "3 questions held out, no warning", lambda r: r == (3, []))
    add(k, "ZB F2: train --task qa --holdout 0.01 prints the split made", lambda: cli(
        "train", "--task", "qa", "--train", sq3, "--base", qa_dir, "--out", str(work / "zb-qa"), "--holdout", "0.01",
        "--max-length", "32", "--stride", "8", "--epochs", "1"), "ok", "exit 0, 1 question of 9 held out and said",
        lambda r: r.code == 0 and "1 questions of 9 (11.1 %; --holdout 0.01 asked 1 %)" in r.out)
    return out


def za_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22, eighteenth breaker F1: a resumed evaluate run kept and aggregated an edited records.jsonl line (LO 5.0,
    Comp -9, seconds -3 changed the table), ended in a traceback on null / "abc" / 1e400, gave an internal spearman error
    for token_scores of the wrong length, and said an edited example digest "was X, now X" (no difference shown)."""
    import re

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "5 runs"
    data = write("za.tsv", "sentence\tlabel\n" + "".join(f"{t}\t{y}\n" for t, y in [
        ("a good film with a fine story", 1), ("a dull and boring mess of a movie", 0),
        ("great acting and a fun plot", 1), ("not good, not fun, very slow", 0)]))
    base = work / "za-base"
    argv = ("evaluate", "--model", tiny_dir, "--data", data, "--methods", "occlusion", "grad_x_input", "--no-random",
            "--no-curves", "--quiet", "--out")

    def table(folder):
        rows = json.loads((folder / "results.json").read_text())["rows"]
        return {(r["method"], c): r[c]["mean"] for r in rows for c in ("log_odds", "comprehensiveness", "sufficiency")}

    def edited(name, line):
        def run():
            if not base.exists():
                assert cli(*argv, str(base)).code == 0
            folder = work / f"za-{name}"
            shutil.rmtree(folder, ignore_errors=True)
            shutil.copytree(base, folder)
            path = folder / "records.jsonl"
            lines = path.read_text().splitlines(keepends=True)
            lines[0] = line(lines[0])
            path.write_text("".join(lines))
            return _first_of(cli(*argv, str(folder)), folder)
        return run

    def same_table(result):
        r, folder = result
        return (r.code == 0 and "moved to records.rejected.jsonl" in r.err and (folder / "records.rejected.jsonl").exists()
                and all(abs(a - b) <= 1e-5 * max(1.0, abs(b)) for a, b in
                        ((table(folder)[c], table(base)[c]) for c in table(base)) if a is not None and b is not None))

    def field(name, value):
        return lambda line: json.dumps({**json.loads(line), name: value}) + "\n"

    for name, line in [("log_odds 5.0", field("log_odds", 5.0)), ("comprehensiveness -9", field("comprehensiveness", -9)),
                       ("seconds -3", field("seconds", -3)), ("log_odds null", field("log_odds", None)),
                       ("log_odds 'abc'", field("log_odds", "abc")), ("token_scores [0, 0, 0]", field("token_scores", [0, 0, 0])),
                       ("log_odds 1e400", lambda x: re.sub(r'"log_odds": [^,]+', '"log_odds": 1e400', x)),
                       ("example 'deadbeef'", field("example", "deadbeef"))]:
        add(k, f"F18-1: evaluate resumed over a records.jsonl line edited to {name}", edited(name.split()[0] + str(len(out)), line),
            "ok", "the line is moved to records.rejected.jsonl and recomputed; the table equals the unedited run's",
            same_table)
    return out


def zc_cases(tiny_dir, qa_dir, lm_dir, write) -> list[Case]:
    """Issue 22, eighteenth breaker F5, F6, F8, F9: a data file read differently by command. Audit and the facade
    analyses, which read no gold labels, refused a label column spelled 'positive' and 'Positive' (with a fix through
    --labels, an option they lack) and a plain .txt of texts; a note above a header was a stray tab to explain --file;
    {"data": [{"text": ...}]} on a classifier got SQuAD's fix in evaluate; one object in a .json was told to be "one
    object per line"; a causal LM was "a causal language model (next tokens) model"."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22 readings by command"
    names = write("zc-names.tsv", "text\tlabel\ngreat fun movie\tpositive\nawful boring mess\tnegative\n"
                                  "lovely warm film\tPositive\n")
    plain = write("zc-plain.txt", "a great fun movie\nan awful boring mess\n")  # stop words: facade saliency measures them
    prose = write("zc-prose.tsv", "Movie reviews collected in 2020\nsentence\tlabel\ngreat fun movie\t1\ndull\t0\n")
    obj = write("zc-obj.json", json.dumps({"data": [{"text": "great"}]}))
    one = write("zc-one.json", '{"text": "great fun"}\n')
    ok = lambda r: r.code == 0 and "--labels" not in r.err  # noqa: E731
    add(k, "ZC F5: audit --data with labels 'positive' and 'Positive' (audit reads no labels) runs",
        lambda: cli("audit", "--model", tiny_dir, "--data", names, "--limit", "2", "--steps", "2", "--examples", "0"),
        "ok", "exit 0, no --labels fix", ok)
    add(k, "ZC F5: facade hotflip --data of those labels runs",
        lambda: cli("facade", "hotflip", "--model", tiny_dir, "--data", names, "--limit", "2"), "ok", "exit 0", ok)
    add(k, "ZC F5: facade saliency --data a plain .txt of one text per line reads its texts",
        lambda: cli("facade", "saliency", "--model", tiny_dir, "--data", plain, "--limit", "2"), "ok", "exit 0",
        lambda r: r.code == 0 and "<label> <text>" not in r.err)
    add(k, "ZC F5 / ME41 F1: evaluate reads those labels against the model's names, in any case",
        lambda: cli("evaluate", "--model", tiny_dir, "--data", names, "--methods", "occlusion", "--no-curves"),
        "ok", "exit 0 (--labels, which evaluate lacks, is not asked for)", lambda r: r.code == 0 and "--labels" not in r.err)
    add(k, "ZC F6: explain --file with a note above 'sentence<tab>label': the evaluate diagnosis",
        lambda: cli("explain", "--model", tiny_dir, "--file", prose, "--method", "occlusion", "--no-faithfulness"),
        "error", "reads as an example, not a header of column names, and line 2 (sentence<tab>label) is a header")
    add(k, "ZC F6: evaluate --data of that file says the same",
        lambda: cli("evaluate", "--model", tiny_dir, "--data", prose, "--methods", "occlusion", "--no-curves"),
        "error", "reads as an example, not a header of column names, and line 2 (sentence<tab>label) is a header")
    for name, command in (("evaluate", ("evaluate", "--methods", "occlusion", "--no-curves")),
                          ("facade saliency", ("facade", "saliency"))):
        add(k, f"ZC F8: {name} --data {{'data': [{{'text': ...}}]}} on a classifier: refused by its task",
            lambda command=command: cli(*command, "--model", tiny_dir, "--data", obj), "error",
            "is laid out as a SQuAD-format file (a JSON object with a top-level \"data\" list")
    add(k, "ZC F8: evaluate --data of that file on a QA model: SQuAD's shape",
        lambda: cli("evaluate", "--model", qa_dir, "--data", obj, "--methods", "occlusion"), "error",
        '"paragraphs" is missing')
    add(k, "ZC F9: explain --file one.json holding one object: a list, or a .jsonl name",
        lambda: cli("explain", "--model", tiny_dir, "--file", one, "--method", "occlusion"), "error",
        "name the file .jsonl to read it as JSON lines")
    add(k, "ZC F9: facade regularise on a causal LM names it 'a causal (next-token) language model' once",
        lambda: cli("facade", "regularise", "--model", lm_dir, "--out", str(Path(one).parent / "zc-reg")), "error",
        "is a causal (next-token) language model.")
    return out


def zf_cases(tx, tiny_dir) -> list[Case]:
    """Issue 22, nineteenth breaker F3, F8: steps='auto' with a method that has no error-controlled quadrature was told
    to "Drop tolerance=", which the user never passed; a Comparison with no entries, a non-Explanation entry or
    entries of different texts gave IndexError, AttributeError, or a Spearman rho across two texts; compare(foo=1)
    named explain()."""
    from faithlens import Comparison

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22zf Python API inputs"
    for method in ("dig", "occlusion", "saliency", "lime"):
        add(k, f"ZF F3: explain(..., {method!r}, steps='auto') names steps='auto', not tolerance=",
            lambda method=method: tx.explain("great fun", method, steps="auto"), "error",
            "steps='auto' (CLI --steps auto) asks for as many quadrature nodes")
    add(k, "ZF F3: CLI explain --method occlusion --steps auto keeps naming --steps auto",
        lambda: cli("explain", "--model", tiny_dir, "--method", "occlusion", "--steps", "auto", "great fun"), "error",
        "--steps auto does nothing for occlusion")
    add(k, "ZF F8: Comparison().to_html(): nothing to compare", lambda: Comparison().to_html(), "error",
        "nothing to compare")
    add(k, "ZF F8: Comparison().to_terminal(): nothing to compare", lambda: Comparison().to_terminal(), "error",
        "nothing to compare")
    add(k, "ZF F8: Comparison(ig=3).to_terminal() names the type", lambda: Comparison(ig=3).to_terminal(), "error",
        "the entry 'ig' is int 3")

    def mixed():
        c = tx.compare("great fun", ["occlusion", "ig"], steps=4, faithfulness=False)
        c["ig"] = tx.explain("awful mess", "ig", steps=4)

    add(k, "ZF F8: a Comparison entry explaining another text is refused, naming both texts", mixed, "error",
        "'occlusion' has 'great fun', 'ig' has 'awful mess'")
    add(k, "ZF F8: compare(..., foo=1) names compare() and its keywords",
        lambda: tx.compare("great fun", ["occlusion"], foo=1), "error", "compare() got the unknown keyword 'foo'")
    return out


    return out



def ze_cases(tx) -> list[Case]:
    """Issue 22, nineteenth breaker F1, F2, F9 and note 10 (the web app): JSON posted with curl -d's default form
    type was an "Unknown parameter" named by the whole body; a POST's query string was ignored beside a JSON body and
    partly read beside a form; /api/estimate gave "about 285 s" for a request the time limit stops, and did not check
    the target of a model not loaded yet; the form's text and pair boxes dropped blank lines apart before pairing."""
    from faithlens.app import Limits, create_app
    from tiny import tiny

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "7 web app"
    app = create_app(tx, limits=Limits(seconds=5.0), models={"ze-other": faithlens.Explainer(tiny("bert", seed=1))})
    web = app.test_client()
    host = {"Host": "127.0.0.1:8765"}

    def answer(r):
        if r.status_code >= 400:
            return {"status": r.status_code, "error": r.get_json()["error"]}
        return r.get_json()

    add(k, "ZE F1: JSON body with curl -d's default form Content-Type", lambda: answer(web.post(
        "/api/explain", data='{"texts":["great fun"],"methods":["occlusion"]}',
        content_type="application/x-www-form-urlencoded", headers=host)), "error", "Content-Type: application/json")
    add(k, "ZE F2: POST ?model=&target= with a JSON body: refused naming them", lambda: answer(web.post(
        "/api/explain?model=ze-other&target=negative", json={"texts": ["great fun"], "methods": ["occlusion"]},
        headers=host)), "error", "'model', 'target'. Put them in the body")
    add(k, "ZE F2: POST ?text=awful beside a form text: refused, not dropped", lambda: answer(web.post(
        "/api/explain?text=awful", data="text=great+fun&method=occlusion",
        content_type="application/x-www-form-urlencoded", headers=host)), "error", "'text'. Put them in the body")
    add(k, "ZE F2: GET still reads its query string", lambda: answer(web.get(
        "/api/explain", query_string={"text": "great fun", "method": "occlusion", "target": "negative"}, headers=host)),
        "ok", "target negative", lambda r: r[0]["target"]["label"] == "negative")

    def over_limit():
        served = app.extensions["faithlens"]["models"]
        served.rates[served.name] = 1.0  # 1 s per pass: 50 ig steps are over the 5 s limit
        try:
            return answer(web.post("/api/estimate", json={"texts": ["great fun"], "methods": ["ig"], "steps": 50},
                                   headers=host))
        finally:
            served.rates.pop(served.name, None)
    add(k, "ZE F9: an estimate over the server's time limit says so", over_limit, "ok",
        "over_limit and 'it would be stopped'", lambda r: r["over_limit"] is True and "it would be stopped" in r["text"])
    add(k, "ZE F9: estimate of target 'bogus' on a model not loaded yet", lambda: answer(web.post(
        "/api/estimate", json={"texts": ["great fun"], "methods": ["occlusion"], "model": "ze-other", "target": "bogus"},
        headers=host)), "error", "'bogus'")
    add(k, "ZE note 10: form boxes with a line blank on one side only", lambda: answer(web.post(
        "/api/explain", data={"text": "a man\n\na dog", "pair": "\nsleeps\nbarks", "method": "occlusion"},
        headers=host)), "error", "line 1 (blank in the 'pair' box), line 2 (blank in the 'text' box)")
    add(k, "ZE note 10: lines blank in both boxes are dropped, the rest pair by line", lambda: answer(web.post(
        "/api/explain", data={"text": "a man\n\na dog", "pair": "sleeps\n\nbarks", "method": "occlusion"},
        headers=host)), "ok", "(a man, sleeps), (a dog, barks)",
        lambda r: [(e["text"], e["text_pair"]) for e in r] == [("a man", "sleeps"), ("a dog", "barks")])
    return out

    return out


def zg_cases(explainer) -> list[Case]:
    """Issue 22, nineteenth breaker F4, F5: from_json accepted an IG file with every token and word score doubled (its
    completeness gap total_delta = Σ a − reference no longer held), words in reversed order, a negative sampling_error
    and a key named twice. Each is refused (`explanation_records._check_gap`, `explanation_tokens.check_words`,
    `explanation_checks._check_sampling_errors`, `json_files.loads`); real files still read back."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "15 json"
    text = "great fun movie"

    def edited(method, edit, **kw):
        d = json.loads(explainer.explain(text, method, **kw).to_json())
        edit(d)
        return json.dumps(d)

    def doubled(d):
        d["token_scores"] = [2 * x for x in d["token_scores"]]
        for w in d["words"]:
            w["score"] *= 2
    add(k, "ZG F4: from_json of IG with every token and word score doubled",
        lambda: faithlens.Explanation.from_json(edited("ig", doubled, steps=8)), "error",
        "the scores were edited after the run measured them")
    add(k, "ZG F5: from_json of words in reversed order",
        lambda: faithlens.Explanation.from_json(edited("occlusion", lambda d: d.__setitem__("words", d["words"][::-1]))),
        "error", "'words' follow the text order")
    add(k, "ZG F5: from_json of a word's sampling_error -1",
        lambda: faithlens.Explanation.from_json(edited("shapley", lambda d: d["words"][0].__setitem__(
            "sampling_error", -1), n_samples=3)), "error", "a standard error is a finite number ≥ 0")
    add(k, "ZG F5: from_json of a JSON text naming 'method' twice",
        lambda: faithlens.Explanation.from_json(edited("occlusion", lambda d: None)[:-1] + ', "method": "occlusion"}'),
        "error", "names the key 'method' twice")
    add(k, "ZG F4: from_json of real IG and shapley runs reads back", lambda: all(
        faithlens.Explanation.from_json(e.to_json()) == e
        for e in (explainer.explain(text, "ig", steps=8), explainer.explain(text, "shapley", n_samples=3))),
        "ok", "equal", lambda r: r is True)
    return out


def zh_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22, nineteenth breaker F6, F7: rationales sst2 read gold labels 'positive', 'POS', 'true', '-1', '0x1' as
    class 0 and told --train rotten_tomatoes to pass 'rotten_tomatoes'; train measured --validation/--test accuracy on
    the --train file itself (same path or a copy) in silence."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22 held-out data"
    phrases = write("zh-phrases.tsv", "sentence\tlabel\ngreat\t1\nawful\t0\n")
    rationale = lambda label: ("rationales", "sst2", "--train", phrases, "--polarity", "any", "--data",  # noqa: E731
                               write(f"zh-{len(out)}.tsv", f"sentence\tlabel\ngreat film\t{label}\n"),
                               "--out", str(work / f"zh-{len(out)}.jsonl"))

    def label_of(argv):
        def run():
            r = cli(*argv)
            return r, (json.loads(Path(argv[-1]).read_text().splitlines()[0])["label"] if r.code == 0 else None)
        return run
    add(k, "ZH F6: rationales sst2 --data labelled 'positive' reads class 1", label_of(rationale("positive")), "ok",
        "exit 0, label 1", lambda res: res[0].code == 0 and res[1] == 1)
    for label in ("POS", "-1", "0x1"):
        add(k, f"ZH F6: rationales sst2 --data labelled {label!r} is refused naming the line",
            lambda argv=rationale(label): cli(*argv), "error",
            "(line 2 of")
    add(k, "ZH F6: rationales sst2 --train rotten_tomatoes names the files to pass",
        lambda: cli("rationales", "sst2", "--train", "rotten_tomatoes", "--data", phrases, "--out",
                    str(work / "zh-rt.jsonl")), "error", "rationales sst2 reads files, not the bundled split")
    rows = [(f"{'good fun film' if i % 2 else 'bad dull plot'} {i}", i % 2) for i in range(12)]
    tsv = lambda name, part: write(name, "sentence\tlabel\n" + "".join(f"{t}\t{y}\n" for t, y in part))  # noqa: E731
    train = tsv("zh-train.tsv", rows[:8])
    copy = tsv("zh-copy.tsv", rows[:8])
    some = tsv("zh-some.tsv", rows[6:])
    train_cls = lambda *more: cli("train", "--train", train, "--base", tiny_dir, "--out", str(work / "zh-out"),  # noqa: E731
                                  "--overwrite", "--max-length", "16", *more)
    add(k, "ZH F7: train --test the --train file is refused", lambda: train_cls("--test", train), "error",
        "is the same file as --train")
    add(k, "ZH F7: train --validation a copy of the --train file is refused", lambda: train_cls("--validation", copy),
        "error", "is a file with the same content as --train")
    add(k, "ZH F7: train --test sharing 2 of 6 examples with --train trains and warns with the count",
        lambda: train_cls("--test", some), "ok", "exit 0 and a warning counting 2 of 6",
        lambda r: r.code == 0 and "faithlens: warning: 2 of the 6 examples of --test" in r.err and "--holdout" in r.err)
    return out


def zi_cases(tiny_dir, write) -> list[Case]:
    """Issue 22, twentieth breaker F4, F2: evaluate() in Python ended in tracebacks for steps='auto', a rationales
    path, seed=None with a sampling method and out=b'...', refused np.float32(0.2) as out of range, and accepted
    seed -1, shuffle='False' and max_chars 0 silently; a mean over one example had the standard error 0."""
    import numpy as np

    from faithlens.data import load_dataset, select
    from faithlens.evaluate import evaluate

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22 evaluate API"
    data = write("zi-data.tsv", "sentence\tlabel\ngreat fun film\t1\nawful boring mess\t0\n")

    def ev(limit=2, **kw):
        def run():
            model = faithlens.load_model(tiny_dir)
            return evaluate(model, select(load_dataset(data, model=model), limit=limit), progress=False, **kw)
        return run
    for kw, words in ((dict(methods=["ig"], steps="auto"), "steps=50"),
                      (dict(methods=["ig"], rationales="r.jsonl"), "read_rationales"),
                      (dict(methods=["ig"], out=b"o/evb"), "str or a pathlib.Path"),
                      (dict(methods=["ig"], seed=-1), "'seed'"),
                      (dict(methods=["ig"], shuffle="False"), "always true"),
                      (dict(methods=["ig"], max_chars=0), "positive int")):
        add(k, f"ZI F4: evaluate({', '.join(f'{a}={v!r}' for a, v in kw.items())}) is refused", ev(**kw), "error", words)
    add(k, "ZI F4: evaluate(topk=np.float32(0.2), seed=None) with smoothgrad runs with seed 0",
        ev(methods=["smoothgrad"], topk=np.float32(0.2), seed=None), "ok", "settings topk 0.2, seed 0",
        lambda r: r.settings.seed == 0 and abs(r.settings.topk - 0.2) < 1e-6)
    add(k, "ZI F2: a mean over one example has no standard error (None, table '± –')",
        ev(limit=1, methods=["occlusion"]), "ok", "sem None, '± –' in the table",
        lambda r: r.rows[0]["log_odds"]["sem"] is None and "± –" in r.markdown())
    return out


def zj_cases(work, folder, write) -> list[Case]:
    """Issue 22, twentieth breaker F5, F6: a multi-label model numbered word gold labels alphabetically ('positive'
    as its class 'neutral') and accepted names it lacks ('zebra', 'negative,bogus'); train --base on a multi-label
    classifier ended in a torch ValueError."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22 multi-label data"
    ml = folder("zj-ml", "bert", num_labels=3, problem_type="multi_label_classification")
    texts = ["great fun movie", "awful boring mess", "ok film"]
    data = lambda name, labels: write(name, "".join(json.dumps({"text": t, "label": y}) + "\n"  # noqa: E731
                                                   for t, y in zip(texts, labels)))
    evaluate = lambda path, run: cli("evaluate", "--model", ml, "--data", path, "--methods", "occlusion",  # noqa: E731
                                     "--no-curves", "--no-random", "--no-shuffle", "--quiet", "--out", str(work / run))

    def recorded():
        r = evaluate(data("zj-ok.jsonl", ["positive", "negative", "neutral"]), "zj-ok")
        rows = (work / "zj-ok" / "records.jsonl").read_text().splitlines() if r.code == 0 else []
        return r, [json.loads(line)["label"] for line in rows]
    add(k, "ZJ F5: evaluate multi-label model, labels positive/negative/neutral read by its names", recorded, "ok",
        "exit 0, labels 1, 0, 2", lambda res: res[0].code == 0 and res[1] == [1, 0, 2])
    add(k, "ZJ F5: evaluate multi-label model, labels zebra/apple it lacks are refused",
        lambda: evaluate(data("zj-z.jsonl", ["zebra", "apple", "negative"]), "zj-z"), "error",
        "which the model does not have")
    add(k, "ZJ F5: evaluate multi-label model, label 'negative,bogus' is refused naming 'bogus'",
        lambda: evaluate(data("zj-x.jsonl", ["negative,bogus", "negative", "positive"]), "zj-x"), "error",
        "lists 'bogus', which the model does not have")
    add(k, "ZJ F5: evaluate multi-label model, label 'positive,neutral' is refused (one class per example)",
        lambda: evaluate(data("zj-l.jsonl", ["positive,neutral", "negative", "positive"]), "zj-l"), "error",
        "one class per example")
    train = data("zj-train.jsonl", ["negative", "positive", "negative"])
    add(k, "ZJ F6: train --base a multi-label classifier is refused up front",
        lambda: cli("train", "--base", ml, "--train", train, "--out", str(work / "zj-tml"), "--overwrite",
                    "--max-length", "16", "--epochs", "1"), "error", "is a multi-label classifier")
    return out


def zk_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22, twentieth breaker F3: audit --token-class the,film was tested (JSON concentration["words: film, the"])
    but the terminal table, the Markdown and the HTML report never showed it, and the verdict named only the built-in
    classes; --token-class 'film film' suggested "--token-class film,film (classes=[frozenset({'film', 'film'})])"."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22zk audit token class"
    data = write("zk.tsv", "sentence\tlabel\n" + "".join(f"the film was {w} and fun {i}\t{i % 2}\n"
                                                          for i, w in enumerate(["good", "bad", "dull", "great"] * 2)))
    md, html = str(work / "zk.md"), str(work / "zk.html")

    def audit():
        r = cli("audit", "--model", tiny_dir, "--data", data, "--steps", "2", "--examples", "1", "--token-class",
                "the,film", "--markdown", md, "--html", html)
        return r, (Path(md).read_text() if Path(md).exists() else ""), (Path(html).read_text() if Path(html).exists() else "")
    add(k, "ZK F3: audit --token-class the,film shows the class in the terminal, Markdown and HTML and the verdict",
        audit, "ok", "a 'share on words: film, the' column in the Markdown and HTML, the note in the terminal, the verdict "
        "naming 'film, the'",
        lambda res: res[0].code in (0, 1) and "| share on words: film, the | Holm p, film, the |" in res[1]
        and "<th>share on words: film, the</th>" in res[2] and "Word class columns" in res[0].out
        and "film, the" in res[1].split("\n")[2])
    add(k, "ZK F3: --token-class 'film film' suggests the word once, without a Python repr",
        lambda: cli("audit", "--model", tiny_dir, "--data", data, "--token-class", "film film"), "error",
        "Pass the word once, without spaces, e.g. --token-class film.")
    add(k, "ZK F3: --token-class 'Movie film' suggests movie,film in the CLI's own form",
        lambda: cli("audit", "--model", tiny_dir, "--data", data, "--token-class", "Movie film"), "error",
        "separated by commas, e.g. --token-class movie,film.")
    return out


def ya_cases(work, qa_dir, write) -> list[Case]:
    """Issue 22, twenty-first breaker F1: `train --task qa --test` naming the --train SQuAD file (the same path, or a
    byte copy) was accepted and test EM/F1 measured on the training questions; a --test sharing an article with --train
    had no warning. `splits.check_unseen` now serves both train paths."""
    import json

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22ya train qa unseen"

    def article(title, first):
        return {"title": title, "paragraphs": [{"context": f"{first} wrote the film.", "qas": [
            {"id": f"{title}-{q}", "question": f"Who wrote the film ({title} {q})?",
             "answers": [{"text": first, "answer_start": 0}]} for q in range(3)]}]}

    def squad(name, *articles):
        return write(name, json.dumps({"version": "1.1", "data": [article(t, w) for t, w in articles]}))
    train = squad("ya_train.json", ("A", "Ann"), ("B", "Bob"))
    copy = squad("ya_copy.json", ("A", "Ann"), ("B", "Bob"))
    overlap = squad("ya_overlap.json", ("A", "Ann"), ("C", "Cy"))

    def qa(test):
        return cli("train", "--task", "qa", "--base", qa_dir, "--train", train, "--test", test, "--out",
                   str(work / "ya_model"), "--overwrite", "--max-length", "32", "--stride", "8")
    add(k, "YA F1: train --task qa --test naming the --train file is refused", lambda: qa(train), "error",
        "is the same file as --train")
    add(k, "YA F1: train --task qa --test a byte copy of --train is refused", lambda: qa(copy), "error",
        "is a file with the same content as --train")
    add(k, "YA F1: train --task qa --test sharing an article with --train warns with the counts", lambda: qa(overlap),
        "ok", "a warning: 3 of the 6 questions shared, from 1 of its 2 articles",
        lambda r: r.code == 0 and "3 of the 6 questions of --test" in r.err and "from 1 of its 2 articles" in r.err)
    return out


def yb_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22, twenty-first breaker F2, F3: facade saliency --methods read every method:suffix as a SIG mode
    (ig:steps=5 "Unknown SIG mode", ig:reverse run as plain ig); explain --method followed by texts suggested a
    command that explained a method name, or dropped texts and methods; explain --method sig:closed was unknown."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22yb method specs"
    data = write("yb.tsv", "text\tlabel\ngreat fun film\t1\nawful mess of a movie\t0\n")
    saliency = ("facade", "saliency", "--model", tiny_dir, "--data", data, "--limit", "2", "--methods")
    add(k, "YB F2: facade saliency --methods ig:steps=5 runs ig with 5 steps, named as written",
        lambda: cli(*saliency, "ig:steps=5"), "ok", "the table names 'ig:steps=5'",
        lambda r: r.code == 0 and '"ig:steps=5"' in r.out)
    add(k, "YB F2: facade saliency --methods ig:reverse refused (IG has no mode), not run as plain ig",
        lambda: cli(*saliency, "ig:reverse"), "error", "'mode' does not apply to 'ig'")
    add(k, "YB F2: facade saliency --methods occlusion:foo gets evaluate's spec message, not 'Unknown SIG mode'",
        lambda: cli(*saliency, "occlusion:foo"), "error", "is not key=value")
    explain = ("explain", "--model", tiny_dir, "--method")
    add(k, "YB F3: explain --method ig sig:closed 'great fun' suggests the text before --method ig sig:closed",
        lambda: cli(*explain, "ig", "sig:closed", "great fun"), "error",
        "faithlens explain 'great fun' --method ig sig:closed")
    add(k, "YB F3: explain --method ig occlusion T1 T2 keeps both methods and both texts",
        lambda: cli(*explain, "ig", "occlusion", "great fun", "awful mess"), "error",
        "faithlens explain 'great fun' 'awful mess' --method ig occlusion")
    add(k, "YB F3: explain --method occlusoin 'great fun' names the nearest method",
        lambda: cli(*explain, "occlusoin", "great fun"), "error", "did you mean 'occlusion'")
    add(k, "YB F3: explain TEXT --method sig:closed runs SIG's closed form",
        lambda: cli("explain", "great fun", "--model", tiny_dir, "--json", "--method", "sig:closed"), "ok",
        "settings mode closed", lambda r: r.code == 0 and '"mode": "closed"' in r.out)
    return out


def yc_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22, twenty-first breaker F4-F6: rationale spans of floats or a flat [start, end] pair were "not inside the
    text"; a FAITHLENS_HOME that is a file failed a minute into fine-tuning (NotADirectoryError); python -m bench
    --seed -1 and --out FILE ended in tracebacks, --threads 1000 and --certified-only --no-certified ran."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22yc rationales, cache folder, bench"
    data = write("yc.tsv", "sentence\tlabel\n" + "".join(f"the film was {w} and fun\t{i % 2}\n"
                                                          for i, w in enumerate(["good", "bad", "dull", "great"])))

    def rationales(name, record):
        path = write(name, json.dumps(record) + "\n")
        return lambda: cli("evaluate", "--model", tiny_dir, "--data", data, "--methods", "occlusion", "--rationales",
                           path, "--quiet")
    add(k, "YC F4: --rationales spans [[8.0, 16.0]] (floats)", rationales("yc-float.jsonl", {"index": 0, "spans": [[8.0, 16.0]]}),
        "error", "has the offset 8.0, which is not an integer")
    add(k, "YC F4: --rationales spans [8, 16] (a flat pair)", rationales("yc-flat.jsonl", {"index": 0, "spans": [8, 16]}),
        "error", "Write [[8, 16]].")
    add(k, "YC F4: --rationales words [true] (a bool)", rationales("yc-bool.jsonl", {"index": 0, "words": [True]}),
        "error", "word index True is not an integer")

    def with_home(home, run):
        def go():
            old = os.environ.get("FAITHLENS_HOME")
            os.environ["FAITHLENS_HOME"] = str(home)
            try:
                return run()
            finally:
                if old is None:
                    os.environ.pop("FAITHLENS_HOME", None)
                else:
                    os.environ["FAITHLENS_HOME"] = old
        return go
    a_file = Path(write("yc-home.txt", "not a folder"))
    from faithlens.default_model import ensure_default_model
    add(k, "YC F5: FAITHLENS_HOME is a file: refused before the default model is trained",
        with_home(a_file, lambda: ensure_default_model(progress=False)), "error", "is a file; expected a folder")
    add(k, "YC F5: FAITHLENS_HOME under a file", with_home(a_file / "cache", lambda: ensure_default_model(progress=False)),
        "error", "which is a file")
    add(k, "YC F5: FAITHLENS_HOME that cannot be created (/proc)", with_home(
        "/proc/faithlens-yc", lambda: ensure_default_model(progress=False)), "error", "cannot be created")

    def bench(*argv):
        def go():
            sys.path.insert(0, str(ROOT))
            from bench.__main__ import parse
            err = io.StringIO()
            with contextlib.redirect_stderr(err):
                try:
                    parse(list(argv))
                except SystemExit as exc:
                    return CliResult(exc.code if isinstance(exc.code, int) else 2, "", err.getvalue())
            return CliResult(0, "", err.getvalue())
        return go
    add(k, "YC F6: python -m bench --seed -1", bench("--seed", "-1"), "error", "expected an int in [0, 4,294,967,295]")
    add(k, "YC F6: python -m bench --out FILE", bench("--out", str(a_file)), "error", "is a file; expected a folder")
    add(k, "YC F6: python -m bench --threads 1000", bench("--threads", "1000"), "error", "more than this machine can use")
    add(k, "YC F6: python -m bench --certified-only --no-certified", bench("--certified-only", "--no-certified"),
        "error", "not allowed with argument --certified-only")
    return out


def issue22ye_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22 (ye): audit --token-class showed its "share on words: …" column everywhere but in the shares plot,
    which drew only stop words and the first token; rationales sst2 --train - / --data - said "'-' does not exist"
    where every other data option says standard input is not read."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22ye audit plot class, rationales stdin"
    data = write("ye22.tsv", "sentence\tlabel\n" + "".join(f"the film was {w} and fun {i}\t{i % 2}\n"
                                                             for i, w in enumerate(["good", "bad", "dull", "great"] * 2)))
    train = write("ye22_train.tsv", "sentence\tlabel\ngood\t1\nbad\t0\n")

    def audit(*extra):
        md = work / f"ye22{len(extra)}.md"
        r = cli("audit", "--model", tiny_dir, "--data", data, "--steps", "2", "--examples", "1", "--markdown", str(md),
                *extra)
        svg = md.with_name(md.stem + "_shares.svg")
        return r, (svg.read_text() if svg.exists() else "")
    add(k, "YE: audit --token-class the,film draws a third panel in <stem>_shares.svg", lambda: audit(
        "--token-class", "the,film"), "ok", "three panels (stop words, first token, 'words: film, the')",
        lambda res: res[0].code in (0, 1) and 'id="axes_3"' in res[1] and 'id="axes_4"' not in res[1])
    add(k, "YE: audit without --token-class keeps two panels in <stem>_shares.svg", audit, "ok", "two panels",
        lambda res: res[0].code in (0, 1) and 'id="axes_2"' in res[1] and 'id="axes_3"' not in res[1])
    for option in ("--train", "--data"):
        files = {"--train": train, "--data": train, option: "-"}
        add(k, f"YE: rationales sst2 {option} - says standard input is not read", lambda f=files: cli(
            "rationales", "sst2", "--train", f["--train"], "--data", f["--data"], "--out", str(work / "ye22.jsonl")),
            "error", f"{option} - names standard input, which faithlens does not read data from")
    add(k, "YE: rationales sst2 --out - is refused as standard output", lambda: cli(
        "rationales", "sst2", "--train", train, "--data", train, "--out", "-"), "error", "--out - names standard output")
    return out


def issue22yf_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22 (yf): audit --holdout re-split --data with no check that its held-out part was the one train held out:
    another --split-seed, or another data file, silently audited examples the model was trained on. train now records
    the part (faithlens_model.json: dataset.held_out) and audit compares."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22yf audit --holdout split check"
    rows = lambda start: "sentence\tlabel\n" + "".join(f"{'good fun film' if i % 2 else 'bad dull plot'} {i}\t{i % 2}\n"  # noqa: E731
                                                       for i in range(start, start + 20))
    data, other = write("yf22.tsv", rows(0)), write("yf22_other.tsv", rows(100))
    model = work / "yf22_model"

    def audit(*argv):
        if not model.exists():  # trained once, by the first case that needs it
            trained = cli("train", "--train", data, "--base", tiny_dir, "--out", str(model), "--holdout", "0.25",
                          "--split-seed", "1", "--max-length", "16", "--epochs", "1")
            assert trained.code == 0, trained.err
        return cli("audit", "--model", str(model), "--holdout", "0.25", "--limit", "2", "--steps", "2", "--examples",
                   "0", *argv)
    add(k, "YF: audit --holdout of the split train made says it matches, no warning", lambda: audit(
        "--data", data, "--split-seed", "1"), "ok", "'Held-out split: matches the model's record', no warning",
        lambda r: r.code == 0 and "Held-out split: matches the model's record" in r.out and "warning" not in r.err)
    add(k, "YF: audit --holdout with another --split-seed names the recorded one", lambda: audit("--data", data),
        "ok", "a warning naming --holdout 0.25 --split-seed 1",
        lambda r: r.code == 0 and "trained holding out --holdout 0.25 --split-seed 1" in r.err)
    add(k, "YF: audit --holdout of another data file warns by the digest", lambda: audit(
        "--data", other, "--split-seed", "1"), "ok", "a warning: not the part train held out",
        lambda r: r.code == 0 and "is not the one train held out" in r.err and "may include examples" in r.err)
    return out

def me22_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22, twenty-second breaker F1-F3 and its notes: spec errors rewritten to --samples; an explanation
    relabelled schema 5 without its digest loaded with no word; names that cannot be hub ids told to be downloaded;
    steps=auto in a spec; a spec sent to the app; shortened options."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22me specs, digests, hub ids, shortened options"
    explain = lambda *argv: lambda: cli("explain", "great fun", "--model", tiny_dir, "--no-faithfulness", *argv)  # noqa: E731
    add(k, "ME F1: explain --method smoothgrad:samples=3", explain("--method", "smoothgrad:samples=3"), "error",
        "(did you mean smoothgrad:n_samples=3?); a spec's keys are steps, mode, unit, rule, n_samples")
    add(k, "ME F1: explain --method smoothgrad:n_samples=0", explain("--method", "smoothgrad:n_samples=0"), "error",
        "in method spec 'smoothgrad:n_samples=0'")
    add(k, "ME note: explain --method occlusion:steps=auto", explain("--method", "occlusion:steps=auto"), "error",
        "occlusion has none: drop it")
    add(k, "ME note: explain --method ig:steps=auto runs the certified rule", explain("--method", "ig:steps=auto", "--json"),
        "ok", "ig with error-controlled nodes", lambda r: json.loads(r.out.splitlines()[0])["nodes"] is not None)

    def relabelled():
        from faithlens import Explainer, Explanation

        d = json.loads(Explainer(tiny_dir).explain("great fun", "occlusion").to_json())
        del d["digest"]
        d["schema"] = 5
        d["token_scores"] = [2 * x for x in d["token_scores"]]
        return Explanation.from_dict(d)
    add(k, "ME F2: an explanation relabelled schema 5 with its digest dropped", relabelled, "error",
        "Not a consistent explanation")  # doubled scores no longer agree with the words: refused

    def relabelled_consistent():
        import warnings

        from faithlens import Explainer, Explanation

        d = json.loads(Explainer(tiny_dir).explain("great fun", "occlusion").to_json())
        del d["digest"]
        d["schema"] = 5
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Explanation.from_dict(d)
    add(k, "ME F2: an explanation of schema 5 (no digest) says an edit cannot be told", relabelled_consistent, "ok",
        "the warning is kept", lambda e: any("written before faithlens recorded a digest" in w for w in e.warnings))
    for name in ("org/x y", "bert-base-uncased@main", "org/x--y"):
        add(k, f"ME F3: --model {name!r} (not a hub id)", lambda name=name: cli(
            "explain", "great fun", "--model", name, "--method", "occlusion"), "error", "not a hub id")
    add(k, "ME note: rationales sst2 --tra (shortened)", lambda: cli(
        "rationales", "sst2", "--tra", "x.tsv", "--data", "y.tsv", "--out", "z.jsonl"), "error", "did you mean --train?")
    add(k, "ME note: explain --meth (shortened)", lambda: cli("explain", "good", "--meth", "occlusion"), "error",
        "did you mean --method?")
    return out


def issue22za_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22 (za, twenty-second breaker F4, F5): audit --markdown "au ü.md" linked its plots as ``(au ü_shares.png)``,
    not a link in CommonMark (a space ends a bare destination); a --token-class words file with a UTF-8 BOM read the
    BOM into its first word; --token-class '[UNK]' was called "not a whole token of the vocabulary"."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22za audit links, token-class files"
    data = write("za22.tsv", "sentence\tlabel\n" + "".join(f"the film was {w} {i}\t{i % 2}\n"
                                                             for i, w in enumerate(["good", "bad", "dull", "great"])))
    words = work / "za22_bom.txt"
    words.write_bytes(b"\xef\xbb\xbffilm\r\nthe\r\n")

    def audit(*extra, md=None):
        md = md or work / "za22.md"
        r = cli("audit", "--model", tiny_dir, "--data", data, "--steps", "2", "--examples", "0", "--markdown", str(md),
                *extra)
        return r, (md.read_text(encoding="utf-8") if md.exists() else "")
    add(k, "ZA F4: audit --markdown 'au ü.md' links its plots percent-encoded", lambda: audit(
        md=work / "za au ü.md"), "ok", "![za au ü\\_shares](za%20au%20%C3%BC_shares.png)",
        lambda res: res[0].code in (0, 1) and "](za%20au%20%C3%BC_shares.png)" in res[1] and "](za au" not in res[1])
    add(k, "ZA F5: audit --token-class FILE with a UTF-8 BOM reads 'film'", lambda: audit("--token-class", str(words)),
        "ok", "the class 'words: film, the', no BOM in it",
        lambda res: res[0].code in (0, 1) and "words: film, the" in res[1] and "\ufeff" not in res[0].err + res[1])
    add(k, "ZA F5: audit --token-class '[UNK]' is refused as a special token", lambda: cli(
        "audit", "--model", tiny_dir, "--data", data, "--token-class", "[UNK]"), "error", "'[UNK]' is a special token")
    add(k, "ZA F5: audit --token-class '[cls],film' names [CLS] as special and keeps film", lambda: cli(
        "audit", "--model", tiny_dir, "--data", data, "--token-class", "[cls],film"), "error",
        "'[CLS]' is a special token of the model")
    return out


def issue22zb_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22 (zb; twenty-second breaker F6): facade regularise on SNLI pairs with a two-class classifier died in
    torch's cross-entropy (``Target 2 is out of bounds``); gold labels are now read by the model's label names and
    checked against its classes before any training. facade train on pairs with a classifier whose training inputs
    are unknown runs, and faithlens_facade.json records how the data was fed."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22zb facade labels fit the head"
    snli = ["entailment", "neutral", "contradiction"]
    rows = [{"premise": f"a {w} film", "hypothesis": f"it was {w}", "label": snli[i % 3]}
            for i, w in enumerate(["good", "bad", "fine", "awful", "great", "dull", "nice", "poor"] * 3)]
    named = write("zb22_snli.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    indexed = write("zb22_snli_n.jsonl", "".join(json.dumps(dict(r, label=snli.index(r["label"]))) + "\n" for r in rows))
    add(k, "ZB: facade regularise, 2-class model, SNLI label names", lambda: cli(
        "facade", "regularise", "--model", tiny_dir, "--data", named, "--out", str(work / "zb22_r1"), "--steps", "1"),
        "error", "'contradiction', 'entailment', 'neutral', which the model does not have")
    add(k, "ZB: facade regularise, 2-class model, SNLI class index 2", lambda: cli(
        "facade", "regularise", "--model", tiny_dir, "--data", indexed, "--out", str(work / "zb22_r2"), "--steps", "1"),
        "error", "include 2, outside the 2 classes")
    add(k, "ZB: facade train on pairs, model of unknown inputs: faithlens_facade.json records them", lambda: _first_of(cli(
        "facade", "train", "--model", tiny_dir, "--data", named, "--out", str(work / "zb22_g"), "--steps", "1",
        "--heldout", "4", "--eval-every", "1", "--batch-size", "4", "--max-length", "32"), work / "zb22_g"), "ok",
        "inputs.kind 'pairs' in faithlens_facade.json",
        lambda r: r[0].code == 0 and json.loads((r[1] / "faithlens_facade.json").read_text())["inputs"]["kind"] == "pairs")
    return out


def issue22zd_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22 (zd; twenty-third breaker notes): audit --data <the model's own --train file> without --holdout was
    silent that its sample includes training examples (train now records dataset.train_sha256; a copy is found by it);
    ig:steps=3,tolerance=0.01 evaluated 9 nodes, the first mesh, past its node budget of 3 without a word."""
    import shutil

    from faithlens.checkpoint import file_digest

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22zd training data in an audit; IG node budget"
    rows = "sentence\tlabel\n" + "".join(f"the film was {w} {i}\t{i % 2}\n" for i, w in enumerate(["good", "bad", "dull", "great"]))
    train = write("zd22_train.tsv", rows)
    copy = write("zd22_copy.tsv", rows)  # the same bytes elsewhere
    other = write("zd22_other.tsv", rows.replace("good", "fine"))
    model = work / "zd22_model"
    if not model.exists():
        shutil.copytree(tiny_dir, model)
        (model / "faithlens_model.json").write_text(json.dumps(
            {"dataset": {"train": str(train), "train_sha256": file_digest(train)}}), encoding="utf-8")

    def audit(data):
        report = work / "zd22.json"
        r = cli("audit", "--model", str(model), "--data", str(data), "--steps", "2", "--examples", "0", "--json",
                str(report))
        return r, (json.loads(report.read_text(encoding="utf-8")) if report.exists() else {})
    said = "includes examples the model was trained on"
    add(k, "ZD: audit --data the model's --train file, no --holdout: warned and reported", lambda: audit(train), "ok",
        f"warning '{said}' and settings.training_data",
        lambda res: res[0].code in (0, 1) and said in res[0].err and "--train file" in res[1]["settings"]["training_data"])
    add(k, "ZD: audit --data a byte copy of the --train file: found by its SHA-256", lambda: audit(copy), "ok",
        f"warning '{said}' (same bytes)", lambda res: res[0].code in (0, 1) and "same bytes" in res[0].err)
    add(k, "ZD: audit --data another file: no training-data note", lambda: audit(other), "ok",
        "no warning, no settings.training_data",
        lambda res: res[0].code in (0, 1) and said not in res[0].err and "training_data" not in res[1]["settings"])

    def capped():
        from faithlens import Explainer
        from faithlens.model import load_model

        return Explainer(load_model(tiny_dir)).explain("the film was good", "ig", steps=3, tolerance=0.01)
    add(k, "ZD: ig steps=3 tolerance=0.01 evaluates at most 3 nodes", capped, "ok",
        "nodes (3,), a budget warning with the gap when the tolerance is missed",
        lambda e: e.nodes[0] <= 3 and (e.error["relative"] <= 0.01 or any("node budget (3 nodes" in w for w in e.warnings)))
    return out


def issue22zc_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22 (zc; twenty-third breaker's notes): a --holdout refusal quotes the text typed (1e-400 was shown as
    "Got 0.0"); a .json file of strings says which item is not an object (was "a JSON list, not a list"); the web app
    takes steps=auto for sig and ig, as the CLI and API do, and names its own field `samples`, not n_samples."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22zc twenty-third notes"
    add(k, "ZC: train --holdout 1e-400", lambda: cli("train", "--train", "rotten_tomatoes", "--base", tiny_dir, "--out",
                                                     str(work / "zc22_t"), "--holdout", "1e-400"),
        "error", "argument --holdout: expected a fraction in (0, 1), e.g. 0.2, got '1e-400'")
    strings = write("zc22_strings.json", '["great fun", "awful"]')
    add(k, "ZC: explain --file of a JSON list of strings", lambda: cli("explain", "--model", tiny_dir, "--file", strings,
                                                                       "--method", "occlusion", "--no-faithfulness"),
        "error", 'a JSON list whose item 1 is a JSON string ("great fun"), not an object')

    def post(body):
        from faithlens import Explainer
        from faithlens.app import Limits, create_app

        web = create_app(Explainer(tiny_dir), limits=Limits()).test_client()
        r = web.post("/api/explain", data=body, content_type="application/x-www-form-urlencoded",
                     headers={"Host": "127.0.0.1:8765"})
        payload = r.get_json(silent=True)
        return {"status": r.status_code, "error": payload.get("error")} if r.status_code >= 400 else {"ok": 200, "json": payload}

    add(k, "ZC: serve form sig with steps=auto", lambda: post("text=great+fun&method=sig&steps=auto"), "ok",
        "runs with the default tolerance", lambda r: r.get("ok") == 200 and r["json"][0]["settings"]["tolerance"] > 0)
    add(k, "ZC: serve form occlusion with samples=5", lambda: post("text=great+fun&method=occlusion&samples=5"), "error",
        "samples=5 does nothing for occlusion")
    return out


def issue22zg_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22 (zg; twenty-fourth breaker F4, F5): an evaluate stopped early says so in results.json ("complete":
    false, "examples_asked") and table.md's first line; `facade merge` refuses a facade whose training was interrupted
    (state 'best', not 'final'), naming the step reached and the rerun that finishes it."""
    import json

    from tiny import save_tiny_facade

    from faithlens.data import Dataset

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22zg twenty-fourth F4 F5"

    def stopped():
        from faithlens import load_model
        from faithlens.evaluate import evaluate

        data = Dataset(("great fun", "awful film", "fine plot", "dull acting"), (1, 0, 1, 0), source="zg")
        folder = work / "zg22_eval"
        result = evaluate(load_model(tiny_dir), data, methods=["occlusion"], out=folder, batch_size=1, progress=False,
                          stop_after=2)
        return {"complete": result.complete, "json": json.loads((folder / "results.json").read_text()),
                "first": (folder / "table.md").read_text().splitlines()[0]}

    add(k, "ZG F4: evaluate stopped after 2 of 4 examples", stopped, "ok", "results.json and table.md say it is partial",
        lambda r: r["complete"] is False and r["json"]["complete"] is False and r["json"]["examples_asked"] == 4
        and r["first"].startswith("Interrupted after 2 of 4 examples"))
    facade = save_tiny_facade(work / "zg22_facade", tiny_dir)
    info = json.loads((facade / "faithlens_facade.json").read_text())
    info["settings"]["steps"], info["state"] = 500, "best"  # as `facade train` leaves it when interrupted
    (facade / "faithlens_facade.json").write_text(json.dumps(info))
    (facade / "train_log.jsonl").write_text("".join(json.dumps({"step": s}) + "\n" for s in (0, 312, 313)))
    add(k, "ZG F5: facade merge of an interrupted facade train", lambda: cli(
        "facade", "merge", "--model", tiny_dir, "--facade", str(facade), "--out", str(work / "zg22_merged")), "error",
        "was interrupted at step 313 of 500")
    return out


def issue22ze_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22 (ze; twenty-fourth breaker F1): a word ending in combining marks is the word typed — decomposed "café",
    Hindi "नमस्ते", "x̀́" were cut before their marks (BERT uncased strips accents, so its offsets stop there)."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22ze combining marks"

    def words(model, text):
        r = cli("explain", text, "--model", model, "--method", "occlusion", "--no-faithfulness", "--json")
        return [(w["word"], w["start"], w["end"]) for w in json.loads(r.out.splitlines()[0])["words"]] if r.code == 0 else r

    add(k, "ZE: explain decomposed café (tiny BERT, strips accents)", lambda: words(tiny_dir, "cafe\u0301 great"), "ok",
        "one word 'café' at 0–5", lambda r: r == [("cafe\u0301", 0, 5), ("great", 6, 11)])
    add(k, "ZE: explain Hindi नमस्ते (default model)", lambda: words("default", "नमस्ते film"), "ok",
        "one word 'नमस्ते' at 0–6, its vowel sign kept", lambda r: r == [("नमस्ते", 0, 6), ("film", 7, 11)])
    add(k, "ZE: explain x with two marks and a ZWJ family (default model)",
        lambda: words("default", "x\u0300\u0301 \U0001f469\u200d\U0001f469\u200d\U0001f467 bad"), "ok",
        "'x̀́' and the family emoji are one word each",
        lambda r: [w for w, _, _ in r] == ["x\u0300\u0301", "\U0001f469\u200d\U0001f469\u200d\U0001f467", "bad"])

    def widened():
        from faithlens import Explainer, Explanation

        d = json.loads(Explainer(tiny_dir).explain("cafe\u0301 great", "occlusion").to_json())
        d["words"][0].update(word="cafe\u0301 ", end=6)
        return Explanation.from_json(json.dumps(d))

    add(k, "ZE: from_json of a word widened over the space after its mark", widened, "error",
        "spans characters 0–6, but its tokens cover characters 0–4")
    return out


def issue22zf_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22 (zf; twenty-fourth breaker F2, F3): a data folder whose data file is .json said "Got no data files"
    and --split could not reach it (it appended .tsv/.csv/.jsonl); facade hotflip on a causal LM advised input
    reduction, which refuses causal LMs."""
    from tiny import save_tiny

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22zf24 json data folders; hotflip advice (twenty-fourth breaker)"
    rows = json.dumps([{"text": "great fun", "label": 1}, {"text": "dull and slow", "label": 0}])
    named, dev, empty = work / "zf22_named", work / "zf22_dev", work / "zf22_empty"
    for folder in (named, dev, empty):
        folder.mkdir(exist_ok=True)
    (named / "reviews.json").write_text(rows, encoding="utf-8")
    (dev / "dev.json").write_text(rows, encoding="utf-8")

    def evaluate(folder, *split):
        report = work / f"zf22_eval_{folder.name}{'_split' * bool(split)}"
        r = cli("evaluate", "--model", tiny_dir, "--data", str(folder), *split, "--methods", "occlusion",
                "--no-random", "--no-curves", "--out", str(report))
        return _first_of(r, json.loads((report / "results.json").read_text(encoding="utf-8"))
                         if (report / "results.json").exists() else {})
    add(k, "ZF: evaluate --data a folder holding reviews.json, no --split", lambda: evaluate(named), "error",
        "Got ['reviews.json']. Pass --split with one of those names")
    add(k, "ZF: evaluate --data the same folder --split reviews.json", lambda: evaluate(named, "--split", "reviews.json"),
        "ok", "reads the 2 examples", lambda res: res[0].code == 0 and res[1]["n_examples"] == 2)
    add(k, "ZF: audit --data a folder holding dev.json (the default split)",
        lambda: cli("audit", "--model", tiny_dir, "--data", str(dev), "--steps", "2", "--examples", "0"), "ok",
        "reads dev.json", lambda r: r.code in (0, 1) and "error" not in r.err)
    add(k, "ZF: evaluate --data an empty folder", lambda: evaluate(empty), "error",
        "Got no data files. Pass the data file itself, or a folder that holds one.")
    lm = work / "zf22_lm"
    if not lm.exists():
        save_tiny(lm, "gpt2_lm")
    texts = write("zf22_lm.tsv", "text\tlabel\nthe cat sat\t1\nhello world\t0\n")
    add(k, "ZF: facade hotflip on a causal LM", lambda: cli("facade", "hotflip", "--model", str(lm), "--data", str(texts),
                                                            "--limit", "2", "--out", str(work / "zf22_hot.json")),
        "error", "model. Use the saliency audit (faithlens facade saliency, or faithlens audit) instead.")
    add(k, "ZF: facade saliency on the causal LM hotflip advises", lambda: cli(
        "facade", "saliency", "--model", str(lm), "--data", str(texts), "--limit", "2", "--out",
        str(work / "zf22_sal.json")), "ok", "runs", lambda r: r.code == 0)
    return out


def issue22zh_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22 (zh; twenty-fourth breaker, minor notes part 1): Explanation.from_json refused a str starting with a
    BOM that its bytes loaded; evaluate/facade --out /dev/null said "is a file" (explain --html: "a character device");
    rationales --out replaces an existing file, as every one-file output does (model folders alone ask --overwrite)."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22zh24 BOM in a str; devices as --out folders; rationales --out (twenty-fourth breaker)"

    def from_bom_str():
        text = faithlens.Explainer(str(tiny_dir)).explain("a dull film", "occlusion").to_json()
        return faithlens.Explanation.from_json("\ufeff" + text).to_json() == text
    add(k, "ZH: Explanation.from_json of a str starting with U+FEFF", from_bom_str, "ok", "loads as its bytes do",
        lambda same: same is True)
    add(k, "ZH: evaluate --out /dev/null", lambda: cli("evaluate", "--model", tiny_dir, "--out", "/dev/null"), "error",
        "--out '/dev/null' is a character device; expected a folder")
    add(k, "ZH: facade merge --out /dev/null", lambda: cli("facade", "merge", "--model", tiny_dir, "--facade", "x",
                                                          "--out", "/dev/null"), "error",
        "--out '/dev/null' is a character device; expected a folder")
    train = write("zh22_train.tsv", "sentence\tlabel\ngreat\t1\nawful\t0\n")
    dev = write("zh22_dev.tsv", "sentence\tlabel\ngreat film\t1\nawful film\t0\n")
    existing = work / "zh22_rationales.jsonl"

    def rationales_over_existing():
        existing.write_text("old\n", encoding="utf-8")
        r = cli("rationales", "sst2", "--train", str(train), "--data", str(dev), "--out", str(existing))
        return _first_of(r, existing.read_text(encoding="utf-8"))
    add(k, "ZH: rationales sst2 --out an existing file", rationales_over_existing, "ok",
        "replaces it, as explain --html does", lambda res: res[0].code == 0 and res[1].count("\n") == 2
        and "old" not in res[1])
    return out


def issue22zi_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22 (zi; twenty-fourth breaker minor notes): facade train rerun into an interrupted --out with other
    settings said only "--out must be new or empty"; train rerun with other data set the old checkpoint aside (.other)
    without a word; audit on a causal LM scored logit and never said it explains greedy continuations."""
    from faithlens.checkpoint import Checkpoint
    from tiny import save_tiny

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22zi24 interrupted runs of other settings or data; causal LM audit (twenty-fourth breaker notes)"
    texts = write("zi22_train.tsv", "sentence\tlabel\n" + "".join(f"{w} film\t{i % 2}\n" for i, w in enumerate(
        ["good", "bad", "great", "dull", "fine", "slow", "fun", "poor"])))
    facade = work / "zi22_facade"
    run = ["--batch-size", "2", "--eval-every", "1", "--heldout", "2", "--max-length", "16"]

    def facade_rerun():  # a finished run marked as killed mid-way (state "best"), rerun with another --steps
        first = cli("facade", "train", "--model", tiny_dir, "--data", texts, "--steps", "1", *run, "--out", str(facade))
        if first.code != 0:
            return first
        info = json.loads((facade / "faithlens_facade.json").read_text(encoding="utf-8"))
        (facade / "faithlens_facade.json").write_text(json.dumps({**info, "state": "best"}), encoding="utf-8")
        return cli("facade", "train", "--model", tiny_dir, "--data", texts, "--steps", "2", *run, "--out", str(facade))
    add(k, "ZI: facade train rerun into an interrupted --out with another --steps", facade_rerun, "error",
        "run with other settings ('steps' setting (--steps) was 1, now 2). Rerun with the same options")
    model = work / "zi22_model"

    def train_rerun():  # a checkpoint beside --out from another run (other settings and data)
        Checkpoint(work / ".zi22_model.checkpoint.pt", "another run", every=1, settings={"lr": 1.0},
                   data="other").save(2, {})
        return cli("train", "--base", tiny_dir, "--train", texts, "--out", str(model), "--epochs", "1",
                   "--max-length", "16")
    add(k, "ZI: train rerun beside an interrupted run of other settings and data", train_rerun, "error",
        "and other data (the texts, pairs or labels differ")
    lm = work / "zi22_lm"
    if not lm.exists():
        save_tiny(lm, "gpt2_lm")
    prompts = write("zi22_prompts.tsv", "text\nthe cat sat\nhello world\na good film\n")
    add(k, "ZI: audit on a causal LM: log_prob (explain's default), greedy targets said once",
        lambda: cli("audit", "--model", str(lm), "--data", prompts, "--steps", "2", "--examples", "0"), "ok",
        "score F = log_prob; 'No target given' once",
        lambda r: r.code in (0, 1) and "score F = log_prob" in r.out and r.out.count("No target given") == 1)
    return out


def issue22jc_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22 (jc; twenty-fifth breaker F6-F8): the audit entry points read a str character by character and a
    generator as no text; agreement's labels, hotflip's chunk and audit's classes and gradient_runs were not checked
    (tracebacks, or silently ignored); explain --file refused a one-column .tsv with a header that evaluate --data reads."""
    import faithlens.audit as A

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22jc25 audit API arguments; one-column .tsv header (twenty-fifth breaker F6-F8)"
    texts = ["good film", "awful boring mess", "a fine and lovely movie", "the plot is dull", "what a great cast"]
    model = lambda: faithlens.load_model(tiny_dir)  # noqa: E731
    add(k, "F6: audit(model, 'good film'): a str is one text", lambda: A.audit(model(), "good film", steps=2,
        progress=False), "ok", "n == 1", lambda r: r.n == 1)
    add(k, "F6: hotflip(model, generator of 3 texts)", lambda: A.hotflip(model(), (t for t in texts[:3])), "ok",
        "3 texts attacked", lambda r: len(r.flips) == 3)
    add(k, "F6: input_reduction(model, set of texts)", lambda: A.input_reduction(model(), set(texts)), "error",
        "which has no order")
    add(k, "F7: agreement with labels one shorter than texts", lambda: A.agreement(model(), model(), texts,
        labels=[1, 0, 1, 0]), "error", "4 label(s) for 5 text(s)")
    add(k, "F7: agreement with label 5 of a 2-class model", lambda: A.agreement(model(), model(), texts,
        labels=[1, 0, 1, 0, 5]), "error", "Label 4 is 5")
    add(k, "F7: hotflip chunk=0", lambda: A.hotflip(model(), texts[:2], chunk=0), "error", "'chunk' parameter")
    add(k, "F7: audit classes=['bogus']", lambda: A.audit(model(), texts, steps=2, classes=["bogus"], progress=False),
        "error", "Unknown token class 'bogus'")
    add(k, "F7: audit gradient_runs=['bogus']", lambda: A.audit(model(), texts, steps=2, gradient_runs=["bogus"],
        progress=False), "error", "Unknown method 'bogus'")
    tsv = write("jc22_h1.tsv", "text\ngood film\nbad film\n")
    add(k, "F8: explain --file one-column .tsv with a 'text' header", lambda: cli(
        "explain", "--file", tsv, "--model", tiny_dir, "--method", "occlusion", "--no-faithfulness"), "ok",
        "both texts explained, no header refusal", lambda r: r.code == 0 and "header" not in r.err and r.out.count("occlusion:") == 2)
    return out


def issue22jb_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22 (jb; twenty-fifth breaker F3-F5): label_names as a set numbered labels in hash order, a str was read
    letter by letter; subset([100]) was an IndexError and [-1] the last example; holdout's np.int64 seed a TypeError
    and its np.float32 fraction refused."""
    import numpy as np

    import faithlens.data as data

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22jb25 faithlens.data argument types (twenty-fifth breaker F3-F5)"
    pn = write("jb22_pn.jsonl", '{"text":"great","label":"positive"}\n{"text":"awful","label":"negative"}\n')
    add(k, "JB F3: load_dataset(label_names={'negative', 'positive'}) (a set)",
        lambda: data.load_dataset(pn, label_names={"negative", "positive"}), "error", "a set has no order")
    add(k, "JB F3: read_file(label_names='negpos') (a str)", lambda: data.read_file(pn, label_names="negpos"), "error",
        "a str would be read letter by letter")
    add(k, "JB F3: label_names=['positive', 'positive']",
        lambda: data.load_dataset(pn, label_names=["positive", "positive"]), "error", "names one class twice")
    add(k, "JB F3: label_names=['negative', 'positive'] reads in class order",
        lambda: data.load_dataset(pn, label_names=["negative", "positive"]), "ok", "labels (1, 0)",
        lambda r: r.labels == (1, 0))
    ds = data.load_dataset(pn)
    add(k, "JB F4: subset(ds, [100])", lambda: data.subset(ds, [100]), "error", "ints in [0, 1]")
    add(k, "JB F4: subset(ds, [-1])", lambda: data.subset(ds, [-1]), "error", "holds -1 at place 0")
    add(k, "JB F4: subset(ds, [True, False])", lambda: data.subset(ds, [True, False]), "error", "holds True")
    add(k, "JB F4: subset(ds, None)", lambda: data.subset(ds, None), "error", "must be a list of example positions")
    add(k, "JB F5: holdout(ds, 0.5, seed=np.int64(3)) splits as seed=3",
        lambda: data.holdout(ds, 0.5, seed=np.int64(3)), "ok", "same held-out part as seed=3",
        lambda r: r[1].texts == data.holdout(ds, 0.5, seed=3)[1].texts)
    add(k, "JB F5: holdout(ds, np.float32(0.5))", lambda: data.holdout(ds, np.float32(0.5)), "ok",
        "one example kept, one held out", lambda r: (len(r[0]), len(r[1])) == (1, 1))
    return out


def issue22ja_cases(work, tiny_dir) -> list[Case]:
    """Issue 22 (ja; twenty-fifth breaker F1, F2, minor): a Comparison showed methods explained with another score or
    baseline side by side; load_result called a stopped run complete; a method spec in Python said "Unknown method";
    load_result(None) and to_markdown(images=[None]) ended in pathlib TypeErrors."""
    from faithlens.audit.report import AuditReport
    from faithlens.data import Dataset
    from faithlens.evaluate import evaluate, load_result

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22ja25 Comparison settings, load_result of a stopped run, API notes (twenty-fifth breaker F1, F2)"
    ex = faithlens.Explainer(tiny_dir)
    text = "a dull, tired film"
    add(k, "JA F1: Comparison of sig (logit) and ig (score='prob')",
        lambda: faithlens.Comparison({"sig": ex.explain(text, "sig"),
                                      "ig": ex.explain(text, "ig", steps=4, score="prob")}).to_terminal(),
        "error", "differ in the setting 'score'")
    add(k, "JA F1: Comparison of sig (mask) and ig (baseline='zero')",
        lambda: faithlens.Comparison({"sig": ex.explain(text, "sig"),
                                      "ig": ex.explain(text, "ig", steps=4, baseline="zero")}).to_html(),
        "error", "differ in the setting 'baseline'")
    data = Dataset(("good film", "bad film", "a dull plot", "fun and great"), (1, 0, 0, 1), source="ja22")
    folder = work / "ja22_stopped"

    def stopped():
        evaluate(ex.model, data, methods=["occlusion"], out=folder, progress=False, stop_after=1, batch_size=1)
        return load_result(folder)
    add(k, "JA F2: load_result of a run stopped after 1 of 4 examples", stopped, "ok",
        "complete False, 'Interrupted after 1 of 4' in markdown and HTML",
        lambda r: r.complete is False and r.markdown().startswith("Interrupted after 1 of 4")
        and "Interrupted after 1 of 4" in r.to_html())
    add(k, "JA minor: load_result(None)", lambda: load_result(None), "error", "load_result takes the --out folder")
    add(k, "JA minor: explain(method='ig:steps=5') in Python", lambda: ex.explain(text, method="ig:steps=5"), "error",
        "method='ig', steps=5")
    add(k, "JA minor: AuditReport.to_markdown(images=[None])",
        lambda: AuditReport.__new__(AuditReport).to_markdown(images=[None]), "error", "list of plot file paths")
    return out


def me26_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22, twenty-sixth breaker F1, F3: a blank method name sent to the web app ran the default methods; a
    rationale's "segment": 1.0 was a traceback and true read as 1."""
    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22me26 blank methods, rationale segments"
    from faithlens import Explainer
    from faithlens.app import Limits, create_app

    web = create_app(Explainer(tiny_dir), limits=Limits()).test_client()

    def ask(body):
        r = web.post("/api/explain", data=json.dumps(body), content_type="application/json",
                     headers={"Host": "127.0.0.1:8765"})
        payload = r.get_json(silent=True)
        return {"status": r.status_code, "error": payload.get("error")} if r.status_code >= 400 else {"ok": 200, "json": payload}
    for name, body in [("methods [\"\"]", {"texts": ["good film"], "methods": [""]}),
                       ("method \"\"", {"text": "good film", "method": ""}),
                       ("methods [\"sig\", \"\"]", {"texts": ["good film"], "methods": ["sig", ""]})]:
        add(k, f"ME26 F1: API {name}", lambda b=body: ask(b), "error", "A blank method name")
    data = write("me26.tsv", "sentence\tlabel\nthe film was good\t1\nthe plot was dull\t0\n")
    for name, record, words in [("segment 1.0", {"index": 0, "words": [0], "segment": 1.0}, "must be the integer 0, or 1"),
                                ("segment true", {"index": 0, "words": [0], "segment": True}, "must be the integer 0, or 1"),
                                ("segment 1 on a single text", {"index": 0, "words": [0], "segment": 1},
                                 "names the second text of a pair")]:
        path = write(f"me26-{len(out)}.jsonl", json.dumps(record) + "\n")
        add(k, f"ME26 F3: --rationales {name}", lambda p=path: cli(
            "evaluate", "--model", tiny_dir, "--data", data, "--methods", "occlusion", "--rationales", p, "--quiet",
            "--no-curves"), "error", words)
    bogus = Path(work) / "me26-bogus"  # twenty-sixth breaker note: a problem_type Hugging Face does not define
    if not bogus.exists():
        shutil.copytree(tiny_dir, bogus)
        config = json.loads((bogus / "config.json").read_text())
        config["problem_type"] = "bogus"
        (bogus / "config.json").write_text(json.dumps(config))
    add(k, "ME26 note: problem_type 'bogus'", lambda: cli("explain", "good film", "--model", str(bogus), "--method",
                                                          "occlusion", "--no-faithfulness"), "error",
        "which Hugging Face does not define")
    rationale = write("me26-rat.jsonl", json.dumps({"index": 0, "words": [1]}) + "\n")
    add(k, "ME27 F1: plausibility table with --no-random has no random row", lambda: cli(
        "evaluate", "--model", tiny_dir, "--data", data, "--methods", "occlusion", "--rationales", rationale,
        "--no-curves", "--no-random"), "ok", "no random row in the plausibility table",
        lambda r: "| random |" not in r.out)
    add(k, "ME27 F1: plausibility table lists the random row once", lambda: cli(
        "evaluate", "--model", tiny_dir, "--data", data, "--methods", "occlusion", "--rationales", rationale,
        "--no-curves"), "ok", "one random row per table", lambda r: r.out.count("| random |") == 2)
    return out


def issue22jd_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22 (jd; twenty-sixth breaker F2, F4): a config.json whose id2label keys skip an index loaded with a class
    renamed LABEL_1 and its own name dropped; a SQuAD file as a classifier's --validation was answered "pass --task
    qa", advice that fails."""
    import json
    import shutil

    from faithlens.model import load_model

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22jd26 odd id2label keys, a SQuAD file as --validation (twenty-sixth breaker F2, F4)"

    def folder(name, **changes):
        path = work / name
        if not path.exists():
            shutil.copytree(tiny_dir, path)
            config = json.loads((path / "config.json").read_text())
            config.update(changes)
            (path / "config.json").write_text(json.dumps(config))
        return str(path)
    gap = folder("jd22_gap", id2label={"0": "negative", "5": "positive"}, label2id={"negative": 0, "positive": 5})
    mis = folder("jd22_mis", id2label={"0": "negative", "1": "positive"}, label2id={"negative": 1, "positive": 0})
    add(k, "JD F2: explain --model with id2label keys {0, 5} on a 2-class head",
        lambda: cli("explain", "good film", "--model", gap, "--method", "occlusion", "--no-faithfulness"), "error",
        "id2label has the keys '0', '5'")
    add(k, "JD F2: load_model with label2id the reverse of id2label", lambda: load_model(mis), "error",
        "id2label puts it at 0, label2id at 1")
    tsv = write("jd22_cls.tsv", "text\tlabel\n" + "".join(f"text {i}\t{i % 2}\n" for i in range(8)))
    squad = write("jd22_sq.json", json.dumps({"data": [{"title": "t", "paragraphs": [{"context": "The cat sat.", "qas": [
        {"id": "1", "question": "Who sat?", "answers": [{"text": "The cat", "answer_start": 0}]}]}]}]}))
    for option in ("--validation", "--test"):
        add(k, f"JD F4: train --train cls.tsv {option} sq.json",
            lambda option=option: cli("train", "--base", str(tiny_dir), "--train", tsv, option, squad, "--out",
                                      str(work / "jd22_out")), "error", f"{option} must be labelled texts like --train")
    return out


def me28_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22, twenty-eighth and twenty-ninth breakers: a data folder holding two files of one split; a
    ClassifierModel built by hand with parts that do not fit; a tied prediction; a blank facade method entry; a QA
    answer found only after Unicode normalisation; a JSON body in another charset; a training run resumed by another
    path to the same base, or with other weights under the same path."""
    import copy

    import torch

    from faithlens import ClassifierModel, Explainer
    from faithlens.app import Limits, create_app
    from faithlens.model import load_model
    from faithlens.task_inputs import answer_chars
    from faithlens.training_loop import run_checkpoint

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22me28 split files, hand-built models, ties, resumes by content (28th/29th breakers)"
    folder = Path(work) / "me28-split"
    folder.mkdir(exist_ok=True)
    (folder / "dev.tsv").write_text("sentence\tlabel\ngood film\t1\nbad film\t0\n")
    (folder / "dev.json").write_text(json.dumps([{"text": "dull", "label": 0}]))
    add(k, "ME28: evaluate --data a folder with dev.tsv and dev.json", lambda: cli(
        "evaluate", "--model", tiny_dir, "--data", str(folder), "--methods", "occlusion", "--no-curves"), "error",
        "holds 2 files of the split 'dev'")
    loaded = load_model(str(tiny_dir))

    def wrap(**changes):
        parts = dict(model=copy.deepcopy(loaded.model), tokenizer=loaded.tokenizer, name="x", is_causal=False,
                     had_pad_token=True)
        parts.update(changes)
        if "labels" in parts:
            labels = parts.pop("labels")
            parts["model"].config.id2label = dict(enumerate(labels))
            parts["model"].config.label2id = {v: i for i, v in enumerate(labels)}
        return ClassifierModel(**parts)
    add(k, "ME28 F1: ClassifierModel(model='a/path')", lambda: wrap(model=str(tiny_dir)), "error",
        "must be a loaded Hugging Face model")
    add(k, "ME28 F1: ClassifierModel with id2label of 3 on a head of 2", lambda: wrap(labels=["a", "b", "c"]), "error",
        "config names 3 classes")
    add(k, "ME28 F1: ClassifierModel(is_causal=True) of a BERT classifier", lambda: wrap(is_causal=True), "error",
        "its config says it is not a causal LM")
    add(k, "ME28 F1: ClassifierModel(tokenizer={})", lambda: wrap(tokenizer={}), "error", "must be a fast tokenizer")
    add(k, "ME28 F1: Explainer of a ClassifierModel(tokenizer=None)", lambda: Explainer(wrap(tokenizer=None)), "error",
        "has no tokenizer")
    tie = Path(work) / "me28-tie"
    if not tie.exists():
        model = copy.deepcopy(loaded.model)
        with torch.no_grad():
            model.classifier.weight.zero_()
            model.classifier.bias.zero_()
        model.save_pretrained(tie)
        loaded.tokenizer.save_pretrained(tie)
    add(k, "ME28 F2: explain on a model whose classes tie", lambda: cli(
        "explain", "good film", "--model", str(tie), "--method", "occlusion", "--no-faithfulness"), "ok",
        "the tie is said", lambda r: "Tie: the classes" in r.out + r.err)
    data = write("me28.tsv", "sentence\tlabel\nthe film was good\t1\nthe plot was dull\t0\n")
    add(k, "ME28 note: facade saliency --methods 'ig:steps=2,,occlusion'", lambda: cli(
        "facade", "saliency", "--model", tiny_dir, "--data", data, "--methods", "ig:steps=2,,occlusion"), "error",
        "has a blank entry")
    add(k, "ME28 note: QA answer 'café' (NFC) in a context written NFD", lambda: answer_chars(
        "the cafe\u0301 was good", "caf\u00e9"), "error", "does occur once both are in Unicode NFC form")
    web = create_app(Explainer(tiny_dir), limits=Limits()).test_client()

    def latin1():
        r = web.post("/api/explain", data='{"text": "caf\u00e9"}'.encode("latin-1"),
                     content_type="application/json; charset=latin-1", headers={"Host": "127.0.0.1:8765"})
        payload = r.get_json(silent=True) or {}
        return {"status": r.status_code, "error": payload.get("error")} if r.status_code >= 400 else {"ok": 200}
    add(k, "ME28 note: web JSON body declared charset=latin-1", latin1, "error", "reads JSON in UTF-8 only")
    base = Path(work) / "me28-base"
    if not base.exists():
        shutil.copytree(tiny_dir, base)
    run_out = Path(work) / "me28-runs" / "m"
    texts = (["good film", "bad film"], [1, 0])
    first = run_checkpoint(run_out, [str(base), ["neg", "pos"], {"lr": 1e-3}], texts, every=1, overwrite=True)
    first.save(2, {"p": torch.nn.Linear(2, 2)})
    copy_dir = Path(work) / "me28-copy"
    if not copy_dir.exists():
        shutil.copytree(base, copy_dir)
    add(k, "ME29 F4: train resumed from a byte copy of its base", lambda: run_checkpoint(
        run_out, [str(copy_dir), ["neg", "pos"], {"lr": 1e-3}], texts, every=1, overwrite=False).restore(
        {"p": torch.nn.Linear(2, 2)})[0], "ok", "continued at step 2", lambda r: r == 2)
    other = Path(work) / "me28-other"
    if not other.exists():
        shutil.copytree(base, other)
        (other / "config.json").write_text((other / "config.json").read_text().replace("}", ', "note": 1}', 1))
    add(k, "ME29 F5: train resumed with other files under the base's path", lambda: run_checkpoint(
        run_out, [str(other), ["neg", "pos"], {"lr": 1e-3}], texts, every=1, overwrite=False), "error",
        "'base_weights' setting was")
    return out


def me30_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22, thirtieth and thirty-first breakers: Comparison from a list, top_words(k), --score max_logit shown
    as a target, --html over a data file, evaluate --rationales resumed by another path or edited, an audit report
    that did not say what it audited."""
    from faithlens import Comparison, Explainer

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22me30 Comparison lists, top_words, max_logit, --html over data, rationales by content (30th/31st breakers)"
    ex = Explainer(str(tiny_dir))
    a = ex.explain("a very good film", "occlusion")
    add(k, "ME30 F1: Comparison([e, e]) of one method", lambda: Comparison([a, a]), "error",
        "Two explanations of the method 'occlusion'")
    add(k, "ME30 F1: Comparison([e1, e2])", lambda: list(Comparison([a, ex.explain("a very good film", "ig", steps=4)])),
        "ok", "keyed by method", lambda r: r == ["occlusion", "ig"])
    for bad in (-1, 2.5, True):
        add(k, f"ME30 F3: top_words({bad!r})", lambda bad=bad: a.top_words(bad), "error", "top_words(k) takes the number")
    add(k, "ME30 F2: explain --score max_logit names no target", lambda: cli(
        "explain", "good film", "--model", tiny_dir, "--method", "occlusion", "--score", "max_logit",
        "--no-faithfulness"), "ok", "explains the largest logit, no 'target:'",
        lambda r: "the largest logit" in r.out and "target:" not in r.out)
    data = write("me30.tsv", "sentence\tlabel\nthe film was good\t1\nthe plot was dull\t0\nfine fun\t1\n")
    add(k, "ME30 F4: explain --html naming an existing data file", lambda: cli(
        "explain", "good film", "--model", tiny_dir, "--method", "occlusion", "--html", data), "error",
        "not a .html file")
    rationale = write("me30-r.jsonl", json.dumps({"index": 0, "words": [1]}) + "\n")
    same = write("me30-same.jsonl", json.dumps({"index": 0, "words": [1]}) + "\n")
    run = ["evaluate", "--model", tiny_dir, "--data", data, "--methods", "occlusion", "--no-curves", "--out",
           str(Path(work) / "me30-run"), "--rationales"]
    add(k, "ME31 F3/F6: evaluate --rationales, then the same run again", lambda: (cli(*run, rationale), cli(*run, rationale))[1],
        "ok", "resumed", lambda r: r.code == 0)
    add(k, "ME31 F3: the same run with an identical copy of the rationales", lambda: cli(*run, same), "ok", "resumed",
        lambda r: r.code == 0)
    edited = write("me30-edited.jsonl", json.dumps({"index": 0, "words": [2]}) + "\n")
    add(k, "ME31 F3: the same run with edited rationales", lambda: cli(*run, edited), "error", "rationales: was")
    report = Path(work) / "me30-audit.json"
    add(k, "ME31 F5: audit --json records its data", lambda: (cli(
        "audit", "--model", tiny_dir, "--data", data, "--limit", "3", "--steps", "2", "--examples", "0", "--json",
        str(report)), json.loads(report.read_text())["settings"]["data"])[1], "ok", "the data's source and SHA-256",
        lambda r: r["source"] == data and len(r["sha256"]) == 64)
    return out


def me33_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22, thirty-second and thirty-third breakers: fine_tune's splits, audit's arguments, read_run of a missing
    folder, QAExample's answers, fine_tune_qa's examples, --version with other words, serve's repeated --model."""
    from faithlens import load_model
    from faithlens.audit import Run, audit
    from faithlens.evaluate import read_run
    from faithlens.qa import QAExample
    from faithlens.training import fine_tune, fine_tune_qa

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22me33 fine_tune splits, audit arguments, QA examples, --version, serve --model twice (32nd/33rd breakers)"
    good = (["a good film", "a bad film"] * 2, [1, 0] * 2)
    for name, split, words in [("a str of texts", ("abc", [0, 1, 0]), "must hold a list of texts"),
                               ("a None text", ([None, "a bad film"], [1, 0]), "Example 0 (counting from 0) is NoneType"),
                               ("an empty text", (["a good film", " "], [1, 0]), "is an empty text"),
                               ("a None label", (["a good film", "a bad film"], [1, None]), "Example 1 has None")]:
        add(k, f"ME33 F1/F2: fine_tune with {name} in validation", lambda split=split: fine_tune(
            base_model=str(tiny_dir), train=good, validation=split, test=([], []), out_dir=Path(work) / "me33-ft",
            label_names=["negative", "positive"], progress=False), "error", words)
    model = load_model(str(tiny_dir))
    texts = ["a good film", "a bad film", "the best movie ever", "dull and boring", "fine acting here"]
    add(k, "ME33 F3: audit('a/path', texts)", lambda: audit(str(tiny_dir), texts, progress=False), "error",
        "must be a loaded model")
    add(k, "ME33 F3: audit with Run('nope')", lambda: audit(model, texts, progress=False, gradient_runs=(Run("nope"),)),
        "error", "Unknown method of a Run 'nope'")
    add(k, "ME33 F6: audit seed=-1", lambda: audit(model, texts, progress=False, seed=-1), "error",
        "'seed' parameter must be an int in [0,")
    add(k, "ME33 F5: read_run of a missing folder", lambda: read_run(Path(work) / "me33-nope"), "error",
        "does not exist")
    add(k, "ME33 F8: QAExample(answers='Bob')", lambda: QAExample(
        id="1", title="t", question="Who ran?", context="Bob ran.", answers="Bob", answer_start=0), "error",
        "Wrap one answer in a list")
    add(k, "ME33 F7: fine_tune_qa(train='sq.json')", lambda: fine_tune_qa(
        base_model=str(tiny_dir), train="sq.json", test=[], out_dir=Path(work) / "me33-qa", progress=False), "error",
        "read_squad(path)")
    add(k, "ME32 note: faithlens --version extra", lambda: cli("--version", "extra"), "error", "--version takes nothing else")
    add(k, "ME32 note: serve --model twice", lambda: cli("serve", "--model", tiny_dir, "--model", tiny_dir), "error",
        "is given twice")
    return out


def me35_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22, thirty-fourth and thirty-fifth breakers: a hand-built Dataset, select/holdout/load_dataset/parse_method
    given the wrong types, a JSON(L) label first given on line 2, two candidate text columns, class indices in --train
    beside label names in --validation."""
    from faithlens.data import Dataset, load_dataset, select
    from faithlens.evaluate import parse_method

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22me35 hand-built Datasets, helpers' types, label columns, mixed label kinds (34th/35th breakers)"
    for name, given, words in [("texts='ab'", dict(texts="ab", labels=(0, 1)), "must be a tuple or list"),
                               ("a None text", dict(texts=("a", None), labels=(0, 1)), "Dataset text 1"),
                               ("labels ('zzz', True)", dict(texts=("a", "b"), labels=("zzz", True)), "Dataset label 0"),
                               ("fewer labels", dict(texts=("a", "b"), labels=(0,)), "2 texts and 1 labels")]:
        add(k, f"ME35 F7: Dataset with {name}", lambda given=given: Dataset(source="x", **given), "error", words)
    d = Dataset(texts=("a", "b"), labels=(0, 1), source="x")
    add(k, "ME35 F9: select(shuffle='no')", lambda: select(d, shuffle="no"), "error", "must be True or False")
    add(k, "ME35 F9: select(seed=-1)", lambda: select(d, shuffle=True, seed=-1), "error", "'seed' parameter must be")
    add(k, "ME35 F10: load_dataset(None)", lambda: load_dataset(None), "error", "a str or path")
    add(k, "ME35 F5: parse_method(None)", lambda: parse_method(None), "error", "A method spec is a str")
    partial = write("me35-partial.jsonl", '{"text": "good"}\n{"text": "bad", "label": 0}\n')
    add(k, "ME35 F11: a JSONL label first given on line 2", lambda: load_dataset(partial), "error",
        "Line 1 of")
    two = write("me35-two.tsv", "sentence\ttext\tlabel\ngood film\tgood\t1\n")
    add(k, "ME35 F12: columns 'sentence' and 'text'", lambda: cli(
        "evaluate", "--model", tiny_dir, "--data", two, "--methods", "occlusion"), "error",
        "2 columns that could be the text")
    digits = write("me34-t.tsv", "sentence\tlabel\n" + "a good film\t1\na bad film\t0\n" * 3)
    words = write("me34-v.tsv", "sentence\tlabel\na good film\tgood\na bad film\tterrible\n")
    add(k, "ME34 F1: train --train indices --validation names", lambda: cli(
        "train", "--train", digits, "--validation", words, "--out", str(Path(work) / "me34-m")), "error",
        "gives label names (good, terrible), but --train")
    add(k, "ME34 note: evaluate --methods random --no-random", lambda: cli(
        "evaluate", "--model", tiny_dir, "--data", digits, "--methods", "random", "--no-random"), "error",
        "--no-random leaves out the random row")
    return out


def csv_written_tsv(path: Path, quoting: str, rows) -> Path:
    """A TSV as Python's csv writer (tab, csv.QUOTE_MINIMAL or csv.QUOTE_ALL) writes ``rows``."""
    import csv

    with path.open("w", newline="") as handle:
        csv.writer(handle, delimiter="\t", lineterminator="\n", quoting=getattr(csv, quoting)).writerows(rows)
    return path


def me37_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22, thirty-sixth and thirty-seventh breakers: TSV files written by a CSV writer (quoted fields, a quoted
    header), single-file outputs over data files of their suffix, train with label names then class indices."""
    from faithlens.data import load_dataset

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22me37 TSVs from CSV writers, outputs over data, mixed label kinds (36th/37th breakers)"
    for quoting in ("QUOTE_MINIMAL", "QUOTE_ALL"):
        path = csv_written_tsv(Path(work) / f"me37-{quoting}.tsv", quoting,
                               [("sentence", "label"), ('a "quoted" film', 1), ("plain", 0)])
        add(k, f"ME36/37 F1: a TSV written with csv.{quoting}", lambda path=path: load_dataset(path).texts, "ok",
            "texts read unquoted", lambda r: r == ('a "quoted" film', "plain"))
    snli = write("me37-snli.jsonl", '{"premise": "a", "hypothesis": "b", "label": "neutral"}\n')
    data = write("me37-d.tsv", "sentence\tlabel\nthe film was good\t1\nthe plot was dull\t0\n")
    add(k, "ME37 F2: rationales sst2 --out over a JSONL data file", lambda: cli(
        "rationales", "sst2", "--train", data, "--data", data, "--out", snli), "error", "holds data")
    words = write("me37-w.tsv", "sentence\tlabel\n" + "a good film\tpositive\na bad film\tnegative\n" * 3)
    add(k, "ME37 F4: train --train names --validation indices", lambda: cli(
        "train", "--train", words, "--validation", data, "--out", str(Path(work) / "me37-m")), "error",
        "gives class indices, but an earlier file gives label names")
    return out


def me38_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22, thirty-seventh (F5, F6) and thirty-ninth breakers: a headerless .tsv from a CSV writer, max_logit with a
    QA answer or an LM continuation, an RMSNorm model's zero baseline (refused naming what works, only for gradient
    methods), the web app's list target on a classifier, an unbuilt default model in the web app."""
    import math

    from tiny import save_tiny

    from faithlens import Explainer
    from faithlens.app import Limits, create_app
    from faithlens.app.inputs import RequestError
    from faithlens.app.models import Models

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22me38 headerless TSVs, max_logit targets, zero baselines, list targets, the unbuilt default (37th/39th breakers)"
    quoted = write("me38-quoted.tsv", '"a ""quoted"" film"\n"plain, and fine"\n')
    add(k, "ME37 F6: explain --file of a headerless .tsv with quoted fields", lambda: cli(
        "explain", "--model", tiny_dir, "--file", quoted, "--method", "occlusion", "--no-faithfulness", "--json"), "ok",
        "texts read unquoted", lambda r: '"text": "a \\"quoted\\" film"' in r.out and '"text": "plain, and fine"' in r.out)
    qa = str(save_tiny(Path(work) / "me38-qa", "bert_qa"))
    lm = str(save_tiny(Path(work) / "me38-llama", "llama_lm"))
    add(k, "ME37 F5: max_logit with a QA --answer", lambda: cli(
        "explain", "--model", qa, "--pair", "what is good?", "the film is good and long", "--answer", "good",
        "--score", "max_logit", "--method", "occlusion"), "error", "a QA model's --answer")
    add(k, "ME37 F5: max_logit with an LM --target-text", lambda: cli(
        "explain", "--model", lm, "the film was", "--target-text", " good", "--score", "max_logit", "--method",
        "occlusion"), "error", "a causal LM's --target-text")
    llama = Explainer(lm)
    pad = llama.model.tokenizer.pad_token_id
    if pad is not None and llama.model.had_pad_token and not bool(llama.model.embedding_matrix[pad].ne(0).any()):
        add(k, "ME39 F2: ig with the zero pad baseline of an RMSNorm model", lambda: llama.explain(
            "the film was good", "ig", steps=4, baseline="pad", target=" fun"), "error", "baseline='eos'")
        add(k, "ME39 F2: occlusion with the same baseline", lambda: llama.explain(
            "the film was good", "occlusion", baseline="pad", target=" fun"), "ok", "finite scores",
            lambda e: all(math.isfinite(s) for s in e.token_scores))
    web = create_app(Explainer(tiny_dir), limits=Limits()).test_client()

    def post(body):
        r = web.post("/api/explain", json=body, headers={"Host": "127.0.0.1:8765"})
        payload = r.get_json(silent=True) or {}
        return {"status": r.status_code, "error": payload.get("error")} if r.status_code >= 400 else {"ok": 200}

    add(k, "ME39 F3: web list target on a classifier", lambda: post({"texts": ["good", "bad"], "target": [0, 1],
                                                                     "method": "occlusion"}), "error",
        "one target for all the texts")
    import faithlens.default_model as dm

    def unbuilt_default():
        was = dm.is_ready
        dm.is_ready = lambda: False  # a machine where the default model is not fine-tuned yet
        try:
            Models(Explainer(tiny_dir), {"default": None}).get("default")
        except RequestError as exc:  # the web app's answer to the request
            return {"status": exc.status, "error": str(exc)}
        finally:
            dm.is_ready = was
    add(k, "ME39 F1: the web app chooses an unbuilt default model", unbuilt_default, "error", "faithlens train-default")
    return out


def me40_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22, fortieth breaker: a quoted tab in a headerless TSV, pandas' other to_json layouts, Hugging Face's SQuAD
    lines and its -1 'no gold label', --score checked as parsed, HEAD on an explanation route, NumPy texts."""
    import json

    import numpy as np
    from tiny import save_tiny

    from faithlens import Explainer
    from faithlens.app import Limits, create_app
    from faithlens.data import load_dataset
    from faithlens.qa import read_squad

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22me40 quoted tabs, pandas JSON, HF SQuAD lines, -1 labels, --score, HEAD, NumPy texts (40th breaker)"
    for quoting in ("QUOTE_MINIMAL", "QUOTE_ALL"):
        path = csv_written_tsv(Path(work) / f"me40-{quoting}.tsv", quoting, [("a\ttabbed film",), ("plain",)])
        add(k, f"ME40 F1: explain --file of a headerless TSV ({quoting}) with a quoted tab", lambda path=path: cli(
            "explain", "--model", tiny_dir, "--file", str(path), "--method", "occlusion", "--no-faithfulness", "--json"),
            "ok", "the tab stays in its text: two single texts", lambda r: r.code == 0 and r.out.count('"text": ') == 2
            and '"text": "a\\ttabbed film"' in r.out)
    rows = [{"premise": "a man sleeps", "hypothesis": "a man rests", "label": 0},
            {"premise": "a dog runs", "hypothesis": "a cat runs", "label": 2}]
    layouts = {"columns": {c: {str(i): r[c] for i, r in enumerate(rows)} for c in rows[0]},
               "split": {"columns": list(rows[0]), "index": [0, 1], "data": [list(r.values()) for r in rows]},
               "table": {"schema": {"fields": [{"name": "index"}]}, "data": [dict(index=i, **r) for i, r in enumerate(rows)]}}
    for orient, body in layouts.items():
        path = write(f"me40-{orient}.json", json.dumps(body))
        add(k, f"ME40 N: a pandas to_json(orient='{orient}') file", lambda path=path: load_dataset(path), "error",
            "orient='records', lines=True")
    squad = [{"id": "1", "title": "t", "context": "Bob ran home.", "question": "Who ran?",
              "answers": {"text": ["Bob"], "answer_start": [0]}}]
    good = write("me40-squad.jsonl", json.dumps(squad[0]) + "\n")
    add(k, "ME40 N: Hugging Face SQuAD lines for train --task qa", lambda: read_squad(good), "ok", "one question, Bob at 0",
        lambda r: [(q.answers, q.answer_start) for q in r] == [(("Bob",), 0)])
    bad = write("me40-squad-bad.jsonl", json.dumps(dict(squad[0], answers={"text": ["Bob"], "answer_start": [4]})) + "\n")
    add(k, "ME40 N: Hugging Face SQuAD line with a wrong answer_start", lambda: read_squad(bad), "error",
        "is not at answer_start 4")
    nli = str(save_tiny(Path(work) / "me40-nli", "bert", num_labels=3))
    unlabelled = write("me40-snli.jsonl", '{"premise": "a man", "hypothesis": "a dog", "label": -1}\n')
    add(k, "ME40 N: SNLI's -1 (no gold label) in evaluate --data", lambda: cli(
        "evaluate", "--model", nli, "--data", unlabelled, "--methods", "occlusion"), "error",
        "x['label'] != -1")
    for command in (("audit",), ("evaluate",), ("facade", "saliency")):
        add(k, f"ME40 N: {' '.join(command)} --score Logit", lambda command=command: cli(
            *command, "--model", tiny_dir, "--score", "Logit"), "error", "argument --score: invalid choice: 'Logit'")
    ex = Explainer(tiny_dir)
    web = create_app(ex, limits=Limits()).test_client()

    def head():
        r = web.head("/api/explain?text=good+film&method=occlusion", headers={"Host": "127.0.0.1:8765"})
        return {"status": r.status_code, "error": "HEAD is not answered" if r.headers.get("Allow") == "GET, POST" else ""}
    add(k, "ME39 N9: HEAD on /api/explain", head, "error", "HEAD is not answered")
    llama = Explainer(str(save_tiny(Path(work) / "me40-llama", "llama_lm")))
    pad = llama.model.tokenizer.pad_token_id
    if pad is not None and not bool(llama.model.embedding_matrix[pad].ne(0).any()):
        for method in ("saliency", "grad_x_input"):
            add(k, f"ME40 F4: {method} with an RMSNorm model's zero pad baseline (read by the faithfulness check only)",
                lambda method=method: llama.explain("the film was good", method, baseline="pad", target=" fun",
                                                    faithfulness=True, n_random=2), "ok", "finite scores and Comp",
                lambda e: all(map(np.isfinite, e.token_scores)) and np.isfinite(e.faithfulness["comp"]))
    add(k, "ME39 N5: a NumPy array of texts", lambda: ex.explain(np.array(["good film", "bad film"]), "occlusion",
                                                                 faithfulness=False), "ok", "plain str texts",
        lambda r: [type(e.text) for e in r] == [str, str])
    return out


def me44_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22, forty-fourth and forty-fifth breakers: audit runs of the wrong kind and long texts, load_model's
    settings, swapped columns, a format against a file's name, curves on resume, --answer-span, SIG's closed form under
    a zero baseline, an underdetermined KernelSHAP fit, column options on SQuAD, unread columns, view flags as str."""
    import json
    import math

    import torch
    from tiny import save_tiny

    from faithlens import Explainer, load_model, metrics
    from faithlens.audit import Run, audit
    from faithlens.data import Dataset, load_dataset
    from faithlens.evaluate import evaluate

    out: list[Case] = []
    add = lambda kind, name, run, expect, words="", check=None: out.append(Case(kind, name, run, expect, words, check))  # noqa: E731
    k = "22me44 audit runs and long texts, load settings, swapped columns, curves, answer spans, zero SIG, KernelSHAP fit (44th/45th breakers)"
    model = load_model(tiny_dir)
    texts = ["good fun film", "a bad movie", "the plot is thin", "great acting here", "boring and slow"]
    for kw, words in ((dict(gradient_runs=[]), "gradient_runs is empty"),
                      (dict(gradient_runs=["occlusion"]), "read(s) no gradients"),
                      (dict(output_runs=["saliency"]), "output_runs lists saliency"),
                      (dict(output_runs=["shapley"]), "output_runs must hold Run('occlusion')"),
                      (dict(gradient_runs=[Run("ig", steps=3, spec="occlusion")]), "must name its method 'ig'"),
                      (dict(gradient_runs=[Run("smoothgrad", options=(("bogus", 1),))]), "has no setting 'bogus'"),
                      (dict(classes=["stop_words", "stop_words"]), "twice")):
        add(k, f"ME44 F1/F2: audit({', '.join(f'{a}={b!r}' for a, b in kw.items())})",
            lambda kw=kw: audit(model, texts, steps=2, progress=False, **kw), "error", words)
    long = texts + ["good " * 80]
    add(k, "ME44 F3: audit of a text past the model's limit", lambda: audit(model, long, steps=2, progress=False),
        "error", "truncate=True")
    add(k, "ME44 F3: audit(truncate=True) counts it", lambda: audit(model, long, steps=2, progress=False, truncate=True),
        "ok", "settings['truncated'] == 1", lambda r: r.settings["truncated"] == 1)
    for kw, words in ((dict(dtype=torch.int32), "'dtype' parameter"), (dict(device_map="bogus"), "'device_map' parameter")):
        add(k, f"ME44 F5: load_model({kw})", lambda kw=kw: load_model(tiny_dir, **kw), "error", words)
    add(k, "ME44 F9: load_model(a loaded model)", lambda: load_model(model), "error", "already loaded")
    sst = write("me44-sst.tsv", "sentence\tlabel\na charming film .\t1\nbleak and dull\t0\n")
    add(k, "ME44 F4: swapped text/label columns", lambda: load_dataset(sst, text_column="label", label_column="sentence"),
        "error", "look swapped")
    add(k, "ME44 F8: format='csv' on a .tsv", lambda: load_dataset(sst, format="csv"), "error",
        "the format was given as csv")
    data = Dataset(("a good film", "a bad film", "the plot was dull"), (1, 0, 0), source="d")
    run = str(Path(work) / "me44-run")

    def resumed():
        evaluate(model, data, methods=["occlusion"], out=run, curves=metrics.AOPC_FRACTIONS, progress=False)
        return evaluate(model, data, methods=["occlusion"], out=run, progress=False)
    add(k, "ME44 F7: a curves run resumed in Python without curves", resumed, "error", "curves=metrics.AOPC_FRACTIONS")
    qa = str(save_tiny(Path(work) / "me44-qa", "bert_qa"))
    pair = ["where is it?", "it is here and it is there"]
    add(k, "ME45: --answer-span picks one of two occurrences", lambda: cli(
        "explain", "--model", qa, "--pair", *pair, "--answer-span", "15", "17", "--method", "occlusion", "--json"), "ok",
        "runs", lambda r: r.code == 0)
    add(k, "ME45: --answer-span reversed", lambda: cli(
        "explain", "--model", qa, "--pair", *pair, "--answer-span", "17", "15", "--method", "occlusion"), "error",
        "reversed")
    squad = write("me44-squad.json", json.dumps({"data": [{"title": "t", "paragraphs": [{"context": "Paris is in France.",
              "qas": [{"id": "1", "question": "Where?", "answers": [{"text": "France", "answer_start": 12}]}]}]}]}))
    add(k, "ME45 F3: --text-column on a SQuAD file", lambda: cli(
        "evaluate", "--model", qa, "--data", squad, "--text-column", "nope", "--methods", "occlusion"), "error",
        "whose fields are fixed")
    llama = Explainer(str(save_tiny(Path(work) / "me44-llama", "llama_lm")))
    add(k, "ME45 F6: SIG's closed form with a zero baseline on an RMSNorm model", lambda: llama.explain(
        "hi there", "sig", baseline="zero", target=" x", faithfulness=False), "ok", "finite scores",
        lambda e: all(math.isfinite(x) for x in e.token_scores))
    add(k, "ME45 F7: kernel_shap with 3 samples on 6 words", lambda: llama.explain(
        "the cat sat on a mat", "kernel_shap", n_samples=3, target=" x"), "error", "cannot determine")
    nli = write("me44-nli.jsonl", '{"premise": "a man", "hypothesis": "a person", "text": "x", "label": 1}\n')

    def warned():
        import warnings

        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            load_dataset(nli)
        return {"ok": 200, "said": " ".join(str(w.message) for w in seen)}
    add(k, "ME45 F8: evaluate's reader names a column it does not read", warned, "ok", "the column 'text' is not read",
        lambda r: "the column 'text' is not read" in r["said"])
    c = Explainer(model).compare("good movie", methods=["occlusion"], faithfulness=False)
    add(k, "ME44 F12: to_terminal(bars='no')", lambda: c.to_terminal(bars="no"), "error", "always true")
    add(k, "ME44 F11: to_html(title=None)", lambda: c.to_html(title=None), "error", "'title' parameter")
    k46 = "22me46 spec labels, word-label swaps, list labels, Python method specs, regularise on QA, audit baselines (46th breaker)"
    for labelled, words in ((Run("ig", spec="ig:steps=5"), "own settings differ"),
                            (Run("smoothgrad", spec="smoothgrad:noise=0.5"), "own settings differ")):
        add(k46, f"ME46 F2: audit with {labelled!r}", lambda labelled=labelled: audit(
            model, texts, steps=2, progress=False, gradient_runs=[labelled]), "error", words)
    words_tsv = write("me46-words.tsv", "sentence\tlabel\na charming and affecting journey .\tpositive\n"
                                        "bleak and desperate film .\tnegative\nfunny and warm all along\tpositive\n")
    add(k46, "ME46 F3: swapped columns with word labels", lambda: load_dataset(
        words_tsv, text_column="label", label_column="sentence"), "error", "look swapped")
    hot = write("me46-hot.jsonl", '{"text": "good film", "labels": "1,0,1"}\n{"text": "bad film", "labels": "0,1,0"}\n')
    add(k46, "ME46 F4: a multi-hot label written as a string", lambda: load_dataset(hot), "error", "a list of numbers")
    ex = Explainer(model)
    add(k46, "ME46 F5: explain('sig:closed') in Python", lambda: ex.explain("great fun", "sig:closed"), "error",
        "mode='closed'")
    add(k46, "ME46 F6: facade regularise on a QA model", lambda: cli(
        "facade", "regularise", "--model", qa, "--data", sst, "--out", str(Path(work) / "me46-reg")), "error",
        "fine-tunes classifiers")
    llama_model = llama.model
    add(k46, "ME46 F1: audit a LLaMA model whose pad row is zero", lambda: audit(
        llama_model, texts, steps=2, progress=False), "ok", "audited with a baseline it has",
        lambda r: r.settings["baseline"] in ("pad", "eos", "unk"))
    k47 = "22me47 phrase-label swaps, per-run audit steps, beats-random in a batch, a baseline the model lacks (47th breaker)"
    phrases = write("me47-phrases.tsv", "sentence\tlabel\nit is a charming journey\tpositive\nbleak and desperate\t"
                                        "negative\nwonderful film\tpositive\nawful mess\tnegative\n")
    add(k47, "ME47 F1: swapped columns with short phrase labels", lambda: cli(
        "train", "--base", tiny_dir, "--train", phrases, "--text-column", "label", "--label-column", "sentence", "--out",
        str(Path(work) / "me47-train")), "error", "look swapped")
    add(k47, "ME47 F5: an audit run's own steps in the report", lambda: audit(
        model, texts, steps=2, progress=False, gradient_runs=[Run("ig", steps=3)]), "ok", "IG/SIG steps = ig 3",
        lambda r: "IG/SIG steps = ig 3" in r.to_markdown())
    text = "a hideous, confusing spectacle of a film"
    add(k47, "ME47 F3: beats-random alone and in a batch", lambda: (
        ex.explain(text, "sig", faithfulness=True), ex.explain([text, "the plot was thin and dull", "good"], "sig",
                                                                faithfulness=True)[0]), "ok", "the same count",
        lambda r: r[0].faithfulness["beats_random"] == r[1].faithfulness["beats_random"])
    add(k47, "ME47 F4: evaluate --baseline eos on a model without one", lambda: cli(
        "evaluate", "--model", tiny_dir, "--data", sst, "--baseline", "eos", "--methods", "ig"), "error",
        "--baseline mask")
    return out


def me48_cases(work, tiny_dir, write) -> list[Case]:
    """Issue 22, forty-eighth breaker and the notes left from earlier ones: texts with no stop word in facade saliency,
    a refused text named by its place (line, argument, row; its place in the call, not its batch), invisible-only lines,
    an empty rationale file, a spec's own steps, an output path ending in '/', return_attributions without gradients,
    Explainer.batch's chunk size, a causal LM's --file target column, a contrast refusal in a batch."""
    import warnings

    from tiny import save_tiny

    from faithlens import Explainer

    out: list[Case] = []
    add = lambda name, run, expect, words="", check=None: out.append(Case(  # noqa: E731
        "22me48 stop-word-free saliency data, refusals named by place, empty rationales, spec steps (48th breaker)",
        name, run, expect, words, check))
    none = write("me48-none.tsv", "text\tlabel\n!!!\tpositive\n\U0001F600\U0001F600\tnegative\n")
    mixed = write("me48-mixed.tsv", "text\tlabel\nthe film is a bore\tnegative\n!!!\tpositive\n")
    add("ME48 F1: facade saliency on texts without a stop word", lambda: cli(
        "facade", "saliency", "--model", tiny_dir, "--data", none, "--methods", "sig:closed"), "error", "holds a stop word")

    def mixed_run():
        from faithlens.audit.manipulation import saliency_manipulation
        from faithlens.model import load_model

        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            result = saliency_manipulation(load_model(tiny_dir), ["the film is a bore", "!!!"], runs=["occlusion"],
                                           progress=False)
        return dict(result, said=" ".join(str(w.message) for w in seen))
    add("ME48 F1: facade saliency with some texts without a stop word", mixed_run, "ok", "1 of 2 with a target, said",
        lambda r: r["with_target"] == 1 and "hold no stop word" in r["said"])
    long = " ".join(["word"] * 200)
    first_long = write("me48-first-long.txt", f"{long}\ngood film\n\nok then\n")
    add("ME48 N2: a long first line among short ones", lambda: cli(
        "explain", "--file", first_long, "--model", tiny_dir, "--method", "occlusion"), "error", "Line 1 of --file")
    add("ME48 N2: a long second TEXT argument", lambda: cli(
        "explain", "fine", long, "--model", tiny_dir, "--method", "occlusion"), "error", "TEXT argument 2 has 202")
    add("ME48 N2: a long text on standard input", lambda: cli(
        "explain", "fine", "-", "--model", tiny_dir, "--method", "occlusion", stdin=f"ok\n{long}\n"), "error",
        "Line 2 of standard input")
    zwj = write("me48-zwj.txt", "good film\n\u200d\nbad film\n")
    add("ME48 N2: a line of zero-width characters", lambda: cli(
        "explain", "--file", zwj, "--model", tiny_dir, "--method", "occlusion"), "error", "Line 2 of --file")
    ex = Explainer(tiny_dir)
    add("ME48: a long text first in a Python call of batch_size 1", lambda: ex.explain(
        [long, "ok", "fine"], "occlusion", batch_size=1), "error", "Text 0 has 202 tokens")
    train = write("me48-train.tsv", "sentence\tlabel\ndreadful\t0\nsplendid\t1\n")
    dev = write("me48-dev.tsv", "sentence\tlabel\na plain story\t1\nsplendid work\t0\n")
    add("ME48 N5: rationales with no sentence to mark", lambda: cli(
        "rationales", "sst2", "--train", train, "--data", dev, "--out", str(Path(work) / "me48-r.jsonl")), "error",
        "No sentence of --data")
    add("ME48 N8: --steps beside ig:steps=2", lambda: cli(
        "facade", "saliency", "--model", tiny_dir, "--data", mixed, "--methods", "ig:steps=2", "--steps", "2"), "error",
        "drop the steps from ig:steps=2")
    add("ME48 N4: --html ending in '/'", lambda: cli(
        "explain", "good", "--model", tiny_dir, "--method", "occlusion", "--html", str(Path(work) / "me48-a.html") + "/"),
        "error", "ends in '/'")
    add("ME48 N3: special strings in a pair", lambda: ex.explain(("a man [SEP] sleeps", "a man rests"), "occlusion"),
        "ok", "no advice to pass a pair", lambda e: not any("--pair" in w for w in e.warnings))
    add("known: return_attributions with occlusion", lambda: ex.explain("good film", "occlusion", return_attributions=True),
        "ok", "said in warnings", lambda e: any("return_attributions" in w for w in e.warnings))
    add("known: Explainer.batch(rows_per_chunk=0)", lambda: ex.batch(["good film"], rows_per_chunk=0), "error",
        "'rows_per_chunk' parameter")
    targets = [e.target["label"] for e in ex.explain(["good film", "bad film", "ok"], "occlusion")]
    if "negative" in targets:
        add("known: a contrast that is one text's target, in a batch", lambda: ex.explain(
            ["good film", "bad film", "ok"], "occlusion", contrast="negative"), "error", "is the target itself (text")
    lm = str(save_tiny(Path(work) / "me48-lm", "gpt2_lm"))
    lm_file = write("me48-lm.tsv", "text\ttarget\nThe capital of France is\t Paris\n")

    def lm_run():
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            result = cli("explain", "--file", lm_file, "--model", lm, "--method", "occlusion", "--no-faithfulness")
        return {"ok": result.code == 0, "said": " ".join(str(w.message) for w in seen) + result.err}
    add("known: a causal LM's --file with a target column", lm_run, "ok", "the column is said to be unread",
        lambda r: r["ok"] and "the column 'target' is not read" in r["said"])
    out += _me49_cases(work, tiny_dir, write, lm)
    return out


def _me49_cases(work, tiny_dir, write, lm) -> list[Case]:
    """Issue 22, forty-ninth breaker: a causal LM's long texts in audit, a --token-class word that is also a file,
    every serve --model checked at start, two specs of one computation, a class few texts hold, no examples."""
    import os

    from faithlens.audit import audit
    from faithlens.audit.ids import refuse_long_texts
    from faithlens.model import load_model

    out: list[Case] = []
    add = lambda name, run, expect, words="", check=None: out.append(Case(  # noqa: E731
        "22me49 causal LM truncation in audit, a word that is a file, serve's models, same-run specs (49th breaker)",
        name, run, expect, words, check))
    long = " ".join(["word"] * 100)
    lm_model = load_model(lm)
    add("ME49 F1: audit a causal LM's long texts", lambda: refuse_long_texts(lm_model, [long, "the cat sat"], truncate=False),
        "error", "audit their last tokens")
    data = write("me49-texts.txt", "the movie was fine\na film of note\nthe plot of it\nthe end is near\n"
                                   "a long day here\nthe story is long\n")
    folder = Path(work) / "me49-cwd"
    folder.mkdir(exist_ok=True)
    (folder / "movie").write_text("the\n")

    def word_and_file():
        here = os.getcwd()
        os.chdir(folder)
        try:
            return cli("audit", "--model", tiny_dir, "--data", data, "--steps", "2", "--token-class", "movie")
        finally:
            os.chdir(here)
    add("ME49 F2: --token-class movie beside a file named movie", word_and_file, "error", "reads two ways")
    add("ME49 F3: serve with a second --model that does not exist", lambda: cli(
        "serve", "--model", tiny_dir, "--model", str(Path(work) / "me49-nope"), "--port", "0"), "error", "no such folder")
    add("ME49 N: evaluate --methods ig:steps=50 ig", lambda: cli(
        "evaluate", "--model", tiny_dir, "--data", data, "--methods", "ig:steps=50", "ig"), "error",
        "run the same computation")
    model = load_model(tiny_dir)
    texts = ["the movie was fine", "a film of note", "the plot of it", "the end is near", "a long day here",
             "the story is long"]
    add("ME49 N: a token class only one text holds", lambda: audit(
        model, texts, steps=2, progress=False, n_examples=0, classes=["stop_words", frozenset({"movie"})]), "ok",
        "not called clean; no examples section", lambda r: "Too few texts hold" in r.verdict
        and "## Examples" not in r.to_markdown())
    out += _me50_cases(work, tiny_dir, model)
    return out


def _me50_cases(work, tiny_dir, model) -> list[Case]:
    """Issue 22, fiftieth breaker: faithfulness of a non-predicted target, an audit of no (or untestable) classes, empty
    facade/saliency inputs, agreement across label sets, another model's explanations, faithfulness's own arguments."""
    import torch
    from tiny import save_tiny

    from faithlens import Explainer
    from faithlens.audit import agreement, audit, saliency_manipulation, train_facade
    from faithlens.encoding import encode
    from faithlens.metrics import explanation_faithfulness, faithfulness, scores_on_encoding
    from faithlens.model import load_model

    out: list[Case] = []
    add = lambda name, run, expect, words="", check=None: out.append(Case(  # noqa: E731
        "22me50 faithfulness of a chosen target, audit classes, facade inputs, model mismatches (50th breaker)",
        name, run, expect, words, check))
    ex = Explainer(model)
    text = "the movie was really good and fun to watch"
    other = 1 - int(ex.explain(text, "occlusion").target["index"])
    enc = encode(model, [text])

    def on_target():
        e = ex.explain(text, "occlusion", target=other, faithfulness=True, n_random=0)
        own = faithfulness(model, enc, scores_on_encoding(enc, [e.token_scores]), baseline="mask",
                           target=torch.tensor([[other]]))
        return e.faithfulness["comp"], float(own.comprehensiveness[0])
    add("ME50 F1: Comp of a target that is not the prediction", on_target, "ok", "measured on the target's class",
        lambda r: abs(r[0] - r[1]) < 1e-6)
    texts = ["the movie was good.", "a bad movie, truly.", "I liked the movie a lot"] * 2
    add("ME50 F2: audit(classes=())", lambda: audit(model, texts, classes=(), steps=2, progress=False), "error",
        "classes is empty")
    add("ME50 F2: audit of a class too few texts hold", lambda: audit(
        model, texts, classes=["punctuation"], steps=2, progress=False, n_examples=0), "ok", "inconclusive",
        lambda r: r.level == "inconclusive")
    add("ME50 F3: train_facade with no held-out texts", lambda: train_facade(
        model, ["the film", "a bore"], [], out_dir=Path(work) / "me50-f"), "error", "heldout_texts is empty")
    add("ME50 F9: saliency_manipulation(runs=[])", lambda: saliency_manipulation(model, ["the film"], runs=[],
                                                                                  progress=False), "error", "runs is empty")
    nli = load_model(str(save_tiny(Path(work) / "me50-nli", "bert", num_labels=3)))
    add("ME50 F5: agreement of models with other labels", lambda: agreement(model, nli, ["the film"]), "error",
        "class by class")
    roberta = load_model(str(save_tiny(Path(work) / "me50-roberta", "roberta")))
    e = ex.explain("the film was fine", "occlusion")
    add("ME50 F6: another model's explanations in the metrics", lambda: explanation_faithfulness(
        roberta, [e], baseline="mask"), "error", "was made by the model")
    add("ME50 F10: faithfulness(rows_per_chunk=0)", lambda: faithfulness(
        model, enc, torch.ones(enc.input_ids.shape), baseline="mask", rows_per_chunk=0), "error", "rows_per_chunk")
    add("ME50 F10: NaN token scores", lambda: faithfulness(
        model, enc, torch.full(enc.input_ids.shape, float("nan")), baseline="mask"), "error", "NaN or infinite")
    out += _me51_cases(work, model, ex, enc, roberta)
    return out


def _me51_cases(work, model, ex, enc, other_model) -> list[Case]:
    """Issue 22, the fiftieth breaker's remaining findings: views of several texts or models, max_memory, hand-built
    baselines, metric shapes, train_facade arguments, continuations, a file read with a split."""
    import torch

    from faithlens import Explainer, load_model, metrics
    from faithlens.audit import FacadeSettings, train_facade
    from faithlens.baselines import Baseline
    from faithlens.data import load_dataset
    from faithlens.views import render_html, render_terminal

    out: list[Case] = []
    add = lambda name, run, expect, words="", check=None: out.append(Case(  # noqa: E731
        "22me51 views, load settings, baselines, metric shapes, facade arguments (50th breaker, rest)",
        name, run, expect, words, check))
    a, b = ex.explain("the film was fine", "occlusion"), ex.explain("a bore", "occlusion")
    c = ex.explain("the film was fine", "ig", steps=2)
    o = Explainer(other_model).explain("the film was fine", "occlusion")
    add("ME51 F7: render_terminal of two texts", lambda: render_terminal([a, b], colour=False), "error", "differ in text")
    add("ME51 F7: render_html of two models in one group", lambda: render_html([[a, o]]), "error", "differ in model")
    add("ME51 F7: render_terminal of one text, two methods", lambda: render_terminal([a, c], colour=False), "ok",
        "one header", lambda r: r.count("prediction:") == 1)
    add("ME51 F7: render_terminal([])", lambda: render_terminal([]), "error", "empty list")
    add("ME51 F7: render_terminal(explanation)", lambda: render_terminal(a), "error", "Pass [explanation]")
    add("ME51 F8: max_memory not a size", lambda: load_model(model.name, device_map="auto", max_memory={"cpu": "lots"}),
        "error", "is not a size")
    add("ME51 F8: max_memory without device_map", lambda: load_model(model.name, max_memory={"cpu": "1GiB"}), "error",
        "without device_map")
    add("ME51 F10: Baseline('junk', 4, None)", lambda: Baseline("junk", 4, None), "error", "is not one of")
    add("ME51 F10: Baseline('mask', -1, None)", lambda: Baseline("mask", -1, None), "error", "int ≥ 0")
    add("ME51 F10: a baseline id past the vocabulary", lambda: metrics.faithfulness(
        model, enc, torch.ones(enc.input_ids.shape), baseline=Baseline("mask", 99999, "[MASK]")), "error",
        "not in the vocabulary")
    add("ME51 F10: comprehensiveness of (B,1) and (B,)", lambda: metrics.comprehensiveness(
        p_original=torch.rand(3, 1), p_deleted=torch.rand(3)), "error", "one shape")
    add("ME51 F10: top_k_count of a negative count", lambda: metrics.top_k_count(torch.tensor([-3]), fraction=0.5),
        "error", "counts ≥ 0")
    texts = ["the movie was good.", "a bad movie, truly.", "I liked the movie a lot", "the movie is weak"]
    quick = FacadeSettings(steps=1, eval_every=1, heldout=2, batch_size=2)
    add("ME51 F10: train_facade(overwrite='yes')", lambda: train_facade(
        model, texts, texts[:2], out_dir=Path(work) / "me51-f", settings=quick, overwrite="yes", progress=False),
        "error", "True or False")
    add("ME51 F10: train_facade(settings={...})", lambda: train_facade(
        model, texts, texts[:2], out_dir=Path(work) / "me51-f", settings={"steps": 1}, progress=False), "error",
        "FacadeSettings(**d)")
    add("ME51 F10: train_facade of a model name", lambda: train_facade(
        model.name, texts, texts[:2], out_dir=Path(work) / "me51-f", settings=quick, progress=False), "error",
        "loaded model")
    (Path(work) / "me51.csv").write_text("text,label\ngood,1\nbad,0\n")
    add("ME51 F10: train_facade(out_dir=a file)", lambda: train_facade(
        model, texts, texts[:2], out_dir=Path(work) / "me51.csv", settings=quick, progress=False), "error",
        "is a file; expected a folder")
    add("ME51 F10: encode(truncate='yes')", lambda: metrics.encode(model, ["a b"], truncate="yes"), "error",
        "True or False")
    add("ME51 N4: load_dataset(file, split='train')", lambda: load_dataset(str(Path(work) / "me51.csv"), split="train"),
        "error", "read whole")
    add("ME51 N5: load_dataset('')", lambda: load_dataset(""), "error", "empty name")
    out += _me52_cases(work, model, ex, enc)
    return out


def _me52_cases(work, model, ex, enc) -> list[Case]:
    """Issue 22, the fifty-first breaker: a swapped merge, another model's explanations of the same tokens, a
    faithfulness target that is no class, a GPU this machine lacks, a k = 0 curve point, a token baseline's name."""
    import torch
    from tiny import save_tiny, save_tiny_facade

    from faithlens import load_model, metrics
    from faithlens.audit import merge_models
    from faithlens.baselines import Baseline

    out: list[Case] = []
    add = lambda name, run, expect, words="", check=None: out.append(Case(  # noqa: E731
        "22me52 merges, other models, metric targets, device maps (51st breaker)", name, run, expect, words, check))
    target_folder = save_tiny(Path(work) / "me52-t", "bert")
    target = load_model(str(target_folder))
    facade = load_model(str(save_tiny_facade(Path(work) / "me52-g", target_folder)))
    add("ME52: merge_models(facade, target) swapped", lambda: merge_models(facade, target), "error",
        "target model first")
    add("ME52: merge_models(target, a model that is no facade)", lambda: merge_models(target, model), "error",
        "is not a facade")
    three = load_model(str(save_tiny(Path(work) / "me52-3", "bert", num_labels=3)))
    e = ex.explain("the film was fine and good", "occlusion")
    add("ME52: explanation_faithfulness of another model of the same tokens", lambda: metrics.explanation_faithfulness(
        three, [e], baseline="mask"), "error", "was made by the model")
    for bad in (torch.tensor([[0.5]]), torch.tensor([[5]]), torch.tensor([0]), 0):
        add(f"ME52: faithfulness(target={bad!r})", lambda bad=bad: metrics.faithfulness(
            model, enc, torch.ones(enc.input_ids.shape), baseline="mask", target=bad), "error", "class indices")
    if not torch.cuda.is_available():
        add("ME52: load_model(device_map='cuda:0') without a GPU", lambda: load_model(model.name, device_map="cuda:0"),
            "error", "no CUDA GPU")
    add("ME52: Baseline('token', 4, None)", lambda: Baseline("token", 4, None), "error", "names its vocabulary entry")
    short = metrics.encode(model, ["a good film"])
    add("ME52 F2: faithfulness of a text with k = 0", lambda: metrics.faithfulness(
        model, short, torch.ones(short.input_ids.shape), baseline="mask"), "ok", "NaN, not a 0 averaged in",
        lambda r: int(r.k[0]) == 0 and bool(torch.isnan(r.sufficiency).all()))
    (Path(work) / "me52.tsv").write_text("text\nthe movie was good\na bad movie\n")
    add("ME52 F1: audit --html named as its own plot", lambda: cli(
        "audit", "--model", model.name, "--data", str(Path(work) / "me52.tsv"), "--steps", "2", "--markdown",
        str(Path(work) / "me52-o" / "r.md"), "--html", str(Path(work) / "me52-o" / "r_shares.png")), "error",
        "name of a plot")
    long = "x" * 300
    add("ME52: explain --html of a name too long for the system", lambda: cli(
        "explain", "good film", "--model", model.name, "--method", "occlusion", "--html", f"{long}.html"), "error",
        "too long for this system")
    out += _me53_cases(work, model)
    return out


def _me53_cases(work, model) -> list[Case]:
    """Issue 22, the fifty-second breaker: a text past csv's field limit, FAITHLENS_HOME with a space, rationales of a
    pair file, a resume with another batch size."""
    import json
    import os

    from faithlens.cache_home import cache_root
    from faithlens.data import Dataset
    from faithlens.evaluate import evaluate

    out: list[Case] = []
    add = lambda name, run, expect, words="", check=None: out.append(Case(  # noqa: E731
        "22me53 long fields, cache home, rationale files, resumed batches (52nd breaker)", name, run, expect, words,
        check))
    long = "bad " * 50_000
    (Path(work) / "me53.txt").write_text(f"good film\n{long}\n")
    add("ME53 F1: explain --file with a 200 kB line", lambda: cli(
        "explain", "--model", model.name, "--method", "occlusion", "--file", str(Path(work) / "me53.txt"), "--truncate",
        "--no-faithfulness", "--json"), "ok", "two explanations", lambda r: r.code == 0 and len(r.out.splitlines()) == 2)
    (Path(work) / "me53.tsv").write_text(f"sentence\tlabel\ngood film\t1\n{long}\t0\n")
    add("ME53 F2: evaluate --data with a 200 kB text", lambda: cli(
        "evaluate", "--model", model.name, "--data", str(Path(work) / "me53.tsv"), "--methods", "occlusion",
        "--truncate"), "ok", "runs", lambda r: r.code == 0)

    def spaced_home():
        was = os.environ.get("FAITHLENS_HOME")
        os.environ["FAITHLENS_HOME"] = f" {work}/me53-home"
        try:
            return cache_root()
        finally:
            os.environ.pop("FAITHLENS_HOME") if was is None else os.environ.__setitem__("FAITHLENS_HOME", was)
    add("ME53 F4: FAITHLENS_HOME with a leading space", spaced_home, "error", "white space")
    snli = Path(work) / "me53-snli.jsonl"
    snli.write_text(json.dumps({"premise": "a great film", "hypothesis": "it is awful", "label": "neutral"}) + "\n")
    phrases = Path(work) / "me53-phrases.tsv"
    phrases.write_text("sentence\tlabel\ngreat\t1\nawful\t0\n")
    add("ME53 F3: rationales sst2 --data of SNLI pairs --polarity any", lambda: cli(
        "rationales", "sst2", "--train", str(phrases), "--data", str(snli), "--polarity", "any", "--out",
        str(Path(work) / "me53-r.jsonl")), "error", "holds pairs of texts")
    data = Dataset(("good film here", "a bad plot", "fine acting", "dull"), (1, 0, 1, 0), source="me53")
    run = Path(work) / "me53-run"

    def resumed():
        import warnings

        evaluate(model, data, methods=["grad_x_input"], out=run, progress=False, stop_after=2, batch_size=2)
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            evaluate(model, data, methods=["grad_x_input"], out=run, progress=False, batch_size=3)
        return [str(w.message) for w in seen]
    add("ME53 N1: evaluate resumed with another batch size", resumed, "ok", "said: records agree to float rounding",
        lambda r: any("began with a batch size of 2" in m for m in r))
    add("ME53 (53rd breaker): shapley with one permutation", lambda: cli(
        "explain", "the movie was really good and fun", "--model", model.name, "--method", "shapley", "--samples", "1"),
        "ok", "sampling error unknown, warned", lambda r: r.code == 0 and "no measurable sampling error" in r.out + r.err)
    (Path(work) / "me54.tsv").write_text("sentence\tlabel\nfine\t1\nthe movie was really good and fun\t1\na bad plot\t0\n")
    add("ME54 (53rd breaker F1): evaluate of inexact specs", lambda: cli(
        "evaluate", "--model", model.name, "--data", str(Path(work) / "me54.tsv"), "--methods", "ig:steps=1",
        "shapley:n_samples=1"), "ok", "warned per method", lambda r: r.code == 0
        and "ig:steps=1: its scores' completeness gap exceeds" in r.err and "could not be measured" in r.err)
    add("ME54 (53rd breaker F3): evaluate lime:n_samples=1", lambda: cli(
        "evaluate", "--model", model.name, "--data", str(Path(work) / "me54.tsv"), "--methods", "lime:n_samples=1"),
        "error", "lime:n_samples=50 or more in --methods")
    out += _me55_cases(work, model)
    return out


def _me55_cases(work, model) -> list[Case]:
    """Issue 22, the fifty-third breaker: LIME with fewer coalitions than words, an undetermined fit refused only after
    other methods' records, the shuffle a Python run records, definitions and token sums labelled exact."""
    import json

    from faithlens import Explainer
    from faithlens.data import Dataset, select
    from faithlens.evaluate import evaluate
    from faithlens.views.parts import delta_text

    out: list[Case] = []
    add = lambda name, run, expect, words="", check=None: out.append(Case(  # noqa: E731
        "22me55 undetermined fits, recorded shuffles, exactness labels (53rd breaker)", name, run, expect, words, check))
    data = Path(work) / "me54.tsv"
    add("ME55 F2: explain lime --samples 3 on 12 words", lambda: cli(
        "explain", "a truly wonderful and moving film that never gets boring or slow", "--model", model.name,
        "--method", "lime", "--samples", "3", "--no-faithfulness"), "error",
        "lime with 3 samples cannot determine the scores of its 12 words")
    add("ME55 F2: explain lime and kernel_shap alike, --samples 5 on 7 words", lambda: cli(
        "explain", "the movie was really good and fun", "--model", model.name, "--method", "lime", "kernel_shap",
        "--samples", "5"), "error", "cannot determine the scores of its 7 words")
    add("ME55 F2: the suggested --samples 200 works", lambda: cli(
        "explain", "a truly wonderful and moving film that never gets boring or slow", "--model", model.name,
        "--method", "lime", "--samples", "200", "--no-faithfulness"), "ok", "explained", lambda r: r.code == 0)
    run = Path(work) / "me55-run"
    add("ME55 F4: evaluate kernel_shap:n_samples=3 after shapley, with --out", lambda: cli(
        "evaluate", "--model", model.name, "--data", str(data), "--methods", "shapley:n_samples=2",
        "kernel_shap:n_samples=3", "--out", str(run), "--no-random"), "error", "kernel_shap:n_samples=200 in --methods")
    add("ME55 F4: ... and no record was written before the refusal", lambda: (run / "records.jsonl").exists(), "ok",
        "no records.jsonl", lambda r: r is False)
    add("ME55 F4: evaluate lime:n_samples=4 in Python", lambda: evaluate(
        model, Dataset(("the movie was really good and fun",), (1,), source="one"), methods=["lime:n_samples=4"],
        progress=False), "error", "Method lime:n_samples=4: Example 0 ('the movie was really good and fun'): lime with 4 samples")
    py_run = Path(work) / "me55-py"

    def python_then_cli():
        evaluate(model, Dataset(("fine", "a bad plot", "good fun"), (1, 0, 1), source=str(data)), methods=["occlusion"],
                 out=py_run, progress=False, stop_after=1, batch_size=1)
        return json.loads((py_run / "settings.json").read_text())["settings"]["shuffle"]
    add("ME55 N2: a Python run over an unselected dataset records shuffle", python_then_cli, "ok", "False",
        lambda r: r is False)
    add("ME55 N2: shuffle=False on a shuffled selection", lambda: evaluate(
        model, select(Dataset(("fine", "a bad plot"), (1, 0), source="two"), shuffle=True), methods=["occlusion"],
        progress=False, shuffle=False), "error", "the dataset was selected with shuffle=True")
    ex = Explainer(model)
    add("ME55 N3: grad_x_input's label", lambda: delta_text(ex.explain("a bad plot", "grad_x_input")), "ok",
        "its definition, no approximation", lambda r: r == "its definition, no approximation")
    add("ME55 N4: sig --unit token's label", lambda: delta_text(ex.explain("a bad plot", "sig", unit="token")), "ok",
        "exact per token", lambda r: r.startswith("exact per token"))
    out += _me56_cases(work, model)
    return out


def _me56_cases(work, model) -> list[Case]:
    """Issue 22, the fifty-fourth breaker: a label column named as explain's text or pair column, label names in
    another order than a base's, several undetermined specs, JSON objects with different text keys."""
    from faithlens.data import Dataset, read_file
    from faithlens.evaluate import evaluate
    from faithlens.gold_labels import check_base_reading

    out: list[Case] = []
    add = lambda name, run, expect, words="", check=None: out.append(Case(  # noqa: E731
        "22me56 label columns as text, label orders, several specs, JSON keys (54th breaker)", name, run, expect, words,
        check))
    (Path(work) / "me56.csv").write_text('text,label\n"great, fun film",1\nbad,0\n')
    add("ME56 F1: explain --file --text-column label", lambda: cli(
        "explain", "--model", model.name, "--method", "occlusion", "--no-faithfulness", "--file",
        str(Path(work) / "me56.csv"), "--text-column", "label"), "error", "is a label column by its name")
    (Path(work) / "me56-nli.csv").write_text("premise,hypothesis,label\na man sleeps,a person rests,0\n")
    add("ME56 F1: explain --file --pair-column label", lambda: cli(
        "explain", "--model", model.name, "--method", "occlusion", "--no-faithfulness", "--file",
        str(Path(work) / "me56-nli.csv"), "--pair-column", "label"), "error", "not read as the second text of each pair")
    add("ME56 F2: gold label names in another order than the base's", lambda: check_base_reading(
        ("negative", "positive", "neutral"), spellings={}, names=("negative", "neutral", "positive"), source="p.tsv",
        base="nli"), "error", "class 1 would be 'neutral', which the base calls class 2")
    add("ME56 N1: two undetermined specs at once", lambda: evaluate(
        model, Dataset(("fine", "the movie was really good and fun"), (1, 1), source="two"),
        methods=["lime:n_samples=1", "kernel_shap:n_samples=3"], progress=False, shuffle=False), "error",
        "Use lime:n_samples=50 or more in --methods.\nMethod kernel_shap:n_samples=3: Example 1")
    (Path(work) / "me56.jsonl").write_text('{"sentence": "great film", "label": 1}\n{"text": "bad film", "label": 0}\n')
    add("ME56 N3: JSON lines whose objects hold different text keys", lambda: read_file(Path(work) / "me56.jsonl"),
        "error", "The objects of this file hold different keys")
    out += _me57_cases(work, model)
    return out


def _me57_cases(work, model) -> list[Case]:
    """Issue 22, the fifty-fifth breaker: facade saliency's undetermined fits in its own words, an unbounded reduction
    beam, a JSON key missing (not null), a rationale folder, a tuple of three texts."""
    from faithlens.audit.reduction import input_reduction
    from faithlens.data import read_file
    from faithlens.encoding import split_items
    from faithlens.plausibility import read_rationales

    out: list[Case] = []
    add = lambda name, run, expect, words="", check=None: out.append(Case(  # noqa: E731
        "22me57 facade specs, reduction beams, JSON keys, rationale folders (55th breaker)", name, run, expect, words,
        check))
    data = str(Path(work) / "me54.tsv")
    add("ME57 F1: facade saliency lime:n_samples=5", lambda: cli(
        "facade", "saliency", "--model", model.name, "--data", data, "--methods", "ig", "lime:n_samples=5"), "error",
        "lime:n_samples=200 in --methods")
    add("ME57 F2: facade reduce --beams 1000000", lambda: cli(
        "facade", "reduce", "--model", model.name, "--data", data, "--beams", "1000000"), "error", "a beam is at most 100")
    add("ME57 F2: input_reduction(beam_size=101)", lambda: input_reduction(model, ["good fun"], beam_size=101), "error",
        "must be an int from 1 to 100")
    add("ME57 F2: facade reduce --beams 100 on short texts", lambda: cli(
        "facade", "reduce", "--model", model.name, "--data", data, "--beams", "100"), "ok", "reduced",
        lambda r: r.code == 0 and "beam_100" in r.out)
    add("ME57 N1: a JSON lines text key missing on line 2", lambda: read_file(Path(work) / "me56.jsonl",
                                                                            text_column="sentence"), "error",
        "has no 'sentence' field (its keys: 'text', 'label')")
    add("ME57 N5: rationales given as a folder", lambda: read_rationales(Path(work), dataset=read_file(data)), "error",
        "is a folder")
    add("ME57 N3: a tuple of three texts", lambda: split_items(("great fun", "bad", "ok")), "error", "as every tuple is")
    out += _me58_cases(work, model)
    return out


def _me58_cases(work, model) -> list[Case]:
    """Issue 22, the fifty-sixth breaker: the Python API beyond explain (training, facade, merges, data, dtypes)."""
    import numpy as np

    from faithlens import Explainer
    from faithlens.audit.facade import FacadeSettings
    from faithlens.audit.manipulation import runs_of
    from faithlens.audit.merge import calibrate_gain, merge_models
    from faithlens.data import load_dataset, read_file
    from faithlens.model import load_model
    from faithlens.qa import check_examples
    from faithlens.training import fine_tune

    out: list[Case] = []
    add = lambda name, run, expect, words="", check=None: out.append(Case(  # noqa: E731
        "22me58 training, facade and data API types (56th breaker)", name, run, expect, words, check))
    base = model.name
    train = (["good", "bad", "fine", "awful"], [1, 0, 1, 0])
    tune = lambda out_dir, **kw: fine_tune(**{**dict(  # noqa: E731
        base_model=base, train=train, validation=([], []), test=([], []), out_dir=str(out_dir),
        label_names=["negative", "positive"], progress=False, max_length=32), **kw})
    kept = Path(work) / "me58-kept"
    kept.mkdir(exist_ok=True)
    add("ME58 F1: fine_tune(overwrite='no') on a trained folder", lambda: tune(kept, overwrite="no"), "error",
        "A str is always true")
    add("ME58 F1: fine_tune(progress='no')", lambda: tune(Path(work) / "me58-p", progress="no"), "error",
        "'progress' parameter of fine_tune")
    add("ME58 F1: read_file(labels='no')", lambda: read_file(Path(work) / "me54.tsv", labels="no"), "error",
        "'labels' parameter of read_file")
    add("ME58 F2: fine_tune(out_dir=base_model, overwrite=True)", lambda: tune(base, overwrite=True), "error",
        "writing the model there replaces what it holds")
    add("ME58 F3: calibrate_gain of a model that is no facade", lambda: calibrate_gain(
        load_model(base), load_model(base), ["good"], quantile=-0.1), "error", "is not a facade")
    add("ME58 F4: load_dataset(folder, split=0)", lambda: load_dataset(str(work), split=0), "error",
        "split must be a split's name as a str")
    add("ME58 F5: FacadeSettings(steps=np.int64(3))", lambda: type(FacadeSettings(steps=np.int64(3)).steps), "ok",
        "int", lambda r: r is int)
    add("ME58 F5: fine_tune(seed=-1)", lambda: tune(Path(work) / "me58-s", seed=-1), "error", "'seed' parameter")
    add("ME58 F6: runs_of('ig')", lambda: [r.label for r in runs_of("ig")], "ok", "one run", lambda r: r == ["ig"])
    add("ME58 F7: merge_models(target, a folder path)", lambda: merge_models(load_model(base), base), "error",
        "merge_models takes the facade as a loaded model")
    add("ME58 F8: fine_tune_qa's train as a set", lambda: check_examples(set(), "train"), "error", "which has no order")
    add("ME58 F10: Explainer(model, dtype=float64) leaves the model as it is", lambda: (
        Explainer(model, dtype=__import__("torch").float64), model.dtype)[1], "ok", "float32",
        lambda r: str(r) == "torch.float32")
    add("ME58 N: read_file(None)", lambda: read_file(None), "error", "read_file takes a file path")
    out += _me59_cases(work, model)
    return out


def _me59_cases(work, model) -> list[Case]:
    """Issue 22, the fifty-seventh breaker: long texts cut by the facade analyses, merge --check of a SQuAD file, a
    suggested command naming a method twice, QA labels in agreement, --heldout leaving too few texts."""
    import warnings

    from faithlens.audit.hotflip import hotflip
    from faithlens.audit.merge import agreement

    out: list[Case] = []
    add = lambda name, run, expect, words="", check=None: out.append(Case(  # noqa: E731
        "22me59 cut texts, merge checks, suggested commands (57th breaker)", name, run, expect, words, check))
    long = " ".join(["great fun film"] * 70)

    def said(run):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            run()
        return [str(w.message) for w in seen]
    add("ME59 F1: hotflip of a text past the model's limit", lambda: said(lambda: hotflip(model, [long, "bad"])), "ok",
        "a warning counts the cut texts", lambda r: any("1 of 2 texts are longer than" in m for m in r))
    add("ME59 F1: agreement of a text past the model's limit", lambda: said(lambda: agreement(model, model, [long])),
        "ok", "a warning counts the cut texts", lambda r: any("agreement reads their first" in m for m in r))
    (Path(work) / "me59.tsv").write_text("sentence\tlabel\ngood fun\t1\nbad plot\t0\nfine film\t1\n")
    add("ME59 F4: explain --method ig:steps=4 ig:steps=8 TEXT", lambda: cli(
        "explain", "--model", model.name, "--method", "ig:steps=4", "ig:steps=8", "good film"), "error",
        "The methods name ig more than once")
    add("ME59 F6: facade train --heldout 2 --batch-size 2 on 3 texts", lambda: cli(
        "facade", "train", "--model", model.name, "--data", str(Path(work) / "me59.tsv"), "--heldout", "2",
        "--batch-size", "2", "--out", str(Path(work) / "me59-g")), "error", "--heldout 2 leaves 1 to train on")
    return out


def main_sweep() -> int:
    parser = argparse.ArgumentParser(allow_abbrev=False, description=__doc__.splitlines()[0])
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
