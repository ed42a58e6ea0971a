"""Conditions: a theorem's hypotheses as predicates on a concrete instance."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Generic, TypeVar

Instance = TypeVar("Instance")


class ConditionStatus(str, Enum):
    HOLDS = "holds"
    FAILS = "fails"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class ConditionResult:
    """A predicate's answer on one instance, with the evidence behind it and a one-line reason."""

    name: str
    status: ConditionStatus
    explanation: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", ConditionStatus(self.status))

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "explanation": self.explanation,
            "evidence": dict(self.evidence),
        }


@dataclass(frozen=True)
class Condition(Generic[Instance]):
    """A named hypothesis (card id in ``id``) and the predicate that decides it on an instance."""

    id: str
    name: str
    description: str
    predicate: Callable[[Instance], ConditionResult]

    def __call__(self, instance: Instance) -> ConditionResult:
        result = self.predicate(instance)
        if result.name != self.name:
            result = ConditionResult(self.name, result.status, result.explanation, result.evidence)
        return result
