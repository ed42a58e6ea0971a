"""approxtheory: approximation theorems for transformers as executable claims.

Importing this package is cheap (no JAX); :func:`registry` loads the paper modules on demand.
To encode a theorem of your own, use :mod:`approxtheory.author` (tutorial: docs/encode-a-theorem.md).
"""

from __future__ import annotations

import functools

from .core import (
    ApproxTheoryError,
    Bound,
    CheckContext,
    Claim,
    Registry,
    Status,
    Verdict,
    Witness,
)

__version__ = "0.1.0"

PAPER_PACKAGES = ("approxtheory.papers",)


@functools.cache
def registry() -> Registry:
    """Every claim: the built-in paper modules plus the ``approxtheory.claims`` entry points."""
    return Registry.discover(PAPER_PACKAGES)


__all__ = [
    "ApproxTheoryError",
    "Bound",
    "CheckContext",
    "Claim",
    "Registry",
    "Status",
    "Verdict",
    "Witness",
    "registry",
    "__version__",
]
