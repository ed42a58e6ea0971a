"""Rigorous numerics: high-precision evaluation, Arb enclosures and certified comparisons of SymPy bounds.

Uses only approxtheory.core, SymPy, mpmath and python-flint (never JAX). Nothing here lets a
float comparison decide a verdict: CERTIFIED comes from Arb interval arithmetic and exact
SymPy arithmetic, REFUTED from a witness point confirmed in Arb.

Every entry point reads its input through :mod:`.inputs` (strings parsed without ``eval`` or
constants, Floats as exact binary rationals, box keys exactly the free symbols, every SymPy
assumption checked on the box) and turns raw SymPy/Arb errors into ApproxTheoryError.
"""

from .comparison import Comparison, certify_leq
from .enclosure import enclose, enclosure_interval
from .evaluation import evaluate
from .polynomial import nonnegative_on_orthant
from .precision import working_precision
from .recheck import recheck

__all__ = [
    "Comparison",
    "certify_leq",
    "enclose",
    "enclosure_interval",
    "evaluate",
    "nonnegative_on_orthant",
    "recheck",
    "working_precision",
]
