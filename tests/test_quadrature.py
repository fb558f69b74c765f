import numpy as np
import pytest

from faithlens.errors import FaithlensError
from faithlens.quadrature import RULES, nested, rule


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
    with pytest.raises(FaithlensError, match="Valid choices: clenshaw_curtis, gausslegendre"):
        rule("simpson", 5)
    with pytest.raises(FaithlensError, match="'steps' parameter must be an int >= 1. Got 0"):
        rule("gausslegendre", 0)
    with pytest.raises(FaithlensError, match=">= 2"):
        rule("riemann_trapezoid", 1)
    assert set(RULES) == {"gausslegendre", "riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid",
                          "leja", "patterson", "clenshaw_curtis"}
    with pytest.raises(FaithlensError, match="Patterson rules have 1, 3, 7, 15, 31, 63 nodes. Got 50"):
        rule("patterson", 50)
    with pytest.raises(FaithlensError, match="Valid choices: clenshaw_curtis, leja, patterson"):
        nested("gausslegendre")


def legendre_integral(name, n, degree):
    """Σ w_k P_d(2 alpha_k - 1) on [0, 1]; exact: 1 for d = 0, else 0 (P_d: Legendre polynomial)."""
    alphas, weights = rule(name, n)
    coef = np.zeros(degree + 1)
    coef[degree] = 1
    return float((weights.numpy() * np.polynomial.legendre.legval(2 * alphas.numpy() - 1, coef)).sum())


def exact_degree(name, n):
    """The highest degree d such that every Legendre polynomial up to d is integrated exactly."""
    for d in range(400):
        if abs(legendre_integral(name, n, d) - (1.0 if d == 0 else 0.0)) > 1e-12:
            return d - 1
    return 400


@pytest.mark.parametrize("n, degree", [(1, 1), (3, 5), (7, 11), (15, 23), (31, 47), (63, 95)])
def test_patterson_exact_to_its_degree_and_not_beyond(n, degree):
    assert exact_degree("patterson", n) == degree
    assert (rule("patterson", n)[1] > 0).all()
    if n == 3:  # the 3-node Patterson rule is Gauss–Legendre
        assert np.allclose(rule("patterson", 3)[0].numpy(), rule("gausslegendre", 3)[0].numpy(), atol=1e-15)


@pytest.mark.parametrize("n", [2, 3, 4, 5, 9, 17, 33, 65])
def test_clenshaw_curtis_exact_to_degree_n_minus_1_and_n_when_odd(n):
    assert exact_degree("clenshaw_curtis", n) == (n if n % 2 else n - 1)
    alphas, weights = rule("clenshaw_curtis", n)
    assert alphas[0] == 0 and alphas[-1] == 1 and (weights > 0).all()


@pytest.mark.parametrize("n", [1, 2, 4, 10, 32, 64])
def test_leja_exact_to_degree_n_minus_1_and_its_prefixes_nest(n):
    assert exact_degree("leja", n) == (1 if n == 1 else n - 1)  # one node (1/2) is the midpoint rule
    alphas, weights = rule("leja", n)
    assert np.abs(weights.numpy()).sum() < 1.1  # nearly positive: a stable rule
    longer = rule("leja", n + 2)[0].numpy()
    assert np.array_equal(longer[:n], alphas.numpy())  # one sequence: every prefix is a rule


@pytest.mark.parametrize("name", ["leja", "patterson", "clenshaw_curtis"])
def test_nested_levels_reuse_nodes_and_equal_the_plain_rules(name):
    alphas, weights, counts = nested(name)
    assert len(set(np.round(alphas, 14))) == len(alphas) == counts[-1]  # every node evaluated once
    for level, n in enumerate(counts):
        assert (weights[level, n:] == 0).all()  # a level uses only the nodes of the levels up to it
        a, w = rule(name, n)
        order, plain = np.argsort(alphas[:n]), np.argsort(a.numpy())
        assert np.allclose(alphas[:n][order], a.numpy()[plain], atol=1e-15)
        assert np.allclose(weights[level, :n][order], w.numpy()[plain], atol=1e-15)
    capped = nested(name, max_nodes=20)
    assert capped[2] == tuple(c for c in counts if c <= 20)
