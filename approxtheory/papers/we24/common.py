"""Shared pieces of the WE24 claims: the source, the claim factory, and certified-step bookkeeping."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy as sp

from ...core import CheckContext, Claim, Outcome, Provenance, Scope, Source
from ...rigorous.steps import Steps

VERSION = "NeurIPS 2024 camera-ready (arXiv:2402.00522), read in full; card wang_e_2024.md"


def source(location: str) -> Source:
    return Source(paper="WE24", version=VERSION, location=location)


def claim(card_id: str, scope: Scope, name: str, statement: str, location: str,
          verify: Callable[[CheckContext], Outcome], **kw: Any) -> Claim:
    """A WE24 claim with id ``<card_id>.<scope>.<name>``; the paper's own statements are ``primary``."""
    return Claim(id=f"{card_id}.{scope.value}.{name}", statement=statement, source=source(location),
                 provenance=kw.pop("provenance", Provenance.PRIMARY), scope=scope, verify=verify, **kw)


def step(description: str, holds: bool, **extra: Any) -> dict[str, Any]:
    """One certified step: a symbolic identity or an exact-arithmetic fact, and whether it held."""
    return {"holds": bool(holds), "check": description, **extra}


def is_zero(expr: sp.Expr) -> bool:
    """True when SymPy proves ``expr`` identically zero (a False may also mean 'could not simplify')."""
    return bool(sp.simplify(expr) == 0)


def certified(steps: dict[str, dict[str, Any]], checked: str, budget: dict[str, Any],
              extra: dict[str, Any] | None = None, method: str = "symbolic+exact") -> Outcome:
    """Certified when every step holds; a failed symbolic or exact step is inconclusive, never refuted."""
    return Steps(items=dict(steps)).outcome(checked, budget, extra, method=method)
