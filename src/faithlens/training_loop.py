"""The resumable training loop that classifier and QA fine-tuning share: seeded batches, AdamW with linear
warm-up and decay, gradient clipping, a checkpoint every few steps (the rerun continues where a killed run
stopped and ends with the model an uninterrupted run makes), and a time estimate on the progress bar."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
from tqdm.auto import tqdm

from faithlens.checkpoint import Checkpoint, data_digest, fingerprint, source_identity


def run_checkpoint(out_dir: Path, trajectory: list, data: tuple, *, every: int, overwrite: bool,
                   caller: str = "fine_tune") -> Checkpoint:
    """The run's checkpoint, ``.<out_dir name>.checkpoint.pt`` beside ``out_dir``, checked before the model loads: an
    interrupted run there with other settings or data is refused, naming them (`Checkpoint.check`), unless
    ``overwrite`` (this run starts over and replaces it). The base model (``trajectory[0]``, as the run names it) is
    known by its files' content (`checkpoint.source_identity`): the same base by another path continues the run, other
    weights under the same path are refused."""
    identity = source_identity(trajectory[0])
    named = {"base_model": str(trajectory[0]), "base_weights": identity, "labels": trajectory[1], **trajectory[2]}
    checkpoint = Checkpoint(out_dir.parent / f".{out_dir.name}.checkpoint.pt",
                            fingerprint([identity, *trajectory[1:]], *data),
                            every=every, settings=named, data=data_digest(*data))
    checkpoint.check(run=f"The 'out_dir' of {caller} {str(out_dir)!r}", overwrite=overwrite)
    return checkpoint


def train_loop(
    model: torch.nn.Module,
    n_examples: int,
    batch_of: Any,
    *,
    settings: dict[str, Any],
    progress: bool,
    checkpoint: Checkpoint | None = None,
) -> int:
    """Run the epochs over shuffled batches; returns the number of optimiser steps taken.

    ``batch_of(indices)`` builds one batch (model inputs and the loss's labels) of training rows.
    With a `checkpoint`, resumes from it when one matches and saves one every `checkpoint.every` steps.
    """
    batch_size, epochs = settings["batch_size"], settings["epochs"]
    max_grad_norm = settings["max_grad_norm"]
    steps_per_epoch = math.ceil(n_examples / batch_size)
    total_steps = steps_per_epoch * epochs
    optimizer = _optimizer(model, lr=settings["lr"], weight_decay=settings["weight_decay"])
    warmup_steps = int(settings["warmup_ratio"] * total_steps)
    scheduler = _linear_schedule(optimizer, warmup_steps=warmup_steps, total_steps=total_steps)
    generator = torch.Generator().manual_seed(settings["seed"])
    parts = {"model": model, "optimizer": optimizer, "scheduler": scheduler}
    done, extra = checkpoint.restore(parts) if checkpoint else (0, {})
    first_epoch = int(extra.get("epoch", 0))
    if done:
        generator.set_state(extra["epoch_order"])  # replays the interrupted epoch's data order
    bar = tqdm(total=total_steps, initial=done, desc="fine-tune" + (f" (resumed at step {done})" if done else ""),
               unit="batch", disable=not progress)
    clock = _Estimate(total_steps - done, say=(lambda m: tqdm.write(m, file=sys.stderr)) if progress else None)
    running = None
    model.train()
    step = first_epoch * steps_per_epoch
    for epoch in range(first_epoch, epochs):
        epoch_order = generator.get_state()  # the data order of this epoch comes from here
        for index in _random_batches(n_examples, batch_size=batch_size, generator=generator):
            step += 1
            if step <= done:  # finished before the interruption
                continue
            batch = batch_of(index)
            loss = _step(model, optimizer, scheduler, batch, max_grad_norm=max_grad_norm)
            running = loss if running is None else 0.95 * running + 0.05 * loss
            bar.set_postfix(loss=f"{running:.4f}")
            bar.update(1)
            clock.tick()
            if checkpoint and step % checkpoint.every == 0 and step < total_steps:
                checkpoint.save(step, parts, {"epoch": epoch, "epoch_order": epoch_order})
    bar.close()
    return total_steps


class _Estimate:
    """The expected duration of a training run, said once its first batches are timed.

    Before the first batch it says how many batches will run; after ``MEASURED`` batches it says
    the measured seconds per batch × the batches left (the first batch, which warms up caches and
    allocators, is not timed when there are more). The bar's ETA keeps it current after that.
    """

    MEASURED = 3

    def __init__(self, batches: int, say=None):
        self.batches, self.say, self.seen = batches, say, 0
        self.start = time.perf_counter()
        if say is not None and batches > 0:
            say(f"faithlens: {batches} batch(es) to train; timing the first {min(self.MEASURED, batches)} for an "
                "estimate of the whole run ...")

    def tick(self) -> None:
        self.seen += 1
        if self.seen == 1 and self.batches > self.MEASURED:
            self.start = time.perf_counter()  # the warm-up batch is not timed
            return
        timed = self.seen - 1 if self.batches > self.MEASURED else self.seen
        if self.say is None or timed != min(self.MEASURED, self.batches):
            return
        per_batch = (time.perf_counter() - self.start) / timed
        left = self.batches - self.seen
        self.say(f"faithlens: {per_batch:.3g} s per batch × {left} batch(es) left: about {duration(per_batch * left)} "
                 f"more (expected total {duration(per_batch * self.batches)}); the bar shows the time left.")


def duration(seconds: float) -> str:
    """A human duration: '45 s', '12 min', '2 h 05 min'."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60:02d} min"


def _step(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    batch: dict[str, torch.Tensor],
    *,
    max_grad_norm: float,
) -> float:
    """One optimiser step on one batch (labels included); returns the batch loss."""
    loss = model(**batch).loss
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad(set_to_none=True)
    return loss.item()


def _random_batches(n: int, *, batch_size: int, generator: torch.Generator) -> Iterator[list[int]]:
    """Indices of one epoch in seeded random order, cut into batches (no length sorting)."""
    order = torch.randperm(n, generator=generator).tolist()
    for start in range(0, n, batch_size):
        yield order[start : start + batch_size]


def _optimizer(model: torch.nn.Module, *, lr: float, weight_decay: float) -> torch.optim.AdamW:
    """AdamW with weight decay on weight matrices only (not on biases or norm scales)."""
    decayed, plain = [], []
    for parameter in model.parameters():
        if parameter.requires_grad:
            (decayed if parameter.ndim >= 2 else plain).append(parameter)
    groups = [
        {"params": decayed, "weight_decay": weight_decay},
        {"params": plain, "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=lr)


def _linear_schedule(
    optimizer: torch.optim.Optimizer, *, warmup_steps: int, total_steps: int
) -> torch.optim.lr_scheduler.LambdaLR:
    """Learning rate rising linearly over ``warmup_steps``, then falling linearly to zero."""

    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / (warmup_steps + 1)
        remaining = total_steps - step
        return max(0.0, remaining / max(1, total_steps - warmup_steps))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
