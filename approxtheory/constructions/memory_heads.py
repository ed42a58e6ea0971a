"""Attention constructions of WE24 §4 as runnable code: DPF heads, dot-product and TMX scores, the nested chain.

- :class:`DPFLayer` (card §4.1, Thm 3.1): groups of dot-product-free softmax heads, one group per
  memory block, run literally (scores p phi(s), a softmax over the window, value weights).
- :func:`exact_single_head` (card §4.2): e^{-beta s} or s^{-beta} by one head, with W_V = Z_N(beta).
- :func:`dp_score_head` / :func:`tmx_head` (card §4.3, §4.4): scores -beta(s - g) (lin) and -beta log(s/g) (log)
  from W_Q, W_K (or from w, p in TMX) reading a position coordinate and a constant coordinate.
- :func:`prop42_attention` (Prop 4.2(A)): the H-head NF dot-product attention on {-1, 0, 1} tokens.
- :class:`NestedChain` (card §4.5, Thm 4.4): layers of dot-product heads that each extract the token
  at a position computed (and rounded) from the tokens extracted before.

Windows are arrays whose row s holds x_{t-s}.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from ..core import ApproxTheoryError
from ..memory.bases import check_encoding, normaliser
from ..memory.kernels import Kernel
from ..memory.problems import Fit
from ..numerics import TraceCounter, x64

TRACES = TraceCounter()


def rpe(encoding: str, N: int) -> np.ndarray:
    """phi(s) for s = 0..N: -s (WE24.def.rpe_lin) or -log s with -inf at s = 0 (WE24.def.rpe_log)."""
    check_encoding(encoding)
    s = np.arange(N + 1, dtype=np.float64)
    if encoding == "lin":
        return -s
    with np.errstate(divide="ignore"):
        return np.where(s > 0, -np.log(np.where(s > 0, s, 1.0)), -np.inf)


# --- dot-product-free layer (Thm 3.1) -------------------------------------------------------------

@dataclass(frozen=True)
class DPFHead:
    """W_Q = W_K = 0, score p_h phi(s), softmax over the window, value weight W_V (scalar per block)."""

    rate: float
    value: float


@dataclass(frozen=True)
class DPFLayer:
    """One group of heads per memory block k; block k outputs sum_{h in k} W_V^h sum_s softmax_h(s) x_{t-s}."""

    encoding: str
    groups: tuple[tuple[DPFHead, ...], ...]

    def __post_init__(self) -> None:
        check_encoding(self.encoding)
        if not self.groups or any(not g for g in self.groups):
            raise ApproxTheoryError("a DPF layer needs at least one nonempty group of heads")
        if any(not (h.rate > 0 and math.isfinite(h.value)) for g in self.groups for h in g):
            raise ApproxTheoryError("every head needs a rate p > 0 and a finite value weight")

    @classmethod
    def from_fits(cls, fits: Sequence[Fit], window: int) -> DPFLayer:
        """Heads realising fitted kernels on a window of ``window``+1 tokens (card §4.1).

        A fit's coefficient multiplies the head weight normalised over the whole sequence; the layer
        runs a softmax over the window only, so W_V = alpha Z_N(p) / Z_type(p) (truncated over full normaliser).
        """
        if not fits:
            raise ApproxTheoryError("need one fit per memory block")
        encodings = {f.problem.encoding for f in fits}
        if len(encodings) != 1:
            raise ApproxTheoryError("all blocks of a layer share one positional encoding")
        encoding = encodings.pop()
        groups = []
        for fit in fits:
            scale = [1.0 if fit.problem.sequence == "finite" else normaliser(encoding, p, window) / normaliser(encoding, p)
                     for p in fit.rates]
            groups.append(tuple(DPFHead(float(p), float(a * c)) for p, a, c in zip(fit.rates, fit.alpha, scale)))
        return cls(encoding, tuple(groups))

    def effective_kernel(self, block: int, window: int) -> np.ndarray:
        """phi_k(0..N) = sum_{h in k} W_V^h softmax_h(s): the kernel block k applies to the window."""
        scores = rpe(self.encoding, window)
        out = np.zeros(window + 1)
        for head in self.groups[block]:
            z = head.rate * scores
            w = np.exp(z - z.max())
            out += head.value * w / w.sum()
        return out

    @x64
    def __call__(self, X: np.ndarray) -> np.ndarray:
        """Block outputs, shape (M, d), computed by the attention itself (JAX), not from the kernel."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise ApproxTheoryError(f"a window must have shape (N+1, d), got {X.shape}")
        rates = np.array([h.rate for g in self.groups for h in g])
        values = np.array([h.value for g in self.groups for h in g])
        owner = np.repeat(np.arange(len(self.groups)), [len(g) for g in self.groups])
        per_head = _dpf_heads(jnp.asarray(rpe(self.encoding, X.shape[0] - 1)), jnp.asarray(rates),
                              jnp.asarray(values), jnp.asarray(X))
        return np.stack([np.asarray(per_head)[owner == k].sum(axis=0) for k in range(len(self.groups))])


@jax.jit
def _dpf_heads(phi: jax.Array, rates: jax.Array, values: jax.Array, X: jax.Array) -> jax.Array:
    TRACES.tick()

    def head(rate: jax.Array, value: jax.Array) -> jax.Array:
        weights = jax.nn.softmax(rate * phi)  # exp(-inf) = 0 takes s = 0 out for log-RPE
        return value * (weights @ X)

    return jax.vmap(head)(rates, values)


def exact_single_head(kernel: Kernel, encoding: str, window: int) -> DPFLayer:
    """One head whose block output is exactly sum_s rho(s) x_{t-s} on the window (card §4.2).

    rho = e^{-beta s} with lin-RPE, or rho = s^{-beta} (s >= 1) with log-RPE: p = beta and W_V = Z_N(beta),
    the truncated normaliser, which the softmax divides out again.
    """
    wanted = {"lin": "exponential", "log": "polynomial"}[encoding]
    if kernel.decay != wanted or (encoding == "log" and np.any(kernel.values(np.array([0])) != 0)):
        raise ApproxTheoryError(f"kernel {kernel.name} has no exact single {encoding} head",
                                "exact single heads exist for e^{-beta s} (lin) and s^{-beta} with rho(0)=0 (log)")
    beta = kernel.decay_rate
    probe = np.arange(window + 1)
    reference = np.exp(-beta * probe) if encoding == "lin" else np.where(probe > 0, np.maximum(probe, 1.0) ** -beta, 0.0)
    if not np.allclose(kernel.values(probe), reference, rtol=1e-14, atol=0):
        raise ApproxTheoryError(f"kernel {kernel.name} is not a pure {wanted} law with rate {beta}")
    return DPFLayer(encoding, ((DPFHead(beta, normaliser(encoding, beta, window)),),))


# --- dot-product and TMX scores (Thm 4.1, Prop 4.3) -----------------------------------------------

@dataclass(frozen=True)
class ScoreHead:
    """A head's score map s -> <W_Q e_t, W_K e_{t-s}> + p phi(s) on embeddings of width D."""

    encoding: str
    W_Q: np.ndarray  # (1, D)
    W_K: np.ndarray  # (1, D)
    rate: float

    @property
    def parameters(self) -> int:
        return int(self.W_Q.size + self.W_K.size + 1)

    def scores(self, query: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """Scores for the window: ``query`` is e_t (D,), ``keys`` row s is e_{t-s} (N+1, D)."""
        dot = (keys @ self.W_K.T)[:, 0] * float((self.W_Q @ query)[0])
        return dot + self.rate * rpe(self.encoding, keys.shape[0] - 1)


def dp_score_head(encoding: str, rate: float, position: int, constant: int, width: int) -> ScoreHead:
    """W_Q = sqrt(beta) e_1 e_u^T, W_K = sqrt(beta) e_1 e_c^T (scaled by 1/log 2 for log), p = beta (card §4.3).

    With coordinate u holding g (lin) or log g (log) and coordinate c holding 1 (lin) or log 2 (log),
    the score is beta g - beta s = -beta(s - g), or beta log g - beta log s = -beta log(s/g).
    """
    check_encoding(encoding)
    if not (rate > 0 and 0 <= position < width and 0 <= constant < width and position != constant):
        raise ApproxTheoryError("need rate > 0 and two distinct coordinates inside the embedding width")
    root = math.sqrt(rate)
    W_Q = np.zeros((1, width))
    W_K = np.zeros((1, width))
    W_Q[0, position] = root
    W_K[0, constant] = root if encoding == "lin" else root / math.log(2.0)
    return ScoreHead(encoding, W_Q, W_K, float(rate))


def position_embedding(encoding: str, g: float) -> tuple[float, float]:
    """(u, c): the position coordinate and the constant coordinate layer 1 writes (card §4.3)."""
    return (float(g), 1.0) if encoding == "lin" else (math.log(g), math.log(2.0))


@dataclass(frozen=True)
class TMXHead:
    """Prop 4.3's score p (phi(s) - phi(w.e_t)): D + 1 parameters instead of W_Q, W_K (WE24.def.tmx)."""

    encoding: str
    w: np.ndarray
    rate: float

    @property
    def parameters(self) -> int:
        return int(self.w.size + 1)

    def scores(self, query: np.ndarray, N: int) -> np.ndarray:
        g = float(self.w @ query)
        shift = -g if self.encoding == "lin" else -math.log(g)
        return self.rate * (rpe(self.encoding, N) - shift)


def tmx_head(encoding: str, rate: float, position: int, width: int) -> TMXHead:
    """w = e_u reads the coordinate holding g itself (for both encodings)."""
    check_encoding(encoding)
    if not (rate > 0 and 0 <= position < width):
        raise ApproxTheoryError("need rate > 0 and a position coordinate inside the embedding width")
    w = np.zeros(width)
    w[position] = 1.0
    return TMXHead(encoding, w, float(rate))


# --- Prop 4.2(A) -------------------------------------------------------------------------------------

def prop42_attention(alphas: Sequence[float], rates: Sequence[float], window: np.ndarray) -> float:
    """H-head NF attention on embeddings (x, 1): W_Q = sqrt(beta)(1, 1), W_K = sqrt(beta)(0, 1), p = beta, W_V reads x."""
    x = np.asarray(window, dtype=np.float64)
    keys = np.stack([x, np.ones_like(x)], axis=1)
    out = 0.0
    for a, b in zip(alphas, rates):
        head = ScoreHead("lin", math.sqrt(b) * np.array([[1.0, 1.0]]), math.sqrt(b) * np.array([[0.0, 1.0]]), float(b))
        out += a * float(np.exp(head.scores(keys[0], keys)) @ x)
    return out


def prop42_exact_error(alphas: Sequence[float], rates: Sequence[float], N: int) -> float:
    """sup over {-1,0,1} inputs of |x_{t-g(x_t)} - Attn_t| for windows of N+1 tokens, in closed form.

    With psi(u) = sum_h alpha_h e^{-beta_h u}, the query x_t = B - 1 sees the kernel psi(s - B), and every
    x_{t-s}, s >= 1, is free, so the supremum of each case is an l1 norm:
    B = 0: |1 - psi(0)| + sum_{u=1}^{N} |psi(u)|; B = 1 (x_t = 0 hides s = 0): |1 - psi(0)| + sum_{u=1}^{N-1} |psi(u)|;
    B = 2: |psi(-2)| + |psi(-1)| + |1 - psi(0)| + sum_{u=1}^{N-2} |psi(u)|. B = 1 never exceeds B = 0.
    """
    u = np.arange(-2, N + 1, dtype=np.float64)
    psi = np.exp(-np.outer(u, np.asarray(rates, dtype=np.float64))) @ np.asarray(alphas, dtype=np.float64)
    residual = np.abs(np.where(u == 0, 1.0, 0.0) - psi)
    case_b0 = residual[2:].sum()
    case_b2 = residual[:-2].sum()
    return float(max(case_b0, case_b2))


# --- nested chain with rounding (Thm 4.4) -------------------------------------------------------------

@dataclass(frozen=True)
class ChainTrace:
    output: float
    positions: tuple[int, ...]
    extracted: tuple[float, ...]


@dataclass(frozen=True)
class NestedChain:
    """Layer l+1 extracts x_{t - t_l} with H dot-product heads of kernel sum_h alpha_h e^{-beta_h (s - t_l)}
    (lin) or sum_h alpha_h (s/t_l)^{-beta_h} (log); the precision FFN then evaluates the next position on
    the tokens extracted so far and rounds it: [.] (lin) or log[exp(.)] (log, WE24.def.precision_ffn).

    ``positions[l](x_t, extracted_0, ..., extracted_{l-1})`` is g_{l+1} extended to real inputs; the FFN
    is taken exact (the width-m approximation error is the separate E_FFN term of the theorems).
    """

    encoding: str
    positions: tuple[Callable[..., float], ...]
    alphas: tuple[float, ...]
    rates: tuple[float, ...]
    readout: Callable[[np.ndarray], float]

    def __post_init__(self) -> None:
        check_encoding(self.encoding)
        if len(self.alphas) != len(self.rates) or not self.alphas:
            raise ApproxTheoryError("need one value weight per rate, at least one head")

    def run(self, window: np.ndarray) -> ChainTrace:
        x = np.asarray(window, dtype=np.float64)
        N = x.shape[0] - 1
        width = 2  # coordinate 0 holds the position written by the FFN (query side), 1 the constant
        extracted: list[float] = []
        found: list[int] = []
        for g in self.positions:
            # Both precision FFNs return the nearest integer: [g] directly (lin), or log[exp(log g)] (log),
            # whose exponential is the same integer; only the tolerance on the FFN's input differs.
            t = int(round(float(g(x[0], *extracted))))
            if not 1 <= t <= N:
                return ChainTrace(float("nan"), tuple(found + [t]), tuple(extracted))
            u, c = position_embedding(self.encoding, t)
            query = np.array([u, c])
            keys = np.tile([0.0, c], (N + 1, 1))
            value = 0.0
            for a, b in zip(self.alphas, self.rates):
                head = dp_score_head(self.encoding, b, 0, 1, width)
                value += a * float(np.exp(head.scores(query, keys)) @ x)  # NF: weights exp(score)
            found.append(t)
            extracted.append(value)
        return ChainTrace(float(self.readout(np.array([x[0], *extracted]))), tuple(found), tuple(extracted))
