"""Public Hypothesis strategies for approxtheory's objects, in the style of ``hypothesis.extra``.

- GYZ26: :func:`softmax_gap_inputs`, :func:`maxout_networks`;
- CLSL25: :func:`token_sequences` (inputs in general position), :func:`attention_params`;
- JL24: :func:`pod_spectra`, :func:`representation_targets`;
- WE24: :func:`memory_kernels`.

Each strategy checks its arguments eagerly and raises ``hypothesis.errors.InvalidArgument`` with
a message that names the argument and the allowed range. JAX and the paper layers are imported
only when a strategy is built.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

if TYPE_CHECKING:
    from .attention import Attention, Params
    from .memory import Kernel
    from .pod import SeparablePOD, Target


@dataclass(frozen=True)
class GapInput:
    """Scores ``z`` (one per token) and an inverse temperature ``beta`` for the softmax gap."""

    z: tuple[float, ...]
    beta: float


#: Most tokens softmax_gap_inputs draws; most hidden units per layer and finest lattice of maxout_networks.
MAX_TOKENS = 4096
MAX_WIDTH = 256
MAX_GRID = 2**20


def _check_range(name: str, value: float, lo: float, hi: float) -> None:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and lo <= value <= hi):
        raise InvalidArgument(f"{name}={value!r} must be a finite number in [{lo}, {hi}]")


def softmax_gap_inputs(
    *,
    min_tokens: int = 2,
    max_tokens: int = 8,
    log10_scale: tuple[float, float] = (-3.0, 1.0),
    log10_beta: tuple[float, float] = (-2.0, 4.0),
) -> st.SearchStrategy[GapInput]:
    """Token scores and temperatures for GYZ26.lem.softmax_max, over that card's wide domain.

    ``n`` (the number of scores) is between ``min_tokens`` and ``max_tokens`` (2 <= min <= max <= 4096);
    ``beta = 10**t`` with ``t`` in ``log10_beta`` (default (-2, 4): beta from 0.01 to 10^4). Half the
    inputs are ``z = scale * a`` with ``a`` in [-1, 1]^n and ``scale = 10**s``, ``s`` in ``log10_scale``
    (default (-3, 1): |z_i| <= 10); the other half are drawn on the softmax's own scale,
    ``z = (c, c - u_1/beta, ..., c - u_{n-1}/beta)`` with offset ``c`` in [-10, 10] and ``u_i`` in [0, 20],
    so these scores reach ``-10 - 20/beta`` (-2010 at beta = 0.01) whatever ``log10_scale`` says.
    To stay in a box such as z in [-1, 1]^n, draw from plain Hypothesis strategies instead.
    Shrinks towards n = min_tokens and equal scores.
    """
    if not isinstance(min_tokens, int) or not isinstance(max_tokens, int) or not 2 <= min_tokens <= max_tokens <= MAX_TOKENS:
        raise InvalidArgument(
            f"need integers 2 <= min_tokens <= max_tokens <= {MAX_TOKENS}, got min_tokens={min_tokens!r}, max_tokens={max_tokens!r}"
        )
    for name, pair in (("log10_scale", log10_scale), ("log10_beta", log10_beta)):
        if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
            raise InvalidArgument(f"{name}={pair!r} must be a pair (lo, hi) of decades")
        lo, hi = pair
        _check_range(f"{name}[0]", lo, -300, 300)
        _check_range(f"{name}[1]", hi, lo, 300)

    @st.composite
    def by_scale(draw: st.DrawFn) -> GapInput:
        # Scores on an absolute scale: z = scale * a, a in [-1, 1]^n.
        n = draw(st.integers(min_tokens, max_tokens))
        scale = 10.0 ** draw(st.floats(*log10_scale))
        beta = 10.0 ** draw(st.floats(*log10_beta))
        a = draw(st.lists(st.floats(-1.0, 1.0), min_size=n, max_size=n))
        return GapInput(tuple(scale * x for x in a), beta)

    @st.composite
    def by_temperature(draw: st.DrawFn) -> GapInput:
        # Scores on the softmax's own scale: z_i = offset - u_i / beta with u_i = beta * gap_i >= 0,
        # since the gap depends on z and beta only through these products (shift invariance).
        n = draw(st.integers(min_tokens, max_tokens))
        beta = 10.0 ** draw(st.floats(*log10_beta))
        offset = draw(st.floats(-10.0, 10.0))
        u = draw(st.lists(st.floats(0.0, 20.0), min_size=n - 1, max_size=n - 1))
        return GapInput((offset, *(offset - ui / beta for ui in u)), beta)

    return st.one_of(by_scale(), by_temperature())


def _check_dims(name: str, values: object, lo: int, hi: int) -> tuple[int, ...]:
    try:
        seq = (values,) if isinstance(values, int) else tuple(values)  # type: ignore[arg-type]
    except TypeError:
        seq = ()
    if not seq or not all(isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi for v in seq):
        raise InvalidArgument(f"{name}={values!r} must be an integer or a non-empty sequence of integers in [{lo}, {hi}]")
    return seq


def maxout_networks(
    *,
    input_dim: int | tuple[int, ...] = (1, 2, 3),
    widths: tuple[int, ...] | None = None,
    depth: int | tuple[int, ...] = (1, 2, 3),
    max_width: int = 4,
    rank: int | tuple[int, ...] = (2, 3, 4),
    grid: int = 64,
    max_abs: float = 2.0,
) -> st.SearchStrategy:
    """Maxout networks (GYZ26.def.maxout) with weights on a 1/grid lattice in [-max_abs, max_abs].

    A power-of-two ``grid`` keeps every weight dyadic, so exact (rational) region counts and the
    maxout->transformer construction stay exact in float64. Fix the shape with ``widths`` (and a
    single ``input_dim`` and ``rank``) to keep JAX shapes static across a search. Shrinks towards
    small, shallow nets with zero weights.
    """
    dims = _check_dims("input_dim", input_dim, 1, 64)
    ranks = _check_dims("rank", rank, 1, 16)
    depths = _check_dims("depth", depth, 1, 32)
    if widths is not None:
        widths = _check_dims("widths", widths, 1, MAX_WIDTH)
    _check_int("max_width", max_width, 1, MAX_WIDTH)
    if isinstance(grid, bool) or not isinstance(grid, int) or not 1 <= grid <= MAX_GRID:
        raise InvalidArgument(f"grid={grid!r} must be an integer in [1, {MAX_GRID}] (a power of two keeps weights dyadic)")
    _check_range("max_abs", max_abs, 1.0 / grid, 1e6)
    bound = int(max_abs * grid)

    def array(draw: st.DrawFn, shape: tuple[int, ...]) -> list:
        size = int(np.prod(shape))
        values = draw(st.lists(st.integers(-bound, bound), min_size=size, max_size=size))
        return (np.array(values, dtype=np.float64).reshape(shape) / grid).tolist()

    @st.composite
    def build(draw: st.DrawFn):
        from .networks import MaxoutNetwork

        d = draw(st.sampled_from(dims))
        k = draw(st.sampled_from(ranks))
        ws = widths if widths is not None else tuple(
            draw(st.integers(1, max_width)) for _ in range(draw(st.sampled_from(depths))))
        layers, n_in = [], d
        for m in ws:
            layers.append({"weight": array(draw, (m, k, n_in)), "bias": array(draw, (m, k))})
            n_in = m
        readout = {"weight": array(draw, (1, n_in)), "bias": array(draw, (1,))}
        return MaxoutNetwork.from_json({"kind": "maxout", "layers": layers, "readout": readout}, "strategy")

    return build()


# --- shared argument checks ---------------------------------------------------------------------


def _check_int(name: str, value: object, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
        raise InvalidArgument(f"{name}={value!r} must be an integer in [{lo}, {hi}]")
    return int(value)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_interval(name: str, value: object, lo: float, hi: float, *, open_lo: bool = False) -> tuple[float, float]:
    """A number or a pair (low, high) with lo <= low <= high <= hi (lo < low when ``open_lo``)."""
    pair = (value, value) if _is_number(value) else value
    if isinstance(pair, (tuple, list)) and len(pair) == 2 and all(_is_number(v) for v in pair):
        a, b = float(pair[0]), float(pair[1])
        if (lo < a if open_lo else lo <= a) and a <= b <= hi:
            return a, b
    raise InvalidArgument(
        f"{name}={value!r} must be a number or a pair (low, high) with {lo} {'<' if open_lo else '<='} low <= high <= {hi}"
    )


def _check_choice(name: str, value: object, options: tuple[str, ...]) -> tuple[str, ...]:
    chosen = (value,) if isinstance(value, str) else tuple(value) if isinstance(value, (tuple, list)) else ()
    if not chosen or any(c not in options for c in chosen):
        raise InvalidArgument(f"{name}={value!r} must be one of {options} or a non-empty tuple of them")
    return tuple(dict.fromkeys(chosen))


def _floats(interval: tuple[float, float]) -> st.SearchStrategy[float]:
    return st.floats(*interval, allow_nan=False, allow_infinity=False)


# --- CLSL25: inputs and attention parameters ----------------------------------------------------


def token_sequences(n: int, d: int, *, min_distance: float = 1e-2, max_abs: float = 1.0) -> st.SearchStrategy[np.ndarray]:
    """Inputs X of shape (n, d) in general position (CLSL25 GP1) as float64 NumPy arrays, one token per row.

    Rows are pairwise at least ``min_distance`` apart (Euclidean) and every entry lies in
    [-max_abs, max_abs]. Row i is 2 min_distance (k_i + u_i) with distinct integer vectors k_i and
    jitter u_i in [0, 1/4]^d, so two rows differ by at least 1.5 min_distance in some coordinate.
    n and d are fixed, so a jitted apply compiles once. Shrinks towards rows on the lattice
    2 min_distance Z^d nearest the origin: tokens packed as closely as ``min_distance`` allows.
    """
    from .attention.validate import D_RANGE, N_RANGE

    n, d = _check_int("n", n, *N_RANGE), _check_int("d", d, *D_RANGE)
    _check_range("max_abs", max_abs, 1e-300, 1e6)
    _check_range("min_distance", min_distance, max_abs * 1e-9, max_abs)
    spacing = 2.0 * min_distance
    reach = math.floor(max_abs / spacing - 0.25)  # |spacing (k + u)| <= max_abs for |k| <= reach
    needed = 0  # the smallest reach with (2 reach + 1)^d >= n lattice cells
    while (2 * needed + 1) ** d < n:
        needed += 1
    if reach < needed:
        raise InvalidArgument(
            f"min_distance={min_distance!r} is too large for n={n} rows in [-max_abs, max_abs]^{d} with "
            f"max_abs={max_abs!r}: need min_distance <= max_abs / {2 * needed + 0.5}"
        )
    cells = st.lists(st.tuples(*[st.integers(-reach, reach)] * d), min_size=n, max_size=n, unique=True)
    jitter = st.lists(st.floats(0.0, 0.25), min_size=n * d, max_size=n * d)

    def build(rows: list[tuple[int, ...]], u: list[float]) -> np.ndarray:
        X = spacing * (np.array(rows, dtype=np.float64) + np.array(u, dtype=np.float64).reshape(n, d))
        return np.clip(X, -max_abs, max_abs)  # moves an entry by at most an ulp

    return st.builds(build, cells, jitter)


def attention_params(
    attention: Attention, n: int, d: int, *, scale: float | tuple[float, ...] = (1.0, 0.1, 10.0)
) -> st.SearchStrategy[Params]:
    """Parameter pytrees of ``attention`` at (n, d): its own ``init`` at a drawn seed, times a drawn scale.

    The key is ``jax.random.key(seed)`` with a drawn 32-bit seed, and every leaf is multiplied by a
    scale drawn from ``scale``: several scales matter, since large weights saturate softmax and
    tiny ones give separations proportional to the scale (CLSL25 §6 numerics). Leaves are float64
    NumPy arrays (safe outside an x64 context). Shrinks towards seed 0 and the first listed scale.
    """
    from .attention import check_attention, metadata, sample_params
    from .attention.validate import D_RANGE, N_RANGE
    from .core import ApproxTheoryError

    try:
        check_attention(attention, metadata(attention).name)
    except ApproxTheoryError as err:
        raise InvalidArgument(f"attention={attention!r}: {err}") from None
    n, d = _check_int("n", n, *N_RANGE), _check_int("d", d, *D_RANGE)
    scales = (scale,) if isinstance(scale, (int, float)) and not isinstance(scale, bool) else scale
    if not isinstance(scales, (tuple, list)) or not scales:
        raise InvalidArgument(f"scale={scale!r} must be a number or a non-empty tuple of numbers in (0, 1e6]")
    for value in scales:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not (0 < value <= 1e6):
            raise InvalidArgument(f"scale={scale!r} must be a number or a non-empty tuple of numbers in (0, 1e6]")

    def build(seed: int, factor: float) -> Params:
        import jax

        stacked = sample_params(attention, n, d, jax.random.key(seed), 1)
        return jax.tree_util.tree_map(lambda leaf: np.asarray(leaf, dtype=np.float64)[0] * factor, stacked)

    return st.builds(build, st.integers(0, 2**32 - 1), st.sampled_from(tuple(float(s) for s in scales)))


# --- JL24: POD spectra and targets in the representation form -----------------------------------

SPECTRUM_KINDS = ("algebraic", "exponential", "finite_rank")
_EPS_DECADES = 52 * math.log(2)  # sigma_k / sigma_1 >= 2^-52: what float64 can tell from sigma_1


def _sine_pod(sigmas: np.ndarray, rank: int | None, alpha: float | None = None) -> SeparablePOD:
    """The POD with bases sqrt(2) sin(2 pi k u) on both sides (orthonormal in L2[0, 1], as JL24.fix.sines)."""
    from .pod import SeparablePOD
    from .pod.trig import sine_system

    basis = sine_system(np.arange(1, sigmas.size + 1))
    return SeparablePOD(sigmas, basis, basis, basis.sup_bounds(), basis.sup_bounds(), rank, True,
                        None if alpha is None else (1.0, alpha), basis, basis, None if rank else math.sqrt(2))


def _spectra(kinds: tuple[str, ...], alpha: tuple[float, float], rate: tuple[float, float], max_rank: int,
             terms: int) -> st.SearchStrategy[SeparablePOD]:
    def algebraic(a: float) -> SeparablePOD:
        return _sine_pod(np.arange(1, terms + 1) ** -a, None, a)

    def exponential(r: float) -> SeparablePOD:
        # sigma_k = e^{-r (k - 1)}, listed while float64 can tell it from sigma_1; the tail beyond is
        # below sigma_1's rounding, so the listed terms are the whole (finite-rank) coupling.
        k = np.arange(math.floor(_EPS_DECADES / r) + 1)
        return _sine_pod(np.exp(-r * k), int(k.size))

    def finite(values: list[float]) -> SeparablePOD:
        return _sine_pod(np.sort(np.array(values))[::-1], len(values))

    by_kind = {
        "algebraic": st.builds(algebraic, _floats(alpha)),
        "exponential": st.builds(exponential, _floats(rate)),
        "finite_rank": st.lists(st.floats(1e-6, 1.0), min_size=1, max_size=max_rank).map(finite),
    }
    return st.one_of(*(by_kind[k] for k in kinds))


def pod_spectra(
    *,
    kind: str | tuple[str, ...] = SPECTRUM_KINDS,
    alpha: float | tuple[float, float] = (0.6, 3.0),
    rate: float | tuple[float, float] = (0.5, 4.0),
    max_rank: int = 8,
    terms: int = 16,
) -> st.SearchStrategy[SeparablePOD]:
    """POD expansions (JL24.def.pod) with a stated singular-value decay, as ``approxtheory.pod.SeparablePOD``.

    Both bases are sqrt(2) sin(2 pi k u) (orthonormal, exact sup norms and Barron moments), so
    ``c1_upper``, ``tail_sum``, ``c0_upper``, ``c2_upper`` and ``separable`` accept every draw.
    ``algebraic``: sigma_k = k^-alpha, infinite rank, ``terms`` listed and ``tail = (1, alpha)``
    (alpha > 1/2, the class C^(alpha, beta) of Thm 4.2). ``exponential``: sigma_k = e^{-rate (k-1)},
    listed until it falls below 2^-52 (float64 cannot see the rest), so ``rank`` is that count.
    ``finite_rank``: rank r <= max_rank with sigmas in [1e-6, 1], non-increasing. Shrinks towards
    the first listed kind, alpha and rate towards the simplest number in range (1.0 for the defaults)
    and rank 1 with sigma_1 = 1.
    """
    kinds = _check_choice("kind", kind, SPECTRUM_KINDS)
    return _spectra(kinds, _check_interval("alpha", alpha, 0.5, 50.0, open_lo=True),
                    _check_interval("rate", rate, 0.1, 50.0), _check_int("max_rank", max_rank, 1, 256),
                    _check_int("terms", terms, 1, 1024))


def representation_targets(
    *,
    tau: int | tuple[int, ...] = (1, 2, 3, 4),
    kind: str | tuple[str, ...] = SPECTRUM_KINDS,
    alpha: float | tuple[float, float] = (1.1, 3.0),
    rate: float | tuple[float, float] = (0.5, 4.0),
    max_rank: int = 8,
    terms: int = 16,
) -> st.SearchStrategy[Target]:
    """Targets H_t(x) = F(sum_s softmax_s(rho(x(t), x(s))) f(x(s))) in the form (8) of JL24.def.repr.

    F = f = id on [0, 1] and rho has its POD attached (``target.pod``). ``finite_rank`` and
    ``exponential``: rho = sum_k sigma_k phi_k(u) psi_k(v) from :func:`pod_spectra` via
    ``approxtheory.pod.separable``. ``algebraic``: the infinite-rank fixture ``sines(alpha, None)``
    (JL24.fix.sines), whose closed form needs alpha > 1 and not an odd integer.
    Shrinks towards the first listed tau and kind, alpha 2.0 (for the default range), then as
    :func:`pod_spectra` (rank 1 with sigma_1 = 1).
    """
    taus = _check_dims("tau", tau, 1, 64)
    kinds = _check_choice("kind", kind, SPECTRUM_KINDS)
    alphas = _check_interval("alpha", alpha, 1.0, 50.0, open_lo=True)
    if alphas[0] == alphas[1] and _odd_integer(alphas[0]):
        raise InvalidArgument(f"alpha={alpha!r} must not be a single odd integer: sines(alpha, None) has no closed form there")
    rates = _check_interval("rate", rate, 0.1, 50.0)
    max_rank, terms = _check_int("max_rank", max_rank, 1, 256), _check_int("terms", terms, 1, 1024)

    def from_pod(t: int, pod: SeparablePOD) -> Target:
        from .pod import separable

        return separable(pod.sigmas, pod.left_system, pod.right_system, t, name=f"separable(rank={pod.rank})")

    def infinite(t: int, a: float) -> Target:
        from .pod import sines

        return sines(a, None, t, terms=terms)

    def one(k: str) -> st.SearchStrategy[Target]:
        if k == "algebraic":
            return st.builds(infinite, st.sampled_from(taus), _floats(alphas).filter(lambda a: not _odd_integer(a)))
        return st.builds(from_pod, st.sampled_from(taus), _spectra((k,), alphas, rates, max_rank, terms))

    return st.one_of(*(one(k) for k in kinds))


def _odd_integer(x: float) -> bool:
    return x.is_integer() and int(x) % 2 == 1


# --- WE24: memory kernels with a decay envelope -------------------------------------------------

DECAY_KINDS = ("exponential", "polynomial")
RATE_GRID = 64  # memory-kernel rates are multiples of 1/64: exact rationals, so kernel.expr is exact and cheap


def _grid_interval(name: str, value: object, lo: float, hi: float) -> tuple[int, int]:
    """The numerators j of the rates j / RATE_GRID inside the checked interval ``value``."""
    a, b = _check_interval(name, value, lo, hi, open_lo=True)
    j_lo, j_hi = math.ceil(a * RATE_GRID), math.floor(b * RATE_GRID)
    if j_lo > j_hi:
        raise InvalidArgument(f"{name}={value!r} must contain a multiple of 1/{RATE_GRID} (rates are drawn on that grid)")
    return j_lo, j_hi


def memory_kernels(
    *,
    decay: str | tuple[str, ...] = DECAY_KINDS,
    exponential_rate: float | tuple[float, float] = (0.05, 2.0),
    polynomial_rate: float | tuple[float, float] = (1.5, 6.0),
    max_terms: int = 3,
) -> st.SearchStrategy[Kernel]:
    """Memory kernels rho(s), s >= 0, with a decay envelope (WE24.def.decay_exp / WE24.def.decay_poly).

    A draw is a sum of 1 to ``max_terms`` kernels of one kind, ``approxtheory.memory.exponential``
    e^{-b s} or ``damped`` e^{-b s}/(1+s) for exponential decay, ``power`` s^-b or ``shifted_power``
    (1+s)^-b for polynomial decay (b > 1, so rho is in l1). The first term has the drawn rate beta,
    the others rates in [beta, high], so ``kernel.decay_rate`` is beta; rates are multiples of 1/64
    (exact in ``kernel.expr``). Shrinks towards the first listed decay and a single e^{-beta s} or
    s^-beta at the slowest rate in range: the hardest envelope to approximate.
    """
    kinds = _check_choice("decay", decay, DECAY_KINDS)
    grids = {"exponential": _grid_interval("exponential_rate", exponential_rate, 0.0, 50.0),
             "polynomial": _grid_interval("polynomial_rate", polynomial_rate, 1.0, 50.0)}
    max_terms = _check_int("max_terms", max_terms, 1, 16)

    def one(kind: str) -> st.SearchStrategy[Kernel]:
        from . import memory

        forms = (memory.exponential, memory.damped) if kind == "exponential" else (memory.power, memory.shifted_power)
        j_lo, j_hi = grids[kind]

        @st.composite
        def build(draw: st.DrawFn) -> Kernel:
            j = draw(st.integers(j_lo, j_hi))
            numerators = [j, *draw(st.lists(st.integers(j, j_hi), max_size=max_terms - 1))]
            parts = [draw(st.sampled_from(forms))(i / RATE_GRID) for i in numerators]
            return parts[0] if len(parts) == 1 else memory.sum_of(parts)

        return build()

    return st.one_of(*(one(k) for k in kinds))
