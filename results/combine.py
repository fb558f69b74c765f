"""Write the merged tables (Table 4 analogue, SIG computations) from the run folders in results/.

python results/combine.py   # refreshes every run's table.md/results.*, writes sst2-table4.md and sst2-sig-modes.md
"""
from pathlib import Path

from faithlens.evaluate import agreement_markdown, load_result, merge_runs, write_outputs

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
    try:
        result = merge_runs(dirs, methods)
    except Exception as exc:  # e.g. no common examples yet
        print(f"skip {name}: {exc}")
        continue
    text = result.markdown() + "\nRank agreement (token scores, attributed tokens):\n\n" + agreement_markdown(result.agreement)
    (HERE / name).write_text(text, encoding="utf-8")
    print(f"wrote {name} ({result.n_examples} examples)")
