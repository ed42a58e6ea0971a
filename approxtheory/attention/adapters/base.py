"""The adapter every library shares: a small library backend turned into the toolkit's protocol.

A backend knows two things about its library: how to build the module's parameters for an example
input (``build``) and how to call the module on self-attention input (``forward``). ``Adapted`` adds
what is the same for every library: it finds the input layout the module accepts (unbatched
``(n, d)`` first, else with a batch axis), runs the module in its own precision (float32 unless the
parameters or the options say float64; the toolkit's float64 mode is switched off around library
code so that library defaults stay what the user's program gets), passes the call keywords, and draws
parameters by the chosen law. The result satisfies ``init(key, n, d)`` / ``apply(params, X)`` of
approxtheory/attention/protocol.py.
"""

from __future__ import annotations

import inspect
import sys
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ...core import ApproxTheoryError
from ..frames import describe_exception
from ..protocol import Params
from .options import AdapterOptions

PROBE_KEY_SEED = 0  # the reference build (layout probe, scales of the normal law) uses key(0)


@dataclass(frozen=True)
class Layout:
    """How tokens are laid out for the module: X of shape (n, d) is reshaped to ``shape(n, d)`` and back."""

    name: str
    shape: Callable[[int, int], tuple[int, ...]]


UNBATCHED = Layout("unbatched (n, d)", lambda n, d: (n, d))
BATCHED = Layout("with a batch axis (1, n, d)", lambda n, d: (1, n, d))
MODULE_LAYOUTS: tuple[Layout, ...] = (UNBATCHED, BATCHED)


@dataclass(frozen=True)
class Built:
    """A module's parameters (the pytree the toolkit draws and perturbs) and what else its call needs."""

    params: Params
    structure: Any


class Backend(ABC):
    """One library's way to build and call a module; see the library modules next to this one."""

    library: str = ""
    name: str = ""
    layouts: tuple[Layout, ...] = MODULE_LAYOUTS
    can_init: bool = True  # False when parameters cannot be re-drawn from a key (a constructed instance)
    # True when building in JAX's float64 mode gives the parameter dtypes the user's program gets (dtypes are
    # explicit, as in flax.linen's param_dtype), so a module asking for float64 parameters gets them. False for
    # code whose defaults follow the mode (equinox's default_floating_dtype): it is built in float32 mode.
    explicit_dtypes: bool = True

    @abstractmethod
    def build(self, key: jax.Array, x: jax.Array, kwargs: dict[str, Any]) -> Built:
        """Parameters for the module at the width and dtype of the example input ``x`` (key: the draw)."""

    @abstractmethod
    def forward(self, structure: Any, params: Params, x: jax.Array, kwargs: dict[str, Any]) -> Any:
        """The module's output on self-attention input ``x`` (already in the layout being tried)."""

    @property
    @abstractmethod
    def call(self) -> Callable[..., Any]:
        """The callable whose signature says which call keywords the module accepts."""

    def prepare(self, n: int, d: int) -> None:
        """Anything to do once per (n, d) before ``call`` is read (a factory builds its reference module)."""

    def declared_width(self) -> int | None:
        """The token width a constructed module is fixed to, if it says so."""
        return None

    def fixes(self, keyword: str) -> bool:
        """Whether the module object already fixes this call keyword and refuses it at call time too."""
        return False


class ModuleBackend(Backend):
    """A backend holding one module object, called through its class's ``__call__``."""

    def __init__(self, module: Any) -> None:
        self.module = module
        self.name = type(module).__name__

    @property
    def call(self) -> Callable[..., Any]:
        return type(self.module).__call__


def instance_of(obj: Any, module: str, cls: str) -> bool:
    """``isinstance(obj, module.cls)`` without importing ``module`` when it is not loaded (then it cannot be)."""
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(obj, getattr(loaded, cls))


def self_args(call: Callable[..., Any], x: jax.Array, kwargs: dict[str, Any]) -> tuple[jax.Array, ...]:
    """Self-attention arguments: ``(x, x, x)`` when the call requires three positional inputs (equinox's
    ``mha(query, key_, value)``), else ``(x,)``; parameters given in ``kwargs`` do not count."""
    try:
        parameters = list(inspect.signature(call).parameters.values())
    except (TypeError, ValueError):
        return (x,)
    required = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                and p.default is p.empty and p.name != "self" and p.name not in kwargs]
    return (x, x, x) if len(required) == 3 else (x,)


def floating_dtype(params: Params, default: Any) -> Any:
    """The dtype all floating leaves promote to, ``default`` when there are none."""
    leaves = [leaf for leaf in jax.tree_util.tree_leaves(params) if jnp.issubdtype(jnp.result_type(leaf), jnp.floating)]
    return jnp.result_type(*leaves) if leaves else jnp.dtype(default)


def normal_like(key: jax.Array, reference: Params, d: int) -> Params:
    """Every floating leaf i.i.d. N(0, s^2) in its own dtype, s its RMS in ``reference`` (1/sqrt(d) where zero)."""
    leaves, treedef = jax.tree_util.tree_flatten(reference)
    keys = jax.random.split(key, max(len(leaves), 1))
    drawn = []
    for k, leaf in zip(keys, leaves, strict=False):
        leaf = jnp.asarray(leaf)
        if not jnp.issubdtype(leaf.dtype, jnp.floating):
            drawn.append(leaf)
            continue
        rms = float(np.sqrt(np.mean(np.square(np.asarray(leaf, dtype=np.float64))))) if leaf.size else 0.0
        scale = rms if rms > 0 else 1.0 / np.sqrt(d)
        drawn.append((scale * jax.random.normal(k, leaf.shape, dtype=leaf.dtype)).astype(leaf.dtype))
    return jax.tree_util.tree_unflatten(treedef, drawn)


@dataclass(frozen=True)
class Setup:
    """What one (n, d) needs: the accepted layout, the dtype X is cast to, the precision, the reference build."""

    layout: Layout
    dtype: Any
    wide: bool
    reference: Built
    kwargs: dict[str, Any]


class Adapted:
    """A library module as an attention of the toolkit's protocol (init/apply), with notes on how it is called.

    Hashable by identity, so the checker's compiled-function cache keys on it.
    """

    def __init__(self, backend: Backend, options: AdapterOptions) -> None:
        self.backend = backend
        self.options = options
        self.name = backend.name
        self.law = options.draw if options.draw != "auto" else ("init" if backend.can_init else "normal")
        if self.law == "init" and not backend.can_init:
            raise ApproxTheoryError(
                f"{backend.name} is a constructed {backend.library} module: its initialisers cannot be re-run "
                "for new keys",
                "use the normal draw law (draw='normal', --draw normal), or target a factory make(d, key) / "
                "make(d, rngs) that builds the module",
            )
        self._setups: dict[tuple[int, int], Setup] = {}
        self._draws: dict[tuple[int, int], Callable[[jax.Array], Params]] = {}

    @property
    def notes(self) -> tuple[str, ...]:
        law = ("the module's own initialisers" if self.law == "init" else
               "every floating leaf i.i.d. normal at the module's per-leaf RMS (1/sqrt(d) for zero leaves)")
        widened = f", widened x{self.options.draw_scale:g}" if self.options.draw_scale != 1.0 else ""
        how = [f"{s.layout.name} in {np.dtype(s.dtype).name} with {self.options.describe(s.kwargs)}"
               for s in self._setups.values()]
        return (f"{self.backend.library} {self.name} adapted: called {'; '.join(how) or 'not yet'}; "
                f"parameters drawn by {law}{widened}",)

    def init(self, key: jax.Array, n: int, d: int) -> Params:
        setup = self._setup(n, d)
        with jax.enable_x64(setup.wide):
            return self._draws[(n, d)](key)

    def _draw_function(self, setup: Setup, n: int, d: int) -> Callable[[jax.Array], Params]:
        """key -> one parameter draw, jitted: shapes are fixed by (n, d) and the key is the only argument, so a
        library's initialisers compile once per configuration instead of running (and compiling) op by op for
        every draw (issue 14: about 385 compilations per check of a flax module)."""

        def draw(key: jax.Array) -> Params:
            if self.law == "init":
                x = jnp.zeros(setup.layout.shape(n, d), setup.dtype)
                params = self.backend.build(key, x, setup.kwargs).params
            else:
                params = normal_like(key, setup.reference.params, d)
            if self.options.draw_scale != 1.0:
                params = jax.tree_util.tree_map(lambda leaf: (leaf * self.options.draw_scale).astype(leaf.dtype), params)
            return params

        return jax.jit(draw)

    def apply(self, params: Params, X: jax.Array) -> jax.Array:
        n, d = X.shape
        setup = self._setup(n, d)
        x = jnp.reshape(X.astype(setup.dtype), setup.layout.shape(n, d))
        with jax.enable_x64(setup.wide):
            y = self.backend.forward(setup.reference.structure, params, x, setup.kwargs)
        return jnp.reshape(y, (n, d))

    def _setup(self, n: int, d: int) -> Setup:
        if (n, d) not in self._setups:
            setup = self._setups[(n, d)] = self._probe(n, d)
            self._draws[(n, d)] = self._draw_function(setup, n, d)
        return self._setups[(n, d)]

    def _build_in_its_dtype(self, x: jax.Array, kwargs: dict[str, Any], wide: bool) -> Built:
        """The module's parameters, built in float64 mode if ``wide`` or if the module asks for float64 itself: a
        factory built in float32 mode (its defaults follow JAX's mode) whose code requests float64 explicitly
        (nnx ``param_dtype=jnp.float64``) would otherwise be truncated to float32 with only a JAX warning."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with jax.enable_x64(wide):
                built = self.backend.build(jax.random.key(PROBE_KEY_SEED), x, kwargs)
        truncated = [w for w in caught if "requested dtype float64" in str(w.message)]
        if not wide and truncated:
            with jax.enable_x64(True):
                built = self.backend.build(jax.random.key(PROBE_KEY_SEED), x, kwargs)
        for w in caught:  # the others are the user's to see, as without this probe
            if not (truncated and w in truncated and not wide):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        return built

    def _probe(self, n: int, d: int) -> Setup:
        """The first layout in which the module maps n tokens of width d to the same shape."""
        width = self.backend.declared_width()
        if width is not None and width != d:
            raise ApproxTheoryError(
                f"{self.name} ({self.backend.library}) was constructed for token width {width}, but the check runs "
                f"at d = {d}",
                f"run at d = {width} (--d {width}), or target a factory make(d, ...) that builds the module for any d",
            )
        asked = self.options.dtype == "float64"
        example_dtype = self.options.dtype or "float32"
        failures = []
        with jax.enable_x64(asked or self.backend.explicit_dtypes), warnings.catch_warnings():
            # a reference module for the call's signature only: its dtypes do not matter (the build below decides)
            warnings.filterwarnings("ignore", message=".*requested dtype float64")
            self.backend.prepare(n, d)
            kwargs = self.options.kwargs_at(n, self.backend.call, fixed=self.backend.fixes)
        for layout in self.backend.layouts:
            x = jnp.zeros(layout.shape(n, d), example_dtype)
            try:
                built = self._build_in_its_dtype(x, kwargs, asked or self.backend.explicit_dtypes)
                # The module's own precision: float64 when asked for or when its parameters are float64; never
                # below float32 (bfloat16 parameters are not a reason to round the input: the module casts it
                # itself where it computes in bfloat16).
                dtype = jnp.dtype(self.options.dtype) if asked else \
                    jnp.promote_types(floating_dtype(built.params, example_dtype), example_dtype)
                wide = asked or dtype == jnp.float64
                with jax.enable_x64(wide):
                    out = jax.eval_shape(lambda p, v, b=built: self.backend.forward(b.structure, p, v, kwargs),
                                         built.params, jnp.zeros(x.shape, dtype))
            except ApproxTheoryError:
                raise
            except Exception as exc:
                failures.append(f"{layout.name} raised {describe_exception(exc)}")
                continue
            shape = getattr(out, "shape", None)
            if isinstance(out, jax.ShapeDtypeStruct) and tuple(shape) == layout.shape(n, d):
                return Setup(layout, dtype, wide, built, kwargs)
            got = f"shape {tuple(shape)}" if isinstance(out, jax.ShapeDtypeStruct) else type(out).__name__
            failures.append(f"{layout.name} returned {got}")
        raise ApproxTheoryError(
            f"{self.name} ({self.backend.library}) does not map {n} tokens of width {d} to the same shape as "
            f"self-attention: " + "; ".join(failures),
            "the module must return one array shaped like its input (set out_features to d or leave it unset); "
            "pass what its call needs with call_kwargs / --call-kwarg NAME=VALUE",
        )
