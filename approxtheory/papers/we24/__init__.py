"""WE24: Wang & E (2024), expressive power and mechanisms of Transformers for sequence modeling (wang_e_2024.md)."""

from __future__ import annotations

from pathlib import Path

from ...core import Claim
from ...core.memo import SharedWork
from . import algebra, constructions, experiments, experiments_small, figures as _figures, prop42, rates, rounding


def claims() -> list[Claim]:
    return [*algebra.claims(), *rates.claims(), *prop42.claims(), *constructions.claims(), *rounding.claims(),
            *experiments.claims(), *experiments_small.claims()]


def figures(out_dir: Path) -> list[Path]:
    return [_figures.error_vs_heads(out_dir)]


def report_work() -> list[SharedWork]:
    """The figure's curves, for a parallel report to compute in the worker of the rate claims whose LPs and
    curves they reuse."""
    return [SharedWork(_figures.error_curves, rates.KERNEL_RATES)]
