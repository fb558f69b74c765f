"""Word-level perturbation methods against their peers on the same model, sentences and forward.

    OMP_NUM_THREADS=1 python bench/peer_perturbation.py [--sentences 5] [--peer-deps DIR]

faithlens's `shapley`, `kernel_shap` and `lime` (method cores on the prepared batch: the default model,
[MASK] baseline with specials kept, the logit of the predicted class) against

- Captum 0.9's `ShapleyValueSampling`, `KernelShap` (its default interpretable model,
  `SkLearnLinearRegression`) and `Lime` (`SkLearnRidge(alpha=1)` and LIME's text kernel on the
  interpretable sample, faithlens's lime settings), on the same embedding forward `Batch.F` with the
  word feature mask over the attributed tokens, seeded so that they draw the same coalitions
  (`torch.manual_seed(seed)` before each call): the scores must agree to float32 rounding;
- the `lime` package's `LimeTextExplainer` (the engine of ferret's LIME) playing the same word game
  (its own sampler, kernel and feature selection, numpy-seeded): agreement is a rank correlation;
- ferret 0.4.2's `LIMEExplainer` as shipped: token-level LIME on the softmax probability of the
  target, each perturbed text decoded and re-tokenised, mask token for removed tokens: another game,
  so only a rank correlation of word scores (its token scores summed per word) is reported.

Captum's regressions need scikit-learn and the lime package needs it too; ferret pins captum < 0.8 and
imports datasets, shap, thermostat, ... in its package ``__init__``. None of them is a faithlens
dependency: install them into a separate folder and pass it with ``--peer-deps`` (bench/README.md):
``pip install --target DIR --no-deps scikit-learn joblib threadpoolctl narwhals lime ferret-xai``.
ferret's LIME module is loaded without running ferret's package ``__init__``.

Timing: one torch thread, CPU seconds of this process, each pair run in A B B A order per sentence
(faithlens, peer, peer, faithlens), so a change in the shared machine's load hits both alike.
Writes bench/results/peer_perturbation.md and .json.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import sys
import time
import types
import warnings
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.harness import SHARED_DATA, SST2_DEV, load_bench_model, machine, prepare, spearman, sst2_sentences  # noqa: E402
from faithlens.explainer import Explainer  # noqa: E402
from faithlens.methods import perturbation as P  # noqa: E402
from faithlens.methods.base import Options  # noqa: E402

RESULTS = ROOT / "bench" / "results"
SAME_DRAWS = 1e-4  # max |difference| of L2-normalised word scores, same draws (Captum fits in float32)


def normalised(x: torch.Tensor) -> torch.Tensor:
    x = x.detach().to(torch.float64).flatten()
    return x / x.norm() if x.norm() > 0 else x


class Game:
    """One sentence's word game in the peers' calling conventions."""

    def __init__(self, explainer: Explainer, text: str):
        self.batch = prepare(explainer, text)
        self.units, n_words = P.word_units(self.batch)
        self.m = int(n_words[0])
        attributed = self.batch.enc.attributed[0]
        self.pos = attributed.nonzero()[:, 0]  # (A,) attributed token positions
        self.word_of = self.units[0, :self.m, self.pos].to(torch.int64).argmax(0)  # (A,) word of each token
        self.first = torch.stack([self.word_of.eq(u).nonzero()[0, 0] for u in range(self.m)])  # a token per word
        self.target = int(self.batch.target[0, 0])

    # Captum: embeddings of the attributed tokens (1, A, D), word feature mask
    def inputs(self):
        D = self.batch.W.shape[-1]
        mask = self.word_of[None, :, None].expand(1, len(self.pos), D).contiguous()
        return self.batch.W[:, self.pos].clone(), self.batch.Wbar[:, self.pos].clone(), mask

    def embedding_forward(self, emb: torch.Tensor) -> torch.Tensor:
        k = emb.shape[0]
        full = self.batch.W.expand(k, -1, -1).clone()  # specials and padding keep their own embedding
        full[:, self.pos] = emb
        with torch.no_grad():
            return self.batch.F(full, torch.zeros(k, dtype=torch.long))

    def words(self, attr: torch.Tensor) -> torch.Tensor:
        return attr[0, self.first, 0]  # Captum gives every element of a group the group's value

    def values(self, present: torch.Tensor) -> torch.Tensor:
        present = torch.nn.functional.pad(present.bool(), (0, self.units.shape[1] - present.shape[1]))
        return P.coalition_values(self.batch, self.units, torch.zeros(len(present), dtype=torch.long), present)


# --- faithlens ---------------------------------------------------------------------------------------

def ours(method: str, game: Game, n: int, seed: int):
    core = getattr(P, method)
    return lambda: core(game.batch, Options(n_samples=n, seed=seed)).unit_scores[0, :game.m]


# --- peers --------------------------------------------------------------------------------------------

def captum_shapley(game: Game, n: int, seed: int):
    from captum.attr import ShapleyValueSampling

    def run():
        x, base, mask = game.inputs()
        torch.manual_seed(seed)
        attr = ShapleyValueSampling(game.embedding_forward).attribute(x, baselines=base, feature_mask=mask, n_samples=n,
                                                                      perturbations_per_eval=game.m)
        return game.words(attr)
    return run


def captum_kernel_shap(game: Game, n: int, seed: int):
    from captum.attr import KernelShap

    def run():
        x, base, mask = game.inputs()
        torch.manual_seed(seed)
        attr = KernelShap(game.embedding_forward).attribute(x, baselines=base, feature_mask=mask, n_samples=n,
                                                            perturbations_per_eval=n)
        return game.words(attr)
    return run


def captum_lime(game: Game, n: int, seed: int):
    from captum._utils.models.linear_model import SkLearnRidge
    from captum.attr import Lime

    def run():
        x, base, mask = game.inputs()
        lime = Lime(game.embedding_forward, interpretable_model=SkLearnRidge(alpha=P.LIME_RIDGE),
                    similarity_func=lambda _, __, z, **kw: P.lime_weights(z.bool()).float())
        torch.manual_seed(seed)
        attr = lime.attribute(x, baselines=base, feature_mask=mask, n_samples=n, perturbations_per_eval=n)
        return game.words(attr)
    return run


def lime_package(game: Game, n: int, seed: int):
    from lime.lime_text import LimeTextExplainer

    text = " ".join(f"w{u}" for u in range(game.m))

    def classify(strings):
        present = torch.tensor([[word != "UNKWORDZ" for word in s.split(" ")] for s in strings])  # (k, m)
        v = game.values(present).numpy()
        return np.stack([np.zeros_like(v), v], 1)

    def run():
        explainer = LimeTextExplainer(bow=False, split_expression=" ", mask_string="UNKWORDZ", random_state=seed)
        result = explainer.explain_instance(text, classify, labels=(1,), num_features=game.m, num_samples=n)
        scores = torch.zeros(game.m, dtype=torch.float64)
        for feature, weight in result.local_exp[1]:
            scores[feature] = weight
        return scores
    return run


@functools.lru_cache(maxsize=None)
def load_ferret_lime():
    """ferret's LIMEExplainer without ferret's package __init__ (which imports datasets, shap, thermostat, ...)."""
    import importlib.util

    spec = importlib.util.find_spec("ferret")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("ferret-xai is not installed")
    package = types.ModuleType("ferret")
    package.__path__ = list(spec.submodule_search_locations)
    sys.modules.setdefault("ferret", package)
    from ferret.explainers.lime import LIMEExplainer

    return LIMEExplainer


def ferret_lime(game: Game, n: int, seed: int, explainer: Explainer):
    LIMEExplainer = load_ferret_lime()
    model = explainer.model

    def run():
        ferret = LIMEExplainer(model.model, model.tokenizer)
        np.random.seed(seed)
        out = ferret.compute_feature_importance(game.batch.enc.texts[0], target=game.target, num_samples=n,
                                                show_progress=False, batch_size=n)
        tokens = torch.tensor(np.asarray(out.scores, dtype=np.float64))  # (L,) with specials (0)
        words = torch.zeros(game.m, dtype=torch.float64)
        words.index_add_(0, game.word_of, tokens[game.pos])
        return words
    return run


# --- the run ------------------------------------------------------------------------------------------

def abba(a, b, repeats: int) -> tuple[list[float], list[float], torch.Tensor, torch.Tensor]:
    """CPU seconds of a and b in A B B A order (`repeats` times), and each one's last result."""
    times: dict[str, list[float]] = {"a": [], "b": []}
    out = {}
    for _ in range(repeats):
        for name in ("a", "b", "b", "a"):
            fn = a if name == "a" else b
            c0 = time.process_time()
            out[name] = fn()
            times[name].append(time.process_time() - c0)
    return times["a"], times["b"], out["a"], out["b"]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sentences", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-tokens", type=int, default=30)
    p.add_argument("--data", type=Path, default=SHARED_DATA)
    p.add_argument("--repeats", type=int, default=1, help="A B B A rounds per sentence and pair")
    p.add_argument("--shapley-samples", type=int, default=P.DEFAULT_PERMUTATIONS)
    p.add_argument("--kernel-samples", type=int, default=P.DEFAULT_KERNEL_SAMPLES)
    p.add_argument("--lime-samples", type=int, default=P.DEFAULT_LIME_SAMPLES)
    p.add_argument("--peer-deps", type=Path, nargs="*", default=[],
                   help="folders holding scikit-learn, lime, ferret-xai (pip install --target)")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")
    sys.path.extend(str(folder) for folder in args.peer_deps)
    model, model_desc = load_bench_model(None)
    explainer = Explainer(model)
    texts = sst2_sentences(args.data / SST2_DEV, args.sentences, args.seed, model, args.max_tokens)
    n = {"shapley": args.shapley_samples, "kernel_shap": args.kernel_samples, "lime": args.lime_samples}
    pairs = [  # (label, our method, peer factory, how agreement is judged)
        ("shapley vs Captum ShapleyValueSampling", "shapley", captum_shapley, "same draws"),
        ("kernel_shap vs Captum KernelShap", "kernel_shap", captum_kernel_shap, "same draws"),
        ("lime vs Captum Lime (Ridge α=1, LIME text kernel)", "lime", captum_lime, "same draws"),
        ("lime vs lime package LimeTextExplainer, same game", "lime", lime_package, "rank"),
        ("lime vs ferret LIMEExplainer (token level, softmax prob)", "lime",
         lambda g, k, s: ferret_lime(g, k, s, explainer), "rank"),
    ]
    load_start = machine()["load_average_1_5_15"]
    rows, skipped = [], {}
    for label, method, peer, judged in pairs:
        for text in texts:
            game = Game(explainer, text)
            try:
                t_ours, t_peer, a, b = abba(ours(method, game, n[method], args.seed), peer(game, n[method], args.seed),
                                            args.repeats)
            except Exception as exc:  # a peer that cannot be imported or run offline: say why
                skipped[label] = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
                break
            na, nb = normalised(a), normalised(b)
            rows.append({"pair": label, "method": method, "judged": judged, "text": text, "words": game.m,
                         "n_samples": n[method], "max_abs_diff_normalised": float((na - nb).abs().max()),
                         "spearman": spearman(na, nb) if game.m > 2 else None,
                         "faithlens_cpu_s": t_ours, "peer_cpu_s": t_peer})
            print(f"{label}: {game.m} words, diff {rows[-1]['max_abs_diff_normalised']:.2g}, "
                  f"ours {statistics.median(t_ours):.3f}s, peer {statistics.median(t_peer):.3f}s", flush=True)
    report = {"model": model_desc, "sentences": texts, "seed": args.seed, "n_samples": n, "repeats": args.repeats,
              "machine": machine(), "load_average_at_start": load_start, "rows": rows, "skipped": skipped,
              "peer_versions": versions()}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "peer_perturbation.json").write_text(json.dumps(report, indent=1) + "\n")
    (RESULTS / "peer_perturbation.md").write_text(markdown(report))
    print(markdown(report))
    return 0


def versions() -> dict:
    from importlib import metadata

    out = {}
    for name in ("captum", "scikit-learn", "lime", "ferret-xai", "torch", "transformers"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def markdown(r: dict) -> str:
    lines = ["# Word-level perturbation methods: faithlens vs Captum, lime and ferret", "",
             f"`OMP_NUM_THREADS=1 python bench/peer_perturbation.py --peer-deps DIR...`; model: {r['model']}; "
             f"{len(r['sentences'])} SST-2 dev sentences (seed {r['seed']}); samples: shapley {r['n_samples']['shapley']} "
             f"orders, kernel_shap {r['n_samples']['kernel_shap']} and lime {r['n_samples']['lime']} coalitions; "
             f"one torch thread; load average {r['load_average_at_start'][0]} at start, {r['machine']['load_average_1_5_15'][0]} "
             f"at end; versions {', '.join(f'{k} {v}' for k, v in r['peer_versions'].items() if v)}.", "",
             "## Agreement (first)", "",
             f"Word scores, L2-normalised per sentence. *same draws*: the peer draws the same coalitions from the same "
             f"seed and must agree to {SAME_DRAWS:g}; *rank*: a different sampler or game, so the Spearman correlation "
             "is reported, not judged.", "",
             "| pair | judged | sentences | words (median) | max diff (normalised) | Spearman (median) | agree |",
             "| --- | --- | ---: | ---: | ---: | ---: | --- |"]
    by_pair: dict[str, list[dict]] = {}
    for row in r["rows"]:
        by_pair.setdefault(row["pair"], []).append(row)
    for pair, rows in by_pair.items():
        diff = max(x["max_abs_diff_normalised"] for x in rows)
        rhos = [x["spearman"] for x in rows if x["spearman"] is not None]
        agree = ("✓" if diff <= SAME_DRAWS else "✗") if rows[0]["judged"] == "same draws" else "–"
        lines.append(f"| {pair} | {rows[0]['judged']} | {len(rows)} | {statistics.median(x['words'] for x in rows):g} | "
                     f"{diff:.2g} | {statistics.median(rhos):.3f} | {agree} |" if rhos else
                     f"| {pair} | {rows[0]['judged']} | {len(rows)} | – | {diff:.2g} | – | {agree} |")
    lines += ["", "## Time", "",
              "CPU seconds per sentence (medians over sentences of each side's runs, A B B A order).", "",
              "| pair | faithlens s | peer s | peer / faithlens |", "| --- | ---: | ---: | ---: |"]
    for pair, rows in by_pair.items():
        a = statistics.median(statistics.median(x["faithlens_cpu_s"]) for x in rows)
        b = statistics.median(statistics.median(x["peer_cpu_s"]) for x in rows)
        lines.append(f"| {pair} | {a:.3f} | {b:.3f} | {b / a:.2f}× |")
    if r["skipped"]:
        lines += ["", "## Not run", ""] + [f"- {pair}: {why}" for pair, why in r["skipped"].items()]
    lines += ["", "What the times measure: both sides evaluate about the same coalitions on the same forward, which "
              "dominates the cost. faithlens runs all coalitions of a sentence as batched rows (shapley: every order "
              "at once; Captum's ShapleyValueSampling: one forward per order), skips the full and empty coalitions "
              "(F(w) and F(w̄) come with the prediction) and fits in closed form in torch; it also computes the "
              "standard errors (std over orders; 50 bootstrap refits for kernel_shap and lime) inside its timed run. "
              "The lime package and ferret draw differently (a uniform number of removed words), and ferret explains "
              "tokens' effect on the softmax probability through decoded and re-tokenised texts, so their scores "
              "are compared by rank only."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
