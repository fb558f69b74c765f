"""Write the merged tables (Table 4 analogue, SIG computations) from the run folders in results/.

python results/combine.py   # refreshes every run's table.md/results.*, writes sst2-table4.md and sst2-sig-modes.md
"""
from pathlib import Path

from faithlens.evaluate import agreement_markdown, load_result, merge_runs, read_records, write_outputs

HERE = Path(__file__).parent
JOBS = {
    "sst2-table4.md": (["sst2-mask", "sst2-table4"], ["ig", "ig:steps=250", "ig:steps=10N", "sig", "sig:steps=10"]),
    "sst2-sig-modes.md": (["sst2-mask", "sst2-sig-forward"], ["sig", "sig:mode=forward", "sig:mode=closed"]),
}
for folder in sorted(p for p in HERE.iterdir() if (p / "settings.json").exists()):
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
