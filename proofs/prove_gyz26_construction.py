"""GYZ26 §4 construction, step by step in SymPy: lem.gating, prop.complexity, and the zigzag of prop.regions_lower.

Inequalities over integer domains are proved by the shift-and-expand argument: substitute every variable
v >= v0 by v0 + s with s >= 0, expand, and check that every coefficient of the polynomial in the s's is
non-negative (a polynomial with non-negative coefficients is non-negative on the non-negative orthant,
which contains the integer domain). Every check has a negative control that must fail, with a concrete
counterexample, so none of them can pass vacuously.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp

from approxtheory.constructions.maxout_transformer import sizes
from approxtheory.rigorous import nonnegative_on_orthant
from approxtheory.networks.maxout import MaxoutNetwork


def relu(t: sp.Expr) -> sp.Expr:
    return sp.Max(0, t)


def gate(e: sp.Expr, y: sp.Expr, M: sp.Expr) -> sp.Expr:
    """The ± pair of gated FFN rows on a token with one-hot match e: ReLU(y + M(e-1)) - ReLU(-y + M(e-1))."""
    return relu(y + M * (e - 1)) - relu(-y + M * (e - 1))


def is_zero(expr: sp.Expr) -> bool:
    return sp.simplify(expr) == 0


def nonneg_on_domain(expr: sp.Expr, lower: dict[sp.Symbol, int]) -> bool:
    # the domains here are shared by several checks; the orthant test takes bounds for exactly expr's symbols
    return nonnegative_on_orthant(expr, {v: lo for v, lo in lower.items() if v in sp.sympify(expr).free_symbols})


# --------------------------------------------------------------------------------------- lem.gating

M = sp.Symbol("M", positive=True)
p = sp.Symbol("p", nonnegative=True)
a, b = sp.symbols("a b", nonnegative=True)
t_pos = sp.Symbol("t", positive=True)


@pytest.mark.parametrize("sign", [1, -1])
def test_gating_e1_every_y(sign: int) -> None:
    # case analysis on the sign of y: y = p >= 0 and y = -p <= 0
    y = sign * p
    assert is_zero(gate(1, y, M) - 1 * y)
    assert not is_zero(gate(1, y, M) - 2 * y)  # control


def test_gating_e0_inside_the_gate() -> None:
    # |y| <= M  <=>  a = M - y >= 0 and b = M + y >= 0; this parametrisation covers the whole case
    y, M_ab = (b - a) / 2, (a + b) / 2
    assert is_zero(M_ab - y - a) and is_zero(M_ab + y - b)
    assert gate(0, y, M_ab) == 0  # both ReLU arguments are -a <= 0 and -b <= 0
    assert gate(0, y + 1, M_ab).subs({a: 0, b: 0}) == 1  # control: y = 1 > M = 0 leaks 1 instead of e y = 0


@pytest.mark.parametrize("sign", [1, -1])
def test_gating_e0_fails_outside_the_gate(sign: int) -> None:
    # negative control: |y| = M + t > M with e = 0 leaks sign(y) (|y| - M) = sign * t, not e y = 0
    y = sign * (M + t_pos)
    leak = sp.simplify(gate(0, y, M))
    assert is_zero(leak - sign * t_pos)
    assert leak != 0 and not is_zero(leak - 0 * y)


def test_gating_is_what_the_ffn_rows_compute() -> None:
    # on token j', row r(u,j,s) computes ReLU(s <w,h> + (s b - M) + M [j = j']) = ReLU(s y + M(e - 1))
    y, e, s = sp.symbols("y e s", real=True)
    row = s * (y - sp.Symbol("bias")) + (s * sp.Symbol("bias") - M) + M * e
    assert is_zero(row - (s * y + M * (e - 1)))
    pair = relu(row.subs(s, 1)) - relu(row.subs(s, -1))
    assert is_zero(pair - gate(e, y, M))


# ---------------------------------------------------------------------------------- prop.complexity

k, m, n, H, g = sp.symbols("k m n H g", integer=True)


def block_full(k_, m_, n_, H_):
    return 2 * k_ * m_ * (n_ + 3) + 8 * H_ + 4 * m_


def block_lean(k_, m_, n_):
    return 2 * k_ * m_ * (n_ + 3) + 8 * n_ + 4 * m_


def p0_block(k_, m_, n_):
    return k_ * m_ * (n_ + 1)


DOMAIN = {k: 2, m: 1, n: 1}


def test_block_counts_match_the_rows() -> None:
    # gated ± pair of (u,j): 2 rows x (n weights + i1 + ie[j]) in W1 and 2 entries in W2; k m pairs
    gated = k * m * (2 * (n + 2) + 2)
    assert is_zero(gated - 2 * k * m * (n + 3))
    reset_full = 2 * (2 * H) * 2  # 2H coordinates, 2 rows each, one W1 and one W2 entry per row
    assert is_zero(gated + reset_full + 4 * m - block_full(k, m, n, H))
    # and the code's sizes() agrees on a few shapes
    for d, widths, rank in [(2, (3, 2), 2), (1, (2, 2), 3), (3, (4, 1, 2), 4)]:
        net = MaxoutNetwork.random(0, d, widths, rank)
        Hv = max(d, *widths)
        prev = (d, *widths[:-1])
        full, lean = sizes(net, "full"), sizes(net, "lean")
        assert full.nnz_total == sum(block_full(rank, mm, nn, Hv) for mm, nn in zip(widths, prev))
        assert lean.nnz_total == sum(block_lean(rank, mm, nn) for mm, nn in zip(widths, prev))
        assert full.P0 == sum(p0_block(rank, mm, nn) for mm, nn in zip(widths, prev))


def test_ineq_ffn_rows() -> None:
    assert nonneg_on_domain(4 * (m + 1) - 2 * (m + 3), {m: 1})
    assert (4 * (m + 1) - 2 * (m + 3)).subs(m, 0) < 0  # control: false at m = 0


def test_ineq_lean_reset() -> None:
    assert nonneg_on_domain(4 * k * m * (n + 1) - 8 * n, DOMAIN)
    weaker = k * m * (n + 1) - 8 * n  # control: 8n <= k m (n+1) is false at (2, 1, 1)
    assert not nonneg_on_domain(weaker, DOMAIN) and weaker.subs({k: 2, m: 1, n: 1}) < 0


def test_ineq_attention() -> None:
    assert nonneg_on_domain(k * m * (n + 1) - 4 * m, DOMAIN)
    control = k * m * (n + 1) - 5 * m  # false at (2, 1, 1)
    assert not nonneg_on_domain(control, DOMAIN) and control.subs({k: 2, m: 1, n: 1}) < 0


def test_ineq_full_per_block() -> None:
    # nnz_full block <= 4 P0 block + 8H + 4m, and <= 4 P0 block + 12 H when m <= H (H = m + g, g >= 0)
    assert nonneg_on_domain(4 * p0_block(k, m, n) + 8 * H + 4 * m - block_full(k, m, n, H), {**DOMAIN, H: 1})
    assert nonneg_on_domain((4 * p0_block(k, m, n) + 12 * H - block_full(k, m, n, H)).subs(H, m + g), {**DOMAIN, g: 0})
    control = 4 * p0_block(k, m, n) + 8 * H - block_full(k, m, n, H)  # dropping 4 sum m_l: false at n = 1
    assert control.subs({k: 2, m: 1, n: 1, H: 1}) < 0


def test_ineq_lean_per_block() -> None:
    assert nonneg_on_domain(9 * p0_block(k, m, n) - block_lean(k, m, n), DOMAIN)
    control = 6 * p0_block(k, m, n) - block_lean(k, m, n)  # 28 > 24 at (2, 1, 1)
    assert not nonneg_on_domain(control, DOMAIN) and control.subs({k: 2, m: 1, n: 1}) < 0


@pytest.mark.parametrize("L", [1, 2, 3, 4])
def test_ineq_whole_network(L: int) -> None:
    # m_0 = d >= 1, m_1..m_L >= 1, H >= every m_l (H = m_l + g_l), k >= 2: the sums over the blocks
    ms = sp.symbols(f"m0:{L + 1}", integer=True)
    gs = sp.symbols(f"g1:{L + 1}", integer=True)
    Hs = sp.Symbol("H", integer=True)
    P0 = sum(p0_block(k, ms[l], ms[l - 1]) for l in range(1, L + 1))
    full = sum(block_full(k, ms[l], ms[l - 1], Hs) for l in range(1, L + 1))
    lean = sum(block_lean(k, ms[l], ms[l - 1]) for l in range(1, L + 1))
    dom = {k: 2, Hs: 1, **{v: 1 for v in ms}}
    assert nonneg_on_domain(4 * P0 + 8 * L * Hs + 4 * sum(ms[1:]) - full, dom)
    assert nonneg_on_domain(9 * P0 - lean, dom)
    # 4 sum m_l <= 4 L H using H = m_l + g_l for each l (one l at a time, H shared)
    for l in range(1, L + 1):
        assert nonneg_on_domain((4 * Hs - 4 * ms[l]).subs(Hs, ms[l] + gs[l - 1]), {ms[l]: 1, gs[l - 1]: 0})
    assert not nonneg_on_domain(8 * P0 - lean - L * 8, dom)  # control fails to certify
    assert (6 * P0 - lean).subs({k: 2, **{v: 1 for v in ms}}) < 0  # and 6 P0 is false at all-ones


# ------------------------------------------------------------------------------------ zigzag (regions)

t, s = sp.symbols("t s", real=True)


def g_piece(N: int, i: int, x: sp.Expr) -> sp.Expr:
    """Piece i of g_N on [i/N, (i+1)/N]: N x - i (i even), (i+1) - N x (i odd)."""
    return N * x - i if i % 2 == 0 else (i + 1) - N * x


def terms(k_: int) -> tuple[dict[int, sp.Expr], dict[int, sp.Expr]]:
    """A_k: r odd, k r t - (r^2-1)/2; B_k: r even, k r t - r^2/2 (padding repeats a term, so it changes no max)."""
    A = {r: k_ * r * t - sp.Rational(r * r - 1, 2) for r in range(1, k_ + 1, 2)}
    B = {r: k_ * r * t - sp.Rational(r * r, 2) for r in range(0, k_ + 1, 2)}
    return A, B


def dominates(top: sp.Expr, other: sp.Expr, at: sp.Expr) -> bool:
    """top >= other for t = at(s), s in [0, 1]: the difference is linear in s, so check both ends."""
    diff = sp.expand((top - other).subs(t, at))
    assert sp.degree(diff, s) <= 1
    return diff.subs(s, 0) >= 0 and diff.subs(s, 1) >= 0


@pytest.mark.parametrize("k_", [2, 3, 4, 5, 6, 7])
def test_maxout_form_equals_zigzag_on_each_piece(k_: int) -> None:
    A, B = terms(k_)
    assert len(A) == (k_ + 1) // 2 and len(B) == k_ // 2 + 1 and max(len(A), len(B)) <= k_
    for i in range(k_):
        at = (i + s) / k_  # t runs over piece i as s runs over [0, 1]
        rA = i if i % 2 else i + 1  # the odd number in {i, i+1}: the active A term
        rB = i if i % 2 == 0 else i + 1  # the even number in {i, i+1}: the active B term
        assert all(dominates(A[rA], A[r], at) for r in A)
        assert all(dominates(B[rB], B[r], at) for r in B)
        assert is_zero(A[rA] - B[rB] - g_piece(k_, i, t))
        # the piece is an affine bijection onto [0, 1], increasing for even i, decreasing for odd i
        ends = (g_piece(k_, i, sp.Rational(i, k_)), g_piece(k_, i, sp.Rational(i + 1, k_)))
        assert ends == ((0, 1) if i % 2 == 0 else (1, 0))
        assert sp.diff(g_piece(k_, i, t), t) == (-1) ** i * k_
    # negative control: the wrong offset r^2/2 in A breaks the identity on some piece
    wrong = {r: k_ * r * t - sp.Rational(r * r, 2) for r in A}
    assert not all(is_zero(wrong[i if i % 2 else i + 1] - B[i if i % 2 == 0 else i + 1] - g_piece(k_, i, t)) for i in range(k_))


def test_deeper_layers_see_t_equal_a_minus_b() -> None:
    a_, b_ = sp.symbols("a b", real=True)
    k_, r = sp.symbols("k r", positive=True)
    c = sp.Symbol("c")
    assert is_zero(k_ * r * a_ + (-k_ * r) * b_ - c - (k_ * r * t - c).subs(t, a_ - b_))


Piece = tuple[sp.Rational, sp.Rational, sp.Expr]


def compose_with_zigzag(f: list[Piece], k_: int) -> list[Piece]:
    """Pieces of g_k o f, when every piece of f is an affine bijection of its interval onto [0, 1]."""
    out = []
    for lo, hi, expr in f:
        assert {expr.subs(t, lo), expr.subs(t, hi)} == {0, 1}
        cuts = sorted({lo, hi} | {sp.solve(sp.Eq(expr, sp.Rational(j, k_)), t)[0] for j in range(1, k_)})
        assert len(cuts) == k_ + 1  # k sub-pieces
        for c0, c1 in zip(cuts, cuts[1:]):
            mid = expr.subs(t, (c0 + c1) / 2)
            q = int(sp.floor(mid * k_))  # the piece of g_k that f maps [c0, c1] onto
            out.append((c0, c1, sp.expand(g_piece(k_, q, expr))))
    return out


@pytest.mark.parametrize("k_, L, count", [(2, 3, 8), (3, 2, 9), (3, 3, 27), (4, 2, 16), (2, 5, 32)])
def test_zigzag_composition_has_k_to_the_L_pieces(k_: int, L: int, count: int) -> None:
    f: list[Piece] = [(sp.Integer(0), sp.Integer(1), t)]  # the identity: one piece onto [0, 1]
    for _ in range(L):
        f = compose_with_zigzag(f, k_)
    N = k_**L
    assert len(f) == N == count
    for i, (lo, hi, expr) in enumerate(f):
        assert (lo, hi) == (sp.Rational(i, N), sp.Rational(i + 1, N))  # breakpoints exactly at i/k^L
        assert is_zero(expr - g_piece(N, i, t))  # g_k^L = g_{k^L} on the piece
        assert expr.subs(t, lo) == i % 2  # value i mod 2 at i / k^L
        assert sp.diff(expr, t) == (-1) ** i * N  # slopes alternate +k^L, -k^L
    # adjacent pieces have different slopes, so these are k^L distinct linear regions
    assert all(sp.diff(e1, t) != sp.diff(e2, t) for (_, _, e1), (_, _, e2) in zip(f, f[1:]))
    assert len(f) != k_**L + 1  # control


def test_composition_needs_onto_pieces() -> None:
    # negative control: a piece that maps onto [0, 1/2] only (f = t/2) is not an affine bijection onto [0, 1]
    with pytest.raises(AssertionError):
        compose_with_zigzag([(sp.Integer(0), sp.Integer(1), t / 2)], 3)


# ------------------------------------------------------------------------------------- zigzag gate



def gate_value(k_: int) -> sp.Rational:
    return sp.Rational(k_ * k_ + 1, 2) if k_ % 2 else sp.Rational(k_ * k_, 2)


@pytest.mark.parametrize("k_", range(2, 10))
def test_zigzag_gate_brute_force(k_: int) -> None:
    # each pre-activation is affine in t, so max over [0, 1] of |.| is at t = 0 or t = 1
    A, B = terms(k_)
    best = max(abs(e.subs(t, x)) for e in (*A.values(), *B.values()) for x in (0, 1))
    assert best == gate_value(k_)
    assert best <= sp.Rational(k_ * k_ + 1, 2)  # the card's M is valid for every k
    assert Fraction(str(best)) == Fraction(k_ * k_ + (k_ % 2), 2)


@pytest.mark.parametrize("k_parity", [1, 0])
def test_zigzag_gate_symbolic(k_parity: int) -> None:
    # general k: write r = rho and k = rho + delta (0 <= r <= k) with the parities fixed, then shift-and-expand.
    rho_a, rho_b, dq = sp.symbols("rho_a rho_b dq", integer=True)
    bound = (lambda kk: (kk**2 + 1) / 2) if k_parity else (lambda kk: kk**2 / 2)
    for r_parity in (1, 0):
        rho = 2 * rho_a + r_parity  # r
        # k - r has parity (k_parity - r_parity) mod 2
        delta = 2 * dq + ((k_parity - r_parity) % 2)
        kk = rho + delta
        c = (rho**2 - 1) / 2 if r_parity else rho**2 / 2  # the term's offset
        at1 = kk * rho - c  # the pre-activation at t = 1 (at t = 0 it is -c)
        dom = {rho_a: 0, dq: 0}
        assert nonneg_on_domain(bound(kk) - at1, dom)  # at t = 1: k r - c <= bound
        assert nonneg_on_domain(at1, dom)  # ... and k r - c >= 0, so |.| <= bound
        assert nonneg_on_domain(bound(kk) - c, dom)  # at t = 0: |-c| = c <= bound (c >= 0)
        assert nonneg_on_domain(c, dom)
    # attained at r = k, t = 1
    kk = sp.Symbol("kk", positive=True)
    c_k = (kk**2 - 1) / 2 if k_parity else kk**2 / 2
    assert is_zero(kk * kk - c_k - bound(kk))
    # negative control: for odd k the even-k value k^2/2 is exceeded (by 1/2, at r = k, t = 1)
    if k_parity:
        assert is_zero(kk * kk - c_k - kk**2 / 2 - sp.Rational(1, 2))
