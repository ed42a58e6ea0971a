"""Shared pieces of the WE24 claims: the source and the claim factories (arguments record rigorous.Steps)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ... import author
from ...core import CheckContext, Claim, Outcome, Provenance, Scope, Source

VERSION = "NeurIPS 2024 camera-ready (arXiv:2402.00522), read in full; card wang_e_2024.md"
SYMPY = {"symbolic": "sympy"}  # the budget record of an argument without Arb steps: nothing is counted


def source(location: str) -> Source:
    return Source(paper="WE24", version=VERSION, location=location)


def claim(card_id: str, scope: Scope, name: str, statement: str, location: str,
          verify: Callable[[CheckContext], Outcome], **kw: Any) -> Claim:
    """A WE24 claim with id ``<card_id>.<scope>.<name>``; the paper's own statements are ``primary``."""
    return author.claim(card_id, name, statement, verify, scope=scope, source=source(location),
                        provenance=kw.pop("provenance", Provenance.PRIMARY), **kw)


def argument(card_id: str, name: str, statement: str, location: str, argue: Callable[..., str | author.Argued],
             **kw: Any) -> Claim:
    """A WE24 argument (:func:`approxtheory.author.argument_claim`), a primary statement unless ``scope`` says
    otherwise. Without Arb steps it spends no budget, and its budget record is :data:`SYMPY`."""
    kw.setdefault("budget", SYMPY)
    return author.argument_claim(card_id, name, statement, argue, source=source(location), **kw)
