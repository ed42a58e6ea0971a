"""The algebra the CLSL25 checker relies on, in SymPy (card §3 and §4).

- CLSL25.def.kernel_limit: the ratio k(x, t W y1) / k(x, t W y2) for the zoo's exponential,
  Gaussian and polynomial kernels, and its limit as t -> oo (0 or oo exactly when the stated
  quantities do not vanish; the polynomial kernel's limit is finite and non-zero).
- A consequence for the zoo: the polynomial kernel cannot separate power-sum-matched pairs at
  depth 1 (so CLSL25.cor.kernel's depth 1 is specific to kernels like e^{q.k}).
- CLSL25.cor.symmetric: softmax with bias b[(j - i) mod n] is C_n-equivariant and with the
  cyclic distance D_n-equivariant, for n = 5 and 6; the first is not reflection-equivariant.
- CLSL25.def.affine_invariance: W h(Ax - b) = (W W2) act((W1 A) x + (b1 - W1 b)) + W b2.

Every check also runs on a perturbed statement that must fail, so none can pass vacuously.
"""

from __future__ import annotations

import pytest
import sympy as sp

from approxtheory.attention import kernels

t = sp.Symbol("t", positive=True)
gamma = sp.Symbol("gamma", positive=True)


def _vec(name: str, d: int = 2) -> sp.Matrix:
    return sp.Matrix(sp.symbols(f"{name}0:{d}", real=True))


def _dot(a: sp.Matrix, b: sp.Matrix) -> sp.Expr:
    return (a.T * b)[0, 0]


x, y1, y2 = _vec("x"), _vec("y"), _vec("z")
W = sp.Matrix(2, 2, sp.symbols("w0:4", real=True))


def _log_ratio(kernel: kernels.Kernel) -> sp.Expr:
    """log of k(x, t W y1) / k(x, t W y2), expanded."""
    ratio = kernel.formula(x, t * W * y1) / kernel.formula(x, t * W * y2)
    return sp.expand(sp.expand_log(sp.log(sp.powsimp(ratio)), force=True))


def _same(a: sp.Expr, b: sp.Expr) -> bool:
    return sp.simplify(sp.expand(a - b)) == 0


# ---- CLSL25.def.kernel_limit ---------------------------------------------------------------------


@pytest.mark.parametrize("factor, holds", [(1, True), (-1, False)])
def test_exponential_ratio(factor: int, holds: bool) -> None:
    # k = e^{q.kappa}: the ratio is exp(t x^T W (y1 - y2)).
    log_ratio = _log_ratio(kernels.EXPONENTIAL)
    assert _same(log_ratio, t * _dot(x, W * (y1 - factor * y2))) is holds


@pytest.mark.parametrize(
    "s, limit",
    [(sp.Symbol("s", positive=True), sp.oo), (sp.Symbol("s", negative=True), 0), (sp.Integer(0), 1)],
)
def test_exponential_limit(s: sp.Expr, limit: sp.Expr) -> None:
    # s = x^T W (y1 - y2): 0 or oo when s != 0; the negative control s = 0 gives 1, outside {0, oo}.
    value = sp.limit(sp.exp(t * s), t, sp.oo)
    assert value == limit
    assert (value in (0, sp.oo)) is (s != 0)


@pytest.mark.parametrize("two, holds", [(2, True), (1, False)])
def test_gaussian_ratio(two: int, holds: bool) -> None:
    # k = e^{-gamma |q - kappa|^2}: ratio = exp(-gamma [t^2 (|W y1|^2 - |W y2|^2) - 2 t x^T W (y1 - y2)]).
    log_ratio = _log_ratio(kernels.gaussian(gamma))  # the zoo's formula, with gamma symbolic
    a = _dot(W * y1, W * y1) - _dot(W * y2, W * y2)
    b = _dot(x, W * (y1 - y2))
    assert _same(log_ratio, -gamma * (t**2 * a - two * t * b)) is holds


A_POS, A_NEG = sp.Symbol("A", positive=True), sp.Symbol("A", negative=True)
B_POS, B_NEG = sp.Symbol("B", positive=True), sp.Symbol("B", negative=True)


@pytest.mark.parametrize(
    "a, b, limit",
    [
        (A_POS, B_POS, 0),
        (A_NEG, B_NEG, sp.oo),
        (sp.Integer(0), B_POS, sp.oo),
        (sp.Integer(0), B_NEG, 0),
        (sp.Integer(0), sp.Integer(0), 1),  # negative control: both quantities vanish
    ],
)
def test_gaussian_limit(a: sp.Expr, b: sp.Expr, limit: sp.Expr) -> None:
    value = sp.limit(sp.exp(-gamma * (a * t**2 - 2 * b * t)), t, sp.oo)
    assert value == limit
    assert (value in (0, sp.oo)) is (a != 0 or b != 0)


@pytest.mark.parametrize("kernel, in_zero_oo", [(kernels.polynomial(2, 1.0), False), (kernels.EXPONENTIAL, True)])
def test_polynomial_kernel_fails_the_criterion(kernel: kernels.Kernel, in_zero_oo: bool) -> None:
    # One-dimensional slice: x^T W y1 = a, x^T W y2 = b with a > b > 0. The polynomial ratio tends to
    # (a/b)^p, finite and non-zero, so CLSL25.cor.kernel does not cover it; e^{q.kappa} (control) does.
    a, b = sp.Integer(3), sp.Integer(2)
    q, kappa1, kappa2 = sp.Matrix([1]), sp.Matrix([t * a]), sp.Matrix([t * b])
    value = sp.limit(kernel.formula(q, kappa1) / kernel.formula(q, kappa2), t, sp.oo)
    assert (value in (0, sp.oo)) is in_zero_oo
    if not in_zero_oo:
        assert value == (a / b) ** 2


# ---- depth 1 of the polynomial kernel cannot separate power-sum-matched pairs ---------------------

# {1, 5, 8, 12} and {2, 3, 10, 11} have equal power sums of orders 1, 2 and 3 (Prouhet-Tarry-Escott).
PTE = ((1, 5, 8, 12), (2, 3, 10, 11))


def _depth_one_output(kernel: kernels.Kernel, others: tuple[int, ...]) -> sp.Expr:
    """Output at the shared token x0 of a one-dimensional kernel attention over (x0, *others), theta symbolic."""
    x0, alpha, wv = sp.symbols("x0 alpha w_v", real=True)  # alpha = w_q w_k, so q.kappa_j = alpha x0 x_j
    tokens = (x0, *others)
    weights = [kernel.formula(sp.Matrix([alpha * x0]), sp.Matrix([xj])) for xj in tokens]
    return sum(w * wv * xj for w, xj in zip(weights, tokens)) / sum(weights)


@pytest.mark.parametrize("kernel, separated", [(kernels.polynomial(2, 1.0), False), (kernels.EXPONENTIAL, True)])
def test_polynomial_kernel_depth_one_blind_spot(kernel: kernels.Kernel, separated: bool) -> None:
    assert [sum(v**k for v in PTE[0]) for k in (1, 2, 3)] == [sum(v**k for v in PTE[1]) for k in (1, 2, 3)]
    delta = _depth_one_output(kernel, PTE[0]) - _depth_one_output(kernel, PTE[1])
    if separated:  # the control: a rational point where the exponential kernel separates the pair
        point = {s: sp.Rational(v, 10) for s, v in zip(sp.symbols("x0 alpha w_v", real=True), (3, 1, 7))}
        assert abs(sp.N(delta.subs(point), 30)) > 1e-6
    else:
        assert sp.simplify(sp.together(delta)) == 0


# ---- CLSL25.cor.symmetric: equivariance of the position-bias designs ------------------------------


def _rho_shift(i: int, j: int, n: int) -> int:
    return (j - i) % n


def _rho_distance(i: int, j: int, n: int) -> int:
    return min((j - i) % n, (i - j) % n)


def _biased_softmax(tokens: list[sp.Expr], rho, n: int) -> list[sp.Expr]:
    """Attn(X)[i] = sum_j e^{a x_i x_j + b_rho(i,j)} v x_j / sum_l e^{...}, with d = 1 and symbols a, v, b."""
    a, v = sp.symbols("a v", real=True)
    b = sp.symbols(f"b0:{n}", real=True)
    out = []
    for i in range(n):
        weights = [sp.exp(a * tokens[i] * tokens[j] + b[rho(i, j, n)]) for j in range(n)]
        out.append(sum(w * v * tokens[j] for j, w in enumerate(weights)) / sum(weights))
    return out


def _equivariant(rho, sigma: tuple[int, ...]) -> bool:
    """F(sigma.X)[sigma(i)] == F(X)[i] for all i, with (sigma.X)[sigma(i)] = X[i] (card §2)."""
    n = len(sigma)
    xs = list(sp.symbols(f"x0:{n}", real=True))
    moved = [None] * n
    for i in range(n):
        moved[sigma[i]] = xs[i]
    before, after = _biased_softmax(xs, rho, n), _biased_softmax(moved, rho, n)
    if all(after[sigma[i]] == before[i] for i in range(n)):  # structurally identical: a proof
        return True
    # Not identical: exhibit a rational point where they differ (or fail loudly if they do not).
    point = {s: sp.Rational(k + 2, 7 + k) for k, s in enumerate(sorted(set().union(*(e.free_symbols for e in before)), key=str))}
    gap = max(abs(sp.N((after[sigma[i]] - before[i]).subs(point), 30)) for i in range(n))
    assert gap > 1e-12, "expressions differ structurally but agree at the test point: decide by hand"
    return False


def _shifts(n: int) -> list[tuple[int, ...]]:
    return [tuple((i + k) % n for i in range(n)) for k in range(n)]


def _reflections(n: int) -> list[tuple[int, ...]]:
    return [tuple((k - i) % n for i in range(n)) for k in range(n)]


@pytest.mark.parametrize("n", [5, 6])
def test_cyclic_bias_is_cn_equivariant(n: int) -> None:
    assert all(_equivariant(_rho_shift, s) for s in _shifts(n))


@pytest.mark.parametrize("n", [5, 6])
def test_cyclic_bias_is_not_reflection_equivariant(n: int) -> None:  # negative control
    assert not any(_equivariant(_rho_shift, r) for r in _reflections(n))


@pytest.mark.parametrize("n", [5, 6])
def test_distance_bias_is_dn_equivariant(n: int) -> None:
    assert all(_equivariant(_rho_distance, s) for s in _shifts(n) + _reflections(n))


@pytest.mark.parametrize("n", [5, 6])
def test_distance_bias_is_not_transposition_equivariant(n: int) -> None:  # negative control
    assert not _equivariant(_rho_distance, (1, 0, *range(2, n)))


# ---- CLSL25.def.affine_invariance -----------------------------------------------------------------


@pytest.mark.parametrize("sign, holds", [(-1, True), (1, False)])
def test_affine_invariance_identity(sign: int, holds: bool) -> None:
    act = sp.Function("act")
    d, width = 2, 3
    Wm, A = sp.Matrix(d, d, sp.symbols("W0:4")), sp.Matrix(d, d, sp.symbols("A0:4"))
    W1, W2 = sp.Matrix(width, d, sp.symbols("U0:6")), sp.Matrix(d, width, sp.symbols("V0:6"))
    b, b1, b2, xv = _vec("b"), _vec("c", width), _vec("e"), _vec("x")

    def h(z: sp.Matrix) -> sp.Matrix:
        return W2 * (W1 * z + b1).applyfunc(act) + b2

    lhs = Wm * h(A * xv - b)
    rhs = (Wm * W2) * ((W1 * A) * xv + (b1 + sign * W1 * b)).applyfunc(act) + Wm * b2
    assert all(sp.expand(e, deep=True) == 0 for e in lhs - rhs) is holds


@pytest.mark.parametrize("act, non_affine", [(sp.tanh, True), (lambda z: 3 * z - 2, False)])
def test_non_affinity_predicate(act, non_affine: bool) -> None:
    # P_ffn (2): act(z + u) + act(z - u) - 2 act(z) != 0 for some z, u; identically 0 for affine act.
    z, u = sp.symbols("z u", real=True)
    second_difference = act(z + u) + act(z - u) - 2 * act(z)
    if non_affine:
        assert abs(sp.N(second_difference.subs({z: 1, u: 1}), 30)) > 1e-3
    else:
        assert sp.simplify(second_difference) == 0
