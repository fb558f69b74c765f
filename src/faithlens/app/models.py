"""The model side of the web app: one explanation at a time behind a bounded queue (`ModelGate`), the models to
choose from (`Models`, loaded on first use), the time a request will take (`estimate`) and running a `Job`
under the request's time limit (`run`)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ..deadline import check as check_deadline
from ..deadline import DeadlineExceeded, deadline
from ..errors import FaithlensError
from ..explainer import Explainer
from ..names import DEFAULT_MODE
from ..options import applicable
from ..targets import resolve_class
from ..task_inputs import QA_PAIRS_WEB, check_qa_pairs
from .inputs import Job, Limits, RequestError, web_hint


class ModelGate:
    """One explanation at a time; at most `queue` more waiting, each for at most `wait` seconds."""

    def __init__(self, queue: int, wait: float):
        self.queue, self.wait = queue, wait
        self._lock = threading.Lock()
        self._count = threading.Lock()
        self.inside = 0  # running + waiting

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    @contextmanager
    def use(self) -> Iterator[None]:
        with self._count:
            if self.inside > self.queue:
                raise RequestError(503, f"The model is busy: one explanation is running and {self.queue} more are waiting. "
                                        "Try again in a moment.", {"Retry-After": "5"})
            self.inside += 1
        try:
            if not self._lock.acquire(timeout=self.wait):
                raise RequestError(503, f"The model stayed busy for {self.wait:g} s. Try again in a moment.",
                                   {"Retry-After": "5"})
            try:
                yield
            finally:
                self._lock.release()
        finally:
            with self._count:
                self.inside -= 1


class Models:
    """The app's model picker: a name for each model, loaded when first chosen, one in memory at a time.

    ``choices``: name -> what `load_model` takes (a folder, a hub id, 'smollm2', None for the bundled
    model) or an already loaded `Explainer`. A request that names no model always gets `default` (the first
    model), whichever model another client chose last: `name` is only the one in memory. `get` loads under the
    app's gate, so a model is never swapped while another request explains. Each model's speed (seconds per model pass) is measured
    on its own requests and feeds the time estimate.
    """

    def __init__(self, first: Explainer, choices: dict | None = None):
        given = {str(name): spec for name, spec in (choices or {}).items()}
        # the first model keeps its spec when it has one, so that choosing another lets it go (one in memory)
        self.choices: dict = {first.model.name: given.pop(first.model.name, first), **given}
        self.default = first.model.name  # what a request without "model" gets, whatever is loaded
        self.name, self.explainer = first.model.name, first  # the model in memory now
        self.rates: dict[str, float] = {}  # seconds per model pass, measured

    def check(self, name: str | None) -> str:
        if name is None:
            return self.default
        if name not in self.choices:
            raise RequestError(400, f"Unknown model {name!r}. This app serves: {', '.join(self.choices)}.")
        return name

    def get(self, name: str | None) -> Explainer:
        """The explainer of `name` (loading it, and letting the previous one go, if it is not the one loaded)."""
        name = self.check(name)
        if name != self.name:
            spec = self.choices[name]
            if isinstance(spec, Explainer):
                explainer = spec
            else:
                from ..default_model import is_ready
                from ..explainer import load_model
                from ..model import is_default_name

                if is_default_name(spec) and not is_ready():  # its first use fine-tunes for minutes: never in a request
                    raise RequestError(503, f"Model {name!r} (the bundled default) is not fine-tuned on this machine yet; "
                                       "its first use trains it for about 7 minutes. Run `faithlens train-default` "
                                       "once, then choose it again.")
                try:
                    explainer = Explainer(load_model(spec))  # a name given to serve --model: errors say --model
                except FaithlensError as exc:
                    raise RequestError(400, f"Cannot load model {name!r}: {exc}") from None
            self.name, self.explainer = name, explainer
        return self.explainer

    def describe(self, name: str | None) -> tuple[str, list[str]]:
        """(task name, class labels) of a model without loading its weights: its config (or the loaded model)."""
        name = self.check(name)
        spec = self.choices[name]
        if name == self.name or isinstance(spec, Explainer):
            model = (self.explainer if name == self.name else spec).model
            return model.task.name, list(model.labels)
        return _config_task(spec)


def _config_task(spec) -> tuple[str, list[str]]:
    """(task, labels) from a model folder's config.json (`tasks.detect_task`), without loading the weights."""
    from pathlib import Path

    from ..tasks import detect_task

    try:
        from transformers import AutoConfig

        from ..model import is_default_name

        if is_default_name(spec):
            from ..default_model import default_model_dir

            folder = default_model_dir()
        elif spec == "smollm2":
            from ..smollm2 import smollm2_dir

            folder = smollm2_dir()
        else:
            folder = Path(str(spec)).expanduser()
        config = AutoConfig.from_pretrained(str(folder), local_files_only=True)
    except Exception:  # an unreadable folder says so when it is loaded; the form offers a free target until then
        return "unknown", []
    labels = getattr(config, "id2label", None) or {}
    task = detect_task(config).name
    return task, ([str(labels[i]) for i in sorted(labels)] if task in ("classification", "multi_label") else [])


def estimate(explainer: Explainer, job: Job, rate: float | None, limit: float | None = None) -> dict:
    """The work of `job` on `explainer`'s model before it runs: model passes (`options.estimated_passes`) and,
    with a measured `rate` (seconds per pass), the expected seconds. ``over_limit``: the expected seconds pass the
    server's time `limit` (the request would be stopped with a 504), said in the text with what to do instead."""
    from types import SimpleNamespace

    from ..encoding import encode
    from ..methods.adaptive import DEFAULT_TOLERANCE
    from ..names import DEFAULT_UNIT as unit
    from ..options import estimated_passes

    try:
        enc = encode(explainer.model, job.texts, truncate=True)
    except FaithlensError:
        return {"passes": None, "seconds": None, "over_limit": False, "text": "explaining …"}
    steps, tolerance = job.settings.get("steps"), None
    if steps == "auto":  # as many nodes as the tolerance needs: not known before the run; the default's cost
        steps, tolerance = None, DEFAULT_TOLERANCE
    passes = 0
    for m in job.methods:
        opts = SimpleNamespace(unit=job.settings.get("unit", unit), mode=job.settings.get("mode", DEFAULT_MODE),
                               steps=steps, n_samples=job.settings.get("n_samples"),
                               return_attributions=False, tolerance=tolerance, rule="gausslegendre")
        passes += estimated_passes(m, opts, enc)[0]
    seconds = None if rate is None else passes * rate
    said = (f"about {_seconds(seconds)} ({passes:,} model passes)" if seconds is not None else
            f"{passes:,} model passes (the time is measured after this model's first explanation)")
    over = seconds is not None and limit is not None and seconds > limit
    if over:
        said += (f": above this server's {limit:g} s limit: it would be stopped; shorten the texts, choose fewer "
                 "methods, steps or samples, or run the CLI (faithlens explain), which has no time limit")
    return {"passes": passes, "seconds": seconds, "over_limit": over, "text": said}


def _seconds(value: float) -> str:
    return f"{value:.0f} s" if value >= 2 else f"{value:.1f} s"


def run(models: Models | Explainer, job: Job, gate: ModelGate, limits: Limits) -> list[list]:
    """Explain every text with every method, one batched call per method, under the gate and the time limit
    (loading the chosen model first when it is not the one in memory)."""
    import time

    models = models if isinstance(models, Models) else Models(models)
    try:
        with gate.use():
            explainer = models.get(job.model)
            with deadline(limits.seconds, what="this request"):
                settings = checked_settings(explainer, job)  # before any model pass, in the form's words
                started = time.perf_counter()
                by_method = []
                for m in job.methods:
                    check_deadline()
                    by_method.append(explainer.explain(job.texts, m, **applicable(m, settings)))
                passes = estimate(explainer, job, None)["passes"]
                if passes:  # this model's speed, for the next request's time estimate
                    rate = (time.perf_counter() - started) / passes
                    old = models.rates.get(models.name)
                    models.rates[models.name] = rate if old is None else 0.5 * (old + rate)
    except DeadlineExceeded as exc:
        raise RequestError(504, str(exc)) from None
    except FaithlensError as exc:
        raise RequestError(400, web_hint(str(exc))) from None
    return [list(group) for group in zip(*by_method)]


def checked_settings(explainer: Explainer, job: Job) -> dict:
    """The checks a request passes before any model pass, shared by /api/explain and /api/estimate (an estimate of a
    request that would be refused is refused alike): a QA model's texts come with contexts, the settings fit the
    model's task (`task_settings`), and a classifier's target names one of its classes (`targets.resolve_target`).
    Raises RequestError (400) or FaithlensError."""
    check_qa_pairs(explainer.model, job.texts, how=QA_PAIRS_WEB)
    settings = task_settings(explainer, job)
    check_class_target(explainer.model.task.name, explainer.model.labels, settings.get("target"), explainer.model.name)
    return settings


def check_class_target(task: str, labels, target, model: str) -> None:
    """A classifier's target names one of its classes (`targets.resolve_class`, the library's rule): the check of
    `checked_settings` on a loaded model and of /api/estimate on a model not loaded yet (its config's task and
    labels; a JSON [start, end] span by `check_span_target` there too). Other tasks' targets are read when they run.
    Raises FaithlensError or RequestError (400)."""
    if isinstance(target, list):
        check_span_target(task, target, model)
    elif target is not None and task in ("classification", "multi_label"):
        resolve_class(labels, target, model=model)


def check_span_target(task: str, target: list, model: str) -> None:
    """A JSON ``[start, end]`` target is a QA answer's span; on another task it is refused (400)."""
    if task not in ("qa", "unknown"):
        said = {"causal_lm": "a continuation text"}.get(task, "a class index or label name")
        raise RequestError(400, f"A JSON list as 'target' is read only as a QA model's answer span [start, end]; "
                                f"{model!r} is a {task.replace('_', ' ')} model, whose target is {said}. Got "
                                f"{target!r}. This app takes one target for all the texts of a request (not one per "
                                "text, as Python's target=[...] does): send one request per target.")


def task_settings(explainer: Explainer, job: Job) -> dict:
    """The job's settings read by the model's task, before any model pass: a JSON ``[start, end]`` target is a QA
    answer's character span (the API's ``target=(start, end)``) and is refused on other tasks; a one-text request
    whose ``pair`` string held several lines is one QA context, but on a pair classifier (NLI) it is refused (one
    hypothesis per text). Raises RequestError (400)."""
    task = explainer.model.task.name
    settings = dict(job.settings)
    target = settings.get("target")
    if isinstance(target, list):
        check_span_target(task, target, explainer.model.name)
        settings["target"] = tuple(target)
    if job.joined_pair and task != "qa":
        raise RequestError(400, "The 'pair' text holds several lines but there is one text: a pair model takes one "
                                "second text (hypothesis) per text. Put one hypothesis per text on one line, or, for "
                                'several, send one text per hypothesis: "texts" with "pairs", e.g. {"texts": ["q1", "q1"], '
                                '"pairs": ["c one", "c two"]}.')
    return settings
