"""Per-dimension SIG: where the quadrature error lives and what adaptive meshes per unit would cost (issue 25 item 2).

`python -m bench.sig_meshes [--seed 0] [--texts 8] [--cache FILE]`: stores every unit's per-dimension
integrand g_{u,d}(α) = ∂F/∂x_{u,d}(γ_u(α)) · (w_{u,d} − w̄_{u,d}) of the default model in float64 at 300
Gauss–Legendre nodes (unit=token, ~1 min per text on one thread; `--cache` keeps them), expands each in its
Legendre series (exact at the nodes), and evaluates quadrature schemes on those functions anywhere in α.
A scheme's normalised difference ‖A − A*‖ / ‖A*‖ (A*: the 300-node rule) and its node count are then
exact for the stored functions, without re-running the model per scheme. Nodes per unit count every
reverse row a scheme evaluates (a bisected interval's own nodes included). Also times one row of each
kind (reverse, hand-written JVP, forward only) on the float32 model. Writes bench/results/sig_meshes_seed<seed>.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from numpy.polynomial import legendre as leg

import faithlens
from faithlens.batching import gradients_at, scores_along
from faithlens.encoding import unit_masks
from faithlens.methods.sig import forward as sig_forward
from faithlens.methods.sig import reverse as sig_reverse

from .harness import sst2_sentences

REFERENCE_NODES = 300
TARGET = 1e-3


def gl(n: int, a: float = 0.0, b: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    x, w = leg.leggauss(n)
    return a + (b - a) * (1 + x) / 2, w * (b - a) / 2


def collect(ex64: faithlens.Explainer, texts: list[str], n: int = REFERENCE_NODES) -> list[dict]:
    """Per text: G (U, n, D), each token unit's integrand at the n Gauss–Legendre nodes (float64)."""
    alphas = torch.tensor(gl(n)[0])
    out = []
    for text in texts:
        batch = ex64.batch([text])
        units = unit_masks(batch.enc, "token")[0]
        units = units[units.any(-1)]  # (U, L)
        G = []
        for m in units:
            t = int(m.to(torch.int64).argmax())
            coef = 1 - m.to(torch.float64)[None] * (1 - alphas[:, None])  # (n, L)
            b = torch.zeros(n, dtype=torch.long)
            g = torch.cat([gradients_at(batch, batch.points(b[s:s + 64], coef[s:s + 64]), b[s:s + 64], coef[s:s + 64])
                           for s in range(0, n, 64)])
            G.append(g[:, t] * batch.diff[0, t])
        out.append({"text": text, "G": torch.stack(G)})
        print(f"collected {text!r}: {len(units)} units", flush=True)
    return out


class Integrands:
    """One text's stored integrands as Legendre series: any α, the reference A*, and F_u(α) − F_u(0)."""

    def __init__(self, text: str, G: np.ndarray):
        U, N, D = G.shape
        x, w = gl(N)
        V = leg.legvander(2 * x - 1, N - 1)
        self.text, self.U, self.D = text, U, D
        self.C = ((V * w[:, None]).T @ G.transpose(1, 0, 2).reshape(N, -1)) * (2 * np.arange(N) + 1)[:, None]
        self.ref = np.einsum("und,n->ud", G, w)
        self.norm = float(np.linalg.norm(self.ref))
        scalar = self.C.reshape(N, U, D).sum(-1)
        self.F_coef = leg.legint(scalar, lbnd=-1) / 2  # ∫_0^α g_u: F along unit u's path, from F(0)

    def at(self, u: int, alphas) -> np.ndarray:
        V = leg.legvander(2 * np.asarray(alphas, float) - 1, self.C.shape[0] - 1)
        return V @ self.C.reshape(-1, self.U, self.D)[:, u]  # (n, D)

    def F(self, u: int, alpha: float) -> float:
        return float(leg.legval(2 * alpha - 1, self.F_coef[:, u]))

    def rule(self, u: int, n: int, a: float = 0.0, b: float = 1.0) -> np.ndarray:
        x, w = gl(n, a, b)
        return w @ self.at(u, x)

    def difference(self, A: np.ndarray) -> float:
        return float(np.linalg.norm(A - self.ref)) / self.norm


def uniform_needed(t: Integrands, ns=range(8, 81, 2)) -> int:
    """The fewest Gauss–Legendre nodes (one n for every unit) at the target."""
    return next(n for n in ns if t.difference(np.stack([t.rule(u, n) for u in range(t.U)])) <= TARGET)


def oracle_allocation(t: Integrands, ns=tuple(range(6, 81, 2))) -> float:
    """Each unit its own n, chosen greedily with the reference (best error drop per node): mean n at the target."""
    E = np.array([[float(((t.rule(u, n) - t.ref[u]) ** 2).sum()) for n in ns] for u in range(t.U)])
    idx = np.zeros(t.U, int)
    while E[np.arange(t.U), idx].sum() > (TARGET * t.norm) ** 2:
        gain, u_best, j_best = max(((E[u, idx[u]] - E[u, j]) / (ns[j] - ns[idx[u]]), u, j)
                                   for u in range(t.U) for j in range(idx[u] + 1, len(ns)))
        idx[u_best] = j_best
    return float(np.array(ns)[idx].mean())


def bisection(t: Integrands, tau: float, m: int = 5, max_nodes: int = 80) -> tuple[float, float]:
    """Gauss–Legendre m on every interval of every unit; the interval with the largest exact scalar error
    |Q(g_u) − (F(b) − F(a))| is halved, one at a time, until Σ|e| ≤ tau · ‖A‖: (difference, nodes per unit)."""
    intervals, rows = [], 0

    def make(u, a, b):
        nonlocal rows
        rows += m
        est = t.rule(u, m, a, b)
        return [u, a, b, est, abs(est.sum() - (t.F(u, b) - t.F(u, a)))]

    intervals = [make(u, 0.0, 1.0) for u in range(t.U)]
    while True:
        A = np.zeros((t.U, t.D))
        for u, _, _, est, _ in intervals:
            A[u] += est
        if sum(iv[4] for iv in intervals) <= tau * np.linalg.norm(A) or rows / t.U > max_nodes:
            return t.difference(A), rows / t.U
        i = max(range(len(intervals)), key=lambda k: intervals[k][4])
        u, a, b = intervals[i][:3]
        intervals[i:i + 1] = [make(u, a, (a + b) / 2), make(u, (a + b) / 2, b)]


def ladder(t: Integrands, steps: tuple[int, ...], theta: float) -> tuple[float, float]:
    """Per unit, fresh Gauss–Legendre rules of growing n while its exact scalar error |Σ_d A_u,d − c_u| > theta · ‖A‖."""
    level = np.zeros(t.U, int)
    cost = np.full(t.U, float(steps[0]))
    c = np.array([t.F(u, 1.0) for u in range(t.U)])
    while True:
        A = np.stack([t.rule(u, steps[level[u]]) for u in range(t.U)])
        bad = (np.abs(A.sum(-1) - c) > theta * np.linalg.norm(A)) & (level < len(steps) - 1)
        if not bad.any():
            return t.difference(A), float(cost.mean())
        level[bad] += 1
        cost[bad] += np.array(steps)[level[bad]]


def row_costs(ex: faithlens.Explainer, text: str, n: int = 20) -> dict:
    """CPU ms per row of each kind (float32, the threads torch has), over every token unit at n evenly spaced α."""
    batch = ex.batch([text])
    units = unit_masks(batch.enc, "token")
    R = int(units.any(-1).sum()) * n
    alphas = torch.linspace(0.01, 0.99, n)
    weights = torch.full((n,), 1.0 / n)
    b = torch.zeros(R, dtype=torch.long)
    coef = torch.rand(R, units.shape[-1], generator=torch.Generator().manual_seed(0))
    kinds = {"reverse": lambda: sig_reverse(batch, units, alphas, weights),
             "jvp": lambda: sig_forward(batch, units, alphas, weights),
             "forward only": lambda: scores_along(batch, b, coef)}
    out = {}
    for name, fn in kinds.items():
        fn()
        t0 = time.process_time()
        fn()
        out[name] = (time.process_time() - t0) / R * 1e3
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.sig_meshes", description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=0, help="SST-2 sample seed (0: the certified bench's sentences)")
    p.add_argument("--texts", type=int, default=8)
    p.add_argument("--max-tokens", type=int, default=24)
    p.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    p.add_argument("--cache", type=Path, default=None, help="a .pt file of stored integrands (read if present, else written)")
    p.add_argument("--out", type=Path, default=None, help="default: bench/results/sig_meshes_seed<seed>.md")
    args = p.parse_args(argv)
    out = args.out or Path(__file__).parent / "results" / f"sig_meshes_seed{args.seed}.md"
    if args.cache is not None and args.cache.exists():
        stored = torch.load(args.cache, weights_only=False)["texts"]
    else:
        ex64 = faithlens.Explainer("default", dtype=torch.float64)
        texts = sst2_sentences(args.data / "sst2" / "dev.tsv", args.texts, args.seed, ex64.model, args.max_tokens)
        stored = collect(ex64, texts)
        if args.cache is not None:
            torch.save({"texts": stored}, args.cache)
    items = [Integrands(s["text"], s["G"].numpy()) for s in stored]
    lines = [f"# Per-dimension SIG: adaptive meshes per unit (`python -m bench.sig_meshes --seed {args.seed}`)", "",
             f"Default model, unit=token, {len(items)} SST-2 dev sentences (seed {args.seed}); reference: float64, "
             f"{REFERENCE_NODES} Gauss–Legendre nodes per token. Nodes per unit: every reverse row evaluated ÷ units.", "",
             "| text | units | Gauss–Legendre n at 1e-3 | oracle per-unit n (mean) | G5 bisection, Σ\\|e\\| ≤ 3e-3 ‖A‖ | "
             "ladder 16→28→44, θ = 1e-3 |", "|---|---|---|---|---|---|"]
    for t in items:
        bis, lad = bisection(t, 3e-3), ladder(t, (16, 28, 44), 1e-3)
        lines.append(f"| {t.text[:40]!r} | {t.U} | {uniform_needed(t)} | {oracle_allocation(t):.1f} | "
                     f"{bis[0]:.1e} at {bis[1]:.1f} | {lad[0]:.1e} at {lad[1]:.1f} |")
        print(lines[-1], flush=True)
    costs = row_costs(faithlens.Explainer("default"), stored[0]["text"])
    lines += ["", "CPU ms per row (float32, first text): " + ", ".join(f"{k} {v:.2f}" for k, v in costs.items()), ""]
    out.write_text("\n".join(lines))


if __name__ == "__main__":
    main()
