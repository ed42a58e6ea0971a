"""Every registered bound is tied to a check that fails when the bound's expression is wrong (issue #11 item 6).

For each bound of each registered claim, the bound's expression is scaled by 1/2 and by 2; every module
attribute holding the Bound is swapped for the mutated one and the claims are rebuilt from their module's
``claims()``, so a verifier that reads the Bound (at call time or at claim construction) sees the wrong
expression. At least one claim listing the bound must then stop being certified/supported. A verifier that
reads a module copy of the expression, or a literal, keeps its verdict and fails this test. Every claim listing
the bound runs at its default budget (the whole file takes well under a minute, so no claim is skipped).
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import sys
from collections.abc import Iterator

import pytest
import sympy as sp

import approxtheory
from approxtheory.cli import main
from approxtheory.core import Bound, Claim, Status

GOOD = (Status.CERTIFIED, Status.SUPPORTED)
REGISTRY = approxtheory.registry()
BOUNDS = {b.id: b for _, b in REGISTRY.bounds()}
CLAIMS_OF = {bid: [c.id for c in REGISTRY if any(b.id == bid for b in c.bounds)] for bid in BOUNDS}


def _swap(monkeypatch: pytest.MonkeyPatch, old: Bound, new: Bound) -> None:
    """Replace ``old`` by ``new`` wherever an approxtheory module holds it as an attribute."""
    for name, module in list(sys.modules.items()):
        if not name.startswith("approxtheory") or module is None:
            continue
        for attr, value in list(vars(module).items()):
            if value is old:
                monkeypatch.setattr(module, attr, new)


def _defining_modules() -> dict[str, str]:
    """Claim id -> the innermost paper module whose ``claims()`` builds it (verifiers may live in author.py)."""
    import pkgutil

    import approxtheory.papers as papers

    found: dict[str, str] = {}
    names = sorted((m.name for m in pkgutil.walk_packages(papers.__path__, "approxtheory.papers.")), key=len, reverse=True)
    for name in names:
        build = getattr(importlib.import_module(name), "claims", None)
        if callable(build):
            for c in build():
                found.setdefault(c.id, name)
    return found


DEFINED_IN = _defining_modules()


def _rebuilt(claim_id: str) -> Claim:
    """The claim as its module's ``claims()`` builds it now (after a swap, with the mutated bound)."""
    module = importlib.import_module(DEFINED_IN[claim_id])
    return next(c for c in module.claims() if c.id == claim_id)


def _statuses(bound_id: str) -> Iterator[tuple[str, Status]]:
    for claim_id in CLAIMS_OF[bound_id]:
        yield claim_id, _rebuilt(claim_id).check().status


@pytest.mark.parametrize("bound_id", sorted(BOUNDS))
def test_unmutated_claims_hold(bound_id: str) -> None:
    """The control: with the registered expression, every claim listing the bound is certified or supported."""
    assert all(status in GOOD for _, status in _statuses(bound_id)), dict(_statuses(bound_id))


@pytest.mark.parametrize("factor", [sp.Rational(1, 2), sp.Integer(2)], ids=["half", "double"])
@pytest.mark.parametrize("bound_id", sorted(BOUNDS))
def test_wrong_expression_is_caught(monkeypatch: pytest.MonkeyPatch, bound_id: str, factor: sp.Rational) -> None:
    old = BOUNDS[bound_id]
    _swap(monkeypatch, old, dataclasses.replace(old, expr=factor * old.expr))
    statuses = dict(_statuses(bound_id))
    assert any(status not in GOOD for status in statuses.values()), (
        f"{bound_id} scaled by {factor}: no claim listing it noticed ({statuses})")


@pytest.mark.parametrize("bound_id, claim_id", [
    ("GYZ26.lem.softmax_max.bound.elementary", "GYZ26.lem.softmax_max.statement.gap_bound"),
    ("GYZ26.lem.softmax_max.bound.sharp", "GYZ26.lem.softmax_max.statement.sharp_gap_bound"),
])
def test_a_search_ranks_inputs_by_the_bound_it_lists(monkeypatch: pytest.MonkeyPatch, bound_id: str, claim_id: str) -> None:
    """The searched claims compare the gap with the listed bound itself (no float copy of c(n)), so half the bound,
    which the fixtures of the certified claims also catch, is refuted by the search on its own."""
    old = BOUNDS[bound_id]
    _swap(monkeypatch, old, dataclasses.replace(old, expr=old.expr / 2))
    assert _rebuilt(claim_id).check().status is Status.REFUTED


def test_regress_reports_a_wrong_equal_split_bound(monkeypatch: pytest.MonkeyPatch, tmp_path, capsys) -> None:
    """End to end: M^n/H^n in place of M^(n+1)/H^n moves the pinned values and fails the claim; regress says so."""
    from approxtheory.papers.we24 import algebra

    claim_id, path = "WE24.thm5.1.statement.equal_split", tmp_path / "baseline.json"
    assert main(["regress", "--baseline", str(path), "--update", claim_id], REGISTRY) == 0
    n, H, M = (algebra.EQUAL_SPLIT.spec[k].symbol for k in ("n", "H", "M"))
    assert algebra.EQUAL_SPLIT.expr == M ** (n + 1) / H**n  # the expression the mutation gets wrong
    _swap(monkeypatch, algebra.EQUAL_SPLIT, dataclasses.replace(algebra.EQUAL_SPLIT, expr=M**n / H**n))
    wrong = approxtheory.core.Registry(_rebuilt(c.id) if c.id == claim_id else c for c in REGISTRY)
    capsys.readouterr()
    code = main(["regress", "--baseline", str(path), "--json", claim_id], wrong)
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and report["regressions"] > 0
    kinds = {c["kind"] for c in report["changes"] if c["regression"]}
    assert kinds >= {"bound", "verdict"}, report["changes"]
