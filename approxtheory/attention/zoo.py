"""A zoo of attention mechanisms, each an ordinary ``Mechanism`` (the public protocol; no private path).

All use linear d x d maps Q = X W_Q, K = X W_K, V = X W_V in float64, and theta_0 = (W_V = 0)
(CLSL25.def.analytic_family (A3)). n-independent entries are module-level instances
(``approxtheory.attention.zoo:softmax``); pattern-based ones are built from their pattern
parameters (``approxtheory.attention.zoo:window(w=1, wrap=True)``). ``ZOO`` lists every entry
with the verdict the card predicts (see ``expected``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..numerics import x64
from . import expected as ex
from . import kernels, patterns
from .expected import Expectation
from .protocol import Attention, Kernel, Mechanism, Params

LINEAR_RELU_EPS = 1e-6  # added to the ReLU-feature normaliser, which can vanish (CLSL25 §5 case 5)


# ---- shared pieces -----------------------------------------------------------------------------


@x64
def _qkv_init(key: jax.Array, n: int, d: int, **extra: tuple[int, ...]) -> dict[str, jax.Array]:
    """W_Q, W_K, W_V ~ N(0, 1/d) (d x d) plus any ``extra`` leaves ~ N(0, 1/fan-in), all float64.

    Drawn eagerly with NumPy from a generator seeded by the key's bits (no compilation per shape);
    the checker calls init eagerly and never traces it.
    """
    bits = jax.random.key_data(key) if jnp.issubdtype(key.dtype, jax.dtypes.prng_key) else key
    rng = np.random.default_rng(np.asarray(bits, dtype=np.uint32).ravel().tolist())
    shapes = {"wq": (d, d), "wk": (d, d), "wv": (d, d), **extra}
    return {
        name: jnp.asarray(rng.standard_normal(shape) / np.sqrt(shape[-1] if len(shape) > 1 else 1))
        for name, shape in shapes.items()
    }


def _zero_value(params: Params) -> Params:
    """theta_0: W_V = 0 gives apply == 0 (a NumPy zero, so the dtype survives outside the x64 context)."""
    return {**params, "wv": np.zeros(np.shape(params["wv"]), dtype=params["wv"].dtype)}


def _scores(params: Params, X: jax.Array) -> jax.Array:
    """Scaled dot-product logits q_i.kappa_j / sqrt(d)."""
    return (X @ params["wq"]) @ (X @ params["wk"]).T / np.sqrt(X.shape[-1])


def _mechanism(name: str, apply: Callable[[Params, jax.Array], jax.Array], family: str, **kw: Any) -> Mechanism:
    return Mechanism(name=name, init=_qkv_init, apply=apply, family=family, zero_params=_zero_value, **kw)


# ---- softmax and kernel attention (CLSL25.cor.kernel) ------------------------------------------


def _softmax_apply(params: Params, X: jax.Array) -> jax.Array:
    return jax.nn.softmax(_scores(params, X), axis=-1) @ (X @ params["wv"])


softmax = _mechanism("softmax", _softmax_apply, "softmax", description="scaled dot-product softmax attention")


def kernel_attention(kernel: Kernel) -> Mechanism:
    """Attn(X)[i] = sum_j k(q_i, kappa_j) v_j / sum_l k(q_i, kappa_l) (CLSL25.def.kernel_limit).

    With ``kernel.log_fn`` the weights are a stabilised softmax of log k (same value, no overflow);
    otherwise k is evaluated directly and large parameters may give non-finite draws.
    """
    pairwise = jax.vmap(jax.vmap(kernel.log_fn or kernel.fn, (None, 0)), (0, None))

    def apply(params: Params, X: jax.Array) -> jax.Array:
        s = pairwise(X @ params["wq"], X @ params["wk"])
        weights = jax.nn.softmax(s, axis=-1) if kernel.log_fn is not None else s / jnp.sum(s, axis=-1, keepdims=True)
        return weights @ (X @ params["wv"])

    return _mechanism(f"kernel[{kernel.name}]", apply, "kernel", kernel=kernel, description=f"kernel attention, {kernel.name}")


kernel_exponential = kernel_attention(kernels.EXPONENTIAL)
kernel_gaussian = kernel_attention(kernels.gaussian())
performer = kernel_attention(kernels.performer())
kernel_polynomial = kernel_attention(kernels.polynomial())


# ---- linear attention (non-analytic feature maps, CLSL25 §5 case 5) ----------------------------

_FEATURES: dict[str, tuple[Callable[[jax.Array], jax.Array], float]] = {
    "elu": (lambda z: jax.nn.elu(z) + 1.0, 0.0),  # elu + 1 > 0: the normaliser never vanishes
    "relu": (jax.nn.relu, LINEAR_RELU_EPS),  # can vanish: eps keeps outputs finite (a zero row)
}


def linear_attention(feature: str = "elu") -> Mechanism:
    """Attn(X)[i] = sum_j (phi(q_i).phi(kappa_j)) v_j / (sum_l phi(q_i).phi(kappa_l) + eps), phi entrywise."""
    if feature not in _FEATURES:
        raise ValueError(f"feature must be one of {sorted(_FEATURES)}, got {feature!r}")
    phi, eps = _FEATURES[feature]

    def apply(params: Params, X: jax.Array) -> jax.Array:
        a = phi(X @ params["wq"]) @ phi(X @ params["wk"]).T
        return a @ (X @ params["wv"]) / (jnp.sum(a, axis=-1, keepdims=True) + eps)

    return _mechanism(f"linear[{feature}]", apply, "linear", description=f"linear attention, feature map {feature}")


linear_elu = linear_attention("elu")
linear_relu = linear_attention("relu")


# ---- masked softmax (CLSL25.def.sparse_pattern, CLSL25.cor.sparse) -----------------------------


def masked_softmax(name: str, pattern: Callable[[int], np.ndarray], family: str = "masked") -> Mechanism:
    """Softmax over N(i) only, stabilised over the allowed entries (card §6 numerics).

    Masked logits are set to -inf before the softmax, so its row maximum is the maximum of the
    allowed logits and rows (never empty) cannot underflow to 0/0. The mask is a constant.
    """

    def apply(params: Params, X: jax.Array) -> jax.Array:
        mask = pattern(X.shape[0])
        s = jnp.where(mask, _scores(params, X), -jnp.inf)
        return jax.nn.softmax(s, axis=-1) @ (X @ params["wv"])

    return _mechanism(name, apply, family, pattern=pattern, description=f"masked softmax, {name}")


def window(w: int = 1, wrap: bool = False) -> Mechanism:
    """Sliding window |j - i| <= w (Longformer), cyclic when ``wrap``."""
    if w < 1:
        raise ValueError(f"window half-width w must be >= 1, got {w}")
    return masked_softmax(f"window(w={w}, wrap={wrap})", functools.partial(patterns.window, w=w, wrap=wrap))


def blocks(size: int = 2) -> Mechanism:
    """Block-diagonal pattern: disconnected once n > size (CLSL25 §5 case 3)."""
    if size < 1:
        raise ValueError(f"block size must be >= 1, got {size}")
    return masked_softmax(f"blocks(size={size})", functools.partial(patterns.blocks, size=size))


def global_window(globals_: int = 1, w: int = 1) -> Mechanism:
    """Global tokens 0..globals_-1 plus a sliding window (BigBird without the random part)."""
    if globals_ < 1 or w < 1:
        raise ValueError(f"need globals_ >= 1 and w >= 1, got {globals_}, {w}")
    pattern = functools.partial(patterns.global_window, globals_=globals_, w=w)
    return masked_softmax(f"global_window(globals_={globals_}, w={w})", pattern)


def random_pattern(p: float = 0.5, seed: int = 0) -> Mechanism:
    """A random directed pattern fixed by (seed, n): part of the architecture, not of theta."""
    if not 0 <= p <= 1:
        raise ValueError(f"p must be in [0, 1], got {p}")
    return masked_softmax(f"random_pattern(p={p}, seed={seed})", functools.partial(patterns.random_pattern, p=p, seed=seed))


def bigbird(globals_: int = 1, w: int = 1, p: float = 0.2, seed: int = 0) -> Mechanism:
    """Global tokens + sliding window + random pattern (BigBird); strongly connected through the globals."""
    if globals_ < 1 or w < 1 or not 0 <= p <= 1:
        raise ValueError(f"need globals_ >= 1, w >= 1 and p in [0, 1], got {globals_}, {w}, {p}")
    pattern = functools.partial(patterns.bigbird, globals_=globals_, w=w, p=p, seed=seed)
    return masked_softmax(f"bigbird(globals_={globals_}, w={w}, p={p}, seed={seed})", pattern)


causal = masked_softmax("causal", patterns.causal)
self_only = masked_softmax("self_only", patterns.self_only, family="degenerate")


# ---- relative-position bias (CLSL25.cor.symmetric) ---------------------------------------------


def _cyclic_index(n: int) -> tuple[np.ndarray, int]:
    return (np.arange(n)[None, :] - np.arange(n)[:, None]) % n, n  # rho(i, j) = (j - i) mod n


def _distance_index(n: int) -> tuple[np.ndarray, int]:
    shift = _cyclic_index(n)[0]
    return np.minimum(shift, (-shift) % n), n // 2 + 1  # rho(i, j) = cyclic distance


_BIAS_INDEX = {"cyclic": _cyclic_index, "dihedral": _distance_index}


def relative_bias(kind: str) -> Mechanism:
    """Softmax with logits q_i.kappa_j / sqrt(d) + b[rho(i, j)], b learnable; C_n (cyclic) or D_n (dihedral).

    The bias is a constant one-hot tensor contracted with b (a dot_general, no data-dependent gather).
    """
    if kind not in _BIAS_INDEX:
        raise ValueError(f"kind must be one of {sorted(_BIAS_INDEX)}, got {kind!r}")
    index = _BIAS_INDEX[kind]

    def init(key: jax.Array, n: int, d: int) -> Params:
        return _qkv_init(key, n, d, b=(index(n)[1],))

    def apply(params: Params, X: jax.Array) -> jax.Array:
        rho, size = index(X.shape[0])
        bias = jnp.asarray(np.eye(size)[rho]) @ params["b"]
        return jax.nn.softmax(_scores(params, X) + bias, axis=-1) @ (X @ params["wv"])

    return Mechanism(
        f"bias_{kind}", init, apply, family="relative_bias", zero_params=_zero_value,
        description=f"softmax with {kind} relative-position bias",
    )


bias_cyclic = relative_bias("cyclic")
bias_dihedral = relative_bias("dihedral")


# ---- Linformer (CLSL25.cor.linformer) ----------------------------------------------------------


def linformer_attention(rank: int | None = None) -> Mechanism:
    """softmax((X W_Q)(E X W_K)^T / sqrt(d)) (F X W_V) with E, F in R^{r x n}; r = max(1, n // 2) by default."""

    def init(key: jax.Array, n: int, d: int) -> Params:
        r = rank if rank is not None else max(1, n // 2)
        if not 1 <= r < n:
            raise ValueError(f"Linformer rank r={r} must satisfy 1 <= r < n={n}")
        return _qkv_init(key, n, d, e=(r, n), f=(r, n))

    def apply(params: Params, X: jax.Array) -> jax.Array:
        keys = (params["e"] @ X) @ params["wk"]
        values = (params["f"] @ X) @ params["wv"]
        logits = (X @ params["wq"]) @ keys.T / np.sqrt(X.shape[-1])
        return jax.nn.softmax(logits, axis=-1) @ values

    return Mechanism(f"linformer(rank={rank})", init, apply, family="linformer", zero_params=_zero_value, description="Linformer")


linformer = linformer_attention()


# ---- degenerate cases (CLSL25 §5 cases 1, 2, 4) ------------------------------------------------


def _zero_init(key: jax.Array, n: int, d: int) -> Params:
    return {}


zero = Mechanism(
    "zero", _zero_init, lambda params, X: jnp.zeros_like(X), family="degenerate", zero_params=lambda p: p,
    description="g = 0: no mixing",
)
mean = _mechanism(
    "mean",
    lambda params, X: jnp.broadcast_to(jnp.mean(X, axis=0) @ params["wv"], X.shape),
    "degenerate",
    description="content-blind uniform attention W_V mean(X) (softmax with W_K = 0)",
)


# ---- the registry ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZooEntry:
    """A zoo mechanism: how to build it, how to load it, and what CLSL25 predicts for it at each n."""

    build: Callable[..., Attention]
    expected: Callable[[int], Expectation]
    kwargs: dict[str, Any] = field(default_factory=dict)
    target: str = ""

    def __call__(self) -> Attention:
        return self.build(**self.kwargs)


def _entry(obj: Any, name: str, expected: Callable[[int], Expectation], **kwargs: Any) -> ZooEntry:
    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    target = f"{__name__}:{name}" + (f"({args})" if kwargs else "")
    build = obj if kwargs else (lambda: obj)
    return ZooEntry(build=build, expected=expected, kwargs=kwargs, target=target)


def _pattern_entry(factory: Callable[..., Mechanism], name: str, pattern: Callable[..., np.ndarray], **kwargs: Any) -> ZooEntry:
    """An entry whose prediction is read off its pattern by brute force (no closed form)."""
    return _entry(factory, name, ex.from_pattern(functools.partial(pattern, **kwargs)), **kwargs)


ZOO: dict[str, ZooEntry] = {
    "softmax": _entry(softmax, "softmax", ex.kernel_uap("softmax, e^{q.k}")),
    "kernel_exponential": _entry(kernel_exponential, "kernel_exponential", ex.kernel_uap("exponential kernel e^{q.k}")),
    "kernel_gaussian": _entry(kernel_gaussian, "kernel_gaussian", ex.kernel_uap("Gaussian kernel")),
    "performer": _entry(performer, "performer", ex.kernel_uap("Performer positive random features (almost surely)")),
    "kernel_polynomial": _entry(kernel_polynomial, "kernel_polynomial", ex.polynomial_kernel(p=2)),
    "linear_elu": _entry(linear_elu, "linear_elu", ex.non_analytic("elu + 1 features (a data-dependent select)")),
    "linear_relu": _entry(linear_relu, "linear_relu", ex.non_analytic("ReLU features (max)")),
    "window": _entry(window, "window", ex.window(w=1, wrap=False), w=1, wrap=False),
    "window_wrap": _entry(window, "window", ex.window(w=1, wrap=True), w=1, wrap=True),
    "window2_wrap": _entry(window, "window", ex.window(w=2, wrap=True), w=2, wrap=True),
    "blocks": _entry(blocks, "blocks", ex.blocks(size=2), size=2),
    "global_window": _entry(global_window, "global_window", ex.global_window(globals_=1, w=1), globals_=1, w=1),
    "random_pattern": _pattern_entry(random_pattern, "random_pattern", patterns.random_pattern, p=0.5, seed=0),
    "bigbird": _pattern_entry(bigbird, "bigbird", patterns.bigbird, globals_=1, w=1, p=0.2, seed=0),
    "causal": _entry(causal, "causal", ex.from_pattern(patterns.causal)),
    "bias_cyclic": _entry(bias_cyclic, "bias_cyclic", ex.relative_bias("C_n")),
    "bias_dihedral": _entry(bias_dihedral, "bias_dihedral", ex.relative_bias("D_n")),
    "linformer": _entry(linformer, "linformer", ex.linformer()),
    "zero": _entry(zero, "zero", ex.no_mixing("g = 0", case=1)),
    "self_only": _entry(self_only, "self_only", ex.no_mixing("self-only pattern N(i) = {i}", case=2)),
    "mean": _entry(mean, "mean", ex.content_blind()),
}
