"""`faithlens explain TEXT...`: explain texts with one or more methods; terminal, JSON lines or HTML."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..errors import FaithlensError
from ..text_origins import line_origins, located
from ..options import seed_arg

DTYPES = ("float32", "float64")


def register(sub) -> None:
    from ..names import (BASELINES, DEFAULT_METHODS, DEFAULT_MODE, DEFAULT_TOLERANCE, DEFAULT_UNIT, DEFAULT_WARN_ABOVE,
                         METHODS, RULES, SCORES)

    p = sub.add_parser("explain", help="explain texts word by word",
                       description="Explain a model's prediction word by word: a classifier's class (single texts or "
                                   "pairs such as premise and hypothesis), a QA model's answer (--pair QUESTION CONTEXT) "
                                   "or a causal LM's next tokens (--target-text). Texts come from the arguments, --pair, "
                                   "--file (one per line; a tab separates the two texts of a pair), or standard input ('-').")
    p.add_argument("texts", nargs="*", metavar="TEXT", help="texts to explain; '-' reads lines from standard input")
    p.add_argument("--pair", nargs=2, action="append", default=[], metavar=("TEXT_A", "TEXT_B"),
                   help="a text pair encoded as the tokenizer encodes pairs: premise and hypothesis, or a QA model's "
                        "question and context (repeatable)")
    p.add_argument("--file", type=_input_path, help="read texts from a file, one per line (TEXT_A<tab>TEXT_B for pairs; a "
                                             "classifier's second column of label names or numbers is refused, and so is a first line 'text' "
                                             "(a header)); lines end at \\n or \\r\\n (at \\r in a file with no \\n: old Mac "
                                             "line endings), a lone \\r in a line stays inside its text. A CSV, TSV or JSON lines file (named "
                                             ".csv, .jsonl or .json, or whose first line is a header of column names, "
                                             "such as premise,hypothesis,label or sentence<tab>label, or a JSON "
                                             "object) is read by columns, as evaluate --data reads it: its text "
                                             "column or pair columns, never its label column. '-' reads standard input "
                                             "(plain lines); ./- reads a file named '-'")
    p.add_argument("--text-column", default=None, metavar="NAME",
                   help="a CSV, TSV or JSON lines --file: the column of the (first) text (default: found from the "
                        "column names: text, sentence, premise, sentence1, question, ...)")
    p.add_argument("--pair-column", default=None, metavar="NAME",
                   help="a CSV, TSV or JSON lines --file: the column of each pair's second text (default: found from "
                        "the column names: hypothesis, sentence2, context, ...); named alone, it finds its first "
                        "text the same way (premise for hypothesis)")
    p.add_argument("--model", default=None, help="hub id or local folder (default: the bundled MiniLM sentiment model)")
    p.add_argument("--method", nargs="+", default=list(DEFAULT_METHODS), metavar="NAME",
                   help=f"one or more of: {', '.join(METHODS)} (default: {' '.join(DEFAULT_METHODS)}: the exact SIG "
                        "scores beside a path method and a single-point gradient, as the web app shows them); a "
                        "method spec as evaluate reads it sets explain's option: sig:closed is --method sig --mode "
                        "closed, ig:steps=20 is --method ig --steps 20")
    p.add_argument("--steps", type=_steps, default=None,
                   help="path steps for ig/dig (default 50 for ig, 30 for dig: the papers' settings), or for sig, which "
                        "then integrates its path instead of computing the exact closed form; or 'auto': as many as "
                        f"--tolerance needs (sig, ig; default tolerance {DEFAULT_TOLERANCE:g})")
    p.add_argument("--tolerance", type=float, default=None, metavar="TAU",
                   help="sig (reverse/forward) and ig: refine each path with a nested rule until its score is within "
                        "TAU of the exact value (relative; SIG: of the closed-form scores' norm, IG: of F(w) - F(w̄)); "
                        "--steps then caps the nodes per path")
    p.add_argument("--rule", default=None, help=f"quadrature of a path: {', '.join(RULES)} (default gausslegendre); "
                   "read by ig, and by sig only when it integrates its path (--steps, --tolerance, --mode "
                   "forward/reverse): its closed form has no quadrature")
    p.add_argument("--baseline", default=None, help=f"one of {', '.join(BASELINES)} (default: mask, what a masked-LM encoder learned means 'a word is missing'; causal LMs: pad, "
                                                     "else eos, else unk)")
    p.add_argument("--baseline-token", default=None, help="use this vocabulary token as the baseline")
    p.add_argument("--unit", default=None,
                   help=f"token or word: what moves along one SIG path (sig, occlusion; default: {DEFAULT_UNIT}, so that a "
                        "word's score is exactly F(w) - F(w with the word at the baseline))")
    p.add_argument("--mode", default=None,
                   help=f"SIG computation: closed, reverse, forward, or auto (default: {DEFAULT_MODE}: the exact closed form "
                        "F(w) - F(w with the word at the baseline), N+1 forward passes; with --steps or --tolerance the "
                        "faster of forward and reverse at the text's length integrates the path, as the SIG paper did "
                        "(--steps 50 reproduces it))")
    p.add_argument("--score", default=None, help=f"the explained function: {', '.join(SCORES)} (default: logit; "
                                                  "log_prob for causal LMs)")
    p.add_argument("--target", default=None, action=_Once,
                   help="classifiers: a label name or a class index (default: the predicted class). Where a label name "
                        "is itself a number ('0', '1', ...), a number that names one label and indexes another is "
                        "refused: write label:NAME or index:N")
    p.add_argument("--answer", default=None, action=_Once, metavar="TEXT",
                   help="QA models: explain this answer (a substring of the context) instead of the predicted one")
    p.add_argument("--answer-span", default=None, action=_Once, nargs=2, type=int, metavar=("START", "END"),
                   help="QA models: explain the answer at these character offsets of the context (END exclusive), e.g. "
                        "to pick one occurrence of an answer text that occurs more than once")
    p.add_argument("--target-text", default=None, action=_Once, metavar="TEXT",
                   help="causal LMs: explain log p(TEXT | prompt), e.g. ' Paris' (mind the leading space)")
    p.add_argument("--contrast", default=None, action=_Once, metavar="LABEL",
                   help="classifiers: explain why the target rather than LABEL: F = score(target) − score(LABEL) "
                        "(with the default logit score, the logit difference)")
    p.add_argument("--contrast-text", default=None, action=_Once, metavar="TEXT",
                   help="causal LMs: explain log p(target) − log p(TEXT), e.g. --target-text ' Paris' --contrast-text "
                        "' London' (TEXT may differ from the target in its last token only)")
    p.add_argument("--max-new-tokens", type=int, default=None, metavar="N",
                   help="causal LMs without --target-text: greedily generate N tokens and explain them (default 1)")
    p.add_argument("--per-token", action="store_true",
                   help="causal LMs: also attribute each continuation token alone (prompt × generated matrix)")
    p.add_argument("--target-side", action="store_true",
                   help="causal LMs, implies --per-token: attribute each generated token also to the generated tokens "
                        "before it (target-side attribution, as inseq's): the matrix gains rows for them (→), blank where "
                        "a token comes at or after the one explained")
    p.add_argument("--samples", type=int, default=None,
                   help="noisy copies for smoothgrad and gradient_shap, random orders for shapley, coalitions for "
                        "kernel_shap and lime (default: 10, 5, 25, 200 and 200 in that order; the papers' settings for "
                        "smoothgrad and gradient_shap)")
    p.add_argument("--noise", type=float, default=None, metavar="SIGMA",
                   help="smoothgrad: σ of the Gaussian noise as a fraction of the embedding values' range, in (0, 1] "
                        "(default 0.01)")
    p.add_argument("--warn-above", type=float, default=DEFAULT_WARN_ABOVE, metavar="FRACTION",
                   help="warn when an explanation's measured relative error (quadrature, completeness gap or sampling "
                        f"error) exceeds this (default: {DEFAULT_WARN_ABOVE:g}, i.e. 1 %%)")
    p.add_argument("--seed", type=seed_arg, default=None,
                   help="seed of the sampling methods (smoothgrad, gradient_shap, shapley, kernel_shap, lime, random) and "
                        "of the faithfulness check's random word orderings, so with the check it matters for every "
                        "method; refused with --no-faithfulness when no chosen method samples (default: 0, so reruns "
                        "give the same numbers)")
    p.add_argument("--no-faithfulness", dest="faithfulness", action="store_false",
                   help="skip each explanation's faithfulness check (default: on; Comp, Suff and log-odds at top-20%% of "
                        "tokens, and the same for --random seeded random orderings of its words; JSON key "
                        "\"faithfulness\"; 4·(1+R) batched forward passes per text)")
    p.add_argument("--random", type=int, default=None, metavar="R", dest="n_random",
                   help="random word orderings each explanation is compared with (default: 20; refused with "
                        "--no-faithfulness, which skips the comparison)")
    p.add_argument("--batch-size", type=int, default=16, help="texts per batch (default: 16; results do not depend on it)")
    p.add_argument("--dtype", default="float32",
                   help="float32 or float64 (default: float32, the model's own; float64 for checking exactness)")
    p.add_argument("--truncate", action="store_true", help="truncate texts longer than the model's limit (a "
                   "classifier keeps the first tokens, a causal LM the prompt's last, nearest the continuation)")
    p.add_argument("--scores", action="store_true",
                   help="show one line per word with its score and a bar (default: the text, each word coloured and "
                        "followed by its score); a terminal layout, so refused with --json")
    p.add_argument("--json", action="store_true", help="print one JSON object per line, for each text and method")
    p.add_argument("--html", type=_file_path, default=None, metavar="FILE", help="also write a self-contained HTML page")
    p.add_argument("--device-map", default=None, metavar="MAP",
                   help="auto, balanced, balanced_low_0 or sequential: spread a model too large for one GPU over the GPUs "
                        "(accelerate's big-model loading)")
    p.set_defaults(run=run)


class _Once(argparse.Action):
    """An option that may be given once: a second value is an error, never a silent last-one-wins."""

    def __call__(self, parser, namespace, values, option_string=None):
        before = getattr(namespace, self.dest)
        if before is not None:
            parser.error(f"{option_string} was given twice ({before!r}, then {values!r}); it takes one value. Pass it "
                         "once (one target per run: explain the other in a second run).")
        setattr(namespace, self.dest, values)


def _file_path(value: str) -> str:
    """--html: a file name; an empty one would be the current folder (Path('') is '.'). Kept as typed: Path('./-') is
    '-', which `files.check_output_file` refuses as standard output, but './-' names a file called '-'."""
    if not value.strip():
        raise argparse.ArgumentTypeError("expected a file name, e.g. --html report.html, got an empty path")
    return value


def _input_path(value: str) -> str:
    """--file: a file name kept as typed: Path('./-') is '-', standard input, but './-' names a file called '-'."""
    if not value.strip():
        raise argparse.ArgumentTypeError("expected a file name, e.g. --file texts.txt, or '-' for standard input; got "
                                         "an empty path")
    return value


def _steps(value: str) -> int | str:
    """--steps: a positive int or 'auto'."""
    if value == "auto":
        return value
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive int or 'auto', got {value!r}") from None


def read_texts(args: argparse.Namespace) -> list:
    from ..data import items_from_lines, old_mac_lines

    given = [t for t in args.texts if t != "-"]
    args.text_lines = []  # (lines, source, split) of --file and standard input: read again against the model's labels
    stdin_file = args.file == "-"  # --file -: standard input, as a TEXT of '-' is; --file ./- is a file named '-'
    file_items: list = []
    file_origins: list = []
    if args.file is None or stdin_file:
        for option, value in (("--text-column", args.text_column), ("--pair-column", args.pair_column)):
            if value is not None:
                raise FaithlensError(f"{option} names a column of a CSV or JSON lines --file; "
                                     + ("standard input is read as plain lines" if stdin_file else "no --file is given")
                                     + f", so it would do nothing. Drop {option}, or pass the file: --file data.csv.")
    else:
        from ..text_files import is_squad_file, read_text_file

        path = Path(args.file)
        if not path.exists():
            from ..model_source import broken_link

            why = f": {broken_link(path)}" if os.path.lexists(path) else ""
            raise FaithlensError(f"--file {args.file} does not exist{why}. Pass a text file with one text per line.")
        if not path.is_file():
            from ..files import kind_of_path

            raise FaithlensError(f"--file {args.file} is {kind_of_path(path)}, not a file. Pass a text file with one "
                                 "text per line (or --file - for standard input).")
        if is_squad_file(path):  # a QA model's data: read once the model's task is known (`read_squad_file`)
            args.squad_file = path
        else:
            read = read_text_file(path, source=f"--file {args.file}", text_column=args.text_column,
                                  pair_column=args.pair_column)
            if read.lines is not None:  # a plain file's lines; a data file's label column is known by name, never read
                args.text_lines.append((read.lines, f"--file {args.file}", read.split))
            file_items, args.file_columns = read.items, read.columns
            file_origins = line_origins(read.lines, f"--file {args.file}") if read.lines is not None else \
                [f"row {n} of --file {args.file}" for n in range(1, len(read.items) + 1)]
    stdin_items: list = []
    if "-" in args.texts or stdin_file or (not given and not args.pair and args.file is None and not sys.stdin.isatty()):
        args.text_lines.append((old_mac_lines(sys.stdin.read()).split("\n"), "standard input", None))
        stdin_items = items_from_lines(args.text_lines[-1][0], source="standard input", gold_labels=False)
    texts: list = [tuple(p) for p in args.pair]
    args.text_origins = [f"--pair {n}" for n in range(1, len(texts) + 1)]  # each text's place as the user gave it
    stdin_origins = line_origins(args.text_lines[-1][0], "standard input") if stdin_items else []
    for k, t in enumerate(args.texts):  # a TEXT of '-' stands for standard input's texts, in its place (the first '-')
        texts += [t] if t != "-" else stdin_items if args.texts.index("-") == k else []
        args.text_origins += [f"TEXT argument {k + 1}"] if t != "-" else stdin_origins if args.texts.index("-") == k else []
    args.squad_at = len(texts)  # where a SQuAD file's pairs go (`read_squad_file`)
    texts += file_items + ([] if "-" in args.texts else stdin_items)
    args.text_origins += file_origins + ([] if "-" in args.texts else stdin_origins)
    _one_kind(texts)
    if getattr(args, "squad_file", None) is not None:
        return texts
    if not texts and args.text_lines:
        read = " and ".join(source for _, source, _ in args.text_lines)
        raise FaithlensError(f"No text to explain: {read} held no text (it is empty or all its lines are blank). Put one "
                             "text per line, or pass a text, e.g. faithlens explain \"a gripping, funny film\".")
    if not texts:
        raise FaithlensError('No text to explain. Pass a text, e.g. faithlens explain "a gripping, funny film", '
                             "or --file FILE, or pipe lines into standard input.")
    return texts


def _one_kind(texts: list) -> None:
    if texts and len({isinstance(t, tuple) for t in texts}) > 1:
        raise FaithlensError("Got both single texts and pairs (across the TEXT arguments, --pair, --file and standard "
                             "input). Explain them in separate runs.")


def read_squad_file(args: argparse.Namespace, model, texts: list) -> list:
    """The texts with the (question, context) pairs of a SQuAD-format --file in their place, once the model is known:
    a model of another task is refused first (`task_inputs.check_squad_task`), before the file's nesting is read."""
    from ..task_inputs import check_squad_task
    from ..text_files import read_text_file

    if getattr(args, "squad_file", None) is None:
        return texts
    source = f"--file {args.file}"
    check_squad_task(model, source)
    read = read_text_file(args.squad_file, source=source, text_column=args.text_column, pair_column=args.pair_column)
    texts = texts[:args.squad_at] + list(read.items) + texts[args.squad_at:]
    _one_kind(texts)
    return texts


TASK_OPTIONS = {"--answer": ("answer", "qa", "a QA model's answer (a substring of the context)"),
                "--answer-span": ("answer_span", "qa", "a QA model's answer (a character span of the context)"),
                "--target-text": ("target_text", "causal_lm", "a causal language model's continuation"),
                "--max-new-tokens": ("max_new_tokens", "causal_lm", "a causal language model's generated continuation"),
                "--target-side": ("target_side", "causal_lm", "the generated tokens' side of a causal language model's "
                                  "per-token matrix")}


def _method_word(word: str) -> bool:
    """Whether a word after --method is a method: a name (``ig``) or a method spec with a method's name before its
    ':' (``sig:closed``, ``ig:steps=5``; its settings are checked by `explain_specs.apply_method_specs`)."""
    from ..names import METHODS

    return word in METHODS or (":" in word and word.partition(":")[0] in METHODS)


def _near_method(word: str) -> str | None:
    """The method name a word not a method looks like a typo of (``occlusoin``, ``IG``, ``igg:steps=5``), or None
    (a text: it holds spaces, or is no close match)."""
    import difflib

    from ..names import METHODS

    if any(c.isspace() for c in word):
        return None
    near = difflib.get_close_matches(word.partition(":")[0].lower(), METHODS, n=1, cutoff=0.75)
    return near[0] if near else None


def _check_method_words(args: argparse.Namespace) -> None:
    """--method takes every word up to the next option: the words after it that are methods stay methods, and the
    first that is not (a text: it holds spaces, or no text was given) and every word after it were texts typed
    after --method. Say so, with a command that explains exactly those texts with those methods; a word that looks
    like a typo of a method (``occlusoin``) is named as not a method, with the nearest name."""
    from ..names import METHODS

    words = list(args.method)
    first = next((i for i, w in enumerate(words) if not _method_word(w)), None)
    if first is None:
        return
    word, near = words[first], _near_method(words[first])
    if near is not None:
        raise FaithlensError(f"{word!r} is not a method; did you mean {near!r}? (valid: {', '.join(METHODS)}; a method "
                             "spec is name:key=value, e.g. ig:steps=50 or sig:closed)")
    if not (any(c.isspace() for c in word) or not (args.texts or args.pair or args.file is not None)):
        return  # an unknown name among given texts: refused with the valid names (`options.check_settings`)
    methods, texts = words[:first], [*args.texts, *words[first:]]
    from ..options import check_settings  # a method named twice is said first: the command below would repeat it

    check_settings([m.partition(":")[0] for m in methods], {}, strict=False)
    raise FaithlensError(f"{word!r} is not a method (valid: {', '.join(METHODS)}). --method takes every word up to the "
                         f"next option, so {', '.join(map(repr, words[first:]))} after it {'was read as a method name' if len(words) - first == 1 else 'were read as method names'}: put the texts before --method, e.g. "
                         f"{_explain_command(texts, methods)} (with your other options)"
                         + ("" if methods else "; with no --method the default methods explain them") + ".")


def _explain_command(texts: list, methods: list) -> str:
    """A command that explains exactly ``texts`` with ``methods`` (the defaults when none): texts before --method,
    or after ``--`` when one starts with '-' (it would read as an option)."""
    import shlex

    quoted = " ".join(shlex.quote(t) for t in texts)
    method = f" --method {' '.join(methods)}" if methods else ""
    if any(t.startswith("-") for t in texts):
        return f"faithlens explain{method} -- {quoted}"
    return f"faithlens explain {quoted}{method}"


def _quoted(text: str) -> str:
    import shlex

    return shlex.quote(text if len(text) <= 40 else text[:37] + "...")


def _check_label_column(args: argparse.Namespace, model) -> None:
    """A classifier's --file (or standard input) whose second column holds numbers or its label names (gold labels)
    is refused (`text_lines.items_from_lines` with the model's labels), once the model's task is known; a QA model's
    second column is a context, so "What year?<tab>1999" is a question and its context."""
    from ..data import items_from_lines

    if model.task.name in ("classification", "multi_label"):
        for lines, source, split in getattr(args, "text_lines", ()):
            items_from_lines(lines, source=source, labels=list(model.labels), split=split)
    from ..columns import LABEL_COLUMNS

    held = [c for c in getattr(args, "file_columns", ()) if c.strip().lower() in (*LABEL_COLUMNS, "continuation", "completion")]
    if model.task.name == "causal_lm" and held:  # a continuation per prompt is not read from a file: say so, never silently
        import warnings

        from ..errors import FaithlensWarning

        warnings.warn(f"--file {args.file}: the column {held[0]!r} is not read. explain --file reads a causal LM's prompts "
                      "only and attributes " + ("--target-text's continuation" if args.target_text is not None else
                                                "the model's own greedy continuation") + " for every prompt. To attribute "
                      "one continuation per prompt, run one prompt per call with --target-text TEXT, or in Python pass "
                      "target=[...] (one continuation per prompt) to faithlens.explain.", FaithlensWarning, stacklevel=2)


def _check_task_options(args: argparse.Namespace, model, texts=()) -> None:
    """An option read by one task only (--answer: QA; --target-text, --max-new-tokens: causal LMs)
    is refused on a model of another task, naming the model's task and the option it takes instead.
    --target names a classifier's class: on a QA model or a causal LM it is refused, pointing to --answer
    or --target-text (one reading per option on every model)."""
    if args.target is not None and model.task.name in ("qa", "causal_lm"):
        instead = "--answer TEXT (a substring of the context)" if model.task.name == "qa" else \
            "--target-text TEXT (the continuation, e.g. ' Paris')"
        spaced = "" if model.task.name == "qa" or args.target[:1].isspace() else " (with the space a next word starts with)"
        said = args.target if not spaced else " " + args.target  # a continuation's first word starts with its space
        raise FaithlensError(f"--target names a classifier's class (a label name or index); {model.name!r} is "
                             f"a{'n' * (model.task.summary[0] in 'aeiou')} {model.task.summary} model, which reads "
                             f"{instead}. " + (
                                 f"{_quoted(said)} does not occur in the context: pass --answer with the answer's words "
                                 "as the context writes them, or --answer-span START END (character offsets)."
                                 if model.task.name == "qa" and not any(isinstance(t, tuple) and said.strip() in t[1]
                                                                        for t in texts) else
                                 f"Pass {instead.split()[0]} {_quoted(said)} instead of --target{spaced}."))
    for option, (attr, task, what) in TASK_OPTIONS.items():
        if getattr(args, attr) not in (None, False) and model.task.name != task:
            instead = ("--target LABEL (a label name or class index)" if model.task.name in ("classification", "multi_label")
                       else "--answer TEXT" if model.task.name == "qa" else "--target-text TEXT")
            raise FaithlensError(f"{option} sets {what}; {model.name!r} is a{'n' * (model.task.summary[0] in 'aeiou')} "
                                 f"{model.task.summary} model, which reads "
                                 f"{instead}. Drop {option}.")


def run(args: argparse.Namespace) -> int:
    import torch

    from ..distributed import check_device_map, explain_sharded, init_world, load_for_run
    from ..errors import unknown_choice
    from ..explainer import DEFAULT_NEW_TOKENS, Explainer
    from ..files import check_output_file
    from ..options import check_settings
    from ..trust import DEFAULT_RANDOM
    from ..views import render_terminal, write_html

    if args.html is not None:  # checked before any work; kept as typed for write_html ('./-' is a file named '-')
        check_output_file(args.html, option="--html", suffix=".html",
                          inputs={"--file": args.file, "--model": args.model})
    check_device_map(args.device_map)
    world = init_world()
    if world.distributed and (args.file is None or str(args.file) == "-" or "-" in args.texts):
        raise FaithlensError(f"This process is one of {world.size} (torchrun / accelerate launch): pass the texts with "
                             "--file FILE, which the processes split (texts typed as arguments, or standard input, are not).")
    _check_method_words(args)  # before the texts: a text typed after --method is read as a method name
    from .explain_specs import apply_method_specs

    apply_method_specs(args)  # sig:closed is --method sig --mode closed
    texts = read_texts(args)
    if args.dtype not in DTYPES:
        raise unknown_choice("dtype", args.dtype, DTYPES)
    target = args.target  # a str: label names and digit strings are read by one rule (targets.resolve_target)
    chosen = [name for name, value in (("--target", args.target), ("--answer", args.answer),
                                        ("--answer-span", args.answer_span), ("--target-text", args.target_text))
              if value is not None]
    if len(chosen) > 1:
        raise FaithlensError(f"Pass one of --target, --answer, --answer-span, --target-text. Got {' and '.join(chosen)}.")
    if args.target_text is not None and args.max_new_tokens is not None:
        raise FaithlensError("--max-new-tokens generates a continuation when none is given; with --target-text the "
                             "continuation is given, so it would do nothing. Pass one of them.")
    if args.answer is not None:
        target = args.answer
    if args.answer_span is not None:  # checked against each context (task_inputs.answer_chars) before the model runs
        target = tuple(args.answer_span)
    if args.target_text is not None:
        target = args.target_text
    if args.scores and args.json:  # --scores picks the terminal view's layout; --json prints no terminal view
        raise FaithlensError("--scores lays out the terminal view (one line per word with its score and a bar); --json "
                             "prints JSON instead, which holds every score already (words[].score), so --scores would "
                             "do nothing. Drop --scores, or drop --json.")
    if args.contrast is not None and args.contrast_text is not None:
        raise FaithlensError("Pass one of --contrast (a classifier's class) and --contrast-text (a causal LM's foil "
                             "continuation). Got both.")
    contrast = args.contrast_text if args.contrast_text is not None else args.contrast  # one target rule (targets.resolve_target)
    settings = dict(steps=args.steps, baseline=args.baseline, baseline_token=args.baseline_token,
                    score=args.score, target=target, n_samples=args.samples,
                    seed=0 if args.seed is None else args.seed, batch_size=args.batch_size, truncate=args.truncate,
                    tolerance=args.tolerance,
                    max_new_tokens=DEFAULT_NEW_TOKENS if args.max_new_tokens is None else args.max_new_tokens,
                    per_token=args.per_token or args.target_side, warn_above=args.warn_above,
                    faithfulness=args.faithfulness, n_random=DEFAULT_RANDOM if args.n_random is None else args.n_random,
                    **({"target_side": True} if args.target_side else {}))
    for name in ("unit", "mode", "rule"):  # given only when typed: an explicit --unit, --mode or --rule for a method that ignores it is refused
        if getattr(args, name) is not None:
            settings[name] = getattr(args, name)
    if contrast is not None:
        settings["contrast"] = contrast
    if args.noise is not None:
        if "smoothgrad" not in args.method:  # also --noise 0.01, the default value, is a flag given for nothing
            raise FaithlensError(f"--noise sets SmoothGrad's σ; it does nothing for {', '.join(args.method)}. Drop it, or "
                                 "add --method smoothgrad.")
        settings["noise"] = args.noise
    typed = ([k for k in ("unit", "mode", "rule") if k in settings] + ["seed"] * (args.seed is not None)  # --seed 0 too
             + ["n_random"] * (args.n_random is not None))  # --random 20 with --no-faithfulness too
    check_settings(args.method, settings, typed=typed)  # before the model loads: every option valid and used by some method
    if args.device_map is None:
        from ..explainer import load_model

        explainer = Explainer(load_model(args.model, dtype=getattr(torch, args.dtype)))  # errors name --model
    else:
        explainer = Explainer(load_for_run(args.model, device_map=args.device_map, world=world,
                                           dtype=getattr(torch, args.dtype)))
    texts = read_squad_file(args, explainer.model, texts)  # a SQuAD-format --file: refused unless a QA model reads it
    _check_task_options(args, explainer.model, texts)  # before any explaining: --answer for QA, --target-text for causal LMs
    _check_label_column(args, explainer.model)  # a second column of label names is refused, never a pair's text
    _check_contrast(args, explainer.task)
    origins = args.text_origins if len(args.text_origins) == len(texts) else None  # a SQuAD file's pairs: by index
    try:
        by_method = explain_sharded(explainer, texts, args.method, settings, world)  # the texts split across processes
    except FaithlensError as exc:  # "Text 6 has 202 tokens" names the text as given: "Line 7 of --file f.txt has ..."
        raise located(exc, origins) from None
    if by_method is None:  # not rank 0: rank 0 prints everything
        return 0
    groups = [[by_method[m][i] for m in args.method] for i in range(len(texts))]
    from ..progress import clear_line

    clear_line()  # nothing a bar (or a model loader's bar) left on the line runs into the result
    for n, group in enumerate(groups):
        if args.json:
            for e in group:
                print(e.to_json(), flush=True)
        else:
            print(render_terminal(group, bars=args.scores, show_legend=n == 0))
            print()
    if args.html is not None:
        path = write_html(args.html, groups)
        print(f"wrote {path}", file=sys.stderr)
    return 0


def _check_contrast(args: argparse.Namespace, task) -> None:
    """--contrast is for classifiers, --contrast-text for causal LMs."""
    if args.contrast_text is not None and task.name != "causal_lm":  # QA has one answer span and no foil
        raise FaithlensError(f"--contrast-text is a causal LM's foil continuation, and this is not a causal LM "
                             f"({task.summary}). " + ("Drop it: a QA model has no contrast." if task.name == "qa"
                                                      else "Pass --contrast LABEL instead."))
    if args.contrast is not None and task.name == "causal_lm":
        raise FaithlensError("A causal LM's foil is a continuation text: pass --contrast-text TEXT instead of --contrast.")
