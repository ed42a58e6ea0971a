"""Encode your own theorem: claims from a SymPy inequality, an observed quantity, or exact values.

This is the public authoring API (``docs/encode-a-theorem.md`` is the tutorial). Each constructor
returns a :class:`~approxtheory.core.Claim` whose verifier, verdict rule, witness and replay are
derived from what you wrote once:

- :func:`bound_claim`: ``lhs <= rhs`` on a box, certified by Arb subdivision or refuted at a point
  Arb confirms (the witness replays with the claim's own expressions and box);
- :func:`search_claim`: ``observed <= bound`` hunted by Hypothesis on a float kernel; a flagged input is
  re-evaluated in Arb, and only a confirmed violation refutes (the shrunk input is the witness);
- :func:`exact_claim`: a relation between exact values (ints, Fractions, SymPy Rationals), case by case;
- :func:`argument_claim`: an argument of several recorded steps (:class:`Steps`), for proofs that mix
  SymPy facts, exact facts and Arb comparisons; the argument returns a sentence or an :class:`Argued`
  (the sentence and evidence), and may name its method and budget record;
- :func:`claim`: any verifier, with the same identity arguments and checks.

Identity arguments, shared by all: ``card`` (the statement's card id, e.g. ``"MYP24.lem.gap"``) and
``name`` make the id ``<card>.<scope>.<name>``; ``scope`` (statement / construction / experiment,
default statement), ``provenance`` (primary / secondary / reconstructed / classical, default
primary), ``paper`` (prefixed to ``card`` unless it already starts with it), ``version`` and
``source`` (where in the paper). A bad argument is one :class:`ApproxTheoryError` naming it and the
values allowed.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import flint
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from .attention.frames import describe_exception
from .core import ApproxTheoryError, Bound, CheckContext, Claim, Outcome, Provenance, Replay, Scope, Source, Status, Witness
from .core import WitnessInputs
from .core.claim import COSTS
from .core.witness import read_real
from .rigorous.compile import compile_expr, run
from .rigorous.exact import to_fraction
from .rigorous.inputs import boundary, prepare
from .rigorous.precision import working_precision
from .rigorous.steps import Comparison, Steps, comparison_replay
from .rigorous.symbols import as_expr
from .search import Confirmation, RatioSearch, replay_ratio, run_ratio_search, search_outcome

__all__ = [
    "Argued",
    "Comparison",
    "Steps",
    "argument_claim",
    "bound_claim",
    "claim",
    "exact_claim",
    "real",
    "ratio_search_claim",
    "search_claim",
    "vector",
]

ARB_PREC = 128  # bits of every Arb confirmation and replay unless a claim asks for more
CELLS = 4000  # Arb subdivision cells per inequality: the default budget of bound claims and of arguments with comparisons
# A float ratio within 2^20 rounding units of float64 of 1 is rounding noise: it is not sent to Arb.
FLOAT_TOLERANCE = float(2**20 * np.finfo(np.float64).eps)
MAX_VECTOR = 4096  # most entries of a vector input (a search's and a replay's size limit)
CARD_FORM = ("a dotted id starting with the paper, such as 'MYP24.lem.gap' (letters, digits, underscores; the paper "
             "starts with a letter), or give paper='MYP24'")


# --- validation -----------------------------------------------------------------------------------

def _user_call(where: str, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` for a function the user gave; what it raises is one ApproxTheoryError naming it and
    the user's own line (a claim's verdict is then an error, and the CLI prints one line, not a traceback)."""
    try:
        return fn(*args, **kwargs)
    except (ApproxTheoryError, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001 - user code: anything it raises is reported with its own line
        raise ApproxTheoryError(f"{where}: {what} raised {describe_exception(exc)}",
                                f"{what} must return a value at every input the claim checks") from None


def _bad(where: str, argument: str, value: Any, allowed: str) -> ApproxTheoryError:
    return ApproxTheoryError(f"{where}: {argument}={value!r:.80} is not allowed", f"{argument} must be {allowed}")


def _choice(where: str, argument: str, value: Any, enum: type[Provenance] | type[Scope]) -> Any:
    options = [member.value for member in enum]
    if isinstance(value, enum):
        return value
    if not isinstance(value, str) or value not in options:
        raise _bad(where, argument, value, f"one of {', '.join(repr(o) for o in options)}")
    return enum(value)


def _text(where: str, argument: str, value: Any, *, empty: bool = True) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise _bad(where, argument, value, "a non-empty string" if not empty else "a string")
    return value


def _positive_int(where: str, argument: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _bad(where, argument, value, "a positive integer")
    return value


def _budget_is_derived(where: str, identity: Mapping[str, Any], budget: str) -> None:
    """A constructor that derives the budget itself takes no ``default_budget`` or ``budget_unit``; ``budget`` says
    what the budget is instead."""
    for declared in ("default_budget", "budget_unit"):
        if declared in identity:
            raise _bad(where, declared, identity[declared], f"left out: {budget}")


def claim(card: str, name: str, statement: str, verify: Callable[[CheckContext], Outcome], *,
          scope: str | Scope = "statement", provenance: str | Provenance = "primary", paper: str | None = None,
          version: str = "", source: str | Source = "", replay: Callable[[Witness], Replay] | None = None,
          bounds: Sequence[Bound] = (), default_budget: int | None = None, budget_unit: str | None = None,
          params: Sequence[str] = (), cost: str = "fast", shares: str = "", kind: str = "claim") -> Claim:
    """A claim with a validated identity: id ``<paper.>card.scope.name``, scope, provenance and source.

    ``source`` is where in the paper (``"eq. (3)"``) or a whole :class:`Source`; ``version`` the
    version read (``"arXiv:2401.00001v2"``). ``default_budget`` is what ``verify`` spends by default
    (``ctx.budget_or(default_budget)``), in ``budget_unit`` (default "examples"); leave both out for a
    verifier that spends no budget (``ctx.budget`` is then always None, and ``theorems`` shows "none").
    ``shares`` names work this claim shares with others (claims with one name run in one worker, so a
    per-run memo computes it once). ``kind`` names the calling constructor in error messages.
    ``bounds`` (every constructor passes it on) is a list of :class:`~approxtheory.core.Bound` (an
    expression, its :class:`~approxtheory.core.SymbolSpec` symbols, canonical points): ``regress``
    pins each at its canonical points, so a loosened bound is a regression even when the verdict
    stays; without bounds ``regress`` compares only the claim's verdict.
    """
    where = f"{kind}({card!r}, {name!r})"
    _text(where, "card", card, empty=False)
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_]+", name):
        raise _bad(where, "name", name, "a non-empty string of letters, digits and underscores")
    _text(where, "statement", statement, empty=False)
    scope = _choice(where, "scope", scope, Scope)
    provenance = _choice(where, "provenance", provenance, Provenance)
    if paper is not None:
        _text(where, "paper", paper, empty=False)
        card = card if card.startswith(f"{paper}.") else f"{paper}.{card}"
    if "." not in card:
        raise _bad(where, "card", card, CARD_FORM)
    if not isinstance(source, Source):
        source = Source(card.split(".", 1)[0], _text(where, "version", version), _text(where, "source", source) or f"card {card}")
    elif version:
        raise _bad(where, "version", version, "empty when source is a Source (which has its own version)")
    if cost not in COSTS:
        raise _bad(where, "cost", cost, f"one of {', '.join(map(repr, COSTS))}")
    if isinstance(bounds, (Bound, str)) or not isinstance(bounds, Iterable) or not all(isinstance(b, Bound) for b in bounds):
        raise _bad(where, "bounds", bounds, "a sequence of approxtheory.core.Bound")
    if default_budget is None and budget_unit is not None:
        raise _bad(where, "budget_unit", budget_unit, "left out when the claim spends no budget (no default_budget)")
    try:  # Claim checks the id's form itself
        return Claim(id=f"{card}.{scope.value}.{name}", statement=statement, source=source, provenance=provenance,
                     scope=scope, verify=verify, replay=replay, bounds=tuple(bounds),
                     default_budget=None if default_budget is None else _positive_int(where, "default_budget", default_budget),
                     budget_unit=None if budget_unit is None else _text(where, "budget_unit", budget_unit, empty=False),
                     params=tuple(params), cost=cost, shares=_text(where, "shares", shares))
    except ValueError:
        raise _bad(where, "card", card, CARD_FORM) from None


# --- bound claims ---------------------------------------------------------------------------------

_RELATIONS = {sp.LessThan: (False, False), sp.StrictLessThan: (True, False),
              sp.GreaterThan: (False, True), sp.StrictGreaterThan: (True, True)}


def _comparison(where: str, inequality: Any, box: Mapping[str, Any]) -> Comparison:
    """``lhs <= rhs`` (or <, >=, >) as the decisive comparison on ``box``."""
    if isinstance(inequality, (tuple, list)) and len(inequality) == 2:
        try:  # strings by the rigorous layer's safe, exact parser ("0.1" is 1/10; never Python's eval)
            inequality = sp.Le(*map(as_expr, inequality), evaluate=False)
        except ApproxTheoryError as err:
            raise ApproxTheoryError(f"{where}: {err.problem}", err.hint) from None
    if type(inequality) not in _RELATIONS:
        raise _bad(where, "inequality", inequality, "a SymPy inequality such as sp.Le(lhs, rhs) or lhs <= rhs "
                   "(<, >= and > too), or a pair (lhs, rhs) meaning lhs <= rhs")
    strict, flipped = _RELATIONS[type(inequality)]
    lhs, rhs = (inequality.rhs, inequality.lhs) if flipped else (inequality.lhs, inequality.rhs)
    if not isinstance(box, Mapping):
        raise _bad(where, "box", box, "a dict from each free symbol's name to a value or an interval (lo, hi)")
    try:  # the rigorous layer's own door: box keys, exact ends, assumptions on the box, supported functions
        with boundary(inequality):
            (left, right), *_ = prepare([lhs, rhs], box)
            compile_expr(left), compile_expr(right)
    except ApproxTheoryError as err:
        raise ApproxTheoryError(f"{where}: {err.problem}", err.hint) from None
    relation = "<" if strict else "<="
    # an interval given as a list is the same interval as a tuple (the replay reads tuples)
    exact_box = {str(k): tuple(v) if isinstance(v, list) else v for k, v in box.items()}
    return Comparison(f"{lhs} {relation} {rhs}", lhs, rhs, exact_box, strict=strict)


def bound_claim(card: str, name: str, inequality: Any, box: Mapping[str, Any], *, statement: str | None = None,
                cells: int = CELLS, **identity: Any) -> Claim:
    """``lhs <= rhs`` for every point of ``box``, decided by Arb branch and bound (one ``arb`` step).

    ``inequality`` is a SymPy relational (``sp.Le(lhs, rhs)``, ``lhs < rhs``, ``>=``, ``>``) or a pair
    ``(lhs, rhs)``; ``box`` maps each free symbol's name to an exact value or interval ``(lo, hi)``
    (exact: ints, ``"0.1"``, Fractions, SymPy numbers; see the README's rigorous-layer rules). Verdict:
    certified when every cell closes, refuted with a replayable witness at a point where Arb shows the
    inequality false, inconclusive when ``cells`` (the budget) run out.
    """
    where = f"bound_claim({card!r}, {name!r})"
    _budget_is_derived(where, identity, "the budget is cells=N")
    comparison = _comparison(where, inequality, box)
    _positive_int(where, "cells", cells)
    text = statement or f"{comparison.step} on {_box_text(comparison.box)}"

    def verify(ctx: CheckContext) -> Outcome:
        steps = Steps()
        budget = ctx.budget_or(cells)
        comparison.check(steps, budget)
        return steps.outcome(f"Arb branch and bound of {comparison.step} on {_box_text(comparison.box)}",
                             {"cells": budget, "arb_prec_bits": ARB_PREC})

    return claim(card, name, text, verify, replay=comparison_replay(comparison), default_budget=cells,
                 budget_unit="cells", kind="bound_claim", **identity)


def _box_text(box: Mapping[str, Any]) -> str:
    parts = [f"{k} in [{v[0]}, {v[1]}]" if isinstance(v, (tuple, list)) else f"{k} = {v}" for k, v in box.items()]
    return ", ".join(parts) or "the point"


@dataclass(frozen=True)
class Argued:
    """What an argument returns when one sentence is not all it found: ``checked`` (the sentence saying what was
    checked) and ``evidence`` kept with the verdict beside the steps (closed-form values, tables, a cross-check's
    numbers). Its keys may not be ``steps`` or ``cross_checks``: those are the argument's own record."""

    checked: str
    evidence: Mapping[str, Any] = field(default_factory=dict)


def argument_claim(card: str, name: str, statement: str, argue: Callable[..., str | Argued], *, comparisons: Sequence[Comparison] = (),
                   cells: int | None = None, method: str | None = None,
                   budget: Mapping[str, Any] | Callable[[int], Mapping[str, Any]] | None = None, seeded: bool = False,
                   replay: Callable[[Witness], Replay] | None = None, **identity: Any) -> Claim:
    """An argument of several steps: ``argue(steps, cells)`` records them on a :class:`Steps` and returns one
    sentence saying what was checked, or an :class:`Argued` (the sentence and evidence to keep with the
    verdict). ``comparisons`` are the decisive inequalities the claim implies (:class:`Comparison`): they
    are checked after ``argue``, and their counterexamples refute and replay. The verdict is the weakest
    step (certified only if every step is symbolic, exact or arb).

    ``cells`` is the claim's budget, Arb subdivision cells per inequality (``--budget`` sets it): default
    :data:`CELLS` when there are ``comparisons``. Without comparisons the argument spends no budget unless
    ``cells`` is given (an ``argue`` that compares in Arb itself, ``steps.compare(..., cells)``); ``argue``
    then receives ``cells=None``, ``theorems`` shows budget "none" and a ``--budget`` changes nothing.

    ``method`` names how it was checked (default: the steps' kinds, e.g. ``symbolic+arb``). ``budget``
    is what the verdict records: a dict (``{"symbolic": "sympy"}``, the sizes of fixed instances), or,
    for an argument with cells, a function of them returning one; default the cells per inequality and
    Arb bits, or nothing without cells. ``seeded=True`` calls ``argue(steps, cells, seed)`` with the run's
    seed (every random choice flows from it; the budget records it). An argument that decides instances
    itself may set ``steps.witness`` on the one that fails (it refutes) and name the ``replay`` that
    re-checks such a witness; the comparisons' replay is derived, so give one or the other."""
    where = f"argument_claim({card!r}, {name!r})"
    if not callable(argue):
        raise _bad(where, "argue", argue, "a function (steps, cells) -> str or Argued")
    if not all(isinstance(c, Comparison) for c in comparisons):
        raise _bad(where, "comparisons", comparisons, "a sequence of approxtheory.author.Comparison")
    if not (budget is None or callable(budget) or isinstance(budget, Mapping)):
        raise _bad(where, "budget", budget, "None, a dict, or a function of the cells budget returning a dict")
    _budget_is_derived(where, identity, "an argument's budget is its cells (cells=N), and one without comparisons or "
                       "cells spends none")
    cells = CELLS if cells is None and comparisons else cells
    if cells is None and callable(budget):
        raise _bad(where, "budget", budget, "a dict when the argument spends no budget (a function of the cells needs cells=N)")
    if method is not None:
        _text(where, "method", method, empty=False)
    if replay is not None and (comparisons or not callable(replay)):
        raise _bad(where, "replay", replay, "a function of a witness, and only for an argument without comparisons "
                   "(their replay is derived)")
    if cells is not None:
        _positive_int(where, "cells", cells)

    def verify(ctx: CheckContext) -> Outcome:
        steps = Steps()
        spent = None if cells is None else ctx.budget_or(cells)
        said = _user_call(where, "argue", argue, steps, spent, *((ctx.seed,) if seeded else ()))
        own_witness = steps.witness
        for comparison in comparisons:
            comparison.check(steps, spent)
        if own_witness is not None:  # a refutation must name the step it breaks and be re-checkable
            if all(step["holds"] for step in steps.items.values()):
                raise ApproxTheoryError(f"{where}: argue set steps.witness, but every step it recorded holds",
                                        "record the step the witness breaks (holds=False) beside it")
            if replay is None or comparisons:
                raise ApproxTheoryError(f"{where}: argue set steps.witness, but no replay can re-check it",
                                        "pass replay=... (an argument with comparisons replays only their counterexamples)")
        found = said if isinstance(said, Argued) else Argued(said)
        if not isinstance(found.checked, str) or not isinstance(found.evidence, Mapping):
            raise ApproxTheoryError(f"{where}: argue returned {said!r:.80}, not a sentence or an Argued(checked, evidence)")
        record = dict(budget(spent) if callable(budget) else budget) if budget is not None else \
            {} if spent is None else {"cells_per_inequality": spent, "arb_prec_bits": ARB_PREC}
        try:
            return steps.outcome(found.checked, {**record, **({"seed": ctx.seed} if seeded else {})}, dict(found.evidence),
                                 method=method)
        except ValueError as err:  # evidence that would replace the steps' record
            raise ApproxTheoryError(f"{where}: {err}", "name the evidence something other than steps or cross_checks") from None

    return claim(card, name, statement, verify, replay=comparison_replay(*comparisons) if comparisons else replay,
                 default_budget=cells, budget_unit=None if cells is None else "cells", kind="argument_claim", **identity)


# --- exact claims ---------------------------------------------------------------------------------

_OPS: dict[str, Callable[[Any, Any], bool]] = {"==": operator.eq, "!=": operator.ne, "<=": operator.le,
                                               "<": operator.lt, ">=": operator.ge, ">": operator.gt}


def _exact(value: Any, what: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, Fraction, sp.Rational)):
        raise ApproxTheoryError(f"{what} is {value!r:.80} ({type(value).__name__}), not an exact value",
                                "return an int, a fractions.Fraction or a SymPy Rational (floats are never exact here)")
    return Fraction(int(value.p), int(value.q)) if isinstance(value, sp.Rational) else Fraction(value)


def _case_key(case: Any) -> str:
    return repr(tuple(case) if isinstance(case, (tuple, list)) else case)


def exact_claim(card: str, name: str, statement: str, value: Callable[..., Any], expected: Any, *,
                relation: str = "==", cases: Iterable[Any] = ((),), general: bool = False, **identity: Any) -> Claim:
    """``value(*case) <relation> expected(*case)`` in exact arithmetic, for each case (a tuple of arguments).

    ``expected`` is an exact value or a function of the case; ``relation`` one of ==, !=, <=, <, >=, >.
    Each case is one step: ``exact`` when the claim is about exactly these cases, ``instances`` when
    ``general=True`` (a general statement checked on finitely many cases: supported at most). A case
    that fails refutes the claim; the witness names it, and replay recomputes it. The cases are fixed, so
    the claim spends no budget.
    """
    where = f"exact_claim({card!r}, {name!r})"
    _budget_is_derived(where, identity, "the cases are fixed, so the claim spends no budget")
    if relation not in _OPS:
        raise _bad(where, "relation", relation, f"one of {', '.join(map(repr, _OPS))}")
    if not callable(value):
        raise _bad(where, "value", value, "a function of a case's arguments returning an exact value")
    table = [tuple(c) if isinstance(c, (tuple, list)) else (c,) for c in cases]
    if not table:
        raise _bad(where, "cases", cases, "a non-empty collection of argument tuples")
    target = expected if callable(expected) else (lambda *_: expected)
    op = _OPS[relation]

    def evaluate(case: tuple[Any, ...]) -> tuple[Fraction, Fraction]:
        return (_exact(_user_call(where, f"value{case}", value, *case), f"{where}: value{case}"),
                _exact(_user_call(where, f"expected{case}", target, *case), f"{where}: expected{case}"))

    def verify(ctx: CheckContext) -> Outcome:
        steps = Steps()
        for index, case in enumerate(table):
            got, want = evaluate(case)
            holds = op(got, want)
            steps.record("instances" if general else "exact", f"case {index}: {_case_key(case)}", f"value {relation} expected",
                         holds, value=str(got), expected=str(want))
            if not holds and steps.witness is None:  # the first failing case refutes
                steps.witness = Witness("", {"case": index, "arguments": _jsonable(case)},
                                        {"value": str(got), "expected": str(want)},
                                        note=f"value {relation} expected fails in exact arithmetic")
        return steps.outcome(f"value {relation} expected in exact arithmetic for {len(table)} case(s)"
                             + (" of a general statement" if general else ""), {"cases": len(table)})

    def replay(witness: Witness) -> Replay:
        inputs = WitnessInputs.of(witness)
        index = inputs.integer("case", limit=len(table))
        inputs.require(0 <= index < len(table), f"case {index}: the claim has cases 0..{len(table) - 1}")
        case = table[index]
        inputs.optional_equal("arguments", _jsonable(case), "case arguments")
        got, want = evaluate(case)
        fails = not op(got, want)
        return Replay(fails, {"value": str(got), "expected": str(want)},
                      f"value {relation} expected {'fails' if fails else 'holds'} at case {_case_key(case)}")

    return claim(card, name, statement, verify, replay=replay, kind="exact_claim", **identity)  # fixed cases: no budget


def _jsonable(case: tuple[Any, ...]) -> list[Any]:
    return [v if isinstance(v, (int, str)) and not isinstance(v, bool) else str(v) for v in case]


# --- search claims --------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Real:
    lo: float
    hi: float
    log: bool


@dataclass(frozen=True)
class _Vector:
    lo: float
    hi: float
    min_size: int
    max_size: int


def _float_inside(q: Fraction, up: bool) -> float:
    """The float nearest to ``q`` on the inner side (``up``: the least float >= q, else the greatest <= q),
    so that a search range drawn in floats never leaves the exact range the claim states."""
    f = float(q)
    if up and Fraction(f) < q:
        return math.nextafter(f, math.inf)
    if not up and Fraction(f) > q:
        return math.nextafter(f, -math.inf)
    return f


def _finite_interval(kind: str, lo: Any, hi: Any) -> tuple[float, float]:
    """[lo, hi] as floats: a float as it is, an exact value (int, Fraction, "p/q", "0.1", SymPy Rational)
    rounded inwards."""
    ends = []
    for argument, v, up in (("lo", lo, True), ("hi", hi, False)):
        if isinstance(v, float):
            if not math.isfinite(v):
                raise _bad(kind, argument, v, "a finite number")
            ends.append((Fraction(v), v))
        else:
            try:
                q = to_fraction(v, f"{kind}: {argument}")
            except ApproxTheoryError:
                raise _bad(kind, argument, v, 'a finite float or an exact rational (int, Fraction, "1/3", "0.1", '
                           "SymPy Rational)") from None
            ends.append((q, _float_inside(q, up)))
    (qlo, flo), (qhi, fhi) = ends
    if qlo > qhi or flo > fhi:
        raise _bad(kind, "hi", hi, f"at least lo = {lo}")
    return flo, fhi


def real(lo: Any, hi: Any, *, log: bool = False) -> _Real:
    """A real input of a search in [lo, hi] (floats, or exact values rounded inwards to floats); ``log=True``
    draws it log-uniformly (needs lo > 0)."""
    lo, hi = _finite_interval("real", lo, hi)
    if log and lo <= 0:
        raise _bad("real", "lo", lo, "positive when log=True")
    return _Real(lo, hi, bool(log))


def vector(lo: Any, hi: Any, *, size: int | tuple[int, int]) -> _Vector:
    """A vector input of a search: ``size`` entries (or between ``size[0]`` and ``size[1]``), each in [lo, hi]."""
    lo, hi = _finite_interval("vector", lo, hi)
    sizes = (size, size) if isinstance(size, int) and not isinstance(size, bool) else size
    if not (isinstance(sizes, tuple) and len(sizes) == 2 and all(isinstance(s, int) and not isinstance(s, bool) for s in sizes)
            and 1 <= sizes[0] <= sizes[1] <= MAX_VECTOR):
        raise _bad("vector", "size", size, f"an integer or a pair (min, max) with 1 <= min <= max <= {MAX_VECTOR}")
    return _Vector(lo, hi, *sizes)


Spec = _Real | _Vector
Point = dict[str, Any]  # input name -> float (real) or tuple of floats (vector)


def _strategy(specs: Mapping[str, Spec]) -> st.SearchStrategy[Point]:
    def draw(spec: Spec) -> st.SearchStrategy[Any]:
        if isinstance(spec, _Vector):
            return st.lists(st.floats(spec.lo, spec.hi), min_size=spec.min_size, max_size=spec.max_size).map(tuple)
        if spec.log:
            return st.floats(math.log(spec.lo), math.log(spec.hi)).map(lambda v: min(max(math.exp(v), spec.lo), spec.hi))
        return st.floats(spec.lo, spec.hi)

    return st.fixed_dictionaries({name: draw(spec) for name, spec in specs.items()})


def _flatten(specs: Mapping[str, Spec], x: Point) -> np.ndarray:
    """The continuous coordinates a local optimiser moves (log-reals in log space); vector sizes stay fixed."""
    out: list[float] = []
    for name, spec in specs.items():
        if isinstance(spec, _Vector):
            out.extend(x[name])
        else:
            out.append(math.log(x[name]) if spec.log else x[name])
    return np.array(out, dtype=float)


def _unflatten(specs: Mapping[str, Spec], x: Point, v: np.ndarray) -> Point:
    out, i = {}, 0
    for name, spec in specs.items():
        if isinstance(spec, _Vector):
            k = len(x[name])
            out[name] = tuple(float(np.clip(c, spec.lo, spec.hi)) for c in v[i:i + k])
            i += k
        else:
            raw = float(v[i])  # a log range is polished in log space: exp of it must not overflow
            out[name] = float(np.clip(math.exp(min(max(raw, -700.0), 700.0)) if spec.log else raw, spec.lo, spec.hi))
            i += 1
    return out


def _encode(specs: Mapping[str, Spec], x: Point) -> dict[str, Any]:
    return {name: [float(c).hex() for c in x[name]] if isinstance(spec, _Vector) else float(x[name]).hex()
            for name, spec in specs.items()}


def _decoder(specs: Mapping[str, Spec], claim_id: str) -> Callable[[dict[str, Any]], Point]:
    def decode(data: dict[str, Any]) -> Point:
        """A witness's inputs, each inside the claim's declared range (else OutsideClaim: not reproduced)."""
        inputs = WitnessInputs(data, claim_id)
        out: Point = {}
        for name, spec in specs.items():
            if isinstance(spec, _Vector):
                v = inputs.items(name, read_real, limit=MAX_VECTOR)
                inputs.require(spec.min_size <= len(v) <= spec.max_size, f"{name} has {len(v)} entries; the claim is about "
                               f"{spec.min_size} to {spec.max_size}")
                inputs.require(all(spec.lo <= c <= spec.hi for c in v), f"{name} has an entry outside [{spec.lo}, {spec.hi}]")
                out[name] = tuple(v)
            else:
                c = inputs.real(name)
                inputs.require(spec.lo <= c <= spec.hi, f"{name} = {c} lies outside the claim's range [{spec.lo}, {spec.hi}]")
                out[name] = c
        return out

    return decode


class _Symbolic:
    """An observed quantity and a bound written once in SymPy, specialised per vector size: a float64
    kernel by ``lambdify`` and Arb evaluators by the rigorous layer's compiler."""

    def __init__(self, where: str, specs: Mapping[str, Spec], build: Callable[..., Any] | sp.Expr, what: str) -> None:
        self.where, self.specs, self.build, self.what = where, specs, build, what
        self._cache: dict[tuple[int, ...], tuple[list[sp.Symbol], sp.Expr, Callable[..., float]]] = {}

    def _symbols(self, x: Point) -> tuple[dict[str, Any], list[sp.Symbol]]:
        args: dict[str, Any] = {}
        flat: list[sp.Symbol] = []
        for name, spec in self.specs.items():
            if isinstance(spec, _Vector):
                args[name] = [sp.Symbol(f"{name}_{i}", real=True) for i in range(len(x[name]))]
                flat.extend(args[name])
            else:
                args[name] = sp.Symbol(name, real=True)
                flat.append(args[name])
        return args, flat

    def specialise(self, x: Point) -> tuple[list[sp.Symbol], sp.Expr, Callable[..., float]]:
        key = tuple(len(x[n]) for n, s in self.specs.items() if isinstance(s, _Vector))
        if key not in self._cache:
            args, flat = self._symbols(x)
            if isinstance(self.build, sp.Basic):
                by_name = {str(s): s for s in flat}
                expr = self.build.subs({s: by_name[str(s)] for s in self.build.free_symbols if str(s) in by_name})
            else:
                try:
                    expr = self.build(**args)
                except Exception as err:  # user code: name it, never a raw traceback
                    raise ApproxTheoryError(f"{self.where}: {self.what} cannot be built in SymPy: {type(err).__name__}: {err}",
                                            f"write {self.what} in SymPy (vectors are lists of symbols), or pass a "
                                            "JAX function with its arb= or sympy= twin") from None
            if not isinstance(expr, sp.Expr):
                raise ApproxTheoryError(f"{self.where}: {self.what} gave {expr!r:.80}, not a SymPy expression",
                                        f"write {self.what} in SymPy, or pass a JAX function with its arb= or sympy= twin")
            extra = {str(s) for s in expr.free_symbols} - {str(s) for s in flat}
            if extra:
                raise ApproxTheoryError(f"{self.where}: {self.what} has symbols {sorted(extra)} that are not inputs",
                                        f"inputs are {sorted(self.specs)}")
            self._cache[key] = (flat, expr, sp.lambdify(flat, expr, modules="numpy"))
        return self._cache[key]

    def floats(self, x: Point) -> float:
        flat, _expr, fn = self.specialise(x)
        with np.errstate(all="ignore"):
            return float(fn(*_flat_values(self.specs, x)))

    def ball(self, x: Point) -> flint.arb:
        flat, expr, _fn = self.specialise(x)
        env = {str(s): flint.arb(v) for s, v in zip(flat, _flat_values(self.specs, x))}  # floats are exact binary balls
        return run(compile_expr(expr), env)


def _flat_values(specs: Mapping[str, Spec], x: Point) -> list[float]:
    out: list[float] = []
    for name, spec in specs.items():
        out.extend(x[name]) if isinstance(spec, _Vector) else out.append(x[name])
    return out


def _call_jax(where: str, fn: Callable[..., Any], specs: Mapping[str, Spec], x: Point) -> float:
    """The user's JAX function at ``x`` in float64 (a scoped switch: the user's global JAX flags stay as they are)."""
    import jax

    with jax.enable_x64(True), np.errstate(all="ignore"):
        args = {n: np.asarray(x[n], dtype=np.float64) if isinstance(s, _Vector) else np.float64(x[n]) for n, s in specs.items()}
        value = _user_call(where, "observed", fn, **args)
    if isinstance(value, (str, bytes)) or np.ndim(value) != 0 or np.iscomplexobj(value):
        raise ApproxTheoryError(f"{where}: observed returned {value!r:.80} ({type(value).__name__}), not one real number",
                                "return a scalar (e.g. jnp.max(...) of an array)")
    return float(value)


def _arb_args(specs: Mapping[str, Spec], x: Point) -> dict[str, Any]:
    return {n: [flint.arb(c) for c in x[n]] if isinstance(s, _Vector) else flint.arb(x[n]) for n, s in specs.items()}


def search_claim(card: str, name: str, statement: str, *, observed: Any, bound: Any, inputs: Mapping[str, Spec],
                 arb: Callable[..., flint.arb] | None = None, sympy: Callable[..., sp.Expr] | None = None,
                 examples: int = 300, prec: int = ARB_PREC, **identity: Any) -> Claim:
    """``observed(x) <= bound(x)`` for every input ``x`` in ``inputs`` (names -> :func:`real` / :func:`vector`),
    searched by Hypothesis (then Nelder-Mead from the best input) for ``observed / bound > 1``.

    ``bound`` is SymPy: an expression in the scalar inputs' names, or a function of the inputs as SymPy
    symbols (a vector is a list of symbols, so ``len(z)`` is its size) returning an expression; it must
    be positive on the inputs. ``observed`` is either SymPy in the same way (the float64 kernel and the
    Arb evaluator are both derived from it), or a JAX/NumPy function of the inputs (vectors as float64
    arrays) together with a twin for the Arb confirmation: ``arb=`` (the same function on
    ``flint.arb`` balls, vectors as lists of balls; the working precision is set for you) or
    ``sympy=`` (a SymPy builder as above). A function without a twin is read as a SymPy builder: one
    that does not build SymPy is an error at construction, since nothing could confirm a violation.

    A float ratio above ``1 + FLOAT_TOLERANCE`` (2**-32) flags an input; below that it is rounding noise,
    never sent to Arb. A violation refutes only when Arb (``prec`` bits) confirms ``observed > bound``
    at the exact binary input; the search stops at the first such input, Hypothesis shrinks it, and the
    witness is the shrunk input, which ``approxtheory replay`` recomputes in Arb. A flag Arb does not
    confirm is counted in the evidence's ``float_flags_not_confirmed``. ``examples`` is the default
    budget (Hypothesis's ``max_examples``); the evidence's ``examples_run`` counts every run, a
    violation's shrinking re-runs included, and ``polish_evaluations`` Nelder-Mead's. The verdict is
    supported at most: a search is evidence.
    """
    where = f"search_claim({card!r}, {name!r})"
    _budget_is_derived(where, identity, "the budget is examples=N")
    if not isinstance(inputs, Mapping) or not inputs or not all(isinstance(s, (_Real, _Vector)) for s in inputs.values()):
        raise _bad(where, "inputs", inputs, "a non-empty dict from names to approxtheory.author.real(...) or vector(...)")
    if not all(isinstance(n, str) and n.isidentifier() for n in inputs):
        raise _bad(where, "inputs", list(inputs), "keyed by Python identifiers (they become keyword arguments)")
    if arb is not None and sympy is not None:
        raise _bad(where, "sympy", sympy, "None when arb= is given (one twin confirms)")
    _positive_int(where, "examples", examples)
    _positive_int(where, "prec", prec)
    specs = dict(inputs)
    bound_fn = _Symbolic(where, specs, bound, "bound")
    symbolic_observed = isinstance(observed, sp.Basic) or (arb is None and sympy is None)
    if not (isinstance(observed, sp.Basic) or callable(observed)):
        raise _bad(where, "observed", observed, "a SymPy expression or a function of the inputs")
    observed_sym = twin = None
    if symbolic_observed:
        observed_sym = _Symbolic(where, specs, observed, "observed")
        observed_float, observed_ball = observed_sym.floats, observed_sym.ball
    else:
        twin = _Symbolic(where, specs, sympy, "the sympy= twin") if sympy is not None else None
        observed_float = lambda x: _call_jax(where, observed, specs, x)  # noqa: E731
        observed_ball = twin.ball if twin is not None else lambda x: _user_call(where, "the arb= twin", arb, **_arb_args(specs, x))

    probe = {n: (s.lo,) * s.min_size if isinstance(s, _Vector) else s.lo for n, s in specs.items()}
    for symbolic in (bound_fn, observed_sym if symbolic_observed else twin):
        if symbolic is not None:
            symbolic.specialise(probe)  # errors in what the user wrote surface here, not mid-search

    def ratio(x: Point) -> float:
        b = bound_fn.floats(x)
        return observed_float(x) / b if b > 0 else math.nan

    def confirm(x: Point) -> Confirmation:
        with working_precision(prec):
            value, limit = observed_ball(x), bound_fn.ball(x)
            if not isinstance(value, flint.arb):
                raise ApproxTheoryError(f"{where}: the arb= twin returned {type(value).__name__}, not a flint.arb ball")
            gap = value - limit
            return Confirmation(bool(gap.lower() > 0), {"observed": value.str(25), "bound": limit.str(25),
                                                        "observed_minus_bound": gap.str(10)})

    made = claim(card, name, statement, lambda ctx: Outcome(Status.INCONCLUSIVE, "", ""), kind="search_claim", **identity)
    search = RatioSearch(strategy=_strategy(specs), ratio=ratio, confirm=confirm, encode=lambda x: _encode(specs, x),
                         decode=_decoder(specs, made.id), label=f"observed/bound ({made.id})", tolerance=FLOAT_TOLERANCE,
                         flatten=lambda x: _flatten(specs, x), unflatten=lambda x, v: _unflatten(specs, x, v))
    ranges = "; ".join(f"{n} in [{s.lo:g}, {s.hi:g}]" + (f"^({s.min_size}..{s.max_size})" if isinstance(s, _Vector) else
                                                          " (log-uniform)" if s.log else "") for n, s in specs.items())
    kernel = "SymPy-derived float64 kernel" if symbolic_observed else "float64 JAX/NumPy kernel"
    return ratio_search_claim(card, name, statement, search, default_budget=examples, **identity,
                              checked=f"searched {ranges} for observed / bound > 1; {kernel}, violations confirmed in Arb "
                                      f"({prec} bits)")


def ratio_search_claim(card: str, name: str, statement: str, search: RatioSearch[Any], *, checked: str,
                       evidence: Mapping[str, Any] | None = None, default_budget: int = 300, **identity: Any) -> Claim:
    """The advanced form of :func:`search_claim`, for inputs that are not reals or vectors (networks, ...):
    a ready ``RatioSearch`` (strategy, float ratio, Arb ``confirm``, ``encode``/``decode``). ``evidence``
    is added to every verdict (closed forms to compare with)."""
    _budget_is_derived(f"search_claim({card!r}, {name!r})", identity, "the budget is default_budget=N examples")
    claim_id = claim(card, name, statement, lambda ctx: Outcome(Status.INCONCLUSIVE, "", ""), kind="search_claim",
                     **identity).id

    def verify(ctx: CheckContext) -> Outcome:
        result = run_ratio_search(search, budget=ctx.budget_or(default_budget), seed=ctx.seed, ctx=ctx)
        result.extra.update(evidence or {})
        return search_outcome(claim_id, result, checked)

    return claim(card, name, statement, verify, replay=lambda w: replay_ratio(search, w), default_budget=default_budget,
                 budget_unit="examples", kind="search_claim", **identity)
