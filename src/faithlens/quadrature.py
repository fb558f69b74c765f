"""Quadrature rules on [0, 1]: pure functions returning (alphas, weights)."""

from __future__ import annotations

import functools

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
}  # the nested rules below join this dict at the end of the module


def rule(name: str, n: int, *, dtype: torch.dtype = torch.float64) -> tuple[Tensor, Tensor]:
    """(alphas, weights) of rule `name` with n points, as tensors."""
    if name not in RULES:
        raise unknown_choice("quadrature rule", name, RULES)
    alphas, weights = RULES[name](n)
    return torch.as_tensor(alphas, dtype=dtype), torch.as_tensor(weights, dtype=dtype)


# --- nested rules: each level reuses every node of the level before (error-controlled steps) ---------------

def clenshaw_curtis(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Clenshaw–Curtis on [0, 1]: n Chebyshev extreme points (both ends included), exact to degree n − 1.

    alpha_k = (1 − cos(kπ/N))/2, k = 0..N = n − 1 (ascending); weights integrate the polynomial
    interpolant (Clenshaw & Curtis 1960; Trefethen, SIAM Review 50(1), 2008, eq. 2.2). Odd n are
    exact to degree n (symmetry). n = 2^j + 1 nest: every node of n is a node of 2n − 1.
    """
    _check(n)
    if n == 1:
        return np.array([0.5]), np.array([1.0])
    N = n - 1
    theta = np.arange(n) * np.pi / N
    j = np.arange(1, N // 2 + 1)
    b = np.where(2 * j == N, 1.0, 2.0)
    v = 1.0 - (b / (4.0 * j**2 - 1.0) * np.cos(2.0 * np.outer(theta, j))).sum(1)
    c = np.where((np.arange(n) == 0) | (np.arange(n) == N), 1.0, 2.0)
    return (1.0 - np.cos(theta)) / 2.0, c * v / N / 2.0  # weights on [-1,1] halved


def patterson(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Kronrod–Patterson on [0, 1]: n = 1, 3, 7, 15, 31 or 63 nodes, exact to degree (3n + 1)/2 (n > 1).

    Each rule adds n + 1 nodes to the one before (Patterson, Math. Comp. 22, 1968): the 3-node rule
    is Gauss–Legendre, the 7-node rule its Kronrod extension, and so on. The new nodes are the
    zeros of the polynomial of degree n + 1 orthogonal to every lower-degree polynomial under the
    weight ∏(x − old nodes); computed here in 40-digit arithmetic (mpmath, which torch already
    needs), then rounded. Ascending order.
    """
    if n not in PATTERSON_SIZES:
        raise FaithlensError(f"Patterson rules have {', '.join(map(str, PATTERSON_SIZES))} nodes. Got {n!r} instead.")
    nodes, weights = _patterson(n)
    order = np.argsort(nodes)
    return (1.0 + nodes[order]) / 2.0, weights[order] / 2.0


PATTERSON_SIZES = (1, 3, 7, 15, 31, 63)


@functools.lru_cache(maxsize=None)
def _patterson(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes (ascending, on [-1, 1]) and weights of the n-node Patterson rule."""
    import mpmath

    with mpmath.workdps(40):
        nodes = [mpmath.mpf(0)]
        while len(nodes) < n:
            nodes = sorted(nodes + _kronrod_extension(nodes))
        weights = _interpolatory_weights(nodes)
        return np.array([float(x) for x in nodes]), np.array([float(w) for w in weights])


def _legendre(d: int, x):
    """P_0..P_d at x (three-term recurrence), as a list."""
    p = [x * 0 + 1, x]
    for k in range(1, d):
        p.append(((2 * k + 1) * x * p[k] - k * p[k - 1]) / (k + 1))
    return p[:d + 1]


def _kronrod_extension(nodes: list) -> list:
    """The n + 1 zeros of E (degree n + 1) with ∫ ∏(x − nodes) · E · P_k dx = 0 for k = 0..n (mpmath)."""
    import mpmath

    n, m = len(nodes), len(nodes) + 1
    gx, gw = _mp_gauss(2 * n + m + 2)  # exact for the degree-(2n + m) integrands below
    rows = []
    for x, w in zip(gx, gw):
        p = mpmath.fprod(x - a for a in nodes)
        rows.append((w * p, _legendre(m, x)))
    M = mpmath.matrix(n + 1, m)
    rhs = mpmath.matrix(n + 1, 1)
    for k in range(n + 1):
        for j in range(m):
            M[k, j] = mpmath.fsum(wp * L[k] * L[j] for wp, L in rows)
        rhs[k] = -mpmath.fsum(wp * L[k] * L[m] for wp, L in rows)
    e = mpmath.lu_solve(M, rhs)
    coeffs = [e[j] for j in range(m)] + [mpmath.mpf(1)]  # E = Σ e_j P_j
    return _legendre_series_roots(coeffs)


def _legendre_series_roots(coeffs: list) -> list:
    """Real roots of Σ c_j P_j (all simple and in (−1, 1) here): numpy's estimate, polished by Newton."""
    import mpmath

    guess = np.polynomial.legendre.legroots(np.array([float(c) for c in coeffs])).real
    roots = []
    for r in guess:
        x = mpmath.mpf(float(r))
        for _ in range(100):
            f = mpmath.fsum(c * p for c, p in zip(coeffs, _legendre(len(coeffs) - 1, x)))
            h = mpmath.mpf(10) ** -20
            df = (mpmath.fsum(c * p for c, p in zip(coeffs, _legendre(len(coeffs) - 1, x + h))) - f) / h
            step = f / df
            x -= step
            if abs(step) < mpmath.mpf(10) ** -35:
                break
        roots.append(x)
    return roots


def _mp_gauss(n: int):
    """Gauss–Legendre nodes and weights in mpmath precision (Newton on P_n from numpy's nodes)."""
    import mpmath

    x0, _ = np.polynomial.legendre.leggauss(n)
    xs, ws = [], []
    for g in x0:
        x = mpmath.mpf(float(g))
        for _ in range(100):
            p = _legendre(n, x)
            dp = n * (x * p[n] - p[n - 1]) / (x**2 - 1)
            step = p[n] / dp
            x -= step
            if abs(step) < mpmath.mpf(10) ** -35:
                break
        p = _legendre(n, x)
        dp = n * (x * p[n] - p[n - 1]) / (x**2 - 1)
        xs.append(x)
        ws.append(2 / ((1 - x**2) * dp**2))
    return xs, ws


def _interpolatory_weights(nodes: list) -> list:
    """Weights that integrate every polynomial of degree < len(nodes) exactly on [−1, 1]."""
    import mpmath

    n = len(nodes)
    V = mpmath.matrix(n, n)
    for i, x in enumerate(nodes):
        for j, p in enumerate(_legendre(n - 1, x)):
            V[j, i] = p
    moments = mpmath.matrix(n, 1)
    moments[0] = 2
    w = mpmath.lu_solve(V, moments)
    return [w[i] for i in range(n)]


def leja(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The first n Leja points of [0, 1] with interpolatory weights: exact to degree n − 1.

    Leja points grow one at a time: a_1 = 1/2, then each next point maximises ∏_j |x − a_j| over
    [0, 1] (here over a grid of 2^16 + 1 points, so the sequence is fixed). Any prefix is a good
    interpolation set (Leja 1957; Taylor & Totik 2010), so a rule can grow by one or two nodes at a
    time and keep every node it has: the weights stay positive-dominated (Σ|w| < 1.1 up to 64
    nodes). Nodes in order of selection (not sorted): the 2nd and 3rd are 0 and 1.
    """
    _check(n)
    if n > LEJA_MAX:
        raise FaithlensError(f"Leja rules have at most {LEJA_MAX} nodes. Got {n!r} instead.")
    nodes = _leja_points(LEJA_MAX)[:n]
    return nodes.copy(), _interpolatory_weights_np(nodes)


LEJA_MAX = 128


@functools.lru_cache(maxsize=None)
def _leja_points(n: int) -> np.ndarray:
    grid = np.linspace(0.0, 1.0, 2**16 + 1)
    points = [0.5]
    log_product = np.log(np.abs(grid - 0.5) + 1e-300)
    for _ in range(n - 1):
        i = int(np.argmax(log_product))
        points.append(grid[i])
        log_product += np.log(np.abs(grid - grid[i]) + 1e-300)
    return np.array(points)


def _interpolatory_weights_np(nodes: np.ndarray) -> np.ndarray:
    """Weights on [0, 1] that integrate every polynomial of degree < len(nodes) exactly (Legendre moments)."""
    x = 2.0 * nodes - 1.0
    V = np.polynomial.legendre.legvander(x, len(x) - 1).T  # (degree, node)
    moments = np.zeros(len(x))
    moments[0] = 2.0
    return np.linalg.solve(V, moments) / 2.0


# The node counts of each nested family's levels (level l + 1 contains every node of level l).
# Leja grows by two nodes per level; Patterson and Clenshaw–Curtis about double. Measured on the
# default model (bench/results/changes.md): nodes per word to meet tolerance 1e-3 were 22.7
# (Leja), 29.7 (Patterson), 29.6 (Clenshaw–Curtis); the best Gauss–Legendre size per word chosen
# with hindsight needed 14.1.
NESTED_RULES = {
    "leja": (*range(4, 65, 2), 80, 96, 128),
    "patterson": PATTERSON_SIZES,
    "clenshaw_curtis": (3, 5, 9, 17, 33, 65, 129),
}
RULES["leja"] = leja
RULES["patterson"] = patterson
RULES["clenshaw_curtis"] = clenshaw_curtis


def nested(name: str, max_nodes: int | None = None, sizes: tuple[int, ...] | None = None
           ) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    """The levels of a nested rule, sharing nodes: (alphas (n,), weights (levels, n), counts).

    Nodes are ordered by the level that first uses them, so level l is the first ``counts[l]``
    nodes with the weights ``weights[l, :counts[l]]`` (zeros after). ``max_nodes`` drops the levels
    with more nodes than that (at least the first level is kept). ``sizes`` replaces the family's
    own level sizes (any increasing sizes for Leja, whose every prefix is a rule).
    """
    alphas, weights, counts = _nested(name, max_nodes, None if sizes is None else tuple(sizes))
    return alphas.copy(), weights.copy(), counts


@functools.lru_cache(maxsize=None)
def _nested(name: str, max_nodes: int | None, sizes: tuple[int, ...] | None
            ) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    if name not in NESTED_RULES:
        raise unknown_choice("nested quadrature rule", name, NESTED_RULES)
    own = NESTED_RULES[name] if sizes is None else sizes
    sizes = [n for n in own if max_nodes is None or n <= max_nodes] or [own[0]]
    order: list[float] = []
    levels = []
    for n in sizes:
        alphas, weights = RULES[name](n)
        index = []
        for a in alphas:
            match = [i for i, b in enumerate(order) if abs(a - b) < 1e-12]
            if not match:
                order.append(float(a))
                match = [len(order) - 1]
            index.append(match[0])
        if len(order) != n:
            raise AssertionError(f"{name}: level with {n} nodes does not contain the previous level's nodes")
        row = np.zeros(sizes[-1])
        row[index] = weights
        levels.append(row)
    return np.array(order), np.stack(levels), tuple(sizes)


# --- Gauss–Kronrod pairs for locally adaptive quadrature (methods/kronrod.py) ---------------------

KRONROD_GAUSS_SIZES = (3, 7)  # Gauss rules with a Kronrod extension here: G3/K7 and G7/K15


def gauss_kronrod(gauss: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Gauss–Kronrod pair G_n/K_{2n+1} on [0, 1]: (nodes (2n+1,), Kronrod weights, Gauss weights).

    Kronrod (1965) adds n + 1 nodes to the n Gauss–Legendre nodes so that the 2n + 1 together are
    exact to degree 3n + 1; the Gauss weights (zero on the added nodes) give the embedded n-node
    estimate. Odd n put a node at the midpoint 1/2 (an interval bisected there knows F at its new
    end). Nodes ascending; computed in 40-digit arithmetic (`_kronrod_extension`), then rounded.
    """
    if gauss not in KRONROD_GAUSS_SIZES:
        raise FaithlensError(f"Gauss–Kronrod pairs here extend {' or '.join(map(str, KRONROD_GAUSS_SIZES))}-point "
                             f"Gauss rules. Got {gauss!r} instead.")
    nodes, kw, gw = _gauss_kronrod(gauss)
    return (1.0 + nodes) / 2.0, kw / 2.0, gw / 2.0


@functools.lru_cache(maxsize=None)
def _gauss_kronrod(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    import mpmath

    with mpmath.workdps(40):
        gx, gw = _mp_gauss(n)
        nodes = sorted(gx + _kronrod_extension(gx))
        kw = _interpolatory_weights(nodes)
        gauss_w = [next((w for x, w in zip(gx, gw) if abs(x - y) < mpmath.mpf(10) ** -30), mpmath.mpf(0))
                   for y in nodes]
        return (np.array([float(x) for x in nodes]), np.array([float(w) for w in kw]),
                np.array([float(w) for w in gauss_w]))
