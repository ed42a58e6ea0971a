"""approxtheory: approximation theorems for transformers as executable claims.

Importing this package is cheap (no JAX); :func:`registry` loads the paper modules on demand.
To encode a theorem of your own, use :mod:`approxtheory.author` (tutorial: docs/encode-a-theorem.md).
"""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .core import ApproxTheoryError, Bound, CheckContext, Claim, Registry, Status, Verdict, Witness

__version__ = "0.1.0"

PAPER_PACKAGES = ("approxtheory.papers",)
# Names of approxtheory.core re-exported here, imported on first use: the command's entry point (_entry) imports
# this package before it can handle Ctrl-C, so the package itself imports nothing heavy (SymPy comes with core).
_CORE_NAMES = ("ApproxTheoryError", "Bound", "CheckContext", "Claim", "Registry", "Status", "Verdict", "Witness")


def __getattr__(name: str) -> Any:
    if name in _CORE_NAMES:
        return getattr(importlib.import_module(".core", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def registry() -> Registry:
    """Every claim: the built-in paper modules plus the ``approxtheory.claims`` entry points."""
    from .core import Registry

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
