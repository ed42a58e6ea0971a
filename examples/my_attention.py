"""A user's own attention for `approxtheory uap`: softmax over cosine similarities with a learned
temperature. Any object (or module) with init(key, n, d) and apply(params, X) works."""

import jax
import jax.numpy as jnp


def init(key, n, d):
    kq, kk, kv = jax.random.split(key, 3)
    return {"wq": jax.random.normal(kq, (d, d)), "wk": jax.random.normal(kk, (d, d)),
            "wv": jax.random.normal(kv, (d, d)), "log_temp": jnp.zeros(())}


def apply(params, X):
    q, k, v = X @ params["wq"], X @ params["wk"], X @ params["wv"]
    q = q / jnp.sqrt(1.0 + jnp.sum(q * q, axis=1, keepdims=True))  # smooth normalisation: stays analytic
    k = k / jnp.sqrt(1.0 + jnp.sum(k * k, axis=1, keepdims=True))
    scores = jnp.exp(params["log_temp"]) * q @ k.T
    return jax.nn.softmax(scores, axis=1) @ v


class CosineAttention:
    """The same mechanism as an object, as `examples/my_attention.py:cosine`."""

    init = staticmethod(init)
    apply = staticmethod(apply)


cosine = CosineAttention()
