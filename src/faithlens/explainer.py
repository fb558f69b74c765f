"""The public API: `Explainer(model)` and `explain(text, ...)`. Validates, batches texts, assembles results.

One call explains single texts, text pairs ``(a, b)``, questions with their contexts (QA models)
or prompts (causal LMs); what is explained is the model's task's scalar F (`faithlens.tasks`).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from . import __version__
from .baselines import Baseline, baseline_embeddings, check_baseline, resolve_baseline
from .batching import DEFAULT_MEMORY_BUDGET, Batch
from .comparison import Comparison
from .device import synchronize
from .encoding import Encoding, Text, as_items, check_texts, encode, encode_windows, split_items
from .errors import FaithlensError
from .explanation import Explanation, Word
from .accuracy import measure
from .methods import METHODS, Method, MethodOutput, Options, get_method
from .model import ClassifierModel, load_model
from .names import DEFAULT_METHODS, DEFAULT_UNIT, DEFAULT_WARN_ABOVE
from .options import applicable, check_settings, estimated_passes, unused_note
from .progress import progress as progress_bar
from .progress import wanted

Target = int | str | tuple[int, int] | None

DEFAULT_NEW_TOKENS = 1


@dataclass(frozen=True)
class Prepared:
    """One padded batch ready for a method core, with what the result needs to be assembled."""

    batch: Batch
    outputs: Tensor  # (B, K) the task's outputs on the original input
    baseline: Baseline
    notes: tuple[tuple[str, ...], ...] = ()  # per text: what the caller should know (windows, generation)

    @property
    def probs(self) -> Tensor:  # (B, C) label probabilities (classifiers)
        return self.batch.model.task.probabilities(self.outputs)


class Explainer:
    """Reuses one loaded model to explain many texts with any registered method."""

    def __init__(self, model: ClassifierModel | str | None = None, *, dtype: torch.dtype | None = None):
        if isinstance(model, ClassifierModel):
            self.model = model if dtype is None else model.to(dtype=dtype)
        else:
            self.model = load_model(model, dtype=dtype)

    @property
    def task(self):
        return self.model.task

    # --- prediction --------------------------------------------------------------------------
    def predict(self, texts: Text | Sequence[Text], *, truncate: bool = False) -> Tensor:
        """Label probabilities (N, C) of a classifier for texts or text pairs (softmax; sigmoid for multi-label)."""
        items, _ = as_items(texts)
        enc = encode(self.model, items, truncate=truncate)
        with torch.inference_mode():
            outputs = self.model.outputs(self.model.embed(enc.input_ids), enc.attention_mask, enc.token_type_ids,
                                         enc.position_ids)
        return self.model.task.probabilities(outputs)

    # --- explanation -------------------------------------------------------------------------
    def explain(
        self,
        texts: Text | Sequence[Text],
        method: str = "sig",
        *,
        steps: int | None = None,
        baseline: str | None = None,
        baseline_token: str | None = None,
        score: str | None = None,
        target: Target | Sequence[Target] = None,
        unit: str = DEFAULT_UNIT,
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
        max_new_tokens: int = DEFAULT_NEW_TOKENS,
        per_token: bool = False,
        progress: bool | None = None,
        tolerance: float | None = None,
        warn_above: float = DEFAULT_WARN_ABOVE,
        contrast: Target | Sequence[Target] = None,
        target_side: bool = False,
    ) -> Explanation | list[Explanation]:
        """Explain one item (returns an Explanation) or a list of items (returns a list).

        An item is a text, or a pair ``(text_a, text_b)`` encoded as the tokenizer encodes pairs
        (NLI premise and hypothesis; a QA model's question and context). ``target`` picks what F
        explains: a class index or label (classifiers; default the predicted class), an answer text
        or character span ``(start, end)`` in the context (QA; default the predicted span), or the
        continuation text (causal LMs; default ``max_new_tokens`` greedily generated tokens).
        ``score`` defaults to the task's own (``logit``; ``log_prob`` for causal LMs), ``baseline`` to
        the model's own (``mask``; for causal LMs pad, else eos, else unk).
        ``per_token`` (causal LMs): also attribute each continuation token's log-probability alone,
        giving ``Explanation.per_target`` (continuation tokens × tokens). ``target_side`` (with
        ``per_token``) also attributes each continuation token's log-probability to the continuation
        tokens before it, as inseq's target-side attribution: row j of ``per_target`` then scores the
        prompt tokens and y_<j (the continuation's input columns, the last J − 1 tokens), and is
        exactly 0 at y_≥j; the matrix gains its lower triangle. Each row j runs the method with y_<j
        among the attributed positions of F_j = log p(y_j | prompt, y_<j) (moved to the baseline like
        prompt tokens), so for IG-like methods a row's prompt scores share the path with y_<j; the
        explanation of Σ_j F_j (``token_scores``) stays prompt-only. ``progress`` shows a bar of
        model passes with an ETA on stderr once the work has run for 2 s (default: when stderr is a
        terminal), after printing the expected number of passes when it is large.
        ``tolerance`` (SIG reverse/forward, IG): error-controlled quadrature (SPEC §10). Each SIG
        unit gets nodes of a nested rule until |a_u − c_u| ≤ tolerance · ‖c‖₂ (c: the closed form);
        IG until |Σ a − (F(w) − F(w̄))| ≤ tolerance · |F(w) − F(w̄)|, by adaptive Gauss–Kronrod
        intervals over α, each checked exactly against F (docs/estimators.md; a named nested ``rule``
        refines the whole path instead). ``steps`` then caps the nodes per path (IG default 512); ``steps="auto"`` is ``tolerance=DEFAULT_TOLERANCE``. The nodes used per path are in
        ``Explanation.nodes``; a path that missed the tolerance at the last level adds a warning.
        Every explanation carries its measured error (``Explanation.error``, `faithlens.accuracy`):
        exact, SIG's quadrature error against its closed form, the completeness gap, or the sampling
        error; above ``warn_above`` (relative, default 0.01) it adds a warning with the number and
        the exact alternative. SIG's default (``mode="auto"`` with no ``steps``/``tolerance``/
        ``return_attributions``) is the exact closed form, with ``unit="word"``.

        ``contrast`` explains why the target rather than a foil: F = score(target) − score(foil) (`Task.contrast`).
        Classifiers: a class index or label (with ``score="logit"`` the logit difference); causal LMs: a foil
        continuation text, F = log p(target | prompt) − log p(foil | prompt) (inseq's ``contrast_prob_diff``), which
        may differ from the target in its last token only (the target's earlier tokens are part of the input).
        The result's ``target["contrast"]`` names the foil.
        """
        items, single = as_items(texts)
        steps, tolerance = _check_tolerance(method, mode, steps, tolerance)
        given = check_settings([method], dict(steps=steps, tolerance=tolerance, rule=rule, unit=unit, mode=mode, n_samples=n_samples,
                                              noise=noise, seed=seed, batch_size=batch_size, rows_per_chunk=rows_per_chunk,
                                              memory_budget=memory_budget, max_new_tokens=max_new_tokens,
                                              warn_above=warn_above), strict=False)
        ignored = unused_note([method], given)
        check_texts(items)
        spec = get_method(method)
        task = self.model.task
        score = score or task.default_score
        if contrast is not None and task.name == "qa":
            raise FaithlensError("contrast= compares a classifier's class or a causal LM's continuation with a foil; "
                                 f"{self.model.name!r} is a {task.summary} model. Drop contrast, or pass target= "
                                 "another answer.")
        score_fn = task.score(score) if contrast is None else task.contrast(score)
        if per_token and task.name != "causal_lm":
            raise FaithlensError("per_token attributes each generated token of a causal language model; "
                                 f"{self.model.name!r} is a {task.summary} model. Drop per_token.")
        if target_side and not per_token:
            raise FaithlensError("target_side extends the per-token matrix (each generated token attributed to the prompt "
                                 "and to the generated tokens before it). Pass per_token=True as well (CLI: --per-token).")
        if max_new_tokens != DEFAULT_NEW_TOKENS and task.name != "causal_lm":
            ignored = "; ".join(filter(None, [ignored, f"max_new_tokens={max_new_tokens} does nothing for a "
                                                       f"{task.summary} model; it is read by causal LMs."]))
        _check_items(task, items)
        targets = _per_text(target, len(items))
        _check_targets(self.model, targets, max_new_tokens)  # before any model pass
        foils = _per_text(contrast, len(items))
        opts = Options(steps=steps, rule=rule, unit=unit, mode=mode, n_samples=n_samples, noise=noise, seed=seed,
                       return_attributions=return_attributions, tolerance=tolerance)
        base = resolve_baseline(self.model, baseline, token=baseline_token)
        common = {"baseline": base.kind, "baseline_token": base.token, "score": score, "dtype": str(self.model.dtype).replace("torch.", "")}
        if contrast is not None:
            common["contrast"] = contrast if isinstance(contrast, (int, str)) else list(contrast)
        results: list[Explanation | None] = [None] * len(items)
        order = sorted(range(len(items)), key=lambda i: _length(items[i]))  # similar lengths share a batch
        show = wanted() if progress is None else bool(progress)
        with progress_bar(f"{method} ({len(items)} text{'s' * (len(items) > 1)})", enabled=show):
            self._run(items, order, targets, spec, opts, base, score_fn, common, results, method, seed, truncate,
                      rows_per_chunk, memory_budget, batch_size, max_new_tokens, per_token, ignored, show, warn_above, foils, target_side)
        return results[0] if single else results  # type: ignore[return-value]

    def _run(self, items, order, targets, spec, opts, base, score_fn, common, results, method, seed, truncate,
             rows_per_chunk, memory_budget, batch_size, max_new_tokens, per_token, ignored, show, warn_above, foils,
             target_side=False) -> None:
        """Explain `items` batch by batch (similar lengths together) into `results`."""
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            t0 = time.perf_counter()
            prep = self._prepare([items[i] for i in idx], [targets[i] for i in idx], base, score_fn, truncate,
                                 rows_per_chunk, memory_budget, with_baseline_score=spec.completeness,
                                 max_new_tokens=max_new_tokens, foils=None if foils is None else [foils[i] for i in idx])
            if show:
                announce_cost(method, opts, prep.batch)
            summed = _summed_from_tokens(spec, prep, opts) if per_token and not target_side else None
            if summed is not None:  # F = Σ_j F_j and the method is linear in F: one run gives both
                out, per_target = summed
            else:
                out = spec.fn(prep.batch, opts)
                per_target = _per_target(spec, prep, opts, target_side=target_side) if per_token else None
            if per_token and per_target is None:
                per_target = [[out.token_scores[b, prep.batch.enc.real_positions(b)].to(torch.float64).tolist()]
                              for b in range(len(idx))]
            synchronize(self.model.device)
            seconds = (time.perf_counter() - t0) / len(idx)
            settings = dict(common, **out.settings, **({"target_side": True} if target_side else {}))
            for j, i in enumerate(idx):
                results[i] = _assemble(self.model, prep, out, j, spec, settings, seconds, seed if spec.random else None,
                                       per_target=None if per_target is None else per_target[j],
                                       extra_warnings=(f"Ignored: {ignored}",) if ignored else (), warn_above=warn_above)

    def compare(self, text: Text, methods: Sequence[str] = DEFAULT_METHODS, **settings) -> Comparison:
        """Explain one text with several methods under the same settings (each method gets those it reads).

        Returns a `Comparison`: a dict method -> Explanation that shows the methods side by side in a notebook.
        """
        check_settings(methods, settings)
        return Comparison((m, self.explain(text, m, **applicable(m, settings))) for m in methods)

    # --- internals ---------------------------------------------------------------------------
    def _prepare(self, texts, targets, base, score_fn, truncate, rows_per_chunk, memory_budget, *,
                 with_baseline_score: bool = True, max_new_tokens: int = DEFAULT_NEW_TOKENS,
                 foils: Sequence[Target] | None = None) -> Prepared:
        model = self.model
        enc, notes = encode_items(model, texts, truncate=truncate, targets=targets, max_new_tokens=max_new_tokens)
        check_baseline(model, enc, base)
        with torch.inference_mode():
            W = model.embed(enc.input_ids)
        W = W.clone()
        Wbar = baseline_embeddings(model, enc, base, W)
        B, k = len(texts), 2 if with_baseline_score else 1
        rep = lambda t: None if t is None else t.repeat(k, 1)  # noqa: E731
        with torch.inference_mode():  # the prediction, and F at the baseline (completeness deltas) in the same pass
            both = model.outputs(torch.cat([W, Wbar][:k]), rep(enc.attention_mask), rep(enc.token_type_ids),
                                 rep(enc.position_ids), target=rep(enc.fixed_target))  # (kB, K)
        outputs = both[:B].clone()
        baseline_outputs = both[B:].clone() if with_baseline_score else None
        target = self._targets(enc, outputs, targets)
        if foils is not None and any(f is not None for f in foils):
            target = model.task.with_foil(target, self._foils(enc, target, foils))
            if model.task.name == "causal_lm":  # the outputs gain the foil's columns
                with torch.inference_mode():
                    both = model.outputs(torch.cat([W, Wbar][:k]), rep(enc.attention_mask), rep(enc.token_type_ids),
                                         rep(enc.position_ids), target=target.repeat(k, 1))
                outputs, baseline_outputs = both[:B].clone(), both[B:].clone() if with_baseline_score else None
        batch = Batch(model=model, enc=enc, W=W, Wbar=Wbar, target=target, score=score_fn,
                      rows_per_chunk=rows_per_chunk, memory_budget=memory_budget or DEFAULT_MEMORY_BUDGET,
                      input_outputs=outputs, baseline_outputs=baseline_outputs)
        notes = tuple(tuple(enc.notes[b] if enc.notes else ()) + tuple(notes[b]) for b in range(B))
        return Prepared(batch=batch, outputs=outputs, baseline=base, notes=notes)

    def _foils(self, enc: Encoding, target: Tensor, foils: Sequence[Target]) -> Tensor:
        """Foil rows shaped like `target` (B, T): a class index (classifiers) or continuation ids (causal LMs)."""
        model = self.model
        rows = []
        for b, foil in enumerate(foils):
            if foil is None:
                raise FaithlensError("contrast= was given for some texts and not others. Pass one contrast for all "
                                     "texts, or one per text.")
            if model.task.name != "causal_lm":
                index = _resolve_target(model, foil)
                if index == int(target[b, 0]):
                    raise FaithlensError(f"The contrast {model.labels[index]!r} is the target itself, so F = 0. "
                                         "Pass another class as the contrast, or another target.")
                rows.append(torch.tensor([index]))
                continue
            if not isinstance(foil, str) or not foil:
                raise FaithlensError(f"A causal LM's contrast is a foil continuation text, e.g. ' London'. Got {foil!r}.")
            ids = model.tokenizer(foil, add_special_tokens=False)["input_ids"]
            own = [int(t) for t in target[b].tolist() if t >= 0]
            tokens = model.tokenizer.convert_ids_to_tokens
            if len(ids) != len(own) or ids[:-1] != own[:-1] or ids[-1] == own[-1]:
                raise FaithlensError(
                    f"The contrast continuation must differ from the target in its last token only (the target's earlier "
                    f"tokens are the model's input): target tokens {tokens(own)}, contrast tokens {tokens(ids)}. "
                    "Pass continuations of the same length that share all but the last token, e.g. ' Paris' vs ' London'.")
            row = torch.full_like(target[b], -1)
            row[len(row) - len(ids):] = torch.tensor(ids)
            rows.append(row)
        return torch.stack(rows)

    def _targets(self, enc: Encoding, outputs: Tensor, targets: Sequence[Target]) -> Tensor:
        """(B, T) target rows: the user's, or the task's prediction."""
        task = self.model.task
        predicted = task.predict(outputs, enc)
        if task.name == "causal_lm":
            return predicted  # chosen when the prompt was encoded
        rows = []
        for b, t in enumerate(targets):
            if t is None:
                rows.append(predicted[b])
            elif task.name == "qa":
                rows.append(torch.tensor(_answer_tokens(enc, b, t)))
            else:
                rows.append(torch.tensor([_resolve_target(self.model, t)]))
        return torch.stack(rows)

def encode_items(model: ClassifierModel, items: Sequence[Text], *, truncate: bool = False,
                 targets: Sequence[Target] | None = None, max_new_tokens: int = DEFAULT_NEW_TOKENS
                 ) -> tuple[Encoding, list[tuple[str, ...]]]:
    """The encoding a model's task explains, and per item what the caller should know.

    Classifiers: texts or pairs as the tokenizer encodes them. QA: (question, context) pairs, one
    overflow window per item — the one holding the requested answer, else the best predicted span.
    Causal LMs: each prompt followed by its target continuation (given, or greedily generated).
    """
    targets = list(targets) if targets is not None else [None] * len(items)
    task = model.task.name
    if task == "qa":
        return _qa_encoding(model, items, targets)
    if task == "causal_lm":
        continuations, notes = _continuations(model, items, targets, max_new_tokens)
        return encode(model, items, truncate=False, continuations=continuations), notes
    return encode(model, items, truncate=truncate), [()] * len(items)


def _qa_encoding(model: ClassifierModel, items, targets) -> tuple[Encoding, list[tuple[str, ...]]]:
    """One window per question: the one holding the requested answer, else the best predicted span."""
    questions, contexts = split_items(items)
    if contexts is None:
        raise FaithlensError(f"{model.name!r} answers questions about a context: pass (question, context) "
                             "pairs, e.g. explain([('Who wrote it?', 'It was written by Ann.')]) or "
                             "faithlens explain --pair QUESTION CONTEXT.")
    enc, item_of = encode_windows(model, questions, contexts)
    rows, notes = [], []
    with torch.inference_mode():
        outputs = model.outputs(model.embed(enc.input_ids), enc.attention_mask, enc.token_type_ids, enc.position_ids)
    spans = model.task.predict(outputs, enc)
    best = model.task.score("logit")(outputs, spans)
    for i in range(len(questions)):
        mine = [r for r, it in enumerate(item_of) if it == i]
        if targets[i] is not None:
            _answer_chars(contexts[i], targets[i])  # a clear error when it is not in the context at all
            holding = [r for r in mine if _answer_tokens(enc, r, targets[i], required=False) is not None]
            if not holding:
                raise FaithlensError(f"The answer {targets[i]!r} of question {i} lies across two windows of its long "
                                     "context, so no window holds it whole. Pick a shorter answer.")
            mine = holding
        r = max(mine, key=lambda r: float(best[r]))
        rows.append(r)
        windows = [x for x, it in enumerate(item_of) if it == i]
        notes.append(() if len(windows) == 1 else (
            f"The context is longer than the model's limit; it was split into {len(windows)} overlapping windows "
            f"and this explanation covers window {windows.index(r) + 1} (context characters {_window_chars(enc, r)}), "
            "the one holding the answer. Words outside it get no score.",))
    return enc.select(rows), notes


def _continuations(model: ClassifierModel, prompts, targets, max_new_tokens) -> tuple[list[list[int]], list[tuple[str, ...]]]:
    """Target continuation ids per prompt: the given text's tokens, or greedy generation."""
    tok = model.tokenizer
    if any(isinstance(p, tuple) for p in prompts):
        raise FaithlensError("A causal LM explains single prompts, not pairs. Join the texts into one prompt.")
    out, notes = [], []
    for prompt, t in zip(prompts, targets):
        if t is None:
            ids = _generate(model, prompt, max_new_tokens)
            notes.append((f"No target given: attributing the {len(ids)} greedily generated token(s) "
                          f"{tok.decode(ids)!r}.",))
        elif isinstance(t, str):
            if not t:
                raise FaithlensError("The target text is empty. Pass the continuation to explain, e.g. ' Paris'.")
            ids = tok(t, add_special_tokens=False)["input_ids"]
            notes.append(())
        else:
            raise FaithlensError(f"A causal LM's target is the continuation text (a str, e.g. ' Paris'). Got {t!r}.")
        out.append(ids)
    return out, notes


def _generate(model: ClassifierModel, prompt: str, max_new_tokens: int) -> list[int]:
    enc = encode(model, [prompt])
    with torch.inference_mode():
        generated = model.model.generate(input_ids=enc.input_ids, attention_mask=enc.attention_mask,
                                         max_new_tokens=max_new_tokens, do_sample=False,
                                         pad_token_id=model.tokenizer.pad_token_id)
    return generated[0, enc.input_ids.shape[1]:].tolist()


def explain(text: Text | Sequence[Text], method: str = "sig", *, model: ClassifierModel | str | None = None, **settings):
    """One-off: load `model` (default: the bundled model) and explain `text`. See `Explainer.explain`."""
    return Explainer(model).explain(text, method, **settings)


# --- helpers -----------------------------------------------------------------------------------

LARGE = 20_000  # model passes: above this, say up front what the work is


def announce_cost(method: str, opts: Options, batch: Batch) -> None:
    """Print the expected number of passes of a large explanation before it starts (stderr)."""
    import sys

    passes, what = estimated_passes(method, opts, batch.enc)
    if passes >= LARGE:
        B, L = batch.enc.input_ids.shape
        print(f"faithlens: {method} on {B} text(s) of up to {L} tokens needs about {passes:,} model passes ({what}); "
              "a progress bar with the time left follows. Fewer steps, --unit word or sig --mode closed cost less.",
              file=sys.stderr, flush=True)


def _length(item: Text) -> int:
    return sum(map(len, item)) if isinstance(item, tuple) else len(item)


def _check_items(task, items) -> None:
    pairs = isinstance(items[0], tuple)
    if task.name == "qa" and not pairs:
        raise FaithlensError("A QA model needs (question, context) pairs. Pass --pair QUESTION CONTEXT, or tuples in Python.")


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
    """One target per text: a single target (int, str, or a (start, end) tuple) is shared; a list is per text.
    Integer scalars of other libraries (``numpy.int64``, a 0-d integer tensor) are read as the int they hold."""
    target = _as_int(target)
    if target is None or isinstance(target, (int, str, tuple)):
        return [target] * n
    if isinstance(target, (dict, set, frozenset)):
        raise FaithlensError(f"The target is a {type(target).__name__}. Pass one target (a class index, label name, "
                             "answer or continuation text), or a list with one per text, in the texts' order.")
    if isinstance(target, float) or isinstance(target, bytes):
        raise FaithlensError(f"The target must be a class index, a label name, an answer text or span, or a "
                             f"continuation text. Got {type(target).__name__} {target!r}.")
    try:
        target = list(target)
    except TypeError:
        raise FaithlensError(f"The target must be a class index, a label name, an answer text or span, or a "
                             f"continuation text. Got {type(target).__name__}.") from None
    if len(target) != n:
        raise FaithlensError(f"Got {len(target)} targets for {n} texts. Pass one target, or one per text.")
    return [_as_int(t) for t in target]


def _as_int(value):
    """An integer scalar (numpy, torch) as a Python int; bools, floats and anything else unchanged."""
    if isinstance(value, (bool, int, str, tuple, list)) or value is None or not hasattr(value, "__index__"):
        return value
    import operator

    try:
        return operator.index(value)
    except TypeError:
        return value


def _resolve_target(model: ClassifierModel, target: Target) -> int:
    """The class index a classifier's target names. One rule on every surface (API, CLI, web app):

    - an ``int`` is a class index (``-1`` and others outside 0..C-1 are errors);
    - ``"index:N"`` is the index N and ``"label:NAME"`` the label NAME, whatever the label names are;
    - any other ``str`` is a label name (exact, else ignoring case), or, when it is a whole number, the
      class index it reads as. A number that is both a label name and the index of *another* label
      (labels ``("1", "0")``: ``"1"`` names class 0 and indexes class 1) is refused with both readings
      named; where both readings agree (labels ``("0", "1")``) it is accepted.
    """
    labels = model.labels
    if isinstance(target, bool) or not isinstance(target, (int, str)):
        raise FaithlensError(f"The target of a classifier must be a class index or label name ({', '.join(labels)}). "
                             f"Got {type(target).__name__} {target!r}.")
    if isinstance(target, int):
        if not 0 <= target < len(labels):
            raise FaithlensError(f"Target index {target} is out of range: {model.name!r} has {len(labels)} classes "
                                 f"(0..{len(labels) - 1}: {', '.join(labels)}).")
        return target
    prefix, colon, rest = target.partition(":")
    if colon and prefix.strip() == "index":
        if not rest.strip().lstrip("-").isdigit():
            raise FaithlensError(f"Target {target!r}: 'index:' takes a class index 0..{len(labels) - 1}. Got {rest!r}.")
        return _resolve_target(model, int(rest))
    if colon and prefix.strip() == "label" and target not in labels:
        by_name = _label_index(labels, rest)
        if by_name is None:
            raise FaithlensError(f"Unknown label {rest!r} in target {target!r}. Valid choices: {', '.join(labels)}.")
        return by_name
    by_name = _label_index(labels, target)
    number = target.strip()
    if number.lstrip("-").isdigit():
        index = int(number)
        if by_name is not None and by_name != index:
            reading = f"the class index {index} (label {labels[index]!r})" if 0 <= index < len(labels) else \
                f"the class index {index} (out of range)"
            raise FaithlensError(f"Target {target!r} is ambiguous on {model.name!r}, whose label names are numbers too: "
                                 f"it is the label name {target!r} (class {by_name}) and {reading}. Write "
                                 f"label:{target} for the label, or index:{index} (an int in Python) for the index.")
        return by_name if by_name is not None else _resolve_target(model, index)
    if by_name is not None:
        return by_name
    raise FaithlensError(f"Unknown target {target!r}. Valid choices: {', '.join(labels)} or an index 0..{len(labels) - 1}.")


def _label_index(labels: Sequence[str], name: str) -> int | None:
    """The index of a label name: exact, else the only match ignoring case and surrounding spaces."""
    if name in labels:
        return list(labels).index(name)
    lowered = [label.strip().lower() for label in labels]
    wanted = name.strip().lower()
    return lowered.index(wanted) if lowered.count(wanted) == 1 else None


def _check_targets(model: ClassifierModel, targets: Sequence[Target], max_new_tokens: int) -> None:
    """Targets checked before any model pass: a classifier's names resolve; a causal LM's continuation
    is a str within MAX_TARGET_TOKENS tokens and not given together with max_new_tokens."""
    from .options import MAX_TARGET_TOKENS

    task = model.task.name
    for i, t in enumerate(targets):
        if t is None:
            continue
        if task in ("classification", "multi_label"):
            _resolve_target(model, t)
        elif task == "causal_lm":
            if not isinstance(t, str):
                raise FaithlensError(f"A causal LM's target is the continuation text (a str, e.g. ' Paris'). Got {t!r}.")
            if max_new_tokens != DEFAULT_NEW_TOKENS:
                raise FaithlensError(f"max_new_tokens={max_new_tokens} generates a continuation when none is given; "
                                     f"target {t[:40]!r} gives it, so max_new_tokens would do nothing. Pass one of them.")
            n = len(model.tokenizer(t, add_special_tokens=False)["input_ids"])
            if n > MAX_TARGET_TOKENS:
                raise FaithlensError(f"The target text of item {i} is {n:,} tokens; the limit is {MAX_TARGET_TOKENS} "
                                     "(as for max_new_tokens). Every continuation token is model input on every path "
                                     "step, and F sums their log-probabilities, so a long continuation mostly measures "
                                     "the continuation, not the prompt. Explain a shorter continuation (its first "
                                     "sentence), or split it.")


def _answer_tokens(enc: Encoding, b: int, answer, *, required: bool = True) -> list[int] | None:
    """[first, last] context token of an answer (a text in the context, or a (start, end) character span)."""
    span = _answer_chars(enc.pair(b) or "", answer)
    in_context = (enc.segment_ids[b] == 1) & enc.attributed[b]
    a, c = enc.offsets[b, :, 0], enc.offsets[b, :, 1]
    covering = in_context & (c > span[0]) & (a < span[1])
    tokens = covering.nonzero().flatten()
    if len(tokens) == 0:
        if required:
            raise FaithlensError(f"The answer span {span} falls outside the explained window of the context.")
        return None
    if required is False and (int(a[tokens[0]]) > span[0] or int(c[tokens[-1]]) < span[1]):
        return None  # only part of the answer is in this window
    return [int(tokens[0]), int(tokens[-1])]


def _answer_chars(context: str, answer) -> tuple[int, int]:
    """(start, end) characters of an answer: its first occurrence in the context, or the span given."""
    if isinstance(answer, str):
        at = context.find(answer) if answer else -1
        if at < 0:
            raise FaithlensError(f"The answer {answer!r} does not occur in the context. Pass a substring of the context.")
        return at, at + len(answer)
    if isinstance(answer, (tuple, list)) and len(answer) == 2 and all(isinstance(x, int) and not isinstance(x, bool) for x in answer):
        span = (int(answer[0]), int(answer[1]))
        if not 0 <= span[0] < span[1] <= len(context):
            raise FaithlensError(f"The answer span {span} is not inside the context (0..{len(context)}). "
                                 "Pass (start, end) character offsets with start < end.")
        return span
    raise FaithlensError(f"A QA target is an answer text or a (start, end) character span. Got {answer!r}.")


def _window_chars(enc: Encoding, r: int) -> str:
    ctx = (enc.segment_ids[r] == 1) & enc.attributed[r]
    pos = ctx.nonzero().flatten()
    return f"{int(enc.offsets[r, pos[0], 0])}–{int(enc.offsets[r, pos[-1], 1])}" if len(pos) else "none"


LINEAR_IN_F = ("ig", "sig", "grad_x_input", "occlusion")
"""Methods whose attribution of a sum of outputs is the sum of their attributions (the same path
points, gradients and differences for every F_j): IG, SIG (every mode), Gradient×Input, occlusion."""


def _summed_from_tokens(spec, prep: Prepared, opts: Options) -> tuple[MethodOutput, list] | None:
    """Causal LMs with several continuation tokens: the per-token attributions once, and the explanation
    of F = Σ_j log p(y_j | ...) as their sum, instead of a second run over the same path points.

    Only for methods linear in F at fixed quadrature nodes (``LINEAR_IN_F``); error-controlled runs pick
    their nodes per F, so they run twice. Returns (the summed output, the per-token lists) or None."""
    batch = prep.batch
    if spec.name not in LINEAR_IN_F or opts.tolerance is not None or batch.target.shape[1] == 1:
        return None
    per_target, sub, owners = _per_target(spec, prep, opts, keep_output=True)
    index = torch.tensor(owners)
    B = batch.target.shape[0]

    def total(t: Tensor | None) -> Tensor | None:
        if t is None:
            return None
        return t.new_zeros((B,) + tuple(t.shape[1:])).index_add_(0, index.to(t.device), t)

    out = MethodOutput(token_scores=total(sub.token_scores), attributions=total(sub.attributions),
                       units=None if sub.units is None else sub.units[[owners.index(b) for b in range(B)]],
                       unit_scores=total(sub.unit_scores), unit_deltas=total(sub.unit_deltas),
                       total_delta=total(sub.total_delta), settings=dict(sub.settings))
    return out, per_target


def _per_target(spec, prep: Prepared, opts: Options, keep_output: bool = False, target_side: bool = False):
    """Causal LMs: each continuation token's own attribution, as (B, J, L) nested lists on real positions
    (with ``keep_output`` also the method's output over the (b, j) rows and each row's text b).
    ``target_side``: row j also attributes the continuation tokens y_<j (:func:`target_side_rows`)."""
    batch = prep.batch
    B, J = batch.target.shape
    if J == 1:  # one continuation token: its own attribution is the explanation itself (no y_<1 either)
        return None
    rows, owners, which = [], [], []
    for b in range(B):
        for j in range(J):
            if int(batch.target[b, j]) < 0:
                continue
            only = torch.full_like(batch.target[b], -1)
            only[j] = batch.target[b, j]
            rows.append(only)
            owners.append(b)
            which.append(j)
    index = torch.tensor(owners)
    enc, Wbar = batch.enc.select(index), batch.Wbar[index]
    if target_side:
        enc = target_side_rows(enc, batch.target[index], torch.tensor(which))
        Wbar = baseline_embeddings(batch.model, enc, prep.baseline, batch.W[index])
    sub = Batch(model=batch.model, enc=enc, W=batch.W[index], Wbar=Wbar,
                target=torch.stack(rows), score=batch.score, rows_per_chunk=batch.rows_per_chunk,
                memory_budget=batch.memory_budget)
    out = spec.fn(sub, opts)
    result: list[list[list[float]]] = [[] for _ in range(B)]
    for r, b in enumerate(owners):
        pos = batch.enc.real_positions(b)
        result[b].append(out.token_scores[r, pos].to(torch.float64).tolist())
    return (result, out, owners) if keep_output else result


def target_side_rows(enc: Encoding, target: Tensor, which: Tensor) -> Encoding:
    """Rows of a causal LM's encoding where row r explains F_j, j = ``which[r]``: the input columns holding
    the continuation tokens y_<j become attributed positions, each a word of its own; y_≥j stay special.

    The continuation (B, J) is right-aligned and so are the input columns: column L − J + i + 1 holds the
    token at target index i (its log-probability is read at column L − J + i)."""
    from dataclasses import replace

    R, L = enc.input_ids.shape
    J = target.shape[1]
    i = torch.arange(J - 1)[None]  # (1, J − 1): y_J is never an input column
    earlier = (i < which[:, None]) & (target[:, :J - 1] >= 0)  # (R, J − 1): y_i with i < j
    cols = torch.zeros(R, L, dtype=torch.bool)
    cols[:, L - J + 1:] = earlier  # (R, J − 1) input columns of y_1 .. y_{J−1}
    first_new = enc.word_ids.max(1, keepdim=True).values + 1  # (R, 1)
    word_ids = torch.where(cols, first_new + torch.arange(L)[None], enc.word_ids)
    segments = None if enc.segments is None else torch.where(cols, torch.zeros_like(enc.segments), enc.segments)
    return replace(enc, special_mask=enc.special_mask & ~cols, word_ids=word_ids, segments=segments)


def _assemble(model: ClassifierModel, prep: Prepared, out: MethodOutput, j: int, spec: Method,
              settings: dict, seconds: float, seed: int | None, per_target=None,
              extra_warnings: tuple[str, ...] = (), warn_above: float = DEFAULT_WARN_ABOVE) -> Explanation:
    method = spec.name
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
    sampling_error = None
    if out.sampling_error is not None:  # a word's tokens share its score evenly: their errors add up
        se = out.sampling_error[j, pos].to(torch.float64)
        sampling_error = tuple(se.tolist())
        words = tuple(dataclasses.replace(w, sampling_error=float(se[list(w.tokens)].sum())) for w in words)
    target_row = prep.batch.target[j]
    prediction, target = model.task.describe(prep.outputs[j], target_row, model.labels, enc, j)
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
    batch = prep.batch
    F_gap = float(batch.F_input()[j] - batch.F_baseline()[j]) if batch.baseline_outputs is not None else None
    measured = measure(spec, out, j, settings, F_gap=F_gap, warn_above=warn_above,
                       unit_names=None if units is None else [_unit_text(enc, j, pos, u) for u in units])
    if measured.warning:  # it gives the error itself; a missed tolerance says less
        missed = [measured.warning]
    warnings = tuple(w for w in (prep.baseline.warning, *prep.notes[j], *extra_warnings, *missed) if w)
    settings = dict(settings, target=target.get("index", target.get("token_span", target.get("token_ids"))))
    if seed is not None:
        settings["seed"] = seed
    return Explanation(
        text=enc.texts[j], method=method, model=model.name,
        prediction=prediction, target=target, score=settings["score"],
        tokens=tokens, offsets=offsets, special=special,
        token_scores=tuple(raw.tolist()), token_scores_normalised=tuple(normed.tolist()), words=words,
        settings=settings, seconds=seconds, version=__version__, deltas=deltas, units=units, nodes=nodes,
        total_delta=None if out.total_delta is None else float(out.total_delta[j]),
        attributions=attributions, truncated=enc.truncated[j], warnings=warnings,
        task=model.task.name, text_pair=enc.pair(j),
        per_target=None if per_target is None else tuple(tuple(row) for row in per_target),
        provenance=model.info.get("provenance"), signed=spec.signed, error=measured.error, sampling_error=sampling_error,
    )


def _unit_text(enc: Encoding, j: int, pos: Tensor, unit: tuple[int, ...]) -> str:
    """The text a path unit covers (its tokens' character span in their segment)."""
    offsets = enc.offsets[j, pos[list(unit)]]
    segment = int(enc.segment_ids[j, pos[unit[0]]])
    return enc.segment_text(j, max(segment, 0))[int(offsets[:, 0].min()):int(offsets[:, 1].max())].strip()


def _words(enc: Encoding, j: int, pos: Tensor, raw: Tensor, normed: Tensor) -> tuple[Word, ...]:
    """Group attributed tokens by (segment, tokenizer word id); spans come from character offsets."""
    word_ids = enc.word_ids[j, pos].tolist()
    segments = enc.segment_ids[j, pos].tolist()
    offsets = enc.offsets[j, pos].tolist()
    groups: dict[tuple[int, int], list[int]] = {}
    for n, (w, seg) in enumerate(zip(word_ids, segments)):
        if w >= 0:
            groups.setdefault((seg, w), []).append(n)
    spans = []
    for (seg, _), members in groups.items():
        text = enc.segment_text(j, max(seg, 0))
        start = min(offsets[n][0] for n in members)
        end = max(offsets[n][1] for n in members)
        while start < end and text[start].isspace():  # byte-level BPE offsets include the leading space
            start += 1
        spans.append([max(seg, 0), members, start, end])
    # A token of whitespace only (extra spaces on byte-level BPE) is no word: its score joins the next word of its
    # segment (the space belongs to it), else the previous one, so the word view keeps every token's score.
    for k, (seg, members, start, end) in enumerate(spans):
        if start < end:
            continue
        nxt = [x for x in spans[k + 1:] if x[0] == seg and x[2] < x[3]]
        prev = [x for x in spans[:k] if x[0] == seg and x[2] < x[3]]
        if nxt or prev:
            (nxt[0] if nxt else prev[-1])[1] = sorted((nxt[0] if nxt else prev[-1])[1] + members)
    return tuple(Word(word=enc.segment_text(j, seg)[start:end], start=int(start), end=int(end),
                      score=float(raw[members].sum()), score_normalised=float(normed[members].sum()),
                      tokens=tuple(members), segment=seg)
                 for seg, members, start, end in spans if start < end)


def available_methods() -> dict[str, str]:
    return {name: m.summary for name, m in METHODS.items()}
