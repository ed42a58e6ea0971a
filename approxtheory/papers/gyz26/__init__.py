"""GYZ26: Gu, Yang & Zhou, transformers vs. maxout networks (theorem card gu_yang_zhou_2026.md)."""

from __future__ import annotations

from pathlib import Path

from ...core import Claim
from . import regions, simulation, softmax_max


def claims() -> list[Claim]:
    return [*softmax_max.claims(), *simulation.claims(), *regions.claims()]


def figures(out_dir: Path) -> list[Path]:
    return [softmax_max.figure(out_dir), regions.slice_figure(out_dir)]
