"""One job over several processes: ``torchrun`` or ``accelerate launch`` runs faithlens on many CPUs,
GPUs and nodes; torch.distributed connects the processes.

The launcher sets ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK`` (and ``MASTER_ADDR``/``MASTER_PORT``);
:func:`init_world` reads them and joins the process group: NCCL when faithlens computes on CUDA
(each process on ``cuda:LOCAL_RANK``), gloo on the CPU. Coordination (the work plan, errors, the
final result) travels as Python objects over a gloo group, so it never occupies a GPU. Work is
split by :func:`balance`: deterministic in the items' ids, longest first onto the least loaded
process. Without a launcher everything here is a no-op for one process.
"""

from __future__ import annotations

import atexit
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import torch

from .errors import FaithlensError
from .names import DEVICE_MAPS

TIMEOUT_ENV = "FAITHLENS_DIST_TIMEOUT"  # seconds a process may wait for the others (default one day)
DEFAULT_TIMEOUT_S = 24 * 3600


@dataclass(frozen=True)
class World:
    """This process's place in the job: rank ``rank`` of ``size`` (``local_rank`` of ``local_size`` on its node)."""

    rank: int = 0
    size: int = 1
    local_rank: int = 0
    local_size: int = 1
    group: Any = None  # the gloo group used for objects and barriers

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.size > 1

    def broadcast(self, obj: Any = None) -> Any:
        """Rank 0's ``obj`` on every rank."""
        if not self.distributed:
            return obj
        import torch.distributed as dist

        box = [obj if self.is_main else None]
        try:
            dist.broadcast_object_list(box, src=0, group=self.group)
        except RuntimeError as exc:
            raise _peer_stopped(exc) from None
        return box[0]

    def gather(self, obj: Any) -> list | None:
        """Every rank's ``obj`` in rank order on rank 0; None elsewhere."""
        if not self.distributed:
            return [obj]
        import torch.distributed as dist

        out = [None] * self.size if self.is_main else None
        try:
            dist.gather_object(obj, out, dst=0, group=self.group)
        except RuntimeError as exc:
            raise _peer_stopped(exc) from None
        return out

    def barrier(self) -> None:
        if self.distributed:
            import torch.distributed as dist

            try:
                dist.barrier(group=self.group)
            except RuntimeError as exc:
                raise _peer_stopped(exc) from None

    def on_main(self, fn: Callable[[], Any], *, share: bool = True) -> Any:
        """Run ``fn`` on rank 0 and hand its result to every rank (None to the others when not
        ``share``); an error there is raised on every rank (the others with rank 0's message), so a
        job never hangs on a failed check."""
        if not self.distributed:
            return fn()
        result, error = None, None
        if self.is_main:
            try:
                result = fn()
            except FaithlensError as exc:
                error = str(exc)
                self.broadcast(("error", error))
                raise
            except BaseException:
                self.broadcast(("error", "rank 0 failed; see its output"))
                raise
            self.broadcast(("ok", result if share else None))
            return result
        status, payload = self.broadcast()
        if status == "error":
            raise FaithlensError(payload)
        return payload


def _peer_stopped(exc: Exception) -> FaithlensError:
    """A collective failed because another process died (torchrun then stops the whole job anyway)."""
    return FaithlensError(f"Another process of this job stopped ({str(exc).splitlines()[0][:300]}). Every finished "
                          "record is on disk; launch the same command again to resume.")


_WORLD: World | None = None
_JOINED = False  # whether init_world joined the process group (then it also leaves it)


def env_world() -> tuple[int, int, int, int]:
    """(rank, size, local_rank, local_size) from the launcher's environment; (0, 1, 0, 1) without one."""
    def read(name: str, default: int) -> int:
        value = os.environ.get(name)
        if value is None or value == "":
            return default
        if not value.strip().lstrip("-").isdigit():
            raise FaithlensError(f"The environment variable {name} must be an integer (set by torchrun or accelerate "
                                 f"launch). Got {value!r}.")
        return int(value)

    size = read("WORLD_SIZE", 1)
    rank = read("RANK", 0)
    local_rank = read("LOCAL_RANK", rank)
    local_size = read("LOCAL_WORLD_SIZE", size)
    if size < 1 or not 0 <= rank < size or not 0 <= local_rank < max(local_size, 1):
        raise FaithlensError(f"Inconsistent launcher environment: RANK={rank}, WORLD_SIZE={size}, LOCAL_RANK={local_rank}, "
                             f"LOCAL_WORLD_SIZE={local_size}. Launch with torchrun or accelerate launch.")
    return rank, size, local_rank, local_size


def init_world() -> World:
    """Join the job the launcher started (once per process); a one-process World without a launcher.

    On CUDA (``--device cuda``) each process computes on ``cuda:LOCAL_RANK`` and the default group is
    NCCL; on the CPU it is gloo. Objects and barriers go over a gloo group either way.
    """
    global _WORLD, _JOINED
    if _WORLD is not None:
        return _WORLD
    rank, size, local_rank, local_size = env_world()
    if size == 1:
        if os.environ.get("ACCELERATE_USE_CPU") is not None and not torch.cuda.is_available():
            import sys

            print("faithlens: accelerate launch started one process. Without GPUs it starts several only with "
                  "--multi_gpu (then --num_processes CPU processes), or use torchrun --nproc_per_node N.", file=sys.stderr)
        _WORLD = World()
        return _WORLD
    import torch.distributed as dist

    from .device import current_device, use_device

    timeout = timedelta(seconds=float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT_S)))
    cuda = current_device().type == "cuda"
    if cuda:
        use_device(f"cuda:{local_rank}")  # one GPU per process
        torch.cuda.set_device(local_rank)
    if not dist.is_initialized():  # accelerate (or the caller) may have joined already
        missing = [v for v in ("MASTER_ADDR", "MASTER_PORT") if not os.environ.get(v)]
        if missing:
            raise FaithlensError(f"WORLD_SIZE={size} but {', '.join(missing)} is not set. Launch with torchrun or "
                                 "accelerate launch, which set it.")
        dist.init_process_group("nccl" if cuda else "gloo", timeout=timeout)
        atexit.register(_shutdown)  # joined here, so left here too
        _JOINED = True
    group = dist.new_group(backend="gloo", timeout=timeout) if dist.get_backend() != "gloo" else dist.group.WORLD
    _WORLD = World(rank=rank, size=size, local_rank=local_rank, local_size=local_size, group=group)
    return _WORLD


def finish_world() -> None:
    """End a job that went well on every process together: wait until all have finished, then leave
    the process group. Without it, a process that is done first tears its connections down while
    rank 0 is still writing, and gloo may abort rank 0 at exit (seen as torchrun exit 1 after a
    complete run). A no-op without a launcher or when the group was never joined here."""
    global _WORLD, _JOINED
    world = _WORLD
    if world is None or not world.distributed:
        return
    import torch.distributed as dist

    world.barrier()
    _WORLD = None
    if dist.is_initialized() and _JOINED:  # a caller that joined the group itself also leaves it
        atexit.unregister(_shutdown)
        dist.destroy_process_group()
        _JOINED = False


def _shutdown() -> None:
    """At exit after a failure: leave the group if it is still there (the normal path is :func:`finish_world`)."""
    import torch.distributed as dist

    if dist.is_initialized():
        try:
            dist.destroy_process_group()
        except Exception:  # at exit, after a failed peer
            pass


def balance(costs: Sequence[float], ids: Sequence, n_ranks: int) -> list[list[int]]:
    """Positions of the items each rank gets: every item, largest cost first, goes to the rank with
    the least total so far (ties: the lower rank); each rank's items come back in id order. The
    result depends only on (costs, ids, n_ranks), so every process computes the same plan."""
    order = sorted(range(len(costs)), key=lambda p: (-costs[p], ids[p]))
    loads = [0.0] * n_ranks
    shares: list[list[int]] = [[] for _ in range(n_ranks)]
    for p in order:
        r = min(range(n_ranks), key=lambda q: (loads[q], q))
        shares[r].append(p)
        loads[r] += costs[p]
    return [sorted(share, key=lambda p: ids[p]) for share in shares]


# --- big models across a node's GPUs ------------------------------------------------------------------

def check_device_map(device_map: str | None) -> None:
    if device_map is None:
        return
    if device_map not in DEVICE_MAPS:
        from .errors import unknown_choice

        raise unknown_choice("--device-map", device_map, DEVICE_MAPS)
    try:
        import accelerate  # noqa: F401
    except ImportError:
        raise FaithlensError("--device-map needs the 'accelerate' package (big-model loading). Install it: "
                             "pip install 'faithlens[distributed]'.") from None


def max_memory_per_device(world: World, memory_budget: int | None) -> dict | None:
    """accelerate's ``max_memory`` for this process: its share of the node's GPUs (all of them for one
    process per node; GPUs local_rank·k … for k = GPUs / processes per node), each holding weights up
    to its free memory less the activation budget (``memory_budget``, bytes; default 2 GiB), and the
    CPU for the rest. None on a machine without CUDA (everything stays on the CPU)."""
    if not torch.cuda.is_available():
        return None
    n = torch.cuda.device_count()
    per = n // max(world.local_size, 1)
    if per < 1:
        raise FaithlensError(f"--device-map: {world.local_size} processes on this node share {n} GPUs. Launch one "
                             "process per node (torchrun --nproc_per_node 1) so each spreads its model over the node's GPUs.")
    mine = range(world.local_rank * per, (world.local_rank + 1) * per)
    budget = memory_budget if memory_budget is not None else 2 * 1024**3
    memory: dict = {}
    for i in range(n):
        if i in mine:
            free, _ = torch.cuda.mem_get_info(i)
            memory[i] = max(0, int(free - budget - 256 * 1024**2))  # weights; the rest for activations
        else:
            memory[i] = 0
    import psutil  # a dependency of accelerate

    memory["cpu"] = int(psutil.virtual_memory().available * 0.9)
    return memory


def load_for_run(name: str | None, *, device_map: str | None = None, memory_budget: int | None = None,
                 world: World | None = None, dtype: torch.dtype | None = None):
    """Load the model a command names; with ``device_map`` spread it over this process's GPUs
    (accelerate's big-model loading) and compute on the device of its embeddings."""
    from .model import load_model

    if device_map is None:
        return load_model(name, dtype=dtype)
    check_device_map(device_map)
    if not torch.cuda.is_available():  # accelerate places everything on the CPU: the run is right, the option idle
        import sys

        print(f"faithlens: note: --device-map {device_map} spreads a model over GPUs; this machine has none (CUDA is "
              "not available), so the model is loaded on the CPU, as without the option.", file=sys.stderr)
    world = world or init_world()
    model = load_model(name, dtype=dtype, device_map=device_map,
                       max_memory=max_memory_per_device(world, memory_budget))
    if model.device.type == "cuda":
        from .device import use_device

        use_device(model.device)  # inputs start where the embeddings are; accelerate moves them along
    return model


# --- explain --file under a launcher -------------------------------------------------------------------

def explain_sharded(explainer, texts: Sequence, methods: Sequence[str], settings: dict,
                    world: World | None = None) -> dict | None:
    """``{method: [Explanation per text]}`` as one process computes it, with the work split across the
    job's processes; rank 0 gets everything back in input order, the other ranks get None.

    The texts fall into the batches one process forms (sorted by length, ``batch_size`` at a time),
    and whole batches are dealt to the processes (largest first onto the least loaded), so every
    explanation is computed exactly as one process computes it. With one process this is just the
    loop over methods."""
    from .options import applicable

    world = world or init_world()
    if not world.distributed:
        return {m: explainer.explain(list(texts), m, **applicable(m, settings)) for m in methods}
    from .data import item_length
    from .explanation import Explanation

    size = max(1, int(settings.get("batch_size") or 16))
    order = sorted(range(len(texts)), key=lambda i: item_length(texts[i]))  # as Explainer.explain batches them
    batches = [order[k:k + size] for k in range(0, len(order), size)]
    costs = [len(b) * max(item_length(texts[i]) for i in b) for b in batches]
    mine = [batches[p] for p in balance(costs, [b[0] for b in batches], world.size)[world.rank]]
    local = [(batch, {m: [e.to_json() for e in explainer.explain([texts[i] for i in batch], m, **applicable(m, settings))]
                      for m in methods}) for batch in mine]
    parts = world.gather(local)
    if not world.is_main:
        return None
    by_method: dict[str, list] = {m: [None] * len(texts) for m in methods}
    for part in parts:
        for batch, payloads in part:
            for m, lines in payloads.items():
                for i, line in zip(batch, lines):
                    by_method[m][i] = Explanation.from_json(line)
    return by_method
