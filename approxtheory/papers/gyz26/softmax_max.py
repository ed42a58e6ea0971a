"""GYZ26.lem.softmax_max: 0 <= max z - <softmax(beta z), z> <= c(n)/beta, and its sharp form.

Certified claims rest on SymPy algebra and Arb subdivision (approxtheory.rigorous); the
statement over all inputs is searched numerically and can only be ``supported``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import scipy.special
import sympy as sp

from ...author import Comparison, Steps, argument_claim, ratio_search_claim
from ...constructions.softmax_max import softmax_gap, softmax_gap_arb
from ...core import Bound, Claim, Source, SymbolSpec, WitnessInputs
from ...core.witness import read_real
from ...rigorous import enclose
from ...rigorous.steps import simplifies_to_zero
from ...search import Confirmation, RatioSearch
from ...strategies import GapInput, softmax_gap_inputs

CARD = "GYZ26.lem.softmax_max"
SOURCE = Source(
    paper="GYZ26",
    version="arXiv:2603.03084v1, abstract only; statement reconstructed on the card",
    location="card §3 GYZ26.lem.softmax_max",
)
MAX_TOKENS = 8  # the search pads every input to this width, so the JAX kernel compiles once

N = SymbolSpec("n", "number of tokens (entries of z)", lo=2, integer=True)
BETA = SymbolSpec("beta", "inverse temperature of the softmax", lo=sp.Rational(1, 10**6), unit="1/score")
n, beta = N.symbol, BETA.symbol
_canonical = tuple({"n": k, "beta": b} for k in (2, 3, 5, 6, 16) for b in (1, 10))

ELEMENTARY = Bound(
    id=f"{CARD}.bound.elementary",
    expr=sp.Min(sp.log(n), (n - 1) / sp.E) / beta,
    symbols=(N, BETA),
    description="c(n)/beta with c(n) = min(ln n, (n-1)/e)",
    canonical=_canonical,
)
SHARP = Bound(
    id=f"{CARD}.bound.sharp",
    expr=sp.LambertW((n - 1) / sp.E) / beta,
    symbols=(N, BETA),
    description="W((n-1)/e)/beta, the sharp constant (principal Lambert W)",
    canonical=_canonical,
)

# Card §5 fixtures, to the digits the card prints.
SHARP_FIXTURE = {2: "0.2784645428", 3: "0.4630555134", 4: "0.6035457395", 5: "0.7178245125", 6: "0.8145533119"}
C_FIXTURE = {2: "0.3678794412", 3: "0.7357588823", 4: "1.1036383235", 5: "1.4715177647", 6: "1.7917594692"}
N2_WORST_RATIO = math.e * float(scipy.special.lambertw(1 / math.e).real)  # e W(1/e) = 0.75694510645...


# The decisive comparisons (the claims imply them): verifiers and replays share these, so a replay
# uses the claim's own expressions and box, never a witness file's.
_tt, _bb, _x = sp.symbols("t b x")
TE_MAX_BOX = Comparison("Arb box", _tt * sp.exp(-_bb * _tt), 1 / (sp.E * _bb), {"t": (0, 10), "b": (Fraction(1, 2), 4)})
C_LINEAR_RANGE = Comparison("(n-1)/e <= ln n on [2,5]", (_x - 1) / sp.E, sp.log(_x), {"x": (2, 5)})
C_AT_SIX = Comparison("ln 6 < 5/e", sp.log(6), 5 / sp.E, {}, strict=True)
# x = (n-1)/e for 2 <= n <= 1001 lies in [1/e, 1000/e], inside the rational box [1/3, 368].
_WIDE = {"x": (Fraction(1, 3), 368)}
W_BELOW_LOG = Comparison("W(x) <= ln(1+x) on [1/3, 368]", sp.LambertW(_x), sp.log(1 + _x), _WIDE)
W_BELOW_X = Comparison("W(x) <= x on [1/3, 368]", sp.LambertW(_x), _x, _WIDE)


IDENTITY = {"source": SOURCE, "provenance": "reconstructed"}


def _argue_te_max(steps: Steps, cells: int | None) -> str:
    # The (n-1)/e half of the lemma rests on sup_{t>=0} t e^{-beta t} = 1/(e beta).
    t = sp.Symbol("t", nonnegative=True)
    b = sp.Symbol("beta", positive=True)
    f = t * sp.exp(-b * t)
    steps.symbolic("unique critical point", "solveset(d/dt t e^{-beta t} = 0, t >= 0) == {1/beta}",
                   sp.solveset(sp.diff(f, t), t, sp.Interval(0, sp.oo)) == sp.FiniteSet(1 / b))
    steps.zero("value at the critical point", f.subs(t, 1 / b) - 1 / (sp.E * b), "f(1/beta) == 1/(e beta)")
    steps.symbolic("maximum, not minimum", "f''(1/beta) < 0", bool(sp.simplify(sp.diff(f, t, 2).subs(t, 1 / b)).is_negative))
    steps.symbolic("ends", "f(0) = 0 and f -> 0 as t -> oo", f.subs(t, 0) == 0 and sp.limit(f, t, sp.oo) == 0)
    return ("sup_{t>=0} t e^{-beta t} = 1/(e beta): SymPy (critical point, second derivative, ends) for all beta > 0; "
            "Arb subdivision of t e^{-b t} <= 1/(e b) on t in [0,10], b in [1/2,4] as an independent check")


def _argue_c_closed_form(steps: Steps, cells: int) -> str:
    # c(n) = min(ln n, (n-1)/e) is (n-1)/e for 2 <= n <= 5 and ln n for n >= 6 (card §3); the two
    # decisive comparisons (C_LINEAR_RANGE, C_AT_SIX) are checked by argument_claim.
    s = sp.Symbol("s")
    # d/dn ((n-1)/e - ln n) = 1/e - 1/n; with s = 1/n in (0, 1/6] it is positive, so the
    # difference keeps growing beyond n = 6: an unbounded range reduced to a box.
    steps.compare("derivative 1/e - 1/n > 0 for n >= 6", s, 1 / sp.E, {"s": (0, Fraction(1, 6))}, cells, strict=True)
    for k, text in C_FIXTURE.items():
        steps.digits(f"card fixture c({k})", enclose(ELEMENTARY.expr, {"n": k, "beta": 1}), text, rounded=True)
    return "c(n) = (n-1)/e for real n in [2,5] and ln n for real n >= 6, and the card's c(2..6), by Arb subdivision"


def _argue_sharp_equal_gaps(steps: Steps, cells: int | None) -> str:
    # With m equal gaps u/beta below the max, beta*gap = F(u) = m u e^{-u} / (1 + m e^{-u}).
    # Parametrise m/e = w e^w (so w = W(m/e), principal branch, w >= 0): then u* = 1 + w.
    u, w, m = sp.symbols("u w m", positive=True)
    F = m * u * sp.exp(-u) / (1 + m * sp.exp(-u))
    m_of_w = sp.E * w * sp.exp(w)
    a = m * sp.exp(-u)
    # F' = a (1 - u + a) / (1 + a)^2 with a = m e^{-u} > 0, so F' = 0 iff u = 1 + m e^{-u}.
    steps.zero("critical point equation", sp.diff(F, u) * (1 + a) ** 2 / a - (1 - u + a), "F'(u) (1+a)^2 / a == 1 - u + a, a = m e^{-u}")
    steps.symbolic("unique root", "u - 1 - m e^{-u} is strictly increasing in u", bool((1 + m * sp.exp(-u)).is_positive))
    steps.zero("root is 1 + W(m/e)", (1 + w) - 1 - m_of_w * sp.exp(-(1 + w)), "u = 1 + w solves u = 1 + m e^{-u} when m = e w e^w")
    steps.zero("value is W(m/e)", F.subs(m, m_of_w).subs(u, 1 + w) - w, "F(1 + w) = w when m = e w e^w")
    steps.symbolic("ends", "F(0) = 0 and F -> 0 as u -> oo", F.subs(u, 0) == 0 and sp.limit(F, u, sp.oo) == 0)
    # W(x) <= ln(1+x) and W(x) <= x for every x >= 0: with w = W(x) >= 0, x = w e^w.
    # 1 + x >= e^w since g(w) = 1 + (w-1) e^w has g(0) = 0, g' = w e^w >= 0; x - w = w (e^w - 1) >= 0 as e^w >= e^0.
    wv, k = sp.symbols("w k", nonnegative=True)
    g = 1 + (wv - 1) * sp.exp(wv)
    steps.symbolic("W(x) <= ln(1+x), every x >= 0", "x = w e^w, w = W(x) >= 0: 1 + w e^w - e^w = g(w), g(0) = 0, g' = w e^w >= 0",
                   g.subs(wv, 0) == 0 and simplifies_to_zero(sp.diff(g, wv) - wv * sp.exp(wv))
                   and bool((wv * sp.exp(wv)).is_nonnegative))
    steps.symbolic("W(x) <= x, every x >= 0", "x - w = w (e^w - 1) and e^w >= e^0 = 1 since d/dw e^w = e^w > 0",
                   simplifies_to_zero(wv * sp.exp(wv) - wv - wv * (sp.exp(wv) - 1)) and bool(sp.exp(wv).is_positive))
    steps.symbolic("hence W((n-1)/e) <= c(n), every n >= 1", "ln(1 + (n-1)/e) <= ln n as n - 1 - (n-1)/e = (n-1)(1 - 1/e) >= 0",
                   bool((k * (1 - sp.exp(-1))).is_nonnegative))
    # x = (n-1)/e for 2 <= n <= 1001 lies in [1/e, 1000/e], inside the rational box [1/3, 368]: W_BELOW_LOG and
    # W_BELOW_X, checked by argument_claim, are an Arb check of the same.
    for k, text in SHARP_FIXTURE.items():
        steps.digits(f"card fixture W({k - 1}/e)", enclose(SHARP.expr, {"n": k, "beta": 1}), text, rounded=True)
    return ("among inputs whose non-maximal entries share one gap, sup beta*(max z - <p,z>) = W((n-1)/e), attained at "
            "beta*gap = 1 + W((n-1)/e) (SymPy); W((n-1)/e) <= c(n) for every n (SymPy, x = w e^w), and by Arb for "
            "2 <= n <= 1001; the card's fixtures (Arb). "
            "That equal gaps are optimal is not certified here: the sharp_gap_bound search tests it")


# --- searched claims ---------------------------------------------------------------------------

def _pad(x: GapInput) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    z = np.zeros((1, MAX_TOKENS))
    z[0, : len(x.z)] = x.z
    mask = np.zeros((1, MAX_TOKENS), dtype=bool)
    mask[0, : len(x.z)] = True
    return z, mask, np.array([x.beta])


REPLAY_MAX_TOKENS = 64


def _gap_decode(d: dict[str, Any]) -> GapInput:
    """A witness's scores z (n >= 2 finite numbers) and beta > 0: the lemma's domain."""
    inputs = WitnessInputs(d, CARD)
    z = inputs.items("z", read_real, limit=REPLAY_MAX_TOKENS)
    beta = inputs.real("beta")
    inputs.require(len(z) >= 2, f"z has {len(z)} entries; the lemma is about n >= 2 tokens")
    inputs.require(beta > 0, f"beta = {beta}: the lemma is about beta > 0")
    return GapInput(tuple(z), beta)


def float_bound(bound: Bound) -> Callable[[int, float], float]:
    """The bound at (n, beta) in float64 (SciPy/NumPy), compiled from the bound's own expression, so that the search's
    ratio and the Arb confirmation read one source (issue #11: a wrong bound must fail the claim that lists it)."""
    value = sp.lambdify((n, beta), bound.expr, modules=["scipy", "numpy"])
    return lambda k, b: float(np.real(value(k, b)))  # scipy's lambertw is complex-typed, real on the principal branch


def _gap_search(bound: Bound) -> RatioSearch[GapInput]:
    at = float_bound(bound)

    def ratio(x: GapInput) -> float:
        gap = float(softmax_gap(*_pad(x))[0])
        return gap / at(len(x.z), x.beta)

    def confirm(x: GapInput) -> Confirmation:
        gap = softmax_gap_arb(x.z, x.beta)
        value = enclose(bound.expr, {"n": len(x.z), "beta": Fraction(x.beta)}, prec=200)
        return Confirmation(
            violates=bool((gap - value).lower() > 0),
            observed={"gap": gap.str(25), "bound": value.str(25), "gap_minus_bound": (gap - value).str(10)},
        )

    return RatioSearch(
        strategy=softmax_gap_inputs(max_tokens=MAX_TOKENS),
        ratio=ratio,
        confirm=confirm,
        encode=lambda x: {"z": [float(v).hex() for v in x.z], "beta": float(x.beta).hex()},
        decode=_gap_decode,
        label=f"gap/{bound.id}",
        # Polish in (log beta, z): the number of tokens stays fixed, every score moves freely.
        flatten=lambda x: np.array([math.log(x.beta), *x.z]),
        unflatten=lambda x, v: GapInput(tuple(float(c) for c in v[1:]), float(np.exp(min(v[0], 700.0)))),
    )


def gap_search(bound: Bound = ELEMENTARY) -> RatioSearch[GapInput]:
    """The search behind a gap claim; exposed so tests can aim it at a deliberately wrong bound."""
    return _gap_search(bound)


def _searched(name: str, statement: str, bound: Bound, fixture: dict[str, float]) -> Claim:
    return ratio_search_claim(
        CARD, name, statement, gap_search(bound), evidence=fixture, bounds=(bound,), default_budget=1000,
        checked=f"searched n in [2,{MAX_TOKENS}], beta in [1e-2,1e4], z either scale*a (scale in [1e-3,10], a in [-1,1]^n) "
                f"or gaps u/beta below an offset (u in [0,20]), then Nelder-Mead from the best input, for "
                f"gap / ({bound.description}) > 1; float64 JAX evaluation, violations confirmed in Arb", **IDENTITY)


def claims() -> list[Claim]:
    return [
        argument_claim(CARD, "te_max", "sup_{t>=0} t e^{-beta t} = 1/(e beta) for every beta > 0", _argue_te_max,
                       comparisons=(TE_MAX_BOX,), cells=20000, **IDENTITY),
        argument_claim(CARD, "c_closed_form", "min(ln n, (n-1)/e) = (n-1)/e for 2 <= n <= 5 and ln n for n >= 6",
                       _argue_c_closed_form, comparisons=(C_LINEAR_RANGE, C_AT_SIX), bounds=(ELEMENTARY,), **IDENTITY),
        argument_claim(CARD, "sharp_equal_gaps",
                       "with equal gaps, sup beta*(max z - <softmax(beta z), z>) = W((n-1)/e) <= c(n)",
                       _argue_sharp_equal_gaps, comparisons=(W_BELOW_LOG, W_BELOW_X), bounds=(SHARP,), **IDENTITY),
        _searched("gap_bound", "max z - <softmax(beta z), z> <= min(ln n, (n-1)/e)/beta", ELEMENTARY,
                  {"n2_worst_ratio_closed_form": N2_WORST_RATIO}),
        _searched("sharp_gap_bound", "max z - <softmax(beta z), z> <= W((n-1)/e)/beta (sharp)", SHARP,
                  {"sup_ratio_closed_form": 1.0}),
    ]


def figure(out_dir: Path) -> Path:
    """beta*gap for n tokens with equal gaps u/beta, computed by the JAX kernel, against both constants."""
    import matplotlib.pyplot as plt

    u = np.linspace(0.0, 8.0, 400)
    c_sharp, c_elementary = float_bound(SHARP), float_bound(ELEMENTARY)
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for k, colour in zip(range(2, 7), plt.cm.viridis(np.linspace(0, 0.9, 5))):
        z = np.zeros((u.size, MAX_TOKENS))
        z[:, 1:k] = -u[:, None]
        mask = np.zeros_like(z, dtype=bool)
        mask[:, :k] = True
        ax.plot(u, softmax_gap(z, mask, np.ones(u.size)), color=colour, label=f"n = {k}")
        ax.axhline(c_sharp(k, 1.0), color=colour, ls=":", lw=1)
        ax.axhline(c_elementary(k, 1.0), color=colour, ls="--", lw=0.8)
    ax.set_xlabel("beta * gap between the max and the other entries")
    ax.set_ylabel("beta * (max z - <softmax(beta z), z>)")
    ax.set_title("GYZ26.lem.softmax_max: dotted W((n-1)/e), dashed min(ln n, (n-1)/e)", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = out_dir / "GYZ26.lem.softmax_max.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
