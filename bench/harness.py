"""Measure faithlens against its peers on the same model, inputs and settings.

Every comparison first checks that the two implementations agree, then times them:
- SIG: faithlens (reverse, forward, closed form) vs tint's `SequentialIntegratedGradients`,
- IG: faithlens vs Captum's `IntegratedGradients`,
all on the same word-embedding forward `model.logits(W, attention_mask, token_type_ids)`, the same
[MASK] baseline (specials kept), the logit of the predicted class, and Gauss-Legendre quadrature.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from faithlens.batching import Batch
from faithlens.encoding import unit_masks
from faithlens.explainer import Explainer
from faithlens.methods.base import Options
from faithlens.methods.ig import ig as fl_ig_core
from faithlens.methods.sig import closed_form_scores, forward as _forward, reverse as _reverse
from faithlens.model import ClassifierModel, from_pretrained_objects
from faithlens.quadrature import rule
from faithlens import stats

SIG_TOLERANCE = 1e-4  # max |difference| of L2-normalised token scores (reverse, forward; IG)
ADAPTIVE_AGREEMENT = 1e-3  # error-controlled runs vs the 50-step peers: max |difference| of normalised scores
SPEARMAN_MINIMUM = 0.9  # closed form vs tint's 50-step SIG: rank agreement
REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"  # the default of --data
SST2_DEV = Path("sst2") / "dev.tsv"
IMDB_SAMPLE = Path("imdb_textfooler_test1000") / "imdb_test_sample_1000.txt"


def check_data(folder: Path) -> Path:
    """The data folder, or a clear exit when it lacks the files the bench reads."""
    folder = Path(folder).expanduser()
    missing = [str(folder / f) for f in (SST2_DEV, IMDB_SAMPLE) if not (folder / f).is_file()]
    if missing:
        raise SystemExit(f"bench: the data folder {str(folder)!r} lacks {', '.join(missing)}. Pass --data DIR, a folder "
                         f"holding {SST2_DEV} (GLUE SST-2 dev, tab-separated with a header) and {IMDB_SAMPLE} (one "
                         "'label review' per line); the default is ../shared/data beside the repository.")
    return folder


# --- the model and the inputs ------------------------------------------------------------------

def load_bench_model(name: str | None) -> tuple[ClassifierModel, str]:
    """The bundled default model once trained; until then the untrained MiniLM base, seed 0."""
    from faithlens.default_model import base_encoder_path, default_model_dir
    from faithlens.model import load_model

    if name not in (None, "auto"):
        return load_model(name), name
    if (default_model_dir() / "faithlens_model.json").exists():
        return load_model(None), "default (faithlens.load_model(None))"
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, logging

    logging.set_verbosity_error()
    path = base_encoder_path()
    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=2)
    tokenizer = AutoTokenizer.from_pretrained(path)
    return from_pretrained_objects(model, tokenizer, name="minilm-l6-base-untrained"), \
        "untrained MiniLM-L6 base + random 2-class head, torch seed 0 (default model not trained yet)"


def sst2_sentences(path: Path, n: int, seed: int, model: ClassifierModel | None = None,
                   max_tokens: int | None = None) -> list[str]:
    """A seeded sample of n sentences, optionally among those with at most max_tokens tokens."""
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    texts = [line.split("\t")[0].strip() for line in lines if line.strip()]
    if max_tokens is not None and model is not None:
        texts = [t for t in texts if len(model.tokenizer(t)["input_ids"]) <= max_tokens]
    return random.Random(seed).sample(texts, n)


def imdb_review(path: Path, model: ClassifierModel, min_tokens: int, seed: int) -> str:
    """One review (seeded choice) with at least `min_tokens` tokens."""
    reviews = [line.split(" ", 1)[1].strip() for line in path.read_text(encoding="utf-8").splitlines() if " " in line]
    random.Random(seed).shuffle(reviews)
    for text in reviews:
        if len(model.tokenizer(text)["input_ids"]) >= min_tokens:
            return text
    raise ValueError(f"no review in {path} has {min_tokens} tokens")


def prefix_with_tokens(model: ClassifierModel, text: str, n_tokens: int) -> str:
    """The longest prefix of `text` (cut at a token end) that encodes to at most n_tokens tokens."""
    enc = model.tokenizer(text, truncation=True, max_length=n_tokens, return_offsets_mapping=True)
    ends = [end for start, end in enc["offset_mapping"] if end > start]
    return text[:ends[-1]]


# --- one input in canonical form --------------------------------------------------------------

def prepare(explainer: Explainer, text: str, rows_per_chunk: int | None = None) -> Batch:
    """The Batch faithlens explains: [MASK] baseline, logit of the predicted class."""
    return explainer.batch([text], baseline="mask", score="logit", rows_per_chunk=rows_per_chunk)


def forward_for_peers(model: ClassifierModel, batch: Batch) -> tuple[Callable, tuple]:
    """The same word-embedding forward faithlens differentiates, in Captum's calling convention."""
    enc = batch.enc
    if enc.token_type_ids is None:
        return (lambda emb, mask: model.logits(emb, mask)), (enc.attention_mask,)
    return (lambda emb, mask, types: model.logits(emb, mask, types)), (enc.attention_mask, enc.token_type_ids)


def normalised(scores: Tensor) -> Tensor:
    """L2-normalised token scores (specials and padding are zero in every implementation)."""
    scores = scores.detach().to(torch.float64).flatten()
    norm = scores.norm()
    return scores / norm if norm > 0 else scores


# --- peers ------------------------------------------------------------------------------------

def tint_available() -> bool:
    try:
        import tint.attr  # noqa: F401
    except Exception:  # tint's package import pulls in lightning, sklearn, pandas
        return False
    return True


def tint_sig(model: ClassifierModel, batch: Batch, steps: int) -> Tensor:
    """tint's SIG token scores (1, L): its own loop over positions, n_steps per position."""
    from tint.attr import SequentialIntegratedGradients

    fwd, extra = forward_for_peers(model, batch)
    A = SequentialIntegratedGradients(fwd).attribute(
        batch.W, baselines=batch.Wbar, target=int(batch.target[0]), additional_forward_args=extra,
        n_steps=steps, method="gausslegendre")
    return A.sum(-1)


def tint_sig_position(model: ClassifierModel, batch: Batch, steps: int, position: int) -> Tensor:
    """One iteration of tint's loop over positions (what `attribute` runs L times)."""
    from tint.attr import SequentialIntegratedGradients

    fwd, extra = forward_for_peers(model, batch)
    sig = SequentialIntegratedGradients(fwd)
    (A,) = sig._attribute(inputs=(batch.W,), baselines=(batch.Wbar,), target=int(batch.target[0]),
                          additional_forward_args=extra, n_steps=steps, method="gausslegendre", idx=position)
    return A[:, position].sum(-1)


def captum_ig(model: ClassifierModel, batch: Batch, steps: int) -> Tensor:
    from captum.attr import IntegratedGradients

    fwd, extra = forward_for_peers(model, batch)
    A = IntegratedGradients(fwd).attribute(batch.W, baselines=batch.Wbar, target=int(batch.target[0]),
                                           additional_forward_args=extra, n_steps=steps, method="gausslegendre")
    return A.sum(-1)


# --- agreement --------------------------------------------------------------------------------

def spearman(a: Tensor, b: Tensor) -> float:
    """Spearman rank correlation of two 1-D tensors (`faithlens.stats.spearman`: average ranks for ties); 1.0 when
    either side is constant."""
    rho = stats.spearman(a.tolist(), b.tolist())
    return 1.0 if rho is None else rho


def agreement(ours: Tensor, peer: Tensor, attributed: Tensor, *, kind: str, tolerance: float | None = None) -> dict:
    """Compare two token-score vectors over attributed positions: 'max_abs' (≤ tolerance) or 'spearman' check."""
    a, b = normalised(ours), normalised(peer)
    keep = attributed.flatten().bool()
    diff = float((a - b).abs().max())
    rho = spearman(a[keep], b[keep]) if int(keep.sum()) > 2 else 1.0
    tolerance = SIG_TOLERANCE if tolerance is None else tolerance
    ok = diff <= tolerance if kind == "max_abs" else rho >= SPEARMAN_MINIMUM
    return {"check": kind, "max_abs_diff": diff, "spearman": rho, "agree": bool(ok),
            "tolerance": tolerance if kind == "max_abs" else SPEARMAN_MINIMUM}


# --- timing -----------------------------------------------------------------------------------

def timed(fn: Callable[[], Tensor], repeats: int, wall: list[float] | None = None) -> tuple[list[float], Tensor]:
    """CPU seconds of this process per repeat (and wall seconds appended to `wall`).

    On a CPU shared with other jobs, wall time mostly measures the queue; the process's own CPU
    time (one torch thread) measures the work. Both are recorded; ratios use CPU time.
    """
    times, out = [], None
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.process_time() - c0)
        if wall is not None:
            wall.append(time.perf_counter() - t0)
    return times, out


@dataclass(frozen=True)
class Settings:
    steps: int = 50
    repeats: int = 1
    probe_row_tokens: int = 3072  # rows × tokens timed per length in the sweep


def sentence_runs(explainer: Explainer, text: str, settings: Settings, with_tint: bool, with_peers: bool = True) -> dict:
    """Full runs of every method on one text; the agreement checks; the times.

    Error-controlled runs (``*_adaptive``) use faithlens's default tolerances; they are checked
    against the 50-step peers at ADAPTIVE_AGREEMENT (SIG) and on the completeness gap (IG).
    """
    from faithlens.methods.adaptive import DEFAULT_TOLERANCE

    from . import peers

    model, steps, reps = explainer.model, settings.steps, settings.repeats
    batch = prepare(explainer, text)
    attributed = batch.enc.attributed
    explained: dict[str, object] = {}

    def explain(name: str, **kw) -> Callable[[], Tensor]:
        def run() -> Tensor:
            e = explainer.explain(text, **kw)
            explained[name] = e
            return torch.tensor([e.token_scores])
        return run

    # SIG on token paths (unit="token"), as tint moves one token at a time; faithlens's default unit is the word
    runs: dict[str, Callable[[], Tensor]] = {
        "faithlens_sig_reverse": explain("faithlens_sig_reverse", method="sig", steps=steps, mode="reverse", unit="token"),
        "faithlens_sig_forward": explain("faithlens_sig_forward", method="sig", steps=steps, mode="forward", unit="token"),
        "faithlens_sig_reverse_adaptive": explain("faithlens_sig_reverse_adaptive", method="sig", mode="reverse",
                                                  tolerance=DEFAULT_TOLERANCE, return_attributions=True, unit="token"),
        "faithlens_sig_forward_adaptive": explain("faithlens_sig_forward_adaptive", method="sig", mode="forward",
                                                  tolerance=DEFAULT_TOLERANCE, unit="token"),
        "faithlens_sig_closed": explain("faithlens_sig_closed", method="sig", mode="closed", unit="token"),
        "faithlens_ig": explain("faithlens_ig", method="ig", steps=steps),
        "faithlens_ig_adaptive": explain("faithlens_ig_adaptive", method="ig", tolerance=DEFAULT_TOLERANCE),
        "faithlens_ig_core": lambda: fl_ig_core(batch, Options(steps=steps)).token_scores,
        "captum_ig": lambda: captum_ig(model, batch, steps),
    }
    comparable = {}
    if with_peers:
        for name, (fn, same) in peers.runs(model, batch, text).items():
            runs[name] = fn
            comparable[name] = same
    if with_tint:
        runs["tint_sig"] = lambda: tint_sig(model, batch, steps)
    out: dict = {"text": text, "tokens": int(batch.enc.attention_mask.sum()), "times": {}, "wall_times": {},
                 "agreement": {}, "gaps": {}, "nodes": {}}
    scores = {}
    for name, fn in runs.items():
        out["wall_times"][name] = []
        out["times"][name], scores[name] = timed(fn, reps, out["wall_times"][name])
    # faithlens's explain() returns only real tokens; peers return every (unpadded) position
    real = batch.enc.attention_mask[0].bool()
    for name in scores:
        if scores[name].shape[-1] != int(real.sum()):
            scores[name] = scores[name].reshape(-1)[real]
    attributed = attributed[0][real]
    if with_tint:
        for name, kind, tol in (("faithlens_sig_reverse", "max_abs", SIG_TOLERANCE),
                                ("faithlens_sig_forward", "max_abs", SIG_TOLERANCE),
                                ("faithlens_sig_reverse_adaptive", "max_abs", ADAPTIVE_AGREEMENT),
                                ("faithlens_sig_forward_adaptive", "max_abs", ADAPTIVE_AGREEMENT),
                                ("faithlens_sig_closed", "spearman", None)):
            out["agreement"][f"{name} vs tint_sig"] = agreement(scores[name], scores["tint_sig"], attributed, kind=kind,
                                                                tolerance=tol)
    out["agreement"]["faithlens_ig_core vs captum_ig"] = agreement(scores["faithlens_ig_core"], scores["captum_ig"], attributed, kind="max_abs")
    out["agreement"]["faithlens_ig vs captum_ig"] = agreement(scores["faithlens_ig"], scores["captum_ig"], attributed, kind="max_abs")
    out["agreement"]["faithlens_ig_adaptive vs captum_ig"] = agreement(
        scores["faithlens_ig_adaptive"], scores["captum_ig"], attributed, kind="max_abs", tolerance=ADAPTIVE_AGREEMENT)
    for name, same in comparable.items():
        if same:  # the peer with faithlens's settings must give faithlens's scores
            out["agreement"][f"faithlens_ig vs {name}"] = agreement(scores["faithlens_ig"], scores[name], attributed, kind="max_abs")
    # completeness gaps |Σ a − (F(w) − F(w̄))|, same F and baseline for all three
    exact = float(batch.F_input()[0] - batch.F_baseline()[0])
    out["gaps"] = {"exact_integral": exact,
                   "captum_ig": abs(float(scores["captum_ig"].sum()) - exact),
                   "faithlens_ig": abs(float(explained["faithlens_ig"].total_delta)),
                   "faithlens_ig_adaptive": abs(float(explained["faithlens_ig_adaptive"].total_delta))}
    for name in ("faithlens_sig_reverse_adaptive", "faithlens_sig_forward_adaptive", "faithlens_ig_adaptive"):
        e = explained[name]
        out["nodes"][name] = {"per_path": list(e.nodes), "mean": sum(e.nodes) / len(e.nodes),
                              "flagged": sum("missed" in w for w in e.warnings)}
    if with_tint:  # per-feature attributions of the error-controlled reverse run against the 50-step ones
        full = explainer.explain(text, "sig", steps=steps, return_attributions=True)
        A, B = torch.tensor(explained["faithlens_sig_reverse_adaptive"].attributions), torch.tensor(full.attributions)
        out["per_feature_max_abs_diff"] = float((A - B).abs().max() / B.norm())
    return out


def length_probe(explainer: Explainer, text: str, settings: Settings, with_tint: bool) -> dict:
    """Time a few path points of every method at one input length; extrapolate to a full run.

    A full run is a fixed number of path points (rows) that each cost the same: SIG
    positions × steps, IG steps, closed form positions + 1. So time(full) = time per row × rows,
    measured on `rows` of the real code paths (one position of tint's loop; faithlens's cores on
    one unit). Rows are chosen so rows × length ≈ probe_row_tokens.
    """
    model, steps = explainer.model, settings.steps
    batch = prepare(explainer, text)
    L = int(batch.enc.attention_mask.sum())
    units = unit_masks(batch.enc, "token")  # (1, U, L)
    U = int(units.any(-1).sum())
    rows = int(max(2, min(steps, settings.probe_row_tokens // L)))
    alphas, weights = rule("gausslegendre", rows, dtype=batch.W.dtype)
    middle = units[:, [U // 2]]  # (1, 1, L): one path
    probes: dict[str, tuple[Callable[[], object], int, int]] = {  # name: (fn, rows timed, rows of a full run)
        "faithlens_sig_reverse": (lambda: _reverse(batch, middle, alphas, weights), rows, U * steps),
        "faithlens_sig_forward": (lambda: _forward(batch, middle, alphas, weights), rows, U * steps),
        "faithlens_sig_closed": (lambda: closed_form_scores(batch, units[:, :rows - 1]), min(rows - 1, U) + 1, U + 1),
        "faithlens_ig": (lambda: fl_ig_core(batch, Options(steps=rows)), rows, steps),
        "captum_ig": (lambda: captum_ig(model, batch, rows), rows, steps),
    }
    if with_tint:
        probes["tint_sig"] = (lambda: tint_sig_position(model, batch, rows, L // 2), rows, L * steps)
    out: dict = {"tokens": L, "units": U, "probe_rows": rows, "seconds_per_row": {}, "extrapolated_seconds": {},
                 "wall_seconds": {}}
    repeats = max(settings.repeats, 3) if L <= 64 else settings.repeats  # short probes last ~1 s: take a median
    for name, (fn, timed_rows, full_rows) in probes.items():
        wall: list[float] = []
        times, _ = timed(fn, repeats, wall)
        out["wall_seconds"][name] = statistics.median(wall)
        per_row = statistics.median(times) / timed_rows
        out["seconds_per_row"][name] = per_row
        out["extrapolated_seconds"][name] = per_row * full_rows
    return out


def probe_agreement(explainer: Explainer, text: str, steps: int) -> dict:
    """On a long input: one position, all steps — tint's loop iteration vs faithlens's core."""
    model = explainer.model
    batch = prepare(explainer, text)
    units = unit_masks(batch.enc, "token")
    L = int(batch.enc.attention_mask.sum())
    alphas, weights = rule("gausslegendre", steps, dtype=batch.W.dtype)
    u = int(units.any(-1).sum()) // 2
    position = int(units[0, u].nonzero()[0])
    ours = _reverse(batch, units[:, [u]], alphas, weights).sum(-1)[0, position]
    ours_fwd = _forward(batch, units[:, [u]], alphas, weights)[0, position]
    theirs = tint_sig_position(model, batch, steps, position)[0]
    scale = float(closed_form_scores(batch, units).abs().norm()) or 1.0  # the normaliser of the full run
    return {"tokens": L, "position": position, "scale": scale,
            "reverse_vs_tint_normalised": abs(float(ours) - float(theirs)) / scale,
            "forward_vs_tint_normalised": abs(float(ours_fwd) - float(theirs)) / scale}


def machine() -> dict:
    import platform

    load = os.getloadavg()
    return {"cpu_count": os.cpu_count(), "torch_threads": torch.get_num_threads(), "torch": torch.__version__,
            "python": platform.python_version(), "processor": platform.processor() or platform.machine(),
            "load_average_1_5_15": [round(x, 2) for x in load]}


def median_or_none(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


AUTO_NOISE = 0.03  # a mode within 3 % of the faster one counts as as fast (CPU time on a shared machine)


def auto_mode_choices(model: ClassifierModel, points: list[dict]) -> list[dict]:
    """At each length of the sweep: the mode `mode="auto"` picks, and the faster one measured."""
    from faithlens.methods.sig import AUTO_FORWARD_MAX_TOKENS

    out = []
    for p in points:
        t = p["extrapolated_seconds"]
        if "faithlens_sig_reverse" not in t or "faithlens_sig_forward" not in t:
            continue
        ratio = t["faithlens_sig_reverse"] / t["faithlens_sig_forward"]
        picks = "forward" if p["tokens"] <= AUTO_FORWARD_MAX_TOKENS else "reverse"
        faster = "forward" if ratio >= 1 else "reverse"
        slowdown = (ratio if picks == "reverse" else 1 / ratio)  # time of the pick / time of the other
        out.append({"tokens": p["tokens"], "picks": picks, "faster": faster, "reverse_over_forward": ratio,
                    "picks_faster": bool(picks == faster or slowdown <= 1 + AUTO_NOISE)})
    return out
