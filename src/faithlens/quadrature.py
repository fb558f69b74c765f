"""Quadrature rules on [0, 1]: pure functions returning (alphas, weights)."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from .errors import FaithlensError, unknown_choice


def _check(n: int, minimum: int = 1) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < minimum:
        raise FaithlensError(f"The 'steps' parameter must be an int >= {minimum}. Got {n!r} instead.")


def gausslegendre(n: int) -> tuple[np.ndarray, np.ndarray]:
    _check(n)
    nodes, weights = np.polynomial.legendre.leggauss(int(n))
    return (1.0 + nodes) / 2.0, weights / 2.0


def riemann_left(n: int) -> tuple[np.ndarray, np.ndarray]:
    _check(n)
    return np.arange(n) / n, np.full(n, 1.0 / n)


def riemann_right(n: int) -> tuple[np.ndarray, np.ndarray]:
    _check(n)
    return np.arange(1, n + 1) / n, np.full(n, 1.0 / n)


def riemann_middle(n: int) -> tuple[np.ndarray, np.ndarray]:
    _check(n)
    return (np.arange(1, n + 1) - 0.5) / n, np.full(n, 1.0 / n)


def riemann_trapezoid(n: int) -> tuple[np.ndarray, np.ndarray]:
    _check(n, minimum=2)
    weights = np.full(n, 1.0 / (n - 1))
    weights[[0, -1]] /= 2.0
    return np.linspace(0.0, 1.0, n), weights


RULES = {
    "gausslegendre": gausslegendre,
    "riemann_left": riemann_left,
    "riemann_right": riemann_right,
    "riemann_middle": riemann_middle,
    "riemann_trapezoid": riemann_trapezoid,
}


def rule(name: str, n: int, *, dtype: torch.dtype = torch.float64) -> tuple[Tensor, Tensor]:
    """(alphas, weights) of rule `name` with n points, as tensors."""
    if name not in RULES:
        raise unknown_choice("quadrature rule", name, RULES)
    alphas, weights = RULES[name](n)
    return torch.as_tensor(alphas, dtype=dtype), torch.as_tensor(weights, dtype=dtype)
