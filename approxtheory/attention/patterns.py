"""Fixed sparse attention patterns (CLSL25.def.sparse_pattern): boolean masks with mask[i, j] iff j in N(i).

Every pattern contains the diagonal, so no row is empty; each depends on n and its own
parameters only, never on X or theta.
"""

from __future__ import annotations

import numpy as np


def _offsets(n: int) -> np.ndarray:
    i = np.arange(n)
    return i[None, :] - i[:, None]  # [i, j] -> j - i


def window(n: int, w: int, wrap: bool) -> np.ndarray:
    """N(i) = {j : |j - i| <= w}, the distance taken cyclically (mod n) when ``wrap``."""
    delta = np.abs(_offsets(n))
    if wrap:
        delta = np.minimum(delta, n - delta)
    return delta <= w


def blocks(n: int, size: int) -> np.ndarray:
    """Block-diagonal: tokens attend within consecutive blocks of ``size`` (the last may be shorter)."""
    block = np.arange(n) // size
    return block[:, None] == block[None, :]


def global_window(n: int, globals_: int, w: int) -> np.ndarray:
    """Tokens 0..globals_-1 attend to and are attended by all; the rest use a sliding window of half-width w."""
    mask = window(n, w, wrap=False)
    mask[:globals_, :] = True
    mask[:, :globals_] = True
    return mask


def random_pattern(n: int, p: float, seed: int) -> np.ndarray:
    """A directed pattern: j in N(i) with probability p, independently, from a generator fixed by (seed, n)."""
    mask = np.random.default_rng([seed, n]).random((n, n)) < p
    return mask | np.eye(n, dtype=bool)


def bigbird(n: int, globals_: int, w: int, p: float, seed: int) -> np.ndarray:
    """BigBird: global tokens, a sliding window and a random directed part (``random_pattern``)."""
    return global_window(n, globals_, w) | random_pattern(n, p, seed)


def causal(n: int) -> np.ndarray:
    """N(i) = {j <= i}: not strongly connected (token 0 sees only itself; CLSL25 §5 case 3)."""
    return _offsets(n) <= 0


def self_only(n: int) -> np.ndarray:
    """N(i) = {i} (CLSL25 §5 case 2)."""
    return np.eye(n, dtype=bool)
