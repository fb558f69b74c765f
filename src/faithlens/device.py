"""Where faithlens computes: the CPU by default, or an accelerator named with ``use_device``.

``use_device("cuda")`` makes the device torch's default, so every tensor faithlens creates (ids,
masks, paths, metric inputs) lands there, and ``load_model`` moves the model there. Random draws
that must not depend on the device (SmoothGrad noise) are made on the CPU and then moved.
"""

from __future__ import annotations

import torch

from .errors import FaithlensError


def use_device(name: str | torch.device) -> torch.device:
    """Compute on ``name`` ("cpu", "cuda", "cuda:1", "mps") from now on; returns the device.

    float32 matrix products stay in full float32 on CUDA (no TF32), so results agree with the CPU's
    to float32 rounding.
    """
    try:
        device = torch.device(name)
    except (RuntimeError, TypeError):
        raise FaithlensError(f"Unknown device {name!r}. Use cpu, cuda, cuda:N or mps.") from None
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise FaithlensError(f"--device {name}: this torch build sees no CUDA GPU. Drop --device (the CPU works "
                                 "everywhere) or install a CUDA build of torch on a machine with a GPU.")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise FaithlensError(f"--device {name}: there are {torch.cuda.device_count()} CUDA devices "
                                 f"(cuda:0 to cuda:{torch.cuda.device_count() - 1}).")
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    elif device.type == "mps" and not torch.backends.mps.is_available():
        raise FaithlensError(f"--device {name}: MPS is not available on this machine. Drop --device to use the CPU.")
    elif device.type not in {"cpu", "cuda", "mps"}:
        raise FaithlensError(f"Unsupported device {name!r}. Use cpu, cuda, cuda:N or mps.")
    torch.set_default_device(device)
    return device


def current_device() -> torch.device:
    """The device new tensors and newly loaded models go to."""
    return torch.get_default_device()


def synchronize(device: torch.device) -> None:
    """Wait for queued accelerator work, so a timer read afterwards covers it."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()
