"""The record of a certified argument: named steps, each a SymPy fact or an Arb comparison.

A claim's verifier collects steps and turns them into an Outcome: `certified` only when every
step holds; a failed step makes it `inconclusive` (a simplification that did not reach 0 proves
nothing either way). The exception is a *decisive* comparison, an inequality the claim itself
implies: a point where Arb confirms it false refutes the claim, and the outcome carries that
point as a witness that :func:`replay_comparison` re-checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import flint
import sympy as sp

from ..core import ApproxTheoryError, Outcome, Replay, Status, Witness
from .comparison import certify_leq, confirm_counterexample
from .exact import to_fraction
from .precision import working_precision

WITNESS_KIND = "arb_comparison"
REPLAY_PREC = 128  # bits, as certify_leq's default


@dataclass
class Steps:
    """The record of a certified argument: named steps, each holding or not, with what was checked."""

    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    witness: Witness | None = None

    def symbolic(self, name: str, check: str, holds: bool) -> bool:
        self.items[name] = {"holds": bool(holds), "check": check}
        return bool(holds)

    def zero(self, name: str, expr: sp.Expr, check: str) -> bool:
        """SymPy shows ``expr`` simplifies to 0."""
        return self.symbolic(name, check, sp.simplify(expr) == 0)

    def compare(self, name: str, lhs: sp.Expr, rhs: sp.Expr, box: dict[str, Any], cells: int, strict: bool = False,
                decisive: bool = False) -> bool:
        """Arb branch and bound shows lhs <= rhs (or <) on the box. ``decisive``: the claim implies this
        inequality, so a confirmed counterexample refutes the claim (not just this proof)."""
        result = certify_leq(lhs, rhs, box, budget=cells, strict=strict)
        if decisive and result.status is Status.REFUTED and result.witness is not None and self.witness is None:
            self.witness = Witness(
                claim_id="",  # stamped by Claim.check
                inputs={"kind": WITNESS_KIND, "step": name, "lhs": sp.srepr(lhs), "rhs": sp.srepr(rhs),
                        "strict": strict, "point": result.witness["point"]},
                observed={k: result.witness[k] for k in ("lhs", "rhs", "lhs_minus_rhs", "confirmed")},
                note=f"{lhs} {'<' if strict else '<='} {rhs} fails at this point (Arb)")
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
        """Certified when every step holds; refuted by a decisive comparison's counterexample; otherwise
        inconclusive (a failed proof refutes nothing)."""
        status = Status.REFUTED if self.witness else Status.CERTIFIED if self.ok else Status.INCONCLUSIVE
        return Outcome(status, method, checked, budget, {"steps": self.items, **(evidence or {})}, self.witness)


_QUOTED = re.compile(r"'[^'\\]*'")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\s*=)?")


def _from_srepr(text: str) -> sp.Expr:
    """Rebuild an expression written by ``sp.srepr``, refusing anything else: SymPy parses with ``eval``,
    so a witness file may only name SymPy expression classes, constants (pi, oo, I) and assumption keywords."""
    if not isinstance(text, str):
        raise TypeError(f"expected an srepr string, got {type(text).__name__}")
    for m in _NAME.finditer(_QUOTED.sub("''", text)):
        name = m.group(0).rstrip("= ")
        if m.group(1) or name in ("True", "False"):
            continue  # an assumption keyword (positive=True) or its value
        obj = getattr(sp, name, None)
        if not (isinstance(obj, sp.Basic) or (isinstance(obj, type) and issubclass(obj, sp.Basic))):
            raise ValueError(f"{name!r} is not a SymPy expression class or constant")
    return sp.sympify(text)


def replay_comparison(witness: Witness) -> Replay:
    """Re-check a decisive comparison's counterexample: exact substitution of the point, then Arb."""
    data = witness.inputs
    if data.get("kind") != WITNESS_KIND:
        raise ApproxTheoryError(f"this witness is not an Arb comparison counterexample (kind {data.get('kind')!r})",
                                "replay it with the claim that wrote it")
    try:
        lhs, rhs = _from_srepr(data["lhs"]), _from_srepr(data["rhs"])
        point = {k: to_fraction(v, f"point coordinate {k}") for k, v in data["point"].items()}
    except (KeyError, AttributeError, TypeError, ValueError, sp.SympifyError) as err:
        raise ApproxTheoryError(f"the comparison witness is malformed ({err})",
                                "re-create it with `approxtheory check`") from None
    with working_precision(REPLAY_PREC):
        found = confirm_counterexample(lhs, rhs, point, bool(data.get("strict")), REPLAY_PREC)
    if found is None:
        return Replay(False, {"point": data["point"]}, f"{data.get('step')}: Arb no longer shows the inequality failing")
    return Replay(True, found, f"{data.get('step')}: {found['confirmed']}")
