"""The WE24 figure: error against the number of heads H for both encodings on the card's kernels."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...memory import kernels
from ...memory.bases import nested_grid, paper_grid_chebyshev
from ...memory.curves import error_curve
from ...memory.gradient import RateBox
from ...memory.least_squares import l2_curve
from ...memory.lp import l1_fit
from ...memory.problems import KernelProblem

BOXES = {"lin": RateBox(0.01, 5.0), "log": RateBox(1.01, 30.0)}
COLOURS = {"lin": "tab:blue", "log": "tab:red"}


def error_vs_heads(out_dir: Path) -> Path:
    """Three panels: the proof's lin grid on delta_T; Thm 5.1's kernels; the App. H kernels (squared loss)."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))
    ax = axes[0]
    heads = list(range(10, 81, 10))
    for T, shade in zip((1, 4, 8), ("0.0", "0.35", "0.6")):
        target = np.zeros(2501)
        target[T] = 1.0
        errors = [l1_fit(target, *paper_grid_chebyshev(h, 2500)).objective for h in heads]
        ax.semilogy(heads, np.maximum(errors, 1e-12), "o-", color=shade, label=f"delta_{T}")
    ax.set(xlabel="H (grid 0.01(k+1), k < H)", ylabel="min l1 error (LP)", title="Lemma F.1 grid, lin-RPE")
    ax.legend(fontsize=8)

    ax = axes[1]
    hs = [1, 2, 3, 4, 5, 6]
    for kernel, window, style in ((kernels.damped(0.05), 400, "-"), (kernels.shifted_power(5.0), 300, "--")):
        for encoding in ("lin", "log"):
            problem = KernelProblem(kernel, encoding, window)
            box = BOXES[encoding]
            grid = [problem.fit(nested_grid(h, box.lo, box.hi)).error for h in hs]
            ax.semilogy(hs, grid, style, color=COLOURS[encoding], alpha=0.35, label=f"{kernel.name}, {encoding} (grid LP)")
        own = "lin" if kernel.decay == "exponential" else "log"
        best = [p.best.error for p in error_curve(KernelProblem(kernel, own, window), hs, BOXES[own])]
        ax.semilogy(hs, best, style + "o", color=COLOURS[own], label=f"{kernel.name}, {own} (LP + gradient)")
    ax.set(xlabel="H", ylabel="l1 error", title="Thm 5.1 kernels (faint: LP on nested grids, both encodings)")
    ax.legend(fontsize=6)

    ax = axes[2]
    for kernel, style in ((kernels.power(0.5), "-"), (kernels.exponential(5.0), "--")):
        for encoding in ("lin", "log"):
            box = RateBox(1e-4, 20.0) if encoding == "lin" else RateBox(0.05, 60.0)
            problem = KernelProblem(kernel, encoding, 999, loss="l2", sequence="finite", first=1)
            fits = l2_curve(problem, [1, 2, 4, 8], box)
            ax.semilogy([f.heads for f in fits], np.maximum([f.error for f in fits], 1e-30), style + "o",
                        color=COLOURS[encoding], label=f"{kernel.name}, {encoding}")
    ax.axhline(0.19, color=COLOURS["lin"], ls=":", lw=1)
    ax.text(4.5, 1.0, "reported: lin-RPE, H = 64, on t^-0.5", fontsize=7, color=COLOURS["lin"])
    ax.set(xlabel="H", ylabel="best squared loss (1000 tokens)", title="App. H E4a/E4b kernels")
    ax.legend(fontsize=7)
    fig.suptitle("WE24: attention error against the number of heads", fontsize=10)
    fig.tight_layout()
    path = out_dir / "WE24.error_vs_heads.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
