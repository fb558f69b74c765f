"""The public API: `Explainer(model)` and `explain(text, ...)`: validates the request, batches texts and runs the
method on them.

One call explains single texts, text pairs ``(a, b)``, questions with their contexts (QA models)
or prompts (causal LMs); what is explained is the model's task's scalar F (`faithlens.tasks`). What each task
encodes is `task_inputs`; turning a method's output into `Explanation` records is `assemble`.
"""

from __future__ import annotations

import inspect
import sys
import time
import warnings
from collections.abc import Sequence

import torch
from torch import Tensor

from .assemble import Prepared, assemble as _assemble, split_per_target as _per_target, summed_from_tokens as _summed_from_tokens
from .baselines import baseline_embeddings, check_baseline, resolve_baseline
from .batching import DEFAULT_MEMORY_BUDGET, Batch, path_rows, rows_for_budget
from .comparison import Comparison
from .device import synchronize
from .encoding import Encoding, Text, as_items, check_texts, encode
from .errors import FaithlensError, FaithlensWarning, quoted
from .explanation import Explanation
from .methods import METHODS, Options, get_method
from .model import ClassifierModel, load_model
from .names import DEFAULT_METHODS, DEFAULT_UNIT, DEFAULT_WARN_ABOVE
from .options import DEFAULT_SEED, applicable, as_seed, auto_steps_error, check_keywords, check_settings, check_tolerance_value, estimated_passes, ordered_methods, sig_closed, unused_note
from .progress import progress as progress_bar
from .progress import wanted
from .targets import resolve_target
from .task_inputs import DEFAULT_NEW_TOKENS, Target, check_answers, check_truncate, continuation_ids, encode_items
from .scalars import as_int as _as_int, as_number as _as_number, check_bool as _check_bool
from .task_inputs import a_noun as _a, answer_tokens as _answer_tokens, per_text as _per_text
from .text_origins import check_lengths, located
from .trust import DEFAULT_RANDOM, check_random, with_trust



class Explainer:
    """Reuses one loaded model to explain many texts with any registered method."""

    def __init__(self, model: ClassifierModel | str | None = None, *, dtype: torch.dtype | None = None):
        if isinstance(model, ClassifierModel):
            self.model = model.with_dtype(dtype)  # a copy in another dtype: the model given is left as it is
        else:
            self.model = load_model(model, dtype=dtype, option="model=")  # errors name the parameter, not --model
        if self.model.tokenizer is None:
            raise FaithlensError(f"The model {self.model.name!r} has no tokenizer (tokenizer=None), so it cannot read "
                                 "text. Pass the model's fast tokenizer: faithlens.model.from_pretrained_objects(model, "
                                 "tokenizer, name=NAME), or load it with faithlens.load_model(NAME_OR_FOLDER).")

    @property
    def task(self):
        return self.model.task

    # --- prediction --------------------------------------------------------------------------
    def predict(self, texts: Text | Sequence[Text], *, truncate: bool = False) -> Tensor:
        """Label probabilities (N, C) of a classifier for texts or text pairs (softmax; sigmoid for multi-label)."""
        truncate = _check_bool("truncate", truncate)
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
        seed: int | None = DEFAULT_SEED,
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
        faithfulness: bool = False,
        n_random: int = DEFAULT_RANDOM,
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
        ``return_attributions``) is the exact closed form, with ``unit="word"``; a ``rule`` alone does not leave it
        (a rule says how to integrate a path; with none to integrate it does nothing, and warns).

        ``contrast`` explains why the target rather than a foil: F = score(target) − score(foil) (`Task.contrast`).
        Classifiers: a class index or label (with ``score="logit"`` the logit difference); causal LMs: a foil
        continuation text, F = log p(target | prompt) − log p(foil | prompt) (inseq's ``contrast_prob_diff``), which
        may differ from the target in its last token only (the target's earlier tokens are part of the input).
        The result's ``target["contrast"]`` names the foil.

        A setting that does nothing for ``method`` (``steps`` with occlusion, ``mode`` with IG, ``n_samples`` with SIG,
        ``noise`` away from SmoothGrad, a ``baseline`` with Gradient×Input, Saliency or SmoothGrad and
        ``faithfulness=False``, a ``seed`` with a method that samples nothing and ``faithfulness=False`` or
        ``n_random=0``, ``n_random`` with ``faithfulness=False``, a ``rule`` for SIG's closed form) is not an error here, as it is in the CLI, the web app and ``compare`` (so a loop
        over methods with common settings runs): it is a `FaithlensWarning` (shown once per call site by Python)
        and a line "Ignored: ..." in ``Explanation.warnings``. ``score="max_logit"`` with a ``target`` or
        ``contrast`` is refused on every surface (the largest logit has no target), and so is ``truncate=True`` with a
        QA model, whose long contexts are split into windows (nothing is truncated).

        ``seed`` (default 0) seeds every random draw (the sampling methods, faithfulness's random orderings): the same
        seed gives the same numbers. ``seed=None`` is that default seed, 0, not an unseeded run.

        ``faithfulness`` (default off in the API, on in the CLI, the web app and ``compare``): also
        measure each explanation's comprehensiveness, sufficiency and log-odds at evaluate's top-k
        (20 %) against ``n_random`` seeded random orderings of its words (`faithlens.trust`), in
        ``Explanation.faithfulness``; it costs 4 · (1 + n_random) forward passes per text, batched.
        """
        if not isinstance(method, str):
            raise FaithlensError(f"explain() takes one method per call (a str such as 'sig'). Got "
                                 f"{type(method).__name__} {method!r:.80}. Use compare(text, methods=[...]) for several "
                                 "methods side by side, or call explain() once per method.")
        seed = as_seed(seed)  # None: the default seed, 0
        steps, n_samples, seed, batch_size, rows_per_chunk, memory_budget, max_new_tokens, n_random = map(
            _as_int, (steps, n_samples, seed, batch_size, rows_per_chunk, memory_budget, max_new_tokens, n_random))
        # integer scalars of NumPy or torch (np.int64(3)) are the int they hold, for target= and contrast= alike (one rule)
        contrast = _as_int(contrast)
        tolerance, warn_above, noise = map(_as_number, (tolerance, warn_above, noise))  # np.float32, 0-d tensors
        truncate, return_attributions, per_token, target_side, faithfulness = (
            _check_bool(name, value) for name, value in (("truncate", truncate), ("return_attributions", return_attributions),
                                                          ("per_token", per_token), ("target_side", target_side),
                                                          ("faithfulness", faithfulness)))
        progress = _check_bool("progress", progress, optional=True)
        items, single = as_items(texts)
        steps, tolerance = _check_tolerance(method, mode, steps, tolerance, rule)
        given = check_settings([method], dict(steps=steps, tolerance=tolerance, rule=rule, unit=unit, mode=mode, n_samples=n_samples,
                                              noise=noise, seed=seed, batch_size=batch_size, rows_per_chunk=rows_per_chunk,
                                              memory_budget=memory_budget, max_new_tokens=max_new_tokens,
                                              warn_above=warn_above, score=score, target=target), strict=False)
        given_base = baseline if baseline is not None and not faithfulness and not get_method(method).baseline \
            and baseline != _default_baseline(self.model) else None  # the model's own default counts as not given
        check_random(n_random)
        ignored = unused_note([method], dict(given, baseline=given_base, baseline_token=baseline_token,
                                             faithfulness=faithfulness, n_random=n_random,
                                             return_attributions=return_attributions))
        if ignored:  # the API runs on (a loop over methods with common settings), never silently
            warnings.warn(f"Ignored: {ignored}", FaithlensWarning, stacklevel=2)
        check_texts(items)
        check_lengths(self.model, items, truncate=truncate)  # every text holds a token and fits, before the first batch
        spec = get_method(method)
        task = self.model.task
        score = score or task.default_score
        if contrast is not None and task.name == "qa":
            raise FaithlensError("A contrast (contrast=, CLI --contrast) compares a classifier's class or a causal LM's "
                                 f"continuation with a foil; {self.model.name!r} is {_a(task.summary)} model, which has "
                                 "none. Drop the contrast, or explain another answer instead (target='TEXT' or a "
                                 "(start, end) span; CLI --answer TEXT).")
        score_fn = task.score(score) if contrast is None else task.contrast(score)
        if per_token and task.name != "causal_lm":
            raise FaithlensError("per_token attributes each generated token of a causal language model; "
                                 f"{self.model.name!r} is {_a(task.summary)} model. Drop per_token.")
        if target_side and not per_token:
            raise FaithlensError("target_side extends the per-token matrix (each generated token attributed to the prompt "
                                 "and to the generated tokens before it). Pass per_token=True as well (CLI: --per-token).")
        if max_new_tokens != DEFAULT_NEW_TOKENS and task.name != "causal_lm":  # the CLI refuses --max-new-tokens alike
            raise FaithlensError(f"max_new_tokens={max_new_tokens} sets how many tokens a causal language model "
                                 f"generates; {self.model.name!r} is {_a(task.summary)} model, which generates nothing. "
                                 "Drop max_new_tokens.")
        _check_items(task, items)
        check_truncate(self.model, truncate)  # a QA context is split into windows: nothing to truncate
        targets = _per_text(target, len(items))
        _check_targets(self.model, targets, max_new_tokens, items)  # before any model pass
        foils = _per_text(contrast, len(items), name="contrast")
        for foil in foils if task.name in ("classification", "multi_label") else ():  # before any model pass
            if foil is not None:
                resolve_target(self.model, foil, role="contrast")
        opts = Options(steps=steps, rule=rule, unit=unit, mode=mode, n_samples=n_samples, noise=noise, seed=seed,
                       return_attributions=return_attributions, tolerance=tolerance)
        base = resolve_baseline(self.model, baseline, token=baseline_token)
        common = {"baseline": base.kind, "baseline_token": base.token, "score": score, "dtype": str(self.model.dtype).replace("torch.", "")}
        if contrast is not None:
            common["contrast"] = contrast if isinstance(contrast, (int, str)) else list(foils)
        results: list[Explanation | None] = [None] * len(items)
        order = sorted(range(len(items)), key=lambda i: _length(items[i]))  # similar lengths share a batch
        show = wanted() if progress is None else bool(progress)
        with progress_bar(f"{method} ({len(items)} text{'s' * (len(items) > 1)})", enabled=show):
            self._run(items, order, targets, spec, opts, base, score_fn, common, results, method, seed, truncate,
                      rows_per_chunk, memory_budget, batch_size, max_new_tokens, per_token, ignored, show, warn_above, foils, target_side)
        if faithfulness:  # in the explanations' own batches, so a sharded run (`explain_sharded`) gives the same numbers
            for start in range(0, len(order), batch_size):
                idx = order[start:start + batch_size]
                checked = with_trust(self.model, [results[i] for i in idx], baseline=base, n_random=n_random, seed=seed,
                                     rows_per_chunk=rows_per_chunk or 64)
                for i, e in zip(idx, checked):
                    results[i] = e
        return results[0] if single else results  # type: ignore[return-value]

    def _run(self, items, order, targets, spec, opts, base, score_fn, common, results, method, seed, truncate,
             rows_per_chunk, memory_budget, batch_size, max_new_tokens, per_token, ignored, show, warn_above, foils,
             target_side=False) -> None:
        """Explain `items` batch by batch (similar lengths together) into `results`."""
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            t0 = time.perf_counter()
            try:  # a refusal names the text by its place in `items`, not in this batch of similar lengths
                prep = self._prepare([items[i] for i in idx], [targets[i] for i in idx], base, score_fn, truncate,
                                     rows_per_chunk, memory_budget, with_baseline_score=spec.completeness,
                                     max_new_tokens=max_new_tokens, foils=None if foils is None else [foils[i] for i in idx],
                                     path_alphas=spec.path_profile(self.model, opts) if spec.path_profile else None,
                                     gradients=spec.gradients and spec.baseline and not (  # SIG's closed form: none
                                         method == "sig" and sig_closed(vars(opts))))
                if show:
                    announce_cost(method, opts, prep.batch)
                summed = _summed_from_tokens(spec, prep, opts) if per_token and not target_side else None
                if summed is not None:  # F = Σ_j F_j and the method is linear in F: one run gives both
                    out, per_target = summed
                else:  # (a method's own refusal of text i of this batch is renamed below, too)
                    out = spec.fn(prep.batch, opts)
                    per_target = _per_target(spec, prep, opts, target_side=target_side) if per_token else None
            except FaithlensError as exc:
                raise located(exc, idx) from None
            if per_token and per_target is None:
                per_target = [[out.token_scores[b, prep.batch.enc.real_positions(b)].to(torch.float64).tolist()]
                              for b in range(len(idx))]
            synchronize(self.model.device)
            seconds = (time.perf_counter() - t0) / len(idx)
            settings = dict(common, **out.settings, **({"per_token": True} if per_token else {}),
                            **({"target_side": True} if target_side else {}))
            for j, i in enumerate(idx):
                results[i] = _assemble(self.model, prep, out, j, spec, settings, seconds, seed if spec.random else None,
                                       per_target=None if per_target is None else per_target[j],
                                       extra_warnings=(f"Ignored: {ignored}",) if ignored else (), warn_above=warn_above)

    def compare(self, text: Text, methods: Sequence[str] | None = DEFAULT_METHODS, **settings) -> Comparison:
        """Explain one text with several methods under the same settings (each method gets those it reads).

        ``methods=None`` is the defaults. Returns a `Comparison`: a dict method -> Explanation that shows the methods
        side by side in a notebook, each with its faithfulness against random orderings (``faithfulness=False``
        leaves it out).
        """
        check_keywords("compare", settings, [name for name, p in inspect.signature(Explainer.explain).parameters.items()
                                             if p.kind is p.KEYWORD_ONLY])
        settings.setdefault("faithfulness", True)
        methods = DEFAULT_METHODS if methods is None else [methods] if isinstance(methods, str) else methods  # a name: not letters
        methods = ordered_methods(methods)
        items, single = as_items(text)
        if not single:
            raise FaithlensError(f"compare() explains one text (or one pair) with several methods; got {len(items)} texts. "
                                 "Pass one text, or call explain(texts, method) once per method for several texts.")
        if methods is not None and not isinstance(methods, (list, tuple)):
            methods = list(methods)
        if not methods:
            raise FaithlensError("compare() got an empty methods list. Pass at least one method name, e.g. "
                                 f"methods=['sig', 'ig'] (available: {', '.join(available_methods())}), or leave methods out "
                                 "for the defaults.")
        settings = {k: _as_number(v) if k in ("tolerance", "warn_above", "noise") else v for k, v in settings.items()}
        check_settings(methods, settings)
        return Comparison((m, self.explain(items[0], m, **applicable(m, settings))) for m in methods)

    # --- internals ---------------------------------------------------------------------------
    def batch(self, texts: Sequence[Text], *, baseline: str = "mask", score: str = "logit", truncate: bool = False,
              rows_per_chunk: int | None = None) -> Batch:
        """The canonical `Batch` every method core receives for ``texts`` (predicted targets), for benchmarks
        and tools that call method cores directly; raises FaithlensError as `explain` does on bad input."""
        check_settings([], dict(rows_per_chunk=_as_int(rows_per_chunk)))
        base, (items, _) = resolve_baseline(self.model, baseline), as_items(texts)
        return self._prepare(items, [None] * len(items), base, self.model.task.score(score), truncate, rows_per_chunk,
                             None).batch

    def _prepare(self, texts, targets, base, score_fn, truncate, rows_per_chunk, memory_budget, *,
                 with_baseline_score: bool = True, max_new_tokens: int = DEFAULT_NEW_TOKENS,
                 foils: Sequence[Target] | None = None, path_alphas: Tensor | None = None, gradients: bool = True) -> Prepared:
        """Encode, embed and predict `texts`: the `Batch` for a method core, with the task's outputs at W, at W̄
        (`with_baseline_score`) and at the path points W̄ + α (W − W̄), α in `path_alphas` (the method's forward-only
        profile, `Method.path_profile`), all in one forward pass when its rows fit one chunk."""
        model = self.model
        budget = memory_budget or DEFAULT_MEMORY_BUDGET
        enc, notes = encode_items(model, texts, truncate=truncate, targets=targets, max_new_tokens=max_new_tokens)
        if gradients:  # a baseline that breaks the gradients concerns only methods whose gradients are taken at it
            check_baseline(model, enc, base)
        with torch.inference_mode():
            W = model.embed(enc.input_ids)
        W = W.clone()
        Wbar = baseline_embeddings(model, enc, base, W)
        B, k = len(texts), 2 if with_baseline_score else 1
        P = 0 if path_alphas is None else len(path_alphas)
        if P and (k + P) * B > (rows_per_chunk or rows_for_budget(model, W.shape[1], "inference", budget)):
            P = 0  # too many rows for one pass: the method evaluates its profile in chunks (`Batch.F_path`)
        # rows: [W (B), W̄ (B)][:k], then the path points text-major (B·P)
        rows = lambda t: None if t is None else torch.cat([t.repeat(k, 1), t.repeat_interleave(P, 0)])  # noqa: E731
        points = torch.cat([W, Wbar][:k] + ([path_rows(W, Wbar, path_alphas)] if P else []))  # ((k + P)·B, L, D)

        def run(target: Tensor | None) -> tuple[Tensor, Tensor | None, Tensor | None]:
            with torch.inference_mode():  # the prediction, F at the baseline (completeness deltas) and on the path
                out = model.outputs(points, rows(enc.attention_mask), rows(enc.token_type_ids), rows(enc.position_ids),
                                    target=rows(target))  # ((k + P)·B, K)
            return (out[:B].clone(), out[B:k * B].clone() if with_baseline_score else None,
                    out[k * B:].reshape(B, P, -1).clone() if P else None)

        outputs, baseline_outputs, path_outputs = run(enc.fixed_target)
        target = self._targets(enc, outputs, targets)
        if foils is not None and any(f is not None for f in foils):
            target = model.task.with_foil(target, self._foils(enc, target, foils))
            if model.task.name == "causal_lm":  # the outputs gain the foil's columns
                outputs, baseline_outputs, path_outputs = run(target)
        batch = Batch(model=model, enc=enc, W=W, Wbar=Wbar, target=target, score=score_fn,
                      rows_per_chunk=rows_per_chunk, memory_budget=budget,
                      input_outputs=outputs, baseline_outputs=baseline_outputs,
                      path_alphas=path_alphas if P else None, path_outputs=path_outputs)
        notes = tuple(tuple(enc.notes[b] if enc.notes else ()) + tuple(notes[b]) for b in range(B))
        return Prepared(batch=batch, outputs=outputs, baseline=base, notes=notes)

    def _foils(self, enc: Encoding, target: Tensor, foils: Sequence[Target]) -> Tensor:
        """Foil rows shaped like `target` (B, T): a class index (classifiers) or continuation ids (causal LMs)."""
        model = self.model
        rows = []
        for b, foil in enumerate(foils):
            of = f" (text {enc.texts[b]!r:.60})"  # which text of a call's batch
            if foil is None:
                raise FaithlensError("contrast= was given for some texts and not others. Pass one contrast for all "
                                     "texts, or one per text.")
            if model.task.name != "causal_lm":
                index = resolve_target(model, foil, role="contrast")
                if index == int(target[b, 0]):
                    raise FaithlensError(f"The contrast {model.labels[index]!r} is the target itself{of}, so F = 0. "
                                         "Pass another class as the contrast, or another target.")
                rows.append(torch.tensor([index]))
                continue
            if not isinstance(foil, str) or not foil:
                raise FaithlensError(f"A causal LM's contrast is a foil continuation text, e.g. ' London'. Got {foil!r}{of}.")
            ids = continuation_ids(model.tokenizer, foil)  # read as the target is read
            own = [int(t) for t in target[b].tolist() if t >= 0]
            tokens = model.tokenizer.convert_ids_to_tokens
            if ids == own:
                raise FaithlensError(f"The contrast continuation {foil!r} is the target itself{of} (tokens {tokens(ids)}), "
                                     "so F = 0. Pass a foil that differs from the target in its last token, e.g. "
                                     "target ' Paris' and contrast ' London'.")
            if len(ids) != len(own) or ids[:-1] != own[:-1] or ids[-1] == own[-1]:
                raise FaithlensError(
                    f"The contrast continuation must differ from the target in its last token only{of} (the target's earlier "
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
                rows.append(torch.tensor([resolve_target(self.model, t)]))
        return torch.stack(rows)

def explain(text: Text | Sequence[Text], method: str = "sig", *, model: ClassifierModel | str | None = None,
            dtype: torch.dtype | None = None, **settings):
    """One-off: load `model` (default: the bundled model; ``dtype`` as `Explainer`) and explain `text`. See
    `Explainer.explain`."""
    return Explainer(model, dtype=dtype).explain(text, method, **settings)


# --- helpers -----------------------------------------------------------------------------------

LARGE = 20_000  # model passes: above this, say up front what the work is


def announce_cost(method: str, opts: Options, batch: Batch) -> None:
    """Print the expected number of passes of a large explanation before it starts (stderr)."""
    passes, what = estimated_passes(method, opts, batch.enc)
    if passes >= LARGE:
        B, L = batch.enc.input_ids.shape
        print(f"faithlens: {method} on {B} text(s) of up to {L} tokens needs about {passes:,} model passes ({what}); "
              "a progress bar with the time left follows. Fewer steps, --unit word or sig --mode closed cost less.",
              file=sys.stderr, flush=True)


def _default_baseline(model: ClassifierModel) -> str | None:
    """The kind of the model's own baseline (``mask``; causal LMs pad, eos or unk), None when it has none."""
    try:
        return resolve_baseline(model).kind
    except FaithlensError:
        return None


def _length(item: Text) -> int:
    return sum(map(len, item)) if isinstance(item, tuple) else len(item)


def _check_items(task, items) -> None:
    pairs = isinstance(items[0], tuple)
    if task.name == "qa" and not pairs:
        raise FaithlensError("A QA model needs (question, context) pairs. Pass --pair QUESTION CONTEXT, or tuples in Python.")


ADAPTIVE_METHODS = ("sig", "ig")  # methods that take tolerance= (SIG in reverse or forward mode)


def _check_tolerance(method: str, mode: str, steps, tolerance, rule: str) -> tuple[int | None, float | None]:
    """Validate tolerance= (and steps="auto") with the nested ``rule`` it refines by, before any model pass;
    returns (steps, tolerance) for Options."""
    from .methods.adaptive import DEFAULT_TOLERANCE, rule_for

    auto = isinstance(steps, str) and steps == "auto"  # steps="auto" is tolerance=DEFAULT_TOLERANCE: name what was given
    given = tolerance
    if auto:
        steps, tolerance = None, DEFAULT_TOLERANCE if tolerance is None else tolerance
    if tolerance is None:
        return steps, None
    check_tolerance_value(tolerance)
    if method not in ADAPTIVE_METHODS or (method == "sig" and mode == "closed"):
        none = f"{method!r}{' in closed mode' if method == 'sig' else ''} has none"
        if not auto:
            raise FaithlensError(f"tolerance= controls the quadrature of sig (reverse or forward mode) and ig; {none}. "
                                 "Drop tolerance=.")
        raise auto_steps_error(method, given, none)
    rule_for(rule, auto=auto, tolerance=given)  # the rule it refines by (sig and ig alike), named as it was asked for
    return steps, float(tolerance)


def _check_targets(model: ClassifierModel, targets: Sequence[Target], max_new_tokens: int, items: Sequence) -> None:
    """Targets checked before any model pass: a classifier's names resolve; a QA answer lies in its pair's context;
    a causal LM's continuation is a str within MAX_TARGET_TOKENS tokens and not given together with max_new_tokens."""
    from .options import MAX_TARGET_TOKENS

    task = model.task.name
    if task == "qa":
        check_answers(items, targets)
    for i, t in enumerate(targets):
        if t is None:
            continue
        if task in ("classification", "multi_label"):
            resolve_target(model, t)
        elif task == "causal_lm":
            if not isinstance(t, str):
                raise FaithlensError(f"A causal LM's target is the continuation text (a str, e.g. ' Paris'). Got {quoted(t)}.")
            if max_new_tokens != DEFAULT_NEW_TOKENS:
                raise FaithlensError(f"max_new_tokens={max_new_tokens} generates a continuation when none is given; "
                                     f"target {quoted(t, 40)} gives it, so max_new_tokens would do nothing. Pass one of them.")
            n = len(continuation_ids(model.tokenizer, t))
            if n > MAX_TARGET_TOKENS:
                raise FaithlensError(f"The target text of item {i} is {n:,} tokens; the limit is {MAX_TARGET_TOKENS} "
                                     "(as for max_new_tokens). Every continuation token is model input on every path "
                                     "step, and F sums their log-probabilities, so a long continuation mostly measures "
                                     "the continuation, not the prompt. Explain a shorter continuation (its first "
                                     "sentence), or split it.")




def available_methods() -> dict[str, str]:
    return {name: m.summary for name, m in METHODS.items()}
