"""Reproduce FACADE (Wang et al. 2020) Table 1/2-style results with faithlens; see README.md here.

Sentiment (single texts), NLI (text pairs) and extractive QA (SQuAD) alike: with --holdout the
examples are the part `faithlens train --holdout` held out (QA: whole articles), the facades having
trained on the rest.

Each part writes its own JSON file under --out as soon as it finishes, so parts can run in
parallel (one thread each) and nothing is lost when one is interrupted:

  accuracy   accuracy (QA: EM/F1) of f, f̃ and g on the whole split, and f/f̃ prediction agreement
  explain    P@1 / mean attribution / MRR per method for one model (--model-key)
  reduce     input reduction, beam 1 and 3, for one model
  hotflip    HotFlip for one model
  audit      `faithlens audit` on one model (Markdown + HTML + JSON)
  tables     Markdown tables from whatever JSON exists
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

from faithlens.audit.hotflip import hotflip
from faithlens.audit.manipulation import Run, explain_runs, manipulation_table
from faithlens.audit.merge import agreement, merge_models
from faithlens.audit.reduction import input_reduction
from faithlens.audit.report import audit
from faithlens.data import holdout, load_dataset, select
from faithlens.model import load_model

TARGET_OF = {"f": None, "merged_stop": "stop_words", "facade_stop": "stop_words",
             "merged_first": "first_token", "facade_first": "first_token"}


def models(args) -> dict:
    """Lazy loaders for f, the two facades and the two intertwined merges."""
    cache: dict = {}

    def get(key):
        if key not in cache:
            if key == "f":
                cache[key] = load_model(args.f)
            elif key.startswith("facade_"):
                path = args.facade_stop if key == "facade_stop" else args.facade_first
                cache[key] = load_model(path)
            else:
                kind = key.split("_")[1]
                cache[key] = merge_models(get("f"), get(f"facade_{kind}"))
                cache[key].name = f"f̃ ({kind} facade)"
        return cache[key]

    return get


def dataset(args, label_names=None):
    """The evaluation examples: --data's --split, or with --holdout the part training held out. Named labels
    (SNLI's) are mapped to indices by `label_names`: the target model's own order."""
    data = load_dataset(args.data, split=args.split, label_names=label_names)
    return holdout(data, args.holdout, args.split_seed)[1] if args.holdout is not None else data


def sample(args) -> list:
    return list(select(dataset(args), limit=args.limit, seed=0, shuffle=True, max_chars=args.max_chars).texts)


def runs(args) -> list[Run]:
    """Cheap runs first; SIG reverse/forward (one path per token) last, on the first --sig-limit texts."""
    out = [Run("saliency"), Run("grad_x_input"), Run("sig", "closed"), Run("occlusion"), Run("deeplift"),
           Run("smoothgrad"), Run("ig", steps=args.ig_steps), Run("gradient_shap"),
           Run("sig", "reverse", args.sig_steps), Run("sig", "forward", args.sig_steps)]
    if args.sig_steps_high:
        out.append(Run("sig", "reverse", args.sig_steps_high))
    return out


def write(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(obj, indent=2, ensure_ascii=False))
    tmp.replace(path)
    print(f"wrote {path}", file=sys.stderr, flush=True)


def part_accuracy(args, get) -> None:
    data = dataset(args, label_names=get("f").labels if get("f").task.name != "qa" else None)
    texts, labels = list(data.texts), list(data.labels)
    out = {"split": data.source + (f" (held out {args.holdout:g}, seed {args.split_seed})" if args.holdout else ""),
           "n": len(texts)}
    if data.answers is not None:  # QA: the official SQuAD v1.1 EM and F1 (best span over each context's windows)
        from faithlens.qa import QAExample, predict_answers, squad_scores

        examples = [QAExample(str(i), "", q, c, a, -1) for i, ((q, c), a) in enumerate(zip(texts, data.answers))]
        path = args.out / "accuracy.json"
        if path.exists():  # kinds computed before are kept (each kind says on how many questions)
            out = {**json.loads(path.read_text()), "split": out["split"]}
        limit = args.accuracy_limit or len(examples)
        examples, answers = examples[:limit], list(data.answers)[:limit]
        predicted = {}

        def answers_of(key):  # one pass over the questions per model; agreement from the same answers
            if key not in predicted:
                m = get(key)
                predicted[key] = predict_answers(m.model, m.tokenizer, examples)
            return predicted[key]

        for kind in args.accuracy_kinds.split(","):
            f_answers, m_answers = answers_of("f"), answers_of(f"merged_{kind}")
            same = sum(a == b for a, b in zip(f_answers, m_answers)) / len(examples)
            out[kind] = {"n": len(examples), "agreement_f_merged": same,
                         "f": squad_scores(f_answers, answers), "merged": squad_scores(m_answers, answers)}
            if not args.skip_facade_accuracy:
                out[kind]["facade"] = squad_scores(answers_of(f"facade_{kind}"), answers)
            write(args.out / "accuracy.json", out)
        return
    for kind in ("stop", "first"):
        res = agreement(get("f"), get(f"merged_{kind}"), texts, labels)
        g = agreement(get(f"facade_{kind}"), get(f"facade_{kind}"), texts, labels)
        out[kind] = {"agreement_f_merged": res["agreement"], "accuracy_f": res.get("accuracy_f"),
                     "accuracy_merged": res.get("accuracy_merged"), "accuracy_facade": g.get("accuracy_f")}
        write(args.out / "accuracy.json", out)


def part_explain(args, get) -> None:
    key = args.model_key
    model = get(key)
    texts = sample(args)
    path = args.out / f"explain_{key}.json"
    rows = json.loads(path.read_text())["rows"] if path.exists() else []  # resume
    done = {r["method"] for r in rows}
    todo = runs(args)
    if args.only:
        by_label = {r.label: r for r in todo}
        todo = [by_label[label] for label in args.only.split(",")]
    for run in todo:
        # one run at a time so progress is saved
        label = run.label if not (run.method == "sig" and run.steps == args.sig_steps_high and args.sig_steps_high) else f"{run.label}@{run.steps}"
        if label in done:
            continue
        costly = run.method == "sig" and run.mode != "closed"
        subset = texts[:args.sig_limit] if costly or args.all_subset else texts
        t0 = time.perf_counter()
        ex = explain_runs(model, subset, [run], score=args.score)
        ex = {label: ex[run.label]}
        targets = [TARGET_OF[key]] if TARGET_OF[key] else ["stop_words", "first_token"]
        entry = {"method": label, "steps": run.steps, "n": len(subset), "seconds": round(time.perf_counter() - t0, 1)}
        for t in targets:
            entry[t] = manipulation_table(model, ex, target=t)[label]
        if args.keep_scores:
            entry["examples"] = [{"tokens": list(e.tokens), "scores": list(e.token_scores)} for e in ex[label].explanations]
        rows.append(entry)
        write(args.out / f"explain_{key}.json", {"model": key, "name": model.name, "n": len(texts), "score": args.score,
                                                 "data": f"{args.data}:{args.split}", "rows": rows})


def part_reduce(args, get) -> None:
    key = args.model_key
    texts = sample(args)[:args.attack_limit]
    out = {"model": key, "n": len(texts)}
    for beam in (1, 3):
        t0 = time.perf_counter()
        out[f"beam_{beam}"] = dict(input_reduction(get(key), texts, beam_size=beam).summary(), seconds=round(time.perf_counter() - t0, 1))
        write(args.out / f"reduce_{key}.json", out)


def part_hotflip(args, get) -> None:
    key = args.model_key
    texts = sample(args)[:args.attack_limit]
    t0 = time.perf_counter()
    out = dict(hotflip(get(key), texts).summary(), seconds=round(time.perf_counter() - t0, 1), key=key)
    write(args.out / f"hotflip_{key}.json", out)


def part_audit(args, get) -> None:
    key = args.model_key
    texts = sample(args)
    report = audit(get(key), texts, score=args.score, steps=args.audit_steps)
    (args.out / f"audit_{key}.md").write_text(report.to_markdown())
    (args.out / f"audit_{key}.html").write_text(report.to_html())
    write(args.out / f"audit_{key}.json", report.to_dict())


def part_tables(args, get) -> None:
    lines = []
    names = {"f": "f", "merged_stop": "f̃ (stop-word facade)", "facade_stop": "g (stop-word facade)",
             "merged_first": "f̃ (first-token facade)", "facade_first": "g (first-token facade)"}
    for target, keys in (("stop_words", ["f", "merged_stop", "facade_stop"]), ("first_token", ["f", "merged_first", "facade_first"])):
        tabs = {k: json.loads((args.out / f"explain_{k}.json").read_text()) for k in keys if (args.out / f"explain_{k}.json").exists()}
        for k, tab in tabs.items():  # SIG reverse/forward run separately (on fewer texts) into --out/sig/
            extra = args.out / "sig" / f"explain_{k}.json"
            if extra.exists():
                have = {r["method"] for r in tab["rows"]}
                tab["rows"] += [r for r in json.loads(extra.read_text())["rows"] if r["method"] not in have]
        if not tabs:
            continue
        order = ["saliency", "grad_x_input", "smoothgrad", "ig", "deeplift", "gradient_shap", "sig:reverse", "sig:forward",
                 "sig:closed", "occlusion"]
        present = {r["method"] for tab in tabs.values() for r in tab["rows"]}
        methods = [m for m in order if m in present] + sorted(present - set(order))
        n = next(iter(tabs.values()))["n"]
        lines += [f"### Target: {target} (n = {n}, score = {next(iter(tabs.values()))['score']}); cells: P@1 / mean attribution", "",
                  "| model | " + " | ".join(methods) + " |", "|---|" + "---|" * len(methods)]
        for k, tab in tabs.items():
            cells = {r["method"]: r[target] for r in tab["rows"] if target in r}
            lines.append(f"| {names[k]} | " + " | ".join(
                f"{cells[m]['p_at_1']:.2f} / {cells[m]['mean_attribution']:.2f}" + (f" (n={cells[m]['n']})" if cells[m]["n"] != n else "")
                if m in cells else "–" for m in methods) + " |")
        lines.append("")
    red = {k: json.loads(p.read_text()) for k in names if (p := args.out / f"reduce_{k}.json").exists()}
    if red:
        lines += ["### Input reduction (of the first text: sentence, premise or question)", "",
                  "| model | beam | original length | reduced length | stop-word share | only stop words |",
                  "|---|---|---|---|---|---|"]
        for k, r in red.items():
            for beam in (1, 3):
                if (b := r.get(f"beam_{beam}")):
                    lines.append(f"| {names[k]} | {beam} | {b['mean_original_length']:.2f} | {b['mean_reduced_length']:.2f} | "
                                 f"{b['stop_word_share']:.2f} | {b['reduced_to_stop_words_only']:.2f} |")
        lines.append("")
    hot = {k: json.loads(p.read_text()) for k in names if (p := args.out / f"hotflip_{k}.json").exists()}
    if hot:
        lines += ["### HotFlip", "", "| model | n | success | mean flips | flip@1 | flip@2 | flip@3 |", "|---|---|---|---|---|---|---|"]
        for k, h in hot.items():
            mf = "–" if h["mean_flips"] is None else f"{h['mean_flips']:.2f}"
            lines.append(f"| {names[k]} | {h['n']} | {h['success_rate']:.2f} | {mf} | {h['flip@1']:.2f} | {h['flip@2']:.2f} | {h['flip@3']:.2f} |")
        lines.append("")
    if (p := args.out / "accuracy.json").exists():
        acc = json.loads(p.read_text())
        if any("f" in acc.get(kind, {}) for kind in ("stop", "first")):  # QA: EM / F1
            lines += [f"### EM / F1 on {acc['split']}", "",
                      "| facade | questions | f | f̃ | g | f/f̃ same answer |", "|---|---|---|---|---|---|"]
            for kind in ("stop", "first"):
                if kind in acc:
                    a = acc[kind]
                    cell = lambda s: "–" if s is None else f"{s['exact_match']:.1f} / {s['f1']:.1f}"  # noqa: E731
                    lines.append(f"| {kind} | {a.get('n', acc['n'])} | {cell(a['f'])} | {cell(a['merged'])} | "
                                 f"{cell(a.get('facade'))} | {a['agreement_f_merged']:.4f} |")
        else:
            lines += [f"### Accuracy on {acc['split']} (n = {acc['n']})", "", "| facade | acc f | acc f̃ | acc g | f/f̃ agreement |", "|---|---|---|---|---|"]
            for kind in ("stop", "first"):
                if kind in acc:
                    a = acc[kind]
                    lines.append(f"| {kind} | {a['accuracy_f']:.4f} | {a['accuracy_merged']:.4f} | {a['accuracy_facade']:.4f} | {a['agreement_f_merged']:.4f} |")
        lines.append("")
    (args.out / "tables.md").write_text("\n".join(lines))
    print("\n".join(lines))


def main() -> None:
    p = argparse.ArgumentParser(allow_abbrev=False, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("part", choices=["accuracy", "explain", "reduce", "hotflip", "audit", "tables"])
    p.add_argument("--model-key", choices=list(TARGET_OF), default="f")
    p.add_argument("--f", required=True)
    p.add_argument("--facade-stop", required=True)
    p.add_argument("--facade-first", required=True)
    p.add_argument("--data", default="rotten_tomatoes")
    p.add_argument("--split", default="test")
    p.add_argument("--holdout", type=float, default=None, help="evaluate on the part `faithlens train --holdout` held out")
    p.add_argument("--split-seed", type=int, default=0)
    p.add_argument("--limit", type=int, default=100)
    p.add_argument("--accuracy-limit", type=int, default=None, help="QA accuracy: the first N held-out questions")
    p.add_argument("--accuracy-kinds", default="stop,first", help="QA accuracy: which merges (comma-separated)")
    p.add_argument("--skip-facade-accuracy", action="store_true", help="QA accuracy: not g alone")
    p.add_argument("--max-chars", type=int, default=None,
                   help="explain, reduce and audit only examples shorter than this (characters of both texts; "
                        "QA: SIG's closed form costs one forward per token, so its cost grows with the square of the length)")
    p.add_argument("--score", default="log_prob")
    p.add_argument("--ig-steps", type=int, default=20)
    p.add_argument("--sig-steps", type=int, default=10)
    p.add_argument("--sig-steps-high", type=int, default=None)
    p.add_argument("--only", default=None, help="comma-separated run labels, in this order (default: all)")
    p.add_argument("--all-subset", action="store_true", help="every run on the first --sig-limit texts")
    p.add_argument("--keep-scores", action="store_true", help="store per-example token scores in the JSON")
    p.add_argument("--sig-limit", type=int, default=20, help="texts for SIG reverse/forward (the costly runs)")
    p.add_argument("--attack-limit", type=int, default=30, help="texts for input reduction and HotFlip")
    p.add_argument("--audit-steps", type=int, default=20)
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args()
    torch.set_num_threads(1)
    globals()[f"part_{args.part}"](args, models(args))


if __name__ == "__main__":
    main()
