"""The record of a certified argument: named steps, each with its kind, and the verdict they allow.

Every step says how it was checked (its ``kind``). ``symbolic`` (a SymPy identity or sign fact),
``exact`` (exact rational or integer arithmetic) and ``arb`` (interval arithmetic) are certificates;
``float`` (floating point), ``sampled`` (a general fact checked at sample points) and ``instances``
(a general fact checked on finitely many instances) are evidence. The outcome is the weakest step:
``certified`` only when every step holds and is a certificate, ``supported`` when every step holds
but some are evidence (the method names the weakest kinds), ``inconclusive`` when a step fails (a
simplification that did not reach 0 proves nothing either way).

The exception is a *decisive* comparison, an inequality the claim itself implies: a point where Arb
confirms it false refutes the claim, and the outcome carries that point as a witness that
:func:`replay_comparison` re-checks.

Cross-checks are not part of the argument: they compare the package's floating-point code (or a
spot value) with what the steps proved. They cannot raise a verdict, only block it: a failed
cross-check makes the outcome inconclusive, since the code and the proof then disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import flint
import sympy as sp

from ..core import ApproxTheoryError, Outcome, Replay, Status, Witness
from ..core.verdict import StepKind
from .comparison import certify_leq, confirm_counterexample
from .exact import to_fraction
from .precision import working_precision

WITNESS_KIND = "arb_comparison"
REPLAY_PREC = 128  # bits, as certify_leq's default


_DECIMAL = re.compile(r"[+-]?(?P<int>[0-9]+)(?:\.(?P<frac>[0-9]*))?(?:[eE](?P<exp>[+-]?[0-9]+))?")


def simplifies_to_zero(expr: sp.Expr) -> bool:
    """True when SymPy simplifies ``expr`` to 0 (a False may also mean 'could not simplify')."""
    return bool(sp.simplify(expr) == 0)


def printed_decimal(text: str) -> tuple[flint.arb, flint.arb]:
    """The value of a printed decimal such as ``-1.25e-3`` and the unit of its last printed digit (Arb balls).

    Mantissa and exponent both count: ``1.9e-10`` is 1.9 * 10^-10 with last digit 10^-11."""
    if not isinstance(text, str) or not (m := _DECIMAL.fullmatch(text.strip())):
        raise ApproxTheoryError(f"not a printed decimal number: {text!r}",
                                "write digits with an optional point and exponent, e.g. 0.0198 or 1.9e-10")
    frac = m.group("frac") or ""
    scale = int(m.group("exp") or 0) - len(frac)  # the last printed digit is worth 10^scale
    mantissa = int(m.group("int") + frac) * (-1 if text.strip().startswith("-") else 1)
    unit = flint.arb(10) ** scale
    return mantissa * unit, unit


@dataclass
class Steps:
    """The record of an argument: named steps, each with its kind, whether it held and what was checked."""

    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    witness: Witness | None = None
    cross_checks: dict[str, dict[str, Any]] = field(default_factory=dict)

    def record(self, kind: StepKind | str, name: str, check: str, holds: bool, **extra: Any) -> bool:
        """Record one step of the given kind; returns whether it held."""
        if name in self.items:
            raise ValueError(f"step {name!r} recorded twice")
        self.items[name] = {"kind": StepKind(kind).value, "holds": bool(holds), "check": check, **extra}
        return bool(holds)

    # certificates
    def symbolic(self, name: str, check: str, holds: bool, **extra: Any) -> bool:
        """A SymPy identity, sign or limit fact, general in its symbols."""
        return self.record(StepKind.SYMBOLIC, name, check, holds, **extra)

    def exact(self, name: str, check: str, holds: bool, **extra: Any) -> bool:
        """A fact decided in exact rational or integer arithmetic (about exactly the values it names)."""
        return self.record(StepKind.EXACT, name, check, holds, **extra)

    def arb(self, name: str, check: str, holds: bool, **extra: Any) -> bool:
        """A fact decided by Arb interval arithmetic (rigorous enclosures)."""
        return self.record(StepKind.ARB, name, check, holds, **extra)

    # evidence
    def float(self, name: str, check: str, holds: bool, **extra: Any) -> bool:
        """A floating-point comparison: evidence, never a certificate."""
        return self.record(StepKind.FLOAT, name, check, holds, **extra)

    def sampled(self, name: str, check: str, holds: bool, **extra: Any) -> bool:
        """A general fact checked only at sample points."""
        return self.record(StepKind.SAMPLED, name, check, holds, **extra)

    def instances(self, name: str, check: str, holds: bool, **extra: Any) -> bool:
        """A general fact checked (even exactly) only on finitely many instances."""
        return self.record(StepKind.INSTANCES, name, check, holds, **extra)

    def cross_check(self, kind: StepKind | str, name: str, check: str, holds: bool, **extra: Any) -> bool:
        """Not a step of the argument: the package's code (or a spot value) against what the steps proved.
        It cannot raise the verdict; if it fails, the outcome is inconclusive."""
        self.cross_checks[name] = {"kind": StepKind(kind).value, "holds": bool(holds), "check": check, **extra}
        return bool(holds)

    def zero(self, name: str, expr: sp.Expr, check: str) -> bool:
        """SymPy shows ``expr`` simplifies to 0."""
        return self.symbolic(name, check, simplifies_to_zero(expr))

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
        inequality = f"{lhs} {'<' if strict else '<='} {rhs}"
        box_text = {k: [str(v) for v in (val if isinstance(val, tuple) else (val,))] for k, val in box.items()}
        return self.arb(name, f"certify_leq: {inequality} on the box", result.status is Status.CERTIFIED,
                        inequality=inequality, box=box_text, status=result.status.value, cells_used=result.cells_used)

    def digits(self, name: str, ball: flint.arb, text: str, *, rounded: bool) -> bool:
        """The card's decimal ``text`` (mantissa and exponent) is the certified value rounded (or truncated
        toward zero) at its last printed digit."""
        printed, unit = printed_decimal(text)
        if rounded:
            holds = bool((ball - printed).abs_upper() < (unit / 2).lower())
        else:  # |printed| <= |value| < |printed| + unit, with the value's sign
            sign = -1 if text.strip().startswith("-") else 1
            gap = sign * (ball - printed)
            holds = bool(gap.lower() >= 0 and (unit - gap).lower() > 0)
        return self.arb(name, f"the printed {text} is the value {'rounded' if rounded else 'truncated'} at its last digit",
                        holds, card=text, reading="rounded" if rounded else "truncated", arb=ball.str(20))

    @property
    def ok(self) -> bool:
        return all(step["holds"] for step in (*self.items.values(), *self.cross_checks.values()))

    @property
    def evidence_kinds(self) -> list[str]:
        """The evidence-grade kinds among the steps (empty when every step is a certificate)."""
        return sorted({s["kind"] for s in self.items.values() if not StepKind(s["kind"]).certificate})

    def outcome(self, checked: str, budget: dict[str, Any], evidence: dict[str, Any] | None = None,
                method: str | None = None) -> Outcome:
        """The weakest step decides: refuted by a decisive comparison's counterexample; inconclusive when a
        step or cross-check fails (or nothing was checked); supported when all hold but some step is
        evidence; certified when all hold and every step is a certificate."""
        weak = self.evidence_kinds
        method = method or "+".join(sorted({s["kind"] for s in self.items.values()}))
        if self.witness:
            status = Status.REFUTED
        elif not self.items or not self.ok:
            status = Status.INCONCLUSIVE
        elif weak:
            status = Status.SUPPORTED
            method = f"{method}; weakest step: {', '.join(weak)}"
        else:
            status = Status.CERTIFIED
        record = {"steps": self.items, **({"cross_checks": self.cross_checks} if self.cross_checks else {})}
        return Outcome(status, method, checked, budget, {**record, **(evidence or {})}, self.witness)


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
