"""Summaries of a bench run: ratios, Markdown, and the time-vs-length plot."""

from __future__ import annotations

import statistics
from pathlib import Path

# (faithlens method, peer, target ratio peer/faithlens or None)
PAIRS = [
    ("faithlens_sig_reverse", "tint_sig", 3.0),
    ("faithlens_sig_forward", "tint_sig", None),
    ("faithlens_sig_closed", "tint_sig", 50.0),
    ("faithlens_sig_forward", "faithlens_sig_reverse", 1.0),
    ("faithlens_ig", "captum_ig", 1.0),
    ("faithlens_ig_core", "captum_ig", 1.0),
]
LABELS = {
    "tint_sig": "tint SIG (reference)",
    "faithlens_sig_reverse": "faithlens SIG reverse",
    "faithlens_sig_forward": "faithlens SIG forward",
    "faithlens_sig_closed": "faithlens SIG closed form",
    "captum_ig": "Captum IG",
    "faithlens_ig": "faithlens IG",
    "faithlens_ig_core": "faithlens IG (method core, like Captum's attribute)",
}


def summarise_sentences(runs: list[dict]) -> dict:
    """Median time per method (over texts of the median over repeats), ratios, texts per second."""
    names = sorted({name for run in runs for name in run["times"]})
    per_text = {n: [statistics.median(r["times"][n]) for r in runs if n in r["times"]] for n in names}
    wall = {n: [statistics.median(r["wall_times"][n]) for r in runs if n in r.get("wall_times", {})] for n in names}
    summary: dict = {"median_seconds": {n: statistics.median(v) for n, v in per_text.items() if v},
                     "median_wall_seconds": {n: statistics.median(v) for n, v in wall.items() if v},
                     "texts_per_second": {n: len(v) / sum(v) for n, v in per_text.items() if v},
                     "ratios": []}
    for ours, peer, target in PAIRS:
        if ours not in per_text or peer not in per_text:
            continue
        ratios = [p / o for o, p in zip(per_text[ours], per_text[peer])]
        ratio = statistics.median(ratios)
        summary["ratios"].append({"faithlens": ours, "peer": peer, "ratio_median": ratio,
                                  "ratio_min": min(ratios), "ratio_max": max(ratios), "target": target,
                                  "met": None if target is None else bool(ratio >= target)})
    agreement: dict = {}
    for run in runs:
        for key, check in run["agreement"].items():
            a = agreement.setdefault(key, {"check": check["check"], "agree": True, "worst_max_abs_diff": 0.0,
                                           "min_spearman": 1.0})
            a["agree"] &= check["agree"]
            a["worst_max_abs_diff"] = max(a["worst_max_abs_diff"], check["max_abs_diff"])
            a["min_spearman"] = min(a["min_spearman"], check["spearman"])
    summary["agreement"] = agreement
    return summary


def summarise_lengths(points: list[dict]) -> list[dict]:
    """Extrapolated ratios per length."""
    rows = []
    for p in points:
        t = p["extrapolated_seconds"]
        row = {"tokens": p["tokens"]}
        for ours, peer, _ in PAIRS:
            if ours in t and peer in t:
                row[f"{peer}/{ours}"] = t[peer] / t[ours]
        rows.append(row)
    return rows


def markdown(result: dict) -> str:
    m = result["machine"]
    s = result.get("sst2_summary", {})
    lines = [
        "# faithlens benchmark",
        "",
        f"- Command: `{result['command']}`  ",
        f"- Model: {result['model']}  ",
        f"- Settings: {result['settings']}  ",
        f"- Machine: {m['cpu_count']} CPUs, torch {m['torch']} with {m['torch_threads']} thread(s), Python {m['python']}.  ",
        f"- Load average (1/5/15 min) at start {m['load_average_1_5_15']}, at end {result.get('load_average_end')}: "
        "the 2 cores were shared with other jobs. Times are CPU seconds of the bench process (one torch thread), "
        "which the queue for the cores does not inflate; wall seconds are in bench.json. Every ratio compares "
        "methods run back to back on the same input in the same process.  ",
        f"- Wall time of the whole bench: {result.get('wall_seconds', 0):.0f} s.",
        "",
    ]
    if s:
        lines += [f"## SST-2 dev sentences: full runs ({len(result['sst2'])} sentences, "
                  f"{', '.join(str(r['tokens']) for r in result['sst2'])} tokens)", "",
                  "Timing: faithlens through the public `Explainer.explain` (tokenisation, prediction and the "
                  "per-position deltas included); peers only their `attribute` call.", "",
                  "| method | median CPU s / sentence | sentences / CPU s | median wall s |", "|---|---:|---:|---:|"]
        for name, sec in sorted(s["median_seconds"].items(), key=lambda kv: -kv[1]):
            lines.append(f"| {LABELS.get(name, name)} | {sec:.3f} | {s['texts_per_second'][name]:.3f} | "
                         f"{s['median_wall_seconds'][name]:.3f} |")
        lines += ["", "| ratio (peer time / faithlens time) | median | min..max | target | met |", "|---|---:|---:|---:|---|"]
        for r in s["ratios"]:
            target = "-" if r["target"] is None else f"≥ {r['target']:g}×"
            met = "-" if r["met"] is None else ("yes" if r["met"] else "**no**")
            lines.append(f"| {LABELS[r['peer']]} / {LABELS[r['faithlens']]} | {r['ratio_median']:.2f}× | "
                         f"{r['ratio_min']:.2f}..{r['ratio_max']:.2f} | {target} | {met} |")
        lines += ["", "| agreement | check | worst max abs diff (normalised) | min Spearman | agree |", "|---|---|---:|---:|---|"]
        for key, a in s["agreement"].items():
            lines.append(f"| {key} | {a['check']} | {a['worst_max_abs_diff']:.2e} | {a['min_spearman']:.4f} | "
                         f"{'yes' if a['agree'] else '**no**'} |")
        lines.append("")
    if result.get("lengths"):
        lines += ["## Time vs input length (IMDB review prefixes, extrapolated from timed path points)", "",
                  "Each full run is a fixed number of identical path points (SIG: positions × steps; tint also "
                  "loops over [CLS]/[SEP]; IG: steps; closed form: positions + 1). The time per point is measured on "
                  "the real code paths (one iteration of tint's position loop; faithlens's cores on one path) and "
                  "multiplied by the number of points. CPU seconds for one input:", ""]
        names = [n for n in LABELS if n in result["lengths"][0]["extrapolated_seconds"]]
        lines += ["| tokens | points timed | " + " | ".join(LABELS[n] for n in names) + " |",
                  "|---:|---:|" + "---:|" * len(names)]
        for p in result["lengths"]:
            lines.append(f"| {p['tokens']} | {p['probe_rows']} | "
                         + " | ".join(f"{p['extrapolated_seconds'][n]:.3g}" for n in names) + " |")
        lines += ["", "Ratios (peer / faithlens) by length:", ""]
        keys = [k for k in result["length_ratios"][0] if k != "tokens"]
        lines += ["| tokens | " + " | ".join(keys) + " |", "|---:|" + "---:|" * len(keys)]
        for row in result["length_ratios"]:
            lines.append(f"| {row['tokens']} | " + " | ".join(f"{row[k]:.2f}" for k in keys) + " |")
        lines += ["", "![time vs length](time_vs_length.png)", ""]
    if result.get("long_agreement"):
        a = result["long_agreement"]
        lines += [f"Long-input agreement ({a['tokens']} tokens, position {a['position']}, {result['settings']['steps']} steps, "
                  f"normalised by the full run's norm): reverse vs tint {a['reverse_vs_tint_normalised']:.1e}, "
                  f"forward vs tint {a['forward_vs_tint_normalised']:.1e}.", ""]
    if result.get("memory"):
        lines += ["## Peak memory (one pass; RSS added by the computation, fresh process)", "",
                  "| method | tokens | rows in one pass | peak added MiB |", "|---|---:|---:|---:|"]
        for r in result["memory"]:
            if "error" in r:
                lines.append(f"| {LABELS.get(r['method'], r['method'])} | - | - | error: {r['error']} |")
            else:
                lines.append(f"| {LABELS.get(r['method'], r['method'])} | {r['tokens']} | {r['rows_in_one_pass']} | "
                             f"{r['peak_added_mib']} |")
        lines.append("")
    return "\n".join(lines)


def plot(result: dict, path: Path) -> None:
    """The time-vs-length figure, drawn by faithlens's one plotting module (`faithlens.views.plots`)."""
    from faithlens.views import plots

    fig = plots.time_vs_length_figure(
        result["lengths"], LABELS, dashed=("tint_sig", "captum_ig"),
        title=f"Cost vs length, {result['settings']['steps']} steps, {result['machine']['torch_threads']} CPU thread(s)")
    plots.save(fig, path.with_suffix(""), formats=(path.suffix.lstrip("."),))


def main(argv: list[str] | None = None) -> int:
    """Rewrite bench.md and the plot from a bench.json: python -m bench.report [bench/results/bench.json]."""
    import json
    import sys

    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else Path(__file__).resolve().parent / "results" / "bench.json"
    result = json.loads(path.read_text())
    (path.parent / "bench.md").write_text(markdown(result))
    if result.get("lengths"):
        plot(result, path.parent / "time_vs_length.png")
    print(path.parent / "bench.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
