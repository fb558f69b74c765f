"""`faithlens audit`: do this model's gradient explanations agree with what its outputs show?"""

from __future__ import annotations

from ..names import SCORES
from ..options import fraction_arg, seed_arg

import sys

AUDIT_LIMIT = 50  # texts in the sample without --limit


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "audit", help="check whether gradient explanations of a model can be trusted (FACADE-style manipulation)",
        description="Runs gradient-based (saliency, grad×input, IG, SIG reverse) and output-based (occlusion, SIG "
                    "closed) explanations on a sample and reports how far they disagree, where each puts its "
                    "attribution, and a verdict from paired tests over the texts: a gradient method concentrates "
                    "attribution on a token class (stop words, the first token, punctuation, or --token-class) when its "
                    "share there exceeds occlusion's by a one-sided Wilcoxon test (Holm-corrected, p < 0.05) by at least "
                    "0.10 of all attribution; two methods on one class, or one by 0.25, make the model 'untrustworthy' "
                    "(exit code 1), one method 'caution'; a method that merely disagrees with occlusion is reported as "
                    "unfaithful, not manipulated. Calibration: results/audit/calibration.md. --sanity adds the cascading "
                    "model-parameter randomisation test (Adebayo et al. 2018).")
    p.add_argument("--model", default=None, help="hub id or folder (default: the bundled model)")
    p.add_argument("--data", default="rotten_tomatoes", help="dataset: file, folder or name (default rotten_tomatoes)")
    p.add_argument("--split", default=None, help="split for named/folder datasets")
    p.add_argument("--holdout", type=fraction_arg, default=None, metavar="FRACTION",
                   help="sample from the part `faithlens train --holdout FRACTION` held out (SQuAD: whole articles)")
    p.add_argument("--split-seed", type=seed_arg, default=None,
                   help="seed of the --holdout split, given only with --holdout (default: 0)")
    p.add_argument("--limit", type=int, default=None, help=f"texts in the sample (default {AUDIT_LIMIT})")
    p.add_argument("--seed", type=seed_arg, default=0, help="seed of the sample shuffle")
    p.add_argument("--score", choices=SCORES, default=None, help="F: logit (default; log_prob for causal LMs, as explain), log_prob, "
                                                  "prob, max_logit")
    p.add_argument("--steps", type=int, default=10, help="IG / SIG reverse steps (default 10)")
    p.add_argument("--token-class", default=None, metavar="WORDS",
                   help="also test concentration on these words: comma-separated (e.g. 'movie,film') or a file with one "
                        "word a line (whole tokens, case-insensitive: a word with a space or outside the model's "
                        "vocabulary, or a class no text has, is refused before any work; a word that names a folder, "
                        "e.g. '.', needs a comma: '.,')")
    p.add_argument("--sanity", action="store_true",
                   help="also run the cascading model-parameter randomisation test (Adebayo et al. 2018): re-initialise "
                        "the head, then each layer top down (seeded, on a copy), and report per method and level the "
                        "Spearman correlation with the original attributions (JSON key 'sanity', plot sanity.svg/.png "
                        "next to the report); a method still correlated ≥ 0.5 (|a|) at full randomisation is flagged "
                        "'insensitive to the model'")
    p.add_argument("--examples", type=int, default=4, help="example sentences rendered side by side")
    p.add_argument("--truncate", action="store_true", help="audit the first tokens of texts longer than the model's "
                                                           "limit (a causal LM's last: its prompts are cut from the left; "
                                                           "the report counts them); without it they are refused")
    p.add_argument("--markdown", default=None, metavar="PATH", help="write the Markdown report here")
    p.add_argument("--html", default=None, metavar="PATH", help="write the self-contained HTML report here")
    p.add_argument("--json", default=None, metavar="PATH", help="write the full result as JSON here")
    p.set_defaults(run=run)


def _words(value: str) -> list[str]:
    """--token-class: a file with one word a line, or comma-separated words (a trailing comma makes a word that names a
    folder, such as '.', a word list: '.,' is the word '.')."""
    from pathlib import Path

    from ..errors import FaithlensError
    from ..line_endings import file_text

    path = Path(value)
    if path.is_dir():
        word = not any(sep in value.strip(sep) for sep in "/\\")  # '.', '..', '/': also a plausible word
        how = (f" To test the word {value!r}, add a comma (a word list): --token-class '{value},'; to read words from "
               "a file, name the file." if word else " Name the file with the words, e.g. words/class.txt.")
        raise FaithlensError(f"--token-class {value!r} is a folder, and --token-class takes a file with one word a line "
                             f"or comma-separated words.{how}")
    looks_like_path = "/" in value or "\\" in value or path.suffix.lower() in (".txt", ".tsv", ".csv", ".list")
    if path.is_file() and "," not in value and not looks_like_path:  # 'movie' beside a file named movie: two readings
        raise FaithlensError(f"--token-class {value!r} reads two ways: the word {value!r}, and the file {value} in "
                             f"{Path.cwd()}. Pass --token-class '{value},' to test the word (a word list), or "
                             f"--token-class ./{value} to read the words in the file.")
    if not path.is_file() and "," not in value and looks_like_path:  # with a comma it is a word list
        raise FaithlensError(f"--token-class {value}: no such file. Check the path (relative paths start from "
                             f"{Path.cwd()}), or pass comma-separated words (e.g. 'movie,film').")
    try:
        words = file_text(path).split("\n") if path.is_file() else value.split(",")  # a BOM is not a word
    except UnicodeDecodeError as exc:
        raise FaithlensError(f"--token-class {value} is not UTF-8 text ({exc}). Save it as UTF-8, one word a line.") from None
    if path.is_file():  # one word a line: a line of several words (a "# comment") can never match a token
        line = next((n for n, w in enumerate(words, 1) if len(w.split()) > 1), None)
        if line is not None:
            raise FaithlensError(f"--token-class {value}: line {line} holds several words ({words[line - 1].strip()!r:.60}). "
                                 "A word file holds one word a line, with no comments (each line is matched against "
                                 "whole tokens). Put each word on its own line.")
    words = [w.strip().lower() for w in words if w.strip()]
    if not words:
        raise FaithlensError(f"--token-class {value!r} holds no word. Pass comma-separated words (e.g. 'movie,film') or "
                             "a file with one word a line.")
    return words


def run(args) -> int:
    from ..audit.report import CLASSES, audit, check_word_class
    from ..data import load_dataset, select
    from ..files import check_output_file, write_atomic
    from ..model import load_model
    from ..task_inputs import QA_PAIRS_DATA, check_data_task

    from pathlib import Path

    from ..errors import FaithlensError
    from ..options import check_steps
    from .train_model import _check_data_source, check_split_option

    for option, value, low in (("--limit", args.limit, 1), ("--examples", args.examples, 0)):  # before any work
        if value is not None and value < low:
            raise FaithlensError(f"{option} must be an int ≥ {low}. Got {value}.")
    check_steps(args.steps)
    _check_data_source("--data", args.data)
    check_split_option(args.data, args.split)
    written: dict[str, object] = {}  # two reports written to one file: the second replaces the first
    for option, suffix in (("markdown", ".md"), ("html", ".html"), ("json", ".json")):  # checked before any work
        if getattr(args, option):
            path = getattr(args, option)
            resolved = Path(path).expanduser().resolve()
            for other, taken in written.items():
                if Path(taken).expanduser().resolve() == resolved:
                    raise FaithlensError(f"--{option} and {other} name one file, {str(path)!r}: the second report "
                                         "would replace the first. Give each report its own file.")
            setattr(args, option, check_output_file(path, option=f"--{option}", suffix=suffix,
                                                    inputs={"--data": args.data, "--model": args.model}))
            written[f"--{option}"] = path
    _check_plot_names(args)
    classes = list(CLASSES) + ([check_word_class(_words(args.token_class), option="--token-class")] if args.token_class else [])
    model = load_model(args.model)
    data = load_dataset(args.data, split=args.split, labels=False, model=model,  # audit reads no gold labels
                        note=(f"--data {args.data}", "audit"))
    split_check = train_check = None  # the --holdout part against the one the model's card records train held out
    if args.holdout is not None:
        from ..data import holdout
        from ..splits import check_held_out

        data = holdout(data, args.holdout, args.split_seed)[1]
        split_check = check_held_out(model.info, data.info["holdout"]["record"],
                                     items="articles" if data.groups is not None else "examples")
    else:  # the whole file: is it the one the model was trained on?
        from ..splits import check_not_train

        train_check = check_not_train(model.info, args.data)
    data = select(data, limit=AUDIT_LIMIT if args.limit is None else args.limit, seed=args.seed, shuffle=True,
                  said=args.limit is not None)  # the default sample of a smaller file is the whole file, unsaid
    check_data_task(model, data, how=QA_PAIRS_DATA)  # audit has no --pair: questions come with --data
    import warnings

    from ..errors import FaithlensWarning

    with warnings.catch_warnings():  # a FaithlensWarning (e.g. pairs given to a single-text model), each as one line
        warnings.simplefilter("always", FaithlensWarning)
        report = audit(model, list(data.texts), score=args.score, steps=args.steps, n_examples=args.examples,
                       classes=classes, seed=args.seed, truncate=args.truncate)
    report.settings["data"] = _sample_record(args, data)  # where the texts came from: JSON, Markdown, HTML
    if split_check is not None:
        report.settings["held_out_split"] = split_check  # the report says it: JSON settings, Markdown, HTML
    if train_check is not None:
        report.settings["training_data"] = train_check  # beside held_out_split: JSON settings, Markdown, HTML
    if args.sanity:
        from ..audit.sanity import sanity_check, sanity_plot

        report.sanity = sanity_check(model, list(data.texts), seed=args.seed, steps=args.steps, progress=True)
        where = next((p for p in (args.markdown, args.html, args.json) if p), None)
        if where is not None:
            for p in sanity_plot(report.sanity, where.parent / "sanity"):
                print(f"faithlens: wrote {p}", file=sys.stderr)
    images: list[str] = []
    for path in (args.markdown, args.html):  # plots as SVG/PNG next to the Markdown report (it links them), else the HTML
        if path:
            from ..views import plots
            from ..views.reports import write_audit_plots

            if not plots.available():
                print(f"faithlens: no plots written: {plots.INSTALL}", file=sys.stderr)
                break
            written = write_audit_plots(report, path.with_suffix(""))  # check_output_file made its folder
            images = [p.name for p in written if p.suffix == ".png"]
            for p in written:
                print(f"faithlens: wrote {p}", file=sys.stderr)
            break
    for path, text in ((args.markdown, report.to_markdown(images)), (args.html, report.to_html()), (args.json, report.to_json())):
        if path:
            write_atomic(path, text)
            print(f"faithlens: wrote {path}", file=sys.stderr)
    from ..views.terminal import render_markdown

    print(render_markdown(report.to_markdown()), end="")  # drawn as text: tables, bold, lists (plain when piped)
    return 0 if report.level != "untrustworthy" else 1


def _check_plot_names(args) -> None:
    """No report is written over a plot the audit writes beside its reports (`views.reports.write_audit_plots`:
    STEM_shares and STEM_agreement .svg/.png next to the first of --markdown/--html; with --sanity, sanity.svg/.png
    in the first report's folder): the report would replace the plot another report links."""
    from pathlib import Path

    from ..errors import FaithlensError

    first = next((p for p in (args.markdown, args.html) if p), None)
    plots = [first.with_name(f"{first.with_suffix('').name}_{n}{s}") for n in ("shares", "agreement")
             for s in (".svg", ".png")] if first else []
    where = next((p for p in (args.markdown, args.html, args.json) if p), None)
    plots += [where.parent / f"sanity{s}" for s in (".svg", ".png")] if args.sanity and where else []
    taken = {Path(p).expanduser().resolve(): p for p in plots}
    for option in ("markdown", "html", "json"):
        path = getattr(args, option)
        if path and Path(path).expanduser().resolve() in taken:
            raise FaithlensError(f"--{option} {str(path)!r} is the name of a plot the audit writes beside its reports "
                                 f"({', '.join(p.name for p in plots)}): the report would replace it. Give the report "
                                 "another name.")


def _sample_record(args, data) -> dict:
    """The audit's sample as its report records it: the --data as given (and its file's SHA-256), --split, the
    --holdout part, and how many texts were drawn from how many, with which seed."""
    from pathlib import Path

    from ..checkpoint import file_digest

    path = Path(str(args.data)).expanduser()
    selected = data.info.get("selected") or {}
    held = (data.info.get("holdout") or {}).get("record")
    return {"source": str(args.data), "split": args.split, "sha256": file_digest(path) if path.is_file() else None,
            "holdout": {"fraction": held.get("fraction"), "seed": held.get("seed")} if isinstance(held, dict) else None,
            "n": len(data), "available": selected.get("after_filter", len(data)), "seed": args.seed}
