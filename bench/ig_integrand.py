"""Why IG does not converge on SmolLM2: F and dF/dα along the IG path, and what moves them.

IG integrates dF/dα along w̄ + α(w − w̄) for α ∈ [0, 1] (every prompt token moves together). On a
smooth integrand 50 Gauss–Legendre points are exact to ~1e-6; on SmolLM2 they miss completeness
by 30–350 %. This script looks at the integrand itself, on a fine α grid (plain forward passes of
the transformers model, no faithlens quadrature):

- F(α) = Σ_j log p(y_j | prompt(α), y_<j) and its finite-difference derivative;
- the same with only the FIRST prompt token moving (the rest at the input) and with every token
  but the first moving: which position makes the integrand rough;
- the RMS of the interpolated embedding rows (RMSNorm divides by it) against the endpoints';
- the largest hidden-state magnitude at position 0 per layer (the "massive activation" of an
  attention sink, Sun et al. 2024) and the attention all later positions give to position 0.

Writes bench/results/ig_integrand.md and .png. ``python bench/ig_integrand.py`` (SmolLM2 must be
set up: scripts/setup.sh converts it once).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

import faithlens
from faithlens.baselines import baseline_embeddings, resolve_baseline
from faithlens.explainer import encode_items

PROMPTS = (("The capital of France is", " Paris"), ("Fish live in the", " water"))
OUT = Path(__file__).resolve().parent / "results"


def path_points(W: torch.Tensor, Wbar: torch.Tensor, moving: torch.Tensor, alphas: torch.Tensor) -> torch.Tensor:
    """Rows w̄ + α(w − w̄) on the `moving` positions (others at w): (A, L, D)."""
    coef = torch.where(moving[None, :], alphas[:, None], torch.ones(1))  # (A, L)
    return Wbar[None] + coef[..., None] * (W - Wbar)[None]


def scores(net, emb: torch.Tensor, cont: list[int], n_prompt: int, chunk: int = 64) -> torch.Tensor:
    """F = Σ_j log p(y_j | ·) for each row of emb (A, L, D): -> (A,) float64."""
    out = []
    ids = torch.tensor(cont)
    for s in range(0, len(emb), chunk):
        with torch.inference_mode():
            hidden = net.model(inputs_embeds=emb[s:s + chunk]).last_hidden_state  # (a, L, D)
            logits = net.lm_head(hidden[:, n_prompt - 1:n_prompt - 1 + len(cont)]).to(torch.float64)  # (a, J, V)
        logp = logits.log_softmax(-1)  # (a, J, V)
        out.append(logp.gather(-1, ids[None, :, None].expand(len(logp), -1, 1)).squeeze(-1).sum(-1))
    return torch.cat(out)


def sink_profile(net, emb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per row: max |h| at position 0 over layers (A,), and mean attention to position 0 in the last layer (A,)."""
    with torch.inference_mode():
        out = net(inputs_embeds=emb, output_hidden_states=True, output_attentions=True)
    h0 = torch.stack([h[:, 0].abs().amax(-1) for h in out.hidden_states[1:]], 1).amax(1)  # (A,)
    att = out.attentions[-1][:, :, 1:, 0].mean((1, 2))  # (A,): heads, later query positions
    return h0.to(torch.float64), att.to(torch.float64)


def run(grid: int) -> dict:
    ex = faithlens.Explainer("smollm2")
    ex.model.model.set_attn_implementation("eager") if hasattr(ex.model.model, "set_attn_implementation") else None
    net = ex.model.model
    base = resolve_baseline(ex.model, None)
    alphas = torch.linspace(0, 1, grid + 1, dtype=torch.float64)
    report = {"baseline": base.token, "grid": grid, "prompts": []}
    for prompt, target in PROMPTS:
        t0 = time.perf_counter()
        enc, _ = encode_items(ex.model, [prompt], targets=[target])
        with torch.inference_mode():
            W = ex.model.embed(enc.input_ids).clone()
        Wbar = baseline_embeddings(ex.model, enc, base, W)
        W, Wbar = W[0].to(torch.float32), Wbar[0].to(torch.float32)
        attributed = enc.attributed[0]
        cont = [int(t) for t in enc.fixed_target[0] if int(t) >= 0] if enc.fixed_target is not None else []
        L = W.shape[0]
        n_prompt = L - (len(cont) - 1)  # the continuation's ids but the last are appended to the prompt
        first = torch.zeros(L, dtype=torch.bool)
        first[attributed.nonzero()[0]] = True
        variants = {"all": attributed, "first only": first & attributed, "all but first": attributed & ~first}
        rec = {"prompt": prompt, "target": target, "tokens": ex.model.tokenizer.convert_ids_to_tokens(enc.input_ids[0].tolist())}
        curves = {}
        for name, moving in variants.items():
            F = scores(net, path_points(W, Wbar, moving, alphas.to(torch.float32)), cont, n_prompt)
            dF = torch.diff(F) / torch.diff(alphas)
            curves[name] = (F, dF)
            rec[name] = {"F(0)": float(F[0]), "F(1)": float(F[-1]), "F(1)-F(0)": float(F[-1] - F[0]),
                         "max |dF/da|": float(dF.abs().max()), "argmax alpha": float(alphas[int(dF.abs().argmax())]),
                         "share of |F(1)-F(0)| gained in the steepest 1 % of alpha":
                             float(dF.abs().topk(max(1, grid // 100)).values.sum() / grid / max(abs(float(F[-1] - F[0])), 1e-12))}
        # RMS of the interpolated embedding rows along the path (RMSNorm divides by it)
        X = path_points(W, Wbar, attributed, alphas.to(torch.float32))  # (A, L, D)
        rms = X[:, attributed].pow(2).mean(-1).sqrt()  # (A, P)
        ends = torch.minimum(rms[0], rms[-1])
        rec["min over path of rms / min(rms at ends), per prompt token"] = [round(float(v), 3) for v in rms.min(0).values / ends]
        h0, att = sink_profile(net, X[:: max(1, grid // 100)])
        rec["position-0 max |h| over layers: at alpha=0, at 1, max on path"] = [float(h0[0]), float(h0[-1]), float(h0.max())]
        rec["last-layer attention to position 0: at alpha=0, at 1"] = [float(att[0]), float(att[-1])]
        rec["seconds"] = time.perf_counter() - t0
        rec["_curves"] = {k: [F.tolist(), dF.tolist()] for k, (F, dF) in curves.items()}
        rec["_sink"] = [h0.tolist(), att.tolist()]
        report["prompts"].append(rec)
    return report


def plot(report: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(report["prompts"])
    fig, axes = plt.subplots(3, n, figsize=(5.5 * n, 9), squeeze=False)
    for c, rec in enumerate(report["prompts"]):
        grid = report["grid"]
        a = [i / grid for i in range(grid + 1)]
        mid = [(i + 0.5) / grid for i in range(grid)]
        for (name, (F, dF)), style in zip(rec["_curves"].items(), ("-", "--", ":")):
            axes[0][c].plot(a, F, style, label=name)
            axes[1][c].plot(mid, dF, style, label=name)
        h0, att = rec["_sink"]
        s = [i / (len(h0) - 1) for i in range(len(h0))]
        axes[2][c].plot(s, h0, label="position 0: max |h| over layers")
        ax2 = axes[2][c].twinx()
        ax2.plot(s, att, "C3--", label="last layer: attention to position 0")
        axes[0][c].set_title(f"{rec['prompt']!r} → {rec['target']!r}", fontsize=9)
        axes[0][c].set_ylabel("F(α) = log p")
        axes[1][c].set_ylabel("dF/dα")
        axes[2][c].set_ylabel("max |h| at position 0")
        ax2.set_ylabel("attention to position 0", color="C3")
        axes[2][c].set_xlabel("α (IG path, all prompt tokens moving)")
        for r in range(2):
            axes[r][c].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0)) if c == n - 1 else None
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def markdown(report: dict) -> str:
    lines = ["# Why IG does not converge on SmolLM2: the integrand along the path", "",
             f"`python bench/ig_integrand.py --grid {report['grid']}`; baseline token {report['baseline']!r}; "
             f"F on {report['grid'] + 1} evenly spaced α (plain forward passes), dF/dα by finite differences. "
             "Plot: `ig_integrand.png`.", ""]
    for rec in report["prompts"]:
        lines += [f"## {rec['prompt']!r} → {rec['target']!r}", "", f"tokens: {rec['tokens']}", "",
                  "| tokens moving | F(0) | F(1) | F(1) − F(0) | max abs dF/dα | at α | share of the change in the steepest 1 % of α |",
                  "|---|---|---|---|---|---|---|"]
        for name in ("all", "first only", "all but first"):
            r = rec[name]
            lines.append(f"| {name} | {r['F(0)']:.3f} | {r['F(1)']:.3f} | {r['F(1)-F(0)']:+.3f} | {r['max |dF/da|']:.3g} | "
                         f"{r['argmax alpha']:.4f} | {r['share of |F(1)-F(0)| gained in the steepest 1 % of alpha']:.2f} |")
        lines += ["", "- min over the path of each prompt row's RMS / the smaller RMS at the ends: "
                  f"{rec['min over path of rms / min(rms at ends), per prompt token']}",
                  "- position 0, max |h| over layers (α = 0, α = 1, max on the path): "
                  f"{[round(v, 1) for v in rec['position-0 max |h| over layers: at alpha=0, at 1, max on path']]}",
                  "- last layer, attention later positions give to position 0 (α = 0, α = 1): "
                  f"{[round(v, 3) for v in rec['last-layer attention to position 0: at alpha=0, at 1']]}", ""]
    return "\n".join(lines)


def float64_window(lo: float = 0.25, hi: float = 0.27, n: int = 41) -> str:
    """F on a fine α window of the second prompt in float32 and float64: are the dips rounding or the model?"""
    ex = faithlens.Explainer("smollm2")
    base = resolve_baseline(ex.model, None)
    prompt, target = PROMPTS[1]
    enc, _ = encode_items(ex.model, [prompt], targets=[target])
    with torch.inference_mode():
        W = ex.model.embed(enc.input_ids).clone()
    Wbar = baseline_embeddings(ex.model, enc, base, W)
    W, Wbar = W[0], Wbar[0]
    cont = [int(t) for t in enc.fixed_target[0] if int(t) >= 0]
    n_prompt = W.shape[0] - (len(cont) - 1)
    alphas = torch.linspace(lo, hi, n, dtype=torch.float64)
    moving = enc.attributed[0]
    F32 = scores(ex.model.model, path_points(W.float(), Wbar.float(), moving, alphas.float()), cont, n_prompt)
    F64 = scores(ex.model.model.to(torch.float64), path_points(W.double(), Wbar.double(), moving, alphas), cont, n_prompt)
    rows = ["| α | F float32 | F float64 |", "|---|---|---|"]
    rows += [f"| {a:.4f} | {x:.4f} | {y:.4f} |" for a, x, y in zip(alphas.tolist(), F32.tolist(), F64.tolist())]
    return (f"## {prompt!r} → {target!r}: a dip in float32 and float64\n\nmax |F32 − F64| over the window: "
            f"{float((F32 - F64).abs().max()):.2g} (the dip is {float(F64.max() - F64.min()):.1f} nats deep)\n\n"
            + "\n".join(rows) + "\n")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--grid", type=int, default=400, help="α intervals (default 400)")
    p.add_argument("--no-float64", action="store_true", help="skip the float32 / float64 check of one dip")
    args = p.parse_args()
    torch.set_num_threads(max(1, torch.get_num_threads()))
    report = run(args.grid)
    OUT.mkdir(parents=True, exist_ok=True)
    plot(report, OUT / "ig_integrand.png")
    slim = {**report, "prompts": [{k: v for k, v in r.items() if not k.startswith("_")} for r in report["prompts"]]}
    (OUT / "ig_integrand.json").write_text(json.dumps(slim, indent=1))
    text = markdown(report) + ("" if args.no_float64 else "\n" + float64_window())
    (OUT / "ig_integrand.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
