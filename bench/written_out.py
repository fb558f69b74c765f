"""The written-out BERT forward ([CLS]-only last layer) against the model's own transformers forward.

Run: OMP_NUM_THREADS=1 python bench/written_out.py [--model PATH] [--repeats 3]
Times IG (50 steps, reverse mode) and closed-form SIG through `Explainer.explain` on prefixes of
one fixed text cut to 32, 128 and 256 tokens, alternating the two forwards inside each repeat
(side by side, so load changes hit both). Prints CPU-second medians, their ratio, and the largest
token-score difference between the two forwards. Uses the bundled default model unless --model.
"""
import argparse
import statistics
import time

import torch

import faithlens.jvp as jvp
from faithlens import Explainer
from faithlens.model import load_model

TEXT = ("the film opens with a long, quiet shot of the harbour and never quite recovers its nerve ; "
        "the actors are good , the score is lovely , but the script keeps explaining what we have already seen . ")


def main() -> None:
    ap = argparse.ArgumentParser(allow_abbrev=False)
    ap.add_argument("--model", default=None)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(1)
    model = load_model(args.model)
    ex = Explainer(model)
    supported = jvp.supports
    ids = model.tokenizer(TEXT * 20, add_special_tokens=False)["input_ids"]
    print("| tokens | method | own forward (s) | written out (s) | ratio | max |Δ score| |")
    print("|---:|---|---:|---:|---:|---:|")
    for n in (32, 128, 256):
        text = model.tokenizer.decode(ids[: n - 2])
        for method, kw in (("ig", {}), ("sig", {"mode": "closed"})):
            times: dict = {True: [], False: []}
            scores: dict = {}
            for _ in range(args.repeats):
                for written in (True, False):
                    jvp.supports = supported if written else (lambda m: False)
                    t0 = time.process_time()
                    scores[written] = ex.explain(text, method, **kw).token_scores
                    times[written].append(time.process_time() - t0)
            jvp.supports = supported
            own, mine = statistics.median(times[False]), statistics.median(times[True])
            diff = max(abs(a - b) for a, b in zip(scores[True], scores[False]))
            print(f"| {n} | {method}{' closed' if kw else ''} | {own:.2f} | {mine:.2f} | {own / mine:.2f}× | {diff:.1e} |")


if __name__ == "__main__":
    main()
