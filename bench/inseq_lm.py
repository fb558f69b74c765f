"""Next-token attribution on a real causal LM (SmolLM2-135M-Instruct): inseq's SIG and IG, with the
closed forms they must approach, laid out so that faithlens's column sits beside them.

    OMP_NUM_THREADS=1 python bench/inseq_lm.py [--methods sig ig] [--steps 50] [--prompts N]

Needs the converted SmolLM2 (``python -m faithlens.smollm2``) and inseq (bench/README.md shows
the light install). Writes ``bench/results/inseq_lm.json`` and ``inseq_lm.md``.

What is explained, identically for every implementation (inseq's semantics, read from
inseq 0.7.1: ``models/attribution_model.py``, ``models/decoder_only.py``,
``models/huggingface_model.py``, ``attr/feat/feature_attribution.py``, ``attr/step_functions.py``,
``attr/feat/ops/sequential_integrated_gradients.py``):

- F_j = log p(y_j | prompt, y_<j), teacher forced, one attribution per continuation token j
  (inseq: ``attributed_fn="probability", logprob=True``; its default is the probability p).
  faithlens's F = sum_j F_j; SIG and IG are linear in F on a fixed path, so its attribution of F
  is the row sum of the per-token matrix below.
- Attributed w.r.t. the word embeddings (``model.get_input_embeddings()(ids)``, embed_scale 1.0,
  passed as ``inputs_embeds``; LLaMA has no position embeddings to add).
- Baseline: the pad token (``<|im_end|>``, id 2; SmolLM2 has no mask token; SPEC section 9) at
  every prompt position. inseq's own default is unk (``<|endoftext|>``, id 0) everywhere but at
  eos tokens; the bench replaces inseq's baseline ids (see ``_pad_baseline``).
- Only prompt tokens move: the baseline of each earlier continuation token y_<j is that token
  itself, so it stays put and gets zero attribution (inseq would otherwise move y_<j too, which
  changes IG's columns j >= 1 and adds SIG rows).
- Rule: 50 Gauss-Legendre points on [0, 1] (captum's ``gausslegendre``; inseq cannot change it
  through ``attribute``, whose ``method`` argument names the attribution method), all points of
  a path in one batch (``internal_batch_size=None``), eager attention, float32.
- Token score: the sum over the embedding dimension of the raw attribution (inseq's default
  aggregation is instead the L2 norm over the dimension, which loses the sign).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from faithlens.smollm2 import MODEL_CARD_FILE, ensure_smollm2  # noqa: E402

RESULTS = ROOT / "bench" / "results"
INSEQ_METHODS = {"sig": "sequential_integrated_gradients", "ig": "integrated_gradients"}
RULE = "gausslegendre"
AGREEMENT = 1e-3  # max |difference| of L2-normalised per-token columns (float32, a model whose paths swing wildly)

# (prompt, fixed continuation); tokenising prompt + continuation together must give the prompt's
# ids followed by the continuation's (inseq tokenises the joined text; checked before running).
PROMPTS = [
    ("The capital of France is", " Paris"),
    ("The opposite of hot is", " cold"),
    ("Water freezes at zero degrees", " Celsius"),
    ("She put the milk back in the", " fridge"),
    ("Romeo and Juliet was written by", " William Shakespeare"),
]


# --- the model ----------------------------------------------------------------------------------


def load_smollm2() -> tuple[Any, Any, Path]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = ensure_smollm2(progress=True)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForCausalLM.from_pretrained(
        folder, attn_implementation="eager", dtype=torch.float32
    ).eval()
    return model, tokenizer, folder


def encode_example(tokenizer: Any, prompt: str, target: str) -> dict[str, Any]:
    prompt_ids = tokenizer(prompt)["input_ids"]
    target_ids = tokenizer(target, add_special_tokens=False)["input_ids"]
    joined = tokenizer(prompt + target)["input_ids"]
    if joined != prompt_ids + target_ids:
        raise SystemExit(
            f"Tokenising {prompt + target!r} gives {joined}, not the prompt's {prompt_ids} followed "
            f"by the continuation's {target_ids}; inseq and faithlens would explain different "
            "sequences. Choose another prompt/continuation split."
        )
    return {
        "prompt": prompt,
        "target": target,
        "prompt_ids": prompt_ids,
        "target_ids": target_ids,
        "prompt_tokens": tokenizer.convert_ids_to_tokens(prompt_ids),
        "target_tokens": tokenizer.convert_ids_to_tokens(target_ids),
    }


# --- F and the closed forms (plain forwards, no attribution library) ----------------------------


def token_log_probs(model: Any, embeds: torch.Tensor, target_ids: list[int]) -> torch.Tensor:
    """(R, J) log p(y_j | prefix) for R rows of embeddings (R, P + J - 1, D)."""
    J = len(target_ids)
    with torch.no_grad():
        logits = model(inputs_embeds=embeds).logits[:, -J:].double()  # (R, J, V)
    logp = logits.log_softmax(-1)
    index = torch.tensor(target_ids)[None, :, None].expand(len(embeds), J, 1)
    return logp.gather(2, index).squeeze(2)  # (R, J)


def closed_forms(model: Any, ex: dict[str, Any], baseline_id: int) -> dict[str, Any]:
    """SIG word i integrates to F_j(x) - F_j(x with word i at the baseline) (SPEC section 10);
    IG (prompt only) to F_j(x) - F_j(prompt at the baseline)."""
    table = model.get_input_embeddings().weight.detach()
    ids = ex["prompt_ids"] + ex["target_ids"][:-1]
    P = len(ex["prompt_ids"])
    x = table[torch.tensor(ids)]  # (L, D)
    rows = [x]
    for i in range(P):
        moved = x.clone()
        moved[i] = table[baseline_id]
        rows.append(moved)
    all_moved = x.clone()
    all_moved[:P] = table[baseline_id]
    rows.append(all_moved)
    F = token_log_probs(model, torch.stack(rows), ex["target_ids"])  # (P + 2, J)
    return {
        "log_probs": F[0].tolist(),
        "sig": (F[0][None] - F[1 : P + 1]).tolist(),  # (P, J)
        "ig": (F[0] - F[P + 1]).tolist(),  # (J,)
    }


# --- inseq --------------------------------------------------------------------------------------


def load_inseq(model: Any, tokenizer: Any) -> Any:
    import inseq

    return inseq.load_model(model, INSEQ_METHODS["sig"], tokenizer=tokenizer)


@contextlib.contextmanager
def _pad_baseline(attribution_model: Any, prompt_length: int, baseline_id: int):
    """Make inseq's baseline ids: ``baseline_id`` on the prompt, each continuation token itself.

    inseq builds baseline ids inside ``HuggingfaceModel.encode`` (unk everywhere but eos), and
    exposes no argument for them, so the bench wraps that method for the call.
    """
    original = attribution_model.encode

    def encode(*args: Any, **kwargs: Any) -> Any:
        out = original(*args, **kwargs)
        if out.baseline_ids is not None:
            base = out.input_ids.clone()
            base[:, :prompt_length] = baseline_id
            out.baseline_ids = base
        return out

    attribution_model.encode = encode
    try:
        yield
    finally:
        del attribution_model.encode  # back to the class's method


def run_inseq(
    attribution_model: Any, method: str, ex: dict[str, Any], *, steps: int, baseline_id: int
) -> dict[str, Any]:
    """inseq's attribution of each F_j: matrix (prompt tokens x continuation tokens)."""
    P, J = len(ex["prompt_ids"]), len(ex["target_ids"])
    with _pad_baseline(attribution_model, P, baseline_id):
        start, cpu = time.perf_counter(), time.process_time()
        out = attribution_model.attribute(
            ex["prompt"],
            ex["prompt"] + ex["target"],
            method=INSEQ_METHODS[method],
            n_steps=steps,
            attributed_fn="probability",
            logprob=True,
            show_progress=False,
            return_convergence_delta=True,
        )
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    seq = out.sequence_attributions[0]
    ids = [t.id for t in seq.target]
    if ids != ex["prompt_ids"] + ex["target_ids"]:
        raise SystemExit(f"inseq attributed ids {ids}, expected {ex['prompt_ids'] + ex['target_ids']}")
    raw = seq.target_attributions  # (P + J, J, D): every token x continuation token, NaN = future
    scores = raw.sum(-1).double()  # (P + J, J)
    continuation = scores[P : P + J - 1]
    moved = continuation[~continuation.isnan()]
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "inseq_exec_time": out.info["exec_time"],
        "raw_shape": list(raw.shape),
        "matrix": scores[:P].tolist(),  # (P, J)
        "continuation_rows_max_abs": float(moved.abs().max()) if moved.numel() else 0.0,
        "captum_deltas": seq.step_scores["deltas"].tolist() if "deltas" in seq.step_scores else None,
    }


# --- faithlens ----------------------------------------------------------------------------------


def run_faithlens(
    model: Any, tokenizer: Any, method: str, ex: dict[str, Any], *, steps: int, baseline_id: int,
    mode: str = "reverse",
) -> dict[str, Any] | None:
    """faithlens's attribution of each F_j on the same model object: matrix (prompt tokens x continuation tokens).

    ``explain(prompt, method, target=continuation, per_token=True, baseline="pad", steps, rule, unit="token")``:
    F_j = log p(y_j | prompt, y_<j), the pad baseline on every prompt token, continuation tokens fixed,
    token score = sum over the embedding dimension. ``seconds`` is the whole call (tokenisation,
    prediction and, for several continuation tokens, the summed F's explanation too).
    """
    from faithlens import Explainer
    from faithlens.model import from_pretrained_objects

    wrapped = _FAITHLENS.get(id(model))
    if wrapped is None:
        wrapped = _FAITHLENS[id(model)] = Explainer(from_pretrained_objects(model, tokenizer, name="smollm2"))
    if wrapped.model.tokenizer.pad_token_id != baseline_id:
        raise SystemExit(f"faithlens's pad baseline is id {wrapped.model.tokenizer.pad_token_id}, the bench's {baseline_id}")
    start, cpu = time.perf_counter(), time.process_time()
    e = wrapped.explain(ex["prompt"], method, target=ex["target"], per_token=True, baseline="pad", steps=steps,
                        rule=RULE, unit="token", mode=mode, score="log_prob")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    P = len(ex["prompt_ids"])
    if wrapped.model.tokenizer.convert_tokens_to_ids(list(e.tokens[:P])) != ex["prompt_ids"]:
        raise SystemExit(f"faithlens encoded {e.tokens}, expected the prompt ids {ex['prompt_ids']} first")
    matrix = torch.tensor(e.per_target, dtype=torch.float64)[:, :P].T  # (P, J)
    return {"seconds": seconds, "cpu_seconds": cpu, "matrix": matrix.tolist(), "settings": e.settings}


_FAITHLENS: dict[int, Any] = {}


# --- comparison ---------------------------------------------------------------------------------


def agreement(a: list, b: list) -> dict[str, float]:
    """Max |a - b| and max |difference| of L2-normalised columns (bench/README: <= 1e-4)."""
    x, y = torch.tensor(a, dtype=torch.float64), torch.tensor(b, dtype=torch.float64)
    unit = lambda m: m / m.norm(dim=0, keepdim=True).clamp_min(1e-30)  # noqa: E731
    return {
        "max_abs_diff": float((x - y).abs().max()),
        "max_abs_diff_normalised": float((unit(x) - unit(y)).abs().max()),
    }


def completeness_errors(method: str, matrix: list, closed: dict[str, Any]) -> dict[str, float]:
    """How far the 50-point quadrature is from the exact integral (closed form)."""
    m = torch.tensor(matrix, dtype=torch.float64)  # (P, J)
    if method == "sig":  # per word and token
        err = (m - torch.tensor(closed["sig"], dtype=torch.float64)).abs()
        return {"max_abs_error": float(err.max()), "median_abs_error": float(err.median())}
    err = (m.sum(0) - torch.tensor(closed["ig"], dtype=torch.float64)).abs()  # per token
    return {"max_abs_error": float(err.max()), "median_abs_error": float(err.median())}


def main() -> None:
    parser = argparse.ArgumentParser(allow_abbrev=False, description=__doc__.splitlines()[0])
    parser.add_argument("--methods", nargs="+", default=["sig", "ig"], choices=list(INSEQ_METHODS))
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--prompts", type=int, default=len(PROMPTS), help="first N prompts")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS / "inseq_lm.json")
    opts = parser.parse_args()
    torch.set_num_threads(opts.threads)

    model, tokenizer, folder = load_smollm2()
    baseline_id = tokenizer.pad_token_id
    attribution_model = load_inseq(model, tokenizer)
    examples = [encode_example(tokenizer, p, t) for p, t in PROMPTS[: opts.prompts]]
    record: dict[str, Any] = {
        "command": "OMP_NUM_THREADS=1 python bench/inseq_lm.py " + " ".join(sys.argv[1:]),
        "settings": {
            "F": "log p(y_j | prompt, y_<j) per continuation token (teacher forcing)",
            "inseq_attributed_fn": "probability, logprob=True",
            "baseline": {"token": tokenizer.pad_token, "id": baseline_id, "on": "prompt tokens"},
            "continuation_tokens": "kept (their baseline is themselves)",
            "steps": opts.steps,
            "rule": RULE,
            "internal_batch_size": None,
            "attn_implementation": "eager",
            "dtype": "float32",
            "token_score": "sum over the embedding dimension",
            "threads": opts.threads,
        },
        "model": {"folder": str(folder), "card": json.loads((folder / MODEL_CARD_FILE).read_text())},
        "versions": _versions(),
        "load_average_start": os.getloadavg(),
        "examples": [],
    }
    for ex in examples:
        closed = closed_forms(model, ex, baseline_id)
        entry = dict(ex, log_probs=closed["log_probs"], closed_form={"sig": closed["sig"], "ig": closed["ig"]})
        entry["methods"] = {}
        for method in opts.methods:
            theirs = run_inseq(attribution_model, method, ex, steps=opts.steps, baseline_id=baseline_id)
            theirs["vs_closed_form"] = completeness_errors(method, theirs["matrix"], closed)
            ours = run_faithlens(model, tokenizer, method, ex, steps=opts.steps, baseline_id=baseline_id)
            agree = agreement(ours["matrix"], theirs["matrix"])
            entry["methods"][method] = {
                "inseq": theirs,
                "faithlens": ours,
                "agreement": agree,
                "agrees": agree["max_abs_diff_normalised"] <= AGREEMENT,
                "ratio_inseq_over_faithlens": theirs["seconds"] / ours["seconds"],
                "ratio_cpu_inseq_over_faithlens": theirs["cpu_seconds"] / ours["cpu_seconds"],
            }
            if method == "sig":  # the closed form: SIG's infinite-step limit, forward passes only
                closed_run = run_faithlens(model, tokenizer, method, ex, steps=opts.steps, baseline_id=baseline_id,
                                           mode="closed")
                err = torch.tensor(closed_run["matrix"], dtype=torch.float64) - torch.tensor(closed["sig"], dtype=torch.float64)
                entry["methods"][method]["faithlens_closed"] = dict(closed_run, max_abs_error_vs_closed_form=float(err.abs().max()))
                entry["methods"][method]["ratio_inseq_over_faithlens_closed"] = theirs["seconds"] / closed_run["seconds"]
                entry["methods"][method]["ratio_cpu_inseq_over_faithlens_closed"] = (theirs["cpu_seconds"]
                                                                                      / closed_run["cpu_seconds"])
            print(f"{method:4s} {ex['prompt']!r} -> {ex['target']!r}: inseq {theirs['cpu_seconds']:.1f} CPU s, faithlens "
                  f"{ours['cpu_seconds']:.1f} CPU s, max |diff| normalised {agree['max_abs_diff_normalised']:.2g}", flush=True)
        record["examples"].append(entry)
        _write(record, opts.out)  # an interrupted run keeps what it measured
    record["load_average_end"] = os.getloadavg()
    record["summary"] = _summary(record, opts.methods)
    _write(record, opts.out)
    print(_markdown(record))


def _summary(record: dict[str, Any], methods: list[str]) -> dict[str, Any]:
    out = {}
    for method in methods:
        runs = [ex["methods"][method] for ex in record["examples"]]
        ratios = [r["ratio_cpu_inseq_over_faithlens"] for r in runs if r.get("ratio_cpu_inseq_over_faithlens")]
        closed = [r["ratio_cpu_inseq_over_faithlens_closed"] for r in runs if "ratio_cpu_inseq_over_faithlens_closed" in r]
        out[method] = {
            "all_agree": all(r["agrees"] for r in runs),
            "max_abs_diff_normalised": max(r["agreement"]["max_abs_diff_normalised"] for r in runs),
            "median_ratio_inseq_over_faithlens_closed": statistics.median(closed) if closed else None,
            "inseq_median_seconds": statistics.median(r["inseq"]["cpu_seconds"] for r in runs),
            "faithlens_median_seconds": (
                statistics.median(r["faithlens"]["cpu_seconds"] for r in runs) if ratios else None
            ),
            "wall_median_ratio_inseq_over_faithlens": statistics.median(r["ratio_inseq_over_faithlens"] for r in runs),
            "median_ratio_inseq_over_faithlens": statistics.median(ratios) if ratios else None,
            "inseq_max_error_vs_closed_form": max(r["inseq"]["vs_closed_form"]["max_abs_error"] for r in runs),
        }
    return out


def _write(record: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1) + "\n")
    if "summary" in record:
        path.with_suffix(".md").write_text(_markdown(record))


def _markdown(record: dict[str, Any]) -> str:
    s = record["settings"]
    lines = [
        "# Next-token attribution on SmolLM2-135M-Instruct: inseq and faithlens side by side",
        "",
        f"`{record['command'].strip()}`; load average {record['load_average_start'][0]:.2f} at start, "
        f"{record['load_average_end'][0]:.2f} at end. F_j = {s['F']}; baseline "
        f"`{s['baseline']['token']}` (id {s['baseline']['id']}) on the prompt, continuation tokens "
        f"kept; {s['steps']} {s['rule']} points; eager attention, float32, {s['threads']} thread(s).",
        "",
        "Agreement is checked first: the per-token matrices (prompt tokens × continuation tokens) of the two "
        f"implementations at the same {s['steps']} points, columns L2-normalised, must differ by at most {AGREEMENT:g}.",
        "",
        "Times are CPU seconds of the bench process (one torch thread; the queue for shared cores does not "
        "inflate them); wall seconds are in inseq_lm.json. The two implementations run back to back on each prompt.",
        "",
        "| prompt → continuation | tokens | log p | method | max diff (normalised) | inseq s | faithlens s | "
        "ratio inseq / faithlens | faithlens closed form s | ratio inseq SIG / closed form | inseq max err vs closed form |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for ex in record["examples"]:
        for method, r in ex["methods"].items():
            f = r["faithlens"]
            c = r.get("faithlens_closed")
            lines.append(
                f"| {ex['prompt']!r} → {ex['target']!r} | {len(ex['prompt_ids'])}+{len(ex['target_ids'])} "
                f"| {sum(ex['log_probs']):.3f} | {method} | {r['agreement']['max_abs_diff_normalised']:.1e}"
                f"{'' if r['agrees'] else ' ✗'} | {r['inseq']['cpu_seconds']:.1f} | {f['cpu_seconds']:.1f} | "
                f"{r['ratio_cpu_inseq_over_faithlens']:.2f}× | {'–' if c is None else format(c['cpu_seconds'], '.2f')} | "
                f"{'–' if c is None else format(r['ratio_cpu_inseq_over_faithlens_closed'], '.0f') + '×'} | "
                f"{r['inseq']['vs_closed_form']['max_abs_error']:.3g} |"
            )
    lines += ["", "Medians over prompts:", ""]
    for method, m in record["summary"].items():
        fl = m["faithlens_median_seconds"]
        closed = m.get("median_ratio_inseq_over_faithlens_closed")
        lines.append(
            f"- {method}: agreement {'✓' if m['all_agree'] else '✗'} (max normalised diff "
            f"{m['max_abs_diff_normalised']:.1e}); inseq {m['inseq_median_seconds']:.1f} CPU s per prompt, faithlens "
            f"{fl:.1f} CPU s: median ratio **{m['median_ratio_inseq_over_faithlens']:.2f}×** (wall: "
            f"{m['wall_median_ratio_inseq_over_faithlens']:.2f}×)"
            + (f"; faithlens's closed form is **{closed:.0f}×** faster than inseq's SIG" if closed else "")
            + f". inseq's largest |error| against the closed form {m['inseq_max_error_vs_closed_form']:.3g}."
        )
    lines += [
        "",
        "Closed forms: SIG word i of token j integrates to F_j(x) − F_j(x with word i at the "
        "baseline); IG's row sum to F_j(x) − F_j(prompt at the baseline). The error is the "
        f"{s['steps']}-point quadrature's, not a disagreement between implementations.",
        "",
    ]
    return "\n".join(lines)


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("inseq", "captum", "torch", "transformers"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


if __name__ == "__main__":
    main()
