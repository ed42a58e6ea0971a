"""Shared pieces of the WE24 claims: the source and the claim factory (steps are recorded on rigorous.Steps)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ... import author
from ...core import CheckContext, Claim, Outcome, Provenance, Scope, Source

VERSION = "NeurIPS 2024 camera-ready (arXiv:2402.00522), read in full; card wang_e_2024.md"


def source(location: str) -> Source:
    return Source(paper="WE24", version=VERSION, location=location)


def claim(card_id: str, scope: Scope, name: str, statement: str, location: str,
          verify: Callable[[CheckContext], Outcome], **kw: Any) -> Claim:
    """A WE24 claim with id ``<card_id>.<scope>.<name>``; the paper's own statements are ``primary``."""
    return author.claim(card_id, name, statement, verify, scope=scope, source=source(location),
                        provenance=kw.pop("provenance", Provenance.PRIMARY), **kw)
