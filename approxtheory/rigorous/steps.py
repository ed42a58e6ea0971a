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
spot value) with what the steps proved, and are redundant to the certificate. They are allowed next
to a certificate only under two rules, which :meth:`Steps.outcome` applies and ``Verdict`` enforces
again: a cross-check never counts towards a verdict (cross-checks alone leave the outcome
inconclusive, and a passing one neither raises nor lowers what the steps allow), and a failed
cross-check fails the claim (inconclusive), since the code and the proof then disagree.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import flint
import numpy as np
import sympy as sp

from ..core import ApproxTheoryError, Outcome, Replay, Status, Witness, WitnessInputs
from ..core.verdict import StepKind
from ..core.witness import read_rational
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
        held = _truth(holds, f"step {name!r}")
        self.items[name] = {"kind": StepKind(kind).value, "holds": held, "check": check, **extra}
        return held

    def include(self, prefix: str, other: Steps) -> None:
        """Record the steps of another argument (a lemma proved once and reused) here, each named ``prefix +
        its name`` and kept as it was, through :meth:`record` (so a name recorded twice is still an error).
        Only steps: a lemma with a witness or cross-checks is a claim of its own, not a part of this one."""
        if other.witness is not None or other.cross_checks:
            raise ValueError(f"steps included under {prefix!r} carry a witness or cross-checks; only steps can be included")
        for name, step in other.items.items():
            kind, check, holds = step["kind"], step["check"], step["holds"]
            self.record(kind, f"{prefix}{name}", check, holds,
                        **{k: v for k, v in step.items() if k not in ("kind", "check", "holds")})

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
        """Not a step of the argument: the package's code (or a spot value) against what the steps proved,
        redundant to them. It never counts towards the verdict (whatever its kind, it cannot make an outcome
        certified or supported); if it fails, the outcome is inconclusive."""
        if name in self.cross_checks:
            raise ValueError(f"cross-check {name!r} recorded twice")
        held = _truth(holds, f"cross-check {name!r}")
        self.cross_checks[name] = {"kind": StepKind(kind).value, "holds": held, "check": check, **extra}
        return held

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
        """Every step and every cross-check held."""
        return all(step["holds"] for step in (*self.items.values(), *self.cross_checks.values()))

    @property
    def evidence_kinds(self) -> list[str]:
        """The evidence-grade kinds among the steps (empty when every step is a certificate)."""
        return sorted({s["kind"] for s in self.items.values() if not StepKind(s["kind"]).certificate})

    def outcome(self, checked: str, budget: dict[str, Any], evidence: dict[str, Any] | None = None,
                method: str | None = None) -> Outcome:
        """The weakest step decides: refuted by a decisive comparison's counterexample; inconclusive when a
        step or cross-check fails, or when no step was recorded (cross-checks alone prove nothing); supported
        when all hold but some step is evidence; certified when all hold and every step is a certificate.
        Only ``items`` decide between certified and supported: cross-checks can only block."""
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
        if clash := sorted(set(record) & set(evidence or {})):  # the record of the argument is the steps, never a copy
            raise ValueError(f"evidence may not replace the recorded {clash}")
        return Outcome(status, method, checked, budget, {**record, **(evidence or {})}, self.witness)


SREPR_MAX_CHARS = 20_000
SREPR_MAX_NODES = 2_000
SREPR_MAX_INT_DIGITS = 100
SREPR_MAX_POWER = 10_000  # |integer exponent| in Pow: larger powers are refused, never built


def _srepr_class(name: str, what: str) -> Any:
    obj = getattr(sp, name, None)
    if not (isinstance(obj, sp.Basic) or (isinstance(obj, type) and issubclass(obj, sp.Basic))):
        raise ApproxTheoryError(f"{what}: {name!r} is not a SymPy expression class or constant")
    return obj


def _from_srepr(text: Any, what: str = "expression") -> sp.Basic:
    """Rebuild an expression written by ``sp.srepr`` without evaluating anything: the text is parsed as a
    Python expression tree (never ``eval``'d), may only call SymPy classes with literal arguments, and is
    rebuilt with ``evaluate=False`` under size limits, so ``Pow(10, 10**8)`` is refused, not computed."""
    if not isinstance(text, str):
        raise ApproxTheoryError(f"{what} must be an srepr string, got {type(text).__name__}")
    if len(text) > SREPR_MAX_CHARS:
        raise ApproxTheoryError(f"{what} has {len(text)} characters, beyond the limit {SREPR_MAX_CHARS}")
    try:
        tree = ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        raise ApproxTheoryError(f"{what} is not srepr text: {text[:80]!r}") from None
    nodes = sum(1 for _ in ast.walk(tree))
    if nodes > SREPR_MAX_NODES:
        raise ApproxTheoryError(f"{what} has {nodes} syntax nodes, beyond the limit {SREPR_MAX_NODES}")

    def literal(node: ast.AST) -> Any:
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -literal(node.operand)
        if isinstance(node, ast.Constant) and isinstance(node.value, (bool, str)):
            return node.value
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            if len(str(abs(node.value))) > SREPR_MAX_INT_DIGITS:
                raise ApproxTheoryError(f"{what}: an integer literal has more than {SREPR_MAX_INT_DIGITS} digits (limit)")
            return node.value
        return build(node)

    def build(node: ast.AST) -> Any:
        if isinstance(node, ast.Name):
            return _srepr_class(node.id, what)
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            raise ApproxTheoryError(f"{what}: only calls of SymPy classes with literal arguments are allowed, found "
                                    f"{ast.unparse(node)[:60]!r} (operators such as ** are refused: srepr never writes them)")
        cls = _srepr_class(node.func.id, what)
        args = [literal(a) for a in node.args]
        kwargs = {kw.arg: literal(kw.value) for kw in node.keywords}
        if any(kw is None for kw in kwargs) or any(not isinstance(v, bool) for k, v in kwargs.items() if k != "precision"):
            raise ApproxTheoryError(f"{what}: keyword arguments may only be assumptions (name=True/False) or a Float's precision")
        if cls is sp.Pow and len(args) == 2 and isinstance(args[1], (int, sp.Integer)) and abs(int(args[1])) > SREPR_MAX_POWER:
            raise ApproxTheoryError(f"{what}: the power {ast.unparse(node)[:60]} has an exponent beyond the limit {SREPR_MAX_POWER}")
        try:
            if isinstance(cls, type) and issubclass(cls, (sp.Symbol, sp.Number)):
                return cls(*args, **kwargs)
            return cls(*args, **kwargs, evaluate=False)
        except (TypeError, ValueError, AttributeError, sp.SympifyError) as err:
            raise ApproxTheoryError(f"{what}: cannot build {ast.unparse(node)[:60]!r} ({err})") from None

    expr = build(tree)
    if not isinstance(expr, sp.Basic):
        raise ApproxTheoryError(f"{what} is not a SymPy expression")
    return expr


def _truth(holds: Any, what: str) -> bool:
    """A step's outcome as a bool: only a truth value is one. bool("False"), bool([0]) or bool(2*x) would be True,
    and a certified verdict would rest on a string, a list or an expression that was never compared."""
    if isinstance(holds, (bool, np.bool_, sp.logic.boolalg.BooleanAtom)):
        return bool(holds)
    raise ApproxTheoryError(f"{what}: holds is {holds!r:.80} ({type(holds).__name__}), not True or False",
                            "record the result of a comparison (e.g. sp.simplify(expr) == 0, value <= limit), a bool")


@dataclass(frozen=True)
class Comparison:
    """A decisive comparison the claim implies: ``lhs <= rhs`` (``<`` if strict) on ``box``.

    A claim registers its decisive comparisons so that the verifier and the replay use the same
    expressions and box: replay takes them from here, never from the witness file.
    """

    step: str
    lhs: sp.Expr
    rhs: sp.Expr
    box: Mapping[str, Any]
    strict: bool = False

    def check(self, steps: Steps, cells: int) -> bool:
        return steps.compare(self.step, self.lhs, self.rhs, dict(self.box), cells, strict=self.strict, decisive=True)


def comparison_replay(*comparisons: Comparison) -> Callable[[Witness], Replay]:
    """The replay of a claim whose decisive comparisons are ``comparisons``."""
    by_step = {c.step: c for c in comparisons}
    return lambda witness: replay_comparison(by_step, witness)


def _point(inputs: WitnessInputs) -> dict[str, Fraction]:
    raw = inputs.get("point")
    if not isinstance(raw, dict):
        raise ApproxTheoryError(f"witness input 'point' must be an object of coordinates, got {type(raw).__name__}")
    return {str(k): read_rational(v, f"witness input point[{k!r}]") for k, v in raw.items()}


def _require_in_box(comparison: Comparison, point: Mapping[str, Fraction]) -> None:
    box = comparison.box
    WitnessInputs.require(set(point) == set(box), f"the point names {sorted(point)}, but the claim's box is over {sorted(box)}")
    symbols = {s.name: s for s in (comparison.lhs - comparison.rhs).free_symbols}
    for name, value in point.items():
        ends = box[name] if isinstance(box[name], tuple) else (box[name], box[name])
        lo, hi = (to_fraction(e, f"box end of {name}") for e in ends)
        WitnessInputs.require(lo <= value <= hi, f"{name} = {value} lies outside the claim's box [{lo}, {hi}]")
        symbol = symbols.get(name)
        WitnessInputs.require(symbol is None or not symbol.is_integer or value.denominator == 1,
                              f"{name} = {value} is not an integer")


def replay_comparison(comparisons: Mapping[str, Comparison], witness: Witness) -> Replay:
    """Re-check a decisive comparison's counterexample with the claim's own expressions and box.

    The witness names the step and the point; its copies of lhs and rhs are records that must be the
    claim's expressions. Exact substitution of the point, then Arb.
    """
    inputs = WitnessInputs.of(witness)
    if inputs.text("kind") != WITNESS_KIND:
        raise ApproxTheoryError(f"this witness is not an Arb comparison counterexample (kind {inputs.get('kind')!r})",
                                "replay it with the claim that wrote it")
    step = inputs.text("step")
    # The lhs/rhs copies are records: the text check wrote (sp.srepr) is compared as text. Other text is parsed,
    # safely, so that a malformed or hostile file is an error, never evaluated; a correct record is not parsed
    # (rebuilt, -2/3*y is another tree, and a large record exceeds the parser's limits).
    known = {sp.srepr(e) for c in comparisons.values() for e in (c.lhs, c.rhs)}
    recorded = {key: inputs.get(key) for key in ("lhs", "rhs") if key in inputs.values}
    for key, text in recorded.items():
        if not isinstance(text, str) or text not in known:
            _from_srepr(text, f"witness input {key!r}")
    strict = inputs.get("strict") if "strict" in inputs.values else None
    if strict is not None and not isinstance(strict, bool):
        raise ApproxTheoryError(f"witness input 'strict' must be true or false, got {strict!r:.40}")
    point = _point(inputs)
    inputs.require(step in comparisons, f"the claim has no decisive comparison named {step!r} "
                                        f"(it has {', '.join(map(repr, comparisons)) or 'none'})")
    comparison = comparisons[step]
    for key, theirs in recorded.items():
        mine = comparison.lhs if key == "lhs" else comparison.rhs
        inputs.require(theirs == sp.srepr(mine), f"the witness's {key} {theirs[:80]} is not the claim's {mine}")
    inputs.require(strict in (None, comparison.strict),
                   f"the witness's strict = {strict}, the claim's comparison has strict = {comparison.strict}")
    _require_in_box(comparison, point)
    with working_precision(REPLAY_PREC):
        found = confirm_counterexample(comparison.lhs, comparison.rhs, point, comparison.strict, REPLAY_PREC)
    if found is None:
        return Replay(False, {"point": {k: str(v) for k, v in point.items()}}, f"{step}: Arb does not show the inequality failing")
    return Replay(True, found, f"{step}: {found['confirmed']}")
