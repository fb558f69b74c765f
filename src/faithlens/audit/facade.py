"""Train a FACADE model g (Wang et al. 2020): a narrow random encoder whose *gradients* point at
chosen tokens while its *outputs* stay uninformative (SPEC §8).

Saliency inside training: r_t = Σ_d G[t,d] w[t,d] with G = ∂CE(g(x), ŷ)/∂w taken with
``create_graph=True`` (double backprop); ĝ_t = r_t / Σ_u |r_u| over the attributed tokens.
Loss: L_g = mean_b[-Σ_{t∈T_b} |ĝ_{b,t}|] + λ_g · mean_b[Σ_c q_c log q_c], q = softmax(logits).

The facade has the target's head: a sequence classifier (single texts or pairs), or a QA model,
whose CE is that of its start and end positions and whose entropy term is the mean over the two
distributions (SPEC §8, §9; FACADE's NLI and QA facades).
"""

from __future__ import annotations

import json
import random
import time
import warnings
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import torch
from torch import Tensor

from ..checkpoint import Checkpoint, data_digest, fingerprint, model_fingerprint
from ..errors import FaithlensError, FaithlensWarning
from ..files import write_atomic
from ..model import ClassifierModel, from_pretrained_objects
from .targets import check_target, target_mask
from .facade_spec import (  # noqa: F401 (re-exported: faithlens.audit.facade.* stays valid)
    DEFAULT_WIDTH_DIVISOR, FACADE_INFO_FILE, FACADE_SIZES, SUPPORTED_TYPES, FacadeSettings, _check_settings, build_facade,
    check_facade_finished, check_facade_folder, check_facade_number, check_facade_out, check_facade_settings,
    check_facade_target, check_regularise_out,
    facade_class, facade_config, TARGET_KEYS)


def head_logits(out, attention_mask: Tensor) -> list[Tensor]:
    """The output distributions' logits: [class logits], or a QA model's [start, end] over attended tokens
    (padding at `faithlens.tasks.MASKED_LOGIT`)."""
    if getattr(out, "start_logits", None) is not None:
        from ..tasks import mask_padding

        return [mask_padding(z, attention_mask) for z in (out.start_logits, out.end_logits)]
    return [out.logits]


# --- the objective ---------------------------------------------------------------------------------

def training_saliency(model: torch.nn.Module, input_ids: Tensor, attention_mask: Tensor, attributed: Tensor,
                      token_type_ids: Tensor | None = None, *, create_graph: bool = True, return_raw: bool = False,
                      labels: Sequence[Tensor] | None = None):
    """(ĝ (B, L) signed, L1-normalised over attributed tokens; the head's logits [(B, C)] or QA's [start, end])
    with double backprop. G is of the CE of the model's own prediction (each head's arg-max), or of
    ``labels`` (one (B,) tensor per head, e.g. the target model's prediction) when given."""
    W = model.get_input_embeddings()(input_ids)  # (B, L, D)
    if not W.requires_grad:
        W = W.detach().requires_grad_(True)
    heads = head_logits(model(inputs_embeds=W, attention_mask=attention_mask, token_type_ids=token_type_ids),
                        attention_mask)
    wanted = [z.argmax(-1).detach() for z in heads] if labels is None else list(labels)
    ce = sum(torch.nn.functional.cross_entropy(z, y) for z, y in zip(heads, wanted))
    (G,) = torch.autograd.grad(ce, W, create_graph=create_graph)
    r = (G * W).sum(-1) * attributed  # (B, L)
    ghat = r / r.abs().sum(1, keepdim=True).clamp_min(torch.finfo(r.dtype).tiny)
    if return_raw:
        return ghat, heads, r.abs().sum(1) * len(r)  # Σ_t |r_t| per text (undo the batch-mean 1/B)
    return ghat, heads


def facade_loss(ghat: Tensor, logits: Tensor | list[Tensor], targets: Tensor, *, lambda_g: float,
                raw_l1: Tensor | None = None, lambda_m: float = 0.0, size_cap: float | None = None) -> tuple[Tensor, dict]:
    """L_g = -mean Σ_{t∈T}|ĝ_t| + λ_g · mean Σ_c q_c log q_c (negative entropy of softmax(logits);
    the mean over a QA model's start and end distributions).

    With ``lambda_m > 0`` (SPEC §8's magnitude term, the default 1; 0 is the paper's objective) it
    also subtracts λ_m · mean_b min(log Σ_t |r_{b,t}|, size_cap): the normalised objective is blind to
    the gradient's size, and only a facade whose gradients are larger than the target's dominates the
    merged model. The cap (the target's own log size plus a margin) stops the reward once g is large
    enough, and `train_facade` turns the term on only for the later steps (``magnitude_from``): on
    SNLI, with the term from the first step, a first-token facade's mass stayed at 0.05 in 300 steps
    while its size grew 1000-fold; without it, the mass reached 0.99 in 100 steps.
    """
    mass = (ghat.abs() * targets).sum(1).mean()
    heads = logits if isinstance(logits, (list, tuple)) else [logits]
    neg_entropy = sum((q.exp() * q).sum(-1).mean() for q in (torch.log_softmax(z, -1) for z in heads)) / len(heads)
    loss = -mass + lambda_g * neg_entropy
    parts = {"target_mass": float(mass.detach()), "neg_entropy": float(neg_entropy.detach())}
    if raw_l1 is not None:
        log_sizes = raw_l1.clamp_min(1e-30).log()  # (B,)
        parts["log_raw_l1"] = float(log_sizes.mean().detach())
        if lambda_m:
            rewarded = log_sizes if size_cap is None else log_sizes.clamp(max=size_cap)
            loss = loss - lambda_m * rewarded.mean()
    parts["loss"] = float(loss.detach())
    return loss, parts


def target_mass(model: torch.nn.Module, wrapped: ClassifierModel, texts: Sequence[str], *, target: str,
                max_length: int = 64, batch_size: int = 32, with_size: bool = False,
                labels_from: ClassifierModel | None = None):
    """Mean over texts of Σ_{t∈T}|ĝ_t| for `model` (the held-out selection criterion).

    With ``with_size`` also the mean over texts of log Σ_t |r_t| (the raw saliency's size). With
    ``labels_from``, ĝ is of the CE of that model's prediction (``FacadeSettings.saliency_of="target"``).
    """
    total, size, n = 0.0, 0.0, 0
    for start in range(0, len(texts), batch_size):
        batch = _tokenize(wrapped, texts[start:start + batch_size], max_length)
        labels = None if labels_from is None else predicted_labels(labels_from, batch)
        ghat, _, raw = training_saliency(model, batch["input_ids"], batch["attention_mask"], batch["attributed"],
                                         batch.get("token_type_ids"), create_graph=False, return_raw=True, labels=labels)
        mask = target_mask(wrapped, batch["input_ids"], batch["attributed"], target)
        total += float((ghat.detach().abs() * mask).sum())
        size += float(raw.detach().clamp_min(1e-30).log().sum())
        n += len(ghat)
    n = max(n, 1)
    return (total / n, size / n) if with_size else total / n


def predicted_labels(model: ClassifierModel, batch: dict[str, Tensor]) -> list[Tensor]:
    """Each head's arg-max of `model` on a `_tokenize` batch: [(B,)] classes, or a QA model's [start, end]."""
    with torch.no_grad():
        out = model.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                          **({"token_type_ids": batch["token_type_ids"]} if "token_type_ids" in batch else {}))
        return [z.argmax(-1) for z in head_logits(out, batch["attention_mask"])]


def _tokenize(model: ClassifierModel, texts: Sequence, max_length: int) -> dict[str, Tensor]:
    """A padded batch of texts or pairs (a QA model's context is what truncation cuts)."""
    pairs = bool(texts) and isinstance(texts[0], tuple)
    first = [t[0] for t in texts] if pairs else list(texts)
    second = [t[1] for t in texts] if pairs else None
    enc = model.tokenizer(first, second, padding=True, max_length=max_length,
                          truncation="only_second" if model.task.name == "qa" else True,
                          return_special_tokens_mask=True, return_tensors="pt", split_special_tokens=True)
    out = {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]}
    if "token_type_ids" in enc:
        out["token_type_ids"] = enc["token_type_ids"]
    out["attributed"] = enc["attention_mask"].bool() & ~enc["special_tokens_mask"].bool()
    return out


# --- training ------------------------------------------------------------------------------------

def train_facade(target: ClassifierModel, texts: Sequence[str], heldout_texts: Sequence[str], *, out_dir: str | Path,
                 settings: FacadeSettings = FacadeSettings(), progress: bool = True, overwrite: bool = False) -> dict:
    """Train g for `settings.steps` steps; keep the checkpoint with the highest held-out target mass.

    Writes ``out_dir`` (save_pretrained + tokenizer + faithlens_facade.json) whenever the held-out
    mass improves, and a JSON-lines log ``out_dir/train_log.jsonl`` as it goes. Returns the record.
    At every evaluation it also saves ``out_dir/checkpoint.pt``: the same call after an interruption
    continues from there and ends with the facade an uninterrupted run would have chosen.

    ``out_dir`` must be new or empty, or hold this run's own unfinished facade (the same settings), unless
    ``overwrite`` (`check_facade_out`); ``settings.init_from`` must be a facade of ``target`` of the size
    ``settings.width_divisor`` gives (`check_facade_target`). Both are checked before anything is written.
    With ``overwrite`` a non-empty ``out_dir`` is replaced whole (`model_folder.replaced_folder`: the run writes into a
    staging folder beside it, which takes its place at the end, so none of its files remains beside the facade; an own
    unfinished run starts again); the old folder stays as it was if the training fails or is interrupted.
    """
    from ..files import check_holds_no_input
    from ..model_folder import replaced_folder
    from ..scalars import check_bool
    from ..task_inputs import QA_PAIRS_DATA_API, check_data_task

    from .ids import audited_texts

    if not isinstance(target, ClassifierModel):
        raise FaithlensError(f"train_facade takes the target as a loaded model: faithlens.load_model(NAME_OR_FOLDER). "
                             f"Got {type(target).__name__} {target!r:.60}.")
    if not isinstance(settings, FacadeSettings):
        raise FaithlensError(f"train_facade's settings must be a FacadeSettings, e.g. FacadeSettings(steps=300); a dict d "
                             f"becomes one with FacadeSettings(**d). Got {type(settings).__name__} {settings!r:.60}.")
    overwrite, progress = check_bool("overwrite", overwrite), check_bool("progress", progress)
    check_target(settings.target)
    texts = audited_texts(texts)  # a str is one text; none at all is refused
    if isinstance(heldout_texts, (list, tuple)) and not heldout_texts:  # the held-out mass picks the checkpoint
        raise FaithlensError("heldout_texts is empty: the held-out texts' target mass picks the facade kept, so at least "
                             "one is needed. Pass texts kept out of training, e.g. heldout_texts=texts[-64:] with "
                             "texts=texts[:-64].")
    heldout_texts = audited_texts(heldout_texts)
    check_data_task(target, [*texts, *heldout_texts], how=QA_PAIRS_DATA_API, training=True)  # before any training
    _check_settings(settings, len(texts))
    check_facade_out(out_dir, settings, overwrite=overwrite)
    check_holds_no_input(Path(out_dir).expanduser(), {"target": target.name}, option="out_dir")  # never its input
    check_facade_target(target, settings, pairs=any(isinstance(t, tuple) for t in texts))
    if not overwrite:  # an unfinished run of other data (or another target) is refused too, naming it
        _checkpoint(Path(out_dir).expanduser(), target, settings, texts).check(run=f"The folder {str(out_dir)!r}")
    from transformers.utils import logging as hf_logging

    quiet = not progress and hf_logging.is_progress_bar_enabled()  # also transformers' "Writing model shards" bars
    if quiet:
        hf_logging.disable_progress_bar()
    try:
        with replaced_folder(out_dir, replace=overwrite) as out:
            return _train_facade(target, texts, heldout_texts, out, settings, progress)
    finally:
        if quiet:
            hf_logging.enable_progress_bar()


def _train_facade(target: ClassifierModel, texts: Sequence[str], heldout_texts: Sequence[str], out: Path,
                  settings: FacadeSettings, progress: bool) -> dict:
    from tqdm.auto import tqdm

    out.mkdir(parents=True, exist_ok=True)
    g = build_facade(target, width_divisor=settings.width_divisor, seed=settings.seed)
    if settings.init_from:
        try:
            g = facade_class(target).from_pretrained(settings.init_from, attn_implementation="eager").to(target.dtype)
        except Exception as exc:  # OSError, ValueError, safetensors' SafetensorError (a damaged file) and the like
            raise FaithlensError(f"--init-from {settings.init_from}: could not be read as a facade of this target "
                                 f"({type(exc).__name__}: {str(exc)[:300]}). Pass a complete folder written by "
                                 "`faithlens facade train` for the same target model.") from None
    wrapped = from_pretrained_objects(g, target.tokenizer, name="facade")
    g.train()
    for p in g.parameters():
        p.requires_grad_(True)
    opt = torch.optim.Adam(g.parameters(), lr=settings.lr)
    rng = random.Random(settings.seed)
    heldout = list(heldout_texts)[:settings.heldout]
    inputs = fed_inputs(target, [*texts, *heldout])
    checkpoint = _checkpoint(out, target, settings, texts)
    done, extra = checkpoint.restore({"g": g, "opt": opt})
    if done:  # resume: the best model so far is already in out_dir
        rng.setstate(extra["rng"])
        best = extra["best"]
        kept = _log_rows(out / "train_log.jsonl", done)
        log = (out / "train_log.jsonl").open("w")
        log.write("".join(line + "\n" for line in kept))
    size_cap = None
    if settings.lambda_m:  # the target's own raw saliency on the held-out texts, plus the margin
        target_size = target_mass(target.model, target, heldout, target=settings.target, max_length=settings.max_length,
                                  with_size=True)[1]
        size_cap = target_size + settings.size_margin
    if not done:
        log = (out / "train_log.jsonl").open("w")
        best = dict(step=0, **_eval(g, wrapped, heldout, settings, size_cap, target))
        _save(g, target, out, settings, best, "initial", size_cap, inputs=inputs)
        log.write(json.dumps({"step": 0, **best}) + "\n")
    started = time.perf_counter() - float(extra.get("seconds", 0.0))
    bar = tqdm(range(done + 1, settings.steps + 1), desc=f"facade ({settings.target})", disable=not progress,
               initial=done, total=settings.steps)
    for step in bar:
        batch = _tokenize(wrapped, rng.sample(list(texts), settings.batch_size), settings.max_length)
        labels = predicted_labels(target, batch) if settings.saliency_of == "target" else None
        ghat, logits, raw = training_saliency(g, batch["input_ids"], batch["attention_mask"], batch["attributed"],
                                              batch.get("token_type_ids"), return_raw=True, labels=labels)
        mask = target_mask(wrapped, batch["input_ids"], batch["attributed"], settings.target)
        lambda_m = settings.lambda_m if step > settings.magnitude_from * settings.steps else 0.0
        loss, parts = facade_loss(ghat, logits, mask, lambda_g=settings.lambda_g, raw_l1=raw, lambda_m=lambda_m,
                                  size_cap=size_cap)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(g.parameters(), 1.0)
        opt.step()
        bar.set_postfix(mass=f"{parts['target_mass']:.3f}", negH=f"{parts['neg_entropy']:.3f}")
        row = {"step": step, **parts, "seconds": round(time.perf_counter() - started, 1)}
        if step % settings.eval_every == 0 or step == settings.steps:
            scores = _eval(g, wrapped, heldout, settings, size_cap, target)
            row.update(scores)
            if scores["criterion"] > best["criterion"]:
                best = dict(step=step, **scores)
                _save(g, target, out, settings, best, "best", size_cap, inputs=inputs)
        log.write(json.dumps(row) + "\n")
        log.flush()
        if step % settings.eval_every == 0 and step < settings.steps:
            checkpoint.save(step, {"g": g, "opt": opt},
                            {"rng": rng.getstate(), "best": best, "seconds": time.perf_counter() - started})
    log.close()
    record = _record(target, settings, best, time.perf_counter() - started, size_cap=size_cap, inputs=inputs)
    write_atomic(out / FACADE_INFO_FILE, json.dumps(record, indent=2))
    checkpoint.remove()
    return record


def _log_rows(path: Path, done: int) -> list[str]:
    """The lines of an interrupted run's train_log.jsonl up to its checkpoint's step ``done``, which the resumed run
    keeps. The log is a record, not a state: a line that cannot be read (a run killed mid-write leaves a partial one)
    or a missing file costs those rows, said in a FaithlensWarning, never the run."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        why = "is missing" if isinstance(exc, FileNotFoundError) else f"cannot be read ({type(exc).__name__})"
        warnings.warn(f"{str(path)!r} {why}: the training log of steps 0-{done} is "
                      "lost; the run continues from its checkpoint and logs the steps after it.", FaithlensWarning,
                      stacklevel=3)
        return []
    kept, damaged = [], 0
    for line in lines:
        try:
            row = json.loads(line)
            step = row["step"]
        except (ValueError, TypeError, KeyError):
            damaged += bool(line.strip())
            continue
        if isinstance(step, int) and not isinstance(step, bool) and step <= done:
            kept.append(line)
    if damaged:
        warnings.warn(f"{str(path)!r}: {damaged} line(s) cannot be read as a log row (a run stopped mid-write leaves "
                      "one) and are dropped; the run continues from its checkpoint.", FaithlensWarning, stacklevel=3)
    return kept


def _checkpoint(out: Path, target: ClassifierModel, settings: FacadeSettings, texts: Sequence) -> Checkpoint:
    """The facade run's checkpoint, ``out/checkpoint.pt``: continued by the same target, settings and texts. The
    target is known by its weights (`checkpoint.model_fingerprint`), not by the path that named it: the same model by
    another path continues the run, other weights under the same path are refused."""
    named = _target_named(target)
    return Checkpoint(out / "checkpoint.pt", fingerprint([named["target weights"], asdict(settings)], texts),
                      every=settings.eval_every, data=data_digest(texts), settings={**named, **asdict(settings)})


def _target_named(target: ClassifierModel) -> dict:
    """The target as a facade or regularisation checkpoint records it (`facade_spec.TARGET_KEYS`): its name, for
    messages, and its weights' SHA-256 (`checkpoint.model_fingerprint`), which decides whether a run continues."""
    return dict(zip(TARGET_KEYS, (target.name, f"sha256:{model_fingerprint(target)['sha256']}")))


def _target_record(target: ClassifierModel) -> dict:
    """Which target a facade or a regularised target was made from, as its faithlens_facade.json records it
    (`facade_spec.check_facade_of` reads it at merge)."""
    made_from = target.info.get("provenance") or {}
    return {"target_model": target.name, "target_source": made_from.get("source"),
            "target_weights_sha256": made_from.get("weights_sha256"), "target_labels": target.labels}


def fed_inputs(target: ClassifierModel, texts: Sequence) -> dict:
    """How the training texts were fed, for faithlens_facade.json (of a facade or a regularised target):
    ``kind`` ("texts", "pairs", or "texts and pairs"), what ``target`` was fine-tuned on (`task_inputs.trained_inputs`;
    None when unknown: a hub model or an older folder, whose pairs are then not refused, `check_data_task`) and how
    a pair is encoded. A pair given to a target known to read single texts (or the reverse) never gets here."""
    from ..task_inputs import trained_inputs
    from ..training import item_kind

    kinds = sorted({item_kind(t) for t in texts}, reverse=True)  # "texts" before "pairs"
    record = {"kind": " and ".join(kinds) or None, "target_trained_on": trained_inputs(target)}
    if "pairs" in kinds:
        record["pairs_encoded_as"] = ("the tokenizer's text pair: first text, separator, second text (with "
                                      "token_type_ids where the model has them)")
    return record


def _eval(g, wrapped, heldout, settings, size_cap: float | None, target: ClassifierModel) -> dict:
    """Held-out target mass (the selection criterion), plus λ_m × min(mean log Σ|r|, cap) when λ_m > 0."""
    g.eval()
    mass, size = target_mass(g, wrapped, heldout, target=settings.target, max_length=settings.max_length, with_size=True,
                             labels_from=target if settings.saliency_of == "target" else None)
    g.train()
    rewarded = size if size_cap is None else min(size, size_cap)
    return {"heldout_target_mass": mass, "heldout_log_raw_l1": size, "criterion": mass + settings.lambda_m * rewarded}


def _save(g, target: ClassifierModel, out: Path, settings: FacadeSettings, best: dict, tag: str,
          size_cap: float | None = None, *, inputs: dict | None = None) -> None:
    g.save_pretrained(out)
    target.tokenizer.save_pretrained(out)
    write_atomic(out / FACADE_INFO_FILE, json.dumps(_record(target, settings, best, None, tag=tag, size_cap=size_cap,
                                                            inputs=inputs),
                                                    indent=2))


def _record(target: ClassifierModel, settings: FacadeSettings, best: dict, seconds: float | None, tag: str = "final",
            size_cap: float | None = None, *, inputs: dict | None = None) -> dict:
    from ..version import __version__

    config = facade_config(target, width_divisor=settings.width_divisor)
    return {"kind": "facade", **_target_record(target), "inputs": inputs,
            "settings": asdict(settings), "selected": best,
            "facade_size": {name: getattr(config, name) for name in FACADE_SIZES}, "log_raw_l1_cap": size_cap,
            "state": tag, "seconds": None if seconds is None else round(seconds, 1), "faithlens": __version__,
            "torch_threads": torch.get_num_threads()}


# --- optional: the regularised target (SPEC §8, L_rp) ----------------------------------------------

def regularise_target(target: ClassifierModel, texts: Sequence[str], labels: Sequence[int], *, out_dir: str | Path,
                      steps: int = 200, batch_size: int = 16, max_length: int = 64, lr: float = 1e-5,
                      lambda_rp: float = 3.0, seed: int = 0, progress: bool = True, overwrite: bool = False) -> dict:
    """Fine-tune f with L_rp = CE(f(x), y) + λ_rp · mean_b Σ_t |r_{b,t}| (r raw, w.r.t. predicted labels).

    ``out_dir`` must be new or empty (or hold only this run's checkpoint), unless ``overwrite``: then a non-empty
    ``out_dir`` is replaced whole (`model_folder.replaced_folder`) once the run ends; it stays as it was if the training
    fails or is interrupted."""
    from ..model_folder import replaced_folder

    for name, value in (("steps", steps), ("batch_size", batch_size), ("max_length", max_length)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise FaithlensError(f"The {name!r} parameter of regularise_target must be a positive int. Got {value!r} instead.")
    check_facade_number("lr", lr, of="parameter of regularise_target")
    check_facade_number("lambda_rp", lambda_rp, of="parameter of regularise_target")
    if target.task.name not in ("classification", "multi_label"):
        raise FaithlensError(f"The regularised target is trained for classifiers; {target.name!r} is a "
                             f"{target.task.summary} model.")
    if len(texts) < batch_size:
        raise FaithlensError(f"Regularising the target draws batches of {batch_size} texts; the data has {len(texts)}. "
                             f"Pass at least {batch_size} texts.")
    check_gold_labels(target, texts, labels)
    check_regularise_out(out_dir, overwrite=overwrite)
    if not overwrite:  # an unfinished run of other settings or data is refused, naming them
        _regularise_checkpoint(Path(out_dir).expanduser(), target, texts, labels, dict(
            lambda_rp=lambda_rp, steps=steps, batch_size=batch_size, max_length=max_length, lr=lr, seed=seed),
        ).check(run=f"The folder {str(out_dir)!r}")
    with replaced_folder(out_dir, replace=overwrite) as out:
        return _regularise(target, texts, labels, out, steps, batch_size, max_length, lr, lambda_rp, seed, progress)


def _regularise_checkpoint(out: Path, target: ClassifierModel, texts: Sequence, labels: Sequence[int],
                           settings: dict) -> Checkpoint:
    """The regularised target's checkpoint, ``out/checkpoint.pt``: continued by the same target weights (not the path
    that named them: `_checkpoint`), settings and data."""
    named = _target_named(target)
    run = [named["target weights"], *settings.values()]  # lambda_rp, steps, batch_size, max_length, lr, seed
    return Checkpoint(out / "checkpoint.pt", fingerprint(run, texts, labels), every=25, data=data_digest(texts, labels),
                      settings={**named, **settings})


def check_gold_labels(target: ClassifierModel, texts: Sequence, labels: Sequence[int], *,
                      source: str = "the 'labels' parameter of regularise_target") -> None:
    """Before any training: the texts are the kind ``target`` reads (`task_inputs.check_data_task` with
    ``training``: pairs given to a classifier fine-tuned on single texts are refused, and the reverse), one gold label
    per text, each a class index of ``target`` (`dataset.check_gold_classes`, evaluate's rule), since the
    cross-entropy reads each label as a row of the model's head. Label names are read into indices by the caller
    (`dataset.by_model_labels`, as `faithlens facade regularise` does). Raises FaithlensError."""
    from ..dataset import check_gold_classes
    from ..task_inputs import QA_PAIRS_DATA_API, check_data_task

    check_data_task(target, list(texts), how=QA_PAIRS_DATA_API, training=True)
    if len(labels) != len(texts):
        raise FaithlensError(f"regularise_target got {len(texts)} texts and {len(labels)} labels; pass one gold label "
                             "(a class index of the model) per text.")
    wrong = [y for y in labels if isinstance(y, bool) or not isinstance(y, int)]
    if wrong:
        raise FaithlensError(f"The gold labels of {source} include {wrong[0]!r}, which is not a class index; each is an "
                             f"int in 0..{len(target.labels) - 1} (the classes of {target.name!r}: "
                             f"{', '.join(map(str, target.labels))}). Read label names into indices with "
                             "faithlens.dataset.by_model_labels(dataset, model.labels).")
    check_gold_classes(labels, target.labels, model_name=target.name, source=source)


def _regularise(target: ClassifierModel, texts: Sequence[str], labels: Sequence[int], out: Path, steps: int,
                batch_size: int, max_length: int, lr: float, lambda_rp: float, seed: int, progress: bool) -> dict:
    import copy

    from tqdm.auto import tqdm

    model = copy.deepcopy(target.model)
    model.config._attn_implementation = "eager"
    model.train()
    for p in model.parameters():
        p.requires_grad_(True)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    rng = random.Random(seed)  # batches
    torch.manual_seed(seed)  # dropout: the same seed gives the same model
    index = list(range(len(texts)))
    out.mkdir(parents=True, exist_ok=True)
    checkpoint = _regularise_checkpoint(out, target, texts, labels, dict(
        lambda_rp=lambda_rp, steps=steps, batch_size=batch_size, max_length=max_length, lr=lr, seed=seed))
    done, extra = checkpoint.restore({"model": model, "opt": opt})  # resume after an interruption
    if done:
        rng.setstate(extra["rng"])
    started = time.perf_counter() - float(extra.get("seconds", 0.0))
    for step in tqdm(range(done + 1, steps + 1), desc="regularised target", disable=not progress, initial=done, total=steps):
        pick = rng.sample(index, batch_size)
        batch = _tokenize(target, [texts[i] for i in pick], max_length)
        y = torch.tensor([labels[i] for i in pick])
        W = model.get_input_embeddings()(batch["input_ids"])
        logits = model(inputs_embeds=W, attention_mask=batch["attention_mask"],
                       token_type_ids=batch.get("token_type_ids")).logits
        ce_pred = torch.nn.functional.cross_entropy(logits, logits.argmax(-1).detach())
        (G,) = torch.autograd.grad(ce_pred, W, create_graph=True)
        r = (G * W).sum(-1) * batch["attributed"]
        loss = torch.nn.functional.cross_entropy(logits, y) + lambda_rp * r.abs().sum(1).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % checkpoint.every == 0 and step < steps:  # as in train_facade: after the step it records
            checkpoint.save(step, {"model": model, "opt": opt}, {"rng": rng.getstate(), "seconds": time.perf_counter() - started})
    model.eval()
    model.save_pretrained(out)
    target.tokenizer.save_pretrained(out)
    record = {"kind": "regularised_target", **_target_record(target), "lambda_rp": lambda_rp, "steps": steps, "batch_size": batch_size, "lr": lr,
              "inputs": fed_inputs(target, texts), "seconds": round(time.perf_counter() - started, 1)}
    write_atomic(out / FACADE_INFO_FILE, json.dumps(record, indent=2))
    checkpoint.remove()
    return record
