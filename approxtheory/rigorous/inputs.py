"""The one door into the rigorous layer: read expressions and a box, check assumptions, trap raw errors.

Every entry point (certify_leq, enclose, recheck, nonnegative_on_orthant, evaluate) goes through
here, so the string, Float, box-key and assumption policies of :mod:`.symbols` and
:mod:`.assumptions` hold the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import sympy as sp

from approxtheory.core import ApproxTheoryError

from .assumptions import plain_real
from .cells import Cell, read_box
from .symbols import as_expr, match_keys, symbols_by_name


def prepare(values: Sequence[Any], box: Mapping[Any, Any]) -> tuple[list[sp.Expr], tuple[str, ...], Cell, set[str]]:
    """The expressions (plain real symbols, exact numbers), the box's names in its order, the box as a Cell,
    and the names of the integer symbols; any mismatch between box and expressions is an ApproxTheoryError."""
    exprs = [as_expr(v) for v in values]
    names = tuple(match_keys(box, symbols_by_name(*exprs)))
    cell = read_box(box, names)
    real, integers = plain_real(exprs, dict(zip(names, cell)))
    return real, names, cell, integers


@contextmanager
def boundary(what: Any) -> Iterator[None]:
    """Turn a raw SymPy / python-flint / Python error inside the block into an ApproxTheoryError naming ``what``."""
    try:
        yield
    except ApproxTheoryError:
        raise
    except (ArithmeticError, ValueError, TypeError, AttributeError, RecursionError, NotImplementedError,
            sp.SympifyError, sp.PolynomialError) as err:
        raise ApproxTheoryError(
            f"the rigorous layer failed on {what}: {type(err).__name__}: {err}",
            "simplify the expression or report it as a bug",
        ) from None
