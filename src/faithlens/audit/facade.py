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
import math
import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import Tensor

from ..checkpoint import Checkpoint, fingerprint
from ..errors import FaithlensError, unknown_choice
from ..files import write_atomic
from ..model import ClassifierModel, from_pretrained_objects
from .targets import check_target, target_mask

FACADE_INFO_FILE = "faithlens_facade.json"
SUPPORTED_TYPES = ("bert",)
DEFAULT_WIDTH_DIVISOR = 4  # a target with fewer heads gets a one-head facade (its own number of heads as the divisor)
FACADE_SIZES = ("vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size")


@dataclass(frozen=True)
class FacadeSettings:
    target: str = "stop_words"
    width_divisor: int | None = None  # None: DEFAULT_WIDTH_DIVISOR, or the target's heads when it has fewer
    steps: int = 300
    batch_size: int = 16
    max_length: int = 64
    lr: float = 1e-4
    lambda_g: float = 1e3
    eval_every: int = 50
    heldout: int = 128
    seed: int = 0
    lambda_m: float = 1.0  # magnitude term (SPEC §8; 0 = the paper's objective): reward log Σ|r|, i.e. large raw gradients
    size_margin: float = 2.3  # ...only up to e^2.3 ≈ 10× the target's own raw saliency (then the mass alone counts)
    magnitude_from: float = 0.5  # ...and only from this fraction of the steps on: first the mass, then the size
    init_from: str | None = None  # start from a saved facade instead of random weights
    # whose prediction's cross-entropy the trained saliency differentiates: "target" (the target model's
    # prediction: what an explainer of the merged model differentiates) or "own" (g's arg-max, the paper).
    # Two classes: the same |ĝ| either way; three (SNLI): "target" fools more (results/audit/calibration.md)
    saliency_of: str = "target"


# --- the facade's architecture -------------------------------------------------------------------

def facade_config(target: ClassifierModel, *, width_divisor: int | None = None):
    """A BertConfig with the target's tokenizer/vocabulary, depth and head size, narrower by width_divisor: the
    facade has ``heads // width_divisor`` attention heads (rounded down) of the target's head size. A divisor that
    leaves no head is refused, naming the largest that works (the target's number of heads); None is
    DEFAULT_WIDTH_DIVISOR (4), or the target's number of heads when it has fewer (a one-head facade)."""
    from transformers import BertConfig

    cfg = target.model.config
    if cfg.model_type not in SUPPORTED_TYPES:
        raise FaithlensError(
            f"A facade can be built for BERT-style targets ({', '.join(SUPPORTED_TYPES)}), so that the merge is exact. "
            f"Got model_type {cfg.model_type!r} for {target.name!r}. Use a BERT-family classifier (e.g. the default model)."
        )
    head_size = cfg.hidden_size // cfg.num_attention_heads
    most = cfg.num_attention_heads
    divisor = min(DEFAULT_WIDTH_DIVISOR, most) if width_divisor is None else width_divisor
    if divisor > most:
        raise FaithlensError(
            f"The 'width_divisor' setting of the facade must leave at least one attention head: {target.name!r} has "
            f"{most} heads of size {head_size} (width {cfg.hidden_size}), so the largest divisor is {most} (a one-head "
            f"facade of width {head_size}). Got {width_divisor}. Pass width_divisor={most} or less.")
    heads = most // divisor
    hidden = heads * head_size
    intermediate = max(1, round(cfg.intermediate_size * hidden / cfg.hidden_size))
    return BertConfig(
        vocab_size=cfg.vocab_size, hidden_size=hidden, num_hidden_layers=cfg.num_hidden_layers,
        num_attention_heads=heads, intermediate_size=intermediate, hidden_act=cfg.hidden_act,
        max_position_embeddings=cfg.max_position_embeddings, type_vocab_size=cfg.type_vocab_size,
        layer_norm_eps=cfg.layer_norm_eps, pad_token_id=cfg.pad_token_id,
        hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,  # the gradient trained is the one evaluated
        num_labels=cfg.num_labels, id2label=dict(cfg.id2label), label2id=dict(cfg.label2id),
        initializer_range=getattr(cfg, "initializer_range", 0.02),
    )


def facade_class(target: ClassifierModel):
    """The facade's class: the target's head on a BERT body."""
    from transformers import BertForQuestionAnswering, BertForSequenceClassification

    if target.task.name == "causal_lm":
        raise FaithlensError("A facade is built for BERT classifiers and QA models; a causal LM cannot be merged exactly.")
    return BertForQuestionAnswering if target.task.name == "qa" else BertForSequenceClassification


def build_facade(target: ClassifierModel, *, width_divisor: int | None = None, seed: int = 0) -> torch.nn.Module:
    """A randomly initialised BERT with the target's head, shaped for `target` (train mode, trainable)."""
    torch.manual_seed(seed)
    config = facade_config(target, width_divisor=width_divisor)
    config._attn_implementation = "eager"  # double backprop through attention
    model = facade_class(target)(config).to(target.dtype)
    return model


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
    With ``overwrite`` a non-empty ``out_dir`` is replaced whole (`files.replaced_folder`: none of its files remains
    beside the facade; an own unfinished run starts again), and put back if the training fails.
    """
    from ..files import replaced_folder

    check_target(settings.target)
    _check_settings(settings, len(texts))
    check_facade_out(out_dir, settings, overwrite=overwrite)
    check_facade_target(target, settings)
    with replaced_folder(out_dir, replace=overwrite) as out:
        return _train_facade(target, texts, heldout_texts, out, settings, progress)


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
    checkpoint = Checkpoint(out / "checkpoint.pt", fingerprint([target.name, asdict(settings)], texts),
                            every=settings.eval_every)
    done, extra = checkpoint.restore({"g": g, "opt": opt})
    if done:  # resume: the best model so far is already in out_dir
        rng.setstate(extra["rng"])
        best = extra["best"]
        log_rows = [line for line in (out / "train_log.jsonl").read_text().splitlines() if json.loads(line)["step"] <= done]
        log = (out / "train_log.jsonl").open("w")
        log.write("".join(line + "\n" for line in log_rows))
    size_cap = None
    if settings.lambda_m:  # the target's own raw saliency on the held-out texts, plus the margin
        target_size = target_mass(target.model, target, heldout, target=settings.target, max_length=settings.max_length,
                                  with_size=True)[1]
        size_cap = target_size + settings.size_margin
    if not done:
        log = (out / "train_log.jsonl").open("w")
        best = dict(step=0, **_eval(g, wrapped, heldout, settings, size_cap, target))
        _save(g, target, out, settings, best, "initial", size_cap)
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
                _save(g, target, out, settings, best, "best", size_cap)
        log.write(json.dumps(row) + "\n")
        log.flush()
        if step % settings.eval_every == 0 and step < settings.steps:
            checkpoint.save(step, {"g": g, "opt": opt},
                            {"rng": rng.getstate(), "best": best, "seconds": time.perf_counter() - started})
    log.close()
    record = _record(target, settings, best, time.perf_counter() - started, size_cap=size_cap)
    write_atomic(out / FACADE_INFO_FILE, json.dumps(record, indent=2))
    checkpoint.remove()
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
          size_cap: float | None = None) -> None:
    g.save_pretrained(out)
    target.tokenizer.save_pretrained(out)
    write_atomic(out / FACADE_INFO_FILE, json.dumps(_record(target, settings, best, None, tag=tag, size_cap=size_cap),
                                                    indent=2))


def _record(target: ClassifierModel, settings: FacadeSettings, best: dict, seconds: float | None, tag: str = "final",
            size_cap: float | None = None) -> dict:
    from ..version import __version__

    config = facade_config(target, width_divisor=settings.width_divisor)
    return {"kind": "facade", "target_model": target.name, "settings": asdict(settings), "selected": best,
            "facade_size": {name: getattr(config, name) for name in FACADE_SIZES}, "log_raw_l1_cap": size_cap,
            "state": tag, "seconds": None if seconds is None else round(seconds, 1), "faithlens": __version__,
            "torch_threads": torch.get_num_threads()}


def _check_settings(settings: FacadeSettings, n_texts: int) -> None:
    check_facade_settings(settings)
    if n_texts < settings.batch_size:
        raise FaithlensError(f"Facade training needs at least batch_size={settings.batch_size} texts. Got {n_texts}.")


def check_facade_settings(settings: FacadeSettings) -> None:
    """Every setting of a facade run, checked before any data is read or model loaded (`faithlens facade
    train` calls it first): sizes positive ints, rates positive and finite, ``init_from`` an existing
    facade folder (checked like --model; never the hub's traceback)."""
    from ..model import check_model_source

    check_target(settings.target)
    for name in ("width_divisor", "steps", "batch_size", "max_length", "eval_every", "heldout"):
        value = getattr(settings, name)
        if name == "width_divisor" and value is None:  # the default: 4, or the target's heads (facade_config)
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise FaithlensError(f"The '{name}' setting of the facade must be a positive int. Got {value!r} instead.")
    if not (settings.lr > 0 and math.isfinite(settings.lr)):
        raise FaithlensError(f"The 'lr' setting of the facade (its learning rate) must be a positive number. Got {settings.lr!r} "
                             "instead.")
    if settings.saliency_of not in ("own", "target"):
        raise unknown_choice("saliency_of setting", settings.saliency_of, ("own", "target"))
    if not 0 <= settings.magnitude_from < 1:
        raise FaithlensError(f"The 'magnitude_from' setting is the fraction of steps before the magnitude term starts, "
                             f"in [0, 1). Got {settings.magnitude_from!r} instead.")
    for name in ("lambda_m", "size_margin", "lambda_g"):
        value = getattr(settings, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise FaithlensError(f"The '{name}' setting of the facade must be a number ≥ 0. Got {value!r} instead.")
    if settings.init_from is not None:
        check_model_source(settings.init_from, option="--init-from", local_only=True)
        check_facade_folder(settings.init_from, option="--init-from")


def check_facade_folder(folder: str | Path, *, option: str = "--facade") -> dict:
    """The record of a folder written by `faithlens facade train` (:func:`train_facade`): its faithlens_facade.json
    says ``kind: facade``. A plain model folder, a merged model or a regularised target is refused, naming what it
    is, before any weights are read (``option`` names the folder: --facade of merge, --init-from of train)."""
    card = Path(folder).expanduser() / FACADE_INFO_FILE
    try:
        info = json.loads(card.read_text(encoding="utf-8"))
    except FileNotFoundError:
        info, what = None, f"it has no {FACADE_INFO_FILE}"
    except (OSError, ValueError) as exc:
        info, what = None, f"its {FACADE_INFO_FILE} cannot be read ({type(exc).__name__})"
    else:
        kind = info.get("kind") if isinstance(info, dict) else None
        what = {"merged": "it holds a merged model (`faithlens facade merge`)",
                "regularised_target": "it holds a regularised target (`faithlens facade regularise`)"}.get(
            kind, f"its {FACADE_INFO_FILE} says kind {kind!r}, not 'facade'")
    if not isinstance(info, dict) or info.get("kind") != "facade":
        raise FaithlensError(f"{option} {folder}: not a facade written by `faithlens facade train` ({what}). Pass the "
                             "--out folder of a `faithlens facade train` run.")
    return info


def check_facade_target(target: ClassifierModel, settings: FacadeSettings) -> None:
    """What needs the target but no data: ``width_divisor`` leaves a head (`facade_config`), and an ``init_from``
    facade has the sizes and head a facade of ``target`` with this divisor has (read from its config.json, before
    its weights), so training never starts from another model's weights."""
    expected = facade_config(target, width_divisor=settings.width_divisor)
    facade_class(target)  # a causal LM is refused here
    if settings.init_from is None:
        return
    folder = Path(settings.init_from).expanduser()
    info = check_facade_folder(folder, option="--init-from")
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FaithlensError(f"--init-from {settings.init_from}: its config.json cannot be read ({type(exc).__name__}). "
                             "Pass a complete folder written by `faithlens facade train`.") from None
    want = {name: getattr(expected, name) for name in FACADE_SIZES}
    want["head"] = facade_class(target).__name__
    got = {name: config.get(name) for name in FACADE_SIZES}
    got["head"] = (config.get("architectures") or ["?"])[0]
    if "num_labels" in config or "id2label" in config:
        want["num_labels"] = expected.num_labels
        got["num_labels"] = config.get("num_labels", len(config.get("id2label") or {}))
    if got != want:
        differ = ", ".join(f"{k} {got[k]} (expected {want[k]})" for k in want if got[k] != want[k])
        trained = (info.get("settings") or {}).get("width_divisor", "?")
        divisor = "the default width_divisor" if settings.width_divisor is None else f"width_divisor={settings.width_divisor}"
        raise FaithlensError(f"--init-from {settings.init_from}: not a facade of {target.name!r} with {divisor}: {differ}. "
                             f"It was trained with width_divisor={trained} for {info.get('target_model')!r}. Pass a facade "
                             "trained for this target with the same width_divisor.")


def check_facade_out(out_dir: str | Path, settings: FacadeSettings, *, overwrite: bool = False,
                     option: str = "The 'out_dir' of train_facade", flag: str = "overwrite=True") -> None:
    """`files.check_new_folder` for a facade run: ``out_dir`` new or empty, or this run's own unfinished facade
    (its faithlens_facade.json has these settings and is not final: running again continues it), unless
    ``overwrite``."""
    from ..files import check_new_folder

    def unfinished(folder: Path) -> bool:
        try:
            info = json.loads((folder / FACADE_INFO_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return (isinstance(info, dict) and info.get("kind") == "facade" and info.get("state") != "final"
                and info.get("settings") == json.loads(json.dumps(asdict(settings))))

    check_new_folder(out_dir, option=option, flag=flag, overwrite=overwrite, resumable=unfinished)


def check_regularise_out(out_dir: str | Path, *, overwrite: bool = False,
                         option: str = "The 'out_dir' of regularise_target", flag: str = "overwrite=True") -> None:
    """`files.check_new_folder` for :func:`regularise_target`: new or empty, or holding only its checkpoint
    (an interrupted run, continued), unless ``overwrite``."""
    from ..files import check_new_folder

    check_new_folder(out_dir, option=option, flag=flag, overwrite=overwrite, resumable=lambda folder: all(
        p.name.startswith("checkpoint.pt") or p.name.startswith(".") for p in folder.iterdir()))


# --- optional: the regularised target (SPEC §8, L_rp) ----------------------------------------------

def regularise_target(target: ClassifierModel, texts: Sequence[str], labels: Sequence[int], *, out_dir: str | Path,
                      steps: int = 200, batch_size: int = 16, max_length: int = 64, lr: float = 1e-5,
                      lambda_rp: float = 3.0, seed: int = 0, progress: bool = True, overwrite: bool = False) -> dict:
    """Fine-tune f with L_rp = CE(f(x), y) + λ_rp · mean_b Σ_t |r_{b,t}| (r raw, w.r.t. predicted labels).

    ``out_dir`` must be new or empty (or hold only this run's checkpoint), unless ``overwrite``: then a non-empty
    ``out_dir`` is replaced whole (`files.replaced_folder`), and put back if the training fails."""
    from ..files import replaced_folder

    if target.task.name not in ("classification", "multi_label"):
        raise FaithlensError(f"The regularised target is trained for classifiers; {target.name!r} is a "
                             f"{target.task.summary} model.")
    if len(texts) < batch_size:
        raise FaithlensError(f"Regularising the target draws batches of {batch_size} texts; the data has {len(texts)}. "
                             f"Pass at least {batch_size} texts.")
    check_regularise_out(out_dir, overwrite=overwrite)
    with replaced_folder(out_dir, replace=overwrite) as out:
        return _regularise(target, texts, labels, out, steps, batch_size, max_length, lr, lambda_rp, seed, progress)


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
    run = [target.name, lambda_rp, steps, batch_size, max_length, lr, seed]
    checkpoint = Checkpoint(out / "checkpoint.pt", fingerprint(run, texts, labels), every=25)
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
    record = {"kind": "regularised_target", "lambda_rp": lambda_rp, "steps": steps, "batch_size": batch_size, "lr": lr,
              "seconds": round(time.perf_counter() - started, 1)}
    write_atomic(out / FACADE_INFO_FILE, json.dumps(record, indent=2))
    checkpoint.remove()
    return record
