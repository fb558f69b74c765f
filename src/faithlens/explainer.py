"""The public API: `Explainer(model)` and `explain(text, ...)`. Validates, batches texts, assembles results."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from . import __version__
from .baselines import Baseline, baseline_embeddings, resolve_baseline
from .batching import DEFAULT_MEMORY_BUDGET, Batch
from .device import synchronize
from .encoding import Encoding, check_texts, encode
from .errors import FaithlensError
from .explanation import Explanation, Word
from .methods import METHODS, MethodOutput, Options, get_method
from .model import ClassifierModel, load_model
from .scores import score_function

Target = int | str | None


@dataclass(frozen=True)
class Prepared:
    """One padded batch ready for a method core, with what the result needs to be assembled."""

    batch: Batch
    probs: Tensor  # (B, C) on the original input
    baseline: Baseline


class Explainer:
    """Reuses one loaded model to explain many texts with any registered method."""

    def __init__(self, model: ClassifierModel | str | None = None, *, dtype: torch.dtype | None = None):
        if isinstance(model, ClassifierModel):
            self.model = model if dtype is None else model.to(dtype=dtype)
        else:
            self.model = load_model(model, dtype=dtype)

    # --- prediction --------------------------------------------------------------------------
    def predict(self, texts: str | Sequence[str], *, truncate: bool = False) -> Tensor:
        """Class probabilities (N, C) for the texts."""
        texts = [texts] if isinstance(texts, str) else list(texts)
        enc = encode(self.model, texts, truncate=truncate)
        with torch.inference_mode():
            logits = self.model.logits(self.model.embed(enc.input_ids), enc.attention_mask, enc.token_type_ids, enc.position_ids)
        return torch.softmax(logits, -1)

    # --- explanation -------------------------------------------------------------------------
    def explain(
        self,
        texts: str | Sequence[str],
        method: str = "sig",
        *,
        steps: int | None = None,
        baseline: str = "mask",
        baseline_token: str | None = None,
        score: str = "logit",
        target: Target | Sequence[Target] = None,
        unit: str = "token",
        mode: str = "auto",
        rule: str = "gausslegendre",
        n_samples: int | None = None,
        noise: float = 0.01,
        seed: int = 0,
        batch_size: int = 16,
        rows_per_chunk: int | None = None,
        memory_budget: int | None = None,
        truncate: bool = False,
        return_attributions: bool = False,
        tolerance: float | None = None,
    ) -> Explanation | list[Explanation]:
        """Explain one text (returns an Explanation) or a list of texts (returns a list).

        ``tolerance`` (SIG reverse/forward, IG): error-controlled quadrature (SPEC §10). Each SIG
        unit gets nodes of a nested rule until |a_u − c_u| ≤ tolerance · ‖c‖₂ (c: the closed form);
        IG until |Σ a − (F(w) − F(w̄))| ≤ tolerance · |F(w) − F(w̄)|. ``steps`` then caps the nodes
        per path; ``steps="auto"`` is ``tolerance=DEFAULT_TOLERANCE``. The nodes used per path are in
        ``Explanation.nodes``; a path that missed the tolerance at the last level adds a warning.
        """
        single = isinstance(texts, str)
        items = [texts] if single else list(texts)
        check_texts(items)
        spec = get_method(method)
        score_fn = score_function(score)
        steps, tolerance = _check_tolerance(method, mode, steps, tolerance)
        _check_positive("batch_size", batch_size)
        for name, value in (("steps", steps), ("n_samples", n_samples), ("rows_per_chunk", rows_per_chunk), ("memory_budget", memory_budget)):
            if value is not None:
                _check_positive(name, value)
        if unit not in ("token", "word"):
            from .errors import unknown_choice

            raise unknown_choice("unit", unit, ["token", "word"])
        targets = _per_text(target, len(items))
        opts = Options(steps=steps, rule=rule, unit=unit, mode=mode, n_samples=n_samples, noise=noise, seed=seed,
                       return_attributions=return_attributions, tolerance=tolerance)
        base = resolve_baseline(self.model, baseline, token=baseline_token)
        common = {"baseline": base.kind, "baseline_token": base.token, "score": score, "dtype": str(self.model.dtype).replace("torch.", "")}
        results: list[Explanation | None] = [None] * len(items)
        order = sorted(range(len(items)), key=lambda i: len(items[i]))  # similar lengths share a batch
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            t0 = time.perf_counter()
            prep = self._prepare([items[i] for i in idx], [targets[i] for i in idx], base, score_fn, truncate,
                                 rows_per_chunk, memory_budget, with_baseline_score=spec.completeness)
            out = spec.fn(prep.batch, opts)
            synchronize(self.model.device)
            seconds = (time.perf_counter() - t0) / len(idx)
            settings = dict(common, **out.settings)
            for j, i in enumerate(idx):
                results[i] = _assemble(self.model, prep, out, j, method, settings, seconds, seed if spec.random else None)
        return results[0] if single else results  # type: ignore[return-value]

    def compare(self, text: str, methods: Sequence[str] = ("sig", "ig", "grad_x_input", "occlusion"), **settings) -> dict[str, Explanation]:
        """Explain one text with several methods under the same settings."""
        for m in methods:
            get_method(m)
        return {m: self.explain(text, m, **settings) for m in methods}  # type: ignore[misc]

    # --- internals ---------------------------------------------------------------------------
    def _prepare(self, texts, targets, base, score_fn, truncate, rows_per_chunk, memory_budget, *,
                 with_baseline_score: bool = True) -> Prepared:
        enc = encode(self.model, texts, truncate=truncate)
        with torch.inference_mode():
            W = self.model.embed(enc.input_ids)
        W = W.clone()
        Wbar = baseline_embeddings(self.model, enc, base, W)
        B, k = len(texts), 2 if with_baseline_score else 1
        rep = lambda t: None if t is None else t.repeat(k, 1)  # noqa: E731
        with torch.inference_mode():  # the prediction, and F at the baseline (completeness deltas) in the same pass
            both = self.model.logits(torch.cat([W, Wbar][:k]), rep(enc.attention_mask), rep(enc.token_type_ids),
                                     rep(enc.position_ids))  # (kB, C)
        logits = both[:B].clone()
        baseline_logits = both[B:].clone() if with_baseline_score else None
        probs = torch.softmax(logits, -1)
        target = torch.tensor([_resolve_target(self.model, t, int(p.argmax())) for t, p in zip(targets, probs)])
        batch = Batch(model=self.model, enc=enc, W=W, Wbar=Wbar, target=target, score=score_fn,
                      rows_per_chunk=rows_per_chunk, memory_budget=memory_budget or DEFAULT_MEMORY_BUDGET,
                      input_logits=logits, baseline_logits=baseline_logits)
        return Prepared(batch=batch, probs=probs, baseline=base)


def explain(text: str | Sequence[str], method: str = "sig", *, model: ClassifierModel | str | None = None, **settings):
    """One-off: load `model` (default: the bundled model) and explain `text`. See `Explainer.explain`."""
    return Explainer(model).explain(text, method, **settings)


# --- helpers -----------------------------------------------------------------------------------

def _check_positive(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise FaithlensError(f"The '{name}' parameter must be a positive int. Got {value!r} instead.")


ADAPTIVE_METHODS = ("sig", "ig")  # methods that take tolerance= (SIG in reverse or forward mode)


def _check_tolerance(method: str, mode: str, steps, tolerance) -> tuple[int | None, float | None]:
    """Validate tolerance= (and steps="auto"); returns (steps, tolerance) for Options."""
    if isinstance(steps, str) and steps == "auto":
        from .methods.adaptive import DEFAULT_TOLERANCE

        steps, tolerance = None, DEFAULT_TOLERANCE if tolerance is None else tolerance
    if tolerance is None:
        return steps, None
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not 0 <= tolerance < 1:
        raise FaithlensError(f"The 'tolerance' parameter must be a number in [0, 1) (relative to the exact integral's "
                             f"size). Got {tolerance!r} instead. Try 1e-3.")
    if method not in ADAPTIVE_METHODS or (method == "sig" and mode == "closed"):
        raise FaithlensError(f"tolerance= controls the quadrature of sig (reverse or forward mode) and ig; "
                             f"{method!r}{' in closed mode' if method == 'sig' else ''} has none. Drop tolerance=.")
    return steps, float(tolerance)


def _per_text(target, n: int) -> list:
    if target is None or isinstance(target, (int, str)):
        return [target] * n
    target = list(target)
    if len(target) != n:
        raise FaithlensError(f"Got {len(target)} targets for {n} texts. Pass one target, or one per text.")
    return target


def _resolve_target(model: ClassifierModel, target: Target, predicted: int) -> int:
    if target is None:
        return predicted
    labels = model.labels
    if isinstance(target, bool):
        raise FaithlensError(f"The target must be a class index or label name. Got {target!r}.")
    if isinstance(target, int):
        if not 0 <= target < len(labels):
            raise FaithlensError(f"Target index {target} is out of range: {model.name!r} has {len(labels)} classes "
                                 f"(0..{len(labels) - 1}: {', '.join(labels)}).")
        return target
    if isinstance(target, str):
        if target in labels:
            return labels.index(target)
        lowered = [label.lower() for label in labels]
        if target.lower() in lowered:
            return lowered.index(target.lower())
        if target.lstrip("-").isdigit():
            return _resolve_target(model, int(target), predicted)
        raise FaithlensError(f"Unknown target {target!r}. Valid choices: {', '.join(labels)} or an index 0..{len(labels) - 1}.")
    raise FaithlensError(f"The target must be a class index or label name. Got {type(target).__name__}.")


def _assemble(model: ClassifierModel, prep: Prepared, out: MethodOutput, j: int, method: str,
              settings: dict, seconds: float, seed: int | None) -> Explanation:
    enc: Encoding = prep.batch.enc
    pos = enc.real_positions(j)  # positions of real tokens, in order
    keep = {int(p): n for n, p in enumerate(pos.tolist())}  # padded position -> token index
    ids = enc.input_ids[j, pos].tolist()
    tokens = tuple(model.tokenizer.convert_ids_to_tokens(ids))
    special = tuple(bool(s) for s in enc.special_mask[j, pos].tolist())
    offsets = tuple((int(a), int(b)) for a, b in enc.offsets[j, pos].tolist())
    raw = out.token_scores[j, pos].to(torch.float64)
    if not torch.isfinite(raw).all():
        raise FaithlensError(
            f"The {method} scores for text {enc.texts[j]!r} contain NaN or infinity: the model produced non-finite "
            "values. Try dtype=torch.float64, another baseline, or fewer steps with a different quadrature rule."
        )
    norm = float(raw.norm())
    normed = raw / norm if norm > 0 else raw.clone()
    words = _words(enc, j, pos, raw, normed)
    probs = prep.probs[j].tolist()
    predicted = int(prep.probs[j].argmax())
    target = int(prep.batch.target[j])
    labels = model.labels
    deltas = units = nodes = None
    missed: list[str] = []
    if out.unit_deltas is not None and out.units is not None:
        real = out.units[j].any(-1)
        deltas = tuple(float(x) for x in out.unit_deltas[j][real].tolist())
        units = tuple(tuple(keep[int(p)] for p in torch.nonzero(u).flatten().tolist()) for u in out.units[j][real])
    if out.path_nodes is not None:
        on_path = out.units[j].any(-1) if out.units is not None else torch.ones(out.path_nodes.shape[1], dtype=torch.bool)
        nodes = tuple(int(n) for n in out.path_nodes[j][on_path].tolist())
        if out.path_converged is not None and not bool(out.path_converged[j][on_path].all()):
            bad = (~out.path_converged[j][on_path]).nonzero()[:, 0].tolist()
            if units is not None:
                names = ", ".join(repr("".join(tokens[t] for t in units[i])) for i in bad)
                missed.append(f"SIG: {len(bad)} unit(s) ({names}) missed tolerance={settings.get('tolerance')} at the "
                              f"rule's last level ({settings.get('max_nodes')} nodes); they keep their best estimate (see deltas).")
            else:
                missed.append(f"The completeness gap missed tolerance={settings.get('tolerance')} at the rule's last "
                              f"level ({settings.get('max_nodes')} nodes); the scores are the best estimate (see total_delta).")
    attributions = None
    if out.attributions is not None:
        attributions = tuple(tuple(float(x) for x in row) for row in out.attributions[j, pos].tolist())
    warnings = tuple(w for w in (prep.baseline.warning,
                                 "The text was truncated to the model's limit." if enc.truncated[j] else None, *missed) if w)
    settings = dict(settings, target=target)
    if seed is not None:
        settings["seed"] = seed
    return Explanation(
        text=enc.texts[j], method=method, model=model.name,
        prediction={"label": labels[predicted], "index": predicted, "probs": probs, "labels": list(labels)},
        target={"label": labels[target], "index": target}, score=settings["score"],
        tokens=tokens, offsets=offsets, special=special,
        token_scores=tuple(raw.tolist()), token_scores_normalised=tuple(normed.tolist()), words=words,
        settings=settings, seconds=seconds, version=__version__, deltas=deltas, units=units, nodes=nodes,
        total_delta=None if out.total_delta is None else float(out.total_delta[j]),
        attributions=attributions, truncated=enc.truncated[j], warnings=warnings,
    )


def _words(enc: Encoding, j: int, pos: Tensor, raw: Tensor, normed: Tensor) -> tuple[Word, ...]:
    """Group attributed tokens by tokenizer word id; spans come from character offsets."""
    word_ids = enc.word_ids[j, pos].tolist()
    offsets = enc.offsets[j, pos].tolist()
    groups: dict[tuple[int, int], list[int]] = {}
    segment = 0
    previous = None
    for n, w in enumerate(word_ids):
        if w < 0:
            if previous is not None:
                segment += 1  # a special token between words starts a new segment (text pairs)
            previous = None
            continue
        groups.setdefault((segment, w), []).append(n)
        previous = w
    words = []
    for members in groups.values():
        start = min(offsets[n][0] for n in members)
        end = max(offsets[n][1] for n in members)
        text = enc.texts[j]
        while start < end and text[start].isspace():  # byte-level BPE offsets include the leading space
            start += 1
        words.append(Word(word=enc.texts[j][start:end], start=int(start), end=int(end),
                          score=float(raw[members].sum()), score_normalised=float(normed[members].sum()),
                          tokens=tuple(members)))
    return tuple(words)


def available_methods() -> dict[str, str]:
    return {name: m.summary for name, m in METHODS.items()}

