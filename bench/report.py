"""Summaries of a bench run: ratios, Markdown, and the time-vs-length plot."""

from __future__ import annotations

import statistics
from pathlib import Path

# (faithlens method, peer, target ratio peer/faithlens or None)
PAIRS = [
    ("faithlens_sig_reverse_adaptive", "tint_sig", 3.0),
    ("faithlens_sig_forward_adaptive", "tint_sig", None),
    ("faithlens_sig_reverse", "tint_sig", None),
    ("faithlens_sig_forward", "tint_sig", None),
    ("faithlens_sig_closed", "tint_sig", 80.0),
    ("faithlens_sig_forward", "faithlens_sig_reverse", 1.0),
    ("faithlens_sig_forward_adaptive", "faithlens_sig_reverse_adaptive", None),
    ("faithlens_ig_adaptive", "captum_ig", 2.0),
    ("faithlens_ig", "captum_ig", None),
    ("faithlens_ig_core", "captum_ig", None),
]
PEERS = ["transformers_interpret_same", "ferret_ig_same", "captum_layer_ig_same",
         "transformers_interpret_defaults", "ferret_ig_defaults", "captum_layer_ig_defaults"]
PAIRS += [(ours, peer, None) for peer in PEERS for ours in ("faithlens_ig", "faithlens_ig_adaptive")]
LABELS = {
    "tint_sig": "tint SIG, 50 steps (reference)",
    "faithlens_sig_reverse": "faithlens SIG reverse, 50 steps",
    "faithlens_sig_forward": "faithlens SIG forward, 50 steps",
    "faithlens_sig_reverse_adaptive": "faithlens SIG reverse, error-controlled (per-feature attributions)",
    "faithlens_sig_forward_adaptive": "faithlens SIG forward, error-controlled",
    "faithlens_sig_closed": "faithlens SIG closed form",
    "captum_ig": "Captum IG, 50 steps",
    "faithlens_ig": "faithlens IG, 50 steps",
    "faithlens_ig_adaptive": "faithlens IG, error-controlled",
    "faithlens_ig_core": "faithlens IG, 50 steps (method core, like Captum's attribute)",
    "transformers_interpret_same": "transformers-interpret, same settings",
    "transformers_interpret_defaults": "transformers-interpret, its defaults",
    "ferret_ig_same": "ferret IG, same settings",
    "ferret_ig_defaults": "ferret IG, its defaults",
    "captum_layer_ig_same": "Captum LayerIG on the HF forward, same settings",
    "captum_layer_ig_defaults": "Captum LayerIG on the HF forward, its defaults",
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
            a["tolerance"] = check.get("tolerance")
    summary["agreement"] = agreement
    gaps = [r["gaps"] for r in runs if r.get("gaps")]
    if gaps:
        summary["gaps"] = {
            "median_captum_ig": statistics.median(g["captum_ig"] for g in gaps),
            "median_faithlens_ig": statistics.median(g["faithlens_ig"] for g in gaps),
            "median_faithlens_ig_adaptive": statistics.median(g["faithlens_ig_adaptive"] for g in gaps),
            "adaptive_no_larger_than_captum": sum(g["faithlens_ig_adaptive"] <= g["captum_ig"] for g in gaps),
            "texts": len(gaps),
        }
    nodes: dict = {}
    for r in runs:
        for name, n in r.get("nodes", {}).items():
            d = nodes.setdefault(name, {"paths": 0, "nodes": 0, "flagged": 0, "max": 0})
            d["paths"] += len(n["per_path"])
            d["nodes"] += sum(n["per_path"])
            d["flagged"] += n["flagged"]
            d["max"] = max(d["max"], max(n["per_path"]))
    for d in nodes.values():
        d["mean"] = d["nodes"] / max(d["paths"], 1)
    summary["nodes"] = nodes
    per_feature = [r["per_feature_max_abs_diff"] for r in runs if "per_feature_max_abs_diff" in r]
    if per_feature:
        summary["per_feature_worst"] = max(per_feature)
    return summary


def targets(result: dict) -> list[dict]:
    """The issue's targets, each with what was measured and whether it is met (None: not measured)."""
    s = result.get("sst2_summary", {})
    ratio = {(r["faithlens"], r["peer"]): r for r in s.get("ratios", [])}
    agree = s.get("agreement", {})
    out = []

    def add(name, target, measured, met, note=""):
        out.append({"target": name, "required": target, "measured": measured, "met": met, "note": note})

    r = ratio.get(("faithlens_sig_reverse_adaptive", "tint_sig"))
    a = agree.get("faithlens_sig_reverse_adaptive vs tint_sig")
    if r and a:
        add("SIG reverse with per-feature attributions vs tint (50 steps)", "≥ 3× at max |Δ| ≤ 1e-3 (normalised)",
            f"{r['ratio_median']:.2f}× (min {r['ratio_min']:.2f}), max |Δ| {a['worst_max_abs_diff']:.1e}",
            bool(r["ratio_median"] >= 3.0 and a["worst_max_abs_diff"] <= 1e-3))
    r = ratio.get(("faithlens_ig_adaptive", "captum_ig"))
    g = s.get("gaps")
    if r and g:
        add("IG vs Captum IG (50 steps)", "≥ 2× at |completeness gap| ≤ Captum's",
            f"{r['ratio_median']:.2f}× (min {r['ratio_min']:.2f}); gap ≤ Captum's on {g['adaptive_no_larger_than_captum']}"
            f"/{g['texts']} texts (median {g['median_faithlens_ig_adaptive']:.1e} vs {g['median_captum_ig']:.1e})",
            bool(r["ratio_median"] >= 2.0 and g["adaptive_no_larger_than_captum"] == g["texts"]))
    lengths = result.get("length_ratios") or []
    if lengths:
        key = "faithlens_sig_reverse/faithlens_sig_forward"
        worst = min(lengths, key=lambda row: row.get(key, 1.0))
        auto = result.get("auto_mode", [])
        picks_faster = all(p["picks_faster"] for p in auto) if auto else None
        met = worst.get(key, 0) >= 1.0 or bool(picks_faster)
        note = ("forward is slower at some lengths; `mode=\"auto\"` (the default) picks the faster mode by length"
                if worst.get(key, 0) < 1.0 and auto else "")
        add("SIG forward no slower than reverse up to 512 tokens (or auto picks the faster)", "≥ 1× at every length",
            f"reverse/forward {worst.get(key, float('nan')):.2f}× at {worst['tokens']} tokens (worst); "
            + (f"auto picks the faster mode at {sum(p['picks_faster'] for p in auto)}/{len(auto)} lengths" if auto else ""),
            met, note)
    r = ratio.get(("faithlens_sig_closed", "tint_sig"))
    if r:
        add("SIG closed form vs tint (50 steps)", "≥ 80×", f"{r['ratio_median']:.1f}× (min {r['ratio_min']:.1f})",
            bool(r["ratio_median"] >= 80.0))
    st = result.get("startup")
    if st:
        wall = st["median_wall"]
        slowest = max(wall["faithlens --version"], wall["faithlens --help"])
        add("`faithlens --version` and `--help` without torch", "< 0.5 s",
            f"{wall['faithlens --version']:.2f} s / {wall['faithlens --help']:.2f} s wall "
            f"(`python -c pass`: {wall['python -c pass']:.2f} s)", bool(slowest < 0.5),
            "tests/test_cli_startup.py checks in a subprocess that neither imports torch")
        key = "faithlens explain (sig, 50 steps)"
        cpu, w = st["explain_over_baseline_cpu"][key], st["explain_over_baseline_wall"][key]
        add("`faithlens explain` on the default model vs `import torch, transformers` + one forward", "≤ 1.3×",
            f"{cpu:.2f}× CPU, {w:.2f}× wall ({st['median_cpu'][key]:.2f} vs "
            f"{st['median_cpu']['import torch, transformers + one forward']:.2f} CPU s)", bool(max(cpu, w) <= 1.3))
    return out


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
        "the cores were shared with other jobs. Times are CPU seconds of the bench process (one torch thread), "
        "which the queue for the cores does not inflate; wall seconds are in bench.json. Every ratio compares "
        "methods run back to back on the same input in the same process, after their scores were compared.  ",
        f"- Wall time of the whole bench: {result.get('wall_seconds', 0):.0f} s.",
        "",
    ]
    goals = targets(result)
    if goals:
        lines += ["## Targets", "", "| target | required | measured | met |", "|---|---|---|---|"]
        cell = lambda text: str(text).replace("|", "\\|")  # noqa: E731  (|Δ| inside a table cell)
        for t in goals:
            met = "**yes**" if t["met"] else "**no**"
            lines.append(f"| {cell(t['target'])} | {cell(t['required'])} | {cell(t['measured'])} | {met} |")
        lines += [""] + [f"- {t['target']}: {t['note']}" for t in goals if t["note"]] + [""]
    if s:
        lines += [f"## SST-2 dev sentences: full runs ({len(result['sst2'])} sentences, "
                  f"{', '.join(str(r['tokens']) for r in result['sst2'])} tokens)", "",
                  "Timing: faithlens through the public `Explainer.explain` (tokenisation, prediction, the closed "
                  "form the error control needs, and the per-position deltas included); tint and Captum through their "
                  "`attribute` call only; transformers-interpret and ferret through their explainer call (they "
                  "tokenise and predict themselves).", "",
                  "| method | median CPU s / sentence | sentences / CPU s | median wall s |", "|---|---:|---:|---:|"]
        for name, sec in sorted(s["median_seconds"].items(), key=lambda kv: -kv[1]):
            lines.append(f"| {LABELS.get(name, name)} | {sec:.3f} | {s['texts_per_second'][name]:.3f} | "
                         f"{s['median_wall_seconds'][name]:.3f} |")
        lines += ["", "| ratio (peer time / faithlens time) | median | min..max | target | met |", "|---|---:|---:|---:|---|"]
        for r in s["ratios"]:
            target = "-" if r["target"] is None else f"≥ {r['target']:g}×"
            met = "-" if r["met"] is None else ("yes" if r["met"] else "**no**")
            lines.append(f"| {LABELS.get(r['peer'], r['peer'])} / {LABELS.get(r['faithlens'], r['faithlens'])} | "
                         f"{r['ratio_median']:.2f}× | {r['ratio_min']:.2f}..{r['ratio_max']:.2f} | {target} | {met} |")
        lines += ["", "Agreement (checked before any time counts; max |difference| of L2-normalised token scores, "
                  "or Spearman for the closed form, the infinite-step limit):", "",
                  "| agreement | check | worst max abs diff (normalised) | min Spearman | required | agree |",
                  "|---|---|---:|---:|---:|---|"]
        for key, a in s["agreement"].items():
            req = a.get("tolerance")
            req = "-" if req is None else (f"≥ {req:g}" if a["check"] == "spearman" else f"≤ {req:g}")
            lines.append(f"| {key} | {a['check']} | {a['worst_max_abs_diff']:.2e} | {a['min_spearman']:.4f} | {req} | "
                         f"{'yes' if a['agree'] else '**no**'} |")
        lines.append("")
        if s.get("nodes"):
            lines += ["Error-controlled runs (default tolerance): quadrature nodes per path (SIG: per token; IG: per "
                      "text) against 50 for the fixed-step runs; a flagged path missed the tolerance at the last level.", "",
                      "| run | paths | mean nodes | max nodes | flagged |", "|---|---:|---:|---:|---:|"]
            for name, d in s["nodes"].items():
                lines.append(f"| {LABELS.get(name, name)} | {d['paths']} | {d['mean']:.1f} | {d['max']} | {d['flagged']} |")
            lines.append("")
        if s.get("per_feature_worst") is not None:
            lines += [f"Per-feature attributions of the error-controlled reverse run against the 50-step run: worst "
                      f"max |ΔA_id| / ‖A‖ = {s['per_feature_worst']:.1e}.", ""]
        if s.get("gaps"):
            g = s["gaps"]
            lines += [f"IG completeness gap |Σ a − (F(w) − F(w̄))|, median over texts: Captum IG (50 steps) "
                      f"{g['median_captum_ig']:.2e}, faithlens IG (50 steps) {g['median_faithlens_ig']:.2e}, "
                      f"faithlens IG error-controlled {g['median_faithlens_ig_adaptive']:.2e}; error-controlled ≤ "
                      f"Captum on {g['adaptive_no_larger_than_captum']}/{g['texts']} texts.", ""]
    if result.get("lengths"):
        lines += ["## Time vs input length (IMDB review prefixes, extrapolated from timed path points)", "",
                  "Each full run is a fixed number of identical path points (SIG: positions × steps; tint also "
                  "loops over [CLS]/[SEP]; IG: steps; closed form: positions + 1). The time per point is measured on "
                  "the real code paths (one iteration of tint's position loop; faithlens's cores on one path) and "
                  "multiplied by the number of points. CPU seconds for one input at 50 steps:", ""]
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
        if result.get("auto_mode"):
            lines += ["`mode=\"auto\"` (the default of `explain`) at each length: the mode it picks and the faster "
                      "one measured above.", "", "| tokens | auto picks | faster measured | reverse/forward |",
                      "|---:|---|---|---:|"]
            for p in result["auto_mode"]:
                lines.append(f"| {p['tokens']} | {p['picks']} | {p['faster']} | {p['reverse_over_forward']:.2f} |")
            lines.append("")
    if result.get("long_agreement"):
        a = result["long_agreement"]
        lines += [f"Long-input agreement ({a['tokens']} tokens, position {a['position']}, {result['settings']['steps']} steps, "
                  f"normalised by the full run's norm): reverse vs tint {a['reverse_vs_tint_normalised']:.1e}, "
                  f"forward vs tint {a['forward_vs_tint_normalised']:.1e}.", ""]
    if result.get("explain_memory"):
        lines += ["## Peak memory of a whole `explain` process (7-token text, default model, fresh process each)", "",
                  "Floor: the process after loading the model and one forward pass (`Explainer.predict`); peak: after "
                  "`explain`. The first row is a plain transformers script (import, from_pretrained, one forward).", "",
                  "| run | floor MiB | peak MiB | added MiB |", "|---|---:|---:|---:|"]
        for r in result["explain_memory"]:
            if "error" in r:
                lines.append(f"| {r['run']} | - | - | error: {r['error']} |")
            else:
                lines.append(f"| {r['run']} | {r.get('floor_mib', '-')} | {r['peak_mib']} | {r.get('added_mib', '-')} |")
        lines.append("")
    if result.get("memory"):
        lines += ["## Peak memory of one chunk at 512 tokens (RSS added by the computation, fresh process)", "",
                  "| method | tokens | rows in one pass | peak added MiB |", "|---|---:|---:|---:|"]
        for r in result["memory"]:
            if "error" in r:
                lines.append(f"| {LABELS.get(r['method'], r['method'])} | - | - | error: {r['error']} |")
            else:
                lines.append(f"| {LABELS.get(r['method'], r['method'])} | {r['tokens']} | {r['rows_in_one_pass']} | "
                             f"{r['peak_added_mib']} |")
        lines.append("")
    if result.get("startup"):
        st = result["startup"]
        lines += ["## Cold start (fresh process each, median of "
                  f"{st['repeats']}; CPU = the child's user + system seconds)", "",
                  "| command | wall s | CPU s |", "|---|---:|---:|"]
        for name in st["median_wall"]:
            lines.append(f"| `{name}` | {st['median_wall'][name]:.2f} | {st['median_cpu'][name]:.2f} |")
        lines += ["", "explain / (import torch, transformers + one forward): "
                  + ", ".join(f"{k}: {v:.2f}× CPU, {st['explain_over_baseline_wall'][k]:.2f}× wall"
                              for k, v in st["explain_over_baseline_cpu"].items()) + " (target ≤ 1.3×).", ""]
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
