"""Verdicts: what a verifier concluded about a claim, with what it checked and its budget."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

from .errors import ApproxTheoryError
from .witness import Witness


class Status(str, Enum):
    """Verdict of a claim (DESIGN.md, vocabulary)."""

    CERTIFIED = "certified"  # symbolic proof or interval arithmetic; nothing numerical trusted
    SUPPORTED = "supported"  # numerical evidence; the search budget was spent without a counterexample
    REFUTED = "refuted"  # a concrete, replayable witness
    NOT_APPLICABLE = "not_applicable"  # premises fail
    INCONCLUSIVE = "inconclusive"


class StepKind(str, Enum):
    """How one step of a verifier's argument was checked: the first three are certificates, the rest evidence.
    A verdict is the weakest step: ``certified`` needs every step to be a certificate (rigorous.Steps)."""

    SYMBOLIC = "symbolic"  # a SymPy identity, sign or limit fact
    EXACT = "exact"  # exact rational or integer arithmetic
    ARB = "arb"  # interval arithmetic
    FLOAT = "float"  # floating point
    SAMPLED = "sampled"  # a general fact checked at sample points
    INSTANCES = "instances"  # a general fact checked on finitely many instances

    @property
    def certificate(self) -> bool:
        return self in (StepKind.SYMBOLIC, StepKind.EXACT, StepKind.ARB)


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one claim.

    ``checked`` is one sentence naming what was verified and how; ``budget`` records what the
    verifier was allowed to spend and ``evidence`` what it observed (numbers, not adjectives).
    """

    claim_id: str
    status: Status
    scope: str
    provenance: str
    method: str
    checked: str
    budget: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, Any] = field(default_factory=dict)
    witness: Witness | None = None
    seconds: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))
        if self.status is Status.REFUTED and self.witness is None:
            raise ValueError(f"{self.claim_id}: a refuted verdict needs a witness")
        if self.status is Status.CERTIFIED:
            self._require_certificate()

    def _require_certificate(self) -> None:
        """The weakest-step rule, whoever built the outcome: a certified verdict records at least one step
        under ``evidence.steps``, every step holds and has a certificate-grade kind, and every cross-check
        (``evidence.cross_checks``, not part of the argument) holds."""
        evidence = self.evidence if isinstance(self.evidence, dict) else {}
        steps, cross_checks = evidence.get("steps"), evidence.get("cross_checks", {})
        if not isinstance(steps, dict) or not steps:
            raise ValueError(f"{self.claim_id}: certified with no recorded steps; record the argument's steps "
                             "(rigorous.Steps) or report it as supported")
        if not isinstance(cross_checks, dict) or not all(
                isinstance(r, dict) and "kind" in r and "holds" in r for r in (*steps.values(), *cross_checks.values())):
            raise ValueError(f"{self.claim_id}: certified, but a step or cross-check is not a record with a kind and holds")
        weak = [name for name, step in steps.items() if not step["holds"] or not StepKind(step["kind"]).certificate]
        failed = [name for name, check in cross_checks.items() if not check["holds"]]
        if weak or failed:
            raise ValueError(f"{self.claim_id}: certified, but these steps are evidence or failed: {weak}"
                             + (f"; these cross-checks failed: {failed}" if failed else ""))

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["status"] = self.status.value
        out["witness"] = None if self.witness is None else self.witness.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Verdict:
        data = dict(data)
        witness = data.get("witness")
        data["witness"] = None if witness is None else Witness.from_dict(witness)
        try:
            return cls(**data)
        except (TypeError, ValueError) as err:
            raise ApproxTheoryError(f"not a verdict record: {err}") from None

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Verdict:
        return cls.from_dict(json.loads(text))
