"""WE24 statement algebra, certified by SymPy and exact arithmetic (card §2, §3, §6).

Normalisers, the optimal and equal head splits, heads needed for an accuracy, the admissible rates
of Thm 5.1, the depth formula and Thm 4.4's special cases, Prop 4.5's comparison, the rounding
thresholds behind the width conditions, and the score identities of the dot-product and TMX heads.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import sympy as sp

from ...author import Argued
from ...core import Bound, Claim, SymbolSpec
from ...memory.bases import normaliser
from ...memory.structure import fits_template, layers_needed, nesting_depth
from ...rigorous import enclose
from ...rigorous.steps import Steps, simplifies_to_zero
from .common import argument

n_spec = SymbolSpec("n", "rate exponent n of the theorem", lo=1, integer=True)
H_spec = SymbolSpec("H", "number of attention heads", lo=1, integer=True)
M_spec = SymbolSpec("M", "number of memories", lo=1, integer=True)
T_spec = SymbolSpec("T", "memory position (offset in tokens)", lo=1, integer=True)
eps_spec = SymbolSpec("epsilon", "target attention error", lo=sp.Rational(1, 10**12))
n, H, M, T, epsilon = (s.symbol for s in (n_spec, H_spec, M_spec, T_spec, eps_spec))

EQUAL_SPLIT = Bound(
    id="WE24.thm5.1.bound.equal_split_shape",
    expr=M ** (n + 1) / H**n,
    symbols=(n_spec, H_spec, M_spec),
    description="E_ess / C(n) = M^(n+1)/H^n: M memories, H/M heads each",
    canonical=tuple({"n": a, "H": b, "M": c} for a, b, c in ((1, 8, 2), (2, 16, 3), (4, 64, 4))),
)
HEADS_LIN = Bound(
    id="WE24.thm3.1.bound.heads_needed_lin",
    expr=(M ** (n + 1) * sp.exp(sp.Rational(1, 100) * (n + 1) * T) / epsilon) ** (1 / n),
    symbols=(n_spec, M_spec, T_spec, eps_spec),
    description="heads for E_fixed_lin <= epsilon with all T_i = T and C(n) = 1",
    canonical=tuple({"n": a, "M": b, "T": c, "epsilon": "1/100"} for a, b, c in ((1, 1, 10), (2, 3, 100), (3, 2, 1000))),
)
HEADS_LOG = Bound(
    id="WE24.thm3.1.bound.heads_needed_log",
    expr=(M ** (n + 1) * T ** (sp.Rational(101, 100) * (n + 1)) / epsilon) ** (1 / n),
    symbols=(n_spec, M_spec, T_spec, eps_spec),
    description="heads for E_fixed_log <= epsilon with all T_i = T and C(n) = 1",
    canonical=tuple({"n": a, "M": b, "T": c, "epsilon": "1/100"} for a, b, c in ((1, 1, 10), (2, 3, 100), (3, 2, 1000))),
)
LOG_ROUNDING_GAP = Bound(
    id="WE24.thm4.1.bound.log_rounding_gap",
    expr=T * (sp.exp(1 / (4 * T)) - 1),
    symbols=(T_spec,),
    description="worst |g e^delta - g| for g <= T, |delta| <= 1/(4T): rounding returns g while it is < 1/2",
    canonical=({"T": 1}, {"T": 10}, {"T": 1000}),
)


# --- WE24.def.normaliser ----------------------------------------------------------------------

def _argue_normalisers(s: Steps, cells: int | None) -> str:
    p = sp.Symbol("p", positive=True)
    N = sp.Symbol("N", integer=True, positive=True)
    j = sp.Symbol("j", integer=True, nonnegative=True)
    finite = sp.summation(sp.exp(-p * j), (j, 0, N))
    finite_form = (1 - sp.exp(-p * (N + 1))) / (1 - sp.exp(-p))
    s.symbolic("finite window Z_lin", "sum_{j=0}^N e^{-pj} = (1 - e^{-p(N+1)})/(1 - e^{-p}) for p > 0",
               isinstance(finite, sp.Piecewise) and simplifies_to_zero(finite.args[-1][0] - finite_form))
    s.zero("Z_lin as N -> oo", sp.limit(finite_form, N, sp.oo) - 1 / (1 - sp.exp(-p)), "limit of the window form is 1/(1 - e^{-p})")
    s.symbolic("Z_lin(log 2) = 2", "1/(1 - e^{-log 2}) == 2", sp.simplify(1 / (1 - sp.exp(-sp.log(2)))) == 2)
    s.symbolic("Z_log(2) = pi^2/6", "zeta(2) == pi^2/6", sp.zeta(2) == sp.pi**2 / 6)
    s.symbolic("Z_log(4) = pi^4/90", "zeta(4) == pi^4/90", sp.zeta(4) == sp.pi**4 / 90)
    s.zero("finite window Z_log", sp.zeta(3) - sp.zeta(3, 5) - sp.harmonic(4, 3), "zeta(3) - zeta(3, 5) == harmonic(4, 3)")
    floats = {
        "Z_lin(log 2)": normaliser("lin", math.log(2)), "Z_log(2)": normaliser("log", 2.0),
        "Z_log(4)": normaliser("log", 4.0), "Z_lin window N=9, p=log 2": normaliser("lin", math.log(2), 9),
        "Z_log window N=4, p=3": normaliser("log", 3.0, 4),
    }
    exact = {"Z_lin(log 2)": 2.0, "Z_log(2)": math.pi**2 / 6, "Z_log(4)": math.pi**4 / 90,
             "Z_lin window N=9, p=log 2": 2 - 2.0**-9, "Z_log window N=4, p=3": float(sp.harmonic(4, 3))}
    gaps = {k: abs(floats[k] - exact[k]) / exact[k] for k in floats}
    s.cross_check("float", "library normalisers match the closed forms", "relative gap <= 1e-14 (float64 evaluation)",
                  max(gaps.values()) <= 1e-14, relative_gaps=gaps)
    return ("Z_lin, Z_log and their window forms (SymPy summation, limit and zeta values); cross-check: the float "
            "normalisers of approxtheory.memory.bases agree with them")


# --- WE24.thm3.1 head split -------------------------------------------------------------------

def _argue_optimal_split(s: Steps, cells: int | None) -> str:
    C, Hs, nn = sp.symbols("C H n", positive=True)
    a = sp.symbols("a1:4", positive=True)
    S = sum(a)
    split = [Hs * ak / S for ak in a]
    total = sum(C * ak ** (nn + 1) / hk**nn for ak, hk in zip(a, split))
    simplified = sp.powsimp(sp.expand_power_base(total, force=True), force=True)
    ak, hk, Sg = sp.symbols("a_k H_k S", positive=True)
    term = ak ** (nn + 1) / hk**nn
    slope_at_split = sp.diff(term, hk).subs(hk, Hs * ak / Sg)
    curvature = sp.diff(term, hk, 2)
    s.zero("identity, M = 3", simplified - C * S ** (nn + 1) / Hs**nn,
           "sum_k C a_k^(n+1)/(H a_k/S)^n == C S^(n+1)/H^n (card's powsimp/expand_power_base)")
    s.zero("identity, any M (per term)", sp.powsimp(sp.expand_power_base(C * ak ** (nn + 1) / (Hs * ak / Sg) ** nn, force=True),
                                                    force=True) - C * ak * Sg**nn / Hs**nn,
           "C a_k^(n+1)/(H a_k/S)^n == C a_k S^n/H^n, which sums to C S^(n+1)/H^n")
    s.zero("stationary (Lagrange)", slope_at_split + nn * Sg ** (nn + 1) / Hs ** (nn + 1),
           "d/dH_k [a_k^(n+1) H_k^-n] at H_k = H a_k/S is -n S^(n+1)/H^(n+1), the same for every k")
    s.symbolic("convex", "d^2/dH_k^2 [a_k^(n+1) H_k^-n] = n(n+1) a_k^(n+1) H_k^(-n-2) > 0", bool(curvature.is_positive))
    return ("H_k = H a_k/S turns sum_k C a_k^(n+1)/H_k^n into C S^(n+1)/H^n, and, the sum being convex in "
            "(H_k) with equal Lagrange slopes there, it is the minimum over sum H_k = H, H_k > 0 (Hoelder); SymPy")


def _argue_equal_split(s: Steps, cells: int | None) -> Argued:
    C, Hs, Ms, nn = sp.symbols("C H M n", positive=True)
    lhs = Ms * C / (Hs / Ms) ** nn
    bound = C * EQUAL_SPLIT.expr.subs({n: nn, H: Hs, M: Ms})  # the registered bound itself, so a wrong expression fails here
    s.zero("identity", sp.powsimp(sp.expand_power_base(lhs, force=True), force=True) - bound,
           f"M C/(H/M)^n == C {EQUAL_SPLIT.expr} ({EQUAL_SPLIT.id})")
    points = {f"M={c},H={b},n={a}": enclose(EQUAL_SPLIT.expr, {"n": a, "H": b, "M": c}).str(10) for a, b, c in ((1, 8, 2), (2, 16, 3))}
    return Argued("equal split H_k = H/M of Thm 5.1: M C/(H/M)^n = C M^(n+1)/H^n (SymPy)", {"E_ess_shape_at": points})


def _argue_heads_needed(s: Steps, cells: int | None) -> Argued:
    C, Ms, eps, Ts, nn = sp.symbols("C M epsilon T n", positive=True)
    lin_error = C * Ms ** (nn + 1) * sp.exp(sp.Rational(1, 100) * (nn + 1) * Ts)
    log_error = C * Ms ** (nn + 1) * Ts ** (sp.Rational(101, 100) * (nn + 1))
    Hv = sp.Symbol("H", positive=True)
    H_lin = (lin_error / eps) ** (1 / nn)
    H_log = (log_error / eps) ** (1 / nn)
    s.zero("H_lin solves E = eps", sp.powsimp(sp.expand_power_base(lin_error / H_lin**nn, force=True), force=True) - eps,
           "C M^(n+1) e^(0.01(n+1)T)/H_lin^n == eps")
    s.zero("H_log solves E = eps", sp.powsimp(sp.expand_power_base(log_error / H_log**nn, force=True), force=True) - eps,
           "C M^(n+1) T^(1.01(n+1))/H_log^n == eps")
    s.zero("log H_lin linear in T", sp.diff(sp.expand_log(sp.log(H_lin), force=True), Ts) - (nn + 1) / (100 * nn),
           "d/dT log H_lin == (n+1)/(100 n), a constant")
    s.zero("log H_log logarithmic in T", Ts * sp.diff(sp.expand_log(sp.log(H_log), force=True), Ts)
           - sp.Rational(101, 100) * (nn + 1) / nn, "T d/dT log H_log == 101(n+1)/(100 n), a constant")
    s.symbolic("unique positive root", "E(H) = const/H^n is strictly decreasing in H > 0",
               bool(sp.diff(lin_error / Hv**nn, Hv).is_negative))
    for bound, closed in ((HEADS_LIN, H_lin), (HEADS_LOG, H_log)):  # the registered bounds are these closed forms at C = 1
        s.zero(f"{bound.id} is the closed form", bound.expr.subs({n: nn, M: Ms, T: Ts, epsilon: eps}) - closed.subs(C, 1),
               f"{bound.expr} == H(eps) with C(n) = 1")
    values = {f"lin n={a} M={b} T={c}": enclose(HEADS_LIN.expr, {"n": a, "M": b, "T": c, "epsilon": "1/100"}).str(8)
              for a, b, c in ((1, 1, 10), (2, 3, 100))}
    values.update({f"log n={a} M={b} T={c}": enclose(HEADS_LOG.expr, {"n": a, "M": b, "T": c, "epsilon": "1/100"}).str(8)
                   for a, b, c in ((1, 1, 10), (2, 3, 100))})
    return Argued("heads needed for accuracy eps with all T_i = T (card §6): the closed forms solve the bounds; "
                  "log H is linear in T for lin-RPE and linear in log T for log-RPE (SymPy)", {"heads_with_C_1_eps_1e-2": values})


# --- WE24.thm5.1 admissible rates ----------------------------------------------------------------

def admissible_exp(beta: Any) -> int:
    """Largest admissible n of Thm 5.1(A): floor(99 beta) (0 means none)."""
    return int(sp.floor(99 * sp.Rational(beta)))


def admissible_poly(beta: Any) -> int:
    """Largest admissible n of Thm 5.1(B): floor(0.99 beta) - 1 (0 or less means none)."""
    return int(sp.floor(sp.Rational(99, 100) * sp.Rational(beta))) - 1


def _floor_steps(s: Steps) -> None:
    """For an integer n and a real x: n <= x iff n <= floor(x), since floor(x) <= x < floor(x) + 1."""
    x = sp.Symbol("x", real=True)
    s.symbolic("floor(x) <= x", "SymPy decides floor(x) <= x for real x", bool(sp.floor(x) <= x))
    s.symbolic("x < floor(x) + 1", "x - floor(x) = frac(x) and 0 <= frac(x) < 1 for real x",
               bool(sp.frac(x) < 1) and bool(sp.frac(x) >= 0) and (x - sp.floor(x)).rewrite(sp.frac) == sp.frac(x))
    s.symbolic("integer n: n <= x iff n <= floor(x)", "n <= floor(x) <= x; and n <= x < floor(x) + 1 forces the integer "
               "n <= floor(x) (the two steps above)", True)


def _argue_admissible(s: Steps, cells: int | None) -> str:
    for b, v in {"1/20": 4, "1": 99}.items():
        s.exact(f"(A) beta={b}: n <= {v}", f"floor(99*{b}) == {v}", admissible_exp(b) == v)
    for b, v in {"3": 1, "5": 3, "10": 8}.items():
        s.exact(f"(B) beta={b}: n <= {v}", f"floor(0.99*{b}) - 1 == {v}", admissible_poly(b) == v)
    # Thm 5.1 (lemF.3) asks n <= 99 beta (A) and n + 1 <= 0.99 beta (B) of an integer n >= 1
    _floor_steps(s)
    s.exact("(A) nonempty iff beta >= 1/99", "by the floor step with n = 1: 1 <= floor(99 beta) iff beta >= 1/99; the code "
            "gives floor(99/99) = 1 and floor(99 (1/99 - 1e-9)) = 0",
            admissible_exp("1/99") == 1 and admissible_exp(Fraction(1, 99) - Fraction(1, 10**9)) == 0)
    s.exact("(B) nonempty iff beta >= 200/99", "by the floor step with n = 2: 2 <= floor(0.99 beta) iff beta >= 200/99; the "
            "code gives 1 at 200/99 and 0 just below", admissible_poly("200/99") == 1
            and admissible_poly(Fraction(200, 99) - Fraction(1, 10**9)) == 0)
    return ("Thm 5.1's admissible n: lemF.3's n <= 99 beta and n + 1 <= 0.99 beta are, for integers n, n <= "
            "floor(99 beta) and n <= floor(0.99 beta) - 1 (floor property, SymPy); the code's admissible_exp/"
            "admissible_poly give the card's fixtures and thresholds beta = 1/99, 200/99 in exact rationals")


# --- WE24.thm4.4 depth and special cases ---------------------------------------------------------

def _argue_depth(s: Steps, cells: int | None) -> str:
    fixtures = {(0, 1): 2, (0, 4): 2, (2, 2): 3, (1, 2): 3, (3, 5): 5, **{(m, m): m + 1 for m in range(1, 6)}}
    for (k, m), v in fixtures.items():
        s.exact(f"L(K={k}, M={m}) = {v}", "K + 1 + 1{M >= K+1}", layers_needed(k, m) == v)
    example = nesting_depth([[], [0]])  # t_1 = g(x_t), t_2 = g(x_{t-t_1})
    s.exact("card example reads as K = 1 (or K = M = 2), L = 3",
            "least K = 1, L = 3; the K = 2 chain fits the template too, also with L = 3",
            example.depth == 1 and example.layers == 3 and fits_template([[], [0]], 2, [0, 1]) and layers_needed(2, 2) == 3)
    Ssym, nn = sp.symbols("S n", positive=True)
    s.zero("K = 0 gives Thm 4.1", sp.sqrt(Ssym ** (2 * nn + 2)) - Ssym ** (nn + 1), "sqrt(S^(2n+2)) == S^(n+1) for S > 0")
    C, Hs = sp.symbols("C H", positive=True)
    Mm = sp.Symbol("M", integer=True, positive=True)
    k = sp.Symbol("k", integer=True, positive=True)
    Tk = sp.IndexedBase("T", positive=True)
    first = sp.Sum(sp.exp(sp.Rational(2, 100) * (nn + 1) * Tk[k]), (k, 1, Mm))  # sum over l <= K = M
    empty_sum = sp.Integer(0)  # sum over l > K of e^{0.01 T_l} when K = M
    nested_km = C / Hs**nn * sp.sqrt(first + empty_sum ** (2 * nn + 2))
    prop45 = C / Hs**nn * sp.sqrt(first)
    s.zero("K = M gives Prop 4.5 (every M)", nested_km - prop45, "E_nested_lin with an empty second sum == Prop 4.5's lin bound")
    return ("depth L = K + 1 + 1{M >= K+1} on the card's fixtures, the nesting depth of the card's example "
            "(approxtheory.memory.structure, exact), and Thm 4.4's K = 0 and K = M cases for every M (SymPy)")


def _superadditive_steps(s: Steps) -> None:
    """(sum_i u_i)^p >= sum_i u_i^p for u_i >= 0, p >= 1, any number of terms: with w_i = u_i/S in [0, 1],
    w^p <= w, so sum_i w_i^p <= sum_i w_i = 1."""
    u, S, p = sp.symbols("u S p", positive=True)
    s.zero("normalise", (u / S) ** p - u**p / S**p, "(u_i/S)^p == u_i^p/S^p: the claim is sum_i w_i^p <= 1 with sum_i w_i = 1")
    t, q = sp.symbols("t q", nonnegative=True)  # w = 1/(1+t) in (0, 1], p = 1 + q >= 1
    w = 1 / (1 + t)
    y = sp.Symbol("y", real=True)
    s.symbolic("w^p <= w on (0, 1], p >= 1", "w^(1+q) - w == w (e^{-q log(1+t)} - 1) with -q log(1+t) <= 0, and e^y <= e^0 = 1 "
               "for y <= 0 as d/dy e^y = e^y > 0", simplifies_to_zero(w ** (1 + q) - w - w * (sp.exp(-q * sp.log(1 + t)) - 1))
               and bool((-q * sp.log(1 + t)).is_nonpositive) and sp.diff(sp.exp(y), y) == sp.exp(y)
               and bool(sp.exp(y).is_positive) and sp.exp(0) == 1)


def _argue_prop45(s: Steps, cells: int | None) -> str:
    C, eps, nn = sp.symbols("C epsilon n", positive=True)
    Su, Sb2 = sp.symbols("S_u Q_b", positive=True)  # S_u = sum u_i, Q_b = sum b_i^2
    H2 = (C * Su ** (nn + 1) / eps) ** (1 / nn)
    HM1 = (C * sp.sqrt(Sb2) / eps) ** (1 / nn)
    ratio = sp.powsimp(sp.expand_power_base((HM1 / H2) ** (2 * nn), force=True), force=True)
    s.zero("heads ratio", ratio - Sb2 / Su ** (2 * nn + 2),
           "(H^(M+1)/H^(2))^(2n) == sum b_i^2/(sum u_i)^(2n+2) at equal epsilon")
    _superadditive_steps(s)
    return ("Prop 4.5 vs Thm 4.1 at equal accuracy: the heads ratio identity (SymPy), and ratio <= 1 from "
            "sum b^2 <= (sum b)^2 and (sum u)^(n+1) >= sum u^(n+1) (b_i = u_i^(n+1)), both (sum u)^p >= sum u^p "
            "for u >= 0, p >= 1 and any M, proved by w^p <= w on [0, 1] (SymPy); the width ratio max/sum <= 1 is "
            "immediate")


# --- WE24.thm4.1 width condition: rounding thresholds ---------------------------------------------

def _argue_rounding_thresholds(s: Steps, cells: int) -> Argued:
    u = sp.Symbol("u", nonnegative=True)
    upper = u * sp.exp(u) - (sp.exp(u) - 1)
    lower = u - (1 - sp.exp(-u))
    s.symbolic("e^u - 1 <= u e^u for u >= 0", "f = u e^u - e^u + 1: f(0) = 0, f' = u e^u >= 0",
               upper.subs(u, 0) == 0 and simplifies_to_zero(sp.diff(upper, u) - u * sp.exp(u)))
    s.symbolic("1 - e^{-u} <= u for u >= 0", "f = u - 1 + e^{-u}: f(0) = 0, f' = 1 - e^{-u} >= 0",
               lower.subs(u, 0) == 0 and simplifies_to_zero(sp.diff(lower, u) - (1 - sp.exp(-u))))
    s.compare("e^{1/4} < 2 (Arb)", sp.exp(sp.Rational(1, 4)), sp.Integer(2), {}, cells, strict=True)
    # With u = 1/(4T), g <= T: g(e^u - 1) <= T u e^u = e^u/4 <= e^{1/4}/4 < 1/2 and g(1 - e^{-u}) <= T u = 1/4 < 1/2.
    # The larger side is e^u - 1 (e^u + e^{-u} - 2 = (e^{u/2} - e^{-u/2})^2), at g = T: that is the registered bound.
    s.zero("the upper side is the larger", (sp.exp(u) - 1) - (1 - sp.exp(-u)) - (sp.exp(u / 2) - sp.exp(-u / 2)) ** 2,
           "(e^u - 1) - (1 - e^{-u}) == (e^{u/2} - e^{-u/2})^2 >= 0")
    s.zero("the bound is the worst gap", LOG_ROUNDING_GAP.expr.subs(T, 1 / (4 * u)) - (sp.exp(u) - 1) / (4 * u),
           f"{LOG_ROUNDING_GAP.id} at T = 1/(4u) == T (e^u - 1), the upper side at g = T; <= e^u/4 by the first step")
    gaps = {str(t): enclose(LOG_ROUNDING_GAP.expr, {"T": t}).str(10) for t in (1, 10, 1000)}
    # negative control: tolerance 1/T instead of 1/(4T) lets g = T = 4 round to 5
    wrong = enclose(4 * sp.exp(sp.Rational(1, 4)), {})
    s.arb("tolerance 1/T is too loose", "4 e^{1/4} > 4.5, so log g + 1/T with g = T = 4 rounds to 5",
          bool(wrong.lower() > 4.5), value=wrong.str(10))
    return Argued("the log-precision FFN returns g exactly when |ell - log g| <= 1/(4T), 1 <= g <= T (gap <= e^{1/4}/4 "
                  "< 1/2 on both sides; SymPy for the two elementary inequalities, Arb for e^{1/4} < 2); lin needs |g~ - g| < "
                  "1/2 by the definition of [.]; a 1/T tolerance fails (exact counterexample)", {"T(e^{1/(4T)} - 1)": gaps})


# --- WE24.thm4.1 / prop4.3 score identities ------------------------------------------------------

def _argue_score_identities(s: Steps, cells: int | None) -> str:
    b, g, s_, B, p = sp.symbols("beta g s B p", positive=True)
    log2 = sp.log(2)
    s.zero("lin score", b * g - b * s_ + b * (s_ - g), "beta g - beta s == -beta (s - g)")
    s.zero("log score", sp.expand_log(b * sp.log(g) - b * sp.log(s_) + b * sp.log(s_ / g), force=True),
           "beta log g - beta log s == -beta log(s/g)")
    s.zero("lin dot product", sp.sqrt(b) * g * sp.sqrt(b) - b * g, "(sqrt(beta) g)(sqrt(beta) 1) == beta g")
    s.zero("log dot product", sp.sqrt(b) * sp.log(g) * sp.sqrt(b) * log2 / log2 - b * sp.log(g),
           "(sqrt(beta) log g)(sqrt(beta) log 2/log 2) == beta log g")
    s.zero("lin shift", sp.exp(-b * (s_ - B)) - sp.exp(b * B) * sp.exp(-b * s_), "e^{-beta (s - B)} == e^{beta B} e^{-beta s}")
    s.zero("log shift", sp.powsimp(sp.expand_power_base((s_ / B) ** (-b), force=True), force=True) - B**b * s_ ** (-b),
           "(s/B)^{-beta} == B^beta s^{-beta}")
    s.zero("TMX lin", p * (-s_ - (-g)) + p * (s_ - g), "p (phi_lin(s) - phi_lin(g)) == -p (s - g)")
    s.zero("TMX log", sp.expand_log(p * (-sp.log(s_) + sp.log(g)) + p * sp.log(s_ / g), force=True),
           "p (phi_log(s) - phi_log(g)) == -p log(s/g)")
    return ("the dot-product scores of Thm 4.1 (card §4.3), the TMX scores of Prop 4.3 (card §4.4) and the "
            "shift identities that turn a shifted kernel into an unshifted one with rescaled alpha (SymPy)")


def claims() -> list[Claim]:
    return [
        argument("WE24.def.normaliser", "closed_forms", "Z_lin(p) = 1/(1-e^{-p}), Z_log(p) = zeta(p), and their window forms",
                 "card §2 WE24.def.normaliser, §6", _argue_normalisers),
        argument("WE24.thm3.1", "optimal_head_split", "H_k = H a_k/sum a minimises sum_k C a_k^(n+1)/H_k^n, with value "
                 "C (sum a)^(n+1)/H^n", "Thm 3.1 / B.1 head allocation; card §6", _argue_optimal_split),
        argument("WE24.thm5.1", "equal_split", "M C/(H/M)^n = C M^(n+1)/H^n", "Thm 5.1 / E.1; card §6", _argue_equal_split,
                 bounds=(EQUAL_SPLIT,)),
        argument("WE24.thm3.1", "heads_needed", "H_lin(eps) and H_log(eps) solve the bounds; log H_lin ~ T, log H_log ~ log T",
                 "Thm 3.1 reading; card §6", _argue_heads_needed, bounds=(HEADS_LIN, HEADS_LOG)),
        argument("WE24.thm5.1", "admissible_ranges", "(A) 1 <= n <= floor(99 beta); (B) 1 <= n <= floor(0.99 beta) - 1",
                 "Thm 5.1 / E.1; card §6", _argue_admissible, budget={"arithmetic": "exact rationals"}),
        argument("WE24.thm4.4", "depth_and_special_cases", "L = K + 1 + 1{M >= K+1} (the card's fixtures); K = 0 is Thm 4.1 "
                 "and K = M is Prop 4.5 (every M)", "Thm 4.4 / D.1; card §6", _argue_depth),
        argument("WE24.prop4.5", "heads_and_width_comparison", "at equal accuracy the (M+1)-layer model needs no more heads "
                 "and no more width than the 2-layer one", "Prop 4.5; card §6", _argue_prop45),
        argument("WE24.thm4.1", "width_rounding_thresholds", "FFN accuracy 1/2 (lin) or 1/(4T) (log) lets the precision FFN "
                 "return g exactly", "Thm 4.1 / C.2 width condition; card §3", _argue_rounding_thresholds,
                 bounds=(LOG_ROUNDING_GAP,), cells=2000, budget=lambda cells: {"cells": cells, "arb_prec_bits": 128},
                 method="symbolic+arb"),
        argument("WE24.thm4.1", "score_identities", "dot-product and TMX scores equal -beta(s-g) and -beta log(s/g); shifted "
                 "kernels are unshifted ones with rescaled alpha", "card §4.3, §4.4, §6", _argue_score_identities),
    ]
