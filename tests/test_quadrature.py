import numpy as np
import pytest

from faithlens.errors import FaithlensError
from faithlens.quadrature import RULES, rule


def integrate(name, n, degree):
    alphas, weights = rule(name, n)
    return float((weights * alphas**degree).sum())


@pytest.mark.parametrize("n", [1, 2, 5, 50])
def test_gauss_legendre_exact_to_degree_2n_minus_1(n):
    for degree in range(2 * n):
        assert integrate("gausslegendre", n, degree) == pytest.approx(1.0 / (degree + 1), abs=1e-13)
    # and not beyond: degree 2n is integrated with an error
    if n <= 5:
        assert abs(integrate("gausslegendre", n, 2 * n) - 1.0 / (2 * n + 1)) > 1e-8


@pytest.mark.parametrize("name", ["riemann_middle", "riemann_trapezoid"])
@pytest.mark.parametrize("n", [2, 7])
def test_midpoint_and_trapezoid_exact_for_lines(name, n):
    assert integrate(name, n, 0) == pytest.approx(1.0, abs=1e-14)
    assert integrate(name, n, 1) == pytest.approx(0.5, abs=1e-14)


@pytest.mark.parametrize("n", [1, 4, 10])
def test_left_and_right_sums(n):
    for name in ("riemann_left", "riemann_right"):
        assert integrate(name, n, 0) == pytest.approx(1.0, abs=1e-14)
    # Σ k/n · 1/n over k = 0..n-1 is (n-1)/(2n); the right sum is (n+1)/(2n)
    assert integrate("riemann_left", n, 1) == pytest.approx((n - 1) / (2 * n), abs=1e-14)
    assert integrate("riemann_right", n, 1) == pytest.approx((n + 1) / (2 * n), abs=1e-14)


def test_trapezoid_end_weights_halved():
    alphas, weights = rule("riemann_trapezoid", 5)
    assert np.allclose(alphas.numpy(), [0, 0.25, 0.5, 0.75, 1])
    assert np.allclose(weights.numpy(), [0.125, 0.25, 0.25, 0.25, 0.125])


def test_bad_rule_and_steps():
    with pytest.raises(FaithlensError, match="Valid choices: gausslegendre"):
        rule("simpson", 5)
    with pytest.raises(FaithlensError, match="'steps' parameter must be an int >= 1. Got 0"):
        rule("gausslegendre", 0)
    with pytest.raises(FaithlensError, match=">= 2"):
        rule("riemann_trapezoid", 1)
    assert set(RULES) == {"gausslegendre", "riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid"}
