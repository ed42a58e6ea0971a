"""Claims: one checkable statement each, with its source, provenance, scope and verifier."""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from .bound import Bound
from .errors import ApproxTheoryError
from .memo import run_memo
from .verdict import Status, Verdict
from .witness import OutsideClaim, Witness


class Provenance(str, Enum):
    """Where a statement comes from, as tagged on the theorem cards."""

    PRIMARY = "primary"
    SECONDARY = "secondary"
    RECONSTRUCTED = "reconstructed"
    CLASSICAL = "classical"


class Scope(str, Enum):
    """What a claim is about: the statement's algebra, the proof's construction, or an experiment."""

    STATEMENT = "statement"
    CONSTRUCTION = "construction"
    EXPERIMENT = "experiment"


@dataclass(frozen=True)
class Source:
    """Paper id (the card prefix), the version read, and where in it (equation, section, card id)."""

    paper: str
    version: str
    location: str

    def __str__(self) -> str:
        return f"{self.paper} ({self.version}) {self.location}"


@dataclass(frozen=True)
class CheckContext:
    """What a verifier may use: the seed every random choice flows from, its budget and parameters.

    ``budget`` is in the verifier's own unit (search examples, subdivision cells, ...); ``None``
    means the claim's default. A claim that spends no budget (``Claim.default_budget`` None) is
    always given ``None``. ``params`` carries sweep parameters a claim may read (unknown keys
    are ignored). ``progress`` takes a fraction in [0, 1].
    """

    seed: int = 0
    budget: int | None = None
    progress: Callable[[float], None] | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def budget_or(self, default: int) -> int:
        return default if self.budget is None else self.budget

    def report(self, fraction: float) -> None:
        if self.progress is not None:
            self.progress(min(max(fraction, 0.0), 1.0))


@dataclass(frozen=True)
class Outcome:
    """What a verifier returns; :meth:`Claim.check` adds identity and timing to make a Verdict."""

    status: Status
    method: str
    checked: str
    budget: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, Any] = field(default_factory=dict)
    witness: Witness | None = None


@dataclass(frozen=True)
class Replay:
    """Result of re-checking a witness: whether the refutation still reproduces, and the numbers."""

    reproduced: bool
    observed: dict[str, Any]
    explanation: str


COSTS = ("fast", "slow")
#: What the budget record of a claim that spends no budget starts with, and what ``theorems`` shows for it.
NO_BUDGET = "none"
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9_]+)+$")


@dataclass(frozen=True)
class Claim:
    """One checkable statement.

    The id is ``<card id>.<scope>.<name>``: the scope is part of the id so that refuting a
    construction can never be mistaken for refuting the statement.

    ``default_budget`` is what the verifier spends unless told otherwise, in ``budget_unit`` (default
    "examples"); ``None`` (the default) declares that it spends no budget: a symbolic or exact argument,
    or a fixed table, whose work no ``--budget`` changes. Such a claim is checked with ``ctx.budget``
    None whatever is requested, and its verdict's budget record says so (:meth:`check`).
    """

    id: str
    statement: str
    source: Source
    provenance: Provenance
    scope: Scope
    verify: Callable[[CheckContext], Outcome]
    replay: Callable[[Witness], Replay] | None = None
    bounds: tuple[Bound, ...] = ()
    default_budget: int | None = None
    budget_unit: str | None = None
    #: Sweep parameters the verifier reads from ``ctx.params``; ``sweep --grid`` refuses any other name.
    params: tuple[str, ...] = ()
    cost: str = "fast"  # "fast" or "slow" (> ~10 s at the default budget): plain `regress` skips slow verdicts
    #: Names per-run work (core.memo) this claim repeats with others: a parallel run checks the claims of one
    #: name one after another in one worker, so that the work is done once. Empty: nothing shared.
    shares: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "provenance", Provenance(self.provenance))
        object.__setattr__(self, "scope", Scope(self.scope))
        if self.cost not in COSTS:
            raise ValueError(f"claim {self.id!r}: cost must be one of {COSTS}, got {self.cost!r}")
        if self.default_budget is None:
            if self.budget_unit is not None:
                raise ValueError(f"claim {self.id!r}: budget_unit {self.budget_unit!r} without a default_budget "
                                 "(a claim that spends no budget has no unit)")
        elif isinstance(self.default_budget, bool) or not isinstance(self.default_budget, int) or self.default_budget < 1:
            raise ValueError(f"claim {self.id!r}: default_budget must be None or a positive integer, got {self.default_budget!r}")
        else:
            object.__setattr__(self, "budget_unit", self.budget_unit or "examples")
        if not _ID.match(self.id):
            raise ValueError(f"claim id {self.id!r} is not of the form PAPER.part.part")
        if f".{self.scope.value}." not in f"{self.id}.":
            raise ValueError(f"claim id {self.id!r} must name its scope {self.scope.value!r}")

    @property
    def paper(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def spends_budget(self) -> bool:
        return self.default_budget is not None

    @property
    def budget_text(self) -> str:
        """The default budget as ``theorems`` shows it: ``"4000 cells"``, or ``"none"``."""
        return f"{self.default_budget} {self.budget_unit}" if self.spends_budget else NO_BUDGET

    def check(self, ctx: CheckContext | None = None) -> Verdict:
        """Run the verifier and stamp the outcome with this claim's identity and the time taken.

        A claim that spends no budget ignores a requested one: its verifier sees ``ctx.budget`` None, and
        the verdict's budget record starts with ``budget: "none"`` and, if one was requested, ``requested``.
        """
        ctx = ctx or CheckContext()
        if ctx.budget is not None and ctx.budget < 1:
            raise ApproxTheoryError(f"budget must be a positive integer, got {ctx.budget}")
        start = time.perf_counter()
        with run_memo():  # the run's memo, or one for this check: work the verifier repeats is done once
            outcome = self.verify(ctx if self.spends_budget else dataclasses.replace(ctx, budget=None))
        seconds = round(time.perf_counter() - start, 3)
        budget = dict(outcome.budget) if self.spends_budget else self._no_budget_record(ctx.budget, outcome.budget)
        witness = outcome.witness
        if witness is not None and not witness.claim_id:  # a generic record (e.g. rigorous.Steps) knows no claim
            witness = dataclasses.replace(witness, claim_id=self.id)
        try:
            return Verdict(
                claim_id=self.id,
                status=outcome.status,
                scope=self.scope.value,
                provenance=self.provenance.value,
                method=outcome.method,
                checked=outcome.checked,
                budget=budget,
                evidence=dict(outcome.evidence),
                witness=witness,
                seconds=seconds,
            )
        except ValueError as err:  # the verdict's own rules (a certified verdict needs certificate steps, ...)
            raise ApproxTheoryError(f"the verifier of {self.id} returned an outcome no verdict may have: {err}",
                                    "a certified outcome comes from rigorous.Steps.outcome with its steps recorded") from None

    def _no_budget_record(self, requested: int | None, record: Mapping[str, Any]) -> dict[str, Any]:
        """The budget record of a claim that spends none: the marker, the budget it ignored, then its own record."""
        marker = {"budget": NO_BUDGET, **({"requested": requested} if requested is not None else {})}
        if {"budget", "requested"} & record.keys():
            raise ApproxTheoryError(f"the verifier of {self.id} records 'budget' or 'requested' in its budget record, "
                                    "but the claim spends no budget", "name those amounts otherwise, or declare default_budget")
        return {**marker, **record}

    def replay_witness(self, witness: Witness) -> Replay:
        """Re-derive the refutation from the witness's inputs and this claim's own expressions and domain.

        ``replay`` reads the inputs with :class:`~approxtheory.core.witness.WitnessInputs` (malformed:
        ApproxTheoryError) and raises OutsideClaim for inputs outside the claim's domain or scope, which
        is answered here as not reproduced, with the reason.
        """
        if witness.claim_id != self.id:
            raise ApproxTheoryError(
                f"the witness is for claim {witness.claim_id!r}, not {self.id!r}"
            )
        if self.replay is None:
            raise ApproxTheoryError(f"claim {self.id} has no replayable verifier")
        try:
            return self.replay(witness)
        except OutsideClaim as outside:
            return Replay(False, {"outside_claim": outside.reason}, f"outside the claim: {outside.reason}")

    def describe(self) -> dict[str, Any]:
        """What ``theorems --json`` and the report say about the claim; ``shares`` only when set.
        ``default_budget`` and ``budget_unit`` are null for a claim that spends no budget."""
        return {
            "id": self.id,
            "paper": self.paper,
            "statement": self.statement,
            "source": {
                "paper": self.source.paper,
                "version": self.source.version,
                "location": self.source.location,
            },
            "provenance": self.provenance.value,
            "scope": self.scope.value,
            "bounds": [b.id for b in self.bounds],
            "default_budget": self.default_budget,  # null: the claim spends no budget
            "budget_unit": self.budget_unit,
            "params": list(self.params),
            "cost": self.cost,
            **({"shares": self.shares} if self.shares else {}),
        }
