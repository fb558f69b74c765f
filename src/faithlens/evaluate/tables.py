"""The Markdown of an evaluate run: table.md (one row per method, mean ± standard error, with its notes),
agreement.md, significance.md and the "most faithful" line; `cell` is the one mean ± s.e. formatter every
table (Markdown, plausibility, the HTML report) uses."""

from __future__ import annotations

from collections.abc import Sequence

from ..metrics import METRICS
from ..robustness import EXTRA_METRICS
from .folder import EvalSettings


TABLE_COLUMNS = ("log_odds", "comprehensiveness", "sufficiency", "delta", "sig_delta", "seconds")


TOPK_COLUMNS = ("log_odds", "comprehensiveness", "sufficiency")  # undefined when k = 0: nothing is removed


def partial_line(partial: tuple[int, int] | None) -> str:
    """The first line of the tables of a run that stopped before every example was done (``partial`` = (done,
    asked), `EvalResult.partial`); '' for a complete run."""
    if partial is None:
        return ""
    return (f"Interrupted after {partial[0]} of {partial[1]} examples (or still running): rerun the same command "
            "to resume.\n")


def unknown_line(complete: bool | None) -> str:
    """The first line of the tables of a rebuilt run whose asked examples are not recorded ('' otherwise)."""
    return ("Completeness unknown: the run folder records neither how many examples were asked (results.json) nor the "
            "data's selection, so this table may rest on part of the data.\n" if complete is None else "")


def significance_markdown(sig: dict, *, partial: tuple[int, int] | None = None) -> str:
    """significance.md: the winner line, the vs-random tests and every pair per metric."""
    lines = ([partial_line(partial).strip(), ""] if partial else []) + [f"# Paired tests between methods (level {sig['level']:g}, Holm-corrected)", "",
             "Differences a − b over the examples both methods scored (k > 0): mean, paired bootstrap 95 % interval "
             f"(2000 resamples, seed {sig['seed']}), two-sided Wilcoxon signed-rank p-value and Holm-adjusted p across "
             "the pairs of each metric; r = matched-pairs rank-biserial correlation (effect size, −1..1).", ""]
    lines.append(best_line([], sig, partial=partial).strip())
    lines.append("")
    if sig.get("vs_random"):
        lines += ["## Comp above the random ordering (one-sided Wilcoxon, Holm across methods)", "",
                  "| method | Comp − random (mean) | 95 % CI | p | p (Holm) | above random | n |", "|---|---|---|---|---|---|---|"]
        for m, t in sig["vs_random"].items():
            lines.append(f"| {m} | {t['mean_difference']:+.4f} | {_ci(t['ci'])} | {t['p']:.2g} | {t['p_holm']:.2g} | "
                         f"{'yes' if t['above_random'] else '**no**'} | {t['n']} |")
        lines.append("")
    for metric, short in (("log_odds", "LO ↓"), ("comprehensiveness", "Comp ↑"), ("sufficiency", "Suff ↓")):
        pairs = sig["metrics"].get(metric, {}).get("pairs", [])
        if not pairs:
            continue
        lines += [f"## {short}", "", "| A | B | mean A − B | 95 % CI | r | p | p (Holm) | significant | n |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for p in pairs:
            lines.append(f"| {p['a']} | {p['b']} | {p['mean_difference']:+.4f} | {_ci(p['ci'])} | {p['rank_biserial']:+.2f} "
                         f"| {p['p']:.2g} | {p['p_holm']:.2g} | {'yes' if p['significant'] else 'no'} | {p['n']} |")
        lines.append("")
    return "\n".join(lines)


def _ci(ci) -> str:
    return "–" if ci[0] is None else f"[{ci[0]:+.4f}, {ci[1]:+.4f}]"


def cell(stat: dict, digits: int = 4) -> str:
    if stat["mean"] is None:
        return "–"
    mean, sem = stat["mean"], stat["sem"]
    tiny = mean != 0 and abs(mean) < 10 ** -digits * 10  # tiny values (e.g. SIG's per-word Δ) in scientific form
    spread = "–" if sem is None else f"{sem:.1e}" if tiny else f"{sem:.{digits}f}"  # None: one value, no spread
    return f"{mean:.2e} ± {spread}" if tiny else f"{mean:.{digits}f} ± {spread}"


def markdown_table(rows: Sequence[dict], settings: EvalSettings, n_examples: int, *, n_truncated: int = 0,
                   significance: dict | None = None, partial: tuple[int, int] | None = None) -> str:
    """The table: one row per method; a "k = 0" column appears when some example had too few tokens
    for the top-k fraction (those are left out of LO, Comp and Suff, see :func:`summarise_run`)."""
    arrow = {name: m.arrow for name, m in {**METRICS, **EXTRA_METRICS}.items()}
    k_zero = any(row.get("k_zero") for row in rows)
    extra = list(settings.metrics)
    head = (f"| Method | LO {arrow['log_odds']} | Comp {arrow['comprehensiveness']} | Suff {arrow['sufficiency']} "
            f"| Delta {arrow['delta']} | SIG per-word Δ ↓ |" + "".join(f" {EXTRA_NAMES[m]} {arrow[m]} |" for m in extra)
            + " s / example | n |" + (" k = 0 |" if k_zero else ""))
    lines = [head, "|" + "---|" * (9 + len(extra) if k_zero else 8 + len(extra))]
    below = _not_above_random(significance)
    unclaimed = [row["method"] for row in rows if not _claims_completeness(row["method"])]
    for row in rows:
        n = row["delta"]["n"]
        name = row["method"] + (" †" if row["method"] in below else "")
        delta = "n/a" if row["method"] in unclaimed else cell(row["delta"])
        lines.append(f"| {name} | {cell(row['log_odds'])} | {cell(row['comprehensiveness'])} | "
                     f"{cell(row['sufficiency'])} | {delta} | {cell(row['sig_delta'])} | "
                     + "".join(f"{cell(row[m])} | " for m in extra)
                     + f"{cell(row['seconds'], 3)} | {n} |" + (f" {row.get('k_zero', 0)} |" if k_zero else ""))
    caption = (f"\nModel `{settings.model}`, data `{settings.data}` ({n_examples} example{'s' * (n_examples != 1)}), baseline `{settings.baseline}`, "
               f"top-k {settings.topk:g}, protocol `{settings.protocol}`, score `{settings.score}`, seed {settings.seed}. "
               "Mean ± standard error over examples. LO = log-odds, Comp = comprehensiveness, Suff = sufficiency; "
               "Delta = mean |Σ a − (F(w) − F(w̄))| (raw scores); SIG per-word Δ = mean |a_i − (F(w) − F(w̄⁽ⁱ⁾))|."
               + _unclaimed_note(unclaimed) + _extra_note(settings) + _k_zero_note(rows, settings) + _truncation_note(n_truncated, n_examples) + _timing_note(rows)
               + (" † Comp not significantly above the seeded random ordering (`random` row; one-sided Wilcoxon, "
                  "Holm-corrected, significance.md)." if below else "") + "\n")
    return (partial_line(partial) + ("\n" if partial else "") + "\n".join(lines) + "\n" + caption
            + best_line(rows, significance, partial=partial))


def _claims_completeness(label: str) -> bool:
    """Whether the method of a row label ("ig:steps=8", "random") claims Σ a = F(w) − F(w̄) (`Method.completeness`)."""
    from ..methods import METHODS

    method = METHODS.get(label.split(":")[0])
    return method is not None and method.completeness


def _unclaimed_note(unclaimed: Sequence[str]) -> str:
    if not unclaimed:
        return ""
    return (f" Delta n/a: {', '.join(dict.fromkeys(unclaimed))} make no completeness claim, so Σ a − (F(w) − F(w̄)) "
            "is not an error of theirs (SIG's claim is per word: SIG per-word Δ; the values stay in results.json).")


def _not_above_random(sig: dict | None) -> set[str]:
    return {m for m, t in ((sig or {}).get("vs_random") or {}).items() if not t.get("above_random")}


EXTRA_NAMES = {"infidelity": "Infid", "sensitivity": "Sens"}


def _extra_note(settings: EvalSettings) -> str:
    from ..robustness import INFIDELITY_DROP, N_SAMPLES, SENSITIVITY_DROP

    notes = {"infidelity": f" Infid = infidelity (Yeh et al. 2019): mean over {N_SAMPLES} random word subsets (each word at the "
                           f"baseline with p = {INFIDELITY_DROP}) of (Σ dropped scores − (F(x) − F(x̃)))², raw scores "
                           "(Captum's normalize=False).",
             "sensitivity": f" Sens = max-sensitivity: max over {N_SAMPLES} word dropouts (p = {SENSITIVITY_DROP}) of "
                            "‖a(x̃) − a(x)‖ / ‖a(x)‖ over word scores, the method re-run on x̃."}
    return "".join(notes[m] for m in settings.metrics)


def _k_zero_note(rows: Sequence[dict], settings: EvalSettings) -> str:
    if not any(row.get("k_zero") for row in rows):
        return ""
    return (f" k = 0: examples with too few tokens for top-k {settings.topk:g} (nothing to remove); they are left out of "
            "LO, Comp and Suff (whose means cover the n examples less the k = 0 column) and count in Delta and time.")


def _truncation_note(n_truncated: int, n_examples: int) -> str:
    if not n_truncated:
        return ""
    return (f" {n_truncated} of the {n_examples} examples were longer than the model's limit and were truncated to "
            "their first tokens (--truncate); their records say \"truncated\": true.")


def _timing_note(rows: Sequence[dict]) -> str:
    """Says which device the seconds column comes from when examples ran on more than one."""
    mixed = [row for row in rows if len(row.get("seconds_by_device", {})) > 1]
    if not mixed:
        return ""
    parts = []
    for row in mixed:
        other = ", ".join(f"{s['n']} on {d} ({s['mean']:.3g} s)" for d, s in row["seconds_by_device"].items()
                          if d != row["seconds_device"])
        parts.append(f"{row['method']}: {other} (timed on {row['seconds_device']})")
    return (" Examples ran on more than one device; s / example covers the device most of each method's examples "
            "ran on, the others are left out of it: " + "; ".join(parts) + ".")


def best_line(rows: Sequence[dict], sig: dict | None = None, *, partial: tuple[int, int] | None = None) -> str:
    """Which method is most faithful on each metric. With the paired tests (``sig``, :func:`significance`) a
    winner is named only when it differs significantly from every other method; otherwise the tied ones are listed.
    Without them: the best mean, with a reminder to compare standard errors. A run that stopped early (``partial``
    = (done, asked)) says the verdict rests on the examples done so far."""
    line = _best_line(rows, sig)
    if partial is None or not line or line.startswith("One method"):
        return line
    return (line.rstrip("\n") + f" This rests on a partial sample ({partial[0]} of {partial[1]} examples: the run was "
            "interrupted) and may change when it is finished.\n")


def _best_line(rows: Sequence[dict], sig: dict | None = None) -> str:
    parts = []
    names = (("log_odds", "LO"), ("comprehensiveness", "Comp"), ("sufficiency", "Suff"))
    paired = sig and sig.get("metrics") and any(e.get("pairs") for e in sig["metrics"].values())
    if len(rows) == 1 or (not rows and sig and sig.get("metrics") and not paired):
        return "One method: no other to compare it with.\n"
    if sig and sig.get("metrics") and all(e.get("alone") for e in sig["metrics"].values()):
        return ("One method besides the random row: no other to compare it with (whether its Comp beats the random "
                "row's is the paired test in significance.md, marked † in the table where it does not).\n")
    if sig and sig.get("metrics"):
        for name, short in names:
            entry = sig["metrics"].get(name) or {}
            if entry.get("winner"):
                parts.append(f"{short} → {entry['winner']}")
            elif entry.get("tied"):
                parts.append(f"{short}: tied between {', '.join(entry['tied'])}")
        if parts:
            return ("Most faithful (paired Wilcoxon, Holm-corrected, level "
                    f"{sig['level']:g}; see significance.md): " + "; ".join(parts) + ".\n")
        if paired:  # the tests ran and name no winner and no tie: a best mean would be a verdict no test supports
            return ("Most faithful: none named. No method differs significantly from the others on LO, Comp or Suff "
                    f"(paired Wilcoxon, Holm-corrected, level {sig['level']:g}; see significance.md); more examples "
                    "(--limit) give the tests more power.\n")
    for name, short in names:
        scored = [(row[name]["mean"], row["method"]) for row in rows if row[name]["mean"] is not None]
        if scored:
            pick = min(scored) if METRICS[name].direction == "lower" else max(scored)
            parts.append(f"{short} → {pick[1]}")
    return ("Most faithful: " + ", ".join(parts) + " (compare the standard errors before calling a winner).\n") if parts else ""


def agreement_markdown(agreement: Sequence[dict]) -> str:
    lines = ["| A | B | Spearman ρ (mean ± se) | same top token | n |", "|---|---|---|---|---|"]
    for a in agreement:
        lines.append(f"| {a['a']} | {a['b']}{' ¹' if a.get('by_magnitude') else ''} | {cell(a['spearman'])} | "
                     f"{cell(a['top1_agreement'], 3)} | {a['spearman']['n']} |")
    if any(a.get("by_magnitude") for a in agreement):
        lines.append("\n¹ One of the two is unsigned (saliency): both ranked by |score|.")
    return "\n".join(lines) + "\n"
