"""Write the merged tables (Table 4 analogue, SIG computations) from the run folders in results/.

python experiments/faithfulness/combine.py   # refreshes every run's table.md/results.*, writes sst2-table4.md, sst2-sig-modes.md,
                            # TABLES.md (all tables) and SIZES.md (examples and compute time per run)
"""
from pathlib import Path

from faithlens.evaluate import agreement_markdown, load_result, merge_runs, read_records, write_outputs

HERE = Path(__file__).resolve().parents[2] / "results"  # the run folders it reads, the tables it writes
JOBS = {
    "sst2-table4.md": (["sst2-mask", "sst2-table4"], ["ig", "ig:steps=250", "ig:steps=10N", "sig", "sig:steps=10"]),
    "sst2-sig-modes.md": (["sst2-mask", "sst2-sig-forward"], ["sig", "sig:mode=forward", "sig:mode=closed"]),
    # 50-step SIG on IMDB needs a GPU (experiments/faithfulness/gpu/device.py); skipped until that folder exists.
    "imdb-sig50.md": (["imdb-mask", "imdb-mask-sig50"], ["sig", "sig:mode=closed", "ig", "dig"]),
    "imdb-pad-sig50.md": (["imdb-pad", "imdb-pad-sig50"], ["sig", "sig:mode=closed", "ig", "dig"]),
}
for folder in sorted(p for p in HERE.iterdir() if (p / "settings.json").exists()):
    if not (folder / "records.jsonl").exists():  # tables kept without their records (plausibility, robustness)
        print(f"kept {folder.name}: no records.jsonl to refresh from")
        continue
    result = load_result(folder)  # refresh each run's tables from its records (works while a run is going)
    write_outputs(result, folder)
    print(f"refreshed {folder.name}: {result.n_examples} examples")

for name, (folders, methods) in JOBS.items():
    dirs = [HERE / f for f in folders]
    if not all((d / "settings.json").exists() for d in dirs):
        print(f"skip {name}: a run folder is missing")
        continue
    present = {r["method"] for d in dirs for r in read_records(d / "records.jsonl")}
    methods = [m for m in methods if m in present]  # e.g. forward-mode SIG not finished yet
    try:
        result = merge_runs(dirs, methods)
    except Exception as exc:  # e.g. no common examples yet
        print(f"skip {name}: {exc}")
        continue
    text = result.markdown() + "\nRank agreement (token scores, attributed tokens):\n\n" + agreement_markdown(result.agreement)
    (HERE / name).write_text(text, encoding="utf-8")
    print(f"wrote {name} ({result.n_examples} examples)")

# All tables in one file, in the paper's order.
ORDER = [
    ("Table 1 analogue — SST-2 dev, SST-2 MiniLM, mask baseline", "sst2-mask/table.md"),
    ("Table 2 analogue — IMDB sample (< 2000 chars), SST-2 MiniLM, mask baseline", "imdb-mask/table.md"),
    ("Table 3 analogue — Rotten Tomatoes test, default model, mask baseline", "rt-mask/table.md"),
    ("Table 4 analogue — SST-2 dev, IG vs SIG step counts (mask baseline)", "sst2-table4.md"),
    ("SIG computed three ways — SST-2 dev (mask baseline)", "sst2-sig-modes.md"),
    ("Table 6 analogue — SST-2 dev, pad baseline", "sst2-pad/table.md"),
    ("Table 7 analogue — IMDB sample, pad baseline", "imdb-pad/table.md"),
    ("Table 8 analogue — Rotten Tomatoes test, pad baseline", "rt-pad/table.md"),
]
parts = []
for title, rel in ORDER:
    path = HERE / rel
    body = path.read_text(encoding="utf-8") if path.exists() else "_not run yet_\n"
    parts.append(f"### {title}\n\n{body}")
(HERE / "TABLES.md").write_text("\n".join(parts), encoding="utf-8")
print("wrote TABLES.md")

# How far each run got, and what it cost: examples per method and summed explanation seconds.
lines = ["| run | methods | examples with every method | examples per method (min–max) | explanation time, summed |",
         "|---|---|---:|---|---:|"]
for folder in sorted(p for p in HERE.iterdir() if (p / "settings.json").exists()):
    records = read_records(folder / "records.jsonl")
    by_method: dict = {}
    for r in records:
        by_method.setdefault(r["method"], set()).add(r["index"])
    if not by_method:
        continue
    common = set.intersection(*by_method.values())
    counts = [len(v) for v in by_method.values()]
    hours = sum(float(r.get("seconds") or 0.0) for r in records) / 3600
    lines.append(f"| {folder.name} | {len(by_method)} | {len(common)} | {min(counts)}–{max(counts)} | {hours:.2f} h |")
(HERE / "SIZES.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
print("wrote SIZES.md")

# The headline: every method of every run on the examples that have all its methods (paired comparison).
def mean_sem(xs: list, fmt: str = ".3f") -> str:
    """'mean ± standard error' of the values ('–' for fewer than two)."""
    n = len(xs)
    if n < 2:
        return "–"
    mean = sum(xs) / n
    sem = (sum((x - mean) ** 2 for x in xs) / (n - 1)) ** 0.5 / n ** 0.5
    return f"{mean:{fmt}} ± {sem:.3f}"


pairs: list = []
RUNS = [("SST-2, mask", "sst2-mask"), ("RT, mask", "rt-mask"), ("IMDB, mask", "imdb-mask"),
        ("SST-2, pad", "sst2-pad"), ("RT, pad", "rt-pad"), ("IMDB, pad", "imdb-pad")]
out = ["Mean ± standard error over the examples that have every method of the run (so every row of a run",
       "uses the same examples). LO ↓, Comp ↑, Suff ↓ at top-20 %.", "",
       "| run | n | method | LO ↓ | Comp ↑ | Suff ↓ |", "|---|---:|---|---|---|---|"]
for title, name in RUNS:
    folder = HERE / name
    if not (folder / "records.jsonl").exists():
        continue
    records = read_records(folder / "records.jsonl")
    by_method: dict = {}
    for r in records:
        by_method.setdefault(r["method"], {})[r["index"]] = r
    common = set.intersection(*(set(v) for v in by_method.values())) if by_method else set()
    common = {i for i in common if all(rows[i].get("k") != 0 for rows in by_method.values())}  # k = 0: no LO/Comp/Suff
    for method, rows in by_method.items():
        cells = [mean_sem([float(rows[i][metric]) for i in sorted(common)])
                 for metric in ("log_odds", "comprehensiveness", "sufficiency")]
        out.append(f"| {title} | {len(common)} | {method} | " + " | ".join(cells) + " |")
    pairs.append((title, by_method, common))


def paired(rows_a: dict, rows_b: dict, idx: list, metric: str) -> str:
    return mean_sem([float(rows_a[i][metric]) - float(rows_b[i][metric]) for i in idx], "+.3f")


out += ["", "Paired differences on the same examples (A − B; for LO and Suff negative favours A, for Comp positive does):", "",
        "| run | n | A − B | LO | Comp | Suff |", "|---|---:|---|---|---|---|"]
for title, by_method, common in pairs:
    sig = "sig" if "sig" in by_method else "sig:mode=closed"
    for a, b in (("ig", sig), ("dig", sig), ("dig", "ig")):
        if a in by_method and b in by_method:
            idx = sorted(common)
            out.append(f"| {title} | {len(idx)} | {a} − {b} | " + " | ".join(
                paired(by_method[a], by_method[b], idx, m) for m in ("log_odds", "comprehensiveness", "sufficiency")) + " |")
runs = {name: {m: rows for m, rows in by_method.items()} for (title, by_method, _), (_, name) in zip(pairs, RUNS)}
out += ["", "Pad baseline minus mask baseline, same method on the same examples (Comp and Suff delete tokens, so",
        "they do not depend on the baseline token; LO replaces with it and is not compared):", "",
        "| data | method | n | Comp (pad − mask) | Suff (pad − mask) |", "|---|---|---:|---|---|"]
for data in ("sst2", "rt", "imdb"):
    mask, pad = runs.get(f"{data}-mask", {}), runs.get(f"{data}-pad", {})
    for method in ("ig", "dig", "gradient_shap", "sig", "sig:mode=closed"):
        if method in mask and method in pad:
            idx = sorted(i for i in set(mask[method]) & set(pad[method]) if mask[method][i].get("k") != 0)
            out.append(f"| {data} | {method} | {len(idx)} | " + " | ".join(
                paired(pad[method], mask[method], idx, m) for m in ("comprehensiveness", "sufficiency")) + " |")
(HERE / "HEADLINE.md").write_text("\n".join(out) + "\n", encoding="utf-8")
print("wrote HEADLINE.md")
