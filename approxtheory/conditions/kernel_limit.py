"""The kernel-limit criterion lim_{t->oo} k(x, t y1) / k(x, t y2) in {0, oo} (CLSL25.def.kernel_limit).

Checked in SymPy at generic (random rational) x, y1, y2, with W_K absorbed into y (the card's "generic x
and W_K" reading). Kernels that are finite sums of c t^a exp(P(t)), P a polynomial in t (exponential,
Gaussian, Performer features, polynomials), are compared exactly by their dominant terms: exact rational
arithmetic, no floating point and no limit heuristics. Anything else goes to ``sympy.limit``. The criterion
is sufficient for CLSL25.cor.kernel, not necessary: a finite non-zero limit only means the corollary does
not apply, and the two-sample battery decides.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from ..attention import kernels
from ..core import ConditionResult, ConditionStatus
from ._draws import input_rng, validated

CARD_IDS = ("CLSL25.def.kernel_limit", "CLSL25.cor.kernel")
NOTE = "sufficient, not necessary: a finite non-zero limit only means CLSL25.cor.kernel does not apply"
t = sp.Symbol("t", positive=True)


class _NotExpPolynomial(Exception):
    """The expression is not a finite sum of c * t^a * exp(P(t))."""


def _terms(expr: sp.Expr) -> dict[tuple[tuple[Any, ...], Any], sp.Expr]:
    """expr as {(exponent polynomial coefficients by degree, power of t): coefficient}, like terms summed."""
    out: dict[tuple[tuple[Any, ...], Any], sp.Expr] = {}
    for term in sp.Add.make_args(sp.expand(expr)):
        coeff, power, exponent = sp.Integer(1), sp.Integer(0), sp.Integer(0)
        for factor in sp.Mul.make_args(term):
            base, e = factor.as_base_exp()
            if isinstance(factor, sp.exp):
                exponent += factor.args[0]
            elif base == sp.E:
                exponent += e
            elif base == t and e.is_number:
                power += e
            elif isinstance(base, sp.exp) and e.is_number:
                exponent += e * base.args[0]
            elif t not in factor.free_symbols:
                coeff *= factor
            else:
                raise _NotExpPolynomial(str(factor))
        try:
            poly = sp.Poly(sp.expand(exponent), t).all_coeffs()  # highest degree first
        except sp.PolynomialError:
            raise _NotExpPolynomial(str(exponent)) from None
        coeff *= sp.exp(poly[-1])
        key = (tuple(poly[:-1]), power)
        out[key] = out.get(key, sp.Integer(0)) + coeff
    return {k: v for k, v in out.items() if v != 0}


def _growth(key: tuple[tuple[Any, ...], Any]) -> tuple[Any, ...]:
    """Lexicographic growth order: exponent coefficients from the highest degree down, then the power of t."""
    coeffs, power = key
    return (*coeffs, power)


def _compare(a: tuple[Any, ...], b: tuple[Any, ...]) -> int:
    width = max(len(a), len(b))
    # Pad the exponent coefficients (all but the last entry, the power of t) to a common degree.
    pa = (0,) * (width - len(a)) + a
    pb = (0,) * (width - len(b)) + b
    for x, y in zip(pa, pb):
        if x != y:
            return 1 if x > y else -1
    return 0


def _dominant(expr: sp.Expr) -> tuple[tuple[Any, ...], sp.Expr]:
    terms = _terms(expr)
    if not terms:
        raise _NotExpPolynomial("zero")
    best = None
    for key, coeff in terms.items():
        g = _growth(key)
        if best is None or _compare(g, best[0]) > 0:
            best = (g, coeff)
    return best


def ratio_limit(num: sp.Expr, den: sp.Expr) -> sp.Expr:
    """lim_{t->oo} num/den: exact dominant-term comparison when both are exp-polynomial sums, else sympy.limit."""
    try:
        (gn, cn), (gd, cd) = _dominant(num), _dominant(den)
    except _NotExpPolynomial:
        return sp.limit(num / den, t, sp.oo)
    order = _compare(gn, gd)
    if order == 0:
        return sp.nsimplify(cn / cd)
    sign = sp.sign(sp.N(cn / cd, 30))
    return sign * sp.oo if order > 0 else sp.Integer(0)


def _rational_vector(rng: Any, d: int) -> sp.Matrix:
    return sp.Matrix([sp.Rational(int(v), 8) for v in rng.integers(-16, 17, size=d)])


def check_kernel_limit(attention: Any, *, n: int, d: int, seed: int = 0, points: int = 3) -> ConditionResult:
    """def.kernel_limit at ``points`` generic rational (x, y1, y2); not_applicable without a declared kernel."""
    va = validated(attention, n, d, seed)
    kernel = va.kernel
    if kernel is None and va.meta.family == "softmax":
        kernel = kernels.EXPONENTIAL  # softmax attention is kernel attention with k = e^{q.k} (CLSL25.cor.kernel)
    if kernel is None:
        return ConditionResult(
            "kernel_limit", ConditionStatus.NOT_APPLICABLE,
            "the mechanism declares no kernel, so the kernel-limit criterion (CLSL25.cor.kernel) does not apply",
            {"card_ids": list(CARD_IDS), "note": NOTE},
        )
    rng = input_rng(seed, "kernel")
    evidence: dict[str, Any] = {"card_ids": list(CARD_IDS), "kernel": kernel.name, "note": NOTE, "points": []}
    for _ in range(points):
        x, y1, y2 = (_rational_vector(rng, d) for _ in range(3))
        while y1 == y2:
            y2 = _rational_vector(rng, d)
        try:  # the formula evaluated directly at the point (subs on a symbolic kernel is slow)
            limit = ratio_limit(kernel.formula(x, t * y1), kernel.formula(x, t * y2))
        except Exception as err:  # noqa: BLE001  (SymPy gave up, whatever the reason: no verdict from this point)
            evidence["points"].append({"x": [str(v) for v in x], "error": f"{type(err).__name__}: {err}"})
            return ConditionResult("kernel_limit", ConditionStatus.UNKNOWN,
                                   f"SymPy could not take the limit for kernel {kernel.name} ({type(err).__name__})",
                                   evidence)
        point = {"x": [str(v) for v in x], "y1": [str(v) for v in y1], "y2": [str(v) for v in y2], "limit": str(limit)}
        evidence["points"].append(point)
        if limit not in (sp.Integer(0), sp.oo):
            return ConditionResult(
                "kernel_limit", ConditionStatus.FAILS,
                f"k(x, t y1)/k(x, t y2) tends to {limit} (not 0 or oo) at a generic rational point; {NOTE}",
                evidence,
            )
    return ConditionResult(
        "kernel_limit", ConditionStatus.HOLDS,
        f"k(x, t y1)/k(x, t y2) tends to 0 or oo at {points} generic rational points (kernel {kernel.name}); "
        "sufficient for CLSL25.cor.kernel, not necessary",
        evidence,
    )
