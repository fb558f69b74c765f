"""What a FACADE model g is (Wang et al. 2020; SPEC §8): its settings, its architecture (a narrower BERT with the
target's vocabulary, depth, head size and head) and the checks of its settings, folders and target that every
surface runs before any training or loading (`faithlens.audit.facade` trains it)."""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from ..errors import FaithlensError, FaithlensWarning, unknown_choice
from ..model import ClassifierModel
from .targets import check_target

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

    def __post_init__(self) -> None:  # NumPy and torch scalars are the numbers they hold, as elsewhere in the API
        from ..scalars import as_number

        for name in ("width_divisor", "steps", "batch_size", "max_length", "lr", "lambda_g", "eval_every", "heldout",
                     "seed", "lambda_m", "size_margin", "magnitude_from"):
            object.__setattr__(self, name, as_number(getattr(self, name)))


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


# --- checks before any work --------------------------------------------------------------------------------

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
    check_facade_number("lr", settings.lr)
    if isinstance(settings.seed, bool) or not isinstance(settings.seed, int) or not 0 <= settings.seed < 2**32:
        raise FaithlensError(f"The 'seed' setting of the facade must be an int in [0, 2**32). Got {settings.seed!r} "
                             "instead.")
    if settings.saliency_of not in ("own", "target"):
        raise unknown_choice("saliency_of setting", settings.saliency_of, ("own", "target"))
    if not 0 <= settings.magnitude_from < 1:
        raise FaithlensError(f"The 'magnitude_from' setting is the fraction of steps before the magnitude term starts, "
                             f"in [0, 1). Got {settings.magnitude_from!r} instead.")
    for name in ("lambda_m", "size_margin", "lambda_g"):
        check_facade_number(name, getattr(settings, name))
    if settings.init_from is not None:
        check_model_source(settings.init_from, option="--init-from", local_only=True)
        where = interrupted_at(settings.init_from, check_facade_folder(settings.init_from, option="--init-from"))
        if where is not None:  # a warm start from unfinished weights is allowed, but never unsaid
            warnings.warn(f"--init-from {settings.init_from}: its `faithlens facade train` was interrupted {where}; "
                          "this run starts from the best weights of that unfinished run. To start from a finished "
                          f"facade, first rerun its `faithlens facade train` with --out {settings.init_from}.",
                          FaithlensWarning, stacklevel=2)


# A loss weight (λ_g, λ_m, λ_rp) or the merge's gain: the defaults are 1 to 1e3; beyond 1e6 one term swamps the rest
# and float32 gradients (or the merged logits) overflow, so a run keeps its first weights in silence.
MAX_WEIGHT = 1e6
# size_margin is in nats over the target's own log raw saliency: e^50 ≈ 5e21 times it caps nothing a float32 run
# reaches, and a margin past float32's range (3.4e38) cannot even be compared with the sizes.
MAX_SIZE_MARGIN = 50.0
_WHY = {"lr": ": Adam's steps are about the learning rate in size, and a step of 1 or more overwrites the weights it trains "
              "(faithlens train takes the same range)",
        "size_margin": f": it is a log factor over the target's own raw saliency (2.3 ≈ 10×), and e^{MAX_SIZE_MARGIN:g} "
                       "times it is beyond any float32 saliency, so a larger margin caps nothing",
        "gain": ": a larger gain swamps f in the merged logits and overflows float32"}
_WEIGHT_WHY = ": a larger weight swamps the other terms of the loss and overflows float32 gradients"


def check_facade_number(name: str, value: object, *, of: str = "setting of the facade") -> float:
    """One numeric setting of `faithlens facade train` (:class:`FacadeSettings`), regularise (``lr``, ``lambda_rp``)
    or merge (``gain``), checked before any work, in the API and the CLI alike: ``lr`` in (0, 1), the range
    `faithlens train` takes; ``size_margin`` in [0, MAX_SIZE_MARGIN]; ``gain`` in (0, MAX_WEIGHT]; a loss weight
    (``lambda_*``) in [0, MAX_WEIGHT]. ``of`` names whose setting it is in the message."""
    from ..scalars import as_number
    from ..training import _check_unit_interval

    value = as_number(value)
    if name == "lr":
        _check_unit_interval("lr", value, example="1e-4", allow_zero=False, of=of, why=_WHY["lr"])
        return float(value)
    high = MAX_SIZE_MARGIN if name == "size_margin" else MAX_WEIGHT
    positive = name == "gain"
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not (is_number and math.isfinite(value) and (value > 0 if positive else value >= 0) and value <= high):
        why = _WHY.get(name, _WEIGHT_WHY) if is_number and math.isfinite(value) and value > high else ""
        interval = f"(0, {high:g}]" if positive else f"[0, {high:g}]"
        raise FaithlensError(f"The {name!r} {of} must be a number in {interval}{why}. Got {value!r} instead.")
    return float(value)


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


def interrupted_at(folder: str | Path, info: dict) -> str | None:
    """Where a facade's `faithlens facade train` stopped, when it was interrupted (its faithlens_facade.json says state
    'initial' or 'best', not 'final'; checkpoint.pt is beside it): "at step N of M" from its train_log.jsonl. None for
    a finished facade, and for a record without a state (an older faithlens), which is taken as finished."""
    state = info.get("state")
    if state in (None, "final"):
        return None
    steps = (info.get("settings") or {}).get("steps")
    reached = None
    try:
        last = (Path(folder).expanduser() / "train_log.jsonl").read_text(encoding="utf-8").strip().splitlines()[-1:]
        reached = json.loads(last[0]).get("step") if last else None
    except (OSError, ValueError, AttributeError):
        pass
    where = (f"at step {reached} of {steps}" if reached is not None and steps is not None
             else f"before its {steps} steps were done" if steps is not None else "before it finished")
    return f"{where} (its {FACADE_INFO_FILE} says state {state!r}, not 'final')"


def check_facade_finished(folder: str | Path, info: dict, *, option: str = "--facade") -> None:
    """A facade whose `faithlens facade train` was interrupted (`interrupted_at`) is refused, naming the step its
    train_log.jsonl reached and how to finish it: rerunning the same command continues from the checkpoint."""
    where = interrupted_at(folder, info)
    if where is None:
        return
    folder = Path(folder).expanduser()
    raise FaithlensError(f"{option} {folder}: its `faithlens facade train` was interrupted {where}, so it holds the best "
                         f"weights of an unfinished run. Rerun `faithlens facade train` with the same options and --out "
                         f"{folder} to finish it (it continues from its checkpoint), then merge. To merge the unfinished "
                         "facade anyway, use Python: "
                         f"faithlens.audit.merge_models(load_model(TARGET), load_model({str(folder)!r})).")


def check_facade_target(target: ClassifierModel, settings: FacadeSettings, *, pairs: bool = False) -> None:
    """What needs the target but no data: ``max_length`` within the target's positions and leaving a text token
    (one per side when the texts are ``pairs``; `training.check_model_length`, as `faithlens train` checks it),
    ``width_divisor`` leaves a head (`facade_config`), and an ``init_from`` facade has the sizes and head a facade of
    ``target`` with this divisor has (read from its config.json, before its weights), so training never starts from
    another model's weights."""
    from ..training import check_model_length

    expected = facade_config(target, width_divisor=settings.width_divisor)
    facade_class(target)  # a causal LM is refused here
    check_model_length(target.tokenizer, getattr(target.model, "config", None), settings.max_length, pairs=pairs,
                       model="the target model", default=FacadeSettings.max_length)
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
        def said(divisor: object) -> str:  # None: the default, which a facade's settings record as null
            return ("the default width divisor" if divisor is None else "an unrecorded width divisor" if divisor == "?"
                    else f"width_divisor={divisor}")  # the CLI's messages say --width-divisor

        trained = (info.get("settings") or {}).get("width_divisor", "?")
        raise FaithlensError(f"--init-from {settings.init_from}: not a facade of {target.name!r} with "
                             f"{said(settings.width_divisor)}: {differ}. It was trained with {said(trained)} for "
                             f"{info.get('target_model')!r}. Pass a facade trained for this target with the same width "
                             "divisor" + ("." if info.get("target_model") == target.name else
                                          f" (this one's target is another model: train one with `faithlens facade train "
                                          f"--model {target.name}`)."))


def check_facade_out(out_dir: str | Path, settings: FacadeSettings, *, overwrite: bool = False,
                     option: str = "The 'out_dir' of train_facade", flag: str = "overwrite=True") -> None:
    """`files.check_new_folder` for a facade run: ``out_dir`` new or empty, or this run's own unfinished facade
    (its faithlens_facade.json has these settings and is not final: running again continues it), unless
    ``overwrite``."""
    from ..files import check_new_folder

    now = json.loads(json.dumps(asdict(settings)))

    def unfinished(folder: Path) -> dict | None:  # the settings of an unfinished facade run in ``folder``
        try:
            info = json.loads((folder / FACADE_INFO_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not (isinstance(info, dict) and info.get("kind") == "facade" and info.get("state") != "final"
                and isinstance(info.get("settings"), dict)):
            return None
        return info["settings"]

    path = Path(out_dir).expanduser()
    was = None if overwrite or not path.is_dir() else unfinished(path)
    saved = None if was is None else _checkpoint_settings(path / "checkpoint.pt")
    if saved is not None and saved != was:  # the record was edited: the checkpoint is what a rerun continues
        edited = "; ".join(f"'{k}' is {was.get(k)!r} in {FACADE_INFO_FILE}, {saved.get(k)!r} in checkpoint.pt"
                           for k in sorted(set(was) | set(saved)) if was.get(k) != saved.get(k))
        raise FaithlensError(f"{option} {str(path)!r} holds an interrupted `faithlens facade train` run whose two "
                             f"records disagree ({edited}): {FACADE_INFO_FILE} was edited after the run wrote it. "
                             f"A rerun continues from checkpoint.pt, so rerun with the options it records, after "
                             f"setting {FACADE_INFO_FILE} back to them, or pass {flag} to start over (its files are "
                             "then replaced).")
    if was is not None and was != now:  # another run's unfinished facade: name what differs and both fixes
        changed = "; ".join(f"'{k}' setting was {was.get(k)!r}, now {now.get(k)!r}"
                            for k in sorted(set(was) | set(now)) if was.get(k) != now.get(k))
        raise FaithlensError(f"{option} {str(path)!r} holds an interrupted `faithlens facade train` run with other "
                             f"settings ({changed}). Rerun with the same options as that run to finish it, or pass "
                             f"{flag} to start over (its files are then replaced).")
    check_new_folder(out_dir, option=option, flag=flag, overwrite=overwrite,
                     resumable=lambda folder: unfinished(folder) == now)


TARGET_KEYS = ("target model", "target weights")  # beside the settings in a checkpoint: the target, not a setting


def _checkpoint_settings(path: Path) -> dict | None:
    """The facade settings an unfinished run's checkpoint.pt records (`facade._checkpoint`: the target's name and
    weights beside them, left out here), or None when there is no readable checkpoint or it records none."""
    if not path.is_file():
        return None
    try:
        about = torch.load(path, weights_only=False, map_location="cpu").get("about") or {}
    except Exception:  # a damaged checkpoint is set aside by the run itself (`Checkpoint.restore`)
        return None
    saved = about.get("settings") if isinstance(about, dict) else None
    return {k: v for k, v in saved.items() if k not in TARGET_KEYS} if isinstance(saved, dict) else None


def check_regularise_out(out_dir: str | Path, *, overwrite: bool = False,
                         option: str = "The 'out_dir' of regularise_target", flag: str = "overwrite=True") -> None:
    """`files.check_new_folder` for :func:`regularise_target`: new or empty, or holding only its checkpoint
    (an interrupted run, continued), unless ``overwrite``."""
    from ..files import check_new_folder

    check_new_folder(out_dir, option=option, flag=flag, overwrite=overwrite, resumable=lambda folder: all(
        p.name.startswith("checkpoint.pt") or p.name.startswith(".") for p in folder.iterdir()))


def check_facade_of(f: ClassifierModel, g: ClassifierModel) -> None:
    """A facade is merged into the target it was trained for: its training shaped g's gradients on that target's
    predictions (``saliency_of='target'``) and checked its size against that target's saliency. The facade's record
    (faithlens_facade.json) names the target's weights digest and classes; a target ``f`` whose weights or classes
    (their order too) differ is refused, naming both. A facade trained before the digest was recorded, or a target with no local weights (a hub id), is checked by
    the target's source instead. g built in code (no folder, no record) is not checked. A ``f`` loaded from a facade's
    folder (the two swapped), or a ``g`` loaded from a folder that holds no facade record (a model, not a facade), is
    refused."""
    if _record(f) is not None:
        raise FaithlensError(f"merge_models(f, g) takes the target model first and its facade second; f {f.name!r} is a "
                             f"facade ({FACADE_INFO_FILE} in its folder). Pass merge_models(target, facade).")
    info, source = _record(g), (g.info.get("provenance") or {}).get("source")
    if info is None and source and Path(source).is_dir():
        raise FaithlensError(f"g {g.name!r} is not a facade: its folder holds no {FACADE_INFO_FILE}. Pass a folder written "
                             "by `faithlens facade train` (train_facade) as the second model of merge_models(target, "
                             "facade).")
    if info is None:
        return
    mine = f.info.get("provenance") or {}
    want, have = info.get("target_weights_sha256"), mine.get("weights_sha256")
    trained = info.get("target_source") or info.get("target_model")
    if want and have:
        differ = want != have
        shown = f"{trained!r} (weights {want[:12]}…), not for {f.name!r} (weights {have[:12]}…)"
    else:
        here = Path(trained).expanduser() if trained else None  # a folder name as given then, from here now
        named = {mine.get("source"), f.name}
        differ = trained is not None and trained not in named and not (here.exists() and str(here.resolve()) in named)
        shown = f"{trained!r}, not for {f.name!r} ({mine.get('source') or f.name})"
    labels = info.get("target_labels")
    if not differ and isinstance(labels, list) and labels != f.labels:  # the same weights, classes in another order
        differ, shown = True, f"{trained!r} with classes {labels}, not for {f.name!r} with classes {f.labels}"
    if differ:
        raise FaithlensError(f"The facade {g.name!r} was trained for the target {shown}: its gradients were shaped on "
                             "that model's predictions and sized against its saliency. Merge it into the model it was "
                             f"trained for (--model {trained} on the command line), or train a facade for this one "
                             f"(faithlens facade train --model {f.name} ...).")


def _record(model: ClassifierModel) -> dict | None:
    """The facade record (faithlens_facade.json) in the folder ``model`` was loaded from, or None (no folder, no record,
    or a record of something else)."""
    source = (model.info.get("provenance") or {}).get("source")
    try:
        info = json.loads((Path(source) / FACADE_INFO_FILE).read_text(encoding="utf-8")) if source else None
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and info.get("kind") == "facade" else None
