"""The JL24 figure: the construction's error against m_h on log-log axes, with fitted and stated slopes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .construction import FIT_RANGE, curves_for_figure


def error_figure(out_dir: Path, seed: int = 0) -> Path:
    """tau = 16, r = oo, sigma_k = k^-alpha: E sum_t |H_t - H^_t| and MSE of the proof's construction (Monte Carlo,
    95% bands), the least-squares slope over m_h in FIT_RANGE and the slope 2 alpha - 1 of Thm 4.2."""
    import matplotlib.pyplot as plt

    curves = curves_for_figure(seed)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, which in zip(axes, ("l1", "mse")):
        for (alpha, (curve, l1_fit, mse_fit)), colour in zip(curves.items(), ("tab:blue", "tab:orange")):
            fit = l1_fit if which == "l1" else mse_fit
            y = curve.values(which)
            half = curve.l1_halfwidth if which == "l1" else curve.mse_halfwidth
            ax.fill_between(curve.m, np.maximum(y - half, y * 1e-3), y + half, color=colour, alpha=0.25, lw=0)
            ax.loglog(curve.m, y, "o", ms=3, color=colour, label=f"alpha = {alpha}: construction")
            lo, hi = FIT_RANGE
            m = np.arange(lo, hi + 1)
            anchor = y[lo - 1]
            ax.loglog(m, anchor * (m / lo) ** (-fit.exponent), "-", color=colour,
                      label=f"fitted slope -{fit.exponent:.2f} [{fit.ci95[0]:.2f}, {fit.ci95[1]:.2f}]")
            stated = 2 * alpha - 1
            ax.loglog(m, anchor * (m / lo) ** (-stated), ":", color=colour, label=f"stated slope -{stated:g} (2 alpha - 1)")
        ax.set_xlabel("m_h (query/key dimension)")
        ax.set_ylabel("E sum_t |H_t - H^_t|" if which == "l1" else "MSE")
        ax.legend(fontsize=7)
    fig.suptitle("JL24.thm4.2 construction (m_FF = oo), tau = 16, r = oo: fitted vs stated slopes", fontsize=9)
    fig.tight_layout()
    path = Path(out_dir) / "JL24.construction_rate.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
