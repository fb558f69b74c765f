"""From a method's output to `Explanation` records: per-target splitting (causal LMs: one attribution per
continuation token, or one of the sum where the method is linear in F), token scores summed per word, deltas
per path unit, settings and provenance. `Explainer` prepares the batch (`Prepared`) and calls these."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import torch
from torch import Tensor

from .accuracy import below_rounding, measure
from .baselines import Baseline, baseline_embeddings
from .batching import Batch
from .encoding import Encoding
from .errors import FaithlensError
from .explanation import Explanation, Word, word_normalised
from .explanation_records import LINEAR_IN_F  # the methods summed_from_tokens sums, as from_json checks them
from .methods import Method, MethodOutput, Options
from .model import ClassifierModel
from .names import DEFAULT_WARN_ABOVE
from .version import __version__
from .written_words import written_end


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




def summed_from_tokens(spec, prep: Prepared, opts: Options) -> tuple[MethodOutput, list] | None:
    """Causal LMs with several continuation tokens: the per-token attributions once, and the explanation
    of F = Σ_j log p(y_j | ...) as their sum, instead of a second run over the same path points.

    Only for methods linear in F at fixed quadrature nodes (``LINEAR_IN_F``); error-controlled runs pick
    their nodes per F, so they run twice. Returns (the summed output, the per-token lists) or None."""
    batch = prep.batch
    if spec.name not in LINEAR_IN_F or opts.tolerance is not None or batch.target.shape[1] == 1:
        return None
    per_target, sub, owners = split_per_target(spec, prep, opts, keep_output=True)
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


def split_per_target(spec, prep: Prepared, opts: Options, keep_output: bool = False, target_side: bool = False):
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


def assemble(model: ClassifierModel, prep: Prepared, out: MethodOutput, j: int, spec: Method,
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
    words = _words(enc, j, pos, raw)
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
                where = (f"its node budget ({settings.get('max_nodes')} nodes; {sum(nodes)} evaluated)"
                         if settings.get("rule") == "gauss_kronrod" else f"the rule's last level ({settings.get('max_nodes')} nodes)")
                missed.append(f"The completeness gap missed tolerance={settings.get('tolerance')} at {where}; the scores "
                              "are the best estimate (see total_delta).")
    attributions = None
    if out.attributions is not None:
        attributions = tuple(tuple(float(x) for x in row) for row in out.attributions[j, pos].tolist())
    batch = prep.batch
    F_gap = float(batch.F_input()[j] - batch.F_baseline()[j]) if batch.baseline_outputs is not None else None
    dtype = str(prep.batch.W.dtype).replace("torch.", "")
    measured = measure(spec, out, j, settings, F_gap=F_gap, warn_above=warn_above, dtype=dtype,
                       unit_names=None if units is None else [_unit_text(enc, j, pos, u) for u in units])
    if measured.warning:  # it gives the error itself; a missed tolerance says less
        missed = [measured.warning]
    elif not missed:
        missed = _below_rounding(measured.error, settings.get("tolerance"), dtype)
    tie = model.task.tie(prep.outputs[j], target_row, model.labels, score=settings.get("score"))
    warnings = tuple(w for w in (prep.baseline.warning, *prep.notes[j], tie, *extra_warnings, *missed) if w)
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


def _words(enc: Encoding, j: int, pos: Tensor, raw: Tensor) -> tuple[Word, ...]:
    """Group attributed tokens by (segment, tokenizer word id); spans come from character offsets, each carried over
    the combining marks that follow it and that no token covers (`written_words.written_end`)."""
    word_ids = enc.word_ids[j, pos].tolist()
    segments = enc.segment_ids[j, pos].tolist()
    offsets = enc.offsets[j, pos].tolist()
    groups: dict[tuple[int, int], list[int]] = {}
    for n, (w, seg) in enumerate(zip(word_ids, segments)):
        if w >= 0:
            groups.setdefault((seg, w), []).append(n)
    covered: dict[int, set[int]] = {}  # segment -> the characters its tokens cover
    for n, (w, seg) in enumerate(zip(word_ids, segments)):
        if w >= 0:
            covered.setdefault(max(seg, 0), set()).update(range(*offsets[n]))
    spans = []
    for (seg, _), members in groups.items():
        text = enc.segment_text(j, max(seg, 0))
        start = min(offsets[n][0] for n in members)
        end = max(offsets[n][1] for n in members)
        while start < end and text[start].isspace():  # byte-level BPE offsets include the leading space
            start += 1
        if start < end:  # the word as written: over the combining marks its tokenizer dropped ("café" decomposed)
            end = written_end(text, end, covered[max(seg, 0)])
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
    kept = [(seg, members, start, end) for seg, members, start, end in spans if start < end]
    scores = [float(raw[members].sum()) for _, members, _, _ in kept]
    return tuple(Word(word=enc.segment_text(j, seg)[start:end], start=int(start), end=int(end), score=score,
                      score_normalised=normalised, tokens=tuple(members), segment=seg)
                 for (seg, members, start, end), score, normalised in zip(kept, scores, word_normalised(scores)))


def _below_rounding(error: dict | None, tolerance: float | None, dtype: str) -> list[str]:
    """A tolerance under what rounding of F allows: the refinement stops at the rounding floor
    (`methods.adaptive.threshold_floor`), counted as converged, so the miss is said here with the gap reached."""
    relative = (error or {}).get("relative")
    if tolerance is None or relative is None or error.get("kind") not in ("completeness", "quadrature") \
            or relative <= tolerance:
        return []
    return [below_rounding(tolerance, relative, dtype, "completeness gap" if error["kind"] == "completeness"
                           else "quadrature error")]
