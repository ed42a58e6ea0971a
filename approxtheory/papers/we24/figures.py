"""The WE24 figure: error against the number of heads H for both encodings on the card's kernels.

The curves (:func:`error_curves`, a few LPs and least-squares fits) are computed apart from the drawing, as
portable per-run data, so that a parallel report computes them in a worker beside the claims (``report_work``)."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

from ...core.memo import per_run
from ...memory import kernels
from ...memory.bases import nested_grid
from ...memory.gradient import RateBox
from ...memory.least_squares import l2_curve
from ...memory.problems import KernelProblem
from .rates import THM51, THM51_HEADS, paper_grid_fit, thm51_curve

BOXES = {encoding: box for encoding, (_, _, box) in THM51.items()}
COLOURS = {"lin": "tab:blue", "log": "tab:red"}


class Curve(NamedTuple):
    """One line of one panel, as plain data."""

    panel: int
    heads: tuple[float, ...]
    errors: tuple[float, ...]
    fmt: str
    colour: str
    label: str
    alpha: float = 1.0


def _curve(panel: int, heads: list[int], errors: list[float], fmt: str, colour: str, label: str, alpha: float = 1.0) -> Curve:
    return Curve(panel, tuple(map(float, heads)), tuple(map(float, errors)), fmt, colour, label, alpha)


@per_run(portable=True)
def error_curves() -> tuple[Curve, ...]:
    """Panel 0: the proof's lin grid on delta_T; 1: Thm 5.1's kernels; 2: the App. H kernels (squared loss).
    Panels 0 and 1 reuse the LPs and curves of the lemF.1 and Thm 5.1 claims (rates.paper_grid_fit, thm51_curve)."""
    curves = []
    heads = list(range(10, 81, 10))
    for T, shade in zip((1, 4, 8), ("0.0", "0.35", "0.6")):
        errors = [paper_grid_fit(T, h, 2500).objective for h in heads]
        curves.append(_curve(0, heads, np.maximum(errors, 1e-12).tolist(), "o-", shade, f"delta_{T}"))
    hs = list(THM51_HEADS)
    for own, style in (("lin", "-"), ("log", "--")):
        kernel, window, _ = THM51[own]
        for encoding in ("lin", "log"):
            problem = KernelProblem(kernel, encoding, window)
            box = BOXES[encoding]
            grid = [problem.fit(nested_grid(h, box.lo, box.hi)).error for h in hs]
            curves.append(_curve(1, hs, grid, style, COLOURS[encoding], f"{kernel.name}, {encoding} (grid LP)", 0.35))
        best = [p.best.error for p in thm51_curve(own)]
        curves.append(_curve(1, hs, best, style + "o", COLOURS[own], f"{kernel.name}, {own} (LP + gradient)"))
    for kernel, style in ((kernels.power(0.5), "-"), (kernels.exponential(5.0), "--")):
        for encoding in ("lin", "log"):
            box = RateBox(1e-4, 20.0) if encoding == "lin" else RateBox(0.05, 60.0)
            problem = KernelProblem(kernel, encoding, 999, loss="l2", sequence="finite", first=1)
            fits = l2_curve(problem, [1, 2, 4, 8], box)
            curves.append(_curve(2, [f.heads for f in fits], np.maximum([f.error for f in fits], 1e-30).tolist(),
                                 style + "o", COLOURS[encoding], f"{kernel.name}, {encoding}"))
    return tuple(curves)


def error_vs_heads(out_dir: Path) -> Path:
    """The three panels of :func:`error_curves`, drawn."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))
    for c in error_curves():
        axes[c.panel].semilogy(c.heads, c.errors, c.fmt, color=c.colour, alpha=c.alpha, label=c.label)
    axes[0].set(xlabel="H (grid 0.01(k+1), k < H)", ylabel="min l1 error (LP)", title="Lemma F.1 grid, lin-RPE")
    axes[0].legend(fontsize=8)
    axes[1].set(xlabel="H", ylabel="l1 error", title="Thm 5.1 kernels (faint: LP on nested grids, both encodings)")
    axes[1].legend(fontsize=6)
    axes[2].axhline(0.19, color=COLOURS["lin"], ls=":", lw=1)
    axes[2].text(4.5, 1.0, "reported: lin-RPE, H = 64, on t^-0.5", fontsize=7, color=COLOURS["lin"])
    axes[2].set(xlabel="H", ylabel="best squared loss (1000 tokens)", title="App. H E4a/E4b kernels")
    axes[2].legend(fontsize=7)
    fig.suptitle("WE24: attention error against the number of heads", fontsize=10)
    fig.tight_layout()
    path = out_dir / "WE24.error_vs_heads.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
