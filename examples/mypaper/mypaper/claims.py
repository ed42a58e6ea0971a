"""The softmax-vs-hardmax gap: 0 <= max z - <softmax(beta z), z> <= log(n)/beta for n scores z."""

import jax
import jax.numpy as jnp
import sympy as sp

from approxtheory.author import bound_claim, real, search_claim, vector

PAPER = dict(paper="MYP", version="notes v1", provenance="primary")


def gap(z, beta):
    """max z - <softmax(beta z), z>, built in SymPy for the scores z (a list of symbols)."""
    weights = [sp.exp(beta * zi) for zi in z]
    return sp.Max(*z) - sum(w * zi for w, zi in zip(weights, z)) / sum(weights)


def gap_jax(z, beta):
    """The same quantity as a JAX function of a float array z."""
    return jnp.max(z) - jnp.dot(jax.nn.softmax(beta * z), z)


u = sp.Symbol("u", nonnegative=True)
SEARCH = {"z": vector(-1, 1, size=(2, 6)), "beta": real(0.1, 10, log=True)}


def claims():
    return [
        # Two tokens, u = beta |z1 - z2|: beta * gap = u / (1 + e^u), below 100 e^-100 for u > 100.
        bound_claim("lem.gap", "two_tokens", u / (1 + sp.exp(u)) <= sp.log(2), {"u": (0, 100)},
                    statement="beta * gap = u / (1 + e^u) <= log 2 for two tokens, u = beta |z1 - z2| in [0, 100]",
                    source="Lemma 1, n = 2", **PAPER),
        search_claim("lem.gap", "general", "max z - <softmax(beta z), z> <= log(n)/beta",
                     observed=gap, bound=lambda z, beta: sp.log(len(z)) / beta, inputs=SEARCH,
                     source="Lemma 1", **PAPER),
        # Deliberately wrong: for n = 2 the gap reaches 0.278/beta > log(2)/(4 beta) = 0.173/beta.
        search_claim("lem.gap", "quarter_constant", "max z - <softmax(beta z), z> <= log(n)/(4 beta)",
                     observed=gap_jax, sympy=gap, bound=lambda z, beta: sp.log(len(z)) / (4 * beta),
                     inputs=SEARCH, source="Lemma 1 with a wrong constant", **PAPER),
    ]
