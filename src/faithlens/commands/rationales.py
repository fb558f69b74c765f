"""`faithlens rationales sst2`: a word-rationale file for SST-2 sentences from SST's human phrase labels."""

from __future__ import annotations

import argparse
import sys

NOTE = ("This is a LEXICON rationale: a word is marked because SST's annotators rated it, alone, as positive or "
        "negative (GLUE kept single-word phrases with sentiment ≤ 0.4 or > 0.6), wherever it occurs — not because a "
        "reader marked it as the reason for this sentence's label. Most SST-2 dev sentences (at least 590 of GLUE's 872, "
        "compared by letters and digits) are also in the Rotten Tomatoes training split the default model was fine-tuned "
        "on (SST was built from those snippets), so its explanations of them explain training examples.")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "rationales", help="build a human-rationale file for `evaluate --rationales` (SST-2 lexicon rationales)",
        description="Build a rationale file (JSONL) for `faithlens evaluate --rationales FILE`. " + NOTE,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    sub = p.add_subparsers(dest="source", metavar="SOURCE")
    s = sub.add_parser(
        "sst2", help="word rationales for SST-2 sentences from the single-word phrases of GLUE's SST-2 train.tsv",
        description="Mark, in each sentence of --data, the words that SST's annotators labelled alone with the sentence's "
                    "label (--polarity label) or with either label (--polarity any); words listed with both labels are "
                    "dropped, sentences without a marked word get no line. " + NOTE,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    s.add_argument("--train", required=True, metavar="PATH", help="GLUE SST-2 train.tsv (SST's phrases and their labels)")
    s.add_argument("--data", required=True, metavar="PATH", help="the SST-2 file to annotate, e.g. GLUE's dev.tsv")
    s.add_argument("--out", required=True, metavar="FILE",
                   help="the rationale file to write (JSONL); an existing file is replaced, as explain --html and "
                        "audit's reports are (only model folders ask for --overwrite)")
    s.add_argument("--polarity", default="label", choices=("label", "any"),
                   help="mark words with the sentence's own label, or every sentiment word")
    s.set_defaults(run=run)
    p.set_defaults(run=lambda args: (p.print_help(), 2)[1])


def run(args) -> int:
    import json

    from ..files import check_output_file, write_atomic
    from ..plausibility import sst2_lexicon_rationales

    out = check_output_file(args.out, option="--out", suffix=".jsonl", inputs={"--train": args.train, "--data": args.data})
    lines = sst2_lexicon_rationales(args.train, args.data, polarity=args.polarity)
    write_atomic(out, "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    words = sum(len(line["spans"]) for line in lines)
    print(f"faithlens rationales: {len(lines)} sentences with a rationale ({words / max(1, len(lines)):.2f} words each on "
          f"average) written to {out}. {NOTE}", file=sys.stderr)
    return 0
