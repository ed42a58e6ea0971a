"""The vocabulary every layer speaks: claims, conditions, bounds, verdicts, witnesses.

Nothing here imports JAX or any other layer of approxtheory.
"""

from .bound import Bound, SymbolSpec
from .claim import CheckContext, Claim, Outcome, Provenance, Replay, Scope, Source
from .condition import Condition, ConditionResult, ConditionStatus
from .errors import ApproxTheoryError
from .registry import ENTRY_POINT_GROUP, Registry
from .verdict import Status, Verdict
from .witness import OutsideClaim, Witness, WitnessInputs

__all__ = [
    "ApproxTheoryError",
    "Bound",
    "CheckContext",
    "Claim",
    "Condition",
    "ConditionResult",
    "ConditionStatus",
    "ENTRY_POINT_GROUP",
    "Outcome",
    "OutsideClaim",
    "Provenance",
    "Registry",
    "Replay",
    "Scope",
    "Source",
    "Status",
    "SymbolSpec",
    "Verdict",
    "Witness",
    "WitnessInputs",
]
