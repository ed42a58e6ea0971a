"""What every JL24 claim module shares: the source, claim construction and certified-step records.

A certified verdict is built from steps, each a SymPy identity/sign fact or an Arb comparison;
a step that fails makes the claim inconclusive (a failed simplification proves nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import flint
import sympy as sp

from ...core import (
    CheckContext,
    Claim,
    Outcome,
    Provenance,
    Replay,
    Scope,
    Source,
    Status,
)
from ...rigorous import certify_leq

VERSION = "NeurIPS 2024 camera-ready (arXiv 2305.18475; card jiang_li_2024.md)"


def source(location: str) -> Source:
    return Source(paper="JL24", version=VERSION, location=location)


def claim(card_id: str, scope: Scope, name: str, statement: str, verify: Callable[[CheckContext], Outcome], *,
          location: str, provenance: Provenance = Provenance.PRIMARY, **kw: Any) -> Claim:
    """A claim with id ``<card_id>.<scope>.<name>``."""
    return Claim(id=f"{card_id}.{scope.value}.{name}", statement=statement, source=source(location),
                 provenance=provenance, scope=scope, verify=verify, **kw)


@dataclass
class Steps:
    """The record of a certified argument: named steps, each holding or not, with what was checked."""

    items: dict[str, dict[str, Any]] = field(default_factory=dict)

    def symbolic(self, name: str, check: str, holds: bool) -> bool:
        self.items[name] = {"holds": bool(holds), "check": check}
        return bool(holds)

    def zero(self, name: str, expr: sp.Expr, check: str) -> bool:
        """SymPy shows ``expr`` simplifies to 0."""
        return self.symbolic(name, check, sp.simplify(expr) == 0)

    def compare(self, name: str, lhs: sp.Expr, rhs: sp.Expr, box: dict[str, Any], cells: int, strict: bool = False) -> bool:
        """Arb branch and bound shows lhs <= rhs (or <) on the box."""
        result = certify_leq(lhs, rhs, box, budget=cells, strict=strict)
        self.items[name] = {
            "holds": result.status is Status.CERTIFIED,
            "inequality": f"{lhs} {'<' if strict else '<='} {rhs}",
            "box": {k: [str(v) for v in (val if isinstance(val, tuple) else (val,))] for k, val in box.items()},
            "status": result.status.value,
            "cells_used": result.cells_used,
        }
        return result.status is Status.CERTIFIED

    def digits(self, name: str, ball: flint.arb, text: str, *, rounded: bool) -> bool:
        """The card's decimal ``text`` is the certified value rounded (or truncated) at its last printed digit."""
        places = len(text.split(".")[1])
        printed = flint.arb(text)
        ulp = flint.arb(10) ** (-places)
        if rounded:
            holds = bool((ball - printed).abs_upper() < (ulp / 2).lower())
        else:
            holds = bool((ball - printed).lower() >= 0 and (printed + ulp - ball).lower() > 0)
        self.items[name] = {"holds": holds, "card": text, "reading": "rounded" if rounded else "truncated",
                            "arb": ball.str(20)}
        return holds

    @property
    def ok(self) -> bool:
        return all(step["holds"] for step in self.items.values())

    def outcome(self, checked: str, budget: dict[str, Any], evidence: dict[str, Any] | None = None) -> Outcome:
        status = Status.CERTIFIED if self.ok else Status.INCONCLUSIVE
        return Outcome(status, "symbolic+arb", checked, budget, {"steps": self.items, **(evidence or {})})


def replay_result(reproduced: bool, observed: dict[str, Any], yes: str, no: str) -> Replay:
    return Replay(reproduced=reproduced, observed=observed, explanation=yes if reproduced else no)
