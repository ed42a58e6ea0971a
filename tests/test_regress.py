"""`approxtheory regress`: scoped selection, modes, soundness of improvements, baseline validation."""

from __future__ import annotations

import dataclasses
import json
import os

import pytest
import sympy as sp

from approxtheory import regress
from approxtheory.cli import main
from approxtheory.core import ApproxTheoryError, Bound, Claim, Outcome, Registry, Source, Status
from approxtheory.papers.gyz26 import softmax_max
from approxtheory.papers.we24 import algebra

from .helpers import certified
from .test_entry_points import install_example_package, on_path  # noqa: F401  (on_path is a fixture)

PLUGIN_CLAIM = "EXAMPLE.lem.one.statement.trivial"


def run(capsys, argv, reg):
    code = main(argv, reg)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def make(claim_id: str, *bounds: Bound, calls: list[str] | None = None, cost: str = "fast",
         verify=None) -> Claim:
    """A cheap claim that records each run in ``calls``; ``verify`` maps its bounds to a status."""
    def check(ctx):
        if calls is not None:
            calls.append(claim_id)
        status = verify(*bounds) if verify is not None else Status.CERTIFIED
        checked = "the bound's identity" if verify else "nothing"
        return certified(checked) if status is Status.CERTIFIED else Outcome(status, "test", checked)
    return Claim(id=claim_id, statement="test", source=Source("TEST", "v0", "none"), provenance="reconstructed",
                 scope="statement", verify=check, bounds=bounds, cost=cost)


ELEM, SHARP = softmax_max.ELEMENTARY, softmax_max.SHARP
A, B, OTHER = "TEST.a.statement.x", "TEST.b.statement.y", "OTHER.c.statement.z"


def three(calls=None, **kw) -> Registry:
    return Registry([make(A, ELEM, calls=calls, **kw), make(B, calls=calls), make(OTHER, SHARP, calls=calls)])


def update(capsys, path, reg, *extra) -> dict:
    code, _, err = run(capsys, ["regress", "--baseline", str(path), "--update", *extra], reg)
    assert code == 0, err
    return json.loads(path.read_text())


def regress_json(capsys, path, reg, *extra) -> tuple[int, dict]:
    code, out, err = run(capsys, ["regress", "--baseline", str(path), "--json", *extra], reg)
    assert code in (0, 1), err
    return code, json.loads(out)


# --- the favourable-move rule (issue #11 item 10: the wrong end of the old enclosure) ----------------

@pytest.mark.parametrize(
    "direction, old, new, change, bad",
    [("upper", ("2", "4"), ("1", "3"), "moved", True),  # overlaps the old enclosure: not certainly lower
     ("upper", ("2", "4"), ("0", "1"), "improved (moved the favourable way)", False),
     ("upper", ("2", "4"), ("1", "2"), "moved", True),  # touches the old lo: not certainly lower
     ("lower", ("2", "4"), ("3", "5"), "moved", True),
     ("lower", ("2", "4"), ("5", "6"), "improved (moved the favourable way)", False),
     ("upper", ("2", "4"), ("3", "5"), "loosened", True),
     ("upper", ("2", "4"), ("5/2", "3"), "tighter", False),
     ("upper", ("2", "4"), ("1", "5"), "wider", True)],
)
def test_a_favourable_move_must_clear_the_old_enclosure(direction, old, new, change, bad) -> None:
    entry = lambda lo_hi: {"lo": lo_hi[0], "hi": lo_hi[1], "direction": direction}  # noqa: E731
    assert regress.compare_enclosure(entry(old), entry(new)) == (change, bad)


def test_an_unchanged_enclosure_is_no_change() -> None:
    old = {"lo": "1", "hi": "2", "direction": "upper"}
    assert regress.compare_enclosure(old, {**old, "lo": "2/2"}) == ("unchanged", False)


def test_a_package_selection_owns_the_removed_entries_under_its_papers() -> None:
    selection = regress.Selection((), frozenset({"TEST.lem.a.statement.b"}), frozenset(), papers=("TEST",))
    removed = selection.removed_claims(["TEST.lem.gone.statement.c", "TEST.lem.a.statement.b", "OTHER.lem.x.statement.y"])
    assert removed == {"TEST.lem.gone.statement.c"}


def test_a_package_whose_entry_point_fails_to_load_is_named(monkeypatch) -> None:
    class Broken:
        name, value, group = "broken", "broken_pkg:claims", regress.ENTRY_POINT_GROUP
        dist = type("Dist", (), {"name": "broken-pkg"})()

        def load(self):
            raise ImportError("no module named broken_pkg")

    monkeypatch.setattr(regress, "entry_points", lambda group: [Broken()])
    with pytest.raises(ApproxTheoryError, match="'broken' .*failed to load"):
        regress.package_claim_ids("Broken_Pkg")


def test_a_changed_direction_is_a_regression() -> None:
    old = {"lo": "1", "hi": "2", "direction": "upper"}
    assert regress.compare_enclosure(old, {**old, "direction": "lower"})[1] is True


# --- soundness: a tighter bound is an improvement only if its claims still hold ------------------------

def equal_split_identity(bound: Bound) -> Status:
    """What Thm 5.1's equal split must satisfy: M memories, H/M heads each, give M (H/M)^-n = bound."""
    s = {str(x): x for x in bound.expr.free_symbols}
    n, H, M = s["n"], s["H"], s["M"]
    holds = sp.simplify(sp.powsimp(sp.expand_power_base(M / (H / M) ** n, force=True), force=True) - bound.expr) == 0
    return Status.CERTIFIED if holds else Status.INCONCLUSIVE


def test_the_wrong_equal_split_bound_is_a_regression_not_an_improvement(capsys, tmp_path) -> None:
    """Issue #11 item 10: M^n/H^n in place of M^(n+1)/H^n is tighter, and false."""
    path, cid = tmp_path / "b.json", "WE24.thm5.1.statement.equal_split"
    n, H, M = (algebra.EQUAL_SPLIT.spec[k].symbol for k in ("n", "H", "M"))
    wrong = dataclasses.replace(algebra.EQUAL_SPLIT, expr=M**n / H**n)
    update(capsys, path, Registry([make(cid, algebra.EQUAL_SPLIT, verify=equal_split_identity)]))
    calls: list[str] = []
    for mode in ("--bounds-only", "--all"):
        code, data = regress_json(capsys, path, Registry([make(cid, wrong, calls=calls, verify=equal_split_identity)]), mode)
        assert code == 1 and not data["ok"] and data["reverified"] == [cid]
        bound_rows = [c for c in data["changes"] if c["kind"] == "bound"]
        assert bound_rows and all(c["regression"] and "no longer hold" in c["change"] for c in bound_rows)
    assert calls == [cid, cid]  # re-verified even in --bounds-only


def test_a_tighter_bound_whose_claim_holds_is_an_improvement(capsys, tmp_path) -> None:
    path, calls = tmp_path / "b.json", []
    update(capsys, path, Registry([make(A, ELEM)]))
    sharp_same_id = dataclasses.replace(SHARP, id=ELEM.id)
    code, data = regress_json(capsys, path, Registry([make(A, sharp_same_id, calls=calls)]), "--bounds-only")
    assert code == 0 and data["ok"] and calls == [A]
    assert all("re-verified" in c["change"] and not c["regression"] for c in data["changes"])


def test_a_tighter_bound_with_no_baseline_verdict_is_not_an_improvement(capsys, tmp_path) -> None:
    path = tmp_path / "b.json"
    update(capsys, path, Registry([make(A, ELEM)]), "--bounds-only")  # bounds only: no verdict recorded
    code, data = regress_json(capsys, path, Registry([make(A, dataclasses.replace(SHARP, id=ELEM.id))]), "--bounds-only")
    assert code == 1 and any("no baseline verdict" in c["change"] for c in data["changes"])


# --- modes ----------------------------------------------------------------------------------------------

def test_bounds_only_runs_no_verifier_and_still_sees_a_loosened_bound(capsys, tmp_path) -> None:
    path, calls = tmp_path / "b.json", []
    update(capsys, path, three())
    assert regress_json(capsys, path, three(calls), "--bounds-only") == (0, {
        "baseline": str(path), "mode": "bounds", "regressions": 0, "ok": True, "changes": [], "reverified": [],
        "skipped_slow": []})
    loose = dataclasses.replace(ELEM, expr=ELEM.expr * 2)
    reg = Registry([make(A, loose, calls=calls), make(B, calls=calls), make(OTHER, SHARP, calls=calls)])
    code, data = regress_json(capsys, path, reg, "--bounds-only")
    assert code == 1 and {c["change"] for c in data["changes"]} == {"loosened"} and calls == []


def test_default_mode_skips_slow_verdicts_and_all_runs_them(capsys, tmp_path) -> None:
    path = tmp_path / "b.json"
    update(capsys, path, Registry([make(A), make(B, cost="slow")]), "--all")
    calls: list[str] = []
    reg = Registry([make(A, calls=calls), make(B, calls=calls, cost="slow")])
    assert regress_json(capsys, path, reg)[1]["skipped_slow"] == [B] and calls == [A]
    assert regress_json(capsys, path, reg, "--all")[1]["ok"] and calls == [A, A, B]


def test_update_in_default_mode_keeps_slow_verdicts(capsys, tmp_path) -> None:
    path = tmp_path / "b.json"
    update(capsys, path, Registry([make(A), make(B, cost="slow")]), "--all")
    data = update(capsys, path, Registry([make(A), make(B, cost="slow", verify=lambda: Status.REFUTED)]))
    assert data["verdicts"][B] == "certified"


def test_a_claim_declares_a_known_cost() -> None:
    with pytest.raises(ValueError, match="cost"):
        make(A, cost="medium")
    assert make(A, cost="slow").describe()["cost"] == "slow"


# --- scoped selection ---------------------------------------------------------------------------------

@pytest.mark.parametrize("ids", [[A], ["TEST.a"], ["TEST."], ["TEST"]])
def test_ids_and_prefixes_select_like_check(capsys, tmp_path, ids) -> None:
    path, calls = tmp_path / "b.json", []
    update(capsys, path, three())
    data = json.loads(path.read_text())
    data["verdicts"][OTHER] = "refuted"  # a change outside the selection is not looked at
    path.write_text(json.dumps(data))
    code, out = regress_json(capsys, path, three(calls), *ids)
    assert code == 0 and out["ok"] and OTHER not in calls and A in calls
    code, out = regress_json(capsys, path, three())
    assert code == 1 and [c["id"] for c in out["changes"]] == [OTHER]


def test_update_of_a_subset_keeps_the_other_entries(capsys, tmp_path) -> None:
    path = tmp_path / "b.json"
    before = update(capsys, path, three())
    before["verdicts"]["ELSEWHERE.x.statement.y"] = "supported"
    before["bounds"]["ELSEWHERE.x.bound.z"] = {"p=1": {"lo": "1", "hi": "1", "direction": "upper"}}
    path.write_text(json.dumps(before))
    loose = dataclasses.replace(ELEM, expr=ELEM.expr * 2)
    reg = Registry([make(A, loose, verify=lambda b: Status.SUPPORTED), make(B), make(OTHER, SHARP)])
    after = update(capsys, path, reg, "TEST.a")
    assert after["verdicts"] == {**before["verdicts"], A: "supported"}
    assert after["bounds"][SHARP.id] == before["bounds"][SHARP.id]
    assert after["bounds"]["ELSEWHERE.x.bound.z"] == before["bounds"]["ELSEWHERE.x.bound.z"]
    assert after["bounds"][ELEM.id] != before["bounds"][ELEM.id]


def test_a_removed_claim_under_a_selected_prefix_is_a_regression(capsys, tmp_path) -> None:
    path = tmp_path / "b.json"
    update(capsys, path, three())
    reg = Registry([make(A, ELEM), make(OTHER, SHARP)])  # B is gone
    code, data = regress_json(capsys, path, reg, "TEST")
    assert code == 1 and [(c["id"], c["change"]) for c in data["changes"]] == [(B, "removed")]
    assert regress_json(capsys, path, reg, "OTHER")[0] == 0
    assert update(capsys, path, reg, "TEST")["verdicts"].keys() == {A, OTHER}


def test_package_selects_one_distributions_claims(capsys, tmp_path, on_path) -> None:  # noqa: F811
    install_example_package(on_path, "example_claims_pkg:claims")
    calls: list[str] = []
    reg = Registry([*Registry.discover(packages=()), make(A, ELEM, calls=calls)])
    path = tmp_path / "mine.json"
    data = update(capsys, path, reg, "--package", "example-claims-pkg")
    assert data["verdicts"] == {PLUGIN_CLAIM: "certified"} and data["bounds"] == {} and calls == []
    code, out = regress_json(capsys, path, reg, "--package", "Example_Claims_Pkg")  # names compare as PEP 503 says
    assert code == 0 and out["ok"] and calls == []


def test_unknown_package_is_one_clear_message(capsys, tmp_path, on_path) -> None:  # noqa: F811
    install_example_package(on_path, "example_claims_pkg:claims")
    code, out, err = run(capsys, ["regress", "--package", "nope", "--baseline", str(tmp_path / "b.json")], three())
    assert code == 2 and out == "" and "'nope'" in err and "example-claims-pkg" in err


def test_ids_and_package_together_are_refused(capsys, tmp_path) -> None:
    code, _, err = run(capsys, ["regress", "TEST", "--package", "x", "--baseline", str(tmp_path / "b.json")], three())
    assert code == 2 and "not both" in err


# --- the baseline file ----------------------------------------------------------------------------

GOOD_ENTRY = {"lo": "1", "hi": "2", "direction": "upper"}


def baseline_text(bounds=None, verdicts=None, **top) -> str:
    return json.dumps({"format": regress.BASELINE_FORMAT, "seed": 0, "arb_prec_bits": 128,
                       "bounds": {"b": {"p=1": GOOD_ENTRY}} if bounds is None else bounds,
                       "verdicts": {A: "certified"} if verdicts is None else verdicts, **top})


@pytest.mark.parametrize(
    "content, names",
    [(b"\xff\xfe\x00binary", ["not UTF-8", "0xff"]),
     (b"[" * 100_000 + b"]" * 100_000, ["nested too deeply"]),
     (baseline_text(verdicts={A: "X"}).encode().replace(b'"X"', b"[" * 900 + b"]" * 900), ["nested more than 64 deep"]),
     (b'{"format": "approxtheory.baseline/1", "seed": 0, "bounds": {}, '
      b'"verdicts": {"TEST.a.statement.x": "refuted", "TEST.a.statement.x": "certified"}}', ["'TEST.a.statement.x'", "twice"]),
     (baseline_text(bounds={"b": {"p=1": {**GOOD_ENTRY, "lo": "3"}}}).encode(), ["bounds['b']['p=1']", "lo > hi"]),
     (baseline_text(bounds={"b": {"p=1": {**GOOD_ENTRY, "direction": "sideways"}}}).encode(), ["'sideways'", "upper, lower"]),
     (baseline_text(verdicts={A: "certifed"}).encode(), [f"verdicts['{A}']", "'certifed'"]),
     (baseline_text(verdicts={A: 3}).encode(), [f"verdicts['{A}']", "allowed"]),
     (baseline_text(bounds={"b": {"p=1": {**GOOD_ENTRY, "lo": 1}}}).encode(), ["bounds['b']['p=1'].lo", "int"]),
     (baseline_text(bounds={"b": {"p=1": {**GOOD_ENTRY, "hi": "x"}}}).encode(), ["bounds['b']['p=1'].hi", "not an exact number"]),
     (baseline_text(bounds={"b": {"p=1": ["1", "2"]}}).encode(), ["bounds['b']['p=1']", "exactly lo, hi and direction"]),
     (baseline_text(bounds={"b": {"p=1": {**GOOD_ENTRY, "extra": 1}}}).encode(), ["bounds['b']['p=1']", "exactly"]),
     (baseline_text(bounds={"b": []}).encode(), ["bounds['b']", "not an object"]),
     (baseline_text(bounds={"b": {"p=1": {**GOOD_ENTRY, "hi": "1e999999999"}}}).encode(), ["bounds['b']['p=1'].hi", "exponent"]),
     (baseline_text(bounds={"b": {"p=1": {**GOOD_ENTRY, "lo": "-1e999999999"}}}).encode(), ["bounds['b']['p=1'].lo", "exponent"]),
     (baseline_text(x=0).encode().replace(b'"x": 0', b'"x": ' + b"9" * 5000), ["cannot be read"]),
     (baseline_text().encode().replace(b'"seed": 0', b'"seed": ' + b"9" * 5000), ["cannot be read"]),
     (baseline_text(seed="0").encode(), ["seed", "non-negative integer"]),
     (baseline_text(seed=10**23).encode(), ["seed is 100000000000000000000000", "outside [0, 2**63)"]),
     (b'{"format": "approxtheory.baseline/1", "bounds": [], "verdicts": {}}', ["lacks a 'bounds' or 'verdicts'"])],
)
def test_a_bad_baseline_names_the_file_and_the_entry(capsys, tmp_path, content: bytes, names: list[str]) -> None:
    path, calls = tmp_path / "baseline.json", []
    path.write_bytes(content)
    code, out, err = run(capsys, ["regress", "--baseline", str(path)], three(calls))
    assert code == 2 and out == "" and "Traceback" not in err and calls == []
    assert str(path) in err.replace("\n", "") and all(name in err for name in names), err


def test_update_refuses_an_unwritable_target_before_computing(capsys, tmp_path) -> None:
    calls: list[str] = []
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    for target in (blocker / "baseline.json", tmp_path):
        code, out, err = run(capsys, ["regress", "--baseline", str(target), "--update"], three(calls))
        assert code == 2 and str(target) in err and calls == []


def test_update_writes_atomically_and_keeps_the_result_on_failure(capsys, tmp_path, monkeypatch) -> None:
    path = tmp_path / "b.json"
    before = update(capsys, path, three())

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    code, _, err = run(capsys, ["regress", "--baseline", str(path), "--update"], three())
    assert code == 2 and "No space left" in err and "is unchanged" in err
    assert json.loads(path.read_text()) == before and [p.name for p in tmp_path.iterdir()] == ["b.json"]
    kept = err.split("kept in ")[1].split()[0]
    assert json.loads(open(kept).read())["verdicts"] == before["verdicts"]
    os.unlink(kept)


def test_a_subset_update_under_another_seed_is_refused_before_computing(capsys, tmp_path) -> None:
    path, calls = tmp_path / "b.json", []
    update(capsys, path, three())
    code, _, err = run(capsys, ["regress", "--baseline", str(path), "--update", "TEST.a", "--seed", "5"], three(calls))
    assert code == 2 and "--seed 0" in err and calls == []
    code, _, err = run(capsys, ["regress", "--baseline", str(path), "--seed", "5"], three(calls))
    assert code == 2 and "--seed 0" in err and calls == []
    assert update(capsys, path, three(calls), "--bounds-only", "--seed", "5")["seed"] == 0 and calls == []


def test_update_keeps_the_baseline_mode_and_a_new_file_follows_the_umask(capsys, tmp_path) -> None:
    path = tmp_path / "b.json"
    old = os.umask(0o022)
    try:
        update(capsys, path, three())
        assert path.stat().st_mode & 0o777 == 0o644
        path.chmod(0o664)
        update(capsys, path, three())
        assert path.stat().st_mode & 0o777 == 0o664
    finally:
        os.umask(old)
