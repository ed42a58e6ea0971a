"""Rank-k maxout networks (GYZ26.def.maxout, classical: Goodfellow et al. 2013).

A layer holds W in R^{m x k x n_in} and b in R^{m x k}; unit u computes max_j <W[u,j], h> + b[u,j].
The network is a NamedTuple of arrays, hence a JAX pytree, and round-trips through the JSON
format ``{"kind": "maxout", "layers": [{"weight", "bias"}, ...], "readout": {"weight", "bias"}}``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from ..core import ApproxTheoryError
from ..core.errors import refuse_special_file
from ..core.strict_json import MAX_FILE_BYTES, DuplicateKey, no_duplicate_keys


class MaxoutLayer(NamedTuple):
    weight: np.ndarray  # (m, k, n_in)
    bias: np.ndarray  # (m, k)


class MaxoutNetwork(NamedTuple):
    """Depth L = len(layers) maxout layers followed by an affine readout A h + c."""

    layers: tuple[MaxoutLayer, ...]
    readout_weight: np.ndarray  # (q, m_L)
    readout_bias: np.ndarray  # (q,)

    @property
    def depth(self) -> int:
        return len(self.layers)

    @property
    def rank(self) -> int:
        return max(layer.weight.shape[1] for layer in self.layers)

    @property
    def input_dim(self) -> int:
        return self.layers[0].weight.shape[2]

    @property
    def widths(self) -> tuple[int, ...]:
        return tuple(layer.weight.shape[0] for layer in self.layers)

    @property
    def output_dim(self) -> int:
        return self.readout_weight.shape[0]

    def params_hidden(self) -> int:
        """P_0(N) = sum_l k m_l (m_{l-1} + 1) (card GYZ26.def.maxout), with each layer's own k."""
        return sum(int(np.prod(layer.weight.shape)) + int(np.prod(layer.bias.shape)) for layer in self.layers)

    def params(self) -> int:
        """P(N) = P_0(N) + q (m_L + 1)."""
        return self.params_hidden() + self.readout_weight.size + self.readout_bias.size

    def hidden(self, x: np.ndarray) -> list[np.ndarray]:
        """h^(0..L) for a batch x of shape (batch, d), in float64 NumPy."""
        hs = [np.asarray(x, dtype=np.float64)]
        for layer in self.layers:
            pre = np.einsum("ukn,bn->buk", layer.weight, hs[-1]) + layer.bias
            hs.append(pre.max(axis=2))
        return hs

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """N(x) for a batch x of shape (batch, d)."""
        return self.hidden(x)[-1] @ self.readout_weight.T + self.readout_bias

    def padded(self, rank: int | None = None) -> MaxoutNetwork:
        """Every layer at rank ``rank`` (default: the network's), padding units by repeating their last piece."""
        k = rank or self.rank
        layers = []
        for layer in self.layers:
            extra = k - layer.weight.shape[1]
            if extra < 0:
                raise ValueError(f"cannot pad a rank-{layer.weight.shape[1]} layer down to rank {k}")
            w = np.concatenate([layer.weight, np.repeat(layer.weight[:, -1:], extra, axis=1)], axis=1)
            b = np.concatenate([layer.bias, np.repeat(layer.bias[:, -1:], extra, axis=1)], axis=1)
            layers.append(MaxoutLayer(w, b))
        return self._replace(layers=tuple(layers))

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "maxout",
            "layers": [{"weight": layer.weight.tolist(), "bias": layer.bias.tolist()} for layer in self.layers],
            "readout": {"weight": self.readout_weight.tolist(), "bias": self.readout_bias.tolist()},
        }

    def dump(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(json.dumps(self.to_json()) + "\n")
        return path

    @classmethod
    def from_json(cls, data: Any, origin: str = "network") -> MaxoutNetwork:
        """Validate and build; every defect is one ApproxTheoryError naming the entry and the fix."""
        return _parse(data, origin)

    @classmethod
    def random(cls, seed: int | np.random.Generator, input_dim: int, widths: Sequence[int], rank: int,
               output_dim: int = 1, scale: float = 1.0, grid: int | None = None) -> MaxoutNetwork:
        """Gaussian weights N(0, scale^2 / fan_in) and biases N(0, scale^2), from ``seed``.

        With ``grid`` every entry is rounded to a multiple of 1/grid (a power of two keeps it dyadic),
        so that constructions built from the net stay exact in floating point.
        """
        rng = np.random.default_rng(seed)
        snap = (lambda a: a) if grid is None else (lambda a: np.round(a * grid) / grid)
        layers, n_in = [], input_dim
        for m in widths:
            layers.append(MaxoutLayer(snap(rng.normal(0, scale / np.sqrt(n_in), (m, rank, n_in))),
                                      snap(rng.normal(0, scale, (m, rank)))))
            n_in = m
        return cls(tuple(layers), snap(rng.normal(0, 1 / np.sqrt(n_in), (output_dim, n_in))), snap(rng.normal(0, 1, output_dim)))


def relu_network(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], readout_weight: np.ndarray,
                 readout_bias: np.ndarray) -> MaxoutNetwork:
    """A ReLU network read as a rank-2 maxout network: ReLU(<w,h>+b) = max(<w,h>+b, <0,h>+0)."""
    layers = []
    for w, b in zip(weights, biases):
        w, b = np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64)
        layers.append(MaxoutLayer(np.stack([w, np.zeros_like(w)], axis=1), np.stack([b, np.zeros_like(b)], axis=1)))
    return MaxoutNetwork(tuple(layers), np.asarray(readout_weight, dtype=np.float64), np.asarray(readout_bias, dtype=np.float64))


def _check_entries(value: Any, ndim: int, where: str, origin: str) -> None:
    """Every entry a JSON number (not a string such as "1.0", not a boolean), nested at most ``ndim`` deep."""
    stack: list[tuple[Any, tuple[int, ...]]] = [(value, ())]
    while stack:
        item, index = stack.pop()
        if isinstance(item, list):
            if len(index) == ndim:
                raise ApproxTheoryError(f"{origin}: {where}{list(index)} is a list, but {where} has {ndim} dimensions",
                                        "see the maxout file format in the README")
            stack.extend((x, (*index, i)) for i, x in reversed(list(enumerate(item))))
        elif isinstance(item, bool) or not isinstance(item, (int, float)):
            shown = json.dumps(item, default=str)[:40]
            raise ApproxTheoryError(f"{origin}: {where}{list(index) if index else ''} is {shown}, not a number",
                                    "weights and biases are JSON numbers (not strings, booleans or null)")


def _array(value: Any, ndim: int, where: str, origin: str) -> np.ndarray:
    _check_entries(value, ndim, where, origin)
    try:
        arr = np.asarray(value, dtype=np.float64)
    except OverflowError:
        raise ApproxTheoryError(f"{origin}: {where} has an integer too large for a float64", "weights must be finite numbers") from None
    except (TypeError, ValueError):
        raise ApproxTheoryError(f"{origin}: {where} is not a rectangular numeric array (rows of unequal length?)",
                                "use nested lists of numbers") from None
    if arr.ndim != ndim:
        raise ApproxTheoryError(f"{origin}: {where} has {arr.ndim} dimensions (shape {arr.shape}), expected {ndim}",
                                "see the maxout file format in the README")
    if not np.all(np.isfinite(arr)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ApproxTheoryError(f"{origin}: {where} has a non-finite entry at index {bad}", "weights must be finite numbers")
    return arr


def _parse(data: Any, origin: str) -> MaxoutNetwork:
    if not isinstance(data, dict) or data.get("kind") != "maxout":
        raise ApproxTheoryError(f"{origin}: not a maxout network (expected an object with \"kind\": \"maxout\")")
    raw_layers = data.get("layers")
    if not isinstance(raw_layers, list) or not raw_layers:
        raise ApproxTheoryError(f"{origin}: \"layers\" must be a non-empty list")
    layers: list[MaxoutLayer] = []
    for i, raw in enumerate(raw_layers):
        if not isinstance(raw, dict) or "weight" not in raw or "bias" not in raw:
            raise ApproxTheoryError(f"{origin}: layers[{i}] needs \"weight\" (m x k x n_in) and \"bias\" (m x k)")
        w = _array(raw["weight"], 3, f"layers[{i}].weight", origin)
        b = _array(raw["bias"], 2, f"layers[{i}].bias", origin)
        if b.shape != w.shape[:2]:
            raise ApproxTheoryError(f"{origin}: layers[{i}].bias has shape {b.shape}, expected {w.shape[:2]} (m x k)")
        if w.shape[1] < 1 or w.shape[0] < 1:
            raise ApproxTheoryError(f"{origin}: layers[{i}] has an empty dimension (shape {w.shape})")
        if w.shape[2] < 1:
            raise ApproxTheoryError(f"{origin}: layers[{i}].weight has shape {w.shape}: its units take 0 inputs",
                                    "each unit needs at least one input (m x k x n_in with n_in >= 1)")
        expected_in = layers[-1].weight.shape[0] if layers else None
        if expected_in is not None and w.shape[2] != expected_in:
            raise ApproxTheoryError(
                f"{origin}: layers[{i}].weight takes {w.shape[2]} inputs but layers[{i - 1}] has {expected_in} units")
        layers.append(MaxoutLayer(w, b))
    readout = data.get("readout")
    if not isinstance(readout, dict) or "weight" not in readout or "bias" not in readout:
        raise ApproxTheoryError(f"{origin}: \"readout\" needs \"weight\" (out x m_L) and \"bias\" (out)")
    a = _array(readout["weight"], 2, "readout.weight", origin)
    c = _array(readout["bias"], 1, "readout.bias", origin)
    if a.shape[0] < 1:
        raise ApproxTheoryError(f"{origin}: readout.weight has shape {a.shape}: the network has no output")
    m_last = layers[-1].weight.shape[0]
    if a.shape[1] != m_last or c.shape != (a.shape[0],):
        raise ApproxTheoryError(
            f"{origin}: readout weight {a.shape} and bias {c.shape} do not fit {m_last} units (expected (out, {m_last}) and (out,))")
    return MaxoutNetwork(tuple(layers), a, c)


def load_network(path: str | Path) -> MaxoutNetwork:
    """Read a maxout network file; a missing file, bad JSON or bad shape is one clear error."""
    path = Path(path)
    refuse_special_file(path, "network file")
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ApproxTheoryError(f"network file {path} is {path.stat().st_size:_} bytes, more than the limit of "
                                    f"{MAX_FILE_BYTES:_}")
        data = json.loads(path.read_bytes().decode("utf-8"), object_pairs_hook=no_duplicate_keys)
    except OSError as err:
        raise ApproxTheoryError(f"cannot read network file {path}: {err.strerror}") from None
    except UnicodeDecodeError as err:
        raise ApproxTheoryError(f"network file {path} is not UTF-8 text (byte {err.start})",
                                "give a maxout network JSON file") from None
    except DuplicateKey as dup:
        raise ApproxTheoryError(f"network file {path}: the key {dup.args[0]!r} appears twice in one object",
                                "JSON would keep only the last; write each key once") from None
    except json.JSONDecodeError as err:
        raise ApproxTheoryError(f"network file {path} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})") from None
    except ValueError as err:  # e.g. an integer of more than 4300 digits
        raise ApproxTheoryError(f"network file {path} holds a value JSON cannot read here: {err}") from None
    except RecursionError:
        raise ApproxTheoryError(f"network file {path} nests its JSON too deeply",
                                "a network file nests lists at most 3 deep") from None
    return MaxoutNetwork.from_json(data, origin=f"network file {path}")
