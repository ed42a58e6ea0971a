"""Witnesses: everything needed to replay a refutation (DESIGN.md, vocabulary)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .errors import ApproxTheoryError

WITNESS_FORMAT = "approxtheory.witness/1"


@dataclass(frozen=True)
class Witness:
    """The inputs, parameters and seed of a counterexample, and the numbers observed on it.

    ``inputs`` must hold JSON scalars and lists only; exact values are stored as strings
    (decimal or ``p/q``) so that a replay does not depend on float printing.
    """

    claim_id: str
    inputs: dict[str, Any]
    observed: dict[str, Any]
    seed: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"format": WITNESS_FORMAT, **asdict(self)}

    @classmethod
    def from_dict(cls, data: Any) -> Witness:
        if not isinstance(data, dict):
            raise ApproxTheoryError("a witness must be a JSON object")
        if data.get("format", WITNESS_FORMAT) != WITNESS_FORMAT:
            raise ApproxTheoryError(
                f"unknown witness format {data.get('format')!r}",
                f"this version reads {WITNESS_FORMAT!r}",
            )
        missing = [k for k in ("claim_id", "inputs", "observed") if k not in data]
        if missing:
            raise ApproxTheoryError(f"the witness lacks the field(s) {', '.join(missing)}")
        known = {"claim_id", "inputs", "observed", "seed", "params", "note"}
        return cls(**{k: v for k, v in data.items() if k in known})

    def dump(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n")
        return path

    @classmethod
    def load(cls, path: str | Path) -> Witness:
        path = Path(path)
        try:
            text = path.read_text()
        except OSError as err:
            raise ApproxTheoryError(
                f"cannot read witness file {path}: {err.strerror}",
                "pass the path of a witness JSON written by `approxtheory check`",
            ) from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise ApproxTheoryError(
                f"witness file {path} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})",
                "the file may be truncated; re-run the check that wrote it",
            ) from None
        try:
            return cls.from_dict(data)
        except ApproxTheoryError as err:
            raise ApproxTheoryError(f"witness file {path}: {err.problem}", err.hint) from None
