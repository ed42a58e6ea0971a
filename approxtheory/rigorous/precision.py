"""Working precision for python-flint, set for a block and always restored."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import flint

from approxtheory.core import ApproxTheoryError


@contextmanager
def working_precision(prec: int) -> Iterator[None]:
    """Run a block with ``flint.ctx.prec = prec`` bits, restoring the old value, so callers never leak precision."""
    if not isinstance(prec, int) or isinstance(prec, bool) or prec < 8:
        raise ApproxTheoryError(f"precision must be an integer number of bits >= 8, got {prec!r}")
    old = flint.ctx.prec
    flint.ctx.prec = prec
    try:
        yield
    finally:
        flint.ctx.prec = old
