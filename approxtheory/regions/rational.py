"""Exact integer encodings: rationals over a common denominator, held as int64 when provably safe.

Float weights are read as their exact binary values (float.as_integer_ratio), so every count built on these
encodings is exact for the network as stored (GYZ26.def.linear_regions, 'Exact counting').
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

import numpy as np

from ..core import ApproxTheoryError

#: Largest bit length an int64 intermediate may reach; above it arrays switch to Python ints (dtype=object).
INT64_BITS = 62


def as_fraction(value: Any, where: str = "value") -> Fraction:
    """The exact rational value of an int, Fraction or float (floats read as their binary value)."""
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise ApproxTheoryError(f"{where} is not finite ({value})", "use finite numbers")
        return Fraction(*float(value).as_integer_ratio())
    try:
        return Fraction(value)
    except (TypeError, ValueError):
        raise ApproxTheoryError(f"{where} is not a rational number: {value!r}",
                                "pass ints, floats or Fractions") from None


def integer_grid(values: Any, where: str = "array") -> tuple[np.ndarray, int]:
    """Exact numerators (object array, same shape) over one positive common denominator (the lcm)."""
    arr = np.asarray(values, dtype=object)
    fracs = [as_fraction(v, where) for v in arr.ravel()]
    den = math.lcm(*(f.denominator for f in fracs)) if fracs else 1
    nums = np.empty(len(fracs), dtype=object)
    for i, f in enumerate(fracs):
        nums[i] = f.numerator * (den // f.denominator)
    return nums.reshape(arr.shape), den


def bitlen(*arrays: np.ndarray | int) -> int:
    """Largest bit length of |entry| over the arrays (0 for empty), exact for int64 and Python ints."""
    best = 0
    for a in arrays:
        if isinstance(a, (int, np.integer)):
            best = max(best, abs(int(a)).bit_length())
            continue
        if a.size == 0:
            continue
        if a.dtype == object:
            best = max(best, max(abs(int(v)).bit_length() for v in a.flat))
        else:
            best = max(best, max(abs(int(a.max())), abs(int(a.min()))).bit_length())
    return best


def cast(bits: int, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """The arrays as int64 if every intermediate stays under INT64_BITS bits, else as Python-int object arrays."""
    dtype: Any = np.int64 if bits <= INT64_BITS else object
    return tuple(a if a.dtype == dtype else a.astype(dtype) for a in arrays)


def reduce_fractions(num: np.ndarray, den: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """num/den in lowest terms (den > 0 assumed), elementwise."""
    if num.size == 0:
        return num, den
    g = np.gcd(num, den)
    g = np.where(g == 0, 1, g)
    return num // g, den // g


def fractions_of(num: Iterable[Any], den: Iterable[Any]) -> tuple[Fraction, ...]:
    """Python Fractions from numerator and denominator sequences."""
    return tuple(Fraction(int(n), int(d)) for n, d in zip(num, den))


def to_float(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Float copies of num/den; correctly rounded for Python ints, near-correct for int64 (exact below 2^53)."""
    if num.dtype == object or den.dtype == object:
        return np.array([int(n) / int(d) for n, d in zip(num, den)], dtype=np.float64)
    return num.astype(np.float64) / den.astype(np.float64)


def common_factor(Q: int, *arrays: np.ndarray) -> int:
    """gcd of Q and every entry of the arrays (>= 1): dividing it out keeps integers small."""
    g = Q
    for a in arrays:
        if a.size and g != 1:
            g = math.gcd(int(np.gcd.reduce(a.ravel())), g)
    return max(g, 1)
