"""Reading JSON files strictly: a key given twice in one object is an error, not a silent overwrite.

json.loads keeps the last of two equal keys, which can hide a wrong value (a baseline verdict, a witness
input); every file format the toolkit reads passes ``object_pairs_hook=no_duplicate_keys``.
"""

from __future__ import annotations

from typing import Any


class DuplicateKey(Exception):
    """A key given twice in one JSON object; ``args[0]`` is the key."""


def no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` for json.loads: the object as a dict, or DuplicateKey."""
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise DuplicateKey(key)
        seen[key] = value
    return seen


#: Largest JSON input file read: network and witness files (README, "Errors and limits").
MAX_FILE_BYTES = 64 * 2**20
MAX_DEPTH = 64  # arrays and objects nested deeper than this are refused: printing them back recursed past Python's limit


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether parsed JSON ``value`` nests arrays/objects more than ``limit`` deep (checked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False
