"""The record of a certified argument: named steps, each a SymPy fact or an Arb comparison.

A claim's verifier collects steps and turns them into an Outcome: `certified` only when every
step holds; a failed step makes it `inconclusive` (a simplification that did not reach 0 proves
nothing either way).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import flint
import sympy as sp

from ..core import Outcome, Status
from .comparison import certify_leq


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

    def outcome(self, checked: str, budget: dict[str, Any], evidence: dict[str, Any] | None = None,
                method: str = "symbolic+arb") -> Outcome:
        """Certified when every step holds; otherwise inconclusive (never refuted: a failed proof refutes nothing)."""
        status = Status.CERTIFIED if self.ok else Status.INCONCLUSIVE
        return Outcome(status, method, checked, budget, {"steps": self.items, **(evidence or {})})
