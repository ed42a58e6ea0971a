"""One-line texts of a verdict, shared by the terminal table (cli) and the HTML report.

A reader scans verdicts line by line: each verdict gets one summary line (what was observed) and one
compact budget line (what the verifier was allowed to spend). Nested records, such as the trained
experiments' ``scaled`` dict of paper-vs-here settings, never appear here: they stay in the JSON
evidence and in the report's folded details.
"""

from __future__ import annotations

from typing import Any

from .core import Verdict

#: Budget entries that are not an amount spent: the engine's name and the run's seed (shown elsewhere).
NOT_AMOUNTS = ("engine", "seed")


def _scalar(value: Any) -> str:
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def compact_budget(budget: dict[str, Any]) -> str:
    """``key=value`` for each scalar amount of ``budget`` (``budget=300``, ``samples=64, steps=2000``)."""
    return ", ".join(f"{key}={_scalar(value)}" for key, value in budget.items()
                     if key not in NOT_AMOUNTS and isinstance(value, (int, float, str)) and not isinstance(value, bool))


def summary(verdict: Verdict) -> str:
    """One line of what ``verdict`` observed: an error, the search's worst ratio, how many steps or instances
    hold, its first scalar evidence, or how many entries of a table of yes/no answers are yes (``4/4 agrees``);
    failing those, the sentence of what was checked."""
    ev = verdict.evidence
    if isinstance(ev.get("error"), str):
        return _one_line(f"error: {ev['error']}")
    if isinstance(ev.get("max_ratio"), float) and "examples_run" in ev:
        return f"max ratio {ev['max_ratio']:.6g} over {ev['examples_run']} examples"
    for key in ("steps", "instances"):
        if isinstance(ev.get(key), dict):
            held = sum(1 for s in ev[key].values() if isinstance(s, dict) and s.get("holds", True) is True or s is True)
            return f"{held}/{len(ev[key])} {key} hold"
    scalars = [(k, v) for k, v in ev.items() if isinstance(v, (int, float, str)) and not isinstance(v, bool)]
    if scalars:
        return _one_line(", ".join(f"{k}={_scalar(v)}" for k, v in scalars[:3]))
    answers = [(k, v) for k, v in ev.items() if isinstance(v, dict) and v and all(isinstance(a, bool) for a in v.values())]
    if answers:
        return ", ".join(f"{sum(v.values())}/{len(v)} {k}" for k, v in answers[:3])
    return _one_line(verdict.checked)
