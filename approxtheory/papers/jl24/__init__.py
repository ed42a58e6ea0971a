"""JL24: Jiang & Li (2024), approximation rate of the Transformer (theorem card jiang_li_2024.md)."""

from __future__ import annotations

from pathlib import Path

from ...core import Claim
from . import alterations, bound, construction, fixtures, trained
from .figures import error_figure


def claims() -> list[Claim]:
    return [*bound.claims(), *fixtures.claims(), *construction.claims(), *alterations.claims(), *trained.claims()]


def figures(out_dir: Path) -> list[Path]:
    return [error_figure(out_dir)]
