"""recheck: accepts genuine certificates, rejects tampered ones."""

import copy
import dataclasses

import sympy as sp

from approxtheory.core import Status
from approxtheory.rigorous import Comparison, certify_leq, recheck

x, t, b = sp.symbols("x t b")
LN = (sp.log(1 + x), x, {"x": (0, 10)})
TB = (t * sp.exp(-b * t), 1 / (sp.E * b), {"t": (0, 10), "b": ("1/2", 4)})
PARABOLA = (x * (1 - x), sp.Rational(1, 4), {"x": (-1, 1)})


def _with_cells(c: Comparison, cells: list) -> Comparison:
    return dataclasses.replace(c, cells=cells)


def test_genuine_certificates_recheck() -> None:
    for lhs, rhs, box in (LN, TB, PARABOLA):
        c = certify_leq(lhs, rhs, box)
        assert c.status is Status.CERTIFIED
        assert recheck(lhs, rhs, c, box, strict=False)


def test_removed_cell_is_rejected() -> None:
    lhs, rhs, box = PARABOLA
    c = certify_leq(lhs, rhs, box)
    assert len(c.cells) > 1
    for i in range(len(c.cells)):
        assert not recheck(lhs, rhs, _with_cells(c, c.cells[:i] + c.cells[i + 1 :]), box, strict=False)
    assert not recheck(lhs, rhs, _with_cells(c, []), box, strict=False)


def test_swapped_rules_are_rejected() -> None:
    lhs, rhs, box = LN
    c = certify_leq(lhs, rhs, box)
    wrong = copy.deepcopy(c.cells)
    wrong[0]["rule"] = {"rule": "naive"}
    assert not recheck(lhs, rhs, _with_cells(c, wrong), box, strict=False)
    flipped = copy.deepcopy(c.cells)
    flipped[0]["rule"]["direction"] = "increasing"
    assert not recheck(lhs, rhs, _with_cells(c, flipped), box, strict=False)
    pointed = copy.deepcopy(c.cells)
    pointed[0]["rule"] = {"rule": "point", "exact": "zero"}
    assert not recheck(lhs, rhs, _with_cells(c, pointed), box, strict=False)


def test_tampered_critical_certificate_is_rejected() -> None:
    lhs, rhs, box = TB
    c = certify_leq(lhs, rhs, box)
    rule = c.cells[0]["rule"]
    for key, value in [("solutions", ["2/b"]), ("var", "b"), ("faces", rule["faces"][:1])]:
        bad = copy.deepcopy(c.cells)
        bad[0]["rule"][key] = value
        assert not recheck(lhs, rhs, _with_cells(c, bad), box, strict=False)
    no_face = copy.deepcopy(c.cells)
    no_face[0]["rule"]["faces"][1]["cells"] = []
    assert not recheck(lhs, rhs, _with_cells(c, no_face), box, strict=False)


def test_certificate_does_not_transfer_to_another_inequality_or_box() -> None:
    lhs, rhs, box = LN
    c = certify_leq(lhs, rhs, box)
    assert not recheck(lhs, rhs - sp.Rational(1, 100), c, box, strict=False)
    assert not recheck(lhs, rhs, c, {"x": (0, 20)}, strict=False)  # the cells do not cover [0, 20]
    assert not recheck(lhs, rhs, c, {"x": (-1, 10)}, strict=False)
    assert not recheck(lhs, rhs, c, box, strict=True)  # the certificate proves <=, not <
    stamped = dataclasses.replace(c, strict=True)  # a certificate's own claim of strictness is not trusted
    assert not recheck(lhs, rhs, stamped, box, strict=True)


def test_recheck_checks_the_callers_box_not_the_certificates() -> None:
    lhs, rhs, box = LN
    c = certify_leq(lhs, rhs, box)
    assert recheck(lhs, rhs, c, box={"x": ("0", "10")}, strict=False)
    assert not recheck(lhs, rhs, c, box={"x": (0, 11)}, strict=False)
    smaller = dataclasses.replace(c, box={"x": ("1", "10")})
    assert not recheck(lhs, rhs, smaller, box=box, strict=False)
    widened = dataclasses.replace(c, box={"x": ("0", "11")})  # a certificate may not claim a box it does not cover
    assert not recheck(lhs, rhs, widened, {"x": (0, 11)}, strict=False)


def test_every_cell_must_lie_inside_the_stated_box() -> None:
    # Cells proved on [0, 10] also prove [0, 5], but a certificate for [0, 5] may only hold cells inside it.
    lhs, rhs, _box = LN
    c = certify_leq(lhs, rhs, {"x": (0, 10)})
    assert not recheck(lhs, rhs, dataclasses.replace(c, box={"x": ("0", "5")}), {"x": (0, 5)}, strict=False)
