"""The error of each method's default, before and after SIG's default became its closed form (issue 19).

Before: SIG integrated 50 Gauss–Legendre points per token (``steps=50, unit="token"``, what
``mode="auto"`` did) and no view said how far its scores were from exact. After: SIG's default is the
exact word-level closed form, and every explanation carries its measured error (`Explanation.error`)
with a warning above 1 %. The other methods' defaults are unchanged; what changed is that their
error is measured and shown. Writes bench/results/default_errors.md.

``python bench/default_errors.py`` (the default model and SmolLM2 must be set up).
"""

from __future__ import annotations

import time
from pathlib import Path

import faithlens

OUT = Path(__file__).resolve().parent / "results" / "default_errors.md"
DEFAULT_TEXTS = ("a hideous, confusing spectacle", "the film is not bad at all",
                 "you can't help but smile at this charmer .")
LM_PROMPTS = (("The capital of France is", " Paris"), ("Fish live in the", " water"))


def rel(e) -> str:
    r = e.error.get("relative")
    return "n/a" if r is None else ("exact" if e.error["kind"] == "exact" else f"{100 * r:.3g} %")


def rows_for(ex, model_name, items, methods):
    rows = []
    for text, target in items:
        kw = {} if target is None else {"target": target}
        before = ex.explain(text, "sig", steps=50, unit="token", **kw)
        after = ex.explain(text, "sig", **kw)
        rows.append((model_name, text, "sig", f"{rel(before)} (50 steps, tokens; no warning shown)",
                     f"{rel(after)} (closed form, words)", f"{before.seconds:.2f} → {after.seconds:.2f}"))
        for m in methods:
            e = ex.explain(text, m, **kw)
            warned = "warns" if any("miss" in w or "error" in w for w in e.warnings) else "no warning needed"
            rows.append((model_name, text, m, f"{rel(e)} (not shown)", f"{rel(e)}, {e.error['kind']}; {warned}",
                         f"{e.seconds:.2f}"))
    return rows


def main() -> None:
    t0 = time.perf_counter()
    rows = rows_for(faithlens.Explainer(), "default (MiniLM RT)", [(t, None) for t in DEFAULT_TEXTS],
                    ("ig", "deeplift", "gradient_shap", "smoothgrad", "grad_x_input", "saliency"))
    rows += rows_for(faithlens.Explainer("smollm2"), "SmolLM2-135M", LM_PROMPTS, ("ig",))
    lines = ["# Error of each default, before and after (issue 19)", "",
             "`python bench/default_errors.py`. Relative error as `Explanation.error` defines it (faithlens.accuracy): "
             "SIG's quadrature error max_u |δ_u| / max_u |c_u| against its closed form; IG, DeepLift, GradientShap the "
             "completeness gap relative to F(w) − F(w̄) (GradientShap: its sampled reference); SmoothGrad the largest "
             "standard error of a token score over its draws relative to the largest score. 'Before' is what the "
             "default computed and printed (no error shown except SIG's raw max |δ|); 'after' is the default now, "
             "whose error is shown in every view and warns above 1 %.", "",
             "| model | text | method | error before | error after | seconds |", "|---|---|---|---|---|---|"]
    lines += [f"| {m} | {t!r} | {meth} | {b} | {a} | {s} |" for m, t, meth, b, a, s in rows]
    lines += ["", f"Total {time.perf_counter() - t0:.0f} s on the shared 2-core CPU."]
    OUT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
