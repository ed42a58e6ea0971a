"""networks.transformer.apply pads a network to power-of-two sizes: same values, one compile per token count."""

from __future__ import annotations

import jax
import numpy as np
import pytest
from gyz26_nets import random_net

from approxtheory.constructions.maxout_transformer import simulate
from approxtheory.core import ApproxTheoryError
from approxtheory.networks import transformer
from approxtheory.networks.maxout import MaxoutNetwork
from approxtheory.networks.transformer import apply, padded_to_envelope

# (seed, d, widths, k), M = 8: the networks differ in width, input dimension, FFN width, heads and depth
NETS = [(0, 1, (3,), 3), (1, 2, (4, 2), 3), (2, 3, (2, 3, 4), 3), (3, 2, (9, 2), 3)]


def _unpadded(t: transformer.Transformer, x: np.ndarray, beta: float | None) -> np.ndarray:
    """The forward on ``t`` as given (no envelope): the reference the padding must reproduce."""
    with jax.enable_x64(True):
        tj = transformer._as_jax(t)
        out = transformer._hard(tj, x) if beta is None else transformer._soft(tj, x, np.float64(beta))
        return np.asarray(out)


@pytest.mark.parametrize("seed,d,widths,k", NETS)
@pytest.mark.parametrize("beta", [None, 3.0])
def test_padding_keeps_the_values(seed: int, d: int, widths: tuple[int, ...], k: int, beta: float | None) -> None:
    net = random_net(seed, d, widths, k)
    t = simulate(net, 8.0)
    x = np.random.default_rng(seed).uniform(-1, 1, (64, d))
    got, want = apply(t, x, beta), _unpadded(t, x, beta)
    # every added term is an exact zero; a compiler may still order a sum differently, so allow a few ulps
    np.testing.assert_allclose(got, want, rtol=0, atol=64 * np.finfo(np.float64).eps * max(1.0, np.abs(want).max()))
    if beta is None:  # dyadic weights and inputs: the hardmax forward is exact float64 arithmetic, padded or not
        grid = MaxoutNetwork.random(seed, d, widths, k, grid=64)
        dyadic = np.round(x * 64) / 64
        assert np.array_equal(apply(simulate(grid, 8.0), dyadic), grid(dyadic))


def test_envelope_sizes_and_one_compile_per_token_count() -> None:
    ts = [simulate(random_net(*case), 8.0) for case in NETS]
    shapes = {tuple(np.shape(a) for a in jax.tree_util.tree_leaves(padded_to_envelope(t))) for t in ts[:3]}
    assert len(shapes) == 1
    big = padded_to_envelope(ts[-1])  # FFN width above the floor: the next power of two
    assert big.blocks[0].w1.shape[0] == 1 << (max(b.w1.shape[0] for b in ts[-1].blocks) - 1).bit_length()
    apply(ts[0], np.zeros((5, 1)))  # warm-up at this batch size
    before = transformer.TRACES.count
    for t in ts[1:3]:
        apply(t, np.zeros((5, t.input_dim)))
    assert transformer.TRACES.count == before


@pytest.mark.parametrize("x,message", [(np.zeros((4, 2)), r"shape \(batch, 1\)"), (np.zeros(1), r"shape \(batch, 1\)"),
                                       (np.array([[np.nan]]), "finite")])
def test_inputs_the_padding_would_hide_are_refused(x: np.ndarray, message: str) -> None:
    t = simulate(random_net(*NETS[0]), 8.0)  # input dimension 1, padded to 4: a width-2 x would fit the envelope
    with pytest.raises(ApproxTheoryError, match=message):
        apply(t, x)
    with pytest.raises(ApproxTheoryError, match="finite"):
        apply(t, np.zeros((2, 1)), float("inf"))
