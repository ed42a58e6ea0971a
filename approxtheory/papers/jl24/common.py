"""What every JL24 claim module shares: the source, claim construction and certified-step records.

A certified verdict is built from steps, each a SymPy identity/sign fact or an Arb comparison;
a step that fails makes the claim inconclusive (a failed simplification proves nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ... import author
from ...core import (
    CheckContext,
    Claim,
    Outcome,
    Provenance,
    Replay,
    Scope,
    Source,
)

VERSION = "NeurIPS 2024 camera-ready (arXiv 2305.18475; card jiang_li_2024.md)"


def source(location: str) -> Source:
    return Source(paper="JL24", version=VERSION, location=location)


def claim(card_id: str, scope: Scope, name: str, statement: str, verify: Callable[[CheckContext], Outcome], *,
          location: str, provenance: Provenance = Provenance.PRIMARY, **kw: Any) -> Claim:
    """A claim with id ``<card_id>.<scope>.<name>``."""
    return author.claim(card_id, name, statement, verify, scope=scope, source=source(location), provenance=provenance, **kw)


def argument(card_id: str, name: str, statement: str, argue: Callable[..., str | author.Argued], *, location: str,
             provenance: Provenance | str = Provenance.PRIMARY, **kw: Any) -> Claim:
    """A JL24 argument (:func:`approxtheory.author.argument_claim`). Without Arb comparisons it spends no budget,
    and its budget record is empty unless ``budget`` says otherwise."""
    return author.argument_claim(card_id, name, statement, argue, **identity(location, provenance), **kw)


def identity(location: str, provenance: Provenance | str = Provenance.PRIMARY) -> dict[str, Any]:
    """The source and provenance of a JL24 claim, as approxtheory.author's constructors take them."""
    return {"source": source(location), "provenance": provenance}


def replay_result(reproduced: bool, observed: dict[str, Any], yes: str, no: str) -> Replay:
    return Replay(reproduced=reproduced, observed=observed, explanation=yes if reproduced else no)
