"""Witnesses: everything needed to replay a refutation (DESIGN.md, vocabulary).

A witness names a claim and the inputs of a counterexample; everything else it carries (observed
numbers, notes) is a record, never trusted. A claim's replay reads the inputs through
:class:`WitnessInputs`: a malformed entry (wrong type, "abc" for a number, inf, a missing key, a size
beyond the replay limits) is an :class:`ApproxTheoryError` naming the entry; well-formed inputs outside
the claim's domain or scope raise :class:`OutsideClaim`, which ``Claim.replay_witness`` reports as
"not reproduced" with the reason.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, TypeVar

from .errors import ApproxTheoryError, refuse_special_file
from .strict_json import MAX_DEPTH, MAX_FILE_BYTES, DuplicateKey, no_duplicate_keys, too_deep

WITNESS_FORMAT = "approxtheory.witness/1"
MAX_NUMBER_CHARS = 400  # a rational written in a witness: digits of p/q, or a decimal with its exponent
MAX_EXPONENT = 400  # |e| in "1e-5"-style decimals: Fraction("1e100000000") would build a 10^8-digit integer
_RATIONAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?\d+/\d+")
T = TypeVar("T")


class OutsideClaim(Exception):
    """A well-formed witness whose inputs lie outside the claim's domain or scope: not reproduced, with the reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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
        for key, kind, types in (("claim_id", "a string", str), ("inputs", "an object", dict), ("observed", "an object", dict),
                                 ("params", "an object", dict), ("note", "a string", str)):
            if key in data and not isinstance(data[key], types):
                raise ApproxTheoryError(f"the witness field {key!r} must be {kind}, got {type(data[key]).__name__}")
        seed = data.get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63):
            raise ApproxTheoryError(f"the witness field 'seed' must be null or an integer in [0, 2**63), got {seed!r}")
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
        refuse_special_file(path, "witness file")
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise ApproxTheoryError(f"witness file {path} is {size:_} bytes, more than the limit of {MAX_FILE_BYTES:_}",
                                        "a witness written by `approxtheory check` is small; pass the right file")
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise ApproxTheoryError(
                f"cannot read witness file {path}: {err.strerror}",
                "pass the path of a witness JSON written by `approxtheory check`",
            ) from None
        except UnicodeDecodeError as err:  # a binary or non-UTF-8 file: JSON is UTF-8 text
            raise ApproxTheoryError(
                f"witness file {path} is not UTF-8 text (byte {err.start}: {err.reason})",
                "pass the path of a witness JSON written by `approxtheory check`",
            ) from None
        try:
            data = json.loads(text, object_pairs_hook=no_duplicate_keys)
        except json.JSONDecodeError as err:
            raise ApproxTheoryError(
                f"witness file {path} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})",
                "the file may be truncated; re-run the check that wrote it",
            ) from None
        except DuplicateKey as dup:
            raise ApproxTheoryError(f"witness file {path}: the key {dup.args[0]!r} appears twice in one object",
                                    "JSON would keep only the last; write each key once") from None
        except (ValueError, RecursionError) as err:  # an integer beyond Python's digit limit, nesting too deep
            raise ApproxTheoryError(f"witness file {path} cannot be read: {err}") from None
        if too_deep(data):
            raise ApproxTheoryError(f"witness file {path} nests arrays or objects more than {MAX_DEPTH} deep",
                                    "a witness written by `approxtheory check` is shallow; the file is corrupt or not a witness")
        try:
            return cls.from_dict(data)
        except ApproxTheoryError as err:
            raise ApproxTheoryError(f"witness file {path}: {err.problem}", err.hint) from None


class WitnessInputs:
    """Typed, bounded reads of one witness's inputs for a claim's replay.

    Every reader raises :class:`ApproxTheoryError` naming the entry when the value is malformed or beyond
    the replay limits; :meth:`require` raises :class:`OutsideClaim` when a well-formed value lies outside
    the claim's domain or scope. Numbers never come from ``observed``.
    """

    def __init__(self, values: Any, claim_id: str = "this claim") -> None:
        if not isinstance(values, Mapping):
            raise ApproxTheoryError(f"the witness inputs for {claim_id} must be an object, got {type(values).__name__}")
        self.claim_id = claim_id
        self.values: Mapping[str, Any] = values

    @classmethod
    def of(cls, witness: Witness) -> WitnessInputs:
        return cls(witness.inputs, witness.claim_id)

    def _where(self, key: str) -> str:
        return f"witness input {key!r}"

    def get(self, key: str) -> Any:
        if key not in self.values:
            raise ApproxTheoryError(f"the witness for {self.claim_id} lacks the input {key!r}",
                                    "re-create it with `approxtheory check`")
        return self.values[key]

    def integer(self, key: str, *, limit: int) -> int:
        """An integer with |value| <= limit (the replay's size limit, not the claim's domain)."""
        return read_integer(self.get(key), self._where(key), limit)

    def rational(self, key: str) -> Fraction:
        return read_rational(self.get(key), self._where(key))

    def real(self, key: str) -> float:
        return read_real(self.get(key), self._where(key))

    def text(self, key: str) -> str:
        value = self.get(key)
        if not isinstance(value, str):
            raise ApproxTheoryError(f"{self._where(key)} must be a string, got {type(value).__name__}")
        return value

    def items(self, key: str, read: Callable[[Any, str], T], *, limit: int) -> list[T]:
        """A non-empty list of at most ``limit`` entries, each read by ``read(value, where)``."""
        return read_list(self.get(key), self._where(key), read, limit)

    def optional_equal(self, key: str, expected: Any, meaning: str) -> None:
        """An informational input (the claim fixes it): absent, or equal to the claim's own value."""
        if key in self.values and self.values[key] != expected:
            raise OutsideClaim(f"{self._where(key)} is {self.values[key]!r}, but the claim's {meaning} is {expected!r}")

    @staticmethod
    def require(holds: bool, reason: str) -> None:
        if not holds:
            raise OutsideClaim(reason)


def read_integer(value: Any, where: str, limit: int) -> int:
    """A JSON integer (not a bool, not a float, not a string) with |value| <= limit."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApproxTheoryError(f"{where} must be an integer, got {value!r:.60}")
    if abs(value) > limit:
        shown = f"{value:.3g}" if value.bit_length() < 1000 else f"an integer of about {int(value.bit_length() * 0.30103) + 1} digits"
        raise ApproxTheoryError(f"{where} exceeds the replay limit {limit} (it is {shown})",
                                "a replay recomputes the claim; sizes are bounded so that it stays quick")
    return value


def read_rational(value: Any, where: str) -> Fraction:
    """An exact rational from an int or a string ("3/2", "0.1", "2e-5"); floats are ambiguous and refused."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ApproxTheoryError(f"{where} must be an integer or a string such as \"3/2\", got {value!r:.60}")
    if isinstance(value, int):
        return Fraction(read_integer(value, where, 10**MAX_EXPONENT))
    text = value.strip()
    if len(text) > MAX_NUMBER_CHARS or not _RATIONAL.fullmatch(text):
        raise ApproxTheoryError(f"{where} = {value[:60]!r} is not an exact rational of at most {MAX_NUMBER_CHARS} characters",
                                'write it like "1/3", "0.1" or "2e-5"')
    exponent = re.search(r"[eE]([+-]?\d+)$", text)
    if exponent and abs(int(exponent.group(1))) > MAX_EXPONENT:
        raise ApproxTheoryError(f"{where} = {text!r} has an exponent beyond the replay limit {MAX_EXPONENT}")
    try:
        return Fraction(text)
    except ZeroDivisionError:
        raise ApproxTheoryError(f"{where} = {text!r} divides by zero") from None


def read_real(value: Any, where: str) -> float:
    """A finite float from a JSON number, a float.hex() string or a decimal string."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ApproxTheoryError(f"{where} must be a number, got {value!r:.60}")
    try:
        number = float.fromhex(value) if isinstance(value, str) and "0x" in value.lower() else float(value)
    except (ValueError, OverflowError):
        raise ApproxTheoryError(f"{where} = {value!r:.60} is not a number") from None
    if not math.isfinite(number):
        raise ApproxTheoryError(f"{where} = {value!r:.60} is not finite")
    return number


def read_list(value: Any, where: str, read: Callable[[Any, str], T], limit: int) -> list[T]:
    """A non-empty JSON list of at most ``limit`` entries, each read by ``read``."""
    if not isinstance(value, list):
        raise ApproxTheoryError(f"{where} must be a list, got {type(value).__name__}")
    if not value:
        raise ApproxTheoryError(f"{where} is empty")
    if len(value) > limit:
        raise ApproxTheoryError(f"{where} has {len(value)} entries, beyond the replay limit {limit}")
    return [read(v, f"{where}[{i}]") for i, v in enumerate(value)]


def read_matrix(value: Any, where: str, *, limit: int) -> list[list[float]]:
    """A non-empty rectangular list of lists of finite numbers, each dimension at most ``limit``."""
    rows = read_list(value, where, lambda row, w: read_list(row, w, read_real, limit), limit)
    if len({len(row) for row in rows}) != 1:
        raise ApproxTheoryError(f"{where} is not rectangular (row lengths {sorted({len(r) for r in rows})})")
    return rows
