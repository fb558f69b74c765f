"""Levels of the calibrated verdict from calibrate_verdict.py's JSON lines (the rule of faithlens.audit.report.judge)."""
import json
import sys
from collections import defaultdict

LEVEL, MIN_SHIFT = 0.05, 0.10


def level(tests: dict) -> tuple[str, list[str]]:
    strong, weak = [], []
    for method, classes in tests.items():
        for c, t in classes.items():
            d = t["mean_difference"] or 0.0
            if t["p_holm"] < LEVEL and d >= MIN_SHIFT:
                strong.append(f"{method}/{c} {d:+.2f} (Holm p {t['p_holm']:.1g})")
            elif (t["p_holm"] < LEVEL and d >= MIN_SHIFT / 2) or (t["p"] < LEVEL and d >= MIN_SHIFT):
                weak.append(f"{method}/{c} {d:+.2f} (p {t['p']:.1g}, Holm {t['p_holm']:.1g})")
    return ("untrustworthy" if strong else "caution" if weak else "ok"), strong or weak


rows = [json.loads(line) for path in sys.argv[1:] for line in open(path) if line.strip()]
by = defaultdict(list)
print("| model | sample seed | level | evidence | largest excess (method/class) |\n|---|---|---|---|---|")
for r in sorted(rows, key=lambda r: (r["model"], r["seed"])):
    lvl, why = level(r["tests"])
    by[r["model"]].append(lvl)
    big = max(((t["mean_difference"] or 0, f"{m}/{c}") for m, cs in r["tests"].items() for c, t in cs.items()))
    print(f"| {r['model']} | {r['seed']} | {lvl} | {'; '.join(why) or '–'} | {big[0]:+.2f} {big[1]} |")
print("\n| model | samples | ok | caution | untrustworthy |\n|---|---|---|---|---|")
for m, levels in sorted(by.items()):
    print(f"| {m} | {len(levels)} | {levels.count('ok')} | {levels.count('caution')} | {levels.count('untrustworthy')} |")
